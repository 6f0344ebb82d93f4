"""nbgrader's Execute step, run in a sandboxed fork of the pre-warmed executor, not a kernel."""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer
from traitlets.config import Config

from hocso.grading import protocol

#: The socket and pid of the running pre-warmed executor, set by :class:`WarmServer`
#: (inherited by the forked workers).
SERVER_SOCKET: str | None = None
SERVER_PID: int | None = None


def _server_alive() -> bool:
    try:
        os.kill(SERVER_PID or 0, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return SERVER_PID is not None


class SandboxError(Exception):
    """The sandbox could not be set up for a submission (message in Vietnamese)."""


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[evalue])


def _output(raw: dict) -> NotebookNode | None:
    """One output from the sandbox, rebuilt from known fields only (it is untrusted data)."""
    kind = raw.get("output_type")
    if kind == "stream" and raw.get("name") in ("stdout", "stderr"):
        return NotebookNode(output_type="stream", name=raw["name"], text=str(raw.get("text", "")))
    if kind == "error":
        trace = raw.get("traceback")
        return NotebookNode(
            output_type="error",
            ename=str(raw.get("ename", "")),
            evalue=str(raw.get("evalue", "")),
            traceback=[str(t) for t in trace] if isinstance(trace, list) else [],
        )
    if kind in ("display_data", "execute_result") and isinstance(raw.get("data"), dict):
        data = {
            str(k): v if isinstance(v, str | dict | list) else str(v)
            for k, v in raw["data"].items()
        }
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        node = NotebookNode(output_type=kind, data=data, metadata=metadata)
        if kind == "execute_result":
            count = raw.get("execution_count")
            node.execution_count = count if isinstance(count, int) else None
        return node
    return None


