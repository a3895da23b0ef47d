from urllib.parse import urlsplit

import pytest
from yt_dlp.extractor.youtube import YoutubeIE

from functions.common.errors import BadRequest
from functions.youtube.urls import MAX_URL_LENGTH, YOUTUBE_HOSTS, parse_video_url

ID = "BaW_jenozKc"

ACCEPTED = [
    f"https://www.youtube.com/watch?v={ID}",
    f"http://www.youtube.com/watch?v={ID}",
    f"https://youtube.com/watch?v={ID}",
    f"https://www.youtube.com/watch?v={ID}&t=30s&si=AbCdEf&feature=share",
    f"https://www.youtube.com/watch?app=desktop&v={ID}",
    f"https://www.youtube.com/watch?v={ID}#t=3",
    f"https://youtu.be/{ID}",
    f"https://youtu.be/{ID}?si=xyz&t=5",
    f"https://www.youtube.com/shorts/{ID}",
    f"https://youtube.com/shorts/{ID}?feature=share",
    f"https://www.youtube.com/embed/{ID}?start=3",
    f"https://www.youtube.com/live/{ID}?si=1",
    f"https://m.youtube.com/watch?v={ID}&feature=youtu.be",
    f"https://music.youtube.com/watch?v={ID}",
    f"https://music.youtube.com/watch?v={ID}&list=RDAMVM{ID}",
    f"https://www.youtube.com/watch?v={ID}&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&index=3",
    f"https://www.youtube-nocookie.com/embed/{ID}",
    f"https://youtube-nocookie.com/embed/{ID}",
    f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}",
    f"  https://youtu.be/{ID}  ",
]

REJECTED = [
    (ID, "bare video id"),
    ("", "Missing"),
    (None, "Missing"),
    ("https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf", "playlists"),
    ("https://www.youtube.com/@SomeArtist", "handles"),
    ("https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", "channels"),
    ("https://www.youtube.com/c/SomeArtist", "channels"),
    ("https://www.youtube.com/user/SomeArtist", "channels"),
    ("https://www.youtube.com/results?search_query=lofi", "search pages"),
    ("https://www.youtube.com/feed/trending", "feeds"),
    ("https://www.youtube.com/", "single YouTube video"),
    ("https://www.youtube.com/watch?v=short", "single YouTube video"),
    ("https://vimeo.com/76979871", "vimeo.com is not YouTube"),
    (f"https://invidio.us/watch?v={ID}", "invidio.us is not YouTube"),
    (f"https://www.youtube.com.evil.example/watch?v={ID}", "is not YouTube"),
    (f"https://evil.example/?u=https://www.youtube.com/watch?v={ID}", "is not YouTube"),
    (f"ftp://www.youtube.com/watch?v={ID}", "https://"),
    (f"javascript:alert(1)//www.youtube.com/watch?v={ID}", "https://"),
    (f"file:///www.youtube.com/watch?v={ID}", "https://"),
    (f"//www.youtube.com/watch?v={ID}", "https://"),
    (f"www.youtube.com/watch?v={ID}", "https://"),
    (f"https://user:pw@www.youtube.com/watch?v={ID}", "user name"),
    (f"https://www.youtube.com:8443/watch?v={ID}", "port"),
    # urlsplit raises ValueError on these (or defers it to .port); they were 500s.
    (f"https://www.youtube.com:abc/watch?v={ID}", "malformed"),
    (f"https://www.youtube.com:99999/watch?v={ID}", "malformed"),
    (f"https://[www.youtube.com/watch?v={ID}", "malformed"),
    (f"https://www.youtube.com\uff0fwatch?v={ID}", "malformed"),  # a full-width solidus
    (f"https://www.youtube.com/watch?v={ID}&x=" + "a" * MAX_URL_LENGTH, "longer than"),
    (f"https://www.youtube.com/watch?v={ID} extra", "spaces"),
]


@pytest.mark.parametrize("url", ACCEPTED)
def test_youtube_urls_accepts_video_forms(url):
    ref = parse_video_url(url)
    assert ref.video_id == ID
    assert ref.url == f"https://www.youtube.com/watch?v={ID}"


@pytest.mark.parametrize(("url", "why"), REJECTED)
def test_youtube_urls_rejects_with_reason(url, why):
    with pytest.raises(BadRequest) as info:
        parse_video_url(url)
    assert info.value.status == 400
    assert why in f"{info.value.message} {info.value.details}"


def test_youtube_urls_strips_surrounding_whitespace_only():
    assert parse_video_url(f"https://www.youtube.com/watch?v={ID}\n").video_id == ID


def test_youtube_urls_playlist_parameter_does_not_change_the_video():
    with_list = parse_video_url(f"https://www.youtube.com/watch?v={ID}&list=PL0123456789")
    # yt-dlp itself hands such URLs to the playlist extractor; noplaylist semantics keep the video.
    assert not YoutubeIE.suitable(f"https://www.youtube.com/watch?v={ID}&list=PL0123456789")
    assert with_list.video_id == ID


# Every URL in yt-dlp's own YoutubeIE test table, imported from the installed package.
YTDLP_TESTS = [t["url"] for t in YoutubeIE._TESTS]


def test_youtube_urls_ytdlp_table_is_present():
    assert len(YTDLP_TESTS) >= 20


@pytest.mark.parametrize("url", YTDLP_TESTS)
def test_youtube_urls_ytdlp_table_url_matches_ytdlps_id_or_is_refused_on_purpose(url):
    parts = urlsplit(url)
    try:
        ref = parse_video_url(url)
    except BadRequest as exc:
        # Only what we reject on purpose: bare ids, scheme-less URLs and non-YouTube mirrors.
        if not parts.scheme and not parts.netloc:
            assert "bare video id" in exc.details
        elif not parts.scheme:
            assert "https://" in exc.details
        elif (parts.hostname or "").lower() not in YOUTUBE_HOSTS:
            assert "is not YouTube" in exc.details
        else:
            # A YouTube-host URL yt-dlp accepts only in its HTML-escaped test form.
            assert "&amp;" in url, f"{url} rejected: {exc.details}"
        return
    assert (parts.hostname or "").lower() in YOUTUBE_HOSTS
    assert ref.video_id in url
    assert ref.video_id == YoutubeIE._match_id(url)
    assert ref.url == f"https://www.youtube.com/watch?v={ref.video_id}"
