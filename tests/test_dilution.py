import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.chapters.dilution import (
    gap_for_weight,
    relevant_weight,
    retrieval_report,
    simulate_dilution,
    value_votes,
)
from course_utils.core.batch import TaskBatch
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size


def test_seed_numbers_from_the_closed_form():
    gap = gap_for_weight(0.30, 512)
    assert gap == pytest.approx(5.389, abs=1e-3)
    w = relevant_weight(torch.tensor([512, 4096]), gap)
    assert w[0].item() == pytest.approx(0.30, abs=1e-9)
    assert w[1].item() == pytest.approx(0.0508, abs=1e-3)


def test_closed_form_matches_the_definition_and_handles_extremes():
    n, gap = 100, 2.0
    assert relevant_weight(n, gap).item() == pytest.approx(math.exp(gap) / (math.exp(gap) + n - 1))
    assert relevant_weight(n, 0.0, distractor_std=1.0).item() == pytest.approx(1 / (1 + 99 * math.exp(0.5)))
    assert relevant_weight(1, 0.0).item() == 1.0  # alone, the key gets everything
    assert relevant_weight(10**9, 1000.0).item() == pytest.approx(1.0)


def test_log_n_scaling_stops_the_fall():
    n = torch.tensor([64, 512, 4096, 65536])
    plain = relevant_weight(n, 5.0)
    scaled = relevant_weight(n, 5.0 / (0.2 * math.log(512)), log_n_scale=0.2)
    assert plain[-1] / plain[0] < 0.01
    assert scaled[-1] / scaled[0] > 0.2  # falls like n^(sg - 1) = n^-0.2 instead of 1/n
    # s * g = 1 keeps w(n) = n / (n + n - 1), about 1/2, for every n
    torch.testing.assert_close(relevant_weight(n, 2.0, log_n_scale=0.5), n.double() / (2 * n - 1), rtol=1e-9, atol=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_simulation_matches_the_gaussian_closed_form(seed):
    gen = torch.Generator().manual_seed(seed)
    for n in (512, 4096):
        trials = simulate_dilution(n, gap=5.889, trials=100, generator=gen)
        expected = relevant_weight(n, 5.889, distractor_std=1.0).item()
        assert trials.relevant_weight.mean().item() == pytest.approx(expected, rel=0.05)
        assert (trials.entropy <= math.log(n) + 1e-9).all()
        # the planted key is almost always the largest (a distractor rarely outscores it)
        assert (trials.max_weight == trials.relevant_weight).float().mean() >= 0.95


def test_simulation_entropy_approaches_uniform():
    small = simulate_dilution(64, gap=5.889, trials=50).entropy.mean().item() / math.log(64)
    large = simulate_dilution(16384, gap=5.889, trials=20).entropy.mean().item() / math.log(16384)
    assert small < 0.7 < 0.9 < large < 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n=1), "got n=1, d=64, trials=200, trials_per_call=16"),
        (dict(n=8, d=0), "got n=8, d=0, trials=200, trials_per_call=16"),
        (dict(n=8, trials=0), "got n=8, d=64, trials=0, trials_per_call=16"),
        (dict(n=8, trials_per_call=0), "got n=8, d=64, trials=200, trials_per_call=0"),
    ],
)
def test_simulation_rejects_bad_sizes(kwargs, match):
    n = kwargs.pop("n")
    with pytest.raises(ValueError, match=r"need n >= 2, d >= 1, trials >= 1, trials_per_call >= 1; " + match):
        simulate_dilution(n, gap=1.0, **kwargs)


def test_bad_closed_form_input():
    with pytest.raises(ValueError, match="weight must lie strictly between 0 and 1, got 1.0; pass a softmax weight"):
        gap_for_weight(1.0, 512)
    with pytest.raises(ValueError, match=r"need at least one distractor \(n >= 2\), got n=1"):
        gap_for_weight(0.5, 1)
    with pytest.raises(ValueError, match="n counts keys and must be >= 1, got 0.0"):
        relevant_weight(0, 1.0)
    with pytest.raises(ValueError, match="distractor_std must be >= 0, got -1.0; pass 0 for equal distractor scores"):
        relevant_weight(4, 1.0, distractor_std=-1.0)


def test_decoy_term():
    """m near misses at gap g' take their own share; no decoys (or decoys as plain distractors) is the old form."""
    n, g, g_decoy = 128, 6.0, 4.0
    m = torch.arange(0, 9)
    expected = math.exp(g) / (math.exp(g) + m.double() * math.exp(g_decoy) + (n - 1 - m.double()))
    torch.testing.assert_close(relevant_weight(n, g, decoys=m, decoy_gap=g_decoy), expected, rtol=1e-12, atol=0)
    torch.testing.assert_close(
        relevant_weight(n, g, decoys=m, decoy_gap=0.0), relevant_weight(torch.full((9,), n), g), rtol=1e-12, atol=0
    )
    assert relevant_weight(2, 0.0, decoys=1, decoy_gap=0.0).item() == pytest.approx(0.5)


@pytest.mark.parametrize("decoys", [-1, 128])
def test_decoy_count_must_fit(decoys):
    with pytest.raises(ValueError, match="decoys are some of the n - 1 other keys"):
        relevant_weight(128, 5.0, decoys=decoys, decoy_gap=1.0)


