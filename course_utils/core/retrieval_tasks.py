"""Retrieval by key: key-value retrieval, where a key is bound to its value by position, and
associative recall, where one token holds both.

Key-value retrieval is `BOS k1 v1 ... kK vK SEP kq`, answered by the value paired with kq; its variants
put the query first, bias it to the edges, or spread filler tokens between pairs. Associative
recall is `BOS item1 .. itemK query`, answered by the item whose key the query names. Each task builds a
`TaskBatch` with one loss per row, at the last position (`answer_pos`), whose answer is the token at
`relevant_pos`; see `course_utils.core.batch` for the contract and `course_utils.core.vocabs` for the
token ids.

Example:
    >>> batch = kv_retrieval_batch(2, 3, n_keys=8, n_values=4, generator=0)
    >>> batch.vocab.labels(batch.tokens[0])
    ['BOS', 'k2', 'v0', 'k3', 'v0', 'k4', 'v2', 'SEP', 'k4']
    >>> batch.vocab.labels(batch.tokens[0, batch.relevant_pos[:1]])
    ['v2']
"""

from __future__ import annotations

from numbers import Integral

import torch

from course_utils.core.batch import (
    TaskBatch,
    answer_targets,
    as_generator,
    check_positive,
    draw_from_range,
    parse_range,
)
from course_utils.core.vocabs import KVVocab, RecallVocab


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

    Variants (both off by default, when the sequence is the one above, n = 2K + 3):
    - `query_first`: the query key also comes right after BOS, `BOS kq k1 v1 ... SEP kq` (Liu et
      al.'s "query-aware contextualization"); n grows by 1.
    - `filler=True` adds one filler token F to the vocabulary (placing none by itself), and three
      counts place F's between pairs, never inside one: `filler_prefix` F's right after BOS (after
      kq with `query_first`), `filler_gap` F's between consecutive pairs, and `n_filler` more (an
      int, or an inclusive range (lo, hi) drawn once per batch), each dropped into one of the K + 1
      places (before the first pair, between pairs, before SEP) uniformly at random, independently
      per row.

    relevant_pos is the queried value's position (its key sits just before it). The batch carries
    vocab, n_pairs and query_index (batch,). tokens, targets: (batch, n).

    Example:
        >>> batch = kv_retrieval_batch(64, (4, 16), generator=0)
        >>> batch.n_pairs, tuple(batch.tokens.shape)
        (7, (64, 17))
        >>> kv_retrieval_batch(8, 16, filler=True, filler_prefix=64, generator=0).tokens.shape
        torch.Size([8, 99])
        >>> batch = kv_retrieval_batch(1, 3, n_keys=8, n_values=4, filler=True, filler_gap=1, generator=0)
        >>> batch.vocab.labels(batch.tokens[0])
        ['BOS', 'k2', 'v1', 'f0', 'k3', 'v3', 'f0', 'k4', 'v1', 'SEP', 'k4']
    """
    check_positive(batch_size=batch_size, n_keys=n_keys, n_values=n_values)
    g = as_generator(generator)
    pair_bounds = parse_range("n_pairs", n_pairs, hi=n_keys, hint=" = n_keys (keys are distinct)")
    _check_query(query_index, edge_bias)
    scattered_bounds = _check_filler(filler, n_filler, filler_prefix, filler_gap)
    vocab = KVVocab(n_keys=n_keys, n_values=n_values, filler=filler)
    k = draw_from_range(pair_bounds, g)
    keys = torch.rand(batch_size, n_keys, generator=g).argsort(dim=1)[:, :k]  # (B, K) distinct
    values = torch.randint(0, n_values, (batch_size, k), generator=g)  # (B, K)
    query = _kv_query(batch_size, k, query_index, edge_bias, g)  # (B,) index of the queried pair
    fillers = _filler_counts(batch_size, k, filler_prefix, filler_gap, scattered_bounds, g)  # (B, K + 1)

    # BOS [kq] fillers[0]*F k1 v1 fillers[1]*F k2 v2 ... kK vK fillers[K]*F SEP kq
    start = 1 + int(query_first)  # first position after BOS (and kq)
    key_pos = start + 2 * torch.arange(k) + fillers[:, :k].cumsum(1)  # (B, K)
    sep_pos = start + 2 * k + int(fillers[0].sum())  # every row holds the same number of fillers
    rows = torch.arange(batch_size)
    queried_key = keys[rows, query] + vocab.offset("key")  # (B,)
    background = vocab.offset("filler") if filler else vocab.sep
    tokens = torch.full((batch_size, sep_pos + 2), background, dtype=torch.long)
    tokens[:, 0] = vocab.bos
    if query_first:
        tokens[:, 1] = queried_key
    tokens.scatter_(1, key_pos, keys + vocab.offset("key"))
    tokens.scatter_(1, key_pos + 1, values + vocab.offset("value"))
    tokens[:, sep_pos] = vocab.sep
    tokens[:, sep_pos + 1] = queried_key
    answer_pos = torch.full((batch_size,), sep_pos + 1)
    relevant_pos = key_pos[rows, query] + 1
    targets = answer_targets(tokens, answer_pos, relevant_pos)
    return TaskBatch(
        "kv_retrieval", tokens, targets, answer_pos, relevant_pos, vocab=vocab, n_pairs=k, query_index=query
    )


def _check_query(query_index: int | torch.Tensor | None, edge_bias: float) -> None:
    """kv_retrieval_batch's query options: a probability `edge_bias`, and not both options."""
    if not 0.0 <= edge_bias <= 1.0:
        raise ValueError(f"edge_bias is a probability in [0, 1]; got {edge_bias}: pass one in that range (0 = uniform)")
    if query_index is not None and edge_bias > 0:
        raise ValueError("pass either query_index (a fixed pair) or edge_bias (a biased draw), not both")


