"""What the report notebooks show: Swedish tables and sections as escaped HTML.

Notebook cells stay one line each: they call these functions (and `charts`),
and every text that comes from the data is escaped here, once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape

import pandas as pd

from evaluation.analysis.results import RoundResult
from evaluation.errors import Severity, reason_label
from evaluation.indicators.goal2 import CENTRE_SERVICES, centre_like, full_centre
from evaluation.indicators.registry import GOAL_AREAS, REGISTRY, Indicator, by_goal_area
from evaluation.intake.schema import GROUP_COLUMNS, SECTORS
from evaluation.report import formatting as fmt
from evaluation.report.style import status_style

SECTOR_LABELS = {s.id: s.label for s in SECTORS}
GROUP_SECTORS = dict(zip(GROUP_COLUMNS, (s.label for s in SECTORS), strict=True))


class Html(str):
    """Markup that notebooks display as HTML (and tests read as a string)."""

    def _repr_html_(self) -> str:
        return str(self)


def table(caption: str, header: Sequence[str], rows: Iterable[Sequence[object]],
          row_header: bool = True, numeric: Sequence[int] = (), wide: bool = False) -> Html:
    """An accessible table: caption, column headers, the first cell a row header.

    Cells are escaped unless they are `Html`. A `wide` table may use the window's
    width beyond the text column (the stylesheet's `table-wide`).
    """
    def cell(value: object) -> str:
        return str(value) if isinstance(value, Html) else escape(str(value))

    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cls = ' class="tal"' if i in numeric else ""
            if i == 0 and row_header:
                cells.append(f'<th scope="row"{cls}>{cell(value)}</th>')
            else:
                cells.append(f"<td{cls}>{cell(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    scroll = "table-scroll table-wide" if wide else "table-scroll"
    return Html(f'<div class="{scroll}" role="region" tabindex="0" '
                f'aria-label="{escape(caption)}">'
                f'<table class="report-table"><caption>{escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def heading(text: str, level: int = 2) -> Html:
    return Html(f"<h{level}>{escape(text)}</h{level}>")


def paragraph(text: str) -> Html:
    return Html(f"<p>{escape(text)}</p>")


def status_badge(status: object) -> Html:
    style = status_style(status)
    return Html(f'<span class="status status-{style.css}"><span aria-hidden="true">'
                f"{escape(style.symbol)}</span> {escape(style.label)}</span>")


def target_text(ind: Indicator) -> str:
    if ind.target_value is not None:
        return fmt.percent(ind.target_value)
    return {"rising": "Ökande", "monitored": "Följs"}.get(str(ind.target), str(ind.target))


def status_rows(result: RoundResult, area_code: str | None = None) -> list[dict[str, object]]:
    """Every indicator's value, target and status for one area (the county by default),
    as the round's index page lists them."""
    area_code = area_code or result.region
    rows: list[dict[str, object]] = []
    for ind in REGISTRY.values():
        row = _row(result, ind.id, area_code)
        rows.append({"indicator": ind.id, "title": ind.title,
                     "value": fmt.value_text(row) if row else fmt.MISSING,
                     "change": change_text(result, ind.id, area_code),
                     "target": target_text(ind), "status": (row or {}).get("status")})
    return rows


def population_note(result: RoundResult) -> str:
    """Where the example data's numbers of children come from, in Swedish."""
    codes = set(result.municipalities["code"].astype(str))
    derived = result.scb_population & codes
    if codes and derived == codes:
        return "Befolkningstalen är härledda ur SCB:s antal barn 0–15 år 2023."
    if derived:
        return ("Befolkningstalen är härledda ur SCB:s antal barn 0–15 år 2023 för de "
                "kommuner som verktygets referensdata har siffror för, och påhittade för "
                "övriga kommuner.")
    return "Befolkningstalen är påhittade."


def _row(result: RoundResult, indicator: str, area_code: str,
         year: int | None = None) -> dict | None:
    frame = result.indicators
    year = result.year if year is None else year
    match = frame.loc[(frame["round"] == year) & (frame["indicator"] == indicator)
                      & (frame["area_code"] == area_code)]
    return match.iloc[0].to_dict() if len(match) else None


def _names(result: RoundResult, codes: Iterable[str]) -> str:
    names = result.municipalities.set_index("code")["short_name"]
    return ", ".join(str(names.get(c, c)) for c in codes)


def change_text(result: RoundResult, indicator: str, area_code: str) -> str:
    """The change since the previous round, as a reader wants it said."""
    if result.previous_year is None:
        return "Första omgången"
    changes = result.changes
    match = changes.loc[(changes["round"] == result.year) & (changes["indicator"] == indicator)
                        & (changes["area_code"] == area_code)]
    if match.empty:
        return fmt.MISSING
    row = match.iloc[0].to_dict()
    ind = REGISTRY[indicator]
    method = row.get("change_method")
    if method == "census" and row.get("gained") is not None and area_code == result.region:
        gained, lost = tuple(row.get("gained") or ()), tuple(row.get("lost") or ())
        parts = []
        if gained:
            parts.append(f"+{len(gained)} ({_names(result, gained)})")
        if lost:
            parts.append(f"−{len(lost)} ({_names(result, lost)})")
        return "; ".join(parts) if parts else "Oförändrat"
    if method == "rate_ratio":
        ratio = row.get("ratio")
        if pd.isna(ratio):
            return fmt.MISSING
        return (f"{fmt.signed(row.get('difference'), 1)} (kvot {fmt.number(ratio, 2)}, "
                f"{fmt.number(row.get('change_low'), 2)}–{fmt.number(row.get('change_high'), 2)})")
    if ind.unit in ("andel", "andel_kommuner"):
        text = fmt.percentage_points(row.get("difference"))
        if method == "newcombe" and not pd.isna(row.get("change_low")):
            text += (f" ({fmt.signed(100 * row['change_low'])} till "
                     f"{fmt.signed(100 * row['change_high'])})")
        return text
    return fmt.signed(row.get("difference"), 1)


def status_overview(result: RoundResult, area_code: str | None = None) -> Html:
    """Every indicator: value, change since last round, target, status (DESIGN §6)."""
    area_code = area_code or result.region
    rows = []
    for ind in REGISTRY.values():
        row = _row(result, ind.id, area_code) or {}
        value = fmt.value_text(row) if row else fmt.MISSING
        interval = fmt.interval_text(row) if row else ""
        if interval:
            value = f"{value} ({interval})"
        rows.append([f"{ind.id} {ind.title}", value, change_text(result, ind.id, area_code),
                     target_text(ind), status_badge(row.get("status"))])
    prev = result.previous_year
    return table(
        f"Indikatorernas läge {result.year}",
        ["Indikator", "Värde", f"Förändring sedan {prev}" if prev else "Förändring",
         "Mål 2030", "Status"],
        rows,
    )


def goal_areas() -> dict[str, list[Indicator]]:
    return by_goal_area()


def goal_area_title(area: str) -> str:
    return f"Målområde {area}: {GOAL_AREAS[area]}" if area != "D" else GOAL_AREAS[area]


def indicator_summary(result: RoundResult, ind: Indicator, area_code: str | None = None,
                      label: str = "Länet") -> Html:
    """An area's value with its interval, the target, the status, what the value rests
    on and the definition: the county's by default, the country's in a national round."""
    area_code = area_code or result.region
    row = _row(result, ind.id, area_code) or {}
    parts = [f"<p><strong>{label} {result.year}:</strong> {escape(fmt.value_text(row))}"]
    if interval := fmt.interval_text(row):
        level = fmt.confidence(result.settings.confidence_level)
        parts.append(f" ({level} konfidensintervall {escape(interval)})")
    parts.append(f". <strong>Mål 2030:</strong> {escape(target_text(ind))}. "
                 f"<strong>Status:</strong> {status_badge(row.get('status'))}</p>")
    if ind.coverage_of:
        parts.append(f"<p>{escape(coverage(result, ind, area_code))}</p>")
    parts.append(f"<p>{escape(ind.definition)}</p>")
    return Html("".join(parts))


def coverage(result: RoundResult, ind: Indicator, area_code: str | None = None) -> str:
    """How many participants an indicator rests on, e.g. 1.6: "Andelen räknas på de 922 av
    1 795 deltagare som har uppgift om fullföljande" (its denominator of the numerator of
    the indicator named by `coverage_of`, both from the published table, ".." when
    withheld; the sentence opens with a word, not a figure)."""
    area_code = area_code or result.region
    known = _row(result, ind.id, area_code) or {}
    every = _row(result, ind.coverage_of, area_code) or {}

    def shown(row: dict, column: str) -> str:
        if row.get("suppressed"):
            return fmt.WITHHELD
        return fmt.number(row.get(column))

    return (f"Andelen räknas på de {shown(known, 'denominator')} av "
            f"{shown(every, 'numerator')} {ind.coverage_text}.")


def disclosure_text(result: RoundResult) -> Html:
    """How many figures disclosure control withheld this round, and why."""
    from evaluation.analysis.disclosure import withheld_counts

    summary = result.extra.get("disclosure", {})
    threshold = summary.get("threshold", result.settings.suppression_threshold)
    if not threshold:
        return paragraph("Röjandeskyddet är avstängt i denna körning (tröskel 0).")
    primary, secondary = withheld_counts(summary, result.year)
    return paragraph(
        f"Röjandeskydd {result.year}: {fmt.number(primary + secondary)} uppgifter visas som "
        f"”{fmt.WITHHELD}”, {fmt.number(primary)} primärt (färre än {threshold} föräldrar, "
        f"eller en sådan skillnad) och {fmt.number(secondary)} sekundärt (så att ingen "
        "skyddad uppgift kan räknas fram ur de andra).")


# ---------------------------------------------------------------- uptake


def uptake_table(result: RoundResult) -> Html:
    programmes = result.uptake.programmes
    now = programmes.loc[programmes["round"] == result.year]
    prev = programmes.loc[programmes["round"] == result.previous_year]
    prev_count = dict(zip(prev["programme"], prev["municipalities"], strict=True))
    now = now.assign(participants_text=fmt.participants_text(now))
    rows = []
    for r in now.sort_values(["evidence_based", "municipalities"],
                             ascending=False).to_dict("records"):
        sectors = ", ".join(SECTOR_LABELS.get(s, s) for s in r["sectors"])
        adopters = _names(result, r.get("adopters") or ())
        leavers = _names(result, r.get("leavers") or ())
        rows.append([r["name"], r["evidence_class"], "Ja" if r["evidence_based"] else "Nej",
                     fmt.number(r["municipalities"]),
                     # offered by no municipality last round: 0, not missing
                     fmt.number(prev_count.get(r["programme"], 0)) if result.previous_year
                     else fmt.MISSING,
                     r["participants_text"], sectors, adopters or fmt.MISSING,
                     leavers or fmt.MISSING])
    gone = prev.loc[~prev["programme"].isin(now["programme"])]
    for r in gone.to_dict("records"):
        rows.append([r["name"], r["evidence_class"], "Ja" if r["evidence_based"] else "Nej",
                     "0", fmt.number(r["municipalities"]), "0", "", fmt.MISSING,
                     _names(result, r.get("municipality_codes") or ())])
    note = Html("")
    if len(rows) > TABLE_ROWS:
        note = _shortened(TABLE_ROWS, len(rows), "program",
                          "de evidensbaserade först, sedan efter hur många kommuner som "
                          "erbjuder dem", PROGRAMME_FILE)
        rows = rows[:TABLE_ROWS]
    return Html(note + table(
        f"Program som erbjuds {result.year}",
        ["Program", "Evidensklass", "Evidensbaserat", "Kommuner",
         f"Kommuner {result.previous_year}" if result.previous_year else "Förra omgången",
         "Deltagare", "Sektorer", "Nya kommuner", "Kommuner som slutat"],
        rows, numeric=(3, 4, 5), wide=True,
    ))


def new_evidence_based_text(result: RoundResult) -> Html:
    new = result.uptake.new_evidence_based
    new = new.loc[new["round"] == result.year]
    if result.previous_year is None:
        return paragraph("Första omgången: ingen jämförelse med tidigare omgång.")
    if new.empty:
        return paragraph(f"Ingen kommun som saknade evidensbaserat program {result.previous_year} "
                         f"har fått ett {result.year}.")
    items = "".join(
        f"<li>{escape(_names(result, [r['municipality']]))}: "
        f"{escape(', '.join(_programme_names(result, r['programmes'])))}</li>"
        for r in new.to_dict("records"))
    return Html(f"<p>Kommuner som saknade evidensbaserat program {result.previous_year} och har "
                f"minst ett {result.year}:</p><ul>{items}</ul>")


def _programme_names(result: RoundResult, ids: Iterable[str]) -> list[str]:
    names = result.programme_names
    return [str(names.get(i, i)) for i in ids]


# ---------------------------------------------------------------- data quality


def response_text(result: RoundResult) -> Html:
    answered = set(result.current.answered)
    missing = [c for c in result.municipalities["code"] if c not in answered]
    from evaluation.report.headline import answered_sentence

    text = answered_sentence(len(answered), len(result.municipalities), result.year)
    if missing:
        text += f" Svar saknas från {_names(result, missing)}."
    return paragraph(text)


def row_counts(result: RoundResult) -> Html:
    from evaluation.intake.schema import TABLES

    rows = []
    for c in result.validation.counts.values():
        rows.append([TABLES[c.table].label, fmt.number(c.rows_in), fmt.number(c.accepted),
                     fmt.number(c.accepted_with_warning), fmt.number(c.rejected)])
    return table(f"Inlästa rader {result.year}",
                 ["Tabell", "Rader", "Godkända", "varav med varning", "Avvisade"], rows,
                 numeric=(1, 2, 3, 4))


def findings_by_reason(result: RoundResult) -> Html:
    findings = [f for f in result.validation.findings if f.severity is not Severity.INFO]
    if not findings:
        return paragraph("Inga rader avvisades och inga varningar gavs.")
    counts = Counter((f.severity, f.reason) for f in findings)
    rows = [[reason_label(reason), Severity(sev).label, fmt.number(n)]
            for (sev, reason), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1]))]
    return table("Varningar och avvisade rader per orsak", ["Orsak", "Utfall", "Antal rader"],
                 rows, numeric=(2,))


