"""Intake of a round: every bad-input rule of DESIGN §3, with the exact messages."""

from __future__ import annotations

import pytest
from builders import (
    FC_HEADER,
    KOMMUN_HEADER,
    KOMMUN_ROWS,
    PROGRAM_HEADER,
    PROGRAM_ROWS,
    UNIT_HEADER,
    write_csv,
    write_round,
    write_xlsx,
)

from evaluation.errors import InputError, StrictModeError
from evaluation.intake.validation import validate_round


def findings(result, severity=None, table=None):
    return [f for f in result.report.findings
            if (severity is None or f.severity == severity) and (table is None or f.table == table)]


def only(result, severity, table=None):
    found = findings(result, severity, table)
    assert len(found) == 1, found
    return found[0]


def test_clean_round_is_accepted_whole_with_typed_tables(tmp_path):
    result = validate_round(write_round(tmp_path), 2024)
    assert findings(result, "rejected") == []
    kommun = result.tables["kommun"]
    assert kommun["municipality"].tolist() == ["1880", "1884"]
    assert str(kommun["steering_group"].dtype) == "boolean"
    assert kommun.loc[kommun.municipality == "1884", "group_school"].isna().all()
    program = result.tables["program"]
    assert program["programme"].tolist() == ["abc", "komet"]
    assert program["sector"].tolist() == ["preschool", "social_services"]
    assert program["participants"].tolist() == [40, 8]
    assert str(program["participants"].dtype) == "Int64"
    pop = result.tables["befolkning"].set_index("municipality")
    assert pop.loc["1880", "children_0_17"] == 33137
    assert result.answered == ["1880", "1884"]


def test_every_row_is_traced_to_file_sheet_and_excel_row(tmp_path):
    result = validate_round(write_round(tmp_path), 2024)
    kommun = result.tables["kommun"]
    assert kommun[["source_file", "source_sheet", "source_row"]].values.tolist() == [
        ["enkat.xlsx", "Kommun", 2], ["enkat.xlsx", "Kommun", 3]]
    assert result.tables["program"]["source_row"].tolist() == [2, 3]


