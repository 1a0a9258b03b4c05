import math

import numpy as np
import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX, TaskBatch, as_generator
from course_utils.core.tasks import (
    TASKS,
    BackcopyVocab,
    CopyVocab,
    KVVocab,
    NeedleVocab,
    SymbolVocab,
    associative_recall_batch,
    backcopy_batch,
    backcopy_optimal_losses,
    copy_batch,
    kv_retrieval_batch,
    make_batch_fn,
    needle_batch,
    repeated_sequence_batch,
    task_vocab_size,
)

# one small configuration per registered task
CONFIGS = {
    "kv_retrieval": dict(batch_size=16, n_pairs=(2, 8)),
    "needle": dict(batch_size=16, n=40),
    "associative_recall": dict(batch_size=16, n_items=(3, 9), n_keys=5, n_values=3),
    "copy": dict(batch_size=16, seq_len=7, n_symbols=10),
    "repeated_sequence": dict(batch_size=16, seq_len=5, repeats=3),
    "backcopy": dict(batch_size=16, n=48),
    "decoy_needle": dict(batch_size=16, n=(20, 40), n_decoys=(0, 4)),
    "near_miss": dict(batch_size=16, n=(24, 48), n_decoys=(0, 4)),
    "text": dict(batch_size=4, n=32),
    "loop_stream": dict(batch_size=8, n_sentences=5, sentence_len=4, n_symbols=6),
}


def rows(batch: TaskBatch) -> torch.Tensor:
    return torch.arange(len(batch.tokens))


def test_every_task_has_a_config():
    assert set(CONFIGS) == set(TASKS)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_batch_contract(name):
    kwargs = CONFIGS[name]
    batch = make_batch_fn(name, **kwargs)(torch.Generator().manual_seed(0))
    b, n = batch.tokens.shape
    assert b == kwargs["batch_size"] and batch.task == name
    assert batch.targets.shape == (b, n) and batch.tokens.dtype == batch.targets.dtype == torch.long
    assert batch.answer_pos.shape == batch.relevant_pos.shape == (b,)
    vocab_size = task_vocab_size(name, **kwargs)
    assert batch.vocab.vocab_size == vocab_size
    assert 0 <= batch.tokens.min() and batch.tokens.max() < vocab_size
    has_loss = batch.targets != IGNORE_INDEX
    assert (batch.targets[has_loss] >= 0).all() and (batch.targets[has_loss] < vocab_size).all()
    assert (batch.tokens[:, 0] == 0).all()  # BOS everywhere
    answers = batch.targets[rows(batch), batch.answer_pos]
    assert (answers != IGNORE_INDEX).all()
    if name != "text":  # language modelling has no single relevant token (value answers: their own test)
        assert torch.equal(batch.tokens[rows(batch), batch.relevant_pos], answers)
    assert (batch.relevant_pos <= batch.answer_pos).all()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_same_seed_same_batch(name):
    batch_fn = make_batch_fn(name, **CONFIGS[name])
    a, b, c = batch_fn(torch.Generator().manual_seed(3)), batch_fn(3), batch_fn(4)
    assert torch.equal(a.tokens, b.tokens) and torch.equal(a.targets, b.targets)
    assert torch.equal(a.answer_pos, b.answer_pos) and torch.equal(a.relevant_pos, b.relevant_pos)
    assert a.tokens.shape != c.tokens.shape or not torch.equal(a.tokens, c.tokens)


def test_kv_answer_is_value_of_queried_key():
    batch = kv_retrieval_batch(64, 10, generator=1)
    vocab = batch.vocab
    for tokens, target, answer_pos in zip(batch.tokens, batch.targets, batch.answer_pos):
        assert tokens.shape == (2 * 10 + 3,) and tokens[-2] == vocab.sep
        keys, values = tokens[1:-2:2], tokens[2:-2:2]
        assert len(set(keys.tolist())) == 10  # distinct keys
        assert ((keys >= vocab.offset("k")) & (keys < vocab.offset("v"))).all()
        assert (values >= vocab.offset("v")).all()
        (match,) = torch.nonzero(keys == tokens[-1])[0]
        assert target[answer_pos] == values[match]
        assert (target != IGNORE_INDEX).sum() == 1 and answer_pos == len(tokens) - 1


