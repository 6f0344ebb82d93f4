"""The hub for real: JupyterHub, two courses, instructors and trainees over HTTP on loopback.

One story, in order, on the demo hub of deploy/hub/lop_demo.yaml: an instructor releases
an assignment through the course's formgrader; two trainees fetch it, answer (one right, one
wrong) and submit from their own servers; the instructor collects, grades with
``hocso grade`` and exports. Then what a trainee must not reach, and the hub stopped with
every process it started. Figures (server memory, start time) go to artifacts/hub.json.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from hocso.hub import setup as hub_setup

from .. import submissions
from ..conftest import BIN, REPO, run_ok, tool_env
from .client import Browser

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub creates system accounts: needs root"),
]

ARTIFACTS = REPO / "artifacts"


class Hub:
    """``hocso hub start`` in the background, in its own session, on a free loopback port."""

    def __init__(self, root: Path):
        self.root = root
        self.port = hub_setup.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = root.parent / f"{root.name}.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [
                str(BIN / "hocso"),
                "--course",
                str(REPO),
                "hub",
                "start",
                "--root",
                str(root),
                "--port",
                str(self.port),
            ],
            env=tool_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.stopped = False

    def wait_ready(self, timeout: float = 240) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.process.poll() is None, f"hub exited:\n{self.log_tail()}"
            try:
                if requests.get(f"{self.base}/hub/api/", timeout=5).ok and self.state():
                    return time.monotonic() - started
            except (requests.ConnectionError, FileNotFoundError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"hub not ready after {timeout} s:\n{self.log_tail()}")

    def state(self) -> dict:
        return json.loads((self.root / "hub" / hub_setup.STATE_FILE).read_text("utf-8"))

    def passwords(self) -> dict[str, str]:
        path = self.root / "hub" / hub_setup.PASSWORDS_FILE
        with open(path, encoding="utf-8") as f:
            return {row["ten_dang_nhap"]: row["mat_khau_ban_dau"] for row in csv.DictReader(f)}

    def browser(self, login: str) -> Browser:
        person = Browser(self.base, login, self.passwords()[login])
        person.login()
        return person

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text("utf-8", errors="replace")

    def log_tail(self) -> str:
        """The end of the log without the proxy's lines (its 404s while the hub starts)."""
        lines = [line for line in self.log_text().splitlines() if "[ConfigProxy]" not in line]
        return "\n".join(lines[-60:])

    def accounts(self) -> list[pwd.struct_passwd]:
        marker = f"hocso hub {self.root}"
        return [a for a in pwd.getpwall() if a.pw_gecos == marker]

    def processes(self) -> list[str]:
        """Processes still running of this hub: its accounts' and the ones it started as root."""
        uids = {a.pw_uid for a in self.accounts()}
        left = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields["State"].split()[0] in ("Z", "X"):
                continue  # ended, waiting for init to reap it: nothing runs any more
            uid = int(fields["Uid"].split()[0])
            if uid in uids or (str(self.root) in cmdline and int(entry.name) != os.getpid()):
                left.append(f"{entry.name} uid={uid} {cmdline[:150]}")
        return left

    def processes_after_stop(self, timeout: float = 20) -> list[str]:
        """The processes still running once they have had ``timeout`` seconds to end."""
        deadline = time.monotonic() + timeout
        while (left := self.processes()) and time.monotonic() < deadline:
            time.sleep(0.5)
        return left

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        # Ctrl-C's signal to `hocso hub start`, which passes it to the hub: the hub stops the
        # proxy, the services and every user's server it started.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def _proc_status(pid: str) -> dict[str, str]:
    status = Path(f"/proc/{pid}/status").read_text()
    return dict(line.split(":", 1) for line in status.splitlines() if ":" in line)


def usage(user: str) -> tuple[float, float]:
    """Resident memory (MiB) and CPU time used so far (s) of every process of ``user``."""
    uid = pwd.getpwnam(user).pw_uid
    rss_kib, ticks = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _proc_status(entry.name)
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields["Uid"].split()[0]) == uid and "VmRSS" in fields:
            rss_kib += int(fields["VmRSS"].split()[0])
            ticks += int(stat[11]) + int(stat[12])  # utime, stime
    return round(rss_kib / 1024, 1), round(ticks / os.sysconf("SC_CLK_TCK"), 1)


def pid_rss_mib(pid: int) -> float:
    return round(int(_proc_status(str(pid))["VmRSS"].split()[0]) / 1024, 1)


