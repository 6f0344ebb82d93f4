"""Tests of the hocso command on bad input: one clear message, exit 1, nothing written."""

import pytest

from .conftest import run
from .test_release import tree_digest


@pytest.mark.parametrize("command", [["check"], ["release"], ["clean"], ["lab"]])
def test_is_a_folder_that_is_not_a_course_refused(tmp_path, command):
    (tmp_path / "ghi_chu.txt").write_text("không phải khóa học", encoding="utf-8")
    before = tree_digest(tmp_path)
    done = run(["hocso", "--course", str(tmp_path), *command], cwd=tmp_path)
    assert done.returncode == 1
    assert "không phải là một khóa học nbgrader" in done.stderr
    assert "Traceback" not in done.stderr
    assert tree_digest(tmp_path) == before


def test_is_a_missing_folder_named(tmp_path):
    done = run(["hocso", "--course", str(tmp_path / "khong_co"), "check"], cwd=tmp_path)
    assert done.returncode == 1
    assert "khong_co" in done.stderr


def test_does_clean_refuse_a_broken_notebook_and_leave_the_others(course):
    good = course.source_dir / "bai01" / "bai01.ipynb"
    broken = course.root / "hong.ipynb"
    broken.write_text("{", encoding="utf-8")
    before = good.read_bytes()
    done = run(["hocso", "clean", str(good), str(broken)], cwd=course.root)
    assert done.returncode == 1
    assert "hong.ipynb" in done.stderr
    assert good.read_bytes() == before


def test_does_clean_strip_outputs_from_a_notebook(course):
    import json

    path = course.source_dir / "bai01" / "bai01.ipynb"
    nb = json.loads(path.read_text("utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["xin chào\n"]}]
    code["execution_count"] = 1
    path.write_text(json.dumps(nb), encoding="utf-8")
    done = run(["hocso", "clean"], cwd=course.root)
    assert done.returncode == 0, done.stderr
    assert "1 notebook được làm sạch" in done.stdout
    cleaned = json.loads(path.read_text("utf-8"))
    assert all(not c.get("outputs") for c in cleaned["cells"] if c["cell_type"] == "code")
