"""ONNX text-classification models in the ecosystem's export layout.

A model directory holds ``model.onnx``, ``tokenizer.json`` (Hugging Face ``tokenizers``),
``config.json`` with ``id2label`` and ``problem_type``, and optionally ``thresholds.json``:
what ``optimum`` and ``transformers.onnx`` write. Any such model loads; the bundled
GoEmotions model is one of them.

The onnxruntime session is created on first use, with one intra-op thread by default and
spinning off, and is shared: ``InferenceSession.run`` is thread-safe, so one model serves
every call and thread of a process.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingDependencyError, ModelError, ParameterError
from .taxonomy import GOEMOTIONS_LABELS, TAXONOMIES, VALENCE_BY_LABEL

__all__ = ["DEFAULT_MAX_LENGTH", "EmotionModel", "EmotionPrediction"]

#: A lone UTF-16 surrogate: no character, refused by the tokenizer.
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Tokens per text (incl. special tokens) when neither the caller nor config.json says.
DEFAULT_MAX_LENGTH = 128
_PROBLEM_TYPES = ("multi_label_classification", "single_label_classification")
_TEXT_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True)
class EmotionPrediction:
    """Scores for a batch of texts.

    Attributes
    ----------
    labels : tuple of str, length L
    probs : np.ndarray, shape (n_texts, L), float32
        Sigmoid (multi-label models) or softmax (single-label) probabilities; for grouped
        taxonomies, a group's probability is its most probable member's.
    thresholds : np.ndarray, shape (L,)
        Per-label decision thresholds.
    valence : np.ndarray, shape (n_texts,), or None
        In -1…1: (P(positive) - P(negative)) / (P(positive) + P(negative) + P(other)), where
        each P is the most probable label of that sign (see docs/text-emotion.md). ``None`` when
        the model's labels carry no known sign.
    taxonomy : str
    """

    labels: tuple[str, ...]
    probs: np.ndarray
    thresholds: np.ndarray
    valence: np.ndarray | None
    taxonomy: str

    def __len__(self) -> int:
        return int(self.probs.shape[0])

    @property
    def decisions(self) -> np.ndarray:
        """Boolean (n_texts, L): labels at or above their threshold."""
        return np.asarray(self.probs >= self.thresholds[None, :])

    def top(self, k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` most probable labels of each text, as (label, probability) pairs."""
        if k < 1:
            raise ParameterError(f"k must be >= 1, got {k}")
        order = np.argsort(-self.probs, axis=1, kind="stable")[:, :k]
        return [
            [(self.labels[j], float(row[j])) for j in idx]
            for row, idx in zip(self.probs, order, strict=True)
        ]

    def predicted(self) -> list[list[str]]:
        """Labels at or above threshold for each text; the top label when none is."""
        out = []
        for row, keep in zip(self.probs, self.decisions, strict=True):
            chosen = [self.labels[j] for j in np.flatnonzero(keep)]
            out.append(chosen or [self.labels[int(np.argmax(row))]])
        return out


@dataclass(frozen=True)
class _ModelFiles:
    model: Path
    tokenizer: Path
    config: Path
    thresholds: Path | None


def _model_files(path: Path) -> _ModelFiles:
    if not path.exists():
        raise ModelError(f"model directory {path} does not exist")
    if not path.is_dir():
        raise ModelError(
            f"{path} is a file; pass the directory holding model.onnx, tokenizer.json and "
            "config.json"
        )
    missing = [
        n for n in ("model.onnx", "tokenizer.json", "config.json") if not (path / n).is_file()
    ]
    if missing:
        raise ModelError(
            f"model directory {path} lacks {', '.join(missing)}; an exported text-"
            "classification model needs model.onnx, tokenizer.json and config.json (e.g. "
            "`optimum-cli export onnx --task text-classification`)"
        )
    thresholds = path / "thresholds.json"
    return _ModelFiles(
        path / "model.onnx",
        path / "tokenizer.json",
        path / "config.json",
        thresholds if thresholds.is_file() else None,
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); re-export the model") from None


def _labels_from_config(config: Any, path: Path) -> tuple[str, ...]:
    if not isinstance(config, dict) or not isinstance(config.get("id2label"), dict):
        raise ModelError(f"{path} has no id2label mapping; it is needed to name the outputs")
    try:
        ids = {int(k): str(v) for k, v in config["id2label"].items()}
    except (TypeError, ValueError):
        raise ModelError(f"{path}: id2label keys must be integers 0..n-1") from None
    if sorted(ids) != list(range(len(ids))) or not ids:
        raise ModelError(f"{path}: id2label keys must be the integers 0..n-1, got {sorted(ids)}")
    labels = tuple(ids[i] for i in range(len(ids)))
    if len(set(labels)) != len(labels):
        raise ModelError(f"{path}: id2label names a label twice")
    return labels


