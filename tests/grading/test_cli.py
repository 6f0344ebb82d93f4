"""Is `hocso grade` resumable, selective and clear about what it did?"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from ..conftest import BIN, run, tool_env
from . import corpus

pytestmark = pytest.mark.slow

MODULE = "bai01"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "course"
    corpus.build(root, [MODULE], {MODULE: ["dung_het", "sai_het", "dung_mot_nua"]})
    first = run(["hocso", "grade", MODULE], root)
    return root, first


def test_does_a_first_run_grade_everyone_and_exit_zero(course):
    root, first = course
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Đã chấm" in first.stdout and "Mọi bài đã được chấm" in first.stdout
    assert corpus.scores(root, MODULE) == {"dung_het": 17, "sai_het": 0, "dung_mot_nua": 8}


def test_does_a_second_run_skip_what_is_already_graded(course):
    root, _ = course
    again = run(["hocso", "grade", MODULE], root)
    assert again.returncode == 0
    assert "Bỏ qua 3 bài đã chấm" in again.stdout


def test_is_an_interrupted_submission_graded_again(course):
    root, _ = course
    # What a kill -9 in the middle of grading leaves behind: the marker of the one in progress.
    (root / "autograded" / "sai_het" / f".{MODULE}.hocso-dang-cham").write_text("Đang chấm.\n")
    again = run(["hocso", "grade", MODULE], root)
    assert again.returncode == 0
    assert "Bỏ qua 2 bài" in again.stdout
    assert not (root / "autograded" / "sai_het" / f".{MODULE}.hocso-dang-cham").exists()


def test_does_force_with_student_regrade_only_that_learner(course):
    root, _ = course
    again = run(["hocso", "grade", MODULE, "--student", "dung_het", "--force"], root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Bỏ qua" not in again.stdout
    assert corpus.scores(root, MODULE)["dung_het"] == 17


def test_is_an_unknown_learner_a_clear_vietnamese_error(course):
    root, _ = course
    done = run(["hocso", "grade", MODULE, "--student", "khong_co"], root)
    assert done.returncode == 1
    assert "Không có bài nộp bai01 của: khong_co" in done.stderr


def test_is_an_assignment_without_submissions_a_clear_error(course):
    root, _ = course
    done = run(["hocso", "grade", "bai02"], root)
    assert done.returncode == 1
    assert "Chưa có bài nộp nào của bai02" in done.stderr


def test_does_a_run_killed_with_sigkill_finish_on_the_next_run(course):
    root, _ = course
    command = [str(BIN / "hocso"), "grade", MODULE, "--force", "--workers", "1"]
    process = subprocess.Popen(
        command, cwd=root, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    markers = lambda: list(root.glob(f"autograded/*/.{MODULE}.hocso-dang-cham"))  # noqa: E731
    deadline = time.monotonic() + 120
    while not markers() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # in the middle of a submission
    process.kill()
    process.wait()
    again = run(["hocso", "grade", MODULE], root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert markers() == []
    assert corpus.scores(root, MODULE) == {"dung_het": 17, "sai_het": 0, "dung_mot_nua": 8}


def test_does_grading_without_isolation_warn_loudly_and_still_score_right(tmp_path):
    root = corpus.build(tmp_path / "course", [MODULE], {MODULE: ["dung_het", "sai_het"]})
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("\nc.Grader.isolate = False\n")
    # A course that belongs to a grader account, as on a hub: what root writes is handed back.
    grader_account = 4242
    for path in [root, *root.rglob("*")]:
        os.chown(path, grader_account, grader_account)
    done = run(["hocso", "grade", MODULE], root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CẢNH BÁO: cách ly đã bị tắt" in done.stderr
    assert "KHÔNG bị chặn mạng" in done.stderr
    assert corpus.scores(root, MODULE) == {"dung_het": 17, "sai_het": 0}
    written = [root / "autograded", *(root / "autograded").rglob("*")]
    assert written and {p.stat().st_uid for p in written} == {grader_account}
