"""Optional cookies file and proxy URL for yt-dlp, from Secrets Manager (ARNs in the
environment). Values are cached per container for REFRESH_S, so rotated cookies are picked up
without a deploy; they are never logged and never put in a response. A secret that cannot be
read is skipped (logged by ARN only) and asked again after RETRY_S, not on every request: each
read may cost seconds of the request's 29."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")
REFRESH_S = 300.0
RETRY_S = 60.0


def _value(secret_string: str, key: str) -> str:
    # The console's key/value form stores JSON; a plain secret is the value itself.
    text = secret_string.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return text
        if isinstance(data, dict) and isinstance(data.get(key), str):
            return data[key].strip()
    return text


class SecretStore:
    """Reads the cookies and proxy secrets, at most once per REFRESH_S (RETRY_S after a failure).

    Parameters
    ----------
    client_factory : returns a boto3 ``secretsmanager`` client (created only if an ARN is set)
    cookies_arn, proxy_arn : secret ARNs, or None when not configured
    logger : where failures are reported (ARN and error code only)
    """

    def __init__(
        self,
        *,
        client_factory: Callable,
        cookies_arn: str | None,
        proxy_arn: str | None,
        logger,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._client_factory = client_factory
        self._arns = {"cookies": cookies_arn, "url": proxy_arn}
        self._values: dict[str, tuple[str | None, float]] = {}  # key -> (value, when to read again)
        self._seen: set[str] = set()  # every value read, for redact: a rotated-out one may still echo
        self._lock = threading.Lock()
        self._logger = logger
        self._clock = clock

    def _get(self, key: str) -> str | None:
        arn = self._arns[key]
        if not arn:
            return None
        with self._lock:
            cached = self._values.get(key)
            if cached is not None and self._clock() < cached[1]:
                return cached[0]
            try:
                secret = self._client_factory().get_secret_value(SecretId=arn)
            except Exception as exc:  # noqa: BLE001 - an unreadable secret degrades, never fails
                code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
                self._logger.warning(
                    "secret unreadable; continuing without it", extra={"secret_arn": arn, "error_code": code}
                )
                self._values[key] = (None, self._clock() + RETRY_S)
                return None
            value = _value(secret.get("SecretString") or "", key) or None
            if value:
                self._seen.add(value)
            self._values[key] = (value, self._clock() + REFRESH_S)
            return value

    def cookies(self) -> str | None:
        """Netscape cookies.txt text for yt-dlp's `cookiefile`."""
        return self._get("cookies")

    def proxy(self) -> str | None:
        """Proxy URL for yt-dlp (http, https or socks), or None if unset or malformed."""
        value = self._get("url")
        if value and urlsplit(value).scheme.lower() not in PROXY_SCHEMES:
            self._logger.warning(
                "proxy secret is not a proxy URL; ignoring it", extra={"secret_arn": self._arns["url"]}
            )
            return None
        return value

    def redact(self, text: str) -> str:
        """`text` with every cached secret value, cookie value and proxy password replaced."""
        for value in list(self._seen):
            parts = [value]
            password = urlsplit(value).password if "://" in value else None
            if password:
                parts.append(password)
            # cookies.txt: domain, flag, path, secure, expiry, name, value (tab-separated)
            parts += [line.split("\t")[6] for line in value.splitlines() if line.count("\t") >= 6]
            for part in sorted(parts, key=len, reverse=True):
                if len(part) >= 4:
                    text = text.replace(part, "[secret]")
        return text
