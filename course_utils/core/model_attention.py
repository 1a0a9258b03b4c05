"""The attention the course's model uses: chapter 01's MultiHeadAttention plus a sink fix and dilated patterns.

`ModelAttention` is `course_utils.core.attention.MultiHeadAttention` with two options from `GPTConfig`,
each off by default:

- `sink_fix` (notebook 04) names a way for a head to attend to nothing (`course_utils.core.sink_fixes`): the fix
  replaces the softmax (`SinkFix.scores_to_weights`) and may change the heads' outputs (`adjust_head_outputs`);
- `dilated_patterns=(segment_lengths, dilation_rates)` (notebook 07) replaces dense attention by LongNet's dilated
  attention (`course_utils.core.dilated`), which never forms the (n, n) weights.

A dilated model keeps the default softmax and logit transform and uses rotary or no positions: the
kernel computes the softmax itself, over the patterns' keys. `forward(last_only=True)` attends from the
last query alone (`TinyGPT.forward(last_only=True)`).
"""

from __future__ import annotations

import math

from torch import Tensor, nn

from course_utils.core.attention import MultiHeadAttention, check_mask, token_positions
from course_utils.core.dilated import check_patterns, dilated_attention
from course_utils.core.logits import IdentityLogits, LogitTransform
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
        logit_transform: LogitTransform | None = None,
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

        positions: (n,) (None: 0 … n-1); causal, mask (boolean (n, n) or broadcastable, True = keep) and
        need_weights as in `MultiHeadAttention.forward`. last_only: attend from the last query alone, against
        every key: out (batch, 1, d_model) and weights (batch, heads, 1, n), the last rows of the full
        forward's, in O(n) memory instead of O(n^2). With dilated patterns there are no (n, n) weights: pass
        need_weights=False and mask=None (last_only keeps the last row of the output).
        """
        positions = token_positions(x, positions)  # (n,)
        unrotated_q, k, v = self.split_heads(x)  # (B, H, n, d) each
        q, k = self.positional.rotate(unrotated_q, k, positions, positions)
        if self.dilated_patterns is not None:
            if need_weights or mask is not None:
                raise ValueError(
                    "dilated attention forms no (n, n) weights and takes no extra mask; "
                    "call it with need_weights=False and mask=None"
                )
            out = self.merge_heads(_dilated_attention_padded(q, k, v, self.dilated_patterns, causal=causal))
            return (out[:, -1:] if last_only else out), None
        if mask is not None:
            check_mask(mask, (x.shape[0], self.heads, x.shape[1], x.shape[1]))
        q_positions = positions
        if last_only:  # the last query row; causal_mask aligns queries to the last key
            q, unrotated_q, q_positions, x = q[:, :, -1:], unrotated_q[:, :, -1:], positions[-1:], x[:, -1:]
            mask = None if mask is None else mask[..., -1:, :]
        scores = self.scores(q, k, q_positions, positions, causal=causal, mask=mask)  # (B, H, n_q, n)
        # A sink fix's key has no position: it meets the queries before their rotation.
        weights = self.sink_fix.scores_to_weights(scores, unrotated_q)  # the softmax, unless the fix replaces it
        out = self.sink_fix.adjust_head_outputs(weights @ v, weights, x)  # (B, H, n_q, d)
        return self.merge_heads(out), (weights if need_weights else None)


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
