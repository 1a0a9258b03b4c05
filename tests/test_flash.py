"""Online-softmax attention equals dense attention; the naive path's memory guard."""

import pytest
import torch

from course_utils.attention import attention, score_matrix_bytes
from course_utils.flash import online_softmax_attention, online_softmax_update


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("n_q,n_k,block", [(37, 37, 8), (5, 53, 16), (64, 64, 64), (1, 9, 4), (33, 100, 7)])
def test_online_softmax_equals_dense(dtype, tol, causal, n_q, n_k, block):
    g = torch.Generator().manual_seed(n_q * 1000 + n_k)
    q = torch.randn(2, 3, n_q, 8, generator=g).to(dtype) * 3
    k = torch.randn(2, 3, n_k, 8, generator=g).to(dtype) * 3
    v = torch.randn(2, 3, n_k, 5, generator=g).to(dtype)
    expected, _ = attention(q, k, v, causal=causal)
    got = online_softmax_attention(q, k, v, causal=causal, block_size=block)
    torch.testing.assert_close(got, expected, atol=tol, rtol=tol)


def test_online_update_from_empty_state_is_a_softmax():
    scores, v = torch.tensor([[1.0, 2.0, 3.0]]), torch.eye(3)
    m, l, o = online_softmax_update(torch.tensor([[float("-inf")]]), torch.zeros(1, 1), torch.zeros(1, 3), scores, v)
    torch.testing.assert_close(o, scores.softmax(-1))
    assert m.item() == 3.0


def test_online_softmax_bad_inputs():
    q = torch.randn(4, 8)
    with pytest.raises(ValueError, match="block_size"):
        online_softmax_attention(q, q, q, block_size=0)
    with pytest.raises(ValueError, match="n_q <= n_k"):
        online_softmax_attention(torch.randn(5, 8), q, q, causal=True)
    with pytest.raises(ValueError, match="equal leading"):
        online_softmax_attention(q, torch.randn(4, 7), q)


def test_naive_attention_refuses_a_score_matrix_over_budget():
    q = torch.empty(1, 2, 1000, 16)
    assert score_matrix_bytes(q, q) == 2 * 1000 * 1000 * 4
    with pytest.raises(ValueError, match=r"would need 0\.01 GiB.*online_softmax_attention"):
        attention(q, q, q, max_score_bytes=2**20)
    q = torch.randn(1, 2, 8, 4)
    attention(q, q, q, max_score_bytes=None)  # no limit
