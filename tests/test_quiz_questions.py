"""Every quiz question passes its right answer and fails the wrong ones a student really gives.

Each question of a teacher notebook (`notebooks/NN_*.ipynb`) has test cells of three kinds
(`docs/writing-quizzes.md`):

* a `# FORM` cell, first: checks the answer's form only (a letter among the options, one finite
  number, a function with the right signature). The graded edition shows only this one;
* correctness cells: visible in the self-study edition, hidden in the graded one;
* `# HIDDEN` cells: hidden in both (for example the exercise run with the course's function
  made unavailable, `course_utils.tools.quiz.unavailable`).

The test cells are run here on their own, outside the notebook, against answers written in
`tests/quiz_cases/NN.py` (`CASES = {"q4": {"right": ..., "wrong": [...], "cheats": [...]}}`; each
answer is code that defines the answer variable; `setup` is optional code run first). A
multiple-choice question needs no entry: its right answer is the solution's letter, and every other
letter is a wrong answer. This proves, for every question:

* the right answer passes every test cell, and its `explain(...)` cell (self-study edition) opens;
* every wrong answer passes the `# FORM` cell (so the graded edition's visible check accepts it),
  fails a correctness cell (so the self-study check catches it, and the graded edition's hidden
  tests too), and does not open the rationale;
* every cheat (an exercise answered by calling the course function it is compared with) passes the
  `# FORM` cell and fails a visible correctness cell and a `# HIDDEN` cell;
* every visible correctness cell compares with a digest (otter prints a failing check's code, so a
  readable reference would be the answer);
* while an exercise's function runs, no global of the notebook holds its right output (the function
  shares those globals, so a reference computed before the call could simply be returned);
* a numeric answer typed at the precision the question asks passes every check, hidden ones too;
* a numeric answer's value is not printed or written anywhere before its question, nor written in the
  prose or code after it (the editions store no outputs: a student reads on before answering), and a
  cell after it that prints it is tagged `shows-answer`, which the graded edition holds back (and
  no later cell needs a name only a held-back cell binds);
* the sealed rationale's text appears nowhere in either student edition.

Course-wide: the key is the longest option in at most a third of the multiple-choice questions, and
no length rank (longest, second-longest, ..., shortest) keys more than 40 % of them;
every chapter asks a "predict, then measure" question; exercises are compared with a reference.
Cheap: no chapter is executed; each test cell runs once per answer.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import runpy
from dataclasses import dataclass, field
from pathlib import Path

import make_student as ms
import nbformat
import pytest

from course_utils.paths import GRADED_DIR, NOTEBOOKS_DIR, STUDENT_DIR, chapter_notebooks
from course_utils.tools.quiz import DEFAULT_CHOICES, explain, open_sealed

CASES_DIR = Path(__file__).parent / "quiz_cases"
#: Largest share of the multiple-choice questions whose key may be the longest option.
MAX_LONGEST_KEY_SHARE = 1 / 3
#: Exceptions that mean a test cell is not self-contained, not that the answer is wrong.
NOT_SELF_CONTAINED = (NameError, ImportError, SyntaxError)

_SOLUTION_LETTER = re.compile(r'^(?P<var>q\w*_answer)\s*=\s*"(?P<letter>[A-Za-z])"\s*#\s*SOLUTION\s*$', re.M)
_CHOICES_ARG = re.compile(r'check_choice\([^)]*choices="(?P<choices>[A-Za-z]+)"')
_OPTION = re.compile(r"^- \*\*(?P<letter>[A-H])\)\*\*\s*(?P<text>.*)$")
_SALT = re.compile(r'salt="(?P<salt>[^"]+)"')
_DECIMALS = re.compile(r"decimals=(?P<decimals>\d+)")


@dataclass
class Question:
    """One question of a teacher notebook, its cells sorted by role."""

    notebook: str
    name: str
    prompt: list[str] = field(default_factory=list)  # markdown inside the question
    solution: list[str] = field(default_factory=list)  # solution code cells
    form: list[str] = field(default_factory=list)
    visible: list[str] = field(default_factory=list)  # correctness cells, hidden in the graded edition
    hidden: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)  # explain(...) cells after the question
    preamble: list[str] = field(default_factory=list)  # markdown and outputs before the question
    after: list[str] = field(default_factory=list)  # markdown and code (no outputs) up to the next question
    after_untagged_outputs: list[str] = field(default_factory=list)  # outputs to the section's end, not held back

    @property
    def id(self) -> str:
        return f"{self.notebook[:2]}/{self.name}"

    @property
    def letter(self) -> tuple[str, str] | None:
        """(variable, key letter) of a multiple-choice question, else None."""
        match = next((m for s in self.solution if (m := _SOLUTION_LETTER.search(s))), None)
        return (match["var"], match["letter"].upper()) if match else None

    @property
    def choices(self) -> str:
        found = next((m["choices"] for c in self.visible if (m := _CHOICES_ARG.search(c))), None)
        return (found or DEFAULT_CHOICES).upper()

    def options(self) -> dict[str, str]:
        """The options written in the prompt, `{letter: text}` (an option's wrapped lines joined)."""
        options: dict[str, str] = {}
        current = None
        for line in "\n".join(self.prompt).splitlines():
            if match := _OPTION.match(line):
                current = match["letter"]
                options[current] = match["text"].strip()
            elif current and line.startswith("  ") and line.strip():
                options[current] += " " + line.strip()
            else:
                current = None
        return options


def _outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for key in ("text/plain", "text/markdown", "text/html"):
            data = output.get("data", {}).get(key)
            if data:
                parts.append("".join(data))
    return "\n".join(parts)


def read_questions(path: Path) -> list[Question]:
    """The questions of one teacher notebook, in order."""
    nb = nbformat.read(path, as_version=4)
    questions: list[Question] = []
    current: Question | None = None
    block = None
    preamble: list[str] = []
    reading_on: list[Question] = []  # questions answered in this section: a student runs on to its end
    for cell in nb.cells:
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", cell.source):
            reading_on = []
        if cell.cell_type == "code" and not ms.shows_answer(cell) and not ms.is_explain_cell(cell):
            for question in reading_on:
                if question is not current:
                    question.after_untagged_outputs.append(_outputs_text(cell))
        marker = ms._marker(cell)
        if marker == ("begin", "question"):
            name = re.search(r"name:\s*(\S+)", cell.source)[1]  # type: ignore[index]
            current = Question(path.stem, name, preamble=list(preamble))
            questions.append(current)
            continue
        if marker == ("end", "question"):
            reading_on.append(current)  # type: ignore[arg-type]
            current = None
            continue
        if marker:
            block = marker[1] if marker[0] == "begin" else None
            continue
        if current is None:
            if ms.is_explain_cell(cell) and questions:
                questions[-1].explain.append(cell.source)
                continue
            preamble.append(cell.source if cell.cell_type == "markdown" else _outputs_text(cell))
            if questions:
                questions[-1].after.append(cell.source)
            continue
        if cell.cell_type == "markdown":
            current.prompt.append(cell.source)
        elif block is None:  # a demonstration inside the question, run before it is answered
            current.prompt.append(_outputs_text(cell))
            preamble.append(_outputs_text(cell))
        elif block == "solution":
            current.solution.append(cell.source)
        elif block == "tests":
            if cell.source.startswith(ms.FORM_MARK):
                current.form.append(cell.source)
            elif ms.is_hidden_test(cell.source):
                current.hidden.append(cell.source)
            else:
                current.visible.append(cell.source)
    return questions


MASTERS = [p for p in chapter_notebooks(NOTEBOOKS_DIR) if ms.is_assign_notebook(p)]
QUESTIONS = [q for path in MASTERS for q in read_questions(path)]
MULTIPLE_CHOICE = [q for q in QUESTIONS if q.letter]


def cases_of(notebook: str) -> dict[str, dict]:
    path = CASES_DIR / f"{notebook[:2]}.py"
    return runpy.run_path(str(path))["CASES"] if path.is_file() else {}


def answers_of(question: Question) -> dict:
    """`right`, `wrong`, `cheats` and `setup` for a question (derived for multiple choice)."""
    if question.letter:
        var, key = question.letter
        return {
            "right": f'{var} = "{key}"',
            "wrong": [f'{var} = "{letter}"' for letter in question.choices if letter != key],
            "cheats": [],
            "setup": "",
        }
    case = cases_of(question.notebook).get(question.name)
    if case is None:
        pytest.fail(
            f"{question.id}: not multiple choice, so tests/quiz_cases/{question.notebook[:2]}.py needs "
            f"an entry CASES[{question.name!r}] with its right and wrong answers",
            pytrace=False,
        )
    return {"cheats": [], "setup": "", **case}


def is_numeric(question: Question) -> bool:
    """Whether the answer is one number checked at some decimals (not an exercise's hashed fingerprint)."""
    visible = "\n".join(question.visible)
    return not question.letter and _DECIMALS.search(visible) is not None and "fingerprint(" not in visible


def run_cell(source: str, namespace: dict) -> BaseException | None:
    """Run one test cell in `namespace`; the exception it raised (None: it passed)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<test cell>", "exec"), namespace)
    except NOT_SELF_CONTAINED as error:
        raise AssertionError(
            f"a test cell is not self-contained ({type(error).__name__}: {error}); import what it needs in "
            f"the cell, or define it in the case's setup:\n{source}"
        ) from error
    except Exception as error:  # any failure of a check counts as failing
        return error
    return None


def answered(question: Question, answers: dict, answer: str) -> dict:
    namespace: dict = {"__name__": "quiz_case", "explain": explain}
    exec(answers["setup"], namespace)
    exec(answer, namespace)
    return namespace


def explanation(question: Question, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in question.explain:
            exec(source, namespace)
    return out.getvalue()


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_question_has_its_cells(question: Question):
    assert question.form, f"{question.id}: no `# FORM` test cell"
    assert question.visible, f"{question.id}: no correctness cell visible in the self-study edition"
    if question.letter or is_numeric(question):
        assert question.explain, f"{question.id}: no explain(...) cell after the question for its rationale"


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_right_answer_passes_and_opens_the_rationale(question: Question):
    answers = answers_of(question)
    namespace = answered(question, answers, answers["right"])
    for source in question.form + question.visible + question.hidden:
        error = run_cell(source, namespace)
        assert error is None, f"{question.id}: the right answer fails a test cell ({error!r}):\n{source}"
    if question.explain:
        shown = explanation(question, namespace)
        assert shown.strip() and not shown.startswith(("Not yet", "Answer the question")), (
            f"{question.id}: the right answer does not open the rationale"
        )


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_wrong_answers_pass_the_form_and_fail_the_check(question: Question):
    answers = answers_of(question)
    assert answers["wrong"], f"{question.id}: list at least one plausible wrong answer"
    if any("def " in answers["right"] for _ in [0]):
        assert answers["cheats"], f"{question.id}: an exercise lists the answer that calls the course's function"
        assert question.hidden, f"{question.id}: an exercise needs a hidden test that runs it without that function"
    for answer in answers["wrong"]:
        namespace = answered(question, answers, answer)
        for source in question.form:
            error = run_cell(source, namespace)
            assert error is None, f"{question.id}: the FORM cell rejects a wrong answer of the right form:\n{answer}"
        failures = [run_cell(source, namespace) for source in question.visible]
        assert any(failures), f"{question.id}: the visible check passes the wrong answer\n{answer}"
        if question.explain:
            assert explanation(question, namespace).startswith("Not yet"), (
                f"{question.id}: a wrong answer opens the rationale:\n{answer}"
            )
    for answer in answers["cheats"]:
        namespace = answered(question, answers, answer)
        for source in question.form:
            assert run_cell(source, namespace) is None, f"{question.id}: the FORM cell rejects:\n{answer}"
        for kind, cells in (("visible", question.visible), ("hidden", question.hidden)):
            failures = [run_cell(source, namespace) for source in cells]
            assert any(failures), f"{question.id}: no {kind} check catches the answer that calls the course:\n{answer}"


_DIGEST = re.compile(r'"[0-9a-f]{64}"')


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_visible_checks_compare_hashes_not_readable_answers(question: Question):
    """otter prints a failing visible check's code, and the metadata holds it: it must not contain the answer.

    So every visible correctness cell compares with a digest (`check_choice`, `check_rounded`, or
    `check_rounded(fingerprint(output), ...)` for an exercise) and defines no reference function.
    """
    for source in question.visible:
        assert _DIGEST.search(source), f"{question.id}: a visible check without a digest:\n{source}"
        assert not re.search(r"^\s*def ", source, re.M), f"{question.id}: a visible check defines a reference"


def _sealed(question: Question) -> list[tuple[str, str, int | None]]:
    """(sealed, salt, decimals) of each explain call of a question."""
    found = []
    for source in question.explain:
        for call in re.finditer(r'explain\(\s*\w+\s*,\s*"(?P<sealed>sealed:[^"]+)"(?P<rest>[^)]*)\)', source):
            decimals = _DECIMALS.search(call["rest"])
            salt = _SALT.search(call["rest"])
            assert salt, f"{question.id}: an explain(...) call without its salt"
            found.append((call["sealed"], salt["salt"], int(decimals[1]) if decimals else None))
    return found


def _edition_text(folder: Path, notebook: str) -> str:
    path = folder / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return json.dumps(nb.metadata) + "\n".join(cell.source for cell in nb.cells)


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.explain], ids=lambda q: q.id)
def test_no_rationale_is_readable_in_either_edition(question: Question):
    answers = answers_of(question)
    namespace = answered(question, answers, answers["right"])
    for sealed, salt, decimals in _sealed(question):
        var = re.search(r"explain\(\s*(\w+)", question.explain[0])[1]  # type: ignore[index]
        rationale = open_sealed(namespace[var], sealed, salt=salt, decimals=decimals)
        assert rationale, f"{question.id}: the sealed rationale does not open with the right answer"
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", rationale) if len(s.strip()) >= 40]
        for folder in (STUDENT_DIR, GRADED_DIR):
            text = _edition_text(folder, question.notebook)
            shown = [s for s in sentences if s in text]
            assert not shown, f"{question.id}: {folder.name}/ shows the rationale's words: {shown[:1]}"


def _right_number(question: Question, answers: dict) -> str | None:
    """The right answer's text at the checked precision, for a question answered with one number literal."""
    match = re.fullmatch(r"\s*\w+\s*=\s*(-?[\d.]+(?:e-?\d+)?)\s*", answers["right"])
    decimals = next((int(m[1]) for c in question.visible if (m := _DECIMALS.search(c))), None)
    if not match or decimals is None:
        return None
    return f"{float(match[1]):.{decimals}f}"


NUMERIC = [q for q in QUESTIONS if is_numeric(q)]


@pytest.mark.parametrize("question", NUMERIC, ids=[q.id for q in NUMERIC])
def test_a_numeric_answer_typed_at_the_asked_precision_passes_every_check(question: Question):
    """A student who types the value rounded as the question asks passes the hidden tests too."""
    answers = answers_of(question)
    text = _right_number(question, answers)
    assert text is not None, f"{question.id}: write its right answer as `var = <number>` in its case"
    var = answers["right"].split("=")[0].strip()
    namespace = answered(question, answers, f"{var} = {text}")
    for source in question.form + question.visible + question.hidden:
        error = run_cell(source, namespace)
        assert error is None, f"{question.id}: {var} = {text}, as asked, fails a check ({error!r}):\n{source}"


@pytest.mark.parametrize("question", NUMERIC, ids=[q.id for q in NUMERIC])
def test_a_numeric_answer_is_not_on_screen_before_it_is_asked(question: Question):
    text = _right_number(question, answers_of(question))
    assert text is not None, f"{question.id}: write its right answer as `var = <number>` in its case"
    if len(text.replace("-", "").replace(".", "").strip("0")) < 2:
        return  # one significant digit (0.06, 1.00, 40.00): too common to be a leak
    shown = [
        chunk
        for chunk in question.preamble + question.prompt
        if re.search(rf"(?<![\d.]){re.escape(text)}(?!\d)", chunk)
    ]
    assert not shown, f"{question.id}: the answer {text} is on screen before the question: {shown[0][:200]!r}"


@pytest.mark.parametrize("question", NUMERIC, ids=[q.id for q in NUMERIC])
def test_a_numeric_answer_is_not_written_right_after_its_question(question: Question):
    """The editions store no outputs, so a student reads on only prose and code: neither may state the answer.

    The cells after a question, up to the next one, print the measurement when run; their markdown and
    code source must not hold the value (as "64000" or "64,000"), which a student could read unanswered.
    """
    text = _right_number(question, answers_of(question))
    assert text is not None, f"{question.id}: write its right answer as `var = <number>` in its case"
    if len(text.replace("-", "").replace(".", "").strip("0")) < 2:
        return  # one significant digit: too common to be a leak
    whole, _, fraction = text.partition(".")
    forms = {text, f"{int(whole):,}" + (f".{fraction}" if fraction else "")}
    shown = [
        chunk
        for chunk in question.after
        if any(re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d,])", chunk) for form in forms)
    ]
    assert not shown, (
        f"{question.id}: the answer {text} is written in a cell after the question (say what to read, and "
        f"let the cell print the value): {shown[0][:200]!r}"
    )


