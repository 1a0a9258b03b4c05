"""Rank residual, head divergence and the random stacks of notebook 05 (course_utils/chapters/collapse.py)."""

import pytest
import torch

from course_utils.chapters.collapse import head_divergence, rank_residual


def test_rank_residual_is_zero_for_identical_tokens_and_scale_free():
    same = torch.randn(1, 8).expand(5, 8)
    assert rank_residual(same).item() == pytest.approx(0.0, abs=1e-6)
    h = torch.randn(3, 5, 8, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(rank_residual(3.0 * h), rank_residual(h))
    assert rank_residual(h).shape == (3,)


def test_rank_residual_of_centred_tokens_is_one():
    h = torch.randn(6, 4, generator=torch.Generator().manual_seed(1))
    assert rank_residual(h - h.mean(0)).item() == pytest.approx(1.0, abs=1e-6)


def test_rank_residual_rejects_vectors():
    with pytest.raises(ValueError, match="n, d"):
        rank_residual(torch.ones(3))


def test_head_divergence_is_zero_on_the_diagonal_and_for_copies():
    g = torch.Generator().manual_seed(3)
    w = torch.rand(2, 3, 6, 6, generator=g).masked_fill(~torch.ones(6, 6, dtype=torch.bool).tril(), 0.0)
    w = w / w.sum(-1, keepdim=True)
    w[:, 2] = w[:, 0]
    div = head_divergence(w)
    assert div.shape == (3, 3)
    assert torch.allclose(div.diagonal(), torch.zeros(3), atol=1e-6)
    assert div[0, 2].item() == pytest.approx(0.0, abs=1e-6) and div[0, 1] > 0.01
    torch.testing.assert_close(div, div.T)
    torch.testing.assert_close(head_divergence(w[0]), head_divergence(w[:1]))
    with pytest.raises(ValueError, match="heads, n, n"):
        head_divergence(torch.ones(4, 4))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pure_attention_collapses_and_skips_prevent_it(seed):
    """Notebook 05, section 1: below 1e-12 within 6 layers without skips, above 0.5 after 12 with them."""
    from course_utils.chapters.collapse import random_stack_residuals

    for variant in ("attention only", "+ MLP"):
        assert min(random_stack_residuals(variant, seed=seed, depth=6)) < 1e-12
    for variant in ("+ skip", "full block"):
        assert random_stack_residuals(variant, seed=seed)[-1] > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logs_of_the_residual_end_up_tripling_and_an_mlp_speeds_the_collapse(seed):
    """Notebook 05, section 1: the last ratio of successive log residuals above float64's floor is
    near Dong et al.'s 3, and with an MLP the residual falls below 1e-6 at least a layer sooner."""
    from course_utils.chapters.collapse import random_stack_residuals

    logs = torch.tensor(random_stack_residuals("attention only", seed=seed)).log10()
    above = logs[logs > -14]
    assert 2.5 < (above[-1] / above[-2]).item() < 4.5

    def first_below(variant):
        return int((torch.tensor(random_stack_residuals(variant, seed=seed)) < 1e-6).nonzero()[0])

    assert first_below("+ MLP") < first_below("attention only")


def test_random_stack_rejects_unknown_variant():
    from course_utils.chapters.collapse import random_stack_residuals

    with pytest.raises(ValueError, match="unknown variant"):
        random_stack_residuals("attention + magic", seed=0)


def test_last_token_shift_is_zero_for_an_invisible_change_and_rejects_bad_positions():
    from course_utils.chapters.collapse import last_token_shift
    from course_utils.core.model import GPTConfig, TinyGPT

    torch.manual_seed(0)
    model = TinyGPT(GPTConfig(vocab_size=20, max_len=16, d_model=16, heads=2, layers=1)).eval()
    tokens = torch.randint(0, 20, (4, 10))
    shift = last_token_shift(model, tokens)
    assert shift.shape == (4,) and (shift > 0).all()  # the last position sees position 1
    assert torch.equal(last_token_shift(model, tokens, offset=20), torch.zeros(4))  # id + 20 = the same id
    with pytest.raises(ValueError, match="position"):
        last_token_shift(model, tokens, position=9)
