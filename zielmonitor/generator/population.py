"""Person and household (Bedarfsgemeinschaft) state as growable numpy arrays, and the draw
of new households (regular entrants, refugees, the initial stock)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zielmonitor.generator import params as P

NATS = P.OTHER_NATS + P.ASYL8_NATS
ASYL8_IDX = np.arange(len(P.OTHER_NATS), len(NATS))

# person fields: name -> (dtype, fill)
PERSON_FIELDS: dict[str, tuple[str, float]] = {
    "bg": ("i4", -1),
    "birth": ("i4", 0),  # month index of the birth month
    "sex": ("i1", 0),
    "nat": ("i2", 0),
    "role": ("i1", 0),  # 0 Hauptperson, 1 Partner, 2 child aged 15-24
    "ae": ("?", 0),  # alleinerziehend (Hauptperson)
    "sb": ("?", 0),
    "schul": ("i1", 0),
    "beruf": ("i1", 0),
    "prof_base": ("i1", 0),  # profile when not working
    "prof_known": ("i4", 0),  # month from which the profile is shown
    "employed": ("?", 0),  # Aufstocker (profile I)
    "income": ("f4", 0),
    "refugee": ("?", 0),
    "team": ("i1", 0),
    "inn": ("?", 0),  # in the stock at the last simulated Stichtag
    "entry_day": ("i4", 0),
    "entry_month": ("i4", 0),
    "exit_day": ("i4", 0),
    "al": ("?", 0),
    "al_seit": ("i4", -1),
    "al_avail": ("?", 0),
    "meas": ("i4", -1),  # running Förderfall
    "last_meas_end": ("i4", -1),
    "boost_until": ("i4", -1),  # after a passed FbW
    "tage": ("i2", 0),  # elb_tage_730 at the last Stichtag
}
BG_FIELDS: dict[str, tuple[str, float]] = {
    "kind": ("i1", 0),
    "head": ("i4", -1),
    "children": ("i1", 0),  # non-eLB minors (Sozialgeld)
    "rent": ("f4", 0),
    "refugee": ("?", 0),
    "exit_at": ("i4", -1),  # scheduled exit month after a job start
    "last_exit": ("i4", -10_000),
    "job_exit": ("?", 0),
}


class Store:
    """Struct of arrays with amortised growth."""

    def __init__(self, fields: dict[str, tuple[str, float]], capacity: int) -> None:
        self.fields = fields
        self.n = 0
        self.a = {k: np.full(capacity, fill, dtype=dt) for k, (dt, fill) in fields.items()}

    def reserve(self, extra: int) -> None:
        cap = len(next(iter(self.a.values())))
        if self.n + extra <= cap:
            return
        new_cap = max(cap * 2, self.n + extra)
        for k, (dt, fill) in self.fields.items():
            grown = np.full(new_cap, fill, dtype=dt)
            grown[: self.n] = self.a[k][: self.n]
            self.a[k] = grown

    def append(self, values: dict[str, np.ndarray], count: int) -> np.ndarray:
        self.reserve(count)
        idx = np.arange(self.n, self.n + count)
        for k, v in values.items():
            self.a[k][idx] = v
        self.n += count
        return idx

    def __getitem__(self, key: str) -> np.ndarray:
        return self.a[key]


@dataclass
class NewHouseholds:
    """Households drawn but not yet stored: per-BG and per-person attribute arrays."""

    bg: dict[str, np.ndarray]
    person: dict[str, np.ndarray]  # 'bg' holds the local BG number
    n_bg: int
    n_person: int


def draw_households(
    rng: np.random.Generator, persons: int, month: int, refugee: bool, teams: int
) -> NewHouseholds:
    """Households with about `persons` eLB in total (the last one may overshoot)."""
    kind_p = P.REFUGEE_KIND_P if refugee else P.BG_KIND_P
    n_bg = max(1, int(persons / 1.35) + 8)
    kind = rng.choice(len(kind_p), n_bg, p=kind_p)
    adults = np.where(kind >= 3, 2, 1)
    youth = np.zeros(n_bg, dtype=np.int64)
    is_parent, is_family = kind == 2, kind == 4
    youth[is_parent] = rng.choice(3, is_parent.sum(), p=P.YOUTH_IN_PARENT)
    youth[is_family] = rng.choice(3, is_family.sum(), p=P.YOUTH_IN_FAMILY)
    size = adults + youth
    keep = np.searchsorted(np.cumsum(size), persons) + 1
    kind, adults, youth, size = kind[:keep], adults[:keep], youth[:keep], size[:keep]
    n_bg = len(kind)
    children = np.zeros(n_bg, dtype=np.int64)
    children[kind == 2] = 1 + rng.poisson(0.55, (kind == 2).sum())
    children[kind == 4] = 1 + rng.poisson(0.9 if not refugee else 1.6, (kind == 4).sum())
    rent = (360 + 95 * (size + children - 1)) * rng.lognormal(0.0, 0.14, n_bg)
    bg = {
        "kind": kind,
        "children": children,
        "rent": rent,
        "refugee": np.full(n_bg, refugee),
        "team": rng.integers(0, teams, n_bg),
    }
    person = _draw_persons(rng, kind, adults, youth, month, refugee)
    person["team"] = bg.pop("team")[person["bg"]]
    return NewHouseholds(bg, person, n_bg, len(person["bg"]))


def _draw_persons(
    rng: np.random.Generator,
    kind: np.ndarray,
    adults: np.ndarray,
    youth: np.ndarray,
    month: int,
    refugee: bool,
) -> dict[str, np.ndarray]:
    n_bg = len(kind)
    size = adults + youth
    bg_of = np.repeat(np.arange(n_bg), size)
    rank = np.arange(len(bg_of)) - np.repeat(np.cumsum(size) - size, size)  # 0 = head
    is_adult = rank < adults[bg_of]
    k = kind[bg_of]
    n = len(bg_of)
    age = _adult_age(rng, n, k)
    young_age = rng.integers(15, 25, n)
    young_age = np.where(rng.random(n) < 0.55, rng.integers(15, 18, n), young_age)
    age_m = np.where(is_adult, age, young_age) * 12 + rng.integers(0, 12, n)
    sex = np.where(rng.random(n) < 0.5, 0, 1)
    sex = np.where(is_adult & (k == 2), np.where(rng.random(n) < 0.92, 1, 0), sex)
    sex = np.where(is_adult & (k >= 3), rank % 2, sex)  # couples: one m, one w
    sex = np.where(is_adult & (k <= 1), np.where(rng.random(n) < 0.6, 0, 1), sex)
    sex = np.where(rng.random(n) < 0.0005, 2, sex)
    prof = np.where(
        is_adult & (age_m >= 25 * 12),
        rng.choice(8, n, p=P.PROFILE_REFUGEE_P if refugee else P.PROFILE_ENTRY_P),
        rng.choice(8, n, p=P.PROFILE_YOUTH_P),
    )
    if refugee:
        nat = P.OTHER_NATS.__len__() + rng.choice(8, n_bg, p=P.ASYL8_P)[bg_of]
    else:
        settled = rng.random(n_bg) < P.ASYL8_SETTLED_SHARE
        nat = np.where(
            settled,
            len(P.OTHER_NATS) + rng.choice(8, n_bg, p=P.ASYL8_P),
            rng.choice(len(P.OTHER_NATS), n_bg, p=np.array(P.OTHER_P) / sum(P.OTHER_P)),
        )[bg_of]
    schul_p = P.REFUGEE_SCHUL_P if refugee else P.SCHUL_P
    beruf_p = P.REFUGEE_BERUF_P if refugee else P.BERUF_P
    schul = rng.choice(6, n, p=schul_p)
    beruf = rng.choice(4, n, p=beruf_p)
    pupil = age_m < 18 * 12
    schul = np.where(pupil, np.where(rng.random(n) < 0.7, 0, 1), schul)  # still at school
    beruf = np.where(age_m < 20 * 12, 0, beruf)
    sb = exact_pick(rng, P.SB_P * np.clip((age_m / 12 - 15) / 30, 0.15, 1.9))
    return {
        "bg": bg_of,
        "birth": month - age_m,
        "sex": sex,
        "nat": nat,
        "role": np.where(rank == 0, 0, np.where(is_adult, 1, 2)),
        "ae": is_adult & (rank == 0) & (k == 2),
        "sb": sb,
        "schul": schul,
        "beruf": beruf,
        "prof_base": prof,
        "refugee": np.full(n, refugee),
        "al_avail": rng.random(n) < 0.86,
        "is_head": rank == 0,
    }


def _adult_age(rng: np.random.Generator, n: int, kind: np.ndarray) -> np.ndarray:
    """Age in years of adults by household kind."""
    band = rng.choice(len(P.AGE_ADULT), n, p=[b[2] for b in P.AGE_ADULT])
    lo = np.array([b[0] for b in P.AGE_ADULT])[band]
    hi = np.array([b[1] for b in P.AGE_ADULT])[band]
    age = rng.integers(lo, hi + 1)
    age = np.where(kind == 1, rng.integers(18, 25, n), age)  # young singles
    age = np.where(kind == 2, rng.integers(19, 53, n), age)  # single parents
    age = np.where(kind == 4, rng.integers(24, 56, n), age)  # parents
    return age


def subset(h: NewHouseholds, chosen: np.ndarray) -> NewHouseholds:
    """The households `chosen` (sorted local numbers) with their persons, renumbered."""
    new_no = np.full(h.n_bg, -1)
    new_no[chosen] = np.arange(len(chosen))
    keep = new_no[h.person["bg"]] >= 0
    person = {k: v[keep] for k, v in h.person.items()}
    person["bg"] = new_no[person["bg"]]
    bg = {k: v[chosen] for k, v in h.bg.items()}
    return NewHouseholds(bg, person, len(chosen), int(keep.sum()))


def exact_pick(rng: np.random.Generator, prob: np.ndarray) -> np.ndarray:
    """Pick round(sum prob) elements (stochastic rounding), weighted by prob: keeps rare
    attributes at their calibrated share instead of adding binomial noise."""
    count = int(np.floor(prob.sum() + rng.random()))
    keys = -np.log(1.0 - rng.random(len(prob))) / np.maximum(prob, 1e-300)
    pick = np.zeros(len(prob), dtype=bool)
    pick[np.argsort(keys, kind="stable")[:count]] = True
    return pick
