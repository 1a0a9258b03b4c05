"""The data contract every task and corpus batch follows, and the helpers every task builds one with.

A `TaskBatch` holds next-token inputs and targets: `targets[b, t]` is the token the model should predict
after reading `tokens[b, :t+1]`, and `IGNORE_INDEX` (-100) marks positions without a loss, the value
`F.cross_entropy` skips by default, so `F.cross_entropy(logits.flatten(0, 1), targets.flatten())` works as
is. `BOS_ID` (0, in `course_utils.core.vocabs`) is the beginning-of-sequence token that starts every row
(but the backcopy stream's with `bos=False`). Two indices locate the interesting part of every row:

- `answer_pos[b]`: the position whose prediction is the answer, `targets[b, answer_pos[b]]`;
- `relevant_pos[b]`: where that answer token sits in the context, so
  `tokens[b, relevant_pos[b]] == targets[b, answer_pos[b]]`, except in associative recall with
  `value_answers=True` (the answer is the value held by the token at relevant_pos) and in the "text"
  task (no single token holds the next character: relevant_pos = answer_pos = n - 1).

Every task draws its batch on the CPU from a `torch.Generator` or an int seed (`as_generator`), so the same
seed gives the same batch, and checks its sizes with `check_positive` and `parse_range`.

This module imports only torch and the vocabularies: the tasks and the corpus build on it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from numbers import Integral
from typing import Any

import torch

from course_utils.core.vocabs import Vocab

#: Target value of positions that have no loss (`F.cross_entropy`'s default `ignore_index`).
IGNORE_INDEX = -100


@dataclass
class TaskBatch:
    """One batch of a task: inputs, next-token targets, where the answer and its source sit, and
    what the task that made it knows about each row.

    task: the registry name of the task (`course_utils.core.tasks.TASKS`: "copy", "kv_retrieval", ...)
    tokens: (batch, n) long · targets: (batch, n) long, IGNORE_INDEX where there is no loss ·
    answer_pos: (batch,) long · relevant_pos: (batch,) long. In every synthetic task the answer is the
    token at relevant_pos (`tokens[b, relevant_pos[b]]`), except associative recall with value
    answers, whose answer is the value that token holds.

    What some tasks add, each field set by the tasks in brackets and None in every other batch (one flat
    class rather than a subclass per task, so every batch reads and moves the same way: `to(device)`,
    the evaluators and the plots take any task's batch):

    - vocab: the task's token-id layout, `KVVocab`, `CopyVocab`, ... [every registered task, not `corpus.lm_batch`]
    - copy_len: int, the length m of the string to copy [copy]
    - period: int, the length of the repeated sequence [repeated_sequence]
    - n_pairs: int, the K drawn for the batch [kv_retrieval]
    - query_index: (batch,) the queried pair [kv_retrieval]
    - needle_pos: (batch,) the needle's first token [needle, decoy_needle, near_miss]
    - decoy_pos: (batch, n_decoys) the decoys' first tokens [decoy_needle, near_miss]
    - copy_mask: (batch, n) bool, the positions whose targets are copies [backcopy]
    - repeat_mask: (batch, n_sentences) bool, True where a sentence repeats the one before [loop_stream]
    - window_starts: (batch,) long, where each row's window starts in the text's ids [text, and `corpus.lm_batch`]

    Example: the answers of a batch are its targets at answer_pos.

        >>> tokens = torch.tensor([[0, 2, 3, 1, 2, 3]])  # BOS x1 x2 SEP x1 x2: copy two symbols
        >>> targets = torch.tensor([[-100, -100, -100, 2, 3, -100]])
        >>> batch = TaskBatch("copy", tokens, targets, torch.tensor([4]), torch.tensor([2]))
        >>> batch.targets[torch.arange(len(batch.tokens)), batch.answer_pos]
        tensor([3])
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
    repeat_mask: torch.Tensor | None = None
    window_starts: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if self.tokens.dim() != 2 or self.tokens.dtype != torch.long or self.targets.shape != self.tokens.shape:
            raise ValueError(
                f"tokens and targets must be int64 tensors of one shape (batch, n); got tokens "
                f"{self.tokens.dtype} {tuple(self.tokens.shape)}, targets {tuple(self.targets.shape)}; "
                "make both with dtype=torch.long and targets shaped like tokens"
            )
        rows = self.tokens.shape[0]
        if self.answer_pos.shape != (rows,) or self.relevant_pos.shape != (rows,):
            raise ValueError(
                f"answer_pos and relevant_pos must be ({rows},) tensors, one position per row; got "
                f"{tuple(self.answer_pos.shape)} and {tuple(self.relevant_pos.shape)}: pass them 1-D"
            )
        for name in ("query_index", "needle_pos", "decoy_pos", "copy_mask", "repeat_mask", "window_starts"):
            value = getattr(self, name)
            if value is not None and value.shape[:1] != (rows,):
                raise ValueError(
                    f"{name} must have one entry per row, shape ({rows}, ...); got {tuple(value.shape)}: "
                    "give it the batch's rows as its first dimension"
                )

    def to(self, device: torch.device | str) -> TaskBatch:
        """Copy every tensor of the batch to `device`.

        Example (a GPU machine; `kv_retrieval_batch` is in `course_utils.core.retrieval_tasks`):
            >>> batch = kv_retrieval_batch(8, 4, generator=0).to("cuda")  # doctest: +SKIP
        """
        moved: dict[str, Any] = {
            f.name: value.to(device) for f in fields(self) if isinstance(value := getattr(self, f.name), torch.Tensor)
        }
        return replace(self, **moved)


# ----------------------------------------------------------------------------- helpers every task uses


def as_generator(generator: torch.Generator | int) -> torch.Generator:
    """A CPU generator: `generator` itself, or a new one seeded with the int.

    Example:
        >>> as_generator(0).initial_seed()
        0
    """
    if isinstance(generator, torch.Generator):
        if generator.device.type != "cpu":
            raise ValueError(
                f"tasks draw on the CPU; got a {generator.device} generator. Pass a CPU "
                "torch.Generator and move the batch with batch.to(device)"
            )
        return generator
    if isinstance(generator, Integral) and not isinstance(generator, bool):
        return torch.Generator().manual_seed(int(generator))
    raise ValueError(
        f"generator must be a torch.Generator or an int seed; got {type(generator).__name__}: pass e.g. generator=0"
    )


def check_positive(**values: int) -> None:
    """Raise a ValueError naming the first argument that is not a positive int.

    Example:
        >>> check_positive(batch_size=64, n=128)
        >>> check_positive(n=0)
        Traceback (most recent call last):
        ...
        ValueError: n must be a positive int; got 0: pass 1 or more
    """
    for name, value in values.items():
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}: pass 1 or more")


