"""Trials and stored measurements (notebooks 07-09): every record exists, comes from the course's code
(the first training steps reproduce the stored losses; a stored measurement of a zoo model is
recomputed), and the CLI and lookups fail clearly."""

import json
from typing import Any

import numpy as np
import pytest

from course_utils import zoo
from course_utils.core.records import round_floats
from course_utils.core.task_accuracy import accuracy_by_query_index
from course_utils.zoo import measurements, trials
from course_utils.zoo.training import train_recipe


@pytest.mark.claims
@pytest.mark.parametrize("name", sorted(trials.TRIALS) + sorted(trials.MEASURED_ZOO))
def test_every_record_exists_with_its_measurements(name):
    record = trials.load_trial_record(name)
    assert record["name"] == name and record["measurements"]
    if name in trials.TRIALS:
        assert "first_losses" in record  # a trial's record, not a zoo model's measurements
        entry = trials.TRIALS[name][0]
        assert record["model_config"] == json.loads(json.dumps(entry.model_config().to_dict()))  # tuples as lists
        provenance = json.loads(json.dumps(entry.provenance()))  # the record opens with its recipe
        assert {key: value for key, value in record.items() if key in provenance} == provenance
        assert len(record["loss_curve"]) == entry.train_config.steps // trials.CURVE_EVERY
        assert len(record["first_losses"]) == trials.FIRST_LOSSES_KEPT


@pytest.mark.slow
@pytest.mark.locked
@pytest.mark.parametrize("name", sorted(trials.TRIALS))
def test_first_steps_reproduce_the_stored_losses(name):
    """Provenance, as for the zoo: the recipe's first steps give the stored losses (4 steps for seed 0,
    1 for the other seeds)."""
    entry = trials.TRIALS[name][0]
    steps = 4 if entry.seed == 0 else 1
    _, losses, _ = train_recipe(entry, steps=steps, progress=False, record_history=False)
    record = trials.load_trial_record(name)
    assert "first_losses" in record
    assert losses == pytest.approx(record["first_losses"][:steps], rel=0, abs=1e-5)


@pytest.mark.slow
def test_a_stored_zoo_measurement_is_recomputed():
    """kv-rope-dilated-s0's accuracy by pair index at K = 9 and 15, recomputed (64 sequences per index;
    one sequence is 1/64, so float rounding between machines can move at most a rare tie)."""
    model, _ = zoo.load_entry("kv-rope-dilated-s0", verbose=False)
    stored = trials.load_trial_record("kv-rope-dilated-s0")["measurements"]["accuracy_by_index"]
    for k in (9, 15):
        fresh = accuracy_by_query_index(model, k, per_index=64, seed=k).numpy()
        assert np.abs(fresh - np.array(stored[str(k)])).max() <= 1 / 64 + 1e-9


def test_names_and_families():
    assert trials.trial_names_by_seed("kv", variant="si-nope") == {
        0: "kv-si-nope-s0",
        1: "kv-si-nope-s1",
        2: "kv-si-nope-s2",
    }
    assert set(trials.TRIALS).isdisjoint(zoo.ZOO)
    assert set(trials.MEASURED_ZOO) <= set(zoo.ZOO)
    with pytest.raises(ValueError, match="no trial family 'kv' with options"):
        trials.trial_names_by_seed("kv", positional="nothing")
    with pytest.raises(ValueError, match="unknown zoo family 'kv-si-nope'"):
        trials.trial_names_by_seed("kv-si-nope")
    with pytest.raises(ValueError, match="no trial or measured zoo model"):
        trials.record_path("kv-nothing-s0")
    with pytest.raises(ValueError, match="use `measure_zoo"):
        trials.run_trial("kv-rope-s0")
    with pytest.raises(ValueError, match="use `run"):
        trials.measure_zoo("kv-si-nope-s0")


def test_trial_names_come_from_the_family_rules():
    """Every trial's name is its family's rule applied to some options, as the zoo's are."""
    options: dict[str, list[dict[str, Any]]] = {
        "kv": [
            {"positional": "rope", "dilated": True, "continued": True},
            {"positional": "rope", "dilated": True, "layers": 3},
            {"variant": "si-nope"},
        ],
        "si-lm": [{"variant": v} for v in ("dilated", "si-prope3of8", "si-offset", "si-multiplier")],
        "si-needle": [{"variant": v} for v in zoo.SI_VARIANTS],
    }
    named = {
        n for family, opts in options.items() for o in opts for n in trials.trial_names_by_seed(family, **o).values()
    }
    assert named == set(trials.TRIALS)
    assert all(entry.family in options for entry, _ in trials.TRIALS.values())


def test_a_missing_record_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setattr(trials, "TRIALS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m course_utils.zoo.trials run kv-si-nope-s0"):
        trials.load_trial_record("kv-si-nope-s0")
    with pytest.raises(FileNotFoundError, match="python -m course_utils.zoo.trials measure kv-rope-s0"):
        trials.load_trial_record("kv-rope-s0")


def test_cli_rejects_unknown_names(capsys):
    with pytest.raises(SystemExit):
        trials.main(["run", "kv-rope-s0"])
    assert "not a trial" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        trials.main(["measure", "kv-si-nope-s0"])
    assert "not a measured zoo model" in capsys.readouterr().err


def test_records_are_plain_json():
    path = trials.record_path("kv-rope-s0")
    assert json.loads(path.read_text())["source"] == "zoo"


@pytest.mark.parametrize("name", ["kv-rope-s0", "si-lm-rope-s0", "kv-si-nope-s0"])
def test_stored_numbers_are_already_rounded(name):
    """Rounding a stored record again changes nothing: what `run` and `measure_zoo` write is `round_floats`'s."""
    record = trials.load_trial_record(name)
    assert round_floats(record["measurements"]) == record["measurements"]
    assert round_floats(record.get("loss_curve", [])) == record.get("loss_curve", [])


@pytest.mark.slow
def test_a_stored_language_model_measurement_is_recomputed():
    """si-lm-si-nope-s0's loss on the 32 shared windows at 64 tokens, recomputed (rounding: 5 digits)."""
    from course_utils.core.corpus import text_batch
    from course_utils.core.evaluate import position_losses

    model, _ = zoo.load_entry("si-lm-si-nope-s0", verbose=False)
    windows = text_batch(
        measurements.LM_WINDOWS, measurements.LM_LENGTHS[-1], split="val", generator=measurements.LM_WINDOW_SEED
    )
    fresh = position_losses(model, windows, measurements.LM_LENGTHS[0]).mean(dim=(1, 2)).numpy()
    stored = np.array(trials.load_trial_record("si-lm-si-nope-s0")["measurements"]["window_loss"]["64"])
    assert np.abs(fresh - stored).max() < 1e-3
