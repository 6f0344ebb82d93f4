"""``hocso check``: the course lint, a readable list of what an author must fix."""

from __future__ import annotations

import re
from pathlib import Path

from nbgrader.nbgraderformat import MetadataValidator, ValidationError

from hocso import curriculum as curriculum_data
from hocso import notebooks, release
from hocso.course import Course, CourseError

#: A descriptive grade id: lowercase ASCII words joined by "_" (not nbgrader's "cell-1a2b...").
GRADE_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _rel(course: Course, path: Path) -> str:
    return str(path.relative_to(course.root))


def check_notebook_metadata(
    nb, known_competences: set[str] | None, competence_file: str = "curriculum/competences.yaml"
) -> list[str]:
    """Problems with a source notebook's nbgrader metadata and hocso competence codes.

    ``known_competences`` are the codes a grade cell may name (those of its module);
    ``None`` skips the competence check (the curriculum itself could not be read).
    """
    problems = []
    validator = MetadataValidator()
    seen: dict[str, int] = {}
    for number, cell in notebooks.nbgrader_cells(nb):
        meta = cell.metadata["nbgrader"]
        try:
            validator.validate_cell(cell)
        except (ValidationError, KeyError, TypeError) as exc:
            problems.append(f"ô {number}: metadata nbgrader không hợp lệ: {exc}")
            continue
        grade_id = meta.get("grade_id")
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            continue
        if grade_id in seen:
            problems.append(f"ô {number}: grade_id '{grade_id}' trùng với ô {seen[grade_id]}")
        else:
            seen[grade_id] = number
        if not GRADE_ID.match(grade_id or ""):
            problems.append(
                f"ô {number}: grade_id '{grade_id}' cần là chữ thường không dấu nối bằng _ "
                "và nói rõ câu hỏi (ví dụ mat_khau_do_dai)"
            )
        if meta.get("grade") and cell.cell_type == "code" and known_competences is not None:
            codes = cell.metadata.get("hocso", {}).get("competences")
            if not codes:
                problems.append(
                    f"ô {number} ('{grade_id}'): ô chấm điểm tự động chưa ghi mã năng lực "
                    '(metadata "hocso": {"competences": [...]})'
                )
            else:
                unknown = [c for c in codes if c not in known_competences]
                if unknown:
                    problems.append(
                        f"ô {number} ('{grade_id}'): mã năng lực không có trong "
                        f"{competence_file}: {', '.join(map(str, unknown))}"
                    )
    return problems


def run(course: Course, check_release: bool = True) -> list[str]:
    """Return every problem found in the course, one readable line each."""
    problems: list[str] = []
    ids = course.assignment_ids()

    try:
        curriculum = curriculum_data.load(course.curriculum_dir)
    except CourseError as exc:
        problems.append(str(exc))
        curriculum = None

    if curriculum is not None:
        for assignment_id in ids:
            if assignment_id not in curriculum.modules:
                problems.append(
                    f"source/{assignment_id}: bài chưa có trong chương trình học "
                    f"(thiếu curriculum/modules/{assignment_id}.yaml)"
                )
        for module_id in curriculum.modules:
            if module_id not in ids:
                problems.append(
                    f"curriculum/modules/{module_id}.yaml: không có notebook "
                    f"source/{module_id}/{module_id}.ipynb"
                )

    readable: list[str] = []
    for assignment_id in ids:
        ok = True
        for path in course.source_notebooks(assignment_id):
            try:
                nb = notebooks.read(path)
            except CourseError as exc:
                problems.append(str(exc))
                ok = False
                continue
            found = notebooks.dirt(nb)
            if curriculum is None:
                found += check_notebook_metadata(nb, None)
            elif assignment_id in curriculum.modules:
                module = curriculum.modules[assignment_id]
                found += check_notebook_metadata(
                    nb, set(module.competences), f"curriculum/modules/{assignment_id}.yaml"
                )
            else:
                found += check_notebook_metadata(nb, set(curriculum.competences))
            problems += [f"{_rel(course, path)}: {p}" for p in found]
        for path in sorted((course.release_dir / assignment_id).glob("*.ipynb")):
            try:
                found = notebooks.dirt(notebooks.read(path))
            except CourseError as exc:
                found = [str(exc)]
            problems += [f"{_rel(course, path)}: {p}" for p in found]
        if ok:
            readable.append(assignment_id)

    if check_release and readable:
        try:
            problems += release.stale(course, readable)
        except CourseError as exc:
            problems.append(str(exc))
    return problems
