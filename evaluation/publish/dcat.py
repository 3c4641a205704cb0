"""DCAT-AP-SE metadata of a published round, so the dataset can be listed on
Sveriges dataportal (dataportal.se harvests RDF/XML).

One `dcat:Catalog` holds the round's `dcat:Dataset` and its distributions (CSV,
XLSX, JSON-stat). Publisher, contact, licence and the site's address come from
`[open_data]` in `data/config.toml`; every resource has an absolute IRI (no blank
nodes), as dataportal.se recommends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from evaluation.errors import ParameterError
from evaluation.settings import load_section

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
BIENNIAL = URIRef(EU + "frequency/BIENNIAL")
THEME = URIRef(EU + "data-theme/SOCI")  # Befolkning och samhälle
LANGUAGE = URIRef(EU + "language/SWE")
REGIONAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
#: File suffix -> (EU file type, IANA media type, Swedish title, English title).
FORMATS: dict[str, tuple[str, str, str, str]] = {
    ".csv": ("CSV", "text/csv", "Indikatorer (CSV)", "Indicators (CSV)"),
    ".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "Indikatorer (Excel)", "Indicators (Excel)"),
    ".json": ("JSON", "application/json", "Indikatorer (JSON-stat 2.0)",
              "Indicators (JSON-stat 2.0)"),
}
KEYWORDS = ("föräldraskapsstöd", "föräldraskap", "familjecentral", "barn och unga",
            "folkhälsa", "uppföljning")
REQUIRED = ("base_url", "publisher", "publisher_url", "contact_name", "contact_email",
            "licence")


@dataclass(frozen=True)
class OpenData:
    """Who publishes the round's open data, where, and under which licence."""

    base_url: str
    publisher: str
    publisher_url: str
    contact_name: str
    contact_email: str
    licence: str

    def __post_init__(self) -> None:
        for name in ("base_url", "publisher_url", "licence"):
            if not str(getattr(self, name)).startswith(("http://", "https://")):
                raise ParameterError(f"open_data.{name} must be an absolute http(s) address, "
                                     f"got {getattr(self, name)!r}")
        if "@" not in self.contact_email:
            raise ParameterError(f"open_data.contact_email is not an e-mail address: "
                                 f"{self.contact_email!r}")


def load_open_data(path: str | Path | None = None) -> OpenData:
    """`[open_data]` of the configuration file; every setting is required."""
    section = load_section("open_data", path)
    missing = [name for name in REQUIRED if not str(section.get(name, "")).strip()]
    if missing:
        raise ParameterError(f"configuration [open_data]: missing {', '.join(missing)}")
    unknown = sorted(set(section) - set(REQUIRED))
    if unknown:
        raise ParameterError(f"configuration [open_data]: unknown setting(s) {unknown}")
    values = {name: str(section[name]).strip() for name in REQUIRED}
    if not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    return OpenData(**values)


def english_name(region_name: str) -> str:
    """"Örebro län" -> "Örebro County", "Riket" -> "Sweden"."""
    if region_name == "Riket":
        return "Sweden"
    if region_name.endswith(" län"):
        return region_name[: -len(" län")] + " County"
    return region_name


def swedish_place(region_name: str) -> str:
    """The area as a Swedish sentence names it: "Örebro län", or "hela landet"."""
    return "hela landet" if region_name == "Riket" else region_name


