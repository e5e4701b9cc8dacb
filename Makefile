# Set-up is automatic: the first target that needs it creates .venv and installs the project.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BENCH_VENV := .venv-bench
BENCH_UPSTREAM_VENV := .venv-bench-upstream
# Upstream django-minio-backend 4.5 needs Python 3.12: pyenv's, if it has one.
UPSTREAM_PYTHON ?= $(lastword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12*/bin/python3))
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint typecheck docs check tox tox-ci bench bench-static bench-uploads clean

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

PORT ?= 8000

demo: $(VENV)/.installed  ## the example site on 127.0.0.1:$(PORT) against a local S3 server (Ctrl-C stops both)
	$(PY) examples/site/run_demo.py --port $(PORT)

test: $(VENV)/.installed $(CHROMIUM)  ## the test suite against a local S3 server it starts itself
	$(PY) -m pytest

# The browser test drives Debian's chromium, never a browser download of its own.
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null || \
		{ echo "The browser test needs Debian's chromium at $@: run 'sudo apt-get install chromium'." >&2; exit 1; }
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check django_minio_backend tests examples benchmarks docs
	$(VENV)/bin/ruff format --check django_minio_backend tests examples benchmarks docs

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# Warnings are errors, and with -n (nitpicky) every internal reference must resolve.
docs: $(VENV)/.installed  ## the documentation site, built into docs/_build/html
	$(VENV)/bin/sphinx-build -W --keep-going -n -q -b html docs docs/_build/html

check: lint typecheck docs test  ## everything CI runs

# pyenv's interpreters are put on PATH so tox finds every installed Python.
PYENV_PATH = PATH="$$PATH$$(command -v pyenv >/dev/null && for v in $$(pyenv versions --bare); do \
		printf ':%s/versions/%s/bin' "$$(pyenv root)" "$$v"; done)"
# Every Django version, the oldest and newest Python, both minio bounds: oldest with oldest,
# newest with newest, and Python 3.12 between them (``make test`` runs the venv's own Python).
TOX_CI_ENVS = py310-django42-miniolowest,py312-django52,py313-django60-minionewest

tox: $(VENV)/.installed $(CHROMIUM)  ## the whole Django/Python/minio version matrix
	$(PYENV_PATH) $(VENV)/bin/tox

# CI runs them side by side: the suite mostly waits on its servers (a sequential run keeps
# about a fifth of two CPUs busy), so three at once take the time of one. A failed run's
# output is printed when it ends.
tox-ci: $(VENV)/.installed $(CHROMIUM)  ## the subset CI runs, in parallel; a missing interpreter is an error here
	$(PYENV_PATH) $(VENV)/bin/tox run-parallel -p 3 --parallel-no-spinner -e $(TOX_CI_ENVS) --skip-missing-interpreters false

# The peers compared against live in their own venv, never in the project's dependencies.
$(BENCH_VENV)/.installed: pyproject.toml setup.py benchmarks/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[test]' -r benchmarks/requirements.txt
	touch $@

# Upstream 4.5 has this project's import name, so it gets an environment of its own.
$(BENCH_UPSTREAM_VENV)/.installed: benchmarks/requirements-upstream.txt
	@if [ -z "$(UPSTREAM_PYTHON)" ]; then echo "No Python 3.12 (pyenv install 3.12): the benchmark leaves upstream 4.5 out."; else \
		$(UPSTREAM_PYTHON) -m venv $(BENCH_UPSTREAM_VENV) && \
		$(BENCH_UPSTREAM_VENV)/bin/python -m pip install --quiet --upgrade pip && \
		$(BENCH_UPSTREAM_VENV)/bin/python -m pip install --quiet -r $< && touch $@; fi

bench: $(BENCH_VENV)/.installed $(BENCH_UPSTREAM_VENV)/.installed  ## operations vs raw minio-py, upstream 4.5 and the peers (a few minutes)
	$(BENCH_VENV)/bin/python -m benchmarks.operations $(BENCH_ARGS)

bench-static: $(BENCH_VENV)/.installed  ## collectstatic of ~1,000 files: this package vs django-storages, same server
	$(BENCH_VENV)/bin/python -m benchmarks.collectstatic

bench-uploads: $(VENV)/.installed  ## one large file uploaded directly vs through Django: wall time, worker CPU and memory
	$(VENV)/bin/python -m benchmarks.uploads $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(BENCH_UPSTREAM_VENV) .tox .demo-data test-artifacts docs/_build .pytest_cache .mypy_cache .ruff_cache *.egg-info
