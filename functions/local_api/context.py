"""The one fake Lambda context: the local API, the tests and the bench build theirs here.
(build/lambdabuild/bootstrap.py keeps its own: the build runs on the standard library alone.)"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

LOCAL_ACCOUNT = "123456789012"


@dataclass
class LambdaContext:
    """The parts of the Lambda context object our code and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{LOCAL_ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self._started)) * 1000))
