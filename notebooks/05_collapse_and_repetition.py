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
# # 05 · Collapse, repetition and noise: heads that converge, ranks that vanish, loops, distractors
#
# **The question.** Besides dilution, sinks and positional bias, long contexts are blamed for a
# set of statistical failures: token representations that all become the same vector (*rank
# collapse*), heads that all learn the same pattern (*attention collapse*), attention whose
# entropy falls to zero and stops training (*entropy collapse*), models that repeat themselves
# verbatim, and retrieval that gets distracted by irrelevant tokens. This notebook measures each
# on models the course builds, and says which of them appear at toy scale.
#
# **Learning goals.** After this notebook you can
# - compute the rank-collapse residual and explain why skip connections stop the collapse;
# - compare heads with the Jensen–Shannon divergence of their attention, and track attention
#   entropy during training;
# - show entropy collapse at a high learning rate and what σReparam changes;
# - measure induction copying and the self-reinforcement of repetition;
# - measure retrieval accuracy against decoys, filler and length.
#
# **Papers.** Dong, Cordonnier and Loukas, "Attention is not all you need: pure attention loses
# rank doubly exponentially with depth" (2021); Clark et al., "What Does BERT Look At? An Analysis
# of BERT's Attention" (2019); Zhai et al., "Stabilizing Transformer Training by Preventing
# Attention Entropy Collapse" (2023); Olsson et al., "In-context Learning and Induction Heads"
# (2022); Xu et al., "Learning to Break the Loop: Analyzing and Mitigating Repetitions for Neural
# Text Generation" (2022); Shi et al., "Large Language Models Can Be Easily Distracted by
# Irrelevant Context" (2023).

# %% [markdown]
# Setup: imports, seed, plot style. Everything runs on the CPU.

# %%
import math

import matplotlib.pyplot as plt
import torch

from course_utils import zoo
from course_utils.collapse import head_divergence, js_divergence, random_stack_residuals, rank_residual
from course_utils.device import seed_everything
from course_utils.metrics import normalized_entropy
from course_utils.plotting import finish, plot_curves, plot_heatmaps, use_course_style
from course_utils.repetition import copy_log_probs, greedy_repeats
from course_utils.tasks import decoy_needle_batch, kv_retrieval_batch, make_batch_fn
from course_utils.train import answer_accuracy

seed_everything(0, threads=2)
use_course_style()
SEEDS = zoo.SEEDS

# %% [markdown]
# ## 1. Rank collapse: pure attention turns every token into the same vector
#
# Self-attention replaces each token by a weighted *average* of tokens. Average again and again and
# every token ends up at the same point. Dong et al. (2021) measure the distance to that point with
# the residual `‖H − 1·mean(H)‖ / ‖H‖` (Frobenius norms; `H: (n, d)` holds the tokens'
# vectors, and `1·mean(H)` repeats the mean token in every row). It is 1 when the tokens are
# centred and 0 when they are all the same. From scratch, then checked against the package:

# %%
h = torch.randn(2, 8, 16, generator=torch.Generator().manual_seed(0))  # (batch, n, d)
by_hand = (h - h.mean(dim=1, keepdim=True)).flatten(1).norm(dim=1) / h.flatten(1).norm(dim=1)
print("by hand:     ", by_hand.tolist())
print("rank_residual:", rank_residual(h).tolist())
print("all tokens equal:", rank_residual(torch.ones(1, 8, 16)).tolist())

# %% [markdown]
# The experiment: stacks of 12 freshly initialised layers (width 64, 4 heads, 32 tokens, full
# attention, float64 so the residual can fall far below float32's resolution), in four variants:
#
# - **attention only**: `H ← SA(H)`;
# - **+ skip**: `H ← H + SA(H)`;
# - **+ MLP**: `H ← MLP(SA(H))`, no skip;
# - **full block**: pre-norm `H ← H + SA(LN(H))`, then `H ← H + MLP(LN(H))`.
#
# PyTorch's default initialisation makes attention almost uniform, which collapses everything in
# one layer; `random_stack_residuals` (in `course_utils.collapse`, 40 lines) multiplies the query
# and key weights by 8 so that attention is peaked and the collapse takes a few layers to watch.

