"""Perceptual loudness: ITU-R BS.1770 K-weighting at any sample rate.

BS.1770 is the standard model of perceived loudness (validated against listening tests;
Soulodre 2004): a high-shelf "pre-filter" (+4 dB above ~1.7 kHz, the head's effect) and
a high-pass "RLB" filter (~38 Hz), then the mean square, in LUFS. The standard gives the
coefficients at 48 kHz; these are the same analog designs mapped to any rate by the
bilinear transform (libebur128's design), so 48 kHz reproduces the published values. A
turn's ``loudness_lufs`` is the mean over the speaker's speech frames: the voice-activity
detector is the gate, instead of BS.1770's absolute and relative gates, which are meant
for whole programmes.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LUFS_OFFSET_DB", "k_weighting"]

#: BS.1770's constant: a 997 Hz sine at 0 dBFS reads -3.01 LUFS.
LUFS_OFFSET_DB = -0.691
_SHELF_GAIN_DB = 3.999843853973347
_SHELF_HZ = 1681.974450955533
_SHELF_Q = 0.7071752369554196
_HIGHPASS_HZ = 38.13547087602444
_HIGHPASS_Q = 0.5003270373238773
_SHELF_VB_EXPONENT = 0.4996667741545416


def k_weighting(sample_rate: int) -> np.ndarray:
    """K-weighting biquads at ``sample_rate`` (Hz), designed as libebur128 does (bilinear
    transform with prewarping of the analog shelf and high-pass fitted to BS.1770's 48 kHz
    coefficients, which 48 kHz reproduces to 1e-12).

    Returns
    -------
    np.ndarray, shape (10,)
        ``b0, b1, b2, a1, a2`` of the high shelf, then of the high-pass, normalized to
        ``a0 = 1``; the high-pass numerator is BS.1770's ``1, -2, 1``.
    """
    k = math.tan(math.pi * _SHELF_HZ / sample_rate)
    vh = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    vb = vh**_SHELF_VB_EXPONENT
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf = [
        (vh + vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * _HIGHPASS_HZ / sample_rate)
    a0 = 1.0 + k / _HIGHPASS_Q + k * k
    highpass = [1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HIGHPASS_Q + k * k) / a0]
    return np.array(shelf + highpass, dtype=np.float64)
