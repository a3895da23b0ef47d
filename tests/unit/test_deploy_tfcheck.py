"""tools/deploy/tfcheck.py pieces that need no terraform: the counts it prints, the test files
each workspace runs, and the environment that keeps terraform offline."""

from __future__ import annotations

from pathlib import Path

from tools.deploy import tfcheck


def _change(*actions: str, mode: str = "managed") -> dict:
    return {"mode": mode, "change": {"actions": list(actions)}}


def test_tfcheck_counts_what_terraform_would_add_change_and_destroy():
    plan = {
        "resource_changes": [
            _change("create"),
            _change("create"),
            _change("update"),
            _change("delete", "create"),  # a replacement adds one and destroys one
            _change("no-op"),
        ]
    }
    assert tfcheck.count_changes(plan) == (3, 1, 1)
    assert tfcheck.count_changes({}) == (0, 0, 0)


def test_tfcheck_runs_workspace_specific_test_files_only_in_their_workspace(tmp_path: Path):
    tests = tmp_path / "tests"
    tests.mkdir()
    for name in ("iam", "workspace", "workspace_dev", "workspace_prod"):
        (tests / f"{name}.tftest.hcl").write_text("")
    assert tfcheck.test_filters(tmp_path, "dev") == [
        "-filter=tests/iam.tftest.hcl",
        "-filter=tests/workspace.tftest.hcl",
        "-filter=tests/workspace_dev.tftest.hcl",
    ]
    assert "-filter=tests/workspace_dev.tftest.hcl" not in tfcheck.test_filters(tmp_path, "staging")


def test_tfcheck_environment_has_fake_credentials_and_no_way_out(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("AWS_PROFILE", "real-admin")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("TF_WORKSPACE", "prod")
    env = tfcheck.terraform_env(tmp_path / "terraform.rc")
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env and "TF_WORKSPACE" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == tfcheck.DEAD_PROXY
    assert env["CHECKPOINT_DISABLE"] == "1" and env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["TF_CLI_CONFIG_FILE"] == str(tmp_path / "terraform.rc")


def test_tfcheck_cli_config_uses_the_mirror(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(tfcheck, "CACHE", tmp_path)
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(mirror))
    assert tfcheck.find_mirror() == mirror
    text = tfcheck.cli_config(mirror).read_text()
    assert f'filesystem_mirror {{\n    path = "{mirror}"' in text
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(tmp_path / "empty"))
    assert tfcheck.find_mirror() is None
    assert "plugin_cache_dir" in tfcheck.cli_config(None).read_text()


def test_tfcheck_override_never_names_real_credentials():
    for text in (tfcheck.OVERRIDE, tfcheck.BOOTSTRAP_OVERRIDE):
        assert "skip_credentials_validation = true" in text and "skip_requesting_account_id  = true" in text
        assert "access_key" not in text and "profile" not in text
    assert 'backend "local"' in tfcheck.OVERRIDE and "backend" not in tfcheck.BOOTSTRAP_OVERRIDE
