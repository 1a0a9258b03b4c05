import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.evaluate import forward_in_rows, needle_accuracy, retrieval_report, token_losses, value_votes
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.tasks import (
    NeedleVocab,
    associative_recall_batch,
    kv_retrieval_batch,
    needle_batch,
    task_vocab_size,
)


def _model():
    torch.manual_seed(0)
    vocab = task_vocab_size("associative_recall", n_keys=4, n_values=2)
    return TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2, positional="none"))


def test_report_fields_match_a_direct_computation():
    model = _model()
    batch = associative_recall_batch(8, 5, n_keys=4, n_values=2, generator=0)
    report = retrieval_report(model, batch)
    logits, attn = model(batch.tokens, return_attention=True)
    rows = torch.arange(8)
    expected = torch.stack([attn[:, b, :, batch.answer_pos[b], batch.relevant_pos[b]] for b in range(8)]).mean(0)
    torch.testing.assert_close(report.relevant_weight, expected)
    assert report.relevant_weight.shape == report.max_weight.shape == (2, 2)
    assert torch.all(report.max_weight >= report.relevant_weight)
    answers = batch.targets[rows, batch.answer_pos]
    assert report.accuracy == (logits[rows, batch.answer_pos].argmax(-1) == answers).float().mean().item()
    assert report.answer_loss > 0


def test_report_rejects_mismatched_positions():
    batch = associative_recall_batch(4, 3, n_keys=4, n_values=2, generator=0)
    batch.answer_pos = batch.answer_pos[:2]
    with pytest.raises(ValueError, match="answer_pos"):
        retrieval_report(_model(), batch)


def test_accuracy_by_query_index():
    from course_utils.core.evaluate import accuracy_by_query_index

    torch.manual_seed(0)
    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=64, d_model=16, heads=2, layers=1))
    acc = accuracy_by_query_index(model, 5, per_index=4, n_keys=8, n_values=4)
    batch = kv_retrieval_batch(
        20, 5, n_keys=8, n_values=4, query_index=torch.arange(5).repeat_interleave(4), generator=0
    )
    with torch.no_grad():
        correct = model(batch.tokens)[:, -1].argmax(-1) == batch.targets[:, -1]
    torch.testing.assert_close(acc, correct.float().view(5, 4).mean(-1), rtol=0, atol=0)
    same = accuracy_by_query_index(model, 5, per_index=4, n_keys=8, n_values=4, positions=torch.arange(13))
    torch.testing.assert_close(acc, same)
    with pytest.raises(ValueError):
        accuracy_by_query_index(model, 5, per_index=0)


def test_bin_by_relative_position():
    from course_utils.core.evaluate import bin_by_relative_position

    torch.testing.assert_close(bin_by_relative_position(torch.arange(8.0), 4), torch.tensor([0.5, 2.5, 4.5, 6.5]))
    torch.testing.assert_close(bin_by_relative_position(torch.ones(2, 10), 3), torch.ones(2, 3))
    with pytest.raises(ValueError):
        bin_by_relative_position(torch.ones(3), 4)


