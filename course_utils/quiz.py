"""Answer checks for quiz questions that never show the answer in plain text.

The course's notebooks are otter-grader assignments. Everything a student can
read -- the visible tests stored in the student notebook's metadata, the
notebook itself -- must not spell out the expected answer. These helpers make
that easy:

* :func:`digest` turns an exact answer (a choice letter, an integer, a short
  string) into a salted SHA-256 hex digest. The author pastes the digest into
  the test; the test compares the student's answer against it with
  :func:`check_choice` (multiple choice) or :func:`check_value` (any exact
  value).
* :func:`in_range` checks a number against an interval, so a visible test
  reveals a range, not the value.

A salt (conventionally ``"<notebook stem>/<question name>"``) makes equal
answers to different questions hash differently.

A hash hides the answer from a reader; it does not make it hard to guess
(there are only four choices). Hidden tests, which otter strips from the
student version, are where an author puts anything stricter.

Example (how an author computes the digest to paste into a test)::

    >>> digest(" b ", salt="99_example/q1") == digest("B", salt="99_example/q1")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import math
import numbers
import re
from collections.abc import Sequence

__all__ = [
    "DEFAULT_CHOICES",
    "canonical",
    "check_choice",
    "check_value",
    "digest",
    "in_range",
    "normalize_choice",
]

#: Letters accepted by :func:`check_choice` unless a question says otherwise.
DEFAULT_CHOICES = "ABCD"

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def _unwrap_scalar(value: object) -> object:
    """Turn a 0-d NumPy/PyTorch value into the Python scalar it holds."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()  # type: ignore[union-attr]
    return value


def canonical(value: object) -> str:
    """Return the canonical text form of an exact answer, as hashed by :func:`digest`.

    * ``str``: surrounding whitespace stripped, inner runs of whitespace
      collapsed to one space, upper-cased (so ``" b "`` and ``"B"`` agree);
    * ``bool`` and integers (including NumPy integers and 0-d tensors);
    * ``tuple``/``list`` of the above (order matters); ``set``/``frozenset``
      (order does not).

    The form carries the type, so ``3`` and ``"3"`` hash differently.

    Raises:
        TypeError: for floats (compare those with :func:`in_range`) and any
            other type.
    """
    value = _unwrap_scalar(value)
    if isinstance(value, str):
        return "str:" + " ".join(value.split()).upper()
    if isinstance(value, bool):
        return f"bool:{value}"
    if isinstance(value, numbers.Integral):
        return f"int:{int(value)}"
    if isinstance(value, (tuple, list)):
        return "seq:[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "set:{" + ",".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, numbers.Real):
        raise TypeError(
            f"cannot hash the float {value!r} exactly; check numbers with in_range()"
        )
    raise TypeError(f"cannot hash a value of type {type(value).__name__}")


def digest(value: object, *, salt: str) -> str:
    """Return the salted SHA-256 hex digest of ``canonical(value)``.

    Args:
        value: the exact answer (see :func:`canonical` for what is accepted).
        salt: a non-empty string unique to the question, e.g.
            ``"03_sparse_attention/q2"``.

    Raises:
        ValueError: if ``salt`` is empty or not a string.
        TypeError: if ``value`` has no canonical form.
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError("salt must be a non-empty string")
    text = f"{salt}\x00{canonical(value)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_unanswered(answer: object, what: str) -> None:
    if answer is Ellipsis or answer is None:
        raise ValueError(f"{what} has not been answered yet: replace the `...`")


def normalize_choice(
    answer: object, choices: str | Sequence[str] | None = DEFAULT_CHOICES
) -> str:
    """Return a multiple-choice answer in canonical form (``" b "`` -> ``"B"``).

    Args:
        answer: the student's answer, a string.
        choices: the allowed answers, case-insensitive: a string of single
            letters (``"ABCD"``), a sequence of strings, or ``None`` to accept
            any non-empty string.

    Raises:
        ValueError: if the answer is missing (``...``/``None``), not a string,
            empty, or not one of ``choices``.
    """
    _check_unanswered(answer, "this question")
    if not isinstance(answer, str):
        raise ValueError(f"the answer must be a string such as 'A', not {answer!r}")
    norm = " ".join(answer.split()).upper()
    if not norm:
        raise ValueError("the answer is empty")
    if choices is not None:
        allowed = [c.upper() for c in choices]
        if norm not in allowed:
            listed = ", ".join(repr(c) for c in allowed)
            raise ValueError(f"{answer!r} is not one of the choices {listed}")
    return norm


def _validate_digest(expected_digest: str) -> str:
    if not isinstance(expected_digest, str) or not _HEX_DIGEST.fullmatch(
        expected_digest.lower()
    ):
        raise ValueError("expected_digest must be a 64-character SHA-256 hex digest")
    return expected_digest.lower()


def check_choice(
    answer: object,
    expected_digest: str,
    *,
    salt: str,
    choices: str | Sequence[str] | None = DEFAULT_CHOICES,
) -> bool:
    """Return whether a multiple-choice answer matches ``expected_digest``.

    ``expected_digest`` is ``digest("<letter>", salt=salt)``.

    Raises:
        ValueError: if the answer is missing or not one of ``choices`` (see
            :func:`normalize_choice`), or ``expected_digest`` is malformed.
    """
    expected = _validate_digest(expected_digest)
    return hmac.compare_digest(digest(normalize_choice(answer, choices), salt=salt), expected)


def check_value(value: object, expected_digest: str, *, salt: str) -> bool:
    """Return whether an exact answer matches ``expected_digest`` (``digest(answer, salt=salt)``).

    Raises:
        ValueError: if the value is missing (``...``/``None``), has no canonical
            form, or ``expected_digest`` is malformed.
    """
    expected = _validate_digest(expected_digest)
    _check_unanswered(value, "this question")
    try:
        actual = digest(value, salt=salt)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
    return hmac.compare_digest(actual, expected)


def in_range(x: object, lo: float, hi: float) -> bool:
    """Return whether the number ``x`` lies in the closed interval ``[lo, hi]``.

    ``x`` may be a Python number, a NumPy scalar or a one-element tensor. NaN
    is never in range.

    Raises:
        ValueError: if ``x`` is missing (``...``/``None``), a bool or string,
            or not a real number, or if ``lo > hi``.
    """
    _check_unanswered(x, "this value")
    if lo > hi:
        raise ValueError(f"empty range: lo={lo!r} > hi={hi!r}")
    x = _unwrap_scalar(x)
    if isinstance(x, (bool, str, bytes)):
        raise ValueError(f"expected a number, got {x!r}")
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected a real number, got {x!r}") from exc
    if math.isnan(value):
        return False
    return lo <= value <= hi
