#!/usr/bin/env python
"""Generate the two student editions, `student/` and `graded/`, from the teacher notebooks in `notebooks/`.

- `student/` (self-study): every check a student may run is visible; each question's rationale
  follows its check in an `explain(...)` cell, sealed under the right answer
  (`course_utils.tools.quiz.seal`), so it opens only once the answer is right.
- `graded/` (for a class): the visible checks test the answer's form only (the `# FORM` test cell
  of each question); every other check is hidden, and the `explain` cells are left out.

In both, every question is graded all or nothing, and a prediction weighs half a point (`graded_whole`).

A teacher notebook `notebooks/NN_name.ipynb` is an otter-grader 7 "assign" master notebook when
it has a raw cell starting with `# ASSIGNMENT CONFIG`. For each one this script runs
`otter assign` into a temporary directory, takes the student notebook otter writes (solutions
replaced by `...`, hidden tests removed, visible tests stored in the notebook's `otter`
metadata), normalises it so that regenerating is byte-stable, and writes it to
`student/NN_name.ipynb`. Notebooks without an assignment config are not quizzes and are skipped.

Usage:

    python scripts/make_student.py                 # (re)write student/ and graded/
    python scripts/make_student.py --check         # exit 1, with a diff summary, if either is stale
    python scripts/make_student.py --edition graded --out DIR   # write (or --check) one edition into DIR
    python scripts/make_student.py --notebooks DIR # read masters from DIR (default: $COURSE_NOTEBOOKS_DIR
                                                   # or notebooks/)
    python scripts/make_student.py --run-tests     # also let otter run every test against the solutions

Normalisation (see `normalise_notebook`): outputs and execution counts cleared, cell ids
derived from the cell's content (otter gives its own cells random ids), cell metadata reduced to
`tags`/`editable`/`deletable`, notebook metadata reduced to a fixed `python3` kernelspec,
`language_info.name` and otter's `otter` block (the visible tests). `--check` also ignores
kernel metadata, cell ids, outputs and execution counts of the committed files, so opening and
saving a student notebook in Jupyter does not make it "stale".

The test suite (`tests/test_student_versions.py`) imports this file for its helpers.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import difflib
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_utils.paths import CHAPTER_GLOB, GRADED_DIR, NOTEBOOKS_DIR, REPO_DIR, STUDENT_DIR, chapter_notebooks
from course_utils.tools.quiz import OTTER_MARKER

#: Environment variable overriding the default teacher-notebook directory.
NOTEBOOKS_ENV = "COURSE_NOTEBOOKS_DIR"
DEFAULT_OUT = STUDENT_DIR
#: The editions and the folder each is written to.
EDITIONS = {"student": STUDENT_DIR, "graded": GRADED_DIR}

#: A test cell whose first line is this checks the answer's form only; it is the one visible check of
#: the graded edition, and every question starts its tests with one.
FORM_MARK = "# FORM"
#: The graded edition's first words to the student.
GRADED_NOTICE = (
    "**Graded edition.** Each `grader.check` here tests only the form of your answer (a letter among the "
    "options, one number, a function that runs and returns the right shape): it passes a wrong answer too. "
    "Your grade comes from hidden tests your teacher runs after you hand the notebook in."
)
#: The tag of a cell after a question that shows its answer (its measurement, or prose that states it): the
#: graded edition holds such cells back, in place of each run of them a note saying so.
ANSWER_TAG = "shows-answer"
HELD_BACK_NOTE = (
    "*Held back in the graded edition: a measurement or an explanation that answers a question asked above. "
    "It is in the self-study edition, which your teacher hands out after grading.*"
)
#: The self-study edition folds each markdown cell tagged `ANSWER_TAG` under this summary, so that prose
#: stating an answer is not read by a student scrolling on before answering.
FOLD_SUMMARY = "Read after you answer the questions above"
#: The self-study edition starts each code cell tagged `ANSWER_TAG` with this cell magic, the nearest question
#: and the names the answers to every question above define (`course_utils.tools.answer_first`): until they
#: are answered, the cell prints one line and runs nothing, so "Run All" goes on without showing an answer.
GATE_MAGIC = "%%answer_first"
#: The cell that loads the magic, put after the first code cell that imports the course.
GATE_LOAD = "%load_ext course_utils.tools.answer_first"
#: A code cell outside the questions that starts with this prints a sealed rationale: self-study only.
EXPLAIN_CALL = "explain("
#: A question whose prompt's first line says "predict," or "predict;" is a prediction: the chapter's own
#: functions can compute its answer before the student answers, so it weighs half a point (unless its
#: config sets `points:`); the "why" questions and the exercises carry the grade.
PREDICTION = re.compile(r"\b[Pp]redict[,;]")
PREDICTION_POINTS = 0.5

#: The kernelspec written into every student notebook: the one name every Jupyter resolves.
STUDENT_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Cell metadata kept in student notebooks (otter's locks and tags); the rest is editor state.
KEPT_CELL_METADATA = ("tags", "editable", "deletable", "jupyter")
#: Notebook metadata ignored by `--check` (it varies with whoever last ran the notebook).
VOLATILE_NB_METADATA = ("kernelspec", "language_info")

#: The Colab cell of every chapter (tests/test_book.py checks it) and the folders it moves into.
COLAB_MARK = '"google.colab" in sys.modules'
COLAB_FOLDER = '"/content/course/notebooks"'
#: Where the Colab cell's clone ends; the graded edition then deletes what holds the answers.
COLAB_CLONED = '"/content/course"],\n            check=True,\n        )\n'
#: What the graded edition's Colab cell deletes from the clone: the teacher notebooks, the answer cases, the
#: self-study edition and the git history.
GRADED_COLAB_CLEANUP = (
    "        # graded edition: the teacher notebooks and the tests' answers leave the clone\n"
    '        for path in glob.glob("/content/course/notebooks/[0-9][0-9]_*"):\n'
    "            os.remove(path)\n"
    '        shutil.rmtree("/content/course/tests")\n'
    '        shutil.rmtree("/content/course/student")  # its checks and sealed rationales answer the same questions\n'
    '        shutil.rmtree("/content/course/.git")  # whose objects hold them too\n'
)


class AssignError(RuntimeError):
    """`otter assign` failed (bad master notebook, or a test failed against the solutions)."""


def default_notebooks_dir() -> Path:
    """`$COURSE_NOTEBOOKS_DIR` if set, else `notebooks/` of the repository."""
    return Path(os.environ.get(NOTEBOOKS_ENV) or NOTEBOOKS_DIR)


def is_assign_notebook(path: Path) -> bool:
    """Whether the notebook has an otter `# ASSIGNMENT CONFIG` cell (raw, or a ```otter block)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        kind = cell.get("cell_type")
        if kind == "raw" and (marker := OTTER_MARKER.match(source)) and marker[1] is None:
            return True
        if kind == "markdown" and re.search(r"^```otter\s*\n\s*#\s+assignment\s+config", source, re.I | re.M):
            return True
    return False


def find_assign_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The `NN_*.ipynb` master notebooks in `notebooks_dir` that are otter assignments, sorted."""
    notebooks_dir = Path(notebooks_dir or default_notebooks_dir())
    return [p for p in chapter_notebooks(notebooks_dir) if is_assign_notebook(p)]


def _subprocess_env() -> dict[str, str]:
    """Environment in which `course_utils` imports even if the course is not pip-installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_DIR), env.get("PYTHONPATH", "")) if p)
    return env


