"""Time and peak memory of attention implementations against the sequence length n.

Implementations: "naive" (`course_utils.chapters.flash.budgeted_attention`: the course's `attention`, which
materialises the n x n scores, refusing sizes over a memory budget), "sdpa"
(`torch.nn.functional.scaled_dot_product_attention`; the flash backend is requested for fp16/bf16 on CUDA,
PyTorch's default dispatch is used otherwise), "online"
(`course_utils.chapters.flash.online_softmax_attention`) and "dilated" (`course_utils.core.dilated.dilated_attention`
with the given segment lengths and rates, or `geometric_patterns(n)` when none are given). The
backend used is recorded in each row.

Peak memory, measured, not estimated: on CUDA `torch.cuda.max_memory_allocated` above what was
allocated before the call; on the CPU the rise of the process's peak resident set
(`course_utils.chapters.memory_probe`, with a note in the row where only a lower bound is available).
Rows and their CSV files: `course_utils.chapters.bench_results`; FLOPs: `course_utils.chapters.flops`.

The device defaults to the CPU (`--device cuda` or `auto` to use a GPU); the CSV defaults to
bench_<device>.csv in the current folder.

    python -m course_utils.chapters.bench
    python -m course_utils.chapters.bench --device cpu --ns 512 1024 2048 --out notebooks/results/bench_cpu.csv
    python -m course_utils.chapters.bench --device cuda --dtype bfloat16 --ns 4096 8192 ... 262144
    python -m course_utils.chapters.bench --impls dilated --segments 256 512 1024 --rates 1 2 4 --ns 1024 65536
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, replace
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention import SDPBackend, sdpa_kernel

from course_utils.chapters.bench_results import BenchRow, device_slug, new_row, write_csv
from course_utils.chapters.flash import (
    SCORE_BUDGET_BYTES,
    ScoreBudgetError,
    budgeted_attention,
    online_softmax_attention,
)
from course_utils.chapters.flops import dilated_flops
from course_utils.chapters.memory_probe import CpuPeak
from course_utils.core.device import add_device_argument, pick_device
from course_utils.core.dilated import dilated_attention, geometric_patterns

IMPLS = ("naive", "sdpa", "online", "dilated")
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
#: A score budget that every score matrix fits: the naive impl is never refused.
NO_SCORE_LIMIT = 2**62
#: Size of the warm-up call made before the memory measurement.
WARMUP_N = 64


def score_budget(device: torch.device) -> int:
    """The naive impl's default score-matrix budget: `SCORE_BUDGET_BYTES` on the CPU; on a GPU a third of
    its memory, because the naive forward holds three n x n tensors at its peak (scores, their exp, weights).

    Example: `score_budget(torch.device("cuda"))` -> about 26.7 GiB on an 80 GB H100
    """
    if device.type != "cuda":
        return SCORE_BUDGET_BYTES
    return torch.cuda.get_device_properties(device).total_memory // 3


def online_block_size(device: torch.device) -> int:
    """Keys per block of the online softmax: 512 on a GPU (fewer, larger kernels), 128 on the CPU (stays in cache)."""
    return 512 if device.type == "cuda" else 128


def _wants_flash(device: torch.device, dtype: torch.dtype) -> bool:
    """Whether SDPA's flash backend is requested: for fp16/bf16 on CUDA (it has no fp32 kernel)."""
    return device.type == "cuda" and dtype in (torch.float16, torch.bfloat16)


def backend_name(impl: str, device: torch.device, dtype: torch.dtype, segments: list[int], rates: list[int]) -> str:
    """What a row records as its backend: SDPA's dispatch, the dilated patterns, else the impl's name.

    Example: `backend_name("dilated", torch.device("cpu"), torch.float32, [64, 128], [1, 2])` -> "w=64 128 r=1 2"
    """
    if impl == "sdpa" and _wants_flash(device, dtype):
        return "flash (SDPBackend.FLASH_ATTENTION)"
    if impl == "sdpa":
        return f"default {device.type.upper()} dispatch"
    if impl == "dilated":
        return f"w={' '.join(map(str, segments))} r={' '.join(map(str, rates))}"
    return impl