def _model():
    torch.manual_seed(0)
    vocab = task_vocab_size("associative_recall", n_keys=4, n_values=2)
    return TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2, positional="none"))


def test_report_fields_match_a_direct_computation():
    model = _model()
    batch = associative_recall_batch(8, 5, n_keys=4, n_values=2, generator=0)
    report = retrieval_report(model, batch)
    logits, attn = model(batch.tokens, need_weights=True)
    rows = torch.arange(8)
    expected = torch.stack([attn[:, b, :, batch.answer_pos[b], batch.relevant_pos[b]] for b in range(8)]).mean(0)
    torch.testing.assert_close(report.relevant_weight, expected)
    assert report.relevant_weight.shape == report.max_weight.shape == (2, 2)
    assert torch.all(report.max_weight >= report.relevant_weight)
    answers = batch.targets[rows, batch.answer_pos]
    assert report.accuracy == (logits[rows, batch.answer_pos].argmax(-1) == answers).float().mean().item()
    assert report.answer_loss > 0


def _report_from_the_full_forward(model, batch):
    """retrieval_report's fields from every query's logits and weights (the O(n^2) forward), by hand."""
    logits, attn = model.eval()(batch.tokens, need_weights=True)  # (B, n, V), (L, B, H, n, n)
    rows = torch.arange(batch.tokens.shape[0])
    answers = batch.targets[rows, batch.answer_pos]
    at_answer = torch.stack([attn[:, b, :, batch.answer_pos[b]] for b in rows])  # (B, L, H, n)
    relevant = torch.stack([at_answer[b, :, :, batch.relevant_pos[b]] for b in rows])  # (B, L, H)
    answer_logits = logits[rows, batch.answer_pos]
    accuracy = (answer_logits.argmax(-1) == answers).float().mean().item()
    return accuracy, F.cross_entropy(answer_logits, answers).item(), relevant.mean(0), at_answer.amax(-1).mean(0)


@pytest.mark.parametrize("transform", ["identity", "log_n", "ssmax"])
@pytest.mark.parametrize(
    ("positional", "position_scale"), [("none", 1.0), ("alibi", 1.0), ("rope", 1.0), ("rope", 0.25)]
)
@pytest.mark.parametrize(("layers", "attention_only"), [(1, True), (2, False)])
def test_the_last_query_report_equals_the_full_forward(transform, positional, position_scale, layers, attention_only):
    """Recall's answers sit at the last position, so retrieval_report computes the last query alone."""
    torch.manual_seed(0)
    config = GPTConfig(
        vocab_size=task_vocab_size("associative_recall"),
        max_len=64,
        layers=layers,
        heads=2,
        attention_only=attention_only,
        positional=positional,
        logit_transform=transform,
        position_scale=position_scale,
    )
    model = TinyGPT(config)
    batch = associative_recall_batch(16, 40, generator=1)
    assert bool((batch.answer_pos == batch.tokens.shape[1] - 1).all())
    accuracy, loss, relevant, largest = _report_from_the_full_forward(model, batch)
    report = retrieval_report(model, batch)
    assert report.accuracy == accuracy
    assert report.answer_loss == pytest.approx(loss, rel=1e-5)
    torch.testing.assert_close(report.relevant_weight, relevant)
    torch.testing.assert_close(report.max_weight, largest)


def test_a_report_at_earlier_positions_reads_the_full_forward():
    """Answers before the end (here one position early) need every query: the O(n^2) path, same fields."""
    model = _model()
    batch = associative_recall_batch(8, 5, n_keys=4, n_values=2, generator=0)
    targets = batch.targets.roll(-1, dims=1)  # each answer one position early
    early = TaskBatch(batch.task, batch.tokens, targets, batch.answer_pos - 1, batch.relevant_pos)
    accuracy, loss, relevant, largest = _report_from_the_full_forward(model, early)
    report = retrieval_report(model, early)
    assert report.accuracy == accuracy and report.answer_loss == pytest.approx(loss, rel=1e-6)
    torch.testing.assert_close(report.relevant_weight, relevant)
    torch.testing.assert_close(report.max_weight, largest)


def test_value_votes_add_the_weights_of_the_items_holding_each_value():
    batch = associative_recall_batch(3, 5, n_keys=4, n_values=3, value_answers=True, generator=1)
    weights = torch.rand(3, 7).softmax(-1)  # (B, n): BOS, 5 items, query
    votes = value_votes(weights, batch)
    vocab = batch.vocab
    assert vocab is not None
    for b in range(3):
        for c in range(3):
            holds = [(int(t) - vocab.offset("item")) % 3 == c for t in batch.tokens[b, 1:-1]]
            expected = sum(float(w) for w, h in zip(weights[b, 1:-1], holds) if h)
            assert votes[b, c].item() == pytest.approx(expected)
    assert torch.allclose(votes.sum(-1), 1 - weights[:, 0] - weights[:, -1])
    with pytest.raises(ValueError, match="pick a head"):
        value_votes(weights[:, None], batch)
    with pytest.raises(ValueError, match="associative recall batch"):
        value_votes(weights, kv_retrieval_batch(3, 2, generator=0))
