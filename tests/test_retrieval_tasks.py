"""Key-value retrieval (its query options and filler) and associative recall."""

from typing import Any

import numpy as np
import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size
from course_utils.core.vocabs import KVVocab, RecallVocab


def rows(batch: TaskBatch) -> torch.Tensor:
    return torch.arange(len(batch.tokens))


def test_kv_answer_is_value_of_queried_key():
    batch = kv_retrieval_batch(64, 10, generator=1)
    vocab = batch.vocab
    assert isinstance(vocab, KVVocab)
    for tokens, target, answer_pos in zip(batch.tokens, batch.targets, batch.answer_pos):
        assert tokens.shape == (2 * 10 + 3,) and tokens[-2] == vocab.sep
        keys, values = tokens[1:-2:2], tokens[2:-2:2]
        assert len(set(keys.tolist())) == 10  # distinct keys
        assert ((keys >= vocab.offset("key")) & (keys < vocab.offset("value"))).all()
        assert (values >= vocab.offset("value")).all()
        (match,) = torch.nonzero(keys == tokens[-1])[0]
        assert target[answer_pos] == values[match]
        assert (target != IGNORE_INDEX).sum() == 1 and answer_pos == len(tokens) - 1


def test_kv_query_index():
    batch = kv_retrieval_batch(8, 6, query_index=2, generator=0)
    assert batch.query_index is not None
    assert (batch.query_index == 2).all() and (batch.relevant_pos == 2 + 2 * 2).all()
    assert (batch.tokens[:, -1] == batch.tokens[:, 1 + 2 * 2]).all()
    per_row = torch.arange(6)
    batch = kv_retrieval_batch(6, 6, query_index=per_row, generator=0)
    assert batch.query_index is not None
    assert torch.equal(batch.query_index, per_row)
    assert torch.equal(batch.relevant_pos, 2 + 2 * per_row)


def test_kv_edge_bias():
    k, e = 16, 4
    edge = kv_retrieval_batch(2000, k, edge_bias=1.0, generator=0).query_index
    assert edge is not None
    assert ((edge < e) | (edge >= k - e)).all()
    assert (edge < e).any() and (edge >= k - e).any()
    uniform = kv_retrieval_batch(2000, k, generator=0).query_index
    assert uniform is not None
    assert set(uniform.tolist()) == set(range(k))
    tiny = kv_retrieval_batch(100, 1, edge_bias=1.0, generator=0).query_index
    assert tiny is not None
    assert (tiny == 0).all()


def _without_filler(tokens: torch.Tensor, filler_id: int) -> list[list[int]]:
    return [[t for t in row.tolist() if t != filler_id] for row in tokens]


@pytest.mark.parametrize(
    "filler",
    [
        dict(filler_prefix=5),
        dict(filler_gap=3),
        dict(n_filler=(2, 7)),
        dict(filler_prefix=2, filler_gap=1, n_filler=4),
    ],
)
def test_kv_filler_moves_pairs_without_changing_the_task(filler):
    plain = kv_retrieval_batch(32, 8, generator=3)
    padded = kv_retrieval_batch(32, 8, filler=True, **filler, generator=3)
    assert padded.vocab is not None and plain.vocab is not None
    f = padded.vocab.offset("filler")
    assert f == plain.vocab.vocab_size  # the filler is a new id after the values
    assert _without_filler(padded.tokens, f) == plain.tokens.tolist()  # same pairs, query and order
    rows = torch.arange(32)
    assert torch.equal(padded.tokens[rows, padded.relevant_pos], plain.tokens[rows, plain.relevant_pos])
    assert torch.equal(padded.tokens[rows, padded.relevant_pos - 1], padded.tokens[:, -1])  # its key is just before
    assert (padded.targets != IGNORE_INDEX).sum() == 32 and (padded.answer_pos == padded.tokens.shape[1] - 1).all()
    keys = (padded.tokens >= 2) & (padded.tokens < padded.vocab.offset("value"))
    assert ((padded.tokens[:, 1:] == f) <= ~keys[:, :-1]).all()  # a filler never follows a key (pairs stay whole)


