"""The README stays short and links every page in docs/; every relative link in the README and
docs/ reaches a file that exists and, with a #fragment, a heading in it; nothing cites a file
that only exists beside the repository; docs/youtube.md states the budgets budget.py uses."""

import os
import re
from pathlib import Path

import pytest

from functions.youtube import budget, config

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
# Local only (.gitignore): virtualenvs, tool venvs, caches, build outputs; and git itself.
LOCAL_DIRS = {".git", ".venv", ".tools", ".cache", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
LOCAL_DIRS |= {".hypothesis", ".terraform", "build/dist", "build/work"}
# Notes beside the development checkout; a user's clone has nothing beside it. Split so that
# this file does not match itself.
OUTSIDE = ("/work/" + "shared", "../" + "shared", "DESIGN" + ".md", "shared " + "README")


def _links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


def _slug(heading: str) -> str:
    # GitHub's anchors: lower case, punctuation dropped, spaces to hyphens.
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {_slug(m) for m in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)}


def test_docs_readme_is_short():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 250


def test_docs_readme_links_every_page():
    linked = {(README.parent / link.split("#")[0]).resolve() for link in _links(README)}
    assert [page.name for page in DOCS if page.resolve() not in linked] == []


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_relative_links_resolve(page):
    broken = []
    for link in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", link):  # https:, mailto:
            continue
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif fragment and target.suffix == ".md" and fragment not in _anchors(target):
            broken.append(f"{link}: no heading #{fragment} in {target.relative_to(ROOT)}")
    assert broken == []


def test_docs_slug_follows_github():
    assert _slug("Local development without YouTube") == "local-development-without-youtube"
    assert _slug("Sizes and the budget (`make build`)") == "sizes-and-the-budget-make-build"


def test_docs_nothing_cites_a_file_outside_the_repository():
    cited, read = [], 0
    for folder, dirs, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        dirs[:] = [d for d in dirs if d not in LOCAL_DIRS and (here / d).as_posix() not in LOCAL_DIRS]
        for name in files:
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8")
            except UnicodeDecodeError:  # binary fixtures
                continue
            read += 1
            cited += [f"{here / name}: {needle}" for needle in OUTSIDE if needle in text]
    assert read > 100 and cited == []


def _table(page: Path, section: str) -> list[list[str]]:
    """The rows (header and separator dropped) of the first table under `## section`."""
    text = page.read_text(encoding="utf-8").split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def test_docs_youtube_budgets_match_budget_py():
    page, longest = ROOT / "docs" / "youtube.md", config.from_env({}).max_duration_s
    worst = f"{budget.transcode_budget(longest, longest):.1f} s"
    assert [row[1] for row in _table(page, "What a miss does")] == [
        f"{budget.EXTRACT_S:g} s",
        f"{budget.DOWNLOAD_S:g} s",
        f"{budget.TRANSCODE_S_PER_AUDIO_S:g} s per audio second, at least {budget.TRANSCODE_MIN_S:g} s: "
        f"{worst} at {longest:g} s",
        f"{budget.ANALYSIS_S:g} s",
        f"{budget.RESERVE_S:g} s",
    ]
    (transcode,) = [row for row in _table(page, "Figures") if row[0].startswith("ffmpeg transcode")]
    assert transcode[2].startswith(f"{worst} (")  # the goal the bench prints
