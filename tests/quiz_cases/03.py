"""Right and wrong answers of chapter 03's questions that are not multiple choice (tests/test_quiz_questions.py)."""

_REFERENCE = """\
import torch


def rope_scores(q, k, positions, base=10000.0):
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


def rope_scores(q, k, positions, base=10000.0):
    half = q.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / q.shape[-1])
    angle = positions.double()[:, None] * theta[None, :]
    cos, sin = angle.cos(), angle.sin()

    def turn(x):
        first, second = x[..., 0::2].double(), x[..., 1::2].double()
        out = torch.empty(x.shape, dtype=torch.float64)
        out[..., 0::2] = first * cos - second * sin
        out[..., 1::2] = first * sin + second * cos
        return out

    return turn(q) @ turn(k).T
"""

_HF_LLAMA = """\
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb


def rope_scores(q, k, positions, base=10000.0):
    n, d = q.shape
    config = LlamaConfig(hidden_size=d, num_attention_heads=1, rope_theta=base, max_position_embeddings=4096)
    cos, sin = LlamaRotaryEmbedding(config=config)(q[None], positions[None])
    q_rot, k_rot = apply_rotary_pos_emb(q[None, None], k[None, None], cos, sin)
    return q_rot[0, 0] @ k_rot[0, 0].T
"""

_HF_HELPER = """\
import torch
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb


def rope_scores(q, k, positions, base=10000.0):
    d = q.shape[-1]
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angle = positions.double()[:, None] * theta[None, :]
    angle = torch.cat([angle, angle], dim=-1)
    cos, sin = angle.cos().to(q.dtype)[None], angle.sin().to(q.dtype)[None]
    q_rot, k_rot = apply_rotary_pos_emb(q[None, None], k[None, None], cos, sin)
    return q_rot[0, 0] @ k_rot[0, 0].T
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
            ),  # turned clockwise: the scores of R(i - j) instead of R(j - i)
            _variant("* 2 / q.shape[-1]", "/ q.shape[-1]"),  # base^(-c/d) instead of base^(-2c/d)
            _variant("return turn(q) @ turn(k).T", "return q.double() @ turn(k).T"),  # only the keys turned
            _variant("return turn(q) @ turn(k).T", "return turn(q) @ k.double().T"),  # only the queries turned
            _variant("return turn(q) @ turn(k).T", "return turn(k) @ turn(q).T"),  # [key, query], transposed
            _variant("return turn(q) @ turn(k).T", "return turn(q) @ turn(k).T / q.shape[-1] ** 0.5"),  # scaled
            _variant(
                "angle = positions.double()[:, None] * theta[None, :]",
                "angle = positions.double()[:, None] / theta[None, :]",
            ),
            _variant(
                "angle = positions.double()[:, None] * theta[None, :]",
                "angle = torch.arange(len(positions)).double()[:, None] * theta[None, :]",
            ),  # the token's index instead of its position
            "import torch\n\n\ndef rope_scores(q, k, positions, base=10000.0):\n    return q.double() @ k.double().T\n",
        ],
        "cheats": [
            "from course_utils.core.positional import RoPE\n\n\n"
            "def rope_scores(q, k, positions, base=10000.0):\n"
            "    rope = RoPE(q.shape[-1], base=base)\n"
            "    q_rot, k_rot = rope.rotate(q[None, None], k[None, None], positions, positions)\n"
            "    return q_rot[0, 0] @ k_rot[0, 0].T\n",
            # the subclass with every frequency kept
            "from course_utils.core.positional import PartialRoPE\n\n\n"
            "def rope_scores(q, k, positions, base=10000.0):\n"
            "    rope = PartialRoPE(q.shape[-1], base, p=1.0)\n"
            "    q_rot, k_rot = rope.rotate(q[None, None], k[None, None], positions, positions)\n"
            "    return q_rot[0, 0] @ k_rot[0, 0].T\n",
            # a subclass of the student's own
            "from course_utils.core.positional import RoPE\n\n\n"
            "class _Mine(RoPE):\n    pass\n\n\n"
            "def rope_scores(q, k, positions, base=10000.0):\n"
            "    rope = _Mine(q.shape[-1], base)\n"
            "    return rope._rotate_one(q, positions) @ rope._rotate_one(k, positions).T\n",
            # the course class captured as a keyword-only default argument, and in a closure
            "from course_utils.core.positional import RoPE\n\n\n"
            "def rope_scores(q, k, positions, base=10000.0, *, _rope=RoPE):\n"
            "    rope = _rope(q.shape[-1], base)\n"
            "    return rope._rotate_one(q, positions) @ rope._rotate_one(k, positions).T\n",
            "from course_utils.core import positional\n\n\n"
            "def _make():\n    rope_class = positional.RoPE\n\n"
            "    def rope_scores(q, k, positions, base=10000.0):\n"
            "        rope = rope_class(q.shape[-1], base)\n"
            "        return rope._rotate_one(q, positions) @ rope._rotate_one(k, positions).T\n\n"
            "    return rope_scores\n\n\nrope_scores = _make()\n",
            # Hugging Face's Llama rotary embedding and its rotate-half helper
            _HF_LLAMA,
            # hand-made angles, rotated by Hugging Face's helper
            _HF_HELPER,
        ],
    },
    "q5": {
        # one key more or fewer (distances 0 to 163 or 0 to 161) gives 62.6 or 62.9: 63 too, so they pass
        "right": "q5_inverse_slope = 62.77515812044884",
        "wrong": [
            "q5_inverse_slope = 56.3",  # r^39 = 1/2: the series treated as endless
            "q5_inverse_slope = 64",  # the nearest head of section 3's models
            "q5_inverse_slope = 60.5",  # keys 38 or more back
            "q5_inverse_slope = 60.7",  # the query's own key left out of the sum
            "q5_inverse_slope = 62",  # 62.8 cut off instead of rounded
            "q5_inverse_slope = 0.0159",  # m instead of 1/m
            "q5_inverse_slope = 16",  # the head of the earlier version of this question
        ],
    },
}
