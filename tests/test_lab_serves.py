"""`make lab` works: Jupyter Lab from this environment starts and serves the course notebooks.

Starts a real server on 127.0.0.1 only (a free port, a fixed token, no browser) with notebooks/ as its
root, asks its contents API for the folder listing, and stops it. Takes a few seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
TOKEN = "testtoken"
STARTUP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jupyter_lab_command(port: int) -> list[str]:
    jupyter = Path(sys.executable).with_name("jupyter")  # the venv's own `jupyter`, as `make lab` runs it
    launcher = [str(jupyter), "lab"] if jupyter.exists() else [sys.executable, "-m", "jupyterlab"]
    command = launcher + [
        "--no-browser",
        f"--port={port}",
        "--port-retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",  # ServerApp.token is its deprecated alias
        "--ServerApp.open_browser=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root; `make lab` passes it too
    return command


@pytest.mark.lab
def test_jupyter_lab_serves_the_notebooks(tmp_path: Path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/contents?token={TOKEN}"
    env = dict(os.environ)
    # Keep the server's runtime files (server info, cookie secret) out of the user's data directory.
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        _jupyter_lab_command(port),
        cwd=NOTEBOOK_DIR,
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
        assert status == 200
        listing = json.loads(body)
        assert listing["type"] == "directory"
        served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        on_disk = {p.name for p in NOTEBOOK_DIR.glob("*.ipynb")}
        assert on_disk <= served, f"notebooks not served: {sorted(on_disk - served)}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