def test_kv_query_index():
    batch = kv_retrieval_batch(8, 6, query_index=2, generator=0)
    assert (batch.query_index == 2).all() and (batch.relevant_pos == 2 + 2 * 2).all()
    assert (batch.tokens[:, -1] == batch.tokens[:, 1 + 2 * 2]).all()
    per_row = torch.arange(6)
    batch = kv_retrieval_batch(6, 6, query_index=per_row, generator=0)
    assert torch.equal(batch.query_index, per_row)
    assert torch.equal(batch.relevant_pos, 2 + 2 * per_row)


def test_kv_edge_bias():
    k, e = 16, 4
    edge = kv_retrieval_batch(2000, k, edge_bias=1.0, generator=0).query_index
    assert ((edge < e) | (edge >= k - e)).all()
    assert (edge < e).any() and (edge >= k - e).any()
    uniform = kv_retrieval_batch(2000, k, generator=0).query_index
    assert set(uniform.tolist()) == set(range(k))
    tiny = kv_retrieval_batch(100, 1, edge_bias=1.0, generator=0).query_index
    assert (tiny == 0).all()


def _without_filler(tokens: torch.Tensor, filler_id: int) -> list[list[int]]:
    return [[t for t in row.tolist() if t != filler_id] for row in tokens]


@pytest.mark.parametrize(
    "options",
    [dict(filler_prefix=5), dict(filler_gap=3), dict(n_filler=(2, 7)), dict(filler_prefix=2, filler_gap=1, n_filler=4)],
)
def test_kv_filler_moves_pairs_without_changing_the_task(options):
    plain = kv_retrieval_batch(32, 8, generator=3)
    padded = kv_retrieval_batch(32, 8, filler=True, generator=3, **options)
    f = padded.vocab.offset("f")
    assert f == plain.vocab.vocab_size  # the filler is a new id after the values
    assert _without_filler(padded.tokens, f) == plain.tokens.tolist()  # same pairs, query and order
    rows = torch.arange(32)
    assert torch.equal(padded.tokens[rows, padded.relevant_pos], plain.tokens[rows, plain.relevant_pos])
    assert torch.equal(padded.tokens[rows, padded.relevant_pos - 1], padded.tokens[:, -1])  # its key is just before
    assert (padded.targets != IGNORE_INDEX).sum() == 32 and (padded.answer_pos == padded.tokens.shape[1] - 1).all()
    keys = (padded.tokens >= 2) & (padded.tokens < padded.vocab.offset("v"))
    assert ((padded.tokens[:, 1:] == f) <= ~keys[:, :-1]).all()  # a filler never follows a key (pairs stay whole)


def test_kv_filler_prefix_and_gap_place_exact_counts():
    batch = kv_retrieval_batch(4, 5, filler=True, filler_prefix=6, filler_gap=2, generator=0)
    f = batch.vocab.offset("f")
    row = batch.tokens[0].tolist()
    assert row[1:7] == [f] * 6 and row[7] != f  # the prefix
    assert row[9:11] == [f, f] and row[11] != f  # the first gap
    assert len(row) == 2 * 5 + 3 + 6 + 2 * 4
    assert row[-2] == batch.vocab.sep and row[-3] != f  # no gap after the last pair


def test_kv_random_filler_lands_in_different_gaps_per_row():
    batch = kv_retrieval_batch(64, 6, filler=True, n_filler=3, generator=0)
    f = batch.vocab.offset("f")
    assert ((batch.tokens == f).sum(1) == 3).all()
    assert len({tuple((row == f).nonzero().flatten().tolist()) for row in batch.tokens}) > 10


