"""build/dist/manifest.json: what Terraform reads (paths, source_code_hash) and the budget.

Shape (kept exactly; Terraform depends on it):
{"target": {"runtime", "architecture", "python_version", "glibc"},
 "artifacts": {"function/<n>"|"layer/<n>": {"path", "sha256", "sha256_base64", "zip_bytes", "unzipped_bytes"}},
 "functions": {"<n>": {"artifact": "function/<n>", "layers": ["layer/<l>", ...], "unzipped_total_bytes"}}}"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from .config import BUDGET_BYTES, MAX_LAYERS, MB, Function, Target
from .zipdet import ZipStats

ARTIFACT_KEYS = ("path", "sha256", "sha256_base64", "zip_bytes", "unzipped_bytes")


class BudgetError(RuntimeError):
    """A function with its layers is over the unzipped budget, or has too many layers."""


def artifact_record(stats: ZipStats, root: Path) -> dict:
    return {
        "path": stats.path.resolve().relative_to(root.resolve()).as_posix(),
        "sha256": stats.sha256.hex(),
        "sha256_base64": base64.b64encode(stats.sha256).decode("ascii"),
        "zip_bytes": stats.zip_bytes,
        "unzipped_bytes": stats.unzipped_bytes,
    }


def assemble(target: Target, artifacts: dict[str, dict], functions: dict[str, Function]) -> dict:
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