# %%
VARIANTS = ("attention only", "+ MLP", "+ skip", "full block")
rank = {v: torch.tensor([random_stack_residuals(v, seed=s) for s in SEEDS]) for v in VARIANTS}  # (seeds, 13)
for v in VARIANTS:
    print(f"{v:15s} residual after layers 0..5 (seed 0): " + " ".join(f"{r:.1e}" for r in rank[v][0, :6].tolist()))

# %%
layers = torch.arange(13)
plot_curves(
    layers, {v: rank[v].mean(0) for v in VARIANTS},
    bands={v: (rank[v].min(0).values, rank[v].max(0).values) for v in VARIANTS},
    xlabel="layer", ylabel="rank residual ‖H − 1·mean(H)‖ / ‖H‖", logy=True,
    title="Pure attention loses rank doubly exponentially; skip connections stop it",
)

# %% [markdown]
# "Doubly exponential" means the *logarithm* of the residual grows geometrically: each layer
# multiplies `log(residual)` by a factor well above 1, where an exponential decay would only add a
# constant to it. Check it on the attention-only stack while it is above float64's floor (about
# 1e-15):

# %%
log_r = rank["attention only"].log10()  # (seeds, 13)
for s in SEEDS:
    above = log_r[s][log_r[s] > -14]
    print(f"seed {s}: log10 residual " + " ".join(f"{v:.2f}" for v in above[:6].tolist())
          + "   ratio of successive logs " + " ".join(f"{b / a:.1f}" for a, b in zip(above[1:5], above[2:6])))

# %% [markdown]
# Dong et al.'s bound is sharper than "geometric": once the residual is small, one attention layer
# can at most *cube* it (their main bound is of the form `res_{l+1} ≤ c · res_l³`; more heads
# change the constant `c`). On a log scale that is `log res_{l+1} ≈ 3 · log res_l + log c`, so the
# ratio of successive logs should settle near 3 as the residual shrinks and `log c` stops
# mattering. The early ratios (8–10) are large because `log res` is still near 0 there; the last
# ratio above float64's floor, per seed:

# %%
last_ratio = []
for s in SEEDS:
    above = log_r[s][log_r[s] > -14]
    last_ratio.append((above[-1] / above[-2]).item())
print("last ratio of successive logs, per seed:", " ".join(f"{r:.1f}" for r in last_ratio), "(Dong et al.: 3)")

# %% [markdown]
# The MLP variant: does an MLP after each attention layer slow the collapse or speed it up? The
# first layer at which the residual falls below 1e-6, per seed:

# %%
def first_layer_below(residuals, threshold=1e-6):
    """(13,) residuals after layers 0..12 -> the first layer below `threshold`."""
    return int((residuals < threshold).nonzero()[0])


for v in ("attention only", "+ MLP"):
    print(f"{v:15s} first layer with residual < 1e-6: "
          + " ".join(str(first_layer_below(rank[v][s])) for s in range(len(SEEDS))) + f"  (seeds {SEEDS})")

# %% [markdown]
# **Takeaway.** A stack of pure attention layers makes all 32 tokens identical to float64
# precision within about five layers, in every seed, and the logs of the residual end up tripling
# per layer, as Dong et al.'s cubic bound says (last ratios printed above). An MLP after each
# layer does not stop the collapse; here it *speeds it up* by a layer in every seed (printed
# above). A token-wise MLP maps equal tokens to equal outputs, so it cannot undo what attention
# merged; how much it adds depends on its Lipschitz constant, which Dong et al.'s bound includes.
# A skip connection does stop it: the residual stays near 1 at depth 12. Real
# transformers keep their tokens apart because of the residual stream, not because of attention.

# %% [markdown]
# ## 2. Do heads converge?
#
# "Attention collapse" is the claim that all heads of a layer end up with the same pattern. Clark et
# al. (2019) compared BERT's heads with the Jensen–Shannon (JS) divergence between their attention
# distributions, averaged over queries: 0 bits for identical heads, 1 bit for heads that never look
# at the same key. JS from scratch, checked against `course_utils.collapse`:

