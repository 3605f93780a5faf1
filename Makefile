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

.PHONY: help install data model run run-scaled test test-fast bench-nlu bench-orientation bench bench-load bench-store bench-ror bench-privacy bench-triage bench-mail triage-report browsers balancer clean test-faults soak

STEP := scripts/step.sh

# Every target carries a `## description` (French): `make help` lists them all.
help: ## cette aide : toutes les cibles
	@echo "Aiguillage — cibles disponibles :"
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-zA-Z0-9_.-]+:[^=]*## / { printf "  make %-17s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

$(INSTALLED): pyproject.toml requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 introuvable : installez-le (pyenv install 3.10) puis relancez."; exit 1; }
	@test -x $(PY) || $(STEP) "Création de l'environnement Python ($(VENV))" $(PYTHON310) -m venv $(VENV)
	@$(STEP) "Mise à jour de pip" $(PY) -m pip install --disable-pip-version-check --upgrade 'pip<24.1'
	@$(STEP) "Installation des dépendances Python (rasa, spaCy et le modèle français : plusieurs minutes la première fois)" \
	  $(PY) -m pip install --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $@

install: $(INSTALLED) ## installe l'environnement Python (.venv) et les dépendances figées

# Debian's Chromium for the browser tests (root on CI and dev machines); skipped when present.
browsers: ## installe Chromium et chromedriver (Debian) pour les tests navigateur
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then ($(STEP) "Mise à jour des index apt" apt-get update -qq && $(STEP) "Installation de Chromium et chromedriver (apt)" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
	    || echo "Chromium n'a pas pu être installé : les tests navigateur seront ignorés."; \
	  else echo "Chromium absent (installez chromium et chromium-driver) : les tests navigateur seront ignorés."; fi; }

$(DB_STAMP): $(INSTALLED) $(DATA_INPUTS)
	@mkdir -p var
	@$(STEP) "Construction de l'annuaire (var/, base SQL)" $(PY) -m knowledge.directory load
	@touch $@

data: $(DB_STAMP) ## construit l'annuaire dans la base (AIGUILLAGE_DB_URL)

$(MODEL): $(INSTALLED) $(MODEL_INPUTS)
	@$(STEP) "Entraînement du modèle Rasa (2 à 4 minutes sur 2 cœurs)" \
	  $(PY) -m rasa train --config config.yml --domain domain.yml --data nlu/data bot/data \
	  --out models --fixed-model-name aiguillage
	@touch $@

model: $(MODEL) ## entraîne le modèle Rasa si ses fichiers ont changé

run: $(INSTALLED) $(DB_STAMP) $(MODEL) ## installe, construit l'annuaire, entraîne le modèle si besoin et démarre l'assistant
	$(PY) -m bot.run

test: $(INSTALLED) browsers balancer ## installe et lance toute la suite de tests
	$(PY) -m pytest

test-fast: $(INSTALLED) ## tests rapides (sans entraînement ni navigateur)
	$(PY) -m pytest -m "not e2e and not browser"

# Kill -9 / SIGSTOP of the action and Rasa servers around the support-request form (12-15 min, bounded: 30 min).
test-faults: $(INSTALLED) ## pannes injectées (kill -9, SIGSTOP) autour de la demande d'appui
	AIGUILLAGE_TEST_FAULTS=1 timeout 1800 $(PY) -m pytest tests/faults -q -p no:cacheprovider

# Soak: 50 concurrent conversations through REST with injected faults (SOAK_SECONDS, default 300).
soak: $(INSTALLED) $(DB_STAMP) $(MODEL) ## 50 conversations simultanées avec pannes (SOAK_SECONDS=300) ; make bench-load l'inclut
	$(PY) scripts/soak.py --seconds $${SOAK_SECONDS:-300} --conversations $${SOAK_CONVERSATIONS:-50}

bench-nlu: $(INSTALLED) ## mesures de la compréhension (F1, latence) et de l'orientation (jeu réservé)
	$(PY) scripts/bench_nlu.py
	$(PY) scripts/bench_orientation.py

# Held-out orientation requests as first turns (real NLU + dialogue code): dev and test figures.
bench-orientation: $(INSTALLED) ## orientation des demandes du jeu réservé (premier type, département)
	$(PY) scripts/bench_orientation.py

bench-privacy: $(INSTALLED) ## masquage des identifiants (rappel, mots conservés, avec et sans NER)
	$(PY) scripts/bench_privacy.py

bench: $(INSTALLED) $(DB_STAMP) $(MODEL) ## latence de bout en bout par message (REST + actions + base)
	$(PY) scripts/bench_e2e.py

bench-store: $(INSTALLED) ## CPU et durée d'un tour du tracker store (lecture + écriture), PostgreSQL et SQLite
	$(PY) scripts/bench_store.py
	$(PY) scripts/bench_store.py --sqlite

bench-ror: $(INSTALLED) ## durée d'un import du ROR (2 200 offres générées)
	$(PY) scripts/bench_ror.py

# mail-parser-reply is not a dependency: installed apart (.build/) for the comparison only
bench-mail: $(INSTALLED) ## extraction du texte nouveau des e-mails : notre lecteur comparé à mail-parser-reply
	@test -d .build/mail-parser-reply || $(STEP) "Installation de mail-parser-reply (comparaison seulement)" \
	  $(PY) -m pip install --disable-pip-version-check --target .build/mail-parser-reply mail-parser-reply==1.36
	PYTHONPATH=.build/mail-parser-reply $(PY) scripts/bench_mail_reply.py

triage-report: $(INSTALLED) ## matrice de confusion des niveaux de gravité
	$(PY) scripts/triage_report.py

# Debian's nginx for the scaled configuration (root); skipped when present.
balancer: ## installe nginx (Debian) pour la configuration à plusieurs instances
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then ($(STEP) "Mise à jour des index apt" apt-get update -qq && $(STEP) "Installation de nginx (apt)" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) \
	    || echo "nginx n'a pas pu être installé : la configuration à plusieurs instances sera ignorée."; \
	  else echo "nginx absent (installez nginx-light) : la configuration à plusieurs instances sera ignorée."; fi; }

N ?= 2
run-scaled: $(INSTALLED) $(MODEL) balancer ## N=2 : N instances Rasa derrière nginx (PostgreSQL, Redis)
	$(PY) -m bot.scaled --instances $(N) --model $(MODEL)

LOAD_ARGS ?=
# The soak of issue 10 (50 conversations with faults) first, then throughput and latency levels.
bench-load: $(INSTALLED) balancer soak ## débit et latences sous charge (1, 5, 20, 50 conversations), plancher Rasa, avant/après
	$(PY) scripts/bench_load.py $(LOAD_ARGS)

clean: ## supprime modèles, bases locales, caches de test et captures
	rm -rf models var .build test-artifacts

bench-triage: $(INSTALLED) ## urgences : rappel, fausses alertes, temps (jeux réservés)
	$(PY) scripts/bench_triage.py
