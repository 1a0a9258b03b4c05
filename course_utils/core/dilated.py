"""Dilated attention (Ding et al., "LongNet: Scaling Transformers to 1,000,000,000 Tokens", 2023).

One pattern (w, r): split the sequence into segments of w tokens; in each segment keep every r-th
row, starting at offset `h mod r` for head h; run dense attention among the kept rows of each
segment; put the outputs back in place (rows the pattern does not keep get nothing from it).
Several patterns are mixed by their softmax denominators:

    O = Σ_i exp(lse_i − lse) O_i,   lse = log Σ_i exp(lse_i)

which equals one softmax over the union of the patterns' keys, a key counted once per pattern
that covers it: `course_utils.core.lse_attention.merge_partials`'s formula, applied here to each pattern's
kept rows in place. The mixing weights carry gradient (they are computed with differentiable
`logsumexp`, not read from a fused kernel's detached output).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from course_utils.core.attention import check_qkv
from course_utils.core.lse_attention import accumulation_dtype, segment_attention


def check_patterns(n: int, segment_lengths: list[int], dilation_rates: list[int]) -> None:
    """Raise ValueError unless every (w, r) fits a sequence of n tokens.

    Example:
        >>> check_patterns(4096, [1024, 4096], [1, 4])
    """
    if len(segment_lengths) != len(dilation_rates) or not segment_lengths:
        raise ValueError(
            f"segment_lengths and dilation_rates must be non-empty lists of the same length, "
            f"got {segment_lengths} and {dilation_rates}; give one dilation rate per segment length"
        )
    for w, r in zip(segment_lengths, dilation_rates):
        if w < 1 or r < 1:
            raise ValueError(
                f"segment length and dilation rate must be >= 1, got w={w}, r={r}; use r=1 for no dilation"
            )
        if n % w:
            raise ValueError(
                f"the sequence length n={n} is not a multiple of the segment length w={w}; "
                f"pad the sequence to a multiple of {w} or choose w dividing n"
            )
        if w % r:
            raise ValueError(
                f"the dilation rate r={r} does not divide the segment length w={w}; choose r among the divisors of {w}"
            )


def geometric_patterns(n: int, *, base: int = 512, ratio: int = 4) -> tuple[list[int], list[int]]:
    """LongNet-like patterns for n tokens: w = base·ratioⁱ with r = ratioⁱ for every w <= n.

    Each pattern keeps base rows per segment (cost linear in n) and the last one reaches across the
    sequence. With n < base, one dense pattern (n, 1). n must be a multiple of every w (powers of two are).

    Example:
        >>> geometric_patterns(8192)
        ([512, 2048, 8192], [1, 4, 16])
    """
    if n < 1 or base < 1 or ratio < 2:
        raise ValueError(
            f"need n >= 1, base >= 1 and ratio >= 2, got n={n}, base={base}, ratio={ratio}; "
            "keep the defaults base=512, ratio=4 unless you need other patterns"
        )
    w, r = min(base, n), 1
    segments, rates = [], []
    while w <= n:
        segments.append(w)
        rates.append(r)
        w, r = w * ratio, r * ratio
    check_patterns(n, segments, rates)
    return segments, rates


def split_segments(x: Tensor, w: int, r: int) -> Tensor:
    """x: (B, H, n, e) -> a view (B, H, n/w, w/r, r, e): row j*r + o of segment s is x[:, :, s, j, o]."""
    batch, heads, n, e = x.shape
    return x.reshape(batch, heads, n // w, w // r, r, e)


def kept_rows(heads: int, r: int, device: torch.device) -> tuple[slice, Tensor, slice, slice, Tensor]:
    """Index of the rows each head keeps (head h: offset h mod r in every segment).

    `split_segments(x, w, r)[kept_rows(heads, r, device)]` is (H, B, n/w, w/r, e); assigning to it writes back.
    """
    head = torch.arange(heads, device=device)
    return slice(None), head, slice(None), slice(None), head % r


def dilated_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    segment_lengths: list[int],
    dilation_rates: list[int],
    *,
    causal: bool = False,
    fused: bool | None = None,
) -> Tensor:
    """LongNet's dilated attention, several (w, r) patterns mixed by log-sum-exp.

    q, k: (batch, heads, n, d), v: (batch, heads, n, d_v) -> out (batch, heads, n, d_v).
    Each pattern is one batched kernel call over all its segments and heads; its outputs are
    weighted by exp(lse_i - lse) and added into place, so a query no pattern covers gets zeros.
    The log-sum-exps and the mixed output are kept in fp32 for bf16/fp16 inputs (the output is cast
    back to q's dtype at the end); see `geometric_patterns` for LongNet-like patterns.
    `fused` picks the per-segment kernel (see `segment_attention`).

    Example:
        >>> q = k = v = torch.ones(1, 2, 2048, 8)  # n a multiple of 2048
        >>> dilated_attention(q, k, v, [512, 1024, 2048], [1, 2, 4], causal=True).shape
        torch.Size([1, 2, 2048, 8])
    """
    check_qkv(q, k, v)
    if q.dim() != 4 or k.shape != q.shape or v.shape[:3] != q.shape[:3]:
        raise ValueError(
            f"need q, k (batch, heads, n, d) of equal shape and v (batch, heads, n, d_v); "
            f"got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}: pass self-attention inputs of one length"
        )
    batch, heads, n, _ = q.shape
    check_patterns(n, segment_lengths, dilation_rates)
    patterns = [(w, r, kept_rows(heads, r, q.device)) for w, r in zip(segment_lengths, dilation_rates)]
    acc = accumulation_dtype(q.dtype)  # lse and the mixed output in fp32 for bf16/fp16 inputs
    lse = torch.full((len(patterns), batch, heads, n, 1), float("-inf"), dtype=acc, device=q.device)  # placed
    results = []
    for i, (w, r, kept) in enumerate(patterns):
        rows = [split_segments(x, w, r)[kept].flatten(1, 2) for x in (q, k, v)]  # (H, B * n/w, w/r, e)
        out, lse_kept = segment_attention(*rows, causal=causal, fused=fused)
        lse_kept = lse_kept.to(acc)[..., None].unflatten(1, (batch, n // w))  # (H, B, n/w, w/r, 1)
        split_segments(lse[i], w, r)[kept] = lse_kept
        results.append((out.unflatten(1, (batch, n // w)), lse_kept))
    # merge_partials's formula on each pattern's kept rows, in place: the patterns' outputs are never
    # spread over all n rows
    total = torch.logsumexp(lse, dim=0)  # (B, H, n, 1); -inf where no pattern covers the row
    mixed = torch.zeros(batch, heads, n, v.shape[-1], dtype=acc, device=q.device)
    for (w, r, kept), (out, lse_kept) in zip(patterns, results):
        split_segments(mixed, w, r)[kept] += torch.exp(lse_kept - split_segments(total, w, r)[kept]) * out.to(acc)
    return mixed.to(q.dtype)


def dilated_key_counts(
    n: int, heads: int, segment_lengths: list[int], dilation_rates: list[int], *, causal: bool = False
) -> Tensor:
    """How many patterns let query i see key j, per head: (heads, n, n) integer counts, 0 = hidden.

    The definition written out densely, for checking and plotting (O(n²) memory): query i's softmax
    counts key j that many times (`dilated_reference`); `> 0` gives a boolean mask.

    Example:
        Head 0: dense in segments of 4, and every other token of the whole sequence:

        >>> dilated_key_counts(8, 2, [4, 8], [1, 2])[0]
        tensor([[2, 1, 2, 1, 1, 0, 1, 0],
                [1, 1, 1, 1, 0, 0, 0, 0],
                [2, 1, 2, 1, 1, 0, 1, 0],
                [1, 1, 1, 1, 0, 0, 0, 0],
                [1, 0, 1, 0, 2, 1, 2, 1],
                [0, 0, 0, 0, 1, 1, 1, 1],
                [1, 0, 1, 0, 2, 1, 2, 1],
                [0, 0, 0, 0, 1, 1, 1, 1]])
    """
    check_patterns(n, segment_lengths, dilation_rates)
    pos = torch.arange(n)
    count = torch.zeros(heads, n, n, dtype=torch.long)
    for w, r in zip(segment_lengths, dilation_rates):
        same_segment = (pos[:, None] // w) == (pos[None, :] // w)  # (n, n)
        for head in range(heads):
            kept = (pos % w) % r == head % r  # (n,)
            count[head] += (same_segment & kept[:, None] & kept[None, :]).long()
    if causal:
        count = count * (pos[None, :] <= pos[:, None]).long()
    return count


def dilated_reference(
    q: Tensor, k: Tensor, v: Tensor, segment_lengths: list[int], dilation_rates: list[int], *, causal: bool = False
) -> Tensor:
    """Dense reference: one softmax over each query's visible keys, each weighted by its count.

    Same shapes as `dilated_attention`; O(n²) memory, for tests and small examples. Computed in fp32
    for bf16/fp16 inputs, returned in q's dtype.

    Example:
        >>> q, k, v = torch.randn(3, 1, 2, 16, 4, generator=torch.Generator().manual_seed(0))
        >>> reference = dilated_reference(q, k, v, [8, 16], [1, 2], causal=True)
        >>> torch.allclose(reference, dilated_attention(q, k, v, [8, 16], [1, 2], causal=True), atol=1e-6)
        True
    """
    count = dilated_key_counts(q.shape[2], q.shape[1], segment_lengths, dilation_rates, causal=causal).to(q.device)
    acc = accumulation_dtype(q.dtype)
    scores = q.to(acc) @ k.to(acc).transpose(-2, -1) / math.sqrt(q.shape[-1]) + count.to(acc).log()  # log 0 = -inf
    weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)  # rows that see nothing -> zeros
    return (weights @ v.to(acc)).to(q.dtype)
