"""Scaled dot-product attention from scratch, and multi-head attention built on it.

    scores  = q kᵀ / √d            (..., n_q, n_k)
    weights = softmax(scores)      rows sum to 1 over the visible keys
    out     = weights v            (..., n_q, d_v)

`MultiHeadAttention` adds the projections, the heads, a positional scheme and a logit transform. The
model's attention (`course_utils.core.model_attention.ModelAttention`) builds on it with a sink fix,
dilated patterns and a last-query-only mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_utils.core.logits import IdentityLogits, LogitTransform
from course_utils.core.positional import NoPositions, PositionalScheme


def stable_softmax(scores: Tensor, dim: int = -1) -> Tensor:
    """Softmax that subtracts the row maximum first, so exp never overflows.

    Rows whose entries are all -inf (every key masked) come out as zeros, not NaN.

    Example:
        >>> stable_softmax(torch.tensor([1000.0, 1000.0]))
        tensor([0.5000, 0.5000])
        >>> stable_softmax(torch.tensor([float("-inf"), float("-inf")]))
        tensor([0., 0.])
    """
    row_max = scores.amax(dim=dim, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    exp = torch.exp(scores - row_max)
    total = exp.sum(dim=dim, keepdim=True)
    return exp / total.clamp_min(torch.finfo(exp.dtype).tiny)


def causal_mask(n_q: int, n_k: int, *, device: torch.device | None = None) -> Tensor:
    """Boolean (n_q, n_k), True where query i may see key j.

    Queries are aligned to the *end* of the keys (as with a key-value cache): query i sits
    at position i + n_k - n_q and sees keys up to and including that position.

    Example:
        >>> causal_mask(3, 3).int()
        tensor([[1, 0, 0],
                [1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
        >>> causal_mask(2, 3).int()
        tensor([[1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
    """
    if n_q > n_k:
        raise ValueError(
            f"a causal mask needs n_q <= n_k (queries sit at the end of the keys), got n_q={n_q}, n_k={n_k}; "
            "pass at least as many keys as queries"
        )
    return torch.ones(n_q, n_k, dtype=torch.bool, device=device).tril(diagonal=n_k - n_q)


def attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    *,
    causal: bool = False,
    mask: Tensor | None = None,
    bias: Tensor | None = None,
    logit_transform: Callable[[Tensor], Tensor] | None = None,
) -> tuple[Tensor, Tensor]:
    """Scaled dot-product attention, softmax(q kᵀ / √d) v, that also returns its weights.

    Args:
        q, k, v: (..., n_q, d), (..., n_k, d), (..., n_k, d_v), with the same leading dimensions.
        causal: hide the keys after each query (queries aligned to the end of the keys, see `causal_mask`).
        mask: boolean (..., n_q, n_k), its leading dimensions broadcast; True = the query may see the key.
        bias: added to the scores, broadcastable to (..., n_q, n_k) (ALiBi).
        logit_transform: a function of the biased scores, applied before the mask (log-n scaling, ...).
    Returns:
        out (..., n_q, d_v) and weights (..., n_q, n_k); a query that sees no key gets zeros.

    Example:
        >>> q, k, v = torch.randn(2, 5, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 16)
        >>> out, weights = attention(q, k, v, causal=True)
        >>> out.shape, weights.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 5, 5]))
    """
    check_qkv(q, k, v, mask)
    scores = attention_scores(q, k, causal=causal, mask=mask, bias=bias, logit_transform=logit_transform)
    weights = stable_softmax(scores)  # (..., n_q, n_k)
    return weights @ v, weights


def attention_scores(
    q: Tensor,
    k: Tensor,
    *,
    causal: bool = False,
    mask: Tensor | None = None,
    bias: Tensor | None = None,
    logit_transform: Callable[[Tensor], Tensor] | None = None,
) -> Tensor:
    """The scores `attention` normalises: q kᵀ / √d, plus `bias`, transformed, -inf where a key is hidden.

    q: (..., n_q, d), k: (..., n_k, d) -> (..., n_q, n_k); the other arguments as in `attention`.

    Example:
        >>> attention_scores(torch.ones(2, 4), torch.ones(2, 4), causal=True)
        tensor([[2., -inf],
                [2., 2.]])
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., n_q, n_k)
    if bias is not None:
        scores = scores + bias.to(scores.dtype)
    if logit_transform is not None:
        scores = logit_transform(scores)
    keep = mask
    if causal:
        tri = causal_mask(q.shape[-2], k.shape[-2], device=q.device)
        keep = tri if keep is None else keep & tri
    if keep is not None:
        scores = scores.masked_fill(~keep, float("-inf"))
    return scores


def check_qkv(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None) -> None:
    """Raise ValueError unless q (..., n_q, d), k (..., n_k, d), v (..., n_k, d_v) are floating-point tensors of
    one dtype with the same leading dimensions, and `mask`, if given, is boolean (..., n_q, n_k), its leading
    dimensions broadcasting against q's.

    The check of every attention function's inputs (`attention`, `lse_attention.attention_with_lse`,
    `dilated.dilated_attention`, ...).

    Example:
        >>> check_qkv(torch.randn(2, 5, 8), torch.randn(2, 7, 8), torch.randn(2, 7, 3))
        >>> check_qkv(torch.randn(5, 8), torch.randn(7, 4), torch.randn(7, 3))
        Traceback (most recent call last):
        ...
        ValueError: q and k need the same last dimension d, got q (5, 8) and k (7, 4): give both the same width d
    """
    for name, x in (("q", q), ("k", k), ("v", v)):
        if x.dim() < 2:
            raise ValueError(
                f"{name} must have shape (..., n, d), got {tuple(x.shape)}; for one vector pass {name}[None]"
            )
        if not x.is_floating_point():
            raise ValueError(f"{name} must be a floating-point tensor, got {x.dtype}; cast it first (.float())")
    if not (q.dtype == k.dtype == v.dtype):
        raise ValueError(f"q, k, v must share a dtype, got {q.dtype}, {k.dtype}, {v.dtype}; cast them first")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k need the same last dimension d, got q {tuple(q.shape)} and k {tuple(k.shape)}: "
            "give both the same width d"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k and v need the same number of keys n_k, got k {tuple(k.shape)} and v {tuple(v.shape)}; "
            "give each key one value"
        )
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError(
            f"q, k, v need the same leading (batch, heads) dimensions, got "
            f"{tuple(q.shape[:-2])}, {tuple(k.shape[:-2])}, {tuple(v.shape[:-2])}; "
            "expand the smaller ones (k.expand(*q.shape[:-2], -1, -1)) or split the heads the same way"
        )
    if mask is not None:
        check_mask(mask, (*q.shape[:-2], q.shape[-2], k.shape[-2]))


def check_mask(mask: Tensor, scores_shape: tuple[int, ...]) -> None:
    """Raise ValueError unless mask is boolean, ends in (n_q, n_k) and broadcasts against scores (..., n_q, n_k).

    Example:
        >>> check_mask(torch.ones(3, 4, dtype=torch.bool), (2, 1, 3, 4))
        >>> check_mask(torch.ones(3, 4), (2, 1, 3, 4))
        Traceback (most recent call last):
        ...
        ValueError: mask must be boolean (True = keep), got torch.float32; convert it with .bool() or a comparison
    """
    if mask.dtype != torch.bool:
        raise ValueError(
            f"mask must be boolean (True = keep), got {mask.dtype}; convert it with .bool() or a comparison"
        )
    n_q, n_k = scores_shape[-2:]
    if mask.dim() < 2 or mask.shape[-2:] != (n_q, n_k):
        raise ValueError(
            f"mask must end in (n_q, n_k) = ({n_q}, {n_k}), got {tuple(mask.shape)}; "
            "give it one row per query and one column per key"
        )
    try:
        torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        raise ValueError(
            f"mask {tuple(mask.shape)} does not broadcast against the scores {tuple(scores_shape)}; "
            f"pass ({n_q}, {n_k}) or leading dimensions that are 1 or equal to the scores'"
        ) from None


def token_positions(x: Tensor, positions: Tensor | None = None) -> Tensor:
    """The positions (n,) of the tokens of x (batch, n, d_model): `positions`, or 0 … n-1 when it is None.

    Raises ValueError when x is not (batch, n, d_model) or positions is not (n,): the one check of an
    attention layer's input.

    Example:
        >>> token_positions(torch.zeros(2, 4, 8))
        tensor([0, 1, 2, 3])
    """
    if x.dim() != 3:
        raise ValueError(f"x must have shape (batch, n, d_model), got {tuple(x.shape)}; for one sequence pass x[None]")
    n = x.shape[1]
    if positions is None:
        return torch.arange(n, device=x.device)
    if positions.shape != (n,):
        raise ValueError(
            f"positions must have shape (n,) = ({n},), got {tuple(positions.shape)}; "
            "pass one position per token, or None"
        )
    return positions


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention with pluggable positions and logit transform.

    x: (batch, n, d_model) -> (batch, n, d_model), and weights (batch, heads, n, n) on request.
    The positional scheme rotates q, k (RoPE) or biases the scores (ALiBi); absolute schemes act
    on the embeddings before the first block instead. `linear` builds the projections (e.g.
    `SigmaReparamLinear`). The forward pass: `split_heads`, the rotation, the scores, the softmax,
    weights @ v, then `merge_heads` (the output projection).

    Example:
        >>> from course_utils.core.positional import RoPE
        >>> mha = MultiHeadAttention(64, 4, positional=RoPE(16))
        >>> y, w = mha(torch.randn(2, 10, 64), need_weights=True)
        >>> y.shape, w.shape
        (torch.Size([2, 10, 64]), torch.Size([2, 4, 10, 10]))
    """

    def __init__(
        self,
        d_model: int,
        heads: int,
        *,
        positional: PositionalScheme | None = None,
        logit_transform: LogitTransform | None = None,
        linear: type[nn.Linear] = nn.Linear,
    ) -> None:
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model={d_model} must be divisible by heads={heads}; choose heads among its divisors")
        self.heads = heads
        self.head_dim = d_model // heads
        self.qkv = linear(d_model, 3 * d_model)
        self.proj = linear(d_model, d_model)
        self.positional = positional if positional is not None else NoPositions()
        self.logit_transform = logit_transform if logit_transform is not None else IdentityLogits()

    def split_heads(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The heads' queries, keys and values of x (B, n, d_model) -> q, k, v, each (B, H, n, d), before any
        rotation by the positional scheme.

        Example:
            >>> q, k, v = MultiHeadAttention(8, 2).split_heads(torch.randn(1, 5, 8))
            >>> q.shape
            torch.Size([1, 2, 5, 4])
        """
        batch, n, d_model = x.shape
        q, k, v = self.qkv(x).split(d_model, dim=-1)  # 3 x (B, n, D)
        q, k, v = (t.view(batch, n, self.heads, self.head_dim).transpose(1, 2) for t in (q, k, v))  # (B, H, n, d)
        return q, k, v

    def scores(
        self,
        q: Tensor,
        k: Tensor,
        q_positions: Tensor,
        k_positions: Tensor,
        *,
        causal: bool,
        mask: Tensor | None = None,
    ) -> Tensor:
        """The heads' scores of rotated q (B, H, n_q, d) and k (B, H, n_k, d) at their positions (n_q,), (n_k,):
        q kᵀ / √d plus the positional scheme's bias, through the logit transform, -inf where a key is hidden
        (causally, or by `mask`) -> (B, H, n_q, n_k).

        Example:
            >>> q, k, _ = MultiHeadAttention(8, 2).split_heads(torch.randn(1, 3, 8))
            >>> MultiHeadAttention(8, 2).scores(q, k, torch.arange(3), torch.arange(3), causal=True)[0, 0].isinf().int()
            tensor([[0, 1, 1],
                    [0, 0, 1],
                    [0, 0, 0]], dtype=torch.int32)
        """
        return attention_scores(
            q,
            k,
            causal=causal,
            mask=mask,
            bias=self.positional.bias(q_positions, k_positions),  # (H, n_q, n_k) or None
            logit_transform=lambda s: self.logit_transform(s, q_positions, k_positions, causal=causal),
        )

    def merge_heads(self, out: Tensor) -> Tensor:
        """The heads' outputs (B, H, n, d) side by side, through the output projection -> (B, n, d_model).

        Example:
            >>> MultiHeadAttention(8, 2).merge_heads(torch.randn(1, 2, 5, 4)).shape
            torch.Size([1, 5, 8])
        """
        batch, _, n, _ = out.shape
        return self.proj(out.transpose(1, 2).reshape(batch, n, -1))

    def forward(
        self,
        x: Tensor,
        *,
        positions: Tensor | None = None,
        causal: bool = True,
        mask: Tensor | None = None,
        need_weights: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Self-attention over x (batch, n, d_model) -> out (batch, n, d_model), and the weights
        (batch, heads, n, n) when `need_weights` (else None).

        positions: (n,), the tokens' positions for the positional scheme and the logit transform (None: 0 … n-1);
        causal: hide the keys after each query; mask: boolean (n, n), or broadcastable (..., n, n) such as
        (batch, 1, n, n), True = the query may see the key, kept in addition to the causal mask.
        """
        positions = token_positions(x, positions)  # (n,)
        if mask is not None:
            check_mask(mask, (x.shape[0], self.heads, x.shape[1], x.shape[1]))
        q, k, v = self.split_heads(x)  # (B, H, n, d) each
        q, k = self.positional.rotate(q, k, positions, positions)
        weights = stable_softmax(self.scores(q, k, positions, positions, causal=causal, mask=mask))  # (B, H, n, n)
        return self.merge_heads(weights @ v), (weights if need_weights else None)
