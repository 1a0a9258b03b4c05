"""TinyGPT: a small decoder-only transformer whose attention can be opened up.

tokens (batch, n) -> embedding (+ absolute positions) -> `layers` pre-norm blocks
[x + attention(norm(x)); x + mlp(norm(x))] -> norm -> logits (batch, n, vocab_size).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Literal, cast, overload

import torch
from torch import Tensor, nn

from course_utils.core.attention import token_positions
from course_utils.core.logits import SCALE_INVARIANT_TRANSFORMS, make_logit_transform
from course_utils.core.model_attention import ModelAttention
from course_utils.core.positional import BIASED_SCHEMES, PositionalScheme, make_positional
from course_utils.core.sigma_reparam import SigmaReparamLinear

#: The options that tune one choice: option -> (the field that makes the choice, the values that use the option).
#: `GPTConfig` refuses an option that differs from its default while its choice is another: it would do nothing.
OPTION_CHOICES: dict[str, tuple[str, tuple[object, ...]]] = {
    "mlp_ratio": ("attention_only", (False,)),
    "rope_base": ("positional", ("rope", "p_rope")),
    "p_rope_fraction": ("positional", ("p_rope",)),
    "logit_tau": ("logit_transform", SCALE_INVARIANT_TRANSFORMS),
    "log_n_reference": ("logit_transform", ("log_n",)),
    "sink_init": ("sink_fix", ("learned_sink",)),
}


@dataclass(frozen=True)
class GPTConfig:
    """Everything needed to rebuild a TinyGPT; stored flat (`to_dict`) with every zoo checkpoint and trial.

    The fields come in groups, each option next to the choice it tunes; a field added later needs a
    default, so that every stored config still loads. An option set away from its default for a choice
    not made (`OPTION_CHOICES`) raises ValueError: it would do nothing.

    Example:
        >>> GPTConfig(vocab_size=40, max_len=64, positional="alibi").heads
        4
        >>> GPTConfig(vocab_size=40, max_len=64, positional="alibi", rope_base=500.0)
        Traceback (most recent call last):
        ...
        ValueError: rope_base=500.0 tunes positional='rope' or 'p_rope', but positional='alibi': it would ...
    """

    # the shape
    vocab_size: int
    # the rows of the learned position table (positional="learned"), so that scheme's longest input;
    # the other schemes ignore it and run at any length (kept required: every stored config has it)
    max_len: int
    d_model: int = 64
    heads: int = 4
    layers: int = 2
    mlp_ratio: int = 4
    attention_only: bool = False  # no MLPs
    # positions: one of course_utils.core.positional.POSITIONAL_SCHEMES and its options
    positional: str = "rope"
    rope_base: float = 10000.0
    p_rope_fraction: float = 0.75  # "p_rope": the fraction of RoPE's frequencies (fastest first) that rotate
    position_scale: float = 1.0  # default positions are i * position_scale; < 1 interpolates (Chen et al., 2023)
    # the logits: one of course_utils.core.logits.LOGIT_TRANSFORMS and its options
    logit_transform: str = "identity"
    logit_tau: float = 10.0  # "scale_invariant": its tau
    log_n_reference: int = 0  # "log_n": 0 = the raw factor log n; L > 0 = log n / log L (1 at length L)
    # the token embedding's initial std: 0.02 as in GPT-2; 1.0 keeps token identity loud next to the blocks' outputs
    embed_std: float = 0.02
    # attention variants: one of course_utils.core.sink_fixes.SINK_FIXES, σReparam, LongNet's dilated attention
    sink_fix: str = "none"
    sink_init: float = 0.0  # "learned_sink": its starting logit
    sigma_reparam: bool = False  # every linear layer of the blocks is a SigmaReparamLinear (Zhai et al., 2023)
    dilated_segments: tuple[int, ...] = ()  # with dilated_rates: dilated attention in every block
    dilated_rates: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.dilated_segments) != bool(self.dilated_rates):
            raise ValueError(
                f"dilated_segments {self.dilated_segments} and dilated_rates {self.dilated_rates} go together: "
                "pass both (one rate per segment length) or neither (dense attention)"
            )
        if self.dilated_segments and (
            self.positional in BIASED_SCHEMES or self.logit_transform != "identity" or self.sink_fix != "none"
        ):
            raise ValueError(
                f"dilated attention takes no score bias, logit transform or sink fix (got positional="
                f"{self.positional!r}, logit_transform={self.logit_transform!r}, sink_fix={self.sink_fix!r}): use "
                "rope, p_rope, learned, sinusoidal or no positions and leave the other two at their defaults"
            )
        defaults = {f.name: f.default for f in fields(self)}
        for option, (choice, users) in OPTION_CHOICES.items():
            value, chosen = getattr(self, option), getattr(self, choice)
            if value != defaults[option] and chosen not in users:
                raise ValueError(
                    f"{option}={value!r} tunes {choice}={' or '.join(map(repr, users))}, but {choice}={chosen!r}: it "
                    f"would do nothing; leave {option} at its default {defaults[option]!r} or set {choice}={users[0]!r}"
                )
        self._check_position_scale()

    def _check_position_scale(self) -> None:
        if not self.position_scale > 0:
            raise ValueError(
                f"position_scale multiplies the positions and must be > 0; got {self.position_scale}: "
                "leave it at 1.0 unless you interpolate positions"
            )
        if self.position_scale == 1.0:
            return
        if self.positional == "learned":
            raise ValueError(
                "a learned position table needs integer positions: keep position_scale = 1.0, "
                "or interpolate a RoPE, ALiBi or sinusoidal model"
            )
        if self.positional == "none" and self.logit_transform not in SCALE_INVARIANT_TRANSFORMS:
            raise ValueError(
                f"position_scale={self.position_scale} scales the positions, but positional='none' and "
                f"logit_transform={self.logit_transform!r} do not read their scale: it would do nothing; leave "
                "position_scale at 1.0 or choose a positional scheme (rope, alibi, ...) or a scale-invariant transform"
            )

    def to_dict(self) -> dict:
        """The fields by name, as a checkpoint stores them: `GPTConfig(**config.to_dict())` rebuilds it."""
        return asdict(self)


class Block(nn.Module):
    """One pre-norm transformer block; the MLP is left out when `attention_only`."""

    def __init__(self, config: GPTConfig, positional: PositionalScheme) -> None:
        super().__init__()
        linear = SigmaReparamLinear if config.sigma_reparam else nn.Linear
        self.norm1 = nn.LayerNorm(config.d_model)
        self.attn = ModelAttention(
            config.d_model,
            config.heads,
            positional=positional,
            logit_transform=make_logit_transform(
                config.logit_transform, heads=config.heads, tau=config.logit_tau, log_n_reference=config.log_n_reference
            ),
            linear=linear,
            sink_fix=config.sink_fix,
            sink_init=config.sink_init,
            dilated_patterns=(
                (list(config.dilated_segments), list(config.dilated_rates)) if config.dilated_segments else None
            ),
        )
        self.mlp: nn.Module | None = None
        if not config.attention_only:
            self.norm2 = nn.LayerNorm(config.d_model)
            self.mlp = nn.Sequential(
                linear(config.d_model, config.mlp_ratio * config.d_model),
                nn.GELU(),
                linear(config.mlp_ratio * config.d_model, config.d_model),
            )

    def forward(
        self, x: Tensor, positions: Tensor, *, need_weights: bool = False, last_only: bool = False
    ) -> tuple[Tensor, Tensor | None]:
        """x (batch, n, d_model) at positions (n,) -> x plus attention (and MLP) output, (batch, n, d_model),
        and the attention weights (batch, heads, n, n) when `need_weights`. With `last_only`, the last
        position's alone: (batch, 1, d_model) and weights (batch, heads, 1, n)."""
        attn_out, weights = self.attn(
            self.norm1(x), positions=positions, need_weights=need_weights, last_only=last_only
        )
        x = (x[:, -1:] if last_only else x) + attn_out
        if self.mlp is not None:
            x = x + self.mlp(self.norm2(x))
        return x, weights


