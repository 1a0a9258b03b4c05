"""Scaled dot-product attention from scratch, and multi-head attention built on it.

    scores  = q kᵀ / √d            (..., n_q, n_k)
    weights = softmax(scores)      rows sum to 1 over the visible keys
    out     = weights v            (..., n_q, d_v)
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor, nn

from course_utils.core.dilated import check_patterns, dilated_attention
from course_utils.core.logits import IdentityLogits
from course_utils.core.positional import NoPositions, PositionalScheme


def stable_softmax(scores: Tensor, dim: int = -1) -> Tensor:
    """Softmax that subtracts the row maximum first, so exp never overflows.

    Rows whose entries are all -inf (every key masked) come out as zeros, not NaN.

    Example: `stable_softmax(torch.tensor([1000.0, 1000.0]))` -> tensor([0.5, 0.5])
    """
    row_max = scores.amax(dim=dim, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    exp = torch.exp(scores - row_max)
    total = exp.sum(dim=dim, keepdim=True)
    return exp / total.clamp_min(torch.finfo(exp.dtype).tiny)


def causal_mask(n_q: int, n_k: int, *, device: torch.device | None = None) -> Tensor:
    """Boolean (n_q, n_k), True where query i may see key j.

    Queries are aligned to the *end* of the keys (as with a key-value cache): query i sits
    at position i + n_k - n_q and sees keys up to and including that position.

    Example: `causal_mask(3, 3)` is lower-triangular.
    """
    if n_q > n_k:
        raise ValueError(f"a causal mask needs n_q <= n_k, got n_q={n_q}, n_k={n_k}")
    return torch.ones(n_q, n_k, dtype=torch.bool, device=device).tril(diagonal=n_k - n_q)


def _check_qkv(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> None:
    for name, x in (("q", q), ("k", k), ("v", v)):
        if x.dim() < 2:
            raise ValueError(f"{name} must have shape (..., n, d), got {tuple(x.shape)}")
        if not x.is_floating_point():
            raise ValueError(f"{name} must be a floating-point tensor, got {x.dtype}")
    if not (q.dtype == k.dtype == v.dtype):
        raise ValueError(f"q, k, v must share a dtype, got {q.dtype}, {k.dtype}, {v.dtype}; cast them first")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k need the same last dimension d, got q {tuple(q.shape)} and k {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v need the same number of keys n_k, got k {tuple(k.shape)} and v {tuple(v.shape)}")
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError(
            f"q, k, v need the same leading (batch, heads) dimensions, got "
            f"{tuple(q.shape[:-2])}, {tuple(k.shape[:-2])}, {tuple(v.shape[:-2])}"
        )
    if mask is not None:
        if mask.dtype != torch.bool:
            raise ValueError(f"mask must be boolean (True = keep), got {mask.dtype}")
        n_q, n_k = q.shape[-2], k.shape[-2]
        if mask.shape[-2:] != (n_q, n_k):
            raise ValueError(f"mask must end in (n_q, n_k) = ({n_q}, {n_k}), got {tuple(mask.shape)}")


#: Default memory budget for one materialised score matrix (`attention(..., max_score_bytes=)`).
SCORE_BUDGET_BYTES = 4 * 2**30


class ScoreBudgetError(ValueError):
    """Raised by `attention` when the (..., n_q, n_k) score matrix would exceed `max_score_bytes`.

    A `ValueError`, so existing `except ValueError` code still catches it; `course_utils.chapters.bench`
    catches it by type and records the size as "refused".
    Example: `try: attention(q, k, v, max_score_bytes=2**20) except ScoreBudgetError: ...`
    """


def score_matrix_bytes(q: Tensor, k: Tensor) -> int:
    """Bytes of the (..., n_q, n_k) score matrix that `attention(q, k, v)` would materialise.

    Example: `score_matrix_bytes(torch.empty(1, 8, 1024, 64), torch.empty(1, 8, 1024, 64))` -> 33554432
    """
    leading = math.prod(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]))
    return leading * q.shape[-2] * k.shape[-2] * q.element_size()


def attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    *,
    causal: bool = False,
    mask: Tensor | None = None,
    bias: Tensor | None = None,
    logit_transform: Callable[[Tensor], Tensor] | None = None,
    sink_logit: Tensor | None = None,
    sink_value: Tensor | None = None,
    sigmoid_bias: Tensor | None = None,
    max_score_bytes: int | None = SCORE_BUDGET_BYTES,
) -> tuple[Tensor, Tensor]:
    """Scaled dot-product attention that also returns its weights.

    q: (..., n_q, d), k: (..., n_k, d), v: (..., n_k, d_v) with equal leading dimensions.
    mask: boolean, broadcastable to (..., n_q, n_k), True = the query may see the key.
    causal: also hide future keys (see `causal_mask` for the alignment).
    bias: added to the scores before the transform (ALiBi), broadcastable to (..., n_q, n_k).
    logit_transform: a function of the biased scores applied before masking.
    sink_logit: the score of one extra key whose value is zero, broadcastable to (..., n_q, 1)
    (e.g. (heads, 1, 1)): attention that goes there adds nothing to the output. A zero sink logit
    is softmax1, `exp(s_j) / (1 + sum_i exp(s_i))`; a learned one is a per-head "sink" parameter.
    sink_value: the extra key's value instead of zero, broadcastable to (..., 1, d_v); needs sink_logit.
    sigmoid_bias: replace the softmax by `sigmoid(s_ij + b)` with no normalisation (sigmoid attention),
    b broadcastable to (..., n_q, n_k), e.g. (heads, 1, 1); masked keys get weight 0. Not with a sink.
    Returns out: (..., n_q, d_v) and weights: (..., n_q, n_k). A query that sees no key gets
    zero weights and a zero output. With a sink logit the weights sum to less than 1: the rest
    went to the extra key. Sigmoid weights sum to anything from 0 to n_k.
    max_score_bytes: refuse (`ScoreBudgetError`, a ValueError) to build a score matrix larger than this;
    None = no limit.

    Example: `out, weights = attention(q, k, v, causal=True)`
    """
    _check_qkv(q, k, v, mask)
    if sink_value is not None and sink_logit is None:
        raise ValueError("sink_value is the value of the extra key: pass its sink_logit too")
    if sigmoid_bias is not None and sink_logit is not None:
        raise ValueError("sigmoid attention does not normalise, so it needs no extra key: pass sigmoid_bias "
                         "or sink_logit, not both")
    needed = score_matrix_bytes(q, k)
    if max_score_bytes is not None and needed > max_score_bytes:
        raise ScoreBudgetError(
            f"the score matrix {tuple(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]))} x {q.shape[-2]} x "
            f"{k.shape[-2]} would need {needed / 2**30:.2f} GiB, over the budget of {max_score_bytes / 2**30:.2f} GiB; "
            "use course_utils.chapters.flash.online_softmax_attention (memory linear in n), a shorter sequence, "
            "or pass a larger max_score_bytes if the machine has the memory")
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., n_q, n_k)
    if bias is not None:
        scores = scores + bias
    if logit_transform is not None:
        scores = logit_transform(scores)
    keep = mask
    if causal:
        tri = causal_mask(q.shape[-2], k.shape[-2], device=q.device)
        keep = tri if keep is None else keep & tri
    if keep is not None:
        scores = scores.masked_fill(~keep, float("-inf"))
    if sigmoid_bias is not None:
        weights = torch.sigmoid(scores + sigmoid_bias.to(scores.dtype))  # sigmoid(-inf) = 0 for masked keys
        return weights @ v, weights
    if sink_logit is None:
        weights = stable_softmax(scores, dim=-1)
        return weights @ v, weights
    extra = sink_logit.to(scores.dtype).expand(*scores.shape[:-1], 1)  # (..., n_q, 1)
    weights = stable_softmax(torch.cat([scores, extra], dim=-1), dim=-1)[..., :-1]
    out = weights @ v
    if sink_value is not None:
        out = out + (1 - weights.sum(-1, keepdim=True)) * sink_value.to(out.dtype)  # the extra key's share
    return out, weights


#: Sigmoid attention's starting bias, about -log 64: at initialisation a row of 64 keys sums to
#: about 1, as Ramapuram et al. (2024) arrange with b = -log n.
SIGMOID_BIAS_INIT = -4.0
SINK_FIXES = ("none", "softmax1", "learned_sink", "sink_key", "sink_kv", "sigmoid", "gate")


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention with pluggable positions, logit transform and sink fix.

    x: (batch, n, d_model) -> (batch, n, d_model), and weights (batch, heads, n, n) on request.
    The positional scheme rotates q, k (RoPE) or biases the scores (ALiBi); absolute schemes act
    on the embeddings before the first block instead.
    `sink_fix` gives a head a way to attend to nothing (see the sinks chapter): "softmax1" adds a
    zero-logit key with a zero value; "learned_sink" the same key with a learned logit per head
    (`sink_logit`, starting at `sink_init`); "sink_key" a learned key per head with a zero value, so
    the extra logit q.k*/sqrt(d) depends on the query (its unrotated content: the key has no
    position); "sink_kv" a learned key and value per head (an explicit attention bias, Sun et al.,
    2024); "sigmoid" replaces the softmax by sigmoid(s + b) with a learned bias b per head, starting
    at SIGMOID_BIAS_INIT, and no normalisation (Gu et al., 2024; Ramapuram et al., 2024); "gate"
    multiplies each head's output by a sigmoid gate computed from x (gated attention, Qiu et al.,
    2025). `linear` builds the projections (e.g. `SigmaReparamLinear`).
    `dilated=(segment_lengths, dilation_rates)` replaces dense attention by LongNet's dilated
    attention (`course_utils.core.dilated`); a causal sequence is padded at the end to a multiple of every
    segment length (exact: no query sees a future pad). It works with rotary or no positions only and
    never forms the (n, n) weights.

    Example: `mha = MultiHeadAttention(64, 4, positional=RoPE(16)); y, w = mha(x, need_weights=True)`
    """

    def __init__(
        self,
        d_model: int,
        heads: int,
        *,
        positional: PositionalScheme | None = None,
        logit_transform: nn.Module | None = None,
        sink_fix: str = "none",
        sink_init: float = 0.0,
        linear: type[nn.Linear] = nn.Linear,
        dilated: tuple[list[int], list[int]] | None = None,
    ) -> None:
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model={d_model} must be divisible by heads={heads}")
        if sink_fix not in SINK_FIXES:
            raise ValueError(f"unknown sink_fix {sink_fix!r}; choose one of {SINK_FIXES}")
        self.heads = heads
        self.head_dim = d_model // heads
        self.qkv = linear(d_model, 3 * d_model)
        self.proj = linear(d_model, d_model)
        self.positional = positional if positional is not None else NoPositions()
        self.logit_transform = logit_transform if logit_transform is not None else IdentityLogits()
        self.sink_fix = sink_fix
        if sink_fix == "learned_sink":
            self.sink_logit = nn.Parameter(torch.full((heads,), float(sink_init)))  # (heads,)
        else:
            self.register_buffer("sink_logit", torch.zeros(heads) if sink_fix == "softmax1" else None)
        # Learned keys and values start with the spread of an ordinary one at initialisation: a
        # LayerNormed x (unit variance) times nn.Linear's default weights (variance 1 / (3 d_model)).
        spread = 3 ** -0.5
        self.sink_key = (nn.Parameter(torch.randn(heads, self.head_dim) * spread)
                         if sink_fix in ("sink_key", "sink_kv") else None)  # (heads, head_dim)
        self.sink_value = (nn.Parameter(torch.randn(heads, self.head_dim) * spread)
                           if sink_fix == "sink_kv" else None)  # (heads, head_dim)
        self.sigmoid_bias = (nn.Parameter(torch.full((heads,), SIGMOID_BIAS_INIT))
                             if sink_fix == "sigmoid" else None)  # (heads,)
        self.gate = nn.Linear(d_model, d_model) if sink_fix == "gate" else None
        self.dilated = dilated
        if dilated is not None:
            check_patterns(math.lcm(*dilated[0]) if dilated[0] else 1, *dilated)
            if (sink_fix != "none" or not isinstance(self.logit_transform, IdentityLogits)
                    or self.positional.adds_bias):
                raise ValueError("dilated attention works with rotary or no positions and no sink fix or "
                                 "logit transform; leave those at their defaults")

    def forward(
        self,
        x: Tensor,
        *,
        positions: Tensor | None = None,
        causal: bool = True,
        mask: Tensor | None = None,
        need_weights: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        if x.dim() != 3:
            raise ValueError(f"x must have shape (batch, n, d_model), got {tuple(x.shape)}")
        batch, n, d_model = x.shape
        if positions is None:
            positions = torch.arange(n, device=x.device)
        q, k, v = self.qkv(x).split(d_model, dim=-1)  # 3 x (B, n, D)
        q, k, v = (t.view(batch, n, self.heads, self.head_dim).transpose(1, 2) for t in (q, k, v))  # (B, H, n, d)
        sink_logit = None if self.sink_logit is None else self.sink_logit[:, None, None]  # (H, 1, 1)
        if self.sink_key is not None:
            sink_logit = q @ self.sink_key[:, :, None] / math.sqrt(self.head_dim)  # (B, H, n, 1), before rotation
        q, k = self.positional.rotate(q, k, positions, positions)
        if self.dilated is not None:
            return self._dilated(x, q, k, v, causal=causal, mask=mask, need_weights=need_weights)
        bias = self.positional.bias(positions, positions)  # (H, n, n) or None
        out, weights = attention(
            q, k, v,
            causal=causal,
            mask=mask,
            bias=bias,
            logit_transform=lambda s: self.logit_transform(s, positions, positions),
            sink_logit=sink_logit,
            sink_value=None if self.sink_value is None else self.sink_value[:, None, :],  # (H, 1, d)
            sigmoid_bias=None if self.sigmoid_bias is None else self.sigmoid_bias[:, None, None],  # (H, 1, 1)
        )  # (B, H, n, d), (B, H, n, n)
        out = out.transpose(1, 2).reshape(batch, n, d_model)  # (B, n, D)
        if self.gate is not None:
            out = out * torch.sigmoid(self.gate(x))  # one gate per head channel, from the same input
        return self.proj(out), (weights if need_weights else None)

    def _dilated(self, x: Tensor, q: Tensor, k: Tensor, v: Tensor, *, causal: bool, mask: Tensor | None,
                 need_weights: bool) -> tuple[Tensor, None]:
        """Dilated attention on q, k, v: (B, H, n, d); pads a causal sequence to a multiple of the segments."""
        if need_weights or mask is not None:
            raise ValueError("dilated attention forms no (n, n) weights and takes no extra mask; "
                             "call it with need_weights=False and mask=None")
        batch, _, n, _ = q.shape
        pad = -n % math.lcm(*self.dilated[0]) if causal else 0  # future pads are invisible to causal queries
        q, k, v = (nn.functional.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
        out = dilated_attention(q, k, v, *self.dilated, causal=causal)[:, :, :n]  # (B, H, n, d)
        return self.proj(out.transpose(1, 2).reshape(batch, n, -1)), None
