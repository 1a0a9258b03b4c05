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
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention import SDPBackend, sdpa_kernel

from course_utils.chapters.bench_results import BenchRow, device_slug, row_from_record, write_csv
from course_utils.chapters.flash import (
    SCORE_BUDGET_BYTES,
    ScoreBudgetError,
    budgeted_attention,
    online_softmax_attention,
)
from course_utils.chapters.flops import attention_flops, dilated_flops
from course_utils.chapters.memory_probe import CpuPeak
from course_utils.core.device import pick_device
from course_utils.core.dilated import dilated_attention, geometric_patterns

IMPLS = ("naive", "sdpa", "online", "dilated")
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def cuda_score_budget(device: str | torch.device = "cuda") -> int:
    """The naive impl's score-matrix budget on a GPU: a third of its memory, because the naive forward
    holds three n x n tensors at its peak (the scores, their exp and the normalised weights).

    Example: `cuda_score_budget()` -> about 26.7 GiB on an 80 GB H100
    """
    return torch.cuda.get_device_properties(torch.device(device)).total_memory // 3


def _run(impl: str, q, k, v, causal: bool, max_score_bytes: int | None, segments: list[int], rates: list[int]):
    if impl == "dilated":
        return dilated_attention(q, k, v, segments, rates, causal=causal)
    if impl == "naive":
        return budgeted_attention(q, k, v, causal=causal, max_score_bytes=max_score_bytes)[0]
    if impl == "sdpa":
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return online_softmax_attention(q, k, v, causal=causal, block_size=512 if q.is_cuda else 128)


def _sdpa_backend(device: torch.device, dtype: torch.dtype):
    """The context manager for SDPA and the backend's name: the flash backend for fp16/bf16 on CUDA
    (it has no fp32 kernel), PyTorch's default dispatch otherwise."""
    if device.type == "cuda" and dtype in (torch.float16, torch.bfloat16):
        return sdpa_kernel(SDPBackend.FLASH_ATTENTION), "flash (SDPBackend.FLASH_ATTENTION)"
    return nullcontext(), f"default {device.type.upper()} dispatch"


#: Size of the warm-up call made before the memory measurement.
WARMUP_N = 64


def _warm_up(impl: str, n: int, q: Tensor, causal: bool, context) -> None:
    """One call at WARMUP_N tokens (a dense pattern for the dilated impl), so that the thread pool and
    the kernels' one-time buffers exist before the memory measurement starts."""
    small = q[:, :, : min(n, WARMUP_N)].contiguous()
    if context is None:
        _run(impl, small, small, small, causal, None, [small.shape[2]], [1])
    else:
        with context:
            _run(impl, small, small, small, causal, None, [small.shape[2]], [1])


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
    max_score_bytes: int | None | str = "auto",
    segments: list[int] | None = None,
    rates: list[int] | None = None,
) -> BenchRow:
    """Median time over `repeats` calls and peak memory of one call, after a warm-up call at `WARMUP_N`
    tokens (so one-time allocations are not counted as the method's memory); the memory call also
    warms up the timed ones.

    q, k, v: (1, heads, n, d) random in `dtype` on `device` ("cpu" or "cuda"); `segments` and `rates`
    are the "dilated" impl's patterns (default: `geometric_patterns(n)`). `max_score_bytes` is the
    naive impl's budget: "auto" = `SCORE_BUDGET_BYTES` on the CPU, `cuda_score_budget()` on a GPU;
    None = no limit.
    Example: `time_and_memory("online", 2048)`, `time_and_memory("dilated", 4096, segments=[1024], rates=[2])`
    """
    if impl not in IMPLS:
        raise ValueError(f"unknown impl {impl!r}; choose one of {IMPLS}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {sorted(DTYPES)}")
    if n < 1 or repeats < 1:
        raise ValueError(f"need n >= 1 and repeats >= 1, got n={n}, repeats={repeats}")
    if impl == "dilated":
        if bool(segments) != bool(rates):
            raise ValueError(
                "the dilated impl needs both segments=[w, ...] and rates=[r, ...], or neither "
                "(then geometric_patterns(n) is used)"
            )
        if not segments:
            segments, rates = geometric_patterns(n)
    dev = pick_device(device) if device in ("cpu", "cuda") else torch.device(device)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    if max_score_bytes == "auto":
        max_score_bytes = cuda_score_budget(dev) if dev.type == "cuda" else SCORE_BUDGET_BYTES
    context, backend = _sdpa_backend(dev, DTYPES[dtype]) if impl == "sdpa" else (None, impl)
    if impl == "dilated":
        assert segments is not None and rates is not None  # both set by the dilated checks at the top
        backend = f"w={' '.join(map(str, segments))} r={' '.join(map(str, rates))}"
    row = BenchRow(impl, n, heads, d, dtype, causal, dev.type, name, str(torch.__version__), backend)
    g = torch.Generator(device=dev).manual_seed(0)
    q, k, v = (torch.randn(1, heads, n, d, generator=g, device=dev).to(DTYPES[dtype]) for _ in range(3))

    def call():
        if context is None:
            return _run(impl, q, k, v, causal, max_score_bytes, segments, rates)
        with context:
            return _run(impl, q, k, v, causal, max_score_bytes, segments, rates)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)

    try:
        with torch.no_grad():
            _warm_up(impl, n, q, causal, context)  # one-time allocations (thread pool, scratch) are not the method's
            if dev.type == "cuda":
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats(dev)
                before = torch.cuda.memory_allocated(dev)
                call()
                sync()
                row.peak_bytes = torch.cuda.max_memory_allocated(dev) - before
            else:
                peak = CpuPeak()
                peak.start()
                call()
                row.peak_bytes, row.note = peak.stop(), peak.note
            times = []
            for _ in range(repeats):
                sync()
                start = time.perf_counter()
                call()
                sync()
                times.append(time.perf_counter() - start)
    except ScoreBudgetError:
        row.status = "refused"
        return row
    except torch.cuda.OutOfMemoryError:
        row.status = "out of memory"
        torch.cuda.empty_cache()
        return row
    row.seconds = statistics.median(times)
    if impl == "dilated":
        assert segments is not None and rates is not None  # both set by the dilated checks at the top
        flops = dilated_flops(n, d, heads, segments, rates, causal=causal)
    else:
        flops = attention_flops(n, d, heads, causal=causal)
    row.tflops = flops / row.seconds / 1e12
    return row


