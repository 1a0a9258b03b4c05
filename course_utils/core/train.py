"""A small, deterministic training loop with a progress bar.

Determinism: the model is initialised under `seed_everything(seed)` by the caller and the data
come from a `torch.Generator` seeded here, so the same config on the same machine and thread count
gives the same loss curve (the zoo trains on one thread: `zoo.training`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from course_utils.core.batch import IGNORE_INDEX, TaskBatch
from course_utils.core.device import model_device
from course_utils.core.evaluate import check_logits_targets, eval_mode


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser and schedule: AdamW, linear warm-up, cosine decay to 10 % of `lr`.

    Example:
        >>> TrainConfig(steps=600, batch_size=64, lr=3e-3)
        TrainConfig(steps=600, batch_size=64, lr=0.003, weight_decay=0.0, warmup_steps=50, grad_clip=1.0, data_seed=0)
    """

    steps: int
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 0.0
    warmup_steps: int = 50
    grad_clip: float = 1.0
    data_seed: int = 0

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be {rule}, got {value}"
            for name, value, rule, ok in (
                ("steps", self.steps, ">= 1", self.steps >= 1),
                ("batch_size", self.batch_size, ">= 1", self.batch_size >= 1),
                ("lr", self.lr, "> 0", self.lr > 0),
                ("weight_decay", self.weight_decay, ">= 0", self.weight_decay >= 0),
                ("warmup_steps", self.warmup_steps, ">= 0", self.warmup_steps >= 0),
                ("grad_clip", self.grad_clip, "> 0 (the largest gradient norm)", self.grad_clip > 0),
                ("data_seed", self.data_seed, ">= 0", self.data_seed >= 0),
            )
            if not ok
        ]
        if problems:
            raise ValueError("TrainConfig: " + "; ".join(problems) + ": pass values in those ranges")

    def to_dict(self) -> dict:
        """The config as a plain dict, field by field: what a stored record keeps under "train_config"."""
        return asdict(self)


def lr_at(step: int, config: TrainConfig) -> float:
    """Learning rate at `step` (0-based).

    Example:
        >>> lr_at(0, TrainConfig(steps=10))  # the first of 50 warm-up steps
        6e-05
    """
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return config.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def next_token_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of the next-token predictions at the positions whose target is not IGNORE_INDEX (-100).

    The training loss of every task: a task says what is scored through its targets.

    logits: (batch, n, vocab), targets: (batch, n).

    Example:
        Uniform logits over 4 tokens lose log 4 at the one scored position:

        >>> next_token_loss(torch.zeros(1, 2, 4), torch.tensor([[1, IGNORE_INDEX]]))
        tensor(1.3863)
    """
    check_logits_targets(logits, targets)
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX)


def train(
    model: nn.Module,
    batch_fn: Callable[[torch.Generator], TaskBatch],
    config: TrainConfig,
    *,
    stop_after: int | None = None,
    progress: bool = True,
    desc: str = "training",
    callback: Callable[[int, nn.Module], None] | None = None,
    callback_every: int = 250,
) -> list[float]:
    """Train `model` in place on batches from `batch_fn(generator)`; returns the loss per step.

    `stop_after=k` runs only the first k steps of the `config.steps`-step schedule (warm-up and
    cosine decay keep their full length), so the k losses equal the first k of a full run.
    `callback(step, model)` runs before step 0, every `callback_every` steps and after the last
    step run (step = number of steps done), with the model in eval mode, e.g. to track a metric.
    Training leaves the model in eval mode, ready to evaluate.

    Example:
        Training the reader's copy `model` (minutes, so not run as a test):

        >>> batches = lambda generator: copy_batch(64, 8, n_symbols=16, generator=generator)  # doctest: +SKIP
        >>> losses = train(model, batches, TrainConfig(steps=300))  # doctest: +SKIP
    """
    if callback_every < 1:
        raise ValueError(
            f"callback_every must be >= 1 (steps between two callbacks), got {callback_every}; pass e.g. 250"
        )
    if stop_after is not None and not 1 <= stop_after <= config.steps:
        raise ValueError(
            f"stop_after must be between 1 and config.steps={config.steps} (or None for the "
            f"whole schedule); got {stop_after}: pass a step count in that range"
        )
    steps = config.steps if stop_after is None else stop_after
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(config.data_seed)
    device = model_device(model, torch.device("cpu"))
    losses: list[float] = []
    model.train()
    bar = tqdm(range(steps), desc=desc, disable=not progress, mininterval=1.0)
    for step in bar:
        if callback is not None and step % callback_every == 0:
            _run_callback(callback, step, model)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, config)
        batch = batch_fn(generator)
        loss = next_token_loss(model(batch.tokens.to(device)), batch.targets.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    if callback is not None:
        _run_callback(callback, steps, model)
    model.eval()
    return losses


def _run_callback(callback: Callable[[int, nn.Module], None], step: int, model: nn.Module) -> None:
    with eval_mode(model):
        callback(step, model)
