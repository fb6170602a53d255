"""The ONNX text-classification runtime: the bundled model, foreign models in the export
layout, taxonomies, and every malformed model directory."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import empathysignals as es
from empathysignals.text import EKMAN, GOEMOTIONS_LABELS, SENTIMENT, EmotionModel
from empathysignals.text.model import _valence

TEXTS = [
    "Thank you so much, this is exactly what I needed!",
    "I have been waiting for an hour and nobody has called me back. This is ridiculous.",
    "What time does the store open tomorrow?",
    "I'm so sorry for your loss.",
    "ok",
    "Wow, I did not expect that at all",
]


@pytest.fixture(scope="module")
def model() -> EmotionModel:
    return es.load_emotion_model()


def test_bundled_model_record(model: EmotionModel) -> None:
    info = es.model_info()
    assert info.name == "goemotions-minilm-l6" == model.name
    assert info.labels == GOEMOTIONS_LABELS == model.labels
    assert "Apache-2.0" in info.license and "CC BY 4.0" in info.license
    assert info.size_bytes <= 30 * 2**20, "the wheel's model must stay under 30 MB"
    assert model.problem_type == "multi_label_classification"
    assert model.thresholds.shape == (28,)
    assert np.all((model.thresholds > 0) & (model.thresholds < 1))
    with pytest.raises(es.ModelError, match="unknown model"):
        es.model_info("nope")


def test_predict_shapes_and_probabilities(model: EmotionModel) -> None:
    pred = model.predict(TEXTS)
    assert pred.labels == GOEMOTIONS_LABELS
    assert pred.probs.shape == (len(TEXTS), 28) and pred.probs.dtype == np.float32
    assert np.all((pred.probs >= 0) & (pred.probs <= 1))
    assert not pred.probs.flags.writeable
    assert pred.valence is not None and np.all(np.abs(pred.valence) <= 1)
    assert len(pred.top(3)) == len(TEXTS) and all(len(t) == 3 for t in pred.top(3))
    assert all(labels for labels in pred.predicted())


def test_batching_and_padding_do_not_change_scores(model: EmotionModel) -> None:
    """Dynamic padding is masked out: a text scores the same alone as in any batch."""
    together = model.predict(TEXTS, batch_size=32).probs
    alone = np.vstack([model.predict([t]).probs for t in TEXTS])
    pairs = model.predict(TEXTS, batch_size=2).probs
    np.testing.assert_allclose(together, alone, atol=2e-5)
    np.testing.assert_allclose(pairs, alone, atol=2e-5)


def test_truncation_at_max_length(model: EmotionModel) -> None:
    long_text = "I am really upset about this. " * 200
    ids = model.encode([long_text])[0]
    assert len(ids) == model.max_length
    short = EmotionModel(model.path, max_length=16)
    assert len(short.encode([long_text])[0]) == 16
    # The truncated text and the text cut to those tokens score the same.
    cut = short._tokenizer.decode(short.encode([long_text])[0][1:-1])
    np.testing.assert_allclose(
        short.predict([long_text]).probs, short.predict([cut]).probs, atol=1e-4
    )


@pytest.mark.parametrize("taxonomy,groups", [("ekman", EKMAN), ("sentiment", SENTIMENT)])
def test_grouped_taxonomies_follow_the_paper(
    model: EmotionModel, taxonomy: str, groups: dict[str, tuple[str, ...]]
) -> None:
    base = model.predict(TEXTS)
    grouped = model.predict(TEXTS, taxonomy=taxonomy)
    assert grouped.labels == tuple(groups)
    index = {label: i for i, label in enumerate(base.labels)}
    for g, members in enumerate(groups.values()):
        expected = base.probs[:, [index[m] for m in members]].max(axis=1)
        np.testing.assert_allclose(grouped.probs[:, g], expected, rtol=1e-6)
    assert grouped.thresholds.shape == (len(groups),)


def test_valence_matches_its_definition() -> None:
    rng = np.random.default_rng(0)
    probs = rng.random((50, 28))
    got = _valence(probs, GOEMOTIONS_LABELS)
    assert got is not None
    for row, v in zip(probs, got, strict=True):
        scores = {label: p for label, p in zip(GOEMOTIONS_LABELS, row, strict=True)}
        pos = max(scores[label] for label in SENTIMENT["positive"])
        neg = max(scores[label] for label in SENTIMENT["negative"])
        other = max(scores[label] for label in (*SENTIMENT["ambiguous"], "neutral"))
        assert v == pytest.approx((pos - neg) / (pos + neg + other), abs=1e-6)
    assert _valence(probs[:, :3], ("a", "b", "c")) is None


def test_valence_sign_on_clear_texts(model: EmotionModel) -> None:
    pred = model.predict(
        ["Thank you so much, you were wonderful!", "This is awful, I am furious and disgusted."]
    )
    assert pred.valence is not None
    assert pred.valence[0] > 0.3 > -0.3 > pred.valence[1]


def test_bad_predict_arguments(model: EmotionModel) -> None:
    with pytest.raises(es.ParameterError, match="wrap one text"):
        model.predict("a single string")
    with pytest.raises(es.ParameterError, match="empty"):
        model.predict([])
    with pytest.raises(es.ParameterError, match="strings"):
        model.predict(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(es.ParameterError, match="taxonomy"):
        model.predict(["ok"], taxonomy="plutchik")
    with pytest.raises(es.ParameterError, match="batch_size"):
        model.predict(["ok"], batch_size=0)
    with pytest.raises(es.ParameterError, match="threads"):
        EmotionModel(model.path, threads=0)


def test_shared_across_threads(model: EmotionModel) -> None:
    expected = model.predict(TEXTS).probs
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(model.predict(TEXTS).probs)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 12
    for r in results:
        np.testing.assert_allclose(r, expected, atol=1e-6)


def test_pickles_as_a_recipe(model: EmotionModel) -> None:
    model.load()
    blob = pickle.dumps(model)
    assert len(blob) < 2000, "the session and tokenizer must not be pickled"
    clone = pickle.loads(blob)
    np.testing.assert_allclose(clone.predict(TEXTS).probs, model.predict(TEXTS).probs)


def test_import_is_lazy() -> None:
    code = (
        "import sys, empathysignals; "
        "print(any(m in sys.modules for m in ('onnxruntime', 'tokenizers')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_network_in_default_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fresh = es.load_emotion_model()
    assert fresh.predict(["fine, thanks"]).probs.shape == (1, 28)
    events = es.analyze_transcript(
        [("customer", 0.0, "hi, my order is late"), ("agent", 5.0, "sorry!")]
    )
    assert events[0].emotion is not None


# ---------------------------------------------------------------- foreign models


def _tiny_graph(path: Path, *, inputs: tuple[str, ...], n_out: int) -> None:
    """A real ONNX classifier in miniature: logits = sum(ids*mask)*w + sum(token_type)*1."""
    nodes = [
        helper.make_node("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["ids_f", "mask_f"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["total"], keepdims=1),
        helper.make_node("MatMul", ["total", "w"], ["logits0"]),
    ]
    inits = [
        helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
        helper.make_tensor(
            "w", TensorProto.FLOAT, [1, n_out], [1e-4 * (i + 1) for i in range(n_out)]
        ),
    ]
    if "token_type_ids" in inputs:
        nodes += [
            helper.make_node("Cast", ["token_type_ids"], ["tt_f"], to=TensorProto.FLOAT),
            helper.make_node("ReduceSum", ["tt_f", "axis1"], ["tt_total"], keepdims=1),
            helper.make_node("Add", ["logits0", "tt_total"], ["logits"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["logits0"], ["logits"]))
    declared = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"]) for n in inputs
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        declared,
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", n_out])],
        inits,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def _tiny_dir(
    tmp_path: Path,
    model: EmotionModel,
    *,
    inputs: tuple[str, ...] = ("input_ids", "attention_mask", "token_type_ids"),
    n_out: int = 3,
    config: object = None,
) -> Path:
    d = tmp_path / "tiny"
    d.mkdir()
    _tiny_graph(d / "model.onnx", inputs=inputs, n_out=n_out)
    shutil.copy(model.path / "tokenizer.json", d / "tokenizer.json")
    if config is None:
        config = {
            "id2label": {"0": "negative", "1": "neutral", "2": "positive"},
            "problem_type": "single_label_classification",
        }
    (d / "config.json").write_text(json.dumps(config))
    return d


def test_foreign_single_label_model(tmp_path: Path, model: EmotionModel) -> None:
    tiny = EmotionModel(_tiny_dir(tmp_path, model))
    pred = tiny.predict(TEXTS)
    assert pred.labels == ("negative", "neutral", "positive")
    np.testing.assert_allclose(pred.probs.sum(axis=1), 1.0, rtol=1e-5)  # softmax
    ids = tiny.encode(TEXTS)
    totals = np.array([sum(i) for i in ids], dtype=np.float64)
    logits = totals[:, None] * np.array([1e-4, 2e-4, 3e-4])[None, :]  # token_type_ids are 0
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        pred.probs, expected / expected.sum(axis=1, keepdims=True), rtol=1e-4
    )
    assert pred.valence is not None  # positive/negative labels have a known sign
    with pytest.raises(es.ParameterError, match="GoEmotions"):
        tiny.predict(TEXTS, taxonomy="ekman")


def test_inputs_the_graph_lacks_are_not_sent(tmp_path: Path, model: EmotionModel) -> None:
    tiny = EmotionModel(_tiny_dir(tmp_path, model, inputs=("input_ids", "attention_mask")))
    assert tiny.predict(["hello there"]).probs.shape == (1, 3)
    assert tiny._inputs == ("input_ids", "attention_mask")


BAD_CONFIGS = {
    "no id2label": ({"problem_type": "multi_label_classification"}, "id2label"),
    "gappy ids": ({"id2label": {"0": "a", "2": "b", "3": "c"}}, "0..n-1"),
    "regression": (
        {"id2label": {"0": "a", "1": "b", "2": "c"}, "problem_type": "regression"},
        "not supported",
    ),
    "not json": ("{oops", "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config(tmp_path: Path, model: EmotionModel, case: str) -> None:
    config, message = BAD_CONFIGS[case]
    d = _tiny_dir(tmp_path, model)
    (d / "config.json").write_text(config if isinstance(config, str) else json.dumps(config))
    with pytest.raises(es.ModelError, match=message):
        EmotionModel(d)


def test_bad_model_directories(tmp_path: Path, model: EmotionModel) -> None:
    with pytest.raises(es.ModelError, match="does not exist"):
        EmotionModel(tmp_path / "missing")
    d = _tiny_dir(tmp_path, model)
    with pytest.raises(es.ModelError, match="is a file"):
        EmotionModel(d / "config.json")
    (d / "tokenizer.json").rename(d / "tok.bak")
    with pytest.raises(es.ModelError, match=r"lacks tokenizer\.json"):
        EmotionModel(d)
    (d / "tok.bak").write_text("not a tokenizer")
    (d / "tok.bak").rename(d / "tokenizer.json")
    with pytest.raises(es.ModelError, match=r"not valid JSON|not a tokenizers"):
        EmotionModel(d)


def test_label_mismatch_with_graph(tmp_path: Path, model: EmotionModel) -> None:
    d = _tiny_dir(tmp_path, model, config={"id2label": {"0": "a", "1": "b"}})
    with pytest.raises(es.ModelError, match="does not match"):
        EmotionModel(d).load()


def test_bad_thresholds(tmp_path: Path, model: EmotionModel) -> None:
    d = _tiny_dir(tmp_path, model)
    (d / "thresholds.json").write_text(json.dumps({"negative": 0.5, "neutral": 0.5}))
    with pytest.raises(es.ModelError, match="no threshold"):
        EmotionModel(d)
    (d / "thresholds.json").write_text(json.dumps({"negative": 2, "neutral": 0.5, "positive": 0}))
    with pytest.raises(es.ModelError, match=r"\[0, 1\]"):
        EmotionModel(d)
    (d / "thresholds.json").write_text(
        json.dumps({"negative": 0.2, "neutral": 0.5, "positive": 0.9})
    )
    assert EmotionModel(d).thresholds.tolist() == [0.2, 0.5, 0.9]


def test_corrupt_or_foreign_graph(tmp_path: Path, model: EmotionModel) -> None:
    d = _tiny_dir(tmp_path, model)
    (d / "model.onnx").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(es.ModelError, match="could not be loaded"):
        EmotionModel(d).load()
    _tiny_graph(d / "model.onnx", inputs=("input_ids", "attention_mask"), n_out=3)
    graph = onnx.load(d / "model.onnx")
    graph.graph.input[1].name = "pixel_values"
    graph.graph.node[1].input[0] = "pixel_values"
    onnx.save(graph, d / "model.onnx")
    with pytest.raises(es.ModelError, match="pixel_values"):
        EmotionModel(d).load()