@dataclass
class AssignResult:
    """What one `otter assign` run produced."""

    master: Path
    result_dir: Path
    log: str
    #: otter's exit status (0: success; with `run_tests` also "every test passed")
    returncode: int = 0

    @property
    def student_dir(self) -> Path:
        return self.result_dir / "student"

    @property
    def autograder_dir(self) -> Path:
        return self.result_dir / "autograder"

    @property
    def student_notebook(self) -> Path:
        return self.student_dir / self.master.name

    @property
    def autograder_notebook(self) -> Path:
        return self.autograder_dir / self.master.name


def run_otter_assign(master: Path, result_dir: Path, *, run_tests: bool = False, check: bool = True) -> AssignResult:
    """Run `otter assign` on `master`, writing `result_dir/{student,autograder}`.

    With `run_tests` otter also grades the autograder notebook (solutions, all tests including
    hidden ones) and fails unless every test passes; that runs in a subprocess with verbose logging
    (the log must contain "All autograder tests passed."). Without it, otter runs in-process (the
    import is the slow part, so this is shared by all notebooks) and no PDFs or tests are made.

    otter writes the student and autograder notebooks before it runs the tests, so with
    `check=False` a failed run still leaves them in `result_dir` (see `returncode`). With `check`
    true a failed run raises `AssignError`, whose message carries the tail of otter's log.
    """
    master, result_dir = Path(master).resolve(), Path(result_dir).resolve()
    if run_tests:
        proc = subprocess.run(
            [sys.executable, "-m", "otter", "assign", "-v", "--no-pdfs", str(master), str(result_dir)],
            cwd=master.parent,
            env=_subprocess_env(),
            capture_output=True,
            text=True,
        )
        log = proc.stdout + proc.stderr
        if proc.returncode != 0 and check:
            raise AssignError(f"otter assign failed for {master.name}:\n{log[-6000:]}")
        return AssignResult(master, result_dir, log, proc.returncode)

    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    from otter.assign import main as otter_assign

    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            otter_assign(str(master), str(result_dir), no_pdfs=True, no_run_tests=True)
    except Exception as exc:  # otter raises assorted exception types for malformed masters
        raise AssignError(f"otter assign failed for {master.name}: {exc!r}\n{buf.getvalue()[-4000:]}") from exc
    return AssignResult(master, result_dir, buf.getvalue())


