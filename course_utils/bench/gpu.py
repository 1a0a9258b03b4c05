"""Every GPU measurement of the course in one command: `python -m course_utils.bench.gpu` (`make gpu`).

1. Correctness on the device, at n = 4096 in bf16 (8 heads of width 64), against float64 references
   of the same inputs: the online softmax and PyTorch's SDPA against dense attention, and dilated
   attention (geometric patterns, causal and not) against `dilated_reference`. The relative max
   error max|out - ref| / max|ref| is printed; beyond `MAX_RELATIVE_ERROR` the run stops with exit code 1.
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

The sweeps are the benchmark's (`course_utils.bench.sweep.sweep`) with a time budget (`--budget-s`,
default 300 s on CUDA): before each measurement its time is estimated from the counted FLOPs and a
throughput measured on a small call of the same implementation (then updated from each larger call);
a measurement that would not fit the time left is recorded as "skipped (estimated Xs)". The CSV files
carry the device in their names (`course_utils.bench.results.device_slug`), so a second GPU adds
files instead of overwriting.

The sizes of every step are `course_utils.bench.plans.PLANS`, which the notebooks' GPU cells use too.
Without CUDA (or with `--device cpu`) the same code runs at tiny sizes on the CPU in seconds and
writes to a temporary folder unless `--out-dir` is given. Needs only torch and numpy (no tqdm,
seaborn or matplotlib on its import path):

    PYTHONPATH=. python3 -m course_utils.bench.gpu                  # on a CUDA machine
    python -m course_utils.bench.gpu --device cpu --out-dir /tmp/x  # the smoke run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from course_utils.bench.measure import measure_call, online_block_size, random_qkv
from course_utils.bench.plans import PLANS, SWEEP_IMPLS, GpuRunPlan
from course_utils.bench.results import BenchRow, device_name, device_slug, new_row, write_csv
from course_utils.bench.sweep import print_row, sweep
from course_utils.chapters.flash import online_softmax_attention
from course_utils.chapters.flops import attention_flops
from course_utils.chapters.scale_invariant import flex_score_mod, scale_invariant_logits
from course_utils.core.attention import attention
from course_utils.core.device import add_device_argument
from course_utils.core.dilated import dilated_attention, dilated_reference, geometric_patterns
from course_utils.core.metrics import relative_max_error
from course_utils.paths import REPO_DIR, RESULTS_DIR

#: Largest accepted relative max error against the float64 reference, by dtype (bf16 SDPA itself: ~4e-3).
MAX_RELATIVE_ERROR = {"bfloat16": 2e-2, "float16": 5e-3, "float32": 1e-4}
#: The scale-invariant transform's tau in the FlexAttention step (the paper's value).
FLEX_TAU = 10.0


def _compare_and_print(label: str, out: Tensor, ref: Tensor, tolerance: float) -> bool:
    """Print `out`'s relative max error against `ref`; True when it is within `tolerance`."""
    error = relative_max_error(out, ref)
    verdict = "ok" if error <= tolerance else f"FAIL (> {tolerance:g})"
    print(f"check {label:38s} rel. max error {error:.2e}  {verdict}", flush=True)
    return error <= tolerance


def check_correctness(plan: GpuRunPlan, device: torch.device) -> bool:
    """Step 1: online softmax and SDPA against float64 dense attention, dilated against `dilated_reference`,
    at n = plan.check_n in plan.dtype on `device`; prints each error, returns whether all are in tolerance.

    Example:
        >>> check_correctness(PLANS["cpu"], torch.device("cpu"))
        check sdpa bfloat16 n=512 ... ok
        check online bfloat16 n=512 ... ok
        check dilated bfloat16 n=512 causal=False ... ok
        check dilated bfloat16 n=512 causal=True ... ok
        True
    """
    n, tolerance, tag = plan.check_n, MAX_RELATIVE_ERROR[plan.dtype], f"{plan.dtype} n={plan.check_n}"
    q, k, v = random_qkv(plan.heads, n, plan.d, plan.dtype, device)
    q64, k64, v64 = q.double(), k.double(), v.double()
    with torch.no_grad():
        dense = F.scaled_dot_product_attention(q64, k64, v64)
        online = online_softmax_attention(q, k, v, block_size=online_block_size(device))
        passed = [
            _compare_and_print(f"sdpa {tag}", F.scaled_dot_product_attention(q, k, v), dense, tolerance),
            _compare_and_print(f"online {tag}", online, dense, tolerance),
        ]
        del dense, online
        patterns = geometric_patterns(n, base=plan.pattern_base)
        for causal in (False, True):
            reference = dilated_reference(q64, k64, v64, *patterns, causal=causal)
            dilated = dilated_attention(q, k, v, *patterns, causal=causal)
            passed.append(_compare_and_print(f"dilated {tag} causal={causal}", dilated, reference, tolerance))
            del reference, dilated
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return all(passed)


