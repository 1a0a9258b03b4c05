"""The package's `>>>` examples are doctests, and they pass.

Every module of `course_utils` is run through `doctest.testmod` (found by walking the folder, so a new
module is picked up without a change here) and must run at least one example, unless it is listed:
in `NO_EXAMPLES` (no example, with the reason) or in `ONLY_SKIPPED` (every example is marked
`# doctest: +SKIP`, because it needs a GPU, a trained model or a subprocess). A module cannot lose its
examples silently, and a listed module that gains a running example must leave its list.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import course_utils

PACKAGE = Path(course_utils.__file__).parent


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


#: Every module of the package: one without an example must be listed below, so none loses its examples silently.
MODULES = [_module_name(p) for p in sorted(PACKAGE.rglob("*.py"))]

#: Modules with no example, and why.
NO_EXAMPLES = {
    "course_utils": "the package's map",
    "course_utils.core": "a folder's docstring",
    "course_utils.chapters": "a folder's docstring",
    "course_utils.tools": "a folder's docstring",
    "course_utils.bench": "a folder's docstring",
    "course_utils.bench.__main__": "a command line (`python -m course_utils.bench`), tested in tests/test_sweep.py",
    "course_utils.zoo": "the zoo's public names, imported from its modules (whose examples run there)",
    "course_utils.zoo.__main__": "a command line (`python -m course_utils.zoo`), tested in tests/test_zoo.py",
}

#: Modules whose every example is `# doctest: +SKIP`, and why.
ONLY_SKIPPED = {
    "course_utils.chapters.circuits": "every example needs a trained zoo model",
    "course_utils.chapters.distractors": "every example needs a trained needle model",
    "course_utils.chapters.pretrained": "every example needs all-MiniLM-L6-v2's weights loaded",
    "course_utils.core.task_accuracy": "every example needs a trained model",
    "course_utils.tools.live_output": "every example runs a notebook's subprocess",
}


def test_the_lists_name_real_modules():
    assert set(NO_EXAMPLES) | set(ONLY_SKIPPED) <= set(MODULES), (
        f"not modules of the package: {(set(NO_EXAMPLES) | set(ONLY_SKIPPED)) - set(MODULES)}"
    )


@pytest.mark.parametrize("module", MODULES)
def test_doctests_pass(module: str):
    imported = importlib.import_module(module)
    examples = sum(len(test.examples) for test in doctest.DocTestFinder().find(imported))
    if module in NO_EXAMPLES:
        assert examples == 0, f"{module} now has examples: remove it from NO_EXAMPLES"
        return
    assert examples > 0, f"{module} has no docstring example: add one, or list it in NO_EXAMPLES with the reason"
    result = doctest.testmod(imported, optionflags=doctest.ELLIPSIS, verbose=False)
    if module in ONLY_SKIPPED:
        assert result.attempted == 0, f"{module} now runs an example: remove it from ONLY_SKIPPED"
    else:
        assert result.attempted > 0, f"{module}: every example is skipped; list it in ONLY_SKIPPED with the reason"
    assert result.failed == 0, f"{module}: {result.failed} of {result.attempted} doctests failed (output above)"
