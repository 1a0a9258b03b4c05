"""Sink metrics, the streaming cache, and the sink fixes in attention."""

import pytest
import torch

from course_utils.chapters.sinks import (
    bos_share,
    cache_indices,
    head_contributions,
    losses_with_bos_share,
    streaming_logits,
    token_losses,
)
from course_utils.core.attention import MultiHeadAttention, attention
from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.metrics import sink_mass, sink_rate
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.positional import RoPE


def _weights(layers=2, batch=3, heads=4, n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    scores = torch.randn(layers, batch, heads, n, n, generator=g)
    scores = scores.masked_fill(~torch.ones(n, n, dtype=torch.bool).tril(), float("-inf"))
    return scores.softmax(-1)


def test_sink_mass_matches_a_loop():
    weights = _weights()
    queries = torch.rand(3, 8, generator=torch.Generator().manual_seed(1)) < 0.5
    queries[:, 3] = True
    mass = sink_mass(weights, queries)
    for layer in range(2):
        for head in range(4):
            rows = [weights[layer, b, head, i, 0] for b in range(3) for i in range(1, 8) if queries[b, i]]
            assert mass[layer, head] == pytest.approx(torch.stack(rows).mean().item(), abs=1e-6)


def test_sink_mass_leaves_out_query_zero():
    weights = torch.zeros(1, 1, 1, 3, 3)
    weights[..., 0, 0] = 1.0
    weights[..., 1:, 2] = 1.0
    assert sink_mass(weights).item() == 0.0


def test_sink_rate_counts_heads_above_threshold():
    assert sink_rate(torch.tensor([[0.5, 0.1], [0.31, 0.29]])) == 0.5
    with pytest.raises(ValueError, match="threshold"):
        sink_rate(torch.ones(1, 1), threshold=1.5)


@pytest.mark.parametrize("bad", [torch.zeros(2, 4, 4), torch.zeros(1, 1, 1, 4, 3)])
def test_sink_mass_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match="layers, batch, heads"):
        sink_mass(bad)


