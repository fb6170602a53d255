"""Per-turn emotional state: transparent late fusion of text emotion, prosodic arousal and
turn-taking behaviour (``docs/state.md``).

Valence comes from the words (text valence) and from what just happened to the speaker
(interrupted, kept waiting, put on hold); arousal from the voice (prosodic arousal against
the speaker's own baseline) and, with less weight, from the words (activated vs calm
emotion labels). The label is the quadrant of the valence-arousal plane (Russell 1980).
Each modality that is missing simply drops out; ``evidence`` names what moved the state.
"""

from __future__ import annotations

import math
from typing import Any

from .detectors.turn_taking import customer_and_agent
from .events import Event, GapEvent, HoldEvent, InterruptionEvent, TurnEvent

__all__ = ["StateTracker", "fuse_state"]

#: Weights of the two arousal sources when both are present: the voice is the direct
#: measurement of activation, words only hint at it.
W_AROUSAL_PROSODY, W_AROUSAL_TEXT = 0.7, 0.3
#: Text valence is scaled before behaviour is added, so behaviour can tip a neutral turn.
W_VALENCE_TEXT = 0.8
#: Valence effects of behaviour: being talked over, kept waiting, coming back from hold.
#: Sized so one alone moves a neutral turn to the edge of "dissatisfied" (-0.25), two
#: cross it; capped so behaviour alone never outweighs clearly positive words.
B_INTERRUPTED, B_WAITED, B_HOLD, B_CAP = -0.2, -0.2, -0.15, -0.45
LONG_WAIT_S = 2.0  # "kept waiting": an answer this late (also the long_wait moment)
HOLD_MIN_S = 30.0
QUADRANT = 0.25  # |valence| or arousal beyond this leaves "neutral"
# GoEmotions labels by activation (Russell's circumplex placement of these emotions).
HIGH_AROUSAL = ("anger", "annoyance", "fear", "nervousness", "excitement", "surprise",
                "amusement", "disgust", "joy")  # fmt: skip
LOW_AROUSAL = ("sadness", "grief", "disappointment", "remorse", "relief", "caring", "approval")


