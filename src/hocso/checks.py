"""Learner-facing answer checks with Vietnamese messages, used inside nbgrader grade cells.

Every check either returns quietly (or prints a short confirmation) or raises
:class:`AnswerError`, whose message says in Vietnamese what is wrong and what to try.
nbgrader scores a grade cell zero when it raises, so a check is also a grading rule.

Checks are type-strict: an answer must have exactly the expected type (``bool`` is not
``int``, a ``str`` subclass is not ``str``). This keeps an object that claims to equal
everything (``__eq__`` returning ``True``) from passing any check.

Text is compared after Vietnamese normalisation: Unicode NFC, case folding, collapsed
spaces and, where asked, without diacritics ("Lừa đảo" == "lua dao").

>>> normalize_text("  Lừa   ĐẢO ")
'lừa đảo'
>>> normalize_text("Lừa đảo", diacritics=False)
'lua dao'
>>> check_choice("B", ["a", "b", "c"], name="dap_an")
'b'
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "AnswerError",
    "normalize_text",
    "remove_diacritics",
    "check_answered",
    "check_type",
    "check_choice",
    "check_correct_choice",
    "check_choices",
    "check_correct_choices",
    "check_equal",
    "check_number",
    "check_text",
    "check_table",
    "check_correct_table",
    "check_function",
]


class AnswerError(AssertionError):
    """A learner's answer did not pass a check; the message is for the learner, in Vietnamese."""


# Names of Python types as a learner should read them.
_TYPE_NAMES = {
    str: 'chữ (đặt trong dấu nháy, ví dụ "b")',
    int: "số nguyên (ví dụ 12)",
    float: "số (ví dụ 2.5)",
    bool: "True hoặc False",
    list: 'danh sách trong ngoặc vuông (ví dụ ["a", "c"])',
    dict: "bảng (dict) trong ngoặc nhọn",
    tuple: "bộ giá trị trong ngoặc tròn",
    type(None): "None (chưa có giá trị)",
}


def _type_name(tp: type) -> str:
    return _TYPE_NAMES.get(tp, f"kiểu {tp.__name__}")


def _fail(name: str, problem: str, hint: str | None = None) -> None:
    message = f"Câu trả lời `{name}` chưa đúng: {problem}"
    if hint:
        message += f"\n💡 Gợi ý: {hint}"
    raise AnswerError(message)


