# Two commands: `make run` (set up and run the app) and `make test` (the whole suite on real services).
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := wargame.settings

.PHONY: run test install messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed; found " + sys.version.split()[0])'
	@echo "Creating $(VENV)…"
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing packages (first run takes a minute)…"
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

# The .mo files Django reads, compiled from locale/*/LC_MESSAGES/*.po (only those whose .po changed).
messages: $(VENV)/.installed
	@$(BIN)/python scripts/compile_messages.py

install: $(VENV)/.installed messages

run: install
	@./scripts/run.sh

test: install
	@$(BIN)/python scripts/check_services.py redis chromium database
	@$(BIN)/python scripts/secret_key.py
	@$(BIN)/python manage.py collectstatic --noinput -v 0   # hashed, compressed files the pages link to
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	@$(BIN)/python scripts/secret_key.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/live.py

clean:
	rm -rf $(VENV) var staticfiles