# %%
p = torch.tensor([0.7, 0.2, 0.1, 0.0])
q = torch.tensor([0.1, 0.1, 0.4, 0.4])
m = (p + q) / 2
kl = lambda a, b: (a[a > 0] * (a[a > 0] / b[a > 0]).log2()).sum()  # noqa: E731
print(f"by hand: {(0.5 * kl(p, m) + 0.5 * kl(q, m)).item():.4f} bits;  js_divergence: {js_divergence(p, q).item():.4f} bits")

# %% [markdown]
# The models: notebook 03's key-value retrievers (2 layers, 4 heads, ALiBi or RoPE, trained on
# 4–16 pairs, three seeds each). First the pairwise divergences of one model at its training
# length:

# %%
kv_models = {(pos, s): zoo.load(zoo.name("kv", s, positional=pos), verbose=False)[0]
             for pos in ("alibi", "rope") for s in SEEDS}
batch = kv_retrieval_batch(64, 16, generator=16)
with torch.no_grad():
    _, attn = kv_models[("alibi", 0)](batch.tokens, return_attention=True)  # (L, B, H, n, n)
heads = [f"h{i}" for i in range(4)]
plot_heatmaps(
    {f"layer {layer + 1}": head_divergence(attn[layer]) for layer in range(2)},
    row_labels=heads, col_labels=heads, xlabel="head", ylabel="head", cbar_label="JS divergence (bits)",
    title="Heads of a trained retriever (ALiBi, seed 0, 16 pairs) look at different keys", ncols=2,
)

# %% [markdown]
# Now the question of this chapter: what happens to head diversity (mean off-diagonal JS) and to
# attention entropy (normalised to 1 for uniform attention) as the context grows past the training
# length?

# %%
PAIRS = (8, 16, 32, 64, 128)
off_diagonal = ~torch.eye(4, dtype=torch.bool)
diversity, entropy = {}, {}
for (pos, s), model in kv_models.items():
    for k in PAIRS:
        b = kv_retrieval_batch(16, k, generator=k)
        with torch.no_grad():
            _, a = model(b.tokens, return_attention=True)
        diversity[(pos, s, k)] = torch.stack([head_divergence(a[l])[off_diagonal].mean() for l in range(2)])  # (L,)
        entropy[(pos, s, k)] = normalized_entropy(a[:, :, :, 1:]).mean(dim=(1, 2, 3))  # (L,)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
n_tokens = [2 * k + 3 for k in PAIRS]
for pos, ls in (("alibi", "-"), ("rope", "--")):
    for layer in range(2):
        div = torch.stack([torch.stack([diversity[(pos, s, k)][layer] for k in PAIRS]) for s in SEEDS]).mean(0)
        ent = torch.stack([torch.stack([entropy[(pos, s, k)][layer] for k in PAIRS]) for s in SEEDS]).mean(0)
        axes[0].plot(n_tokens, div, ls=ls, marker="o", ms=3, color=f"C{layer}", label=f"{pos}, layer {layer + 1}")
        axes[1].plot(n_tokens, ent, ls=ls, marker="o", ms=3, color=f"C{layer}", label=f"{pos}, layer {layer + 1}")
for ax, label in zip(axes, ("mean JS divergence between heads (bits)", "normalised attention entropy")):
    ax.set(xscale="log", xlabel="sequence length n (tokens; trained up to 35)", ylabel=label)
    ax.axvline(35, color="grey", lw=0.8, ls=":")
axes[0].legend(fontsize=8)
finish(fig, "Longer contexts: heads grow *more* different, not less (mean of 3 seeds)")

# %%
for pos in ("alibi", "rope"):
    for s in SEEDS:
        first, last = diversity[(pos, s, PAIRS[0])], diversity[(pos, s, PAIRS[-1])]
        print(f"{pos:5s} seed {s}: head JS at n = {n_tokens[0]} -> {n_tokens[-1]}: layer 1 {first[0]:.2f} -> {last[0]:.2f}, "
              f"layer 2 {first[1]:.2f} -> {last[1]:.2f}")

# %%
for pos in ("alibi", "rope"):
    for layer in range(2):
        ent = [torch.stack([entropy[(pos, s, k)][layer] for s in SEEDS]).mean().item() for k in (PAIRS[0], PAIRS[-1])]
        print(f"{pos:5s} layer {layer + 1}: normalised entropy at n = {n_tokens[0]} -> {n_tokens[-1]}: "
              f"{ent[0]:.2f} -> {ent[1]:.2f} (mean of 3 seeds)")