class SandboxExecute(Execute):
    """Runs a notebook like nbgrader's ``Execute``, one cell at a time, in an isolated fork.

    Settings of ``Execute`` (``timeout``, ``extra_arguments``, ``skip_cells_with_tag``...)
    apply here too; the limits below are added.
    """

    notebook_timeout = Integer(
        600, help="Seconds a whole notebook may run; its remaining cells then score zero."
    ).tag(config=True)
    interrupt_grace = Float(
        10.0,
        help="Seconds a cell has, after its time is up and it was interrupted, to stop on its "
        "own; after that the submission's processes are killed.",
    ).tag(config=True)
    cpu_seconds = Integer(300, help="CPU seconds one submission may use (RLIMIT_CPU).").tag(
        config=True
    )
    memory_mb = Integer(
        1024, help="Memory (MiB) a submission may allocate above the pre-warmed interpreter."
    ).tag(config=True)
    max_processes = Integer(
        32, help="Processes (and threads) a submission may have at once (RLIMIT_NPROC)."
    ).tag(config=True)
    file_mb = Integer(
        64, help="Size (MiB) of the submission's private working folder and of any file it writes."
    ).tag(config=True)
    max_output_bytes = Integer(
        1_000_000, help="Characters of output kept per cell; the rest is dropped with a note."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        if SERVER_SOCKET is None:
            raise SandboxError("Bộ chấm chưa khởi động (không có tiến trình chạy sẵn).")
        files_from = (resources.get("metadata") or {}).get("path") or ""
        # The converter (the exporter's parent) knows the course; its folders must never be
        # bound into the sandbox, even when one of them sits on Python's import path.
        converter = getattr(self.parent, "parent", None)
        coursedir = getattr(converter, "coursedir", None)
        hidden = [coursedir.root, os.path.dirname(files_from)] if coursedir is not None else []
        limits = {
            "cpu_seconds": self.cpu_seconds,
            "memory_mb": self.memory_mb,
            "max_processes": self.max_processes,
            "file_mb": self.file_mb,
            "hidden_paths": hidden,
        }
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(60)
            sock.connect(SERVER_SOCKET)
            protocol.send(sock, {"files_from": os.path.abspath(files_from), "limits": limits})
            pid = int(protocol.receive(sock)["pid"])
            try:
                ready = protocol.receive(sock)
                if not ready.get("ready"):
                    raise SandboxError(f"Không dựng được môi trường chấm: {ready.get('error')}")
                self._run_cells(nb, sock, pid)
            finally:
                _kill(pid)
        return nb, resources

    def _run_cells(self, nb: NotebookNode, sock: socket.socket, pid: int) -> None:
        deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout > 0 else None
        stopped: str | None = None  # why the remaining cells were not run
        seq = 0
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if self.skip_cells_with_tag in cell.metadata.get("tags", []):
                continue
            if stopped:
                cell.outputs = [_error("HocsoNotRun", stopped)]
                cell.execution_count = None
                continue
            seq += 1
            trusted = utils.is_locked(cell) or (
                utils.is_grade(cell) and not utils.is_solution(cell)
            )
            limit = self.timeout if self.timeout and self.timeout > 0 else None
            if deadline is not None:
                left = max(deadline - time.monotonic(), 0.01)
                limit = min(limit, left) if limit else left
            try:
                protocol.send(sock, {"code": cell.source, "trusted": trusted, "seq": seq})
                reply, stopped = self._wait(sock, pid, limit, deadline)
            except (OSError, protocol.ProtocolError):
                if not _server_alive():
                    # The run is being stopped (Ctrl-C, kill): not the learner's zero.
                    raise SandboxError("Bộ chấm đã dừng giữa chừng.") from None
                reply, stopped = (
                    None,
                    "Tiến trình chạy bài đã dừng đột ngột "
                    "(bài làm tự thoát hoặc bị hệ thống dừng).",
                )
            if reply is not None and (reply.get("seq") != seq or protocol.pending(sock)):
                reply, stopped = None, "Bài làm đã gửi kết quả giả mạo cho bộ chấm."
            if reply is None:
                cell.outputs = [_error("HocsoKernelDied", stopped)]
                cell.execution_count = None
                continue
            outputs = [o for o in map(_output, reply.get("outputs") or []) if o is not None]
            if reply.get("timed_out"):
                outputs.append(NotebookNode(output_type="error", **self.error_on_timeout))
            if reply.get("status") != "ok" and not any(o.output_type == "error" for o in outputs):
                outputs.append(_error("Exception", "Ô này báo lỗi khi chạy."))
            cell.outputs = outputs
            count = reply.get("execution_count")
            cell.execution_count = count if isinstance(count, int) else None
        if not stopped:
            try:
                protocol.send(sock, {"bye": True})
            except OSError:
                pass

    def _wait(self, sock, pid, limit, deadline):
        """The reply to the cell just sent, interrupting then killing it when time is up."""
        sock.settimeout(limit)
        try:
            return protocol.receive(sock), None
        except TimeoutError:
            pass
        whole = deadline is not None and time.monotonic() >= deadline
        try:
            os.kill(pid, signal.SIGINT)  # as nbgrader interrupts a kernel: KeyboardInterrupt
        except ProcessLookupError:
            pass
        sock.settimeout(self.interrupt_grace)
        try:
            reply = protocol.receive(sock)
        except TimeoutError:
            _kill(pid)
            return None, "Hết thời gian chạy và bài làm không chịu dừng."
        reply["timed_out"] = True
        if whole:
            _kill(pid)
            return reply, "Hết thời gian chạy cho cả bài."
        return reply, None


def _kill(pid: int) -> None:
    """Kill the sandbox; as PID 1 of its namespace, every process it started goes with it."""
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def startup_lines(config: Config) -> list[str]:
    """The kernel's ``IPKernelApp.exec_lines`` from ``Execute.extra_arguments``, if any.

    The course silences warnings there; the pre-warmed executor must run the same lines.
    """
    lines: list[str] = []
    for argument in config.get("Execute", {}).get("extra_arguments", []):
        name, _, value = str(argument).partition("=")
        if name.lstrip("-") != "IPKernelApp.exec_lines":
            continue
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = [value]
        lines += [str(line) for line in (parsed if isinstance(parsed, list | tuple) else [parsed])]
    return lines


class WarmServer:
    """The pre-warmed executor process: started once per run, stopped with everything it forked."""

    def __init__(self, settings: dict) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="hocso-grade-")
        root = Path(self.tmp.name) / "root"
        root.mkdir()
        self.socket = str(Path(self.tmp.name) / "warm.sock")
        settings = {**settings, "socket": self.socket, "root": str(root)}
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hocso.grading.warm"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=self.tmp.name,
            start_new_session=True,  # Ctrl-C in the terminal stops the run, not the executor
        )
        self.process.stdin.write(json.dumps(settings) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise SandboxError("Không khởi động được tiến trình chạy bài (xem lỗi phía trên).")
        status = json.loads(line)
        self.isolation_problem: str = status.get("isolation_problem", "")

    def __enter__(self) -> WarmServer:
        global SERVER_SOCKET, SERVER_PID
        SERVER_SOCKET, SERVER_PID = self.socket, self.process.pid
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        global SERVER_SOCKET, SERVER_PID
        SERVER_SOCKET, SERVER_PID = None, None
        if self.process.poll() is None:
            self.process.kill()  # its forks die with it (PR_SET_PDEATHSIG)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()
        self.tmp.cleanup()
