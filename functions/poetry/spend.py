"""Spend safety: a hard daily Bedrock spend cap per environment and a per-client poem limit.

Counters live in DynamoDB when POETRY_COUNTER_TABLE is set (the cache table: hash key
`cache_key`, TTL attribute `expires_at`; keys `spend#<UTC day>` and `client#<ip>#<UTC day>`),
otherwise in an embedded SQLite store (memory, or the file POETRY_COUNTER_DB) for `make serve`.

- Spend: one consistent read before a Bedrock call refuses it once today's spend reaches
  POETRY_DAILY_BUDGET_USD (429, Retry-After = seconds to the next UTC day); each answered
  call adds its list price with one atomic ADD. Concurrent calls that passed the read may
  overshoot the cap by at most (reserved concurrency) x (one poem's price).
- Clients: one conditional UpdateItem per request increments today's and this minute's count
  of the source IP unless either is at its limit (429, Retry-After = to the next minute or day).
- A counter that cannot be read or written refuses the request (503): never unmetered spend."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from functions.common.config import env_float, env_int, env_str
from functions.common.errors import ApiError, ServiceUnavailable, TooManyRequests

DAY_S = 86_400
MINUTE_S = 60
SPEND_KEEP_S = 7 * DAY_S  # spend items outlive their day by a week, for a look back
# Defaults, defined here only; Terraform sets POETRY_DAILY_BUDGET_USD per workspace.
DEFAULT_DAILY_BUDGET_USD = 1.0
DEFAULT_CLIENT_PER_MINUTE = 6
DEFAULT_CLIENT_PER_DAY = 100


@dataclass(frozen=True)
class Limits:
    daily_budget_usd: float
    client_per_minute: int  # 0: no per-minute limit
    client_per_day: int  # 0: no daily ceiling

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        return cls(
            daily_budget_usd=env_float(env, "POETRY_DAILY_BUDGET_USD", DEFAULT_DAILY_BUDGET_USD, low=0.0),
            client_per_minute=env_int(env, "POETRY_CLIENT_LIMIT_PER_MINUTE", DEFAULT_CLIENT_PER_MINUTE, low=0),
            client_per_day=env_int(env, "POETRY_CLIENT_LIMIT_PER_DAY", DEFAULT_CLIENT_PER_DAY, low=0),
        )


def utc_day(now: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(now))


def seconds_to_next_day(now: float) -> int:
    return DAY_S - int(now) % DAY_S


def seconds_to_next_minute(now: float) -> int:
    return MINUTE_S - int(now) % MINUTE_S


class Counters(Protocol):
    def spent(self, day: str) -> float: ...

    def add_spend(self, day: str, usd: float, *, expires_at: int) -> None: ...

    def take(self, client: str, day: str, minute: int, *, per_minute: int, per_day: int, expires_at: int) -> str | None:
        """Count one request unless a limit is reached; return None, "minute" or "day"."""


class DynamoCounters:
    def __init__(self, *, client, table: str, key: str = "cache_key", ttl_attribute: str = "expires_at"):
        self._client, self._table, self._key, self._ttl = client, table, key, ttl_attribute

    def spent(self, day: str) -> float:
        item = self._client.get_item(
            TableName=self._table, Key={self._key: {"S": f"spend#{day}"}}, ConsistentRead=True
        ).get("Item")
        return float(item["usd"]["N"]) if item and "usd" in item else 0.0

    def add_spend(self, day: str, usd: float, *, expires_at: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={self._key: {"S": f"spend#{day}"}},
            UpdateExpression="ADD usd :usd SET #ttl = :ttl",
            ExpressionAttributeNames={"#ttl": self._ttl},
            ExpressionAttributeValues={":usd": {"N": f"{usd:.10f}"}, ":ttl": {"N": str(expires_at)}},
        )

    def take(self, client: str, day: str, minute: int, *, per_minute: int, per_day: int, expires_at: int) -> str | None:
        # One attribute per minute of the day: only counted requests create one, so an item
        # holds at most per_day of them, and the whole check-and-count is one conditional write.
        conditions, values = [], {":one": {"N": "1"}, ":ttl": {"N": str(expires_at)}}
        if per_day:
            conditions.append("(attribute_not_exists(day_count) OR day_count < :per_day)")
            values[":per_day"] = {"N": str(per_day)}
        if per_minute:
            conditions.append("(attribute_not_exists(#minute) OR #minute < :per_minute)")
            values[":per_minute"] = {"N": str(per_minute)}
        kwargs = {"ConditionExpression": " AND ".join(conditions)} if conditions else {}
        try:
            self._client.update_item(
                TableName=self._table,
                Key={self._key: {"S": f"client#{client}#{day}"}},
                UpdateExpression="ADD day_count :one, #minute :one SET #ttl = :ttl",
                ExpressionAttributeNames={"#minute": f"m{minute:04d}", "#ttl": self._ttl},
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **kwargs,
            )
        except Exception as exc:
            response = getattr(exc, "response", None) or {}
            if response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            old = response.get("Item") or {}
            day_count = int(old.get("day_count", {}).get("N", "0"))
            return "day" if per_day and day_count >= per_day else "minute"
        return None


class EmbeddedCounters:
    """SQLite in memory (default) or in a file; one lock makes each operation atomic."""

    def __init__(self, *, path: str = ":memory:", clock: Callable[[], float] = time.time):
        self._db = sqlite3.connect(path, check_same_thread=False)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS spend (day TEXT PRIMARY KEY, usd REAL, expires_at INTEGER)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS clients (key TEXT PRIMARY KEY, day_count INTEGER, minute INTEGER,"
                " minute_count INTEGER, expires_at INTEGER)"
            )
        self._lock, self._clock = threading.Lock(), clock

    def spent(self, day: str) -> float:
        with self._lock:
            row = self._db.execute("SELECT usd FROM spend WHERE day = ?", (day,)).fetchone()
        return row[0] if row else 0.0

    def add_spend(self, day: str, usd: float, *, expires_at: int) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM spend WHERE expires_at <= ?", (int(self._clock()),))
            self._db.execute(
                "INSERT INTO spend VALUES (?, ?, ?) ON CONFLICT(day) DO UPDATE SET usd = usd + excluded.usd,"
                " expires_at = excluded.expires_at",
                (day, usd, expires_at),
            )

    def take(self, client: str, day: str, minute: int, *, per_minute: int, per_day: int, expires_at: int) -> str | None:
        key = f"{client}#{day}"
        with self._lock, self._db:
            row = self._db.execute(
                "SELECT day_count, minute, minute_count FROM clients WHERE key = ?", (key,)
            ).fetchone()
            day_count, last_minute, minute_count = row or (0, minute, 0)
            minute_count = minute_count if last_minute == minute else 0
            if per_day and day_count >= per_day:
                return "day"
            if per_minute and minute_count >= per_minute:
                return "minute"
            self._db.execute("DELETE FROM clients WHERE expires_at <= ?", (int(self._clock()),))
            self._db.execute(
                "INSERT OR REPLACE INTO clients VALUES (?, ?, ?, ?, ?)",
                (key, day_count + 1, minute, minute_count + 1, expires_at),
            )
        return None


_CLIENT_REFUSALS = {
    "day": ("Too many poems today", "At most {} poems a day per client; try again after 00:00 UTC"),
    "minute": ("Too many poems this minute", "At most {} poems a minute per client"),
}


class SpendGuard:
    """Admits or refuses a poem before any provider runs, and meters what Bedrock billed."""

    def __init__(self, *, counters: Counters, limits: Limits, logger, clock: Callable[[], float] = time.time):
        self._counters, self._limits, self._logger, self._clock = counters, limits, logger, clock

    def admit(self, client: str, *, metered: bool) -> None:
        """Raises TooManyRequests (with retry_after_s) or ServiceUnavailable; returns when admitted."""
        now = self._clock()
        day = utc_day(now)
        if metered:
            spent = self._guarded("read", lambda: self._counters.spent(day))
            if spent >= self._limits.daily_budget_usd:
                self._logger.warning("daily spend cap reached", extra={"spent_usd": round(spent, 6), "day": day})
                raise TooManyRequests(
                    "The daily poem budget is used up",
                    "This environment's Bedrock spend reached its daily cap; try again after 00:00 UTC",
                    reason="spend_cap",
                    retry_after_s=seconds_to_next_day(now),
                )
        limits = self._limits
        if not (limits.client_per_minute or limits.client_per_day):
            return
        refused = self._guarded(
            "client",
            lambda: self._counters.take(
                client,
                day,
                int(now) % DAY_S // MINUTE_S,
                per_minute=limits.client_per_minute,
                per_day=limits.client_per_day,
                expires_at=int(now) + seconds_to_next_day(now) + 3600,
            ),
        )
        if refused:
            per, retry_after = (
                (limits.client_per_day, seconds_to_next_day(now))
                if refused == "day"
                else (limits.client_per_minute, seconds_to_next_minute(now))
            )
            message, details = _CLIENT_REFUSALS[refused]
            raise TooManyRequests(
                message, details.format(per), reason=f"client_{refused}_limit", retry_after_s=retry_after
            )

    def record(self, usd: float) -> None:
        """Adds a call's price to today's spend. Bedrock has answered and billed by now, so a
        failure here is logged loudly (with the amount) rather than thrown: a 503 would only
        make the client retry and spend again; the next admit's read fails closed anyway."""
        now = self._clock()
        day = utc_day(now)
        try:
            self._counters.add_spend(day, usd, expires_at=int(now) + seconds_to_next_day(now) + SPEND_KEEP_S)
        except Exception as exc:  # noqa: BLE001 - reported, see above
            self._logger.error(
                "spend not recorded",
                extra={"reason": "spend_counter", "operation": "add", "usd": usd, "error_type": type(exc).__name__},
            )

    def _guarded(self, operation: str, call):
        try:
            return call()
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - fail closed: no counter, no poem
            code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
            self._logger.error(
                "spend counter unavailable; refusing",
                extra={
                    "reason": "spend_counter",
                    "operation": operation,
                    "error_type": type(exc).__name__,
                    "error_code": code,
                },
            )
            raise ServiceUnavailable(
                "Poems are paused",
                "The spend counter is unavailable, so no poem can be metered",
                reason="spend_counter",
            ) from None


def _dynamodb():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "dynamodb",
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"}),
    )


@lru_cache(maxsize=4)
def _counters(table: str | None, db_path: str) -> Counters:
    # One store per container (and per local API process), so counts survive between requests.
    if table:
        return DynamoCounters(client=_dynamodb(), table=table)
    return EmbeddedCounters(path=db_path)


def guard_from_env(env: Mapping[str, str], *, logger, clock: Callable[[], float] = time.time) -> SpendGuard:
    limits = Limits.from_env(env)
    counters = _counters(env_str(env, "POETRY_COUNTER_TABLE"), env_str(env, "POETRY_COUNTER_DB", ":memory:"))
    return SpendGuard(counters=counters, limits=limits, logger=logger, clock=clock)
