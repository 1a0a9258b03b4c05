"""The package's one-line docstring examples, `` Example: `EXPR` -> RESULT ``, are run and checked.

Every docstring of `course_utils` (module, class, function; read with `ast`) is searched from each
"Example:" to the end of its paragraph for `` `EXPR` -> RESULT `` pairs. A pair is checked when
  * EXPR is an expression that uses only names its module defines or imports (and `torch`), so an
    example about a trained `model` or a `batch` the reader has at hand is left out;
  * RESULT is a value written out: a Python literal, `tensor([...])`, `torch.float32`, arithmetic on
    numbers (`4 * 2048**2`), optionally after "about" (then it holds to one unit of its last printed
    digit) and before a parenthetical remark; nothing elided ("...") and no words after it (a result
    "on an H100" depends on the machine).
EXPR is evaluated in its module's namespace and compared with RESULT: `==` for strings and integers,
to the printed precision for floats, element by element for tensors. `test_enough_examples_are_checked`
keeps the number checked above a floor, so the test cannot silently check nothing.
The `>>>` examples (course_utils/tools/quiz.py) are doctests: tests/test_doctests.py runs them.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import torch

import course_utils

PACKAGE = Path(course_utils.__file__).parent
#: An example whose EXPR calls one of these is not run, for the reason given.
NOT_RUN = {
    "spawn": "starts torch.distributed worker processes",
    "build": "trains a zoo model",
    "load_minilm": "loads a 90 MB pretrained model (tests/test_pretrained.py checks its embeddings)",
}
#: At least this many examples are checked (64 of the 84 `-> RESULT` pairs were when this was set).
MIN_CHECKED = 55

_PAIR = re.compile(r"`([^`]+)`\s*->\s*(.+?)(?=;\s|;$|$)", re.MULTILINE)
_RESULT_NAMES = {"tensor", "torch", "inf", "nan", "True", "False", "None"}


@dataclass(frozen=True)
class Example:
    module: str
    line: int
    expr: str
    result: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: `{self.expr}` -> {self.result}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _example_blocks(doc: str) -> list[tuple[int, str]]:
    """(offset in lines, text) of each paragraph part that starts at "Example:"."""
    blocks = []
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if "Example:" not in line:
            continue
        text = [line[line.index("Example:") :]]
        for nxt in lines[i + 1 :]:
            if not nxt.strip() or "Example:" in nxt:
                break
            text.append(nxt)
        blocks.append((i, "\n".join(text)))
    return blocks


def _examples() -> list[Example]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            doc = ast.get_docstring(node)
            if not doc:
                continue
            first = node.body[0].lineno if node.body else 0
            for offset, block in _example_blocks(doc):
                for match in _PAIR.finditer(block):
                    result = match.group(2).strip()
                    found.append(Example(_module_name(path), first + offset, match.group(1).strip(), result))
    return found


def _free_names(tree: ast.AST) -> set[str]:
    """Names an expression reads that it does not bind itself (lambda arguments, comprehension targets)."""
    bound = {a.arg for node in ast.walk(tree) if isinstance(node, ast.Lambda) for a in node.args.args}
    bound |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def _called_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


@dataclass(frozen=True)
class Expected:
    value: object
    about: bool  # "about X": X to one unit of its last printed digit
    text: str  # the RESULT as written, for float precision


def _expected(result: str) -> Expected | None:
    """RESULT as a value, or None when it is not a value written out (see the module docstring)."""
    text = result.rstrip(".").strip()
    if "..." in text or "…" in text:
        return None
    about = text.startswith("about ")
    text = text.removeprefix("about ").strip()
    candidates = [text]
    if text.endswith(")") and " (" in text:
        candidates.append(text[: text.rindex(" (")].strip())  # a closing remark: "4 (a, b, c and BOS)"
    for candidate in candidates:
        try:
            tree = ast.parse(candidate, mode="eval")
        except SyntaxError:
            continue
        if _free_names(tree) - _RESULT_NAMES:
            continue
        namespace = {"tensor": torch.tensor, "torch": torch, "inf": math.inf, "nan": math.nan}
        return Expected(eval(compile(tree, "<result>", "eval"), namespace), about, candidate)
    return None


def _decimals(number_text: str) -> int:
    exponent = Decimal(number_text).as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def _numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)


def _matches(value: object, expected: Expected) -> bool:
    want = expected.value
    if isinstance(want, torch.Tensor) or (isinstance(value, torch.Tensor) and isinstance(want, (list, int, float))):
        if not isinstance(value, torch.Tensor):
            return False
        want_t = torch.as_tensor(want, dtype=value.dtype if value.is_floating_point() else None)
        if value.shape != want_t.shape:
            return False
        if not value.is_floating_point():
            return torch.equal(value, want_t.to(value.dtype))
        return torch.allclose(value.double(), want_t.double(), rtol=0, atol=_tolerance(expected))
    if isinstance(want, float) or (isinstance(want, int) and isinstance(value, float)):
        return isinstance(value, (int, float)) and math.isclose(value, want, rel_tol=1e-9, abs_tol=_tolerance(expected))
    if isinstance(want, list | tuple) and isinstance(value, torch.Size):
        return tuple(value) == tuple(want)
    return value == want


def _tolerance(expected: Expected) -> float:
    """Half a unit of the last printed digit (a whole unit after "about"); 0 for an expression like 4 * 2**10.
    A `tensor(...)` is printed to 4 decimals at least (torch drops trailing zeros: `tensor([0., 1.])`)."""
    numbers = _numbers(expected.text)
    if not numbers or not re.fullmatch(r"[\s\w.,\[\]()\-]*", expected.text):
        return 0.0
    decimals = max(_decimals(n) for n in numbers)
    if expected.text.startswith("tensor(") and not expected.about:
        decimals = max(decimals, 4)
    return (1.0 if expected.about else 0.5) * 10.0**-decimals


def _classify(example: Example) -> tuple[str, Expected | None, str]:
    """("check", expected, "") or ("skip", None, why)."""
    try:
        tree = ast.parse(example.expr, mode="eval")
    except SyntaxError:
        return "skip", None, "EXPR is not one expression"
    if "..." in example.expr:
        return "skip", None, "EXPR is elided"
    if "cuda" in example.expr:
        return "skip", None, "needs a GPU"
    namespace = vars(importlib.import_module(example.module))
    unknown = _free_names(tree) - set(namespace) - {"torch"} - set(dir(builtins))
    if unknown:
        return "skip", None, f"uses {sorted(unknown)}, which the reader has at hand"
    costly = _called_names(tree) & set(NOT_RUN)
    if costly:
        return "skip", None, NOT_RUN[sorted(costly)[0]]
    expected = _expected(example.result)
    if expected is None:
        return "skip", None, "RESULT is a description, not a value"
    return "check", expected, ""


EXAMPLES = _examples()
CHECKED = [(e, c[1]) for e in EXAMPLES if (c := _classify(e))[0] == "check"]


@pytest.mark.parametrize(("example", "expected"), CHECKED, ids=[str(e) for e, _ in CHECKED])
def test_docstring_example_gives_its_result(example: Example, expected: Expected):
    namespace = {"torch": torch, **vars(importlib.import_module(example.module))}
    value = eval(example.expr, namespace)
    assert _matches(value, expected), f"{example}\n  gives {value!r}"


def test_enough_examples_are_checked(capsys):
    skipped = [(e, _classify(e)[2]) for e in EXAMPLES if _classify(e)[0] == "skip"]
    with capsys.disabled():
        print(f"\ndocstring examples: {len(EXAMPLES)} `EXPR` -> RESULT pairs, {len(CHECKED)} checked")
    assert len(CHECKED) >= MIN_CHECKED, (
        f"only {len(CHECKED)} docstring examples are checked (floor {MIN_CHECKED}); not checked:\n"
        + "\n".join(f"  {e}  [{why}]" for e, why in skipped)
    )
