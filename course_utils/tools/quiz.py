"""Answer checks for quiz questions that never show the answer in plain text.

The course's notebooks are otter-grader assignments. Everything a student can
read -- the visible tests stored in the student notebook's metadata, the
notebook itself -- must not spell out the expected answer. These helpers make
that easy:

- `digest` turns an exact answer (a choice letter, an integer, a short
  string) into a salted SHA-256 hex digest. The author pastes the digest into
  the test; the test compares the student's answer against it with
  `check_choice` (multiple choice) or `check_value` (any exact
  value).
- `check_rounded` checks a measured or computed number (a float, or a
  sequence of them) at the precision the question asks for: it hashes the value
  rounded to `decimals` places, so a visible test is as tight as the question
  and still reveals nothing. `rounding_margin` tells an author whether
  the solution's value sits too close to a rounding boundary.
- `in_range` checks a number against an interval, so a visible test
  reveals a range, not the value. Prefer `check_rounded` for answers with
  one right value; keep ranges for sanity checks of estimates.

A salt (conventionally `"<notebook stem>/<question name>"`) makes equal
answers to different questions hash differently.

A hash hides the answer from a reader; it does not make it hard to guess
(there are only four choices). Hidden tests, which otter strips from the
student version, are where an author puts anything stricter.

Example:
    How an author computes the digest to paste into a test:

    >>> digest(" b ", salt="99_example/q1") == digest("B", salt="99_example/q1")
    True
    >>> h = digest(3.1402, salt="99_example/q4", decimals=2)  # hashes "3.14"
    >>> check_rounded(3.1398, h, salt="99_example/q4", decimals=2)
    True
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import importlib.util
import inspect
import math
import numbers
import os
import random
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

__all__ = [
    "DEFAULT_CHOICES",
    "MAX_DECIMALS",
    "MIN_MARGIN",
    "OTTER_MARKER",
    "autograd_functions",
    "canonical",
    "canonical_rounded",
    "check_choice",
    "check_rounded",
    "check_value",
    "digest",
    "explain",
    "fingerprint",
    "in_range",
    "normalize_choice",
    "open_sealed",
    "real_number",
    "require_signature",
    "rounding_margin",
    "seal",
    "unavailable",
]

#: Letters accepted by `check_choice` unless a question says otherwise.
DEFAULT_CHOICES = "ABCD"
#: otter's raw marker cells: `# BEGIN|END QUESTION|SOLUTION|TESTS|PROMPT` (groups 1, 2) or `# ASSIGNMENT CONFIG`.
OTTER_MARKER = re.compile(r"\s*#\s+(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b|\s*#\s+ASSIGNMENT\s+CONFIG\b", re.I)

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def _unwrap_scalar(value: object) -> object:
    """`value`, or the Python scalar it holds when it is a 0-d NumPy/PyTorch value."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()
    return value


def canonical(value: object) -> str:
    """The canonical text form of an exact answer, as hashed by `digest`.

    - `str`: surrounding whitespace stripped, inner runs of whitespace
      collapsed to one space, upper-cased (so `" b "` and `"B"` agree);
    - `bool` and integers (including NumPy integers and 0-d tensors);
    - `tuple`/`list` of the above (order matters); `set`/`frozenset`
      (order does not).

    The form carries the type, so `3` and `"3"` hash differently.

    Example:
        >>> canonical(" b "), canonical(3), canonical("3")
        ('str:B', 'int:3', 'str:3')

    Raises:
        TypeError: for floats (hash those rounded, with `canonical_rounded`,
            `digest(..., decimals=n)` or `check_rounded`) and for any other type.
    """
    value = _unwrap_scalar(value)
    if isinstance(value, str):
        return "str:" + " ".join(value.split()).upper()
    if isinstance(value, bool):
        return f"bool:{value}"
    if isinstance(value, numbers.Integral):
        return f"int:{int(value)}"
    if isinstance(value, (tuple, list)):
        return "seq:[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "set:{" + ",".join(sorted(canonical(item) for item in value)) + "}"
    if isinstance(value, numbers.Real):
        raise TypeError(
            f"cannot hash the float {value!r} exactly; round it first: "
            "digest(x, salt=..., decimals=2) and check_rounded()"
        )
    raise TypeError(
        f"cannot hash a value of type {type(value).__name__}: answer with a str, an int, a bool, or a list, "
        "tuple or set of them"
    )


