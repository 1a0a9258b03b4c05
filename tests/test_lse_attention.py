"""Attention with its log-sum-exp, the fused kernel behind it and merging partial outputs."""

import pytest
import torch

import course_utils.core.lse_attention as lse_attention
from course_utils.core.attention import attention
from course_utils.core.dilated import dilated_attention
from course_utils.core.lse_attention import (
    attention_with_lse,
    fused_kernel_problem,
    merge_lse,
    merge_partials,
    segment_attention,
)


def _qkv(shape=(2, 16, 8, 8), dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*shape, generator=g, dtype=dtype) for _ in range(3)]


@pytest.mark.parametrize("causal", [False, True])
def test_attention_with_lse_is_attention_and_the_log_of_its_denominator(causal):
    q, k, v = _qkv()
    out, lse = attention_with_lse(q, k, v, q_start=0 if causal else None)
    want, _ = attention(q, k, v, causal=causal)
    scores = q @ k.transpose(-2, -1) / 8**0.5
    if causal:
        scores = scores.masked_fill(torch.ones(8, 8, dtype=torch.bool).triu(1), float("-inf"))
    torch.testing.assert_close(out, want)
    torch.testing.assert_close(lse, torch.logsumexp(scores, dim=-1))


def test_merging_partials_over_disjoint_keys_is_attention_over_all_of_them():
    q, k, v = _qkv(shape=(2, 3, 12, 4), seed=1)
    parts = [slice(0, 5), slice(5, 6), slice(6, 12)]  # 5, 1 and 6 keys
    partials = [attention_with_lse(q, k[:, :, p], v[:, :, p]) for p in parts]
    outs, lses = [o for o, _ in partials], [lse for _, lse in partials]
    want_out, want_lse = attention_with_lse(q, k, v)
    lse = merge_lse(lses)
    torch.testing.assert_close(lse, want_lse)
    torch.testing.assert_close(merge_partials(outs, lses), want_out)
    assert torch.equal(merge_partials(outs, lses, lse), merge_partials(outs, lses))


def test_merged_shares_carry_gradient_to_each_lse():
    q, k, v = (t.requires_grad_() for t in _qkv(shape=(1, 2, 6, 4), seed=2))
    halves = [attention_with_lse(q, k[:, :, p], v[:, :, p]) for p in (slice(0, 3), slice(3, 6))]
    merged = merge_partials([o for o, _ in halves], [lse for _, lse in halves])
    (got,) = torch.autograd.grad(merged.square().sum(), q)
    (want,) = torch.autograd.grad(attention_with_lse(q, k, v)[0].square().sum(), q)
    torch.testing.assert_close(got, want)


def test_a_partial_that_saw_no_key_has_no_share_and_no_partial_gives_zeros():
    inf = float("-inf")
    lses = [torch.tensor([0.0, inf]), torch.tensor([inf, inf])]  # query 1 saw no key at all
    assert merge_lse(lses).tolist() == [0.0, inf]
    out = merge_partials([torch.full((2, 3), 2.0), torch.full((2, 3), 5.0)], lses)
    assert out.tolist() == [[2.0] * 3, [0.0] * 3]
    with pytest.raises(ValueError, match="one log-sum-exp per partial"):
        merge_partials([torch.ones(2, 3)], lses)


def test_a_log_sum_exp_of_the_wrong_shape_says_which_shape_to_pass():
    q, k, v = _qkv(shape=(1, 2, 6, 4), seed=3)
    halves = [attention_with_lse(q, k[:, :, p], v[:, :, p]) for p in (slice(0, 3), slice(3, 6))]
    outs, lses = [o for o, _ in halves], [lse for _, lse in halves]
    with pytest.raises(
        ValueError, match=r"lses\[1\] must have shape \(\.\.\., n_q\) = \(1, 2, 6\).*drop its trailing 1"
    ):
        merge_partials(outs, [lses[0], lses[1][..., None]])
    with pytest.raises(ValueError, match=r"lses\[0\] must have shape .* got \(1, 2\)$"):
        merge_partials(outs, [lses[0][..., 0], lses[1]])
    with pytest.raises(ValueError, match=r"^lse must have shape"):
        merge_partials(outs, lses, merge_lse(lses)[..., None])


@pytest.mark.parametrize("function", [attention_with_lse, segment_attention])
@pytest.mark.parametrize(
    "inputs,match",
    [
        (lambda q, k, v: (q, k[..., :4], v), "same last dimension d"),
        (lambda q, k, v: (q, k.float(), v), "share a dtype"),
        (lambda q, k, v: (q.long(), k.long(), v.long()), "floating-point"),
        (lambda q, k, v: (q, k[:, :, :5], v), "same number of keys"),
    ],
)
def test_bad_inputs_give_the_value_errors_of_attention(function, inputs, match):
    q, k, v = inputs(*_qkv())
    with pytest.raises(ValueError, match=match):
        attention(q, k, v)
    with pytest.raises(ValueError, match=match):
        function(q, k, v)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("causal", [False, True])
