"""docker-compose.yml and the Makefile stay valid without a Docker engine."""

import shutil
import subprocess
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


def test_compose_config_validates_offline():
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: sudo apt-get install docker-compose (it validates offline)"
    result = subprocess.run([binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
