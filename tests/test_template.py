"""The survey workbook: sheets, Swedish headers, drop-down lists, instructions, and
answers that read back through intake unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import range_to_tuple

from evaluation.errors import ParameterError
from evaluation.intake.model import SOURCE_COLUMNS, RoundData, ValidationReport
from evaluation.tools.template import build_template, save_workbook, write_template

KOMMUN_HEADER = ["Kommun", "Lednings- eller samverkansgrupp finns", "Förskola ingår i gruppen",
                 "Skola ingår i gruppen", "Socialtjänst ingår i gruppen",
                 "Hälso- och sjukvård ingår i gruppen", "Civilsamhälle ingår i gruppen",
                 "Lokal plan eller strategi för föräldraskapsstöd",
                 "Rutin för systematisk uppföljning", "Samordnare"]
FC_HEADER = ["Kommun", "Namn", "Barnmorskemottagning (BMM)", "Barnavårdscentral (BVC)",
             "Öppen förskola", "Förebyggande socialtjänst"]
PROGRAM_HEADER = ["Kommun", "Program", "Sektor", "Antal grupper",
                  "Antal föräldrar som påbörjat", "Varav kvinnor", "Varav män",
                  "Antal föräldrar som fullföljt", "Följs upp systematiskt", "Har utvärderats"]
UNIT_HEADER = ["Enhet", "Enhetstyp", "Kommun", "Samlokaliserad med öppen förskola",
               "Samlokaliserad med förebyggande socialtjänst"]
OREBRO_LAN = ["Askersund", "Degerfors", "Hallsberg", "Hällefors", "Karlskoga", "Kumla", "Laxå",
              "Lekeberg", "Lindesberg", "Ljusnarsberg", "Nora", "Örebro"]
SECTOR_LABELS = ["Förskola", "Skola", "Socialtjänst", "Hälso- och sjukvård", "Civilsamhälle"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_template(tmp_path_factory.mktemp("template") / "enkat.xlsx", 2026)
    return openpyxl.load_workbook(path)


def validation_at(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{cell}: {len(found)} validations"
    return found[0]


def list_values(wb: openpyxl.Workbook, formula: str) -> list[object]:
    sheet, (min_col, min_row, max_col, max_row) = range_to_tuple(formula)
    ws = wb[sheet]
    return [ws.cell(row=r, column=c).value for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)]


def test_workbook_opens_on_instructions_then_the_three_survey_sheets(blank):
    assert blank.sheetnames == ["Instruktioner", "Kommun", "Familjecentraler", "Program",
                                "Listor"]
    assert blank.active.title == "Instruktioner"
    assert blank["Listor"].sheet_state == "hidden"
    assert all(blank[s].sheet_state == "visible" for s in blank.sheetnames[:-1])


@pytest.mark.parametrize(("sheet", "header"), [
    ("Kommun", KOMMUN_HEADER), ("Familjecentraler", FC_HEADER), ("Program", PROGRAM_HEADER)])
def test_headers_are_the_swedish_labels_bold_frozen_and_wide_enough(blank, sheet, header):
    ws = blank[sheet]
    cells = list(ws[1])
    assert [c.value for c in cells] == header
    assert all(c.font.b for c in cells)
    assert ws.freeze_panes == "A2"
    for cell in cells:
        width = ws.column_dimensions[cell.column_letter].width
        # wrapped over lines, no word broken, the header row tall enough for every line
        assert cell.alignment.wrap_text
        assert width >= max(len(word) for word in cell.value.split()) + 2
        assert ws.row_dimensions[1].height >= 15 * -(-len(cell.value) // (width - 2))
    assert ws.max_row == 1  # nothing filled in


@pytest.mark.parametrize(("sheet", "cell"), [
    ("Kommun", "B2"), ("Kommun", "G2"), ("Kommun", "I501"), ("Familjecentraler", "C2"),
    ("Familjecentraler", "F40"), ("Program", "I2"), ("Program", "J2")])
def test_yes_no_cells_offer_only_ja_and_nej_and_may_stay_blank(blank, sheet, cell):
    dv = validation_at(blank[sheet], cell)
    assert dv.type == "list"
    assert dv.formula1.startswith("'Listor'!")
    assert list_values(blank, dv.formula1) == ["Ja", "Nej"]
    assert dv.allow_blank
    assert dv.showErrorMessage and dv.errorStyle == "stop"


@pytest.mark.parametrize("sheet", ["Kommun", "Familjecentraler", "Program"])
def test_municipality_list_holds_the_county_short_names_in_swedish_order(blank, sheet):
    dv = validation_at(blank[sheet], "A2")
    assert dv.type == "list"
    assert list_values(blank, dv.formula1) == OREBRO_LAN


def test_programme_list_holds_the_catalogue_but_accepts_other_names(blank):
    dv = validation_at(blank["Program"], "B2")
    values = list_values(blank, dv.formula1)
    assert {"ABC – Alla Barn i Centrum", "Komet", "ICDP – Vägledande samspel",
            "ÖPP – Örebro preventionsprogram", "De otroliga åren"} <= set(values)
    assert "Familjeverkstan" not in values
    # An unlisted programme can be typed: no error box, or an information box only.
    assert not dv.showErrorMessage or dv.errorStyle == "information"


def test_sector_list_holds_the_five_sectors(blank):
    dv = validation_at(blank["Program"], "C2")
    assert list_values(blank, dv.formula1) == SECTOR_LABELS
    assert dv.errorStyle == "stop"


@pytest.mark.parametrize("column", ["D", "E", "F", "G", "H"])
def test_counts_accept_whole_numbers_from_zero(blank, column):
    dv = validation_at(blank["Program"], f"{column}2")
    assert dv.type == "whole"
    assert dv.operator == "greaterThanOrEqual"
    assert dv.formula1 == "0"
    assert validation_at(blank["Program"], f"{column}501") is dv


def test_free_text_columns_have_no_validation(blank):
    for sheet, cell in (("Kommun", "J2"), ("Familjecentraler", "B2")):
        assert not [dv for dv in blank[sheet].data_validations.dataValidation
                    if cell in dv.sqref]


def test_lists_are_referenced_ranges_not_inline_lists(blank):
    for ws in blank.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                assert not dv.formula1.startswith('"'), dv.formula1


def test_instructions_are_in_swedish_and_name_round_county_and_rules(blank):
    text = "\n".join(str(v) for row in blank["Instruktioner"].iter_rows(values_only=True)
                     for v in row if v is not None)
    assert "2026" in text
    assert "Örebro län" in text
    assert "en rad per program och sektor" in text
    assert "vet ej / ej besvarat" in text and "aldrig ”nej”" in text
    assert "heltal" in text
    assert "personnummer" in text and "personuppgifter" in text
    assert "fylls i av regionen" in text


def test_instructions_describe_every_column_with_its_help(blank):
    rows = [r for r in blank["Instruktioner"].iter_rows(values_only=True)]
    described = {(r[0], r[1]): r[2] for r in rows if r[1] is not None}
    assert described[("Program", "Varav män")] == "Heltal, 0 eller mer"
    assert described[("Familjecentraler", "Öppen förskola")] == "Ja eller Nej"
    assert described[("Kommun", "Samordnare")] == "Namn eller funktion"
    assert len(described) - 1 == len(KOMMUN_HEADER) + len(FC_HEADER) + len(PROGRAM_HEADER)


def test_units_sheet_is_added_for_the_region_with_bmm_bvc_list(tmp_path):
    wb = build_template(2024, include_units=True)
    assert wb.sheetnames[-2:] == ["Vårdenheter", "Listor"]
    ws = wb["Vårdenheter"]
    assert [c.value for c in ws[1]] == UNIT_HEADER
    assert list_values(wb, validation_at(ws, "B2").formula1) == ["BMM", "BVC"]
    assert list_values(wb, validation_at(ws, "D2").formula1) == ["Ja", "Nej"]


def test_another_county_lists_its_own_municipalities():
    wb = build_template(2024, region="09")
    dv = validation_at(wb["Kommun"], "A2")
    assert list_values(wb, dv.formula1) == ["Gotland"]


def test_year_that_is_no_round_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="2025 is not a follow-up round"):
        write_template(tmp_path / "enkat.xlsx", 2025)


def test_workbook_must_be_an_xlsx_file(tmp_path):
    with pytest.raises(ParameterError, match="xlsx"):
        write_template(tmp_path / "enkat.xls", 2026)


def test_saving_twice_with_one_timestamp_gives_identical_bytes(tmp_path):
    stamp = dt.datetime(2026, 1, 15, 8, 30)
    first = save_workbook(build_template(2026), tmp_path / "a.xlsx", stamp)
    second = save_workbook(build_template(2026), tmp_path / "b.xlsx", stamp)
    assert first.read_bytes() == second.read_bytes()
    props = openpyxl.load_workbook(first).properties
    assert props.created == stamp and props.modified == stamp


# -- prefill ---------------------------------------------------------------------------


def _source(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(source_file="enkat.xlsx", source_sheet="", source_row=2)


def small_round() -> RoundData:
    """Canonical tables as intake hands them on, written by hand."""
    kommun = _source(pd.DataFrame({
        "municipality": ["1884"], "steering_group": pd.array([True], "boolean"),
        "group_preschool": pd.array([pd.NA], "boolean"),
        "group_school": pd.array([True], "boolean"),
        "group_social_services": pd.array([True], "boolean"),
        "group_health_care": pd.array([False], "boolean"),
        "group_civil_society": pd.array([pd.NA], "boolean"),
        "local_plan": pd.array([False], "boolean"),
        "followup_routine": pd.array([True], "boolean"),
        "coordinator": ["Folkhälsosamordnare"],
    }))
    centres = _source(pd.DataFrame({
        "municipality": ["1884"], "name": ["Familjecentralen Nora"],
        "bmm": pd.array([True], "boolean"), "bvc": pd.array([True], "boolean"),
        "open_preschool": pd.array([True], "boolean"),
        "social_services": pd.array([False], "boolean"),
    }))
    program = _source(pd.DataFrame({
        "municipality": ["1884", "1884"], "programme": ["komet", "Familjeverkstan"],
        "sector": ["social_services", "civil_society"],
        "groups": pd.array([1, 2], "Int64"), "participants": pd.array([9, 14], "Int64"),
        "participants_women": pd.array([6, pd.NA], "Int64"),
        "participants_men": pd.array([3, pd.NA], "Int64"),
        "completed": pd.array([7, 10], "Int64"),
        "followed_up": pd.array([True, False], "boolean"),
        "evaluated": pd.array([pd.NA, False], "boolean"),
        "programme_name": ["Komet", "Familjeverkstan"], "in_catalogue": [True, False],
    }))
    return RoundData(2024, "18", {"kommun": kommun, "familjecentraler": centres,
                                  "program": program},
                     ValidationReport(2024, "18"))


def test_prefill_writes_last_rounds_structure_with_every_count_blank(tmp_path):
    path = write_template(tmp_path / "enkat.xlsx", 2026, prefill=small_round())
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["Kommun"][2]] == [
        "Nora", "Ja", None, "Ja", "Ja", "Nej", None, "Nej", "Ja", "Folkhälsosamordnare"]
    assert [c.value for c in wb["Familjecentraler"][2]] == [
        "Nora", "Familjecentralen Nora", "Ja", "Ja", "Ja", "Nej"]
    assert [c.value for c in wb["Program"][2]] == [
        "Nora", "Komet", "Socialtjänst", None, None, None, None, None, "Ja", None]
    assert [c.value for c in wb["Program"][3]] == [
        "Nora", "Familjeverkstan", "Civilsamhälle", None, None, None, None, None, "Nej", "Nej"]
    text = " ".join(str(r[0]) for r in wb["Instruktioner"].iter_rows(values_only=True) if r[0])
    assert "svaren från omgång 2024" in text


def test_prefill_can_be_limited_to_one_municipality(tmp_path):
    wb = build_template(2026, prefill=small_round(), municipality="Kumla")
    assert wb["Program"].max_row == 1
    wb = build_template(2026, prefill=small_round(), municipality="Nora kommun")
    assert wb["Program"].max_row == 3


def test_prefill_from_another_county_is_refused():
    data = small_round()
    data.region = "03"
    with pytest.raises(ParameterError, match="county"):
        build_template(2026, region="18", prefill=data)


def test_municipality_outside_the_county_is_refused_with_closest_match():
    with pytest.raises(ParameterError, match="Uppsala"):
        build_template(2026, municipality="Uppsala")
    with pytest.raises(ParameterError, match="Nora"):
        build_template(2026, municipality="Norra")


# -- round trip through intake -----------------------------------------------------------


def _write_region_files(folder: Path) -> None:
    """The region's units and SCB's figures, which a round cannot do without."""
    (folder / "vardenheter.csv").write_text(
        "Enhet;Enhetstyp;Kommun;Samlokaliserad med öppen förskola;"
        "Samlokaliserad med förebyggande socialtjänst\n"
        "Vårdcentralen Nora;BVC;Nora;Ja;Nej\n", encoding="utf-8")
    (folder / "befolkning.csv").write_text(
        "Kommun;Antal barn 0–17 år;Antal barn 0–5 år\nNora;2 101;700\n", encoding="utf-8")


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=list(SOURCE_COLUMNS)).reset_index(drop=True)


def test_template_filled_in_reads_back_as_the_answers_typed(tmp_path):
    from evaluation.intake.validation import validate_round

    folder = tmp_path / "2026"
    folder.mkdir()
    path = write_template(folder / "enkat_nora.xlsx", 2026)
    wb = openpyxl.load_workbook(path)
    wb["Kommun"].append(["Nora", "Ja", None, "Ja", "Ja", "Nej", None, "Nej", "Ja",
                         "Folkhälsosamordnare"])
    wb["Familjecentraler"].append(["Nora", "Familjecentralen Nora", "Ja", "Ja", "Ja", "Nej"])
    wb["Program"].append(["Nora", "Komet", "Socialtjänst", 1, 9, 6, 3, 7, "Ja", None])
    wb["Program"].append(["Nora", "Familjeverkstan", "Civilsamhälle", 2, 14, None, None, 10,
                          "Nej", "Nej"])
    wb.save(path)
    _write_region_files(folder)

    result = validate_round(tmp_path, 2026)

    assert result.report.rejected == []
    expected = small_round()
    for table in ("kommun", "familjecentraler", "program"):
        pd.testing.assert_frame_equal(_stripped(result.tables[table]),
                                      _stripped(expected.tables[table]), check_dtype=False)
    assert result.tables["program"]["source_row"].tolist() == [2, 3]
    assert result.tables["program"]["source_sheet"].tolist() == ["Program", "Program"]


def test_prefilled_template_reads_back_identical_tables_but_for_the_counts(tmp_path):
    from evaluation.intake.validation import validate_round

    expected = small_round()
    folder = tmp_path / "2026"
    folder.mkdir()
    write_template(folder / "enkat.xlsx", 2026, prefill=expected)
    _write_region_files(folder)

    result = validate_round(tmp_path, 2026)

    assert result.report.rejected == []
    counts = ["groups", "participants", "participants_women", "participants_men", "completed"]
    program = expected.tables["program"]
    for column in counts:
        program[column] = pd.array([pd.NA] * len(program), dtype="Int64")
    for table in ("kommun", "familjecentraler", "program"):
        pd.testing.assert_frame_equal(_stripped(result.tables[table]),
                                      _stripped(expected.tables[table]), check_dtype=False)


# -- a workbook per municipality -------------------------------------------------------


@pytest.fixture(scope="module")
def own_workbooks(tmp_path_factory: pytest.TempPathFactory):
    from evaluation.intake.validation import validate_round
    from evaluation.tools.template import write_municipality_templates

    previous = validate_round("data/example", 2024)
    folder = tmp_path_factory.mktemp("send") / "enkater"
    return previous, write_municipality_templates(folder, 2026, prefill=previous)


def test_one_workbook_per_municipality_named_by_code_and_name(own_workbooks):
    _, paths = own_workbooks
    assert [p.name for p in paths] == [
        "1814-Lekeberg.xlsx", "1860-Laxå.xlsx", "1861-Hallsberg.xlsx", "1862-Degerfors.xlsx",
        "1863-Hällefors.xlsx", "1864-Ljusnarsberg.xlsx", "1880-Örebro.xlsx",
        "1881-Kumla.xlsx", "1882-Askersund.xlsx", "1883-Karlskoga.xlsx", "1884-Nora.xlsx",
        "1885-Lindesberg.xlsx"]


def test_own_workbook_holds_only_its_municipality_with_counts_blank(own_workbooks):
    previous, paths = own_workbooks
    wb = openpyxl.load_workbook(next(p for p in paths if p.name == "1883-Karlskoga.xlsx"))
    municipality_list = list_values(wb, validation_at(wb["Program"], "A2").formula1)
    assert municipality_list == ["Karlskoga"]
    assert wb["Kommun"]["A2"].value == "Karlskoga"
    assert wb["Kommun"]["A2"].protection.locked
    program = list(wb["Program"].iter_rows(min_row=2, values_only=True))
    program = [r for r in program if any(v is not None for v in r)]
    expected = previous.tables["program"].query("municipality == '1883'")
    assert len(program) == len(expected) > 0
    assert {r[0] for r in program} == {"Karlskoga"}
    assert all(r[3:8] == (None,) * 5 for r in program)  # groups .. completed blank
    centres = [r[1] for r in wb["Familjecentraler"].iter_rows(min_row=2, values_only=True)
               if r[1]]
    assert sorted(centres) == sorted(
        previous.tables["familjecentraler"].query("municipality == '1883'")["name"])


def test_headers_and_lists_are_protected_and_answer_cells_stay_editable(own_workbooks):
    _, paths = own_workbooks
    wb = openpyxl.load_workbook(paths[0])
    for name in ("Instruktioner", "Kommun", "Familjecentraler", "Program", "Listor"):
        assert wb[name].protection.sheet, name
    assert wb.security.lockStructure  # sheets keep their names
    ws = wb["Program"]
    assert all(c.protection.locked for c in ws[1])
    assert not ws["E2"].protection.locked
    assert not ws.column_dimensions["E"].protection.locked  # rows not yet written too


def test_core_counts_and_group_sectors_are_marked_as_needed(own_workbooks):
    from evaluation.tools.template import _REQUIRED_FILL

    _, paths = own_workbooks
    wb = openpyxl.load_workbook(paths[0])
    needed = {c.value for ws in (wb["Kommun"], wb["Program"]) for c in ws[1]
              if c.fill.start_color.rgb == _REQUIRED_FILL.start_color.rgb}
    assert {"Antal föräldrar som påbörjat", "Varav kvinnor", "Varav män",
            "Antal föräldrar som fullföljt", "Förskola ingår i gruppen",
            "Civilsamhälle ingår i gruppen"} <= needed
    assert "Har utvärderats" not in needed and "Samordnare" not in needed
    rows = list(wb["Instruktioner"].iter_rows(values_only=True))
    assert ("Program", "Antal föräldrar som påbörjat", "Heltal, 0 eller mer", "Ja") in rows


def test_instructions_name_the_reference_period_and_print_on_one_page(own_workbooks):
    _, paths = own_workbooks
    ws = openpyxl.load_workbook(paths[0])["Instruktioner"]
    text = " ".join(str(r[0]) for r in ws.iter_rows(values_only=True) if r[0])
    assert "Alla antal avser verksamheten under 2025." in text
    assert "Lekebergs kommun" in text
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    long_lines = [c for c in ws["A"] if c.value and len(str(c.value)) > 100]
    assert long_lines and all(c.alignment.wrap_text for c in long_lines)


def test_reference_period_comes_from_the_configuration(tmp_path):
    from evaluation.tools.template import reference_period

    config = tmp_path / "config.toml"
    config.write_text('[survey]\nreference_period = "läsåret {previous}/{year}"\n',
                      encoding="utf-8")
    assert reference_period(2028, config) == "läsåret 2027/2028"
    assert reference_period(2028) == "verksamheten under 2027"
    config.write_text('[survey]\nreference_period = "år {år}"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="previous"):
        reference_period(2028, config)


def test_missing_parent_folder_is_refused_not_created(tmp_path):
    from evaluation.tools.template import write_municipality_templates

    with pytest.raises(ParameterError, match="does not exist"):
        write_template(tmp_path / "no" / "such" / "t.xlsx", 2026)
    with pytest.raises(ParameterError, match="does not exist"):
        write_municipality_templates(tmp_path / "no" / "such", 2026)
    assert not (tmp_path / "no").exists()


def test_every_municipality_workbook_filled_in_reads_back_without_loss(own_workbooks,
                                                                       tmp_path):
    import shutil

    from evaluation.intake.validation import validate_round

    previous, paths = own_workbooks
    folder = tmp_path / "2026"
    folder.mkdir()
    typed: dict[str, list[tuple]] = {}
    for number, path in enumerate(paths):
        wb = openpyxl.load_workbook(path)
        ws = wb["Program"]
        rows = []
        for row in ws.iter_rows(min_row=2):
            if row[1].value is None:
                continue
            counts = (number + 1, 10 + number, 6, 4, 8)  # what the municipality types
            for cell, value in zip(row[3:8], counts, strict=True):
                cell.value = value
            rows.append((row[1].value, row[2].value, *counts))
        typed[path.name.split("-")[0]] = rows
        wb.save(folder / path.name)
    for name in ("vardenheter.xlsx", "befolkning_scb.csv"):
        shutil.copy(Path("data/example/2026") / name, folder / name)

    result = validate_round(tmp_path, 2026)

    assert result.report.rejected == []
    assert sorted(result.tables["kommun"]["municipality"]) == sorted(
        p.name.split("-")[0] for p in paths)
    for table in ("familjecentraler",):
        back = _stripped(result.tables[table]).sort_values(["municipality", "name"])
        before = _stripped(previous.tables[table]).sort_values(["municipality", "name"])
        pd.testing.assert_frame_equal(back.reset_index(drop=True),
                                      before.reset_index(drop=True), check_dtype=False)
    kommun = _stripped(result.tables["kommun"]).set_index("municipality")
    before = _stripped(previous.tables["kommun"]).set_index("municipality")
    pd.testing.assert_frame_equal(kommun.loc[before.index], before, check_dtype=False)
    program = result.tables["program"]
    keys = ["programme", "sector"]
    before = previous.tables["program"]
    for code, rows in typed.items():
        mine = program.loc[program["municipality"] == code]
        assert len(mine) == len(rows) == (before["municipality"] == code).sum()
        assert sorted(map(tuple, mine[keys].to_numpy().tolist())) == sorted(
            map(tuple, before.loc[before["municipality"] == code, keys].to_numpy().tolist()))
        got = mine[["groups", "participants", "participants_women", "participants_men",
                    "completed"]].astype(int).to_numpy().tolist()
        assert sorted(map(tuple, got)) == sorted(r[2:] for r in rows)


def test_prefilled_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    data = small_round()
    data.tables["familjecentraler"].loc[0, "name"] = "=HYPERLINK(\"http://x\")"
    path = write_template(tmp_path / "enkat.xlsx", 2026, prefill=data)
    cell = openpyxl.load_workbook(path)["Familjecentraler"]["B2"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
