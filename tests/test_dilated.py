"""Dilated attention equals its dense definition, in values and gradients."""

import pytest
import torch

from course_utils.attention import attention
from course_utils.dilated import (
    dilated_attention, dilated_flops, dilated_mask, dilated_reference,
)

CASES = [
    ([32], [1]),
    ([8, 16, 32], [1, 2, 4]),
    ([16, 32], [2, 4]),  # rows with offsets no pattern keeps for some heads
    ([8, 8], [1, 2]),  # overlapping patterns count shared keys twice
]


def _qkv(n=32, heads=4, d=8, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(2, heads, n, d, generator=g, dtype=dtype) for _ in range(3)]


@pytest.mark.parametrize("causal", [False, True])
def test_single_full_pattern_is_dense_attention(causal):
    q, k, v = _qkv()
    torch.testing.assert_close(dilated_attention(q, k, v, [32], [1], causal=causal), attention(q, k, v, causal=causal)[0])


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("segments,rates", CASES)
def test_equals_the_dense_reference(segments, rates, causal):
    q, k, v = _qkv(seed=len(segments))
    torch.testing.assert_close(dilated_attention(q, k, v, segments, rates, causal=causal),
                               dilated_reference(q, k, v, segments, rates, causal=causal))


def test_uncovered_queries_get_zeros():
    q, k, v = _qkv(n=8, heads=1)
    out = dilated_attention(q, k, v, [8], [2])  # head 0 keeps rows 0, 2, 4, 6
    assert torch.all(out[:, :, 1::2] == 0) and torch.all(out[:, :, 0::2] != 0)


@pytest.mark.parametrize("causal", [False, True])
def test_gradients_match_the_reference_and_gradcheck(causal):
    q, k, v = (t[:1, :2, :16].clone().requires_grad_() for t in _qkv(seed=3))
    args = ([4, 8, 16], [1, 2, 4])
    grads = torch.autograd.grad(dilated_attention(q, k, v, *args, causal=causal).square().sum(), (q, k, v))
    expected = torch.autograd.grad(dilated_reference(q, k, v, *args, causal=causal).square().sum(), (q, k, v))
    for got, want in zip(grads, expected):
        torch.testing.assert_close(got, want)
    assert torch.autograd.gradcheck(lambda a, b, c: dilated_attention(a, b, c, *args, causal=causal), (q, k, v))


def test_mixing_weights_carry_gradient():
    """Detaching the log-sum-exp weights (a known bug) changes the gradient; ours matches the reference."""
    q, k, v = (t[:1, :1, :16].clone().requires_grad_() for t in _qkv(seed=4))
    out = dilated_attention(q, k, v, [8, 16], [1, 2])
    (grad_q,) = torch.autograd.grad(out.sum(), q)
    (ref_q,) = torch.autograd.grad(dilated_reference(q, k, v, [8, 16], [1, 2]).sum(), q)
    torch.testing.assert_close(grad_q, ref_q)
    assert grad_q.abs().sum() > 0


def test_mask_counts_and_flops():
    mask = dilated_mask(8, 2, [4, 8], [1, 2])
    assert mask[0, 0, 0] == 2 and mask[0, 0, 4] == 1 and mask[0, 0, 1] == 1 and mask[0, 1, 5] == 0
    assert mask[1, 1, 3] == 2  # head 1 keeps odd rows: same segment of 4 and the dilated segment of 8
    assert dilated_flops(8192, 64, 8, [2048], [1]) == 4 * 4 * 2048**2 * 64 * 8


@pytest.mark.parametrize("segments,rates,match", [
    ([24], [1], "not a multiple"), ([32], [3], "does not divide"), ([32, 16], [1], "same length"),
])
def test_bad_patterns_raise(segments, rates, match):
    q, k, v = _qkv()
    with pytest.raises(ValueError, match=match):
        dilated_attention(q, k, v, segments, rates)
