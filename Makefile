# Potluck: `make run` to try it, `make test` for lint, checks and the whole suite.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
HOST ?= 127.0.0.1
PORT ?= 8000

# Python writes its bytecode caches (__pycache__, ignored by git) even where the environment
# says not to: without them every Python process a run starts (each xdist worker, the tests'
# `manage.py` subprocesses, gunicorn and its workers) compiles Django and the libraries from
# source again, about 2 s of CPU each (`manage.py check`: 2.9 s of CPU without, 0.9 s with).
unexport PYTHONDONTWRITEBYTECODE

# Local runs are development runs unless the environment says otherwise.
export DJANGO_DEBUG ?= 1
# Links in emails and feeds name the address `make run` serves.
export POTLUCK_SITE_URL ?= http://$(HOST):$(PORT)
# ...and the development server answers on that host.
export DJANGO_ALLOWED_HOSTS ?= $(HOST),127.0.0.1,localhost,[::1],testserver

.PHONY: run test quick uv env env-dev lint messages translations icaljs lighthouse-install lighthouse bench clean site-url screenshots

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv \
		|| $(PYTHON) -m pip install --user --quiet --break-system-packages uv

env: uv
	$(UV) sync --frozen --no-dev

env-dev: uv
	$(UV) sync --frozen

# The translations (locale/<language>/LC_MESSAGES/django.po) compiled into .mo files: with
# GNU gettext's msgfmt through Django's compilemessages, or without it by polib. `uv run`
# adds what is missing and removes nothing, so the dev tools stay for `make test`.
messages: uv
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(UV) run --no-dev python manage.py compilemessages --ignore=.venv -v0; \
	else \
		$(UV) run --no-dev python tools/compile_messages.py; \
	fi

# Every string marked in templates and Python, extracted into the Spanish catalog to translate;
# tests/config/test_translations.py runs the same command and compares.
MAKEMESSAGES := makemessages -l es --no-location --ignore=.venv --ignore=tools --ignore=bench \
	--ignore=tests --ignore=staticfiles --ignore=media --ignore=node_modules
translations: env-dev
	$(UV) run python manage.py $(MAKEMESSAGES)

run: env messages
	$(UV) run --no-dev python manage.py migrate --no-input
	$(UV) run --no-dev python manage.py seed_demo
	$(UV) run --no-dev python manage.py runserver $(HOST):$(PORT)

# The address emails and feeds will name in a `make run` (HOST and PORT decide it).
site-url:
	@echo "$$POTLUCK_SITE_URL"

lint: env-dev
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports

# ical.js (Mozilla's iCalendar parser, used by Thunderbird) for the calendar conformance tests,
# installed from its lock file; reinstalled when package.json or the lock changes.
ICALJS := tools/icaljs

icaljs: $(ICALJS)/node_modules/.package-lock.json

