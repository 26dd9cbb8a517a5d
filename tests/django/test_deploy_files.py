"""docker-compose.yml and the Makefile stay valid without a Docker engine."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_has_every_service_with_a_healthcheck():
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = data["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    for name, svc in services.items():
        assert "healthcheck" in svc, name
    assert "uvicorn_worker.UvicornWorker" in str(services["web"]["command"])
    assert (ROOT / "Dockerfile").exists()


def test_web_and_worker_scale_out_behind_one_origin():
    """`docker compose up --scale web=2 --scale worker=2`: no web replica binds a host port (they would
    collide); one proxy publishes the origin and re-resolves the replicas through Docker's DNS."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "ports" not in services["web"] and "ports" not in services["worker"]
    assert services["proxy"]["ports"] == ["8000:8000"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "resolver 127.0.0.11" in conf and "set $web http://web:8000;" in conf and "proxy_pass $web;" in conf
    assert "proxy_buffering off;" in conf  # the SSE doorbell must not be held back


def compose(*args, secret_key=None):
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: sudo apt-get install docker-compose (it validates offline)"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    if secret_key:
        env["SECRET_KEY"] = secret_key
    return subprocess.run([binary, "-f", str(ROOT / "docker-compose.yml"), *args], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def test_compose_config_validates_offline():
    result = compose("config", "-q", secret_key=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr


def test_compose_requires_a_secret_key():
    result = compose("config", "-q")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_under_the_compose_environment(tmp_path):
    """`manage.py check --deploy` with exactly the environment compose gives the web service."""
    key = secrets.token_urlsafe(50)[:50]
    result = compose("config", secret_key=key)
    assert result.returncode == 0, result.stderr
    web_env = yaml.safe_load(result.stdout)["services"]["web"]["environment"]
    assert web_env["SECRET_KEY"] == key and web_env["DEBUG"] == "0"
    # Only what compose sets (not the test run's own variables), and no local key file to fall back on.
    env = {"PATH": os.environ["PATH"], "SECRET_KEY_FILE": str(tmp_path / "absent")}
    env.update({k: str(v) for k, v in web_env.items()})
    check = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           capture_output=True, text=True, env=env, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout, check.stdout + check.stderr
