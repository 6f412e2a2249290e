"""The Jobcenters a run simulates: Düsseldorf first at scale 1.0, then others of varied size
and structure (deterministic from the seed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Regional keys and names of real SGB II areas (names only; all figures are synthetic).
_KNOWN: tuple[tuple[str, str], ...] = (
    ("05111", "Jobcenter Düsseldorf"),
    ("05315", "Jobcenter Köln"),
    ("05113", "Jobcenter Essen"),
    ("05913", "Jobcenter Dortmund"),
    ("05112", "Jobcenter Duisburg"),
    ("05124", "Jobcenter Wuppertal"),
    ("05116", "Jobcenter Mönchengladbach"),
    ("05117", "Jobcenter Mülheim an der Ruhr"),
    ("05314", "Jobcenter Bonn"),
    ("05911", "Jobcenter Bochum"),
    ("05513", "Jobcenter Gelsenkirchen"),
    ("05711", "Jobcenter Arbeitplus Bielefeld"),
    ("05515", "Jobcenter Münster"),
    ("05114", "Jobcenter Krefeld"),
    ("05119", "Jobcenter Oberhausen"),
    ("05122", "Jobcenter Solingen"),
    ("05316", "Jobcenter Leverkusen"),
    ("05914", "Jobcenter Hagen"),
    ("05915", "Jobcenter Hamm"),
    ("05916", "Jobcenter Herne"),
    ("09162", "Jobcenter München"),
    ("02000", "Jobcenter team.arbeit.hamburg"),
    ("06412", "Jobcenter Frankfurt am Main"),
    ("08111", "Jobcenter Stuttgart"),
    ("09564", "Jobcenter Nürnberg-Stadt"),
    ("14713", "Jobcenter Leipzig"),
    ("14612", "Jobcenter Dresden"),
    ("03241", "Jobcenter Region Hannover"),
    ("04011", "Jobcenter Bremen"),
    ("05120", "Jobcenter Remscheid"),
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
    specs = [JobcenterSpec(0, *_KNOWN[0], scale=scale)]
    for i in range(1, n):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i, 1)))
        key, name = _KNOWN[i] if i < len(_KNOWN) else _synthetic(i)
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
