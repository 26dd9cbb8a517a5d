"""Say clearly what is missing before running the app or the tests. Stdlib only."""

import os
import shutil
import socket
import sys
from urllib.parse import urlparse

REDIS_HELP = """Redis is not reachable at {url}.
Okhotsk Table needs Redis for its Celery queue and for live updates. Start it with
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis && brew services start redis),
or point REDIS_URL at a running server, then run this command again."""

CHROMIUM_HELP = """Chromium is missing (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome).
The browser tests drive headless Chromium. Install it with
  sudo apt-get install -y chromium
or set CHROMIUM_PATH to a Chromium/Chrome binary, then run this command again."""

POSTGRES_HELP = """PostgreSQL is not reachable at {url}.
Start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)
or unset DATABASE_URL to use SQLite."""


def redis_ok(url):
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def chromium_path():
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit and os.path.exists(explicit):
        return explicit
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name) or (name if os.path.exists(name) else None)
        if found:
            return found
    return None


def postgres_ok(url):
    parts = urlparse(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2).close()
        return True
    except OSError:
        return False


def main(checks):
    failed = False
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if "redis" in checks and not redis_ok(redis_url):
        print(REDIS_HELP.format(url=redis_url), file=sys.stderr)
        failed = True
    if "chromium" in checks and not chromium_path():
        print(CHROMIUM_HELP, file=sys.stderr)
        failed = True
    db = os.environ.get("DATABASE_URL", "")
    if "database" in checks and db.startswith("postgres") and not postgres_ok(db):
        print(POSTGRES_HELP.format(url=db), file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
