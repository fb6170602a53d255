"""Detectors: the voice-activity front end and the conversation-level detectors that plug
into :class:`empathysignals.Analyzer` through :class:`~empathysignals.detectors.base.Detector`."""
