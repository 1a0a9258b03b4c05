import math

import pytest
import torch

from course_utils.logits import IdentityLogits, LogNScaling, make_logit_transform


def test_identity():
    s = torch.randn(1, 2, 3, 3)
    assert IdentityLogits()(s, torch.arange(3), torch.arange(3)) is s


def test_log_n_scales_by_visible_keys():
    s = torch.ones(1, 1, 4, 4)
    causal = LogNScaling(causal=True)(s, torch.arange(4), torch.arange(4))
    expected = torch.tensor([1.0, 1.0, math.log(3), math.log(4)])  # clamped at 1
    torch.testing.assert_close(causal[0, 0, :, 0], expected)
    full = LogNScaling(causal=False)(s, torch.arange(4), torch.arange(4))
    torch.testing.assert_close(full, torch.full_like(s, math.log(4)))


def test_factory():
    assert isinstance(make_logit_transform("log_n"), LogNScaling)
    with pytest.raises(ValueError, match="unknown logit transform"):
        make_logit_transform("cubic")
