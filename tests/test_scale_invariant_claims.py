"""Notebook 08's claims, on every seed, from the stored measurements of its zoo models and trials
(`course_utils.zoo.trials`; `tests/test_trials.py` recomputes part of them): loss on the same 32 held-out
windows at 1x, 4x and 16x the training length, by position, and needle accuracy."""

import numpy as np
import pytest

from course_utils import zoo
from course_utils.zoo import measurements, trials

pytestmark = pytest.mark.claims

SEEDS = zoo.SEEDS
SHORT, LONG = zoo.SI_TRAIN_LEN, 16 * zoo.SI_TRAIN_LEN


def _measured(variant, seed):
    if variant in zoo.SI_VARIANTS:
        name = zoo.entry_name("si-lm", seed, variant=variant)
    else:
        name = trials.trial_names_by_seed("si-lm", variant=variant)[seed]
    return trials.load_trial_record(name)["measurements"]


def _loss(variant, seed, n):
    return float(np.mean(_measured(variant, seed)["window_loss"][str(n)]))


@pytest.mark.parametrize("seed", SEEDS)
def test_scale_invariant_nope_is_best_at_16x_the_training_length(seed):
    best = _loss("si-nope", seed, LONG)
    others = {v: _loss(v, seed, LONG) for v in zoo.SI_VARIANTS if v != "si-nope"}
    assert all(best < loss - 0.05 for loss in others.values()), (best, others)
    assert best < _loss("si-nope", seed, SHORT)  # it does not degrade with length


@pytest.mark.parametrize("seed", SEEDS)
def test_rope_and_its_fixes_with_rotation_break_past_the_training_length(seed):
    for variant in ("rope", "logn-rope", "si-prope"):
        assert _loss(variant, seed, LONG) > _loss(variant, seed, SHORT) + 1.0, variant
    assert _loss("alibi", seed, LONG) < _loss("alibi", seed, SHORT)


@pytest.mark.parametrize("seed", SEEDS)
def test_rotating_models_break_past_the_training_length_by_position(seed):
    """Per position at 1024 tokens: the characters at positions [64, 256) cost the rotating variants
    more than a nat over those at [0, 64); ALiBi and scale-invariant + NoPE stay within 0.3 (the same
    characters for every model, so text difficulty cancels between models, not between bins)."""
    cut, mid = SHORT // measurements.POSITION_BIN, 4 * SHORT // measurements.POSITION_BIN
    for variant, breaks in (
        ("rope", True),
        ("logn-rope", True),
        ("si-prope", True),
        ("alibi", False),
        ("si-nope", False),
    ):
        bins = np.array(_measured(variant, seed)["position_loss"][str(LONG)])
        jump = bins[cut:mid].mean() - bins[:cut].mean()
        assert (jump > 1.0) if breaks else (jump < 0.3), (variant, jump)


@pytest.mark.parametrize("seed", SEEDS)
def test_needle_survives_8x_without_rotation_and_not_with_rope(seed):
    n = 8 * zoo.SI_TRAIN_LEN
    names = {v: trials.trial_names_by_seed("si-needle", variant=v)[seed] for v in ("rope", "nope", "si-nope")}
    acc = {v: trials.load_trial_record(name)["measurements"]["needle_accuracy"][str(n)] for v, name in names.items()}
    assert acc["si-nope"] >= 0.95 and acc["nope"] >= 0.95 and acc["rope"] <= 0.7, acc


def test_smaller_tau_extrapolates_better_for_scale_invariant_p_rope():
    names = [zoo.entry_name("si-lm", 0, variant="si-prope", tau=tau) for tau in (1.0, 3.0, 10.0, 30.0, 100.0)]
    losses = [
        float(np.mean(trials.load_trial_record(name)["measurements"]["window_loss"][str(LONG)])) for name in names
    ]
    assert all(a < b for a, b in zip(losses, losses[1:])), losses


@pytest.mark.parametrize("seed", SEEDS)
def test_p_rope_keeping_only_the_frequencies_that_turn_in_training_does_not_break(seed):
    """p = 3/8 keeps the periods 6, 20 and 63 (they turn within 64 tokens): flat to 16x, unlike p = 3/4."""
    assert abs(_loss("si-prope3of8", seed, LONG) - _loss("si-prope3of8", seed, SHORT)) < 0.1
    assert _loss("si-prope", seed, LONG) > _loss("si-prope", seed, SHORT) + 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_each_half_of_the_transform_makes_nope_length_robust_and_the_multiplier_does_most(seed):
    for half in ("si-offset", "si-multiplier"):
        assert _loss(half, seed, LONG) < _loss(half, seed, SHORT) + 0.05, half
        assert _loss(half, seed, LONG) < _loss("nope", seed, LONG) - 0.5, half
    assert _loss("si-multiplier", seed, LONG) < _loss("si-offset", seed, LONG) - 0.1
    assert _loss("si-multiplier", seed, LONG) < _loss("si-nope", seed, LONG) + 0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_scale_invariant_nope_attends_at_16x_as_at_1x(seed):
    """Attention mass per distance octave (mean over layers and heads): the octaves seen at 64 tokens
    get the same mass at 1024 (within 0.03), while RoPE's near octaves empty out."""
    for variant, same in (("si-nope", True), ("rope", False)):
        mass = _measured(variant, seed)["octave_mass"]
        short = np.array(mass[str(SHORT)]).mean(axis=(0, 1))
        long = np.array(mass[str(LONG)]).mean(axis=(0, 1))[: len(short)]
        near = slice(0, 3)  # distances 0 to 3
        if same:
            assert np.abs(long - short).max() < 0.03, (short, long)
        else:
            assert long[near].sum() < 0.5 * short[near].sum(), (short, long)
