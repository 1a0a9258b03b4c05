"""Right and wrong answers of chapter 01's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math
import torch


def window_attention(q, k, v, window):
    n_q, n_k = q.shape[-2], k.shape[-2]
    offset = n_k - n_q
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    past = torch.ones(n_q, n_k, dtype=torch.bool).tril(offset)
    recent = torch.ones(n_q, n_k, dtype=torch.bool).triu(offset - window + 1)
    scores = scores.masked_fill(~(past & recent), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
"""

# section 6's attention_from_scratch, copied from the notebook (not course code: reusing it is allowed)
_FROM_SCRATCH = """\
import math
import torch


def softmax_from_scratch(scores):
    shifted = scores - scores.amax(dim=-1, keepdim=True)
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=-1, keepdim=True)


def attention_from_scratch(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = softmax_from_scratch(scores)
    return weights @ v, weights


"""


# the band of keys a query may read, as the lines of a function's body (q, k and window in scope)
_BAND = (
    "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
    "    o = n_k - n_q\n"
    "    ones = torch.ones(n_q, n_k, dtype=torch.bool)\n"
    "    mask = ones.tril(o) & ones.triu(o - window + 1)\n"
)
_SIGNATURE = "def window_attention(q, k, v, window):\n"
# one query at a time, on the keys of its window (q, k, v, window in scope; `f` attends)
_ROWS = (
    "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
    "    rows = []\n"
    "    for i in range(n_q):\n"
    "        p = n_k - n_q + i\n"
    "        lo = max(0, p - window + 1)\n"
    "        rows.append(f(q[..., i : i + 1, :], k[..., lo : p + 1, :], v[..., lo : p + 1, :]))\n"
    "    return torch.cat(rows, dim=-2)\n"
)


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q3": {
        "right": "q3_variance = 576",
        "wrong": [
            "q3_variance = 384",  # the variances multiplied, q's mean forgotten: 2 x 3 x d
            "q3_variance = 448",  # the mean's square added once: (2 x 3 + 1) x d
            "q3_variance = 512",  # the mean applied to the wrong factor: (2 x 3 + 2) x d
            "q3_variance = 64",  # section 4's unit-variance answer, d
            "q3_variance = 320",  # the variances added: (2 + 3) x d
            "q3_variance = 9",  # the scaled score's variance, or one product's
            "q3_variance = 2304",  # 2 and 3 taken as standard deviations: 4 x 9 x d
            "q3_variance = 72",  # 9 x sqrt(d)
        ],
    },
    "q4": {
        # section 6's function reused with the band of keys (reusing the notebook's own code is allowed);
        # tests/quiz_cases: _REFERENCE, in plain torch, is the solution the wrong answers vary
        "right": _FROM_SCRATCH + _SIGNATURE + _BAND + "    return attention_from_scratch(q, k, v, mask=mask)[0]\n",
        "wrong": [
            _variant(" / math.sqrt(q.shape[-1])", ""),  # no 1/sqrt(d)
            _variant("math.sqrt(q.shape[-1])", "q.shape[-1]"),  # 1/d instead of 1/sqrt(d)
            _variant("~(past & recent)", "~past"),  # the window forgotten: the plain KV-cache causal mask
            _variant("~(past & recent)", "~recent"),  # the window's far edge only: later keys visible
            _variant("offset = n_k - n_q", "offset = 0"),  # queries aligned with the first keys, not the newest
            _variant("offset = n_k - n_q", "offset = n_q - n_k"),  # the offset's sign flipped
            _variant(".triu(offset - window + 1)", ".triu(offset - window)"),  # off by one: window + 1 keys
            _variant(".triu(offset - window + 1)", ".triu(offset - window + 2)"),  # off by one: window - 1 keys
            _variant(".tril(offset)", ".tril(offset - 1)"),  # a token may not read itself
            _variant(".triu(offset - window + 1)", ".triu(n_k - window)"),  # every query gets the newest's window
            _variant(".triu(offset - window + 1)", ".triu(-window + 1)"),  # the window placed without the offset
            _variant("torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)"),  # normalised over queries
            # a naive softmax without the row maximum subtracted (section 2): overflows on large scores
            _variant("torch.softmax(scores, dim=-1)", "(scores.exp() / scores.exp().sum(dim=-1, keepdim=True))"),
            # section 6's function reused with the plain causal mask of a KV cache (no window)
            _FROM_SCRATCH
            + _SIGNATURE
            + "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
            + "    mask = torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q)\n"
            + "    return attention_from_scratch(q, k, v, mask=mask)[0]\n",
            # ... and with section 5's square causal mask, on the newest keys only
            _FROM_SCRATCH
            + _SIGNATURE
            + "    n_q = q.shape[-2]\n"
            + "    mask = torch.ones(n_q, n_q, dtype=torch.bool).tril()\n"
            + "    return attention_from_scratch(q, k[..., -n_q:, :], v[..., -n_q:, :], mask=mask)[0]\n",
        ],
        "cheats": [
            # PyTorch's fused attention, which the question forbids, with the right band
            "import torch\nimport torch.nn.functional as F\n\n\n"
            + _SIGNATURE
            + _BAND
            + "    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)\n",
            # the same through the aten operator
            "import torch\n\n\n"
            + _SIGNATURE
            + _BAND
            + "    return torch.ops.aten.scaled_dot_product_attention(q, k, v, attn_mask=mask)\n",
            # the course's attention with the band: directly, in a closure, and as a keyword-only default argument
            "import torch\nfrom course_utils.core.attention import attention\n\n\n"
            + _SIGNATURE
            + _BAND
            + "    return attention(q, k, v, mask=mask)[0]\n",
            "import torch\nfrom course_utils.core.attention import attention\n\n\n"
            "def _make():\n    f = attention\n\n"
            "    def window_attention(q, k, v, window):\n"
            "        n_q, n_k = q.shape[-2], k.shape[-2]\n"
            "        ones = torch.ones(n_q, n_k, dtype=torch.bool)\n"
            "        mask = ones.tril(n_k - n_q) & ones.triu(n_k - n_q - window + 1)\n"
            "        return f(q, k, v, mask=mask)[0]\n\n"
            "    return window_attention\n\n\nwindow_attention = _make()\n",
            "import torch\nfrom course_utils.core.attention import attention\n\n\n"
            "def window_attention(q, k, v, window, *, _attention=attention):\n"
            + _BAND
            + "    return _attention(q, k, v, mask=mask)[0]\n",
            # the band and scale written, the course's softmax borrowed
            "import math\nimport torch\nfrom course_utils.core.attention import stable_softmax\n\n\n"
            + _SIGNATURE
            + _BAND
            + '    s = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).masked_fill(~mask, float("-inf"))\n'
            + "    return stable_softmax(s) @ v\n",
            # the course's causal mask (aligned to the last key) and its scores, the window added by hand
            "import torch\nfrom course_utils.core.attention import attention_scores, causal_mask\n\n\n"
            + _SIGNATURE
            + "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
            + "    near = torch.ones(n_q, n_k, dtype=torch.bool).triu(n_k - n_q - window + 1)\n"
            + "    return torch.softmax(attention_scores(q, k, mask=causal_mask(n_q, n_k) & near), -1) @ v\n",
            # other course functions, one query at a time on its window's keys: log-sum-exp and blockwise attention
            "import torch\nfrom course_utils.core.lse_attention import attention_with_lse\n\n\n"
            "def f(q, k, v):\n    return attention_with_lse(q, k, v)[0]\n\n\n" + _SIGNATURE + _ROWS,
            "import torch\nfrom course_utils.chapters.flash import online_softmax_attention as f\n\n\n"
            + _SIGNATURE
            + _ROWS,
            # PyTorch's fused attention, one query at a time, captured as a keyword-only default argument
            "import torch\nimport torch.nn.functional as F\n\n\n"
            "def window_attention(q, k, v, window, *, f=F.scaled_dot_product_attention):\n" + _ROWS,
        ],
    },
}
