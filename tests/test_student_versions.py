"""The student editions in student/ (self-study) and graded/ are generated from the teacher notebooks, and are sound.

For every teacher notebook ``notebooks/NN_*.ipynb`` with an otter ``# ASSIGNMENT CONFIG`` cell:

* every solution passes every check, hidden ones included. nbval (``make nbval``) executes each
  teacher notebook once, and otter's checks are ordinary code cells in it (``# BEGIN TESTS``
  blocks), so a failing check, visible or hidden, fails nbval. The tests here prove it holds: every
  test case otter knows is a code cell that nbval runs (none skipped, each stored run clean), and a
  notebook whose wrong solution passes its visible check fails nbval at its hidden one (a tiny
  notebook, run by nbval in a subprocess). ``make student`` with ``--run-tests`` adds otter's own
  grading of the solutions;
* ``otter assign`` (in process, without executing the notebook) generates a student notebook that,
  normalised by ``scripts/make_student.py``, must equal the committed ``student/NN_*.ipynb``, and
  likewise for ``graded/`` (ignoring ids, outputs, execution counts and kernel metadata): otherwise
  run ``make student``;
* neither committed edition holds solution code, a hidden test or a visible test that spells out
  a string answer;
* each edition's otter init cell and check cells are executed as handed out (answers unset), in
  an empty directory: they must run, and every question's check must FAIL;
* the teacher notebook shows otter's raw configuration and marker cells collapsed.

The directories default to notebooks/ and student/; ``COURSE_NOTEBOOKS_DIR`` and
``COURSE_STUDENT_DIR`` point them elsewhere (e.g. at a worked example). Cost per notebook: about a
second of ``otter assign``; the check cells of all notebooks run in one kernel; no chapter is
executed here.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import make_student as ms
import nbformat
import pytest

from course_utils.paths import REPO_DIR, chapter_notebooks
from course_utils.tools.quiz import OTTER_MARKER

NOTEBOOKS_DIR = ms.default_notebooks_dir()
STUDENT_DIR = Path(os.environ.get("COURSE_STUDENT_DIR") or ms.DEFAULT_OUT)
GRADED_DIR = Path(os.environ.get("COURSE_GRADED_DIR") or ms.EDITIONS["graded"])
EDITION_DIRS = {"student": STUDENT_DIR, "graded": GRADED_DIR}
MASTERS = ms.find_assign_notebooks(NOTEBOOKS_DIR)


#: Seconds one notebook cell may run while the student notebook executes.
CELL_TIMEOUT = 600
_RESULTS_MARK = "@@QUIZ_RESULTS@@"


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _doctest_code(case_code: str) -> str:
    """The Python source of an OK-format test case (its ``>>>``/``...`` lines)."""
    lines = []
    for line in case_code.splitlines():
        if line.startswith(">>> ") or line == ">>>" or line.startswith("... ") or line == "...":
            lines.append(line[4:])
    return "\n".join(lines)


def _cases(nb, *, hidden: bool | None = None) -> dict[str, list[dict]]:
    """OK-format test cases in a notebook's otter metadata, by question (optionally filtered by hidden)."""
    tests = nb.metadata.get("otter", {}).get("tests", {})
    out: dict[str, list[dict]] = {}
    for name, test in tests.items():
        assert isinstance(test, dict), f"{name}: expected OK-format tests (tests: ok_format: true)"
        cases = [c for s in test["suites"] for c in s["cases"]]
        out[name] = [c for c in cases if hidden is None or bool(c.get("hidden")) == hidden]
    return out


def _student_path(master: Path) -> Path:
    return STUDENT_DIR / master.name


@pytest.fixture(scope="module", params=MASTERS, ids=[m.stem for m in MASTERS])
def assigned(request, tmp_path_factory):
    """``otter assign`` for one teacher notebook, in process and without executing it."""
    master: Path = request.param
    out = tmp_path_factory.mktemp(f"assign_{master.stem}")
    source = out / master.name  # the self-study master: answer-stating prose folded
    nbformat.write(ms.self_study_master(nbformat.read(master, as_version=4)), source)
    return ms.run_otter_assign(source, out / "dist", run_tests=False)


