"""``hocso serve``: standalone Voila on ``notebooks/apps/`` only, safe for the public.

Voila already refuses execute requests over the kernel websocket and strips sources; this
module adds what a public deployment in a commune hall needs and Voila lacks: a cap on live
kernels (Voila issue #617) with a Vietnamese "please wait" page, a Vietnamese landing page in
place of the file tree, Vietnamese error pages, and a template that asks nothing from the
internet and carries the text-size and high-contrast toggles.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from jupyter_server.base.handlers import path_regex
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets import Bool, Int
from traitlets.config import Config
from voila.app import Voila
from voila.handler import BaseVoilaHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from hocso.apps import APPS, bundle, kernels, rendering
from hocso.course import Course, CourseError

#: Holds ``voila/templates/hocso*``; put first on JUPYTER_PATH so Voila finds the templates.
SHARE_DIR = Path(__file__).resolve().parent / "share"
#: The page with Voila's own front end (JupyterLab's widget manager, ``voila.js``).
TEMPLATE = "hocso"
#: The default page: the server renders the notebook, one small script draws the widgets.
LIGHT_TEMPLATE = "hocso-light"
#: That script and its style sheet, built from ``frontend/`` by ``make install``.
LIGHT_SCRIPT = SHARE_DIR / "voila" / "templates" / LIGHT_TEMPLATE / "static" / "hocso-widgets.js"
LIGHT_STYLE = LIGHT_SCRIPT.with_suffix(".css")
#: Seconds a visitor over the cap waits before the page reloads itself.
RETRY_AFTER = 10


class Admission:
    """A page let in under the cap, and the kernel it got once it has one."""

    kernel_id: str | None = None


#: The admission of the page being answered, seen by the kernel manager in the same task.
ADMISSION: ContextVar[Admission | None] = ContextVar("hocso_admission", default=None)


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager that knows how many kernels serve visitors (pooled ones excluded)."""

    max_visitor_kernels = Int(
        40,
        config=True,
        help="Most kernels serving visitors at once; a visitor over it gets a wait page.",
    )

    unconnected_timeout = Int(
        120,
        config=True,
        help="Seconds after its page was sent (or its last activity) after which a kernel "
        "whose page never connected, or left, is shut down: reloading a page many times must "
        "not hold many visitor slots, and a phone still loading the page must not lose it.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        #: Visitor kernels asked for and not fully started yet (already costing memory). A
        #: kernel is listed before its start has returned: counted by id, it is counted once.
        self._starting: set[str] = set()
        #: Preheated kernels not handed to a page yet, from before their start: a kernel
        #: still starting for the pool is the pool's, not a visitor's.
        self._pool_ids: set[str] = set()
        self._pool_starting: set[str] = set()
        #: Pages admitted that hold no visitor kernel yet: a burst cannot slip past the cap.
        self.reservations: set[object] = set()
        #: The open kernel websockets of each kernel (PublicKernelWebsocketHandler).
        self.sockets: dict[str, set] = {}
        # Voila builds its preheating manager as a subclass of this class, so its methods win
        # over ours: the one that hands a preheated kernel to a page is wrapped here instead.
        hand_out = getattr(self, "get_rendered_notebook", None)
        if hand_out is not None:

            async def get_rendered_notebook(*args, **kwargs):
                render_task, rendered, kernel_id = await hand_out(*args, **kwargs)
                self._handed_out(kernel_id)
                return render_task, rendered, kernel_id

            self.get_rendered_notebook = get_rendered_notebook

    async def start_kernel(self, **kwargs):
        # Voila marks the kernels it starts for its preheated pool in their environment.
        pooled = (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True"
        kernel_id = kwargs.setdefault("kernel_id", self.new_kernel_id())
        if pooled:
            self._pool_ids.add(kernel_id)
            self._pool_starting.add(kernel_id)
        else:
            self.reservations.discard(ADMISSION.get())  # the page's place is now this kernel
            self._starting.add(kernel_id)
        try:
            kernel_id = await super().start_kernel(**kwargs)
        finally:
            self._pool_starting.discard(kernel_id)
            self._starting.discard(kernel_id)
        admission = ADMISSION.get()
        if not pooled and admission is not None:
            admission.kernel_id = kernel_id
        return kernel_id

    def _handed_out(self, kernel_id: str) -> None:
        """A preheated kernel now serves the page being answered."""
        self._pool_ids.discard(kernel_id)
        admission = ADMISSION.get()
        self.reservations.discard(admission)
        if admission is not None:
            admission.kernel_id = kernel_id
        self.page_sent(kernel_id)

    def page_sent(self, kernel_id: str) -> None:
        """Start the kernel's unconnected timeout now: its page is on its way to the browser.

        A preheated kernel may have waited in the pool for hours, and a page may take long to
        render when many arrive at once; the browser connects only after loading the page's
        scripts, which on a busy server or a slow phone takes a while too.
        """
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            kernel.last_activity = datetime.now(UTC)

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        # jupyter_server leaves a page's websocket open when its kernel is shut down (culled
        # after ten idle minutes, say), and the page's buttons would then do nothing. Closing
        # it makes the page ask for the kernel, learn it is gone and tell the visitor.
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            for socket in self.sockets.pop(kernel_id, set()):
                socket.close(1000, "kernel shut down")

    async def cull_kernel_if_idle(self, kernel_id):
        # Voila's pool manager calls this only for kernels already handed to a visitor.
        if kernel_id in self._starting or kernel_id in self._pool_starting:
            return  # listed before its start returned: no activity recorded yet to judge by
        kernel = self._kernels.get(kernel_id)
        last = getattr(kernel, "last_activity", None)
        if kernel is not None and last is not None and not self._kernel_connections.get(kernel_id):
            idle = (datetime.now(UTC) - last).total_seconds()
            if idle > self.unconnected_timeout and kernel.execution_state != "busy":
                self.log.warning("Culling kernel %s: no page connected for %ds", kernel_id, idle)
                await self.shutdown_kernel(kernel_id)
                return
        await super().cull_kernel_if_idle(kernel_id)

    def pooled_count(self) -> int:
        """Preheated kernels waiting for a visitor with their notebook already run.

        A pool's entry is done once its kernel has started; the notebook then runs in a task
        of its own, and a kernel still running it is not counted yet.
        """
        waiting = 0
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    rendering = task.result().get("task")
                    waiting += rendering is None or rendering.done()
        return waiting

    def pool_target(self) -> int:
        """Preheated kernels wanted in all: the pools' sizes (Voila's kernel_pools_config)."""
        configs = getattr(self, "kernel_pools_config", {})
        default = configs.get("default", {}).get("pool_size", 0)
        return sum(
            configs.get(name, {}).get("pool_size", default) for name in getattr(self, "_pools", {})
        )

    def visitor_kernels(self) -> int:
        """Kernels serving visitors now: every live or starting kernel not the pool's."""
        live = set(self.list_kernel_ids())
        self._pool_ids &= live | self._pool_starting  # forget the pool kernels that died
        return len((live | self._starting) - self._pool_ids)

    def visitor_count(self) -> int:
        """Visitor kernels plus admitted pages that hold none yet: what the cap is checked on."""
        return self.visitor_kernels() + len(self.reservations)

    def is_full(self) -> bool:
        return self.visitor_count() >= self.max_visitor_kernels


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, answering with the wait page when the kernel cap is reached."""

    @web.authenticated
    async def get(self, path=None):
        manager = self.kernel_manager
        capped = isinstance(manager, CappedKernelManager)
        if capped and manager.is_full():
            self.log.warning("Kernel cap reached (%s): wait page sent", manager.visitor_count())
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_AFTER))
            self.set_header("Cache-Control", "no-store")
            self.finish(self.render_template("hocso_wait.html", retry_after=RETRY_AFTER))
            return
        # Voila's page posts its kernel's shutdown on leaving with the _xsrf cookie, but never
        # sets that cookie: without it every shutdown is refused and kernels pile up to the cap.
        self.xsrf_token  # noqa: B018 (reading it sets the cookie)
        admission = None
        if capped:
            # The page gets its kernel only after some awaits: hold its place until then.
            admission = Admission()
            manager.reservations.add(admission)
            ADMISSION.set(admission)
        try:
            await super().get(path)
        finally:
            if admission is not None:
                manager.reservations.discard(admission)
                if admission.kernel_id is not None:
                    manager.page_sent(admission.kernel_id)


class PublicKernelWebsocketHandler(VoilaKernelWebsocketHandler):
    """The kernel websocket of a page, hardened for visitors nobody authenticated.

    Found by the benchmark: a message with binary parts is framed with a count of parts and
    their offsets, and the servers trust that count. Voila reads every outgoing message's
    header assuming the v1 framing, so a client speaking the older framing made it read a
    count of billions and the whole server froze; jupyter_server reads a client's v1 frames
    the same way, so one crafted frame froze it too. Voila's own page speaks v1 and sends
    well-formed frames: anything else is refused.
    """

    async def get(self, *args, **kwargs):
        offered = self.request.headers.get("Sec-WebSocket-Protocol", "")
        if V1_PROTOCOL not in {p.strip() for p in offered.split(",")}:
            raise web.HTTPError(400, "the kernel websocket speaks only " + V1_PROTOCOL)
        return await super().get(*args, **kwargs)

    def write_error(self, status_code, **kwargs):
        """A refused handshake (no v1 framing, an unknown kernel) answered in plain text, the
        reason already logged on the request's line: jupyter_server's error page needs
        templates and settings a Voila server has not, and logged a traceback instead."""
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"{status_code} {self._reason}")

    async def open(self, kernel_id):
        sockets = getattr(self.kernel_manager, "sockets", None)
        if sockets is not None:
            sockets.setdefault(kernel_id, set()).add(self)
        await super().open(kernel_id)

    def on_close(self):
        sockets = getattr(self.kernel_manager, "sockets", {}).get(self.kernel_id)
        if sockets is not None:
            sockets.discard(self)
        super().on_close()

    def on_message(self, message):
        if isinstance(message, bytes) and not well_framed(message):
            self.log.warning(
                "Malformed kernel websocket frame from %s: closed", self.request.remote_ip
            )
            self.close(1003, "malformed frame")
            return None
        return super().on_message(message)


#: The kernel websocket framing Voila's page uses (and the only one accepted).
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def well_framed(frame: bytes) -> bool:
    """Whether a v1 frame's offsets fit in it: six at least (channel, header, parent header,
    metadata, content, end), each within the frame and none before the one it follows."""
    count = int.from_bytes(frame[:8], "little")
    if count < 6 or 8 * (count + 1) > len(frame):
        return False
    offsets = [int.from_bytes(frame[8 * i : 8 * (i + 1)], "little") for i in range(1, count + 1)]
    return all(a <= b <= len(frame) for a, b in zip(offsets, offsets[1:], strict=False))


class LandingHandler(BaseVoilaHandler):
    """The Vietnamese landing page: the apps, one line each (never Voila's file tree)."""

    def get(self, path=None):
        root = Path(self.settings["voila"].root_dir)
        apps = [app for app in APPS if (root / app.notebook).is_file()]
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.render_template("hocso_landing.html", apps=apps))


class StatusHandler(BaseVoilaHandler):
    """Kernel counts as JSON, for a reverse proxy's health check and for the tests."""

    def get(self):
        manager = self.kernel_manager
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            json.dumps(
                {
                    "visitors": manager.visitor_kernels(),
                    "admitting": len(manager.reservations),
                    "pooled": manager.pooled_count(),
                    "pool_target": manager.pool_target(),
                    "max_visitors": manager.max_visitor_kernels,
                    "kernels": len(manager.list_kernel_ids()),
                }
            )
        )