# %% [markdown]
# **Takeaway.** We did not find heads converging in these models: from the shortest to the longest
# context their mean JS divergence never falls, and rises by 0.07–0.30 bits in all but one layer, because heads with different position
# preferences (ALiBi's slopes, RoPE's frequencies) spread apart as distances grow. The closest thing
# to attention collapse at toy scale is notebook 04's sink heads, where two heads of a layer can
# park on the same BOS token. Attention collapse as a depth and scale phenomenon is reported for
# large models; this course cannot reproduce it, and says so.
#
# The entropy panel tells a different story from the JS panel, and one this course has seen before.
# RoPE's attention spreads out as the context grows past the training length (its normalised
# entropy rises in both layers, most in layer 1, printed above): dilution again, as in notebook 02.
# ALiBi's stays flat on average (a single seed moves by less than 0.1, either way; the tests check
# each seed), because its distance penalty keeps far keys out of every head's softmax, the same
# reason it degraded most gracefully in notebook 03.

# %% [markdown]
# ## 3. Entropy collapse during training
#
# Zhai et al. (2023) found that transformers trained with too high a learning rate can drive their
# attention entropy towards zero, every query on a single key, and that this goes with loss spikes
# and training that stalls. Their fix, **σReparam**, reparametrises every linear layer as
# `W = γ / σ(W₀) · W₀`, where σ is the largest singular value: the logits can then only grow as the
# learned scalar γ grows.
#
# The models: the course's character-level language model (2 layers, 4 heads, width 64, RoPE,
# 128 characters, batch 32) trained on the course corpus at learning rate 3e-2 with 10 warm-up
# steps, with and without σReparam, three seeds each, 1000 steps (zoo entries `lm-hot-s*` and
# `lm-hot-sigma-s*`; build times printed below). The zoo logged each head's mean attention entropy
# on validation text every 10 steps.

# %%
hot_names = {(kind, s): zoo.name("lm", s, sigma_reparam=kind == "hot-sigma")
             for kind in ("hot", "hot-sigma") for s in SEEDS}
hot = {key: zoo.load(name, verbose=False)[1] for key, name in hot_names.items()}
print("build times:", ", ".join(f"{hot_names[key]} {r['build_seconds']:.0f} s" for key, r in hot.items()))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for (kind, s), record in hot.items():
    color = "C3" if kind == "hot" else "C0"
    label = ("plain" if kind == "hot" else "σReparam") if s == 0 else None
    losses = torch.tensor(record["losses"])
    axes[0].plot(losses, color=color, lw=0.6, alpha=0.8, label=label)
    steps = [h["step"] for h in record["history"]]
    ent = torch.tensor([h["text_attention_entropy"] for h in record["history"]])  # (T, L, H)
    axes[1].plot(steps, ent.mean(dim=(1, 2)), color=color, lw=1, label=label)
axes[0].set(xlabel="training step", ylabel="training loss (nats)", ylim=(1.0, 5.0), title="loss")
axes[1].set(xlabel="training step", ylabel="mean attention entropy (nats)", yscale="log",
            title="attention entropy, mean over heads and layers")
for ax in axes:
    ax.legend(fontsize=8)
finish(fig, "At learning rate 3e-2 the attention entropy collapses and the loss stalls; σReparam prevents it")

# %% [markdown]
# Per seed: the largest one-step jump of the loss (the spike), the mean attention entropy at the
# start, after 100 steps and at the end, and the final loss.

# %%
collapse = {}
for (kind, s), record in hot.items():
    losses = torch.tensor(record["losses"])
    jump = losses[1:] - losses[:-1]
    ent = {h["step"]: torch.tensor(h["text_attention_entropy"]).mean().item() for h in record["history"]}
    final = losses[-100:].mean().item()
    collapse[(kind, s)] = (ent[0], ent[100], ent[1000], final)
    print(f"{kind:9s} seed {s}: largest loss jump {jump.max():+.2f} at step {int(jump.argmax()) + 1}; entropy "
          f"{ent[0]:.2f} -> {ent[100]:.2f} (step 100) -> {ent[1000]:.2f} nats (step 1000); final loss {final:.3f}")

