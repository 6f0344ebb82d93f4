"""The kernel template of ``hocso serve``: an interpreter with the apps' imports, forked per kernel.

Started by :mod:`hocso.apps.kernels` as ``python -m hocso.apps.forkserver FD`` with a listening
Unix socket as file descriptor FD and a pipe from the server on stdin. It imports ipykernel,
ipywidgets, pandas, matplotlib and every ``hocso.apps`` module once (several CPU-seconds),
then for each connection reads one JSON line ``{"argv": [...], "env": {...}, "cwd": "..."}``,
forks, answers ``{"pid": N}`` and the child becomes an ipykernel with those arguments once
the server has sent one byte (by then the server holds a pidfd of the child, so the pid it
signals can never be another process's).

Forking is only safe from a single-threaded process that has no zmq context and no event loop:
nothing here creates either before forking, and :func:`main` checks the thread count.
Nothing outlives the server: the template dies with it (parent-death signal, and end of
file on stdin), and every kernel dies with the template (parent-death signal, and the
template kills each kernel's process group when it stops).
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import sys
import threading
import traceback

#: Imported once in the template, so a kernel starts without paying for them.
BASE_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.comm",
    "IPython.core.interactiveshell",
    "comm",
    "ipywidgets",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib_inline.backend_inline",
)
#: ``hocso.apps`` modules that are not apps and have no business in a kernel.
NOT_APPS = {"server", "commands", "kernels", "forkserver"}
_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
#: Process names (``ps -o comm``), so an administrator tells the template from its kernels.
TEMPLATE_NAME = b"hocso-template"
KERNEL_NAME = b"hocso-kernel"


def _prctl(option: int, value) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def die_with_parent(signum: int) -> None:
    """Ask Linux to send ``signum`` to this process when its parent ends."""
    _prctl(_PR_SET_PDEATHSIG, signum)


def set_name(name: bytes) -> None:
    _prctl(_PR_SET_NAME, ctypes.c_char_p(name))


def app_modules() -> list[str]:
    """Every module of ``hocso.apps`` a kernel may import (the apps and their helpers)."""
    import hocso.apps

    return [
        f"hocso.apps.{info.name}"
        for info in pkgutil.iter_modules(hocso.apps.__path__)
        if info.name not in NOT_APPS
    ]


def preload() -> None:
    # As in a kernel: the inline backend is matplotlib's default there (apps choose Agg).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in (*BASE_MODULES, *app_modules()):
        try:
            importlib.import_module(name)
        except Exception as exc:  # a broken app must not stop the other apps' kernels
            print(f"hocso forkserver: could not preload {name}: {exc!r}", file=sys.stderr)
    if "matplotlib" in sys.modules:
        import matplotlib.font_manager  # noqa: F401 (font list built once, not per kernel)
    # Objects alive now are never collected: a collection in a kernel would otherwise touch
    # (and so copy) every page the forks share with the template.
    gc.collect()
    gc.freeze()


class Template:
    """The accept-and-fork loop; kernels are reaped here and killed when it stops."""

    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        self.children: set[int] = set()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)

    def run(self) -> None:
        # SIGCHLD only wakes select; the reaping itself happens in the loop.
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        try:
            while True:
                readable, _, _ = select.select([self.listener, sys.stdin, self.wake_r], [], [])
                if self.wake_r in readable:
                    os.read(self.wake_r, 512)
                self.reap()
                if sys.stdin in readable and not os.read(sys.stdin.fileno(), 512):
                    return  # the server has gone: stop, and take the kernels along
                if self.listener in readable:
                    try:
                        conn, _ = self.listener.accept()
                    except BlockingIOError:
                        continue
                    with conn:
                        self.serve(conn)
        finally:
            self.stop()

    def reap(self) -> None:
        while self.children:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)

    def stop(self) -> None:
        for pid in list(self.children):
            try:
                os.killpg(pid, signal.SIGKILL)  # the kernel and whatever it started
            except ProcessLookupError:
                pass
        for pid in list(self.children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.children.clear()

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)  # a silent client must not stall every other kernel start
        try:
            reader = conn.makefile("rb")
            request = json.loads(reader.readline())
            argv = [str(a) for a in request["argv"]]
            env = {str(k): str(v) for k, v in request["env"].items()}
            cwd = str(request["cwd"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            print(f"hocso forkserver: bad request: {exc!r}", file=sys.stderr)
            return
        template_pid = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = self._child(conn, template_pid, argv, env, cwd)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.children.add(pid)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:
            # The server gave up on this kernel: it must not run unseen.
            os.kill(pid, signal.SIGKILL)

    def _child(self, conn, template_pid: int, argv: list[str], env: dict, cwd: str) -> int:
        # Undo what belongs to the template, then wait for the server's go.
        signal.set_wakeup_fd(-1)
        for fd in (self.wake_r, self.wake_w):
            os.close(fd)
        self.listener.close()
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # Its own process group, as jupyter_client gives a kernel: an interrupt or a kill
        # reaches the kernel and whatever it started, and nothing else.
        os.setpgid(0, 0)
        die_with_parent(signal.SIGKILL)
        set_name(KERNEL_NAME)
        if os.getppid() != template_pid:
            return 1  # the template died before the line above
        conn.settimeout(30)
        if conn.recv(1) != b"1":
            return 1  # the server went away before taking this kernel
        conn.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (fd 0 lives as long as we do)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        if "numpy" in sys.modules:
            # Python's random reseeds itself after fork; numpy's global generator does not,
            # and every visitor would otherwise draw the same numbers.
            sys.modules["numpy"].random.seed()
        from ipykernel import kernelapp

        # The template is the parent that must stay alive (ipykernel read JPY_PARENT_PID when
        # the template imported it, before this kernel's environment existed).
        argv = [*argv, f"--IPKernelApp.parent_handle={template_pid}"]
        sys.argv = ["ipykernel_launcher", *argv]
        try:
            app = kernelapp.IPKernelApp.instance()
            app.initialize(argv)
            register_widget_targets()
            app.start()
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 1
        return 0


def register_widget_targets() -> None:
    """Register ipywidgets' comm targets with this kernel, as importing it in a kernel does.

    The template imported ipywidgets before any kernel existed, so it registered nothing.
    Without the ``jupyter.widget.control`` target, a page's widget manager cannot fetch every
    widget's state in one message and falls back to one request per widget (88 for the
    self-assessment app), each printing "No such comm target" on the kernel's stderr first.
    """
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:
        widgets.register_comm_target()


def main(listen_fd: int) -> None:
    # As ipykernel_launcher does: the working folder is not an import path while loading.
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]
    die_with_parent(signal.SIGTERM)
    set_name(TEMPLATE_NAME)
    # SIGTERM from the server (or its death) ends the loop through its finally clause.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if os.getppid() == 1:
        return
    preload()
    if threading.active_count() != 1:
        names = [t.name for t in threading.enumerate()]
        raise SystemExit(f"hocso forkserver: a preloaded module started threads {names}")
    listener = socket.socket(fileno=listen_fd)
    listener.setblocking(False)
    Template(listener).run()


if __name__ == "__main__":
    main(int(sys.argv[1]))
