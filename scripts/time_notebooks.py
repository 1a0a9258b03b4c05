"""Time every course notebook on this machine and record the result.

For each `notebooks/NN_*.ipynb` (read into memory; the file on disk is never written) this starts a
fresh `python3` kernel of the running interpreter (the venv's, when run as `make timings`) with
`notebooks/` as its working directory and runs all cells twice in that kernel:

- `cold_s`: the first Run All in the new kernel process (imports, first-touch allocations, ...);
- `warm_s`: a second Run All in the same, now warm, kernel.

Kernel start-up is in neither number. Results go to `notebooks/results/timings.csv` (one row per
notebook, merged with rows already there) and, unless `--no-readme`, the cold time replaces the
"CPU time" column of the README's syllabus table between `<!-- timings:start -->` and
`<!-- timings:end -->`; the other columns are kept as they are.

Usage:

    python scripts/time_notebooks.py                # every notebook
    python scripts/time_notebooks.py --only 01      # one notebook (NN prefix or file stem)
    python scripts/time_notebooks.py --no-readme    # leave README.md alone
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import os
import re
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, cast

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_utils.paths import NOTEBOOKS_DIR, REPO_DIR, RESULTS_DIR, chapter_notebooks

if TYPE_CHECKING:
    from jupyter_client.client import KernelClient

CSV_PATH = RESULTS_DIR / "timings.csv"
README = REPO_DIR / "README.md"
START, END = "<!-- timings:start -->", "<!-- timings:end -->"
FIELDS = ["notebook", "cold_s", "warm_s", "cpu_count", "torch_version", "date"]
KERNEL = "python3"


def find_notebooks(only: list[str] | None) -> list[Path]:
    """The course notebooks `NN_*.ipynb`, optionally only those whose NN prefix or stem is in `only`."""
    paths = chapter_notebooks()
    if only:
        wanted = set(only)
        paths = [path for path in paths if path.stem in wanted or path.stem.split("_", 1)[0] in wanted]
        if not paths:
            raise SystemExit(f"no notebook in {NOTEBOOKS_DIR} matches --only {' '.join(only)}")
    return paths


def _run_all(client: NotebookClient) -> float:
    """Execute every cell of the client's notebook once in its running kernel; seconds of wall time."""
    client.reset_execution_trackers()
    start = time.perf_counter()
    for index, cell in enumerate(client.nb.cells):
        client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    return time.perf_counter() - start


def time_notebook(path: Path, timeout: int) -> tuple[float, float]:
    """(cold, warm) seconds: two Run Alls of `path` in one fresh kernel with cwd notebooks/."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    with client.setup_kernel():
        kernel_client = cast("KernelClient", client.kc)  # setup_kernel() has started it
        client.wait_for_reply(kernel_client.kernel_info())  # kernel fully up before the clock starts
        cold = _run_all(client)
        warm = _run_all(client)
    return cold, warm


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    """The rows of the timings CSV by notebook file name ({} when there is no file yet)."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["notebook"]: row for row in csv.DictReader(handle)}


