"""Time and peak memory of attention implementations against the sequence length n.

Implementations: "naive" (the course's `attention`, which materialises the n x n scores and refuses
sizes over its memory budget), "sdpa" (`torch.nn.functional.scaled_dot_product_attention`; the flash
backend is requested for fp16/bf16 on CUDA, PyTorch's default dispatch is used otherwise), "online"
(`course_utils.chapters.flash.online_softmax_attention`) and "dilated" (`course_utils.core.dilated.dilated_attention`
with the given segment lengths and rates, or `geometric_patterns(n)` when none are given). The
backend used is recorded in each row.

Peak memory, measured, not estimated: on CUDA `torch.cuda.max_memory_allocated` above what was
allocated before the call; on Linux CPUs the process's peak resident set (VmHWM in /proc/self/status,
reset through /proc/self/clear_refs before each call) above the resident set before the call.
Where /proc/self/clear_refs is unavailable (macOS, some sandboxes) the rise of the process's peak
resident set (`resource.getrusage`, a lower bound) is recorded instead, or NaN, with a note in the row.

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
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from contextlib import nullcontext
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from course_utils.chapters.flash import online_softmax_attention
from course_utils.core.attention import SCORE_BUDGET_BYTES, ScoreBudgetError, attention
from course_utils.core.device import pick_device
from course_utils.core.dilated import dilated_attention, dilated_flops, geometric_patterns

IMPLS = ("naive", "sdpa", "online", "dilated")
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}

#: Linux files for the CPU peak-memory measurement (module constants, so tests can make them unavailable).
CLEAR_REFS = Path("/proc/self/clear_refs")
PROC_STATUS = Path("/proc/self/status")


@dataclass
class BenchRow:
    """One measurement; `status` is "ok", "refused" (memory guard), "out of memory" or "skipped (...)";
    `note` says how memory was measured when it is not the exact method (or why it is NaN)."""

    impl: str
    n: int
    heads: int
    d: int
    dtype: str
    causal: bool
    device: str
    device_name: str
    torch_version: str
    backend: str
    seconds: float = math.nan
    peak_bytes: float = math.nan
    tflops: float = math.nan
    status: str = "ok"
    note: str = ""


def attention_flops(n: int, d: int, heads: int, *, causal: bool = False) -> float:
    """Forward FLOPs of attention for one sequence: 4·n²·d·heads (two n x n x d matmuls), half if causal.

    Example: `attention_flops(4096, 64, 8)` -> 34359738368.0
    """
    flops = 4.0 * n * n * d * heads
    return flops / 2 if causal else flops


def device_slug(device: str | torch.device = "cpu") -> str:
    """A file-name tag for a device: "cpu", or the CUDA device name lowercased with every run of other
    characters than letters and digits turned into "-".

    Example: `device_slug("cuda")` -> "nvidia-h100-80gb-hbm3" on an H100 SXM; `device_slug("cpu")` -> "cpu"
    """
    dev = torch.device(device)
    if dev.type != "cuda":
        return dev.type
    return re.sub(r"[^a-z0-9]+", "-", torch.cuda.get_device_name(dev).lower()).strip("-") or "cuda"


def cuda_score_budget(device: str | torch.device = "cuda") -> int:
    """The naive impl's score-matrix budget on a GPU: a third of its memory, because the naive forward
    holds three n x n tensors at its peak (the scores, their exp and the normalised weights).

    Example: `cuda_score_budget()` -> about 26.7 GiB on an 80 GB H100
    """
    return torch.cuda.get_device_properties(torch.device(device)).total_memory // 3


def _rss_bytes(field: str) -> int:
    with PROC_STATUS.open() as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{PROC_STATUS} has no {field}")


def _max_rss_bytes() -> int | None:
    """The process's peak resident set so far (getrusage: KiB on Linux, bytes on macOS), or None."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


