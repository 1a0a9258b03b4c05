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
# # 04 · Attention sinks: why heads stare at the first token, and what breaks without it
#
# **The question.** In trained language models some heads put most of their attention on the
# first token, whatever it says. Xiao et al. called it an *attention sink* and found that it
# matters: Llama-2-13B reading a 65K-token book with a window cache that evicts the first tokens
# reaches a perplexity of 5158, and keeping just the first 4 tokens brings it back to 5.40. This
# notebook grows sinks in small models the course trains, measures where they come from and what
# the sink token writes, breaks streaming by evicting it, and tests three proposed fixes.
#
# **Learning goals.** After this notebook you can
# - measure a sink: the mean weight on the first token, per head and per kind of query, and the
#   fraction of sink heads (Gu et al.'s threshold of 0.3);
# - explain why a head that often has nothing to read parks its attention, and check what the
#   parking place writes;
# - run a model with a StreamingLLM cache (first k tokens + a recent window, positions re-indexed)
#   and read its loss past the training length;
# - implement softmax-plus-one and say what a learned sink logit and an output gate change.
#
# **Papers.** Xiao et al., "Efficient Streaming Language Models with Attention Sinks" (2023);
# Gu et al., "When Attention Sink Emerges in Language Models: An Empirical View" (2024);
# Sun et al., "Massive Activations in Large Language Models" (2024); Miller, "Attention Is Off
# By One" (2023, blog post) for softmax-plus-one; Qiu et al., "Gated Attention for Large Language
# Models: Non-linearity, Sparsity, and Attention-Sink-Free" (2025).

# %% [markdown]
# Setup: imports, seed, plot style. Everything runs on the CPU.

# %%
import math

import matplotlib.pyplot as plt
import torch

from course_utils import zoo
from course_utils.attention import attention
from course_utils.device import seed_everything
from course_utils.plotting import finish, plot_curves, use_course_style
from course_utils.sinks import (
    SINK_THRESHOLD, cache_indices, head_contributions, sink_mass, sink_rate, streaming_logits, token_losses,
)
from course_utils.tasks import backcopy_batch

seed_everything(0, threads=2)
use_course_style()

# %% [markdown]
# ## 1. Measuring a sink
#
# A causal head's weights form a lower-triangular matrix `weights: (n, n)` whose rows sum to 1.
# Its *sink mass* is the mean of column 0, the weight each query puts on the first token. Query 0
# is left out, since it can see nothing else. Gu et al. (2024) call a head a **sink head** when its
# sink mass exceeds 0.3, and report the fraction of sink heads as the model's sink rate.
#
# Here it is from scratch on a made-up layer of two heads: head 0 spreads its attention evenly,
# head 1 sends 80 % of every row to the first token.

# %%
n = 6
uniform = torch.ones(n, n).tril()
uniform = uniform / uniform.sum(-1, keepdim=True)  # (n, n): each query spreads evenly over what it sees
parked = 0.2 * uniform.clone()
parked[:, 0] += 0.8  # 80 % of each row on the first token
parked[0] = uniform[0]  # query 0 sees only key 0
toy = torch.stack([uniform, parked])[None, None]  # (layers=1, batch=1, heads=2, n, n)

by_hand = toy[0, 0, :, 1:, 0].mean(-1)  # (heads,): column 0, queries 1..n-1
print("sink mass by hand:         ", by_hand.tolist())
print("course_utils.sinks.sink_mass:", sink_mass(toy)[0].tolist())
print(f"sink rate (threshold {SINK_THRESHOLD}):", sink_rate(sink_mass(toy)))

