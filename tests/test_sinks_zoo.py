"""Notebook 04's claims about sinks, checked on the three seeds of every zoo model it uses."""

import functools

import pytest
import torch

from course_utils import zoo
from course_utils.sinks import sink_mass, sink_rate, streaming_logits, token_losses
from course_utils.tasks import backcopy_batch

pytestmark = pytest.mark.claims

SEEDS = zoo.SEEDS
FIXES = ("none", "softmax1", "learned_sink", "gate")


@functools.lru_cache(maxsize=None)
def _test_batch():
    return backcopy_batch(256, 64, generator=9000)


@functools.lru_cache(maxsize=None)
def _stream():
    return backcopy_batch(32, 256, generator=9001)


@functools.lru_cache(maxsize=None)
def _report(fix, seed):
    """Sink masses on held-out sequences and idle-query losses past the training length."""
    model, _ = zoo.load(zoo.name("sink", seed, sink_fix=fix), verbose=False)
    batch, stream = _test_batch(), _stream()
    copy = batch.meta["copy_mask"]
    with torch.no_grad():
        _, attn = model(batch.tokens, return_attention=True)
        extra = 1 - attn.sum(-1, keepdim=True).expand_as(attn)
        idle_late = ~stream.meta["copy_mask"]
        idle_late[:, :64] = False

        def late_loss(logits):
            return token_losses(logits, stream.targets)[idle_late].nanmean().item()

        losses = {k: late_loss(streaming_logits(model, stream.tokens, keep_first=k, recent=32 - k)) for k in (0, 1, 4)}
        losses["full"] = late_loss(model(stream.tokens))
    return {"idle": sink_mass(attn, ~copy)[0], "copy": sink_mass(attn, copy)[0], "rate": sink_rate(sink_mass(attn)),
            "extra": sink_mass(extra, ~copy)[0], "losses": losses, "model": model}


def _eviction_cost(fix, seed):
    losses = _report(fix, seed)["losses"]
    return losses[0] - losses[4]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_head_parks_on_bos_when_idle_and_not_when_copying(seed):
    r = _report("none", seed)
    head = int(r["idle"].argmax())
    assert r["idle"][head] > 0.9
    assert r["copy"][head] < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sink_follows_a_moved_bos(seed):
    r, batch = _report("none", seed), _test_batch()
    head = int(r["idle"].argmax())
    moved = batch.tokens.clone()
    moved[:, 16:] = batch.tokens[:, :48]
    moved[:, :16] = batch.tokens[:, 1:17]
    with torch.no_grad():
        _, attn = r["model"](moved, return_attention=True)
    assert attn[0, :, head, 17:, 16].mean() > 0.8
    assert attn[0, :, head, 17:, 0].mean() < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sink_value_is_used(seed):
    """Zeroing BOS's value raises the idle-query loss (the sink writes a bias, not nothing)."""
    model, batch = _report("none", seed)["model"], _test_batch()
    d_model = model.config.d_model

    def zero_bos_value(_module, _inputs, qkv):
        qkv = qkv.clone()
        qkv[:, 0, 2 * d_model:] = 0.0
        return qkv

    idle = ~batch.meta["copy_mask"]
    with torch.no_grad():
        before = token_losses(model(batch.tokens), batch.targets)[idle].nanmean()
        handle = model.blocks[0].attn.qkv.register_forward_hook(zero_bos_value)
        try:
            after = token_losses(model(batch.tokens), batch.targets)[idle].nanmean()
        finally:
            handle.remove()
    assert after > before + 0.005


def test_evicting_bos_hurts_and_one_kept_token_restores():
    costs = [_eviction_cost("none", s) for s in SEEDS]
    assert min(costs) > -0.002, costs  # never better
    assert sum(costs) / len(costs) > 0.03, costs
    for seed in SEEDS:
        losses = _report("none", seed)["losses"]
        assert abs(losses[1] - losses[4]) < 0.002
        assert losses["full"] > losses[4] + 0.02  # full attention past the training length is worse


@pytest.mark.parametrize("seed", SEEDS)
def test_extra_key_fixes_are_not_used(seed):
    """softmax1 and the learned sink logit: no weight on the extra key, more sink heads than softmax."""
    for fix in ("softmax1", "learned_sink"):
        r = _report(fix, seed)
        assert r["extra"].max() < 0.02
        assert r["rate"] >= _report("none", seed)["rate"]
    logits = _report("learned_sink", seed)["model"].blocks[0].attn.sink_logit
    assert logits.abs().max() < 0.5


def test_gate_makes_eviction_nearly_free():
    gate = [_eviction_cost("gate", s) for s in SEEDS]
    plain = [_eviction_cost("none", s) for s in SEEDS]
    assert max(gate) < 0.01, gate
    assert sum(gate) < 0.25 * sum(plain), (gate, plain)


def test_extra_key_fixes_leave_the_eviction_harm():
    plain = sum(_eviction_cost("none", s) for s in SEEDS)
    for fix in ("softmax1", "learned_sink"):
        assert sum(_eviction_cost(fix, s) for s in SEEDS) > plain, fix
