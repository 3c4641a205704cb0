"""How statuses and evidence classes look wherever they are shown: colour, marker,
text symbol, label and stylesheet class, so that a chart, a table badge and a site
page never draw one status two ways (and never by colour alone)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evaluation.indicators.context import NOT_CLASSIFIED
from evaluation.vocab import ACHIEVED, BASELINE, NO_SURE_CHANGE, NOT_ON_TRACK, ON_TRACK

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with any common
#: colour-vision deficiency.
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}


@dataclass(frozen=True)
class StatusStyle:
    """How one status is drawn: colour, marker shape and a text symbol, never colour alone;
    `css` is its class in the shared stylesheet (templates/style.css.j2)."""

    colour: str
    marker: str
    symbol: str
    label: str
    css: str = "none"


STATUS_STYLE: dict[str, StatusStyle] = {
    ACHIEVED: StatusStyle(PALETTE["bluish_green"], "o", "✔", "Uppnått", "uppnatt"),
    ON_TRACK: StatusStyle(PALETTE["blue"], "^", "↗", "På väg", "pa-vag"),
    NOT_ON_TRACK: StatusStyle(PALETTE["vermillion"], "v", "✘", "Ej på väg", "ej-pa-vag"),
    NO_SURE_CHANGE: StatusStyle(PALETTE["reddish_purple"], "P", "≈", "Ingen säker förändring",
                                "ingen-saker"),
    BASELINE: StatusStyle(PALETTE["grey"], "s", "■", "Baslinje", "baslinje"),
    "": StatusStyle(PALETTE["grey"], "D", "–", "Ingen bedömning"),
}

#: Evidence classes in the order of the scale, with a colour and a hatch each.
EVIDENCE_CLASS_STYLE: dict[str, tuple[str, str]] = {
    "A": (PALETTE["blue"], ""),
    "B": (PALETTE["sky_blue"], "//"),
    "C": (PALETTE["orange"], ".."),
    "D": (PALETTE["vermillion"], "xx"),
    NOT_CLASSIFIED: (PALETTE["grey"], "\\\\"),
}


def status_style(status: object) -> StatusStyle:
    """The style of a status; an empty or unknown status is "Ingen bedömning"."""
    if status is None or (not isinstance(status, str) and pd.isna(status)):
        return STATUS_STYLE[""]
    return STATUS_STYLE.get(str(status).strip().lower(), STATUS_STYLE[""])
