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

.PHONY: demo test lint docs bench
# claimflow exits 1 when some claims end pended or rejected, which the samples
# do on purpose; only exit 2 (unreadable input) fails the demo.
demo: $(BIN)/claimflow
	@mkdir -p build && rm -f $(DB) $(DB)-wal $(DB)-shm
	@for c in acme-tools costa-azul; do \
	  echo "== $$c: ingest, dedupe, participants, source data and verification, award =="; \
	  $(BIN)/claimflow ingest samples/$$c/claims/* --client samples/clients/$$c.yaml \
	    --db $(DB) --notices build/notices --operator demo || [ $$? -eq 1 ] || exit 2; \
	  $(BIN)/claimflow dedupe claims --client samples/clients/$$c.yaml --db $(DB) \
	    --notices build/notices || [ $$? -eq 1 ] || exit 2; \
	  $(BIN)/claimflow participants import samples/$$c/participants.csv \
	    --client samples/clients/$$c.yaml --db $(DB) || exit 2; \
	  $(BIN)/claimflow source import samples/$$c/source/* --client samples/clients/$$c.yaml \
	    --db $(DB) || exit 2; \
	  $(BIN)/claimflow award --client samples/clients/$$c.yaml --db $(DB) || exit 2; \
	done
	@echo "notices in build/notices/, store in $(DB)"

$(BIN)/pytest: $(BIN)/claimflow
	$(BIN)/python -m pip install -q -e . --group dev
	touch $@

test: $(BIN)/pytest
	$(BIN)/pytest

lint: $(BIN)/pytest
	$(BIN)/ruff check src tests benchmarks samples
	$(BIN)/mypy --strict src

# The documentation site (docs/, mkdocs.yml) into site/; a warning fails it.
docs: $(BIN)/claimflow
	$(BIN)/python -m pip install -q -e . --group docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

bench: $(BIN)/claimflow
	$(BIN)/python -m pip install -q -e . --group bench
	$(BIN)/python benchmarks/bench_ingest.py
