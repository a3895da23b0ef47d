"""The Terraform root as tfparse evaluates it per workspace (with that workspace's var-file),
plus a structural check of CloudWatch dashboard bodies. Shared by tests/terraform/test_monitoring_*.

tfparse evaluates locals, for-expressions and jsonencode, so the dashboard body and the alarm
thresholds read here are the ones Terraform would send, not a copy kept in the tests. It
replaces every attribute named `id` by a UUID (metric_query ids included), so metric-math ids
are checked against the module's source with python-hcl2 instead."""

from __future__ import annotations

import json
import os
import re
import tempfile
from functools import cache
from pathlib import Path

import hcl2
import tfparse

from cost.deployment import literal_metric_names

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
MONITORING = TERRAFORM / "modules" / "monitoring"
SETTINGS = json.loads((ROOT / "functions" / "settings.json").read_text())
CATALOG = json.loads((MONITORING / "custom_metrics.json").read_text())
WORKSPACES = sorted(p.stem for p in (TERRAFORM / "environments").glob("*.tfvars"))


@cache
def plan(workspace: str, extra_var_file: str | None = None) -> dict:
    var_files = [f"environments/{workspace}.tfvars"] + ([extra_var_file] if extra_var_file else [])
    return tfparse.load_from_path(TERRAFORM, workspace_name=workspace, vars_paths=var_files)


def plan_with_vars(workspace: str, text: str) -> dict:
    """The root evaluated with one more var-file holding `text` (tfparse wants it relative)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "override.tfvars"
        path.write_text(text)
        return plan.__wrapped__(workspace, os.path.relpath(path, TERRAFORM))


def resources(parsed: dict, kind: str, prefix: str = "") -> list[dict]:
    return [r for r in parsed.get(kind, []) if r["__tfmeta"]["path"].startswith(prefix)]


def one(parsed: dict, kind: str, prefix: str = "") -> dict:
    found = resources(parsed, kind, prefix)
    assert len(found) == 1, f"expected one {kind} under {prefix!r}, found {len(found)}"
    return found[0]


def lambda_functions(parsed: dict) -> dict[str, dict]:
    """Function key -> its aws_lambda_function as planned."""
    out = {}
    for fn in resources(parsed, "aws_lambda_function"):
        match = re.search(r'module\.function\["([^"]+)"\]', fn["__tfmeta"]["path"])
        assert match, fn["__tfmeta"]["path"]
        key = match.group(1)
        out[key] = fn
    return out


def dashboard_body(parsed: dict) -> dict:
    body = one(parsed, "aws_cloudwatch_dashboard", "module.monitoring.")["dashboard_body"]
    assert isinstance(body, str), f"tfparse could not evaluate the dashboard body: {body!r}"
    return json.loads(body)


def tfvars(workspace: str) -> dict:
    with open(TERRAFORM / "environments" / f"{workspace}.tfvars") as handle:
        return hcl2.load(handle)


def root_variable(parsed: dict, name: str, workspace: str):
    """A root variable's value in a workspace: its var-file's value, else its default."""
    values = tfvars(workspace)
    if name in values:
        value = values[name]
        return value.strip('"') if isinstance(value, str) else value
    return one(parsed, "variable", f"variable.{name}")["default"]


def render_module(functions: dict[str, dict], *, namespace: str = "music-poetry-test") -> dict:
    """Evaluate the monitoring module alone, called from a throwaway root with these functions."""
    with tempfile.TemporaryDirectory() as tmp:
        # A local module source must start with ./ or ../ (an absolute path is a registry address).
        source = os.path.relpath(MONITORING, tmp)
        (Path(tmp) / "main.tf").write_text(f"""
module "monitoring" {{
  source            = "{source}"
  name_prefix       = "music-poetry-test"
  environment       = "test"
  region            = "us-east-1"
  account_id        = "123456789012"
  dashboard_name    = "music-poetry-test"
  metrics_namespace = "{namespace}"
  functions         = {json.dumps(functions)}
  api_name          = "music-poetry-test-api"
  api_stage_name    = "Prod"
}}
""")
        return tfparse.load_from_path(tmp)


def emitted_metric_names(service: str) -> set[str]:
    """Metric names the function's code passes as a literal to add_metric/single_metric."""
    return literal_metric_names(ROOT / "functions" / service)


# ---- dashboard body structure (CloudWatch "Dashboard body structure and syntax") ----------

