# oci-reporter developer tasks. `make dev` once, then `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev lint test golden bench samples demo clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

dev: $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'

lint:
	$(BIN)/ruff check reporter tests samples $(wildcard bench)
	$(BIN)/mypy

test:
	$(BIN)/python -m pytest -q -p no:cacheprovider

golden:
	$(BIN)/python -m pytest -q tests --update-goldens

samples:
	$(BIN)/python samples/build.py

demo:
	$(BIN)/oci-reporter report samples/demo-multiarch.oci -f html -f md --output-dir out/

bench:
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out build dist .pytest_cache .mypy_cache .ruff_cache
