"""FlashAttention's idea from scratch: attention over key blocks with an online softmax.

Naive attention materialises the (n_q, n_k) score matrix. Dao et al. ("FlashAttention: Fast and
Memory-Efficient Exact Attention with IO-Awareness", 2022) never do: they walk over blocks of keys
and keep, per query, a running maximum m, a running normaliser l = Σ exp(s − m), and a running
output o = Σ exp(s − m) v / l. When a new block raises the maximum, the old sums are rescaled by
exp(m_old − m_new) (the *online softmax*, Milakov and Gimelshein, 2018). The result is exact.

This version is written for reading, in PyTorch: it holds one (n_q, block_size) block of scores
at a time, so its memory grows like n, not n². The speed of the real kernel comes from doing the
same in fast on-chip memory; here the Python loop over blocks costs time instead.

`budgeted_attention` is the naive path with a guard: chapter 01's `attention` behind a check that
refuses a score matrix larger than a memory budget (`ScoreBudgetError`) instead of running out of memory.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from course_utils.core.attention import attention, check_qkv
from course_utils.core.lse_attention import accumulation_dtype

#: Default memory budget for one materialised score matrix (`budgeted_attention(..., max_score_bytes=)`).
SCORE_BUDGET_BYTES = 4 * 2**30


def online_softmax_update(m: Tensor, l: Tensor, o: Tensor, scores: Tensor, v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Fold one block of scores into the running (max, normaliser, output).

    m, l: (..., n_q, 1) running max and normaliser; o: (..., n_q, d_v) normalised output so far;
    scores: (..., n_q, block) this block's scores (-inf where masked); v: (..., block, d_v).
    Returns the updated (m, l, o) in the dtype of `scores` (keep the state in fp32 for bf16/fp16
    inputs: see `accumulation_dtype`; v is upcast to it). Start from m = -inf, l = 0, o = 0.

    Two blocks of three keys give the softmax over all six:

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> q, k, v = torch.randn(4, 8, generator=g), torch.randn(6, 8, generator=g), torch.randn(6, 8, generator=g)
        >>> m, l, o = torch.full((4, 1), -math.inf), torch.zeros(4, 1), torch.zeros(4, 8)
        >>> for block in (slice(0, 3), slice(3, 6)):
        ...     m, l, o = online_softmax_update(m, l, o, q @ k[block].mT / 8**0.5, v[block])
        >>> torch.allclose(o, torch.softmax(q @ k.mT / 8**0.5, dim=-1) @ v, atol=1e-6)
        True
    """
    m_new = torch.maximum(m, scores.amax(dim=-1, keepdim=True))  # (..., n_q, 1)
    m_safe = torch.where(torch.isfinite(m_new), m_new, torch.zeros_like(m_new))  # rows with nothing seen yet
    scale = torch.exp(m - m_safe)  # how much the old sums shrink; 0 when m was -inf
    p = torch.exp(scores - m_safe)  # (..., n_q, block)
    l_new = scale * l + p.sum(dim=-1, keepdim=True)
    o_new = (scale * l * o + p @ v.to(p.dtype)) / l_new.clamp_min(torch.finfo(l_new.dtype).tiny)
    return m_new, l_new, o_new


