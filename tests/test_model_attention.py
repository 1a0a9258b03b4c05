"""The model's attention: multi-head attention with a sink fix or dilated patterns, built on chapter 01's."""

import pytest
import torch

from course_utils.core.attention import MultiHeadAttention
from course_utils.core.dilated import dilated_reference
from course_utils.core.logits import LogNScaling
from course_utils.core.model_attention import ModelAttention
from course_utils.core.positional import ALiBi, RoPE, make_positional


def test_without_options_it_is_multi_head_attention_with_the_same_parameters():
    torch.manual_seed(0)
    attn = ModelAttention(16, 2, positional=RoPE(8)).double()
    torch.manual_seed(0)
    plain = MultiHeadAttention(16, 2, positional=RoPE(8)).double()
    plain.load_state_dict(attn.state_dict(), strict=True)  # the same keys: "none" adds no parameter
    x = torch.randn(2, 5, 16, dtype=torch.float64)
    for got, want in zip(attn(x, need_weights=True), plain(x, need_weights=True)):
        assert torch.equal(got, want)


def test_a_sink_fix_creates_its_parameters_after_the_projections():
    """A seed gives the same initial weights as before the fix existed: qkv, proj, then the fix."""
    torch.manual_seed(0)
    attn = ModelAttention(16, 2, sink_fix="sink_kv")
    torch.manual_seed(0)
    plain = MultiHeadAttention(16, 2)
    assert list(attn.state_dict()) == [*plain.state_dict(), "sink_fix.sink_key", "sink_fix.sink_value"]
    assert all(torch.equal(attn.state_dict()[key], value) for key, value in plain.state_dict().items())


def test_dilated_patterns_pad_causal_sequences_exactly():
    torch.manual_seed(0)
    patterns = ([8, 16], [1, 2])
    attn = ModelAttention(32, 4, positional=RoPE(8), dilated_patterns=patterns).double()
    x = torch.randn(2, 21, 32, dtype=torch.float64)  # 21 is no multiple of 16: padded to 32
    q, k, v = (t.view(2, 21, 4, 8).transpose(1, 2) for t in attn.qkv(x).split(32, dim=-1))
    q, k = attn.positional.rotate(q, k, torch.arange(21), torch.arange(21))
    q_pad, k_pad, v_pad = (torch.nn.functional.pad(t, (0, 0, 0, 11)) for t in (q, k, v))
    want = dilated_reference(q_pad, k_pad, v_pad, *patterns, causal=True)[:, :, :21].transpose(1, 2).reshape(2, 21, 32)
    torch.testing.assert_close(attn(x)[0], attn.proj(want))
    with pytest.raises(ValueError, match="need_weights"):
        attn(x, need_weights=True)
    with pytest.raises(ValueError, match="batch, n, d_model"):
        attn(x[0])
    with pytest.raises(ValueError, match=r"positions must have shape \(n,\) = \(21,\)"):
        attn(x, positions=torch.arange(20))


@pytest.mark.parametrize(
    "options",
    [
        {"positional": ALiBi(4)},
        {"sink_fix": "softmax1"},
        {"logit_transform": LogNScaling()},
    ],
)
def test_dilated_patterns_refuse_what_the_kernel_cannot_do(options):
    with pytest.raises(ValueError, match="no score bias"):
        ModelAttention(32, 4, dilated_patterns=([8, 16], [1, 2]), **options)


def test_dilated_patterns_take_positions_added_to_the_embeddings():
    attn = ModelAttention(
        32,
        4,
        dilated_patterns=([8, 16], [1, 2]),
        positional=make_positional("learned", d_model=32, heads=4, max_len=64),
    )
    y, weights = attn(torch.randn(2, 20, 32))
    assert y.shape == (2, 20, 32) and weights is None
    assert torch.isfinite(y).all()
    # the absolute scheme adds nothing inside attention: the layer is the dense reference's dilated attention
    x = torch.randn(1, 16, 32)
    q, k, v = attn.split_heads(x)
    expected = attn.merge_heads(dilated_reference(q, k, v, [8, 16], [1, 2], causal=True))
    torch.testing.assert_close(attn(x)[0], expected)


def test_last_only_with_a_mask_is_the_masked_forwards_last_row():
    torch.manual_seed(0)
    attn = ModelAttention(16, 2, positional=RoPE(8), sink_fix="sink_kv")
    x = torch.randn(2, 6, 16)
    mask = torch.rand(6, 6) > 0.3
    mask.fill_diagonal_(True)  # every query keeps at least itself
    out, weights = attn(x, mask=mask, need_weights=True)
    last_out, last_weights = attn(x, mask=mask, need_weights=True, last_only=True)
    torch.testing.assert_close(last_out, out[:, -1:])
    torch.testing.assert_close(last_weights, weights[..., -1:, :])
