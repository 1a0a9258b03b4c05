"""Shared code of the course "Long-Context Attention, from Scratch".

One concept per module, in four layers. A module imports only from its own layer or the layers
above it in this list (`tests/test_layers.py` checks it, and that this map names every module),
so a reader can learn the core without opening a chapter module.

Core: data and the model (imports nothing outside the core)

- `batch`       TaskBatch, the Vocab base class, IGNORE_INDEX: the data contract of every task
- `tasks`       synthetic tasks with controlled positions (key-value retrieval, needle, copy, ...) and
                the task registry `make_batch_fn`
- `corpus`      a small shipped text corpus, a character tokenizer and the "text" task
- `device`      seeding and device choice
- `positional`  none / sinusoidal / learned / RoPE / p-RoPE / ALiBi positional schemes
- `logits`      logit transforms applied before the softmax (identity, log-n, SSMax, scale-invariant)
- `layers`      layers the model config can swap in (σReparam's linear layer)
- `dilated`     LongNet's dilated attention kernel (a torch-only kernel that `attention` calls for
                `MultiHeadAttention(dilated=...)`; chapter 07 explains it)
- `attention`   scaled dot-product attention from scratch, multi-head attention
- `model`       TinyGPT, a small decoder-only transformer that returns its attention
- `train`       a deterministic training loop with a progress bar
- `pretrained`  all-MiniLM-L6-v2, a real pretrained encoder, loaded into the course's own attention

Analysis: one chapter's measurements (imports the core and other analysis modules)

- `circuits`         a copy model's attention: distance read from, content or position (ch. 01)
- `metrics`          entropy and max weight of attention rows
- `dilution`         attention dilution in theory and simulation (ch. 02)
- `evaluate`         retrieval reports, accuracy by query index, last-token accuracy, long-context loss,
                     attention on whole items (needle and decoys)
- `sinks`            sink mass and rate, StreamingLLM caches (first k + recent tokens), per-position losses (ch. 04)
- `collapse`         rank-collapse residual, JS divergence between heads; re-exports σReparam (ch. 05)
- `repetition`       repeated prompts, per-copy probabilities, greedy repetition (ch. 05)
- `flash`            online-softmax (FlashAttention-style) attention over key blocks (ch. 06)
- `traffic`          bytes an attention call moves and keeps (op by op, and for the backward pass) (ch. 06)
- `bench`            time and peak memory of attention implementations; `python -m course_utils.bench` (ch. 06-07)
- `distributed`      ring attention and LongNet's distributed dilated attention on torch.distributed (ch. 11)
- `gpu`              every GPU measurement of the course in one command: `python -m course_utils.gpu` (ch. 06-07)
- `scale_invariant`  scale-invariant attention's derivation and reference (ch. 08); re-exports its logit module
- `retrieval`        retrieve-then-read and hierarchical answering over chunks (ch. 09)
- `real_model`       sinks, dilution, head similarity, needles and retrieval in all-MiniLM-L6-v2 (ch. 10)

Zoo: trained models (imports the core and analysis)

- `zoo`         named training recipes, their committed checkpoints and the naming API (`zoo.family`)
- `trials`      training experiments whose measurements, not weights, are committed (ch. 07-09)

Notebook helpers (import anything above)

- `plotting`    the course's plot style and helpers
- `diagrams`    schematic figures drawn in code (one attention head's data flow, FlashAttention's tiling)
- `quiz`        helpers for the executable quizzes
- `report`      printing measured errors the same on every CPU (rounding noise prints as a bound)
"""

__version__ = "0.1.0"

#: The layers of the map above, in import order: a module may import from its own layer and earlier ones.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": ("batch", "tasks", "corpus", "device", "positional", "logits", "layers", "dilated", "attention",
             "model", "train", "pretrained"),
    "analysis": ("circuits", "metrics", "dilution", "evaluate", "sinks", "collapse", "repetition", "flash", "traffic", "bench",
                 "distributed", "gpu", "scale_invariant", "retrieval", "real_model"),
    "zoo": ("zoo", "trials"),
    "notebook": ("plotting", "diagrams", "quiz", "report"),
}
