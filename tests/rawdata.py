"""Hand-made raw deliveries for the Kennzahlen tests.

Builds the `raw.*` tables of a temporary warehouse exactly as the ingest would (DDL from
`zielmonitor.contract`), without going through files, and runs dbt against it.

Conventions of the builder:
- A delivery is keyed by (jobcenter_id, berichtsmonat); its default Stichtag is the 15th of the
  month and its default stand is `stichtag + 3 months` (final) unless the month is later than
  `final_bis` of the dataset, then `stichtag + 5 days` (provisional).
- `person(...)` puts one person into the stock of a range of months with fixed attributes
  (override per month with `overrides={month: {...}}`).
- `revise(...)` copies a delivery to a later stand (as a whole, like a real re-delivery) and
  returns it for edits.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zielmonitor import contract  # noqa: E402


def m(s: str) -> dt.date:
    """'2016-03' -> date(2016, 3, 1)."""
    y, mo = s.split("-")[:2]
    return dt.date(int(y), int(mo), 1)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def add_months(x: dt.date, n: int) -> dt.date:
    y, mo = divmod(x.year * 12 + x.month - 1 + n, 12)
    mo += 1
    day = x.day
    while True:
        try:
            return dt.date(y, mo, day)
        except ValueError:
            day -= 1


def months(start: str, end: str) -> list[str]:
    a, b = m(start), m(end)
    out = []
    while a <= b:
        out.append(a.strftime("%Y-%m"))
        a = add_months(a, 1)
    return out


ELB_DEFAULTS = dict(
    bg_id=None,
    geburtsmonat="1980-01",
    geschlecht="m",
    staatsangehoerigkeit="DEU",
    alleinerziehend=False,
    schwerbehindert=False,
    schulabschluss="HS",
    berufsabschluss="BETR",
    profillage="MP",
    elb_tage_730=100,
    arbeitslos=False,
    arbeitslos_seit=None,
    massnahme_stichtag=None,
    team="ST01",
)


@dataclass
class Delivery:
    jobcenter_id: str
    berichtsmonat: dt.date
    stichtag: dt.date
    stand: dt.date
    rows: dict[str, list[dict]] = field(
        default_factory=lambda: {f.name: [] for f in contract.FILES}
    )

    def elb(self, person_id: str, **attrs) -> Delivery:
        row = dict(ELB_DEFAULTS, person_id=person_id)
        row.update(attrs)
        if row["bg_id"] is None:
            row["bg_id"] = "BG_" + person_id
        if isinstance(row["geburtsmonat"], str):
            row["geburtsmonat"] = m(row["geburtsmonat"])
        if isinstance(row["arbeitslos_seit"], str):
            row["arbeitslos_seit"] = d(row["arbeitslos_seit"])
        self.rows["elb_bestand"] = [
            r for r in self.rows["elb_bestand"] if r["person_id"] != person_id
        ]
        self.rows["elb_bestand"].append(row)
        return self

    def drop_elb(self, person_id: str) -> Delivery:
        self.rows["elb_bestand"] = [
            r for r in self.rows["elb_bestand"] if r["person_id"] != person_id
        ]
        return self

    def start(self, person_id: str, beginn: str, art: str, foerderung=None, arbeitszeit="VZ"):
        self.rows["erwerbsaufnahmen"].append(
            dict(
                person_id=person_id,
                beginn=d(beginn),
                art=art,
                foerderung=foerderung,
                arbeitszeit=arbeitszeit,
            )
        )
        return self

    def eintritt(
        self,
        foerderfall_id,
        person_id,
        instrument,
        eintritt,
        massnahme_ziel=None,
        geplantes_ende=None,
    ):
        self.rows["massnahme_eintritte"].append(
            dict(
                foerderfall_id=foerderfall_id,
                person_id=person_id,
                instrument=instrument,
                massnahme_ziel=massnahme_ziel,
                eintritt=d(eintritt),
                geplantes_ende=d(geplantes_ende) if geplantes_ende else add_months(d(eintritt), 6),
            )
        )
        return self

    def austritt(self, foerderfall_id, person_id, austritt, grund="REGULAER", bestanden=None):
        self.rows["massnahme_austritte"].append(
            dict(
                foerderfall_id=foerderfall_id,
                person_id=person_id,
                austritt=d(austritt),
                austrittsgrund=grund,
                abschluss_bestanden=bestanden,
            )
        )
        return self

    def kontakt(self, person_id, datum, art="PERS"):
        self.rows["kontakte"].append(dict(person_id=person_id, datum=d(datum), kontaktart=art))
        return self

    def leistung(self, bg_id, llu, luh):
        self.rows["leistungen"] = [r for r in self.rows["leistungen"] if r["bg_id"] != bg_id]
        self.rows["leistungen"].append(dict(bg_id=bg_id, llu_anspruch=llu, luh_anspruch=luh))
        return self

    def mittel(self, instrument, zielgruppe, betrag):
        self.rows["eingliederungsmittel"].append(
            dict(instrument=instrument, zielgruppe=zielgruppe, betrag=betrag)
        )
        return self


class RawData:
    def __init__(self, final_bis: str | None = None, zwei_staende: bool = True):
        self.final_bis = m(final_bis) if final_bis else None
        # a final month is delivered twice, like in real life: first provisional (stichtag +
        # 5 days), then the final stand (stichtag + 3 months) with the same rows
        self.zwei_staende = zwei_staende
        self.deliveries: dict[tuple[str, dt.date], Delivery] = {}
        self.revisions: list[Delivery] = []

    # --- deliveries ---------------------------------------------------------------------
    def month(
        self, jc: str, monat: str, stichtag: str | None = None, stand: str | None = None
    ) -> Delivery:
        key = (jc, m(monat))
        if key not in self.deliveries:
            st = d(stichtag) if stichtag else m(monat).replace(day=15)
            if stand:
                sd = d(stand)
            elif self.final_bis is not None and m(monat) > self.final_bis:
                sd = st + dt.timedelta(days=5)
            else:
                sd = add_months(st, 3)
            self.deliveries[key] = Delivery(jc, m(monat), st, sd)
        return self.deliveries[key]

    def history(self, jc: str, start: str, end: str) -> None:
        for mo in months(start, end):
            self.month(jc, mo)

    def revise(self, jc: str, monat: str, stand: str) -> Delivery:
        base = self.deliveries[(jc, m(monat))]
        rev = Delivery(jc, base.berichtsmonat, base.stichtag, d(stand), copy.deepcopy(base.rows))
        self.revisions.append(rev)
        return rev

    def person(
        self,
        jc: str,
        person_id: str,
        start: str,
        end: str,
        overrides: dict[str, dict] | None = None,
        **attrs,
    ) -> None:
        for mo in months(start, end):
            a = dict(attrs)
            a.update((overrides or {}).get(mo, {}))
            self.month(jc, mo).elb(person_id, **a)

    # --- write --------------------------------------------------------------------------
    def write(self, path: Path) -> None:
        con = duckdb.connect(str(path))
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for spec in contract.FILES:
            con.execute(contract.raw_table_ddl(spec))
        con.execute(contract.LIEFERUNGEN_DDL)
        now = dt.datetime(2020, 1, 1)
        alle = list(self.deliveries.values()) + self.revisions
        if self.zwei_staende:
            for dl in list(self.deliveries.values()):
                frueh = dl.stichtag + dt.timedelta(days=5)
                if dl.stand >= add_months(dl.stichtag, 3):
                    alle.append(
                        Delivery(
                            dl.jobcenter_id,
                            dl.berichtsmonat,
                            dl.stichtag,
                            frueh,
                            copy.deepcopy(dl.rows),
                        )
                    )
        for dl in alle:
            pfad = (
                f"jobcenter={dl.jobcenter_id}/berichtsmonat={dl.berichtsmonat:%Y-%m}/"
                f"stand={dl.stand.isoformat()}"
            )
            con.execute(
                "INSERT INTO raw.lieferungen VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    dl.jobcenter_id,
                    f"JC {dl.jobcenter_id}",
                    dl.berichtsmonat,
                    dl.stichtag,
                    dl.stand,
                    1,
                    pfad,
                    "0" * 64,
                    now,
                ],
            )
            for spec in contract.FILES:
                rows = dl.rows[spec.name]
                if not rows:
                    continue
                cols = [
                    "jobcenter_id",
                    "berichtsmonat",
                    "stand",
                    "_quelldatei",
                    "_zeile",
                    "_geladen_am",
                    *spec.column_names,
                ]
                values = [
                    [
                        dl.jobcenter_id,
                        dl.berichtsmonat,
                        dl.stand,
                        f"{pfad}/{spec.csv_name}",
                        i + 1,
                        now,
                        *[r.get(c) for c in spec.column_names],
                    ]
                    for i, r in enumerate(rows)
                ]
                con.executemany(
                    f"INSERT INTO raw.{spec.name} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    values,
                )
        con.close()


def run_dbt(
    warehouse: Path,
    workdir: Path,
    as_of: str | None = None,
    command: str = "build",
    select: str | Sequence[str] | None = None,
    dbt_vars: dict | None = None,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess:
    """Run dbt against `warehouse`; target and logs go into `workdir` so runs don't clash."""
    env = dict(os.environ, ZIELMONITOR_WAREHOUSE=str(warehouse))
    args = [
        str(Path(sys.executable).with_name("dbt")),  # this environment's dbt, not PATH's
        command,
        "--profiles-dir",
        str(ROOT),
        "--project-dir",
        str(ROOT),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        *extra_args,
    ]
    dbt_vars = {**(dbt_vars or {}), **({"as_of": as_of} if as_of else {})}
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if select:
        args += ["--select", *([select] if isinstance(select, str) else select)]
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt {command} failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}")
    return proc


def kennzahlen(warehouse: Path) -> dict[tuple, dict]:
    """kennzahlen_monat as {(jobcenter, 'YYYY-MM', kennzahl, gruppe, variante): row}."""
    con = duckdb.connect(str(warehouse), read_only=True)
    cur = con.execute("select * from marts.kennzahlen_monat")
    cols = [c[0] for c in cur.description]
    out = {}
    for r in cur.fetchall():
        row = dict(zip(cols, r, strict=True))
        key = (
            row["jobcenter_id"],
            row["berichtsmonat"].strftime("%Y-%m"),
            row["kennzahl"],
            row["gruppe"],
            row["variante"],
        )
        out[key] = row
    con.close()
    return out


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