#: Largest number of decimals `canonical_rounded` accepts.
MAX_DECIMALS = 12


def _valid_decimals(decimals: object) -> int:
    """`decimals` as an int, once it is known to be a number of places `canonical_rounded` accepts."""
    if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral):
        raise TypeError(f"decimals must be an int, not {decimals!r}: pass a whole number of places, such as 2")
    if not 0 <= int(decimals) <= MAX_DECIMALS:
        raise ValueError(
            f"decimals must be between 0 and {MAX_DECIMALS}, not {decimals!r}: pass the places the question asks for"
        )
    return int(decimals)


def _real_numbers(value: object) -> float | list:
    """`value` as a Python float or a (nested) list of floats; tensors and arrays unwrapped."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # tensor / ndarray / NumPy scalar
    if isinstance(value, (tuple, list)):
        if not value:
            raise ValueError("cannot round an empty sequence: answer with at least one number")
        return [_real_numbers(item) for item in value]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"expected a real number or a sequence of them, got {value!r}: answer with a number "
            "(an int, a float, a tensor) or a list of them"
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot round {number!r}: answer with a finite number")
    return number


def _fixed(number: float, decimals: int) -> str:
    """`number` rounded to `decimals` places, half to even, as fixed-point text."""
    # Decimal(number) is the exact value of the binary float, so this rounding is exact (half to even
    # only on exact ties) and the same on every machine, unlike number * 10**decimals.
    step = Decimal(1).scaleb(-decimals)
    rounded = Decimal(number).quantize(step, rounding=ROUND_HALF_EVEN, context=Context(prec=400))
    if rounded == 0:
        rounded = abs(rounded)  # -0.00 and 0.00 are the same answer
    return format(rounded, "f")


def canonical_rounded(value: object, decimals: int) -> str:
    """The canonical text of a number (or numbers) rounded to `decimals` places.

    `value` may be an int or float, a NumPy scalar, a tensor or array of any
    shape, or a (nested) list/tuple of numbers; shapes: a scalar gives
    `"fixed2:3.14"`, a sequence `"fixed2:[3.14,-4.61]"`. Rounding is exact
    decimal rounding of the binary value (half to even), so `2.675` (stored
    as 2.67499999...) becomes `2.67` everywhere. `-0.00` becomes `0.00`.

    Example:
        >>> canonical_rounded(16, 2), canonical_rounded([2.3675, -4.6052], 1)
        ('fixed2:16.00', 'fixed1:[2.4,-4.6]')

    Raises:
        TypeError: for bools, strings and other types that are not real numbers, or a non-int `decimals`.
        ValueError: for NaN, inf or an empty sequence, or a `decimals` outside `0..MAX_DECIMALS`.
    """
    decimals = _valid_decimals(decimals)

    def fixed_text(reals: float | list) -> str:
        if isinstance(reals, list):
            return "[" + ",".join(fixed_text(item) for item in reals) + "]"
        return _fixed(reals, decimals)

    return f"fixed{decimals}:{fixed_text(_real_numbers(value))}"


def rounding_margin(value: object, decimals: int) -> float:
    """How far `value` is from a rounding boundary, in units of the last kept decimal.

    0.5 means the value sits exactly on a rounded number (`7.000` with 2 decimals),
    0.0 that it sits on a boundary (`7.005`), where a float32 computation or a
    different order of operations could round the other way. For a sequence, the
    smallest margin of its elements. Authors check that the solution's margin is
    at least `MIN_MARGIN` and pick fewer decimals otherwise.

    Example:
        >>> round(rounding_margin(3.1402, 2), 2), round(rounding_margin(3.1402, 3), 2)
        (0.48, 0.3)

    Raises:
        TypeError: as `canonical_rounded` does.
        ValueError: as `canonical_rounded` does.
    """
    decimals = _valid_decimals(decimals)

    def flatten(reals: float | list) -> list[float]:
        return [number for item in reals for number in flatten(item)] if isinstance(reals, list) else [reals]

    margins = []
    for number in flatten(_real_numbers(value)):
        scaled = Decimal(number).scaleb(decimals, context=Context(prec=400))
        off_integer = abs(scaled - scaled.to_integral_value(rounding=ROUND_HALF_EVEN))  # 0 .. 0.5
        margins.append(float(Decimal("0.5") - off_integer))
    return min(margins)


#: Smallest `rounding_margin` a solution's value should have (see docs/writing-quizzes.md, section 2a).
MIN_MARGIN = 0.05


def digest(value: object, *, salt: str, decimals: int | None = None) -> str:
    """The salted SHA-256 hex digest of `canonical(value)`.

    With `decimals`, the digest of `canonical_rounded(value, decimals)`
    instead: the number (or numbers) rounded to that many places, for
    `check_rounded`.

    Args:
        value: the exact answer (see `canonical` for what is accepted),
            or with `decimals` a number or sequence of numbers.
        salt: a non-empty string unique to the question, e.g.
            `"03/q2"` (`"<notebook number>/<question>"`, as in the notebooks).
        decimals: places to round to before hashing, or `None` for an exact answer.

    Raises:
        ValueError: if `salt` is empty or not a string, or `decimals` is out of range.
        TypeError: if `value` has no canonical form.
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError(
            f"salt must be a non-empty string, not {salt!r}: pass '<notebook>/<question>', such as '03/q2'"
        )
    form = canonical(value) if decimals is None else canonical_rounded(value, decimals)
    text = f"{salt}\x00{form}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _require_answer(answer: object, what: str) -> None:
    """Raise ValueError while `answer` is still the notebook's placeholder (`...` or None)."""
    if answer is Ellipsis or answer is None:
        raise ValueError(f"{what} has not been answered yet: replace the `...`")


