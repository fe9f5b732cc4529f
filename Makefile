# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make site   build the site into site/
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reproducible builds: MkDocs' sitemap dates and gzip headers follow this.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export NO_MKDOCS_2_WARNING := 1

# Compile the package once, as pip does for what it installs: a machine with
# PYTHONDONTWRITEBYTECODE set would otherwise compile it again on every run.
BYTECODE = $(BIN)/python -m compileall -q timeline

.PHONY: site serve test check lint golden schema screenshots clean

$(BIN)/.site-deps: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev-deps: requirements.txt requirements-dev.txt $(BIN)/.site-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## site: validate seeds/, generate docs/, build site/ with mkdocs --strict
site: $(BIN)/.site-deps
	$(BYTECODE)
	$(BIN)/python build_timeline.py
	rm -rf site.partial
	$(BIN)/mkdocs build --strict --quiet --site-dir site.partial
	rm -rf site && mv site.partial site
	@echo "The site is in $(CURDIR)/site/ (open site/index.html, or run 'make serve')."

## serve: generate docs/ and preview the site at http://127.0.0.1:8000/
serve: $(BIN)/.site-deps
	$(BYTECODE)
	$(BIN)/python build_timeline.py
	$(BIN)/mkdocs serve -f mkdocs.serve.yml

## check: validate seeds/ only
check: $(BIN)/.site-deps
	$(BIN)/python build_timeline.py --check

## lint: ruff and mypy --strict
lint: $(BIN)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema custom.github-workflows-require-timeout .github/workflows/*.yml

## test: lint, then the whole pytest suite (unit, golden, end-to-end)
test: lint
	$(BIN)/python -m pytest

## golden: refresh the golden files after a reviewed change to the output
golden: $(BIN)/.dev-deps
	$(BIN)/python -m pytest tests/test_golden.py --update-golden

## screenshots: refresh the README's screenshots from the browser tests (needs Chromium)
screenshots: $(BIN)/.dev-deps
	$(BIN)/python -m pytest tests/test_browser.py -k screenshots --update-screenshots

## schema: rewrite schema/annotation.schema.json after a vocabulary change
schema: $(BIN)/.site-deps
	$(BIN)/python build_timeline.py schema --output schema/annotation.schema.json

clean:
	rm -rf site site.partial .pytest_cache .mypy_cache .ruff_cache .timeline-cache
