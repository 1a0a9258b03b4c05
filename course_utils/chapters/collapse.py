"""Collapse: token representations that become one (rank collapse) and heads that become one.

Dong, Cordonnier and Loukas ("Attention is not all you need: pure attention loses rank doubly
exponentially with depth", 2021) measure how far the tokens' representations H: (n, d) are from
all being the same row, with the residual `||H - 1·mean(H)|| / ||H||` (Frobenius norms; the
mean over tokens is the best single row). Clark et al. ("What Does BERT Look At?", 2019) compare
heads by the Jensen–Shannon divergence between their attention distributions
(`course_utils.core.metrics.js_divergence`).

`SigmaReparamLinear` (Zhai et al., 2023), the chapter's fix, lives in `course_utils.core.sigma_reparam` next to
the model that uses it.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from course_utils.core.attention import MultiHeadAttention
from course_utils.core.device import model_device
from course_utils.core.evaluate import eval_mode
from course_utils.core.metrics import js_divergence
from course_utils.core.model import TinyGPT


def rank_residual(h: Tensor) -> Tensor:
    """`||H - 1·mean(H)||_F / ||H||_F` for each sequence: 0 when every token has the same vector.

    h: (..., n, d) -> (...).

    Example:
        >>> rank_residual(torch.ones(2, 5, 8))
        tensor([0., 0.])
    """
    if h.dim() < 2:
        raise ValueError(
            f"h must have shape (..., n, d), got {tuple(h.shape)}; pass one row per token: (n, d) or (batch, n, d)"
        )
    centred = h - h.mean(dim=-2, keepdim=True)
    return centred.norm(dim=(-2, -1)) / h.norm(dim=(-2, -1)).clamp_min(torch.finfo(h.dtype).tiny)


def head_divergence(weights: Tensor) -> Tensor:
    """Mean JS divergence between every pair of heads' attention rows: (heads, heads), in bits.

    weights: (batch, heads, n, n) or (heads, n, n); each query row is compared with the same
    query's row in the other head, then averaged over queries and batch. Query 0 is left out
    under a causal mask (every head must put all its weight on key 0 there).

    Example:
        For layer 0 of the weights `attn` of `TinyGPT(..., need_weights=True)`:

        >>> head_divergence(attn[0])  # doctest: +SKIP
    """
    if weights.dim() == 3:
        weights = weights[None]
    if weights.dim() != 4:
        raise ValueError(
            f"weights must be (batch, heads, n, n) or (heads, n, n), got {tuple(weights.shape)}; pass one "
            "layer's weights, e.g. attn[0] of TinyGPT's (layers, batch, heads, n, n)"
        )
    rows = weights[:, :, 1:]  # (B, H, n - 1, n)
    js = js_divergence(rows[:, :, None], rows[:, None, :])  # (B, H, H, n - 1)
    return js.mean(dim=(0, 3))


RANK_VARIANTS = ("attention only", "+ MLP", "+ skip", "full block")


@torch.no_grad()
@torch.random.fork_rng(devices=[])  # seeds its own copy: the caller's random state stays as it was
def random_stack_residuals(
    variant: str,
    *,
    seed: int,
    depth: int = 12,
    d: int = 64,
    n: int = 32,
    heads: int = 4,
    batch: int = 8,
    qk_gain: float = 8.0,
) -> list[float]:
    """Mean rank residual of `batch` random sequences after each of `depth` freshly initialised layers.

    variant: "attention only" (H <- SA(H)), "+ MLP" (H <- MLP(SA(H))), "+ skip" (H <- H + SA(H)) or
    "full block" (pre-norm H <- H + SA(LN(H)); H <- H + MLP(LN(H))). Attention is full (not causal),
    in float64; the query and key weights are multiplied by `qk_gain` so attention is peaked.
    Returns depth + 1 residuals, the input's first.

    Example:
        >>> residuals = random_stack_residuals("full block", seed=0, depth=4)
        >>> len(residuals), round(residuals[0], 2)  # the input's residual first, then one per layer
        (5, 0.98)
    """
    if variant not in RANK_VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {RANK_VARIANTS}")
    torch.manual_seed(seed)
    h = torch.randn(batch, n, d, dtype=torch.float64)
    residuals = [rank_residual(h).mean().item()]
    for _ in range(depth):
        attn = MultiHeadAttention(d, heads).double()
        mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d)).double()
        norm1, norm2 = nn.LayerNorm(d).double(), nn.LayerNorm(d).double()
        attn.qkv.weight[: 2 * d] *= qk_gain  # the query and key rows of the projection

        def self_attention(x: Tensor) -> Tensor:
            return attn(x, causal=False)[0]

        if variant == "attention only":
            h = self_attention(h)
        elif variant == "+ MLP":
            h = mlp(self_attention(h))
        elif variant == "+ skip":
            h = h + self_attention(h)
        else:
            h = h + self_attention(norm1(h))
            h = h + mlp(norm2(h))
        residuals.append(rank_residual(h).mean().item())
    return residuals


def last_token_shift(model: TinyGPT, tokens: Tensor, *, position: int = 1, offset: int = 7) -> Tensor:
    """How far one early token moves the last position's final representation (over-squashing).

    The token at `position` is replaced by token id `(id + offset) % vocab_size`; the result is
    `||h - h'|| / ||h||` per sequence, h and h' the last position's output of the model's final
    LayerNorm (`model.norm`). tokens: (batch, n) -> (batch,), on the device of tokens.

    Example:
        For a trained `model`:

        >>> last_token_shift(model, batch.tokens).mean()  # doctest: +SKIP
    """
    if tokens.dim() != 2 or not 0 <= position < tokens.shape[1] - 1:
        raise ValueError(
            f"tokens must be (batch, n) with 0 <= position < n - 1; got {tuple(tokens.shape)}, position {position}. "
            "Pick a position before the last token, whose output is compared"
        )
    changed = tokens.clone()
    changed[:, position] = (changed[:, position] + offset) % model.config.vocab_size
    device = model_device(model, tokens.device)
    seen: list[Tensor] = []
    handle = model.norm.register_forward_hook(lambda _module, _inputs, out: seen.append(out[:, -1]))
    try:
        with eval_mode(model):  # both forwards see the same weights (σReparam updates them in training mode)
            model(tokens.to(device))
            model(changed.to(device))
    finally:
        handle.remove()
    return ((seen[0] - seen[1]).norm(dim=-1) / seen[0].norm(dim=-1)).to(tokens.device)
