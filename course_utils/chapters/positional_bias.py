"""Positional bias: where in the context a key-value retrieval model recalls, and where it looks.

Lost in the middle (Liu et al., 2023) is measured on accuracy by queried pair index: binned by
relative position (`bin_by_relative_position`) and summed up as one depth in points, edges minus
middle (`lost_in_the_middle_depth`). Two attention readings are measured beside it: the
weight the answer position gives to keys further back than any training distance (`far_key_weight`)
and the weight from each value to the token before it (`value_to_key_weight`). With fillers in front
of or between the pairs, or with more pairs, accuracy is `kv_filler_accuracy`, and the notebook's
readings on its fixed probes are named functions: the far keys' weight behind a filler prefix
(`far_weight_behind_prefix`), the weight from each value to the token before it on a longer probe
(`previous_token_weight`) and the weight on an early copy of the query (`early_query_weights`).
"""

from __future__ import annotations

import torch
from torch import Tensor

from course_utils.core.batch import TaskBatch
from course_utils.core.evaluate import attention_weights, target_accuracy
from course_utils.core.model import TinyGPT
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.vocabs import KVVocab


def bin_by_relative_position(values: Tensor, bins: int) -> Tensor:
    """Average per-index values into `bins` equal slices of relative position.

    values: (..., K) -> (..., bins). Index i of K falls in bin floor(i * bins / K), so bin 0 is the
    first 1/bins of the context.

    Example:
        >>> bin_by_relative_position(torch.arange(8.0), 4)
        tensor([0.5000, 2.5000, 4.5000, 6.5000])
    """
    if values.dim() == 0:
        raise ValueError(
            "values must have a last dimension to bin (one value per index), got a scalar; pass a (..., K) tensor"
        )
    k = values.shape[-1]
    if bins < 1 or k < bins:
        raise ValueError(
            f"need 1 <= bins <= number of values; got bins={bins} for {k} values. Pass bins between 1 and {k}"
        )
    which = torch.arange(k) * bins // k  # (K,)
    sums = torch.zeros(*values.shape[:-1], bins, dtype=values.dtype).index_add_(-1, which, values)
    return sums / torch.bincount(which, minlength=bins).to(values.dtype)


