"""The zoo's checkpoints come from the course's code, and notebook 01's finding holds across seeds."""

import pytest
import torch

from course_utils import zoo
from course_utils.model import GPTConfig
from course_utils.tasks import copy_batch
from course_utils.train import answer_accuracy


@pytest.mark.parametrize("name", sorted(zoo.ZOO))
def test_checkpoint_exists_loads_and_is_small(name):
    path = zoo.checkpoint_path(name)
    assert path.exists(), f"run `python -m course_utils.zoo build {name}`"
    assert path.stat().st_size < 5e6
    model, record = zoo.load(name, verbose=False)
    assert GPTConfig(**record["model_config"]) == zoo.ZOO[name].model_config()
    assert len(record["losses"]) == zoo.ZOO[name].train.steps
    assert zoo.evaluate_entry(model, zoo.ZOO[name]) == pytest.approx(record["accuracy"], abs=1e-6)


@pytest.mark.parametrize("name", sorted(zoo.ZOO))
def test_first_steps_reproduce_the_stored_loss_curve(name):
    """Provenance: retraining the recipe's first 20 steps gives the stored losses."""
    _, losses = zoo.train_entry(name, steps=20, progress=False)
    stored = zoo.load(name, verbose=False)[1]["losses"][:20]
    # Steps 0..19 of a 20-step run see the same learning rates only during warm-up.
    warmup = min(20, zoo.ZOO[name].train.warmup_steps)
    assert losses[:warmup] == pytest.approx(stored[:warmup], abs=1e-4)


def test_unknown_entry_raises():
    with pytest.raises(ValueError, match="no zoo entry"):
        zoo.load("gpt-5")


def test_cli_lists_entries(capsys):
    zoo.main(["list"])
    assert "copy-rope-2l" in capsys.readouterr().out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_copy_circuit_is_robust_across_seeds(seed):
    """Notebook 01's claims on copy-rope-2l, retrained with three seeds: perfect copy at the
    training length, every layer-2 head on distance m - 1 with weight > 0.9, most layer-1 heads
    on distance 1, and chance accuracy (< 0.15) at lengths 8 and 16."""
    model, _ = zoo.train_entry("copy-rope-2l", seed=seed, progress=False)
    m = zoo.ZOO["copy-rope-2l"].task_kwargs["seq_len"]
    test = copy_batch(256, m, n_symbols=16, generator=99)
    assert answer_accuracy(model, test.tokens, test.targets) > 0.99
    with torch.no_grad():
        _, attn = model(test.tokens, return_attention=True)  # (L, B, H, n, n)
    queries = torch.arange(m + 1, 2 * m + 1)
    by_distance = torch.stack([attn[:, :, :, queries, queries - t].mean(dim=(1, 3)) for t in range(m + 1)], -1)
    assert torch.all(by_distance[1].argmax(-1) == m - 1)
    assert torch.all(by_distance[1, :, m - 1] > 0.9)
    assert (by_distance[0].argmax(-1) == 1).sum() >= 3
    for length in (8, 16):
        other = copy_batch(256, length, n_symbols=16, generator=length)
        assert answer_accuracy(model, other.tokens, other.targets) < 0.15


def _recall_report(transform, seed, count, batch_size):
    from course_utils.evaluate import retrieval_report
    from course_utils.tasks import associative_recall_batch

    model, _ = zoo.load(f"recall-{transform}-s{seed}", verbose=False)
    return retrieval_report(model, associative_recall_batch(batch_size, count, generator=1000 + count))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_recall_model_dilutes(seed):
    """Notebook 02: the plain model's weight on the match falls by 16x its training length, and
    its answer loss grows by 64x, in every seed."""
    base, long, longest = (_recall_report("identity", seed, c, b) for c, b in ((16, 256), (256, 128), (1024, 64)))
    assert base.accuracy > 0.95
    assert long.relevant_weight.item() < 0.75 * base.relevant_weight.item()
    assert longest.relevant_weight.item() < 0.4 * base.relevant_weight.item()
    assert longest.answer_loss > 3 * base.answer_loss


@pytest.mark.parametrize("transform", ["logn", "ssmax"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_log_n_recall_models_hold_their_weight(transform, seed):
    """Notebook 02: with log-n scaling or SSMax the weight on the match does not fall out to 64x."""
    base, longest = (_recall_report(transform, seed, c, b) for c, b in ((16, 256), (1024, 64)))
    assert base.accuracy > 0.8
    assert longest.relevant_weight.item() > 0.9 * base.relevant_weight.item()
    assert longest.relevant_weight.item() > 0.6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_edge_trained_alibi_shows_a_u(seed):
    """Notebook 03: evaluated with uniform queries at K = 16, the edge-trained ALiBi model recalls
    the first and last quarters better than the middle half, in every seed."""
    from course_utils.evaluate import accuracy_by_query_index

    model, _ = zoo.load(f"kv-alibi-edge-s{seed}", verbose=False)
    acc = accuracy_by_query_index(model, 16, per_index=128, seed=7)
    first, middle, last = acc[:4].mean(), acc[4:12].mean(), acc[12:].mean()
    assert first > middle + 0.03 and last > middle + 0.03, (first, middle, last)
    assert middle > 0.6  # the task is learned: a U, not chance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alibi_kv_learns_and_degrades_past_its_training_length(seed):
    """Notebook 03: ALiBi learns key-value retrieval in every seed, and loses accuracy at 4x length."""
    from course_utils.tasks import kv_retrieval_batch
    from course_utils.train import answer_accuracy

    model, record = zoo.load(f"kv-alibi-s{seed}", verbose=False)
    assert record["accuracy"] > 0.75
    at = {k: answer_accuracy(model, b.tokens, b.targets)
          for k, b in ((k, kv_retrieval_batch(256, k, generator=50 + k)) for k in (16, 64))}
    assert at[64] < at[16] - 0.2, at
