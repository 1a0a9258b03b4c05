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
# # 09 · Retrieval and hierarchy: keep the model's context short
#
# **The question.** Notebooks 07 and 08 changed attention itself so that it copes with long
# contexts. Two older ideas leave attention alone and change what the model is shown: *retrieval
# augmentation* gives it only the parts of the context that match the question, and *hierarchical
# processing* reads the context in short pieces, keeps a summary of each, and answers from the
# summaries. How much of what the tiny model loses past its training length do they win back, and
# at what cost?
#
# **Learning goals.** After this notebook you can
# - measure where a model trained short breaks on a long retrieval task;
# - build retrieval augmentation (chunk, score, keep the best) and hierarchical processing (answer
#   per chunk, keep answer and confidence, answer from the summaries);
# - compare their accuracy and their cost in attended pairs and time with full-context attention,
#   with dilated attention and with a scale-invariant model.
#
# **Papers.** Lewis et al., "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks"
# (2020); Liu et al., "Lost in the Middle: How Language Models Use Long Contexts" (2023);
# Wu et al., "Recursively Summarizing Books with Human Feedback" (2021).

# %% [markdown]
# Setup: imports, seed, plot style. Everything runs on the CPU with the zoo's checkpoints.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import zoo
from course_utils.device import seed_everything
from course_utils.evaluate import last_token_accuracy, needle_accuracy
from course_utils.plotting import finish, use_course_style
from course_utils.retrieval import hierarchical_answer, retrieve_best_chunk, split_pairs
from course_utils.tasks import kv_retrieval_batch

seed_everything(0, threads=2)
use_course_style()

# %% [markdown]
# ## 1. Where the model breaks
#
# Notebook 03's key-value models (`BOS k1 v1 … kK vK SEP kq`, 2 layers) were trained on 4–16 pairs.
# We use the three ALiBi seeds and the three RoPE seeds, and ask for one of K = 16, 32 or 64 pairs
# (1×, 2× and 4× the longest training sequence), 256 sequences each.

# %%
SEEDS = zoo.SEEDS
MODELS = {f"{p}-s{s}": zoo.load(zoo.name("kv", s, positional=p), verbose=False)[0]
          for p in ("alibi", "rope") for s in SEEDS}
PAIR_COUNTS = (16, 32, 64)
batches = {k: kv_retrieval_batch(256, k, generator=k) for k in PAIR_COUNTS}


@torch.no_grad()
def accuracy(model, tokens, answers):
    """Share of sequences whose last-position argmax is the answer."""
    return last_token_accuracy(model, tokens, answers)


full = {(name, k): accuracy(model, batches[k].tokens, batches[k].targets[:, -1])
        for name, model in MODELS.items() for k in PAIR_COUNTS}
for name in MODELS:
    print(f"{name:8s} full context, K = 16 / 32 / 64: " + " / ".join(f"{full[(name, k)]:.2f}" for k in PAIR_COUNTS))

# %% [markdown]
# Every model falls as K grows past its training range (RoPE seed 1 never learned the task, as in
# notebook 03). From here on the long task is K = 64 (131 tokens).
#
# ## 2. Retrieval augmentation: don't store everything, retrieve what matters
#
# Cut the 64 pairs into 4 chunks of 16 (a length the model was trained on), score each chunk
# against the question, keep the best one and give the model `BOS <chunk> SEP kq`. The score here
# is an exact key match (how many of the chunk's keys equal the query key), the simplest
# retriever; a real system would compare embeddings. By hand, for the first sequence:

# %%
K, CHUNK = 64, 16
tokens, answers = batches[K].tokens, batches[K].targets[:, -1]
chunks, query = split_pairs(tokens, CHUNK)  # (B, 4, 32), (B,)
scores = (chunks[0, :, 0::2] == query[0]).sum(-1)  # keys sit at the even places of a chunk
print("chunk scores for sequence 0:", scores.tolist(), "-> keep chunk", int(scores.argmax()))
by_hand = torch.cat([tokens[0, :1], chunks[0, int(scores.argmax())], tokens[0, -2:]])
print("by hand equals course_utils.retrieval.retrieve_best_chunk:",
      bool(torch.equal(by_hand, retrieve_best_chunk(tokens, CHUNK)[0])))

# %%
short = retrieve_best_chunk(tokens, CHUNK)  # (B, 35)
retrieved = {name: accuracy(model, short, answers) for name, model in MODELS.items()}
for name in MODELS:
    print(f"{name:8s} K = 64: full context {full[(name, K)]:.2f}, retrieval {retrieved[name]:.2f} "
          f"(the model at K = 16: {full[(name, 16)]:.2f})")