def write_csv(path: Path, rows: dict[str, dict[str, str]]) -> None:
    """Write the timings CSV: the FIELDS of every row, sorted by notebook file name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for name in sorted(rows):
            writer.writerow({field: rows[name].get(field, "") for field in FIELDS})


def format_seconds(seconds: float) -> str:
    """README wording: '8 s', '45 s', '2.5 min'."""
    if seconds < 1:
        return "< 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_NB_NAME = re.compile(r"\b(\d\d)_[A-Za-z0-9_-]+")
_NB_NUMBER = re.compile(r"^\W*(\d\d)\b")  # a first cell like "01" or "[01 — Attention](...)"


def update_readme_table(text: str, times: dict[str, str]) -> tuple[str, list[str]]:
    """Replace the "CPU time" cells of the table between the markers.

    `times` maps notebook stems (`01_attention_dilution`) to the text to put in the cell. A row
    belongs to the notebook whose stem (or NN prefix) its first cell names, e.g.
    `[01_attention_dilution](notebooks/01_attention_dilution.ipynb)` or `01 — Dilution`.
    Returns the new text and the stems whose row was found.
    """
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {START} ... {END} block; put the markers around the syllabus table")
    lines = text[start:end].split("\n")
    by_prefix = {stem.split("_", 1)[0]: stem for stem in times}
    column, updated = None, []
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            continue
        cells = _CELL_SPLIT.split(line)  # ['', ' a ', ' b ', ..., '']
        if column is None:
            names = [cell.strip().lower() for cell in cells]
            if "cpu time" not in names:
                raise ValueError("the syllabus table has no 'CPU time' column; add one to its header row")
            column = names.index("cpu time")
            continue
        if set(line.replace("|", "").strip()) <= set("-: "):
            continue  # the |---|---| separator row
        first = cells[1] if len(cells) > 1 else ""
        match = _NB_NAME.search(first) or _NB_NUMBER.search(first)
        if not match or column >= len(cells):
            continue
        stem = match.group(0) if match.group(0) in times else by_prefix.get(match.group(1))
        if stem is None:
            continue
        cells[column] = f" {times[stem]} "
        lines[index] = "|".join(cells)
        updated.append(stem)
    return text[:start] + "\n".join(lines) + text[end:], updated


def _digest(path: Path) -> str:
    """Hex sha256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring); exit status 1 if a notebook failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", action="append", metavar="NN", help="time only this notebook (NN prefix or stem); repeatable"
    )
    parser.add_argument("--no-readme", action="store_true", help="do not update README.md")
    parser.add_argument("--timeout", type=int, default=3600, help="per-cell timeout in seconds (default 3600)")
    args = parser.parse_args(argv)

    paths = find_notebooks(args.only)
    if not paths:
        print(f"no notebooks/NN_*.ipynb in {NOTEBOOKS_DIR}: nothing to time")
        return 0
    kernel_python = KernelSpecManager().get_kernel_spec(KERNEL).argv[0]
    if kernel_python in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        kernel_python = sys.executable  # jupyter_client runs these names as the current interpreter
    machine = {
        "cpu_count": str(os.cpu_count() or 1),
        "torch_version": metadata.version("torch"),
        "date": dt.date.today().isoformat(),
    }
    print(f"kernel {KERNEL!r} -> {kernel_python}; {machine['cpu_count']} CPUs; torch {machine['torch_version']}")

    rows = read_csv(CSV_PATH)
    readme_times: dict[str, str] = {}
    failed = []
    for path in paths:
        before = _digest(path)
        row = _timed_row(path, args.timeout, machine)
        changed = _digest(path) != before
        if row is not None and changed:
            print(f"{path.name}: the notebook file changed on disk while it ran", file=sys.stderr)
        if row is None or changed:
            failed.append(path.name)
        if row is not None:
            rows[path.name] = row
            readme_times[path.stem] = format_seconds(float(row["cold_s"]))
    if readme_times:
        write_csv(CSV_PATH, rows)
        print(f"wrote {CSV_PATH.relative_to(REPO_DIR)}")
    if readme_times and not args.no_readme:
        _update_readme(readme_times)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _timed_row(path: Path, timeout: int, machine: dict[str, str]) -> dict[str, str] | None:
    """The CSV row of one notebook timed on this machine, or None (reported) if a cell failed."""
    print(f"{path.name}: running twice ...", flush=True)
    try:
        cold, warm = time_notebook(path, timeout)
    except CellExecutionError as error:
        print(f"{path.name}: FAILED\n{error}", file=sys.stderr)
        return None
    print(f"{path.name}: cold {cold:.1f} s, warm {warm:.1f} s", flush=True)
    return {"notebook": path.name, "cold_s": f"{cold:.1f}", "warm_s": f"{warm:.1f}", **machine}


def _update_readme(times: dict[str, str]) -> None:
    """Write the cold times into README.md's syllabus table, reporting (not raising) what went wrong."""
    if not README.exists():
        print("README.md not found: table not updated", file=sys.stderr)
        return
    try:
        text, updated = update_readme_table(README.read_text(encoding="utf-8"), times)
    except ValueError as error:
        print(f"README.md not updated: {error}", file=sys.stderr)
        return
    README.write_text(text, encoding="utf-8")
    missing = sorted(set(times) - set(updated))
    print(f"README.md: updated {len(updated)} row(s)" + (f"; no row for {missing}" if missing else ""))


if __name__ == "__main__":
    sys.exit(main())
