"""The sizes of the GPU runs (`make gpu` and the notebooks' GPU cells), written once, and the benchmark
command of a notebook's GPU sweep at those sizes.

`PLANS["cuda"]` are the sizes a GPU is for; `PLANS["cpu"]` the tiny ones of `make gpu`'s smoke run on
the CPU, where the same code runs in seconds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from course_utils.bench.results import device_slug
from course_utils.paths import RESULTS_DIR

#: The implementations each notebook's GPU sweep times, by the prefix of its CSV files (<prefix>_<device>.csv):
#: notebook 06's "bench" sweep and notebook 07's "dilated" one (dilated with `geometric_patterns(n)`).
SWEEP_IMPLS: dict[str, tuple[str, ...]] = {"bench": ("sdpa", "naive", "online"), "dilated": ("dilated", "sdpa")}


@dataclass(frozen=True)
class GpuRunPlan:
    """The sizes of one run: q, k, v are (1, heads, n, d) in `dtype`; `pattern_base` is the kept rows per
    segment of the dilated sweep's `geometric_patterns`; `sweep_budget_s` the default time of the two sweeps."""

    heads: int
    d: int
    dtype: str
    check_n: int
    pattern_base: int
    bench_ns: tuple[int, ...]
    dilated_ns: tuple[int, ...]
    sweep_budget_s: float
    flex_ns: tuple[int, ...] = ()
    flex_compile: bool = True  # torch.compile the FlexAttention call (eager is a slow reference path)

    def sweep_ns(self, prefix: str) -> tuple[int, ...]:
        """The lengths of the notebook sweep `prefix` ("bench": notebook 06's, "dilated": notebook 07's)."""
        return {"bench": self.bench_ns, "dilated": self.dilated_ns}[prefix]


PLANS = {
    "cuda": GpuRunPlan(
        heads=8,
        d=64,
        dtype="bfloat16",
        check_n=4096,
        pattern_base=512,
        bench_ns=tuple(2**p for p in range(12, 19)),
        dilated_ns=tuple(2**p for p in range(14, 21)),
        sweep_budget_s=300.0,
        flex_ns=tuple(2**p for p in range(12, 17)),
    ),
    "cpu": GpuRunPlan(
        heads=2,
        d=32,
        dtype="bfloat16",
        check_n=512,
        pattern_base=64,
        bench_ns=(256, 512, 1024),
        dilated_ns=(256, 512, 1024, 2048, 4096),
        sweep_budget_s=10.0,
        flex_ns=(128,),
        flex_compile=False,
    ),
}


def sweep_command(
    prefix: str, device: torch.device, *, out_dir: Path = RESULTS_DIR, repeats: int | None = None
) -> list[str]:
    """The benchmark's command line (`python -m course_utils.bench`) for a notebook's GPU sweep, "bench" or
    "dilated" (`SWEEP_IMPLS`), at the sizes of `PLANS[device.type]`, writing <out_dir>/<prefix>_<device>.csv.
    `repeats`: timed calls per row (default: the benchmark's). `make gpu` runs the same sweeps in its own
    process, within a time budget.

    Example:
        >>> command = sweep_command("dilated", torch.device("cpu"), out_dir=Path("results"), repeats=1)
        >>> " ".join(command[1:14])
        '-m course_utils.bench --device cpu --dtype bfloat16 --heads 2 --d 32 --impls dilated sdpa'
        >>> " ".join(command[14:])
        '--pattern-base 64 --repeats 1 --ns 256 512 1024 2048 4096 --out results/dilated_cpu.csv'
    """
    if prefix not in SWEEP_IMPLS:
        raise ValueError(f"unknown sweep {prefix!r}; choose one of {sorted(SWEEP_IMPLS)}")
    plan, impls = PLANS[device.type], SWEEP_IMPLS[prefix]
    command = [sys.executable, "-m", "course_utils.bench", "--device", device.type, "--dtype", plan.dtype]
    command += ["--heads", str(plan.heads), "--d", str(plan.d), "--impls", *impls]
    if "dilated" in impls:
        command += ["--pattern-base", str(plan.pattern_base)]
    if repeats is not None:
        command += ["--repeats", str(repeats)]
    command += ["--ns", *map(str, plan.sweep_ns(prefix))]
    return [*command, "--out", str(out_dir / f"{prefix}_{device_slug(device)}.csv")]
