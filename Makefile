# The README's two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-window test-window-if-possible lint bench package clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m app

# The offscreen suite, then the real-window suite (tests/window: the app on Xvfb with openbox,
# driven by real keys) when the X tools it needs are installed; if not, it says so and why.
WINDOW_TOOLS := Xvfb openbox xdotool wmctrl xwininfo xprop import convert

# Two workers share the tests that measure nothing; those marked serial (speedups, latencies,
# CPU shares) then run alone, on a machine this suite does not load itself.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -rs -n 2 -m "not serial"
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -rs -m serial
	@$(MAKE) --no-print-directory test-window-if-possible

test-window-if-possible:
	@missing=""; for tool in $(WINDOW_TOOLS); do \
		command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then $(MAKE) --no-print-directory test-window; \
	else echo "make test: the real-window suite (tests/window) is SKIPPED:" \
		"not on PATH:$$missing (apt-get install xvfb openbox xdotool wmctrl x11-utils" \
		"imagemagick, as .ci/run does)"; fi

# Starts its own Xvfb on a free display; also starts dist/ConcurrencyLab when `make package`
# has built it (skipped, with the reason shown, when not).
test-window: $(STAMP)
	$(PY) -m pytest -q -rsx tests/window

# ruff on all the Python; mypy on demos/ (strict) and app/ ([tool.mypy] in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check app demos tests bench tools packaging
	$(VENV)/bin/ruff format --check app demos tests bench tools packaging
	$(PY) -m mypy

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# The double-click app: a one-folder PyInstaller bundle in dist/ConcurrencyLab, then its own
# self-test (a thread lesson and a process lesson, headless) to prove the frozen build works.
PACKAGE_STAMP := $(VENV)/.package-installed

$(PACKAGE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[package]"
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean build.spec
	dist/ConcurrencyLab/ConcurrencyLab --self-test

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache
