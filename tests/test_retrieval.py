"""Retrieval augmentation and hierarchical processing on kv sequences."""

import pytest
import torch
from torch import nn

from course_utils.chapters.retrieval import auroc, hierarchical_answer, retrieve_best_chunk, split_pairs
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size

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
    with pytest.raises(ValueError, match="kv sequences"):
        split_pairs(batch.tokens[0], 8)  # one sequence without its batch dimension


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


def test_chunk_with_key_and_the_embedding_retriever():
    from course_utils.chapters.retrieval import chunk_with_key, retrieve_by_embedding

    batch = kv_retrieval_batch(64, 16, generator=1)
    relevant = chunk_with_key(batch.tokens, 4)
    chunks, query = split_pairs(batch.tokens, 4)
    assert bool((chunks[torch.arange(64), relevant][:, 0::2] == query[:, None]).any(1).all())
    vocab = int(batch.tokens.max()) + 1
    one_hot = torch.eye(vocab)  # orthogonal embeddings: the chunk holding the key always wins
    short, chosen = retrieve_by_embedding(batch.tokens, 4, one_hot)
    assert torch.equal(chosen, relevant) and short.shape == (64, 2 * 4 + 3)
    with pytest.raises(ValueError, match="covering every token"):
        retrieve_by_embedding(batch.tokens, 4, torch.eye(3))


def test_retrieve_in_slot_puts_the_relevant_chunk_where_asked():
    from course_utils.chapters.retrieval import chunk_with_key, retrieve_in_slot

    batch = kv_retrieval_batch(32, 15, generator=2)
    for slot in range(3):
        context = retrieve_in_slot(batch.tokens, 5, 3, slot=slot, generator=0)
        assert context.shape == (32, 3 * 10 + 3)
        assert torch.equal(chunk_with_key(context, 5), torch.full((32,), slot))
        assert torch.equal(context[:, -2:], batch.tokens[:, -2:]) and torch.equal(context[:, 0], batch.tokens[:, 0])
    with pytest.raises(ValueError, match="slot"):
        retrieve_in_slot(batch.tokens, 5, 3, slot=3)


def test_auroc():
    assert auroc(torch.tensor([2.0, 3.0]), torch.tensor([0.0, 1.0])) == 1.0
    assert auroc(torch.tensor([0.0]), torch.tensor([1.0])) == 0.0
    assert auroc(torch.tensor([1.0, 1.0]), torch.tensor([1.0])) == 0.5
    assert auroc(torch.tensor([1.0, 3.0]), torch.tensor([2.0])) == 0.5
    with pytest.raises(ValueError, match="at least one"):
        auroc(torch.tensor([]), torch.tensor([1.0]))


def test_chunk_recall_of_mean_pooling_and_of_the_best_key():
    from course_utils.chapters.retrieval import chunk_recall, chunk_with_key, retrieve_by_embedding

    batch = kv_retrieval_batch(64, 16, generator=3)
    table = torch.randn(int(batch.tokens.max()) + 1, 8, generator=torch.Generator().manual_seed(0))
    own = table[batch.tokens[:, -1]]  # the query key's own embedding
    _, chosen = retrieve_by_embedding(batch.tokens, 4, table)
    mean_recall = (chosen == chunk_with_key(batch.tokens, 4)).float().mean().item()
    assert chunk_recall(batch.tokens, 4, table, own, "mean") == pytest.approx(mean_recall)
    assert chunk_recall(batch.tokens, 4, table, own, "best") == 1.0  # an exact match in disguise
    assert chunk_recall(batch.tokens, 4, table * 3.0, own, "best") == 1.0  # cosine: lengths change nothing
    with pytest.raises(ValueError, match="pool"):
        chunk_recall(batch.tokens, 4, table, own, "max")
    with pytest.raises(ValueError, match="queries"):
        chunk_recall(batch.tokens, 4, table, own[:1], "best")
