"""The method appendix, generated from the indicator registry so that it always
describes what the code computes. Used for `docs/metoder.md` and the report's
methods section."""

from __future__ import annotations

from pathlib import Path

from evaluation.indicators.registry import (
    GOAL_AREAS,
    REGISTRY,
    UNIT_LABELS,
    Indicator,
    by_goal_area,
)
from evaluation.intake.schema import TABLES
from evaluation.report.formatting import MISSING, WITHHELD, percent
from evaluation.settings import Settings
from evaluation.vocab import TARGET_YEAR

_METHOD = {
    "census": "Totalräkning, utan konfidensintervall (se Konfidensintervall).",
    "wilson": "Andel med Wilsons konfidensintervall.",
    "poisson_byar": ("Antal per 1 000 barn med exakt Poissonintervall när antalet är under 10 "
                     "och Byars metod från 10 och uppåt."),
    "mean": ("Medelvärde per kommun över de kommuner som svarat; alla kommuner räknas, så "
             "inget konfidensintervall redovisas."),
}
_CHANGE = {
    "census": "Kommuner som tillkommit och fallit bort (se Förändring sedan förra omgången).",
    "newcombe": "Skillnaden i procentenheter med Newcombes konfidensintervall.",
    "rate_ratio": ("Kvoten mellan omgångarnas värden (rate ratio) med exakt "
                   "konfidensintervall."),
    "difference": "Skillnaden mellan omgångarnas värden.",
}


def _and(items: tuple[str, ...]) -> str:
    """"A", "A och B", "A, B och C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def _change_kind(ind: Indicator) -> str:
    if ind.census:
        return "census"
    return {"wilson": "newcombe", "poisson_byar": "rate_ratio"}.get(ind.method, "difference")


def _target_text(ind: Indicator) -> str:
    if ind.target == "rising":
        return "Stigande värde"
    if ind.target == "monitored":
        return "Inget mål, följs över tid"
    return percent(ind.target_value)


def _status_text(ind: Indicator) -> str:
    if ind.target == "monitored":
        return "Ingen status (indikatorn följs utan mål)."
    if ind.judged_on == "numerator":
        basis = (" Bedöms på antalet enheter (täljaren) bland kommuner som svarat båda "
                 "omgångarna, inte på förändringar i antalet barn.")
    elif ind.census or ind.method == "mean":
        basis = " Förändringen räknas bland kommuner som svarat båda omgångarna."
    else:
        basis = ""
    sure = (" Bara när förändringens konfidensintervall utesluter ingen förändring; "
            "annars ingen säker förändring." if ind.parent_counts else "")
    if ind.target == "rising":
        return ("På väg när förändringen sedan förra omgången är positiv, annars ej på väg."
                f"{sure} Aldrig uppnått.{basis}")
    return (f"Uppnått vid {_target_text(ind)}. Annars på väg när förändringen sedan förra "
            f"omgången, förlängd som en rät linje, når målet {TARGET_YEAR}.{sure}{basis} "
            "Se Status mot målet.")


def _sources(ind: Indicator) -> str:
    labels = [TABLES[t].label for t in ind.sources]
    if ind.id in {"1.1", "1.2", "2.5", "2.6"}:
        labels.append("programkatalogen")
    return ", ".join(labels)


def indicator_section(ind: Indicator, settings: Settings | None = None) -> str:
    """One indicator's definition as Markdown."""
    settings = settings or Settings()
    lines = [
        f"### {ind.id} {ind.title}",
        "",
        ind.definition,
        "",
        f"- **Täljare:** {ind.numerator}",
        f"- **Nämnare:** {ind.denominator}",
        f"- **Enhet:** {UNIT_LABELS[ind.unit]}",
        f"- **Källor:** {_sources(ind)}",
        f"- **Metod:** {_METHOD[ind.method]}",
        f"- **Förändring:** {_CHANGE[_change_kind(ind)]}",
        f"- **Mål {TARGET_YEAR}:** {_target_text(ind)}",
        f"- **Status:** {_status_text(ind)}",
    ]
    if ind.blanks:
        shared = ind.blanks.startswith("Ett tomt svar räknas som saknat")
        lines.append(f"- **Tomma svar:** {'Se Tomma svar.' if shared else ind.blanks}")
    if ind.parent_counts and settings.suppression_threshold > 0:
        lines.append(f"- **Röjandeskydd:** värdet visas inte (”..”) när det bygger på färre än "
                     f"{settings.suppression_threshold} föräldrar, se Röjandeskydd.")
    return "\n".join(lines) + "\n"


