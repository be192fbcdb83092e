PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test validate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/noradsim run examples/atomoxetine_pfc_microdialysis.toml --out results/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadscope

validate: $(STAMP)
	$(BIN)/noradsim validate ../shared/validation/targets.toml --out results/validation

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) results build *.egg-info src/*.egg-info
