"""Long context across processes: ring attention and LongNet's distributed dilated attention.

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

Both run on `gloo` (CPU processes) and `nccl` (GPUs) unchanged, with gradients through the
communication. `count_communication()` records the bytes each call sends and receives (the
collectives are wrapped); `ring_bytes` and `dilated_bytes` count them from the algorithm.
`spawn(fn, world)` runs `fn(rank, world, *args)` in `world` CPU processes (gloo) and returns their
results; `python -m torch.distributed.run --nproc_per_node=N -m course_utils.chapters.distributed check`
runs the exactness check on N processes (GPUs with nccl when there are N of them).
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterator

import torch
import torch.distributed as dist
from torch import Tensor

# One concept, two modules: the pattern bookkeeping is dilated.py's own (rows kept per head, fused segments).
from course_utils.core.dilated import acc_dtype, check_patterns, kept_rows, segment_attention, split_segments

# ----------------------------------------------------------------------------- counting what moves

@dataclass
class CommLog:
    """Bytes this rank sent and received, and one (operation, bytes received) entry per call."""

    sent: int = 0
    received: int = 0
    calls: list[tuple[str, int]] = field(default_factory=list)


_LOGS: list[CommLog] = []


@contextmanager
def count_communication() -> Iterator[CommLog]:
    """Record the bytes that the course's collectives move on this rank while the block runs.

    Example: `with count_communication() as log: ring_attention(q, k, v)`, then `log.received`.
    """
    log = CommLog()
    _LOGS.append(log)
    try:
        yield log
    finally:
        _LOGS.remove(log)


def _record(op: str, sent: int, received: int) -> None:
    for log in _LOGS:
        log.sent += sent
        log.received += received
        log.calls.append((op, received))


def _nbytes(x: Tensor) -> int:
    return x.numel() * x.element_size()


# ----------------------------------------------------------------------------- collectives with gradients

def _group_rank_size(group) -> tuple[int, int]:
    return dist.get_rank(group), dist.get_world_size(group)


def _global(group, group_rank: int) -> int:
    return group_rank if group is None else dist.get_global_rank(group, group_rank)


def _send_recv(x: Tensor, to: int, frm: int, group) -> Tensor:
    """Send x to group rank `to` and receive a tensor of x's shape from group rank `frm`."""
    x = x.contiguous()
    received = torch.empty_like(x)
    ops = [dist.P2POp(dist.isend, x, _global(group, to), group), dist.P2POp(dist.irecv, received, _global(group, frm), group)]
    for request in dist.batch_isend_irecv(ops):
        request.wait()
    _record("send/recv", _nbytes(x), _nbytes(received))
    return received


class _RingPass(torch.autograd.Function):
    """Pass a block to the next rank of the ring, receive the previous rank's; the gradient goes back."""

    @staticmethod
    def forward(ctx, x: Tensor, group) -> Tensor:
        rank, size = _group_rank_size(group)
        ctx.group = group
        return _send_recv(x, (rank + 1) % size, (rank - 1) % size, group)

    @staticmethod
    def backward(ctx, grad: Tensor):
        rank, size = _group_rank_size(ctx.group)
        return _send_recv(grad, (rank - 1) % size, (rank + 1) % size, ctx.group), None


class _AllGather(torch.autograd.Function):
    """Every rank's x, stacked: (size, *x.shape). Backward: each rank gets the sum of every rank's
    gradient for its own piece (a reduce-scatter; an all-reduce where the backend has none)."""

    @staticmethod
    def forward(ctx, x: Tensor, group) -> Tensor:
        _, size = _group_rank_size(group)
        ctx.group = group
        x = x.contiguous()
        pieces = [torch.empty_like(x) for _ in range(size)]
        dist.all_gather(pieces, x, group=group)
        _record("all_gather", _nbytes(x) * (size - 1), _nbytes(x) * (size - 1))
        return torch.stack(pieces)

    @staticmethod
    def backward(ctx, grad: Tensor):
        rank, size = _group_rank_size(ctx.group)
        mine = torch.empty_like(grad[0])
        try:
            dist.reduce_scatter(mine, list(grad.contiguous().unbind(0)), group=ctx.group)
        except RuntimeError:  # a backend without reduce-scatter
            grad = grad.contiguous()
            dist.all_reduce(grad, group=ctx.group)
            mine = grad[rank]
        _record("reduce_scatter", _nbytes(mine) * (size - 1), _nbytes(mine) * (size - 1))
        return mine, None


