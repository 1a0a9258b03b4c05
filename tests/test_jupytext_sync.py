"""Each teacher notebook is paired with a jupytext percent script and is committed executed.

* `notebooks/NN_name.ipynb` and `notebooks/NN_name.py` hold the same cells (types and sources;
  outputs and metadata are not compared), and the notebook declares the pairing
  (`jupytext.formats == "ipynb,py:percent"`), so `jupytext --sync` keeps them together.
* Outputs are committed: every code cell was run (has an execution count, in increasing order) and
  none stored an error. nbval (`make test`) re-executes the notebooks against these outputs.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
FORMATS = "ipynb,py:percent"

# Cells nbval is told to skip may stay unexecuted; cells that are meant to raise may store the error.
SKIP_MARKER, SKIP_TAG = "NBVAL_SKIP", "nbval-skip"
RAISES_MARKER, RAISES_TAGS = "NBVAL_RAISES_EXCEPTION", {"nbval-raises-exception", "raises-exception"}


def _params():
    return [pytest.param(p, id=p.name) for p in NOTEBOOKS]


def test_the_chapters_are_numbered_without_a_gap():
    """notebooks/ holds chapters 01, 02, ... with none missing (an empty folder fails too)."""
    numbers = [int(p.name[:2]) for p in NOTEBOOKS if p.name[:2].isdigit() and p.name[2] == "_"]
    assert numbers, f"no chapter notebooks (NN_name.ipynb) in {NOTEBOOK_DIR}"
    assert numbers == list(range(1, len(numbers) + 1)), f"chapter numbers {numbers}: a notebook is missing"


def _has_marker(cell, marker: str, tags: set[str]) -> bool:
    """True if a line of the cell is the comment `# marker`, or the cell carries one of `tags`."""
    if tags & set(cell.get("metadata", {}).get("tags", [])):
        return True
    return any(
        line.strip().startswith("#") and line.strip().lstrip("#").strip() == marker for line in cell.source.splitlines()
    )


def _cells(nb) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


@pytest.mark.parametrize("path", _params())
def test_py_sibling_exists(path: Path):
    assert path.with_suffix(".py").exists(), (
        f"{path.name} has no paired script: run `jupytext --set-formats {FORMATS} notebooks/{path.name}`"
    )


@pytest.mark.parametrize("path", _params())
def test_pairing_declared(path: Path):
    nb = nbformat.read(path, as_version=4)
    formats = nb.metadata.get("jupytext", {}).get("formats")
    assert formats == FORMATS, f"{path.name}: metadata jupytext.formats is {formats!r}, want {FORMATS!r}"


@pytest.mark.parametrize("path", _params())
def test_cells_in_sync(path: Path):
    script = path.with_suffix(".py")
    if not script.exists():
        pytest.skip(f"{script.name} missing (reported by test_py_sibling_exists)")
    ipynb_cells = _cells(nbformat.read(path, as_version=4))
    py_cells = _cells(jupytext.read(script))
    for index, (a, b) in enumerate(zip(ipynb_cells, py_cells)):
        assert a == b, (
            f"{path.name} and {script.name} differ at cell {index}:\n"
            f"ipynb ({a[0]}):\n{a[1]}\n---\npy ({b[0]}):\n{b[1]}\n"
            f"run `jupytext --sync notebooks/{path.name}`"
        )
    assert len(ipynb_cells) == len(py_cells), (
        f"{path.name} has {len(ipynb_cells)} cells, {script.name} has {len(py_cells)}: "
        f"run `jupytext --sync notebooks/{path.name}`"
    )


def test_no_orphan_scripts():
    """A `NN_name.py` in notebooks/ without its notebook is a pairing gone wrong."""
    orphans = [p.name for p in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")) if not p.with_suffix(".ipynb").exists()]
    assert not orphans, f"scripts without a notebook: {orphans}"


@pytest.mark.parametrize("path", _params())
def test_outputs_committed(path: Path):
    nb = nbformat.read(path, as_version=4)
    previous = 0
    problems = []
    for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        count = cell.get("execution_count")
        if count is None:
            if not (_has_marker(cell, SKIP_MARKER, {SKIP_TAG}) and not cell.outputs):
                problems.append(f"code cell {index} was not executed (no execution_count)")
        elif count <= previous:
            problems.append(f"code cell {index} has execution_count {count} after {previous}: not run top to bottom")
        else:
            previous = count
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and not _has_marker(cell, RAISES_MARKER, RAISES_TAGS):
            problems.append(f"code cell {index} stored an error: {errors[0].get('ename')}: {errors[0].get('evalue')}")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)
