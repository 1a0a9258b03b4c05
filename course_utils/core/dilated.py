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
        raise ValueError(
            f"segment_lengths and dilation_rates must be non-empty lists of the same length, "
            f"got {segment_lengths} and {dilation_rates}"
        )
    for w, r in zip(segment_lengths, dilation_rates):
        if w < 1 or r < 1:
            raise ValueError(f"segment length and dilation rate must be >= 1, got w={w}, r={r}")
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
    """LongNet-like patterns for n tokens: w = base·ratioⁱ with r = ratioⁱ for every w <= n, so each
    pattern keeps base rows per segment (cost linear in n) and the last one reaches across the sequence.
    With n < base, one dense pattern (n, 1). n must be a multiple of every w (powers of two are).

    Example: `geometric_patterns(8192)` -> ([512, 2048, 8192], [1, 4, 16])
    """
    if n < 1 or base < 1 or ratio < 2:
        raise ValueError(f"need n >= 1, base >= 1 and ratio >= 2, got n={n}, base={base}, ratio={ratio}")
    w, r = min(base, n), 1
    segments, rates = [], []
    while w <= n:
        segments.append(w)
        rates.append(r)
        w, r = w * ratio, r * ratio
    check_patterns(n, segments, rates)
    return segments, rates


def accumulation_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype softmax statistics are kept in (running max and sum, log-sum-exp, the output accumulator)
    for inputs of `dtype`: float32 for bf16/fp16/fp32, float64 for float64.

    FlashAttention keeps them in fp32 whatever the input dtype; in bf16 (8 bits of mantissa) the rescaled
    sums would otherwise lose about 1 % at 16k keys.
    Example: `accumulation_dtype(torch.bfloat16)` -> torch.float32
    """
    return torch.promote_types(dtype, torch.float32)


def attention_with_lse(q: Tensor, k: Tensor, v: Tensor, *, q_start: int | None = None) -> tuple[Tensor, Tensor]:
    """Dense attention with matmuls, and its log-sum-exp: q (..., m_q, d), k (..., m_k, d), v (..., m_k, d_v)
    -> out (..., m_q, d_v), lse (..., m_q), both in `accumulation_dtype(q.dtype)`.

    With `q_start`, query i sits at key index q_start + i and sees keys 0 … q_start + i (causal; q_start=0
    for a block of queries and its own keys). Example: `out, lse = attention_with_lse(q, k, v, q_start=0)`
    """
    acc = accumulation_dtype(q.dtype)
    q, k, v = q.to(acc), k.to(acc), v.to(acc)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., m_q, m_k)
    if q_start is not None:
        m_q, m_k = scores.shape[-2:]
        future = torch.arange(m_k, device=q.device)[None, :] > q_start + torch.arange(m_q, device=q.device)[:, None]
        scores = scores.masked_fill(future, float("-inf"))
    lse = torch.logsumexp(scores, dim=-1)
    return torch.exp(scores - lse[..., None]) @ v, lse  # the softmax, reusing lse


#: The fused kernels that return a log-sum-exp next to the output, by device type. Both are private
#: ATen ops (`torch.ops.aten.<name>`): `_fused_op` looks them up and `segment_attention` falls back to
#: matmuls where the running torch lacks one or it refuses the inputs (dtype, head size, GPU).
FUSED_KERNELS = {
    "cpu": "_scaled_dot_product_flash_attention_for_cpu",  # fp32/fp64/bf16 (fp16 in recent torch)
    "cuda": "_scaled_dot_product_flash_attention",  # fp16/bf16 only, returns an fp32 logsumexp
}


def _fused_op(device_type: str):
    """The fused ATen op for this device type, or None when this torch has none."""
    name = FUSED_KERNELS.get(device_type)
    if name is None:
        return None
    try:
        return getattr(torch.ops.aten, name)
    except (AttributeError, RuntimeError):
        return None


def _fused_kernel(q: Tensor, k: Tensor, v: Tensor, causal: bool) -> tuple[Tensor, Tensor]:
    """One fused kernel call: q, k, v (B, G, m, d) -> out (B, G, m, d_v) in q's dtype, lse (B, G, m) in fp32
    (fp64 for fp64). Raises RuntimeError where no kernel applies."""
    op = _fused_op(q.device.type)
    if op is None:
        raise RuntimeError(f"no fused attention kernel for {q.device.type} in torch {torch.__version__}")
    out, lse = op(q, k, v, 0.0, causal)[:2]  # the CUDA op also returns sequence and RNG bookkeeping
    return out, lse[..., : q.shape[-2]].to(accumulation_dtype(q.dtype))


class _FusedSegments(torch.autograd.Function):
    """PyTorch's fused attention kernel (CPU, or flash on CUDA), which also returns the log-sum-exp but
    gives it no gradient.

    The backward pass recomputes the segment with `attention_with_lse` and differentiates that, so the
    gradient through the mixing weights (which depend on lse) is real, not silently dropped.
    q, k, v: (B, G, m, d) -> out (B, G, m, d_v), lse (B, G, m).
    """

    @staticmethod
    def forward(ctx, q: Tensor, k: Tensor, v: Tensor, causal: bool) -> tuple[Tensor, Tensor]:
        ctx.save_for_backward(q, k, v)
        ctx.causal = causal
        return _fused_kernel(q, k, v, causal)

    @staticmethod
    def backward(ctx, grad_out: Tensor, grad_lse: Tensor) -> tuple[Tensor, Tensor, Tensor, None]:
        q, k, v = (x.detach().requires_grad_() for x in ctx.saved_tensors)
        with torch.enable_grad():
            out, lse = attention_with_lse(q, k, v, q_start=0 if ctx.causal else None)
            grad_q, grad_k, grad_v = torch.autograd.grad(
                (out, lse), (q, k, v), (grad_out.to(out.dtype), grad_lse.to(lse.dtype))
            )
        return grad_q, grad_k, grad_v, None


def _fused_by_default(q: Tensor) -> bool:
    if q.device.type == "cpu":
        return q.dtype in (torch.float32, torch.float64, torch.bfloat16, torch.float16)
    if q.device.type == "cuda":  # the flash kernel: half precision, head size a multiple of 8 up to 256
        return q.dtype in (torch.float16, torch.bfloat16) and q.shape[-1] % 8 == 0 and q.shape[-1] <= 256
    return False


def segment_attention(
    q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, fused: bool | None = None
) -> tuple[Tensor, Tensor]:
    """Dense attention within each segment, and its log-sum-exp.

    q, k: (B, G, m, d), v: (B, G, m, d_v) -> out (B, G, m, d_v), lse (B, G, m). lse is fp32 for
    bf16/fp16 inputs; out is in q's dtype from a fused kernel, in lse's dtype from the matmul path.
    `fused=None` uses a fused kernel where one applies (the CPU kernel, 4-5x faster than matmuls
    there; flash on CUDA for bf16/fp16) and the matmul path elsewhere. A fused kernel that is missing
    from the running torch or refuses the inputs falls back to the matmul path (same values).
    Example: `out, lse = segment_attention(q, k, v, causal=True)`
    """
    if fused is None:
        fused = _fused_by_default(q)
    if fused:
        try:
            return _FusedSegments.apply(q, k, v, causal)
        except RuntimeError:  # no such op in this torch, or not for this dtype / device / head size
            pass
    return attention_with_lse(q, k, v, q_start=0 if causal else None)  # kept rows are in position order


def split_segments(x: Tensor, w: int, r: int) -> Tensor:
    """x: (B, H, n, e) -> a view (B, H, n/w, w/r, r, e): row j*r + o of segment s is x[:, :, s, j, o]."""
    batch, heads, n, e = x.shape
    return x.reshape(batch, heads, n // w, w // r, r, e)


def kept_rows(heads: int, r: int, device: torch.device) -> tuple:
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
    `fused` picks the per-segment kernel (see `segment_attention`). Example:
    `dilated_attention(q, k, v, [512, 1024, 2048], [1, 2, 4], causal=True)` for n a multiple of 2048.
    """
    if q.dim() != 4 or k.shape != q.shape or v.shape[:3] != q.shape[:3]:
        raise ValueError(
            f"need q, k (batch, heads, n, d) of equal shape and v (batch, heads, n, d_v); "
            f"got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
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
    total = torch.logsumexp(lse, dim=0)  # (B, H, n, 1); -inf where no pattern covers the row
    mixed = torch.zeros(batch, heads, n, v.shape[-1], dtype=acc, device=q.device)
    for (w, r, kept), (out, lse_kept) in zip(patterns, results):
        split_segments(mixed, w, r)[kept] += torch.exp(lse_kept - split_segments(total, w, r)[kept]) * out.to(acc)
    return mixed.to(q.dtype)


def dilated_mask(
    n: int, heads: int, segment_lengths: list[int], dilation_rates: list[int], *, causal: bool = False
) -> Tensor:
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


def dilated_reference(
    q: Tensor, k: Tensor, v: Tensor, segment_lengths: list[int], dilation_rates: list[int], *, causal: bool = False
) -> Tensor:
    """Dense reference: one softmax over each query's visible keys, each weighted by its count.

    Same shapes as `dilated_attention`; O(n²) memory, for tests and small examples. Computed in fp32
    for bf16/fp16 inputs, returned in q's dtype.
    Example: `dilated_reference(q, k, v, [8, 16], [1, 2], causal=True)`
    """
    count = dilated_mask(q.shape[2], q.shape[1], segment_lengths, dilation_rates, causal=causal).to(q.device)
    acc = accumulation_dtype(q.dtype)
    scores = q.to(acc) @ k.to(acc).transpose(-2, -1) / math.sqrt(q.shape[-1]) + count.to(acc).log()  # log 0 = -inf
    weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)  # rows that see nothing -> zeros
    return (weights @ v.to(acc)).to(q.dtype)
