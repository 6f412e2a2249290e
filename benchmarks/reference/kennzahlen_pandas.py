"""A straightforward pandas implementation of the same figures as `kennzahlen_duckdb.py`:
what a controller would write. Reads every CSV with pandas, loops over Jobcenters and
months, merges. Writes `ref_kennzahlen.parquet` and `ref_ziel_ist.parquet`.

    uv run python -m benchmarks.reference.kennzahlen_pandas RAW_DIR --out DIR
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

ASYL8 = {"AFG", "ERI", "IRQ", "IRN", "NGA", "PAK", "SOM", "SYR"}
AKTIV_2011 = {"FBW", "MAT", "AGH", "FAV", "FREI", "TW", "ESF_LZA", "BVB", "EQ"}
ART_RANK = {"SVB": 1, "AUS": 2, "SELB": 3}
# (kennzahl, gruppe) -> (Integrationen column, stock column) of the monthly table
SERIES = {
    ("K2", "gesamt"): ("int_all", "elb_all"),
    ("K2", "asyl8"): ("int_asyl8", "elb_asyl8"),
    ("K2", "ohne_asyl8"): ("int_not_asyl8", "elb_not_asyl8"),
    ("K2", "u25"): ("int_u25", "elb_u25"),
    ("K2", "frauen"): ("int_w", "elb_w"),
    ("K2", "maenner"): ("int_m", "elb_m"),
    ("K2E4", "gesamt"): ("int_ae", "elb_ae"),
    ("K3E1", "gesamt"): ("int_lzb", "elb_lzb"),
}


def read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    header = data.split(b"\n", 1)[0]
    sep = ";" if header.count(b";") >= header.count(b",") else ","
    df = pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    return df


def de_date(s: pd.Series) -> pd.Series:
    iso = s.str.match(r"^\d{4}-")
    return pd.to_datetime(s.where(iso), format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(s.where(~iso), format="%d.%m.%Y", errors="coerce")
    )


def de_flag(s: pd.Series) -> pd.Series:
    return s.str.strip().str.lower().isin(["j", "1", "ja"])


def deliveries(root: Path) -> pd.DataFrame:
    """Latest stand per (Jobcenter, month) with its Stichtag and folder."""
    rows = []
    for manifest in root.glob("jobcenter=*/berichtsmonat=*/stand=*/_lieferung.json"):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        rows.append(
            (m["jobcenter_id"], m["berichtsmonat"], m["stichtag"], m["stand"], manifest.parent)
        )
    df = pd.DataFrame(rows, columns=["jobcenter_id", "monat", "stichtag", "stand", "folder"])
    df = df.sort_values("stand").drop_duplicates(["jobcenter_id", "monat"], keep="last")
    df["stichtag"] = pd.to_datetime(df["stichtag"])
    df["mi"] = df["monat"].str[:4].astype(int) * 12 + df["monat"].str[5:7].astype(int)
    return df.sort_values(["jobcenter_id", "mi"]).reset_index(drop=True)


def stock(folder: Path, stichtag: pd.Timestamp) -> pd.DataFrame:
    """ELB(t) with the person attributes of kennzahlen.md, indexed by person_id."""
    df = read_csv(folder / "elb_bestand.csv")
    gm = df["geburtsmonat"].str.replace(r"^(\d{2})\.(\d{4})$", r"\2-\1", regex=True)
    gm_num = gm.str[:4].astype(int) * 12 + gm.str[5:7].astype(int)
    age = (stichtag.year * 12 + stichtag.month - gm_num) // 12
    out = pd.DataFrame(
        {
            "person_id": df["person_id"],
            "sex": df["geschlecht"].str.strip().str.lower(),
            "age": age,
            "u25": age < 25,
            "ae": de_flag(df["alleinerziehend"]),
            "asyl8": df["staatsangehoerigkeit"].isin(ASYL8),
            "lzb": (df["elb_tage_730"].astype(int) >= 638) & (age >= 17),
            "aktiv": df["massnahme_stichtag"].isin(AKTIV_2011),
        }
    )
    return out.set_index("person_id")


def integrationen(starts_t, starts_prev, elb_prev, elb_prev2) -> pd.DataFrame:
    """BA rules 1-3 for month t; attributes from ELB(t-1) (rule 4)."""
    rule1 = starts_t[starts_t["person_id"].isin(elb_prev.index)]
    new_in_prev = elb_prev.index.difference(elb_prev2.index)
    rule2 = starts_prev[starts_prev["person_id"].isin(new_in_prev)]
    cand = pd.concat([rule1, rule2])
    cand = cand[cand["art"].isin(ART_RANK.keys())].copy()
    cand["rank"] = cand["art"].map(ART_RANK)
    one = cand.sort_values(["beginn", "rank"]).drop_duplicates("person_id")
    return one.merge(elb_prev, left_on="person_id", right_index=True)


def starts(folder: Path) -> pd.DataFrame:
    df = read_csv(folder / "erwerbsaufnahmen.csv")
    return pd.DataFrame(
        {
            "person_id": df["person_id"],
            "beginn": de_date(df["beginn"]),
            "art": df["art"].str.strip(),
        }
    ).drop_duplicates()


def group_counts(prefix: str, df: pd.DataFrame) -> dict[str, int]:
    """Persons per K2 group (stock or Integrationen), named `<prefix>_<group>` as in SERIES."""
    return {
        f"{prefix}_all": len(df),
        f"{prefix}_asyl8": int(df.asyl8.sum()),
        f"{prefix}_not_asyl8": int((~df.asyl8).sum()),
        f"{prefix}_u25": int(df.u25.sum()),
        f"{prefix}_w": int((df.sex == "w").sum()),
        f"{prefix}_m": int((df.sex == "m").sum()),
        f"{prefix}_ae": int(df.ae.sum()),
        f"{prefix}_lzb": int(df.lzb.sum()),
    }


def monthly(jc: pd.DataFrame) -> pd.DataFrame:
    """One row per delivered month of one Jobcenter: stock and Integration counts."""
    rows, elb, sta = [], {}, {}
    for i, d in enumerate(jc.itertuples()):
        elb[d.mi], sta[d.mi] = stock(d.folder, d.stichtag), starts(d.folder)
        e = elb[d.mi]
        row = {
            "jobcenter_id": d.jobcenter_id,
            "mi": d.mi,
            "monat": pd.Timestamp(d.monat + "-01"),
            **group_counts("elb", e),
            "k3e2": 100 * e.aktiv[e.lzb].mean() if e.lzb.any() else None,
        }
        if i >= 2 and {d.mi - 1, d.mi - 2} <= elb.keys():
            it = integrationen(sta[d.mi], sta[d.mi - 1], elb[d.mi - 1], elb[d.mi - 2])
            row.update(
                {
                    **group_counts("int", it),
                    "int_aus_u25": int(((it.art == "AUS") & (it.age < 25)).sum()),
                    "int_aus_ue25": int(((it.art == "AUS") & (it.age >= 25)).sum()),
                }
            )
        rows.append(row)
        elb.pop(d.mi - 3, None), sta.pop(d.mi - 3, None)  # keep three months in memory
    return pd.DataFrame(rows).set_index("mi")


def _quota(m: pd.DataFrame, col_i: str, col_e: str, ints: range, elbs: range) -> float | None:
    if not (set(ints) | set(elbs)) <= set(m.index):
        return None
    i, e = m.loc[list(ints), col_i], m.loc[list(elbs), col_e]
    if i.isna().any():
        return None
    return float("nan") if e.mean() == 0 else 100 * i.sum() / e.mean()


def kennzahlen(m: pd.DataFrame) -> list[dict]:
    out = []
    for t, row in m.iterrows():
        key = {"jobcenter_id": row.jobcenter_id, "berichtsmonat": row.monat}
        jan = t - (row.monat.month - 1)
        for (kz, grp), (ci, ce) in SERIES.items():
            variants = {
                "rollierend": (range(t - 11, t + 1), range(t - 12, t)),
                "jfw": (range(jan, t + 1), range(jan - 1, t)),
            }
            for var, (ints, elbs) in variants.items():
                if "int_all" in m and (v := _quota(m, ci, ce, ints, elbs)) is not None:
                    out.append({**key, "kennzahl": kz, "gruppe": grp, "variante": var, "wert": v})
        if t - 12 in m.index:
            for kz, col in (("K1E2", "elb_all"), ("K3", "elb_lzb")):
                prev = m.at[t - 12, col]
                v = 100 * (row[col] / prev - 1) if prev else float("nan")
                out.append(
                    {**key, "kennzahl": kz, "gruppe": "gesamt", "variante": "monat", "wert": v}
                )
        out.append(
            {**key, "kennzahl": "K3E2", "gruppe": "gesamt", "variante": "monat", "wert": row.k3e2}
        )
    return out


def ziel_ist(m: pd.DataFrame, quoten: pd.DataFrame) -> list[dict]:
    out = []
    for t, row in m.iterrows():
        months = list(range(t - (row.monat.month - 1), t + 1))
        if not set(months) <= set(m.index):
            continue
        ytd, key = m.loc[months], {"jobcenter_id": row.jobcenter_id, "berichtsmonat": row.monat}
        out += [
            {**key, "ziel_id": "Z3.1", "ist": ytd.elb_lzb.mean()},
            {**key, "ziel_id": "Z3.3", "ist": ytd.k3e2.mean()},
        ]
        if "int_all" in ytd and ytd.int_all.notna().all():
            out += [
                {**key, "ziel_id": z, "ist": float(ytd[c].sum())}
                for z, c in (("Z2.7", "int_ae"), ("Z2.12", "int_aus_u25"), ("Z2.9", "int_aus_ue25"))
            ]
    jfw = quoten[quoten.variante == "jfw"]
    for z, kz, grp in (
        ("Z2.1", "K2", "ohne_asyl8"),
        ("Z2.2", "K2", "asyl8"),
        ("Z3.2", "K3E1", "gesamt"),
    ):
        q = jfw[(jfw.kennzahl == kz) & (jfw.gruppe == grp)]
        out += [
            {
                "jobcenter_id": r.jobcenter_id,
                "berichtsmonat": r.berichtsmonat,
                "ziel_id": z,
                "ist": r.wert,
            }
            for r in q.itertuples()
        ]
    return out


def compute(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    kz, zi = [], []
    for _, jc in deliveries(root).groupby("jobcenter_id"):
        m = monthly(jc)
        k = pd.DataFrame(kennzahlen(m))
        kz.append(k)
        zi.append(pd.DataFrame(ziel_ist(m, k)))
    return pd.concat(kz, ignore_index=True), pd.concat(zi, ignore_index=True)


def write(kz: pd.DataFrame, zi: pd.DataFrame, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, df in (("ref_kennzahlen", kz), ("ref_ziel_ist", zi)):
        df = df.copy()
        df["berichtsmonat"] = df["berichtsmonat"].dt.date
        df.to_parquet(out / f"{name}.parquet", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    write(*compute(args.raw_dir), args.out)
    print(f"kennzahlen_pandas: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
