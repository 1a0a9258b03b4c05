"""`make lab` works: Jupyter Lab starts the way `make lab` starts it and serves both audiences.

Asks make for the lab command (`make -n lab`, with this interpreter's environment as VENV), runs it
from the repository root on 127.0.0.1 only (a free port, a fixed token, no browser), and asks the
server's contents API for the teacher notebooks in notebooks/ and the student notebooks in student/,
opening one student notebook. Takes a few seconds.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
STUDENT_DIR = REPO / "student"
TOKEN = "testtoken"
STARTUP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_lab_command(port: int) -> list[str]:
    """The command `make lab` runs (read with `make -n`), with test-only options in LAB_ARGS."""
    options = [
        "--no-browser",
        f"--port={port}",
        "--port-retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",  # ServerApp.token is its deprecated alias
    ]
    venv = Path(sys.executable).parent.parent  # the environment running the tests, as VENV
    dry_run = subprocess.run(
        ["make", "-s", "-n", "lab", f"VENV={venv}", f"LAB_ARGS={' '.join(options)}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [l for l in dry_run.stdout.splitlines() if "jupyter lab" in l]
    return ["env", *shlex.split(line)]  # env: the line starts with VAR=value assignments


def _get_json(base: str, path: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/contents/{path}?token={TOKEN}", timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


@pytest.mark.lab
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_teacher_and_student_notebooks(tmp_path: Path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/contents?token={TOKEN}"
    env = dict(os.environ)
    # Keep the server's runtime files (server info, cookie secret) out of the user's data directory.
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (the server writes to it until the finally block closes it)
    server = subprocess.Popen(
        _make_lab_command(port),
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status, body = None, None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status, body = response.status, response.read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        if status is None:
            log.seek(0)
            pytest.fail(
                f"jupyter lab did not answer on {url} within {STARTUP_TIMEOUT_S} s "
                f"(exit code {server.poll()}); its log:\n{log.read()[-4000:]}"
            )
        assert status == 200 and body is not None
        root = {item["name"] for item in json.loads(body)["content"]}
        assert {"notebooks", "student", "README.md"} <= root, f"served root: {sorted(root)}"
        for folder in (NOTEBOOK_DIR, STUDENT_DIR):
            listing = _get_json(base, folder.name)
            served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
            on_disk = {p.name for p in folder.glob("*.ipynb")}
            assert on_disk and on_disk <= served, f"{folder.name}/ not served: {sorted(on_disk - served)}"
        first = sorted(STUDENT_DIR.glob("*.ipynb"))[0]
        opened = _get_json(base, f"student/{first.name}")
        assert opened["type"] == "notebook" and opened["content"]["cells"], f"student/{first.name} is empty"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
