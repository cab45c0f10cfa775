# The one entry point. `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PYTHON_VERSION ?= 3.11
UV_VERSION := 0.13.9
SAM_VERSION := 1.170.0
TOOLS := .tools
UV := $(TOOLS)/uv/bin/uv
SAM := $(TOOLS)/sam/bin/sam
VENV := .venv
PY := $(VENV)/bin/python
# sam build needs python3.12 (the functions' runtime) on PATH; pyenv provides it here.
SAM_ENV := PYENV_VERSION=3.12.1:3.11.7 SAM_CLI_TELEMETRY=0


.PHONY: help setup browser run openapi docs bench lighthouse test iam test-unit test-integration test-e2e test-py312 lint format build layer-requirements deploy-env deploy deploy-guided smoke clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON_VERSION)
	@touch $@

setup: $(VENV)/.synced ## create .venv from uv.lock

browser: ## install Debian's chromium for the browser tests, and node for the CloudFront Function's, when missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing chromium (Debian package) for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v node >/dev/null 2>&1 || { \
	  echo "Installing nodejs (Debian package) to run the CloudFront Function in the tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs >/dev/null; }

run: setup ## start the local stack with demo data on http://127.0.0.1:$${PORT:-3000}
	$(PY) -m infra.local.server

test: setup browser ## every test: unit, integration (moto), e2e (local stack + Chromium), then the IAM check of every AWS call they made
	$(PY) -m pytest -n 2 --dist loadfile tests --ignore=tests/iam
	$(PY) -m pytest tests/iam

iam: setup ## hold the AWS calls the last test run recorded against template.yaml's policies (denied and unused grants)
	$(PY) -m infra.tools.iam

openapi: setup ## regenerate openapi.json from the resolvers, and its types for tsc (infra/lint/api.d.ts; a test fails when either drifts)
	$(PY) -m infra.tools.openapi
	$(PY) -m infra.tools.jstypes

docs: setup ## regenerate the generated parts of docs/ (function map, API reference, error codes; a test fails when they drift)
	$(PY) -m infra.tools.docs

bench: setup ## measurements (cold imports, DynamoDB calls) as ratios to baselines; writes bench/RESULTS.md
	$(PY) bench/run.py

lighthouse: setup browser ## Lighthouse 12.2.3 (mobile, median of 3) on every page of infra/tools/pages.py; fails unless performance >= 95, accessibility 100, CLS < 0.1; writes bench/LIGHTHOUSE.md
	CHROME_PATH="$${CHROME_PATH:-$$(command -v chromium)}" $(PY) -m infra.tools.lighthouse

test-unit: setup ## unit tests only (network blocked)
	$(PY) -m pytest tests/unit

test-integration: setup ## handlers in-process on moto
	$(PY) -m pytest tests/integration

test-e2e: setup browser ## the local stack + headless Chromium
	$(PY) -m pytest tests/e2e

# Lambda runs python3.12: the unit and integration tests again under it, in a second environment
# from the same uv.lock (.venv stays on the machine's Python, PYTHON_VERSION). pyenv gives
# python3.12 here (SAM_ENV); elsewhere any python3.12 on PATH does.
VENV_312 := .venv-3.12
$(VENV_312)/.synced: $(UV) pyproject.toml uv.lock
	$(SAM_ENV) UV_PROJECT_ENVIRONMENT=$(VENV_312) $(UV) sync --frozen --compile-bytecode --python 3.12
	@touch $@

test-py312: $(VENV_312)/.synced browser ## unit and integration tests under Python 3.12 (the Lambda runtime), in .venv-3.12
	$(VENV_312)/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version'
	rm -rf build/aws-calls-3.12  # its AWS calls apart: build/aws-calls keeps make test's for make iam
	CME_AWS_CALLS_DIR=build/aws-calls-3.12 $(VENV_312)/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider tests/unit tests/integration