def _marker(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    """`("begin"|"end", "question"|"solution"|"tests"|"prompt")` for an otter raw marker cell, else None."""
    if cell.cell_type != "raw" or not (match := OTTER_MARKER.match(cell.source)) or match[1] is None:
        return None
    return match[1].lower(), match[2].lower()


def question_name(cell: nbformat.NotebookNode) -> str | None:
    """The `name:` a `# BEGIN QUESTION` cell's configuration gives (None if it gives none)."""
    found = re.search(r"^\s*#?\s*name:\s*(\S+)", cell.source, re.M)
    return found[1] if found else None


def question_test_cells(nb: nbformat.NotebookNode) -> dict[str, list[nbformat.NotebookNode]]:
    """Each question's test cells (the code cells between `# BEGIN TESTS` and `# END TESTS`), by name."""
    tests: dict[str, list[nbformat.NotebookNode]] = {}
    name, inside = None, False
    for cell in nb.cells:
        marker = _marker(cell)
        if marker == ("begin", "question"):
            name = question_name(cell) or f"question {len(tests) + 1}"
            tests[name] = []
        elif marker and marker[1] == "tests":
            inside = marker[0] == "begin"
        elif inside and cell.cell_type == "code" and name is not None:
            tests[name].append(cell)
    return tests


def is_hidden_test(source: str) -> bool:
    """Whether otter reads a test cell as hidden (`# HIDDEN` first line, or `hidden: true` in its config)."""
    first = source.lstrip().split("\n", 1)[0]
    return (first.startswith("#") and re.search(r"\bhidden\b", first, re.I) is not None) or re.search(
        r"^hidden:\s*true\s*$", source, re.M | re.I
    ) is not None


def is_explain_cell(cell: nbformat.NotebookNode) -> bool:
    """Whether a cell is a self-study `explain(...)` cell (printing a sealed rationale)."""
    return cell.cell_type == "code" and cell.source.lstrip().startswith(EXPLAIN_CALL)


def check_master(nb: nbformat.NotebookNode, name: str) -> None:
    """Refuse a teacher notebook whose questions would leak or could not be graded.

    Raises:
        AssignError: if a test carries a `success_message` or stored an output (otter keeps both
            readable in the student notebook: seal the rationale into an `explain` cell instead, and
            end a test cell with an assert), or a question's tests do not start with a `# FORM` cell.
    """
    for question, cells in question_test_cells(nb).items():
        if not cells or not cells[0].source.startswith(FORM_MARK):
            raise AssignError(
                f"{name} {question}: its first test cell must start with `{FORM_MARK}` and check the answer's "
                "form only (see docs/writing-quizzes.md)"
            )
        for cell in cells:
            if cell.get("outputs"):
                raise AssignError(
                    f"{name} {question}: a test cell printed something, and otter would store it, readable, as the "
                    "expected output; end the cell with an assert (assert isinstance(real_number(x), float))"
                )
            if re.search(r"^\s*success_message:", cell.source, re.M):
                raise AssignError(
                    f"{name} {question}: a success_message is readable in the student notebook's metadata; "
                    "seal the rationale into an explain(...) cell after the question instead"
                )


def graded_whole(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Every question graded all or nothing, and every prediction weighing `PREDICTION_POINTS`.

    Otter counts each test cell as one case of a question: without `all_or_nothing` the `# FORM` check alone
    (any letter among the options) would earn part of every question. A question's config that sets
    `points:` or `all_or_nothing:` itself is left as it is.
    """
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if _marker(cell) != ("begin", "question"):
            continue
        added = []
        if not re.search(r"^\s*#?\s*all_or_nothing:", cell.source, re.M):
            added.append("all_or_nothing: true")
        prompt = next((c.source for c in nb.cells[i + 1 :] if c.cell_type == "markdown"), "")
        first_line = prompt.strip().split("\n", 1)[0]
        if PREDICTION.search(first_line) and not re.search(r"^\s*#?\s*points:", cell.source, re.M):
            added.append(f"points: {PREDICTION_POINTS}")
        cell.source = "\n".join([cell.source.rstrip("\n"), *added])
    return nb


def shows_answer(cell: nbformat.NotebookNode) -> bool:
    """Whether a cell is tagged `ANSWER_TAG`: it shows the answer of the question before it."""
    return ANSWER_TAG in cell.get("metadata", {}).get("tags", [])


def fold(markdown: str) -> str:
    """`markdown` inside a closed `<details>` block, opened by a click on `FOLD_SUMMARY`."""
    return f"<details><summary>{FOLD_SUMMARY}</summary>\n\n{markdown.strip()}\n\n</details>"


def answer_names(solution_sources: list[str]) -> list[str]:
    """The names a student's answer defines: those assigned on a `# SOLUTION` line, and the functions defined
    at the top of a solution cell, in order.

    Example:
        >>> answer_names(['q3_answer = "B"  # SOLUTION', "def unmerge(o, lse):\\n    return o"])
        ['q3_answer', 'unmerge']
    """
    names: list[str] = []
    for source in solution_sources:
        for line in source.splitlines():
            if (found := re.match(r"^(\w+)\s*=.*#\s*SOLUTION\b", line)) and found[1] not in names:
                names.append(found[1])
        names += [m for m in re.findall(r"^def (\w+)\(", source, re.M) if m not in names]
    return names


def gate(source: str, question: str, names: list[str]) -> str:
    """`source` under `GATE_MAGIC`: it runs once `names` hold answers (`question`, the nearest question above,
    names the cell in the note it prints until then)."""
    return f"{GATE_MAGIC} {question} {' '.join(names)}\n{source}"


def ungated(source: str) -> str:
    """`source` without the `GATE_MAGIC` line `gate` put first (unchanged if it has none)."""
    return source.split("\n", 1)[1] if source.startswith(GATE_MAGIC + " ") else source


def self_study_master(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The teacher notebook as the self-study edition's master: each markdown cell tagged `ANSWER_TAG` folded
    (`fold`), each such code cell's source collapsed (JupyterLab's `source_hidden`: a click shows it) and gated
    (`gate`) on every question asked above it (a measurement can answer a question asked sections earlier),
    so "Run All" shows no answer early; the magic loaded after the first cell that imports the course
    (`GATE_LOAD`); and every question graded whole (`graded_whole`)."""
    nb = graded_whole(nb)
    question, block = None, None
    asked: list[str] = []  # the names the answers to the questions above define
    solutions: list[str] = []
    for cell in nb.cells:
        marker = _marker(cell)
        if marker == ("begin", "question"):
            question, solutions = question_name(cell), []
        elif marker and marker[1] == "solution":
            block = "solution" if marker[0] == "begin" else None
        elif block == "solution" and cell.cell_type == "code":
            solutions.append(cell.source)
        elif marker == ("end", "question"):
            asked += [name for name in answer_names(solutions) if name not in asked]
        if cell.cell_type == "markdown" and shows_answer(cell):
            cell.source = fold(cell.source)
        elif cell.cell_type == "code" and shows_answer(cell):
            cell.metadata["jupyter"] = {"source_hidden": True}
            if question and asked:
                cell.source = gate(cell.source, question, asked)
    first = next(
        (
            i
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "course_utils" in cell.source and COLAB_MARK not in cell.source
        ),
        None,
    )
    if first is not None:
        nb.cells.insert(first + 1, nbformat.v4.new_code_cell(GATE_LOAD))
    return nb


def graded_master(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The teacher notebook as the graded edition's master: only `# FORM` tests visible, no `explain` cells,
    the cells tagged `ANSWER_TAG` held back (a note in place of each run of them), and `GRADED_NOTICE`
    first, saying so; every question graded whole (`graded_whole`)."""
    nb = graded_whole(nb)
    for cells in question_test_cells(nb).values():
        for cell in cells:
            if cell.source.startswith(FORM_MARK) or is_hidden_test(cell.source):
                continue
            if cell.source.lstrip().startswith('"""'):  # a `""" # BEGIN TEST CONFIG` header
                first, rest = cell.source.split("\n", 1)
                cell.source = f"{first}\nhidden: true\n{rest}"
            else:
                cell.source = "# HIDDEN\n" + cell.source
    kept: list[nbformat.NotebookNode] = []
    for cell in nb.cells:
        if is_explain_cell(cell):
            continue
        if shows_answer(cell):
            if not (kept and kept[-1].source == HELD_BACK_NOTE):
                kept.append(nbformat.v4.new_markdown_cell(HELD_BACK_NOTE))
            continue
        kept.append(cell)
    nb.cells = kept
    config = next(
        (i for i, cell in enumerate(nb.cells) if cell.cell_type == "raw" and "ASSIGNMENT CONFIG" in cell.source), -1
    )
    nb.cells.insert(config + 1, nbformat.v4.new_markdown_cell(GRADED_NOTICE))
    return nb


def _cell_id(cell: dict, seen: set[str]) -> str:
    text = cell["cell_type"] + "\0" + cell["source"]
    base = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    cid, n = base, 1
    while cid in seen:
        cid, n = f"{base}-{n}", n + 1
    seen.add(cid)
    return cid


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of a student notebook with everything volatile made deterministic.

    Clears outputs and execution counts; keeps only `tags`/`editable`/`deletable`/`jupyter` cell
    metadata; derives each cell id from its type and source; keeps only the `otter` notebook
    metadata (the visible tests) plus a fixed `python3` kernelspec and `language_info.name`.
    Idempotent.
    """
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    meta = {"kernelspec": dict(STUDENT_KERNELSPEC), "language_info": {"name": "python"}}
    if "otter" in nb.metadata:
        meta["otter"] = nb.metadata["otter"]
    nb.metadata = nbformat.from_dict(meta)

    seen: set[str] = set()
    for cell in nb.cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        cell["metadata"] = nbformat.from_dict(
            {k: cell["metadata"][k] for k in KEPT_CELL_METADATA if k in cell.get("metadata", {})}
        )
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["id"] = _cell_id(cell, seen)
    nbformat.validate(nb)
    return nb


def colab_cell_first(nb: nbformat.NotebookNode, edition: str = "student") -> nbformat.NotebookNode:
    """Move the chapter's Colab cell (and the markdown that introduces it) to the top, pointed at the edition.

    In the graded edition the cell also deletes the teacher notebooks and the tests (which hold the
    answers) from its clone. Otter puts its init cell (`import otter`) first, but on Colab otter is
    only there once the Colab cell has installed it; and otter reads the student notebook's checks
    from the notebook file in the working directory, so on Colab the cell moves into the clone's
    edition folder, not `notebooks/`.
    A notebook without the cell is returned unchanged.
    """
    nb = copy.deepcopy(nb)
    index = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and COLAB_MARK in cell.source), None)
    if index is None:
        return nb
    start = index - 1 if index > 0 and nb.cells[index - 1].cell_type == "markdown" else index
    moved = nb.cells[start : index + 1]
    del nb.cells[start : index + 1]
    moved[-1].source = moved[-1].source.replace(COLAB_FOLDER, f'"/content/course/{edition}"')
    if edition == "graded":
        if COLAB_CLONED not in moved[-1].source:
            raise AssignError("the Colab cell no longer clones as make_student.py expects: update COLAB_CLONED")
        source = moved[-1].source.replace(COLAB_CLONED, COLAB_CLONED + GRADED_COLAB_CLEANUP, 1)
        moved[-1].source = source.replace("    import os\n", "    import glob\n    import os\n    import shutil\n", 1)
    nb.cells = moved + nb.cells
    return nb


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """Serialise a notebook the way `nbformat.write` does (sorted keys, indent 1, final newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def comparable_text(text: str) -> str:
    """A notebook's text with ids, outputs, execution counts and kernel metadata normalised away."""
    nb = normalise_notebook(nbformat.reads(text, as_version=4))
    for key in VOLATILE_NB_METADATA:
        nb.metadata.pop(key, None)
    return notebook_text(nb)


def collect_student_files(result: AssignResult, edition: str = "student") -> dict[str, str]:
    """The files of one assignment's student version, as `{path relative to student/: text}`.

    The notebook is normalised. Other files otter put in the student directory (from the
    assignment's `files:`) are copied verbatim. A `tests/` directory is refused: tests must live
    in the notebook's metadata (`tests: files: false`), or notebooks would overwrite each other's
    `tests/q1.py`.
    """
    files: dict[str, str] = {}
    for path in sorted(result.student_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(result.student_dir).as_posix()
        if rel.startswith("tests/"):
            raise AssignError(
                f"{result.master.name}: otter wrote {rel}; set `tests: files: false` in the "
                "ASSIGNMENT CONFIG so that visible tests live in the notebook metadata"
            )
        if path == result.student_notebook:
            nb = nbformat.read(path, as_version=4)
            files[rel] = notebook_text(normalise_notebook(colab_cell_first(nb, edition)))
        else:
            files[rel] = path.read_text(encoding="utf-8")
    return files


def build_student_files(
    notebooks_dir: Path | None = None,
    *,
    edition: str = "student",
    run_tests: bool = False,
    workdir: Path | None = None,
    only: str = "",
) -> dict[str, str]:
    """Run otter assign on every assign notebook and return one edition's files by relative path.

    `edition` is "student" (self-study; the master first passes through `self_study_master`) or "graded"
    (through `graded_master`);
    `only` keeps the masters whose name starts with it (`"04"`).

    Raises `AssignError` if a master fails `check_master`, if otter fails, or if two notebooks
    produce different files at the same path; `ValueError` for an unknown edition.
    """
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}: pick one of {sorted(EDITIONS)}")
    masters = [m for m in find_assign_notebooks(notebooks_dir) if m.name.startswith(only)]
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="make_student_") as tmp:
        base = Path(workdir or tmp)
        for master in masters:
            nb = nbformat.read(master, as_version=4)
            check_master(nb, master.name)
            source = base / f"{edition}_masters" / master.name
            source.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(graded_master(nb) if edition == "graded" else self_study_master(nb), source)
            result = run_otter_assign(source, base / edition / master.stem, run_tests=run_tests)
            for rel, text in collect_student_files(result, edition).items():
                if rel in files and files[rel] != text:
                    raise AssignError(f"{master.name}: {rel} clashes with another notebook's file")
                files[rel] = text
    return files


def is_generated_notebook(path: Path) -> bool:
    """Whether `path` looks like a notebook this script wrote (it carries otter metadata)."""
    try:
        return "otter" in json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False


def stale_notebooks(out_dir: Path, expected: dict[str, str]) -> list[str]:
    """Generated `NN_*.ipynb` in `out_dir` whose teacher notebook no longer exists."""
    return [p.name for p in chapter_notebooks(Path(out_dir)) if p.name not in expected and is_generated_notebook(p)]


def _readable(text: str) -> list[str]:
    """A line-per-cell rendering of a notebook, for short, readable diffs."""
    nb = nbformat.reads(comparable_text(text), as_version=4)
    lines: list[str] = []
    for i, cell in enumerate(nb.cells):
        meta = json.dumps(dict(cell.metadata), sort_keys=True) if cell.metadata else ""
        lines.append(f"--- cell {i} [{cell.cell_type}] {meta}".rstrip())
        lines.extend(cell.source.splitlines())
    lines.append("--- notebook metadata")
    lines.extend(json.dumps(dict(nb.metadata), sort_keys=True, indent=1).splitlines())
    return lines


def compare(
    out_dir: Path, expected: dict[str, str], *, max_diff_lines: int = 40, check_stale: bool = True
) -> list[str]:
    """Compare `out_dir` with freshly generated files; return human-readable problems (empty: in step).

    `check_stale=False` compares only the files in `expected` (one notebook's worth), without
    reporting the other generated notebooks in `out_dir` as stale.
    """
    out_dir = Path(out_dir)
    problems: list[str] = []
    for rel, text in sorted(expected.items()):
        path = out_dir / rel
        if not path.is_file():
            problems.append(f"missing: {path}")
            continue
        current = path.read_text(encoding="utf-8")
        if rel.endswith(".ipynb"):
            try:
                same = comparable_text(current) == comparable_text(text)
            except Exception as exc:  # unreadable / invalid notebook
                problems.append(f"unreadable: {path} ({exc})")
                continue
        else:
            same = current == text
        if same:
            continue
        if rel.endswith(".ipynb"):
            old, new = _readable(current), _readable(text)
        else:
            old, new = current.splitlines(), text.splitlines()
        diff = list(difflib.unified_diff(old, new, f"{path} (committed)", f"{rel} (generated)", n=1, lineterm=""))
        more = f"\n    ... {len(diff) - max_diff_lines} more diff lines" if len(diff) > max_diff_lines else ""
        problems.append(f"out of date: {path}\n    " + "\n    ".join(diff[:max_diff_lines]) + more)
    if check_stale:
        for name in stale_notebooks(out_dir, expected):
            problems.append(f"stale (no teacher notebook): {out_dir / name}")
    return problems


def write(out_dir: Path, expected: dict[str, str], *, remove_stale: bool = True) -> list[str]:
    """Write the generated files into `out_dir` (only those that changed); remove stale notebooks.

    Returns the list of paths written or removed.
    """
    out_dir = Path(out_dir)
    changed: list[str] = []
    for rel, text in sorted(expected.items()):
        path = out_dir / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        changed.append(f"wrote {path}")
    for name in stale_notebooks(out_dir, expected) if remove_stale else []:
        (out_dir / name).unlink()
        changed.append(f"removed stale {out_dir / name}")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the student editions; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help=f"teacher notebooks directory (default: ${NOTEBOOKS_ENV} or notebooks/)",
    )
    parser.add_argument(
        "--edition", choices=[*EDITIONS, "both"], default="both", help="which edition to write (default: both)"
    )
    parser.add_argument("--only", default="", help="only the chapters whose name starts with this, e.g. 04")
    parser.add_argument("--out", type=Path, default=None, help="the edition's folder (default: student/ or graded/)")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 with a diff summary if an edition is out of step"
    )
    parser.add_argument(
        "--run-tests", action="store_true", help="also run every test (hidden ones too) against the solutions (slower)"
    )
    args = parser.parse_args(argv)
    editions = list(EDITIONS) if args.edition == "both" else [args.edition]
    if args.out is not None and len(editions) > 1:
        parser.error("--out needs one --edition (student or graded)")

    notebooks_dir = args.notebooks or default_notebooks_dir()
    masters = find_assign_notebooks(notebooks_dir)
    if not masters:
        print(
            f"make_student: no otter assign notebooks ({CHAPTER_GLOB} with an ASSIGNMENT CONFIG cell) "
            f"in {notebooks_dir}"
        )
    status = 0
    for edition in editions:
        out = args.out or EDITIONS[edition]
        try:
            expected = build_student_files(notebooks_dir, edition=edition, run_tests=args.run_tests, only=args.only)
        except AssignError as exc:
            print(f"make_student: {exc}", file=sys.stderr)
            return 2
        if args.check:
            problems = compare(out, expected, check_stale=not args.only)
            if problems:
                print(f"make_student --check: {out} is out of step with {notebooks_dir}; run `make student`.")
                for p in problems:
                    print(" - " + p)
                status = 1
            else:
                print(f"make_student --check: {len(expected)} file(s) in {out} are up to date.")
            continue
        changed = write(out, expected, remove_stale=not args.only)
        for line in changed:
            print(line)
        print(f"make_student: {len(masters)} notebook(s), {len(changed)} change(s) in {out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