# %% [markdown]
# The uniform head's mass is the mean of `1/(i+1)` over the queries, about 0.29 for six tokens: a
# short sequence gives every key a lot of weight. That is why the measurements below compare a head
# with itself on different kinds of queries, and use sequences of 64 tokens, where uniform
# attention would give the first token about 0.07.
#
# ## 2. Growing a sink
#
# A plain character-level model trained for minutes on this machine grew no sink: every head had
# something to read at every position. Gu et al. (2024) trace sinks to heads that *often have
# nothing useful to read*. So the course builds a stream where that is true most of the time, the
# **backcopy** stream:
#
# `BOS s s s s TRIGGER x s s ...`
#
# Symbols `s` are drawn independently (Zipf distribution over 64 symbols), so for them the context
# is useless. With probability 0.1 a symbol is replaced by `TRIGGER`, and the token after a
# trigger repeats the symbol *before* the trigger: to predict it, a head must read one position
# back. About one query in ten needs context; the other nine need none.
#
# The models: one attention-only layer, 4 heads of width 16, RoPE, trained on sequences of 64
# tokens for 2400 steps, 3 seeds each, from the zoo (built by
# `python -m course_utils.zoo build sink-s0 sink-s1 sink-s2`; the build times are printed below). The same
# recipe with an MLP after the attention grew a clear sink in only some seeds in a trial run, so
# the chapter uses the attention-only layer; section 3 shows why that matters.

# %%
SEEDS = zoo.SEEDS
FIXES = {"none": "softmax", "softmax1": "softmax1", "learned_sink": "learned sink logit", "gate": "output gate"}


def entry_name(fix: str, seed: int) -> str:
    return zoo.name("sink", seed, sink_fix=fix)


models, records = {}, {}
for fix in FIXES:
    for seed in SEEDS:
        models[(fix, seed)], records[(fix, seed)] = zoo.load(entry_name(fix, seed), verbose=fix == "none")

build_s = [records[key]["build_seconds"] for key in records]
print(f"zoo build times of these {len(records)} models: {min(build_s):.0f}-{max(build_s):.0f} s each on one core")
example = backcopy_batch(1, 24, generator=3)
print(" ".join(example.meta["vocab"].labels(example.tokens[0])))

# %% [markdown]
# The measurement: 512 fresh sequences of 64 tokens; the sink mass of every head, separately for
# the *copy queries* (the trigger positions, whose next token is a copy) and for the *idle
# queries* (all others).

# %%
test = backcopy_batch(512, 64, generator=4000)
copy_q = test.meta["copy_mask"]  # (batch, n) True at trigger positions
sinks = {}
for key, model in models.items():
    with torch.no_grad():
        logits, attn = model(test.tokens, return_attention=True)  # attn: (1, B, H, n, n)
    extra = 1 - attn.sum(-1, keepdim=True).expand_as(attn)  # weight on a fix's extra key, as a column
    sinks[key] = {
        "idle": sink_mass(attn, ~copy_q)[0], "copy": sink_mass(attn, copy_q)[0],  # (H,)
        "rate": sink_rate(sink_mass(attn)), "extra_idle": sink_mass(extra, ~copy_q)[0],
        "loss": torch.nanmean(token_losses(logits, test.targets)).item(),
        "copy_loss": torch.nanmean(token_losses(logits, test.targets)[copy_q]).item(),
    }

print("plain softmax models: mean weight on BOS per head")
for seed in SEEDS:
    s = sinks[("none", seed)]
    print(f"  seed {seed}: idle queries {[round(v, 2) for v in s['idle'].tolist()]}, "
          f"copy queries {[round(v, 2) for v in s['copy'].tolist()]}; sink rate {s['rate']:.2f}; "
          f"loss on copies {s['copy_loss']:.3f} nats")

