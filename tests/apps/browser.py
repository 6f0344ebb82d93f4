"""Helpers for the browser tests and the benchmark: serve the apps, drive Debian's Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import BIN, REPO, copy_course, stop_process_group, tool_env

CHROMIUM = "/usr/bin/chromium"
#: Flags for a headless Chromium in a closed network, as root: nothing phones home.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/hocso/status", timeout=10) as response:
        return json.loads(response.read())


def course_with_apps(target: Path) -> Path:
    """A copy of the course with its app notebooks (and no gradebook)."""
    course = copy_course(target)
    shutil.copytree(REPO / "notebooks" / "apps", course.root / "notebooks" / "apps")
    return course.root


@contextmanager
def serving(root: Path, *extra: str, log: Path, timeout: float = 240, on_status=None):
    """Run ``hocso serve`` on a free port until its preheated pool is full; stop it after.

    ``on_status`` is given every status the server reported while its pool was filling."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "w+", encoding="utf-8") as out:
        process = subprocess.Popen(
            [str(BIN / "hocso"), "serve", "--port", str(port), "--no-browser", *extra],
            cwd=root,
            env=tool_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                assert process.poll() is None, f"hocso serve stopped:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"hocso serve not ready:\n{log.read_text()}"
                try:
                    state = status(base)
                    if on_status is not None:
                        on_status(state)
                    if state["pooled"] >= state["pool_target"]:  # preheated kernels all ready
                        break
                except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
                    pass
                time.sleep(0.1)
            yield base, process
        finally:
            stop_process_group(process)


def launch(playwright):
    """Debian's Chromium, never a browser Playwright would download."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
