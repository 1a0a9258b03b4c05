"""Unit tests of course_utils.chapters.circuits on hand-made models whose answer is known."""

import pytest
import torch
from torch import nn

from course_utils.chapters.circuits import overwrite_probe, weight_by_distance
from course_utils.core.copy_tasks import copy_batch, repeated_sequence_batch


class FixedOffset(nn.Module):
    """Attends exactly `offset` back (clamped at BOS) and writes the token just before its key: with
    offset = m - 1 this is the positional copier of notebook 01 (the key's predecessor is the answer)."""

    def __init__(self, offset: int, vocab: int) -> None:
        super().__init__()
        self.offset, self.vocab = offset, vocab

    def forward(self, tokens, need_weights=False):
        batch, n = tokens.shape
        keys = (torch.arange(n) - self.offset).clamp(min=0)
        attn = torch.zeros(1, batch, 1, n, n)
        attn[0, :, 0, torch.arange(n), keys] = 1.0
        written = tokens[:, (keys - 1).clamp(min=0)]  # the key's predecessor
        logits = nn.functional.one_hot(written, self.vocab).float()
        return (logits, attn) if need_weights else logits


class ContentLookup(nn.Module):
    """Finds the current token in the string x1..xm and writes the one after it (an ideal induction head)."""

    def __init__(self, m: int, vocab: int) -> None:
        super().__init__()
        self.m, self.vocab = m, vocab

    def forward(self, tokens):
        string = tokens[:, 1 : self.m + 1]
        nxt = torch.roll(string, -1, dims=1)
        match = tokens[:, :, None] == string[:, None, :]  # (B, n, m)
        written = (match.float() * nxt[:, None, :]).sum(-1).long()
        return nn.functional.one_hot(written, self.vocab).float()


def test_weight_by_distance_finds_the_offset():
    m = 6
    batch = copy_batch(8, m, n_symbols=20, generator=0)
    profile = weight_by_distance(FixedOffset(m - 1, 22), batch)
    assert profile.shape == (1, 1, m + 2)
    assert int(profile[0, 0].argmax()) == m - 1 and profile[0, 0, m - 1] == pytest.approx(1.0)


def test_overwrite_probe_tells_content_from_position():
    m = 8
    batch = copy_batch(64, m, n_symbols=30, distinct=True, generator=1)
    assert overwrite_probe(ContentLookup(m, 32), batch, at=3, source=6) == (1.0, 0.0)
    assert overwrite_probe(FixedOffset(m - 1, 32), batch, at=3, source=6) == (0.0, 1.0)


def test_probes_reject_other_batches_and_bad_positions():
    batch = copy_batch(4, 6, n_symbols=20, distinct=True, generator=0)
    with pytest.raises(ValueError, match="at != source"):
        overwrite_probe(FixedOffset(5, 22), batch, at=2, source=2)
    with pytest.raises(ValueError, match="1 <= at"):
        overwrite_probe(FixedOffset(5, 22), batch, at=6, source=2)
    repeated = repeated_sequence_batch(4, 6, 2, n_symbols=20, generator=0)  # has a seq_len, but is no copy batch
    with pytest.raises(ValueError, match="copy batch"):
        weight_by_distance(FixedOffset(5, 22), repeated)
    with pytest.raises(ValueError, match="copy batch"):
        overwrite_probe(FixedOffset(5, 22), repeated, at=2, source=3)
