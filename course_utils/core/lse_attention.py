"""Dense attention that also returns its log-sum-exp, and merging partial outputs by it.

Attention over part of the keys (one segment, one pattern, one rank's block) gives an output O_i and
the log of its softmax denominator, lse_i = log Σ_j exp(s_j) over those keys. Partial results over
disjoint sets of keys merge exactly into attention over all of them:

    O = Σ_i exp(lse_i − lse) O_i,   lse = log Σ_i exp(lse_i)

which is how FlashAttention folds in key blocks (chapter 06), LongNet mixes its patterns (chapter 07)
and ring attention adds the blocks of other ranks (chapter 11). The statistics are kept in
`accumulation_dtype` (fp32 for bf16/fp16 inputs). `segment_attention` runs PyTorch's fused kernel
where `fused_kernel_problem` finds nothing that stops it, and matmuls elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from course_utils.core.attention import check_qkv


def accumulation_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype softmax statistics are kept in (running max and sum, log-sum-exp, the output accumulator)
    for inputs of `dtype`: float32 for bf16/fp16/fp32, float64 for float64.

    FlashAttention keeps them in fp32 whatever the input dtype (chapter 06 measures why).

    Example:
        >>> accumulation_dtype(torch.bfloat16), accumulation_dtype(torch.float64)
        (torch.float32, torch.float64)
    """
    return torch.promote_types(dtype, torch.float32)


def attention_with_lse(q: Tensor, k: Tensor, v: Tensor, *, q_start: int | None = None) -> tuple[Tensor, Tensor]:
    """Dense attention with matmuls, and its log-sum-exp: q (..., m_q, d), k (..., m_k, d), v (..., m_k, d_v)
    -> out (..., m_q, d_v), lse (..., m_q), both in `accumulation_dtype(q.dtype)`.

    With `q_start`, query i sits at key index q_start + i and sees keys 0 … q_start + i (causal; q_start=0
    for a block of queries and its own keys).

    Example:
        >>> out, lse = attention_with_lse(torch.ones(1, 2, 4), torch.ones(1, 2, 4), torch.ones(1, 2, 3), q_start=0)
        >>> out.shape, lse  # query 0 sees one key of score 2 (log e^2), query 1 two (log 2e^2)
        (torch.Size([1, 2, 3]), tensor([[2.0000, 2.6931]]))
    """
    check_qkv(q, k, v)
    if q_start is not None and q_start < 0:
        raise ValueError(f"q_start must be >= 0, got {q_start}; pass 0 for a block of queries and its own keys")
    acc = accumulation_dtype(q.dtype)
    q, k, v = q.to(acc), k.to(acc), v.to(acc)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., m_q, m_k)
    if q_start is not None:
        m_q, m_k = scores.shape[-2:]
        future = torch.arange(m_k, device=q.device)[None, :] > q_start + torch.arange(m_q, device=q.device)[:, None]
        scores = scores.masked_fill(future, float("-inf"))
    lse = torch.logsumexp(scores, dim=-1)
    return torch.exp(scores - lse[..., None]) @ v, lse  # the softmax, reusing lse


def merge_lse(lses: Sequence[Tensor]) -> Tensor:
    """The log-sum-exp over the union of disjoint key sets, log Σ_i exp(lse_i), from each set's own.

    lses: P >= 1 tensors of one shape, -inf for a set in which a query saw no key -> that shape.

    Example:
        >>> merge_lse([torch.tensor([0.0]), torch.tensor([0.0])])
        tensor([0.6931])
    """
    if not lses:
        raise ValueError("merge_lse needs at least one log-sum-exp; pass a non-empty list")
    lse = lses[0]
    for lse_i in lses[1:]:
        lse = torch.logaddexp(lse, lse_i)
    return lse


def merge_partials(outs: Sequence[Tensor], lses: Sequence[Tensor], lse: Tensor | None = None) -> Tensor:
    """Attention over the union of disjoint key sets, from each set's output and log-sum-exp:
    Σ_i exp(lse_i − lse) out_i with lse = `merge_lse(lses)`.

    outs: P tensors (..., n_q, d_v); lses: P tensors (..., n_q), as `attention_with_lse` returns them ->
    (..., n_q, d_v). Pass `lse` (..., n_q) when the caller needs the merged log-sum-exp too (an online
    update keeps it for the next block), or it is computed here. A query that no set covers (every
    lse_i = -inf) gets zeros. The shares exp(lse_i − lse) carry gradient to every lse_i.

    Example: attention over six keys from its first two and its last four.
        >>> q, k, v = torch.randn(1, 3, 4), torch.randn(1, 6, 4), torch.randn(1, 6, 4)
        >>> out_a, lse_a = attention_with_lse(q, k[:, :2], v[:, :2])
        >>> out_b, lse_b = attention_with_lse(q, k[:, 2:], v[:, 2:])
        >>> out = merge_partials([out_a, out_b], [lse_a, lse_b])
        >>> torch.allclose(out, attention_with_lse(q, k, v)[0], atol=1e-6)
        True
    """
    _check_partials(outs, lses, lse)
    if lse is None:
        lse = merge_lse(lses)
    finite = torch.where(torch.isfinite(lse), lse, torch.zeros_like(lse))[..., None]  # no set covers a query: 0
    del lse  # not held while the outputs are summed (it is the caller's, or not needed)
    out = torch.exp(lses[0][..., None] - finite) * outs[0]
    for out_i, lse_i in zip(outs[1:], lses[1:]):
        out = out + torch.exp(lse_i[..., None] - finite) * out_i
    return out


