"""Sink metrics and the streaming cache (the sink fixes are in test_sink_fixes.py)."""

import pytest
import torch

from course_utils.chapters.sinks import (
    bos_share,
    cache_indices,
    head_contributions,
    losses_with_bos_share,
    streaming_logits,
)
from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.evaluate import token_losses
from course_utils.core.metrics import sink_mass, sink_rate
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.sigma_reparam import SigmaReparamLinear


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
    logits = streaming_logits(model, tokens, keep_first=2, recent=5, rows_per_call=7)
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


def test_head_contributions_read_sigma_reparams_effective_weight():
    """A σReparam proj applies gamma / sigma(W) * W, not its raw W: what a key writes is read through the
    former, and here the raw weight would be off by the factor gamma / sigma(W)."""
    torch.manual_seed(2)
    config = GPTConfig(vocab_size=20, max_len=64, layers=1, heads=2, d_model=16, sigma_reparam=True)
    model = TinyGPT(config).eval()
    attn = model.block(0).attn
    proj = attn.proj
    assert isinstance(proj, SigmaReparamLinear)
    with torch.no_grad():
        proj.gamma.fill_(3.0)
    tokens = torch.randint(0, 20, (2, 6), generator=torch.Generator().manual_seed(2))
    contrib = head_contributions(model, tokens)  # (B, H, n)
    with torch.no_grad():
        x = model.block(0).norm1(model.embed(tokens))
        v = attn.qkv(x)[..., 32:].view(2, 6, 2, 8)
        applied = v[..., 1, :] @ proj.effective_weight()[:, 8:].T  # (B, n, D)
        raw = v[..., 1, :] @ proj.weight[:, 8:].T
    assert torch.allclose(contrib[:, 1], applied.norm(dim=-1), atol=1e-5)
    ratio = (proj.gamma / proj.sigma()).item()
    assert abs(ratio - 1) > 0.5
    assert torch.allclose(contrib[:, 1], ratio * raw.norm(dim=-1), atol=1e-5)


@pytest.mark.parametrize("sigma_reparam", [False, True])
def test_bos_share_is_what_zeroing_the_first_value_removes(sigma_reparam):
    torch.manual_seed(0)
    config = GPTConfig(
        vocab_size=12, max_len=8, d_model=16, heads=2, layers=1, attention_only=True, sigma_reparam=sigma_reparam
    )
    model = TinyGPT(config).eval()
    tokens = torch.randint(0, 12, (3, 8))
    targets = torch.randint(0, 12, (3, 8))

    def zero_first_value(_module, _inputs, qkv):  # qkv: (B, n, 3 * d_model)
        qkv = qkv.clone()
        qkv[:, 0, 32:] = 0.0
        return qkv

    handle = model.block(0).attn.qkv.register_forward_hook(zero_first_value)
    with torch.no_grad():
        expected = token_losses(model(tokens), targets)
    handle.remove()
    assert bos_share(model, tokens).shape == (3, 8, 16)
    assert torch.allclose(losses_with_bos_share(model, tokens, targets, torch.zeros_like), expected, atol=1e-5)
    with torch.no_grad():
        intact = token_losses(model(tokens), targets)
    assert torch.allclose(losses_with_bos_share(model, tokens, targets, lambda c: c), intact, atol=1e-6)
