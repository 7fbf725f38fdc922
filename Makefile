# The two commands of the README: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-dev

.PHONY: run test docs bench mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

## run: the conformance suite against the embedded simulator; report under reports/
run: $(STAMP_RUN)
	$(BIN)/tsconform run $(ARGS)

## test: the project's own tests (unit, integration, the features, the kill matrix)
test: $(STAMP_TEST)
	$(BIN)/python -m pytest $(ARGS)

docs: $(STAMP_RUN)
	$(BIN)/tsconform docs

bench: $(STAMP_TEST)
	$(BIN)/python bench/suite.py

## mutation: mutants of the reference T-Server and switch, judged by the features (score, survivors)
mutation: $(STAMP_TEST)
	$(BIN)/python tools/mutation.py $(ARGS)

clean:
	rm -rf $(VENV) mutants reports/allure-results reports/html captures/run-*
