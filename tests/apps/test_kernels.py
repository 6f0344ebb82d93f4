"""The forking kernel provisioner: real kernels, isolated from each other, none left behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import urllib.request
import uuid

import psutil
import pytest
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager

from hocso.apps import kernels

from .browser import course_with_apps, serving, status

pytestmark = pytest.mark.slow


def gone(pids, timeout: float = 15) -> list[int]:
    """The pids of ``pids`` still running (zombies count as gone) after up to ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@pytest.fixture
def spec_manager(tmp_path):
    """A kernelspec that names the provisioner, as a deployment's kernel.json would."""
    folder = tmp_path / "kernels" / "hocso-fork-test"
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (forked)",
        "language": "python",
        "metadata": {"kernel_provisioner": {"provisioner_name": kernels.PROVISIONER_NAME}},
    }
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])


async def start(spec_manager, cwd):
    # An absolute connection file, so the ipc sockets are found whatever the kernel's folder.
    manager = AsyncKernelManager(
        kernel_name="hocso-fork-test",
        kernel_spec_manager=spec_manager,
        transport="ipc",
        connection_file=str(cwd / f"k{uuid.uuid4().hex[:8]}.json"),  # ipc paths: 107 bytes at most
    )
    await manager.start_kernel(cwd=str(cwd))
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    return manager, client


async def run(client, code: str) -> str:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(msg["content"]["ename"])

    await client.execute_interactive(code, timeout=60, output_hook=hook)
    return "".join(out).strip()


def test_are_forked_kernels_real_separate_and_stopped(spec_manager, tmp_path):
    async def scenario():
        first, c1 = await start(spec_manager, tmp_path)
        second, c2 = await start(spec_manager, tmp_path)
        try:
            assert isinstance(first.provisioner, kernels.ForkingProvisioner)
            template = kernels.ForkServer._current.process.pid
            pids = [first.provisioner.pid, second.provisioner.pid]
            # Forked from the template, not started by this process.
            assert [psutil.Process(p).ppid() for p in pids] == [template, template]
            # The libraries are already there, and the kernel works as any other.
            assert await run(c1, "import sys; print('pandas' in sys.modules, 6 * 7)") == "True 42"
            # ipywidgets' comm targets are there, as in a kernel that imported it itself: the
            # page's widget manager asks every widget's state in one message on the control one.
            targets = "import comm; print(sorted(comm.get_comm_manager().targets))"
            assert await run(c1, targets) == "['jupyter.widget', 'jupyter.widget.control']"
            # What one visitor's kernel holds, another's has not.
            await run(c1, "bi_mat = 'của người thứ nhất'")
            assert await run(c2, "print('bi_mat' in globals())") == "False"
            assert await run(c1, "print(bi_mat)") == "của người thứ nhất"
            # Each kernel draws its own random numbers (numpy's are not reseeded by Python).
            draw = "import random, numpy; print(random.random(), numpy.random.random())"
            assert await run(c1, draw) != await run(c2, draw)
            assert await run(c1, "import os; print(os.getcwd())") == str(tmp_path)
            # An interrupt reaches the forked kernel's process group.
            busy = asyncio.ensure_future(run(c2, "import time; time.sleep(60)"))
            await asyncio.sleep(1)
            await second.interrupt_kernel()
            assert await asyncio.wait_for(busy, 20) == "KeyboardInterrupt"
            # A kernel that dies is seen as dead (the restarter relies on it).
            os.kill(pids[1], signal.SIGKILL)
            deadline = time.monotonic() + 15
            while await second.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert not await second.is_alive()
        finally:
            for manager, client in ((first, c1), (second, c2)):
                client.stop_channels()
                await manager.shutdown_kernel(now=True)
        assert gone(pids) == []

        # The template dying takes its kernels along; the next start brings a new template.
        third, c3 = await start(spec_manager, tmp_path)
        orphan = third.provisioner.pid
        old = kernels.ForkServer._current.process
        old.kill()
        assert gone([old.pid, orphan]) == []
        fourth, c4 = await start(spec_manager, tmp_path)
        assert kernels.ForkServer._current.process.pid != old.pid
        assert await run(c4, "print('bi_mat' in globals())") == "False"
        c3.stop_channels()
        c4.stop_channels()
        await third.shutdown_kernel(now=True)
        await fourth.shutdown_kernel(now=True)
        template = kernels.ForkServer._current.process.pid
        kernels.ForkServer.stop_current()
        assert gone([template, fourth.provisioner.pid or -1]) == []

    asyncio.run(scenario())


def test_does_stopping_hocso_serve_leave_no_process(tmp_path):
    root = course_with_apps(tmp_path / "course")
    with serving(root, "--max-visitors", "5", log=tmp_path / "serve.log") as (base, process):
        # Two visitors beyond the preheated pool: kernels forked for them while serving.
        for _ in range(2):
            url = f"{base}/voila/render/kiem_tra_mat_khau.ipynb"
            with urllib.request.urlopen(url, timeout=120) as response:
                assert response.status == 200
        server = psutil.Process(process.pid)
        family = server.children(recursive=True)
        templates = [p for p in server.children() if p.name() == "hocso-template"]
        assert len(templates) == 1, [p.cmdline() for p in family]
        forks = templates[0].children()
        assert {p.name() for p in forks} == {"hocso-kernel"}
        # Every kernel came from the template: the preheated ones and the two visitors'.
        state = status(base)
        assert state["visitors"] == 2 and len(forks) >= state["kernels"] >= 2 + 4
        assert not [p for p in family if "ipykernel_launcher" in p.cmdline()]
        pids = [p.pid for p in family]
    # serving() has sent SIGTERM to the server's process group and waited for it.
    assert gone(pids) == []


def test_is_a_kernel_watched_through_a_descriptor_above_1024():
    """A server with a hundred visitors holds descriptors past 1024: a kernel's pidfd there
    must still tell whether the kernel runs (select() refused it; the 100-visitor burst of
    bench/apps.py failed nine pages on it)."""
    import resource
    import subprocess

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2048:
        pytest.skip(f"this machine allows {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
    child = subprocess.Popen(["sleep", "60"])
    try:
        pidfd = os.pidfd_open(child.pid)
        high = os.dup2(pidfd, 1500, inheritable=False)
        os.close(pidfd)
        kernel = kernels.ForkedKernel(child.pid, high)
        assert kernel.poll() is None
        kernel.send_signal(signal.SIGKILL)
        assert kernel.wait(timeout=10) == -signal.SIGKILL
    finally:
        child.kill()
        child.wait()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