class NeedleInFirstHalf(torch.nn.Module):
    """Answers a needle batch right exactly when the needle sits in the first half of the sequence."""

    def forward(self, tokens):
        batch, n = tokens.shape
        needle = (tokens == NeedleVocab.needle).int().argmax(1)  # (B,)
        answer = torch.where(needle < n // 2, tokens[torch.arange(batch), needle + 1], 0)
        return torch.nn.functional.one_hot(answer, NeedleVocab().vocab_size).float()[:, None].expand(-1, n, -1)


def test_needle_accuracy_scores_the_last_token_in_any_rows():
    expected = (needle_batch(16, 48, generator=3).needle_pos < 24).float().mean().item()
    assert 0 < expected < 1
    for rows_per_call in (16, 5, 1):
        assert needle_accuracy(NeedleInFirstHalf(), 48, samples=16, seed=3, rows_per_call=rows_per_call) == expected


def test_forward_in_rows_equals_one_call():
    model = _model()
    tokens = associative_recall_batch(7, 5, n_keys=4, n_values=2, generator=0).tokens
    with torch.no_grad():
        whole = model(tokens)
    for rows_per_call in (None, 1, 3, 7, 100):  # float rounding may depend on the number of rows
        torch.testing.assert_close(forward_in_rows(model, tokens, rows_per_call), whole)
    starts = forward_in_rows(model, tokens, 3, keep=lambda logits, rows: torch.full((len(logits),), rows.start))
    assert starts.tolist() == [0, 0, 0, 3, 3, 3, 6]  # keep sees each call's rows
    with pytest.raises(ValueError, match="rows_per_call"):
        forward_in_rows(model, tokens, 0)


def test_token_losses_average_to_the_training_loss():
    from course_utils.core.train import lm_loss

    model = _model()
    batch = associative_recall_batch(6, 5, n_keys=4, n_values=2, generator=0)  # one supervised position per row
    with torch.no_grad():
        logits = model(batch.tokens)
    losses = token_losses(logits, batch.targets)
    assert torch.equal(losses.isnan(), batch.targets == IGNORE_INDEX)
    assert losses.nanmean().item() == pytest.approx(lm_loss(logits, batch.targets).item(), rel=1e-6)


def test_last_token_accuracy_matches_a_direct_computation():
    from course_utils.core.evaluate import last_token_accuracy

    model = _model()
    batch = associative_recall_batch(64, 6, n_keys=4, n_values=2, generator=3)
    answers = batch.targets[:, -1]
    with torch.no_grad():
        direct = (model(batch.tokens)[:, -1].argmax(-1) == answers).float().mean().item()
    assert last_token_accuracy(model, batch.tokens, answers) == direct
    with pytest.raises(ValueError, match="targets"):
        last_token_accuracy(model, batch.tokens, batch.targets)


@pytest.mark.parametrize("transform", ["identity", "log_n", "ssmax"])
@pytest.mark.parametrize("positional", ["none", "alibi", "rope"])
def test_last_query_report_equals_the_full_forward(transform, positional):
    from course_utils.core.evaluate import last_query_report

    torch.manual_seed(0)
    config = GPTConfig(
        vocab_size=task_vocab_size("associative_recall"),
        max_len=64,
        layers=1,
        heads=2,
        attention_only=True,
        positional=positional,
        logit_transform=transform,
    )
    model = TinyGPT(config)
    batch = associative_recall_batch(16, 40, generator=1)
    full, last = retrieval_report(model, batch), last_query_report(model, batch)
    assert last.accuracy == full.accuracy
    assert last.answer_loss == pytest.approx(full.answer_loss, rel=1e-5)
    torch.testing.assert_close(last.relevant_weight, full.relevant_weight)
    torch.testing.assert_close(last.max_weight, full.max_weight)


def test_last_query_report_refuses_models_it_cannot_shortcut():
    from course_utils.core.evaluate import last_query_report

    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("associative_recall"), max_len=64, layers=2))
    with pytest.raises(ValueError, match="one-layer"):
        last_query_report(model, associative_recall_batch(2, 8, generator=0))


def test_u_depth():
    from course_utils.core.evaluate import lost_in_the_middle_depth

    acc = torch.tensor([1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9])  # quarters of 2: edges 0.95, middle 0.5
    assert lost_in_the_middle_depth(acc) == pytest.approx(45.0)
    with pytest.raises(ValueError, match="K >= 3"):
        lost_in_the_middle_depth(torch.ones(2))


def test_far_key_weight_sums_the_weight_beyond_a_distance():
    from course_utils.core.evaluate import far_key_weight

    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4, filler=True)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=64, d_model=16, heads=2, layers=2))
    batch = kv_retrieval_batch(5, 4, n_keys=8, n_values=4, filler=True, filler_prefix=6, generator=0)
    _, attn = model(batch.tokens, return_attention=True)
    n = batch.tokens.shape[1]
    expected = attn[:, :, :, -1, : n - 1 - 3].sum(-1).mean(1)  # keys at distance > 3 from the last token
    torch.testing.assert_close(far_key_weight(model, batch, 3), expected)
    torch.testing.assert_close(far_key_weight(model, batch, 0), 1 - attn[:, :, :, -1, -1].mean(1))
    assert far_key_weight(model, batch, n).abs().max() == 0
    with pytest.raises(ValueError, match="distance"):
        far_key_weight(model, batch, -1)


def test_accuracy_by_query_index_in_chunks_equals_one_call():
    from course_utils.core.evaluate import accuracy_by_query_index

    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2))
    whole = accuracy_by_query_index(model, 4, per_index=5, n_keys=8, n_values=4)
    torch.testing.assert_close(
        accuracy_by_query_index(model, 4, per_index=5, rows_per_call=3, n_keys=8, n_values=4), whole, rtol=0, atol=0
    )
    with pytest.raises(ValueError, match="rows_per_call"):
        accuracy_by_query_index(model, 4, per_index=5, rows_per_call=0, n_keys=8, n_values=4)


