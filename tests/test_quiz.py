"""Unit tests for course_utils.tools.quiz (answer hashing and range checks)."""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
from typing import Any

import numpy as np
import pytest
import torch

from course_utils.tools import quiz
from course_utils.tools.quiz import (
    MIN_MARGIN,
    canonical,
    canonical_rounded,
    check_choice,
    check_rounded,
    check_value,
    digest,
    in_range,
    normalize_choice,
    rounding_margin,
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
    with pytest.raises(ValueError, match=r"salt must be a non-empty string, not .*: pass '<notebook>/<question>'"):
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
    assert canonical(np.int64(7)) == "int:7"
    assert canonical(torch.tensor(7)) == "int:7"


@pytest.mark.parametrize("value", [0.5, object(), b"B", {"a": 1}])
def test_canonical_rejects_unhashable_kinds(value: object) -> None:
    with pytest.raises(TypeError, match="cannot hash .*(answer with|round it first)"):
        canonical(value)


def test_check_choice_right_and_wrong() -> None:
    h = digest("B", salt=SALT)
    assert check_choice("B", h, salt=SALT)
    assert check_choice(" b", h, salt=SALT)
    assert check_choice("B", h.upper(), salt=SALT)
    assert not check_choice("A", h, salt=SALT)
    assert not check_choice("B", h, salt="other/q1")


@pytest.mark.parametrize(
    "answer, match",
    [
        ("E", "'E' is not one of the choices 'A', 'B', 'C', 'D': type one of them"),
        ("AB", "'AB' is not one of the choices"),
        ("", "the answer is empty: type one of the choices 'A', 'B', 'C', 'D' between the quotes"),
        ("   ", "the answer is empty: type one of the choices"),
        (2, "the answer must be a string: type one of the choices 'A', 'B', 'C', 'D', in quotes, not 2"),
        (..., r"this question has not been answered yet: replace the `\.\.\.`"),
        (None, "this question has not been answered yet"),
        (["B"], r"the answer must be a string: .* not \['B'\]"),
    ],
)
def test_check_choice_rejects_answers_outside_choices(answer: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
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


#: The message of a malformed expected digest, which says where a good one comes from.
BAD_DIGEST = r"expected_digest must be a 64-character SHA-256 hex digest, not .*: paste the output of digest\("


@pytest.mark.parametrize("bad", ["", "xyz", "0" * 63, "g" * 64, None])
def test_malformed_expected_digest(bad: object) -> None:
    with pytest.raises(ValueError, match=BAD_DIGEST):
        check_choice("B", bad, salt=SALT)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=BAD_DIGEST):
        check_value(3, bad, salt=SALT)  # type: ignore[arg-type]


def test_check_value() -> None:
    h = digest(4096, salt=SALT)
    assert check_value(4096, h, salt=SALT)
    assert not check_value(4095, h, salt=SALT)
    assert not check_value("4096", h, salt=SALT)
    for bad, match in (
        (..., "has not been answered yet: replace the"),
        (None, "has not been answered yet"),
        (4096.0, r"cannot hash the float 4096.0 exactly; round it first: digest\(x, salt=\.\.\., decimals=2\)"),
    ):
        with pytest.raises(ValueError, match=match):
            check_value(bad, h, salt=SALT)


def test_in_range() -> None:
    assert in_range(0.5, 0.0, 1.0)
    assert in_range(0, 0, 1) and in_range(1, 0, 1)  # closed interval
    assert not in_range(1.0001, 0.0, 1.0)
    assert not in_range(float("nan"), -1e9, 1e9)
    assert in_range(float("inf"), 0, float("inf"))


def test_in_range_accepts_numpy_and_torch() -> None:
    assert in_range(np.float32(0.25), 0.2, 0.3)
    assert in_range(torch.tensor(0.25), 0.2, 0.3)
    assert in_range(torch.tensor([0.25]), 0.2, 0.3)


@pytest.mark.parametrize(
    "bad, match",
    [
        (..., "this value has not been answered yet: replace the"),
        (None, "this value has not been answered yet"),
        ("0.5", "expected a number, got '0.5': store the number itself, not text or a bool"),
        (True, "expected a number, got True: store the number itself"),
        ([0.5, 0.6], r"expected a real number, got \[0.5, 0.6\]: store one number"),
    ],
)
def test_in_range_bad_input(bad: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        in_range(bad, 0.0, 1.0)


def test_in_range_empty_interval() -> None:
    with pytest.raises(ValueError, match=r"empty range: lo=1.0 > hi=0.0; pass the smaller bound first"):
        in_range(0.5, 1.0, 0.0)


# --- rounded numeric answers -------------------------------------------------------------------


def test_canonical_rounded_forms() -> None:
    assert canonical_rounded(3.1402, 2) == "fixed2:3.14"
    assert canonical_rounded(16, 2) == "fixed2:16.00"
    assert canonical_rounded(-2.5, 0) == "fixed0:-2"  # exact tie: half to even
    assert canonical_rounded(-0.001, 2) == "fixed2:0.00"  # no negative zero
    assert canonical_rounded((2.3675, -4.6052), 1) == "fixed1:[2.4,-4.6]"
    assert canonical_rounded([[1, 2], [3.25, 4]], 1) == "fixed1:[[1.0,2.0],[3.2,4.0]]"
    # exact decimal rounding of the binary value: 2.675 is stored as 2.67499999...
    assert canonical_rounded(2.675, 2) == "fixed2:2.67"
    assert canonical_rounded(1e20, 2) == "fixed2:100000000000000000000.00"


def test_canonical_rounded_unwraps_numpy_and_torch() -> None:
    assert canonical_rounded(np.float32(0.25), 2) == "fixed2:0.25"
    assert canonical_rounded(np.array([0.5, 1.5]), 0) == "fixed0:[0,2]"
    assert canonical_rounded(torch.tensor(16.0), 2) == "fixed2:16.00"
    assert canonical_rounded(torch.tensor([1.0, -2.0], dtype=torch.float64), 1) == "fixed1:[1.0,-2.0]"


@pytest.mark.parametrize("value", ["3.14", True, None, [1.0, "x"], object()])
def test_canonical_rounded_rejects_what_is_not_a_number(value: object) -> None:
    with pytest.raises(TypeError, match=r"expected a real number .*: answer with a number"):
        canonical_rounded(value, 2)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [], [1.0, float("-inf")]])