def online_softmax_attention(q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, block_size: int = 128) -> Tensor:
    """Exact softmax attention computed over blocks of `block_size` keys with an online softmax.

    q: (..., n_q, d), k: (..., n_k, d), v: (..., n_k, d_v) -> out: (..., n_q, d_v) in q's dtype. With
    `causal`, queries are aligned to the end of the keys, as in `course_utils.core.attention.causal_mask`.
    Holds one (..., n_q, block_size) block of scores at a time. Equals
    `attention(q, k, v, causal=causal)[0]` to float tolerance.
    Precision: as in FlashAttention, the scores, the running max and sum and the output accumulator
    are fp32 for bf16/fp16 inputs (`accumulation_dtype`): each key block is upcast before its matmuls (a
    product of two bf16 numbers is exact in fp32, as in a tensor core's fp32 accumulation), and the
    output is cast back to q's dtype at the end.

    Example:
        >>> q = k = v = torch.randn(1, 2, 256, 32, generator=torch.Generator().manual_seed(0))
        >>> out = online_softmax_attention(q, k, v, causal=True, block_size=64)
        >>> torch.allclose(out, attention(q, k, v, causal=True)[0], atol=1e-5)
        True
    """
    check_qkv(q, k, v)
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}; pass a number of keys per block, e.g. 64")
    n_q, n_k = q.shape[-2], k.shape[-2]
    if causal and n_q > n_k:
        raise ValueError(
            f"causal attention needs n_q <= n_k, got n_q={n_q}, n_k={n_k}; pass at least as many keys as queries"
        )
    acc = accumulation_dtype(q.dtype)
    m = torch.full((*q.shape[:-1], 1), float("-inf"), dtype=acc, device=q.device)
    l = torch.zeros_like(m)
    o = torch.zeros(*q.shape[:-1], v.shape[-1], dtype=acc, device=q.device)
    first_q_pos = n_k - n_q  # query i sits at position first_q_pos + i (Python ints: no device sync)
    q_pos = torch.arange(n_q, device=q.device)[:, None] + first_q_pos  # (n_q, 1)
    q_acc = q.to(acc) * (1.0 / math.sqrt(q.shape[-1]))
    for start in range(0, n_k, block_size):
        k_blk, v_blk = k[..., start : start + block_size, :], v[..., start : start + block_size, :]
        scores = q_acc @ k_blk.to(acc).transpose(-2, -1)  # (..., n_q, block), fp32 for bf16 inputs
        if causal and start + k_blk.shape[-2] - 1 > first_q_pos:  # some key of the block is in some query's future
            k_pos = torch.arange(start, start + k_blk.shape[-2], device=q.device)[None, :]
            scores = scores.masked_fill(k_pos > q_pos, float("-inf"))
        m, l, o = online_softmax_update(m, l, o, scores, v_blk)
    return o.to(q.dtype)


class ScoreBudgetError(ValueError):
    """Raised by `budgeted_attention` when the (..., n_q, n_k) score matrix would exceed `max_score_bytes`.

    A `ValueError`, so existing `except ValueError` code still catches it; the benchmark
    (`course_utils.bench.measure`) catches it by type and records the size as "refused".

    Example:
        >>> x = torch.ones(1, 8, 1024, 64)
        >>> try:
        ...     budgeted_attention(x, x, x, max_score_bytes=2**20)
        ... except ScoreBudgetError as error:
        ...     print(str(error)[:60])
        the score matrix (1, 8) x 1024 x 1024 would need 0.03 GiB, o
    """


def score_matrix_bytes(q: Tensor, k: Tensor) -> int:
    """Bytes of the (..., n_q, n_k) score matrix that `attention(q, k, v)` would materialise.

    Example:
        >>> score_matrix_bytes(torch.empty(1, 8, 1024, 64), torch.empty(1, 8, 1024, 64))
        33554432
    """
    leading = math.prod(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]))
    return leading * q.shape[-2] * k.shape[-2] * q.element_size()


def budgeted_attention(
    q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, max_score_bytes: int | None = SCORE_BUDGET_BYTES
) -> tuple[Tensor, Tensor]:
    """`attention(q, k, v, causal=causal)` (out, weights), refused when its scores would exceed `max_score_bytes`.

    Raises `ScoreBudgetError`, a ValueError that says how much memory the scores would need; None = no limit.

    Example:
        >>> x = torch.ones(1, 8, 1024, 64)
        >>> out, weights = budgeted_attention(x, x, x, causal=True, max_score_bytes=2**30)
        >>> out.shape, weights.shape
        (torch.Size([1, 8, 1024, 64]), torch.Size([1, 8, 1024, 1024]))
    """
    needed = score_matrix_bytes(q, k)
    if max_score_bytes is not None and needed > max_score_bytes:
        raise ScoreBudgetError(
            f"the score matrix {tuple(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]))} x {q.shape[-2]} x "
            f"{k.shape[-2]} would need {needed / 2**30:.2f} GiB, over the budget of {max_score_bytes / 2**30:.2f} GiB; "
            "use course_utils.chapters.flash.online_softmax_attention (it never holds the n x n scores), "
            "a shorter sequence, or pass a larger max_score_bytes if the machine has the memory"
        )
    return attention(q, k, v, causal=causal)
