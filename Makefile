# Two commands do everything (each creates .venv first if it is missing):
#   make lab    set up, then open the course in JupyterLab
#   make test   set up, then run every test (library, notebooks, exercises)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NB ?= exercises/03_autograd.ipynb
LAB_ARGS ?=  # e.g. make lab LAB_ARGS="--no-browser --allow-root" in a container
MAKEFLAGS += --no-print-directory  # no "make[1]: Entering directory" lines

.PHONY: lab lab-instructor test test-browser test-gpu setup grade exercises release notebooks bench bench-grading clean

# The course's JupyterLab settings (coursetools/jupyter/: no news pop-up, no nbgrader instructor
# interface), installed into .venv; re-installed when they change or the environment is rebuilt.
LAB_SETTINGS := $(VENV)/.lab-settings
$(LAB_SETTINGS): $(STAMP) coursetools/labsettings.py $(wildcard coursetools/jupyter/*.json coursetools/jupyter/*.py)
	@$(PY) -m coursetools lab-settings >/dev/null && touch $@

# JupyterLab serves the repository root (exercises/ is in its file browser) and opens chapter 00; its
# terminals (File > New > Terminal) start at the root with .venv/bin first on PATH, so `python -m
# coursetools grade exercises/03_autograd.ipynb` and `make grade NB=...` work there.
LAB := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

lab: $(LAB_SETTINGS)
	$(LAB) $(LAB_ARGS)

# The same, with nbgrader's instructor interface on (formgrader, create assignment, Validate button).
lab-instructor: $(LAB_SETTINGS)
	JUPYTER_CONFIG_PATH="$(CURDIR)/coursetools/jupyter/instructor" $(LAB) $(LAB_ARGS)

test: $(LAB_SETTINGS)
	$(PY) -m pytest -n 2 --dist loadfile

# Every chapter notebook with its PyTorch parts on the GPU (when there is one), checked to have run there.
test-gpu: $(LAB_SETTINGS)
	$(PY) -m coursetools test-gpu

# A real browser (Debian's chromium, driven by playwright) does what a learner does in `make lab`.
test-browser: $(LAB_SETTINGS)
	$(PY) tests/browser/check_lab.py

setup: $(STAMP) $(LAB_SETTINGS)

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

# Prints the grade table; a failing question is not a make error (`python -m coursetools grade`
# still exits 1 then, and 2 when it could not grade at all).
grade: $(STAMP)
	@$(PY) -m coursetools grade "$(NB)"; status=$$?; \
	if [ $$status -eq 1 ]; then echo "Not all questions pass yet: fix the FAIL rows, save the notebook, and grade it again."; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

exercises: $(STAMP)
	$(PY) -m coursetools exercises

# What students receive (nbgrader's source/release split): the course without solutions/ and hidden
# tests, into a new folder: make release OUT=../course-release [SOURCE=private-solutions/]
release: $(STAMP)
	@test -n "$(OUT)" || { echo "name the folder to write: make release OUT=../course-release" >&2; exit 2; }
	$(PY) -m coursetools release "$(OUT)" $(if $(SOURCE),--source "$(SOURCE)")

notebooks: $(STAMP)
	$(PY) -m coursetools execute

bench: $(STAMP)
	for b in overhead mlp conv lstm; do $(PY) benchmarks/bench_$$b.py || exit 1; done
	$(PY) benchmarks/train_digits.py

# Grades 100 honest submissions of exercise 03 in parallel, as the gradebook does (several minutes).
bench-grading: $(STAMP)
	$(PY) benchmarks/bench_grading.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
