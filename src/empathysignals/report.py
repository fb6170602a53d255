"""A self-contained HTML report of one call: timeline of both legs, emotion and arousal
curves with the peak and the end marked, summary figures, coachable moments linked to the
timeline. No network is needed to view it: inline SVG, CSS and a few lines of script, and a
Content-Security-Policy that forbids every external load.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import Any

from .errors import MissingDependencyError, ParameterError
from .events import (
    AlertEvent,
    BackchannelEvent,
    DeadAirEvent,
    Event,
    GapEvent,
    HoldEvent,
    InterruptionEvent,
    PauseEvent,
    SummaryEvent,
    TurnEvent,
)

__all__ = ["render_html", "write_html", "write_png"]

_PX_PER_S = 12.0  # timeline scale; a 2 h call is 86,400 px wide and scrolls
_LANE_H = 26
_CURVE_H = 80
_COLORS = {"customer": "#1f77b4", "agent": "#ff7f0e"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _color(role: str, roles: Sequence[str]) -> str:
    return _COLORS.get(role, ("#2ca02c", "#9467bd", "#8c564b")[roles.index(role) % 3])


def _summary(events: Sequence[Event]) -> SummaryEvent:
    for ev in reversed(events):
        if isinstance(ev, SummaryEvent):
            return ev
    raise ParameterError("the events hold no summary: pass everything a finished stream returned")


def _svg(events: Sequence[Event], summary: SummaryEvent, roles: list[str]) -> str:
    width = max(200.0, summary.duration_s * _PX_PER_S)

    def x(t: float) -> str:
        return f"{t * _PX_PER_S:.1f}"

    lanes_y = {role: 20 + i * (_LANE_H + 6) for i, role in enumerate(roles)}
    curves_top = 20 + len(roles) * (_LANE_H + 6) + 20
    height = curves_top + 2 * (_CURVE_H + 20) + 20
    parts = [
        f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height}" viewBox="0 0 {width:.0f} {height}">'
    ]
    # Time axis: a tick every 10 s (every minute on long calls).
    step = 10 if summary.duration_s <= 600 else 60
    for t in range(0, int(summary.duration_s) + 1, step):
        parts.append(f'<line x1="{x(t)}" y1="12" x2="{x(t)}" y2="{height}" class="tick"/>')
        parts.append(f'<text x="{x(t)}" y="10" class="lbl">{t // 60}:{t % 60:02d}</text>')
    closed = [e for e in events if e.end is not None]
    # Pauses, overlaps, backchannels and alerts go over the turns: they mark moments inside
    # them (a pause is often emitted before its turn, so event order would hide it).
    under: list[str] = []
    over: list[str] = []
    for ev in closed:
        assert ev.end is not None
        w = max(1.0, (ev.end - ev.start) * _PX_PER_S)
        tip = html.escape(f"{ev.type} {ev.start:.2f}-{ev.end:.2f} s")
        if isinstance(ev, HoldEvent | DeadAirEvent):
            cls = "hold" if isinstance(ev, HoldEvent) else "dead"
            under.append(
                f'<rect x="{x(ev.start)}" y="14" width="{w:.1f}" height="{height - 14}" '
                f'class="{cls}"><title>{tip}</title></rect>'
            )
        elif isinstance(ev, TurnEvent) and ev.speaker in lanes_y:
            label = (ev.state or {}).get("label", "")
            tip = html.escape(f"{ev.speaker} {ev.start:.2f}-{ev.end:.2f} s {label} {ev.text or ''}")
            under.append(
                f'<rect x="{x(ev.start)}" y="{lanes_y[ev.speaker]}" width="{w:.1f}" '
                f'height="{_LANE_H}" fill="{_color(ev.speaker, roles)}" class="turn">'
                f"<title>{tip}</title></rect>"
            )
        elif isinstance(ev, PauseEvent) and ev.speaker in lanes_y:
            over.append(
                f'<rect x="{x(ev.start)}" y="{lanes_y[ev.speaker] + _LANE_H - 5}" '
                f'width="{w:.1f}" height="5" class="pause"><title>{tip}</title></rect>'
            )
        elif isinstance(ev, InterruptionEvent) and ev.by in lanes_y:
            outcome = "successful" if ev.successful else "unsuccessful"
            over.append(
                f'<rect x="{x(ev.start)}" y="{lanes_y[ev.by]}" width="{w:.1f}" '
                f'height="{_LANE_H}" class="overlap"><title>{tip}: {html.escape(ev.by)} '
                f"interrupting {html.escape(ev.of)} ({outcome})</title></rect>"
            )
        elif isinstance(ev, GapEvent) and ev.offset < 0:  # overlap at a floor transfer
            for lane in (ev.from_, ev.to):
                if lane in lanes_y:
                    over.append(
                        f'<rect x="{x(ev.start)}" y="{lanes_y[lane]}" width="{w:.1f}" '
                        f'height="{_LANE_H}" class="overtalk"><title>{tip}: '
                        f"{html.escape(ev.from_)} and {html.escape(ev.to)} overlap at the "
                        "transfer</title></rect>"
                    )
        elif isinstance(ev, BackchannelEvent) and ev.speaker in lanes_y:
            over.append(
                f'<rect x="{x(ev.start)}" y="{lanes_y[ev.speaker] + 4}" width="{w:.1f}" '
                f'height="{_LANE_H - 8}" class="backchannel"><title>{tip} by '
                f"{html.escape(ev.speaker)}</title></rect>"
            )
        elif isinstance(ev, AlertEvent):
            y = lanes_y.get(ev.who, 14)
            over.append(
                f'<path d="M{x(ev.start)},{y - 1} l-5,-9 h10 z" class="alert">'
                f"<title>{ev.start:.2f} s alert {html.escape(ev.kind)}: "
                f"{html.escape(ev.message)}</title></path>"
            )
    parts += under + over
    # Valence and arousal curves per role, peak and end marked.
    turns = [e for e in closed if isinstance(e, TurnEvent) and e.state]
    for k, key in enumerate(("valence", "arousal")):
        top = curves_top + k * (_CURVE_H + 20)
        mid = top + _CURVE_H / 2
        parts.append(f'<text x="2" y="{top + 10}" class="lbl">{key}</text>')
        parts.append(f'<line x1="0" y1="{mid}" x2="{width:.0f}" y2="{mid}" class="zero"/>')
        for role in roles:
            pts = [
                (e.start + (e.end or e.start)) / 2 for e in turns if e.speaker == role
            ]  # fmt: skip
            vals = [e.state[key] for e in turns if e.speaker == role]  # type: ignore[index]
            if not pts:
                continue
            coords = " ".join(
                f"{x(t)},{mid - v * _CURVE_H / 2:.1f}" for t, v in zip(pts, vals, strict=True)
            )
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{_color(role, roles)}" '
                f'class="curve" data-role="{html.escape(role)}"/>'
            )
            em = (summary.emotion or {}).get(role)
            # The summary's peak and end turns (by valence), on both curves. The summary times
            # a turn by its start; the curve by its middle.
            by_start = {round(e.start, 3): e for e in turns if e.speaker == role}
            # The end first: where the peak is the end turn too, its ring stays visible.
            for mark, radius in (("end", 4), ("peak", 8)):
                point = em.get(mark) if em else None
                turn = by_start.get(round(point["time"], 3)) if point else None
                if turn is None or turn.state is None or turn.state.get(key) is None:
                    continue
                v = turn.state[key]
                cx = x((turn.start + (turn.end or turn.start)) / 2)
                parts.append(
                    f'<circle cx="{cx}" cy="{mid - v * _CURVE_H / 2:.1f}" r="{radius}" '
                    f'class="{mark}" stroke="{_color(role, roles)}"><title>{html.escape(role)} '
                    f"{mark} turn: {key} {v:+.2f}</title></circle>"
                )
    for i, m in enumerate(summary.coachable_moments):
        parts.append(
            f'<g id="m{i}" class="moment"><line x1="{x(m["time"])}" y1="14" '
            f'x2="{x(m["time"])}" y2="{height}"/><title>{html.escape(m["kind"])}</title></g>'
        )
    for role, y in lanes_y.items():  # last, so the names sit on top of the turns
        parts.append(f'<text x="2" y="{y + 17}" class="lane">{html.escape(role)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return html.escape(str(value))


def render_html(events: Sequence[Event], *, title: str = "Call report") -> str:
    """The report as one HTML string.

    Parameters
    ----------
    events : sequence of Event
        Everything a finished stream returned (the summary last), e.g. ``es.analyze(...)``.
    title : str
    """
    events = list(events)
    summary = _summary(events)
    roles = list(summary.talk_time_s) or sorted(
        {e.speaker for e in events if isinstance(e, TurnEvent)}
    )
    alerts = [e for e in events if isinstance(e, AlertEvent)]
    rows = [
        ("duration", f"{summary.duration_s:.1f} s"),
        ("overtalk", f"{summary.overtalk_time_s:.1f} s"),
        ("nobody talking", f"{summary.non_talk_time_s:.1f} s"),
        ("holds", f"{summary.holds.get('count', 0)} ({_fmt(summary.holds.get('total_s'))} s)"),
        (
            "dead air",
            f"{summary.dead_air.get('count', 0)} ({_fmt(summary.dead_air.get('total_s'))} s)",
        ),
        ("alerts", str(len(alerts))),
    ]
    for role in roles:
        em = (summary.emotion or {}).get(role) or {}
        lat = {k: v for k, v in summary.response_latency_s.items() if k.endswith(f"->{role}")}
        median = next(iter(lat.values()), {}).get("median") if lat else None
        rows += [
            (f"{role}: talk time", f"{summary.talk_time_s.get(role, 0.0):.1f} s"),
            (
                f"{role}: turns / interruptions",
                f"{summary.turns.get(role, 0)} / {summary.interruptions.get(role, 0)}",
            ),
            (
                f"{role}: median gap before their turns (negative: came in over the other)",
                f"{_fmt(median)} s",
            ),
            (
                f"{role}: articulation rate",
                f"{_fmt(summary.articulation_rate_syl_s.get(role))} syl/s",
            ),
            (
                f"{role}: valence start / peak / end",
                " / ".join(
                    _fmt((em.get(k) or {}).get("valence")) for k in ("start", "peak", "end")
                ),
            ),
            (
                f"{role}: peak-end score, trend",
                f"{_fmt(em.get('peak_end'))}, {_fmt(em.get('trend'))}",
            ),
        ]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    moments = "".join(
        f'<li><a href="#m{i}" data-t="{m["time"]}">{int(m["time"]) // 60}:'
        f"{m['time'] % 60:05.2f}</a> <b>{html.escape(m['kind'])}</b> "
        f"({html.escape(m['who'])}, {html.escape(m['detail'])}): {html.escape(m['why'])}</li>"
        for i, m in enumerate(summary.coachable_moments)
    )
    no_moments = "" if moments else "<p>No coachable moments.</p>"
    alert_items = "".join(
        f"<li>{int(a.start) // 60}:{a.start % 60:05.2f} <b>{html.escape(a.kind)}</b> "
        f"({html.escape(a.who)}): {html.escape(a.message)}</li>"
        for a in alerts
    )
    alert_list = f'<ol id="alerts">{alert_items}</ol>' if alerts else "<p>No alerts.</p>"
    legend = " ".join(
        f'<span style="color:{_color(r, roles)}">&#9632; {html.escape(r)}</span>' for r in roles
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<title>{html.escape(title)}</title>
<style>
body{{font:14px system-ui,sans-serif;margin:16px;color:#222}}
#scroll{{overflow-x:auto;border:1px solid #ccc}}
.tick{{stroke:#eee}} .lbl{{font-size:10px;fill:#666}} .lane{{font-size:11px;fill:#333}}
.turn{{opacity:.85}} .pause{{fill:#fff;opacity:.8}} .overlap{{fill:#d62728;opacity:.8}}
.backchannel{{fill:#ffdd57;opacity:.9}} .alert{{fill:#ff7f0e}}
.hold{{fill:#9edae5;opacity:.35}} .dead{{fill:#c7c7c7;opacity:.5}} .zero{{stroke:#bbb}}
.curve{{stroke-width:2}} .peak{{fill:none;stroke-width:2.5}} .end{{fill:#000;stroke-width:2}}
.overtalk{{fill:#d62728;opacity:.3}}
.moment line{{stroke:#d62728;stroke-dasharray:4 3}} .moment.on line{{stroke-width:4}}
table{{border-collapse:collapse}}
th,td{{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{legend} &nbsp; red: interruption (in the interrupter's lane) &nbsp; light red: overlap
at a floor transfer &nbsp; white notch: pause &nbsp; yellow: backchannel &nbsp; ▼ live alert
&nbsp; blue band: hold &nbsp; grey band: dead air &nbsp; ○ peak, ● end turn of each role
(the most intense and the last valence)</p>
<div id="scroll">{_svg(events, summary, roles)}</div>
<h2>Summary</h2><table id="summary">{table}</table>
<h2>Coachable moments</h2><ol id="moments">{moments}</ol>{no_moments}
<h2>Live alerts</h2>{alert_list}
<script>
document.querySelectorAll('#moments a').forEach(function (a) {{
  a.addEventListener('click', function (ev) {{
    ev.preventDefault();
    var g = document.getElementById(a.getAttribute('href').slice(1));
    document.querySelectorAll('.moment').forEach(function (m) {{ m.classList.remove('on'); }});
    g.classList.add('on');
    document.getElementById('scroll').scrollLeft = Math.max(0, a.dataset.t * {_PX_PER_S} - 200);
  }});
}});
</script>
</body></html>
"""


