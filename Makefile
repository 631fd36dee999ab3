PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench screenshots package clean sandbox lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/supportdesk

sandbox: $(STAMP)
	$(BIN)/supportdesk sandbox

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	command -v curl >/dev/null || (apt-get update -qq && apt-get install -y -qq curl)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks.run

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots_forms.py

package: $(STAMP)
	$(BIN)/python -m pip install -q 'pyinstaller>=6.6' 'build>=1.2'
	$(BIN)/pyinstaller packaging/supportdesk.spec --distpath dist --workpath build/pyinstaller -y --clean --log-level WARN
	dist/supportdesk/supportdesk --version
	$(BIN)/python -m build --outdir dist .
	tar -C dist -czf dist/supportdesk-$$(dist/supportdesk/supportdesk --version | cut -d' ' -f2)-linux-$$(uname -m).tar.gz supportdesk

clean:
	rm -rf $(VENV) build dist .pytest_cache
