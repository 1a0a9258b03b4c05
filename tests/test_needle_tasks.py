"""A needle in a haystack, among decoys, and among near misses."""

import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.needle_tasks import decoy_needle_batch, near_miss_batch, needle_batch
from course_utils.core.vocabs import DecoyVocab, NearMissVocab, NeedleVocab


def test_needle_depth():
    n = 50
    vocab = NeedleVocab()
    for depth, marker in [(0.0, 1), (1.0, n - 3), (0.5, 1 + round(0.5 * (n - 4)))]:
        batch = needle_batch(8, n, depth=depth, generator=0)
        assert batch.needle_pos is not None
        assert (batch.needle_pos == marker).all()
        assert (batch.tokens[:, marker] == vocab.needle).all() and (batch.relevant_pos == marker + 1).all()
    batch = needle_batch(500, n, generator=0)
    assert batch.needle_pos is not None
    tokens = batch.tokens
    assert ((tokens == vocab.needle).sum(dim=1) == 1).all() and (tokens[:, -1] == vocab.query).all()
    assert ((tokens >= vocab.offset("value")).sum(dim=1) == 1).all()  # one value, the rest filler
    assert batch.needle_pos.min() == 1 and batch.needle_pos.max() == n - 3
    assert (batch.targets != IGNORE_INDEX).sum() == 500


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n=3), r"n must be at least 4 \(BOS, NEEDLE, value, QUERY\); got 3: pass n >= 4"),
        (dict(depth=1.5), r"depth is a relative position in \[0, 1\]; got 1.5: pass 0.0 \(first\) to 1.0 \(last\)"),
        (dict(depth=-0.1), r"depth is a relative position in \[0, 1\]; got -0.1: pass 0.0"),
        (dict(filler_vocab=0), "filler_vocab must be a positive int; got 0: pass 1 or more"),
    ],
)
def test_needle_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        needle_batch(**{"batch_size": 2, "n": 20, **kwargs}, generator=0)


def test_decoy_needle_layout():
    batch = decoy_needle_batch(64, 40, n_decoys=5, generator=0)
    vocab = batch.vocab
    assert isinstance(vocab, DecoyVocab) and batch.tokens.shape == (64, 40)
    assert batch.needle_pos is not None and batch.decoy_pos is not None
    assert (batch.tokens == vocab.needle).sum(1).eq(1).all()
    assert (batch.tokens == vocab.decoy).sum(1).eq(5).all()
    rows = torch.arange(64)
    assert (batch.tokens[rows, batch.needle_pos] == vocab.needle).all()
    assert batch.decoy_pos.shape == (64, 5) and (batch.tokens[rows[:, None], batch.decoy_pos] == vocab.decoy).all()
    values = batch.tokens[rows, batch.needle_pos + 1]
    assert (values >= vocab.offset("value")).all()
    assert torch.equal(batch.targets[:, -1], values)
    assert (batch.targets[:, :-1] == IGNORE_INDEX).all()
    markers = (batch.tokens == vocab.needle) | (batch.tokens == vocab.decoy)
    after = torch.roll(markers, 1, dims=1)
    assert (batch.tokens[after] >= vocab.offset("value")).all()  # every marker is followed by a value


def test_decoy_needle_ranges_and_errors():
    batch = decoy_needle_batch(4, (16, 32), n_decoys=(0, 3), generator=1)
    assert batch.decoy_pos is not None
    assert 16 <= batch.tokens.shape[1] <= 32 and 0 <= batch.decoy_pos.shape[1] <= 3
    with pytest.raises(ValueError, match="no room"):
        decoy_needle_batch(2, 8, n_decoys=4, generator=0)
    with pytest.raises(ValueError, match="inclusive range"):
        decoy_needle_batch(2, (32, 16), generator=0)


def test_near_miss_layout():
    """The needle's key (a, b) is unique; every decoy shares a and differs in b; the answer is the needle's value."""
    batch = near_miss_batch(64, 40, n_decoys=5, generator=0)
    vocab, needle, decoys = batch.vocab, batch.needle_pos, batch.decoy_pos
    assert needle is not None and decoys is not None
    assert isinstance(vocab, NearMissVocab) and batch.tokens.shape == (64, 40) and decoys.shape == (64, 5)
    rows = torch.arange(64)
    t = batch.tokens
    first_keys = (t >= vocab.offset("first_key")) & (t < vocab.offset("second_key"))
    assert first_keys.sum(1).eq(1 + 5 + 1).all()  # items and query
    assert (t[rows[:, None], decoys] == t[rows, needle][:, None]).all()  # same first key token
    assert (t[rows[:, None], decoys + 1] != t[rows, needle + 1][:, None]).all()  # another second token
    assert torch.equal(t[:, -2], t[rows, needle]) and torch.equal(t[:, -1], t[rows, needle + 1])
    assert (t[:, -3] == vocab.query).all()
    assert torch.equal(batch.targets[:, -1], t[rows, needle + 2]) and torch.equal(batch.relevant_pos, needle + 2)
    assert (batch.targets[:, :-1] == IGNORE_INDEX).all()


def test_near_miss_ranges_and_errors():
    batch = near_miss_batch(4, (32, 48), n_decoys=(0, 3), generator=1)
    assert batch.decoy_pos is not None
    assert 32 <= batch.tokens.shape[1] <= 48 and 0 <= batch.decoy_pos.shape[1] <= 3
    with pytest.raises(ValueError, match="no room"):
        near_miss_batch(2, 12, n_decoys=4, generator=0)
    with pytest.raises(ValueError, match="n_keys"):
        near_miss_batch(2, 32, n_keys=1, generator=0)
