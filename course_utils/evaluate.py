"""Evaluate a trained model on a retrieval batch: is the answer right, and where did it look?"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from course_utils.model import TinyGPT


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
def retrieval_report(model: TinyGPT, batch) -> RetrievalReport:
    """Accuracy, answer loss and attention on the relevant token at the answer position.

    batch: a `TaskBatch` (tokens, targets, answer_pos, relevant_pos: see `course_utils.tasks`).

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
