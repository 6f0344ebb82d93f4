"""Tests of hocso.checks: type-strict answer checks with Vietnamese messages."""

import unicodedata

import pytest

from hocso.checks import (
    AnswerError,
    check_answered,
    check_choice,
    check_choices,
    check_correct_choice,
    check_correct_choices,
    check_correct_table,
    check_equal,
    check_function,
    check_number,
    check_table,
    check_text,
    normalize_text,
    remove_diacritics,
)


class EqualsEverything:
    """The classic hack: an answer that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class SneakyStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


PRETENDERS = [EqualsEverything(), SneakyStr("x")]


def message(excinfo) -> str:
    return str(excinfo.value)


def test_is_decomposed_vietnamese_equal_to_composed_after_normalisation():
    decomposed = unicodedata.normalize("NFD", "Mật khẩu")
    assert decomposed != "Mật khẩu"
    assert normalize_text(decomposed) == normalize_text("mật KHẨU")


def test_are_spaces_and_case_ignored():
    assert normalize_text("  Xác   thực\tHAI  bước ") == "xác thực hai bước"


def test_does_removing_diacritics_handle_d_with_stroke():
    assert remove_diacritics("Đường đi") == "Duong di"
    assert normalize_text("ĐỪNG chia sẻ", diacritics=False) == "dung chia se"


@pytest.mark.parametrize("blank", [..., None])
def test_is_an_unanswered_placeholder_reported_with_a_hint(blank):
    with pytest.raises(AnswerError) as excinfo:
        check_answered(blank, "dap_an")
    assert "chưa trả lời" in message(excinfo)
    assert "Gợi ý" in message(excinfo)


def test_does_a_choice_accept_case_spaces_and_return_the_option():
    assert check_choice(" B ", ["a", "b", "c"], "dap_an") == "b"


def test_does_a_choice_outside_the_options_list_them():
    with pytest.raises(AnswerError) as excinfo:
        check_choice("d", ["a", "b", "c"], "dap_an")
    assert '"a", "b", "c"' in message(excinfo)


@pytest.mark.parametrize("value", [1, True, ["b"], b"b"])
def test_is_a_choice_of_the_wrong_type_rejected_with_its_type_named(value):
    with pytest.raises(AnswerError) as excinfo:
        check_choice(value, ["a", "b"], "dap_an")
    assert "cần một chữ" in message(excinfo)


@pytest.mark.parametrize("pretender", PRETENDERS)
def test_does_an_object_equal_to_everything_fail_every_check(pretender):
    attempts = [
        lambda: check_choice(pretender, ["a", "b"], "x"),
        lambda: check_correct_choice(pretender, "a", ["a", "b"], "x"),
        lambda: check_equal(pretender, "a", "x"),
        lambda: check_equal(pretender, 3, "x"),
        lambda: check_equal([pretender], ["a"], "x"),
        lambda: check_text(pretender, "a", "x"),
        lambda: check_number(pretender, 3, "x"),
        lambda: check_correct_choices(pretender, ["a"], ["a", "b"], "x"),
        lambda: check_correct_choices([pretender], ["a"], ["a", "b"], "x"),
        lambda: check_correct_table({"r": pretender}, {"r": "a"}, ["a", "b"], "x"),
        lambda: check_function(lambda: pretender, [((), "a")], "f"),
    ]
    for attempt in attempts:
        with pytest.raises(AnswerError):
            attempt()


def test_does_a_wrong_choice_explain_its_misconception():
    with pytest.raises(AnswerError) as excinfo:
        check_correct_choice(
            "a",
            "c",
            ["a", "b", "c"],
            "dap_an_otp",
            why_wrong={"a": "Nhân viên ngân hàng thật không bao giờ hỏi mã OTP."},
        )
    assert 'bạn chọn "a"' in message(excinfo)
    assert "không bao giờ hỏi mã OTP" in message(excinfo)


def test_does_the_right_choice_pass_without_diacritics_or_case():
    check_correct_choice("LUA DAO", "lừa đảo", ["an toàn", "lừa đảo"], "x")


def test_does_a_multi_select_need_exactly_the_right_options():
    options = ["a", "b", "c", "d"]
    check_correct_choices(["c", "a"], ["a", "c"], options, "x")
    with pytest.raises(AnswerError) as excinfo:
        check_correct_choices(["a"], ["a", "c"], options, "x")
    assert "còn thiếu 1" in message(excinfo)
    with pytest.raises(AnswerError) as excinfo:
        check_correct_choices(["a", "c", "d"], ["a", "c"], options, "x", why_wrong={"d": "sai."})
    assert '"d": sai.' in message(excinfo)
    with pytest.raises(AnswerError):
        check_choices(["a", "a"], options, "x")


def test_is_bool_not_accepted_as_a_number():
    with pytest.raises(AnswerError):
        check_number(True, 1, "so")
    check_number(12, 12, "so")
    check_number(2.49, 2.5, "so", tolerance=0.05)
    with pytest.raises(AnswerError):
        check_number(float("nan"), 2.5, "so", tolerance=1)


def test_does_equality_look_at_types_inside_containers():
    check_equal(["a", 1], ["a", 1], "x")
    with pytest.raises(AnswerError):
        check_equal(["a", True], ["a", 1], "x")
    with pytest.raises(AnswerError):
        check_equal({"a": 1.0}, {"a": 1}, "x")


def test_does_a_text_answer_match_with_or_without_diacritics():
    check_text("xac thuc hai buoc", ["Xác thực hai bước", "2FA"], "x")
    with pytest.raises(AnswerError):
        check_text("xac thuc hai buoc", "Xác thực hai bước", "x", diacritics=True)


def test_does_a_table_report_missing_and_wrong_rows():
    rows = ["Tin 1", "Tin 2"]
    with pytest.raises(AnswerError) as excinfo:
        check_table({"Tin 1": "an toàn"}, rows, ["an toàn", "lừa đảo"], "bang")
    assert '"Tin 2"' in message(excinfo)
    with pytest.raises(AnswerError) as excinfo:
        check_table({"Tin 1": "an toàn", "Tin 2": ...}, rows, ["an toàn", "lừa đảo"], "bang")
    assert "chưa trả lời" in message(excinfo)
    correct = {"Tin 1": "an toàn", "Tin 2": "lừa đảo"}
    with pytest.raises(AnswerError) as excinfo:
        check_correct_table(
            {"Tin 1": "an toàn", "Tin 2": "an toan"},
            correct,
            ["an toàn", "lừa đảo"],
            "bang",
            why_wrong={"Tin 2": "đường link giả mạo."},
        )
    assert "1 dòng chưa đúng" in message(excinfo)
    assert "đường link giả mạo" in message(excinfo)
    check_correct_table(
        {"Tin 1": "AN TOAN", "Tin 2": "lua dao"}, correct, ["an toàn", "lừa đảo"], "b"
    )


def test_does_a_function_check_show_the_failing_example():
    def du_dai(mat_khau):
        return len(mat_khau) > 8

    check_function(du_dai, [(("abcdefghij",), True)], "du_dai")
    with pytest.raises(AnswerError) as excinfo:
        check_function(du_dai, [(("abcdefgh",), True)], "du_dai")
    assert "du_dai('abcdefgh') trả về False, nhưng cần True" in message(excinfo)


def test_does_a_function_that_raises_fail_with_the_error_named():
    def hong(x):
        return 1 / 0

    with pytest.raises(AnswerError) as excinfo:
        check_function(hong, [((1,), 1)], "hong")
    assert "ZeroDivisionError" in message(excinfo)


def test_is_a_function_returning_int_for_bool_rejected():
    with pytest.raises(AnswerError):
        check_function(lambda s: 1, [(("x",), True)], "f")


def test_are_all_messages_nfc_vietnamese():
    with pytest.raises(AnswerError) as excinfo:
        check_choice("z", ["a"], "dap_an")
    text = message(excinfo)
    assert unicodedata.is_normalized("NFC", text)
    assert "chưa đúng" in text
