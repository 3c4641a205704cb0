"""The headline in words at the top of each page: what happened, said in a minute.

A board member should learn from a few Swedish sentences how many targets are
met, on track, not on track or without a sure change, and which changes since
the previous round are the largest. One function per page kind writes them
(`regional_sentences`, `national_sentences`, `round_sentences`,
`profile_sentences`, `goal_area_sentences`); each reads only the tidy indicator and change tables
and the statuses as strings, so the sentences follow whatever the tables say.

Klarspråk: short sentences; numbers up to twelve in words; no sentence starts
with a digit (`sentence` rewrites one that would).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from evaluation.indicators.registry import REGISTRY, Indicator
from evaluation.report import formatting as fmt
from evaluation.vocab import ACHIEVED, BASELINE, NO_SURE_CHANGE, NOT_ON_TRACK, ON_TRACK

_WORDS = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
          "elva", "tolv")
_NEUTER = {1: "ett"}

def number_word(n: int, neuter: bool = False) -> str:
    """Whole numbers up to twelve in words ("sju"), larger ones as figures ("1 234")."""
    n = int(n)
    if neuter and n in _NEUTER:
        return _NEUTER[n]
    return _WORDS[n] if 0 <= n < len(_WORDS) else fmt.number(n)


def in_words(n: int) -> bool:
    """Whether `number_word` writes `n` in words (so a sentence may open with it)."""
    return 0 <= int(n) < len(_WORDS)


def sentence(text: str) -> str:
    """A sentence with a capital first letter; one that would start with a figure
    gets "Totalt" in front, so that no sentence starts with a digit."""
    text = text.strip()
    if not text:
        return text
    if text[0].isdigit() or text[0] in (fmt.MINUS, "+", "±"):
        text = "Totalt " + text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def answered_sentence(answered: int, total: int, year: int, where: str = "") -> str:
    """"Elva av tolv kommuner besvarade enkäten 2026." ("Alla tolv …" when all did);
    with figures the sentence opens with a word: "Av 290 kommuner i landet besvarade
    278 enkäten 2026."."""
    if answered == total:
        return sentence(f"Alla {number_word(total)} kommuner{where} besvarade enkäten {year}")
    if in_words(answered):
        return sentence(f"{number_word(answered)} av {number_word(total)} kommuner{where} "
                        f"besvarade enkäten {year}")
    return sentence(f"Av {number_word(total)} kommuner{where} besvarade "
                    f"{number_word(answered)} enkäten {year}")


