"""Scale-invariant attention (Anson, Wang, Aitchison, "Scale-invariant Attention", 2025).

For a query at position i and a key at distance t = i - j >= 0 with score S_t = q·k_j / sqrt(d),
the logit becomes

    L_t = a_t · S_t + m_t,   a_t = sqrt(1 + 2 log(1 + t/tau)),   m_t = -2 log(1 + t/tau).

The paper picks a_t and m_t so that, for Gaussian scores, every range of distances [t, 2t) keeps
the same expected total attention whatever t ("scale-invariant total attention") and the same
expected sum of e^L·L, the paper's sparsity statistic ("scale-invariant attention sparsity"); chapter
08 derives the first and measures how far each holds. t = 0 is unchanged.

The model's logit module `ScaleInvariantLogits` and the coefficients a_t, m_t
(`scale_invariant_coefficients`) live in `course_utils.core.logits`, the model's layer; this module
builds on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from course_utils.core.logits import ScaleInvariantLogits, check_scale_invariant_tau, scale_invariant_coefficients


def expected_mass(t: Tensor, tau: float = 10.0) -> Tensor:
    """E[exp(L_t)] for S_t ~ N(0, 1): e^{1/2} / (1 + t/tau).

    Example:
        >>> expected_mass(torch.tensor([0.0]))
        tensor([1.6487])
    """
    check_scale_invariant_tau(tau)
    return math.exp(0.5) / (1 + t / tau)


def scale_invariant_logits(scores: Tensor, *, tau: float = 10.0) -> Tensor:
    """Causal scores (..., n, n), query i and key j -> a_t·S + m_t with t = i - j; future keys -inf.

    Example:
        >>> q = k = torch.ones(3, 4)
        >>> scale_invariant_logits(q @ k.transpose(-2, -1) / math.sqrt(4), tau=10.0)
        tensor([[2.0000,   -inf,   -inf],
                [1.9917, 2.0000,   -inf],
                [1.9717, 1.9917, 2.0000]])
    """
    if scores.dim() < 2 or scores.shape[-1] != scores.shape[-2]:
        raise ValueError(
            f"scores must be (..., n, n) with query rows and key columns, got {tuple(scores.shape)}; "
            "pass the square scores of self-attention, q @ k.transpose(-2, -1)"
        )
    pos = torch.arange(scores.shape[-1], device=scores.device)
    future = pos[None, :] > pos[:, None]  # (n, n): key j after query i
    return ScaleInvariantLogits(tau)(scores, pos, pos).masked_fill(future, float("-inf"))


#: A FlexAttention `score_mod`: (score, batch, head, q_idx, kv_idx) -> the new score.
ScoreMod = Callable[[Tensor, Tensor, Tensor, Tensor, Tensor], Tensor]


def flex_score_mod(tau: float = 10.0) -> ScoreMod:
    """The transform as a FlexAttention `score_mod` (torch >= 2.5): `a_t·score + m_t` with t = q_idx - kv_idx.

    It is applied inside the kernel's tiles, so no score matrix is stored. Combine it with a causal
    block mask (keys after the query are the mask's business, not the transform's).

    Example:
        With the reader's q, k, v and a causal `BlockMask`:

        >>> flex_attention(q, k, v, score_mod=flex_score_mod(10.0), block_mask=causal_block_mask)  # doctest: +SKIP
    """
    check_scale_invariant_tau(tau)

    def score_mod(score: Tensor, batch: Tensor, head: Tensor, q_idx: Tensor, kv_idx: Tensor) -> Tensor:
        a, m = scale_invariant_coefficients((q_idx - kv_idx).to(torch.float32), tau)
        return a * score + m

    return score_mod