class _CpuPeak:
    """Peak resident memory of one call: VmHWM after a reset through clear_refs (Linux), else the rise
    of ru_maxrss (a lower bound: it moves only when the call beats the process's earlier peak), else NaN."""

    def start(self) -> None:
        self.note = ""
        try:
            with CLEAR_REFS.open("w") as clear:
                clear.write("5")  # reset the peak resident set to the current one
            self.before = _rss_bytes("VmRSS")
            self.method = "vmhwm"
        except (OSError, ValueError):
            self.before = _max_rss_bytes()
            self.method = "maxrss" if self.before is not None else "none"

    def stop(self) -> float:
        if self.method == "vmhwm":
            try:
                return float(_rss_bytes("VmHWM") - self.before)
            except (OSError, ValueError):
                self.note = "memory unavailable: /proc/self/status unreadable"
                return math.nan
        if self.method == "maxrss":
            self.note = (f"memory: rise of the peak resident set (ru_maxrss), a lower bound; "
                         f"{CLEAR_REFS} is unavailable here")
            return float(max(_max_rss_bytes() - self.before, 0))
        self.note = f"memory unavailable: no {CLEAR_REFS} and no resource module on this platform"
        return math.nan


def _run(impl: str, q, k, v, causal: bool, max_score_bytes: int | None, segments: list[int],
         rates: list[int]):
    if impl == "dilated":
        return dilated_attention(q, k, v, segments, rates, causal=causal)
    if impl == "naive":
        return attention(q, k, v, causal=causal, max_score_bytes=max_score_bytes)[0]
    if impl == "sdpa":
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return online_softmax_attention(q, k, v, causal=causal, block_size=512 if q.is_cuda else 128)


def _sdpa_backend(device: torch.device, dtype: torch.dtype):
    """The context manager for SDPA and the backend's name: the flash backend for fp16/bf16 on CUDA
    (it has no fp32 kernel), PyTorch's default dispatch otherwise."""
    if device.type == "cuda" and dtype in (torch.float16, torch.bfloat16):
        from torch.nn.attention import SDPBackend, sdpa_kernel

        return sdpa_kernel(SDPBackend.FLASH_ATTENTION), "flash (SDPBackend.FLASH_ATTENTION)"
    return nullcontext(), f"default {device.type.upper()} dispatch"


#: Size of the warm-up call made before the memory measurement.
WARMUP_N = 64


def _warm_up(impl: str, n: int, q: Tensor, causal: bool, context) -> None:
    """One call at WARMUP_N tokens (a dense pattern for the dilated impl), so that the thread pool and
    the kernels' one-time buffers exist before the memory measurement starts."""
    small = q[:, :, :min(n, WARMUP_N)].contiguous()
    if context is None:
        _run(impl, small, small, small, causal, None, [small.shape[2]], [1])
    else:
        with context:
            _run(impl, small, small, small, causal, None, [small.shape[2]], [1])


def time_and_memory(impl: str, n: int, *, heads: int = 1, d: int = 64, dtype: str = "float32", causal: bool = False,
            device: str = "cpu", repeats: int = 3, max_score_bytes: int | None | str = "auto",
            segments: list[int] | None = None, rates: list[int] | None = None) -> BenchRow:
    """Median time over `repeats` calls and peak memory of one call, after a warm-up call at `WARMUP_N`
    tokens (so one-time allocations are not counted as the method's memory); the memory call also
    warms up the timed ones.

    q, k, v: (1, heads, n, d) random in `dtype` on `device` ("cpu" or "cuda"); `segments` and `rates`
    are the "dilated" impl's patterns (default: `geometric_patterns(n)`). `max_score_bytes` is the
    naive impl's budget: "auto" = `SCORE_BUDGET_BYTES` on the CPU, `cuda_score_budget()` on a GPU;
    None = no limit. Example: `time_and_memory("online", 2048)`, `time_and_memory("dilated", 4096, segments=[1024], rates=[2])`
    """
    if impl not in IMPLS:
        raise ValueError(f"unknown impl {impl!r}; choose one of {IMPLS}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {sorted(DTYPES)}")
    if n < 1 or repeats < 1:
        raise ValueError(f"need n >= 1 and repeats >= 1, got n={n}, repeats={repeats}")
    if impl == "dilated":
        if bool(segments) != bool(rates):
            raise ValueError("the dilated impl needs both segments=[w, ...] and rates=[r, ...], or neither "
                             "(then geometric_patterns(n) is used)")
        if not segments:
            segments, rates = geometric_patterns(n)
    dev = pick_device(device) if device in ("cpu", "cuda") else torch.device(device)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    if max_score_bytes == "auto":
        max_score_bytes = cuda_score_budget(dev) if dev.type == "cuda" else SCORE_BUDGET_BYTES
    context, backend = _sdpa_backend(dev, DTYPES[dtype]) if impl == "sdpa" else (None, impl)
    if impl == "dilated":
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
                peak = _CpuPeak()
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
    flops = (dilated_flops(n, d, heads, segments, rates) / (2 if causal else 1) if impl == "dilated"
             else attention_flops(n, d, heads, causal=causal))
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
        args = [sys.executable, "-m", "course_utils.chapters.bench", "--impls", impl, "--ns", str(n), "--out", str(out),
                "--device", str(device), "--threads", str(threads or torch.get_num_threads())]
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
            raise RuntimeError(f"the isolated measurement {impl} n={n} on {device} failed (exit {child.returncode}):\n"
                               f"{tail}\ncommand: {' '.join(args)}")
        (record,) = csv.DictReader(out.open())
    return row_from_record(record)


