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
# # 01 · Attention from scratch
#
# **The question.** Every later chapter of this course asks why attention struggles when the
# context grows long. To answer that we first need attention itself, built from nothing but
# matrix products and a softmax, and checked against PyTorch so we can trust it. Along the way
# we meet the first two numerical facts that matter at scale: the softmax overflows unless it
# is written carefully, and dot products grow with the head dimension unless they are scaled.
#
# **Learning goals.** After this notebook you can
# - compute attention weights from queries and keys and explain each step;
# - write a softmax that cannot overflow, and say why it gives the same answer;
# - measure why scores are divided by $\sqrt{d}$;
# - build causal and padding masks, and split attention into heads;
# - read the attention maps of a trained two-layer transformer.
#
# **Papers.** Vaswani et al., "Attention Is All You Need" (2017) for scaled dot-product and
# multi-head attention; Bahdanau, Cho and Bengio, "Neural Machine Translation by Jointly Learning
# to Align and Translate" (2015) for attention as soft lookup; Su et al., "RoFormer: Enhanced
# Transformer with Rotary Position Embedding" (2021) for the positions of the trained model;
# Olsson et al., "In-context Learning and Induction Heads" (2022) for the two-layer copying
# circuit we find at the end.
#
# Vocabulary used throughout the course: `n` sequence length, `d` head dimension, `q, k, v`
# queries, keys and values of shape `(batch, heads, n, d)`, `scores = q·kᵀ/√d`,
# `weights = softmax(scores)`.

# %% [markdown]
# The setup cell: imports, one seed for everything, and the course's plot style. This chapter
# is small enough to run entirely on the CPU.

# %%
import math

import torch
import torch.nn.functional as F

from course_utils import zoo
from course_utils.attention import MultiHeadAttention, attention, stable_softmax
from course_utils.device import seed_everything
from course_utils.plotting import plot_attention_maps, plot_curves, plot_loss, use_course_style
from course_utils.tasks import copy_batch
from course_utils.train import answer_accuracy

seed_everything(0)
use_course_style()
torch.set_printoptions(precision=3, sci_mode=False)

# %% [markdown]
# ## 1. Similarity: a query scores every key
#
# Attention is a soft lookup. A **query** vector asks a question; every position offers a
# **key** vector; the dot product `q·k` says how well they match. Here are five keys in four
# dimensions and a query that points along the first axis: key 0 matches exactly, key 2 nearly.

# %%
keys = torch.tensor([
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0],
    [0.9, 0.1, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [-1.0, 0.0, 0.0, 0.0],
])  # (n=5, d=4)
query = torch.tensor([1.0, 0.0, 0.0, 0.0])  # (d,)
similarity = keys @ query  # (n,)
print("q·k for each key:", similarity)

# %% [markdown]
# ## 2. Softmax, and why the naive one overflows
#
# Scores become **weights** that are positive and sum to one with the softmax
# $w_j = e^{s_j} / \sum_{j'} e^{s_{j'}}$. Written literally it works for small scores, but
# `exp` of a float32 overflows to `inf` above about 88.7, and `inf / inf` is `nan`.

# %%
def naive_softmax(scores: torch.Tensor) -> torch.Tensor:
    """exp, then normalise: correct on paper, fragile in float32."""
    exps = torch.exp(scores)
    return exps / exps.sum(dim=-1, keepdim=True)


print("naive, scores as they are:", naive_softmax(similarity))
print("naive, scores x 100:      ", naive_softmax(similarity * 100))

# %% [markdown]
# Adding the same constant `c` to every score multiplies every `exp` by `e^c`, which cancels in
# the ratio. So we may subtract the row maximum first: the largest exponent becomes `e^0 = 1`
# and nothing can overflow. That is what every real implementation does.

# %%
def softmax_from_scratch(scores: torch.Tensor) -> torch.Tensor:
    """Subtract the row maximum, then exp and normalise: same result, no overflow."""
    shifted = scores - scores.amax(dim=-1, keepdim=True)
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=-1, keepdim=True)


