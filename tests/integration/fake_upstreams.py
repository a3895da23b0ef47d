"""Loopback stand-ins for Bedrock Runtime and Ollama, driven by scripted replies.

Bedrock: boto3 honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME and then POSTs to
/model/<url-encoded model id>/converse; errors are signalled by status code plus the
`x-amzn-ErrorType` header, as the real service does."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


class FakeUpstream:
    def __init__(self):
        self.replies: list[tuple] = []  # (status, headers, body dict, delay_s)
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append(
                    {
                        "path": unquote(self.path),
                        "raw_path": self.path,
                        "body": json.loads(body or b"{}"),
                        "headers": dict(self.headers),
                    }
                )
                status, headers, payload, delay = outer.replies.pop(0) if len(outer.replies) > 1 else outer.replies[0]
                time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for key, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reply(self, status=200, body=None, headers=None, delay=0.0):
        self.replies.append((status, headers or {}, body if body is not None else {}, delay))
        return self

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def converse_ok(text="<poem>Line one\nLine two\n\nLine three\nLine four", tokens=(120, 80)):
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "stop_sequence",
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 42},
    }


# Bedrock error classes: (error code, Bedrock's HTTP status, the status our API answers). Access,
# validation and a missing model are the deployment's faults (the model is from our allow-list): 5xx.
# An unknown class is a 500: a new error is a defect to map, not a guess.
BEDROCK_ERROR_CASES = [
    ("AccessDeniedException", 403, 503),
    ("ThrottlingException", 429, 429),
    ("ServiceQuotaExceededException", 400, 429),
    ("ModelTimeoutException", 408, 504),
    ("ServiceUnavailableException", 503, 503),
    ("ModelNotReadyException", 429, 503),
    ("InternalServerException", 500, 503),
    ("ValidationException", 400, 502),
    ("ResourceNotFoundException", 404, 503),
    ("SomeNewUnmappedException", 400, 500),
]


def bedrock_error(code: str, status: int) -> dict:
    return {
        "status": status,
        "headers": {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/"},
        "body": {"message": f"fake {code}"},
    }
