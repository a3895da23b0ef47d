"""Canned YouTube answers for yt-dlp's real YoutubeIE, with no socket opened.

`CannedYoutubeDL` answers every request yt-dlp makes (watch page, innertube `next` and
`player`) with a player response whose `playabilityStatus` is the one YouTube sends for a
refusal, so the real extractor raises exactly what it raises against YouTube."""

from __future__ import annotations

import io
import json

from yt_dlp.networking import Request, Response
from yt_dlp.networking.exceptions import HTTPError

from functions.youtube.ytdl import BudgetedYoutubeDL


def _text(text: str) -> dict:
    return {"simpleText": text}


def playability(status: str, reason: str, subreason: str | None = None, **video_details) -> dict:
    error = {"reason": _text(reason)}
    if subreason:
        error["subreason"] = _text(subreason)
    status_block = {"status": status, "reason": reason, "errorScreen": {"playerErrorMessageRenderer": error}}
    return {
        "playabilityStatus": status_block,
        "videoDetails": {"videoId": "BaW_jenozKc", "title": "canned", **video_details},
    }


# What YouTube sends (reason, subreason) for each refusal, as seen in yt-dlp's issue reports.
REFUSALS = {
    "bot": playability(
        "LOGIN_REQUIRED", "Sign in to confirm you\u2019re not a bot", "This helps protect our community. Learn more"
    ),
    "private": playability("LOGIN_REQUIRED", "Private video", "Sign in if you've been granted access to this video"),
    "removed": playability("ERROR", "Video unavailable", "This video has been removed by the uploader"),
    "terminated": playability(
        "ERROR",
        "Video unavailable",
        "This video is no longer available because the YouTube account associated with this video has been terminated.",
    ),
    "unavailable": playability("ERROR", "Video unavailable"),
    "age": playability(
        "LOGIN_REQUIRED", "Sign in to confirm your age", "This video may be inappropriate for some users."
    ),
    "geo": playability(
        "UNPLAYABLE", "Video unavailable", "The uploader has not made this video available in your country"
    ),
    "members": playability(
        "UNPLAYABLE",
        "Join this channel to get access to members-only content like this video, and other exclusive perks.",
    ),
    "upcoming": playability("LIVE_STREAM_OFFLINE", "This live event will begin in 3 hours.", isUpcoming=True),
}


YTCFG = {
    "INNERTUBE_API_KEY": "canned",
    "INNERTUBE_CONTEXT": {"client": {"clientName": "WEB", "clientVersion": "2.20260101"}},
    "INNERTUBE_CONTEXT_CLIENT_NAME": 1,
    "INNERTUBE_CLIENT_VERSION": "2.20260101",
}


class CannedYoutubeDL(BudgetedYoutubeDL):
    """BudgetedYoutubeDL whose network is a dict: `player` is the player response to send."""

    player: dict = REFUSALS["bot"]
    http_status: int | None = None  # answer every request with this HTTP error instead

    def _send(self, req):
        url = req.url if isinstance(req, Request) else str(req)
        self.requested = getattr(self, "requested", []) + [url]
        if self.http_status:
            raise HTTPError(Response(io.BytesIO(b""), url, {}, self.http_status))
        if "/youtubei/v1/" in url:
            body = json.dumps(self.player).encode()
            return Response(io.BytesIO(body), url, {"Content-Type": "application/json"}, 200)
        if "/watch" in url or "/embed/" in url:
            page = (
                f"<html><script>ytcfg.set({json.dumps(YTCFG)});</script>"
                f"<script>var ytInitialPlayerResponse = {json.dumps(self.player)};</script></html>"
            )
            return Response(io.BytesIO(page.encode()), url, {"Content-Type": "text/html"}, 200)
        raise HTTPError(Response(io.BytesIO(b""), url, {}, 404))
