"""The task registry: a task's name and options, as a training recipe spells them, to its batches.

`make_batch_fn("kv_retrieval", batch_size=64, n_pairs=(4, 16))` turns a task name and keyword options
(a zoo recipe's `task_kwargs`, say) into a `generator -> TaskBatch` function, and `task_vocab_size`
gives the embedding rows the same options need. Each task's options are listed in `TASKS`, and checked
against that list before anything is drawn. The tasks themselves live in `retrieval_tasks`,
`needle_tasks`, `copy_tasks` and `corpus` (the "text" task).

Example:
    >>> batch_fn = make_batch_fn("copy", batch_size=4, seq_len=3, n_symbols=8)
    >>> batch_fn(0).tokens.shape
    torch.Size([4, 8])
    >>> task_vocab_size("copy", n_symbols=8)
    10
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import torch

from course_utils.core.batch import TaskBatch, Vocab
from course_utils.core.copy_tasks import backcopy_batch, copy_batch, loop_stream_batch, repeated_sequence_batch
from course_utils.core.corpus import TextVocab, text_batch
from course_utils.core.needle_tasks import decoy_needle_batch, near_miss_batch, needle_batch
from course_utils.core.retrieval_tasks import Filler, associative_recall_batch, kv_retrieval_batch
from course_utils.core.vocabs import (
    BackcopyVocab,
    CopyVocab,
    DecoyVocab,
    KVVocab,
    LoopVocab,
    NearMissVocab,
    NeedleVocab,
    RecallVocab,
    SymbolVocab,
)


@dataclass(frozen=True)
class TaskSpec:
    """A registered task: its batch function, the options it needs and those it may take, and its vocabulary.

    `batch_fn(**options, generator=g)` draws a batch. The vocabulary class is built from the options
    named like its fields (`n_keys`, `n_values`, ...).

    Example:
        >>> TASKS["copy"].required, TASKS["copy"].optional
        (('batch_size', 'seq_len'), ('n_symbols', 'distinct', 'skip_lengths'))
    """

    batch_fn: Callable[..., TaskBatch]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    vocab_cls: type[Vocab]


def kv_retrieval_with_flat_filler(
    *,
    filler: bool = False,
    n_filler: int | tuple[int, int] = 0,
    filler_prefix: int = 0,
    filler_gap: int = 0,
    **options: Any,
) -> TaskBatch:
    """`kv_retrieval_batch` with its filler spelled as recipes and their stored records spell it: flat.

    `filler=True` adds the filler token, and `filler_prefix`, `filler_gap` and `n_filler` place it
    (`Filler`'s prefix, gap and scattered). The other options go to `kv_retrieval_batch` as they are.

    Example:
        >>> batch = kv_retrieval_with_flat_filler(batch_size=2, n_pairs=4, filler=True, filler_gap=1, generator=0)
        >>> torch.equal(batch.tokens, kv_retrieval_batch(2, 4, filler=Filler(gap=1), generator=0).tokens)
        True
    """
    if not filler and (n_filler != 0 or filler_prefix or filler_gap):
        raise ValueError(
            "n_filler, filler_prefix and filler_gap place filler tokens: pass filler=True "
            "(it adds the filler token to the vocabulary)"
        )
    placed = Filler(prefix=filler_prefix, gap=filler_gap, scattered=n_filler) if filler else None
    return kv_retrieval_batch(filler=placed, **options)


#: Every task by name, with the options `make_batch_fn` and `task_vocab_size` accept for it.
TASKS: dict[str, TaskSpec] = {
    "kv_retrieval": TaskSpec(
        kv_retrieval_with_flat_filler,
        required=("batch_size", "n_pairs"),
        optional=("n_keys", "n_values", "query_index", "edge_bias", "query_first")
        + ("filler", "n_filler", "filler_prefix", "filler_gap"),
        vocab_cls=KVVocab,
    ),
    "needle": TaskSpec(
        needle_batch, required=("batch_size", "n"), optional=("depth", "n_filler", "n_values"), vocab_cls=NeedleVocab
    ),
    "decoy_needle": TaskSpec(
        decoy_needle_batch,
        required=("batch_size", "n"),
        optional=("n_decoys", "n_filler", "n_values"),
        vocab_cls=DecoyVocab,
    ),
    "near_miss": TaskSpec(
        near_miss_batch,
        required=("batch_size", "n"),
        optional=("n_decoys", "n_keys", "n_values", "n_filler"),
        vocab_cls=NearMissVocab,
    ),
    "text": TaskSpec(text_batch, required=("batch_size", "n"), optional=("split",), vocab_cls=TextVocab),
    "loop_stream": TaskSpec(
        loop_stream_batch,
        required=("batch_size", "n_sentences"),
        optional=("sentence_len", "n_symbols", "repeat_prob"),
        vocab_cls=LoopVocab,
    ),
    "associative_recall": TaskSpec(
        associative_recall_batch,
        required=("batch_size", "n_items"),
        optional=("n_keys", "n_values", "value_answers"),
        vocab_cls=RecallVocab,
    ),
    "copy": TaskSpec(
        copy_batch,
        required=("batch_size", "seq_len"),
        optional=("n_symbols", "distinct", "skip_lengths"),
        vocab_cls=CopyVocab,
    ),
    "repeated_sequence": TaskSpec(
        repeated_sequence_batch,
        required=("batch_size", "seq_len", "repeats"),
        optional=("n_symbols",),
        vocab_cls=SymbolVocab,
    ),
    "backcopy": TaskSpec(
        backcopy_batch,
        required=("batch_size", "n"),
        optional=("n_symbols", "trigger_prob", "zipf_exponent", "bos"),
        vocab_cls=BackcopyVocab,
    ),
}


def _checked_task(name: str, options: dict[str, Any], *, all_required: bool) -> TaskSpec:
    """The task `name` once `options` are among those it takes (and, with `all_required`, include
    every one it needs); a ValueError that says what to pass otherwise."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    if "generator" in options:
        raise ValueError("do not pass generator here; the returned function takes it per call")
    spec = TASKS[name]
    unknown = [option for option in options if option not in spec.required + spec.optional]
    if unknown:
        raise ValueError(f"task {name!r} has no option {unknown}; it takes {list(spec.required + spec.optional)}")
    missing = [option for option in spec.required if option not in options]
    if all_required and missing:
        raise ValueError(f"task {name!r} needs {missing}; pass every one of {list(spec.required)}")
    return spec


def make_batch_fn(name: str, **options: Any) -> Callable[[torch.Generator | int], TaskBatch]:
    """A function `generator -> TaskBatch` for the task `name` with fixed options.

    Example:
        >>> batch_fn = make_batch_fn("kv_retrieval", batch_size=128, n_pairs=(4, 16), edge_bias=0.9)
        >>> batch_fn(torch.Generator().manual_seed(0)).tokens.shape
        torch.Size([128, 17])
    """
    spec = _checked_task(name, options, all_required=True)

    def batch_fn(generator: torch.Generator | int) -> TaskBatch:
        return spec.batch_fn(**options, generator=generator)

    return batch_fn


def task_vocab_size(name: str, **options: Any) -> int:
    """Vocabulary size (embedding rows) of task `name` for the same options as `make_batch_fn`.

    Example:
        >>> task_vocab_size("kv_retrieval", n_keys=128, n_values=64)
        194
    """
    spec = _checked_task(name, options, all_required=False)
    vocab_options = {field.name for field in fields(spec.vocab_cls)}
    return spec.vocab_cls(**{k: v for k, v in options.items() if k in vocab_options}).vocab_size