# %% [markdown]
# **Takeaway.** Without σReparam, the heads' mean entropy falls from about 3.9 nats (uniform over
# the visible keys) to about 0.1 or less within 100 steps, in every seed, and the model stalls at a much
# higher loss. With σReparam at the same learning rate the entropy stays above 1.8 nats and the loss
# keeps falling. We also looked for the loss spikes Zhai et al. describe: the largest one-step jumps
# of the collapsing runs are no larger than those of the σReparam runs, so at this scale entropy
# collapse shows up as a stall, not as spikes.
#
# ## 4. Verbatim repetition
#
# A model that can copy what it has seen can also get stuck copying it. Xu et al. (2022) found
# that the probability of repeating a sentence grows with the number of times it was already
# repeated, and that greedy decoding falls into loops. Copying in transformers is
# done by *induction heads* (Olsson et al., 2022): find the previous occurrence of the current
# token and predict the token that followed it. Our character model of the corpus did not learn to
# copy within a few minutes of training (induction heads form after more training than the course
# can afford), so this section uses a stream built to contain repetition: random "sentences" of
# 8 symbols and an END token, each of which repeats the previous sentence with probability 0.5,
# *independently of how many repeats came before* (zoo entries `loop-s*`, 2 layers, 4 heads, RoPE).
# A perfect model of this stream gives one more repeat a probability of 0.5 + 0.5/64⁸ ≈ 0.5,
# whatever the count; anything above that is the model reinforcing its own loop.

# %%
loops = {s: zoo.load(name, verbose=s == 0) for s, name in zoo.family("loop").items()}
vocab = make_batch_fn("loop_stream", batch_size=1, **zoo.ZOO[zoo.name("loop", 0)].task_kwargs)(0).meta["vocab"]
g = torch.Generator().manual_seed(0)
sentences = torch.randint(0, 64, (256, 8), generator=g) + vocab.offset("s")
segments = torch.cat([sentences, torch.full((256, 1), vocab.end)], dim=1)  # (256, 9): a sentence and END
print("build times:", ", ".join(f"{zoo.name('loop', s)} {r['build_seconds']:.0f} s" for s, (_, r) in loops.items()))
print("one sentence:", " ".join(vocab.labels(segments[0])))

# %% [markdown]
# The model's log-probability of each copy, teacher-forced, for a sentence shown 6 times in a row:
# copy 0 is the first sight, copy j the j-th repetition. Per-token probability shows the copying;
# the whole-copy probability is the model's chance of repeating the sentence once more.

# %%
COPIES = 6
log_p = {s: copy_log_probs(model, segments, COPIES) for s, (model, _) in loops.items()}  # (256, COPIES)
for s in SEEDS:
    per_token = (log_p[s] / segments.shape[1]).exp().mean(0)
    whole = log_p[s].exp().mean(0)
    print(f"seed {s}: per-token probability " + " ".join(f"{v:.3f}" for v in per_token.tolist())
          + " | P(whole copy) " + " ".join(f"{v:.2f}" for v in whole[1:].tolist()))

# %% [markdown]
# And with greedy decoding: after `k` copies, how often does the model write the sentence again?

# %%
repeat_rate = {(s, k): greedy_repeats(model, segments, k).float().mean().item()
               for s, (model, _) in loops.items() for k in range(1, COPIES)}
ks = list(range(1, COPIES))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for s in SEEDS:
    axes[0].plot(ks, log_p[s].exp().mean(0)[1:], marker="o", color=f"C{s}", label=f"seed {s}")
    axes[1].plot(ks, [repeat_rate[(s, k)] for k in ks], marker="o", color=f"C{s}", label=f"seed {s}")
axes[0].axhline(0.5, color="grey", ls=":", lw=1, label="true chance (0.5)")
axes[0].set(xlabel="copies already seen", ylabel="P(model writes it once more)", ylim=(0, 1.02),
            title="Teacher-forced probability of one more repeat")
axes[1].set(xlabel="copies already in the prompt", ylabel="fraction of greedy continuations that repeat",
            ylim=(0, 1.02), title="Greedy decoding")
