"""Dilated attention equals its dense definition, in values and gradients."""

import pytest
import torch

import course_utils.core.dilated as dilated
import course_utils.core.lse_attention as lse_attention
from course_utils.chapters.dilated_reach import receptive_field, routable_pairs
from course_utils.core.attention import attention
from course_utils.core.dilated import dilated_attention, dilated_key_counts, dilated_reference
from course_utils.core.lse_attention import segment_attention

CASES = [
    ([32], [1]),
    ([8, 16, 32], [1, 2, 4]),
    ([16, 32], [2, 4]),  # rows with offsets no pattern keeps for some heads
    ([8, 8], [1, 2]),  # overlapping patterns count shared keys twice
]


def _qkv(n=32, heads=4, d=8, dtype=torch.float64, seed=0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(2, heads, n, d, generator=g, dtype=dtype) for _ in range(3))
    return q, k, v


@pytest.mark.parametrize("causal", [False, True])
def test_single_full_pattern_is_dense_attention(causal):
    q, k, v = _qkv()
    torch.testing.assert_close(
        dilated_attention(q, k, v, [32], [1], causal=causal), attention(q, k, v, causal=causal)[0]
    )


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("segments,rates", CASES)
def test_equals_the_dense_reference(segments, rates, causal):
    q, k, v = _qkv(seed=len(segments))
    torch.testing.assert_close(
        dilated_attention(q, k, v, segments, rates, causal=causal),
        dilated_reference(q, k, v, segments, rates, causal=causal),
    )


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
    # gradcheck perturbs every input element in float64: a head dimension of 4 covers the same code
    # paths at a quarter of the cost of the full one
    small = tuple(t[..., :4].detach().clone().requires_grad_() for t in (q, k, v))
    assert torch.autograd.gradcheck(lambda a, b, c: dilated_attention(a, b, c, *args, causal=causal), small)


def test_mixing_weights_carry_gradient(monkeypatch):
    """A kernel whose log-sum-exp has no gradient (the known bug) changes the gradient; ours does not."""
    q, k, v = (t[:1, :1, :16].clone().requires_grad_() for t in _qkv(seed=4))
    (ref_q,) = torch.autograd.grad(dilated_reference(q, k, v, [8, 16], [1, 2]).square().sum(), q)
    (grad_q,) = torch.autograd.grad(dilated_attention(q, k, v, [8, 16], [1, 2]).square().sum(), q)
    torch.testing.assert_close(grad_q, ref_q)

    def detached_lse(*args, **kwargs):
        out, lse = segment_attention(*args, **kwargs)
        return out, lse.detach()

    monkeypatch.setattr(dilated, "segment_attention", detached_lse)
    (wrong_q,) = torch.autograd.grad(dilated_attention(q, k, v, [8, 16], [1, 2]).square().sum(), q)
    assert (wrong_q - ref_q).abs().max() > 1e-3


def test_mask_counts():
    mask = dilated_key_counts(8, 2, [4, 8], [1, 2])
    assert mask[0, 0, 0] == 2 and mask[0, 0, 4] == 1 and mask[0, 0, 1] == 1 and mask[0, 1, 5] == 0
    assert mask[1, 1, 3] == 2  # head 1 keeps odd rows: same segment of 4 and the dilated segment of 8


@pytest.mark.parametrize(
    "segments,rates,match",
    [
        ([24], [1], "not a multiple"),
        ([32], [3], "does not divide"),
        ([32, 16], [1], "same length"),
    ],
)
def test_bad_patterns_raise(segments, rates, match):
    q, k, v = _qkv()
    with pytest.raises(ValueError, match=match):
        dilated_attention(q, k, v, segments, rates)


@pytest.mark.parametrize(
    "inputs,match",
    [
        (lambda q, k, v: (q, k[..., :4], v), "same last dimension d"),
        (lambda q, k, v: (q, k.float(), v), "share a dtype"),
        (lambda q, k, v: (q.long(), k.long(), v.long()), "floating-point"),
    ],
)
def test_bad_inputs_give_the_value_errors_of_attention(inputs, match):
    q, k, v = inputs(*_qkv())
    for run in (attention, lambda q, k, v: dilated_attention(q, k, v, [8, 16], [1, 2])):
        with pytest.raises(ValueError, match=match):
            run(q, k, v)