def run_notebook_sweeps(plan: GpuRunPlan, device: torch.device, out_dir: Path, budget_s: float) -> None:
    """Steps 2-3: notebook 06's sweep in the first 40 % of `budget_s`, then notebook 07's; one CSV each."""
    start, slug = time.perf_counter(), device_slug(device)
    settings: dict[str, Any] = {
        "heads": plan.heads,
        "d": plan.d,
        "dtype": plan.dtype,
        "device": device.type,
        "pattern_base": plan.pattern_base,
    }
    for notebook, prefix, share in (("06", "bench", 0.4), ("07", "dilated", 1.0)):
        impls = list(SWEEP_IMPLS[prefix])
        print(f"notebook {notebook} sweep: {', '.join(impls)}", flush=True)
        rows = sweep(impls, list(plan.sweep_ns(prefix)), deadline=start + share * budget_s, progress=True, **settings)
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
    score_mod = flex_score_mod(FLEX_TAU)
    block_masks: dict[int, Any] = {}  # n -> the causal BlockMask of n queries and n keys

    def causal_mask(batch: Tensor, head: Tensor, q_idx: Tensor, kv_idx: Tensor) -> Tensor:
        return q_idx >= kv_idx

    def run(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        n = q.shape[-2]
        if n not in block_masks:
            block_masks[n] = create_block_mask(causal_mask, None, None, n, n, device=device.type)
        return kernel(q, k, v, score_mod=score_mod, block_mask=block_masks[n])

    return run


def _measure_causal(
    impl: str, backend: str, call: Callable[[], Tensor], n: int, plan: GpuRunPlan, device: torch.device
) -> BenchRow:
    """A causal row of `call` (`measure_call`, 3 timed calls), after a warm-up call at full size (which
    compiles it); printed as it comes."""
    row = new_row(device, impl=impl, n=n, heads=plan.heads, d=plan.d, dtype=plan.dtype, causal=True, backend=backend)
    flops = attention_flops(n, plan.d, plan.heads, causal=True)
    row = measure_call(row, call, device=device, warm_up=call, flops=flops, repeats=3)
    print_row(row)
    return row


def flex_step(plan: GpuRunPlan, device: torch.device) -> tuple[bool, list[BenchRow]]:
    """Step 4: check the fused transform against the float64 reference, then time it against causal SDPA
    at plan.flex_ns. Returns (check passed, rows).

    Example:
        >>> passed, rows = flex_step(PLANS["cuda"], torch.device("cuda"))  # doctest: +SKIP
    """
    flex = flex_scale_invariant(plan, device)
    if flex is None:
        return True, []
    n = plan.check_n if plan.flex_compile else min(plan.check_n, 128)  # eager FlexAttention is slow
    q, k, v = random_qkv(plan.heads, n, plan.d, plan.dtype, device, seed=1)
    with torch.no_grad():
        transform = partial(scale_invariant_logits, tau=FLEX_TAU)
        reference, _ = attention(q.double(), k.double(), v.double(), logit_transform=transform)
        label = f"flex scale-invariant {plan.dtype} n={n}"
        passed = _compare_and_print(label, flex(q, k, v), reference, MAX_RELATIVE_ERROR[plan.dtype])
    rows = []
    for n in plan.flex_ns if passed else ():
        q, k, v = random_qkv(plan.heads, n, plan.d, plan.dtype, device, seed=1)
        sdpa = partial(F.scaled_dot_product_attention, q, k, v, is_causal=True)
        rows.append(_measure_causal("flex-si", "flex_attention score_mod", partial(flex, q, k, v), n, plan, device))
        rows.append(_measure_causal("sdpa-causal", "default dispatch", sdpa, n, plan, device))
    return passed, rows


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


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with `device` turned into a torch.device (an unusable one is a usage error)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.bench.gpu",
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


def _results_dir(out_dir: str | None, device: torch.device) -> Path:
    """--out-dir, else notebooks/results on CUDA and a fresh temporary folder for the CPU's smoke run."""
    if out_dir is not None:
        return Path(out_dir)
    return RESULTS_DIR if device.type == "cuda" else Path(tempfile.mkdtemp(prefix="course-gpu-smoke-"))


def main(argv: list[str] | None = None) -> int:
    """Run the five steps; returns the exit code (0, or 1 when a check fails)."""
    start = time.perf_counter()
    args = _parse_arguments(argv)
    device, plan = args.device, PLANS[args.device.type]
    budget_s = plan.sweep_budget_s if args.budget_s is None else args.budget_s
    out_dir = _results_dir(args.out_dir, device)
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
    run_notebook_sweeps(plan, device, out_dir, budget_s)
    print("notebook 08: scale-invariant attention fused with FlexAttention's score_mod", flush=True)
    flex_passed, rows = flex_step(plan, device)
    if rows:
        print(f"wrote {write_csv(rows, out_dir / f'flex_{device_slug(device)}.csv')}", flush=True)
    distributed_passed = distributed_step(device)
    print(f"total wall time {time.perf_counter() - start:.1f} s", flush=True)
    return 0 if flex_passed and distributed_passed else 1


if __name__ == "__main__":
    sys.exit(main())
