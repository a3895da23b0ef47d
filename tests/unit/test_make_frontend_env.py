"""`make frontend-env ENV=dev >> ../frontend/.env` (docs/deploy.md) must append one line only."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINE = "VITE_API_ENDPOINT=https://abc.execute-api.eu-west-1.amazonaws.com/Prod"
# A terraform that talks on stdout as the real one does, and knows the one output.
FAKE_TERRAFORM = f"""#!/bin/sh
case "$*" in
  *"output -raw frontend_env"*) [ -n "$NO_OUTPUT" ] && {{ echo 'Error: Output "frontend_env" not found' >&2; exit 1; }}
    printf '%s' '{LINE}';;
  *) echo "Initializing the backend..."; echo "Terraform has been successfully initialized!";;
esac
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    # Run as from a shell: under `make test` these would make the inner make print
    # "Entering directory" lines, which a user's `make frontend-env` does not.
    for name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "make", tmp_path / "make")
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "backend.hcl").write_text('bucket = "state"\n')
    (tmp_path / "build" / "dist").mkdir(parents=True)
    (tmp_path / "build" / "dist" / "manifest.json").write_text("{}\n")
    fake = tmp_path / "terraform-fake"
    fake.write_text(FAKE_TERRAFORM)
    fake.chmod(0o755)
    return tmp_path, fake


def test_make_frontend_env_prints_only_the_env_line(tree):
    root, fake = tree
    run = subprocess.run(
        ["make", "frontend-env", "ENV=dev", f"TF={fake}"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == LINE + "\n"
    assert "successfully initialized" in run.stderr  # init ran, and said so where a user sees it


def test_make_frontend_env_refuses_an_unknown_environment(tree):
    root, fake = tree
    run = subprocess.run(
        ["make", "frontend-env", "ENV=qa", f"TF={fake}"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert run.stdout == ""  # nothing for `>> .env` to append
    assert "ENV must be one of" in run.stderr


def test_make_frontend_env_fails_when_terraform_has_no_output(tree, monkeypatch):
    root, fake = tree
    monkeypatch.setenv("NO_OUTPUT", "1")  # not deployed yet: `terraform output` fails
    run = subprocess.run(
        ["make", "frontend-env", "ENV=dev", f"TF={fake}"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert run.stdout == ""
    assert "not found" in run.stderr