def normalize_choice(answer: object, choices: str | Sequence[str] | None = DEFAULT_CHOICES) -> str:
    """A multiple-choice answer in canonical form (`" b "` -> `"B"`).

    Args:
        answer: the student's answer, a string.
        choices: the allowed answers, case-insensitive: a string of single
            letters (`"ABCD"`), a sequence of strings, or `None` to accept
            any non-empty string.

    Example:
        >>> normalize_choice(" b ")
        'B'

    Raises:
        ValueError: if the answer is missing (`...`/`None`), not a string,
            empty, or not one of `choices`.
    """
    _require_answer(answer, "this question")
    allowed = None if choices is None else [choice.upper() for choice in choices]
    wanted = "your answer" if allowed is None else "one of the choices " + ", ".join(map(repr, allowed))
    if not isinstance(answer, str):
        raise ValueError(f"the answer must be a string: type {wanted}, in quotes, not {answer!r}")
    normalized = " ".join(answer.split()).upper()
    if not normalized:
        raise ValueError(f"the answer is empty: type {wanted} between the quotes")
    if allowed is not None and normalized not in allowed:
        raise ValueError(f"{answer!r} is not {wanted}: type one of them")
    return normalized


def _valid_digest(expected_digest: str) -> str:
    """`expected_digest` lower-cased, once it is known to be a SHA-256 hex digest."""
    if not isinstance(expected_digest, str) or not _HEX_DIGEST.fullmatch(expected_digest.lower()):
        raise ValueError(
            f"expected_digest must be a 64-character SHA-256 hex digest, not {expected_digest!r}: "
            "paste the output of digest(answer, salt=...)"
        )
    return expected_digest.lower()


def check_choice(
    answer: object,
    expected_digest: str,
    *,
    salt: str,
    choices: str | Sequence[str] | None = DEFAULT_CHOICES,
) -> bool:
    """Whether a multiple-choice answer matches `expected_digest`, `digest("<letter>", salt=salt)`.

    Example:
        >>> check_choice("b", digest("B", salt="99_example/q1"), salt="99_example/q1")
        True

    Raises:
        ValueError: if the answer is missing or not one of `choices` (see
            `normalize_choice`), or `expected_digest` is malformed.
    """
    expected = _valid_digest(expected_digest)
    return hmac.compare_digest(digest(normalize_choice(answer, choices), salt=salt), expected)


def check_value(value: object, expected_digest: str, *, salt: str) -> bool:
    """Whether an exact answer matches `expected_digest` (`digest(answer, salt=salt)`).

    Raises:
        ValueError: if the value is missing (`...`/`None`), has no canonical
            form, or `expected_digest` is malformed.
    """
    expected = _valid_digest(expected_digest)
    _require_answer(value, "this question")
    try:
        actual = digest(value, salt=salt)
    except TypeError as error:
        raise ValueError(str(error)) from error
    return hmac.compare_digest(actual, expected)