def test_value_to_key_weight_reads_each_value_s_previous_token():
    from course_utils.core.evaluate import value_to_key_weight

    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4, filler=True)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=64, d_model=16, heads=2, layers=2))
    batch = kv_retrieval_batch(3, 4, n_keys=8, n_values=4, filler=True, filler_gap=2, generator=0)
    _, attn = model(batch.tokens, return_attention=True)
    values = batch.relevant_pos.new_tensor(
        [
            p
            for p in range(batch.tokens.shape[1])
            if batch.tokens[0, p] >= batch.vocab.offset("v") and batch.tokens[0, p] < batch.vocab.offset("f")
        ]
    )
    expected = attn[:, :, :, values, values - 1].mean(dim=(1, 3))  # every row has its values at the same places
    torch.testing.assert_close(value_to_key_weight(model, batch), expected)
    with pytest.raises(ValueError, match="key-value batch"):
        value_to_key_weight(model, associative_recall_batch(2, 4, generator=0))


def test_value_votes_add_the_weights_of_the_items_holding_each_value():
    batch = associative_recall_batch(3, 5, n_keys=4, n_values=3, value_answers=True, generator=1)
    weights = torch.rand(3, 7).softmax(-1)  # (B, n): BOS, 5 items, query
    votes = value_votes(weights, batch)
    vocab = batch.vocab
    for b in range(3):
        for c in range(3):
            holds = [(int(t) - vocab.offset("i")) % 3 == c for t in batch.tokens[b, 1:-1]]
            expected = sum(float(w) for w, h in zip(weights[b, 1:-1], holds) if h)
            assert votes[b, c].item() == pytest.approx(expected)
    assert torch.allclose(votes.sum(-1), 1 - weights[:, 0] - weights[:, -1])
    with pytest.raises(ValueError, match="pick a head"):
        value_votes(weights[:, None], batch)
    with pytest.raises(ValueError, match="associative recall batch"):
        value_votes(weights, kv_retrieval_batch(3, 2, generator=0))


def test_item_weights_sum_the_items_tokens():
    """Each item's weight is the last layer's final-query weight summed over its tokens; bad slots are errors."""
    from course_utils.core.evaluate import item_weights
    from course_utils.core.model import GPTConfig, TinyGPT
    from course_utils.core.tasks import near_miss_batch

    torch.manual_seed(0)
    batch = near_miss_batch(4, 40, n_decoys=3, generator=0)
    model = TinyGPT(GPTConfig(vocab_size=batch.vocab.vocab_size, max_len=64, layers=2, positional="alibi"))
    starts = torch.cat([batch.needle_pos[:, None], batch.decoy_pos], dim=1)  # (4, 4)
    weights = item_weights(model, batch.tokens, starts, width=3)
    _, attn = model(batch.tokens, return_attention=True)
    last = attn[-1][:, :, -1]  # (B, H, n)
    for b in range(4):
        for i, start in enumerate(starts[b].tolist()):
            torch.testing.assert_close(weights[b, :, i], last[b, :, start : start + 3].sum(-1))
    with pytest.raises(ValueError, match="inside the sequence"):
        item_weights(model, batch.tokens, starts + 40, width=3)
    with pytest.raises(ValueError, match="starts must be"):
        item_weights(model, batch.tokens, starts[0], width=3)


def test_position_losses_predict_the_same_characters_at_every_length():
    from course_utils.core.corpus import text_batch
    from course_utils.core.evaluate import position_losses

    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("text"), max_len=64, d_model=16, heads=2, layers=1))
    windows = text_batch(3, 64, split="val", generator=0)
    whole = position_losses(model, windows, 64)
    assert whole.shape == (3, 1, 64)
    from course_utils.core.train import lm_loss

    assert whole.mean().item() == pytest.approx(lm_loss(model(windows.tokens), windows.targets).item(), rel=1e-5)
    pieces = position_losses(model, windows, 16, rows_per_call=5)
    assert pieces.shape == (3, 4, 16)
    # the first piece of each window is the start of the whole window: same tokens, same losses
    torch.testing.assert_close(pieces[:, 0], whole[:, 0, :16])
    with pytest.raises(ValueError, match="divide"):
        position_losses(model, windows, 48)


def test_auroc():
    from course_utils.core.evaluate import auroc

    assert auroc(torch.tensor([2.0, 3.0]), torch.tensor([0.0, 1.0])) == 1.0
    assert auroc(torch.tensor([0.0]), torch.tensor([1.0])) == 0.0
    assert auroc(torch.tensor([1.0, 1.0]), torch.tensor([1.0])) == 0.5
    assert auroc(torch.tensor([1.0, 3.0]), torch.tensor([2.0])) == 0.5
    with pytest.raises(ValueError, match="at least one"):
        auroc(torch.tensor([]), torch.tensor([1.0]))
