"""The monthly person-level simulation of one Jobcenter.

One step per month, vectorised over persons: job starts and exits of the previous stock,
household exits, entrants (regular, returning, refugees), measures, contacts, entitlements.
Each output month yields a `MonthTruth`: the complete (final) picture plus, per row, the day
from which it is known, so the delivery layer can cut provisional stands.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from zielmonitor.contract import INSTRUMENT
from zielmonitor.generator import params as P
from zielmonitor.generator.calendar import day_number, month_index, stichtag
from zielmonitor.generator.jobcenters import JobcenterSpec
from zielmonitor.generator.population import (
    ASYL8_IDX,
    BG_FIELDS,
    PERSON_FIELDS,
    NewHouseholds,
    Store,
    draw_households,
    subset,
)
from zielmonitor.generator.tables import MonthTruth, build_truth

BURN_IN = 36  # months simulated before the first delivered month
PRE = 24  # history columns before the simulation start (elb_tage_730 of the initial stock)
RETIRE_MONTHS = 65 * 12 + 4  # Regelaltersgrenze 2016 (65 years 4-5 months)
SEASON_JOB = np.array([1.0, 1.0, 1.12, 1.08, 1.02, 0.96, 0.95, 1.0, 1.12, 1.06, 0.94, 0.75])
SEASON_JOB = SEASON_JOB / SEASON_JOB.mean()
INSTR = {code: i for i, code in enumerate(INSTRUMENT)}
ZIELE = tuple(P.FBW_ZIEL_P)


def target_stock(m: int) -> float:
    year, mon = divmod(m, 12)
    if year <= 2014:
        return P.STOCK_BEFORE_2015[mon]
    if year == 2015:
        return P.STOCK_2015[mon]
    if year == 2016:
        return P.STOCK_2016[mon]
    return P.STOCK_2016[-1] + P.STOCK_GROWTH_AFTER_2016 * (m - month_index("2016-12"))


def refugee_entrants(m: int) -> float:
    year, mon = divmod(m, 12)
    if year <= 2014:
        return P.REFUGEES_2014
    if year == 2015:
        return P.REFUGEES_2015[mon]
    if year == 2016:
        return P.REFUGEES_2016[mon]
    return P.REFUGEES_AFTER_2016


class Simulation:
    def __init__(self, spec: JobcenterSpec, first: int, last: int, rng: np.random.Generator):
        self.spec, self.first, self.last, self.rng = spec, first, last, rng
        self.m0 = first - BURN_IN
        self.st = {m: day_number(stichtag(m)) for m in range(self.m0 - PRE - 1, last + 2)}
        cap = int(60_000 * spec.scale) + 1000
        self.p = Store({**PERSON_FIELDS}, cap)
        self.b = Store({**BG_FIELDS}, cap)
        self.hist = np.zeros((cap, PRE + last - self.m0 + 1), dtype=np.int16)
        self.f = Store(
            {
                "person": ("i4", -1),
                "instr": ("i1", 0),
                "ziel": ("i1", -1),
                "start": ("i4", 0),
                "plan_end": ("i4", 0),
                "end": ("i4", -1),
                "grund": ("i1", -1),
                "passed": ("?", 0),
                "delivered": ("?", 0),
                "known": ("i4", 0),
            },
            cap // 2,
        )
        self.teams = spec.teams + ("JJC", "IP")
        self.non_elb_bgs = max(1, round(P.NON_ELB_BGS * spec.scale))

    # ------------------------------------------------------------------ helpers
    def col(self, m: int) -> int:
        return PRE + m - self.m0

    def _grow_hist(self) -> None:
        if self.hist.shape[0] < len(self.p["bg"]):
            grown = np.zeros((len(self.p["bg"]), self.hist.shape[1]), dtype=np.int16)
            grown[: self.hist.shape[0]] = self.hist
            self.hist = grown

    def _window_days(self, m: int, lo: np.ndarray | None, n: int) -> np.ndarray:
        """Uniform days in (ST(m-1), ST(m)], at or after `lo` where given."""
        a = np.full(n, self.st[m - 1] + 1) if lo is None else np.maximum(lo, self.st[m - 1] + 1)
        return a + (self.rng.random(n) * (self.st[m] - a + 1)).astype(np.int64)

    def _weekday(self, days: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Move weekend days to the Friday before (if still >= lo) or the Monday after."""
        wd = (days + 3) % 7  # 1970-01-01 was a Thursday -> weekday 3
        back = days - np.maximum(wd - 4, 0)
        fwd = days + np.where(wd >= 5, 7 - wd, 0)
        out = np.where(back >= lo, back, fwd)
        return np.where(out <= self.st_cur, out, days)

    def age_months(self, idx: np.ndarray, m: int) -> np.ndarray:
        return m - self.p["birth"][idx]

    # ------------------------------------------------------------------ households
    def _add_households(self, h: NewHouseholds, m: int, entry_days: np.ndarray) -> np.ndarray:
        """Store new households entering at month m; returns the new person indices."""
        bg_idx = self.b.append({k: v for k, v in h.bg.items()}, h.n_bg)
        person = dict(h.person)
        is_head = person.pop("is_head")
        person["bg"] = bg_idx[person["bg"]]
        idx = self.p.append(person, h.n_person)
        self.b["head"][person["bg"][is_head]] = idx[is_head]
        self._grow_hist()
        self._enter(idx, m, entry_days[h.person["bg"]])
        return idx

    def _enter(self, idx: np.ndarray, m: int, days: np.ndarray) -> None:
        p, rng = self.p, self.rng
        p["inn"][idx] = True
        p["entry_day"][idx] = days
        p["entry_month"][idx] = m
        p["employed"][idx] = p["prof_base"][idx] == P.INTEG
        p["income"][idx] = np.where(p["employed"][idx], rng.uniform(150, 900, len(idx)), 0)
        p["prof_base"][idx] = np.where(p["prof_base"][idx] == P.INTEG, P.FP, p["prof_base"][idx])
        u = rng.random(len(idx))
        delay = np.where(u < P.EMPTY_PROFILE_P[0], 1, 0) + (u < P.EMPTY_PROFILE_P[1])
        delay = np.where(p["refugee"][idx], rng.integers(2, 7, len(idx)), delay)
        p["prof_known"][idx] = m + delay
        p["al"][idx] = False
        p["meas"][idx] = -1
        p["exit_day"][idx] = 0
        self.b["exit_at"][p["bg"][idx]] = -1

    # ------------------------------------------------------------------ initial stock
    def init_stock(self) -> None:
        m, rng = self.m0, self.rng
        target = int(target_stock(m) * self.spec.scale)
        h = draw_households(rng, target * 3, m, False, len(self.spec.teams))
        head_prof = h.person["prof_base"][h.person["is_head"]]
        lam = P.EXIT_HAZARD[head_prof] + 0.75 * P.JOB_HAZARD[head_prof]
        order = rng.choice(h.n_bg, h.n_bg, replace=False, p=(1 / lam) / (1 / lam).sum())
        size = np.bincount(h.person["bg"], minlength=h.n_bg)[order]
        chosen = np.sort(order[: np.searchsorted(np.cumsum(size), target) + 1])
        h = subset(h, chosen)
        dur = np.minimum(rng.geometric(lam[chosen] * 0.7), 240)  # months in the stock so far
        entry = np.array([self.st[m - 1] for _ in range(h.n_bg)]) - dur * 30
        idx = self._add_households(h, m, entry)
        self.p["prof_known"][idx] = m
        d = dur[h.person["bg"]]
        for k in range(PRE):
            self.hist[idx, self.col(m) - 1 - k] = np.where(d > k + 1, 30, 0)
        self._prior_history(idx[~self.p["refugee"][idx]], m, 0.15)
        self.hist[idx, self.col(m)] = 30
        self._stocktake(idx, m)
        self.non_elb = self._non_elb_households()

    def _non_elb_households(self) -> pd.DataFrame:
        n = self.non_elb_bgs
        ids = [f"S{(self.spec.index * 10**6 + k) * 7_777_777 % 10**9:09d}" for k in range(n)]
        return pd.DataFrame(
            {
                "bg_id": ids,
                "kids": self.rng.integers(1, 4, n),
                "rent": self.rng.uniform(380, 650, n),
            }
        )

    def _prior_history(self, idx: np.ndarray, m: int, share: float) -> None:
        """Some entrants drew SGB II elsewhere in the two years before (carried history)."""
        rng = self.rng
        sel = idx[rng.random(len(idx)) < share]
        if len(sel) == 0:
            return
        gap = rng.integers(1, 7, len(sel))
        months = rng.integers(4, 25, len(sel))
        for k in range(1, PRE):
            c = self.col(m) - k
            on = (k >= gap) & (k < gap + months)
            self.hist[sel[on], c] = np.maximum(self.hist[sel[on], c], 30)

    # ------------------------------------------------------------------ main loop
    def run(self) -> Iterator[MonthTruth]:
        self.init_stock()
        for m in range(self.m0 + 1, self.last + 1):
            truth = self.step(m)
            if m >= self.first:
                yield truth

    def step(self, m: int) -> MonthTruth:
        self.m, self.st_cur = m, self.st[m]
        p, b = self.p, self.b
        prev = np.flatnonzero(p["inn"][: p.n])
        lzb_prev = (p["tage"][prev] >= 638) & (self.age_months(prev, m - 1) >= 17 * 12)
        events: dict[str, list[pd.DataFrame]] = {"ea": [], "me": [], "ma": []}
        job = self._job_starts(prev, lzb_prev, m, events)
        leaving, exit_day = self._exits(prev, lzb_prev, m, job)
        self._end_measures(leaving, exit_day, m, events)
        p["inn"][leaving] = False
        p["exit_day"][leaving] = exit_day
        self.hist[leaving, self.col(m)] = exit_day - self.st[m - 1]
        b["last_exit"][p["bg"][leaving]] = m
        entrants = self._entrants(m, len(prev) - len(leaving), events)
        cur = np.flatnonzero(p["inn"][: p.n])
        stay = np.setdiff1d(cur, entrants, assume_unique=True)
        self.hist[stay, self.col(m)] = self.st[m] - self.st[m - 1]
        self.hist[entrants, self.col(m)] = self.st[m] - p["entry_day"][entrants] + 1
        self._start_measures(cur, m, events)
        self._stocktake(cur, m)
        return build_truth(self, m, cur, prev, events) if m >= self.first else None  # type: ignore

    # ------------------------------------------------------------------ job starts
    def _job_hazard(self, prev: np.ndarray, lzb_prev: np.ndarray, m: int) -> np.ndarray:
        p, f = self.p, self.f
        year, mon = divmod(m, 12)
        age = self.age_months(prev, m)
        h = np.where(p["employed"][prev], P.JOB_HAZARD[P.INTEG], P.JOB_HAZARD[p["prof_base"][prev]])
        since = m - p["entry_month"][prev]
        h = np.where(p["refugee"][prev], P.REFUGEE_JOB_HAZARD * np.where(since < 6, 0.3, 1), h)
        h = h * np.where(lzb_prev, P.LZB_JOB_MULT, 1.0) * np.where(age >= 600, P.OLD_JOB_MULT, 1)
        ae = P.ALLEIN_JOB_MULT_2016 if year >= 2016 else P.ALLEIN_JOB_MULT
        h = h * np.where(p["ae"][prev], ae, 1.0) * np.where(age < 300, P.U25_SVB_MULT, 1.0)
        h = h * np.where(p["boost_until"][prev] >= m, P.POST_FBW_JOB_MULT, 1.0)
        meas = p["meas"][prev]
        in_fbw = (meas >= 0) & (f["instr"][np.maximum(meas, 0)] == INSTR["FBW"])
        h = h * np.where(in_fbw, 0.3, 1.0)
        h = h * SEASON_JOB[mon] * P.JOB_LEVEL * P.JOB_FACTOR_BY_YEAR.get(year, 1.0)
        return h * self.spec.job_factor

    def _job_starts(
        self, prev: np.ndarray, lzb_prev: np.ndarray, m: int, events: dict[str, list]
    ) -> dict[str, np.ndarray]:
        p, b, rng = self.p, self.b, self.rng
        year, mon = divmod(m, 12)
        n = len(prev)
        age = self.age_months(prev, m)
        sched = b["exit_at"][p["bg"][prev]] == m
        h = np.where(sched, 0.0, self._job_hazard(prev, lzb_prev, m))
        aus_h = P.AUS_U25_HAZARD[mon] * (P.AUS_U25_2016 if year >= 2016 else 1.0)
        aus_h = np.where((age < 300) & ~sched & ~p["refugee"][prev], aus_h, 0.0)
        u = rng.random(n)
        # counts controlled per stratum (the figures' subgroups) so that calibrated sums do not
        # wander with Poisson noise; who starts is still random, weighted by the hazard
        strata = (
            p["ae"][prev] * 1
            + lzb_prev * 2
            + np.isin(p["nat"][prev], ASYL8_IDX) * 4
            + (age < 300) * 8
        )
        start = self._controlled(h, strata)
        aus = self._controlled(aus_h * self.spec.job_factor, np.zeros(n, dtype=np.int64))
        art = np.where(u < P.SELB_SHARE, 2, 0)
        art = np.where(
            (age >= 300) & (u >= P.SELB_SHARE) & (u < P.SELB_SHARE + P.AUS_ADULT_SHARE), 1, art
        )
        art = np.where(aus, 1, np.where(start, art, -1))
        gering = (art < 0) & ~sched & (rng.random(n) < P.GERING_HAZARD)
        who, arts = prev[art >= 0], art[art >= 0]
        beginn = self._start_days(arts, m, None)
        fo = self._foerderung(who, arts, m)
        az = np.where(arts == 1, 0, np.where(arts == 2, -1, (rng.random(len(who)) < 0.45) * 1))
        az = np.where((arts == 0) & p["ae"][who], (rng.random(len(who)) < 0.7) * 1, az)
        events["ea"].append(dict(person=who, day=beginn, art=arts, foerd=fo, az=az))
        g_who = prev[gering]
        g_day = self._start_days(np.zeros(len(g_who), dtype=np.int64), m, None)
        events["ea"].append(
            dict(
                person=g_who,
                day=g_day,
                art=np.full(len(g_who), 3),
                foerd=np.full(len(g_who), -1),
                az=np.ones(len(g_who)),
            )
        )
        # outcome: the household leaves now, next month, or the person stays as Aufstocker
        u = rng.random(len(who))
        now = u < P.JOB_EXIT_P[0]
        later = ~now & (u < P.JOB_EXIT_P[0] + P.JOB_EXIT_P[1])
        b["exit_at"][p["bg"][who[later]]] = m + 1
        stay = who[~now & ~later]
        p["employed"][stay] = True
        p["income"][stay] = rng.uniform(150, 950, len(stay))
        self._begleitend(who[~now], beginn[~now], fo[~now], m, events)
        return {"now": who[now], "now_day": beginn[now]}

    def _controlled(self, h: np.ndarray, strata: np.ndarray) -> np.ndarray:
        """Draw events with probabilities h, exactly round(sum h) per stratum (stochastic
        rounding), persons picked by an exponential race (weighted without replacement)."""
        rng = self.rng
        pick = np.zeros(len(h), dtype=bool)
        keys = -np.log(1.0 - rng.random(len(h))) / np.maximum(h, 1e-300)
        sums = np.bincount(strata, weights=h)
        counts = np.floor(sums + rng.random(len(sums))).astype(np.int64)
        order = np.lexsort((keys, strata))
        first = np.searchsorted(strata[order], np.arange(len(sums)))
        rank = np.arange(len(h)) - first[strata[order]]
        pick[order[rank < counts[strata[order]]]] = True
        return pick & (h > 0)

    def _start_days(self, arts: np.ndarray, m: int, lo: np.ndarray | None) -> np.ndarray:
        """Job starts cluster on the 1st of the month (training: nearly always)."""
        n = len(arts)
        first = day_number(stichtag(m).replace(day=1))
        days = self._weekday(self._window_days(m, lo, n), np.full(n, self.st[m - 1] + 1))
        p_first = np.where(arts == 1, 0.88, 0.5)
        on_first = self.rng.random(n) < p_first
        if lo is not None:
            on_first &= lo <= first
        return np.where(on_first, first, days)

    def _foerderung(self, who: np.ndarray, arts: np.ndarray, m: int) -> np.ndarray:
        u = self.rng.random(len(who))
        adult = self.age_months(who, m) >= 300
        egz = (arts == 0) & adult & (u < P.EGZ_SHARE)
        esg = ((arts == 2) & (u < P.ESG_SHARE_SELB)) | ((arts == 0) & (u > 0.985))
        return np.where(egz, 0, np.where(esg, 1, -1))

    def _begleitend(
        self, who: np.ndarray, day: np.ndarray, fo: np.ndarray, m: int, events: dict[str, list]
    ) -> None:
        """EGZ/ESG Förderfälle start with the subsidised job (if no measure is running)."""
        sel = (fo >= 0) & (self.p["meas"][who] < 0)
        who, day, fo = who[sel], day[sel], fo[sel]
        instr = np.where(fo == 0, INSTR["EGZ"], INSTR["ESG"])
        months = self.rng.integers(6, 13, len(who))
        self._new_cases(who, instr, np.full(len(who), -1), day, day + months * 30 - 1, events)

    # ------------------------------------------------------------------ exits
    def _exits(
        self, prev: np.ndarray, lzb_prev: np.ndarray, m: int, job: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        p, b, rng = self.p, self.b, self.rng
        bgs = p["bg"][prev]
        ubg = np.unique(bgs)
        head = b["head"][ubg]
        haz = P.EXIT_HAZARD[p["prof_base"][head]] * self.spec.exit_factor
        haz = haz * np.where(p["tage"][head] >= 638, P.LZB_EXIT_MULT, 1.0)
        haz = np.where(b["refugee"][ubg], P.REFUGEE_EXIT_HAZARD, haz)
        other = ubg[rng.random(len(ubg)) < haz]
        by_job = np.union1d(ubg[b["exit_at"][ubg] == m], p["bg"][job["now"]])
        b["job_exit"][other] = False
        b["job_exit"][by_job] = True
        out_bg = np.union1d(other, by_job)
        age = self.age_months(prev, m)
        leave = np.isin(bgs, out_bg) | (age >= RETIRE_MONTHS) | (rng.random(len(prev)) < 0.0012)
        leaving = prev[leave]
        lo = np.full(self.b.n, self.st[m - 1] + 1)
        np.maximum.at(lo, p["bg"][job["now"]], job["now_day"])
        exit_day = self._window_days(m, lo[p["bg"][leaving]], len(leaving))
        # Aufstocker losing their job again
        back = prev[~leave & p["employed"][prev] & (rng.random(len(prev)) < P.I_BACK_HAZARD)]
        p["employed"][back] = False
        p["income"][back] = 0
        return leaving, exit_day

    # ------------------------------------------------------------------ measures
    def _new_cases(
        self,
        who: np.ndarray,
        instr: np.ndarray,
        ziel: np.ndarray,
        start: np.ndarray,
        plan_end: np.ndarray,
        events: dict[str, list],
    ) -> None:
        n = len(who)
        if n == 0:
            return
        idx = self.f.append(
            {"person": who, "instr": instr, "ziel": ziel, "start": start, "plan_end": plan_end}, n
        )
        self.f["known"][idx] = self._known(n, "massnahme_eintritte")
        vb = instr == INSTR["VB"]
        self.p["meas"][who[~vb]] = idx[~vb]
        events["me"].append(idx)
        if vb.any():  # Vermittlungsbudget: a one-off payment, Eintritt = Austritt
            v = idx[vb]
            self.f["end"][v], self.f["grund"][v] = start[vb], 0
            events["ma"].append(v)

    def _end_measures(
        self, leaving: np.ndarray, exit_day: np.ndarray, m: int, events: dict[str, list]
    ) -> None:
        f, p, rng = self.f, self.p, self.rng
        run = np.flatnonzero(f["end"][: f.n] == -1)
        if len(run) == 0:
            return
        person, start, plan = f["person"][run], f["start"][run], f["plan_end"][run]
        st0, st = self.st[m - 1], self.st[m]
        abbr_h = np.array([P.ABBRUCH_HAZARD.get(c, 0.0) for c in INSTRUMENT])[f["instr"][run]]
        eday = np.zeros(p.n, dtype=np.int64)
        eday[leaving] = exit_day
        pe = eday[person]
        regular = (plan <= st) & ((pe == 0) | (plan <= pe))
        leave = ~regular & (pe > 0)
        abbr = ~regular & ~leave & (rng.random(len(run)) < abbr_h)
        a_day = self._window_days(m, np.maximum(start + 1, st0 + 1), len(run))
        end = np.where(
            regular, np.maximum(plan, st0 + 1), np.where(leave, np.maximum(pe, start), a_day)
        )
        done = regular | leave | abbr
        r, end = run[done], np.minimum(end[done], st)
        f["end"][r] = end
        f["grund"][r] = np.where(regular[done], 0, np.where(abbr[done], 1, 2))
        fbw = f["instr"][r] == INSTR["FBW"]
        f["passed"][r] = fbw & (f["grund"][r] == 0) & (rng.random(len(r)) < P.FBW_PASS_P)
        who = f["person"][r]
        p["meas"][who] = -1
        p["last_meas_end"][who] = end
        p["boost_until"][who[f["passed"][r]]] = m + 6
        events["ma"].append(r)

    def _start_measures(self, cur: np.ndarray, m: int, events: dict[str, list]) -> None:
        p, rng = self.p, self.rng
        year, mon = divmod(m, 12)
        age = self.age_months(cur, m)
        prof = p["prof_base"][cur]
        free = (p["meas"][cur] < 0) & (self.b["exit_at"][p["bg"][cur]] != m + 1)
        lza = p["al"][cur] & (p["al_seit"][cur] <= self.st[m - 1] - 365)
        komplex, marktnah = np.isin(prof, P.KOMPLEX), np.isin(prof, P.MARKTNAH)
        lzb = p["tage"][cur] >= 638
        adult = age >= 300
        weights = {
            "FBW": (adult & (age < 58 * 12) & ~p["employed"][cur])
            * np.select([prof == P.FP, prof == P.EP, prof == P.AP], [3.0, 2.0, 2.0], 0.4),
            "MAT": (age >= 216) * np.where(marktnah, 1.5, np.where(komplex, 1.0, 0.3)),
            "AGH": adult * komplex * np.where(lzb, 2.0, 0.6) * np.where(prof == P.EP, 0.7, 1.0),
            "FAV": adult * np.isin(prof, (P.SP, P.UP)) * lzb,
            "FREI": (age >= 216) * (komplex | marktnah) * 1.0,
            "TW": (age >= 216) * p["sb"][cur] * 1.0,
            "ESF_LZA": (age >= 35 * 12) * lza * 1.0,
            "BVB": (age < 300) * (age >= 180) * (prof != P.Z) * 1.0,
            "EQ": (age < 300) * (age >= 192) * (prof != P.Z) * 1.0,
            "VB": (age >= 216) * np.where(marktnah, 2.0, 1.0),
            "KOM16A": (age >= 216) * (komplex * 1.0 + p["ae"][cur] * 1.5 + 0.1),
        }
        for code, (per_year, (d_lo, d_hi)) in P.MEASURES.items():
            expected = per_year * self.spec.scale / 12 * self._measure_factor(code, year, mon)
            n = int(rng.poisson(expected)) if expected > 0 else 0
            w = weights[code] * (free if code != "VB" else 1.0)
            if n == 0 or w.sum() <= 0:
                continue
            n = min(n, int((w > 0).sum()))
            pick = rng.choice(len(cur), n, replace=False, p=w / w.sum())
            if code != "VB":
                free[pick] = False
            self._open(cur[pick], code, (d_lo, d_hi), m, events)

    def _measure_factor(self, code: str, year: int, mon: int) -> float:
        m = year * 12 + mon
        if code == "TW":
            return 0.0 if m < P.TW_START else (P.TW_2016 if year >= 2016 else 1.0)
        if code == "ESF_LZA":
            return 0.0 if m < P.ESF_START else (P.ESF_2016 if year >= 2016 else 1.0)
        if code == "FBW":
            return P.FBW_2016 if year >= 2016 else 1.0
        if code in ("BVB", "EQ"):
            return (5.0, 3.0, 2.0)[mon - 7] if 7 <= mon <= 9 else 0.2
        return 1.0

    def _open(
        self, who: np.ndarray, code: str, dur: tuple[int, int], m: int, events: dict[str, list]
    ) -> None:
        p, rng = self.p, self.rng
        n = len(who)
        lo = np.maximum(p["entry_day"][who], p["last_meas_end"][who] + 1)
        lo = np.maximum(lo, self.st[m - 1] + 1)
        ok = lo <= self.st[m]
        who, lo = who[ok], lo[ok]
        n = len(who)
        start = self._weekday(self._window_days(m, lo, n), lo)
        ziel = np.full(n, -1)
        months = rng.integers(dur[0], dur[1] + 1, n)
        if code == "FBW":
            gq = p["beruf"][who] == 0
            p_abs = np.where(gq, 0.38, 0.2)
            u = rng.random(n)
            ziel = np.where(u < p_abs, 0, 1 + rng.choice(3, n, p=[0.2, 0.5, 0.3]))
            lo_d = np.array([P.FBW_DURATION[z][0] for z in ZIELE])[ziel]
            hi_d = np.array([P.FBW_DURATION[z][1] for z in ZIELE])[ziel]
            months = rng.integers(lo_d, hi_d + 1)
        plan = start + np.maximum(months * 30.4 - 1, 0).astype(np.int64)
        self._new_cases(who, np.full(n, INSTR[code]), ziel, start, plan, events)
        if code in ("AGH", "FAV"):  # öffentlich geförderte Beschäftigung starts with the case
            events["ea"].append(
                dict(
                    person=who,
                    day=start,
                    art=np.full(n, 4),
                    foerd=np.full(n, -1),
                    az=np.full(n, 1 if code == "AGH" else 0),
                )
            )

    # ------------------------------------------------------------------ entrants
    def _entrants(self, m: int, remaining: int, events: dict[str, list]) -> np.ndarray:
        p, rng = self.p, self.rng
        need = target_stock(m) * self.spec.scale - remaining
        r_exp = refugee_entrants(m) * self.spec.scale * self.spec.refugee_factor
        r = int(r_exp) + (rng.random() < r_exp % 1)
        back = self._returners(m, max(0.0, need - r) * 0.4)
        n_new = int(max(0, round(need - r - len(back))))
        days_back = self._window_days(m, None, self.b.n)[p["bg"][back]]
        self._enter(back, m, days_back)
        new = [back]
        for persons, refugee in ((n_new, False), (r, True)):
            if persons <= 0:
                continue
            h = draw_households(rng, persons, m, refugee, len(self.spec.teams))
            idx = self._add_households(h, m, self._window_days(m, None, h.n_bg))
            if not refugee:
                self._prior_history(idx, m, P.PRIOR_HISTORY_P)
            new.append(idx)
        entrants = np.concatenate(new)
        self._entry_jobs(entrants, m, events)
        return entrants

    def _returners(self, m: int, limit: float) -> np.ndarray:
        """Households that left earlier come back (same pseudonyms, their own history)."""
        p, b, rng = self.p, self.b, self.rng
        active = np.bincount(p["bg"][: p.n][p["inn"][: p.n]], minlength=b.n) > 0
        since = m - b["last_exit"][: b.n]
        cand = np.flatnonzero(~active & (since >= 2) & (since <= 36))
        haz = np.where(since[cand] <= 12, P.REENTRY_HAZARD[0], P.REENTRY_HAZARD[1])
        haz = haz * np.where(b["job_exit"][cand], 1.2, 1.0)
        chosen = cand[rng.random(len(cand)) < haz]
        rng.shuffle(chosen)
        members = np.flatnonzero(np.isin(p["bg"][: p.n], chosen) & ~p["inn"][: p.n])
        age = self.age_months(members, m)
        members = members[(age >= 180) & (age < RETIRE_MONTHS - 6)]
        rank = np.zeros(b.n, dtype=np.int64)
        rank[chosen] = np.arange(len(chosen))
        members = members[np.argsort(rank[p["bg"][members]], kind="stable")][: int(limit)]
        return np.sort(members)

    def _entry_jobs(self, entrants: np.ndarray, m: int, events: dict[str, list]) -> None:
        """A few entrants take up work within their entry window (rule 2 Integrationen)."""
        p, rng = self.p, self.rng
        adult = self.age_months(entrants, m) >= 216
        prob = np.where(p["refugee"][entrants], 0.002, 0.02 * self.spec.job_factor) * adult
        who = entrants[rng.random(len(entrants)) < prob]
        arts = np.where(rng.random(len(who)) < 0.05, 2, 0)
        day = self._start_days(arts, m, p["entry_day"][who])
        fo = np.full(len(who), -1)
        az = (rng.random(len(who)) < 0.45) * 1
        events["ea"].append(dict(person=who, day=day, art=arts, foerd=fo, az=az))
        later = rng.random(len(who)) < 0.55
        self.b["exit_at"][p["bg"][who[later]]] = m + 1
        p["employed"][who[~later]] = True
        p["income"][who[~later]] = rng.uniform(150, 950, (~later).sum())

    # ------------------------------------------------------------------ stock at the Stichtag
    def _stocktake(self, cur: np.ndarray, m: int) -> None:
        p, f, rng = self.p, self.f, self.rng
        c = self.col(m)
        tage = self.hist[cur, max(0, c - 23) : c + 1].sum(axis=1, dtype=np.int64)
        p["tage"][cur] = np.minimum(tage, 730)
        shown = self.shown_profile(cur, m)
        meas = p["meas"][cur]
        instr = np.where(meas >= 0, f["instr"][np.maximum(meas, 0)], -1)
        busy = np.isin(instr, [INSTR[c] for c in P.AKTIV + ("EGZ", "ESG")])
        al = (
            p["al_avail"][cur]
            & ~p["employed"][cur]
            & ~np.isin(shown, (P.Z, P.INTEG, -1))
            & (self.age_months(cur, m) >= 216)
            & ~busy
        )
        newly = al & ~p["al"][cur]
        entry = p["entry_day"][cur]
        from_sgb3 = entry - np.where(rng.random(len(cur)) < 0.35, rng.integers(0, 330, len(cur)), 0)
        seit = np.where(p["entry_month"][cur] == m, from_sgb3, self._window_days(m, None, len(cur)))
        after = p["last_meas_end"][cur] + 1
        seit = np.where((after > entry) & (after > self.st[m - 1]), after, seit)
        seit = np.minimum(seit, self.st[m])
        p["al_seit"][cur] = np.where(al, np.where(newly, seit, p["al_seit"][cur]), -1)
        p["al"][cur] = al

    def shown_profile(self, idx: np.ndarray, m: int) -> np.ndarray:
        p = self.p
        base = np.where(p["prof_known"][idx] <= m, p["prof_base"][idx], -1)
        return np.where(p["employed"][idx], P.INTEG, base)

    def _known(self, n: int, file: str) -> np.ndarray:
        """Day from which an event of this month is known to the source system."""
        late = self.rng.random(n) < P.LATE_P[file]
        delay = np.where(late, self.rng.integers(*P.LATE_DAYS, n), self.rng.integers(0, 12, n))
        return self.st[self.m] + delay
