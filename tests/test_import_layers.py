"""The package's layering: every import stays within the layers `course_utils.ALLOWED_IMPORTS` allows
(the rule is written there, once), the rule and the modules' imports have no cycle, the layers are the
folders, and the package map in `__init__.py` lists every module under its own folder.

Imports are read with `ast` (module level and inside functions alike), so a lazy import counts.
"""

import ast
from graphlib import CycleError, TopologicalSorter
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
#: which layers each layer may import from (its own included), as the package states it
ALLOWED = {layer: set(allowed) for layer, allowed in course_utils.ALLOWED_IMPORTS.items()}


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
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.glob("*.py"))}
    assert set(course_utils.LAYERS) == folders
    assert {_layer(m) for m in FILES} == set(ALLOWED)


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle in `graph` (node -> the nodes it imports), each node importing the next, the first repeated last.

    Returns [] when there is none. graphlib lists a cycle in dependency order, hence the reversal.
    """
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return error.args[1][::-1]
    return []


def test_the_rule_is_a_layering():
    """Every layer may import itself and paths, and the layers have an order: no cycle of any length."""
    for layer, allowed in ALLOWED.items():
        assert {layer, "paths"} <= allowed, f"{layer} must be allowed to import itself and paths"
    cycle = _cycle({layer: allowed - {layer} for layer, allowed in ALLOWED.items()})
    assert not cycle, f"the layers may import each other in a cycle: {' -> '.join(cycle)}"


def test_no_import_cycle_between_modules():
    """No module imports itself through others, within a layer or across (lazy imports included)."""
    cycle = _cycle({module: _course_imports(path) for module, path in FILES.items()})
    assert not cycle, f"modules import each other in a cycle: {' -> '.join(cycle)}"


def _map_sections() -> dict[str, str]:
    """The package map in course_utils/__init__.py, cut at its "core/:", "chapters/:", ... headings."""
    doc = course_utils.__doc__ or ""
    sections: dict[str, str] = {}
    current = None
    for line in doc.splitlines():
        heading = line.split("/:", 1)[0] if "/:" in line and not line.startswith((" ", "-")) else None
        if heading in course_utils.LAYERS:
            current = heading
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


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
    if module not in {*course_utils.LAYERS, "paths"} and not module.endswith(".__main__"):  # a package's command
        layer, short = module.split(".", 1)
        section = _map_sections().get(layer, "")
        assert f"\n- `{short}` " in "\n" + section, (
            f"the package map in course_utils/__init__.py does not list {short} under {layer}/"
        )


def test_core_model_and_data_do_not_import_each_other():
    from course_utils.core import GROUPS

    group_of = {f"core.{m}": group for group, modules in GROUPS.items() for m in modules}
    core_modules = {m for m in FILES if _layer(m) == "core" and m != "core"}
    assert set(group_of) == core_modules, "put every core module in exactly one of course_utils.core.GROUPS"
    assert sum(len(modules) for modules in GROUPS.values()) == len(group_of)
    for module, group in group_of.items():
        if group == "run":
            continue
        crossing = {m for m in _course_imports(FILES[module]) if group_of.get(m, group) != group}
        assert not crossing, f"{module} ({group}) imports {sorted(crossing)} from another core group"
