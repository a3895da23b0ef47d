"""The time budget of one audio-with-analysis request (docs/youtube.md, "What a miss does").

API Gateway gives up after 29 s. Each step starts only if its budget is left, and may use
what is left minus the budgets of the steps after it, so a slow step eats its own slack
and not the next step's."""

from __future__ import annotations

from functions.common.deadline import Deadline

RESERVE_S = 2.0  # kept back to answer 504 JSON ourselves (docs/youtube.md: the margin)
EXTRACT_S = 6.0  # extraction including the deno challenge
DOWNLOAD_S = 5.0  # 1-4 MB of audio-only
TRANSCODE_MIN_S = 1.5
# 7.2 s at 600 s: the top of what `make youtube-bench` measured (docs/youtube.md, Figures): 600 s
# of 64 kb/s stereo Opus -> ebur128 + mono Vorbis took 5.30-7.17 s of CPU, median 6.0 s, on a
# shared 2-core host (load average 1.78-4.15); one vCPU at 1769 MB makes that the wall time on
# Lambda. window() lets the transcode run longer when earlier steps left time.
TRANSCODE_S_PER_AUDIO_S = 0.012
# A cold analysis invoke: `make smoke` read 1.24-1.70 s from process start to the first result
# of a 3-minute track in the Lambda-like sandbox; a warm 10-minute track takes 1.09-1.45 s of one
# core against 0.33 s for 3 minutes (2026-12-01). The rest is for Lambda's own cold start of a
# 220 MB function and the 3.5 MB payload, not measured here.
ANALYSIS_S = 7.5
SOCKET_TIMEOUT_S = 5.0  # per request; yt-dlp gets at most the time left
MIN_REQUEST_S = 0.5  # a request with less than this left would only time out


def transcode_budget(duration_s: float | None, max_duration_s: float) -> float:
    seconds = duration_s if duration_s else max_duration_s
    return max(TRANSCODE_MIN_S, min(seconds, max_duration_s) * TRANSCODE_S_PER_AUDIO_S)


def window(deadline: Deadline, step: str, budget_s: float, later_s: float = 0.0) -> float:
    """Seconds `step` may use: raise 504 unless `budget_s` is left, keep `later_s` for later steps."""
    left = deadline.require(budget_s, step)
    return max(budget_s, left - later_s)
