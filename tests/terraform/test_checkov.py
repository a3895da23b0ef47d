"""checkov (offline, --skip-download) passes over terraform/, and every skip is an inline
`#checkov:skip=ID:reason` on the resource it excuses, with a reason, and actually used."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from terraform_scan import REPO, TERRAFORM, blocks, tf_files

CHECKOV = REPO / ".tools" / "checkov" / "bin" / "checkov"
SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?")


@pytest.fixture(scope="module")
def report() -> dict:
    if not CHECKOV.exists():
        pytest.fail(
            f"checkov is not installed at {CHECKOV.relative_to(REPO)}: run `make checkov-setup` "
            "(`make test` does it first); it builds the tool venv from tools/checkov/requirements.txt"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_"))}  # never talk to a platform
    run = subprocess.run(
        [str(CHECKOV), "--skip-download", "--framework", "terraform", "-d", str(TERRAFORM), "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert run.stdout.strip(), f"checkov printed nothing (exit {run.returncode}): {run.stderr[-2000:]}"
    data = json.loads(run.stdout)
    return data[0] if isinstance(data, list) else data


def test_checkov_finds_no_failed_check(report):
    failed = [
        (c["check_id"], c["resource"], c["file_path"], c["check_name"]) for c in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 50


def test_checkov_skips_carry_reasons_inline(report):
    for check in report["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) >= 20, f"{check['check_id']} on {check['resource']} needs a reason"
    for path in tf_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                match = SKIP.search(line)
                assert match and match.group(2) and len(match.group(2).strip()) >= 20, f"{path}: {line.strip()}"
    assert not list(REPO.glob(".checkov*")) and not list(TERRAFORM.glob(".checkov*")), "no skips by config file"


def test_checkov_every_inline_skip_is_used(report):
    def address(resource: str) -> str:  # module.api.aws_x.y -> aws_x.y
        return resource.split(".", 2)[-1] if resource.startswith("module.") else resource

    skipped = {
        (c["check_id"], address(c["resource"]), c["file_path"].lstrip("/")) for c in report["results"]["skipped_checks"]
    }
    wanted = set()
    for block in blocks(kinds=("resource",)):
        for comment in block.body.get("__comments__", []):
            match = SKIP.search(comment["value"])
            if match:
                wanted.add((match.group(1), f"{block.type}.{block.name}", str(block.file.relative_to(TERRAFORM))))
    assert wanted, "expected some justified skips"
    unused = wanted - skipped
    assert not unused, f"these skips excuse nothing (the check does not fire there); remove them: {sorted(unused)}"
