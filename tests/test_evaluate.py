import pytest
import torch

from course_utils.evaluate import retrieval_report
from course_utils.model import GPTConfig, TinyGPT
from course_utils.tasks import associative_recall_batch, task_vocab_size


def _model():
    torch.manual_seed(0)
    vocab = task_vocab_size("associative_recall", n_keys=4, n_values=2)
    return TinyGPT(GPTConfig(vocab_size=vocab, max_len=32, d_model=16, heads=2, layers=2, positional="none"))


def test_report_fields_match_a_direct_computation():
    model = _model()
    batch = associative_recall_batch(8, 5, n_keys=4, n_values=2, generator=0)
    report = retrieval_report(model, batch)
    logits, attn = model(batch.tokens, return_attention=True)
    rows = torch.arange(8)
    expected = torch.stack([attn[:, b, :, batch.answer_pos[b], batch.relevant_pos[b]] for b in range(8)]).mean(0)
    torch.testing.assert_close(report.relevant_weight, expected)
    assert report.relevant_weight.shape == report.max_weight.shape == (2, 2)
    assert torch.all(report.max_weight >= report.relevant_weight)
    answers = batch.targets[rows, batch.answer_pos]
    assert report.accuracy == (logits[rows, batch.answer_pos].argmax(-1) == answers).float().mean().item()
    assert report.answer_loss > 0


def test_report_rejects_mismatched_positions():
    batch = associative_recall_batch(4, 3, n_keys=4, n_values=2, generator=0)
    batch.answer_pos = batch.answer_pos[:2]
    with pytest.raises(ValueError, match="answer_pos"):
        retrieval_report(_model(), batch)
