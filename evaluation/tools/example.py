"""Synthetic example rounds: what a county's survey answers, the region's list of
BMM/BVC units and SCB's population figures look like when they arrive, faults
included, so that every report and the data-quality section have something to show.

Örebro län (the default) follows a written scenario for 2024 and 2026; later
rounds, and other counties, are drawn at random from the seed with the shapes of
the national survey of 2011 (ÖPP in about 70 % of municipalities, ICDP, COPE,
Komet and Familjeverkstan in about 40 %, about four programmes per municipality).
Counts are drawn from the seed: the same seed gives byte-identical files.

The example data in `data/example/` are written with:

    python -m evaluation example --out data/example --region 18 --seed 0
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side
from openpyxl.utils import get_column_letter

from evaluation.errors import ParameterError
from evaluation.intake.reference import Reference, load_reference
from evaluation.intake.schema import (
    BEFOLKNING,
    FAMILJECENTRALER,
    KOMMUN,
    PROGRAM,
    SECTORS,
    VARDENHETER,
    Table,
)
from evaluation.settings import load_settings
from evaluation.text import strip_diacritics, swedish_sort_key
from evaluation.tools.template import build_template, save_workbook
from evaluation.vocab import ALL_REGIONS, DEFAULT_REGION, ROUNDS, is_national

README = "LASMIG.txt"
_README_MARK = "Syntetiska exempeldata"
GROUP_COLUMNS = ("group_preschool", "group_school", "group_social_services",
                 "group_health_care", "group_civil_society")
#: Letters for the sectors of a steering group, in the order of GROUP_COLUMNS.
_GROUP_LETTERS = "FSOHC"
_SECTOR_LABEL = {s.id: s.label for s in SECTORS}
UNLISTED_PROGRAMME = "Familjeverkstan"


# -- the content of a round ----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One municipality's answers in one round, before anything is written down."""

    group: str | None  # sectors in the steering group as letters of "FSOHC"; None: no group
    local_plan: bool
    routine: bool
    coordinator: str | None
    centres: tuple[tuple[str, str], ...]  # (name, flags "1111" for BMM, BVC, ÖF, soc)
    offers: tuple[str, ...]  # "programme:sector"


@dataclass(frozen=True)
class Unit:
    name: str
    unit_type: str
    municipality: str
    open_preschool: bool
    social_services: bool


@dataclass
class Roles:
    """Who answers how: the shapes offices send (DESIGN §3, "Bad input")."""

    own_workbook: list[str]
    csv_upper: str | None = None  # CSV files, name in capitals, ja/nej in lower case
    csv_plain: str | None = None  # CSV files, name without å ä ö, J/N for yes/no
    combined: list[str] = field(default_factory=list)  # one workbook for several
    late: str | None = None  # does not answer the first round
    largest: str | None = None  # writes "<name> kommun"


def _answer(group: str | None, plan: int, routine: int, coordinator: str | None,
            centres: Iterable[tuple[str, str]], offers: str) -> Answer:
    return Answer(group, bool(plan), bool(routine), coordinator, tuple(centres),
                  tuple(offers.split()))


_FHS = "Folkhälsostrateg"
_FHSAM = "Folkhälsosamordnare"
_SAMORDNARE = "Samordnare för föräldraskapsstöd"
_FC = "Familjecentralen "

#: Örebro län: the written scenario (baseline 2024, follow-up 2026).
OREBRO_ANSWERS: dict[int, dict[str, Answer]] = {
    2024: {
        "1880": _answer("FSOHC", 1, 1, _SAMORDNARE,
                        [(_FC + "Vivalla", "1111"), (_FC + "Varberga", "1111"),
                         (_FC + "Brickebacken", "1111"), (_FC + "Baronbackarna", "1111"),
                         (_FC + "Oxhagen", "0110")],
                        "opp:school abc:preschool abc:social_services cope:social_services "
                        "komet:social_services icdp:health_care "
                        "incredible_years:social_services aft:civil_society "
                        "connect:social_services"),
        "1883": _answer("FSOH", 1, 0, _FHS, [(_FC + "Karlskoga", "1111")],
                        "opp:school cope:social_services komet:social_services abc:preschool"),
        "1881": _answer("FOH", 0, 0, _FHS, [(_FC + "Kumla", "1111")],
                        "cope:preschool icdp:health_care familjeverkstan:civil_society "
                        "aft:school"),
        "1885": _answer("FSOH", 0, 1, _FHSAM,
                        [(_FC + "Lindesberg", "1111"), (_FC + "Fellingsbro", "0111")],
                        "opp:school komet:social_services abc:social_services "
                        "aft:civil_society"),
        "1861": _answer(None, 0, 0, None, [(_FC + "Hallsberg", "1111")],
                        "opp:school cope:social_services abc:preschool "
                        "familjeverkstan:civil_society"),
        "1814": _answer("FSOH", 1, 0, _FHS, [(_FC + "Fjugesta", "1111")],
                        "abc:preschool icdp:health_care aft:civil_society"),
        "1884": _answer(None, 0, 0, _FHSAM, [(_FC + "Nora", "1111")],
                        "opp:school komet:social_services connect:school"),
        "1882": _answer("FSO", 0, 0, None, [(_FC + "Askersund", "1111")],
                        "opp:school abc:preschool foraldrastegen:civil_society"),
        "1862": _answer("FSOH", 0, 0, _FHS, [("Familjens hus Degerfors", "0110")],
                        "opp:school cope:social_services connect:social_services"),
        "1863": _answer(None, 0, 0, None, [],
                        "icdp:preschool komet:social_services familjeverkstan:social_services"),
        "1860": _answer("SOH", 0, 0, _FHSAM, [(_FC + "Laxå", "1110")],
                        "opp:school icdp:preschool familjeverkstan:civil_society"),
    },
}
_A24 = OREBRO_ANSWERS[2024]
OREBRO_ANSWERS[2026] = {
    "1880": replace(_A24["1880"], centres=_A24["1880"].centres + ((_FC + "Mikrolund", "0111"),),
                    offers=_A24["1880"].offers + ("triple_p:health_care",)),
    "1883": replace(_A24["1883"], group="FSOHC", routine=True,
                    offers=_A24["1883"].offers + ("connect:social_services", "icdp:preschool")),
    "1881": replace(_A24["1881"], group="FSOHC", local_plan=True,
                    offers=_A24["1881"].offers + ("abc:preschool", "komet:social_services")),
    "1885": replace(_A24["1885"], local_plan=True,
                    offers=_A24["1885"].offers + ("cope:school",)),
    # Hallsberg stops offering COPE.
    "1861": replace(_A24["1861"], offers=("opp:school", "abc:preschool",
                                          "familjeverkstan:civil_society", "aft:school")),
    "1814": replace(_A24["1814"], group="FSOHC", routine=True,
                    offers=_A24["1814"].offers + ("opp:school", "komet:social_services")),
    "1884": replace(_A24["1884"], group="SOHC", local_plan=True,
                    offers=_A24["1884"].offers + ("abc:preschool",)),
    "1882": replace(_A24["1882"], routine=True,
                    offers=_A24["1882"].offers + ("cope:social_services",)),
    "1862": replace(_A24["1862"], local_plan=True,
                    centres=(("Familjens hus Degerfors", "0111"),),
                    offers=_A24["1862"].offers + ("abc:school",)),
    "1863": replace(_A24["1863"], group="SOH", centres=((_FC + "Hällefors", "0111"),),
                    offers=_A24["1863"].offers + ("aft:civil_society",)),
    # Laxå's first evidence-based programme.
    "1860": replace(_A24["1860"], offers=_A24["1860"].offers + ("abc:social_services",)),
    # Ljusnarsberg answers for the first time.
    "1864": _answer("SOH", 0, 0, None, [], "icdp:preschool aft:school"),
}

