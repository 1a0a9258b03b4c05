"""Two ways around a context too long for the model, on key-value retrieval sequences.

A kv sequence is `BOS k1 v1 ... kK vK SEP kq` (see `course_utils.tasks.kv_retrieval_batch`).
Both methods cut its K pairs into chunks of `chunk` pairs, each short enough for the model:

- retrieval augmentation: score every chunk against the query key (exact key match: the number
  of its keys equal to kq) and give the model only the best chunk, `BOS <chunk> SEP kq`;
- hierarchical processing: run the model on every chunk separately, keep a one-line summary of
  each (its answer and the answer's probability), then answer from the summaries (the most
  confident chunk wins).
"""

from __future__ import annotations

import torch
from torch import Tensor

from course_utils.model import TinyGPT


def split_pairs(tokens: Tensor, chunk: int) -> tuple[Tensor, Tensor]:
    """tokens (B, 2K + 3) -> chunks (B, K / chunk, 2 * chunk) of `k v` pairs and the query key (B,).

    Example: `chunks, query = split_pairs(batch.tokens, 16)` for K a multiple of 16.
    """
    pairs = tokens.shape[1] - 3
    if tokens.dim() != 2 or pairs < 2 or pairs % 2:
        raise ValueError(f"expected kv sequences (batch, 2K + 3), got shape {tuple(tokens.shape)}")
    k = pairs // 2
    if chunk < 1 or k % chunk:
        raise ValueError(f"chunk={chunk} pairs must divide the K={k} pairs of the sequence; pick a divisor of {k}")
    body = tokens[:, 1:1 + pairs]  # (B, 2K): k1 v1 k2 v2 ...
    return body.reshape(tokens.shape[0], k // chunk, 2 * chunk), tokens[:, -1]


def _with_frame(tokens: Tensor, chunk_tokens: Tensor) -> Tensor:
    """BOS <chunk> SEP kq for every chunk: chunk_tokens (B, C, 2c) -> (B, C, 2c + 3)."""
    batch, chunks, _ = chunk_tokens.shape
    bos = tokens[:, :1, None].expand(batch, 1, chunks).transpose(1, 2)  # (B, C, 1)
    tail = tokens[:, -2:, None].expand(batch, 2, chunks).transpose(1, 2)  # (B, C, 2): SEP kq
    return torch.cat([bos, chunk_tokens, tail], dim=2)


def retrieve_best_chunk(tokens: Tensor, chunk: int) -> Tensor:
    """Retrieval augmentation: the chunk whose keys match the query key, framed: (B, 2 * chunk + 3).

    Keys are the even places of a chunk; ties (no match) go to the first chunk.
    Example: `short = retrieve_best_chunk(batch.tokens, 16)`
    """
    chunks, query = split_pairs(tokens, chunk)
    score = (chunks[:, :, 0::2] == query[:, None, None]).sum(-1)  # (B, C) exact key matches
    best = score.argmax(dim=1)  # (B,)
    picked = chunks[torch.arange(tokens.shape[0]), best]  # (B, 2c)
    return _with_frame(tokens, picked[:, None])[:, 0]


@torch.no_grad()
def hierarchical_answer(model: TinyGPT, tokens: Tensor, chunk: int) -> tuple[Tensor, Tensor]:
    """Hierarchical processing: answer every chunk separately, keep (answer, probability) per chunk,
    answer with the most confident chunk's answer. Returns (answers (B,), summaries (B, C, 2)).

    Example: `answers, summaries = hierarchical_answer(model, batch.tokens, 16)`
    """
    chunks, _ = split_pairs(tokens, chunk)
    framed = _with_frame(tokens, chunks)  # (B, C, 2c + 3)
    batch, count, length = framed.shape
    probs = torch.softmax(model(framed.reshape(batch * count, length))[:, -1], dim=-1)  # (B*C, vocab)
    confidence, answer = probs.max(dim=-1)
    summaries = torch.stack([answer.reshape(batch, count).to(confidence.dtype), confidence.reshape(batch, count)], -1)
    best = confidence.reshape(batch, count).argmax(dim=1)
    return answer.reshape(batch, count)[torch.arange(batch), best], summaries
