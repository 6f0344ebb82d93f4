"""The classroom that `make start` opens: JupyterLab with formgrader and the assignment list."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request

import pytest

from .conftest import BIN, run_ok, stop_process_group, tool_env

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture
def lab(course, tmp_path):
    """Start `hocso lab` on a free port in a copy of the course; stop it and its kernels after."""
    port = free_port()
    log = open(tmp_path / "lab.log", "w+", encoding="utf-8")
    process = subprocess.Popen(
        [str(BIN / "hocso"), "lab", "--port", str(port)],
        cwd=course.root,
        env=tool_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    token = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        log.seek(0)
        for line in log.read().splitlines():
            if f"127.0.0.1:{port}/lab?token=" in line and token is None:
                token = line.strip().split("token=")[1]
        if token:
            try:
                get(f"http://127.0.0.1:{port}/api/status", token)
                break
            except OSError:
                pass
        time.sleep(0.5)
    log.seek(0)
    output = log.read()
    try:
        assert token and process.poll() is None, f"JupyterLab did not start:\n{output}"
        yield f"http://127.0.0.1:{port}", token, course
    finally:
        stop_process_group(process)
        log.close()


def test_does_the_lab_serve_formgrader_and_the_released_assignments(lab):
    base, token, course = lab
    status, page = get(f"{base}/lab", token)
    assert status == 200 and "@jupyter/nbgrader" in page

    status, page = get(f"{base}/formgrader", token)
    assert status == 200 and "nbgrader" in page.lower()

    # The interface speaks Vietnamese and asks learners nothing about Jupyter news.
    # JupyterLab applies overrides.json as the plugins' defaults.
    settings = f"{base}/lab/api/settings/@jupyterlab"
    status, body = get(f"{settings}/translation-extension:plugin", token)
    assert json.loads(body)["schema"]["properties"]["locale"]["default"] == "vi_VN"
    status, body = get(f"{settings}/apputils-extension:notification", token)
    assert json.loads(body)["schema"]["properties"]["fetchNews"]["default"] == "false"

    status, body = get(f"{base}/assignments?course_id=hocso", token)
    listed = json.loads(body)
    assert listed["success"], listed
    released = {a["assignment_id"] for a in listed["value"] if a["status"] == "released"}
    assert released == set(course.assignment_ids())


def test_are_nbgrader_extensions_listed_as_enabled(course):
    done = run_ok(["jupyter", "labextension", "list"], course.root)
    text = done.stdout + done.stderr
    line = next(line for line in text.splitlines() if "@jupyter/nbgrader" in line)
    assert "enabled" in line and "disabled" not in line