def _check_partials(outs: Sequence[Tensor], lses: Sequence[Tensor], lse: Tensor | None) -> None:
    """Raise ValueError unless there is one log-sum-exp (..., n_q) per output (..., n_q, d_v), and `lse`, if
    given, is (..., n_q) too."""
    if not outs or len(outs) != len(lses):
        raise ValueError(
            f"need one log-sum-exp per partial output, got {len(outs)} outputs and {len(lses)}; "
            "pass the pairs attention_with_lse returns, at least one"
        )
    for i, (out_i, lse_i) in enumerate(zip(outs, lses)):
        _check_lse_shape(f"lses[{i}]", lse_i, out_i)
    if lse is not None:
        _check_lse_shape("lse", lse, outs[0])


def _check_lse_shape(name: str, lse: Tensor, out: Tensor) -> None:
    want = tuple(out.shape[:-1])
    if tuple(lse.shape) != want:
        hint = "; drop its trailing 1 (lse[..., 0])" if tuple(lse.shape) == (*want, 1) else ""
        raise ValueError(
            f"{name} must have shape (..., n_q) = {want}, its output's shape without the last dimension: "
            f"pass the log-sum-exp attention_with_lse returns with that output; got {tuple(lse.shape)}{hint}"
        )


#: The fused kernels that return a log-sum-exp next to the output, by device type. Both are private
#: ATen ops (`torch.ops.aten.<name>`): `_fused_op` looks them up, and `fused_kernel_problem` says
#: whether one takes given inputs.
FUSED_KERNELS = {
    "cpu": "_scaled_dot_product_flash_attention_for_cpu",  # fp32/fp64/bf16/fp16
    "cuda": "_scaled_dot_product_flash_attention",  # flash: fp16/bf16 only, returns an fp32 logsumexp
}

#: The input dtypes each fused kernel takes.
FUSED_DTYPES = {
    "cpu": (torch.float32, torch.float64, torch.bfloat16, torch.float16),
    "cuda": (torch.float16, torch.bfloat16),
}

#: The flash kernel's largest head size; it also needs a multiple of 8 (PyTorch's SDPA pads the head
#: to one before calling it, we do not).
FLASH_MAX_HEAD_DIM = 256


def _fused_op(device_type: str) -> Callable[..., Any] | None:
    """The fused ATen op for this device type, or None when this torch has none."""
    name = FUSED_KERNELS.get(device_type)
    if name is None:
        return None
    try:
        return getattr(torch.ops.aten, name)
    except (AttributeError, RuntimeError):  # torch.ops raises either for an op this build lacks
        return None


def fused_kernel_problem(q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False) -> str | None:
    """Why PyTorch's fused kernel cannot compute `attention_with_lse` of these inputs, or None when it can.

    The constraints of the kernels in `FUSED_KERNELS`: 4-dimensional q, k, v (B, G, m, d) on one device,
    with one dtype the kernel takes (`FUSED_DTYPES`), one head size for q, k and v, and at least one
    query and key. On CUDA, flash also needs compute capability 8.0 or newer, a head size that is a
    multiple of 8 up to `FLASH_MAX_HEAD_DIM`, a contiguous last dimension, and, with `causal`, as many
    queries as keys: flash aligns its causal mask to the last key (as `core.attention.causal_mask` does),
    `attention_with_lse(q_start=0)` and the CPU kernel to the first, and the two agree only when n_q = n_k.

    Example:
        >>> print(fused_kernel_problem(*(torch.randn(1, 2, 4, 8, dtype=torch.float64) for _ in range(3))))
        None
        >>> fused_kernel_problem(*(torch.randn(2, 4, 8) for _ in range(3)))
        'the fused kernel takes (B, G, m, d) inputs, got 3, 3 and 3 dimensions'
    """
    device = q.device
    if _fused_op(device.type) is None:
        return f"no fused attention kernel for {device.type} in torch {torch.__version__}"
    if not (q.dim() == k.dim() == v.dim() == 4):
        return f"the fused kernel takes (B, G, m, d) inputs, got {q.dim()}, {k.dim()} and {v.dim()} dimensions"
    if not (k.device == v.device == device) or not (q.dtype == k.dtype == v.dtype):
        return "q, k and v are on different devices or of different dtypes"
    if q.dtype not in FUSED_DTYPES[device.type]:
        return f"the {device.type} fused kernel takes {FUSED_DTYPES[device.type]}, not {q.dtype}"
    head_dim = q.shape[-1]
    if not (k.shape[-1] == v.shape[-1] == head_dim):
        return f"the fused kernel needs one head size for q, k and v, got {q.shape[-1]}, {k.shape[-1]}, {v.shape[-1]}"
    if q.shape[-2] == 0 or k.shape[-2] == 0:
        return "the fused kernel needs at least one query and one key"
    if device.type == "cuda":
        if torch.cuda.get_device_capability(device) < (8, 0):
            return "flash attention needs a GPU of compute capability 8.0 or newer"
        if head_dim % 8 or head_dim > FLASH_MAX_HEAD_DIM:
            return (
                f"flash attention needs a head size that is a multiple of 8 up to {FLASH_MAX_HEAD_DIM}, got {head_dim}"
            )
        if any(x.stride(-1) != 1 for x in (q, k, v)):
            return "flash attention needs q, k and v with a contiguous last dimension"
        if causal and q.shape[-2] != k.shape[-2]:
            return "flash attention's causal mask is aligned to the last key: it needs as many queries as keys"
    return None


