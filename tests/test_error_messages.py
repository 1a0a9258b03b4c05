"""Every `raise ValueError("...")` of the package and the scripts says what to do instead.

CONTRIBUTING's rule for errors: a message says what was wrong and what to do instead. The rule checked
here: after the message's first separator (`; `, `: `, `. ` or a dash) comes a clause with one of
`REMEDY_VERBS` ("...; pass softmax outputs", "...: choose r among the divisors of 8"), or the message
starts with one ("pass at least one sequence"). It reads the messages written as a string literal, an
f-string (the text between the placeholders, each read as `{}`) or a sum of them, where any other part reads
as `{}` (`"TrainConfig: " + "; ".join(problems) + ": pass ..."`); a message with no literal text at all
(`str(error)`) is not read.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "course_utils").rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py"))

#: The imperatives a remedy clause holds.
REMEDY_VERBS = (
    "add", "answer", "ask", "build", "call", "cast", "choose", "convert", "cut", "do not", "drop", "expand",
    "give", "install", "keep", "leave", "lower", "make", "move", "pad", "pass", "paste", "pick", "plot", "put",
    "rebuild", "reinstall", "remove", "replace", "rerun", "re-execute", "round", "run", "see", "select", "set",
    "shorten", "split", "store", "type", "unset", "use", "wrap",
)  # fmt: skip
_SEPARATOR = re.compile(r"; |: |\. | -- | — ")
_REMEDY = re.compile(r"\b(" + "|".join(map(re.escape, REMEDY_VERBS)) + r")\b", re.IGNORECASE)


class Missing(NamedTuple):
    """A ValueError message without a remedy: its function ("module:function"), line and text."""

    function: str
    line: int
    message: str


def has_remedy(message: str) -> bool:
    """Whether `message` starts with a remedy, or holds one after its first separator."""
    if _REMEDY.match(message.lstrip()):
        return True
    parts = _SEPARATOR.split(message, maxsplit=1)
    return len(parts) == 2 and _REMEDY.search(parts[1]) is not None


def message_text(node: ast.expr) -> str | None:
    """The text of a string literal, an f-string or a sum holding one, `{}` for each placeholder or other
    part; None for an expression with no literal text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = message_text(node.left), message_text(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    return None


class _MessageFinder(ast.NodeVisitor):
    """Collects the ValueError messages without a remedy of one module, with the function raising each."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.missing: list[Missing] = []

    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope  # noqa: N815 (ast's names)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if isinstance(exc, ast.Name) and exc.id == "ValueError":
            text: str | None = ""
        elif isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name) and exc.func.id == "ValueError":
            text = message_text(exc.args[0]) if exc.args else ""
        else:
            text = None
        if text is not None and not has_remedy(text):
            function = ".".join(self.scope) or "<module>"
            self.missing.append(Missing(f"{self.module}:{function}", node.lineno, text))
        self.generic_visit(node)


def missing_remedies(source: str, module: str) -> list[Missing]:
    """The ValueError messages without a remedy in `source`, the code of `module`."""
    finder = _MessageFinder(module)
    finder.visit(ast.parse(source))
    return finder.missing


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def missing_in_sources() -> tuple[Missing, ...]:
    """Every message without a remedy in the package and the scripts."""
    return tuple(missing for path in SOURCES for missing in missing_remedies(path.read_text(), _module_name(path)))


def test_every_value_error_message_says_what_to_do():
    bad = missing_in_sources()
    assert not bad, "ValueError messages without a remedy (add '; pass ...', ': use ...', ...):\n" + "\n".join(
        f"  {m.function} (line {m.line}): {m.message!r}" for m in bad
    )


def test_the_check_finds_a_message_without_a_remedy():
    source = """
def check_n(n):
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if n > 9:
        raise ValueError(f"n must be <= 9, got {n}; pass a smaller n")


class Table:
    def row(self, i):
        raise ValueError("pass at least one row") from None

    def column(self, j):
        raise ValueError("empty range: lo > hi")


def rebuild(problems):
    raise ValueError("; ".join(problems))  # no literal text: not read


def config(problems):
    if problems[0]:
        raise ValueError("Config: " + "; ".join(problems))
    raise ValueError("Config: " + "; ".join(problems) + ": pass values in range")
"""
    assert missing_remedies(source, "demo") == [
        Missing("demo:check_n", 4, "n must be >= 1, got {}"),
        Missing("demo:Table.column", 14, "empty range: lo > hi"),
        Missing("demo:config", 23, "Config: {}"),
    ]


@pytest.mark.parametrize(
    "message, remedy",
    [
        ("rows of weights must sum to 1 (largest error {}); pass softmax outputs over the key dimension", True),
        ("weights must be (batch, n), got {}. Select one head first, e.g. weights[:, 0]", True),
        ("expected_digest must be a SHA-256 digest, not {}: paste the output of digest(answer, salt=...)", True),
        ("pass either query_index or edge_bias, not both", True),
        ("do not pass generator here; the returned function takes it per call", True),
        ("distance must be >= 0, got {}", False),
        ("RoPE base must be > 1, got {}; the usual base is 10000.0", False),
        ("a route needs layers >= 2 (then pass reach); got {}", False),  # the verb is in the problem, not after it
        ("the table has no 'CPU time' column; update_readme_table needs it", False),  # no word is the verb "use"
        ("", False),
    ],
)
def test_what_counts_as_a_remedy(message, remedy):
    assert has_remedy(message) is remedy
