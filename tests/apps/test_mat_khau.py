"""The password checker's logic: estimates, patterns, advice, and what it never keeps."""

from __future__ import annotations

import random

from hocso.apps import mat_khau


def test_is_the_most_common_password_very_weak_and_ranked_first():
    report = mat_khau.analyse("123456")
    assert report.common_rank == 1
    assert report.score == 0 and report.verdict == "Rất yếu"
    assert any("danh sách" in a for a in report.advice)


def test_does_the_shipped_list_hold_ten_thousand_distinct_passwords_with_its_source():
    common = mat_khau.common_passwords()
    assert len(common) == 10_000
    text = (mat_khau.resources.files("hocso.apps") / "data" / "common_passwords.txt").read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "zxcvbn" in header and "MIT licence" in header


def test_are_vietnamese_words_without_diacritics_found_and_cheap_to_guess():
    report = mat_khau.analyse("anhyeuem2024")
    assert "tieng_viet" in {f.kind for f in report.findings} or report.common_rank
    assert report.score <= 2


def test_is_a_vietnamese_mobile_number_flagged_and_its_guesses_capped():
    report = mat_khau.analyse("0987654321")
    assert "dien_thoai" in {f.kind for f in report.findings}
    assert report.guesses <= mat_khau.PHONE_GUESSES
    assert any("số điện thoại" in a for a in report.advice)


def test_are_dates_and_keyboard_runs_named():
    kinds = {f.kind for f in mat_khau.analyse("qwerty15081990").findings}
    assert {"ngay"} <= kinds and kinds & {"ban_phim", "pho_bien"}


def test_does_a_suggested_passphrase_rate_strong_yet_show_the_fast_offline_risk():
    phrase = mat_khau.suggest_passphrase(rng=random.Random(7))
    report = mat_khau.analyse(phrase)
    assert report.score >= 3
    (_, online), (_, offline) = report.seconds
    assert online > 100 * 365 * 86400  # centuries at 10 guesses a second
    assert offline < online / 1e8  # the stated fast-hash rate is a billion times faster


def test_does_every_time_come_with_its_stated_rate():
    for rate, text in mat_khau.SCENARIOS:
        assert "giả định" in text and str(int(rate)) not in ("",)
    html = mat_khau.render(mat_khau.analyse("hoa-sen-ao-dai-99"))
    assert "giả định 10 lần mỗi giây" in html and "10 tỉ lần mỗi giây" in html


def test_does_the_report_hold_no_copy_of_the_whole_password(capsys):
    secret = "Zq9!vU2#mW7pL4xk"
    report = mat_khau.analyse(secret)
    assert secret not in repr(report)
    assert secret not in mat_khau.render(report)
    assert capsys.readouterr() == ("", "")


def test_is_typed_markup_shown_as_text():
    html = mat_khau.render(mat_khau.analyse("<script>alert(1)</script>"))
    assert "<script>" not in html


def test_does_the_widget_update_when_a_password_is_typed():
    app = mat_khau.app()
    box = next(w for w in app.children if w.__class__.__name__ == "Password")
    result = app.children[app.children.index(box) + 1]
    box.value = "password"
    assert "Rất yếu" in result.value
