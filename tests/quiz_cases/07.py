"""Right and wrong answers of chapter 07's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_HEAD = (
    "import math\n"
    "import torch\n\n"
    "def causal_head(q, k, v, segments, rates, head):\n"
    "    n, d = q.shape\n"
    "    outs, lses = [], []\n"
    "    for w, r in zip(segments, rates):\n"
    "        rows = torch.arange(n).view(n // w, w)\n"
    "        cols = rows[:, {offset} :: r]\n"
    "        queries = {queries}\n"
    "        scores = q[queries] @ k[cols].transpose(-2, -1) / {scale}\n"
    "        scores = scores.masked_fill({mask}, float('-inf'))\n"
    "        out = torch.zeros_like(v)\n"
    "        out[queries] = {probs} @ v[cols]\n"
    "        lse = torch.full((n,), float('-inf'), dtype=q.dtype)\n"
    "        lse[queries] = torch.logsumexp(scores, dim=-1)\n"
    "        outs.append(out)\n"
    "        lses.append(lse)\n"
    "    lses = torch.stack(lses)\n"
    "    weights = {weights}\n"
    "    return sum(wt[:, None] * o for wt, o in zip(weights, outs))\n"
)
_RIGHT = {
    "offset": "head % r",
    "queries": "rows",
    "scale": "math.sqrt(d)",
    "mask": "cols[:, None, :] > queries[:, :, None]",
    "probs": "torch.softmax(scores, dim=-1).nan_to_num(0.0)",
    "weights": "torch.exp(lses - torch.logsumexp(lses, dim=0)).nan_to_num(0.0)",
}

#: The same head as one softmax over a matrix of key counts: `{combine}` adds one pattern's keys to `c`.
_COUNTS = (
    "import math\n"
    "import torch\n{imports}\n\n"
    "def causal_head(q, k, v, segments, rates, head):\n"
    "    n, d = q.shape\n"
    "    pos = torch.arange(n)\n"
    "    c = torch.zeros(n, n, dtype=q.dtype)\n"
    "    for w, r in zip(segments, rates):\n"
    "        kept = {kept}\n"
    "        c = {combine}\n"
    "    c = c * (pos[None, :] <= pos[:, None])\n"
    "    {final}\n"
)
_SAME = "((pos[:, None] // w == pos[None, :] // w) & kept[None, :]).to(q.dtype)"
_COUNT_RIGHT = {
    "imports": "",
    "kept": "(pos % w) % r == head % r",
    "combine": "c + " + _SAME,
    "final": "return torch.softmax(q @ k.T / math.sqrt(d) + c.log(), -1).nan_to_num(0.0) @ v",
}


def _head(**changes: str) -> str:
    return _HEAD.format(**{**_RIGHT, **changes})


def _counts(**changes: str) -> str:
    return _COUNTS.format(**{**_COUNT_RIGHT, **changes})


CASES = {
    "q5": {
        "right": "q5_pairs = (144, 136, 40)",
        "wrong": [
            "q5_pairs = (144, 36, 12)",  # queries thinned too: the package's pattern
            "import torch\nfrom course_utils.core.dilated import dilated_key_counts\n"
            "c8 = dilated_key_counts(32, 8, [8], [1], causal=True)[5]\n"
            "c32 = dilated_key_counts(32, 8, [32], [4], causal=True)[5]\n"
            "q5_pairs = tuple(int(x) for x in (c8.sum(), c32.sum(), ((c8 > 0) & (c32 > 0)).sum()))",
            "q5_pairs = (294912, 278528, 81920)",  # scaled to a 65,536-token sequence, not one segment
            "q5_pairs = (144, 136, 0)",  # no pair counted as read by both patterns
            "q5_pairs = (144, 105, 33)",  # offset h itself, not h mod 4
            "q5_pairs = (144, 144, 48)",  # offset 0
            "q5_pairs = (256, 256, 64)",  # no causal mask
            "q5_pairs = (136, 144, 40)",  # the two patterns swapped
            "q5_pairs = (144, 136, 240)",  # the distinct total, not the shared
            "q5_pairs = (144, 136, 80)",  # the shared pairs counted twice, as they weigh in the mixture
            "q5_pairs = (144, 128, 32)",  # head 6's counts
            "q5_pairs = [144, 136, 40 // 2]",  # half the shared pairs (given as a list)
            "import numpy as np\nq5_pairs = tuple(np.int64(x) for x in (288, 272, 80))",  # n = 64
        ],
    },
    "q6": {
        "right": _head(),
        "wrong": [
            _head(queries="cols"),  # queries thinned too: section 1's pattern, the one the package computes
            _head(mask="torch.zeros_like(scores, dtype=torch.bool)"),  # no causal mask
            _head(offset="head"),  # offset h, not h mod r
            _head(offset="0"),  # every head keeps offset 0, as in section 1's cell
            _head(mask="cols[:, None, :] < queries[:, :, None]"),  # the mask transposed
            _head(mask="cols[:, None, :] >= queries[:, :, None]"),  # the query's own key masked too
            _head(scale="1.0"),  # no 1/sqrt(d)
            _head(probs="torch.softmax(scores, dim=-1)"),  # a query before the first kept key: NaN
            _head(weights="torch.exp(lses - torch.logsumexp(lses, dim=0))"),  # rows no pattern serves: NaN
            _head(weights="torch.isfinite(lses).double() / torch.isfinite(lses).sum(0).clamp_min(1)"),  # plain mean
            _head(weights="(lses == lses.max(0).values).double()"),  # the pattern with the largest lse only
            _counts(combine="torch.maximum(c, " + _SAME + ")"),  # one softmax over the union: shared keys once
            _counts(combine="c + kept[None, :].to(q.dtype)"),  # kept keys of the whole past, not of the segment
            # every r-th key counted back from the query (Longformer's dilated window), not a fixed offset
            _counts(
                combine="c + ((pos[:, None] // w == pos[None, :] // w) & ((pos[:, None] - pos[None, :]) % r == 0))"
            ),
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
            # the kept rows read off the package's count matrix, then the right keys-only mixture
            _counts(
                imports="from course_utils.core.dilated import dilated_key_counts",
                kept="dilated_key_counts(n, head + 1, [w], [r])[head].diagonal() > 0",
            ),
            # the right count matrix, then PyTorch's fused attention with log(count) as its mask
            _counts(
                final="return torch.nn.functional.scaled_dot_product_attention(q[None], k[None], v[None], "
                "attn_mask=c.log()[None]).nan_to_num(0.0)[0]"
            ),
        ],
    },
}
