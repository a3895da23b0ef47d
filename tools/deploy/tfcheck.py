"""`make tf-check`: the real Terraform over terraform/, offline and without AWS.

fmt -check, init against a filesystem mirror of the provider (a CLI config written under
.cache/tf-check), validate of the root, the bootstrap and every module, a plan of every
workspace (local backend, fake credentials, a provider override that makes no network call)
and `terraform test` (mock_provider) in every workspace. Prints one line per step, e.g.
`dev: plan ok, 59 to add`, and writes each plan as JSON to .cache/tf-check/plans/<ws>.json,
which the invariant tests in tests/terraform read.

Terraform runs on a copy of terraform/ (plus the two files it reads from functions/), so the
override file that fakes the backend and the credentials never sits next to the real config.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# Files outside terraform/ that the configuration reads with file().
FUNCTION_FILES = ("settings.json", "openapi.yaml", "poetry/bedrock_prices.json")
REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
WORKSPACES = ("dev", "staging", "prod")
CACHE = REPO / ".cache" / "tf-check"
SRC = CACHE / "src"
PLANS = CACHE / "plans"
FIXTURE_MANIFEST = REPO / "tests" / "terraform" / "fixtures" / "manifest.json"
TEST_ACCOUNT = "123456789012"
DEFAULT_MIRRORS = ("/opt/tf-plugins", "/usr/share/terraform/plugins", "~/.terraform.d/plugins")
INSTALL_HINT = (
    "Install Terraform >= 1.11 from https://developer.hashicorp.com/terraform/install "
    "(or apt-get install terraform from HashiCorp's apt repository), or point TF=/path/to/terraform."
)

# Any call the provider tried would go to this refused loopback port instead of AWS.
DEAD_PROXY = "http://127.0.0.1:9"

OVERRIDE = """# Written by tools/deploy/tfcheck.py into its copy only: local state, fake credentials
# (from the environment), and no call to AWS. Never copy this into terraform/.
terraform {
  backend "local" {}
}

provider "aws" {
  region                      = var.region
  allowed_account_ids         = null
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}
"""

BOOTSTRAP_OVERRIDE = OVERRIDE.replace('terraform {\n  backend "local" {}\n}\n\n', "")


class TfCheckError(RuntimeError):
    """A step failed; the message names it and carries Terraform's own words."""


@dataclass(frozen=True)
class Plan:
    workspace: str
    to_add: int
    to_change: int
    to_destroy: int
    json_path: Path


def find_terraform() -> str | None:
    wanted = os.environ.get("TF", "terraform")
    return shutil.which(wanted)