def test_kv_query_first_puts_the_query_key_after_bos():
    batch = kv_retrieval_batch(16, 6, query_first=True, generator=2)
    plain = kv_retrieval_batch(16, 6, generator=2)
    assert torch.equal(batch.tokens[:, 1], batch.tokens[:, -1])
    assert torch.equal(torch.cat([batch.tokens[:, :1], batch.tokens[:, 2:]], 1), plain.tokens)
    assert torch.equal(batch.relevant_pos, plain.relevant_pos + 1)


def test_kv_filler_needs_the_filler_token_and_counts_at_least_zero():
    with pytest.raises(ValueError, match="filler=True"):
        kv_retrieval_batch(2, 4, filler_prefix=3, generator=0)
    with pytest.raises(ValueError, match="filler_gap"):
        kv_retrieval_batch(2, 4, filler=True, filler_gap=-1, generator=0)
    with pytest.raises(ValueError, match="n_filler"):
        kv_retrieval_batch(2, 4, filler=True, n_filler=(3, 1), generator=0)


def test_kv_n_pairs_range():
    ks = {kv_retrieval_batch(2, (4, 6), generator=seed).n_pairs for seed in range(40)}
    assert ks == {4, 5, 6}
    batch = kv_retrieval_batch(2, (4, 4), generator=0)
    assert batch.n_pairs == 4 and batch.tokens.shape == (2, 11)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_pairs=0),
        dict(n_pairs=129),
        dict(n_pairs=(8, 4)),
        dict(n_pairs=(2, 3, 4)),
        dict(n_pairs=2.5),
        dict(n_pairs=4, query_index=4),
        dict(n_pairs=4, query_index=-1),
        dict(n_pairs=4, query_index=torch.tensor([0, 1, 2])),
        dict(n_pairs=4, query_index=torch.tensor([0.0] * 4)),
        dict(n_pairs=4, query_index=1, edge_bias=0.5),
        dict(n_pairs=4, edge_bias=1.5),
        dict(n_pairs=4, n_keys=0),
        dict(n_pairs=4, batch_size=0),
    ],
)
def test_kv_bad_arguments(kwargs):
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError):
        kv_retrieval_batch(generator=0, **kwargs)


@pytest.mark.parametrize("generator", ["0", 1.5, True])
def test_bad_generator(generator):
    with pytest.raises(ValueError, match="generator"):
        as_generator(generator)


def test_numpy_integers_are_accepted():  # sweeps often produce np.int64 lengths and seeds
    batch = kv_retrieval_batch(np.int64(2), (np.int64(3), np.int64(3)), generator=np.int64(0))
    assert torch.equal(batch.tokens, kv_retrieval_batch(2, 3, generator=0).tokens)


def test_needle_depth():
    n = 50
    vocab = NeedleVocab()
    for depth, marker in [(0.0, 1), (1.0, n - 3), (0.5, 1 + round(0.5 * (n - 4)))]:
        batch = needle_batch(8, n, depth=depth, generator=0)
        assert (batch.needle_pos == marker).all()
        assert (batch.tokens[:, marker] == vocab.needle).all() and (batch.relevant_pos == marker + 1).all()
    batch = needle_batch(500, n, generator=0)
    tokens = batch.tokens
    assert ((tokens == vocab.needle).sum(dim=1) == 1).all() and (tokens[:, -1] == vocab.query).all()
    assert ((tokens >= vocab.offset("v")).sum(dim=1) == 1).all()  # one value, the rest filler
    assert batch.needle_pos.min() == 1 and batch.needle_pos.max() == n - 3
    assert (batch.targets != IGNORE_INDEX).sum() == 500


@pytest.mark.parametrize("kwargs", [dict(n=3), dict(depth=1.5), dict(depth=-0.1), dict(n_filler=0)])
def test_needle_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        needle_batch(**{"batch_size": 2, "n": 20, **kwargs}, generator=0)


