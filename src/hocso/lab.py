"""``hocso lab``: the classroom on one machine, JupyterLab at the course root with nbgrader."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

from hocso import release
from hocso.course import Course, CourseError, ensure_tools_on_path

#: nbgrader's JupyterLab plugins (formgrader, assignment list, ...) and server extensions.
LAB_EXTENSION = "@jupyter/nbgrader"
SERVER_EXTENSION = "nbgrader"


#: JupyterLab settings for a classroom: the interface in Vietnamese (the language pack is a
#: dependency), and no pop-up asking learners about Jupyter news or updates.
LAB_SETTINGS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "vi_VN"},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
}


def write_lab_settings() -> None:
    """Merge :data:`LAB_SETTINGS` into this environment's JupyterLab ``overrides.json``."""
    path = os.path.join(sys.prefix, "share", "jupyter", "lab", "settings", "overrides.json")
    try:
        with open(path, encoding="utf-8") as f:
            settings = json.load(f)
    except (OSError, ValueError):
        settings = {}
    for plugin, values in LAB_SETTINGS.items():
        settings.setdefault(plugin, {}).update(values)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(settings, f, ensure_ascii=False, indent=2)


def _jupyter(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, check=False
    )


def enable_extensions() -> None:
    """Enable nbgrader's lab and server extensions in this environment (idempotent)."""
    for args in (
        ("labextension", "enable", "--level=sys_prefix", LAB_EXTENSION),
        ("server", "extension", "enable", "--sys-prefix", SERVER_EXTENSION),
    ):
        done = _jupyter(*args)
        if done.returncode != 0:
            raise CourseError(
                f"Không bật được phần mở rộng nbgrader ({' '.join(args)}): "
                + (done.stderr.strip().splitlines() or ["lỗi không rõ"])[-1]
            )


def lab_command(course: Course, port: int, token: str, open_browser: bool) -> list[str]:
    """The ``jupyter lab`` command line that serves ``course`` on 127.0.0.1 only."""
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={course.root}",
        f"--IdentityProvider.token={token}",
    ]
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI run as root; Jupyter refuses that unless told it is intended.
        command.append("--allow-root")
    return command


def start(course: Course, port: int = 8888, open_browser: bool = False) -> int:
    """Release every module, publish it to the exchange, then run JupyterLab until stopped."""
    ensure_tools_on_path()
    ids = course.assignment_ids()
    print(f"Chuẩn bị {len(ids)} bài cho học viên: {', '.join(ids)}", flush=True)
    release.release(course, ids)
    release.publish(course, ids)
    enable_extensions()
    write_lab_settings()
    token = secrets.token_hex(24)
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    print(
        "\n✅ JupyterLab của khóa học đang chạy. Mở địa chỉ này trong trình duyệt:\n"
        f"   {url}\n"
        "   Giảng viên: menu Nbgrader → Formgrader.  Học viên: menu Nbgrader → Assignments.\n"
        "   Dừng bằng Ctrl + C.\n",
        flush=True,
    )
    os.chdir(course.root)
    return subprocess.call(lab_command(course, port, token, open_browser))
