"""Settings from the environment: safe by default, strict about values, quick to fail when Redis is down."""

import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import ROOT, _free_port

PRINT_SETTINGS = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'key': s.SECRET_KEY, 'ssl': s.SECURE_SSL_REDIRECT, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
    "'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'preload': s.SECURE_HSTS_PRELOAD, "
    "'logins': s.LOGIN_ATTEMPTS_PER_WINDOW}))"
)


def django_run(tmp_path, code, **overrides):
    """A fresh process with DEBUG and SECRET_KEY unset (and no key file) unless given."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG") and not k.startswith(("SECURE_", "SESSION_COOKIE", "CSRF_COOKIE"))}
    env["SECRET_KEY_FILE"] = str(tmp_path / "no-key-here")
    env.update(overrides)
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_debug_off_without_a_secret_key_stops_with_a_clear_message(tmp_path):
    result = django_run(tmp_path, "print('started')")
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_the_key_file_written_once_by_make_run_is_used(tmp_path):
    key_file = tmp_path / "secret_key"
    env = dict(os.environ, SECRET_KEY_FILE=str(key_file))
    env.pop("SECRET_KEY", None)
    subprocess.run([sys.executable, "scripts/secret_key.py"], cwd=ROOT, env=env, check=True)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 50
    subprocess.run([sys.executable, "scripts/secret_key.py"], cwd=ROOT, env=env, check=True)
    assert key_file.read_text().strip() == key, "a second run must keep the key (sessions survive restarts)"
    result = django_run(tmp_path, PRINT_SETTINGS, SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert f'"key": "{key}"' in result.stdout


def test_environment_key_wins_and_security_defaults_are_off_for_the_room(tmp_path):
    result = django_run(tmp_path, PRINT_SETTINGS, SECRET_KEY="k" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"key": "' + "k" * 60 + '", "ssl": false, "proxy": null, "session": false, "csrf": false, '
        '"hsts": 0, "sub": false, "preload": false, "logins": 5}')


def test_security_switches_come_from_the_environment(tmp_path):
    result = django_run(tmp_path, PRINT_SETTINGS, SECRET_KEY="k" * 60, SECURE_SSL_REDIRECT="1",
                        SECURE_PROXY_SSL_HEADER="true", SESSION_COOKIE_SECURE="yes", CSRF_COOKIE_SECURE="on",
                        SECURE_HSTS_SECONDS="3600", SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1",
                        LOGIN_ATTEMPTS_PER_WINDOW="9")
    assert result.returncode == 0, result.stderr
    assert '"ssl": true, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"], "session": true, "csrf": true' in result.stdout
    assert '"hsts": 3600, "sub": true, "preload": true, "logins": 9' in result.stdout


@pytest.mark.parametrize("name, value", [("DEBUG", "maybe"), ("SECURE_SSL_REDIRECT", "sure"),
                                         ("SECURE_HSTS_SECONDS", "a year"), ("LOGIN_ATTEMPTS_PER_WINDOW", "0")])
def test_a_wrong_value_stops_the_process(tmp_path, name, value):
    result = django_run(tmp_path, "print('started')", **{"SECRET_KEY": "k" * 60, name: value})
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_a_publish_with_redis_down_fails_within_two_seconds(tmp_path):
    """Nothing listens on the port: the task publish (and the result store's subscribe) give up quickly."""
    code = ("import time; from wargame.exercises import tasks; t = time.monotonic()\n"
            "try:\n    tasks.enforce_deadlines.delay()\nexcept Exception as exc:\n"
            "    print(f'failed {type(exc).__name__} after {time.monotonic() - t:.2f}')\n"
            "else:\n    print('published?')")
    result = django_run(tmp_path, code.replace("\n", "\n"), SECRET_KEY="k" * 60,
                        REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    assert result.stdout.startswith("failed"), result.stdout + result.stderr[-2000:]
    assert float(result.stdout.split()[-1]) < 2.5, result.stdout


def test_a_dead_workers_task_comes_back_within_a_minute():
    from wargame.celery import app

    assert app.conf.broker_transport_options["visibility_timeout"] == 60
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
