"""Accuracy on the tasks' own seeded batches: by queried pair index (one call or in rows) and on needles."""

import pytest
import torch

from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.needle_tasks import needle_batch
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.task_accuracy import accuracy_by_query_index, needle_accuracy
from course_utils.core.tasks import task_vocab_size
from course_utils.core.vocabs import NeedleVocab


def test_accuracy_by_query_index():
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
    with pytest.raises(ValueError, match="per_index must be >= 1, got 0; pass the number of sequences to draw"):
        accuracy_by_query_index(model, 5, per_index=0)


class NeedleInFirstHalf(torch.nn.Module):
    """Answers a needle batch right exactly when the needle sits in the first half of the sequence."""

    def forward(self, tokens):
        batch, n = tokens.shape
        needle = (tokens == NeedleVocab.needle).int().argmax(1)  # (B,)
        answer = torch.where(needle < n // 2, tokens[torch.arange(batch), needle + 1], 0)
        return torch.nn.functional.one_hot(answer, NeedleVocab().vocab_size).float()[:, None].expand(-1, n, -1)


def test_needle_accuracy_scores_the_last_token_in_any_rows():
    needle_pos = needle_batch(16, 48, generator=3).needle_pos
    assert needle_pos is not None
    expected = (needle_pos < 24).float().mean().item()
    assert 0 < expected < 1
    for rows_per_call in (16, 5, 1):
        assert needle_accuracy(NeedleInFirstHalf(), 48, samples=16, seed=3, rows_per_call=rows_per_call) == expected


def test_accuracy_by_query_index_in_chunks_equals_one_call():
    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2))
    whole = accuracy_by_query_index(model, 4, per_index=5, n_keys=8, n_values=4)
    torch.testing.assert_close(
        accuracy_by_query_index(model, 4, per_index=5, rows_per_call=3, n_keys=8, n_values=4), whole, rtol=0, atol=0
    )
    with pytest.raises(ValueError, match="rows_per_call"):
        accuracy_by_query_index(model, 4, per_index=5, rows_per_call=0, n_keys=8, n_values=4)
