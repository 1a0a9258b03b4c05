#!/usr/bin/env python
"""Build the course book: a static HTML website made from the committed notebooks, never re-executed.

    python scripts/build_book.py                # -> build/book/html (open build/book/html/index.html)
    python scripts/build_book.py --out DIR      # -> DIR/html, sources staged in DIR/src

Two steps. **Stage** (`stage`) writes the book's sources to `<out>/src`, laid out like the repository:
- `index.md`, the landing page: the README's introduction and syllabus (so the two never disagree), how
  to read and run the book, and the table of contents;
- `notebooks/NN_name.ipynb`, each chapter as a reader of the website sees it (`book_notebook`): otter's
  marker cells and the quiz checks left out, each solution folded behind a button and followed by the
  check's explanation, each figure with the description it was stored with as its alt text;
- `students.md` with `student/*.ipynb` and a zip of them: the student editions, to download or open in
  Colab, so a teacher can point a class at one address.

**Build** runs Sphinx with myst-nb and the book theme (configuration: `book/conf.py`) to `<out>/html`,
turning any warning into an error (a broken cross-link fails the build), then copies MathJax into the
site, so that the pages need nothing from the network. `make book` runs this; `tests/test_book.py`
builds it and opens it in headless Chromium.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
import tomllib
import warnings
import zipfile
from pathlib import Path

import nbformat

from course_utils.paths import NOTEBOOKS_DIR, REPO_DIR, STUDENT_DIR, chapter_notebooks
from course_utils.tools.quiz import OTTER_MARKER

CONF_DIR = REPO_DIR / "book"
DEFAULT_OUT = REPO_DIR / "build" / "book"
COLAB = "https://colab.research.google.com/github"
WIDGET = "application/vnd.jupyter.widget-view+json"
#: A chapter's `explain(...)` cell prints a question's rationale once it is answered (docs/writing-quizzes.md).
EXPLAIN_CALL = "explain("


def repository_url() -> str:
    """The course's public repository (pyproject.toml's `[project.urls] Repository`)."""
    return tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Repository"]


def _marker(cell: nbformat.NotebookNode) -> str | None:
    """`BEGIN SOLUTION`, `END TESTS`, ... for an otter marker cell, `CONFIG` for the assignment config."""
    match = OTTER_MARKER.match(cell.source) if cell.cell_type == "raw" else None
    if match is None:
        return None
    return f"{match[1]} {match[2]}".upper() if match[1] else "CONFIG"


def book_notebook(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A teacher notebook as the website shows it; its outputs are kept as they are.

    Otter's marker cells are dropped, and so are the cells between `BEGIN TESTS` and `END TESTS` (the
    hashed checks mean nothing to a reader); each question's `explain(...)` cell becomes a folded "Why"
    box holding what it printed (why the answer is right). Solution cells are folded behind a "Show the solution"
    button. Widget outputs (progress bars) are left out. Every image output gets its stored
    `alt` description as alt text (a cell's images share one, joined); a ValueError names a figure
    without one (draw it after the course's `use_course_style()` and re-execute the notebook).
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # progress bars: no widget scripts from a CDN
    cells: list[nbformat.NotebookNode] = []
    block = None  # the otter block we are in: "SOLUTION", "TESTS" or None
    for cell in nb.cells:
        marker = _marker(cell)
        if marker is not None:
            if marker in ("BEGIN SOLUTION", "BEGIN TESTS"):
                block = marker.split()[1]
            elif marker in ("END SOLUTION", "END TESTS"):
                block = None
            continue
        if block == "TESTS":
            continue
        if cell.cell_type == "code" and cell.source.lstrip().startswith(EXPLAIN_CALL):
            why = "".join(output.get("text", "") for output in cell.get("outputs", [])).strip()
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"<details><summary>Why (read it after answering)</summary>\n\n{why}\n\n</details>"
                )
            )
            continue
        if cell.cell_type == "code":
            _prepare_code_cell(cell, name, solution=block == "SOLUTION")
        cells.append(cell)
    nb.cells = cells
    return nb


def _prepare_code_cell(cell: nbformat.NotebookNode, name: str, *, solution: bool) -> None:
    """A code cell of the book, in place: widget outputs dropped, a solution folded, the figures' alt text set."""
    if "outputs" in cell:  # a widget's text fallback shows its first state: "0%| | 0/300"
        cell.outputs = [output for output in cell.outputs if WIDGET not in output.get("data", {})]
    if solution:
        cell.metadata.setdefault("tags", []).append("hide-input")
        cell.metadata.setdefault("mystnb", {}).update(
            code_prompt_show="Show the solution", code_prompt_hide="Hide the solution"
        )
    alts = [
        output.get("metadata", {}).get("image/png", {}).get("alt")
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    if alts:
        if not all(alts):
            raise ValueError(
                f"{name}: a figure in the cell starting {cell.source[:60]!r} has no stored "
                "description; draw it after use_course_style() and re-execute the notebook"
            )
        cell.metadata.setdefault("mystnb", {})["image"] = {"alt": " ".join(alts)}


def _readme_section(readme: str, heading: str) -> str:
    """The body of the README's `## heading` section, up to the next `## ` heading.

    Its links to repository files (other than the chapters, which are pages of the book) point at the
    repository.
    """
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if match is None:
        raise ValueError(f"README.md has no '## {heading}' section; the book's landing page needs it: add it back")
    return _repository_links(match[1].strip())


def _repository_links(markdown: str) -> str:
    """Relative links `[text](path)` to repository files, other than `notebooks/*.ipynb`, made absolute."""

    def absolute(link: re.Match) -> str:
        """The link, pointed at the repository unless it is a chapter."""
        target = link[1]
        if re.fullmatch(r"notebooks/[^/]+\.ipynb(#.*)?", target):
            return link[0]
        return f"]({repository_url()}/blob/main/{target})"

    return re.sub(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)", absolute, markdown)


def landing_page(readme: str, chapters: list[str]) -> str:
    """The book's `index.md`: the README's introduction and syllabus, how to use the book, and the contents."""
    title, _, rest = readme.partition("\n")
    intro = _repository_links(rest.split("\n## ", 1)[0].strip())
    syllabus = re.sub(r"<!-- timings:(start|end) -->\n?", "", _readme_section(readme, "Syllabus"))
    toc = "\n".join(f"notebooks/{name}" for name in chapters)
    return f"""{title}

{intro}

## How to use this book

Each chapter is a page made from its notebook, with the outputs it printed and plotted when it was
last run: every number on these pages was measured by the code above it. To run a chapter yourself,
use the rocket button at the top of its page: **Binder** starts it in JupyterLab from the repository's
`environment.yml`, **Colab** opens it in Google Colab (run its first code cell there: it fetches and
installs the course). On your own machine, `make lab` in a clone of [the repository]({repository_url()})
installs everything and opens JupyterLab. The quizzes at the end of each chapter have their solutions
folded: try first, then unfold. The [student editions](students.md) are the same chapters without
solutions, to hand out.

## Syllabus

{syllabus}

```{{toctree}}
:caption: Chapters
:hidden:

{toc}
```

```{{toctree}}
:caption: For classes
:hidden:

students
```
"""


def students_page(readme: str, students: list[str]) -> str:
    """The book's `students.md`: the student notebooks to download or open in Colab, and how grading works."""
    repo = repository_url().removeprefix("https://github.com/")
    rows = "\n".join(
        f"| {name[:2]} · {name[3:].replace('_', ' ')} | {{download}}`{name}.ipynb <student/{name}.ipynb>` "
        f"| [open in Colab]({COLAB}/{repo}/blob/main/student/{name}.ipynb) |"
        for name in students
    )
    return f"""# Student editions

The student editions are the chapters without the solutions, generated from the chapters by
`make student` (never edited by hand). Point a class at this page: each student downloads a notebook
(or all of them, {{download}}`student-notebooks.zip <student-notebooks.zip>`) and runs it in the course's
environment (`make lab`), or opens it in Colab, where its first code cell installs the course.

| chapter | notebook | Colab |
|---|---|---|
{rows}

## For students

{_readme_section(readme, "Quizzes: for students")}

## For teachers

{_readme_section(readme, "Quizzes: for teachers")}
"""


def stage(src: Path) -> list[str]:
    """Write the book's sources to `src` (emptied first); return the chapter names in order."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    (src / "student").mkdir()
    chapters = [path.stem for path in chapter_notebooks()]
    for name in chapters:
        nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        nbformat.write(book_notebook(nb, name), src / "notebooks" / f"{name}.ipynb")
    students = [path.stem for path in chapter_notebooks(STUDENT_DIR)]
    with zipfile.ZipFile(src / "student-notebooks.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in students:
            shutil.copyfile(STUDENT_DIR / f"{name}.ipynb", src / "student" / f"{name}.ipynb")
            archive.write(STUDENT_DIR / f"{name}.ipynb", f"student/{name}.ipynb")
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    (src / "index.md").write_text(landing_page(readme, chapters), encoding="utf-8")
    (src / "students.md").write_text(students_page(readme, students), encoding="utf-8")
    return chapters


def copy_mathjax(html: Path) -> None:
    """Copy MathJax 3's one-file TeX-to-SVG build (from the sphinx-mathjax-offline package) into the site."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise ValueError(
            "MathJax is missing: install the course (`make install`), which installs sphinx-mathjax-offline"
        )
    source = Path(spec.origin).parent / "static" / "mathjax" / "tex-svg-full.js"
    (html / "_static" / "mathjax").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, html / "_static" / "mathjax" / "tex-svg-full.js")


def build(out: Path = DEFAULT_OUT, *, jobs: str = "auto") -> Path:
    """Stage and build the book into `out/html`; return the path of its `index.html`."""
    from sphinx.cmd.build import build_main

    src, html = out / "src", out / "html"
    for stale in (html, out / "doctrees"):  # a fresh build: no page of a removed chapter lingers
        shutil.rmtree(stale, ignore_errors=True)
    stage(src)
    with warnings.catch_warnings():  # the theme's and myst's use of APIs that Sphinx 11 removes: not ours to fix
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        status = build_main(
            [
                "-b",
                "html",
                "-c",
                str(CONF_DIR),
                "-d",
                str(out / "doctrees"),
                "-j",
                jobs,
                "-W",
                "--keep-going",
                "-q",
                str(src),
                str(html),
            ]
        )
    if status != 0:
        raise SystemExit(f"the book did not build (Sphinx exit status {status}); its warnings are above")
    copy_mathjax(html)
    return html / "index.html"


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build directory (default: build/book)")
    parser.add_argument("--jobs", default="auto", help="Sphinx worker processes (default: auto)")
    args = parser.parse_args(argv)
    index = build(args.out, jobs=args.jobs)
    print(f"the book is in {index.parent}; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
