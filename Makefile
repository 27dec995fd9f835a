# The two commands of the README: `make play` and `make test`. Each makes .venv if
# it is missing and installs Dosaku into it first (editable; dev extras for tests).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Tests run in parallel on the machine's cores (pytest-xdist).
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: play test install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The window, 9x9, against the shipped 9x9 network (models/9x9.pt) if there is one, else
# rollout search (the window says which). An install made before gui/ existed does not
# know the package (editable installs list their packages): install again if so.
play: install
	@$(BIN)/python -I -c "import gui" 2>/dev/null || $(BIN)/pip install --quiet -e .
	$(BIN)/dosaku play --size 9

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/dosaku bench engine

clean:
	rm -rf $(VENV) build *.egg-info