def _in_block(nb, block: str) -> list[bool]:
    """For each cell: whether it is a code cell inside a ``# BEGIN <block>`` ... ``# END <block>``
    raw-cell pair (block: "solution" or "tests")."""
    inside, flags = False, []
    for cell in nb.cells:
        marker = OTTER_MARKER.match(_source(cell)) if cell.cell_type == "raw" else None
        if marker and marker[1] and marker[2].lower() == block:
            inside = marker[1].lower() == "begin"
        flags.append(inside and cell.cell_type == "code")
    return flags


def _test_cells(nb) -> list:
    """The code cells between ``# BEGIN TESTS`` and ``# END TESTS`` raw cells (otter's test cases)."""
    return [cell for cell, is_test in zip(nb.cells, _in_block(nb, "tests")) if is_test]


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_nbval_runs_every_check(master: Path):
    """Each of otter's test cases, hidden ones included, is a code cell that nbval executes and that
    ran clean when the notebook was stored: the solutions passing nbval means they pass every check."""
    nb = nbformat.read(master, as_version=4)
    cells = _test_cells(nb)
    n_cases = sum(len(cases) for cases in _cases(teacher_autograder_metadata(master)).values())
    assert cells and len(cells) == n_cases, f"{master.name}: {len(cells)} test cells, otter sees {n_cases} cases"
    for cell in cells:
        src = _source(cell)
        tags = set(cell.get("metadata", {}).get("tags", []))
        assert not re.search(r"NBVAL_(SKIP|IGNORE_OUTPUT|RAISES_EXCEPTION)", src) and not (
            tags & {"nbval-skip", "nbval-ignore-output", "raises-exception", "nbval-raises-exception"}
        ), f"{master.name}: nbval would not check this test cell:\n{src}"
        assert cell.get("execution_count"), f"{master.name}: test cell stored unexecuted:\n{src}"
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{master.name}: test cell stored with an error:\n{src}"


#: A teacher notebook in miniature: a visible check any int passes, and a hidden exact check.
_TINY_TEACHER = """\
# %% [raw]
# # ASSIGNMENT CONFIG
# run_tests: false

# %% [raw]
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1.** What is the square root of 16?

# %% [raw]
# # BEGIN SOLUTION

# %%
q1_answer = {answer}  # SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
assert isinstance(q1_answer, int)

# %%
# HIDDEN
assert q1_answer == 4

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION
"""


