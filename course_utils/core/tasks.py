"""Synthetic tasks with exact control over where the relevant token sits.

Every task returns a `TaskBatch` built on the CPU from a `torch.Generator` (or an int seed), so the
same seed gives the same batch. Targets follow the next-token convention: `targets[b, t]` is the
token the model should predict after reading `tokens[b, :t+1]`, and `IGNORE_INDEX` (-100) marks
positions without a loss, so `F.cross_entropy(logits.flatten(0, 1), targets.flatten())` works as is.

Two indices locate the interesting part of every row:
- `answer_pos[b]`: the position whose prediction is the answer, `targets[b, answer_pos[b]]`;
- `relevant_pos[b]`: where that answer token sits in the context, so
  `tokens[b, relevant_pos[b]] == targets[b, answer_pos[b]]`, except in associative recall with
  `value_answers=True` (the answer is the value held by the token at relevant_pos) and in the "text"
  task (no single token holds the next character: relevant_pos = answer_pos = n - 1).

Token id 0 (`BOS_ID`) is BOS in every task, and every sequence starts with it except the backcopy
stream's with `bos=False`. Token ids per task are described by a small vocabulary dataclass
(`KVVocab`, `NeedleVocab`, ...) with `vocab_size` and `labels()`.
`make_batch_fn("kv_retrieval", batch_size=64, n_pairs=(4, 16))` turns a task name and keyword
arguments (e.g. from a training config) into a `generator -> TaskBatch` function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from numbers import Integral
from typing import ClassVar

import torch

from course_utils.core.batch import IGNORE_INDEX, TaskBatch, Vocab, as_generator, check_positive
from course_utils.core.corpus import TextVocab, text_batch

# ----------------------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class KVVocab(Vocab):
    """Key-value retrieval ids: BOS=0, SEP=1, keys k0.. at 2, values v0.. after the keys, and with
    `filler=True` one filler token "f0" after the values (the vocabulary grows by one; ids of keys
    and values do not move).

    Example: `KVVocab(n_keys=8, n_values=4).offset("v")` -> 10; `KVVocab(8, 4, filler=True).offset("f")` -> 14.
    """

    n_keys: int = 128
    n_values: int = 64
    filler: bool = False
    specials: ClassVar[tuple[str, ...]] = ("BOS", "SEP")
    sep: ClassVar[int] = 1

    def blocks(self) -> tuple[tuple[str, int], ...]:
        return (("k", self.n_keys), ("v", self.n_values)) + ((("f", 1),) if self.filler else ())


@dataclass(frozen=True)
class NeedleVocab(Vocab):
    """Needle-in-a-haystack ids: BOS=0, NEEDLE marker=1, QUERY marker=2, filler f0.., values v0..

    Example: `NeedleVocab(n_filler=100, n_values=10).vocab_size` -> 113.
    """

    n_filler: int = 128
    n_values: int = 64
    specials: ClassVar[tuple[str, ...]] = ("BOS", "NEEDLE", "QUERY")
    needle: ClassVar[int] = 1
    query: ClassVar[int] = 2

    def blocks(self) -> tuple[tuple[str, int], ...]:
        return (("f", self.n_filler), ("v", self.n_values))


@dataclass(frozen=True)
class DecoyVocab(NeedleVocab):
    """Needle ids plus a DECOY marker=3: BOS=0, NEEDLE=1, QUERY=2, DECOY=3, filler f0.., values v0..

    Example: `DecoyVocab(n_filler=100, n_values=10).vocab_size` -> 114.
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS", "NEEDLE", "QUERY", "DECOY")
    decoy: ClassVar[int] = 3


@dataclass(frozen=True)
class NearMissVocab(Vocab):
    """Two-token keys: BOS=0, QUERY=1, first key tokens a0.., second key tokens b0.., values v0.., filler f0..

    Example: `NearMissVocab(n_keys=16, n_values=64, n_filler=128).vocab_size` -> 226.
    """

    n_keys: int = 16
    n_values: int = 64
    n_filler: int = 128
    specials: ClassVar[tuple[str, ...]] = ("BOS", "QUERY")
    query: ClassVar[int] = 1

    def blocks(self) -> tuple[tuple[str, int], ...]:
        return (("a", self.n_keys), ("b", self.n_keys), ("v", self.n_values), ("f", self.n_filler))


@dataclass(frozen=True)
class CopyVocab(Vocab):
    """Copy-task ids: BOS=0, SEP=1, symbols s0.. from 2. Example: `CopyVocab(n_symbols=16).vocab_size` -> 18."""

    n_symbols: int = 64
    specials: ClassVar[tuple[str, ...]] = ("BOS", "SEP")
    sep: ClassVar[int] = 1

    def blocks(self) -> tuple[tuple[str, int], ...]:
        return (("s", self.n_symbols),)


@dataclass(frozen=True)
class LoopVocab(CopyVocab):
    """Loop-stream ids: the copy layout with END (sentence end) in SEP's place: BOS=0, END=1, s0.. from 2.

    Example: `LoopVocab(n_symbols=8).vocab_size` -> 10.
    """

    specials: ClassVar[tuple[str, ...]] = ("BOS", "END")
    end: ClassVar[int] = 1


@dataclass(frozen=True)
class SymbolVocab(Vocab):
    """Plain symbol stream ids: BOS=0, symbols s0.. from 1.

    Example: `SymbolVocab(n_symbols=16).offset("s")` -> 1.
    """

    n_symbols: int = 64

    def blocks(self) -> tuple[tuple[str, int], ...]:
        return (("s", self.n_symbols),)


