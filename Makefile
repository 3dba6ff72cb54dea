# roret: the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
RORET  := $(VENV)/bin/roret
SEED   ?= 2026
HOST   ?= 127.0.0.1:8000

.PHONY: run test install assets messages migrate demo serve lint audit bench clean

run: install demo serve

install: $(VENV)/.installed node_modules/.installed messages

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 ($(PYTHON)) is needed"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# The venv's own setuptools (65.5 with Python 3.11) has known advisories (CVE-2024-6345, CVE-2025-47273).
	$(PY) -m pip install --quiet --upgrade pip "setuptools>=78.1.1"
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed

messages: $(VENV)/.installed
	@$(RORET) compile_translations

migrate: install
	$(RORET) migrate --no-input

demo: migrate
	$(RORET) demo --seed $(SEED) --if-empty

serve:
	@echo ""
	@echo "  roret serves the demo municipality on http://$(HOST)/"
	@echo "  Demo users (password: demo): caseworker, centre_staff, centre_leader, economist, committee, admin, leader"
	@echo "  admin also gives a two-factor code: oathtool --totp -b RORETDEMOADMINSECRETKEY234567ABC"
	@echo "  (or add that key to an authenticator app)"
	@echo "  A citizen's own page: open http://$(HOST)/me/invitation/demo-borger/ (logged out), code HJEM-2345"
	@echo ""
	@# The background worker (simulations, reports) runs beside the server and stops with it.
	$(RORET) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(RORET) runserver $(HOST)

test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .

# Known vulnerabilities in the installed packages (pip-audit against PyPI's advisory database);
# fails on a finding, and when packages could not be audited (tools/audit_deps.py).
audit: install
	$(PY) tools/audit_deps.py

bench: install
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) node_modules var
