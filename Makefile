# Quick start:  make demo   (set up .venv and run the bundled examples)
#               make test   (set up .venv with test extras and run lint + the whole test suite)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench docs clean

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.runtime $@

demo: $(VENV)/.runtime
	$(BIN)/hurwicz demo

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks

# pytest exits 5 when it collected no test: that is a failure here, never a pass.
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# the documentation site (mkdocs.yml) in site/; `$(BIN)/mkdocs serve` previews it
docs: $(VENV)/.test
	$(BIN)/mkdocs build --strict

bench: $(VENV)/.test
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis site
