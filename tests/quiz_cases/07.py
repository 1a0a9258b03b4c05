"""Right and wrong answers of chapter 07's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_PATTERN = (
    "import math\n"
    "import torch\n\n"
    "def causal_pattern(q, k, v, w, r, head):\n"
    "    n, d = q.shape\n"
    "    rows = torch.arange(n).view(n // w, w)[:, {offset} :: r]\n"
    "    scores = q[rows] @ k[rows].transpose(-2, -1) / {scale}\n"
    "    m = rows.shape[1]\n"
    "    scores = scores.masked_fill({mask}, float('-inf'))\n"
    "    out = torch.zeros_like(v)\n"
    "    out[rows] = torch.softmax(scores, dim=-1) @ v[rows]\n"
    "    lse = torch.full((n,), {fill}, dtype=q.dtype)\n"
    "    lse[rows] = torch.logsumexp(scores, dim=-1)\n"
    "    return out, lse\n"
)
_RIGHT = {
    "offset": "head % r",
    "scale": "math.sqrt(d)",
    "mask": "torch.ones(m, m, dtype=torch.bool).triu(1)",
    "fill": "float('-inf')",
}

_FUSED = (
    "import torch\n{imports}\n\n"
    "def causal_pattern(q, k, v, w, r, head):\n"
    "    n, d = q.shape\n"
    "    rows = torch.arange(n).view(n // w, w)[:, head % r :: r]\n"
    "    o, l = {call}[:2]\n"
    "    out = torch.zeros_like(v)\n"
    "    out[rows] = o[0].to(v.dtype)\n"
    "    lse = torch.full((n,), float('-inf'), dtype=q.dtype)\n"
    "    lse[rows] = l[0].to(q.dtype)\n"
    "    return out, lse\n"
)


def _pattern(**changes: str) -> str:
    return _PATTERN.format(**{**_RIGHT, **changes})


CASES = {
    "q1": {
        "right": "q1_length = 458752",
        "wrong": [
            "q1_length = 786432",  # r not squared: 1024 x (256 + 256 + 256)
            "q1_length = 1835008",  # r left out: 1024 x (256 + 512 + 1024)
            "q1_length = 262144",  # the first pattern alone
            "q1_length = 1048576",  # the block-local window of 1024 alone
            "q1_length = 173391",  # as if the ratio grew like n^2 from 146 at 65,536
            "q1_length = 459635",  # scaled from the rounded 146 at 65,536
            "q1_length = 3670016",  # the 8 heads counted on one side only
            "q1_length = 146.29",  # the ratio at 65,536, not a length
        ],
    },
    "q5": {
        "right": "q5_pairs = (294912, 73728, 24576)",
        "wrong": [
            "q5_pairs = (144, 36, 12)",  # one segment of 32, not the whole sequence
            "q5_pairs = (294912, 73728, 0)",  # no pair counted as read by both patterns
            "q5_pairs = (294912, 57344, 20480)",  # offset 5 itself, not 5 mod 4
            "q5_pairs = (524288, 131072, 32768)",  # no causal mask
            "q5_pairs = (73728, 294912, 24576)",  # the two patterns swapped
            "q5_pairs = (294912, 73728, 344064)",  # the distinct total in place of the shared count
            "import numpy as np\nq5_pairs = (np.int64(288), np.int64(72), np.int64(24))",  # n = 64
        ],
    },
    "q6": {
        "right": _pattern(),
        "wrong": [
            _pattern(mask="torch.zeros(m, m, dtype=torch.bool)"),  # no causal mask: section 1's one_pattern
            _pattern(offset="head"),  # offset h, not h mod r
            _pattern(offset="0"),  # every head keeps offset 0
            _pattern(mask="torch.ones(m, m, dtype=torch.bool).tril(-1)"),  # the mask transposed
            _pattern(mask="torch.ones(m, m, dtype=torch.bool).triu(0)"),  # the query's own key masked too
            _pattern(scale="1.0"),  # no 1/sqrt(d)
            _pattern(fill="0.0"),  # uncovered rows get lse 0, not -inf
            _pattern(fill="-1e9"),  # uncovered rows get a large finite lse, not -inf
            _pattern(fill="torch.finfo(q.dtype).min"),  # the dtype's smallest number, not -inf
            _pattern(offset="(r - 1 - head % r)"),  # offsets reversed
        ],
        "cheats": [
            "import torch\nfrom course_utils.core.lse_attention import attention_with_lse\n\n"
            "def causal_pattern(q, k, v, w, r, head):\n"
            "    n, d = q.shape\n"
            "    rows = torch.arange(n).view(n // w, w)[:, head % r :: r]\n"
            "    o, l = attention_with_lse(q[rows], k[rows], v[rows], q_start=0)\n"
            "    out = torch.zeros_like(v)\n"
            "    out[rows] = o\n"
            "    lse = torch.full((n,), float('-inf'), dtype=q.dtype)\n"
            "    lse[rows] = l\n"
            "    return out, lse\n",
            "import math\nimport torch\nfrom course_utils.core.dilated import dilated_key_counts\n\n"
            "def causal_pattern(q, k, v, w, r, head):\n"
            "    n, d = q.shape\n"
            "    seen = dilated_key_counts(n, head + 1, [w], [r], causal=True)[head] > 0\n"
            "    s = (q @ k.T / math.sqrt(d)).masked_fill(~seen, float('-inf'))\n"
            "    return torch.softmax(s, -1).nan_to_num(0.0) @ v, torch.logsumexp(s, -1)\n",
            _FUSED.format(  # the course's private fused-kernel helper
                imports="from course_utils.core.lse_attention import _fused_kernel",
                call="_fused_kernel(q[rows][None], k[rows][None], v[rows][None], True)",
            ),
            _FUSED.format(  # the course's autograd wrapper of it
                imports="from course_utils.core.lse_attention import _FusedSegments",
                call="_FusedSegments.apply(q[rows][None], k[rows][None], v[rows][None], True)",
            ),
            _FUSED.format(  # PyTorch's fused CPU attention op, which also returns the log-sum-exp
                imports="",
                call="torch.ops.aten._scaled_dot_product_flash_attention_for_cpu("
                "q[rows][None], k[rows][None], v[rows][None], is_causal=True)",
            ),
        ],
    },
}