def test_copy_targets_equal_first_copy():
    m = 9
    batch = copy_batch(16, m, n_symbols=5, generator=0)
    tokens, targets = batch.tokens, batch.targets
    assert tokens.shape == (16, 2 * m + 2) and (tokens[:, m + 1] == CopyVocab.sep).all()
    first = tokens[:, 1 : m + 1]
    assert torch.equal(tokens[:, m + 2 :], first)
    assert torch.equal(targets[:, m + 1 : 2 * m + 1], first)
    assert (targets[:, : m + 1] == IGNORE_INDEX).all() and (targets[:, -1] == IGNORE_INDEX).all()
    assert (batch.answer_pos == 2 * m).all() and (batch.relevant_pos == m).all()


def test_copy_with_a_length_range_and_distinct_symbols():
    lengths = set()
    g = torch.Generator().manual_seed(0)
    for _ in range(40):
        batch = copy_batch(8, (4, 16), n_symbols=16, distinct=True, generator=g)
        m = batch.copy_len
        lengths.add(m)
        assert 4 <= m <= 16 and batch.tokens.shape == (8, 2 * m + 2)
        first = batch.tokens[:, 1 : m + 1]
        assert all(len(set(row.tolist())) == m for row in first)  # no symbol twice in a string
        assert torch.equal(batch.targets[:, m + 1 : 2 * m + 1], first)
    assert len(lengths) > 5
    held_out = {copy_batch(2, (4, 9), skip_lengths=(5, 7), generator=s).copy_len for s in range(60)}
    assert held_out == {4, 6, 8, 9}
    with pytest.raises(ValueError, match="leaves no length"):
        copy_batch(2, (4, 5), skip_lengths=(4, 5), generator=0)
    with pytest.raises(ValueError, match="n_symbols"):
        copy_batch(2, 17, n_symbols=16, distinct=True, generator=0)
    with pytest.raises(ValueError, match="seq_len"):
        copy_batch(2, (8, 4), generator=0)


def test_copy_with_a_fixed_length_draws_as_before():
    # the zoo's copy-rope-2l was trained on these batches: the new options must not change them
    g = torch.Generator().manual_seed(1)
    x = torch.randint(0, 16, (4, 12), generator=g) + 2
    assert torch.equal(copy_batch(4, 12, n_symbols=16, generator=1).tokens[:, 1:13], x)


def test_repeated_sequence():
    m, r = 6, 3
    batch = repeated_sequence_batch(8, m, r, n_symbols=20, generator=0)
    tokens = batch.tokens
    assert tokens.shape == (8, 1 + m * r) and batch.period == m and batch.copy_len is None
    assert torch.equal(tokens[:, 1 + m :], tokens[:, 1 : 1 + m * (r - 1)])  # period m
    assert torch.equal(batch.targets[:, :-1], tokens[:, 1:]) and (batch.targets[:, -1] == IGNORE_INDEX).all()
    assert (batch.relevant_pos == batch.answer_pos + 1 - m).all()


@pytest.mark.parametrize("kwargs", [dict(repeats=1), dict(seq_len=0), dict(n_symbols=-1)])
def test_repeated_sequence_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        repeated_sequence_batch(**{"batch_size": 2, "seq_len": 4, "repeats": 2, **kwargs}, generator=0)


