"""Write environment.yml, the course's conda environment, from pyproject.toml's pins (`make lock` runs it).

environment.yml describes the environment `make install` makes, for conda and Binder: Python at
pyproject's `requires-python` minimum, then pip with pyproject's pins exactly as written there (the
run-time dependencies, then the dev extra), except torch, which is constraints.txt's exact CPU build from
PyTorch's CPU index. tests/test_environment.py checks that the committed file is what this script writes.
It needs only the standard library, so it runs offline with any Python 3.11+.

    python scripts/make_environment_yml.py
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Where the CPU build of torch comes from (the Makefile's TORCH_INDEX on Linux).
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"

TEMPLATE = """\
# conda env create -f environment.yml && conda activate long-context-attention
# Written by `make lock` (scripts/make_environment_yml.py): change a pin in pyproject.toml, not here.
# The environment `make install` makes: pyproject.toml's pins, the run-time dependencies and then the dev
# extra (tests, lint, book), with torch at constraints.txt's CPU build (tests/test_environment.py checks).
# torch comes from PyTorch's CPU index (a CPU build: Binder builds the course from this file);
# on a CUDA machine, drop the index and torch lines and install torch from the PyTorch index first.
name: long-context-attention
channels:
  - conda-forge
dependencies:
  - python={python}
  - pip
  - pip:
      - --extra-index-url {torch_index}
      # run time ([project.dependencies])
{runtime}
      # tests, lint and book ([project.optional-dependencies] dev)
{dev}
      - -e .[dev]
"""


def locked_torch(constraints: str) -> str:
    """constraints.txt's torch line, `torch==X.Y.Z`: the exact build environment.yml installs."""
    match = re.search(r"^torch==\S+$", constraints, flags=re.MULTILINE)
    if match is None:
        raise ValueError(
            "constraints.txt has no `torch==X.Y.Z` line; add the torch version the stored outputs were made with"
        )
    return match.group()


def _package(requirement: str) -> str:
    """The package a requirement names: `torch` for `torch>=2.4`."""
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]


def environment_yml(pyproject: dict[str, Any], torch_pin: str) -> str:
    """The text of environment.yml, from pyproject.toml's parsed table and constraints.txt's torch line."""
    project = pyproject["project"]
    runtime = [torch_pin if _package(req) == "torch" else req for req in project["dependencies"]]
    dev = project["optional-dependencies"]["dev"]
    return TEMPLATE.format(
        python=project["requires-python"].removeprefix(">="),
        torch_index=TORCH_INDEX,
        runtime="\n".join(f"      - {req}" for req in runtime),
        dev="\n".join(f"      - {req}" for req in dev),
    )


def main() -> None:
    """Rewrite environment.yml at the repository root."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        pyproject = tomllib.load(f)
    torch_pin = locked_torch((ROOT / "constraints.txt").read_text(encoding="utf-8"))
    (ROOT / "environment.yml").write_text(environment_yml(pyproject, torch_pin), encoding="utf-8")
    print(f"wrote {ROOT / 'environment.yml'}")


if __name__ == "__main__":
    main()
