"""The command line speaks Swedish: argparse's usage, headings, help and errors, and
every line the commands themselves print, success or failure; exit code 2 for usage."""

from __future__ import annotations

import argparse

import pytest
from builders import PROGRAM_ROWS, write_round
from swedish import assert_swedish_line, english_words

from evaluation.cli import build_parser, main

COMMANDS = ["validate", "run", "template", "example"]


def _usage_error(capsys, args: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("användning: python -m evaluation")
    [line] = [line for line in err.splitlines() if line.startswith("fel: ")]
    assert_swedish_line(line)
    assert not english_words(err), err
    return line


@pytest.mark.parametrize(("args", "said"), [
    ([], "följande argument krävs: KOMMANDO"),
    (["validate"], "följande argument krävs: --data, --round"),
    (["frobnicate"], "ogiltigt val: 'frobnicate' (välj bland 'validate', 'run'"),
    (["run", "--data", "d", "--round", "tjugo"], "--round: inte ett årtal: 'tjugo'"),
    (["run", "--data", "d", "--round", "2025"], "2025 är inte en uppföljningsomgång"),
    (["run", "--data", "d", "--round", "2026", "--jobs"], "--jobs: ett värde krävs"),
    (["run", "--data", "d", "--round", "2026", "--jobs", "0"], "måste vara 1 eller mer"),
    (["run", "--data", "d", "--round", "2026", "--municipality"], "minst ett värde krävs"),
    (["run", "--data", "d", "--round", "2026", "--bogus", "1"], "okända argument: --bogus 1"),
    (["example", "--out", "x", "--seed", "q"], "--seed: inte ett heltal: 'q'"),
    (["example", "--out", "x", "--seed", "-1"], "--seed: måste vara 0 eller mer"),
])
def test_usage_errors_are_swedish_and_exit_2(capsys, args, said):
    assert said in _usage_error(capsys, args)


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_is_swedish(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("användning: python -m evaluation")
    assert "visa den här hjälptexten och avsluta" in text
    assert "flaggor:" in text and "options:" not in text
    assert not english_words(text), english_words(text)


def test_every_option_has_swedish_help():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if action.option_strings:
                assert_swedish_line(action.help)
        assert (name, sub.format_usage().startswith("användning:")) == (name, True)


def test_argparse_is_left_speaking_as_before(capsys):
    """The Swedish texts are lent to argparse only while the toolkit's parser works."""
    with pytest.raises(SystemExit):
        main(["validate"])
    capsys.readouterr()
    plain = argparse.ArgumentParser(prog="other")
    plain.add_argument("--x", required=True)
    with pytest.raises(SystemExit):
        plain.parse_args([])
    err = capsys.readouterr().err
    assert "usage: other" in err and "the following arguments are required" in err
    assert argparse._("usage: ") == "usage: "


# -- what the commands print ------------------------------------------------------------------


def _one_error(capsys, args: list[str], code: int, *names: str) -> str:
    assert main(args) == code
    captured = capsys.readouterr()
    [line] = [line for line in captured.err.splitlines() if line.startswith("fel: ")]
    assert_swedish_line(line, *names)
    assert "oväntat fel" not in line
    return line


def test_command_errors_are_one_swedish_line(tmp_path, capsys):
    data = write_round(tmp_path / "data")
    d, out = str(data), str(tmp_path / "out")
    _one_error(capsys, ["validate", "--data", str(tmp_path / "nix"), "--round", "2024",
                        "--out", out], 1, str(tmp_path / "nix"))
    _one_error(capsys, ["validate", "--data", d, "--round", "2026", "--out", out], 1, d)
    _one_error(capsys, ["validate", "--data", d, "--round", "2024", "--out", out,
                        "--feedback", str(tmp_path / "no" / "fb")], 2, str(tmp_path))
    _one_error(capsys, ["template", "--round", "2026", "--region", "all", "--out",
                        str(tmp_path / "t.xlsx")], 2)
    _one_error(capsys, ["template", "--round", "2026", "--out", str(tmp_path / "t.txt")], 2,
               str(tmp_path / "t.txt"))
    _one_error(capsys, ["template", "--round", "2024", "--prefill", d, "--out",
                        str(tmp_path / "t.xlsx")], 2)
    _one_error(capsys, ["run", "--data", d, "--round", "2024", "--out", out,
                        "--municipality", "Norra"], 2)
    (tmp_path / "egna" / "2024").mkdir(parents=True)  # a round of real data
    (tmp_path / "egna" / "2024" / "program.csv").write_bytes(b"x")
    _one_error(capsys, ["example", "--out", str(tmp_path / "egna")], 2, str(tmp_path / "egna"))
    rows = [*PROGRAM_ROWS, ["Nora", "ABC", "Skola", "1", "-2", "", "", "", "", ""]]
    strict = write_round(tmp_path / "strict", program_rows=rows)
    line = _one_error(capsys, ["validate", "--data", str(strict), "--round", "2024",
                               "--out", out, "--strict"], 1)
    assert line == "fel: --strict: 1 rad(er) avvisade"


def test_a_run_on_a_locked_folder_is_one_swedish_line(tmp_path, capsys):
    from evaluation.publish.staging import RunLock

    data = write_round(tmp_path / "data")
    out = tmp_path / "out"
    with RunLock(out):
        line = _one_error(capsys, ["run", "--data", str(data), "--round", "2024", "--out",
                                   str(out), "--quiet"], 1)
    assert "används av en annan körning" in line


def test_what_the_commands_say_on_success_is_swedish(tmp_path, capsys):
    assert main(["template", "--round", "2026", "--out", str(tmp_path / "enkat.xlsx")]) == 0
    said = capsys.readouterr().out.strip()
    assert said.startswith("Enkätens arbetsbok för omgång 2026:")
    assert_swedish_line(said, str(tmp_path / "enkat.xlsx"))
    assert main(["example", "--out", str(tmp_path / "ex"), "--region", "09"]) == 0
    said = capsys.readouterr().out.strip()
    assert said.startswith("Syntetiska exempeldata:")
    assert_swedish_line(said, str(tmp_path / "ex"))
    data = write_round(tmp_path / "data")
    assert main(["validate", "--data", str(data), "--round", "2024", "--out",
                 str(tmp_path / "o"), "--feedback", str(tmp_path / "fb")]) == 0
    said = capsys.readouterr().out
    for line in said.splitlines():
        if line.startswith(("Alla fynd", "Återkoppling")):
            assert_swedish_line(line, str(tmp_path / "o"), str(tmp_path / "fb"))
    assert "Återkoppling:" in said and "Feedback:" not in said


def test_configuration_errors_an_evaluator_meets_are_swedish(tmp_path):
    from evaluation.errors import ParameterError
    from evaluation.publish.dcat import load_open_data
    from evaluation.settings import Settings, load_settings

    config = tmp_path / "config.toml"
    config.write_text('suppression_threshold = 5\nevidence_based_classes = ["A", \n',
                      encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_settings(config)
    assert str(err.value) == "config.toml: filen följer inte TOML-formatet i slutet av filen"
    config.write_text("suppression_threshold = \nconfidence_level = 0.9\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="TOML-formatet på rad 1, tecken 25"):
        load_settings(config)
    config.write_text("farlig = 1\n", encoding="utf-8")
    messages = []
    for attempt in (lambda: load_settings(config),
                    lambda: Settings(evidence_based_classes=("Q",)),
                    lambda: Settings(suppression_threshold=-1),
                    lambda: Settings(confidence_level=1.5),
                    lambda: load_open_data(config)):
        with pytest.raises(ParameterError) as err:
            attempt()
        messages.append(str(err.value))
    for message in messages:
        assert_swedish_line(message, "config.toml")


def test_warnings_on_the_terminal_are_swedish(tmp_path):
    """A stale lock taken over is said as "varning: …", not "WARNING: …"."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    data = write_round(tmp_path / "data", skip=("kommun",))  # stops after the lock
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").write_text(json.dumps({"pid": 999999, "host": os.uname().nodename,
                                           "started": "2026-05-04T02:00:00+00:00"}))
    proc = subprocess.run([sys.executable, "-m", "evaluation", "run", "--data", str(data),
                           "--round", "2024", "--out", str(out), "--quiet"],
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert proc.returncode == 1, proc.stderr
    warning, error = proc.stderr.strip().splitlines()
    assert warning.startswith("varning: ") and "tog över låset efter process 999999" in warning
    assert error.startswith("fel: Omgång 2024")
    for line in (warning, error):
        assert_swedish_line(line, str(tmp_path))
