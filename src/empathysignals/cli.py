"""Command line.

``empathysignals analyze CALL --roles customer,agent [--transcript T] [--format jsonl|json]``
``empathysignals chat MESSAGES --roles customer,agent``: a text-only conversation
``empathysignals emotion TEXT ... [--taxonomy ekman]``: score texts with the bundled model

Bad input prints one line on stderr and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Sequence
from typing import Literal, NoReturn, TextIO

from .errors import EmpathySignalsError

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INPUT = 1


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line too (argparse prints its whole usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"empathysignals: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="empathysignals",
        description="Signals of a contact-center conversation: turn-taking events, prosody, "
        "text emotion, alerts and a summary from call audio (analyze, report) or a chat "
        "(chat); text emotion alone (emotion).",
    )
    parser.add_argument("--version", action="version", version=f"empathysignals {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    an = sub.add_parser("analyze", help="analyse a call recording and print its events")
    an.add_argument(
        "call",
        help="audio file: WAV (PCM, mu-law, A-law), FLAC, OGG, MP3, or what else libsndfile reads",
    )
    _event_output_options(an, roles_help="role of each channel")
    _audio_options(an)
    ch = sub.add_parser("chat", help="analyse a text-only conversation (chat, messaging)")
    ch.add_argument(
        "messages", help="JSON or JSONL rows with speaker, start, text ('-' reads stdin)"
    )
    _event_output_options(ch, roles_help="the speakers")
    ch.add_argument("--no-emotion", action="store_true", help="attach text without emotion")
    rp = sub.add_parser("report", help="write a self-contained HTML report of a call")
    rp.add_argument("call", help="audio file (as for analyze)")
    rp.add_argument(
        "--roles",
        default="customer,agent",
        help="role of each channel, comma-separated (default: customer,agent)",
    )
    rp.add_argument(
        "-o",
        "--output",
        default="report.html",
        help="HTML file to write (default: report.html; '-' for standard output)",
    )
    _audio_options(rp)
    rp.add_argument("--png", help="also write the timeline as a PNG (needs matplotlib)")
    em = sub.add_parser("emotion", help="score texts with the bundled emotion model")
    em.add_argument("texts", nargs="+", help="texts to score ('-' reads lines from stdin)")
    em.add_argument(
        "--taxonomy",
        choices=("goemotions", "ekman", "sentiment"),
        default="goemotions",
        help="labels: GoEmotions' 28 (default), Ekman's 6 + neutral, or sentiment",
    )
    em.add_argument("--top", type=int, default=3, help="labels to print per text (default: 3)")
    return parser


def _event_output_options(p: argparse.ArgumentParser, *, roles_help: str) -> None:
    """--roles, --format and -o, as ``analyze`` and ``chat`` share them."""
    p.add_argument(
        "--roles",
        default="customer,agent",
        help=f"{roles_help}, comma-separated (default: customer,agent)",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "json"),
        default="jsonl",
        help="one JSON object per line (default), or one JSON array",
    )
    p.add_argument("-o", "--output", help="write here instead of standard output ('-')")


def _audio_options(p: argparse.ArgumentParser) -> None:
    """The analysis options ``analyze`` and ``report`` share."""
    p.add_argument(
        "--rttm", help="speaker segmentation (RTTM) for a mono file holding both parties"
    )
    p.add_argument(
        "--rttm-uri",
        help="recording id (RTTM field 2) to use from an RTTM file that holds several",
    )
    p.add_argument(
        "--speaker-roles",
        help="map RTTM speakers to roles, e.g. spk1=customer,spk2=agent,spk3=- (- leaves "
        "a speaker out)",
    )
    p.add_argument("--allow-truncated", action="store_true", help="analyse truncated WAVs")
    p.add_argument(
        "--transcript",
        help="ASR words/utterances (JSON or JSONL rows with speaker, start, end, text)",
    )
    p.add_argument("--no-emotion", action="store_true", help="attach text without emotion")
    p.add_argument(
        "--no-prosody",
        action="store_true",
        help="turn-taking without per-turn prosody and arousal (several times faster, for "
        "batch runs)",
    )
    p.add_argument("--no-alerts", action="store_true", help="no live alert events")
    p.add_argument(
        "--silent-holds",
        choices=("auto", "always", "never"),
        default="auto",
        help="report a muted agent line as a hold: until the line shows silence suppression "
        "(auto, default), always, or never",
    )
    p.add_argument(
        "--no-silent-holds",
        action="store_true",
        help="the same as --silent-holds never (for legs with silence suppression)",
    )
    p.add_argument(
        "--max-turn-s",
        type=float,
        default=None,
        help="report a turn longer than this in parts, split at the speaker's pauses "
        "(default 20; 0 never splits)",
    )


def _silent_holds(args: argparse.Namespace) -> bool | Literal["auto"]:
    if args.no_silent_holds:
        if args.silent_holds not in ("auto", "never"):
            from .errors import ParameterError

            raise ParameterError(
                f"--no-silent-holds contradicts --silent-holds {args.silent_holds}"
            )
        return False
    if args.silent_holds == "auto":
        return "auto"
    return bool(args.silent_holds == "always")


def _speaker_roles(text: str | None) -> dict[str, str | None] | None:
    """``spk1=customer,spk2=agent,spk3=-`` (``-``: leave that speaker out)."""
    if not text:
        return None
    out: dict[str, str | None] = {}
    for item in text.split(","):
        spk, sep, role = item.partition("=")
        if not sep or not spk or not role:
            raise SystemExit(
                f"empathysignals: error: --speaker-roles expects spk=role,..., got {text!r}"
            )
        out[spk.strip()] = None if role.strip() == "-" else role.strip()
    return out


def _write(events: list[dict[str, object]], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(events, out, indent=1)
        out.write("\n")
    else:
        for ev in events:
            out.write(json.dumps(ev) + "\n")


def _emotion(texts: list[str], taxonomy: str, top: int) -> None:
    from .text.registry import load_emotion_model

    if texts == ["-"]:
        texts = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    model = load_emotion_model()
    pred = model.predict(texts, taxonomy=taxonomy)
    for i, text in enumerate(texts):
        row = {
            "text": text,
            "top": [[label, round(p, 4)] for label, p in pred.top(top)[i]],
            "predicted": pred.predicted()[i],
            "valence": None if pred.valence is None else round(float(pred.valence[i]), 4),
        }
        print(json.dumps(row))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "emotion":
            _emotion(args.texts, args.taxonomy, args.top)
            return 0
        from .analyzer import analyze_file, analyze_transcript
        from .config import TurnTakingConfig
        from .errors import ParameterError
        from .segmentation import read_rttm

        model = None if args.no_emotion else "default"
        output = None if args.output in (None, "-") else args.output
        for target in (output, getattr(args, "png", None)):
            if target is not None:
                _check_writable(target)  # before the analysis, not after it
                source = getattr(args, "call", None) or args.messages
                same = os.path.exists(source) and os.path.exists(target)
                if same and os.path.samefile(source, target):
                    raise ParameterError(f"the output {target} is the input: name another file")
        if args.command == "chat":
            events = analyze_transcript(args.messages, roles=args.roles, emotion_model=model)
        else:
            if args.rttm_uri and not args.rttm:
                raise ParameterError("--rttm-uri needs --rttm")
            segmentation = read_rttm(args.rttm, uri=args.rttm_uri) if args.rttm else None
            speaker_roles = _speaker_roles(args.speaker_roles)
            if segmentation is not None and speaker_roles:
                absent = sorted(set(speaker_roles) - {spk for spk, _, _ in segmentation})
                if absent:  # a typo, most likely; a mapping shared by many files is fine
                    print(f"empathysignals: warning: --speaker-roles names {absent}, not in "
                          f"{args.rttm}; ignored", file=sys.stderr)  # fmt: skip
            events = analyze_file(
                args.call,
                roles=args.roles,
                segmentation=segmentation,
                turn_taking=TurnTakingConfig(
                    silent_holds=_silent_holds(args),
                    **({} if args.max_turn_s is None else {"max_turn_s": args.max_turn_s}),
                ),
                speaker_roles=speaker_roles,
                allow_truncated=args.allow_truncated,
                transcript=args.transcript,
                emotion_model=model,
                prosody=not args.no_prosody,
                alerts=not args.no_alerts,
            )
        if args.command == "report":
            from .report import render_html, write_html, write_png

            if output is None:  # '-': the page on standard output
                sys.stdout.write(render_html(events, title=f"Call report: {args.call}"))
            else:
                write_html(events, output, title=f"Call report: {args.call}")
            if args.png:
                write_png(events, args.png)
            if output is not None:
                print(output)
            return 0
        dicts = [e.to_dict() for e in events]
        if output is not None:
            try:
                with open(output, "w", encoding="utf-8") as fh:
                    _write(dicts, args.format, fh)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror or str(exc), output) from None
        else:
            _write(dicts, args.format, sys.stdout)
            sys.stdout.flush()
    except EmpathySignalsError as exc:
        print(f"empathysignals: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as Python's docs advise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INPUT
    except OSError as exc:
        print(
            f"empathysignals: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr
        )
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except SystemError as exc:
        # Ctrl-C inside a numba kernel comes out as a SystemError chained to it.
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            return 130
        raise
    return 0


def _check_writable(path: str) -> None:
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise OSError(errno.EISDIR, "is a directory", path)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise OSError(errno.ENOENT, "no such directory", parent)
    writable = os.access(target, os.W_OK) if os.path.exists(target) else os.access(parent, os.W_OK)
    if not writable:
        raise OSError(errno.EACCES, "cannot write there", path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
