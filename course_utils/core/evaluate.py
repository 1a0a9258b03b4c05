"""Evaluate a trained model: retrieval (is the answer right, and where did it look?), and
held-out loss (per position, on the same text at every length) or needle accuracy at a chosen
length (train short, test long).

Evaluations over many rows run the model `rows_per_call` rows at a time (`forward_in_rows`): one
call's result (up to float rounding), with attention tensors of rows_per_call rows instead of all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.model import Block, TinyGPT
from course_utils.core.tasks import KVVocab, RecallVocab, kv_retrieval_batch, needle_batch


@torch.no_grad()
def forward_in_rows(
    model: nn.Module,
    tokens: Tensor,
    rows_per_call: int | None = None,
    *,
    keep: Callable[[Tensor, slice], Tensor] | None = None,
    **model_kwargs,
) -> Tensor:
    """The model's output on `tokens`, run `rows_per_call` rows at a time (None: all in one call) and
    concatenated along the batch: one call's result (up to float rounding), with smaller attention tensors.

    keep(logits, rows): the part of one call's logits to keep (rows: the slice of `tokens` that call
    ran), e.g. the last position only; by default all of it. model_kwargs go to every call (e.g.
    positions). tokens: (batch, n) -> (batch, ...), the outputs of `keep` one after the other.
    Example: `forward_in_rows(model, batch.tokens, 64, keep=lambda logits, rows: logits[:, -1])` -> (batch, vocab)
    """
    if len(tokens) == 0:
        raise ValueError(f"tokens has no rows (shape {tuple(tokens.shape)}); pass at least one sequence")
    step = len(tokens) if rows_per_call is None else rows_per_call
    if step < 1:
        raise ValueError(f"rows_per_call must be >= 1 (or None for all rows at once); got {rows_per_call}")
    outputs = []
    for start in range(0, len(tokens), step):
        rows = slice(start, start + step)
        logits = model(tokens[rows], **model_kwargs)
        outputs.append(logits if keep is None else keep(logits, rows))
    return torch.cat(outputs)


def token_losses(logits: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy (nats) per position, NaN where the target is IGNORE_INDEX (-100).

    logits: (batch, n, vocab), targets: (batch, n) -> (batch, n).
    Example: `token_losses(model(batch.tokens), batch.targets)`
    """
    if logits.shape[:2] != targets.shape:
        raise ValueError(f"logits {tuple(logits.shape)} do not match targets {tuple(targets.shape)}")
    losses = F.cross_entropy(logits.transpose(1, 2), targets.clamp_min(0), reduction="none")
    return losses.masked_fill(targets == IGNORE_INDEX, float("nan"))


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

    batch: a `TaskBatch` (tokens, targets, answer_pos, relevant_pos: see `course_utils.core.tasks`).

    Example: `retrieval_report(model, associative_recall_batch(128, 64, generator=0)).accuracy`
    """
    if batch.answer_pos.shape != (batch.tokens.shape[0],) or batch.relevant_pos.shape != batch.answer_pos.shape:
        raise ValueError("answer_pos and relevant_pos must be (batch,) tensors matching tokens (batch, n)")
    model.eval()
    logits, attn = model(batch.tokens, return_attention=True)  # (B, n, V), (L, B, H, n, n)
    rows = torch.arange(batch.tokens.shape[0])
    answer_logits = logits[rows, batch.answer_pos]  # (B, V)
    answers = batch.targets[rows, batch.answer_pos]  # (B,)
    rows_attn = attn[:, rows, :, batch.answer_pos]  # (B, L, H, n): advanced indices go first
    relevant = rows_attn[rows, :, :, batch.relevant_pos]  # (B, L, H)
    return RetrievalReport(
        accuracy=(answer_logits.argmax(-1) == answers).float().mean().item(),
        answer_loss=F.cross_entropy(answer_logits, answers).item(),
        relevant_weight=relevant.mean(0),
        max_weight=rows_attn.amax(-1).mean(0),
    )


@torch.no_grad()
def last_query_attention(model: TinyGPT, tokens: Tensor) -> tuple[Tensor, Tensor]:
    """Logits and attention weights of the last position only, for a one-layer attention-only model.

    The last query of a causal model sees every key, and in a one-layer model nothing else feeds
    its output, so the (n, n) weights of a full forward are never needed: this costs O(n) memory
    per sequence instead of O(n^2), which lets notebook 02 reach 4096 items. Exactly the full
    forward's last row (a test compares them).

    tokens: (batch, n) -> logits (batch, vocab), weights (batch, heads, n).
    Example: `logits, w = last_query_attention(model, associative_recall_batch(8, 4096, generator=0).tokens)`
    """
    config = model.config
    if config.layers != 1 or not config.attention_only or config.sink_fix != "none" or config.dilated_segments:
        raise ValueError(
            "last_query_attention needs a one-layer, attention-only model with no sink fix and dense "
            "attention; use retrieval_report (the full forward) for other models"
        )
    if tokens.dim() != 2 or tokens.dtype != torch.long:
        raise ValueError(f"tokens must be int64 of shape (batch, n), got {tokens.dtype} {tuple(tokens.shape)}")
    model.eval()
    block, n = cast(Block, model.blocks[0]), tokens.shape[1]  # an nn.ModuleList's items are typed nn.Module
    mha = block.attn
    positions = torch.arange(n, device=tokens.device)
    last = positions[-1:]
    x = model.positional.embed(model.embed(tokens), positions)  # (B, n, D)
    q, k, v = mha.qkv(block.norm1(x)).split(config.d_model, dim=-1)
    q, k, v = (t.view(tokens.shape[0], n, mha.heads, mha.head_dim).transpose(1, 2) for t in (q, k, v))  # (B, H, n, d)
    q, k = mha.positional.rotate(q[:, :, -1:], k, last, positions)  # q: (B, H, 1, d)
    scores = q @ k.transpose(-2, -1) / mha.head_dim**0.5  # (B, H, 1, n)
    bias = mha.positional.bias(last, positions)  # (H, 1, n) or None
    if bias is not None:
        scores = scores + bias
    weights = torch.softmax(mha.logit_transform(scores, last, positions).float(), dim=-1).to(v.dtype)
    out = (weights @ v).transpose(1, 2).reshape(tokens.shape[0], config.d_model)  # (B, D)
    logits = model.head(model.norm(x[:, -1] + mha.proj(out)))  # (B, vocab)
    return logits, weights[:, :, 0]


@torch.no_grad()
def last_query_report(model: TinyGPT, batch: TaskBatch) -> RetrievalReport:
    """`retrieval_report` for batches whose answer sits at the last position, through
    `last_query_attention` (one-layer attention-only models): O(n) memory per sequence.

    Example: `last_query_report(model, associative_recall_batch(128, 4096, generator=0)).relevant_weight`
    """
    n = batch.tokens.shape[1]
    if not bool((batch.answer_pos == n - 1).all()):
        raise ValueError("last_query_report needs every answer at the last position; use retrieval_report")
    logits, weights = last_query_attention(model, batch.tokens)  # (B, V), (B, H, n)
    rows = torch.arange(batch.tokens.shape[0])
    answers = batch.targets[rows, batch.answer_pos]
    return RetrievalReport(
        accuracy=(logits.argmax(-1) == answers).float().mean().item(),
        answer_loss=F.cross_entropy(logits, answers).item(),
        relevant_weight=weights[rows, :, batch.relevant_pos].mean(0)[None],  # (1, H)
        max_weight=weights.amax(-1).mean(0)[None],
    )


def value_votes(weights: Tensor, batch: TaskBatch) -> Tensor:
    """Each value's share of the last query's attention in associative recall: the total weight on
    the items holding that value (BOS and the query itself vote for none). With value answers, an
    attention-only model's output is this weighted mix of the items it reads, so `argmax` of the
    votes is the answer the attention alone gives.

    weights: (batch, n), one head's last-query row (e.g. from `last_query_attention`); batch: an
    `associative_recall_batch` -> (batch, n_values).
    Example: `value_votes(last_query_attention(model, batch.tokens)[1][:, 0], batch).argmax(-1)`
    """
    vocab = batch.vocab
    if not isinstance(vocab, RecallVocab):
        raise ValueError(
            f"value_votes needs an associative recall batch (tasks.associative_recall_batch); "
            f"got a {batch.task!r} batch"
        )
    if weights.shape != batch.tokens.shape:
        raise ValueError(
            f"weights must be one head's last-query row per sequence, shape "
            f"{tuple(batch.tokens.shape)}; got {tuple(weights.shape)} (pick a head: weights[:, h])"
        )
    items = batch.tokens[:, 1:-1] - vocab.offset("i")  # (B, K)
    votes = torch.zeros(weights.shape[0], vocab.n_values, dtype=weights.dtype, device=weights.device)
    return votes.scatter_add_(1, items % vocab.n_values, weights[:, 1:-1])


def lost_in_the_middle_depth(accuracy: Tensor) -> float:
    """Lost-in-the-middle depth of a (K,) accuracy-by-index vector, in points:
    (first quarter + last quarter) / 2 - middle half, quarters of max(1, K // 4) indices.

    Example: `lost_in_the_middle_depth(accuracy_by_query_index(model, 32, per_index=16))`
    """
    if accuracy.dim() != 1 or accuracy.shape[0] < 3:
        raise ValueError(f"accuracy must be a (K,) vector with K >= 3, got shape {tuple(accuracy.shape)}")
    q = max(1, accuracy.shape[0] // 4)
    edges = (accuracy[:q].mean() + accuracy[-q:].mean()) / 2
    return 100 * (edges - accuracy[q : accuracy.shape[0] - q].mean()).item()


@torch.no_grad()
def accuracy_by_query_index(
    model: TinyGPT,
    n_pairs: int,
    *,
    per_index: int = 64,
    seed: int = 0,
    positions: Tensor | None = None,
    rows_per_call: int | None = None,
    **task_kwargs,
) -> Tensor:
    """Key-value retrieval accuracy for each queried pair index: (n_pairs,).

    Each pair index 0..K-1 is queried in `per_index` fresh sequences (one batch of K * per_index
    rows, generator `seed`). positions: optional (n,) positions passed to the model (e.g.
    interpolated ones). `rows_per_call`: see `forward_in_rows`. task_kwargs go to `kv_retrieval_batch`.

    Example: `accuracy_by_query_index(model, 16, per_index=32)` -> tensor of 16 accuracies
    """
    if per_index < 1:
        raise ValueError(f"per_index must be >= 1, got {per_index}")
    query = torch.arange(n_pairs).repeat_interleave(per_index)  # (K * per_index,)
    batch = kv_retrieval_batch(len(query), n_pairs, query_index=query, generator=seed, **task_kwargs)
    model.eval()
    answer = batch.answer_pos[0]  # every row of a kv batch has the same length
    predicted = forward_in_rows(
        model, batch.tokens, rows_per_call, positions=positions, keep=lambda logits, rows: logits[:, answer].argmax(-1)
    )  # (B,)
    correct = predicted == batch.targets[:, answer]
    return correct.float().view(n_pairs, per_index).mean(-1)


@torch.no_grad()
def last_token_accuracy(model: TinyGPT, tokens: Tensor, answers: Tensor, *, positions: Tensor | None = None) -> float:
    """Share of rows whose argmax at the last position is the answer (the tasks whose answer is
    predicted at the end: key-value retrieval, needle, recall).

    tokens: (batch, n); answers: (batch,), e.g. `batch.targets[:, -1]`; positions: optional (n,).
    Example: `last_token_accuracy(model, batch.tokens, batch.targets[:, -1])`
    """
    if tokens.dim() != 2 or answers.shape != (tokens.shape[0],):
        raise ValueError(
            f"tokens must be (batch, n) and answers (batch,); got {tuple(tokens.shape)} and "
            f"{tuple(answers.shape)}. Pass batch.targets[:, -1] as answers"
        )
    model.eval()
    logits = model(tokens) if positions is None else model(tokens, positions=positions)
    return (logits[:, -1].argmax(-1) == answers).float().mean().item()


@torch.no_grad()
def far_key_weight(model: TinyGPT, batch: TaskBatch, distance: int) -> Tensor:
    """Attention the answer position gives to keys more than `distance` tokens back: (layers, heads).

    Mean over the batch of the summed weight on keys at distances > `distance` from each row's
    answer position: e.g. the mass that keys at distances never seen in training (distance = the
    longest training sequence - 1) take from a retrieval model.

    Example: `far_key_weight(model, kv_retrieval_batch(64, 16, filler=True, filler_prefix=128, generator=0), 38)`
    """
    if distance < 0:
        raise ValueError(f"distance must be >= 0, got {distance}")
    model.eval()
    _, attn = model(batch.tokens, return_attention=True)  # (L, B, H, n, n)
    rows = torch.arange(batch.tokens.shape[0])
    weights = attn[:, rows, :, batch.answer_pos]  # (B, L, H, n): each row's answer query (indices go first)
    far = torch.arange(batch.tokens.shape[1]) < (batch.answer_pos[:, None] - distance)  # (B, n)
    return (weights * far[:, None, None]).sum(-1).mean(0)


@torch.no_grad()
def value_to_key_weight(model: TinyGPT, batch: TaskBatch) -> Tensor:
    """How much each value of a key-value batch attends to its own key: (layers, heads).

    The mean, over every value token of the batch, of the weight on the token just before it
    (always its key: fillers never split a pair), the "previous-token step" a retrieval model
    uses to bind a value to its key.

    Example: `value_to_key_weight(model, kv_retrieval_batch(64, 64, generator=0))[0].max()`
    """
    vocab = batch.vocab
    if not isinstance(vocab, KVVocab):
        raise ValueError(
            f"value_to_key_weight needs a key-value batch (tasks.kv_retrieval_batch); got a {batch.task!r} batch"
        )
    model.eval()
    _, attn = model(batch.tokens, return_attention=True)  # (L, B, H, n, n)
    first_value = vocab.offset("v")
    is_value = (batch.tokens >= first_value) & (batch.tokens < first_value + vocab.n_values)  # (B, n)
    rows, pos = is_value.nonzero(as_tuple=True)
    return attn[:, rows, :, pos, pos - 1].mean(0)  # indices go first: (values, L, H) -> (L, H)


@torch.no_grad()
def item_weights(model: TinyGPT, tokens: Tensor, starts: Tensor, *, width: int) -> Tensor:
    """How much the last layer's final query attends to each item: weight summed over an item's tokens.

    tokens: (batch, n); starts: (batch, items) the first position of each item, which covers
    `width` positions. Returns (batch, heads, items). For `tasks.near_miss_batch`:
    `item_weights(model, b.tokens, b.needle_pos[:, None], width=3)[..., 0]` is each head's
    weight on the needle's `a b v`. Example: see notebook 05, section 5.
    """
    if starts.dim() != 2 or starts.shape[0] != tokens.shape[0]:
        raise ValueError(f"starts must be (batch, items) with batch {tokens.shape[0]}; got {tuple(starts.shape)}")
    if width < 1 or starts.numel() and (starts.min() < 0 or starts.max() + width > tokens.shape[1]):
        raise ValueError(
            f"every item must lie inside the sequence: starts in [0, {tokens.shape[1] - width}] for "
            f"width {width}; got width {width}, starts {starts.min().item()}..{starts.max().item()}"
        )
    model.eval()
    _, attn = model(tokens, return_attention=True)  # (L, B, H, n, n)
    last = attn[-1][:, :, -1]  # (B, H, n)
    positions = starts[:, None, :, None] + torch.arange(width)  # (B, 1, items, width)
    picked = (
        last[:, :, None, :].expand(-1, -1, starts.shape[1], -1).gather(-1, positions.expand(-1, last.shape[1], -1, -1))
    )  # (B, H, items, width)
    return picked.sum(-1)


def bin_by_relative_position(values: Tensor, bins: int) -> Tensor:
    """Average per-index values (K,) into `bins` equal slices of relative position: (bins,).

    Index i of K falls in bin floor(i * bins / K), so bin 0 is the first 1/bins of the context.

    Example: `bin_by_relative_position(torch.arange(8.0), 4)` -> tensor([0.5, 2.5, 4.5, 6.5])
    """
    k = values.shape[-1]
    if bins < 1 or k < bins:
        raise ValueError(f"need 1 <= bins <= number of values; got bins={bins} for {k} values")
    which = torch.arange(k) * bins // k  # (K,)
    sums = torch.zeros(*values.shape[:-1], bins, dtype=values.dtype).index_add_(-1, which, values)
    return sums / torch.bincount(which, minlength=bins).to(values.dtype)


@torch.no_grad()
def position_losses(model: TinyGPT, windows: TaskBatch, n: int, *, rows_per_call: int = 64) -> Tensor:
    """Next-character loss (nats) at every position of n-token pieces cut from the same windows:
    (W_rows, width // n, n).

    windows: a `text_batch` of rows of `width` tokens (BOS + width - 1 characters; the targets are the
    width characters after BOS). Piece j of a row is BOS followed by characters j·n + 1 … j·n + n − 1,
    so every n predicts the same characters, each once, with up to n − 1 characters of context: loss
    differences between lengths come from the model, not from different text. `rows_per_call`: see
    `forward_in_rows`.
    Example: `position_losses(model, text_batch(32, 1024, split="val", generator=0), 64).mean()`
    """
    rows, width = windows.targets.shape
    if n < 1 or width % n:
        raise ValueError(f"n must divide the window width {width}; got n={n}")
    targets = windows.targets.reshape(rows * (width // n), n)  # (pieces, n)
    tokens = torch.cat([windows.tokens[:, :1].repeat_interleave(width // n, dim=0), targets[:, :-1]], dim=1)
    model.eval()
    losses = forward_in_rows(
        model, tokens, rows_per_call, keep=lambda logits, piece: token_losses(logits, targets[piece])
    )  # (pieces, n)
    return losses.view(rows, width // n, n)


@torch.no_grad()
def needle_accuracy(model: TinyGPT, n: int, *, samples: int = 256, seed: int = 0, rows_per_call: int = 16) -> float:
    """Accuracy on `samples` needle-in-a-haystack sequences of n tokens (generator `seed`), needle depth uniform.

    `rows_per_call`: see `forward_in_rows`. Example: `needle_accuracy(model, 1024)`
    """
    batch = needle_batch(samples, n, generator=seed)
    return target_accuracy(model, batch.tokens, batch.targets, rows_per_call=rows_per_call)


def auroc(positive: Tensor, negative: Tensor) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random
    negative (ties count one half). 1 = the score separates them perfectly, 0.5 = not at all.

    positive: (P,), negative: (N,) scores. Example: `auroc(confidence[has_key], confidence[~has_key])`
    """
    positive, negative = positive.flatten().double(), negative.flatten().double()
    if positive.numel() == 0 or negative.numel() == 0:
        raise ValueError("auroc needs at least one positive and one negative score")
    greater = (positive[:, None] > negative[None, :]).double().mean()
    ties = (positive[:, None] == negative[None, :]).double().mean()
    return (greater + 0.5 * ties).item()


@torch.no_grad()
def target_accuracy(
    model: nn.Module,
    tokens: Tensor,
    targets: Tensor,
    *,
    positions: Tensor | None = None,
    rows_per_call: int | None = None,
) -> float:
    """Fraction of supervised positions (targets != IGNORE_INDEX) where the argmax is right.

    tokens, targets: (batch, n); positions: optional (n,) positions for the model (e.g.
    interpolated ones); `rows_per_call`: see `forward_in_rows`.
    Example: `target_accuracy(model, batch.tokens, batch.targets)`
    """
    scored = targets != IGNORE_INDEX
    if not scored.any():
        raise ValueError(f"targets has no supervised position (all IGNORE_INDEX = {IGNORE_INDEX}); nothing to score")
    model.eval()
    model_kwargs = {} if positions is None else {"positions": positions}  # any module, not only TinyGPT
    predicted = forward_in_rows(
        model, tokens, rows_per_call, keep=lambda logits, rows: logits.argmax(-1), **model_kwargs
    )  # (batch, n)
    return (predicted[scored] == targets[scored]).float().mean().item()
