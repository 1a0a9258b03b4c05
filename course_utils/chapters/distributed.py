"""Long context across processes: ring attention and LongNet's distributed dilated attention (ch. 11).

The sequence of n tokens is split over the P ranks of a `torch.distributed` process group: rank p
holds the contiguous slice of m = n / P positions [p·m, (p+1)·m) of q, k and v, `(batch, heads, m, d)`,
and returns the same slice of the output.

- **Ring attention** (Liu et al., "Ring Attention with Blockwise Transformers for Near-Infinite
  Context", 2023): exact dense attention. The key/value blocks travel around the ring of ranks, P − 1
  hops; each rank folds every block into its queries' output with the online-softmax statistics of
  chapter 06 (a running log-sum-exp). Each rank receives (P − 1)·m rows of k and v: grows like n.
- **Distributed dilated attention** (Ding et al., "LongNet", 2023): a pattern (w, r) whose segments
  fit in one rank (w ≤ m) runs locally; a pattern whose segment spans w / m ranks first keeps every
  r-th row of its own keys and values (the sparsification) and all-gathers them over the ranks of the
  segment: w / r rows, whatever n is. The patterns are mixed by log-sum-exp, as in `dilated.py`.

Both merge partial outputs by their log-sum-exps (`course_utils.core.lse_attention.merge_partials`), and
run on `gloo` (CPU processes) and `nccl` (GPUs) unchanged, with gradients through the
communication; `count_communication()` records the bytes the collectives move. The same bytes counted on
paper, and how the sequence splits over the ranks (`tokens_per_rank`, `check_rank_aligned`), are in
`course_utils.chapters.distributed_cost`; launching CPU processes, the exactness check and the measurement
in `course_utils.chapters.distributed_runs`.
`python -m torch.distributed.run --nproc_per_node=N -m course_utils.chapters.distributed check` runs both
algorithms on N processes (GPUs with nccl when there are N of them) against one process.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor
from torch.torch_version import TorchVersion

from course_utils.chapters.distributed_cost import check_rank_aligned, tokens_per_rank
from course_utils.core.attention import attention
from course_utils.core.dilated import dilated_attention, kept_rows, split_segments
from course_utils.core.lse_attention import (
    accumulation_dtype,
    attention_with_lse,
    merge_lse,
    merge_partials,
    segment_attention,
)
from course_utils.core.metrics import relative_max_error

# ----------------------------------------------------------------------------- counting what moves


@dataclass
class CommLog:
    """Bytes this rank sent and received, and one (operation, bytes received) entry per call."""

    sent: int = 0
    received: int = 0
    calls: list[tuple[str, int]] = field(default_factory=list)


#: The logs of the `count_communication` blocks running now (nested blocks each get every byte).
_OPEN_LOGS: list[CommLog] = []


@contextmanager
def count_communication() -> Iterator[CommLog]:
    """Record the bytes that the course's collectives move on this rank while the block runs.

    Example (in each of P processes):
        >>> with count_communication() as log:  # doctest: +SKIP
        ...     ring_attention(q_slice, k_slice, v_slice)
        >>> log.received  # doctest: +SKIP
    """
    log = CommLog()
    _OPEN_LOGS.append(log)
    try:
        yield log
    finally:
        _OPEN_LOGS.remove(log)


def _log_communication(op: str, sent: int, received: int) -> None:
    for log in _OPEN_LOGS:
        log.sent += sent
        log.received += received
        log.calls.append((op, received))


def _nbytes(x: Tensor) -> int:
    return x.numel() * x.element_size()


# ----------------------------------------------------------------------------- collectives with gradients


#: A process group; None is the default group (every rank of the launch).
Group = dist.ProcessGroup | None


def _rank_and_size(group: Group) -> tuple[int, int]:
    return dist.get_rank(group), dist.get_world_size(group)


def _global_rank(group: Group, group_rank: int) -> int:
    return group_rank if group is None else dist.get_global_rank(group, group_rank)


def _send_recv(x: Tensor, destination: int, source: int, group: Group) -> Tensor:
    """Send x to group rank `destination` and receive a tensor of x's shape from group rank `source`."""
    x = x.contiguous()
    received = torch.empty_like(x)
    ops = [
        dist.P2POp(dist.isend, x, _global_rank(group, destination), group),
        dist.P2POp(dist.irecv, received, _global_rank(group, source), group),
    ]
    for request in dist.batch_isend_irecv(ops):
        request.wait()
    _log_communication("send/recv", _nbytes(x), _nbytes(received))
    return received


