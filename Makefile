# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
# Keep Dagster, IPython and Jupyter state inside the project, and Dagster telemetry off.
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
export IPYTHONDIR := $(CURDIR)/.ipython
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.jupyter/runtime
export JUPYTER_DATA_DIR := $(CURDIR)/.jupyter/data

.PHONY: run test bootstrap sample lint dev notebook bench clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --python $(BIN)/python --compile-bytecode requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

bootstrap: $(BIN)/.installed
	@mkdir -p $(DAGSTER_HOME) && cp -n pipelines/dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true

## Materialise every asset on the bundled sample data (synthetic, except the real PAPI tables).
run: bootstrap
	$(BIN)/chiso run

## The whole test suite (installs headless Chromium from Debian if it is missing).
test: bootstrap
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-chromium.sh
	$(BIN)/python -m pytest -q

## Regenerate the synthetic sample data in data/raw/ (deterministic).
sample: bootstrap
	$(BIN)/python -m scripts.make_sample
	$(BIN)/python -m scripts.make_plan_sample
	$(BIN)/python -m scripts.make_survey_sample

lint: bootstrap
	$(BIN)/ruff check .

## Dagster UI on http://127.0.0.1:3000
dev: bootstrap
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1

## JupyterLab on notebooks/ (http://127.0.0.1:8888), offline: no update, news or extension-index checks.
## The notebooks read data/curated/warehouse.duckdb (run `make run` first) or $$CHISO_WAREHOUSE.
notebook: bootstrap
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.extension_manager=readonly

bench: bootstrap
	$(BIN)/python -m benchmarks.bench_scoring

clean:
	rm -rf $(VENV) .dagster_home .ipython .jupyter data/curated/*.duckdb data/curated/*.html data/curated/reports \
		data/curated/dashboard