def and_list(items: Sequence[str]) -> str:
    """"a", "a och b", "a, b och c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


# ------------------------------------------------------------------ statuses


def _status(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _with_target(ind: Indicator) -> bool:
    return ind.target != "monitored"


def status_counts(indicators: pd.DataFrame, year: int, area_code: str,
                  ids: Iterable[str] | None = None) -> dict[str, int]:
    """How many indicators with a target have each status in one area and round
    ("" for none: withheld or missing), among `ids` (every indicator by default)."""
    ids = set(ids) if ids is not None else set(REGISTRY)
    rows = indicators.loc[(indicators["round"] == year) & (indicators["area_code"] == area_code)]
    counts: dict[str, int] = {}
    for row in rows.to_dict("records"):
        ind = REGISTRY.get(str(row["indicator"]))
        if ind is None or ind.id not in ids or not _with_target(ind):
            continue
        key = _status(row.get("status"))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _count_phrase(n: int, singular: str, plural: str) -> str:
    return f"{number_word(n)} {singular if n == 1 else plural}"


def status_sentences(counts: Mapping[str, int]) -> list[str]:
    """"Av elva indikatorer med mål är tre uppnådda, två på väg, fem inte på väg och
    en utan säker förändring." plus baseline and missing statuses, if any."""
    total = sum(counts.values())
    if total == 0:
        return []
    parts = []
    if n := counts.get(ACHIEVED, 0):
        parts.append(_count_phrase(n, "uppnådd", "uppnådda"))
    if n := counts.get(ON_TRACK, 0):
        parts.append(f"{number_word(n)} på väg")
    if n := counts.get(NOT_ON_TRACK, 0):
        parts.append(f"{number_word(n)} inte på väg")
    if n := counts.get(NO_SURE_CHANGE, 0):
        parts.append(f"{number_word(n)} utan säker förändring")
    known = (ACHIEVED, ON_TRACK, NOT_ON_TRACK, NO_SURE_CHANGE, BASELINE, "")
    other = sum(n for s, n in counts.items() if s not in known)
    if other:
        parts.append(f"{number_word(other)} med annan status")
    noun = "indikator" if total == 1 else "indikatorer"
    out = []
    if parts and total == 1:
        out.append(sentence(f"Den enda indikatorn med mål är {parts[0].split(' ', 1)[1]}"))
    elif parts:
        out.append(sentence(f"Av {number_word(total)} {noun} med mål är {and_list(parts)}"))
    if n := counts.get(BASELINE, 0):
        if parts and not in_words(n):  # "För 14 indikatorer", never "14 indikatorer" first
            out.append(sentence(f"För {_count_phrase(n, 'indikator', 'indikatorer')} finns "
                                "bara en mätning än, så riktningen går inte att bedöma"))
        elif parts:
            out.append(sentence(f"{_count_phrase(n, 'indikator', 'indikatorer')} har bara en "
                                "mätning än, så riktningen går inte att bedöma"))
        else:
            out.append(sentence(f"Av {number_word(total)} {noun} med mål har "
                                f"{number_word(n)} bara en mätning än, så riktningen går "
                                "inte att bedöma"))
    if n := counts.get("", 0):
        out.append(sentence(f"För {_count_phrase(n, 'indikator', 'indikatorer')} finns ingen "
                            "status, eftersom värdet saknas eller är skyddat"))
    return out


# ------------------------------------------------------------------ changes


@dataclass(frozen=True)
class Change:
    """One change since the previous round, with a size to rank it by."""

    indicator: str
    size: float
    text: str


def _float(value: object) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _rows(frame: pd.DataFrame, year: int, area_code: str) -> dict[str, dict]:
    part = frame.loc[(frame["round"] == year) & (frame["area_code"] == area_code)]
    return {str(r["indicator"]): r for r in part.to_dict("records")}


def _more_fewer(diff: int, previous_year: int) -> str:
    if diff > 0:
        return f"{number_word(diff)} fler än {previous_year}"
    if diff < 0:
        return f"{number_word(-diff)} färre än {previous_year}"
    return f"lika många som {previous_year}"


def _census_sentence(ind: Indicator, now: Mapping, before: Mapping, previous_year: int) -> str:
    num, den = int(now["numerator"]), int(now["denominator"])
    diff = num - int(before["numerator"])
    has = ind.has
    tail = _more_fewer(diff, previous_year)
    share = f"{number_word(num)} av {number_word(den)}"
    if ind.did:
        if num != den and not in_words(num):  # a figure would open the sentence
            verb, _, rest = ind.did.partition(" ")
            return sentence(f"Den här omgången {verb} {share} kommuner {rest}, {tail}")
        subject = "Alla" if num == den else f"{number_word(num)} av"
        return sentence(f"{subject} {number_word(den)} kommuner {ind.did}, {tail}")
    if not has:
        return sentence(f"{ind.title}: {share}, {tail}")
    if num == den:
        return sentence(f"Alla {number_word(den)} kommuner har nu {has}, {tail}")
    if not in_words(num):
        return sentence(f"Nu har {share} kommuner {has}, {tail}")
    return sentence(f"{share} kommuner har nu {has}, {tail}")


def _definite(title: str) -> str:
    return "Andelen " + title[len("Andel "):] if title.startswith("Andel ") else title


def _sure(change: Mapping) -> bool:
    """False when the change's interval includes no change (no sure change)."""
    low, high = _float(change.get("change_low")), _float(change.get("change_high"))
    if low is None or high is None:
        return True
    null = 1.0 if change.get("change_method") == "rate_ratio" else 0.0
    return not (low <= null <= high)


