# Audio analysis: ground truth and benchmark (see docs/analysis.md and docs/benchmarks.md).
BENCH_VENV := .tools/bench
BENCH_STAMP := $(BENCH_VENV)/.synced
BENCH_CACHE := .cache/bench
BENCH_CORPUS := $(BENCH_CACHE)/corpus2
BENCH_POOL := $(BENCH_CACHE)/pool
BENCH_ARGS ?=
TEMPO_FIT_ARGS ?=
# fluidsynth + three GM soundfonts (tuning side FluidR3, the tuning pool's second MuseScore General
# Lite, held-out side TimGM6mb), MMA grooves, Planet Blupi's game-music MIDI, espeak-ng voices.
BENCH_APT := fluidsynth fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-small mma planetblupi-music-midi espeak-ng

.PHONY: bench bench-corpus bench-deps bench-lock tempo-fit no-pulse-fit

$(BENCH_STAMP): bench/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r bench/requirements.txt
	@touch $@

bench-deps: ## install the Debian packages the ground truth needs (fluidsynth, soundfonts, mma, MIDI, espeak-ng)
	apt-get update && apt-get install -y $(BENCH_APT)

bench-corpus: $(BENCH_STAMP) ## render the ground-truth corpus into .cache/bench (cached)
	@for tool in fluidsynth espeak-ng mma; do command -v $$tool >/dev/null || { \
		echo "make bench: $$tool is missing. Install: sudo apt-get install $(BENCH_APT)  (or: make bench-deps)" >&2; \
		exit 2; }; done
	@$(BENCH_VENV)/bin/python bench/groundtruth.py --out $(BENCH_CORPUS)
	@$(BENCH_VENV)/bin/python bench/tuning_pool.py --corpus $(BENCH_CORPUS) --out $(BENCH_POOL)
	@$(BENCH_VENV)/bin/python bench/sections.py render --out $(BENCH_CACHE)/sections

bench: setup bench-corpus ## held-out accuracy per family, speed vs naive librosa, peak RSS, cold start; sections (JSON)
	@$(PY) bench/benchmark.py --corpus $(BENCH_CORPUS) --pool $(BENCH_POOL) --sections-corpus $(BENCH_CACHE)/sections $(BENCH_ARGS)

tempo-fit: setup bench-corpus ## refit the tempo's metre choice on the tuning side + pool (JSON; TEMPO_FIT_ARGS=--write to update)
	@$(PY) bench/fit_tempo.py --corpus $(BENCH_CORPUS) --pool $(BENCH_POOL) $(TEMPO_FIT_ARGS)

no-pulse-fit: setup bench-corpus ## where the tempo's no-pulse branch sets its thresholds: shuffled tuning clips (JSON)
	@$(PY) bench/no_pulse.py --corpus $(BENCH_CORPUS) --pool $(BENCH_POOL)

bench-lock: setup ## recompile bench/requirements.txt (hashed) from bench/requirements.in
	$(PIP_COMPILE) -o bench/requirements.txt bench/requirements.in
