"""Grading every submission of an assignment: nbgrader's autograde steps, sandboxed execution."""

from __future__ import annotations

import glob
import multiprocessing
import os
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import nbgrader.converters.autograde
import nbgrader.nbgraderformat.common as nbgrader_format
import nbgrader.preprocessors.latesubmissions
import nbgrader.preprocessors.overwritecells
import nbgrader.preprocessors.overwritekernelspec
import nbgrader.preprocessors.saveautogrades
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from nbgrader.utils import capture_log
from traitlets import Bool, Integer, List
from traitlets.config import Config, LoggingConfigurable

from hocso.course import Course, CourseError, ensure_tools_on_path, give_tree
from hocso.grading import executor, gradebook, sandbox

#: The nbgrader modules that open the gradebook while autograding one submission.
NBGRADER_GRADEBOOK_USERS = [
    nbgrader.converters.autograde,
    nbgrader.preprocessors.overwritekernelspec,
    nbgrader.preprocessors.overwritecells,
    nbgrader.preprocessors.saveautogrades,
    nbgrader.preprocessors.latesubmissions,
]

#: Beside ``autograded/<student>/<assignment>``: present while a submission is being graded,
#: and kept with the error when it failed, so an interrupted run grades it again.
MARKER = ".{assignment}.hocso-dang-cham"


class Grader(LoggingConfigurable):
    """Settings of ``hocso grade`` (``c.Grader.*`` in ``nbgrader_config.py``)."""

    workers = Integer(0, help="Submissions graded at once (0: one per CPU core).").tag(config=True)
    preload = List(
        ["numpy", "pandas", "matplotlib.pyplot", "hocso.checks"],
        help="Modules imported once in the pre-warmed executor before it forks per submission "
        "(the course's common imports; the learner's namespace stays empty).",
    ).tag(config=True)
    protected_modules = List(
        ["hocso.checks", "math", "re", "unicodedata", "operator", "numbers"],
        help="Modules restored to their original contents before every locked or grading cell, "
        "so redefining a check helper gains nothing (builtins always are).",
    ).tag(config=True)
    isolate = Bool(
        True,
        help="Run each submission in new mount, PID and network namespaces (needs root or "
        "user namespaces). Without them there is no network or filesystem isolation.",
    ).tag(config=True)
    retries = Integer(
        3, help="Times a submission is retried when the gradebook is busy (SQLite lock)."
    ).tag(config=True)


class SandboxAutograde(Autograde):
    """nbgrader's ``Autograde``, every step its own but two.

    ``Execute`` is sandboxed; ``SaveAutoGrades`` saves the same rows in one transaction.
    """

    def _init_preprocessors(self) -> None:
        self.exporter._preprocessors = []
        if self._sanitizing:
            steps = self.sanitize_preprocessors
        else:
            swaps = {
                Execute: executor.SandboxExecute,
                SaveAutoGrades: gradebook.BatchedSaveAutoGrades,
            }
            steps = [swaps.get(step, step) for step in self.autograde_preprocessors]
        for step in steps:
            self.exporter.register_preprocessor(step)


@dataclass
class Outcome:
    student: str
    seconds: float
    error: str | None = None
    skipped: bool = False


def _vietnamese(log: str, error: str | None) -> str:
    """A short Vietnamese reason from nbgrader's English log of a failed submission."""
    text = (log or "") + "\n" + (error or "")
    known = [
        ("No notebooks found", "không có notebook nào của bài này (nộp nhầm bài khác?)"),
        ("NotJSONError", "notebook hỏng, không đọc được JSON"),
        ("JSONDecodeError", "notebook hỏng, không đọc được JSON"),
        ("UnicodeDecodeError", "notebook có byte không phải UTF-8"),
        ("does not look like", "notebook hỏng, không đúng định dạng"),
        ("database is locked", "sổ điểm đang bận (SQLite bị khóa)"),
        ("Bộ chấm đã dừng", "lần chấm bị dừng giữa chừng; chạy lại lệnh để chấm tiếp"),
        ("SandboxError", "không dựng được môi trường chấm an toàn"),
        ("ValidationError", "notebook không đúng định dạng nbformat"),
        ("SchemaTooOld", "metadata nbgrader quá cũ"),
        ("SchemaTooNew", "metadata nbgrader quá mới"),
    ]
    reason = next((why for needle, why in known if needle in text), "lỗi khi chấm")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    detail = next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")
    return f"{reason} ({detail[:200]})" if detail else reason


def _grade_one(config: Config, assignment_id: str, student_id: str, retries: int) -> Outcome:
    """Grade one submission in this worker process with nbgrader's converter."""
    started = time.monotonic()
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment_id
    coursedir.student_id = student_id
    dest = coursedir.format_path(coursedir.autograded_directory, student_id, assignment_id)
    marker = Path(dest).parent / MARKER.format(assignment=assignment_id)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("Đang chấm.\n", encoding="utf-8")
    result: dict = {}
    for _ in range(max(retries, 1)):
        app = SandboxAutograde(coursedir=coursedir, config=config)
        app.force = True
        result = capture_log(app)
        if result["success"] or "database is locked" not in (result.get("log") or ""):
            break
        time.sleep(0.5)
    seconds = time.monotonic() - started
    _give_back(Path(coursedir.root), Path(dest).parent)
    if result["success"]:
        marker.unlink(missing_ok=True)
        return Outcome(student_id, seconds)
    message = _vietnamese(result.get("log", ""), result.get("error"))
    marker.write_text(f"Lỗi: {message}\n", encoding="utf-8")
    return Outcome(student_id, seconds, error=message)


