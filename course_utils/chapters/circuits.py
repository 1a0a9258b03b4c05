"""What a copy model's attention does (ch. 01).

The distance each head reads from, and whether it finds its key by content or by position.

Both work on copy batches `BOS x1..xm SEP x1..xm` (`course_utils.core.copy_tasks.copy_batch`), where the
copy queries are positions m+1 (SEP) to 2m.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from course_utils.core.batch import TaskBatch
from course_utils.core.evaluate import attention_weights, forward_in_rows


def _copy_length(batch: TaskBatch, caller: str) -> int:
    """The string length m of a copy batch; a ValueError naming `caller` for any other batch."""
    if batch.task != "copy" or batch.copy_len is None:
        raise ValueError(
            f"{caller} needs a copy batch (BOS x1..xm SEP x1..xm); got a {batch.task!r} batch. "
            "Make one with course_utils.core.copy_tasks.copy_batch"
        )
    return batch.copy_len


@torch.no_grad()
def weight_by_distance(model: nn.Module, batch: TaskBatch) -> Tensor:
    """Mean attention weight of the copy queries at each distance t = query position - key position.

    Returns (layers, heads, m + 2): entry [l, h, t] averages, over the batch and the m copy queries,
    the weight head h of layer l puts on the key t positions back, for t = 0 (the query itself) to
    m + 1 (BOS, for the first copy query).

    Example:
        The distance each head of layer 1 of a trained copy `model` reads from:

        >>> weight_by_distance(model, copy_batch(256, 12, n_symbols=16, generator=0))[1].argmax(-1)  # doctest: +SKIP
    """
    m = _copy_length(batch, "weight_by_distance")
    attn = attention_weights(model, batch.tokens)  # (L, B, H, n, n)
    queries = torch.arange(m + 1, 2 * m + 1)  # SEP and y1..y(m-1): each predicts the next copy symbol
    return torch.stack([attn[:, :, :, queries, queries - t].mean(dim=(1, 3)) for t in range(m + 2)], dim=-1)


@torch.no_grad()
def overwrite_probe(model: nn.Module, batch: TaskBatch, *, at: int, source: int) -> tuple[float, float]:
    """Content or position? Overwrite copy symbol y_at with the string's x_source and see what comes next.

    Returns (fraction writing x_(source+1), fraction writing x_(at+1)): which of the two a model writes
    tells a content lookup from a read at a fixed distance (chapter 01, section 11). Needs distinct symbols
    (`copy_batch(..., distinct=True)`) so that the two answers differ, and 1 <= at, source < m.

    Example:
        For a trained copy `model`:

        >>> batch = copy_batch(512, 12, n_symbols=64, distinct=True, generator=0)  # doctest: +SKIP
        >>> overwrite_probe(model, batch, at=4, source=9)  # doctest: +SKIP
    """
    m = _copy_length(batch, "overwrite_probe")
    if not (1 <= at < m and 1 <= source < m and at != source):
        raise ValueError(
            f"need 1 <= at, source < m = {m} and at != source (so that the two answers differ); "
            f"got at={at}, source={source}: pick two different positions in 1..{m - 1}"
        )
    tokens = batch.tokens.clone()
    string = tokens[:, 1 : m + 1]  # x1..xm at positions 1..m
    y_at = m + 1 + at  # the position of y_at
    tokens[:, y_at] = string[:, source - 1]
    written = forward_in_rows(model, tokens, select=lambda logits, _: logits[:, y_at].argmax(-1))  # (batch,)
    by_content = (written == string[:, source]).float().mean().item()  # x_(source+1)
    by_position = (written == string[:, at]).float().mean().item()  # x_(at+1)
    return by_content, by_position
