# The two commands (see README):
#   make run   – set up and serve the portal with the extension and demo data
#   make test  – set up and run the whole test suite on CKAN 2.11.6 and 2.12.0
SHELL := /bin/bash

.PHONY: run test test-211 test-212 services i18n bench clean ckan-core-logic

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# One CKAN version only (faster while working).
test-211:
	bash scripts/test.sh 2.11

test-212:
	bash scripts/test.sh 2.12

services:
	bash scripts/services.sh

# CKAN's own logic/action and logic/auth tests with the extension loaded and its rules off
# (enforce = false), on CKAN 2.11; not part of make test (some minutes). The failures that
# come from this environment are listed with their reasons in tests/ckan_core_logic.txt.
ckan-core-logic:
	bash scripts/services.sh
	VGS_CORE_LIST=tests/ckan_core_logic.txt VGS_CORE_INI=tests/ckan_core_logic.ini \
	  VGS_CORE_TITLE="action and auth tests with the extension loaded (enforce = false)" \
	  bash scripts/ckan_core_search.sh .venv

# Extract the strings, merge them into the Swedish catalogue and compile it.
i18n:
	.venv/bin/python setup.py -q extract_messages
	.venv/bin/python setup.py -q update_catalog -l sv --no-fuzzy-matching
	.venv/bin/python setup.py -q compile_catalog -l sv

clean:
	rm -rf .venv .venv-2.12 var
