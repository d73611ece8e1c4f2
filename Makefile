# Set-up and everyday commands for the backpropagation course.
# Every target creates the virtual environment it needs on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# nbgrader calls some tools (alembic) by name: the venv's come first.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: venv system test check screenshots lint demo bench release lab clean serve

# Every folder of source/ is an assignment.
ASSIGNMENTS := $(patsubst source/%/,%,$(wildcard source/*/))

venv: $(INSTALLED)

# Debian packages the course needs: bubblewrap confines student code while it is graded (README:
# "Tamper-proof grading"); Chromium is the browser of the JupyterLab tests (README: "Tested in a
# real browser"). Installed with apt-get when missing and we may (root, or sudo without a
# password); otherwise a note says what is missing: grading then falls back to the weaker
# "process" sandbox, and the browser tests fail saying how to install Chromium.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
system:
	@missing=""; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -z "$$missing" ] && exit 0; \
	command -v apt-get >/dev/null || { echo "note: please install$$missing"; exit 0; }; \
	echo "installing Debian packages:$$missing"; \
	$(SUDO) apt-get install -y -q $$missing >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -q >/dev/null 2>&1 \
		     && $(SUDO) apt-get install -y -q $$missing >/dev/null 2>&1; } \
		|| echo "note: could not install$$missing (see the comment of 'system' in the Makefile)"

$(INSTALLED): pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .

# --dist loadfile keeps each test file on one worker: most slow files share a module fixture
# that grades a whole course folder, which would otherwise be built once per worker. The files
# go out slowest first (tests/conftest.py), not by their number of tests.
test: lint system
	$(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder

# While working: ruff and every test that starts no notebook, kernel pipeline or browser (about
# a minute and a half on 2 cores). `make test` (and CI) runs everything.
check: lint
	$(PY) -m pytest -n auto -q -m "not notebooks and not browser"

# The browser tests alone; two of their screenshots illustrate the README (docs/images/).
screenshots: $(INSTALLED) system
	$(PY) -m pytest -n 2 -m browser
	mkdir -p docs/images
	cp build/screenshots/student-2-exercise-passes.png docs/images/student-notebook.png
	cp build/screenshots/instructor-5-class-report.png docs/images/class-report.png

# The whole course for a simulated class of 30 in demo/: release, submit, collect, autograde in
# parallel, feedback, grades (demo/course/grades.csv) and report (demo/course/report/index.html).
demo: $(INSTALLED) system
	$(PY) -m simulation.semester --workdir demo --students 30 --seed 7 \
		--assignments ps1_forward ps2_backward ps3_training ps4_explorations quiz

# Grade on submit: watch the exchange, grade each submission as it arrives and release its
# feedback (course/serve.py; the attempt policy is in nbgrader_config.py). Stop with Ctrl-C.
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
serve: $(INSTALLED) system
	$(PY) -m course.serve --course . --workers $(WORKERS)

# Regenerate the student notebooks in release/ from source/ with nbgrader.
release: $(INSTALLED)
	for assignment in $(ASSIGNMENTS); do \
		$(VENV)/bin/nbgrader generate_assignment $$assignment --force || exit 1; \
	done

# Try the course as a student: a private copy of release/ in student/, opened in JupyterLab.
# As root (the usual case in a container) JupyterLab refuses to start without --allow-root.
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# Jupyter's configuration path starts with jupyter_student_config/, the student's settings: no
# Formgrader or Create Assignment, no news pop-up, notebooks open unchanged. No exchange here:
# the quiz shows its default numbers and says why (course/student_lab.py).
lab: $(INSTALLED)
	mkdir -p student && cp -rn release/. student/
	BACKPROP_QUIZ_NUMBERS=default \
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_student_config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(VENV)/bin/jupyter lab $(ALLOW_ROOT) student

bench: $(INSTALLED) system
	$(PY) bench/cheap_gradient.py
	$(PY) bench/train_digits.py
	$(PY) bench/mutation_score.py
	$(PY) bench/sandbox_cost.py
	$(PY) bench/grading_speed.py
	$(PY) bench/hostile_memory.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache gradebook.db demo build
