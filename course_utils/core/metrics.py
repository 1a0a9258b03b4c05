"""Summaries of attention weights: how spread out each query's attention is, how peaked, how two differ.

The entropies, `max_weight` and `distance_octave_mass` take `weights: (..., n_q, n_k)`, the softmax
of the scores, so every row sums to 1 (masked keys are exact zeros). Leading dimensions (batch,
heads, ...) are kept. When n_q < n_k the queries are taken to be the *last* n_q positions (as when
decoding with a cache): query i sits at position n_k - n_q + i. Entropies are in nats. `sink_mass`
and `sink_rate` take the (layers, batch, heads, n, n) weights of a whole model: how much each head
puts on the first key. `js_divergence` compares two distributions (two heads' rows of weights, say), in bits.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

_ROW_SUM_TOL = {torch.float64: 1e-6, torch.float32: 1e-3, torch.float16: 2e-2, torch.bfloat16: 2e-2}


def _check_weights(weights: torch.Tensor) -> None:
    """Raise ValueError unless `weights` is a float tensor (..., n_q, n_k) of non-negative rows summing to 1."""
    if not isinstance(weights, torch.Tensor) or not weights.is_floating_point() or weights.dim() < 2:
        raise ValueError(
            "weights must be a floating-point torch.Tensor of shape (..., n_q, n_k); got "
            f"{type(weights).__name__} {getattr(weights, 'shape', '')}. "
            "Wrap arrays with torch.as_tensor"
        )
    if (weights < 0).any():
        raise ValueError("weights contain negative entries; pass softmax outputs, not scores")
    error = (weights.sum(dim=-1, dtype=torch.float64) - 1).abs().max().item()
    if error > _ROW_SUM_TOL.get(weights.dtype, 1e-3):
        raise ValueError(
            f"rows of weights must sum to 1 (largest error {error:.2e}); pass softmax "
            "outputs over the key dimension (the last one)"
        )


def attention_entropy(weights: torch.Tensor) -> torch.Tensor:
    """Entropy of each query's attention distribution, in nats, with 0 * log 0 = 0.

    weights: (..., n_q, n_k) -> (..., n_q). Uniform over m keys gives log m; one-hot gives 0.

    Example:
        >>> attention_entropy(torch.full((4, 4), 0.25))
        tensor([1.3863, 1.3863, 1.3863, 1.3863])
    """
    _check_weights(weights)
    return torch.special.entr(weights).sum(dim=-1)


def normalized_entropy(weights: torch.Tensor, n_visible: int | torch.Tensor | None = None) -> torch.Tensor:
    """Entropy divided by log(number of keys the query can see): 0 = one key, 1 = uniform.

    `n_visible` is the number of keys each query may attend to: an int, or a tensor broadcastable
    to (..., n_q). None means causal attention: query i (at position n_k - n_q + i) sees
    n_k - n_q + i + 1 keys. Pass n_visible=n_k for bidirectional attention. Counting non-zero
    weights instead would be wrong: a visible key's weight can underflow to exactly 0. Rows that see
    a single key return 0. Raises ValueError if a row has more non-zero weights than n_visible.

    weights: (..., n_q, n_k) -> (..., n_q).

    Example:
        >>> normalized_entropy(torch.full((1, 8), 1 / 8), n_visible=8)
        tensor([1.0000])
    """
    _check_weights(weights)
    n_q, n_k = weights.shape[-2:]
    if n_visible is None:
        if n_q > n_k:
            raise ValueError(f"causal attention has n_q <= n_k; got n_q={n_q}, n_k={n_k}. Pass n_visible")
        n_visible = torch.arange(n_k - n_q + 1, n_k + 1, device=weights.device)
    n_visible = torch.as_tensor(n_visible, device=weights.device)
    try:
        n_visible = torch.broadcast_to(n_visible, weights.shape[:-1])
    except RuntimeError:
        raise ValueError(
            f"n_visible of shape {tuple(n_visible.shape)} does not broadcast to the "
            f"query shape {tuple(weights.shape[:-1])}; pass an int or one count per query"
        ) from None
    if (n_visible < 1).any() or (n_visible > n_k).any():
        raise ValueError(f"n_visible must be between 1 and n_k={n_k}; pass n_visible=n_k for non-causal attention")
    if ((weights > 0).sum(dim=-1) > n_visible).any():
        raise ValueError(
            "some rows put weight on more keys than n_visible allows; for non-causal "
            "attention pass n_visible=n_k (or the number of keys each query sees)"
        )
    entropy = torch.special.entr(weights).sum(dim=-1)
    log_n = n_visible.to(weights.dtype).log().clamp_min(math.log(2))  # log 1 = 0: those rows return 0
    return torch.where(n_visible > 1, entropy / log_n, torch.zeros_like(entropy))


def max_weight(weights: torch.Tensor) -> torch.Tensor:
    """The largest weight in each query's row (1 = all attention on one key).

    weights: (..., n_q, n_k) -> (..., n_q).

    Example:
        >>> max_weight(torch.eye(3))
        tensor([1., 1., 1.])
    """
    _check_weights(weights)
    return weights.amax(dim=-1)


def js_divergence(p: Tensor, q: Tensor) -> Tensor:
    """Jensen–Shannon divergence in bits (0 = same distribution, 1 = disjoint supports).

    p, q: (..., n) distributions over the last dimension, broadcastable to each other -> (...).

    Example:
        >>> js_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]))
        tensor(1.)
    """
    try:
        p, q = torch.broadcast_tensors(p, q)
    except RuntimeError as error:
        raise ValueError(
            f"p and q must have the same (or broadcastable) shape, got {tuple(p.shape)} and {tuple(q.shape)}; "
            "pass distributions over the same keys, in the last dimension"
        ) from error
    m = 0.5 * (p + q)

    def kl(a: Tensor) -> Tensor:
        terms = torch.where(a > 0, a * (a.clamp_min(1e-30).log() - m.clamp_min(1e-30).log()), torch.zeros_like(a))
        return terms.sum(-1)

    return (0.5 * kl(p) + 0.5 * kl(q)) / math.log(2)


def distance_octave_mass(weights: torch.Tensor, *, first_query: int = 0) -> torch.Tensor:
    """Mean attention mass per distance octave: bin 0 holds distance 0, bin k >= 1 the distances [2^(k-1), 2^k).

    Averaged over the queries at positions >= `first_query` (choose n // 2 so that every query counted
    sees every octave below n / 2). Queries sit at the last n_q positions.

    weights: (..., n_q, n_k) -> (..., octaves) with octaves = 1 + ceil(log2(n_k)); the bins of a
    row sum to 1.

    Example:
        Queries that attend to themselves put all their mass in octave 0:

        >>> distance_octave_mass(torch.eye(4))
        tensor([1., 0., 0.])

        For the reader's attention `attn` over 1024 keys, the mass on keys 512 or more tokens back:

        >>> distance_octave_mass(attn, first_query=512)[..., -1]  # doctest: +SKIP
    """
    _check_weights(weights)
    n_q, n_k = weights.shape[-2:]
    if not 0 <= first_query < n_k:
        raise ValueError(f"first_query must be a position in [0, {n_k}); got {first_query}: use n_k // 2 = {n_k // 2}")
    q_pos = torch.arange(n_k - n_q, n_k, device=weights.device)
    distance = (q_pos[:, None] - torch.arange(n_k, device=weights.device)[None, :]).clamp_min(0)  # (n_q, n_k)
    octave = torch.where(distance == 0, 0, torch.floor(torch.log2(distance.clamp_min(1).double())).long() + 1)
    bins = 1 + math.ceil(math.log2(n_k)) if n_k > 1 else 1
    kept = q_pos >= first_query
    if not kept.any():
        raise ValueError(f"no query sits at or after position {first_query}; lower first_query")
    rows = weights[..., kept, :]  # (..., kept, n_k)
    one_hot = torch.nn.functional.one_hot(octave[kept], bins).to(weights.dtype)  # (kept, n_k, bins)
    return torch.einsum("...qk,qkb->...b", rows, one_hot) / kept.sum()


#: Gu et al. (2024): a head whose mean weight on the first token exceeds this is a sink head.
SINK_THRESHOLD = 0.3


def sink_mass(weights: Tensor, queries: Tensor | None = None) -> Tensor:
    """Mean weight on key 0 per layer and head, over the batch and the chosen queries.

    weights: (layers, batch, heads, n, n) as returned by `TinyGPT(..., need_weights=True)`.
    queries: optional bool (batch, n), True for the query rows to average (e.g. the positions that
    need context). Query 0 is always left out: it can see only key 0.
    Returns (layers, heads).

    Example:
        For the weights `attn` of a trained model on a backcopy `batch`:

        >>> sink_mass(attn, queries=batch.copy_mask)  # doctest: +SKIP
    """
    if weights.dim() != 5 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(
            f"weights must be (layers, batch, heads, n, n), got {tuple(weights.shape)}; "
            "pass every layer's weights, as TinyGPT(..., need_weights=True) returns them"
        )
    batch, n = weights.shape[1], weights.shape[-1]
    rows = torch.ones(batch, n, dtype=torch.bool, device=weights.device)
    if queries is not None:
        if queries.shape != (batch, n) or queries.dtype != torch.bool:
            raise ValueError(
                f"queries must be a bool (batch, n) = ({batch}, {n}) mask, got {queries.dtype} {tuple(queries.shape)}; "
                "pass a mask of the batch, such as batch.copy_mask"
            )
        rows = rows & queries.to(weights.device)
    rows[:, 0] = False
    if not rows.any():
        raise ValueError("queries selects no row after query 0; select at least one later query")
    on_first = weights[..., 0]  # (L, B, H, n)
    chosen = rows[None, :, None, :].to(on_first.dtype)  # (1, B, 1, n)
    return (on_first * chosen).sum(dim=(1, 3)) / chosen.sum(dim=(1, 3))  # (L, H)


def sink_rate(mass: Tensor, threshold: float = SINK_THRESHOLD) -> float:
    """Fraction of heads whose mean weight on the first token exceeds `threshold` (Gu et al., 2024).

    mass: (layers, heads) from `sink_mass`.

    Example:
        >>> sink_rate(torch.tensor([[0.5, 0.1]]))
        0.5
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold is a weight in (0, 1); got {threshold}: leave the default, SINK_THRESHOLD")
    return (mass > threshold).float().mean().item()


def relative_max_error(out: Tensor, ref: Tensor, *, scale: Tensor | None = None) -> float:
    """max|out - ref| / max|scale|, in float64; `scale` is `ref` unless given (a rank's slice of an output
    is measured against the whole output's largest value).

    Example:
        >>> x = torch.tensor([1 / 3, 1.0])
        >>> round(relative_max_error(x.bfloat16(), x.double()), 6)
        0.000651
    """
    scale = ref if scale is None else scale
    largest = scale.double().abs().max().clamp_min(1e-300)
    return ((out.double() - ref.double()).abs().max() / largest).item()
