"""The country's totals in a national round, linked to the counties' tables.

Each country figure (1.4–1.6, participants per programme and per evidence
class) is the sum of the counties' figures. Where every county's part is
published the country's figure says nothing new; where exactly one part is
withheld the country's figure would give it away, so it is withheld too; where
several are, the counties are audited together through it and it is withheld
if that audit fails. Counties that answered only in earlier rounds have no
published part: their remainder is a count like any other and is protected.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from evaluation.analysis.audit import PRIMARY, SECONDARY, Form, Linked, Witnesses, audit
from evaluation.analysis.disclosure import ProtectedRound, require_passed
from evaluation.analysis.published import (
    COSTS,
    PublishedRound,
    class_key,
    indicator_key,
    uptake_key,
    withhold_indicators,
    withhold_participants,
)
from evaluation.analysis.uptake import Uptake
from evaluation.errors import ConsistencyError
from evaluation.indicators.registry import parent_based
from evaluation.settings import Settings

COUNTRY_CODE = "00"


def _total(linked: Linked, key: tuple, parts: list[Form], value: object, label: str
           ) -> Form | None:
    """The country's form: the counties' parts, and the rest of the country as one
    more count where the parts do not add up to the country's value."""
    if pd.isna(value):
        return None
    value = int(value)
    terms: dict[int, float] = {}
    for f in parts:
        for v, c in f.terms:
            terms[v] = terms.get(v, 0.0) + c
    rest = value - sum(f.value for f in parts)
    keys = tuple(f.key for f in parts)
    if rest < 0:
        raise ConsistencyError(f"rikets summa {key} är mindre än länens delar")
    if rest:
        index = linked.var(rest)
        terms[index] = 1.0
        linked.implied.append((Form((*key, "rest"), ((index, 1.0),), rest),
                               f"resten av landet i {label}"))
        keys = ()
    if not terms:
        return None
    return Form(key, tuple(terms.items()), value, keys)


def _county_forms(linked: Linked, key: tuple) -> list[Form]:
    unit = linked.units.get(key)
    return unit.forms if unit else []


def protect_country(country_rows: pd.DataFrame, raw: Uptake, counties: Mapping[str, object],
                    links: Mapping[str, Mapping[int, tuple]], settings: Settings
                    ) -> ProtectedRound:
    """Protect and audit the country's figures of every round; raises
    `DisclosureError` when the audit fails."""
    threshold = settings.suppression_threshold
    withheld: dict[tuple, str] = {}
    summary_rounds: dict[str, dict[str, int]] = {}
    for year in sorted(set(country_rows["round"])):
        year = int(year)
        present = [code for code in sorted(links) if year in links[code]]
        linked = Linked.combine([links[code][year][0].linked for code in present])
        fixed: dict[tuple, str] = {}
        for code in present:
            fixed.update(links[code][year][1].withheld)
        own: list[tuple] = []
        rows = country_rows.loc[country_rows["round"] == year].set_index("indicator")
        for ind in parent_based():
            indicator = ind.id
            if indicator not in rows.index:
                continue
            row = rows.loc[indicator]
            key = indicator_key(COUNTRY_CODE, year, COUNTRY_CODE, indicator)
            forms = []
            for j, column in enumerate(("numerator", "denominator")):
                if column == "denominator" and not ind.programme_counts.denominator:
                    continue  # children, not parents
                parts = [f for code in present for f in _county_forms(
                    linked, indicator_key(code, year, code, indicator))[j:j + 1]]
                made = _total(linked, (*key, column), parts, row[column],
                              f"{indicator} {year}")
                if made is not None:
                    forms.append(made)
            if forms:
                linked.add(key, forms, COSTS["country"], f"{indicator} för riket {year}")
                own.append(key)
        tables = ((raw.programmes, "programme", uptake_key, "deltagare i programmet"),
                  (raw.by_evidence_class, "evidence_class", class_key,
                   "deltagare i evidensklassen"))
        for frame, column, make_key, what in tables:
            for r in frame.loc[frame["round"] == year].to_dict("records"):
                parts = [f for code in present
                         for f in _county_forms(linked, make_key(code, year, r[column]))]
                key = make_key(COUNTRY_CODE, year, r[column])
                made = _total(linked, key, parts, r["participants"], f"{r[column]} {year}")
                if made is not None:
                    linked.add(key, [made], COSTS["country"], f"{what} {r[column]}, riket "
                               f"{year}")
                    own.append(key)
        hidden_forms = {f.key for k in fixed for f in linked.units[k].forms}
        mine: dict[tuple, str] = {}
        tentative = []
        for key in own if threshold > 0 else []:
            unit = linked.units[key]
            if any(1 <= f.value < threshold for f in unit.forms):
                mine[key] = PRIMARY
                continue
            if any(not f.parts for f in unit.forms):  # the rest of the country is in it
                tentative.append(key)
                continue
            hidden = {p for f in unit.forms for p in f.parts if p in hidden_forms}
            if len({p[:-1] if p[0] == "ind" else p for p in hidden}) == 1:
                mine[key] = SECONDARY  # the total minus the published parts would tell
            elif hidden:
                tentative.append(key)
        primary = sum(v == PRIMARY for v in mine.values())
        if threshold > 0 and tentative:
            # Tables found by one audit prove counts protected in the next (more is
            # withheld each time, so they still agree with what is published).
            witnesses = Witnesses(linked)
            for _ in range(len(tentative) + 1):
                result = audit(linked, set(fixed) | set(mine), threshold,
                               touching=set(tentative) - set(mine), witnesses=witnesses)
                if result.passed:
                    break
                bad = {v for r in result.failures for f, _ in linked.sensitive(threshold)
                       if f.key == r.key for v, _ in f.terms}
                linked_to_bad = [k for k in tentative if k not in mine and any(
                    v in bad for f in linked.units[k].forms for v, _ in f.terms)]
                for k in linked_to_bad or [k for k in tentative if k not in mine]:
                    mine[k] = SECONDARY
            require_passed(audit(linked, set(fixed) | set(mine), threshold,
                                 touching=set(own), witnesses=witnesses))
        withheld.update(mine)
        summary_rounds[str(year)] = {"primary": primary,
                                     "secondary": sum(v == SECONDARY for v in mine.values())}
    rounds = {}
    for year in sorted(set(country_rows["round"])):
        parts = [c.rounds[year] for c in counties.values() if year in c.rounds]
        tables = {name: pd.concat([p.tables[name] for p in parts], ignore_index=True)
                  for name in (parts[0].tables if parts else {})}
        rounds[int(year)] = PublishedRound(int(year), COUNTRY_CODE,
                                           [c for p in parts for c in p.answered], tables)
    from dataclasses import replace

    uptake = replace(
        raw,
        programmes=withhold_participants(raw.programmes, withheld, COUNTRY_CODE, "uptake",
                                         "programme"),
        by_evidence_class=withhold_participants(raw.by_evidence_class, withheld,
                                                COUNTRY_CODE, "class", "evidence_class"),
    )
    return ProtectedRound(
        indicators=withhold_indicators(country_rows, withheld, COUNTRY_CODE),
        uptake=uptake, rounds=rounds,
        summary={"threshold": threshold, "rounds": summary_rounds})
