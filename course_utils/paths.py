"""Where the course keeps its files: the shipped data, the zoo's checkpoints and the stored results.

The results live in the checkout (`notebooks/results/`), beside the notebooks that read them, so the
course is installed editable (`pip install -e .`, as `make install` does).
"""

from pathlib import Path

#: The package folder, `course_utils/`.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository checkout that holds the package, the notebooks and their results.
REPO_DIR = PACKAGE_DIR.parent
#: The shipped text corpus of the "text" task (Python standard-library documentation).
CORPUS_PATH = PACKAGE_DIR / "data" / "corpus.txt"
#: The zoo's committed checkpoints, `NAME.pt.xz`.
CHECKPOINT_DIR = PACKAGE_DIR / "zoo" / "checkpoints"
#: Measurements the notebooks read: recorded benchmarks (`*_<device>.csv`) and records.
RESULTS_DIR = REPO_DIR / "notebooks" / "results"
#: The wider trials' measurements (`course_utils.zoo.trials`), one JSON file per trial.
TRIALS_DIR = RESULTS_DIR / "trials"
#: all-MiniLM-L6-v2's measured record (`course_utils.chapters.real_model`).
REAL_MODEL_RECORD = RESULTS_DIR / "real_model.json"
