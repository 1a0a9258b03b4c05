import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.evaluate import forward_in_rows, needle_accuracy, token_losses
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.needle_tasks import needle_batch
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size
from course_utils.core.vocabs import NeedleVocab


def _model():
    torch.manual_seed(0)
    vocab = task_vocab_size("associative_recall", n_keys=4, n_values=2)
    return TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2, positional="none"))


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
    starts = forward_in_rows(model, tokens, 3, select=lambda logits, rows: torch.full((len(logits),), rows.start))
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
