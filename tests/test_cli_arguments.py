"""Arguments are checked before any work, lock or log: municipalities by code or name,
years that are rounds, help for every option, output folders that must exist."""

from __future__ import annotations

import argparse

import pytest

from evaluation.cli import build_parser, main
from evaluation.errors import ParameterError
from evaluation.intake.arguments import resolve_municipalities

DATA = "data/example"


@pytest.mark.parametrize("written", ["Örebro", "Orebro", "1880", "örebro kommun"])
def test_municipality_is_taken_by_code_or_name(written):
    assert resolve_municipalities([written], "18") == ["1880"]


def test_municipality_outside_the_county_or_unknown_is_refused_with_closest_match():
    with pytest.raises(ParameterError, match="Uppsala is not in Örebro län"):
        resolve_municipalities(["Uppsala"], "18")
    with pytest.raises(ParameterError, match="did you mean 'Nora'"):
        resolve_municipalities(["Norra"], "18")
    assert resolve_municipalities(["Uppsala", "0380"], "all") == ["0380"]


def test_wrong_municipality_is_a_usage_error_before_any_lock_or_log(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--data", DATA, "--round", "2026", "--out", str(out),
                 "--municipality", "Örebro", "Norra", "--quiet"])
    assert code == 2
    assert "did you mean 'Nora'" in capsys.readouterr().err
    assert not out.exists()  # no OUT/.lock, no log


@pytest.mark.parametrize("command", [
    ["run", "--data", DATA, "--out", "x"], ["validate", "--data", DATA],
    ["template", "--out", "x.xlsx"]])
def test_year_that_is_not_a_round_is_a_usage_error_listing_the_rounds(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--round", "2025"])
    assert exit_.value.code == 2
    assert "2025 is not a follow-up round; rounds are 2024, 2026, 2028, 2030" in \
        capsys.readouterr().err


def test_every_option_of_every_command_has_help():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == {"validate", "run", "template", "example"}
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help and action.help.strip(), (name, action.option_strings)


def test_template_into_a_missing_folder_is_refused_and_nothing_created(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "t.xlsx"
    assert main(["template", "--round", "2026", "--out", str(target)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["template", "--round", "2026", "--out", str(tmp_path / "no" / "dir"),
                 "--per-municipality"]) == 2
    assert not (tmp_path / "no").exists()


def test_template_per_municipality_writes_twelve_workbooks(tmp_path, capsys):
    out = tmp_path / "enkater"
    assert main(["template", "--round", "2026", "--out", str(out), "--per-municipality",
                 "--prefill", DATA]) == 0
    assert len(list(out.glob("18[0-9][0-9]-*.xlsx"))) == 12
    assert "12 in" in capsys.readouterr().out


def test_prefill_of_the_first_round_is_a_usage_error(tmp_path, capsys):
    assert main(["template", "--round", "2024", "--out", str(tmp_path / "t.xlsx"),
                 "--prefill", DATA]) == 2
    assert "first round" in capsys.readouterr().err


def test_jobs_below_one_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--data", DATA, "--round", "2026", "--jobs", "0"])
    assert exit_.value.code == 2


def test_missing_round_folder_is_said_before_any_lock_or_log(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--data", str(tmp_path / "nowhere"), "--round", "2026", "--out",
                 str(out), "--quiet"])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_feedback_folder_whose_parent_is_missing_is_refused_before_validating(tmp_path,
                                                                              capsys):
    code = main(["validate", "--data", DATA, "--round", "2026", "--out", str(tmp_path / "v"),
                 "--feedback", str(tmp_path / "no" / "fb")])
    assert code == 2
    captured = capsys.readouterr()
    assert "does not exist" in captured.err and "Insamlingsstatus" not in captured.out
    assert not (tmp_path / "v").exists()


def test_library_run_takes_names_and_refuses_a_wrong_one_before_the_lock(tmp_path):
    from evaluation.publish.runner import run_round

    with pytest.raises(ParameterError, match="did you mean 'Nora'"):
        run_round(DATA, 2026, out=tmp_path / "out", municipalities=["Norra"], progress=False)
    assert not (tmp_path / "out").exists()
