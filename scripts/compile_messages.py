#!/usr/bin/env python3
"""Compile locale/<lang>/LC_MESSAGES/*.po into the .mo files Django reads, with babel (pure Python: no
GNU gettext needed). `make install`, `make run`, `make test` and the Dockerfile run it; a .mo newer than
its .po is left alone, so a second run costs nothing. Fuzzy entries are left out, as msgfmt does: an
untranslated or doubtful message shows in English rather than wrong.

Usage: scripts/compile_messages.py [--force] [--check]
  --force  rebuild every .mo
  --check  exit 1 if any .mo is missing or older than its .po (writes nothing)
"""
import argparse
import contextlib
import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")


def po_files(locale_dir=LOCALE):
    return sorted(p for domain in DOMAINS for p in locale_dir.glob(f"*/LC_MESSAGES/{domain}.po"))


def stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime_ns < po.stat().st_mtime_ns


def compile_po(po: Path) -> int:
    """Write po's .mo (through a temporary file, so a reader never sees half of one); returns the count of
    translated messages."""
    said = io.StringIO()  # babel prints its warnings; keep the ones that matter
    with po.open("rb") as f, contextlib.redirect_stdout(said):
        catalog = read_po(f, locale=po.parent.parent.name, domain=po.stem)
    # makemessages writes two plural forms even where the language has one (Japanese): the extra is dropped.
    lines = said.getvalue().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("WARNING:") and "num_plurals" not in line and not (
                i and "num_plurals" in lines[i - 1] and "Problem on line" in line):
            print(f"{po.relative_to(ROOT)}: {line}", file=sys.stderr)
    mo = po.with_suffix(".mo")
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    tmp.replace(mo)
    return sum(1 for m in catalog if m.id and m.string and not m.fuzzy
               and (all(m.string) if isinstance(m.string, (tuple, list)) else True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild every .mo")
    parser.add_argument("--check", action="store_true", help="fail if a .mo is missing or stale")
    args = parser.parse_args(argv)
    todo = [po for po in po_files() if args.force or stale(po)]
    if args.check:
        for po in todo:
            print(f"{po.relative_to(ROOT)}: its .mo is missing or older; run scripts/compile_messages.py",
                  file=sys.stderr)
        return 1 if todo else 0
    for po in todo:
        try:
            n = compile_po(po)
        except Exception as e:  # a broken .po names itself instead of a bare traceback
            print(f"{po.relative_to(ROOT)}: cannot compile: {e}", file=sys.stderr)
            return 1
        print(f"Compiled {po.relative_to(ROOT)} ({n} translated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
