# make run: set up and serve the console on SQLite with the demo community.
# make test: set up and run the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
export OPC_ENV ?= development

.PHONY: run test install dev-install translations migrate demo clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)

install: $(BIN)/activate
	$(BIN)/pip install -q -e .
	$(MAKE) translations

dev-install: $(VENV)/.dev-installed
	$(MAKE) translations

# The dev extra goes in again only when pyproject.toml changes: a second `make test`
# (CI runs the SQLite and PostgreSQL suites side by side) must not reinstall the
# package under a suite that is importing it.
$(VENV)/.dev-installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d translations -l $* >/dev/null

# After adding UI text: collect it (_l, N_ and the indicators' notes, said) into the
# template and the English catalogue, whose empty entries are then filled in.
messages:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k said -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

migrate:
	$(FLASK) db upgrade

demo:
	$(FLASK) demo

run: install migrate demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: dev-install
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) instance .pytest_cache