# %% [markdown]
# Every seed has a head that parks nearly all of its idle attention on BOS and puts almost none
# there when it has to copy. The sink grew during training; the zoo recorded the sink mass every
# 250 steps:

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for ax, seed in zip(axes, SEEDS):
    history = records[("none", seed)]["history"]
    steps = [h["step"] for h in history]
    idle = torch.tensor([h["backcopy_sink_mass"]["other"][0] for h in history])  # (T, H)
    copy = torch.tensor([h["backcopy_sink_mass"]["copy"][0] for h in history])
    for head in range(idle.shape[1]):
        line, = ax.plot(steps, idle[:, head], marker="o", ms=3, label=f"head {head}, idle queries")
        ax.plot(steps, copy[:, head], ls="--", color=line.get_color(), lw=1)
    ax.axhline(SINK_THRESHOLD, color="grey", lw=0.8, ls=":")
    ax.set(title=f"seed {seed}", xlabel="training step")
axes[0].set_ylabel("mean weight on BOS")
axes[0].legend(fontsize=7, title="dashed: copy queries", title_fontsize=7)
finish(fig, "Sinks grow on the idle queries only (dotted: Gu et al.'s 0.3)")

# %% [markdown]
# **Takeaway.** A head that has a job at one query in ten learns to do nothing at the other nine by
# parking on BOS; at its copy queries it looks away from BOS. The printed masses above are
# measured on held-out sequences, in all three seeds.
#
# ## 3. What the sink writes, and what it is attached to
#
# The usual story is that a sink token's value is tiny, so parking there writes nothing (Gu et al.,
# 2024). We can measure it: `head_contributions` gives `‖W_o,h v_h,j‖`, the size of what key `j`
# adds to head `h`'s output per unit of weight. Compare BOS with the mean over the other tokens:

# %%
for seed in SEEDS:
    model, s = models[("none", seed)], sinks[("none", seed)]
    contrib = head_contributions(model, test.tokens)  # (B, H, n)
    ratio = contrib[:, :, 0].mean(0) / contrib[:, :, 1:].mean(dim=(0, 2))  # (H,)
    sink_head = int(s["idle"].argmax())
    print(f"seed {seed}: sink head {sink_head} (idle mass {s['idle'][sink_head]:.2f}); "
          f"BOS writes {ratio[sink_head]:.1f}x what an average token writes")

# %% [markdown]
# In these models the sink's value is **not** small: it is several times larger than an ordinary
# token's. With no MLP and no other bias in the head's path, parking on BOS is how the head writes
# a fixed vector at every idle query, a learned bias, which is how Sun et al. (2024) describe the
# sinks of large models ("attention to these tokens acts as an implicit bias term"). One way to
# check that the vector is used: zero BOS's value (a forward hook on the head's `qkv` projection)
# and measure the loss on the idle queries.

# %%
def loss_with_bos_value_zeroed(model, batch):
    """Mean loss per position with BOS's value set to zero in every head: (batch, n)."""
    d_model = model.config.d_model

    def zero_bos_value(_module, _inputs, qkv):  # qkv: (B, n, 3 * d_model)
        qkv = qkv.clone()
        qkv[:, 0, 2 * d_model:] = 0.0
        return qkv

    handle = model.blocks[0].attn.qkv.register_forward_hook(zero_bos_value)
    try:
        with torch.no_grad():
            return token_losses(model(batch.tokens), batch.targets)
    finally:
        handle.remove()


value_ablation = {}
for seed in SEEDS:
    model = models[("none", seed)]
    with torch.no_grad():
        before = token_losses(model(test.tokens), test.targets)
    after = loss_with_bos_value_zeroed(model, test)
    value_ablation[seed] = (before[~copy_q].nanmean().item(), after[~copy_q].nanmean().item())
    print(f"seed {seed}: loss on idle queries {value_ablation[seed][0]:.3f} -> {value_ablation[seed][1]:.3f} nats "
          "with BOS's value zeroed")

# %% [markdown]
# Zeroing the value hurts: the head was writing something useful from BOS. Next, is the sink
# attached to *position 0* or to the *BOS token*? RoPE makes scores depend on distance only, so a
# sink at position 0 would have to come from the token. Put 16 random symbols in front of BOS and
# see where the idle attention goes.

