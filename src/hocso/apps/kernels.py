"""A kernel provisioner that forks kernels from a pre-warmed template instead of starting Python.

A fresh ipykernel for an app imports ipykernel, ipywidgets, pandas, matplotlib and the app's
module before it runs a single cell: several CPU-seconds each, which is what made a burst of
visitors time out. :class:`ForkingProvisioner` (registered as ``hocso-fork`` in the
``jupyter_client.kernel_provisioners`` entry points) asks one template process
(:mod:`hocso.apps.forkserver`) that has imported all of that once to fork a kernel instead.

It is jupyter_client's :class:`LocalProvisioner` with only the launch replaced: the connection
file, ports, environment, culling, restarts and shutdown stay theirs. The forked kernel is not
a child of the server, so the process object handed to LocalProvisioner is a
:class:`ForkedKernel`, which follows the process through a pidfd (Linux 5.3 or newer).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

#: The name under which pyproject.toml registers :class:`ForkingProvisioner`.
PROVISIONER_NAME = "hocso-fork"
#: Seconds a kernel start waits for the template (which first imports everything).
START_TIMEOUT = 120


def kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The ipykernel arguments of a kernel command, or None if it is not this Python's ipykernel.

    >>> import sys
    >>> kernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    ['-f', 'k.json']
    >>> kernel_arguments(["/usr/bin/R", "--slave", "-e", "IRkernel::main()"]) is None
    True
    """
    if len(cmd) < 3 or cmd[1] != "-m" or cmd[2] not in ("ipykernel_launcher", "ipykernel"):
        return None
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except OSError:
        same = False
    return list(cmd[3:]) if same else None


class ForkedKernel:
    """What LocalProvisioner expects of a ``Popen``, for a kernel forked by the template.

    The template, not this server, is the kernel's parent and reaps it, so the exit status is
    not known here: a finished kernel reports minus the last signal this server sent it, or 0.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self._pidfd: int | None = pidfd
        self._signal = 0
        self.returncode: int | None = None

    def _ended(self, timeout: float | None) -> bool:
        if self._pidfd is None:
            return True
        # poll, not select: a server with a hundred kernels holds descriptors past 1024,
        # which select refuses (it made every status check of those kernels fail).
        watch = select.poll()
        watch.register(self._pidfd, select.POLLIN)
        if watch.poll(None if timeout is None else timeout * 1000):
            # a pidfd becomes readable when its process has ended
            self.returncode = -self._signal
            os.close(self._pidfd)
            self._pidfd = None
        return self._pidfd is None

    def poll(self) -> int | None:
        self._ended(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended(timeout):
            raise subprocess.TimeoutExpired([f"forked kernel {self.pid}"], timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        # As Popen does: a process that has already ended is not an error.
        if self.poll() is not None:
            return
        try:  # never a reused pid: the pidfd names this very process
            signal.pidfd_send_signal(self._pidfd, signum)
        except ProcessLookupError:
            return  # ended, its last threads still going: poll will say so soon
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self._signal = signum

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __del__(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class ForkServer:
    """The template process of this server, started on the first kernel and stopped at exit."""

    _current: ForkServer | None = None
    _lock: asyncio.Lock | None = None

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="hocso-fork-"))  # mode 0700: ours only
        self.path = str(self.folder / "template.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        # Visitors arriving while the template still imports wait in this queue.
        listener.listen(1024)
        with listener:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hocso.apps.forkserver", str(listener.fileno())],
                stdin=subprocess.PIPE,  # end of file there tells the template we have gone
                pass_fds=[listener.fileno()],
            )
        # Closed here: a template that dies leaves no listener, so a start fails at once.
        atexit.register(self.stop)

    @classmethod
    async def get(cls) -> ForkServer:
        """The running template, started (again) when there is none."""
        if cls._lock is None:
            cls._lock = asyncio.Lock()
        async with cls._lock:
            if cls._current is None or cls._current.process.poll() is not None:
                if cls._current is not None:
                    cls._current.stop()
                cls._current = ForkServer()
            return cls._current

    @classmethod
    def stop_current(cls) -> None:
        if cls._current is not None:
            cls._current.stop()
            cls._current = None

    def stop(self) -> None:
        """End the template; its kernels die with it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdin:
            self.process.stdin.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    async def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedKernel:
        """A new kernel process with these ipykernel arguments, environment and folder."""
        reader, writer = await asyncio.open_unix_connection(self.path)
        try:
            request = {"argv": argv, "env": env, "cwd": cwd}
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), START_TIMEOUT)
            if not line:
                raise RuntimeError("the kernel template refused the request (see its log)")
            pid = int(json.loads(line)["pid"])
            pidfd = os.pidfd_open(pid)
            writer.write(b"1")  # now the kernel may start: its pid is pinned by the pidfd
            await writer.drain()
        finally:
            writer.close()
        return ForkedKernel(pid, pidfd)


class ForkingProvisioner(LocalProvisioner):
    """LocalProvisioner whose ipykernels are forked from the warm template."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        argv = kernel_arguments(cmd)
        if argv is None:  # another language or Python: start it the ordinary way
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        template = await ForkServer.get()
        try:
            self.process = await template.fork(argv, env, cwd)
        except (ConnectionError, FileNotFoundError):
            # The template died between two starts: start a new one, once.
            ForkServer.stop_current()
            template = await ForkServer.get()
            self.process = await template.fork(argv, env, cwd)
        self.pid = self.pgid = self.process.pid  # the fork leads its own process group
        self.cwd = cwd
        return self.connection_info
