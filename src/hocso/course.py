"""The course folder: where its notebooks are, its nbgrader configuration, its assignments."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


class CourseError(Exception):
    """A problem an instructor can fix; the message, in Vietnamese, names the thing at fault."""


def ensure_tools_on_path() -> None:
    """Put this Python's scripts folder first on PATH.

    nbgrader runs the ``alembic`` command by name when it creates a gradebook, so it fails
    when the virtual environment is not activated (``.venv/bin/hocso`` called directly).
    """
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = scripts + os.pathsep + path


def give_tree(path: Path, uid: int, gid: int) -> None:
    """Make ``path`` and everything under it belong to ``uid``:``gid`` (links not followed).

    Work done as root in a course that belongs to another account (a JupyterHub course's
    grader) must end up that account's, or its own tools cannot change it afterwards.
    """
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, uid, gid)
        for name in files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


@dataclass(frozen=True)
class Course:
    """An nbgrader course: ``nbgrader_config.py``, ``source/<id>/<id>.ipynb``, ``release/``."""

    root: Path

    @classmethod
    def open(cls, path: str | os.PathLike = ".") -> Course:
        """Open the course at ``path``, or fail with a message saying what is missing."""
        root = Path(path).resolve()
        if not root.is_dir():
            raise CourseError(f"Không tìm thấy thư mục {root}.")
        missing = [name for name in (CONFIG_FILE, "source") if not (root / name).exists()]
        if missing:
            raise CourseError(
                f"Thư mục {root} không phải là một khóa học nbgrader: thiếu "
                + " và ".join(missing)
                + ". Hãy chạy lệnh trong thư mục gốc của khóa học, hoặc dùng --course."
            )
        return cls(root)

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def curriculum_dir(self) -> Path:
        return self.root / "curriculum"

    def assignment_ids(self) -> list[str]:
        """The assignments in ``source/``: every folder that holds a notebook."""
        return sorted(
            p.name for p in self.source_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))
        )

    def require(self, ids: list[str] | None) -> list[str]:
        """Return ``ids`` (or every assignment when empty), failing on an unknown id."""
        known = self.assignment_ids()
        if not ids:
            return known
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise CourseError(
                "Không có bài "
                + ", ".join(f"'{i}'" for i in unknown)
                + " trong source/. Các bài có: "
                + (", ".join(known) or "(chưa có bài nào)")
                + "."
            )
        return list(ids)

    def source_notebooks(self, assignment_id: str) -> list[Path]:
        return sorted((self.source_dir / assignment_id).glob("*.ipynb"))

    def config(self) -> Config:
        """The course's nbgrader configuration, loaded as nbgrader itself loads it."""
        loader = PyFileConfigLoader(CONFIG_FILE, path=str(self.root))
        try:
            return loader.load_config()
        except Exception as exc:  # a syntax or runtime error in the config file
            raise CourseError(f"Không đọc được {self.root / CONFIG_FILE}: {exc}") from exc
