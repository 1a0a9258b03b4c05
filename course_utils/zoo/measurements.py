"""What the trials and `MEASURED_ZOO` measure on a trained model: the functions whose results
`course_utils.zoo.trials` stores, and the lengths, windows and seeds they use (notebooks 07-09 read the
same constants, so a plot and its stored numbers agree).

- `measure_kv`      key-value retrieval: accuracy by query index over the training range, and at 16-64 pairs
- `measure_lm`      character LM: loss by position at 1x, 4x and 16x the training length, attention by distance
- `measure_needle`  needle retrieval: accuracy at 1x, 4x and 8x the training length
"""

from __future__ import annotations

from typing import Any

import torch

from course_utils.core.corpus import text_batch
from course_utils.core.evaluate import attention_weights, last_token_accuracy, position_losses
from course_utils.core.metrics import distance_octave_mass
from course_utils.core.model import TinyGPT
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.task_accuracy import accuracy_by_query_index, needle_accuracy
from course_utils.zoo.recipes import SI_TRAIN_LEN

#: Per-position losses longer than the training length are stored as means over bins of this many
#: positions, and stored numbers are rounded to 5 significant digits (`round_floats`), so the records
#: stay small: all tracked files together must stay under 60 MB.
POSITION_BIN = 16

#: Lengths of notebook 08's evaluation (the training length, 4x and 16x), the windows they share.
LM_LENGTHS: tuple[int, ...] = (SI_TRAIN_LEN, 4 * SI_TRAIN_LEN, 16 * SI_TRAIN_LEN)
LM_WINDOWS = 32
LM_WINDOW_SEED = 2024

#: The pair counts notebook 07 evaluates every dilated model at (the training range), and 09's lengths.
KV_TRAIN_PAIRS: tuple[int, ...] = tuple(range(4, 17))
KV_LONG_PAIRS: tuple[int, ...] = (16, 32, 64)


@torch.no_grad()
def measure_kv(model: TinyGPT) -> dict[str, Any]:
    """Accuracy by query index at every K of the training range (64 sequences per index, generator
    seed K), and last-token accuracy at K = 16, 32, 64 on notebook 09's batches (256 sequences,
    generator seed K)."""
    by_index = {str(k): accuracy_by_query_index(model, k, per_index=64, seed=k).tolist() for k in KV_TRAIN_PAIRS}
    long = {}
    for k in KV_LONG_PAIRS:
        batch = kv_retrieval_batch(256, k, generator=k)
        long[str(k)] = last_token_accuracy(model, batch.tokens, batch.targets[:, -1])
    return {"accuracy_by_index": by_index, "accuracy_at_pairs": long}


@torch.no_grad()
def measure_lm(model: TinyGPT, *, octaves: bool = True) -> dict[str, Any]:
    """Loss at every position on notebook 08's shared windows (`LM_WINDOWS` rows of 1024 tokens, cut
    into pieces of each length in `LM_LENGTHS`): the mean over windows and pieces per position (at
    the training length; in bins of `POSITION_BIN` positions at longer lengths), and each window's
    mean loss (for standard errors). With `octaves` (models that form attention
    weights, so not dilated ones), also the attention mass per distance octave of every layer and
    head, at the training length and at 16x (queries in the second half)."""
    windows = text_batch(LM_WINDOWS, LM_LENGTHS[-1], split="val", generator=LM_WINDOW_SEED)
    record: dict[str, Any] = {"position_loss": {}, "window_loss": {}, "octave_mass": {}}
    for n in LM_LENGTHS:
        losses = position_losses(model, windows, n)  # (windows, pieces, n)
        by_position = losses.mean(dim=(0, 1))  # (n,)
        if n > LM_LENGTHS[0]:  # past the training length: means over bins of POSITION_BIN positions
            by_position = by_position.view(-1, POSITION_BIN).mean(1)
        record["position_loss"][str(n)] = by_position.tolist()
        record["window_loss"][str(n)] = losses.mean(dim=(1, 2)).tolist()
    for n in (LM_LENGTHS[0], LM_LENGTHS[-1]) if octaves else ():
        attn = attention_weights(model, windows.tokens[:8, :n])  # (layers, 8, heads, n, n)
        record["octave_mass"][str(n)] = distance_octave_mass(attn, first_query=n // 2).mean(1).tolist()
    return record


#: Lengths of notebook 08's needle evaluation: the training length, 4x and 8x.
SI_NEEDLE_LENGTHS: tuple[int, ...] = (SI_TRAIN_LEN, 4 * SI_TRAIN_LEN, 8 * SI_TRAIN_LEN)


@torch.no_grad()
def measure_needle(model: TinyGPT) -> dict[str, Any]:
    """Needle accuracy at each length of `SI_NEEDLE_LENGTHS` (64 sequences, generator seed n, needle depth uniform).

    Example:
        An untrained model, keyed by length as the records store it:

        >>> from course_utils.core.model import GPTConfig
        >>> from course_utils.core.tasks import task_vocab_size
        >>> model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("needle"), max_len=64, layers=1))
        >>> list(measure_needle(model)["needle_accuracy"])
        ['64', '256', '512']
    """
    return {"needle_accuracy": {str(n): needle_accuracy(model, n, samples=64, seed=n) for n in SI_NEEDLE_LENGTHS}}