# %%
shift = 16
moved = test.tokens.clone()
moved[:, shift:] = test.tokens[:, : 64 - shift]  # BOS now sits at position 16
moved[:, :shift] = test.tokens[:, 1 : shift + 1]  # symbols before it
idle_after = ~copy_q.clone()
idle_after[:, shift:] = ~copy_q[:, : 64 - shift]
idle_after[:, : shift + 1] = False  # queries that can see the moved BOS
for seed in SEEDS:
    model = models[("none", seed)]
    head = int(sinks[("none", seed)]["idle"].argmax())
    with torch.no_grad():
        _, attn = model(moved, return_attention=True)
    w = attn[0, :, head]  # (B, n, n)
    on_first = w[..., 0][idle_after].mean().item()
    on_bos = w[..., shift][idle_after].mean().item()
    print(f"seed {seed}, head {head}: idle queries after the moved BOS put {on_bos:.2f} on BOS "
          f"(position {shift}) and {on_first:.2f} on position 0")

# %% [markdown]
# **Takeaway.** The sink follows the token, not the position, and what it writes is a vector the
# model uses: zeroing it raises the idle-query loss in every seed. In these tiny models the sink
# is a *bias*, not a *no-op*. Keep this in mind in section 5.
#
# ## 4. Streaming: evicting the first tokens
#
# To read a stream longer than its training length with a fixed memory, a model keeps a cache of
# keys and values. A **window** cache keeps the most recent tokens; StreamingLLM keeps the first
# `k` tokens as well, and numbers the cache's tokens 0, 1, 2, … *inside the cache*, so no query-key
# distance exceeds the cache size. `cache_indices` lists which tokens each query sees:

# %%
print(cache_indices(10, keep_first=2, recent=4)[-3:])  # rows for t = 7, 8, 9: [0, 1] + the last 4

# %% [markdown]
# We stream 256 tokens (4x the training length) and compare, at a fixed cache of 32 tokens:
# full attention over everything (no cache), a window `0 + 32`, and StreamingLLM's `1 + 31`,
# `2 + 30`, `4 + 28`. For a one-layer model, running each cache through the model is exactly a
# key-value cache with re-indexed positions.

# %%
stream = backcopy_batch(32, 256, generator=4001)
stream_copy = stream.meta["copy_mask"]
late = torch.zeros_like(stream_copy)
late[:, 64:] = True  # positions past the training length
CACHES = {"full attention": None, "0 + 32 (window)": 0, "1 + 31": 1, "2 + 30": 2, "4 + 28": 4}


def stream_losses(model, caches):
    """Per-position losses (B, n) of `model` on the stream for each cache config."""
    out = {}
    for label, k in caches.items():
        with torch.no_grad():
            logits = model(stream.tokens) if k is None else streaming_logits(
                model, stream.tokens, keep_first=k, recent=32 - k)
        out[label] = token_losses(logits, stream.targets)
    return out


streamed = {seed: stream_losses(models[("none", seed)], CACHES) for seed in SEEDS}
print("mean loss at positions 64-255, idle queries / copy queries (nats)")
for label in CACHES:
    cells = [f"{streamed[s][label][late & ~stream_copy].nanmean():.3f} / {streamed[s][label][late & stream_copy].nanmean():.3f}"
             for s in SEEDS]
    print(f"  {label:16s} " + "   ".join(f"seed {s}: {c}" for s, c in zip(SEEDS, cells)))

# %% [markdown]
# Loss against position, averaged over the three seeds and over bins of 16 positions:

# %%
def binned(losses, mask, width=16):
    """Mean of losses (B, n) where mask, in bins of `width` positions: (n // width,)."""
    mask = mask & ~losses.isnan()  # the last position has no target
    values = losses.masked_fill(~mask, 0.0).view(losses.shape[0], -1, width).sum(dim=(0, 2))
    counts = mask.view(mask.shape[0], -1, width).sum(dim=(0, 2))
    return values / counts


