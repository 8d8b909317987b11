# Accord: set up, test, lint, benchmark. `make test` sets up on a fresh machine first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint bench demo clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/store_ingest.py
	$(BIN)/python benchmarks/taxii_vs_medallion.py
	$(BIN)/python benchmarks/ais_decode.py
	$(BIN)/python benchmarks/maritime_detect.py
	$(BIN)/python benchmarks/screening.py
	$(BIN)/python benchmarks/fimi.py
	$(BIN)/python benchmarks/federation.py
	$(BIN)/python benchmarks/consortium.py

demo: $(STAMP)
	$(BIN)/accord demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
