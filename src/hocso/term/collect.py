"""Offline collection: notebooks handed in by USB stick or chat, placed as nbgrader submissions.

Every file handed in is first copied, byte for byte, into ``nop_bai/<assignment>/<time>/``
(the batch archive), so nothing is lost whatever happens next. Each notebook is then matched
to a learner of the roster (by an id in its file name, else by the id written in the
notebook) and to the assignment (by its nbgrader grade cells), and placed where nbgrader's
``autograde`` looks for it: ``submitted/<learner>/<assignment>/<notebook>.ipynb`` with a
``timestamp.txt`` holding the time the file was last saved.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from hocso.course import Course, CourseError
from hocso.reports.gradebook import open_gradebook

ARCHIVE = "nop_bai"
# nbgrader's Exchange.timestamp_format, so autograde reads our timestamps as its own.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
ID_IN_CELL = (
    re.compile(r"""ma_hoc_vien\s*=\s*["']([^"']+)["']"""),
    re.compile(r"Mã học viên\s*:\s*([A-Za-z0-9_.-]+)", re.IGNORECASE),
)

KIND_NAMES = {
    "unmatched": "không rõ của học viên nào",
    "duplicate": "nộp trùng (đã lấy bản mới nhất)",
    "wrong_assignment": "không phải bài này",
    "unreadable": "không đọc được",
    "exists": "đã có bài nộp (dùng --force để thay)",
}


@dataclass(frozen=True)
class HandIn:
    name: str  # the path inside the folder or zip, as handed in
    data: bytes
    saved: dt.datetime  # when the file was last saved (UTC)


@dataclass
class CollectResult:
    assignment: str
    archive: Path
    placed: list[tuple[str, str]] = field(default_factory=list)  # (learner, file)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (file, kind, detail)


def _read_folder(path: Path) -> list[HandIn]:
    files = sorted(
        p
        for p in path.rglob("*.ipynb")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and ARCHIVE not in p.parts
    )
    return [
        HandIn(
            p.relative_to(path).as_posix(),
            p.read_bytes(),
            dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC),
        )
        for p in files
    ]


def _read_zip(path: Path) -> list[HandIn]:
    try:
        with zipfile.ZipFile(path) as archive:
            hand_ins = []
            for info in archive.infolist():
                name = info.filename
                if info.is_dir() or not name.lower().endswith(".ipynb"):
                    continue
                if name.startswith("__MACOSX/") or ".ipynb_checkpoints" in name:
                    continue
                # A zip stores local time without a zone: the zone of this machine.
                saved = dt.datetime(*info.date_time).astimezone(dt.UTC)
                hand_ins.append(HandIn(name, archive.read(info), saved))
            return hand_ins
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"Không mở được tệp zip {path}: {exc}") from exc


def read_hand_ins(path: Path) -> list[HandIn]:
    """Every ``.ipynb`` in a folder (recursively) or in a zip file."""
    if path.is_dir():
        return _read_folder(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return _read_zip(path)
    raise CourseError(f"{path}: không phải thư mục hay tệp .zip chứa bài nộp.")


def _grade_ids(nb) -> set[str]:
    return {
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if "nbgrader" in c.metadata and "grade_id" in c.metadata["nbgrader"]
    }


def _release_grade_ids(course: Course) -> dict[str, set[str]]:
    ids = {}
    for assignment in sorted(p.name for p in course.release_dir.iterdir() if p.is_dir()):
        found: set[str] = set()
        for path in (course.release_dir / assignment).glob("*.ipynb"):
            found |= _grade_ids(nbformat.read(path, as_version=4))
        ids[assignment] = found
    return ids


def _id_pattern(learner_id: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(learner_id)}(?![A-Za-z0-9])", re.IGNORECASE)


def match_learner(name: str, nb, roster: list[str]) -> str | None:
    """The learner a hand-in belongs to: one roster id in its file name, else in the notebook.

    The notebook may carry the id in its metadata (``hocso.learner_id``), as
    ``ma_hoc_vien = "hv001"`` in a cell, or as ``Mã học viên: hv001`` in a text cell.
    """
    stem = Path(name).name.rsplit(".", 1)[0]
    in_name = [i for i in roster if _id_pattern(i).search(stem)]
    if len(in_name) == 1:
        return in_name[0]
    by_lower = {i.lower(): i for i in roster}
    if nb is not None:
        carried = str(nb.metadata.get("hocso", {}).get("learner_id", "")).strip()
        if carried.lower() in by_lower:
            return by_lower[carried.lower()]
        for cell in nb.cells:
            for pattern in ID_IN_CELL:
                for found in pattern.findall(cell.source):
                    if found.strip().lower() in by_lower:
                        return by_lower[found.strip().lower()]
    return None


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def collect(
    course: Course,
    assignment_id: str,
    path: Path,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
) -> CollectResult:
    """Place the notebooks in ``path`` as nbgrader submissions of ``assignment_id``.

    Never overwrites a submission unless ``force`` (the old one then moves to the archive).
    """
    assignment_id = course.require([assignment_id])[0]
    release_ids = _release_grade_ids(course)
    if not release_ids.get(assignment_id):
        raise CourseError(
            f"Chưa có release/{assignment_id}: chạy `hocso release {assignment_id}` trước."
        )
    with open_gradebook(course) as gb:
        roster = sorted(s.id for s in gb.students)
    if not roster:
        raise CourseError(
            "Sổ điểm chưa có học viên nào: chạy `hocso roster import TỆP` trước khi nhận bài."
        )
    hand_ins = read_hand_ins(Path(path))
    if not hand_ins:
        raise CourseError(f"{path}: không có tệp .ipynb nào.")

    now = now or dt.datetime.now(dt.UTC)
    archive = course.root / ARCHIVE / assignment_id / _stamp(now)
    while archive.exists():  # two batches within one second
        now += dt.timedelta(seconds=1)
        archive = course.root / ARCHIVE / assignment_id / _stamp(now)
    for hand_in in hand_ins:
        target = archive / "nhan_duoc" / hand_in.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(hand_in.data)
    result = CollectResult(assignment_id, archive)

    # Cells every module shares (the setup cell `thiet_lap`) tell no assignment apart.
    others = set().union(*(ids for a, ids in release_ids.items() if a != assignment_id))
    wanted = release_ids[assignment_id] - others
    notebook_name = sorted((course.release_dir / assignment_id).glob("*.ipynb"))[0].name
    chosen: dict[str, HandIn] = {}
    for hand_in in hand_ins:
        try:
            nb = nbformat.reads(hand_in.data.decode("utf-8"), as_version=4)
        except Exception as exc:  # bad UTF-8, bad JSON, not a notebook
            result.problems.append((hand_in.name, "unreadable", str(exc).splitlines()[0]))
            continue
        found = _grade_ids(nb)
        if not found & wanted:
            own = release_ids[assignment_id]
            other = [
                a for a, ids in release_ids.items() if a != assignment_id and found & ids - own
            ]
            detail = f"có vẻ là bài {', '.join(other)}" if other else "không có ô nào của bài"
            result.problems.append((hand_in.name, "wrong_assignment", detail))
            continue
        learner = match_learner(hand_in.name, nb, roster)
        if learner is None:
            result.problems.append(
                (hand_in.name, "unmatched", "không thấy mã học viên trong tên tệp hay notebook")
            )
            continue
        if learner in chosen:
            older, newer = sorted((chosen[learner], hand_in), key=lambda h: h.saved)
            result.problems.append(
                (older.name, "duplicate", f"{learner} cũng nộp {newer.name} (mới hơn)")
            )
            chosen[learner] = newer
        else:
            chosen[learner] = hand_in

    for learner, hand_in in sorted(chosen.items()):
        folder = course.root / "submitted" / learner / assignment_id
        if folder.exists():
            if not force:
                result.problems.append((hand_in.name, "exists", f"submitted/{learner}"))
                continue
            replaced = archive / "da_thay" / learner
            replaced.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(folder), str(replaced))
        scratch = folder.with_name(f".{assignment_id}.dang_chep")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        (scratch / notebook_name).write_bytes(hand_in.data)
        (scratch / "timestamp.txt").write_text(
            hand_in.saved.strftime(TIMESTAMP_FORMAT), encoding="utf-8"
        )
        scratch.rename(folder)  # all or nothing: autograde never sees half a submission
        result.placed.append((learner, hand_in.name))

    (archive / "bao_cao.txt").write_text(describe(result) + "\n", encoding="utf-8")
    return result


def describe(result: CollectResult) -> str:
    """The batch in Vietnamese: what was placed, and every file that needs a look."""
    lines = [
        f"Bài {result.assignment}: đã nhận {len(result.placed)} bài nộp vào submitted/.",
        f"Mọi tệp nhận được đều được lưu nguyên vẹn trong {result.archive}.",
    ]
    if result.problems:
        lines.append(f"⚠️  {len(result.problems)} tệp cần xem lại:")
        for name, kind, detail in result.problems:
            lines.append(f"  - {name}: {KIND_NAMES[kind]} ({detail})")
    return "\n".join(lines)
