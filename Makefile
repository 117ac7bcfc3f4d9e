# Two commands do everything (each creates .venv first if it is missing):
#   make lab    set up, then open the course in JupyterLab
#   make test   set up, then run every test (library, notebooks, exercises)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NB ?= exercises/03_autograd.ipynb
LAB_ARGS ?=  # e.g. make lab LAB_ARGS="--no-browser --allow-root" in a container

.PHONY: lab test setup grade exercises notebooks bench clean

lab: $(STAMP)
	$(PY) -m jupyter lab $(LAB_ARGS) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

setup: $(STAMP)

# Re-created whenever the pins change; requirements.txt is the one place versions are pinned.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed (found: $$($(PYTHON) --version)); run: make PYTHON=python3.11 ..."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	touch $(STAMP)

grade: $(STAMP)
	$(PY) -m coursetools grade $(NB)

exercises: $(STAMP)
	$(PY) -m coursetools exercises

notebooks: $(STAMP)
	$(PY) -m coursetools execute

bench: $(STAMP)
	for b in overhead mlp conv lstm; do $(PY) benchmarks/bench_$$b.py || exit 1; done
	$(PY) benchmarks/train_digits.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
