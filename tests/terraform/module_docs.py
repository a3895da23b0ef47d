"""Input and output tables of each module's README.md, generated from its variables and
outputs. The text between the markers is rewritten; everything else is hand-written.

    .venv/bin/python tests/terraform/module_docs.py --write   # regenerate every module README
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from terraform_scan import declarations, module_dirs  # noqa: E402

BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _text(value) -> str:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        value = value[2:-1]
    return str(value).replace("|", "\\|").replace("\n", " ")


def _default(body: dict) -> str:
    if "default" not in body:
        return "n/a"
    value = body["default"]
    if isinstance(value, str) and value.startswith('"'):
        return f"`{value}`"
    return f"`{json.dumps(value)}`"


def tables(directory: Path) -> str:
    lines = ["## Inputs", "", "| Name | Description | Type | Default | Required |", "|---|---|---|---|---|"]
    for name, body in sorted(declarations(directory, "variable").items()):
        lines.append(
            f"| `{name}` | {_text(body.get('description', ''))} | `{_text(body.get('type', 'any'))}` | "
            f"{_default(body)} | {'no' if 'default' in body else 'yes'} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, body in sorted(declarations(directory, "output").items()):
        lines.append(f"| `{name}` | {_text(body.get('description', ''))} |")
    return "\n".join(lines)


def render(readme: str, directory: Path) -> str:
    block = f"{BEGIN}\n{tables(directory)}\n{END}"
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for directory in module_dirs():
        readme = directory / "README.md"
        if not readme.exists():  # the hand-written part comes first: write a README, then regenerate
            print(f"missing: {readme} (start it with a title and a paragraph on what the module makes)")
            stale.append(readme)
            continue
        current = readme.read_text(encoding="utf-8")
        wanted = render(current, directory)
        if wanted != current:
            stale.append(readme)
            if "--write" in argv:
                readme.write_text(wanted, encoding="utf-8")
            print(("rewrote " if "--write" in argv else "stale: ") + str(readme))
    return 0 if not stale or "--write" in argv else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