def largest_changes(indicators: pd.DataFrame, changes: pd.DataFrame, year: int,
                    previous_year: int | None, area_code: str,
                    ids: Iterable[str] | None = None, limit: int = 3) -> list[Change]:
    """The `limit` largest changes since the previous round in one area, largest first.

    A change is ranked by its size on the share scale (change in percentage points
    for shares and yes/no counts of municipalities, relative change for rates and
    means). Changes whose interval includes no change are left out: they are not
    sure. Withheld or missing values give no change.
    """
    if previous_year is None:
        return []
    ids = set(ids) if ids is not None else set(REGISTRY)
    now_rows = _rows(indicators, year, area_code)
    before_rows = _rows(indicators, previous_year, area_code)
    change_rows = _rows(changes, year, area_code) if len(changes) else {}
    found: list[Change] = []
    for ind_id in [i for i in REGISTRY if i in ids]:
        ind = REGISTRY[ind_id]
        now, before = now_rows.get(ind_id), before_rows.get(ind_id)
        if now is None or before is None or bool(now.get("suppressed")) \
                or bool(before.get("suppressed")):
            continue
        v1, v0 = _float(now.get("value")), _float(before.get("value"))
        if v1 is None or v0 is None:
            continue
        change = change_rows.get(ind_id, {})
        if change and not _sure(change):
            continue
        if ind.census and now.get("level") != "municipality":
            if _float(now.get("numerator")) is None or _float(before.get("numerator")) is None:
                continue
            diff = int(now["numerator"]) - int(before["numerator"])
            if diff == 0:
                continue
            found.append(Change(ind_id, abs(v1 - v0),
                                _census_sentence(ind, now, before, previous_year)))
        elif ind.unit == "andel" or (ind.unit == "andel_kommuner"
                                     and now.get("level") != "municipality"):
            if abs(v1 - v0) < 0.005:
                continue
            verb = "ökade" if v1 > v0 else "minskade"
            found.append(Change(ind_id, abs(v1 - v0), sentence(
                f"{_definite(ind.title)} {verb} från {fmt.value_text(before)} till "
                f"{fmt.value_text(now)}")))
        elif ind.unit in ("per_1000", "antal") and v0 > 0:
            relative = abs(v1 - v0) / v0
            if fmt.value_text(before) == fmt.value_text(now):
                continue
            verb = "ökade" if v1 > v0 else "minskade"
            found.append(Change(ind_id, relative, sentence(
                f"{ind.title} {verb} från {fmt.value_text(before)} till "
                f"{fmt.value_text(now)}")))
    found.sort(key=lambda c: -c.size)
    return found[:limit]


# ------------------------------------------------------------------ page kinds


def _names(municipalities: pd.DataFrame) -> dict[str, str]:
    return municipalities.set_index("code")["short_name"].astype(str).to_dict()


def regional_sentences(result: object) -> list[str]:
    """The regional report's headline: the county's statuses, the three largest
    changes since the previous round and who answered."""
    r = result
    out = status_sentences(status_counts(r.indicators, r.year, r.region))
    changes = largest_changes(r.indicators, r.changes, r.year, r.previous_year, r.region)
    if changes:
        out += [c.text for c in changes]
    elif r.previous_year is None:
        out.append(sentence(f"Omgången {r.year} är den första, så det finns ingen förändring "
                            "att beskriva än"))
    return out


def national_sentences(result: object) -> list[str]:
    """The national overview's headline: the country's statuses and its three largest
    changes (as a regional report's), then how many counties sent data."""
    return [*regional_sentences(result.country), counties_sentence(result.county_table)]


def counties_sentence(county_table: pd.DataFrame) -> str:
    """"Uppgifter kom från 19 av 21 län." (a county reports when any data came in)."""
    reported = int(county_table["reported"].sum())
    return sentence(f"Uppgifter kom från {number_word(reported, True)} av "
                    f"{number_word(len(county_table), True)} län")


