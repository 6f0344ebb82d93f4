"""The apps in a real browser: Debian's Chromium at phone width, driven by Playwright.

Every test runs on both pages ``hocso serve`` can send: the light one (the default, drawn by
the script built from frontend/) and Voila's own (``--voila-frontend``). For every app: it
renders, one real interaction gives the expected result, no code is visible, the console has
no error and no request leaves 127.0.0.1; a screenshot is kept in artifacts/apps/. Then the
server's safety: an execute request over the kernel websocket is refused, and the cap on
kernels holds under 50 rapid reloads; and a page that leaves frees its kernel.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest

from hocso.apps import lua_dao

from .browser import (
    PHONE,
    V1_PROTOCOL,
    course_with_apps,
    kernel_message,
    launch,
    read_kernel_message,
    serving,
    status,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "apps"
MAX_VISITORS = 3


#: The pages hocso serve can send, and the option that selects each.
FRONTENDS = {"light": [], "voila": ["--voila-frontend"]}


@pytest.fixture(scope="module", params=list(FRONTENDS))
def frontend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def server(tmp_path_factory, frontend):
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Chromium is missing: `make install-test` installs Debian's chromium.")
    root = course_with_apps(tmp_path_factory.mktemp(f"apps_{frontend}") / "course")
    log = root / "serve.log"
    options = ["--max-visitors", str(MAX_VISITORS), *FRONTENDS[frontend]]
    with serving(root, *options, log=log) as (base, _process):
        yield base, log


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(server, browser):
    """Open a page at phone width, recording console errors and every request's address."""
    base, _log = server
    context = browser.new_context(viewport=PHONE)
    seen = {"errors": [], "urls": []}

    def open_page(path: str, ready: str | None = None):
        page = context.new_page()
        page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("request", lambda r: seen["urls"].append(r.url))
        page.goto(base + path)
        if ready:
            page.wait_for_selector(ready, timeout=90_000)
        return page

    yield open_page, seen
    for page in context.pages:
        page.close(run_before_unload=True)
    context.close()


def check_clean(page, seen, name: str):
    """No code on the page, no console error, nothing fetched from elsewhere; every widget
    drawn; a screenshot named after the app and the page's front end."""
    text = page.inner_text("body")
    assert "Đang mở ứng dụng" not in text and page.locator(".hocso-problem").count() == 0
    assert "from hocso" not in text and "ung_dung" not in text and "import " not in text
    assert page.locator(".jp-InputArea-editor, .cm-editor, .jp-CodeCell .jp-InputArea").count() == 0
    assert seen["errors"] == []
    outside = [u for u in seen["urls"] if urlparse(u).hostname not in ("127.0.0.1", None)]
    assert outside == [], outside
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    light = page.locator("body.hocso-light").count() == 1
    page.screenshot(
        path=str(ARTIFACTS / f"{name}_{'nhe' if light else 'voila'}.png"), full_page=True
    )


def app_path(name: str) -> str:
    return f"/voila/render/{name}.ipynb"


def test_does_the_landing_page_list_the_five_apps_in_vietnamese(visit):
    open_page, seen = visit
    page = open_page("/")
    links = page.locator(".hocso-apps a")
    assert links.count() == 5
    assert "Ứng dụng học số" in page.inner_text("h1")
    page.get_by_role("button", name="Chữ to hơn").click()
    assert (
        page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--hocso-scale')"
        ).strip()
        == "1.25"
    )
    page.get_by_role("button", name="Bật hoặc tắt chế độ tương phản cao").click()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    check_clean(page, seen, "trang_chu")


def test_does_the_password_checker_rate_a_common_password_very_weak(visit, server):
    open_page, seen = visit
    page = open_page(app_path("kiem_tra_mat_khau"), "input[type=password]")
    secret = "abc123"
    page.fill("input[type=password]", secret)
    page.wait_for_selector("text=Độ mạnh: Rất yếu", timeout=30_000)
    assert "danh sách 10.000 mật khẩu" in page.inner_text("body")
    check_clean(page, seen, "kiem_tra_mat_khau")
    log = server[1].read_text(encoding="utf-8")
    assert secret not in log
    # Nor the warning that the notebook just rendered "is not trusted" (it has no outputs):
    # once per visit, it buried the log.
    assert "is not trusted" not in log, log