class _RingPass(torch.autograd.Function):
    """Pass a block to the next rank of the ring, receive the previous rank's; the gradient goes back."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, group: Group) -> Tensor:
        rank, size = _rank_and_size(group)
        ctx.group = group
        return _send_recv(x, (rank + 1) % size, (rank - 1) % size, group)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        rank, size = _rank_and_size(ctx.group)
        return _send_recv(grad, (rank - 1) % size, (rank + 1) % size, ctx.group), None


def _has_reduce_scatter(group: Group) -> bool:
    """Whether the group's backend has reduce_scatter: gloo has it from torch 2.8 (pytorch/pytorch#149869),
    nccl always. Another backend that lacks it raises its own error."""
    return dist.get_backend(group) != "gloo" or TorchVersion(torch.__version__) >= "2.8"


class _AllGather(torch.autograd.Function):
    """Every rank's x, stacked: (size, *x.shape). Backward: each rank gets the sum of every rank's
    gradient for its own piece (a reduce-scatter; an all-reduce where the backend has none)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, group: Group) -> Tensor:
        _, size = _rank_and_size(group)
        ctx.group = group
        x = x.contiguous()
        pieces = [torch.empty_like(x) for _ in range(size)]
        dist.all_gather(pieces, x, group=group)
        _log_communication("all_gather", _nbytes(x) * (size - 1), _nbytes(x) * (size - 1))
        return torch.stack(pieces)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        rank, size = _rank_and_size(ctx.group)
        if _has_reduce_scatter(ctx.group):
            own_grad = torch.empty_like(grad[0])
            dist.reduce_scatter(own_grad, list(grad.contiguous().unbind(0)), group=ctx.group)
        else:
            grad = grad.contiguous()
            dist.all_reduce(grad, group=ctx.group)
            own_grad = grad[rank]
            # a ring all-reduce sends and receives 2 (size - 1) / size of the whole gradient
            moved = 2 * _nbytes(grad) * (size - 1) // size
            _log_communication("all_reduce", moved, moved)
            return own_grad, None
        _log_communication("reduce_scatter", _nbytes(own_grad) * (size - 1), _nbytes(own_grad) * (size - 1))
        return own_grad, None


# ----------------------------------------------------------------------------- splitting the sequence


def shard(x: Tensor, rank: int, world: int) -> Tensor:
    """This rank's contiguous slice of the sequence dimension (dim 2) of x: (B, H, n, e) -> (B, H, n/P, e).

    Example:
        >>> shard(torch.randn(1, 4, 1024, 32), rank=1, world=4).shape
        torch.Size([1, 4, 256, 32])
    """
    m = tokens_per_rank(x.shape[2], world)
    return x[:, :, rank * m : (rank + 1) * m]


def check_distributed_patterns(m: int, world: int, segment_lengths: list[int], dilation_rates: list[int]) -> None:
    """Raise ValueError unless `dilated_attention_distributed` can run every (w, r) on `world` ranks of m
    tokens: the segments are rank-aligned (`check_rank_aligned`) and a pattern that spans ranks has r
    dividing m, so every rank keeps the same number of rows.

    Example:
        >>> check_distributed_patterns(1024, 4, [512, 4096], [1, 4])
        >>> check_distributed_patterns(1024, 4, [512, 4096], [1, 2048])  # counting allows it, the algorithm not
        Traceback (most recent call last):
        ...
        ValueError: the pattern (w=4096, r=2048) spans ranks of m=1024 tokens, so r must divide m; ...
    """
    check_rank_aligned(m, world, segment_lengths, dilation_rates)
    for w, r in zip(segment_lengths, dilation_rates, strict=True):
        if w > m and m % r:
            raise ValueError(
                f"the pattern (w={w}, r={r}) spans ranks of m={m} tokens, so r must divide m; "
                f"choose r dividing {m} or fewer ranks (more tokens each)"
            )


