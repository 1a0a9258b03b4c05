"""What a trained model needs: tasks, data, attention, the model, training, evaluation. Imports only paths and core.

To read the model in the order chapter 01 builds it:

1. `attention`        the formula: scores, softmax, weights @ v; multi-head attention on top
2. `positional`       where positions enter: added to the embeddings, rotating q and k, or biasing the scores
3. `logits`           what may transform the attention logits (the scores) before the softmax (chapter 08)
4. `sink_fixes`       ways for a head to attend to nothing (chapter 04)
5. `lse_attention`, `dilated`   attention with its log-sum-exp, and LongNet's dilated patterns (chapter 07)
6. `model_attention`  the attention of the model's layers: 1 with 2-5 composed in
7. `model`            TinyGPT: embeddings, blocks of attention and MLP, the output head
"""

#: core's three groups. The model and the data import nothing from each other (nor from the run group);
#: the run group (training, evaluation, metrics, records, devices, processes) may import both.
#: tests/test_import_layers.py checks it, and that every core module is in exactly one group.
GROUPS: dict[str, tuple[str, ...]] = {
    "model": (
        "attention",
        "positional",
        "logits",
        "sink_fixes",
        "lse_attention",
        "dilated",
        "model_attention",
        "sigma_reparam",
        "model",
    ),
    "data": ("vocabs", "batch", "retrieval_tasks", "needle_tasks", "copy_tasks", "corpus", "signatures", "tasks"),
    "run": ("train", "evaluate", "task_accuracy", "metrics", "records", "device", "processes"),
}
