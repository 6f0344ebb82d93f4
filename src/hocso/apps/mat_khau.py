"""Password strength checker (app ``kiem_tra_mat_khau``): estimate, advice, passphrase.

The estimate of guesses is zxcvbn's (Dropbox's open-source estimator, MIT licence), with a
dictionary of Vietnamese words typed without diacritics added, plus Vietnamese mobile numbers.
Times to crack are that estimate divided by a stated guessing rate, never a bare number. The
password stays in the kernel's memory for the length of one call: nothing here prints, logs or
stores it.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import ipywidgets as widgets
from zxcvbn import matching, zxcvbn

from hocso.apps.ui import card, esc, full_width, heading, note, page

__all__ = [
    "SCENARIOS",
    "Report",
    "analyse",
    "app",
    "common_passwords",
    "describe_seconds",
    "passphrase_words",
    "suggest_passphrase",
]

#: zxcvbn reads at most this many characters; longer passwords are judged on their start.
MAX_LENGTH = 72

#: Guessing rates the times are computed for, each with the assumption stated in Vietnamese.
SCENARIOS = (
    (
        10,
        "Kẻ gian đoán thử trực tiếp trên một trang đăng nhập không giới hạn số lần thử "
        "(giả định 10 lần mỗi giây)",
    ),
    (
        1e10,
        "Kẻ gian có bản sao mật khẩu bị lộ từ một trang web lưu mật khẩu kém an toàn và dùng "
        "máy mạnh để thử (giả định 10 tỉ lần mỗi giây)",
    ),
)

VERDICTS = ("Rất yếu", "Yếu", "Trung bình", "Khá mạnh", "Mạnh")
COLOURS = ("#b00020", "#d35400", "#b7950b", "#2e7d32", "#1b5e20")

#: A Vietnamese mobile number: 10 digits, 0 (or +84/84) then 3, 5, 7, 8 or 9.
PHONE = re.compile(r"(?:\+?84|0)[35789]\d{8}")
#: Attacker's guesses for one such number: 5 leading digits x 10^8 (assumption, stated).
PHONE_GUESSES = 5 * 10**8


def _data_lines(name: str) -> list[str]:
    text = resources.files("hocso.apps").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()]


@cache
def common_passwords() -> dict[str, int]:
    """The shipped list of common passwords, each with its rank (1 = most common)."""
    words = [w for w in _data_lines("common_passwords.txt") if w and not w.startswith("#")]
    return {word: rank for rank, word in enumerate(words, 1)}


@cache
def _vietnamese_words() -> tuple[list[str], list[str]]:
    lines = _data_lines("tu_tieng_viet.txt")
    split = lines.index("# passphrase")
    words = [w for w in lines if w and not w.startswith("#")]
    phrase = sorted({w for w in lines[split + 1 :] if w and not w.startswith("#")})
    return list(dict.fromkeys(words)), phrase


def passphrase_words() -> list[str]:
    """The distinct words a suggested passphrase is drawn from."""
    return _vietnamese_words()[1]


@cache
def _register_dictionaries() -> None:
    # zxcvbn's own lists are English; an attacker in Vietnam tries Vietnamese words too.
    matching.add_frequency_lists({"tieng_viet": _vietnamese_words()[0]})


@dataclass
class Finding:
    """Something an attacker would try first, found in the password, explained."""

    kind: str
    part: str
    explanation: str


@dataclass
class Report:
    """What :func:`analyse` found; no field holds the password itself."""

    length: int
    classes: list[str]
    common_rank: int | None
    guesses: float
    score: int
    findings: list[Finding] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return VERDICTS[self.score]

    @property
    def seconds(self) -> list[tuple[str, float]]:
        """Time to find it in each scenario of :data:`SCENARIOS`, on average half the guesses."""
        return [(text, self.guesses / 2 / rate) for rate, text in SCENARIOS]


def _classes(password: str) -> list[str]:
    found = []
    if any(c.islower() for c in password):
        found.append("chữ thường")
    if any(c.isupper() for c in password):
        found.append("chữ hoa")
    if any(c.isdigit() for c in password):
        found.append("chữ số")
    if any(not c.isalnum() and not c.isspace() for c in password):
        found.append("ký hiệu")
    if any(c.isspace() for c in password):
        found.append("dấu cách")
    if any(ord(c) > 127 and c.isalpha() for c in password):
        found.append("chữ có dấu")
    return found


def _score(guesses: float) -> int:
    # zxcvbn's own thresholds: 10^3, 10^6, 10^8, 10^10 guesses.
    for score, limit in enumerate((1e3, 1e6, 1e8, 1e10)):
        if guesses < limit:
            return score
    return 4


def _explain(match: dict) -> Finding | None:
    token = match["token"]
    pattern = match["pattern"]
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        if match.get("l33t"):
            return Finding(
                "tu_bien_doi",
                token,
                "một từ quen thuộc chỉ đổi vài chữ thành số hay ký hiệu (a→@, o→0): "
                "máy đoán thử những kiểu đổi này rất sớm",
            )
        if name == "tieng_viet":
            return Finding(
                "tieng_viet",
                token,
                "từ tiếng Việt không dấu quen thuộc hoặc tên người, tên địa danh",
            )
        if name == "passwords":
            return Finding("pho_bien", token, "có trong danh sách mật khẩu bị lộ phổ biến")
        if name in ("surnames", "male_names", "female_names"):
            return Finding("ten", token, "tên người: kẻ gian đoán tên trước tiên")
        return Finding("tu_dien", token, "từ có trong từ điển (tiếng Anh)")
    if pattern == "spatial":
        return Finding("ban_phim", token, "dãy phím liền nhau trên bàn phím")
    if pattern == "sequence":
        return Finding("day", token, "dãy ký tự liên tiếp (như abc, 123, 987)")
    if pattern == "repeat":
        return Finding("lap", token, "ký tự hoặc cụm ký tự lặp lại")
    if pattern == "date" or (pattern == "regex" and match.get("regex_name") == "recent_year"):
        return Finding("ngay", token, "trông như một ngày hoặc năm (ngày sinh, năm sinh)")
    return None


def _word_guesses(password: str) -> float | None:
    """Guesses for a password made only of listed Vietnamese words and digits, split by
    spaces, hyphens, dots or underscores: the count for an attacker who knows the word list."""
    parts = [p for p in re.split(r"[\s\-._]+", password.lower()) if p]
    known = set(_vietnamese_words()[0])
    if len(parts) < 2 or not all(p in known or p.isdigit() for p in parts):
        return None
    return float(math.prod(len(known) if p in known else 10 ** len(p) for p in parts))


def analyse(password: str) -> Report:
    """Estimate how guessable ``password`` is, and say why and what to do.

    >>> analyse("123456").verdict
    'Rất yếu'
    >>> analyse("123456").common_rank
    1
    >>> analyse("tho-ngua-sen-gieng-ken-47").score >= 3
    True
    """
    _register_dictionaries()
    checked = password[:MAX_LENGTH]
    if not checked:
        return Report(0, [], None, 1.0, 0, [], ["Hãy gõ một mật khẩu để kiểm tra."])
    result = zxcvbn(checked)
    guesses = float(result["guesses"])
    findings = [f for f in map(_explain, result["sequence"]) if f is not None]

    for phone in PHONE.finditer(checked):
        findings.append(
            Finding("dien_thoai", phone.group(), "số điện thoại di động: người quen đoán được")
        )
        rest = len(checked) - len(phone.group())
        guesses = min(guesses, PHONE_GUESSES * 10.0 ** max(rest, 0))

    words = _word_guesses(checked)
    if words is not None:
        guesses = min(guesses, words)

    rank = common_passwords().get(checked.lower())
    if rank is not None:
        guesses = min(guesses, float(rank))
    score = _score(guesses)
    if any(f.kind in ("dien_thoai", "ngay") for f in findings):
        score = min(score, 2)  # people who know you try these first, whatever the count says
    report = Report(len(password), _classes(password), rank, guesses, score, findings)
    report.advice = _advice(report)
    return report


def _advice(report: Report) -> list[str]:
    kinds = {f.kind for f in report.findings}
    advice = []
    if report.common_rank is not None:
        advice.append(
            "Mật khẩu này nằm trong danh sách mật khẩu bị lộ phổ biến nhất: nếu đang dùng nó ở "
            "đâu, hãy đổi ngay."
        )
    if report.length < 12:
        advice.append(
            "Dùng ít nhất 12 ký tự. Độ dài giúp nhiều hơn việc thêm ký hiệu: một cụm 4–5 từ "
            "không liên quan đến nhau vừa dài vừa dễ nhớ."
        )
    if "ngay" in kinds:
        advice.append("Không dùng ngày sinh, năm sinh, ngày cưới: người khác dễ biết hoặc đoán.")
    if "dien_thoai" in kinds:
        advice.append("Không dùng số điện thoại của mình hay người thân.")
    if kinds & {"ban_phim", "day", "lap"}:
        advice.append("Tránh dãy phím liền nhau (qwerty, 123456) và ký tự lặp lại (aaaa).")
    if kinds & {"tieng_viet", "ten"}:
        advice.append(
            "Tên người và một hai từ quen thuộc không dấu (như anhyeuem) bị đoán rất sớm. Nếu "
            "dùng từ, hãy ghép 4–5 từ ngẫu nhiên không liên quan đến bạn."
        )
    if "tu_bien_doi" in kinds:
        advice.append("Đổi chữ thành số (a→@, o→0) không làm mật khẩu khó đoán hơn bao nhiêu.")
    advice.append("Mỗi tài khoản quan trọng (thư, ngân hàng, mạng xã hội) dùng một mật khẩu riêng.")
    advice.append("Bật xác thực hai bước, và không bao giờ đọc mã OTP cho bất kỳ ai.")
    return advice


def describe_seconds(seconds: float) -> str:
    """A duration in plain Vietnamese, rounded as a person would say it.

    >>> describe_seconds(0.2)
    'dưới 1 giây'
    >>> describe_seconds(90)
    'khoảng 2 phút'
    >>> describe_seconds(3 * 86400)
    'khoảng 3 ngày'
    >>> describe_seconds(1e15)
    'hơn 1.000 năm'
    """
    if seconds < 1:
        return "dưới 1 giây"
    units = (
        (365.25 * 86400, "năm"),
        (30.44 * 86400, "tháng"),
        (86400, "ngày"),
        (3600, "giờ"),
        (60, "phút"),
        (1, "giây"),
    )
    if seconds >= 1000 * units[0][0]:
        return "hơn 1.000 năm"
    for size, name in units:
        if seconds >= size:
            return f"khoảng {round(seconds / size)} {name}"
    return "dưới 1 giây"  # pragma: no cover


def suggest_passphrase(words: int = 5, rng: secrets.SystemRandom | None = None) -> str:
    """A passphrase of random Vietnamese words and a two-digit number, joined by hyphens.

    The words come from :func:`passphrase_words` through a cryptographic random source.

    >>> import random
    >>> phrase = suggest_passphrase(rng=random.Random(1))
    >>> len(phrase.split("-"))
    6
    """
    rng = rng or secrets.SystemRandom()
    pool = passphrase_words()
    chosen = [rng.choice(pool) for _ in range(words)]
    return "-".join([*chosen, f"{rng.randrange(100):02d}"])


def passphrase_bits(words: int = 5) -> float:
    """Entropy of :func:`suggest_passphrase`, even for an attacker who knows how it is made."""
    return words * math.log2(len(passphrase_words())) + math.log2(100)


def render(report: Report) -> str:
    """The report as HTML (nothing from the password is shown but the parts found)."""
    if report.length == 0:
        return note("Hãy gõ một mật khẩu vào ô phía trên để kiểm tra.")
    colour = COLOURS[report.score]
    width = 20 * (report.score + 1)
    meter = (
        f"<div role='meter' aria-valuemin='0' aria-valuemax='4' aria-valuenow='{report.score}' "
        "style='background:#eee;border-radius:6px;height:14px;margin:6px 0'>"
        f"<div style='width:{width}%;height:14px;border-radius:6px;background:{colour}'>"
        "</div></div>"
    )
    parts = [
        f"<div class='hocso-verdict' style='font-size:1.3em;font-weight:700;color:{colour}'>"
        f"Độ mạnh: {report.verdict}</div>{meter}",
        f"<p>Độ dài: <b>{report.length}</b> ký tự. Gồm: "
        f"{esc(', '.join(report.classes)) or 'không có'}.</p>",
    ]
    if report.length > MAX_LENGTH:
        parts.append(f"<p>Chỉ {MAX_LENGTH} ký tự đầu được đánh giá.</p>")
    if report.common_rank is not None:
        parts.append(
            note(
                f"Mật khẩu này đứng thứ <b>{report.common_rank:,}</b>".replace(",", ".")
                + " trong danh sách 10.000 mật khẩu bị lộ phổ biến nhất.",
                "bad",
            )
        )
    if report.findings:
        items = "".join(
            f"<li><code>{esc(f.part)}</code>: {esc(f.explanation)}</li>" for f in report.findings
        )
        parts.append(card("Những phần dễ đoán", f"<ul>{items}</ul>"))
    times = "".join(
        f"<li>{esc(text)}: <b>{describe_seconds(seconds)}</b></li>"
        for text, seconds in report.seconds
    )
    parts.append(
        card(
            "Mất bao lâu để đoán ra?",
            f"<ul>{times}</ul><p style='font-size:0.9em'>Ước tính khoảng "
            f"10<sup>{math.log10(max(report.guesses, 1)):.0f}</sup> lần đoán, theo thư viện "
            "zxcvbn (mã nguồn mở của Dropbox) cộng danh sách từ tiếng Việt của khóa học; trung "
            "bình kẻ gian tìm ra sau khoảng một nửa số lần đó. Đây là ước tính theo giả định ghi "
            "trên, không phải con số chắc chắn.</p>",
        )
    )
    advice = "".join(f"<li>{esc(a)}</li>" for a in report.advice)
    parts.append(card("Nên làm gì", f"<ul>{advice}</ul>"))
    return "".join(parts)


def app() -> widgets.VBox:
    """The password checker: a password box, the live report, a passphrase suggestion."""
    box = widgets.Password(placeholder="Gõ mật khẩu cần kiểm tra", layout=full_width())
    result = widgets.HTML(render(analyse("")), layout=full_width())
    suggestion = widgets.HTML(layout=full_width())
    suggest = widgets.Button(description="Gợi ý một cụm mật khẩu", button_style="info")

    def on_change(change):
        result.value = render(analyse(change["new"]))

    def on_suggest(_):
        phrase = suggest_passphrase()
        suggestion.value = note(
            f"Ví dụ: <code style='font-size:1.2em'>{esc(phrase)}</code><br>"
            f"Cụm 5 từ ngẫu nhiên và 2 chữ số: khoảng 2<sup>{passphrase_bits():.0f}</sup> khả "
            "năng, kể cả khi kẻ gian biết cách tạo ra nó. Hãy tự chọn các từ của riêng bạn theo "
            "cách này, và đừng dùng đúng cụm trên màn hình ai cũng nhìn thấy.",
            "ok",
        )

    box.observe(on_change, names="value")
    suggest.on_click(on_suggest)
    return page(
        heading(
            "Kiểm tra độ mạnh của mật khẩu",
            "Mật khẩu bạn gõ chỉ được kiểm tra trên máy chủ này, không được lưu lại và không gửi "
            "đi đâu. Để an toàn hơn nữa, đừng gõ mật khẩu thật đang dùng: hãy gõ một mật khẩu "
            "<b>giống kiểu</b> của bạn.",
        ),
        box,
        result,
        suggest,
        suggestion,
    )
