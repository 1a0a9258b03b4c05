"""CITATION.cff (how to cite the course; GitHub's "Cite this repository" reads it) agrees with the package."""

import tomllib
from pathlib import Path

import yaml

import course_utils

REPO = Path(__file__).resolve().parents[1]


def test_citation_names_the_course_its_version_and_repository():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "software"
    assert citation["title"] == "Long-Context Attention, from Scratch"
    assert citation["authors"] == [{"name": "The Long-Context Attention course authors"}]
    assert citation["license"] == "MIT"
    assert citation["version"] == course_utils.__version__, "CITATION.cff's version is course_utils.__version__"
    assert citation["repository-code"] == project["urls"]["Repository"]


def test_the_readme_credit_line_points_to_the_citation():
    assert "[CITATION.cff](CITATION.cff)" in (REPO / "README.md").read_text(encoding="utf-8")
