"""Right and wrong answers of chapter 11's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_MERGE = "import torch\ndef merge(o_a, lse_a, o_b, lse_b):\n"

CASES = {
    "q3": {
        "right": "q3_ratio = 2.3333",  # all ranks together: (P - 1) n rows, 7n against 3n
        "wrong": [
            "q3_ratio = 1.1667",  # per rank, (7/8) / (3/4): the total's P forgotten
            "q3_ratio = 2",  # twice the ranks, each receiving the same
            "q3_ratio = 0.5",  # twice the processes, half the traffic
            "q3_ratio = 1",  # the whole sequence moves either way
            "q3_ratio = 56 / 12",  # P (P - 1) blocks counted, their shrinking size forgotten
            "q3_ratio = 3 / 7",  # the ratio upside down
            "q3_ratio = 2.3",  # 1 decimal where the check asks 2
        ],
    },
    "q4": {
        "right": "q4_length = 64000",  # share 56 / (7n/8) = 64 / n = 1 / r
        "wrong": [
            "q4_length = 56000",  # the ring counted as all n rows: 56 / n
            "q4_length = 73143",  # a rank's own kept rows counted as received: 64 / (7n/8)
            "q4_length = 8000",  # m = n / P taken for n
            "q4_length = 1000",  # r, not n
            "q4_length = 512000",  # 1000 times 512
            "q4_length = 8192",  # the length the notebook measured
            "q4_length = 128000",  # 1000 times 128 (r at n = 8192)
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
