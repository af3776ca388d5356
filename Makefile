# Testdrive: `make run` serves the demo portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
FLASK := $(BIN)/flask --app portal
RUN_ENV := TESTDRIVE_ENV=$${TESTDRIVE_ENV:-development}

.PHONY: run test install install-dev assets chromium poppler pdf-samples lint format bench clean

run: install assets
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) seed-demo
	@echo "Testdrive is starting on http://127.0.0.1:5000 (demo logins above; Ctrl+C stops it)"
	$(RUN_ENV) $(FLASK) serve --host 127.0.0.1 --port 5000

# The suite runs in parallel on every core (pytest-xdist; TEST_WORKERS=1 for one process);
# each worker has its own PostgreSQL and Redis database.
TEST_WORKERS ?= auto

test: install-dev assets chromium poppler
	env -u TEST_DATABASE_URL $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== database-facing tests again on $$TEST_DATABASE_URL =="; \
	  $(PY) -m pytest -n $(TEST_WORKERS) -m "not browser" --ignore=tests/sandbox $(PYTEST_ARGS); \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,scale]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Third-party front-end code comes from the npm registry at install time, never from git.
static/vendor/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/bootstrap static/vendor/chartjs static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	touch $@

assets: static/vendor/.stamp

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The PDF legibility tests render pages with pdftoppm and read text with pdftotext.
poppler:
	@command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian's poppler-utils for the PDF legibility tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; }

# Every PDF the portal makes, as PNGs a person can look at (see README).
pdf-samples: install-dev poppler
	$(PY) -m tests.pdf_samples build/pdf-samples

lint: install-dev
	$(BIN)/ruff check portal sandbox tests bench migrations/env.py
	$(BIN)/ruff format --check portal sandbox tests bench migrations/env.py

format: install-dev
	$(BIN)/ruff format portal sandbox tests bench migrations/env.py
	$(BIN)/ruff check --fix portal sandbox tests bench migrations/env.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache build/pdf-samples
