"""Tests of `hocso collect`: hand-ins from a USB folder or a chat zip, matched and placed."""

from __future__ import annotations

import json
import zipfile

import nbformat
import pytest

from hocso.course import CourseError
from hocso.term import collect, roster

from ..conftest import run

ROSTER = (
    "ma_hoc_vien,ho_ten,don_vi,xa,doi_tuong\n"
    "hv001,Nguyễn Thị Hương,UBND xã Lũng Cú,Lũng Cú,officials\n"
    "hv002,Lò Văn Páo,Trường THCS Lũng Cú,Lũng Cú,students\n"
    "hv003,Giàng Seo Dình,Hội Nông dân,Lũng Cú,public\n"
)


@pytest.fixture
def classroom(course, tmp_path):
    path = tmp_path / "lop.csv"
    path.write_text(ROSTER, encoding="utf-8")
    roster.import_file(course, path)
    return course


def release_text(course, module_id: str) -> str:
    return (course.release_dir / module_id / f"{module_id}.ipynb").read_text("utf-8")


def with_id_inside(course, learner: str) -> str:
    nb = nbformat.reads(release_text(course, "bai01"), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"Mã học viên: {learner}"))
    return nbformat.writes(nb)


def usb_folder(course, tmp_path):
    usb = tmp_path / "usb"
    (usb / "lop_chieu").mkdir(parents=True)
    (usb / "hv001.ipynb").write_text(release_text(course, "bai01"), encoding="utf-8")
    (usb / "lop_chieu" / "bai01 (2).ipynb").write_text(
        with_id_inside(course, "hv002"), encoding="utf-8"
    )
    (usb / "HV003_bai01.ipynb").write_text(release_text(course, "bai02"), encoding="utf-8")
    (usb / "hong.ipynb").write_text('{"cells": [', encoding="utf-8")
    (usb / "Untitled.ipynb").write_text(release_text(course, "bai01"), encoding="utf-8")
    return usb


def test_are_hand_ins_matched_by_name_or_by_the_id_inside_and_the_rest_reported(
    classroom, tmp_path
):
    usb = usb_folder(classroom, tmp_path)
    result = collect.collect(classroom, "bai01", usb)
    assert sorted(learner for learner, _ in result.placed) == ["hv001", "hv002"]
    kinds = {name: kind for name, kind, _ in result.problems}
    assert kinds == {
        "HV003_bai01.ipynb": "wrong_assignment",
        "hong.ipynb": "unreadable",
        "Untitled.ipynb": "unmatched",
    }
    placed = classroom.root / "submitted" / "hv002" / "bai01"
    first_cell = json.loads((placed / "bai01.ipynb").read_text("utf-8"))["cells"][0]
    assert "".join(first_cell["source"]) == "Mã học viên: hv002"
    assert (placed / "timestamp.txt").read_text("utf-8").endswith(" UTC")


def test_is_every_file_handed_in_kept_byte_for_byte(classroom, tmp_path):
    usb = usb_folder(classroom, tmp_path)
    result = collect.collect(classroom, "bai01", usb)
    for path in usb.rglob("*.ipynb"):
        kept = result.archive / "nhan_duoc" / path.relative_to(usb)
        assert kept.read_bytes() == path.read_bytes(), path
    assert "không đọc được" in (result.archive / "bao_cao.txt").read_text("utf-8")


def test_is_the_newest_of_two_hand_ins_taken_from_a_zip(classroom, tmp_path):
    archive = tmp_path / "zalo.zip"
    older = with_id_inside(classroom, "hv001")
    newer = release_text(classroom, "bai01")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(zipfile.ZipInfo("hv001_ban_moi.ipynb", (2025, 10, 2, 9, 0, 0)), newer)
        z.writestr(zipfile.ZipInfo("nhap/bai01.ipynb", (2025, 10, 1, 9, 0, 0)), older)
        z.writestr(zipfile.ZipInfo("__MACOSX/._hv002.ipynb", (2025, 10, 1, 9, 0, 0)), "x")
    result = collect.collect(classroom, "bai01", archive)
    assert result.placed == [("hv001", "hv001_ban_moi.ipynb")]
    assert [(n, k) for n, k, _ in result.problems] == [("nhap/bai01.ipynb", "duplicate")]
    placed = classroom.root / "submitted" / "hv001" / "bai01" / "bai01.ipynb"
    assert placed.read_text("utf-8") == newer
    stamp = (placed.parent / "timestamp.txt").read_text("utf-8")
    assert stamp.startswith("2025-10-0")  # the time the learner saved it, not today


def test_is_a_submission_overwritten_only_with_force_and_the_old_one_kept(classroom, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "hv001.ipynb").write_text(release_text(classroom, "bai01"), encoding="utf-8")
    collect.collect(classroom, "bai01", usb)
    placed = classroom.root / "submitted" / "hv001" / "bai01" / "bai01.ipynb"
    first = placed.read_bytes()
    (usb / "hv001.ipynb").write_text(with_id_inside(classroom, "hv001"), encoding="utf-8")

    done = run(["hocso", "collect", "bai01", str(usb)], classroom.root)
    assert done.returncode == 1
    assert "đã có bài nộp (dùng --force để thay)" in done.stdout
    assert placed.read_bytes() == first

    result = collect.collect(classroom, "bai01", usb, force=True)
    assert result.placed == [("hv001", "hv001.ipynb")]
    assert placed.read_bytes() == (usb / "hv001.ipynb").read_bytes()
    assert (result.archive / "da_thay" / "hv001" / "bai01.ipynb").read_bytes() == first


def test_is_collecting_before_the_roster_refused(course, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "hv001.ipynb").write_text(release_text(course, "bai01"), encoding="utf-8")
    with pytest.raises(CourseError, match="roster import"):
        collect.collect(course, "bai01", usb)
    assert not (course.root / "submitted").exists()
    assert not (course.root / collect.ARCHIVE).exists()