def row_from_record(record: dict[str, str]) -> BenchRow:
    """A BenchRow from one CSV record written by `write_csv` (columns it lacks keep their defaults).

    Example: `rows = [row_from_record(r) for r in csv.DictReader(open("bench_cpu.csv"))]`
    """
    types = {f.name: f.type for f in fields(BenchRow)}
    return BenchRow(**{k: (v == "True" if types[k] == "bool" else float(v) if types[k] == "float" else
                           int(v) if types[k] == "int" else v) for k, v in record.items() if k in types})


def sweep(impls: list[str], ns: list[int], *, progress: bool = False, isolate: bool = False,
          **kwargs) -> list[BenchRow]:
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
                print(f"{impl:6s} n={n:7d}  {row.seconds * 1e3:10.2f} ms  {row.peak_bytes / 2**20:10.1f} MiB  "
                      f"{row.tflops:7.2f} TFLOP/s  {row.status}", flush=True)
    return rows


def write_csv(rows: list[BenchRow], path: str | Path) -> Path:
    """Write rows to a CSV file (parent folders are created). Example: `write_csv(rows, "bench.csv")`"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)
    return path


def recorded_results(results_dir: str | Path, prefix: str, *, device: str = "cuda") -> list[Path]:
    """The CSV files `<prefix>_*.csv` in `results_dir` recorded on `device` ("cuda" or "cpu"; read from
    their first row), in name order: one per machine, since the file names carry `device_slug`.

    Example: `recorded_results("results", "bench")` -> [Path("results/bench_nvidia-h100-80gb-hbm3.csv")]
    """
    found = []
    for path in sorted(Path(results_dir).glob(f"{prefix}_*.csv")):
        with path.open() as f:
            first = next(csv.DictReader(f), None)
        if first is not None and first.get("device") == device:
            found.append(path)
    return found


def run_streaming(command: list[str], *, keep: int = 40) -> int:
    """Run a command, printing its output line by line as it comes (stderr merged into stdout), and
    return its exit code; on failure print the last `keep` lines again under a heading. Never raises
    for a failing command, so a notebook cell can go on.

    Example: `run_streaming([sys.executable, "-m", "course_utils.chapters.bench", "--ns", "512"])`
    """
    tail: deque[str] = deque(maxlen=keep)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as child:
        for line in child.stdout:
            tail.append(line)
            print(line, end="", flush=True)
    if child.returncode != 0:
        print(f"\nthe command failed (exit {child.returncode}): {' '.join(command)}\n"
              f"its last {len(tail)} lines of output (stderr included):\n{''.join(tail)}", flush=True)
    return child.returncode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m course_utils.chapters.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"),
                        help="cpu (default), cuda, or auto (cuda when available)")
    parser.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS,
                        help="default: all; dilated without --segments/--rates uses geometric_patterns(n)")
    parser.add_argument("--ns", nargs="+", type=int, default=[512, 1024, 2048, 4096])
    parser.add_argument("--heads", type=int, default=1)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-score-gib", type=float, default=None,
                        help=f"memory budget of the naive score matrix, GiB (default: {SCORE_BUDGET_BYTES / 2**30:g} "
                             "on the CPU, a third of the GPU's memory on CUDA)")
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
    rows = sweep(args.impls, args.ns, progress=True, heads=args.heads, d=args.d, dtype=args.dtype,
                 causal=args.causal, device=device.type, repeats=args.repeats,
                 max_score_bytes=budget, segments=args.segments, rates=args.rates)
    print(f"wrote {write_csv(rows, args.out or f'bench_{device_slug(device)}.csv')}")


if __name__ == "__main__":
    main()
