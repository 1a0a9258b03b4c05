"""Trials: training experiments whose measurements, not their weights, are committed.

A zoo checkpoint costs hundreds of kilobytes, and all the files the repository tracks must stay under
60 MB together (`tests/test_zoo.py` checks both). A trial is a zoo-style recipe (a `ZooEntry`, trained by
the zoo's own code) whose model only serves one measurement: the record stored in
`notebooks/results/trials/NAME.json` holds the recipe, the first training losses (provenance:
`tests/test_trials.py` retrains those steps and compares), the loss curve, the build time and the
measurements the notebooks plot. Rebuild any record with one command:

    python -m course_utils.zoo.trials list
    python -m course_utils.zoo.trials run NAME [NAME ...] | --all
    python -m course_utils.zoo.trials measure NAME [NAME ...] | --all

`measure` stores the same measurements of committed zoo models (`MEASURED_ZOO`), for evaluations too
slow for a notebook (all 13 pair counts of the kv models, notebook 08's evaluation of 18 language
models at 1024 tokens); `tests/test_trials.py` recomputes part of them and compares.

Families (three seeds each, like the zoo's):

- `kv-rope-dilated-long-s*`  notebook 07: the dilated kv model trained 3000 more steps, a second pass over
  the same 3000 batches (6000 steps in all)
- `kv-rope-dilated-3l-s*`    notebook 07: the dilated kv recipe with 3 layers
- `si-lm-dilated-s*`         notebook 07: notebook 08's RoPE character LM with dilated attention
- `si-lm-si-prope3of8-s*`    notebook 08: scale-invariant + p-RoPE keeping 3 of 8 frequencies
- `si-lm-si-offset-s*`       notebook 08: NoPE with the offset m_t only
- `si-lm-si-multiplier-s*`   notebook 08: NoPE with the multiplier a_t only
- `kv-si-nope-s*`            notebook 09: the kv recipe with scale-invariant attention and no positions
- `si-needle-<variant>-s*`   notebook 08: needle retrieval on 64-token sequences for each attention variant
  (zoo recipes whose checkpoints do not fit the size budget)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypedDict, cast, final

import torch

from course_utils.core.model import TinyGPT
from course_utils.core.records import read_json, round_floats, write_json
from course_utils.paths import TRIALS_DIR, require_checkout
from course_utils.zoo.cli import add_names_command, chosen_names
from course_utils.zoo.measurements import measure_kv, measure_lm, measure_needle
from course_utils.zoo.names import TRIAL_NAME_RULES, format_entry_name, kv_name, si_lm_name
from course_utils.zoo.recipes import (
    KV_DILATED_PATTERNS,
    SEEDS,
    SI_VARIANTS,
    ZooEntry,
    derive_entry,
    entries_by_name,
    kv_dilated_entry,
    kv_entry,
    names_by_seed,
    si_lm_entry,
    si_needle_entry,
)
from course_utils.zoo.store import Provenance
from course_utils.zoo.training import load_entry, train_recipe

#: Steps of the stored loss curve's averaging window, and the number of exact first losses kept.
CURVE_EVERY = 50
FIRST_LOSSES_KEPT = 10


@final
class TrialRecord(Provenance):
    """A trial's stored record (`run_trial`): the recipe, then what training and the measurement gave."""

    torch_version: str
    build_seconds: float
    first_losses: list[float]  # exact, the first FIRST_LOSSES_KEPT
    loss_curve_every: int  # CURVE_EVERY
    loss_curve: list[float]  # means over windows of `loss_curve_every` steps
    measurements: dict[str, Any]


@final
class ZooMeasurementRecord(TypedDict):
    """The stored measurements of a committed zoo model (`measure_zoo`)."""

    name: str
    source: str  # "zoo"
    torch_version: str
    measure_seconds: float
    measurements: dict[str, Any]


# ----------------------------------------------------------------------------- recipes


def kv_dilated_long_entry(seed: int) -> ZooEntry:
    """Notebook 07: the dilated kv model trained 3000 more steps from its weights, with its parent's recipe:
    the same data stream (`data_seed`), so a second pass over the same 3000 batches in the same order, under
    a second warm-up and cosine cycle (6000 steps in all). It measures more optimisation, not more data.

    Example:
        >>> kv_dilated_long_entry(0).train_config.data_seed == kv_dilated_entry(0).train_config.data_seed
        True
    """
    parent = kv_dilated_entry(seed)
    return derive_entry(
        parent,
        name=kv_name(seed, positional="rope", dilated=True, continued=True),
        description=f"Notebook 07: {parent.name} trained 3000 more steps (a second warm-up and cosine "
        f"cycle, 6000 steps in all); seed {seed}.",
        init_from=parent.name,
        tracker=None,
    )


def kv_dilated_3l_entry(seed: int) -> ZooEntry:
    """Notebook 07: the dilated kv recipe with 3 layers.

    Example:
        >>> kv_dilated_3l_entry(0).name
        'kv-rope-dilated-3l-s0'
    """
    parent = kv_dilated_entry(seed)
    return derive_entry(
        parent,
        name=kv_name(seed, positional="rope", dilated=True, layers=3),
        description=f"Notebook 07: {parent.name}'s recipe with 3 layers; seed {seed}.",
        model_updates={"layers": 3},
        tracker=None,
    )


