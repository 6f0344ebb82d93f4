"""Benchmark of ``hocso serve``: time to the first interactive widget, memory, concurrency.

Run from the repository: ``.venv/bin/python bench/apps.py [--runs 2] [--concurrent 20,50,100]``.
It serves the apps five ways (``MODES``): Voila's own page with a new Python per kernel without
and with one preheated kernel per app (as plain Voila serves them), Voila's page with kernels
forked from the warm template and preheated, then the light page with forked kernels without and
with preheating (the default), and prints the default's speedup over the second and third,
measured in the same run. Each time it opens each app in Debian's headless Chromium at phone
width (a fresh browser profile per visit, as a new phone) and times from the request to the HTML
received and to the first widget a visitor can use (a button or text box of the app, visible and
enabled). Then it keeps several visitors on the page to measure the memory each costs
(proportional set size, so pages shared by forks are counted once), and opens N pages at once
for each N of ``--concurrent``. ``--server-only`` bursts are visitors without a browser: each
asks the server for everything a real visit asks (the page, the files Chromium requested for it,
every widget's state over the kernel's websocket), to see the server's share alone, since on
this machine the benchmark's own Chromium shares the two cores. The last line is
``p50_interactive_s: X`` for the default (light page, forked and preheated).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.async_api import async_playwright  # noqa: E402

from tests.apps.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    PHONE,
    V1_PROTOCOL,
    course_with_apps,
    kernel_message,
    read_kernel_message,
    serving,
    status,
)

#: The public apps. The instructors' dashboard is left out: the benchmark's course has no
#: gradebook, so that page is a message with nothing to click.
APPS = [
    "kiem_tra_mat_khau",
    "nhan_dien_lua_dao",
    "tu_danh_gia_nang_luc_so",
    "thuc_hanh_dich_vu_cong",
]
#: The first widget a visitor can use: any enabled button or text box drawn by the widgets.
INTERACTIVE = ".jupyter-widgets button:not([disabled]), .jupyter-widgets input:not([disabled])"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


#: Run in every document before its own scripts: tells the benchmark (``hocsoBenchReady``)
#: when a usable widget is first on the page. A MutationObserver wakes only when the page
#: changes; Playwright's ``wait_for_selector`` polls every page it waits on, which in a burst
#: of 100 pages cost the two cores more than the pages themselves. Every document runs it, so
#: a visitor sent the wait page is followed through its reload.
WATCH_INTERACTIVE = """
(() => {
    const usable = (element) =>
        element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
    const check = () => {
        if (Array.from(document.querySelectorAll(SELECTOR)).some(usable)) {
            observer.disconnect();
            window.hocsoBenchReady(performance.now());
        }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, {childList: true, subtree: true, attributes: true});
    document.addEventListener('DOMContentLoaded', check);
})();
""".replace("SELECTOR", json.dumps(INTERACTIVE))

#: The stages of a page load in seconds, read in the page (``None`` where a mark is missing).
STAGES = """() => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
    const ms = {html: performance.getEntriesByType('navigation')[0].responseEnd,
                script: mark('hocso-start'), drawn: mark('hocso-ready')};
    return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v == null ? null : v / 1000]));
}"""


async def time_to_interactive(browser, url: str, keep: bool = False, timeout: float = 120):
    """Seconds from the request to the first usable widget, and to the end of the HTML.

    Returns ``(interactive, stages, context_or_None)``, or ``(None, error, None)`` for a failed
    page; the page stays open if ``keep``. ``stages`` are seconds from the navigation's start:
    ``html`` (the page received), and on the light page ``script`` (its script began) and
    ``drawn`` (the widgets were drawn), from the marks ``frontend/src/index.js`` sets.
    """
    context = await browser.new_context(viewport=PHONE)
    ready = asyncio.get_running_loop().create_future()
    await context.expose_binding(
        "hocsoBenchReady", lambda _source, at: ready.done() or ready.set_result(at)
    )
    await context.add_init_script(WATCH_INTERACTIVE)
    page = await context.new_page()
    start = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        await asyncio.wait_for(ready, timeout - (time.perf_counter() - start))
        elapsed = time.perf_counter() - start
        stages = await page.evaluate(STAGES)
    except Exception as exc:  # a failed page is counted, not fatal to the benchmark
        await context.close()
        return None, repr(exc)[:120], None
    if not keep:
        await page.close(run_before_unload=True)
        await context.close()
        return elapsed, stages, None
    return elapsed, stages, context


class CpuMeter:
    """CPU-seconds spent during a burst by the server, its kernels and the benchmark's Chromium.

    Processes come and go during a burst (kernels, Chromium's renderers), so every process is
    sampled twice a second and its last reading kept; the server's tree is told apart from the
    browser's by ancestry. On this machine the browser shares the cores with the server: these
    figures say how much of a burst is the visitors' browsers and how much is the server.
    """

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.start = {}
        self.last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _kind(self, process: psutil.Process) -> str | None:
        if process.pid == self.server_pid:
            return "server"
        try:
            parents = {p.pid for p in process.parents()}
            if self.server_pid in parents:
                return "kernels"
            if os.getpid() in parents:  # Playwright's driver and the Chromium it started
                return "browser"
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        return None

    def _sample(self) -> None:
        for process in psutil.process_iter():
            try:
                kind = self._kind(process)
                if kind is not None:
                    times = process.cpu_times()
                    self.last[process.pid] = (kind, times.user + times.system)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self):
        self._sample()
        self.start = dict(self.last)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def seconds(self) -> dict[str, float]:
        """CPU-seconds per kind of process since the meter started."""
        totals = {"server": 0.0, "kernels": 0.0, "browser": 0.0}
        for pid, (kind, used) in self.last.items():
            before = self.start.get(pid, (kind, 0.0))[1]
            totals[kind] += used - before
        return totals


def cpu_line(meter: CpuMeter, pages: int) -> str:
    per = {kind: used / max(pages, 1) for kind, used in meter.seconds().items()}
    return (
        f"CPU-seconds per page: server {per['server']:.2f}, kernels {per['kernels']:.2f}, "
        f"browser {per['browser']:.2f}"
    )


def tree_pss(pid: int) -> int:
    """Proportional memory of the server and every process it started, in bytes.

    PSS divides a page shared by several processes between them: forked kernels share the
    template's libraries, and their resident sizes summed would count those pages many times.
    """
    process = psutil.Process(pid)
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_full_info().pss
        except psutil.NoSuchProcess:
            pass
    return total


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


async def wait_for_pool(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = status(base)
        if state["pooled"] >= state["pool_target"] and state["visitors"] == 0:
            return
        await asyncio.sleep(0.25)


async def series(browser, base: str, runs: int, preheated: bool):
    times, stages = [], []
    for _ in range(runs):
        for app in APPS:
            if preheated:
                await wait_for_pool(base)
            else:
                await asyncio.sleep(1)  # let the last page's kernel shut down first
            url = f"{base}/voila/render/{app}.ipynb"
            elapsed, stage, _ = await time_to_interactive(browser, url)
            if elapsed is None:
                print(f"  failed page {app}: {stage}", flush=True)
            else:
                times.append(elapsed)
                stages.append(stage)
    return times, stages


def report(label: str, times: list[float], stages: list[dict]) -> None:
    if not times:
        print(f"{label}: every page failed", flush=True)
        return
    htmls = [stage["html"] for stage in stages]
    light = ""
    if all(stage["drawn"] is not None for stage in stages):
        started = statistics.median(stage["script"] for stage in stages)
        drawn = statistics.median(stage["drawn"] for stage in stages)
        light = f"; script started p50={started:.2f}s, widgets drawn p50={drawn:.2f}s"
    print(
        f"{label}: n={len(times)} interactive p50={statistics.median(times):.2f}s "
        f"p95={percentile(times, 0.95):.2f}s min={min(times):.2f}s max={max(times):.2f}s; "
        f"HTML received p50={statistics.median(htmls):.2f}s p95={percentile(htmls, 0.95):.2f}s"
        f"{light} ({load()})",
        flush=True,
    )


async def memory(browser, base: str, pid: int, visitors: int, label: str) -> None:
    """Memory of the server and its kernels before and with ``visitors`` pages kept open."""
    await wait_for_pool(base)
    await asyncio.sleep(2)
    before = tree_pss(pid)
    kept = []
    for i in range(visitors):
        elapsed, _, context = await time_to_interactive(
            browser, f"{base}/voila/render/{APPS[i % len(APPS)]}.ipynb", keep=True
        )
        if elapsed is not None:
            kept.append(context)
    await wait_for_pool(base)  # the pool refilled: count what visitors cost, nothing else
    await asyncio.sleep(2)
    after = tree_pss(pid)
    print(
        f"memory ({label}): {(after - before) / max(len(kept), 1) / 2**20:.0f} MiB PSS per live "
        f"visitor ({len(kept)} visitors; server, template and kernels {after / 2**20:.0f} MiB "
        f"in all, {before / 2**20:.0f} MiB before the visitors)",
        flush=True,
    )
    for context in kept:
        await context.close()


async def burst(browser, root: Path, visitors: int, timeout: float, preheat: int) -> None:
    """``visitors`` pages requested at once from a server that admits them all."""
    log = root / f"concurrent_{visitors}.log"
    options = ["--max-visitors", str(visitors), "--preheat", str(preheat)]
    with serving(root, *options, log=log, timeout=600) as (base, process):
        start = time.perf_counter()
        with CpuMeter(process.pid) as meter:
            results = await asyncio.gather(
                *[
                    time_to_interactive(
                        browser,
                        f"{base}/voila/render/{APPS[i % len(APPS)]}.ipynb",
                        timeout=timeout,
                    )
                    for i in range(visitors)
                ]
            )
        wall = time.perf_counter() - start
        ok = [t for t, _, _ in results if t is not None]
        htmls = [s["html"] for t, s, _ in results if t is not None]
        failed = len(results) - len(ok)
        for error in sorted({e for t, e, _ in results if t is None})[:3]:
            print(f"  failed page: {error}", flush=True)
        nan = float("nan")
        print(
            f"concurrent: {visitors} visitors at once ({preheat} preheated kernel(s) per app), "
            f"{failed} failed pages, interactive "
            f"p50={statistics.median(ok) if ok else nan:.2f}s "
            f"p95={percentile(ok, 0.95) if ok else nan:.2f}s, HTML received "
            f"p50={statistics.median(htmls) if ok else nan:.2f}s "
            f"p95={percentile(htmls, 0.95) if ok else nan:.2f}s, all done in {wall:.1f}s; "
            f"{cpu_line(meter, visitors)} ({load()})",
            flush=True,
        )


async def recorded_requests(browser, base: str, app: str) -> list[str]:
    """The addresses a real visit to ``app`` requests after its page, as Chromium asked them.

    Styles, scripts and chunks; the page itself, the kernel's address and the websocket are
    left out (a protocol visitor asks for its own kernel).
    """
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.method == "GET" else None)
    await page.goto(f"{base}/voila/render/{app}.ipynb", wait_until="commit")
    await page.wait_for_selector(INTERACTIVE, state="visible", timeout=120_000)
    await page.close(run_before_unload=True)
    await context.close()
    return [
        url.removeprefix(base)
        for url in seen
        if url.startswith(base) and "/voila/render/" not in url and "/api/kernels/" not in url
    ]


async def protocol_visit(base: str, app: str, assets: list[str], timeout: float):
    """One visitor, everything a browser asks of the server, without a browser.

    The page; the styles, scripts and chunks Chromium requested for it (six at a time, as a
    browser does); the kernel's address; then over the kernel's websocket what ipywidgets'
    manager does: kernel info, then every widget's state in one message on the widgets'
    control comm. Returns seconds to the widgets' state, or ``(None, error)``.
    """
    client = AsyncHTTPClient()
    start = time.perf_counter()
    try:
        page = await client.fetch(f"{base}/voila/render/{app}.ipynb", request_timeout=timeout)
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', page.body.decode()).group(1)
        lanes = asyncio.Semaphore(6)

        async def get(path: str) -> None:
            async with lanes:
                await client.fetch(base + path, request_timeout=timeout)

        await asyncio.gather(*(get(path) for path in assets))
        await client.fetch(f"{base}/api/kernels/{kernel_id}", request_timeout=timeout)
        session = uuid.uuid4().hex
        ws_url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
        ws = await websocket_connect(f"{ws_url}?session_id={session}", subprotocols=[V1_PROTOCOL])
        try:
            control = uuid.uuid4().hex
            opening = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
            request = {"comm_id": control, "data": {"method": "request_states"}}
            for frame, _ in (
                kernel_message("kernel_info_request", {}, session),
                kernel_message("comm_open", opening, session, metadata={"version": "1.0.0"}),
                kernel_message("comm_msg", request, session),
            ):
                await ws.write_message(frame, binary=True)
            while True:
                frame = await asyncio.wait_for(ws.read_message(), timeout)
                if frame is None:
                    raise ConnectionError("websocket closed")
                reply = read_kernel_message(frame)
                content = reply["content"]
                if reply["msg_type"] == "comm_close" and content.get("comm_id") == control:
                    raise ConnectionError("the kernel closed the widgets' control comm")
                if reply["msg_type"] == "comm_msg" and content.get("comm_id") == control:
                    if content["data"].get("method") == "update_states":
                        break
        finally:
            ws.close()
        return time.perf_counter() - start, "ok"
    except Exception as exc:  # a failed visitor is counted, not fatal to the benchmark
        return None, repr(exc)[:120]


async def server_burst(
    browser, root: Path, visitors: int, fork: bool, timeout: float, preheat: int
) -> None:
    """``visitors`` protocol visitors at once: the server's whole share, with no browser.

    Chromium records once which files a visit to each app requests; then every visitor asks
    the server for exactly that and for its widgets' state, so the benchmark's own browsers
    do not compete with the server for the two cores.
    """
    options = ([] if fork else ["--no-fork"]) + ["--preheat", str(preheat)]
    log = root / f"server_{visitors}_{fork}.log"
    with serving(root, *options, "--max-visitors", str(visitors), log=log, timeout=600) as (
        base,
        process,
    ):
        assets = {app: await recorded_requests(browser, base, app) for app in APPS}
        await wait_for_pool(base)
        start = time.perf_counter()
        with CpuMeter(process.pid) as meter:
            results = await asyncio.gather(
                *(
                    protocol_visit(base, APPS[i % len(APPS)], assets[APPS[i % len(APPS)]], timeout)
                    for i in range(visitors)
                )
            )
        wall = time.perf_counter() - start
        rss = tree_pss(process.pid)
    ok = [t for t, _ in results if t is not None]
    for error in sorted({e for t, e in results if t is None})[:3]:
        print(f"  failed visitor: {error}", flush=True)
    nan = float("nan")
    requests = statistics.mean(len(paths) for paths in assets.values()) + 2
    print(
        f"server only, {'forked' if fork else 'new Python per kernel'}, {preheat} preheated "
        f"kernel(s) per app: {visitors} visitors at "
        f"once ({requests:.0f} HTTP requests each, and the widgets' state over the kernel's "
        f"websocket), {len(results) - len(ok)} failed, widget states received "
        f"p50={statistics.median(ok) if ok else nan:.2f}s "
        f"p95={percentile(ok, 0.95) if ok else nan:.2f}s, all done in {wall:.1f}s, "
        f"{rss / 2**20:.0f} MiB PSS at the end; {cpu_line(meter, visitors)} ({load()})",
        flush=True,
    )


#: (label, hocso serve options, preheated): the ways the benchmark serves the apps. The first
#: three send Voila's own page (its JupyterLab front end): the first two as plain Voila would
#: serve them, the third with hocso's kernels; the last two send the light page.
MODES = [
    (
        "voila page, cold: new Python per kernel, no preheating",
        ["--voila-frontend", "--no-fork", "--preheat", "0"],
        False,
    ),
    (
        "voila page, preheated: new Python per kernel, 1 executed kernel per app",
        ["--voila-frontend", "--no-fork"],
        True,
    ),
    ("voila page, forked + preheated", ["--voila-frontend"], True),
    ("light page, forked, no preheating", ["--preheat", "0"], False),
    ("light page, forked + preheated (the default)", [], True),
]
#: The modes the default is compared with, in the same run.
BASELINES = (1, 2)


async def main(args: argparse.Namespace) -> float:
    root = course_with_apps(Path(tempfile.mkdtemp(prefix="hocso_bench_")) / "course")
    # Tornado's client queues requests beyond ten at once: a burst's visitors must not wait.
    AsyncHTTPClient.configure(None, max_clients=10_000)
    print(f"start: {time.strftime('%Y-%m-%d %H:%M:%S')} ({load()})", flush=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

        default = [float("nan")]
        if not args.only_concurrent:
            medians = []
            for i, (label, options, preheated) in enumerate(MODES):
                log = root / f"mode{i}.log"
                with serving(root, *options, "--max-visitors", "200", log=log) as (base, process):
                    times, stages = await series(browser, base, args.runs, preheated)
                    report(label, times, stages)
                    medians.append(statistics.median(times) if times else float("nan"))
                    if preheated:
                        await memory(browser, base, process.pid, args.visitors, label)
            default = times
            for i in BASELINES:
                before, now = medians[i], medians[-1]
                print(
                    f"speedup of the default over '{MODES[i][0]}': "
                    f"{before / now:.2f}x (p50 {before:.2f}s -> {now:.2f}s)",
                    flush=True,
                )

        for visitors in args.server_only:
            for fork in (False, True) if visitors <= args.spawn_up_to else (True,):
                await server_burst(browser, root, visitors, fork, args.timeout, args.burst_preheat)
        for visitors in args.concurrent:
            await burst(browser, root, visitors, args.timeout, args.burst_preheat)
        await browser.close()
    print(f"end: {time.strftime('%Y-%m-%d %H:%M:%S')} ({load()})", flush=True)
    return statistics.median(default) if default else float("nan")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="page loads per app and mode")
    parser.add_argument("--visitors", type=int, default=5, help="live visitors for memory")
    parser.add_argument(
        "--concurrent",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[20, 50, 100],
        help="visitors opened at once, comma-separated (one burst each; empty for none)",
    )
    parser.add_argument(
        "--server-only",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[20, 50, 100],
        help="pages fetched at once without a browser, comma-separated (empty for none)",
    )
    parser.add_argument(
        "--spawn-up-to",
        type=int,
        default=20,
        help="server-only bursts up to this size also run with a new Python per kernel",
    )
    parser.add_argument(
        "--timeout", type=float, default=180, help="seconds a visitor of a burst waits"
    )
    parser.add_argument(
        "--burst-preheat",
        type=int,
        default=1,
        help="preheated kernels per app for the bursts (hocso serve --preheat; 1 by default)",
    )
    parser.add_argument(
        "--only-concurrent", action="store_true", help="skip the timing series and memory"
    )
    arguments = parser.parse_args()
    p50 = asyncio.run(main(arguments))
    if not arguments.only_concurrent:  # no single visitor was timed: no figure, not "nan"
        print(f"p50_interactive_s: {p50:.2f}")
