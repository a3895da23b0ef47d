"""The security notes (docs/security.md) are checked against the Terraform, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from test_iam import _function_statements
from workspaces import settings, tfvars

README = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _table(marker: str) -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->", 1)[1].split(f"<!-- /{marker} -->", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def test_security_notes_iam_table_matches_policies(dev_plan_with_secret):
    statements = _function_statements(dev_plan_with_secret)
    functions = settings()["functions"]
    rows = {row[0]: row for row in _table("security-iam")}
    assert set(rows) == set(functions)
    for key, row in rows.items():
        exposed = not functions[key].get("internal", False)
        assert row[1] == ("yes" if exposed else "no"), key
        documented = set(re.findall(r"`([a-z0-9-]+:[A-Za-z]+)`", row[2]))
        granted = {
            action
            for statement in statements[key].values()
            for action in statement["actions"]
            if not action.startswith(("logs:", "xray:"))
        }
        assert documented == granted, f"{key}: README says {sorted(documented)}, IAM grants {sorted(granted)}"


def test_security_notes_environment_table_matches_tfvars():
    rows = {row[0]: row for row in _table("security-env")}
    assert set(rows) == {"dev", "staging", "prod"}
    for workspace, row in rows.items():
        values = tfvars(workspace)
        origins = [o.strip("` ") for o in row[1].split(",")]
        assert origins == values["allowed_origins"], workspace
        assert int(row[2]) == values["log_retention_days"], workspace
        rate, burst = (float(x) for x in row[3].split("/"))
        assert (rate, burst) == (values["throttling_rate_limit"], values["throttling_burst_limit"]), workspace
        reserved = values.get("default_reserved_concurrency")
        assert row[4] == ("none" if reserved is None else str(reserved)), workspace
        assert not values.get("reserved_concurrency"), "per-function overrides: document them in the table"
