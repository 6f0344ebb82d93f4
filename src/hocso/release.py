"""Generating ``release/`` from ``source/`` with nbgrader's generate_assignment, safely.

Generation always happens first in a scratch copy of the course, so a broken source
notebook leaves ``release/`` and the gradebook untouched. The same scratch generation
tells whether the committed ``release/`` is up to date.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log

from hocso import notebooks
from hocso.course import Course, CourseError, ensure_tools_on_path


def _api(course: Course, root: Path, db_url: str | None = None) -> NbGraderAPI:
    """An nbgrader API over the course's configuration, with its course folder at ``root``.

    ``db_url`` is the gradebook to write to; by default the one inside ``root``.
    """
    ensure_tools_on_path()
    config = course.config()
    config.CourseDirectory.root = str(root)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    elif root != course.root:
        config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def _generate(api: NbGraderAPI, assignment_id: str) -> None:
    result = api.generate_assignment(assignment_id, force=True, create=True)
    if not result["success"]:
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()
        raise CourseError(
            f"nbgrader không tạo được bản phát hành của bài {assignment_id}: "
            + (detail[-1] if detail else "lỗi không rõ")
        )


def _validate_sources(course: Course, ids: list[str]) -> None:
    """Read every source notebook first, so bad JSON is reported before anything runs."""
    for assignment_id in ids:
        for path in course.source_notebooks(assignment_id):
            notebooks.read(path)


def generate_scratch(
    course: Course,
    ids: list[str],
    scratch: Path,
    progress: Callable[[str], None] | None = None,
    db_url: str | None = None,
) -> Path:
    """Generate the release of ``ids`` inside ``scratch``; return its ``release/`` folder.

    The assignments are recorded in the gradebook at ``db_url`` (by default a scratch one).
    """
    _validate_sources(course, ids)
    shutil.copy2(course.root / "nbgrader_config.py", scratch / "nbgrader_config.py")
    for assignment_id in ids:
        shutil.copytree(course.source_dir / assignment_id, scratch / "source" / assignment_id)
    api = _api(course, scratch, db_url)
    for assignment_id in ids:
        if progress:
            progress(assignment_id)
        _generate(api, assignment_id)
    return scratch / "release"


def release(
    course: Course, ids: list[str] | None = None, progress: Callable[[str], None] | None = None
) -> list[str]:
    """Regenerate ``release/<id>`` for ``ids`` (all by default) and register them in the gradebook.

    nbgrader writes the learners' version into a scratch folder and records each
    assignment's cells in the course's own gradebook (autograde restores locked cells and
    hidden tests from it); only when every assignment succeeded is ``release/`` replaced.
    So on any error ``release/`` is unchanged.
    """
    ids = course.require(ids)
    with tempfile.TemporaryDirectory(prefix="hocso-release-") as tmp:
        gradebook = CourseDirectory(config=course.config()).db_url
        fresh = generate_scratch(course, ids, Path(tmp), progress, gradebook)
        course.release_dir.mkdir(exist_ok=True)
        for assignment_id in ids:
            target = course.release_dir / assignment_id
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(fresh / assignment_id, target)
    return ids


def stale(course: Course, ids: list[str] | None = None) -> list[str]:
    """List how ``release/`` differs from a fresh generation (empty when it is up to date)."""
    ids = course.require(ids)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hocso-check-") as tmp:
        fresh = generate_scratch(course, ids, Path(tmp))
        for assignment_id in ids:
            problems += _compare(fresh / assignment_id, course.release_dir / assignment_id)
    return problems


def _compare(fresh: Path, committed: Path) -> list[str]:
    where = f"release/{committed.name}"
    if not committed.is_dir():
        return [f"{where}: chưa có. Chạy `hocso release {committed.name}`."]
    problems = []
    comparison = filecmp.dircmp(fresh, committed)
    pending = [(comparison, "")]
    while pending:
        cmp, prefix = pending.pop()
        for name in cmp.left_only:
            problems.append(f"{where}/{prefix}{name}: thiếu trong release/.")
        for name in cmp.right_only:
            problems.append(f"{where}/{prefix}{name}: thừa, không có trong source/.")
        _, mismatch, errors = filecmp.cmpfiles(
            fresh / prefix, committed / prefix, cmp.common_files, shallow=False
        )
        for name in mismatch + errors:
            problems.append(f"{where}/{prefix}{name}: khác với bản tạo từ source/.")
        for name, sub in cmp.subdirs.items():
            pending.append((sub, f"{prefix}{name}/"))
    if problems:
        problems.append(f"Chạy `hocso release {committed.name}` để cập nhật.")
    return problems


def publish(course: Course, ids: list[str] | None = None) -> list[str]:
    """Copy ``release/<id>`` into nbgrader's exchange, where learners fetch it.

    Runs nbgrader's own ReleaseAssignment (the exchange root comes from the course's
    ``nbgrader_config.py``), replacing an earlier release of the same assignment.
    """
    ids = course.require(ids)
    api = _api(course, course.root)
    for assignment_id in ids:
        if not (course.release_dir / assignment_id).is_dir():
            raise CourseError(
                f"Chưa có release/{assignment_id}: chạy `hocso release {assignment_id}` trước."
            )
        app = api.exchange.ReleaseAssignment(
            coursedir=api.coursedir, authenticator=api.authenticator, parent=api
        )
        app.coursedir.assignment_id = assignment_id
        app.force = True
        result = capture_log(app)
        if not result["success"]:
            detail = (result.get("log") or "").strip().splitlines()
            raise CourseError(
                f"nbgrader không đưa được bài {assignment_id} vào exchange: "
                + (detail[-1] if detail else "lỗi không rõ")
            )
    return ids