# ----------------------------------------------------------------------------- agreeing on the input

def _agree(q: Tensor, k: Tensor, v: Tensor, group) -> int:
    """Check q, k, v on every rank and that all ranks hold slices of one shape; return m.

    Every rank takes part in one small collective before any raises, so a bad input on one rank is a
    ValueError on all of them, not a hang."""
    problem = None
    if q.dim() != 4 or k.shape != q.shape or v.shape[:3] != q.shape[:3]:
        problem = (f"need q, k (batch, heads, m, d) of equal shape and v (batch, heads, m, d_v); got "
                   f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    elif not (q.dtype == k.dtype == v.dtype) or not q.is_floating_point():
        problem = f"q, k, v must share one floating dtype, got {q.dtype}, {k.dtype}, {v.dtype}"
    mine = (tuple(q.shape), tuple(v.shape), str(q.dtype), problem)
    everyone: list = [None] * dist.get_world_size(group)
    dist.all_gather_object(everyone, mine, group=group)
    problems = [f"rank {i}: {p[3]}" for i, p in enumerate(everyone) if p[3]]
    if problems:
        raise ValueError("; ".join(problems))
    if len({p[:3] for p in everyone}) > 1:
        raise ValueError("every rank must hold a slice of the same shape and dtype (the world size must divide "
                         "the sequence; pad it to a multiple of the world size): got "
                         + ", ".join(f"rank {i} q {p[0]} {p[2]}" for i, p in enumerate(everyone)))
    return q.shape[2]


# ----------------------------------------------------------------------------- attention pieces

def _attend(q: Tensor, k: Tensor, v: Tensor, *, q_start: int | None = None) -> tuple[Tensor, Tensor]:
    """Dense attention and its log-sum-exp in the accumulation dtype: (..., mq, d) x (..., mk, d)
    -> out (..., mq, d_v), lse (..., mq, 1). With `q_start`, query i sits at key index q_start + i and
    sees keys 0 … q_start + i (causal across blocks)."""
    acc = acc_dtype(q.dtype)
    scores = q.to(acc) @ k.to(acc).transpose(-2, -1) / math.sqrt(q.shape[-1])
    if q_start is not None:
        mq, mk = scores.shape[-2:]
        future = torch.arange(mk, device=q.device)[None, :] > q_start + torch.arange(mq, device=q.device)[:, None]
        scores = scores.masked_fill(future, float("-inf"))
    lse = torch.logsumexp(scores, dim=-1, keepdim=True)
    return torch.exp(scores - lse) @ v.to(acc), lse


def _merge(out_a: Tensor, lse_a: Tensor, out_b: Tensor, lse_b: Tensor) -> tuple[Tensor, Tensor]:
    """Two partial softmaxes over disjoint keys, combined exactly (chapter 06's online softmax)."""
    lse = torch.logaddexp(lse_a, lse_b)
    lse_safe = torch.where(torch.isfinite(lse), lse, torch.zeros_like(lse))
    return torch.exp(lse_a - lse_safe) * out_a + torch.exp(lse_b - lse_safe) * out_b, lse


def ring_attention(q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, group=None) -> Tensor:
    """Exact dense attention over the whole sequence, this rank's slice of it.

    q, k: (batch, heads, m, d), v: (batch, heads, m, d_v), the slice [rank·m, (rank+1)·m) of the
    sequence -> out (batch, heads, m, d_v). P − 1 ring hops of this rank's current k and v block; with
    `causal`, blocks from later ranks are passed on but not attended to. Statistics in fp32 for bf16/fp16.
    Example (in each of P processes): `out = ring_attention(q_slice, k_slice, v_slice, causal=True)`
    """
    _agree(q, k, v, group)
    rank, size = _group_rank_size(group)
    acc = acc_dtype(q.dtype)
    out = torch.zeros(*q.shape[:3], v.shape[-1], dtype=acc, device=q.device)
    lse = torch.full((*q.shape[:3], 1), float("-inf"), dtype=acc, device=q.device)
    block = torch.cat([k, v], dim=-1)  # (B, H, m, d + d_v): one message per hop
    for hop in range(size):
        source = (rank - hop) % size  # the rank whose block we hold now
        if not causal or source <= rank:  # causal: later ranks' keys are all in the future
            k_b, v_b = block.split([k.shape[-1], v.shape[-1]], dim=-1)
            diagonal = causal and source == rank  # our own block: causal inside it
            o_b, lse_b = segment_attention(q, k_b, v_b, causal=diagonal)  # fused where it can: memory O(m)
            out, lse = _merge(out, lse, o_b.to(acc), lse_b.to(acc)[..., None])
        if hop < size - 1:
            block = _RingPass.apply(block, group)
    if causal and size > 1:  # a zero that ties the last block to the output: every rank then runs every
        out = out + 0.0 * block.sum()  # hop's backward, in the same order, or the ring would wait forever
    return out.to(q.dtype)


_SEGMENT_GROUPS: dict[tuple, object] = {}


def _segment_group(group, ranks_per_segment: int):
    """The sub-group of the ranks that hold this rank's segment, made once and kept.

    Only the segment's own ranks create it (`use_local_synchronization`), so several groups can run
    their own patterns at the same time; the cache key is the segment's global ranks."""
    rank, size = _group_rank_size(group)
    if ranks_per_segment == size:
        return group
    start = rank - rank % ranks_per_segment
    members = tuple(_global(group, r) for r in range(start, start + ranks_per_segment))
    if members not in _SEGMENT_GROUPS:
        _SEGMENT_GROUPS[members] = dist.new_group(list(members), use_local_synchronization=True)
    return _SEGMENT_GROUPS[members]


def check_distributed_patterns(m: int, world: int, segment_lengths: list[int], dilation_rates: list[int]) -> None:
    """Raise ValueError unless every (w, r) splits evenly over `world` ranks of m tokens each.

    A segment must lie inside one rank (w divides m) or cover whole ranks (m divides w); a pattern that
    spans ranks needs r to divide m, so every rank keeps the same rows.
    Example: `check_distributed_patterns(1024, 4, [512, 4096], [1, 4])`
    """
    check_patterns(m * world, segment_lengths, dilation_rates)
    for w, r in zip(segment_lengths, dilation_rates):
        if w <= m and m % w:
            raise ValueError(f"segments of w={w} straddle ranks of m={m} tokens unevenly; choose w dividing {m} "
                             "or a multiple of it")
        if w > m and (w % m or m % r):
            raise ValueError(f"the pattern (w={w}, r={r}) spans ranks of m={m} tokens: w must be a multiple of m "
                             f"and r must divide m; change the pattern or the world size")


def dilated_attention_distributed(q: Tensor, k: Tensor, v: Tensor, segment_lengths: list[int],
                                  dilation_rates: list[int], *, causal: bool = False, group=None) -> Tensor:
    """LongNet's dilated attention over the whole sequence, this rank's slice of it.

    q, k: (batch, heads, m, d), v: (batch, heads, m, d_v), the slice [rank·m, (rank+1)·m) -> out
    (batch, heads, m, d_v), equal to that slice of `dilated_attention` on the gathered sequence.
    Patterns with w <= m run locally; longer ones gather the sparsified keys and values of the ranks of
    their segment (w / r rows). Example: `dilated_attention_distributed(q, k, v, [512, 4096], [1, 4])`.
    """
    m = _agree(q, k, v, group)
    rank, size = _group_rank_size(group)
    check_distributed_patterns(m, size, segment_lengths, dilation_rates)
    batch, heads = q.shape[:2]
    acc = acc_dtype(q.dtype)
    outs, lses = [], []
    for w, r in zip(segment_lengths, dilation_rates):
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
            out, lse = _attend(rows[0], k_seg, v_seg, q_start=position * (m // r) if causal else None)
        placed_out = torch.zeros(batch, heads, m, v.shape[-1], dtype=acc, device=q.device)
        placed_lse = torch.full((batch, heads, m, 1), float("-inf"), dtype=acc, device=q.device)
        split_segments(placed_out, span, r)[kept] = out.unflatten(1, (batch, m // span))
        split_segments(placed_lse, span, r)[kept] = lse.unflatten(1, (batch, m // span))
        outs.append(placed_out)
        lses.append(placed_lse)
    total = torch.logsumexp(torch.stack(lses), dim=0)
    total = torch.where(torch.isfinite(total), total, torch.zeros_like(total))  # rows no pattern covers
    return sum(torch.exp(l - total) * o for o, l in zip(outs, lses)).to(q.dtype)


# ----------------------------------------------------------------------------- counted from the algorithm

def ring_bytes(n: int, world: int, d: int, *, heads: int = 1, batch: int = 1, bytes_per_number: int = 2) -> int:
    """Bytes of keys and values one rank receives in ring attention's forward pass: (P − 1) blocks of
    m = n / P rows, d keys and d values each. Grows like n at a fixed world size.

    Example: `ring_bytes(2**20, 8, 128, heads=32)`
    """
    if world < 1 or n % world:
        raise ValueError(f"the world size must divide n; got n={n}, world={world}")
    return (world - 1) * (n // world) * 2 * d * heads * batch * bytes_per_number


def dilated_bytes(n: int, world: int, d: int, segment_lengths: list[int], dilation_rates: list[int], *,
                  heads: int = 1, batch: int = 1, bytes_per_number: int = 2) -> int:
    """Bytes of keys and values one rank receives in distributed dilated attention's forward pass:
    for each pattern spanning ranks, the kept rows of the other w / m − 1 ranks of its segment,
    (w − m) / r rows. Flat in n when every w / r is fixed.

    Example: `dilated_bytes(2**20, 8, 128, [2048, 2**20], [1, 512], heads=32)`
    """
    if world < 1 or n % world:
        raise ValueError(f"the world size must divide n; got n={n}, world={world}")
    m = n // world
    check_distributed_patterns(m, world, segment_lengths, dilation_rates)
    rows = sum((w - m) // r for w, r in zip(segment_lengths, dilation_rates) if w > m)
    return rows * 2 * d * heads * batch * bytes_per_number


def memory_per_rank(n: int, world: int, d: int, *, heads: int = 1, bytes_per_number: int = 2,
                    kv_received: int = 0) -> int:
    """Bytes one rank holds for one attention layer's forward: its q, k, v and output slices (4·m·d per
    head) plus the keys and values it received and keeps (`kv_received` bytes). A lower bound: weights,
    other layers' activations and the backward pass come on top.

    Example: `memory_per_rank(2**30, 512, 128, heads=32, kv_received=ring_bytes(2**30, 512, 128, heads=32))`
    """
    if world < 1 or n % world:
        raise ValueError(f"the world size must divide n; got n={n}, world={world}")
    return 4 * (n // world) * d * heads * bytes_per_number + kv_received


def paper_row(n: int, world: int, *, heads: int = 32, d: int = 128, base: int = 2048, ratio: int = 4,
              bytes_per_number: int = 2) -> dict:
    """One row of the on-paper table: per-rank forward memory and bytes received for one attention layer,
    ring (two k/v blocks held at a time) against dilated attention with `geometric_patterns(n, base, ratio)`
    (every gathered row kept). bf16 numbers by default; heads x d = 4096 as in a 7B-class model.

    Example: `paper_row(2**30, 512)["dilated_memory"] / 2**30` -> GiB per GPU
    """
    from course_utils.core.dilated import geometric_patterns

    m = n // world
    patterns = geometric_patterns(n, base=base, ratio=ratio)
    ring_received = ring_bytes(n, world, d, heads=heads, bytes_per_number=bytes_per_number)
    dilated_received = dilated_bytes(n, world, d, *patterns, heads=heads, bytes_per_number=bytes_per_number)
    block = m * 2 * d * heads * bytes_per_number
    return {"n": n, "world": world, "m": m, "patterns": len(patterns[0]),
            "ring_received": ring_received, "dilated_received": dilated_received,
            "ring_memory": memory_per_rank(n, world, d, heads=heads, bytes_per_number=bytes_per_number,
                                           kv_received=2 * block if world > 1 else 0),
            "dilated_memory": memory_per_rank(n, world, d, heads=heads, bytes_per_number=bytes_per_number,
                                              kv_received=dilated_received)}


def measure_rank(rank: int, world: int, lengths: tuple[int, ...], d: int = 32, heads: int = 4,
                 local_segment: int = 64, *, group=None) -> list[dict]:
    """For each n: bytes received, peak bytes of the tensors created (`traffic.count_traffic`) and seconds
    of one forward call on this rank, for ring attention and for dilated attention with patterns
    ([local_segment, n], [1, n / local_segment]) (w / r fixed). For `spawn` or `run_on_subgroups`
    (rank and world are then the group's); one thread per process.
    """
    import time

    from course_utils.chapters.traffic import count_traffic

    rows = []
    for n in lengths:
        g = torch.Generator().manual_seed(n)
        q, k, v = (shard(torch.randn(1, heads, n, d, generator=g), rank, world) for _ in range(3))
        row = {"n": n, "world": world}
        calls = {"ring": lambda: ring_attention(q, k, v, group=group),
                 "dilated": lambda: dilated_attention_distributed(q, k, v, [local_segment, n], [1, n // local_segment],
                                                                  group=group)}
        for name, call in calls.items():
            with torch.no_grad():
                call()  # warm-up (sub-groups, allocator)
                with count_communication() as log:
                    start = time.perf_counter()
                    call()
                    row[f"{name}_seconds"] = time.perf_counter() - start
                row[f"{name}_peak"] = count_traffic(call).peak_live
            row[f"{name}_received"] = log.received
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- processes

def _worker(rank: int, world: int, init_file: str, fn: Callable, args: tuple, results) -> None:
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world,
                            timeout=timedelta(seconds=60))
    torch.set_num_threads(1)
    try:
        results.put((rank, "ok", fn(rank, world, *args)))
    except Exception as error:  # noqa: BLE001 - sent back to the parent, which raises it
        results.put((rank, "error", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"))
    finally:
        _SEGMENT_GROUPS.clear()
        dist.destroy_process_group()


def spawn(fn: Callable, world: int, *args, timeout: float = 120.0) -> list:
    """Run `fn(rank, world, *args)` in `world` new CPU processes joined by a gloo process group.

    `fn` must be importable (a module-level function). Returns the list of the ranks' return values,
    rank order. Raises RuntimeError with the failing ranks' errors, TimeoutError if a rank hangs (all
    processes are then killed).
    Example: `spawn(course_utils.chapters.distributed.exactness_check, 2)`
    """
    if world < 1:
        raise ValueError(f"world must be at least 1, got {world}")
    context = torch.multiprocessing.get_context("spawn")
    results = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        init_file = os.path.join(folder, "init")
        processes = [context.Process(target=_worker, args=(rank, world, init_file, fn, args, results), daemon=True)
                     for rank in range(world)]
        for process in processes:
            process.start()
        collected = {}
        try:
            for _ in range(world):
                rank, status, value = results.get(timeout=timeout)
                collected[rank] = (status, value)
        except Exception as error:  # queue.Empty: a rank hangs
            raise TimeoutError(f"no result from ranks {sorted(set(range(world)) - set(collected))} within "
                               f"{timeout:.0f} s") from error
        finally:
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
    failed = {r: v for r, (s, v) in collected.items() if s == "error"}
    if failed:
        raise RuntimeError("\n".join(f"rank {r}: {v}" for r, v in sorted(failed.items())))
    return [collected[r][1] for r in range(world)]


def run_on_subgroups(rank: int, world: int, sizes: tuple[int, ...], fn: Callable, *args, **kwargs) -> dict[int, object]:
    """For each size P in `sizes`: split the world into groups of P consecutive ranks and run
    `fn(group_rank, P, *args, group=g, **kwargs)` on this rank's group g, all groups at once.

    Returns {P: this rank's result}. One launch of 4 processes then checks worlds 1, 2 and 4 (the
    whole world runs on the default group). For `spawn`, e.g.
    `spawn(run_on_subgroups, 4, (1, 2, 4), exactness_check)`.
    """
    for size in sizes:  # all checked before any collective, so every rank raises at the same point
        if size < 1 or world % size:
            raise ValueError(f"group size {size} does not divide the world of {world} ranks; choose a divisor")
    results = {}
    for size in sizes:
        if size == world:
            group = None
        else:  # every rank creates every group, in the same order (new_group is collective)
            groups = [dist.new_group(list(range(s, s + size))) for s in range(0, world, size)]
            group = groups[rank // size]
        results[size] = fn(rank % size, size, *args, group=group, **kwargs)
    return results


def shard(x: Tensor, rank: int, world: int) -> Tensor:
    """This rank's contiguous slice of the sequence dimension (dim 2) of x: (B, H, n, e) -> (B, H, n/P, e)."""
    if x.shape[2] % world:
        raise ValueError(f"the world size {world} does not divide the sequence length {x.shape[2]}; pad it")
    m = x.shape[2] // world
    return x[:, :, rank * m:(rank + 1) * m]


#: Pattern sets the exactness check runs at m = 16 tokens per rank: local only, one pattern spanning every
#: rank, and a mix (w = 16·P spans all ranks, w = 32 spans two when P >= 2).
def check_pattern_sets(world: int) -> list[tuple[list[int], list[int]]]:
    """Pattern sets valid for `world` ranks of 16 tokens (see `exactness_check`)."""
    n = 16 * world
    sets = [([8, 16], [1, 2]), ([4, n], [1, 4])]
    if world >= 2:
        sets.append(([8, 32, n], [1, 2, 8]))
    return sets


def exactness_check(rank: int, world: int, dtype: torch.dtype = torch.float64, *, group=None) -> dict[str, float]:
    """Both algorithms on `world` ranks against their single-process versions: the largest |difference|
    of this rank's output slice and of its q, k, v gradients, per case. For `spawn`, `run_on_subgroups`
    (rank and world are then the group's) or a launcher.

    Each rank builds the same full q, k, v (seeded), keeps its slice, runs the distributed call and
    backpropagates a fixed random loss; the reference runs the same on the full sequence.
    """
    from course_utils.core.dilated import dilated_attention

    g = torch.Generator().manual_seed(0)
    n = 16 * world
    full = [torch.randn(2, 3, n, 8, generator=g, dtype=torch.float64).to(dtype) for _ in range(4)]  # q, k, v, dout
    errors = {}
    cases = [("ring", None)] + [("dilated", p) for p in check_pattern_sets(world)]
    for name, patterns in cases:
        for causal in (False, True):
            ref_in = [x.clone().requires_grad_() for x in full[:3]]
            if name == "ring":
                ref = torch.softmax((ref_in[0] @ ref_in[1].transpose(-2, -1) / math.sqrt(8)).masked_fill(
                    torch.ones(n, n, dtype=torch.bool).triu(1) if causal else torch.zeros(n, n, dtype=torch.bool),
                    float("-inf")), dim=-1) @ ref_in[2]
            else:
                ref = dilated_attention(*ref_in, *patterns, causal=causal)
            (ref * full[3]).sum().backward()
            mine = [shard(x, rank, world).detach().clone().requires_grad_() for x in full[:3]]
            if name == "ring":
                out = ring_attention(*mine, causal=causal, group=group)
            else:
                out = dilated_attention_distributed(*mine, *patterns, causal=causal, group=group)
            (out * shard(full[3], rank, world)).sum().backward()
            label = f"{name} {patterns or ''} causal={causal}"
            errors[label + " out"] = (out - shard(ref, rank, world)).abs().max().item()
            errors[label + " grad"] = max((a.grad - shard(b.grad, rank, world)).abs().max().item()
                                          for a, b in zip(mine, ref_in))
    return errors


#: Largest relative difference `check` accepts (float32 on the device; TF32 is switched off).
CHECK_TOLERANCE = 1e-4


def main(argv: list[str] | None = None) -> int:
    """`python -m torch.distributed.run --nproc_per_node=N -m course_utils.chapters.distributed check`: both
    algorithms on this launch's ranks (nccl on GPUs when there is one per rank, else gloo) against one
    process, in float32; exit code 1 on a rank whose relative difference exceeds CHECK_TOLERANCE."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.chapters.distributed", description=__doc__.split("\n")[0])
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
    from course_utils.core.dilated import dilated_attention

    g = torch.Generator().manual_seed(0)
    n = 1024 * world
    q, k, v = (torch.randn(1, 8, n, 64, generator=g).to(device) for _ in range(3))
    patterns = ([256, n], [1, n // 256])
    worst = 0.0
    for causal in (False, True):
        dense = torch.softmax((q @ k.transpose(-2, -1) / 8.0).masked_fill(
            torch.ones(n, n, dtype=torch.bool, device=device).triu(1) if causal else
            torch.zeros(n, n, dtype=torch.bool, device=device), float("-inf")), dim=-1) @ v
        mine = [shard(x, rank, world) for x in (q, k, v)]
        ring = ring_attention(*mine, causal=causal)
        dil = dilated_attention_distributed(*mine, *patterns, causal=causal)
        ring_error = ((ring - shard(dense, rank, world)).abs().max() / dense.abs().max()).item()
        reference = dilated_attention(q, k, v, *patterns, causal=causal)
        dil_error = ((dil - shard(reference, rank, world)).abs().max() / reference.abs().max()).item()
        worst = max(worst, ring_error, dil_error)
        print(f"rank {rank}/{world} on {device}, n = {n}, causal={causal}: relative max difference ring vs dense "
              f"{ring_error:.1e}, dilated vs one process {dil_error:.1e}", flush=True)
    dist.destroy_process_group()
    return 0 if worst <= CHECK_TOLERANCE else 1


if __name__ == "__main__":
    raise SystemExit(main())
