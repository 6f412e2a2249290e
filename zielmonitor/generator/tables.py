"""Turn one simulated month into the contract's tables (canonical values, final truth),
with a `_known` day per row from which the source system knows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zielmonitor.contract import ARBEITSZEIT, FOERDERUNG, INSTRUMENT
from zielmonitor.generator import params as P
from zielmonitor.generator.calendar import add_months, day_number, to_date
from zielmonitor.generator.population import NATS

if TYPE_CHECKING:
    from zielmonitor.generator.simulation import Simulation

ARTEN = ("SVB", "AUS", "SELB", "GERING", "OEFF")
GRUENDE = ("REGULAER", "ABBRUCH", "SONSTIG")
ZIELE = tuple(P.FBW_ZIEL_P)
EPOCH_D = np.datetime64("1970-01-01", "D")


@dataclass
class MonthTruth:
    month: int
    stichtag: date
    elb: pd.DataFrame  # `_profil_known`: day from which profillage is registered
    erwerbsaufnahmen: pd.DataFrame  # every event table has `_known`
    massnahme_eintritte: pd.DataFrame
    massnahme_austritte: pd.DataFrame
    kontakte: pd.DataFrame
    leistungen: pd.DataFrame  # `_known`; `_llu_prov` = amount before a later correction
    eingliederungsmittel: pd.DataFrame


def _dates(days: np.ndarray) -> np.ndarray:
    return EPOCH_D + np.asarray(days, dtype=np.int64)


def _codes(values: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    """Code lookup; negative index = missing (None)."""
    table = np.array(list(codes) + [None], dtype=object)
    v = np.asarray(values, dtype=np.int64)
    return table[np.where(v < 0, len(codes), v)]


def person_ids(sim: Simulation, idx: np.ndarray) -> np.ndarray:
    """Stable pseudonyms: a bijection of (Jobcenter, person number) onto 9 digits."""
    v = (sim.spec.index * 10**7 + np.asarray(idx, dtype=np.int64)) * 387_420_489 % 10**9
    return np.char.add("P", np.char.zfill(v.astype(str), 9)).astype(object)


def bg_ids(sim: Simulation, idx: np.ndarray) -> np.ndarray:
    v = (sim.spec.index * 10**7 + np.asarray(idx, dtype=np.int64)) * 282_475_249 % 10**9
    return np.char.add("B", np.char.zfill(v.astype(str), 9)).astype(object)


def build_truth(
    sim: Simulation, m: int, cur: np.ndarray, prev: np.ndarray, events: dict[str, list]
) -> MonthTruth:
    st = sim.st[m]
    # the first delivered month has no known previous Stichtag: window = one calendar month
    lo = day_number(add_months(to_date(st), -1)) if m == sim.first else sim.st[m - 1]
    allowed = cur if m == sim.first else np.union1d(cur, prev)
    return MonthTruth(
        month=m,
        stichtag=to_date(st),
        elb=_elb(sim, cur, m),
        erwerbsaufnahmen=_erwerbsaufnahmen(sim, events["ea"], lo, allowed),
        massnahme_eintritte=_eintritte(sim, events["me"], lo, allowed),
        massnahme_austritte=_austritte(sim, events["ma"]),
        kontakte=_kontakte(sim, cur, m, lo),
        leistungen=_leistungen(sim, cur, m),
        eingliederungsmittel=_eingliederungsmittel(sim, m),
    )


def _elb(sim: Simulation, cur: np.ndarray, m: int) -> pd.DataFrame:
    p, f, rng, st = sim.p, sim.f, sim.rng, sim.st[m]
    shown = sim.shown_profile(cur, m)
    age = sim.age_months(cur, m)
    team = np.where(age < 300, len(sim.spec.teams), p["team"][cur])
    team = np.where(p["refugee"][cur], len(sim.spec.teams) + 1, team)
    meas = p["meas"][cur]
    running = (meas >= 0) & (f["start"][np.maximum(meas, 0)] <= st)
    late = (shown >= 0) & (rng.random(len(cur)) < P.CORRECTION_P)
    frame = pd.DataFrame(
        {
            "person_id": person_ids(sim, cur),
            "bg_id": bg_ids(sim, p["bg"][cur]),
            "geburtsmonat": (p["birth"][cur] - 1970 * 12).astype("datetime64[M]"),
            "geschlecht": _codes(p["sex"][cur], P.SEX),
            "staatsangehoerigkeit": np.array(NATS, dtype=object)[p["nat"][cur]],
            "alleinerziehend": p["ae"][cur],
            "schwerbehindert": p["sb"][cur],
            "schulabschluss": _codes(p["schul"][cur], P.SCHUL),
            "berufsabschluss": _codes(p["beruf"][cur], P.BERUF),
            "profillage": _codes(shown, P.PROFILES),
            "elb_tage_730": p["tage"][cur].astype(np.int64),
            "arbeitslos": p["al"][cur],
            "arbeitslos_seit": np.where(
                p["al"][cur], _dates(p["al_seit"][cur]), np.datetime64("NaT")
            ),
            "massnahme_stichtag": _codes(
                np.where(running, f["instr"][np.maximum(meas, 0)], -1), INSTRUMENT
            ),
            "team": np.array(sim.teams, dtype=object)[team],
            "_profil_known": np.where(late, st + rng.integers(*P.LATE_DAYS, len(cur)), 0),
        }
    )
    return frame.sort_values("person_id", kind="stable").reset_index(drop=True)


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    keys = parts[0].keys() if parts else ()
    return {k: np.concatenate([np.asarray(d[k]) for d in parts]) for k in keys}


def _erwerbsaufnahmen(
    sim: Simulation, parts: list[dict[str, np.ndarray]], lo: int, allowed: np.ndarray
) -> pd.DataFrame:
    e = _concat(parts)
    keep = (e["day"] > lo) & np.isin(e["person"], allowed)
    e = {k: v[keep] for k, v in e.items()}
    frame = pd.DataFrame(
        {
            "person_id": person_ids(sim, e["person"]),
            "beginn": _dates(e["day"]),
            "art": _codes(e["art"], ARTEN),
            "foerderung": _codes(e["foerd"], FOERDERUNG),
            "arbeitszeit": _codes(e["az"], ARBEITSZEIT),
            "_known": sim._known(len(e["day"]), "erwerbsaufnahmen"),
        }
    )
    return frame.sort_values(["person_id", "beginn", "art"], kind="stable").reset_index(drop=True)


def _ff_ids(sim: Simulation, idx: np.ndarray) -> np.ndarray:
    return np.char.add(f"F{sim.spec.id}", np.char.zfill(idx.astype(str), 8)).astype(object)


def _eintritte(
    sim: Simulation, parts: list[np.ndarray], lo: int, allowed: np.ndarray
) -> pd.DataFrame:
    f = sim.f
    idx = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    idx = idx[(f["start"][idx] > lo) & np.isin(f["person"][idx], allowed)]
    f["delivered"][idx] = True
    frame = pd.DataFrame(
        {
            "foerderfall_id": _ff_ids(sim, idx),
            "person_id": person_ids(sim, f["person"][idx]),
            "instrument": _codes(f["instr"][idx], INSTRUMENT),
            "massnahme_ziel": _codes(f["ziel"][idx], ZIELE),
            "eintritt": _dates(f["start"][idx]),
            "geplantes_ende": _dates(f["plan_end"][idx]),
            "_known": f["known"][idx],
        }
    )
    return frame.sort_values("foerderfall_id", kind="stable").reset_index(drop=True)


def _austritte(sim: Simulation, parts: list[np.ndarray]) -> pd.DataFrame:
    """Only cases whose Eintritt was delivered (cases from before the history are visible
    only in massnahme_stichtag); known no earlier than their Eintritt."""
    f = sim.f
    idx = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    idx = idx[f["delivered"][idx]]
    fbw = f["instr"][idx] == INSTRUMENT.index("FBW")
    known = np.maximum(sim._known(len(idx), "massnahme_austritte"), f["known"][idx])
    frame = pd.DataFrame(
        {
            "foerderfall_id": _ff_ids(sim, idx),
            "person_id": person_ids(sim, f["person"][idx]),
            "austritt": _dates(f["end"][idx]),
            "austrittsgrund": _codes(f["grund"][idx], GRUENDE),
            "abschluss_bestanden": np.where(fbw, f["passed"][idx], None),
            "_known": known,
        }
    )
    return frame.sort_values("foerderfall_id", kind="stable").reset_index(drop=True)


def _kontakte(sim: Simulation, cur: np.ndarray, m: int, lo: int) -> pd.DataFrame:
    p, rng, st = sim.p, sim.rng, sim.st[m]
    year = m // 12
    shown = sim.shown_profile(cur, m)
    rates = P.CONTACTS_2016 if year >= 2016 else P.CONTACTS_2015
    rate = np.where(shown >= 0, rates[np.maximum(shown, 0)], P.CONTACTS_EMPTY)
    u25_mn = (sim.age_months(cur, m) < 300) & np.isin(shown, P.MARKTNAH)
    rate = rate * np.where(u25_mn & (year >= 2016), P.U25_MARKTNAH_2016, 1.0)
    first = np.maximum(p["entry_day"][cur], lo + 1)
    frac = np.clip((st - first + 1) / (st - lo), 0, 1)
    counted = rng.poisson(rate * sim.spec.contact_factor * 1.02 / 12 * frac)
    other = rng.poisson((P.SCHRIFT_PER_YEAR + P.GRUPPE_PER_YEAR) / 12 * frac)
    who = np.concatenate([np.repeat(cur, counted), np.repeat(cur, other)])
    start = np.concatenate([np.repeat(first, counted), np.repeat(first, other)])
    n1 = counted.sum()
    art = np.where(rng.random(len(who)) < P.TEL_SHARE, 1, 0)
    art[n1:] = np.where(
        rng.random(len(who) - n1) < P.SCHRIFT_PER_YEAR / (P.SCHRIFT_PER_YEAR + P.GRUPPE_PER_YEAR),
        2,
        3,
    )
    day = sim._weekday(start + (rng.random(len(who)) * (st - start + 1)).astype(np.int64), start)
    frame = pd.DataFrame(
        {
            "person_id": person_ids(sim, who),
            "datum": _dates(day),
            "kontaktart": _codes(art, ("PERS", "TEL", "SCHRIFT", "GRUPPE")),
        }
    )
    frame = frame.drop_duplicates(["person_id", "datum", "kontaktart"])
    frame["_known"] = sim._known(len(frame), "kontakte")
    return frame.sort_values(["person_id", "datum", "kontaktart"], kind="stable").reset_index(
        drop=True
    )


def _leistungen(sim: Simulation, cur: np.ndarray, m: int) -> pd.DataFrame:
    p, b, rng = sim.p, sim.b, sim.rng
    year = min(max(m // 12, 2014), 2016)
    rb1, rb2, rb3, rb4, rbk = P.REGELBEDARF[year]
    bg = p["bg"][cur]
    kind, age = b["kind"][bg], sim.age_months(cur, m)
    role = p["role"][cur]
    need = np.where(role == 0, np.where(kind >= 3, rb2, rb1), np.where(role == 1, rb2, 0))
    need = np.where(role == 2, np.where(age >= 216, rb3, rb4), need)
    active, inv = np.unique(bg, return_inverse=True)
    gross = np.bincount(inv, weights=need, minlength=len(active))
    income = np.bincount(inv, weights=p["income"][cur] * p["employed"][cur], minlength=len(active))
    kids = b["children"][active].astype(np.int64)
    gross = gross + kids * rbk
    ae = np.bincount(inv, weights=p["ae"][cur], minlength=len(active)) > 0
    mb = np.where(kids >= 2, np.maximum(0.36, np.minimum(0.6, 0.12 * kids)), 0.12) * rb1
    gross = gross + np.where(ae, mb, 0) + np.where(rng.random(len(active)) < 0.04, 38.0, 0)
    rent = b["rent"][active] * (1 + 0.015 * (year - 2014))
    llu = np.round(np.maximum(gross - income, 0), 2)
    luh = np.round(np.maximum(rent - np.maximum(income - gross, 0), 0), 2)
    ne = sim.non_elb
    present = rng.random(len(ne)) < 0.9
    corr = rng.random(len(active)) < P.LEISTUNG_CORRECTION_P
    frame = pd.DataFrame(
        {
            "bg_id": np.concatenate([bg_ids(sim, active), ne["bg_id"][present].to_numpy(object)]),
            "llu_anspruch": np.concatenate([llu, np.round(ne["kids"][present] * rbk, 2)]),
            "luh_anspruch": np.concatenate([luh, np.round(ne["rent"][present], 2)]),
            "_known": np.concatenate(
                [
                    np.where(corr, sim.st[m] + rng.integers(*P.LATE_DAYS, len(active)), 0),
                    np.zeros(present.sum(), dtype=np.int64),
                ]
            ),
        }
    )
    frame["_llu_prov"] = np.round(frame["llu_anspruch"] * np.where(frame["_known"] > 0, 0.93, 1), 2)
    return frame.sort_values("bg_id", kind="stable").reset_index(drop=True)


def _eingliederungsmittel(sim: Simulation, m: int) -> pd.DataFrame:
    f, rng = sim.f, sim.rng
    st0, st = sim.st[m - 1], sim.st[m]
    n = f.n
    start, end, instr = f["start"][:n], f["end"][:n], f["instr"][:n]
    vb = instr == INSTRUMENT.index("VB")
    active = (start <= st) & ((end == -1) | (end > st0)) & ~vb
    active |= vb & (start > st0) & (start <= st)
    idx = np.flatnonzero(active)
    cost = np.array([P.MONTHLY_COST.get(c, P.VB_COST) for c in INSTRUMENT])[instr[idx]]
    u25 = sim.age_months(f["person"][idx], m) < 300
    cost = cost * np.where(u25, P.U25_COST_MULT, 1.0)
    key = instr[idx] * 2 + ~u25
    total = np.bincount(key, weights=cost, minlength=2 * len(INSTRUMENT))
    total = np.round(total * rng.lognormal(0, 0.05, len(total)), 2)
    k = np.flatnonzero(total > 0)
    frame = pd.DataFrame(
        {
            "instrument": _codes(k // 2, INSTRUMENT),
            "zielgruppe": _codes(k % 2, ("U25", "UE25")),
            "betrag": total[k],
        }
    )
    return frame.sort_values(["instrument", "zielgruppe"], kind="stable").reset_index(drop=True)
