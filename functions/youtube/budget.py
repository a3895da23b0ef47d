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
# 6.9 s at 600 s. `make youtube-bench` (docs/youtube.md, Figures): 600 s of 64 kb/s stereo Opus
# -> ebur128 + mono Vorbis took 5.30-7.17 s of CPU, median 6.0 s, on a shared 2-core host (load
# average 1.78-4.15); one vCPU at 1769 MB makes that the wall time on Lambda. The top of the range
# is over the budget, which window() lets the transcode exceed when earlier steps left time.
TRANSCODE_S_PER_AUDIO_S = 0.0115
ANALYSIS_S = 8.0  # cold analysis invoke with a shipped numba cache
SOCKET_TIMEOUT_S = 5.0  # per request; yt-dlp gets at most the time left
MIN_REQUEST_S = 0.5  # a request with less than this left would only time out


def transcode_budget(duration_s: float | None, max_duration_s: float) -> float:
    seconds = duration_s if duration_s else max_duration_s
    return max(TRANSCODE_MIN_S, min(seconds, max_duration_s) * TRANSCODE_S_PER_AUDIO_S)


def window(deadline: Deadline, step: str, budget_s: float, later_s: float = 0.0) -> float:
    """Seconds `step` may use: raise 504 unless `budget_s` is left, keep `later_s` for later steps."""
    left = deadline.require(budget_s, step)
    return max(budget_s, left - later_s)
