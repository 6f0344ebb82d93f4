"""The scam quiz: synthetic messages, rounds in random order, explanations and the score."""

from __future__ import annotations

import random
import re

from hocso.apps import lua_dao


def test_are_all_web_addresses_reserved_example_domains():
    for question in lua_dao.QUESTIONS:
        for host in re.findall(r"https?://([^/\s]+)", question.text):
            assert host.endswith(".example"), (question.key, host)


def test_does_every_scam_name_its_red_flags_and_every_safe_message_none():
    for question in lua_dao.QUESTIONS:
        assert bool(question.flags) == question.scam, question.key
        assert set(question.flags) <= set(lua_dao.FLAGS)


def test_do_two_rounds_come_in_different_orders_with_safe_messages_in_each():
    first = lua_dao.new_round(random.Random(1))
    second = lua_dao.new_round(random.Random(2))
    assert [q.key for q in first] != [q.key for q in second]
    assert all(sum(not q.scam for q in r) >= 2 for r in (first, second))


def test_is_a_wrong_answer_told_and_the_flags_explained():
    otp = next(q for q in lua_dao.QUESTIONS if q.key == "otp_huy")
    right, html = lua_dao.check(otp, says_scam=False)
    assert not right and "Chưa đúng" in html and "OTP" in html


def test_does_clicking_through_a_round_end_with_the_score():
    app = lua_dao.app(random.Random(3))
    buttons = {b.description: b for b in _walk(app) if b.__class__.__name__ == "Button"}
    message = app.children[1]
    for _ in range(8):
        buttons["⚠ Lừa đảo"].click()
        buttons["Câu tiếp theo →"].click()
    assert "Bạn đúng" in message.value and "/8 câu" in message.value


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
