"""The tasks' token-id layouts: block names, offsets, sizes and labels."""

import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.vocabs import KVVocab, NearMissVocab, NeedleVocab, RecallVocab, SymbolVocab, TokenRange


def test_vocab_layout_and_labels():
    vocab = KVVocab(n_keys=3, n_values=2)
    assert vocab.vocab_size == 7 and vocab.offset("key") == 2 and vocab.offset("value") == 5
    assert vocab.labels(torch.tensor([0, 2, 6, 1])) == ["BOS", "k0", "v1", "SEP"]
    assert SymbolVocab(n_symbols=4).labels(torch.tensor([0, 1])) == ["BOS", "s0"]
    needle_labels = NeedleVocab(filler_vocab=2, n_values=2).labels(torch.tensor([1, 2, 3, 5]))
    assert needle_labels == ["NEEDLE", "QUERY", "f0", "v0"]
    with pytest.raises(ValueError, match="no token range 'k' in KVVocab; its ranges are \\['key', 'value'\\]"):
        vocab.offset("k")
    with pytest.raises(ValueError, match="at least 1"):
        KVVocab(n_keys=0)
    with pytest.raises(ValueError, match="one sequence"):
        vocab.labels(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="pass tokens, not targets"):
        vocab.labels(torch.tensor([0, IGNORE_INDEX]))


def test_blocks_are_named_for_what_they_hold_and_labelled_short():
    assert NearMissVocab(n_keys=2, n_values=1, filler_vocab=1).token_ranges() == (
        TokenRange("first_key", 2, "a"),
        TokenRange("second_key", 2, "b"),
        TokenRange("value", 1, "v"),
        TokenRange("filler", 1, "f"),
    )
    vocab = RecallVocab(n_keys=2, n_values=3, value_answers=True)
    assert [token_range.name for token_range in vocab.token_ranges()] == ["query", "item", "value"]
    assert vocab.labels(torch.tensor([1, 3, 8, 9])) == ["q0", "i0", "i5", "v0"]


def test_the_filler_token_comes_after_the_values_and_moves_nothing():
    plain, filled = KVVocab(n_keys=4, n_values=3), KVVocab(n_keys=4, n_values=3, filler=True)
    assert filled.offset("filler") == plain.vocab_size == filled.vocab_size - 1
    assert (filled.offset("key"), filled.offset("value")) == (plain.offset("key"), plain.offset("value"))


def test_a_recall_item_holds_its_key_and_value():
    vocab = RecallVocab(n_keys=4, n_values=3)
    keys, values = torch.arange(4).repeat_interleave(3), torch.arange(3).repeat(4)
    items = vocab.item(keys, values)
    assert torch.equal(items, vocab.offset("item") + torch.arange(12))  # every (key, value) once, in order
    assert torch.equal((items - vocab.offset("item")) // 3, keys)