def test_backcopy_stream():
    batch = backcopy_batch(64, 64, trigger_prob=0.2, generator=0)
    tokens, mask = batch.tokens, batch.copy_mask
    assert torch.equal(mask, tokens == BackcopyVocab.trigger)
    assert mask.any(dim=1).all() and not (mask[:, 1:] & mask[:, :-1]).any()  # never two in a row
    assert not mask[:, :2].any() and not mask[:, -1].any()
    b, t = torch.nonzero(mask, as_tuple=True)
    assert torch.equal(tokens[b, t + 1], tokens[b, t - 1])  # after a trigger, the token before it
    assert torch.equal(batch.targets[:, :-1], tokens[:, 1:])
    assert torch.equal(batch.answer_pos, torch.tensor([int(row.nonzero().max()) for row in mask]))
    counts = torch.bincount(tokens[~mask & (tokens > 1)] - 2, minlength=64)
    assert counts.argmax() == 0  # Zipf: symbol 0 is the most frequent


def test_backcopy_without_triggers_still_has_one():
    batch = backcopy_batch(8, 16, trigger_prob=0.0, generator=0)
    assert (batch.copy_mask.sum(dim=1) == 1).all() and (batch.answer_pos == 14).all()


@pytest.mark.parametrize("kwargs", [dict(n=3), dict(trigger_prob=1.5), dict(n_symbols=0)])
def test_backcopy_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        backcopy_batch(**{"batch_size": 2, "n": 16, **kwargs}, generator=0)


def test_vocab_layout_and_labels():
    vocab = KVVocab(n_keys=3, n_values=2)
    assert vocab.vocab_size == 7 and vocab.offset("k") == 2 and vocab.offset("v") == 5
    assert vocab.labels(torch.tensor([0, 2, 6, 1])) == ["BOS", "k0", "v1", "SEP"]
    assert SymbolVocab(n_symbols=4).labels(torch.tensor([0, 1])) == ["BOS", "s0"]
    needle_labels = NeedleVocab(n_filler=2, n_values=2).labels(torch.tensor([1, 2, 3, 5]))
    assert needle_labels == ["NEEDLE", "QUERY", "f0", "v0"]
    with pytest.raises(ValueError, match="no block"):
        vocab.offset("x")
    with pytest.raises(ValueError, match="at least 1"):
        KVVocab(n_keys=0)
    with pytest.raises(ValueError, match="one sequence"):
        vocab.labels(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="pass tokens, not targets"):
        vocab.labels(torch.tensor([0, IGNORE_INDEX]))


def test_registry_errors_and_vocab_size():
    assert task_vocab_size("kv_retrieval") == 2 + 128 + 64
    assert task_vocab_size("copy", batch_size=4, seq_len=3, n_symbols=10) == 12
    with pytest.raises(ValueError, match="unknown task"):
        make_batch_fn("kv", batch_size=4)
    with pytest.raises(ValueError, match="unexpected keyword argument 'n_key'; it takes .*'n_keys'"):
        make_batch_fn("kv_retrieval", batch_size=4, n_pairs=4, n_key=10)
    with pytest.raises(ValueError, match="unexpected keyword argument 'n_key'"):
        task_vocab_size("kv_retrieval", n_key=10)
    with pytest.raises(ValueError, match="missing a required argument: 'n_pairs'"):
        make_batch_fn("kv_retrieval", batch_size=4)
    with pytest.raises(ValueError, match="generator"):
        make_batch_fn("copy", batch_size=4, seq_len=3, generator=0)


def test_associative_recall_has_exactly_one_matching_item():
    batch = associative_recall_batch(64, 40, n_keys=8, n_values=4, generator=2)  # K > n_keys: keys repeat
    vocab = batch.vocab
    items = batch.tokens[:, 1:-1] - vocab.offset("i")  # (B, K)
    keys, values = items // vocab.n_values, items % vocab.n_values
    query_key = batch.tokens[:, -1] - vocab.offset("q")
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
    assert (
        vocab.vocab_size
        == items.vocab.vocab_size + 4
        == task_vocab_size("associative_recall", n_keys=8, n_values=4, value_answers=True)
    )
    assert vocab.offset("i") == items.vocab.offset("i")  # input ids do not move
    matched = values.tokens[rows(values), values.relevant_pos] - vocab.offset("i")
    answer = values.targets[rows(values), values.answer_pos]
    assert torch.equal(answer, vocab.offset("v") + matched % vocab.n_values)
    assert (values.targets != IGNORE_INDEX).sum() == 64  # one loss per row, as before