def test_receptive_field_grows_with_layers_to_everything_causal():
    reach = receptive_field(64, 4, [8, 64], [1, 8], layers=3)
    assert reach.shape == (3, 64, 64)
    assert not reach[0, 63, 0] and reach[1, 63, 0]  # key 0 reaches the last query in two hops (via 56 or 8)
    sizes = reach.sum(dim=(1, 2))
    assert torch.all(sizes[1:] >= sizes[:-1])
    assert not torch.any(reach.triu(1))  # never a future key


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16])
@pytest.mark.parametrize("how", ["missing", "not for this dtype"])
def test_without_the_private_fused_kernel_the_matmul_path_gives_the_same_result(monkeypatch, how, dtype):
    """The fused CPU kernel is a private ATen op: where torch lacks it or it takes no such dtype, matmuls."""
    q, k, v = (t.to(dtype).requires_grad_() for t in _qkv(seed=6))
    args = ([8, 16, 32], [1, 2, 4])
    want = dilated_attention(q, k, v, *args, causal=True)
    (want_grad,) = torch.autograd.grad(want.float().square().sum(), q)
    if how == "missing":
        monkeypatch.setitem(lse_attention.FUSED_KERNELS, "cpu", "_no_such_op_in_this_torch")
        assert lse_attention._fused_op("cpu") is None
    else:
        monkeypatch.setitem(lse_attention.FUSED_DTYPES, "cpu", ())
    assert lse_attention.fused_kernel_problem(q, k, v) is not None
    got = dilated_attention(q, k, v, *args, causal=True)
    (got_grad,) = torch.autograd.grad(got.float().square().sum(), q)
    tol = {torch.float64: 1e-10, torch.float32: 1e-5, torch.bfloat16: 2e-2}[dtype]
    torch.testing.assert_close(got, want, atol=tol, rtol=tol)
    torch.testing.assert_close(got_grad, want_grad, atol=tol * 10, rtol=tol * 10)


def test_low_precision_keeps_fp32_statistics():
    q, k, v = (t.reshape(2, 16, 8, 8).bfloat16() for t in _qkv(seed=7))
    for fused in (True, False):
        out, lse = segment_attention(q, k, v, fused=fused)
        assert lse.dtype == torch.float32
    assert dilated_attention(*_qkv(dtype=torch.bfloat16), [8, 16], [1, 2]).dtype == torch.bfloat16


def test_geometric_patterns():
    assert dilated.geometric_patterns(8192) == ([512, 2048, 8192], [1, 4, 16])
    assert dilated.geometric_patterns(2**20)[0][-1] == 524_288
    assert dilated.geometric_patterns(128) == ([128], [1])
    assert dilated.geometric_patterns(256, base=64) == ([64, 256], [1, 4])
    with pytest.raises(ValueError, match="multiple"):
        dilated.geometric_patterns(3000)


def test_routable_pairs_reproduce_the_reviewers_independent_count():
    """The chapter-07 review counted, with its own numpy re-implementation of the mask, the pairs a
    2- and a 3-layer stack of the kv models' patterns can bind and deliver, for every K."""
    reach = receptive_field(64, 4, [8, 16, 32, 64], [1, 2, 4, 8], 3)
    two = [4, 5, 6, 4, 6, 6, 9, 7, 10, 9, 12, 0, 4]
    three = [4, 5, 6, 6, 7, 9, 10, 11, 12, 13, 14, 8, 12]
    assert [int(routable_pairs(reach, k, 2).sum()) for k in range(4, 17)] == two
    assert [int(routable_pairs(reach, k, 3).sum()) for k in range(4, 17)] == three
    assert routable_pairs(reach, 16, 2).nonzero().flatten().tolist() == [0, 4, 8, 12]
    with pytest.raises(ValueError, match="layers >= 2"):
        routable_pairs(reach, 16, 1)
    with pytest.raises(ValueError, match="positions"):
        routable_pairs(reach, 40, 2)