class TinyGPT(nn.Module):
    """A decoder-only transformer; the positional scheme and logit transform are config fields.

    forward(tokens: (batch, n)) -> logits (batch, n, vocab_size); with `need_weights=True`
    also the weights of every layer, stacked: (layers, batch, heads, n, n).

    Example:
        >>> model = TinyGPT(GPTConfig(vocab_size=40, max_len=64))
        >>> logits, attn = model(torch.zeros(3, 10, dtype=torch.long), need_weights=True)
        >>> logits.shape, attn.shape
        (torch.Size([3, 10, 40]), torch.Size([2, 3, 4, 10, 10]))
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.d_model)
        nn.init.normal_(self.embed.weight, std=config.embed_std)
        # One scheme object shared by the embedding and every block (a learned table is one table).
        self.positional = make_positional(
            config.positional,
            d_model=config.d_model,
            heads=config.heads,
            max_len=config.max_len,
            rope_base=config.rope_base,
            p_rope_fraction=config.p_rope_fraction,
        )
        self.blocks = nn.ModuleList(Block(config, self.positional) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, config.vocab_size)

    def block(self, i: int) -> Block:
        """Block i, typed as a Block (an nn.ModuleList's items are typed nn.Module).

        Example:
            >>> TinyGPT(GPTConfig(vocab_size=40, max_len=64)).block(1).attn.heads
            4
        """
        return cast(Block, self.blocks[i])

    def default_positions(self, n: int, device: torch.device | None = None) -> Tensor:
        """The positions (n,) used when forward gets none: 0 … n-1, times `config.position_scale` when it is not 1.

        Example:
            >>> TinyGPT(GPTConfig(vocab_size=40, max_len=64, position_scale=0.5)).default_positions(4)
            tensor([0.0000, 0.5000, 1.0000, 1.5000])
        """
        positions = torch.arange(n, device=device)
        if self.config.position_scale != 1.0:
            positions = positions * self.config.position_scale
        return positions

    @overload
    def forward(
        self,
        tokens: Tensor,
        *,
        positions: Tensor | None = ...,
        need_weights: Literal[False] = ...,
        last_only: bool = ...,
    ) -> Tensor: ...

    @overload
    def forward(
        self,
        tokens: Tensor,
        *,
        positions: Tensor | None = ...,
        need_weights: Literal[True],
        last_only: bool = ...,
    ) -> tuple[Tensor, Tensor]: ...

    @overload
    def forward(
        self,
        tokens: Tensor,
        *,
        positions: Tensor | None = ...,
        need_weights: bool,
        last_only: bool = ...,
    ) -> Tensor | tuple[Tensor, Tensor]: ...

    def forward(
        self,
        tokens: Tensor,
        *,
        positions: Tensor | None = None,
        need_weights: bool = False,
        last_only: bool = False,
    ) -> Tensor | tuple[Tensor, Tensor]:
        """tokens: (batch, n) int64, not empty; positions: (n,) (default: `default_positions(n)`).

        last_only: the last position's logits alone, (batch, 1, vocab_size), and each layer's last weight
        row, (layers, batch, heads, 1, n): the last layer attends from that one query, so a one-layer
        model needs O(n) memory, not O(n^2) (notebook 02's 4096-item recall); the rows equal the full
        forward's.
        """
        if tokens.dim() != 2 or tokens.dtype != torch.long:
            raise ValueError(
                f"tokens must be int64 of shape (batch, n), got {tokens.dtype} {tuple(tokens.shape)}; "
                "pass batch.tokens, or tokens[None] for one sequence"
            )
        if tokens.numel() == 0:
            raise ValueError(
                f"tokens is empty (shape {tuple(tokens.shape)}); pass at least one row of at least one token"
            )
        low, high = torch.aminmax(tokens)
        if bool((low < 0) | (high >= self.config.vocab_size)):  # one host sync
            raise ValueError(
                f"token ids must lie in [0, {self.config.vocab_size}), got {int(low)}..{int(high)}; "
                "pass tokens of the task the model was trained on"
            )
        x = self.embed(tokens)  # (B, n, D)
        if positions is None:
            positions = self.default_positions(tokens.shape[1], tokens.device)
        positions = token_positions(x, positions)  # checked: (n,)
        x = self.positional.embed(x, positions)
        all_weights = []
        for i, block in enumerate(self.blocks):
            last_layer = i == len(self.blocks) - 1
            x, weights = block(x, positions, need_weights=need_weights, last_only=last_only and last_layer)
            all_weights.append(weights[:, :, -1:] if last_only and weights is not None else weights)
        logits = self.head(self.norm(x))  # (B, n, vocab); (B, 1, vocab) with last_only
        if need_weights:
            return logits, torch.stack(all_weights)  # (L, B, H, n, n); (L, B, H, 1, n) with last_only
        return logits

    if TYPE_CHECKING:  # model(...) is typed as forward(...), overloads included (nn.Module's returns Any)
        __call__ = forward

    def num_parameters(self) -> int:
        """Number of parameters.

        Example:
            >>> TinyGPT(GPTConfig(vocab_size=40, max_len=64)).num_parameters()
            105256
        """
        return sum(p.numel() for p in self.parameters())