@pytest.mark.parametrize("kwargs", [dict(n_items=0), dict(n_items=(5, 2)), dict(n_items=4, n_keys=1)])
def test_associative_recall_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError):
        associative_recall_batch(4, generator=0, **kwargs)


def test_decoy_needle_layout():
    from course_utils.core.tasks import DecoyVocab, decoy_needle_batch

    batch = decoy_needle_batch(64, 40, n_decoys=5, generator=0)
    vocab = batch.vocab
    assert isinstance(vocab, DecoyVocab) and batch.tokens.shape == (64, 40)
    assert (batch.tokens == vocab.needle).sum(1).eq(1).all()
    assert (batch.tokens == vocab.decoy).sum(1).eq(5).all()
    rows = torch.arange(64)
    assert (batch.tokens[rows, batch.needle_pos] == vocab.needle).all()
    assert batch.decoy_pos.shape == (64, 5) and (batch.tokens[rows[:, None], batch.decoy_pos] == vocab.decoy).all()
    values = batch.tokens[rows, batch.needle_pos + 1]
    assert (values >= vocab.offset("v")).all()
    assert torch.equal(batch.targets[:, -1], values)
    assert (batch.targets[:, :-1] == IGNORE_INDEX).all()
    markers = (batch.tokens == vocab.needle) | (batch.tokens == vocab.decoy)
    after = torch.roll(markers, 1, dims=1)
    assert (batch.tokens[after] >= vocab.offset("v")).all()  # every marker is followed by a value


def test_decoy_needle_ranges_and_errors():
    from course_utils.core.tasks import decoy_needle_batch

    batch = decoy_needle_batch(4, (16, 32), n_decoys=(0, 3), generator=1)
    assert 16 <= batch.tokens.shape[1] <= 32 and 0 <= batch.decoy_pos.shape[1] <= 3
    with pytest.raises(ValueError, match="no room"):
        decoy_needle_batch(2, 8, n_decoys=4, generator=0)
    with pytest.raises(ValueError, match="inclusive range"):
        decoy_needle_batch(2, (32, 16), generator=0)


def test_near_miss_layout():
    """The needle's key (a, b) is unique; every decoy shares a and differs in b; the answer is the needle's value."""
    from course_utils.core.tasks import NearMissVocab, near_miss_batch

    batch = near_miss_batch(64, 40, n_decoys=5, generator=0)
    vocab, needle, decoys = batch.vocab, batch.needle_pos, batch.decoy_pos
    assert isinstance(vocab, NearMissVocab) and batch.tokens.shape == (64, 40) and decoys.shape == (64, 5)
    rows = torch.arange(64)
    t = batch.tokens
    assert ((t >= vocab.offset("a")) & (t < vocab.offset("b"))).sum(1).eq(1 + 5 + 1).all()  # items and query
    assert (t[rows[:, None], decoys] == t[rows, needle][:, None]).all()  # same first key token
    assert (t[rows[:, None], decoys + 1] != t[rows, needle + 1][:, None]).all()  # another second token
    assert torch.equal(t[:, -2], t[rows, needle]) and torch.equal(t[:, -1], t[rows, needle + 1])
    assert (t[:, -3] == vocab.query).all()
    assert torch.equal(batch.targets[:, -1], t[rows, needle + 2]) and torch.equal(batch.relevant_pos, needle + 2)
    assert (batch.targets[:, :-1] == IGNORE_INDEX).all()


