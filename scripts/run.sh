#!/usr/bin/env bash
# `make run`: check Redis, make sure there is a secret key, compile the translations, collect static files,
# migrate, then start the web server, a Celery worker and beat under scripts/supervise.py, which restarts
# whichever dies. Ctrl-C stops everything.
# Runs with DEBUG off, as in the room; HOST and PORT choose where it listens (127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=wargame.settings PYTHONUNBUFFERED=1

$BIN/python scripts/check_services.py redis
$BIN/python scripts/secret_key.py   # var/secret_key, once, unless SECRET_KEY is set
$BIN/python scripts/compile_messages.py   # locale/*/LC_MESSAGES/*.mo from the .po files that changed
echo "Collecting static files…"   # hashed names and .gz copies, served by whitenoise with a long max-age
$BIN/python manage.py collectstatic --noinput -v 0
echo "Preparing the database…"
$BIN/python manage.py migrate --noinput -v 0
exec $BIN/python scripts/supervise.py
