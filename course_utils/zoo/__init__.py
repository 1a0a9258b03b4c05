"""The model zoo: small models trained by the course's own code, each rebuilt by one command.

- `recipes`  the entries: `ZOO[name]` is a complete recipe (task, model, training, seed); `names_by_seed`
             and `entry_name` find them (`names_by_seed("kv", positional="alibi")` -> {0: "kv-alibi-s0", ...})
- `names`    how each family spells its entries' names
- `store`    how a checkpoint is stored (byte planes, xz-compressed) under `course_utils/zoo/checkpoints/`
             (`write_checkpoint`, `read_checkpoint`)
- `training` training an entry and storing its checkpoint (`build_entry`), loading it (`load_entry`;
             `retrain=True` trains it into `build/zoo/`)
- `trackers` the metrics an entry may record while it trains (`ZooEntry.tracker`)
- `trials`   experiments on more seeds whose measurements, not weights, are committed
- `measurements` what those records hold: `measure_kv`, `measure_lm`, `measure_needle` and their lengths
- `cli`      what the command lines (`python -m course_utils.zoo`, `... .zoo.trials`) share: NAME ... or --all

    python -m course_utils.zoo list
    python -m course_utils.zoo build NAME [NAME ...] | --all

Notebooks use `from course_utils import zoo` and call `zoo.load_entry(zoo.entry_name("kv", 0, positional="alibi"))`.
"""

from course_utils.zoo.recipes import (
    DATA_SEED_BASE,
    INDUCT_HELD_OUT,
    KV_DILATED_PATTERNS,
    KV_PI_SCALE,
    SEEDS,
    SI_TRAIN_LEN,
    SI_VARIANTS,
    ZOO,
    ZooEntry,
    checkpoint_path,
    entry_name,
    get_entry,
    names_by_seed,
)
from course_utils.zoo.store import read_checkpoint, write_checkpoint
from course_utils.zoo.trackers import KV_TRACKED_N_PAIRS
from course_utils.zoo.training import build_entry, evaluate_entry, load_entry, train_entry

__all__ = [
    "DATA_SEED_BASE",
    "INDUCT_HELD_OUT",
    "KV_DILATED_PATTERNS",
    "KV_PI_SCALE",
    "KV_TRACKED_N_PAIRS",
    "SEEDS",
    "SI_TRAIN_LEN",
    "SI_VARIANTS",
    "ZOO",
    "ZooEntry",
    "build_entry",
    "checkpoint_path",
    "entry_name",
    "evaluate_entry",
    "get_entry",
    "load_entry",
    "names_by_seed",
    "read_checkpoint",
    "train_entry",
    "write_checkpoint",
]