centres = torch.arange(8, 256, 16)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for ax, (what, mask) in zip(axes, [("idle queries", ~stream_copy), ("copy queries", stream_copy)]):
    for label in CACHES:
        curve = torch.stack([binned(streamed[s][label], mask) for s in SEEDS]).mean(0)
        ax.plot(centres, curve, marker="o", ms=3, label=label)
    ax.axvline(64, color="grey", lw=0.8, ls=":")
    ax.set(xlabel="position in the stream (tokens; dotted: training length)", ylabel="loss (nats)", title=what)
axes[1].set_yscale("log")
axes[0].legend(fontsize=8)
finish(fig, "Past the training length: full attention fails, a window that drops BOS hurts, one kept token fixes it")

# %% [markdown]
# Our numbers beside StreamingLLM's Table 1 (Llama-2-13B, first book of PG19, 65K tokens, cache
# of 1024; perplexity, lower is better). Ours are the perplexities on the idle queries past the
# training length, mean over three seeds.

# %%
def ppl(seed, label, mask):
    return math.exp(streamed[seed][label][mask].nanmean().item())


ours = {label: sum(ppl(s, label, late & ~stream_copy) for s in SEEDS) / len(SEEDS) for label in CACHES}
print(f"{'cache':22s} {'StreamingLLM (Llama-2-13B)':>28s} {'this notebook (3 seeds)':>25s}")
print(f"{'window, 0 + w':22s} {5158.07:28.2f} {ours['0 + 32 (window)']:25.2f}")
print(f"{'first 4 + window':22s} {5.40:28.2f} {ours['4 + 28']:25.2f}")
print(f"{'full attention':22s} {'(beyond training length)':>28s} {ours['full attention']:25.2f}")

# %% [markdown]
# The effect has the same sign and a far smaller size: our model's idle queries are a 64-symbol
# Zipf draw, whose loss cannot blow up the way a language model's can. The cost also differs a lot
# between seeds. Two things to look at per seed: where the sink head's idle weight goes once BOS is
# gone (TRIGGER is the only other token that is the same in every sequence), and how much BOS's
# vector mattered in section 3:

# %%
idx = cache_indices(256, keep_first=0, recent=32)[64::8]  # a sample of queries past the training length
caches = stream.tokens[:, idx].reshape(-1, 32)  # (B * queries, 32)
trigger_id = stream.meta["vocab"].trigger
for seed in SEEDS:
    model = models[("none", seed)]
    head = int(sinks[("none", seed)]["idle"].argmax())
    with torch.no_grad():
        _, attn = model(caches, return_attention=True)
    last = attn[0, :, head, -1]  # (caches, 32): the newest query's weights
    idle_rows = caches[:, -1] != trigger_id
    on_trigger = (last * (caches == trigger_id))[idle_rows].sum(-1).mean().item()
    share = (caches == trigger_id)[idle_rows].float().mean().item()
    harm = (streamed[seed]["0 + 32 (window)"] - streamed[seed]["4 + 28"])[late & ~stream_copy].nanmean().item()
    zeroed = value_ablation[seed][1] - value_ablation[seed][0]
    print(f"seed {seed}, head {head}: without BOS, {on_trigger:.2f} of its idle weight goes to TRIGGERs "
          f"({share:.2f} of the tokens); eviction costs {harm:+.3f} nats; zeroing BOS's value cost {zeroed:+.3f}")

