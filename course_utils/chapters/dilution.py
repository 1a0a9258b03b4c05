"""Attention dilution: the weight one relevant key keeps as the number of keys n grows.

Closed form. One relevant key whose score beats n - 1 distractors by a gap g gets

    w(n) = e^g / (e^g + (n - 1) * E[e^z])

where z is a distractor's score: E[e^z] = 1 when all distractors score 0, and e^(σ²/2) when
they are Gaussian with standard deviation σ. Multiplying every score by `s * log n` (log-n
scaling, Chiang & Cholak 2022; Scalable-Softmax, Nakanishi 2025) turns g into `s g log n` and σ
into `s σ log n`: with equal distractors w(n) = n^(sg) / (n^(sg) + n - 1), which no longer falls
like 1/n.

Near misses. When m of the distractors are decoys that score g' (between the distractors' 0 and the
relevant key's g), they get a term of their own:

    w = e^g / (e^g + m * e^g' + (n - 1 - m) * E[e^z])

(`course_utils.chapters.distractors` measures a trained needle model among such decoys, chapter 05.)

In trained models. `retrieval_report` reads accuracy, answer loss and the weight on the relevant
token of a recall model (from the last query alone when the answers sit there: O(n) memory, up to
4096 items); `value_votes` sums that weight per value, the answer attention alone gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from course_utils.core.batch import TaskBatch
from course_utils.core.evaluate import forward_with_weights
from course_utils.core.metrics import attention_entropy
from course_utils.core.model import TinyGPT
from course_utils.core.vocabs import RecallVocab


def relevant_weight(
    n: int | Tensor,
    gap: float,
    *,
    distractor_std: float = 0.0,
    log_n_scale: float | None = None,
    decoys: int | Tensor = 0,
    decoy_gap: float = 0.0,
) -> Tensor:
    """Expected softmax weight of the relevant key among n keys (closed forms above).

    n: an int or a tensor of sizes; gap: the relevant score minus the distractors' mean;
    distractor_std: σ of Gaussian distractor scores (0 = all equal); log_n_scale: s, to multiply
    every score by s * log n first (None = plain softmax); decoys: m, how many of the n - 1 other
    keys are near misses scoring `decoy_gap` above the distractors' mean (an int or a tensor that
    broadcasts with n). Returns a float64 tensor shaped like n (broadcast with decoys).

    Example:
        >>> relevant_weight(torch.tensor([512, 4096]), gap=5.39)
        tensor([0.3002, 0.0508], dtype=torch.float64)

        The weight falls with every decoy:

        >>> relevant_weight(128, 6.0, decoys=torch.arange(4), decoy_gap=4.0)
        tensor([0.7606, 0.6908, 0.6327, 0.5836], dtype=torch.float64)
    """
    n = torch.as_tensor(n, dtype=torch.float64)
    m = torch.as_tensor(decoys, dtype=torch.float64)
    if torch.any(n < 1):
        raise ValueError(f"n counts keys and must be >= 1, got {n.min().item()}; pass at least one key")
    if distractor_std < 0:
        raise ValueError(f"distractor_std must be >= 0, got {distractor_std}; pass 0 for equal distractor scores")
    if torch.any(m < 0) or torch.any(m > n - 1):
        raise ValueError(
            f"decoys are some of the n - 1 other keys: need 0 <= decoys <= n - 1, got decoys "
            f"from {m.min().item():g} to {m.max().item():g} with n >= {n.min().item():g}; "
            "pass between 0 and n - 1 decoys"
        )
    factor = torch.ones_like(n) if log_n_scale is None else log_n_scale * n.log()
    g, g_decoy = gap * factor, decoy_gap * factor
    sigma = distractor_std * factor
    # e^g / (e^g + m e^g' + (n-1-m) e^{σ²/2}), computed in log space: stable for huge g, n or m
    log_terms = torch.stack(torch.broadcast_tensors(g, m.log() + g_decoy, torch.log(n - 1 - m) + sigma**2 / 2))
    return torch.exp(g - torch.logsumexp(log_terms, dim=0))


def gap_for_weight(weight: float, n: int) -> float:
    """The gap g that gives the relevant key `weight` among n keys with equal distractors.

    Example:
        >>> round(gap_for_weight(0.30, 512), 3)  # e^g ≈ 219
        5.389
    """
    if not 0.0 < weight < 1.0:
        raise ValueError(f"weight must lie strictly between 0 and 1, got {weight}; pass a softmax weight such as 0.3")
    if n < 2:
        raise ValueError(f"need at least one distractor (n >= 2), got n={n}; pass n >= 2")
    return math.log(weight * (n - 1) / (1.0 - weight))


@dataclass
class DilutionSimulation:
    """What `simulate_dilution` measured in each of its trials, each a (trials,) tensor."""

    relevant_weight: Tensor
    max_weight: Tensor
    entropy: Tensor


def simulate_dilution(
    n: int,
    *,
    gap: float,
    d: int = 64,
    trials: int = 200,
    log_n_scale: float | None = None,
    generator: torch.Generator | None = None,
    trials_per_call: int = 16,
) -> DilutionSimulation:
    """Random queries and keys (entries N(0, 1)), one planted relevant key, softmax over n keys.

    Distractor scores q·k/√d are then close to N(0, 1); key 0 is set along q so its score is
    exactly `gap`. log_n_scale: s, to multiply all scores by s * log n. Trials are drawn
    `trials_per_call` at a time, so memory stays at trials_per_call * n * d floats.

    Example:
        >>> round(simulate_dilution(4096, gap=5.89, trials=50).relevant_weight.mean().item(), 2)
        0.05
    """
    if n < 2 or d < 1 or trials < 1 or trials_per_call < 1:
        raise ValueError(
            f"need n >= 2, d >= 1, trials >= 1, trials_per_call >= 1; "
            f"got n={n}, d={d}, trials={trials}, trials_per_call={trials_per_call}: pass values that meet these bounds"
        )
    generator = generator if generator is not None else torch.Generator().manual_seed(0)
    results = []
    for start in range(0, trials, trials_per_call):
        size = min(trials_per_call, trials - start)
        q = torch.randn(size, d, generator=generator)  # (T, d)
        k = torch.randn(size, n, d, generator=generator)  # (T, n, d)
        k[:, 0] = q * (gap * math.sqrt(d) / (q * q).sum(-1, keepdim=True))  # score of key 0 = gap
        scores = (k @ q[:, :, None]).squeeze(-1) / math.sqrt(d)  # (T, n)
        if log_n_scale is not None:
            scores = scores * (log_n_scale * math.log(n))
        weights = torch.softmax(scores.double(), dim=-1)  # (T, n)
        results.append((weights[:, 0], weights.amax(-1), attention_entropy(weights)))
    relevant, largest, entropy = (torch.cat(parts) for parts in zip(*results))
    return DilutionSimulation(relevant_weight=relevant, max_weight=largest, entropy=entropy)


# ----------------------------------------------------------------------------- in trained models


@dataclass
class RetrievalReport:
    """What one batch says about a retrieval model.

    accuracy: fraction of rows whose answer is the argmax · answer_loss: mean cross-entropy of
    the answer (nats) · relevant_weight: (layers, heads) mean attention from the answer position
    to the relevant token · max_weight: (layers, heads) mean largest weight of that query row.
    """

    accuracy: float
    answer_loss: float
    relevant_weight: Tensor
    max_weight: Tensor


@torch.no_grad()
def retrieval_report(model: TinyGPT, batch: TaskBatch) -> RetrievalReport:
    """Accuracy, answer loss and attention on the relevant token at the answer position.

    batch: a `TaskBatch` (tokens, targets, answer_pos, relevant_pos: see `course_utils.core.batch`). When every
    answer sits at the last position (recall, key-value retrieval), only the last query is computed
    (`TinyGPT.forward(last_only=True)`, the same numbers): a one-layer model then needs O(n) memory, not
    O(n^2), which lets notebook 02 reach 4096 items.

    Example:
        For a trained recall `model`:

        >>> retrieval_report(model, associative_recall_batch(128, 4096, generator=0)).accuracy  # doctest: +SKIP
    """
    rows = torch.arange(batch.tokens.shape[0])
    last_only = bool((batch.answer_pos == batch.tokens.shape[1] - 1).all())
    logits, attn = forward_with_weights(model, batch.tokens, last_only=last_only)  # (B, q, V), (L, B, H, q, n)
    query = torch.full_like(batch.answer_pos, -1) if last_only else batch.answer_pos  # q = 1 or n
    answer_logits = logits[rows, query]  # (B, V)
    answers = batch.targets[rows, batch.answer_pos]  # (B,)
    rows_attn = attn[:, rows, :, query]  # (B, L, H, n): advanced indices go first
    relevant = rows_attn[rows, :, :, batch.relevant_pos]  # (B, L, H)
    return RetrievalReport(
        accuracy=(answer_logits.argmax(-1) == answers).float().mean().item(),
        answer_loss=F.cross_entropy(answer_logits, answers).item(),
        relevant_weight=relevant.mean(0),
        max_weight=rows_attn.amax(-1).mean(0),
    )


def value_votes(weights: Tensor, batch: TaskBatch) -> Tensor:
    """Each value's share of the last query's attention in associative recall.

    A value's share is the total weight on the items holding that value (BOS and the query itself vote
    for none). With value answers, an attention-only model's output is this weighted mix of the items
    it reads, so `argmax` of the votes is the answer the attention alone gives.

    weights: (batch, n), one head's last-query row (e.g. from `course_utils.core.evaluate.last_query_attention`);
    batch: an `associative_recall_batch` -> (batch, n_values).

    Example:
        The answers head 0 of a trained one-layer recall `model` gives:

        >>> value_votes(last_query_attention(model, batch.tokens)[1][:, 0], batch).argmax(-1)  # doctest: +SKIP
    """
    vocab = batch.vocab
    if not isinstance(vocab, RecallVocab):
        raise ValueError(
            f"value_votes needs an associative recall batch, got a {batch.task!r} batch; build one with "
            "retrieval_tasks.associative_recall_batch"
        )
    if weights.shape != batch.tokens.shape:
        raise ValueError(
            f"weights must be one head's last-query row per sequence, shape "
            f"{tuple(batch.tokens.shape)}; got {tuple(weights.shape)} (pick a head: weights[:, h])"
        )
    items = batch.tokens[:, 1:-1] - vocab.offset("item")  # (B, K)
    votes = torch.zeros(weights.shape[0], vocab.n_values, dtype=weights.dtype, device=weights.device)
    return votes.scatter_add_(1, items % vocab.n_values, weights[:, 1:-1])
