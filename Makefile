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
		$(BIN)/python -m evaluation run --data $(DATA) --round $$year --out $(OUT) || exit $$?; \
	done
	@echo "Published: $(OUT)/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python -m ruff check evaluation tests benchmarks scripts
	$(BIN)/lint-imports

lint: $(STAMP)
	$(BIN)/python -m ruff check evaluation tests benchmarks scripts
	$(BIN)/lint-imports

example: $(STAMP)
	$(BIN)/python -m evaluation example --out $(DATA)

# JupyterLab on the report notebooks, with the project's environment as the kernel.
lab: $(STAMP)
	cd notebooks && $(abspath $(BIN))/jupyter lab

clean:
	rm -rf $(VENV) $(OUT)/*/ $(OUT)/index.html

# Headless Chromium (Debian's, driven by Playwright for Python; no browser download) and
# axe-core (inside the axe-playwright-python wheel) on every page kind of a published round:
# `make browser-check [ROUND=2026]`. Screenshots land in $(OUT)/.screenshots/.
.PHONY: browser-check
browser-check: $(STAMP)
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	@$(BIN)/python -c "import playwright, axe_playwright_python" 2>/dev/null || \
		$(BIN)/python -m pip install --quiet -e '.[browser]'
	$(BIN)/python scripts/browser_check.py $(OUT) $(if $(ROUND),--round $(ROUND))
