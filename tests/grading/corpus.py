"""A class of synthetic learners for grading tests, and a dump of the gradebook to compare."""

from __future__ import annotations

import copy
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook

from .. import submissions
from ..conftest import copy_course, run_ok

#: Settings appended to the temporary course's nbgrader_config.py: short timeouts keep the
#: tests fast, and a late submission must visibly cost its score.
TEST_CONFIG = """
c.Execute.timeout = 2
c.SandboxExecute.interrupt_grace = 5
c.LateSubmissionPlugin.penalty_method = "zero"
"""
DUE = datetime(2026, 1, 10, 17, 0, 0)


def _replace_answer(module, nb, item_index: int, source: str):
    nb = copy.deepcopy(nb)
    answer_id = module.items[item_index].answer_id
    for cell in nb.cells:
        if submissions.nbgrader_meta(cell).get("grade_id") == answer_id:
            cell.source = source
    return nb


def recipes(module) -> dict:
    """Learner id -> submitted notebook: every case the equivalence test must agree on."""
    half, _ = submissions.half_right(module)
    deleted, _ = submissions.deleted_test_cell(module)
    correct = submissions.all_correct(module)
    more_points = submissions.all_wrong(module)
    for cell in more_points.cells:
        if submissions.nbgrader_meta(cell).get("grade"):
            cell.metadata["nbgrader"]["points"] = 100
    no_answer_cell = copy.deepcopy(correct)
    last = module.items[-1].answer_id
    no_answer_cell.cells = [
        c for c in no_answer_cell.cells if submissions.nbgrader_meta(c).get("grade_id") != last
    ]
    return {
        "dung_het": correct,
        "bo_trong": submissions.blank(module),
        "sai_het": submissions.all_wrong(module),
        "dung_mot_nua": half,
        "xoa_o_kiem_tra": deleted,
        "xoa_o_tra_loi": no_answer_cell,
        "sua_o_khoa": submissions.edited_locked_cells(module),
        "sua_diem": more_points,
        "canh_bao": submissions.warning_in_function(module),
        "gia_mao": submissions.pretender(module),
        "nop_muon": correct,
        "chay_qua_lau": _replace_answer(module, half, 0, "import time\ntime.sleep(60)"),
        "vong_lap": _replace_answer(module, correct, 1, "while True:\n    pass"),
        "loi_chay": _replace_answer(module, correct, 0, "1 / 0"),
    }


def build(root: Path, module_ids: list[str], learners: dict[str, list[str]] | None = None):
    """A released course at ``root`` with the recipes' submissions (``learners`` filters)."""
    copy_course(root)
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(TEST_CONFIG)
    for module_id in module_ids:
        run_ok(["hocso", "release", module_id], root)
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            gb.update_or_create_assignment(module_id, duedate=DUE)
        module = submissions.load_module(module_id)
        wanted = (learners or {}).get(module_id)
        for learner, nb in recipes(module).items():
            if wanted is not None and learner not in wanted:
                continue
            submissions.write(nb, root, learner, module_id)
            late = learner == "nop_muon"
            stamp = DUE + (timedelta(days=2) if late else -timedelta(days=1))
            (root / "submitted" / learner / module_id / "timestamp.txt").write_text(
                stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
            )
    return root


def clone(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def gradebook_rows(root: Path) -> dict:
    """Every row autograde writes, keyed so two gradebooks can be compared one by one."""
    rows = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                student = sub.student.id
                rows[assignment.name, student, "timestamp"] = sub.timestamp
                for nb in sub.notebooks:
                    key = (assignment.name, student, nb.name)
                    rows[*key, "late_penalty"] = nb.late_submission_penalty
                    for grade in nb.grades:
                        rows[*key, grade.name] = (
                            grade.auto_score,
                            grade.manual_score,
                            grade.needs_manual_grade,
                        )
                    for comment in nb.comments:
                        rows[*key, comment.name, "comment"] = comment.auto_comment
    return rows


def scores(root: Path, assignment_id: str) -> dict[str, float]:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {
            sub.student.id: sub.score - (sub.late_submission_penalty or 0)
            for sub in gb.find_assignment(assignment_id).submissions
        }