@dataclass(frozen=True)
class BackcopyVocab(Vocab):
    """Backcopy-stream ids: BOS=0, TRIGGER=1, symbols s0.. from 2 (s0 the most frequent).

    Example: `BackcopyVocab(n_symbols=16).labels(torch.tensor([0, 1, 2]))` -> ["BOS", "TRIGGER", "s0"].
    """

    n_symbols: int = 64
    specials: ClassVar[tuple[str, ...]] = ("BOS", "TRIGGER")
    trigger: ClassVar[int] = 1

    def blocks(self) -> tuple[tuple[str, int], ...]:
        return (("s", self.n_symbols),)


@dataclass(frozen=True)
class RecallVocab(Vocab):
    """Associative-recall ids: BOS=0, query tokens q0.. (one per key), then items i0.. where item
    `key * n_values + value` stores that key with that value, then (with `value_answers`) the answer
    tokens v0.. of the values, which never occur in the input.

    Example: `RecallVocab(n_keys=4, n_values=2).offset("i")` -> 5.
    """

    n_keys: int = 64
    n_values: int = 16
    value_answers: bool = False

    def blocks(self) -> tuple[tuple[str, int], ...]:
        values = (("v", self.n_values),) if self.value_answers else ()
        return (("q", self.n_keys), ("i", self.n_keys * self.n_values), *values)

    def item(self, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        """Token id of the item holding `key` and `value`. Example: `RecallVocab().item(key, value)`"""
        return self.offset("i") + key * self.n_values + value


# ----------------------------------------------------------------------------- helpers


def _parse_range(
    name: str, value: int | tuple[int, int], *, lo: int | None = 1, hi: int | None = None, hint: str = ""
) -> tuple[int, int]:
    """`value` as an inclusive range (lo, hi); an int k is (k, k). Raises a ValueError unless the
    range is ordered and lies within [`lo`, `hi`] (None: unbounded).

    Example: `_parse_range("n_pairs", (4, 16), hi=128)` -> (4, 16); `_parse_range("n", 8)` -> (8, 8).
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
        raise ValueError(f"{name} must be an int or an inclusive range (lo, hi) with {limits}{hint}; got {value!r}")
    return int(bounds[0]), int(bounds[1])


def _draw(bounds: tuple[int, int], g: torch.Generator) -> int:
    """One draw from an inclusive range (lo, hi); no draw (and no generator use) when lo == hi."""
    lo, hi = bounds
    return lo if lo == hi else int(torch.randint(lo, hi + 1, (1,), generator=g))


def _draw_length_and_decoys(
    n: int | tuple[int, int], n_decoys: int | tuple[int, int], g: torch.Generator, *, item_len: int, fixed_len: int
) -> tuple[int, int]:
    """Draw a sequence length `n` and a decoy count (each an int or an inclusive range) and check that the
    needle and the decoys, `item_len` tokens each, fit next to `fixed_len` other tokens:
    n >= item_len * (decoys + 1) + fixed_len."""
    n_bounds = _parse_range("n", n, lo=None)  # checked against n_decoys below, once drawn
    decoy_bounds = _parse_range("n_decoys", n_decoys, lo=None)
    length, decoys = _draw(n_bounds, g), _draw(decoy_bounds, g)
    if decoys < 0 or length < item_len * (decoys + 1) + fixed_len:
        raise ValueError(
            f"n={length} has no room for the needle and {decoys} decoys; "
            f"need n >= {item_len * (decoys + 1) + fixed_len} and n_decoys >= 0"
        )
    return length, decoys


def _answer_targets(tokens: torch.Tensor, answer_pos: torch.Tensor, relevant_pos: torch.Tensor) -> torch.Tensor:
    """Targets with one loss per row: `targets[b, answer_pos[b]] = tokens[b, relevant_pos[b]]`.

    tokens: (batch, n); answer_pos, relevant_pos: (batch,) -> (batch, n), IGNORE_INDEX elsewhere.
    Example: `_answer_targets(tokens, torch.full((B,), n - 1), needle_pos + 1)`
    """
    rows = torch.arange(tokens.shape[0])
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[rows, answer_pos] = tokens[rows, relevant_pos]
    return targets


def _next_token_targets(tokens: torch.Tensor) -> torch.Tensor:
    """targets[:, t] = tokens[:, t + 1]; the last position has nothing to predict."""
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[:, :-1] = tokens[:, 1:]
    return targets


# ----------------------------------------------------------------------------- tasks


def kv_retrieval_batch(
    batch_size: int,
    n_pairs: int | tuple[int, int],
    *,
    n_keys: int = 128,
    n_values: int = 64,
    query_index: int | torch.Tensor | None = None,
    edge_bias: float = 0.0,
    query_first: bool = False,
    filler: bool = False,
    n_filler: int | tuple[int, int] = 0,
    filler_prefix: int = 0,
    filler_gap: int = 0,
    generator: torch.Generator | int,
) -> TaskBatch:
    """Key-value retrieval: `BOS k1 v1 ... kK vK SEP kq`, answer = the value paired with kq.

    Keys are distinct within a sequence, values are drawn independently (they may repeat). Only the
    last position (the query key) has a loss. `n_pairs` is K, or an inclusive range (lo, hi) from
    which one K is drawn per batch, so every row in a batch has the same K and length (no padding).
    `query_index` fixes the queried pair (0-based; an int or a (batch,) tensor); `edge_bias` p
    queries, with probability p, a pair drawn uniformly from the first or last max(1, K // 4)
    pairs, and otherwise a uniform pair.

    Variants (all off by default, when the sequence is the one above, n = 2K + 3):
    - `query_first`: the query key also comes right after BOS, `BOS kq k1 v1 ... SEP kq` (Liu et
      al.'s "query-aware contextualization"); n grows by 1.
    - `filler=True` adds one filler token F to the vocabulary, placed only between pairs, never
      inside one: `filler_prefix` F's right after BOS (after kq with `query_first`), `filler_gap`
      F's between consecutive pairs, and `n_filler` (an int or a range drawn once per batch) more
      F's, each dropped into one of the K + 1 gaps (before the first pair, between pairs, before
      SEP) uniformly at random, independently per row (see `_filler_gaps`).

    relevant_pos is the queried value's position (its key sits just before it). The batch carries
    vocab, n_pairs and query_index (batch,). tokens, targets: (batch, n).
    Example: `kv_retrieval_batch(64, (4, 16), generator=0)`;
    `kv_retrieval_batch(8, 16, filler=True, filler_prefix=64, generator=0)` (n = 99).
    """
    check_positive(batch_size=batch_size, n_keys=n_keys, n_values=n_values)
    g = as_generator(generator)
    pair_bounds = _parse_range("n_pairs", n_pairs, hi=n_keys, hint=" = n_keys (keys are distinct)")
    filler_bounds = _check_filler(filler, n_filler, filler_prefix, filler_gap)
    _check_query(query_index, edge_bias)
    vocab = KVVocab(n_keys=n_keys, n_values=n_values, filler=filler)
    k = _draw(pair_bounds, g)
    keys = torch.rand(batch_size, n_keys, generator=g).argsort(dim=1)[:, :k]  # (B, K) distinct
    values = torch.randint(0, n_values, (batch_size, k), generator=g)  # (B, K)
    query = _kv_query(batch_size, k, query_index, edge_bias, g)  # (B,) index of the queried pair
    gaps = _filler_gaps(batch_size, k, filler_prefix, filler_gap, _draw(filler_bounds, g), g)  # (B, K + 1)

    # BOS [kq] gaps[0]*F k1 v1 gaps[1]*F k2 v2 ... kK vK gaps[K]*F SEP kq
    start = 1 + int(query_first)  # first position after BOS (and kq)
    key_pos = start + 2 * torch.arange(k) + gaps[:, :k].cumsum(1)  # (B, K)
    sep_pos = start + 2 * k + int(gaps[0].sum())  # every row holds the same number of fillers
    rows = torch.arange(batch_size)
    queried_key = keys[rows, query] + vocab.offset("k")  # (B,)
    tokens = torch.full((batch_size, sep_pos + 2), vocab.offset("f") if filler else vocab.sep, dtype=torch.long)
    tokens[:, 0] = vocab.bos
    if query_first:
        tokens[:, 1] = queried_key
    tokens.scatter_(1, key_pos, keys + vocab.offset("k"))
    tokens.scatter_(1, key_pos + 1, values + vocab.offset("v"))
    tokens[:, sep_pos] = vocab.sep
    tokens[:, sep_pos + 1] = queried_key
    answer_pos = torch.full((batch_size,), sep_pos + 1)
    relevant_pos = key_pos[rows, query] + 1
    targets = _answer_targets(tokens, answer_pos, relevant_pos)
    return TaskBatch(
        "kv_retrieval", tokens, targets, answer_pos, relevant_pos, vocab=vocab, n_pairs=k, query_index=query
    )


def _check_query(query_index: int | torch.Tensor | None, edge_bias: float) -> None:
    """kv_retrieval_batch's query options: a probability `edge_bias`, and not both options."""
    if not 0.0 <= edge_bias <= 1.0:
        raise ValueError(f"edge_bias is a probability in [0, 1]; got {edge_bias}")
    if query_index is not None and edge_bias > 0:
        raise ValueError("pass either query_index (a fixed pair) or edge_bias (a biased draw), not both")


def _kv_query(
    batch_size: int, k: int, query_index: int | torch.Tensor | None, edge_bias: float, g: torch.Generator
) -> torch.Tensor:
    """The queried pair of each row, (batch,) in [0, K): `query_index` (an int or a (batch,) tensor)
    when given, else a uniform draw, replaced with probability `edge_bias` by a draw from the first
    or last max(1, K // 4) pairs."""
    if query_index is not None:
        query = torch.as_tensor(query_index)
        query = query.expand(batch_size).clone() if query.dim() == 0 else query.clone()
        if query.shape != (batch_size,) or query.is_floating_point() or query.min() < 0 or query.max() >= k:
            raise ValueError(
                f"query_index must be an int or a ({batch_size},) tensor with values "
                f"in [0, n_pairs={k}); got {query_index!r}"
            )
        return query
    query = torch.randint(0, k, (batch_size,), generator=g)
    if edge_bias > 0:
        e = max(1, k // 4)
        r = torch.randint(0, 2 * e, (batch_size,), generator=g)
        edge = torch.where(r < e, r, k - 2 * e + r)  # first e pairs or last e pairs
        query = torch.where(torch.rand(batch_size, generator=g) < edge_bias, edge, query)
    return query


def _check_filler(
    filler: bool, n_filler: int | tuple[int, int], filler_prefix: int, filler_gap: int
) -> tuple[int, int]:
    """kv_retrieval_batch's filler options, checked; returns the range of n_filler."""
    bounds = _parse_range("n_filler", n_filler, lo=0)
    for name, value in (("filler_prefix", filler_prefix), ("filler_gap", filler_gap)):
        if not isinstance(value, Integral) or value < 0:
            raise ValueError(f"{name} is a number of filler tokens, an int >= 0; got {value!r}")
    if not filler and (bounds[1] or filler_prefix or filler_gap):
        raise ValueError(
            "n_filler, filler_prefix and filler_gap place filler tokens: pass filler=True "
            "(it adds the filler token to the vocabulary)"
        )
    return bounds


def _filler_gaps(batch_size: int, k: int, prefix: int, gap: int, extra: int, g: torch.Generator) -> torch.Tensor:
    """How many filler tokens stand before each of K pairs and before SEP (column K): (batch, K + 1).

    `prefix` before the first pair, `gap` between consecutive pairs, and `extra` more per row, each
    in one of the K + 1 places drawn uniformly (no draw when extra is 0).
    Example: `_filler_gaps(2, 3, 1, 2, 0, g)` -> [[1, 2, 2, 0], [1, 2, 2, 0]].
    """
    gaps = torch.zeros(batch_size, k + 1, dtype=torch.long)
    gaps[:, 0] += prefix
    gaps[:, 1:k] += gap
    if extra:
        places = torch.randint(0, k + 1, (batch_size, extra), generator=g)
        gaps.scatter_add_(1, places, torch.ones(batch_size, extra, dtype=torch.long))
    return gaps


def needle_batch(
    batch_size: int,
    n: int,
    *,
    depth: float | None = None,
    n_filler: int = 128,
    n_values: int = 64,
    generator: torch.Generator | int,
) -> TaskBatch:
    """Needle in a haystack: `BOS filler.. NEEDLE v filler.. QUERY`, answer = the needle's value v.

    `n` is the sequence length, one int (every batch has the same length; `decoy_needle_batch` takes
    a range). Filler tokens and value tokens come from disjoint id blocks. The NEEDLE marker sits at
    position 1 + round(depth * (n - 4)), so depth 0.0 puts it right after BOS and depth 1.0 puts its value
    right before the final QUERY; depth None draws the position uniformly per row. Only the last
    position has a loss; relevant_pos is the value's position. The batch carries vocab and needle_pos (batch,).

    tokens, targets: (batch, n). Example: `needle_batch(32, 512, depth=0.5, generator=0)`.
    """
    check_positive(batch_size=batch_size, n=n, n_filler=n_filler, n_values=n_values)
    g = as_generator(generator)
    vocab = NeedleVocab(n_filler=n_filler, n_values=n_values)
    if n < 4:
        raise ValueError(f"n must be at least 4 (BOS, NEEDLE, value, QUERY); got {n}")
    if depth is None:
        needle_pos = torch.randint(1, n - 2, (batch_size,), generator=g)
    elif 0.0 <= depth <= 1.0:
        needle_pos = torch.full((batch_size,), 1 + int(depth * (n - 4) + 0.5))
    else:
        raise ValueError(f"depth is a relative position in [0, 1] (or None for uniform); got {depth}")

    rows = torch.arange(batch_size)
    tokens = torch.randint(0, n_filler, (batch_size, n), generator=g) + vocab.offset("f")
    tokens[:, 0] = vocab.bos
    tokens[rows, needle_pos] = vocab.needle
    tokens[rows, needle_pos + 1] = torch.randint(0, n_values, (batch_size,), generator=g) + vocab.offset("v")
    tokens[:, -1] = vocab.query
    answer_pos = torch.full((batch_size,), n - 1)
    relevant_pos = needle_pos + 1
    return TaskBatch(
        "needle",
        tokens,
        _answer_targets(tokens, answer_pos, relevant_pos),
        answer_pos,
        relevant_pos,
        vocab=vocab,
        needle_pos=needle_pos,
    )


def decoy_needle_batch(
    batch_size: int,
    n: int | tuple[int, int],
    *,
    n_decoys: int | tuple[int, int] = 0,
    n_filler: int = 128,
    n_values: int = 64,
    generator: torch.Generator | int,
) -> TaskBatch:
    """A needle among decoys: `BOS f.. DECOY v' f.. NEEDLE v f.. DECOY v'' .. QUERY`, answer v.

    Decoys repeat the needle's pattern (marker, value) with a different marker: they are the
    distractors that look like the answer; filler tokens are the distractors that do not. The
    needle and the decoys sit in distinct, non-overlapping (marker, value) slots at random places.
    `n`, the sequence length, and `n_decoys` are each an int or an inclusive range (lo, hi) from which
    one value is drawn per batch (every row of a batch has the same length); n must leave room:
    n >= 2 * (n_decoys + 1) + 2. Only the last position has a loss; relevant_pos is the needle's
    value. The batch carries vocab, needle_pos (batch,) and decoy_pos (batch, n_decoys) (the markers).

    tokens, targets: (batch, n). Example: `decoy_needle_batch(32, 128, n_decoys=4, generator=0)`.
    """
    check_positive(batch_size=batch_size, n_filler=n_filler, n_values=n_values)
    g = as_generator(generator)
    length, decoys = _draw_length_and_decoys(n, n_decoys, g, item_len=2, fixed_len=2)
    vocab = DecoyVocab(n_filler=n_filler, n_values=n_values)
    rows = torch.arange(batch_size)
    tokens = torch.randint(0, n_filler, (batch_size, length), generator=g) + vocab.offset("f")
    tokens[:, 0] = vocab.bos
    tokens[:, -1] = vocab.query
    slots = (length - 2) // 2  # slot s covers positions 1 + 2s (marker) and 2 + 2s (value)
    chosen = torch.rand(batch_size, slots, generator=g).argsort(dim=1)[:, : decoys + 1]  # (B, decoys + 1)
    markers = 1 + 2 * chosen
    tokens[rows[:, None], markers] = vocab.decoy
    tokens[rows, markers[:, 0]] = vocab.needle
    values = torch.randint(0, n_values, (batch_size, decoys + 1), generator=g)
    tokens[rows[:, None], markers + 1] = values + vocab.offset("v")
    needle_pos = markers[:, 0]
    answer_pos = torch.full((batch_size,), length - 1)
    return TaskBatch(
        "decoy_needle",
        tokens,
        _answer_targets(tokens, answer_pos, needle_pos + 1),
        answer_pos,
        needle_pos + 1,
        vocab=vocab,
        needle_pos=needle_pos,
        decoy_pos=markers[:, 1:],
    )


def near_miss_batch(
    batch_size: int,
    n: int | tuple[int, int],
    *,
    n_decoys: int | tuple[int, int] = 0,
    n_keys: int = 16,
    n_values: int = 64,
    n_filler: int = 128,
    generator: torch.Generator | int,
) -> TaskBatch:
    """A two-token key among near misses: `BOS f.. a b v f.. a b' v' .. f.. QUERY a b`, answer v.

    The needle's key is two tokens (a, b). Each decoy shares the needle's first key token `a` and
    differs in the second (b' != b), so a query that matches on `a` alone cannot tell them apart:
    a decoy scores part of the needle's match, not nothing (the near miss of Shi et al. 2023's
    distractors). Items (a, b, v) sit in distinct 3-token slots at random places among filler. `n`,
    the sequence length, and `n_decoys` are each an int or an inclusive range (lo, hi) from which one
    value is drawn per batch (every row of a batch has the same length); n must leave room:
    n >= 3 * (n_decoys + 1) + 4. Only the last position has a loss; relevant_pos is the needle's
    value. The batch carries vocab, needle_pos (batch,) (the needle's `a`) and decoy_pos (batch, n_decoys).

    tokens, targets: (batch, n). Example: `near_miss_batch(32, 128, n_decoys=4, generator=0)`.
    """
    check_positive(batch_size=batch_size, n_values=n_values, n_filler=n_filler)
    if n_keys < 2:
        raise ValueError(f"n_keys must be at least 2 (a decoy needs another second token); got {n_keys}")
    g = as_generator(generator)
    length, decoys = _draw_length_and_decoys(n, n_decoys, g, item_len=3, fixed_len=4)
    vocab = NearMissVocab(n_keys=n_keys, n_values=n_values, n_filler=n_filler)
    rows = torch.arange(batch_size)
    tokens = torch.randint(0, n_filler, (batch_size, length), generator=g) + vocab.offset("f")
    tokens[:, 0] = vocab.bos
    first = torch.randint(0, n_keys, (batch_size, 1), generator=g)  # (B, 1): shared by needle and decoys
    second = torch.randint(0, n_keys, (batch_size, 1), generator=g)  # the needle's second token
    shift = torch.randint(1, n_keys, (batch_size, decoys), generator=g)  # decoys: any other second token
    seconds = torch.cat([second, (second + shift) % n_keys], dim=1)  # (B, decoys + 1), needle first
    slots = (length - 4) // 3  # slot s covers positions 1 + 3s (a), 2 + 3s (b), 3 + 3s (v)
    starts = 1 + 3 * torch.rand(batch_size, slots, generator=g).argsort(dim=1)[:, : decoys + 1]  # (B, decoys + 1)
    tokens[rows[:, None], starts] = first + vocab.offset("a")
    tokens[rows[:, None], starts + 1] = seconds + vocab.offset("b")
    values = torch.randint(0, n_values, (batch_size, decoys + 1), generator=g)
    tokens[rows[:, None], starts + 2] = values + vocab.offset("v")
    tokens[:, -3] = vocab.query
    tokens[:, -2] = first[:, 0] + vocab.offset("a")
    tokens[:, -1] = second[:, 0] + vocab.offset("b")
    answer_pos = torch.full((batch_size,), length - 1)
    return TaskBatch(
        "near_miss",
        tokens,
        _answer_targets(tokens, answer_pos, starts[:, 0] + 2),
        answer_pos,
        starts[:, 0] + 2,
        vocab=vocab,
        needle_pos=starts[:, 0],
        decoy_pos=starts[:, 1:],
    )


def loop_stream_batch(
    batch_size: int,
    n_sentences: int,
    *,
    sentence_len: int = 8,
    n_symbols: int = 64,
    repeat_prob: float = 0.5,
    generator: torch.Generator | int,
) -> TaskBatch:
    """A stream of random "sentences" that sometimes loop: `BOS s s s s END s s s s END ...`.

    Each sentence is `sentence_len` random symbols and an END token. With probability `repeat_prob`
    a sentence repeats the one before it verbatim, whatever happened before, so the true chance of
    one more repeat never depends on how many repeats came before. Loss everywhere.
    `batch.repeat` (batch, n_sentences) marks the sentences that repeat their predecessor.

    tokens, targets: (batch, 1 + n_sentences * (sentence_len + 1)).
    Example: `loop_stream_batch(32, 12, generator=0)`.
    """
    check_positive(batch_size=batch_size, n_sentences=n_sentences, sentence_len=sentence_len, n_symbols=n_symbols)
    if not 0.0 <= repeat_prob <= 1.0:
        raise ValueError(f"repeat_prob is a probability in [0, 1]; got {repeat_prob}")
    g = as_generator(generator)
    vocab = LoopVocab(n_symbols=n_symbols)
    sentences = torch.randint(0, n_symbols, (batch_size, n_sentences, sentence_len), generator=g) + vocab.offset("s")
    repeat = torch.rand(batch_size, n_sentences, generator=g) < repeat_prob
    repeat[:, 0] = False
    for i in range(1, n_sentences):
        sentences[:, i] = torch.where(repeat[:, i, None], sentences[:, i - 1], sentences[:, i])
    ends = torch.full((batch_size, n_sentences, 1), vocab.end)
    body = torch.cat([sentences, ends], dim=2).flatten(1)  # (B, n_sentences * (sentence_len + 1))
    tokens = torch.cat([torch.full((batch_size, 1), vocab.bos), body], dim=1)
    last = torch.full((batch_size,), tokens.shape[1] - 2)
    return TaskBatch(
        "loop_stream", tokens, _next_token_targets(tokens), last, last - sentence_len, vocab=vocab, repeat=repeat
    )


def associative_recall_batch(
    batch_size: int,
    n_items: int | tuple[int, int],
    *,
    n_keys: int = 64,
    n_values: int = 16,
    value_answers: bool = False,
    generator: torch.Generator | int,
) -> TaskBatch:
    """Associative recall by content alone: `BOS item1 .. itemK query`, answer = the item whose key
    the query names, or with `value_answers=True` its value (the token `v<value>`, one of n_values
    classes; the only task whose answer is not the token at relevant_pos, but a part of it). Item
    answers have n_keys * n_values classes, so a distractor item rarely shares the answer; value
    answers let every distractor vote for one of n_values classes.

    Each item is one token holding a key and a value, so no position is needed to bind them: a
    one-layer attention model with no positional encoding can solve the task by matching the
    query against the items' keys and copying the match. Exactly one item holds the queried key;
    the K - 1 distractor items hold other keys (repeats allowed), so K may exceed n_keys and the
    context can grow without limit. `n_items` is K or an inclusive range (lo, hi) drawn once per
    batch (K = n - 2). Only the last position has a loss; relevant_pos is the matching item's position.
    The batch carries vocab.

    tokens, targets: (batch, K + 2). Example: `associative_recall_batch(64, (4, 16), generator=0)`.
    """
    check_positive(batch_size=batch_size, n_keys=n_keys, n_values=n_values)
    if n_keys < 2:
        raise ValueError(f"n_keys must be at least 2 (distractors need another key); got {n_keys}")
    bounds = _parse_range("n_items", n_items)
    g = as_generator(generator)
    vocab = RecallVocab(n_keys=n_keys, n_values=n_values, value_answers=value_answers)
    k = _draw(bounds, g)

    rows = torch.arange(batch_size)
    query_key = torch.randint(0, n_keys, (batch_size,), generator=g)  # (B,)
    keys = torch.randint(0, n_keys - 1, (batch_size, k), generator=g)  # (B, K)
    keys = keys + (keys >= query_key[:, None]).long()  # distractors never hold the query key
    match = torch.randint(0, k, (batch_size,), generator=g)  # (B,) index of the matching item
    keys[rows, match] = query_key
    values = torch.randint(0, n_values, (batch_size, k), generator=g)  # (B, K)
    items = vocab.item(keys, values)  # (B, K)
    bos = torch.full((batch_size, 1), vocab.bos)
    tokens = torch.cat([bos, items, (vocab.offset("q") + query_key)[:, None]], dim=1)  # (B, K + 2)
    answer_pos = torch.full((batch_size,), k + 1)
    relevant_pos = match + 1
    targets = _answer_targets(tokens, answer_pos, relevant_pos)
    if value_answers:
        targets[rows, answer_pos] = vocab.offset("v") + values[rows, match]
    return TaskBatch("associative_recall", tokens, targets, answer_pos, relevant_pos, vocab=vocab)


def copy_batch(
    batch_size: int,
    seq_len: int | tuple[int, int],
    *,
    n_symbols: int = 64,
    distinct: bool = False,
    skip_lengths: tuple[int, ...] = (),
    generator: torch.Generator | int,
) -> TaskBatch:
    """Copy: `BOS x1..xm SEP x1..xm` with m = seq_len, loss on the positions predicting the copy.

    `seq_len` is m, or an inclusive range (lo, hi) from which one m is drawn per batch (every row
    of a batch has the same m, so no padding), leaving out the lengths in `skip_lengths` (held out
    for testing). `distinct=True` draws the m symbols of a row without
    replacement (needs m <= n_symbols), so each symbol occurs once in the string and "find the
    current symbol earlier and copy what followed it" is unambiguous.
    The loss covers positions m+1 (SEP, predicts x1) to 2m (predicts xm). answer_pos is the last of
    them (2m) and relevant_pos the original xm (m). The batch carries vocab and copy_len (the m of this batch).

    tokens, targets: (batch, 2 * m + 2). Example: `copy_batch(32, 10, generator=0)`,
    `copy_batch(32, (4, 16), n_symbols=64, distinct=True, skip_lengths=(7, 11), generator=0)`.
    """
    check_positive(batch_size=batch_size, n_symbols=n_symbols)
    bounds = _parse_range(
        "seq_len",
        seq_len,
        hi=n_symbols if distinct else None,
        hint=" = n_symbols (distinct symbols)" if distinct else "",
    )
    allowed = [m for m in range(bounds[0], bounds[1] + 1) if m not in set(skip_lengths)]
    if not allowed:
        raise ValueError(f"skip_lengths={tuple(skip_lengths)} leaves no length in seq_len={seq_len!r}")
    g = as_generator(generator)
    if skip_lengths:
        m = allowed[int(torch.randint(len(allowed), (1,), generator=g))]
    else:
        m = _draw(bounds, g)
    vocab = CopyVocab(n_symbols=n_symbols)
    if distinct:
        x = torch.rand(batch_size, n_symbols, generator=g).argsort(dim=1)[:, :m]  # (B, m), no repeats
    else:
        x = torch.randint(0, n_symbols, (batch_size, m), generator=g)
    x = x + vocab.offset("s")
    bos = torch.full((batch_size, 1), vocab.bos)
    tokens = torch.cat([bos, x, torch.full_like(bos, vocab.sep), x], dim=1)  # (B, 2m + 2)
    targets = torch.full_like(tokens, IGNORE_INDEX)
    targets[:, m + 1 : -1] = x
    answer_pos = torch.full((batch_size,), 2 * m)
    relevant_pos = torch.full((batch_size,), m)
    return TaskBatch("copy", tokens, targets, answer_pos, relevant_pos, vocab=vocab, copy_len=m)


def repeated_sequence_batch(
    batch_size: int, seq_len: int, repeats: int, *, n_symbols: int = 64, generator: torch.Generator | int
) -> TaskBatch:
    """A random sequence of seq_len symbols repeated `repeats` times after BOS; loss everywhere.

    The first copy is unpredictable noise; from the second copy on, a model that copies from one
    period back (an induction head) predicts every token. answer_pos is the second-to-last position
    (it predicts the last token) and relevant_pos that token's previous occurrence, one period
    earlier. The batch carries vocab and period = seq_len (the second copy starts at position
    1 + period, so targets from position period on are predictable by copying).

    tokens, targets: (batch, 1 + seq_len * repeats).
    Example: `repeated_sequence_batch(16, 32, 2, generator=0)`.
    """
    check_positive(batch_size=batch_size, seq_len=seq_len, n_symbols=n_symbols)
    if not isinstance(repeats, Integral) or repeats < 2:
        raise ValueError(f"repeats must be an int >= 2 (one copy has nothing to repeat); got {repeats!r}")
    g = as_generator(generator)
    vocab = SymbolVocab(n_symbols=n_symbols)
    x = torch.randint(0, n_symbols, (batch_size, seq_len), generator=g) + vocab.offset("s")
    tokens = torch.cat([torch.full((batch_size, 1), vocab.bos), x.repeat(1, repeats)], dim=1)
    n = tokens.shape[1]
    answer_pos = torch.full((batch_size,), n - 2)
    relevant_pos = torch.full((batch_size,), n - 1 - seq_len)
    return TaskBatch(
        "repeated_sequence", tokens, _next_token_targets(tokens), answer_pos, relevant_pos, vocab=vocab, period=seq_len
    )


def backcopy_batch(
    batch_size: int,
    n: int,
    *,
    n_symbols: int = 64,
    trigger_prob: float = 0.1,
    zipf_exponent: float = 1.0,
    bos: bool = True,
    generator: torch.Generator | int,
) -> TaskBatch:
    """Backcopy stream: Zipf noise with TRIGGER tokens; after a trigger, repeat the token before it.

    `BOS s s s TRIGGER x ...` where x copies the symbol just before TRIGGER (`bos=False`: the first
    token is a symbol too). Symbol i has probability proportional to (i + 1) ** -zipf_exponent.
    Each position 2..n-2 becomes a trigger with probability trigger_prob (never right after another
    trigger); a row that drew none gets one at n - 2, so every row has at least one. Loss everywhere
    (a language-modelling stream); `batch.copy_mask` (batch, n) marks the trigger positions, whose
    targets are copies.
    answer_pos is each row's last trigger and relevant_pos the copied symbol (answer_pos - 1).
    This is the stream on which small models grow attention sinks (see the sinks chapter).

    tokens, targets: (batch, n). Example: `backcopy_batch(64, 64, generator=0)`.
    """
    check_positive(batch_size=batch_size, n=n, n_symbols=n_symbols)
    if n < 4:
        raise ValueError(f"n must be at least 4 (BOS, symbol, TRIGGER, copy); got {n}")
    if not 0.0 <= trigger_prob <= 1.0:
        raise ValueError(f"trigger_prob is a probability in [0, 1]; got {trigger_prob}")
    g = as_generator(generator)
    vocab = BackcopyVocab(n_symbols=n_symbols)
    probs = (torch.arange(1, n_symbols + 1, dtype=torch.float64) ** -zipf_exponent).expand(batch_size, -1)
    tokens = torch.empty(batch_size, n, dtype=torch.long)
    tokens[:, 0] = vocab.bos
    tokens[:, 1:] = torch.multinomial(probs, n - 1, replacement=True, generator=g) + vocab.offset("s")
    if not bos:
        # Drawn after everything else, so that the default stream's draws stay as they were.
        tokens[:, 0] = torch.multinomial(probs, 1, generator=g)[:, 0] + vocab.offset("s")
    draw = torch.rand(batch_size, n, generator=g) < trigger_prob

    is_trigger = torch.zeros(batch_size, n, dtype=torch.bool)
    for t in range(2, n - 1):
        is_trigger[:, t] = draw[:, t] & ~is_trigger[:, t - 1]
    is_trigger[~is_trigger.any(dim=1), n - 2] = True
    for t in range(3, n):  # left to right, so a copy of a copy sees its final value
        tokens[:, t] = torch.where(is_trigger[:, t - 1], tokens[:, t - 2], tokens[:, t])
    tokens[is_trigger] = vocab.trigger

    answer_pos = n - 1 - is_trigger.flip(1).int().argmax(dim=1)  # last trigger in each row
    return TaskBatch(
        "backcopy", tokens, _next_token_targets(tokens), answer_pos, answer_pos - 1, vocab=vocab, copy_mask=is_trigger
    )


def backcopy_optimal_losses(
    tokens: torch.Tensor, *, n_symbols: int = 64, trigger_prob: float = 0.1, zipf_exponent: float = 1.0
) -> torch.Tensor:
    """The loss (nats) of the best possible predictor of a backcopy stream, per position: its floor.

    tokens: (batch, n) from `backcopy_batch` with the same settings -> (batch, n), NaN at the last
    position (no target). The predictor knows the stream's rules: after a TRIGGER the next token is
    certain (loss 0); elsewhere the next token is a TRIGGER with probability trigger_prob (0 where
    one cannot stand: position < 2, the last position, right after a trigger; 1 at n - 2 when the
    row has none yet) and otherwise a Zipf symbol. A model's loss minus this is its *excess loss*.
    Example: `backcopy_optimal_losses(backcopy_batch(8, 64, generator=0).tokens)`.
    """
    if tokens.dim() != 2 or tokens.shape[1] < 4:
        raise ValueError(f"tokens must be (batch, n) with n >= 4, from backcopy_batch; got {tuple(tokens.shape)}")
    vocab = BackcopyVocab(n_symbols=n_symbols)
    batch, n = tokens.shape
    zipf = torch.arange(1, n_symbols + 1, dtype=torch.float64) ** -zipf_exponent
    log_zipf = (zipf / zipf.sum()).log()  # (n_symbols,)
    is_trigger = tokens == vocab.trigger
    nxt = torch.arange(1, n)  # the position each query predicts
    p_trigger = torch.full((batch, n - 1), float(trigger_prob), dtype=torch.float64)
    p_trigger[:, (nxt < 2) | (nxt > n - 2)] = 0.0
    p_trigger[is_trigger[:, :-1]] = 0.0  # never two triggers in a row
    none_yet = ~is_trigger[:, 2 : n - 2].any(dim=1)  # no trigger at 2..n-3: position n - 2 must be one
    p_trigger[none_yet & ~is_trigger[:, n - 3], n - 3] = 1.0
    target = tokens[:, 1:]
    symbol = (target - vocab.offset("s")).clamp(0, n_symbols - 1)
    losses = torch.where(target == vocab.trigger, -p_trigger.log(), -(1 - p_trigger).log() - log_zipf[symbol])
    losses = torch.where(is_trigger[:, :-1], torch.zeros_like(losses), losses)  # a copy is certain
    return torch.cat([losses, torch.full((batch, 1), float("nan"), dtype=torch.float64)], dim=1).float()


# ----------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class TaskSpec:
    """A named task: its batch function and the vocabulary class built from the same kwargs.

    Example: `TASKS["copy"].batch_fn(4, 8, generator=0)` is `copy_batch(4, 8, generator=0)`.
    """

    batch_fn: Callable[..., TaskBatch]
    vocab_cls: type[Vocab]


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


def _task(name: str, kwargs: dict, *, complete: bool) -> TaskSpec:
    """The registered task `name`, once its batch function accepts `kwargs` (with `complete`, as its
    every argument but the generator); a ValueError otherwise."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    if "generator" in kwargs:
        raise ValueError("do not pass generator here; the returned function takes it per call")
    spec = TASKS[name]
    signature = inspect.signature(spec.batch_fn)
    try:  # Python's own check of the call's arguments, without making the call
        signature.bind(**kwargs, generator=0) if complete else signature.bind_partial(**kwargs)
    except TypeError as err:  # e.g. "got an unexpected keyword argument 'n_key'"
        accepted = [arg for arg in signature.parameters if arg != "generator"]
        raise ValueError(f"task {name!r}: {err}; it takes {accepted}") from None
    return spec


def make_batch_fn(name: str, **kwargs) -> Callable[[torch.Generator | int], TaskBatch]:
    """A function `generator -> TaskBatch` for the task `name` with fixed keyword arguments.

    Example: `batch_fn = make_batch_fn("kv_retrieval", batch_size=128, n_pairs=(4, 16), edge_bias=0.9)`
    then `batch = batch_fn(torch.Generator().manual_seed(0))`.
    """
    spec = _task(name, kwargs, complete=True)

    def batch_fn(generator: torch.Generator | int) -> TaskBatch:
        return spec.batch_fn(**kwargs, generator=generator)

    return batch_fn


def task_vocab_size(name: str, **kwargs) -> int:
    """Vocabulary size (embedding rows) of task `name` for the same kwargs as `make_batch_fn`.

    Example: `task_vocab_size("kv_retrieval", n_keys=128, n_values=64)` -> 194.
    """
    spec = _task(name, kwargs, complete=False)
    names = {f.name for f in fields(spec.vocab_cls)}
    return spec.vocab_cls(**{k: v for k, v in kwargs.items() if k in names}).vocab_size
