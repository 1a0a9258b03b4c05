"""Accuracy on the course's own task batches: key-value retrieval by queried pair index, needles by length.

Each evaluator draws its batch from a seed, so the zoo's trackers, the trials and the chapters measure
a model on the same sequences, and scores it with `course_utils.core.evaluate` (on the model's device).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from course_utils.core.evaluate import forward_in_rows, target_accuracy
from course_utils.core.model import TinyGPT
from course_utils.core.needle_tasks import needle_batch
from course_utils.core.retrieval_tasks import kv_retrieval_batch


@torch.no_grad()
def accuracy_by_query_index(
    model: TinyGPT,
    n_pairs: int,
    *,
    per_index: int = 64,
    seed: int = 0,
    positions: Tensor | None = None,
    rows_per_call: int | None = None,
    **task_kwargs: Any,
) -> Tensor:
    """Key-value retrieval accuracy for each queried pair index: (n_pairs,).

    Each pair index 0..K-1 is queried in `per_index` fresh sequences (one batch of K * per_index
    rows, generator `seed`). positions: optional (n,) positions passed to the model (e.g.
    interpolated ones). `rows_per_call`: see `forward_in_rows`. task_kwargs go to `kv_retrieval_batch`.

    Example:
        16 accuracies of a trained key-value `model`:

        >>> accuracy_by_query_index(model, 16, per_index=32)  # doctest: +SKIP
    """
    if per_index < 1:
        raise ValueError(
            f"per_index must be >= 1, got {per_index}; pass the number of sequences to draw per pair index"
        )
    query = torch.arange(n_pairs).repeat_interleave(per_index)  # (K * per_index,)
    batch = kv_retrieval_batch(len(query), n_pairs, query_index=query, generator=seed, **task_kwargs)
    answer = int(batch.answer_pos[0])  # every row of a kv batch has the same length
    predicted = forward_in_rows(
        model, batch.tokens, rows_per_call, positions=positions, select=lambda logits, _: logits[:, answer].argmax(-1)
    )  # (B,)
    correct = predicted == batch.targets[:, answer]
    return correct.float().view(n_pairs, per_index).mean(-1)


@torch.no_grad()
def needle_accuracy(model: nn.Module, n: int, *, samples: int = 256, seed: int = 0, rows_per_call: int = 16) -> float:
    """Accuracy on `samples` needle-in-a-haystack sequences of n tokens (generator `seed`), needle depth uniform.

    `rows_per_call`: see `forward_in_rows`.

    Example:
        For a trained needle `model`:

        >>> needle_accuracy(model, 1024)  # doctest: +SKIP
    """
    batch = needle_batch(samples, n, generator=seed)
    return target_accuracy(model, batch.tokens, batch.targets, rows_per_call=rows_per_call)
