# The two set-up commands in the README are `make run` and `make test`.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run install test lint bench system-packages

# `make run` installs into a virtualenv: the one PYTHON already runs in, or else ./.venv,
# created on first use. Debian, Ubuntu and Homebrew refuse `pip install` into their own
# Python ("externally-managed-environment"). `make test` keeps installing into PYTHON's own
# environment (CI runs it as root in a throwaway machine).
VENV := .venv
IN_VENV = $(shell $(PYTHON) -c 'import sys; print(int(sys.prefix != sys.base_prefix))')
APP_PYTHON = $(if $(filter 1,$(IN_VENV)),$(PYTHON),$(VENV)/bin/python)

install:  ## install what the app needs, into a virtualenv (./.venv unless PYTHON runs in one)
	@if [ "$(APP_PYTHON)" = "$(VENV)/bin/python" ] && [ ! -x "$(VENV)/bin/python" ]; then \
		echo "creating $(VENV) (a virtualenv for the app)"; \
		$(PYTHON) -m venv $(VENV) || { echo "could not create $(VENV): on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }; \
	fi
	$(APP_PYTHON) -m pip install -q -r requirements.txt

run: install  ## install what the app needs and run it (on the built-in mock unless a key or base URL is configured)
	$(APP_PYTHON) -m streamlit run app.py

# Debian's Chromium for the browser tests (never a downloaded browser build), Debian's
# PostgreSQL for the store's tests and Debian's nginx for the replica tests (a proxy in front
# of two app servers), each installed only when missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing >/dev/null; \
	fi

test: system-packages  ## install what the tests need, lint, type-check and run them all
	$(PYTHON) -m pip install -q -r requirements-dev.txt
	$(MAKE) --no-print-directory lint
	$(PYTHON) -m pytest

# The habits that catch the next bug before a test has to: ruff (pyflakes, bugbear, bandit's
# security rules, ...) over everything; mypy, --strict over chatcore/ and leniently over ui/
# (its calls into streamlit and chatcore). Config: pyproject.toml.
lint:  ## ruff and mypy, as `make test` runs them (needs requirements-dev.txt installed)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy

bench:  ## the benchmarks behind the README's table
	$(PYTHON) bench/core_stream.py --socket
	$(PYTHON) bench/stop_latency.py
	$(PYTHON) bench/leak.py
	$(PYTHON) bench/ui_stream.py
	$(PYTHON) bench/saved_chats.py
	$(PYTHON) bench/branches.py
	$(PYTHON) bench/load.py
	$(PYTHON) bench/limits.py
	$(PYTHON) bench/replicas.py
	$(PYTHON) bench/api_load.py
	$(PYTHON) bench/safe_markdown.py
	$(PYTHON) bench/attachments.py
	$(PYTHON) bench/mcp_call.py
	$(PYTHON) bench/mcp_first_page.py
	$(PYTHON) bench/compare.py
