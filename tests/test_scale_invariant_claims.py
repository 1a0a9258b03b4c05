"""Notebook 08's claims on its zoo models, on every seed."""

import pytest

from course_utils import zoo
from course_utils.evaluate import needle_accuracy, validation_loss

pytestmark = pytest.mark.claims

SEEDS = zoo.SEEDS
SHORT, LONG = zoo.SI_TRAIN_LEN, 16 * zoo.SI_TRAIN_LEN


def _loss(variant, seed, n):
    return validation_loss(zoo.load(zoo.name("si-lm", seed, variant=variant), verbose=False)[0], n, sequences=8, seed=n)


@pytest.fixture(scope="module")
def long_losses():
    return {(v, s): _loss(v, s, LONG) for v in zoo.SI_VARIANTS for s in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_scale_invariant_nope_is_best_at_16x_the_training_length(long_losses, seed):
    best = long_losses[("si-nope", seed)]
    others = {v: long_losses[(v, seed)] for v in zoo.SI_VARIANTS if v != "si-nope"}
    assert all(best < loss - 0.05 for loss in others.values()), (best, others)
    assert best < _loss("si-nope", seed, SHORT)  # it does not degrade with length


@pytest.mark.parametrize("seed", SEEDS)
def test_rope_and_its_fixes_with_rotation_break_past_the_training_length(long_losses, seed):
    for variant in ("rope", "logn-rope", "si-prope"):
        assert long_losses[(variant, seed)] > _loss(variant, seed, SHORT) + 1.0, variant
    assert long_losses[("alibi", seed)] < _loss("alibi", seed, SHORT)


@pytest.mark.parametrize("seed", SEEDS)
def test_needle_survives_8x_without_rotation_and_not_with_rope(seed):
    n = 8 * zoo.SI_TRAIN_LEN
    acc = {v: needle_accuracy(zoo.load(zoo.name("si-needle", seed, variant=v), verbose=False)[0], n, samples=64, seed=n)
           for v in ("rope", "nope", "si-nope")}
    assert acc["si-nope"] >= 0.95 and acc["nope"] >= 0.95 and acc["rope"] <= 0.7, acc


def test_smaller_tau_extrapolates_better_for_scale_invariant_p_rope():
    names = [zoo.name("si-lm", 0, variant="si-prope", tau=tau) for tau in (1.0, 3.0, 10.0, 30.0, 100.0)]
    losses = [validation_loss(zoo.load(name, verbose=False)[0], LONG, sequences=8, seed=LONG) for name in names]
    assert all(a < b for a, b in zip(losses, losses[1:])), losses