def _nbval_on_tiny_teacher(folder: Path, answer: int) -> subprocess.CompletedProcess:
    """Store the tiny teacher notebook as executed with the right answer, swap in `answer`, run nbval."""
    import jupytext
    from nbclient import NotebookClient

    folder.mkdir()
    nb = jupytext.reads(_TINY_TEACHER.format(answer=4), fmt="py:percent")
    NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(folder)}}
    ).execute()
    for cell in nb.cells:
        cell.source = cell.source.replace("q1_answer = 4", f"q1_answer = {answer}")
    nbformat.write(nb, folder / "99_tiny.ipynb")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(folder),
            str(folder / "99_tiny.ipynb"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_wrong_solution_fails_nbval_on_its_hidden_test(tmp_path: Path):
    """A wrong answer that passes the visible check fails nbval, at the hidden test."""
    right = _nbval_on_tiny_teacher(tmp_path / "right", 4)
    assert right.returncode == 0, right.stdout[-3000:]
    wrong = _nbval_on_tiny_teacher(tmp_path / "wrong", 5)
    assert wrong.returncode != 0, wrong.stdout[-3000:]
    assert "AssertionError" in wrong.stdout and "# HIDDEN" in wrong.stdout, wrong.stdout[-3000:]


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_quiz_tool_cells_are_collapsed(master: Path):
    """A reader of a teacher notebook sees otter's raw configuration and marker cells collapsed."""
    nb = nbformat.read(master, as_version=4)
    shown = [
        _source(c).strip().splitlines()[0]
        for c in nb.cells
        if c.cell_type == "raw"
        and OTTER_MARKER.match(_source(c))
        and not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")
    ]
    assert not shown, (
        f"{master.name}: otter cells shown in full (run `python scripts/collapse_quiz_cells.py`): {shown[:5]}"
    )


def test_student_version_is_up_to_date(assigned):
    """The committed student/ notebook equals what otter generates now (run `make student` if not)."""
    if not assigned.student_notebook.is_file():
        pytest.fail(f"otter assign wrote no student notebook:\n{assigned.log[-4000:]}", pytrace=False)
    expected = ms.collect_student_files(assigned)
    problems = ms.compare(STUDENT_DIR, expected, check_stale=False)  # stale: see the next test
    assert not problems, "student/ is out of step; run `make student`:\n" + "\n".join(problems)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_graded_version_is_up_to_date(master: Path):
    """The committed graded/ notebook equals what `make student` generates now."""
    expected = ms.build_student_files(NOTEBOOKS_DIR, edition="graded", only=master.stem)
    problems = ms.compare(GRADED_DIR, expected, check_stale=False)
    assert not problems, "graded/ is out of step; run `make student`:\n" + "\n".join(problems)


@pytest.mark.parametrize("edition", EDITION_DIRS)
def test_no_stale_student_notebooks(edition: str):
    """Every generated notebook in student/ and graded/ still has its teacher notebook."""
    stale = ms.stale_notebooks(EDITION_DIRS[edition], {m.name: "" for m in MASTERS})
    assert not stale, f"{edition} notebooks without a teacher notebook: {stale}; run `make student`"


def _solution_cells(master_nb) -> list[bool]:
    """For each cell: whether it is a code cell inside a ``# BEGIN/END SOLUTION`` raw-cell block."""
    return _in_block(master_nb, "solution")


def _solution_lines(master_nb) -> set[str]:
    """Non-trivial code lines otter strips from the student version (``# SOLUTION`` comment removed).

    Lines that also occur elsewhere in the teacher notebook (outside what is stripped) are left
    out, since their appearing in the student version proves nothing.
    """
    from otter.assign.solutions import replace_solutions

    removed: set[str] = set()
    elsewhere: set[str] = set()
    for cell, is_solution in zip(master_nb.cells, _solution_cells(master_nb)):
        if cell.cell_type != "code":
            continue
        lines = _source(cell).split("\n")
        kept = Counter(l.strip() for l in replace_solutions(lines, "python")) if is_solution else Counter()
        for line in lines:
            s = line.strip()
            if not is_solution:
                elsewhere.add(s)
            elif kept[s] > 0:
                kept[s] -= 1
                elsewhere.add(s)
            else:
                removed.add(re.sub(r"\s*#\s*SOLUTION(\s+NO\s+PROMPT)?\s*$", "", s))
    return {s for s in removed - elsewhere if len(s) >= 6 and not s.startswith("#")}


def _string_answers(master_nb) -> set[str]:
    """String literals assigned in solution lines (``q1_answer = "B"  # SOLUTION``), normalised."""
    answers = set()
    for line in _solution_lines(master_nb):
        try:
            tree = ast.parse(line)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                answers.add(" ".join(node.value.value.split()).upper())
    return answers


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # traitlets, via importing otter.assign
@pytest.mark.parametrize("edition", EDITION_DIRS)
@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_student_version_reveals_no_solution(master: Path, edition: str):
    """No solution code, solution markers, otter raw cells or hidden tests in either student edition."""
    student_path = EDITION_DIRS[edition] / master.name
    if not student_path.is_file():
        pytest.fail(f"{student_path} is missing; run `make student`", pytrace=False)
    teacher = nbformat.read(master, as_version=4)
    student = nbformat.read(student_path, as_version=4)

    student_lines = {l.strip() for c in student.cells for l in _source(c).split("\n")}
    for c in student.cells:
        src = _source(c)
        assert not re.search(r"#\s*(BEGIN|END)\s+SOLUTION|#\s*SOLUTION\b", src), f"solution marker left in:\n{src}"
        if c.cell_type == "raw":
            assert not OTTER_MARKER.match(src), src
    from otter.assign.solutions import replace_solutions

    for cell, is_solution in zip(teacher.cells, _solution_cells(teacher)):
        if not is_solution:
            continue
        src = _source(cell)
        lines = src.split("\n")
        assert replace_solutions(lines, "python") != lines, (
            "a code cell in a SOLUTION block has no `# SOLUTION` line and no `# BEGIN SOLUTION` "
            f"... `# END SOLUTION` block, so students would get it whole:\n{src}"
        )
    leaked = sorted(_solution_lines(teacher) & student_lines)
    assert not leaked, f"solution lines found in {student_path.name}: {leaked}"

    hidden = [(q, c) for q, cs in _cases(student, hidden=True).items() for c in cs]
    assert not hidden, f"hidden tests in the student notebook: {[q for q, _ in hidden]}"
    student_text = json.dumps(student.metadata) + "\n".join(_source(c) for c in student.cells)
    all_tests = teacher_autograder_metadata(master)
    visible_lines = {
        l.strip()
        for cs in _cases(all_tests, hidden=False).values()
        for c in cs
        for l in _doctest_code(c["code"]).splitlines()
    }
    for name, cases in _cases(all_tests, hidden=True).items():
        for case in cases:
            for line in _doctest_code(case["code"]).splitlines():
                s = line.strip()
                if (
                    len(s) >= 12
                    and not re.match(r"(import|from)\s", s)
                    and not any(s in line for line in student_lines | visible_lines)  # a generic line, shown anyway
                ):
                    assert s not in student_text, f"{name}: hidden test line visible to students: {s!r}"

    answers = _string_answers(teacher)
    for name, cases in _cases(student, hidden=False).items():
        for case in cases:
            tree = ast.parse(_doctest_code(case["code"]))
            compared = [n for c in ast.walk(tree) if isinstance(c, ast.Compare) for n in ast.walk(c)]
            consts = {
                " ".join(n.value.split()).upper()
                for n in compared
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
            shown = consts & answers
            assert not shown, (
                f"{name}: a visible test spells out the answer {sorted(shown)}; compare a digest "
                "(course_utils.tools.quiz.check_choice / check_value) instead"
            )


_AG_META_CACHE: dict[Path, nbformat.NotebookNode] = {}


def teacher_autograder_metadata(master: Path):
    """A notebook-like object whose otter metadata holds every test of ``master`` (hidden included).

    Built from the teacher notebook's test cells with otter's own parser (no otter assign run).
    """
    if master in _AG_META_CACHE:
        return _AG_META_CACHE[master]
    from otter.assign.assignment import Assignment
    from otter.assign.notebook_transformer import NotebookTransformer
    from otter.assign.tests_manager import AssignmentTestsManager
    from otter.nbmeta_config import NBMetadataConfig

    nb = nbformat.read(master, as_version=4)
    assignment = Assignment()
    assignment.master, assignment.lang = master, "python"
    mgr = AssignmentTestsManager(assignment)
    NotebookTransformer(assignment, mgr).transform_notebook(nb)
    meta = NBMetadataConfig({})
    mgr.write_tests(meta, "tests", include_hidden=True)  # tests go to `meta` (tests.files is false)
    fake = nbformat.v4.new_notebook(metadata={"otter": {"tests": meta.tests}})
    _AG_META_CACHE[master] = fake
    return fake


@pytest.mark.slow
def test_student_checks_fail_until_answered(tmp_path: Path, monkeypatch):
    """Every handed-out notebook's otter cells run from an empty folder, and every check fails.

    Only the otter init cell and the `grader.check` cells are executed (answers unset): the
    chapter's other cells are the teacher's, which nbval and otter's solution run already execute,
    and running them again would make this test cost a whole chapter per notebook. The notebooks
    share one kernel, each from its own folder (`os.chdir` before its init cell), because starting a
    kernel and importing otter and torch cost more than the checks (measured: ~110 s for ten
    kernels on 2 cores); results and errors are reported per notebook.
    """
    from nbclient import NotebookClient

    cells, owner = [], []  # owner[i]: the student notebook that cells[i] belongs to
    for master, edition in [(m, e) for m in MASTERS for e in EDITION_DIRS]:
        student_path = EDITION_DIRS[edition] / master.name
        if not student_path.is_file():
            pytest.fail(f"{student_path} is missing; run `make student`", pytrace=False)
        folder = tmp_path / edition / master.stem
        folder.mkdir(parents=True)
        shutil.copy(student_path, folder / master.name)
        nb = nbformat.read(folder / master.name, as_version=4)
        questions = sorted(nb.metadata.get("otter", {}).get("tests", {}))
        assert questions, f"{student_path.name} has no visible tests"
        probe = (
            "import json as _json\n"
            f"_res = {{_q: grader.check(_q) for _q in {questions!r}}}\n"
            f"print({_RESULTS_MARK!r} + _json.dumps({{_q: [bool(_r.passed_all), len(_r.test_cases)] "
            "for _q, _r in _res.items()}))"
        )
        mine = [nbformat.v4.new_code_cell(f"import os as _os\n_os.chdir({str(folder)!r})")]
        mine += [
            c
            for c in nb.cells
            if c.cell_type == "code" and ("otter.Notebook(" in c.source or c.source.strip().startswith("grader.check"))
        ]
        mine.append(nbformat.v4.new_code_cell(probe))
        cells += mine
        owner += [f"{edition}/{master.stem}"] * len(mine)

    combined = nbformat.v4.new_notebook(cells=cells)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")])))
    NotebookClient(
        combined,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    problems = []
    for stem, cell in zip(owner, combined.cells):
        err = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if err:
            problems.append(
                f"{stem}: cell failed in the student notebook:\n{cell.source}\n{err[0]['ename']}: {err[0]['evalue']}"
            )
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        if _RESULTS_MARK not in text:
            continue
        results = json.loads(text.split(_RESULTS_MARK, 1)[1].strip().splitlines()[0])
        for q, (passed, n_cases) in results.items():
            if n_cases < 1:
                problems.append(f"{stem} {q}: no visible test, so its check passes before it is answered")
            if passed:
                problems.append(f"{stem} {q}: its check passes before the student has answered")
    reported = {
        stem
        for stem, cell in zip(owner, combined.cells)
        if any(_RESULTS_MARK in o.get("text", "") for o in cell.get("outputs", []))
    }
    problems += [
        f"{e}/{m.stem}: its checks never reported"
        for m in MASTERS
        for e in EDITION_DIRS
        if f"{e}/{m.stem}" not in reported
    ]
    assert not problems, "\n".join(problems)


# --- make_student.py's comparison logic (no otter run, no assign notebooks needed) ---------------


def _tiny_student_nb() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "weird", "display_name": "x", "language": "python"},
        "jupytext": {"formats": "ipynb,py:percent"},
        "otter": {"OK_FORMAT": True, "tests": {"q1": {"name": "q1", "points": None, "suites": []}}},
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            'import otter\ngrader = otter.Notebook("01_x.ipynb")', metadata={"editable": False, "deletable": False}
        ),
        nbformat.v4.new_markdown_cell("**Q1.** Pick one."),
        nbformat.v4.new_code_cell("q1_answer = ...", metadata={"tags": ["otter_answer_cell"], "scrolled": True}),
    ]
    return nb


