"""The accessibility statement (tillgänglighetsredogörelse) of the published site.

A Swedish public-sector site must publish one and link it from every page (lag
2018:1937 om tillgänglighet till digital offentlig service). Digg's model asks
for the responsible body, how to get content in another format, how to report
problems, a link to Digg's complaint function, the compliance level with the
known shortcomings, and how and when the site was assessed. Everything but
Digg's own wording comes from the `[accessibility]` table of `data/config.toml`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from evaluation.errors import ParameterError
from evaluation.publish.navigation import (
    METHODS_PAGE,
    STATEMENT_PAGE,
    breadcrumb_html,
    contents,
    finish_page,
    footer_html,
    publisher,
)
from evaluation.publish.site import PageFrame, _environment, _write

#: Digg's form for reporting a site that does not meet the law.
DIGG_COMPLAINT_URL = "https://www.digg.se/tdosanmalan"
COMPLIANCE = {
    "helt": "Den här webbplatsen är helt förenlig med lagen om tillgänglighet till digital "
            "offentlig service.",
    "delvis": "Den här webbplatsen är delvis förenlig med lagen om tillgänglighet till "
              "digital offentlig service, på grund av de brister som beskrivs nedan.",
    "inte": "Den här webbplatsen är inte förenlig med lagen om tillgänglighet till digital "
            "offentlig service. De brister vi känner till beskrivs nedan.",
}
REQUIRED = ("responsible", "contact_email", "compliance", "assessed", "assessment_method")
DEFAULTS: dict[str, Any] = {
    "example": True,
    "responsible": "Exempelregionen",
    "contact_email": "tillganglighet@exempelregionen.example",
    "report_address": "",
    "report_form": "",
    "compliance": "delvis",
    "assessed": "",
    "assessment_method": "Självskattning med automatiska tester i en webbläsare.",
    "shortcomings": [],
}


def statement_settings(settings: object, source: str = "config.toml") -> dict[str, Any]:
    """The `[accessibility]` table, checked, with the example defaults for what is missing."""
    extra = getattr(settings, "extra", {}) or {}
    raw: Mapping[str, Any] = extra.get("accessibility") or {}
    values = {**DEFAULTS, **raw}
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise ParameterError(f"{source}, [accessibility]: okänd inställning {unknown}; "
                             f"kända är {sorted(DEFAULTS)}")
    if values["compliance"] not in COMPLIANCE:
        raise ParameterError(f"{source}, [accessibility] compliance: "
                             f"{values['compliance']!r} är inte ett av "
                             f"{', '.join(COMPLIANCE)}")
    if values["assessed"]:
        try:
            dt.date.fromisoformat(str(values["assessed"]))
        except ValueError:
            raise ParameterError(f"{source}, [accessibility] assessed: "
                                 f"{values['assessed']!r} är inget datum (ÅÅÅÅ-MM-DD)") from None
    else:
        values["assessed"] = dt.date.today().isoformat()
    for key in REQUIRED:
        if not str(values[key]).strip():
            raise ParameterError(f"{source}, [accessibility] {key}: får inte vara tomt")
    form = str(values["report_form"])
    if "://" in form or form.startswith(("/", "\\")):
        raise ParameterError(f"{source}, [accessibility] report_form: {form!r} måste vara en "
                             "relativ länk inom webbplatsen")
    values["shortcomings"] = [str(s) for s in values["shortcomings"]]
    return values


def write_statement(out_dir: Path, settings: object,
                    site_name: str = "uppföljningen av föräldraskapsstöd",
                    today: dt.date | None = None) -> Path:
    """Write `<out_dir>/tillganglighet.html` from the configuration; its footer links
    the newest published round's methods page."""
    from evaluation.publish.site import published_rounds

    out_dir = Path(out_dir)
    values = statement_settings(settings)
    today = today or dt.date.today()
    rounds = published_rounds(out_dir)
    methods = f"{rounds[0]}/{METHODS_PAGE}" if rounds and (
        out_dir / str(rounds[0]) / METHODS_PAGE).is_file() else None
    frame = PageFrame(
        header=breadcrumb_html([("Alla uppföljningar", "index.html"),
                                ("Tillgänglighetsredogörelse", None)]),
        footer=footer_html(publisher(settings), today, methods, STATEMENT_PAGE),
    )
    page = _environment().get_template("site_accessibility.html.j2").render(
        s=values, site_name=site_name, complaint_url=DIGG_COMPLAINT_URL,
        compliance_text=COMPLIANCE[values["compliance"]], updated=today.isoformat(),
        contents=Markup(contents()), **frame.parts())
    return _write(out_dir / STATEMENT_PAGE, finish_page(page))
