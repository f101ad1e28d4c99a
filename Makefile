# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/micrograd-gui $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/engine_vs_micrograd.py
	$(BIN)/python bench/graph_layout.py
	$(BIN)/python bench/ui_latency.py
	$(BIN)/python bench/learning_modes.py
	$(BIN)/python bench/big_graphs.py
	$(BIN)/python bench/training_vs_micrograd.py
	$(BIN)/python bench/training_ui.py
	$(BIN)/python bench/data_panel.py

clean:
	rm -rf $(VENV) build *.egg-info