def test_normalise_is_deterministic_and_idempotent():
    a, b = _tiny_student_nb(), _tiny_student_nb()
    b.cells[0]["id"] = "something-else"
    b.cells[2].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    b.cells[2].execution_count = 7
    text = ms.notebook_text(ms.normalise_notebook(a))
    assert text == ms.notebook_text(ms.normalise_notebook(b))
    again = ms.notebook_text(ms.normalise_notebook(nbformat.reads(text, as_version=4)))
    assert again == text
    nb = nbformat.reads(text, as_version=4)
    assert nb.metadata.kernelspec == ms.STUDENT_KERNELSPEC and "jupytext" not in nb.metadata
    assert nb.metadata.otter["tests"]["q1"]["name"] == "q1"
    assert dict(nb.cells[2].metadata) == {"tags": ["otter_answer_cell"]}


def test_compare_ignores_volatile_fields_and_flags_real_changes(tmp_path: Path):
    expected = {"01_x.ipynb": ms.notebook_text(ms.normalise_notebook(_tiny_student_nb()))}
    # as if a teacher ran the committed notebook in Jupyter under another kernel and saved it
    nb = nbformat.reads(expected["01_x.ipynb"], as_version=4)
    nb.metadata.kernelspec = {"name": "long-context-attention", "display_name": "LCA", "language": "python"}
    nb.metadata.language_info = {"name": "python", "version": "3.11.7"}
    nb.cells[0].execution_count = 3
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="x\n")]
    nb.cells[1]["id"] = "abc"
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert ms.compare(tmp_path, expected) == []

    nb.cells[2].source = 'q1_answer = "B"'  # someone edited the student copy by hand
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    problems = ms.compare(tmp_path, expected)
    assert len(problems) == 1 and problems[0].startswith("out of date") and 'q1_answer = "B"' in problems[0]

    nb.cells[2].source = "q1_answer = ..."
    nb.metadata.otter["tests"]["q1"]["points"] = 3  # tests changed
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert ms.compare(tmp_path, expected)

    (tmp_path / "01_x.ipynb").unlink()
    assert ms.compare(tmp_path, expected)[0].startswith("missing")

    nbformat.write(_tiny_student_nb(), tmp_path / "02_gone.ipynb")
    ms.write(tmp_path, expected)
    assert not (tmp_path / "02_gone.ipynb").exists()  # stale generated notebook removed
    assert (tmp_path / "01_x.ipynb").read_text(encoding="utf-8") == expected["01_x.ipynb"]
    assert ms.compare(tmp_path, expected) == []


