"""Reference data: Sweden's counties and municipalities, the programme catalogue,
and the matching of what offices actually write to codes and catalogue ids.

The tables are data (`data/reference/*.csv`), shipped inside the installed package as
`evaluation.reference_data`; evaluators edit the catalogue there, not here.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import pandas as pd

from evaluation.errors import ParameterError
from evaluation.settings import EVIDENCE_CLASSES, REFERENCE_DIR
from evaluation.text import normalize, strip_diacritics

#: Levels of prevention a programme may work at.
LEVELS: tuple[str, ...] = ("universal", "selective", "indicated")
LEVEL_LABELS: dict[str, str] = {
    "universal": "Universell",
    "selective": "Selektiv",
    "indicated": "Indikerad",
}
REFERENCE_PACKAGE = "evaluation.reference_data"
LIST_SEPARATOR = "|"

#: Names in common use that are neither the official name nor "<short name> kommun".
_MUNICIPALITY_ALIASES: dict[str, tuple[str, ...]] = {
    "0980": ("Region Gotland",),
    "0180": ("Stockholms stad",),
}
_NAME_PREFIX = re.compile(r"^(?:region|kommun|kommunen)\s+")
_NAME_SUFFIX = re.compile(r"\s+(?:kommun|kommunen|kommuns|stad|staden|stads)$")
_CODE_ONLY = re.compile(r"^(\d{1,4})(?:\.0+)?$")
_CODE_AND_NAME = re.compile(r"^(\d{3,4})\s*[-–:,]?\s*(\D.*)$")
_NAME_AND_CODE = re.compile(r"^(\D.*?)\s*[(\[,]?\s*(\d{3,4})\s*[)\]]?$")
_PROGRAMME_PARTS = re.compile(r"\s+[-–—]\s+|[/()]")
_CLOSEST_CUTOFF = 0.6


@dataclass(frozen=True)
class Match:
    """The outcome of resolving one written value against the reference tables."""

    code: str | None
    name: str | None
    closest: str | None
    county_code: str | None = None

    @property
    def found(self) -> bool:
        return self.code is not None


_NO_MATCH = Match(None, None, None)


def _exact_key(text: str) -> str:
    """Case-, space- and dash-insensitive, but keeps å ä ö (Håbo is not Habo)."""
    s = unicodedata.normalize("NFC", str(text)).casefold()
    return "".join(ch for ch in s if ch.isalnum())


def _folded_key(text: str) -> str:
    """As `_exact_key`, and also blind to diacritics ("Hallefors" is Hällefors)."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_code(value: object, width: int) -> str | None:
    """A code written as text, int or Excel float, zero-padded to `width` digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return f"{value:0{width}d}" if 0 < value < 10**width else None
    match = _CODE_ONLY.match(str(value).strip())
    if match and len(match.group(1)) <= width:
        return match.group(1).zfill(width)
    return None


def _name_forms(text: str) -> Iterator[str]:
    """The written name, then without "kommun"/"Region", then without a genitive s."""
    spaced = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    yield spaced
    bare = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", spaced))
    if bare != spaced:
        yield bare
    if bare.endswith("s") and len(bare) > 2:
        yield bare[:-1]


def _closest(query_forms: Iterable[str], pool: dict[str, str]) -> str | None:
    """Best difflib match of any form against `pool` (folded key -> display name)."""
    best, best_ratio = None, _CLOSEST_CUTOFF
    keys = list(pool)
    for form in query_forms:
        key = _folded_key(form)
        if not key:
            continue
        for candidate in difflib.get_close_matches(key, keys, n=1, cutoff=best_ratio):
            ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
            if ratio >= best_ratio:
                best, best_ratio = pool[candidate], ratio
    return best


def _remembered(method):
    """Resolve each written value once per reference: a large round writes the same
    dozen municipalities and a few hundred programme names thousands of times, and
    finding the closest name is the slow part."""

    @functools.wraps(method)
    def resolve(self, value, *args, **options):
        try:
            key = (method.__name__, type(value), value, *args, *sorted(options.items()))
            return self._remembered[key]
        except TypeError:  # an unhashable cell: resolve it every time
            return method(self, value, *args, **options)
        except KeyError:
            match = self._remembered[key] = method(self, value, *args, **options)
            return match

    return resolve


class Reference:
    """Counties, municipalities and the programme catalogue, with name resolution."""

    def __init__(
        self,
        counties: pd.DataFrame,
        municipalities: pd.DataFrame,
        catalogue: pd.DataFrame,
        population: pd.DataFrame | None = None,
    ) -> None:
        self.counties = counties
        self.municipalities = municipalities
        self.catalogue = catalogue
        self.population = population if population is not None else pd.DataFrame()
        self._remembered: dict[tuple, Match] = {}
        self._build_indexes()

    # -- indexes --------------------------------------------------------------------

    def _build_indexes(self) -> None:
        munis = self.municipalities
        self._muni_county = dict(zip(munis["code"], munis["county_code"], strict=True))
        self._muni_short = dict(zip(munis["code"], munis["short_name"], strict=True))
        self._exact: dict[str, set[str]] = {}
        self._folded: dict[str, set[str]] = {}
        for code, name, short in zip(munis["code"], munis["name"], munis["short_name"],
                                     strict=True):
            for form in (short, name, *_MUNICIPALITY_ALIASES.get(code, ())):
                self._exact.setdefault(_exact_key(form), set()).add(code)
                self._folded.setdefault(_folded_key(form), set()).add(code)

        self._county_codes = set(self.counties["code"])
        self._county_by_key: dict[str, str] = {}
        for code, name, short in zip(self.counties["code"], self.counties["name"],
                                     self.counties["short_name"], strict=True):
            for form in (code, name, short):
                self._county_by_key[_folded_key(form)] = code

        self._programme_by_key: dict[str, str] = {}
        self._programme_name = dict(zip(self.catalogue["id"], self.catalogue["name"],
                                        strict=True))
        for pid, name, aliases in zip(self.catalogue["id"], self.catalogue["name"],
                                      self.catalogue["aliases"], strict=True):
            for form in (pid, name, *aliases):
                key = _folded_key(form)
                other = self._programme_by_key.setdefault(key, pid)
                if other != pid:
                    raise ParameterError(
                        f"programmes.csv: {form!r} names both {other!r} and {pid!r}; "
                        "every id, name and alias must name one programme"
                    )

    # -- counties -------------------------------------------------------------------

    def _county_code(self, region: object) -> str:
        code = _as_code(region, 2)
        if code is None and not _is_missing(region):
            code = self._county_by_key.get(_folded_key(str(region)))
        if code is None or code not in self._county_codes:
            known = {_folded_key(n): n for n in self.counties["name"]}
            hint = _closest([str(region)], known)
            raise ParameterError(
                f"okänt län {region!r}; förväntat: en länskod som '18' (Örebro län)"
                + (f"; menade du {hint!r}?" if hint else "")
            )
        return code

    def county(self, region: str) -> pd.Series:
        """The county's row (code, name, short_name); accepts a code or a county name."""
        code = self._county_code(region)
        return self.counties.loc[self.counties["code"] == code].iloc[0]

    def county_municipalities(self, region: str) -> pd.DataFrame:
        """The county's municipalities, ordered by code."""
        code = self._county_code(region)
        frame = self.municipalities.loc[self.municipalities["county_code"] == code]
        return frame.sort_values("code").reset_index(drop=True)

    # -- municipalities -------------------------------------------------------------

    def municipality_name(self, code: str) -> str:
        """Short name for display: "1880" -> "Örebro"."""
        key = _as_code(code, 4)
        if key is None or key not in self._muni_short:
            raise ParameterError(f"okänd kommunkod {code!r}")
        return self._muni_short[key]

    def _muni_match(self, code: str) -> Match:
        return Match(code, self._muni_short[code], None, self._muni_county[code])

    def _unknown_municipality(self, forms: list[str], region: str | None) -> Match:
        munis = self.municipalities
        if region is not None:
            munis = munis.loc[munis["county_code"] == region]
        pool = {}
        for name, short in zip(munis["name"], munis["short_name"], strict=True):
            pool[_folded_key(short)] = short
            pool.setdefault(_folded_key(name), short)
        return Match(None, None, _closest(forms, pool))

    def _resolve_name(self, text: str, region: str | None) -> Match:
        forms = list(_name_forms(text))
        exact: set[str] = set()
        folded: set[str] = set()
        for form in forms:
            exact = self._exact.get(_exact_key(form), set())
            folded = self._folded.get(_folded_key(form), set())
            if folded:
                break
        if not folded:
            return self._unknown_municipality(forms, region)

        if region is not None:
            exact_in = {c for c in exact if self._muni_county[c] == region}
            if len(exact_in) == 1:
                return self._muni_match(exact_in.pop())
            written_with_diacritics = strip_diacritics(text) != text
            if not (exact and written_with_diacritics):
                # A form without å ä ö may have lost them: prefer the region (Habo/Håbo).
                folded_in = {c for c in folded if self._muni_county[c] == region}
                if len(folded_in) == 1:
                    return self._muni_match(folded_in.pop())
        if len(exact) == 1:
            return self._muni_match(next(iter(exact)))
        if len(folded) == 1:
            return self._muni_match(next(iter(folded)))
        ordered = sorted(folded, key=lambda c: (self._muni_county[c] != region, c))
        return Match(None, None, self._muni_short[ordered[0]])

    @_remembered
    def resolve_municipality(self, value: object, region: str | None = None) -> Match:
        """Code of a municipality however a Swedish office wrote it.

        Accepts codes (also as Excel numbers, or with the leading zero lost), names with
        or without "kommun" and genitive s, any case, and names that lost å ä ö. A name
        outside `region` still resolves, so the caller can say it lies outside the county.
        """
        if _is_missing(value):
            return _NO_MATCH
        region_code = self._county_code(region) if region is not None else None
        code = _as_code(value, 4)
        if code is not None:
            return self._muni_match(code) if code in self._muni_short else _NO_MATCH
        if not isinstance(value, str):
            return _NO_MATCH
        text = " ".join(value.split())

        written = _CODE_AND_NAME.match(text) or _NAME_AND_CODE.match(text)
        if written:
            first, second = written.groups()
            code_text, name_text = (first, second) if first.isdigit() else (second, first)
            code = code_text.zfill(4)
            if code not in self._muni_short:
                return self._resolve_name(name_text, region_code)
            by_name = self._resolve_name(name_text, region_code)
            if by_name.code == code:
                return by_name
            # Code and name disagree: neither can be trusted, name what the code says.
            return Match(None, None, self._muni_short[code])

        return self._resolve_name(text, region_code)

    # -- programmes -----------------------------------------------------------------

    def _programme_match(self, pid: str) -> Match:
        return Match(pid, self._programme_name[pid], None)

    @_remembered
    def resolve_programme(self, value: object) -> Match:
        """Catalogue id of a programme written by id, name or alias, in any case,
        with or without å ä ö, with any kind of dash."""
        if _is_missing(value):
            return _NO_MATCH
        text = str(value).strip()
        pid = self._programme_by_key.get(_folded_key(text))
        if pid is not None:
            return self._programme_match(pid)
        parts = [p for p in _PROGRAMME_PARTS.split(text) if _folded_key(p)]
        if len(parts) > 1:
            found = {self._programme_by_key.get(_folded_key(p)) for p in parts}
            found.discard(None)
            if len(found) == 1:
                return self._programme_match(found.pop())
        pool = {key: self._programme_name[pid] for key, pid in self._programme_by_key.items()}
        return Match(None, None, _closest([text, *parts], pool))


