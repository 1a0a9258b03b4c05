import math

import pytest
import torch

from course_utils.metrics import (
    attention_entropy, first_token_mass, mass_by_key_position, max_weight, normalized_entropy,
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


def test_max_weight_and_first_token_mass():
    w = torch.tensor([[1.0, 0.0, 0.0], [0.2, 0.5, 0.3]])
    assert torch.equal(max_weight(w), torch.tensor([1.0, 0.5]))
    assert torch.equal(first_token_mass(w), torch.tensor([1.0, 0.2]))
    assert first_token_mass(torch.full((2, 4, 3, 3), 1 / 3)).shape == (2, 4, 3)


def test_mass_by_key_position():
    w = causal_uniform(4)
    mass = mass_by_key_position(w)
    column_sums = [1 + 1 / 2 + 1 / 3 + 1 / 4, 1 / 2 + 1 / 3 + 1 / 4, 1 / 3 + 1 / 4, 1 / 4]
    assert torch.allclose(mass, torch.tensor(column_sums) / 4)
    assert torch.allclose(mass.sum(), torch.tensor(1.0))
    assert torch.allclose(mass_by_key_position(w, queries=torch.tensor([3])), torch.full((4,), 0.25))
    assert torch.allclose(mass_by_key_position(w, queries=torch.tensor([-1])), torch.full((4,), 0.25))
    mask = torch.tensor([False, True, False, False])
    assert torch.allclose(mass_by_key_position(w, queries=mask), torch.tensor([0.5, 0.5, 0.0, 0.0]))
    assert mass_by_key_position(torch.full((2, 3, 4, 4), 0.25)).shape == (2, 3, 4)


@pytest.mark.parametrize("queries, match", [
    (torch.tensor([4]), "query indices"), (torch.tensor([True, False]), "length n_q"),
    (torch.zeros(4, dtype=torch.bool), "no rows"), (torch.tensor([0.0]), "1-D long"),
    (torch.tensor([[0]]), "1-D long"),
])
def test_mass_by_key_position_errors(queries, match):
    with pytest.raises(ValueError, match=match):
        mass_by_key_position(causal_uniform(4), queries=queries)


@pytest.mark.parametrize(
    "fn", [attention_entropy, normalized_entropy, max_weight, first_token_mass, mass_by_key_position])
def test_weights_are_validated(fn):
    with pytest.raises(ValueError, match="sum to 1"):
        fn(torch.full((3, 3), 0.5))
    with pytest.raises(ValueError, match="negative"):
        fn(torch.tensor([[1.5, -0.5]]))
    with pytest.raises(ValueError, match="n_q, n_k"):
        fn(torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="torch.Tensor"):
        fn([[1.0]])


def test_low_precision_softmax_passes():
    w = torch.softmax(torch.randn(4, 64, 64, generator=torch.Generator().manual_seed(0)), dim=-1)
    assert attention_entropy(w.to(torch.bfloat16)).shape == (4, 64)
