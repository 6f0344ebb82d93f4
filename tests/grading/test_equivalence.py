"""Does ``hocso grade`` write the same gradebook as ``nbgrader autograde`` on the same class?"""

from __future__ import annotations

import pytest

from ..conftest import run, run_ok
from . import corpus

pytestmark = pytest.mark.slow

MODULES = ["bai01", "bai02"]
# bai01 gets every recipe; bai02 (also finished and stable) the common ones, to keep time down.
LEARNERS = {"bai02": ["dung_mot_nua", "nop_muon"]}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("equivalence")
    original = corpus.build(base / "original", MODULES, LEARNERS)
    by_nbgrader = corpus.clone(original, base / "nbgrader")
    by_hocso = corpus.clone(original, base / "hocso")
    for module_id in MODULES:
        run_ok(["nbgrader", "autograde", module_id], by_nbgrader)
        done = run(["hocso", "grade", module_id, "--workers", "2"], by_hocso)
        assert done.returncode == 0, done.stdout + done.stderr
    return by_nbgrader, by_hocso


def test_is_every_gradebook_row_the_same_as_nbgrader_autograde(both):
    by_nbgrader, by_hocso = both
    expected, got = corpus.gradebook_rows(by_nbgrader), corpus.gradebook_rows(by_hocso)
    assert expected, "nbgrader wrote nothing"
    assert sorted(got) == sorted(expected)
    different = {key: (expected[key], got[key]) for key in expected if expected[key] != got[key]}
    assert different == {}


def test_do_the_scores_match_what_each_recipe_earns(both):
    _, by_hocso = both
    scores = corpus.scores(by_hocso, "bai01")
    assert scores["dung_het"] == 17
    assert scores["nop_muon"] == 0  # late, penalty "zero"
    assert scores["sai_het"] == scores["sua_o_khoa"] == scores["sua_diem"] == 0
    assert scores["gia_mao"] == 0
    assert scores["xoa_o_kiem_tra"] == 17 - 2
    assert 0 < scores["chay_qua_lau"] < scores["dung_mot_nua"] + 1


def test_are_the_autograded_notebooks_written_for_every_learner(both):
    by_nbgrader, by_hocso = both
    for module_id in MODULES:
        expected = sorted(
            p.relative_to(by_nbgrader) for p in by_nbgrader.glob(f"autograded/*/{module_id}/*")
        )
        got = sorted(p.relative_to(by_hocso) for p in by_hocso.glob(f"autograded/*/{module_id}/*"))
        assert got == expected
