# Set-up and everyday commands for the backpropagation course.
# Every target creates the virtual environment it needs on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: venv test lint demo bench clean

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest

demo: $(INSTALLED)
	$(PY) examples/train_networks.py

bench: $(INSTALLED)
	$(PY) bench/cheap_gradient.py
	$(PY) bench/train_digits.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
