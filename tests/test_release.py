"""Tests of hocso.release: release/ comes from nbgrader, is deterministic and in sync."""

import hashlib
import json

import pytest

from hocso import release
from hocso.course import CourseError

from .conftest import REPO, module_ids, run


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.slow
def test_is_the_committed_release_in_sync_with_source(request, repo_course):
    """The golden test: release/ is what nbgrader makes of source/ (--update-goldens fixes it)."""
    if request.config.getoption("--update-goldens"):
        release.release(repo_course)
    assert release.stale(repo_course) == []


@pytest.mark.slow
def test_does_releasing_twice_give_identical_bytes(course):
    # Two modules are enough: nothing in generation depends on which module it is.
    release.release(course, ["bai01", "bai02"])
    first = tree_digest(course.release_dir)
    release.release(course, ["bai01", "bai02"])
    assert tree_digest(course.release_dir) == first
    assert (course.root / "gradebook.db").exists(), "nbgrader registers the assignments"


@pytest.mark.slow
def test_does_the_release_hide_solutions_hidden_tests_and_outputs(repo_course):
    for assignment_id in module_ids():
        text = (REPO / "release" / assignment_id / f"{assignment_id}.ipynb").read_text("utf-8")
        assert "BEGIN SOLUTION" not in text
        assert "BEGIN HIDDEN TESTS" not in text
        assert "checks.check_correct" not in text, "the answer key stays in the hidden tests"
        assert "why_wrong" not in text
        nb = json.loads(text)
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.slow
def test_does_a_broken_source_notebook_change_nothing(course):
    release.release(course, ["bai01"])
    before = tree_digest(course.release_dir)
    (course.source_dir / "bai02" / "bai02.ipynb").write_text("không phải JSON", encoding="utf-8")
    done = run(["hocso", "release"], cwd=course.root)
    assert done.returncode == 1
    assert "bai02.ipynb" in done.stderr and "JSON" in done.stderr
    assert done.stderr.count("\n") == 1, "one clear message, no traceback"
    assert tree_digest(course.release_dir) == before


def test_is_an_unknown_assignment_refused_by_name(course):
    with pytest.raises(CourseError) as excinfo:
        release.release(course, ["bai99"])
    assert "bai99" in str(excinfo.value) and "bai01" in str(excinfo.value)
    assert not (course.root / "gradebook.db").exists()


def test_does_the_cli_refuse_an_unknown_assignment_without_writing(course):
    before = tree_digest(course.root)
    done = run(["hocso", "release", "bai99"], cwd=course.root)
    assert done.returncode == 1
    assert "'bai99'" in done.stderr
    assert tree_digest(course.root) == before
