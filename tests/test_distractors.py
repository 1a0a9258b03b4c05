"""A needle model among distractors: item weights read off the attention, and chapter 05's two measurements
equal a direct computation on their seeded batches."""

import math

import pytest
import torch

from course_utils.chapters.distractors import NearMissResult, decoy_accuracy, item_weights, measure_near_miss
from course_utils.core.evaluate import target_accuracy
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.needle_tasks import decoy_needle_batch, near_miss_batch
from course_utils.core.vocabs import DecoyVocab, NearMissVocab


def test_item_weights_sum_the_items_tokens():
    """Each item's weight is the last layer's final-query weight summed over its tokens; bad slots are errors."""
    torch.manual_seed(0)
    batch = near_miss_batch(4, 40, n_decoys=3, generator=0)
    assert batch.vocab is not None and batch.needle_pos is not None and batch.decoy_pos is not None
    model = TinyGPT(GPTConfig(vocab_size=batch.vocab.vocab_size, max_len=64, layers=2, positional="alibi"))
    starts = torch.cat([batch.needle_pos[:, None], batch.decoy_pos], dim=1)  # (4, 4)
    weights = item_weights(model, batch.tokens, starts, width=3)
    _, attn = model(batch.tokens, need_weights=True)
    last = attn[-1][:, :, -1]  # (B, H, n)
    for b in range(4):
        for i, start in enumerate(starts[b].tolist()):
            torch.testing.assert_close(weights[b, :, i], last[b, :, start : start + 3].sum(-1))
    with pytest.raises(ValueError, match="inside the sequence"):
        item_weights(model, batch.tokens, starts + 40, width=3)
    with pytest.raises(ValueError, match="starts must be"):
        item_weights(model, batch.tokens, starts[0], width=3)


def test_decoy_accuracy_scores_its_seeded_batch():
    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=DecoyVocab().vocab_size, max_len=512, layers=1))
    for n, n_decoys, rows in ((64, 4, 64), (300, 0, 32)):  # 64 sequences up to n = 256, 32 beyond
        batch = decoy_needle_batch(rows, n, n_decoys=n_decoys, generator=1000 + n + n_decoys)
        assert decoy_accuracy(model, n, n_decoys) == target_accuracy(model, batch.tokens, batch.targets)


def test_measure_near_miss_names_what_it_measured():
    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=NearMissVocab().vocab_size, max_len=64, layers=2, heads=2))
    result = measure_near_miss(model, 48, n_decoys=2)
    assert isinstance(result, NearMissResult)
    batch = near_miss_batch(256, 48, n_decoys=2, generator=2002)
    assert batch.needle_pos is not None and batch.decoy_pos is not None
    weights = item_weights(model, batch.tokens, torch.cat([batch.needle_pos[:, None], batch.decoy_pos], 1), width=3)
    assert result.accuracy == target_accuracy(model, batch.tokens, batch.targets)
    torch.testing.assert_close(result.needle_weight, weights[:, :, 0].mean(0))
    torch.testing.assert_close(result.decoy_weight, weights[:, :, 1:].mean((0, 2)))
    alone = measure_near_miss(model, 48, n_decoys=0)
    assert alone.needle_weight.shape == (2,) and all(math.isnan(w) for w in alone.decoy_weight.tolist())
