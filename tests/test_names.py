"""The zoo's name rules: each family's table of options is its rule's signature, and spell checks against it."""

import inspect

import pytest

from course_utils.zoo.names import NAME_RULES, spell


@pytest.mark.parametrize("family", sorted(NAME_RULES))
def test_each_rule_lists_the_options_of_its_function(family):
    rule = NAME_RULES[family]
    parameters = [p for p in inspect.signature(rule.spell).parameters.values() if p.name != "seed"]
    assert rule.required == tuple(p.name for p in parameters if p.default is p.empty)
    assert rule.optional == tuple(p.name for p in parameters if p.default is not p.empty)


def test_spell_applies_the_rule():
    assert spell("kv", 2, {"positional": "rope", "filler": True, "finetune": "pi"}) == "kv-rope-fill-pi-s2"
    assert spell("copy", 0, {}) == "copy-rope-2l"


@pytest.mark.parametrize(
    "family, options, match",
    [
        ("gpt", {}, "unknown zoo family 'gpt'"),
        ("kv", {"pos": "alibi"}, r"takes the options \['positional', 'edge'.*of which \['positional'\] always"),
        ("kv", {}, r"of which \['positional'\] always; got \[\]"),
        ("induct", {"seq_len": 8}, r"takes the options \[\]"),
    ],
)
def test_spell_says_which_options_a_family_takes(family, options, match):
    with pytest.raises(ValueError, match=match):
        spell(family, 0, options)
