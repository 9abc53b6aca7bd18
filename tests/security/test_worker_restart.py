"""A worker that dies mid-import is restarted by `gonghui serve`, and its job ends "出错"
with a Chinese reason instead of "处理中" forever; jobs left running by a dead worker are
recovered when the site or the next worker starts."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gonghui.exchange.jobs import INTERRUPTED, jobs_recover, runner_id
from gonghui.exchange.models import ImportJob


def _job(tree, runner, state="running"):
    return ImportJob.objects.create(kind="orgs", org=tree.street, org_path=tree.street.path, filename="x.xlsx",
                                    token="a" * 32, state=state, runner=runner, dry_run=False)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_it_fails_the_jobs_of_a_dead_worker_of_this_host_only(tree):
    dead = _job(tree, runner_id(_dead_pid()))
    alive = _job(tree, runner_id())  # this very process: still at work
    elsewhere = _job(tree, "another-host:1")  # another host recovers its own
    done = _job(tree, runner_id(_dead_pid()), state="done")
    assert jobs_recover() == 1
    for job in (dead, alive, elsewhere, done):
        job.refresh_from_db()
    assert dead.state == "failed" and dead.file_error == INTERRUPTED and dead.finished_at
    assert (alive.state, elsewhere.state, done.state) == ("running", "running", "done")


def test_a_supervisor_names_the_worker_it_saw_die(tree):
    job = _job(tree, runner_id(4_000_000))
    assert jobs_recover(dead_pid=4_000_001) == 0
    assert jobs_recover(dead_pid=4_000_000) == 1
    job.refresh_from_db()
    assert job.state == "failed" and "意外中断" in job.file_error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(p) for p in text}
    return found


def _until(predicate, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)  # polling a separate process: nothing to wait on directly
    raise AssertionError("timed out")


def _shell(env, code):
    done = subprocess.run([sys.executable, "-m", "gonghui.cli", "shell", "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the worker through /proc")
def test_serve_restarts_a_killed_worker_and_fails_its_job(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GONGHUI_TESTING")}
    env["GONGHUI_DATA_DIR"] = str(tmp_path / "data")
    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "gonghui.cli", "serve", "--port", str(port)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _until(lambda: _answers(port))
        worker = _until(lambda: next(iter(_children(serve.pid)), None))
        job = _shell(env, (
            "from gonghui.exchange.jobs import runner_id; from gonghui.exchange.models import ImportJob; "
            "from gonghui.testing.factories import OrgFactory; org = OrgFactory(code='T1', kind='district'); "
            f"print(ImportJob.objects.create(kind='orgs', org=org, org_path=org.path, filename='x.xlsx', token='b'*32, "
            f"state='running', runner=runner_id({worker})).pk)"
        ))
        os.kill(worker, 9)
        replacement = _until(lambda: next(iter(_children(serve.pid) - {worker}), None))
        assert replacement != worker
        state = _until(lambda: (s := _shell(env, f"from gonghui.exchange.models import ImportJob; j = ImportJob.objects.get(pk={job}); "
                                                  "print(j.state, j.file_error)")).startswith("failed") and s)
        assert INTERRUPTED in state
        assert _answers(port)  # the site never went down
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def _answers(port) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
