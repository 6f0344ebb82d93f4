"""The pre-warmed executor: one interpreter with the course's imports loaded, forked per submission.

Run as ``python -m hocso.grading.warm`` with a JSON settings line on stdin. It builds an IPython
shell (the same machinery as the kernel nbgrader starts), imports the course's common modules,
then listens on a Unix socket. Each connection is one submission: the server forks, the fork
enters new mount, PID and network namespaces, forks again into the sandbox (PID 1 of its
namespace, so every process it starts dies with it), drops to a uid of its own under rlimits
and runs the cells it is sent one at a time, answering with nbformat outputs.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path

from hocso.grading import protocol, sandbox

#: Added by the grader to an error output it makes itself (the shell reported no traceback).
NO_TRACEBACK = "Lỗi khi chạy ô này, nhưng bài làm đã chặn việc hiển thị lỗi."


class _Recorder:
    """The outputs of the cell being run, with a cap on their total size."""

    def __init__(self) -> None:
        self.outputs: list[dict] = []
        self.size = 0
        self.cap = 1 << 20
        self.truncated = False

    def reset(self, cap: int) -> None:
        self.outputs, self.size, self.cap, self.truncated = [], 0, cap, False

    def _room(self, size: int) -> bool:
        if self.size + size <= self.cap:
            self.size += size
            return True
        if not self.truncated:
            self.truncated = True
            self.outputs.append(
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": "\n… [hocso] Đầu ra quá dài, phần còn lại đã bị bỏ.\n",
                }
            )
        return False

    def stream(self, name: str, text: str) -> None:
        if self.truncated:
            return
        room = self.cap - self.size
        if len(text) > room:
            text = text[: max(room, 0)]
            self._room(len(text))
            self._append_stream(name, text)
            self._room(self.cap + 1)
            return
        self._room(len(text))
        self._append_stream(name, text)

    def _append_stream(self, name: str, text: str) -> None:
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        elif text:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, output: dict) -> None:
        try:
            size = len(json.dumps(output, default=str))
        except Exception:
            return
        if not self.truncated and self._room(size):
            self.outputs.append(output)


RECORDER = _Recorder()
#: True while learner code runs: only then may the grader's interrupt raise KeyboardInterrupt
#: (one landing in the harness, between cells, would lose the reply).
RUNNING = [False]


def _on_interrupt(signum, frame) -> None:
    if RUNNING[0]:
        raise KeyboardInterrupt


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of a running cell, as the kernel's stream outputs."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        RECORDER.stream(self.name, text)
        return len(text)

    def isatty(self) -> bool:
        return False


def _make_shell():
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type

    class ResultHook(DisplayHook):
        """``Out[n]`` becomes an execute_result output, as in the kernel."""

        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            RECORDER.rich(
                {
                    "output_type": "execute_result",
                    "data": format_dict,
                    "metadata": md_dict or {},
                    "execution_count": self.prompt_count,
                }
            )

        def finish_displayhook(self):
            pass

    class Publisher(DisplayPublisher):
        """``display()`` becomes a display_data output."""

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
            RECORDER.rich({"output_type": "display_data", "data": data, "metadata": metadata or {}})

        def clear_output(self, wait=False):
            RECORDER.outputs.clear()

    class GradingShell(InteractiveShell):
        displayhook_class = Type(ResultHook)
        display_pub_class = Type(Publisher)

        def _showtraceback(self, etype, evalue, stb):
            try:
                ename, text = str(etype.__name__), str(evalue)
            except Exception:
                ename, text = "Exception", ""
            RECORDER.rich(
                {
                    "output_type": "error",
                    "ename": ename,
                    "evalue": text,
                    "traceback": [str(line) for line in stb],
                }
            )

        def enable_gui(self, gui=None):
            pass

    from traitlets.config import Config

    # No history database: its saving thread would not survive the fork anyway.
    config = Config({"HistoryManager": {"enabled": False}})
    return GradingShell.instance(config=config, colors="NoColor", autocall=0)


class Guard:
    """What the grader's own cells rely on, saved before any learner code runs.

    Restored before every trusted (locked or grading) cell, so a learner who redefines
    ``print``, ``isinstance``, a check helper or the shell's traceback display gains nothing.
    """

    SHELL_ATTRIBUTES = (
        "custom_exceptions",
        "CustomTB",
        "InteractiveTB",
        "SyntaxTB",
        "displayhook",
        "display_pub",
        "display_trap",
        "builtin_trap",
        "compile",
        "events",
    )

    def __init__(self, shell, module_names: list[str]) -> None:
        self.shell = shell
        self.modules = [
            (sys.modules[name], dict(vars(sys.modules[name])))
            for name in module_names
            if name in sys.modules
        ]
        classes = [c for c in type(shell).__mro__ if c is not object]
        classes += [type(shell.displayhook), type(shell.display_pub)]
        self.classes = [(c, dict(vars(c))) for c in classes]
        self.attributes = {name: getattr(shell, name) for name in self.SHELL_ATTRIBUTES}
        self.traits = {
            k: (v, list(v) if isinstance(v, list) else None) for k, v in shell._trait_values.items()
        }
        self.callbacks = {k: list(v) for k, v in shell.events.callbacks.items()}
        self.meta_path = list(sys.meta_path)
        self.bindings: dict[str, object] = {}

    def restore(self) -> None:
        for module, saved in self.modules:
            sys.modules[module.__name__] = module
            current = vars(module)
            for key in [k for k in current if k not in saved]:
                del current[key]
            for key, value in saved.items():
                if current.get(key, saved) is not value:
                    current[key] = value
        for cls, saved in self.classes:
            for key in [k for k in vars(cls) if k not in saved]:
                delattr(cls, key)
            for key, value in saved.items():
                if vars(cls).get(key, saved) is not value and not key.startswith("__"):
                    setattr(cls, key, value)
        shadowing = [k for k in vars(self.shell) if callable(getattr(type(self.shell), k, None))]
        for key in shadowing:
            del self.shell.__dict__[key]
        for key, (value, items) in self.traits.items():
            self.shell._trait_values[key] = value
            if items is not None:
                value[:] = items
        for name, value in self.attributes.items():
            object.__setattr__(self.shell, name, value)
        self.shell.events.callbacks.clear()
        self.shell.events.callbacks.update({k: list(v) for k, v in self.callbacks.items()})
        sys.meta_path[:] = self.meta_path
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        self.shell.user_ns.update(self.bindings)

    def remember(self, before: dict) -> None:
        """Keep the helpers (modules, functions, classes) a trusted cell just bound."""
        for name, value in self.shell.user_ns.items():
            if before.get(name, before) is not value and (
                callable(value) or type(value).__name__ == "module"
            ):
                self.bindings[name] = value


def _reap(block: bool) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _clear_strays(isolated: bool) -> None:
    """Kill every other process of this submission: none may outlive its cell and forge."""
    if isolated and os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        _reap(block=True)  # as PID 1 we adopt them all; they count against RLIMIT_NPROC
    else:
        _reap(block=False)


def run_cell(shell, guard: Guard, code: str, trusted: bool, cap: int, isolated: bool) -> dict:
    before = dict(shell.user_ns) if trusted else {}
    if trusted:
        _clear_strays(isolated)
        guard.restore()
    RECORDER.reset(cap)
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    success, error = False, None
    try:
        RUNNING[0] = True
        try:
            result = shell.run_cell(code, store_history=True)
        finally:
            RUNNING[0] = False
        success = bool(result.success)
        error = result.error_in_exec or result.error_before_exec
        count = result.execution_count
    except BaseException as exc:  # the shell itself was broken by earlier learner code
        error, count = exc, None
    finally:
        sys.stdout, sys.stderr = real
    outputs = list(RECORDER.outputs)
    if trusted and len(sys._current_frames()) > 1:
        # A learner's thread could change what this cell sees while it runs.
        success = False
        outputs.append(
            {
                "output_type": "error",
                "ename": "HocsoSandboxError",
                "evalue": "Bài làm để lại luồng chạy nền; ô chấm điểm này không được tính.",
                "traceback": [],
            }
        )
    if not success and not any(o["output_type"] == "error" for o in outputs):
        try:
            ename, text = type(error).__name__, str(error)
        except Exception:
            ename, text = "Exception", ""
        outputs.append(
            {"output_type": "error", "ename": ename, "evalue": text, "traceback": [NO_TRACEBACK]}
        )
    if trusted:
        guard.remember(before)
    return {"status": "ok" if success else "error", "outputs": outputs, "execution_count": count}


class _Modules:
    """Saved dictionaries of modules (and classes) that the grader itself relies on."""

    def __init__(self, names: list[str], classes: list[type]) -> None:
        self.saved = [(sys.modules[n], dict(vars(sys.modules[n]))) for n in names]
        self.classes = [(c, dict(vars(c))) for c in classes]

    def restore(self) -> None:
        for module, saved in self.saved:
            sys.modules[module.__name__] = module
            vars(module).update(saved)
        for cls, saved in self.classes:
            for key, value in saved.items():
                if vars(cls).get(key, saved) is not value and not key.startswith("__"):
                    setattr(cls, key, value)


def _serve_cells(conn: socket.socket, shell, guard: Guard, cap: int, isolated: bool) -> None:
    harness = _Modules(["hocso.grading.protocol", "json", "socket", "struct"], [socket.socket])
    while True:
        message = protocol.receive(conn)
        if message.get("bye"):
            return
        reply = run_cell(
            shell, guard, str(message["code"]), bool(message.get("trusted")), cap, isolated
        )
        reply["seq"] = message.get("seq")
        harness.restore()  # what carries the reply must be ours, whatever the cell patched
        protocol.send(conn, reply)


def _sandbox(conn: socket.socket, go: int, shell, guard: Guard, settings: dict, request: dict):
    """The grandchild: PID 1 of the submission's namespace, then the learner's interpreter."""
    sandbox.die_with_parent()
    os.read(go, 1)  # wait until our host pid was sent to the grader
    os.close(go)
    limits = sandbox.Limits(**request["limits"])
    uid = request["uid"]
    files_from = Path(request["files_from"]) if request.get("files_from") else None
    isolated = settings["isolated"]
    try:
        if isolated:
            sandbox.build_root(Path(settings["root"]), files_from, uid, limits)
        else:
            work = Path(settings["root"]) / f"bai_lam_{os.getpid()}"
            work.mkdir(mode=0o700)
            if files_from is not None:
                sandbox.copy_files(files_from, work, uid if os.getuid() == 0 else os.getuid())
            os.chdir(work)
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (lives as long as we do)
        os.environ.update({"HOME": sandbox.WORKDIR if isolated else os.getcwd(), "TMPDIR": "/tmp"})
        sandbox.set_rlimits(limits)
        sandbox.drop_privileges(uid)
    except Exception as exc:
        protocol.send(conn, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    signal.signal(signal.SIGINT, _on_interrupt)
    protocol.send(conn, {"ready": True})
    _serve_cells(conn, shell, guard, settings["max_output_bytes"], isolated)


def _submission(conn: socket.socket, shell, guard: Guard, settings: dict) -> None:
    """The first fork: enters fresh namespaces and forks the sandbox as their PID 1."""
    sandbox.die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    request = protocol.receive(conn)
    request["uid"] = request["limits"].get("uid") or 100000 + os.getpid()
    if settings["isolated"]:
        sandbox.unshare(sandbox.CLONE_NEWNS | sandbox.CLONE_NEWPID | sandbox.CLONE_NEWNET)
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_write)
        try:
            _sandbox(conn, go_read, shell, guard, settings, request)
        finally:
            os._exit(0)
    os.close(go_read)
    protocol.send(conn, {"pid": pid})
    os.write(go_write, b"1")
    conn.close()
    os.waitpid(pid, 0)


#: What ``serve`` reports when ``c.Grader.isolate = False`` turned the namespaces off.
ISOLATION_DISABLED = "disabled in configuration"


def probe_isolation() -> str:
    """Empty when namespaces work here, else why not (in English, for the log)."""
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.unshare(sandbox.CLONE_NEWNS | sandbox.CLONE_NEWPID | sandbox.CLONE_NEWNET)
            os._exit(0)
        except OSError:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return "unshare(CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWNET) is not permitted"
    return ""


def _warm_tracebacks(shell) -> None:
    """Format one traceback before forking, so no submission pays for it.

    The first error shown in a process loads and compiles IPython's traceback machinery
    (about 140 ms, measured); a failed check is the most common cell there is.
    """
    count = shell.execution_count
    RECORDER.reset(0)
    failing = "def _hocso_warm():\n    assert 1 == 2, 'warm'\n_hocso_warm()"
    shell.run_cell(failing, store_history=False)
    shell.user_ns.pop("_hocso_warm", None)
    shell.execution_count = count
    RECORDER.reset(0)


def serve(settings: dict) -> None:
    # One thread per submission would be faster still, but forking needs a single thread.
    os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    shell = _make_shell()
    for line in settings.get("startup_lines", []):
        shell.run_cell(line, store_history=False, silent=True)
    for name in settings.get("preload", []):
        try:
            __import__(name)
        except Exception:
            print(f"preload failed: {name}", file=sys.stderr)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.font_manager  # noqa: F401 (builds the font cache once, before forking)
    _warm_tracebacks(shell)
    guard = Guard(shell, ["builtins", *settings.get("protected_modules", [])])
    why = probe_isolation() if settings.get("isolate", True) else ISOLATION_DISABLED
    settings["isolated"] = not why
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(settings["socket"])
    os.chmod(settings["socket"], 0o600)
    listener.listen(128)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    sandbox.die_with_parent()
    print(json.dumps({"ready": True, "isolation_problem": why}), flush=True)
    while True:
        conn, _ = listener.accept()
        pid = os.fork()
        if pid == 0:
            listener.close()
            try:
                _submission(conn, shell, guard, settings)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(0)
        conn.close()


if __name__ == "__main__":
    serve(json.loads(sys.stdin.readline()))
    builtins.exit(0)