# %% [markdown]
# **Takeaway.** Full attention past the training length breaks the copies (RoPE meets distances it
# never saw), and on the idle queries it is about as bad as a window that drops BOS. A window that
# drops BOS is worse than one that keeps it in every seed, and keeping a single first token restores
# the loss: the sink is what the head needs, not the first four tokens' content. How much eviction hurts depends on whether the head finds another fixed token
# to park on.
#
# ## 5. Fixes: give the head somewhere else to park
#
# Three changes to attention, each trained with the same recipe and three seeds (zoo entries
# `sink-softmax1-s*`, `sink-learnedsink-s*`, `sink-gate-s*`; build times printed in section 2):
#
# - **softmax1** adds a key with logit 0 and value 0: `weights_j = exp(s_j) / (1 + Σ_i exp(s_i))`,
#   so a head can put weight *nowhere* (Miller, 2023).
# - **learned sink logit**: the same extra key with a learned logit per head, as some open-weight
#   models ship.
# - **output gate**: each head's output is multiplied by `sigmoid(W_g x)`, computed from the query
#   token (Qiu et al., 2025), so a head can switch itself off without parking.
#
# softmax1 from scratch, checked against the course's `attention(..., sink_logit=0)`:

# %%
g = torch.Generator().manual_seed(0)
q, k, v = (torch.randn(2, 5, 8, generator=g) for _ in range(3))
scores = q @ k.transpose(-2, -1) / math.sqrt(8)  # (2, 5, 5)
weights1 = scores.exp() / (1 + scores.exp().sum(-1, keepdim=True))  # the extra exp(0) = 1 in the denominator
out1 = weights1 @ v
ref_out, ref_weights = attention(q, k, v, sink_logit=torch.zeros(1, 1))
print("max difference, weights:", (weights1 - ref_weights).abs().max().item(), " outputs:", (out1 - ref_out).abs().max().item())
print("weight left for the extra key, per row:", (1 - weights1.sum(-1))[0].round(decimals=3).tolist())

# %% [markdown]
# The comparison: the sink metric, the weight on the extra key, the loss at the training length,
# and what evicting BOS costs past it.

# %%
eviction = {}
for fix in FIXES:
    for seed in SEEDS:
        losses = streamed[seed] if fix == "none" else stream_losses(
            models[(fix, seed)], {"0 + 32 (window)": 0, "4 + 28": 4})
        eviction[(fix, seed)] = (losses["0 + 32 (window)"] - losses["4 + 28"])[late & ~stream_copy].nanmean().item()

print(f"{'fix':20s} {'seed':>4s} {'sink rate':>9s} {'max BOS mass':>12s} {'extra key':>9s} "
      f"{'loss @64':>8s} {'eviction cost':>13s}")
for fix, label in FIXES.items():
    for seed in SEEDS:
        s = sinks[(fix, seed)]
        print(f"{label:20s} {seed:4d} {s['rate']:9.2f} {s['idle'].max():12.2f} {s['extra_idle'].max():9.2f} "
              f"{s['loss']:8.3f} {eviction[(fix, seed)]:+13.3f}")

# %% [markdown]
# The learned sink logits, as logged during training (one line per head and seed):

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for seed in SEEDS:
    history = records[("learned_sink", seed)]["history"]
    steps = [h["step"] for h in history]
    logits_t = torch.tensor([h["backcopy_sink_mass"]["sink_logit"][0] for h in history])  # (T, H)
    for head in range(logits_t.shape[1]):
        ax.plot(steps, logits_t[:, head], color=f"C{seed}", lw=1, label=f"seed {seed}" if head == 0 else None)
ax.set(xlabel="training step", ylabel="learned sink logit", title="The learned sink logits barely move from 0")
ax.legend(fontsize=8)
finish(fig)

# %% [markdown]
# Was 2400 steps long enough for the fixes to take hold? The training loss had flattened well
# before the end:

# %%
for fix, label in FIXES.items():
    curves = torch.tensor([records[(fix, s)]["losses"] for s in SEEDS])  # (seeds, steps)
    print(f"{label:20s} mean training loss, steps 1100-1200: {curves[:, 1100:1200].mean():.3f}; "
          f"steps 2300-2400: {curves[:, 2300:2400].mean():.3f}")

