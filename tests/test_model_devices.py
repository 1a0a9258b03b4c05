"""The model runs wherever its parameters are: every positional scheme, logit transform and sink fix
builds its tensors on the input's device (checked on PyTorch's `meta` device, which has no data, so a
tensor left on the CPU fails at once; a CUDA machine runs the full model as well)."""

import pytest
import torch

from course_utils.core.logits import LOGIT_TRANSFORMS
from course_utils.core.model import GPTConfig, TinyGPT
from course_utils.core.positional import POSITIONAL_SCHEMES
from course_utils.core.sink_fixes import SINK_FIXES

OPTIONS = [
    # The learned table reads its positions' values to check them (a host read meta cannot do); it
    # indexes an nn.Embedding, on the parameters' device by construction.
    *({"positional": name} for name in POSITIONAL_SCHEMES if name != "learned"),
    *({"logit_transform": name} for name in LOGIT_TRANSFORMS),
    *({"sink_fix": name} for name in SINK_FIXES),
    {"dilated_segments": (4, 8), "dilated_rates": (1, 2)},
    {"sigma_reparam": True},
]


def _id(options: dict) -> str:
    return ",".join(f"{key}={value}" for key, value in options.items())


@pytest.mark.parametrize("options", OPTIONS, ids=_id)
def test_every_block_runs_on_the_device_of_its_input(options):
    model = TinyGPT(GPTConfig(vocab_size=16, max_len=32, **options)).to("meta")
    positions = torch.arange(8, device="meta")
    x = model.positional.embed(torch.randn(2, 8, model.config.d_model, device="meta"), positions)
    out, weights = model.block(0)(x, positions, need_weights=not options.get("dilated_segments"))
    assert out.device.type == "meta" and out.shape == x.shape


@pytest.mark.gpu
@pytest.mark.parametrize("positional", POSITIONAL_SCHEMES)
def test_the_model_runs_on_cuda(positional):
    model = TinyGPT(GPTConfig(vocab_size=16, max_len=32, positional=positional)).cuda()
    assert model(torch.randint(16, (2, 8), device="cuda")).shape == (2, 8, 16)
