# livecalc: two commands for a newcomer, `make site` and `make test`; each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := site

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: site serve test setup browser java pyodide-wheels bench clean

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(PY_STAMP) $(NODE_STAMP)

## make site: set up, then a strict build of the whole site into site/
site: setup
	$(MKDOCS) build --strict --site-dir site

## make serve: live preview on http://127.0.0.1:8000/
serve: setup
	$(MKDOCS) serve --dev-addr 127.0.0.1:8000

## make browser: a Chromium for the browser tests (Debian's package; Playwright's download does not work here)
browser:
	@if [ -x /usr/bin/chromium ] || ls $${PLAYWRIGHT_BROWSERS_PATH:-$$HOME/.cache/ms-playwright}/chromium-* >/dev/null 2>&1; then \
	  echo "browser: found"; \
	else \
	  echo "browser: installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

## make java: a Java runtime for the W3C Nu HTML Checker (vnu-jar, from npm) that tests/test_html_valid.py runs
java:
	@if command -v java >/dev/null 2>&1; then \
	  echo "java: found"; \
	else \
	  echo "java: installing Debian's default-jre-headless"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

## make pyodide-wheels: pure-Python pytest/hypothesis wheels for running the module's tests inside Pyodide
## (tests/test_in_pyodide.py; the npm Pyodide carries no wheels and tests run offline)
PYODIDE_WHEELS := .cache/pyodide-wheels
$(PYODIDE_WHEELS)/.installed: tests/pyodide/requirements.txt | $(PY_STAMP)
	rm -rf $(PYODIDE_WHEELS)
	$(PY) -m pip download --quiet --require-hashes --only-binary=:all: --no-deps \
	  --python-version 3.14 --implementation py --abi none --platform any \
	  -d $(PYODIDE_WHEELS) -r tests/pyodide/requirements.txt
	touch $@

pyodide-wheels: $(PYODIDE_WHEELS)/.installed

## make test: set up, then every test (module, macros, built site, browser), on every core: tests that
## share a built site or a browser stay on one worker (tests/conftest.py, pytest_collection_modifyitems)
test: setup browser java pyodide-wheels
	$(PY) -m pytest -n auto --dist loadgroup

## make bench: the benchmarks (several minutes); writes bench/results.json
bench: setup browser
	$(PY) -m bench

clean:
	rm -rf site .pytest_cache .hypothesis test-artifacts
