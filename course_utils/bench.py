"""Time and peak memory of attention implementations against the sequence length n.

Implementations: "naive" (the course's `attention`, which materialises the n x n scores and refuses
sizes over its memory budget), "sdpa" (`torch.nn.functional.scaled_dot_product_attention`; on CUDA
the flash backend is requested), "online" (`course_utils.flash.online_softmax_attention`) and
"dilated" (`course_utils.dilated.dilated_attention` with the given segment lengths and rates).

Peak memory, measured, not estimated: on CUDA `torch.cuda.max_memory_allocated` above what was
allocated before the call; on Linux CPUs the process's peak resident set (VmHWM in /proc/self/status,
reset through /proc/self/clear_refs before each call) above the resident set before the call.

    python -m course_utils.bench --device cpu --ns 512 1024 2048 --out notebooks/results/bench_cpu.csv
    python -m course_utils.bench --device cuda --dtype bfloat16 --ns 4096 8192 ... 262144
    python -m course_utils.bench --impls dilated --segments 256 512 1024 --rates 1 2 4 --ns 1024 65536
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from course_utils.attention import SCORE_BUDGET_BYTES, attention
from course_utils.dilated import dilated_attention, dilated_flops
from course_utils.flash import online_softmax_attention

IMPLS = ("naive", "sdpa", "online", "dilated")
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass
class BenchRow:
    """One measurement; `status` is "ok", "refused" (memory guard) or "out of memory"."""

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


def attention_flops(n: int, d: int, heads: int, *, causal: bool = False) -> float:
    """Forward FLOPs of attention for one sequence: 4·n²·d·heads (two n x n x d matmuls), half if causal.

    Example: `attention_flops(4096, 64, 8)` -> 34359738368.0
    """
    flops = 4.0 * n * n * d * heads
    return flops / 2 if causal else flops


def _rss_bytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise ValueError(f"/proc/self/status has no {field}; CPU memory is measured on Linux only")


def _run(impl: str, q, k, v, causal: bool, max_score_bytes: int | None, segments: list[int],
         rates: list[int]):
    if impl == "dilated":
        return dilated_attention(q, k, v, segments, rates, causal=causal)
    if impl == "naive":
        return attention(q, k, v, causal=causal, max_score_bytes=max_score_bytes)[0]
    if impl == "sdpa":
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return online_softmax_attention(q, k, v, causal=causal, block_size=512 if q.is_cuda else 128)


def _sdpa_backend(device: torch.device):
    """The context manager that asks for the flash backend on CUDA (a no-op elsewhere), and its name."""
    if device.type == "cuda":
        from torch.nn.attention import SDPBackend, sdpa_kernel

        return sdpa_kernel(SDPBackend.FLASH_ATTENTION), "flash (SDPBackend.FLASH_ATTENTION)"
    from contextlib import nullcontext

    return nullcontext(), "default CPU dispatch"


def measure(impl: str, n: int, *, heads: int = 1, d: int = 64, dtype: str = "float32", causal: bool = False,
            device: str = "cpu", repeats: int = 3, max_score_bytes: int | None = SCORE_BUDGET_BYTES,
            segments: list[int] | None = None, rates: list[int] | None = None) -> BenchRow:
    """Median time over `repeats` calls (after one warm-up) and peak memory of one call.

    q, k, v: (1, heads, n, d) random in `dtype`; `segments` and `rates` are the "dilated" impl's
    patterns. Example: `measure("online", 2048)`, `measure("dilated", 4096, segments=[1024], rates=[2])`
    """
    if impl not in IMPLS:
        raise ValueError(f"unknown impl {impl!r}; choose one of {IMPLS}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {sorted(DTYPES)}")
    if n < 1 or repeats < 1:
        raise ValueError(f"need n >= 1 and repeats >= 1, got n={n}, repeats={repeats}")
    if impl == "dilated" and not (segments and rates):
        raise ValueError("the dilated impl needs segments=[w, ...] and rates=[r, ...]")
    dev = torch.device(device)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    context, backend = _sdpa_backend(dev) if impl == "sdpa" else (None, impl)
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
            if dev.type == "cuda":
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats(dev)
                before = torch.cuda.memory_allocated(dev)
                call()
                sync()
                row.peak_bytes = torch.cuda.max_memory_allocated(dev) - before
            else:
                with open("/proc/self/clear_refs", "w") as clear:
                    clear.write("5")  # reset the peak resident set to the current one
                before = _rss_bytes("VmRSS")
                call()
                row.peak_bytes = _rss_bytes("VmHWM") - before
            times = []
            for _ in range(repeats):
                sync()
                start = time.perf_counter()
                call()
                sync()
                times.append(time.perf_counter() - start)
    except ValueError as error:
        if "budget" not in str(error):
            raise
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


def measure_isolated(impl: str, n: int, **kwargs) -> BenchRow:
    """`measure` in a fresh Python process, so that memory freed by earlier calls and still held by
    the allocator cannot hide this call's peak (the CPU measurement is a resident-set high-water mark).

    Example: `measure_isolated("online", 4096, repeats=1)`
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "row.csv"
        args = [sys.executable, "-m", "course_utils.bench", "--impls", impl, "--ns", str(n), "--out", str(out)]
        for key, value in kwargs.items():
            if key == "max_score_bytes":
                args += ["--max-score-gib", repr((value if value is not None else 2**62) / 2**30)]
            elif key == "causal":
                args += ["--causal"] if value else []
            elif isinstance(value, (list, tuple)):
                args += [f"--{key}", *map(str, value)]
            else:
                args += [f"--{key.replace('_', '-')}", str(value)]
        subprocess.run(args, check=True, capture_output=True, text=True)
        (record,) = csv.DictReader(out.open())
    types = {f.name: f.type for f in fields(BenchRow)}
    return BenchRow(**{k: (v == "True" if types[k] == "bool" else float(v) if types[k] == "float" else
                           int(v) if types[k] == "int" else v) for k, v in record.items()})


def sweep(impls: list[str], ns: list[int], *, progress: bool = False, isolate: bool = False,
          **kwargs) -> list[BenchRow]:
    """`measure` every impl at every n (each in its own process with `isolate`); after an impl fails
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
            row = (measure_isolated if isolate else measure)(impl, n, **kwargs)
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m course_utils.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto (cuda when available)")
    parser.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS)
    parser.add_argument("--ns", nargs="+", type=int, default=[512, 1024, 2048, 4096])
    parser.add_argument("--heads", type=int, default=1)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-score-gib", type=float, default=SCORE_BUDGET_BYTES / 2**30,
                        help="memory budget of the naive score matrix, GiB")
    parser.add_argument("--segments", nargs="+", type=int, help="dilated impl: segment lengths w")
    parser.add_argument("--rates", nargs="+", type=int, help="dilated impl: dilation rates r")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: PyTorch's)")
    parser.add_argument("--out", default=None, help="CSV file to write")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    rows = sweep(args.impls, args.ns, progress=True, heads=args.heads, d=args.d, dtype=args.dtype,
                 causal=args.causal, device=device, repeats=args.repeats,
                 max_score_bytes=int(args.max_score_gib * 2**30), segments=args.segments, rates=args.rates)
    if args.out:
        print(f"wrote {write_csv(rows, args.out)}")


if __name__ == "__main__":
    main()
