"""The hub description and the spawner's path planning, without starting anything."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from hocso.cli import build_parser
from hocso.course import CourseError
from hocso.hub import plan as hub_plan
from hocso.hub import spawner

from ..conftest import REPO

DEMO = REPO / "deploy" / "hub" / "lop_demo.yaml"


def test_does_the_demo_hub_have_two_courses_with_prefixed_accounts(repo_course):
    plan = hub_plan.load(DEMO, repo_course)
    lop1, lop2 = plan.courses
    assert (lop1.id, lop2.id) == ("lop1", "lop2")
    assert lop1.instructors == ["hs-gv01", "hs-gv02"]
    assert [t.id for t in lop1.trainees] == ["hs-hv001", "hs-hv002", "hs-hv003"]
    assert lop1.trainees[0].full_name == "Nguyễn Thị Hương"
    assert lop1.grader == "hs-grader-lop1" and lop1.group == "hs-lop1"
    assert plan.login_names()["hv001"] == "hs-hv001"
    assert len(plan.users()) == len(set(plan.users())) == 8


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("courses: []", "chưa có lớp"),
        ("courses: [{id: Lop-1, instructors: [gv01], roster: lop1.csv}]", "mã lớp 'Lop-1'"),
        ("courses: [{id: lop1, roster: lop1.csv}]", "chưa có giảng viên"),
        ("courses: [{id: lop1, instructors: [GV 01], roster: lop1.csv}]", "'GV 01'"),
        ("user_prefix: hocso_\ncourses: []", "user_prefix"),
        ("courses: [{id: lop1, instructors: [gv01], roster: khong_co.csv}]", "khong_co.csv"),
    ],
)
def test_is_a_bad_description_refused_with_what_is_wrong(repo_course, tmp_path, text, words):
    (tmp_path / "lop1.csv").write_text((DEMO.parent / "lop1.csv").read_text("utf-8"), "utf-8")
    path = tmp_path / "hub.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(CourseError, match=words):
        hub_plan.load(path, repo_course)


def test_is_a_bad_roster_row_reported_by_line(repo_course, tmp_path):
    (tmp_path / "lop.csv").write_text(
        "ma_hoc_vien,ho_ten,don_vi,xa,doi_tuong\nhv001,Lò Văn Páo,UBND,Vị Xuyên,ngoai_hanh_tinh\n",
        "utf-8",
    )
    path = tmp_path / "hub.yaml"
    path.write_text("courses: [{id: lop1, instructors: [gv01], roster: lop.csv}]", "utf-8")
    with pytest.raises(CourseError, match="dòng 2: đối tượng 'ngoai_hanh_tinh'"):
        hub_plan.load(path, repo_course)


def test_does_the_spawner_reveal_only_what_is_behind_a_closed_folder():
    # pytest's own tmp_path lies in a closed folder (0700): use an open one.
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        _check_reveal(Path(tmp))


def _check_reveal(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    (closed / "python" / "lib").mkdir(parents=True)
    (closed / "secret").mkdir()
    opened = tmp_path / "open" / "lib"
    opened.mkdir(parents=True)
    tmp_path.chmod(0o755)
    closed.chmod(0o700)
    (tmp_path / "open").chmod(0o755)
    wanted = [str(closed / "python" / "lib"), str(opened)]
    assert spawner.plan_reveal(wanted) == {str(closed): [str(closed / "python")]}
    assert spawner.closed_folder(str(opened)) is None
    # Every path a server of this environment needs is a real folder or file.
    assert all(os.path.exists(p) for p in spawner.runtime_paths())


def test_does_hocso_hub_have_start_and_remove():
    parser = build_parser()
    args = parser.parse_args(["hub", "start", "--root", "/srv/x", "--port", "8123"])
    assert (args.hub_command, args.root, args.port) == ("start", "/srv/x", 8123)
    assert parser.parse_args(["hub", "remove"]).hub_command == "remove"
