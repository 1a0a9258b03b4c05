import pytest
import torch

from course_utils.core.positional import (
    BIASED_SCHEMES,
    POSITIONAL_SCHEMES,
    ALiBi,
    LearnedAbsolute,
    NoPositions,
    PartialRoPE,
    RoPE,
    Sinusoidal,
    make_positional,
)


def test_rope_scores_depend_only_on_distance():
    rope = RoPE(8)
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(1, 1, 1, 8, generator=g), torch.randn(1, 1, 1, 8, generator=g)

    def score(i, j):
        qr, kr = rope.rotate(q, k, torch.tensor([i]), torch.tensor([j]))
        return (qr * kr).sum()

    torch.testing.assert_close(score(5, 2), score(13, 10))
    torch.testing.assert_close(score(0, 0), (q * k).sum())  # position 0 is no rotation


def test_rope_preserves_norm_and_rejects_odd_dim():
    rope = RoPE(6, base=100.0)
    x = torch.randn(2, 3, 10, 6)
    xr, _ = rope.rotate(x, x, torch.arange(10), torch.arange(10))
    torch.testing.assert_close(xr.norm(dim=-1), x.norm(dim=-1))
    with pytest.raises(ValueError, match="even"):
        RoPE(5)
    with pytest.raises(ValueError, match="base"):
        RoPE(4, base=1.0)


def test_alibi_slopes_and_bias():
    alibi = ALiBi(8)
    torch.testing.assert_close(alibi.slopes, 2.0 ** (-torch.arange(1, 9).float()))
    b = alibi.bias(torch.arange(4), torch.arange(4))
    assert b.shape == (8, 4, 4)
    torch.testing.assert_close(b[0, 3, 0], torch.tensor(-0.5 * 3))
    assert torch.all(b.diagonal(dim1=1, dim2=2) == 0)


def test_sinusoidal_table_values():
    table = Sinusoidal(4).table(torch.arange(3))
    torch.testing.assert_close(
        table[1],
        torch.tensor(
            [
                torch.sin(torch.tensor(1.0)),
                torch.cos(torch.tensor(1.0)),
                torch.sin(torch.tensor(0.01)),
                torch.cos(torch.tensor(0.01)),
            ]
        ),
    )
    with pytest.raises(ValueError, match="even"):
        Sinusoidal(5)


def test_learned_refuses_positions_past_its_table():
    learned = LearnedAbsolute(8, max_len=4)
    x = torch.zeros(1, 4, 8)
    assert learned.embed(x, torch.arange(4)).shape == (1, 4, 8)
    with pytest.raises(ValueError, match="cannot extrapolate"):
        learned.embed(torch.zeros(1, 5, 8), torch.arange(5))
    with pytest.raises(ValueError, match="integer positions"):
        learned.embed(x, torch.arange(4) / 2)


def test_none_changes_nothing():
    x = torch.randn(1, 3, 8)
    assert NoPositions().embed(x, torch.arange(3)) is x
    assert NoPositions().bias(torch.arange(3), torch.arange(3)) is None


def test_factory_builds_every_scheme_and_rejects_unknown():
    built = {name: type(make_positional(name, d_model=16, heads=4, max_len=8)) for name in POSITIONAL_SCHEMES}
    assert built == {
        "none": NoPositions,
        "sinusoidal": Sinusoidal,
        "learned": LearnedAbsolute,
        "rope": RoPE,
        "p_rope": PartialRoPE,
        "alibi": ALiBi,
    }
    with pytest.raises(ValueError, match="unknown positional"):
        make_positional("xpos", d_model=16, heads=4, max_len=8)
    with pytest.raises(ValueError, match="divisible"):
        make_positional("rope", d_model=10, heads=4, max_len=8)


@pytest.mark.parametrize("name", POSITIONAL_SCHEMES)
def test_adds_bias_declares_what_bias_returns(name):
    scheme = make_positional(name, d_model=16, heads=4, max_len=8)
    bias = scheme.bias(torch.arange(3), torch.arange(3))
    assert scheme.adds_bias == (bias is not None)
    assert ALiBi.adds_bias and not RoPE.adds_bias


def test_p_rope_fraction_reaches_the_model():
    from course_utils.core.model import GPTConfig, TinyGPT

    model = TinyGPT(
        GPTConfig(vocab_size=8, max_len=16, d_model=64, heads=4, positional="p_rope", p_rope_fraction=0.375)
    )
    assert isinstance(model.positional, PartialRoPE)
    angles = model.positional.angles(torch.arange(4))  # head width 16: 8 frequencies, 3 of them rotate
    assert model.positional.p == 0.375
    assert angles[:, :3].abs().sum() > 0 and angles[:, 3:].abs().sum() == 0


@pytest.mark.parametrize("name", POSITIONAL_SCHEMES)
def test_the_biased_schemes_are_those_whose_modules_add_a_bias(name):
    scheme = make_positional(name, d_model=16, heads=2, max_len=8)
    assert scheme.adds_bias == (name in BIASED_SCHEMES)


def test_rope_refuses_a_base_that_rotates_nothing():
    with pytest.raises(ValueError, match="RoPE base must be > 1, got 1.0; use the usual base, 10000.0"):
        RoPE(8, base=1.0)
