"""Rewrite aws-provider-6.25.0-subset.json: the entries of the real hashicorp/aws 6.25.0
schema for exactly the resource and data source types used under terraform/.

    .venv/bin/python tests/terraform/schema/regenerate.py path/to/aws-provider-6.25.0-schema.json
    .venv/bin/python tests/terraform/schema/regenerate.py --check path/to/aws-provider-6.25.0-schema.json

The full schema's path is always given: the tests never read outside the repository. `--check`
writes nothing and exits 1 when the vendored subset differs from what the full schema gives.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from terraform_scan import SUBSET, used_schema_keys  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    paths = [arg for arg in argv[1:] if arg != "--check"]
    if len(paths) != 1:
        print(__doc__)
        return 2
    source = Path(paths[0])
    raw = source.read_bytes()
    full = json.loads(raw)
    keys = used_schema_keys()
    missing = [k for k in keys if k not in full]
    if missing:
        print(f"not in the provider schema (typo, or a type from another provider version): {missing}")
        return 1
    subset = {
        "_meta": {
            "provenance": (
                "Entries copied verbatim from a full aws-provider-6.25.0-schema.json "
                "(hashicorp/aws 6.25.0, extracted from @cdktf/provider-aws@21.22.1; SHA-256 below) by "
                "tests/terraform/schema/regenerate.py for the types used under terraform/."
            ),
            "source_meta": full.get("_meta", {}),
            "source_sha256": hashlib.sha256(raw).hexdigest(),
            "types": keys,
        },
        **{k: full[k] for k in keys},
    }
    text = json.dumps(subset, indent=1, sort_keys=True) + "\n"
    if check:
        same = SUBSET.read_text(encoding="utf-8") == text
        print(f"{SUBSET.name}: {'matches' if same else 'differs from'} {source}")
        return 0 if same else 1
    SUBSET.write_text(text, encoding="utf-8")
    print(f"wrote {len(keys)} types to {SUBSET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