def test_does_the_scam_quiz_judge_an_answer(visit):
    open_page, seen = visit
    page = open_page(app_path("nhan_dien_lua_dao"), "text=Theo bạn")
    shown = page.inner_text("body")
    question = next(q for q in lua_dao.QUESTIONS if q.text in shown)
    page.get_by_role("button", name="⚠ Lừa đảo").click()
    expected = "Đúng rồi!" if question.scam else "Chưa đúng."
    page.wait_for_selector(f"text={expected}", timeout=30_000)
    check_clean(page, seen, "nhan_dien_lua_dao")


def test_does_the_self_assessment_draw_the_radar_and_suggest_modules(visit):
    open_page, seen = visit
    page = open_page(app_path("tu_danh_gia_nang_luc_so"), ".widget-radio-box")
    for option in page.get_by_label("Chưa làm được").all():
        option.check()
    page.get_by_role("button", name="Xem kết quả").click()
    page.wait_for_selector("text=Bài học nên học tiếp", timeout=30_000)
    assert "bai01" in page.inner_text("body")
    assert page.locator("img").first.is_visible()
    check_clean(page, seen, "tu_danh_gia_nang_luc_so")


def test_does_the_dashboard_say_there_is_no_gradebook_yet(visit):
    open_page, seen = visit
    page = open_page(app_path("bang_dieu_khien_lop"), "text=Chưa có sổ điểm")
    check_clean(page, seen, "bang_dieu_khien_lop")


def test_does_the_simulated_form_report_missing_fields(visit):
    open_page, seen = visit
    page = open_page(app_path("thuc_hanh_dich_vu_cong"), "text=MÔ PHỎNG ĐỂ TẬP LUYỆN")
    page.get_by_role("button", name="Nộp hồ sơ (mô phỏng)").click()
    page.wait_for_selector("text=Hồ sơ chưa hợp lệ", timeout=30_000)
    assert "Vui lòng nhập họ và tên." in page.inner_text("body")
    check_clean(page, seen, "thuc_hanh_dich_vu_cong")


def test_does_a_kernel_preheated_long_ago_wait_for_its_page_to_connect(browser, tmp_path_factory):
    """A preheated kernel that sat in its pool longer than the unconnected timeout is handed to
    a page: the page has the whole timeout from then to connect. (It used to be culled at the
    next tick while the browser was still loading, and the page showed no widget.)"""
    root = course_with_apps(tmp_path_factory.mktemp("patient") / "course")
    # Voila reads voila.json from the folder it starts in: a short timeout, checked every second.
    # (30 s: time enough for a page to connect on a loaded CI machine.)
    settings = {"CappedKernelManager": {"unconnected_timeout": 30, "cull_interval": 1}}
    (root / "voila.json").write_text(json.dumps(settings), encoding="utf-8")
    log = root / "serve.log"
    filling = []
    with serving(root, log=log, on_status=filling.append) as (base, _process):
        # Kernels starting for the pool are the pool's: no visitor was ever counted.
        assert filling and all(state["visitors"] == 0 for state in filling), filling
        assert any(0 < state["kernels"] < state["pool_target"] for state in filling), filling
        time.sleep(33)  # every pooled kernel is now idle for longer than the timeout
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(base + app_path("thuc_hanh_dich_vu_cong"))
        page.wait_for_selector("text=MÔ PHỎNG ĐỂ TẬP LUYỆN", timeout=90_000)
        page.get_by_role("button", name="Nộp hồ sơ (mô phỏng)").click()
        page.wait_for_selector("text=Hồ sơ chưa hợp lệ", timeout=30_000)
        context.close()
    assert "Culling kernel" not in log.read_text(encoding="utf-8")


