"""Goal area 1, a knowledge-based way of working: evidence-based programmes, their
reach among parents and their follow-up (DESIGN §4)."""

from __future__ import annotations

from evaluation.indicators.context import Cell, Cells, RoundContext
from evaluation.indicators.patterns import (
    ProgrammeCounts,
    by_municipality,
    census_by,
    offered,
    ratio,
    sum_or_missing,
)
from evaluation.indicators.registry import (
    OFFERED,
    indicator,
    municipality_share,
    parent_share_indicator,
)


@municipality_share(
    "1.1", "Kommuner som erbjuder minst ett evidensbaserat program", "1",
    "Kommunen erbjuder minst ett program vars evidensklass i programkatalogen räknas som "
    "evidensbaserad. Program som inte finns i katalogen räknas aldrig som "
    "evidensbaserade.",
    ("kommun", "program"),
    blanks=OFFERED + " En kommun som svarat men inte angett något program räknas som nej.",
    uses_catalogue=True, has="minst ett evidensbaserat program",
)
def offers_evidence_based(ctx: RoundContext) -> Cells:
    return census_by(ctx, offered(ctx), lambda g: bool(g["evidence_based"].any()))


@indicator(
    "1.2", "Evidensbaserade program per kommun", goal_area="1", unit="antal",
    target="rising", method="mean", census=False, sources=("kommun", "program"),
    uses_catalogue=True, profile_trend=2, blanks=OFFERED,
    definition=("Antal olika evidensbaserade program som kommunen erbjuder. Länets värde "
                "är medelvärdet över de kommuner som besvarat enkäten."),
    numerator="Antal olika evidensbaserade program (summerat över kommunerna)",
    denominator="Kommuner som besvarat enkäten",
)
def evidence_based_count(ctx: RoundContext) -> Cells:
    """Distinct evidence-based programmes; the county value is the mean per municipality."""
    rows = offered(ctx)
    rows = rows.loc[rows["evidence_based"]]
    counts = by_municipality(rows, ctx.answered, lambda g: g["programme"].nunique())
    cells: Cells = {code: Cell(int(n), 1, float(n)) for code, n in counts.items()}
    if ctx.answered:
        total = int(sum(counts))
        cells[ctx.region] = Cell(total, len(ctx.answered), total / len(ctx.answered))
    return cells


@municipality_share(
    "1.3", "Kommuner där minst två sektorer erbjuder program", "1",
    "Minst två olika sektorer (förskola, skola, socialtjänst, hälso- och sjukvård, "
    "civilsamhälle) erbjuder program i kommunen; alla program räknas, även de som inte "
    "finns i katalogen.",
    ("kommun", "program"), blanks=OFFERED, has="program från minst två sektorer",
)
def two_sectors(ctx: RoundContext) -> Cells:
    return census_by(ctx, offered(ctx), lambda g: g["sector"].nunique() >= 2)


@indicator(
    "1.4", "Föräldrar i program per 1 000 barn 0–17 år", goal_area="1", unit="per_1000",
    definition=("Antal föräldrar som påbörjat ett program, per 1 000 barn 0–17 år i "
                "kommunen. Länets värde avser de kommuner som besvarat enkäten."),
    numerator="Föräldrar som påbörjat ett program",
    denominator="Barn 0–17 år i kommunerna som besvarat enkäten",
    sources=("program", "befolkning"), target="rising", method="poisson_byar", census=False,
    parent_counts=("numerator",), programme_counts=ProgrammeCounts(("participants",)),
    blanks=("Tomma deltagarantal räknas inte; en kommun där alla programrader saknar "
            "deltagarantal får inget värde. En kommun utan programrader har 0 deltagare."),
    profile_trend=1, on_map=True,
)
def participants_per_1000(ctx: RoundContext) -> Cells:
    participants = by_municipality(ctx.program, ctx.answered,
                                   lambda g: sum_or_missing(g["participants"]))
    children = ctx.population["children_0_17"]
    return ratio(ctx, participants, children, ctx.answered, per=1000, interval="poisson")


MEN = ProgrammeCounts(("participants_men",), ("participants_women", "participants_men"))
share_men = parent_share_indicator(
    "1.5", "Andel män bland deltagande föräldrar", "1", MEN,
    "Deltagande män delat med deltagande kvinnor och män.",
    numerator="Deltagande män", denominator="Deltagande kvinnor och män", direction="neutral",
    blanks="Endast programrader där både kvinnor och män är ifyllda räknas.",
)

COMPLETED = ProgrammeCounts(("completed",), ("participants",))
share_completed = parent_share_indicator(
    "1.6", "Andel deltagare som fullföljt", "1", COMPLETED,
    "Föräldrar som fullföljt delat med föräldrar som påbörjat ett program.",
    numerator="Föräldrar som fullföljt", denominator="Föräldrar som påbörjat",
    blanks="Endast programrader där både påbörjat och fullföljt är ifyllda räknas.",
    coverage_of="1.4", coverage_text="deltagare som har uppgift om fullföljande",
)


@indicator(
    "1.7", "Andel programinsatser som följs upp systematiskt", goal_area="1", unit="andel",
    sources=("program",), target=1.0, method="census", census=False,
    definition=("Erbjudna program (en rad per program och sektor) som följs upp "
                "systematiskt, av de erbjudna program där frågan besvarats."),
    numerator="Programinsatser som följs upp systematiskt",
    denominator="Programinsatser där frågan besvarats",
    blanks=OFFERED + " Ett tomt svar om uppföljning räknas som saknat.",
)
def share_followed_up(ctx: RoundContext) -> Cells:
    rows = offered(ctx).dropna(subset=["followed_up"])
    num = by_municipality(rows, ctx.answered, lambda g: int(g["followed_up"].sum()))
    den = by_municipality(rows, ctx.answered, len)
    return ratio(ctx, num, den, ctx.answered)
