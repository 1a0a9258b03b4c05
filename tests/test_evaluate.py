import pytest
import torch

from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.copy_tasks import copy_batch
from course_utils.core.device import seed_everything
from course_utils.core.evaluate import (
    attention_weights,
    forward_in_rows,
    forward_with_weights,
    target_accuracy,
    token_losses,
)
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size
from course_utils.core.train import TrainConfig, train


def _model():
    torch.manual_seed(0)
    vocab = task_vocab_size("associative_recall", n_keys=4, n_values=2)
    return TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2, positional="none"))


def test_forward_in_rows_equals_one_call():
    model = _model()
    tokens = associative_recall_batch(7, 5, n_keys=4, n_values=2, generator=0).tokens
    with torch.no_grad():
        whole = model(tokens)
    for rows_per_call in (None, 1, 3, 7, 100):  # float rounding may depend on the number of rows
        torch.testing.assert_close(forward_in_rows(model, tokens, rows_per_call), whole)
    starts = forward_in_rows(model, tokens, 3, select=lambda logits, rows: torch.full((len(logits),), rows.start))
    assert starts.tolist() == [0, 0, 0, 3, 3, 3, 6]  # keep sees each call's rows
    with pytest.raises(ValueError, match="rows_per_call"):
        forward_in_rows(model, tokens, 0)


def test_attention_weights_are_the_forwards_own_without_gradients():
    torch.manual_seed(0)
    vocab = task_vocab_size("associative_recall", n_keys=4, n_values=2)
    model = TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2, positional="rope")).train()
    tokens = associative_recall_batch(3, 5, n_keys=4, n_values=2, generator=0).tokens
    positions = torch.arange(tokens.shape[1]) * 0.5
    logits, weights = forward_with_weights(model, tokens, positions=positions)
    assert model.training and not weights.requires_grad and not logits.requires_grad
    with torch.no_grad():
        expected_logits, expected = model.eval()(tokens, positions=positions, need_weights=True)
    assert weights.shape == (2, 3, 2, tokens.shape[1], tokens.shape[1])  # (layers, batch, heads, n, n)
    assert torch.equal(weights, expected) and torch.equal(logits, expected_logits)
    assert torch.equal(attention_weights(model, tokens, positions=positions), expected)
    assert not torch.equal(attention_weights(model, tokens), expected)  # the positions reached the model


def test_token_losses_average_to_the_training_loss():
    from course_utils.core.train import next_token_loss

    model = _model()
    batch = associative_recall_batch(6, 5, n_keys=4, n_values=2, generator=0)  # one supervised position per row
    with torch.no_grad():
        logits = model(batch.tokens)
    losses = token_losses(logits, batch.targets)
    assert torch.equal(losses.isnan(), batch.targets == IGNORE_INDEX)
    assert losses.nanmean().item() == pytest.approx(next_token_loss(logits, batch.targets).item(), rel=1e-6)


def test_last_token_accuracy_matches_a_direct_computation():
    from course_utils.core.evaluate import last_token_accuracy

    model = _model()
    batch = associative_recall_batch(64, 6, n_keys=4, n_values=2, generator=3)
    answers = batch.targets[:, -1]
    with torch.no_grad():
        direct = (model(batch.tokens)[:, -1].argmax(-1) == answers).float().mean().item()
    assert last_token_accuracy(model, batch.tokens, answers) == direct
    with pytest.raises(ValueError, match="targets"):
        last_token_accuracy(model, batch.tokens, batch.targets)


