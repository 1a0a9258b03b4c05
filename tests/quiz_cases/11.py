"""Right and wrong answers of chapter 11's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_MERGE = "import torch\ndef merge(o_a, lse_a, o_b, lse_b):\n"

CASES = {
    "q3": {
        "right": "q3_ring = 2_097_152",  # (P - 1) * n / P rows * 2 (k, v) * d 32 * 4 heads * 4 bytes
        "wrong": [
            "q3_ring = 3_145_728",  # P = 4's value at n = 4096, copied
            "q3_ring = 3_145_728 // 2",  # halved with P, as if the traffic were proportional to P
            "q3_ring = 4096 * 2 * 32 * 4 * 4",  # every row of the sequence, own block included
            "q3_ring = 2048 * 32 * 4 * 4",  # keys only, values forgotten
            "q3_ring = 2048 * 2 * 32 * 4",  # one head only
            "q3_ring = 2048 * 2 * 32 * 4 * 2",  # bf16 bytes instead of float32
        ],
    },
    "q4": {
        "right": "q4_dilated = 32_768",  # (w - m) / r = (4096 - 2048) / 64 = 32 rows * 2 * 32 * 4 * 4
        "wrong": [
            "q4_dilated = 49_152",  # P = 4's value, copied
            "q4_dilated = 64 * 2 * 32 * 4 * 4",  # w / r rows: the own kept rows counted as received
            "q4_dilated = 2048 * 2 * 32 * 4 * 4",  # dense: every row of the other device
            "q4_dilated = 32 * 2 * 32 * 4",  # one head only
            "q4_dilated = 32 * 32 * 4 * 4",  # keys only
            "q4_dilated = 32_768 + 64 * 2 * 32 * 4 * 4",  # the local (64, 1) pattern counted as traffic too
        ],
    },
    "q5": {
        "right": _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
        "    return torch.exp(lse_a - lse) * o_a + torch.exp(lse_b - lse) * o_b, lse",
        "wrong": [
            # the plain average: blocks weighed equally
            _MERGE + "    return (o_a + o_b) / 2, torch.logaddexp(lse_a, lse_b)",
            # exact in exact arithmetic, but exp(lse) overflows for scores in the hundreds
            _MERGE + "    w_a, w_b = torch.exp(lse_a), torch.exp(lse_b)\n"
            "    return (w_a * o_a + w_b * o_b) / (w_a + w_b), torch.log(w_a + w_b)",
            # the two shares swapped
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    return torch.exp(lse_b - lse) * o_a + torch.exp(lse_a - lse) * o_b, lse",
            # the right output, but the running max returned as the lse: a third block is then weighed wrongly
            _MERGE + "    top = torch.maximum(lse_a, lse_b)\n"
            "    w_a, w_b = torch.exp(lse_a - top), torch.exp(lse_b - top)\n"
            "    return (w_a * o_a + w_b * o_b) / (w_a + w_b), top",
            # the right output, but the lses added instead of log-sum-exp'ed
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    return torch.exp(lse_a - lse) * o_a + torch.exp(lse_b - lse) * o_b, lse_a + lse_b",
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.lse_attention import merge_lse, merge_partials\n"
            "def merge(o_a, lse_a, o_b, lse_b):\n"
            "    lse = merge_lse([lse_a, lse_b])\n"
            "    return merge_partials([o_a, o_b], [lse_a[..., 0], lse_b[..., 0]], lse[..., 0]), lse",
        ],
    },
}
