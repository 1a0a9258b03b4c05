"""A function's keyword options, read from its signature, and the check of the options a caller passes.

The task registry (`core.tasks`: a task's batch function) and the zoo's name rules (`zoo.names`) call a
function chosen by name with the options they were given: both check them here first, so a misspelled
or missing option is a ValueError that lists the right ones, not a TypeError from deep inside the call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any


def options_of(fn: Callable[..., Any], *, leave_out: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The options a function takes by name, read from its signature: (those without a default, those
    with one), each in signature order, but the parameter `leave_out` (a task's generator, a name
    rule's seed) and any `*args` or `**kwargs`.

    Example:
        >>> def rule(seed, a, b=1, *, c, d=2): ...
        >>> options_of(rule, leave_out="seed")
        (('a', 'c'), ('b', 'd'))
    """
    parameters = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.name != leave_out and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    required = tuple(p.name for p in parameters if p.default is p.empty)
    return required, tuple(p.name for p in parameters if p.default is not p.empty)


def check_options(
    fn: Callable[..., Any], options: Mapping[str, Any], *, leave_out: str, what: str, all_required: bool = True
) -> None:
    """Raise a ValueError unless every key of `options` is an option of `fn` (`options_of`) and, with
    `all_required`, every option `fn` needs is there; `what` names `fn` in the message ("task 'copy'").

    Example:
        >>> def rule(seed, *, variant, tau=10.0): ...
        >>> check_options(rule, {"variant": "rope"}, leave_out="seed", what="family 'si-lm'")
        >>> check_options(rule, {"tua": 3.0}, leave_out="seed", what="family 'si-lm'")
        Traceback (most recent call last):
        ...
        ValueError: family 'si-lm' has no option ['tua']; it takes ['variant', 'tau']: pass only those
    """
    required, optional = options_of(fn, leave_out=leave_out)
    unknown = [option for option in options if option not in required + optional]
    if unknown:
        raise ValueError(f"{what} has no option {unknown}; it takes {list(required + optional)}: pass only those")
    missing = [option for option in required if option not in options]
    if all_required and missing:
        raise ValueError(f"{what} needs {missing}; pass every one of {list(required)}")
