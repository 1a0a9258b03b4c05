"""Logit transforms: functions of the scores applied just before the softmax.

The course's attention calls `transform(scores, q_pos, k_pos, causal=causal)` (`LogitTransform`) on
`scores: (batch, heads, n_q, n_k)` after the positional bias and before the mask.
Identity is the default. Log-n scaling and Scalable-Softmax fight attention dilution
(notebook 02); scale-invariant attention (notebook 08) depends on the query-key distance t:
`a_t * S + m_t` with `a_t = sqrt(1 + 2 log(1 + t/tau))` and `m_t = -2 log(1 + t/tau)` (the derivation
is in `course_utils.chapters.scale_invariant`). Its two halves alone, for notebook 08's ablation:
"si_offset" adds m_t only (a logarithmic distance penalty, a relative of ALiBi), "si_multiplier"
multiplies by a_t only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn


class LogitTransform(nn.Module):
    """The interface of a transform: `forward(scores, q_pos, k_pos, *, causal)` -> scores of the same shape.

    scores: (batch, heads, n_q, n_k), before the mask; q_pos: (n_q,) and k_pos: (n_k,), the queries' and keys'
    positions; causal: whether each query sees only the keys at positions up to its own (the attention's
    own `causal`, passed at every call, so a transform counts the keys the mask leaves).
    """

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor, *, causal: bool = True) -> Tensor:
        raise NotImplementedError


class IdentityLogits(LogitTransform):
    """Leave the scores as they are (standard attention).

    Example:
        >>> scores, positions = torch.zeros(1, 1, 3, 3), torch.arange(3)
        >>> IdentityLogits()(scores, positions, positions) is scores
        True
    """

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor, *, causal: bool = True) -> Tensor:
        return scores


def visible_keys(q_pos: Tensor, k_pos: Tensor, causal: bool) -> Tensor:
    """Number of keys each query sees: (n_q,). Causal: keys at positions <= the query's.

    Example:
        >>> visible_keys(torch.arange(3), torch.arange(3), causal=True)
        tensor([1, 2, 3])
    """
    if causal:
        return (k_pos[None, :] <= q_pos[:, None]).sum(-1)
    return torch.full((q_pos.shape[0],), k_pos.shape[0], device=q_pos.device)


class LogNScaling(LogitTransform):
    """Multiply query i's scores by log(number of keys it can see), Chiang & Cholak (2022).

    With a causal mask query i sees the keys whose position is <= its own; without one it
    sees all n_k. The factor is clamped at 1 so the first few queries are left unscaled. With a
    `reference` length the factor is log(n) / log(reference) instead, 1 at that length (as in YaRN-
    and Qwen-style log-n attention), so a model trained there starts from an ordinary softmax.

    Example:
        The factor of each query, read off scores of 1 (the first two are clamped at 1):

        >>> positions = torch.arange(4)
        >>> LogNScaling()(torch.ones(1, 1, 4, 4), positions, positions, causal=True)[0, 0, :, 0]
        tensor([1.0000, 1.0000, 1.0986, 1.3863])

        With a reference, the factor is 1 for a query that sees 18 keys:

        >>> positions = torch.arange(18)
        >>> LogNScaling(reference=18)(torch.ones(1, 1, 18, 18), positions, positions)[0, 0, -1, 0]
        tensor(1.)
    """

    def __init__(self, reference: int | None = None) -> None:
        super().__init__()
        if reference is not None and reference < 2:
            raise ValueError(
                f"reference is a length with log(reference) > 0, so at least 2; got {reference}; "
                "pass None for the raw factor log n"
            )
        self.reference = reference

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor, *, causal: bool = True) -> Tensor:
        visible = visible_keys(q_pos, k_pos, causal)  # (n_q,)
        if self.reference is not None:
            factor = visible.to(scores.dtype).log() / math.log(self.reference)  # (n_q,)
        else:
            factor = visible.to(scores.dtype).log().clamp_min(1.0)  # (n_q,)
        return scores * factor[:, None]


class ScalableSoftmax(LogitTransform):
    """Scalable-Softmax (Nakanishi, 2025): scores of query i times `s_h * log(n_i)`.

    `s_h` is a learned scalar per head, initialised to `init`; n_i is the number of keys query i
    sees. scores: (batch, heads, n_q, n_k).

    Example:
        >>> positions = torch.arange(5)
        >>> ScalableSoftmax(heads=4)(torch.ones(2, 4, 5, 5), positions, positions).shape
        torch.Size([2, 4, 5, 5])
    """

    def __init__(self, heads: int, *, init: float = 0.5) -> None:
        super().__init__()
        self.s = nn.Parameter(torch.full((heads,), float(init)))

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor, *, causal: bool = True) -> Tensor:
        if scores.dim() != 4 or scores.shape[1] != self.s.shape[0]:
            raise ValueError(
                f"scores must be (batch, heads={self.s.shape[0]}, n_q, n_k), got {tuple(scores.shape)}; "
                "build ScalableSoftmax with the attention's number of heads"
            )
        log_n = visible_keys(q_pos, k_pos, causal).to(scores.dtype).log()  # (n_q,)
        return scores * self.s[:, None, None] * log_n[:, None]  # (B, H, n_q, n_k)


def check_scale_invariant_tau(tau: float) -> None:
    """Raise ValueError unless tau, the scale-invariant transform's distance scale, is > 0."""
    if not tau > 0:
        raise ValueError(f"tau must be > 0, got {tau}; use the paper's best, 10.0, unless you are sweeping it")


