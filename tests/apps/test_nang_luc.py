"""The self-assessment: scores per domain, the radar chart, modules suggested from curriculum/."""

from __future__ import annotations

from hocso import curriculum
from hocso.apps import nang_luc
from tests.conftest import REPO


def test_does_every_domain_of_circular_02_have_two_statements_on_known_competences():
    known = curriculum.load(REPO / "curriculum")
    domains = {c.domain for c in known.competences.values()}
    for domain in domains:
        assert sum(s.domain == domain for s in nang_luc.STATEMENTS) == 2
    assert all(s.competence in known.competences for s in nang_luc.STATEMENTS)


def test_is_a_weak_safety_domain_filled_by_the_modules_that_teach_safety():
    known = curriculum.load(REPO / "curriculum")
    answers = {s.key: 0 if s.domain == "4" else 3 for s in nang_luc.STATEMENTS}
    scores = nang_luc.domain_scores(answers)
    assert scores["4"] == 0 and scores["1"] == 1
    suggested = nang_luc.suggest_modules(known, scores)
    ids = [m.id for m, _ in suggested]
    assert "bai01" in ids and "bai02" in ids
    assert all(all(c.startswith("4.") for c in covered) for _, covered in suggested)


def test_is_nothing_suggested_when_every_domain_is_strong():
    known = curriculum.load(REPO / "curriculum")
    scores = nang_luc.domain_scores({s.key: 3 for s in nang_luc.STATEMENTS})
    assert nang_luc.suggest_modules(known, scores) == []


def test_is_the_radar_chart_a_png():
    png = nang_luc.radar_png({d: 0.5 for d in "123456"}, {"1": "Khai thác dữ liệu"})
    assert png.startswith(b"\x89PNG")


def test_does_submitting_with_missing_answers_say_which_ones():
    app = nang_luc.app(REPO)
    radios = [w for w in app.children if w.__class__.__name__ == "RadioButtons"]
    radios[0].value = 2
    submit = next(w for w in app.children if w.__class__.__name__ == "Button")
    submit.click()
    message = app.children[app.children.index(submit) + 1]
    assert "2, 3" in message.value
    for radio in radios:
        radio.value = 0
    submit.click()
    result = app.children[-1]
    assert "bai01" in result.value