def run_impl(
    impl: str,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    *,
    causal: bool,
    max_score_bytes: int,
    segments: list[int],
    rates: list[int],
) -> Tensor:
    """One forward call of `impl`: q, k, v (1, heads, n, d) -> (1, heads, n, d).

    Example: `run_impl("sdpa", q, k, v, causal=True, max_score_bytes=NO_SCORE_LIMIT, segments=[n], rates=[1])`
    """
    if impl == "naive":
        return budgeted_attention(q, k, v, causal=causal, max_score_bytes=max_score_bytes)[0]
    if impl == "online":
        return online_softmax_attention(q, k, v, causal=causal, block_size=online_block_size(q.device))
    if impl == "dilated":
        return dilated_attention(q, k, v, segments, rates, causal=causal)
    # sdpa_kernel(...) is a one-shot context manager: a fresh one for every call
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION) if _wants_flash(q.device, q.dtype) else nullcontext():
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def random_qkv(heads: int, n: int, d: int, dtype: str, device: torch.device, *, seed: int = 0) -> tuple[Tensor, ...]:
    """q, k, v, each (1, heads, n, d) standard normal in `dtype` on `device`, the same for the same seed.

    Example: `q, k, v = random_qkv(8, 4096, 64, "bfloat16", torch.device("cuda"))`
    """
    g = torch.Generator(device=device).manual_seed(seed)
    return tuple(torch.randn(1, heads, n, d, generator=g, device=device).to(DTYPES[dtype]) for _ in range(3))


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)  # GPU kernels run asynchronously: wait for them before reading the clock


def median_seconds(call: Callable[[], object], repeats: int, device: torch.device) -> float:
    """Median wall time of `repeats` calls, each waited for on a GPU. Example: `median_seconds(f, 3, device)`"""
    times = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        call()
        _sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(call: Callable[[], object], device: torch.device) -> tuple[float, str]:
    """Bytes one call adds at its peak, and a note when that is not the exact method (see `CpuPeak`).

    Example: `peak_bytes, note = peak_memory(lambda: f(x), torch.device("cpu"))`
    """
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        call()
        _sync(device)
        return float(torch.cuda.max_memory_allocated(device) - before), ""
    peak = CpuPeak()
    peak.start()
    call()
    return peak.stop(), peak.note


def _warm_up(impl: str, q: Tensor, causal: bool) -> None:
    """One call at `WARMUP_N` tokens (dense for the dilated impl), so that the thread pool and the kernels'
    one-time buffers exist before the memory measurement starts."""
    small = q[:, :, :WARMUP_N].contiguous()
    w = small.shape[2]
    run_impl(impl, small, small, small, causal=causal, max_score_bytes=NO_SCORE_LIMIT, segments=[w], rates=[1])


def _check_arguments(impl: str, n: int, dtype: str, repeats: int) -> None:
    if impl not in IMPLS:
        raise ValueError(f"unknown impl {impl!r}; choose one of {IMPLS}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {sorted(DTYPES)}")
    if n < 1 or repeats < 1:
        raise ValueError(f"need n >= 1 and repeats >= 1, got n={n}, repeats={repeats}")


def _patterns(impl: str, n: int, segments: list[int] | None, rates: list[int] | None) -> tuple[list[int], list[int]]:
    """The dilated impl's (segment lengths, rates), `geometric_patterns(n)` when neither is given; for the
    other impls the one pattern that is dense attention, ([n], [1])."""
    if impl != "dilated":
        return [n], [1]
    if bool(segments) != bool(rates):
        raise ValueError(
            "the dilated impl needs both segments=[w, ...] and rates=[r, ...], or neither "
            "(then geometric_patterns(n) is used)"
        )
    return (list(segments), list(rates)) if segments and rates else geometric_patterns(n)


def time_and_memory(
    impl: str,
    n: int,
    *,
    heads: int = 1,
    d: int = 64,
    dtype: str = "float32",
    causal: bool = False,
    device: str = "cpu",
    repeats: int = 3,
    max_score_bytes: int | None = None,
    segments: list[int] | None = None,
    rates: list[int] | None = None,
) -> BenchRow:
    """Peak memory of one call, then the median time of `repeats` calls, on q, k, v = `random_qkv(heads, n, d)`.

    A warm-up call at `WARMUP_N` tokens comes first, so one-time allocations (thread pool, kernel scratch)
    are not counted as the method's memory. `segments` and `rates` are the dilated impl's patterns
    (default `geometric_patterns(n)`); `max_score_bytes` is the naive impl's budget (None: `score_budget`
    of the device; `NO_SCORE_LIMIT`: none). An impl refused by its budget or out of GPU memory gives a row
    with that status.
    Example: `time_and_memory("online", 2048)`, `time_and_memory("dilated", 4096, segments=[1024], rates=[2])`
    """
    _check_arguments(impl, n, dtype, repeats)
    segments, rates = _patterns(impl, n, segments, rates)
    dev = pick_device(device) if device in ("cpu", "cuda") else torch.device(device)
    budget = score_budget(dev) if max_score_bytes is None else max_score_bytes
    backend = backend_name(impl, dev, DTYPES[dtype], segments, rates)
    row = new_row(dev, impl=impl, n=n, heads=heads, d=d, dtype=dtype, causal=causal, backend=backend)
    q, k, v = random_qkv(heads, n, d, dtype, dev)
    call = partial(run_impl, impl, q, k, v, causal=causal, max_score_bytes=budget, segments=segments, rates=rates)
    try:
        with torch.no_grad():
            _warm_up(impl, q, causal)
            row.peak_bytes, row.note = peak_memory(call, dev)
            row.seconds = median_seconds(call, repeats, dev)
    except ScoreBudgetError:
        return replace(row, status="refused")
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        return replace(row, status="out of memory")
    row.tflops = dilated_flops(n, d, heads, segments, rates, causal=causal) / row.seconds / 1e12  # dense: ([n], [1])
    return row