def find_mirror() -> Path | None:
    """A filesystem mirror holding hashicorp/aws (TF_PLUGIN_MIRROR, else the usual places)."""
    candidates = [os.environ["TF_PLUGIN_MIRROR"]] if os.environ.get("TF_PLUGIN_MIRROR") else list(DEFAULT_MIRRORS)
    for candidate in candidates:
        root = Path(candidate).expanduser()
        if (root / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return root
    return None


def inputs_digest() -> str:
    """Everything a plan depends on; cached plans are reused only while it is unchanged."""
    files = sorted(
        p
        for p in TERRAFORM.rglob("*")
        if p.is_file() and ".terraform" not in p.parts and p.suffix in (".tf", ".tfvars", ".hcl", ".json", ".yaml")
    )
    files += [*(REPO / "functions" / name for name in FUNCTION_FILES), FIXTURE_MANIFEST]
    files.append(Path(__file__))
    digest = hashlib.sha256()
    for path in files:
        if path.name.endswith((".tfstate", ".tfstate.backup")) or path.name == "backend.hcl":
            continue
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cli_config(mirror: Path | None) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "terraform.rc"
    if mirror is not None:
        text = f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    else:  # no mirror: the registry, with a cache so each directory downloads nothing twice
        (CACHE / "plugin-cache").mkdir(exist_ok=True)
        text = f'plugin_cache_dir = "{CACHE / "plugin-cache"}"\n'
    path.write_text(text, encoding="utf-8")
    return path


def terraform_env(rc: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_")) and k.lower() != "no_proxy"}
    env.update(
        TF_CLI_CONFIG_FILE=str(rc),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",  # terraform's own version check is a network call
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key, not a secret
        AWS_SECRET_ACCESS_KEY="fake-secret-for-offline-plans",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        HTTPS_PROXY=DEAD_PROXY,
        HTTP_PROXY=DEAD_PROXY,
        https_proxy=DEAD_PROXY,
        http_proxy=DEAD_PROXY,
    )
    if os.environ.get("TF_PLUGIN_MIRROR"):
        env["TF_PLUGIN_MIRROR"] = os.environ["TF_PLUGIN_MIRROR"]
    return env


class Runner:
    def __init__(self, terraform: str, env: dict[str, str]):
        self.terraform, self.env = terraform, env

    def run(self, step: str, cwd: Path, *args: str, extra_env: dict[str, str] | None = None) -> str:
        env = self.env | (extra_env or {})
        color = ["-no-color"] if args[0] in ("init", "validate", "plan", "test", "fmt", "show") else []
        done = subprocess.run(
            [self.terraform, *args, *color],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            text = (done.stdout + done.stderr).strip()
            raise TfCheckError(
                f"{step}: failed (terraform {' '.join(args)} in {cwd.relative_to(CACHE)})\n{text[-4000:]}"
            )
        return done.stdout


def stage_copy() -> None:
    """terraform/ and the two files it reads, copied fresh (init caches are kept)."""
    keep = {".terraform", ".terraform.lock.hcl", "terraform.tfstate.d"}
    target = SRC / "terraform"
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            if keep & set(path.relative_to(target).parts):
                continue
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    shutil.copytree(
        TERRAFORM,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "backend.hcl", "*.tfplan"),
    )
    for name in FUNCTION_FILES:
        (SRC / "functions" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "functions" / name, SRC / "functions" / name)
    (target / "zz_tfcheck_override.tf").write_text(OVERRIDE, encoding="utf-8")
    (target / "bootstrap" / "zz_tfcheck_override.tf").write_text(BOOTSTRAP_OVERRIDE, encoding="utf-8")


def module_dirs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "modules").iterdir() if p.is_dir())


def plan_vars(workspace: str) -> list[str]:
    return [
        f"-var-file=environments/{workspace}.tfvars",
        f"-var=account_id={TEST_ACCOUNT}",
        f"-var=build_manifest_path={FIXTURE_MANIFEST}",
    ]


def test_filters(root: Path, workspace: str) -> list[str]:
    """Every tests/*.tftest.hcl, except workspace_<other>.tftest.hcl (those run in their own)."""
    files = []
    for path in sorted((root / "tests").glob("*.tftest.hcl")):
        name = path.name.removesuffix(".tftest.hcl")
        if name.startswith("workspace_") and name != f"workspace_{workspace}":
            continue
        files.append(f"-filter=tests/{path.name}")
    return files


def count_changes(plan: dict) -> tuple[int, int, int]:
    add = change = destroy = 0
    for resource in plan.get("resource_changes", []):
        actions = resource["change"]["actions"]
        add += "create" in actions
        change += actions == ["update"]
        destroy += "delete" in actions
    return add, change, destroy


def plan_workspace(runner: Runner, root: Path, workspace: str, var_args: list[str]) -> Plan:
    # TF_WORKSPACE, not `workspace select`, so workspaces can plan side by side in one directory.
    env = {"TF_WORKSPACE": workspace} if workspace in WORKSPACES else {}
    out = PLANS / f"{workspace}.tfplan"
    runner.run(
        f"{workspace}: plan", root, "plan", "-input=false", "-lock=false", f"-out={out}", *var_args, extra_env=env
    )
    text = runner.run(f"{workspace}: show", root, "show", "-json", str(out), extra_env=env)
    data = json.loads(text)
    json_path = PLANS / f"{workspace}.json"
    json_path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return Plan(workspace, *count_changes(data), json_path)


def _each(work):
    """work(workspace) for every workspace, side by side (TF_CHECK_JOBS, default the CPU
    count), results in workspace order; the first failure is raised."""
    jobs = int(os.environ.get("TF_CHECK_JOBS") or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(WORKSPACES)))) as pool:
        return [future.result() for future in [pool.submit(work, ws) for ws in WORKSPACES]]


