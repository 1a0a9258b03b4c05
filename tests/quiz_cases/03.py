"""Right and wrong answers of chapter 03's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import torch


def rope_rotate(x, positions, base=10000.0):
    half = x.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / x.shape[-1])
    angle = positions.double()[:, None] * theta[None, :]
    cos, sin = angle.cos().to(x.dtype), angle.sin().to(x.dtype)
    first, second = x[..., :half], x[..., half:]
    return torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)
"""

_INTERLEAVED = """\
import torch


def rope_rotate(x, positions, base=10000.0):
    half = x.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / x.shape[-1])
    angle = positions.double()[:, None] * theta[None, :]
    cos, sin = angle.cos().to(x.dtype), angle.sin().to(x.dtype)
    first, second = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = first * cos - second * sin
    out[..., 1::2] = first * sin + second * cos
    return out
"""


_HF_LLAMA = """\
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb


def rope_rotate(x, positions, base=10000.0):
    n, d = x.shape
    config = LlamaConfig(hidden_size=d, num_attention_heads=1, rope_theta=base, max_position_embeddings=4096)
    cos, sin = LlamaRotaryEmbedding(config=config)(x[None], positions[None])
    return apply_rotary_pos_emb(x[None, None], x[None, None], cos, sin)[0][0, 0]
"""

_HF_HELPER = """\
import torch
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb


def rope_rotate(x, positions, base=10000.0):
    d = x.shape[-1]
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angle = positions.double()[:, None] * theta[None, :]
    angle = torch.cat([angle, angle], dim=-1)
    cos, sin = angle.cos().to(x.dtype)[None], angle.sin().to(x.dtype)[None]
    return apply_rotary_pos_emb(x[None, None], x[None, None], cos, sin)[0][0, 0]
"""


def _variant(old: str, new: str) -> str:
    assert old in _REFERENCE
    return _REFERENCE.replace(old, new)


CASES = {
    "q4": {
        "right": _REFERENCE,
        "wrong": [
            _INTERLEAVED,  # channel c paired with c + 1 (the other common layout)
            _variant(
                "first * cos - second * sin, first * sin + second * cos",
                "first * cos + second * sin, -first * sin + second * cos",
            ),  # rotated the wrong way
            _variant("* 2 / x.shape[-1]", "/ x.shape[-1]"),  # base^(-c/d) instead of base^(-2c/d)
            _variant("positions.double()[:, None]", "(positions.double()[:, None] + 1)"),  # positions off by one
            _variant(
                "angle = positions.double()[:, None] * theta[None, :]",
                "angle = positions.double()[:, None] / theta[None, :]",
            ),
            "import torch\n\n\ndef rope_rotate(x, positions, base=10000.0):\n    return x.clone()\n",  # no rotation
        ],
        "cheats": [
            "from course_utils.core.positional import RoPE\n\n\n"
            "def rope_rotate(x, positions, base=10000.0):\n"
            "    rotated, _ = RoPE(x.shape[-1], base=base).rotate(x[None, None], x[None, None], positions, positions)\n"
            "    return rotated[0, 0]\n",
            # the subclass with every frequency kept
            "from course_utils.core.positional import PartialRoPE\n\n\n"
            "def rope_rotate(x, positions, base=10000.0):\n"
            "    rope = PartialRoPE(x.shape[-1], base, p=1.0)\n"
            "    return rope.rotate(x[None, None], x[None, None], positions, positions)[0][0, 0]\n",
            # a subclass of the student's own
            "from course_utils.core.positional import RoPE\n\n\n"
            "class _Mine(RoPE):\n    pass\n\n\n"
            "def rope_rotate(x, positions, base=10000.0):\n"
            "    return _Mine(x.shape[-1], base)._rotate_one(x, positions)\n",
            # the course class captured as a keyword-only default argument, and in a closure
            "from course_utils.core.positional import RoPE\n\n\n"
            "def rope_rotate(x, positions, base=10000.0, *, _rope=RoPE):\n"
            "    return _rope(x.shape[-1], base)._rotate_one(x, positions)\n",
            "from course_utils.core import positional\n\n\n"
            "def _make():\n    rope_class = positional.RoPE\n\n"
            "    def rope_rotate(x, positions, base=10000.0):\n"
            "        return rope_class(x.shape[-1], base)._rotate_one(x, positions)\n\n"
            "    return rope_rotate\n\n\nrope_rotate = _make()\n",
            # Hugging Face's Llama rotary embedding and its rotate-half helper
            _HF_LLAMA,
            # hand-made angles, rotated by Hugging Face's helper
            _HF_HELPER,
        ],
    },
    "q5": {
        "right": "q5_share = 0.08734467579868982",
        "wrong": [
            "q5_share = 0.093",  # keys 38 or more back, or the query's own key left out of the sum
            "q5_share = 0.761",  # 124 / 163: the penalty ignored, the share by count
            "q5_share = 0.913",  # the near keys' share instead of the far keys'
            "q5_share = 0.505",  # the slope-1/64 head
            "q5_share = 0.0",  # the slope-1/4 head, or "ALiBi silences them completely"
            "q5_share = 0.088",  # rounded up
            "q5_share = 0.005",  # the weight of the one key 39 back, not of the whole tail
        ],
    },
}
