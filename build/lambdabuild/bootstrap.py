"""Runs INSIDE the smoke sandbox as /var/runtime/bootstrap.py, under the sandbox's own
interpreter (standard library only). Mimics the Lambda Python runtime: sys.path order
(/var/task, then the layers, then the runtime's site-packages), handler from _HANDLER,
cwd /var/task, a context object, and the function's stdout going to the logs.

Writes one JSON line per invocation to the original stdout; the function's own prints
and logs go to stderr."""

import importlib
import json
import os
import sys
import time
import traceback

T_START = time.time()
results = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr

version = f"{sys.version_info.major}.{sys.version_info.minor}"
sys.path[:0] = ["/var/task", f"/opt/python/lib/python{version}/site-packages", "/opt/python"]
os.chdir("/var/task")


# Its own context class, not functions.local_api.context.LambdaContext: this file runs alone
# inside the sandbox on the standard library, where only the zips under test are importable
# (functions/local_api is never zipped), and it reads Lambda's own environment variables.
class Context:
    def __init__(self, request_id: str, timeout_s: float, invoked_at: float):
        name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_name = name
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = f"arn:aws:lambda:{os.environ['AWS_REGION']}:123456789012:function:{name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = invoked_at + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def emit(record: dict) -> None:
    results.write(json.dumps(record) + "\n")
    results.flush()


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as fh:
        invocations = json.load(fh)
    timeout_s = float(sys.argv[2])
    module_name, attr = os.environ["_HANDLER"].rsplit(".", 1)
    try:
        handler = getattr(importlib.import_module(module_name), attr)
    except Exception:
        emit({"phase": "init", "error": traceback.format_exc(), "t_start": T_START, "t_end": time.time()})
        return 1
    emit({"phase": "init", "t_start": T_START, "t_end": time.time(), "sys_path": sys.path})
    for i, inv in enumerate(invocations):
        started = time.time()
        ctx = Context(f"00000000-0000-4000-8000-{i:012d}", timeout_s, started)
        try:
            result = handler(inv["event"], ctx)
            emit({"phase": "invoke", "name": inv["name"], "t_start": started, "t_end": time.time(), "result": result})
        except Exception:
            emit(
                {
                    "phase": "invoke",
                    "name": inv["name"],
                    "t_start": started,
                    "t_end": time.time(),
                    "error": traceback.format_exc(),
                }
            )
    return 0


sys.exit(main())