def as_user(user: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", user, "--", *command], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def hub():
    # mkdtemp makes a 0700 folder: the hub's accounts must be able to pass through it.
    parent = Path(tempfile.mkdtemp(prefix="hocso-hub-", dir="/tmp"))
    parent.chmod(0o711)
    root = parent / "hub"
    running = Hub(root)
    try:
        running.ready_seconds = running.wait_ready()
        yield running
    finally:
        running.stop()
        run_ok(["hocso", "hub", "remove", "--root", str(root)], REPO)
        # The hub's log stays for whoever reads a failure (artifacts/ is not committed).
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.move(running.log_path, ARTIFACTS / "hub.log")
        root.parent.rmdir()


def answer(person: Browser, course: str, assignment: str, notebook) -> None:
    """Replace the answer cells of the fetched notebook through the Jupyter contents API."""
    path = f"api/contents/{course}/{assignment}/{assignment}.ipynb"
    fetched = person.server("GET", path)
    assert fetched.status_code == 200, fetched.text
    nb = fetched.json()["content"]
    sources = {
        c.metadata.nbgrader["grade_id"]: c.source
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }
    changed = 0
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in sources and cell["source"] != sources[grade_id]:
            cell["source"] = sources[grade_id]
            changed += 1
    assert changed, "the learner's edits must change the fetched notebook"
    saved = person.server("PUT", path, json={"type": "notebook", "format": "json", "content": nb})
    assert saved.status_code == 200, saved.text


def test_does_a_course_run_on_the_hub_from_release_to_export(hub):
    state = hub.state()
    courses = {c["id"]: c for c in state["courses"]}
    lop1, lop2 = Path(courses["lop1"]["root"]), Path(courses["lop2"]["root"])
    exchange = hub.root / "exchange"
    module = submissions.load_module("bai01")
    figures = {"hub_ready_seconds": round(hub.ready_seconds, 1)}

    # The instructor releases bai01 through the course's formgrader (generate, then release).
    gv01 = hub.browser("gv01")
    assert gv01.name == "hs-gv01"
    for step in ("assign", "release"):
        done = gv01.server_request(
            "POST", "/services/lop1/", f"formgrader/api/assignment/bai01/{step}"
        )
        assert done.status_code == 200 and done.json()["success"], done.text
    # Another course's instructor releases the same module in lop2.
    gv03 = hub.browser("gv03")
    for step in ("assign", "release"):
        done = gv03.server_request(
            "POST", "/services/lop2/", f"formgrader/api/assignment/bai01/{step}"
        )
        assert done.status_code == 200 and done.json()["success"], done.text

    # Two trainees log in with their roster ids and start their servers, one after the
    # other so that each start time is measured alone.
    hv001, hv002 = hub.browser("hv001"), hub.browser("hv002")
    figures["server_start_seconds"] = [round(p.start_server(), 1) for p in (hv001, hv002)]
    figures["server_rss_mib"], figures["server_start_cpu_seconds"] = usage("hs-hv001")

    listed = hv001.server("GET", "assignments", params={"course_id": "lop1"}).json()
    assert [a["assignment_id"] for a in listed["value"]] == ["bai01"], listed
    for person, notebook in (
        (hv001, submissions.all_correct(module)),
        (hv002, submissions.all_wrong(module)),
    ):
        fetched = person.server(
            "POST", "assignments/fetch", data={"course_id": "lop1", "assignment_id": "bai01"}
        )
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["value"][0]["status"] == "fetched", fetched.text
        answer(person, "lop1", "bai01", notebook)
        sent = person.server(
            "POST", "assignments/submit", data={"course_id": "lop1", "assignment_id": "bai01"}
        )
        assert sent.status_code == 200 and sent.json()["success"], sent.text

    # Voila is there for users: a course app rendered by the trainee's own server.
    started = time.monotonic()
    app = hv001.server("GET", "voila/render/ung_dung/kiem_tra_mat_khau.ipynb")
    figures["voila_render_seconds"] = round(time.monotonic() - started, 1)
    assert app.status_code == 200 and "Traceback" not in app.text, app.text[-2000:]
    figures["server_with_voila_kernel_rss_mib"] = usage("hs-hv001")[0]
    figures["formgrader_rss_mib"] = usage(courses["lop1"]["grader"])[0]
    for name in ("jupyterhub", "proxy"):
        pid = int((hub.root / "hub" / f"{name}.pid").read_text())
        figures[f"{name}_rss_mib"] = pid_rss_mib(pid)
    figures["load_average_1min"] = os.getloadavg()[0]

    # The instructor collects, grades with `hocso grade` and exports.
    collected = gv01.server_request(
        "POST", "/services/lop1/", "formgrader/api/assignment/bai01/collect"
    )
    assert collected.status_code == 200 and collected.json()["success"], collected.text
    assert sorted(p.name for p in (lop1 / "submitted").iterdir()) == ["hs-hv001", "hs-hv002"]
    started = time.monotonic()
    graded = run_ok(["hocso", "--course", str(lop1), "grade", "bai01"], REPO)
    figures["grading_two_submissions_seconds"] = round(time.monotonic() - started, 1)
    assert "CẢNH BÁO" not in graded.stderr, "grading on the hub must be isolated (root)"
    # What grading wrote as root belongs to the course's grader account, for its formgrader.
    grader_uid = pwd.getpwnam(courses["lop1"]["grader"]).pw_uid
    written = [lop1 / "autograded", *(lop1 / "autograded").rglob("*")]
    assert {p.stat().st_uid for p in written} == {grader_uid}
    export = hub.root / "diem_lop1.csv"
    run_ok(["nbgrader", "export", "--to", str(export)], lop1)
    rows = {r["student_id"]: r for r in csv.DictReader(open(export, encoding="utf-8"))}
    assert float(rows["hs-hv001"]["raw_score"]) == module.auto_points
    assert float(rows["hs-hv002"]["raw_score"]) == 0.0
    # A learner of the roster who did not submit is in the gradebook, with nothing.
    assert rows["hs-hv003"]["raw_score"] in ("", "0.0", "0")
    # The instructor sees the same scores in the formgrader.
    seen = gv01.server_request("GET", "/services/lop1/", "formgrader/api/submissions/bai01").json()
    scores = {s["student"]: s["score"] for s in seen}
    assert scores["hs-hv001"] == module.auto_points and scores["hs-hv002"] == 0.0, scores

    # What a trainee must not reach. Another trainee's server, over HTTP:
    other = hv002.get("/user/hs-hv001/api/contents/lop1/bai01/bai01.ipynb")
    assert other.status_code == 403, (other.status_code, other.url)
    # ... and their files, their submission in the exchange, the course's hidden tests:
    mine = hub.root / "home" / "hs-hv001" / "lop1" / "bai01" / "bai01.ipynb"
    assert mine.exists()
    assert as_user("hs-hv002", "cat", str(mine)).returncode != 0
    assert as_user("hs-hv002", "ls", str(exchange / "lop1" / "inbound")).returncode != 0
    assert (
        as_user("hs-hv002", "cat", str(lop1 / "source" / "bai01" / "bai01.ipynb")).returncode != 0
    )
    assert as_user("hs-hv002", "ls", str(lop1 / "submitted")).returncode != 0
    # ... while the released assignment is readable to them (the control of the checks above).
    assert as_user("hs-hv002", "ls", str(exchange / "lop1" / "outbound" / "bai01")).returncode == 0
    # The formgrader: the course's service refuses a trainee; their own server has none.
    assert hv001.get("/services/lop1/formgrader/api/assignments").status_code == 403
    assert hv001.server("GET", "formgrader").status_code == 404
    assert gv01.server_request("GET", "/services/lop1/", "formgrader").status_code == 200
    # Another course: lop2 has bai01 released too, but a lop1 trainee sees nothing of it.
    assert hv001.hub_api("GET", f"/users/{hv001.name}")["groups"] == ["nbgrader-lop1"]
    assert hv001.server("GET", "assignments", params={"course_id": "lop2"}).json()["value"] == []
    hv001.server("POST", "assignments/fetch", data={"course_id": "lop2", "assignment_id": "bai01"})
    assert hv001.server("GET", "api/contents/lop2").status_code == 404, "nothing fetched"
    assert as_user("hs-hv001", "ls", str(exchange / "lop2")).returncode != 0
    assert as_user("hs-hv001", "ls", str(lop2)).returncode != 0
    assert hv001.get("/services/lop2/formgrader").status_code == 403
    # ... and neither does an instructor of lop1 only.
    assert gv01.get("/services/lop2/formgrader/api/assignments").status_code == 403

    # The idle culler runs with the rights it needs (it reads the users at start).
    culler = [line for line in hub.log_text().splitlines() if "(idle-culler@" in line]
    assert any("200 GET /hub/api/users" in line for line in culler), culler

    # Stopping the hub stops everything it started.
    accounts = [a.pw_name for a in hub.accounts()]
    assert "hs-grader-lop1" in accounts and "hs-hv001" in accounts
    started_as_root = [
        int((hub.root / "hub" / name).read_text()) for name in ("jupyterhub.pid", "proxy.pid")
    ]
    assert hub.processes(), "the control: while the hub runs, its processes are found"
    hub.stop()
    assert hub.processes_after_stop() == []
    assert not [pid for pid in started_as_root if Path(f"/proc/{pid}").exists()]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hub.json").write_text(json.dumps(figures, indent=2), "utf-8")
    print(json.dumps(figures))
