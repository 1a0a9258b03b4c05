"""The task registry: a task's name and options, as a training recipe spells them, to its batches.

`make_batch_fn("kv_retrieval", batch_size=64, n_pairs=(4, 16))` turns a task name and keyword options
(a zoo recipe's `task_kwargs`, say) into a `generator -> TaskBatch` function, and `task_vocab_size`
gives the embedding rows the same options need. A task's options are its batch function's arguments
(`TASKS` holds the functions, `core.signatures.check_options` reads them), checked before anything is drawn. The tasks
themselves live in `retrieval_tasks`, `needle_tasks`, `copy_tasks` and `corpus` (the "text" task).

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

from course_utils.core.batch import TaskBatch
from course_utils.core.copy_tasks import backcopy_batch, copy_batch, loop_stream_batch, repeated_sequence_batch
from course_utils.core.corpus import TextVocab, text_batch
from course_utils.core.needle_tasks import decoy_needle_batch, near_miss_batch, needle_batch
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.signatures import check_options
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
    Vocab,
)


@dataclass(frozen=True)
class TaskSpec:
    """A registered task: its batch function and its vocabulary.

    `draw_batch(**options, generator=g)` draws a batch; its signature says which options the task needs
    and which it may take. The vocabulary class is built from the options named like its fields
    (`n_keys`, `n_values`, ...).

    Example:
        >>> TASKS["copy"].draw_batch.__name__, TASKS["copy"].vocab_cls.__name__
        ('copy_batch', 'CopyVocab')
    """

    draw_batch: Callable[..., TaskBatch]
    vocab_cls: type[Vocab]


#: Every task by name, with its batch function (whose options `make_batch_fn` and `task_vocab_size`
#: accept) and its vocabulary.
TASKS: dict[str, TaskSpec] = {
    "kv_retrieval": TaskSpec(kv_retrieval_batch, KVVocab),
    "needle": TaskSpec(needle_batch, NeedleVocab),
    "decoy_needle": TaskSpec(decoy_needle_batch, DecoyVocab),
    "near_miss": TaskSpec(near_miss_batch, NearMissVocab),
    "text": TaskSpec(text_batch, TextVocab),
    "loop_stream": TaskSpec(loop_stream_batch, LoopVocab),
    "associative_recall": TaskSpec(associative_recall_batch, RecallVocab),
    "copy": TaskSpec(copy_batch, CopyVocab),
    "repeated_sequence": TaskSpec(repeated_sequence_batch, SymbolVocab),
    "backcopy": TaskSpec(backcopy_batch, BackcopyVocab),
}


def _checked_task(name: str, options: dict[str, Any], *, all_required: bool) -> TaskSpec:
    """The task `name` once `options` are among those it takes (and, with `all_required`, include
    every one it needs); a ValueError that says what to pass otherwise."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    if "generator" in options:
        raise ValueError("do not pass generator here; the returned function takes it per call")
    spec = TASKS[name]
    check_options(spec.draw_batch, options, leave_out="generator", what=f"task {name!r}", all_required=all_required)
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
        return spec.draw_batch(**options, generator=generator)

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