$(ICALJS)/node_modules/.package-lock.json: $(ICALJS)/package.json $(ICALJS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(ICALJS) --no-audit --no-fund; \
	else \
		echo "icaljs: npm not found; the ical.js tests skip (and fail where CI or REQUIRE_BROWSER=1)"; \
	fi

# Lighthouse (pinned with chrome-launcher in tools/lighthouse) for issue 13's budgets, installed
# from its lock file like ical.js; it drives Debian's /usr/bin/chromium and downloads nothing.
LIGHTHOUSE := tools/lighthouse

lighthouse-install: $(LIGHTHOUSE)/node_modules/.package-lock.json

$(LIGHTHOUSE)/node_modules/.package-lock.json: $(LIGHTHOUSE)/package.json $(LIGHTHOUSE)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(LIGHTHOUSE) --no-audit --no-fund; \
	else \
		echo "lighthouse: npm not found; the Lighthouse test skips (and fails where CI or REQUIRE_BROWSER=1)"; \
	fi

# Every public page, production settings over https, all four budgets (performance >= 98).
lighthouse: env-dev lighthouse-install
	$(UV) run python $(LIGHTHOUSE)/run.py

# pytest-xdist: one worker more than the cores (the suite spends much of its time waiting on
# servers, browsers and PostgreSQL: on this 2-core machine .ci/run took 11 min 46 s with 2
# workers, 11 min 0 s with 3 and 11 min 52 s with 4, when the suite was smaller), each test
# file on one worker (the Lighthouse run and the backup drills each stay within their file)
# and the production suite on one worker, so its servers are started once; the long files are
# handed out first (tests/scheduling.py). The 25 slowest tests are printed at the end.
# How long: 14.5 to 15.6 min for 3,583 tests on a quiet 2-core machine before the cuts below
# (7 December 2026); 13 min 24 s of pytest for 4,345 tests on 8 December before the last ones
# (the machine busy throughout); after them a fresh clone's `.ci/run` took 9 min 26 s in all,
# 9 min 11 s of it pytest (4,345 passed), on the quiet machine; the same commit's `.ci/run`
# took 15 min 44 s (15 min 15 s of pytest) on 8 December's slower machine, where `manage.py
# check` took 1.1 s of CPU, not 0.9, and `make quick` 1.5 times as long; after that day's
# cuts (below, and above `quick`) it took 12 min 19 s there (11 min 52 s of pytest, 4,345
# passed): over the 10 minutes on that machine. What costs, and what was cut (CPU seconds of
# the files named, measured before and after on the same machine):
# - browser tests launch Debian's chromium-headless-shell (tests/conftest.py), the same
#   release built for headless use: the bilingual every-page test 26 -> 14 s of Chromium's
#   CPU; axe-core goes into a document once and only its violations come back
#   (tests/browser.py): 0.37 -> 0.28 s a check;
# - rows and files shared by a whole table are built once (tests/worlds.py), also for the
#   photo, API, visibility, secrecy and exit-bundle tests (photos/test_access.py 47 -> 18-23
#   CPU s on PostgreSQL, exit bundle 29 -> 5); the data-migration tests go back with the
#   state rendered once (tests/migrating.py; venue merge 8.0 -> 4.4);
# - PostgreSQL's test database is migrated once per run and copied for each worker, and
#   emptied by DELETE (tests/databases.py);
# - a transactional test's flush keeps the content types and permissions and sends no
#   post_migrate (~100 queries that made the same rows again): its teardown 0.25 -> 0.03 s
#   on SQLite, ~0.6 -> ~0.17 s on PostgreSQL, for the ~170 browser and race tests;
# - the big access tables build their rows once per module or class (tests/worlds.py), not
#   once per row (user CPU s on SQLite, -n 0, each with ~8 s of start-up):
#   decisions/test_access.py 72.5 -> 35.3, members/test_visibility.py 41.9 -> 22.6,
#   events/test_access.py 29.7 -> 17.0, members/test_access.py 29.5 -> 16.8,
#   events/test_rsvp_views.py 22.3 -> 13.9, conversation/test_access.py 64.7 -> 49.0.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: lint messages icaljs lighthouse-install
	$(UV) run python manage.py check
	$(UV) run python manage.py makemigrations --check --dry-run
	$(UV) run pytest -n $(TEST_WORKERS) --dist loadfile --durations=25

# The inner loop: every test that needs no browser, no second server, no Lighthouse and no
# PostgreSQL, on SQLite with the tables built from the models (no migrations), no lint; the
# two full-scale drills (5,000-member announcement, SQLite restore) wait for `make test`.
# How long: 3 min 36 s for 3,346 tests on a loaded 2-core machine before the cuts above; on
# the quiet machine, 2 min 40 s for 4,097 tests with 2 workers and 2 min 28 s with 3 (one more
# than the cores, as `make test`), 296 s of CPU. On 8 December's slower machine (the same
# `make quick` took 3 min 48 s), the commit before the cuts below against the commit after,
# run in turn: 3 min 48 s -> 3 min 7 s, 448 -> 365 s of CPU (-18 %), 4,096 tests:
# - each person signs in once for a table's rows (tests/worlds.session_keys), and the
#   query-count tests build each size's rows once for every page and role (seen_at_sizes);
# - a transactional test's flush makes the "Organizers" permission group again once, not
#   inside each later test; federation tests take RSA keys from four made per worker.
# Still over the 2 minutes issue 23 asks for: what is left is the site's own work per request
# (30-50 ms of CPU for a page, 8-11 ms for the 400 page) over some 4,000 tests.
QUICK_MARKERS := not browser and not production and not lighthouse and not postgres \
	and not migrations and not drill
quick: env-dev messages icaljs
	env -u DATABASE_URL -u REQUIRE_BROWSER $(UV) run pytest -n $(TEST_WORKERS) --dist loadfile \
		--no-migrations -q -m "$(QUICK_MARKERS)"

# Every script runs even when one fails; the target fails when any does.
bench: env-dev lighthouse-install
	status=0; \
	$(UV) run python bench/pages.py || status=1; \
	$(UV) run python bench/conversation.py || status=1; \
	$(UV) run python bench/decisions.py || status=1; \
	$(UV) run python bench/feeds.py || status=1; \
	$(UV) run python bench/photos.py || status=1; \
	$(UV) run python bench/uploads.py || status=1; \
	$(UV) run python bench/speed.py || status=1; \
	$(UV) run python $(LIGHTHOUSE)/run.py || status=1; \
	exit $$status

# The main pages at phone and desktop sizes, light and dark, into screenshots/.
screenshots: env-dev messages
	$(UV) run python tools/screenshots.py

clean:
	rm -rf .venv staticfiles .pytest_cache $(ICALJS)/node_modules $(LIGHTHOUSE)/node_modules $(LIGHTHOUSE)/reports
