"""Execution environments as Lambda runs them, for the local API.

Each function has a pool. An invocation takes an idle environment (a warm start) or starts a
new one (a cold start) while the pool is below the function's concurrency; beyond it, Lambda
throttles. An environment runs one invocation at a time. One whose invocation overran its
timeout is discarded: Lambda stops it, so its late result reaches nobody and it never serves
again. Python cannot stop a thread, so the discarded thread finishes in the background and
then exits; it no longer counts against the concurrency, as in Lambda. When API Gateway's
29 s runs out first, the environment stays busy until the invocation ends or reaches its own
timeout, as Lambda keeps it.

Environments share this process and its imported modules (one import per function), so a
cold start's init time is the import on the first start and near zero afterwards."""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.local_api.context import LambdaContext

log = logging.getLogger("local_api")


class Throttled(Exception):
    """Every environment of the function is busy and the pool is at its concurrency."""


@dataclass
class Invocation:
    """One call of a handler, handed to an environment and awaited by the gateway."""

    event: dict
    function_name: str
    memory_mb: int
    timeout_s: float
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: threading.Event = field(default_factory=threading.Event)  # init done, handler called
    done: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0
    init_ms: float | None = None
    result: Any = None
    error: BaseException | None = None
    abandoned: bool = False  # the gateway stopped waiting: the result is ignored


class Environment:
    """A worker thread that keeps its handler loaded and runs one invocation at a time."""

    def __init__(self, function: str, number: int, load_handler: Callable[[], Callable]):
        self.function = function
        self.number = number
        self._load_handler = load_handler
        self._handler: Callable | None = None
        self._inbox: queue.SimpleQueue[Invocation | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=f"lambda-{function}-{number}", daemon=True)
        self._thread.start()

    def submit(self, invocation: Invocation) -> None:
        self._inbox.put(invocation)

    def stop(self) -> None:
        """Exit after the invocation in hand, if any."""
        self._inbox.put(None)

    def _loop(self) -> None:
        while (invocation := self._inbox.get()) is not None:
            self._run(invocation)

    def _run(self, invocation: Invocation) -> None:
        try:
            if self._handler is None:  # the Init phase of a cold start
                began = time.perf_counter()
                self._handler = self._load_handler()
                invocation.init_ms = (time.perf_counter() - began) * 1000
            context = LambdaContext(
                function_name=invocation.function_name,
                memory_limit_in_mb=invocation.memory_mb,
                timeout_s=invocation.timeout_s,
                aws_request_id=invocation.request_id,
            )
            invocation.started_at = time.monotonic()
            invocation.started.set()
            invocation.result = self._handler(invocation.event, context)
        except BaseException as exc:  # noqa: BLE001 - Lambda reports any unhandled error; so do we
            invocation.error = exc
        finally:  # done first: a waiter woken by `started` after a failed init must see it
            invocation.done.set()
            invocation.started.set()
        if invocation.abandoned:
            log.warning(
                "%s environment %d finished request %s after the gateway stopped waiting; its result is ignored",
                self.function,
                self.number,
                invocation.request_id,
            )


class Pool:
    """The environments of one function, at most `concurrency` of them alive at once."""

    def __init__(self, function: str, *, concurrency: int, load_handler: Callable[[], Callable]):
        if concurrency < 1:
            raise ValueError(f"{function}: concurrency must be at least 1")
        self.function = function
        self.concurrency = concurrency
        self._load_handler = load_handler
        self._lock = threading.Lock()
        self._idle: list[Environment] = []
        self._alive = 0
        self.started = 0  # environments ever started (cold starts)

    def acquire(self) -> tuple[Environment, bool]:
        """An idle environment (warm) or a new one (cold); Throttled when all are busy."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), False
            if self._alive >= self.concurrency:
                raise Throttled(f"{self.function}: all {self.concurrency} environments are busy")
            self._alive += 1
            self.started += 1
            number = self.started
        return Environment(self.function, number, self._load_handler), True

    def release(self, environment: Environment) -> None:
        with self._lock:
            self._idle.append(environment)  # last in, first out: the warmest one serves next

    def discard(self, environment: Environment) -> None:
        with self._lock:
            self._alive -= 1
        environment.stop()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._alive -= len(idle)
        for environment in idle:
            environment.stop()


def report_line(invocation: Invocation, environment: Environment, *, finished_at: float, status: str = "") -> str:
    """Lambda's REPORT line; `Init Duration` marks a cold start, as in CloudWatch."""
    duration_ms = max(0.0, (finished_at - invocation.started_at) * 1000) if invocation.started_at else 0.0
    parts = [
        f"REPORT RequestId: {invocation.request_id}",
        f"Function: {environment.function}",
        f"Environment: {environment.number}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {math.ceil(duration_ms + (invocation.init_ms or 0))} ms",
        f"Memory Size: {invocation.memory_mb} MB",
    ]
    if invocation.init_ms is not None:
        parts.append(f"Init Duration: {invocation.init_ms:.2f} ms")
    if status:
        parts.append(f"Status: {status}")
    return "\t".join(parts)
