"""Evaluating a trained model on any batch, as the zoo and several chapters do.

Accuracy (at the last token, at every supervised position), held-out loss (per position, on the same
text at every length), every layer's attention weights and the last query's attention. Accuracy on one
task's own batches lives in `task_accuracy`; measurements that serve one chapter live in its module
(`course_utils.chapters`).

Evaluations over many rows run the model `rows_per_call` rows at a time (`forward_in_rows`): one
call's result (up to float rounding), with attention tensors of rows_per_call rows instead of all.
The model may sit on any device: its inputs go there, and what is kept comes back to the device of
the tokens passed in (the CPU, for the batches the tasks build).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.device import model_device
from course_utils.core.model import TinyGPT


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """`model` in eval mode and without gradients for the block, then back in the mode it was in.

    Every evaluator here runs in it, so evaluating between training steps leaves a training model
    training (σReparam's power iteration runs only in training mode: `core.sigma_reparam`).

    Example:
        >>> model = nn.Linear(2, 2)  # a new module is in training mode
        >>> with eval_mode(model):
        ...     model.training, torch.is_grad_enabled()
        (False, False)
        >>> model.training
        True
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def check_logits_targets(logits: Tensor, targets: Tensor) -> None:
    """Raise ValueError unless logits (batch, n, vocab) and targets (batch, n) come from one batch.

    Example:
        >>> check_logits_targets(torch.zeros(2, 5, 7), torch.zeros(2, 5, dtype=torch.long))
    """
    if logits.dim() != 3 or logits.shape[:2] != targets.shape:
        raise ValueError(
            f"logits (batch, n, vocab) {tuple(logits.shape)} do not match targets (batch, n) {tuple(targets.shape)}; "
            "pass the model's logits on batch.tokens with batch.targets"
        )


def forward_in_rows(
    model: nn.Module,
    tokens: Tensor,
    rows_per_call: int | None = None,
    *,
    select: Callable[[Tensor, slice], Tensor] | None = None,
    **model_kwargs: Tensor | None,
) -> Tensor:
    """The model's output on `tokens`, run `rows_per_call` rows at a time (None: all in one call).

    The calls' outputs are concatenated along the batch: one call's result (up to float rounding), with
    smaller attention tensors. select(logits, rows): what to keep of one call's logits (rows: the slice
    of `tokens` that call ran), e.g. the last position only, or its argmax; by default all of it.
    model_kwargs go to every call (e.g. positions). tokens: (batch, n) -> (batch, ...), the outputs of
    `select` one after the other.

    Each call's rows and the tensors in model_kwargs are moved to the model's device, where `select`
    runs (a tensor it compares the logits with must go there too); what it keeps comes back to
    `tokens.device`.

    Example:
        The last position's logits (batch, vocab) of the reader's trained `model`, 64 rows at a time:

        >>> forward_in_rows(model, batch.tokens, 64, select=lambda logits, rows: logits[:, -1])  # doctest: +SKIP
    """
    if len(tokens) == 0:
        raise ValueError(f"tokens has no rows (shape {tuple(tokens.shape)}); pass at least one sequence")
    step = len(tokens) if rows_per_call is None else rows_per_call
    if step < 1:
        raise ValueError(
            f"rows_per_call must be >= 1 (or None for all rows at once); got {rows_per_call}: pass e.g. 64"
        )
    device = model_device(model, tokens.device)
    kwargs = _moved_to(device, model_kwargs)
    outputs = []
    with eval_mode(model):
        for start in range(0, len(tokens), step):
            rows = slice(start, start + step)
            logits = model(tokens[rows].to(device), **kwargs)
            outputs.append((logits if select is None else select(logits, rows)).to(tokens.device))
    return torch.cat(outputs)


def _moved_to(device: torch.device, model_kwargs: Mapping[str, Tensor | bool | None]) -> dict[str, object]:
    """model_kwargs with every tensor moved to `device`."""
    return {name: value.to(device) if isinstance(value, Tensor) else value for name, value in model_kwargs.items()}


def forward_with_weights(
    model: nn.Module, tokens: Tensor, **model_kwargs: Tensor | bool | None
) -> tuple[Tensor, Tensor]:
    """The model's logits and every layer's attention weights on tokens, in eval mode, in one forward.

    tokens: (batch, n) -> logits (batch, n, vocab), weights (layers, batch, heads, n, n), both on the
    device of tokens. The model runs on its own device (tokens and the tensors in model_kwargs, e.g.
    positions, go there), with `need_weights=True`; `last_only=True` gives the last position's alone,
    (batch, 1, vocab) and (layers, batch, heads, 1, n) (`TinyGPT.forward`).

    Example:
        >>> from course_utils.core.model import GPTConfig
        >>> model = TinyGPT(GPTConfig(vocab_size=40, max_len=64))
        >>> logits, weights = forward_with_weights(model, torch.zeros(3, 10, dtype=torch.long))
        >>> logits.shape, weights.shape
        (torch.Size([3, 10, 40]), torch.Size([2, 3, 4, 10, 10]))
    """
    device = model_device(model, tokens.device)
    with eval_mode(model):
        logits, weights = model(tokens.to(device), need_weights=True, **_moved_to(device, model_kwargs))
    return logits.to(tokens.device), weights.to(tokens.device)


def attention_weights(model: nn.Module, tokens: Tensor, **model_kwargs: Tensor | None) -> Tensor:
    """Every layer's attention weights on tokens: (batch, n) -> (layers, batch, heads, n, n).

    One forward of `forward_with_weights` (eval mode, no gradients, on the model's device); the
    weights come back to the device of tokens.

    Example:
        Every query's weights sum to 1 (a causal model's query i spreads them over keys 0 … i):

        >>> from course_utils.core.model import GPTConfig
        >>> model = TinyGPT(GPTConfig(vocab_size=40, max_len=64))
        >>> weights = attention_weights(model, torch.zeros(3, 10, dtype=torch.long))
        >>> weights.shape, bool(torch.allclose(weights.sum(-1), torch.ones(2, 3, 4, 10)))
        (torch.Size([2, 3, 4, 10, 10]), True)
    """
    return forward_with_weights(model, tokens, **model_kwargs)[1]


def token_losses(logits: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy (nats) per position, NaN where the target is IGNORE_INDEX (-100).

    logits: (batch, n, vocab), targets: (batch, n) -> (batch, n).

    Example:
        Uniform logits over 4 tokens lose log 4 at each scored position:

        >>> token_losses(torch.zeros(1, 2, 4), torch.tensor([[1, IGNORE_INDEX]]))
        tensor([[1.3863,    nan]])
    """
    check_logits_targets(logits, targets)
    losses = F.cross_entropy(logits.transpose(1, 2), targets.clamp_min(0), reduction="none")
    return losses.masked_fill(targets == IGNORE_INDEX, float("nan"))


def last_query_attention(model: TinyGPT, tokens: Tensor) -> tuple[Tensor, Tensor]:
    """Logits and last-layer attention weights of the last position only: `model(tokens, last_only=True)`.

    The last query of a causal model sees every key, and the last layer feeds no other query, so its
    (n, n) weights are never needed: a one-layer model costs O(n) memory per sequence instead of
    O(n^2), which lets notebook 02 reach 4096 items. The full forward's last rows (a test compares them).

    tokens: (batch, n) -> logits (batch, vocab), weights (batch, heads, n), on the device of tokens.

    Example:
        For a trained one-layer recall `model`:

        >>> tokens = associative_recall_batch(8, 4096, generator=0).tokens  # doctest: +SKIP
        >>> logits, weights = last_query_attention(model, tokens)  # doctest: +SKIP
    """
    logits, weights = forward_with_weights(model, tokens, last_only=True)  # (B, 1, V), (L, B, H, 1, n)
    return logits[:, 0], weights[-1, :, :, 0]


def last_token_accuracy(model: nn.Module, tokens: Tensor, answers: Tensor, *, positions: Tensor | None = None) -> float:
    """Share of rows whose argmax at the last position is the answer.

    For the tasks whose answer is predicted at the end: key-value retrieval, needle, recall.

    tokens: (batch, n); answers: (batch,), e.g. `batch.targets[:, -1]`; positions: optional (n,).

    Example:
        For a trained `model` and a batch of its task:

        >>> last_token_accuracy(model, batch.tokens, batch.targets[:, -1])  # doctest: +SKIP
    """
    if tokens.dim() != 2 or answers.shape != (tokens.shape[0],):
        raise ValueError(
            f"tokens must be (batch, n) and answers (batch,); got {tuple(tokens.shape)} and "
            f"{tuple(answers.shape)}. Pass batch.targets[:, -1] as answers"
        )
    model_kwargs = {} if positions is None else {"positions": positions}  # any module, not only TinyGPT
    predicted = forward_in_rows(
        model, tokens, None, select=lambda logits, rows: logits[:, -1].argmax(-1), **model_kwargs
    )  # (batch,)
    return (predicted == answers).float().mean().item()


def position_losses(model: TinyGPT, windows: TaskBatch, n: int, *, rows_per_call: int = 64) -> Tensor:
    """Next-character loss (nats) at every position of n-token pieces cut from the same windows.

    Returns (W_rows, width // n, n).

    windows: a `text_batch` of rows of `width` tokens (BOS + width - 1 characters; the targets are the
    width characters after BOS). Piece j of a row is BOS followed by characters j·n + 1 … j·n + n − 1,
    so every n predicts the same characters, each once, with up to n − 1 characters of context: loss
    differences between lengths come from the model, not from different text. `rows_per_call`: see
    `forward_in_rows`.

    Example:
        For a trained character language `model`:

        >>> position_losses(model, text_batch(32, 1024, split="val", generator=0), 64).mean()  # doctest: +SKIP
    """
    rows, width = windows.targets.shape
    if n < 1 or width % n:
        raise ValueError(f"n must divide the window width {width}; got n={n}. Pass a divisor of {width}")
    targets = windows.targets.reshape(rows * (width // n), n)  # (pieces, n)
    tokens = torch.cat([windows.tokens[:, :1].repeat_interleave(width // n, dim=0), targets[:, :-1]], dim=1)
    losses = forward_in_rows(
        model,
        tokens,
        rows_per_call,
        select=lambda logits, piece: token_losses(logits, targets[piece].to(logits.device)),
    )  # (pieces, n)
    return losses.view(rows, width // n, n)


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

    Example:
        For a trained `model` and a batch of its task:

        >>> target_accuracy(model, batch.tokens, batch.targets)  # doctest: +SKIP
    """
    scored = targets != IGNORE_INDEX
    if not scored.any():
        raise ValueError(
            f"targets has no supervised position (all IGNORE_INDEX = {IGNORE_INDEX}), so there is nothing to "
            "score; pass the targets of the batch the tokens came from (batch.targets)"
        )
    model_kwargs = {} if positions is None else {"positions": positions}  # any module, not only TinyGPT
    predicted = forward_in_rows(
        model, tokens, rows_per_call, select=lambda logits, rows: logits.argmax(-1), **model_kwargs
    )  # (batch, n)
    return (predicted[scored] == targets[scored]).float().mean().item()
