# Set-up is automatic: the first target that needs it creates .venv and installs the project.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint typecheck check tox clean bench-static

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed  ## start a local S3 server and tour the API against it
	$(PY) examples/tour.py

test: $(VENV)/.installed  ## the test suite against a local S3 server it starts itself
	$(PY) -m pytest

# Benchmarks compare with other packages, installed into their own venv only.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[test]' 'django-storages[s3]>=1.14'
	touch $@

bench-static: $(BENCH_VENV)/.installed  ## collectstatic of ~1,000 files: this package vs django-storages, same server
	$(BENCH_VENV)/bin/python benchmarks/collectstatic.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check django_minio_backend tests examples
	$(VENV)/bin/ruff format --check django_minio_backend tests examples

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

check: lint typecheck test  ## everything CI runs

# pyenv's interpreters are put on PATH so tox finds every installed Python.
tox: $(VENV)/.installed  ## the Django/Python/minio version matrix
	PATH="$$PATH$$(command -v pyenv >/dev/null && for v in $$(pyenv versions --bare); do \
		printf ':%s/versions/%s/bin' "$$(pyenv root)" "$$v"; done)" $(VENV)/bin/tox

clean:
	rm -rf $(VENV) $(BENCH_VENV) .tox .demo-data .pytest_cache .mypy_cache .ruff_cache *.egg-info