def write_html(events: Sequence[Event], path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Write :func:`render_html` to ``path``."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_html(events, **kwargs))


def write_png(events: Sequence[Event], path: str | os.PathLike[str]) -> None:
    """The timeline and curves as a PNG (needs matplotlib: ``pip install empathysignals[plot]``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError(
            "--png needs matplotlib: pip install 'empathysignals[plot]'"
        ) from None
    events = list(events)
    summary = _summary(events)
    roles = list(summary.talk_time_s)
    fig, (ax, av) = plt.subplots(2, 1, figsize=(14, 4.5), sharex=True,
                                 gridspec_kw={"height_ratios": [1, 1.2]})  # fmt: skip
    for ev in events:
        if ev.end is None:
            continue
        if isinstance(ev, TurnEvent) and ev.speaker in roles:
            ax.barh(roles.index(ev.speaker), ev.end - ev.start, left=ev.start,
                    color=_color(ev.speaker, roles))  # fmt: skip
        elif isinstance(ev, InterruptionEvent) and ev.by in roles:
            ax.barh(roles.index(ev.by), ev.end - ev.start, left=ev.start, color="#d62728",
                    zorder=3)  # fmt: skip
        elif isinstance(ev, BackchannelEvent) and ev.speaker in roles:
            ax.barh(roles.index(ev.speaker), ev.end - ev.start, left=ev.start, height=0.5,
                    color="#ffdd57", zorder=3)  # fmt: skip
        elif isinstance(ev, HoldEvent | DeadAirEvent):
            color = "#9edae5" if isinstance(ev, HoldEvent) else "#c7c7c7"
            for a in (ax, av):
                a.axvspan(ev.start, ev.end, color=color, alpha=0.4)
    ax.set_yticks(range(len(roles)), roles)
    ax.invert_yaxis()  # first role on top, as on the HTML page
    ax.set_xlim(0.0, summary.duration_s)
    from matplotlib.patches import Patch

    keys = [("#d62728", "interruption (overlap)"), ("#ffdd57", "backchannel"),
            ("#9edae5", "hold"), ("#c7c7c7", "dead air")]  # fmt: skip
    # Above the lanes, where it hides no bar.
    ax.legend(handles=[Patch(color=c, label=x) for c, x in keys], loc="lower right",
              bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8, ncol=4)  # fmt: skip
    for role in roles:
        turns = [e for e in events if isinstance(e, TurnEvent) and e.speaker == role and e.state]
        av.plot([(t.start + (t.end or t.start)) / 2 for t in turns],
                [t.state["valence"] for t in turns],  # type: ignore[index]
                "-o", ms=3, color=_color(role, roles), label=f"{role} valence")  # fmt: skip
    for m in summary.coachable_moments:
        av.axvline(m["time"], color="#d62728", ls="--", lw=0.8)
    av.set_ylim(-1, 1)
    av.set_xlabel("time (s)")
    av.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
