import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.copy_tasks import copy_batch
from course_utils.core.device import seed_everything
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.tasks import task_vocab_size
from course_utils.core.train import TrainConfig, lr_at, next_token_loss, train


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


def test_next_token_loss_ignores_unsupervised_positions_and_checks_shapes():
    logits = torch.zeros(2, 3, 5)
    I = IGNORE_INDEX
    targets = torch.tensor([[I, 1, I], [2, I, I]])
    assert next_token_loss(logits, targets).item() == pytest.approx(torch.log(torch.tensor(5.0)).item())
    with pytest.raises(ValueError, match="do not match"):
        next_token_loss(logits, targets[:, :2])


def test_bad_training_settings_raise():
    with pytest.raises(ValueError, match="steps must be >= 1"):
        TrainConfig(steps=0)
    with pytest.raises(ValueError, match="lr must be > 0.*warmup_steps must be >= 0"):
        TrainConfig(steps=10, lr=0.0, warmup_steps=-1)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("copy", n_symbols=8), max_len=16, d_model=32, layers=1))
    with pytest.raises(ValueError, match="callback_every"):
        train(model, lambda g: copy_batch(16, 4, n_symbols=8, generator=g), TrainConfig(steps=2), callback_every=0)


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
