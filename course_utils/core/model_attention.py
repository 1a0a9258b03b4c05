"""The attention the course's model uses: chapter 01's MultiHeadAttention plus a sink fix and dilated patterns.

`ModelAttention` is `course_utils.core.attention.MultiHeadAttention` with two options from `GPTConfig`,
each off by default:

- `sink_fix` (notebook 04) names a way for a head to attend to nothing (`course_utils.core.sink_fixes`): the fix
  overrides the softmax step (`scores_to_weights`) and may change the heads' outputs (`adjust_head_outputs`);
- `dilated_patterns=(segment_lengths, dilation_rates)` (notebook 07) replaces dense attention by LongNet's dilated
  attention (`course_utils.core.dilated`), which never forms the (n, n) weights.

A dilated model keeps the default softmax and logit transform and uses rotary or no positions: the
kernel computes the softmax itself, over the patterns' keys.
"""

from __future__ import annotations

import math

from torch import Tensor, nn

from course_utils.core.attention import MultiHeadAttention, token_positions
from course_utils.core.dilated import check_patterns, dilated_attention
from course_utils.core.logits import IdentityLogits
from course_utils.core.positional import PositionalScheme
from course_utils.core.sink_fixes import make_sink_fix


class ModelAttention(MultiHeadAttention):
    """Multi-head self-attention with a sink fix or LongNet's dilated patterns: the attention of TinyGPT's layers.

    x: (batch, n, d_model) -> (batch, n, d_model), and weights (batch, heads, n, n) on request (dense only).
    `sink_fix`: one of `course_utils.core.sink_fixes.SINK_FIXES` ("learned_sink" starts at `sink_init`).
    `dilated_patterns=(segment_lengths, dilation_rates)`: dilated attention instead of dense; a causal
    sequence is padded at the end to a multiple of every segment length (exact: no query sees a future pad).
    The other arguments are `MultiHeadAttention`'s.

    Example:
        >>> import torch
        >>> from course_utils.core.positional import RoPE
        >>> attn = ModelAttention(64, 4, positional=RoPE(16), sink_fix="sink_kv")
        >>> y, _ = attn(torch.randn(2, 10, 64))
        >>> y.shape
        torch.Size([2, 10, 64])
    """

    def __init__(
        self,
        d_model: int,
        heads: int,
        *,
        positional: PositionalScheme | None = None,
        logit_transform: nn.Module | None = None,
        linear: type[nn.Linear] = nn.Linear,
        sink_fix: str = "none",
        sink_init: float = 0.0,
        dilated_patterns: tuple[list[int], list[int]] | None = None,
    ) -> None:
        super().__init__(d_model, heads, positional=positional, logit_transform=logit_transform, linear=linear)
        # After qkv and proj: parameters are created in this order so a seed gives the same initial weights.
        self.sink_fix = make_sink_fix(sink_fix, d_model=d_model, heads=heads, sink_init=sink_init)
        self.dilated_patterns = dilated_patterns
        if dilated_patterns is not None:
            _check_dilated_options(dilated_patterns, sink_fix, self)

    def scores_to_weights(self, scores: Tensor, unrotated_q: Tensor) -> Tensor:
        # A sink fix's key has no position: it meets the queries before their rotation (unrotated_q).
        return self.sink_fix.scores_to_weights(scores, unrotated_q)  # the softmax, unless the fix replaces it

    def adjust_head_outputs(self, out: Tensor, weights: Tensor, x: Tensor) -> Tensor:
        return self.sink_fix.adjust_head_outputs(out, weights, x)

    def forward(
        self,
        x: Tensor,
        *,
        positions: Tensor | None = None,
        causal: bool = True,
        mask: Tensor | None = None,
        need_weights: bool = False,
        last_only: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Self-attention over x (batch, n, d_model) -> out (batch, n, d_model), and the weights
        (batch, heads, n, n) when `need_weights` (else None).

        positions: (n,) (None: 0 … n-1); causal, mask (boolean (n, n) or broadcastable, True = keep),
        need_weights and last_only as in `MultiHeadAttention.forward`. With dilated patterns there are no
        (n, n) weights: pass need_weights=False and mask=None (last_only keeps the last row of the output).
        """
        if self.dilated_patterns is None:
            return super().forward(
                x, positions=positions, causal=causal, mask=mask, need_weights=need_weights, last_only=last_only
            )
        if need_weights or mask is not None:
            raise ValueError(
                "dilated attention forms no (n, n) weights and takes no extra mask; "
                "call it with need_weights=False and mask=None"
            )
        q, k, v, _ = self.project_heads(x, token_positions(x, positions))  # (B, H, n, d) each
        out = self.merge_heads(_dilated_attention_padded(q, k, v, self.dilated_patterns, causal=causal))
        return (out[:, -1:] if last_only else out), None


def _dilated_attention_padded(
    q: Tensor, k: Tensor, v: Tensor, patterns: tuple[list[int], list[int]], *, causal: bool
) -> Tensor:
    """Dilated attention on q, k, v (B, H, n, d) with patterns (segments, rates) -> (B, H, n, d); a causal
    sequence is padded to a multiple of the segments first (future pads are invisible to causal queries)."""
    n = q.shape[2]
    segments, rates = patterns
    pad = -n % math.lcm(*segments) if causal else 0
    q, k, v = (nn.functional.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
    return dilated_attention(q, k, v, segments, rates, causal=causal)[:, :, :n]


def _check_dilated_options(patterns: tuple[list[int], list[int]], sink_fix: str, attn: MultiHeadAttention) -> None:
    check_patterns(math.lcm(*patterns[0]) if patterns[0] else 1, *patterns)
    if sink_fix != "none" or not isinstance(attn.logit_transform, IdentityLogits) or attn.positional.adds_bias:
        raise ValueError(
            "dilated attention takes no score bias (ALiBi), sink fix or logit transform: use rope, p_rope, "
            "learned, sinusoidal or no positions and leave sink_fix and logit_transform at their defaults"
        )
