"""A hub description (YAML): its courses, instructors and roster files, checked and resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hocso.course import Course, CourseError
from hocso.term import roster

# JupyterHub group names are "nbgrader-<course>" and nbgrader splits them at the first "-",
# and the course id is also a folder and a service URL: keep it short and plain.
COURSE_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
# Login names become system accounts (useradd limits them to 32 characters).
LOGIN = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
PREFIX = re.compile(r"^[a-z][a-z0-9]{0,5}-$")


@dataclass
class HubCourse:
    id: str
    title: str
    instructors: list[str]  # hub (and system) user names, prefix included
    trainees: list[roster.Learner]  # ids prefixed: the gradebook's student ids
    gradebook_url: str | None = None
    prefix: str = ""  # of every system account of the hub

    @property
    def grader(self) -> str:
        """The system account that owns the course folder and runs its formgrader."""
        return f"{self.prefix}grader-{self.id}"

    @property
    def group(self) -> str:
        """The system group of the course's members: the only ones who can enter its exchange."""
        return f"{self.prefix}{self.id}"


@dataclass
class HubPlan:
    prefix: str
    idle_timeout: int
    courses: list[HubCourse] = field(default_factory=list)

    def users(self) -> list[str]:
        """Every hub user (instructors and trainees), each once, in a stable order."""
        seen: dict[str, None] = {}
        for course in self.courses:
            for name in [*course.instructors, *(t.id for t in course.trainees)]:
                seen.setdefault(name, None)
        return list(seen)

    def login_names(self) -> dict[str, str]:
        """What a person types at the login page -> their hub user name."""
        return {name[len(self.prefix) :]: name for name in self.users()}

    def instructors(self) -> list[str]:
        return sorted({name for course in self.courses for name in course.instructors})


def load(path: Path, course: Course) -> HubPlan:
    """Read and check a hub description; rosters are read with the course's audiences."""
    path = Path(path).resolve()
    if not path.is_file():
        raise CourseError(f"Không tìm thấy tệp mô tả hub {path}.")
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CourseError(f"Tệp {path} không đúng cú pháp YAML: {exc}") from exc
    prefix = str(data.get("user_prefix", "hs-"))
    if not PREFIX.match(prefix):
        raise CourseError(
            f"{path}: user_prefix '{prefix}' không hợp lệ: 1 đến 6 chữ thường hoặc số rồi dấu "
            "gạch ngang, ví dụ 'hs-'."
        )
    plan = HubPlan(prefix=prefix, idle_timeout=int(data.get("idle_timeout", 3600)))
    audiences = roster.audience_names(course)
    entries = data.get("courses") or []
    if not entries:
        raise CourseError(f"{path}: chưa có lớp nào trong mục courses.")
    for entry in entries:
        course_id = str(entry.get("id", ""))
        if not COURSE_ID.match(course_id):
            raise CourseError(
                f"{path}: mã lớp '{course_id}' không hợp lệ: chữ thường không dấu, số hoặc "
                "gạch dưới, bắt đầu bằng chữ, tối đa 24 ký tự (ví dụ lop1)."
            )
        if any(c.id == course_id for c in plan.courses):
            raise CourseError(f"{path}: mã lớp '{course_id}' bị lặp.")
        instructors = [str(i) for i in entry.get("instructors") or []]
        if not instructors:
            raise CourseError(f"{path}: lớp {course_id} chưa có giảng viên (instructors).")
        roster_file = path.parent / str(entry.get("roster", ""))
        learners, problems = roster.read(roster_file, audiences)
        if problems:
            lines = "\n".join(f"  dòng {n}: {why}" for n, why in problems)
            raise CourseError(f"Danh sách {roster_file} có lỗi:\n{lines}")
        for name in [*instructors, *(learner.id for learner in learners)]:
            if not LOGIN.match(name):
                raise CourseError(
                    f"{path}: lớp {course_id}: tên đăng nhập '{name}' không dùng được trên hub: "
                    "chữ thường không dấu, số hoặc gạch dưới, bắt đầu bằng chữ, tối đa 20 ký tự."
                )
        for learner in learners:
            learner.id = prefix + learner.id
        plan.courses.append(
            HubCourse(
                id=course_id,
                title=str(entry.get("title") or course_id),
                instructors=[prefix + name for name in instructors],
                trainees=learners,
                gradebook_url=entry.get("gradebook_url"),
                prefix=prefix,
            )
        )
    return plan