def dcat_graph(open_data: OpenData, *, year: int, years: Sequence[int], region_name: str,
               site_path: str, files: Sequence[Path], published: dt.date) -> Graph:
    """The catalog, dataset and distributions of one published round."""
    base = open_data.base_url + site_path
    here = base + "dcat.rdf#"
    catalog, dataset = URIRef(here + "catalog"), URIRef(here + "dataset")
    publisher, contact = URIRef(open_data.publisher_url), URIRef(here + "contact")
    period, licence = URIRef(here + "period"), URIRef(open_data.licence)
    english = english_name(region_name)
    place = swedish_place(region_name)
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF),
                       ("vcard", VCARD)):
        g.bind(prefix, ns)

    def both(subject: URIRef, predicate: URIRef, swedish: str, english_text: str) -> None:
        g.add((subject, predicate, Literal(swedish, lang="sv")))
        g.add((subject, predicate, Literal(english_text, lang="en")))

    g.add((catalog, RDF.type, DCAT.Catalog))
    both(catalog, DCTERMS.title, f"Uppföljning av föräldraskapsstöd i {place}",
         f"Follow-up of parenting support in {english}")
    both(catalog, DCTERMS.description,
         "Öppna data från uppföljningen av den regionala strategin för föräldraskapsstöd "
         "2024–2030.",
         "Open data from the follow-up of the regional strategy for parenting support "
         "2024–2030.")
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, FOAF.homepage, URIRef(base + "index.html")))
    g.add((catalog, DCTERMS.language, LANGUAGE))
    g.add((catalog, DCAT.dataset, dataset))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(open_data.publisher, lang="sv")))
    g.add((publisher, DCTERMS.type, REGIONAL_AUTHORITY))

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(open_data.contact_name)))
    g.add((contact, VCARD.hasEmail, URIRef("mailto:" + open_data.contact_email)))

    first = min(years) if years else year
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(f"{first}-01-01", datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(f"{year}-12-31", datatype=XSD.date)))

    g.add((dataset, RDF.type, DCAT.Dataset))
    both(dataset, DCTERMS.title,
         f"Uppföljning av föräldraskapsstöd i {place} {year}: indikatorer",
         f"Follow-up of parenting support in {english} {year}: indicators")
    both(dataset, DCTERMS.description,
         f"Strategins indikatorer för {place} och dess kommuner, omgångarna "
         f"{', '.join(map(str, years))}: värden med täljare, nämnare, konfidensintervall, "
         "mål och status. Värden som kan röja enskilda är skyddade.",
         f"The strategy's indicators for {english} and its municipalities, rounds "
         f"{', '.join(map(str, years))}: values with numerators, denominators, confidence "
         "intervals, targets and status. Values that could identify individuals are "
         "withheld.")
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCAT.theme, THEME))
    g.add((dataset, DCTERMS.accrualPeriodicity, BIENNIAL))
    g.add((dataset, DCTERMS.temporal, period))
    g.add((dataset, DCTERMS.language, LANGUAGE))
    g.add((dataset, DCTERMS.issued, Literal(published.isoformat(), datatype=XSD.date)))
    g.add((dataset, DCAT.landingPage, URIRef(base + "index.html")))
    for word in KEYWORDS:
        g.add((dataset, DCAT.keyword, Literal(word, lang="sv")))

    for path in files:
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise ParameterError(f"no DCAT format known for {path.name!r}")
        file_type, media_type, swedish, english_title = kind
        distribution = URIRef(here + path.suffix.lower().lstrip("."))
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        both(distribution, DCTERMS.title, swedish, english_title)
        g.add((distribution, DCAT.accessURL, URIRef(base + "index.html")))
        g.add((distribution, DCAT.downloadURL, URIRef(base + path.name)))
        g.add((distribution, DCTERMS.format, URIRef(EU + "file-type/" + file_type)))
        g.add((distribution, DCAT.mediaType,
               URIRef("https://www.iana.org/assignments/media-types/" + media_type)))
        g.add((distribution, DCTERMS.license, licence))
        if path.is_file():
            g.add((distribution, DCAT.byteSize,
                   Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
    return g


def write_dcat(path: str | Path, open_data: OpenData, *, year: int, years: Sequence[int],
               region_name: str, site_path: str, files: Sequence[Path],
               published: dt.date) -> Path:
    """Write the round's DCAT-AP-SE metadata as RDF/XML."""
    path = Path(path)
    graph = dcat_graph(open_data, year=year, years=years, region_name=region_name,
                       site_path=site_path, files=files, published=published)
    path.write_bytes(graph.serialize(format="pretty-xml", encoding="utf-8"))
    return path


__all__ = ["OpenData", "dcat_graph", "load_open_data", "write_dcat"]
