"""Verbatim repetition: how likely a language model is to repeat a segment it has already repeated.

Xu et al. ("Learning to Break the Loop: Analyzing and Mitigating Repetitions for Neural Text
Generation", 2022) found that the probability of repeating a sentence grows with the number of
times it has already been repeated (self-reinforcement). The functions here measure that on the
course's models, teacher-forced and with greedy decoding.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from course_utils.core.evaluate import forward_in_rows
from course_utils.core.vocabs import BOS_ID


def repeated_prompt(segments: Tensor, copies: int, *, bos: int = BOS_ID) -> Tensor:
    """`BOS` followed by `copies` copies of each segment: (batch, 1 + copies * m).

    segments: (batch, m) token ids.

    Example:
        >>> repeated_prompt(torch.tensor([[5, 6]]), 2)
        tensor([[0, 5, 6, 5, 6]])
    """
    if segments.dim() != 2 or segments.shape[1] < 1:
        raise ValueError(
            f"segments must be (batch, m) with m >= 1, got {tuple(segments.shape)}; "
            "pass one row of tokens per prompt (segments[None] for a single one)"
        )
    if copies < 1:
        raise ValueError(f"copies must be >= 1, got {copies}; pass copies=1 for the segment once, 2 to repeat it")
    start = torch.full((segments.shape[0], 1), bos, dtype=segments.dtype)
    return torch.cat([start, segments.repeat(1, copies)], dim=1)


@torch.no_grad()
def copy_log_probs(model: nn.Module, segments: Tensor, copies: int, *, bos: int = BOS_ID) -> Tensor:
    """Log-probability the model gives each copy of a segment, teacher-forced: (batch, copies).

    Entry j is `log P(copy j | BOS and copies 0 .. j-1)`, summed over the segment's m tokens; copy 0
    is the first sight, copy j >= 1 a repetition after j earlier copies. `exp(entry / m)` is the
    mean per-token probability, `exp(entry)` the probability of writing the whole copy.
    segments: (batch, m).

    Example:
        The probability a trained `model` gives each repetition of `segments`:

        >>> copy_log_probs(model, segments, 5).exp()[:, 1:]  # doctest: +SKIP
    """
    tokens = repeated_prompt(segments, copies, bos=bos)  # (B, 1 + copies * m)
    m = segments.shape[1]
    log_probs = forward_in_rows(model, tokens[:, :-1]).log_softmax(-1)  # (B, n - 1, V): position p predicts token p + 1
    picked = log_probs.gather(-1, tokens[:, 1:, None])[..., 0]  # (B, copies * m)
    return picked.view(-1, copies, m).sum(-1)


@torch.no_grad()
def greedy_repeats(model: nn.Module, segments: Tensor, copies: int, *, bos: int = BOS_ID) -> Tensor:
    """Whether greedy decoding after `copies` copies of each segment writes the segment once more.

    segments: (batch, m) -> bool (batch,).

    Example:
        >>> greedy_repeats(model, segments, 3).float().mean()  # doctest: +SKIP
    """
    tokens = repeated_prompt(segments, copies, bos=bos)
    for _ in range(segments.shape[1]):
        next_token = forward_in_rows(model, tokens, select=lambda logits, _: logits[:, -1:].argmax(-1))  # (B, 1)
        tokens = torch.cat([tokens, next_token], dim=1)
    return (tokens[:, -segments.shape[1] :] == segments).all(dim=1)
