"""The model zoo: small checkpoints trained by the course's own code, one command each.

Every entry is a complete recipe (task, model config, training config, seed). Building it
trains from scratch and stores the weights, the recipe, the torch version and the loss
curve under `course_utils/zoo/checkpoints/NAME.pt.xz` (a `torch.save` file, xz-compressed). Notebooks
call `zoo.load_entry(NAME)`, which reads the checkpoint instantly (or retrains with `retrain=True`).

Names are an API: entries come in families trained on every seed of `SEEDS`, and
`names_by_seed("kv", positional="alibi")` -> {0: "kv-alibi-s0", 1: ..., 2: ...} (or `entry_name("kv", 0,
positional="alibi")`) builds them from `NAME_RULES`, the one place that spells them. Each family
draws its training data from its own stream, `DATA_SEED_BASE[family] + seed`.

    python -m course_utils.zoo list
    python -m course_utils.zoo build NAME [NAME ...] | --all
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from course_utils.core.model import GPTConfig
from course_utils.core.sink_fixes import SINK_FIXES
from course_utils.core.tasks import task_vocab_size
from course_utils.core.train import TrainConfig
from course_utils.paths import CHECKPOINT_DIR
from course_utils.zoo.names import (
    copy_induct_name,
    copy_name,
    decoy_name,
    format_entry_name,
    kv_name,
    lm_hot_name,
    loop_name,
    recall_name,
    si_lm_name,
    si_needle_name,
    sink_name,
)
from course_utils.zoo.store import Provenance
from course_utils.zoo.trackers import TRACKERS

#: Lengths the induction copiers (notebook 01) never see in training.
INDUCT_HELD_OUT: tuple[int, ...] = (7, 11, 14)

#: The model seeds every family is trained with; the tests check each claim on all of them.
SEEDS: tuple[int, ...] = (0, 1, 2)

#: First data seed of each family: its entries train on `TrainConfig(data_seed=DATA_SEED_BASE[family] + seed)`
#: (`ZooEntry` sets it). Bases lie at least 99 apart (copy's is 1, the others multiples of 100), more than
#: SEEDS spans, so two families never share a data stream; the variants of one family (e.g. kv's positional
#: schemes, its edge-biased and dilated models) share theirs on purpose, so they differ only in what the
#: notebook compares.
DATA_SEED_BASE: dict[str, int] = {
    "copy": 1,
    "recall": 100,
    "kv": 200,
    "sink": 300,
    "loop": 400,
    "lm-hot": 500,
    "decoy": 600,
    "si-lm": 700,
    "si-needle": 800,
    "copy-induct": 900,
}

_Value = TypeVar("_Value")


def _choose(table: Mapping[str, _Value], key: str, what: str) -> _Value:
    """`table[key]`, or a ValueError that lists the choices.

    Example:
        >>> _choose(SI_VARIANTS, "nope", "attention variant")
        {'positional': 'none'}
    """
    if key not in table:
        raise ValueError(f"unknown {what} {key!r}; choose one of {sorted(table)}")
    return table[key]


@dataclass(frozen=True)
class ZooEntry:
    """A named, fully specified training recipe.

    `model_overrides` holds the GPTConfig fields the recipe sets (the others keep their defaults), except
    `vocab_size`, which follows from the task; `model_config()` builds the config. `train_config.data_seed`
    follows from the family and the seed: every entry trains on its family's data stream,
    `DATA_SEED_BASE[family] + seed`, which replaces any data_seed `train_config` holds. The dataclass is
    frozen but its dicts are not: treat them as read-only (`derive_entry` copies them).

    Example:
        >>> get_entry("kv-rope-s1").train_config.data_seed  # DATA_SEED_BASE["kv"] + 1
        201
    """

    name: str
    description: str
    task: str
    task_kwargs: dict[str, Any]  # the task's options (`make_batch_fn(task, **task_kwargs)`)
    model_overrides: dict[str, Any]  # GPTConfig fields
    train_config: TrainConfig
    family: str  # its DATA_SEED_BASE key, and its NAME_RULES key but for "si-needle" (only trials use it)
    seed: int = 0
    eval_kwargs: dict[str, Any] = field(default_factory=dict)  # task options `evaluate_entry` changes
    tracker: str | None = None  # a `zoo.trackers.TRACKERS` metric, measured during training into record["history"]
    tracker_every: int = 250  # steps between two measurements of `tracker`
    init_from: str | None = None  # a fine-tune: start from this entry's trained weights instead of a fresh init

    def __post_init__(self) -> None:
        if self.family not in DATA_SEED_BASE:
            raise ValueError(
                f"{self.name}: family {self.family!r} has no data stream; choose one of "
                f"{sorted(DATA_SEED_BASE)} or add it to DATA_SEED_BASE"
            )
        if self.tracker is not None and self.tracker not in TRACKERS:
            raise ValueError(f"{self.name}: unknown tracker {self.tracker!r}; choose one of {sorted(TRACKERS)}")
        data_seed = DATA_SEED_BASE[self.family] + self.seed
        object.__setattr__(self, "train_config", replace(self.train_config, data_seed=data_seed))

    def model_config(self) -> GPTConfig:
        """The model's full config: `model_overrides` on GPTConfig's defaults, the vocabulary the task needs.

        Example:
            >>> get_entry("copy-s0").model_config().layers
            2
        """
        return GPTConfig(vocab_size=task_vocab_size(self.task, **self.task_kwargs), **self.model_overrides)

    def provenance(self) -> Provenance:
        """The recipe as a stored record opens, checkpoint or trial: name, description, task and its
        arguments, model and training configs, seed and the entry it was fine-tuned from (or None).

        Example:
            >>> get_entry("copy-s0").provenance()["train_config"]["steps"]
            300
        """
        return {
            "name": self.name,
            "description": self.description,
            "task": self.task,
            "task_kwargs": self.task_kwargs,
            "model_config": self.model_config().to_dict(),
            "train_config": self.train_config.to_dict(),
            "seed": self.seed,
            "init_from": self.init_from,
        }


def derive_entry(
    parent: ZooEntry,
    *,
    name: str,
    description: str,
    model_updates: dict[str, Any] | None = None,
    task_updates: dict[str, Any] | None = None,
    **fields: Any,
) -> ZooEntry:
    """`parent`'s recipe under a new name: `model_updates` are merged into its `model_overrides` and
    `task_updates` into its `task_kwargs`; `fields` replace `ZooEntry` fields outright (`train_config`,
    `tracker`, `init_from`, ...; `task_kwargs=` for a recipe that drops one of its parent's task options).

    Example:
        >>> copier = get_entry("copy-s0")
        >>> three = derive_entry(copier, name="copy-3l", description="3 layers", model_updates={"layers": 3})
        >>> three.model_overrides["layers"], three.task_kwargs == copier.task_kwargs
        (3, True)
    """
    for updates, field_name in ((model_updates, "model_overrides"), (task_updates, "task_kwargs")):
        if updates is not None and field_name in fields:
            raise ValueError(f"{name}: pass {field_name}= (a replacement) or updates to it, not both")
    merged = {
        "model_overrides": {**parent.model_overrides, **(model_updates or {})},
        "task_kwargs": {**parent.task_kwargs, **(task_updates or {})},
    }
    return replace(parent, name=name, description=description, **{**merged, **fields})


# ----------------------------------------------------------------------------- families


def recall_entry(transform: str, seed: int, *, reference: int = 0, value_answers: bool = False) -> ZooEntry:
    """Notebook 02: associative recall by content, 1 attention-only head, no positions, a logit transform
    (log-n scaling normalised to 1 at length `reference` when it is > 0), answering with the item (1024
    classes) or, with `value_answers`, its value (16 classes; same inputs, same data stream).

    Example:
        >>> recall_entry("log_n", 0, reference=18).name
        'recall-logn18-s0'
    """
    normalised = f" normalised to 1 at {reference} tokens" if reference else ""
    answers = "values (16 classes)" if value_answers else "items"
    return ZooEntry(
        name=recall_name(seed, transform=transform, reference=reference, value_answers=value_answers),
        description=f"Notebook 02: associative recall of 4-16 items answered with {answers}, 1 attention-only "
        f"layer, 1 head, no positions, logits {transform}{normalised}; seed {seed}.",
        task="associative_recall",
        task_kwargs={
            "n_items": (4, 16),
            "n_keys": 64,
            "n_values": 16,
            **({"value_answers": True} if value_answers else {}),
        },
        model_overrides={
            "max_len": 4096,
            "d_model": 64,
            "heads": 1,
            "layers": 1,
            "attention_only": True,
            "positional": "none",
            "logit_transform": transform,
            "log_n_reference": reference,
        },
        train_config=TrainConfig(steps=2000, batch_size=64, lr=1e-3, warmup_steps=50),
        seed=seed,
        eval_kwargs={"n_items": 16},
        family="recall",
    )


def kv_entry(positional: str, seed: int, *, edge_bias: float = 0.0) -> ZooEntry:
    """Notebook 03: 2-layer key-value retrieval model; with ALiBi and edge-heavy queries it shows Liu et al.'s
    lost-in-the-middle U ("Lost in the Middle", 2023) on every seed (`tests/test_zoo.py` checks each).

    Example:
        >>> kv_entry("alibi", 0, edge_bias=0.9).name
        'kv-alibi-edge-s0'
    """
    queries = f"queries from the first/last quarter with p={edge_bias}" if edge_bias else "uniform queries"
    return ZooEntry(
        name=kv_name(seed, positional=positional, edge=bool(edge_bias)),
        description=f"Notebook 03: key-value retrieval of 4-16 pairs, 2 layers, {positional}, {queries}; seed {seed}.",
        task="kv_retrieval",
        task_kwargs={"n_pairs": (4, 16), "n_keys": 128, "n_values": 64, "edge_bias": edge_bias},
        model_overrides={
            "max_len": 256,
            "d_model": 64,
            "heads": 4,
            "layers": 2,
            "positional": positional,
            "embed_std": 1.0,
        },
        train_config=TrainConfig(steps=3000, batch_size=128, lr=1e-3, weight_decay=0.01, warmup_steps=300),
        seed=seed,
        eval_kwargs={"n_pairs": 16, "edge_bias": 0.0},
        tracker="kv_accuracy_by_index_k16",
        family="kv",
    )


def kv_query_first_entry(seed: int) -> ZooEntry:
    """Notebook 03: `kv-alibi-fill-s{seed}`'s recipe with the query key also right after BOS (Liu et
    al.'s query-aware contextualization).

    Example:
        >>> kv_query_first_entry(0).name
        'kv-alibi-qfirst-fill-s0'
    """
    plain = kv_filler_entry("alibi", seed)
    return derive_entry(
        plain,
        name=kv_name(seed, positional="alibi", query_first=True, filler=True),
        description=f"Notebook 03: {plain.name}'s recipe with the query key also before the pairs "
        f"(query-aware); seed {seed}.",
        task_updates={"query_first": True},
        eval_kwargs={**plain.eval_kwargs, "query_first": True},
    )


#: Notebook 03's filler-trained kv models: K from 1 to 16 pairs (short sequences help every encoding find
#: the retrieval circuit) and up to KV_TRAIN_FILLER filler tokens dropped between pairs.
KV_TRAIN_FILLER = 4
KV_FILL_STEPS = 3000


def kv_filler_entry(positional: str, seed: int) -> ZooEntry:
    """Notebook 03: key-value retrieval with filler tokens, for every encoding; its positions-never-seen
    experiments (filler prefix, filler between pairs, position interpolation) start from these.

    Example:
        >>> kv_filler_entry("rope", 0).name
        'kv-rope-fill-s0'
    """
    plain = kv_entry(positional, seed)
    return derive_entry(
        plain,
        name=kv_name(seed, positional=positional, filler=True),
        description=f"Notebook 03: key-value retrieval of 1-16 pairs with 0-{KV_TRAIN_FILLER} filler tokens "
        f"between pairs, 2 layers, {positional}; seed {seed}.",
        task_kwargs={  # replaces plain's outright: this recipe sets no edge_bias
            "n_pairs": (1, 16),
            "n_keys": 128,
            "n_values": 64,
            "filler": True,
            "n_filler": (0, KV_TRAIN_FILLER),
        },
        train_config=replace(plain.train_config, steps=KV_FILL_STEPS),
        eval_kwargs={"n_pairs": 16, "n_filler": 0},
        tracker=None,
    )


#: Position interpolation (Chen et al., 2023) for notebook 03: the RoPE filler models are extended from
#: 2 * 16 + 3 = 35 tokens to 2 * 64 + 3 = 131 (about 4x) by a short fine-tune on 16-64 pairs, with
#: positions scaled by 35/131 ("pi") or left as they are ("extrap", extrapolation with the same fine-tune).
KV_PI_SCALE = 35 / 131
#: The fine-tunes' position scales, by `finetune` name.
KV_FINETUNE_SCALES: dict[str, float] = {"pi": KV_PI_SCALE, "extrap": 1.0}


def kv_finetune_entry(seed: int, finetune: str) -> ZooEntry:
    """Notebook 03: `kv-rope-fill-s{seed}` fine-tuned 200 steps on 16-64 pairs, its positions scaled by
    `KV_PI_SCALE` (`finetune="pi"`, position interpolation) or left as they are (`"extrap"`).

    Example:
        >>> kv_finetune_entry(0, "pi").name
        'kv-rope-fill-pi-s0'
    """
    parent = kv_filler_entry("rope", seed)
    scale = _choose(KV_FINETUNE_SCALES, finetune, "fine-tune")
    how = "positions scaled by 35/131 (position interpolation)" if finetune == "pi" else "positions as they are"
    return derive_entry(
        parent,
        name=kv_name(seed, positional="rope", filler=True, finetune=finetune),
        description=f"Notebook 03: {parent.name} fine-tuned 200 steps on 16-64 pairs, {how}; seed {seed}.",
        task_updates={"n_pairs": (16, 64)},
        model_updates={"position_scale": scale},
        train_config=replace(parent.train_config, steps=200, batch_size=64, lr=1e-3, warmup_steps=20),
        eval_kwargs={"n_pairs": 64, "n_filler": 0},
        tracker="kv_accuracy_by_length",
        tracker_every=25,
        init_from=parent.name,
    )


#: Notebook 07's dilated patterns for the kv models: LongNet-like, w and r doubling, 8 rows kept per segment.
KV_DILATED_PATTERNS = {"dilated_segments": (8, 16, 32, 64), "dilated_rates": (1, 2, 4, 8)}


def kv_dilated_entry(seed: int) -> ZooEntry:
    """Notebook 07: `kv-rope-s{seed}`'s recipe with dilated attention in both layers (equal steps).

    Example:
        >>> kv_dilated_entry(0).name
        'kv-rope-dilated-s0'
    """
    dense = kv_entry("rope", seed)
    return derive_entry(
        dense,
        name=kv_name(seed, positional="rope", dilated=True),
        description=f"Notebook 07: key-value retrieval of 4-16 pairs, 2 layers, rope, dilated attention "
        f"w={KV_DILATED_PATTERNS['dilated_segments']} r={KV_DILATED_PATTERNS['dilated_rates']}; "
        f"seed {seed}.",
        model_updates=KV_DILATED_PATTERNS,
    )


#: Notebook 08's attention variants, Table 1 of Anson et al. (2025) at toy scale.
SI_VARIANTS = {
    "rope": {"positional": "rope"},
    "nope": {"positional": "none"},
    "alibi": {"positional": "alibi"},
    "logn-rope": {"positional": "rope", "logit_transform": "log_n"},
    "si-prope": {"positional": "p_rope", "logit_transform": "scale_invariant"},
    "si-nope": {"positional": "none", "logit_transform": "scale_invariant"},
}
SI_TRAIN_LEN = 64


#: Notebook 08's models: 2 layers, 4 heads, evaluated up to 16x the training length.
SI_MODEL = {"max_len": 16 * SI_TRAIN_LEN, "d_model": 64, "heads": 4, "layers": 2}


def si_lm_entry(variant: str, seed: int, *, tau: float = 10.0) -> ZooEntry:
    """Notebook 08: a character LM trained at 64 tokens, evaluated up to 16x longer in the notebook.

    Example:
        >>> si_lm_entry("si-prope", 0, tau=3.0).name
        'si-lm-si-prope-tau3-s0'
    """
    return ZooEntry(
        name=si_lm_name(seed, variant=variant, tau=tau),
        description=f"Notebook 08: character LM on the course corpus at {SI_TRAIN_LEN} tokens, 2 layers, 4 heads, "
        f"{variant}{'' if tau == 10.0 else f' (tau {tau:g})'}; seed {seed}.",
        task="text",
        task_kwargs={"n": SI_TRAIN_LEN},
        model_overrides={
            **SI_MODEL,
            **_choose(SI_VARIANTS, variant, "attention variant"),
            "logit_tau": tau,
        },
        train_config=TrainConfig(steps=1500, batch_size=32, lr=3e-3, warmup_steps=100),
        seed=seed,
        eval_kwargs={"split": "val"},
        family="si-lm",
    )


def si_needle_entry(variant: str, seed: int) -> ZooEntry:
    """Notebook 08: needle retrieval trained on 64-token sequences, evaluated up to 8x longer (a trial:
    `course_utils.zoo.trials` stores its measurements, not its weights).

    Example:
        >>> si_needle_entry("alibi", 0).name
        'si-needle-alibi-s0'
    """
    return ZooEntry(
        name=si_needle_name(seed, variant=variant),
        description=f"Notebook 08: needle in {SI_TRAIN_LEN}-token sequences of filler, 2 layers, 4 heads, "
        f"{variant}; seed {seed}.",
        task="needle",
        task_kwargs={"n": SI_TRAIN_LEN},
        model_overrides={
            **SI_MODEL,
            **_choose(SI_VARIANTS, variant, "attention variant"),
            "embed_std": 1.0,
        },
        train_config=TrainConfig(steps=600, batch_size=64, lr=1e-3, weight_decay=0.01, warmup_steps=60),
        seed=seed,
        family="si-needle",
    )


def sink_entry(sink_fix: str, seed: int, *, sink_init: float = 0.0, layers: int = 1, bos: bool = True) -> ZooEntry:
    """Notebook 04: an attention-only language model on the backcopy stream, on which small models grow an
    attention sink on BOS (Xiao et al., "Efficient Streaming Language Models with Attention Sinks", 2023) on
    every seed (`tests/test_sinks_claims.py` checks each).

    Example:
        >>> sink_entry("learned_sink", 0, sink_init=4.0).name
        'sink-learnedsink-init4-s0'
    """
    init = "" if sink_init == 0 else f" starting at {sink_init:g}"
    return ZooEntry(
        name=sink_name(seed, sink_fix=sink_fix, sink_init=sink_init, layers=layers, bos=bos),
        description=f"Notebook 04: backcopy stream of 64 tokens, {layers} attention-only layer{'s' * (layers > 1)}, "
        f"4 heads, RoPE, {'BOS' if bos else 'no BOS'}; sink fix {sink_fix}{init}; seed {seed}.",
        task="backcopy",
        task_kwargs={"n": 64, "n_symbols": 64, "trigger_prob": 0.1, **({} if bos else {"bos": False})},
        model_overrides={
            "max_len": 64,
            "d_model": 64,
            "heads": 4,
            "layers": layers,
            "positional": "rope",
            "attention_only": True,
            "sink_fix": sink_fix,
            "sink_init": sink_init,
        },
        train_config=TrainConfig(steps=2400, batch_size=64, lr=3e-3, warmup_steps=100),
        seed=seed,
        tracker="backcopy_sink_mass" if bos else None,  # the tracker measures streams that start with BOS
        family="sink",
    )


def lm_hot_entry(seed: int, *, sigma_reparam: bool = False) -> ZooEntry:
    """Notebook 05: a 2-layer character-level LM on the course corpus at a too-high learning rate.

    Example:
        >>> lm_hot_entry(0, sigma_reparam=True).name
        'lm-hot-sigma-s0'
    """
    how = f"learning rate 3e-2 with 10 warm-up steps{', sigmaReparam' if sigma_reparam else ''}"
    return ZooEntry(
        name=lm_hot_name(seed, sigma_reparam=sigma_reparam),
        description=f"Notebook 05: character LM on the course corpus, 2 layers, 4 heads, RoPE, {how}; seed {seed}.",
        task="text",
        task_kwargs={"n": 128},
        model_overrides={
            "max_len": 128,
            "d_model": 64,
            "heads": 4,
            "layers": 2,
            "positional": "rope",
            "sigma_reparam": sigma_reparam,
        },
        train_config=TrainConfig(steps=1000, batch_size=32, lr=3e-2, warmup_steps=10),
        seed=seed,
        eval_kwargs={"split": "val"},
        tracker="text_attention_entropy",
        tracker_every=10,
        family="lm-hot",
    )


def copy_entry(seed: int, *, seq_len: int = 12) -> ZooEntry:
    """Notebook 01: the fixed-length copier (section 9 at length 12, and a length-8 copier).

    Example:
        >>> copy_entry(0, seq_len=8).name
        'copy-m8-s0'
    """
    return ZooEntry(
        name=copy_name(seed, seq_len=seq_len),
        description=f"Notebook 01: copy a random {seq_len}-symbol string (BOS x SEP x); 2 layers, 4 heads, "
        f"RoPE; seed {seed}.",
        task="copy",
        task_kwargs={"seq_len": seq_len, "n_symbols": 16},
        model_overrides={"max_len": 32, "d_model": 64, "heads": 4, "layers": 2, "positional": "rope"},
        train_config=TrainConfig(steps=300, batch_size=64, lr=3e-3, warmup_steps=30),
        seed=seed,
        family="copy",
    )


def copy_induct_entry(seed: int) -> ZooEntry:
    """Notebook 01: the copier's model on strings of 4-16 distinct symbols (lengths 7, 11 and 14
    held out), so no single offset finds the answer.

    Example:
        >>> copy_induct_entry(0).name
        'copy-induct-s0'
    """
    return ZooEntry(
        name=copy_induct_name(seed),
        description=f"Notebook 01: copy strings of 4-16 distinct symbols out of 64 (BOS x SEP x), lengths 7, "
        f"11, 14 held out; 2 layers, 4 heads, RoPE; seed {seed}.",
        task="copy",
        task_kwargs={"seq_len": (4, 16), "n_symbols": 64, "distinct": True, "skip_lengths": INDUCT_HELD_OUT},
        model_overrides={"max_len": 64, "d_model": 64, "heads": 4, "layers": 2, "positional": "rope"},
        train_config=TrainConfig(steps=2000, batch_size=64, lr=3e-3, warmup_steps=100),
        seed=seed,
        family="copy-induct",
    )


def loop_entry(seed: int, *, rare: bool = False) -> ZooEntry:
    """Notebook 05: a 2-layer model of a stream of random 8-symbol sentences that repeat their
    predecessor: commonly (p = 0.5, MLPs 4x wide, 800 steps) or, with `rare`, rarely as in text
    (p = 0.1, 2000 steps, since only one sentence in ten teaches copying; MLPs 1x wide keep the
    checkpoint small). The MLPs are there because attention alone copies but misjudges how likely a repeat is.

    Example:
        >>> loop_entry(0, rare=True).name
        'loop-rare-s0'
    """
    repeat_prob = 0.1 if rare else 0.5
    return ZooEntry(
        name=loop_name(seed, rare=rare),
        description=f"Notebook 05: stream of 12 random 8-symbol sentences, each repeating the last with "
        f"p={repeat_prob:g}; 2 layers{', MLP ratio 1' if rare else ''}, 4 heads, RoPE; seed {seed}.",
        task="loop_stream",
        task_kwargs={"n_sentences": 12, "sentence_len": 8, "n_symbols": 64, "repeat_prob": repeat_prob},
        model_overrides={
            "max_len": 128,
            "d_model": 64,
            "heads": 4,
            "layers": 2,
            "positional": "rope",
            **({"mlp_ratio": 1} if rare else {}),
        },
        train_config=TrainConfig(steps=2000 if rare else 800, batch_size=64, lr=3e-3, warmup_steps=50),
        seed=seed,
        family="loop",
    )


def decoy_entry(seed: int, *, near_miss: bool = False) -> ZooEntry:
    """Notebook 05: a 2-layer ALiBi model that finds a needle among decoys and filler: decoys with
    another marker, or with `near_miss` a two-token key among decoys sharing its first token.

    Every near-miss training sequence has at least one near miss: with none, matching the first key
    token alone answers perfectly, and a model can sit on that half-solution (seed 0 still does; see
    notebook 05).

    Example:
        >>> decoy_entry(0, near_miss=True).name
        'decoy-nearmiss-s0'
    """
    if near_miss:
        what = "two-token key among 1-6 near-miss decoys (same first token) in 32-128 tokens"
        task, task_kwargs, steps, lr = "near_miss", {"n": (32, 128), "n_decoys": (1, 6)}, 2500, 2e-3
    else:
        what = "needle among 0-6 decoys in 16-128 tokens"
        task, task_kwargs, steps, lr = "decoy_needle", {"n": (16, 128), "n_decoys": (0, 6)}, 1500, 1e-3
    return ZooEntry(
        name=decoy_name(seed, near_miss=near_miss),
        description=f"Notebook 05: {what}, 2 layers, 4 heads, ALiBi; seed {seed}.",
        task=task,
        task_kwargs=task_kwargs,
        model_overrides={
            "max_len": 1024,
            "d_model": 64,
            "heads": 4,
            "layers": 2,
            "positional": "alibi",
            "embed_std": 1.0,
        },
        train_config=TrainConfig(steps=steps, batch_size=64, lr=lr, weight_decay=0.01, warmup_steps=100),
        seed=seed,
        eval_kwargs={"n": 128, "n_decoys": 4},
        family="decoy",
    )


def entries_by_name(entries: list[ZooEntry]) -> dict[str, ZooEntry]:
    """{name: entry}, refusing two recipes that spell the same name (the second would replace the first).

    Example:
        >>> list(entries_by_name([copy_entry(0), copy_entry(1)]))
        ['copy-s0', 'copy-s1']
    """
    by_name: dict[str, ZooEntry] = {}
    for entry in entries:
        if entry.name in by_name:
            raise ValueError(f"two recipes are named {entry.name!r}; give one of them a name option the other lacks")
        by_name[entry.name] = entry
    return by_name


ZOO: dict[str, ZooEntry] = entries_by_name(
    [
        *[copy_entry(seed, seq_len=seq_len) for seq_len in (12, 8) for seed in SEEDS],
        *[copy_induct_entry(seed) for seed in SEEDS],
        *[recall_entry(transform, seed) for transform in ("identity", "log_n", "ssmax") for seed in SEEDS],
        *[recall_entry("log_n", seed, reference=18) for seed in SEEDS],
        *[
            recall_entry(transform, seed, reference=reference, value_answers=True)
            for transform, reference in (("identity", 0), ("log_n", 18), ("ssmax", 0))
            for seed in SEEDS
        ],
        *[kv_entry(positional, seed) for positional in ("rope", "alibi") for seed in SEEDS],
        *[kv_entry("alibi", seed, edge_bias=0.9) for seed in SEEDS],
        *[kv_dilated_entry(seed) for seed in SEEDS],
        *[kv_query_first_entry(seed) for seed in SEEDS],
        *[kv_filler_entry(positional, seed) for positional in ("rope", "alibi", "learned") for seed in SEEDS],
        *[kv_finetune_entry(seed, finetune) for finetune in KV_FINETUNE_SCALES for seed in SEEDS],
        *[si_lm_entry(variant, seed) for variant in SI_VARIANTS for seed in SEEDS],
        *[si_lm_entry("si-prope", 0, tau=tau) for tau in (1.0, 3.0, 30.0, 100.0)],
        *[sink_entry(fix, seed) for fix in SINK_FIXES for seed in SEEDS],
        *[sink_entry("learned_sink", seed, sink_init=4.0) for seed in SEEDS],
        *[sink_entry("none", seed, layers=2, bos=bos) for bos in (True, False) for seed in SEEDS],
        *[lm_hot_entry(seed, sigma_reparam=sigma) for sigma in (False, True) for seed in SEEDS],
        *[loop_entry(seed, rare=rare) for rare in (False, True) for seed in SEEDS],
        *[decoy_entry(seed, near_miss=near_miss) for near_miss in (False, True) for seed in SEEDS],
    ]
)


def entry_name(family: str, seed: int, **options: Any) -> str:
    """The name of `family`'s entry for model seed `seed` and the family's `options`.

    Example:
        >>> entry_name("kv", 0, positional="alibi", edge=True)
        'kv-alibi-edge-s0'
    """
    spelled = format_entry_name(family, seed, options)
    if spelled not in ZOO:
        raise ValueError(
            f"no zoo entry {spelled!r} for family {family!r}, seed {seed}, options {options}; "
            f"see `names_by_seed({family!r}, ...)` for the seeds that exist"
        )
    return spelled


def names_by_seed(family: str, **options: Any) -> dict[int, str]:
    """{seed: name} of the entries of one family variant, for the seeds of `SEEDS` that exist.

    Example:
        >>> names_by_seed("kv", positional="alibi")
        {0: 'kv-alibi-s0', 1: 'kv-alibi-s1', 2: 'kv-alibi-s2'}
        >>> names_by_seed("si-lm", variant="si-prope", tau=3.0)  # seed 0 only
        {0: 'si-lm-si-prope-tau3-s0'}
    """
    names = {seed: format_entry_name(family, seed, options) for seed in SEEDS}
    found = {seed: spelled for seed, spelled in names.items() if spelled in ZOO}
    if not found:
        raise ValueError(
            f"zoo family {family!r} has no entry with options {options} (tried "
            f"{sorted(names.values())}); run `python -m course_utils.zoo list` to see the entries"
        )
    return found


def get_entry(name: str) -> ZooEntry:
    """The recipe called `name`; a ValueError lists the entries if there is none.

    Example:
        >>> get_entry("kv-rope-s0").task
        'kv_retrieval'
    """
    if name not in ZOO:
        raise ValueError(f"no zoo entry {name!r}; choose one of {sorted(ZOO)}")
    return ZOO[name]


def checkpoint_path(name: str) -> Path:
    """Where entry `name`'s committed checkpoint is stored.

    Example:
        >>> checkpoint_path("copy-s0").relative_to(CHECKPOINT_DIR)
        PosixPath('copy-s0.pt.xz')
    """
    get_entry(name)
    return CHECKPOINT_DIR / f"{name}.pt.xz"