def findings_per_file(findings: Iterable[object], caption: str) -> Html:
    """Findings counted per file and reason: no row, column or cell value is
    published (the full report with values stays with the evaluator)."""
    from evaluation.intake.validation_report import count_by_reason

    counts = count_by_reason([f for f in findings  # type: ignore[attr-defined]
                              if f.severity is not Severity.INFO])
    if counts.empty:
        return Html("")
    rows = [[r["file"] or fmt.MISSING, r["severity_label"], r["reason_label"],
             fmt.number(r["rows"])] for r in counts.to_dict("records")]
    return table(caption, ["Fil", "Utfall", "Orsak", "Antal rader"], rows, numeric=(3,))


def findings_list(result: RoundResult) -> Html:
    """Warnings and rejections per file and reason, without values."""
    return findings_per_file(result.validation.findings,
                             "Varningar och avvisade rader per fil och orsak")


# ---------------------------------------------------------------- municipality profile


def municipality_name(result: RoundResult, code: str) -> str:
    names = result.municipalities.set_index("code")["short_name"]
    return str(names[code])


def profile_overview(result: RoundResult, code: str) -> Html:
    prev = result.previous_year
    rows = []
    for ind in REGISTRY.values():
        own = _row(result, ind.id, code) or {}
        county = _row(result, ind.id, result.region) or {}
        before = _row(result, ind.id, code, prev) if prev else None
        rows.append([f"{ind.id} {ind.title}", fmt.value_text(own) if own else fmt.MISSING,
                     fmt.value_text(county) if county else fmt.MISSING,
                     fmt.value_text(before) if before else fmt.MISSING,
                     target_text(ind), status_badge(own.get("status"))])
    return table(f"{municipality_name(result, code)} jämfört med länet {result.year}",
                 ["Indikator", "Kommunen", "Länet", f"Kommunen {prev}" if prev else "Tidigare",
                  "Mål 2030", "Status"], rows)


