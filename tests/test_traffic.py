"""Counting what an attention call moves and keeps (notebook 06)."""

import pytest
import torch
import torch.nn.functional as F

from course_utils.chapters.flash import online_softmax_attention
from course_utils.chapters.traffic import count_traffic, saved_for_backward_bytes
from course_utils.core.attention import attention


def _qkv(n=256, d=32, grad=False):
    g = torch.Generator().manual_seed(0)
    return [torch.randn(1, 1, n, d, generator=g).requires_grad_(grad) for _ in range(3)]


@pytest.mark.parametrize("n", [128, 256])
def test_naive_attention_holds_three_n_by_n_buffers_and_moves_about_a_dozen_passes(n):
    traffic = count_traffic(lambda q, k, v: attention(q, k, v)[0], *_qkv(n))
    assert traffic.peak_live / (4 * n * n) == pytest.approx(3.0, abs=0.05)
    assert 10 < traffic.moved / (4 * n * n) < 15
    assert traffic.moved == traffic.read + traffic.written and len(traffic.ops) > 5


def test_the_fused_kernel_moves_q_k_v_in_and_the_output_and_lse_out():
    n, d = 256, 32
    traffic = count_traffic(F.scaled_dot_product_attention, *_qkv(n, d))
    assert traffic.read == 3 * n * d * 4
    assert n * d * 4 <= traffic.written <= n * (d + 1) * 4
    assert len(traffic.ops) == 1


def test_the_online_softmax_holds_blocks_not_the_matrix():
    n = 512
    traffic = count_traffic(lambda q, k, v: online_softmax_attention(q, k, v, block_size=64), *_qkv(n))
    assert traffic.peak_live < 0.5 * 4 * n * n


def test_views_move_nothing_and_copies_move_their_bytes_twice():
    x = torch.randn(64, 64)
    assert count_traffic(lambda t: t.view(-1)[:10].unsqueeze(0), x).moved == 0
    copy = count_traffic(lambda t: t.T.reshape(-1), x)  # a transposed tensor cannot be flattened as a view
    assert (copy.read, copy.written, copy.peak_live) == (x.nbytes, x.nbytes, x.nbytes)


def test_saved_for_backward_naive_keeps_n_squared_and_the_fused_kernel_o_and_lse():
    n, d = 256, 32
    q, k, v = _qkv(n, d, grad=True)
    naive = saved_for_backward_bytes(lambda a, b, c: attention(a, b, c)[0], q, k, v)
    fused = saved_for_backward_bytes(F.scaled_dot_product_attention, q, k, v)
    assert naive / (4 * n * n) == pytest.approx(3.0, abs=0.05)
    assert fused <= n * (d + 1) * 4


def test_saved_for_backward_needs_inputs_that_require_grad():
    with pytest.raises(ValueError, match="require grad"):
        saved_for_backward_bytes(F.scaled_dot_product_attention, *_qkv())
