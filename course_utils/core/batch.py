"""The data contract every task and corpus batch follows, with no task of its own.

A `TaskBatch` holds next-token inputs and targets and two indices that locate the interesting part of
every row (`answer_pos`, `relevant_pos`; see `course_utils.core.tasks`). `IGNORE_INDEX` (-100) marks
target positions without a loss, the value `F.cross_entropy` skips by default. `Vocab` is the base of
the tasks' token-id layouts. `as_generator` turns an int seed into a CPU `torch.Generator`, so the
same seed gives the same batch.

This module imports only torch: `tasks` and `corpus` build on it, and neither needs the other's
internals to describe a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import ClassVar

import torch

#: Target value of positions that have no loss (`F.cross_entropy`'s default `ignore_index`).
IGNORE_INDEX = -100


@dataclass
class TaskBatch:
    """One batch of a task: inputs, next-token targets and where the answer and its source sit.

    tokens: (batch, n) long · targets: (batch, n) long, IGNORE_INDEX where there is no loss ·
    answer_pos: (batch,) long · relevant_pos: (batch,) long · meta: task-specific extras
    (the synthetic tasks put their vocabulary dataclass under "vocab"). In every synthetic task the
    answer is the token at relevant_pos (`tokens[b, relevant_pos[b]]`), except associative recall
    with value answers, whose answer is the value that token holds.

    Example: `batch.targets[torch.arange(len(batch.tokens)), batch.answer_pos]` are the answers.
    """

    tokens: torch.Tensor
    targets: torch.Tensor
    answer_pos: torch.Tensor
    relevant_pos: torch.Tensor
    meta: dict

    def to(self, device: torch.device | str) -> TaskBatch:
        """Copy tokens, targets and positions to `device` (meta stays as it is).

        Example: `batch = kv_retrieval_batch(8, 4, generator=0).to("cuda")` (from `course_utils.core.tasks`)
        """
        return TaskBatch(self.tokens.to(device), self.targets.to(device),
                         self.answer_pos.to(device), self.relevant_pos.to(device), self.meta)


# ----------------------------------------------------------------------------- vocabulary base

@dataclass(frozen=True)
class Vocab:
    """Token-id layout shared by the task vocabularies: special tokens first, then blocks of ids.

    Subclasses name their special tokens in `specials` (BOS is always id 0) and their blocks in
    `blocks()`. Example: `KVVocab(n_keys=8, n_values=4).labels(torch.tensor([0, 2, 10]))`.
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS",)
    bos: ClassVar[int] = 0

    def __post_init__(self) -> None:
        for name, size in self.blocks():
            if size < 1:
                raise ValueError(f"{type(self).__name__}: block {name!r} has size {size}; "
                                 "every vocabulary size must be at least 1")

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
        raise ValueError(f"no block {prefix!r} in {type(self).__name__}; "
                         f"blocks are {[name for name, _ in self.blocks()]}")

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
            raise ValueError(f"tasks draw on the CPU; got a {generator.device} generator. Pass a CPU "
                             "torch.Generator and move the batch with batch.to(device)")
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
