"""The analysis handler in this process, for `make serve` and the tests: the youtube function's
`AnalysisInvoker` without Lambda. Lives here because the build never zips `functions/local_api`;
`functions.youtube.wiring` imports it only when ANALYSIS_INVOKER=local, which is refused inside
Lambda."""

from __future__ import annotations

import importlib
import json
from typing import Any

from functions.common.deadline import Deadline
from functions.common.errors import BadGateway, ServiceUnavailable
from functions.local_api.context import LambdaContext

LOCAL_HANDLER = "functions.analysis.handler.lambda_handler"


class LocalInvoker:
    """The analysis handler in this process, with JSON in and out as over the wire."""

    def __init__(self, handler_path: str | None = None, *, logger: Any = None):
        self.handler_path, self._logger = handler_path or LOCAL_HANDLER, logger

    def _handler(self):
        module_name, attr = self.handler_path.rsplit(".", 1)
        try:
            return getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ServiceUnavailable(
                "The analysis is not available", "the analysis function is not installed", reason="analysis_missing"
            ) from exc

    def warm(self) -> None:
        """Import the handler now (librosa takes seconds cold); a failure is left to the first invoke."""
        try:
            self._handler()
        except Exception:  # noqa: BLE001 - reported properly by the first real invoke
            pass

    def invoke(self, payload: bytes, *, deadline: Deadline) -> Any:
        handler = self._handler()
        context = LambdaContext(
            function_name="music-poetry-local-analysis", memory_limit_in_mb=2048, timeout_s=deadline.remaining()
        )
        try:
            result = handler(json.loads(payload), context)
        except Exception as exc:  # noqa: BLE001 - Lambda reports a crash as FunctionError
            if self._logger:
                self._logger.exception("analysis handler raised")
            raise BadGateway(
                "The analysis failed", "the analysis function raised an error", reason="analysis_crashed"
            ) from exc
        return json.loads(json.dumps(result))
