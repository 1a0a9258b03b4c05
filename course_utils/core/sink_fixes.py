"""Ways for a head to attend to nothing: one more key, a sigmoid instead of the softmax, or an output gate.

A softmax head spends a total weight of 1 on the keys it sees, so a head with nothing to read parks the
weight on a token that costs little, the first one: an attention sink (notebook 04). Each fix gives the
head another way out. They share one interface, `SinkFix`, whose two methods the model's attention
(`course_utils.core.model_attention.ModelAttention`) calls:

- `scores_to_weights(scores, unrotated_q)` turns a head's scores into weights. "softmax1", "learned_sink",
  "sink_key" and "sink_kv" add one key that every query sees (`ExtraKey`, `sink_softmax`);
  "sigmoid" replaces the softmax (`sigmoid_weights`).
- `adjust_head_outputs(out, weights, x)` changes the heads' outputs: "sink_kv" adds its extra value's share
  (`add_sink_value`), "gate" multiplies each head's output by a gate computed from x.

`SINK_FIXES` holds the fixes by name ("none" is `NoSinkFix`); every fix is built from `d_model` and `heads`,
"learned_sink" from its starting score `sink_init` too, and `make_sink_fix(name, ...)` builds one by name.
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

    Example:
        >>> sink_softmax(torch.zeros(1, 3), torch.zeros(1, 1))  # softmax1: the extra key takes a quarter
        tensor([[0.2500, 0.2500, 0.2500]])
    """
    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)  # (..., n_q, 1)
    return stable_softmax(torch.cat([scores, extra], dim=-1))[..., :-1]


def add_sink_value(out: Tensor, weights: Tensor, sink_value: Tensor) -> Tensor:
    """The output with the extra key's value added at the weight the extra key took (1 - Σ weights).

    out: (..., n_q, d_v) = weights @ v; weights: (..., n_q, n_k) from `sink_softmax`; sink_value:
    broadcastable to (..., 1, d_v) -> (..., n_q, d_v).

    Example:
        >>> weights = torch.tensor([[0.25, 0.25, 0.25]])  # the extra key took 0.25
        >>> add_sink_value(weights @ torch.zeros(3, 2), weights, torch.tensor([[4.0, 8.0]]))
        tensor([[1., 2.]])
    """
    return out + (1 - weights.sum(-1, keepdim=True)) * sink_value.to(out.dtype)


def sigmoid_weights(scores: Tensor, bias: Tensor) -> Tensor:
    """Sigmoid attention's weights, sigmoid(s + b), not normalised: a row sums to anything from 0 to n_k.

    scores: (..., n_q, n_k), -inf where masked (weight 0); bias: broadcastable to them, e.g. (heads, 1, 1).

    Example:
        >>> sigmoid_weights(torch.tensor([[4.0, float("-inf")]]), torch.tensor(SIGMOID_BIAS_INIT))
        tensor([[0.5000, 0.0000]])
    """
    return torch.sigmoid(scores + bias.to(scores.dtype))


class SinkFix(nn.Module):
    """The interface of a fix: by default `scores_to_weights` is the softmax and `adjust_head_outputs`
    leaves the heads' outputs as they are; a fix overrides one method or both.

    Every fix is built from the attention's width `d_model` and its number of `heads`; "learned_sink" also
    takes its starting score `sink_init`.
    """

    def __init__(self, *, d_model: int, heads: int) -> None:
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model={d_model} must be divisible by heads={heads}; choose heads among its divisors")

    def scores_to_weights(self, scores: Tensor, unrotated_q: Tensor) -> Tensor:
        """scores: (B, H, n_q, n_k), -inf where masked; unrotated_q: (B, H, n_q, d), the queries before any
        rotary rotation (an extra key has no position) -> weights (B, H, n_q, n_k)."""
        return stable_softmax(scores)

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        """out: (B, H, n, d), the heads' outputs `weights @ v`; x: (B, n, d_model), the attention's input
        -> (B, H, n, d)."""
        return out


class NoSinkFix(SinkFix):
    """No fix ("none"): the softmax's weights and the heads' outputs as they are.

    Example:
        >>> scores = torch.tensor([[1.0, 2.0]])
        >>> weights = NoSinkFix(d_model=8, heads=2).scores_to_weights(scores, torch.zeros(1, 4))
        >>> torch.equal(weights, stable_softmax(scores))
        True
    """


class ExtraKey(SinkFix):
    """One more key that every query sees, with a zero value: the weight it takes adds nothing to the output.

    Subclasses say what its score is (`extra_logit`).
    """

    def extra_logit(self, unrotated_q: Tensor) -> Tensor:
        """The extra key's score for the queries unrotated_q (B, H, n_q, d), broadcastable to (B, H, n_q, 1)."""
        raise NotImplementedError

    def scores_to_weights(self, scores: Tensor, unrotated_q: Tensor) -> Tensor:
        return sink_softmax(scores, self.extra_logit(unrotated_q))


class Softmax1(ExtraKey):
    """softmax1 (Miller, 2023): the extra key's score is 0, so a weight is exp(s_j) / (1 + Σ_i exp(s_i)).

    Example:
        >>> Softmax1(d_model=64, heads=4).sink_logit
        tensor([0., 0., 0., 0.])
    """

    sink_logit: Tensor  # a buffer, (heads,)

    def __init__(self, *, d_model: int, heads: int) -> None:
        super().__init__(d_model=d_model, heads=heads)
        self.register_buffer("sink_logit", torch.zeros(heads))  # (heads,): saved with the model, never trained

    def extra_logit(self, unrotated_q: Tensor) -> Tensor:
        return self.sink_logit[:, None, None]  # (heads, 1, 1)