def _thresholds(
    data: Any, labels: tuple[str, ...], path: Path
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Parse ``thresholds.json``: ``{label: t}``, or ``{"labels": {...}, "<taxonomy>": {...}}``."""
    if not isinstance(data, dict):
        raise ModelError(f"{path} must map label names to thresholds")
    groups: dict[str, np.ndarray] = {}
    flat = data.get("labels", data)
    for name, table in data.items():
        if name in TAXONOMIES and isinstance(table, dict):
            wanted = tuple(TAXONOMIES[name])
            groups[name] = _threshold_vector(table, wanted, path)
    return _threshold_vector(flat, labels, path), groups


def _threshold_vector(table: Any, labels: Sequence[str], path: Path) -> np.ndarray:
    if not isinstance(table, dict):
        raise ModelError(f"{path}: thresholds must be a mapping label -> number")
    missing = [label for label in labels if label not in table]
    if missing:
        raise ModelError(
            f"{path}: no threshold for {missing[:5]}; the labels do not match config.json's "
            "id2label"
        )
    try:
        vec = np.array([float(table[label]) for label in labels])
    except (TypeError, ValueError):
        raise ModelError(f"{path}: thresholds must be numbers") from None
    if not np.all((vec >= 0.0) & (vec <= 1.0)):
        raise ModelError(f"{path}: thresholds must lie in [0, 1]")
    return vec


class EmotionModel:
    """An ONNX sequence-classification model and its tokenizer.

    Parameters
    ----------
    path : str or Path
        Directory in the export layout (``model.onnx``, ``tokenizer.json``, ``config.json``,
        optional ``thresholds.json``).
    threads : int, default 1
        onnxruntime intra-op threads. One is best when many calls share a process; raise it
        for a single large batch job.
    max_length : int, optional
        Tokens per text, special tokens included; longer texts are truncated. Defaults to
        ``config.json``'s ``max_length``, else 128.
    name : str, optional
        Name used in events and reprs; defaults to the directory name.

    Raises
    ------
    ModelError
        Missing or malformed files, an unsupported ``problem_type``, or labels that do not
        match the thresholds (the ONNX graph's output size is checked when the session is
        first created).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        threads: int = 1,
        max_length: int | None = None,
        name: str | None = None,
    ) -> None:
        self.path = Path(path)
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ParameterError(f"threads must be a positive int, got {threads!r}")
        self.threads = threads
        files = _model_files(self.path)
        self._files = files
        config = _read_json(files.config)
        self.labels = _labels_from_config(config, files.config)
        problem = config.get("problem_type") or "single_label_classification"
        if problem not in _PROBLEM_TYPES:
            raise ModelError(
                f"{files.config}: problem_type {problem!r} is not supported; this library "
                f"scores classifiers ({' or '.join(_PROBLEM_TYPES)})"
            )
        self.problem_type: str = problem
        limit = (
            max_length if max_length is not None else config.get("max_length", DEFAULT_MAX_LENGTH)
        )
        if isinstance(limit, bool) or not isinstance(limit, int) or not 4 <= limit <= 4096:
            raise ParameterError(f"max_length must be an int in [4, 4096], got {limit!r}")
        self.max_length = limit
        self.name = name or self.path.name
        default = 0.5 if problem == "multi_label_classification" else 0.0
        self.thresholds = np.full(len(self.labels), default)
        self._group_thresholds: dict[str, np.ndarray] = {}
        if files.thresholds is not None:
            self.thresholds, self._group_thresholds = _thresholds(
                _read_json(files.thresholds), self.labels, files.thresholds
            )
        self.thresholds.setflags(write=False)
        self._tokenizer = self._load_tokenizer(files.tokenizer)
        self._pad_id = self._find_pad_id(config)
        self._lock = threading.Lock()
        self._session: Any = None
        self._inputs: tuple[str, ...] = ()
        self._input_dtypes: dict[str, Any] = {}

    # ------------------------------------------------------------------ loading
    def _load_tokenizer(self, path: Path) -> Any:
        try:
            from tokenizers import Tokenizer
        except ImportError:  # pragma: no cover - a declared dependency
            raise MissingDependencyError(
                "the tokenizers package is required: pip install tokenizers"
            ) from None
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises bare Exception on parse errors
            raise ModelError(f"{path} is not a tokenizers JSON file ({exc})") from None
        tokenizer.no_padding()  # batches are padded here, to their longest text
        tokenizer.enable_truncation(max_length=self.max_length)
        return tokenizer

    def _find_pad_id(self, config: dict[str, Any]) -> int:
        pad = config.get("pad_token_id")
        if isinstance(pad, int):
            return pad
        for token in ("[PAD]", "<pad>", "<|pad|>"):
            found = self._tokenizer.token_to_id(token)
            if found is not None:
                return int(found)
        return 0

    def _get_session(self) -> Any:
        if self._session is not None:
            return self._session
        with self._lock:
            if self._session is None:
                self._session = self._create_session()
        return self._session

    def _create_session(self) -> Any:
        try:
            import onnxruntime as ort
        except ImportError:  # pragma: no cover - a declared dependency
            raise MissingDependencyError(
                "onnxruntime is required: pip install onnxruntime"
            ) from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Idle pool threads must not spin: many calls share a core.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(
                str(self._files.model), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(
                f"{self._files.model} could not be loaded by onnxruntime: {exc}"
            ) from None
        names = []
        for spec in session.get_inputs():
            if spec.name not in _TEXT_INPUTS:
                raise ModelError(
                    f"{self._files.model} needs input {spec.name!r}; a text classifier takes "
                    f"only {', '.join(_TEXT_INPUTS)}"
                )
            names.append(spec.name)
            self._input_dtypes[spec.name] = np.int32 if spec.type == "tensor(int32)" else np.int64
        if "input_ids" not in names:
            raise ModelError(f"{self._files.model} has no input_ids input")
        out_shape = session.get_outputs()[0].shape
        if len(out_shape) != 2 or (
            isinstance(out_shape[1], int) and out_shape[1] != len(self.labels)
        ):
            raise ModelError(
                f"{self._files.model} outputs shape {out_shape} but config.json names "
                f"{len(self.labels)} labels; the label list does not match the model"
            )
        self._inputs = tuple(names)
        return session

    def load(self) -> EmotionModel:
        """Create the onnxruntime session now instead of on first use; returns ``self``."""
        self._get_session()
        return self

    # ------------------------------------------------------------------ inference
    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, truncated to :attr:`max_length`.

        Parameters
        ----------
        texts : sequence of str
            A lone UTF-16 surrogate (no character; JSON allows one) is read as U+FFFD.

        Returns
        -------
        list of list of int
            One id list per text, special tokens included.
        """
        texts = _validate_texts(texts)
        # One text at a time: encode_batch would start the tokenizers thread pool.
        return [self._tokenizer.encode(_SURROGATE.sub("\ufffd", text)).ids for text in texts]

    def logits(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Raw model outputs, shape (n_texts, n_labels), float32."""
        texts = _validate_texts(texts)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ParameterError(f"batch_size must be a positive int, got {batch_size!r}")
        session = self._get_session()
        ids = self.encode(texts)
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        # Similar lengths share a batch so padding stays small.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            feed = self._feed([ids[i] for i in rows])
            result = session.run(None, feed)[0]
            if result.ndim != 2 or result.shape[1] != len(self.labels):
                raise ModelError(
                    f"{self._files.model} returned shape {result.shape}; expected "
                    f"(batch, {len(self.labels)}) to match config.json's labels"
                )
            out[rows] = result
        return out

    def _feed(self, batch: list[list[int]]) -> dict[str, np.ndarray]:
        width = max(len(row) for row in batch)
        input_ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, row in enumerate(batch):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        arrays = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        return {
            name: arrays[name].astype(self._input_dtypes[name], copy=False) for name in self._inputs
        }

    def predict(
        self,
        texts: Sequence[str],
        *,
        taxonomy: str | None = None,
        batch_size: int = 32,
    ) -> EmotionPrediction:
        """Score texts.

        Parameters
        ----------
        texts : sequence of str
        taxonomy : {"goemotions", "ekman", "sentiment"} or None
            ``None`` (default) returns the model's own labels. ``"ekman"`` and
            ``"sentiment"`` group GoEmotions labels as in the GoEmotions paper and need a
            model with those labels; ``"goemotions"`` checks the model has them.
        batch_size : int, default 32

        Returns
        -------
        EmotionPrediction
        """
        taxonomy_name = self._check_taxonomy(taxonomy)
        logits = self.logits(texts, batch_size=batch_size)
        if self.problem_type == "multi_label_classification":
            probs = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        else:
            shifted = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
        probs32 = probs.astype(np.float32)
        probs32.setflags(write=False)
        base = EmotionPrediction(
            self.labels, probs32, np.asarray(self.thresholds), _valence(probs, self.labels), "model"
        )
        if taxonomy_name == "model":
            return base
        return self.group(base, taxonomy=taxonomy_name)

    def group(self, prediction: EmotionPrediction, *, taxonomy: str) -> EmotionPrediction:
        """Re-express a prediction over this model's own labels in a taxonomy without
        running the model again.

        Parameters
        ----------
        prediction : EmotionPrediction
            What :meth:`predict` returned with ``taxonomy=None`` (the model's own labels).
        taxonomy : {"goemotions", "ekman", "sentiment"}

        Returns
        -------
        EmotionPrediction
            The probabilities grouped into the taxonomy's labels.
        """
        taxonomy = self._check_taxonomy(taxonomy)
        if not isinstance(prediction, EmotionPrediction) or prediction.labels != self.labels:
            raise ParameterError("group() takes a prediction over the model's own labels")
        if taxonomy not in TAXONOMIES:
            return EmotionPrediction(
                prediction.labels, prediction.probs, prediction.thresholds, prediction.valence,
                taxonomy,
            )  # fmt: skip
        groups = TAXONOMIES[taxonomy]
        index = {label: i for i, label in enumerate(self.labels)}
        probs = np.stack(
            [
                prediction.probs[:, [index[m] for m in members]].max(axis=1)
                for members in groups.values()
            ],
            axis=1,
        )
        probs.setflags(write=False)
        thresholds = self._group_thresholds.get(taxonomy, np.full(len(groups), 0.5))
        return EmotionPrediction(tuple(groups), probs, thresholds, prediction.valence, taxonomy)

    def _check_taxonomy(self, taxonomy: str | None) -> str:
        if taxonomy is None:
            return "model"
        if taxonomy not in ("goemotions", *TAXONOMIES):
            raise ParameterError(
                f"taxonomy must be 'goemotions', 'ekman', 'sentiment' or None, got {taxonomy!r}"
            )
        if set(GOEMOTIONS_LABELS) - set(self.labels):
            raise ParameterError(
                f"taxonomy {taxonomy!r} needs a model with the 28 GoEmotions labels; "
                f"{self.name} has {list(self.labels)[:6]}…; use taxonomy=None"
            )
        return taxonomy

    # ------------------------------------------------------------------ misc
    def __getstate__(self) -> dict[str, Any]:
        # A pickled model is its recipe; the session is rebuilt where it is unpickled.
        return {
            "path": str(self.path),
            "threads": self.threads,
            "max_length": self.max_length,
            "name": self.name,
        }

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        EmotionModel.__init__(
            self,
            state["path"],
            threads=state["threads"],
            max_length=state["max_length"],
            name=state["name"],
        )

    def __repr__(self) -> str:
        return (
            f"EmotionModel(name={self.name!r}, labels={len(self.labels)}, "
            f"problem_type={self.problem_type!r}, threads={self.threads}, "
            f"max_length={self.max_length})"
        )


def _validate_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise ParameterError("texts must be a sequence of strings; wrap one text in a list")
    out = list(texts)
    if not out:
        raise ParameterError("texts is empty; pass at least one string")
    bad = [i for i, t in enumerate(out) if not isinstance(t, str)]
    if bad:
        raise ParameterError(
            f"texts must be strings; item {bad[0]} is {type(out[bad[0]]).__name__}"
        )
    return out


def _valence(probs: np.ndarray, labels: tuple[str, ...]) -> np.ndarray | None:
    signs = np.array([VALENCE_BY_LABEL.get(label.lower(), np.nan) for label in labels])
    if not np.any(signs > 0) or not np.any(signs < 0):
        return None
    pos = probs[:, signs > 0].max(axis=1)
    neg = probs[:, signs < 0].max(axis=1)
    other = probs[:, signs == 0].max(axis=1) if np.any(signs == 0) else np.zeros(len(probs))
    out: np.ndarray = ((pos - neg) / np.maximum(pos + neg + other, 1e-9)).astype(np.float32)
    out.setflags(write=False)
    return out