# %% [markdown]
# **Takeaway.** softmax1 and the learned sink logit gave every head a place to park that writes
# nothing, and no head used it: the weight on the extra key is 0.00 in every seed and the learned
# logits stay near 0. The BOS sink forms in the first 250 steps, before the extra key could compete,
# and its vector is in use (section 3). These two fixes even left *more* sink heads and a larger
# average eviction cost; the sink did not move into the extra slot and the eviction harm remained.
# The output gate is different: it gives each query its own switch, and with it evicting BOS costs
# almost nothing in every seed, even in the seed where a head still parks on BOS. Large models,
# whose sink values are small (Gu et al., 2024), may use the extra key as intended; our toy models
# do not, and we report that rather than a result we did not measure.

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
base_idle = [sinks[("none", s)]["idle"].max().item() for s in SEEDS]
base_copy = [sinks[("none", s)]["copy"][int(sinks[("none", s)]["idle"].argmax())].item() for s in SEEDS]
print(f"""\
- Sinks grow where heads idle: in 3 of 3 seeds a head puts {min(base_idle):.2f}-{max(base_idle):.2f} of its \
idle-query weight on BOS and {max(base_copy):.2f} or less when it must copy.
- The sink follows the BOS token when it is moved, and its value is a used bias: zeroing it raises the \
idle loss from {min(v[0] for v in value_ablation.values()):.3f} to {min(v[1] for v in value_ablation.values()):.3f}-\
{max(v[1] for v in value_ablation.values()):.3f} nats.
- Streaming 4x past the training length (perplexity on idle queries): full attention {ours['full attention']:.2f}, \
window 0 + 32 {ours['0 + 32 (window)']:.2f}, 1 + 31 {ours['1 + 31']:.2f}, 4 + 28 {ours['4 + 28']:.2f} \
(StreamingLLM, Llama-2-13B: 5158.07 vs 5.40).
- Fixes, eviction cost past the training length (nats, per seed): """ + "; ".join(
    f"{label} {', '.join(f'{eviction[(fix, s)]:+.3f}' for s in SEEDS)}" for fix, label in FIXES.items())
    + f". Weight on the extra key of softmax1 / learned sink logit: at most "
    f"{max(sinks[(f, s)]['extra_idle'].max().item() for f in ('softmax1', 'learned_sink') for s in SEEDS):.2f}.")

# %% [markdown]
# ## Quiz

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (seed quiz). An attention sink is:
#
# - **A)** Token that receives excessive attention
# - **B)** A learned aggregation point for information
# - **C)** No such concept
# - **D)** A technical term
#
# The demonstration: how much of the sink head's idle attention lands on BOS, against what a
# uniform head would give it, and whether BOS carries anything about the sequence (it is the same
# token in every sequence).