big = similarity * 100
print("stable, scores x 100:", softmax_from_scratch(big))
torch.testing.assert_close(softmax_from_scratch(big), torch.softmax(big, dim=-1))
torch.testing.assert_close(softmax_from_scratch(big), stable_softmax(big))
print("matches torch.softmax and course_utils.attention.stable_softmax")

# %% [markdown]
# **Takeaway.** Softmax is unchanged by a shift of all scores, so the stable version subtracts
# the maximum; the naive one turned scores of 100 into `nan` above.

# %% [markdown]
# ## 3. Why divide by √d? Measure it
#
# If the entries of `q` and `k` are independent with mean 0 and variance 1, then `q·k` is a sum
# of `d` such products, so its variance is `d`. Large scores push the softmax towards a one-hot
# vector, whose gradient is almost zero. Let us measure the variance for several head
# dimensions, with 20,000 random pairs each, before and after dividing by `√d`.

# %%
head_dims = [4, 16, 64, 256, 1024]
variance_raw, variance_scaled = [], []
for d in head_dims:
    q = torch.randn(20_000, d)
    k = torch.randn(20_000, d)
    dots = (q * k).sum(-1)  # (20000,)
    variance_raw.append(dots.var().item())
    variance_scaled.append((dots / math.sqrt(d)).var().item())
    print(f"d = {d:5d}: var(q·k) = {variance_raw[-1]:7.1f}   var(q·k/√d) = {variance_scaled[-1]:.2f}")

# %% [markdown]
# The variance grows like `d`; after scaling it stays near 1. What does that do to attention?
# For one query over 64 random keys, the largest weight with raw scores approaches 1 (a
# saturated, nearly one-hot softmax), while the scaled scores keep the same spread at every `d`.

# %%
max_weight_raw, max_weight_scaled = [], []
for d in head_dims:
    q = torch.randn(500, 1, d)
    k = torch.randn(500, 64, d)
    raw = (q @ k.transpose(-2, -1)).squeeze(1)  # (500, 64)
    max_weight_raw.append(torch.softmax(raw, -1).amax(-1).mean().item())
    max_weight_scaled.append(torch.softmax(raw / math.sqrt(d), -1).amax(-1).mean().item())
for d, a, b in zip(head_dims, max_weight_raw, max_weight_scaled):
    print(f"d = {d:5d}: mean max weight, raw {a:.3f}   scaled {b:.3f}")

# %% [markdown]
# Both measurements in one figure (log axes, since `d` spans decades):

# %%
fig = plot_curves(
    head_dims,
    {"var(q·k)": variance_raw, "var(q·k/√d)": variance_scaled},
    xlabel="head dimension d", ylabel="variance of the score",
    title="Unscaled scores have variance d; scaled ones stay near 1", logx=True, logy=True,
)
fig

# %% [markdown]
# **Takeaway.** The measured variance of `q·k` tracks `d` (the table above, up to d = 1024) and
# stays near 1 after dividing by `√d`; without the scaling the mean largest weight over 64 keys
# climbs towards 1, so the softmax saturates and its gradients vanish.

# %% [markdown]
# ## 4. Masks: what a query may not see
#
# A **causal mask** stops position `i` from reading positions after it (a language model must
# not peek at the next token). A **padding mask** hides filler positions added to make a batch
# rectangular. Both are boolean: `True` means keep. Masked scores become `-inf`, whose `exp` is 0.

# %%
n = 5
causal = torch.ones(n, n, dtype=torch.bool).tril()
print("causal mask (1 = visible):")
print(causal.int())

lengths = torch.tensor([5, 3])  # two sequences, the second padded with 2 fillers
padding = torch.arange(n)[None, :] < lengths[:, None]  # (batch, n_k)
print("padding mask per sequence:")
print(padding.int())

# %% [markdown]
# ## 5. Attention, assembled
#
# Now the whole formula, $\mathrm{softmax}(QK^\top/\sqrt{d} + \text{mask})\,V$, in five lines,
# for inputs of shape `(batch, heads, n, d)`.

