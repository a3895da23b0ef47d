"""bench/fit_tempo.py: the conditional logit learns a separable choice, and --write edits one block."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import fit_tempo  # noqa: E402

from functions.analysis import metrical  # noqa: E402


def test_fit_tempo_learns_the_feature_that_marks_the_truth():
    rng = np.random.default_rng(7)
    n = len(metrical.FEATURES)
    mark = metrical.FEATURES.index("sal")
    data = []
    for _ in range(40):
        x = rng.normal(size=(4, n))
        y = int(rng.integers(4))
        x[y, mark] += 3.0  # the true candidate always has the higher salience
        data.append((x, y))
    w = fit_tempo.fit(data, 0.3)
    assert int(np.argmax(np.abs(w))) == mark and w[mark] > 0
    assert np.mean([int(np.argmax(x @ w)) == y for x, y in data]) > 0.9


def test_fit_tempo_write_replaces_exactly_one_weights_block(tmp_path):
    module = tmp_path / "metrical.py"
    module.write_text(Path(metrical.__file__).read_text())
    weights = {name: float(i) for i, name in enumerate(metrical.FEATURES)}
    fit_tempo.write_weights(weights, module)
    namespace: dict = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    assert namespace["WEIGHTS"] == weights
    module.write_text("WEIGHTS = dict()\n")
    with pytest.raises(SystemExit):
        fit_tempo.write_weights(weights, module)
