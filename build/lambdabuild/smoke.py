"""`make smoke`: every handler from its artifacts in the Lambda-like sandbox.

Per function: unpack the function zip to /var/task and its layers to /opt (read-only),
run as nobody with an empty /tmp, no network and exactly the Lambda + settings + Terraform
environment; invoke each real event; report init and invoke times and the status."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from . import build, events, runenv, sandbox
from .config import ROOT, load_layer, load_settings


def check_result(fn_internal: bool, record: dict) -> tuple[bool, str]:
    """(ok, summary). HTTP: a well-formed proxy response whose body is the contract's
    success or Error JSON. Direct: an "analysis" object."""
    if "error" in record:
        return False, "raised: " + record["error"].strip().splitlines()[-1]
    result = record["result"]
    if fn_internal:
        if isinstance(result, dict) and isinstance(result.get("analysis"), dict):
            keys = sorted(result["analysis"])
            return True, f"analysis with {len(keys)} fields (tempo={result['analysis'].get('tempo')})"
        return False, f"no analysis in result: {json.dumps(result)[:300]}"
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return False, f"not a proxy response: {json.dumps(result)[:300]}"
    status, body = result["statusCode"], result.get("body") or ""
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    for k, values in (result.get("multiValueHeaders") or {}).items():  # Powertools answers v1 events so
        headers.setdefault(k.lower(), ",".join(map(str, values)))
    ctype = headers.get("content-type", "")
    if "json" not in ctype:
        return 200 <= status < 300, f"{status} {ctype} ({len(body)} body chars)"
    try:
        doc = json.loads(body)
    except json.JSONDecodeError:
        return False, f"{status} with a body that is not JSON"
    if status < 400:
        return doc.get("success") is True, f"{status} success={doc.get('success')}"
    # The contract's Error: "error" required, "details" optional, both strings.
    ok = isinstance(doc, dict) and isinstance(doc.get("error"), str) and isinstance(doc.get("details", ""), str)
    return ok, f"{status} {doc.get('error')!r}" + (f": {doc['details'][:100]}" if doc.get("details") else "")


def run(variant: build.Variant, *, root: Path = ROOT) -> int:
    why = sandbox.namespaces_unavailable()
    if why:
        print(f"smoke: cannot build the sandbox here: {why}", file=sys.stderr)
        return 2
    try:  # Terraform's per-grant variables (CACHE_TABLE_NAME, ANALYSIS_FUNCTION_NAME) or no smoke
        grants = runenv.terraform_grants(root)
    except runenv.TerraformLocalsError as exc:
        print(f"smoke: {exc}", file=sys.stderr)
        return 2
    manifest_path = variant.dist / "manifest.json"
    doc = json.loads(manifest_path.read_text(encoding="utf-8"))
    _, functions = load_settings(root)
    interp = sandbox.find_interpreter(variant.target.python_version)
    if interp is None:
        print(f"smoke: no CPython {variant.target.python_version} to run the artifacts", file=sys.stderr)
        return 2
    site = build.runtime_site(variant)
    openapi = runenv.openapi(root)
    failures, rows = 0, []
    cold_starts: dict[str, dict[str, float]] = {}
    print(
        f"smoke [{variant.label}]: {interp.executable} as /var/lang/bin/{interp.name}; "
        f"artifacts from {manifest_path.relative_to(root)}",
        flush=True,
    )
    for name, fn in functions.items():
        entry = doc["functions"][name]
        fzip = root / doc["artifacts"][entry["artifact"]]["path"]
        lzips = [root / doc["artifacts"][k]["path"] for k in entry["layers"]]
        invs = events.invocations(name, internal=fn.internal, openapi=openapi)
        box = sandbox.Sandbox(variant.work / "sandbox" / f"smoke-{name}", interp, site)
        box.populate(fzip, lzips, {"invocations.json": json.dumps(invs).encode()})
        env = runenv.lambda_env(fn, variant.target, all_functions=list(functions), grants=grants)
        spawned = time.time()
        proc = box.run(
            ["/var/runtime/bootstrap.py", "/var/runtime/invocations.json", str(fn.timeout)],
            env,
            timeout=max(120, fn.timeout * 6),
        )
        records = runenv.parse_records(proc.stdout)
        init = next((r for r in records if r.get("phase") == "init"), None)
        if init is None or "error" in init:
            failures += 1
            detail = init["error"] if init else proc.stderr[-4000:]
            print(f"FAIL {name}: init failed (exit {proc.returncode})\n{detail}")
            rows.append((name, "init", None, None, "FAIL"))
            sandbox.remove(box.root)
            continue
        init_s = init["t_end"] - spawned
        for rec in (r for r in records if r.get("phase") == "invoke"):
            ok, summary = check_result(fn.internal, rec)
            failures += not ok
            invoke_s = rec["t_end"] - rec["t_start"]
            cold = rec["t_end"] - spawned
            rows.append((name, rec["name"], init_s, invoke_s, ("ok  " if ok else "FAIL") + " " + summary))
            if fn.internal:
                cold_starts.setdefault(
                    name,
                    {"seconds": round(cold, 2), "initSeconds": round(init_s, 2), "invokeSeconds": round(invoke_s, 2)},
                )
                print(
                    f"cold start to first {name} result: {cold:.2f} s "
                    f"(process start to handler loaded {init_s:.2f} s, first invoke {invoke_s:.2f} s)",
                    flush=True,
                )
            init_s = 0.0  # only the first invocation pays the init
        if len([r for r in records if r.get("phase") == "invoke"]) != len(invs):
            failures += 1
            rows.append((name, "process", None, None, f"FAIL exit {proc.returncode}: {proc.stderr[-800:]}"))
        for layer_name in fn.layers:  # the layer's own programs run as nobody from /opt (exec bit, glibc)
            for cmd in load_layer(layer_name, root).config.get("smoke_commands", []):
                ran = box.run(cmd[1:], env, timeout=60, program=cmd[0])
                first = (ran.stdout or ran.stderr).strip().splitlines()[:1]
                ok = ran.returncode == 0
                failures += not ok
                rows.append(
                    (
                        name,
                        " ".join(cmd),
                        None,
                        None,
                        ("ok  " if ok else f"FAIL exit {ran.returncode}") + " " + (first[0][:60] if first else ""),
                    )
                )
        leftovers = box.tmp_leftovers(ignore=build.CONTAINER_STATE)
        if leftovers:
            failures += 1
            rows.append((name, "/tmp", None, None, f"FAIL left in /tmp: {leftovers[:5]}"))
        sandbox.remove(box.root)
    print(f"\n{'function':<11} {'invocation':<40} {'init s':>7} {'invoke s':>8}  result")
    for name, inv, init_s, invoke_s, summary in rows:
        i = f"{init_s:.2f}" if init_s else ""
        v = f"{invoke_s:.2f}" if invoke_s is not None else ""
        print(f"{name:<11} {inv:<40} {i:>7} {v:>8}  {summary}")
    print(f"\nsmoke [{variant.label}]: {len(rows) - failures} ok, {failures} failed")
    write_report(variant.dist / REPORT_NAME, label=variant.label, cold_starts=cold_starts, failures=failures)
    return 1 if failures else 0


REPORT_NAME = "smoke.json"  # beside the manifest; `make bench` reads the cold start from it


def write_report(path: Path, *, label: str, cold_starts: dict, failures: int) -> None:
    """The sandbox's cold starts (process start to the first result, wall seconds) as JSON, for
    `make bench`'s cold-start goal: the goal is about this sandbox, not a bare process."""
    report = {
        "variant": label,
        "measuredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "loadAverage": [round(v, 2) for v in os.getloadavg()],
        "failures": failures,
        "coldStartToFirstResult": cold_starts,
    }
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
