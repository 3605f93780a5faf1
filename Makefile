# Aiguillage — `make run` installs everything and starts the assistant; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.10 (rasa 3.6 needs < 3.11): PATH first, then pyenv, then the usual places.
PYTHON310 ?= $(shell for p in python3.10 $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
MODEL := models/aiguillage.tar.gz
DB_STAMP := var/directory.stamp
MODEL_INPUTS := config.yml domain.yml $(wildcard nlu/data/*.yml) $(wildcard bot/data/*.yml)
DATA_INPUTS := $(wildcard knowledge/data/directory/*.yaml) knowledge/data/vocabulary.yaml knowledge/data/communes-24.json knowledge/data/ror-mapping.yaml $(wildcard knowledge/directory/*.py)

.PHONY: help install data model run run-scaled test test-fast bench-nlu bench-orientation bench bench-load bench-ror bench-privacy bench-triage triage-report browsers balancer clean test-faults soak

help:
	@echo "make run        installe, construit l'annuaire, entraîne le modèle si besoin et démarre l'assistant"
	@echo "make test       installe et lance toute la suite de tests"
	@echo "make bench-nlu  mesures de la compréhension (F1, latence) et de l'orientation (jeu réservé)"
	@echo "make bench-orientation  orientation des demandes du jeu réservé (premier type, département)"
	@echo "make bench-ror  durée d'un import du ROR (2 200 offres générées)"
	@echo "make bench-privacy  masquage des identifiants (rappel, mots conservés, avec et sans NER)"
	@echo "make bench      latence de bout en bout par message (REST + actions + base)"
	@echo "make bench-triage  urgences : rappel, fausses alertes, temps (jeux réservés)"
	@echo "make run-scaled N=2  N instances Rasa derrière nginx (PostgreSQL, Redis)"
	@echo "make bench-load débit et latences sous charge (1, 5, 20, 50 conversations), plancher Rasa, avant/après"
	@echo "make test-faults  pannes injectées (kill -9, SIGSTOP) autour de la demande d'appui"
	@echo "make soak       50 conversations simultanées avec pannes (SOAK_SECONDS=300) ; make bench-load l'inclut"

$(INSTALLED): pyproject.toml requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 introuvable : installez-le (pyenv install 3.10) puis relancez."; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade 'pip<24.1'
	$(PY) -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $@

install: $(INSTALLED)

# Debian's Chromium for the browser tests (root on CI and dev machines); skipped when present.
browsers:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "Chromium n'a pas pu être installé : les tests navigateur seront ignorés."; \
	  else echo "Chromium absent (installez chromium et chromium-driver) : les tests navigateur seront ignorés."; fi; }

$(DB_STAMP): $(INSTALLED) $(DATA_INPUTS)
	@mkdir -p var
	$(PY) -m knowledge.directory load
	@touch $@

data: $(DB_STAMP)

$(MODEL): $(INSTALLED) $(MODEL_INPUTS)
	$(PY) -m rasa train --config config.yml --domain domain.yml --data nlu/data bot/data \
	  --out models --fixed-model-name aiguillage
	@touch $@

model: $(MODEL)

run: $(INSTALLED) $(DB_STAMP) $(MODEL)
	$(PY) -m bot.run

test: $(INSTALLED) browsers balancer
	$(PY) -m pytest

test-fast: $(INSTALLED)
	$(PY) -m pytest -m "not e2e and not browser"

# Kill -9 / SIGSTOP of the action and Rasa servers around the support-request form (12-15 min, bounded: 30 min).
test-faults: $(INSTALLED)
	AIGUILLAGE_TEST_FAULTS=1 timeout 1800 $(PY) -m pytest tests/faults -q -p no:cacheprovider

# Soak: 50 concurrent conversations through REST with injected faults (SOAK_SECONDS, default 300).
soak: $(INSTALLED) $(DB_STAMP) $(MODEL)
	$(PY) scripts/soak.py --seconds $${SOAK_SECONDS:-300} --conversations $${SOAK_CONVERSATIONS:-50}

bench-nlu: $(INSTALLED)
	$(PY) scripts/bench_nlu.py
	$(PY) scripts/bench_orientation.py

# Held-out orientation requests as first turns (real NLU + dialogue code): dev and test figures.
bench-orientation: $(INSTALLED)
	$(PY) scripts/bench_orientation.py

bench-privacy: $(INSTALLED)
	$(PY) scripts/bench_privacy.py

bench: $(INSTALLED) $(DB_STAMP) $(MODEL)
	$(PY) scripts/bench_e2e.py

bench-ror: $(INSTALLED)
	$(PY) scripts/bench_ror.py

triage-report: $(INSTALLED)
	$(PY) scripts/triage_report.py

# Debian's nginx for the scaled configuration (root); skipped when present.
balancer:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) \
	    || echo "nginx n'a pas pu être installé : la configuration à plusieurs instances sera ignorée."; \
	  else echo "nginx absent (installez nginx-light) : la configuration à plusieurs instances sera ignorée."; fi; }

N ?= 2
run-scaled: $(INSTALLED) $(MODEL) balancer
	$(PY) -m bot.scaled --instances $(N) --model $(MODEL)

LOAD_ARGS ?=
# The soak of issue 10 (50 conversations with faults) first, then throughput and latency levels.
bench-load: $(INSTALLED) balancer soak
	$(PY) scripts/bench_load.py $(LOAD_ARGS)

clean:
	rm -rf models var .build test-artifacts

bench-triage: $(INSTALLED)
	$(PY) scripts/bench_triage.py
