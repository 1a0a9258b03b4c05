"""Needle tasks: find the one marked token in a haystack of filler, among decoys or near misses.

A needle is a marker and a value at a random depth, `BOS f.. NEEDLE v f.. QUERY`, answered by v. Decoys
repeat its pattern under another marker; near misses share half of a two-token key. Each task builds a
`TaskBatch` with one loss per row, at the last position (`answer_pos`), whose answer is the needle's
value at `relevant_pos`; see `course_utils.core.batch` for the contract and `course_utils.core.vocabs`
for the token ids.

Example:
    >>> batch = needle_batch(1, 8, depth=0.5, filler_vocab=4, n_values=4, generator=0)
    >>> batch.vocab.labels(batch.tokens[0])
    ['BOS', 'f3', 'f1', 'NEEDLE', 'v1', 'f3', 'f3', 'QUERY']
"""

from __future__ import annotations

import torch

from course_utils.core.batch import (
    TaskBatch,
    answer_targets,
    as_generator,
    check_positive,
    draw_from_range,
    parse_range,
)
from course_utils.core.vocabs import DecoyVocab, NearMissVocab, NeedleVocab


def needle_batch(
    batch_size: int,
    n: int,
    *,
    depth: float | None = None,
    filler_vocab: int = 128,
    n_values: int = 64,
    generator: torch.Generator | int,
) -> TaskBatch:
    """Needle in a haystack: `BOS filler.. NEEDLE v filler.. QUERY`, answer = the needle's value v.

    `n` is the sequence length, one int (every batch has the same length; `decoy_needle_batch` takes
    a range). Filler tokens (`filler_vocab` distinct ones) and value tokens (`n_values`) come from
    disjoint id blocks. The NEEDLE marker sits at position 1 + round(depth * (n - 4)), so depth 0.0
    puts it right after BOS and depth 1.0 puts its value right before the final QUERY; depth None
    draws the position uniformly per row. Only the last position has a loss; relevant_pos is the
    value's position. The batch carries vocab and needle_pos (batch,).

    tokens, targets: (batch, n).

    Example:
        >>> needle_batch(32, 512, depth=0.5, generator=0).needle_pos[:3]
        tensor([255, 255, 255])
    """
    check_positive(batch_size=batch_size, n=n, filler_vocab=filler_vocab, n_values=n_values)
    g = as_generator(generator)
    vocab = NeedleVocab(filler_vocab=filler_vocab, n_values=n_values)
    if n < 4:
        raise ValueError(f"n must be at least 4 (BOS, NEEDLE, value, QUERY); got {n}: pass n >= 4")
    if depth is None:
        needle_pos = torch.randint(1, n - 2, (batch_size,), generator=g)
    elif 0.0 <= depth <= 1.0:
        needle_pos = torch.full((batch_size,), 1 + int(depth * (n - 4) + 0.5))
    else:
        raise ValueError(
            f"depth is a relative position in [0, 1]; got {depth}: pass 0.0 (first) to 1.0 (last), or None for uniform"
        )

    rows = torch.arange(batch_size)
    tokens = torch.randint(0, filler_vocab, (batch_size, n), generator=g) + vocab.offset("filler")
    tokens[:, 0] = vocab.bos
    tokens[rows, needle_pos] = vocab.needle
    tokens[rows, needle_pos + 1] = torch.randint(0, n_values, (batch_size,), generator=g) + vocab.offset("value")
    tokens[:, -1] = vocab.query
    answer_pos = torch.full((batch_size,), n - 1)
    relevant_pos = needle_pos + 1
    return TaskBatch(
        "needle",
        tokens,
        answer_targets(tokens, answer_pos, relevant_pos),
        answer_pos,
        relevant_pos,
        vocab=vocab,
        needle_pos=needle_pos,
    )


def _draw_length_and_decoys(
    n: int | tuple[int, int], n_decoys: int | tuple[int, int], g: torch.Generator, *, item_len: int, fixed_len: int
) -> tuple[int, int]:
    """Draw a sequence length `n` and a decoy count (each an int or an inclusive range) and check that the
    needle and the decoys, `item_len` tokens each, fit next to `fixed_len` other tokens:
    n >= item_len * (decoys + 1) + fixed_len."""
    n_bounds = parse_range("n", n, lo=None)  # checked against n_decoys below, once drawn
    decoy_bounds = parse_range("n_decoys", n_decoys, lo=None)
    length, decoys = draw_from_range(n_bounds, g), draw_from_range(decoy_bounds, g)
    if decoys < 0 or length < item_len * (decoys + 1) + fixed_len:
        raise ValueError(
            f"n={length} has no room for the needle and {decoys} decoys; "
            f"need n >= {item_len * (decoys + 1) + fixed_len} and n_decoys >= 0: pass a longer n or fewer decoys"
        )
    return length, decoys


