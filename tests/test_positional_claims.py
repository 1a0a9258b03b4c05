"""Notebook 03's claims about positions never seen in training, on every seed of the zoo models.

The protocol is the notebook's, `kv_filler_accuracy`: 256 sequences of K = 16 pairs, with fillers
put in front (a prefix: positions unseen, query-to-pair distances seen) or between pairs
(distances unseen), or more pairs.
"""

from functools import cache

import pytest
import torch

from course_utils import zoo
from course_utils.chapters.positional_bias import (
    early_query_weights,
    far_weight_behind_prefix,
    kv_filler_accuracy,
    previous_token_weight,
)

pytestmark = pytest.mark.claims


@cache
def _fill(positional: str, seed: int):
    return zoo.load_entry(zoo.entry_name("kv", seed, positional=positional, filler=True), verbose=False)[0]


@cache  # each worker measures a (model, setting) once; tests share the results
def _accuracy(model, k: int = 16, **options) -> float:
    return kv_filler_accuracy(model, k, **options)


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_the_filler_recipe_teaches_rope_and_alibi_and_partly_learned_positions(seed):
    assert _accuracy(_fill("rope", seed)) > 0.95
    assert _accuracy(_fill("alibi", seed)) > 0.75
    assert 0.3 < _accuracy(_fill("learned", seed)) < 0.95  # partly learned: far above chance (1/64), not solved


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_a_filler_prefix_breaks_learned_positions_but_not_alibi(seed):
    learned, alibi = _fill("learned", seed), _fill("alibi", seed)
    assert _accuracy(learned, filler_prefix=128) < min(0.3, _accuracy(learned) - 0.15)
    assert _accuracy(alibi, filler_prefix=128) > _accuracy(alibi) - 0.1


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_fillers_between_pairs_hurt_rope_and_not_alibi(seed):
    rope, alibi = _fill("rope", seed), _fill("alibi", seed)
    assert _accuracy(rope, filler_gap=8) < _accuracy(rope) - 0.4
    assert _accuracy(alibi, filler_gap=8) > _accuracy(alibi) - 0.05


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_more_pairs_hurt_every_encoding(seed):
    for positional in ("rope", "alibi", "learned"):
        model = _fill(positional, seed)
        assert _accuracy(model, k=112) < 0.5 * _accuracy(model), positional


def test_behind_a_prefix_rope_loses_what_the_far_fillers_take_and_that_differs_by_seed():
    """Quiz Q9: behind 128 fillers, keys more than 38 tokens back (distances no training sequence had)
    take a large share of RoPE's layer-1 attention in every seed; in layer 2 their share differs by
    seed, and the seeds' accuracies fall in the reverse order of it (one collapses, one holds).
    ALiBi's layer 2 gives them almost nothing."""
    far = {s: far_weight_behind_prefix(_fill("rope", s)) for s in zoo.SEEDS}  # (layers,)
    accuracy = {s: _accuracy(_fill("rope", s), filler_prefix=128) for s in zoo.SEEDS}
    assert all(far[s][0] > 0.4 for s in zoo.SEEDS), far
    by_far = sorted(zoo.SEEDS, key=lambda s: far[s][1])
    assert [accuracy[s] for s in by_far] == sorted(accuracy.values(), reverse=True), (far, accuracy)
    assert min(accuracy.values()) < 0.5 * _accuracy(_fill("rope", by_far[-1])) and max(accuracy.values()) > 0.8
    for s in zoo.SEEDS:
        assert far_weight_behind_prefix(_fill("alibi", s))[1] < 0.05


def _history(seed: int, finetune: str) -> torch.Tensor:
    """(steps, len(KV_TRACKED_N_PAIRS)) accuracy recorded while fine-tuning."""
    record = zoo.load_entry(
        zoo.entry_name("kv", seed, positional="rope", filler=True, finetune=finetune), verbose=False
    )[1]
    return torch.tensor([h["kv_accuracy_by_length"] for h in record["history"]])


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_interpolation_does_not_beat_extrapolation_under_the_same_fine_tune(seed):
    """Notebook 03, section 4: before fine-tuning both fail at K = 64 (and interpolation breaks even
    K = 16); after it both recover K = 64 to about the same accuracy (interpolation not 0.1 better),
    and extrapolation reaches further (K = 112) and keeps K = 16."""
    assert zoo.KV_TRACKED_N_PAIRS == (16, 64, 112)
    pi, extrap = _history(seed, "pi"), _history(seed, "extrap")
    assert pi[0, 1] < 0.3 and extrap[0, 1] < 0.3
    assert pi[0, 0] < 0.5 < extrap[0, 0]
    assert pi[-1, 1] > 0.75 and extrap[-1, 1] > 0.75
    assert pi[-1, 1] < extrap[-1, 1] + 0.1
    assert extrap[-1, 2] > pi[-1, 2] and extrap[-1, 0] > 0.95


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_interpolation_weakens_the_previous_token_step_and_fine_tuning_restores_it(seed):
    """Notebook 03, section 4: the layer-1 weight from each value to its key (best head, 64 pairs)."""
    from dataclasses import replace

    from course_utils.core.model import TinyGPT

    trained = _fill("rope", seed)
    squeezed = TinyGPT(replace(trained.config, position_scale=zoo.KV_PI_SCALE))
    squeezed.load_state_dict(trained.state_dict())
    tuned = zoo.load_entry(zoo.entry_name("kv", seed, positional="rope", filler=True, finetune="pi"), verbose=False)[0]
    before, during, after = (previous_token_weight(m.eval()) for m in (trained, squeezed, tuned))
    assert before > 0.4 and during < 0.75 * before and after > during + 0.2, (before, during, after)


@pytest.mark.parametrize("seed", zoo.SEEDS)
def test_the_query_first_models_ignore_the_early_query(seed):
    """Notebook 03, section 2: the 2-layer query-first models never use the early copy of the query
    key: the last token gives it almost no weight, the matching key looks at it no more than the
    first pair's key does, and accuracy is below the same recipe's without it."""
    model, record = zoo.load_entry(
        zoo.entry_name("kv", seed, positional="alibi", query_first=True, filler=True), verbose=False
    )
    plain_record = zoo.load_entry(zoo.entry_name("kv", seed, positional="alibi", filler=True), verbose=False)[1]
    assert record["accuracy"] < plain_record["accuracy"]
    on_early, matching, first_key = early_query_weights(model)
    assert on_early.max() < 0.05
    assert matching.max() < first_key.max()
