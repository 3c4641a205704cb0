"""Issue 11's measured cases, tried again as an attacker on every command: output
folders equal to, inside or above the data, read-only output folders, repeated
municipalities, county names on the command line, and the documented bounds."""

from __future__ import annotations

import builtins
import errno
import io
import os
import signal
from pathlib import Path

import pytest
from builders import write_round
from swedish import assert_swedish_line

from evaluation.cli import main
from evaluation.errors import Stopped


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_error_line(capsys, code: int, expected: int, *names: str) -> str:
    captured = capsys.readouterr()
    assert code == expected, captured.err
    assert "Traceback" not in captured.err + captured.out
    [line] = [line for line in captured.err.splitlines() if line.startswith("fel: ")]
    assert "oväntat fel" not in line
    assert_swedish_line(line, *names)
    return line


# -- the input is sacred, for every command --------------------------------------------------

WHERE = ["equal", "inside", "inside_round", "above"]


def _out(data: Path, where: str) -> Path:
    return {"equal": data, "inside": data / "rapporter", "inside_round": data / "2024",
            "above": data.parent}[where]


@pytest.mark.parametrize("where", WHERE)
def test_feedback_may_not_be_written_into_or_around_the_data(tmp_path, capsys, where):
    """`validate --feedback DATA/2024` wrote workbooks into the round, read next time."""
    data = write_round(tmp_path / "data")
    before = snapshot(tmp_path)
    code = main(["validate", "--data", str(data), "--round", "2024",
                 "--out", str(tmp_path / "elsewhere" / "out"),
                 "--feedback", str(_out(data, where))])
    line = one_error_line(capsys, code, 2, str(tmp_path))
    assert line.startswith("fel: --feedback")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", WHERE)
def test_template_per_municipality_may_not_write_into_or_around_its_prefill(tmp_path, capsys,
                                                                           where):
    data = write_round(tmp_path / "data")
    before = snapshot(tmp_path)
    code = main(["template", "--round", "2026", "--per-municipality", "--prefill", str(data),
                 "--out", str(_out(data, where))])
    one_error_line(capsys, code, 2, str(tmp_path))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["inside", "inside_round"])
def test_template_workbook_may_not_be_written_into_its_prefill(tmp_path, capsys, where):
    data = write_round(tmp_path / "data")
    (data / "rapporter").mkdir()
    before = snapshot(tmp_path)
    code = main(["template", "--round", "2026", "--prefill", str(data),
                 "--out", str(_out(data, where) / "enkat-2026.xlsx")])
    one_error_line(capsys, code, 2, str(tmp_path))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["validate", "run", "template", "example"])
@pytest.mark.parametrize("out", ["/", "~"])
def test_no_command_writes_into_the_root_or_a_home_folder(tmp_path, capsys, command, out):
    data = write_round(tmp_path / "data")
    out = str(Path(out).expanduser())
    args = {"validate": ["validate", "--data", str(data), "--round", "2024", "--out", out],
            "run": ["run", "--data", str(data), "--round", "2024", "--out", out, "--quiet"],
            "template": ["template", "--round", "2026", "--per-municipality", "--out", out],
            "example": ["example", "--out", out]}[command]
    line = one_error_line(capsys, main(args), 2, out)
    assert "roten eller en hemkatalog" in line


