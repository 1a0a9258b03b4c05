"""Right and wrong answers of chapter 01's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math
import torch


def causal_attention(q, k, v):
    n_q, n_k = q.shape[-2], k.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q2": {
        "right": "q2_variance = 576",
        "wrong": [
            "q2_variance = 384",  # the variances multiplied, q's mean forgotten: 2 x 3 x d
            "q2_variance = 448",  # the mean's square added once: (2 x 3 + 1) x d
            "q2_variance = 512",  # the mean applied to the wrong factor: (2 x 3 + 2) x d
            "q2_variance = 64",  # section 4's unit-variance answer, d
            "q2_variance = 320",  # the variances added: (2 + 3) x d
            "q2_variance = 9",  # the scaled score's variance, or one product's
            "q2_variance = 2304",  # 2 and 3 taken as standard deviations: 4 x 9 x d
            "q2_variance = 72",  # 9 x sqrt(d)
        ],
    },
    "q3": {
        "right": _REFERENCE,
        "wrong": [
            _variant(" / math.sqrt(q.shape[-1])", ""),  # no 1/sqrt(d)
            _variant("math.sqrt(q.shape[-1])", "q.shape[-1]"),  # 1/d instead of 1/sqrt(d)
            _variant(".tril(n_k - n_q)", ".tril()"),  # queries aligned with the first keys, not the last
            _variant(".tril(n_k - n_q)", ".tril(n_k - n_q - 1)"),  # off by one: a query may not see itself
            _variant(".tril(n_k - n_q)", ".tril(n_k - n_q + 1)"),  # off by one: each query also sees the next key
            _variant(".tril(n_k - n_q)", ".tril(n_q - n_k)"),  # the offset's sign flipped
            _variant(".tril(n_k - n_q)", ".triu(n_k - n_q)"),  # the future instead of the past
            _variant("~torch.ones", "torch.ones"),  # the mask inverted
            _variant("torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)"),  # normalised over queries
            _variant("    scores = scores.masked_fill", "    _unused = scores.masked_fill"),  # no mask at all
        ],
        "cheats": [
            "from course_utils.core.attention import attention\n\n\n"
            "def causal_attention(q, k, v):\n    return attention(q, k, v, causal=True)[0]\n",
            # PyTorch's fused attention, which the question forbids, with the right mask
            "import torch\nimport torch.nn.functional as F\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
            "    mask = torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q)\n"
            "    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)\n",
            # the same through the aten operator
            "import torch\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
            "    mask = torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q)\n"
            "    return torch.ops.aten.scaled_dot_product_attention(q, k, v, attn_mask=mask)\n",
            "import torch\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    return torch.ops.aten.scaled_dot_product_attention(q, k, v, is_causal=True)\n",
            # the course function captured in a closure, and as a keyword-only default argument
            "from course_utils.core.attention import attention\n\n\n"
            "def _make():\n    f = attention\n\n"
            "    def causal_attention(q, k, v):\n        return f(q, k, v, causal=True)[0]\n\n"
            "    return causal_attention\n\n\ncausal_attention = _make()\n",
            "from course_utils.core.attention import attention\n\n\n"
            "def causal_attention(q, k, v, *, _attention=attention):\n    return _attention(q, k, v, causal=True)[0]\n",
            # the mask and scale written, the course's softmax borrowed
            "import math\nimport torch\nfrom course_utils.core.attention import stable_softmax\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    n_q, n_k = q.shape[-2], k.shape[-2]\n"
            "    s = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]))"
            '.masked_fill(~torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q), float("-inf"))\n'
            "    return stable_softmax(s) @ v\n",
            # the course's scores (their causal mask aligns queries to the last key), softmax written
            "import torch\nfrom course_utils.core.attention import attention_scores\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    return torch.softmax(attention_scores(q, k, causal=True), -1) @ v\n",
            # other course functions: log-sum-exp attention placed at the right offset, segments, dilated
            "from course_utils.core.lse_attention import attention_with_lse\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    return attention_with_lse(q, k, v, q_start=k.shape[-2] - q.shape[-2])[0]\n",
            "from course_utils.core.lse_attention import attention_with_lse\n\n\n"
            "def causal_attention(q, k, v):\n    return attention_with_lse(q, k, v, q_start=0)[0]\n",
            "from course_utils.core.lse_attention import segment_attention\n\n\n"
            "def causal_attention(q, k, v):\n    return segment_attention(q, k, v, causal=True)[0]\n",
            "from course_utils.core.dilated import dilated_attention\n\n\n"
            "def causal_attention(q, k, v):\n"
            "    return dilated_attention(q, k, v, [q.shape[-2]], [1], causal=True)\n",
            # PyTorch's fused attention captured as a keyword-only default argument
            "import torch.nn.functional as F\n\n\n"
            "def causal_attention(q, k, v, *, _f=F.scaled_dot_product_attention):\n"
            "    return _f(q, k, v, is_causal=True)\n",
            # chapter 06's blockwise attention
            "from course_utils.chapters.flash import online_softmax_attention\n\n\n"
            "def causal_attention(q, k, v):\n    return online_softmax_attention(q, k, v, causal=True)\n",
        ],
    },
}
