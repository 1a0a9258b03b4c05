"""Every GPU measurement of the course in one command: `python -m course_utils.tools.gpu` (`make gpu`).

1. Correctness on the device, at n = 4096 in bf16 (8 heads of width 64), against float64 references
   of the same inputs: the online softmax and PyTorch's SDPA against dense attention, and dilated
   attention (geometric patterns, causal and not) against `dilated_reference`. The relative max
   error max|out - ref| / max|ref| is printed; beyond `TOLERANCE` the run stops with exit code 1.
2. Notebook 06's sweep: sdpa, naive and online, bf16, n = 2¹² … 2¹⁸ -> bench_<device>.csv.
3. Notebook 07's sweep: dilated attention with `geometric_patterns(n)` and dense SDPA, bf16,
   n = 2¹⁴ … 2²⁰ -> dilated_<device>.csv.
4. Notebook 08's transform fused: causal scale-invariant attention through FlexAttention's
   `score_mod` (`scale_invariant.flex_score_mod`, compiled), checked against the float64 reference
   at `check_n`, then timed against causal SDPA at n = 2¹² … 2¹⁶ -> flex_<device>.csv. Skipped with
   a message where this torch has no FlexAttention (before 2.5).
5. Notebook 11's distributed attention: `python -m course_utils.chapters.distributed check` launched with
   `torch.distributed.run` on every GPU of the machine (nccl) when it has more than one, on one GPU
   otherwise; ring and dilated attention against one process. Without CUDA: two gloo CPU processes.

The whole run fits a time budget (`--budget-s`, default 300 s of measurement; about 6 minutes in
all on one H100). Before each measurement its time is estimated from the counted FLOPs
(`course_utils.chapters.flops`) and a throughput measured on a small call of the same
implementation (then updated from each larger call); a measurement that would not fit the time
left is recorded as "skipped (estimated Xs)". The CSV files carry the device in their names
(`course_utils.chapters.bench_results.device_slug`), so a second GPU adds files instead of overwriting.

Without CUDA (or with `--device cpu`) the same code runs at tiny sizes on the CPU in seconds and
writes to a temporary folder unless `--out-dir` is given. Needs only torch and numpy (no tqdm,
seaborn or matplotlib on its import path):

    PYTHONPATH=. python3 -m course_utils.tools.gpu                  # on a CUDA machine
    python -m course_utils.tools.gpu --device cpu --out-dir /tmp/x  # the smoke run
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from course_utils.chapters.bench import DTYPES, time_and_memory
from course_utils.chapters.bench_results import BenchRow, device_slug, write_csv
from course_utils.chapters.flash import online_softmax_attention
from course_utils.chapters.flops import attention_flops, dilated_flops
from course_utils.chapters.scale_invariant import flex_score_mod, scale_invariant_logits
from course_utils.core.device import pick_device
from course_utils.core.dilated import dilated_attention, dilated_reference, geometric_patterns
from course_utils.paths import REPO_DIR, RESULTS_DIR

#: Largest accepted relative max error against the float64 reference, by dtype (bf16 SDPA itself: ~4e-3).
TOLERANCE = {"bfloat16": 2e-2, "float16": 5e-3, "float32": 1e-4}
SAFETY = 1.25  # launch a measurement only if SAFETY x its estimated time fits the time left


@dataclass(frozen=True)
class Plan:
    """The sizes of one run: q, k, v are (1, heads, n, d) in `dtype`; `base` is the kept rows per
    segment of `geometric_patterns`; `calib_n` the size of the call that measures a throughput."""

    heads: int
    d: int
    dtype: str
    check_n: int
    base: int
    calib_n: int
    bench_ns: tuple[int, ...]
    dilated_ns: tuple[int, ...]
    budget_s: float
    flex_ns: tuple[int, ...] = ()
    flex_compile: bool = True  # torch.compile the FlexAttention call (eager is a slow reference path)


PLANS = {
    "cuda": Plan(
        heads=8,
        d=64,
        dtype="bfloat16",
        check_n=4096,
        base=512,
        calib_n=4096,
        bench_ns=tuple(2**p for p in range(12, 19)),
        dilated_ns=tuple(2**p for p in range(14, 21)),
        budget_s=300.0,
        flex_ns=tuple(2**p for p in range(12, 17)),
    ),
    "cpu": Plan(
        heads=2,
        d=32,
        dtype="bfloat16",
        check_n=512,
        base=64,
        calib_n=256,
        bench_ns=(256, 512, 1024),
        dilated_ns=(256, 512, 1024, 2048, 4096),
        budget_s=10.0,
        flex_ns=(128,),
        flex_compile=False,
    ),
}


def relative_max_error(out: torch.Tensor, ref: torch.Tensor) -> float:
    """max|out - ref| / max|ref|, in float64. Example: `relative_max_error(x.bfloat16(), x.double())`"""
    ref = ref.double()
    return ((out.double() - ref).abs().max() / ref.abs().max().clamp_min(1e-300)).item()


def check_correctness(plan: Plan, device: torch.device) -> bool:
    """Online softmax and SDPA against float64 dense attention, dilated against `dilated_reference`,
    at n = plan.check_n in plan.dtype on `device`; prints each error, returns whether all are in tolerance.

    Example: `check_correctness(PLANS["cpu"], torch.device("cpu"))`
    """
    n, dtype, tol = plan.check_n, DTYPES[plan.dtype], TOLERANCE[plan.dtype]
    g = torch.Generator(device=device).manual_seed(0)
    q, k, v = (torch.randn(1, plan.heads, n, plan.d, generator=g, device=device).to(dtype) for _ in range(3))
    q64, k64, v64 = q.double(), k.double(), v.double()
    ok = True

    def report(label: str, error: float) -> None:
        nonlocal ok
        ok &= error <= tol
        print(
            f"check {label:38s} rel. max error {error:.2e}  {'ok' if error <= tol else f'FAIL (> {tol:g})'}", flush=True
        )

    with torch.no_grad():
        dense = F.scaled_dot_product_attention(q64, k64, v64)
        report(f"sdpa {plan.dtype} n={n}", relative_max_error(F.scaled_dot_product_attention(q, k, v), dense))
        report(
            f"online {plan.dtype} n={n}",
            relative_max_error(
                online_softmax_attention(q, k, v, block_size=512 if device.type == "cuda" else 128), dense
            ),
        )
        del dense
        patterns = geometric_patterns(n, base=plan.base)
        for causal in (False, True):
            ref = dilated_reference(q64, k64, v64, *patterns, causal=causal)
            got = dilated_attention(q, k, v, *patterns, causal=causal)
            report(f"dilated {plan.dtype} n={n} causal={causal}", relative_max_error(got, ref))
            del ref, got
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return ok


def _flops(impl: str, n: int, plan: Plan) -> float:
    if impl == "dilated":
        return dilated_flops(n, plan.d, plan.heads, *geometric_patterns(n, base=plan.base))
    return attention_flops(n, plan.d, plan.heads)


def _blank_row(impl: str, n: int, plan: Plan, device: torch.device, status: str) -> BenchRow:
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    return BenchRow(
        impl, n, plan.heads, plan.d, plan.dtype, False, device.type, name, str(torch.__version__), impl, status=status
    )


def timed_sweep(jobs: list[tuple[str, int]], plan: Plan, device: torch.device, deadline: float) -> list[BenchRow]:
    """Measure each (impl, n) in order if its estimated time fits before `deadline` (a
    `time.perf_counter()` value); after an impl fails (refused, out of memory, error), its larger
    sizes are skipped. Prints one line per job.

    Example: `timed_sweep([("sdpa", 256), ("sdpa", 512)], PLANS["cpu"], torch.device("cpu"), time.perf_counter() + 5)`
    """
    rows: list[BenchRow] = []
    throughput: dict[str, float] = {}  # FLOP/s of the impl's latest measured call
    failed: dict[str, BenchRow] = {}

    def run(impl: str, n: int, repeats: int) -> BenchRow:
        segments, rates = geometric_patterns(n, base=plan.base) if impl == "dilated" else (None, None)
        try:
            return time_and_memory(
                impl,
                n,
                heads=plan.heads,
                d=plan.d,
                dtype=plan.dtype,
                device=device.type,
                repeats=repeats,
                segments=segments,
                rates=rates,
            )
        except RuntimeError as error:  # e.g. no kernel for these inputs; recorded, not fatal
            if device.type == "cuda":
                torch.cuda.empty_cache()
            return _blank_row(impl, n, plan, device, f"error: {str(error).splitlines()[0][:120]}")

    for impl, n in jobs:
        if impl in failed:
            row = _blank_row(impl, n, plan, device, f"skipped ({failed[impl].status} at n={failed[impl].n})")
        else:
            if impl not in throughput:  # a small call gives the first throughput to extrapolate from
                calib = run(impl, min(plan.calib_n, n), repeats=1)
                if calib.status == "ok":
                    throughput[impl] = _flops(impl, calib.n, plan) / calib.seconds
            single = _flops(impl, n, plan) / throughput.get(impl, math.inf)
            repeats = 3 if single < 0.2 else 1
            estimate = (1 + repeats) * single  # time_and_memory() makes one memory call, then `repeats` timed calls
            left = deadline - time.perf_counter()
            if SAFETY * estimate > left:
                status = f"skipped (estimated {estimate:.0f}s, {max(left, 0):.0f}s left)"
                row = _blank_row(impl, n, plan, device, status)
            else:
                row = run(impl, n, repeats)
                if row.status == "ok":
                    throughput[impl] = _flops(impl, n, plan) / row.seconds
                else:
                    failed[impl] = row
        rows.append(row)
        print(
            f"{impl:8s} n={n:8d} {row.seconds * 1e3:11.2f} ms {row.peak_bytes / 2**30:8.2f} GiB "
            f"{row.tflops:8.2f} TFLOP/s  {row.backend[:40]:40s} {row.status}",
            flush=True,
        )
    return rows


#: The scale-invariant transform's tau in the FlexAttention step (the paper's value).
FLEX_TAU = 10.0


def flex_scale_invariant(plan: Plan, device: torch.device):
    """A function (q, k, v) -> causal scale-invariant attention through FlexAttention, or None (with a
    printed reason) where this torch has no FlexAttention. The causal block mask is built per length."""
    try:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    except ImportError:
        print(f"FlexAttention needs torch >= 2.5; this is {torch.__version__}: step skipped", flush=True)
        return None
    kernel = torch.compile(flex_attention, dynamic=False) if plan.flex_compile else flex_attention
    score_mod, masks = flex_score_mod(FLEX_TAU), {}

    def causal(batch, head, q_idx, kv_idx):
        return q_idx >= kv_idx

    def run(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        n = q.shape[-2]
        if n not in masks:
            masks[n] = create_block_mask(causal, None, None, n, n, device=device.type)
        return kernel(q, k, v, score_mod=score_mod, block_mask=masks[n])

    return run


def flex_step(plan: Plan, device: torch.device) -> tuple[bool, list[BenchRow]]:
    """Check the fused transform against the float64 reference, then time it against causal SDPA at
    plan.flex_ns (median of 3 calls after a warm-up). Returns (check passed, rows)."""
    run = flex_scale_invariant(plan, device)
    if run is None:
        return True, []
    dtype, tol = DTYPES[plan.dtype], TOLERANCE[plan.dtype]
    n = plan.check_n if plan.flex_compile else min(plan.check_n, 128)  # eager FlexAttention is slow
    g = torch.Generator(device=device).manual_seed(1)
    q, k, v = (torch.randn(1, plan.heads, n, plan.d, generator=g, device=device).to(dtype) for _ in range(3))
    with torch.no_grad():
        scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(plan.d)
        ref = torch.softmax(scale_invariant_logits(scores, tau=FLEX_TAU), dim=-1) @ v.double()
        error = relative_max_error(run(q, k, v), ref)
    ok = error <= tol
    print(
        f"check {f'flex scale-invariant {plan.dtype} n={n}':38s} rel. max error {error:.2e}  "
        f"{'ok' if ok else f'FAIL (> {tol:g})'}",
        flush=True,
    )
    rows = []
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    for n in plan.flex_ns if ok else ():
        q, k, v = (torch.randn(1, plan.heads, n, plan.d, generator=g, device=device).to(dtype) for _ in range(3))
        for impl, call in (
            ("flex-si", lambda: run(q, k, v)),
            ("sdpa-causal", lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)),
        ):
            row = BenchRow(
                impl,
                n,
                plan.heads,
                plan.d,
                plan.dtype,
                True,
                device.type,
                name,
                str(torch.__version__),
                "flex_attention score_mod" if impl == "flex-si" else "default dispatch",
            )
            try:
                with torch.no_grad():
                    call()  # warm-up (and compilation)
                    times = []
                    for _ in range(3):
                        if device.type == "cuda":
                            torch.cuda.synchronize(device)
                        start = time.perf_counter()
                        call()
                        if device.type == "cuda":
                            torch.cuda.synchronize(device)
                        times.append(time.perf_counter() - start)
                row.seconds = sorted(times)[1]
                row.tflops = attention_flops(n, plan.d, plan.heads, causal=True) / row.seconds / 1e12
            except (RuntimeError, torch.cuda.OutOfMemoryError) as error:
                row.status = f"error: {str(error).splitlines()[0][:120]}"
            rows.append(row)
            print(
                f"{impl:12s} n={n:8d} {row.seconds * 1e3:11.2f} ms {row.tflops:8.2f} TFLOP/s  {row.status}", flush=True
            )
    return ok, rows


def distributed_step(device: torch.device) -> bool:
    """Step 5: launch notebook 11's check on every GPU (or two CPU processes); True when every rank passed."""
    gpus = torch.cuda.device_count() if device.type == "cuda" else 0
    processes = gpus if gpus > 1 else (1 if gpus == 1 else 2)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={processes}",
        "-m",
        "course_utils.chapters.distributed",
        "check",
    ]
    print(
        f"notebook 11: distributed attention on {processes} {'GPU' if gpus else 'CPU'} process(es): "
        + " ".join(command[1:]),
        flush=True,
    )
    root = str(REPO_DIR)
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        return subprocess.run(command, env=env, timeout=300, check=False).returncode == 0
    except subprocess.TimeoutExpired:
        print("the distributed check did not finish in 300 s", flush=True)
        return False


