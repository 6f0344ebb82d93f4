"""Practice of an online public-service application (app ``thuc_hanh_dich_vu_cong``).

The procedure is made up for the course: registering for a digital-skills class at the
commune's cultural house. It is labelled as a simulation on every screen and sends nothing
anywhere; it copies no real portal's procedure, only the general shape of one (which documents,
which fields, checks on each field, a confirmation, a file number) so that learners meet that
shape before they use a real portal.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, datetime

import ipywidgets as widgets

from hocso.apps.ui import card, esc, full_width, heading, note, page

__all__ = [
    "DOCUMENTS",
    "FIELDS",
    "app",
    "document_points",
    "file_number",
    "score",
    "validate",
]

BANNER = (
    "MÔ PHỎNG ĐỂ TẬP LUYỆN: đây không phải cổng dịch vụ công thật, thủ tục là thủ tục tự đặt "
    "ra, không có gì được gửi đi."
)

#: Documents offered in step 1: (key, label, needed by the simulated procedure).
DOCUMENTS = (
    ("to_khai", "Tờ khai đăng ký (điền trực tiếp ở bước 2)", True),
    ("anh_can_cuoc", "Ảnh chụp hai mặt thẻ căn cước", True),
    ("mat_khau_ngan_hang", "Mật khẩu tài khoản ngân hàng", False),
    ("ma_otp", "Mã OTP vừa nhận qua tin nhắn", False),
    ("giay_kham_suc_khoe", "Giấy khám sức khỏe", False),
)

#: The form's fields: (key, label, required).
FIELDS = (
    ("ho_ten", "Họ và tên", True),
    ("ngay_sinh", "Ngày sinh (ngày/tháng/năm, ví dụ 05/09/1965)", True),
    ("so_dinh_danh", "Số định danh cá nhân (số căn cước, 12 chữ số)", True),
    ("dien_thoai", "Số điện thoại di động", True),
    ("email", "Thư điện tử (không bắt buộc)", False),
    ("dia_chi", "Địa chỉ thường trú", True),
    ("lop", "Lớp muốn đăng ký", True),
)
CLASSES = (
    "Tối thứ Ba, 19:00–20:30",
    "Sáng Chủ nhật, 8:00–9:30",
    "Chiều thứ Năm, 14:00–15:30 (người cao tuổi)",
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MOBILE = re.compile(r"^0[35789]\d{8}$")


def _name_ok(name: str) -> bool:
    words = name.split()
    letters = all(unicodedata.category(ch).startswith("L") for w in words for ch in w)
    return len(words) >= 2 and letters


def validate(form: dict[str, str], today: date | None = None) -> dict[str, str]:
    """Field key -> Vietnamese error message, in the way a portal words them; empty if valid.

    >>> validate({"ho_ten": "Lò Văn Páo", "ngay_sinh": "05/09/1965",
    ...           "so_dinh_danh": "001065012345", "dien_thoai": "0912345678",
    ...           "email": "", "dia_chi": "Thôn Nà Pồng, xã Thuận Hòa", "lop": CLASSES[0]})
    {}
    >>> validate({"so_dinh_danh": "12345"})["so_dinh_danh"]
    'Số định danh cá nhân phải gồm đúng 12 chữ số.'
    """
    today = today or date.today()
    value = {key: " ".join(str(form.get(key) or "").split()) for key, _, _ in FIELDS}
    errors = {}
    for key, label, required in FIELDS:
        if required and not value[key]:
            errors[key] = f"Vui lòng nhập {label.split(' (')[0].lower()}."
    if value["ho_ten"] and not _name_ok(value["ho_ten"]):
        errors["ho_ten"] = "Họ và tên chỉ gồm chữ cái, có ít nhất họ và tên."
    if value["ngay_sinh"]:
        try:
            born = datetime.strptime(value["ngay_sinh"], "%d/%m/%Y").date()
        except ValueError:
            errors["ngay_sinh"] = (
                "Ngày sinh không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 05/09/1965."
            )
        else:
            if born > today or born.year < 1900:
                errors["ngay_sinh"] = "Ngày sinh không hợp lệ: không thể sau ngày hôm nay."
    digits = value["so_dinh_danh"].replace(" ", "")
    if value["so_dinh_danh"] and not re.fullmatch(r"\d{12}", digits):
        errors["so_dinh_danh"] = "Số định danh cá nhân phải gồm đúng 12 chữ số."
    phone = re.sub(r"[ .]", "", value["dien_thoai"])
    if value["dien_thoai"] and not MOBILE.fullmatch(phone):
        errors["dien_thoai"] = "Số điện thoại không đúng định dạng: 10 chữ số, bắt đầu bằng số 0."
    if value["email"] and not EMAIL.fullmatch(value["email"]):
        errors["email"] = "Địa chỉ thư điện tử không đúng định dạng (ví dụ: ten@example.com)."
    if value["dia_chi"] and len(value["dia_chi"]) < 10:
        errors["dia_chi"] = "Vui lòng nhập địa chỉ đầy đủ: thôn (tổ), xã (phường), tỉnh."
    if not value["lop"]:
        errors["lop"] = "Vui lòng chọn một lớp trong danh sách."
    elif value["lop"] not in CLASSES:
        errors["lop"] = "Vui lòng chọn một lớp trong danh sách."
    return errors


def document_points(selected: set[str]) -> tuple[int, list[str]]:
    """Points (0 to 3) for the documents chosen in step 1, and what was wrong.

    >>> document_points({"to_khai", "anh_can_cuoc"})
    (3, [])
    >>> document_points({"to_khai", "anh_can_cuoc", "ma_otp"})[0]
    0
    """
    needed = {key for key, _, need in DOCUMENTS if need}
    labels = {key: label for key, label, _ in DOCUMENTS}
    remarks = []
    points = 3
    for key in sorted(needed - selected):
        points -= 1
        remarks.append(f"Thiếu: {labels[key]}.")
    for key in sorted(selected - needed):
        if key in ("mat_khau_ngan_hang", "ma_otp"):
            points = 0
            remarks.append(
                f"“{labels[key]}”: không một biểu mẫu dịch vụ công nào hỏi điều này. Ai hỏi là "
                "kẻ gian."
            )
        else:
            points -= 1
            remarks.append(f"Không cần: {labels[key]}.")
    return max(points, 0), remarks


def score(doc_points: int, failed_attempts: int) -> int:
    """The score out of 10: 3 for the documents, 7 for the form less one per failed submit.

    >>> score(3, 0), score(3, 2), score(0, 9)
    (10, 8, 0)
    """
    return doc_points + max(7 - failed_attempts, 0)


def file_number(rng: random.Random | None = None, today: date | None = None) -> str:
    """A made-up file number, marked as a simulation.

    >>> file_number(random.Random(0), date(2026, 8, 28))
    'MOPHONG-20260828-...'
    """
    rng = rng or random.Random()
    today = today or date.today()
    return f"MOPHONG-{today:%Y%m%d}-{rng.randrange(10**5):05d}"


def app(rng: random.Random | None = None) -> widgets.VBox:
    """Step 1 documents, step 2 the form with per-field messages, step 3 submit and score."""
    banner = widgets.HTML(note(f"<b>{esc(BANNER)}</b>", "warn"), layout=full_width())
    docs = [
        (key, widgets.Checkbox(description=label, indent=False, layout=full_width()))
        for key, label, _ in DOCUMENTS
    ]
    inputs = {}
    errors_html = {}
    form_rows = []
    for key, label, _required in FIELDS:
        if key == "lop":
            box = widgets.Dropdown(options=[("— Chọn lớp —", ""), *[(c, c) for c in CLASSES]])
        else:
            box = widgets.Text(placeholder="")
        box.layout = full_width()
        inputs[key] = box
        errors_html[key] = widgets.HTML(layout=full_width())
        form_rows += [
            widgets.HTML(f"<b>{esc(label)}</b>", layout=full_width()),
            box,
            errors_html[key],
        ]
    promise = widgets.Checkbox(
        description="Tôi cam đoan những thông tin trên là đúng.", indent=False, layout=full_width()
    )
    submit = widgets.Button(description="Nộp hồ sơ (mô phỏng)", button_style="primary")
    outcome = widgets.HTML(layout=full_width())
    state = {"failed": 0, "done": False}

    def on_submit(_):
        if state["done"]:
            return
        form = {key: box.value for key, box in inputs.items()}
        errors = validate(form)
        if not promise.value:
            errors["cam_doan"] = "Vui lòng đánh dấu ô cam đoan trước khi nộp."
        for key, html in errors_html.items():
            html.value = (
                f"<div style='color:#a11a1a'>⚠ {esc(errors[key])}</div>" if key in errors else ""
            )
        if errors:
            state["failed"] += 1
            outcome.value = note(
                f"Hồ sơ chưa hợp lệ: có {len(errors)} lỗi cần sửa."
                + (f" {esc(errors['cam_doan'])}" if "cam_doan" in errors else "")
                + " Sửa các ô có dấu ⚠ rồi bấm nộp lại.",
                "bad",
            )
            return
        state["done"] = True
        submit.disabled = True
        points, remarks = document_points({key for key, box in docs if box.value})
        total = score(points, state["failed"])
        remark_html = "".join(f"<li>{esc(r)}</li>" for r in remarks) or "<li>Chọn đúng.</li>"
        outcome.value = note(
            f"<b>Đã nộp hồ sơ (mô phỏng).</b> Mã hồ sơ: <code>{file_number(rng)}</code>. Trên "
            "cổng thật, bạn dùng mã hồ sơ để tra cứu tình trạng giải quyết.",
            "ok",
        ) + card(
            f"Điểm luyện tập: {total}/10",
            f"<p>Giấy tờ (bước 1): {points}/3</p><ul>{remark_html}</ul>"
            f"<p>Điền biểu mẫu (bước 2): {max(7 - state['failed'], 0)}/7, "
            f"nộp lỗi {state['failed']} lần (mỗi lần trừ 1 điểm).</p>",
        )

    submit.on_click(on_submit)
    return page(
        banner,
        heading(
            "Thực hành nộp hồ sơ dịch vụ công (mô phỏng)",
            "Thủ tục tự đặt ra để tập: <i>đăng ký lớp học kỹ năng số tại nhà văn hóa xã</i>. "
            "Thủ tục này yêu cầu: tờ khai điền trên mạng và ảnh chụp hai mặt thẻ căn cước. "
            "Không dùng thông tin thật của bạn: hãy tự đặt ra một người.",
        ),
        widgets.HTML("<h3>Bước 1. Chọn các giấy tờ thủ tục yêu cầu</h3>", layout=full_width()),
        *[box for _, box in docs],
        widgets.HTML("<h3>Bước 2. Điền tờ khai</h3>", layout=full_width()),
        *form_rows,
        widgets.HTML("<h3>Bước 3. Kiểm tra và nộp</h3>", layout=full_width()),
        promise,
        errors_html.setdefault("cam_doan", widgets.HTML()),
        submit,
        outcome,
    )
