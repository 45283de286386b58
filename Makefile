# Djaboo Mail: `make run` to try it, `make test` to check it. Both set up everything they need.
SHELL := /bin/bash
# Debian's python3 gets security fixes through apt (e.g. the email header-injection fix,
# CVE-2024-6923); prefer it to whatever python3 comes first on PATH.
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 5000
MAIL_PORT ?= 2525
# Links in emails start with it; DJABOO_BASE_URL from the environment or the command line wins
# (e.g. a tunnel's public address). It overrides BASE_URL in instance/config.py, like any
# DJABOO_* variable.
DJABOO_BASE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
# Test processes: most tests wait on sockets, servers and workers, so three share two cores well.
PYTEST_WORKERS ?= 3

# Debian packages the app needs (WeasyPrint draws PDFs with Pango; Noto CJK draws Japanese in
# them) and those the test suite drives for real: a browser, a sendmail-compatible client
# (msmtp), pdftotext and pdffonts, Dovecot for the bounce mailbox and the Sent folder (Node for
# an independent DKIM verifier: node-deps). PostgreSQL is handled by .ci/ensure-postgres.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-noto-cjk
TEST_PACKAGES := $(RUN_PACKAGES) chromium msmtp poppler-utils dovecot-imapd
# Benchmarks drive Postfix's smtp-sink/smtp-source (the Postfix daemon is never started).
BENCH_PACKAGES := $(TEST_PACKAGES) postfix

.PHONY: run test lint install run-deps system-deps postgres bench clean node-deps translations

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Installing python3-venv"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv >/dev/null && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install:
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -c 'import os, sys; print(os.path.realpath(sys._base_executable))')" != "$$(realpath $(PYTHON))" ]; then \
	  echo "Recreating $(VENV) with $(PYTHON)"; rm -rf $(VENV); fi
	@$(MAKE) --no-print-directory $(BIN)/.installed
	@$(BIN)/python -m djaboo.i18n

# The interface's languages (djaboo/i18n.py): collect the strings marked with _() / _l() /
# _lp() into messages.pot, then merge them into each language's messages.po (translate the new
# entries there). The .mo files are compiled by `make install` (and by the tests), not kept in
# git: two branches that add strings merge as text.
translations: install
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs=".*" -k _l -k _lp:1c,2 -k N_ --add-location=file --sort-by-file \
	  --no-wrap --project=djaboo-mail --copyright-holder="Djaboo Mail" \
	  -o djaboo/translations/messages.pot .
	$(BIN)/pybabel update -i djaboo/translations/messages.pot -d djaboo/translations \
	  --no-wrap --ignore-obsolete --no-fuzzy-matching

# The demo space sends through a local mail catcher (127.0.0.1:$(MAIL_PORT), messages kept as
# .eml files in instance/mail-catcher/); only this run allows the app to connect to loopback.
run: install run-deps
	$(BIN)/python -m djaboo.instance_setup
	$(BIN)/djaboo db upgrade
	$(BIN)/djaboo demo --mail-port $(MAIL_PORT)
	@echo "Djaboo Mail on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	@$(BIN)/djaboo mail catcher --port $(MAIL_PORT) & catcher=$$!; \
	DJABOO_SMTP_ALLOWED_HOSTS=127.0.0.1 DJABOO_BASE_URL='$(DJABOO_BASE_URL)' \
	  $(BIN)/djaboo mail worker & worker=$$!; \
	trap 'kill $$catcher $$worker 2>/dev/null' EXIT INT TERM; \
	DJABOO_SMTP_ALLOWED_HOSTS=127.0.0.1 DJABOO_BASE_URL='$(DJABOO_BASE_URL)' \
	  $(BIN)/djaboo run --host $(HOST) --port $(PORT)

run-deps:
	@$(MAKE) --no-print-directory system-deps TEST_PACKAGES="$(RUN_PACKAGES)"

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

# The test suite's Node verifiers, pinned by tests/node/package-lock.json.
tests/node/node_modules/.installed: tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --silent
	@touch $@

# Node and npm from Debian only where none is installed (a NodeSource nodejs bundles its own npm
# and conflicts with Debian's npm package).
node-deps: system-deps
	@command -v npm >/dev/null || { \
	  echo "Installing Debian packages: nodejs npm"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    nodejs npm >/dev/null; }
	@$(MAKE) --no-print-directory tests/node/node_modules/.installed

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install system-deps node-deps postgres lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Figures, not pass/fail: see benchmarks/*.py for what each prints.
bench: install postgres
	@echo "postfix postfix/main_mailer_type select No configuration" | $(SUDO) debconf-set-selections
	@$(MAKE) --no-print-directory system-deps TEST_PACKAGES="$(BENCH_PACKAGES)"
	$(BIN)/python benchmarks/list_pages.py
	$(BIN)/python benchmarks/bulk_reminders.py

clean:
	rm -rf $(VENV) build *.egg-info .ruff_cache test-results