def test_cli_check_with_no_assign_notebooks(tmp_path: Path, capsys):
    (tmp_path / "nbs").mkdir()
    (tmp_path / "student").mkdir()
    args = ["--notebooks", str(tmp_path / "nbs"), "--edition", "student", "--out", str(tmp_path / "student")]
    assert ms.main([*args, "--check"]) == 0
    assert "no otter assign notebooks" in capsys.readouterr().out


def test_every_chapter_is_an_assign_notebook():
    """Every NN_*.ipynb of the notebooks folder has a quiz (an ASSIGNMENT CONFIG), and there is at least one:
    a missing or unconfigured notebook fails here instead of leaving the tests below nothing to check."""
    chapters = [p.name for p in chapter_notebooks(NOTEBOOKS_DIR)]
    assert chapters, f"no chapter notebooks (NN_*.ipynb) in {NOTEBOOKS_DIR}"
    assert [m.name for m in MASTERS] == chapters, "chapters without an otter ASSIGNMENT CONFIG cell: " + ", ".join(
        sorted(set(chapters) - {m.name for m in MASTERS})
    )


# --- the two editions: what make_student.py refuses, and how the graded master is made ----------


def _tiny_teacher(*tests: str) -> nbformat.NotebookNode:
    """A teacher notebook with one question q1 whose test cells are `tests`, and an explain cell."""
    raw = nbformat.v4.new_raw_cell
    code = nbformat.v4.new_code_cell
    return nbformat.v4.new_notebook(
        cells=[
            raw("# BEGIN QUESTION\nname: q1"),
            nbformat.v4.new_markdown_cell("**Q1.** Pick one."),
            raw("# BEGIN SOLUTION"),
            code('q1_answer = "B"  # SOLUTION'),
            raw("# END SOLUTION"),
            raw("# BEGIN TESTS"),
            *[code(source) for source in tests],
            raw("# END TESTS"),
            raw("# END QUESTION"),
            code('explain(q1_answer, "sealed:AAAA", salt="99/q1")'),
        ]
    )


