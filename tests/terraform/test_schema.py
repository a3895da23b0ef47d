"""Every attribute and nested block on every aws_* resource and data source under terraform/
exists in the real hashicorp/aws 6.25.0 schema, and every required one is present: the
nearest thing to `terraform validate` without the provider binary."""

from __future__ import annotations

import json

import pytest
from terraform_scan import SUBSET, blocks, parse, tf_files, unquote, used_schema_keys

META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
HCL2_KEYS = {"__comments__", "__is_block__", "__start_line__", "__end_line__"}
ALWAYS_COMPUTED = {"id", "tags_all"}  # listed as optional in the schema; never set them


def _load_subset() -> dict:
    return json.loads(SUBSET.read_text(encoding="utf-8"))


def _is_block(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get("__is_block__") for v in value)


def check_body(body: dict, schema: dict, where: str, *, top: bool) -> list[str]:
    """Problems with one block body against its schema (recursive)."""
    problems: list[str] = []
    attributes, nested = schema.get("attributes", {}), schema.get("blocks", {})
    computed = set(schema.get("computed_only_attributes", [])) | (ALWAYS_COMPUTED if top else set())
    present_blocks: dict[str, list[dict]] = {}
    for key, value in body.items():
        if key in HCL2_KEYS or (top and key in META_ARGUMENTS):
            continue
        if key == "dynamic":
            for entry in value:
                for label, spec in entry.items():
                    if not isinstance(spec, dict):
                        continue
                    present_blocks.setdefault(unquote(label), []).extend(spec.get("content", [{}]))
            continue
        if _is_block(value):
            present_blocks.setdefault(key, []).extend(value)
        elif key in nested and nested[key].get("maybe_attribute"):
            present_blocks.setdefault(key, [])
        elif key in computed:
            problems.append(f"{where}: `{key}` is computed by the provider and cannot be set")
        elif key not in attributes:
            hint = f" (it is a nested block: write `{key} {{ ... }}`)" if key in nested else ""
            problems.append(f"{where}: unknown attribute `{key}`{hint}")
    for name, required in attributes.items():
        if required.get("required") and name not in body:
            problems.append(f"{where}: required attribute `{name}` is missing")
    for name, instances in present_blocks.items():
        if name not in nested:
            hint = f" (it is an attribute: write `{name} = ...`)" if name in attributes else ""
            problems.append(f"{where}: unknown block `{name}`{hint}")
            continue
        if nested[name].get("nesting") == "single" and len(instances) > 1:
            problems.append(f"{where}: block `{name}` may appear once")
        for index, instance in enumerate(instances):
            problems += check_body(instance, nested[name], f"{where} > {name}[{index}]", top=False)
    for name, spec in nested.items():
        if spec.get("required") and name not in present_blocks:
            problems.append(f"{where}: required block `{name}` is missing")
    return problems


def test_schema_subset_covers_every_type_used():
    subset = _load_subset()
    missing = [key for key in used_schema_keys() if key not in subset]
    assert not missing, (
        f"{missing} are used under terraform/ but not in the vendored schema subset. Regenerate it: "
        ".venv/bin/python tests/terraform/schema/regenerate.py PATH/TO/aws-provider-6.25.0-schema.json"
    )


def test_schema_subset_is_the_pinned_provider_version():
    # The subset is the project's truth; `regenerate.py --check PATH` compares it with a full schema.
    meta = _load_subset()["_meta"]
    assert meta["source_meta"]["terraform_provider"] == "hashicorp/aws 6.25.0"
    assert sorted(meta["types"]) == sorted(key for key in _load_subset() if key != "_meta")


def test_schema_every_tf_file_parses():
    files = tf_files()
    assert len(files) >= 20, files  # the root and four modules, at least
    for path in files:
        assert isinstance(parse(path), dict), path


@pytest.mark.parametrize("block", blocks(), ids=lambda b: f"{b.file.parent.name}/{b.type}.{b.name}")
def test_schema_block_matches_provider_schema(block):
    subset = _load_subset()
    assert block.schema_key in subset, (
        f"{block.where}: {block.schema_key} is not in the vendored schema subset. Regenerate it: "
        ".venv/bin/python tests/terraform/schema/regenerate.py PATH/TO/aws-provider-6.25.0-schema.json"
    )
    assert check_body(block.body, subset[block.schema_key], block.where, top=True) == []


def test_checker_rejects_unknown_missing_and_misplaced_names():
    schema = _load_subset()["aws_api_gateway_deployment"]
    body = {"rest_api_id": "x", "stage_name": "Prod", "__is_block__": True}  # stage_name left in 6.x
    assert check_body(body, schema, "t", top=True) == ["t: unknown attribute `stage_name`"]
    schema = _load_subset()["aws_lambda_function"]
    body = {"function_name": "f", "tracing_config": {"mode": "Active"}, "id": "x"}
    problems = check_body(body, schema, "t", top=True)
    assert "t: required attribute `role` is missing" in problems
    assert "t: unknown attribute `tracing_config` (it is a nested block: write `tracing_config { ... }`)" in problems
    assert "t: `id` is computed by the provider and cannot be set" in problems
    content = [{"mood": "x", "__is_block__": True}]
    body = {"function_name": "f", "role": "r", "dynamic": [{'"tracing_config"': {"for_each": [], "content": content}}]}
    assert check_body(body, schema, "t", top=True) == [
        "t > tracing_config[0]: unknown attribute `mood`",
        "t > tracing_config[0]: required attribute `mode` is missing",
    ]
