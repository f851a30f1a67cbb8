# credit-graph — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The test suite's own embedded Neo4j (separate port and data from `make run`).
TEST_PORT ?= 7688
TEST_ENV  := CREDIT_GRAPH_HOME=.credit-graph/test-$(TEST_PORT) CREDIT_GRAPH_EMBEDDED_PORT=$(TEST_PORT)

.PHONY: system-deps install run test lint types unit neo4j-start neo4j-stop test-neo4j-start test-neo4j-stop bench vendor clean test-large

install: system-deps $(STAMP) ## Python venv with the package and dev tools; the Neo4j launcher built with Maven

system-deps: ## Debian packages from .ci/apt-packages (Chromium, Noto CJK, poppler, wrk) when missing
	bash .ci/system-deps

$(STAMP): pyproject.toml neo4j-embedded/pom.xml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev,spark]"  # spark: the Spark engine's tests (tests/spark/)
	$(BIN)/credit-graph neo4j build
	touch $(STAMP)

run: install ## Start embedded Neo4j, migrate, load the demo world if empty, serve on :8000
	$(BIN)/credit-graph run

test: install lint types ## Lint, type-check and run the whole test suite against embedded Neo4j
	$(TEST_ENV) CREDIT_GRAPH_TEST_PORT=$(TEST_PORT) $(BIN)/pytest -q --durations=25

test-large: install ## The minutes-long tests left out of `make test` (10,000-party Spark equivalence)
	$(TEST_ENV) CREDIT_GRAPH_TEST_PORT=$(TEST_PORT) $(BIN)/pytest -q -m large tests

lint:
	$(BIN)/ruff check graph_service loaders tests bench
	$(BIN)/ruff format --check graph_service loaders

types:
	$(BIN)/mypy

neo4j-start: install
	$(BIN)/credit-graph neo4j start

neo4j-stop:
	$(BIN)/credit-graph neo4j stop

test-neo4j-start: install
	$(TEST_ENV) $(BIN)/credit-graph neo4j start

test-neo4j-stop:
	$(TEST_ENV) $(BIN)/credit-graph neo4j stop

vendor: ## Re-fetch the web page's libraries (graph_service/web/vendor.json) with npm pack; commit the output
	$(BIN)/python -m graph_service.web.vendoring

clean:
	rm -rf $(VENV) .credit-graph .mypy_cache .ruff_cache .pytest_cache
