"""The terms every layer shares: the strategy's rounds, the regions a run can cover and
the statuses an indicator can have against its target (DESIGN §4). Defined once here so
that intake, analysis and the reports spell them the same way."""

from __future__ import annotations

#: Follow-up rounds of the 2024–2030 strategy: every two years.
ROUNDS: tuple[int, ...] = (2024, 2026, 2028, 2030)
TARGET_YEAR = 2030
DEFAULT_REGION = "18"

#: The region that stands for every county at once (a national round).
ALL_REGIONS = "all"


def is_national(region: object) -> bool:
    """True for the region that means every county ("all", in any case)."""
    return isinstance(region, str) and region.strip().casefold() == ALL_REGIONS


#: Status against target (DESIGN §4), as the reports and downloads write it.
ACHIEVED = "uppnått"
ON_TRACK = "på väg"
NOT_ON_TRACK = "ej på väg"
#: A parent share or rate whose change interval includes no change.
NO_SURE_CHANGE = "ingen säker förändring"
BASELINE = "baslinje"
STATUSES: tuple[str, ...] = (ACHIEVED, ON_TRACK, NOT_ON_TRACK, NO_SURE_CHANGE, BASELINE)
