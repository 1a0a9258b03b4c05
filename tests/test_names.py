"""The zoo's name rules: spell applies a family's rule and checks the options against the rule's signature."""

import pytest

from course_utils.zoo.names import NAME_RULES, spell


def test_spell_applies_the_rule():
    assert spell("kv", 2, {"positional": "rope", "filler": True, "finetune": "pi"}) == "kv-rope-fill-pi-s2"
    assert spell("copy", 0, {}) == "copy-rope-2l"
    assert spell("kv", 0, {"positional": "rope", "layers": 2, "filler": False}) == "kv-rope-s0"  # the defaults
    assert NAME_RULES["loop"](1, rare=True) == spell("loop", 1, {"rare": True}) == "loop-rare-s1"


@pytest.mark.parametrize(
    "family, options, match",
    [
        ("gpt", {}, "unknown zoo family 'gpt'"),
        ("kv", {"pos": "alibi"}, r"takes the options \['positional', 'edge'.*of which \['positional'\] always"),
        ("kv", {}, r"of which \['positional'\] always; got \[\]"),
        ("induct", {"seq_len": 8}, r"takes the options \[\]"),
        (
            "recall",
            {"reference": 18},
            r"takes the options \['transform', 'reference', 'value_answers'\], of which \['transform'\]",
        ),
    ],
)
def test_spell_says_which_options_a_family_takes(family, options, match):
    with pytest.raises(ValueError, match=match):
        spell(family, 0, options)
