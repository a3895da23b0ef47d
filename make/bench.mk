# Audio analysis: ground truth and benchmark (see README "Audio analysis").
BENCH_VENV := .tools/bench
BENCH_STAMP := $(BENCH_VENV)/.synced
BENCH_CACHE := .cache/bench
BENCH_PIECES ?= 48
BENCH_ARGS ?=
BENCH_APT := fluidsynth fluid-soundfont-gm timgm6mb-soundfont espeak-ng

.PHONY: bench bench-corpus bench-deps bench-lock

$(BENCH_STAMP): bench/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r bench/requirements.txt
	@touch $@

bench-deps: ## install the Debian packages the ground truth needs (fluidsynth, GM soundfont, espeak-ng)
	apt-get update && apt-get install -y $(BENCH_APT)

bench-corpus: $(BENCH_STAMP) ## render the ground-truth corpus into .cache/bench (cached)
	@for tool in fluidsynth espeak-ng; do command -v $$tool >/dev/null || { \
		echo "make bench: $$tool is missing. Install: sudo apt-get install $(BENCH_APT)  (or: make bench-deps)" >&2; \
		exit 2; }; done
	@test -f /usr/share/sounds/sf2/FluidR3_GM.sf2 || { \
		echo "make bench: the GM soundfont is missing. Install: sudo apt-get install fluid-soundfont-gm" >&2; exit 2; }
	@$(BENCH_VENV)/bin/python bench/groundtruth.py --out $(BENCH_CACHE)/corpus --pieces $(BENCH_PIECES)
	@test -f /usr/share/sounds/sf2/TimGM6mb.sf2 || { \
		echo "make bench: the TimGM6mb soundfont is missing. Install: sudo apt-get install timgm6mb-soundfont" >&2; exit 2; }
	@$(BENCH_VENV)/bin/python bench/sections.py render --out $(BENCH_CACHE)/sections

bench: setup bench-corpus ## accuracy, warm speed, peak RSS and cold start of the analysis; sections; as JSON
	@$(PY) bench/benchmark.py --corpus $(BENCH_CACHE)/corpus --sections-corpus $(BENCH_CACHE)/sections $(BENCH_ARGS)

bench-lock: setup ## recompile bench/requirements.txt (hashed) from bench/requirements.in
	$(PIP_COMPILE) -o bench/requirements.txt bench/requirements.in
