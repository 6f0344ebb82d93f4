"""Tests of `hocso roster import`: CSV and Excel rosters into nbgrader's gradebook."""

from __future__ import annotations

import pandas as pd
import pytest
from nbgrader.api import Gradebook

from hocso.term import roster

from ..conftest import run, run_ok

HEADER = "Mã học viên,Họ tên,Đơn vị,Xã,Đối tượng,Email\n"
GOOD = (
    "hv001,Nguyễn Thị Hương,UBND xã Lũng Cú,Lũng Cú,officials,huong@example.vn\n"
    'hv002,Lò Văn Páo,Trường THCS Lũng Cú,Lũng Cú,"Học sinh, sinh viên",\n'
)
BAD = (
    "hv003,,UBND xã Lũng Cú,Lũng Cú,public,\n"  # row 4: no name
    "hv004,Giàng Seo Dình,Thôn Lô Lô Chải,Lũng Cú,khach,\n"  # row 5: unknown audience
    "hv005,Sùng Thị Mỷ,Hội Phụ nữ,Sủng Là,public,\n"  # row 6: duplicate id
    "hv005,Vàng Mí Chứ,Hội Phụ nữ,Sủng Là,public,\n"  # row 7: duplicate id
    "hv 6,Trần Đức Thắng,Đồn Biên phòng,Lũng Cú,officials,\n"  # row 8: id with a space
    "hv007,Hoàng Thị Ngọc Ánh,Trường THPT,Đồng Văn,students,khong-phai-email\n"  # row 9
    "hv008,Ma Văn Pó,Hội Nông dân,Mèo Vạc,public,\n"  # row 10: fine
)


def gradebook(course) -> Gradebook:
    return Gradebook(f"sqlite:///{course.root / 'gradebook.db'}")


def test_are_good_rows_imported_with_their_unit_commune_and_audience(course, tmp_path):
    path = tmp_path / "lop.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    done = run_ok(["hocso", "roster", "import", str(path)], course.root)
    assert "Đã thêm 2 học viên mới" in done.stdout
    with gradebook(course) as gb:
        student = gb.find_student("hv001")
        assert (student.last_name, student.first_name) == ("Nguyễn", "Thị Hương")
        assert student.email == "huong@example.vn"
    learners = roster.load(course).set_index("id")
    assert learners.at["hv002", "audience"] == "students"  # the Vietnamese name was accepted
    assert learners.at["hv002", "unit"] == "Trường THCS Lũng Cú"
    assert learners.at["hv001", "full_name"] == "Nguyễn Thị Hương"


def test_is_each_bad_row_reported_by_number_while_the_others_are_imported(course, tmp_path):
    path = tmp_path / "lop.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    done = run(["hocso", "roster", "import", str(path)], course.root)
    assert done.returncode == 1
    reported = {
        int(line.split("dòng ")[1].split(":")[0])
        for line in done.stdout.splitlines()
        if line.strip().startswith("- dòng")
    }
    assert reported == {4, 5, 6, 7, 8, 9}
    assert "bị lặp" in done.stdout and "thiếu họ tên" in done.stdout
    assert sorted(roster.load(course)["id"]) == ["hv001", "hv002", "hv008"]


def test_does_a_second_import_update_instead_of_duplicating(course, tmp_path):
    path = tmp_path / "lop.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    run_ok(["hocso", "roster", "import", str(path)], course.root)
    path.write_text(HEADER + GOOD.replace("UBND xã Lũng Cú", "UBND xã Sủng Là"), encoding="utf-8")
    done = run_ok(["hocso", "roster", "import", str(path)], course.root)
    assert "cập nhật 2 học viên" in done.stdout
    learners = roster.load(course).set_index("id")
    assert len(learners) == 2
    assert learners.at["hv001", "unit"] == "UBND xã Sủng Là"


def test_is_an_excel_roster_with_english_headers_read(course, tmp_path):
    path = tmp_path / "lop.xlsx"
    pd.DataFrame(
        {
            "learner_id": ["hv010", "hv011"],
            "full_name": ["Giàng Seo Dình", "Páo"],
            "unit": ["Đồn Biên phòng Lũng Cú", "Hội Người cao tuổi"],
            "commune": ["Lũng Cú", "Mèo Vạc"],
            "audience": ["officials", "public"],
        }
    ).to_excel(path, index=False)
    result = roster.import_file(course, path)
    assert (result.added, result.problems) == (["hv010", "hv011"], [])
    learners = roster.load(course).set_index("id")
    assert learners.at["hv011", "first_name"] == "Páo" and learners.at["hv011", "last_name"] == ""


@pytest.mark.parametrize(
    "content, message",
    [
        ("ho_ten,don_vi\nA,B\n", "thiếu cột mã học viên"),
        (b"\xff\xfeh\x00v\x00", "không phải UTF-8"),
    ],
)
def test_is_an_unusable_file_refused_with_nothing_written(course, tmp_path, content, message):
    path = tmp_path / "lop.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    done = run(["hocso", "roster", "import", str(path)], course.root)
    assert done.returncode == 1
    assert message in done.stderr
    assert not (course.root / "gradebook.db").exists()
