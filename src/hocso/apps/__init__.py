"""The web apps served by ``hocso serve``: pure logic first, widgets on top, one module each.

Each app notebook in ``notebooks/apps/`` imports one module of this package and calls its
``app()``; everything a visitor sees is built here and unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["APPS", "AppInfo"]


@dataclass(frozen=True)
class AppInfo:
    """One app as the landing page lists it: notebook name, title, one line, audience."""

    notebook: str
    title: str
    summary: str
    audience: str


#: The apps, in the order the landing page shows them.
APPS = (
    AppInfo(
        "kiem_tra_mat_khau.ipynb",
        "Kiểm tra độ mạnh của mật khẩu",
        "Gõ thử một mật khẩu để biết nó dễ đoán đến đâu và cách làm cho nó mạnh hơn.",
        "mọi người",
    ),
    AppInfo(
        "nhan_dien_lua_dao.ipynb",
        "Nhận diện tin nhắn, cuộc gọi lừa đảo",
        "Trắc nghiệm với các tin nhắn mô phỏng: an toàn hay lừa đảo, và vì sao.",
        "mọi người",
    ),
    AppInfo(
        "tu_danh_gia_nang_luc_so.ipynb",
        "Tự đánh giá năng lực số",
        "Trả lời vài câu hỏi ngắn, xem biểu đồ 6 lĩnh vực năng lực số và các bài học nên học.",
        "mọi người",
    ),
    AppInfo(
        "thuc_hanh_dich_vu_cong.ipynb",
        "Thực hành nộp hồ sơ dịch vụ công (mô phỏng)",
        "Tập điền một biểu mẫu mô phỏng, có kiểm tra lỗi và chấm điểm, không gửi đi đâu cả.",
        "mọi người",
    ),
    AppInfo(
        "bang_dieu_khien_lop.ipynb",
        "Bảng điều khiển lớp học",
        "Tỷ lệ hoàn thành và điểm theo bài, đơn vị, nhóm học viên, từ sổ điểm nbgrader.",
        "giảng viên",
    ),
)