def _fused_kernel(q: Tensor, k: Tensor, v: Tensor, causal: bool) -> tuple[Tensor, Tensor]:
    """One fused kernel call: q, k, v (B, G, m, d) -> out (B, G, m, d) in q's dtype, lse (B, G, m) in fp32
    (fp64 for fp64). Only for inputs `fused_kernel_problem` accepts."""
    op = _fused_op(q.device.type)
    assert op is not None  # checked by fused_kernel_problem
    out, lse = op(q, k, v, dropout_p=0.0, is_causal=causal)[:2]  # the CUDA op also returns sequence and RNG bookkeeping
    return out, lse[..., : q.shape[-2]].to(accumulation_dtype(q.dtype))


class _FusedSegments(torch.autograd.Function):
    """PyTorch's fused attention kernel (CPU, or flash on CUDA), which also returns the log-sum-exp but
    gives it no gradient.

    The backward pass recomputes the segment with `attention_with_lse` and differentiates that, so the
    gradient through the mixing weights (which depend on lse) is real, not silently dropped.
    q, k, v: (B, G, m, d) -> out (B, G, m, d), lse (B, G, m).
    """

    @staticmethod
    def forward(ctx: Any, q: Tensor, k: Tensor, v: Tensor, causal: bool) -> tuple[Tensor, Tensor]:
        ctx.save_for_backward(q, k, v)
        ctx.causal = causal
        return _fused_kernel(q, k, v, causal)

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor, grad_lse: Tensor) -> tuple[Tensor, Tensor, Tensor, None]:
        q, k, v = (x.detach().requires_grad_() for x in ctx.saved_tensors)
        with torch.enable_grad():
            out, lse = attention_with_lse(q, k, v, q_start=0 if ctx.causal else None)
            grad_q, grad_k, grad_v = torch.autograd.grad(
                (out, lse), (q, k, v), (grad_out.to(out.dtype), grad_lse.to(lse.dtype))
            )
        return grad_q, grad_k, grad_v, None


def segment_attention(
    q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, fused: bool | None = None
) -> tuple[Tensor, Tensor]:
    """Dense attention within each segment, and its log-sum-exp.

    q, k: (B, G, m, d), v: (B, G, m, d_v) -> out (B, G, m, d_v), lse (B, G, m). lse is fp32 for
    bf16/fp16 inputs; out is in q's dtype from a fused kernel, in lse's dtype from the matmul path.
    `fused=None` uses PyTorch's fused kernel where `fused_kernel_problem` finds nothing against it (the
    CPU kernel, faster than matmuls there; flash on CUDA for bf16/fp16) and the matmul path
    elsewhere (same values); `fused=True` raises ValueError where it cannot, `fused=False` never uses it.
    The kernel's own errors (out of memory, ...) propagate. With `causal`, query i sees keys 0 … i, so
    q and k must have as many rows (then this mask and `core.attention.causal_mask`, which aligns
    queries to the last key, agree); `attention_with_lse(q_start=...)` places queries elsewhere.

    Example:
        >>> out, lse = segment_attention(*(torch.randn(2, 3, 16, 8) for _ in range(3)), causal=True)
        >>> out.shape, lse.shape
        (torch.Size([2, 3, 16, 8]), torch.Size([2, 3, 16]))
    """
    check_qkv(q, k, v)
    if causal and q.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"causal segment attention needs as many queries as keys, got {q.shape[-2]} and {k.shape[-2]}; "
            "use attention_with_lse(q, k, v, q_start=...) to place the queries"
        )
    if fused is not False:
        problem = fused_kernel_problem(q, k, v, causal=causal)
        if problem is None:
            return _FusedSegments.apply(q, k, v, causal)
        if fused:
            raise ValueError(f"fused=True, but {problem}; pass fused=None to use matmuls where the kernel cannot run")
    return attention_with_lse(q, k, v, q_start=0 if causal else None)  # kept rows are in position order
