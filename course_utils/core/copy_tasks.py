"""Copy tasks: continue a sequence by copying what came before it.

Copy a string after SEP (`BOS x1..xm SEP x1..xm`), a sequence repeated several times (what an
induction head predicts), the backcopy stream (after a TRIGGER, repeat the token before it: the stream
on which small models grow attention sinks) and a stream of sentences that sometimes loop. Every task
builds a `TaskBatch` (see `course_utils.core.batch`; token ids in `course_utils.core.vocabs`); all but
copy put a loss at every position, as language modelling does.

Example:
    >>> batch = copy_batch(1, 3, n_symbols=8, generator=0)
    >>> batch.vocab.labels(batch.tokens[0])
    ['BOS', 's4', 's7', 's5', 'SEP', 's4', 's7', 's5']
"""

from __future__ import annotations

from numbers import Integral

import torch

from course_utils.core.batch import (
    IGNORE_INDEX,
    TaskBatch,
    as_generator,
    check_positive,
    draw_from_range,
    next_token_targets,
    parse_range,
)
from course_utils.core.vocabs import BackcopyVocab, CopyVocab, LoopVocab, SymbolVocab


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

    tokens, targets: (batch, 2 * m + 2).

    Example:
        >>> copy_batch(32, 10, generator=0).tokens.shape
        torch.Size([32, 22])
        >>> copy_batch(32, (4, 16), n_symbols=64, distinct=True, skip_lengths=(7, 11), generator=0).copy_len
        16
    """
    check_positive(batch_size=batch_size, n_symbols=n_symbols)
    bounds = parse_range(
        "seq_len",
        seq_len,
        hi=n_symbols if distinct else None,
        hint=" = n_symbols (distinct symbols)" if distinct else "",
    )
    allowed = [m for m in range(bounds[0], bounds[1] + 1) if m not in set(skip_lengths)]
    if not allowed:
        raise ValueError(
            f"skip_lengths={tuple(skip_lengths)} leaves no length in seq_len={seq_len!r}; "
            "remove some of skip_lengths or widen seq_len"
        )
    g = as_generator(generator)
    if skip_lengths:
        m = allowed[int(torch.randint(len(allowed), (1,), generator=g))]
    else:
        m = draw_from_range(bounds, g)
    vocab = CopyVocab(n_symbols=n_symbols)
    if distinct:
        x = torch.rand(batch_size, n_symbols, generator=g).argsort(dim=1)[:, :m]  # (B, m), no repeats
    else:
        x = torch.randint(0, n_symbols, (batch_size, m), generator=g)
    x = x + vocab.offset("symbol")
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

    Example:
        >>> repeated_sequence_batch(16, 32, 2, generator=0).tokens.shape
        torch.Size([16, 65])
    """
    check_positive(batch_size=batch_size, seq_len=seq_len, n_symbols=n_symbols)
    if not isinstance(repeats, Integral) or repeats < 2:
        raise ValueError(
            f"repeats must be an int >= 2 (one copy has nothing to repeat); got {repeats!r}: pass 2 or more"
        )
    g = as_generator(generator)
    vocab = SymbolVocab(n_symbols=n_symbols)
    x = torch.randint(0, n_symbols, (batch_size, seq_len), generator=g) + vocab.offset("symbol")
    tokens = torch.cat([torch.full((batch_size, 1), vocab.bos), x.repeat(1, repeats)], dim=1)
    n = tokens.shape[1]
    answer_pos = torch.full((batch_size,), n - 2)
    relevant_pos = torch.full((batch_size,), n - 1 - seq_len)
    return TaskBatch(
        "repeated_sequence", tokens, next_token_targets(tokens), answer_pos, relevant_pos, vocab=vocab, period=seq_len
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

    tokens, targets: (batch, n).

    Example:
        >>> backcopy_batch(64, 64, generator=0).copy_mask.any(dim=1).all()
        tensor(True)
    """
    check_positive(batch_size=batch_size, n=n, n_symbols=n_symbols)
    if n < 4:
        raise ValueError(f"n must be at least 4 (BOS, symbol, TRIGGER, copy); got {n}: pass n >= 4")
    if not 0.0 <= trigger_prob <= 1.0:
        raise ValueError(f"trigger_prob is a probability in [0, 1]; got {trigger_prob}: pass one in that range")
    g = as_generator(generator)
    vocab = BackcopyVocab(n_symbols=n_symbols)
    probs = (torch.arange(1, n_symbols + 1, dtype=torch.float64) ** -zipf_exponent).expand(batch_size, -1)
    tokens = torch.empty(batch_size, n, dtype=torch.long)
    tokens[:, 0] = vocab.bos
    tokens[:, 1:] = torch.multinomial(probs, n - 1, replacement=True, generator=g) + vocab.offset("symbol")
    if not bos:
        # Drawn after everything else, so that the default stream's draws stay as they were.
        tokens[:, 0] = torch.multinomial(probs, 1, generator=g)[:, 0] + vocab.offset("symbol")
    draws = torch.rand(batch_size, n, generator=g) < trigger_prob

    is_trigger = torch.zeros(batch_size, n, dtype=torch.bool)
    for t in range(2, n - 1):
        is_trigger[:, t] = draws[:, t] & ~is_trigger[:, t - 1]
    is_trigger[~is_trigger.any(dim=1), n - 2] = True
    for t in range(3, n):  # left to right, so a copy of a copy sees its final value
        tokens[:, t] = torch.where(is_trigger[:, t - 1], tokens[:, t - 2], tokens[:, t])
    tokens[is_trigger] = vocab.trigger

    answer_pos = n - 1 - is_trigger.flip(1).int().argmax(dim=1)  # last trigger in each row
    return TaskBatch(
        "backcopy", tokens, next_token_targets(tokens), answer_pos, answer_pos - 1, vocab=vocab, copy_mask=is_trigger
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

    Example:
        >>> floor = backcopy_optimal_losses(backcopy_batch(8, 64, generator=0).tokens)
        >>> tuple(floor.shape), floor[:, -1].isnan().all()
        ((8, 64), tensor(True))
    """
    if tokens.dim() != 2 or tokens.shape[1] < 4:
        raise ValueError(
            f"tokens must be (batch, n) with n >= 4, from backcopy_batch; got {tuple(tokens.shape)}: "
            "pass backcopy_batch(...).tokens"
        )
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
    symbol = (target - vocab.offset("symbol")).clamp(0, n_symbols - 1)
    losses = torch.where(target == vocab.trigger, -p_trigger.log(), -(1 - p_trigger).log() - log_zipf[symbol])
    losses = torch.where(is_trigger[:, :-1], torch.zeros_like(losses), losses)  # a copy is certain
    return torch.cat([losses, torch.full((batch, 1), float("nan"), dtype=torch.float64)], dim=1).float()


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
    `batch.repeat_mask` (batch, n_sentences) marks the sentences that repeat their predecessor.

    tokens, targets: (batch, 1 + n_sentences * (sentence_len + 1)).

    Example:
        >>> loop_stream_batch(32, 12, generator=0).tokens.shape
        torch.Size([32, 109])
    """
    check_positive(batch_size=batch_size, n_sentences=n_sentences, sentence_len=sentence_len, n_symbols=n_symbols)
    if not 0.0 <= repeat_prob <= 1.0:
        raise ValueError(f"repeat_prob is a probability in [0, 1]; got {repeat_prob}: pass one in that range")
    g = as_generator(generator)
    vocab = LoopVocab(n_symbols=n_symbols)
    symbols = torch.randint(0, n_symbols, (batch_size, n_sentences, sentence_len), generator=g)
    sentences = symbols + vocab.offset("symbol")
    repeat = torch.rand(batch_size, n_sentences, generator=g) < repeat_prob
    repeat[:, 0] = False
    for i in range(1, n_sentences):
        sentences[:, i] = torch.where(repeat[:, i, None], sentences[:, i - 1], sentences[:, i])
    ends = torch.full((batch_size, n_sentences, 1), vocab.end)
    body = torch.cat([sentences, ends], dim=2).flatten(1)  # (B, n_sentences * (sentence_len + 1))
    tokens = torch.cat([torch.full((batch_size, 1), vocab.bos), body], dim=1)
    last = torch.full((batch_size,), tokens.shape[1] - 2)
    return TaskBatch(
        "loop_stream", tokens, next_token_targets(tokens), last, last - sentence_len, vocab=vocab, repeat_mask=repeat
    )
