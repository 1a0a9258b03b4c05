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


def device_name(device: str | torch.device = "cpu") -> str:
    """The name a row records for a device: the CUDA device's name, else its type in capitals ("CPU").

    Example: `device_name("cpu")` -> "CPU"; `device_name("cuda")` -> "NVIDIA H100 80GB HBM3" on an H100 SXM
    """
    dev = torch.device(device)
    return torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type.upper()


def device_slug(device: str | torch.device = "cpu") -> str:
    """A file-name tag for a device: its `device_name` lowercased, every run of other characters than
    letters and digits turned into "-".

    Example: `device_slug("cuda")` -> "nvidia-h100-80gb-hbm3" on an H100 SXM; `device_slug("cpu")` -> "cpu"
    """
    return re.sub(r"[^a-z0-9]+", "-", device_name(device).lower()).strip("-") or "cuda"


def new_row(device: str | torch.device, **fields: Any) -> BenchRow:
    """A row for one measurement on `device`, its name and this torch's version filled in; `fields` are
    BenchRow's other fields by name (the numbers stay NaN until measured).

    Example: `new_row("cpu", impl="sdpa", n=1024, heads=1, d=64, dtype="float32", causal=False, backend="sdpa")`
    """
    dev = torch.device(device)
    return BenchRow(device=dev.type, device_name=device_name(dev), torch_version=str(torch.__version__), **fields)


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

    Example: `row_from_record({"impl": "sdpa", "n": "1024", ...})`
    """
    parse: dict[str, Callable[[str], Any]] = {"bool": lambda v: v == "True", "float": float, "int": int, "str": str}
    types = {f.name: f.type for f in fields(BenchRow)}
    return BenchRow(**{k: parse[str(types[k])](v) for k, v in record.items() if k in types})


def read_csv(path: str | Path) -> list[BenchRow]:
    """The rows of a CSV file written by `write_csv`. Example: `rows = read_csv("results/bench_cpu.csv")`"""
    with Path(path).open(newline="") as f:
        return [row_from_record(record) for record in csv.DictReader(f)]


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