def _check_slices_on_every_rank(q: Tensor, k: Tensor, v: Tensor, group: Group) -> int:
    """Check q, k, v on every rank and that all ranks hold slices of one shape; return m.

    Every rank takes part in one small collective before any raises, so a bad input on one rank is a
    ValueError on all of them, not a hang."""
    problem = None
    if q.dim() != 4 or k.shape != q.shape or v.shape[:3] != q.shape[:3]:
        problem = (
            f"need q, k (batch, heads, m, d) of equal shape and v (batch, heads, m, d_v); got "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    elif not (q.dtype == k.dtype == v.dtype) or not q.is_floating_point():
        problem = f"q, k, v must share one floating dtype, got {q.dtype}, {k.dtype}, {v.dtype}"
    this_rank = (tuple(q.shape), tuple(v.shape), str(q.dtype), problem)
    every_rank: list = [None] * dist.get_world_size(group)
    dist.all_gather_object(every_rank, this_rank, group=group)
    problems = [f"rank {i}: {p[3]}" for i, p in enumerate(every_rank) if p[3]]
    if problems:
        raise ValueError("; ".join(problems) + ": pass every rank its slice of one q, k, v")
    if len({p[:3] for p in every_rank}) > 1:
        raise ValueError(
            "every rank must hold a slice of the same shape and dtype (the world size must divide "
            "the sequence; pad it to a multiple of the world size): got "
            + ", ".join(f"rank {i} q {p[0]} {p[2]}" for i, p in enumerate(every_rank))
        )
    return q.shape[2]


# ----------------------------------------------------------------------------- attention pieces


def ring_attention(q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, group: Group = None) -> Tensor:
    """Exact dense attention over the whole sequence, this rank's slice of it.

    q, k: (batch, heads, m, d), v: (batch, heads, m, d_v), the slice [rank·m, (rank+1)·m) of the
    sequence -> out (batch, heads, m, d_v). P − 1 ring hops of this rank's current k and v block; with
    `causal`, blocks from later ranks are passed on but not attended to. Statistics in fp32 for bf16/fp16.

    Example (in each of P processes):
        >>> out = ring_attention(q_slice, k_slice, v_slice, causal=True)  # doctest: +SKIP
    """
    _check_slices_on_every_rank(q, k, v, group)
    rank, size = _rank_and_size(group)
    acc = accumulation_dtype(q.dtype)
    out = torch.zeros(*q.shape[:3], v.shape[-1], dtype=acc, device=q.device)
    lse = torch.full(q.shape[:3], float("-inf"), dtype=acc, device=q.device)
    block = torch.cat([k, v], dim=-1)  # (B, H, m, d + d_v): one message per hop
    for hop in range(size):
        source = (rank - hop) % size  # the rank whose block we hold now
        if not causal or source <= rank:  # causal: later ranks' keys are all in the future
            k_b, v_b = block.split([k.shape[-1], v.shape[-1]], dim=-1)
            diagonal = causal and source == rank  # our own block: causal inside it
            o_b, lse_b = segment_attention(q, k_b, v_b, causal=diagonal)  # fused where it can: memory O(m)
            o_b, lse_b = o_b.to(acc), lse_b.to(acc)
            merged = merge_lse([lse, lse_b])  # chapter 06's online update: the running lse, then the output
            out = merge_partials([out, o_b], [lse, lse_b], merged)
            lse = merged
        if hop < size - 1:
            block = _RingPass.apply(block, group)
    if causal and size > 1:  # a zero that ties the last block to the output: every rank then runs every
        out = out + 0.0 * block.sum()  # hop's backward, in the same order, or the ring would wait forever
    return out.to(q.dtype)


#: The sub-groups `_segment_group` made, by their global ranks.
_SEGMENT_GROUPS: dict[tuple[int, ...], Group] = {}


def _segment_group(group: Group, ranks_per_segment: int) -> Group:
    """The sub-group of the ranks that hold this rank's segment, made once and kept.

    Only the segment's own ranks create it (`use_local_synchronization`), so several groups can run
    their own patterns at the same time; the cache key is the segment's global ranks."""
    rank, size = _rank_and_size(group)
    if ranks_per_segment == size:
        return group
    start = rank - rank % ranks_per_segment
    members = tuple(_global_rank(group, r) for r in range(start, start + ranks_per_segment))
    if members not in _SEGMENT_GROUPS:
        _SEGMENT_GROUPS[members] = dist.new_group(list(members), use_local_synchronization=True)
    return _SEGMENT_GROUPS[members]


def dilated_attention_distributed(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    segment_lengths: list[int],
    dilation_rates: list[int],
    *,
    causal: bool = False,
    group: Group = None,
) -> Tensor:
    """LongNet's dilated attention over the whole sequence, this rank's slice of it.

    q, k: (batch, heads, m, d), v: (batch, heads, m, d_v), the slice [rank·m, (rank+1)·m) -> out
    (batch, heads, m, d_v), equal to that slice of `dilated_attention` on the gathered sequence.
    Patterns with w <= m run locally; longer ones gather the sparsified keys and values of the ranks of
    their segment (w / r rows).

    Example (in each of P processes):
        >>> out = dilated_attention_distributed(q_slice, k_slice, v_slice, [512, 4096], [1, 4])  # doctest: +SKIP
    """
    m = _check_slices_on_every_rank(q, k, v, group)
    rank, size = _rank_and_size(group)
    check_distributed_patterns(m, size, segment_lengths, dilation_rates)
    batch, heads = q.shape[:2]
    acc = accumulation_dtype(q.dtype)
    outs, lses = [], []
    for w, r in zip(segment_lengths, dilation_rates, strict=True):
        kept = kept_rows(heads, r, q.device)
        span = min(w, m)  # the part of each segment this rank holds
        rows = [split_segments(x, span, r)[kept].flatten(1, 2) for x in (q, k, v)]  # (H, B * m/span, span/r, e)
        if w <= m:
            out, lse = segment_attention(*rows, causal=causal)
            out, lse = out.to(acc), lse.to(acc)[..., None]
        else:
            sub = _segment_group(group, w // m)
            position = rank % (w // m)  # this rank's place in its segment
            kv = _AllGather.apply(torch.cat(rows[1:], dim=-1), sub)  # (w/m, H, B, m/r, d + d_v)
            kv = kv.permute(1, 2, 0, 3, 4).flatten(2, 3)  # (H, B, w/r, d + d_v), in segment order
            k_seg, v_seg = kv.split([k.shape[-1], v.shape[-1]], dim=-1)
            out, lse = attention_with_lse(rows[0], k_seg, v_seg, q_start=position * (m // r) if causal else None)
            lse = lse[..., None]
        placed_out = torch.zeros(batch, heads, m, v.shape[-1], dtype=acc, device=q.device)
        placed_lse = torch.full((batch, heads, m, 1), float("-inf"), dtype=acc, device=q.device)
        split_segments(placed_out, span, r)[kept] = out.unflatten(1, (batch, m // span))
        split_segments(placed_lse, span, r)[kept] = lse.unflatten(1, (batch, m // span))
        outs.append(placed_out)
        lses.append(placed_lse[..., 0])
    return merge_partials(outs, lses).to(q.dtype)


# ----------------------------------------------------------------------------- the launcher's check

#: Largest relative difference `check` accepts (float32 on the device; TF32 is switched off).
CHECK_TOLERANCE = 1e-4


def main(argv: list[str] | None = None) -> int:
    """`python -m torch.distributed.run --nproc_per_node=N -m course_utils.chapters.distributed check`: both
    algorithms on this launch's ranks (nccl on GPUs when there is one per rank, else gloo) against one
    process, in float32; exit code 1 on a rank whose relative difference exceeds CHECK_TOLERANCE."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.chapters.distributed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["check"], help="exactness of both algorithms on this launch")
    parser.parse_args(argv)
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available() and torch.cuda.device_count() >= world_size
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0"))) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = False
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    g = torch.Generator().manual_seed(0)
    n = 1024 * world
    q, k, v = (torch.randn(1, 8, n, 64, generator=g).to(device) for _ in range(3))
    segments, rates = [256, n], [1, n // 256]
    worst = 0.0
    for causal in (False, True):
        dense = attention(q, k, v, causal=causal)[0]
        q_slice, k_slice, v_slice = (shard(x, rank, world) for x in (q, k, v))
        ring = ring_attention(q_slice, k_slice, v_slice, causal=causal)
        dilated = dilated_attention_distributed(q_slice, k_slice, v_slice, segments, rates, causal=causal)
        ring_error = relative_max_error(ring, shard(dense, rank, world), scale=dense)
        reference = dilated_attention(q, k, v, segments, rates, causal=causal)
        dilated_error = relative_max_error(dilated, shard(reference, rank, world), scale=reference)
        worst = max(worst, ring_error, dilated_error)
        print(
            f"rank {rank}/{world} on {device}, n = {n}, causal={causal}: relative max difference ring vs dense "
            f"{ring_error:.1e}, dilated vs one process {dilated_error:.1e}",
            flush=True,
        )
    dist.destroy_process_group()
    return 0 if worst <= CHECK_TOLERANCE else 1


if __name__ == "__main__":
    raise SystemExit(main())
