"""build/dist/manifest.json: what Terraform reads (paths, source_code_hash) and the budget.

Shape (kept exactly; Terraform depends on it):
{"target": {"runtime", "architecture", "python_version", "glibc"},
 "artifacts": {"function/<n>"|"layer/<n>": {"path", "sha256", "sha256_base64", "zip_bytes", "unzipped_bytes",
                                           "modules"}},
 "functions": {"<n>": {"artifact": "function/<n>", "layers": ["layer/<l>", ...], "unzipped_total_bytes"}},
 "degraded": [{"artifact", "skipped", "reason", "effect"}, ...]}

`modules`: every Python module a function zip holds (dotted names), or the top-level
packages a layer puts on sys.path; `dev_module_problems` fails a build that ships a dev seam.
`degraded`: what the build lacks that the artifacts were designed with (.pyc, a numba warm-up
that failed); empty when nothing was. `make plan`/`deploy`/`build-check` refuse a non-empty list
unless ALLOW_DEGRADED=1 (`deploy_problems`)."""

from __future__ import annotations

import base64
import json
import os
import zipfile
from pathlib import Path

from .config import BUDGET_BYTES, MAX_LAYERS, MB, Function, Target
from .zipdet import ZipStats

ARTIFACT_KEYS = ("path", "sha256", "sha256_base64", "zip_bytes", "unzipped_bytes", "modules")
# Development seams (local API, dev media server and extractor, in-process invoker, fake context)
# live under functions/local_api, which no zip may carry.
DEV_PACKAGES = ("functions.local_api",)
ALLOW_DEGRADED_ENV = "ALLOW_DEGRADED"
DEGRADATION_KEYS = ("artifact", "skipped", "reason", "effect")


class BudgetError(RuntimeError):
    """A function with its layers is over the unzipped budget, or has too many layers."""


def module_names(arcnames: list[str]) -> list[str]:
    """Dotted names of the Python modules among a function zip's entries."""
    found = set()
    for name in arcnames:
        if name.endswith(".py"):
            parts = name[: -len(".py")].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts:
                found.add(".".join(parts))
    return sorted(found)


def layer_packages(arcnames: list[str]) -> list[str]:
    """Top-level importable names a layer adds (python/ or python/lib/python3.x/site-packages/)."""
    found = set()
    for name in arcnames:
        parts = name.split("/")
        if name.startswith("python/lib/python3") and len(parts) >= 5 and parts[3] == "site-packages":
            top = parts[4]
        elif name.startswith("python/") and len(parts) >= 2 and parts[1] != "lib":
            top = parts[1]
        else:
            continue
        if not top.endswith((".dist-info", ".egg-info", ".libs", ".data")) and top != "__pycache__":
            found.add(top.split(".", 1)[0] if top.endswith((".py", ".so")) else top)
    return sorted(found)