WIDGET_TYPES = {"metric", "text", "log", "alarm", "explorer"}
METRIC_OPTIONS = {"stat", "label", "id", "visible", "yAxis", "color", "period", "region", "accountId"}
EXPRESSION_KEYS = {"expression", "label", "id", "visible", "yAxis", "color", "period"}
STAT = re.compile(r"^(Sum|Average|Maximum|Minimum|SampleCount|IQM|p\d{1,2}(\.\d+)?|p100|tm\d{1,2}|wm\d{1,2})$")
METRIC_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
MATH_FUNCTIONS = {"IF", "FILL", "SEARCH", "SUM", "AVG", "MAX", "MIN", "METRICS", "RATE", "DIFF", "ABS", "PROP"}


def dashboard_problems(body: dict) -> list[str]:
    """Everything in a dashboard body that CloudWatch would reject or silently not draw."""
    problems = []
    boxes = []
    if not isinstance(body.get("widgets"), list) or not body["widgets"]:
        return ["no widgets"]
    for n, widget in enumerate(body["widgets"]):
        where = f"widget {n} ({widget.get('properties', {}).get('title', widget.get('type'))})"
        if widget.get("type") not in WIDGET_TYPES:
            problems.append(f"{where}: unknown type {widget.get('type')!r}")
        x, y, w, h = (widget.get(k) for k in ("x", "y", "width", "height"))
        if not all(isinstance(v, int) for v in (x, y, w, h)):
            problems.append(f"{where}: x, y, width and height must be integers")
            continue
        if not (0 <= x <= 23 and 1 <= w <= 24 and x + w <= 24 and 1 <= h <= 1000 and y >= 0):
            problems.append(f"{where}: outside the 24-column grid")
        boxes.append((where, x, y, w, h))
        props = widget.get("properties", {})
        if widget.get("type") == "text" and not props.get("markdown"):
            problems.append(f"{where}: text widget without markdown")
        if widget.get("type") == "log" and not (props.get("query") and props.get("region")):
            problems.append(f"{where}: log widget needs query and region")
        if widget.get("type") == "metric":
            problems.extend(_metric_widget_problems(where, props))
    for i, (a, ax, ay, aw, ah) in enumerate(boxes):
        for b, bx, by, bw, bh in boxes[i + 1 :]:
            if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah:
                problems.append(f"{a} overlaps {b}")
    return problems


def _metric_widget_problems(where: str, props: dict) -> list[str]:
    problems = []
    if not props.get("region"):
        problems.append(f"{where}: metric widget without region")
    rows = props.get("metrics")
    if not isinstance(rows, list) or not rows:
        return problems + [f"{where}: no metrics"]
    ids, expressions = set(), []
    for row in rows:
        if not isinstance(row, list) or not row:
            problems.append(f"{where}: metric row {row!r} is not a non-empty array")
            continue
        options = row[-1] if isinstance(row[-1], dict) else {}
        if "expression" in options:
            if len(row) != 1 or set(options) - EXPRESSION_KEYS:
                problems.append(f"{where}: expression row {row!r}")
            expressions.append(options["expression"])
        else:
            names = row[:-1] if options else row
            if len(names) < 2 or len(names) % 2 or not all(isinstance(v, str) and v for v in names):
                problems.append(f"{where}: row {row!r} is not [namespace, metric, (dimension, value)*, {{options}}]")
            if set(options) - METRIC_OPTIONS:
                problems.append(f"{where}: unknown options {sorted(set(options) - METRIC_OPTIONS)}")
            stat = options.get("stat", props.get("stat", "Average"))
            if not STAT.match(stat):
                problems.append(f"{where}: statistic {stat!r}")
        if "id" in options:
            if not METRIC_ID.match(options["id"]) or options["id"] in ids:
                problems.append(f"{where}: id {options['id']!r} invalid or repeated")
            ids.add(options["id"])
    for expression in expressions:
        if expression.startswith("SEARCH("):
            continue
        unknown = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression)) - ids - MATH_FUNCTIONS
        if unknown:
            problems.append(f"{where}: expression {expression!r} uses undefined ids {sorted(unknown)}")
    return problems


def metric_rows(body: dict):
    """(widget title, namespace, metric, dimensions dict, options) for every plain metric row."""
    for widget in body["widgets"]:
        if widget["type"] != "metric":
            continue
        for row in widget["properties"]["metrics"]:
            options = row[-1] if isinstance(row[-1], dict) else {}
            if "expression" in options:
                continue
            names = row[:-1] if options else row
            dims = dict(zip(names[2::2], names[3::2], strict=True))
            yield widget["properties"]["title"], names[0], names[1], dims, options
