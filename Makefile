# newsspider — the two set-up commands are `make demo` and `make test`; both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint model evaluate bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=/path/to/python3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,analysis]'
	@touch $(STAMP)

## demo: install, serve the bundled sample site on 127.0.0.1, crawl it, write out/records.jsonl
demo: $(STAMP)
	$(VENV)/bin/newsspider demo --state out/state -o out/records.jsonl

## test: the whole test suite (what CI runs)
test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## model: convert the corpus, train the NER, assemble models/newsspider_ner, evaluate on dev
model: $(STAMP)
	$(PY) -m models.corpus
	$(PY) -m spacy train models/config.cfg --output models/training --code models/components.py
	$(PY) -m models.build --ner models/training/model-best
	$(PY) -m models.evaluate --write-card

evaluate: $(STAMP)
	$(PY) -m models.evaluate

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf out build dist *.egg-info models/training
