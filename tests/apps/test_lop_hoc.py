"""The instructor dashboard: the table per module, filters, and the message without gradebook."""

from __future__ import annotations

import math

import pandas as pd

from hocso.apps import lop_hoc
from hocso.reports.results import Results


def results() -> Results:
    learners = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "unit": ["UBND xã A", "UBND xã A", "Trường B"],
            "audience": ["officials", "officials", "students"],
        }
    )
    grades = pd.DataFrame(
        {
            "student": ["a", "a", "c"],
            "assignment": ["bai01", "bai02", "bai01"],
            "score": [8.0, 5.0, 10.0],
        }
    )
    items = pd.DataFrame({"assignment": ["bai01", "bai02"], "points": [10.0, 10.0]})
    return Results(
        learners=learners,
        items=items,
        grades=grades,
        assignments=["bai01", "bai02"],
        titles={"bai01": "Mật khẩu", "bai02": "Lừa đảo"},
        required={"officials": ["bai01", "bai02"], "students": ["bai01"]},
        competence_names={},
    )


def test_are_completion_and_mean_score_counted_per_module():
    table = lop_hoc.module_table(results()).set_index("Mã bài")
    assert table.loc["bai01", "Phải học"] == 3 and table.loc["bai01", "Đã nộp"] == 2
    assert table.loc["bai01", "Điểm trung bình (%)"] == 90.0
    assert table.loc["bai02", "Phải học"] == 2 and table.loc["bai02", "Hoàn thành (%)"] == 50.0


def test_does_filtering_by_unit_keep_only_its_learners():
    table = lop_hoc.module_table(results(), unit="Trường B").set_index("Mã bài")
    assert table.loc["bai01", "Phải học"] == 1 and table.loc["bai01", "Hoàn thành (%)"] == 100.0
    assert table.loc["bai02", "Phải học"] == 0 and math.isnan(table.loc["bai02", "Hoàn thành (%)"])


def test_is_a_course_without_gradebook_told_so_clearly(course):
    assert not (course.root / "gradebook.db").exists()
    assert "Chưa có sổ điểm" in lop_hoc.gradebook_missing(course)
    app = lop_hoc.app(course.root)
    assert "Chưa có sổ điểm" in app.children[-1].value


def test_is_the_table_html_escaped_and_scrollable():
    frame = lop_hoc.module_table(results())
    frame.loc[0, "Bài"] = "<b>x</b>"
    html = lop_hoc.render_table(frame)
    assert "overflow-x:auto" in html and "<b>x</b>" not in html
