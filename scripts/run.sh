#!/usr/bin/env bash
# Start uvicorn, a Celery worker and Celery beat; Ctrl-C stops all three.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT

$BIN/uvicorn wargame.asgi:application --host "$HOST" --port "$PORT" --timeout-graceful-shutdown 3 --log-level warning & pids+=($!)
$BIN/celery -A wargame worker --loglevel warning --concurrency 2 --hostname "wargame@%h" & pids+=($!)
$BIN/celery -A wargame beat --loglevel warning --schedule var/celerybeat-schedule & pids+=($!)

for _ in $(seq 1 100); do
  if $BIN/python -c "import urllib.request,sys; urllib.request.urlopen('http://$HOST:$PORT/healthz', timeout=3)" 2>/dev/null; then break; fi
  sleep 0.3
done
SHOWN_HOST=$HOST
if [ "$HOST" = "0.0.0.0" ]; then  # listening on every interface: show the address players can reach
  SHOWN_HOST=$(hostname -I 2>/dev/null | awk '{print $1}'); SHOWN_HOST=${SHOWN_HOST:-127.0.0.1}
fi
$BIN/python manage.py demo --url "http://$SHOWN_HOST:$PORT"
echo "  Press Ctrl-C to stop the web server, the worker and beat."
wait -n "${pids[@]}"
echo "A process stopped; shutting the others down." >&2
stop
