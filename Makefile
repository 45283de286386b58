# Djaboo Mail: `make run` to try it, `make test` to check it. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

# Debian packages the test suite drives for real: a browser and a sendmail-compatible client
# (msmtp). PostgreSQL is handled by .ci/ensure-postgres.
TEST_PACKAGES := chromium fonts-dejavu-core msmtp

.PHONY: run test lint install system-deps postgres clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python -m djaboo.instance_setup
	$(BIN)/djaboo db upgrade
	$(BIN)/djaboo demo
	@echo "Djaboo Mail on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	$(BIN)/djaboo run --host $(HOST) --port $(PORT)

system-deps:
	@missing=""; \
	for pkg in $(TEST_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

postgres:
	@bash .ci/ensure-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install system-deps postgres lint
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .ruff_cache test-results