def kv_si_nope_entry(seed: int) -> ZooEntry:
    """Notebook 09: the kv recipe with scale-invariant attention and no positions.

    Example:
        >>> kv_si_nope_entry(0).name
        'kv-si-nope-s0'
    """
    parent = kv_entry("rope", seed)
    return derive_entry(
        parent,
        name=kv_name(seed, variant="si-nope"),
        description=f"Notebook 09: {parent.name}'s recipe with scale-invariant attention and no "
        f"positions; seed {seed}.",
        model_updates=SI_VARIANTS["si-nope"],
        tracker=None,
    )


def si_lm_trial_entry(
    seed: int, variant: str, what: str, model_updates: dict[str, Any], *, notebook: int = 8, base: str = "rope"
) -> ZooEntry:
    """Notebooks 07-08: the `base` character LM's recipe with `model_updates`, named as si-lm `variant`;
    `what` describes the change, for notebook `notebook`.

    Example:
        >>> si_lm_trial_entry(0, "si-offset", "the offset only", {"logit_transform": "si_offset"}).name
        'si-lm-si-offset-s0'
    """
    parent = si_lm_entry(base, seed)
    return derive_entry(
        parent,
        name=si_lm_name(seed, variant=variant),
        description=f"Notebook {notebook:02d}: {parent.name}'s recipe with {what}; seed {seed}.",
        model_updates=model_updates,
    )


#: The dilated language models' measurement: they form no attention weights, so no octave masses.
_measure_lm_no_octaves: Callable[[TinyGPT], dict[str, Any]] = partial(measure_lm, octaves=False)

#: Every trial: (recipe, measurement); `TRIALS` holds them by name.
_TRIAL_LIST: list[tuple[ZooEntry, Callable[[TinyGPT], dict[str, Any]]]] = [
    (entry, measure)
    for seed in SEEDS
    for entry, measure in (
        (kv_dilated_long_entry(seed), measure_kv),
        (kv_dilated_3l_entry(seed), measure_kv),
        (kv_si_nope_entry(seed), measure_kv),
        (
            si_lm_trial_entry(
                seed,
                "dilated",
                "dilated attention w=(8, 16, 32, 64), r=(1, 2, 4, 8)",
                KV_DILATED_PATTERNS,
                notebook=7,
            ),
            _measure_lm_no_octaves,
        ),
        (
            si_lm_trial_entry(
                seed,
                "si-prope3of8",
                "scale-invariant attention and p-RoPE keeping 3 of 8 frequencies",
                {"positional": "p_rope", "p_rope_fraction": 0.375, "logit_transform": "scale_invariant"},
            ),
            measure_lm,
        ),
        (
            si_lm_trial_entry(
                seed,
                "si-offset",
                "no positions and the scale-invariant offset m_t only",
                {"positional": "none", "logit_transform": "si_offset"},
            ),
            measure_lm,
        ),
        (
            si_lm_trial_entry(
                seed,
                "si-multiplier",
                "no positions and the scale-invariant multiplier a_t only",
                {"positional": "none", "logit_transform": "si_multiplier"},
            ),
            measure_lm,
        ),
        *((si_needle_entry(variant, seed), measure_needle) for variant in SI_VARIANTS),
    )
]
entries_by_name([entry for entry, _ in _TRIAL_LIST])  # refuses two trials of one name
TRIALS: dict[str, tuple[ZooEntry, Callable[[TinyGPT], dict[str, Any]]]] = {
    entry.name: (entry, measure) for entry, measure in _TRIAL_LIST
}


#: Committed zoo models whose slow measurements are stored too: notebook 07's kv models (dense and
#: dilated RoPE) and notebook 08's language models (six variants, and the tau sweep's seed-0 models).
MEASURED_ZOO: dict[str, Callable[[TinyGPT], dict[str, Any]]] = {
    **{
        name: measure_kv
        for options in ({}, {"dilated": True})
        for name in names_by_seed("kv", positional="rope", **options).values()
    },
    **{name: measure_lm for variant in SI_VARIANTS for name in names_by_seed("si-lm", variant=variant).values()},
    **{
        name: measure_lm
        for tau in (1.0, 3.0, 30.0, 100.0)
        for name in names_by_seed("si-lm", variant="si-prope", tau=tau).values()
    },
}


def trial_names_by_seed(family: str, **options: Any) -> dict[int, str]:
    """{seed: name} of one trial family variant, spelled by its name rule (`TRIAL_NAME_RULES`), as
    `names_by_seed` does for the zoo's.

    Example:
        >>> trial_names_by_seed("kv", positional="rope", dilated=True, continued=True)
        {0: 'kv-rope-dilated-long-s0', 1: 'kv-rope-dilated-long-s1', 2: 'kv-rope-dilated-long-s2'}
        >>> trial_names_by_seed("si-needle", variant="alibi")[2]
        'si-needle-alibi-s2'
    """
    names = {seed: format_entry_name(family, seed, options, rules=TRIAL_NAME_RULES) for seed in SEEDS}
    if not all(name in TRIALS for name in names.values()):
        raise ValueError(
            f"no trial family {family!r} with options {options} (tried {sorted(names.values())}); "
            f"choose options that name a trial for every seed of {SEEDS}; the trials are {sorted(TRIALS)}"
        )
    return names