_VC, _BM = "Vårdcentralen ", "Barnmorskemottagningen "
#: (name, type, municipality, co-location 2024, co-location 2026) as "ÖF soc" flags.
_OREBRO_UNITS: tuple[tuple[str, str, str, str, str], ...] = (
    *((_VC + n, "BVC", "1880", a, b) for n, a, b in (
        ("Vivalla", "11", "11"), ("Varberga", "11", "11"), ("Brickebacken", "11", "11"),
        ("Baronbackarna", "11", "11"), ("Oxhagen", "10", "10"), ("Mikrolund", "00", "11"),
        ("Adolfsberg", "00", "00"), ("Tybble", "00", "00"), ("Väster", "00", "00"),
        ("Nyckeln", "00", "10"), ("Skebäck", "00", "00"), ("Hovsta", "00", "00"))),
    *((_BM + n, "BMM", "1880", a, b) for n, a, b in (
        ("Vivalla", "11", "11"), ("Varberga", "11", "11"), ("Brickebacken", "11", "11"),
        ("Baronbackarna", "11", "11"), ("Väster", "00", "00"), ("Adolfsberg", "00", "00"))),
    (_VC + "Karlskoga", "BVC", "1883", "11", "11"),
    (_VC + "Granbergsdal", "BVC", "1883", "00", "00"),
    (_VC + "Bregården", "BVC", "1883", "00", "10"),
    (_BM + "Karlskoga", "BMM", "1883", "11", "11"),
    (_VC + "Kumla", "BVC", "1881", "11", "11"),
    (_VC + "Hällabrottet", "BVC", "1881", "00", "00"),
    (_BM + "Kumla", "BMM", "1881", "11", "11"),
    (_VC + "Lindesberg", "BVC", "1885", "11", "11"),
    (_VC + "Fellingsbro", "BVC", "1885", "11", "11"),
    (_VC + "Frövi", "BVC", "1885", "00", "00"),
    (_BM + "Lindesberg", "BMM", "1885", "11", "11"),
    (_VC + "Hallsberg", "BVC", "1861", "11", "11"),
    (_BM + "Hallsberg", "BMM", "1861", "11", "11"),
    (_VC + "Fjugesta", "BVC", "1814", "11", "11"),
    (_BM + "Fjugesta", "BMM", "1814", "11", "11"),
    (_VC + "Nora", "BVC", "1884", "11", "11"),
    (_BM + "Nora", "BMM", "1884", "11", "11"),
    (_VC + "Askersund", "BVC", "1882", "11", "11"),
    (_BM + "Askersund", "BMM", "1882", "11", "11"),
    (_VC + "Degerfors", "BVC", "1862", "10", "11"),
    (_BM + "Degerfors", "BMM", "1862", "00", "00"),
    (_VC + "Hällefors", "BVC", "1863", "00", "11"),
    (_BM + "Hällefors", "BMM", "1863", "00", "00"),
    (_VC + "Laxå", "BVC", "1860", "10", "10"),
    (_BM + "Laxå", "BMM", "1860", "10", "10"),
    (_VC + "Kopparberg", "BVC", "1864", "00", "00"),
    (_BM + "Kopparberg", "BMM", "1864", "00", "00"),
)

OREBRO_ROLES = Roles(
    own_workbook=["1880", "1883", "1885", "1882", "1862", "1814", "1864"],
    csv_upper="1884", csv_plain="1863", combined=["1861", "1881", "1860"],
    late="1864", largest="1880",
)

# -- how programmes are run: people per group, share of women, whether completion is
#    recorded, children per group offered (a larger number: fewer groups) -------------

@dataclass(frozen=True)
class _Shape:
    per_group: tuple[int, int]
    women: tuple[float, float]
    completion_recorded: bool = True
    children_per_group: int = 5000


_SHAPES: dict[str, _Shape] = {
    "opp": _Shape((10, 16), (0.52, 0.62), completion_recorded=False, children_per_group=700),
    "abc": _Shape((8, 12), (0.68, 0.82)),
    "cope": _Shape((10, 16), (0.62, 0.75), children_per_group=4000),
    "komet": _Shape((6, 10), (0.6, 0.72)),
    "icdp": _Shape((5, 8), (0.7, 0.85), children_per_group=3500),
    "connect": _Shape((8, 12), (0.65, 0.78)),
    "triple_p": _Shape((6, 10), (0.65, 0.8)),
    "incredible_years": _Shape((6, 10), (0.62, 0.75)),
    "foraldrastegen": _Shape((8, 12), (0.6, 0.72)),
    "aft": _Shape((8, 14), (0.62, 0.75), children_per_group=6000),
}
_DEFAULT_SHAPE = _Shape((6, 10), (0.7, 0.85), children_per_group=6000)

#: How often municipalities offer a programme (FHI 2011) and which sectors run it.
_UPTAKE: dict[str, tuple[float, tuple[str, ...]]] = {
    "opp": (0.7, ("school",)),
    "icdp": (0.4, ("preschool", "health_care")),
    "cope": (0.4, ("social_services", "preschool", "school")),
    "komet": (0.4, ("social_services",)),
    "familjeverkstan": (0.4, ("civil_society", "social_services")),
    "abc": (0.35, ("preschool", "social_services", "school")),
    "connect": (0.15, ("social_services", "school")),
    "aft": (0.15, ("civil_society", "school")),
    "triple_p": (0.08, ("health_care", "social_services")),
    "incredible_years": (0.08, ("social_services",)),
    "foraldrastegen": (0.05, ("civil_society",)),
}

#: How a programme is written by hand rather than chosen from the survey's list.
_COMMON_NAMES = {"opp": "ÖPP", "abc": "ABC", "cope": "COPE", "komet": "Komet",
                 "connect": "Connect", "icdp": "ICDP", "triple_p": "Triple P",
                 "incredible_years": "De otroliga åren", "foraldrastegen": "Föräldrastegen",
                 "aft": "Älskade förbannade tonåring", "familjeverkstan": UNLISTED_PROGRAMME}


# -- drawing the figures -------------------------------------------------------------------


def _rng(seed: int, *keys: int) -> np.random.Generator:
    """One stream per purpose, so that changing one municipality leaves the others."""
    return np.random.default_rng([seed, *keys])


