"""Number, unit, month and status formatting shared by the terminal report, the HTML report
and the demo's summary: one place for the German number format and the signs of official
statistics (kennzahlen.md, publishing rule): `p` vorläufige Zahl, `*` geheim gehalten
(suppressed), `-` genau null, and for a missing value `–` (terminal) or `x` (HTML)."""

from __future__ import annotations

import math

MONATSNAMEN = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
               "September", "Oktober", "November", "Dezember")  # fmt: skip
MONAT_KURZ = tuple(n[:3] for n in MONATSNAMEN)

VORLAEUFIG = "p"  # the official marker of a provisional figure (kennzahlen.md)
GEHEIM = "*"
NULL = "-"
ENTFAELLT = "–"

STATUS_LABEL = {
    "erreicht": "✔ erreicht",
    "auf_kurs": "▲ auf Kurs",
    "knapp": "● knapp",
    "gefaehrdet": "✖ gefährdet",
    "monitoring": "· Monitoring",
}

# unit code of the catalogue -> (suffix, decimals for non-integral values)
EINHEIT = {
    "prozent": (" %", 2),
    "anzahl": ("", 1),
    "personen": (" Pers.", 1),
    "kontakte_je_person_jahr": (" Kontakte/Jahr", 1),
}


def zahl(wert: float | None, nachkommastellen: int = 0, *, tausender: bool = True) -> str:
    """German number format: 48.869 and 20,20; '–' for missing."""
    if wert is None:
        return ENTFAELLT
    text = f"{wert:,.{nachkommastellen}f}" if tausender else f"{wert:.{nachkommastellen}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _fehlt(wert: float | None) -> bool:
    return wert is None or (isinstance(wert, float) and math.isnan(wert))


def mit_einheit(
    wert: float | None,
    einheit: str,
    *,
    geheim: bool = False,
    fehlt: str = ENTFAELLT,
    suffix: bool = True,
) -> str:
    """One value with its unit: `*` when missing in a suppressed row (`geheim`), `fehlt`
    when missing otherwise, `-` when exactly 0; counts and whole stocks without decimals.

    `geheim` is the row's flag: suppression NULLs single cells and flags the row, so a cell
    is suppressed when it is NULL in a flagged row; its visible neighbours stay."""
    if _fehlt(wert):
        return GEHEIM if geheim else fehlt
    if wert == 0:
        return NULL
    endung, stellen = EINHEIT.get(einheit, ("", 2))
    if einheit != "prozent" and float(wert).is_integer():
        stellen = 0
    return zahl(wert, stellen) + (endung if suffix else "")


def prozent_ganz(
    wert: float | None, *, geheim: bool = False, fehlt: str = ENTFAELLT, null: str = "0 %"
) -> str:
    """A Zielerreichungsgrad in whole percent ('104 %'); `null` for exactly 0."""
    if _fehlt(wert):
        return GEHEIM if geheim else fehlt
    return null if wert == 0 else zahl(wert, 0) + " %"


def vorzeichen(wert: float | None, nachkommastellen: int = 1) -> str:
    """A signed deviation: '+1,2' or '−0,4' (typographic minus)."""
    if wert is None:
        return ENTFAELLT
    return ("+" if wert >= 0 else "−") + zahl(abs(wert), nachkommastellen)


def markiert(text: str, vorlaeufig: bool) -> str:
    """A plain-text value with the provisional marker (' p') when it is provisional."""
    return f"{text} {VORLAEUFIG}" if vorlaeufig else text


def prozent_text(wert: float | None, *, vorlaeufig: bool = False, geheim: bool = False) -> str:
    """A percentage in plain text (the demo's summary, the comparison's lines): two decimals
    with a German comma, no thousands separator and no unit, ' p' when provisional; when
    missing `*` in a suppressed row (`geheim`), else '–'."""
    if wert is None:
        return GEHEIM if geheim else ENTFAELLT
    return markiert(zahl(wert, 2, tausender=False), vorlaeufig)


def zelle(
    wert: float | None, einheit: str = "", *, unterdrueckt: bool = False, suffix: bool = True
) -> str:
    """One value of the HTML report: `*` suppressed, `x` no value, `-` exactly 0, else German
    format (with the unit's suffix unless `suffix` is False)."""
    return mit_einheit(wert, einheit, geheim=unterdrueckt, fehlt="x", suffix=suffix)
