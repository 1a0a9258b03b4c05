"""Copy, repeated sequences, the backcopy stream and its loss floor, the loop stream."""

import math

import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.copy_tasks import (
    backcopy_batch,
    backcopy_optimal_losses,
    copy_batch,
    loop_stream_batch,
    repeated_sequence_batch,
)
from course_utils.core.vocabs import BackcopyVocab, CopyVocab, LoopVocab


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
        assert m is not None
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
    # the zoo's copy-s0 was trained on these batches: the new options must not change them
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


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(repeats=1), r"repeats must be an int >= 2 \(one copy has nothing to repeat\); got 1: pass 2 or more"),
        (dict(seq_len=0), "seq_len must be a positive int; got 0: pass 1 or more"),
        (dict(n_symbols=-1), "n_symbols must be a positive int; got -1: pass 1 or more"),
    ],
)
def test_repeated_sequence_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        repeated_sequence_batch(**{"batch_size": 2, "seq_len": 4, "repeats": 2, **kwargs}, generator=0)


def test_backcopy_stream():
    batch = backcopy_batch(64, 64, trigger_prob=0.2, generator=0)
    tokens, mask = batch.tokens, batch.copy_mask
    assert mask is not None
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
    assert batch.copy_mask is not None
    assert (batch.copy_mask.sum(dim=1) == 1).all() and (batch.answer_pos == 14).all()


def test_backcopy_without_bos_starts_with_a_symbol():
    batch = backcopy_batch(8, 32, bos=False, generator=3)
    assert batch.vocab is not None and batch.copy_mask is not None
    assert (batch.tokens[:, 0] >= batch.vocab.offset("symbol")).all()
    b, t = torch.nonzero(batch.copy_mask, as_tuple=True)
    assert torch.equal(batch.tokens[b, t + 1], batch.tokens[b, t - 1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n=3), r"n must be at least 4 \(BOS, symbol, TRIGGER, copy\); got 3: pass n >= 4"),
        (dict(trigger_prob=1.5), r"trigger_prob is a probability in \[0, 1\]; got 1.5: pass one in that range"),
        (dict(n_symbols=0), "n_symbols must be a positive int; got 0: pass 1 or more"),
    ],
)
def test_backcopy_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        backcopy_batch(**{"batch_size": 2, "n": 16, **kwargs}, generator=0)


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
    assert copy is not None
    after_copy = torch.zeros_like(copy)
    after_copy[:, 1:] = copy[:, :-1]
    mid = torch.zeros_like(copy)
    mid[:, 5:58] = True
    assert floor[mid & ~copy & ~after_copy].mean().item() == pytest.approx(expected, abs=0.01)
    assert (floor[copy] == 0).all()
    with pytest.raises(ValueError, match="backcopy_batch"):
        backcopy_optimal_losses(batch.tokens[0])


def test_loop_stream_repeats_marked_sentences():
    batch = loop_stream_batch(32, 6, sentence_len=4, repeat_prob=0.5, generator=0)
    assert isinstance(batch.vocab, LoopVocab) and batch.repeat_mask is not None
    sentences = batch.tokens[:, 1:].view(32, 6, 5)
    assert (sentences[:, :, -1] == batch.vocab.end).all()
    same = (sentences[:, 1:] == sentences[:, :-1]).all(-1)  # (B, 5)
    assert torch.equal(same[batch.repeat_mask[:, 1:]], torch.ones_like(same[batch.repeat_mask[:, 1:]]))
    assert not batch.repeat_mask[:, 0].any()
    assert 0.3 < batch.repeat_mask[:, 1:].float().mean() < 0.7
    with pytest.raises(ValueError, match="repeat_prob"):
        loop_stream_batch(2, 3, repeat_prob=2.0, generator=0)
