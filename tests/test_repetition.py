"""Repeated prompts, per-copy probabilities and greedy repetition."""

import pytest
import torch
from torch import nn

from course_utils.chapters.repetition import copy_log_probs, greedy_repeats, repeated_prompt
from course_utils.core.model import GPTConfig, TinyGPT


class _CopyOracle(nn.Module):
    """Predicts the token `period` positions back (a perfect copier once a copy exists)."""

    def __init__(self, vocab_size: int, period: int) -> None:
        super().__init__()
        self.vocab_size, self.period = vocab_size, period

    def forward(self, tokens):
        logits = torch.zeros(*tokens.shape, self.vocab_size)
        n = tokens.shape[1]
        for p in range(n):
            source = p + 1 - self.period
            if source >= 1:
                logits[:, p].scatter_(-1, tokens[:, source : source + 1], 10.0)
        return logits


def test_repeated_prompt_layout():
    assert repeated_prompt(torch.tensor([[5, 6]]), 2).tolist() == [[0, 5, 6, 5, 6]]
    with pytest.raises(ValueError, match="copies"):
        repeated_prompt(torch.tensor([[5]]), 0)
    with pytest.raises(ValueError, match="batch, m"):
        repeated_prompt(torch.tensor([5, 6]), 2)


def test_copy_log_probs_of_a_perfect_copier():
    segments = torch.randint(1, 20, (3, 4), generator=torch.Generator().manual_seed(0))
    probs = copy_log_probs(_CopyOracle(20, 4), segments, 3).exp()  # whole-copy probabilities
    assert probs.shape == (3, 3)
    assert torch.all(probs[:, 1:] > 0.99)
    assert torch.all(probs[:, 0] < 0.01)


def test_greedy_repeats_of_a_perfect_copier_and_a_model():
    segments = torch.randint(1, 20, (3, 4), generator=torch.Generator().manual_seed(1))
    assert greedy_repeats(_CopyOracle(20, 4), segments, 2).all()
    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=20, max_len=32, layers=1))
    assert greedy_repeats(model, segments, 2).shape == (3,)
    assert copy_log_probs(model, segments, 2).shape == (3, 2)
