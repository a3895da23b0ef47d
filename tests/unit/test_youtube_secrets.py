"""Cookies and proxy from Secrets Manager (moto): read once per refresh period, never logged."""

import io
import json
import logging
import uuid

import boto3
import pytest
from aws_lambda_powertools import Logger
from moto import mock_aws

from functions.youtube import ytdl
from functions.youtube.secret_store import REFRESH_S, RETRY_S, SecretStore

COOKIES = "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t2000000000\tSID\tsecret-sid-value\n"
PROXY = "http://user:pr0xy-pa55@proxy.example:3128"


@pytest.fixture
def secretsmanager():
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        arns = {
            "cookies": client.create_secret(Name="music-poetry/dev/youtube-cookies", SecretString=COOKIES)["ARN"],
            "proxy": client.create_secret(Name="music-poetry/dev/youtube-proxy", SecretString=PROXY)["ARN"],
            "proxy_json": client.create_secret(Name="p-json", SecretString=json.dumps({"url": PROXY}))["ARN"],
            "bad_proxy": client.create_secret(Name="p-bad", SecretString="not a url")["ARN"],
        }
        yield client, arns


class Counting:
    def __init__(self, client):
        self.client, self.calls = client, 0

    def __call__(self):
        self.calls += 1
        return self

    def get_secret_value(self, **kwargs):
        return self.client.get_secret_value(**kwargs)


def test_youtube_secrets_read_once_per_container(secretsmanager, caplog):
    client, arns = secretsmanager
    factory = Counting(client)
    store = SecretStore(
        client_factory=factory, cookies_arn=arns["cookies"], proxy_arn=arns["proxy"], logger=logging.getLogger("t")
    )
    for _ in range(3):
        assert store.cookies() == COOKIES.strip()
        assert store.proxy() == PROXY
    assert factory.calls == 2  # one read per secret, then the container's copy


def _clocked_cookies(client, arn: str) -> tuple[SecretStore, Counting, list[float]]:
    """A cookies-only store on a clock the test sets (now[0], seconds)."""
    now, factory = [0.0], Counting(client)
    store = SecretStore(
        client_factory=factory, cookies_arn=arn, proxy_arn=None, logger=logging.getLogger("t"), clock=lambda: now[0]
    )
    return store, factory, now


def test_youtube_secrets_rotated_value_is_read_after_the_refresh_period(secretsmanager):
    client, arns = secretsmanager
    store, factory, now = _clocked_cookies(client, arns["cookies"])
    assert store.cookies() == COOKIES.strip()
    client.put_secret_value(SecretId=arns["cookies"], SecretString="rotated-cookies-text")
    now[0] = REFRESH_S - 1
    assert store.cookies() == COOKIES.strip() and factory.calls == 1  # still the container's copy
    now[0] = REFRESH_S
    assert store.cookies() == "rotated-cookies-text" and factory.calls == 2
    # The rotated-out value is still redacted: a yt-dlp message may echo it.
    assert "secret-sid-value" not in store.redact("cookie SID=secret-sid-value")


def test_youtube_secrets_unreadable_secret_is_asked_again_after_a_pause_not_per_request(secretsmanager):
    store, factory, now = _clocked_cookies(secretsmanager[0], secretsmanager[1]["cookies"] + "-gone")
    assert [store.cookies() for _ in range(3)] == [None, None, None] and factory.calls == 1
    now[0] = RETRY_S
    assert store.cookies() is None and factory.calls == 2


def test_youtube_secrets_by_name_and_json_form(secretsmanager):
    client, arns = secretsmanager
    store = SecretStore(
        client_factory=lambda: client,
        cookies_arn="music-poetry/dev/youtube-cookies",
        proxy_arn=arns["proxy_json"],
        logger=logging.getLogger("t"),
    )
    assert store.cookies() == COOKIES.strip()  # Terraform passes the secret's name
    assert store.proxy() == PROXY


def test_youtube_secrets_unset_means_no_client(secretsmanager):
    def never():
        raise AssertionError("no ARN, no Secrets Manager call")

    store = SecretStore(client_factory=never, cookies_arn=None, proxy_arn=None, logger=logging.getLogger("t"))
    assert store.cookies() is None and store.proxy() is None


def _json_logger():
    # Powertools keeps one handler per service name: a fresh name gets this stream.
    stream = io.StringIO()
    return Logger(service=f"youtube-test-{uuid.uuid4().hex}", stream=stream), stream


def test_youtube_secrets_missing_secret_degrades_and_is_logged_without_value(secretsmanager):
    client, arns = secretsmanager
    logger, stream = _json_logger()
    store = SecretStore(
        client_factory=lambda: client, cookies_arn=arns["cookies"] + "-gone", proxy_arn=arns["bad_proxy"], logger=logger
    )
    assert store.cookies() is None
    assert store.proxy() is None  # not a proxy URL
    assert "ResourceNotFoundException" in stream.getvalue()
    assert "not a url" not in stream.getvalue()


def test_youtube_secrets_never_reach_logs_or_ytdlp_warnings(secretsmanager, capsys, tmp_path):
    client, arns = secretsmanager
    logger, stream = _json_logger()
    store = SecretStore(
        client_factory=lambda: client, cookies_arn=arns["cookies"], proxy_arn=arns["proxy"], logger=logger
    )
    params = ytdl.base_params(
        workdir=tmp_path, logger=logger, redact=store.redact, proxy=store.proxy(), cookiefile=None, deno=None
    )
    store.cookies()
    # yt-dlp may echo a proxy URL or a cookie in a warning; what reaches our log is redacted.
    params["logger"].warning(f"Unable to connect to proxy {PROXY}: refused (password pr0xy-pa55)")
    params["logger"].warning(f"cookie SID=secret-sid-value {COOKIES}")
    params["logger"].error(f"ERROR: proxy {PROXY} failed")
    out = stream.getvalue() + capsys.readouterr().err
    assert out.count("[secret]") >= 3
    assert "pr0xy-pa55" not in out and "secret-sid-value" not in out
    assert params["proxy"] == PROXY