def lost_in_the_middle_depth(accuracy: Tensor) -> float:
    """Lost-in-the-middle depth of a (K,) accuracy-by-index vector, in points.

    The depth is (first quarter + last quarter) / 2 - middle half, quarters of max(1, K // 4) indices.

    Example:
        For a trained key-value `model`:

        >>> lost_in_the_middle_depth(accuracy_by_query_index(model, 32, per_index=16))  # doctest: +SKIP
    """
    if accuracy.dim() != 1 or accuracy.shape[0] < 3:
        raise ValueError(
            f"accuracy must be a (K,) vector with K >= 3, got shape {tuple(accuracy.shape)}; pass one model's "
            "accuracy by query index (accuracy_by_query_index) at 3 pairs or more"
        )
    quarter = max(1, accuracy.shape[0] // 4)
    edges = (accuracy[:quarter].mean() + accuracy[-quarter:].mean()) / 2
    return 100 * (edges - accuracy[quarter : accuracy.shape[0] - quarter].mean()).item()


@torch.no_grad()
def far_key_weight(model: TinyGPT, batch: TaskBatch, distance: int) -> Tensor:
    """Attention the answer position gives to keys more than `distance` tokens back: (layers, heads).

    Mean over the batch of the summed weight on keys at distances > `distance` from each row's
    answer position.

    Example:
        For a trained key-value `model`:

        >>> batch = kv_retrieval_batch(64, 16, filler=True, filler_prefix=128, generator=0)  # doctest: +SKIP
        >>> far_key_weight(model, batch, 38)  # doctest: +SKIP
    """
    if distance < 0:
        raise ValueError(
            f"distance must be >= 0, got {distance}; pass the longest query-key distance seen in training "
            "(the longest training sequence - 1)"
        )
    attn = attention_weights(model, batch.tokens)  # (L, B, H, n, n)
    rows = torch.arange(batch.tokens.shape[0])
    weights = attn[:, rows, :, batch.answer_pos]  # (B, L, H, n): each row's answer query (indices go first)
    far = torch.arange(batch.tokens.shape[1]) < (batch.answer_pos[:, None] - distance)  # (B, n)
    return (weights * far[:, None, None]).sum(-1).mean(0)


@torch.no_grad()
def value_to_key_weight(model: TinyGPT, batch: TaskBatch) -> Tensor:
    """How much each value of a key-value batch attends to its own key: (layers, heads).

    The mean, over every value token of the batch, of the weight on the token just before it
    (always its key: fillers never split a pair).

    Example:
        For a trained key-value `model`:

        >>> value_to_key_weight(model, kv_retrieval_batch(64, 64, generator=0))[0].max()  # doctest: +SKIP
    """
    vocab = batch.vocab
    if not isinstance(vocab, KVVocab):
        raise ValueError(
            f"value_to_key_weight needs a key-value batch, got a {batch.task!r} batch; "
            "build one with kv_retrieval_batch"
        )
    attn = attention_weights(model, batch.tokens)  # (L, B, H, n, n)
    first_value = vocab.offset("value")
    is_value = (batch.tokens >= first_value) & (batch.tokens < first_value + vocab.n_values)  # (B, n)
    rows, pos = is_value.nonzero(as_tuple=True)
    return attn[:, rows, :, pos, pos - 1].mean(0)  # indices go first: (values, L, H) -> (L, H)


def kv_filler_accuracy(
    model: TinyGPT, n_pairs: int = 16, *, filler_prefix: int = 0, filler_gap: int = 0, rows_per_call: int | None = None
) -> float:
    """Accuracy of a filler-trained key-value `model` on 256 sequences of `n_pairs` pairs, with fillers.

    The batch is `kv_retrieval_batch(256, n_pairs, filler=True, ...)` drawn from generator 2000 + n_pairs,
    so every model and every filler count meets the same keys and values: `filler_prefix` fillers right
    after BOS, `filler_gap` fillers between consecutive pairs. `rows_per_call`: see `forward_in_rows`.

    Example:
        For a key-value `model` trained with fillers (zoo family "kv", `filler=True`):

        >>> kv_filler_accuracy(model, filler_prefix=128)  # doctest: +SKIP
    """
    batch = kv_retrieval_batch(
        256, n_pairs, filler=True, filler_prefix=filler_prefix, filler_gap=filler_gap, generator=2000 + n_pairs
    )
    return target_accuracy(model, batch.tokens, batch.targets, rows_per_call=rows_per_call)


def far_weight_behind_prefix(model: TinyGPT) -> Tensor:
    """Weight the answer gives to keys more than 38 tokens back behind 128 fillers, best head per layer: (layers,).

    38 is the longest distance in a training sequence (16 pairs with fillers); the probe is 256
    sequences of 16 pairs with a 128-filler prefix (generator 5). See `far_key_weight`.

    Example:
        For a key-value `model` trained with fillers:

        >>> far_weight_behind_prefix(model)  # doctest: +SKIP
    """
    prefixed = kv_retrieval_batch(256, 16, filler=True, filler_prefix=128, generator=5)
    return far_key_weight(model, prefixed, 38).max(-1).values


def previous_token_weight(model: TinyGPT) -> float:
    """Layer-1 weight from each value to its key at 64 pairs, in the best head (`value_to_key_weight`).

    The probe is 64 filler sequences of 64 pairs (generator 77), past the training length.

    Example:
        For a key-value `model` trained with fillers:

        >>> previous_token_weight(model)  # doctest: +SKIP
    """
    probe = kv_retrieval_batch(64, 64, filler=True, generator=77)
    return value_to_key_weight(model, probe)[0].max().item()


@torch.no_grad()
def early_query_weights(model: TinyGPT) -> tuple[Tensor, Tensor, Tensor]:
    """How much a query-first model looks at the early copy of the query key (position 1).

    On 512 query-first filler sequences of 16 pairs (generator 9), returns the last token's weight on
    it (layers, heads), and in layer 1 the matching key's weight on it (heads,) next to the first
    pair's key's (heads,), an arbitrary key's.

    Example:
        For a query-first key-value `model` trained with fillers:

        >>> on_early, matching, first_key = early_query_weights(model)  # doctest: +SKIP
    """
    batch = kv_retrieval_batch(512, 16, query_first=True, filler=True, generator=9)
    attn = attention_weights(model, batch.tokens)  # (L, B, H, n, n)
    on_early = attn[:, :, :, -1, 1].mean(1)  # (L, H)
    matching = attn[0, torch.arange(batch.tokens.shape[0]), :, batch.relevant_pos - 1, 1].mean(0)  # (H,)
    first_key = attn[0, :, :, 2, 1].mean(0)  # (H,)
    return on_early, matching, first_key
