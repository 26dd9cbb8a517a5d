"""`make run`'s script keeps the room running when a process dies, and stops cleanly.

scripts/run.sh runs here on a free port with its own SQLite file, secret key file, beat schedule,
pub/sub prefix and Celery queue (so /healthz hears only its own worker), on the tests' Redis database.
"""

import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, _free_port, wait_for

pytestmark = pytest.mark.integration


def session_members(sid):
    """Pids of every live process in a session: the script, its services and their children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":  # fields: state, ppid, pgrp, session
            found.append(int(entry.name))
    return found


def status(url):
    try:
        return httpx.get(url, timeout=3).status_code
    except httpx.HTTPError:
        return None


@pytest.fixture
def run_script(tmp_path):
    port = _free_port()
    name = f"wargame-runscript-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    env.update(PORT=str(port), HOST="127.0.0.1", LIVE_CHANNEL_PREFIX=name, CELERY_QUEUE=name,
               DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}", SECRET_KEY_FILE=str(tmp_path / "secret_key"),
               BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"))
    log_path = tmp_path / "run.log"
    log = open(log_path, "w")
    process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    process.url = f"http://127.0.0.1:{port}"
    process.port = port
    process.log = lambda: log_path.read_text()
    process.tmp = tmp_path
    try:
        yield process
    finally:
        for pid in session_members(process.pid):  # only if the test failed half-way
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)
        log.close()


def started_pid(run, service, after=None):
    pids = [int(p) for p in re.findall(rf"\[run\] {service} (?:re)?started \(pid (\d+)\)", run.log())]
    pids = [p for p in pids if p != after]
    return pids[-1] if pids else None


def test_run_script_restarts_dead_processes_and_stops_everything(run_script):
    run = run_script

    def healthy():
        assert run.poll() is None, f"run.sh exited early:\n{run.log()}"
        return status(f"{run.url}/healthz") == 200

    wait_for(healthy, timeout=120, interval=0.2, message="make run's /healthz to answer 200")
    wait_for(lambda: "Join code:" in run.log(), timeout=20, message="the demo banner")

    # Debug off, with a random key written once, readable by its owner only.
    key_file = run.tmp / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key_file.read_text().strip()) >= 50
    missing = httpx.get(f"{run.url}/no-such-page/", timeout=5)
    assert missing.status_code == 404
    assert "URLconf" not in missing.text and "DEBUG = True" not in missing.text
    code = re.search(r"Join code: (\w+)", run.log()).group(1)
    join_page = httpx.get(f"{run.url}/?code={code}", timeout=5)
    assert join_page.status_code == 200 and code in join_page.text

    # The worker dies: the web server keeps serving, the script starts a new worker.
    web = started_pid(run, "web")
    worker = started_pid(run, "worker")
    os.kill(worker, signal.SIGKILL)
    assert status(f"{run.url}/ping") == 200, "uvicorn stopped answering when the worker died"
    wait_for(lambda: status(f"{run.url}/healthz") == 503, timeout=10, interval=0.1,
             message="/healthz to report this stack's worker down")
    assert status(f"{run.url}/ping") == 200
    wait_for(lambda: started_pid(run, "worker", after=worker), timeout=30, interval=0.1,
             message="run.sh to start a new worker")
    wait_for(lambda: status(f"{run.url}/healthz") == 200, timeout=30, interval=0.2,
             message="/healthz to answer 200 again with the new worker")
    assert f"worker (pid {worker}) died: killed by SIGKILL" in run.log()
    assert started_pid(run, "web") == web, "uvicorn was restarted although only the worker died"

    # uvicorn itself dies: it is started again too.
    os.kill(web, signal.SIGKILL)
    wait_for(lambda: started_pid(run, "web", after=web), timeout=30, interval=0.1, message="a new uvicorn")
    wait_for(lambda: status(f"{run.url}/healthz") == 200, timeout=30, interval=0.2,
             message="/healthz from the new uvicorn")

    # Ctrl-C (SIGINT to the terminal's foreground group) stops everything it started.
    os.killpg(run.pid, signal.SIGINT)
    assert run.wait(timeout=30) == 0, run.log()
    wait_for(lambda: not session_members(run.pid), timeout=15, interval=0.1,
             message="every process run.sh started to be gone")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", run.port), timeout=1).close()
    assert "[run] Stopped." in run.log()
