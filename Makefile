# Two commands: `make run` sets everything up and starts the app; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MO := web/translations/en/LC_MESSAGES/messages.mo
PYTEST_ARGS ?=
# where `make run` listens; two instances side by side need different ports (and DATABASE_URLs)
ZHENGAI_HOST ?= 127.0.0.1
ZHENGAI_PORT ?= 5000
# ZHENGAI_TEST_LDAP=1: the tests run beside a throw-away OpenLDAP (.ci/with-ldap.sh installs slapd if needed)
WITH_LDAP := $(if $(filter 1,$(ZHENGAI_TEST_LDAP)),.ci/with-ldap.sh,)

.PHONY: setup pdf-deps run test test-sqlite test-postgres test-ldap test-fuzz browser-deps lint bench bench-http translations clean

setup: pdf-deps $(VENV)/.installed node_modules/.installed $(MO)

# WeasyPrint's system libraries and the CJK fonts (the PDF exports of the reports)
pdf-deps:
	.ci/ensure-pdf.sh

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(MO): web/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d web/translations -D messages >/dev/null

translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F web/babel.cfg -k _l -k N_ -o web/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations -D messages --no-fuzzy-matching

run: setup
	$(BIN)/zhengai init
	export ZHENGAI_HOST='$(ZHENGAI_HOST)' ZHENGAI_PORT='$(ZHENGAI_PORT)'; \
	$(BIN)/zhengai scheduler & SCHED=$$!; trap 'kill $$SCHED 2>/dev/null' EXIT INT TERM; \
	$(BIN)/zhengai serve

browser-deps:
	.ci/ensure-browser.sh

# With ZHENGAI_TEST_POSTGRES=1 the PostgreSQL pass runs beside the SQLite one (two cores, two suites): its
# servers are installed first (apt cannot run twice at once), its output follows the SQLite pass's.
test: setup browser-deps
	$(BIN)/ruff check engine web forms tests bench workflows migrations
	@set -u; pg=""; \
	if [ "$${ZHENGAI_TEST_POSTGRES:-0}" = "1" ]; then \
	  $(WITH_LDAP) .ci/with-postgres.sh true >/dev/null; \
	  echo "PostgreSQL pass running beside the SQLite one (its output follows; .pytest-postgres.log)"; \
	  ZHENGAI_LDAP_PORT=$${ZHENGAI_PG_LDAP_PORT:-38954} $(MAKE) --no-print-directory test-postgres \
	    PYTEST_ARGS="-p no:cacheprovider $(PYTEST_ARGS)" > .pytest-postgres.log 2>&1 & pg=$$!; \
	fi; \
	$(WITH_LDAP) $(BIN)/pytest $(PYTEST_ARGS); rc=$$?; pgrc=0; \
	if [ -n "$$pg" ]; then wait $$pg; pgrc=$$?; echo "== PostgreSQL pass"; cat .pytest-postgres.log; fi; \
	if [ $$rc -ne 0 ] || [ $$pgrc -ne 0 ]; then echo "FAILED: SQLite pass $$rc, PostgreSQL pass $$pgrc"; exit 1; fi

test-sqlite: setup
	$(WITH_LDAP) $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

test-postgres: setup
	$(WITH_LDAP) .ci/with-postgres.sh $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

test-ldap: setup
	.ci/with-ldap.sh $(BIN)/pytest -m "not browser" tests/web/test_ldap_login.py $(PYTEST_ARGS)

# schemathesis over /api/v1/openapi.json against a live app on loopback (make test runs it too)
test-fuzz: setup
	$(BIN)/pytest -m fuzz $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check engine web forms tests bench workflows migrations

bench: setup
	$(BIN)/python bench/complete_task.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/scheduler_tick.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/cycle_start.py 2000 100
	$(BIN)/python bench/assessment_open.py

bench-http: setup
	$(BIN)/python bench/http.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
