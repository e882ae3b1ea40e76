# Two entry points: `make run` (app with the seed corpus on SQLite) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format clean bench soak

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_corpus
	$(BIN)/python manage.py create_local_admin
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

# Throughput at 100,000 synthetic claims (PostgreSQL, Redis and wrk needed; ~15 min the
# first time, most of it generating data). Writes docs/benchmarks.md.
bench: install
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# 60 s of mixed traffic through a PostgreSQL restart; fails if anything is lost.
soak: install
	$(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
