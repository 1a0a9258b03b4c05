"""Two ways around a context too long for the model, on key-value retrieval sequences.

A kv sequence is `BOS k1 v1 ... kK vK SEP kq` (see `course_utils.core.retrieval_tasks.kv_retrieval_batch`).
Both methods cut its K pairs into chunks of `pairs_per_chunk` pairs, each short enough for the model:

- retrieval augmentation: score every chunk against the query key and give the model only the
  best chunk, `BOS <chunk> SEP kq`. Two retrievers: an exact key match (an oracle here: it always
  finds the chunk) and an embedding retriever (cosine similarity between the query key's embedding
  and each chunk's mean key embedding, as dense retrievers compare pooled embeddings);
- hierarchical processing, here map-reduce with a confidence reducer: run the model on every chunk
  separately (map), keep a one-line summary of each (its answer and the answer's probability), then
  answer with the most confident chunk's answer (reduce).

`retrieve_in_slot` puts the relevant chunk among others at a chosen place, to measure lost in the
middle inside a retrieved context. `chunk_recall` measures recall@1 of two ways to score a chunk
against a query vector (its mean key embedding, or its best single key). `auroc` is the area under
the ROC curve of two groups of scores.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from course_utils.core.batch import as_generator
from course_utils.core.evaluate import forward_in_rows


def split_pairs(tokens: Tensor, pairs_per_chunk: int) -> tuple[Tensor, Tensor]:
    """tokens (B, 2K + 3) -> chunks (B, K / c, 2c) of c = `pairs_per_chunk` `k v` pairs and the query key (B,).

    Example:
        >>> from course_utils.core.retrieval_tasks import kv_retrieval_batch
        >>> batch = kv_retrieval_batch(2, 32, generator=0)  # K = 32 pairs
        >>> chunks, query = split_pairs(batch.tokens, 16)  # K a multiple of 16
        >>> chunks.shape
        torch.Size([2, 2, 32])
    """
    pair_tokens = tokens.shape[1] - 3 if tokens.dim() == 2 else 0
    if pair_tokens < 2 or pair_tokens % 2:
        raise ValueError(
            f"expected kv sequences (batch, 2K + 3), got shape {tuple(tokens.shape)}; "
            "pass kv_retrieval_batch(...).tokens"
        )
    k = pair_tokens // 2
    if pairs_per_chunk < 1 or k % pairs_per_chunk:
        raise ValueError(
            f"pairs_per_chunk={pairs_per_chunk} must divide the K={k} pairs of the sequence; pick a divisor of {k}"
        )
    body = tokens[:, 1 : 1 + pair_tokens]  # (B, 2K): k1 v1 k2 v2 ...
    return body.reshape(tokens.shape[0], k // pairs_per_chunk, 2 * pairs_per_chunk), tokens[:, -1]


def _with_frame(tokens: Tensor, chunk_tokens: Tensor) -> Tensor:
    """BOS <chunk> SEP kq for every chunk: chunk_tokens (B, C, 2c) -> (B, C, 2c + 3)."""
    batch, chunks, _ = chunk_tokens.shape
    bos = tokens[:, :1, None].expand(batch, 1, chunks).transpose(1, 2)  # (B, C, 1)
    tail = tokens[:, -2:, None].expand(batch, 2, chunks).transpose(1, 2)  # (B, C, 2): SEP kq
    return torch.cat([bos, chunk_tokens, tail], dim=2)


def _key_matches(tokens: Tensor, pairs_per_chunk: int) -> tuple[Tensor, Tensor]:
    """The chunks of `split_pairs`, (B, C, 2c), and which of their keys equal the query key, (B, C, c) bool.

    Keys are the even places of a chunk.
    """
    chunks, query = split_pairs(tokens, pairs_per_chunk)
    return chunks, chunks[:, :, 0::2] == query[:, None, None]


def retrieve_best_chunk(tokens: Tensor, pairs_per_chunk: int) -> Tensor:
    """Retrieval augmentation: the chunk whose keys match the query key, framed: (B, 2 * pairs_per_chunk + 3).

    Keys are the even places of a chunk; ties (no match) go to the first chunk.
    Example:
        >>> from course_utils.core.retrieval_tasks import kv_retrieval_batch
        >>> batch = kv_retrieval_batch(2, 32, generator=0)  # K = 32 pairs
        >>> short = retrieve_best_chunk(batch.tokens, 16)
        >>> short.shape
        torch.Size([2, 35])
    """
    chunks, matches = _key_matches(tokens, pairs_per_chunk)
    best = matches.sum(-1).argmax(dim=1)  # (B,) the chunk with the most exact key matches
    picked = chunks[torch.arange(tokens.shape[0]), best]  # (B, 2c)
    return _with_frame(tokens, picked[:, None])[:, 0]


@torch.no_grad()
def hierarchical_answer(model: nn.Module, tokens: Tensor, pairs_per_chunk: int) -> tuple[Tensor, Tensor]:
    """Hierarchical processing: the most confident chunk's answer, each chunk answered separately.

    Each chunk's (answer, probability) is kept as its summary. Returns (answers (B,), summaries (B, C, 2)).

    Example:
        For a trained key-value `model`:

        >>> answers, summaries = hierarchical_answer(model, batch.tokens, 16)  # doctest: +SKIP
    """
    chunks, _ = split_pairs(tokens, pairs_per_chunk)
    framed = _with_frame(tokens, chunks)  # (B, C, 2c + 3)
    batch, count, length = framed.shape
    last = forward_in_rows(model, framed.reshape(batch * count, length), select=lambda logits, _: logits[:, -1])
    probs = torch.softmax(last, dim=-1)  # (B*C, vocab)
    confidence, answer = probs.max(dim=-1)
    summaries = torch.stack([answer.reshape(batch, count).to(confidence.dtype), confidence.reshape(batch, count)], -1)
    best = confidence.reshape(batch, count).argmax(dim=1)
    return answer.reshape(batch, count)[torch.arange(batch), best], summaries


def chunk_with_key(tokens: Tensor, pairs_per_chunk: int) -> Tensor:
    """Index of the chunk that holds the query key: (B,); -1 where no chunk does.

    Example:
        >>> from course_utils.core.retrieval_tasks import kv_retrieval_batch
        >>> batch = kv_retrieval_batch(2, 32, generator=0)  # K = 32 pairs
        >>> chunk_with_key(batch.tokens, 16)
        tensor([0, 1])
    """
    hits = _key_matches(tokens, pairs_per_chunk)[1].any(-1)  # (B, C): the chunks that hold the query key
    return hits.float().argmax(1).masked_fill(~hits.any(1), -1)


def retrieve_by_embedding(tokens: Tensor, pairs_per_chunk: int, table: Tensor) -> tuple[Tensor, Tensor]:
    """Embedding retrieval: the chunk whose mean key embedding is closest to the query key's, framed.

    Closest is the largest cosine similarity. Returns the framed chunk and which chunk it was:
    ((B, 2 * pairs_per_chunk + 3), (B,)).

    table: (vocab, d), e.g. a model's token embedding `model.embed.weight`.

    Example:
        With the token embedding of a trained `model`:

        >>> short, chosen = retrieve_by_embedding(batch.tokens, 16, model.embed.weight.detach())  # doctest: +SKIP
    """
    if table.dim() != 2 or table.shape[0] <= int(tokens.max()):
        raise ValueError(
            f"table must be (vocab, d) covering every token id (max {int(tokens.max())}); "
            f"got shape {tuple(table.shape)}: pass the model's embedding table, model.embed.weight.detach()"
        )
    chunks, query = split_pairs(tokens, pairs_per_chunk)
    pooled = table[chunks[:, :, 0::2]].mean(dim=2)  # (B, C, d): mean key embedding of each chunk
    score = torch.nn.functional.cosine_similarity(pooled, table[query][:, None, :], dim=-1)  # (B, C)
    chosen = score.argmax(dim=1)
    picked = chunks[torch.arange(tokens.shape[0]), chosen]
    return _with_frame(tokens, picked[:, None])[:, 0], chosen


def chunk_recall(tokens: Tensor, pairs_per_chunk: int, table: Tensor, queries: Tensor, pool: str) -> float:
    """Recall@1 of one way to score a chunk against a query vector: the share of rows whose top chunk holds the key.

    tokens: (B, 2K + 3) kv sequences; table: (vocab, d) embedding table; queries: (B, d), one query
    vector per sequence (e.g. the query key's embedding plus noise). `pool` chooses the score of a
    chunk: "mean" is the cosine similarity between the query vector and the chunk's mean key
    embedding (as `retrieve_by_embedding` does with the query key's own embedding); "best" is the
    largest cosine similarity between the query vector and any one key of the chunk.

    Example:
        Orthogonal embeddings and the query key's own embedding: both scores find every chunk.

        >>> from course_utils.core.retrieval_tasks import kv_retrieval_batch
        >>> batch = kv_retrieval_batch(8, 16, generator=0)
        >>> table = torch.eye(int(batch.tokens.max()) + 1)
        >>> chunk_recall(batch.tokens, 4, table, table[batch.tokens[:, -1]], "best")
        1.0
    """
    if pool not in ("mean", "best"):
        raise ValueError(f'pool must be "mean" or "best", got {pool!r}; pass one of those two')
    if queries.dim() != 2 or queries.shape != (tokens.shape[0], table.shape[-1]):
        raise ValueError(
            f"queries must be (B, d) = ({tokens.shape[0]}, {table.shape[-1]}), one row per sequence; "
            f"got shape {tuple(queries.shape)}; pass one query embedding per sequence, "
            "e.g. table[batch.tokens[:, -1]]"
        )
    chunks, _ = split_pairs(tokens, pairs_per_chunk)
    keys = table[chunks[:, :, 0::2]]  # (B, C, c, d): each chunk's key embeddings
    if pool == "mean":
        score = torch.nn.functional.cosine_similarity(keys.mean(dim=2), queries[:, None, :], dim=-1)  # (B, C)
    else:
        score = torch.nn.functional.cosine_similarity(keys, queries[:, None, None, :], dim=-1).amax(dim=-1)  # (B, C)
    return (score.argmax(dim=1) == chunk_with_key(tokens, pairs_per_chunk)).float().mean().item()


def retrieve_in_slot(
    tokens: Tensor, pairs_per_chunk: int, n_chunks: int, slot: int, *, generator: torch.Generator | int = 0
) -> Tensor:
    """A retrieved context of `n_chunks` chunks, the one holding the query key at place `slot` (0 = first).

    The others are drawn at random from the rest. Framed: (B, n_chunks * 2 * pairs_per_chunk + 3).

    Example:
        Three chunks of 5 pairs, the relevant one in the middle:

        >>> from course_utils.core.retrieval_tasks import kv_retrieval_batch
        >>> batch = kv_retrieval_batch(2, 15, generator=0)
        >>> retrieve_in_slot(batch.tokens, 5, 3, slot=1).shape
        torch.Size([2, 33])
    """
    chunks, _ = split_pairs(tokens, pairs_per_chunk)
    batch, count, _ = chunks.shape
    if not 1 <= n_chunks <= count or not 0 <= slot < n_chunks:
        raise ValueError(
            f"need 1 <= n_chunks <= {count} chunks and 0 <= slot < n_chunks; got n_chunks={n_chunks}, slot={slot}: "
            f"choose n_chunks from 1 to {count} and a slot below it"
        )
    relevant = chunk_with_key(tokens, pairs_per_chunk)
    if (relevant < 0).any():
        raise ValueError(
            f"rows {(relevant < 0).nonzero().flatten().tolist()} hold their query key in no chunk; pass "
            "kv_retrieval_batch(...).tokens, whose query key is always one of its pairs"
        )
    noise = torch.rand(batch, count, generator=as_generator(generator))
    noise[torch.arange(batch), relevant] = 2.0  # the relevant chunk sorts last: never drawn as a distractor
    others = noise.argsort(dim=1)[:, : n_chunks - 1]  # (B, n_chunks - 1) random other chunks
    order = torch.cat([others[:, :slot], relevant[:, None], others[:, slot:]], dim=1)  # (B, n_chunks)
    picked = chunks[torch.arange(batch)[:, None], order].reshape(batch, 1, -1)
    return _with_frame(tokens, picked)[:, 0]


def auroc(positive: Tensor, negative: Tensor) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random negative.

    Ties count one half. 1 = the score separates them perfectly, 0.5 = not at all.

    positive: (P,), negative: (N,) scores.

    Example:
        >>> confidence = torch.tensor([0.9, 0.8, 0.8, 0.1])
        >>> has_key = torch.tensor([True, True, False, False])
        >>> auroc(confidence[has_key], confidence[~has_key])  # 3 pairs ordered, 1 tie
        0.875
    """
    positive, negative = positive.flatten().double(), negative.flatten().double()
    if positive.numel() == 0 or negative.numel() == 0:
        raise ValueError(
            f"auroc needs at least one positive and one negative score, got {positive.numel()} and "
            f"{negative.numel()}; pass the scores of both groups (e.g. chunks with the key and chunks without)"
        )
    greater = (positive[:, None] > negative[None, :]).double().mean()
    ties = (positive[:, None] == negative[None, :]).double().mean()
    return (greater + 0.5 * ties).item()
