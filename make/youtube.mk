# YouTube: a local media server that stands in for YouTube, for `make serve` without network
# (see docs/youtube.md). Never used by a deployment: the switch is refused inside Lambda.
.PHONY: youtube-media
YOUTUBE_MEDIA_PORT ?= 8765

youtube-media: setup ## serve a demo track as YouTube would (then: YOUTUBE_DEV_MEDIA_URL=http://127.0.0.1:8765 make serve)
	$(PY) -m functions.local_api.devmedia --port $(YOUTUBE_MEDIA_PORT)

.PHONY: youtube-bench
youtube-bench: setup ## youtube timings as JSON: cold import, cache-hit handler time, 600 s transcode
	@$(PY) bench/youtube_bench.py