# -- loading ---------------------------------------------------------------------------


def _split_list(value: object) -> list[str]:
    if _is_missing(value):
        return []
    return [part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip()]


def _check_catalogue(catalogue: pd.DataFrame) -> None:
    """Refuse an edited catalogue that would give wrong indicators rather than a clear error."""
    problems = []
    duplicated = catalogue["id"][catalogue["id"].duplicated()].tolist()
    if duplicated:
        problems.append(f"duplicate id {duplicated}")
    for row in catalogue.itertuples(index=False):
        where = f"programme {row.id!r}"
        if row.evidence_class not in EVIDENCE_CLASSES:
            problems.append(f"{where}: evidence_class {row.evidence_class!r} is not one of "
                            f"{list(EVIDENCE_CLASSES)}")
        bad_levels = [lv for lv in row.levels if lv not in LEVELS]
        if bad_levels or not row.levels:
            problems.append(f"{where}: levels {list(row.levels)!r} must be some of "
                            f"{list(LEVELS)}")
        if pd.isna(row.age_min) or pd.isna(row.age_max) or not (
            0 <= row.age_min <= row.age_max <= 18
        ):
            problems.append(f"{where}: ages {row.age_min}–{row.age_max} must satisfy "
                            "0 <= age_min <= age_max <= 18")
    if problems:
        raise ParameterError("programmes.csv: " + "; ".join(problems))