def _own(result: RoundResult, table_id: str, code: str) -> pd.DataFrame:
    frame = result.current.tables[table_id]
    return frame.loc[frame["municipality"] == code]


def family_centres(result: RoundResult, code: str) -> Html:
    centres = _own(result, "familjecentraler", code)
    if centres.empty:
        return paragraph("Inga familjecentraler eller familjecentralsliknande verksamheter "
                         "rapporterades.")
    centres = centres.assign(full=full_centre(centres).fillna(False).astype(bool),
                             like=centre_like(centres))
    rows = []
    for r in centres.to_dict("records"):
        kind = ("Familjecentral" if r["full"] else
                "Familjecentralsliknande" if r["like"] else "Annan")
        rows.append([r["name"], kind, *(fmt.yes_no(r[c]) for c in CENTRE_SERVICES)])
    return table("Familjecentraler och verksamheter på plats",
                 ["Namn", "Typ", "BMM", "BVC", "Öppen förskola", "Förebyggande socialtjänst"],
                 rows)


def units(result: RoundResult, code: str) -> Html:
    units_ = _own(result, "vardenheter", code)
    if units_.empty:
        return paragraph("Regionen listade ingen BMM eller BVC i kommunen.")
    rows = [[r["unit"], r["unit_type"], fmt.yes_no(r["co_located_open_preschool"]),
             fmt.yes_no(r["co_located_social_services"])] for r in units_.to_dict("records")]
    return table("BMM och BVC: samlokalisering", ["Enhet", "Typ", "Med öppen förskola",
                                                  "Med förebyggande socialtjänst"], rows)


