"""What the zoo's command lines share: a command that acts on the names it is given, or on all of them with --all.

`python -m course_utils.zoo build` and `python -m course_utils.zoo.trials run|measure` are such commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection


def add_names_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], command: str, *, help: str, what: str
) -> None:
    """Add `command NAME [NAME ...] | --all` to `commands` (an `add_subparsers()` result); `what` names one item.

    Example:
        >>> parser = argparse.ArgumentParser(prog="demo")
        >>> add_names_command(parser.add_subparsers(dest="command"), "build", help="build entries", what="entry")
        >>> parser.parse_args(["build", "a", "b"]).names
        ['a', 'b']
    """
    command_parser = commands.add_parser(command, help=help)
    command_parser.add_argument("names", nargs="*", help=f"{what} names")
    command_parser.add_argument("--all", action="store_true", help=f"every {what}")


def chosen_names(
    parser: argparse.ArgumentParser, args: argparse.Namespace, pool: Collection[str], what: str
) -> list[str]:
    """The names a names command acts on: those given, or all of `pool` with --all; `parser.error` exits with
    a message if none is given or one is not in `pool`.

    Example:
        >>> parser = argparse.ArgumentParser(prog="demo")
        >>> add_names_command(parser.add_subparsers(dest="command"), "build", help="build entries", what="entry")
        >>> chosen_names(parser, parser.parse_args(["build", "--all"]), ["a", "b"], "entry")
        ['a', 'b']
    """
    names = list(pool) if args.all else args.names
    if not names:
        parser.error(f"name at least one {what}, or pass --all")
    for name in names:
        if name not in pool:
            parser.error(f"{name!r} is not a {what}; choose from {sorted(pool)}")
    return names