# eslint and tsc (typescript) for web/ and the CloudFront Function, at the versions
# infra/lint/package-lock.json pins, installed together into .tools/js with npm ci (node and npm:
# Debian's nodejs and npm, as make browser).
ESLINT := $(TOOLS)/js/node_modules/.bin/eslint
TSC := $(TOOLS)/js/node_modules/.bin/tsc
# tsc's configs: the pages (tsconfig.json), the service worker, the CloudFront Function
TSCONFIGS := tsconfig.json infra/lint/tsconfig.sw.json infra/lint/tsconfig.cloudfront.json
$(ESLINT) $(TSC) &: infra/lint/package.json infra/lint/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing nodejs and npm (Debian packages) for eslint and tsc"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	mkdir -p $(TOOLS)/js
	cp infra/lint/package.json infra/lint/package-lock.json $(TOOLS)/js/
	npm ci --prefix $(TOOLS)/js --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(ESLINT) $(TSC)

lint: setup $(ESLINT) $(TSC) ## ruff, mypy, cfn-lint, eslint and tsc (web/js, the service worker, the CloudFront Function)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy layers/common/cme infra
	for fn in functions/*/app.py; do MYPYPATH=$$(dirname $$fn) $(PY) -m mypy $$fn || exit 1; done  # with its own modules (routes/)
	PYTHONPATH=layers/common $(VENV)/bin/lint-imports --no-cache  # cme's layers (pyproject.toml [tool.importlinter])
	$(VENV)/bin/cfn-lint template.yaml
	$(ESLINT) --max-warnings 0 .
	for config in $(TSCONFIGS); do $(TSC) --noEmit -p $$config || exit 1; done

format: setup ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The layer leaves out the AWS SDK (30+ MB): the python3.12 runtime provides boto3, botocore and
# s3transfer, and the code calls only long-standing DynamoDB, S3 (put, get, pre-signed GET), SES,
# SNS and SQS operations; tests run against the locked version. To pin the SDK in the layer again,
# drop the --no-emit-package options (the layer then grows past the 80 MB goal).
layer-requirements: $(UV) ## export the layer's requirements from uv.lock (less the AWS SDK, which the runtime provides)
	$(UV) export --frozen --no-dev --no-hashes --no-emit-project --no-header \
	  --no-emit-package boto3 --no-emit-package botocore --no-emit-package s3transfer \
	  -o layers/common/requirements.txt >/dev/null

$(SAM): $(UV)
	$(UV) venv --quiet --python $(PYTHON_VERSION) $(TOOLS)/sam
	$(UV) pip install --quiet --python $(TOOLS)/sam "aws-sam-cli==$(SAM_VERSION)"

build: $(SAM) layer-requirements ## sam build (python3.12 runtime)
	$(SAM_ENV) $(SAM) build --cached --parallel

deploy-env: setup
	@if [ -z "$(ENV)" ]; then \
	  echo "make deploy needs the environment: make deploy ENV=prod reads deploy/prod.json (copy deploy/example.json)" >&2; \
	  exit 2; fi
	@$(PY) -m infra.tools.deploy "$(ENV)" --dry-run >/dev/null

deploy: deploy-env build ## make deploy ENV=<env>: sam deploy with deploy/<env>.json (secrets from the environment) and the revision, then web/ to the site bucket and a CloudFront invalidation
	$(SAM_ENV) $(PY) -m infra.tools.deploy "$(ENV)" --sam $(SAM)

deploy-guided: build ## a first try: sam deploy --guided (it asks every parameter; versions then follow SAM's own hash), then web/ as make deploy uploads it
	$(SAM_ENV) $(SAM) deploy --guided
	$(PY) -m infra.tools.deploy --site-only

smoke: setup ## the site and the seed's path against a deployed stack with a throwaway learner: make smoke URL=https://... [API_URL=https://...]
	@if [ -z "$(URL)" ]; then \
	  echo "make smoke needs the site's address: make smoke URL=https://d1234abcd.cloudfront.net (the stack's SiteUrl output)" >&2; \
	  exit 2; fi
	$(PY) -m infra.tools.smoke "$(URL)" $(if $(API_URL),--api-url "$(API_URL)")

clean: ## remove the environments and build output
	rm -rf $(VENV) $(VENV_312) $(TOOLS) .aws-sam .pytest_cache .mypy_cache .ruff_cache