FORM = "# FORM\nfrom course_utils.tools.quiz import normalize_choice\n\nassert normalize_choice(q1_answer)"
CHECK = 'assert check_choice(q1_answer, "0" * 64, salt="99/q1")'


def test_a_master_without_a_form_cell_is_refused():
    with pytest.raises(ms.AssignError, match="must start with `# FORM`"):
        ms.check_master(_tiny_teacher(CHECK), "99_x.ipynb")


def test_a_master_with_a_success_message_is_refused():
    config = '""" # BEGIN TEST CONFIG\nsuccess_message: "Because."\n"""  # END TEST CONFIG\n' + CHECK
    with pytest.raises(ms.AssignError, match="success_message"):
        ms.check_master(_tiny_teacher(FORM, config), "99_x.ipynb")


def test_graded_master_hides_every_check_but_the_form_and_drops_explain_cells():
    config = '""" # BEGIN TEST CONFIG\npoints: 2\n"""  # END TEST CONFIG\n' + CHECK
    teacher = _tiny_teacher(FORM, CHECK, config, "# HIDDEN\n" + CHECK)
    ms.check_master(teacher, "99_x.ipynb")
    graded = ms.graded_master(teacher)
    form, *rest = ms.question_test_cells(graded)["q1"]
    assert form.source == FORM and not ms.is_hidden_test(form.source)
    assert all(ms.is_hidden_test(cell.source) for cell in rest) and len(rest) == 3
    assert not any(ms.is_explain_cell(cell) for cell in graded.cells)
    assert any(ms.is_explain_cell(cell) for cell in teacher.cells)  # the teacher's notebook is untouched


def test_unknown_edition_is_refused():
    with pytest.raises(ValueError, match="unknown edition"):
        ms.build_student_files(edition="exam")