class NotFoundHandler(BaseVoilaHandler):
    """Every other address: a Vietnamese 404 page."""

    def get(self, *args):
        raise web.HTTPError(404)

    post = put = delete = patch = get


class HocsoVoila(Voila):
    """Voila with hocso's landing page, kernel cap and Vietnamese pages."""

    bundle_js = Bool(
        True,
        config=True,
        help="Send the JavaScript chunks a page needs as one script (hocso.apps.bundle); "
        "False lets the page fetch them one by one, as Voila does.",
    )

    def initialize(self, argv=None):
        super().initialize(argv)
        self.log.addFilter(not_a_trust_warning)

    def init_handlers(self):
        conf = {"voila_configuration": self.voila_configuration}
        handlers = [
            (self.server_url, LandingHandler, conf),
            (url_path_join(self.server_url, r"/voila/tree" + path_regex), LandingHandler, conf),
            (url_path_join(self.server_url, r"/hocso/status"), StatusHandler, conf),
            *self._asset_handlers(),
        ]
        for handler in super().init_handlers():
            if handler[1] in (TornadoVoilaTreeHandler, VoilaContentsHandler):
                continue  # the file tree and its listing API show the folder: not for visitors
            if handler[1] is TornadoVoilaHandler:
                handler = (handler[0], CappedVoilaHandler, *handler[2:])
            elif handler[1] is VoilaKernelWebsocketHandler:
                handler = (handler[0], PublicKernelWebsocketHandler, *handler[2:])
            handlers.append(handler)
        handlers.append((url_path_join(self.server_url, r"/.*"), NotFoundHandler, conf))
        return handlers

    def _asset_handlers(self) -> list:
        """Handlers of the scripts and styles sent precompressed, their addresses given to the
        page template: the light page's script and style sheet, or the chunk bundle of Voila's
        front end (or nothing, when it cannot be built)."""
        if self.voila_configuration.template == LIGHT_TEMPLATE:
            assets = {"hocso_script": bundle.of_file(LIGHT_SCRIPT)}
            assets["hocso_style"] = bundle.of_file(LIGHT_STYLE)
        elif self.bundle_js:
            built = bundle.build(self.static_paths, self.labextensions_path, log=self.log)
            assets = {"hocso_bundle": built} if built is not None else {}
        else:
            assets = {}  # no resources.hocso_bundle: the template adds no script
        resources = dict(self.voila_configuration.resources)
        handlers = []
        for name, built in assets.items():
            resources[name] = url_path_join(self.base_url, built.path)
            route = url_path_join(self.server_url, re.escape(built.path))
            handlers.append((route, bundle.BundleHandler, {"bundle": built}))
        # Voila's renderer takes the templates' extra resources from the configuration.
        self.voila_configuration.config.VoilaConfiguration.resources = resources
        return handlers

    def start(self):
        from tornado.ioloop import IOLoop

        IOLoop.current().add_callback(self._announce)
        super().start()

    def _announce(self):
        print(
            "\n✅ Các ứng dụng học số đang chạy. Mở địa chỉ này trong trình duyệt:\n"
            f"   http://{self.ip}:{self.port}{self.base_url}\n"
            f"   Tối đa {self.kernel_manager.max_visitor_kernels} người dùng cùng lúc; "
            "người đến sau sẽ thấy trang “Xin chờ một chút”.\n"
            "   Dừng bằng Ctrl + C.\n",
            flush=True,
        )


