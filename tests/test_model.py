from typing import Any

import pytest
import torch

from course_utils.core.device import seed_everything
from course_utils.core.logits import LOGIT_TRANSFORMS
from course_utils.core.model import OPTION_CHOICES, GPTConfig, TinyGPT
from course_utils.core.positional import POSITIONAL_SCHEMES
from course_utils.core.sink_fixes import SINK_FIXES


@pytest.mark.parametrize("positional", POSITIONAL_SCHEMES)
def test_forward_shapes_and_causality(positional):
    seed_everything(0)
    model = TinyGPT(GPTConfig(vocab_size=11, max_len=16, d_model=32, heads=4, layers=2, positional=positional))
    tokens = torch.randint(0, 11, (3, 9))
    logits, attn = model(tokens, need_weights=True)
    assert logits.shape == (3, 9, 11)
    assert attn.shape == (2, 3, 4, 9, 9)
    assert torch.all(attn.triu(1) == 0)
    torch.testing.assert_close(attn.sum(-1), torch.ones(2, 3, 4, 9))
    # Changing a later token never changes earlier logits.
    changed = tokens.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 11
    torch.testing.assert_close(model(changed)[:, :-1], logits[:, :-1])


def test_attention_only_and_logit_transform():
    """log-n scaling multiplies query i's scores by max(1, log(i + 1)) (the keys it sees): its weights are
    the softmax of that factor times the plain model's log-weights, which leaves a row's constant aside."""
    seed_everything(0)
    config = GPTConfig(vocab_size=5, max_len=8, layers=1, attention_only=True)
    plain = TinyGPT(config)
    scaled = TinyGPT(GPTConfig(**{**config.to_dict(), "logit_transform": "log_n"}))
    scaled.load_state_dict(plain.state_dict())
    assert scaled.blocks[0].mlp is None
    tokens = torch.randint(0, 5, (2, 8))
    logits, weights = scaled(tokens, need_weights=True)
    assert logits.shape == (2, 8, 5)
    _, plain_weights = plain(tokens, need_weights=True)
    factor = torch.arange(1, 9).double().log().clamp_min(1.0)  # (n,): 1, 1, log 3, ..., log 8
    expected = torch.softmax(factor[:, None] * plain_weights.double().log(), dim=-1)  # log 0 = -inf stays masked
    torch.testing.assert_close(weights.double(), expected, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(weights[..., :2, :], plain_weights[..., :2, :])  # factor 1: unchanged
    assert (weights[..., 2:, :] - plain_weights[..., 2:, :]).abs().max() > 1e-3  # sharper from query 2 on


def test_bad_inputs_raise():
    model = TinyGPT(GPTConfig(vocab_size=5, max_len=8, positional="learned"))
    with pytest.raises(ValueError, match="int64"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 5\), got 0\.\.5"):
        model(torch.tensor([[0, 5, 2]]))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 5\), got -1\.\.3"):
        model(torch.tensor([[3, -1, 2]]))
    for empty in (torch.zeros(2, 0, dtype=torch.long), torch.zeros(0, 3, dtype=torch.long)):
        with pytest.raises(ValueError, match="empty"):
            model(empty)
    with pytest.raises(ValueError, match=r"positions must have shape \(n,\) = \(3,\), got \(4,\)"):
        model(torch.zeros(1, 3, dtype=torch.long), positions=torch.arange(4))
    with pytest.raises(ValueError, match="cannot extrapolate"):
        model(torch.zeros(1, 9, dtype=torch.long))
    with pytest.raises(ValueError, match="go together"):
        GPTConfig(vocab_size=5, max_len=8, dilated_rates=(1, 2))  # without segments it would train dense


def test_sigma_reparam_model_uses_reparametrised_layers():
    from course_utils.core.sigma_reparam import SigmaReparamLinear

    model = TinyGPT(GPTConfig(vocab_size=12, max_len=16, sigma_reparam=True))
    kinds = {type(m) for m in model.blocks.modules() if isinstance(m, torch.nn.Linear)}
    assert kinds == {SigmaReparamLinear}
    assert model(torch.randint(0, 12, (2, 8))).shape == (2, 8, 12)


@pytest.mark.parametrize("positional", ["rope", "alibi"])
def test_position_scale_is_interpolation_built_into_the_model(positional):
    """position_scale s makes the default positions i * s: the same as passing them explicitly."""
    seed_everything(0)
    plain = TinyGPT(GPTConfig(vocab_size=11, max_len=16, d_model=32, positional=positional))
    scaled = TinyGPT(GPTConfig(vocab_size=11, max_len=16, d_model=32, positional=positional, position_scale=0.25))
    scaled.load_state_dict(plain.state_dict())
    tokens = torch.randint(0, 11, (2, 12))
    torch.testing.assert_close(scaled(tokens), plain(tokens, positions=torch.arange(12) * 0.25))
    assert not torch.allclose(scaled(tokens), plain(tokens))


