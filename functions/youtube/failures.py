"""yt-dlp failures as typed API errors (status and metric `reason` on each).

yt-dlp reports YouTube's refusals (bot check, private, removed, age gate) only as the text of
an `ExtractorError`: YouTube's playability `reason` plus yt-dlp's hints. So this module is the
one place that reads yt-dlp messages; everything after it sees typed errors only. Exception
types (geo restriction, HTTP status, transport) are checked before any text."""

from __future__ import annotations

import socket
from collections.abc import Callable

from yt_dlp.networking.exceptions import HTTPError, ProxyError, RequestError, TransportError
from yt_dlp.utils import ExtractorError, GeoRestrictedError, UnsupportedError

from functions.common.errors import (
    ApiError,
    BadGateway,
    BadRequest,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
)


def refused(details: str) -> ServiceUnavailable:
    return ServiceUnavailable("YouTube refused this server", details, reason="refused")


def not_found(kind: str) -> NotFound:
    return NotFound("The video is not available", f"YouTube says the video is {kind}.", reason=kind)


def live() -> PayloadTooLarge:
    return PayloadTooLarge(
        "Live streams cannot be analysed",
        "Live streams and premieres that have not finished have no fixed length; "
        "try again once the recording is published.",
        reason="live",
    )


BOT_CHECK = (
    "not a bot",
    "not a robot",
    "captcha",
    "unusual traffic",
    "rate-limited",
    "this content isn't available, try again later",
)
# (phrases in YouTube's reason, error factory) in priority order; "sign in" is in several.
_BY_TEXT: tuple[tuple[tuple[str, ...], Callable[[], ApiError]], ...] = (
    (
        BOT_CHECK,
        lambda: refused(
            "YouTube asked this server to sign in to confirm it is not a bot; "
            "cloud addresses are often refused. Try again later."
        ),
    ),
    (("private video",), lambda: not_found("private")),
    (
        ("confirm your age", "age-restricted", "inappropriate for some users"),
        lambda: Forbidden(
            "The video is age-restricted", "Age-restricted videos cannot be analysed.", reason="age_restricted"
        ),
    ),
    (
        ("members-only", "join this channel"),
        lambda: Forbidden(
            "The video is for channel members only", "Only members of its channel can play it", reason="members_only"
        ),
    ),
    (
        ("drm protected",),
        lambda: Forbidden("The video is DRM protected", "Its audio is encrypted and cannot be analysed", reason="drm"),
    ),
    (("live event will begin", "premieres in", "premiere will begin", "waiting for scheduled"), live),
    (
        ("requested format is not available",),
        lambda: BadGateway(
            "YouTube offered no downloadable audio for this video", "Try another video", reason="no_audio"
        ),
    ),
    (("has been removed", "no longer available", "account associated", "terminated"), lambda: not_found("removed")),
    (
        ("video unavailable", "is unavailable", "not available", "does not exist", "this video isn't available"),
        lambda: not_found("unavailable"),
    ),
    (
        ("sign in", "login required"),  # any other demand to sign in is the same refusal
        lambda: refused("YouTube asked this server to sign in. Try again later."),
    ),
)


def _chain(exc: BaseException):
    """The exception and everything it wraps (DownloadError.exc_info, ExtractorError.cause, __cause__)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        exc_info = getattr(current, "exc_info", None)
        if isinstance(exc_info, tuple) and len(exc_info) > 1:
            todo.append(exc_info[1])
        todo.extend([getattr(current, "cause", None), current.__cause__, current.__context__])


def _wraps_network_error(exc: ExtractorError) -> bool:
    inner = [exc.cause, exc.exc_info[1] if isinstance(exc.exc_info, tuple) else None]
    return any(isinstance(e, (RequestError, OSError)) for e in inner)


def _message(exc: BaseException) -> str:
    text = getattr(exc, "orig_msg", None) or getattr(exc, "msg", None) or str(exc)
    return str(text).lower().replace("\u2019", "'")


def _by_status(status: int) -> ApiError:
    if status in (403, 429):
        return refused(
            f"YouTube answered HTTP {status} to this server; cloud addresses are often "
            "refused or rate-limited. Try again later."
        )
    if status in (404, 410):
        return not_found("unavailable")
    return BadGateway("YouTube answered with an error", f"HTTP {status}", reason="upstream_error")


def _by_type(exc: BaseException) -> ApiError | None:
    if isinstance(exc, GeoRestrictedError):
        return Forbidden(
            "The video is not available in this server's region",
            "YouTube restricts this video by country.",
            reason="geo_restricted",
        )
    if isinstance(exc, UnsupportedError):
        return BadRequest("Unsupported URL", "yt-dlp has no extractor for this URL.", reason="unsupported_url")
    if isinstance(exc, HTTPError):
        return _by_status(exc.status)
    if isinstance(exc, ProxyError):
        return ServiceUnavailable("Could not reach YouTube", "The configured proxy failed.", reason="proxy")
    if isinstance(exc, (TransportError, socket.timeout, ConnectionError)):
        return ServiceUnavailable("Could not reach YouTube", "A network error or timeout; try again.", reason="network")
    return None


def from_ytdlp(exc: BaseException, *, http_statuses: list[int] | tuple = ()) -> ApiError:
    """The API error for a yt-dlp failure (a DownloadError wrapping the cause, or the cause itself).

    `http_statuses` are the HTTP errors the session met: YoutubeIE downgrades a failed page
    fetch to a warning and then fails generically, so a 429 would otherwise be lost."""
    chain = list(_chain(exc))
    for item in chain:
        if isinstance(item, ApiError):  # raised by our own hooks inside yt-dlp
            return item
    # YouTube's own reasons come as ExtractorErrors without a cause (raise_no_formats); network
    # failures wrapped in an ExtractorError are judged by the wrapped exception's type below.
    for item in chain:
        if (
            isinstance(item, ExtractorError)
            and not _wraps_network_error(item)
            and not isinstance(item, GeoRestrictedError)
        ):
            message = _message(item)
            for phrases, make in _BY_TEXT:
                if any(p in message for p in phrases):
                    return make()
    for item in chain:
        mapped = _by_type(item)
        if mapped is not None:
            return mapped
    # yt-dlp's download retry loop reports its last error as text only (no exception attached).
    last = _message(chain[-1]) if chain else ""
    if "got error" in last or "unable to download video data" in last:
        if "http error 403" in last or "http error 429" in last:
            return refused("YouTube refused the media download to this server. Try again later.")
        return ServiceUnavailable(
            "Could not download the audio from YouTube", "A network error; try again.", reason="network"
        )
    for status in reversed(http_statuses):
        if status in (403, 429) or status >= 500:
            return _by_status(status)
    return BadGateway("YouTube extraction failed", "yt-dlp could not read this video.", reason="extraction_failed")
