"""The synthetic delivery generator: determinism and the contract's rules on its output.

Runs on a small population (scale) and a short range to stay fast; the calibration at
scale 1 is in test_calibration.py.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from zielmonitor.contract import FILES, FILES_BY_NAME, MANIFEST_NAME
from zielmonitor.generator import generate
from zielmonitor.generator.calendar import add_months

SMALL = {"scale": 0.03, "start": "2016-01", "end": "2016-08"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate(root, seed=7, **SMALL)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _manifests(root: Path) -> list[tuple[Path, dict]]:
    found = sorted(root.glob(f"jobcenter=*/berichtsmonat=*/stand=*/{MANIFEST_NAME}"))
    return [(m.parent, json.loads(m.read_text(encoding="utf-8"))) for m in found]


def _read(path: Path) -> pd.DataFrame:
    """A minimal reader of the contract's conventions (independent of the ingest code)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    header = text.split("\r\n", 1)[0]
    sep = ";" if ";" in header else ","
    rows = [line.split(sep) for line in text.split("\r\n")[1:] if line]
    frame = pd.DataFrame(rows, columns=[c.lower() for c in header.split(sep)], dtype=object)
    return frame.replace("", None)


def _date(value: str) -> date:
    return date.fromisoformat(value) if "-" in value else date(*map(int, value.split(".")[::-1]))


def _month(value: str) -> date:
    if "." in value:
        mm, yyyy = value.split(".")
        return date(int(yyyy), int(mm), 1)
    return date.fromisoformat(f"{value}-01")


def _latest(root: Path) -> dict[str, tuple[Path, dict]]:
    latest: dict[str, tuple[Path, dict]] = {}
    for folder, man in _manifests(root):
        if (
            man["berichtsmonat"] not in latest
            or man["stand"] > latest[man["berichtsmonat"]][1]["stand"]
        ):
            latest[man["berichtsmonat"]] = (folder, man)
    return dict(sorted(latest.items()))


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, out: Path) -> None:
    generate(tmp_path / "a", seed=7, **SMALL)
    generate(tmp_path / "b", seed=8, **SMALL)
    assert _files(tmp_path / "a") == _files(out)
    assert _files(tmp_path / "b") != _files(out)


def test_summary_and_folders(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=1, scale=0.02, start="2016-05", end="2016-08")
    folders = sorted(p.parent for p in tmp_path.rglob(MANIFEST_NAME))
    assert summary.deliveries == len(folders) > 4  # recent months come with two stands
    assert summary.jobcenters == ["05111"]
    assert summary.rows["elb_bestand"] > 0 and summary.seconds >= 0


