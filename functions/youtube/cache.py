"""Cached analyses, keyed by video id and analyzer version.

DynamoDB when CACHE_TABLE is set (hash key `cache_key`, TTL attribute `expires_at`, as in
terraform/modules/storage); otherwise an embedded SQLite store, in memory or in a file.
`SafeCache` makes every failure a miss: a cache outage never fails a request."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Protocol

DAY_S = 86_400


# The table also holds poetry's spend#/client# counters; the youtube function's IAM allows only
# keys with this prefix (dynamodb:LeadingKeys), so it cannot reset the Bedrock spend cap.
KEY_PREFIX = "video#"


def cache_key(video_id: str, analyzer_version: str) -> str:
    return f"{KEY_PREFIX}{video_id}#{analyzer_version}"


class Cache(Protocol):
    def get(self, video_id: str, analyzer_version: str) -> dict | None: ...

    def put(self, video_id: str, analyzer_version: str, value: dict) -> None: ...


class DynamoCache:
    """One item per key: `payload` holds the JSON text (floats stay floats, no Decimal)."""

    def __init__(
        self,
        *,
        client,
        table: str,
        ttl_days: float,
        ttl_attribute: str = "expires_at",
        clock: Callable[[], float] = time.time,
    ):
        self._client, self._table, self._ttl_s = client, table, ttl_days * DAY_S
        self._ttl_attribute, self._clock = ttl_attribute, clock

    def get(self, video_id: str, analyzer_version: str) -> dict | None:
        item = self._client.get_item(
            TableName=self._table, Key={"cache_key": {"S": cache_key(video_id, analyzer_version)}}
        ).get("Item")
        if not item:
            return None
        # TTL deletion runs up to days late; an expired item is a miss.
        expires = item.get(self._ttl_attribute, {}).get("N")
        if expires is not None and float(expires) <= self._clock():
            return None
        return json.loads(item["payload"]["S"])

    def put(self, video_id: str, analyzer_version: str, value: dict) -> None:
        now = self._clock()
        self._client.put_item(
            TableName=self._table,
            Item={
                "cache_key": {"S": cache_key(video_id, analyzer_version)},
                "video_id": {"S": video_id},
                "analyzer_version": {"S": analyzer_version},
                "payload": {"S": json.dumps(value, separators=(",", ":"))},
                "created_at": {"N": str(int(now))},
                self._ttl_attribute: {"N": str(int(now + self._ttl_s))},
            },
        )


class EmbeddedCache:
    """SQLite in memory (default) or in a file, with the same TTL semantics."""

    def __init__(self, *, path: str = ":memory:", ttl_days: float, clock: Callable[[], float] = time.time):
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS cache (cache_key TEXT PRIMARY KEY, payload TEXT, expires_at REAL)")
        self._lock, self._ttl_s, self._clock = threading.Lock(), ttl_days * DAY_S, clock

    def get(self, video_id: str, analyzer_version: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT payload, expires_at FROM cache WHERE cache_key = ?", (cache_key(video_id, analyzer_version),)
            ).fetchone()
        if row is None or row[1] <= self._clock():
            return None
        return json.loads(row[0])

    def put(self, video_id: str, analyzer_version: str, value: dict) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO cache VALUES (?, ?, ?)",
                (cache_key(video_id, analyzer_version), json.dumps(value), self._clock() + self._ttl_s),
            )


class SafeCache:
    """Wraps a cache so that any failure is logged, counted and treated as a miss."""

    def __init__(self, inner: Cache, *, logger, on_error: Callable[[str], None] = lambda op: None):
        self._inner, self._logger, self._on_error = inner, logger, on_error

    def get(self, video_id: str, analyzer_version: str) -> dict | None:
        try:
            value = self._inner.get(video_id, analyzer_version)
        except Exception as exc:  # noqa: BLE001 - an outage must not fail the request
            self._failed("get", exc)
            return None
        if value is not None and not (isinstance(value, dict) and "videoInfo" in value and "analysis" in value):
            self._failed("get", ValueError("cached value has the wrong shape"))
            return None
        return value

    def put(self, video_id: str, analyzer_version: str, value: dict) -> None:
        try:
            self._inner.put(video_id, analyzer_version, value)
        except Exception as exc:  # noqa: BLE001
            self._failed("put", exc)

    def _failed(self, op: str, exc: Exception) -> None:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
        self._logger.warning(
            "cache unavailable; continuing without it",
            extra={"operation": op, "error_type": type(exc).__name__, "error_code": code},
        )
        self._on_error(op)
