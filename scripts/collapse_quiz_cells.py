"""Collapse otter's raw cells in the teacher notebooks, so a reader sees the chapter, not the quiz tool.

The cells are `# ASSIGNMENT CONFIG` and `# BEGIN/END QUESTION|SOLUTION|TESTS|PROMPT`.

JupyterLab shows a cell whose metadata has `jupyter.source_hidden` as a one-line placeholder; otter
assign ignores the flag (it removes these cells from the student version anyway). The flag is written
to each `notebooks/NN_*.ipynb` and its paired jupytext `.py`; outputs are kept.

    python scripts/collapse_quiz_cells.py            # every teacher notebook
    python scripts/collapse_quiz_cells.py --check    # exit 1 if a notebook has an otter cell shown in full
"""

from __future__ import annotations

import argparse
import sys

import jupytext
import nbformat

from course_utils.paths import chapter_notebooks
from course_utils.tools.quiz import OTTER_MARKER


def collapse(nb: nbformat.NotebookNode) -> int:
    """Set `jupyter.source_hidden` on every otter raw cell of `nb`; return how many changed."""
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "raw" and OTTER_MARKER.match(cell.source):
            jupyter = cell.metadata.setdefault("jupyter", {})
            if not jupyter.get("source_hidden"):
                jupyter["source_hidden"] = True
                changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if anything would change")
    args = parser.parse_args(argv)
    todo = 0
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        changed = collapse(nb)
        todo += changed
        if changed and not args.check:
            nbformat.write(nb, path)
            jupytext.write(nb, path.with_suffix(".py"), fmt="py:percent")
        if changed:
            print(f"{path.name}: {changed} otter cells {'to collapse' if args.check else 'collapsed'}")
    return 1 if args.check and todo else 0


if __name__ == "__main__":
    sys.exit(main())