# %%
for seed in SEEDS:
    s = sinks[("none", seed)]
    print(f"seed {seed}: sink head's weight on BOS {s['idle'].max():.2f}; uniform attention over 64 tokens "
          f"would give about {sum(1 / (i + 1) for i in range(1, 64)) / 63:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "A sink is a token, usually the first, that receives far more attention than its content warrants: idle heads park their weight there. It is not an aggregation point: in a causal model BOS sees only itself, so its state carries nothing about the sequence, and its value acts as a bias (section 3, what the sink writes)."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q1_answer, "106d3a83e22d982da17127b07d150fba305c3f960a9a99608ae9ea9ce0b4d017", salt="04/q1")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (seed table, "statistical issues"). The seed's table lists three statistical issues of
# long contexts. Which row describes what sections 2 and 4 measured?
#
# - **A)** Verbatim repetition: the model repeats the same text when the context is very long.
# - **B)** Attention collapse: all heads converge to similar patterns.
# - **C)** Attention sink: some tokens get excessive attention (often the first token).
# - **D)** Attention dilution: weights spread thin over more positions.
#
# The demonstration: the heads' idle-query weight on the first token in the three seeds, and how
# different the heads are from each other.

# %%
for seed in SEEDS:
    print(f"seed {seed}: weight on the first token per head {[round(v, 2) for v in sinks[('none', seed)]['idle'].tolist()]}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Sections 2 and 4 measured how much of the heads' idle-query weight lands on the first token: that is the attention-sink row. Dilution, collapse and repetition are other rows, measured in notebooks 02 and 05."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q2_answer, "6bf82e6d8e0cbc861073c582d6eb36e7c39174ae2b7ccb55bb4e131b48576774", salt="04/q2")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 2

# %% [markdown]
# **Q3.** Implement softmax-plus-one: `softmax1(scores)` for `scores: (..., n)` returns
# `exp(s_j) / (1 + Σ_i exp(s_i))` along the last dimension. It must not overflow for scores of
# 1000 (subtract a maximum first, and remember the extra key's logit 0 takes part in it).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
def softmax1(scores: torch.Tensor) -> torch.Tensor:
    """scores: (..., n) -> weights (..., n), each row summing to less than 1."""
    # BEGIN SOLUTION
    top = scores.amax(dim=-1, keepdim=True).clamp_min(0.0)  # the extra logit 0 is a candidate maximum
    exp = torch.exp(scores - top)
    return exp / (torch.exp(-top) + exp.sum(dim=-1, keepdim=True))
    # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch

_w = softmax1(torch.tensor([[0.0, 0.0, 0.0], [1000.0, 1000.0, -1000.0]]))
assert _w.shape == (2, 3) and torch.isfinite(_w).all(), "no NaN or inf, even for scores of 1000"
assert torch.all(_w.sum(-1) < 1.0 + 1e-6), "the extra key takes some weight: rows sum to less than 1"
assert abs(_w[0].sum().item() - 0.75) < 1e-6, "three zero scores and the zero extra key share the weight"

# %%
# HIDDEN
import math

import torch
from course_utils.attention import attention

_s = torch.randn(3, 4, 6, generator=torch.Generator().manual_seed(7)) * 5
_v = torch.eye(6).expand(3, 6, 6)
_, _ref = attention(_s, torch.eye(6).expand(3, 6, 6) * math.sqrt(6), _v, sink_logit=torch.zeros(1, 1))
torch.testing.assert_close(softmax1(_s), _ref)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4.** `weights` below is the attention of a 3-layer, 8-head model on one batch,
# `(layers, batch, heads, n, n)`. Compute its sink rate: the fraction of heads whose mean weight on
# the first token (queries 1 to n−1) exceeds 0.3. Store it in `q4_rate` (a float). You may use
# `course_utils.sinks` or write it yourself. The visible check compares it to 3 decimal places.

# %%
weights = torch.randn(3, 4, 8, 32, 32, generator=torch.Generator().manual_seed(4))
weights[:, :, :, :, 0] += torch.linspace(-2.0, 6.0, 24).view(3, 1, 8, 1)  # some heads lean on key 0
weights = weights.masked_fill(~torch.ones(32, 32, dtype=torch.bool).tril(), float("-inf")).softmax(-1)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_rate = sink_rate(sink_mass(weights))  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.quiz import check_rounded, in_range

assert in_range(q4_rate, 0.0, 1.0), "a rate is a fraction of heads, between 0 and 1"
assert abs(q4_rate * 24 - round(q4_rate * 24)) < 1e-6, "there are 24 heads: the rate is a multiple of 1/24"
assert check_rounded(q4_rate, "f91a72c812962faf416ef418e24febc663c2278d47cac1cd58cd6551fd4703d4", salt="04/q4", decimals=3), "skip query 0, and count heads above 0.3"

# %%
# HIDDEN
from course_utils.quiz import check_value

assert check_value(round(q4_rate * 24), "a9dbbb2407294e628ba079ec03930bcb860b0179085d423d682b0e5e5db72fc0", salt="04/q4")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
