"""The zoo's command line: `python -m course_utils.zoo list`, `python -m course_utils.zoo build NAME ... | --all`."""

from __future__ import annotations

import argparse
import time

from course_utils.zoo.cli import add_names_command, chosen_names
from course_utils.zoo.recipes import ZOO, checkpoint_path
from course_utils.zoo.store import read_checkpoint
from course_utils.zoo.training import build_entry


def main(argv: list[str] | None = None) -> None:
    """The `python -m course_utils.zoo` command line: list the zoo, or build entries (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.zoo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the entries")
    add_names_command(commands, "build", help="train entries and store their checkpoints", what="zoo entry")
    args = parser.parse_args(argv)
    if args.command == "list":
        total = 0.0
        width = max(map(len, ZOO))
        for entry in ZOO.values():
            path = checkpoint_path(entry.name)
            status = "not built"
            if path.exists():
                seconds = read_checkpoint(path)["build_seconds"]
                total += seconds
                status = f"{seconds:6.1f} s"
            print(f"{entry.name:{width}s} {status:>9s}  {entry.description}")
        print(f"total build time of the built entries: {total / 60:.1f} min on one core")
        return
    names = chosen_names(parser, args, ZOO, "zoo entry")
    start = time.perf_counter()
    for name in names:
        path = build_entry(name)
        record = read_checkpoint(path)
        print(
            f"{name}: {record['build_seconds']} s, final loss {record['losses'][-1]:.4f}, "
            f"accuracy {record['accuracy']:.3f}, {path.stat().st_size / 1e6:.2f} MB -> {path}"
        )
    print(f"built {len(names)} entr{'y' if len(names) == 1 else 'ies'} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
