import math

import pytest
import torch

from course_utils.chapters.dilution import gap_for_weight, relevant_weight, simulate_dilution


def test_seed_numbers_from_the_closed_form():
    gap = gap_for_weight(0.30, 512)
    assert gap == pytest.approx(5.389, abs=1e-3)
    w = relevant_weight(torch.tensor([512, 4096]), gap)
    assert w[0].item() == pytest.approx(0.30, abs=1e-9)
    assert w[1].item() == pytest.approx(0.0508, abs=1e-3)


def test_closed_form_matches_the_definition_and_handles_extremes():
    n, gap = 100, 2.0
    assert relevant_weight(n, gap).item() == pytest.approx(math.exp(gap) / (math.exp(gap) + n - 1))
    assert relevant_weight(n, 0.0, distractor_std=1.0).item() == pytest.approx(1 / (1 + 99 * math.exp(0.5)))
    assert relevant_weight(1, 0.0).item() == 1.0  # alone, the key gets everything
    assert relevant_weight(10**9, 1000.0).item() == pytest.approx(1.0)


def test_log_n_scaling_stops_the_fall():
    n = torch.tensor([64, 512, 4096, 65536])
    plain = relevant_weight(n, 5.0)
    scaled = relevant_weight(n, 5.0 / (0.2 * math.log(512)), log_n_scale=0.2)
    assert plain[-1] / plain[0] < 0.01
    assert scaled[-1] / scaled[0] > 0.2  # falls like n^(sg - 1) = n^-0.2 instead of 1/n
    # s * g = 1 keeps w(n) = n / (n + n - 1), about 1/2, for every n
    torch.testing.assert_close(relevant_weight(n, 2.0, log_n_scale=0.5), n.double() / (2 * n - 1), rtol=1e-9, atol=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_simulation_matches_the_gaussian_closed_form(seed):
    gen = torch.Generator().manual_seed(seed)
    for n in (512, 4096):
        trials = simulate_dilution(n, gap=5.889, trials=100, generator=gen)
        expected = relevant_weight(n, 5.889, distractor_std=1.0).item()
        assert trials.relevant_weight.mean().item() == pytest.approx(expected, rel=0.05)
        assert (trials.entropy <= math.log(n) + 1e-9).all()
        # the planted key is almost always the largest (a distractor rarely outscores it)
        assert (trials.max_weight == trials.relevant_weight).float().mean() >= 0.95


def test_simulation_entropy_approaches_uniform():
    small = simulate_dilution(64, gap=5.889, trials=50).entropy.mean().item() / math.log(64)
    large = simulate_dilution(16384, gap=5.889, trials=20).entropy.mean().item() / math.log(16384)
    assert small < 0.7 < 0.9 < large < 1.0


@pytest.mark.parametrize("kwargs", [dict(n=1), dict(n=8, d=0), dict(n=8, trials=0)])
def test_simulation_rejects_bad_sizes(kwargs):
    n = kwargs.pop("n")
    with pytest.raises(ValueError):
        simulate_dilution(n, gap=1.0, **kwargs)


def test_bad_closed_form_input():
    with pytest.raises(ValueError):
        gap_for_weight(1.0, 512)
    with pytest.raises(ValueError):
        gap_for_weight(0.5, 1)
    with pytest.raises(ValueError):
        relevant_weight(0, 1.0)
    with pytest.raises(ValueError):
        relevant_weight(4, 1.0, distractor_std=-1.0)


def test_decoy_term():
    """m near misses at gap g' take their own share; no decoys (or decoys as plain distractors) is the old form."""
    n, g, g_decoy = 128, 6.0, 4.0
    m = torch.arange(0, 9)
    expected = math.exp(g) / (math.exp(g) + m.double() * math.exp(g_decoy) + (n - 1 - m.double()))
    torch.testing.assert_close(relevant_weight(n, g, decoys=m, decoy_gap=g_decoy), expected, rtol=1e-12, atol=0)
    torch.testing.assert_close(
        relevant_weight(n, g, decoys=m, decoy_gap=0.0), relevant_weight(torch.full((9,), n), g), rtol=1e-12, atol=0
    )
    assert relevant_weight(2, 0.0, decoys=1, decoy_gap=0.0).item() == pytest.approx(0.5)


@pytest.mark.parametrize("decoys", [-1, 128])
def test_decoy_count_must_fit(decoys):
    with pytest.raises(ValueError, match="decoys are some of the n - 1 other keys"):
        relevant_weight(128, 5.0, decoys=decoys, decoy_gap=1.0)