def _clip(x: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def _r(x: float) -> float:
    # 4 decimals, as prosody's fields: 3 put distinct arousals on the same value (tanh squashes).
    return round(float(x), 4)


def fuse_state(
    *,
    prosodic_arousal: float | None,
    emotion: dict[str, Any] | None,
    behaviour: list[tuple[str, float]],
) -> dict[str, Any]:
    """The ``state`` of one turn.

    Parameters
    ----------
    prosodic_arousal : float or None
        ``prosody["arousal"]`` (a z-score against the speaker's baseline).
    emotion : dict or None
        The turn's ``emotion`` (``valence``, ``top``, ...).
    behaviour : list of (description, valence effect)

    Returns
    -------
    dict
        ``valence`` and ``arousal`` in -1…1, ``label``, ``confidence`` in 0…1 and
        ``evidence`` (list of {signal, detail, valence, arousal}).
    """
    evidence: list[dict[str, Any]] = []
    arousal_parts: list[tuple[float, float]] = []
    if prosodic_arousal is not None:
        a_p = math.tanh(prosodic_arousal / 2.0)
        arousal_parts.append((W_AROUSAL_PROSODY, a_p))
        evidence.append({"signal": "prosody", "detail": f"arousal {prosodic_arousal:+.2f} vs "
                         "own baseline", "valence": 0.0, "arousal": _r(a_p)})  # fmt: skip
    valence = 0.0
    has_text = emotion is not None and emotion.get("valence") is not None
    if emotion is not None and has_text:
        top = {label: float(p) for label, p in emotion.get("top", [])}
        high = max((p for k, p in top.items() if k in HIGH_AROUSAL), default=0.0)
        low = max((p for k, p in top.items() if k in LOW_AROUSAL), default=0.0)
        a_t = _clip(high - low)
        arousal_parts.append((W_AROUSAL_TEXT, a_t))
        v_t = W_VALENCE_TEXT * float(emotion["valence"])
        valence += v_t
        label = next(iter(top), "")
        evidence.append({"signal": "text", "detail": f"{label} {top.get(label, 0):.2f}",
                         "valence": _r(v_t), "arousal": _r(a_t)})  # fmt: skip
    effect = max(B_CAP, sum(v for _, v in behaviour))
    for what, v in behaviour:
        evidence.append({"signal": "behaviour", "detail": what, "valence": v, "arousal": 0.0})
    valence = _clip(valence + effect)
    weight = sum(w for w, _ in arousal_parts)
    arousal = _clip(sum(w * a for w, a in arousal_parts) / weight) if weight else 0.0
    if valence <= -QUADRANT:
        label = "agitated" if arousal >= QUADRANT else "dissatisfied"
    elif valence >= QUADRANT:
        label = "enthusiastic" if arousal >= QUADRANT else "satisfied"
    else:
        label = "neutral"
    # Confidence: how far from the neutral origin, times how many sources spoke.
    coverage = 0.4 + 0.3 * has_text + 0.3 * (prosodic_arousal is not None)
    distance = math.hypot(valence, arousal)
    strength = min(1.0, distance / 0.5) if label != "neutral" else max(0.0, 1.0 - distance / 0.5)
    return {
        "valence": _r(valence),
        "arousal": _r(arousal),
        "label": label,
        "confidence": _r(coverage * strength),
        "evidence": evidence,
    }


class StateTracker:
    """One call's behavioural context and the fusion of each turn's state. What happened to
    a speaker (talked over, kept waiting, put on hold) counts once, for the first of their
    turns that ends after it (the interrupted turn itself, if it goes on). Waiting and hold
    apply to the caller: the role named ``customer`` (else the first role). Small and
    picklable."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles
        self.caller = customer_and_agent(roles)[0]
        # speaker -> list of (time it happened, kind, description, valence effect)
        self.pending: dict[str, list[tuple[float, str, str, float]]] = {r: [] for r in roles}

    def observe(self, ev: Event) -> None:
        if ev.end is None:
            return
        if isinstance(ev, InterruptionEvent) and ev.of in self.pending:
            self.pending[ev.of].append(
                (
                    ev.start,
                    "interrupted",
                    f"interrupted by {ev.by} at {ev.start:.1f} s",
                    B_INTERRUPTED,
                )
            )
        elif isinstance(ev, GapEvent) and ev.offset >= LONG_WAIT_S and ev.from_ == self.caller:
            # The caller kept waiting; an agent waiting for the caller's answer is no grievance.
            self.pending[ev.from_].append(
                (ev.start, "waited", f"kept waiting {ev.offset:.1f} s for an answer", B_WAITED)
            )
        elif isinstance(ev, HoldEvent) and ev.end - ev.start >= HOLD_MIN_S:
            self.pending[self.caller].append(
                (ev.start, "hold", f"back from {ev.end - ev.start:.0f} s on hold", B_HOLD)
            )

    def state(self, turn: TurnEvent) -> dict[str, Any]:
        end = turn.end if turn.end is not None else turn.start
        due = [p for p in self.pending.get(turn.speaker, []) if p[0] <= end]
        self.pending[turn.speaker] = [p for p in self.pending.get(turn.speaker, []) if p[0] > end]
        # Several of a kind count once: being talked over twice in a turn is one grievance.
        kinds: dict[str, tuple[str, float]] = {}
        for _, kind, what, effect in due:
            kinds.setdefault(kind, (what, effect))
        arousal = (turn.prosody or {}).get("arousal")
        return fuse_state(
            prosodic_arousal=arousal,
            emotion=dict(turn.emotion) if turn.emotion else None,
            behaviour=list(kinds.values()),
        )
