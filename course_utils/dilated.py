"""Dilated attention (Ding et al., "LongNet: Scaling Transformers to 1,000,000,000 Tokens", 2023).

One pattern (w, r): split the sequence into segments of w tokens; in each segment keep every r-th
row, starting at offset `h mod r` for head h; run dense attention among the kept rows of each
segment; put the outputs back in place (rows the pattern does not keep get nothing from it).
Several patterns are mixed by their softmax denominators:

    O = Σ_i exp(lse_i − lse) O_i,   lse = log Σ_i exp(lse_i)

which equals one softmax over the union of the patterns' keys, a key counted once per pattern
that covers it. The mixing weights carry gradient (they are computed with differentiable
`logsumexp`, not read from a fused kernel's detached output).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def check_patterns(n: int, segment_lengths: list[int], dilation_rates: list[int]) -> None:
    """Raise ValueError unless every (w, r) fits a sequence of n tokens.

    Example: `check_patterns(4096, [1024, 4096], [1, 4])`
    """
    if len(segment_lengths) != len(dilation_rates) or not segment_lengths:
        raise ValueError(f"segment_lengths and dilation_rates must be non-empty lists of the same length, "
                         f"got {segment_lengths} and {dilation_rates}")
    for w, r in zip(segment_lengths, dilation_rates):
        if w < 1 or r < 1:
            raise ValueError(f"segment length and dilation rate must be >= 1, got w={w}, r={r}")
        if n % w:
            raise ValueError(f"the sequence length n={n} is not a multiple of the segment length w={w}; "
                             f"pad the sequence to a multiple of {w} or choose w dividing n")
        if w % r:
            raise ValueError(f"the dilation rate r={r} does not divide the segment length w={w}; "
                             f"choose r among the divisors of {w}")


def _one_pattern(q: Tensor, k: Tensor, v: Tensor, w: int, r: int, causal: bool) -> tuple[Tensor, Tensor]:
    """Output (B, H, n, d) and log-sum-exp (B, H, n) of one pattern; uncovered rows: 0 and -inf."""
    batch, heads, n, d = q.shape
    kept = w // r
    offsets = torch.arange(heads, device=q.device) % r  # (H,) head h starts at h mod r
    rows = offsets[:, None] + r * torch.arange(kept, device=q.device)  # (H, kept) rows kept in a segment
    index = rows[None, :, None, :, None]  # (1, H, 1, kept, 1)

    def gather(x: Tensor) -> Tensor:  # (B, H, n, e) -> (B, H, n/w, kept, e)
        return torch.take_along_dim(x.reshape(batch, heads, n // w, w, x.shape[-1]), index, dim=3)

    qs, ks, vs = gather(q), gather(k), gather(v)
    scores = qs @ ks.transpose(-2, -1) / math.sqrt(d)  # (B, H, n/w, kept, kept)
    if causal:  # kept rows are in position order, so causal is lower-triangular in kept order
        future = torch.ones(kept, kept, dtype=torch.bool, device=q.device).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
    lse = torch.logsumexp(scores, dim=-1)  # (B, H, n/w, kept)
    out = torch.exp(scores - lse[..., None]) @ vs  # the softmax, reusing lse: (B, H, n/w, kept, d_v)
    full_index = index.expand(batch, heads, n // w, kept, v.shape[-1])
    placed = torch.zeros(batch, heads, n // w, w, v.shape[-1], dtype=out.dtype, device=q.device)
    placed = placed.scatter(3, full_index, out).reshape(batch, heads, n, v.shape[-1])
    placed_lse = torch.full((batch, heads, n // w, w), float("-inf"), dtype=lse.dtype, device=q.device)
    placed_lse = placed_lse.scatter(3, index[..., 0].expand(batch, heads, n // w, kept), lse).reshape(batch, heads, n)
    return placed, placed_lse


def dilated_attention(q: Tensor, k: Tensor, v: Tensor, segment_lengths: list[int], dilation_rates: list[int],
                      *, causal: bool = False) -> Tensor:
    """LongNet's dilated attention, several (w, r) patterns mixed by log-sum-exp.

    q, k: (batch, heads, n, d), v: (batch, heads, n, d_v) -> out (batch, heads, n, d_v).
    A query that no pattern covers gets zeros. Example:
    `dilated_attention(q, k, v, [512, 1024, 2048], [1, 2, 4], causal=True)` for n a multiple of 2048.
    """
    if q.dim() != 4 or k.shape != q.shape or v.shape[:3] != q.shape[:3]:
        raise ValueError(f"need q, k (batch, heads, n, d) of equal shape and v (batch, heads, n, d_v); "
                         f"got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    check_patterns(q.shape[2], segment_lengths, dilation_rates)
    outs, lses = zip(*(_one_pattern(q, k, v, w, r, causal) for w, r in zip(segment_lengths, dilation_rates)))
    lse = torch.stack(lses)  # (P, B, H, n)
    total = torch.logsumexp(lse, dim=0)  # (B, H, n); -inf where no pattern covers the row
    covered = torch.isfinite(total)
    weights = torch.where(covered, torch.exp(lse - torch.where(covered, total, torch.zeros_like(total))),
                          torch.zeros_like(lse))  # (P, B, H, n)
    return (weights[..., None] * torch.stack(outs)).sum(dim=0)


def dilated_mask(n: int, heads: int, segment_lengths: list[int], dilation_rates: list[int], *,
                 causal: bool = False) -> Tensor:
    """How many patterns let query i see key j, per head: (heads, n, n) integer counts.

    The definition written out densely, for checking and plotting (O(n²) memory).
    Example: `dilated_mask(16, 2, [8, 16], [1, 2])[0]`
    """
    check_patterns(n, segment_lengths, dilation_rates)
    pos = torch.arange(n)
    count = torch.zeros(heads, n, n, dtype=torch.long)
    for w, r in zip(segment_lengths, dilation_rates):
        same_segment = (pos[:, None] // w) == (pos[None, :] // w)  # (n, n)
        for h in range(heads):
            kept = (pos % w) % r == h % r  # (n,)
            count[h] += (same_segment & kept[:, None] & kept[None, :]).long()
    if causal:
        count = count * (pos[None, :] <= pos[:, None]).long()
    return count


def dilated_reference(q: Tensor, k: Tensor, v: Tensor, segment_lengths: list[int], dilation_rates: list[int],
                      *, causal: bool = False) -> Tensor:
    """Dense reference: one softmax over each query's visible keys, each weighted by its count.

    Same shapes as `dilated_attention`; O(n²) memory, for tests and small examples.
    """
    count = dilated_mask(q.shape[2], q.shape[1], segment_lengths, dilation_rates, causal=causal).to(q.device)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + count.to(q.dtype).log()  # log 0 = -inf
    weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)  # rows that see nothing -> zeros
    return weights @ v


def dilated_flops(n: int, d: int, heads: int, segment_lengths: list[int], dilation_rates: list[int]) -> float:
    """Forward FLOPs: each pattern costs 4·(n/w)·(w/r)²·d per head (two matmuls per segment).

    Example: `dilated_flops(8192, 64, 8, [2048], [1])` -> 4 * 4 * 2048**2 * 64 * 8
    """
    return float(sum(4 * (n // w) * (w // r) ** 2 * d * heads for w, r in zip(segment_lengths, dilation_rates)))
