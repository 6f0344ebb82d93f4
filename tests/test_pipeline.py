"""The real nbgrader pipeline on every module: release -> submissions -> autograde -> export.

A copy of the same class is graded with ``hocso grade``, and its gradebook must be nbgrader's.

Everything runs with LANG=C, the locale of a bare server, to show Vietnamese survives.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from nbgrader.api import Gradebook

from . import submissions
from .conftest import copy_course, module_ids, run_ok
from .grading.corpus import gradebook_rows

pytestmark = pytest.mark.slow

BARE_LOCALE = {"LANG": "C", "LC_ALL": "C"}
# Vietnamese names in the roster, to follow them through the gradebook and the CSV export.
NAMES = {
    "dung_het": ("Nguyễn", "Thị Hương"),
    "bo_trong": ("Lò", "Văn Páo"),
    "sai_het": ("Giàng", "Seo Dình"),
    "dung_mot_nua": ("Trần", "Đức Thắng"),
    "xoa_o_kiem_tra": ("Hoàng", "Thị Ngọc Ánh"),
    "sua_o_khoa": ("Phạm", "Quốc Việt"),
    "gia_mao": ("Vũ", "Minh Đạt"),
    "canh_bao": ("Sùng", "Thị Mỷ"),
}
# What UTF-8 Vietnamese turns into when read as Latin-1 or cp1252 ("Mật" -> "Máº­t"). A
# lone "Ã" is no sign: it is a Vietnamese capital letter ("ĐÃ ẨN").
MOJIBAKE = ("áº", "á»", "Ã¡", "Ã¢", "Ãª", "Ã´", "Ã³", "Ã©", "Ãº", "Ä‘", "Æ°", "Æ¡", "\ufffd")


# Every module meets the learners that keep its tests honest; the two foundation modules
# also meet those that exercise nbgrader's own mechanics (partial, deleted, edited, warnings),
# which do not depend on the content and would only lengthen the run if repeated.
MECHANICS_MODULES = ("bai01", "bai02")


def recipes(module: submissions.Module) -> dict[str, tuple]:
    """Each synthetic learner's notebook for ``module`` and its expected score."""
    found = {
        "dung_het": (submissions.all_correct(module), module.auto_points),
        "bo_trong": (submissions.blank(module), 0),
        "sai_het": (submissions.all_wrong(module), 0),
        "gia_mao": (submissions.pretender(module), 0),
    }
    if module.id in MECHANICS_MODULES:
        found["dung_mot_nua"] = submissions.half_right(module)
        found["xoa_o_kiem_tra"] = submissions.deleted_test_cell(module)
        found["sua_o_khoa"] = (submissions.edited_locked_cells(module), 0)
        # A library warning on stderr must not zero a correct answer (nbgrader_config.py).
        found["canh_bao"] = (submissions.warning_in_function(module), module.auto_points)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course where every module was submitted by synthetic learners and autograded."""
    root = tmp_path_factory.mktemp("pipeline") / "course"
    copy_course(root)
    run_ok(["hocso", "release"], root, **BARE_LOCALE)
    expected: dict[tuple[str, str], float] = {}
    modules = {}
    for module_id in module_ids():
        module = modules[module_id] = submissions.load_module(module_id)
        for learner, (nb, score) in recipes(module).items():
            submissions.write(nb, root, learner, module_id)
            expected[learner, module_id] = score
    for learner, (last, first) in NAMES.items():
        run_ok(
            [
                "nbgrader",
                "db",
                "student",
                "add",
                learner,
                "--last-name",
                last,
                "--first-name",
                first,
            ],
            root,
            **BARE_LOCALE,
        )
    by_hocso = root.parent / "hocso_grade"
    shutil.copytree(root, by_hocso)
    for module_id in module_ids():
        run_ok(["nbgrader", "autograde", module_id], root, **BARE_LOCALE)
        run_ok(["hocso", "grade", module_id], by_hocso, **BARE_LOCALE)
    for module_id in MECHANICS_MODULES:
        run_ok(["nbgrader", "generate_feedback", module_id], root, **BARE_LOCALE)
    run_ok(["nbgrader", "export", "--to", "diem.csv"], root, **BARE_LOCALE)
    return root, modules, expected


def test_does_hocso_grade_write_nbgraders_gradebook_on_every_module(graded):
    root, modules, _ = graded
    expected = gradebook_rows(root)
    got = gradebook_rows(root.parent / "hocso_grade")
    assert {key[0] for key in expected} == set(modules)
    assert sorted(got) == sorted(expected)
    assert {key: (expected[key], got[key]) for key in expected if expected[key] != got[key]} == {}


def test_does_every_learner_get_exactly_the_expected_score(graded):
    root, _, expected = graded
    with open(root / "diem.csv", encoding="utf-8") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    got = {key: float(rows[key]["score"]) for key in expected}
    assert got == {key: float(score) for key, score in expected.items()}


def test_does_the_blank_release_score_zero_on_every_item(graded):
    root, modules, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for module_id, module in modules.items():
            for item in module.items:
                grade = gb.find_grade(item.test_id, module_id, module_id, "bo_trong")
                assert grade.score == 0, f"{module_id}/{item.test_id}"


def test_does_each_typical_wrong_answer_score_zero_on_its_item(graded):
    root, modules, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for module_id, module in modules.items():
            for item in module.items:
                grade = gb.find_grade(item.test_id, module_id, module_id, "sai_het")
                assert grade.score == 0, f"{module_id}/{item.test_id}: wrong answer scored"


def test_do_the_solutions_score_full_marks_on_every_item(graded):
    root, modules, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for module_id, module in modules.items():
            for item in module.items:
                grade = gb.find_grade(item.test_id, module_id, module_id, "dung_het")
                assert grade.score == item.points, f"{module_id}/{item.test_id}"


def test_do_written_answers_wait_for_the_instructor(graded):
    root, modules, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for module_id, module in modules.items():
            for grade_id in module.manual:
                answered = gb.find_grade(grade_id, module_id, module_id, "dung_het")
                assert answered.needs_manual_grade
                untouched = gb.find_grade(grade_id, module_id, module_id, "bo_trong")
                assert not untouched.needs_manual_grade and untouched.score == 0


def test_does_a_failed_check_show_one_short_vietnamese_line(graded):
    root, modules, _ = graded
    for module_id in modules:
        nb = json.loads(
            (root / "autograded" / "sai_het" / module_id / f"{module_id}.ipynb").read_text("utf-8")
        )
        errors = [
            o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
        ]
        assert errors
        for error in errors:
            assert error["ename"] == "AnswerError"
            assert error["traceback"] == ["❌ " + error["evalue"]]
            assert "chưa đúng" in error["evalue"]


def test_does_vietnamese_survive_release_autograde_feedback_and_export(graded):
    root, _, _ = graded
    texts = {}
    for pattern in ("release/*/*.ipynb", "autograded/*/*/*.ipynb", "feedback/*/*/*.html"):
        files = sorted(root.glob(pattern))
        assert files, pattern
        for path in files:
            texts[path] = path.read_text("utf-8")
    texts[root / "diem.csv"] = (root / "diem.csv").read_text("utf-8")
    for path, text in texts.items():
        assert not any(bad in text for bad in MOJIBAKE), path
    assert "Nguyễn" in texts[root / "diem.csv"] and "Thị Ngọc Ánh" in texts[root / "diem.csv"]
    for path, text in texts.items():
        if path.suffix == ".html":
            assert "Mục tiêu" in text, path
            if "sai_het" in path.parts:
                assert "chưa đúng" in text, path
