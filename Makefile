# Quick start: `make demo` (install + run on samples/), `make test` (dev tools + tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= build/demo.db

$(BIN)/claimflow: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

.PHONY: demo test lint bench
# claimflow exits 1 when some claims end pended or rejected, which the samples
# do on purpose; only exit 2 (unreadable input) fails the demo.
demo: $(BIN)/claimflow
	@mkdir -p build && rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/claimflow ingest samples/acme-tools/claims/* --client samples/clients/acme-tools.yaml \
		--db $(DB) --notices build/notices --operator demo || [ $$? -eq 1 ]
	$(BIN)/claimflow ingest samples/costa-azul/claims/* --client samples/clients/costa-azul.yaml \
		--db $(DB) --notices build/notices --operator demo || [ $$? -eq 1 ]

$(BIN)/pytest: $(BIN)/claimflow
	$(BIN)/python -m pip install -q -e . --group dev
	touch $@

test: $(BIN)/pytest
	$(BIN)/pytest

lint: $(BIN)/pytest
	$(BIN)/ruff check src tests benchmarks samples
	$(BIN)/mypy --strict src

bench: $(BIN)/claimflow
	$(BIN)/python benchmarks/bench_ingest.py
