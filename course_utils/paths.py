"""Where the course keeps its files: the shipped data, the zoo's checkpoints and the stored results.

The results live in the checkout (`notebooks/results/`), beside the notebooks that read them, so the
course is installed editable (`pip install -e .`, as `make install` does); `require_checkout` checks it for the
code that reads or writes there.
"""

from pathlib import Path

#: The package folder, `course_utils/`.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository checkout that holds the package, the notebooks and their results.
REPO_DIR = PACKAGE_DIR.parent
#: The teacher notebooks, `NN_name.ipynb`, each paired with its `NN_name.py`.
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
#: The self-study student editions, `NN_name.ipynb`, generated from the teacher notebooks by `make student`.
STUDENT_DIR = REPO_DIR / "student"
#: The graded student editions (visible checks test the form only), generated beside them by `make student`.
GRADED_DIR = REPO_DIR / "graded"
#: A chapter notebook's name: two digits, an underscore (`01_attention_from_scratch.ipynb`).
CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"
#: The shipped text corpus of the "text" task (Python standard-library documentation).
CORPUS_PATH = PACKAGE_DIR / "data" / "corpus.txt"
#: The zoo's committed checkpoints, `NAME.pt.xz`.
CHECKPOINT_DIR = PACKAGE_DIR / "zoo" / "checkpoints"
#: Measurements the notebooks read: recorded benchmarks (`*_<device>.csv`) and records.
RESULTS_DIR = NOTEBOOKS_DIR / "results"
#: The wider trials' measurements (`course_utils.zoo.trials`), one JSON file per trial.
TRIALS_DIR = RESULTS_DIR / "trials"
#: all-MiniLM-L6-v2's measured record (`course_utils.chapters.real_model`).
REAL_MODEL_RECORD = RESULTS_DIR / "real_model.json"
#: Files the course makes and does not commit (git-ignored): the book, zoo models retrained by a notebook.
BUILD_DIR = REPO_DIR / "build"
#: Where `zoo.load_entry(NAME, retrain=True)` trains a checkpoint, `NAME.pt.xz`: outside the package, so a
#: notebook never overwrites a committed one (only `python -m course_utils.zoo build` writes `CHECKPOINT_DIR`).
ZOO_RETRAIN_DIR = BUILD_DIR / "zoo"


def chapter_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The chapter notebooks `NN_name.ipynb` in `folder` (the teacher notebooks by default), in chapter order.

    Example:
        >>> chapter_notebooks()[0].name
        '01_attention_from_scratch.ipynb'
    """
    return sorted(folder.glob(CHAPTER_GLOB))


def require_checkout(path: Path) -> Path:
    """`path`, a place in the repository checkout, once the course is known to run from its checkout.

    The results and the build folder live beside the notebooks, not in the package; an installed copy
    (site-packages) has no checkout around it, so a ValueError says what to do instead.

    Example:
        >>> require_checkout(TRIALS_DIR / "kv-si-nope-s0.json").relative_to(REPO_DIR).as_posix()
        'notebooks/results/trials/kv-si-nope-s0.json'
    """
    if not (REPO_DIR / "notebooks").is_dir():
        raise ValueError(
            f"{path} belongs to the course's checkout, but course_utils runs from {PACKAGE_DIR}, which is not "
            "in one: install the course editable from its checkout (`pip install -e .`, as `make install` does)"
        )
    return path
