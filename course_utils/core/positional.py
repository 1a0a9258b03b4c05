"""Positional schemes: how a transformer learns where a token sits.

Each scheme acts at one of three places, and does nothing at the other two:

- `embed`: absolute schemes (sinusoidal, learned) add a vector to each token embedding;
- `rotate`: RoPE rotates every query and key by an angle proportional to its position;
- `bias`: ALiBi adds `-slope * distance` to the attention scores of each head.

Positions are explicit tensors, `q_pos: (n_q,)` and `k_pos: (n_k,)` (integers, or scaled floats for
position interpolation; the learned table takes integers only), so later chapters can re-index a
cache (streaming) or evaluate past the training length.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn


class PositionalScheme(nn.Module):
    """Base class: a scheme that leaves embeddings, queries, keys and scores unchanged (NoPE).

    `adds_bias` declares whether `bias` returns a tensor (True) or always None (False), so attention
    code that cannot add a score bias (e.g. the dilated kernel) can refuse the scheme up front.
    """

    adds_bias: bool = False

    def embed(self, x: Tensor, positions: Tensor) -> Tensor:
        """x: (batch, n, d_model), positions: (n,) -> (batch, n, d_model)."""
        return x

    def rotate(self, q: Tensor, k: Tensor, q_pos: Tensor, k_pos: Tensor) -> tuple[Tensor, Tensor]:
        """q: (batch, heads, n_q, d), k: (batch, heads, n_k, d) -> the same shapes."""
        return q, k

    def bias(self, q_pos: Tensor, k_pos: Tensor) -> Tensor | None:
        """Additive score bias (heads, n_q, n_k), or None."""
        return None


class NoPositions(PositionalScheme):
    """NoPE: no positional signal; under a causal mask the mask alone carries order.

    Example:
        >>> x = torch.zeros(1, 4, 8)
        >>> NoPositions().embed(x, torch.arange(4)) is x
        True
    """


class Sinusoidal(PositionalScheme):
    """Fixed sin/cos embeddings of "Attention Is All You Need" (Vaswani et al., 2017).

    Example:
        >>> Sinusoidal(64).table(torch.arange(10)).shape
        torch.Size([10, 64])
    """

    def __init__(self, d_model: int) -> None:
        super().__init__()
        if d_model % 2:
            raise ValueError(f"sinusoidal positions need an even d_model, got {d_model}; choose an even one")
        self.d_model = d_model

    def table(self, positions: Tensor) -> Tensor:
        """positions: (n,) -> (n, d_model); column 2i is sin(p / 10000^(2i/d)), 2i+1 its cos."""
        freqs = torch.exp(-math.log(10000.0) * torch.arange(0, self.d_model, 2, device=positions.device) / self.d_model)
        angles = positions.float()[:, None] * freqs[None, :]  # (n, d_model/2)
        return torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(-2)  # (n, d_model)

    def embed(self, x: Tensor, positions: Tensor) -> Tensor:
        return x + self.table(positions).to(x.dtype)


class LearnedAbsolute(PositionalScheme):
    """A learned vector per position (GPT-2); it has nothing to offer past `max_len`.

    Example:
        >>> LearnedAbsolute(64, max_len=128).embed(torch.zeros(1, 4, 64), torch.arange(4)).shape
        torch.Size([1, 4, 64])
    """

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__()
        self.max_len = max_len
        self.table = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.table.weight, std=0.02)

    def embed(self, x: Tensor, positions: Tensor) -> Tensor:
        if positions.is_floating_point():
            raise ValueError(
                "learned positions are table rows and need integer positions; "
                "position interpolation applies to RoPE and ALiBi only: pass integer positions or use one of those"
            )
        if int(positions.max()) >= self.max_len:
            raise ValueError(
                f"position {int(positions.max())} is past the learned table ({self.max_len} rows): "
                "learned absolute positions cannot extrapolate; use a shorter input or another scheme"
            )
        return x + self.table(positions)


class RoPE(PositionalScheme):
    """Rotary embeddings (Su et al., "RoFormer", 2021): q·k then depends on i - j only.

    Pairs of channels (c, c + d/2) rotate by angle `pos * base^(-2c/d)` (the "rotate half"
    layout of GPT-NeoX and Llama). A larger `base` means slower rotation.

    Example:
        >>> q = k = torch.ones(1, 1, 5, 16)  # (batch, heads, n, head_dim)
        >>> q, k = RoPE(16).rotate(q, k, torch.arange(5), torch.arange(5))
        >>> scores = q[0, 0] @ k[0, 0].T
        >>> torch.allclose(scores.diagonal(-1), scores[1, 0])  # every distance-1 score is the same
        True
    """

    def __init__(self, head_dim: int, base: float = 10000.0) -> None:
        super().__init__()
        if head_dim % 2:
            raise ValueError(
                f"RoPE needs an even head dimension, got {head_dim}; choose d_model, heads with d_model // heads even"
            )
        if base <= 1:
            raise ValueError(f"RoPE base must be > 1, got {base}; use the usual base, 10000.0")
        self.head_dim = head_dim
        self.base = base

    def angles(self, positions: Tensor) -> Tensor:
        """positions: (n,) -> angles (n, head_dim/2)."""
        steps = torch.arange(0, self.head_dim, 2, dtype=torch.float64, device=positions.device)
        inv_freq = self.base ** (-steps / self.head_dim)
        return positions.double()[:, None] * inv_freq[None, :]

    def _rotate_one(self, x: Tensor, positions: Tensor) -> Tensor:
        angles = self.angles(positions)  # (n, d/2)
        cos = angles.cos().to(x.dtype).repeat(1, 2)  # (n, d)
        sin = angles.sin().to(x.dtype).repeat(1, 2)
        half = x.shape[-1] // 2
        rotated_half = torch.cat([-x[..., half:], x[..., :half]], dim=-1)  # (..., n, d)
        return x * cos + rotated_half * sin

    def rotate(self, q: Tensor, k: Tensor, q_pos: Tensor, k_pos: Tensor) -> tuple[Tensor, Tensor]:
        return self._rotate_one(q, q_pos), self._rotate_one(k, k_pos)


class PartialRoPE(RoPE):
    """p-RoPE: RoPE on the highest fraction `p` of its frequencies only.

    Barbero et al., "Round and Round We Go! What makes Rotary Positional Encodings useful?", 2024. The
    slowest channels do not rotate, so they carry content free of position at any distance.

    Example:
        The slowest quarter of the 8 frequencies does not rotate:

        >>> PartialRoPE(16, p=0.75).angles(torch.arange(3))[:, -2:]
        tensor([[0., 0.],
                [0., 0.],
                [0., 0.]], dtype=torch.float64)
    """

    def __init__(self, head_dim: int, base: float = 10000.0, p: float = 0.75) -> None:
        super().__init__(head_dim, base)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p is the fraction of frequencies kept, in [0, 1]; got {p}: use the default, 0.75")
        self.p = p

    def angles(self, positions: Tensor) -> Tensor:
        angles = super().angles(positions)  # (n, d/2), fastest frequency first
        kept = round(self.p * angles.shape[1])
        return torch.cat([angles[:, :kept], torch.zeros_like(angles[:, kept:])], dim=1)


class ALiBi(PositionalScheme):
    """Linear biases (Press et al., "Train Short, Test Long", 2022): score -= slope_h * |i - j|.

    Head h (1-based) of H gets slope 2^(-8h/H): some heads look far, some only nearby.

    Example:
        >>> ALiBi(4).bias(torch.arange(3), torch.arange(3)).shape
        torch.Size([4, 3, 3])
    """

    adds_bias = True
    slopes: Tensor  # a buffer, (heads,)

    def __init__(self, heads: int) -> None:
        super().__init__()
        self.register_buffer("slopes", 2.0 ** (-8.0 * torch.arange(1, heads + 1) / heads), persistent=False)

    def bias(self, q_pos: Tensor, k_pos: Tensor) -> Tensor:
        distance = (q_pos[:, None] - k_pos[None, :]).abs().to(self.slopes.dtype)  # (n_q, n_k), in the model's dtype
        return -self.slopes[:, None, None] * distance  # (heads, n_q, n_k)


#: Each scheme by its `GPTConfig.positional` name. A builder takes `make_positional`'s keyword arguments and
#: passes on those its scheme uses (`**_` takes the rest).
POSITIONAL_SCHEMES: dict[str, Callable[..., PositionalScheme]] = {
    "none": lambda **_: NoPositions(),
    "sinusoidal": lambda *, d_model, **_: Sinusoidal(d_model),
    "learned": lambda *, d_model, max_len, **_: LearnedAbsolute(d_model, max_len),
    "rope": lambda *, d_model, heads, rope_base, **_: RoPE(d_model // heads, base=rope_base),
    "p_rope": lambda *, d_model, heads, rope_base, p_rope_fraction, **_: PartialRoPE(
        d_model // heads, base=rope_base, p=p_rope_fraction
    ),
    "alibi": lambda *, heads, **_: ALiBi(heads),
}

#: The schemes that bias the scores (`adds_bias`): a config that cannot take a bias (dilated attention)
#: refuses them by name, before any module is built.
BIASED_SCHEMES: tuple[str, ...] = ("alibi",)


def make_positional(
    name: str, *, d_model: int, heads: int, max_len: int, rope_base: float = 10000.0, p_rope_fraction: float = 0.75
) -> PositionalScheme:
    """Build a scheme by name: one of `POSITIONAL_SCHEMES`.

    Each scheme takes only the arguments it uses: `d_model` (sinusoidal, learned), `heads` (ALiBi's
    slopes; RoPE's head dimension is d_model // heads), `max_len` (learned), `rope_base` (RoPE, p-RoPE)
    and `p_rope_fraction` (p-RoPE's p).

    Example:
        >>> make_positional("rope", d_model=64, heads=4, max_len=128)
        RoPE()
    """
    if d_model % heads:
        raise ValueError(f"d_model={d_model} must be divisible by heads={heads}; choose heads among its divisors")
    if name not in POSITIONAL_SCHEMES:
        raise ValueError(f"unknown positional scheme {name!r}; choose one of {tuple(POSITIONAL_SCHEMES)}")
    return POSITIONAL_SCHEMES[name](
        d_model=d_model, heads=heads, max_len=max_len, rope_base=rope_base, p_rope_fraction=p_rope_fraction
    )