for ax in axes:
    ax.legend(fontsize=8)
finish(fig, "P(one more repeat) stays near the stream's 0.5 at every count, yet greedy decoding loops every time")

# %% [markdown]
# **Takeaway.** Once a sentence has been seen, the model predicts its repetition almost token for
# token: per-token probability jumps from chance at first sight to above 0.9 (induction). We did
# **not** reproduce Xu et al.'s self-reinforcement: our models give one more repeat a probability
# near the stream's true chance of 0.5 (a little under it) that does not grow with the number of
# copies already seen; they are calibrated on a stream where repeats are common. The loop still appears, from decoding: the copy is the single likeliest
# continuation (about 0.5 against 0.5/64 for any other first symbol), so greedy decoding repeats
# every time, at every count. Xu et al. saw the rise in models trained on natural text, where
# repeats are rare; showing it needs a larger model of such text than this course trains.
#
# ## 5. Noise and drift: decoys and filler
#
# Irrelevant tokens can distract retrieval (Shi et al., 2023). The models (`decoy-s*`, 2 layers,
# 4 heads, ALiBi) find a needle, `NEEDLE v`, and answer `v` at the final `QUERY`. Around it are
# *decoys*, `DECOY v'`, which look like the needle except for the marker, and random *filler*.
# They were trained on 16–128 tokens with 0–6 decoys:

# %%
decoy_models = {s: zoo.load(name, verbose=s == 0)[0] for s, name in zoo.family("decoy").items()}
example = decoy_needle_batch(1, 24, n_decoys=2, generator=5)
print(" ".join(example.meta["vocab"].labels(example.tokens[0])), "->",
      example.meta["vocab"].labels(example.targets[0, -1:])[0])

# %% [markdown]
# Accuracy against the number of decoys at a fixed length of 128 tokens, and against the length
# with filler only and with a fixed decoy density (one decoy per 32 tokens):

# %%
def decoy_accuracy(model, n, n_decoys, batch_size=64):
    b = decoy_needle_batch(batch_size if n <= 256 else 32, n, n_decoys=n_decoys, generator=1000 + n + n_decoys)
    return answer_accuracy(model, b.tokens, b.targets)