def scale_invariant_coefficients(t: Tensor, tau: float = 10.0) -> tuple[Tensor, Tensor]:
    """The multiplier a_t = sqrt(1 + 2 log(1 + t/tau)) and offset m_t = -2 log(1 + t/tau) of distances t.

    t: any shape, float -> (a_t, m_t), each shaped like t. A negative t (a key after the query) counts
    as 0: hiding it is the causal mask's job.

    Example:
        Distance 0 is left unchanged:

        >>> a, m = scale_invariant_coefficients(torch.arange(4.0))
        >>> a[0] == 1, m[0] == 0
        (tensor(True), tensor(True))
    """
    check_scale_invariant_tau(tau)
    log_term = torch.log1p(t.clamp_min(0) / tau)
    return torch.sqrt(1 + 2 * log_term), -2 * log_term


class ScaleInvariantLogits(LogitTransform):
    """Scale-invariant attention as a logit module: `a_t * scores + m_t`, or one half of it.

    `multiplier=False` leaves out a_t, `offset=False` leaves out m_t (notebook 08,
    `course_utils.chapters.scale_invariant`).

    It is defined for causal attention (distances t >= 0): `causal=False` raises a ValueError.

    Example:
        The last query's logits for scores of 1, at distances 2, 1 and 0:

        >>> positions = torch.arange(3)
        >>> ScaleInvariantLogits(tau=10.0)(torch.ones(1, 1, 3, 3), positions, positions)[0, 0, -1]
        tensor([0.8035, 0.9005, 1.0000])
    """

    def __init__(self, tau: float = 10.0, *, multiplier: bool = True, offset: bool = True) -> None:
        super().__init__()
        check_scale_invariant_tau(tau)
        if not (multiplier or offset):
            raise ValueError("keep the multiplier a_t, the offset m_t or both; with neither use 'identity'")
        self.tau, self.multiplier, self.offset = tau, multiplier, offset

    def forward(self, scores: Tensor, q_pos: Tensor, k_pos: Tensor, *, causal: bool = True) -> Tensor:
        if not causal:
            raise ValueError(
                "scale-invariant attention is defined for causal attention (distances t >= 0); "
                "pass causal=True, or use 'identity', 'log_n' or 'ssmax' for non-causal attention"
            )
        t = (q_pos[:, None] - k_pos[None, :]).to(scores.dtype)  # (n_q, n_k); keys after the query are masked
        a, m = scale_invariant_coefficients(t, self.tau)
        return (a * scores if self.multiplier else scores) + (m if self.offset else 0)


#: The scale-invariant transform and its two halves: they read the query-key distance t, so the positions' scale.
SCALE_INVARIANT_TRANSFORMS: tuple[str, ...] = ("scale_invariant", "si_offset", "si_multiplier")

#: Each transform by its `GPTConfig.logit_transform` name. A builder takes `make_logit_transform`'s keyword
#: arguments and passes on those its transform uses (`**_` takes the rest).
LOGIT_TRANSFORMS: dict[str, Callable[..., LogitTransform]] = {
    "identity": lambda **_: IdentityLogits(),
    "log_n": lambda *, log_n_reference, **_: LogNScaling(reference=log_n_reference or None),
    "ssmax": lambda *, heads, **_: ScalableSoftmax(heads),
    "scale_invariant": lambda *, tau, **_: ScaleInvariantLogits(tau),
    "si_offset": lambda *, tau, **_: ScaleInvariantLogits(tau, multiplier=False),
    "si_multiplier": lambda *, tau, **_: ScaleInvariantLogits(tau, offset=False),
}


def make_logit_transform(name: str, *, heads: int = 1, tau: float = 10.0, log_n_reference: int = 0) -> LogitTransform:
    """Build a transform by name: one of `LOGIT_TRANSFORMS`.

    Each transform takes only the arguments it uses: `heads` sizes SSMax's scales, `tau` is the
    scale-invariant transform's one hyperparameter (and its halves'), and `log_n_reference` > 0
    normalises log-n scaling to 1 at that length.

    Example:
        >>> make_logit_transform("ssmax", heads=4)
        ScalableSoftmax()
        >>> make_logit_transform("scale_invariant", tau=10.0)
        ScaleInvariantLogits()
    """
    if name not in LOGIT_TRANSFORMS:
        raise ValueError(f"unknown logit transform {name!r}; choose one of {tuple(LOGIT_TRANSFORMS)}")
    return LOGIT_TRANSFORMS[name](heads=heads, tau=tau, log_n_reference=log_n_reference)
