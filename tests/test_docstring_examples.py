"""The package's docstring examples: every `` Example: `EXPR` -> RESULT `` is run and checked, or listed.

Every docstring of `course_utils` (module, class, function; read with `ast`) is searched from each
"Example:" to the end of its paragraph for `` `EXPR` -> RESULT `` pairs. Each pair is either
- checked: EXPR is an expression that uses only names its module defines or imports (and `torch`;
  `EXTRA_NAMESPACES` adds a module where a docstring documents a name defined elsewhere), and RESULT
  is a value written out: a Python literal, `tensor([...])`, `torch.float32`, arithmetic on numbers
  (`4 * 2048**2`), optionally after "about" (then it holds to one unit of its last printed digit) and
  before a parenthetical remark; or
- listed in `SKIPPED` with the reason it is not run (a GPU, a trained model, a description as RESULT).
A pair that is neither fails, and so does an entry of `SKIPPED` that matches no pair: an example
cannot drop out silently when a name it uses is renamed or its RESULT is reworded.
EXPR is evaluated in its module's namespace and compared with RESULT: `==` for strings and integers,
to the printed precision for floats, element by element for tensors.
An example without `-> RESULT` is for pasting, not checking (it needs a trained `model`, a `batch`);
every function it calls by name must still exist in the package, in `torch` or the builtins, be bound
in the same example, or be in `READER_CALLABLES`, so a renamed function fails here too.
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
#: The pairs not run, by (module, EXPR), with the reason.
SKIPPED = {
    ("course_utils.chapters.bench", 'score_budget(torch.device("cuda"))'): "needs a GPU",
    ("course_utils.chapters.bench_results", 'device_name("cuda")'): "needs a GPU",
    ("course_utils.chapters.bench_results", 'device_slug("cuda")'): "needs a GPU",
    ("course_utils.chapters.bench_results", 'recorded_results("results", "bench")'): "RESULT is a GPU's CSV file",
    (
        "course_utils.chapters.distributed_cost",
        'paper_row(2**30, 512)["dilated_memory"] / 2**30',
    ): "RESULT is a unit, not a value",
    (
        "course_utils.chapters.distributed_runs",
        "max(spawn(exactness_check, 2)[0].values())",
    ): "starts torch.distributed worker processes (tests/test_distributed_runs.py)",
    (
        "course_utils.chapters.pretrained",
        'enc = load_minilm(); enc.embed(["attention is all you need"]).shape',
    ): "loads a 90 MB pretrained model (tests/test_pretrained.py checks its embeddings)",
    (
        "course_utils.chapters.pretrained",
        'load_minilm().embed(["a sentence"])',
    ): "loads a 90 MB pretrained model (tests/test_pretrained.py checks its embeddings)",
    (
        "course_utils.chapters.traffic",
        "count_traffic(attention, q, k, v).peak_live / (4 * n * n)",
    ): "needs the reader's q, k and v",
    (
        "course_utils.chapters.traffic",
        "saved_for_backward_bytes(lambda q, k, v: attention(q, k, v)[0], q, k, v)",
    ): "needs the reader's q, k and v; RESULT is a formula",
    (
        "course_utils.core.evaluate",
        "forward_in_rows(model, batch.tokens, 64, keep=lambda logits, rows: logits[:, -1])",
    ): "needs a trained model; RESULT is a shape",
    ("course_utils.core.evaluate", "accuracy_by_query_index(model, 16, per_index=32)"): "needs a trained model",
    ("course_utils.core.tasks", "_filler_gaps(2, 3, 1, 2, 0, g)"): "needs the reader's generator g",
    ("course_utils.tools.plotting", "describe_figure(plot_curves(...))"): "EXPR is elided",
    (
        "course_utils.zoo.training",
        'build("copy-rope-2l", directory=ZOO_RETRAIN_DIR)',
    ): "trains a zoo model; RESULT is elided",
    ("course_utils.zoo.trials", 'trial_names("kv-si-nope")'): "RESULT is elided",
    ("course_utils.zoo.trials", 'record_path("kv-si-nope-s0")'): "RESULT is elided",
}
#: Modules whose names a module's examples may also use, with the reason.
EXTRA_NAMESPACES = {
    "course_utils.core.batch": ("course_utils.core.tasks", "the Vocab base class documents its subclasses"),
}
#: Functions an example calls that the reader defines or imports from elsewhere, with what they are.
READER_CALLABLES = {
    "f": "the reader's function being measured",
    "model": "the reader's trained TinyGPT, called on tokens",
    "flex_attention": "torch.nn.attention.flex_attention, imported where a GPU has it",
}

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


def _blocks() -> list[tuple[str, int, str]]:
    """(module, line, text) of every "Example:" paragraph part in the package's docstrings."""
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
            found += [(_module_name(path), first + offset, block) for offset, block in _example_blocks(doc)]
    return found