@pytest.mark.parametrize("question", NUMERIC, ids=[q.id for q in NUMERIC])
def test_a_cell_that_prints_a_numeric_answer_is_held_back_from_the_graded_edition(question: Question):
    """A cell after a question that prints its answer is tagged `shows-answer`, which `graded/` leaves out."""
    text = _right_number(question, answers_of(question))
    assert text is not None, f"{question.id}: write its right answer as `var = <number>` in its case"
    if len(text.replace("-", "").replace(".", "").strip("0")) < 2:
        return  # one significant digit: too common to be a leak
    decimals = len(text.partition(".")[2])

    def rounds_to_answer(number: str) -> bool:  # "2.333" rounds to 2.33; "64,000" is 64000
        digits = number.replace(",", "")
        return len(digits.partition(".")[2]) >= decimals and f"{float(digits):.{decimals}f}" == text

    shown = [
        out
        for out in question.after_untagged_outputs
        if any(rounds_to_answer(m) for m in re.findall(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?", out))
    ]
    assert not shown, (
        f"{question.id}: a cell after the question prints the answer {text} in the graded edition; tag it "
        f'`{ms.ANSWER_TAG}` (jupytext: `# %% tags=["{ms.ANSWER_TAG}"]`): {shown[0][:200]!r}'
    )


def _stored_and_read(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code binds, and the names it reads."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return set(), set()
    stored: set[str] = set()
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, ast.arg):  # a parameter: the body's uses of it are its own
            stored.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return stored, read


@pytest.mark.parametrize("path", MASTERS, ids=[p.stem[:2] for p in MASTERS])
def test_the_graded_edition_runs_without_the_cells_it_holds_back(path: Path):
    """No cell after a held-back (`shows-answer`) cell reads a name that only the held-back cell binds."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    bound_elsewhere: set[str] = set()
    only_held: dict[str, int] = {}
    for index, cell in enumerate(cells):
        stored, read = _stored_and_read(cell.source)
        if ms.shows_answer(cell):
            only_held.update({name: index for name in stored - bound_elsewhere})
            continue
        missing = sorted(name for name in read if name in only_held and name not in stored)
        assert not missing, (
            f"{path.stem}: a cell reads {missing}, bound only by a `{ms.ANSWER_TAG}` cell the graded edition "
            f"holds back; bind it in a cell before the question, or do not tag that cell:\n{cell.source[:300]}"
        )
        bound_elsewhere |= stored
        for name in stored:
            only_held.pop(name, None)


@pytest.mark.parametrize("path", MASTERS, ids=[p.stem[:2] for p in MASTERS])
def test_the_graded_edition_holds_back_the_tagged_cells(path: Path):
    master = nbformat.read(path, as_version=4)
    held = [c.source for c in master.cells if ms.shows_answer(c)]
    graded = (GRADED_DIR / path.name).read_text(encoding="utf-8")
    shown = [source for source in held if source.strip() and json.dumps(source)[1:-1] in graded]
    assert not shown, f"{path.stem}: graded/ shows a `{ms.ANSWER_TAG}` cell: {shown[0][:200]!r}"
    if held:
        assert json.dumps(ms.HELD_BACK_NOTE)[1:-1] in graded, f"{path.stem}: graded/ does not say what it held back"


@pytest.mark.parametrize("path", MASTERS, ids=[p.stem[:2] for p in MASTERS])
def test_the_self_study_edition_folds_the_tagged_prose(path: Path):
    """Prose that states an answer is folded under a summary in `student/`, and code that computes it collapsed,
    so scrolling on does not show it."""
    master = nbformat.read(path, as_version=4)
    student = nbformat.read(STUDENT_DIR / path.name, as_version=4)
    folded = {cell.source for cell in student.cells if cell.cell_type == "markdown"}
    collapsed = {
        ms.ungated(cell.source)
        for cell in student.cells
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden")
    }
    for cell in master.cells:
        if cell.cell_type == "markdown" and ms.shows_answer(cell) and cell.source.strip():
            assert ms.fold(cell.source) in folded, f"{path.stem}: student/ shows unfolded: {cell.source[:200]!r}"
        if cell.cell_type == "code" and ms.shows_answer(cell) and cell.source.strip():
            assert cell.source in collapsed, f"{path.stem}: student/ shows the code: {cell.source[:200]!r}"


def test_the_key_is_rarely_the_longest_option():
    longest = []
    for question in MULTIPLE_CHOICE:
        options = question.options()
        assert len(options) >= 3, f"{question.id}: options not found in the prompt ({options})"
        _, key = question.letter or ("", "")
        if len(options[key]) >= max(len(text) for text in options.values()):
            longest.append(question.id)
    share = len(longest) / len(MULTIPLE_CHOICE)
    assert share <= MAX_LONGEST_KEY_SHARE, (
        f"the key is the longest option in {len(longest)} of {len(MULTIPLE_CHOICE)} questions ({share:.0%}): {longest}"
    )


#: Largest share of the multiple-choice questions whose key has one length rank (longest, second, ...).
MAX_LENGTH_RANK_SHARE = 0.40


def test_the_key_has_no_favourite_length_rank():
    """ "Never the longest" must not become "always the second-longest" or "always the shortest"."""
    ranks: dict[int, list[str]] = {}
    for question in MULTIPLE_CHOICE:
        options = question.options()
        _, key = question.letter or ("", "")
        rank = 1 + sum(len(text) > len(options[key]) for text in options.values())
        ranks.setdefault(rank, []).append(question.id)
    for rank, ids in sorted(ranks.items()):
        share = len(ids) / len(MULTIPLE_CHOICE)
        assert share <= MAX_LENGTH_RANK_SHARE, (
            f"the key is the option of length rank {rank} (1 = longest) in {len(ids)} of {len(MULTIPLE_CHOICE)} "
            f"questions ({share:.0%}): {ids}"
        )


def _hints(question: Question) -> list[str]:
    """The messages of a question's visible checks: otter prints them when the check fails, so a student who runs
    the notebook unanswered reads them before answering."""
    hints = []
    for source in question.visible:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and node.msg is not None:
                hints += [
                    n.value for n in ast.walk(node.msg) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
    return hints


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


@pytest.mark.parametrize("question", MULTIPLE_CHOICE, ids=[q.id for q in MULTIPLE_CHOICE])
def test_a_hint_does_not_quote_what_tells_the_options_apart(question: Question):
    """A failing check's hint is on screen before the answer (a student runs the notebook first): it may name a
    section to reread, not a phrase some options have and others lack."""
    options = {letter: _trigrams(text) for letter, text in question.options().items()}
    shared = set.intersection(*options.values()) if options else set()
    for hint in _hints(question):
        telling = {" ".join(g) for g in _trigrams(hint) if any(g in grams for grams in options.values())} - {
            " ".join(g) for g in shared
        }
        assert not telling, f"{question.id}: the hint {hint!r} quotes what tells options apart: {sorted(telling)}"


@pytest.mark.parametrize("path", MASTERS, ids=[p.stem[:2] for p in MASTERS])
def test_every_chapter_asks_a_prediction(path: Path):
    questions = read_questions(path)
    assert any("predict" in "\n".join(q.prompt).lower() for q in questions), f"{path.stem}: no predict-then-measure"


@pytest.mark.parametrize("folder", [STUDENT_DIR, GRADED_DIR], ids=["student", "graded"])
def test_no_success_message_in_an_edition(folder: Path):
    for path in chapter_notebooks(folder):
        assert "success_message" not in path.read_text(encoding="utf-8"), f"{path}: a rationale in plain text"


def test_graded_edition_shows_only_form_checks():
    form_cells = {q.id: len(q.form) for q in QUESTIONS}
    for path in chapter_notebooks(GRADED_DIR):
        nb = nbformat.read(path, as_version=4)
        assert not any(ms.is_explain_cell(cell) for cell in nb.cells), f"{path}: an explain cell"
        for name, test in nb.metadata["otter"]["tests"].items():
            visible = [case for suite in test["suites"] for case in suite["cases"] if not case.get("hidden")]
            assert len(visible) == form_cells[f"{path.stem[:2]}/{name}"] == 1, (
                f"{path.name} {name}: the graded edition shows {len(visible)} checks; only its one FORM check may show"
            )


def _same_value(a: object, b: object) -> bool:
    """Whether `a` holds what `b` holds: equal tensors (any dtype, to 1e-6), numbers, or sequences of them."""
    import torch

    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.shape != b.shape or a.numel() == 0 or not (a.is_floating_point() or b.is_floating_point()):
            return False
        a, b = a.detach().double(), b.detach().double()
        if torch.unique(b).numel() <= 2:  # all zeros, a 0/1 mask: equal by coincidence, not by theft
            return False
        return bool(torch.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) > 0 and all(_same_value(x, y) for x, y in zip(a, b))
    return False


@pytest.mark.parametrize(
    "question",
    [q for q in QUESTIONS if not q.letter and "def " in str(answers_of(q).get("right", ""))],
    ids=lambda q: q.id,
)
def test_no_check_holds_the_right_output_while_the_students_function_runs(question: Question):
    """A student's function shares the notebook's globals, so a reference computed before the call is one
    name away (`return _reference`): every check computes its reference after the call, or out of reach."""
    import functools
    import types

    answers = answers_of(question)
    namespace: dict = {"__name__": "quiz_case", "explain": explain}
    exec(answers["setup"], namespace)
    before = set(namespace)
    exec(answers["right"], namespace)
    own = [n for n in namespace if n not in before and isinstance(namespace[n], types.FunctionType)]
    returned: list[object] = []  # earlier outputs of the student's own function are fair to hold
    reachable: list[str] = []

    def is_input(value: object, args: tuple) -> bool:  # what the student has anyway: an argument, or a tuple of them
        items = value if isinstance(value, (tuple, list)) else (value,)
        return len(items) > 0 and all(any(item is a or _same_value(item, a) for a in args) for item in items)

    def watched(function):
        @functools.wraps(function)
        def call(*args, **kwargs):
            result = function(*args, **kwargs)
            inputs = args + tuple(kwargs.values())
            parts = [result, *result] if isinstance(result, (tuple, list)) else [result]  # a tuple, or its parts
            for name, value in list(namespace.items()):
                if (
                    all(value is not part for part in parts)
                    and not is_input(value, inputs)
                    and not any(_same_value(value, r) for r in returned)
                    and any(_same_value(value, part) for part in parts)
                ):
                    reachable.append(f"{name} (test cell {cell[0]})")
            returned.extend(parts)
            return result

        return call

    for name in own:
        namespace[name] = watched(namespace[name])
    cell = [0]
    for cell[0], source in enumerate(question.form + question.visible + question.hidden):
        error = run_cell(source, namespace)
        assert error is None, f"{question.id}: the right answer fails a test cell ({error!r}):\n{source}"
    assert not reachable, (
        f"{question.id}: while the student's function ran, the notebook's globals already held its right "
        f"output in {sorted(set(reachable))}; compute the reference after the call, or inside a function"
    )