DECOYS = (0, 1, 2, 4, 8, 16, 32)
LENGTHS = (32, 64, 128, 256, 512)
by_decoys = torch.tensor([[decoy_accuracy(decoy_models[s], 128, k) for k in DECOYS] for s in SEEDS])  # (seeds, 7)
filler_only = torch.tensor([[decoy_accuracy(decoy_models[s], n, 0) for n in LENGTHS] for s in SEEDS])
dense = torch.tensor([[decoy_accuracy(decoy_models[s], n, n // 32) for n in LENGTHS] for s in SEEDS])
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].errorbar(DECOYS, by_decoys.mean(0), yerr=by_decoys.std(0), marker="o", capsize=3)
axes[0].axvline(6, color="grey", lw=0.8, ls=":")
axes[0].set(xscale="symlog", xlabel="decoys among 128 tokens (dotted: most seen in training)",
            ylabel="accuracy", ylim=(0, 1.02), title="Decoys at the training length")
axes[0].set_xticks(DECOYS, [str(k) for k in DECOYS])
for curve, label in ((filler_only, "filler only"), (dense, "1 decoy per 32 tokens")):
    axes[1].errorbar(LENGTHS, curve.mean(0), yerr=curve.std(0), marker="o", capsize=3, label=label)
axes[1].axvline(128, color="grey", lw=0.8, ls=":")
axes[1].set(xscale="log", xlabel="sequence length (tokens; dotted: longest in training)", ylabel="accuracy",
            ylim=(0, 1.02), title="Longer contexts, filler only or at fixed decoy density")
axes[1].set_xticks(LENGTHS, [str(n) for n in LENGTHS])
axes[1].minorticks_off()
axes[1].legend(fontsize=8)
finish(fig, "Retrieval among decoys and filler (mean ± std over 3 seeds)")

# %%
print("accuracy by decoys at n = 128:", " ".join(f"{k}: {v:.2f}" for k, v in zip(DECOYS, by_decoys.mean(0).tolist())))
print("filler only, by length:       ", " ".join(f"{n}: {v:.2f}" for n, v in zip(LENGTHS, filler_only.mean(0).tolist())))
print("1 decoy per 32, by length:    ", " ".join(f"{n}: {v:.2f}" for n, v in zip(LENGTHS, dense.mean(0).tolist())))

# %% [markdown]
# **Takeaway.** Look-alike decoys barely distract this model at its training length, even five
# times more of them than it ever saw; what costs accuracy is length past training, with or
# without decoys. A model that learnt to tell the markers apart is not fooled by their number; the
# distraction Shi et al. report in large models comes from decoys that are *semantically* close,
# which a two-token marker cannot imitate.

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
attn_only = rank["attention only"]
depth_to_floor = [int((attn_only[s] < 1e-12).nonzero()[0]) for s in range(len(SEEDS))]
rises = [diversity[(pos, s, PAIRS[-1])] - diversity[(pos, s, PAIRS[0])] for pos in ("alibi", "rope") for s in SEEDS]
print(f"""\
- Rank collapse: pure attention reaches a residual below 1e-12 within {max(depth_to_floor)} layers (3 seeds), with an MLP too; with skip connections the residual is still \
{torch.cat([rank['+ skip'][:, -1], rank['full block'][:, -1]]).min():.2f} or more after 12 layers.
- Heads did not converge: from n = {n_tokens[0]} to {n_tokens[-1]} the mean JS divergence between heads changed by \
{min(torch.stack(rises).flatten()):+.2f} to {max(torch.stack(rises).flatten()):+.2f} bits (2 encodings x 3 seeds x 2 layers).
- Entropy collapse at learning rate 3e-2: mean attention entropy \
{min(collapse[('hot', s)][0] for s in SEEDS):.2f} -> {max(collapse[('hot', s)][2] for s in SEEDS):.3f} nats or less, \
final loss {min(collapse[('hot', s)][3] for s in SEEDS):.2f}-{max(collapse[('hot', s)][3] for s in SEEDS):.2f}; \
with σReparam {min(collapse[('hot-sigma', s)][2] for s in SEEDS):.2f}-{max(collapse[('hot-sigma', s)][2] for s in SEEDS):.2f} \
nats and {min(collapse[('hot-sigma', s)][3] for s in SEEDS):.2f}-{max(collapse[('hot-sigma', s)][3] for s in SEEDS):.2f}.
- Repetition: per-token probability {min((log_p[s][:, 0] / 9).exp().mean() for s in SEEDS):.3f} at first sight, \
{min((log_p[s][:, 1] / 9).exp().mean() for s in SEEDS):.2f} or more at the first repeat; P(one more repeat) \
{sum(log_p[s].exp().mean(0)[1] for s in SEEDS) / 3:.2f} after 1 copy and \
{sum(log_p[s].exp().mean(0)[-1] for s in SEEDS) / 3:.2f} after {COPIES - 1} (true chance 0.5); greedy decoding \
repeats {sum(repeat_rate[(s, 1)] for s in SEEDS) / 3:.2f} / {sum(repeat_rate[(s, COPIES - 1)] for s in SEEDS) / 3:.2f}.
- Distractors at 128 tokens: accuracy {by_decoys[:, 0].mean():.2f} with no decoy, {by_decoys[:, -1].mean():.2f} \
with {DECOYS[-1]}; at one decoy per 32 tokens {dense[:, 0].mean():.2f} at {LENGTHS[0]} tokens and \
{dense[:, -1].mean():.2f} at {LENGTHS[-1]}.""")

# %% [markdown]
# ## Quiz

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (seed quiz). Attention collapse is when:
#
# - **A)** All attention heads produce different patterns
# - **B)** All heads converge to similar patterns
# - **C)** No attention exists
# - **D)** Attention increases
#
# The demonstration: what the JS divergence between two heads would be if they had collapsed onto
# the same pattern, and what section 2 measured in trained models.

# %%
w = torch.softmax(torch.randn(6, 6, generator=torch.Generator().manual_seed(1)), -1)
print(f"two identical heads: {head_divergence(torch.stack([w, w]))[0, 1]:.3f} bits")
print(f"trained retrievers, mean over pairs at n = {n_tokens[1]}: "
      f"{torch.stack([diversity[(pos, s, 16)] for pos in ('alibi', 'rope') for s in SEEDS]).mean():.2f} bits")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Attention collapse names heads becoming alike: they converge to similar patterns, and the JS divergence between them goes to 0, the value shown for two identical heads. Compare it with the trained retrievers printed above: the course's heads did not converge."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q1_answer, "a438ef18975d8c9ab6a2b4ac71534606c17dd80e96acf32a0a972c810d390fe9", salt="05/q1")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (seed quiz). What are some failure modes associated with very long attention contexts?
#
# - **A)** The model runs out of vocabulary.
# - **B)** Attention becomes sharper and training faster.
# - **C)** None, once the model has been trained on long texts.
# - **D)** Weights spread thin (dilution), positions in the middle or beyond the training length
#   are handled worse, sinks and loops form, irrelevant look-alikes distract, and cost grows
#   quadratically.
#
# The demonstration: two of them, measured in this notebook.

# %%
print(f"retrieval accuracy with 0 / {DECOYS[-1]} decoys: {by_decoys[:, 0].mean():.2f} / {by_decoys[:, -1].mean():.2f}")
print(f"P(greedy repeat) after 1 / {COPIES - 1} copies: {sum(repeat_rate[(s, 1)] for s in SEEDS) / 3:.2f} / "
      f"{sum(repeat_rate[(s, COPIES - 1)] for s in SEEDS) / 3:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Each was measured in this course: dilution (02), lost in the middle and positions past the training length (03), sinks (04), repetition loops and distractors (05), quadratic cost (06). Training on long texts does not remove them, and attention gets flatter, not sharper."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q2_answer, "c22183c77f17e9bcd28f185a9e7768bcda7cdff076a922598c505c56bac4352a", salt="05/q2")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 2

# %% [markdown]
# **Q3.** Implement the rank-collapse residual `residual(h)` for `h: (n, d)`:
# `‖H − 1·mean(H)‖_F / ‖H‖_F`, the mean taken over the n tokens.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
def residual(h: torch.Tensor) -> torch.Tensor:
    """h: (n, d) -> a scalar tensor in [0, 1]."""
    # BEGIN SOLUTION
    return (h - h.mean(dim=0, keepdim=True)).norm() / h.norm()
    # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
import torch

_h = torch.randn(7, 5, generator=torch.Generator().manual_seed(3))
assert abs(float(residual(torch.ones(4, 3)))) < 1e-6, "identical tokens have residual 0"
assert abs(float(residual(_h - _h.mean(0))) - 1.0) < 1e-5, "centred tokens have residual 1"
assert abs(float(residual(5 * _h)) - float(residual(_h))) < 1e-5, "the residual does not depend on scale"

# %%
# HIDDEN
import torch
from course_utils.collapse import rank_residual

_h = torch.randn(9, 4, generator=torch.Generator().manual_seed(11)) + 2.0
assert abs(float(residual(_h)) - float(rank_residual(_h))) < 1e-5

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4.** Two heads attend over the same 5 keys with the weights below. Compute the Jensen–Shannon
# divergence between them in **bits** and store it in `q4_js` (a float). You may use
# `course_utils.collapse.js_divergence` or write it yourself. The visible check compares it to 3
# decimal places.

# %%
head_a = torch.tensor([0.50, 0.20, 0.15, 0.10, 0.05])
head_b = torch.tensor([0.05, 0.10, 0.15, 0.20, 0.50])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_js = js_divergence(head_a, head_b).item()  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.quiz import check_rounded, in_range

assert in_range(q4_js, 0.0, 1.0), "in bits, the JS divergence lies between 0 and 1"
assert check_rounded(q4_js, "20d473f12c0a9799846162a57e81726b3885aded247460f8ce7ed60d8e497e44", salt="05/q4", decimals=3), "in bits (log base 2)?"

# %%
# HIDDEN
from course_utils.quiz import check_value

assert check_value(round(q4_js * 1000), "85e9cbea6d2debae4d8921fdfc18468d5f5851fe7917735828f7c84acdff24a1", salt="05/q4")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