def decoy_needle_batch(
    batch_size: int,
    n: int | tuple[int, int],
    *,
    n_decoys: int | tuple[int, int] = 0,
    filler_vocab: int = 128,
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

    tokens, targets: (batch, n).

    Example:
        >>> decoy_needle_batch(32, 128, n_decoys=4, generator=0).decoy_pos.shape
        torch.Size([32, 4])
    """
    check_positive(batch_size=batch_size, filler_vocab=filler_vocab, n_values=n_values)
    g = as_generator(generator)
    length, decoys = _draw_length_and_decoys(n, n_decoys, g, item_len=2, fixed_len=2)
    vocab = DecoyVocab(filler_vocab=filler_vocab, n_values=n_values)
    rows = torch.arange(batch_size)
    tokens = torch.randint(0, filler_vocab, (batch_size, length), generator=g) + vocab.offset("filler")
    tokens[:, 0] = vocab.bos
    tokens[:, -1] = vocab.query
    slots = (length - 2) // 2  # slot s covers positions 1 + 2s (marker) and 2 + 2s (value)
    chosen = torch.rand(batch_size, slots, generator=g).argsort(dim=1)[:, : decoys + 1]  # (B, decoys + 1)
    markers = 1 + 2 * chosen
    tokens[rows[:, None], markers] = vocab.decoy
    tokens[rows, markers[:, 0]] = vocab.needle
    values = torch.randint(0, n_values, (batch_size, decoys + 1), generator=g)
    tokens[rows[:, None], markers + 1] = values + vocab.offset("value")
    needle_pos = markers[:, 0]
    answer_pos = torch.full((batch_size,), length - 1)
    return TaskBatch(
        "decoy_needle",
        tokens,
        answer_targets(tokens, answer_pos, needle_pos + 1),
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
    filler_vocab: int = 128,
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

    tokens, targets: (batch, n).

    Example:
        >>> near_miss_batch(32, 128, n_decoys=4, generator=0).decoy_pos.shape
        torch.Size([32, 4])
    """
    check_positive(batch_size=batch_size, n_values=n_values, filler_vocab=filler_vocab)
    if n_keys < 2:
        raise ValueError(
            f"n_keys must be at least 2 (a decoy needs another second token); got {n_keys}: pass 2 or more"
        )
    g = as_generator(generator)
    length, decoys = _draw_length_and_decoys(n, n_decoys, g, item_len=3, fixed_len=4)
    vocab = NearMissVocab(n_keys=n_keys, n_values=n_values, filler_vocab=filler_vocab)
    rows = torch.arange(batch_size)
    tokens = torch.randint(0, filler_vocab, (batch_size, length), generator=g) + vocab.offset("filler")
    tokens[:, 0] = vocab.bos
    first = torch.randint(0, n_keys, (batch_size, 1), generator=g)  # (B, 1): shared by needle and decoys
    second = torch.randint(0, n_keys, (batch_size, 1), generator=g)  # the needle's second token
    shift = torch.randint(1, n_keys, (batch_size, decoys), generator=g)  # decoys: any other second token
    seconds = torch.cat([second, (second + shift) % n_keys], dim=1)  # (B, decoys + 1), needle first
    slots = (length - 4) // 3  # slot s covers positions 1 + 3s (a), 2 + 3s (b), 3 + 3s (v)
    starts = 1 + 3 * torch.rand(batch_size, slots, generator=g).argsort(dim=1)[:, : decoys + 1]  # (B, decoys + 1)
    tokens[rows[:, None], starts] = first + vocab.offset("first_key")
    tokens[rows[:, None], starts + 1] = seconds + vocab.offset("second_key")
    values = torch.randint(0, n_values, (batch_size, decoys + 1), generator=g)
    tokens[rows[:, None], starts + 2] = values + vocab.offset("value")
    tokens[:, -3] = vocab.query
    tokens[:, -2] = first[:, 0] + vocab.offset("first_key")
    tokens[:, -1] = second[:, 0] + vocab.offset("second_key")
    answer_pos = torch.full((batch_size,), length - 1)
    return TaskBatch(
        "near_miss",
        tokens,
        answer_targets(tokens, answer_pos, starts[:, 0] + 2),
        answer_pos,
        starts[:, 0] + 2,
        vocab=vocab,
        needle_pos=starts[:, 0],
        decoy_pos=starts[:, 1:],
    )
