"""Tests of the analysis behind the research notebooks, and of the synthetic survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hocso.course import CourseError
from hocso.data import digital_gap_survey as survey
from hocso.reports import research
from hocso.reports.results import Results, item_statistics

from ..conftest import run


def results(matrix: dict[str, list[float]], points: dict[str, float]) -> Results:
    """One assignment; ``matrix`` maps an item to each learner's score."""
    learners = [f"hv{i}" for i in range(len(next(iter(matrix.values()))))]
    frame = pd.DataFrame(
        [
            {
                "id": i,
                "full_name": i,
                "unit": "A" if n % 2 else "B",
                "commune": "X",
                "audience": "public",
                "email": "",
            }
            for n, i in enumerate(learners)
        ]
    )
    items = pd.DataFrame(
        [
            {
                "assignment": "bai01",
                "notebook": "bai01",
                "item": k,
                "points": p,
                "manual": False,
                "competences": ("4.2",) if k != "c" else ("1.2", "4.2"),
                "question": k,
            }
            for k, p in points.items()
        ]
    )
    grades = pd.DataFrame(
        [
            {
                "student": learners[n],
                "assignment": "bai01",
                "notebook": "bai01",
                "item": k,
                "score": v,
                "max_score": points[k],
                "needs_manual_grade": False,
                "timestamp": None,
            }
            for k, values in matrix.items()
            for n, v in enumerate(values)
        ]
    )
    return Results(
        frame,
        items,
        grades,
        ["bai01"],
        {"bai01": "Bài 1"},
        {"public": ["bai01"]},
        {"4.2": "Bảo vệ dữ liệu", "1.2": "Đánh giá thông tin"},
    )


def test_are_difficulty_and_discrimination_computed_as_defined():
    r = results({"a": [0, 1, 1, 1], "b": [0, 0, 2, 2], "c": [0, 0, 0, 1]}, {"a": 1, "b": 2, "c": 1})
    stats = item_statistics(r).set_index("item")
    assert stats.at["a", "difficulty"] == pytest.approx(0.75)
    assert stats.at["b", "difficulty"] == pytest.approx(0.5)
    rest = np.array([0, 0, 2, 3])  # b + c for each learner
    expected = np.corrcoef([0, 1, 1, 1], rest)[0, 1]
    assert stats.at["a", "discrimination"] == pytest.approx(expected)


def test_does_a_multi_competence_item_count_for_each_competence():
    r = results({"a": [1, 1], "c": [0, 1]}, {"a": 1, "c": 1})
    mastery = r.mastery("id")
    assert mastery.at["hv0", "4.2"] == pytest.approx(0.5)  # a right, c wrong
    assert mastery.at["hv0", "1.2"] == pytest.approx(0.0)
    assert mastery.at["hv1", "1.2"] == pytest.approx(1.0)


def test_does_the_funnel_narrow_step_by_step():
    r = results({"a": [0, 1, 1, 1], "b": [0, 0, 2, 2]}, {"a": 1, "b": 2})
    r.learners.loc[len(r.learners)] = ["hv9", "hv9", "A", "X", "public", ""]  # never handed in
    funnel = research.funnel(r)["Số học viên"].tolist()
    assert funnel == [5, 4, 4, 2]


def test_is_the_survey_the_same_every_time_and_labelled_synthetic():
    first, second = survey.generate(), survey.generate()
    pd.testing.assert_frame_equal(first, second)
    assert (first["nguon"] == survey.SYNTHETIC).all()
    assert "GIẢ LẬP" in survey.LABEL


def test_does_the_survey_show_the_gaps_it_was_built_with():
    frame = survey.generate()
    by_area = survey.gap_table(frame, "khu_vuc")
    by_age = survey.gap_table(frame, "nhom_tuoi")
    services = "Dùng dịch vụ công (%)"
    assert by_area.at["thành thị", services] > by_area.at["vùng cao", services]
    assert by_age["Điểm kỹ năng"].is_monotonic_decreasing
    reading = research.survey_reading(frame)
    assert f"chỉ {by_area.at['vùng cao', services]:.0f}%" in reading


def test_is_a_real_survey_file_read_and_a_bad_one_named(tmp_path):
    good = tmp_path / "khao_sat.csv"
    survey.generate(50).drop(columns="nguon").to_csv(good, index=False)
    assert (survey.load(good)["nguon"] == "khao_sat.csv").all()
    bad = tmp_path / "thieu_cot.csv"
    pd.DataFrame({"nhom_tuoi": ["60+"]}).to_csv(bad, index=False)
    with pytest.raises(CourseError, match="thiếu cột: doi_tuong"):
        survey.load(bad)


@pytest.mark.parametrize("command", [["report"], ["certificates"], ["feedback", "bai01"]])
def test_is_a_report_before_the_roster_refused(course, command):
    done = run(["hocso", *command], course.root)
    assert done.returncode == 1
    assert "roster import" in done.stderr and "Traceback" not in done.stderr
    for written in ("bao_cao", "chung_nhan", "gradebook.db"):
        assert not (course.root / written).exists()
