"""Right and wrong answers of chapter 01's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import math
import torch


def causal_attention(q, k, v):
    n = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~torch.ones(n, n, dtype=torch.bool).tril(), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q2": {
        "right": "q2_variance = 384",
        "wrong": [
            "q2_variance = 64",  # section 4's unit-variance answer, d
            "q2_variance = 320",  # the variances added: (2 + 3) x d
            "q2_variance = 6",  # the scaled score's variance, or one product's
            "q2_variance = 2304",  # 2 and 3 taken as standard deviations: 4 x 9 x d
            "q2_variance = 48",  # (2 x 3) x sqrt(d)
        ],
    },
    "q3": {
        "right": _REFERENCE,
        "wrong": [
            _variant(" / math.sqrt(q.shape[-1])", ""),  # no 1/sqrt(d)
            _variant("math.sqrt(q.shape[-1])", "q.shape[-1]"),  # 1/d instead of 1/sqrt(d)
            _variant(".tril()", ".tril(-1)"),  # off by one: a query may not see itself (the first row is nan)
            _variant(".tril()", ".triu()"),  # the future instead of the past
            _variant("~torch.ones", "torch.ones"),  # the mask inverted
            _variant("torch.softmax(scores, dim=-1)", "torch.softmax(scores, dim=-2)"),  # normalised over queries
            _variant("    scores = scores.masked_fill", "    _unused = scores.masked_fill"),  # no mask at all
        ],
        "cheats": [
            "from course_utils.core.attention import attention\n\n\n"
            "def causal_attention(q, k, v):\n    return attention(q, k, v, causal=True)[0]\n"
        ],
    },
    "q4": {
        "right": "q4_distance = 2",
        "wrong": [
            "q4_distance = 6",  # the layer-2 offset itself
            "q4_distance = 1",  # the length-12 copier's split, 1 + 11
            "q4_distance = 8",  # m
            "q4_distance = 14",  # the offsets added instead of splitting m
            "q4_distance = 11",  # the length-12 copier's layer-2 offset
        ],
    },
}