def test_position_scale_must_be_positive_and_read_by_something():
    with pytest.raises(ValueError, match="> 0"):
        GPTConfig(vocab_size=5, max_len=8, position_scale=0.0)
    with pytest.raises(ValueError, match="learned position table"):
        GPTConfig(vocab_size=5, max_len=8, positional="learned", position_scale=0.5)
    with pytest.raises(ValueError, match="position_scale=0.5 scales the positions, but positional='none'"):
        GPTConfig(vocab_size=5, max_len=8, positional="none", position_scale=0.5)
    GPTConfig(vocab_size=5, max_len=8, positional="none", logit_transform="si_offset", position_scale=0.5)


#: An option set away from its default, a value of its choice that uses it and one that does not.
OPTION_USES: dict[str, tuple[Any, Any, Any]] = {
    "mlp_ratio": (2, False, True),
    "rope_base": (500.0, "p_rope", "alibi"),
    "p_rope_fraction": (0.5, "p_rope", "rope"),
    "logit_tau": (3.0, "si_multiplier", "log_n"),
    "log_n_reference": (16, "log_n", "identity"),
    "sink_init": (4.0, "learned_sink", "sink_key"),
}


def test_every_option_of_a_choice_has_a_case():
    assert set(OPTION_USES) == set(OPTION_CHOICES)


@pytest.mark.parametrize("option", sorted(OPTION_USES))
def test_an_option_for_a_choice_not_made_raises(option):
    """An option away from its default builds a model only with a choice that uses it: else it would do nothing."""
    value, used, unused = OPTION_USES[option]
    choice = OPTION_CHOICES[option][0]
    TinyGPT(GPTConfig(vocab_size=5, max_len=8, **{choice: used, option: value}))
    with pytest.raises(ValueError, match=rf"^{option}={value!r} tunes {choice}=.*, but {choice}={unused!r}: it would"):
        GPTConfig(vocab_size=5, max_len=8, **{choice: unused, option: value})
    GPTConfig(vocab_size=5, max_len=8, **{choice: unused})  # at its default the option is fine with any choice


@pytest.mark.parametrize("positional", POSITIONAL_SCHEMES)
@pytest.mark.parametrize("logit_transform", ["identity", "log_n", "scale_invariant"])
def test_a_bf16_model_runs_and_agrees_with_fp32(positional, logit_transform):
    seed_everything(0)
    model = TinyGPT(GPTConfig(vocab_size=11, max_len=32, positional=positional, logit_transform=logit_transform))
    tokens = torch.randint(0, 11, (2, 16))
    expected = model(tokens)
    logits = model.to(torch.bfloat16)(tokens)
    assert logits.dtype == torch.bfloat16
    torch.testing.assert_close(logits.float(), expected, atol=0.1, rtol=0.05)


LAST_ONLY_CASES: list[dict[str, Any]] = [
    *({"positional": positional} for positional in POSITIONAL_SCHEMES),
    *({"logit_transform": transform} for transform in LOGIT_TRANSFORMS),
    *({"sink_fix": fix} for fix in SINK_FIXES),
    {"positional": "rope", "position_scale": 0.25},
]


@pytest.mark.parametrize("options", LAST_ONLY_CASES, ids=lambda options: "-".join(map(str, options.values())))
def test_last_only_gives_the_full_forwards_last_rows(options):
    """`last_only` is an optimisation, not a different model: its logits and every layer's weight row
    are the full forward's last, whatever the positional scheme, logit transform or sink fix."""
    seed_everything(0)
    model = TinyGPT(GPTConfig(vocab_size=11, max_len=32, d_model=32, heads=4, layers=2, **options)).eval()
    tokens = torch.randint(0, 11, (3, 17))
    logits, weights = model(tokens, need_weights=True)  # (B, n, V), (L, B, H, n, n)
    last_logits, last_weights = model(tokens, need_weights=True, last_only=True)
    assert last_logits.shape == (3, 1, 11) and last_weights.shape == (2, 3, 4, 1, 17)
    torch.testing.assert_close(last_logits, logits[:, -1:])
    torch.testing.assert_close(last_weights, weights[..., -1:, :])
    torch.testing.assert_close(model(tokens, last_only=True), last_logits)


def test_last_only_in_a_dilated_model_keeps_the_last_row():
    seed_everything(0)
    model = TinyGPT(GPTConfig(vocab_size=11, max_len=32, dilated_segments=(4, 8), dilated_rates=(1, 2))).eval()
    tokens = torch.randint(0, 11, (2, 16))
    torch.testing.assert_close(model(tokens, last_only=True), model(tokens)[:, -1:])


@pytest.mark.parametrize(
    "options", [{"positional": "alibi"}, {"logit_transform": "log_n"}, {"sink_fix": "gate"}], ids=lambda o: str(o)
)
def test_a_dilated_config_refuses_what_dilated_attention_cannot_do(options):
    """Refused when the config is written, not later when the model is built."""
    with pytest.raises(ValueError, match="dilated attention takes no score bias, logit transform or sink fix"):
        GPTConfig(vocab_size=5, max_len=8, dilated_segments=(4,), dilated_rates=(1,), **options)
