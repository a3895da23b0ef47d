"""Which URLs name one YouTube video, decided by yt-dlp's own `YoutubeIE` (its `_VALID_URL`
and id extraction), not by a regex of ours. Around it we only add what yt-dlp deliberately
allows and we do not: bare ids, mirror sites, scheme-less and non-http(s) input."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from yt_dlp.extractor.youtube import YoutubeIE

from functions.common.errors import BadRequest

MAX_URL_LENGTH = 2048
# YouTube's own hosts. YoutubeIE also matches Invidious and other mirrors; we only fetch YouTube.
YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtu.be",
        "www.youtu.be",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
        "youtubekids.com",
        "www.youtubekids.com",
    }
)
# `noplaylist` semantics: a watch URL inside a playlist or radio names its video.
PLAYLIST_PARAMS = frozenset({"list", "index", "start_radio", "pp", "playnext"})
_NOT_A_VIDEO = {  # first path segment -> why it is not one video
    "playlist": "playlists are not supported; send the URL of one video",
    "channel": "channels are not supported; send the URL of one video",
    "c": "channels are not supported; send the URL of one video",
    "user": "channels are not supported; send the URL of one video",
    "results": "search pages are not supported; send the URL of one video",
    "feed": "feeds are not supported; send the URL of one video",
}


@dataclass(frozen=True)
class VideoRef:
    video_id: str

    @property
    def url(self) -> str:
        """The canonical watch URL everything downstream uses."""
        return f"https://www.youtube.com/watch?v={self.video_id}"


def _reject(why: str) -> BadRequest:
    return BadRequest("Invalid YouTube URL", why, reason="invalid_url")


def parse_video_url(raw: str | None) -> VideoRef:
    """Validate `raw` as the URL of one YouTube video; raise 400 saying why not."""
    if raw is None or not raw.strip():
        raise BadRequest("Missing query parameter url", "Send ?url=<a YouTube video URL>", reason="invalid_url")
    text = raw.strip()
    if len(text) > MAX_URL_LENGTH:
        raise _reject(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise _reject("the URL contains spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port  # urlsplit defers some checks to .port (a port that is not a number)
    except ValueError:  # a stray '[', a port out of range, a host that NFKC-normalises to a '/'
        raise _reject("the URL is malformed (host or port)") from None
    scheme = parts.scheme.lower()
    if not scheme and not parts.netloc and "/" not in text and YoutubeIE.suitable(text):
        # YoutubeIE accepts a bare 11-character id; an API caller must say what it means.
        raise _reject("a bare video id is not accepted; send the full URL, e.g. https://www.youtube.com/watch?v=ID")
    if scheme not in ("http", "https"):
        raise _reject("the URL must start with https:// (or http://)")
    if parts.username is not None or parts.password is not None or port is not None:
        raise _reject("the URL must not carry a user name, password or port")
    host = (parts.hostname or "").rstrip(".")
    if host not in YOUTUBE_HOSTS:
        raise _reject(f"{host or 'the host'} is not YouTube")
    # Filter the raw text: re-encoding would change what yt-dlp matches (e.g. `&amp;v=`).
    query = "&".join(p for p in parts.query.split("&") if p.split("=", 1)[0] not in PLAYLIST_PARAMS)
    normalized = urlunsplit((scheme, host, parts.path, query, ""))
    if not YoutubeIE.suitable(normalized):
        segment = parts.path.strip("/").split("/")[0]
        if segment.startswith("@"):
            raise _reject("channel handles are not supported; send the URL of one video")
        raise _reject(_NOT_A_VIDEO.get(segment, "it does not name a single YouTube video"))
    return VideoRef(YoutubeIE._match_id(normalized))
