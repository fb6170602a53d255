"""The HTML report: content, self-containment, size on a 2-hour call, and rendering in
headless Chromium (Debian's ``chromium``) without console errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import empathysignals as es
from empathysignals.report import render_html, write_png

ROOT = Path(__file__).resolve().parents[1]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        for key in ("src", "href"):
            if a.get(key) and tag != "a":
                self.srcs.append(str(a[key]))


@pytest.fixture(scope="module")
def one_minute() -> list[es.Event]:
    audio = es.load_audio(ROOT / "examples/data/call.wav")
    return es.analyze(audio.samples, audio.sample_rate)


@pytest.fixture(scope="module")
def two_hours() -> list[es.Event]:
    audio = es.load_audio(ROOT / "examples/data/call.wav")
    reps = int(np.ceil(7200 / (len(audio.samples) / audio.sample_rate)))
    long = np.tile(audio.samples, (reps, 1))
    call = es.Analyzer(sample_rate=audio.sample_rate, prosody=False).stream()
    return call.push(long) + call.finish()


def test_content_and_links(one_minute: list[es.Event]) -> None:
    page = render_html(one_minute, title="t")
    parsed = _Collect()
    parsed.feed(page)
    assert {"timeline", "summary", "moments", "scroll"} <= parsed.ids
    summary = one_minute[-1]
    assert isinstance(summary, es.SummaryEvent) and summary.coachable_moments
    for i in range(len(summary.coachable_moments)):
        assert f"#m{i}" in parsed.links and f"m{i}" in parsed.ids
    assert not parsed.srcs, "nothing may be loaded from elsewhere"
    external = [u for u in re.findall(r"https?://[^\"' )]+", page) if "w3.org/2000/svg" not in u]
    assert not external
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    turns = [e for e in one_minute if isinstance(e, es.TurnEvent)]
    assert page.count('class="turn"') == len(turns)
    # overlaps and backchannels are drawn over the turns (SVG paints in document order)
    interruptions = [e for e in one_minute if isinstance(e, es.InterruptionEvent) and e.end]
    backchannels = [e for e in one_minute if isinstance(e, es.BackchannelEvent)]
    assert interruptions and backchannels
    assert page.count('class="overlap"') == len(interruptions)
    assert page.count('class="backchannel"') == len(backchannels)
    assert page.rindex('class="turn"') < page.index('class="overlap"')
    assert "No alerts." in page or 'id="alerts"' in page
    assert "<li>none</li>" not in page


def test_peak_and_end_sit_on_the_curve(one_minute: list[es.Event]) -> None:
    """The markers are placed at their turn's middle, where the curve has its point, on the
    valence and the arousal curves alike; the end dot is drawn before the peak's larger ring,
    so a peak that is also the end stays visible (it was covered)."""
    page = render_html(one_minute)
    points = set()
    for line in re.findall(r'<polyline points="([^"]+)"', page):
        points |= {pair for pair in line.split()}
    marks = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)" r="(\d+)" class="(peak|end)"', page)
    assert {mark for *_, mark in marks} == {"peak", "end"}
    assert {radius for _, _, radius, mark in marks if mark == "peak"} == {"8"}
    assert {radius for _, _, radius, mark in marks if mark == "end"} == {"4"}
    for cx, cy, _, _ in marks:
        assert f"{cx},{cy}" in points, (cx, cy)
    titles = re.findall(r'class="(?:peak|end)"[^>]*><title>[^<]* turn: (valence|arousal)', page)
    assert {"valence", "arousal"} <= set(titles)
    ends = [(cx, cy) for cx, cy, _, mark in marks if mark == "end"]
    for cx, cy, _, mark in marks:  # a peak ring at an end dot comes after it
        if mark == "peak" and (cx, cy) in ends:
            assert page.index(f'cx="{cx}" cy="{cy}" r="8"') > page.index(
                f'cx="{cx}" cy="{cy}" r="4"'
            )


def test_pauses_and_overlaps_are_drawn_over_the_turns(one_minute: list[es.Event]) -> None:
    """A pause is often emitted before its turn; drawn in event order, the turn covered it."""
    page = render_html(one_minute)
    last_turn = page.rindex('class="turn"')
    pauses = [m.start() for m in re.finditer('class="pause"', page)]
    assert pauses and min(pauses) > last_turn
    overlaps = [e for e in one_minute if isinstance(e, es.GapEvent) and e.offset < 0]
    assert page.count('class="overtalk"') == 2 * len(overlaps)


def test_two_hour_report_stays_small(two_hours: list[es.Event]) -> None:
    summary = two_hours[-1]
    assert isinstance(summary, es.SummaryEvent) and summary.duration_s >= 7200
    page = render_html(two_hours)
    assert len(page.encode()) < 5 * 2**20


def test_png(one_minute: list[es.Event], tmp_path: Path) -> None:
    write_png(one_minute, tmp_path / "t.png")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_needs_a_summary() -> None:
    with pytest.raises(es.ParameterError, match="summary"):
        render_html([])


@pytest.mark.parametrize("which", ["one_minute", "two_hours"])
def test_renders_in_headless_chromium(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    path = tmp_path / "report.html"
    path.write_text(render_html(request.getfixturevalue(which)), encoding="utf-8")
    out = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
         "--v=0", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'id="timeline"' in out.stdout and 'id="moments"' in out.stdout
    console = [line for line in out.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    blocked = [line for line in out.stderr.splitlines() if "Content Security Policy" in line]
    assert not blocked, blocked  # the page never tried to load anything
