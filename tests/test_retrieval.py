"""Retrieval augmentation and hierarchical processing on kv sequences."""

import pytest
import torch
from torch import nn

from course_utils.retrieval import hierarchical_answer, retrieve_best_chunk, split_pairs
from course_utils.tasks import kv_retrieval_batch, task_vocab_size

VOCAB = task_vocab_size("kv_retrieval", n_keys=128, n_values=64)


class Lookup(nn.Module):
    """A perfect reader: at the last position, all logit on the value after the query key, if present."""

    def forward(self, tokens):
        logits = torch.zeros(*tokens.shape, VOCAB)
        for row, seq in enumerate(tokens):
            keys, query = seq[1:-2:2], seq[-1]
            match = (keys == query).nonzero()
            if len(match):
                logits[row, -1, seq[2 + 2 * match[0, 0]]] = 10.0
        return logits


def test_split_pairs_and_a_chunk_size_that_does_not_divide():
    batch = kv_retrieval_batch(4, 32, generator=0)
    chunks, query = split_pairs(batch.tokens, 8)
    assert chunks.shape == (4, 4, 16) and torch.equal(query, batch.tokens[:, -1])
    assert torch.equal(chunks.reshape(4, -1), batch.tokens[:, 1:-2])
    with pytest.raises(ValueError, match="divide"):
        split_pairs(batch.tokens, 5)


def test_retrieval_keeps_the_pair_that_answers():
    batch = kv_retrieval_batch(64, 32, generator=1)
    short = retrieve_best_chunk(batch.tokens, 8)
    assert short.shape == (64, 19)
    assert torch.equal(Lookup()(short)[:, -1].argmax(-1), batch.targets[:, -1])


def test_hierarchical_answer_picks_the_confident_chunk():
    batch = kv_retrieval_batch(32, 32, generator=2)
    answers, summaries = hierarchical_answer(Lookup(), batch.tokens, 8)
    assert summaries.shape == (32, 4, 2)
    assert torch.equal(answers, batch.targets[:, -1])
