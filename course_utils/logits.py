"""Logit transforms: functions of the scores applied just before the softmax.

The course's attention calls `transform(scores, q_pos, k_pos)` on
`scores: (batch, heads, n_q, n_k)` after the positional bias and before the mask.
Identity is the default; chapters on dilution and scale-invariant attention add
others (log-n scaling here; scale-invariant and sink variants later).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

LOGIT_TRANSFORMS = ("identity", "log_n")


class IdentityLogits(nn.Module):
    """Leave the scores as they are (standard attention).

    Example: `IdentityLogits()(scores, q_pos, k_pos) is scores`
    """

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor) -> Tensor:
        return scores


class LogNScaling(nn.Module):
    """Multiply query i's scores by log(number of keys it can see), Chiang & Cholak (2022).

    With a causal mask query i sees the keys whose position is <= its own; without one it
    sees all n_k. The factor is clamped at 1 so the first few queries are left unscaled.

    Example: `LogNScaling(causal=True)(scores, torch.arange(n), torch.arange(n))`
    """

    def __init__(self, causal: bool = True) -> None:
        super().__init__()
        self.causal = causal

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor) -> Tensor:
        if self.causal:
            visible = (k_pos[None, :] <= q_pos[:, None]).sum(-1)  # (n_q,)
        else:
            visible = torch.full((q_pos.shape[0],), k_pos.shape[0], device=scores.device)
        factor = visible.to(scores.dtype).log().clamp_min(1.0)  # (n_q,)
        return scores * factor[:, None]


def make_logit_transform(name: str, *, causal: bool = True) -> nn.Module:
    """Build a transform by name: one of `LOGIT_TRANSFORMS`.

    Example: `make_logit_transform("log_n")`
    """
    if name == "identity":
        return IdentityLogits()
    if name == "log_n":
        return LogNScaling(causal=causal)
    raise ValueError(f"unknown logit transform {name!r}; choose one of {LOGIT_TRANSFORMS}")
