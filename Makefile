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
	@command -v $(PYTHON) >/dev/null 2>&1 || \
		{ echo "PYTHON=$(PYTHON): no such interpreter on PATH. The course needs Python 3.10 or newer;" \
			"name one you have: make $(or $(MAKECMDGOALS),lab) PYTHON=python3.12" >&2; exit 1; }
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>&1) || \
		{ echo "PYTHON=$(PYTHON) ($$(command -v $(PYTHON))) does not run: $$v" >&2; exit 1; }; \
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "PYTHON=$(PYTHON) is Python $$v; the course needs Python 3.10 or newer (3.10 to 3.13 are" \
			"supported). Name a newer one: make $(or $(MAKECMDGOALS),lab) PYTHON=python3.12" >&2; exit 1; }
	@$(PY) -m pip --version >/dev/null 2>&1 || { echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); } || \
		{ echo "Could not create $(VENV) with $(PYTHON). On Debian or Ubuntu, install its venv module" \
			"first: sudo apt install python3-venv (python3.10-venv for Python 3.10)" >&2; exit 1; }
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
