"""Fixtures for the static Terraform checks (helpers live in workspaces.py)."""

from __future__ import annotations

import pytest
from workspaces import SECRET_VARS, TERRAFORM, TEST_VARS, WORKSPACES, evaluate, workspace_plan


@pytest.fixture(params=WORKSPACES)
def workspace(request) -> str:
    return request.param


@pytest.fixture
def plan(workspace) -> dict:
    return workspace_plan(workspace)


@pytest.fixture(scope="session")
def dev_plan_with_secret() -> dict:
    """tfparse output for dev, from the real functions/settings.json and functions/openapi.yaml,
    with a cookies secret named for youtube (fixtures/secrets.tfvars)."""
    return evaluate(TERRAFORM, "dev", ["environments/dev.tfvars", TEST_VARS, SECRET_VARS])