def test_rows_in_equals_accepted_plus_rejected_for_every_table(tmp_path):
    rows = [*PROGRAM_ROWS,
            ["Nora", "ABC", "Skola", "1", "-2", "", "", "", "", ""],
            ["Nora", "ABC", "Skola", "1", "5", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    count = result.report.counts["program"]
    assert (count.rows_in, count.accepted, count.rejected) == (4, 3, 1)
    assert all(c.balanced for c in result.report.counts.values())
    assert len(result.tables["program"]) == 3


# --- row faults ----------------------------------------------------------------------


def test_negative_count_is_rejected_with_location(tmp_path):
    rows = [["Nora", "ABC", "Skola", "1", "-2", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    f = only(result, "rejected")
    assert (f.file, f.sheet, f.row, f.column, f.value) == (
        "program.csv", "", 2, "Antal föräldrar som påbörjat", "-2")
    assert f.message == "negativt antal"
    assert f.expected == "ett heltal, 0 eller mer"
    assert result.tables["program"].empty


def test_non_whole_count_is_rejected(tmp_path):
    rows = [["Nora", "ABC", "Skola", "2,5", "", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    f = only(result, "rejected")
    assert (f.column, f.value, f.message) == ("Antal grupper", "2,5", "inte ett heltal")


def test_more_completed_than_started_is_rejected(tmp_path):
    rows = [["Nora", "ABC", "Skola", "1", "8", "", "", "9", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    f = only(result, "rejected")
    assert f.message == "fler har fullföljt (9) än påbörjat (8)"
    assert f.expected == "antal som fullföljt ≤ antal som påbörjat"
    assert f.column == "Antal föräldrar som fullföljt"


def test_women_and_men_above_participants_is_rejected(tmp_path):
    rows = [["Nora", "ABC", "Skola", "1", "8", "6", "3", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    assert only(result, "rejected").message == "kvinnor (6) + män (3) är fler än deltagarna (8)"


def test_unknown_sector_is_rejected_with_closest_match(tmp_path):
    rows = [["Nora", "ABC", "Socialtjänsten i Nora", "1", "8", "", "", "", "", ""],
            ["Nora", "Komet", "Sjukvårdem", "1", "8", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    rejected = findings(result, "rejected")
    assert [f.message for f in rejected] == ["okänd sektor", "okänd sektor"]
    assert rejected[1].suggestion == "Hälso- och sjukvård"
    assert "Förskola, Skola, Socialtjänst" in rejected[0].expected


def test_unknown_municipality_is_rejected_with_closest_match(tmp_path):
    rows = [["Norra", "ABC", "Skola", "1", "8", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    f = only(result, "rejected")
    assert (f.column, f.value, f.message, f.suggestion) == (
        "Kommun", "Norra", "okänd kommun", "Nora")
    assert f.expected == "en kommun i Örebro län"
    assert "menade du 'Nora'?" in str(f)


def test_municipality_outside_the_county_is_rejected(tmp_path):
    rows = [["Uppsala", "ABC", "Skola", "1", "8", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    assert only(result, "rejected").message == "Uppsala ligger i Uppsala län, utanför Örebro län"


@pytest.mark.parametrize(
    ("written", "code"),
    [("Örebro kommun", "1880"), ("1880", "1880"), ("1880 Örebro", "1880"), ("NORA", "1884"),
     ("Orebro", "1880"), ("Hallefors", "1863"), ("Lekebergs kommun", "1814"), (" nora ", "1884")],
)
def test_municipality_is_recognised_as_offices_write_it(tmp_path, written, code):
    rows = [[written, "ABC", "Skola", "1", "8", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    assert findings(result, "rejected", "program") == []
    assert result.tables["program"]["municipality"].tolist() == [code]


def test_exact_duplicate_is_rejected_after_the_first(tmp_path):
    rows = [PROGRAM_ROWS[0], PROGRAM_ROWS[0]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    f = only(result, "rejected")
    assert (f.row, f.message) == (3, "exakt kopia av rad 2 i program.csv")
    assert len(result.tables["program"]) == 1


def test_conflicting_duplicates_are_all_rejected_never_merged(tmp_path):
    other = list(PROGRAM_ROWS[0])
    other[4] = "41"
    result = validate_round(write_round(tmp_path, program_rows=[PROGRAM_ROWS[0], other]), 2024)
    rejected = findings(result, "rejected")
    assert [f.row for f in rejected] == [2, 3]
    assert rejected[0].message == (
        "olika svar för samma Kommun, Program, Sektor: också rad 3 i program.csv")
    assert result.tables["program"].empty


def test_duplicate_across_files_names_the_other_file_and_sheet(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "kommun_nora.csv", KOMMUN_HEADER, [KOMMUN_ROWS[1]])
    result = validate_round(data, 2024)
    f = only(result, "rejected")
    assert f.file == "kommun_nora.csv"
    assert f.message == "exakt kopia av rad 3 i enkat.xlsx, blad 'Kommun'"


def test_programme_missing_from_catalogue_is_kept_unclassified_with_warning(tmp_path):
    rows = [["Nora", "Familjeverkstan", "Skola", "1", "8", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    f = only(result, "warning", "program")
    assert f.message.startswith(
        "programmet finns inte i programkatalogen: behålls som oklassificerat")
    program = result.tables["program"]
    assert program["programme"].tolist() == ["Familjeverkstan"]
    assert program["in_catalogue"].tolist() == [False]


def test_personnummer_refuses_the_row_and_never_reaches_the_report(tmp_path):
    rows = [["Nora", "ABC", "Skola", "1", "8", "", "", "", "", "", "19121212-1212"]]
    header = [*PROGRAM_HEADER, "Kommentar"]
    data = write_round(tmp_path, program_rows=[])
    write_csv(tmp_path / "2024" / "program.csv", header, rows)
    result = validate_round(data, 2024)
    f = only(result, "rejected")
    assert f.message.startswith("ser ut som ett personnummer eller samordningsnummer")
    assert f.value == "XXXXXXXX-XXXX"
    assert "1212" not in result.report.findings_frame().to_csv()
    assert result.tables["program"].empty


def test_blank_yes_no_is_missing_with_a_warning_not_no(tmp_path):
    rows = [["Nora", "", "", "", "", "", "", "Ja", "Nej"]]
    result = validate_round(write_round(tmp_path, kommun_rows=rows), 2024)
    f = only(result, "warning", "kommun")
    assert f.message == "tomt svar: räknas som saknat, inte som nej"
    assert f.column == "Lednings- eller samverkansgrupp finns"
    assert result.tables["kommun"]["steering_group"].isna().all()


def test_unreadable_yes_no_is_missing_with_a_warning(tmp_path):
    rows = [["Nora", "kanske", "", "", "", "", "", "Ja", "Nej"]]
    result = validate_round(write_round(tmp_path, kommun_rows=rows), 2024)
    f = only(result, "warning", "kommun")
    assert f.message == "inte ett ja/nej-svar: räknas som saknat"
    assert f.value == "kanske"


def test_strict_mode_turns_a_rejection_into_failure(tmp_path):
    rows = [["Nora", "ABC", "Skola", "1", "-2", "", "", "", "", ""]]
    data = write_round(tmp_path, program_rows=rows)
    with pytest.raises(StrictModeError, match=r"1 rad\(er\) avvisade i omgång 2024"):
        validate_round(data, 2024, strict=True)


# --- structural faults -----------------------------------------------------------------


def test_missing_table_stops_the_round_naming_the_sheet(tmp_path):
    data = write_round(tmp_path, skip=("familjecentraler",))
    with pytest.raises(InputError, match=r"tabell saknas: 'Familjecentraler' "
                                         r"\(ett blad eller en fil som heter Familjecentraler\)"):
        validate_round(data, 2024)


def test_missing_required_column_stops_the_round(tmp_path):
    data = write_round(tmp_path)
    write_csv(tmp_path / "2024" / "vardenheter.csv", UNIT_HEADER[:-1], [["BVC X", "BVC", "Nora",
                                                                          "Ja"]])
    with pytest.raises(InputError) as err:
        validate_round(data, 2024)
    assert str(err.value) == (
        "Omgång 2024: vardenheter.csv, rad 1: tabellen 'Vårdenheter' saknar obligatorisk "
        "kolumn 'Samlokaliserad med förebyggande socialtjänst' i rubrikraden")


def test_year_that_is_not_a_round_is_refused(tmp_path):
    with pytest.raises(InputError, match="2025 är inte en uppföljningsomgång"):
        validate_round(write_round(tmp_path), 2025)


def test_round_without_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="Inga data för omgång 2026"):
        validate_round(write_round(tmp_path), 2026)


def test_unreadable_workbook_stops_the_round(tmp_path):
    data = write_round(tmp_path)
    (tmp_path / "2024" / "enkat.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(InputError, match="enkat.xlsx: filen går inte att läsa som Excel-arbetsbok"):
        validate_round(data, 2024)


# --- formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(";", "utf-8"), (",", "utf-8"), (";", "utf-8-sig"), (",", "utf-8-sig"), (";", "cp1252"),
     ("\t", "cp1252")],
)
def test_every_separator_and_encoding_reads_the_same(tmp_path, sep, encoding):
    data = write_round(tmp_path)
    rows = [["Hällefors", "Älskade förbannade tonåring", "Socialtjänst", "1", "9", "", "", "",
             "Ja", ""]]
    write_csv(tmp_path / "2024" / "program.csv", PROGRAM_HEADER, rows, sep=sep, encoding=encoding)
    result = validate_round(data, 2024)
    program = result.tables["program"]
    assert program["municipality"].tolist() == ["1863"]
    assert program["programme"].tolist() == ["aft"]
    assert program["participants"].tolist() == [9]
    assert findings(result, "rejected") == []


def test_headers_match_by_id_or_label_ignoring_case_space_and_diacritics(tmp_path):
    data = write_round(tmp_path)
    header = ["  KOMMUN ", "program", "sektor", "groups", "ANTAL FORALDRAR SOM PABORJAT",
              "varav kvinnor", "Participants_Men", "antal föräldrar som fullföljt",
              "FÖLJS UPP SYSTEMATISKT", "har utvardERATS"]
    write_csv(tmp_path / "2024" / "program.csv", header, PROGRAM_ROWS)
    result = validate_round(data, 2024)
    assert result.tables["program"]["participants_men"].tolist() == [10, 2]
    assert result.tables["program"]["evaluated"].tolist() == [False, False]


def test_title_rows_above_header_and_trailing_blank_rows_are_handled(tmp_path):
    data = write_round(tmp_path)
    write_xlsx(tmp_path / "2024" / "enkat.xlsx", {
        "Kommun": [["Enkät om föräldraskapsstöd 2024"], [None], KOMMUN_HEADER, *KOMMUN_ROWS,
                   [None] * 9, [None, None]],
        "Familjecentraler": [FC_HEADER],
        "Instruktioner": [["Fyll i en rad per kommun"]],
    })
    result = validate_round(data, 2024)
    kommun = result.tables["kommun"]
    assert kommun["source_row"].tolist() == [4, 5]
    assert result.report.counts["kommun"].rows_in == 2
    assert result.report.counts["kommun"].blank_rows_skipped == 2


def test_sheet_that_names_no_table_is_a_warning_not_read(tmp_path):
    data = write_round(tmp_path)
    write_xlsx(tmp_path / "2024" / "extra.xlsx", {"Anteckningar": [["x"]]})
    result = validate_round(data, 2024)
    f = only(result, "warning")
    assert (f.file, f.sheet) == ("extra.xlsx", "Anteckningar")
    assert "läses inte: namnet börjar inte med någon tabells namn" in f.message


def test_scb_population_export_is_aggregated_to_0_17_and_0_5(tmp_path):
    data = write_round(tmp_path, skip=("befolkning",))
    ages = [f"{a} år" for a in range(0, 20)]
    nora = list(range(100, 120))  # 100 children aged 0, 101 aged 1, ...
    lines = ["Folkmängd efter region, ålder och år", "", ";".join(["region", *ages])]
    lines.append(";".join(["1884 Nora", *map(str, nora)]))
    lines.append(";".join(["1880 Örebro", *["1 000"] * 20]))
    (tmp_path / "2024" / "befolkning_scb.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    result = validate_round(data, 2024)
    pop = result.tables["befolkning"].set_index("municipality")
    assert pop.loc["1884", "children_0_17"] == sum(range(100, 118))
    assert pop.loc["1884", "children_0_5"] == sum(range(100, 106))
    assert pop.loc["1880", "children_0_17"] == 18000
    assert pop.loc["1880", "source_row"] == 5


def test_scb_export_with_age_groups_and_county_total(tmp_path):
    data = write_round(tmp_path, skip=("befolkning",))
    lines = ["region,0-5 år,6-12 år,13-17 år,18-24 år",
             "18 Örebro län,20000,25000,20000,30000",
             "1884 Nora,600,700,500,900"]
    (tmp_path / "2024" / "befolkning.csv").write_text("\n".join(lines), encoding="utf-8")
    result = validate_round(data, 2024)
    pop = result.tables["befolkning"].set_index("municipality")
    assert pop.loc["1884", ["children_0_17", "children_0_5"]].tolist() == [1800, 600]
    f = only(result, "rejected", "befolkning")
    assert f.message == "en läns- eller riksrad, inte en kommun: används inte"


def test_scb_export_missing_ages_stops_the_round(tmp_path):
    data = write_round(tmp_path, skip=("befolkning",))
    lines = ["region;0-4 år;5-9 år;10-14 år;15-19 år", "1884 Nora;500;600;700;800"]
    (tmp_path / "2024" / "befolkning.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"befolkning.csv, rad 1: SCB-tabellens ålderskolumner går "
                                         r"inte exakt ihop till åldrarna 0–17"):
        validate_round(data, 2024)


def test_every_finding_has_a_swedish_reason_label(tmp_path):
    from evaluation.intake.reasons import REASONS

    rows = [["Norra", "ABC", "Skola", "1", "8", "", "", "", "", ""],
            ["Nora", "ABC", "Skola", "1", "-1", "", "", "", "", ""],
            ["Nora", "Komet", "Skola", "1", "8", "", "", "9", "", ""],
            ["Nora", "Okänt program", "Skolan", "", "", "", "", "", "", ""]]
    result = validate_round(write_round(tmp_path, program_rows=rows), 2024)
    reasons = [f.reason for f in result.report.findings]
    assert reasons == ["unknown_municipality", "negative_count", "completed_above_participants",
                       "unclassified_programme", "not_offered"]
    assert all(r in REASONS for r in reasons)


def test_personnummer_in_an_scb_export_cell_rejects_the_row_instead_of_counting(tmp_path):
    # 811218-9876 has a valid check digit; written bare it is ten digits, a "count".
    data = write_round(tmp_path, skip=("befolkning",))
    lines = ["region;0-5 år;6-12 år;13-17 år",
             "1884 Nora;600;8112189876;500",
             "1880 Örebro;11046;12000;10091"]
    (tmp_path / "2024" / "befolkning.csv").write_text("\n".join(lines), encoding="utf-8")
    result = validate_round(data, 2024)
    f = only(result, "rejected", "befolkning")
    assert f.reason == "personnummer" and f.value == "XXXXXXXXXX"
    pop = result.tables["befolkning"].set_index("municipality")
    assert pop.index.tolist() == ["1880"]
    assert "8112189876" not in result.report.findings_frame().to_csv()


def test_personnummer_in_file_sheet_and_header_names_is_masked_and_noted(tmp_path):
    data = write_round(tmp_path, skip=("program",))
    folder = tmp_path / "2024"
    write_csv(folder / "program_19850101-1234.csv", [*PROGRAM_HEADER, "Kontakt 850101–1234"],
              [[*PROGRAM_ROWS[0], ""]])
    write_xlsx(folder / "bilaga.xlsx", {"Anteckningar 811218 9876": [["x"]]})
    result = validate_round(data, 2024)
    text = result.report.findings_frame().to_csv()
    for digits in ("850101", "1234", "811218", "9876"):
        assert digits not in text
    assert "program_XXXXXXXX-XXXX.csv" in result.report.files
    notes = [f for f in result.report.findings if f.reason == "personnummer"]
    assert {(f.file, f.sheet, f.column) for f in notes} == {
        ("program_XXXXXXXX-XXXX.csv", "", ""),
        ("program_XXXXXXXX-XXXX.csv", "", "Kontakt XXXXXX–XXXX"),
        ("bilaga.xlsx", "Anteckningar XXXXXX XXXX", ""),
    }
    assert result.tables["program"]["source_file"].tolist() == ["program_XXXXXXXX-XXXX.csv"]
