# Potluck: `make run` to try it, `make test` for lint, checks and the whole suite.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
HOST ?= 127.0.0.1
PORT ?= 8000

# Local runs are development runs unless the environment says otherwise.
export DJANGO_DEBUG ?= 1

.PHONY: run test uv env env-dev lint bench clean

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv \
		|| $(PYTHON) -m pip install --user --quiet --break-system-packages uv

env: uv
	$(UV) sync --frozen --no-dev

env-dev: uv
	$(UV) sync --frozen

run: env
	$(UV) run --no-dev python manage.py migrate --no-input
	$(UV) run --no-dev python manage.py seed_demo
	$(UV) run --no-dev python manage.py runserver $(HOST):$(PORT)

lint: env-dev
	$(UV) run ruff check .
	$(UV) run ruff format --check .

test: lint
	$(UV) run python manage.py check
	$(UV) run python manage.py makemigrations --check --dry-run
	$(UV) run pytest

bench: env-dev
	$(UV) run python bench/pages.py

clean:
	rm -rf .venv staticfiles .pytest_cache
