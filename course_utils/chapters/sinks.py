"""Attention sinks: evaluate a model with a streaming (windowed) cache.

A head "sinks" when it parks much of its attention on the first token (Xiao et al., "Efficient
Streaming Language Models with Attention Sinks", 2023). Gu et al. ("When Attention Sink Emerges
in Language Models", 2024) count a head as a sink head when its mean weight on the first token
exceeds 0.3.

StreamingLLM's cache "k + w" keeps the first k tokens and the w most recent ones, and gives them
the positions 0 .. k + w - 1 *inside the cache*, so no query-key distance exceeds k + w - 1.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_utils.core.evaluate import attention_weights, forward_in_rows, token_losses
from course_utils.core.model import TinyGPT
from course_utils.core.sigma_reparam import SigmaReparamLinear


def cache_indices(n: int, *, keep_first: int, recent: int) -> Tensor:
    """Token indices in the cache of every query position: (n, keep_first + recent).

    Row t holds [0, ..., keep_first - 1, t - recent + 1, ..., t]. Rows for t < keep_first + recent
    (nothing evicted yet) hold 0 .. t, padded on the left with -1.

    Example:
        >>> cache_indices(6, keep_first=1, recent=2)[5]
        tensor([0, 4, 5])
    """
    if keep_first < 0 or recent < 1:
        raise ValueError(
            f"need keep_first >= 0 and recent >= 1, got {keep_first}, {recent}; pass e.g. keep_first=4, recent=28 "
            "(keep_first=0: window attention)"
        )
    size = keep_first + recent
    t = torch.arange(n)[:, None]  # (n, 1)
    slot = torch.arange(size)[None, :]  # (1, size)
    streaming = torch.where(slot < keep_first, slot, t - (size - 1) + slot)  # (n, size)
    full = t - (size - 1) + slot  # 0 .. t right-aligned, negative = padding
    idx = torch.where(t < size, full, streaming)
    return idx.clamp_min(-1)


@torch.no_grad()
def streaming_logits(
    model: nn.Module, tokens: Tensor, *, keep_first: int, recent: int, rows_per_call: int = 4096
) -> Tensor:
    """Next-token logits when every query sees only a StreamingLLM cache of `keep_first + recent` tokens.

    The cache holds the first `keep_first` tokens of the stream and the `recent` latest ones, at
    positions 0 .. keep_first + recent - 1 inside the cache.

    Each cache is run through the model on its own (the window's states are recomputed), which for
    a one-layer model is exactly a key-value cache with re-indexed positions, `rows_per_call` caches
    at a time (see `forward_in_rows`).
    tokens: (batch, n) -> logits (batch, n, vocab), on the device of tokens. `keep_first=0` is plain
    window attention.

    Example:
        For a trained `model`:

        >>> streaming_logits(model, batch.tokens, keep_first=4, recent=28)  # doctest: +SKIP
    """
    if tokens.dim() != 2:
        raise ValueError(f"tokens must be (batch, n), got {tuple(tokens.shape)}; one sequence: pass tokens[None]")
    batch, n = tokens.shape
    size = keep_first + recent
    idx = cache_indices(n, keep_first=keep_first, recent=recent)  # (n, size)
    # Queries with nothing evicted see a prefix: one ordinary forward gives them all.
    early = min(n, size)
    prefix_logits = forward_in_rows(model, tokens[:, :early])  # (B, early, V)
    if n == early:
        return prefix_logits
    caches = tokens[:, idx[early:]].reshape(-1, size)  # (B * (n - early), size)
    last = forward_in_rows(
        model, caches, rows_per_call, select=lambda logits, rows: logits[:, -1]
    )  # (B * (n - early), V): each cache's last query
    return torch.cat([prefix_logits, last.view(batch, n - early, -1)], dim=1)  # (B, n, V)


def _value_writes_and_weights(model: TinyGPT, tokens: Tensor, layer: int) -> tuple[Tensor, Tensor]:
    """What each key writes per unit of weight into each head's share of layer `layer`'s output.

    Returns W_o,h v_h,j: (batch, heads, n, d_model), on the model's device, and every layer's weights
    (layers, batch, heads, n, n), on the device of tokens.
    """
    attn = model.block(layer).attn
    seen: list[Tensor] = []
    handle = attn.register_forward_pre_hook(lambda _module, args: seen.append(args[0]))
    try:
        weights = attention_weights(model, tokens)
    finally:
        handle.remove()
    x = seen[0]  # (B, n, D), the normed input of the attention
    v = attn.split_heads(x)[2]  # (B, H, n, d): values carry no rotation
    proj = attn.proj
    weight = proj.effective_weight() if isinstance(proj, SigmaReparamLinear) else proj.weight  # what proj applies
    w_o = weight.view(x.shape[-1], attn.heads, attn.head_dim)  # (D, H, d)
    return torch.einsum("bhnd,ehd->bhne", v, w_o), weights


@torch.no_grad()
def head_contributions(model: TinyGPT, tokens: Tensor, layer: int = 0) -> Tensor:
    """Size of what each key adds to the output of each head: ||W_o,h v_h,j||.

    A sink key with a near-zero contribution is a place to park attention that writes nothing.
    (A "gate" model's gate acts per query on top of this; it is not included.)
    tokens: (batch, n) -> (batch, heads, n), on the device of tokens.

    Example:
        The BOS token's contribution in a trained `model`:

        >>> head_contributions(model, batch.tokens)[:, :, 0]  # doctest: +SKIP
    """
    return _value_writes_and_weights(model, tokens, layer)[0].norm(dim=-1).to(tokens.device)


@torch.no_grad()
def bos_share(model: TinyGPT, tokens: Tensor, layer: int = 0) -> Tensor:
    """What the first token adds to one attention layer's output at each query, over all heads.

    That is `sum_h w_h,i,0 W_o,h v_h,0`; the layer's output is this plus the other keys' shares and
    proj's bias.

    tokens: (batch, n) -> (batch, n, d_model), on the device of tokens.

    Example:
        Its average over the queries a bool (batch, n) mask `idle` selects, in a trained `model`:

        >>> bos_share(model, batch.tokens)[idle].mean(0)  # doctest: +SKIP
    """
    return _bos_share_on_model(model, tokens, layer).to(tokens.device)


def _bos_share_on_model(model: TinyGPT, tokens: Tensor, layer: int) -> Tensor:
    """`bos_share` on the model's device, where a hook on the model can use it."""
    value_writes, weights = _value_writes_and_weights(model, tokens, layer)  # (B, H, n, D), (L, B, H, n, n)
    on_bos = weights[layer, :, :, :, 0].to(value_writes.device)  # (B, H, n)
    return torch.einsum("bhn,bhe->bne", on_bos, value_writes[:, :, 0])


@torch.no_grad()
def losses_with_bos_share(
    model: TinyGPT, tokens: Tensor, targets: Tensor, replace: Callable[[Tensor], Tensor], layer: int = 0
) -> Tensor:
    """Per-token losses (batch, n) when the first token's share of an attention output is replaced.

    The share c of layer `layer`'s attention output (`bos_share`, (batch, n, d_model)) is replaced by
    `replace(c)`, e.g. `torch.zeros_like`. The losses come back to the device of tokens.

    Exact for the first layer; in a later layer the share is measured on the unmodified model.

    Example:
        The losses of a trained `model` when nothing BOS writes reaches the output:

        >>> losses_with_bos_share(model, batch.tokens, batch.targets, torch.zeros_like)  # doctest: +SKIP
    """
    share = _bos_share_on_model(model, tokens, layer)
    handle = model.block(layer).attn.proj.register_forward_hook(lambda _m, _i, out: out - share + replace(share))
    try:
        return forward_in_rows(
            model, tokens, select=lambda logits, rows: token_losses(logits, targets[rows].to(logits.device))
        )
    finally:
        handle.remove()
