"""Does a hostile submission score only what its answers earn, harm nothing and leave nothing?"""

from __future__ import annotations

import copy
import json
import os
import socket
import threading
from pathlib import Path

import pytest

from .. import submissions
from ..conftest import REPO, run
from . import corpus

pytestmark = pytest.mark.slow

MODULE = "bai01"
HACKED = 1  # index of the item whose answer cell carries the hostile code
FULL = 17.0


def _with_code(nb, module, code: str, index: int = HACKED):
    """The notebook with ``code`` run at the start of one answer cell (the answer stays)."""
    nb = copy.deepcopy(nb)
    answer_id = module.items[index].answer_id
    for cell in nb.cells:
        if submissions.nbgrader_meta(cell).get("grade_id") == answer_id:
            cell.source = code + "\n" + cell.source
    return nb


def _cases(root: Path, port: int) -> dict:
    """Learner id -> (notebook or raw bytes, expected score or None when it cannot be graded)."""
    module = submissions.load_module(MODULE)
    right, wrong = submissions.all_correct(module), submissions.all_wrong(module)
    before = sum(i.points for i in module.items[:HACKED])  # earned before a fatal cell
    lost = module.items[HACKED].points  # the hacked cell raises: its own item scores zero
    secrets = [
        root / "source" / MODULE / f"{MODULE}.ipynb",
        REPO / "source" / MODULE / f"{MODULE}.ipynb",
        root / "gradebook.db",
        root / "nbgrader_config.py",
        Path("../../../source") / MODULE / f"{MODULE}.ipynb",
        root / "submitted" / "dung_het" / MODULE / f"{MODULE}.ipynb",
    ]
    read = (
        "for p in %r:\n"
        "    try:\n"
        "        print('LEAK', p, open(p, 'rb').read()[:50])\n"
        "    except Exception as e:\n"
        "        pass\n"
        "import os\n"
        "print('LEAK' if any('.ipynb' in f for f in os.listdir('.')) else 'ok')\n"
    ) % [str(p) for p in secrets]
    targets = [
        root / "gradebook.db",
        root / "submitted" / "dung_het" / MODULE / f"{MODULE}.ipynb",
        root / "pwned.txt",
    ]
    write = (
        "for p in %r:\n"
        "    try:\n"
        "        open(p, 'w').write('pwned')\n"
        "        print('WROTE', p)\n"
        "    except Exception:\n"
        "        pass\n"
        "open('/tmp/hocso-pwned.txt', 'w').write('its own /tmp is private')\n"
    ) % [str(p) for p in targets]
    network = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    print('CONNECTED')\n"
        "except OSError:\n"
        "    pass\n"
    )
    forge = (
        "import os, json, struct, socket\n"
        "fake = json.dumps({'status': 'ok', 'outputs': [], 'seq': 3}).encode()\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        s = socket.socket(fileno=os.dup(fd))\n"
        "        s.sendall(struct.pack('!I', len(fake)) + fake)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    helpers = (
        "from hocso import checks\n"
        "for name in checks.__all__:\n"
        "    if name.startswith('check'):\n"
        "        setattr(checks, name, lambda *a, **k: None)\n"
        "        globals()[name] = lambda *a, **k: None\n"
        "class _Any:\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *a, **k: None\n"
        "checks = _Any()\n"
    )
    builtins_hack = (
        "import builtins\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.type = lambda *a: str\n"
        "builtins.len = lambda *a: 0\n"
        "builtins.AssertionError = type('X', (Exception,), {})\n"
    )
    showtraceback = (
        "ip = get_ipython()\n"
        "ip.showtraceback = lambda *a, **k: None\n"
        "ip._showtraceback = lambda *a, **k: None\n"
        "ip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
        "import sys\n"
        "sys.excepthook = lambda *a: None\n"
    )
    fork_bomb = (
        "import os, time\n"
        "for i in range(500):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(1000)\n"
        "            os._exit(0)\n"
        "    except OSError:\n"
        "        break\n"
    )
    release_other = (REPO / "release" / "bai02" / "bai02.ipynb").read_text("utf-8")
    return {
        "doi_chung": (right, FULL),
        "vong_lap": (_with_code(right, module, "while True:\n    pass"), FULL - lost),
        "ngu": (_with_code(right, module, "import time\ntime.sleep(10**6)"), FULL - lost),
        "khong_chiu_dung": (
            _with_code(
                right,
                module,
                "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "while True:\n    pass",
            ),
            before,
        ),
        "bom_bo_nho": (_with_code(right, module, "x = bytearray(64 * 1024**3)"), FULL - lost),
        "bom_bo_nho_dan": (
            _with_code(right, module, "a = []\nwhile True:\n    a.append(bytearray(10**8))"),
            FULL - lost,
        ),
        "bom_tien_trinh": (_with_code(right, module, fork_bomb), FULL),
        "sys_exit": (_with_code(right, module, "import sys\nsys.exit(0)"), FULL - lost),
        "os_exit": (_with_code(right, module, "import os\nos._exit(0)"), before),
        "tu_giet": (
            _with_code(right, module, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
            None,  # either it dies (fatal) or it cannot kill itself (full marks): see below
        ),
        "sua_builtins": (_with_code(wrong, module, builtins_hack, 0), 0.0),
        "sua_ham_kiem_tra": (_with_code(wrong, module, helpers, 0), 0.0),
        "showtraceback": (_with_code(wrong, module, showtraceback, 0), 0.0),
        "gia_ket_qua": (_with_code(wrong, module, forge, 0), 0.0),
        "doc_test_an": (_with_code(right, module, read), FULL),
        "ghi_ra_ngoai": (_with_code(right, module, write), FULL),
        "mang": (_with_code(right, module, network), FULL),
        "in_qua_nhieu": (
            _with_code(right, module, "for i in range(3000):\n    print('x' * 10000)"),
            FULL,
        ),
        "json_hong": (b'{"cells": [ this is not json', None),
        "khong_phai_utf8": (b"\xff\xfe\x00\x00 \xc3\x28 not utf-8 \x80\x81", None),
        "nop_nham_bai": (release_other, None),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "course"
    corpus.build(root, [MODULE], {MODULE: []})
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    cases = _cases(root, listener.getsockname()[1])
    for learner, (content, _) in cases.items():
        folder = root / "submitted" / learner / MODULE
        folder.mkdir(parents=True)
        name = "bai02.ipynb" if learner == "nop_nham_bai" else f"{MODULE}.ipynb"
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        elif isinstance(content, str):
            (folder / name).write_text(content, encoding="utf-8")
        else:
            submissions.write(content, root, learner, MODULE)
    untouched = (root / "submitted" / "doi_chung" / MODULE / f"{MODULE}.ipynb").read_bytes()
    done = run(["hocso", "grade", MODULE, "--workers", "2"], root)
    stop.set()
    thread.join()
    listener.close()
    return root, cases, done, connections, untouched


def _outputs(root: Path, learner: str) -> str:
    path = root / "autograded" / learner / MODULE / f"{MODULE}.ipynb"
    nb = json.loads(path.read_text("utf-8"))
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


def test_does_each_hostile_submission_score_only_what_its_answers_earn(graded):
    root, cases, _, _, _ = graded
    scores = corpus.scores(root, MODULE)
    expected = {k: v for k, (_, v) in cases.items() if v is not None}
    assert {k: scores.get(k) for k in expected} == expected
    assert scores["tu_giet"] in (FULL, 2.0)


def test_are_broken_submissions_reported_in_vietnamese_without_stopping_the_others(graded):
    root, _, done, _, _ = graded
    assert done.returncode == 1  # some could not be graded
    assert "Các bài chưa chấm được" in done.stdout
    for learner in ("json_hong", "khong_phai_utf8", "nop_nham_bai"):
        line = next(x for x in done.stdout.splitlines() if x.strip().startswith(f"- {learner}:"))
        assert "notebook" in line
    assert "nộp nhầm bài khác" in done.stdout


def test_can_learner_code_neither_read_hidden_tests_nor_write_outside_its_folder(graded):
    root, _, _, _, untouched = graded
    assert "LEAK" not in _outputs(root, "doc_test_an")
    assert "WROTE" not in _outputs(root, "ghi_ra_ngoai")
    assert not (root / "pwned.txt").exists()
    assert not Path("/tmp/hocso-pwned.txt").exists()
    assert (root / "submitted" / "doi_chung" / MODULE / f"{MODULE}.ipynb").read_bytes() == untouched
    assert corpus.scores(root, MODULE)["doi_chung"] == FULL  # the gradebook still works


def test_is_the_network_out_of_reach(graded):
    root, _, _, connections, _ = graded
    assert connections == []
    assert "CONNECTED" not in _outputs(root, "mang")


def test_is_huge_output_capped(graded):
    root, _, _, _, _ = graded
    path = root / "autograded" / "in_qua_nhieu" / MODULE / f"{MODULE}.ipynb"
    assert path.stat().st_size < 5_000_000


def test_is_every_process_of_the_run_gone(graded):
    leftovers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            cmdline = (entry / "cmdline").read_bytes()
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        # Sandboxes run as uids from 100000 up; an orphaned executor would be adopted by init.
        if uid >= 100000 or (b"hocso.grading.warm" in cmdline and parent == "1"):
            if parent == "1" or os.getpid() in ancestors(int(entry.name)):
                # Ours: orphaned, or still under this test process. Sandboxes of a grading
                # run in another pytest worker (make test runs two) are not this run's.
                leftovers.append((entry.name, uid, cmdline[:80]))
    assert leftovers == []


def ancestors(pid: int) -> list[int]:
    """The parent, grandparent, ... of a process, as far as /proc shows them."""
    chain = []
    while pid > 1:
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
        chain.append(pid)
    return chain
