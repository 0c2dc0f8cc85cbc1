# The two set-up commands in the README are `make run` and `make test`.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench browser

run:  ## install what the app needs and run it (on the built-in mock unless a key or base URL is configured)
	$(PYTHON) -m pip install -q -r requirements.txt
	$(PYTHON) -m streamlit run app.py

browser:  ## Debian's Chromium for the browser tests (never a downloaded browser build)
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: browser  ## install what the tests need and run them all
	$(PYTHON) -m pip install -q -r requirements-dev.txt
	$(PYTHON) -m pytest

bench:  ## the benchmarks behind the README's table
	$(PYTHON) bench/core_stream.py
	$(PYTHON) bench/ui_stream.py
