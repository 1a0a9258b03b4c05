import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.core.attention import (
    MultiHeadAttention,
    attention,
    causal_mask,
    check_qkv,
    stable_softmax,
    token_positions,
)
from course_utils.core.logits import LogNScaling
from course_utils.core.positional import ALiBi, RoPE


def _qkv(shape=(2, 3, 5, 8), n_k=None, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    b, h, n, d = shape
    n_k = n if n_k is None else n_k
    return (
        torch.randn(b, h, n, d, generator=g, dtype=dtype),
        torch.randn(b, h, n_k, d, generator=g, dtype=dtype),
        torch.randn(b, h, n_k, d, generator=g, dtype=dtype),
    )


def test_stable_softmax_survives_large_logits():
    x = torch.tensor([1000.0, 1000.0, 999.0])
    assert torch.isnan(torch.exp(x) / torch.exp(x).sum()).all()  # the naive one overflows
    torch.testing.assert_close(stable_softmax(x), torch.softmax(x, -1))


def test_stable_softmax_fully_masked_row_is_zero():
    x = torch.full((2, 3), float("-inf"))
    x[1] = torch.tensor([0.0, 1.0, 2.0])
    w = stable_softmax(x)
    assert torch.equal(w[0], torch.zeros(3))
    torch.testing.assert_close(w[1], torch.softmax(x[1], -1))


@pytest.mark.parametrize("causal", [False, True])
def test_matches_sdpa(causal):
    q, k, v = _qkv()
    out, weights = attention(q, k, v, causal=causal)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=causal))
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64))


def test_boolean_mask_matches_sdpa_and_padding_gets_no_weight():
    q, k, v = _qkv(n_k=7)
    mask = torch.ones(5, 7, dtype=torch.bool)
    mask[:, -2:] = False  # two padding keys
    out, weights = attention(q, k, v, mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    assert torch.all(weights[..., -2:] == 0)


def test_causal_mask_aligns_queries_to_the_end():
    m = causal_mask(2, 4)
    assert m.tolist() == [[True, True, True, False], [True, True, True, True]]
    with pytest.raises(ValueError, match="n_q <= n_k"):
        causal_mask(4, 2)


def test_bias_and_transform_are_applied_before_softmax():
    q, k, v = _qkv()
    bias = torch.randn(5, 5, dtype=torch.float64)
    out, _ = attention(q, k, v, bias=bias, logit_transform=lambda s: 2 * s)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=2 * bias, scale=2 / math.sqrt(8))
    torch.testing.assert_close(out, ref)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": torch.zeros(2, 3, 5, 4)}, "same last dimension"),
        ({"v": torch.zeros(2, 3, 6, 8)}, "same number of keys"),
        ({"k": torch.zeros(1, 3, 5, 8), "v": torch.zeros(1, 3, 5, 8)}, "leading"),
        ({"q": torch.zeros(2, 3, 5, 8, dtype=torch.float64)}, "share a dtype"),
        ({"q": torch.zeros(2, 3, 5, 8, dtype=torch.long)}, "floating-point"),
        ({"q": torch.zeros(8)}, "shape"),
        ({"mask": torch.ones(5, 5)}, "boolean"),
        ({"mask": torch.ones(4, 5, dtype=torch.bool)}, "n_q, n_k"),
        ({"mask": torch.ones(4, 5, 5, dtype=torch.bool)}, "does not broadcast"),
    ],
)
def test_bad_input_raises_value_error(kwargs, match):
    args = {"q": torch.zeros(2, 3, 5, 8), "k": torch.zeros(2, 3, 5, 8), "v": torch.zeros(2, 3, 5, 8)}
    mask = kwargs.pop("mask", None)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        attention(args["q"], args["k"], args["v"], mask=mask)


def test_multihead_matches_torch_multiheadattention():
    torch.manual_seed(0)
    d_model, heads, n = 16, 4, 6
    ours = MultiHeadAttention(d_model, heads)
    ref = torch.nn.MultiheadAttention(d_model, heads, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.qkv.weight)
        ref.in_proj_bias.copy_(ours.qkv.bias)
        ref.out_proj.weight.copy_(ours.proj.weight)
        ref.out_proj.bias.copy_(ours.proj.bias)
    x = torch.randn(2, n, d_model)
    y, w = ours(x, causal=True, need_weights=True)
    y_ref, w_ref = ref(x, x, x, attn_mask=~causal_mask(n, n), average_attn_weights=False)
    torch.testing.assert_close(y, y_ref)
    torch.testing.assert_close(w, w_ref)


def test_check_qkv_is_the_check_attention_runs():
    q, k, v = _qkv(n_k=7)
    check_qkv(q, k, v, mask=torch.ones(5, 7, dtype=torch.bool))
    with pytest.raises(ValueError, match="same last dimension"):
        check_qkv(q, k[..., :4], v)
    with pytest.raises(ValueError, match="does not broadcast"):
        check_qkv(q, k, v, mask=torch.ones(3, 1, 5, 7, dtype=torch.bool))


