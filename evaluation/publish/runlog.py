"""A log file per run, so that an unattended (scheduled) run can be read afterwards."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from evaluation.personal_numbers import MaskingFormatter

LOG_DIR = ".logs"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextlib.contextmanager
def run_log(out: Path, year: int) -> Iterator[Path]:
    """Log everything the toolkit says during the run to `OUT/.logs/<year>-<time>.log`.

    An exception that ends the run is logged with its traceback before it
    propagates, so the log tells why a scheduled run failed.
    """
    folder = Path(out) / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = folder / f"{year}-{stamp}-{os.getpid()}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(MaskingFormatter(FORMAT))  # no personal identity number
    handler.setLevel(logging.INFO)
    logger = logging.getLogger("evaluation")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield path
    except BaseException as exc:
        logger.error("run failed: %s: %s", type(exc).__name__, exc,
                     exc_info=not isinstance(exc, KeyboardInterrupt))
        raise
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
