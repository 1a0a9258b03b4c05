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
# - compute the rank-collapse residual, explain why skip connections stop the collapse, and
#   measure how one early token fades from the last representation as the context grows;
# - compare heads with the Jensen–Shannon divergence of their attention, and track attention
#   entropy during training;
# - show entropy collapse at a high learning rate and what σReparam changes;
# - measure induction copying and test for the self-reinforcement of repetition;
# - measure retrieval accuracy against decoys, filler and length.
#
# **Papers.** Dong, Cordonnier and Loukas, "Attention is not all you need: pure attention loses
# rank doubly exponentially with depth" (2021); Clark et al., "What Does BERT Look At? An Analysis
# of BERT's Attention" (2019); Zhai et al., "Stabilizing Transformer Training by Preventing
# Attention Entropy Collapse" (2023); Olsson et al., "In-context Learning and Induction Heads"
# (2022); Xu et al., "Learning to Break the Loop: Analyzing and Mitigating Repetitions for Neural
# Text Generation" (2022); Shi et al., "Large Language Models Can Be Easily Distracted by
# Irrelevant Context" (2023); Barbero et al., "Transformers need glasses! Information
# over-squashing in language tasks" (2024); Zhou et al., "DeepViT: Towards Deeper Vision
# Transformer" (2021).

# %% [markdown]
# Setup: imports, seed, plot style. Everything runs on the CPU.

# %%
import math

import matplotlib.pyplot as plt
import torch

from course_utils import zoo
from course_utils.collapse import (
    head_divergence, js_divergence, last_token_shift, random_stack_residuals, rank_residual,
)
from course_utils.device import seed_everything
from course_utils.metrics import normalized_entropy
from course_utils.plotting import finish, plot_curves, plot_heatmaps, use_course_style
from course_utils.report import error_text
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
    print(f"{v:15s} residual after layers 0..5 (seed 0): "  # below 1e-14 is float64 rounding noise
          + " ".join(error_text(r, floor=1e-14) for r in rank[v][0, :6].tolist()))

# %%
layers = torch.arange(13)
fig = plot_curves(
    layers, {v: rank[v].mean(0) for v in VARIANTS},
    bands={v: (rank[v].min(0).values, rank[v].max(0).values) for v in VARIANTS},
    xlabel="layer", ylabel="rank residual ‖H − 1·mean(H)‖ / ‖H‖", logy=True,
    title="Pure attention loses rank doubly exponentially; skip connections stop it",
)
for line in fig.axes[0].get_lines():  # "+ skip" and "full block" nearly coincide: dash one of them
    line.set_linestyle("--" if line.get_label() == "full block" else "-")
fig.axes[0].legend()
fig

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
#
# ### Collapse with context length: one early token fades from the last representation
#
# Depth is one way to average tokens together; length is another. A causal model's last position
# averages over everything before it, so the share any single early token has in it shrinks as the
# context grows. Barbero et al., "Transformers need glasses! Information over-squashing in language
# tasks" (2024), prove that the final representations of two sequences that differ in one token
# converge as n grows (representational collapse), which is why large models fail at counting or
# copying in long inputs. We measure it: change the token at position 1 and see how far the last
# position's final representation moves, relative to its size, as the context grows. The models are
# notebook 08's character models without positional encoding (`si-lm-nope-s*`, trained on 64
# characters), so no distance penalty pushes early tokens away: what remains is the averaging.

# %%
def shift_at_length(model, n, batch_size=32):
    """Mean relative shift of the last representation over validation windows of n characters
    (`course_utils.collapse.last_token_shift`: replace the token at position 1, compare the last
    position's final-LayerNorm output, ||h - h'|| / ||h||)."""
    batch = make_batch_fn("text", batch_size=batch_size, n=n, split="val")(torch.Generator().manual_seed(7))
    return last_token_shift(model, batch.tokens).mean().item()


CONTEXTS = (16, 32, 64, 128, 256, 512)
nope_lms = {s: zoo.load(name, verbose=False)[0] for s, name in zoo.family("si-lm", variant="nope").items()}
shift = torch.tensor([[shift_at_length(nope_lms[s], n) for n in CONTEXTS] for s in SEEDS])  # (seeds, lengths)
design = torch.stack([torch.ones(len(CONTEXTS)), torch.tensor(CONTEXTS, dtype=torch.float).log()], 1)  # (lengths, 2)
slopes = [torch.linalg.lstsq(design, shift[i].log()[:, None]).solution[1, 0].item() for i in range(len(SEEDS))]
for i, s in enumerate(SEEDS):
    print(f"seed {s}: relative shift of the last representation " + " ".join(f"{v:.4f}" for v in shift[i].tolist())
          + f" at n = {', '.join(map(str, CONTEXTS))}; log-log slope {slopes[i]:.2f}")

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for i, s in enumerate(SEEDS):
    ax.plot(CONTEXTS, shift[i], marker="o", color=f"C{i}", label=f"seed {s}")
ax.plot(CONTEXTS, [shift[:, 0].mean().item() * CONTEXTS[0] / n for n in CONTEXTS], color="grey", ls=":",
        label="∝ 1/n")
