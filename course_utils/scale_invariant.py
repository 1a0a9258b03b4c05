"""Scale-invariant attention (Anson, Wang, Aitchison, "Scale-invariant Attention", 2025).

For a query at position i and a key at distance t = i - j >= 0 with score S_t = q·k_j / sqrt(d),
the logit becomes

    L_t = a_t · S_t + m_t,   a_t = sqrt(1 + 2 log(1 + t/tau)),   m_t = -2 log(1 + t/tau).

If S_t ~ N(0, 1), then E[exp(L_t)] = exp(a_t²/2 + m_t) = e^{1/2} / (1 + t/tau): the expected
unnormalised attention on any range of distances [t, Δt) is about e^{1/2}·tau·log Δ, whatever t
("scale-invariant total attention"), and the logits' spread a_t grows so that attention within
far ranges stays as peaked as within near ones ("scale-invariant sparsity"). t = 0 is unchanged.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def _check_tau(tau: float) -> None:
    if not tau > 0:
        raise ValueError(f"tau must be > 0 (the paper's best is 10.0), got {tau}")


def coefficients(t: Tensor, tau: float = 10.0) -> tuple[Tensor, Tensor]:
    """Multiplier a_t and offset m_t for distances t >= 0 (any shape, float).

    Example: `a, m = coefficients(torch.arange(4.0))`; `a[0] == 1` and `m[0] == 0`.
    """
    _check_tau(tau)
    if torch.any(t < 0):
        raise ValueError("distances t must be >= 0 (the transform is causal: keys at or before the query)")
    log_term = torch.log1p(t / tau)
    return torch.sqrt(1 + 2 * log_term), -2 * log_term


def expected_mass(t: Tensor, tau: float = 10.0) -> Tensor:
    """E[exp(L_t)] for S_t ~ N(0, 1): e^{1/2} / (1 + t/tau). Example: `expected_mass(torch.tensor([0.0]))`"""
    _check_tau(tau)
    return math.exp(0.5) / (1 + t / tau)


def scale_invariant_logits(scores: Tensor, *, tau: float = 10.0) -> Tensor:
    """Causal scores (..., n, n), query i and key j -> a_t·S + m_t with t = i - j; future keys -inf.

    Example: `scale_invariant_logits(q @ k.transpose(-2, -1) / math.sqrt(d), tau=10.0)`
    """
    if scores.dim() < 2 or scores.shape[-1] != scores.shape[-2]:
        raise ValueError(f"scores must be (..., n, n) with query rows and key columns, got {tuple(scores.shape)}")
    n = scores.shape[-1]
    pos = torch.arange(n, device=scores.device)
    t = (pos[:, None] - pos[None, :]).to(scores.dtype)  # (n, n)
    a, m = coefficients(t.clamp_min(0), tau)
    return (a * scores + m).masked_fill(t < 0, float("-inf"))


class ScaleInvariantLogits(nn.Module):
    """The transform as a logit module for `MultiHeadAttention` (see `course_utils.logits`).

    Keys after the query (negative t) are left for the causal mask. Example:
    `ScaleInvariantLogits(tau=10.0)(scores, torch.arange(n), torch.arange(n))`
    """

    def __init__(self, tau: float = 10.0) -> None:
        super().__init__()
        _check_tau(tau)
        self.tau = tau

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor) -> Tensor:
        t = (q_pos[:, None] - k_pos[None, :]).to(scores.dtype).clamp_min(0)  # (n_q, n_k)
        a, m = coefficients(t, self.tau)
        return a * scores + m