def measure_isolated(impl: str, n: int, *, device: str = "cpu", threads: int | None = None, **kwargs) -> BenchRow:
    """`time_and_memory` in a fresh Python process, so that memory freed by earlier calls and still held by
    the allocator cannot hide this call's peak (the CPU measurement is a resident-set high-water mark).
    The child runs on `device` (the CPU unless told otherwise) with `threads` CPU threads (default:
    this process's `torch.get_num_threads()`, so a notebook's setting reaches it), with the C library's default malloc
    settings (MALLOC_* variables removed: a malloc tuned to keep freed memory would change what the
    resident set measures). A failing child raises RuntimeError with the end of its error output.

    Example: `measure_isolated("online", 4096, repeats=1)`
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "row.csv"
        args = [
            sys.executable,
            "-m",
            "course_utils.chapters.bench",
            "--impls",
            impl,
            "--ns",
            str(n),
            "--out",
            str(out),
            "--device",
            str(device),
            "--threads",
            str(threads or torch.get_num_threads()),
        ]
        for key, value in kwargs.items():
            if value is None and key != "max_score_bytes":
                continue
            if key == "max_score_bytes":
                if value != "auto":
                    args += ["--max-score-gib", repr((value if value is not None else 2**62) / 2**30)]
            elif key == "causal":
                args += ["--causal"] if value else []
            elif isinstance(value, (list, tuple)):
                args += [f"--{key}", *map(str, value)]
            else:
                args += [f"--{key.replace('_', '-')}", str(value)]
        env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
        child = subprocess.run(args, capture_output=True, text=True, env=env)
        if child.returncode != 0:
            tail = "\n".join(child.stderr.strip().splitlines()[-20:])
            raise RuntimeError(
                f"the isolated measurement {impl} n={n} on {device} failed (exit {child.returncode}):\n"
                f"{tail}\ncommand: {' '.join(args)}"
            )
        (record,) = csv.DictReader(out.open())
    return row_from_record(record)


def sweep(
    impls: list[str], ns: list[int], *, progress: bool = False, isolate: bool = False, **kwargs
) -> list[BenchRow]:
    """Measure every impl at every n (each in its own process with `isolate`); after an impl fails
    at some n, larger n are recorded as skipped.

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
                print(
                    f"{impl:6s} n={n:7d}  {row.seconds * 1e3:10.2f} ms  {row.peak_bytes / 2**20:10.1f} MiB  "
                    f"{row.tflops:7.2f} TFLOP/s  {row.status}",
                    flush=True,
                )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.chapters.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--device",
        default="cpu",
        choices=("cpu", "cuda", "auto"),
        help="cpu (default), cuda, or auto (cuda when available)",
    )
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
    args = parser.parse_args(argv)
    if bool(args.segments) != bool(args.rates):
        parser.error("give both --segments and --rates (as many of each), or neither for geometric patterns")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        device = pick_device(None if args.device == "auto" else args.device)
    except ValueError as error:
        parser.error(str(error))
    budget = "auto" if args.max_score_gib is None else int(args.max_score_gib * 2**30)
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
        max_score_bytes=budget,
        segments=args.segments,
        rates=args.rates,
    )
    print(f"wrote {write_csv(rows, args.out or f'bench_{device_slug(device)}.csv')}")


if __name__ == "__main__":
    main()
