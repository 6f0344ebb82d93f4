"""The simulated public-service form: labelled as a simulation, checks as a portal words them."""

from __future__ import annotations

from datetime import date

from hocso.apps import dich_vu_cong as dvc

GOOD = {
    "ho_ten": "Lò Thị Mai",
    "ngay_sinh": "01/02/1970",
    "so_dinh_danh": "002170001234",
    "dien_thoai": "0386 123 456",
    "email": "",
    "dia_chi": "Thôn Nà Pồng, xã Thuận Hòa, tỉnh Tuyên Quang",
    "lop": dvc.CLASSES[1],
}


def test_is_a_complete_form_accepted():
    assert dvc.validate(GOOD) == {}


def test_is_each_wrong_field_reported_with_its_own_message():
    bad = {
        **GOOD,
        "ngay_sinh": "31/02/1970",
        "dien_thoai": "12345",
        "email": "a@b",
        "ho_ten": "Mai",
    }
    errors = dvc.validate(bad)
    assert set(errors) == {"ngay_sinh", "dien_thoai", "email", "ho_ten"}
    assert "ngày/tháng/năm" in errors["ngay_sinh"]


def test_is_a_birth_date_in_the_future_refused():
    assert "ngay_sinh" in dvc.validate({**GOOD, "ngay_sinh": "01/01/2030"}, today=date(2026, 8, 28))


def test_does_choosing_the_otp_as_a_document_score_zero_with_a_warning():
    points, remarks = dvc.document_points({"to_khai", "anh_can_cuoc", "ma_otp"})
    assert points == 0 and "kẻ gian" in remarks[0]


def test_does_the_app_say_it_is_a_simulation_and_score_the_attempt():
    app = dvc.app()
    assert "MÔ PHỎNG" in app.children[0].value
    texts = {w.description: w for w in app.children if hasattr(w, "description")}
    submit = texts["Nộp hồ sơ (mô phỏng)"]
    submit.click()
    outcome = app.children[-1]
    assert "chưa hợp lệ" in outcome.value
    boxes = [w for w in app.children if w.__class__.__name__ in ("Text", "Dropdown")]
    for box, key in zip(boxes, [k for k, _, _ in dvc.FIELDS], strict=True):
        box.value = GOOD[key]
    for label in ("Tờ khai đăng ký (điền trực tiếp ở bước 2)", "Ảnh chụp hai mặt thẻ căn cước"):
        texts[label].value = True
    texts["Tôi cam đoan những thông tin trên là đúng."].value = True
    submit.click()
    assert "MOPHONG-" in outcome.value and "Điểm luyện tập: 9/10" in outcome.value
