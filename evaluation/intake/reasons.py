"""Swedish labels of the validation rules, for the reports' data-quality section.

Every finding carries one of these codes; the messages themselves (terminal,
`validation.csv`) are Swedish too, and a published report groups findings by label.
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
    "scientific_notation": "Antal i grundpotensform (som 1e3)",
    "implausible_count": "Orimligt stort antal (över Sveriges befolkning)",
    "count_above_children": "Fler deltagare än två per barn 0–17 år i kommunen",
    "unread_file": "Fil i ett format som inte läses (inte inläst)",
    "unread_folder": "Undermapp (inte inläst)",
    "hidden_sheet": "Dolt blad (inte inläst)",
    "near_miss_header": "Rubrik som nästan stämmer (kolumnen inte inläst)",
    "formula_without_value": "Formel utan sparat värde (läst som tom)",
    "stray_byte": "Tecken som inte är giltig UTF-8",
}

SEVERITY_LABELS: dict[str, str] = {
    "rejected": "Avvisad",
    "warning": "Varning",
    "info": "Upplysning",
}


def reason_label(code: str) -> str:
    return REASONS.get(code, code or "Övrigt")
