# The course kit: `make run` executes every lesson, `make test` checks everything.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
PIP_QUIET := -q --disable-pip-version-check

.PHONY: help venv run record student handout grade test test-colab test-browser lint unit pairing exports hygiene nbval nbval-student lab sync clean

help:
	@echo "make run    execute every notebook into build/ with papermill (MODE=lecture|full|smoke, lecture by default; executed .ipynb, .html, record.json)"
	@echo "make record keep build/record.json as results/record-<mode>.json and rewrite the README's tables from results/"
	@echo "make student  the students' edition (build/student/ae-recsys-kit) and the autograder bundles (build/student/autograder)"
	@echo "make handout  the students' edition zipped with its own README (build/student/ae-recsys-kit.zip)"
	@echo "make grade SUBMISSIONS=folder [NOTEBOOK=NN_name] [WORKERS=2] [TIMEOUT=300]  grade the students' notebooks"
	@echo "            in a folder: grades.csv, feedback/ and open_answers.md there (bundles rebuilt when stale)"
	@echo "make test   ruff, unit tests, pairing and hygiene, nbval over the instructors' notebooks (every solution passes its tests),"
	@echo "            and the students' edition built (no solution line in it)"
	@echo "make nbval-student  the students' edition in smoke mode here (every check reports 'not answered'); test-colab runs it too"
	@echo "make test-colab  the same notebooks in a Colab replica (.venv-colab with Colab's package versions), benchmarks side by side"
	@echo "                 COLAB_RUNTIME=2026.07: the past runtime a notebook can pin (Python 3.12, NumPy 2.0.2)"
	@echo "make test-browser  notebook 03 run through JupyterLab's menu in a headless Chromium, its widget clicked (screenshots in build/browser/)"
	@echo "make lab    JupyterLab on notebooks/"
	@echo "make sync   re-pair each notebook with its py:percent script (jupytext --sync) and write the modules its"
	@echo "            cells marked \`#| export\` generate in helpers/ (tools/export.py)"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -m pip install $(PIP_QUIET) -r requirements-dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import tensorflow, keras, nbval, jupytext" 2>/dev/null
	@touch $(STAMP)

venv: $(STAMP)

MODE ?= $(or $(COURSE_MODE),lecture)

# Tests, notebooks and graded submissions run on WORKERS processes (pytest-xdist keeps each notebook's cells on one).
WORKERS ?= 2

run: venv
	$(BIN)/python -m tools.runner --mode $(MODE) --out build $(NOTEBOOKS)

# The README's timing and results tables are written from the committed records (results/record-<mode>.json, one
# per mode, and results/benchmarks/*.json) by tools/readme_tables.py; tests/test_readme_tables.py fails when they differ.
record: venv
	@test -f build/record.json || { echo "No build/record.json: run make run (MODE=...) first."; exit 1; }
	$(BIN)/python -m tools.readme_tables --keep build/record.json

student: venv
	$(BIN)/python -m tools.student --out build/student $(NOTEBOOKS)

handout: venv
	$(BIN)/python -m tools.student --out build/student --handout $(NOTEBOOKS)

