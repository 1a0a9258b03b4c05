"""The evaluators, and the chapters' and the zoo's measurements, run the model wherever its parameters are:
they send its inputs there and compare on the CPU. On any machine a stand-in whose parameter sits on PyTorch's
`meta` device records where its inputs arrive (meta has no data, so the stand-in answers with CPU tensors); a
CUDA machine runs them on a real model on the GPU and compares with the CPU (the model itself:
tests/test_model_devices.py)."""

import copy

import pytest
import torch
from torch import nn

from course_utils.chapters import (
    circuits,
    collapse,
    dilution,
    distractors,
    positional_bias,
    repetition,
    retrieval,
    sinks,
)
from course_utils.core import evaluate, task_accuracy
from course_utils.core.copy_tasks import copy_batch
from course_utils.core.corpus import text_batch
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.needle_tasks import near_miss_batch
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size
from course_utils.core.vocabs import DecoyVocab, NearMissVocab, NeedleVocab
from course_utils.zoo import measurements, trackers

VOCAB = 2048  # covers every task's ids below


class OnMeta(nn.Module):
    """A stand-in model whose one parameter sits on the meta device.

    It records the device of every tensor it is given and answers with zero logits (and uniform
    attention, `need_weights=True`) on the CPU, as a real model's outputs would come back.
    """

    def __init__(self) -> None:
        super().__init__()
        self.anchor = nn.Parameter(torch.empty(0, device="meta"))
        self.seen: list[torch.device] = []

    def forward(self, tokens, positions=None, need_weights=False, last_only=False):
        self.seen += [tensor.device for tensor in (tokens, positions) if tensor is not None]
        batch, n = tokens.shape
        n_q = 1 if last_only else n
        logits = torch.zeros(batch, n_q, VOCAB)
        return (logits, torch.full((2, batch, 2, n_q, n), 1 / n)) if need_weights else logits


def _kv():
    return kv_retrieval_batch(6, 4, n_keys=8, n_values=4, generator=0)


EVALUATORS = {
    "forward_in_rows": lambda m: evaluate.forward_in_rows(m, _kv().tokens, 4, positions=torch.arange(11)),
    "attention_weights": lambda m: evaluate.attention_weights(m, _kv().tokens, positions=torch.arange(11)),
    "target_accuracy": lambda m: evaluate.target_accuracy(m, _kv().tokens, _kv().targets, positions=torch.arange(11)),
    "last_token_accuracy": lambda m: evaluate.last_token_accuracy(
        m, _kv().tokens, _kv().targets[:, -1], positions=torch.arange(11)
    ),
    "position_losses": lambda m: evaluate.position_losses(m, text_batch(2, 16, split="val", generator=0), 8),
    "accuracy_by_query_index": lambda m: task_accuracy.accuracy_by_query_index(
        m, 4, per_index=2, n_keys=8, n_values=4, positions=torch.arange(11)
    ),
    "needle_accuracy": lambda m: task_accuracy.needle_accuracy(m, 16, samples=4),
    "retrieval_report": lambda m: dilution.retrieval_report(m, associative_recall_batch(3, 4, generator=0)),
    "decoy_accuracy": lambda m: distractors.decoy_accuracy(m, 16, 2),
    "measure_near_miss": lambda m: distractors.measure_near_miss(m, 16, n_decoys=2),
    "hierarchical_answer": lambda m: retrieval.hierarchical_answer(m, _kv().tokens, 2),
}


@pytest.mark.parametrize("name", EVALUATORS)
def test_every_evaluator_sends_its_inputs_to_the_models_device(name):
    model = OnMeta()
    EVALUATORS[name](model)
    assert model.seen and all(device.type == "meta" for device in model.seen), model.seen


class TinyGPTOnMeta(TinyGPT):
    """A TinyGPT whose first parameter sits on the meta device, for the measurements that read its modules.

    It records the device of every tensor it is given and runs its CPU weights on zeros in place of the
    tokens (meta tensors hold no data): its hooks see CPU tensors and it answers with CPU tensors.
    """

    def __init__(self) -> None:
        super().__init__(GPTConfig(vocab_size=task_vocab_size("text"), max_len=256, d_model=16, heads=2))
        self.anchor = nn.Parameter(torch.empty(0, device="meta"))  # the module's own: parameters() yields it first
        self.seen: list[torch.device] = []

    def forward(self, tokens, *, positions=None, need_weights=False, last_only=False):
        self.seen += [tensor.device for tensor in (tokens, positions) if tensor is not None]
        zeros = torch.zeros(tokens.shape, dtype=torch.long)
        return super().forward(zeros, need_weights=need_weights, last_only=last_only)


def _copy():
    return copy_batch(4, 6, n_symbols=16, distinct=True, generator=0)


def _text():
    return text_batch(2, 24, split="val", generator=0)


