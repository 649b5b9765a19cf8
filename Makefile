# Every target bootstraps .venv itself; only python3 (3.11+) is needed on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The suite's runtime dependencies only: what `make conformance` and `make serve` need.
RUNTIME_STAMP := $(VENV)/.installed-runtime
PORT ?= 8000
BASE_URL ?=
REPORT_DIR ?= reports
CONFORMANCE_ARGS ?=

.PHONY: venv serve test conformance bench lint clean
.PHONY: selftest selftest-soak selftest-workers variants-soak fault-catalog requirements-page
.PHONY: stateful-soak stateful-detection request-counts
.PHONY: durability-soak conformance-soak

venv: $(STAMP)

# The project's own tests, lint and tools: runtime plus the dev extras (the published SDK,
# ruff, playwright). A dev install holds everything a runtime install would.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

serve: $(RUNTIME_STAMP)
	$(BIN)/python -m conformance.reference --port $(PORT)

# Processes the project's tests are spread over (pytest-xdist): more than the 2 cores, since many
# tests wait on a server or a clock. The tests that share one run of the suite stay in one
# process (tests/scheduling.py).
TEST_WORKERS ?= 4
# The tests start some 450 Python processes (runs of the suite, servers, reproductions); each
# would compile the suite's modules again where PYTHONDONTWRITEBYTECODE is set (about 0.25 s of
# CPU a process). Their bytecode goes under .venv instead, never beside the sources.
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache

test: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS)

conformance: $(RUNTIME_STAMP)
	$(BIN)/devdraft-conformance --report-dir $(REPORT_DIR) $(if $(BASE_URL),--base-url $(BASE_URL),--reference) $(CONFORMANCE_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# The requests each requirement sends in the smoke and fast profiles, beside the faults it catches.
request-counts: $(STAMP)
	$(BIN)/python -m bench.requests_by_requirement

lint: $(STAMP)
	$(BIN)/ruff check conformance tests conftest.py bench
	$(BIN)/ruff format --check conformance tests conftest.py bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) .hypothesis .pytest_cache
	find $(REPORT_DIR) -mindepth 1 ! -name .gitkeep -delete

selftest: $(STAMP)
	$(BIN)/python -m conformance.selftest

selftest-soak: $(STAMP)
	$(BIN)/python -m conformance.selftest --soak 20 --faults-only

requirements-page: $(STAMP)
	$(BIN)/python -m conformance.requirements_page docs/requirements.md

# Every conformant variant with 20 seeds of the fast profile, in the combinations they make
# (a failing combination runs again variant by variant); prints each run's pass count.
variants-soak: $(STAMP)
	$(BIN)/python -m conformance.selftest --soak 20 --variants-only --combined --workers 3

# The matrix twice, the suite run with --workers 1 and with --workers 4 (auto on a far target):
# every verdict must agree.
selftest-workers: $(STAMP)
	$(BIN)/python -m conformance.selftest --compare-workers 4 --combined

fault-catalog: $(STAMP)
	$(BIN)/python -m conformance.selftest --table docs/fault-catalog.md

# The kill -9 test of the reference server, 10 times in a row; stops at the first failure.
durability-soak: $(STAMP)
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "durability run $$i/10"; \
		$(BIN)/python -m pytest -q tests/reference/test_durability.py || exit 1; done

stateful-soak: $(STAMP)
	$(BIN)/python -m tests.stateful.soak --seeds 20

stateful-detection: $(STAMP)
	$(BIN)/python -m tests.stateful.detection --workers 2

# The suite against the reference server in the default profile, ten runs with fresh seeds
# (each printed); stops at the first run that is not conformant.
conformance-soak: $(RUNTIME_STAMP)
	mkdir -p $(REPORT_DIR)/soak
	for i in 1 2 3 4 5 6 7 8 9 10; do \
		$(BIN)/devdraft-conformance --reference --report-dir $(REPORT_DIR)/soak \
			> $(REPORT_DIR)/soak/run-$$i.log 2>&1; code=$$?; \
		echo "run $$i/10 ($$(head -n 1 $(REPORT_DIR)/soak/run-$$i.log | grep -o 'seed [0-9]*' | head -n 1)):" \
			"$$(tail -n 1 $(REPORT_DIR)/soak/run-$$i.log)"; \
		test $$code -eq 0 || exit 1; done