def test_sink_mass_rejects_empty_or_wrong_queries():
    weights = _weights(n=4)
    with pytest.raises(ValueError, match="selects no row"):
        sink_mass(weights, torch.zeros(3, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="bool"):
        sink_mass(weights, torch.ones(3, 5, dtype=torch.bool))


def test_cache_indices_keep_first_and_recent():
    idx = cache_indices(10, keep_first=2, recent=3)
    assert idx[9].tolist() == [0, 1, 7, 8, 9]
    assert idx[5].tolist() == [0, 1, 3, 4, 5]
    assert idx[2].tolist() == [-1, -1, 0, 1, 2]
    assert cache_indices(5, keep_first=0, recent=2)[4].tolist() == [3, 4]
    with pytest.raises(ValueError, match="recent >= 1"):
        cache_indices(5, keep_first=1, recent=0)


def _one_layer_model(seed=0):
    torch.manual_seed(seed)
    return TinyGPT(GPTConfig(vocab_size=20, max_len=64, layers=1, heads=2, d_model=16)).eval()


def test_streaming_logits_equal_a_model_run_on_each_cache():
    model = _one_layer_model()
    tokens = torch.randint(0, 20, (3, 30), generator=torch.Generator().manual_seed(0))
    logits = streaming_logits(model, tokens, keep_first=2, recent=5, chunk=7)
    with torch.no_grad():
        for t in (0, 4, 6, 7, 20, 29):
            cache = tokens[:, : t + 1] if t < 7 else torch.cat([tokens[:, :2], tokens[:, t - 4 : t + 1]], dim=1)
            assert torch.allclose(logits[:, t], model(cache)[:, -1], atol=1e-5)


def test_streaming_with_a_large_cache_is_full_attention():
    model = _one_layer_model(1)
    tokens = torch.randint(0, 20, (2, 16), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.allclose(streaming_logits(model, tokens, keep_first=1, recent=40), model(tokens))


def test_token_losses_mark_unsupervised_positions_nan():
    logits = torch.zeros(1, 3, 4)
    losses = token_losses(logits, torch.tensor([[1, IGNORE_INDEX, 2]]))
    assert losses[0, 0].item() == pytest.approx(torch.log(torch.tensor(4.0)).item())
    assert torch.isnan(losses[0, 1])


def test_head_contributions_match_the_value_path():
    model = _one_layer_model(2)
    tokens = torch.randint(0, 20, (2, 6), generator=torch.Generator().manual_seed(2))
    contrib = head_contributions(model, tokens)  # (B, H, n)
    attn = model.blocks[0].attn
    x = model.blocks[0].norm1(model.embed(tokens))
    v = attn.qkv(x)[..., 32:].view(2, 6, 2, 8)
    head1 = v[..., 1, :] @ attn.proj.weight[:, 8:].T  # (B, n, D)
    assert torch.allclose(contrib[:, 1], head1.norm(dim=-1), atol=1e-5)


def test_zero_sink_logit_is_softmax1():
    g = torch.Generator().manual_seed(3)
    q, k, v = (torch.randn(2, 5, 4, generator=g) for _ in range(3))
    out, weights = attention(q, k, v, sink_logit=torch.zeros(1, 1))
    scores = q @ k.transpose(-2, -1) / 2.0
    expected = scores.exp() / (1 + scores.exp().sum(-1, keepdim=True))
    assert torch.allclose(weights, expected, atol=1e-6)
    assert torch.allclose(out, expected @ v, atol=1e-6)
    assert torch.all(weights.sum(-1) < 1)


def test_large_sink_logit_sends_attention_nowhere():
    q, k, v = (torch.randn(1, 3, 4) for _ in range(3))
    out, weights = attention(q, k, v, causal=True, sink_logit=torch.tensor(50.0).view(1, 1))
    assert weights.abs().max() < 1e-6 and out.abs().max() < 1e-5


def test_sink_value_gets_the_extra_keys_share():
    g = torch.Generator().manual_seed(4)
    q, k, v = (torch.randn(2, 5, 4, generator=g) for _ in range(3))
    sink_k, sink_v = torch.randn(4, generator=g), torch.randn(4, generator=g)
    out, weights = attention(q, k, v, causal=True, sink_logit=(q @ sink_k)[..., None] / 2.0, sink_value=sink_v)
    # The same thing as one more key and value that every query may see.
    keys, values = torch.cat([k, sink_k.expand(2, 1, 4)], 1), torch.cat([v, sink_v.expand(2, 1, 4)], 1)
    seen = torch.cat([torch.ones(5, 5).tril().bool(), torch.ones(5, 1, dtype=torch.bool)], 1)
    ref_out, ref_weights = attention(q, keys, values, mask=seen)
    assert torch.allclose(out, ref_out, atol=1e-6) and torch.allclose(weights, ref_weights[..., :5], atol=1e-6)
    with pytest.raises(ValueError, match="sink_logit"):
        attention(q, k, v, sink_value=sink_v)


def test_sigmoid_attention_does_not_normalise():
    g = torch.Generator().manual_seed(5)
    q, k, v = (torch.randn(1, 6, 4, generator=g) for _ in range(3))
    out, weights = attention(q, k, v, causal=True, sigmoid_bias=torch.tensor(-1.0))
    expected = torch.sigmoid(q @ k.transpose(-2, -1) / 2.0 - 1.0) * torch.ones(6, 6).tril()
    assert torch.allclose(weights, expected, atol=1e-6) and torch.allclose(out, expected @ v, atol=1e-6)
    assert not torch.allclose(weights.sum(-1), torch.ones(1, 6))
    with pytest.raises(ValueError, match="not both"):
        attention(q, k, v, sigmoid_bias=torch.tensor(0.0), sink_logit=torch.zeros(1, 1))


#: The parameter each fix adds, which the loss must reach.
FIX_PARAMETERS = {"softmax1": set(), "learned_sink": {"sink_logit"}, "sink_key": {"sink_key"},
                  "sink_kv": {"sink_key", "sink_value"}, "sigmoid": {"sigmoid_bias"},
                  "gate": {"gate.weight", "gate.bias"}}


@pytest.mark.parametrize("fix", list(FIX_PARAMETERS))
def test_sink_fixes_train_and_keep_shapes(fix):
    mha = MultiHeadAttention(16, 2, sink_fix=fix, positional=RoPE(8))
    x = torch.randn(2, 5, 16)
    y, weights = mha(x, need_weights=True)
    assert y.shape == x.shape and weights.shape == (2, 2, 5, 5)
    y.sum().backward()
    learned = {name for name, p in mha.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    added = learned - {"qkv.weight", "qkv.bias", "proj.weight", "proj.bias"}
    assert added == FIX_PARAMETERS[fix]
    if fix == "sigmoid":
        assert not torch.allclose(weights.sum(-1), torch.ones(2, 2, 5))
    else:
        assert torch.all(weights.sum(-1) <= 1 + 1e-6)


def test_learned_sink_starts_at_sink_init():
    mha = MultiHeadAttention(16, 2, sink_fix="learned_sink", sink_init=4.0)
    assert mha.sink_logit.tolist() == [4.0, 4.0]
    _, weights = mha(torch.randn(1, 3, 16), need_weights=True)
    assert weights[0, :, 0, 0].max() < 0.1  # e^4 outweighs the one key query 0 sees


def test_unknown_sink_fix_raises():
    with pytest.raises(ValueError, match="unknown sink_fix"):
        MultiHeadAttention(16, 2, sink_fix="softmax2")


def test_bos_share_is_what_zeroing_the_first_value_removes():
    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=12, max_len=8, d_model=16, heads=2, layers=1, attention_only=True)).eval()
    tokens = torch.randint(0, 12, (3, 8))
    targets = torch.randint(0, 12, (3, 8))

    def zero_first_value(_module, _inputs, qkv):  # qkv: (B, n, 3 * d_model)
        qkv = qkv.clone()
        qkv[:, 0, 32:] = 0.0
        return qkv

    handle = model.blocks[0].attn.qkv.register_forward_hook(zero_first_value)
    with torch.no_grad():
        expected = token_losses(model(tokens), targets)
    handle.remove()
    assert bos_share(model, tokens).shape == (3, 8, 16)
    assert torch.allclose(losses_with_bos_share(model, tokens, targets, torch.zeros_like), expected, atol=1e-5)
    with torch.no_grad():
        intact = token_losses(model(tokens), targets)
    assert torch.allclose(losses_with_bos_share(model, tokens, targets, lambda c: c), intact, atol=1e-6)
