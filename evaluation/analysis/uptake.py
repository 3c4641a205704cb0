"""Evidence-method uptake: which programmes reach which municipalities, round by round.

A programme is offered when a row has participants > 0 or groups > 0, as for the
indicators. Adopters, leavers and newcomers to evidence-based work are judged
only between municipalities that answered both rounds: a municipality that
did not answer has not left anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from evaluation.indicators.compute import NOT_CLASSIFIED, RoundContext, build_context
from evaluation.intake.model import RoundData
from evaluation.intake.reference import Reference
from evaluation.intake.schema import SECTORS
from evaluation.settings import EVIDENCE_CLASSES, Settings

PROGRAMME_COLUMNS: list[str] = [
    "round", "programme", "name", "in_catalogue", "evidence_class", "evidence_based",
    "municipalities", "municipality_codes", "participants", "sectors", "adopters", "leavers",
]
CLASS_COLUMNS: list[str] = [
    "round", "evidence_class", "evidence_based", "programmes", "municipalities",
    "participants",
]
NEWCOMER_COLUMNS: list[str] = [
    "round", "previous_round", "municipality", "area_name", "programmes",
]
_SECTOR_ORDER = {s.id: i for i, s in enumerate(SECTORS)}


@dataclass
class Uptake:
    """Uptake tables over the rounds; `matrix` is the latest round's."""

    #: One row per programme offered in a round.
    programmes: pd.DataFrame
    #: Municipalities with no evidence-based programme the round before and one now.
    new_evidence_based: pd.DataFrame
    #: Programmes, municipalities and participants by evidence class per round.
    by_evidence_class: pd.DataFrame
    #: Municipality (rows, every municipality of the county) × programme: offered;
    #: empty for a municipality that did not answer.
    matrix: pd.DataFrame


def _participants(values: pd.Series) -> object:
    total = values.sum(min_count=1)
    return pd.NA if pd.isna(total) else int(total)


def _programmes(ctx: RoundContext) -> pd.DataFrame:
    rows = ctx.program.loc[ctx.program["offered"]]
    records = []
    for programme, group in rows.groupby("programme", sort=True):
        in_catalogue = bool(group["in_catalogue"].iloc[0])
        # An unclassified programme is kept under the name as written.
        name = ctx.catalogue.loc[programme, "name"] if in_catalogue else programme
        codes = tuple(sorted(group["municipality"].unique()))
        sectors = tuple(sorted(group["sector"].unique(), key=lambda s: _SECTOR_ORDER.get(s, 99)))
        records.append({
            "round": ctx.year, "programme": programme, "name": str(name),
            "in_catalogue": in_catalogue,
            "evidence_class": str(group["evidence_class"].iloc[0]),
            "evidence_based": bool(group["evidence_based"].iloc[0]),
            "municipalities": len(codes), "municipality_codes": codes,
            "participants": _participants(group["participants"]), "sectors": sectors,
            "adopters": None, "leavers": None,
        })
    return pd.DataFrame(records, columns=PROGRAMME_COLUMNS)


def _by_class(ctx: RoundContext) -> pd.DataFrame:
    rows = ctx.program.loc[ctx.program["offered"]]
    records = []
    for cls in (*EVIDENCE_CLASSES, NOT_CLASSIFIED):
        group = rows.loc[rows["evidence_class"] == cls]
        records.append({
            "round": ctx.year, "evidence_class": cls,
            "evidence_based": cls in ctx.settings.evidence_based_classes,
            "programmes": group["programme"].nunique(),
            "municipalities": group["municipality"].nunique(),
            "participants": _participants(group["participants"]) if len(group) else 0,
        })
    return pd.DataFrame(records, columns=CLASS_COLUMNS)


def _offerings(ctx: RoundContext) -> dict[str, set[str]]:
    """Municipality code -> programmes offered, for every answering municipality."""
    rows = ctx.program.loc[ctx.program["offered"]]
    out: dict[str, set[str]] = {code: set() for code in ctx.answered}
    for code, programme in zip(rows["municipality"], rows["programme"], strict=True):
        out[code].add(programme)
    return out


