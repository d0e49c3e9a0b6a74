# Two entry points for a fresh machine: `make verify` (the main job) and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: verify test bench wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

verify: $(STAMP)
	$(BIN)/dlm-verify

test: $(STAMP)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest -n auto

# A non-editable install from a built wheel, in a venv of its own: every subpackage must be in it.
WHEEL_VENV := build/wheel-venv
wheel-check: $(STAMP)
	rm -rf build/wheel build/wheel-venv
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir build/wheel .
	$(PYTHON) -m venv $(WHEEL_VENV) || python3 -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet build/wheel/*.whl
	cd build && wheel-venv/bin/dlm-verify --help > /dev/null
	cd build && wheel-venv/bin/dlm-verify inspect --family copy --L 4 --V 2 --schedule 2,2

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_profile.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build
