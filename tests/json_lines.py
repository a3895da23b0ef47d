"""Parse what a function printed: its JSON log lines and EMF documents, skipping other text."""

from __future__ import annotations

import json


def json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out
