import pytest

from evaluation.intake.cells import (
    CellError,
    find_personnummer,
    is_blank,
    parse_count,
    parse_number,
    parse_yesno,
)


@pytest.mark.parametrize("value", ["Ja", "ja", " JA ", "J", "j", "X", "x", "1", 1, 1.0, True])
def test_yes_is_read_in_every_office_spelling(value):
    assert parse_yesno(value) is True


@pytest.mark.parametrize("value", ["Nej", "nej", "NEJ", "N", "n", "0", 0, 0.0, False])
def test_no_is_read_in_every_office_spelling(value):
    assert parse_yesno(value) is False


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", float("nan"), "-"])
def test_blank_is_missing_never_no(value):
    assert is_blank(value)
    assert parse_yesno(value) is None
    assert parse_count(value) is None


def test_unknown_yes_no_word_names_what_is_expected():
    with pytest.raises(CellError) as err:
        parse_yesno("kanske")
    assert err.value.message == "inte ett ja/nej-svar"
    assert "Ja eller Nej" in err.value.expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("33 137", 33137), ("33\u00a0137", 33137), ("33\u202f137", 33137), ("1 234 567", 1234567),
     ("12", 12), ("12,0", 12), (12.0, 12), ("0", 0)],
)
def test_counts_accept_space_thousands_and_decimal_comma(text, expected):
    assert parse_count(text) == expected


def test_decimal_comma_number():
    assert parse_number("2,5") == 2.5
    assert parse_number("1 234,5") == 1234.5


@pytest.mark.parametrize(
    ("text", "message"),
    [("-3", "negativt antal"), ("2,5", "inte ett heltal"), ("12.5", "inte ett heltal"),
     ("tolv", "inte ett tal"), ("12 5", "inte ett tal")],
)
def test_bad_counts_are_refused_with_reason(text, message):
    with pytest.raises(CellError) as err:
        parse_count(text)
    assert err.value.message == message
    assert err.value.expected == "ett heltal, 0 eller mer"


@pytest.mark.parametrize(
    "text",
    ["19121212-1212", "121212-1212", "191212121212", "1212121212", "Kontakt: 20000101-0008",
     "121272-1219"],  # the last: a samordningsnummer (day + 60)
)
def test_personnummer_in_any_form_is_found_and_masked(text):
    masked = find_personnummer(text)
    assert masked is not None
    assert not any(ch.isdigit() for ch in masked)


@pytest.mark.parametrize(
    "text",
    ["33 137", "019-602 10 00", "1212121213", "Familjecentralen 2024", "991332-1234", 1880,
     "2024-01-01"],
)
def test_numbers_that_are_not_personnummer_pass(text):
    assert find_personnummer(text) is None
