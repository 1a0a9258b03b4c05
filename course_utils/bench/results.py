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
    """One measurement; `status` is "ok", "refused" (memory guard), "out of memory", "error: ..." (its first
    line) or "skipped (...)"; `note` says how memory was measured when it is not the exact method (or why it is NaN)."""

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

    Example:
        >>> device_name("cpu")
        'CPU'
        >>> device_name("cuda")  # doctest: +SKIP
        'NVIDIA H100 80GB HBM3'
    """
    dev = torch.device(device)
    return torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type.upper()


def device_slug(device: str | torch.device = "cpu") -> str:
    """A file-name tag for a device: its `device_name` lowercased, every run of other characters than
    letters and digits turned into "-".

    Example:
        >>> device_slug("cpu")
        'cpu'
        >>> device_slug("cuda")  # doctest: +SKIP
        'nvidia-h100-80gb-hbm3'
    """
    return re.sub(r"[^a-z0-9]+", "-", device_name(device).lower()).strip("-") or "cuda"


def new_row(device: str | torch.device, **fields: Any) -> BenchRow:
    """A row for one measurement on `device`, its name and this torch's version filled in; `fields` are
    BenchRow's other fields by name (the numbers stay NaN until measured).

    Example:
        >>> row = new_row("cpu", impl="sdpa", n=1024, heads=1, d=64, dtype="float32", causal=False, backend="sdpa")
        >>> row.device_name, row.status, row.seconds
        ('CPU', 'ok', nan)
    """
    dev = torch.device(device)
    return BenchRow(device=dev.type, device_name=device_name(dev), torch_version=str(torch.__version__), **fields)


def write_csv(rows: list[BenchRow], path: str | Path) -> Path:
    """Write rows (at least one) to a CSV file (parent folders are created); returns its path.

    Example:
        >>> import tempfile
        >>> row = new_row("cpu", impl="sdpa", n=1024, heads=1, d=64, dtype="float32", causal=False, backend="sdpa")
        >>> path = write_csv([row], Path(tempfile.mkdtemp()) / "bench_cpu.csv")
        >>> read_csv(path)[0].n, read_csv(path)[0].backend
        (1024, 'sdpa')
    """
    if not rows:
        raise ValueError(f"no rows to write to {path}; pass a list of at least one BenchRow (e.g. from `new_row`)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)
    return path


#: How a CSV cell is read back, by the type of its BenchRow field.
_CELL_PARSERS: dict[str, Callable[[str], Any]] = {
    "bool": lambda text: text == "True",
    "float": float,
    "int": int,
    "str": str,
}


def row_from_record(record: dict[str, str]) -> BenchRow:
    """A BenchRow from one CSV record written by `write_csv` (columns it lacks keep their defaults).

    Example:
        >>> record = {"impl": "sdpa", "n": "1024", "heads": "1", "d": "64", "dtype": "float32", "causal": "True",
        ...           "device": "cpu", "device_name": "CPU", "torch_version": "2.13.0", "backend": "sdpa",
        ...           "seconds": "0.5"}
        >>> row = row_from_record(record)
        >>> row.n, row.causal, row.seconds, row.tflops
        (1024, True, 0.5, nan)
    """
    types = {field.name: str(field.type) for field in fields(BenchRow)}
    known = {column: text for column, text in record.items() if column in types}
    return BenchRow(**{column: _CELL_PARSERS[types[column]](text) for column, text in known.items()})


def read_csv(path: str | Path) -> list[BenchRow]:
    """The rows of a CSV file written by `write_csv`.

    Example:
        >>> from course_utils.paths import RESULTS_DIR
        >>> rows = read_csv(RESULTS_DIR / "dilated_cpu.csv")
        >>> rows[0].impl, rows[0].n, rows[0].status
        ('dilated', 1024, 'ok')
    """
    with Path(path).open(newline="") as f:
        return [row_from_record(record) for record in csv.DictReader(f)]


def recorded_results(results_dir: str | Path, prefix: str, *, device: str = "cuda") -> list[Path]:
    """The CSV files `<prefix>_*.csv` in `results_dir` recorded on `device` ("cuda" or "cpu"; read from
    their first row), in name order: one per machine, since the file names carry `device_slug`.

    Example:
        >>> from course_utils.paths import RESULTS_DIR
        >>> [path.name for path in recorded_results(RESULTS_DIR, "dilated", device="cpu")]
        ['dilated_cpu.csv']
        >>> recorded_results(RESULTS_DIR, "bench")  # doctest: +SKIP
        [PosixPath('.../notebooks/results/bench_nvidia-h100-80gb-hbm3.csv')]
    """
    found = []
    for path in sorted(Path(results_dir).glob(f"{prefix}_*.csv")):
        with path.open() as f:
            first = next(csv.DictReader(f), None)
        if first is not None and first.get("device") == device:
            found.append(path)
    return found
