# cuflow: two set-up commands (README): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv demo test test-fast test-cudasim test-gpu test-slow bench bench-deps lint docker clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,demo,tensorboard]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

# The whole CPU suite: the CUDA-simulator tests in their own process first
# (NUMBA_ENABLE_CUDASIM must be set before numba is imported), then everything else.
test: $(STAMP)
	NUMBA_ENABLE_CUDASIM=1 $(PY) -m pytest -q -m cudasim tests; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]
	$(PY) -m pytest -q -n 2 --dist loadfile tests

test-fast: $(STAMP)
	$(PY) -m pytest -q -x tests

test-cudasim: $(STAMP)
	NUMBA_ENABLE_CUDASIM=1 $(PY) -m pytest -q -m cudasim tests

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow tests

# On a CUDA machine: the image's own CuPy/Numba, nothing fetched. cuflow is installed
# without dependencies when the image's setuptools can build offline; otherwise the
# packages are put on the path through symlinks (framework -> cuflow, kernels -> ...).
GPU_PATH := $(CURDIR)/.gpu_path
test-gpu:
	$(PYTHON) -m pip install -q --no-deps --no-build-isolation --no-index -e . || \
	  { mkdir -p $(GPU_PATH) && ln -sfn $(CURDIR)/framework $(GPU_PATH)/cuflow && \
	    ln -sfn $(CURDIR)/kernels $(GPU_PATH)/cuflow_kernels; }
	PYTHONPATH=$(GPU_PATH):$$PYTHONPATH $(PYTHON) -m pytest -q -m gpu -p no:cacheprovider tests

# Peers for side-by-side benchmarks live in their own venv, never the test venv.
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q torch==2.13.0 'jax[cpu]' threadpoolctl
	$(BENCH_VENV)/bin/python -m pip install -q -e '.[test,demo,tensorboard]'
	touch $@

bench-deps: $(BENCH_VENV)/.installed

bench: bench-deps
	$(BENCH_VENV)/bin/python -m bench.import_bench
	$(BENCH_VENV)/bin/python -m bench.dispatch_bench

lint: $(STAMP)
	$(PY) -m ruff check framework kernels tests bench || true

docker:
	docker build -f docker/Dockerfile.gpu -t cuflow:gpu .

clean:
	rm -rf $(VENV) .numba_cache .cuflow_cache build *.egg-info
