"""Ways for a head to attend to nothing: one more key, a sigmoid instead of the softmax, or an output gate.

A softmax head spends a total weight of 1 on the keys it sees, so a head with nothing to read parks the
weight on a token that costs little, the first one: an attention sink (notebook 04). Each fix gives the
head another way out. They share one interface, `SinkFix`, whose two methods the model's attention
(`course_utils.core.block_attention.BlockAttention`) calls:

- `scores_to_weights(scores, q)` turns a head's scores into weights. "softmax1", "learned_sink",
  "sink_key" and "sink_kv" add one key that every query sees (`ExtraKey`, `sink_softmax`);
  "sigmoid" replaces the softmax (`sigmoid_weights`).
- `adjust_head_outputs(out, weights, x)` changes the heads' outputs: "sink_kv" adds its extra value's share
  (`add_sink_value`), "gate" multiplies each head's output by a gate computed from x.

`make_sink_fix(name, ...)` builds a fix by name ("none" is `NoSinkFix`), as `make_positional` builds a
positional scheme.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_utils.core.attention import stable_softmax

#: Sigmoid attention's starting bias, about -log 64: at initialisation a row of 64 keys sums to
#: about 1, as Ramapuram et al. (2024) arrange with b = -log n.
SIGMOID_BIAS_INIT = -4.0

#: Learned keys and values start with the spread of an ordinary one at initialisation: a LayerNormed
#: x (unit variance) times nn.Linear's default weights (variance 1 / (3 d_model)).
KEY_INIT_STD = 3**-0.5


def sink_softmax(scores: Tensor, sink_logit: Tensor) -> Tensor:
    """The softmax over the keys and one extra key of score `sink_logit`, leaving out the extra key's weight.

    scores: (..., n_q, n_k), -inf where masked; sink_logit: broadcastable to (..., n_q, 1) -> weights
    (..., n_q, n_k), which sum to less than 1: the rest went to the extra key. A zero sink logit gives
    softmax1, `exp(s_j) / (1 + Σ_i exp(s_i))`.
    Example: `sink_softmax(scores, torch.zeros(1, 1))` (softmax1)
    """
    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)  # (..., n_q, 1)
    return stable_softmax(torch.cat([scores, extra], dim=-1))[..., :-1]


def add_sink_value(out: Tensor, weights: Tensor, sink_value: Tensor) -> Tensor:
    """The output with the extra key's value added at the weight the extra key took (1 - Σ weights).

    out: (..., n_q, d_v) = weights @ v; weights: (..., n_q, n_k) from `sink_softmax`; sink_value:
    broadcastable to (..., 1, d_v) -> (..., n_q, d_v).
    Example: `out = add_sink_value(weights @ v, weights, sink_v)`
    """
    return out + (1 - weights.sum(-1, keepdim=True)) * sink_value.to(out.dtype)


def sigmoid_weights(scores: Tensor, bias: Tensor) -> Tensor:
    """Sigmoid attention's weights, sigmoid(s + b), not normalised: a row sums to anything from 0 to n_k.

    scores: (..., n_q, n_k), -inf where masked (weight 0); bias: broadcastable to them, e.g. (heads, 1, 1).
    Example: `weights = sigmoid_weights(scores, torch.tensor(SIGMOID_BIAS_INIT))`
    """
    return torch.sigmoid(scores + bias.to(scores.dtype))


class SinkFix(nn.Module):
    """The interface of a fix: by default `scores_to_weights` is the softmax and `adjust_head_outputs`
    leaves the heads' outputs as they are; a fix overrides one method or both.
    """

    def scores_to_weights(self, scores: Tensor, q: Tensor) -> Tensor:
        """scores: (B, H, n_q, n_k), -inf where masked; q: (B, H, n_q, d), before any rotation -> weights
        (B, H, n_q, n_k)."""
        return stable_softmax(scores)

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        """out: (B, H, n, d), the heads' outputs `weights @ v`; x: (B, n, d_model), the attention's input
        -> (B, H, n, d)."""
        return out


class NoSinkFix(SinkFix):
    """No fix ("none"): the softmax's weights and the heads' outputs as they are.

    Example: `NoSinkFix().scores_to_weights(scores, q)` is `stable_softmax(scores)`
    """


class ExtraKey(SinkFix):
    """One more key that every query sees, with a zero value: the weight it takes adds nothing to the output.

    Subclasses say what its score is (`extra_logit`).
    """

    def extra_logit(self, q: Tensor) -> Tensor:
        """The extra key's score, broadcastable to (B, H, n_q, 1)."""
        raise NotImplementedError

    def scores_to_weights(self, scores: Tensor, q: Tensor) -> Tensor:
        return sink_softmax(scores, self.extra_logit(q))