def main(argv: list[str] | None = None) -> int:
    """Run the checks and both sweeps; returns the exit code (0, or 1 when a check fails)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.tools.gpu",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--device",
        default="auto",
        choices=("auto", "cuda", "cpu"),
        help="auto (default): cuda when available, else the tiny CPU run",
    )
    parser.add_argument(
        "--budget-s", type=float, default=None, help="seconds for the two sweeps (default: 300 on CUDA, 10 on the CPU)"
    )
    parser.add_argument(
        "--out-dir",
        default=None,
        help="where the CSVs go (default: notebooks/results on CUDA, a temporary folder on the CPU)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        device = pick_device(None if args.device == "auto" else args.device)
    except ValueError as error:
        parser.error(str(error))
    plan = PLANS[device.type]
    budget = plan.budget_s if args.budget_s is None else args.budget_s
    if args.out_dir is not None:
        out_dir = Path(args.out_dir)
    elif device.type == "cuda":
        out_dir = RESULTS_DIR
    else:
        out_dir = Path(tempfile.mkdtemp(prefix="course-gpu-smoke-"))
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (tiny sizes: a smoke run)"
    print(
        f"torch {torch.__version__} (CUDA {torch.version.cuda}), device {name}, {plan.dtype}, "
        f"{plan.heads} heads of width {plan.d}; sweep budget {budget:.0f} s; results -> {out_dir}",
        flush=True,
    )
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 matmuls stay fp32 (the online softmax's state)

    if not check_correctness(plan, device):
        print(f"a correctness check failed: no sweep run ({time.perf_counter() - start:.1f} s)", flush=True)
        return 1
    slug = device_slug(device)
    sweep_start = time.perf_counter()
    print("notebook 06 sweep: sdpa, naive, online", flush=True)
    jobs = [(impl, n) for impl in ("sdpa", "naive", "online") for n in plan.bench_ns]
    rows = timed_sweep(jobs, plan, device, deadline=sweep_start + 0.4 * budget)
    print(f"wrote {write_csv(rows, out_dir / f'bench_{slug}.csv')}", flush=True)
    print("notebook 07 sweep: dilated (geometric patterns) and dense sdpa", flush=True)
    jobs = [(impl, n) for impl in ("dilated", "sdpa") for n in plan.dilated_ns]
    rows = timed_sweep(jobs, plan, device, deadline=sweep_start + budget)
    print(f"wrote {write_csv(rows, out_dir / f'dilated_{slug}.csv')}", flush=True)
    print("notebook 08: scale-invariant attention fused with FlexAttention's score_mod", flush=True)
    flex_ok, rows = flex_step(plan, device)
    if rows:
        print(f"wrote {write_csv(rows, out_dir / f'flex_{slug}.csv')}", flush=True)
    distributed_ok = distributed_step(device)
    print(f"total wall time {time.perf_counter() - start:.1f} s", flush=True)
    return 0 if flex_ok and distributed_ok else 1


if __name__ == "__main__":
    sys.exit(main())
