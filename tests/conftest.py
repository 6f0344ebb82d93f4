"""Shared fixtures: a copy of the real course in a temporary folder, and nbgrader runners."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hocso import notebooks
from hocso.course import Course

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
BIN = Path(sys.executable).parent
COURSE_PARTS = ("nbgrader_config.py", "source", "release", "curriculum", "hoc_vien")


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="regenerate release/ from source/ instead of failing when it is out of date",
    )


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for nbgrader and hocso subprocesses: this venv's scripts first."""
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run a command of this environment (``nbgrader``, ``hocso``...) and return its result."""
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(
        command, cwd=cwd, env=tool_env(**env), capture_output=True, text=True, check=False
    )


def run_ok(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    done = run(args, cwd, **env)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def copy_course(target: Path) -> Course:
    """Copy the committed course (no gradebook, no learners' work) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, target / part)
        else:
            shutil.copy2(src, target / part)
    return Course.open(target)


@pytest.fixture
def course(tmp_path) -> Course:
    """A private copy of the real course."""
    return copy_course(tmp_path / "course")


@pytest.fixture(scope="session")
def repo_course() -> Course:
    return Course.open(REPO)


def module_ids() -> list[str]:
    return Course.open(REPO).assignment_ids()


def read_nb(path: Path):
    return notebooks.read(path)
