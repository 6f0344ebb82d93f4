"""Scam-recognition quiz (app ``nhan_dien_lua_dao``): synthetic messages, red flags, a score.

Every message is made up for the course from the patterns Vietnamese authorities warn about
(the same ones lesson bai02 teaches, with its sources): names, amounts and numbers are
invented, banks are "Ngân hàng X", and web addresses end in ``.example``, a name reserved for
examples (RFC 2606) that leads nowhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import ipywidgets as widgets

from hocso.apps.ui import card, esc, full_width, heading, note, page

__all__ = ["FLAGS", "QUESTIONS", "Question", "app", "check", "new_round", "score_text"]

#: The red flags taught in bai02, by key.
FLAGS = {
    "gap": "Thúc giục: hạn rất gấp, “ngay”, “trong 30 phút”.",
    "doa": "Đe dọa: bắt giữ, khóa tài khoản, khóa SIM, hủy quà.",
    "ma": "Đòi mã OTP, mật khẩu hoặc mã CVV: ngân hàng không bao giờ hỏi những mã này.",
    "tien": "Đòi chuyển tiền, nộp phí, đặt cọc trước.",
    "thong_tin": "Đòi thông tin cá nhân: ảnh căn cước, số tài khoản, ảnh khuôn mặt.",
    "link": "Đường link lạ, tên miền nhái, hoặc bảo cài ứng dụng qua link gửi kèm.",
    "loi": "Hứa lợi quá tốt: trúng thưởng, lãi rất cao, việc nhẹ lương cao.",
    "gia_danh": "Xưng là cơ quan, ngân hàng hay người thân, nhưng liên lạc qua kênh lạ.",
}


@dataclass(frozen=True)
class Question:
    """One message: how it arrives, from whom, its text, the truth and the explanation."""

    key: str
    channel: str
    sender: str
    text: str
    scam: bool
    flags: tuple[str, ...]
    explanation: str


QUESTIONS = (
    Question(
        "cong_an",
        "Cuộc gọi",
        "Số lạ, xưng là “cán bộ công an quận”",
        "Bà có liên quan đến một đường dây rửa tiền. Để chứng minh tiền trong tài khoản là tiền "
        "sạch, bà phải chuyển toàn bộ vào tài khoản tạm giữ của cơ quan điều tra ngay hôm nay, "
        "không được nói với ai.",
        True,
        ("gia_danh", "doa", "gap", "tien"),
        "Công an không bắt người dân chuyển tiền qua điện thoại; khi cần làm việc, công an gửi "
        "giấy mời hoặc giấy triệu tập. Hãy gác máy và hỏi công an xã, phường nơi mình ở.",
    ),
    Question(
        "sinh_trac",
        "Tin nhắn SMS",
        "NGANHANG X",
        "NGANHANG X: Tai khoan cua Quy khach se bi tam khoa do chua cap nhat sinh trac hoc. "
        "Vui long cap nhat trong 24h tai https://nganhangx-capnhat.example",
        True,
        ("doa", "gap", "link"),
        "Tin hiện đúng tên ngân hàng vẫn có thể là giả (kẻ gian dùng trạm phát sóng giả). Không "
        "bấm link; tự mở ứng dụng ngân hàng mình đã cài để xem.",
    ),
    Question(
        "otp_huy",
        "Cuộc gọi",
        "Người xưng là nhân viên Ngân hàng X",
        "Hệ thống thấy thẻ của anh vừa có giao dịch 15 triệu ở nước ngoài. Em vừa gửi mã OTP "
        "vào máy anh, anh đọc giúp em để em hủy giao dịch này ngay.",
        True,
        ("gia_danh", "ma", "gap"),
        "Ngân hàng không bao giờ hỏi mã OTP. Ai hỏi mã OTP của bạn là kẻ gian. Gác máy, gọi "
        "tổng đài in trên thẻ hoặc ra quầy giao dịch.",
    ),
    Question(
        "nhnn_app",
        "Thư điện tử",
        "“Ngân hàng Nhà nước” (địa chỉ thư lạ)",
        "Theo quy định mới, mọi tài khoản phải cài ứng dụng xác thực sinh trắc học trước ngày "
        "30. Tải ứng dụng tại https://nhnn-xacthuc.example/app.apk",
        True,
        ("gia_danh", "link", "gap"),
        "Ngân hàng Nhà nước đã cảnh báo thư giả kiểu này: tệp tải về chứa mã độc giúp kẻ gian "
        "chiếm điện thoại. Chỉ cài ứng dụng từ kho ứng dụng chính thức.",
    ),
    Question(
        "ctv",
        "Tin nhắn mạng xã hội",
        "Người lạ",
        "Tuyển cộng tác viên làm tại nhà, mỗi ngày 1 giờ thả tim, đặt đơn giúp shop, thu nhập "
        "500.000 đồng/ngày. Nhiệm vụ sau cần nạp trước tiền đơn, hoàn lại kèm hoa hồng 30%.",
        True,
        ("loi", "tien"),
        "“Việc nhẹ lương cao”: trả tiền thật vài lần đầu, rồi bắt nạp tiền ngày càng nhiều và "
        "không trả lại. Việc làm thật không bắt người làm nộp tiền trước.",
    ),
    Question(
        "dau_tu",
        "Tin nhắn mạng xã hội",
        "Nhóm “Đầu tư cùng chuyên gia”",
        "Sàn đầu tư quốc tế, lãi cam kết 30% mỗi tháng, rút tiền bất cứ lúc nào. Chỉ còn 5 suất "
        "hôm nay, nạp tối thiểu 10 triệu qua https://san-dautu-vip.example",
        True,
        ("loi", "gap", "tien", "link"),
        "Không khoản đầu tư thật nào cam kết lãi cao như vậy. Sàn đầu tư giả cho thấy tiền lãi "
        "trên màn hình, nhưng không cho rút.",
    ),
    Question(
        "nguoi_than",
        "Cuộc gọi video",
        "Tài khoản mạng xã hội của con trai",
        "Hình con trai hiện lên vài giây, tiếng nhòe: “Mẹ ơi con bị tai nạn, chuyển gấp 20 "
        "triệu vào tài khoản của bạn con, đừng gọi lại, con đang trong viện”.",
        True,
        ("gia_danh", "gap", "tien"),
        "Kẻ gian có thể giả giọng và hình người thân. Gác máy, gọi lại cho con bằng số điện "
        "thoại đã lưu từ trước, hoặc hỏi người nhà khác.",
    ),
    Question(
        "hoan_thue",
        "Tin nhắn SMS",
        "Số lạ",
        "Ban duoc hoan thue thu nhap ca nhan 3.250.000d. Nhap so the va ma CVV tai "
        "https://hoanthue-online.example de nhan tien trong ngay.",
        True,
        ("loi", "ma", "link", "gap"),
        "Không ai cần mã CVV của thẻ để trả tiền cho bạn. Muốn biết mình có được hoàn thuế "
        "không, hãy hỏi cơ quan thuế qua kênh chính thức mà bạn tự tìm.",
    ),
    Question(
        "chuyen_nham",
        "Cuộc gọi",
        "Số lạ, sau khi tài khoản của bạn nhận 2 triệu từ người không quen",
        "Em chuyển nhầm 2 triệu vào tài khoản chị, chị chuyển lại giúp em vào số tài khoản "
        "này nhé, gấp lắm chị ơi.",
        True,
        ("tien", "gap"),
        "Kẻ gian có thể chuyển “nhầm” rồi đòi trả vào tài khoản khác, hoặc giả làm công ty tín "
        "dụng đòi nợ. Đừng tự chuyển: báo ngân hàng của bạn để họ hoàn trả đúng đường.",
    ),
    Question(
        "buu_kien",
        "Tin nhắn SMS",
        "Số lạ",
        "Buu kien cua ban dang bi giu tai kho do thieu phi 25.000d. Thanh toan trong 2h tai "
        "https://giaohang-nhanh.example.phi-kho.example neu khong se hoan ve.",
        True,
        ("tien", "gap", "link", "doa"),
        "Đọc tên miền từ phải sang trái: chủ thật là phi-kho.example, không phải hãng giao "
        "hàng. Khi có đơn thật, hãy xem trong ứng dụng nơi bạn đặt hàng.",
    ),
    Question(
        "khoa_sim",
        "Cuộc gọi tự động",
        "Số lạ",
        "Thuê bao của quý khách sẽ bị khóa hai chiều sau 2 giờ do thông tin chưa chính xác. "
        "Nhấn phím 9 để gặp tổng đài viên và cung cấp ảnh căn cước.",
        True,
        ("doa", "gap", "thong_tin"),
        "Dọa khóa SIM để lấy ảnh căn cước là chiêu đã được cảnh báo. Hãy tự đến cửa hàng của "
        "nhà mạng hoặc gọi tổng đài in trên trang chính thức của nhà mạng.",
    ),
    Question(
        "trung_thuong",
        "Tin nhắn SMS",
        "Số lạ",
        "Chuc mung! So dien thoai cua ban trung thuong 1 xe may. Gui anh 2 mat can cuoc va nop "
        "phi van chuyen 500.000d trong 30 phut de nhan qua.",
        True,
        ("loi", "tien", "thong_tin", "gap"),
        "Phải nộp tiền trước để nhận quà, lại đòi ảnh căn cước và giục trong 30 phút: đủ cả "
        "các dấu hiệu của lừa đảo.",
    ),
    Question(
        "bien_dong",
        "Tin nhắn SMS",
        "NGANHANG X (trong chuỗi tin thật của ngân hàng)",
        "NGANHANG X: TK ...4821 +1,500,000VND luc 09:12 12/03. ND: Me gui tien cho con. "
        "SD: 3,264,000VND.",
        False,
        (),
        "Tin báo số dư chỉ cho biết, không có đường link, không đòi gì cả. Muốn chắc chắn, bạn "
        "vẫn có thể mở ứng dụng ngân hàng của mình để xem.",
    ),
    Question(
        "otp_tu_lam",
        "Tin nhắn SMS, ngay sau khi chính bạn bấm “Đăng nhập” trong ứng dụng ngân hàng",
        "NGANHANG X",
        "Ma xac thuc dang nhap cua Quy khach la 482913. Tuyet doi KHONG cung cap ma nay cho "
        "bat ky ai, ke ca nhan vien ngan hang.",
        False,
        (),
        "Chính bạn đang đăng nhập nên mã này là thật: bạn tự nhập mã vào ứng dụng của mình, "
        "không đọc cho ai. Nếu mã đến khi bạn không làm gì, có người đang thử tài khoản của bạn.",
    ),
    Question(
        "hop_thon",
        "Tin nhắn nhóm của thôn",
        "Trưởng thôn (số đã lưu trong danh bạ)",
        "Tối thứ Bảy, 19 giờ, họp thôn tại nhà văn hóa để bàn việc làm đường. Mời mỗi hộ một "
        "người đến dự.",
        False,
        (),
        "Người gửi là người quen, số đã lưu từ trước, và tin không đòi tiền, mã hay thông tin "
        "gì. Đây là tin bình thường.",
    ),
    Question(
        "con_hoi",
        "Tin nhắn SMS",
        "Con gái (số đã lưu trong danh bạ)",
        "Mẹ ơi chủ nhật này con về ăn cơm nhé, mẹ có cần con mua gì không?",
        False,
        (),
        "Tin từ số đã lưu, hỏi chuyện bình thường, không giục, không đòi tiền hay mã. An toàn.",
    ),
    Question(
        "giao_hang",
        "Cuộc gọi, khi bạn đang chờ một đơn hàng đã đặt",
        "Người giao hàng",
        "Chị ơi em đến giao đơn chị đặt hôm qua, đơn đã thanh toán rồi, chị ra cổng nhận giúp "
        "em nhé.",
        False,
        (),
        "Bạn có đặt hàng, đơn đã trả tiền, và người giao không đòi thêm tiền, mã hay link nào. "
        "Nếu người giao đòi chuyển khoản thêm “phí”, hãy kiểm tra trong ứng dụng nơi bạn đặt.",
    ),
)


def new_round(rng: random.Random | None = None, size: int = 8) -> list[Question]:
    """``size`` questions in random order, at least a quarter of them safe messages.

    >>> questions = new_round(random.Random(0))
    >>> len(questions), len({q.key for q in questions})
    (8, 8)
    >>> sum(not q.scam for q in questions) >= 2
    True
    """
    rng = rng or random.Random()
    safe = [q for q in QUESTIONS if not q.scam]
    scams = [q for q in QUESTIONS if q.scam]
    n_safe = min(len(safe), max(2, size // 4))
    chosen = rng.sample(safe, n_safe) + rng.sample(scams, size - n_safe)
    rng.shuffle(chosen)
    return chosen


def check(question: Question, says_scam: bool) -> tuple[bool, str]:
    """Whether the answer is right, and the explanation as HTML.

    >>> check(QUESTIONS[0], True)[0]
    True
    """
    right = says_scam == question.scam
    verdict = "Đúng rồi!" if right else "Chưa đúng."
    truth = "Đây là <b>lừa đảo</b>." if question.scam else "Đây là tin <b>an toàn</b>."
    body = f"<b>{verdict}</b> {truth} {esc(question.explanation)}"
    if question.flags:
        items = "".join(f"<li>{esc(FLAGS[f])}</li>" for f in question.flags)
        body += f"<div style='margin-top:6px'>Dấu hiệu cảnh báo:</div><ul>{items}</ul>"
    return right, note(body, "ok" if right else "bad")


def score_text(right: int, total: int) -> str:
    """The end-of-round message (HTML).

    >>> "6/8" in score_text(6, 8)
    True
    """
    if right == total:
        comment = "Xuất sắc! Bạn nhận ra tất cả."
    elif right >= total * 0.75:
        comment = "Rất tốt! Hãy xem lại những câu chưa đúng."
    else:
        comment = (
            "Hãy chơi lại để luyện thêm: kẻ gian luôn đổi cách nói, nhưng dấu hiệu thì giống nhau."
        )
    steps = (
        "<ol><li><b>Dừng lại</b>: không chuyển tiền, không bấm link, không đọc mã khi bị giục."
        "</li><li><b>Kiểm tra</b> qua kênh bạn đã biết: số đã lưu, ứng dụng tự cài, quầy giao "
        "dịch, công an xã, phường.</li><li><b>Không đưa mã OTP</b> cho bất kỳ ai.</li>"
        "<li><b>Báo</b> cho công an nơi gần nhất nếu bị lừa hoặc nghi bị lừa.</li></ol>"
    )
    return note(f"<b>Bạn đúng {right}/{total} câu.</b> {comment}", "ok") + card(
        "Nhớ bốn bước khi nghi bị lừa", steps
    )


def _message_html(question: Question, number: int, total: int) -> str:
    return (
        f"<div style='color:#555'>Câu {number}/{total} · {esc(question.channel)}</div>"
        + card(
            f"Từ: {question.sender}",
            f"<div style='white-space:pre-wrap;font-size:1.05em'>{esc(question.text)}</div>",
        )
        + "<div>Theo bạn, đây là tin an toàn hay lừa đảo?</div>"
    )


def app(rng: random.Random | None = None) -> widgets.VBox:
    """The quiz: one message at a time, two answers, the explanation, the score at the end."""
    state = {"questions": new_round(rng), "index": 0, "right": 0}
    message = widgets.HTML(layout=full_width())
    feedback = widgets.HTML(layout=full_width())
    safe = widgets.Button(description="✔ An toàn", button_style="success")
    scam = widgets.Button(description="⚠ Lừa đảo", button_style="danger")
    following = widgets.Button(description="Câu tiếp theo →", button_style="primary")
    again = widgets.Button(description="Chơi lại", button_style="primary")
    answers = widgets.HBox([safe, scam], layout=widgets.Layout(flex_flow="row wrap"))

    def show():
        questions, index = state["questions"], state["index"]
        feedback.value = ""
        following.layout.display = "none"
        again.layout.display = "none"
        if index >= len(questions):
            message.value = score_text(state["right"], len(questions))
            answers.layout.display = "none"
            again.layout.display = None
            return
        message.value = _message_html(questions[index], index + 1, len(questions))
        answers.layout.display = None
        safe.disabled = scam.disabled = False

    def answer(says_scam: bool):
        right, text = check(state["questions"][state["index"]], says_scam)
        state["right"] += right
        feedback.value = text
        safe.disabled = scam.disabled = True
        following.layout.display = None

    def go_on(_):
        state["index"] += 1
        show()

    def restart(_):
        state.update(questions=new_round(rng), index=0, right=0)
        show()

    safe.on_click(lambda _: answer(False))
    scam.on_click(lambda _: answer(True))
    following.on_click(go_on)
    again.on_click(restart)
    show()
    return page(
        heading(
            "Nhận diện tin nhắn, cuộc gọi lừa đảo",
            "Mỗi câu là một tin nhắn hay cuộc gọi <b>mô phỏng</b>: tên người, số tiền, số tài "
            "khoản và địa chỉ web đều tự đặt ra (địa chỉ đuôi <code>.example</code> không dẫn "
            "tới đâu), theo đúng những chiêu lừa mà cơ quan chức năng đã cảnh báo.",
        ),
        message,
        answers,
        feedback,
        following,
        again,
    )