#: At most this many rows in a table of programmes on a page and in its PDF; the
#: round's `program.csv` holds every one (a county that reports every local activity
#: would otherwise print a hundred pages per profile).
TABLE_ROWS = 100
PROGRAMME_FILE = "program.csv"


def _all_in_file(href: str) -> str:
    """Where every programme row is when a page shows a selection (HTML)."""
    return (f'Alla finns i filen <a href="{escape(href)}">{PROGRAMME_FILE}</a> bland '
            "omgångens nedladdningar.")


def _shortened(shown: int, total: int, what: str, order: str, href: str) -> Html:
    """The sentence above a shortened table: what it shows, and where the rest is."""
    return Html(f"<p>Tabellen visar {escape(fmt.number(shown))} av "
                f"{escape(fmt.number(total))} {escape(what)}: {escape(order)}. "
                f"{_all_in_file(href)}</p>")


def programmes(result: RoundResult, code: str) -> Html:
    offered = _own(result, "program", code)
    if offered.empty:
        return paragraph("Inga program rapporterades.")
    catalogue = dict(zip(result.catalogue["id"], result.catalogue["evidence_class"],
                         strict=True))
    offered = offered.sort_values("programme_name")
    note = Html("")
    if len(offered) > TABLE_ROWS:
        offered = offered.sort_values("in_catalogue", ascending=False, kind="stable")
        note = _shortened(TABLE_ROWS, len(offered), "programinsatser",
                          "först programmen i programkatalogen, sedan de övriga, i "
                          "bokstavsordning", f"../{PROGRAMME_FILE}")
        offered = offered.head(TABLE_ROWS)
    rows = []
    for r in offered.to_dict("records"):
        klass = catalogue.get(r["programme"], "Ej klassificerat") if r["in_catalogue"] \
            else "Ej klassificerat"
        rows.append([r["programme_name"], SECTOR_LABELS.get(r["sector"], r["sector"]), klass,
                     fmt.count(r["groups"], 0), _published_count(r, "participants"),
                     _published_count(r, "completed"), fmt.yes_no(r["followed_up"])])
    return Html(note + table("Program som erbjuds", ["Program", "Sektor", "Evidensklass",
                                                     "Grupper", "Deltagare", "Fullföljt",
                                                     "Följs upp"],
                             rows, numeric=(3, 4, 5)))


