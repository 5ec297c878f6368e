# Two commands from nothing: `make book` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book test refresh params serve pdf lint clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(PY) -m analysis build

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

refresh: $(STAMP)
	$(PY) -m analysis refresh

pdf: $(STAMP)
	$(PY) -m analysis build --pdf

serve: $(STAMP)
	$(PY) -m analysis serve

params: $(STAMP)
	$(PY) -m analysis params

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf _build
