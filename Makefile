# Bookshop: `make run` starts everything, `make test` checks everything.
# Both create .venv and install what they need first, pinned by requirements/constraints.txt.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The pins apply to build environments too: xstatic-* sdists need setuptools < 81.
PIP := PIP_CONSTRAINT=$(CURDIR)/requirements/constraints.txt $(BIN)/pip --disable-pip-version-check -q
PYTEST := $(BIN)/pytest

.PHONY: run test lint typecheck format test-store test-shop test-e2e test-browser screenshots bench lock schema clean help compose-env test-containers

help:
	@echo "make run     install into $(VENV) and start shop, store, worker, beat and mail"
	@echo "make test    install test tools, lint, then the store, shop, e2e and browser suites"
	@echo "             (BOOKSHOP_TEST_SERVICES=1: on PostgreSQL, RabbitMQ and Redis)"
	@echo "make format  apply ruff's formatting and safe fixes"
	@echo "make typecheck  mypy over src/ (part of make lint)"
	@echo "make compose-env  write .env for compose.yaml with fresh secrets (never overwrites)"
	@echo "make test-containers  build the images and run the compose stack (Docker or podman)"
	@echo "make screenshots  the browser journeys' screenshots into screenshots/ (needs Chromium)"
	@echo "make bench   measure throughput and the catalogue sync (docs/benchmarks.md)"
	@echo "make lock    re-pin requirements/constraints.txt from pyproject.toml"
	@echo "make schema  regenerate the Store API's OpenAPI document, docs/store-api.yaml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/bookshop up

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy once per Django project: django-stubs reads one settings module per run.
MYPY := SECRET_KEY=typecheck-only BOOKSHOP_VAR_DIR=$(CURDIR)/.mypy_cache/var $(BIN)/mypy
typecheck: $(VENV)/.installed-test
	DJANGO_SETTINGS_MODULE=bookshop.store.settings $(MYPY) --cache-dir .mypy_cache/store \
		src/bookshop/store src/bookshop/common src/bookshop/devserver src/bookshop/cli.py
	DJANGO_SETTINGS_MODULE=bookshop.shop.settings $(MYPY) --cache-dir .mypy_cache/shop \
		src/bookshop/shop

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-store: $(VENV)/.installed-test
	$(PYTEST) tests/store --ds=tests.store.settings

test-shop: $(VENV)/.installed-test
	$(PYTEST) tests/shop --ds=tests.shop.settings

test-e2e: $(VENV)/.installed-test
	$(PYTEST) tests/e2e

# Chromium comes from Debian (apt-get install chromium); without it the suite skips,
# except under BOOKSHOP_TEST_SERVICES=1 where it is required.
test-browser: $(VENV)/.installed-test
	$(PYTEST) tests/browser

# The images built and compose.yaml's stack run, checked from outside through nginx:
# `docker compose` where a Docker engine answers, else podman with local stand-ins for
# the public images it cannot pull (tests/containers/README.md). Not part of `make test`.
test-containers: $(VENV)/.installed-test
	$(PYTEST) tests/containers

# The compose stack's .env, from .env.example with fresh secrets; refuses to overwrite.
ENV_FILE ?= .env
compose-env:
	$(PYTHON) deploy/compose_env.py $(ENV_FILE)

# The pages the browser journeys visit, at 375 and 1280 px, into screenshots/ (git-ignored);
# two of them are the README's pictures, kept in docs/images/.
SCREENSHOTS := $(CURDIR)/screenshots
screenshots: $(VENV)/.installed-test
	rm -rf $(SCREENSHOTS)
	BOOKSHOP_SCREENSHOTS=$(SCREENSHOTS) $(PYTEST) tests/browser/test_customer_journey.py \
		tests/browser/test_staff_journey.py
	cp $(SCREENSHOTS)/cart-375.png docs/images/cart-375.png
	cp $(SCREENSHOTS)/admin-order-1280.png docs/images/admin-order-1280.png

test: lint test-store test-shop test-e2e test-browser

# Benchmarks start what they measure and stop it again; figures go in docs/benchmarks.md.
# BOOKSHOP_BENCH_SERVICES=1 runs them on PostgreSQL, RabbitMQ and Redis. Needs wrk (Debian).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/web_throughput.py --books 10000
	$(BIN)/python bench/store_api.py
	$(BIN)/python bench/catalog_sync.py --books 100000
	$(BIN)/python bench/catalog_pages.py --books 100000
	$(BIN)/python bench/flash_crowd.py

lock: $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml requirements/lock.in --extra test \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--no-header --annotation-style line -o requirements/constraints.txt

# The Store API's contract, generated from the code; tests/store/api/test_schema.py fails
# when the committed file differs from what the code generates.
schema: $(VENV)/.installed
	$(BIN)/bookshop store spectacular --validate --fail-on-warn --file docs/store-api.yaml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