def measure_isolated(impl: str, n: int, *, threads: int | None = None, **kwargs) -> BenchRow:
    """`time_and_memory(impl, n, **kwargs)` in a fresh Python process, so that memory freed by earlier calls
    and kept by the allocator cannot hide this call's peak (the CPU measures a resident-set high-water mark).

    The child gets `threads` CPU threads (default: this process's, so a notebook's setting reaches it) and
    the C library's default malloc (MALLOC_* variables removed: they change what the resident set measures).
    A failing child raises RuntimeError with the end of its error output.
    Example: `measure_isolated("online", 4096, repeats=1)`
    """
    spec = json.dumps({"impl": impl, "n": n, **kwargs})
    command = [sys.executable, "-m", "course_utils.chapters.bench"]
    command += ["--threads", str(threads or torch.get_num_threads()), "--spec", spec]
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    child = subprocess.run(command, capture_output=True, text=True, env=env)
    if child.returncode != 0:
        tail = "\n".join(child.stderr.strip().splitlines()[-20:])
        raise RuntimeError(f"the isolated measurement {spec} failed (exit {child.returncode}):\n{tail}")
    return BenchRow(**json.loads(child.stdout.splitlines()[-1]))  # the child prints its row as JSON


def print_row(row: BenchRow) -> None:
    """One progress line for a measurement: impl, n, time, peak memory, throughput and status."""
    print(
        f"{row.impl:6s} n={row.n:7d}  {row.seconds * 1e3:10.2f} ms  {row.peak_bytes / 2**20:10.1f} MiB  "
        f"{row.tflops:7.2f} TFLOP/s  {row.status}",
        flush=True,
    )


def sweep(
    impls: list[str], ns: list[int], *, progress: bool = False, isolate: bool = False, **kwargs
) -> list[BenchRow]:
    """Measure every impl at every n (each in its own process with `isolate`); after an impl fails
    at some n, larger n are recorded as skipped. `kwargs` go to `time_and_memory`.

    Example: `rows = sweep(["naive", "online"], [512, 1024])`
    """
    rows = []
    for impl in impls:
        failed: BenchRow | None = None
        for n in sorted(ns):
            if failed is not None:
                rows.append(replace(failed, n=n, status=f"skipped ({failed.status} at n={failed.n})"))
                continue
            row = (measure_isolated if isolate else time_and_memory)(impl, n, **kwargs)
            if row.status != "ok":
                failed = row
            rows.append(row)
            if progress:
                print_row(row)
    return rows


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.chapters.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_device_argument(parser, default="cpu", help="cpu (default), cuda, or auto (cuda when available)")
    parser.add_argument(
        "--impls",
        nargs="+",
        default=list(IMPLS),
        choices=IMPLS,
        help="default: all; dilated without --segments/--rates uses geometric_patterns(n)",
    )
    parser.add_argument("--ns", nargs="+", type=int, default=[512, 1024, 2048, 4096])
    parser.add_argument("--heads", type=int, default=1)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--max-score-gib",
        type=float,
        default=None,
        help=f"memory budget of the naive score matrix, GiB (default: {SCORE_BUDGET_BYTES / 2**30:g} "
        "on the CPU, a third of the GPU's memory on CUDA)",
    )
    parser.add_argument("--segments", nargs="+", type=int, help="dilated impl: segment lengths w")
    parser.add_argument("--rates", nargs="+", type=int, help="dilated impl: dilation rates r")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: PyTorch's)")
    parser.add_argument("--out", default=None, help="CSV file to write (default: bench_<device>.csv here)")
    parser.add_argument(
        "--spec", default=None, help="one measurement: time_and_memory's arguments as JSON; prints its row as JSON"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.spec:  # measure_isolated's child
        print(json.dumps(asdict(time_and_memory(**json.loads(args.spec)))))
        return
    if bool(args.segments) != bool(args.rates):
        parser.error("give both --segments and --rates (as many of each), or neither for geometric patterns")
    device = args.device
    rows = sweep(
        args.impls,
        args.ns,
        progress=True,
        heads=args.heads,
        d=args.d,
        dtype=args.dtype,
        causal=args.causal,
        device=device.type,
        repeats=args.repeats,
        max_score_bytes=None if args.max_score_gib is None else int(args.max_score_gib * 2**30),
        segments=args.segments,
        rates=args.rates,
    )
    print(f"wrote {write_csv(rows, args.out or f'bench_{device_slug(device)}.csv')}")


if __name__ == "__main__":
    main()