def check_rounded(value: object, expected_digest: str, *, salt: str, decimals: int) -> bool:
    """Whether a number rounds to the answer hashed in `expected_digest`.

    `expected_digest` is `digest(answer, salt=salt, decimals=decimals)`: both
    sides are rounded to `decimals` places (exact decimal rounding, see
    `canonical_rounded`) and the texts compared, so the visible test is as
    tight as the question's precision and shows no number. `value` may be a
    float or int, a NumPy scalar, a tensor or array of any shape, or a (nested)
    list/tuple of numbers (compared element by element, in order; shapes must
    match).

    Example:
        >>> expected = digest(16.0, salt="06/q4", decimals=2)
        >>> check_rounded(16.001, expected, salt="06/q4", decimals=2)
        True
        >>> check_rounded(17.18, expected, salt="06/q4", decimals=2)
        False

    Raises:
        ValueError: if the value is missing (`...`/`None`), is not a finite
            number or sequence of numbers, or `expected_digest` is malformed.
    """
    expected = _valid_digest(expected_digest)
    _require_answer(value, "this question")
    try:
        actual = digest(value, salt=salt, decimals=decimals)
    except TypeError as error:
        raise ValueError(str(error)) from error
    return hmac.compare_digest(actual, expected)


def in_range(x: object, lo: float, hi: float) -> bool:
    """Whether the number `x` lies in the closed interval `[lo, hi]`.

    `x` may be a Python number, a NumPy scalar or a one-element tensor. NaN
    is never in range.

    Example:
        >>> in_range(0.3, 0.25, 0.35), in_range(float("nan"), 0, 1)
        (True, False)

    Raises:
        ValueError: if `x` is missing (`...`/`None`), a bool or string, or not
            a real number, or if `lo > hi`.
    """
    _require_answer(x, "this value")
    if lo > hi:
        raise ValueError(f"empty range: lo={lo!r} > hi={hi!r}; pass the smaller bound first, in_range(x, lo, hi)")
    x = _unwrap_scalar(x)
    if isinstance(x, (bool, str, bytes)):
        raise ValueError(f"expected a number, got {x!r}: store the number itself, not text or a bool")
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise ValueError(f"expected a real number, got {x!r}: store one number (a tensor's with .item())") from error
    if math.isnan(value):
        return False
    return lo <= value <= hi


# --- Form checks: what a graded edition's visible tests may check (never the value) -------------


def real_number(x: object) -> float:
    """`x` as a float, once it is known to be one finite real number (a form check, not a value check).

    Example:
        >>> real_number(3), real_number(0.25)
        (3.0, 0.25)

    Raises:
        ValueError: if `x` is missing (`...`/`None`), a bool or string, not a real number, or not finite.
    """
    _require_answer(x, "this value")
    x = _unwrap_scalar(x)
    if isinstance(x, (bool, str, bytes)) or not isinstance(x, numbers.Real):
        raise ValueError(f"expected one number, got {x!r}: store the number itself (a tensor's with .item())")
    if not math.isfinite(float(x)):
        raise ValueError(f"expected a finite number, got {x!r}: rerun the computation, checking for a division by zero")
    return float(x)


def require_signature(function: object, *parameters: str) -> None:
    """Check that `function` is callable with exactly these positional parameter names (a form check).

    Example:
        >>> require_signature(lambda scores: scores, "scores")

    Raises:
        ValueError: if `function` is missing, not callable, or takes other parameters.
    """
    _require_answer(function, "this function")
    if not callable(function):
        raise ValueError(f"expected a function, got {function!r}: run the cell that defines it")
    names = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if names != list(parameters):
        raise ValueError(
            f"{getattr(function, '__name__', 'the function')} takes {names}, not {list(parameters)}: "
            "keep the signature the question gives"
        )


