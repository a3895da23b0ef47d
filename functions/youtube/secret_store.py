"""Optional cookies file and proxy URL for yt-dlp, from Secrets Manager (ARNs in the
environment). Values are cached per container, never logged and never put in a response;
a secret that cannot be read is skipped (logged by ARN only) and retried next request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


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
    """Reads the cookies and proxy secrets once per container.

    Parameters
    ----------
    client_factory : returns a boto3 ``secretsmanager`` client (created only if an ARN is set)
    cookies_arn, proxy_arn : secret ARNs, or None when not configured
    logger : where failures are reported (ARN and error code only)
    """

    def __init__(self, *, client_factory: Callable, cookies_arn: str | None, proxy_arn: str | None, logger):
        self._client_factory = client_factory
        self._arns = {"cookies": cookies_arn, "url": proxy_arn}
        self._values: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._logger = logger

    def _get(self, key: str) -> str | None:
        arn = self._arns[key]
        if not arn:
            return None
        with self._lock:
            if key not in self._values:
                try:
                    secret = self._client_factory().get_secret_value(SecretId=arn)
                except Exception as exc:  # noqa: BLE001 - an unreadable secret degrades, never fails
                    code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
                    self._logger.warning(
                        "secret unreadable; continuing without it", extra={"secret_arn": arn, "error_code": code}
                    )
                    return None
                self._values[key] = _value(secret.get("SecretString") or "", key) or None
            return self._values[key]

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
        for value in list(self._values.values()):
            if not value:
                continue
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