def _published_count(row: dict, column: str) -> str:
    """A programme row's count as published: ".." when withheld."""
    if row.get(f"{column}_withheld"):
        return fmt.WITHHELD
    return fmt.count(row[column], 0)


def steering_group(result: RoundResult, code: str) -> Html:
    answers = _own(result, "kommun", code)
    if answers.empty:
        return paragraph(f"Kommunen besvarade inte enkäten {result.year}.")
    r = answers.iloc[0].to_dict()
    if r["steering_group"] is not True:
        text = ("Kommunen har ingen lednings- eller samverkansgrupp för föräldraskapsstöd."
                if r["steering_group"] is False else "Frågan om grupp besvarades inte.")
        return paragraph(text)
    rows = [[label, fmt.yes_no(r[col])] for col, label in GROUP_SECTORS.items()]
    return table("Sektorer i lednings- eller samverkansgruppen", ["Sektor", "Ingår"], rows)


# ---------------------------------------------------------------- displayed sections


def _display(*items: object) -> None:
    from IPython.display import display

    for item in items:
        display(item)


def title(result: RoundResult, code: str | None = None) -> Html:
    """The report's one h1, with the synthetic-data notice where it applies."""
    if code is None:
        text = f"Föräldraskapsstöd i {result.region_name}: uppföljning {result.year}"
        lead = (f"Regionrapport för uppföljningen av den regionala strategin för "
                f"föräldraskapsstöd 2024–2030, omgång {result.year}.")
    else:
        text = f"Kommunprofil: {municipality_name(result, code)} {result.year}"
        names = result.municipalities.set_index("code")  # the official "Lekebergs kommun"
        full = (str(names.at[code, "name"]) if "name" in names
                else f"{municipality_name(result, code)} kommun")
        lead = f"{full} jämfört med {result.region_name} och med kommunens tidigare omgångar."
    notice = synthetic_notice(result) if result.extra.get("synthetic") else ""
    return Html(f"<h1>{escape(text)}</h1><p>{escape(lead)}</p>{notice}")


