"""The sink fixes: their functional forms, the fixes in ModelAttention, and the zoo's checkpoints that use them."""

import pytest
import torch

from course_utils import zoo
from course_utils.core.attention import attention, attention_scores, stable_softmax
from course_utils.core.model import TinyGPT
from course_utils.core.model_attention import ModelAttention
from course_utils.core.positional import RoPE
from course_utils.core.sink_fixes import (
    SINK_FIXES,
    LearnedSink,
    NoSinkFix,
    add_sink_value,
    make_sink_fix,
    sigmoid_weights,
    sink_softmax,
)


def test_zero_sink_logit_is_softmax1():
    g = torch.Generator().manual_seed(3)
    q, k, v = (torch.randn(2, 5, 4, generator=g) for _ in range(3))
    scores = q @ k.transpose(-2, -1) / 2.0
    weights = sink_softmax(scores, torch.zeros(1, 1))
    expected = scores.exp() / (1 + scores.exp().sum(-1, keepdim=True))
    assert torch.allclose(weights, expected, atol=1e-6)
    assert torch.all(weights.sum(-1) < 1)


def test_large_sink_logit_sends_attention_nowhere():
    q, k, v = (torch.randn(1, 3, 4) for _ in range(3))
    weights = sink_softmax(attention_scores(q, k, causal=True), torch.tensor(50.0).view(1, 1))
    assert weights.abs().max() < 1e-6 and (weights @ v).abs().max() < 1e-5


def test_sink_value_gets_the_extra_keys_share():
    g = torch.Generator().manual_seed(4)
    q, k, v = (torch.randn(2, 5, 4, generator=g) for _ in range(3))
    sink_k, sink_v = torch.randn(4, generator=g), torch.randn(4, generator=g)
    weights = sink_softmax(attention_scores(q, k, causal=True), (q @ sink_k)[..., None] / 2.0)
    out = add_sink_value(weights @ v, weights, sink_v)
    # The same thing as one more key and value that every query may see.
    keys, values = torch.cat([k, sink_k.expand(2, 1, 4)], 1), torch.cat([v, sink_v.expand(2, 1, 4)], 1)
    seen = torch.cat([torch.ones(5, 5).tril().bool(), torch.ones(5, 1, dtype=torch.bool)], 1)
    ref_out, ref_weights = attention(q, keys, values, mask=seen)
    assert torch.allclose(out, ref_out, atol=1e-6) and torch.allclose(weights, ref_weights[..., :5], atol=1e-6)


def test_sigmoid_attention_does_not_normalise():
    g = torch.Generator().manual_seed(5)
    q, k, v = (torch.randn(1, 6, 4, generator=g) for _ in range(3))
    weights = sigmoid_weights(attention_scores(q, k, causal=True), torch.tensor(-1.0))
    expected = torch.sigmoid(q @ k.transpose(-2, -1) / 2.0 - 1.0) * torch.ones(6, 6).tril()
    assert torch.allclose(weights, expected, atol=1e-6)
    assert not torch.allclose(weights.sum(-1), torch.ones(1, 6))


def test_no_fix_is_the_softmax_and_leaves_the_output():
    fix = make_sink_fix("none", d_model=16, heads=2)
    scores, out = torch.randn(1, 2, 3, 3), torch.randn(1, 2, 3, 8)
    assert type(fix) is NoSinkFix and not list(fix.parameters())
    assert torch.equal(fix.scores_to_weights(scores, torch.randn(1, 2, 3, 8)), stable_softmax(scores))
    assert fix.adjust_head_outputs(out, scores, torch.randn(1, 3, 16)) is out


#: The parameter each fix adds, which the loss must reach.
FIX_PARAMETERS = {
    "softmax1": set(),
    "learned_sink": {"sink_fix.sink_logit"},
    "sink_key": {"sink_fix.sink_key"},
    "sink_kv": {"sink_fix.sink_key", "sink_fix.sink_value"},
    "sigmoid": {"sink_fix.sigmoid_bias"},
    "gate": {"sink_fix.gate.weight", "sink_fix.gate.bias"},
}


def test_every_fix_has_its_parameters_listed():
    assert set(FIX_PARAMETERS) == set(SINK_FIXES) - {"none"}


@pytest.mark.parametrize("fix", list(FIX_PARAMETERS))
def test_sink_fixes_train_and_keep_shapes(fix):
    mha = ModelAttention(16, 2, sink_fix=fix, positional=RoPE(8))
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
    mha = ModelAttention(16, 2, sink_fix="learned_sink", sink_init=4.0)
    assert isinstance(mha.sink_fix, LearnedSink)
    assert mha.sink_fix.sink_logit.tolist() == [4.0, 4.0]
    _, weights = mha(torch.randn(1, 3, 16), need_weights=True)
    assert weights[0, :, 0, 0].max() < 0.1  # e^4 outweighs the one key query 0 sees


def test_unknown_sink_fix_raises():
    with pytest.raises(ValueError, match="unknown sink_fix"):
        ModelAttention(16, 2, sink_fix="softmax2")


@pytest.mark.parametrize("name", sorted(set(SINK_FIXES) - {"learned_sink"}))
def test_only_the_learned_sink_takes_a_starting_score(name):
    make_sink_fix(name, d_model=16, heads=2, sink_init=0.0)
    with pytest.raises(
        ValueError, match=rf"sink_init=4.0 is the starting score of sink_fix='learned_sink', but sink_fix={name!r}"
    ):
        make_sink_fix(name, d_model=16, heads=2, sink_init=4.0)


@pytest.mark.claims
@pytest.mark.parametrize(
    "name", sorted(n for n, e in zoo.ZOO.items() if e.model_overrides.get("sink_fix", "none") != "none")
)
def test_zoo_checkpoints_with_a_fix_load_strictly_and_keep_their_accuracy(name):
    record = zoo.read_checkpoint(zoo.checkpoint_path(name))
    model = TinyGPT(zoo.ZOO[name].model_config())
    model.load_state_dict(record["state_dict"], strict=True)
    assert zoo.evaluate_entry(model.eval(), zoo.ZOO[name]) == pytest.approx(record["accuracy"], abs=1e-6)
