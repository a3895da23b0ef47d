"""Amazon Bedrock through the Converse API.

Timeout arithmetic (documented in README): the Lambda timeout (settings.json) sits under API
Gateway's 29 s; Deadline keeps 1 s in reserve for the error response; each attempt's read
timeout is min(remaining, READ_TIMEOUT_CAP_S); botocore's standard retry mode retries
throttling and 5xx, and a `before-send` hook refuses to start an attempt (the first or a
retry) unless its whole read timeout (and at least MIN_ATTEMPT_S) still fits, so no attempt
can run past the deadline."""

from __future__ import annotations

import contextvars
import functools
import os
import time
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from functions.common import errors
from functions.common.config import env_int
from functions.common.deadline import Deadline
from functions.poetry.model_catalog import ModelCatalog
from functions.poetry.poem import Poem
from functions.poetry.prompt import POEM_CLOSE, build_prompt, extract_poem

MAX_TOKENS = 900  # default output cap; POETRY_MAX_TOKENS may lower or raise it up to MAX_TOKENS_LIMIT
MAX_TOKENS_LIMIT = 1500  # a poem of 3-5 stanzas is about 300 tokens; more is a runaway, not a poem
TEMPERATURE = 0.8
READ_TIMEOUT_CAP_S = 20
MIN_ATTEMPT_S = 2.0
MAX_ATTEMPTS = 3
_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("bedrock_deadline", default=None)

# Bedrock error codes -> our typed errors; the one place this mapping lives. The model comes from
# the server's allow-list and the request is built here, so access, validation and "not found"
# are the deployment's faults: 5xx, which the API's 5XXError alarm sees, not a caller's 4xx.
_ERRORS: dict[str, tuple[type[errors.ApiError], str]] = {
    "AccessDeniedException": (
        errors.ServiceUnavailable,
        "Bedrock denied access to the model; enable model access "
        "for it in the Bedrock console and allow bedrock:InvokeModel on it",
    ),
    "ThrottlingException": (errors.TooManyRequests, "Bedrock is throttling requests; try again shortly"),
    "ServiceQuotaExceededException": (errors.TooManyRequests, "The Bedrock quota is exhausted; try again later"),
    "ModelTimeoutException": (errors.GatewayTimeout, "The model took too long to answer"),
    "ServiceUnavailableException": (errors.ServiceUnavailable, "Bedrock is unavailable; try again shortly"),
    "ModelNotReadyException": (errors.ServiceUnavailable, "The model is not ready yet; try again shortly"),
    "InternalServerException": (errors.ServiceUnavailable, "Bedrock had an internal error; try again"),
    "ValidationException": (errors.BadGateway, "Bedrock rejected the request for this model"),
    "ResourceNotFoundException": (errors.ServiceUnavailable, "The model does not exist in this region"),
}


def _check_deadline(read_timeout: int, **_kwargs) -> None:
    # Runs before every attempt, retries included (botocore emits before-send per attempt). An
    # attempt may wait its client's whole read timeout, so it starts only if that still fits.
    deadline = _deadline.get()
    if deadline is not None and deadline.remaining() < max(MIN_ATTEMPT_S, read_timeout):
        raise errors.GatewayTimeout(
            "The poem could not be written in time",
            "Bedrock did not answer before the request deadline",
            reason="deadline",
        )


@lru_cache(maxsize=8)
def _client(region: str, read_timeout: int, endpoint: str | None):
    config = Config(
        region_name=region,
        connect_timeout=2,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
    )
    client = boto3.client("bedrock-runtime", config=config)
    client.meta.events.register(
        "before-send.bedrock-runtime.Converse", functools.partial(_check_deadline, read_timeout)
    )
    return client


