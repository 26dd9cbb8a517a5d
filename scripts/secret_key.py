"""Write a random SECRET_KEY once to var/secret_key (or $SECRET_KEY_FILE), readable by its owner only.

`make run` and `make test` call this when SECRET_KEY is not set; wargame/settings.py reads the file.
Stdlib only. An existing file is left alone, so sessions survive restarts.
"""

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50) + "\n")
    return True


if __name__ == "__main__":
    if os.environ.get("SECRET_KEY", "").strip():
        sys.exit(0)
    target = Path(os.environ.get("SECRET_KEY_FILE") or ROOT / "var" / "secret_key")
    if ensure(target):
        print(f"Wrote a new random secret key to {target} (readable by you only).")