ax.axvline(64, color="grey", lw=0.8, ls="--")
ax.set(xscale="log", yscale="log", xlabel="context length n (characters; dashed: training length)",
       ylabel="relative shift of the last representation", title="changing the token at position 1")
ax.set_xticks(CONTEXTS, [str(n) for n in CONTEXTS])
ax.minorticks_off()
ax.legend()
finish(fig, "One early token's trace in the last representation fades as the context grows")

# %% [markdown]
# **Takeaway.** The longer the context, the less one early token changes the last position's
# representation, in every seed: about 16 times less at 512 characters than at 16, on a log-log
# slope of about −0.8 (printed above), close to the `1/n` of a plain average. Two sequences that
# differ early become nearly indistinguishable at the end of a long context, and that happens in
# trained models, not only in random stacks: collapse *with length*, the long-context face of rank
# collapse.

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
    ax.set_xticks(n_tokens, [str(n) for n in n_tokens])
    ax.minorticks_off()
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
# park on the same BOS token. These retrievers are healthy two-layer models, though, where
# convergence had little chance: DeepViT (Zhou et al., 2021) found attention collapse across the
# *layers* of vision transformers 16 to 32 blocks deep. Section 3 looks again where convergence is
# most likely at our scale.
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
# "Collapse" also names a training failure that has nothing to do with the length of the context;
# it belongs here so that the two are not confused. Zhai et al. (2023) found that transformers trained with too high a learning rate can drive their
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
# ### Do collapsed heads converge?
#
# Section 2 found no converging heads in healthy models. Entropy collapse is where convergence is
# most likely, if it happens at this scale: every head is driven to one-hot attention, and heads
# that all lock onto the same key (the token itself, or the one before) would have a JS divergence
# near 0. The σReparam twins, trained at the same learning rate, are the comparison. We also
# measure DeepViT's version of attention collapse (Zhou et al., 2021), which is across *layers*:
# in deep vision transformers the attention maps of successive blocks become nearly identical. For
# each head of layer 1, the JS divergence to the most similar head of layer 2:

# %%
text = make_batch_fn("text", batch_size=16, n=128, split="val")(torch.Generator().manual_seed(5))
head_js = {}
for key, name in hot_names.items():
    model = zoo.load(name, verbose=False)[0]
    with torch.no_grad():
        _, attn = model(text.tokens, return_attention=True)  # (L, B, H, n, n)
    attn = attn[:, :, :, 1:]  # query 0 sees one key
    within = [head_divergence(attn[layer])[off_diagonal].mean().item() for layer in range(2)]
    across = torch.stack([torch.stack([head_divergence(torch.stack([attn[0][:, i], attn[1][:, j]], 1))[0, 1]
                                       for j in range(4)]) for i in range(4)])  # (4, 4): layer-1 head i, layer-2 head j
    head_js[key] = {"within": within, "across": across.min(1).values.mean().item()}
    label = "plain" if key[0] == "hot" else "σReparam"
    print(f"{label:8s} seed {key[1]}: mean JS between heads, layer 1 {within[0]:.2f}, layer 2 {within[1]:.2f} bits; "
          f"layer 1 to the nearest layer-2 head {head_js[key]['across']:.2f} bits")

# %% [markdown]
# **Takeaway.** Collapsed heads did not converge either: in every seed the entropy-collapsed heads
# are *more* different from each other than their σReparam twins, and no layer-1 head has a close
# copy in layer 2. One-hot heads lock onto *different* single keys. DeepViT saw attention collapse
# across layers in vision transformers 16 to 32 blocks deep; our two-layer models cannot show a
# depth effect, and the course reports that it did not find heads converging at this scale.
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
fig, ax = plt.subplots(figsize=(7, 4))
for s in SEEDS:
    ax.plot(ks, log_p[s].exp().mean(0)[1:], marker="o", color=f"C{s}", label=f"seed {s}")
ax.axhline(0.5, color="grey", ls=":", lw=1, label="true chance (0.5)")
ax.set(xlabel="copies already seen", ylabel="P(model writes it once more)", ylim=(0, 1.02), xticks=ks)
ax.legend()
finish(fig, "P(one more repeat) stays near the stream's 0.5 at every count")

# %%
for s in SEEDS:
    print(f"seed {s}: fraction of greedy continuations that repeat after 1..{COPIES - 1} copies: "
          + " ".join(f"{repeat_rate[(s, k)]:.2f}" for k in ks))

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
# ## 5. Noise: decoys and filler
#
# Irrelevant tokens can distract retrieval (Shi et al., 2023). (The seed material also names
# *context drift*, a conversation wandering from its topic over many turns; this notebook does not
# measure it.) The models (`decoy-s*`, 2 layers,
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
slots = range(len(DECOYS))  # evenly spaced slots: 0 has no place on a log axis
axes[0].errorbar(slots, by_decoys.mean(0), yerr=by_decoys.std(0), marker="o", capsize=3)
axes[0].axvline(3.5, color="grey", lw=0.8, ls=":")
axes[0].set(xlabel="decoys among 128 tokens (dotted: most seen in training, 6)",
            ylabel="accuracy", ylim=(0, 1.02), title="Decoys at the training length")