def client_for(deadline: Deadline):
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    read_timeout = int(max(1, min(deadline.remaining(), READ_TIMEOUT_CAP_S)))
    return _client(region, read_timeout, os.environ.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"))


def max_tokens(env=os.environ) -> int:
    return env_int(env, "POETRY_MAX_TOKENS", MAX_TOKENS, low=64, high=MAX_TOKENS_LIMIT)


def _map_client_error(exc: ClientError, logger) -> errors.ApiError:
    code = exc.response.get("Error", {}).get("Code", "Unknown")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    logger.warning("bedrock error", extra={"bedrock_error_code": code, "http_status": status})
    cls, message = _ERRORS.get(code, (errors.InternalError, "Bedrock failed unexpectedly"))
    return cls(message, f"Bedrock error code: {code}", reason=f"bedrock_{code}")


class BedrockProvider:
    name = "bedrock"

    def __init__(self, *, logger, catalog: ModelCatalog | None = None, client_factory=client_for, meter=None):
        """`meter(usd)` is called with the list price of every answered call, empty poems
        included (their tokens are billed too), before anything else can fail."""
        self.logger = logger
        self.catalog = catalog or ModelCatalog.from_env()
        self.client_factory = client_factory
        self.meter = meter or (lambda usd: None)

    def write(self, request, deadline: Deadline):
        model = self.catalog.resolve(request.model)
        if self.catalog.prices(model) is None:  # unpriced means unmetered: refuse before spending
            raise errors.ServiceUnavailable("The model has no price", "Add it to functions/poetry/bedrock_prices.json")
        cap = max_tokens()
        prompt = build_prompt(
            features=request.features, persona=request.persona, language=request.language, max_tokens=cap
        )
        deadline.require(MIN_ATTEMPT_S, "Bedrock call")
        token = _deadline.set(deadline)
        started = time.perf_counter()
        try:
            response = self.client_factory(deadline).converse(
                modelId=model,
                system=[{"text": prompt.system}],
                messages=[{"role": "user", "content": [{"text": prompt.user}]}],
                inferenceConfig={"maxTokens": cap, "temperature": TEMPERATURE, "stopSequences": [POEM_CLOSE]},
            )
        except ClientError as exc:
            raise _map_client_error(exc, self.logger) from None
        except (ReadTimeoutError, ConnectTimeoutError):
            raise errors.GatewayTimeout("The model took too long to answer", "Bedrock timed out") from None
        except NoCredentialsError:
            raise errors.ServiceUnavailable("Bedrock is not configured", "No AWS credentials are available") from None
        except (EndpointConnectionError, BotoCoreError) as exc:
            self.logger.warning("bedrock unreachable", extra={"error_type": type(exc).__name__})
            raise errors.ServiceUnavailable("Bedrock could not be reached", type(exc).__name__) from None
        finally:
            _deadline.reset(token)
        latency_ms = (time.perf_counter() - started) * 1000
        blocks = response.get("output", {}).get("message", {}).get("content", [])
        cut = response.get("stopReason") == "max_tokens"
        if cut:  # the prompt is shaped to fit the cap; a cut poem means the estimate was short
            self.logger.warning("poem cut at maxTokens", extra={"max_tokens": cap, "model": model})
        text = extract_poem("".join(block.get("text", "") for block in blocks), cut=cut)
        usage = response.get("usage", {})
        # Missing usage is priced as the worst case (prompt at ~3 characters a token, full cap).
        tokens_in = usage.get("inputTokens")
        tokens_out = usage.get("outputTokens")
        cost = self.catalog.cost_usd(
            model,
            input_tokens=tokens_in if tokens_in is not None else (len(prompt.system) + len(prompt.user)) // 3,
            output_tokens=tokens_out if tokens_out is not None else cap,
        )
        self.meter(cost)
        if not text:
            raise errors.BadGateway("The model returned an empty poem", f"stopReason: {response.get('stopReason')}")
        return Poem(
            text=text,
            provider=self.name,
            model=model,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            latency_ms=latency_ms,
            cost_usd=cost,
        )
