# The README's commands. `make demo` runs the product, `make test` passes the tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# `make demo PORT=8001` serves the demo on another port.
PORT ?= 8000

.PHONY: demo test messages makemessages lint format bench bench-reports bench-board bench-floor bench-recordings loadtest migrate venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q ".[test]"
	rm -rf build *.egg-info
	touch $(STAMP)

venv: $(STAMP)

# The translation catalogues (locale/*/LC_MESSAGES/*.po) compiled for the server (needs gettext).
messages: venv
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=static --verbosity 0

# After marking new strings: bring the catalogues up to date, then translate the new entries.
makemessages: venv
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l zh_Hant --no-obsolete --add-location=file --ignore=.venv --ignore=static --ignore=bench --ignore=tests --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l zh_Hant --no-obsolete --add-location=file --ignore=.venv --ignore=static/vendor --ignore=staticfiles --ignore=bench --ignore=tests

demo: messages
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 PORT=$(PORT) $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py seed_quality_demo
	DEBUG=1 $(BIN)/python manage.py seed_scheduling_demo
	DEBUG=1 $(BIN)/python manage.py seed_floor_history
	DEBUG=1 $(BIN)/python manage.py seed_emergency_demo
	DEBUG=1 PORT=$(PORT) $(BIN)/python manage.py seed_demo --users
	# The telephony simulator posts to the server like a PBX; the server beats the board itself.
	DEBUG=1 $(BIN)/python manage.py simulate_floor --url http://127.0.0.1:$(PORT) & sim=$$!; \
	trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 CALLFLOOR_LOCAL_BEAT=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

test: messages
	$(BIN)/python -m tests.services -- $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# BENCH_ARGS="--scale 0.1 --snapshot 10000,100000" runs a smaller day (see BENCHMARKS.md).
BENCH_ARGS ?=
bench: venv
	$(BIN)/python -m tests.services -- $(BIN)/python -m bench.run $(BENCH_ARGS)

# Report time for a month of a 1,000-agent centre, from rollups (see BENCHMARKS.md).
bench-reports: venv
	$(BIN)/python -m tests.services -- $(BIN)/python manage.py bench_reports --migrate

# The live board: event accepted -> shown at 1 and 200 boards, on the 1,000-agent floor at
# 100 events/s and the 5,000-agent one at 500 events/s, the sockets on two Daphne processes;
# each floor on its own throwaway PostgreSQL and Redis (BENCH_BOARD_ARGS="--floor big
# --boards 1000"; see BENCHMARKS.md).
BENCH_BOARD_ARGS ?=
bench-board: venv
	$(BIN)/python -m bench.board $(BENCH_BOARD_ARGS)

# The refresh worker's CPU per push, 1,000- and 5,000-agent floors: full rebuild vs kept floor
# (BENCH_FLOOR_ARGS="--floors 300x12 --pushes 50" for a short run).
BENCH_FLOOR_ARGS ?=
bench-floor: venv
	$(BIN)/python -m tests.services -- $(BIN)/python -m bench.floor_push $(BENCH_FLOOR_ARGS)

# A 30-minute recording streamed by gunicorn and Daphne: the server's peak memory (see BENCHMARKS.md).
BENCH_RECORDINGS_ARGS ?=
bench-recordings: venv
	$(BIN)/python -m tests.services -- $(BIN)/python -m bench.recordings $(BENCH_RECORDINGS_ARGS)

# 200 boards on two socket processes, 100 events/s and 50 API users for 10 minutes
# (LOADTEST_ARGS="--minutes 1"; the long run: LOADTEST_ARGS="--minutes 120 --boards 1000").
LOADTEST_ARGS ?=
loadtest: messages
	$(BIN)/python -m tests.services -- $(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles build *.egg-info
