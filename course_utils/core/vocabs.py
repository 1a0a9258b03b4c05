"""The token-id layouts of the synthetic tasks, one small vocabulary dataclass per task.

Each lists its special tokens (BOS = 0 first) and its ranges of ordinary token ids (`TokenRange`: keys,
values, filler, symbols, ...); `Vocab` turns them into `vocab_size`, `offset(name)` and `labels(tokens)`.

Example:
    >>> vocab = KVVocab(n_keys=8, n_values=4)
    >>> vocab.vocab_size, vocab.offset("key"), vocab.offset("value")
    (14, 2, 10)
    >>> vocab.labels(torch.tensor([0, 2, 10, 1]))
    ['BOS', 'k0', 'v0', 'SEP']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import torch

#: The id of the beginning-of-sequence token, first in every row of every task and of the text corpus.
BOS_ID = 0


class TokenRange(NamedTuple):
    """A run of ordinary token ids in a vocabulary: what the tokens are, how many, and how they are labelled.

    `name` is what `Vocab.offset` looks the range up by ("key", "value", ...); `label` prefixes each
    token's label, so a range labelled "k" reads k0, k1, ...
    """

    name: str
    size: int
    label: str


@dataclass(frozen=True)
class Vocab:
    """Token-id layout shared by the task vocabularies: special tokens first, then ranges of ordinary ids.

    Subclasses name their special tokens in `specials` (BOS is always id BOS_ID = 0) and their ranges in
    `token_ranges()` (`KVVocab`, `CopyVocab`, ... below).
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS",)
    bos: ClassVar[int] = BOS_ID

    def __post_init__(self) -> None:
        for token_range in self.token_ranges():
            if token_range.size < 1:
                raise ValueError(
                    f"{type(self).__name__}: {token_range.name!r} tokens number {token_range.size}; "
                    "pass at least 1 for every vocabulary size"
                )

    def token_ranges(self) -> tuple[TokenRange, ...]:
        """The ranges of ordinary token ids, in id order (none in the base class)."""
        return ()

    def offset(self, name: str) -> int:
        """First token id of the range called `name` ("key", "value", "symbol", ...)."""
        start = len(self.specials)
        for token_range in self.token_ranges():
            if token_range.name == name:
                return start
            start += token_range.size
        raise ValueError(
            f"no token range {name!r} in {type(self).__name__}; its ranges are "
            f"{[token_range.name for token_range in self.token_ranges()]}: use one of them"
        )

    @property
    def vocab_size(self) -> int:
        """Number of token ids (embedding rows) the task needs."""
        return len(self.specials) + sum(token_range.size for token_range in self.token_ranges())

    def labels(self, tokens: torch.Tensor) -> list[str]:
        """Readable labels for a 1-D token tensor, e.g. for plot axes: ["BOS", "k3", "v17", ...]."""
        if tokens.dim() != 1:
            raise ValueError(
                f"labels() takes one sequence of shape (n,); got {tuple(tokens.shape)}: pass one row, tokens[0]"
            )
        if len(tokens) and (tokens.min() < 0 or tokens.max() >= self.vocab_size):
            raise ValueError(f"token ids must be in [0, {self.vocab_size}) for {self}; pass tokens, not targets")
        names = list(self.specials)
        for token_range in self.token_ranges():
            names += [f"{token_range.label}{i}" for i in range(token_range.size)]
        return [names[i] for i in tokens.tolist()]


@dataclass(frozen=True)
class KVVocab(Vocab):
    """Key-value retrieval ids: BOS=0, SEP=1, keys k0.. at 2, values v0.. after the keys, and with
    `filler=True` one filler token "f0" after the values (the vocabulary grows by one; ids of keys
    and values do not move).

    Example:
        >>> KVVocab(n_keys=8, n_values=4).token_ranges()
        (TokenRange(name='key', size=8, label='k'), TokenRange(name='value', size=4, label='v'))
        >>> KVVocab(8, 4, filler=True).offset("filler")
        14
    """

    n_keys: int = 128
    n_values: int = 64
    filler: bool = False
    specials: ClassVar[tuple[str, ...]] = ("BOS", "SEP")
    sep: ClassVar[int] = 1

    def token_ranges(self) -> tuple[TokenRange, ...]:
        filler = (TokenRange("filler", 1, "f"),) if self.filler else ()
        return (TokenRange("key", self.n_keys, "k"), TokenRange("value", self.n_values, "v"), *filler)


@dataclass(frozen=True)
class NeedleVocab(Vocab):
    """Needle-in-a-haystack ids: BOS=0, NEEDLE marker=1, QUERY marker=2, `filler_vocab` filler tokens
    f0.., `n_values` values v0..

    Example:
        >>> NeedleVocab(filler_vocab=100, n_values=10).vocab_size
        113
    """

    filler_vocab: int = 128
    n_values: int = 64
    specials: ClassVar[tuple[str, ...]] = ("BOS", "NEEDLE", "QUERY")
    needle: ClassVar[int] = 1
    query: ClassVar[int] = 2

    def token_ranges(self) -> tuple[TokenRange, ...]:
        return (TokenRange("filler", self.filler_vocab, "f"), TokenRange("value", self.n_values, "v"))