# %% [markdown]
# **Takeaway.** Retrieval brings the model back to a length it knows, so accuracy returns to about
# its in-distribution level, provided the retriever finds the right chunk (an exact key match
# always does here; a learned retriever can miss).
#
# ## 3. Hierarchical processing: summarise, then answer
#
# Without a retriever, read every chunk: run the model on each `BOS <chunk> SEP kq`, keep a
# two-number summary per chunk (its answer and the probability it gives that answer), then answer
# with the most confident chunk's answer. By hand, for the first sequence with the first model:

# %%
model = MODELS["alibi-s0"]
framed = torch.stack([torch.cat([tokens[0, :1], chunks[0, c], tokens[0, -2:]]) for c in range(K // CHUNK)])
with torch.no_grad():
    probs = torch.softmax(model(framed)[:, -1], dim=-1)
confidence, guess = probs.max(dim=-1)
for c in range(K // CHUNK):
    print(f"chunk {c}: answer {int(guess[c])}, probability {confidence[c]:.2f}")
print(f"final answer {int(guess[confidence.argmax()])}, true answer {int(answers[0])}; package agrees:",
      int(hierarchical_answer(model, tokens[:1], CHUNK)[0][0]) == int(guess[confidence.argmax()]))

# %%
hierarchical = {name: (hierarchical_answer(model, tokens, CHUNK)[0] == answers).float().mean().item()
                for name, model in MODELS.items()}
for name in MODELS:
    print(f"{name:8s} K = 64: full {full[(name, K)]:.2f}, hierarchical {hierarchical[name]:.2f}, "
          f"retrieval {retrieved[name]:.2f}")

# %% [markdown]
# The summaries work only if a chunk *without* the answer says so by being unsure. For the RoPE
# models it mostly does; the ALiBi models are often just as confident about a wrong value from a
# chunk that lacks the key, so picking the most confident chunk does no better than reading
# everything at once. A summary is only as good as the model's calibration.
#
# ## 4. Against the attention fixes of notebooks 07 and 08, and the cost
#
# The dilated kv models of notebook 07 (same task, same steps) at K = 64, full context and with
# retrieval; and notebook 08's scale-invariant + NoPE needle models, which read a context 8× their
# training length themselves (needle at 512 tokens, 64 sequences, seeds 0 / 1 / 2):

# %%
dilated = {s: zoo.load(name, verbose=False)[0] for s, name in zoo.family("kv", positional="rope", dilated=True).items()}
for s, m in dilated.items():
    print(f"dilated s{s}: K = 64 full {accuracy(m, tokens, answers):.2f}, retrieval {accuracy(m, short, answers):.2f}, "
          f"K = 16 {accuracy(m, batches[16].tokens, batches[16].targets[:, -1]):.2f}")
si_needle = [needle_accuracy(zoo.load(zoo.name("si-needle", s, variant="si-nope"), verbose=False)[0], 512,
                             samples=64, seed=512)
             for s in SEEDS]
print("scale-invariant + NoPE, needle at 8x its training length:", " / ".join(f"{a:.2f}" for a in si_needle))

# %% [markdown]
# Cost, per layer and sequence: the (query, key) pairs each method attends (causal), and the time
# for all 256 sequences with one model on this machine (timings vary by machine and are not
# compared by the tests).

# %%
def causal_pairs(n):
    return n * (n + 1) // 2


n_full, n_chunk, n_chunks = tokens.shape[1], short.shape[1], K // CHUNK
attended = {"full context": causal_pairs(n_full), "retrieval (best chunk)": causal_pairs(n_chunk),
            "hierarchical (every chunk)": n_chunks * causal_pairs(n_chunk)}
for method, pairs in attended.items():
    print(f"{method:28s} {pairs:6d} attended pairs per layer")

# %%
# NBVAL_IGNORE_OUTPUT
runs = {"full context": lambda: accuracy(model, tokens, answers),
        "retrieval (best chunk)": lambda: accuracy(model, retrieve_best_chunk(tokens, CHUNK), answers),
        "hierarchical (every chunk)": lambda: hierarchical_answer(model, tokens, CHUNK)}
seconds = {}
for method, run in runs.items():
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    seconds[method] = float(np.median(times))
    print(f"{method:28s} {seconds[method] * 1e3:7.1f} ms for 256 sequences")

# %%
names = list(MODELS)
fig, (ax_acc, ax_cost) = plt.subplots(1, 2, figsize=(12, 4))
x = np.arange(len(names))
for i, (label, values) in enumerate([("full context", [full[(n, K)] for n in names]),
                                     ("hierarchical", [hierarchical[n] for n in names]),
                                     ("retrieval", [retrieved[n] for n in names]),
                                     ("full context at K = 16", [full[(n, 16)] for n in names])]):
    ax_acc.bar(x + (i - 1.5) * 0.2, values, width=0.2, label=label)
ax_acc.set(xticks=x, xticklabels=names, ylabel="accuracy", ylim=(0, 1.05), title="K = 64 pairs (4x training)")
ax_acc.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4)
ax_cost.bar(list(attended), list(attended.values()), color=["C0", "C2", "C1"])  # the colours of the left panel
ax_cost.set(ylabel="attended (query, key) pairs per layer", title="Cost per sequence")
ax_cost.tick_params(axis="x", labelrotation=15)
fig = finish(fig, "Showing the model less: retrieval wins back accuracy at a fraction of the cost")
fig

# %% [markdown]
# ## Takeaways
#
# Printed from this notebook's measurements:

# %%
def mean(by_model):
    """Mean over the five models that learned the task (rope-s1 never did)."""
    return np.mean([by_model[n] for n in names if n != "rope-s1"])


print(f"""\
- Past the training length the models fail: mean accuracy at K = 64 is {np.mean([full[(n, K)] for n in names if n != 'rope-s1']):.2f} \
(K = 16: {np.mean([full[(n, 16)] for n in names if n != 'rope-s1']):.2f}; the five models that learned the task).
- Retrieval (exact key match, best chunk of 16 pairs) brings it to {mean(retrieved):.2f}, attending \
{attended['retrieval (best chunk)'] / attended['full context']:.0%} of the full context's pairs.
- Hierarchical processing (answer per chunk, keep the most confident) reaches {mean(hierarchical):.2f}: it depends on \
chunks without the answer being unsure, which the ALiBi models are not.
- A scale-invariant + NoPE model needs neither on the needle task ({min(si_needle):.2f} at 8x in its worst seed), but \
pays the full n² attention; the dilated models stay weak with or without retrieval.""")

# %% [markdown]
# ## Quiz

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q1

# %% [markdown]
# **Q1** (seed 001, question 7). Retrieval augmentation addresses long context by:
#
# - **A)** Compressing the whole context into one summary vector that every query reads
# - **B)** Extending the position range so the model can read the whole context at once
# - **C)** Not storing everything, retrieve relevant parts instead
# - **D)** Keeping only the most recent tokens and dropping the rest
#
# The demonstration: section 2's model reads 35 tokens instead of 131 and answers better.

# %%
print(f"tokens shown: {n_chunk} of {n_full}; accuracy {mean(retrieved):.2f} with retrieval vs "
      f"{np.mean([full[(n, K)] for n in names if n != 'rope-s1']):.2f} with everything")

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN SOLUTION

# %%
q1_answer = "C"  # SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # END SOLUTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
success_message: "Retrieval keeps the long context outside the model and shows it only the relevant chunk, so the model reads a short input of the kind it was trained on. It neither reads everything nor keeps just the latest tokens, and nothing is squeezed into one vector: here the model reads 35 tokens instead of 131 and answers better."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q1_answer, "1a3faca7c5316e5311409a4a86da0e3447e99a8eb996fd4bd5a683a7ffbe9356", salt="09/q1")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION

# %% [raw] jupyter={"source_hidden": true}
# # BEGIN QUESTION
# name: q2

# %% [markdown]
# **Q2** (seed 001, question 8). Hierarchical processing for long context:
#
# - **A)** Process all at once
# - **B)** Keep the most recent chunk and discard the others
# - **C)** Retrieve the one chunk that matches the question and answer from it alone
# - **D)** Summarize then process
#
# The demonstration: section 3's summaries, one (answer, probability) pair per chunk.

# %%
_, summaries = hierarchical_answer(MODELS["rope-s2"], tokens[:2], CHUNK)
for row, summary in enumerate(summaries):
    print(f"sequence {row}: (answer, probability) per chunk:",
          ", ".join(f"({int(a)}, {p:.2f})" for a, p in summary.tolist()), f"; true answer {int(answers[row])}")

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
success_message: "Hierarchical processing first summarises each chunk, then works on the summaries: here one (answer, confidence) pair per chunk, and the most confident answer wins. Answering from one matching chunk is retrieval (Q1), and processing everything at once is the baseline both replace."
""" # END TEST CONFIG
from course_utils.quiz import check_choice

assert check_choice(q2_answer, "668116fe99b1294bbd6b9ce59610f959b93029257605e4a2c71b09739a5517fd", salt="09/q2")

# %% [raw] jupyter={"source_hidden": true}
# # END TESTS

# %% [raw] jupyter={"source_hidden": true}
# # END QUESTION
