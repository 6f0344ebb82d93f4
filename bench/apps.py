"""Benchmark of ``hocso serve``: time to the first interactive widget, memory, concurrency.

Run from the course root: ``.venv/bin/python bench/apps.py [--runs 5] [--concurrent 20]``.
It serves the apps twice (no preheating, then one preheated kernel per app), opens each app
in Debian's headless Chromium at phone width, and times from the request to the first
widget a visitor can use (a button or text box of the app, visible and enabled). Then it
keeps several visitors on the page to measure the memory each costs, and opens
``--concurrent`` pages at once. The last line is ``p50_interactive_s: X`` (preheated).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.async_api import async_playwright  # noqa: E402

from tests.apps.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    PHONE,
    course_with_apps,
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


async def time_to_interactive(browser, url: str, keep: bool = False):
    """Seconds from the request to the first usable widget; the page stays open if ``keep``."""
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    start = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=120_000)
        await page.wait_for_selector(INTERACTIVE, state="visible", timeout=120_000)
        elapsed = time.perf_counter() - start
    except Exception as exc:  # a failed page is counted, not fatal to the benchmark
        await context.close()
        return None, repr(exc)[:120]
    if not keep:
        await page.close(run_before_unload=True)
        await context.close()
        return elapsed, None
    return elapsed, context


def tree_rss(pid: int) -> int:
    """Resident memory of the server and every kernel it started, in bytes."""
    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


async def wait_for_pool(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = status(base)
        if state["pooled"] >= len(APPS) + 1 and state["visitors"] == 0:  # + the dashboard
            return
        await asyncio.sleep(0.25)


async def series(browser, base: str, runs: int, preheated: bool) -> list[float]:
    times = []
    for _ in range(runs):
        for app in APPS:
            if preheated:
                await wait_for_pool(base)
            elapsed, error = await time_to_interactive(browser, f"{base}/voila/render/{app}.ipynb")
            if elapsed is None:
                print(f"  lỗi khi mở {app}: {error}", flush=True)
            else:
                times.append(elapsed)
    return times


def report(label: str, times: list[float]) -> None:
    print(
        f"{label}: n={len(times)} p50={statistics.median(times):.2f}s "
        f"p95={percentile(times, 0.95):.2f}s min={min(times):.2f}s max={max(times):.2f}s",
        flush=True,
    )


async def memory(browser, base: str, pid: int, visitors: int) -> None:
    """Memory of the server and its kernels before and with ``visitors`` pages kept open."""
    await wait_for_pool(base)
    before = tree_rss(pid)
    kept = []
    for i in range(visitors):
        elapsed, context = await time_to_interactive(
            browser, f"{base}/voila/render/{APPS[i % len(APPS)]}.ipynb", keep=True
        )
        if elapsed is not None:
            kept.append(context)
    await asyncio.sleep(2)
    after = tree_rss(pid)
    print(
        f"memory: {(after - before) / max(len(kept), 1) / 2**20:.0f} MiB per live visitor "
        f"({len(kept)} visitors, server and kernels {after / 2**20:.0f} MiB in all)",
        flush=True,
    )
    for context in kept:
        await context.close()


async def main(args: argparse.Namespace) -> float:
    root = course_with_apps(Path(tempfile.mkdtemp(prefix="hocso_bench_")) / "course")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

        warm = [float("nan")]
        if not args.only_concurrent:
            with serving(
                root, "--preheat", "0", "--max-visitors", "200", log=root / "cold.log"
            ) as (base, _):
                cold = await series(browser, base, args.runs, preheated=False)
            report("cold (no preheated kernel)", cold)
            with serving(root, "--max-visitors", "200", log=root / "warm.log") as (base, process):
                warm = await series(browser, base, args.runs, preheated=True)
                report("preheated (1 kernel per app)", warm)
                await memory(browser, base, process.pid, args.visitors)

        with serving(root, "--max-visitors", str(args.concurrent), log=root / "concurrent.log") as (
            base,
            _,
        ):
            start = time.perf_counter()
            results = await asyncio.gather(
                *[
                    time_to_interactive(browser, f"{base}/voila/render/{APPS[i % len(APPS)]}.ipynb")
                    for i in range(args.concurrent)
                ]
            )
            wall = time.perf_counter() - start
            ok = [t for t, _ in results if t is not None]
            failed = len(results) - len(ok)
            for error in sorted({e for t, e in results if t is None})[:3]:
                print(f"  failed page: {error}", flush=True)
            print(
                f"concurrent: {args.concurrent} visitors at once, {failed} failed pages, "
                f"p50={statistics.median(ok) if ok else float('nan'):.2f}s "
                f"p95={percentile(ok, 0.95) if ok else float('nan'):.2f}s, all done in {wall:.1f}s",
                flush=True,
            )
        await browser.close()
    return statistics.median(warm)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="page loads per app and mode")
    parser.add_argument("--visitors", type=int, default=5, help="live visitors for memory")
    parser.add_argument("--concurrent", type=int, default=20, help="visitors opened at once")
    parser.add_argument(
        "--only-concurrent", action="store_true", help="skip the timing series and memory"
    )
    p50 = asyncio.run(main(parser.parse_args()))
    print(f"p50_interactive_s: {p50:.2f}")