def remove_diacritics(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics ("đ" becomes "d").

    >>> remove_diacritics("Mật khẩu mạnh, đừng chia sẻ")
    'Mat khau manh, dung chia se'
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def normalize_text(text: str, *, diacritics: bool = True) -> str:
    """Normalise Vietnamese text for comparison: NFC, case folded, spaces collapsed.

    With ``diacritics=False`` the diacritics are removed too, so that an answer typed
    on a keyboard without Vietnamese input still matches.

    >>> decomposed = unicodedata.normalize("NFD", "Xác thực   HAI bước")  # as some phones type
    >>> normalize_text(decomposed) == "xác thực hai bước"
    True
    """
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    if not diacritics:
        text = remove_diacritics(text)
    return text


def check_answered(value: Any, name: str) -> None:
    """Fail if the learner left the placeholder ``...`` (or ``None``) in place.

    >>> check_answered(..., "dap_an")
    Traceback (most recent call last):
    ...
    hocso.checks.AnswerError: Câu trả lời `dap_an` chưa đúng: bạn chưa trả lời câu này.
    💡 Gợi ý: Thay dấu ... bằng câu trả lời của bạn, rồi chạy lại ô đó (Shift + Enter).
    """
    if value is ... or value is None:
        _fail(
            name,
            "bạn chưa trả lời câu này.",
            "Thay dấu ... bằng câu trả lời của bạn, rồi chạy lại ô đó (Shift + Enter).",
        )


def check_type(value: Any, expected: type, name: str) -> None:
    """Fail unless ``type(value)`` is exactly ``expected`` (no subclasses, bool is not int).

    >>> check_type(True, int, "so_ky_tu")
    Traceback (most recent call last):
    ...
    hocso.checks.AnswerError: Câu trả lời `so_ky_tu` chưa đúng: cần một số nguyên (ví dụ 12), ...
    """
    check_answered(value, name)
    if type(value) is not expected:
        _fail(name, f"cần một {_type_name(expected)}, nhưng đang là {_type_name(type(value))}.")


def _same_structure(value: Any, expected: Any) -> bool:
    """Do ``value`` and ``expected`` have exactly the same types, all the way down?"""
    if type(value) is not type(expected):
        return False
    if isinstance(expected, (list, tuple)):
        return len(value) == len(expected) and all(
            _same_structure(v, e) for v, e in zip(value, expected, strict=True)
        )
    if isinstance(expected, dict):
        return all(type(k) is str for k in value) and all(
            k in expected and _same_structure(v, expected[k]) for k, v in value.items()
        )
    return True


def _option_key(option: str) -> str:
    return normalize_text(option, diacritics=False)


def check_choice(value: Any, options: Sequence[str], name: str) -> str:
    """Check that ``value`` is one of ``options`` (a visible test: it reveals nothing).

    Case, spaces and diacritics are ignored. Returns the matching option.

    >>> check_choice("d", ["a", "b", "c"], name="dap_an")
    Traceback (most recent call last):
    ...
    hocso.checks.AnswerError: Câu trả lời `dap_an` chưa đúng: "d" không có trong các lựa chọn ...
    💡 Gợi ý: Chọn đúng một trong các lựa chọn, viết trong dấu nháy, ví dụ: dap_an = "a"
    """
    check_type(value, str, name)
    listed = ", ".join(f'"{o}"' for o in options)
    for option in options:
        if _option_key(value) == _option_key(option):
            return option
    _fail(
        name,
        f'"{value}" không có trong các lựa chọn {listed}.',
        f'Chọn đúng một trong các lựa chọn, viết trong dấu nháy, ví dụ: {name} = "{options[0]}"',
    )
    raise AssertionError("unreachable")  # pragma: no cover


def check_correct_choice(
    value: Any,
    correct: str,
    options: Sequence[str],
    name: str,
    *,
    why_wrong: Mapping[str, str] | None = None,
    hint: str | None = None,
) -> None:
    """Check that ``value`` is the correct option (a hidden test: it holds the key).

    ``why_wrong`` maps a wrong option to the misconception it reveals, so the learner's
    feedback explains why that option is tempting but wrong.
    """
    chosen = check_choice(value, options, name)
    if _option_key(chosen) == _option_key(correct):
        return
    reason = (why_wrong or {}).get(chosen)
    problem = f'bạn chọn "{chosen}". ' + (reason or "Đây không phải lựa chọn đúng.")
    _fail(name, problem, hint)


def _as_option_list(value: Any, options: Sequence[str], name: str) -> list[str]:
    check_type(value, list, name)
    chosen = []
    for item in value:
        if type(item) is not str:
            _fail(
                name,
                f"mỗi lựa chọn trong danh sách phải là chữ trong dấu nháy; {item!r} thì không.",
                'Ví dụ: ["a", "c"]',
            )
        chosen.append(check_choice(item, options, name))
    if len(set(chosen)) != len(chosen):
        _fail(name, "có lựa chọn bị viết hai lần.", "Mỗi lựa chọn chỉ viết một lần.")
    return chosen


def check_choices(value: Any, options: Sequence[str], name: str) -> list[str]:
    """Check that ``value`` is a list of distinct options (visible test for multi-select)."""
    return _as_option_list(value, options, name)


def check_correct_choices(
    value: Any,
    correct: Iterable[str],
    options: Sequence[str],
    name: str,
    *,
    why_wrong: Mapping[str, str] | None = None,
    hint: str | None = None,
) -> None:
    """Check that the list ``value`` holds exactly the ``correct`` options, in any order."""
    chosen = {_option_key(c) for c in _as_option_list(value, options, name)}
    right = {_option_key(c) for c in correct}
    wrongly_chosen = [o for o in options if _option_key(o) in chosen - right]
    if wrongly_chosen:
        reasons = [f'"{o}": {(why_wrong or {}).get(o, "không đúng.")}' for o in wrongly_chosen]
        _fail(name, "có lựa chọn không nên chọn. " + " ".join(reasons), hint)
    if right - chosen:
        _fail(name, f"còn thiếu {len(right - chosen)} lựa chọn đúng.", hint)


def check_equal(value: Any, expected: Any, name: str, *, hint: str | None = None) -> None:
    """Check that ``value`` equals ``expected`` and has exactly the same types inside."""
    check_answered(value, name)
    if not _same_structure(value, expected):
        if type(value) is not type(expected):
            _fail(
                name,
                f"cần một {_type_name(type(expected))}, nhưng đang là {_type_name(type(value))}.",
                hint,
            )
        _fail(name, "các phần bên trong chưa đúng kiểu hoặc chưa đủ.", hint)
    if value != expected:
        _fail(name, "giá trị chưa đúng.", hint)


def check_number(
    value: Any,
    expected: float,
    name: str,
    *,
    tolerance: float = 0.0,
    hint: str | None = None,
) -> None:
    """Check a number (``int`` or ``float``, never ``bool``) within ``tolerance``."""
    check_answered(value, name)
    if type(value) not in (int, float):
        _fail(name, f"cần một số, nhưng đang là {_type_name(type(value))}.", hint)
    if not math.isfinite(value) or abs(value - expected) > tolerance:
        _fail(name, f"số {value} chưa đúng.", hint)


def check_text(
    value: Any,
    accepted: str | Iterable[str],
    name: str,
    *,
    diacritics: bool = False,
    hint: str | None = None,
) -> None:
    """Check a short text answer against one or more accepted answers.

    Case and extra spaces never matter; diacritics matter only with ``diacritics=True``.

    >>> check_text("Xac thuc hai buoc", "Xác thực hai bước", name="ten_goi")
    """
    check_type(value, str, name)
    if isinstance(accepted, str):
        accepted = [accepted]
    wanted = {normalize_text(a, diacritics=diacritics) for a in accepted}
    if normalize_text(value, diacritics=diacritics) not in wanted:
        _fail(name, f'"{value}" chưa đúng.', hint)


def check_table(value: Any, rows: Sequence[str], options: Sequence[str], name: str) -> dict:
    """Check a small table (dict) answered by the learner: every row filled with an option.

    Returns the table with each cell mapped to its canonical option.
    """
    check_type(value, dict, name)
    missing = [r for r in rows if r not in value]
    if missing:
        _fail(
            name,
            "bảng thiếu dòng " + ", ".join(f'"{r}"' for r in missing) + ".",
            "Đừng xóa hay đổi tên các dòng có sẵn trong bảng; chỉ thay dấu ... ở mỗi dòng.",
        )
    extra = [r for r in value if r not in rows]
    if extra:
        _fail(name, "bảng có dòng lạ " + ", ".join(repr(r) for r in extra) + ".")
    return {row: check_choice(value[row], options, f"{name}[{row!r}]") for row in rows}


def check_correct_table(
    value: Any,
    correct: Mapping[str, str],
    options: Sequence[str],
    name: str,
    *,
    why_wrong: Mapping[str, str] | None = None,
    minimum: int | None = None,
) -> None:
    """Check that the table has the correct option on every row (or at least ``minimum``).

    ``why_wrong`` maps a row to what a wrong answer on that row reveals.
    """
    table = check_table(value, list(correct), options, name)
    wrong = [r for r in correct if _option_key(table[r]) != _option_key(correct[r])]
    needed = len(correct) if minimum is None else minimum
    if len(correct) - len(wrong) < needed:
        lines = [f'- "{r}": {(why_wrong or {}).get(r, "chưa đúng.")}' for r in wrong]
        _fail(name, f"{len(wrong)} dòng chưa đúng:\n" + "\n".join(lines))


def check_function(
    func: Any,
    cases: Sequence[tuple[tuple, Any]],
    name: str,
    *,
    hint: str | None = None,
) -> None:
    """Call the learner's function on each ``(args, expected)`` case, type-strict.

    The first failing case is shown to the learner, so visible tests teach by example.
    """
    check_answered(func, name)
    if not callable(func):
        _fail(name, "cần là một hàm (viết bằng def), nhưng không gọi được.", hint)
    for args, expected in cases:
        call = f"{name}({', '.join(repr(a) for a in args)})"
        try:
            result = func(*args)
        except Exception as exc:  # the learner's code may raise anything
            _fail(name, f"{call} báo lỗi {type(exc).__name__}: {exc}", hint)
        if not _same_structure(result, expected) or result != expected:
            _fail(name, f"{call} trả về {result!r}, nhưng cần {expected!r}.", hint)


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    """Show an AnswerError as its plain message instead of a long traceback.

    IPython does not display what a custom handler returns, so the handler sends the
    short traceback itself. It still goes out as an ``error`` output, so nbgrader scores
    the cell zero exactly as it would for the long one.
    """
    stb = ["❌ " + str(value)]
    shell._showtraceback(etype, value, stb)
    return stb


def _install_short_tracebacks() -> None:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((AnswerError,), _short_traceback)


_install_short_tracebacks()