def test_multihead_rejects_bad_shapes():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match="batch, n, d_model"):
        MultiHeadAttention(8, 2)(torch.zeros(4, 8))
    with pytest.raises(ValueError, match="does not broadcast"):
        MultiHeadAttention(8, 2)(torch.zeros(3, 5, 8), mask=torch.ones(4, 5, 5, dtype=torch.bool))


@pytest.mark.parametrize("scheme", [None, RoPE(8), ALiBi(2)])
def test_positions_of_the_wrong_shape_raise_a_value_error(scheme):
    mha = MultiHeadAttention(16, 2, positional=scheme)
    message = r"positions must have shape \(n,\) = \(5,\), got \(3,\); pass one position per token, or None"
    with pytest.raises(ValueError, match=message):
        mha(torch.randn(1, 5, 16), positions=torch.arange(3))
    with pytest.raises(ValueError, match=r"got \(1, 5\)"):
        mha(torch.randn(1, 5, 16), positions=torch.arange(5)[None])
    torch.testing.assert_close(token_positions(torch.zeros(1, 5, 16), torch.arange(5) * 0.5), torch.arange(5) * 0.5)


def test_split_heads_gives_each_head_its_slice_of_the_projections():
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 2, positional=RoPE(8))
    x = torch.randn(1, 5, 16)
    q, k, v = mha.split_heads(x)
    assert q.shape == k.shape == v.shape == (1, 2, 5, 8)
    torch.testing.assert_close(k[0, 1, 3], mha.qkv(x)[0, 3, 16 + 8 : 16 + 16])  # head 1's keys, position 3


def _rope_by_hand(x, base=10000.0):
    """Rotate channel pairs (c, c + d/2) of x: (..., n, d) at position i by i * base^(-2c/d)."""
    n, d = x.shape[-2:]
    angle = torch.arange(n, dtype=torch.float64)[:, None] * base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    cos, sin = angle.cos().to(x.dtype), angle.sin().to(x.dtype)  # (n, d/2)
    a, b = x[..., : d // 2], x[..., d // 2 :]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


@pytest.mark.parametrize("scheme", ["rope", "alibi"])
def test_multihead_plugs_in_positions_and_transform(scheme):
    """The weights and output equal attention written out by hand: RoPE rotates q and k (ALiBi adds
    -2^(-8h/H) (i - j) to head h's scores), then log-n multiplies query i's scores by max(1, log(i + 1))."""
    torch.manual_seed(0)
    heads, n, d_model = 4, 7, 16
    x = torch.randn(1, n, d_model, dtype=torch.float64)
    positional = RoPE(d_model // heads) if scheme == "rope" else ALiBi(heads)
    mha = MultiHeadAttention(d_model, heads, positional=positional, logit_transform=LogNScaling()).double()
    y, w = mha(x, need_weights=True)

    q, k, v = (t.view(1, n, heads, -1).transpose(1, 2) for t in mha.qkv(x).split(d_model, dim=-1))  # (1, H, n, d)
    if scheme == "rope":
        q, k = _rope_by_hand(q), _rope_by_hand(k)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_model // heads)  # (1, H, n, n)
    i, j = torch.arange(n)[:, None], torch.arange(n)[None, :]
    if scheme == "alibi":
        slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1, dtype=torch.float64) / heads)
        scores = scores - slopes[:, None, None] * (i - j).abs()
    scores = scores * torch.arange(1, n + 1, dtype=torch.float64).log().clamp_min(1.0)[:, None]
    expected = torch.softmax(scores.masked_fill(j > i, float("-inf")), dim=-1)
    torch.testing.assert_close(w, expected)
    torch.testing.assert_close(y, mha.proj((expected @ v).transpose(1, 2).reshape(1, n, d_model)))

    unplugged = MultiHeadAttention(d_model, heads).double()  # no positions, identity logits, same weights
    unplugged.load_state_dict(mha.state_dict())
    assert (unplugged(x, need_weights=True)[1] - w).abs().max() > 1e-2


@pytest.mark.parametrize("causal", [True, False])
def test_the_logit_transform_counts_the_keys_the_attention_shows(causal):
    """Log-n scaling multiplies query i's scores by log(keys it sees): i + 1 of them in causal attention,
    all n without the causal mask, decided by the attention's `causal` at each call."""
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2, logit_transform=LogNScaling()).double()
    plain = MultiHeadAttention(8, 2).double()
    plain.load_state_dict(mha.state_dict())
    x = torch.randn(1, 5, 8, dtype=torch.float64)
    n_seen = torch.arange(1, 6, dtype=torch.float64) if causal else torch.full((5,), 5.0, dtype=torch.float64)
    factor = n_seen.log().clamp_min(1.0)[:, None]  # (n, 1)
    weights = mha(x, causal=causal, need_weights=True)[1]
    plain_weights = plain(x, causal=causal, need_weights=True)[1]  # softmax(s): log-weights are s + a row constant
    expected = torch.softmax(factor * plain_weights.log().nan_to_num(neginf=float("-inf")), dim=-1)
    torch.testing.assert_close(weights, expected)
