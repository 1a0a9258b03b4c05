"""Shared code of the course "Long-Context Attention, from Scratch".

The folders are the layers, and `ALLOWED_IMPORTS` below is the rule, written once: the layers a module
of each layer may import from (`tests/test_import_layers.py` reads it and checks every import):

    bench/      the benchmark: time and memory of attention implementations, `make gpu`
    chapters/   one chapter's idea and measurements
    zoo/        trained models and stored trials
    core/       the model, its data, training, eval
    tools/      notebook helpers: plots, diagrams, quizzes, printing
    paths.py    where files live

core/: what a trained model needs

- `vocabs`         the token-id layouts: BOS_ID, the Vocab base class, one per task (KVVocab, CopyVocab, ...)
- `batch`          TaskBatch, IGNORE_INDEX: the data contract of every task, and the helpers tasks share
                   (seeds, ranges, targets)
- `retrieval_tasks` retrieval by key: key-value retrieval (with its filler and query options), associative recall
- `needle_tasks`   a needle in a haystack, among decoys, among near misses
- `copy_tasks`     copy, repeated sequences, the backcopy stream and its loss floor, the loop stream
- `signatures`     a function's keyword options, and the check of those a caller passes (tasks, zoo names)
- `tasks`          the task registry: `make_batch_fn(name, **options)`, `task_vocab_size`
- `corpus`         the shipped text corpus, a character tokenizer and the "text" task
- `device`         seeding, device choice (and the commands' `--device` option), the device a model sits on
- `processes`      fresh processes that start fast: forked from a server that imported torch once
- `positional`     none / sinusoidal / learned / RoPE / p-RoPE / ALiBi positional schemes
- `logits`         logit transforms applied before the softmax (identity, log-n, SSMax, scale-invariant)
- `sigma_reparam`  σReparam's linear layer, which the model config can swap in
- `attention`      scaled dot-product attention from scratch (chapter 01), multi-head attention
- `sink_fixes`     ways for a head to attend to nothing (softmax1, sink logits and keys, sigmoid, gate)
- `lse_attention`  dense attention with its log-sum-exp (matmuls or PyTorch's fused kernel where it applies),
                   merging partial outputs by it, the accumulation dtype of softmax statistics
- `dilated`        LongNet's dilated attention: patterns, the kernel, its dense definition (chapter 07)
- `model_attention` the attention the course's model uses: chapter 01's MultiHeadAttention plus a sink fix
                   and dilated patterns
- `model`          TinyGPT, a small decoder-only transformer that returns its attention
- `train`          a deterministic training loop with a progress bar
- `metrics`        entropy, max weight and sink mass of attention weights, JS divergence between two of them,
                   the relative max error of an output against a reference
- `evaluate`       accuracy and losses of a trained model on any batch (at the last token, at every
                   supervised position, by position), run `rows_per_call` rows at a time on the model's
                   device; every layer's attention weights, the last query's attention
- `task_accuracy`  accuracy on the tasks' own seeded batches: key-value retrieval by queried pair index,
                   needles at a chosen length
- `records`        stored measurement records (JSON): rounding, writing, loading or the command that rebuilds one

chapters/: one chapter's idea

- `circuits`         a copy model's attention: distance read from, content or position (ch. 01)
- `dilution`         attention dilution in theory, in simulation and in trained recall models (ch. 02)
- `positional_bias`  lost in the middle by relative position, attention to far keys and to a value's key (ch. 03)
- `sinks`            StreamingLLM caches (first k + recent tokens), what the first token writes (ch. 04)
- `collapse`         rank-collapse residual, JS divergence between heads (ch. 05)
- `repetition`       repeated prompts, per-copy probabilities, greedy repetition (ch. 05)
- `distractors`      a needle model among exact decoys and near misses: accuracy, the needle's and a decoy's
                     weight (ch. 05)
- `flash`            online-softmax (FlashAttention-style) attention over key blocks; naive attention behind a
                     memory budget (ch. 06)
- `traffic`          bytes an attention call moves and keeps (op by op, and for the backward pass) (ch. 06)
- `flops`            forward FLOPs of dense and dilated attention, counted from the shapes (ch. 06-07)
- `dilated_reach`    what stacked dilated layers can reach and route (ch. 07)
- `scale_invariant`  scale-invariant attention's derivation and reference (ch. 08)
- `retrieval`        retrieve-then-read and hierarchical answering over chunks, AUROC of their confidence (ch. 09)
- `pretrained`       all-MiniLM-L6-v2, a real pretrained encoder, run by the course's own attention (ch. 10)
- `real_model`       sinks, dilution, head similarity, needles and retrieval in all-MiniLM-L6-v2 (ch. 10)
- `distributed`      ring attention and LongNet's distributed dilated attention on torch.distributed (ch. 11)
- `distributed_cost` tokens per rank, bytes each rank receives and memory per rank, counted on paper (ch. 07, 11)
- `distributed_runs` distributed attention on CPU processes: launching, exactness check, measurement (ch. 11)

zoo/: trained models (see `course_utils/zoo/__init__.py`)

- `recipes`     the named training recipes, `names_by_seed` and `entry_name`
- `names`       how each family spells its entries' names
- `store`       how a checkpoint is stored
- `trackers`    the metrics an entry may record while it trains
- `training`    training, storing and loading an entry
- `trials`      training experiments whose measurements, not weights, are committed (ch. 07-09)
- `measurements` what those records measure: `measure_kv`, `measure_lm`, `measure_needle` and their lengths
- `cli`         what the zoo's command lines share: acting on the names given, or on all with --all

bench/: the benchmark, which measures the chapters' attention implementations (ch. 06-08)

- `measure`       one benchmark row: time and peak memory of one attention implementation at one n
- `memory_probe`  peak resident memory of one call on the CPU, read from the operating system
- `results`       the benchmark's rows and their CSV files, one file per device
- `plots`         a recorded benchmark's rows drawn: one line per implementation over n
- `sweep`         implementations swept over n (with a time budget for `make gpu`), and the benchmark's
                  command line: `python -m course_utils.bench`
- `plans`         the sizes of the GPU runs, written once, and the command of a notebook's GPU sweep
- `gpu`           every GPU measurement of the course in one command: `python -m course_utils.bench.gpu`
                  (`make gpu`)

tools/: notebook helpers

- `plotting`    the course's plot style and helpers
- `diagrams`    schematic figures drawn in code (one attention head's data flow, FlashAttention's tiling)
- `quiz`        helpers for the executable quizzes
- `answer_first` the `%%answer_first` cell magic: a self-study cell that shows an answer waits for it
- `report`      printing measured errors the same on every CPU (rounding noise prints as a bound), and
                `loglog_slope`, the log-log slope of a measured curve
- `live_output` running a command from a notebook cell, its output shown line by line as it comes
"""

__version__ = "0.1.0"

#: The layer rule: the layers (`paths` and the folders, lowest first) each layer may import from, its own
#: included. `chapters` and `zoo` stand side by side: neither imports the other. `bench` measures what
#: `chapters` builds and draws it with `tools` (plots, quizzes, printing), which needs no other layer.
ALLOWED_IMPORTS: dict[str, tuple[str, ...]] = {
    "paths": ("paths",),
    "tools": ("paths", "tools"),
    "core": ("paths", "core"),
    "chapters": ("paths", "core", "chapters"),
    "zoo": ("paths", "core", "zoo"),
    "bench": ("paths", "tools", "core", "chapters", "bench"),
}
#: The layers that are folders, lowest first.
LAYERS: tuple[str, ...] = tuple(layer for layer in ALLOWED_IMPORTS if layer != "paths")