# The autograder bundles are rebuilt when anything they are made from is newer than they are.
BUNDLE_STAMP := build/student/autograder/.built
$(BUNDLE_STAMP): $(STAMP) $(NOTEBOOKS) $(wildcard helpers/*.py) colab_setup.py requirements.txt tools/student.py \
		tools/exercise_cells.py templates/README.students.md
	$(BIN)/python -m tools.student --out build/student $(NOTEBOOKS)
	@touch $@

SUBMISSIONS ?=
NOTEBOOK ?=
TIMEOUT ?= 300
grade: $(BUNDLE_STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "Say which folder: make grade SUBMISSIONS=path/to/notebooks"; exit 1; }
	$(BIN)/python -m tools.grade "$(SUBMISSIONS)" --autograder build/student/autograder --workers $(WORKERS) \
		--timeout $(TIMEOUT) $(if $(NOTEBOOK),--notebook $(NOTEBOOK))

lint: venv
	$(BIN)/ruff check .


unit: venv
	$(BIN)/python -m pytest tests -q -n $(WORKERS)

pairing: venv
	$(BIN)/python -m tools.pairing $(NOTEBOOKS)

hygiene: venv
	$(BIN)/python -m tools.hygiene $(wildcard notebooks/*.ipynb templates/*.ipynb)

# tools/nbval_outputs.py fails a cell that writes to stderr (a red box for a student; cells tagged raises-exception
# are exempt) or shows more than 60 lines, and keeps the executed notebooks in build/nbval/.
# The instructors' notebooks: each exercise's test cells run on its solution (the `# IGNORE` calls), so every solution
# passes every public and hidden test. The students' edition: every grader.check reports "not answered", none crashes.
nbval: venv
	@test -n "$(NOTEBOOKS)" || { echo "No notebooks yet: nothing for nbval to run."; exit 0; }
	COURSE_MODE=smoke $(BIN)/python -m pytest --nbval-lax --nbval-cell-timeout=900 -q -p no:cacheprovider \
		-n $(WORKERS) --dist loadfile -p tools.nbval_outputs --keep-outputs build/nbval $(NOTEBOOKS)

# pytest with the kit's tools importable in the test process only (the kernel finds the students' kit by its setup cell).
export PYTEST_WITH_TOOLS := import sys; sys.path.insert(0, sys.argv.pop(1)); import pytest; sys.exit(pytest.main(sys.argv[1:]))

nbval-student: student
	cd build/student/ae-recsys-kit/notebooks && COURSE_MODE=smoke $(CURDIR)/$(BIN)/python -c "$$PYTEST_WITH_TOOLS" $(CURDIR) \
		--nbval-lax --nbval-cell-timeout=900 -q -p no:cacheprovider --rootdir . -n $(WORKERS) --dist loadfile \
		-p tools.nbval_outputs --expect-unanswered \
		--keep-outputs $(CURDIR)/build/nbval-student [0-9][0-9]_*.ipynb

# The students' edition is built (and refused if any solution or hidden-test line would show); make test-colab runs
# it top to bottom on Colab's package set (every check must say "not answered"), and so does `make nbval-student` here.
test: lint unit pairing exports hygiene nbval student

# Colab's package versions (tools/colab/constraints.txt) in .venv-colab, a Drive + /content layout, every notebook
# in smoke mode, the version-sensitive unit tests, and the version-sensitive benchmarks in .venv and .venv-colab side by
# side. COLAB_RUNTIME=2026.07 replicates that past runtime instead (constraints-2026.07.txt, .venv-colab-2026.07);
# COLAB_ARGS passes options (--skip-benchmarks, --mode full, --keep: python -m tools.colab_replica --help).
COLAB_RUNTIME ?= current
COLAB_ARGS ?=

test-colab: venv
	WORKERS=$(WORKERS) $(BIN)/python -m tools.colab_replica --runtime $(COLAB_RUNTIME) $(COLAB_ARGS)

# JupyterLab (tools/requirements-lab.txt) with the kit's server config: saves write notebooks without outputs, and jupytext
# keeps each pair in sync, so `make test` passes after a lab session. --allow-root only when run as root (a container).
LAB_STAMP := $(VENV)/.lab-installed
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

$(LAB_STAMP): $(STAMP) tools/requirements-lab.txt
	$(BIN)/python -m pip install $(PIP_QUIET) -r tools/requirements-lab.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $@

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --config=tools/jupyter_server_config.py $(ALLOW_ROOT) notebooks/

# tools/browser_check.py: a copy of the kit in a headless JupyterLab, notebook 03 run through the menu in smoke mode in
# Chromium (selenium, tools/requirements-browser.txt), no error or stderr output, the rating widget answers a click.
# chromium and chromium-driver come from apt-get when missing; where they cannot be installed the check is skipped.
BROWSER_STAMP := $(VENV)/.browser-installed

$(BROWSER_STAMP): $(LAB_STAMP) tools/requirements-browser.txt
	$(BIN)/python -m pip install $(PIP_QUIET) -r tools/requirements-browser.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $@

test-browser: $(BROWSER_STAMP)
	$(BIN)/python -m tools.browser_check --install-browser --skip-without-browser

sync: venv
	$(BIN)/jupytext --sync $(NOTEBOOKS)
	$(BIN)/python -m tools.export $(NOTEBOOKS)

# The modules in helpers/ that a lesson's cells marked `#| export` generate (tools/export.py, nbdev's exporter) must
# match the lessons: edit the lesson, then `make sync`.
exports: venv
	$(BIN)/python -m tools.export --check $(NOTEBOOKS)

clean:
	rm -rf build .pytest_cache .ruff_cache