#: A cell whose widget reaches the server 6 s after the cell's reply, as under a burst when
#: the server reads a kernel's output late: the kernel's output thread is held for 6 s, and
#: its main thread waits only 0.2 s for it before replying.
LAGGING_CELL = """\
import sys, time
import ipywidgets
sys.stdout.flush_timeout = sys.stderr.flush_timeout = 0.2
get_ipython().kernel.iopub_thread.io_loop.add_callback(time.sleep, 6)
ipywidgets.Button(description="Bấm thử")
"""
#: Notebooks unlike the apps, served beside them: (name, the code of its one cell).
ODD_NOTEBOOKS = {
    "cham": LAGGING_CELL,
    "trong": "1 + 1",  # no widget at all
    "mo_ta_html": 'import ipywidgets\nipywidgets.Checkbox(description="<b>đậm</b>", '
    "description_allow_html=True)",
}


@pytest.fixture(scope="module")
def odd_server(tmp_path_factory):
    """``hocso serve`` (light page, no preheating) with the notebooks of ODD_NOTEBOOKS."""
    import nbformat

    root = course_with_apps(tmp_path_factory.mktemp("odd") / "course")
    for name, source in ODD_NOTEBOOKS.items():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
        nbformat.write(notebook, root / "notebooks" / "apps" / f"{name}.ipynb")
    with serving(root, "--preheat", "0", log=root / "serve.log") as (base, _process):
        yield base


