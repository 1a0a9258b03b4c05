"""Right and wrong answers of chapter 07's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_HEAD = (
    "import math\n"
    "import torch\n\n"
    "def causal_head(q, k, v, segments, rates, head):\n"
    "    n, d = q.shape\n"
    "    outs, lses = [], []\n"
    "    for w, r in zip(segments, rates):\n"
    "        rows = torch.arange(n).view(n // w, w)[:, {offset} :: r]\n"
    "        scores = q[rows] @ k[rows].transpose(-2, -1) / {scale}\n"
    "        m = rows.shape[1]\n"
    "        scores = scores.masked_fill({mask}, float('-inf'))\n"
    "        out = torch.zeros_like(v)\n"
    "        out[rows] = torch.softmax(scores, dim=-1) @ v[rows]\n"
    "        lse = torch.full((n,), float('-inf'), dtype=q.dtype)\n"
    "        lse[rows] = torch.logsumexp(scores, dim=-1)\n"
    "        outs.append(out)\n"
    "        lses.append(lse)\n"
    "    lses = torch.stack(lses)\n"
    "    weights = {weights}\n"
    "    return sum(wt[:, None] * o for wt, o in zip(weights, outs))\n"
)
_RIGHT = {
    "offset": "head % r",
    "scale": "math.sqrt(d)",
    "mask": "torch.ones(m, m, dtype=torch.bool).triu(1)",
    "weights": "torch.exp(lses - torch.logsumexp(lses, dim=0)).nan_to_num(0.0)",
}

#: One softmax over each query's visible keys, each key counted once however many patterns share it.
_UNION = (
    "import math\n"
    "import torch\n\n"
    "def causal_head(q, k, v, segments, rates, head):\n"
    "    n, d = q.shape\n"
    "    pos = torch.arange(n)\n"
    "    seen = torch.zeros(n, n, dtype=torch.bool)\n"
    "    for w, r in zip(segments, rates):\n"
    "        kept = (pos % w) % r == head % r\n"
    "        seen |= (pos[:, None] // w == pos[None, :] // w) & kept[:, None] & kept[None, :]\n"
    "    seen &= pos[None, :] <= pos[:, None]\n"
    "    s = (q @ k.T / math.sqrt(d)).masked_fill(~seen, float('-inf'))\n"
    "    return torch.softmax(s, -1).nan_to_num(0.0) @ v\n"
)

_FUSED = (
    "import torch\n{imports}\n\n"
    "def causal_head(q, k, v, segments, rates, head):\n"
    "    n, d = q.shape\n"
    "    outs, lses = [], []\n"
    "    for w, r in zip(segments, rates):\n"
    "        rows = torch.arange(n).view(n // w, w)[:, head % r :: r]\n"
    "        o, l = {call}[:2]\n"
    "        out = torch.zeros_like(v)\n"
    "        out[rows] = o[0].to(v.dtype)\n"
    "        lse = torch.full((n,), float('-inf'), dtype=q.dtype)\n"
    "        lse[rows] = l[0].to(q.dtype)\n"
    "        outs.append(out)\n"
    "        lses.append(lse)\n"
    "    lses = torch.stack(lses)\n"
    "    weights = torch.exp(lses - torch.logsumexp(lses, dim=0)).nan_to_num(0.0)\n"
    "    return sum(wt[:, None] * o for wt, o in zip(weights, outs))\n"
)


def _head(**changes: str) -> str:
    return _HEAD.format(**{**_RIGHT, **changes})


CASES = {
    "q1b": {
        "right": "q1b_lengths = (1835008, 12845056, 0)",
        "wrong": [
            "q1b_lengths = (917504, 1605632, 2688000)",  # the whole-sequence pattern left out: 448 x R
            "q1b_lengths = (611669, 856337, 1090536)",  # a sign slip: 1 + R/4096
            "q1b_lengths = (1835008, 12845056, -5782588)",  # the formula applied past the ceiling: a negative length
            "q1b_lengths = (1835008, 12845056, 17179869184)",  # the end of a bounded search, not "none"
            "q1b_lengths = (1835008, 3211264, 5376000)",  # the ratio scaled in proportion to n from 2,048
            "q1b_lengths = (0, 12845056, 1835008)",  # the three in reverse order
            "q1b_lengths = (3670016, 25690112, 0)",  # a factor 2 too many
            "q1b_lengths = (2048, 3584, 6000)",  # the ratios, not the lengths
            "q1b_lengths = (1835008, 12845057, 0)",  # one token off
            "q1b_lengths = (1792, 12544, 0)",  # the number of 1024-token segments, not tokens
            "q1b_lengths = (1835008, 5505024, 12845056)",  # the ratios 2,048, 3,072 and 3,584
        ],
    },
    "q5": {
        "right": "q5_pairs = (294912, 278528, 81920, 294912, 262144, 65536)",
        "wrong": [
            "q5_pairs = (294912, 73728, 24576, 294912, 73728, 24576)",  # queries thinned too: the package's pattern
            "import torch\nfrom course_utils.core.dilated import dilated_key_counts\n"
            "c8 = dilated_key_counts(64, 8, [8], [1], causal=True)\n"
            "c32 = dilated_key_counts(64, 8, [32], [4], causal=True)\n"
            "q5_pairs = tuple(int(x) * 1024 for h in (5, 6) for x in (c8[h].sum(), c32[h].sum(), "
            "((c8[h] > 0) & (c32[h] > 0)).sum()))",
            "q5_pairs = (144, 136, 40, 144, 128, 32)",  # one segment of 32, not the whole sequence
            "q5_pairs = (294912, 278528, 0, 294912, 262144, 0)",  # no pair counted as read by both patterns
            "q5_pairs = (294912, 215040, 67584, 294912, 200704, 53248)",  # offset h itself, not h mod 4
            "q5_pairs = (294912, 294912, 98304, 294912, 294912, 98304)",  # offset 0
            "q5_pairs = (524288, 524288, 131072, 524288, 524288, 131072)",  # no causal mask
            "q5_pairs = (278528, 294912, 81920, 262144, 294912, 65536)",  # the two patterns swapped
            "q5_pairs = (294912, 278528, 491520, 294912, 262144, 491520)",  # the distinct total, not the shared
            "q5_pairs = (294912, 262144, 65536, 294912, 278528, 81920)",  # the two heads swapped
            "q5_pairs = (294912, 278528, 81920, 294912, 278528, 81920)",  # head 6 counted as head 5
            "import numpy as np\nq5_pairs = tuple(np.int64(x) for x in (288, 272, 80, 288, 256, 64))",  # n = 64
        ],
    },
    "q6": {
        "right": _head(),
        "wrong": [
            _head(mask="torch.zeros(m, m, dtype=torch.bool)"),  # no causal mask: section 1's cell
            _head(offset="head"),  # offset h, not h mod r
            _head(offset="0"),  # every head keeps offset 0, as in section 1's cell
            _head(mask="torch.ones(m, m, dtype=torch.bool).tril(-1)"),  # the mask transposed
            _head(mask="torch.ones(m, m, dtype=torch.bool).triu(0)"),  # the query's own key masked too
            _head(scale="1.0"),  # no 1/sqrt(d)
            _head(weights="torch.exp(lses - torch.logsumexp(lses, dim=0))"),  # rows no pattern keeps: NaN
            _head(weights="torch.isfinite(lses).double() / torch.isfinite(lses).sum(0).clamp_min(1)"),  # plain mean
            _head(weights="(lses == lses.max(0).values).double()"),  # the pattern with the largest lse only
            _UNION,  # one softmax over the union: a key two patterns share counted once
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.dilated import dilated_attention\n\n"
            "def causal_head(q, k, v, segments, rates, head):\n"
            "    x = [t[None, None].expand(1, head + 1, -1, -1).contiguous() for t in (q, k, v)]\n"
            "    return dilated_attention(*x, segments, rates, causal=True)[0, head]\n",
            "import torch\nfrom course_utils.core.dilated import dilated_reference\n\n"
            "def causal_head(q, k, v, segments, rates, head):\n"
            "    x = [t[None, None].expand(1, head + 1, -1, -1).contiguous() for t in (q, k, v)]\n"
            "    return dilated_reference(*x, segments, rates, causal=True)[0, head]\n",
            "import math\nimport torch\nfrom course_utils.core.dilated import dilated_key_counts\n\n"
            "def causal_head(q, k, v, segments, rates, head):\n"
            "    n, d = q.shape\n"
            "    c = dilated_key_counts(n, head + 1, segments, rates, causal=True)[head].double()\n"
            "    s = q @ k.T / math.sqrt(d) + c.log()\n"
            "    return torch.softmax(s, -1).nan_to_num(0.0) @ v\n",
            _FUSED.format(
                imports="from course_utils.core.lse_attention import attention_with_lse",
                call="attention_with_lse(q[rows], k[rows], v[rows], q_start=0)",
            )
            .replace("o[0]", "o")
            .replace("l[0]", "l"),
            _FUSED.format(  # the course's private fused-kernel helper
                imports="from course_utils.core.lse_attention import _fused_kernel",
                call="_fused_kernel(q[rows][None], k[rows][None], v[rows][None], True)",
            ),
            _FUSED.format(  # PyTorch's fused CPU attention op, which also returns the log-sum-exp
                imports="",
                call="torch.ops.aten._scaled_dot_product_flash_attention_for_cpu("
                "q[rows][None], k[rows][None], v[rows][None], is_causal=True)",
            ),
        ],
    },
}