def _evidence_based(ctx: RoundContext) -> dict[str, set[str]]:
    rows = ctx.program.loc[ctx.program["offered"] & ctx.program["evidence_based"]]
    out: dict[str, set[str]] = {code: set() for code in ctx.answered}
    for code, programme in zip(rows["municipality"], rows["programme"], strict=True):
        out[code].add(programme)
    return out


def _matrix(ctx: RoundContext, programmes: list[str]) -> pd.DataFrame:
    offered = _offerings(ctx)
    data = {
        programme: pd.array(
            [programme in offered[code] if code in offered else pd.NA
             for code in ctx.municipalities],
            dtype="boolean",
        )
        for programme in programmes
    }
    frame = pd.DataFrame(data, index=pd.Index(list(ctx.municipalities), name="municipality"))
    frame.columns.name = "programme"
    return frame


def uptake(rounds: Sequence[RoundData], reference: Reference, settings: Settings) -> Uptake:
    """Uptake over the rounds given (oldest first after sorting by year)."""
    contexts = [build_context(r, reference, settings)
                for r in sorted(rounds, key=lambda r: r.year)]
    programme_frames, class_frames, newcomers = [], [], []
    previous: RoundContext | None = None
    for ctx in contexts:
        frame = _programmes(ctx)
        if previous is not None:
            before, now = _offerings(previous), _offerings(ctx)
            both = sorted(set(before) & set(now))
            frame["adopters"] = [tuple(c for c in both if p in now[c] and p not in before[c])
                                 for p in frame["programme"]]
            frame["leavers"] = [tuple(c for c in both if p in before[c] and p not in now[c])
                                for p in frame["programme"]]
            gone = sorted(set().union(*before.values()) - set(frame["programme"]))
            if gone:
                frame = pd.concat([frame, _left_entirely(previous, ctx, gone, before, now,
                                                         both)], ignore_index=True)
            eb_before, eb_now = _evidence_based(previous), _evidence_based(ctx)
            for code in both:
                if not eb_before[code] and eb_now[code]:
                    newcomers.append({
                        "round": ctx.year, "previous_round": previous.year,
                        "municipality": code, "area_name": ctx.municipalities[code],
                        "programmes": tuple(sorted(eb_now[code])),
                    })
        programme_frames.append(frame)
        class_frames.append(_by_class(ctx))
        previous = ctx

    programmes = _concat(programme_frames, PROGRAMME_COLUMNS)
    programmes["participants"] = programmes["participants"].astype("Int64")
    programmes["municipalities"] = programmes["municipalities"].astype("int64")
    by_class = _concat(class_frames, CLASS_COLUMNS)
    by_class["participants"] = by_class["participants"].astype("Int64")
    latest = contexts[-1] if contexts else None
    matrix = (_matrix(latest, sorted(_programmes(latest)["programme"])) if latest
              else pd.DataFrame())
    return Uptake(
        programmes=programmes,
        new_evidence_based=pd.DataFrame(newcomers, columns=NEWCOMER_COLUMNS),
        by_evidence_class=by_class,
        matrix=matrix,
    )


def _left_entirely(previous: RoundContext, ctx: RoundContext, gone: list[str],
                   before: dict[str, set[str]], now: dict[str, set[str]],
                   both: list[str]) -> pd.DataFrame:
    """Rows for programmes no answering municipality offers any more: their leavers."""
    old = _programmes(previous).set_index("programme")
    records = []
    for programme in gone:
        row = old.loc[programme]
        leavers = tuple(c for c in both if programme in before[c] and programme not in now[c])
        if not leavers:
            continue
        records.append({
            "round": ctx.year, "programme": programme, "name": row["name"],
            "in_catalogue": row["in_catalogue"], "evidence_class": row["evidence_class"],
            "evidence_based": row["evidence_based"], "municipalities": 0,
            "municipality_codes": (), "participants": 0, "sectors": (),
            "adopters": (), "leavers": leavers,
        })
    return pd.DataFrame(records, columns=PROGRAMME_COLUMNS)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)