@pytest.fixture
def odd_page(odd_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    def open_page(name: str):
        page.goto(odd_server + app_path(name), timeout=90_000)
        return page

    yield open_page
    context.close()


def test_does_a_page_wait_for_the_widgets_of_a_lagging_kernel(odd_page):
    """A widget whose output reaches the server 6 s after its cell's reply is on the page
    (nbclient gave up after 4 s and the page came with no widget: 8 of 20 in a burst)."""
    page = odd_page("cham")
    page.get_by_role("button", name="Bấm thử").wait_for(timeout=60_000)
    assert page.locator(".hocso-problem").count() == 0


def test_does_a_page_without_widgets_say_so_in_vietnamese(odd_page):
    page = odd_page("trong")
    problem = page.wait_for_selector(".hocso-problem[role=alert]", timeout=60_000)
    assert "Không mở được ứng dụng" in problem.inner_text()


def test_is_an_html_description_shown_as_its_text(odd_page):
    """The light page leaves ipywidgets' HTML sanitizer out and escapes such descriptions."""
    page = odd_page("mo_ta_html")
    label = page.wait_for_selector(".widget-checkbox", timeout=60_000)
    assert "<b>đậm</b>" in label.inner_text()
    assert label.query_selector("b") is None


def kernel_socket(visit, server) -> str:
    """The kernel websocket address of a freshly opened app page."""
    open_page, _seen = visit
    page = open_page(app_path("kiem_tra_mat_khau"), "input[type=password]")
    config = json.loads(page.inner_text("#jupyter-config-data"))
    return f"{server[0].replace('http', 'ws')}/api/kernels/{config['kernelId']}/channels"


def talk(scenario):
    """Run an asyncio scenario beside Playwright's sync API, which owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario).result()


async def replies_until(ws, msg_id: str, seconds: float = 30) -> list[dict]:
    """Every message the kernel websocket sends until the shell reply to ``msg_id`` (or
    ``seconds``).

    The kernel answers a socket's shell requests in the order they were sent, so anything
    sent before ``msg_id`` has had its reply by then. A deadline, not a silence: on a loaded
    machine a reply can come after seconds of silence.
    """
    replies = []
    try:
        async with asyncio.timeout(seconds):
            while frame := await ws.read_message():
                replies.append(read_kernel_message(frame))
                if replies[-1]["parent"] == msg_id and replies[-1]["channel"] == "shell":
                    break
    except TimeoutError:
        pass
    return replies


async def close_code(ws, seconds: float = 30) -> int | None:
    """The code the server closed ``ws`` with, reading past the kernel's broadcast messages
    (the page's own kernel traffic reaches every socket of the kernel); None if it stays open."""
    try:
        async with asyncio.timeout(seconds):
            while await ws.read_message() is not None:
                pass
    except TimeoutError:
        return None
    return ws.close_code


def test_is_an_execute_request_over_the_kernel_websocket_refused(visit, server):
    from tornado.websocket import websocket_connect

    url = kernel_socket(visit, server)

    async def probe():
        ws = await websocket_connect(url, subprotocols=[V1_PROTOCOL])
        session = uuid.uuid4().hex
        execute, execute_id = kernel_message(
            "execute_request",
            {
                "code": "print('hacked')",
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
            },
            session,
        )
        info, info_id = kernel_message("kernel_info_request", {}, session)
        await ws.write_message(execute, binary=True)
        await ws.write_message(info, binary=True)
        replies = await replies_until(ws, info_id)
        ws.close()
        return replies, execute_id, info_id

    replies, execute_id, info_id = talk(probe())
    # The channel works (the allowed request is answered), and the execute request is not.
    assert any(r["parent"] == info_id and r["msg_type"] == "kernel_info_reply" for r in replies)
    assert not any(r["parent"] == execute_id for r in replies)
    assert "hacked" not in json.dumps(replies)


def test_is_the_kernel_websocket_closed_to_a_client_without_the_v1_framing(visit, server):
    """Voila reads outgoing frames as v1: a client of the older framing froze the server."""
    from tornado.httpclient import HTTPClientError
    from tornado.websocket import websocket_connect

    url = kernel_socket(visit, server)

    async def legacy():
        try:
            await websocket_connect(url)
        except HTTPClientError as exc:
            return exc.code
        return None

    assert talk(legacy()) == 400
    assert status(server[0])["max_visitors"] == MAX_VISITORS
    # Refused in one line of the log, not with jupyter_server's error page failing to render.
    log = server[1].read_text(encoding="utf-8")
    assert "the kernel websocket speaks only" in log and "Uncaught exception" not in log, log


def test_is_the_websocket_of_an_unknown_kernel_refused_in_one_log_line(server):
    """A page whose kernel is gone reconnects to it: 404, and no traceback in the log."""
    from tornado.httpclient import HTTPClientError
    from tornado.websocket import websocket_connect

    url = f"{server[0].replace('http', 'ws')}/api/kernels/{uuid.uuid4()}/channels"

    async def reconnect():
        try:
            await websocket_connect(url, subprotocols=[V1_PROTOCOL])
        except HTTPClientError as exc:
            return exc.code
        return None

    assert talk(reconnect()) == 404
    log = server[1].read_text(encoding="utf-8")
    assert "Kernel does not exist" in log and "Uncaught exception" not in log, log


def test_does_a_crafted_frame_close_the_socket_and_leave_the_server_answering(visit, server):
    """A v1 frame claiming twenty million parts: jupyter_server would build a list that long
    before looking at the frame's length (seconds of CPU and a gigabyte per frame)."""
    from tornado.websocket import websocket_connect

    url = kernel_socket(visit, server)

    async def attack():
        ws = await websocket_connect(url, subprotocols=[V1_PROTOCOL])
        start = time.monotonic()
        await ws.write_message((20_000_000).to_bytes(8, "little") + bytes(64), binary=True)
        closed_with = await close_code(ws)
        # The server answers at once, and a well-framed client still gets its reply.
        await asyncio.get_running_loop().run_in_executor(None, status, server[0])
        answered = time.monotonic() - start
        ws = await websocket_connect(url, subprotocols=[V1_PROTOCOL])
        info, info_id = kernel_message("kernel_info_request", {}, uuid.uuid4().hex)
        await ws.write_message(info, binary=True)
        replies = await replies_until(ws, info_id)
        ws.close()
        return (
            closed_with,
            answered,
            any(r["parent"] == info_id and r["msg_type"] == "kernel_info_reply" for r in replies),
        )

    closed_with, answered, served = talk(attack())
    assert closed_with == 1003  # the handler's "malformed frame"
    assert served
    assert answered < 5, answered  # the old handler spent many seconds of CPU on it


def wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_does_a_page_that_leaves_free_its_kernel(server, browser):
    """The page posts its kernel's shutdown when it goes (with the _xsrf cookie the server
    sets): the visitor's place is free at once, not after the idle culler's ten minutes."""
    base, _log = server
    assert wait_until(lambda: status(base)["visitors"] == 0, 60), status(base)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base + app_path("kiem_tra_mat_khau"))
    page.wait_for_selector("input[type=password]", timeout=90_000)
    assert status(base)["visitors"] == 1
    page.close(run_before_unload=True)
    context.close()
    assert wait_until(lambda: status(base)["visitors"] == 0), status(base)


@pytest.mark.parametrize("frontend", ["light"], indirect=True)
def test_does_the_light_page_say_so_when_its_kernel_is_gone(server, browser):
    """A kernel shut down under an open page (culled, or the server restarted): the visitor is
    told in Vietnamese to reload, with a button that does, instead of buttons that do nothing."""
    base, _log = server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base + app_path("thuc_hanh_dich_vu_cong"))
    page.wait_for_selector("text=MÔ PHỎNG ĐỂ TẬP LUYỆN", timeout=90_000)
    config = json.loads(page.inner_text("#jupyter-config-data"))
    shutdown = page.evaluate(
        """async (id) => {
            const xsrf = document.cookie.match(/(?:^|; )_xsrf=([^;]*)/)[1];
            const reply = await fetch(`/voila/api/shutdown/${id}`,
                {method: 'POST', headers: {'X-XSRFToken': decodeURIComponent(xsrf)}});
            return reply.status;
        }""",
        config["kernelId"],
    )
    assert shutdown == 204
    problem = page.wait_for_selector(".hocso-problem[role=alert]", timeout=30_000)
    assert "Mất kết nối với máy chủ" in problem.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lại trang").click()
    page.wait_for_selector("text=MÔ PHỎNG ĐỂ TẬP LUYỆN", timeout=90_000)
    context.close()


