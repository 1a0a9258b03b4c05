"""The scale-invariant transform against its formula, and its place in the model."""

import math

import pytest
import torch

from course_utils.chapters.scale_invariant import expected_mass, scale_invariant_logits
from course_utils.core.logits import ScaleInvariantLogits, make_logit_transform, scale_invariant_coefficients
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.positional import PartialRoPE, RoPE


def test_coefficients_follow_the_formula_and_leave_t0_unchanged():
    t = torch.tensor([0.0, 1.0, 10.0, 100.0])
    a, m = scale_invariant_coefficients(t, tau=10.0)
    torch.testing.assert_close(a, torch.sqrt(1 + 2 * torch.log(1 + t / 10)))
    torch.testing.assert_close(m, -2 * torch.log(1 + t / 10))
    assert a[0] == 1 and m[0] == 0
    a_future, m_future = scale_invariant_coefficients(torch.tensor([-3.0]))  # a key after the query: as t = 0
    assert a_future.item() == 1 and m_future.item() == 0


def test_logits_apply_a_t_and_m_t_by_distance_and_mask_the_future():
    scores = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    out = scale_invariant_logits(scores, tau=4.0)
    for i in range(6):
        for j in range(6):
            if j > i:
                assert torch.all(out[..., i, j] == float("-inf"))
            else:
                a, m = math.sqrt(1 + 2 * math.log(1 + (i - j) / 4)), -2 * math.log(1 + (i - j) / 4)
                torch.testing.assert_close(out[..., i, j], a * scores[..., i, j] + m)
    torch.testing.assert_close(out.diagonal(dim1=-2, dim2=-1), scores.diagonal(dim1=-2, dim2=-1))


def test_gaussian_scores_give_the_closed_form_mass():
    g = torch.Generator().manual_seed(0)
    t = torch.tensor([0.0, 3.0, 10.0, 30.0])  # far t has heavy log-normal tails: Monte Carlo needs many more samples
    a, m = scale_invariant_coefficients(t)
    samples = torch.randn(400_000, 4, generator=g, dtype=torch.float64)
    mass = torch.exp(a * samples + m).mean(0)
    torch.testing.assert_close(mass, expected_mass(t).to(mass.dtype), rtol=0.05, atol=0)


def test_module_matches_the_function_under_a_causal_mask():
    scores = torch.randn(1, 2, 5, 5)
    pos = torch.arange(5)
    module = ScaleInvariantLogits(tau=10.0)(scores, pos, pos)
    future = torch.ones(5, 5, dtype=torch.bool).triu(1)
    torch.testing.assert_close(module.masked_fill(future, float("-inf")), scale_invariant_logits(scores))
    assert isinstance(make_logit_transform("scale_invariant", tau=3.0), ScaleInvariantLogits)


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_bad_tau_and_shapes_raise(bad):
    with pytest.raises(ValueError, match="tau"):
        ScaleInvariantLogits(tau=bad)
    with pytest.raises(ValueError, match=r"\(\.\.\., n, n\)"):
        scale_invariant_logits(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="causal"):
        make_logit_transform("scale_invariant")(torch.zeros(1, 1, 2, 2), torch.arange(2), torch.arange(2), causal=False)


def test_partial_rope_keeps_the_fast_frequencies_only():
    full, partial = RoPE(16).angles(torch.arange(5)), PartialRoPE(16, p=0.75).angles(torch.arange(5))
    torch.testing.assert_close(partial[:, :6], full[:, :6])
    assert torch.all(partial[:, 6:] == 0)


def test_a_scale_invariant_p_rope_model_runs_past_its_training_length():
    """At 100 tokens (max_len 32) the first layer's weights are still softmax(a_t * S + m_t) of the
    p-RoPE scores S, written out by hand (t = i - j, tau = 10, p = 0.75 of the 8 frequencies rotate)."""
    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=20, max_len=32, positional="p_rope", logit_transform="scale_invariant"))
    tokens, n, heads, d = torch.randint(0, 20, (2, 100)), 100, 4, 16
    logits, weights = model(tokens, need_weights=True)
    assert logits.shape == (2, 100, 20) and torch.isfinite(logits).all()

    block = model.block(0)
    q, k, _ = block.attn.qkv(block.norm1(model.embed(tokens))).split(heads * d, dim=-1)
    q, k = (t.view(2, n, heads, d).transpose(1, 2).double() for t in (q, k))  # (B, H, n, d)
    freq = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    freq[6:] = 0  # p-RoPE: the 2 slowest of the 8 frequencies do not rotate
    angle = torch.arange(n, dtype=torch.float64)[:, None] * freq  # (n, d/2)

    def rotate(x: torch.Tensor) -> torch.Tensor:  # channel pairs (c, c + 8)
        a, b = x[..., :8], x[..., 8:]
        return torch.cat([a * angle.cos() - b * angle.sin(), b * angle.cos() + a * angle.sin()], dim=-1)

    scores = rotate(q) @ rotate(k).transpose(-2, -1) / d**0.5
    t = (torch.arange(n)[:, None] - torch.arange(n)[None, :]).double()
    a, m = torch.sqrt(1 + 2 * torch.log1p(t.clamp_min(0) / 10)), -2 * torch.log1p(t.clamp_min(0) / 10)
    expected = torch.softmax((a * scores + m).masked_fill(t < 0, float("-inf")), dim=-1)
    torch.testing.assert_close(weights[0].double(), expected, rtol=1e-4, atol=1e-5)
    assert weights[0, :, :, 99, :32].sum(-1).min() < 0.9  # the last query also reads keys beyond the first 32


def test_the_flex_score_mod_is_the_transform():
    """FlexAttention (eager, on the CPU) with the score_mod and a causal block mask equals softmax of
    the package's transform."""
    flex = pytest.importorskip("torch.nn.attention.flex_attention")
    from course_utils.chapters.scale_invariant import flex_score_mod, scale_invariant_logits

    n, d = 128, 16
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 2, n, d, generator=g) for _ in range(3))
    mask = flex.create_block_mask(lambda b, h, qi, ki: qi >= ki, None, None, n, n, device="cpu")
    out = flex.flex_attention(q, k, v, score_mod=flex_score_mod(10.0), block_mask=mask)
    scores = q.double() @ k.double().transpose(-2, -1) / d**0.5
    ref = torch.softmax(scale_invariant_logits(scores, tau=10.0), dim=-1) @ v.double()
    assert (out.double() - ref).abs().max().item() < 1e-4
    with pytest.raises(ValueError, match="tau"):
        flex_score_mod(0.0)
