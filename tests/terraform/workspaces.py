"""Helpers for the static Terraform checks: each workspace evaluated by tfparse with its
var-file (plus tests/terraform/fixtures/test.tfvars: a fixed account id and the fixture build
manifest). Test modules import these from here, not from conftest, whose module name is
shared with the other test folders' conftest files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import yaml
from terraform_scan import REPO, TERRAFORM, parse

from tools.deploy.preflight import clean_hcl

WORKSPACES = ("dev", "staging", "prod")
TEST_VARS = "../tests/terraform/fixtures/test.tfvars"
SECRET_VARS = "../tests/terraform/fixtures/secrets.tfvars"  # a cookies secret for youtube

try:
    import tfparse
except ImportError:  # pragma: no cover - the dev lock installs it
    tfparse = None


def evaluate(root: Path, workspace: str, var_files: list[str]) -> dict:
    if tfparse is None:
        pytest.fail("tfparse is missing from .venv: run `make setup` (it is in requirements-dev.txt)")
    return tfparse.load_from_path(str(root), workspace_name=workspace, vars_paths=var_files)


@cache
def _workspace(workspace: str) -> str:
    return json.dumps(evaluate(TERRAFORM, workspace, [f"environments/{workspace}.tfvars", TEST_VARS]))


def workspace_plan(workspace: str) -> dict:
    return json.loads(_workspace(workspace))  # a fresh copy per test


def tfvars(workspace: str) -> dict:
    return parse_tfvars(TERRAFORM / "environments" / f"{workspace}.tfvars")


def parse_tfvars(path: Path) -> dict:
    return clean_hcl(parse(path))


def settings() -> dict:
    return json.loads((REPO / "functions" / "settings.json").read_text(encoding="utf-8"))


def contract() -> dict:
    return yaml.safe_load((REPO / "functions" / "openapi.yaml").read_text(encoding="utf-8"))
