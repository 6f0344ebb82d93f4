"""Helpers for the browser tests and the benchmark: serve the apps, drive Debian's Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
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
                except (urllib.error.URLError, OSError, json.JSONDecodeError):  # busy, not up yet
                    pass
                time.sleep(0.1)
            yield base, process
        finally:
            stop_process_group(process)


#: The kernel websocket framing Voila's page speaks, the only one ``hocso serve`` accepts.
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def kernel_message(
    msg_type: str, content: dict, session: str, metadata: dict | None = None
) -> tuple[bytes, str]:
    """A shell message framed for the kernel websocket, as Voila's page frames it; and its id."""
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "session": session,
        "username": "",
        "version": "5.3",
        "date": "2026-01-01T00:00:00Z",
    }
    parts = [json.dumps(part).encode() for part in (header, {}, metadata or {}, content)]
    return serialize_msg_to_ws_v1(parts, "shell"), header["msg_id"]


def read_kernel_message(frame: bytes) -> dict:
    """A message received on the kernel websocket: msg_type, parent msg_id, content."""
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    channel, parts = deserialize_msg_from_ws_v1(frame)
    header, parent, _metadata, content = (json.loads(part) for part in parts[:4])
    return {
        "channel": channel,
        "msg_type": header["msg_type"],
        "parent": parent.get("msg_id"),
        "content": content,
    }


def launch(playwright):
    """Debian's Chromium, never a browser Playwright would download."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