def _offer_record(rng: np.random.Generator, code: str, offer: str, children: int,
                  small: bool, evidence_based: bool) -> dict[str, object]:
    programme, sector = offer.split(":")
    shape = _SHAPES.get(programme, _DEFAULT_SHAPE)
    low, high = shape.per_group
    if small and programme != "opp":
        groups, participants = 1, int(rng.integers(2, 6))
    else:
        groups = max(1, round(children / shape.children_per_group * rng.uniform(0.7, 1.3)))
        participants = int(rng.integers(low, high + 1, size=groups).sum())
    women = round(participants * rng.uniform(*shape.women))
    unknown_sex = int(rng.integers(1, 3)) if participants > 8 and rng.random() < 0.15 else 0
    men = max(participants - women - unknown_sex, 0)
    completed = round(participants * rng.uniform(0.6, 0.9)) if shape.completion_recorded \
        else None
    followed = bool(rng.random() < (0.85 if evidence_based else 0.4))
    evaluated: bool | None = bool(rng.random() < 0.2)
    if rng.random() < 0.1:
        evaluated = None
    record: dict[str, object] = {
        "municipality": code, "programme": programme, "sector": sector, "groups": groups,
        "participants": participants, "participants_women": women, "participants_men": men,
        "completed": completed, "followed_up": followed, "evaluated": evaluated,
    }
    if programme == "familjeverkstan" and sector == "civil_society":
        # Civil society seldom counts parents by sex.
        record["participants_women"] = record["participants_men"] = None
    return record


def _kommun_record(code: str, answer: Answer) -> dict[str, object]:
    record: dict[str, object] = {
        "municipality": code, "steering_group": answer.group is not None,
        "local_plan": answer.local_plan, "followup_routine": answer.routine,
        "coordinator": answer.coordinator,
    }
    for letter, column in zip(_GROUP_LETTERS, GROUP_COLUMNS, strict=True):
        record[column] = None if answer.group is None else letter in answer.group
    return record


def _centre_records(code: str, answer: Answer) -> list[dict[str, object]]:
    return [
        {"municipality": code, "name": name, "bmm": flags[0] == "1", "bvc": flags[1] == "1",
         "open_preschool": flags[2] == "1", "social_services": flags[3] == "1"}
        for name, flags in answer.centres
    ]


def _unit_record(unit: Unit) -> dict[str, object]:
    return {"unit": unit.name, "unit_type": unit.unit_type, "municipality": unit.municipality,
            "co_located_open_preschool": unit.open_preschool,
            "co_located_social_services": unit.social_services}


@dataclass
class _Round:
    """One round's canonical content, by municipality code."""

    year: int
    answers: dict[str, Answer]
    units: list[Unit]
    programmes: dict[str, list[dict[str, object]]] = field(default_factory=dict)


# -- random scenarios: later rounds, other counties ---------------------------------------


def _random_offers(rng: np.random.Generator) -> tuple[str, ...]:
    offers = []
    for programme, (share, sectors) in _UPTAKE.items():
        if rng.random() < share:
            offers.append(f"{programme}:{sectors[int(rng.integers(len(sectors)))]}")
    if not offers:
        offers.append("opp:school")
    return tuple(offers)


def _random_group(rng: np.random.Generator) -> str:
    size = int(rng.integers(3, 6))
    picked = sorted(rng.choice(len(_GROUP_LETTERS), size=size, replace=False).tolist())
    return "".join(_GROUP_LETTERS[i] for i in picked)


def _random_round(rng: np.random.Generator, names: dict[str, str],
                  children: dict[str, int]) -> tuple[dict[str, Answer], list[Unit]]:
    answers, units = {}, []
    for code in sorted(names):
        name, kids = names[code], children[code]
        full = max(1, round(kids / 6000)) if rng.random() < 0.8 else 0
        centres = [(f"{_FC}{name}" + (f" {i + 1}" if full > 1 else ""), "1111")
                   for i in range(full)]
        if rng.random() < 0.3:
            centres.append((f"Familjens hus {name}", "0110"))
        answers[code] = Answer(
            group=_random_group(rng) if rng.random() < 0.6 else None,
            local_plan=bool(rng.random() < 0.3), routine=bool(rng.random() < 0.2),
            coordinator=_FHS if rng.random() < 0.6 else None, centres=tuple(centres),
            offers=_random_offers(rng),
        )
        n_bvc, n_bmm = max(1, round(kids / 2800)), max(1, round(kids / 5500))
        for kind, count in (("BVC", n_bvc), ("BMM", n_bmm)):
            prefix = _VC if kind == "BVC" else _BM
            for i in range(count):
                together = i < full
                units.append(Unit(f"{prefix}{name}" + (f" {i + 1}" if count > 1 else ""),
                                  kind, code, together, together))
    return answers, units


def _progress(rng: np.random.Generator, answers: dict[str, Answer], units: list[Unit],
              codes: Iterable[str]) -> tuple[dict[str, Answer], list[Unit]]:
    """Two years on: some municipalities form groups, adopt plans and new programmes."""
    moved: dict[str, Answer] = {}
    for code in codes:
        previous = answers.get(code)
        if previous is None:
            moved[code] = Answer(None, False, False, None, (), _random_offers(rng))
            continue
        group = previous.group
        if group is None and rng.random() < 0.5:
            group = _random_group(rng)
        elif group is not None and len(group) < 5 and rng.random() < 0.5:
            missing = [c for c in _GROUP_LETTERS if c not in group]
            group = "".join(sorted(group + missing[0], key=_GROUP_LETTERS.index))
        offers = list(previous.offers)
        offered = {o.split(":")[0] for o in offers}
        candidates = [p for p in _UPTAKE if p not in offered]
        if candidates and rng.random() < 0.5:
            programme = candidates[int(rng.integers(len(candidates)))]
            sectors = _UPTAKE[programme][1]
            offers.append(f"{programme}:{sectors[int(rng.integers(len(sectors)))]}")
        if len(offers) > 2 and rng.random() < 0.1:
            offers.pop(int(rng.integers(len(offers))))
        moved[code] = replace(
            previous, group=group,
            local_plan=previous.local_plan or bool(rng.random() < 0.35),
            routine=previous.routine or bool(rng.random() < 0.3), offers=tuple(offers),
        )
    moved_units = [
        replace(u, open_preschool=u.open_preschool or bool(rng.random() < 0.2),
                social_services=u.social_services or bool(rng.random() < 0.15))
        for u in units
    ]
    return moved, moved_units


def _random_roles(children: dict[str, int], names: dict[str, str]) -> Roles:
    by_size = sorted(children, key=lambda c: (-children[c], c))
    roles = Roles(own_workbook=list(by_size), largest=by_size[0])
    if len(by_size) >= 2:
        roles.late = by_size[-1]
    if len(by_size) >= 8:
        roles.combined = sorted(by_size[-4:-1])
        roles.csv_upper = by_size[3]
        rest = [c for c in by_size[1:-4] if c != roles.csv_upper]
        with_marks = [c for c in rest if strip_diacritics(names[c]) != names[c]]
        roles.csv_plain = (with_marks or rest)[0]
        taken = {*roles.combined, roles.csv_upper, roles.csv_plain}
        roles.own_workbook = [c for c in by_size if c not in taken]
    return roles


# -- writing what offices write -------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How one file writes names, yes/no and programmes."""

    names: dict[str, object] = field(default_factory=dict)  # code -> written form
    yes: object = "Ja"
    no: object = "Nej"
    group_yes: object | None = None
    group_no: object | None = None
    programme: Callable[[str], str] | None = None  # id -> written; default: list name
    sector: dict[str, str] = field(default_factory=dict)  # id -> written; default: label


