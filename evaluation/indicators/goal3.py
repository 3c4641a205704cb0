"""Goal area 3, a supporting organisation: steering group, its sectors, a local plan
and a routine for follow-up, as the municipality answered (DESIGN §4)."""

from __future__ import annotations

from evaluation.indicators.context import Cells, RoundContext
from evaluation.indicators.patterns import all_of, answer, census
from evaluation.indicators.registry import municipality_share
from evaluation.intake.schema import GROUP_COLUMNS

steering_group = municipality_share(
    "3.1", "Kommuner med lednings- eller samverkansgrupp", "3",
    "Det finns en lednings- eller samverkansgrupp för föräldraskapsstöd i kommunen.",
    ("kommun",), has="en lednings- eller samverkansgrupp",
)(answer("steering_group"))


@municipality_share(
    "3.2", "Kommuner där alla fem sektorer ingår i gruppen", "3",
    "Förskola, skola, socialtjänst, hälso- och sjukvård och civilsamhälle ingår alla i "
    "gruppen. En kommun utan grupp har inte alla fem sektorer i gruppen.",
    ("kommun",),
    blanks=("Ett nej för gruppen eller för någon sektor ger nej; ett tomt svar ger "
            "okänt (räknas inte) så länge inget annat svar är nej."),
    has="alla fem sektorer i sin grupp",
)
def all_five_sectors(ctx: RoundContext) -> Cells:
    """No group means not all five sectors; a blank sector leaves it unknown."""
    return census(ctx, all_of(ctx.kommun, ("steering_group", *GROUP_COLUMNS)))


local_plan = municipality_share(
    "3.3", "Kommuner med lokal plan för föräldraskapsstöd", "3",
    "Kommunen har en lokal plan eller strategi för föräldraskapsstöd.",
    ("kommun",), has="en lokal plan för föräldraskapsstöd",
)(answer("local_plan"))

followup_routine = municipality_share(
    "3.4", "Kommuner med rutin för systematisk uppföljning", "3",
    "Kommunen har en rutin för systematisk uppföljning av föräldraskapsstödet.",
    ("kommun",), has="en rutin för systematisk uppföljning",
)(answer("followup_routine"))
