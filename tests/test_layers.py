"""The package's layering: core modules import no chapter module, and the package map is complete.

Imports are read with `ast` (module level and inside functions alike), so a lazy import counts.
"""

import ast
from pathlib import Path

import pytest

import course_utils

PACKAGE = Path(course_utils.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
LAYER_OF = {module: layer for layer, modules in course_utils.LAYERS.items() for module in modules}
RANK = {layer: i for i, layer in enumerate(course_utils.LAYERS)}


def _course_imports(module: str) -> set[str]:
    """The course_utils modules that `module` imports anywhere in its source."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("course_utils.")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "course_utils":
                found |= {a.name for a in node.names if a.name in MODULES}
            elif node.module.startswith("course_utils."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    return found - {module}


def test_every_module_is_in_exactly_one_layer_and_in_the_map():
    listed = [m for modules in course_utils.LAYERS.values() for m in modules]
    assert sorted(listed) == MODULES, "add new modules to course_utils.LAYERS (and the map in its docstring)"
    assert len(listed) == len(set(listed))
    for module in MODULES:
        assert f"- `{module}`" in course_utils.__doc__, f"the package map in __init__.py does not list {module}"


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_up_the_layers(module):
    """A module imports only from its own layer or an earlier one (core first)."""
    bad = {other for other in _course_imports(module) if RANK[LAYER_OF[other]] > RANK[LAYER_OF[module]]}
    assert not bad, f"{module} ({LAYER_OF[module]}) imports {sorted(bad)} from a later layer"


def test_core_imports_only_core():
    core = set(course_utils.LAYERS["core"])
    for module in core:
        assert _course_imports(module) <= core, (module, sorted(_course_imports(module) - core))


def test_core_has_no_lazy_course_imports():
    """Function-local imports hid the corpus <-> tasks cycle; the core has none left."""
    for module in course_utils.LAYERS["core"]:
        tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        lazy = [node.lineno for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                and id(node) not in top and "course_utils" in ast.unparse(node)]
        assert not lazy, f"{module}.py imports course_utils inside a function at line(s) {lazy}"
