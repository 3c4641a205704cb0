"""Recognising and masking personal identity numbers, against numbers whose check
digits are worked out by hand below (Luhn: weights 2,1,2,1,… over YYMMDDNNNC, the
digits of each product summed; valid when the sum ends in 0)."""

from __future__ import annotations

import io
import logging
import sys
import unicodedata

import pytest

from evaluation.personal_numbers import (
    DASHES,
    MaskingFormatter,
    MaskingStream,
    contains,
    find_all,
    luhn_ok,
    mask,
    mask_data,
    masked_value,
    real_date,
)

# 19121212-1212, Skatteverket's own example ("Tolvan Tolvansson"):
#   1·2 2 1·2 2 1·2 2 1·2 2 1·2 2 = 2+2+2+2+2+2+2+2+2+2 = 20 -> valid.
TOLVAN = "19121212-1212"
# 811218-9876: 8·2=16→7, 1, 1·2=2, 2, 1·2=2, 8, 9·2=18→9, 8, 7·2=14→5, 6
#   = 7+1+2+2+2+8+9+8+5+6 = 50 -> valid.
VALID_TEN = "8112189876"
# 701063-2391, a samordningsnummer (day 63 = 3rd + 60):
#   7·2=14→5, 0, 1·2=2, 0, 6·2=12→3, 3, 2·2=4, 3, 9·2=18→9, 1 = 30 -> valid.
COORDINATION = "701063-2391"
# 19850101-1234: 8·2=16→7, 5, 0, 1, 0, 1, 1·2=2, 2, 3·2=6, 4 = 28 -> check digit wrong,
# the date real: still a personal identity number by its shape.
WRONG_CHECK = "19850101-1234"
# 070-123 45 67 written bare: 0, 7, 0, 1, 2·2=4, 3, 4·2=8, 5, 6·2=12→3, 7 = 38 -> the
# check digit fails, so this phone number passes although 070123 is a real date.
PHONE = "0701234567"


def test_luhn_check_digits_worked_out_by_hand():
    assert luhn_ok("1212121212")
    assert luhn_ok(VALID_TEN)
    assert luhn_ok("7010632391")
    assert not luhn_ok("8501011234")
    assert not luhn_ok(PHONE)


def test_real_dates_include_leap_days_and_samordningsnummer_days():
    assert real_date("000229")            # 2000 was a leap year
    assert not real_date("010229")        # 2001, 1901 and 1801 were not
    assert real_date("850191")            # day 91 = 31 + 60
    assert not real_date("850192")        # day 32
    assert not real_date("851301")        # month 13
    assert not real_date("850230")        # 30 February
    assert not real_date("000229", 19)    # 1900 was not a leap year


@pytest.mark.parametrize("text", [
    TOLVAN, "121212-1212", "191212121212", COORDINATION, "197010632391",
    WRONG_CHECK, "850101-1234", "198501011234", "850101+1234",
    "850101\u20131234",     # en dash
    "850101\u22121234",     # minus sign
    "850101\u20111234",     # non-breaking hyphen
    "850101\u20141234",     # em dash
    "850101\u00ad1234",     # soft hyphen (invisible in Excel)
    "850101 1234", "850101\u00a01234", "850101 - 1234", "19850101 \u2013 1234",
    VALID_TEN,
])
def test_numbers_of_every_form_are_recognised(text):
    assert contains(text)
    assert mask(text) == "".join("X" if ch.isdigit() else ch for ch in text)


@pytest.mark.parametrize("text", [
    "8501011234",        # ten bare digits, check digit wrong
    PHONE,               # a phone number whose check digit fails
    "202100-5448",       # an organisation number: month 21 is no date
    "851301-1234",       # month 13
    "850230-1234",       # 30 February
    "199913011234",      # twelve digits, month 13
    "218501011234",      # century 21
    "20260101",          # a date alone
    "2024–2030", "33 137", "1 795", "62643", "", "Örebro kommun",
    "1985010112345",     # thirteen digits
])
def test_other_numbers_are_not_taken_for_personal_identity_numbers(text):
    assert not contains(text)
    assert mask(text) == text


def test_every_unicode_dash_separates():
    dashes = {chr(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) == "Pd"}
    assert dashes <= set(DASHES)
    for dash in dashes:
        assert contains(f"850101{dash}1234"), hex(ord(dash))


def test_numbers_inside_free_text_are_masked_and_the_text_kept():
    text = f"Ring Anna {WRONG_CHECK} eller Bo ({VALID_TEN}) om gruppen, tel {PHONE}"
    assert mask(text) == ("Ring Anna XXXXXXXX-XXXX eller Bo (XXXXXXXXXX) om gruppen, "
                          f"tel {PHONE}")
    assert [f.masked for f in find_all(text)] == ["XXXXXXXX-XXXX", "XXXXXXXXXX"]


def test_numeric_cells_are_read_as_excel_shows_them():
    assert masked_value(198501011234) == "XXXXXXXXXXXX"
    assert masked_value(8112189876.0) == "XXXXXXXXXX"
    assert masked_value(8501011234) is None
    assert masked_value(True) is None
    assert masked_value(None) is None


def test_structures_are_masked_in_keys_and_values():
    data = {"inputs": [{"file": f"program_{WRONG_CHECK}.csv", "bytes": 12}],
            f"note {VALID_TEN}": None}
    assert mask_data(data) == {"inputs": [{"file": "program_XXXXXXXX-XXXX.csv",
                                           "bytes": 12}], "note XXXXXXXXXX": None}


def test_log_lines_and_tracebacks_are_masked():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logger = logging.getLogger("test_personal_numbers")
    logger.addHandler(handler)
    try:
        logger.warning("file %s", f"kommun_{WRONG_CHECK}.xlsx")
        try:
            raise ValueError(f"bad cell {VALID_TEN}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "kommun_XXXXXXXX-XXXX.xlsx" in text
    assert "bad cell XXXXXXXXXX" in text
    assert "1234" not in text and VALID_TEN not in text


def test_terminal_stream_masks_each_write():
    target = io.StringIO()
    stream = MaskingStream(target)
    print(f"Published from folder {TOLVAN}", file=stream)
    assert target.getvalue() == "Published from folder XXXXXXXX-XXXX\n"