def test_fused_kernel_equals_matmuls_in_values_and_gradients(causal, dtype):
    q, k, v = (t.clone().requires_grad_() for t in _qkv(dtype=dtype, seed=5))
    assert fused_kernel_problem(q, k, v, causal=causal) is None
    fused, explicit = (segment_attention(q, k, v, causal=causal, fused=f) for f in (True, False))
    for got, want in zip(fused, explicit):
        torch.testing.assert_close(got, want)
    weights = torch.randn_like(fused[1])  # a loss that depends on lse too, as the mixing does
    grads = [
        torch.autograd.grad(out.square().sum() + (lse * weights).sum(), (q, k, v)) for out, lse in (fused, explicit)
    ]
    for got, want in zip(*grads):
        torch.testing.assert_close(got, want)


@pytest.mark.parametrize(
    "inputs,match",
    [
        (lambda q, k, v: (q[0], k[0], v[0]), "(B, G, m, d)"),
        (lambda q, k, v: (q, k, v[..., :4]), "one head size"),
        (lambda q, k, v: (q[:, :, :0], k[:, :, :0], v[:, :, :0]), "at least one query"),
        (lambda q, k, v: (q.half(), k.half(), v.half()), "takes"),
    ],
)
def test_inputs_the_kernel_cannot_take_go_to_the_matmul_path_up_front(inputs, match, monkeypatch):
    """Each refusal is known before the call (the CPU kernel raises on some, and crashes on empty inputs)."""
    monkeypatch.setitem(lse_attention.FUSED_DTYPES, "cpu", (torch.float32, torch.float64))  # fp16: not taken
    q, k, v = inputs(*_qkv())
    assert match in (fused_kernel_problem(q, k, v) or "")
    with pytest.raises(ValueError, match="fused=True, but"):
        segment_attention(q, k, v, fused=True)
    out, lse = segment_attention(q, k, v)  # fused=None: the matmul path
    torch.testing.assert_close(out, attention_with_lse(q, k, v)[0])


@pytest.mark.parametrize(
    "inputs,match",
    [
        (lambda q, k, v: (q, k.float(), v), "different devices or of different dtypes"),
        (lambda q, k, v: (q.to(torch.int32), k.to(torch.int32), v.to(torch.int32)), "takes"),
    ],
)
def test_inputs_no_attention_takes_are_refused_before_the_kernel_is_considered(inputs, match):
    q, k, v = inputs(*_qkv())
    assert match in (fused_kernel_problem(q, k, v) or "")
    with pytest.raises(ValueError, match="share a dtype|floating-point"):
        segment_attention(q, k, v, fused=True)


def test_an_error_inside_the_kernel_propagates(monkeypatch):
    """A kernel that fails (out of memory, ...) is not swapped for matmuls: a measurement of the fused
    path never silently measures another kernel."""

    def fails(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(lse_attention, "_fused_op", lambda device_type: fails)
    q, k, v = _qkv()
    assert fused_kernel_problem(q, k, v) is None
    with pytest.raises(RuntimeError, match="out of memory"):
        segment_attention(q, k, v)
    with pytest.raises(RuntimeError, match="out of memory"):
        dilated_attention(q, k, v, [4, 8], [1, 2])
    assert segment_attention(q, k, v, fused=False)[0].shape == v.shape  # matmuls only when asked


def test_causal_segments_need_as_many_queries_as_keys():
    q, k, v = (torch.randn(1, 1, n, 8) for n in (3, 5, 5))
    with pytest.raises(ValueError, match="q_start"):
        segment_attention(q, k, v, causal=True)
    assert segment_attention(q, k, v)[0].shape == (1, 1, 3, 8)  # without causal any lengths work


@pytest.mark.gpu
@pytest.mark.parametrize("causal", [False, True])
def test_flash_on_cuda_where_it_applies_equals_matmuls(causal):
    q, k, v = (t.cuda().bfloat16() for t in _qkv(shape=(2, 4, 64, 64)))
    assert fused_kernel_problem(q, k, v, causal=causal) is None
    fused = segment_attention(q, k, v, causal=causal, fused=True)
    explicit = attention_with_lse(q, k, v, q_start=0 if causal else None)
    torch.testing.assert_close(fused[0].float(), explicit[0], atol=2e-2, rtol=2e-2)
    torch.testing.assert_close(fused[1], explicit[1], atol=1e-2, rtol=1e-3)
    assert "multiple of 8" in (fused_kernel_problem(q[..., :12], k[..., :12], v[..., :12]) or "")
    assert "as many queries as keys" in (fused_kernel_problem(q[:, :, :32], k, v, causal=True) or "")
    assert fused_kernel_problem(q.float(), k.float(), v.float()) is not None  # flash takes fp16/bf16 only


def test_a_negative_q_start_is_refused():
    q, k, v = (torch.randn(1, 2, 4, 8) for _ in range(3))
    with pytest.raises(ValueError, match="q_start must be >= 0, got -1; pass 0"):
        attention_with_lse(q, k, v, q_start=-1)