def _render(table: Table, record: dict[str, object], style: _Style,
            reference: Reference, catalogue_names: dict[str, str]) -> list[object]:
    row: list[object] = []
    for col in table.columns:
        value = record.get(col.id)
        if value is None:
            row.append(None)
        elif col.kind == "municipality":
            row.append(style.names.get(str(value), reference.municipality_name(str(value))))
        elif col.kind == "yesno":
            yes, no = style.yes, style.no
            if col.id in GROUP_COLUMNS and style.group_yes is not None:
                yes, no = style.group_yes, style.group_no
            row.append(yes if value else no)
        elif col.kind == "programme":
            written = style.programme(str(value)) if style.programme else None
            row.append(written or catalogue_names.get(str(value))
                       or _COMMON_NAMES.get(str(value), str(value)))
        elif col.kind == "sector":
            row.append(style.sector.get(str(value), _SECTOR_LABEL[str(value)]))
        else:
            row.append(value)
    return row


def _write_csv(path: Path, header: Sequence[object], rows: Iterable[Sequence[object]],
               encoding: str, *, title: str | None = None, quote_all: bool = False,
               trailing_blank: bool = False) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n",
                        quoting=csv.QUOTE_NONNUMERIC if quote_all else csv.QUOTE_MINIMAL)
    if title is not None:
        writer.writerow([title])
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    if trailing_blank:
        buffer.write(";" * (len(header) - 1) + "\r\n")
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _thousands(number: int, separator: str = " ") -> str:
    return f"{number:,}".replace(",", separator)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", strip_diacritics(name).casefold()).strip("_")


