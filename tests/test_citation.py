"""CITATION.cff (how to cite the course; GitHub's "Cite this repository" reads it) agrees with the package."""

import tomllib
from pathlib import Path

import yaml

import course_utils

REPO = Path(__file__).resolve().parents[1]


def test_citation_agrees_with_pyproject_and_the_package_version():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation["version"] == course_utils.__version__, "CITATION.cff's version is course_utils.__version__"
    assert citation["repository-code"] == project["urls"]["Repository"]
    assert citation["authors"] == project["authors"], "CITATION.cff and pyproject.toml name the same authors"
    assert project["description"].startswith(citation["title"] + ":"), "the package's description starts with the title"


def test_the_readme_credit_line_points_to_the_citation():
    assert "[CITATION.cff](CITATION.cff)" in (REPO / "README.md").read_text(encoding="utf-8")
