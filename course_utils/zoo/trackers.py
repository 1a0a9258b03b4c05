"""Metrics a zoo entry records while it trains (`ZooEntry.tracker`), each on a fixed held-out batch.

Example:
    >>> sorted(TRACKERS)
    ['backcopy_sink_mass', 'kv_accuracy_by_index_k16', 'kv_accuracy_by_length', 'text_attention_entropy']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import torch

from course_utils.core.evaluate import attention_weights, target_accuracy
from course_utils.core.metrics import attention_entropy, sink_mass
from course_utils.core.model import TinyGPT
from course_utils.core.sink_fixes import LearnedSink
from course_utils.core.task_accuracy import accuracy_by_query_index
from course_utils.core.tasks import make_batch_fn

#: Generator seed of the batches that trackers measure during training (no training stream uses it).
TRACK_SEED = 4321


def _kv_accuracy_by_index(model: TinyGPT) -> list[float]:
    """Accuracy by query index at K = 16 pairs (64 sequences per index)."""
    return accuracy_by_query_index(model, 16, per_index=64, seed=TRACK_SEED).tolist()


def _backcopy_sink_mass(model: TinyGPT) -> dict[str, list]:
    """Per layer and head: mean weight on BOS and on the sink fix's extra key ("extra_*", 1 - the
    weights' sum), for copy queries and for all other queries; and the learned sink logits."""
    batch = make_batch_fn("backcopy", batch_size=128, n=64)(torch.Generator().manual_seed(TRACK_SEED))
    attn = attention_weights(model, batch.tokens)  # (L, B, H, n, n)
    copy = batch.copy_mask
    assert copy is not None  # every backcopy batch marks its copy queries
    extra = 1 - attn.sum(-1, keepdim=True).expand_as(attn)  # weight on the extra key, as a column
    record = {
        "copy": sink_mass(attn, copy).tolist(),
        "other": sink_mass(attn, ~copy).tolist(),
        "extra_copy": sink_mass(extra, copy).tolist(),
        "extra_other": sink_mass(extra, ~copy).tolist(),
    }
    if model.config.sink_fix == "learned_sink":  # then every block's fix is a LearnedSink
        fixes = [cast(LearnedSink, model.block(i).attn.sink_fix) for i in range(model.config.layers)]
        record["sink_logit"] = [fix.sink_logit.tolist() for fix in fixes]
    return record


def _text_attention_entropy(model: TinyGPT) -> list[list[float]]:
    """Mean attention entropy (nats) per layer and head on 32 validation windows of 128 characters."""
    batch = make_batch_fn("text", batch_size=32, n=128, split="val")(torch.Generator().manual_seed(TRACK_SEED))
    attn = attention_weights(model, batch.tokens)  # (L, B, H, n, n)
    return attention_entropy(attn[:, :, :, 1:]).mean(dim=(1, 3)).tolist()  # query 0 has one key


#: Numbers of pairs at which the position-interpolation fine-tunes (notebook 03) are tracked: the
#: training length, the length they are extended to (about 4x) and about 7x.
KV_TRACKED_N_PAIRS: tuple[int, ...] = (16, 64, 112)


def _kv_accuracy_by_length(model: TinyGPT) -> list[float]:
    """Accuracy at each K of KV_TRACKED_N_PAIRS (256 sequences, uniform queries, filler vocabulary)."""
    accuracies = []
    for k in KV_TRACKED_N_PAIRS:
        batch = make_batch_fn("kv_retrieval", batch_size=256, n_pairs=k, filler=True)(
            torch.Generator().manual_seed(TRACK_SEED + k)
        )
        accuracies.append(target_accuracy(model, batch.tokens, batch.targets))
    return accuracies


#: Metrics a zoo entry can record during training (every `ZooEntry.tracker_every` steps), by name
#: (`ZooEntry.tracker`).
TRACKERS: dict[str, Callable[[TinyGPT], Any]] = {
    "kv_accuracy_by_index_k16": _kv_accuracy_by_index,
    "kv_accuracy_by_length": _kv_accuracy_by_length,
    "backcopy_sink_mass": _backcopy_sink_mass,
    "text_attention_entropy": _text_attention_entropy,
}