class LearnedSink(ExtraKey):
    """The extra key's score is learned, one per head, starting at `sink_init` (> 0: a head start over BOS).

    Example:
        >>> LearnedSink(d_model=64, heads=4, sink_init=4.0).sink_logit
        Parameter containing:
        tensor([4., 4., 4., 4.], requires_grad=True)
    """

    def __init__(self, *, d_model: int, heads: int, sink_init: float = 0.0) -> None:
        super().__init__(d_model=d_model, heads=heads)
        self.sink_logit = nn.Parameter(torch.full((heads,), float(sink_init)))  # (heads,)

    def extra_logit(self, unrotated_q: Tensor) -> Tensor:
        return self.sink_logit[:, None, None]  # (heads, 1, 1)


class SinkKey(ExtraKey):
    """A learned key k* per head with a zero value: the extra score q·k*/√d depends on the query (on its
    content only: the key has no position). Gu et al. (2024) add such learnable key biases.

    Example:
        >>> SinkKey(d_model=64, heads=4).sink_key.shape
        torch.Size([4, 16])
    """

    def __init__(self, *, d_model: int, heads: int) -> None:
        super().__init__(d_model=d_model, heads=heads)
        self.sink_key = nn.Parameter(torch.randn(heads, d_model // heads) * KEY_INIT_STD)  # (heads, head_dim)

    def extra_logit(self, unrotated_q: Tensor) -> Tensor:
        return unrotated_q @ self.sink_key[:, :, None] / math.sqrt(unrotated_q.shape[-1])  # (B, H, n_q, 1)


class SinkKeyValue(SinkKey):
    """A learned key k* and value v* per head: an explicit attention bias (Sun et al., 2024).

    Example:
        >>> SinkKeyValue(d_model=64, heads=4).sink_value.shape
        torch.Size([4, 16])
    """

    def __init__(self, *, d_model: int, heads: int) -> None:
        super().__init__(d_model=d_model, heads=heads)
        self.sink_value = nn.Parameter(torch.randn(heads, d_model // heads) * KEY_INIT_STD)  # (heads, head_dim)

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        return add_sink_value(out, weights, self.sink_value[:, None, :])  # v*: (heads, 1, head_dim)


class SigmoidAttention(SinkFix):
    """sigmoid(s + b) instead of the softmax, with a learned bias b per head starting at `SIGMOID_BIAS_INIT`
    and no normalisation (Gu et al., 2024; Ramapuram et al., 2024).

    Example:
        >>> SigmoidAttention(d_model=64, heads=4).sigmoid_bias
        Parameter containing:
        tensor([-4., -4., -4., -4.], requires_grad=True)
    """

    def __init__(self, *, d_model: int, heads: int) -> None:
        super().__init__(d_model=d_model, heads=heads)
        self.sigmoid_bias = nn.Parameter(torch.full((heads,), SIGMOID_BIAS_INIT))  # (heads,)

    def scores_to_weights(self, scores: Tensor, unrotated_q: Tensor) -> Tensor:
        return sigmoid_weights(scores, self.sigmoid_bias[:, None, None])  # b: (heads, 1, 1)


class OutputGate(SinkFix):
    """Each head's output times a sigmoid gate computed from the attention's input (gated attention,
    Qiu et al., 2025): the gate can scale a head's output towards zero; where the head's weights then go is
    left to training.

    Example:
        >>> OutputGate(d_model=64, heads=4).gate
        Linear(in_features=64, out_features=64, bias=True)
    """

    def __init__(self, *, d_model: int, heads: int) -> None:
        super().__init__(d_model=d_model, heads=heads)
        self.gate = nn.Linear(d_model, d_model)

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        gate = torch.sigmoid(self.gate(x))  # (B, n, d_model): one gate per head channel
        return out * gate.unflatten(-1, (out.shape[1], -1)).transpose(1, 2)  # (B, H, n, d)


#: Each fix by its `GPTConfig.sink_fix` name. A fix's class is its builder: every one takes `d_model` and
#: `heads`, and "learned_sink" its `sink_init` too (`make_sink_fix`).
SINK_FIXES: dict[str, Callable[..., SinkFix]] = {
    "none": NoSinkFix,
    "softmax1": Softmax1,
    "learned_sink": LearnedSink,
    "sink_key": SinkKey,
    "sink_kv": SinkKeyValue,
    "sigmoid": SigmoidAttention,
    "gate": OutputGate,
}


def make_sink_fix(name: str, *, d_model: int, heads: int, sink_init: float = 0.0) -> SinkFix:
    """Build a fix by name: one of `SINK_FIXES` (`sink_init` is "learned_sink"'s starting score, and must
    stay 0.0 for the others: they would ignore it).

    Example:
        >>> make_sink_fix("sink_kv", d_model=64, heads=4)
        SinkKeyValue()
    """
    if name not in SINK_FIXES:
        raise ValueError(f"unknown sink_fix {name!r}; choose one of {tuple(SINK_FIXES)}")
    if sink_init != 0.0 and name != "learned_sink":
        raise ValueError(
            f"sink_init={sink_init!r} is the starting score of sink_fix='learned_sink', but sink_fix={name!r} "
            "would ignore it; leave sink_init at 0.0 or use 'learned_sink'"
        )
    if name == "learned_sink":
        return LearnedSink(d_model=d_model, heads=heads, sink_init=sink_init)
    return SINK_FIXES[name](d_model=d_model, heads=heads)