def test_an_empty_filler_adds_the_token_and_places_none():
    plain, filled = kv_retrieval_batch(8, 5, generator=1), kv_retrieval_batch(8, 5, filler=True, generator=1)
    assert plain.vocab is not None and filled.vocab is not None
    assert torch.equal(plain.tokens, filled.tokens)
    assert filled.vocab.vocab_size == plain.vocab.vocab_size + 1


def test_kv_filler_prefix_and_gap_place_exact_counts():
    batch = kv_retrieval_batch(4, 5, filler=True, filler_prefix=6, filler_gap=2, generator=0)
    assert isinstance(batch.vocab, KVVocab)
    f = batch.vocab.offset("filler")
    row = batch.tokens[0].tolist()
    assert row[1:7] == [f] * 6 and row[7] != f  # the prefix
    assert row[9:11] == [f, f] and row[11] != f  # the first gap
    assert len(row) == 2 * 5 + 3 + 6 + 2 * 4
    assert row[-2] == batch.vocab.sep and row[-3] != f  # no gap after the last pair


def test_kv_scattered_filler_lands_in_different_gaps_per_row():
    batch = kv_retrieval_batch(64, 6, filler=True, n_filler=3, generator=0)
    assert batch.vocab is not None
    f = batch.vocab.offset("filler")
    assert ((batch.tokens == f).sum(1) == 3).all()
    assert len({tuple((row == f).nonzero().flatten().tolist()) for row in batch.tokens}) > 10


def test_kv_filler_counts_add_up():
    batch = kv_retrieval_batch(3, 4, filler=True, filler_prefix=1, filler_gap=2, n_filler=5, generator=0)
    assert batch.vocab is not None
    f = batch.vocab.offset("filler")
    assert ((batch.tokens == f).sum(1) == 1 + 2 * 3 + 5).all()
    assert (batch.tokens[:, 1] == f).all()  # the prefix comes first, the scattered ones anywhere


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(filler=True, filler_gap=-1), "filler_gap is a number of filler tokens"),
        (dict(filler=True, filler_prefix=1.5), "filler_prefix is a number of filler tokens"),
        (dict(filler=True, n_filler=(3, 1)), "n_filler must be an int or an inclusive range"),
        (dict(n_filler=2), "pass filler=True"),
        (dict(filler_gap=1), "pass filler=True"),
    ],
)
def test_kv_filler_counts_are_counts_of_the_filler_token(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kv_retrieval_batch(2, 4, **kwargs, generator=0)


def test_kv_query_first_puts_the_query_key_after_bos():
    batch = kv_retrieval_batch(16, 6, query_first=True, generator=2)
    plain = kv_retrieval_batch(16, 6, generator=2)
    assert torch.equal(batch.tokens[:, 1], batch.tokens[:, -1])
    assert torch.equal(torch.cat([batch.tokens[:, :1], batch.tokens[:, 2:]], 1), plain.tokens)
    assert torch.equal(batch.relevant_pos, plain.relevant_pos + 1)


def test_kv_n_pairs_range():
    ks = {kv_retrieval_batch(2, (4, 6), generator=seed).n_pairs for seed in range(40)}
    assert ks == {4, 5, 6}
    batch = kv_retrieval_batch(2, (4, 4), generator=0)
    assert batch.n_pairs == 4 and batch.tokens.shape == (2, 11)


#: The message of a bad n_pairs: its bounds, then what to pass.
N_PAIRS_RANGE = (
    r"n_pairs must be an int or an inclusive range \(lo, hi\) with 1 <= lo <= hi <= 128 = n_keys "
    r"\(keys are distinct\); got {}: pass one int, or a tuple of two within those bounds"
)
#: The message of a bad query_index: the pairs it may name, then what to pass.
QUERY_RANGE = (
    r"query_index must be an int or a \(4,\) tensor with values in \[0, n_pairs=4\); got {}: pass integer pair"
)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_pairs=0), N_PAIRS_RANGE.format("0")),
        (dict(n_pairs=129), N_PAIRS_RANGE.format("129")),
        (dict(n_pairs=(8, 4)), N_PAIRS_RANGE.format(r"\(8, 4\)")),
        (dict(n_pairs=(2, 3, 4)), N_PAIRS_RANGE.format(r"\(2, 3, 4\)")),
        (dict(n_pairs=2.5), N_PAIRS_RANGE.format("2.5")),
        (dict(n_pairs=4, query_index=4), QUERY_RANGE.format("4")),
        (dict(n_pairs=4, query_index=-1), QUERY_RANGE.format("-1")),
        (dict(n_pairs=4, query_index=torch.tensor([0, 1, 2])), QUERY_RANGE.format(r"tensor\(\[0, 1, 2\]\)")),
        (dict(n_pairs=4, query_index=torch.tensor([0.0] * 4)), QUERY_RANGE.format(r"tensor\(\[0\., 0\., 0\., 0\.\]\)")),
        (
            dict(n_pairs=4, query_index=1, edge_bias=0.5),
            r"pass either query_index \(a fixed pair\) or edge_bias .*not both",
        ),
        (dict(n_pairs=4, edge_bias=1.5), r"edge_bias is a probability in \[0, 1\]; got 1.5: pass one in that range"),
        (dict(n_pairs=4, n_keys=0), "n_keys must be a positive int; got 0: pass 1 or more"),
        (dict(n_pairs=4, batch_size=0), "batch_size must be a positive int; got 0: pass 1 or more"),
    ],
)
def test_kv_bad_arguments(kwargs, match):
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        kv_retrieval_batch(generator=0, **kwargs)


