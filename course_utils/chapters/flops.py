"""Forward FLOPs of attention counted from its shapes: dense attention and LongNet's dilated attention (ch. 06-07).

Two matmuls per call, the scores q·kᵀ and the weighted sum of v, at 2 FLOPs per multiply-add; the
softmax's n² exponentials are left out. A causal call does half the work.
"""

from __future__ import annotations


def attention_flops(n: int, d: int, heads: int, *, causal: bool = False) -> float:
    """Forward FLOPs of dense attention for one sequence: 4·n²·d·heads (two n x n x d matmuls), half if causal.

    Example:
        >>> attention_flops(4096, 64, 8)
        34359738368.0
    """
    flops = 4.0 * n * n * d * heads
    return flops / 2 if causal else flops


def dilated_flops(
    n: int, d: int, heads: int, segment_lengths: list[int], dilation_rates: list[int], *, causal: bool = False
) -> float:
    """Forward FLOPs of dilated attention: each pattern (w, r) is n / w dense calls on the w / r kept rows
    of a segment, 4·(n/w)·(w/r)²·d per head; half if causal.

    Example:
        >>> dilated_flops(8192, 64, 8, [2048], [1]) == 4 * 4 * 2048**2 * 64 * 8
        True
    """
    if len(segment_lengths) != len(dilation_rates):
        raise ValueError(
            f"dilated_flops needs one dilation rate per segment length; got {len(segment_lengths)} lengths and "
            f"{len(dilation_rates)} rates: pass lists of the same length"
        )
    return sum(
        (
            (n // w) * attention_flops(w // r, d, heads, causal=causal)
            for w, r in zip(segment_lengths, dilation_rates, strict=True)
        ),
        0.0,
    )