@dataclass
class _Writer:
    """Writes one round's folder and keeps the notes LASMIG.txt is made of."""

    folder: Path
    year: int
    region: str
    reference: Reference
    catalogue_names: dict[str, str]
    seed: int
    files: list[tuple[Path, str]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    def full_name(self, code: str) -> str:
        """"Askersunds kommun", as the reference spells it."""
        return str(self.reference.municipalities.set_index("code").at[code, "name"])

    def owner(self, code: str) -> str:
        """The municipality's name in the genitive: "Askersunds kommuns"."""
        name = self.full_name(code)
        return name if name.endswith("s") else name + "s"

    def stamp(self) -> dt.datetime:
        """A fixed, plausible save time per file: reproducible bytes."""
        return dt.datetime(self.year, 3, 2, 9, 0) + dt.timedelta(hours=len(self.files))

    def rows(self, table: Table, records: Iterable[dict[str, object]],
             style: _Style) -> list[list[object]]:
        return [_render(table, r, style, self.reference, self.catalogue_names)
                for r in records]

    def survey_workbook(self, code: str, kommun: list[list[object]],
                        centres: list[list[object]], programmes: list[list[object]],
                        trailing_blank: bool = False) -> Path:
        name = self.reference.municipality_name(code)
        wb = build_template(self.year, self.region, reference=self.reference)
        for sheet, rows in ((KOMMUN.label, kommun), (FAMILJECENTRALER.label, centres),
                            (PROGRAM.label, programmes)):
            ws = wb[sheet]
            for number, row in enumerate(rows, start=2):
                for column, value in enumerate(row, start=1):
                    if value is not None:
                        ws.cell(row=number, column=column, value=value)
        if trailing_blank:
            # Cells formatted but left empty below the answers, as Excel keeps them.
            ws = wb[PROGRAM.label]
            thin = Side(style="thin")
            for column in range(1, len(PROGRAM.columns) + 1):
                ws.cell(row=len(programmes) + 2, column=column).border = Border(bottom=thin)
        wb.properties.lastModifiedBy = f"{name} kommun"
        path = self.folder / f"enkat_{_slug(name)}.xlsx"
        save_workbook(wb, path, self.stamp())
        self.files.append((path, f"{self.owner(code)} enkätsvar i enkätens arbetsbok "
                                 "(flikarna Kommun, Familjecentraler och Program)"))
        return path

    def plain_workbook(self, filename: str, sheets: dict[str, tuple[list[object], ...]],
                       description: str, title_rows: dict[str, str] | None = None) -> Path:
        wb = Workbook()
        wb.remove(wb.active)
        for sheet, (header, *rows) in sheets.items():
            ws = wb.create_sheet(sheet)
            title = (title_rows or {}).get(sheet)
            if title is not None:
                ws.append([title])
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
                ws.cell(row=1, column=1).font = Font(bold=True, size=12)
            ws.append(header)
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append(row)
            for index, label in enumerate(header, start=1):
                width = min(max(len(str(label)) + 2, 10), 40)
                ws.column_dimensions[get_column_letter(index)].width = width
        path = self.folder / filename
        save_workbook(wb, path, self.stamp())
        self.files.append((path, description))
        return path

    def csv(self, filename: str, description: str, header: Sequence[object],
            rows: Iterable[Sequence[object]], encoding: str, **options: object) -> Path:
        path = _write_csv(self.folder / filename, header, rows, encoding, **options)
        self.files.append((path, description))
        return path


_ENCODING_NAMES = {"utf-8-sig": "UTF-8 med BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}


def _labels(table: Table, columns: Sequence[str] | None = None) -> list[object]:
    return [c.label for c in table.columns if columns is None or c.id in columns]


def _pick(records: list[dict[str, object]], evidence_based: set[str]) -> dict[str, object]:
    """The last row of a programme outside the evidence-based classes, with participants,
    so a planted fault does not decide an indicator's story."""
    fitting = [r for r in records
               if r["programme"] not in evidence_based and r.get("participants")]
    return (fitting or records)[-1]


def _plant_completed_fault(content: _Round, roles: Roles, index: int,
                           evidence_based: set[str]) -> dict[str, object] | None:
    """A planted rejection: more parents completed than started."""
    candidates = roles.combined if index % 2 == 0 else roles.own_workbook[1:2]
    candidates = [c for c in candidates if content.programmes.get(c)]
    if not candidates:
        return None
    target = _pick([r for c in candidates for r in content.programmes[c]], evidence_based)
    target["completed"] = int(target["participants"]) + 3  # type: ignore[call-overload]
    return target


def _completed_note(file: str, sheet: str, record: dict[str, object],
                    names: dict[str, str]) -> str:
    return (f"{file}, fliken {sheet}: {names[str(record['municipality'])]}, "
            f"{_COMMON_NAMES.get(str(record['programme']), record['programme'])}: fler har "
            f"fullföljt ({record['completed']}) än påbörjat ({record['participants']}); "
            "raden avvisas.")


def _records(content: _Round, code: str) -> tuple[list, list, list]:
    answer = content.answers[code]
    return ([_kommun_record(code, answer)], _centre_records(code, answer),
            content.programmes[code])


def _write_own_workbooks(writer: _Writer, content: _Round, roles: Roles,
                         fault: dict[str, object] | None, names: dict[str, str]) -> None:
    """Municipalities answering their own survey workbook; the largest writes
    "<name> kommun" and leaves formatted empty cells below its programmes."""
    for code in roles.own_workbook:
        if code not in content.answers:
            continue
        kommun, centres, programmes = _records(content, code)
        largest = code == roles.largest
        full_name = writer.full_name(code)
        path = writer.survey_workbook(
            code,
            writer.rows(KOMMUN, kommun, _Style(names={code: full_name} if largest else {})),
            writer.rows(FAMILJECENTRALER, centres, _Style()),
            writer.rows(PROGRAM, programmes, _Style()),
            trailing_blank=largest,
        )
        if largest:
            writer.faults.append(f"{path.name}, fliken Kommun: kommunen skriven ”{full_name}”.")
            writer.faults.append(f"{path.name}, fliken Program: formaterade men tomma celler "
                                 "under svaren (en tom rad).")
        if fault is not None and fault["municipality"] == code:
            writer.faults.append(_completed_note(path.name, "Program", fault, names))


def _write_csv_upper(writer: _Writer, content: _Round, code: str, name: str,
                     index: int) -> None:
    """CSV files: the name in capitals, ja/nej in lower case, UTF-8 with BOM and
    Windows-1252 mixed, a repeated row and a trailing row of bare separators."""
    slug = _slug(name)
    written = name.upper()
    style = _Style(names={code: written}, yes="ja", no="nej",
                   programme=lambda p: {"opp": "EFFEKT"}.get(p, _COMMON_NAMES.get(p, "")),
                   sector={"social_services": "IFO", "school": "skolan"})
    kommun, centres, programmes = _records(content, code)
    owner = writer.owner(code)
    writer.csv(f"kommun_{slug}.csv", f"{owner} svar, tabellen Kommun", _labels(KOMMUN),
               writer.rows(KOMMUN, kommun, style), "utf-8-sig")
    writer.faults.append(f"kommun_{slug}.csv: kommunen skriven ”{written}”, ja/nej med "
                         "små bokstäver.")
    if centres:
        writer.csv(f"familjecentraler_{slug}.csv", f"{owner} svar, tabellen Familjecentraler",
                   _labels(FAMILJECENTRALER), writer.rows(FAMILJECENTRALER, centres, style),
                   "utf-8-sig")
    rows = writer.rows(PROGRAM, programmes, style)
    if index % 2 == 0:
        rows.append(list(rows[-1]))
        writer.faults.append(f"program_{slug}.csv: raden för {rows[-1][1]} finns två gånger "
                             "(den andra avvisas som dubblett).")
    writer.csv(f"program_{slug}.csv", f"{owner} svar, tabellen Program", _labels(PROGRAM),
               rows, "cp1252", trailing_blank=True)
    writer.faults.append(f"program_{slug}.csv: en tom rad (bara semikolon) sist i filen.")


def _write_csv_plain(writer: _Writer, content: _Round, code: str, name: str) -> None:
    """CSV files in Windows-1252: the name without å ä ö, J/N for yes/no."""
    slug = _slug(name)
    written = strip_diacritics(name)
    style = _Style(names={code: written}, yes="J", no="N",
                   programme=lambda p: {"icdp": "Vägledande samspel"}.get(
                       p, _COMMON_NAMES.get(p, "")),
                   sector={"preschool": "Förskolan", "social_services": "Socialtjänsten"})
    kommun, centres, programmes = _records(content, code)
    owner = writer.owner(code)
    without_coordinator = [c for c in KOMMUN.column_ids if c != "coordinator"]
    writer.csv(f"kommun_{slug}.csv", f"{owner} svar, tabellen Kommun",
               _labels(KOMMUN, without_coordinator),
               [r[:-1] for r in writer.rows(KOMMUN, kommun, style)], "cp1252")
    if centres:
        writer.csv(f"familjecentraler_{slug}.csv", f"{owner} svar, tabellen Familjecentraler",
                   _labels(FAMILJECENTRALER), writer.rows(FAMILJECENTRALER, centres, style),
                   "cp1252")
    writer.csv(f"program_{slug}.csv", f"{owner} svar, tabellen Program", _labels(PROGRAM),
               writer.rows(PROGRAM, programmes, style), "cp1252")
    spelled = f"kommunen skriven ”{written}” (utan å, ä, ö), " if written != name else ""
    writer.faults.append(f"kommun_{slug}.csv och program_{slug}.csv: {spelled}"
                         "ja/nej som J och N.")


def _write_combined(writer: _Writer, content: _Round, codes: list[str], index: int,
                    fault: dict[str, object] | None, names: dict[str, str]) -> None:
    """One workbook for several municipalities: X for the group's sectors, 1/0 for
    yes/no and a title row above the programmes' header."""
    year = writer.year
    kommun = writer.rows(KOMMUN, [_kommun_record(c, content.answers[c]) for c in codes],
                         _Style(group_yes="X", group_no="Nej"))
    centres = writer.rows(FAMILJECENTRALER,
                          [r for c in codes for r in _centre_records(c, content.answers[c])],
                          _Style())
    programmes = writer.rows(PROGRAM, [r for c in codes for r in content.programmes[c]],
                             _Style(yes=1, no=0, programme=_COMMON_NAMES.get))
    filename, sheet = "samlad_enkat.xlsx", f"{PROGRAM.label} {year}"
    if index % 2 == 1 and programmes:
        programmes.append(list(programmes[-1]))
        writer.faults.append(f"{filename}, fliken {sheet}: raden för {programmes[-1][0]}, "
                             f"{programmes[-1][1]} finns två gånger (den andra avvisas som "
                             "dubblett).")
    who = ", ".join(names[c] for c in codes)
    writer.plain_workbook(
        filename,
        {KOMMUN.label: (_labels(KOMMUN), *kommun),
         FAMILJECENTRALER.label: (_labels(FAMILJECENTRALER), *centres),
         sheet: (_labels(PROGRAM), *programmes)},
        f"Samlade enkätsvar för {who} i en arbetsbok",
        title_rows={sheet: f"Föräldraskapsstöd {year}: program i {who}"},
    )
    writer.faults.append(f"{filename}, fliken Kommun: sektorerna i gruppen markerade med X.")
    writer.faults.append(f"{filename}, fliken {sheet}: en rubrikrad (sammanslagna celler) "
                         "ovanför kolumnrubrikerna; ja/nej som 1 och 0.")
    if fault is not None and fault["municipality"] in codes:
        writer.faults.append(_completed_note(filename, sheet, fault, names))


def _write_units(writer: _Writer, content: _Round, names: dict[str, str],
                 example_code: str) -> None:
    """The region's BMM and BVC units, each municipality given by its code."""
    units = [_unit_record(u) for u in content.units]
    by_code = _Style(names={c: int(c) for c in names})
    writer.plain_workbook(
        "vardenheter.xlsx",
        {VARDENHETER.label: (_labels(VARDENHETER), *writer.rows(VARDENHETER, units, by_code))},
        "Regionens barnmorskemottagningar (BMM) och barnavårdscentraler (BVC), med "
        "samlokalisering",
    )
    writer.faults.append(f"vardenheter.xlsx: kommunerna anges med kod, till exempel "
                         f"{int(example_code)} för {names[example_code]}.")


def _write_round(writer: _Writer, content: _Round, roles: Roles, names: dict[str, str],
                 children: dict[str, dict[int, int]], index: int,
                 evidence_based: set[str]) -> None:
    answered = set(content.answers)
    fault = _plant_completed_fault(content, roles, index, evidence_based)
    _write_own_workbooks(writer, content, roles, fault, names)
    if roles.csv_upper in answered:
        _write_csv_upper(writer, content, roles.csv_upper, names[roles.csv_upper], index)
    if roles.csv_plain in answered:
        _write_csv_plain(writer, content, roles.csv_plain, names[roles.csv_plain])
    combined = [c for c in roles.combined if c in answered]
    if combined:
        _write_combined(writer, content, combined, index, fault, names)
    _write_units(writer, content, names, roles.largest or min(names))
    unlisted = sorted({str(r["programme"]) for rows in content.programmes.values()
                       for r in rows if r["programme"] not in writer.catalogue_names})
    if unlisted:
        shown = ", ".join(_COMMON_NAMES.get(p, p) for p in unlisted)
        writer.faults.append(f"Programmet {shown} finns inte i programkatalogen: det tas med "
                             "som oklassificerat program, med en varning.")
    # Population: a simple table in one round, SCB's own export in the next.
    _write_population(writer, names, children, index)


def _write_population(writer: _Writer, names: dict[str, str],
                      children: dict[str, dict[int, int]], index: int) -> None:
    year = writer.year
    codes = sorted(names, key=lambda c: swedish_sort_key(names[c]))
    if index % 2 == 0:
        second = sorted(names, key=lambda c: -children[c][year])[1] if len(names) > 1 else ""
        rows = [[names[c],
                 _thousands(round(children[c][year] * 18 / 16),
                            "\u00a0" if c == second else " "),
                 _thousands(round(children[c][year] * 6 / 16))]
                for c in codes]
        writer.csv("befolkning.csv", "Antal barn 0–17 och 0–5 år per kommun",
                   _labels(BEFOLKNING), rows, "utf-8")
        return
    header, rows = _scb_ages(writer, names, children)
    writer.csv("befolkning_scb.csv",
               "Folkmängd per kommun och ålder 0–17 år, i samma form som SCB:s tabellexport",
               header, rows, "cp1252", title=f"Folkmängd 31 december {year} efter region och "
               "ålder", quote_all=True)


# -- population --------------------------------------------------------------------------


def _children(reference: Reference, codes: list[str], seed: int,
              years: Sequence[int]) -> tuple[dict[str, dict[int, int]], bool]:
    """Children aged 0–15 per municipality and round: SCB's 2023 figure where the
    reference has it, with a small drift each year; invented otherwise."""
    base = {}
    population = reference.population
    known = True
    for code in codes:
        hit = population.loc[population["code"] == code, "population_0_15"] \
            if len(population) else []
        if len(hit):
            base[code] = int(hit.iloc[0])
        else:
            known = False
            base[code] = int(np.clip(_rng(seed, int(code), 1).lognormal(np.log(2500), 0.8),
                                     300, 150_000))
    return _drift(base, seed, years), known


def _drift(base: dict[str, int], seed: int, years: Sequence[int]) -> dict[str, dict[int, int]]:
    """A small random change in the number of children each year since 2023."""
    result: dict[str, dict[int, int]] = {}
    for code in base:
        rng = _rng(seed, int(code), 2)
        level, result[code] = 1.0, {}
        previous = 2023
        for year in sorted(years):
            for _ in range(year - previous):
                level *= 1 + rng.normal(-0.005, 0.008)
            previous = year
            result[code][year] = round(base[code] * level)
    return result


# -- readme -------------------------------------------------------------------------------


def _readme(writer: _Writer, county: str, seed: int, region: str, known: bool,
            late: str | None) -> Path:
    lines = [
        f"{_README_MARK} – uppföljning av strategin för föräldraskapsstöd 2024–2030",
        f"Omgång {writer.year}, {county}",
        "",
        "Syntetiska exempeldata: inga uppgifter i den här mappen beskriver någon verklig "
        "kommuns arbete. Filerna visar hur en omgångs underlag kan se ut när det kommer in "
        "och används för att prova verktyget och dess rapporter.",
        "",
        "Skapade med:",
        f"    python -m evaluation example --out DATA --region {region} --seed {seed}",
        "",
        "Filer",
        *(f"- {path.name}: {text}" for path, text in sorted(writer.files)),
        "",
        "Befolkning",
    ]
    if known:
        lines.append(
            "Antalet barn är räknat fram ur SCB:s folkmängd 0–15 år den 31 december 2023 "
            "(Regionfakta), med en liten slumpmässig förändring per år: 0–17 år ≈ 0–15 år × "
            "18/16 och 0–5 år ≈ 0–15 år × 6/16; i SCB-formatet är varje årskull ≈ 0–15 år "
            "/ 16. Siffrorna är alltså inte SCB:s statistik för omgångens år.")
    else:
        lines.append(
            "Antalet barn är påhittat (slumpat), inte hämtat från SCB: 0–17 år ≈ ett "
            "påhittat antal 0–15 år × 18/16 och 0–5 år ≈ 0–15 år × 6/16.")
    if late is not None:
        lines += ["", f"{late} besvarade inte enkäten den här omgången men finns med i "
                      "vardenheter och befolkning."]
    lines += [
        "",
        "Avsiktliga fel",
        "Underlaget innehåller några fel av de slag som förekommer i verkliga filer, så att "
        "avsnittet om datakvalitet har något att visa:",
        *(f"- {fault}" for fault in writer.faults),
        "",
    ]
    path = writer.folder / README
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# -- the public function ------------------------------------------------------------------


def _prepare_folder(folder: Path) -> None:
    """Clear an earlier example round; refuse to write into a folder of real data."""
    if not folder.exists():
        folder.mkdir(parents=True)
        return
    existing = [p for p in folder.iterdir() if p.is_file()]
    readme = folder / README
    ours = readme.is_file() and readme.read_text(encoding="utf-8").startswith(_README_MARK)
    if existing and not ours:
        raise ParameterError(f"{folder} already holds files that are not example data; "
                             "choose an empty folder")
    for path in existing:
        if path.suffix.lower() in {".xlsx", ".csv", ".txt"}:
            path.unlink()


def _checked_years(years: Sequence[int], seed: int) -> list[int]:
    years = sorted(set(years))
    unknown = [y for y in years if y not in ROUNDS]
    if not years or unknown:
        raise ParameterError(f"example rounds must be follow-up rounds "
                             f"({', '.join(map(str, ROUNDS))}), got {unknown or 'none'}")
    if not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}")
    return years


def write_example(out_dir: str | Path, region: str = DEFAULT_REGION, seed: int = 0,
                  years: Sequence[int] = (2024, 2026)) -> list[Path]:
    """Write synthetic rounds to `out_dir/<year>/`; return the files written.

    `region` "all" writes every county's rounds into the same folders
    (`write_national_example`).
    """
    if is_national(region):
        return write_national_example(out_dir, seed=seed, years=years)
    years = _checked_years(years, seed)
    reference = load_reference()
    county_row = reference.county(region)
    region_code, county = str(county_row["code"]), str(county_row["name"])
    municipalities = reference.county_municipalities(region_code)
    names = dict(zip(municipalities["code"], municipalities["short_name"], strict=True))
    codes = sorted(names)
    children, known = _children(reference, codes, seed, years)
    settings = load_settings()
    catalogue = reference.catalogue
    evidence_based = set(catalogue.loc[catalogue["evidence_class"].isin(
        settings.evidence_based_classes), "id"])
    catalogue_names = dict(zip(catalogue["id"], catalogue["name"], strict=True))

    scripted = region_code == DEFAULT_REGION
    roles = OREBRO_ROLES if scripted else _random_roles(
        {c: children[c][years[0]] for c in codes}, names)
    out = Path(out_dir)
    written: list[Path] = []
    answers: dict[str, Answer] = {}
    units: list[Unit] = []
    for index, year in enumerate(years):
        rng = _rng(seed, year)
        if scripted and year in OREBRO_ANSWERS:
            answers = dict(OREBRO_ANSWERS[year])
            column = 3 if year == 2024 else 4
            units = [Unit(u[0], u[1], u[2], u[column][0] == "1", u[column][1] == "1")
                     for u in _OREBRO_UNITS]
        elif index == 0 or not answers:
            answers, units = _random_round(rng, names, {c: children[c][year] for c in codes})
        else:
            answers, units = _progress(rng, answers, units, codes)
        if index == 0 and roles.late is not None:
            answers.pop(roles.late, None)
        content = _Round(year, answers, units)
        for code in sorted(answers):
            stream = _rng(seed, year, int(code))
            small = children[code][year] < 1000
            content.programmes[code] = [
                _offer_record(stream, code, offer, round(children[code][year] * 18 / 16), small,
                              offer.split(":")[0] in evidence_based)
                for offer in answers[code].offers
            ]
        folder = out / str(year)
        _prepare_folder(folder)
        writer = _Writer(folder, year, region_code, reference, catalogue_names, seed)
        _write_round(writer, content, roles, names, children, index, evidence_based)
        late = names[roles.late] if index == 0 and roles.late is not None else None
        readme = _readme(writer, county, seed, region_code, known, late)
        written += [path for path, _ in writer.files] + [readme]
    return sorted(written)


# -- every county at once ------------------------------------------------------------------

#: Municipality codes ending in 80 are the county seats and 81–89 the other former towns;
#: the size model draws a municipality's children aged 0–15 around its class's median.
_SIZE_CLASSES: dict[str, tuple[float, float]] = {
    "seat": (12000.0, 0.45), "town": (5000.0, 0.6), "rural": (2000.0, 0.7)}
#: The three metropolitan municipalities, as a multiple of a county seat's size.
_METROPOLITAN = {"0180": 18.0, "1480": 11.0, "1280": 7.5}
#: Chance that a municipality does not answer the first round, and a later round.
_NOT_ANSWERING = (0.08, 0.04)
#: How a county sends its municipalities' answers, in turn by the county's position.
_COUNTY_STYLES = ("csv", "workbook", "csv_windows")
NATIONAL_POPULATION = "befolkning_scb.csv"


def _size_class(code: str) -> str:
    last = int(code[2:])
    return "seat" if last == 80 else "town" if 81 <= last <= 89 else "rural"


def _national_children(reference: Reference, codes: Sequence[str], seed: int,
                       years: Sequence[int]) -> tuple[dict[str, dict[int, int]], set[str]]:
    """Children aged 0–15 per municipality and round: from SCB's 2023 figure where the
    reference has it (returned as the second item), invented by the size model otherwise."""
    population = reference.population
    real = (dict(zip(population["code"].astype(str), population["population_0_15"],
                     strict=True)) if len(population) else {})
    base: dict[str, int] = {}
    for code in codes:
        if code in real:
            base[code] = int(real[code])
            continue
        median, sigma = _SIZE_CLASSES[_size_class(code)]
        median *= _METROPOLITAN.get(code, 1.0)
        draw = _rng(seed, int(code), 1).lognormal(np.log(median), sigma)
        base[code] = int(np.clip(draw, 250, 250_000))
    return _drift(base, seed, years), set(base) & set(real)


@dataclass
class _County:
    """One county's municipalities and the answers carried from round to round."""

    code: str
    name: str
    position: int
    names: dict[str, str]
    answers: dict[str, Answer] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return _slug(self.name)


def _county_round(county: _County, year: int, index: int, seed: int,
                  children: dict[str, dict[int, int]], evidence_based: set[str]) -> _Round:
    """A county's round: Örebro län follows its scenario, the others are drawn; some
    municipalities do not answer."""
    codes = sorted(county.names)
    rng = _rng(seed, year, int(county.code))
    scripted = county.code == DEFAULT_REGION and year in OREBRO_ANSWERS
    if scripted:
        answers = dict(OREBRO_ANSWERS[year])
        column = 3 if year == 2024 else 4
        units = [Unit(u[0], u[1], u[2], u[column][0] == "1", u[column][1] == "1")
                 for u in _OREBRO_UNITS]
    elif not county.answers:
        answers, units = _random_round(rng, county.names,
                                       {c: children[c][year] for c in codes})
    else:
        answers, units = _progress(rng, county.answers, county.units, codes)
    if not scripted:
        share = _NOT_ANSWERING[0 if index == 0 else 1]
        for code in codes:
            if _rng(seed, year, int(code), 3).random() < share:
                answers.pop(code, None)
    county.answers, county.units = answers, units
    content = _Round(year, answers, units)
    for code in sorted(answers):
        kids = children[code][year]
        stream = _rng(seed, year, int(code))
        content.programmes[code] = [
            _offer_record(stream, code, offer, round(kids * 18 / 16), kids < 1000,
                          offer.split(":")[0] in evidence_based)
            for offer in answers[code].offers
        ]
    return content


def _write_county(writer: _Writer, county: _County, content: _Round,
                  evidence_based: set[str]) -> None:
    """One county's answers as one set of CSV files or one workbook, and the region's
    BMM/BVC units; each county plants one fault of its own."""
    codes = sorted(content.answers)
    kommun = [_kommun_record(c, content.answers[c]) for c in codes]
    centres = [r for c in codes for r in _centre_records(c, content.answers[c])]
    programmes = [r for c in codes for r in content.programmes[c]]
    style_name = _COUNTY_STYLES[county.position % len(_COUNTY_STYLES)]
    fault = county.position % 3
    slug, owner = county.slug, county.name
    if fault == 2 and kommun:
        kommun[0] = {**kommun[0], "local_plan": None}
    if fault == 1 and programmes:
        target = _pick(programmes, evidence_based)
        target["completed"] = int(target["participants"]) + 3  # type: ignore[call-overload]
    if style_name == "workbook":
        style = _Style(names={c: writer.full_name(c) for c in codes})
    elif style_name == "csv_windows":
        style = _Style(names={c: f"{c} {county.names[c]}" for c in codes}, yes="J", no="N")
    else:
        style = _Style()
    rows = {KOMMUN: writer.rows(KOMMUN, kommun, style),
            FAMILJECENTRALER: writer.rows(FAMILJECENTRALER, centres, style),
            PROGRAM: writer.rows(PROGRAM, programmes, style)}
    if fault == 0 and rows[PROGRAM]:
        rows[PROGRAM].append(list(rows[PROGRAM][-1]))
    if style_name == "workbook":
        where = f"enkat_{slug}.xlsx"
        writer.plain_workbook(where, {t.label: (_labels(t), *r) for t, r in rows.items()},
                              f"{owner}: kommunernas enkätsvar i en arbetsbok")
        sheet = f"{where}, fliken "
    else:
        encoding = "cp1252" if style_name == "csv_windows" else "utf-8-sig"
        for table, table_rows in rows.items():
            writer.csv(f"{table.id}_{slug}.csv", f"{owner}: kommunernas svar, tabellen "
                       f"{table.label} ({_ENCODING_NAMES[encoding]})", _labels(table),
                       table_rows, encoding)
        sheet = f"{PROGRAM.id}_{slug}.csv" if fault != 2 else f"{KOMMUN.id}_{slug}.csv"
        sheet += ": "
    if fault == 0 and rows[PROGRAM]:
        writer.faults.append(f"{sheet}{'Program: ' if style_name == 'workbook' else ''}en "
                             "rad finns två gånger (den andra avvisas som dubblett).")
    elif fault == 1 and programmes:
        record = next(r for r in programmes if r["completed"] is not None
                      and r["participants"] is not None
                      and int(r["completed"]) > int(r["participants"]))
        writer.faults.append(
            f"{sheet}{'Program: ' if style_name == 'workbook' else ''}"
            f"{county.names[str(record['municipality'])]}, "
            f"{_COMMON_NAMES.get(str(record['programme']), record['programme'])}: fler har "
            f"fullföljt ({record['completed']}) än påbörjat ({record['participants']}); "
            "raden avvisas.")
    elif fault == 2 and kommun:
        writer.faults.append(f"{sheet}{'Kommun: ' if style_name == 'workbook' else ''}"
                             f"{county.names[codes[0]]} lämnade frågan om lokal plan tom "
                             "(räknas som saknat svar, inte som nej).")
    units = [_unit_record(u) for u in content.units]
    by_code = _Style(names={c: int(c) for c in county.names})
    writer.csv(f"vardenheter_{slug}.csv", f"Regionens BMM och BVC i {owner}, kommunerna "
               "med kod", _labels(VARDENHETER), writer.rows(VARDENHETER, units, by_code),
               "utf-8")


def _scb_ages(writer: _Writer, names: dict[str, str], children: dict[str, dict[int, int]]
              ) -> tuple[list[str], list[list[object]]]:
    """Children per municipality and single year of age 0–17, as SCB's table export has
    them: about a sixteenth of the 0–17 count each, with a little noise."""
    rng = _rng(writer.seed, writer.year, 0)
    header = ["region", *(f"{age} år" for age in range(18))]
    rows = []
    for code in sorted(names):
        per_age = children[code][writer.year] / 16
        rows.append([f"{code} {names[code]}",
                     *(int(round(per_age * rng.uniform(0.94, 1.06))) for _ in range(18))])
    return header, rows


def _write_national_population(writer: _Writer, names: dict[str, str],
                               children: dict[str, dict[int, int]]) -> None:
    """One SCB export for the whole country: a row per municipality and age, and the
    national total SCB puts first (rejected: not a municipality)."""
    year = writer.year
    header, rows = _scb_ages(writer, names, children)
    totals = [sum(int(r[i]) for r in rows) for i in range(1, 19)]
    writer.csv(NATIONAL_POPULATION, "Folkmängd per kommun och ålder 0–17 år för hela landet, "
               "i samma form som SCB:s tabellexport", header, [["00 Riket", *totals], *rows],
               "cp1252", title=f"Folkmängd 31 december {year} efter region och ålder",
               quote_all=True)
    writer.faults.append(f"{NATIONAL_POPULATION}: raden ”00 Riket” (rikets summa) avvisas, "
                         "eftersom den inte är en kommun.")


def _national_readme(writer: _Writer, counties: Sequence[_County], every: bool, seed: int,
                     known: set[str], silent: list[str]) -> Path:
    lines = [
        f"{_README_MARK} – uppföljning av strategin för föräldraskapsstöd 2024–2030",
        f"Omgång {writer.year}, " + ("alla län" if every else
                                      "län: " + ", ".join(c.name for c in counties)),
        "",
        "Syntetiska exempeldata: inga uppgifter i den här mappen beskriver någon verklig "
        "kommuns arbete. Filerna visar hur en nationell omgångs underlag kan se ut när det "
        "kommer in: varje läns kommunsvar i en egen arbetsbok eller egna CSV-filer, varje "
        "regions lista över BMM och BVC, och en befolkningsfil från SCB för hela landet.",
        "",
        "Skapade med:",
        f"    python -m evaluation example --out DATA --region all --seed {seed}",
        "",
        "Filer",
        *(f"- {path.name}: {text}" for path, text in sorted(writer.files)),
        "",
        "Befolkning",
        "Antalet barn är påhittat (slumpat) för kommunerna utanför Örebro län, inte hämtat "
        "från SCB. Det kommer från en storleksmodell: kommunkoder som slutar på 80 är "
        "residensstäder, 81–89 andra städer och övriga mest landsbygdskommuner, och varje "
        "grupp har sin typiska storlek (Stockholm, Göteborg och Malmö är störst). "
        "0–17 år ≈ 0–15 år × 18/16; i SCB-formatet är varje årskull ≈ 0–15 år / 16.",
    ]
    if known:
        lines.append("För Örebro läns kommuner är antalet barn räknat fram ur SCB:s folkmängd "
                     "0–15 år den 31 december 2023 (Regionfakta), med en liten slumpmässig "
                     "förändring per år; det är alltså inte SCB:s statistik för omgångens år.")
    if silent:
        lines += ["", "Kommuner som inte besvarade enkäten den här omgången (de finns med i "
                      "befolkningen och i regionernas listor över BMM och BVC):",
                  *(f"- {name}" for name in silent)]
    lines += ["", "Avsiktliga fel",
              "Underlaget innehåller några fel av de slag som förekommer i verkliga filer, så "
              "att avsnitten om datakvalitet har något att visa:",
              *(f"- {fault}" for fault in writer.faults), ""]
    path = writer.folder / README
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_national_example(out_dir: str | Path, seed: int = 0,
                           years: Sequence[int] = (2024, 2026),
                           counties: Sequence[str] | None = None) -> list[Path]:
    """Write synthetic rounds for every county (or the given counties) into the same
    `out_dir/<year>/` folders; return the files written.

    Örebro län keeps its written scenario and SCB-derived population; elsewhere the
    answers are drawn and the population comes from a size model, so large cities,
    small rural municipalities (whose counts of 1–4 parents are withheld) and
    municipalities that did not answer all appear. The same seed gives the same files.
    """
    years = _checked_years(years, seed)
    reference = load_reference()
    order = [str(c) for c in reference.counties["code"]]
    chosen = order if counties is None else sorted(
        {str(reference.county(c)["code"]) for c in counties}, key=order.index)
    munis = reference.municipalities
    munis = munis.loc[munis["county_code"].isin(chosen)].sort_values("code")
    names = dict(zip(munis["code"], munis["short_name"], strict=True))
    children, known = _national_children(reference, sorted(names), seed, years)
    settings = load_settings()
    catalogue = reference.catalogue
    evidence_based = set(catalogue.loc[catalogue["evidence_class"].isin(
        settings.evidence_based_classes), "id"])
    catalogue_names = dict(zip(catalogue["id"], catalogue["name"], strict=True))
    state = [
        _County(code, str(reference.county(code)["name"]), order.index(code),
                {c: names[c] for c in munis.loc[munis["county_code"] == code, "code"]})
        for code in chosen
    ]
    written: list[Path] = []
    for index, year in enumerate(years):
        folder = Path(out_dir) / str(year)
        _prepare_folder(folder)
        writer = _Writer(folder, year, ALL_REGIONS, reference, catalogue_names, seed)
        silent: list[str] = []
        for county in state:
            content = _county_round(county, year, index, seed, children, evidence_based)
            _write_county(writer, county, content, evidence_based)
            silent += [f"{county.names[c]} ({county.name})" for c in sorted(county.names)
                       if c not in content.answers]
        _write_national_population(writer, names, children)
        readme = _national_readme(writer, state, counties is None, seed, known, silent)
        written += [path for path, _ in writer.files] + [readme]
    return sorted(written)