def test_numpy_integers_are_accepted():  # sweeps often produce np.int64 lengths and seeds
    # typed Any: np.int64 is no int to mypy, but the checks accept any numbers.Integral
    kwargs: dict[str, Any] = dict(batch_size=np.int64(2), n_pairs=(np.int64(3), np.int64(3)), generator=np.int64(0))
    batch = kv_retrieval_batch(**kwargs)
    assert torch.equal(batch.tokens, kv_retrieval_batch(2, 3, generator=0).tokens)


def test_associative_recall_has_exactly_one_matching_item():
    batch = associative_recall_batch(64, 40, n_keys=8, n_values=4, generator=2)  # K > n_keys: keys repeat
    vocab = batch.vocab
    assert isinstance(vocab, RecallVocab)
    items = batch.tokens[:, 1:-1] - vocab.offset("item")  # (B, K)
    keys, values = items // vocab.n_values, items % vocab.n_values
    query_key = batch.tokens[:, -1] - vocab.offset("query")
    assert ((keys == query_key[:, None]).sum(1) == 1).all()
    match = (keys == query_key[:, None]).long().argmax(1)
    assert torch.equal(batch.relevant_pos, match + 1)
    answer = batch.targets[rows(batch), batch.answer_pos]
    assert torch.equal(answer, vocab.item(query_key, values[rows(batch), match]))


def test_value_answers_are_the_matching_items_value_on_the_same_inputs():
    items = associative_recall_batch(64, 40, n_keys=8, n_values=4, generator=2)
    values = associative_recall_batch(64, 40, n_keys=8, n_values=4, value_answers=True, generator=2)
    assert torch.equal(items.tokens, values.tokens) and torch.equal(items.relevant_pos, values.relevant_pos)
    vocab = values.vocab
    assert isinstance(vocab, RecallVocab) and items.vocab is not None
    assert (
        vocab.vocab_size
        == items.vocab.vocab_size + 4
        == task_vocab_size("associative_recall", n_keys=8, n_values=4, value_answers=True)
    )
    assert vocab.offset("item") == items.vocab.offset("item")  # input ids do not move
    matched = values.tokens[rows(values), values.relevant_pos] - vocab.offset("item")
    answer = values.targets[rows(values), values.answer_pos]
    assert torch.equal(answer, vocab.offset("value") + matched % vocab.n_values)
    assert (values.targets != IGNORE_INDEX).sum() == 64  # one loss per row, as before


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            dict(n_items=0),
            r"n_items must be an int or an inclusive range \(lo, hi\) with 1 <= lo <= hi; got 0: pass one",
        ),
        (dict(n_items=(5, 2)), r"n_items must be an int .*; got \(5, 2\): pass one int, or a tuple of two"),
        (
            dict(n_items=4, n_keys=1),
            r"n_keys must be at least 2 \(distractors need another key\); got 1: pass 2 or more",
        ),
    ],
)
def test_associative_recall_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        associative_recall_batch(4, generator=0, **kwargs)
