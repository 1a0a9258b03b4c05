"""The evaluators run the model wherever its parameters are: they send its inputs there and compare on the
CPU. On any machine a stand-in whose parameter sits on PyTorch's `meta` device records where its inputs
arrive (meta has no data, so the stand-in answers with CPU tensors); a CUDA machine runs every evaluator
on a real model on the GPU and compares with the CPU (the model itself: tests/test_model_devices.py)."""

import copy

import pytest
import torch
from torch import nn

from course_utils.chapters import dilution, distractors, retrieval
from course_utils.core import evaluate, task_accuracy
from course_utils.core.corpus import text_batch
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.needle_tasks import near_miss_batch
from course_utils.core.retrieval_tasks import associative_recall_batch, kv_retrieval_batch
from course_utils.core.tasks import task_vocab_size
from course_utils.core.vocabs import DecoyVocab, NearMissVocab, NeedleVocab

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

    def forward(self, tokens, positions=None, need_weights=False):
        self.seen += [tensor.device for tensor in (tokens, positions) if tensor is not None]
        batch, n = tokens.shape
        logits = torch.zeros(batch, n, VOCAB)
        return (logits, torch.full((2, batch, 2, n, n), 1 / n)) if need_weights else logits


def _kv():
    return kv_retrieval_batch(6, 4, n_keys=8, n_values=4, generator=0)


EVALUATORS = {
    "forward_in_rows": lambda m: evaluate.forward_in_rows(m, _kv().tokens, 4, positions=torch.arange(11)),
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


def _same_model_on(device: str, model: TinyGPT) -> TinyGPT:
    return copy.deepcopy(model).to(device)


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")


@needs_cuda
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


@needs_cuda
def test_the_chapter_measurements_agree_on_cuda_and_the_cpu():
    torch.manual_seed(0)
    recall = TinyGPT(
        GPTConfig(vocab_size=task_vocab_size("associative_recall"), max_len=64, layers=1, attention_only=True)
    )
    batch = associative_recall_batch(16, 16, generator=0)
    for run in (
        lambda m: evaluate.last_query_attention(m, batch.tokens),
        lambda m: dilution.retrieval_report(m, batch).relevant_weight,
        lambda m: dilution.last_query_report(m, batch).relevant_weight,
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


@needs_cuda
def test_the_real_model_runs_on_cuda():
    from course_utils.chapters.pretrained import load_minilm

    encoder = load_minilm()
    on_cuda = copy.deepcopy(encoder).to("cuda")  # load_minilm's cached copy stays on the CPU
    texts = ["attention is all you need", "a needle in a haystack"]
    torch.testing.assert_close(on_cuda.embed(texts), encoder.embed(texts), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(on_cuda.attention_maps(texts[0]), encoder.attention_maps(texts[0]), atol=1e-4, rtol=1e-4)