def _blocked_code(function: types.FunctionType) -> types.CodeType:
    """A code object that raises `RuntimeError`, with `function`'s free variables (so it can replace its code)."""
    free = function.__code__.co_freevars
    message = f"{function.__qualname__} is not available in this check: write it yourself, from the formula"
    body = f"        ({', '.join(free)},)\n" if free else ""  # reference the free variables, in the same order
    source = (
        "def outer():\n"
        + "".join(f"    {var} = None\n" for var in free)
        + "    def blocked(*args, **kwargs):\n"
        + body
        + f"        raise RuntimeError({message!r})\n"
        + "    return blocked\n"
    )
    scope: dict = {}
    exec(source, scope)
    return scope["outer"]().__code__


#: The built-ins that start a thread or a process, which a check's guard would not watch.
_SPAWNERS = frozenset(
    {
        "start_new_thread",
        "start_joinable_thread",
        "start_new",  # _thread (threading, concurrent.futures)
        "fork",
        "forkpty",
        "fork_exec",
        "posix_spawn",
        "posix_spawnp",
        "system",  # os, subprocess, multiprocessing
        "execv",
        "execve",
        "spawnv",
        "spawnve",
    }
)

#: Libraries whose (Python) code a student's exercise may not run: finished attention, RoPE, divergences.
GUARDED_LIBRARIES = ("transformers", "scipy")


def _guarded_folders() -> tuple[str, ...]:
    """The folders whose code a student's exercise may not run: the course's package and `GUARDED_LIBRARIES`."""
    folders = [str(Path(__file__).resolve().parents[1])]
    for library in GUARDED_LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is not None and spec.submodule_search_locations:
            folders += list(spec.submodule_search_locations)
    return tuple(str(folder).rstrip("/\\") + os.sep for folder in folders)  # a lazy module's may be Paths


def _code_signature(code: types.CodeType) -> tuple:
    """What a function's code is made of, apart from where and how it was compiled: the names it uses, its
    local names and its constants, nested functions' alike. Not the bytecode, which the same source
    compiles to differently in another module, and not a leading docstring, which a copy can drop."""
    body = code.co_consts[1:] if code.co_consts and isinstance(code.co_consts[0], str) else code.co_consts
    consts = tuple(_code_signature(c) if isinstance(c, types.CodeType) else (type(c).__name__, repr(c)) for c in body)
    return code.co_argcount, code.co_kwonlyargcount, code.co_names, code.co_varnames, consts


def _course_signatures() -> frozenset[tuple]:
    """The signatures of every function and method of the loaded `course_utils` modules (this one excepted).

    A copy of a course function compiled again from its source (`exec(inspect.getsource(f))`) has other
    file names and lines but the same signature, so the guard refuses it too, with or without its docstring.
    Local names are part of it, so code a student wrote is not mistaken for the course's.
    """
    found: set[tuple] = set()
    for key, module in list(sys.modules.items()):
        if not module or key.split(".")[0] != "course_utils" or key == __name__:
            continue
        for value in list(vars(module).values()):
            members = list(vars(value).values()) if isinstance(value, type) else [value]
            for member in members:
                function = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                if (
                    isinstance(function, types.FunctionType)
                    and function.__module__ == key
                    and function.__code__.co_filename == getattr(module, "__file__", None)  # not a swapped-in stub
                ):
                    found.add(_code_signature(function.__code__))
    return frozenset(found)


