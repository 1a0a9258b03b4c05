"""σReparam's linear layer (course_utils/core/sigma_reparam.py): its spectral norm and its gradients."""

import pytest
import torch

from course_utils.core.sigma_reparam import SigmaReparamLinear


def test_sigma_reparam_weight_has_spectral_norm_gamma():
    """Once the power iteration has converged (each training forward adds one step), the weight used
    has spectral norm gamma. At construction the 20 steps can leave a few per cent of error on some random
    inits, so the test seeds the init and runs training forwards first."""
    torch.manual_seed(0)
    layer = SigmaReparamLinear(16, 24)
    with torch.no_grad():
        layer.gamma.fill_(2.5)
        for _ in range(200):
            layer(torch.zeros(1, 16))  # training mode: one power step each
    effective = layer.effective_weight()
    torch.testing.assert_close(effective, layer.gamma / layer.sigma() * layer.weight)
    assert torch.linalg.matrix_norm(effective, ord=2).item() == pytest.approx(2.5, rel=1e-3)
    x = torch.randn(3, 16)
    layer.eval()
    torch.testing.assert_close(layer(x), x @ effective.T + layer.bias)


def test_sigma_reparam_trains_gamma():
    """The gradients of gamma and of W match central differences (float64, eval mode so u stays put),
    and W's gradient runs through sigma(W) too: W / sigma(W) does not change when W is scaled, so the
    gradient is orthogonal to W (it would not be if sigma were a constant)."""
    torch.manual_seed(0)
    layer = SigmaReparamLinear(8, 6).double().eval()
    x = torch.randn(4, 8, dtype=torch.float64)
    with torch.no_grad():
        layer.gamma.fill_(1.7)
        layer.bias.zero_()  # with a bias, scaling W would move the output relative to it

    def loss() -> torch.Tensor:
        return layer(x).pow(2).sum()

    loss().backward()
    assert layer.gamma.grad is not None and layer.weight.grad is not None
    gamma_grad, weight_grad = layer.gamma.grad.clone(), layer.weight.grad.clone()
    direction = torch.randn_like(layer.weight)
    eps = 1e-6
    with torch.no_grad():
        layer.gamma.add_(eps)
        up = loss()
        layer.gamma.sub_(2 * eps)
        down = loss()
        layer.gamma.add_(eps)
        assert gamma_grad.item() == pytest.approx(((up - down) / (2 * eps)).item(), rel=1e-6)
        layer.weight += eps * direction
        up = loss()
        layer.weight -= 2 * eps * direction
        down = loss()
        layer.weight += eps * direction
        assert (weight_grad * direction).sum().item() == pytest.approx(((up - down) / (2 * eps)).item(), rel=1e-5)
    assert weight_grad.abs().max() > 1e-3
    assert (weight_grad * layer.weight).sum().item() == pytest.approx(0.0, abs=1e-9 * weight_grad.norm().item())
