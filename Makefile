# Two entry points for a fresh machine with Python 3.11+: `make report` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/example
OUT ?= reports
ROUNDS ?= 2024 2026

.PHONY: setup report test lint lab example clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

report: $(STAMP)
	@for year in $(ROUNDS); do \
		$(BIN)/python -m evaluation validate --data $(DATA) --round $$year || exit $$?; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python -m ruff check evaluation tests benchmarks

lint: $(STAMP)
	$(BIN)/python -m ruff check evaluation tests benchmarks

example: $(STAMP)
	$(BIN)/python -m evaluation example --out $(DATA)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf $(VENV) $(OUT)/*/ $(OUT)/index.html