def test_canonical_rounded_rejects_numbers_it_cannot_round(value: object) -> None:
    with pytest.raises(ValueError, match=r"cannot round .*: answer with (a finite number|at least one number)"):
        canonical_rounded(value, 2)


@pytest.mark.parametrize(
    "decimals, error, match",
    [
        (-1, ValueError, "decimals must be between 0 and 12, not -1: pass the places the question asks for"),
        (13, ValueError, "decimals must be between 0 and 12, not 13: pass"),
        (1.5, TypeError, "decimals must be an int, not 1.5: pass a whole number"),
        (True, TypeError, "decimals must be an int, not True: pass"),
    ],
)
def test_canonical_rounded_bad_decimals(decimals: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        canonical_rounded(1.0, decimals)  # type: ignore[arg-type]


def test_digest_with_decimals() -> None:
    assert digest(3.1402, salt=SALT, decimals=2) == digest(3.1398, salt=SALT, decimals=2)
    assert digest(3.1402, salt=SALT, decimals=2) != digest(3.1402, salt=SALT, decimals=3)
    assert digest(3.14, salt=SALT, decimals=2) != digest(3.14, salt="other/q1", decimals=2)
    # a rounded number and an exact int are different answers
    assert digest(16, salt=SALT, decimals=0) != digest(16, salt=SALT)
    with pytest.raises(TypeError, match="round it first"):
        digest(0.5, salt=SALT)  # floats still need decimals


def test_check_rounded_right_and_wrong() -> None:
    h = digest(16.0, salt=SALT, decimals=2)
    assert check_rounded(16.0, h, salt=SALT, decimals=2)
    assert check_rounded(16, h, salt=SALT, decimals=2)
    assert check_rounded(15.996, h, salt=SALT, decimals=2)
    assert not check_rounded(17.18, h, salt=SALT, decimals=2)  # GB instead of GiB
    assert not check_rounded(32.0, h, salt=SALT, decimals=2)  # fp32 instead of bf16
    assert not check_rounded(16.0, h, salt=SALT, decimals=3)  # other precision, other text
    assert not check_rounded(16.0, h, salt="other/q1", decimals=2)


def test_check_rounded_sequences_and_tensors() -> None:
    h = digest((2.3675, -4.6172), salt=SALT, decimals=2)
    assert check_rounded([2.368, -4.6188], h, salt=SALT, decimals=2)
    assert check_rounded(torch.tensor([2.3675, -4.6172], dtype=torch.float64), h, salt=SALT, decimals=2)
    assert check_rounded(torch.tensor([2.3675, -4.6172]), h, salt=SALT, decimals=2)  # float32 too
    assert not check_rounded((-4.6172, 2.3675), h, salt=SALT, decimals=2)  # order matters
    assert not check_rounded((2.3675,), h, salt=SALT, decimals=2)


@pytest.mark.parametrize(
    "bad, match",
    [
        (..., "this question has not been answered yet: replace the"),
        (None, "this question has not been answered yet"),
        ("16", "expected a real number or a sequence of them, got '16': answer with a number"),
        (True, "expected a real number or a sequence of them, got True: answer with a number"),
        (float("nan"), "cannot round nan: answer with a finite number"),
        ([1.0, None], "expected a real number or a sequence of them, got None: answer with a number"),
    ],
)
def test_check_rounded_bad_input(bad: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        check_rounded(bad, digest(16.0, salt=SALT, decimals=2), salt=SALT, decimals=2)


def test_check_rounded_unanswered_message() -> None:
    with pytest.raises(ValueError, match="not been answered"):
        check_rounded(..., digest(1.0, salt=SALT, decimals=1), salt=SALT, decimals=1)
    with pytest.raises(ValueError, match=BAD_DIGEST):
        check_rounded(1.0, "xyz", salt=SALT, decimals=1)


def test_rounding_margin() -> None:
    assert rounding_margin(7.0, 2) == pytest.approx(0.5)
    assert rounding_margin(7.005, 2) == pytest.approx(0.0, abs=1e-9)
    assert rounding_margin(3.1402, 2) == pytest.approx(0.48)
    assert rounding_margin(-4.60517, 2) == pytest.approx(0.017, abs=1e-6)
    assert rounding_margin([7.0, 7.004], 2) == pytest.approx(0.1)  # the smallest of the elements
    assert 0.0 < MIN_MARGIN < 0.5


def test_rounding_near_a_boundary_is_fragile_and_margin_says_so() -> None:
    """Why authors check the margin: a float32 computation of a value near a boundary can flip."""
    x64 = 0.3044999999  # 1e-10 below the 3-decimal boundary 0.3045
    x32 = torch.tensor(x64, dtype=torch.float32)  # the nearest float32 lies just above it
    assert rounding_margin(x64, 3) < MIN_MARGIN
    assert canonical_rounded(x64, 3) != canonical_rounded(x32, 3)
    assert rounding_margin(x64, 2) >= MIN_MARGIN  # one decimal fewer is robust
    assert canonical_rounded(x64, 2) == canonical_rounded(x32, 2)


def test_public_names() -> None:
    assert set(quiz.__all__) <= set(dir(quiz))


@pytest.mark.parametrize("answer", ["", "  ", "E", 2])
def test_a_wrong_choice_says_what_to_type(answer: object) -> None:
    with pytest.raises(ValueError, match="type one of the choices 'A', 'B', 'C', 'D'|is not one of the choices"):
        check_choice(answer, digest("B", salt=SALT), salt=SALT)


# --- form checks, sealed rationales and unavailable course functions ---------------------------


def test_real_number_accepts_numbers_and_refuses_the_rest() -> None:
    from course_utils.tools.quiz import real_number

    assert real_number(3) == 3.0 and real_number(torch.tensor(0.5)) == 0.5
    for bad, match in [(..., "not been answered"), ("0.5", "one number"), (True, "one number"), (math.inf, "finite")]:
        with pytest.raises(ValueError, match=match):
            real_number(bad)


def test_require_signature() -> None:
    from course_utils.tools.quiz import require_signature

    def attention(q, k, v):
        return q

    require_signature(attention, "q", "k", "v")
    for bad, match in [(..., "not been answered"), (3, "expected a function")]:
        with pytest.raises(ValueError, match=match):
            require_signature(bad, "q")
    with pytest.raises(ValueError, match=r"takes \['q', 'k', 'v'\], not \['q', 'k'\]"):
        require_signature(attention, "q", "k")


@pytest.mark.parametrize(
    ("answer", "decimals", "right", "wrong"),
    [("B", None, " b ", "C"), (3.1402, 2, 3.1398, 3.15), ([1, 2], None, [1, 2], [2, 1])],
)
def test_a_sealed_rationale_opens_only_with_the_right_answer(answer, decimals, right, wrong) -> None:
    from course_utils.tools.quiz import open_sealed, seal

    sealed = seal("Because the weights spread.", answer, salt="99/q1", decimals=decimals)
    assert "spread" not in sealed and sealed.startswith("sealed:")
    assert open_sealed(right, sealed, salt="99/q1", decimals=decimals) == "Because the weights spread."
    assert open_sealed(wrong, sealed, salt="99/q1", decimals=decimals) is None
    assert open_sealed(right, sealed, salt="99/q2", decimals=decimals) is None  # the salt takes part
    assert open_sealed("not a number", sealed, salt="99/q1", decimals=decimals) in (None, "Because the weights spread.")


def test_explain_prints_the_rationale_or_says_it_is_sealed(capsys) -> None:
    from course_utils.tools.quiz import explain, seal

    sealed = seal("Because.", "A", salt="99/q1")
    for answer, shown in [("A", "Because."), ("C", "Not yet"), (..., "Answer the question above first")]:
        explain(answer, sealed, salt="99/q1")
        assert capsys.readouterr().out.startswith(shown)


def test_seal_and_open_refuse_bad_input() -> None:
    from course_utils.tools.quiz import open_sealed, seal

    with pytest.raises(ValueError, match="rationale is empty"):
        seal("  ", "A", salt="99/q1")
    with pytest.raises(ValueError, match="not a sealed rationale"):
        open_sealed("A", "Because.", salt="99/q1")
    with pytest.raises(ValueError, match="salt"):
        seal("Because.", "A", salt="")


def test_unavailable_blocks_the_course_function_everywhere_a_student_reaches_it() -> None:
    from course_utils.core.sink_fixes import sink_softmax
    from course_utils.tools.quiz import unavailable

    notebook: dict[str, Any] = {"sink_softmax": sink_softmax, "torch": torch}
    exec("def by_name(s):\n    return sink_softmax(s, torch.zeros(1, 1))", notebook)
    exec(
        "def by_import(s):\n    from course_utils.core.sink_fixes import sink_softmax as f\n"
        "    return f(s, torch.zeros(1, 1))",
        notebook,
    )
    exec("def own(s):\n    return torch.softmax(s, -1)", notebook)
    copy = dict(notebook)  # otter runs a test on a copy of the notebook's names
    with unavailable(sink_softmax, namespace=copy):
        for name in ("by_name", "by_import"):
            with pytest.raises(RuntimeError, match="sink_softmax is not available"):
                copy[name](torch.zeros(2, 3))
        copy["own"](torch.zeros(2, 3))
    assert notebook["sink_softmax"] is sink_softmax
    assert notebook["by_name"](torch.zeros(2, 3)).shape == (2, 3)  # restored on exit


def test_autograd_functions_make_every_way_to_differentiate_unavailable() -> None:
    from course_utils.tools.quiz import autograd_functions, unavailable

    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    attempts = {
        "reverse mode": lambda: torch.autograd.grad(((y := x.clone().requires_grad_()) ** 2).sum(), y),
        "backward": lambda: ((x.clone().requires_grad_()) ** 2).sum().backward(),
        "forward mode": lambda: torch.func.jvp(lambda t: t**2, (x,), (torch.ones_like(x),)),
        "jacfwd": lambda: torch.func.jacfwd(lambda t: t**2)(x),
        "grad": lambda: torch.func.grad(lambda t: (t**2).sum())(x),
    }
    for attempt in attempts.values():
        with pytest.raises(RuntimeError), unavailable(*autograd_functions(), namespace={"torch": torch}):
            attempt()
        attempt()  # restored on exit
    assert len(set(autograd_functions())) == len(autograd_functions())


def test_unavailable_also_blocks_defaults_closures_subclasses_and_builtins() -> None:
    import torch.nn.functional as F

    from course_utils.core.positional import RoPE
    from course_utils.core.sink_fixes import sink_softmax
    from course_utils.tools.quiz import unavailable

    def by_default(s, _f=sink_softmax):
        return _f(s, torch.zeros(1, 1))

    captured = sink_softmax

    def by_closure(s):
        return captured(s, torch.zeros(1, 1))

    class Mine(RoPE):
        pass

    def by_sdpa(q):
        return F.scaled_dot_product_attention(q, q, q)

    x = torch.zeros(1, 2, 4, 8)
    with unavailable(sink_softmax, RoPE, F.scaled_dot_product_attention):
        for cheat in (by_default, by_closure):
            with pytest.raises(RuntimeError, match="sink_softmax is not available"):
                cheat(torch.zeros(2, 3))
        with pytest.raises(RuntimeError, match="not available"):
            Mine(8)
        with pytest.raises(RuntimeError, match="scaled_dot_product_attention is not available"):
            by_sdpa(x)
    assert by_default(torch.zeros(2, 3)).shape == (2, 3) and by_sdpa(x).shape == x.shape  # restored
    assert Mine(8) is not None


def test_unavailable_blocks_a_builtin_captured_in_a_notebook_function() -> None:
    import torch.nn.functional as F

    from course_utils.tools.quiz import unavailable

    notebook: dict[str, Any] = {"F": F}
    exec("def by_kwdefault(q, *, _f=F.scaled_dot_product_attention):\n    return _f(q, q, q)", notebook)
    exec("def by_default(q, _f=F.scaled_dot_product_attention):\n    return _f(q, q, q)", notebook)
    exec(
        "def make():\n    f = F.scaled_dot_product_attention\n    def by_closure(q):\n        return f(q, q, q)\n"
        "    return by_closure\nby_closure = make()",
        notebook,
    )
    x = torch.zeros(1, 2, 4, 8)
    with unavailable(F.scaled_dot_product_attention, namespace=dict(notebook)):
        for name in ("by_kwdefault", "by_default", "by_closure"):
            with pytest.raises(RuntimeError, match="not available"):
                notebook[name](x)
    for name in ("by_kwdefault", "by_default", "by_closure"):
        assert notebook[name](x).shape == x.shape  # restored on exit


def test_unavailable_blocks_any_course_code_and_fused_attention() -> None:
    import importlib.util
    import types as pytypes

    import torch.nn.functional as F

    import course_utils.core.sink_fixes as sink_fixes
    from course_utils.tools.quiz import unavailable

    # the module loaded again under another name, and the function cloned from its code
    spec = importlib.util.spec_from_file_location("copy_of_sink_fixes", sink_fixes.__file__)
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    clone = pytypes.FunctionType(sink_fixes.sink_softmax.__code__, sink_fixes.sink_softmax.__globals__)
    x = torch.zeros(1, 2, 4, 8)
    for cheat in (copy.sink_softmax, clone):  # one block per call, as a check makes one call
        with pytest.raises(RuntimeError, match="not available in this check"), unavailable():
            cheat(torch.zeros(2, 3), torch.zeros(1, 1))
    keep = torch.ones(4, 4, dtype=torch.bool).tril()  # a boolean mask: PyTorch decomposes the op
    for fused in (torch.ops.aten.scaled_dot_product_attention.default, F.scaled_dot_product_attention):
        with pytest.raises(RuntimeError, match="fused attention"), unavailable():
            fused(x, x, x)
        with pytest.raises(RuntimeError, match="fused attention"), unavailable():
            fused(x[0, 0], x[0, 0], x[0, 0], attn_mask=keep)
    with unavailable():
        assert torch.softmax(torch.zeros(2, 3), -1).shape == (2, 3)  # PyTorch's building blocks stay
    assert clone(torch.zeros(2, 3), torch.zeros(1, 1)).shape == (2, 3)  # restored on exit


def test_unavailable_works_after_transformers_submodules_load_and_blocks_scipy() -> None:
    import numpy
    import scipy.spatial.distance
    import transformers.models.llama.modeling_llama  # noqa: F401  (makes `transformers` a lazy module with Paths)

    from course_utils.tools.quiz import unavailable

    with unavailable():
        assert torch.softmax(torch.zeros(3), -1).shape == (3,)
    with pytest.raises(RuntimeError, match="not available in this check"), unavailable():
        scipy.spatial.distance.jensenshannon(numpy.ones(3) / 3, numpy.ones(3) / 3)


def test_unavailable_cannot_be_switched_off_by_catching_its_error() -> None:
    from course_utils.core.sink_fixes import sink_softmax
    from course_utils.tools.quiz import unavailable

    def sneaky(s):
        with contextlib.suppress(RuntimeError):
            sink_softmax(s, torch.zeros(1, 1))  # refused: the guard's hook is gone once it raised
        return sink_softmax(s, torch.zeros(1, 1))

    with pytest.raises(RuntimeError, match="was used"), unavailable():
        sneaky(torch.zeros(2, 3))


def test_unavailable_refuses_threads_and_processes_it_could_not_watch() -> None:
    import subprocess
    import sys
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from course_utils.core.sink_fixes import sink_softmax
    from course_utils.tools.quiz import unavailable

    def in_a_thread(s):
        out: dict[str, torch.Tensor] = {}
        worker = threading.Thread(target=lambda: out.setdefault("p", sink_softmax(s, torch.zeros(1, 1))))
        worker.start()
        worker.join()
        return out["p"]

    def in_a_pool(s):
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(sink_softmax, s, torch.zeros(1, 1)).result()

    def in_a_process(s):
        return subprocess.run([sys.executable, "-c", "print(1)"], check=True)

    for cheat in (in_a_thread, in_a_pool, in_a_process):
        with pytest.raises(RuntimeError, match="starting a thread or a process"), unavailable():
            cheat(torch.zeros(2, 3))
    threading.Thread(target=lambda: None).start()  # restored on exit
    if hasattr(threading, "setprofile_all_threads"):  # Python 3.12+: a thread started before is watched too
        with ThreadPoolExecutor(1) as pool:
            pool.submit(int).result()
            with pytest.raises(RuntimeError, match="not available in this check"), unavailable():
                pool.submit(sink_softmax, torch.zeros(2, 3), torch.zeros(1, 1)).result()


def test_unavailable_refuses_a_course_function_compiled_again_from_its_source() -> None:
    import inspect

    import course_utils.core.sink_fixes as sink_fixes
    from course_utils.tools.quiz import unavailable

    namespace = {**vars(sink_fixes), "stable_softmax": lambda x: x.softmax(-1)}  # no other course call
    exec(compile(inspect.getsource(sink_fixes.sink_softmax), "<my cell>", "exec"), namespace)
    copy = namespace["sink_softmax"]
    assert copy.__code__.co_filename == "<my cell>"
    with pytest.raises(RuntimeError, match="a copy of the course's code"), unavailable():
        copy(torch.zeros(2, 3), torch.zeros(1, 1))
    source = inspect.getsource(sink_fixes.sink_softmax)
    undocumented = re.sub(r'\n    """.*?"""\n', "\n", source, count=1, flags=re.S)  # the copy without its docstring
    assert undocumented != source
    exec(compile(undocumented, "<my cell>", "exec"), namespace)
    with pytest.raises(RuntimeError, match="a copy of the course's code"), unavailable():
        namespace["sink_softmax"](torch.zeros(2, 3), torch.zeros(1, 1))

    def mine(scores, sink_logit):  # the same idea, written by a student: allowed
        top = torch.maximum(scores.amax(-1, keepdim=True), sink_logit)
        e = (scores - top).exp()
        return e / (e.sum(-1, keepdim=True) + (sink_logit - top).exp())

    with unavailable():
        assert mine(torch.zeros(2, 3), torch.zeros(1, 1)).shape == (2, 3)
