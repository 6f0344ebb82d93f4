"""Tests of hocso check: the real course passes; each kind of defect is reported readably."""

import json

import pytest

from hocso import lint

from .conftest import run


def edit_source(course, assignment_id, change):
    path = course.source_dir / assignment_id / f"{assignment_id}.ipynb"
    nb = json.loads(path.read_text("utf-8"))
    change(nb)
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


def grade_cells(nb):
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]


@pytest.mark.slow
def test_does_the_whole_course_pass_check(course):
    # release/ is compared with source/ by the golden test in test_release.py.
    done = run(["hocso", "check", "--skip-release"], cwd=course.root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Khóa học ổn" in done.stdout


def test_are_outputs_and_execution_counts_reported(course):
    def dirty(nb):
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x"]}]
        cell["execution_count"] = 7

    edit_source(course, "bai01", dirty)
    problems = lint.run(course, check_release=False)
    assert any("bai01.ipynb" in p and "outputs" in p for p in problems)
    assert any("bai01.ipynb" in p and "execution_count" in p for p in problems)


def test_is_a_duplicate_grade_id_reported_with_both_cells(course):
    def duplicate(nb):
        first, second = grade_cells(nb)[:2]
        second["metadata"]["nbgrader"]["grade_id"] = first["metadata"]["nbgrader"]["grade_id"]

    edit_source(course, "bai02", duplicate)
    problems = lint.run(course, check_release=False)
    assert any("bai02.ipynb" in p and "trùng với ô" in p for p in problems), problems


def test_is_invalid_nbgrader_metadata_reported(course):
    def no_points(nb):
        del grade_cells(nb)[0]["metadata"]["nbgrader"]["points"]

    edit_source(course, "bai01", no_points)
    problems = lint.run(course, check_release=False)
    assert any("metadata nbgrader không hợp lệ" in p and "points" in p for p in problems), problems


def test_is_a_grade_cell_without_competence_codes_reported(course):
    def strip_codes(nb):
        code_cells = [c for c in grade_cells(nb) if c["cell_type"] == "code"]
        del code_cells[0]["metadata"]["hocso"]

    edit_source(course, "bai01", strip_codes)
    problems = lint.run(course, check_release=False)
    assert any("mã năng lực" in p for p in problems), problems


def test_is_an_assignment_missing_from_the_curriculum_reported(course):
    (course.curriculum_dir / "modules" / "bai02.yaml").unlink()
    problems = lint.run(course, check_release=False)
    assert any("source/bai02" in p and "chương trình học" in p for p in problems), problems


@pytest.mark.slow
def test_is_an_out_of_date_release_reported_and_the_exit_code_1(course):
    def reword(nb):
        md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        md["source"] = "".join(md["source"]) + "\n\nThêm một câu mới."

    edit_source(course, "bai02", reword)
    done = run(["hocso", "check"], cwd=course.root)
    assert done.returncode == 1
    assert "release/bai02/bai02.ipynb: khác với bản tạo từ source/" in done.stdout
    assert "hocso release bai02" in done.stdout


def test_is_a_broken_notebook_reported_not_crashed(course):
    (course.source_dir / "bai01" / "bai01.ipynb").write_text("[1, 2", encoding="utf-8")
    problems = lint.run(course, check_release=False)
    assert any("bai01.ipynb" in p and "JSON" in p for p in problems), problems