@dataclass(frozen=True)
class DecoyVocab(NeedleVocab):
    """Needle ids plus a DECOY marker=3: BOS=0, NEEDLE=1, QUERY=2, DECOY=3, filler f0.., values v0..

    Example:
        >>> DecoyVocab(filler_vocab=100, n_values=10).vocab_size
        114
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS", "NEEDLE", "QUERY", "DECOY")
    decoy: ClassVar[int] = 3


@dataclass(frozen=True)
class NearMissVocab(Vocab):
    """Two-token keys: BOS=0, QUERY=1, first key tokens a0.., second key tokens b0.., values v0..,
    `filler_vocab` filler tokens f0..

    Example:
        >>> NearMissVocab(n_keys=16, n_values=64, filler_vocab=128).vocab_size
        226
    """

    n_keys: int = 16
    n_values: int = 64
    filler_vocab: int = 128
    specials: ClassVar[tuple[str, ...]] = ("BOS", "QUERY")
    query: ClassVar[int] = 1

    def token_ranges(self) -> tuple[TokenRange, ...]:
        return (
            TokenRange("first_key", self.n_keys, "a"),
            TokenRange("second_key", self.n_keys, "b"),
            TokenRange("value", self.n_values, "v"),
            TokenRange("filler", self.filler_vocab, "f"),
        )


@dataclass(frozen=True)
class CopyVocab(Vocab):
    """Copy-task ids: BOS=0, SEP=1, symbols s0.. from 2.

    Example:
        >>> CopyVocab(n_symbols=16).vocab_size
        18
        >>> CopyVocab(n_symbols=4).labels(torch.tensor([0, 2, 1]))
        ['BOS', 's0', 'SEP']
    """

    n_symbols: int = 64
    specials: ClassVar[tuple[str, ...]] = ("BOS", "SEP")
    sep: ClassVar[int] = 1

    def token_ranges(self) -> tuple[TokenRange, ...]:
        return (TokenRange("symbol", self.n_symbols, "s"),)


@dataclass(frozen=True)
class LoopVocab(CopyVocab):
    """Loop-stream ids: the copy layout with END (sentence end) in SEP's place: BOS=0, END=1, s0.. from 2.

    Example:
        >>> LoopVocab(n_symbols=8).vocab_size
        10
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS", "END")
    end: ClassVar[int] = 1


@dataclass(frozen=True)
class SymbolVocab(Vocab):
    """Plain symbol stream ids: BOS=0, symbols s0.. from 1.

    Example:
        >>> SymbolVocab(n_symbols=16).offset("symbol")
        1
    """

    n_symbols: int = 64

    def token_ranges(self) -> tuple[TokenRange, ...]:
        return (TokenRange("symbol", self.n_symbols, "s"),)


@dataclass(frozen=True)
class BackcopyVocab(Vocab):
    """Backcopy-stream ids: BOS=0, TRIGGER=1, symbols s0.. from 2 (s0 the most frequent).

    Example:
        >>> BackcopyVocab(n_symbols=16).labels(torch.tensor([0, 1, 2]))
        ['BOS', 'TRIGGER', 's0']
    """

    n_symbols: int = 64
    specials: ClassVar[tuple[str, ...]] = ("BOS", "TRIGGER")
    trigger: ClassVar[int] = 1

    def token_ranges(self) -> tuple[TokenRange, ...]:
        return (TokenRange("symbol", self.n_symbols, "s"),)


@dataclass(frozen=True)
class RecallVocab(Vocab):
    """Associative-recall ids: BOS=0, query tokens q0.. (one per key), then items i0.. where item
    `key * n_values + value` stores that key with that value, then (with `value_answers`) the answer
    tokens v0.. of the values, which never occur in the input.

    Example:
        >>> RecallVocab(n_keys=4, n_values=2).offset("item")
        5
    """

    n_keys: int = 64
    n_values: int = 16
    value_answers: bool = False

    def token_ranges(self) -> tuple[TokenRange, ...]:
        values = (TokenRange("value", self.n_values, "v"),) if self.value_answers else ()
        return (TokenRange("query", self.n_keys, "q"), TokenRange("item", self.n_keys * self.n_values, "i"), *values)

    def item(self, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        """Token id of the item holding `key` and `value` (tensors of one shape, or broadcastable).

        Example:
            >>> RecallVocab(n_keys=4, n_values=2).item(torch.tensor([0, 3]), torch.tensor([1, 1]))
            tensor([ 6, 12])
        """
        return self.offset("item") + key * self.n_values + value
