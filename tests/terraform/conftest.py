"""Fixtures for the static Terraform checks (helpers live in workspaces.py)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml
from workspaces import (
    DESIGN_FUNCTIONS,
    DESIGN_PATH,
    TERRAFORM,
    TEST_VARS,
    WORKSPACES,
    contract,
    evaluate,
    settings,
    workspace_plan,
)


@pytest.fixture(params=WORKSPACES)
def workspace(request) -> str:
    return request.param


@pytest.fixture
def plan(workspace) -> dict:
    return workspace_plan(workspace)


@pytest.fixture(scope="session")
def full_stack(tmp_path_factory) -> dict:
    """tfparse output (dev) for a copy of terraform/ whose settings and contract include
    youtube and the internal analysis function, plus a secret for youtube."""
    base = tmp_path_factory.mktemp("stack")
    shutil.copytree(TERRAFORM, base / "terraform", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (base / "functions").mkdir()
    (base / "tests" / "terraform").mkdir(parents=True)
    shutil.copytree(Path(__file__).parent / "fixtures", base / "tests" / "terraform" / "fixtures")
    data = settings()
    for name, spec in DESIGN_FUNCTIONS.items():
        data["functions"].setdefault(name, copy.deepcopy(spec))
    (base / "functions" / "settings.json").write_text(json.dumps(data), encoding="utf-8")
    spec = contract()
    if not any(
        op.get("x-function") == "youtube"
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
    ):
        spec["paths"].update(copy.deepcopy(DESIGN_PATH))
    (base / "functions" / "openapi.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    secrets = base / "terraform" / "secrets.tfvars"
    secrets.write_text('function_secrets = { youtube = { YOUTUBE_COOKIES_SECRET = "music-poetry/dev/cookies" } }\n')
    plan = evaluate(base / "terraform", "dev", ["environments/dev.tfvars", TEST_VARS, "secrets.tfvars"])
    return {"plan": plan, "settings": data, "contract": spec}