def test_near_miss_ranges_and_errors():
    from course_utils.core.tasks import near_miss_batch

    batch = near_miss_batch(4, (32, 48), n_decoys=(0, 3), generator=1)
    assert 32 <= batch.tokens.shape[1] <= 48 and 0 <= batch.decoy_pos.shape[1] <= 3
    with pytest.raises(ValueError, match="no room"):
        near_miss_batch(2, 12, n_decoys=4, generator=0)
    with pytest.raises(ValueError, match="n_keys"):
        near_miss_batch(2, 32, n_keys=1, generator=0)


def test_text_batch_is_corpus_windows():
    from course_utils.core.corpus import corpus_splits, text_batch

    batch = text_batch(4, 32, split="val", generator=0)
    assert torch.equal(batch.tokens[:, 1:], batch.targets[:, :-1])
    assert batch.vocab.vocab_size == corpus_splits()[0].vocab_size
    with pytest.raises(ValueError, match="split"):
        text_batch(2, 16, split="test", generator=0)


def test_loop_stream_repeats_marked_sentences():
    from course_utils.core.tasks import loop_stream_batch

    batch = loop_stream_batch(32, 6, sentence_len=4, repeat_prob=0.5, generator=0)
    sentences = batch.tokens[:, 1:].view(32, 6, 5)
    assert (sentences[:, :, -1] == batch.vocab.end).all()
    same = (sentences[:, 1:] == sentences[:, :-1]).all(-1)  # (B, 5)
    assert torch.equal(same[batch.repeat[:, 1:]], torch.ones_like(same[batch.repeat[:, 1:]]))
    assert not batch.repeat[:, 0].any()
    assert 0.3 < batch.repeat[:, 1:].float().mean() < 0.7
    with pytest.raises(ValueError, match="repeat_prob"):
        loop_stream_batch(2, 3, repeat_prob=2.0, generator=0)


def test_the_registry_serves_the_corpus_task():
    from course_utils.core import corpus

    assert TASKS["text"].batch_fn is corpus.text_batch and TASKS["text"].vocab_cls is corpus.TextVocab


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        (5, {}, (5, 5)),
        ((2, 9), {}, (2, 9)),
        ([3, 3], {"hi": 3}, (3, 3)),
        ((-2, 1), {"lo": None}, (-2, 1)),
    ],
)
def test_parse_range(value, kwargs, expected):
    from course_utils.core.tasks import _parse_range

    assert _parse_range("n", value, **kwargs) == expected


@pytest.mark.parametrize(
    "value, kwargs",
    [
        (0, {}),
        ((4, 2), {}),
        ((1, 9), {"hi": 8}),
        ((1.0, 2), {}),
        ((1, 2, 3), {}),
        (True, {}),
        ("3", {}),
    ],
)
def test_parse_range_errors(value, kwargs):
    from course_utils.core.tasks import _parse_range

    with pytest.raises(ValueError, match="inclusive range"):
        _parse_range("n", value, **kwargs)


def test_backcopy_floor_is_the_streams_entropy():
    """Mid-stream idle queries: H(trigger or not) + 0.9 H(Zipf); copies: 0; never infinite."""
    batch = backcopy_batch(4096, 64, generator=1)
    floor = backcopy_optimal_losses(batch.tokens)
    assert floor.shape == batch.tokens.shape and floor[:, -1].isnan().all() and not floor.isinf().any()
    zipf = 1 / torch.arange(1, 65, dtype=torch.float64)
    zipf = zipf / zipf.sum()
    p = 0.1
    expected = -p * math.log(p) - (1 - p) * math.log(1 - p) - (1 - p) * (zipf * zipf.log()).sum().item()
    copy = batch.copy_mask
    after_copy = torch.zeros_like(copy)
    after_copy[:, 1:] = copy[:, :-1]
    mid = torch.zeros_like(copy)
    mid[:, 5:58] = True
    assert floor[mid & ~copy & ~after_copy].mean().item() == pytest.approx(expected, abs=0.01)
    assert (floor[copy] == 0).all()
    with pytest.raises(ValueError, match="backcopy_batch"):
        backcopy_optimal_losses(batch.tokens[0])
