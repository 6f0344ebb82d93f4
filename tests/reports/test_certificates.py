"""Tests of the certificates: who earns one, and whether every Vietnamese letter renders."""

from __future__ import annotations

import datetime as dt
import unicodedata
import warnings

import pandas as pd
from fontTools.ttLib import TTFont

from hocso.reports import certificates
from hocso.reports.results import Results

# Every Vietnamese letter: the vowels with each of the five tone marks, đ, in both cases.
VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
LETTERS = (
    "".join(unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES)
    + "bcdđghklmnpqrstvx"
)
ALL_LETTERS = LETTERS + LETTERS.upper()


def test_do_the_certificate_fonts_carry_every_vietnamese_letter():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf"):
        cmap = TTFont(certificates.FONTS / name).getBestCmap()
        missing = [ch for ch in ALL_LETTERS if ord(ch) not in cmap]
        assert not missing, (name, missing)


def test_does_a_name_with_every_vietnamese_letter_render_without_a_missing_glyph():
    standing = certificates.Standing(
        "hv001",
        ALL_LETTERS[:40],
        "UBND xã Lũng Cú",
        "Lũng Cú",
        "officials",
        17,
        20,
        [],
        [("bai01", "Mật khẩu và tài khoản an toàn: " + ALL_LETTERS, 17, 20)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fpdf2 warns about every glyph a font lacks
        pdf = certificates.render_pdf(
            standing, certificates.Certificates(), "2025-0001", dt.date(2025, 10, 20)
        )
    assert pdf.startswith(b"%PDF") and b"DejaVu" in pdf


def results(scores: dict[str, dict[str, float]], audiences: dict[str, str]) -> Results:
    learners = pd.DataFrame(
        [
            {
                "id": i,
                "full_name": i.upper(),
                "unit": "Đơn vị A",
                "commune": "X",
                "audience": a,
                "email": "",
            }
            for i, a in audiences.items()
        ]
    )
    items = pd.DataFrame(
        [
            {
                "assignment": m,
                "notebook": m,
                "item": "q",
                "points": 10.0,
                "manual": False,
                "competences": ("4.2",),
                "question": "Câu 1",
            }
            for m in ("bai01", "bai02")
        ]
    )
    grades = pd.DataFrame(
        [
            {
                "student": s,
                "assignment": m,
                "notebook": m,
                "item": "q",
                "score": v,
                "max_score": 10.0,
                "needs_manual_grade": False,
                "timestamp": None,
            }
            for s, row in scores.items()
            for m, v in row.items()
        ]
    )
    return Results(
        learners,
        items,
        grades,
        ["bai01", "bai02"],
        {"bai01": "Bài 1", "bai02": "Bài 2"},
        {"officials": ["bai01", "bai02"], "public": ["bai01"]},
        {"4.2": "Bảo mật"},
    )


def test_does_the_threshold_apply_over_the_modules_the_audience_requires():
    r = results(
        {
            "du": {"bai01": 7, "bai02": 7},  # 70%: exactly the threshold
            "thieu": {"bai01": 7, "bai02": 6.9},
            "chua_nop": {"bai01": 10},  # an official who never handed in bai02
            "nguoi_dan": {"bai01": 8},  # the public need only bai01
        },
        {"du": "officials", "thieu": "officials", "chua_nop": "officials", "nguoi_dan": "public"},
    )
    settings = certificates.Certificates(threshold=0.7, top_per_unit=1)
    decided = certificates.decide(r, settings)
    assert sorted(s.id for s in decided.awarded) == ["du", "nguoi_dan"]
    missing = {s.id: s.missing for s in decided.not_yet}
    assert missing == {"thieu": [], "chua_nop": ["bai02"]}
    assert [s.id for s in decided.top["Đơn vị A"]] == ["nguoi_dan"]  # 80% beats 70%