def not_a_trust_warning(record: logging.LogRecord) -> bool:
    """False for the contents manager's "Notebook ... is not trusted", logged on every visit.

    Trust decides whether a notebook's stored outputs are shown; the apps have none, and Voila
    runs each one afresh for every visitor, so the warning said nothing and buried the log.
    """
    return record.msg != "Notebook %s is not trusted"


def apps_dir(course: Course) -> Path:
    """The folder of app notebooks, or a clear error when the course has none."""
    folder = course.root / "notebooks" / "apps"
    if not any(folder.glob("*.ipynb")):
        raise CourseError(
            f"Không có ứng dụng nào trong {folder}: cần các notebook ứng dụng (*.ipynb) ở đó."
        )
    return folder


def light_frontend_ready(wanted: bool) -> bool:
    """Whether pages get the light front end: wanted, and built (else a warning, and Voila's)."""
    if wanted and not (LIGHT_SCRIPT.is_file() and LIGHT_STYLE.is_file()):
        print(
            "⚠️  Chưa có giao diện nhẹ của các ứng dụng (chạy `make install` để dựng nó từ "
            "thư mục frontend/). Tạm dùng giao diện của Voila, chậm hơn.",
            file=sys.stderr,
        )
        return False
    return wanted


def voila_config(
    root: Path,
    port: int,
    open_browser: bool,
    max_kernels: int = 40,
    pool_size: int = 1,
    cull_idle_seconds: int = 600,
    fork_kernels: bool = True,
    light_frontend: bool = True,
) -> Config:
    """The Voila settings of ``hocso serve``; each one says why it is there."""
    c = Config()
    c.Voila.root_dir = str(root)
    c.Voila.ip = "127.0.0.1"  # a reverse proxy publishes it; never every interface by default
    c.Voila.port = port
    c.Voila.port_retries = 0  # the instructor asked for this port: fail rather than wander
    c.Voila.open_browser = open_browser
    c.Voila.log_level = "WARN"
    conf = c.VoilaConfiguration
    # The light page needs a fraction of the browser's work of Voila's (docs/apps.md).
    conf.template = LIGHT_TEMPLATE if light_frontend else TEMPLATE
    c.HTMLExporter.language_code = "vi"  # <html lang="vi">: screen readers speak Vietnamese
    conf.strip_sources = True
    conf.show_tracebacks = False
    conf.allow_template_override = "NO"  # ?template= and ?theme= could load other pages
    conf.allow_theme_override = "NO"
    conf.file_allowlist = []  # nothing in the folder is served as a raw file
    # Only the widgets' front end: the other lab extensions installed (nbgrader's among them)
    # expect JupyterLab around them and fail in a Voila page.
    conf.extension_allowlist = [
        "@jupyter-widgets/jupyterlab-manager",
        "@voila-dashboards/widgets-manager8",
    ]
    conf.preheat_kernel = pool_size > 0
    conf.default_pool_size = max(pool_size, 0)
    conf.multi_kernel_manager_class = CappedKernelManager
    c.CappedKernelManager.max_visitor_kernels = max_kernels
    # A visitor who walks away leaves a kernel behind: cull it even if the tab is still open.
    c.CappedKernelManager.cull_idle_timeout = cull_idle_seconds
    c.CappedKernelManager.cull_interval = 30
    c.CappedKernelManager.cull_connected = True
    # The pool refills 1 s after a hand-out (Voila's default), when the page handed the kernel
    # has mostly drawn its widgets (0.7 s in bench/apps.py): a refill at once competed with it
    # for the CPU (0.85-1.41 s against 0.63-0.81 s, timed by hand). Not later: the next visitor
    # of the same app waits for that refill (2 s made each of 50 quick reloads take 2.1 s).
    c.VoilaKernelManager.fill_delay = 1.0
    # After a cell's reply, nbclient waits 4 s by default for the rest of its output, then
    # drops it without an error: under a burst the server read the kernels' output that late,
    # and pages came without their widgets (8 of 20 in bench/apps.py). Wait as long as a
    # kernel may take to start; past that, say the app took too long rather than show nothing.
    c.VoilaExecutor.iopub_timeout = 60
    c.VoilaExecutor.raise_on_iopub_timeout = True
    c.VoilaExecutor.cell_error_instruction = (
        "(Ứng dụng gặp lỗi. Xin hãy báo cho người quản lý máy chủ.)"
    )
    c.VoilaExecutor.cell_timeout_instruction = "(Ứng dụng chạy quá lâu. Xin hãy thử lại sau.)"
    # Kernels talk to the server over Unix sockets, not TCP ports other local users could reach.
    c.KernelManager.transport = "ipc"
    if fork_kernels:
        # A new kernel is forked from a template that has already imported the apps' libraries
        # (hocso.apps.kernels): well under a second instead of several CPU-seconds.
        c.KernelProvisionerFactory.default_provisioner_name = kernels.PROVISIONER_NAME
    return c


def serve(
    course: Course,
    port: int = 8866,
    open_browser: bool = True,
    max_kernels: int = 40,
    pool_size: int = 1,
    fork_kernels: bool = True,
    light_frontend: bool = True,
) -> int:
    """Serve the course's apps until stopped; the kernels know the course root."""
    root = apps_dir(course)
    light_frontend = light_frontend_ready(light_frontend)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(SHARE_DIR), os.environ.get("JUPYTER_PATH")) if p
    )
    os.environ["HOCSO_COURSE"] = str(course.root)
    config = voila_config(
        root,
        port,
        open_browser,
        max_kernels,
        pool_size,
        fork_kernels=fork_kernels,
        light_frontend=light_frontend,
    )
    rendering.use_compiled_templates()
    app = HocsoVoila(config=config)
    app.initialize([])
    try:
        app.start()
    finally:
        kernels.ForkServer.stop_current()  # and with it every kernel forked from it
    return 0
