"""`%%answer_first`: a cell that shows a question's answer runs only once the question is answered.

The self-study edition (`scripts/make_student.py`) starts each cell that shows an answer (tagged
`shows-answer`) with `%%answer_first q3 q1_answer q2_answer q3_answer`: the nearest question above, then
the names that the answers to every question above define (a measurement can answer a question asked
sections earlier). Until each name holds an answer,
the cell prints one line saying so and runs nothing, so "Run All" on an unanswered notebook goes on to the
end without printing a measurement before its prediction. Once answered, the cell runs as written (its last
expression displayed as usual).

Load it once per kernel, as the self-study edition does in its first code cells:

    %load_ext course_utils.tools.answer_first
"""

from __future__ import annotations

import dis
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell


#: The operations of a function whose body is only `...` or `pass` (a docstring aside): it returns None.
_STUB_OPS = frozenset({"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"})


def is_answered(value: object) -> bool:
    """Whether `value` is an answer: not otter's placeholder `...`, and not a function whose body is only `...`.

    Example:
        >>> is_answered(...), is_answered("B"), is_answered(0.0)
        (False, True, True)
        >>> def unmerge(o, lse):
        ...     pass
        >>> is_answered(unmerge)
        False
    """
    if value is Ellipsis:
        return False
    code = getattr(value, "__code__", None)
    if code is None:
        return True
    ops = list(dis.get_instructions(code))
    return not all(op.opname in _STUB_OPS and (op.opname == "RESUME" or op.argval is None) for op in ops)


def unanswered(names: Iterable[str], namespace: Mapping[str, object]) -> list[str]:
    """The names among `names` that `namespace` does not bind to an answer (`is_answered`), in order.

    Example:
        >>> unanswered(["q3_answer", "q3b_answer"], {"q3_answer": "C", "q3b_answer": ...})
        ['q3b_answer']
    """
    return [name for name in names if name not in namespace or not is_answered(namespace[name])]


def skip_note(question: str, missing: list[str]) -> str:
    """The one line a skipped cell prints.

    Example:
        >>> skip_note("q3", ["q2_answer", "q3_answer"])
        'Skipped: this cell shows the answer to Q3 or a question before it. Answer first: q2_answer, q3_answer.'
    """
    label = question[:1].upper() + question[1:]
    return (
        f"Skipped: this cell shows the answer to {label} or a question before it. Answer first: {', '.join(missing)}."
    )


def answer_first(line: str, cell: str) -> None:
    """The cell magic: `%%answer_first <question> <name> [<name> ...]` above the cell's code."""
    from IPython import get_ipython
    from IPython.core.error import UsageError

    words = line.split()
    if len(words) < 2:
        raise UsageError(
            f"%%answer_first needs the question and the names its answer defines, "
            f"e.g. `%%answer_first q3 q3_answer`, not {line!r}"
        )
    shell = get_ipython()
    missing = unanswered(words[1:], shell.user_ns)
    if missing:
        print(skip_note(words[0], missing))
        return
    shell.run_cell(cell)


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register `%%answer_first` (`%load_ext course_utils.tools.answer_first`)."""
    ipython.register_magic_function(answer_first, magic_kind="cell")