def parse_range(
    name: str, value: int | tuple[int, int], *, lo: int | None = 1, hi: int | None = None, hint: str = ""
) -> tuple[int, int]:
    """`value` as an inclusive range (lo, hi); an int k is (k, k). Raises a ValueError unless the
    range is ordered and lies within [`lo`, `hi`] (None: unbounded); `hint` explains the bound.

    Example:
        >>> parse_range("n_pairs", (4, 16), hi=128)
        (4, 16)
        >>> parse_range("n", 8)
        (8, 8)
    """
    bounds = (value, value) if isinstance(value, Integral) else value
    if not (
        isinstance(bounds, (tuple, list))
        and len(bounds) == 2
        and all(isinstance(b, Integral) and not isinstance(b, bool) for b in bounds)
        and bounds[0] <= bounds[1]
        and (lo is None or lo <= bounds[0])
        and (hi is None or bounds[1] <= hi)
    ):
        limits = f"{'' if lo is None else f'{lo} <= '}lo <= hi{'' if hi is None else f' <= {hi}'}"
        raise ValueError(
            f"{name} must be an int or an inclusive range (lo, hi) with {limits}{hint}; got {value!r}: "
            "pass one int, or a tuple of two within those bounds"
        )
    return int(bounds[0]), int(bounds[1])


def draw_from_range(bounds: tuple[int, int], generator: torch.Generator) -> int:
    """One int drawn uniformly from an inclusive range (lo, hi); no draw (and no generator use) when lo == hi.

    Example:
        >>> draw_from_range((5, 5), torch.Generator())
        5
    """
    lo, hi = bounds
    return lo if lo == hi else int(torch.randint(lo, hi + 1, (1,), generator=generator))


def answer_targets(tokens: torch.Tensor, answer_pos: torch.Tensor, relevant_pos: torch.Tensor) -> torch.Tensor:
    """Targets with one loss per row: `targets[b, answer_pos[b]] = tokens[b, relevant_pos[b]]`.

    tokens: (batch, n); answer_pos, relevant_pos: (batch,) -> (batch, n), IGNORE_INDEX elsewhere.

    Example:
        >>> answer_targets(torch.tensor([[0, 7, 8, 9]]), torch.tensor([3]), torch.tensor([1]))
        tensor([[-100, -100, -100,    7]])
    """
    rows = torch.arange(tokens.shape[0])
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[rows, answer_pos] = tokens[rows, relevant_pos]
    return targets


def next_token_targets(tokens: torch.Tensor) -> torch.Tensor:
    """Language-modelling targets, a loss everywhere: targets[:, t] = tokens[:, t + 1], none at the last position.

    Example:
        >>> next_token_targets(torch.tensor([[0, 7, 8, 9]]))
        tensor([[   7,    8,    9, -100]])
    """
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[:, :-1] = tokens[:, 1:]
    return targets