def init(runner: Runner, directory: Path, label: str) -> None:
    runner.run(f"init {label}", directory, "init", "-input=false", "-backend=false")


def run_all(*, plans_only: bool = False, out=print) -> list[Plan]:
    terraform = find_terraform()
    if terraform is None:
        raise TfCheckError(f"terraform is not on PATH. {INSTALL_HINT}")
    mirror = find_mirror()
    runner = Runner(terraform, terraform_env(cli_config(mirror)))
    with _lock():
        if not plans_only:
            runner.run("fmt", TERRAFORM, "fmt", "-check", "-recursive")
            out("fmt: ok")
        stage_copy()
        root = SRC / "terraform"
        source = f"from the mirror {mirror}" if mirror else "from the registry (no filesystem mirror found)"
        runner.run("init root", root, "init", "-input=false", "-reconfigure")
        version = json.loads(runner.run("version", root, "version", "-json"))
        provider = version.get("provider_selections", {}).get("registry.terraform.io/hashicorp/aws", "?")
        out(f"init: ok (terraform {version['terraform_version']}, hashicorp/aws {provider} {source})")
        if not plans_only:
            others = [root / "bootstrap", *module_dirs(root)]
            for directory in others:
                init(runner, directory, directory.name)
            for directory in [root, *others]:
                runner.run(f"validate {directory.name}", directory, "validate")
            out(f"validate: ok (root, {', '.join(d.relative_to(root).as_posix() for d in others)})")
        PLANS.mkdir(parents=True, exist_ok=True)
        for stale in PLANS.glob("*"):
            stale.unlink()
        plans = []
        if plans_only:
            init(runner, root / "bootstrap", "bootstrap")
        boot = plan_workspace(
            runner,
            root / "bootstrap",
            "bootstrap",
            [f"-var=account_id={TEST_ACCOUNT}", "-var=activate_cost_allocation_tags=true"],
        )
        out(f"bootstrap: plan ok, {boot.to_add} to add")
        for workspace in WORKSPACES:  # local state: create each workspace once, in turn
            runner.run(f"{workspace}: workspace", root, "workspace", "select", "-or-create=true", workspace)
        runner.run("workspace", root, "workspace", "select", "default")
        for plan in _each(lambda ws: plan_workspace(runner, root, ws, plan_vars(ws))):
            plans.append(plan)
            out(f"{plan.workspace}: plan ok, {plan.to_add} to add")
        if not plans_only:

            def test(workspace: str) -> str:
                text = runner.run(
                    f"{workspace}: terraform test",
                    root,
                    "test",
                    *test_filters(root, workspace),
                    *plan_vars(workspace),
                    extra_env={"TF_WORKSPACE": workspace},
                )
                summary = [line for line in text.splitlines() if line.startswith("Success!")]
                return f"{workspace}: test ok, {summary[-1].removeprefix('Success! ').rstrip('.') if summary else text}"

            for line in _each(test):
                out(line)
        (PLANS / "digest").write_text(inputs_digest(), encoding="utf-8")
        return plans


def cached_plans() -> dict[str, dict] | None:
    """The plans of the last run (each workspace and the bootstrap), if terraform/ and its
    inputs have not changed since."""
    digest = PLANS / "digest"
    if not digest.exists() or digest.read_text(encoding="utf-8") != inputs_digest():
        return None
    try:
        return {ws: json.loads((PLANS / f"{ws}.json").read_text(encoding="utf-8")) for ws in (*WORKSPACES, "bootstrap")}
    except FileNotFoundError:
        return None


def ensure_plans() -> dict[str, dict]:
    """Plans of every workspace: the cached ones when current, else a fresh init + plan."""
    plans = cached_plans()
    if plans is None:
        run_all(plans_only=True, out=lambda _line: None)
        plans = cached_plans()
    assert plans is not None
    return plans


class _lock:
    """One tf-check at a time per clone (make test and a parallel pytest share the cache)."""

    def __enter__(self):
        CACHE.mkdir(parents=True, exist_ok=True)
        self.handle = (CACHE / "lock").open("w")
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans-only", action="store_true", help="init and plan the workspaces only")
    args = parser.parse_args(argv)
    try:
        run_all(plans_only=args.plans_only)
    except TfCheckError as error:
        print(f"tf-check: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
