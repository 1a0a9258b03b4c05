"""Shared code of the course "Long-Context Attention, from Scratch".

One concept per module:

- `attention`   scaled dot-product attention from scratch, multi-head attention
- `positional`  none / sinusoidal / learned / RoPE / ALiBi positional schemes
- `logits`      logit transforms applied before the softmax (identity, log-n, ...)
- `model`       TinyGPT, a small decoder-only transformer that returns its attention
- `tasks`       synthetic tasks with controlled positions (key-value retrieval, needle, copy)
- `corpus`      a small shipped text corpus and a character tokenizer
- `train`       a deterministic training loop with a progress bar
- `zoo`         named training recipes and their committed checkpoints
- `metrics`     entropy, max weight, mass by position, mass on the first token
- `sinks`       sink mass and rate, StreamingLLM caches (first k + recent tokens), per-position losses
- `collapse`    rank-collapse residual, JS divergence between heads, σReparam
- `repetition`  repeated prompts, per-copy probabilities, greedy repetition
- `flash`       online-softmax (FlashAttention-style) attention over key blocks
- `bench`       time and peak memory of attention implementations; `python -m course_utils.bench`
- `plotting`    the course's plot style and helpers
- `quiz`        helpers for the executable quizzes
- `device`      seeding and device choice
"""

__version__ = "0.1.0"
