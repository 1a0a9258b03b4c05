"""Right and wrong answers of chapter 03's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import torch


def clipped_rope_scores(q, k, positions, base=10000.0, window=16):
    half = q.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / q.shape[-1])
    offset = (positions[None, :] - positions[:, None]).clamp(-window, window).double()
    angle = offset[..., None] * theta
    cos, sin = angle.cos(), angle.sin()
    first, second = k[:, :half].double()[None], k[:, half:].double()[None]
    turned = torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)
    return torch.einsum("ad,abd->ab", q.double(), turned)
"""

# RoPE as in the course, each token turned by its own position: right only when no offset passes the window
_PER_TOKEN = """\
import torch


def clipped_rope_scores(q, k, positions, base=10000.0, window=16):
    half = q.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / q.shape[-1])
    angle = positions.double()[:, None] * theta[None, :]
    cos, sin = angle.cos(), angle.sin()

    def turn(x):
        first, second = x[..., :half].double(), x[..., half:].double()
        return torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)

    return turn(q) @ turn(k).T
"""

_INTERLEAVED = """\
import torch


def clipped_rope_scores(q, k, positions, base=10000.0, window=16):
    half = q.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / q.shape[-1])
    offset = (positions[None, :] - positions[:, None]).clamp(-window, window).double()
    angle = offset[..., None] * theta
    cos, sin = angle.cos(), angle.sin()
    first, second = k[:, 0::2].double()[None], k[:, 1::2].double()[None]
    turned = torch.empty(len(q), len(k), k.shape[-1], dtype=torch.float64)
    turned[..., 0::2] = first * cos - second * sin
    turned[..., 1::2] = first * sin + second * cos
    return torch.einsum("ad,abd->ab", q.double(), turned)
"""

_HF_HELPER = """\
import torch
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb


def clipped_rope_scores(q, k, positions, base=10000.0, window=16):
    d = q.shape[-1]
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    offset = (positions[None, :] - positions[:, None]).clamp(-window, window).double()
    rows = []
    for a in range(len(q)):
        angle = offset[a][:, None] * theta[None, :]
        angle = torch.cat([angle, angle], dim=-1)
        cos, sin = angle.cos().to(k.dtype)[None], angle.sin().to(k.dtype)[None]
        _, k_rot = apply_rotary_pos_emb(k[None, None], k[None, None], cos, sin)
        rows.append(k_rot[0, 0] @ q[a])
    return torch.stack(rows)
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


_COURSE_ROW = (
    "import torch\nfrom course_utils.core.positional import RoPE\n\n\n"
    "def clipped_rope_scores(q, k, positions, base=10000.0, window=16):\n"
    "    rope = RoPE(q.shape[-1], base=base)\n"
    "    offset = (positions[None, :] - positions[:, None]).clamp(-window, window)\n"
    "    return torch.stack([rope._rotate_one(k, offset[a]) @ q[a] for a in range(len(q))])\n"
)

CASES = {
    "q11": {
        "right": _REFERENCE,
        "wrong": [
            _PER_TOKEN,  # plain RoPE, no clipping: the course's per-token rotation
            _variant(".clamp(-window, window)", ".clamp(max=window)"),  # only keys after the query clipped
            _variant(".clamp(-window, window)", ".clamp(min=-window)"),  # only keys before the query clipped
            _variant(".clamp(-window, window)", ".clamp(-window + 1, window - 1)"),  # clipped one step early
            _variant(
                "(positions[None, :] - positions[:, None]).clamp(-window, window)",
                "(positions.clamp(max=window)[None, :] - positions.clamp(max=window)[:, None])",
            ),  # the positions clipped instead of the offset
            _variant(
                "(positions[None, :] - positions[:, None]).clamp(-window, window)",
                "(positions[None, :] - positions[:, None]).abs().clamp(max=window)",
            ),  # the distance's sign dropped
            _variant(
                "(positions[None, :] - positions[:, None])", "(positions[:, None] - positions[None, :])"
            ),  # R(i - j): turned the other way
            _INTERLEAVED,  # channel c paired with c + 1 (the other common layout)
            _variant("* 2 / q.shape[-1]", "/ q.shape[-1]"),  # base^(-c/d) instead of base^(-2c/d)
            _variant(
                'return torch.einsum("ad,abd->ab", q.double(), turned)',
                'return torch.einsum("ad,abd->ab", q.double(), turned).T',
            ),  # [key, query], transposed
            _variant(
                'return torch.einsum("ad,abd->ab", q.double(), turned)',
                'return torch.einsum("ad,abd->ab", q.double(), turned) / q.shape[-1] ** 0.5',
            ),  # scaled
            _variant(
                "(positions[None, :] - positions[:, None])",
                "(torch.arange(len(positions))[None, :] - torch.arange(len(positions))[:, None])",
            ),  # the tokens' indices instead of their positions
            "import torch\n\n\ndef clipped_rope_scores(q, k, positions, base=10000.0, window=16):\n"
            "    return q.double() @ k.double().T\n",
        ],
        "cheats": [
            # the course's RoPE, one query row at a time, each key turned by its clipped offset
            _COURSE_ROW,
            # the same through a subclass of the student's own, and through a default argument
            _COURSE_ROW.replace("    rope = RoPE(", "    rope = _Mine(").replace(
                "\n\n\ndef clipped", "\n\n\nclass _Mine(RoPE):\n    pass\n\n\ndef clipped"
            ),
            _COURSE_ROW.replace("window=16):\n    rope = RoPE(", "window=16, *, _rope=RoPE):\n    rope = _rope("),
            # the subclass with every frequency kept
            _COURSE_ROW.replace("import RoPE", "import PartialRoPE").replace(
                "RoPE(q.shape[-1], base=base)", "PartialRoPE(q.shape[-1], base, p=1.0)"
            ),
            # hand-made angles, rotated by Hugging Face's helper
            _HF_HELPER,
        ],
    },
    "q12": {
        # one key more or fewer (distances 0 to 163 or 0 to 161) gives 62.6 or 62.9: 63 too, so they pass;
        # keys 38 or more back (60.5) or the query's own key left out (60.7) round to 61, another
        # counting convention than the one the prompt states, so the check rejects them
        "right": "q12_inverse_slope = 62.77515812044884",
        "wrong": [
            "q12_inverse_slope = 56.3",  # r^39 = 1/2: the series treated as endless
            "q12_inverse_slope = 64",  # the nearest head of section 3's models
            "q12_inverse_slope = 62",  # 62.8 cut off instead of rounded
            "q12_inverse_slope = 0.0159",  # m instead of 1/m
            "q12_inverse_slope = 16",  # the head of the earlier version of this question
            "q12_inverse_slope = 54.3",  # section 2's 35-token training length: keys more than 34 back
            "q12_inverse_slope = 65.1",  # keys more than 39 back: the 39 tokens taken as a distance
            "q12_inverse_slope = 60.6",  # keys 38 or more back, or the query's own key left out
        ],
    },
}
