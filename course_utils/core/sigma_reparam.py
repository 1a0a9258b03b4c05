"""Building blocks of the model that are not attention itself: layers the config can swap in.

`SigmaReparamLinear` is the linear layer that `GPTConfig(sigma_reparam=True)` uses in every block
(notebook 05 explains why).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class SigmaReparamLinear(nn.Linear):
    """σReparam's linear layer: the weight used is `gamma / sigma(W) * W`.

    Zhai et al., "Stabilizing Transformer Training by Preventing Attention Entropy Collapse", 2023.
    sigma(W) is W's largest singular value, estimated by one power-iteration step per training
    forward, and gamma is a learned scalar (initialised to 1).

    Example:
        >>> SigmaReparamLinear(64, 192)(torch.ones(2, 64)).shape
        torch.Size([2, 192])
    """

    u: Tensor  # a buffer, (out_features,): the power iteration's left singular vector estimate

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__(in_features, out_features, bias=bias)
        self.gamma = nn.Parameter(torch.ones(()))
        u = torch.randn(out_features, generator=torch.Generator().manual_seed(0))
        self.register_buffer("u", u / u.norm())
        with torch.no_grad():
            for _ in range(20):  # start near the estimate (not always within 1e-3; training forwards refine it)
                self._power_step()

    def _power_step(self) -> None:
        v = self.weight.detach().T @ self.u
        v = v / v.norm().clamp_min(1e-12)
        u = self.weight.detach() @ v
        self.u.copy_(u / u.norm().clamp_min(1e-12))

    def sigma(self) -> Tensor:
        """The current estimate of the largest singular value (differentiable in the weight)."""
        v = self.weight.detach().T @ self.u
        v = v / v.norm().clamp_min(1e-12)
        return self.u @ self.weight @ v

    def effective_weight(self) -> Tensor:
        """The weight the layer applies, `gamma / sigma(W) * W`: (out_features, in_features).

        Example:
            >>> layer, x = SigmaReparamLinear(8, 4).eval(), torch.randn(2, 8)
            >>> torch.allclose(layer(x), x @ layer.effective_weight().T + layer.bias)
            True
        """
        return self.gamma / self.sigma() * self.weight

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            with torch.no_grad():
                self._power_step()
        return nn.functional.linear(x, self.effective_weight(), self.bias)
