"""Per-turn prosody in the stream: pitch, loudness, voice quality, rate and arousal.

Each leg's audio runs through a :class:`PitchStream`; each final frame block from the
voice-activity front end then adds, per leg, summaries of its speech runs (sums, not
frames, so memory stays small however long a turn is). A turn starts and ends at its
speaker's activity boundaries, so its prosody is the combination of the run summaries
inside it. Arousal compares the turn with the speaker's own earlier turns in this stream
(``docs/prosody.md``).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from ..detectors.frames import FrameBlock
from .loudness import LUFS_OFFSET_DB, k_weighting
from .pitch import PitchStream
from .spectrum import balance_from_sums, spectral_balance_sums

__all__ = ["AROUSAL_FEATURES", "TurnProsody", "utterance_prosody"]

# One speech run (or its part inside one frame block) per row: the columns of
# ``_kernels.prosody.speech_run_sums``, repeated so that importing this module does not
# import numba (a test checks they agree).
R_START, R_END, R_VOICED, R_SUM_F0, R_SUM_ST, R_SUM_ST2 = 0, 1, 2, 3, 4, 5
R_SUM_T, R_SUM_T2, R_SUM_TST, R_MIN_ST, R_MAX_ST, R_SUM_POW, R_SUM_HNR, R_NUCLEI = (
    6, 7, 8, 9, 10, 11, 12, 13,
)  # fmt: skip
R_SUM_KPOW = 14  # K-weighted (BS.1770) power
N_FIELDS = 15

#: Features the arousal score combines: ``name -> (direction, prior spread)``, the spread
#: across one speaker's turns used until the speaker's own spread is known. Higher F0, a
#: wider F0 spread, more intensity and faster articulation all mark activation (Juslin &
#: Laukka 2003, Table 7; Scherer 2003), and so does a flatter spectrum, i.e. a lower alpha
#: ratio and Hammarberg index (vocal effort; Hammarberg et al. 1980, Eyben et al. 2016), so
#: each enters with weight +1 or -1.
AROUSAL_FEATURES: dict[str, tuple[int, float]] = {
    "f0_mean_semitones": (1, 2.0),
    "f0_sd_semitones": (1, 1.0),
    "loudness_db": (1, 3.0),
    "articulation_rate_syl_s": (1, 1.0),
    "alpha_ratio_db": (-1, 2.0),
    "hammarberg_db": (-1, 2.0),
}
# A voiced stretch's sums: jitter/shimmer (the kernel's 6), then spectral balance (4).
_N_VOICE = 10
_BALANCE = slice(6, 10)
_PRIOR_TURNS = 2.0  # weight of the prior spread, in turns
_Z_CLIP = 3.0
_MAX_RUNS = 20_000  # per leg: a safety bound on held summaries (hours of un-emitted turns)
_MAX_VOICED_FRAMES = 300  # a voiced stretch is analysed in pieces of at most 3 s
# Activity labels kept after their block: a stretch is analysed when it ends, so its middle
# frame (where it is credited) may lie in a block already observed.
_ACTIVE_KEEP_FRAMES = _MAX_VOICED_FRAMES + 200
# Pitch frames past a block's end that must exist when the block is observed (the
# voice-activity labels are final 0.49 s after their frame, the pitch track 0.28-0.30 s after,
# so 19-21 frames are there once the queued audio is analysed). A turn takes the voiced
# stretches that ended by this many frames after its last frame: all of those have been
# analysed when the turn is decided, however the audio was chunked.
_PITCH_AHEAD_FRAMES = 10
# Praat's limits for jitter and shimmer (Get jitter (local), Get shimmer (local_dB)).
_PERIOD_FLOOR_S, _PERIOD_CEILING_S, _MAX_PERIOD_FACTOR, _MAX_AMP_FACTOR = 1e-4, 0.02, 1.3, 1.6
# de Jong & Wempe use a 2 dB dip and a threshold 25 dB under the 99th intensity percentile
# of Praat's smoothed intensity. Our reference is a running peak of sharper 10 ms frames;
# on EmoDB speakers 03 and 08 (the tune split) 35 dB under it gave a better count
# correlation than 25 dB (0.72 vs 0.58), and their 2 dB dip stays.
_MIN_DIP_DB = 2.0
_BELOW_REF_DB = 35.0
_REF_DECAY_DB = 0.002  # per frame: 0.2 dB/s, so a loud start does not mute later syllables


class TurnProsody:
    """One call's prosody state.

    Parameters
    ----------
    roles : tuple of str
    channel_of_role : tuple of int
        Audio channel carrying each role (both roles share channel 0 in a diarized mono
        stream).
    n_channels : int
    sample_rate : int
    hop_s : float
    """

    def __init__(
        self,
        roles: tuple[str, ...],
        channel_of_role: tuple[int, ...],
        n_channels: int,
        sample_rate: int,
        hop_s: float,
    ) -> None:
        from .._kernels.loudness import KW_STATE_SIZE
        from .._kernels.prosody import new_nucleus_state

        self.roles = roles
        self.channel_of_role = channel_of_role
        self.hop_s = hop_s
        self.sample_rate = sample_rate
        self._pitch = [PitchStream(sample_rate, hop_s=hop_s) for _ in range(n_channels)]
        # Recent audio per channel (input rate) for the pulse analysis of voiced stretches.
        self._audio: list[np.ndarray] = [np.zeros(0, np.float32) for _ in range(n_channels)]
        self._audio_first = [0] * n_channels
        self._pitch_seen = [0] * n_channels  # pitch frames received
        self._vrun_start = [-1] * n_channels  # first frame of the open voiced stretch
        self._vrun_f0: list[list[float]] = [[] for _ in range(n_channels)]
        # (middle frame, end frame, voice sums) of analysed stretches, per channel then role.
        self._voice_pending: list[deque[tuple[int, int, np.ndarray]]] = [
            deque() for _ in range(n_channels)
        ]
        self._voice: list[deque[tuple[int, int, np.ndarray]]] = [deque() for _ in roles]
        # The last _ACTIVE_KEEP_FRAMES activity labels, from absolute frame _active_first.
        self._active = np.zeros((0, len(roles)), dtype=bool)
        self._active_first = 0
        # Pitch frames not yet matched with activity frames, per channel.
        self._f0: list[np.ndarray] = [np.zeros(0) for _ in range(n_channels)]
        self._voicing: list[np.ndarray] = [np.zeros(0) for _ in range(n_channels)]
        self._pitch_first = [0] * n_channels
        # K-weighted frame power per channel, from absolute frame _kpow_first on.
        self._kw_coef = k_weighting(sample_rate)
        self._kw_state = np.zeros((n_channels, KW_STATE_SIZE))
        self._kpow: list[np.ndarray] = [np.zeros(0) for _ in range(n_channels)]
        self._kpow_first = [0] * n_channels
        self._samples_seen = [0] * n_channels
        self._frames_per_s = round(1.0 / hop_s)
        self._nuclei_state = np.stack([new_nucleus_state() for _ in roles])
        self._open: list[np.ndarray | None] = [None] * len(roles)
        self._runs: list[deque[np.ndarray]] = [deque() for _ in roles]
        self._queued: list[np.ndarray] = []  # pushed audio not yet analysed
        self._ahead_samples = round(0.05 * sample_rate)
        # Per role and feature: turns seen, mean and sum of squared deviations (Welford).
        self._baseline = {
            r: {k: [0.0, 0.0, 0.0] for k in AROUSAL_FEATURES} for r in roles
        }  # fmt: skip

    # ------------------------------------------------------------------ input
    def push_samples(self, x: np.ndarray) -> None:
        """Audio as pushed to the call, shape (n, n_channels), validated float32, at the
        input rate. Only queued: :meth:`observe` analyses it once a block needs its frames."""
        self._queued.append(x)

    def analyse_ahead(self) -> None:
        """Analyse the queued audio now if there is enough of it (a music block's worth)
        to be worth a call; a push that leaves the labels unchanged calls this."""
        if sum(len(x) for x in self._queued) >= self._ahead_samples:
            self._analyse_queued()

    def _analyse_queued(self) -> None:
        """Pitch, loudness and voiced stretches of the queued audio. Deferred because the
        pitch track runs ahead of the voice-activity labels: analysing it once per block
        that needs it, rather than once per pushed chunk, saves most of the per-call
        overhead of small (20 ms) pushes; the frames are the same either way."""
        from .._kernels.loudness import k_weighted_frames

        if not self._queued:
            return
        x = self._queued[0] if len(self._queued) == 1 else np.concatenate(self._queued)
        self._queued = []
        for ch, stream in enumerate(self._pitch):
            samples = np.ascontiguousarray(x[:, ch], dtype=np.float32)
            self._audio[ch] = np.concatenate([self._audio[ch], samples])
            self._add_pitch(ch, stream.push_checked(samples), final=False)
            power, self._kw_state[ch] = k_weighted_frames(
                np.ascontiguousarray(x[:, ch], dtype=np.float64), self._kw_coef,
                self._kw_state[ch], self._samples_seen[ch], self.sample_rate,
                self._frames_per_s,
            )  # fmt: skip
            self._kpow[ch] = np.concatenate([self._kpow[ch], power])
            self._samples_seen[ch] += x.shape[0]

    def finish_samples(self) -> None:
        from .._kernels.loudness import KW_COUNT, KW_SUM

        self._analyse_queued()
        for ch, stream in enumerate(self._pitch):
            self._add_pitch(ch, stream.finish(), final=True)
            state = self._kw_state[ch]
            if state[KW_COUNT] > 0:  # the last, partial frame
                tail = np.array([state[KW_SUM] / state[KW_COUNT]])
                self._kpow[ch] = np.concatenate([self._kpow[ch], tail])
                state[KW_SUM] = state[KW_COUNT] = 0.0

    def _add_pitch(self, ch: int, track: Any, *, final: bool) -> None:
        if len(track):
            self._f0[ch] = np.concatenate([self._f0[ch], track.f0_hz])
            self._voicing[ch] = np.concatenate([self._voicing[ch], track.voicing])
        first = self._pitch_seen[ch]
        self._pitch_seen[ch] += len(track)
        self._voiced_stretches(ch, first, np.asarray(track.f0_hz), final=final)

    def _voiced_stretches(self, ch: int, first: int, f0: np.ndarray, *, final: bool) -> None:
        """Analyse each voiced stretch of the pitch track once it has ended: glottal pulses
        on its audio, then jitter and shimmer as sums (see ``_kernels.prosody``)."""
        for k in range(f0.shape[0]):
            voiced = math.isfinite(f0[k])
            if voiced:
                if self._vrun_start[ch] < 0:
                    self._vrun_start[ch] = first + k
                self._vrun_f0[ch].append(float(f0[k]))
                if len(self._vrun_f0[ch]) >= _MAX_VOICED_FRAMES:
                    self._analyse_stretch(ch)
            elif self._vrun_start[ch] >= 0:
                self._analyse_stretch(ch)
        if final and self._vrun_start[ch] >= 0:
            self._analyse_stretch(ch)
        # Keep the audio an open stretch (or the next one) will need.
        start = self._vrun_start[ch] if self._vrun_start[ch] >= 0 else self._pitch_seen[ch]
        keep_from = max(0, int((start - 2) * self.hop_s * self.sample_rate))
        drop = keep_from - self._audio_first[ch]
        if drop > 0:
            self._audio[ch] = self._audio[ch][drop:]
            self._audio_first[ch] += drop

    def _analyse_stretch(self, ch: int) -> None:
        from .._kernels.prosody import voice_sums

        fa = self._vrun_start[ch]
        f0 = np.array([np.nan, *self._vrun_f0[ch], np.nan])
        fb = fa + len(self._vrun_f0[ch])
        self._vrun_start[ch], self._vrun_f0[ch] = -1, []
        sr = self.sample_rate
        s0 = max(self._audio_first[ch], int((fa - 1) * self.hop_s * sr))
        s1 = int((fb + 1) * self.hop_s * sr) + 1
        x = self._audio[ch][s0 - self._audio_first[ch] : s1 - self._audio_first[ch]]
        if x.shape[0] < 3:
            return
        x64 = x.astype(np.float64)
        pulse_sums = voice_sums(
            x64, float(sr), f0, (fa - 1) * self.hop_s - s0 / sr, self.hop_s,
            _PERIOD_FLOOR_S, _PERIOD_CEILING_S, _MAX_PERIOD_FACTOR, _MAX_AMP_FACTOR,
        )  # fmt: skip
        balance = spectral_balance_sums(x64, sr)
        if pulse_sums[1] > 0 or pulse_sums[5] > 0 or balance[1] > 0:
            # Credited at the stretch's middle frame: inside the speech of whoever spoke it.
            sums = np.concatenate([pulse_sums, balance])
            self._voice_pending[ch].append(((fa + fb) // 2, fb, sums))

    def observe(self, block: FrameBlock) -> None:
        """Summarize each role's speech runs in a final frame block."""
        from .._kernels.prosody import speech_run_sums, syllable_nuclei

        n = block.n_frames
        if n == 0:
            return
        # The pitch track must reach _PITCH_AHEAD_FRAMES past the block: the turns decided
        # in this block then find every voiced stretch they take (see turn()).
        if min(self._pitch_seen) < block.end_frame + _PITCH_AHEAD_FRAMES:
            self._analyse_queued()
        per_channel: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for ch in set(self.channel_of_role):
            # The pitch stream runs ahead of the voice-activity labels (0.28 s vs 0.49 s of
            # lookahead), and both are flushed before the last block, so its frames are here;
            # the track may end a frame early, and the loudness frames inside the last one.
            per_channel[ch] = (
                _frames_of(self._f0[ch], self._pitch_first[ch], block, np.nan),
                _frames_of(self._voicing[ch], self._pitch_first[ch], block, 0.0),
                _frames_of(self._kpow[ch], self._kpow_first[ch], block, 0.0),
            )
        for ch in per_channel:
            done = max(0, block.end_frame - self._pitch_first[ch])
            self._f0[ch], self._voicing[ch] = self._f0[ch][done:], self._voicing[ch][done:]
            self._pitch_first[ch] += done
            done = max(0, block.end_frame - self._kpow_first[ch])
            self._kpow[ch] = self._kpow[ch][done:]
            self._kpow_first[ch] += done
        if len(self._active) == 0:  # blocks are consecutive from here on
            self._active_first = block.first_frame
        self._active = np.concatenate([self._active, block.active])
        for ch in per_channel:
            pending = self._voice_pending[ch]
            while pending and pending[0][0] < block.end_frame:
                frame, end, sums = pending.popleft()
                # Whoever on this channel was talking at the stretch's middle frame, looked
                # up in the kept labels whatever block it fell in (chunking must not matter).
                k = frame - self._active_first
                owners = [
                    i for i, c in enumerate(self.channel_of_role)
                    if c == ch and (k < 0 or self._active[k, i])
                ]  # fmt: skip
                if owners:
                    self._voice[owners[0]].append((frame, end, sums))
        drop = max(0, len(self._active) - _ACTIVE_KEEP_FRAMES)
        self._active, self._active_first = self._active[drop:], self._active_first + drop
        for i, _role in enumerate(self.roles):
            f0, voicing, kpow = per_channel[self.channel_of_role[i]]
            active = block.active[:, i]
            energy = block.energy_db[:, i]
            voiced = active & np.isfinite(f0)
            nuclei = syllable_nuclei(
                energy, voiced, active, self._nuclei_state[i], _MIN_DIP_DB, _BELOW_REF_DB,
                _REF_DECAY_DB,
            )  # fmt: skip
            rows = speech_run_sums(
                block.first_frame, self.hop_s, active, f0, voicing, energy, nuclei, kpow,
            )  # fmt: skip
            self._add_runs(i, block, rows)

    def _add_runs(self, i: int, block: FrameBlock, rows: np.ndarray) -> None:
        """Continue, close and open role ``i``'s speech runs with a block's run sums."""
        starts_quiet = rows.shape[0] == 0 or rows[0, R_START] > block.first_frame
        if starts_quiet and self._open[i] is not None:
            self._close(i)
        for row in rows:
            opened = self._open[i]
            if opened is not None and opened[R_END] == row[R_START]:
                row = _merge(opened, row)
            self._open[i] = row
            if row[R_END] < block.end_frame:
                self._close(i)

    def _close(self, i: int) -> None:
        row = self._open[i]
        if row is not None:
            self._runs[i].append(row)
            if len(self._runs[i]) > _MAX_RUNS:
                self._runs[i].popleft()
        self._open[i] = None

    # ------------------------------------------------------------------ turns
    def turn(self, speaker: str, start_s: float, end_s: float) -> dict[str, Any]:
        """Prosody of ``speaker``'s turn ``[start_s, end_s)``; updates their baseline."""
        i = self.roles.index(speaker)
        first = round(start_s / self.hop_s)
        last = round(end_s / self.hop_s)
        if self._open[i] is not None and self._open[i][R_END] <= last:  # type: ignore[index]
            self._close(i)
        total = np.zeros(N_FIELDS)
        total[R_MIN_ST], total[R_MAX_ST] = np.inf, -np.inf
        n_active = 0
        runs = self._runs[i]
        while runs and runs[0][R_END] <= first:  # before the turn: belongs to no later turn
            runs.popleft()
        for row in runs:
            if row[R_START] >= last:
                break
            if row[R_START] >= first:
                total = _merge(total, row, keep_span=False)
                n_active += int(row[R_END] - row[R_START])
        while runs and runs[0][R_END] <= last:
            runs.popleft()
        voice = np.zeros(_N_VOICE)
        held = self._voice[i]
        while held and held[0][0] < first:
            held.popleft()
        while held and held[0][0] < last:
            _, stretch_end, sums = held.popleft()
            if stretch_end <= last + _PITCH_AHEAD_FRAMES:
                voice += sums
        return self._features(speaker, total, n_active, end_s - start_s, voice)

    def _features(
        self, speaker: str, s: np.ndarray, n_active: int, duration_s: float, voice: np.ndarray
    ) -> dict[str, Any]:
        hop = self.hop_s
        nv = s[R_VOICED]
        active_s = n_active * hop
        alpha, hammarberg = balance_from_sums(voice[_BALANCE])
        out: dict[str, Any] = {
            "voiced_s": _r(nv * hop),
            "speech_s": _r(active_s),
            "f0_mean_hz": None,
            "f0_mean_semitones": None,
            "f0_sd_semitones": None,
            "f0_range_semitones": None,
            "f0_slope_semitones_s": None,
            "loudness_db": _r(10.0 * math.log10(s[R_SUM_POW] / n_active)) if n_active else None,
            "loudness_lufs": (
                _r(LUFS_OFFSET_DB + 10.0 * math.log10(s[R_SUM_KPOW] / n_active))
                if n_active and s[R_SUM_KPOW] > 0
                else None
            ),
            "hnr_db": _r(s[R_SUM_HNR] / nv) if nv else None,
            # Praat's jitter (local) and shimmer (local, dB) over the turn's voiced stretches.
            "jitter": (
                _r((voice[0] / voice[1]) / (voice[2] / voice[3]))
                if voice[1] > 0 and voice[3] > 0
                else None
            ),
            "shimmer_db": _r(20.0 * voice[4] / voice[5]) if voice[5] > 0 else None,
            "alpha_ratio_db": _r_or_none(alpha),
            "hammarberg_db": _r_or_none(hammarberg),
            "syllables": int(s[R_NUCLEI]),
            "speech_rate_syl_s": _r(s[R_NUCLEI] / duration_s) if duration_s > 0 else None,
            "articulation_rate_syl_s": _r(s[R_NUCLEI] / active_s) if active_s > 0 else None,
        }
        if nv >= 2:
            mean_st = s[R_SUM_ST] / nv
            var = max(0.0, s[R_SUM_ST2] / nv - mean_st**2)
            denom = nv * s[R_SUM_T2] - s[R_SUM_T] ** 2
            slope = (nv * s[R_SUM_TST] - s[R_SUM_T] * s[R_SUM_ST]) / denom if denom > 0 else 0.0
            out.update(
                f0_mean_hz=_r(s[R_SUM_F0] / nv),
                f0_mean_semitones=_r(mean_st),
                f0_sd_semitones=_r(math.sqrt(var)),
                f0_range_semitones=_r(s[R_MAX_ST] - s[R_MIN_ST]),
                f0_slope_semitones_s=_r(slope),
            )
        out["arousal"], out["baseline_turns"] = self._arousal(speaker, out)
        return out

    def _arousal(self, speaker: str, features: dict[str, Any]) -> tuple[float | None, int]:
        """Mean z-score of the arousal features against the speaker's earlier turns; the
        spread is shrunk towards a prior for the first few turns. Then learn this turn."""
        base = self._baseline[speaker]
        zs = []
        n_seen = int(min(b[0] for b in base.values()))
        for key, (direction, prior_sd) in AROUSAL_FEATURES.items():
            value = features.get(key)
            if value is None:
                continue
            n, mean, m2 = base[key]
            if n >= 1:
                sd = math.sqrt((_PRIOR_TURNS * prior_sd**2 + m2) / (_PRIOR_TURNS + n - 1))
                zs.append(direction * max(-_Z_CLIP, min(_Z_CLIP, (value - mean) / sd)))
            n += 1
            delta = value - mean
            mean += delta / n
            base[key] = [n, mean, m2 + delta * (value - mean)]
        return (_r(sum(zs) / len(zs)) if zs else None), n_seen


def _frames_of(buffer: np.ndarray, first: int, block: FrameBlock, fill: float) -> np.ndarray:
    """The block's frames of a per-channel buffer that starts at absolute frame ``first``,
    padded with ``fill`` where the buffer ends early."""
    k = block.first_frame - first
    out = buffer[k : k + block.n_frames]
    if out.shape[0] < block.n_frames:
        out = np.concatenate([out, np.full(block.n_frames - out.shape[0], fill)])
    return out


def _merge(a: np.ndarray, b: np.ndarray, *, keep_span: bool = True) -> np.ndarray:
    out: np.ndarray = a + b
    out[R_START] = a[R_START] if keep_span else b[R_START]
    out[R_END] = b[R_END]
    out[R_MIN_ST] = min(a[R_MIN_ST], b[R_MIN_ST])
    out[R_MAX_ST] = max(a[R_MAX_ST], b[R_MAX_ST])
    return out


def _r(x: float) -> float:
    return round(float(x), 4)


def _r_or_none(x: float | None) -> float | None:
    return None if x is None else _r(x)


def utterance_prosody(samples: Any, sample_rate: int) -> dict[str, Any]:
    """Prosody of one speaker's utterance, computed exactly as for a turn in the Analyzer
    (voice activity, pitch, run summaries), with the detected speech (first to last speech
    frame) as the turn.

    Parameters
    ----------
    samples : np.ndarray, shape (n,) or (n, 1)
        Mono int16/float audio.
    sample_rate : int
        Hz, >= 8000.

    Returns
    -------
    dict
        The ``prosody`` fields of a turn event over the detected speech, first to last
        speech frame (``arousal`` is ``None``: there is no baseline; compare utterances of
        one speaker yourself, or use the Analyzer).
    """
    from ..audio import validate_sample_rate, validate_samples
    from ..config import HOP_S
    from ..detectors.voice_activity import VoiceActivityStream

    rate = validate_sample_rate(sample_rate)
    x = validate_samples(samples, n_channels=1)
    roles = ("speaker",)
    vad = VoiceActivityStream(roles, rate)
    tracker = TurnProsody(roles, (0,), 1, rate, HOP_S)
    tracker.push_samples(x)
    blocks = [vad.push_validated(x)]
    tracker.observe(blocks[0])
    tracker.finish_samples()
    blocks.append(vad.finish())
    tracker.observe(blocks[1])
    # The turn spans the detected speech, first to last active frame, as an Analyzer turn
    # would (so speech_rate_syl_s is per second of speech, pauses included).
    active = np.flatnonzero(np.concatenate([b.active[:, 0] for b in blocks]))
    if active.size == 0:
        return tracker.turn("speaker", 0.0, vad.frames_emitted * HOP_S)
    return tracker.turn("speaker", active[0] * HOP_S, (active[-1] + 1) * HOP_S)
