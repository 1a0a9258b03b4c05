"""Training a zoo entry, storing its checkpoint and loading it back (with metrics tracked while it trains).

Only `python -m course_utils.zoo build` (`make zoo`) writes the committed checkpoints; a notebook's
`load_entry(NAME, retrain=True)` trains into `ZOO_RETRAIN_DIR` (`build/zoo/`, git-ignored) and loads from there.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

import torch

from course_utils.core.device import seed_everything
from course_utils.core.evaluate import target_accuracy
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.tasks import make_batch_fn
from course_utils.core.train import train
from course_utils.paths import ZOO_RETRAIN_DIR, require_checkout
from course_utils.zoo.recipes import ZooEntry, checkpoint_path, get_entry
from course_utils.zoo.store import CheckpointRecord, read_checkpoint, write_checkpoint
from course_utils.zoo.trackers import TRACKERS

#: Generator seed of `evaluate_entry`'s held-out batch (no training stream uses it).
EVAL_SEED = 12345


def train_entry(
    name: str, *, steps: int | None = None, seed: int | None = None, progress: bool = True
) -> tuple[TinyGPT, list[float]]:
    """Train entry `name` from scratch: only the first `steps` steps of its schedule (the warm-up and
    cosine decay keep the recipe's full length, so the losses match the first `steps` stored ones),
    or with another `seed` (model initialisation) to check that a result is not the luck of one seed.

    Example: it trains a model (seconds).
        >>> model, losses = train_entry("copy-s0", steps=20, progress=False)  # doctest: +SKIP
    """
    model, losses, _ = train_recipe(get_entry(name), steps=steps, seed=seed, progress=progress, record_history=False)
    return model, losses


def train_recipe(
    entry: ZooEntry,
    *,
    steps: int | None = None,
    seed: int | None = None,
    progress: bool = True,
    record_history: bool = True,
) -> tuple[TinyGPT, list[float], list[dict[str, Any]]]:
    """Train recipe `entry` (a zoo entry or a trial; the first `steps` steps of its schedule, or all); with
    `record_history`, also measure its tracker (`entry.tracker`, if any) every `entry.tracker_every` steps into
    the history it returns. It trains on one thread (`_train_on_one_thread`, so the stored losses repeat bit
    for bit) and gives the process its thread count back afterwards."""
    threads_before = torch.get_num_threads()
    try:
        return _train_on_one_thread(entry, steps=steps, seed=seed, progress=progress, record_history=record_history)
    finally:
        torch.set_num_threads(threads_before)


def _train_on_one_thread(
    entry: ZooEntry, *, steps: int | None, seed: int | None, progress: bool, record_history: bool
) -> tuple[TinyGPT, list[float], list[dict[str, Any]]]:
    """`train_recipe`'s training, which leaves the process on one thread."""
    config = entry.train_config
    seed_everything(entry.seed if seed is None else seed)
    torch.set_num_threads(1)  # not through set_threads, which lets COURSE_THREADS replace the count
    model = TinyGPT(entry.model_config())
    if entry.init_from is not None:
        model.load_state_dict(load_entry(entry.init_from, verbose=False)[1]["state_dict"])
    batch_fn = make_batch_fn(entry.task, batch_size=config.batch_size, **entry.task_kwargs)
    history: list[dict[str, Any]] = []
    callback = None
    if record_history and entry.tracker is not None:
        metric, tracker = entry.tracker, TRACKERS[entry.tracker]  # ZooEntry checked the name

        def callback(step: int, trained: torch.nn.Module) -> None:
            history.append({"step": step, metric: tracker(cast(TinyGPT, trained))})

    losses = train(
        model,
        batch_fn,
        config,
        stop_after=steps,
        progress=progress,
        desc=entry.name,
        callback=callback,
        callback_every=entry.tracker_every,
    )
    return model, losses, history


def evaluate_entry(model: TinyGPT, entry: ZooEntry, *, batch_size: int = 512) -> float:
    """The accuracy of `model` (trained on `entry`) on a fresh held-out batch of the entry's task (generator
    seed EVAL_SEED, never used in training)."""
    batch_fn = make_batch_fn(entry.task, batch_size=batch_size, **{**entry.task_kwargs, **entry.eval_kwargs})
    batch = batch_fn(torch.Generator().manual_seed(EVAL_SEED))
    return target_accuracy(model, batch.tokens, batch.targets)


def build_entry(name: str, *, progress: bool = True, directory: Path | None = None) -> Path:
    """Train entry `name` and store its checkpoint in `directory`, by default the committed one
    (`checkpoint_path(name)`, as `python -m course_utils.zoo build` does); returns the path.

    Example: it trains a model.
        >>> build_entry("copy-s0", directory=ZOO_RETRAIN_DIR)  # doctest: +SKIP
        PosixPath('.../build/zoo/copy-s0.pt.xz')
    """
    entry = get_entry(name)
    start = time.perf_counter()
    model, losses, history = train_recipe(entry, progress=progress)
    seconds = time.perf_counter() - start
    record: CheckpointRecord = {
        **entry.provenance(),
        "torch_version": str(torch.__version__),
        "losses": losses,
        "history": history,
        "accuracy": evaluate_entry(model, entry),
        "build_seconds": round(seconds, 1),
        "state_dict": model.state_dict(),  # a module shared by the blocks (a learned table) is stored once
    }
    path = checkpoint_path(name) if directory is None else directory / checkpoint_path(name).name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_checkpoint(record, path)
    return path


def _stale_keys(record: CheckpointRecord, entry: ZooEntry) -> list[str]:
    """The provenance keys on which a stored record differs from `entry`'s recipe, or which it lacks. The
    description is left out (rewording it leaves the weights as they are), and `model_config` is compared as a
    GPTConfig, so a field added to GPTConfig after the checkpoint was built takes its default.

    Example:
        >>> _stale_keys(read_checkpoint(checkpoint_path("kv-rope-s0")), get_entry("kv-rope-s1"))
        ['name', 'train_config', 'seed']
    """
    stored: dict[str, Any] = {**record, "model_config": GPTConfig(**record["model_config"]).to_dict()}
    expected: dict[str, Any] = dict(entry.provenance())
    return [key for key in expected if key != "description" and (key not in stored or stored[key] != expected[key])]


def load_entry(name: str, *, retrain: bool = False, verbose: bool = True) -> tuple[TinyGPT, CheckpointRecord]:
    """The trained model of entry `name` and its record (config, losses as a list of floats, accuracy, ...).

    Loads the committed checkpoint; `retrain=True` trains it first with the course's own code into
    `ZOO_RETRAIN_DIR` (`build/zoo/`) and loads that, leaving the committed checkpoint as it is. Without a
    committed checkpoint it loads the one in `ZOO_RETRAIN_DIR`, training it there the first time. A checkpoint
    built from another recipe (`_stale_keys`) raises a ValueError.

    Example:
        >>> model, record = load_entry("copy-s0", verbose=False)
        >>> record["accuracy"], record["train_config"]["steps"], len(record["losses"])
        (1.0, 300, 300)
    """
    entry = get_entry(name)
    path = checkpoint_path(name)
    if not retrain and not path.exists():  # no committed checkpoint: one retrained earlier, if any
        path = ZOO_RETRAIN_DIR / path.name
    if retrain or not path.exists():
        if verbose:
            print(
                f"Training zoo model {name!r} from scratch ({entry.train_config.steps} steps) into {ZOO_RETRAIN_DIR}..."
            )
        path = build_entry(name, directory=require_checkout(ZOO_RETRAIN_DIR))
    record = read_checkpoint(path)
    stale = _stale_keys(record, entry)
    if stale:
        rebuild = (
            f"zoo.load_entry({name!r}, retrain=True)"  # a stale retrain: the committed checkpoint stays
            if path.parent == ZOO_RETRAIN_DIR
            else f"python -m course_utils.zoo build {name}"
        )
        raise ValueError(
            f"checkpoint {path} was built from another recipe than `zoo.get_entry({name!r})` (keys that differ: "
            f"{', '.join(stale)}); rebuild it with `{rebuild}`"
        )
    model = TinyGPT(entry.model_config())
    model.load_state_dict(record["state_dict"])
    model.eval()
    if verbose:
        print(
            f"Loaded zoo model {name!r}: {model.num_parameters():,} parameters, "
            f"{entry.train_config.steps} training steps, held-out accuracy {record['accuracy']:.3f}"
        )
    return model, record