def _examples() -> list[Example]:
    return [
        Example(module, line, match.group(1).strip(), match.group(2).strip())
        for module, line, block in BLOCKS
        for match in _PAIR.finditer(block)
    ]


def _free_names(tree: ast.AST) -> set[str]:
    """Names an expression reads that it does not bind itself (lambda arguments, comprehension targets)."""
    bound = {a.arg for node in ast.walk(tree) if isinstance(node, ast.Lambda) for a in node.args.args}
    bound |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


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


def _namespace(module: str) -> dict[str, object]:
    """The names an example of `module` may use: torch, then `EXTRA_NAMESPACES`' module, then its own."""
    namespace: dict[str, object] = {"torch": torch}
    if module in EXTRA_NAMESPACES:
        namespace.update(vars(importlib.import_module(EXTRA_NAMESPACES[module][0])))
    return {**namespace, **vars(importlib.import_module(module))}


def _check(example: Example) -> tuple[Expected | None, str]:
    """(expected value, "") for a pair this harness can run, else (None, why not)."""
    try:
        tree = ast.parse(example.expr, mode="eval")
    except SyntaxError:
        return None, "EXPR is not one expression"
    if "..." in example.expr:
        return None, "EXPR is elided"
    unknown = _free_names(tree) - set(_namespace(example.module)) - set(dir(builtins))
    if unknown:
        return None, f"uses {sorted(unknown)}, which its module neither defines nor imports"
    expected = _expected(example.result)
    if expected is None:
        return None, "RESULT is a description, not a value"
    return expected, ""


BLOCKS = _blocks()
EXAMPLES = _examples()
RUN = [e for e in EXAMPLES if (e.module, e.expr) not in SKIPPED]


@pytest.mark.parametrize("example", RUN, ids=[str(e) for e in RUN])
def test_docstring_example_gives_its_result(example: Example):
    expected, why = _check(example)
    if expected is None:
        pytest.fail(f"{example}\n  cannot be checked: {why}; make it runnable or add it to SKIPPED with a reason")
    value = eval(example.expr, _namespace(example.module))
    assert _matches(value, expected), f"{example}\n  gives {value!r}"


def test_skipped_lists_only_pairs_the_package_has(capsys):
    """Each `SKIPPED` entry is a pair found in the package, so the list cannot outlive its examples."""
    found = {(e.module, e.expr) for e in EXAMPLES}
    stale = sorted(set(SKIPPED) - found)
    assert not stale, f"SKIPPED lists pairs no docstring has (renamed or reworded?): {stale}"
    with capsys.disabled():
        print(f"\ndocstring examples: {len(EXAMPLES)} `EXPR` -> RESULT pairs, {len(RUN)} run, {len(SKIPPED)} skipped")


_SPAN = re.compile(r"`([^`]+)`")
_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")
_ASSIGNED = re.compile(r"(?:^|;)\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=(?!=)")


def _called_and_bound(code: str) -> tuple[set[str], set[str]]:
    """Names `code` calls directly and names it binds; a fragment that is not Python is read by pattern."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        targets = ",".join(_ASSIGNED.findall(code))
        return set(_CALL.findall(code)), {name.strip() for name in targets.split(",") if name.strip()}
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return called, bound


def test_every_function_an_example_calls_exists():
    """A renamed function fails here, in the examples that are not run as well."""
    known = set(dir(builtins)) | set(dir(torch)) | set(READER_CALLABLES)
    for module in sorted({module for module, _, _ in BLOCKS}):
        known |= set(vars(importlib.import_module(module)))
    missing = []
    for module, line, block in BLOCKS:
        spans = _SPAN.findall(block)
        calls, bound = set(), set()
        for span in spans:
            called, binds = _called_and_bound(span)
            calls |= called
            bound |= binds
        missing += [f"{module}:{line}: {name}" for name in sorted(calls - known - bound)]
    assert not missing, "examples call functions the package no longer has:\n  " + "\n  ".join(missing)
