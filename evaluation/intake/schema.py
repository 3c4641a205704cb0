"""The survey's tables and columns: the one contract between intake, template,
example data and indicators.

Every column has an id (used in code and in tidy tables) and a Swedish label
(used in the survey workbook); an input header may be either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["municipality", "yesno", "count", "text", "sector", "unit_type", "programme"]



@dataclass(frozen=True)
class Column:
    id: str
    label: str
    kind: Kind
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Table:
    id: str
    label: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    supplied_by: str = "kommun"
    aliases: tuple[str, ...] = field(default=())

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)

    @property
    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    @property
    def required_ids(self) -> list[str]:
        return [c.id for c in self.columns if c.required]


MUNICIPALITY = Column("municipality", "Kommun", "municipality", help="Kommunens namn eller kod")


def _yesno(id_: str, label: str, help_: str = "", required: bool = True) -> Column:
    return Column(id_, label, "yesno", required=required, help=help_ or "Ja eller Nej")


def _count(id_: str, label: str, help_: str = "", required: bool = True) -> Column:
    return Column(id_, label, "count", required=required, help=help_ or "Heltal, 0 eller mer")


@dataclass(frozen=True)
class Sector:
    id: str
    label: str
    aliases: tuple[str, ...] = ()


SECTORS: tuple[Sector, ...] = (
    Sector("preschool", "Förskola", ("forskolan", "oppen forskola")),
    Sector("school", "Skola", ("skolan", "grundskola", "elevhalsa", "elevhalsan")),
    Sector("social_services", "Socialtjänst", ("socialtjansten", "soc", "ifo")),
    Sector("health_care", "Hälso- och sjukvård",
           ("halso och sjukvard", "halso- och sjukvarden", "sjukvard", "region", "bvc", "bmm",
            "vardcentral")),
    Sector("civil_society", "Civilsamhälle",
           ("civilsamhallet", "ideell sektor", "forening", "studieforbund", "idrott")),
)

#: The kommun table's yes/no columns, one per sector: the sector is part of the
#: municipality's steering or cooperation group.
GROUP_COLUMNS: tuple[str, ...] = tuple(f"group_{s.id}" for s in SECTORS)

#: The services a family centre or a BMM/BVC unit shares its site with (DESIGN §2, §4):
#: columns of familjecentraler as they are, and of vardenheter as `co_located_<id>`.
CO_LOCATED: dict[str, str] = {
    "open_preschool": "Öppen förskola",
    "social_services": "Förebyggande socialtjänst",
}

KOMMUN = Table(
    "kommun", "Kommun", key=("municipality",),
    description="En rad per kommun: styrning och samverkan kring föräldraskapsstöd.",
    columns=(
        MUNICIPALITY,
        _yesno("steering_group", "Lednings- eller samverkansgrupp finns"),
        *(_yesno(f"group_{s.id}", f"{s.label} ingår i gruppen", required=False)
          for s in SECTORS),
        _yesno("local_plan", "Lokal plan eller strategi för föräldraskapsstöd"),
        _yesno("followup_routine", "Rutin för systematisk uppföljning"),
        Column("coordinator", "Samordnare", "text", required=False, help="Namn eller funktion"),
    ),
)

FAMILJECENTRALER = Table(
    "familjecentraler", "Familjecentraler", key=("municipality", "name"),
    aliases=("familjecentral", "fc"),
    description=("En rad per familjecentral eller familjecentralsliknande verksamhet, "
                 "med de verksamheter som finns på plats."),
    columns=(
        MUNICIPALITY,
        Column("name", "Namn", "text", help="Familjecentralens namn"),
        _yesno("bmm", "Barnmorskemottagning (BMM)"),
        _yesno("bvc", "Barnavårdscentral (BVC)"),
        *(_yesno(id_, label) for id_, label in CO_LOCATED.items()),
    ),
)

PROGRAM = Table(
    "program", "Program", key=("municipality", "programme", "sector"),
    aliases=("programme", "programmes", "programs"),
    description="En rad per föräldraskapsstödsprogram som en sektor i kommunen erbjuder.",
    columns=(
        MUNICIPALITY,
        Column("programme", "Program", "programme", help="Programmets namn enligt listan"),
        Column("sector", "Sektor", "sector", help="Sektorn som erbjuder programmet"),
        _count("groups", "Antal grupper", required=False),
        _count("participants", "Antal föräldrar som påbörjat", required=False),
        _count("participants_women", "Varav kvinnor", required=False),
        _count("participants_men", "Varav män", required=False),
        _count("completed", "Antal föräldrar som fullföljt", required=False),
        _yesno("followed_up", "Följs upp systematiskt", required=False),
        _yesno("evaluated", "Har utvärderats", required=False),
    ),
)

VARDENHETER = Table(
    "vardenheter", "Vårdenheter", key=("municipality", "unit", "unit_type"),
    supplied_by="region", aliases=("vardenhet", "enheter"),
    description="Regionens barnmorskemottagningar (BMM) och barnavårdscentraler (BVC).",
    columns=(
        Column("unit", "Enhet", "text", help="Enhetens namn"),
        Column("unit_type", "Enhetstyp", "unit_type", help="BMM eller BVC"),
        MUNICIPALITY,
        *(_yesno(f"co_located_{id_}", f"Samlokaliserad med {label.lower()}")
          for id_, label in CO_LOCATED.items()),
    ),
)

BEFOLKNING = Table(
    "befolkning", "Befolkning", key=("municipality",), supplied_by="SCB",
    aliases=("population", "folkmangd"),
    description="Antal barn per kommun vid årets slut (SCB).",
    columns=(
        MUNICIPALITY,
        _count("children_0_17", "Antal barn 0–17 år"),
        _count("children_0_5", "Antal barn 0–5 år"),
    ),
)

TABLES: dict[str, Table] = {t.id: t for t in (KOMMUN, FAMILJECENTRALER, PROGRAM, VARDENHETER,
                                               BEFOLKNING)}

#: Tables a round cannot do without: a missing one is a structural fault.
REQUIRED_TABLES: tuple[str, ...] = tuple(TABLES)


UNIT_TYPES: tuple[str, ...] = ("BMM", "BVC")


def table_for_name(name: str) -> Table | None:
    """The table a file or sheet holds, by its name's first word (DESIGN §3)."""
    from evaluation.text import first_word, normalize

    word = normalize(first_word(name))
    for table in TABLES.values():
        if word in {normalize(table.id), normalize(table.label), *map(normalize, table.aliases)}:
            return table
    return None
