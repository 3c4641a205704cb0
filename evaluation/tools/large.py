"""A large synthetic round: the example rounds with thousands of extra programme rows.

A county whose municipalities report every local activity, not only the catalogue's
programmes, sends thousands of offerings. This round is what the size and speed
checks run on: the example rounds of `write_example`, and in the chosen round one
more file, `program_omfattande.csv`, holding `rows` offerings of local programmes
("Lokalt program 0001" …), spread over every municipality that answered and every
sector. The same seed gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evaluation.errors import ParameterError
from evaluation.intake.schema import PROGRAM, SECTORS
from evaluation.tools.example import _SECTOR_LABEL, _labels, _rng, _write_csv, write_example
from evaluation.vocab import DEFAULT_REGION

LARGE_FILE = "program_omfattande.csv"


def local_programme_rows(codes: Sequence[str], rows: int, seed: int = 0
                         ) -> list[list[object]]:
    """`rows` offerings of local programmes, in the order municipality, programme, sector.

    Every municipality × sector pair gets programmes numbered from 1, so a key
    (municipality, programme, sector) never repeats; counts of parents are 2–40,
    women and men add up to at most the participants, completed at most the participants.
    """
    if rows < 0:
        raise ParameterError(f"antalet rader ska vara 0 eller fler: fick {rows}")
    pairs = [(code, sector.id) for code in codes for sector in SECTORS]
    rng = _rng(seed, 7_000, rows)
    participants = rng.integers(2, 41, size=rows)
    women = np.floor(participants * rng.uniform(0.5, 0.9, size=rows)).astype(int)
    men = participants - women - rng.integers(0, 2, size=rows)
    completed = np.floor(participants * rng.uniform(0.5, 1.0, size=rows)).astype(int)
    followed = rng.random(rows) < 0.5
    out: list[list[object]] = []
    for index in range(rows):
        code, sector = pairs[index % len(pairs)]
        number = index // len(pairs) + 1
        out.append([code, f"Lokalt program {number:04d}", _SECTOR_LABEL[sector], 1,
                    int(participants[index]), int(women[index]), int(max(men[index], 0)),
                    int(completed[index]), "Ja" if followed[index] else "Nej", ""])
    return out


def write_large_round(out_dir: str | Path, rows: int, year: int = 2026, seed: int = 0,
                      region: str = DEFAULT_REGION) -> Path:
    """Write the example rounds to `out_dir` with `rows` extra offerings in round `year`.

    Returns the extra file. The offerings go to the municipalities that answered
    the round, so the response rate stays as it was.
    """
    write_example(out_dir, region=region, seed=seed)
    folder = Path(out_dir) / str(year)
    if not folder.is_dir():
        raise ParameterError(f"omgången {year} finns inte bland exempelomgångarna")
    from evaluation.intake.validation import validate_round

    answered = sorted(validate_round(out_dir, year, region).answered)
    path = _write_csv(folder / LARGE_FILE, _labels(PROGRAM),
                      local_programme_rows(answered, rows, seed), "utf-8-sig")
    return path
