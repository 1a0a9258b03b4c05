"""The data contract every task and corpus batch follows, with no task of its own.

A `TaskBatch` holds next-token inputs and targets, two indices that locate the interesting part of
every row (`answer_pos`, `relevant_pos`; see `course_utils.core.tasks`) and, in typed optional fields,
what its task knows about the rows (the vocabulary, the needle's position, ...). `IGNORE_INDEX` (-100) marks
target positions without a loss, the value `F.cross_entropy` skips by default; `BOS_ID` (0) is the
beginning-of-sequence token that starts every row. `Vocab` is the base of the tasks' token-id layouts.
`as_generator` turns an int seed into a CPU `torch.Generator`, so the same seed gives the same batch.

This module imports only torch: `tasks` and `corpus` build on it, and neither needs the other's
internals to describe a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from numbers import Integral
from typing import Any, ClassVar

import torch

#: Target value of positions that have no loss (`F.cross_entropy`'s default `ignore_index`).
IGNORE_INDEX = -100

#: The id of the beginning-of-sequence token, first in every row of every task and of the text corpus.
BOS_ID = 0


@dataclass
class TaskBatch:
    """One batch of a task: inputs, next-token targets, where the answer and its source sit, and
    what the task that made it knows about each row.

    task: the registry name of the task (`course_utils.core.tasks.TASKS`: "copy", "kv_retrieval", ...)
    tokens: (batch, n) long · targets: (batch, n) long, IGNORE_INDEX where there is no loss ·
    answer_pos: (batch,) long · relevant_pos: (batch,) long. In every synthetic task the answer is the
    token at relevant_pos (`tokens[b, relevant_pos[b]]`), except associative recall with value
    answers, whose answer is the value that token holds.

    What some tasks add (None where a task has none):
    vocab: the task's token-id layout (`KVVocab`, `CopyVocab`, ...; every registered task) ·
    copy_len: int, the length m of the string to copy (copy) · period: int, the length of the
    repeated sequence (repeated_sequence) ·
    n_pairs: int, the K drawn for the batch (kv_retrieval) · query_index: (batch,) the queried pair
    (kv_retrieval) · needle_pos: (batch,) the needle's first token (needle, decoy_needle, near_miss) ·
    decoy_pos: (batch, n_decoys) the decoys' first tokens (decoy_needle, near_miss) ·
    copy_mask: (batch, n) bool, the positions whose targets are copies (backcopy) ·
    repeat: (batch, n_sentences) bool, the sentences that repeat the one before (loop_stream) ·
    starts: (batch,) each window's offset in the text (text).

    Example: `batch.targets[torch.arange(len(batch.tokens)), batch.answer_pos]` are the answers.
    """

    task: str
    tokens: torch.Tensor
    targets: torch.Tensor
    answer_pos: torch.Tensor
    relevant_pos: torch.Tensor
    vocab: Vocab | None = None
    copy_len: int | None = None
    period: int | None = None
    n_pairs: int | None = None
    query_index: torch.Tensor | None = None
    needle_pos: torch.Tensor | None = None
    decoy_pos: torch.Tensor | None = None
    copy_mask: torch.Tensor | None = None
    repeat: torch.Tensor | None = None
    starts: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if self.tokens.dim() != 2 or self.tokens.dtype != torch.long or self.targets.shape != self.tokens.shape:
            raise ValueError(
                f"tokens and targets must be int64 tensors of one shape (batch, n); got tokens "
                f"{self.tokens.dtype} {tuple(self.tokens.shape)}, targets {tuple(self.targets.shape)}"
            )
        rows = self.tokens.shape[0]
        if self.answer_pos.shape != (rows,) or self.relevant_pos.shape != (rows,):
            raise ValueError(
                f"answer_pos and relevant_pos must be ({rows},) tensors, one position per row; got "
                f"{tuple(self.answer_pos.shape)} and {tuple(self.relevant_pos.shape)}"
            )
        for name in ("query_index", "needle_pos", "decoy_pos", "copy_mask", "repeat", "starts"):
            value = getattr(self, name)
            if value is not None and value.shape[:1] != (rows,):
                raise ValueError(f"{name} must have one entry per row, shape ({rows}, ...); got {tuple(value.shape)}")

    def to(self, device: torch.device | str) -> TaskBatch:
        """Copy every tensor of the batch to `device`.

        Example: `batch = kv_retrieval_batch(8, 4, generator=0).to("cuda")` (from `course_utils.core.tasks`)
        """
        moved: dict[str, Any] = {
            f.name: value.to(device) for f in fields(self) if isinstance(value := getattr(self, f.name), torch.Tensor)
        }
        return replace(self, **moved)


# ----------------------------------------------------------------------------- vocabulary base


@dataclass(frozen=True)
class Vocab:
    """Token-id layout shared by the task vocabularies: special tokens first, then blocks of ids.

    Subclasses name their special tokens in `specials` (BOS is always id BOS_ID = 0) and their blocks in
    `blocks()`. Example: `KVVocab(n_keys=8, n_values=4).labels(torch.tensor([0, 2, 10]))`.
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS",)
    bos: ClassVar[int] = BOS_ID

    def __post_init__(self) -> None:
        for name, size in self.blocks():
            if size < 1:
                raise ValueError(
                    f"{type(self).__name__}: block {name!r} has size {size}; every vocabulary size must be at least 1"
                )

    def blocks(self) -> tuple[tuple[str, int], ...]:
        """(label prefix, size) of each block of ordinary tokens, in id order.

        Example: `KVVocab(n_keys=8, n_values=4).blocks()` -> (("k", 8), ("v", 4)).
        """
        return ()

    def offset(self, prefix: str) -> int:
        """First token id of the block labelled `prefix`. Example: `KVVocab().offset("v")` -> 130."""
        start = len(self.specials)
        for name, size in self.blocks():
            if name == prefix:
                return start
            start += size
        raise ValueError(
            f"no block {prefix!r} in {type(self).__name__}; blocks are {[name for name, _ in self.blocks()]}"
        )

    @property
    def vocab_size(self) -> int:
        """Number of token ids (embedding rows) the task needs."""
        return len(self.specials) + sum(size for _, size in self.blocks())

    def labels(self, tokens: torch.Tensor) -> list[str]:
        """Readable labels for a 1-D token tensor, e.g. for plot axes: ["BOS", "k3", "v17", ...].

        Example: `CopyVocab(n_symbols=4).labels(torch.tensor([0, 2, 1]))` -> ["BOS", "s0", "SEP"].
        """
        if tokens.dim() != 1:
            raise ValueError(f"labels() takes one sequence of shape (n,); got {tuple(tokens.shape)}")
        if len(tokens) and (tokens.min() < 0 or tokens.max() >= self.vocab_size):
            raise ValueError(f"token ids must be in [0, {self.vocab_size}) for {self}; pass tokens, not targets")
        names = list(self.specials)
        for prefix, size in self.blocks():
            names += [f"{prefix}{i}" for i in range(size)]
        return [names[i] for i in tokens.tolist()]


# ----------------------------------------------------------------------------- helpers


def as_generator(generator: torch.Generator | int) -> torch.Generator:
    """A CPU generator: `generator` itself, or a new one seeded with the int. Example: `as_generator(0)`."""
    if isinstance(generator, torch.Generator):
        if generator.device.type != "cpu":
            raise ValueError(
                f"tasks draw on the CPU; got a {generator.device} generator. Pass a CPU "
                "torch.Generator and move the batch with batch.to(device)"
            )
        return generator
    if isinstance(generator, Integral) and not isinstance(generator, bool):
        return torch.Generator().manual_seed(int(generator))
    raise ValueError(f"generator must be a torch.Generator or an int seed; got {type(generator).__name__}")


def check_positive(**values: int) -> None:
    """Raise a ValueError naming the first argument that is not a positive int.

    Example: `check_positive(batch_size=64, n=128)` passes; `check_positive(n=0)` raises.
    """
    for name, value in values.items():
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")