@pytest.mark.parametrize("frontend", ["light"], indirect=True)
def test_is_the_light_page_a_few_small_files(server, browser):
    """What makes it fast: the page, one script and three style sheets, no JupyterLab."""
    base, _log = server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sizes = {}
    page.on("response", lambda r: sizes.setdefault(urlparse(r.url).path, r))
    page.goto(base + app_path("nhan_dien_lua_dao"))
    page.wait_for_selector("text=Theo bạn", timeout=90_000)
    page.wait_for_load_state("networkidle")
    paths = [p for p in sizes if not p.startswith("/api/kernels/")]
    assert len(paths) <= 6, paths
    assert not any("voila.js" in p or "/labextensions/" in p for p in paths), paths
    scripts = [p for p in paths if p.endswith(".js")]
    bundled = [p for p in scripts if p.startswith("/hocso/bundle/")]
    assert len(bundled) == 1 and len(scripts) == 2, scripts  # and hocso.js, the toolbar
    script = sizes[bundled[0]]
    assert script.all_headers()["content-encoding"] == "gzip"
    assert len(script.body()) < 1_500_000  # Voila's page: 4.3 MB of JavaScript
    context.close()


def test_does_the_kernel_cap_hold_under_fifty_rapid_reloads(server, browser):
    # Last of its server's tests: the pages reloaded before they connected hold their
    # kernels until the unconnected timeout, so the cap stays reached for a while.
    base, _log = server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    url = base + app_path("nhan_dien_lua_dao")
    highest = 0
    statuses = []
    for _ in range(50):
        response = page.goto(url, wait_until="commit")
        statuses.append(response.status if response else None)
        highest = max(highest, status(base)["visitors"])
    page.wait_for_load_state()
    assert highest <= MAX_VISITORS, highest
    assert set(statuses) <= {200, 503}, statuses
    if statuses[-1] == 503:
        assert "Xin chờ một chút" in page.inner_text("body")
    # The server still answers, with the wait page when full, never a crash.
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.status == 200
    except urllib.error.HTTPError as exc:
        assert exc.code == 503 and exc.headers["Retry-After"]
        assert "Xin chờ một chút" in exc.read().decode("utf-8")
    assert re.match(r"^\d+$", str(status(base)["visitors"]))
    context.close()
