# The two commands a newcomer needs:  `make run`  and  `make test`  (see README.md).
VENV        := .venv
PYTHON      := $(VENV)/bin/python
FLASK       := $(VENV)/bin/flask --app survey_app
# The test suite runs on SQLite and then on this PostgreSQL database (its tables are dropped!).
# `make test PG_TEST_URL=` runs SQLite only.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: setup run test test-nightly test-sqlite test-postgresql lint translations

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d survey_app/translations

setup: $(VENV)/.installed translations
	scripts/system-deps

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo
	@echo "The app: http://127.0.0.1:5000/  (the demo's citizen survey: http://127.0.0.1:5000/u/STP)"
	@echo "Sign in at http://127.0.0.1:5000/login as:"
	@$(FLASK) demo-accounts
	@echo
	$(VENV)/bin/gunicorn --bind 127.0.0.1:5000 --workers 2 --timeout 120 --no-control-socket 'survey_app:create_app()'

# The two databases run side by side (one pytest process each, so both cores work); each
# run's output is printed whole when it ends. The linters run too: `make test` fails if they do.
test: setup
	$(MAKE) -j2 --output-sync=target test-sqlite $(if $(PG_TEST_URL),test-postgresql) lint

# What only a nightly run needs (marked `nightly`: a wheel built and installed, a job worker
# killed mid-job, a second random seed of the figures' oracle, the officer's whole browser journey,
# the outbox through a real RQ worker, the API's generated requests), on both databases.
test-nightly: setup
	$(MAKE) -j2 --output-sync=target test-sqlite $(if $(PG_TEST_URL),test-postgresql) PYTEST_ARGS="-m nightly $(PYTEST_ARGS)"

# ruff on the whole tree (import order included), mypy on domain/ (strictly) and services/
# (both configured in pyproject.toml).
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test-sqlite:
	SURVEY_APP_TEST_DATABASE_URL=sqlite $(PYTHON) -m pytest $(PYTEST_ARGS)

test-postgresql:
	SURVEY_APP_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTHON) -m pytest $(PYTEST_ARGS)
