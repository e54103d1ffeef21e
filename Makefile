# partnews: every task runs inside the project's own virtual environment (.venv),
# which the first target that needs it creates from pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8001

PYWB_VENV := .venv-pywb

.PHONY: demo test bench lint format venv clean chromium reliability pywb

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## make demo: crawl the bundled mirror into data/demo/partnews.db and serve it on $(PORT)
demo: venv
	$(BIN)/partnews demo --port $(PORT)

## make test: the whole test suite (the browser tests need Debian's chromium: see `chromium`;
## the WARC replay test needs pywb: see `pywb`)
test: venv chromium pywb
	PARTNEWS_PYWB_BIN=$(CURDIR)/$(PYWB_VENV)/bin $(BIN)/pytest

## make pywb: pywb in a virtualenv of its own (.venv-pywb), to replay the WARC files
pywb: $(PYWB_VENV)/.installed-stamp

$(PYWB_VENV)/.installed-stamp: requirements-pywb.txt
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-pywb.txt
	touch $@

## make chromium: Debian's Chromium for the browser tests (installed when run as root)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "No chromium: the browser tests will skip. Install it with: sudo apt-get install chromium"; \
	  fi; }

## make bench: the benchmarks (figures beside their baselines); see docs/benchmarks.md
bench: venv
	$(BIN)/python -m bench

## make reliability: faults, hostile input, fuzzing, boundaries and 50 readers for 60 s;
## writes docs/reliability.md (about 10 minutes)
RELIABILITY_TESTS := tests/test_boundaries.py tests/test_reliability_faults.py \
	tests/test_reliability_hostile.py tests/test_reliability_fuzz.py tests/test_reliability_serving.py \
	tests/test_reliability_crash.py tests/test_reliability_idempotency.py \
	tests/test_hardening.py tests/test_reliability_dos.py
reliability: venv chromium
	rm -rf test-output/reliability
	PARTNEWS_LOAD_CLIENTS=50 PARTNEWS_LOAD_SECONDS=60 PARTNEWS_RELIABILITY_FULL=1 $(BIN)/pytest -q -p no:cacheprovider \
	  --junitxml=test-output/reliability/junit.xml $(RELIABILITY_TESTS); \
	  status=$$?; $(BIN)/python -m reliability.report && exit $$status

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data test-output .pytest_cache