def synthetic_notice(result: RoundResult) -> Html:
    """The notice every page built from example data carries."""
    return Html('<p class="notice"><strong>Syntetiska exempeldata.</strong> Siffrorna är '
                "påhittade för att visa verktyget och beskriver inga verkliga kommuner. "
                f"{escape(population_note(result))}</p>")


def show_indicator(result: RoundResult, ind: Indicator) -> None:
    """An indicator's heading, summary, municipalities chart and county trend."""
    from evaluation.report import charts
    from evaluation.report.display import show_figure

    _display(heading(f"{ind.id} {ind.title}", 3), indicator_summary(result, ind))
    args = (result.indicators, ind.id, result.year, ind.title, ind.unit, ind.target_value)
    from evaluation.report.empty_charts import has_values, no_chart, reason

    names = {"names": result.short_names}
    if ind.unit == "andel_kommuner":
        pass  # yes/no per municipality: in the goal area's table (evaluation.report.yes_no_table)
    elif has_values(result.indicators, ind.id, year=result.year, level="municipality"):
        show_figure(charts.municipality_bars(*args, **names),
                    alt=charts.alt_text_bars(*args, **names))
    else:
        _display(Html(no_chart(f"{ind.title} per kommun", reason(
            result.indicators, ind.id, year=result.year, level="municipality"))))
    if len(result.years) > 1:
        args = (result.indicators, ind.id, result.region, f"{ind.title}, {result.region_name}",
                ind.unit, ind.target_value)
        show_figure(charts.trend_chart(*args, **names),
                    alt=charts.alt_text_trend(*args, **names))


def show_goal_area(result: RoundResult, area: str) -> None:
    from evaluation.report import headline
    from evaluation.report.yes_no_table import goal_area_table

    _display(heading(goal_area_title(area), 2), headline.goal_area(result, area),
             goal_area_table(result, area))
    for ind in by_goal_area()[area]:
        show_indicator(result, ind)


def map_indicator() -> str:
    """The indicator the regional report draws as a map."""
    return next(ind.id for ind in REGISTRY.values() if ind.on_map)


