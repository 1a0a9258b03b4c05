"""The zoo's command line: `python -m course_utils.zoo list`, `python -m course_utils.zoo build NAME ... | --all`."""

from __future__ import annotations

import argparse
import time

from course_utils.zoo.recipes import ZOO, checkpoint_path, get_entry
from course_utils.zoo.store import read_checkpoint
from course_utils.zoo.training import build_entry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.zoo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the entries")
    build_parser = sub.add_parser("build", help="train entries and store their checkpoints")
    build_parser.add_argument("names", nargs="*", help="entry names")
    build_parser.add_argument("--all", action="store_true", help="build every entry")
    args = parser.parse_args(argv)
    if args.command == "list":
        total = 0.0
        for entry in ZOO.values():
            path = checkpoint_path(entry.name)
            status = "not built"
            if path.exists():
                seconds = read_checkpoint(path)["build_seconds"]
                total += seconds
                status = f"{seconds:6.1f} s"
            print(f"{entry.name:20s} {status:>9s}  {entry.description}")
        print(f"total build time of the built entries: {total / 60:.1f} min on one core")
        return
    names = list(ZOO) if args.all else args.names
    if not names:
        parser.error("name at least one entry, or pass --all")
    for name in names:
        get_entry(name)
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
