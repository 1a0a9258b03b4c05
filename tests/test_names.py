"""The zoo's name rules: format_entry_name applies a family's rule and checks the options against its signature."""

import pytest

from course_utils.zoo.names import NAME_RULES, TRIAL_NAME_RULES, format_entry_name


def test_format_entry_name_applies_the_rule():
    assert format_entry_name("kv", 2, {"positional": "rope", "filler": True, "finetune": "pi"}) == "kv-rope-fill-pi-s2"
    assert format_entry_name("copy", 0, {}) == "copy-s0"
    defaults = {"positional": "rope", "layers": 2, "filler": False}
    assert format_entry_name("kv", 0, defaults) == "kv-rope-s0"
    assert NAME_RULES["loop"](1, rare=True) == format_entry_name("loop", 1, {"rare": True}) == "loop-rare-s1"
    continued = {"positional": "rope", "dilated": True, "continued": True}
    assert format_entry_name("kv", 0, continued, rules=TRIAL_NAME_RULES) == "kv-rope-dilated-long-s0"


def test_an_attention_variant_names_a_kv_model_in_place_of_its_positions():
    assert format_entry_name("kv", 1, {"variant": "si-nope"}) == "kv-si-nope-s1"
    for options in ({"positional": "none", "variant": "si-nope"}, {}):
        with pytest.raises(ValueError, match="a kv name takes positional= or variant=.*one of the two"):
            format_entry_name("kv", 1, options)
    assert format_entry_name("si-needle", 0, {"variant": "rope"}, rules=TRIAL_NAME_RULES) == "si-needle-rope-s0"
    with pytest.raises(ValueError, match="unknown zoo family 'si-needle'"):
        format_entry_name("si-needle", 0, {"variant": "rope"})  # a trials-only family


@pytest.mark.parametrize(
    "family, options, match",
    [
        ("gpt", {}, "unknown zoo family 'gpt'"),
        ("kv", {"pos": "alibi"}, r"has no option \['pos'\]; it takes \['positional', 'variant', 'edge'"),
        ("copy-induct", {"seq_len": 8}, r"has no option \['seq_len'\]; it takes \[\]"),
        ("recall", {"reference": 18}, r"zoo family 'recall' needs \['transform'\]; pass every one of"),
    ],
)
def test_format_entry_name_says_which_options_a_family_takes(family, options, match):
    with pytest.raises(ValueError, match=match):
        format_entry_name(family, 0, options)
