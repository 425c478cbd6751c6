# Quick start: `make run` starts the app, `make test` runs every test.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PORT    ?= 8501

.PHONY: run dev test test-fast lint browser bench model screenshot screenshots clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## start the app on http://localhost:$(PORT)
	$(PY) -m streamlit run serve.py --server.port $(PORT)

dev: $(VENV)/.runtime  ## like run, reloading on file changes
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.fileWatcherType auto --server.runOnSave true

browser: $(VENV)/.dev  ## make sure Chromium (browser tests) and nginx (deploy test) are there
	@$(PY) -m harness.browser --ensure

test: $(VENV)/.dev browser lint  ## lint, then every test (core, app, browser)
	$(PY) -m pytest

test-fast: $(VENV)/.dev  ## core and app tests only: no browser, no nginx, no root needed
	$(PY) -m pytest -m "not e2e"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(VENV)/.dev browser  ## print the benchmark tables (about 17 minutes)
	$(PY) -m bench

model: $(VENV)/.runtime  ## regenerate the next-token model (assets/lm/next_token.npz) from its seed (about 30 s)
	$(PY) scripts/train_lm.py

screenshot: $(VENV)/.dev browser  ## re-render docs/playground.png (starts its own server)
	$(PY) docs/screenshot.py "" docs/playground.png

screenshots: $(VENV)/.dev browser  ## every page and tab at desktop, phone, projector and dark, into screenshots/ (about 4 minutes)
	$(PY) -m harness.shots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
