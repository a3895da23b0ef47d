"""Ollama's chat API (`OLLAMA_URL`, `OLLAMA_MODEL`) for poems on a laptop with a local model."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

from functions.common import errors
from functions.common.config import env_str
from functions.common.deadline import Deadline
from functions.poetry.poem import Poem
from functions.poetry.prompt import POEM_CLOSE, build_prompt, extract_poem

DEFAULT_URL = "http://127.0.0.1:11434"
DEFAULT_MODEL = "llama3.2"
MAX_TOKENS = 900
TIMEOUT_CAP_S = 25.0


class OllamaProvider:
    name = "ollama"

    def __init__(self, *, logger, url: str | None = None, model: str | None = None):
        self.logger = logger
        self.url = (url or env_str(os.environ, "OLLAMA_URL", DEFAULT_URL)).rstrip("/")
        self.model = model or env_str(os.environ, "OLLAMA_MODEL", DEFAULT_MODEL)

    def write(self, request, deadline: Deadline):
        prompt = build_prompt(
            features=request.features, persona=request.persona, language=request.language, max_tokens=MAX_TOKENS
        )
        timeout = min(deadline.require(1.0, "Ollama call"), TIMEOUT_CAP_S)
        payload = {
            "model": self.model,
            "stream": False,
            "messages": [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
            "options": {"temperature": 0.8, "num_predict": MAX_TOKENS, "stop": [POEM_CLOSE]},
        }
        req = urllib.request.Request(
            f"{self.url}/api/chat",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                data = json.loads(resp.read(2_000_000))
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except TimeoutError:
            raise errors.GatewayTimeout("Ollama took too long to answer", f"Model {self.model} at {self.url}") from None
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise errors.GatewayTimeout("Ollama took too long to answer", f"Model {self.model}") from None
            raise errors.ServiceUnavailable(
                f"Ollama is not running at {self.url}", "Start it with `ollama serve` or set OLLAMA_URL"
            ) from None
        except ValueError:
            raise errors.BadGateway(
                "Ollama returned something that is not JSON", f"Check that {self.url} is Ollama"
            ) from None
        cut = data.get("done_reason") == "length"  # Ollama's name for stopping at num_predict
        if cut:
            self.logger.warning("poem cut at num_predict", extra={"num_predict": MAX_TOKENS, "model": self.model})
        text = extract_poem(str((data.get("message") or {}).get("content", "")), cut=cut)
        if not text:
            raise errors.BadGateway("Ollama returned an empty poem", f"Model {self.model}")
        return Poem(
            text=text,
            provider=self.name,
            model=self.model,
            input_tokens=data.get("prompt_eval_count"),
            output_tokens=data.get("eval_count"),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _http_error(self, exc: urllib.error.HTTPError) -> errors.ApiError:
        try:
            message = json.loads(exc.read(10_000)).get("error", "")
        except ValueError:
            message = ""
        self.logger.warning("ollama error", extra={"http_status": exc.code, "ollama_error": message[:200]})
        if exc.code == 404:  # /api/chat exists on every Ollama; 404 means the model is missing
            return errors.ServiceUnavailable(
                f"Ollama has no model {self.model!r}", f"Run `ollama pull {self.model}` or set OLLAMA_MODEL"
            )
        return errors.BadGateway("Ollama failed to write the poem", f"HTTP {exc.code}")