# %%
def attention_from_scratch(q, k, v, mask=None):
    """q: (..., n_q, d), k, v: (..., n_k, d); mask: bool, True = keep -> (out, weights)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., n_q, n_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = softmax_from_scratch(scores)  # (..., n_q, n_k)
    return weights @ v, weights  # (..., n_q, d)


q, k, v = torch.randn(3, 2, 4, n, 8)  # each (batch=2, heads=4, n=5, d=8)
out, weights = attention_from_scratch(q, k, v, mask=causal)
print("weights of head 0, sequence 0 (rows: queries, columns: keys):")
print(weights[0, 0])

# %% [markdown]
# **Check** against PyTorch's fused `scaled_dot_product_attention` (causal, then padding) and
# against the course's own `course_utils.attention.attention`, which later chapters import.
# `assert_close` raises if any entry differs beyond float32 tolerance.

# %%
torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True))
pad_mask = padding[:, None, None, :]  # (batch, 1, 1, n_k): broadcast over heads and queries
out_pad, weights_pad = attention_from_scratch(q, k, v, mask=pad_mask)
torch.testing.assert_close(out_pad, F.scaled_dot_product_attention(q, k, v, attn_mask=pad_mask))
out_cu, weights_cu = attention(q, k, v, causal=True)
torch.testing.assert_close(out, out_cu)
torch.testing.assert_close(weights, weights_cu)
print("weight on padding keys of sequence 1:", weights_pad[1, :, :, 3:].abs().max().item())
print("from-scratch attention matches scaled_dot_product_attention and course_utils.attention")

# %% [markdown]
# The course's version also checks its input. Bad shapes raise a `ValueError` that says what to
# fix instead of a broadcasting error deep inside:

# %%
try:
    attention(q, k[..., :6], v)
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## 6. Multiple heads
#
# One softmax can only form one weighted average per query. **Multi-head attention** projects
# the `d_model`-dimensional input to `heads` separate `(q, k, v)` triples of size
# `d = d_model / heads`, attends in each, concatenates and projects back. Here it is inline,
# checked against `torch.nn.MultiheadAttention` with the same weights.

# %%
d_model, heads = 16, 4
torch_mha = torch.nn.MultiheadAttention(d_model, heads, batch_first=True)
x = torch.randn(2, n, d_model)  # (batch, n, d_model)


def multi_head_from_scratch(x, w_in, b_in, w_out, b_out, heads, mask):
    batch, n, d_model = x.shape
    q, k, v = (x @ w_in.T + b_in).split(d_model, dim=-1)  # 3 x (B, n, D)
    q, k, v = (t.view(batch, n, heads, d_model // heads).transpose(1, 2) for t in (q, k, v))  # (B, H, n, d)
    out, weights = attention_from_scratch(q, k, v, mask=mask)  # (B, H, n, d)
    out = out.transpose(1, 2).reshape(batch, n, d_model)  # (B, n, D): heads side by side
    return out @ w_out.T + b_out, weights


ours, our_weights = multi_head_from_scratch(
    x, torch_mha.in_proj_weight, torch_mha.in_proj_bias,
    torch_mha.out_proj.weight, torch_mha.out_proj.bias, heads, causal,
)
theirs, their_weights = torch_mha(x, x, x, attn_mask=~causal, average_attn_weights=False)
torch.testing.assert_close(ours, theirs)
torch.testing.assert_close(our_weights, their_weights)
print("from-scratch multi-head attention matches torch.nn.MultiheadAttention")

# %% [markdown]
# The package's `MultiHeadAttention` module is the same computation with two hooks that later
# chapters use: a positional scheme (none, sinusoidal, learned, RoPE, ALiBi) and a logit
# transform (log-n scaling, scale-invariant attention). With the same weights it agrees too.

# %%
course_mha = MultiHeadAttention(d_model, heads)
with torch.no_grad():
    course_mha.qkv.weight.copy_(torch_mha.in_proj_weight)
    course_mha.qkv.bias.copy_(torch_mha.in_proj_bias)
    course_mha.proj.weight.copy_(torch_mha.out_proj.weight)
    course_mha.proj.bias.copy_(torch_mha.out_proj.bias)
    course_out, _ = course_mha(x, causal=True)
torch.testing.assert_close(course_out, theirs)
print("course_utils.attention.MultiHeadAttention matches too")

# %% [markdown]
# **Takeaway.** Attention is five lines: scores, scale, mask, softmax, weighted sum. Our
# from-scratch version, `course_utils` and PyTorch agree to float32 tolerance on causal, padded
# and multi-head inputs.

# %% [markdown]
# ## 7. A trained transformer copies a string
#
# Time to look inside a trained model. The task: read `BOS x1 … x12 SEP`, then reproduce
# `x1 … x12` (16 possible symbols; loss only on the copy). The model is the course's `TinyGPT`:
# 2 layers, 4 heads, `d_model` 64, RoPE positions. It comes from the course's **model zoo**:
# `python -m course_utils.zoo build copy-rope-2l` trains it with the code in `course_utils`
# (300 steps, about 10 s on one CPU core) and stores the checkpoint with its loss curve. Set
# `RETRAIN = True` to train it yourself instead of loading it.

# %%
RETRAIN = False
model, record = zoo.load("copy-rope-2l", retrain=RETRAIN)
learned_at = next(step for step, loss in enumerate(record["losses"]) if loss < 0.01)
fig = plot_loss(record["losses"], title=f"copy-rope-2l: loss below 0.01 from step {learned_at}")
fig.axes[0].set_yscale("log")  # the loss spans four decades
fig

# %% [markdown]
# First, accuracy on 512 fresh strings the model never saw:

# %%
m = 12
test = copy_batch(512, m, n_symbols=16, generator=2024)
print(f"copy accuracy on fresh strings of length {m}: {answer_accuracy(model, test.tokens, test.targets):.3f}")

# %% [markdown]
# Now the attention maps of one example, every head of both layers. Rows are queries, columns
# keys; the model is causal, so everything above the diagonal is zero.

# %%
example = copy_batch(1, m, n_symbols=16, generator=7)
with torch.no_grad():
    _, attn = model(example.tokens, return_attention=True)  # (layers, batch, heads, n, n)
labels = ["BOS"] + [f"x{i}" for i in range(1, m + 1)] + ["SEP"] + [f"x{i}" for i in range(1, m + 1)]
fig = plot_attention_maps(attn[0, 0], tokens=labels, title="layer 1: each head looks one token back")
fig

# %%
fig = plot_attention_maps(attn[1, 0], tokens=labels, title="layer 2: each head looks a fixed distance back")
fig

# %% [markdown]
# The pictures suggest fixed distances. Measure them: for every copy query (positions `m+1` to
# `2m`) and every distance `t = query position − key position`, average the weight over 512
# strings, and report the distance each head prefers and the weight it puts there.

# %%
with torch.no_grad():
    _, attn_test = model(test.tokens, return_attention=True)  # (L, B, H, n, n)
copy_queries = torch.arange(m + 1, 2 * m + 1)
mean_weight_by_distance = torch.stack(
    [attn_test[:, :, :, copy_queries, copy_queries - t].mean(dim=(1, 3)) for t in range(m + 1)], dim=-1
)  # (L, H, m + 1)
preferred_distance = mean_weight_by_distance.argmax(-1)  # (L, H)
for layer in range(2):
    for head in range(4):
        t = int(preferred_distance[layer, head])
        print(f"layer {layer + 1} head {head}: prefers distance t = {t:2d} "
              f"(mean weight {mean_weight_by_distance[layer, head, t]:.2f})")

# %% [markdown]
# Layer 1 heads mostly look one token back: each position now also carries its predecessor.
# Every layer-2 head puts almost all its weight `m − 1 = 11` tokens back. Why 11 and not 12?
# At a copy query, the token to produce sits `m` positions back; the key `m − 1` back is the
# token *after* it, which after layer 1 carries "my predecessor is the answer". Two layers
# compose into a copier, the induction-style circuit of Olsson et al. (2022). The same
# preferences are not luck of one seed: `tests/test_zoo.py` retrains the model with seeds 0, 1
# and 2 and checks them in each.
#
# A circuit built on a fixed distance should break when the distance changes. Test the model on
# strings of other lengths (it only ever saw length 12):

# %%
for length in [8, 12, 16]:
    batch = copy_batch(512, length, n_symbols=16, generator=length)
    acc = answer_accuracy(model, batch.tokens, batch.targets)
    print(f"string length {length:2d}: copy accuracy {acc:.3f}   (chance = {1 / 16:.3f})")

# %% [markdown]
# **Takeaway.** The trained model copies length-12 strings perfectly with a previous-token
# layer and a fixed-distance layer, and falls to chance at lengths 8 and 16: what it learned
# about positions does not transfer to distances it never saw. Chapter 03 measures this
# *position degradation* carefully.

# %% [markdown]
# ## Takeaways
#
# The numbers below are read from the measurements of this notebook, not typed in.

# %%
layer2_weight = mean_weight_by_distance[1].amax(-1).min().item()
print(f"""\
- A naive softmax turned scores x 100 into nan; subtracting the row maximum gives the same weights without overflow.
- var(q·k) grew like d: {variance_raw[0]:.1f} at d = {head_dims[0]} and {variance_raw[-1]:.0f} at d = {head_dims[-1]};
  after dividing by √d it stayed between {min(variance_scaled):.2f} and {max(variance_scaled):.2f}.