class Softmax1(ExtraKey):
    """softmax1 (Miller, 2023): the extra key's score is 0, so a weight is exp(s_j) / (1 + Σ_i exp(s_i)).

    Example: `Softmax1(heads=4)`
    """

    sink_logit: Tensor  # a buffer, (heads,)

    def __init__(self, heads: int) -> None:
        super().__init__()
        self.register_buffer("sink_logit", torch.zeros(heads))  # (heads,): saved with the model, never trained

    def extra_logit(self, q: Tensor) -> Tensor:
        return self.sink_logit[:, None, None]  # (heads, 1, 1)


class LearnedSink(ExtraKey):
    """The extra key's score is learned, one per head, starting at `sink_init` (> 0: a head start over BOS).

    Example: `LearnedSink(heads=4, sink_init=4.0)`
    """

    def __init__(self, heads: int, sink_init: float = 0.0) -> None:
        super().__init__()
        self.sink_logit = nn.Parameter(torch.full((heads,), float(sink_init)))  # (heads,)

    def extra_logit(self, q: Tensor) -> Tensor:
        return self.sink_logit[:, None, None]  # (heads, 1, 1)


class SinkKey(ExtraKey):
    """A learned key k* per head with a zero value: the extra score q·k*/√d depends on the query (on its
    content only: the key has no position). Gu et al. (2024) add such learnable key biases.

    Example: `SinkKey(heads=4, head_dim=16)`
    """

    def __init__(self, heads: int, head_dim: int) -> None:
        super().__init__()
        self.sink_key = nn.Parameter(torch.randn(heads, head_dim) * KEY_INIT_STD)  # (heads, head_dim)

    def extra_logit(self, q: Tensor) -> Tensor:
        return q @ self.sink_key[:, :, None] / math.sqrt(q.shape[-1])  # (B, H, n_q, 1)


class SinkKeyValue(SinkKey):
    """A learned key k* and value v* per head: an explicit attention bias (Sun et al., 2024).

    Example: `SinkKeyValue(heads=4, head_dim=16)`
    """

    def __init__(self, heads: int, head_dim: int) -> None:
        super().__init__(heads, head_dim)
        self.sink_value = nn.Parameter(torch.randn(heads, head_dim) * KEY_INIT_STD)  # (heads, head_dim)

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        return add_sink_value(out, weights, self.sink_value[:, None, :])  # v*: (heads, 1, head_dim)


class SigmoidAttention(SinkFix):
    """sigmoid(s + b) instead of the softmax, with a learned bias b per head starting at `SIGMOID_BIAS_INIT`
    and no normalisation (Gu et al., 2024; Ramapuram et al., 2024).

    Example: `SigmoidAttention(heads=4)`
    """

    def __init__(self, heads: int) -> None:
        super().__init__()
        self.sigmoid_bias = nn.Parameter(torch.full((heads,), SIGMOID_BIAS_INIT))  # (heads,)

    def scores_to_weights(self, scores: Tensor, q: Tensor) -> Tensor:
        return sigmoid_weights(scores, self.sigmoid_bias[:, None, None])  # b: (heads, 1, 1)


class OutputGate(SinkFix):
    """Each head's output times a sigmoid gate computed from the attention's input (gated attention,
    Qiu et al., 2025): a head can switch itself off without parking its weight.

    Example: `OutputGate(d_model=64)`
    """

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.gate = nn.Linear(d_model, d_model)

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        gate = torch.sigmoid(self.gate(x))  # (B, n, d_model): one gate per head channel
        return out * gate.unflatten(-1, (out.shape[1], -1)).transpose(1, 2)  # (B, H, n, d)


#: Each fix by name: factory(d_model, heads, sink_init) -> the fix.
_FACTORIES: dict[str, Callable[[int, int, float], SinkFix]] = {
    "none": lambda d_model, heads, sink_init: NoSinkFix(),
    "softmax1": lambda d_model, heads, sink_init: Softmax1(heads),
    "learned_sink": lambda d_model, heads, sink_init: LearnedSink(heads, sink_init),
    "sink_key": lambda d_model, heads, sink_init: SinkKey(heads, d_model // heads),
    "sink_kv": lambda d_model, heads, sink_init: SinkKeyValue(heads, d_model // heads),
    "sigmoid": lambda d_model, heads, sink_init: SigmoidAttention(heads),
    "gate": lambda d_model, heads, sink_init: OutputGate(d_model),
}
SINK_FIXES = tuple(_FACTORIES)


def make_sink_fix(name: str, *, d_model: int, heads: int, sink_init: float = 0.0) -> SinkFix:
    """Build a fix by name: one of `SINK_FIXES` (`sink_init` is "learned_sink"'s starting score).

    Example: `make_sink_fix("sink_kv", d_model=64, heads=4)`
    """
    if d_model % heads:
        raise ValueError(f"d_model={d_model} must be divisible by heads={heads}")
    if name not in _FACTORIES:
        raise ValueError(f"unknown sink_fix {name!r}; choose one of {SINK_FIXES}")
    return _FACTORIES[name](d_model, heads, sink_init)
