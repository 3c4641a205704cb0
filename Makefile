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

lint: $(STAMP)
	$(BIN)/python -m ruff check evaluation tests benchmarks scripts

example: $(STAMP)
	$(BIN)/python -m evaluation example --out $(DATA)

# JupyterLab on the report notebooks, with the project's environment as the kernel.
lab: $(STAMP)
	cd notebooks && $(abspath $(BIN))/jupyter lab

clean:
	rm -rf $(VENV) $(OUT)/*/ $(OUT)/index.html

# Headless Chromium and axe-core on a published round: `make browser-check [ROUND=2026]`.
# Screenshots land in $(OUT)/.screenshots/. Installs Debian's chromium (as root), the
# pinned axe-core from scripts/package-lock.json and websocket-client into the venv.
.PHONY: browser-check
browser-check: $(STAMP)
	@test -x /usr/bin/chromium && command -v npm >/dev/null || \
		{ apt-get update && apt-get install -y chromium $$(command -v npm >/dev/null || echo npm); }
	@cd scripts && { npm ls axe-core >/dev/null 2>&1 || npm ci --no-audit --no-fund; }
	@$(BIN)/python -c "import websocket" 2>/dev/null || \
		$(BIN)/python -m pip install --quiet 'websocket-client>=1.6'
	$(BIN)/python scripts/browser_check.py $(OUT) $(if $(ROUND),--round $(ROUND))
