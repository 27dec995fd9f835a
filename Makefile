# The two commands of the README: `make play` and `make test`. Each makes .venv if
# it is missing and installs Dosaku into it first (editable; dev extras for tests).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Tests run in parallel on the machine's cores (pytest-xdist).
PYTEST_ARGS ?= -n auto --dist loadfile

# An editable install knows the top-level packages it found when it was made: a new
# package (a new */__init__.py) needs the install made again, as a changed pyproject.toml does.
PACKAGES := $(wildcard */__init__.py)

.PHONY: play test install install-dev js-clients py-clients bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(PACKAGES) | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(PACKAGES) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The window, 9x9, against the shipped 9x9 network (models/9x9.pt) if there is one, else
# rollout search (the window says which).
play: install
	$(BIN)/dosaku play --size 9

# Real clients the tests drive Dosaku with (Sabaki's npm packages, pinned in tests/js):
# installed where npm is; without npm, or offline, those tests skip and say why
# (.ci/run installs Node.js and sets DOSAKU_REQUIRE_CLIENTS=1, so there they must run).
JS_DIR := tests/js
JS_INSTALLED := $(JS_DIR)/node_modules/.package-lock.json

$(JS_INSTALLED): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund

js-clients:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(JS_INSTALLED) || echo "npm ci failed: the real-client tests will skip"; \
	else \
		echo "npm not found: the real-client tests will skip (apt-get install nodejs npm)"; \
	fi

# KaTrain's engine client (tests/katrain_client.py): its wheel alone, without Kivy.
py-clients: install-dev
	@test -f tests/py_clients/katrain-1.20.0-py3-none-any.whl || $(BIN)/python -m pip download --no-deps \
		katrain==1.20.0 -d tests/py_clients -q || echo "pip download failed: the KaTrain client test will skip"

test: install-dev js-clients py-clients
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/dosaku bench engine

clean:
	rm -rf $(VENV) build *.egg-info $(JS_DIR)/node_modules tests/py_clients