def _common(settings: Settings) -> str:
    level = percent(settings.confidence_level)
    chosen = settings.evidence_based_classes
    classes = ("inga klasser" if not chosen
               else f"klassen {chosen[0]}" if len(chosen) == 1 else f"klasserna {_and(chosen)}")
    threshold = settings.suppression_threshold
    parent_based = tuple(ind.id for ind in REGISTRY.values() if ind.parent_counts)
    if threshold > 0:
        disclosure = (
            "Allt som publiceras (rapporter, diagram, kartor, nedladdningar och körda "
            "notebooks) hämtas ur en och samma uppsättning länkade tabeller per omgång, "
            "som skyddas och granskas innan något publiceras:\n\n"
            "1. **Programrader**: kommun × program × sektor med antal som påbörjat och "
            "antal som fullföljt.\n"
            "2. **Kommunens och länets summor**, som är täljare och nämnare i "
            f"{_and(parent_based)}: deltagare (1.4), män och kvinnor + män (1.5), "
            "fullföljt och deltagare med uppgift om fullföljande (1.6).\n"
            "3. **Programmens genomslag**: länets deltagare per program och per "
            "evidensklass.\n"
            "4. **Rikets summor** av samma slag i en nationell körning.\n\n"
            "Varje summa är summan av sina delar, och tabellerna prövas tillsammans. "
            f"**Primärt skydd:** varje antal föräldrar från 1 till {threshold - 1}, på "
            "varje nivå, och varje antal som publiceringen avslöjar (påbörjat minus "
            "fullföljt, deltagare minus kvinnor och män, en summa minus dess publicerade "
            "delar). **Sekundärt skydd** väljs med linjärprogrammering på samma sätt som "
            "τ-Argus och sdcTable: för varje skyddat antal söks den billigaste andra "
            "tabell som stämmer med allt som fortfarande publiceras men flyttar antalet "
            f"minst {threshold} steg, och de celler den tabellen ändrar skyddas. Cellernas "
            "kostnad gör att programrader skyddas före en kommuns summor, och de före "
            "länets och rikets. En skyddad cell vars värde ändå följer av det publicerade "
            "skyddar ingenting och publiceras. **Granskning:** ur de publicerade "
            "tabellerna ensamma beräknas varje skyddat antals minsta och största möjliga "
            "värde med linjärprogrammering (publicerade värden fasta, antal aldrig "
            "negativa, fullföljt och kvinnor + män aldrig fler än deltagarna). Är "
            f"spannet smalare än {threshold} stoppas publiceringen. "
            f"Skyddade värden visas som ”{WITHHELD}” (aldrig ”<{threshold}”, som skulle "
            "avslöja att antalet är litet); i tabellen över indikatorer lämnas värde, "
            "intervall, täljare och nämnare tomma och raden markeras som skyddad "
            "(suppressed). Kvinnor och män redovisas bara som kommunens och länets "
            "summor, inte per programrad: där är de oftast få, och att skydda dem skulle "
            "kosta fler celler än det visar. Förändring och status redovisas inte för "
            "skyddade värden. Körningsmanifestet och rapportens avsnitt om datakvalitet "
            "anger hur många uppgifter som skyddades primärt och sekundärt."
        )
    else:
        disclosure = ("Röjandeskyddet är avstängt i denna körning (tröskel 0): tabellerna är "
                      "endast för internt bruk och får inte publiceras.")
    return f"""## Gemensamma regler

### Vilka kommuner räknas

Kommunens värde bygger på kommunens egna svar. Länets värde för enkätbaserade
indikatorer räknas över de kommuner som besvarat enkäten, det vill säga finns med i
tabellen Kommun; en kommun som inte svarat får inget värde (”{MISSING}”). Undantag är
andelen samlokaliserade BMM och BVC (2.3, 2.4), som räknas över alla enheter i
regionens förteckning oavsett om kommunen svarat, och svarsfrekvensen (D.1), där en
kommun som inte svarat räknas med värdet 0.

### Tomma svar

Ett tomt svar betyder att uppgiften saknas, aldrig nej. Nämnaren för en andel kommuner
med ja är de kommuner som besvarat just den frågan. När flera svar vägs samman (alla
fem sektorer, samlokalisering med två verksamheter) blir resultatet nej så snart ett
av svaren är nej, och okänt (räknas inte) så länge ett tomt svar kan avgöra saken. En
kommun utan lednings- eller samverkansgrupp har inte alla fem sektorer i gruppen.

### Erbjudna program och evidensklasser

Ett program räknas som erbjudet när det har minst en deltagare eller minst en grupp.
Evidensklasserna är utvärderarnas egen, redigerbara skala i programkatalogen. Som
evidensbaserade räknas {classes}. Program som inte finns i katalogen
redovisas som ”Ej klassificerat” och räknas aldrig som evidensbaserade. Åldersspannen
för indikator 2.5 är 0–5, 6–12 och 13–17 år; ett spann täcks när minst ett erbjudet
katalogprogram har en målålder som överlappar spannet.

### Konfidensintervall

Totalräkningar (alla kommuner, programinsatser eller enheter räknas) är inga
skattningar och redovisas utan konfidensintervall.

Andelar av föräldrar redovisas med Wilsons intervall och antal föräldrar per 1 000 barn
med exakt Poissonintervall (under 10 deltagare) eller Byars metod (10 eller fler), med
konfidensgraden {level}. Andelar av kommuner, programinsatser och enheter är
totalräkningar och redovisas utan intervall, liksom medelvärdet per kommun (1.2) och
familjecentraler per 1 000 barn (2.2), där alla enheter räknas.

### Förändring sedan förra omgången

För ja/nej-indikatorer redovisas skillnaden och vilka kommuner som tillkommit och fallit
bort, bland kommuner som svarat båda omgångarna. Andelar av föräldrar jämförs med
Newcombes intervall för skillnaden, antal per 1 000 barn med kvoten mellan omgångarna
och dess exakta intervall, övriga indikatorer med skillnaden mellan värdena.

### Status mot målet

- **Uppnått:** värdet når målet (100 %).
- **Baslinje:** första omgången med ett värde, eller ingen kommun har svarat i båda
  omgångarna som jämförs; det finns ännu ingen riktning att bedöma.
- **En regel från andra omgången:** förändringen mellan de två senaste omgångarna med
  ett värde räknas om till förändring per år och förlängs som en rät linje från
  omgångens värde till {TARGET_YEAR}; på väg om linjen når målet, annars ej på väg. En
  andel stannar inom 0–100 %. Samma regel gäller i varje omgång, så en status byter inte
  riktning för att en tredje omgång kommer till och en annan modell tar över. Trenden
  över tre omgångar eller fler (logistisk regression för andelar, Poissonregression för
  antal per 1 000 barn) beskriver utvecklingen men avgör inte statusen; för andelar av
  kommuner räknas den bland de kommuner som svarat i varje omgång.
- **Samma kommuner båda omgångarna:** för andelar av kommuner (totalräkningar), för
  medelvärdet per kommun (1.2) och för antalet familjecentraler (2.2) räknas länets
  förändring bara bland de kommuner som har ett värde i båda omgångarna. En kommun som
  svarar för första gången, eller inte svarar alls, ändrar alltså inte riktningen. Vi
  har valt kommunerna som svarat båda omgångarna, inte alla länets kommuner, eftersom
  en kommun som inte svarat har ett okänt värde: att räkna den som nej skulle göra
  svarsfrekvensen till en del av varje indikator. Det är samma jämförelse som visar
  vilka kommuner som tillkommit och fallit bort.
- **Andelar och antal av föräldrar** (1.4; 1.5 och 1.6 följs utan mål): på väg eller
  ej på väg bara när förändringens konfidensintervall (Newcombes intervall för en
  andel, kvotens exakta intervall för antal per 1 000 barn) utesluter ingen förändring.
  Annars är statusen
  **ingen säker förändring** (≈): skillnaden mellan omgångarna kan bero på slumpen.
- **Familjecentraler per 1 000 barn (2.2)** bedöms på antalet familjecentraler och
  familjecentralsliknande verksamheter, inte på kvoten: fler barn med samma antal
  enheter är ingen försämring av utbyggnaden, och färre barn ingen förbättring.
- En andel räknas som att nå 100 % när det framskrivna antalet avrundat blir alla, det
  vill säga andelen är minst (n − ½)/n där n är nämnaren i den senaste omgången.
- **Stigande mål:** på väg när förändringen som bedöms är positiv, annars ej på väg;
  aldrig uppnått.
- **Följs utan mål:** ingen status.
- Omgången {TARGET_YEAR} och senare: ett mål i procent som inte är nått är ej på väg.

### Jämförelse med länet

I kommunprofilerna jämförs varje värde som bygger på antal föräldrar (1.4–1.6) med
länets värde, som i Folkhälsomyndighetens och Fingertips profiler: är hela kommunens
{level}-iga konfidensintervall högre än länets värde är kommunen *högre än länet*, är
det lägre är kommunen *lägre än länet*, och rymmer intervallet länets värde finns *ingen
säker skillnad*. Jämförelsen visas med symbol och text: ▲ högre, ● ingen säker
skillnad, ▼ lägre.

### Tecken för värden som inte visas

Alla tabeller, diagram och nedladdningar använder Koladas tecken:

- **..** skyddat värde (röjandeskydd): värdet bygger på för få föräldrar.
- **–** uppgift saknas: kommunen har inte svarat, eller det finns inget att räkna på.
- **.** ej tillämpligt: uppgiften kan inte finnas, till exempel förändring i första
  omgången.

### Röjandeskydd

{disclosure}
"""


def methods_markdown(settings: Settings | None = None) -> str:
    """The whole method appendix in Swedish Markdown."""
    settings = settings or Settings()
    parts = [
        "# Metoder och definitioner",
        "",
        "Uppföljningen av den regionala strategin för föräldraskapsstöd 2024–2030 görs "
        "vartannat år. Varje indikator beräknas för länet och för var och en av länets "
        "kommuner. Andelar anges som procent, antal per 1 000 barn med en decimal.",
        "",
        "## Indikatorer",
        "",
    ]
    for area, indicators in by_goal_area().items():
        if not indicators:
            continue
        name = GOAL_AREAS[area]
        parts += [f"### Målområde {area}: {name}" if area.isdigit() else f"### {name}", ""]
        for ind in indicators:
            parts.append(indicator_section(ind, settings).replace("### ", "#### ", 1))
    parts.append(_common(settings))
    return "\n".join(parts)


def write_methods(path: str | Path, settings: Settings | None = None) -> Path:
    """Write the method appendix as UTF-8 Markdown."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(methods_markdown(settings), encoding="utf-8")
    return path
