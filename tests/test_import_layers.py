"""The package's layering, read from its folders: core imports only core (and paths), chapters and zoo
import core, tools may import anything, and the package map in `__init__.py` names every module.

Imports are read with `ast` (module level and inside functions alike), so a lazy import counts.
"""

import ast
from pathlib import Path

import pytest

import course_utils

PACKAGE = Path(course_utils.__file__).parent
#: module name ("core.attention", "paths", "zoo") -> its file
FILES = {
    ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"): p
    for p in sorted(PACKAGE.rglob("*.py"))
    if p != PACKAGE / "__init__.py"
}
#: which layers each layer may import from (its own included)
ALLOWED = {
    "paths": {"paths"},
    "core": {"paths", "core"},
    "chapters": {"paths", "core", "chapters"},
    "zoo": {"paths", "core", "zoo"},
    "tools": {"paths", "core", "chapters", "zoo", "tools"},
}


def _layer(module: str) -> str:
    return module.split(".")[0]


def _course_imports(path: Path) -> set[str]:
    """The course modules (as "layer.module") that the file imports anywhere in its source."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.removeprefix("course_utils.") for a in node.names if a.name.startswith("course_utils.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("course_utils"):
            assert node.level == 0, f"{path}: use absolute imports (from course_utils.core... import ...)"
            base = node.module.removeprefix("course_utils").lstrip(".")
            for alias in node.names:
                name = f"{base}.{alias.name}" if base else alias.name
                found.add(name if name in FILES else base)
    return {m for m in found if m}


def test_the_layers_are_the_folders():
    assert set(course_utils.LAYERS) == {
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() or p.is_dir() and any(p.glob("*.py"))
    }
    assert {_layer(m) for m in FILES} == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(FILES))
def test_imports_stay_in_allowed_layers(module):
    bad = {other for other in _course_imports(FILES[module]) if _layer(other) not in ALLOWED[_layer(module)]}
    assert not bad, f"{module} ({_layer(module)}) imports {sorted(bad)}, outside {sorted(ALLOWED[_layer(module)])}"


def test_core_has_no_lazy_course_imports():
    """A function-local import can hide a cycle; the core has none."""
    for module, path in FILES.items():
        if _layer(module) != "core":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        lazy = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            and id(node) not in top
            and "course_utils" in ast.unparse(node)
        ]
        assert not lazy, f"{module} imports course_utils inside a function at line(s) {lazy}"


@pytest.mark.parametrize("module", sorted(FILES))
def test_every_module_says_what_it_is_for_and_is_on_the_map(module):
    doc = ast.get_docstring(ast.parse(FILES[module].read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"{module} has no module docstring saying what it is for"
    short = module.split(".")[-1]
    if module not in {*course_utils.LAYERS, "paths", "zoo.__main__"}:
        assert f"- `{short}`" in course_utils.__doc__, (
            f"the package map in course_utils/__init__.py does not list {short}"
        )
