"""Every module has versions.tf, main.tf, variables.tf, outputs.tf and a README.md whose
input and output tables match its variables and outputs."""

from __future__ import annotations

import pytest
from module_docs import BEGIN, render
from terraform_scan import module_dirs

REGENERATE = ".venv/bin/python tests/terraform/module_docs.py --write"


@pytest.mark.parametrize("directory", module_dirs(), ids=lambda d: d.name)
def test_module_docs_tables_match_the_code(directory):
    for name in ("versions.tf", "main.tf", "variables.tf", "outputs.tf", "README.md"):
        assert (directory / name).exists(), f"{directory.name} lacks {name}"
    readme = (directory / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme, f"{directory.name}/README.md has no generated tables: run {REGENERATE}"
    assert render(readme, directory) == readme, f"{directory.name}/README.md tables are stale: run {REGENERATE}"


def test_module_docs_render_lists_every_input_and_output():
    directory = next(d for d in module_dirs() if d.name == "lambda_function")
    text = render("# x\n", directory)
    assert "| `reserved_concurrency` |" in text and "| yes |" in text
    assert "| `log_level` |" in text and '`"INFO"`' in text
    assert "| `function_invoke_arn` | ARN API Gateway uses as the integration URI. |" in text
