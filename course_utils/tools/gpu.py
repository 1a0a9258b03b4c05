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

The sweeps fit a time budget (`--budget-s`, default 300 s on CUDA). Before each measurement its time
is estimated from the counted FLOPs (`course_utils.chapters.flops`) and a throughput measured on a
small call of the same implementation (then updated from each larger call); a measurement that
would not fit the time left is recorded as "skipped (estimated Xs)". The CSV files carry the device in their names
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
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from course_utils.chapters.bench import median_seconds, online_block_size, print_row, random_qkv, time_and_memory
from course_utils.chapters.bench_results import BenchRow, device_name, device_slug, new_row, write_csv
from course_utils.chapters.flash import online_softmax_attention
from course_utils.chapters.flops import attention_flops, dilated_flops
from course_utils.chapters.scale_invariant import flex_score_mod, scale_invariant_logits
from course_utils.core.attention import attention
from course_utils.core.device import add_device_argument
from course_utils.core.dilated import dilated_attention, dilated_reference, geometric_patterns
from course_utils.paths import REPO_DIR, RESULTS_DIR

#: Largest accepted relative max error against the float64 reference, by dtype (bf16 SDPA itself: ~4e-3).
TOLERANCE = {"bfloat16": 2e-2, "float16": 5e-3, "float32": 1e-4}
SAFETY = 1.25  # launch a measurement only if SAFETY x its estimated time fits the time left
#: The scale-invariant transform's tau in the FlexAttention step (the paper's value).
FLEX_TAU = 10.0


