"""The web server's command line, in one place: `make run`, the tests and the benchmarks start it from here,
and the Dockerfile and docker-compose.yml spell out the same line.

gunicorn manages the processes (one per core by default, restarted if one dies); each runs uvicorn's
event loop with wargame.asgi, which sends pages to Django's WSGI handler on a thread pool and keeps the
SSE streams async. Doorbells reach every process through Redis, so more processes need nothing else.
"""

import os
import sys
from pathlib import Path


def web_workers():
    return int(os.environ.get("WEB_WORKERS") or min(os.cpu_count() or 1, 4))


def web_command(*, host, port, workers=None, bin_dir=None, log_level="warning"):
    bin_dir = Path(bin_dir or Path(sys.executable).parent)
    return [str(bin_dir / "gunicorn"), "wargame.asgi:application", "-k", "uvicorn_worker.UvicornWorker",
            "-b", f"{host}:{port}", "-w", str(workers or web_workers()), "--graceful-timeout", "3",
            "--log-level", log_level]