@contextlib.contextmanager
def _no_library_code() -> Iterator[None]:
    """Refuse any call into the course's code or a guarded library's, or PyTorch's fused attention.

    A profile hook sees every Python call (this module excepted, which runs the check), and a
    `TorchDispatchMode` every aten operator whose name holds "scaled_dot_product"; both raise
    `RuntimeError` and are removed on exit. Python drops a profile hook that raises, so a refusal is
    also recorded: if the student's code caught the error and went on, or the hook is gone, the block
    raises when the call returns.

    A function compiled again from a course function's source is refused too (`_course_signatures`).
    Both watch one thread, so the block also refuses to start a thread or a process (`_SPAWNERS`), and on
    Python 3.12 and later the hook watches every thread already running too. On Python 3.11 a thread the
    student started before the block is not watched (the README says what a determined student can do).
    """
    folders, here = _guarded_folders(), str(Path(__file__).resolve())
    course, judged = _course_signatures(), {}  # id of a code object seen -> (it, whether it is a copy)
    previous = sys.getprofile()
    refused: list[str] = []

    def refuse(what: str) -> None:
        refused.append(what)
        raise RuntimeError(f"{what} is not available in this check: write it yourself, from the formula")

    def fused(what: object) -> bool:
        return "scaled_dot_product" in str(getattr(what, "__name__", "") or what)

    owner = threading.get_ident()

    def guard(frame: types.FrameType, event: str, arg: object) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") in _SPAWNERS and threading.get_ident() == owner:
            refuse("starting a thread or a process")
        if event == "call":
            filename = frame.f_code.co_filename
            if filename.startswith(folders) and filename != here:
                refuse(f"{frame.f_code.co_name}, the course's (or a library's) code,")
            code = frame.f_code
            if id(code) not in judged:  # the code object is kept, so its id is not reused
                judged[id(code)] = (code, _code_signature(code) in course and filename != here)
            if judged[id(code)][1]:
                refuse(f"{code.co_name}, a copy of the course's code,")
            if frame.f_code.co_name == "__call__" and fused(frame.f_locals.get("self", "")):  # torch.ops.aten....
                refuse("PyTorch's fused attention")
        elif event == "c_call" and fused(arg):  # F.scaled_dot_product_attention, decomposed or not
            refuse("scaled_dot_product_attention, PyTorch's fused attention,")

    mode: contextlib.AbstractContextManager = contextlib.nullcontext()
    if "torch" in sys.modules:
        from torch.utils._python_dispatch import TorchDispatchMode

        class NoFusedAttention(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                if "scaled_dot_product" in str(func):
                    refuse(f"{func}, PyTorch's fused attention,")
                return func(*args, **(kwargs or {}))

        mode = NoFusedAttention()
    every_thread = getattr(threading, "setprofile_all_threads", None)  # Python 3.12 and later
    with mode:
        if every_thread is not None:
            every_thread(guard)
        sys.setprofile(guard)
        try:
            yield
        finally:
            intact = sys.getprofile() is guard
            if every_thread is not None:
                every_thread(None)
            sys.setprofile(previous)
    if refused or not intact:
        what = refused[0] if refused else "a call that removed the check's guard"
        raise RuntimeError(f"{what} was used (and its error caught): write it yourself, from the formula")


def autograd_functions() -> tuple[Callable[..., object], ...]:
    """PyTorch's ways to differentiate for you: reverse mode, forward mode and `torch.func`'s transforms.

    Pass them to `unavailable` when a question asks for a gradient derived by hand (notebook 04, Q3), so
    that neither autograd nor a `torch.func` transform can stand in for the derivation.

    Example:
        >>> import torch
        >>> torch.autograd.grad in autograd_functions(), torch.func.jacfwd in autograd_functions()
        (True, True)
    """
    import torch

    return (
        torch.autograd.grad,
        torch.autograd.backward,
        torch.Tensor.backward,
        torch.autograd.forward_ad.make_dual,
        torch.autograd.forward_ad.unpack_dual,
        torch.func.grad,
        torch.func.grad_and_value,
        torch.func.vjp,
        torch.func.jvp,
        torch.func.jacrev,
        torch.func.jacfwd,
        torch.func.linearize,
    )


@contextlib.contextmanager
def unavailable(*objects: object, namespace: dict | None = None) -> Iterator[None]:
    """Within the block, the course's `objects` (functions or classes) cannot be used: a solution must not lean on them.

    Three things happen, all undone on exit:

    - the code of each Python function in `objects`, and of every method a class in `objects` defines,
      is swapped for code that raises `RuntimeError`, so the function fails however it is reached (by
      name, through an import inside the student's function, a default argument, a closure, or a
      subclass of the class);
    - every name bound to one of `objects` in a loaded `course_utils` module, `torch` or
      `torch.nn.functional`, in `namespace` (pass the test's `globals()`) and in the globals of every
      function in `namespace` (the notebook's names, even when otter runs the test on a copy of them)
      is bound to a raising stub, and so is every default argument and closure variable of those
      functions that holds one: this covers built-in functions such as
      `torch.nn.functional.scaled_dot_product_attention`, whose code cannot be swapped;
    - and, whatever `objects` holds, any call into the course's package or a library of
      `GUARDED_LIBRARIES` (`transformers`, `scipy`), or to PyTorch's fused attention (`scaled_dot_product`),
      raises while the block runs: a student's exercise may use PyTorch's building blocks, not a
      finished attention.

    A test wraps the call to the student's function, and only that call, in it, so an answer that
    leans on the function it is compared with, or on any other finished implementation, fails.

    Example:
        >>> import course_utils.tools.quiz as quiz
        >>> with unavailable(quiz.digest, namespace={"digest": quiz.digest}):
        ...     quiz.digest("A", salt="s")
        Traceback (most recent call last):
        RuntimeError: digest is not available in this check: write it yourself, from the formula
    """

    def stub_for(obj: object) -> Callable[..., None]:
        name = getattr(obj, "__name__", repr(obj))

        def stub(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError(f"{name} is not available in this check: write it yourself, from the formula")

        return stub

    functions = [obj for obj in objects if isinstance(obj, types.FunctionType)]
    for cls in (obj for obj in objects if isinstance(obj, type)):
        for attribute in vars(cls).values():
            method = attribute.__func__ if isinstance(attribute, (staticmethod, classmethod)) else attribute
            if isinstance(method, types.FunctionType):
                functions.append(method)
    swapped = [(function, function.__code__) for function in functions]

    # the course's modules, and the two torch namespaces a built-in such as scaled_dot_product_attention is reached by
    spaces = [
        vars(m)
        for key, m in list(sys.modules.items())
        if m and (key.split(".")[0] == "course_utils" or key in ("torch", "torch.nn.functional"))
    ]
    if namespace is not None:
        spaces.append(namespace)
        spaces += [value.__globals__ for value in namespace.values() if isinstance(value, types.FunctionType)]

    def blocked(value: object) -> bool:
        return any(value is obj for obj in objects) and not isinstance(value, (type, types.FunctionType))

    renamed, seen = [], set()
    captured: list[tuple[types.FunctionType, str, object]] = []  # (function, attribute, its old value)
    cells: list[tuple[types.CellType, object]] = []
    try:
        for function, _ in swapped:
            function.__code__ = _blocked_code(function)
        for space in spaces:
            if id(space) in seen:
                continue
            seen.add(id(space))
            for key, value in list(space.items()):
                if blocked(value):
                    renamed.append((space, key, value))
                    space[key] = stub_for(value)
        for function in [v for v in (namespace or {}).values() if isinstance(v, types.FunctionType)]:
            # a built-in captured as a default argument or in a closure: `def f(q, *, _f=F.sdpa)`
            if function.__defaults__ and any(blocked(v) for v in function.__defaults__):
                captured.append((function, "__defaults__", function.__defaults__))
                function.__defaults__ = tuple(stub_for(v) if blocked(v) else v for v in function.__defaults__)
            if function.__kwdefaults__ and any(blocked(v) for v in function.__kwdefaults__.values()):
                captured.append((function, "__kwdefaults__", function.__kwdefaults__))
                function.__kwdefaults__ = {
                    k: stub_for(v) if blocked(v) else v for k, v in function.__kwdefaults__.items()
                }
            for cell in function.__closure__ or ():
                try:
                    content = cell.cell_contents
                except ValueError:  # an empty cell
                    continue
                if blocked(content):
                    cells.append((cell, content))
                    cell.cell_contents = stub_for(content)
        with _no_library_code():
            yield
    finally:
        for cell, content in reversed(cells):
            cell.cell_contents = content
        for function, attribute, value in reversed(captured):
            setattr(function, attribute, value)
        for space, key, value in reversed(renamed):
            space[key] = value
        for function, code in swapped:
            function.__code__ = code


def fingerprint(value: object, *, seed: int = 0) -> float:
    """One number standing for an exercise's output, to hash with `check_rounded` in a visible check.

    A visible check that compares a student's function with a readable reference shows the answer;
    one that hashes `fingerprint(output)` shows nothing. `value` is a tensor, an array or a (nested)
    sequence of numbers, of any shape; the fingerprint is the exactly summed (`math.fsum`) dot product
    of its values, flattened in order, with fixed pseudo-random weights in [-1, 1) drawn from `seed`.
    Outputs that differ anywhere get different fingerprints (unless the difference is below the
    rounding the check asks for); the same output computed another way (float32, another order of
    operations) gets the same one to about 1e-6 relative, so hash it at 3 decimals and check its
    `rounding_margin`. Check the output's shape separately: the fingerprint ignores it.

    Example:
        >>> fingerprint([1.0, 2.0]) == fingerprint([[1.0], [2.0]]), fingerprint([1.0, 2.0]) == fingerprint([2.0, 1.0])
        (True, False)

    Raises:
        ValueError: for NaN, inf or an empty sequence (a broken output: fix the function first).
        TypeError: for values that are not numbers.
    """

    def flatten(reals: float | list) -> list[float]:
        return [number for item in reals for number in flatten(item)] if isinstance(reals, list) else [reals]

    numbers_ = flatten(_real_numbers(value))
    weights = random.Random(seed)
    return math.fsum(number * weights.uniform(-1.0, 1.0) for number in numbers_)


# --- Rationales sealed under the answer --------------------------------------------------------

_SEALED_PREFIX = "sealed:"
_TAG_BYTES = 16


def _rationale_key(answer: object, salt: str, decimals: int | None) -> bytes:
    """The key that seals a rationale: a hash of the answer's canonical form, unlike `digest`'s."""
    if not isinstance(salt, str) or not salt:
        raise ValueError(f"salt must be a non-empty string, not {salt!r}: pass the question's salt, such as '03/q2'")
    form = canonical(answer) if decimals is None else canonical_rounded(answer, decimals)
    return hashlib.sha256(f"rationale\x00{salt}\x00{form}".encode()).digest()


def _keystream_xor(key: bytes, data: bytes) -> bytes:
    """`data` XOR a SHA-256 counter-mode keystream of `key` (its own inverse)."""
    stream = b"".join(
        hashlib.sha256(key + block.to_bytes(8, "big")).digest() for block in range((len(data) + 31) // 32)
    )
    return bytes(a ^ b for a, b in zip(data, stream))


def seal(rationale: str, answer: object, *, salt: str, decimals: int | None = None) -> str:
    """`rationale` encrypted under the right `answer`, as text to paste into an `explain` cell.

    Only the answer (in the canonical form `digest` uses, rounded to `decimals` if given) opens it,
    so the self-study edition can carry the explanation without showing it before the answer is
    right. It keeps a reader out; it does not stop a student who tries every option (see
    docs/writing-quizzes.md).

    Example:
        >>> sealed = seal("Because.", "B", salt="99_example/q1")
        >>> open_sealed("b", sealed, salt="99_example/q1"), open_sealed("C", sealed, salt="99_example/q1")
        ('Because.', None)
    """
    if not isinstance(rationale, str) or not rationale.strip():
        raise ValueError("the rationale is empty: pass the explanation a student reads after answering")
    key = _rationale_key(answer, salt, decimals)
    body = _keystream_xor(key, rationale.encode("utf-8"))
    tag = hmac.new(key, body, hashlib.sha256).digest()[:_TAG_BYTES]
    return _SEALED_PREFIX + base64.b64encode(tag + body).decode("ascii")


def open_sealed(answer: object, sealed: str, *, salt: str, decimals: int | None = None) -> str | None:
    """The rationale `seal` hid under `answer`, or `None` when `answer` is not the one that opens it.

    Raises:
        ValueError: if `sealed` is not text made by `seal`.
    """
    if not isinstance(sealed, str) or not sealed.startswith(_SEALED_PREFIX):
        raise ValueError(f"{sealed!r:.40} is not a sealed rationale: paste the output of seal(...)")
    raw = base64.b64decode(sealed.removeprefix(_SEALED_PREFIX))
    tag, body = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    try:
        key = _rationale_key(answer, salt, decimals)
    except (TypeError, ValueError):
        return None  # an answer of the wrong form opens nothing
    if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest()[:_TAG_BYTES], tag):
        return None
    return _keystream_xor(key, body).decode("utf-8")


def explain(answer: object, sealed: str, *, salt: str, decimals: int | None = None) -> None:
    """Print the rationale of a question once `answer` is right; otherwise say it is still sealed.

    The self-study edition's cell after each check. It never raises on a wrong or missing
    answer, so "Run All" goes on past an unanswered question.
    """
    if answer is Ellipsis or answer is None:
        print("Answer the question above first; its explanation opens once your answer is right.")
        return
    rationale = open_sealed(answer, sealed, salt=salt, decimals=decimals)
    if rationale is None:
        print("Not yet: the explanation opens once your answer is right. Check it with the cell above.")
    else:
        print(rationale)
