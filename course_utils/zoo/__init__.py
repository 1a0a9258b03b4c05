"""The model zoo: small models trained by the course's own code, each rebuilt by one command.

- `recipes`  the entries: `ZOO[name]` is a complete recipe (task, model, training, seed); `family_names`
             and `entry_name` find them (`family_names("kv", positional="alibi")` -> {0: "kv-alibi-s0", ...})
- `names`    how each family spells its entries' names
- `store`    how a checkpoint is stored (byte planes, xz-compressed) under `course_utils/zoo/checkpoints/`
- `build`    training an entry (`build`), loading its checkpoint (`load`; `retrain=True` trains it into
             `build/zoo/`), metrics tracked while it trains
- `trials`   experiments on more seeds whose measurements, not weights, are committed

    python -m course_utils.zoo list
    python -m course_utils.zoo build NAME [NAME ...] | --all

Notebooks use `from course_utils import zoo` and call `zoo.load(zoo.entry_name("kv", 0, positional="alibi"))`.
"""

from course_utils.zoo.build import KV_LENGTH_PAIRS, build, evaluate_entry, load, train_entry
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
    family_names,
    get_entry,
)
from course_utils.zoo.store import read_record, write_record

__all__ = [
    "DATA_SEED_BASE",
    "INDUCT_HELD_OUT",
    "KV_DILATED_PATTERNS",
    "KV_LENGTH_PAIRS",
    "KV_PI_SCALE",
    "SEEDS",
    "SI_TRAIN_LEN",
    "SI_VARIANTS",
    "ZOO",
    "ZooEntry",
    "build",
    "checkpoint_path",
    "entry_name",
    "evaluate_entry",
    "family_names",
    "get_entry",
    "load",
    "read_record",
    "train_entry",
    "write_record",
]
