import math

import pytest
import torch

from course_utils.core.logits import (
    LOGIT_TRANSFORMS,
    SCALE_INVARIANT_TRANSFORMS,
    IdentityLogits,
    LogNScaling,
    make_logit_transform,
)


def test_identity():
    s = torch.randn(1, 2, 3, 3)
    assert IdentityLogits()(s, torch.arange(3), torch.arange(3)) is s


def test_log_n_scales_by_visible_keys():
    s = torch.ones(1, 1, 4, 4)
    causal = LogNScaling()(s, torch.arange(4), torch.arange(4), causal=True)
    expected = torch.tensor([1.0, 1.0, math.log(3), math.log(4)])  # clamped at 1
    torch.testing.assert_close(causal[0, 0, :, 0], expected)
    full = LogNScaling()(s, torch.arange(4), torch.arange(4), causal=False)
    torch.testing.assert_close(full, torch.full_like(s, math.log(4)))


def test_factory():
    assert isinstance(make_logit_transform("log_n"), LogNScaling)
    assert set(SCALE_INVARIANT_TRANSFORMS) <= set(LOGIT_TRANSFORMS)
    with pytest.raises(ValueError, match="unknown logit transform"):
        make_logit_transform("cubic")


def test_ssmax_scales_by_learned_s_times_log_n():
    from course_utils.core.logits import ScalableSoftmax, visible_keys

    assert visible_keys(torch.arange(3), torch.arange(3), causal=True).tolist() == [1, 2, 3]
    assert visible_keys(torch.arange(2), torch.arange(5), causal=False).tolist() == [5, 5]
    ssmax = make_logit_transform("ssmax", heads=2)
    assert isinstance(ssmax, ScalableSoftmax)
    with torch.no_grad():
        ssmax.s.copy_(torch.tensor([1.0, 2.0]))
    out = ssmax(torch.ones(1, 2, 4, 4), torch.arange(4), torch.arange(4))
    torch.testing.assert_close(out[0, 1, :, 0], 2 * torch.log(torch.arange(1, 5).float()))
    assert isinstance(ssmax, ScalableSoftmax) and ssmax.s.requires_grad
    with pytest.raises(ValueError, match="heads=2"):
        ssmax(torch.ones(1, 3, 4, 4), torch.arange(4), torch.arange(4))


def test_log_n_scaling_normalised_to_a_reference_length():
    from course_utils.core.logits import LogNScaling

    scores = torch.ones(1, 1, 18, 18)
    q = k = torch.arange(18)
    out = LogNScaling(reference=18)(scores, q, k)
    assert out[0, 0, 17, 0].item() == pytest.approx(1.0)  # the query that sees 18 keys: factor 1
    assert out[0, 0, 8, 0].item() == pytest.approx(math.log(9) / math.log(18))
    with pytest.raises(ValueError, match="reference"):
        LogNScaling(reference=1)


def test_the_two_halves_of_the_scale_invariant_transform():
    from course_utils.core.logits import ScaleInvariantLogits, scale_invariant_coefficients

    s, pos = torch.randn(1, 2, 5, 5), torch.arange(5)
    a, m = scale_invariant_coefficients((pos[:, None] - pos[None, :]).float())
    full = make_logit_transform("scale_invariant")(s, pos, pos)
    offset = make_logit_transform("si_offset")(s, pos, pos)
    multiplier = make_logit_transform("si_multiplier")(s, pos, pos)
    torch.testing.assert_close(full, a * s + m)
    torch.testing.assert_close(offset, s + m)
    torch.testing.assert_close(multiplier, a * s)
    with pytest.raises(ValueError, match="neither"):
        ScaleInvariantLogits(multiplier=False, offset=False)
    with pytest.raises(ValueError, match="defined for causal attention.*pass causal=True"):
        make_logit_transform("si_offset")(s, pos, pos, causal=False)
