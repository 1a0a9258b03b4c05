import math

import pytest
import torch

from course_utils.core.metrics import (
    attention_entropy,
    js_divergence,
    max_weight,
    normalized_entropy,
    relative_max_error,
)


def causal_uniform(n: int) -> torch.Tensor:
    w = torch.tril(torch.ones(n, n))
    return w / w.sum(dim=-1, keepdim=True)


def test_entropy_uniform_and_one_hot():
    n = 8
    uniform = torch.full((2, 3, 5, n), 1 / n)
    assert attention_entropy(uniform).shape == (2, 3, 5)
    assert torch.allclose(attention_entropy(uniform), torch.full((2, 3, 5), math.log(n)))
    one_hot = torch.eye(n)
    assert torch.equal(attention_entropy(one_hot), torch.zeros(n))  # 0 * log 0 = 0, no NaN
    assert torch.allclose(attention_entropy(torch.tensor([[0.5, 0.5, 0.0]])), torch.tensor([math.log(2)]))


def test_normalized_entropy_causal_and_explicit():
    n = 6
    w = causal_uniform(n)
    expected = torch.tensor([0.0] + [1.0] * (n - 1))
    assert torch.allclose(normalized_entropy(w), expected)
    # the last 2 queries of a causal map see 5 and 6 keys
    assert torch.allclose(normalized_entropy(w[-2:]), torch.ones(2))
    bidirectional = torch.full((3, n), 1 / n)
    assert torch.allclose(normalized_entropy(bidirectional, n_visible=n), torch.ones(3))
    half = torch.tensor([[0.5, 0.5, 0.0, 0.0]])
    assert torch.allclose(normalized_entropy(half, n_visible=4), torch.tensor([0.5]))
    assert torch.allclose(normalized_entropy(half, n_visible=torch.tensor([2])), torch.tensor([1.0]))


def test_normalized_entropy_errors():
    with pytest.raises(ValueError, match="more keys than n_visible"):
        normalized_entropy(torch.full((4, 4), 0.25))  # bidirectional weights, causal assumed
    with pytest.raises(ValueError, match="n_q <= n_k"):
        normalized_entropy(torch.full((5, 4), 0.25))
    with pytest.raises(ValueError, match="broadcast"):
        normalized_entropy(torch.full((4, 4), 0.25), n_visible=torch.full((3,), 4))
    with pytest.raises(ValueError, match="between 1 and n_k"):
        normalized_entropy(torch.full((4, 4), 0.25), n_visible=5)


def test_max_weight():
    w = torch.tensor([[1.0, 0.0, 0.0], [0.2, 0.5, 0.3]])
    assert torch.equal(max_weight(w), torch.tensor([1.0, 0.5]))
    assert max_weight(torch.full((2, 4, 3, 3), 1 / 3)).shape == (2, 4, 3)


@pytest.mark.parametrize("fn", [attention_entropy, normalized_entropy, max_weight])
def test_weights_are_validated(fn):
    with pytest.raises(ValueError, match="sum to 1"):
        fn(torch.full((3, 3), 0.5))
    with pytest.raises(ValueError, match="negative"):
        fn(torch.tensor([[1.5, -0.5]]))
    with pytest.raises(ValueError, match="n_q, n_k"):
        fn(torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match=r"torch\.Tensor"):
        fn([[1.0]])


def test_low_precision_softmax_passes():
    """A softmax taken in bfloat16 (rows off 1 by more than float32's tolerance) is accepted, and its
    entropy, normalised entropy and max weight are the float64 softmax's to bfloat16 precision."""
    scores = torch.randn(4, 64, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    w, low = torch.softmax(scores, dim=-1), torch.softmax(scores.to(torch.bfloat16), dim=-1)
    assert (low.double().sum(-1) - 1).abs().max() > 1e-3  # the float32 tolerance would reject it
    for fn, kwargs in ((attention_entropy, {}), (normalized_entropy, {"n_visible": 64}), (max_weight, {})):
        torch.testing.assert_close(fn(low, **kwargs).double(), fn(w, **kwargs), rtol=2e-2, atol=1e-2)


def test_distance_octave_mass_bins_distances_by_powers_of_two():
    from course_utils.core.metrics import distance_octave_mass

    n = 16
    w = causal_uniform(n)
    mass = distance_octave_mass(w, first_query=8)  # bins: 0, 1, 2-3, 4-7, 8-15
    assert mass.shape == (5,)
    torch.testing.assert_close(mass.sum(), torch.tensor(1.0))
    # query i sees distances 0..i uniformly: bin 0 gets 1/(i+1); averaged over i = 8..15
    expected0 = sum(1 / (i + 1) for i in range(8, 16)) / 8
    assert mass[0].item() == pytest.approx(expected0, rel=1e-5)
    one_back = torch.zeros(n, n)
    one_back[0, 0] = 1
    one_back[torch.arange(1, n), torch.arange(n - 1)] = 1  # every query reads the previous token
    assert distance_octave_mass(one_back, first_query=1)[1].item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="first_query"):
        distance_octave_mass(w, first_query=n)


def test_js_divergence_is_bounded_symmetric_and_the_formula():
    p, q = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    assert js_divergence(p, q).item() == pytest.approx(1.0)  # disjoint supports: 1 bit
    assert js_divergence(p, p).item() == pytest.approx(0.0)
    g = torch.Generator().manual_seed(2)
    a, b = torch.rand(5, 7, generator=g).softmax(-1), torch.rand(5, 7, generator=g).softmax(-1)
    torch.testing.assert_close(js_divergence(a, b), js_divergence(b, a))
    m = 0.5 * (a + b)
    by_hand = 0.5 * (a * (a / m).log()).sum(-1) + 0.5 * (b * (b / m).log()).sum(-1)
    torch.testing.assert_close(js_divergence(a, b), by_hand / math.log(2))
    torch.testing.assert_close(js_divergence(a[:, None], b[None, :]).diagonal(), js_divergence(a, b))  # broadcasts
    with pytest.raises(ValueError, match="broadcastable"):
        js_divergence(a, b[:, :3])


def test_relative_max_error_divides_by_the_largest_reference_value():
    ref = torch.tensor([1.0, -4.0])
    assert relative_max_error(torch.tensor([1.5, -4.0]), ref) == 0.125
    assert relative_max_error(ref[:1] + 0.5, ref[:1], scale=ref) == 0.125  # a slice against the whole output
    assert relative_max_error(ref, ref) == 0.0
