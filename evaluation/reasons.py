"""Swedish labels of the validation rules, for the reports' data-quality section.

The validation report keeps English messages for the command line and
`validation.csv`; a published report groups findings by these labels.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "municipality_missing": "Kommun saknas",
    "unknown_municipality": "Okänd kommun",
    "outside_county": "Kommun utanför länet",
    "yesno_unreadable": "Ja/nej-svar som inte gick att läsa (räknas som saknat)",
    "yesno_blank": "Tomt ja/nej-svar (räknas som saknat, inte som nej)",
    "negative_count": "Negativt antal",
    "not_whole": "Antal som inte är ett heltal",
    "not_a_number": "Värde som inte är ett tal",
    "count_missing": "Obligatoriskt antal saknas",
    "value_missing": "Obligatoriskt värde saknas",
    "unknown_sector": "Okänd sektor",
    "unknown_unit_type": "Okänd enhetstyp (ska vara BMM eller BVC)",
    "unclassified_programme": "Program som inte finns i programkatalogen (oklassificerat)",
    "personnummer": "Personnummer eller liknande (raden avvisad, numret sparas inte)",
    "scb_total": "Läns- eller riksrad i SCB-tabellen (används inte)",
    "scb_empty": "Rad utan siffror i SCB-tabellen",
    "completed_above_participants": "Fler har fullföljt än påbörjat",
    "gender_above_participants": "Kvinnor och män är fler än deltagarna",
    "not_offered": "Varken grupper eller deltagare angivna (räknas inte som erbjudet)",
    "group_without_group": "Sektor anges ingå i en grupp som inte finns",
    "young_above_all": "Fler barn 0–5 år än 0–17 år",
    "exact_duplicate": "Dubblettrad (exakt kopia, den första behålls)",
    "conflicting_duplicate": "Motstridiga dubbletter (alla avvisas)",
    "unknown_sheet": "Blad eller fil som inte motsvarar någon tabell (inte inläst)",
    "ignored_column": "Kolumn som inte ingår i tabellen (inte inläst)",
}

SEVERITY_LABELS: dict[str, str] = {
    "rejected": "Avvisad",
    "warning": "Varning",
    "info": "Upplysning",
}


def reason_label(code: str) -> str:
    return REASONS.get(code, code or "Övrigt")
