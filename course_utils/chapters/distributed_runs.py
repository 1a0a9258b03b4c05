"""Distributed attention on real CPU processes: launching them, checking exactness, measuring a run (ch. 11).

`spawn(fn, world)` runs `fn(rank, world, *args)` in `world` new CPU processes joined by a gloo process
group and returns their results; `run_on_subgroups` splits one launch into groups of several sizes, so
one launch of 4 processes checks worlds 1, 2 and 4 at once (starting processes dominates a small run on a
laptop, even forked from a server that imported torch once: `course_utils.core.processes`).
`exactness_check` and `measure_rank` are what notebook 11 and the tests run there.
"""

from __future__ import annotations

import os
import queue
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import torch
import torch.distributed as dist

from course_utils.chapters.distributed import (
    Group,
    count_communication,
    dilated_attention_distributed,
    ring_attention,
    shard,
)
from course_utils.chapters.traffic import count_traffic
from course_utils.core.attention import attention
from course_utils.core.dilated import dilated_attention
from course_utils.core.processes import fresh_process_context

# ----------------------------------------------------------------------------- launching


def _worker(rank: int, world: int, init_file: str, fn: Callable[..., Any], args: tuple, results: Any) -> None:
    """One spawned process: join the gloo group, run fn(rank, world, *args), put (rank, status, value) in `results`."""
    dist.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=world, timeout=timedelta(seconds=60)
    )
    torch.set_num_threads(1)
    try:
        results.put((rank, "ok", fn(rank, world, *args)))
    except Exception as error:  # sent back to the parent, which raises it
        results.put((rank, "error", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"))
    finally:
        dist.destroy_process_group()


def spawn(fn: Callable[..., Any], world: int, *args: Any, timeout: float = 120.0) -> list:
    """Run `fn(rank, world, *args)` in `world` new CPU processes joined by a gloo process group.

    `fn` must be importable (a module-level function). Returns the list of the ranks' return values,
    rank order. Raises RuntimeError with the failing ranks' errors, TimeoutError if a rank hangs (all
    processes are then killed).

    Example:
        >>> errors = spawn(exactness_check, 2)  # doctest: +SKIP
    """
    if world < 1:
        raise ValueError(f"world must be at least 1, got {world}; pass the number of processes to start, e.g. 2")
    context = fresh_process_context()
    results = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        init_file = os.path.join(folder, "init")
        processes = [
            context.Process(target=_worker, args=(rank, world, init_file, fn, args, results), daemon=True)
            for rank in range(world)
        ]
        for process in processes:
            process.start()
        collected = {}
        try:
            for _ in range(world):
                rank, status, value = results.get(timeout=timeout)
                collected[rank] = (status, value)
        except queue.Empty as error:  # a rank hangs (an error in a rank comes back as its result)
            raise TimeoutError(
                f"no result from ranks {sorted(set(range(world)) - set(collected))} within {timeout:.0f} s"
            ) from error
        finally:
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
    failed = {r: v for r, (s, v) in collected.items() if s == "error"}
    if failed:
        raise RuntimeError("\n".join(f"rank {r}: {v}" for r, v in sorted(failed.items())))
    return [collected[r][1] for r in range(world)]


def run_on_subgroups(
    rank: int, world: int, sizes: tuple[int, ...], fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> dict[int, Any]:
    """For each size P in `sizes`: split the world into groups of P consecutive ranks and run
    `fn(group_rank, P, *args, group=g, **kwargs)` on this rank's group g, all groups at once.

    Returns {P: this rank's result}. One launch of 4 processes then checks worlds 1, 2 and 4 (the
    whole world runs on the default group). For `spawn`:

    Example:
        >>> by_world = spawn(run_on_subgroups, 4, (1, 2, 4), exactness_check)  # doctest: +SKIP
    """
    for size in sizes:  # all checked before any collective, so every rank raises at the same point
        if size < 1 or world % size:
            raise ValueError(f"group size {size} does not divide the world of {world} ranks; choose a divisor")
    results = {}
    for size in sizes:
        group: Group
        if size == world:
            group = None
        else:  # every rank creates every group, in the same order (new_group is collective)
            groups = [dist.new_group(list(range(s, s + size))) for s in range(0, world, size)]
            group = groups[rank // size]
        results[size] = fn(rank % size, size, *args, group=group, **kwargs)
    return results


# ----------------------------------------------------------------------------- exactness


def exactness_pattern_sets(world: int) -> list[tuple[list[int], list[int]]]:
    """The pattern sets `exactness_check` runs on `world` ranks of 16 tokens: local only, one pattern
    spanning every rank, and a mix (w = 16·P spans all ranks, w = 32 spans two when P >= 2).

    Example:
        >>> exactness_pattern_sets(2)
        [([8, 16], [1, 2]), ([4, 32], [1, 4]), ([8, 32, 32], [1, 2, 8])]
    """
    n = 16 * world
    sets = [([8, 16], [1, 2]), ([4, n], [1, 4])]
    if world >= 2:
        sets.append(([8, 32, n], [1, 2, 8]))
    return sets


def exactness_check(
    rank: int, world: int, dtype: torch.dtype = torch.float64, *, group: Group = None
) -> dict[str, float]:
    """Both algorithms on `world` ranks against their single-process versions: the largest |difference|
    of this rank's output slice and of its q, k, v gradients, per case. For `spawn`, `run_on_subgroups`
    (rank and world are then the group's) or a launcher.

    Each rank builds the same full q, k, v (seeded), keeps its slice, runs the distributed call and
    backpropagates a fixed random loss; the reference runs the same on the full sequence.

    Example: it starts worker processes (tests/test_distributed_runs.py runs it).
        >>> max(spawn(exactness_check, 2)[0].values()) < 1e-14  # doctest: +SKIP
        True
    """
    g = torch.Generator().manual_seed(0)
    n = 16 * world
    full = [torch.randn(2, 3, n, 8, generator=g, dtype=torch.float64).to(dtype) for _ in range(4)]  # q, k, v, dout
    errors = {}
    cases: list[tuple[list[int], list[int]] | None] = [None, *exactness_pattern_sets(world)]  # None: the ring
    for patterns in cases:
        for causal in (False, True):
            q, k, v = (x.clone().requires_grad_() for x in full[:3])
            if patterns is None:
                ref = attention(q, k, v, causal=causal)[0]
            else:
                ref = dilated_attention(q, k, v, *patterns, causal=causal)
            ref_grads = torch.autograd.grad((ref * full[3]).sum(), (q, k, v))
            q, k, v = (shard(x, rank, world).detach().clone().requires_grad_() for x in full[:3])
            if patterns is None:
                out = ring_attention(q, k, v, causal=causal, group=group)
            else:
                out = dilated_attention_distributed(q, k, v, *patterns, causal=causal, group=group)
            grads = torch.autograd.grad((out * shard(full[3], rank, world)).sum(), (q, k, v))
            label = f"{'ring' if patterns is None else 'dilated'} {patterns or ''} causal={causal}"
            errors[label + " out"] = (out - shard(ref, rank, world)).abs().max().item()
            errors[label + " grad"] = max(
                (a - shard(b, rank, world)).abs().max().item() for a, b in zip(grads, ref_grads, strict=True)
            )
    return errors


# ----------------------------------------------------------------------------- measuring


def measure_rank(
    rank: int,
    world: int,
    lengths: tuple[int, ...],
    d: int = 32,
    heads: int = 4,
    local_segment: int = 64,
    *,
    group: Group = None,
) -> list[dict]:
    """For each n: bytes received, peak bytes of the tensors created (`traffic.count_traffic`) and seconds
    of one forward call on this rank, for ring attention and for dilated attention with patterns
    ([local_segment, n], [1, n / local_segment]) (w / r fixed). For `spawn` or `run_on_subgroups`
    (rank and world are then the group's); one thread per process.

    Example:
        >>> rank_0_at_1024 = spawn(measure_rank, 4, (512, 1024))[0][1]  # doctest: +SKIP
        >>> rank_0_at_1024["ring_received"]  # doctest: +SKIP
    """
    rows = []
    for n in lengths:
        g = torch.Generator().manual_seed(n)
        q, k, v = (shard(torch.randn(1, heads, n, d, generator=g), rank, world) for _ in range(3))
        row: dict[str, float] = {"n": n, "world": world}
        calls = {
            "ring": partial(ring_attention, q, k, v, group=group),
            "dilated": partial(
                dilated_attention_distributed, q, k, v, [local_segment, n], [1, n // local_segment], group=group
            ),
        }
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
