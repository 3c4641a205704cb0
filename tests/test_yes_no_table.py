"""The municipality × indicator table: symbol and text per cell, never colour alone."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from evaluation.report.yes_no_table import (
    CELL_MISSING,
    CELL_WITHHELD,
    NO,
    YES,
    yes_no_ids,
    yes_no_table,
)

NAMES = pd.DataFrame({"code": ["1880", "1814", "1860"],
                      "short_name": ["Örebro", "Lekeberg", "Laxå"]})


def _row(code, ind, value, suppressed=False):
    return {"round": 2026, "level": "municipality", "area_code": code, "indicator": ind,
            "value": value, "suppressed": suppressed}


def test_goal_area_three_has_its_four_yes_no_indicators():
    assert yes_no_ids("3") == ["3.1", "3.2", "3.3", "3.4"]
    assert "1.4" not in yes_no_ids("1")


def test_cells_say_yes_no_missing_and_withheld_and_rows_follow_swedish_order():
    table = pd.DataFrame([_row("1880", "2.1", 1.0), _row("1814", "2.1", 0.0),
                          _row("1860", "2.1", None, suppressed=True),
                          _row("1880", "2.5", 1.0), _row("1814", "2.5", None)])
    html = yes_no_table(table, NAMES, 2026, ["2.1", "2.5"], "Svar 2026")
    soup = BeautifulSoup(html, "html.parser")
    rows = [tr for tr in soup.find_all("tr") if tr.find("th", scope="row")]
    assert [tr.th.get_text() for tr in rows] == ["Laxå", "Lekeberg", "Örebro", "Antal med ja"]
    cells = {tr.th.get_text(): [td.decode_contents() for td in tr.find_all("td")]
             for tr in rows}
    assert cells["Laxå"] == [CELL_WITHHELD, CELL_MISSING]
    assert cells["Lekeberg"] == [NO, CELL_MISSING]
    assert cells["Örebro"] == [YES, YES]
    assert cells["Antal med ja"] == ["1 av 2", "1 av 1"]
    assert "✔</span> Ja" in YES and "✘</span> Nej" in NO  # symbol and word
    assert [th.get_text() for th in soup.find_all("th", scope="col")][1:] == [
        "2.1 Kommuner med minst en familjecentral", "2.5 Kommuner med program för alla åldrar"]
