"""Attention dilution: the weight one relevant key keeps as the number of keys n grows.

Closed form. One relevant key whose score beats n - 1 distractors by a gap g gets

    w(n) = e^g / (e^g + (n - 1) * E[e^z])

where z is a distractor's score: E[e^z] = 1 when all distractors score 0, and e^(σ²/2) when
they are Gaussian with standard deviation σ. Multiplying every score by `s * log n` (log-n
scaling, Chiang & Cholak 2022; Scalable-Softmax, Nakanishi 2025) turns g into `s g log n` and σ
into `s σ log n`: with equal distractors w(n) = n^(sg) / (n^(sg) + n - 1), which no longer falls
like 1/n.

Near misses. When m of the distractors are decoys that score g' (between the distractors' 0 and the
relevant key's g), they get a term of their own:

    w = e^g / (e^g + m * e^g' + (n - 1 - m) * E[e^z])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from course_utils.core.metrics import attention_entropy


def relevant_weight(
    n: int | Tensor,
    gap: float,
    *,
    distractor_std: float = 0.0,
    log_n_scale: float | None = None,
    decoys: int | Tensor = 0,
    decoy_gap: float = 0.0,
) -> Tensor:
    """Expected softmax weight of the relevant key among n keys (closed forms above).

    n: an int or a tensor of sizes; gap: the relevant score minus the distractors' mean;
    distractor_std: σ of Gaussian distractor scores (0 = all equal); log_n_scale: s, to multiply
    every score by s * log n first (None = plain softmax); decoys: m, how many of the n - 1 other
    keys are near misses scoring `decoy_gap` above the distractors' mean (an int or a tensor that
    broadcasts with n). Returns a float64 tensor shaped like n (broadcast with decoys).

    Example: `relevant_weight(torch.tensor([512, 4096]), gap=5.39)` -> about [0.30, 0.05];
    `relevant_weight(128, 6.0, decoys=torch.arange(4), decoy_gap=4.0)` falls with every decoy.
    """
    n = torch.as_tensor(n, dtype=torch.float64)
    m = torch.as_tensor(decoys, dtype=torch.float64)
    if torch.any(n < 1):
        raise ValueError(f"n counts keys and must be >= 1, got {n.min().item()}")
    if distractor_std < 0:
        raise ValueError(f"distractor_std must be >= 0, got {distractor_std}")
    if torch.any(m < 0) or torch.any(m > n - 1):
        raise ValueError(
            f"decoys are some of the n - 1 other keys: need 0 <= decoys <= n - 1, got decoys "
            f"from {m.min().item():g} to {m.max().item():g} with n >= {n.min().item():g}"
        )
    factor = torch.ones_like(n) if log_n_scale is None else log_n_scale * n.log()
    g, g_decoy = gap * factor, decoy_gap * factor
    sigma = distractor_std * factor
    # e^g / (e^g + m e^g' + (n-1-m) e^{σ²/2}), computed in log space: stable for huge g, n or m
    log_terms = torch.stack(torch.broadcast_tensors(g, m.log() + g_decoy, torch.log(n - 1 - m) + sigma**2 / 2))
    return torch.exp(g - torch.logsumexp(log_terms, dim=0))


def gap_for_weight(weight: float, n: int) -> float:
    """The gap g that gives the relevant key `weight` among n keys with equal distractors.

    Example: `gap_for_weight(0.30, 512)` -> 5.389 (e^g ≈ 219)
    """
    if not 0.0 < weight < 1.0:
        raise ValueError(f"weight must lie strictly between 0 and 1, got {weight}")
    if n < 2:
        raise ValueError(f"need at least one distractor (n >= 2), got n={n}")
    return math.log(weight * (n - 1) / (1.0 - weight))


@dataclass
class DilutionTrials:
    """Per-trial results of `simulate_dilution`, each a (trials,) tensor."""

    relevant_weight: Tensor
    max_weight: Tensor
    entropy: Tensor


def simulate_dilution(
    n: int,
    *,
    gap: float,
    d: int = 64,
    trials: int = 200,
    log_n_scale: float | None = None,
    generator: torch.Generator | None = None,
    chunk: int = 16,
) -> DilutionTrials:
    """Random queries and keys (entries N(0, 1)), one planted relevant key, softmax over n keys.

    Distractor scores q·k/√d are then close to N(0, 1); key 0 is set along q so its score is
    exactly `gap`. log_n_scale: s, to multiply all scores by s * log n. Trials run in chunks so
    memory stays at chunk * n * d floats.

    Example: `simulate_dilution(4096, gap=5.89, trials=50).relevant_weight.mean()` -> about 0.05
    """
    if n < 2 or d < 1 or trials < 1 or chunk < 1:
        raise ValueError(
            f"need n >= 2, d >= 1, trials >= 1, chunk >= 1; got n={n}, d={d}, trials={trials}, chunk={chunk}"
        )
    generator = generator if generator is not None else torch.Generator().manual_seed(0)
    results = []
    for start in range(0, trials, chunk):
        size = min(chunk, trials - start)
        q = torch.randn(size, d, generator=generator)  # (T, d)
        k = torch.randn(size, n, d, generator=generator)  # (T, n, d)
        k[:, 0] = q * (gap * math.sqrt(d) / (q * q).sum(-1, keepdim=True))  # score of key 0 = gap
        scores = (k @ q[:, :, None]).squeeze(-1) / math.sqrt(d)  # (T, n)
        if log_n_scale is not None:
            scores = scores * (log_n_scale * math.log(n))
        weights = torch.softmax(scores.double(), dim=-1)  # (T, n)
        results.append((weights[:, 0], weights.amax(-1), attention_entropy(weights)))
    relevant, largest, entropy = (torch.cat(parts) for parts in zip(*results))
    return DilutionTrials(relevant_weight=relevant, max_weight=largest, entropy=entropy)
