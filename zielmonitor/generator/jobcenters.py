"""The Jobcenters a run simulates: Düsseldorf first at scale 1.0, then others of varied size
and structure (deterministic from the seed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Regional keys and names of real SGB II areas (names only; all figures are synthetic) and the
# Vergleichstyp assumed for each (the master data below): Düsseldorf IIIe (assumption,
# docs/vergleich.md), the others plausible by labour market and SGB II-Quote. The demo's first
# seven give types of 3, 3 and 1.
_KNOWN: tuple[tuple[str, str, str], ...] = (
    ("05111", "Jobcenter Düsseldorf", "IIIe"),
    ("05315", "Jobcenter Köln", "IIIe"),
    ("05113", "Jobcenter Essen", "V"),
    ("05913", "Jobcenter Dortmund", "V"),
    ("05112", "Jobcenter Duisburg", "V"),
    ("05124", "Jobcenter Wuppertal", "IIIe"),
    ("05116", "Jobcenter Mönchengladbach", "IIId"),
    ("05117", "Jobcenter Mülheim an der Ruhr", "IIIc"),
    ("05314", "Jobcenter Bonn", "IIIb"),
    ("05911", "Jobcenter Bochum", "V"),
    ("05513", "Jobcenter Gelsenkirchen", "V"),
    ("05711", "Jobcenter Arbeitplus Bielefeld", "IIId"),
    ("05515", "Jobcenter Münster", "IIIb"),
    ("05114", "Jobcenter Krefeld", "IIId"),
    ("05119", "Jobcenter Oberhausen", "V"),
    ("05122", "Jobcenter Solingen", "IIIc"),
    ("05316", "Jobcenter Leverkusen", "IIIc"),
    ("05914", "Jobcenter Hagen", "IIId"),
    ("05915", "Jobcenter Hamm", "IIId"),
    ("05916", "Jobcenter Herne", "V"),
    ("09162", "Jobcenter München", "IIa"),
    ("02000", "Jobcenter team.arbeit.hamburg", "IIIe"),
    ("06412", "Jobcenter Frankfurt am Main", "IIIe"),
    ("08111", "Jobcenter Stuttgart", "IIa"),
    ("09564", "Jobcenter Nürnberg-Stadt", "IIb"),
    ("14713", "Jobcenter Leipzig", "IVb"),
    ("14612", "Jobcenter Dresden", "IVb"),
    ("03241", "Jobcenter Region Hannover", "IIIe"),
    ("04011", "Jobcenter Bremen", "V"),
    ("05120", "Jobcenter Remscheid", "IIId"),
)


@dataclass(frozen=True)
class JobcenterSpec:
    index: int
    id: str
    name: str
    scale: float = 1.0  # population relative to Düsseldorf
    job_factor: float = 1.0  # integration level
    exit_factor: float = 1.0  # non-job exits (lower: more LZB)
    refugee_factor: float = 1.0  # size of the 2015/16 refugee inflow
    contact_factor: float = 1.0
    teams: tuple[str, ...] = ("ST01-Nord", "ST02-Mitte", "ST03-Süd", "ST04-Ost", "ST05-West")


def jobcenter_specs(n: int, seed: int, scale: float = 1.0) -> list[JobcenterSpec]:
    """n Jobcenters; the first is Düsseldorf. Each spec depends only on (seed, index), so
    Jobcenter i is the same whatever n is."""
    specs = [JobcenterSpec(0, *_KNOWN[0][:2], scale=scale)]
    for i in range(1, n):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i, 1)))
        key, name = _KNOWN[i][:2] if i < len(_KNOWN) else _synthetic(i)
        size = float(np.clip(rng.lognormal(np.log(0.45), 0.7), 0.05, 3.0))
        n_teams = int(np.clip(round(5 * size**0.5), 2, 12))
        specs.append(
            JobcenterSpec(
                index=i,
                id=key,
                name=name,
                scale=size * scale,
                job_factor=float(rng.uniform(0.8, 1.2)),
                exit_factor=float(rng.uniform(0.8, 1.25)),
                refugee_factor=float(rng.uniform(0.4, 1.6)),
                contact_factor=float(rng.uniform(0.7, 1.2)),
                teams=tuple(f"ST{k + 1:02d}" for k in range(n_teams)) + ("ST-Süd",),
            )
        )
    return specs


def _synthetic(i: int) -> tuple[str, str]:
    """Fictitious but well-formed keys beyond the known list (Land 05, Kreis 9xx range)."""
    return f"{(i * 7919) % 90000 + 10000:05d}", f"Jobcenter Kreis {i:03d}"


# --- master data (seed dbt_project/seeds/jobcenter_stammdaten.csv; docs/vergleich.md) -----
# The 15 SGB II-Vergleichstypen valid since February 2014. Codes and labels are a documented
# reconstruction (docs/vergleich.md), not the BA's wording.
VERGLEICHSTYPEN_2014: tuple[tuple[str, str], ...] = (
    ("Ia", "Ländliche Gebiete mit sehr guter Arbeitsmarktlage, sehr niedrige SGB II-Quote"),
    ("Ib", "Ländliche Gebiete mit sehr guter Arbeitsmarktlage, niedrige SGB II-Quote"),
    ("Ic", "Ländliche Gebiete mit guter Arbeitsmarktlage und hoher Saisondynamik"),
    ("IIa", "Städtische Gebiete mit guter Arbeitsmarktlage, niedrige SGB II-Quote"),
    ("IIb", "Städtische Gebiete mit guter Arbeitsmarktlage, durchschnittliche SGB II-Quote"),
    ("IIc", "Ländliche Gebiete mit durchschnittlicher Arbeitsmarktlage"),
    ("IId", "Städtische Gebiete mit durchschnittlicher Arbeitsmarktlage"),
    ("IIIa", "Ländliche Gebiete mit unterdurchschnittlicher Arbeitsmarktlage"),
    ("IIIb", "Städte mit durchschnittlicher Arbeitsmarktlage und hohem Studierendenanteil"),
    ("IIIc", "Städte mit unterdurchschnittlicher Arbeitsmarktlage"),
    ("IIId", "Städte mit unterdurchschnittlicher Arbeitsmarktlage und hoher SGB II-Quote"),
    ("IIIe", "Großstädte mit durchschnittlicher Arbeitsmarktlage und hoher SGB II-Quote"),
    ("IVa", "Ländliche Gebiete in Ostdeutschland mit unterdurchschnittlicher Arbeitsmarktlage"),
    ("IVb", "Städte in Ostdeutschland mit unterdurchschnittlicher Arbeitsmarktlage"),
    ("V", "Großstädte mit schlechter Arbeitsmarktlage und sehr hoher SGB II-Quote"),
)
TYPISIERUNG_AB = "2014-02-01"  # a later typisation is new rows with their own gueltig_ab

_LAENDER: dict[str, tuple[str, str]] = {  # first two digits of the key: Land, Regionaldirektion
    "01": ("Schleswig-Holstein", "Nord"),
    "02": ("Hamburg", "Nord"),
    "03": ("Niedersachsen", "Niedersachsen-Bremen"),
    "04": ("Bremen", "Niedersachsen-Bremen"),
    "05": ("Nordrhein-Westfalen", "Nordrhein-Westfalen"),
    "06": ("Hessen", "Hessen"),
    "07": ("Rheinland-Pfalz", "Rheinland-Pfalz-Saarland"),
    "08": ("Baden-Württemberg", "Baden-Württemberg"),
    "09": ("Bayern", "Bayern"),
    "10": ("Saarland", "Rheinland-Pfalz-Saarland"),
    "11": ("Berlin", "Berlin-Brandenburg"),
    "12": ("Brandenburg", "Berlin-Brandenburg"),
    "13": ("Mecklenburg-Vorpommern", "Nord"),
    "14": ("Sachsen", "Sachsen"),
    "15": ("Sachsen-Anhalt", "Sachsen-Anhalt-Thüringen"),
    "16": ("Thüringen", "Sachsen-Anhalt-Thüringen"),
}

# type by key (not by index: a synthetic key beyond the list may equal a known one)
_TYP_BEKANNT = {key: typ for key, _name, typ in _KNOWN}
_BEZEICHNUNG = dict(VERGLEICHSTYPEN_2014)

STAMMDATEN_SPALTEN = (
    "jobcenter_id", "name", "land", "regionaldirektion", "vergleichstyp",
    "vergleichstyp_bezeichnung", "gueltig_ab", "gueltig_bis",
)  # fmt: skip


def stammdaten(spec: JobcenterSpec) -> dict[str, str]:
    """The master data row the generator assumes for `spec` (no random draw: the random
    streams of the simulation stay untouched). Keys outside the known list: Land from the
    key (NRW where the synthetic key has no Land), type chosen by the index."""
    land, rd = _LAENDER.get(spec.id[:2], _LAENDER["05"])
    nach_index = VERGLEICHSTYPEN_2014[spec.index % len(VERGLEICHSTYPEN_2014)][0]
    typ = _TYP_BEKANNT.get(spec.id) or nach_index
    return {
        "jobcenter_id": spec.id,
        "name": spec.name,
        "land": land,
        "regionaldirektion": f"Regionaldirektion {rd}",
        "vergleichstyp": typ,
        "vergleichstyp_bezeichnung": _BEZEICHNUNG[typ],
        "gueltig_ab": TYPISIERUNG_AB,
        "gueltig_bis": "",
    }
