"""Hand-written DuckDB reference of the Kennzahlen, straight from the raw delivery files.

An implementation independent of the warehouse (no dbt, no ingest code): it finds the
deliveries, keeps the latest stand per month, reads the CSVs with their German conventions
and runs `reference.sql`. Used to calibrate the generator and as the benchmark's reference.

    uv run python -m benchmarks.reference.reference_duckdb data/raw
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

SQL = Path(__file__).with_name("reference.sql")
# files per read_csv call: DuckDB reserves a buffer per open file, and one call over the
# 3,900 files of SF100 ran out of memory at its limit (while using 2.5 GB)
FILES_PER_READ = 200
FILES = (
    "elb_bestand",
    "erwerbsaufnahmen",
    "massnahme_eintritte",
    "massnahme_austritte",
    "kontakte",
    "leistungen",
    "eingliederungsmittel",
)

# 2015 baselines of the agreement (targets-2016.md, zielvereinbarung-2016.md section 1)
CALIBRATION_2015: dict[str, float] = {
    "Ø eLB 2015": 45_668,
    "Integrationsquote ohne Asyl8 (JFW Dez 2015)": 0.1961,
    "Integrationen Alleinerziehender 2015": 873,
    "Ø LZB 2015": 32_224,
    "K3E1 Integrationsquote LZB (Dez 2015)": 0.1405,
    "Integrationen in Ausbildung U25 2015": 645,
}
KUNDENSTRUKTUR: dict[str, float] = {
    "marktnah": 0.165,
    "schulabschluss": 0.682,
    "hochschulreife": 0.120,
    "berufsausbildung": 0.282,
    "u25": 0.156,
    "alleinerziehend": 0.122,
    "ue50": 0.288,
    "lzb": 0.707,
    "schwerbehindert": 0.054,
}
TOLERANCE = 0.03


@dataclass(frozen=True)
class Delivery:
    jobcenter_id: str
    monat: str  # YYYY-MM
    stichtag: str
    stand: str
    folder: Path


def latest_deliveries(root: Path) -> list[Delivery]:
    """The latest stand of every (Jobcenter, month), from the manifests."""
    latest: dict[tuple[str, str], Delivery] = {}
    for manifest in sorted(root.glob("jobcenter=*/berichtsmonat=*/stand=*/_lieferung.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        d = Delivery(
            m["jobcenter_id"], m["berichtsmonat"], m["stichtag"], m["stand"], manifest.parent
        )
        key = (d.jobcenter_id, d.monat)
        if key not in latest or d.stand > latest[key].stand:
            latest[key] = d
    return [latest[k] for k in sorted(latest)]


# bytes where Windows-1252 and latin-1 differ
_C1_CONTROLS = re.compile(rb"[\x80-\x9f]")


def _readable(path: Path, tmp: Path) -> tuple[Path, str, str]:
    """(path DuckDB can read, encoding, separator). UTF-8 (BOM is skipped by DuckDB) or
    Windows-1252: read as latin-1 where both agree (no byte 0x80-0x9F), else transcoded."""
    data = path.read_bytes()
    header = data.split(b"\n", 1)[0]
    sep = ";" if header.count(b";") >= header.count(b",") else ","
    try:
        data.decode("utf-8")
        return path, "utf-8", sep
    except UnicodeDecodeError:
        pass
    if not _C1_CONTROLS.search(data):  # a regex, not a Python pass over every byte
        return path, "latin-1", sep
    target = tmp / f"{abs(hash(path))}.csv"
    target.write_bytes(data.decode("cp1252").encode("utf-8"))
    return target, "utf-8", sep


def load(con: duckdb.DuckDBPyConnection, root: Path, tmp: Path) -> list[Delivery]:
    deliveries = latest_deliveries(root)
    con.register(
        "lieferung_df",
        pd.DataFrame(
            [
                {
                    "jobcenter_id": d.jobcenter_id,
                    "monat": f"{d.monat}-01",
                    "stichtag": d.stichtag,
                    "stand": d.stand,
                    "folder": str(d.folder),
                }
                for d in deliveries
            ]
        ),
    )
    con.execute("""CREATE OR REPLACE TABLE lieferung AS SELECT jobcenter_id, monat::DATE AS monat,
                   stichtag::DATE AS stichtag, stand::DATE AS stand, folder FROM lieferung_df""")
    for name in FILES:
        groups: dict[tuple[str, str], list[tuple[str, Delivery]]] = {}
        for d in deliveries:
            path = d.folder / f"{name}.csv"
            if path.exists():
                readable, enc, sep = _readable(path, tmp)
                groups.setdefault((enc, sep), []).append((str(readable), d))
        first = True
        chunks = [
            (enc, sep, files[i : i + FILES_PER_READ])
            for (enc, sep), files in sorted(groups.items())
            for i in range(0, len(files), FILES_PER_READ)
        ]
        for i, (enc, sep, files) in enumerate(chunks):
            con.register(
                f"files_{name}_{i}",
                pd.DataFrame(
                    [
                        {"filename": f, "jobcenter_id": d.jobcenter_id, "monat": f"{d.monat}-01"}
                        for f, d in files
                    ]
                ),
            )
            paths = [f for f, _ in files]
            select = (
                f"SELECT f.jobcenter_id, f.monat::DATE AS monat, r.* EXCLUDE (filename) "
                f"FROM read_csv({paths!r}, all_varchar=true, header=true, sep='{sep}', "
                f"encoding='{enc}', normalize_names=true, hive_partitioning=false, "
                f"filename=true, union_by_name=true) r JOIN files_{name}_{i} f USING (filename)"
            )
            if first:
                con.execute(f"CREATE OR REPLACE TABLE raw_{name} AS {select}")
                first = False
            else:
                con.execute(f"INSERT INTO raw_{name} BY NAME {select}")
    return deliveries


def compute(root: Path, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    con = con or duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    with tempfile.TemporaryDirectory() as tmp:
        load(con, root, Path(tmp))
        con.execute(SQL.read_text(encoding="utf-8"))
    return con


def calibration_2015(con: duckdb.DuckDBPyConnection, jobcenter_id: str = "05111") -> pd.DataFrame:
    """The 2015 calibration table: measured vs baseline with the ±3 % verdict."""
    j = (
        con.execute("SELECT * FROM jahr WHERE jobcenter_id = ? AND jahr = 2015", [jobcenter_id])
        .df()
        .iloc[0]
    )
    measured = {
        "Ø eLB 2015": j.elb_mean,
        "Integrationsquote ohne Asyl8 (JFW Dez 2015)": j.iq_ohne_asyl8,
        "Integrationen Alleinerziehender 2015": j.int_ae,
        "Ø LZB 2015": j.lzb_mean,
        "K3E1 Integrationsquote LZB (Dez 2015)": j.k3e1,
        "Integrationen in Ausbildung U25 2015": j.int_aus_u25,
    }
    sept = (
        con.execute(
            "SELECT * FROM monthly WHERE jobcenter_id = ? AND monat = DATE '2015-09-01'",
            [jobcenter_id],
        )
        .df()
        .iloc[0]
    )
    rows = [(k, CALIBRATION_2015[k], float(v)) for k, v in measured.items()]
    rows += [
        (f"Kundenstruktur Sept 2015: {k}", t, float(sept[f"s_{k}"]))
        for k, t in KUNDENSTRUKTUR.items()
    ]
    frame = pd.DataFrame(rows, columns=["figure", "target", "measured"])
    frame["deviation"] = frame["measured"] / frame["target"] - 1
    frame["ok"] = frame["deviation"].abs() <= TOLERANCE
    return frame


def kundenstruktur_mean(con: duckdb.DuckDBPyConnection, year: int, jobcenter_id: str = "05111"):
    cols = ", ".join(f"avg(s_{k}) AS {k}" for k in KUNDENSTRUKTUR)
    return (
        con.execute(
            f"SELECT {cols} FROM monthly WHERE jobcenter_id = ? AND year(monat) = ?",
            [jobcenter_id, year],
        )
        .df()
        .iloc[0]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path, nargs="?", default=Path("data/raw"))
    parser.add_argument("--jobcenter", default="05111")
    args = parser.parse_args(argv)
    con = compute(args.raw_dir)
    table = calibration_2015(con, args.jobcenter)
    pd.set_option("display.width", 140)
    print(f"2015 calibration, Jobcenter {args.jobcenter} (tolerance ±{TOLERANCE:.0%}):")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.4f}"))
    print("\nKundenstruktur, mean of 2015:")
    print(kundenstruktur_mean(con, 2015, args.jobcenter).to_string(float_format="{:.4f}".format))
    print("\nAnnual figures:")
    print(
        con.execute("SELECT * FROM jahr WHERE jobcenter_id = ? ORDER BY jahr", [args.jobcenter])
        .df()
        .T.to_string()
    )
    ok = bool(table["ok"].all())
    print(
        "\nverdict:",
        "all within ±3 %" if ok else "OUT OF BAND: " + ", ".join(table.loc[~table["ok"], "figure"]),
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
