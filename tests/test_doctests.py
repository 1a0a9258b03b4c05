"""The package's `>>>` examples are doctests, and they pass.

Every module of `course_utils` whose docstrings hold a `>>>` line is run through `doctest.testmod`
(found with `ast`, so a new module with doctests is picked up without a change here). An example
that needs a GPU, a trained model or a subprocess is marked `# doctest: +SKIP`; its module must still
hold at least one example, so a module cannot lose its examples silently.
"""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

import course_utils

PACKAGE = Path(course_utils.__file__).parent


def _has_doctest(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node)
            if doc and any(line.lstrip().startswith(">>>") for line in doc.splitlines()):
                return True
    return False


MODULES = [
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    for p in sorted(PACKAGE.rglob("*.py"))
    if _has_doctest(p)
]


def test_the_doctests_are_found():
    assert "course_utils.tools.quiz" in MODULES, f"modules with >>> examples: {MODULES}"


@pytest.mark.parametrize("module", MODULES)
def test_doctests_pass(module: str):
    imported = importlib.import_module(module)
    examples = sum(len(test.examples) for test in doctest.DocTestFinder().find(imported))
    assert examples > 0, f"{module}: it has >>> lines but doctest found no example"
    result = doctest.testmod(imported, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{module}: {result.failed} of {result.attempted} doctests failed (output above)"