MEASUREMENTS = {
    "streaming_logits": lambda m: sinks.streaming_logits(m, _text().tokens, keep_first=2, recent=6, rows_per_call=8),
    "head_contributions": lambda m: sinks.head_contributions(m, _text().tokens),
    "bos_share": lambda m: sinks.bos_share(m, _text().tokens, 1),
    "losses_with_bos_share": lambda m: sinks.losses_with_bos_share(
        m, _text().tokens, _text().targets, torch.zeros_like
    ),
    "far_key_weight": lambda m: positional_bias.far_key_weight(m, _kv(), 2),
    "value_to_key_weight": lambda m: positional_bias.value_to_key_weight(m, _kv()),
    "far_weight_behind_prefix": positional_bias.far_weight_behind_prefix,
    "previous_token_weight": positional_bias.previous_token_weight,
    "early_query_weights": positional_bias.early_query_weights,
    "last_token_shift": lambda m: collapse.last_token_shift(m, _text().tokens),
    "copy_log_probs": lambda m: repetition.copy_log_probs(m, torch.tensor([[5, 6, 7]]), 3),
    "greedy_repeats": lambda m: repetition.greedy_repeats(m, torch.tensor([[5, 6, 7]]), 3),
    "weight_by_distance": lambda m: circuits.weight_by_distance(m, _copy()),
    "overwrite_probe": lambda m: circuits.overwrite_probe(m, _copy(), at=2, source=4),
    "backcopy_sink_mass": trackers.TRACKERS["backcopy_sink_mass"],
    "text_attention_entropy": trackers.TRACKERS["text_attention_entropy"],
    "measure_lm": measurements.measure_lm,
}


@pytest.mark.parametrize("name", MEASUREMENTS)
def test_every_chapter_and_zoo_measurement_sends_its_inputs_to_the_models_device(name, monkeypatch):
    monkeypatch.setattr(measurements, "LM_LENGTHS", (16, 32))  # measure_lm's lengths (and windows), made small
    monkeypatch.setattr(measurements, "LM_WINDOWS", 2)
    model = TinyGPTOnMeta()
    MEASUREMENTS[name](model)
    assert model.seen and all(device.type == "meta" for device in model.seen), model.seen


def _same_model_on(device: str, model: TinyGPT) -> TinyGPT:
    return copy.deepcopy(model).to(device)


@pytest.mark.gpu
def test_the_evaluators_agree_on_cuda_and_the_cpu():
    torch.manual_seed(0)
    kv = TinyGPT(GPTConfig(vocab_size=task_vocab_size("kv_retrieval", n_keys=8, n_values=4), max_len=64, layers=2))
    batch = kv_retrieval_batch(64, 8, n_keys=8, n_values=4, generator=1)
    positions = torch.arange(batch.tokens.shape[1]) * 0.5
    for run in (
        lambda m: evaluate.target_accuracy(m, batch.tokens, batch.targets, positions=positions, rows_per_call=16),
        lambda m: evaluate.last_token_accuracy(m, batch.tokens, batch.targets[:, -1]),
        lambda m: task_accuracy.accuracy_by_query_index(m, 8, per_index=8, n_keys=8, n_values=4, rows_per_call=16),
        lambda m: retrieval.hierarchical_answer(m, batch.tokens, 4)[1],
    ):
        on_cpu, on_cuda = run(kv), run(_same_model_on("cuda", kv))
        assert not isinstance(on_cuda, torch.Tensor) or on_cuda.device.type == "cpu"
        torch.testing.assert_close(torch.as_tensor(on_cuda), torch.as_tensor(on_cpu), atol=0.05, rtol=0)

    lm = TinyGPT(GPTConfig(vocab_size=task_vocab_size("text"), max_len=64, layers=1))
    windows = text_batch(4, 64, split="val", generator=0)
    on_cuda = evaluate.position_losses(_same_model_on("cuda", lm), windows, 16)
    torch.testing.assert_close(on_cuda, evaluate.position_losses(lm, windows, 16), atol=1e-4, rtol=1e-4)

    needle = TinyGPT(GPTConfig(vocab_size=NeedleVocab().vocab_size, max_len=64, layers=1))
    assert task_accuracy.needle_accuracy(_same_model_on("cuda", needle), 64, samples=32) == pytest.approx(
        task_accuracy.needle_accuracy(needle, 64, samples=32), abs=0.05
    )