def test_manifest_matches_files_and_folders(out: Path) -> None:
    for folder, man in _manifests(out):
        assert folder.name == f"stand={man['stand']}"
        assert folder.parent.name == f"berichtsmonat={man['berichtsmonat']}"
        assert folder.parent.parent.name == f"jobcenter={man['jobcenter_id']}"
        assert man["jobcenter_name"] == "Jobcenter Düsseldorf" and man["vertrag"] == 1
        assert set(man["dateien"]) == {f.csv_name for f in FILES}
        for name, meta in man["dateien"].items():
            data = (folder / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == meta["sha256"]
            assert data.count(b"\r\n") - 1 == meta["zeilen"]


def test_german_conventions_present(out: Path) -> None:
    folder, _ = next(iter(_latest(out).values()))
    elb = (folder / "elb_bestand.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        elb.decode("utf-8")  # Windows-1252 with a non-ASCII team name
    assert "ST03-Süd".encode("cp1252") in elb
    assert (folder / "massnahme_eintritte.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    leist = _read(folder / "leistungen.csv")
    assert leist["llu_anspruch"].str.contains(",").all()
    assert _read(folder / "erwerbsaufnahmen.csv")["beginn"].str.match(r"\d\d\.\d\d\.\d{4}").all()


def test_stands(out: Path) -> None:
    stands: dict[str, list[dict]] = {}
    for _, man in _manifests(out):
        stands.setdefault(man["berichtsmonat"], []).append(man)
    months = sorted(stands)
    for month in months:
        mans = sorted(stands[month], key=lambda m: m["stand"])
        st = date.fromisoformat(mans[0]["stichtag"])
        assert st.day in (13, 14, 15) and st.weekday() < 5
        final = [m for m in mans if date.fromisoformat(m["stand"]) >= add_months(st, 3)]
        if month in months[-5:]:
            assert len(mans) == 2 and date.fromisoformat(mans[0]["stand"]) < add_months(st, 3)
            first, second = (m["dateien"]["erwerbsaufnahmen.csv"]["zeilen"] for m in mans)
            assert second >= first and mans[0]["dateien"] != mans[1]["dateien"]
        else:
            assert len(mans) == 1 and final


def test_contract_rules(out: Path) -> None:
    latest = _latest(out)
    prev_stock: set[str] = set()
    prev_st: date | None = None
    eintritte: set[str] = set()
    for _month_text, (folder, man) in latest.items():
        st = date.fromisoformat(man["stichtag"])
        lo = prev_st if prev_st else add_months(st, -1)
        t = {f.name: _read(folder / f.csv_name) for f in FILES}
        for spec in FILES:
            frame = t[spec.name]
            assert not frame.duplicated(list(spec.key)).any(), spec.name
            for col in spec.columns:
                values = frame[col.name]
                if col.required:
                    assert values.notna().all(), (spec.name, col.name)
                if col.codes:
                    assert values.dropna().isin(col.codes).all(), (spec.name, col.name)
                if col.type == "amount":
                    amounts = values.str.replace(".", "").str.replace(",", ".").astype(float)
                    assert (amounts >= 0).all()
            for col in spec.window_dates:
                days = frame[col].map(_date)
                assert ((days > lo) & (days <= st)).all(), (spec.name, col)
        elb = t["elb_bestand"]
        assert ((elb["arbeitslos"] == "J") == elb["arbeitslos_seit"].notna()).all()
        assert elb["elb_tage_730"].astype(int).between(0, 730).all()
        births = elb["geburtsmonat"].map(_month)
        age = births.map(lambda g, s=st: (12 * s.year + s.month - 12 * g.year - g.month) // 12)
        assert age.between(15, 67).all()
        assert elb["staatsangehoerigkeit"].str.fullmatch(r"[A-Z]{3}").all()
        stock = set(elb["person_id"])
        allowed = stock | prev_stock
        for name in ("erwerbsaufnahmen", "massnahme_eintritte", "massnahme_austritte", "kontakte"):
            assert t[name]["person_id"].isin(allowed).all(), name
        eintritte |= set(t["massnahme_eintritte"]["foerderfall_id"])
        assert t["massnahme_austritte"]["foerderfall_id"].isin(eintritte).all()
        bgs = t["leistungen"]["bg_id"]
        assert (bgs.isin(set(elb["bg_id"])) | bgs.str.startswith("S")).all()
        assert set(elb["bg_id"]) <= set(bgs)
        fbw_flags = t["massnahme_austritte"]["abschluss_bestanden"].dropna()
        assert fbw_flags.isin(["ja", "nein"]).all()
        prev_stock, prev_st = stock, st


def test_simulation_is_person_level(out: Path) -> None:
    """Stable pseudonyms, accumulating elb_tage_730, job starts followed by exits."""
    latest = list(_latest(out).values())
    a = _read(latest[-2][0] / "elb_bestand.csv").set_index("person_id")
    b = _read(latest[-1][0] / "elb_bestand.csv").set_index("person_id")
    both = a.index.intersection(b.index)
    assert len(both) > 0.9 * len(b)
    grow = b.loc[both, "elb_tage_730"].astype(int) - a.loc[both, "elb_tage_730"].astype(int)
    assert grow.between(-31, 31).all()  # a 730-day window: days come in and drop out
    assert grow[a.loc[both, "elb_tage_730"].astype(int) < 600].between(25, 31).mean() > 0.6
    starts = _read(latest[-1][0] / "erwerbsaufnahmen.csv")
    integr = starts[starts["art"].isin(["SVB", "AUS", "SELB"]) & starts["person_id"].isin(a.index)]
    left = ~integr["person_id"].isin(b.index)
    assert 0.15 < left.mean() < 0.6  # some leave at once, others next month or stay (Aufstocker)
    assert (b["alleinerziehend"] == "J").sum() > 0 and (b["team"] == "IP").sum() > 0


def test_more_jobcenters_keep_the_first(tmp_path: Path) -> None:
    small = {"scale": 0.02, "start": "2016-07", "end": "2016-08"}
    generate(tmp_path / "one", seed=3, **small)
    summary = generate(tmp_path / "three", seed=3, jobcenters=3, **small)
    assert summary.jobcenters[0] == "05111" and len(set(summary.jobcenters)) == 3
    one = _files(tmp_path / "one")
    three = _files(tmp_path / "three")
    deliveries = {k: v for k, v in one.items() if k.startswith("jobcenter=")}
    assert {k: v for k, v in three.items() if k.startswith("jobcenter=05111")} == deliveries
    names = {json.loads(v)["jobcenter_name"] for k, v in three.items() if k.endswith(MANIFEST_NAME)}
    assert len(names) == 3


def test_master_data_written_beside_the_deliveries(tmp_path: Path) -> None:
    # the types, Länder and Regionaldirektionen the generator assumes (seed
    # jobcenter_stammdaten; tests/test_vergleich.py compares the two); smaller Jobcenters
    # after Düsseldorf leave Düsseldorf's files as they are
    small = {"scale": 0.02, "start": "2016-07", "end": "2016-08", "seed": 3}
    generate(tmp_path / "one", **small)
    generate(tmp_path / "three", jobcenters=3, scale_weitere=0.5, **small)
    one, three = _files(tmp_path / "one"), _files(tmp_path / "three")
    assert {k: v for k, v in three.items() if k.startswith("jobcenter=05111")} == {
        k: v for k, v in one.items() if k.startswith("jobcenter=")}  # fmt: skip
    zeilen = three[".jobcenter_stammdaten.csv"].decode().splitlines()
    assert zeilen[0].startswith("jobcenter_id,name,land,regionaldirektion,vergleichstyp,")
    assert [z.split(",")[0] for z in zeilen[1:]] == ["05111", "05315", "05113"]
    assert zeilen[1].split(",")[2:5] == [
        "Nordrhein-Westfalen", "Regionaldirektion Nordrhein-Westfalen", "IIIe"]  # fmt: skip


def test_first_month_window(out: Path) -> None:
    folder, man = next(iter(_latest(out).values()))
    st = date.fromisoformat(man["stichtag"])
    days = _read(folder / "kontakte.csv")["datum"].map(_date)
    assert days.min() > add_months(st, -1) and days.min() <= add_months(st, -1) + timedelta(5)
    assert FILES_BY_NAME["kontakte"].window_dates == ("datum",)
