"""One machine, whole exchange: release -> fetch -> submit -> collect with nbgrader's commands."""

import json

import pytest

from .conftest import run_ok

pytestmark = pytest.mark.slow


def test_does_an_assignment_travel_through_the_exchange_and_get_graded(course):
    root = course.root
    run_ok(["hocso", "release", "bai01", "--exchange"], root)
    listed = run_ok(["nbgrader", "list"], root)
    assert "bai01" in listed.stdout + listed.stderr

    run_ok(["nbgrader", "fetch_assignment", "bai01"], root)
    fetched = root / "hoc_vien" / "bai01" / "bai01.ipynb"
    assert fetched.exists(), "fetched into the learners' folder set in nbgrader_config.py"

    # The learner answers one item correctly and leaves the rest.
    source = json.loads((course.source_dir / "bai01" / "bai01.ipynb").read_text("utf-8"))
    nb = json.loads(fetched.read_text("utf-8"))
    answers = [c for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    first = answers[0] if answers[0]["cell_type"] == "code" else answers[1]
    grade_id = first["metadata"]["nbgrader"]["grade_id"]
    solution = "".join(first["source"]).replace("### BEGIN SOLUTION\n", "")
    solution = solution.replace("### END SOLUTION", "")
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = solution
    fetched.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")

    run_ok(["nbgrader", "submit", "bai01", "--student", "hv001"], root / "hoc_vien")
    run_ok(["nbgrader", "collect", "bai01"], root)
    assert (root / "submitted" / "hv001" / "bai01" / "bai01.ipynb").exists()
    assert (root / "submitted" / "hv001" / "bai01" / "timestamp.txt").exists()

    run_ok(["nbgrader", "autograde", "bai01"], root)
    run_ok(["nbgrader", "export", "--to", "diem.csv"], root)
    rows = (root / "diem.csv").read_text("utf-8").splitlines()
    score_row = next(r for r in rows if ",hv001," in r)
    test_id = grade_id + "_kiem_tra"
    test_cell = next(
        c for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == test_id
    )
    points = test_cell["metadata"]["nbgrader"]["points"]
    assert float(score_row.split(",")[-2]) == float(points)