@pytest.mark.gpu
def test_the_chapter_measurements_agree_on_cuda_and_the_cpu():
    torch.manual_seed(0)
    recall = TinyGPT(
        GPTConfig(vocab_size=task_vocab_size("associative_recall"), max_len=64, layers=1, attention_only=True)
    )
    batch = associative_recall_batch(16, 16, generator=0)
    for run in (
        lambda m: evaluate.last_query_attention(m, batch.tokens),
        lambda m: dilution.retrieval_report(m, batch).relevant_weight,
    ):
        torch.testing.assert_close(run(_same_model_on("cuda", recall)), run(recall), atol=1e-4, rtol=1e-4)

    near = TinyGPT(GPTConfig(vocab_size=NearMissVocab().vocab_size, max_len=64, layers=2))
    on_cpu, on_cuda = (
        distractors.measure_near_miss(near, 48, n_decoys=2),
        distractors.measure_near_miss(_same_model_on("cuda", near), 48, n_decoys=2),
    )
    assert on_cuda.accuracy == pytest.approx(on_cpu.accuracy, abs=0.05)
    torch.testing.assert_close(on_cuda.needle_weight, on_cpu.needle_weight, atol=1e-4, rtol=1e-4)
    marked = near_miss_batch(4, 32, n_decoys=1, generator=0)
    assert marked.needle_pos is not None
    starts = marked.needle_pos[:, None]
    torch.testing.assert_close(
        distractors.item_weights(_same_model_on("cuda", near), marked.tokens, starts, width=3),
        distractors.item_weights(near, marked.tokens, starts, width=3),
        atol=1e-4,
        rtol=1e-4,
    )
    decoy = TinyGPT(GPTConfig(vocab_size=DecoyVocab().vocab_size, max_len=128, layers=1))
    assert distractors.decoy_accuracy(_same_model_on("cuda", decoy), 64, 2) == pytest.approx(
        distractors.decoy_accuracy(decoy, 64, 2), abs=0.05
    )


@pytest.mark.gpu
def test_the_real_model_runs_on_cuda():
    from course_utils.chapters.pretrained import load_minilm

    encoder = load_minilm()
    on_cuda = copy.deepcopy(encoder).to("cuda")  # load_minilm's cached copy stays on the CPU
    texts = ["attention is all you need", "a needle in a haystack"]
    torch.testing.assert_close(on_cuda.embed(texts), encoder.embed(texts), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(on_cuda.attention_maps(texts[0]), encoder.attention_maps(texts[0]), atol=1e-4, rtol=1e-4)


@pytest.mark.gpu
def test_the_chapter_and_zoo_measurements_agree_on_cuda_and_the_cpu(monkeypatch):
    monkeypatch.setattr(measurements, "LM_LENGTHS", (16, 32))
    monkeypatch.setattr(measurements, "LM_WINDOWS", 2)
    torch.manual_seed(0)
    lm = TinyGPT(GPTConfig(vocab_size=task_vocab_size("text"), max_len=256, layers=2))
    kv = TinyGPT(GPTConfig(vocab_size=task_vocab_size("kv_retrieval", filler=True), max_len=512, layers=2))
    copier = TinyGPT(GPTConfig(vocab_size=task_vocab_size("copy", n_symbols=16), max_len=64, layers=2))
    backcopy = TinyGPT(
        GPTConfig(vocab_size=task_vocab_size("backcopy"), max_len=128, layers=2, sink_fix="learned_sink")
    )
    text, segments, copies = _text(), _text().tokens[:, 1:6], _copy()
    cases = [
        (lm, lambda m: sinks.streaming_logits(m, text.tokens, keep_first=2, recent=6, rows_per_call=8)),
        (lm, lambda m: sinks.head_contributions(m, text.tokens)),
        (lm, lambda m: sinks.bos_share(m, text.tokens, 1)),
        (lm, lambda m: sinks.losses_with_bos_share(m, text.tokens, text.targets, torch.zeros_like)),
        (lm, lambda m: collapse.last_token_shift(m, text.tokens)),
        (lm, lambda m: repetition.copy_log_probs(m, segments, 3)),
        (lm, lambda m: repetition.greedy_repeats(m, segments, 3).float()),
        (lm, lambda m: torch.tensor(trackers.TRACKERS["text_attention_entropy"](m))),
        (lm, lambda m: torch.tensor(measurements.measure_lm(m)["octave_mass"]["32"])),
        (kv, positional_bias.far_weight_behind_prefix),
        (kv, lambda m: torch.tensor(positional_bias.previous_token_weight(m))),
        (kv, lambda m: torch.cat([weights.flatten() for weights in positional_bias.early_query_weights(m)])),
        (copier, lambda m: circuits.weight_by_distance(m, copies)),
        (copier, lambda m: torch.tensor(circuits.overwrite_probe(m, copies, at=2, source=4))),
        (backcopy, lambda m: torch.tensor(trackers.TRACKERS["backcopy_sink_mass"](m)["copy"])),
    ]
    for model, run in cases:
        on_cpu, on_cuda = run(model), run(_same_model_on("cuda", model))
        assert on_cuda.device.type == "cpu"
        torch.testing.assert_close(on_cuda, on_cpu, atol=1e-4, rtol=1e-4)
