"""Where files live: the checkout's folders, and a clear error when the course is not installed editable."""

import pytest

from course_utils import paths
from course_utils.chapters import real_model
from course_utils.zoo import trials

EDITABLE = r"install the course editable from its checkout \(`pip install -e \.`, as `make install` does\)"


def test_the_folders_lie_in_the_checkout():
    assert (paths.REPO_DIR / "notebooks").is_dir() and paths.CORPUS_PATH.exists()
    assert paths.RESULTS_DIR.parent == paths.REPO_DIR / "notebooks"
    assert paths.ZOO_RETRAIN_DIR.parent == paths.BUILD_DIR and not paths.ZOO_RETRAIN_DIR.is_relative_to(
        paths.PACKAGE_DIR
    )
    assert paths.require_checkout(paths.TRIALS_DIR) == paths.TRIALS_DIR


def test_results_readers_outside_a_checkout_say_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "REPO_DIR", tmp_path)  # as from site-packages: no notebooks/ beside the package
    with pytest.raises(ValueError, match=EDITABLE):
        paths.require_checkout(paths.TRIALS_DIR)
    with pytest.raises(ValueError, match=EDITABLE):
        trials.load_trial_record("kv-si-nope-s0")
    with pytest.raises(ValueError, match=EDITABLE):
        real_model.load_real_model_record()


def test_chapter_notebooks_are_the_numbered_notebooks_in_chapter_order(tmp_path):
    for name in ("02_dilution.ipynb", "01_attention.ipynb", "scratch.ipynb", "1_short.ipynb", "03_bias.py"):
        (tmp_path / name).touch()
    assert [path.name for path in paths.chapter_notebooks(tmp_path)] == ["01_attention.ipynb", "02_dilution.ipynb"]
    assert paths.chapter_notebooks() and all(path.parent == paths.NOTEBOOKS_DIR for path in paths.chapter_notebooks())