def test_a_master_whose_test_cell_printed_is_refused():
    teacher = _tiny_teacher(FORM, CHECK)
    form = ms.question_test_cells(teacher)["q1"][0]
    form.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "0.4269"}, execution_count=1)]
    with pytest.raises(ms.AssignError, match="printed something"):
        ms.check_master(teacher, "99_x.ipynb")


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_the_graded_colab_cell_deletes_the_answers_from_its_clone(master: Path):
    nb = nbformat.read(GRADED_DIR / master.name, as_version=4)
    colab = next(cell.source for cell in nb.cells if ms.COLAB_MARK in cell.source)
    assert ms.GRADED_COLAB_CLEANUP in colab and '"/content/course/graded"' in colab
    compile(colab, "<colab cell>", "exec")


# --- how a question is graded -------------------------------------------------------------------------


def _question_prompts(nb: nbformat.NotebookNode) -> dict[str, tuple[str, str]]:
    """Each question's config (its BEGIN QUESTION cell) and the first line of its prompt, by name."""
    prompts: dict[str, tuple[str, str]] = {}
    for i, cell in enumerate(nb.cells):
        if ms._marker(cell) == ("begin", "question"):
            found = re.search(r"^\s*#?\s*name:\s*(\S+)", cell.source, re.M)
            assert found, f"a question without a name:\n{cell.source}"
            name = found[1]
            prompt = next((c.source for c in nb.cells[i + 1 :] if c.cell_type == "markdown"), "")
            prompts[name] = (cell.source, prompt.strip().split("\n", 1)[0])
    return prompts


@pytest.mark.parametrize("edition", EDITION_DIRS)
@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_question_is_graded_all_or_nothing(master: Path, edition: str):
    """Otter counts each test cell as a case: without `all_or_nothing`, the `# FORM` check alone (any letter
    among the options) would earn part of the question. Every question of both editions is graded whole."""
    tests = nbformat.read(EDITION_DIRS[edition] / master.name, as_version=4).metadata["otter"]["tests"]
    questions = ms.question_test_cells(nbformat.read(master, as_version=4))
    partial = [name for name in questions if not tests.get(name, {}).get("all_or_nothing")]
    assert not partial, f"{edition}/{master.name}: graded case by case: {partial}; run `make student`"


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_predictions_weigh_half_a_point(master: Path):
    """A prediction's answer can be computed with the chapter's own functions before it is given, so it weighs
    `PREDICTION_POINTS`; every other question keeps its configured points (otter's default: 1)."""
    tests = nbformat.read(GRADED_DIR / master.name, as_version=4).metadata["otter"]["tests"]
    for name, (config, first_line) in _question_prompts(nbformat.read(master, as_version=4)).items():
        configured = re.search(r"^\s*#?\s*points:\s*(\S+)", config, re.M)
        expected: float | None
        if configured:
            expected = float(configured[1])
        else:
            expected = ms.PREDICTION_POINTS if ms.PREDICTION.search(first_line) else None
        assert tests[name]["points"] == expected, f"{master.name} {name}: points {tests[name]['points']}"


def test_graded_whole_marks_a_tiny_prediction():
    teacher = _tiny_teacher(FORM, CHECK)
    teacher.cells[1].source = "**Q1** (predict, then measure). Pick one."
    config = ms.graded_whole(teacher).cells[0].source
    assert "all_or_nothing: true" in config and f"points: {ms.PREDICTION_POINTS}" in config
    teacher.cells[0].source += "\npoints: 2"
    assert "points: 0.5" not in ms.graded_whole(teacher).cells[0].source


@pytest.mark.parametrize("edition", EDITION_DIRS)
@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_code_cell_of_an_edition_parses(master: Path, edition: str):
    """Otter replaces only the lines marked `# SOLUTION`: an answer spread over several lines leaves a broken cell,
    and Run All stops there. Every code cell of both editions is valid Python (IPython magics aside)."""
    nb = nbformat.read(EDITION_DIRS[edition] / master.name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in _source(cell).split("\n") if not line.lstrip().startswith(("%", "!")))
        try:
            ast.parse(source)
        except SyntaxError as exc:
            pytest.fail(f"{edition}/{master.name}: a code cell does not parse ({exc}):\n{_source(cell)}")
