"""scripts/time_notebooks.py's README wording and table update, on a small sample table (no notebook runs)."""

from __future__ import annotations

import pytest
import time_notebooks as tn

#: A syllabus table with an escaped pipe before the "CPU time" column, rows named by link and by
#: number, a notebook without a new time, and a table outside the markers that must stay as it is.
README = """\
# Course

| notebook | CPU time |
|---|---|
| 01_attention | 1 s |

<!-- timings:start -->
| notebook | concept \\| idea | CPU time | paper |
|---|---|---:|---|
| [01_attention](notebooks/01_attention.ipynb) | softmax \\| masks | 1 min | Vaswani |
| 02 — Dilution | spreading out | ? | Hahn |
| [03_bias](notebooks/03_bias.ipynb) | the middle | 89 s | Liu |
<!-- timings:end -->
"""


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.4, "< 1 s"), (8.2, "8 s"), (89.4, "89 s"), (90, "1.5 min"), (150.0, "2.5 min")]
)
def test_format_seconds(seconds: float, text: str) -> None:
    assert tn.format_seconds(seconds) == text


def test_update_readme_table_replaces_only_the_cpu_time_cells_between_the_markers() -> None:
    text, updated = tn.update_readme_table(README, {"01_attention": "45 s", "02_dilution": "2.5 min"})
    assert updated == ["01_attention", "02_dilution"]
    assert text == README.replace("softmax \\| masks | 1 min |", "softmax \\| masks | 45 s |").replace(
        "spreading out | ? |", "spreading out | 2.5 min |"
    )


def test_update_readme_table_needs_the_markers_and_the_column() -> None:
    with pytest.raises(ValueError, match="timings:start"):
        tn.update_readme_table("| notebook | CPU time |\n", {})
    with pytest.raises(ValueError, match="CPU time"):
        tn.update_readme_table(README.replace("| CPU time | paper |", "| seconds | paper |"), {})
