"""The rows a benchmark records and the CSV files that keep them, one file per device (ch. 06-08).

A file is named `<prefix>_<device_slug>.csv` (for example `bench_nvidia-h100-80gb-hbm3.csv`), so a
second GPU adds files instead of overwriting; `recorded_results` finds the ones recorded on a GPU.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch


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


def device_slug(device: str | torch.device = "cpu") -> str:
    """A file-name tag for a device: "cpu", or the CUDA device name lowercased with every run of other
    characters than letters and digits turned into "-".

    Example: `device_slug("cuda")` -> "nvidia-h100-80gb-hbm3" on an H100 SXM; `device_slug("cpu")` -> "cpu"
    """
    dev = torch.device(device)
    if dev.type != "cuda":
        return dev.type
    return re.sub(r"[^a-z0-9]+", "-", torch.cuda.get_device_name(dev).lower()).strip("-") or "cuda"


def write_csv(rows: list[BenchRow], path: str | Path) -> Path:
    """Write rows to a CSV file (parent folders are created). Example: `write_csv(rows, "bench.csv")`"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)
    return path


def row_from_record(record: dict[str, str]) -> BenchRow:
    """A BenchRow from one CSV record written by `write_csv` (columns it lacks keep their defaults).

    Example: `rows = [row_from_record(r) for r in csv.DictReader(open("bench_cpu.csv"))]`
    """
    parse: dict[str, Callable[[str], Any]] = {"bool": lambda v: v == "True", "float": float, "int": int, "str": str}
    types = {f.name: f.type for f in fields(BenchRow)}
    return BenchRow(**{k: parse[str(types[k])](v) for k, v in record.items() if k in types})


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
