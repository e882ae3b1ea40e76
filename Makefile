# Two entry points: `make run` (app with the seed corpus on SQLite) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format clean bench soak lock lock-check

# Every package comes from the lock, at its exact version and hash (requirements/dev.txt:
# the site's packages, as in requirements/main.txt, and the tools to test it); then the
# project itself, with nothing more resolved.
$(INSTALLED): requirements/dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
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

# The lock: exact versions and hashes of everything pyproject.toml asks for, resolved from
# PyPI alone (not this machine's pip configuration). `make lock` after changing the
# dependencies; it keeps every pin it can (add --upgrade-package NAME to move one).
# `make lock-check` (run by CI) fails when the lock no longer matches pyproject.toml.
PIP_COMPILE = env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	CUSTOM_COMPILE_COMMAND="make lock" $(abspath $(BIN))/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
define compile_lock
	cd $(1) && $(PIP_COMPILE) --output-file requirements/main.txt pyproject.toml
	cd $(1) && $(PIP_COMPILE) --extra dev --constraint requirements/main.txt \
		--output-file requirements/dev.txt pyproject.toml
endef
LOCK_CHECK := $(VENV)/lock-check

lock: install
	$(call compile_lock,.)

lock-check: install
	rm -rf $(LOCK_CHECK) && mkdir -p $(LOCK_CHECK)
	cp -r pyproject.toml README.md requirements $(LOCK_CHECK)/
	$(call compile_lock,$(LOCK_CHECK))
	diff -u requirements/main.txt $(LOCK_CHECK)/requirements/main.txt
	diff -u requirements/dev.txt $(LOCK_CHECK)/requirements/dev.txt
	@echo "The lock matches pyproject.toml."

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
