# The project's vocabulary. Every target installs what it needs first and is idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime's Python (3.13, from pyenv) when installed, else python3.11, else python3.
PYTHON ?= $(shell p="$$(pyenv root 2>/dev/null)/versions/3.13.0/bin/python3"; \
  [ -x "$$p" ] && echo "$$p" || command -v python3.11 || command -v python3)
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV := .venv
PY := $(VENV)/bin/python
# The stamp names the Python too: a .venv made by another version is made again.
STAMP := $(VENV)/.installed-py$(PYTHON_VERSION)-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | sha256sum | cut -c1-12)

# Synth writes byte code once and reuses it (a shell may forbid it: that makes synth twice as slow).
unexport PYTHONDONTWRITEBYTECODE
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := true

.PHONY: help install browser run test quick synth deploy bench lint clean

help:
	@echo "make run     start the whole backend locally on http://127.0.0.1:\$${PORT:-8000}"
	@echo "make test    run the whole test suite (synth, cdk-nag, cfn-lint, unit, integration, e2e)"
	@echo "make quick   the unit tests: every capability's rules on in-memory stores, in seconds"
	@echo "make synth   synthesize the CDK app with the CDK CLI into cdk.out"
	@echo "make deploy  deploy the stack to the AWS account of your credentials"
	@echo "make bench   run the benchmarks and write BENCHMARKS.md"
	@echo "make lint    ruff and mypy"

$(STAMP): pyproject.toml
	@test -x $(PY) && [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(PYTHON_VERSION)" ] \
	  || { rm -rf $(VENV); echo "Creating $(VENV) with Python $(PYTHON_VERSION) ($(PYTHON)) …"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Python packages into $(VENV) …"
	@$(PY) -m pip install --quiet --no-compile --disable-pip-version-check -e '.[cli,infra,dev]' 2> >(grep -v "is ignored" >&2)
	@rm -f $(VENV)/.installed-*
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "Installing the CDK CLI (npm ci) …"
	@npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-*
	@touch $@

install: $(STAMP) $(NODE_STAMP)

# The browser tests drive Debian's chromium; installed here when missing (needs root, as CI has).
browser:
	@test -x $(CHROMIUM) || { echo "Installing chromium for the browser tests (apt-get) …"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends chromium > /dev/null; }

run: install
	@$(PY) -m local

synth: install
	@npx --no-install cdk synth --quiet --output cdk.out
	@$(PY) -m local.synth --mark

test: synth lint browser
	@$(PY) -m pytest -q -n 2 --dist loadfile

# The unit tests that need the Python environment alone (no npm, no emulator, no synth): the
# ones that take the built pages (npm's phone library in them) run in `make test`.
quick: $(STAMP)
	@$(PY) -m pytest -q tests/unit -m "not pages"

deploy: install
	@npx --no-install cdk deploy --require-approval broadening

bench: install
	@$(PY) -m bench

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy shared functions local cli infra bench pages

clean:
	rm -rf cdk.out .build .local
