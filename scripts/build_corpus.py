"""Build (or check) the course's text corpus, `course_utils/data/corpus.txt`.

The corpus is the docstrings of a fixed, sorted list of Python standard-library modules, their public
functions, classes and methods, read with `inspect` and cleaned to printable ASCII (Copyright Python
Software Foundation, PSF License Agreement).

    python scripts/build_corpus.py build   # write the file (done once, with Python 3.11.7)
    python scripts/build_corpus.py check   # rebuild in memory and compare (same Python version only)
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import platform
import re
import unicodedata
import warnings
from collections.abc import Callable
from typing import Any

import torch  # noqa: F401  the committed file was built with torch imported (it replaces a few stdlib functions)

from course_utils.paths import CORPUS_PATH

MODULES = (
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio.base_events",
    "asyncio.events",
    "asyncio.futures",
    "asyncio.locks",
    "asyncio.queues",
    "asyncio.streams",
    "asyncio.subprocess",
    "asyncio.tasks",
    "base64",
    "bdb",
    "bisect",
    "builtins",
    "bz2",
    "calendar",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "collections.abc",
    "colorsys",
    "concurrent.futures",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "dis",
    "email.header",
    "email.headerregistry",
    "email.message",
    "email.parser",
    "email.policy",
    "email.utils",
    "enum",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "getopt",
    "gettext",
    "glob",
    "graphlib",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "html.parser",
    "http.client",
    "http.cookiejar",
    "http.cookies",
    "http.server",
    "imaplib",
    "importlib",
    "importlib.abc",
    "importlib.metadata",
    "importlib.resources",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "json.decoder",
    "json.encoder",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "logging.config",
    "logging.handlers",
    "lzma",
    "mailbox",
    "math",
    "mimetypes",
    "multiprocessing.connection",
    "multiprocessing.managers",
    "multiprocessing.pool",
    "netrc",
    "numbers",
    "operator",
    "optparse",
    "os",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "pprint",
    "pyclbr",
    "pydoc",
    "queue",
    "quopri",
    "random",
    "re",
    "reprlib",
    "runpy",
    "sched",
    "secrets",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "smtplib",
    "socket",
    "socketserver",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "symtable",
    "tabnanny",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "types",
    "typing",
    "unittest",
    "unittest.case",
    "unittest.mock",
    "urllib.parse",
    "urllib.request",
    "urllib.robotparser",
    "uuid",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "xml.dom.minidom",
    "xml.etree.ElementTree",
    "xml.sax.handler",
    "xml.sax.saxutils",
    "xmlrpc.client",
    "xmlrpc.server",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
)


def _own_docstring(obj: object) -> str:
    """The object's own docstring (not one inherited from a base class), dedented."""
    doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


class _Elided:
    """Stands in for a default whose repr could hold a memory address or the machine's state."""

    def __repr__(self) -> str:
        return "..."


def _signature(obj: Callable[..., Any]) -> str:
    """`(a, b=1, *, c=...)` without annotations; defaults other than short literals print as `...`.

    Literals with a slash are elided too: `platform.architecture` defaults to the interpreter's path.
    """
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    params = []
    for param in sig.parameters.values():
        default = param.default
        if default is not inspect.Parameter.empty and not (
            isinstance(default, (type(None), bool, int, float, str))
            and len(repr(default)) < 30
            and "/" not in repr(default)
        ):
            default = _Elided()
        params.append(param.replace(default=default, annotation=inspect.Parameter.empty))
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def _entry(title: str, doc: str) -> str:
    """`title` and the docstring indented under it, or nothing for an object without one."""
    return title + "\n" + "".join(f"    {line}\n" for line in doc.splitlines()) + "\n" if doc else ""


def _module_text(name: str) -> str:
    """The corpus text of one module: its docstring, then its public functions, classes and their methods."""
    module = importlib.import_module(name)
    text = f"MODULE {name}\n\n{_own_docstring(module)}\n\n"
    for attr in sorted(vars(module)):
        obj = vars(module)[attr]
        if attr.startswith("_") or getattr(obj, "__module__", None) != name:
            continue
        if inspect.isroutine(obj):
            text += _entry(f"{name}.{attr}{_signature(obj)}", _own_docstring(obj))
        elif inspect.isclass(obj):
            text += _entry(f"class {name}.{attr}{_signature(obj)}", _own_docstring(obj))
            for member in sorted(vars(obj)):
                value = vars(obj)[member]
                if not member.startswith("_") and (inspect.isroutine(value) or isinstance(value, property)):
                    sig = "" if isinstance(value, property) else _signature(value)
                    text += _entry(f"{name}.{attr}.{member}{sig}", _own_docstring(value))
    return text


def _clean(text: str) -> str:
    """Printable ASCII plus newlines: accents folded (NFKD), tabs to spaces, no trailing spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\x20-\x7e\n]", "", text.replace("\t", "    "))
    text = re.sub(r"[ ]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def build_corpus() -> str:
    """The corpus text, header line included, rebuilt from this interpreter's stdlib docstrings.

    Example:
        Not run as a test: it takes a second or two (`load_corpus()` reads the shipped file).

        >>> text = build_corpus()  # doctest: +SKIP
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated names raise warnings when their docs are read
        body = "".join(_module_text(name) for name in MODULES)
    header = (
        f"# Python {platform.python_version()} standard library docstrings; Copyright Python "
        "Software Foundation, PSF License Agreement. Built by `python scripts/build_corpus.py build`."
    )
    return header + "\n" + _clean(body)


def main() -> None:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Build or check the shipped text corpus.")
    parser.add_argument(
        "command",
        choices=["build", "check"],
        help="build: write course_utils/data/corpus.txt; check: compare a rebuild with it",
    )
    args = parser.parse_args()
    text = build_corpus()
    if args.command == "build":
        CORPUS_PATH.parent.mkdir(exist_ok=True)
        CORPUS_PATH.write_text(text, encoding="ascii")
        print(f"wrote {CORPUS_PATH} ({len(text):,} characters)")
    elif text != CORPUS_PATH.read_text(encoding="ascii"):
        raise SystemExit(f"{CORPUS_PATH} differs from a rebuild with Python {platform.python_version()}")
    else:
        print(f"{CORPUS_PATH} matches a rebuild")


if __name__ == "__main__":
    main()
