"""Checks of the command line's arguments, made before any work starts or any lock
or log is taken (DESIGN §7): a wrong year, county, municipality or folder is a
usage error said at once, not after validating a whole round.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from evaluation.errors import InputError, ParameterError
from evaluation.intake.reference import Reference, load_reference
from evaluation.vocab import ROUNDS


def round_year(text: str) -> int:
    """An argparse type: a follow-up round's year, or a usage error listing the rounds."""
    rounds = ", ".join(map(str, ROUNDS))
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}; rounds are {rounds}") from None
    if year not in ROUNDS:
        raise argparse.ArgumentTypeError(f"{year} is not a follow-up round; rounds are {rounds}")
    return year


def positive(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def check_region(region: str, reference: Reference | None = None) -> None:
    """An unknown county is a usage error (the closest county is named)."""
    from evaluation.vocab import is_national

    if not is_national(region):
        (reference or load_reference()).county(region)


def resolve_municipalities(values: Sequence[str] | None, region: str,
                           reference: Reference | None = None) -> list[str] | None:
    """Municipality codes for values written as code or name ("1880", "Örebro",
    "Orebro", "Örebro kommun"); each must lie in the county (anywhere in Sweden for
    a national round). None stays None: every municipality."""
    from evaluation.vocab import is_national

    if not values:
        return None
    reference = reference or load_reference()
    national = is_national(region)
    county = None if national else reference.county(region)
    codes: list[str] = []
    for value in values:
        match = reference.resolve_municipality(value, None if national else str(county["code"]))
        where = "Sweden" if county is None else str(county["name"])
        if match.code is None or (county is not None and match.county_code != county["code"]):
            if match.code is not None:
                raise ParameterError(f"--municipality {value!r}: {match.name} is not in {where}")
            hint = f"; did you mean {match.closest!r}?" if match.closest else ""
            raise ParameterError(f"--municipality {value!r}: no municipality of {where} by "
                                 f"that code or name{hint}")
        if match.code not in codes:
            codes.append(match.code)
    return codes


def check_round_folder(data: Path, year: int) -> None:
    """The round's data folder must exist before a run takes its lock."""
    if not data.is_dir():
        raise InputError(f"data folder {str(data)!r} does not exist")
    if not (data / str(year)).is_dir():
        raise InputError(f"no data for round {year}: folder {str(data / str(year))!r} does "
                         "not exist")


def check_parent(path: Path, option: str) -> None:
    """A folder the command creates must have an existing parent: a typing error in
    the path is said, not silently created."""
    if path.exists() and not path.is_dir():
        raise ParameterError(f"{option} {str(path)!r} is a file, not a folder")
    parent = path.parent if not path.exists() else path
    if not parent.is_dir():
        raise ParameterError(f"{option} {str(path)!r}: folder {str(path.parent)!r} does not "
                             "exist; create it first")


def previous_round(year: int) -> int:
    """The round a template is prefilled from."""
    earlier = [y for y in ROUNDS if y < year]
    if not earlier:
        raise ParameterError(f"--prefill: {year} is the first round; there is no earlier "
                             "round to fill in")
    return earlier[-1]


__all__ = ["check_parent", "check_region", "check_round_folder", "positive",
           "previous_round", "resolve_municipalities", "round_year"]