def record_path(name: str) -> Path:
    """Where the record of trial (or measured zoo model) `name` is stored, in the checkout (`paths.require_checkout`).

    Example:
        >>> record_path("kv-si-nope-s0")
        PosixPath('.../notebooks/results/trials/kv-si-nope-s0.json')
    """
    if name not in TRIALS and name not in MEASURED_ZOO:
        raise ValueError(
            f"no trial or measured zoo model {name!r}; choose a trial, {sorted(TRIALS)}, or a measured zoo model, "
            f"{sorted(MEASURED_ZOO)}"
        )
    return require_checkout(TRIALS_DIR / f"{name}.json")


def measure_zoo(name: str) -> Path:
    """Measure committed zoo model `name` (one of `MEASURED_ZOO`) and store the record; returns the path.

    Example: it evaluates a model for minutes and rewrites a committed record.
        >>> measure_zoo("kv-rope-dilated-s0")  # doctest: +SKIP
    """
    path = record_path(name)
    if name not in MEASURED_ZOO:
        raise ValueError(f"{name!r} is a trial, not a measured zoo model; use `run_trial({name!r})`")
    start = time.perf_counter()
    model, _ = load_entry(name, verbose=False)
    measurements = MEASURED_ZOO[name](model)
    record: ZooMeasurementRecord = {
        "name": name,
        "source": "zoo",
        "torch_version": str(torch.__version__),
        "measure_seconds": round(time.perf_counter() - start, 1),
        "measurements": round_floats(measurements),
    }
    write_json(path, record)
    return path


def run_trial(name: str, *, progress: bool = True) -> Path:
    """Train trial `name`, measure it and store its record; returns the path.

    Example: it trains a model for minutes and rewrites a committed record.
        >>> run_trial("kv-si-nope-s0")  # doctest: +SKIP
    """
    path = record_path(name)
    if name not in TRIALS:
        raise ValueError(f"{name!r} is a zoo model, not a trial; use `measure_zoo({name!r})`")
    entry, measure = TRIALS[name]
    start = time.perf_counter()
    model, losses, _ = train_recipe(entry, progress=progress, record_history=False)
    seconds = time.perf_counter() - start
    curve = torch.tensor(losses)
    usable = len(curve) // CURVE_EVERY * CURVE_EVERY
    record: TrialRecord = {
        **entry.provenance(),
        "torch_version": str(torch.__version__),
        "build_seconds": round(seconds, 1),
        "first_losses": losses[:FIRST_LOSSES_KEPT],
        "loss_curve_every": CURVE_EVERY,
        "loss_curve": round_floats(curve[:usable].view(-1, CURVE_EVERY).mean(1).tolist()),
        "measurements": round_floats(measure(model)),
    }
    write_json(path, record)
    return path


def load_trial_record(name: str) -> TrialRecord | ZooMeasurementRecord:
    """The stored record of trial (or measured zoo model) `name`; a FileNotFoundError says which command writes a
    missing one.

    Example:
        >>> load_trial_record("kv-si-nope-s0")["measurements"]["accuracy_at_pairs"]
        {'16': ..., '32': ..., '64': ...}
    """
    command = "run" if name in TRIALS else "measure"
    record = read_json(record_path(name), f"python -m course_utils.zoo.trials {command} {name}")
    return cast(TrialRecord | ZooMeasurementRecord, record)


def main(argv: list[str] | None = None) -> None:
    """The `python -m course_utils.zoo.trials` command line: list, run (train and record) or re-measure trials."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.zoo.trials",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the trials")
    add_names_command(commands, "run", help="train and measure trials, storing their records", what="trial")
    add_names_command(
        commands,
        "measure",
        help="measure committed zoo models (MEASURED_ZOO), storing their records",
        what="measured zoo model",
    )
    args = parser.parse_args(argv)
    if args.command == "list":
        width = max(map(len, TRIALS))
        for name, (entry, _) in TRIALS.items():
            record = load_trial_record(name) if record_path(name).exists() else None
            status = f"{record['build_seconds']:7.1f} s" if record and "build_seconds" in record else "  not run"
            print(f"{name:{width}s} {status}  {entry.description}")
        return
    pool, what = (MEASURED_ZOO, "measured zoo model") if args.command == "measure" else (TRIALS, "trial")
    for name in chosen_names(parser, args, pool, what):
        path = measure_zoo(name) if args.command == "measure" else run_trial(name)
        record = load_trial_record(name)
        if "measure_seconds" in record:
            print(f"{name}: measured in {record['measure_seconds']} s -> {path}", flush=True)
        else:
            print(
                f"{name}: {record['build_seconds']} s, final loss {record['loss_curve'][-1]:.4f} -> {path}", flush=True
            )


if __name__ == "__main__":
    main()
