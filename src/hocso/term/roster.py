"""The class roster: learners read from CSV or Excel into nbgrader's gradebook.

nbgrader's ``Student`` row holds an id, a first and last name and an email, but nothing
about where a learner comes from. The unit, commune and audience that reports group by are
kept in a small table of our own, ``hocso_learner``, in the same database as the gradebook:
one file (or one PostgreSQL database) to back up, and nbgrader's own tables stay untouched,
so formgrader and nbgrader's migrations never see a column they do not know.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from hocso import curriculum
from hocso.checks import remove_diacritics
from hocso.course import Course, CourseError
from hocso.reports.gradebook import open_gradebook

_METADATA = sa.MetaData()
PROFILES = sa.Table(
    "hocso_learner",
    _METADATA,
    sa.Column("student_id", sa.String(128), primary_key=True),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("commune", sa.Text, nullable=False),
    sa.Column("audience", sa.Text, nullable=False),
)

#: Accepted column headers (compared without diacritics, case or spaces) for each field.
HEADERS = {
    "id": ("ma_hoc_vien", "ma", "id", "learner_id", "student_id", "ma_hv"),
    "full_name": ("ho_ten", "ho_va_ten", "full_name", "name", "ten"),
    "unit": ("don_vi", "unit", "lop", "co_quan"),
    "commune": ("xa", "xa_phuong", "commune", "phuong_xa"),
    "audience": ("doi_tuong", "audience", "nhom"),
    "email": ("email", "thu_dien_tu", "e_mail"),
}
REQUIRED = ("id", "full_name", "unit", "commune", "audience")
FIELD_NAMES = {
    "id": "mã học viên",
    "full_name": "họ tên",
    "unit": "đơn vị",
    "commune": "xã",
    "audience": "đối tượng",
}
# Ids become folder names in submitted/ and autograded/: ASCII letters, digits, _ . -
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UNKNOWN = "(chưa rõ)"


@dataclass
class Learner:
    id: str
    last_name: str
    first_name: str
    unit: str
    commune: str
    audience: str
    email: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)


def split_name(full_name: str) -> tuple[str, str]:
    """Split a Vietnamese full name into nbgrader's last name (family) and first name.

    >>> split_name("  Nguyễn   Thị Hương ")
    ('Nguyễn', 'Thị Hương')
    >>> split_name("Páo")
    ('', 'Páo')
    """
    parts = full_name.split()
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], " ".join(parts[1:])


def _key(header: str) -> str:
    text = remove_diacritics(str(header)).strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _read_table(path: Path) -> list[list[str]]:
    """Every row of the file as text cells, the header first."""
    if not path.is_file():
        raise CourseError(f"Không tìm thấy tệp danh sách học viên {path}.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, header=None, dtype=str, keep_default_na=False)
            return [[str(v) for v in row] for row in frame.itertuples(index=False)]
        if suffix == ".csv":
            # utf-8-sig: Excel saves "CSV UTF-8" with a byte-order mark.
            with open(path, encoding="utf-8-sig", newline="") as f:
                header = f.readline()
                f.seek(0)
                # Excel writes ";" where the decimal mark is ",": take what the header uses.
                delimiter = max(",;\t", key=header.count)
                return [row for row in csv.reader(f, delimiter=delimiter)]
    except UnicodeDecodeError as exc:
        raise CourseError(
            f"Tệp {path} không phải UTF-8. Trong Excel, hãy lưu lại bằng 'CSV UTF-8'."
        ) from exc
    except csv.Error as exc:
        raise CourseError(f"Không đọc được tệp CSV {path}: {exc}") from exc
    except Exception as exc:  # openpyxl raises several kinds for a damaged workbook
        raise CourseError(f"Không đọc được tệp Excel {path}: {exc}") from exc
    raise CourseError(f"Tệp {path}: chỉ nhận tệp .csv hoặc .xlsx.")


def _columns(header: list[str], path: Path) -> dict[str, int]:
    keys = [_key(h) for h in header]
    columns = {}
    for name, accepted in HEADERS.items():
        for index, key in enumerate(keys):
            if key in accepted:
                columns[name] = index
                break
    missing = [FIELD_NAMES[n] for n in REQUIRED if n not in columns]
    if missing:
        raise CourseError(
            f"Tệp {path}: dòng tiêu đề thiếu cột {', '.join(missing)}. Cần các cột: "
            "ma_hoc_vien, ho_ten, don_vi, xa, doi_tuong và (không bắt buộc) email."
        )
    return columns


def read(path: Path, audiences: dict[str, str]) -> tuple[list[Learner], list[tuple[int, str]]]:
    """Read a roster file: the valid learners, and each bad row's number and reason.

    ``audiences`` maps every accepted spelling (id or Vietnamese name, folded) to the id.
    Rows are numbered as a spreadsheet shows them: the header is row 1.
    """
    path = Path(path)
    rows = _read_table(path)
    if not rows:
        raise CourseError(f"Tệp {path} trống.")
    columns = _columns(rows[0], path)
    learners: dict[int, Learner] = {}
    problems: list[tuple[int, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {n: (row[i].strip() if i < len(row) else "") for n, i in columns.items()}
        if not any(cells.values()):
            continue  # blank line at the end of a sheet
        empty = [FIELD_NAMES[n] for n in REQUIRED if not cells[n]]
        if empty:
            problems.append((number, "thiếu " + ", ".join(empty) + "."))
            continue
        if not ID_PATTERN.match(cells["id"]):
            problems.append(
                (
                    number,
                    f"mã học viên '{cells['id']}' không hợp lệ: chỉ dùng chữ không dấu, số, "
                    "dấu gạch dưới, chấm hoặc gạch ngang (ví dụ hv001).",
                )
            )
            continue
        audience = audiences.get(_key(cells["audience"]))
        if audience is None:
            problems.append(
                (
                    number,
                    f"đối tượng '{cells['audience']}' không có trong curriculum/audiences.yaml "
                    f"(dùng một trong: {', '.join(sorted(set(audiences.values())))}).",
                )
            )
            continue
        email = cells.get("email") or None
        if email and not EMAIL_PATTERN.match(email):
            problems.append((number, f"email '{email}' không hợp lệ."))
            continue
        last, first = split_name(cells["full_name"])
        learners[number] = Learner(
            cells["id"], last, first, cells["unit"], cells["commune"], audience, email
        )
    by_id: dict[str, list[int]] = {}
    for number, learner in learners.items():
        by_id.setdefault(learner.id, []).append(number)
    # A repeated id cannot tell which row is right: none of them is imported.
    for learner_id, numbers in by_id.items():
        if len(numbers) > 1:
            for number in numbers:
                others = ", ".join(str(n) for n in numbers if n != number)
                problems.append(
                    (number, f"mã học viên '{learner_id}' bị lặp (cũng ở dòng {others}).")
                )
                del learners[number]
    return list(learners.values()), sorted(problems)


def audience_names(course: Course) -> dict[str, str]:
    """Every accepted spelling of each audience (its id, its Vietnamese name), folded."""
    known = curriculum.load(course.curriculum_dir).audiences
    names = {}
    for audience in known.values():
        names[_key(audience.id)] = audience.id
        names[_key(audience.name)] = audience.id
    return names


def save(course: Course, learners: list[Learner]) -> tuple[list[str], list[str]]:
    """Add or update ``learners`` in the gradebook and the profile table; (added, updated)."""
    added, updated = [], []
    with open_gradebook(course) as gb:
        known = {s.id for s in gb.students}
        for learner in learners:
            gb.update_or_create_student(
                learner.id,
                first_name=learner.first_name,
                last_name=learner.last_name,
                email=learner.email,
            )
            (updated if learner.id in known else added).append(learner.id)
        _METADATA.create_all(gb.engine)
        with gb.engine.begin() as conn:
            for learner in learners:
                conn.execute(PROFILES.delete().where(PROFILES.c.student_id == learner.id))
                conn.execute(
                    PROFILES.insert().values(
                        student_id=learner.id,
                        unit=learner.unit,
                        commune=learner.commune,
                        audience=learner.audience,
                    )
                )
    return added, updated


def import_file(course: Course, path: Path) -> ImportResult:
    """Import a roster file: valid rows saved, bad rows reported by number."""
    learners, problems = read(Path(path), audience_names(course))
    added, updated = save(course, learners)
    return ImportResult(added, updated, problems)


def load(course: Course) -> pd.DataFrame:
    """Every student in the gradebook with their profile, one row each, sorted by id.

    Columns: ``id, last_name, first_name, full_name, email, unit, commune, audience``;
    a student added outside the roster (formgrader, ``nbgrader db``) gets ``(chưa rõ)``.
    """
    with open_gradebook(course) as gb:
        _METADATA.create_all(gb.engine)
        with gb.engine.connect() as conn:
            profiles = {r.student_id: r for r in conn.execute(sa.select(PROFILES))}
        rows = []
        for student in gb.students:
            profile = profiles.get(student.id)
            last, first = student.last_name or "", student.first_name or ""
            rows.append(
                {
                    "id": student.id,
                    "last_name": last,
                    "first_name": first,
                    "full_name": f"{last} {first}".strip() or student.id,
                    "email": student.email or "",
                    "unit": profile.unit if profile else UNKNOWN,
                    "commune": profile.commune if profile else UNKNOWN,
                    "audience": profile.audience if profile else UNKNOWN,
                }
            )
    columns = ["id", "last_name", "first_name", "full_name", "email", "unit", "commune"]
    frame = pd.DataFrame(rows, columns=[*columns, "audience"])
    return frame.sort_values("id").reset_index(drop=True)