@dataclass(frozen=True)
class GpuRunPlan:
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
    "cuda": GpuRunPlan(
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
    "cpu": GpuRunPlan(
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


def relative_max_error(out: Tensor, ref: Tensor) -> float:
    """max|out - ref| / max|ref|, in float64. Example: `relative_max_error(x.bfloat16(), x.double())`"""
    ref = ref.double()
    return ((out.double() - ref).abs().max() / ref.abs().max().clamp_min(1e-300)).item()


def _check(label: str, out: Tensor, ref: Tensor, tol: float) -> bool:
    """Print one check's relative max error; True when it is within `tol`."""
    error = relative_max_error(out, ref)
    print(f"check {label:38s} rel. max error {error:.2e}  {'ok' if error <= tol else f'FAIL (> {tol:g})'}", flush=True)
    return error <= tol


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:120]


def check_correctness(plan: GpuRunPlan, device: torch.device) -> bool:
    """Step 1: online softmax and SDPA against float64 dense attention, dilated against `dilated_reference`,
    at n = plan.check_n in plan.dtype on `device`; prints each error, returns whether all are in tolerance.

    Example: `check_correctness(PLANS["cpu"], torch.device("cpu"))`
    """
    n, tol, tag = plan.check_n, TOLERANCE[plan.dtype], f"{plan.dtype} n={plan.check_n}"
    q, k, v = random_qkv(plan.heads, n, plan.d, plan.dtype, device)
    q64, k64, v64 = q.double(), k.double(), v.double()
    with torch.no_grad():
        dense = F.scaled_dot_product_attention(q64, k64, v64)
        online = online_softmax_attention(q, k, v, block_size=online_block_size(device))
        passed = [
            _check(f"sdpa {tag}", F.scaled_dot_product_attention(q, k, v), dense, tol),
            _check(f"online {tag}", online, dense, tol),
        ]
        del dense, online
        patterns = geometric_patterns(n, base=plan.base)
        for causal in (False, True):
            ref = dilated_reference(q64, k64, v64, *patterns, causal=causal)
            got = dilated_attention(q, k, v, *patterns, causal=causal)
            passed.append(_check(f"dilated {tag} causal={causal}", got, ref, tol))
            del ref, got
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return all(passed)


def _flops(impl: str, n: int, plan: GpuRunPlan) -> float:
    if impl == "dilated":
        return dilated_flops(n, plan.d, plan.heads, *geometric_patterns(n, base=plan.base))
    return attention_flops(n, plan.d, plan.heads)


def _row(impl: str, n: int, plan: GpuRunPlan, device: torch.device, status: str) -> BenchRow:
    """A row for a measurement that was not made (skipped, or failed with an error)."""
    return new_row(
        device, impl=impl, n=n, heads=plan.heads, d=plan.d, dtype=plan.dtype, causal=False, backend=impl, status=status
    )


def _measure(impl: str, n: int, plan: GpuRunPlan, device: torch.device, repeats: int) -> BenchRow:
    """`time_and_memory` at the plan's sizes; an error (e.g. no kernel for these inputs) is recorded, not raised."""
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
    except RuntimeError as error:
        if device.type == "cuda":
            torch.cuda.empty_cache()
        return _row(impl, n, plan, device, f"error: {_first_line(error)}")


def timed_sweep(jobs: list[tuple[str, int]], plan: GpuRunPlan, device: torch.device, deadline: float) -> list[BenchRow]:
    """Measure each (impl, n) in order if its estimated time fits before `deadline` (a
    `time.perf_counter()` value); after an impl fails (refused, out of memory, error), its larger
    sizes are skipped. Prints one line per job.

    Example: `timed_sweep([("sdpa", 256), ("sdpa", 512)], PLANS["cpu"], torch.device("cpu"), time.perf_counter() + 5)`
    """
    rows: list[BenchRow] = []
    throughput: dict[str, float] = {}  # FLOP/s of the impl's latest measured call
    failed: dict[str, BenchRow] = {}
    for impl, n in jobs:
        if impl not in failed and impl not in throughput:  # a small call gives the first throughput
            calib = _measure(impl, min(plan.calib_n, n), plan, device, repeats=1)
            if calib.status == "ok":
                throughput[impl] = calib.tflops * 1e12
        single = _flops(impl, n, plan) / throughput.get(impl, math.inf)
        repeats = 3 if single < 0.2 else 1
        estimate = (1 + repeats) * single  # time_and_memory() makes one memory call, then `repeats` timed calls
        left = deadline - time.perf_counter()
        if impl in failed:
            row = _row(impl, n, plan, device, f"skipped ({failed[impl].status} at n={failed[impl].n})")
        elif SAFETY * estimate > left:
            row = _row(impl, n, plan, device, f"skipped (estimated {estimate:.0f}s, {max(left, 0):.0f}s left)")
        else:
            row = _measure(impl, n, plan, device, repeats)
            if row.status == "ok":
                throughput[impl] = row.tflops * 1e12
            else:
                failed[impl] = row
        rows.append(row)
        print_row(row)
    return rows


def sweep_steps(plan: GpuRunPlan, device: torch.device, out_dir: Path, budget_s: float) -> None:
    """Steps 2-3: notebook 06's sweep in the first 40 % of `budget_s`, then notebook 07's; one CSV each."""
    start, slug = time.perf_counter(), device_slug(device)
    for notebook, prefix, impls, ns, share in (
        ("06", "bench", ("sdpa", "naive", "online"), plan.bench_ns, 0.4),
        ("07", "dilated", ("dilated", "sdpa"), plan.dilated_ns, 1.0),  # dilated with geometric patterns
    ):
        print(f"notebook {notebook} sweep: {', '.join(impls)}", flush=True)
        jobs = [(impl, n) for impl in impls for n in ns]
        rows = timed_sweep(jobs, plan, device, deadline=start + share * budget_s)
        print(f"wrote {write_csv(rows, out_dir / f'{prefix}_{slug}.csv')}", flush=True)


def flex_scale_invariant(plan: GpuRunPlan, device: torch.device) -> Callable[[Tensor, Tensor, Tensor], Tensor] | None:
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

    def run(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        n = q.shape[-2]
        if n not in masks:
            masks[n] = create_block_mask(causal, None, None, n, n, device=device.type)
        return kernel(q, k, v, score_mod=score_mod, block_mask=masks[n])

    return run


def _time_causal(
    impl: str, backend: str, call: Callable[[], Tensor], n: int, plan: GpuRunPlan, device: torch.device
) -> BenchRow:
    """Median time of 3 calls after a warm-up (and compilation) call, as a causal row; an error is recorded."""
    row = new_row(device, impl=impl, n=n, heads=plan.heads, d=plan.d, dtype=plan.dtype, causal=True, backend=backend)
    try:
        with torch.no_grad():
            call()
            row.seconds = median_seconds(call, 3, device)
        row.tflops = attention_flops(n, plan.d, plan.heads, causal=True) / row.seconds / 1e12
    except (RuntimeError, torch.cuda.OutOfMemoryError) as error:
        row.status = f"error: {_first_line(error)}"
    print_row(row)
    return row


def flex_step(plan: GpuRunPlan, device: torch.device) -> tuple[bool, list[BenchRow]]:
    """Step 4: check the fused transform against the float64 reference, then time it against causal SDPA
    at plan.flex_ns. Returns (check passed, rows).

    Example: `ok, rows = flex_step(PLANS["cuda"], torch.device("cuda"))`
    """
    flex = flex_scale_invariant(plan, device)
    if flex is None:
        return True, []
    n = plan.check_n if plan.flex_compile else min(plan.check_n, 128)  # eager FlexAttention is slow
    q, k, v = random_qkv(plan.heads, n, plan.d, plan.dtype, device, seed=1)
    with torch.no_grad():
        transform = partial(scale_invariant_logits, tau=FLEX_TAU)
        ref, _ = attention(q.double(), k.double(), v.double(), logit_transform=transform)
        ok = _check(f"flex scale-invariant {plan.dtype} n={n}", flex(q, k, v), ref, TOLERANCE[plan.dtype])
    rows = []
    for n in plan.flex_ns if ok else ():
        q, k, v = random_qkv(plan.heads, n, plan.d, plan.dtype, device, seed=1)
        sdpa = partial(F.scaled_dot_product_attention, q, k, v, is_causal=True)
        rows.append(_time_causal("flex-si", "flex_attention score_mod", partial(flex, q, k, v), n, plan, device))
        rows.append(_time_causal("sdpa-causal", "default dispatch", sdpa, n, plan, device))
    return ok, rows


def distributed_step(device: torch.device) -> bool:
    """Step 5: launch notebook 11's check on every GPU (or two CPU processes); True when every rank passed."""
    gpus = torch.cuda.device_count() if device.type == "cuda" else 0
    processes = gpus if gpus > 1 else (1 if gpus == 1 else 2)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    command += ["-m", "course_utils.chapters.distributed", "check"]
    kind = "GPU" if gpus else "CPU"
    print(f"notebook 11: distributed attention on {processes} {kind} process(es): {' '.join(command[1:])}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        return subprocess.run(command, env=env, timeout=300, check=False).returncode == 0
    except subprocess.TimeoutExpired:
        print("the distributed check did not finish in 300 s", flush=True)
        return False


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with `device` turned into a torch.device (an unusable one is a usage error)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.tools.gpu",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_device_argument(parser, default="auto", help="auto (default): cuda when available, else the tiny CPU run")
    parser.add_argument(
        "--budget-s", type=float, default=None, help="seconds for the two sweeps (default: 300 on CUDA, 10 on the CPU)"
    )
    parser.add_argument(
        "--out-dir",
        default=None,
        help="where the CSVs go (default: notebooks/results on CUDA, a temporary folder on the CPU)",
    )
    return parser.parse_args(argv)


def _out_dir(out_dir: str | None, device: torch.device) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    return RESULTS_DIR if device.type == "cuda" else Path(tempfile.mkdtemp(prefix="course-gpu-smoke-"))


def main(argv: list[str] | None = None) -> int:
    """Run the five steps; returns the exit code (0, or 1 when a check fails)."""
    start = time.perf_counter()
    args = _arguments(argv)
    device, plan = args.device, PLANS[args.device.type]
    budget_s = plan.budget_s if args.budget_s is None else args.budget_s
    out_dir = _out_dir(args.out_dir, device)
    name = device_name(device) + ("" if device.type == "cuda" else " (tiny sizes: a smoke run)")
    print(
        f"torch {torch.__version__} (CUDA {torch.version.cuda}), device {name}, {plan.dtype}, "
        f"{plan.heads} heads of width {plan.d}; sweep budget {budget_s:.0f} s; results -> {out_dir}",
        flush=True,
    )
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 matmuls stay fp32 (the online softmax's state)
    if not check_correctness(plan, device):
        print(f"a correctness check failed: no sweep run ({time.perf_counter() - start:.1f} s)", flush=True)
        return 1
    sweep_steps(plan, device, out_dir, budget_s)
    print("notebook 08: scale-invariant attention fused with FlexAttention's score_mod", flush=True)
    flex_ok, rows = flex_step(plan, device)
    if rows:
        print(f"wrote {write_csv(rows, out_dir / f'flex_{device_slug(device)}.csv')}", flush=True)
    distributed_ok = distributed_step(device)
    print(f"total wall time {time.perf_counter() - start:.1f} s", flush=True)
    return 0 if flex_ok and distributed_ok else 1


if __name__ == "__main__":
    sys.exit(main())
