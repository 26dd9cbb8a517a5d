"""Run the web server (wargame.server.web_command), a Celery worker and Celery beat for `make run`;
restart whichever dies.

A seminar can't be restarted, so one crashed process must not take the others down: the web
server keeps serving while the worker (or beat, or the web server itself) is started again after a
back-off (1 s, doubling up to 30 s while it keeps dying young). Ctrl-C, SIGTERM or SIGHUP stops
everything. Each service runs in its own process group, so leftovers of a dead one (a Celery
pool child) are cleaned up with it. Stdlib only; started by scripts/run.sh.
"""

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from wargame.server import web_command  # noqa: E402  (stdlib only; no Django import)
BIN = ROOT / ".venv" / "bin"
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
QUEUE = os.environ.get("CELERY_QUEUE", "wargame")
BEAT_SCHEDULE = os.environ.get("BEAT_SCHEDULE_FILE") or str(ROOT / "var" / "celerybeat-schedule")
FIRST_BACKOFF, MAX_BACKOFF, STABLE_AFTER = 1.0, 30.0, 30.0
HEALTH_PATIENCE = 60.0
TICK = 0.2


def say(message):
    print(f"[run] {message}", flush=True)


def command(name):
    if name == "web":
        return web_command(host=HOST, port=PORT, bin_dir=BIN)
    if name == "worker":
        return [str(BIN / "celery"), "-A", "wargame", "--quiet", "worker", "--loglevel", "warning", "--concurrency", "2",
                "--hostname", f"{QUEUE}@%h"]
    return [str(BIN / "celery"), "-A", "wargame", "--quiet", "beat", "--loglevel", "warning", "--schedule", BEAT_SCHEDULE]


def _die_with_parent():
    """Linux: a child gets SIGTERM if the supervisor itself is killed, so nothing is orphaned."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Service:
    def __init__(self, name):
        self.name = name
        self.process = None
        self.started_at = 0.0
        self.backoff = FIRST_BACKOFF
        self.restart_at = None

    def start(self):
        self.process = subprocess.Popen(command(self.name), cwd=ROOT, process_group=0,
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        self.started_at = time.monotonic()
        self.restart_at = None
        return self.process.pid

    def signal_group(self, sig):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def describe(returncode):
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with status {returncode}"


def port_free():
    with socket.socket(socket.AF_INET6 if ":" in HOST else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, PORT))
        except OSError:
            return False
    return True


def shown_host():
    if HOST not in ("0.0.0.0", "::"):
        return HOST
    try:  # the address of the interface that routes outwards: what players' laptops can reach
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET; nothing is sent
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def health():
    """(healthy, what is down) from /healthz."""
    local = "127.0.0.1" if HOST in ("0.0.0.0", "::") else HOST
    try:
        with urllib.request.urlopen(f"http://{local}:{PORT}/healthz", timeout=2) as response:
            return response.status == 200, ""
    except urllib.error.HTTPError as exc:
        try:
            return False, ", ".join(json.loads(exc.read()).get("down", [])) or str(exc.code)
        except ValueError:
            return False, str(exc.code)
    except (OSError, ValueError):
        return False, "web server not answering yet"


def main():
    if not port_free():
        say(f"Port {PORT} on {HOST} is in use (another `make run`?). Stop it, or choose another: PORT=8001 make run")
        return 1
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: stopping.append(signum))

    services = [Service("web"), Service("worker"), Service("beat")]
    for service in services:
        pid = service.start()
        say(f"{service.name} started (pid {pid})")

    began = time.monotonic()
    banner_shown = False
    last_health_check = 0.0
    while not stopping:
        now = time.monotonic()
        for service in services:
            if service.restart_at is None:
                code = service.process.poll()
                if code is None:
                    continue
                if stopping:
                    break
                service.signal_group(signal.SIGKILL)  # leftovers, e.g. the pool children of a killed worker
                if now - service.started_at >= STABLE_AFTER:
                    service.backoff = FIRST_BACKOFF
                say(f"{service.name} (pid {service.process.pid}) died: {describe(code)}. "
                    f"Restarting it in {service.backoff:g} s; the other processes keep running.")
                service.restart_at = now + service.backoff
                service.backoff = min(service.backoff * 2, MAX_BACKOFF)
            elif now >= service.restart_at:
                pid = service.start()
                say(f"{service.name} restarted (pid {pid})")
        if not banner_shown and now - last_health_check >= 0.5:
            last_health_check = now
            healthy, down = health()
            if healthy or now - began > HEALTH_PATIENCE:
                if not healthy:
                    say(f"Not healthy after {HEALTH_PATIENCE:g} s ({down}); see the messages above. Still trying.")
                banner_shown = True
                subprocess.run([str(BIN / "python"), "manage.py", "demo", "--url", f"http://{shown_host()}:{PORT}"],
                               cwd=ROOT)
                print("  Press Ctrl-C to stop the web server, the worker and beat.", flush=True)
        time.sleep(TICK)

    print(flush=True)
    say("Stopping…")
    for service in services:
        if service.restart_at is None:
            service.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for service in services:
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{service.name} did not stop within 10 s; killing it.")
        service.signal_group(signal.SIGKILL)  # whatever is left in its group
    for service in services:
        service.process.wait()
    say("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
