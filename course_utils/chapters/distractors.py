"""A needle model among distractors: exact decoys and near misses (chapter 05).

`decoy_needle_batch` hides the needle among decoys with their own marker; `near_miss_batch` among
decoys that share the first of its two key tokens. `decoy_accuracy` measures a needle model among
exact decoys and filler; `measure_near_miss` its accuracy among near misses and the weight its last
query gives the needle and a decoy (`item_weights`), which chapter 05 compares with the closed form
of `course_utils.chapters.dilution.relevant_weight` (its decoy term).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from course_utils.core.evaluate import last_query_attention, target_accuracy
from course_utils.core.model import TinyGPT
from course_utils.core.needle_tasks import decoy_needle_batch, near_miss_batch


@torch.no_grad()
def item_weights(model: TinyGPT, tokens: Tensor, starts: Tensor, *, width: int) -> Tensor:
    """How much the last layer's final query attends to each item: weight summed over an item's tokens.

    tokens: (batch, n); starts: (batch, items) the first position of each item, which covers
    `width` positions. Returns (batch, heads, items).

    Example:
        Each head's weight on the needle's `a b v` in a `needle_tasks.near_miss_batch` (notebook 05,
        section 5):

        >>> item_weights(model, batch.tokens, batch.needle_pos[:, None], width=3)[..., 0]  # doctest: +SKIP
    """
    if starts.dim() != 2 or starts.shape[0] != tokens.shape[0]:
        raise ValueError(
            f"starts must be (batch, items) with batch {tokens.shape[0]}; got {tuple(starts.shape)}. Pass one row "
            "of item starts per sequence (one item: batch.needle_pos[:, None])"
        )
    if width < 1 or starts.numel() and (starts.min() < 0 or starts.max() + width > tokens.shape[1]):
        raise ValueError(
            f"every item must lie inside the sequence: starts in [0, {tokens.shape[1] - width}] for "
            f"width {width}; got width {width}, starts {starts.min().item()}..{starts.max().item()}: pass width >= 1 "
            "and starts in that range"
        )
    last = last_query_attention(model, tokens)[1]  # (B, H, n): the last layer's final query, O(n) memory
    positions = starts[:, None, :, None] + torch.arange(width)  # (B, 1, items, width)
    picked = (
        last[:, :, None, :].expand(-1, -1, starts.shape[1], -1).gather(-1, positions.expand(-1, last.shape[1], -1, -1))
    )  # (B, H, items, width)
    return picked.sum(-1)


def decoy_accuracy(model: TinyGPT, n: int, n_decoys: int) -> float:
    """Accuracy of a needle `model` on sequences of `n` tokens with `n_decoys` decoys (`decoy_needle_batch`).

    64 sequences up to n = 256 and 32 beyond, drawn from generator 1000 + n + n_decoys.

    Example:
        For a trained decoy-needle `model` (zoo family "decoy"):

        >>> decoy_accuracy(model, 128, 32)  # doctest: +SKIP
    """
    batch = decoy_needle_batch(64 if n <= 256 else 32, n, n_decoys=n_decoys, generator=1000 + n + n_decoys)
    return target_accuracy(model, batch.tokens, batch.targets)


class NearMissResult(NamedTuple):
    """What `measure_near_miss` measured: accuracy, and the mean weight on the needle and on one decoy.

    needle_weight, decoy_weight: (heads,), each item's weight summed over its `a b v`; decoy_weight is
    NaN without decoys.
    """

    accuracy: float
    needle_weight: Tensor
    decoy_weight: Tensor


def measure_near_miss(model: TinyGPT, n: int = 128, *, n_decoys: int) -> NearMissResult:
    """Accuracy, and the last layer's final-query weight on the needle and on one near miss.

    On 256 `near_miss_batch` sequences of `n` tokens with `n_decoys` near misses (generator
    2000 + n_decoys), each item's weight summed over its `a b v` (`item_weights`).

    Example:
        For a trained near-miss `model` (zoo family "decoy", `near_miss=True`):

        >>> measure_near_miss(model, n_decoys=4).needle_weight  # doctest: +SKIP
    """
    batch = near_miss_batch(256, n, n_decoys=n_decoys, generator=2000 + n_decoys)
    assert batch.needle_pos is not None and batch.decoy_pos is not None  # every near-miss batch marks both
    starts = torch.cat([batch.needle_pos[:, None], batch.decoy_pos], dim=1)  # (B, 1 + m): each item's `a`
    weights = item_weights(model, batch.tokens, starts, width=3)  # (B, H, 1 + m)
    decoy = weights[:, :, 1:].mean((0, 2)) if n_decoys else torch.full((weights.shape[1],), float("nan"))
    return NearMissResult(target_accuracy(model, batch.tokens, batch.targets), weights[:, :, 0].mean(0), decoy)
