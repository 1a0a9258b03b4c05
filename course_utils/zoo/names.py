"""How zoo entries are named: one spelling rule per family, `NAME_RULES[family](seed, **options)`."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def recall_name(seed: int, *, transform: str, reference: int = 0, value_answers: bool = False) -> str:
    return f"recall{'-value' if value_answers else ''}-{transform.replace('_', '')}{reference or ''}-s{seed}"


def kv_name(
    seed: int,
    *,
    positional: str,
    edge: bool = False,
    dilated: bool = False,
    layers: int = 2,
    query_first: bool = False,
    filler: bool = False,
    finetune: str = "",
) -> str:
    variant = "".join(
        suffix
        for on, suffix in (
            (dilated, "-dilated"),
            (layers != 2, f"-{layers}l"),
            (edge, "-edge"),
            (query_first, "-qfirst"),
            (filler, "-fill"),
            (bool(finetune), f"-{finetune}"),
        )
        if on
    )
    return f"kv-{positional}{variant}-s{seed}"


def si_lm_name(seed: int, *, variant: str, tau: float = 10.0) -> str:
    return f"si-lm-{variant}{'' if tau == 10.0 else f'-tau{tau:g}'}-s{seed}"


def si_needle_name(seed: int, *, variant: str) -> str:
    return f"si-needle-{variant}-s{seed}"


def sink_name(seed: int, *, sink_fix: str = "none", sink_init: float = 0.0, layers: int = 1, bos: bool = True) -> str:
    fix = "" if sink_fix == "none" else "-" + sink_fix.replace("_", "")
    depth = "" if layers == 1 else f"-{layers}l"
    return f"sink{depth}{'' if bos else '-nobos'}{fix}{'' if sink_init == 0 else f'-init{sink_init:g}'}-s{seed}"


def lm_name(seed: int, *, sigma_reparam: bool = False) -> str:
    return f"lm-hot{'-sigma' if sigma_reparam else ''}-s{seed}"


def loop_name(seed: int, *, rare: bool = False) -> str:
    return f"loop{'-rare' if rare else ''}-s{seed}"


def decoy_name(seed: int, *, near_miss: bool = False) -> str:
    return f"decoy{'-nearmiss' if near_miss else ''}-s{seed}"


def copy_name(seed: int, *, seq_len: int = 12) -> str:
    return "copy-rope-2l" + ("" if seq_len == 12 else f"-m{seq_len}") + ("" if seed == 0 else f"-s{seed}")


def induct_name(seed: int) -> str:
    return f"copy-induct-s{seed}"


#: How each family spells its names: `NAME_RULES[family](seed, **options)`. The options are the
#: family factory's arguments (kv: positional, edge, dilated, layers, query_first, filler, finetune;
#: recall: transform, reference, value_answers; sink: sink_fix, sink_init, layers, bos;
#: si-lm: variant, tau; lm: sigma_reparam; copy: seq_len; loop: rare; decoy: near_miss; induct: none).
#: The trials (`course_utils.zoo.trials`: their measurements are stored, not their weights) follow the
#: same rules: notebook 08's needle models (`si_needle_name`), and kv and si-lm variants (`layers`,
#: `finetune="long"`, more si-lm `variant`s).
#: copy keeps the name notebook 01 introduced, "copy-rope-2l", for seed 0 at length 12.
NAME_RULES: dict[str, Callable[..., str]] = {
    "copy": copy_name,
    "recall": recall_name,
    "kv": kv_name,
    "si-lm": si_lm_name,
    "sink": sink_name,
    "lm": lm_name,
    "loop": loop_name,
    "decoy": decoy_name,
    "induct": induct_name,
}


def spell(family_name: str, seed: int, options: dict) -> str:
    """The name `family_name`'s rule gives seed `seed` and `options` (whether or not the entry exists).

    Example: `spell("kv", 0, {"positional": "alibi"})` -> "kv-alibi-s0"
    """
    if family_name not in NAME_RULES:
        raise ValueError(f"unknown zoo family {family_name!r}; choose one of {sorted(NAME_RULES)}")
    rule = NAME_RULES[family_name]
    try:
        inspect.signature(rule).bind(seed, **options)
    except TypeError:
        accepted = [p for p in inspect.signature(rule).parameters if p != "seed"]
        raise ValueError(f"zoo family {family_name!r} takes the options {accepted}; got {sorted(options)}") from None
    return rule(seed, **options)
