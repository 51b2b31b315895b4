# Phiếu tín nhiệm — the two commands: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8000
HOST    ?= 127.0.0.1
STAMP   := $(VENV)/.installed

.PHONY: run test lint typecheck pytest jstest bench vectors vendor clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

## Start the system on SQLite with a demo vote (prints where to open it).
## `make run HOST=0.0.0.0` serves the LAN; the cards then carry this machine's LAN address.
run: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m ballot.demo

## Everything CI checks: lint, types, Python tests, JavaScript tests.
test: lint typecheck pytest jstest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy keys tally ballot

pytest: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

jstest:
	node --test tests/js/

## Benchmarks that print figures (and the ratio to their floor). Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python bench/crypto.py
	node bench/crypto_js.mjs
	$(BIN)/python bench/crypto_browser.py
	$(BIN)/python -m bench.tally
	$(BIN)/python bench/trustee_check.py
	$(BIN)/python -m bench.burst --members 500
	$(BIN)/python -m bench.burst --members 1500

## Regenerate the shared Python/JS test vectors (deterministic).
vectors: $(STAMP)
	$(BIN)/python -m tests.vectors.generate

## Rebuild the vendored curve library from the pinned npm packages.
vendor:
	bash scripts/build-vendor.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
