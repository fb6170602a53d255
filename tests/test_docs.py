"""Every relative link in the README and docs/ reaches a file, and every #anchor a heading.

The docs cross-reference one another by section (benchmarks -> studies -> tuning ...), and a
renamed or moved heading silently breaks those links; this catches it. Anchors follow
GitHub's slugs: lower case, punctuation other than '-' and '_' dropped, spaces to '-', and
'-1', '-2' ... for repeated headings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "benchmarks" / "README.md",
]
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in _FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        heading = re.match(r"^#{1,6} (.*)", line)
        if heading:
            slug = github_slug(heading.group(1))
            repeat = seen.get(slug, 0)
            seen[slug] = repeat + 1
            found.add(slug if repeat == 0 else f"{slug}-{repeat}")
    return found


def test_slugs_follow_github() -> None:
    assert github_slug("Speed (`python benchmarks/bench_speed.py`)") == (
        "speed-python-benchmarksbench_speedpy"
    )
    assert github_slug("The floor through the holder's pauses (session 15)") == (
        "the-floor-through-the-holders-pauses-session-15"
    )
    assert github_slug("Against the targets of issue #2") == "against-the-targets-of-issue-2"


@pytest.mark.parametrize("doc", [d for d in DOCS if d.exists()], ids=lambda d: d.name)
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for link in _LINK.findall(_FENCE.sub("", doc.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):  # http:, https:, mailto: ...
            continue
        path, _, anchor = link.partition("#")
        target = (doc.parent / path) if path else doc
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{link}: no heading with that anchor in {target.name}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_event_examples_are_what_the_bundled_call_gives() -> None:
    """docs/events.md shows lines of `empathysignals analyze examples/data/call.wav
    --no-emotion`; each must be a line that command prints (ids and times drift otherwise)."""
    import empathysignals as es

    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    command = "`empathysignals analyze examples/data/call.wav --no-emotion`"
    block = re.search(re.escape(command) + r".*?```\n(.*?)```", text, re.S)
    assert block, f"docs/events.md no longer shows {command}"
    shown = [json.loads(line) for line in block.group(1).splitlines() if line.strip()]
    events = es.analyze_file(ROOT / "examples" / "data" / "call.wav", emotion_model=None)
    printed = [e.to_dict() for e in events]
    assert shown and all(line in printed for line in shown), [
        line for line in shown if line not in printed
    ]


def test_the_readme_use_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first Python block, as written, from the repository root: batch and
    live on the bundled call give the same events."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Use\n\n```python\n(.*?)```", text, re.S)
    assert block, "README.md has no '## Use' Python block"
    monkeypatch.chdir(ROOT)
    printed: list[dict[str, object]] = []
    namespace: dict[str, Any] = {"print": printed.append}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    batch = [e.to_dict() for e in namespace["events"]]
    assert printed == batch and printed[-1]["type"] == "summary"


def test_the_top_level_is_the_documented_layout() -> None:
    """Only the layout the README describes is tracked at the top (two stray scratch files,
    one named '-', were once committed there)."""
    import shutil
    import subprocess

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    top = {path.split("/", 1)[0] for path in tracked}
    allowed = {".ci", ".gitignore", "README.md", "pyproject.toml", "src", "benchmarks",
               "docs", "tests", "examples", "training"}  # fmt: skip
    assert top <= allowed, sorted(top - allowed)