# -- read-only output folders ------------------------------------------------------------------


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only. Tests run as root in CI, where permissions do not stop
    a write: there the operating system's refusal (EACCES) is imitated for every call
    that would create, change or remove something in the folder."""

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o555)
        cleanup.append(folder)
        if os.geteuid() != 0:
            return folder
        root = folder.resolve()

        def inside(path: object) -> bool:
            try:
                target = Path(os.path.abspath(os.fsdecode(path)))
            except TypeError:
                return False  # a file descriptor
            return target == root or root in target.parents

        def refuse(path: object) -> None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

        real_open, real_io_open, real_os_open = builtins.open, io.open, os.open
        real_mkdir, real_rename, real_replace = os.mkdir, os.rename, os.replace
        real_unlink, real_rmdir = os.unlink, os.rmdir

        def open_(file, mode="r", *args, **kwargs):
            if isinstance(mode, str) and set(mode) & set("wax+") and inside(file):
                refuse(file)
            return real_open(file, mode, *args, **kwargs)

        def io_open(file, mode="r", *args, **kwargs):
            if isinstance(mode, str) and set(mode) & set("wax+") and inside(file):
                refuse(file)
            return real_io_open(file, mode, *args, **kwargs)

        def os_open(path, flags, *args, **kwargs):
            writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
            if flags & writes and inside(path) and kwargs.get("dir_fd") is None:
                refuse(path)
            return real_os_open(path, flags, *args, **kwargs)

        def mkdir(path, *args, **kwargs):
            if inside(path) and not os.path.exists(path):
                refuse(path)
            return real_mkdir(path, *args, **kwargs)

        def two(real):
            def move(src, dst, *args, **kwargs):
                if inside(src) or inside(dst):
                    refuse(dst)
                return real(src, dst, *args, **kwargs)
            return move

        def one(real):
            def remove(path, *args, **kwargs):
                if inside(path):
                    refuse(path)
                return real(path, *args, **kwargs)
            return remove

        for target, name, fake in [(builtins, "open", open_), (io, "open", io_open),
                                   (os, "open", os_open), (os, "mkdir", mkdir),
                                   (os, "rename", two(real_rename)),
                                   (os, "replace", two(real_replace)),
                                   (os, "unlink", one(real_unlink)),
                                   (os, "rmdir", one(real_rmdir))]:
            monkeypatch.setattr(target, name, fake)
        return folder

    cleanup: list[Path] = []
    yield make
    for folder in cleanup:
        os.chmod(folder, 0o755)


@pytest.mark.parametrize("command", ["validate", "run", "template", "template_folder",
                                     "example", "feedback"])
def test_a_read_only_output_folder_is_one_swedish_line_for_every_command(tmp_path, capsys,
                                                                         read_only, command):
    data = write_round(tmp_path / "data")
    out = tmp_path / "skrivskyddad"
    args = {
        "validate": ["validate", "--data", str(data), "--round", "2024", "--out", str(out)],
        "run": ["run", "--data", str(data), "--round", "2024", "--out", str(out), "--quiet"],
        "template": ["template", "--round", "2026", "--out", str(out / "enkat.xlsx")],
        "template_folder": ["template", "--round", "2026", "--per-municipality",
                            "--out", str(out / "utskick")],
        "example": ["example", "--out", str(out / "data")],
        "feedback": ["validate", "--data", str(data), "--round", "2024",
                     "--out", str(tmp_path / "ut"), "--feedback", str(out / "fb")],
    }[command]
    before = snapshot(data)
    read_only(out)
    line = one_error_line(capsys, main(args), 1, str(tmp_path))
    assert "åtkomst nekas" in line or "skrivskydd" in line
    assert snapshot(data) == before


def test_validate_without_out_from_a_read_only_working_folder_is_one_swedish_line(
        tmp_path, capsys, read_only, monkeypatch):
    """Plain `validate` writes ./reports: from a folder it cannot write, one line."""
    data = write_round(tmp_path / "data")
    here = read_only(tmp_path / "arbetsmapp")
    monkeypatch.chdir(here)
    line = one_error_line(capsys, main(["validate", "--data", str(data), "--round", "2024"]),
                          1, str(tmp_path), "reports")
    assert "åtkomst nekas" in line


# -- arguments -----------------------------------------------------------------------------------


def test_a_municipality_named_twice_makes_one_profile(tmp_path, capsys, monkeypatch):
    """`run --municipality 1880 1880` ended in "oväntat fel" (two jobs of one name):
    a municipality given twice, by code or by name, is one profile."""
    from evaluation.publish import runner
    from evaluation.tools.example import write_example

    data = tmp_path / "data"
    write_example(data, region="09", seed=1, years=(2024,))
    asked: list[list[str]] = []

    def record(job_list, *args, **kwargs):
        asked.append([job.name for job in job_list])
        raise Stopped(signal.SIGTERM)  # stop before any kernel starts

    monkeypatch.setattr(runner, "execute_reports", record)
    code = main(["run", "--data", str(data), "--round", "2024", "--out", str(tmp_path / "o"),
                 "--region", "09", "--municipality", "0980", "0980", "Gotland",
                 "gotlands kommun", "--quiet"])
    err = capsys.readouterr().err
    assert code == 128 + signal.SIGTERM, err
    assert asked == [["regional", "kommuner/0980"]]
    assert "oväntat fel" not in err and "Traceback" not in err


@pytest.mark.parametrize("given", ["Örebro län", " 18", "18.0", "orebro lan", "ÖREBRO"])
def test_region_given_by_name_or_sloppy_code_validates_the_county_on_the_command_line(
        tmp_path, capsys, given):
    """The county was taken as given, and every municipality came out "in Örebro län,
    outside Örebro län"."""
    data = write_round(tmp_path / "data")
    assert main(["validate", "--data", str(data), "--round", "2024", "--region", given,
                 "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "utanför" not in out and "AVVISAD" not in out
    assert "län 18" in out


def test_the_plausibility_bounds_are_documented_where_the_rules_are():
    from evaluation.intake.cells import MAX_COUNT
    from evaluation.intake.validation import PARTICIPANTS_PER_CHILD
    from evaluation.report.methods import methods_markdown

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    largest = f"{MAX_COUNT:,}".replace(",", " ")
    assert largest in readme and "`MAX_COUNT`" in readme
    assert "`PARTICIPANTS_PER_CHILD`" in readme and "twice the municipality's children" in readme
    methods = methods_markdown()
    assert "### Antal som inte kan stämma" in methods
    assert largest.replace(" ", "\u00a0") in methods
    assert PARTICIPANTS_PER_CHILD == 2 and "två per barn 0–17 år" in methods
    docs = (root / "docs" / "metoder.md").read_text(encoding="utf-8")
    assert "### Antal som inte kan stämma" in docs


@pytest.mark.parametrize("command", ["template_folder", "example", "feedback"])
def test_an_output_folder_that_is_a_file_is_one_swedish_line(tmp_path, capsys, command):
    """`--out` naming a file, for the commands test_hostile_input does not try."""
    data = write_round(tmp_path / "data")
    blocked = tmp_path / "fil"
    blocked.write_text("x", encoding="utf-8")
    args = {"template_folder": ["template", "--round", "2026", "--per-municipality",
                                "--out", str(blocked)],
            "example": ["example", "--out", str(blocked)],
            "feedback": ["validate", "--data", str(data), "--round", "2024",
                         "--out", str(tmp_path / "ut"), "--feedback", str(blocked)]}[command]
    code = main(args)
    one_error_line(capsys, code, 2 if command != "example" else 1, str(tmp_path))
    assert blocked.read_text(encoding="utf-8") == "x"


def test_files_and_sheets_not_read_reach_the_reports_data_quality_section(tmp_path):
    """They were INFO lines the report never showed; the data-quality tables of the
    regional report count them by reason and by file."""
    from types import SimpleNamespace

    import openpyxl
    from builders import PROGRAM_HEADER, PROGRAM_ROWS, write_csv, write_xlsx

    from evaluation.intake.validation import validate_round
    from evaluation.report.sections import findings_by_reason, findings_list

    data = write_round(tmp_path)
    folder = tmp_path / "2024"
    (folder / "anteckningar.txt").write_text("program i Nora: 3", encoding="utf-8")
    write_csv(folder / "inkommet" / "program_kumla.csv", PROGRAM_HEADER, PROGRAM_ROWS[:1])
    path = write_xlsx(folder / "gammalt.xlsx", {"Program": [PROGRAM_HEADER, *PROGRAM_ROWS],
                                                "Anteckning": [["synlig"]]})
    wb = openpyxl.load_workbook(path)
    wb["Program"].sheet_state = "hidden"
    wb.save(path)
    result = SimpleNamespace(validation=validate_round(data, 2024).report)
    by_reason, by_file = str(findings_by_reason(result)), str(findings_list(result))
    for label in ("Fil i ett format som inte läses (inte inläst)", "Undermapp (inte inläst)",
                  "Dolt blad (inte inläst)"):
        assert label in by_reason and label in by_file
    assert "anteckningar.txt" in by_file and "gammalt.xlsx" in by_file
    assert "Inga rader avvisades och inga varningar gavs" not in by_reason