def test_position_losses_predict_the_same_characters_at_every_length():
    from course_utils.core.corpus import text_batch
    from course_utils.core.evaluate import position_losses

    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("text"), max_len=64, d_model=16, heads=2, layers=1))
    windows = text_batch(3, 64, split="val", generator=0)
    whole = position_losses(model, windows, 64)
    assert whole.shape == (3, 1, 64)
    from course_utils.core.train import next_token_loss

    assert whole.mean().item() == pytest.approx(
        next_token_loss(model(windows.tokens), windows.targets).item(), rel=1e-5
    )
    pieces = position_losses(model, windows, 16, rows_per_call=5)
    assert pieces.shape == (3, 4, 16)
    # the first piece of each window is the start of the whole window: same tokens, same losses
    torch.testing.assert_close(pieces[:, 0], whole[:, 0, :16])
    with pytest.raises(ValueError, match="divide"):
        position_losses(model, windows, 48)


def _copy_model_after_15_steps(seed):
    """A one-layer copy model trained 15 steps: some of its answers right, some wrong."""
    seed_everything(seed)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("copy", n_symbols=8), max_len=16, d_model=32, layers=1))
    train(
        model,
        lambda g: copy_batch(16, 4, n_symbols=8, generator=g),
        TrainConfig(steps=15, batch_size=16, warmup_steps=5),
        progress=False,
    )
    return model


class _FixedLogits(torch.nn.Module):
    """A stand-in model whose argmax at every position is `predicted` (batch, n)."""

    def __init__(self, predicted: torch.Tensor, vocab: int) -> None:
        super().__init__()
        self.predicted = predicted
        self.vocab = vocab

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.one_hot(self.predicted[: len(tokens)], self.vocab).float()


def _direct_target_accuracy(model, tokens, targets, **model_kwargs):
    """target_accuracy in one line: argmax right at the supervised positions only."""
    model.eval()
    with torch.no_grad():
        predicted = model(tokens, **model_kwargs).argmax(-1)
    scored = targets != IGNORE_INDEX
    return (predicted[scored] == targets[scored]).float().mean().item()


def test_target_accuracy_scores_only_the_supervised_positions():
    model = _copy_model_after_15_steps(1)
    batch = copy_batch(8, 4, n_symbols=8, generator=3)
    assert target_accuracy(model, batch.tokens, batch.targets) == pytest.approx(
        _direct_target_accuracy(model, batch.tokens, batch.targets)
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


def test_target_accuracy_passes_positions_to_the_model():
    """Interpolated positions (i / 2) change this model's answers; the accuracy is the one with them."""
    model = _copy_model_after_15_steps(2)
    batch = copy_batch(64, 4, n_symbols=8, generator=5)
    halved = torch.arange(batch.tokens.shape[1]) * 0.5
    with_positions = target_accuracy(model, batch.tokens, batch.targets, positions=halved)
    assert with_positions == pytest.approx(
        _direct_target_accuracy(model, batch.tokens, batch.targets, positions=halved)
    )
    assert with_positions != pytest.approx(target_accuracy(model, batch.tokens, batch.targets))
    in_rows = target_accuracy(model, batch.tokens, batch.targets, positions=halved, rows_per_call=5)
    assert in_rows == pytest.approx(with_positions)


def test_target_accuracy_in_rows_equals_one_call():
    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=task_vocab_size("kv_retrieval", n_keys=8, n_values=4), max_len=32, d_model=16))
    batch = kv_retrieval_batch(50, 5, n_keys=8, n_values=4, generator=0)
    whole = target_accuracy(model, batch.tokens, batch.targets)
    assert target_accuracy(model, batch.tokens, batch.targets, rows_per_call=7) == whole
    with pytest.raises(ValueError, match="rows_per_call"):
        target_accuracy(model, batch.tokens, batch.targets, rows_per_call=0)


def test_the_evaluators_give_the_model_back_in_its_mode():
    """An evaluation between training steps leaves a training model training (and an eval model in eval)."""
    model = TinyGPT(GPTConfig(vocab_size=11, max_len=16, sigma_reparam=True))
    tokens = torch.randint(0, 11, (2, 6))
    for training in (True, False):
        model.train(training)
        target_accuracy(model, tokens, tokens)
        forward_with_weights(model, tokens)
        assert model.training is training
