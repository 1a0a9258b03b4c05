import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.copy_tasks import copy_batch
from course_utils.core.device import seed_everything
from course_utils.core.evaluate import target_accuracy
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.tasks import task_vocab_size
from course_utils.core.train import TrainConfig, lm_loss, lr_at, train


def _run(seed):
    seed_everything(seed)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("copy", n_symbols=8), max_len=16, d_model=32, layers=1))
    losses = train(
        model,
        lambda g: copy_batch(16, 4, n_symbols=8, generator=g),
        TrainConfig(steps=15, batch_size=16, warmup_steps=5),
        progress=False,
    )
    return model, losses


def test_training_is_deterministic_and_lowers_the_loss():
    _, a = _run(0)
    _, b = _run(0)
    assert a == b
    assert sum(a[-3:]) < sum(a[:3])


def test_lr_schedule_warms_up_then_decays_to_a_tenth():
    config = TrainConfig(steps=100, lr=1.0, warmup_steps=10)
    assert lr_at(0, config) == pytest.approx(0.1)
    assert lr_at(9, config) == pytest.approx(1.0)
    assert lr_at(99, config) == pytest.approx(0.1, abs=0.01)
    assert all(lr_at(s, config) >= lr_at(s + 1, config) for s in range(10, 99))


def test_lm_loss_ignores_unsupervised_positions_and_checks_shapes():
    logits = torch.zeros(2, 3, 5)
    I = IGNORE_INDEX
    targets = torch.tensor([[I, 1, I], [2, I, I]])
    assert lm_loss(logits, targets).item() == pytest.approx(torch.log(torch.tensor(5.0)).item())
    with pytest.raises(ValueError, match="do not match"):
        lm_loss(logits, targets[:, :2])


class _FixedLogits(torch.nn.Module):
    """A stand-in model whose argmax at every position is `predicted` (batch, n)."""

    def __init__(self, predicted: torch.Tensor, vocab: int) -> None:
        super().__init__()
        self.predicted = predicted
        self.vocab = vocab

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.one_hot(self.predicted[: len(tokens)], self.vocab).float()


def _direct_accuracy(model, tokens, targets, **model_kwargs):
    """The accuracy computed in one line: argmax right at the supervised positions only."""
    model.eval()
    with torch.no_grad():
        predicted = model(tokens, **model_kwargs).argmax(-1)
    scored = targets != IGNORE_INDEX
    return (predicted[scored] == targets[scored]).float().mean().item()


def test_answer_accuracy_and_errors():
    model, _ = _run(1)
    batch = copy_batch(8, 4, n_symbols=8, generator=3)
    assert target_accuracy(model, batch.tokens, batch.targets) == pytest.approx(
        _direct_accuracy(model, batch.tokens, batch.targets)
    )
    # By hand: 3 supervised positions, 2 predicted right; the unsupervised ones (wrong on purpose) do not count.
    I = IGNORE_INDEX
    targets = torch.tensor([[I, 1, 2], [I, I, 3]])
    predicted = torch.tensor([[0, 1, 0], [0, 0, 3]])
    assert target_accuracy(_FixedLogits(predicted, 4), torch.zeros(2, 3, dtype=torch.long), targets) == pytest.approx(
        2 / 3
    )
    with pytest.raises(ValueError, match="no supervised"):
        target_accuracy(model, batch.tokens, torch.full_like(batch.targets, IGNORE_INDEX))
    with pytest.raises(ValueError, match="steps"):
        train(model, lambda g: batch, TrainConfig(steps=0))


def test_callback_runs_at_start_every_k_steps_and_end_without_changing_training():
    calls = []
    seed_everything(0)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("copy", n_symbols=8), max_len=16, d_model=32, layers=1))
    losses = train(
        model,
        lambda g: copy_batch(16, 4, n_symbols=8, generator=g),
        TrainConfig(steps=15, batch_size=16, warmup_steps=5),
        progress=False,
        callback=lambda step, m: calls.append((step, m.training)),
        callback_every=5,
    )
    assert calls == [(0, False), (5, False), (10, False), (15, False)]
    assert losses == _run(0)[1]


def test_answer_accuracy_passes_positions_to_the_model():
    """Interpolated positions (i / 2) change this model's answers; the accuracy is the one with them."""
    model, _ = _run(2)
    batch = copy_batch(64, 4, n_symbols=8, generator=5)
    halved = torch.arange(batch.tokens.shape[1]) * 0.5
    with_positions = target_accuracy(model, batch.tokens, batch.targets, positions=halved)
    assert with_positions == pytest.approx(_direct_accuracy(model, batch.tokens, batch.targets, positions=halved))
    assert with_positions != pytest.approx(target_accuracy(model, batch.tokens, batch.targets))
    chunked = target_accuracy(model, batch.tokens, batch.targets, positions=halved, rows_per_call=5)
    assert chunked == pytest.approx(with_positions)


def test_stop_after_runs_the_first_steps_of_the_full_schedule():
    """`stop_after=k` keeps the config's warm-up and cosine length: its losses are a full run's first k."""
    full = _run(0)[1]
    seed_everything(0)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("copy", n_symbols=8), max_len=16, d_model=32, layers=1))
    calls = []
    first = train(
        model,
        lambda g: copy_batch(16, 4, n_symbols=8, generator=g),
        TrainConfig(steps=15, batch_size=16, warmup_steps=5),
        stop_after=8,
        progress=False,
        callback=lambda step, m: calls.append(step),
        callback_every=5,
    )
    assert first == full[:8]
    assert calls == [0, 5, 8]
    for bad in (0, 16):
        with pytest.raises(ValueError, match="stop_after"):
            train(
                model,
                lambda g: copy_batch(16, 4, n_symbols=8, generator=g),
                TrainConfig(steps=15),
                stop_after=bad,
                progress=False,
            )


def test_answer_accuracy_in_chunks_equals_one_call():
    from course_utils.core.retrieval_tasks import kv_retrieval_batch

    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("kv_retrieval", n_keys=8, n_values=4), max_len=32, d_model=16))
    batch = kv_retrieval_batch(50, 5, n_keys=8, n_values=4, generator=0)
    whole = target_accuracy(model, batch.tokens, batch.targets)
    assert target_accuracy(model, batch.tokens, batch.targets, rows_per_call=7) == whole
    with pytest.raises(ValueError, match="rows_per_call"):
        target_accuracy(model, batch.tokens, batch.targets, rows_per_call=0)