def round_sentences(result: object) -> list[str]:
    """The round page's headline: the county's statuses and the two largest changes."""
    r = result
    out = status_sentences(status_counts(r.indicators, r.year, r.region))
    out += [c.text for c in largest_changes(r.indicators, r.changes, r.year,
                                            r.previous_year, r.region, limit=2)]
    return out


def _yes(row: Mapping | None) -> bool | None:
    if row is None or bool(row.get("suppressed")):
        return None
    value = _float(row.get("value"))
    return None if value is None else value >= 0.5


def profile_sentences(result: object, code: str) -> list[str]:
    """A profile's headline: the municipality's statuses, what it gained and lost
    among the yes/no indicators since the previous round, and withheld values."""
    r = result
    name = _names(r.municipalities).get(code, code)
    counts = status_counts(r.indicators, r.year, code)
    out = status_sentences(counts)
    prev = r.previous_year
    if prev is not None:
        now_rows, before_rows = _rows(r.indicators, r.year, code), _rows(r.indicators, prev, code)
        gained, lost, compared = [], [], 0
        for ind_id, phrase in ((i.id, i.has) for i in REGISTRY.values() if i.has):
            a, b = _yes(before_rows.get(ind_id)), _yes(now_rows.get(ind_id))
            compared += a is not None and b is not None
            if a is False and b is True:
                gained.append(phrase)
            elif a is True and b is False:
                lost.append(phrase)
        if gained:
            out.append(sentence(f"Sedan {prev} har {name} fått {and_list(gained)}"))
        if lost:
            out.append(sentence(f"Sedan {prev} har {name} inte längre {and_list(lost)}"))
        if compared and not gained and not lost:
            out.append(sentence(f"Inget av ja/nej-svaren har ändrats sedan {prev}"))
    now = r.indicators.loc[(r.indicators["round"] == r.year)
                           & (r.indicators["area_code"] == code)]
    withheld = int(now["suppressed"].fillna(False).astype(bool).sum())
    if withheld:
        shown = _count_phrase(withheld, "värde", "värden")
        lead = f"{shown} visas inte" if in_words(withheld) else f"Här visas inte {shown}"
        out.append(sentence(f"{lead}, eftersom de bygger på för få föräldrar (röjandeskydd)"))
    return out


def goal_area_sentences(result: object, area: str) -> list[str]:
    """A goal area's opening summary: its statuses and its largest change."""
    r = result
    ids = [i for i, ind in REGISTRY.items() if ind.goal_area == area]
    out = status_sentences(status_counts(r.indicators, r.year, r.region, ids))
    out += [c.text for c in largest_changes(r.indicators, r.changes, r.year,
                                            r.previous_year, r.region, ids, limit=1)]
    return out


def as_html(sentences: Sequence[str], heading: str = "I korthet", level: int = 2) -> str:
    """The sentences as a short list under a heading (escaped)."""
    if not sentences:
        return ""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    head = f'<h{level} id="i-korthet">{escape(heading)}</h{level}>' if heading else ""
    return f'<div class="i-korthet">{head}<ul>{items}</ul></div>'


_TAG = re.compile(r"<[^>]+>")


def plain(html: str) -> str:
    """The text of a headline's HTML (for checking PDFs and pages)."""
    return " ".join(_TAG.sub(" ", html).split())


class _Html(str):
    """Markup a notebook shows as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def regional(result: object) -> _Html:
    """The regional report's headline, as a notebook cell shows it."""
    return _Html(as_html(regional_sentences(result)))


def national(result: object) -> _Html:
    """The national overview's headline, as a notebook cell shows it."""
    return _Html(as_html(national_sentences(result)))


def profile(result: object, code: str) -> _Html:
    """A profile's headline, as a notebook cell shows it."""
    return _Html(as_html(profile_sentences(result, code)))


def goal_area(result: object, area: str) -> _Html:
    """A goal area's opening summary (a paragraph, under the area's own heading)."""
    sentences = goal_area_sentences(result, area)
    return _Html(f'<p class="omrade-sammanfattning">{escape(" ".join(sentences))}</p>'
                 if sentences else "")
