"""The command line: jsonl/json output, summary last, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "empathysignals", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def call_wav(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    from empathysignals.simulate import simulate_call

    sim = simulate_call(5, n_exchanges=3)
    path = tmp_path_factory.mktemp("cli") / "call.wav"
    sf.write(path, sim.audio[: 20 * sim.sample_rate], sim.sample_rate, subtype="ULAW")
    return path


def test_analyze_jsonl(call_wav: Path) -> None:
    out = cli("analyze", str(call_wav), "--roles", "customer,agent")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows[-1]["type"] == "summary" and rows[-1]["schema_version"]
    assert all({"type", "start", "end", "emitted_at"} <= set(r) for r in rows)


def test_no_prosody_and_no_alerts(call_wav: Path) -> None:
    """--no-prosody drops each turn's prosody and nothing else of turn-taking; --no-alerts
    drops the alerts."""
    full = [json.loads(line) for line in cli("analyze", str(call_wav)).stdout.splitlines()]
    out = cli("analyze", str(call_wav), "--no-prosody", "--no-alerts")
    assert out.returncode == 0, out.stderr
    lean = [json.loads(line) for line in out.stdout.splitlines()]
    assert any(r["type"] == "turn" and r["prosody"] for r in full)
    assert all(r["prosody"] is None for r in lean if r["type"] == "turn")
    assert not [r for r in lean if r["type"] == "alert"]

    def timing(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
        kinds = ("turn", "pause", "gap", "interruption", "backchannel", "hold", "dead_air")
        return [(r["type"], r["start"], r["end"]) for r in rows if r["type"] in kinds]

    assert timing(lean) == timing(full)


def test_analyze_json_to_file(call_wav: Path, tmp_path: Path) -> None:
    target = tmp_path / "events.json"
    out = cli("analyze", str(call_wav), "--format", "json", "-o", str(target))
    assert out.returncode == 0, out.stderr
    rows = json.loads(target.read_text())
    assert rows[-1]["type"] == "summary"


def test_output_dash_is_stdout_and_a_bad_output_fails_first(call_wav: Path, tmp_path: Path) -> None:
    out = cli("analyze", str(call_wav), "-o", "-")
    assert out.returncode == 0 and out.stdout == cli("analyze", str(call_wav)).stdout
    missing = tmp_path / "no" / "such" / "dir.jsonl"
    # the call does not exist either: the output is checked first, before any reading
    out = cli("analyze", str(tmp_path / "absent.wav"), "-o", str(missing))
    assert out.returncode == 1 and "no such directory" in out.stderr, out.stderr


def test_reader_going_away_is_quiet(call_wav: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "empathysignals", "analyze", str(call_wav), "--no-emotion"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # gone before the events come, like `| head -0`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 1 and err == ""


def test_entry_point_matches_module(call_wav: Path) -> None:
    # The README's install puts the console script beside the interpreter.
    exe = Path(sys.executable).with_name("empathysignals")
    assert exe.exists(), f"console script missing at {exe}: was the package installed?"
    a = subprocess.run(
        [str(exe), "analyze", str(call_wav)], capture_output=True, text=True, timeout=300
    )
    assert a.stdout == cli("analyze", str(call_wav)).stdout


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["missing.wav"], "no such file"),
        ("empty", ["empty.wav"], "empty file"),
        ("junk", ["junk.wav"], "cannot decode"),
        ("truncated", ["trunc.wav"], "--allow-truncated"),
        ("mono", ["mono.wav"], "channel"),
        ("nan", ["nan.wav"], "nan.wav: samples contain"),
        ("lowrate", ["low.wav"], "unsupported sample_rate"),
        ("stereo", ["stereo.wav", "--roles", "a,a"], "distinct"),
    ],
)
def test_bad_input_is_one_line_error(
    tmp_path: Path, setup: str | None, args: list[str], message: str
) -> None:
    t = np.linspace(0, 1, 8000)
    if setup == "empty":
        (tmp_path / "empty.wav").write_bytes(b"")
    elif setup == "junk":
        (tmp_path / "junk.wav").write_bytes(b"not audio" * 100)
    elif setup == "truncated":
        sf.write(tmp_path / "trunc.wav", np.zeros((8000, 2)), 8000)
        data = (tmp_path / "trunc.wav").read_bytes()
        (tmp_path / "trunc.wav").write_bytes(data[:5000])
    elif setup == "mono":
        sf.write(tmp_path / "mono.wav", np.sin(t), 8000)
    elif setup == "nan":
        x = np.stack([np.sin(t), np.sin(t)], axis=1).astype(np.float32)
        x[100, 0] = np.nan
        sf.write(tmp_path / "nan.wav", x, 8000, subtype="FLOAT")
    elif setup == "lowrate":
        sf.write(tmp_path / "low.wav", np.zeros((4000, 2)), 4000)
    elif setup == "stereo":
        sf.write(tmp_path / "stereo.wav", np.zeros((8000, 2)), 8000)
    out = subprocess.run(
        [sys.executable, "-m", "empathysignals", "analyze", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("empathysignals: error:")
    assert message in lines[0]


def test_usage_error_exit_code() -> None:
    out = cli("analyze")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_bad_rttm_is_one_line_error(tmp_path: Path) -> None:
    sf.write(tmp_path / "mono.wav", np.zeros(16000), 8000)
    (tmp_path / "bad.rttm").write_text("SPEAKER mono 1 5.0 -1.0 <NA> <NA> spk1 <NA> <NA>\n")
    out = subprocess.run(
        [sys.executable, "-m", "empathysignals", "analyze", "mono.wav", "--rttm", "bad.rttm"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "start < end" in out.stderr


@pytest.mark.parametrize(
    ("rttm", "args", "message"),
    [
        (b"SPEAKER mono 1 0.5 1.0 <NA> <NA> caf\xe9 <NA> <NA>\n", [], "not UTF-8"),
        (
            b"SPEAKER a 1 0.5 1.0 <NA> <NA> s1 <NA> <NA>\n"
            b"SPEAKER b 1 0.5 1.0 <NA> <NA> s2 <NA> <NA>\n",
            [],
            "--rttm-uri",
        ),
        (b"", ["--rttm-uri", "a"], "needs --rttm"),
    ],
)
def test_rttm_input_errors_are_one_line(
    tmp_path: Path, rttm: bytes, args: list[str], message: str
) -> None:
    sf.write(tmp_path / "mono.wav", np.zeros(16000), 8000)
    if rttm:
        (tmp_path / "seg.rttm").write_bytes(rttm)
        args = ["--rttm", "seg.rttm", *args]
    out = subprocess.run(
        [sys.executable, "-m", "empathysignals", "analyze", "mono.wav", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr, out.stderr


def test_rttm_uri_picks_one_recording_of_a_shared_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "mono.wav", 0.01 * rng.standard_normal(8000 * 6), 8000)
    lines = [
        "SPEAKER a 1 0.5 2.0 <NA> <NA> s1 <NA> <NA>",
        "SPEAKER a 1 3.0 2.0 <NA> <NA> s2 <NA> <NA>",
        "SPEAKER b 1 0.0 6.0 <NA> <NA> s9 <NA> <NA>",
    ]
    (tmp_path / "all.rttm").write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "empathysignals",
            "analyze",
            "mono.wav",
            "--rttm",
            "all.rttm",
            "--rttm-uri",
            "a",
            "--no-emotion",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.splitlines()[-1])
    assert summary["talk_time_s"] == {"customer": 2.0, "agent": 2.0}


def test_speaker_roles_naming_a_speaker_not_in_the_rttm_warns(tmp_path: Path) -> None:
    """A name in --speaker-roles that the RTTM does not have (a typo, most likely) is
    reported on stderr, and the analysis goes on."""
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "mono.wav", 0.01 * rng.standard_normal(8000 * 6), 8000)
    (tmp_path / "seg.rttm").write_text(
        "SPEAKER a 1 0.5 2.0 <NA> <NA> s1 <NA> <NA>\nSPEAKER a 1 3.0 2.0 <NA> <NA> s2 <NA> <NA>\n"
    )
    roles = "s1=customer,s2=agent,s3=-"
    out = cli("analyze", "mono.wav", "--rttm", "seg.rttm", "--speaker-roles", roles,
              "--no-emotion", cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "warning: --speaker-roles names ['s3'], not in seg.rttm" in out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["talk_time_s"] == {"customer": 2.0, "agent": 2.0}


def test_no_silent_holds_flag(tmp_path: Path) -> None:
    """A leg with silence suppression: digital silence while the agent listens."""
    rng = np.random.default_rng(1)
    x = 0.01 * rng.standard_normal((8000 * 12, 2))
    x[8000 * 2 : 8000 * 10, 1] = 0.0  # the agent's line muted for 8 s
    sf.write(tmp_path / "dtx.wav", x, 8000)
    dtx = str(tmp_path / "dtx.wav")
    holds = {}
    options = ((), ("--no-silent-holds",), ("--silent-holds=never",), ("--silent-holds=always",))
    for flags in options:
        out = cli("analyze", dtx, "--no-emotion", *flags)
        assert out.returncode == 0, out.stderr
        holds[flags] = json.loads(out.stdout.splitlines()[-1])["holds"]["count"]
    # the line showed 2 s of its noise first, so "auto" takes the muted stretch as a hold
    assert list(holds.values()) == [1, 0, 0, 1]
    bad = cli("analyze", dtx, "--no-silent-holds", "--silent-holds=always")
    assert bad.returncode != 0 and "contradicts" in bad.stderr and "Traceback" not in bad.stderr


def test_chat_command(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        '{"speaker": "customer", "start": 0, "text": "my bill is wrong again"}\n'
        '{"speaker": "agent", "start": 30, "text": "sorry, let me fix that"}\n'
    )
    out = cli("chat", str(chat))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["type"] for r in rows] == ["turn", "gap", "turn", "summary"]
    assert rows[0]["text"] == "my bill is wrong again" and rows[0]["emotion"]["top"]
    assert rows[1]["offset"] == 30.0
    chat.write_text('{"speaker": "bot", "start": 0, "text": "hi"}\n')
    bad = cli("chat", str(chat))
    assert bad.returncode == 1 and "not a role" in bad.stderr and "Traceback" not in bad.stderr


def test_emotion_command() -> None:
    out = cli("emotion", "thanks a lot!", "this is unacceptable", "--taxonomy", "sentiment")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["thanks a lot!", "this is unacceptable"]
    assert all(r["top"][0][0] in ("positive", "negative", "ambiguous", "neutral") for r in rows)


def test_analyze_with_transcript(call_wav: Path, tmp_path: Path) -> None:
    transcript = tmp_path / "t.json"
    transcript.write_text(json.dumps({"segments": [
        {"speaker": "customer", "start": 0.0, "end": 20.0, "text": "hello hello"}
    ]}))  # fmt: skip
    out = cli("analyze", str(call_wav), "--transcript", str(transcript), "--no-emotion")
    assert out.returncode == 0, out.stderr
    turns = [json.loads(line) for line in out.stdout.splitlines() if '"turn"' in line]
    assert any(t["text"] == "hello hello" for t in turns if t["speaker"] == "customer")
    assert all(t["emotion"] is None for t in turns)
    transcript.write_text("[1, 2]")
    bad = cli("analyze", str(call_wav), "--transcript", str(transcript))
    assert bad.returncode == 1 and "transcript item 0" in bad.stderr


def test_chat_example_runs() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "chat_conversation.py"
    out = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "agent answered customer after 89 s" in out.stdout
    assert "response times:" in out.stdout


def test_live_and_batch_examples_run(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    live = subprocess.run(
        [sys.executable, str(root / "examples/live_alerts.py"), "--fast"],
        capture_output=True, text=True, timeout=300, cwd=root,
    )  # fmt: skip
    assert live.returncode == 0, live.stderr
    # The example call's truth (examples/data/call.truth.json) has a 34 s music hold and no
    # interruption by the agent: the hold alert and its coachable moment, nothing else.
    assert "ALERT hold_long" in live.stdout and "coachable at" in live.stdout
    assert "ALERT agent_interrupting" not in live.stdout
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "a.wav").write_bytes((root / "examples/data/call.wav").read_bytes())
    (calls / "broken.wav").write_bytes(b"RIFF\x00\x00")
    batch = subprocess.run(
        [sys.executable, str(root / "examples/batch_folder.py"), str(calls), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    assert "skipped broken.wav" in batch.stderr and "1 calls analysed" in batch.stdout
    rows = (tmp_path / "out" / "a.wav.jsonl").read_text().splitlines()
    assert json.loads(rows[-1])["type"] == "summary"


def test_report_takes_the_analysis_options(tmp_path: Path, data_dir: Path) -> None:
    """`report` accepts what `analyze` does: a mono meeting excerpt with its RTTM gets a
    two-role report (before, it could only fail: no way to pass the segmentation)."""
    ami = data_dir / "conversations" / "ami_excerpts_pyannote"
    out = tmp_path / "dev00.html"
    res = cli("report", str(ami / "dev00.wav"), "--rttm", str(ami / "development.rttm"),
              "--rttm-uri", "dev00", "--no-emotion", "--silent-holds", "never",
              "-o", str(out))  # fmt: skip
    assert res.returncode == 0, res.stderr
    page = out.read_text(encoding="utf-8")
    assert "customer" in page and "agent" in page
    bad = cli("report", str(ami / "dev00.wav"), "--rttm-uri", "dev00", "-o", str(out))
    assert bad.returncode != 0 and "--rttm-uri needs --rttm" in bad.stderr


def test_max_turn_s_option(tmp_path: Path, data_dir: Path) -> None:
    """One speaker's 70 s of real speech (0.6 s pauses) on a lone leg: parts by default,
    one whole turn with --max-turn-s 0, and a bad value is a one-line error."""
    folder = data_dir / "speech" / "librispeech_test-other" / "1998"
    parts = []
    for path in sorted(folder.glob("*.flac"))[:6]:
        x, rate = sf.read(path, dtype="float32")
        parts += [x, np.zeros(round(0.6 * rate), np.float32)]
    sf.write(tmp_path / "talk.wav", np.concatenate(parts), rate)
    talk = str(tmp_path / "talk.wav")
    counts = {}
    for flags in ((), ("--max-turn-s", "0"), ("--max-turn-s", "10")):
        out = cli("analyze", talk, "--roles", "speaker", "--no-emotion", *flags)
        assert out.returncode == 0, out.stderr
        turns = [json.loads(line) for line in out.stdout.splitlines()]
        counts[flags] = [t["part"] for t in turns if t["type"] == "turn"]
    assert len(counts[()]) >= 2 and counts[("--max-turn-s", "0")] == [1]
    assert len(counts[("--max-turn-s", "10")]) > len(counts[()])
    bad = cli("analyze", talk, "--roles", "speaker", "--max-turn-s", "-1")
    assert bad.returncode != 0 and "max_turn_s" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_review_fixes(call_wav: Path, tmp_path: Path) -> None:
    """From a review of the CLI: usage errors are one line too; -o may not be the input
    (it overwrote the WAV); report -o - is standard output (it wrote a file named '-');
    --png is checked before the analysis; chat - reads stdin, and JSON Lines are told from
    JSON by their content, not their name; --version."""
    usage = cli("analyze", str(call_wav), "--bogus")
    assert usage.returncode == 2
    assert usage.stderr.count("\n") == 1 and usage.stderr.startswith("empathysignals: error:")
    victim = tmp_path / "victim.wav"
    victim.write_bytes(call_wav.read_bytes())
    same = cli("analyze", str(victim), "-o", str(victim))
    assert same.returncode == 1 and "is the input" in same.stderr
    assert victim.read_bytes() == call_wav.read_bytes()
    page = cli("report", str(call_wav), "-o", "-", "--no-emotion", cwd=tmp_path)
    assert page.returncode == 0 and page.stdout.startswith("<!DOCTYPE html>")
    assert not (tmp_path / "-").exists()
    png = cli(
        "report", str(call_wav), "-o", str(tmp_path / "r.html"), "--png", "/nonexistent/t.png"
    )
    assert png.returncode == 1 and not (tmp_path / "r.html").exists()
    chat = Path(__file__).parents[1] / "examples" / "data" / "chat.jsonl"
    named_json = tmp_path / "chat.json"  # JSON Lines under a .json name
    named_json.write_bytes(chat.read_bytes())
    by_name = cli("chat", str(named_json), "--no-emotion")
    piped = subprocess.run(
        [sys.executable, "-m", "empathysignals", "chat", "-", "--no-emotion"],
        input=chat.read_text(encoding="utf-8"), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert by_name.returncode == 0 and piped.returncode == 0
    assert by_name.stdout == piped.stdout == cli("chat", str(chat), "--no-emotion").stdout
    assert cli("--version").stdout.startswith("empathysignals ")


def test_ctrl_c_inside_a_kernel_exits_130(call_wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing inside a numba kernel comes out as a SystemError chained to the
    KeyboardInterrupt; it printed a traceback and exited 1 (about a third of the time in a
    review's runs). It exits 130 as a plain Ctrl-C does."""
    import empathysignals.analyzer as analyzer_module
    from empathysignals import cli as cli_module

    def interrupted(*_: object, **__: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise SystemError("CPUDispatcher(...) returned a result with an exception set") from exc

    monkeypatch.setattr(analyzer_module, "analyze_file", interrupted)
    assert cli_module.main(["analyze", str(call_wav)]) == 130


def test_an_rttm_whose_speech_starts_after_the_audio_is_refused(tmp_path: Path) -> None:
    """A segmentation whose every segment starts after the audio ends (another recording's)
    gave a whole call of dead air and a 'music' hold, exit 0."""
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "mono.wav", 0.01 * rng.standard_normal(8000 * 6), 8000)
    (tmp_path / "late.rttm").write_text(
        "SPEAKER a 1 100.0 2.0 <NA> <NA> s1 <NA> <NA>\n"
        "SPEAKER a 1 103.0 2.0 <NA> <NA> s2 <NA> <NA>\n"
    )
    out = cli("analyze", "mono.wav", "--rttm", "late.rttm", "--no-emotion", cwd=tmp_path)
    assert out.returncode == 1 and "starts after the audio ends" in out.stderr
    assert out.stderr.count("\n") == 1