def _check_filler(
    filler: bool, n_filler: int | tuple[int, int], filler_prefix: int, filler_gap: int
) -> tuple[int, int]:
    """kv_retrieval_batch's filler options: counts of filler tokens (n_filler, returned as a range (lo, hi)),
    and the filler token in the vocabulary whenever one is placed."""
    scattered_bounds = parse_range("n_filler", n_filler, lo=0)
    for name, value in (("filler_prefix", filler_prefix), ("filler_gap", filler_gap)):
        if not isinstance(value, Integral) or value < 0:
            raise ValueError(f"{name} is a number of filler tokens, an int >= 0; got {value!r}: pass 0 for none")
    if not filler and (scattered_bounds != (0, 0) or filler_prefix or filler_gap):
        raise ValueError(
            "n_filler, filler_prefix and filler_gap place filler tokens: pass filler=True "
            "(it adds the filler token to the vocabulary)"
        )
    return scattered_bounds


def _filler_counts(
    batch_size: int, k: int, prefix: int, gap: int, scattered_bounds: tuple[int, int], g: torch.Generator
) -> torch.Tensor:
    """How many filler tokens stand before each of the K pairs and before SEP (column K): (batch, K + 1).

    Draws the scattered count from `scattered_bounds`, then its places (no draw for a count of 0).
    """
    scattered = draw_from_range(scattered_bounds, g)
    counts = torch.zeros(batch_size, k + 1, dtype=torch.long)
    counts[:, 0] += prefix
    counts[:, 1:k] += gap
    if scattered:
        places = torch.randint(0, k + 1, (batch_size, scattered), generator=g)
        counts.scatter_add_(1, places, torch.ones(batch_size, scattered, dtype=torch.long))
    return counts


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
                f"in [0, n_pairs={k}); got {query_index!r}: pass integer pair indices, 0 for the first pair"
            )
        return query
    query = torch.randint(0, k, (batch_size,), generator=g)
    if edge_bias > 0:
        e = max(1, k // 4)
        r = torch.randint(0, 2 * e, (batch_size,), generator=g)
        edge = torch.where(r < e, r, k - 2 * e + r)  # first e pairs or last e pairs
        query = torch.where(torch.rand(batch_size, generator=g) < edge_bias, edge, query)
    return query


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
    answers have n_keys * n_values classes; value answers have n_values.

    Each item is one token holding a key and a value, so no position is needed to bind them: a
    one-layer attention model with no positional encoding can solve the task by matching the
    query against the items' keys and copying the match. Exactly one item holds the queried key;
    the K - 1 distractor items hold other keys (repeats allowed), so K may exceed n_keys and the
    context can grow without limit. `n_items` is K or an inclusive range (lo, hi) drawn once per
    batch (K = n - 2). Only the last position has a loss; relevant_pos is the matching item's position.
    The batch carries vocab.

    tokens, targets: (batch, K + 2).

    Example:
        >>> associative_recall_batch(64, (4, 16), generator=0).tokens.shape
        torch.Size([64, 9])
    """
    check_positive(batch_size=batch_size, n_keys=n_keys, n_values=n_values)
    if n_keys < 2:
        raise ValueError(f"n_keys must be at least 2 (distractors need another key); got {n_keys}: pass 2 or more")
    bounds = parse_range("n_items", n_items)
    g = as_generator(generator)
    vocab = RecallVocab(n_keys=n_keys, n_values=n_values, value_answers=value_answers)
    k = draw_from_range(bounds, g)

    rows = torch.arange(batch_size)
    query_key = torch.randint(0, n_keys, (batch_size,), generator=g)  # (B,)
    keys = torch.randint(0, n_keys - 1, (batch_size, k), generator=g)  # (B, K)
    keys = keys + (keys >= query_key[:, None]).long()  # distractors never hold the query key
    match = torch.randint(0, k, (batch_size,), generator=g)  # (B,) index of the matching item
    keys[rows, match] = query_key
    values = torch.randint(0, n_values, (batch_size, k), generator=g)  # (B, K)
    items = vocab.item(keys, values)  # (B, K)
    bos = torch.full((batch_size, 1), vocab.bos)
    tokens = torch.cat([bos, items, (vocab.offset("query") + query_key)[:, None]], dim=1)  # (B, K + 2)
    answer_pos = torch.full((batch_size,), k + 1)
    relevant_pos = match + 1
    targets = answer_targets(tokens, answer_pos, relevant_pos)
    if value_answers:
        targets[rows, answer_pos] = vocab.offset("value") + values[rows, match]
    return TaskBatch("associative_recall", tokens, targets, answer_pos, relevant_pos, vocab=vocab)
