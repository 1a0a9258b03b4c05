"""`%%answer_first` skips a cell that shows an answer until the question is answered, and the self-study edition
gates every such cell after a question (`course_utils.tools.answer_first`, `scripts/make_student.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import make_student as ms
import nbformat
import pytest

from course_utils.paths import NOTEBOOKS_DIR, STUDENT_DIR, chapter_notebooks
from course_utils.tools.answer_first import is_answered, skip_note, unanswered

MASTERS = [p for p in chapter_notebooks(NOTEBOOKS_DIR) if ms.is_assign_notebook(p)]


#: Run in a child process: an `InteractiveShell` changes the process's display and exception hooks, which the
#: quiz tests that share a pytest worker must not inherit.
_SHELL_SCRIPT = """
import io, json
from contextlib import redirect_stdout

from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "course_utils.tools.answer_first")


def run(source):
    out = io.StringIO()
    with redirect_stdout(out):
        result = shell.run_cell(source)
    error = result.error_before_exec or result.error_in_exec
    return {"out": out.getvalue(), "error": None if error is None else str(error)}


cell = "%%answer_first q7 q7_answer\\nshown = 'the measurement'\\nprint(shown)"
shell.user_ns["q7_answer"] = ...
runs = [run(cell), "shown" in shell.user_ns]
shell.user_ns["q7_answer"] = "B"
runs += [run(cell), shell.user_ns.get("shown"), run("%%answer_first q7\\nprint(1)")]
print(json.dumps(runs))
"""


@pytest.fixture(scope="module")
def shell_runs() -> list:
    done = subprocess.run(
        [sys.executable, "-c", _SHELL_SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _stub(o, lse): ...


def _documented_stub(o, lse):
    """A docstring and nothing else."""
    ...


def _passed(o, lse):
    pass


def _written(o, lse):
    return o


def _returns_none_after_work(o, lse):
    o.append(lse)


@pytest.mark.parametrize(
    "value, answered",
    [
        (..., False),
        (_stub, False),
        (_documented_stub, False),
        (_passed, False),
        ("B", True),
        (0.0, True),
        (None, True),
        (_written, True),
        (_returns_none_after_work, True),
        (print, True),
    ],
)
def test_what_counts_as_an_answer(value, answered):
    assert is_answered(value) is answered


def test_unanswered_lists_missing_and_placeholder_names_in_order():
    assert unanswered(["q1_answer", "f", "q1b_answer"], {"q1_answer": ..., "q1b_answer": "C"}) == ["q1_answer", "f"]
    assert unanswered(["q1_answer"], {"q1_answer": "A"}) == []


def test_the_cell_is_skipped_with_one_line_until_answered_then_runs(shell_runs):
    skipped, bound_while_skipped, ran, bound_after, _ = shell_runs
    assert skipped == {"out": skip_note("q7", ["q7_answer"]) + "\n", "error": None}
    assert bound_while_skipped is False
    assert ran == {"out": "the measurement\n", "error": None}
    assert bound_after == "the measurement"


def test_a_cell_without_its_names_is_a_usage_error(shell_runs):
    usage = shell_runs[-1]
    assert usage["out"] == "" and "names its answer defines" in usage["error"]


def test_answer_names_reads_solution_lines_and_functions():
    sources = [
        "q6b_stats = [1, 2]  # SOLUTION\nq6_uniform = 1.0  # helper, not on a SOLUTION line",
        "def unmerge(o, lse):\n    # BEGIN SOLUTION\n    return o\n    # END SOLUTION",
    ]
    assert ms.answer_names(sources) == ["q6b_stats", "unmerge"]
    assert ms.ungated(ms.gate("x = 1", "q2", ["q2_answer"])) == "x = 1"


@pytest.mark.parametrize("path", MASTERS, ids=[p.stem[:2] for p in MASTERS])
def test_every_answer_cell_after_a_question_is_gated_on_names_the_student_leaves_unanswered(path: Path):
    """In `student/`, each tagged code cell after a question runs only once that question's answer is given, the
    names it waits for are the ones the edition leaves as `...` or a stub, and the magic is loaded before it."""
    master = nbformat.read(path, as_version=4)
    student = nbformat.read(STUDENT_DIR / path.name, as_version=4)
    asked = False
    expected = []
    for cell in master.cells:
        asked = asked or ms._marker(cell) == ("begin", "question")
        if asked and cell.cell_type == "code" and ms.shows_answer(cell) and not ms.is_explain_cell(cell):
            expected.append(cell.source)
    sources = [cell.source for cell in student.cells if cell.cell_type == "code"]
    gated = [s for s in sources if s.startswith(ms.GATE_MAGIC + " ")]
    assert [ms.ungated(s) for s in gated] == expected, f"{path.stem}: an answer cell is not gated, or gated twice"
    if not gated:
        return
    assert ms.GATE_LOAD in sources, f"{path.stem}: the gate is used but never loaded"
    assert sources.index(ms.GATE_LOAD) < sources.index(gated[0]), f"{path.stem}: the gate is loaded after first use"
    student_code = "\n".join(sources)
    for source in gated:
        for name in source.split("\n", 1)[0].split()[2:]:
            assert f"{name} = ..." in student_code or f"def {name}(" in student_code, (
                f"{path.stem}: `{ms.GATE_MAGIC}` waits for {name}, which the student edition does not ask for"
            )