def show_map(result: RoundResult, indicator: str | None = None, boundary_file: str = "") -> None:
    from evaluation.report import maps
    from evaluation.report.display import show_figure

    indicator = indicator or map_indicator()
    ind = REGISTRY[indicator]
    values, labels = maps.values_from_table(result.indicators, indicator, result.year)
    name = f"{ind.title} {result.year}"
    alt = maps.alt_text_map(values, result.municipalities, name, ind.unit, labels)
    show_figure(maps.tile_map(values, result.municipalities, name, ind.unit, labels), alt=alt)
    if boundary_file:  # real boundaries beside the tile map, when configured
        fig = maps.county_map(values, result.municipalities, name, ind.unit,
                              boundary_file=boundary_file, labels=labels)
        show_figure(fig, alt=alt)


def show_uptake_charts(result: RoundResult) -> None:
    from evaluation.report import charts
    from evaluation.report.display import show_figure

    adoption_title = "Kommuner som erbjuder programmet, per omgång"
    adoption = result.uptake.programmes
    if adoption.empty:  # a small county may offer none: nothing to draw
        _display(paragraph("Inga program erbjöds i länets kommuner i någon omgång hittills, "
                           "så det finns inga diagram över programmen."))
        return
    shown = charts.most_offered(adoption)
    if len(shown) < adoption["programme"].nunique():
        listed = adoption.loc[adoption["round"].isin([result.year, result.previous_year]),
                              "programme"].nunique()  # the rows of the uptake table
        _display(Html(
            f"<p>Diagrammen visar de {escape(fmt.number(len(shown)))} av "
            f"{escape(fmt.number(listed))} program som flest kommuner erbjuder. "
            f"{_all_in_file(PROGRAMME_FILE)}</p>"))
    show_figure(charts.adoption_chart(adoption, adoption_title, only=shown),
                alt=charts.alt_text_adoption(adoption, adoption_title, only=shown))
    names = {"municipality_names": result.short_names,
             "programme_names": result.programme_names}
    matrix_title = f"Program per kommun {result.year}"
    matrix = result.uptake.matrix
    keep = set(shown)
    matrix = matrix[[p for p in matrix.columns if str(p) in keep]]
    show_figure(charts.matrix_chart(matrix, matrix_title, **names),
                alt=charts.alt_text_matrix(matrix, matrix_title, **names))
    reach_title = "Deltagande föräldrar per evidensklass"
    by_class = result.uptake.by_evidence_class
    show_figure(charts.evidence_reach_chart(by_class, reach_title),
                alt=charts.alt_text_evidence_reach(by_class, reach_title))


def profile_trends() -> list[str]:
    """The indicators a municipality profile draws over time, in their order."""
    chosen = sorted((ind for ind in REGISTRY.values() if ind.profile_trend),
                    key=lambda ind: ind.profile_trend)
    return [ind.id for ind in chosen]


def show_municipality_trends(result: RoundResult, code: str,
                             indicators: Sequence[str] | None = None) -> None:
    from evaluation.report import charts
    from evaluation.report.display import show_figure

    if len(result.years) < 2:
        _display(paragraph("Första omgången: utvecklingen över tid visas från nästa omgång."))
        return
    from evaluation.report.empty_charts import has_values, no_chart, reason

    for indicator in profile_trends() if indicators is None else indicators:
        ind = REGISTRY[indicator]
        args = (result.indicators, ind.id, code,
                f"{ind.title}, {municipality_name(result, code)}", ind.unit, ind.target_value)
        if not has_values(result.indicators, ind.id, area_code=code):
            _display(Html(no_chart(args[3], reason(result.indicators, ind.id, area_code=code))))
            continue
        names = {"names": result.short_names}
        show_figure(charts.trend_chart(*args, **names),
                    alt=charts.alt_text_trend(*args, **names))


def methods(result: RoundResult) -> object:
    import re

    from IPython.display import Markdown

    from evaluation.report.methods import methods_markdown

    # The report has its own h1: the method text's headings move down one level.
    text = re.sub(r"^(#{1,5}) ", r"#\1 ", methods_markdown(result.settings), flags=re.MULTILINE)
    return Markdown(text)
