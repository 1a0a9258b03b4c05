"""Right and wrong answers of chapter 11's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_MERGE = "import torch\ndef merge(o_a, lse_a, o_b, lse_b):\n"

CASES = {
    "q3": {
        "right": "q3_ring = 7_340_032",  # (P - 1) * n / P rows = 7 * 1024, * 2 (k, v) * d 32 * 4 heads * 4 bytes
        "wrong": [
            "q3_ring = 6_291_456",  # P = 4's value at n = 8192: section 4's last row doubled
            "q3_ring = 3_145_728",  # P = 4's value at n = 4096, copied
            "q3_ring = 8192 * 2 * 32 * 4 * 4",  # every row of the sequence, own block included
            "q3_ring = 1024 * 2 * 32 * 4 * 4",  # one block only
            "q3_ring = 7168 * 32 * 4 * 4",  # keys only, values forgotten
            "q3_ring = 7168 * 2 * 32 * 4",  # one head only
            "q3_ring = 7168 * 2 * 32 * 4 * 2",  # bf16 bytes instead of float32
        ],
    },
    "q4": {
        "right": "q4_dilated = 57_344",  # (w - m) / r = (8192 - 1024) / 128 = 56 rows * 2 * 32 * 4 * 4
        "wrong": [
            "q4_dilated = 49_152",  # P = 4's value, copied
            "q4_dilated = 112 * 2 * 32 * 4 * 4",  # r = 64 kept from n = 4096: r = n / 64 is 128 here
            "q4_dilated = 64 * 2 * 32 * 4 * 4",  # w / r rows: the own kept rows counted as received
            "q4_dilated = 7168 * 2 * 32 * 4 * 4",  # dense: every row of the other devices
            "q4_dilated = 56 * 2 * 32 * 4",  # one head only
            "q4_dilated = 56 * 32 * 4 * 4",  # keys only
            "q4_dilated = 57_344 + 64 * 2 * 32 * 4 * 4",  # the local (64, 1) pattern counted as traffic too
        ],
    },
    "q5": {
        "right": _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
        "    finite = torch.where(torch.isneginf(lse), torch.zeros_like(lse), lse)\n"
        "    o = torch.exp(lse_a - finite) * torch.nan_to_num(o_a)\n"
        "    o = o + torch.exp(lse_b - finite) * torch.nan_to_num(o_b)\n"
        "    return o, lse",
        "wrong": [
            # section 2's ring cell, copied: NaN where a block is fully masked
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    return torch.exp(lse_a - lse) * o_a + torch.exp(lse_b - lse) * o_b, lse",
            # the NaN outputs zeroed, but two masked blocks still give exp(-inf - -inf) = NaN
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    o = torch.exp(lse_a - lse) * torch.nan_to_num(o_a)\n"
            "    return o + torch.exp(lse_b - lse) * torch.nan_to_num(o_b), lse",
            # no NaN, but a query that sees no key gets lse 0 instead of -inf
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    finite = torch.where(torch.isneginf(lse), torch.zeros_like(lse), lse)\n"
            "    o = torch.exp(lse_a - finite) * torch.nan_to_num(o_a)\n"
            "    o = o + torch.exp(lse_b - finite) * torch.nan_to_num(o_b)\n"
            "    return o, finite",
            # the plain average: blocks weighed equally
            _MERGE + "    return (o_a + o_b) / 2, torch.logaddexp(lse_a, lse_b)",
            # exact in exact arithmetic, but exp(lse) overflows for scores in the hundreds
            _MERGE + "    w_a, w_b = torch.exp(lse_a), torch.exp(lse_b)\n"
            "    return (w_a * o_a + w_b * o_b) / (w_a + w_b), torch.log(w_a + w_b)",
            # the two shares swapped
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    finite = torch.where(torch.isneginf(lse), torch.zeros_like(lse), lse)\n"
            "    o = torch.exp(lse_b - finite) * torch.nan_to_num(o_a)\n"
            "    o = o + torch.exp(lse_a - finite) * torch.nan_to_num(o_b)\n"
            "    return o, lse",
            # the right output, but the running max returned as the lse: a third block is then weighed wrongly
            _MERGE + "    top = torch.maximum(lse_a, lse_b)\n"
            "    top = torch.where(torch.isneginf(top), torch.zeros_like(top), top)\n"
            "    w_a, w_b = torch.exp(lse_a - top), torch.exp(lse_b - top)\n"
            "    total = torch.where(w_a + w_b > 0, w_a + w_b, 1)\n"
            "    o = (w_a * torch.nan_to_num(o_a) + w_b * torch.nan_to_num(o_b)) / total\n"
            "    return o, torch.where(w_a + w_b > 0, top, -torch.inf)",
            # the right output, but the lses added instead of log-sum-exp'ed
            _MERGE + "    lse = torch.logaddexp(lse_a, lse_b)\n"
            "    finite = torch.where(torch.isneginf(lse), torch.zeros_like(lse), lse)\n"
            "    o = torch.exp(lse_a - finite) * torch.nan_to_num(o_a)\n"
            "    o = o + torch.exp(lse_b - finite) * torch.nan_to_num(o_b)\n"
            "    return o, lse_a + lse_b",
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.lse_attention import merge_lse, merge_partials\n"
            "def merge(o_a, lse_a, o_b, lse_b):\n"
            "    lse = merge_lse([lse_a, lse_b])\n"
            "    return merge_partials([o_a, o_b], [lse_a[..., 0], lse_b[..., 0]], lse[..., 0]), lse",
            # the course's merge, with the masked outputs zeroed first: right, but not the student's own
            "import torch\nfrom course_utils.core.lse_attention import merge_lse, merge_partials\n"
            "def merge(o_a, lse_a, o_b, lse_b):\n"
            "    lse = merge_lse([lse_a, lse_b])\n"
            "    outs = [torch.nan_to_num(o_a), torch.nan_to_num(o_b)]\n"
            "    return merge_partials(outs, [lse_a[..., 0], lse_b[..., 0]], lse[..., 0]), lse",
        ],
    },
}
