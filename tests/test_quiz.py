"""Unit tests for course_utils.quiz (answer hashing and range checks)."""

from __future__ import annotations

import hashlib

import pytest

from course_utils import quiz
from course_utils.quiz import (
    canonical,
    check_choice,
    check_value,
    digest,
    in_range,
    normalize_choice,
)

SALT = "99_example/q1"


def test_digest_is_salted_sha256_of_canonical_form() -> None:
    expected = hashlib.sha256(f"{SALT}\x00str:B".encode()).hexdigest()
    assert digest("B", salt=SALT) == expected
    assert len(expected) == 64


@pytest.mark.parametrize("raw", ["B", "b", " b ", "\tB\n"])
def test_choice_strings_are_normalised(raw: str) -> None:
    assert digest(raw, salt=SALT) == digest("B", salt=SALT)
    assert normalize_choice(raw) == "B"


def test_salt_changes_digest() -> None:
    assert digest("B", salt="a/q1") != digest("B", salt="a/q2")


def test_digest_does_not_contain_answer_text() -> None:
    h = digest("attention dilution", salt=SALT)
    assert "ATTENTION" not in h.upper() and "dilution" not in h


@pytest.mark.parametrize("salt", ["", None, 3])
def test_bad_salt(salt: object) -> None:
    with pytest.raises(ValueError):
        digest("B", salt=salt)  # type: ignore[arg-type]


def test_canonical_forms() -> None:
    assert canonical("  two   words ") == "str:TWO WORDS"
    assert canonical(3) == "int:3"
    assert canonical(True) == "bool:True"
    assert canonical((1, "a")) == "seq:[int:1,str:A]"
    assert canonical({"b", "a"}) == canonical({"a", "b"})
    # the type is part of the form
    assert digest(3, salt=SALT) != digest("3", salt=SALT)
    assert digest(1, salt=SALT) != digest(True, salt=SALT)


def test_canonical_unwraps_numpy_and_torch_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert canonical(np.int64(7)) == "int:7"
    torch = pytest.importorskip("torch")
    assert canonical(torch.tensor(7)) == "int:7"


@pytest.mark.parametrize("value", [0.5, object(), b"B", {"a": 1}])
def test_canonical_rejects_unhashable_kinds(value: object) -> None:
    with pytest.raises(TypeError):
        canonical(value)


def test_check_choice_right_and_wrong() -> None:
    h = digest("B", salt=SALT)
    assert check_choice("B", h, salt=SALT)
    assert check_choice(" b", h, salt=SALT)
    assert check_choice("B", h.upper(), salt=SALT)
    assert not check_choice("A", h, salt=SALT)
    assert not check_choice("B", h, salt="other/q1")


@pytest.mark.parametrize("answer", ["E", "AB", "", "   ", 2, ..., None, ["B"]])
def test_check_choice_rejects_answers_outside_choices(answer: object) -> None:
    with pytest.raises(ValueError):
        check_choice(answer, digest("B", salt=SALT), salt=SALT)


def test_check_choice_custom_and_open_choices() -> None:
    h = digest("E", salt=SALT)
    assert check_choice("e", h, salt=SALT, choices="ABCDE")
    with pytest.raises(ValueError, match="not one of the choices"):
        check_choice("E", h, salt=SALT)
    h2 = digest("flash", salt=SALT)
    assert check_choice(" Flash ", h2, salt=SALT, choices=None)


def test_unanswered_message_is_helpful() -> None:
    with pytest.raises(ValueError, match="not been answered"):
        check_choice(..., digest("B", salt=SALT), salt=SALT)


@pytest.mark.parametrize("bad", ["", "xyz", "0" * 63, "g" * 64, None])
def test_malformed_expected_digest(bad: object) -> None:
    with pytest.raises(ValueError):
        check_choice("B", bad, salt=SALT)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check_value(3, bad, salt=SALT)  # type: ignore[arg-type]


def test_check_value() -> None:
    h = digest(4096, salt=SALT)
    assert check_value(4096, h, salt=SALT)
    assert not check_value(4095, h, salt=SALT)
    assert not check_value("4096", h, salt=SALT)
    for bad in (..., None, 4096.0):
        with pytest.raises(ValueError):
            check_value(bad, h, salt=SALT)


def test_in_range() -> None:
    assert in_range(0.5, 0.0, 1.0)
    assert in_range(0, 0, 1) and in_range(1, 0, 1)  # closed interval
    assert not in_range(1.0001, 0.0, 1.0)
    assert not in_range(float("nan"), -1e9, 1e9)
    assert in_range(float("inf"), 0, float("inf"))


def test_in_range_accepts_numpy_and_torch() -> None:
    np = pytest.importorskip("numpy")
    assert in_range(np.float32(0.25), 0.2, 0.3)
    torch = pytest.importorskip("torch")
    assert in_range(torch.tensor(0.25), 0.2, 0.3)
    assert in_range(torch.tensor([0.25]), 0.2, 0.3)


@pytest.mark.parametrize("bad", [..., None, "0.5", True, [0.5, 0.6]])
def test_in_range_bad_input(bad: object) -> None:
    with pytest.raises(ValueError):
        in_range(bad, 0.0, 1.0)


def test_in_range_empty_interval() -> None:
    with pytest.raises(ValueError, match="empty range"):
        in_range(0.5, 1.0, 0.0)


def test_public_names() -> None:
    assert set(quiz.__all__) <= set(dir(quiz))