def _give_back(course_root: Path, written: Path) -> None:
    """Make what root wrote for a learner belong to the course folder's owner.

    Grading needs root for its sandbox, but on a shared server (a JupyterHub course) the
    course belongs to a grader account, whose formgrader must be able to rewrite these files.
    """
    owner = course_root.stat()
    if os.getuid() != 0 or owner.st_uid == 0:
        return
    os.chown(written.parent, owner.st_uid, owner.st_gid)  # autograded/, made here if new
    give_tree(written, owner.st_uid, owner.st_gid)


def _cached_validate(instance, schema, cls=None, *args, **kwargs) -> None:
    """``jsonschema.validate`` without re-checking and re-compiling the same schema each call.

    nbgrader's CheckCellMetadata validates every cell twice per notebook; building a fresh
    validator each time was a third of a submission's grading time. Same errors raised.
    """
    key = id(schema)
    entry = _VALIDATORS.get(key)
    if entry is None or entry[0] is not schema:
        validator_class = cls or jsonschema.validators.validator_for(schema)
        entry = _VALIDATORS[key] = (schema, validator_class(schema, *args, **kwargs))
    error = jsonschema.exceptions.best_match(entry[1].iter_errors(instance))
    if error is not None:
        raise error


_VALIDATORS: dict[int, tuple] = {}


def _init_worker() -> None:
    import signal

    # Ctrl-C stops the run from the parent; workers must not print their own tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A run killed with -9 must not leave workers grading against a dead executor.
    sandbox.die_with_parent()
    # nbgrader's own SQLAlchemy warnings say nothing an instructor can act on.
    warnings.simplefilter("ignore")
    nbgrader_format.jsonschema = _FastJsonschema()
    gradebook.use_in(NBGRADER_GRADEBOOK_USERS)


class _FastJsonschema:
    """The ``jsonschema`` module as nbgrader's metadata check sees it, with a cached validate."""

    def __getattr__(self, name):
        return _cached_validate if name == "validate" else getattr(jsonschema, name)


def submissions(course_config: Config, assignment_id: str) -> list[str]:
    coursedir = CourseDirectory(config=course_config)
    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment_id)
    return sorted(Path(p).parent.name for p in glob.glob(pattern) if os.path.isdir(p))


def pending(config: Config, assignment_id: str, students: list[str], force: bool) -> list[str]:
    """The submissions still to grade: not graded, interrupted, failed, or resubmitted since."""
    coursedir = CourseDirectory(config=config)
    todo = []
    for student in students:
        dest = coursedir.format_path(coursedir.autograded_directory, student, assignment_id)
        src = coursedir.format_path(coursedir.submitted_directory, student, assignment_id)
        marker = Path(dest).parent / MARKER.format(assignment=assignment_id)
        if force or not os.path.isdir(dest) or marker.exists():
            todo.append(student)
            continue
        new, old = coursedir.get_existing_timestamp(src), coursedir.get_existing_timestamp(dest)
        if new is not None and old is not None and new > old:
            todo.append(student)
    return todo


def _check_assignment(config: Config, assignment_id: str) -> None:
    coursedir = CourseDirectory(config=config)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(assignment_id)
        except MissingEntry:
            raise CourseError(
                f"Sổ điểm chưa có bài {assignment_id}: chạy `hocso release {assignment_id}` "
                "(hoặc `nbgrader generate_assignment`) trước khi chấm."
            ) from None


def grade(
    course: Course,
    assignment_id: str,
    students: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    on_start: Callable[[int, int, str], None] | None = None,
) -> Iterator[Outcome]:
    """Grade the submissions of ``assignment_id``; yield one outcome per submission as it ends.

    ``on_start(to_grade, skipped, isolation_problem)`` is called once the executor is warm.
    """
    ensure_tools_on_path()
    config = course.config()
    settings = Grader(config=config)
    found = submissions(config, assignment_id)
    if students:
        missing = [s for s in students if s not in found]
        if missing:
            raise CourseError(
                f"Không có bài nộp {assignment_id} của: {', '.join(missing)} (trong submitted/)."
            )
        found = [s for s in found if s in students]
    if not found:
        raise CourseError(f"Chưa có bài nộp nào của {assignment_id} trong submitted/*/.")
    _check_assignment(config, assignment_id)
    todo = pending(config, assignment_id, found, force)
    for student in found:
        if student not in todo:
            yield Outcome(student, 0.0, skipped=True)
    if not todo:
        if on_start:
            on_start(0, len(found), "")
        return
    count = workers or settings.workers or os.cpu_count() or 1
    warm = {
        "preload": list(settings.preload),
        "protected_modules": list(settings.protected_modules),
        "startup_lines": executor.startup_lines(config),
        "isolate": settings.isolate,
        "max_output_bytes": executor.SandboxExecute(config=config).max_output_bytes,
    }
    with executor.WarmServer(warm) as server:
        if on_start:
            on_start(len(todo), len(found) - len(todo), server.isolation_problem)
        # Forked workers inherit the imported nbgrader and the server's socket path.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(count, len(todo)), mp_context=context, initializer=_init_worker
        ) as pool:
            futures = [
                pool.submit(_grade_one, config, assignment_id, student, settings.retries)
                for student in todo
            ]
            try:
                for future in as_completed(futures):
                    yield future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