def zip_modules(path: Path) -> list[str]:
    """A zip's `modules`: function zips hold files at the root, layer zips under python/."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
    if any(n.startswith("python/") for n in names):
        return layer_packages(names)
    return module_names(names)


def is_dev_module(module: str) -> bool:
    return any(module == pkg or module.startswith(pkg + ".") for pkg in DEV_PACKAGES)


def dev_module_problems(manifest: dict) -> list[str]:
    """Function artifacts that would ship a development seam."""
    return [
        f"{key}: ships dev module {module} (development seams stay out of production zips)"
        for key, art in manifest["artifacts"].items()
        if key.startswith("function/")
        for module in art.get("modules", [])
        if is_dev_module(module)
    ]


def artifact_record(stats: ZipStats, root: Path) -> dict:
    return {
        "path": stats.path.resolve().relative_to(root.resolve()).as_posix(),
        "sha256": stats.sha256.hex(),
        "sha256_base64": base64.b64encode(stats.sha256).decode("ascii"),
        "zip_bytes": stats.zip_bytes,
        "unzipped_bytes": stats.unzipped_bytes,
        "modules": zip_modules(stats.path),
    }


def assemble(
    target: Target, artifacts: dict[str, dict], functions: dict[str, Function], *, degraded: list[dict] | None = None
) -> dict:
    fn_entries = {}
    for name, fn in sorted(functions.items()):
        key = f"function/{name}"
        layer_keys = [f"layer/{layer}" for layer in fn.layers]
        missing = [k for k in [key, *layer_keys] if k not in artifacts]
        if missing:
            raise KeyError(f"{name}: no artifact for {missing}")
        total = sum(artifacts[k]["unzipped_bytes"] for k in [key, *layer_keys])
        fn_entries[name] = {"artifact": key, "layers": layer_keys, "unzipped_total_bytes": total}
    return {
        "target": target.manifest_dict(),
        "artifacts": {k: {field: artifacts[k][field] for field in ARTIFACT_KEYS} for k in sorted(artifacts)},
        "functions": fn_entries,
        "degraded": [{k: d[k] for k in DEGRADATION_KEYS} for d in degraded or []],
    }


def budget_problems(manifest: dict, budget: int = BUDGET_BYTES) -> list[str]:
    problems = []
    for name, fn in manifest["functions"].items():
        if len(fn["layers"]) > MAX_LAYERS:
            problems.append(f"{name}: {len(fn['layers'])} layers, Lambda allows {MAX_LAYERS}")
        if fn["unzipped_total_bytes"] > budget:
            problems.append(
                f"{name}: {fn['unzipped_total_bytes']:,} B unzipped with its layers "
                f"({fn['unzipped_total_bytes'] / MB:.1f} MB) > budget {budget:,} B ({budget / MB:.0f} MB)"
            )
    return problems


def check_budget(manifest: dict, budget: int = BUDGET_BYTES) -> None:
    problems = budget_problems(manifest, budget)
    if problems:
        raise BudgetError("size budget exceeded:\n  " + "\n  ".join(problems))


class DevModuleError(RuntimeError):
    """A function zip carries a development seam."""


def check_production_only(manifest: dict) -> None:
    problems = dev_module_problems(manifest)
    if problems:
        raise DevModuleError("\n  ".join(["dev code in a production zip:", *problems]))


def degradation(artifact: str, skipped: str, reason: str, effect: str) -> dict:
    """One `degraded` entry: which artifact lacks what, why, and what that costs at run time."""
    return {"artifact": artifact, "skipped": skipped, "reason": reason, "effect": effect}


def degraded_problems(manifest: dict) -> list[str]:
    """The manifest's recorded degradations, one line each. A manifest without the field was
    written before builds recorded them, so what it skipped is unknown: that is one too."""
    if "degraded" not in manifest:
        return ["manifest has no `degraded` record (written by an older build): run `make build` again"]
    return [f"{d['artifact']}: no {d['skipped']} ({d['reason']}); {d['effect']}" for d in manifest["degraded"]]


def allow_degraded(environ: dict[str, str] | None = None) -> bool:
    """ALLOW_DEGRADED=1: the user accepts a degraded build for deployment."""
    return (os.environ if environ is None else environ).get(ALLOW_DEGRADED_ENV, "") == "1"


def deploy_problems(manifest: dict, *, allow: bool) -> list[str]:
    """Why build/dist must not be deployed: over budget, a dev module, or degraded (unless allowed)."""
    problems = budget_problems(manifest) + dev_module_problems(manifest)
    if not allow:
        problems += [f"degraded: {p}" for p in degraded_problems(manifest)]
    return problems


def write(manifest: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def table(manifest: dict) -> str:
    """Human summary: every artifact and every function's total against the budget."""
    lines = [f"{'artifact':<28} {'zip MB':>9} {'unzipped MB':>12}  sha256"]
    for key, art in manifest["artifacts"].items():
        lines.append(
            f"{key:<28} {art['zip_bytes'] / MB:>9.1f} {art['unzipped_bytes'] / MB:>12.1f}  {art['sha256'][:16]}"
        )
    lines.append(f"{'function (with layers)':<28} {'':>9} {'unzipped MB':>12}  of budget {BUDGET_BYTES / MB:.0f} MB")
    for name, fn in manifest["functions"].items():
        total = fn["unzipped_total_bytes"]
        lines.append(f"{name:<28} {'':>9} {total / MB:>12.1f}  {100 * total / BUDGET_BYTES:.0f}%  ({total:,} B)")
    return "\n".join(lines)
