"""How zoo entries are named: one spelling rule per family, `NAME_RULES[family](seed, **options)`.

Every name is the family's name, one suffix per option that differs from the family's default, then
"-s{seed}": `kv-alibi-qfirst-fill-s0`, `copy-m8-s1`, `sink-learnedsink-init4-s2`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from course_utils.core.signatures import check_options


def recall_name(seed: int, *, transform: str, reference: int = 0, value_answers: bool = False) -> str:
    """A recall entry's name (notebook 02): "-value" for value answers, the logit transform without
    underscores and its reference length if any.

    Example:
        >>> recall_name(1, transform="log_n", reference=18)
        'recall-logn18-s1'
    """
    return f"recall{'-value' if value_answers else ''}-{transform.replace('_', '')}{reference or ''}-s{seed}"


def kv_name(
    seed: int,
    *,
    positional: str = "",
    variant: str = "",
    edge: bool = False,
    dilated: bool = False,
    layers: int = 2,
    query_first: bool = False,
    filler: bool = False,
    finetune: str = "",
    continued: bool = False,
) -> str:
    """A kv entry's name (notebooks 03, 07, 09): its positional scheme or, in its place, its attention
    `variant` (an `SI_VARIANTS` name such as "si-nope", which sets the positional scheme itself), one of the
    two; then one suffix per option set, in this order: "-dilated", "-3l", "-edge", "-qfirst", "-fill", the
    `finetune` ("-pi", "-extrap": notebook 03's fine-tunes to longer sequences) and "-long" for `continued`
    training (notebook 07's second pass over the same data).

    Example:
        >>> kv_name(0, positional="alibi", query_first=True, filler=True)
        'kv-alibi-qfirst-fill-s0'
        >>> kv_name(0, variant="si-nope")
        'kv-si-nope-s0'
    """
    if bool(positional) == bool(variant):
        raise ValueError(
            f"a kv name takes positional= or variant= (an attention variant sets its own positional scheme), "
            f"one of the two; got positional={positional!r}, variant={variant!r}: pass exactly one of them"
        )
    suffixes = "".join(
        suffix
        for on, suffix in (
            (dilated, "-dilated"),
            (layers != 2, f"-{layers}l"),
            (edge, "-edge"),
            (query_first, "-qfirst"),
            (filler, "-fill"),
            (bool(finetune), f"-{finetune}"),
            (continued, "-long"),
        )
        if on
    )
    return f"kv-{variant or positional}{suffixes}-s{seed}"


def si_lm_name(seed: int, *, variant: str, tau: float = 10.0) -> str:
    """An si-lm entry's name (notebooks 07-08): the attention variant, and tau unless it is 10.

    Example:
        >>> si_lm_name(0, variant="si-prope", tau=3.0)
        'si-lm-si-prope-tau3-s0'
    """
    return f"si-lm-{variant}{'' if tau == 10.0 else f'-tau{tau:g}'}-s{seed}"


def si_needle_name(seed: int, *, variant: str) -> str:
    """An si-needle trial's name (notebook 08): the attention variant.

    Example:
        >>> si_needle_name(2, variant="alibi")
        'si-needle-alibi-s2'
    """
    return f"si-needle-{variant}-s{seed}"


def sink_name(seed: int, *, sink_fix: str = "none", sink_init: float = 0.0, layers: int = 1, bos: bool = True) -> str:
    """A sink entry's name (notebook 04): the depth unless 1 layer, "-nobos" without BOS, the sink fix
    without underscores and its initial logit unless 0.

    Example:
        >>> sink_name(0, sink_fix="learned_sink", sink_init=4.0)
        'sink-learnedsink-init4-s0'
    """
    fix = "" if sink_fix == "none" else "-" + sink_fix.replace("_", "")
    depth = "" if layers == 1 else f"-{layers}l"
    return f"sink{depth}{'' if bos else '-nobos'}{fix}{'' if sink_init == 0 else f'-init{sink_init:g}'}-s{seed}"


def lm_hot_name(seed: int, *, sigma_reparam: bool = False) -> str:
    """An lm entry's name (notebook 05's too-hot language models): "-sigma" with σReparam.

    Example:
        >>> lm_hot_name(0, sigma_reparam=True)
        'lm-hot-sigma-s0'
    """
    return f"lm-hot{'-sigma' if sigma_reparam else ''}-s{seed}"


def loop_name(seed: int, *, rare: bool = False) -> str:
    """A loop entry's name (notebook 05): "-rare" for the stream that rarely repeats.

    Example:
        >>> loop_name(1, rare=True)
        'loop-rare-s1'
    """
    return f"loop{'-rare' if rare else ''}-s{seed}"


def decoy_name(seed: int, *, near_miss: bool = False) -> str:
    """A decoy entry's name (notebook 05): "-nearmiss" for near-miss decoys.

    Example:
        >>> decoy_name(0, near_miss=True)
        'decoy-nearmiss-s0'
    """
    return f"decoy{'-nearmiss' if near_miss else ''}-s{seed}"


def copy_name(seed: int, *, seq_len: int = 12) -> str:
    """A copy entry's name (notebook 01's fixed-length copiers): "-m{seq_len}" unless 12.

    Example:
        >>> copy_name(1, seq_len=8)
        'copy-m8-s1'
    """
    return f"copy{'' if seq_len == 12 else f'-m{seq_len}'}-s{seed}"


def copy_induct_name(seed: int) -> str:
    """An induct entry's name (notebook 01's variable-length copiers).

    Example:
        >>> copy_induct_name(2)
        'copy-induct-s2'
    """
    return f"copy-induct-s{seed}"


#: Each family's name rule, a function of the seed and the family factory's options:
#: `NAME_RULES[family](seed, **options)`; its signature says which options the family takes.
NAME_RULES: dict[str, Callable[..., str]] = {
    "copy": copy_name,
    "recall": recall_name,
    "kv": kv_name,
    "si-lm": si_lm_name,
    "sink": sink_name,
    "lm-hot": lm_hot_name,
    "loop": loop_name,
    "decoy": decoy_name,
    "copy-induct": copy_induct_name,
}

#: The trials' name rules (`course_utils.zoo.trials`: their measurements are stored, not their weights): the
#: zoo's, for kv and si-lm variants (`layers`, `continued`, `variant="si-nope"`, more si-lm `variant`s),
#: and notebook 08's needle models, a family only trials use.
TRIAL_NAME_RULES: dict[str, Callable[..., str]] = {**NAME_RULES, "si-needle": si_needle_name}


def format_entry_name(
    family_name: str, seed: int, options: dict[str, Any], *, rules: dict[str, Callable[..., str]] = NAME_RULES
) -> str:
    """The name `family_name`'s rule in `rules` (the zoo's, or `TRIAL_NAME_RULES`) gives seed `seed` and
    `options` (whether or not the entry exists).

    Example:
        >>> format_entry_name("kv", 0, {"positional": "alibi"})
        'kv-alibi-s0'
        >>> format_entry_name("si-needle", 1, {"variant": "nope"}, rules=TRIAL_NAME_RULES)
        'si-needle-nope-s1'
    """
    if family_name not in rules:
        raise ValueError(f"unknown zoo family {family_name!r}; choose one of {sorted(rules)}")
    rule = rules[family_name]
    check_options(rule, options, leave_out="seed", what=f"zoo family {family_name!r}")
    return rule(seed, **options)
