"""Plots of recorded benchmark rows: one line per implementation over n (ch. 06-08)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from course_utils.bench.results import BenchRow
from course_utils.tools.plotting import finish

#: The columns of a BenchRow that hold a measured number.
MEASURED_FIELDS = tuple(field.name for field in fields(BenchRow) if str(field.type) == "float")


def plot_recorded_bench(rows: Sequence[BenchRow], *, field: str, ylabel: str, logy: bool = False) -> Figure:
    """One line per implementation of a recorded benchmark over n: `rows` are the rows of one CSV file
    (`course_utils.bench.results.read_csv`), of which those with status "ok" are drawn; `field` is one of
    `MEASURED_FIELDS` ("seconds", "peak_bytes", "tflops").

    Example:
        >>> from course_utils.bench.results import read_csv
        >>> from course_utils.paths import RESULTS_DIR
        >>> from course_utils.tools.plotting import describe_figure
        >>> fig = plot_recorded_bench(read_csv(RESULTS_DIR / "dilated_cpu.csv"), field="seconds", ylabel="time (s)")
        >>> describe_figure(fig)
        'Figure: Recorded on CPU (torch 2.13.0+cpu, float32). Line plot; ...; legend: dilated, sdpa.'
    """
    if field not in MEASURED_FIELDS:
        raise ValueError(
            f"field must name a measured column, one of {MEASURED_FIELDS}; got {field!r}: pass one of those"
        )
    measured = [row for row in rows if row.status == "ok"]
    if not measured:
        raise ValueError("the rows have no row with status 'ok'; rerun the benchmark that writes them")
    fig, ax = plt.subplots(figsize=(7, 4))
    for impl in dict.fromkeys(row.impl for row in measured):
        same = [row for row in measured if row.impl == impl]
        ax.plot([row.n for row in same], [getattr(row, field) for row in same], marker="o", label=impl)
    first = measured[0]
    ax.set(
        xscale="log",
        yscale="log" if logy else "linear",
        xlabel="sequence length n (tokens)",
        ylabel=ylabel,
        title=f"Recorded on {first.device_name} (torch {first.torch_version}, {first.dtype})",
    )
    ax.legend()
    return finish(fig)
