"""The multiple-choice keys are balanced, consistent and explained (read from notebooks/NN_*.py).

The visible check of a multiple-choice question is ``check_choice(qN_answer, "<digest>",
salt="...")``. The salt is public, so the key can be recovered by hashing each allowed letter;
these tests do exactly that, for every ``notebooks/NN_*.py`` (the jupytext twin of the teacher
notebook), and check:

* **consistency**: exactly one letter hashes to the digest, and it is the letter of the
  solution line ``qN_answer = "X"  # SOLUTION``;
* **balance** (a student who always answers the same letter must not do well):

  - in a chapter with 3 or more multiple-choice questions, no letter is the key of more than
    40 % of them (with 3 questions: three different letters; with 5: at most 2 alike), except that
    a chapter with exactly 4 may repeat one letter (four different letters would give the fourth key
    away once three are known);
  - in a chapter with exactly 2, the two keys differ; a single question is free;
  - over the whole course, no letter is the key of more than 40 % of all questions;

The rationales (sealed, in ``explain`` cells) and the wrong answers are tested in
``tests/test_quiz_questions.py``.

Cheap: no notebook is executed; each visible check runs once per letter.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from course_utils.tools.quiz import DEFAULT_CHOICES, digest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))

#: Largest share of a chapter's (or the course's) multiple-choice questions one letter may key.
MAX_SHARE = 0.40
#: Chapters with at least this many multiple-choice questions get the MAX_SHARE bound.
MIN_FOR_SHARE = 3

_CHECK = re.compile(
    r'check_choice\(\s*(?P<var>\w+)\s*,\s*"(?P<digest>[0-9a-f]{64})"\s*,\s*salt="(?P<salt>[^"]+)"'
    r'(?:\s*,\s*choices="(?P<choices>[A-Za-z]+)")?\s*\)'
)


def _solution(text: str, var: str) -> str | None:
    m = re.search(rf'^{re.escape(var)}\s*=\s*"([^"]*)"\s*#\s*SOLUTION\s*$', text, re.M)
    return m.group(1).strip().upper() if m else None


def recover_keys(path: Path) -> list[dict]:
    """Every multiple-choice question of one notebook: its variable, salt, recovered key, solution."""
    text = path.read_text(encoding="utf-8")
    found = []
    for m in _CHECK.finditer(text):
        choices = m.group("choices") or DEFAULT_CHOICES
        matches = [c for c in choices if digest(c, salt=m.group("salt")) == m.group("digest")]
        found.append(
            {
                "notebook": path.stem,
                "var": m.group("var"),
                "salt": m.group("salt"),
                "choices": choices,
                "matches": matches,
                "solution": _solution(text, m.group("var")),
            }
        )
    return found


ALL = {p.stem: recover_keys(p) for p in NOTEBOOKS}
QUESTIONS = [q for qs in ALL.values() for q in qs]


def _keys(questions: list[dict]) -> Counter:
    return Counter(q["matches"][0] for q in questions if len(q["matches"]) == 1)


def balance_problems(keys_by_chapter: dict[str, list[str]]) -> list[str]:
    """The rule above, applied to letters per chapter; returns the violations (empty: balanced)."""
    problems = []
    every = [k for keys in keys_by_chapter.values() for k in keys]
    for chapter, keys in keys_by_chapter.items():
        counts = Counter(keys)
        if len(keys) >= MIN_FOR_SHARE:
            letter, n = counts.most_common(1)[0]
            if n > (2 if len(keys) == 4 else MAX_SHARE * len(keys)):
                problems.append(f"{chapter}: {letter} keys {n} of {len(keys)} questions (> {MAX_SHARE:.0%})")
        elif len(keys) == 2 and len(counts) == 1:
            problems.append(f"{chapter}: both multiple-choice questions are keyed {keys[0]}")
    if every:
        letter, n = Counter(every).most_common(1)[0]
        if n > MAX_SHARE * len(every):
            problems.append(f"course: {letter} keys {n} of {len(every)} questions (> {MAX_SHARE:.0%})")
    return problems


def test_notebooks_have_multiple_choice_questions():
    assert NOTEBOOKS, "no notebooks/NN_*.py"
    assert QUESTIONS, "no check_choice(...) found in notebooks/NN_*.py"


@pytest.mark.parametrize("q", QUESTIONS, ids=[q["salt"] for q in QUESTIONS])
def test_key_is_recoverable_and_matches_the_solution(q):
    assert len(q["matches"]) == 1, f"{q['salt']}: letters hashing to the digest: {q['matches']}"
    assert q["solution"] == q["matches"][0], (
        f"{q['salt']}: the solution line says {q['solution']!r}, the visible check's digest is {q['matches'][0]!r}"
    )


def test_keys_are_balanced():
    by_chapter = {nb: [q["matches"][0] for q in qs if len(q["matches"]) == 1] for nb, qs in ALL.items()}
    summary = "; ".join(f"{nb[:2]}: {''.join(keys)}" for nb, keys in by_chapter.items() if keys)
    problems = balance_problems(by_chapter)
    assert not problems, "\n".join(problems) + f"\nkeys: {summary}\ncourse: {dict(sorted(_keys(QUESTIONS).items()))}"


@pytest.mark.parametrize(
    "keys, ok",
    [
        ({"a": ["A", "B", "C"]}, True),
        ({"a": ["A", "B", "B"]}, False),  # 2 of 3 > 40 %
        ({"a": ["A", "B", "B", "C"], "b": ["D", "C", "A"]}, True),  # four questions may repeat one letter
        ({"a": ["B", "B", "B", "C"], "b": ["D", "C", "A"]}, False),
        ({"a": ["A", "A"], "b": ["B", "C", "D"]}, False),  # two questions, one letter
        ({"a": ["A"], "b": ["B", "C"], "c": ["D", "C", "A", "B", "A"]}, True),
        ({"a": ["A", "B"], "b": ["A", "C"], "c": ["A", "D"]}, False),  # course: A keys 3 of 6
    ],
)
def test_balance_rule(keys, ok):
    assert (balance_problems(keys) == []) is ok
