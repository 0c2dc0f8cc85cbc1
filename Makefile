# The two set-up commands in the README are `make run` and `make test`.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run test lint bench system-packages

run:  ## install what the app needs and run it (on the built-in mock unless a key or base URL is configured)
	$(PYTHON) -m pip install -q -r requirements.txt
	$(PYTHON) -m streamlit run app.py

# Debian's Chromium for the browser tests (never a downloaded browser build) and Debian's
# PostgreSQL for the store's tests, each installed only when missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
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
	$(PYTHON) bench/core_stream.py
	$(PYTHON) bench/ui_stream.py
	$(PYTHON) bench/saved_chats.py
	$(PYTHON) bench/load.py
