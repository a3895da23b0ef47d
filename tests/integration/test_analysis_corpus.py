"""Accuracy on the rendered ground truth (`make bench-corpus`), when it has been rendered.

The corpus lives outside git (.cache/bench/corpus); the committed fixtures cover the default
run (test_analysis_cli_lambda.py). Targets are the issue's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".cache" / "bench" / "corpus"


def _benchmark():
    spec = importlib.util.spec_from_file_location("analysis_benchmark", ROOT / "bench" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_corpus_accuracy_meets_the_targets():
    if not (CORPUS / "manifest.json").exists():
        pytest.skip("ground truth not rendered: run `make bench-corpus`")
    bench = _benchmark()
    summary = bench.evaluate(CORPUS, opus=False)["summary"]
    targets = bench.TARGETS
    assert summary["music"] >= 40 and summary["speech"] >= 5
    assert summary["tempoAcc1"] >= targets["tempoAcc1"]
    assert summary["tempoAcc2"] >= targets["tempoAcc2"]
    assert summary["keyMirex"] >= targets["keyMirex"]
    assert summary["loudnessMaxErrorLU"] <= targets["loudnessMaxErrorLU"]
    assert summary["speechMin"] > targets["speechMin"] and summary["musicSpeechMax"] < targets["musicSpeechMax"]