axes[0].set_xticks(slots, [str(k) for k in DECOYS])
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
- One early token fades: its shift of the last representation falls from {shift[:, 0].mean():.3f} at n = \
{CONTEXTS[0]} to {shift[:, -1].mean():.3f} at n = {CONTEXTS[-1]} (log-log slope {min(slopes):.2f} to {max(slopes):.2f}).
- Heads did not converge: from n = {n_tokens[0]} to {n_tokens[-1]} the mean JS divergence between heads changed by \
{min(torch.stack(rises).flatten()):+.2f} to {max(torch.stack(rises).flatten()):+.2f} bits (2 encodings x 3 seeds x 2 layers); \
entropy-collapsed heads differ more ({min(sum(head_js[("hot", s)]["within"]) / 2 for s in SEEDS):.2f} bits or more) \
than their σReparam twins ({max(sum(head_js[("hot-sigma", s)]["within"]) / 2 for s in SEEDS):.2f} or less).
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
# The demonstration: the JS divergence between heads (0 bits if they had converged, 1 bit if they
# never look at the same key) in section 3's models, where convergence was most likely.

# %%
for kind, label in (("hot", "entropy-collapsed"), ("hot-sigma", "σReparam")):
    js = [sum(head_js[(kind, s)]["within"]) / 2 for s in SEEDS]
    print(f"{label:17s} heads, mean JS between the heads of a layer: " + ", ".join(f"{v:.2f}" for v in js) + " bits")

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
success_message: "Attention collapse names heads becoming alike: they converge to similar patterns, and the JS divergence between them goes to 0. The numbers above are far from 0, even where every head was driven to one-hot attention: at this scale the course's heads did not converge (DeepViT saw it across the layers of much deeper models)."
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
# - **A)** Only the cost: time and memory grow quadratically, but what the model computes does not
#   change with length.
# - **B)** Attention sharpens as the context grows, so the model attends only to the last few tokens.
# - **C)** None, once the model has been trained on texts of that length.
# - **D)** Accuracy falls with length: weights spread thin, one early token fades from the last
#   representation, and greedy decoding falls into loops.
#
# The demonstration: three measurements from this notebook.

# %%
print("retrieval at one decoy per 32 tokens, by length: "
      + " ".join(f"{n}: {v:.2f}" for n, v in zip(LENGTHS, dense.mean(0).tolist())))
print("one early token's shift of the last representation, by length: "
      + " ".join(f"{n}: {v:.3f}" for n, v in zip(CONTEXTS, shift.mean(0).tolist())))
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
success_message: "Each was measured in this course: dilution (02), positions past the training length (03), an early token fading and loops (05). Cost does grow quadratically (06), but it is not the only problem; training on long texts does not remove the others (03's models saw their lengths), and attention gets flatter with length, not sharper (02)."
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
# **Q4.** Write the Jensen–Shannon divergence from scratch, without `course_utils`:
# `js_bits(p, q)` for two distributions over the same keys, `p, q: (n,)`, in **bits**. A key with
# zero weight in one head must not produce NaN (0 · log 0 counts as 0). Then store the divergence
# between the two heads below in `q4_js` (a float); the visible check compares it to 3 decimal
# places. The last key of `head_b` has weight 0.

# %%
head_a = torch.tensor([0.50, 0.20, 0.15, 0.10, 0.05])
head_b = torch.tensor([0.10, 0.10, 0.20, 0.60, 0.00])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
def js_bits(p: torch.Tensor, q: torch.Tensor) -> float:
    """JS divergence (bits) between distributions p, q: (n,)."""
    # BEGIN SOLUTION
    m = (p + q) / 2

    def kl(a, b):  # KL(a || b) in bits, summing only where a > 0
        keep = a > 0
        return (a[keep] * (a[keep] / b[keep]).log2()).sum()

    return (0.5 * kl(p, m) + 0.5 * kl(q, m)).item()
    # END SOLUTION


q4_js = js_bits(head_a, head_b)

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
from course_utils.quiz import check_rounded, in_range

assert in_range(q4_js, 0.0, 1.0), "in bits, the JS divergence lies between 0 and 1"
assert check_rounded(q4_js, "ee5dcba839269f6cabe80d95acbaf96dc09f0898679aaf2bb4adffbe76c5398b", salt="05/q4", decimals=3), "in bits (log base 2)?"

# %%
# HIDDEN
import inspect

import torch
from course_utils.collapse import js_divergence

assert "course_utils" not in inspect.getsource(js_bits), "write it without course_utils"
for _seed in range(3):
    _p, _q = torch.rand(2, 7, generator=torch.Generator().manual_seed(_seed))
    _p[_seed] = 0.0
    _p, _q = _p / _p.sum(), _q / _q.sum()
    assert abs(js_bits(_p, _q) - js_divergence(_p, _q).item()) < 1e-5
assert abs(js_bits(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])) - 1.0) < 1e-6

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
