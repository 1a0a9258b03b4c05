import pytest
import torch

from course_utils.chapters.positional_bias import (
    bin_by_relative_position,
    far_key_weight,
    lost_in_the_middle_depth,
    value_to_key_weight,
)
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size


def test_bin_by_relative_position():
    torch.testing.assert_close(bin_by_relative_position(torch.arange(8.0), 4), torch.tensor([0.5, 2.5, 4.5, 6.5]))
    torch.testing.assert_close(bin_by_relative_position(torch.ones(2, 10), 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"got bins=4 for 3 values\. Pass bins between 1 and 3"):
        bin_by_relative_position(torch.ones(3), 4)
    with pytest.raises(ValueError, match="scalar"):
        bin_by_relative_position(torch.tensor(1.0), 1)


def test_lost_in_the_middle_depth_is_edges_minus_middle():
    acc = torch.tensor([1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9])  # quarters of 2: edges 0.95, middle 0.5
    assert lost_in_the_middle_depth(acc) == pytest.approx(45.0)
    with pytest.raises(ValueError, match="K >= 3"):
        lost_in_the_middle_depth(torch.ones(2))


def test_far_key_weight_sums_the_weight_beyond_a_distance():
    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4, filler=True)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=64, d_model=16, heads=2, layers=2))
    batch = kv_retrieval_batch(5, 4, n_keys=8, n_values=4, filler=True, filler_prefix=6, generator=0)
    _, attn = model(batch.tokens, need_weights=True)
    n = batch.tokens.shape[1]
    expected = attn[:, :, :, -1, : n - 1 - 3].sum(-1).mean(1)  # keys at distance > 3 from the last token
    torch.testing.assert_close(far_key_weight(model, batch, 3), expected)
    torch.testing.assert_close(far_key_weight(model, batch, 0), 1 - attn[:, :, :, -1, -1].mean(1))
    assert far_key_weight(model, batch, n).abs().max() == 0
    with pytest.raises(ValueError, match="distance"):
        far_key_weight(model, batch, -1)


def test_value_to_key_weight_reads_each_value_s_previous_token():
    vocab = task_vocab_size("kv_retrieval", n_keys=8, n_values=4, filler=True)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=64, d_model=16, heads=2, layers=2))
    batch = kv_retrieval_batch(3, 4, n_keys=8, n_values=4, filler=True, filler_gap=2, generator=0)
    assert batch.vocab is not None
    _, attn = model(batch.tokens, need_weights=True)
    values = batch.relevant_pos.new_tensor(
        [
            p
            for p in range(batch.tokens.shape[1])
            if batch.tokens[0, p] >= batch.vocab.offset("value") and batch.tokens[0, p] < batch.vocab.offset("filler")
        ]
    )
    expected = attn[:, :, :, values, values - 1].mean(dim=(1, 3))  # every row has its values at the same places
    torch.testing.assert_close(value_to_key_weight(model, batch), expected)
    with pytest.raises(ValueError, match="key-value batch"):
        value_to_key_weight(model, associative_recall_batch(2, 4, generator=0))