- Without scaling the mean largest weight over 64 keys reached {max_weight_raw[-1]:.2f} at d = {head_dims[-1]} (scaled: {max_weight_scaled[-1]:.2f}).
- Causal and padding masks set scores to -inf; padding keys received weight {weights_pad[1, :, :, 3:].abs().max().item():.1f}.
- From-scratch attention and multi-head attention matched PyTorch's to float32 tolerance.
- The 2-layer RoPE copier reached accuracy {answer_accuracy(model, test.tokens, test.targets):.3f} at length {m};
  every layer-2 head put at least {layer2_weight:.2f} of its weight at one fixed distance,
  and accuracy fell to chance at other string lengths.""")


# %% [markdown]
# ## Quiz
#
# Each question has a check cell. Multiple-choice answers are letters in a string, e.g.
# `q1_answer = "A"`. The checks you can read compare a hash or a range, so they do not give the
# answer away; your teacher's version runs hidden checks too. Once a multiple-choice check passes,
# it shows a short explanation.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1.** Why does `softmax_from_scratch` subtract the row maximum before `exp`?
#
# - **A)** It makes the weights sparser, so the model focuses better.
# - **B)** It is an approximation that is faster to compute.
# - **C)** A common shift cancels in the ratio, and `exp` of a number ≤ 0 cannot overflow.
# - **D)** It makes the largest weight exactly 1.
#
# The demonstration: shifting every score by the same constant leaves the weights unchanged.

# %%
scores_demo = torch.tensor([2.0, -1.0, 0.5])
for shift in [0.0, -2.0, 50.0]:
    print(f"shift {shift:5.1f}: weights {softmax_from_scratch(scores_demo + shift)}")

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
success_message: "Softmax(s + c) = softmax(s) for any constant c: exp(c) cancels between numerator and denominator. Subtracting the row maximum is such a shift, and it makes every exponent at most 0, so exp cannot overflow. The weights are exact (no approximation), no sparser than before, and the largest is not forced to 1."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q1_answer, "2524b55ac3ff514d1492841f6468c4ea01c4a68c7ea50ce6e5f07ae68b5f14cb", salt="01/q1")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2.** Estimate, by simulation, the variance of the **unscaled** score `q·k` when `q` and `k`
# have `d = 256` independent standard-normal entries. Use at least 10,000 pairs and store the
# estimate in `q2_variance` (a Python float). The visible check accepts an estimate within about
# 25 % of the true variance.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION
pairs_q, pairs_k = torch.randn(2, 20_000, 256)
q2_variance = (pairs_q * pairs_k).sum(-1).var().item()
# END SOLUTION
print(f"estimated variance: {q2_variance:.1f}")

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.quiz import check_rounded

assert isinstance(q2_variance, float), "store a Python float, e.g. tensor.item()"
# the estimate rounded to a multiple of 128: every estimate within about 25 % of the true variance agrees
assert check_rounded(q2_variance / 128, "086bdd7adf8f69bf751c3638a05265e3532caf22ab27d4b3d399d22a70568f8e", salt="01/q2", decimals=0), "not within about 25 % of the variance: did you scale, or use d = 256?"

# %%
# HIDDEN
from course_utils.quiz import in_range

assert in_range(q2_variance, 0.9 * 256, 1.1 * 256)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 2

# %% [markdown]
# **Q3.** Write `causal_attention(q, k, v)` from scratch (no `scaled_dot_product_attention`, no
# `course_utils`): inputs `(batch, heads, n, d)`, output `(batch, heads, n, d)`, each query
# attending to itself and earlier positions only, with scores scaled by `1/√d`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """q, k, v: (batch, heads, n, d) -> (batch, heads, n, d)."""
    # BEGIN SOLUTION
    n = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~torch.ones(n, n, dtype=torch.bool).tril(), float("-inf"))
    return softmax_from_scratch(scores) @ v
    # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
_g = torch.Generator().manual_seed(0)
_q, _k, _v = torch.randn(3, 1, 2, 6, 8, generator=_g)
_out = causal_attention(_q, _k, _v)
assert _out.shape == (1, 2, 6, 8)
# The first query can only see the first key, so it must return the first value exactly.
torch.testing.assert_close(_out[..., 0, :], _v[..., 0, :])
# Every query, against PyTorch's fused attention: this tests the 1/sqrt(d) scaling and the mask.
from torch.nn.functional import scaled_dot_product_attention as _sdpa

torch.testing.assert_close(_out, _sdpa(_q, _k, _v, is_causal=True))

# %%
# HIDDEN
_g = torch.Generator().manual_seed(1)
_q, _k, _v = torch.randn(3, 2, 3, 9, 16, generator=_g)
torch.testing.assert_close(causal_attention(_q, _k, _v), F.scaled_dot_product_attention(_q, _k, _v, is_causal=True))

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4.** Using `mean_weight_by_distance` from section 7, find the distance `t` that **layer 2,
# head 0** of the copy model prefers, and store it in `q4_distance` (a Python int).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_distance = int(mean_weight_by_distance[1, 0].argmax())  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.quiz import check_value

assert isinstance(q4_distance, int), "store a Python int, e.g. int(tensor)"
assert check_value(q4_distance, "6744ca806a980da61131e392f85159d85b3fc24b8c0bf60128d3dd329f54de19", salt="01/q4")

# %%
# HIDDEN
assert q4_distance == int(preferred_distance[1, 0])

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (from the course's seed quiz). Positional encodings may not generalise to:
#
# - **A)** Short sequences
# - **B)** No issue
# - **C)** All positions
# - **D)** Positions not seen during training
#
# The demonstration: a learned position table simply has no row for a position past its
# training length, and the copy model above, trained only at length 12, fell to chance at
# lengths 8 and 16.

# %%
from course_utils.positional import LearnedAbsolute

table = LearnedAbsolute(d_model=16, max_len=32)
try:
    table.embed(torch.zeros(1, 40, 16), torch.arange(40))
except ValueError as err:
    print("ValueError:", err)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "A learned position table has no row past the length it was trained on, and encodings such as RoPE meet rotations (distances) that training never showed. Shorter sequences reuse trained positions. The demonstration is only a software guard; notebook 03 measures the accuracy drop past the training length."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q5_answer, "8237fd695d408830a907c5ccdcf12918599b729f9bbf8795f146911c795f3f3d", salt="01/q5")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
