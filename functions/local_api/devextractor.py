"""Dev/test stand-in for YouTube extraction: YoutubeIE's own URL matching and ids, with the
metadata and formats served by a local media server (`python -m functions.local_api.devmedia`).

Only used when YOUTUBE_DEV_MEDIA_URL is set, which `config.dev_media_url` refuses inside
Lambda and for anything but loopback. Refusals are raised exactly as yt-dlp's YoutubeIE
raises them (same exception types and YouTube reason texts), so every failure class can be
seen through `make serve`; tests check the same texts against the real YoutubeIE."""

from __future__ import annotations

from yt_dlp.extractor.youtube import YoutubeIE
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import ExtractorError

# YouTube's playability reasons as yt-dlp words them (reason + subreason; see YoutubeIE._real_extract).
REFUSALS = {
    "bot": "Sign in to confirm you\u2019re not a bot",
    "private": "Private video. Sign in if you've been granted access to this video",
    "removed": "Video unavailable. This video has been removed by the uploader",
    "unavailable": "Video unavailable",
    "age": "Sign in to confirm your age. This video may be inappropriate for some users.",
    "members": "Join this channel to get access to members-only content like this video, and other exclusive perks.",
    "upcoming": "This live event will begin in 3 hours.",
}
GEO_REASON = "The uploader has not made this video available in your country"


class LocalMediaIE(YoutubeIE):
    """YoutubeIE with `_real_extract` answered from `<base>/videos/<id>.json`."""

    @classmethod
    def ie_key(cls):
        return "Youtube"  # replaces YoutubeIE in the YoutubeDL it is added to

    def __init__(self, base_url: str, downloader=None):
        super().__init__(downloader)
        self._base_url = base_url.rstrip("/")

    def _real_initialize(self):
        pass  # YouTube's consent cookies and login checks do not apply

    def _login_required(self, reason: str) -> str:
        # yt-dlp appends its cookies hint to every "sign in" reason.
        return f"{reason.rstrip('.')}. {self._youtube_login_hint}" if "sign in" in reason.lower() else reason

    def _real_extract(self, url):
        video_id = self._match_id(url)
        try:
            meta = self._download_json(
                f"{self._base_url}/videos/{video_id}.json", video_id, note="Reading local media catalog"
            )
        except ExtractorError as exc:
            if isinstance(exc.cause, HTTPError) and exc.cause.status == 404:
                self.raise_no_formats(REFUSALS["unavailable"], expected=True, video_id=video_id)
            raise
        refusal = meta.get("refusal")
        if refusal == "geo":
            self.raise_geo_restricted(GEO_REASON, countries=["KR"], metadata_available=True)
        if refusal:
            self.raise_no_formats(self._login_required(REFUSALS[refusal]), expected=True, video_id=video_id)
        formats = [
            {**fmt, "url": f"{self._base_url}{fmt['url']}" if fmt["url"].startswith("/") else fmt["url"]}
            for fmt in meta.get("formats", [])
        ]
        return {
            "id": video_id,
            "title": meta.get("title"),
            "channel": meta.get("channel"),
            "uploader": meta.get("channel"),
            "duration": meta.get("duration"),
            "upload_date": meta.get("upload_date"),
            "view_count": meta.get("view_count"),
            "is_live": meta.get("is_live", False),
            "live_status": "is_live" if meta.get("is_live") else "not_live",
            "thumbnails": [
                {"url": f"https://i.ytimg.com/vi/{video_id}/{name}.jpg", "preference": pref}
                for pref, name in enumerate(("default", "mqdefault", "hqdefault", "maxresdefault"))
            ],
            "formats": formats,
            "webpage_url": url,
        }


def factory(base_url: str):
    return lambda: LocalMediaIE(base_url)
