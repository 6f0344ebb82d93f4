"""The course's nbgrader gradebook, opened as nbgrader opens it, read into tidy tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from hocso import notebooks
from hocso.course import Course, CourseError, ensure_tools_on_path


def db_url(course: Course) -> str:
    """The gradebook address the course's ``nbgrader_config.py`` gives (SQLite by default)."""
    return CourseDirectory(config=course.config()).db_url


def require_gradebook(course: Course) -> None:
    """Fail, writing nothing, when the course has no gradebook yet (nothing to report on)."""
    url = db_url(course)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise CourseError(
            "Khóa học chưa có sổ điểm (gradebook.db): chạy `hocso roster import TỆP`, "
            "phát bài và chấm bài trước."
        )


@contextmanager
def open_gradebook(course: Course) -> Iterator[Gradebook]:
    """nbgrader's own Gradebook over the course database (created, migrated, if missing)."""
    ensure_tools_on_path()  # nbgrader runs `alembic` by name when it creates the database
    course_id = course.config().CourseDirectory.get("course_id", "default_course")
    with Gradebook(db_url(course), course_id=course_id) as gb:
        yield gb


@dataclass(frozen=True)
class ItemInfo:
    """A grade cell as the instructor wrote it in ``source/``."""

    assignment: str
    notebook: str
    item: str
    points: float
    manual: bool
    competences: tuple[str, ...]
    question: str


def source_items(course: Course, assignment_id: str) -> list[ItemInfo]:
    """The grade cells of ``source/<id>/*.ipynb`` in notebook order, with their competences.

    The competence codes come from each grade cell's ``hocso.competences`` metadata; the
    question is the first line of the cell (the docstring of a test cell, the heading of a
    written answer), which learners also see in their own copy.
    """
    items = []
    for path in course.source_notebooks(assignment_id):
        nb = notebooks.read(path)
        for _, cell in notebooks.nbgrader_cells(nb):
            meta = cell.metadata["nbgrader"]
            if not meta.get("grade"):
                continue
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            items.append(
                ItemInfo(
                    assignment_id,
                    path.stem,
                    meta["grade_id"],
                    float(meta.get("points", 0)),
                    bool(meta.get("solution")),
                    tuple(cell.metadata.get("hocso", {}).get("competences", [])),
                    first.strip().strip('"').strip("#").strip(),
                )
            )
    return items


def grades_table(course: Course) -> pd.DataFrame:
    """One row per submitted grade cell, straight from the gradebook.

    Columns: ``student, assignment, notebook, item, score, max_score, needs_manual_grade,
    timestamp``. Scores are nbgrader's own ``Grade.score`` (manual score over auto score).
    """
    rows = []
    with open_gradebook(course) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for snb in sub.notebooks:
                    for grade in snb.grades:
                        rows.append(
                            {
                                "student": sub.student_id,
                                "assignment": assignment.name,
                                "notebook": snb.name,
                                "item": grade.name,
                                "score": float(grade.score),
                                "max_score": float(grade.max_score),
                                "needs_manual_grade": bool(grade.needs_manual_grade),
                                "timestamp": sub.timestamp,
                            }
                        )
    columns = [
        "student",
        "assignment",
        "notebook",
        "item",
        "score",
        "max_score",
        "needs_manual_grade",
        "timestamp",
    ]
    return pd.DataFrame(rows, columns=columns)


def assignments_in_gradebook(course: Course) -> list[str]:
    """The assignments nbgrader knows (released this term), sorted by id."""
    with open_gradebook(course) as gb:
        return sorted(a.name for a in gb.assignments)
