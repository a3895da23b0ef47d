import socket

import pytest
from fake_upstreams import FakeUpstream

from functions.common import errors
from functions.common.deadline import Deadline
from functions.common.observability import logger_for
from functions.poetry.ollama import OllamaProvider
from functions.poetry.poem import PoemRequest

REQUEST = PoemRequest(features={"tempo": 70, "valence": 0.2}, persona="noir", language="ko")


@pytest.fixture
def fake_ollama():
    fake = FakeUpstream()
    yield fake
    fake.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ollama_writes_the_poem_it_answers(fake_ollama):
    fake_ollama.reply(
        body={
            "message": {"role": "assistant", "content": "<poem>비가 내린다\n도시가 운다</poem>"},
            "prompt_eval_count": 50,
            "eval_count": 30,
        }
    )
    poem = OllamaProvider(logger=logger_for("t"), url=fake_ollama.url, model="llama3.2").write(
        REQUEST, Deadline(lambda: 25_000)
    )
    assert poem.text == "비가 내린다\n도시가 운다"
    assert (poem.provider, poem.model, poem.input_tokens, poem.output_tokens) == ("ollama", "llama3.2", 50, 30)
    sent = fake_ollama.requests[0]
    assert sent["path"] == "/api/chat" and sent["body"]["stream"] is False
    assert sent["body"]["messages"][0]["role"] == "system" and "Korean" in sent["body"]["messages"][0]["content"]


def test_ollama_poem_cut_at_num_predict_loses_only_its_broken_line(fake_ollama):
    fake_ollama.reply(body={"message": {"content": "<poem>비가 내린다\n도시가 운다\n\n밤이"}, "done_reason": "length"})
    poem = OllamaProvider(logger=logger_for("t"), url=fake_ollama.url, model="llama3.2").write(
        REQUEST, Deadline(lambda: 25_000)
    )
    assert poem.text == "비가 내린다\n도시가 운다"


def test_ollama_not_running_is_503(monkeypatch):
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(errors.ServiceUnavailable) as info:
        OllamaProvider(logger=logger_for("t"), url=url).write(REQUEST, Deadline(lambda: 25_000))
    assert info.value.message == f"Ollama is not running at {url}"


def test_ollama_missing_model_is_503_with_pull_hint(fake_ollama):
    fake_ollama.reply(404, {"error": "model 'nope' not found, try pulling it first"})
    with pytest.raises(errors.ServiceUnavailable) as info:
        OllamaProvider(logger=logger_for("t"), url=fake_ollama.url, model="nope").write(
            REQUEST, Deadline(lambda: 25_000)
        )
    assert "ollama pull nope" in info.value.details


def test_ollama_slow_answer_is_504(fake_ollama):
    fake_ollama.reply(body={"message": {"content": "late"}}, delay=2.5)
    with pytest.raises(errors.GatewayTimeout):
        OllamaProvider(logger=logger_for("t"), url=fake_ollama.url).write(
            REQUEST, Deadline(lambda: 2_500, reserve_s=1.0)
        )


def test_ollama_empty_answer_is_502(fake_ollama):
    fake_ollama.reply(body={"message": {"content": "   "}})
    with pytest.raises(errors.BadGateway):
        OllamaProvider(logger=logger_for("t"), url=fake_ollama.url).write(REQUEST, Deadline(lambda: 25_000))


def test_ollama_through_local_api(fake_ollama, start_api, monkeypatch):
    fake_ollama.reply(body={"message": {"content": "<poem>one\ntwo</poem>"}})
    api = start_api()
    monkeypatch.setenv("POETRY_PROVIDER", "ollama")
    monkeypatch.setenv("OLLAMA_URL", fake_ollama.url)
    monkeypatch.setenv("OLLAMA_MODEL", "gemma3")
    reply = api.request("POST", "/api/poetry/generate", body={"audioFeatures": {}, "persona": "zen", "language": "en"})
    assert reply.status == 200 and reply.json()["model"] == "gemma3" and reply.json()["poetry"] == "one\ntwo"