def _read(folder: Traversable, name: str, **kwargs: object) -> pd.DataFrame:
    resource = folder.joinpath(name)
    if not resource.is_file():
        raise ParameterError(f"reference table {name} not found in {folder}")
    with resource.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""], **kwargs)


def _default_folder() -> Traversable:
    """The tables shipped in the package; the source tree's folder when not installed."""
    try:
        return resources.files(REFERENCE_PACKAGE)
    except ModuleNotFoundError:
        return REFERENCE_DIR


@functools.lru_cache(maxsize=8)
def _load(folder_key: str) -> Reference:
    folder: Traversable = _default_folder() if folder_key == "" else Path(folder_key)
    counties = _read(folder, "counties.csv", dtype=str)
    municipalities = _read(folder, "municipalities.csv",
                           dtype={"code": str, "name": str, "short_name": str,
                                  "county_code": str, "lat": float, "lon": float})
    population = _read(folder, "population.csv", dtype={"code": str})
    catalogue = _read(folder, "programmes.csv",
                      dtype={"age_min": "Int64", "age_max": "Int64"})
    catalogue["aliases"] = pd.Series([_split_list(v) for v in catalogue["aliases"]],
                                     index=catalogue.index, dtype=object)
    catalogue["levels"] = pd.Series([tuple(_split_list(v)) for v in catalogue["levels"]],
                                    index=catalogue.index, dtype=object)
    _check_catalogue(catalogue)
    return Reference(counties, municipalities, catalogue, population)


def load_reference(directory: str | Path | None = None) -> Reference:
    """The reference tables, read once per folder (the shipped tables by default)."""
    key = "" if directory is None else str(Path(directory).resolve())
    return _load(key)
