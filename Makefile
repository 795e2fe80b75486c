# make run   - set up .venv if needed and start the photodedup desktop app (ARGS="FOLDER..." adds folders)
# make test  - set up .venv if needed and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup selftest bundle clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,heif]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/photodedup-gui $(ARGS)

selftest: $(STAMP)
	$(BIN)/photodedup selftest

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# A one-folder desktop bundle in dist/photodedup (PyInstaller); packaging/smoke_test.sh checks it.
bundle: $(STAMP)
	$(BIN)/python -m pip install --quiet "pyinstaller>=6.10,<7"
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/photodedup.spec

clean:
	rm -rf $(VENV) .pytest_cache build dist
