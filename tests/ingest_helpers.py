"""Small deliveries for the ingest and validation tests, written with the shared writer.

Jobcenter 05111, two months: 2016-01 (first of the history, Stichtag 14.01.) and 2016-02
(Stichtag 15.02., window (14.01., 15.02.]). Person P6 leaves the stock in February by taking up
work, so his February events are only valid through the January stock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from zielmonitor.contract import FILES, FILES_BY_NAME, MANIFEST_NAME
from zielmonitor.generator.writer import CsvStyle, write_delivery

JC = "05111"
JC_NAME = "Jobcenter Düsseldorf"
STICHTAG = {"2016-01": date(2016, 1, 14), "2016-02": date(2016, 2, 15)}
STAND_JAN, STAND_FEB_A, STAND_FEB_B = date(2016, 1, 20), date(2016, 2, 22), date(2016, 3, 1)

ELB_COLS = list(FILES_BY_NAME["elb_bestand"].column_names)
D = date


def _frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _elb(month: str) -> pd.DataFrame:
    rows = [
        ("P1", "B1", "1980-05", "w", "DEU", True, False, "HS", "BETR", "MP", 400, True,
         D(2015, 3, 1), None, "ST01"),
        ("P2", "B1", "1978-11", "m", "TUR", False, True, "MR", "OHNE", "AP", 730, False,
         None, None, "ST02"),
        ("P3", "B2", "1999-02", "d", "SYR", False, False, "OHNE", "OHNE", None, 0, True,
         D(2016, 1, 20), "MAT", "JJC"),
        ("P4", "B3", "1960-12", "m", "XXX", False, False, "AHR", "AKAD", "Z", 250, False,
         None, None, "Düsseldorf-Süd"),
        ("P5", "B4", "1990-07", "w", "DEU", True, False, "FHR", "UNB", "I", 700, False,
         None, None, "ST01"),
    ]  # fmt: skip
    if month == "2016-01":
        rows[2] = (*rows[2][:11], False, None, None, "JJC")  # P3 not yet unemployed
        rows.append(
            (
                "P6",
                "B5",
                "1970-01",
                "m",
                "POL",
                False,
                False,
                "HS",
                "BETR",
                "MP",
                600,
                True,
                D(2014, 6, 1),
                None,
                "ST02",
            )
        )
    return _frame(ELB_COLS, rows)


def tables(month: str = "2016-02") -> dict[str, pd.DataFrame]:
    """Canonical (clean) tables of one month."""
    cols = {s.name: list(s.column_names) for s in FILES}
    if month == "2016-01":
        return {
            "elb_bestand": _elb(month),
            "erwerbsaufnahmen": _frame(cols["erwerbsaufnahmen"],
                                       [("P4", D(2016, 1, 4), "SELB", None, "VZ")]),
            "massnahme_eintritte": _frame(cols["massnahme_eintritte"], [
                ("F1", "P2", "FBW", "ABSCHLUSS", D(2016, 1, 5), D(2016, 6, 30))]),
            "massnahme_austritte": _frame(cols["massnahme_austritte"], []),
            "kontakte": _frame(cols["kontakte"], [("P1", D(2016, 1, 10), "PERS")]),
            "leistungen": _frame(cols["leistungen"], [
                ("B1", 1200.0, 450.0), ("B2", 404.0, 300.0), ("B3", 404.0, 0.0),
                ("B4", 99.99, 1.0), ("B5", 404.0, 380.5)]),
        }  # fmt: skip
    return {
        "elb_bestand": _elb(month),
        "erwerbsaufnahmen": _frame(cols["erwerbsaufnahmen"], [
            ("P6", D(2016, 2, 1), "SVB", "EGZ", "VZ"),
            ("P5", D(2016, 2, 15), "GERING", None, "TZ")]),
        "massnahme_eintritte": _frame(cols["massnahme_eintritte"], [
            ("F10", "P3", "MAT", None, D(2016, 1, 25), D(2016, 4, 30)),
            ("F11", "P1", "FBW", "TQ", D(2016, 2, 1), D(2016, 12, 31))]),
        "massnahme_austritte": _frame(cols["massnahme_austritte"], [
            ("F1", "P2", D(2016, 2, 10), "REGULAER", True)]),
        "kontakte": _frame(cols["kontakte"], [
            ("P1", D(2016, 2, 3), "PERS"), ("P2", D(2016, 2, 3), "TEL"),
            ("P3", D(2016, 1, 20), "SCHRIFT"), ("P6", D(2016, 1, 16), "GRUPPE")]),
        "leistungen": _frame(cols["leistungen"], [
            ("B1", 1234.56, 456.78), ("B2", 409.0, 300.0), ("B3", 12345.67, 1000.5),
            ("B4", 99.99, 1.0)]),
        "eingliederungsmittel": _frame(cols["eingliederungsmittel"], [
            ("FBW", "U25", 1234.5), ("MAT", "UE25", 100000.0)]),
    }  # fmt: skip


def write(
    root: Path,
    month: str = "2016-02",
    stand: date = STAND_FEB_B,
    *,
    data: dict[str, pd.DataFrame] | None = None,
    styles: dict[str, CsvStyle] | None = None,
    parquet: tuple[str, ...] = (),
    jobcenter_id: str = JC,
) -> Path:
    return write_delivery(
        root,
        jobcenter_id=jobcenter_id,
        jobcenter_name=JC_NAME,
        berichtsmonat=month,
        stichtag=STICHTAG[month],
        stand=stand,
        tables=data or tables(month),
        styles=styles,
        parquet=parquet,
    )


# --- mutating a delivery on disk ---------------------------------------------------------


def manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))


def save_manifest(folder: Path, doc: dict) -> None:
    (folder / MANIFEST_NAME).write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")


def rehash(folder: Path, recount: bool = False) -> None:
    """Make the manifest match the files again (sha256; with `recount` also zeilen), so a
    test is about content, not about checksums."""
    doc = manifest(folder)
    for name, entry in doc["dateien"].items():
        path = folder / name
        if path.is_file():
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            if recount:
                entry["zeilen"] = max(len(path.read_bytes().splitlines()) - 1, 0)
    save_manifest(folder, doc)


def read_csv(folder: Path, file: str) -> tuple[list[str], list[list[str]]]:
    text = (folder / file).read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return records[0], records[1:]


def write_csv(folder: Path, file: str, header: list[str], rows: list[list[str]]) -> None:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    (folder / file).write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def edit_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell (1-based data row) of a default-style CSV, then re-hash the manifest."""
    header, rows = read_csv(folder, file)
    rows[row - 1][header.index(column)] = value
    write_csv(folder, file, header, rows)
    rehash(folder)


def transform_csv(
    folder: Path,
    file: str,
    fn: Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]],
    recount: bool = False,
) -> None:
    header, rows = read_csv(folder, file)
    write_csv(folder, file, *fn(header, rows))
    rehash(folder, recount)


# --- warehouse -----------------------------------------------------------------------------


def raw_state(warehouse: Path) -> dict[str, str]:
    """A hash per raw table (rows sorted), the log table `ablehnungen` left out."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            " AND table_name <> 'ablehnungen' ORDER BY 1"
        ).fetchall()
        for (name,) in names:
            rows = con.execute(f"SELECT * FROM raw.{name} ORDER BY ALL").fetchall()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def rows_of(warehouse: Path, table: str, stand: date, exclude: str = "_geladen_am, _quelldatei"):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"SELECT * EXCLUDE ({exclude}) FROM raw.{table} WHERE stand = ? ORDER BY ALL", [stand]
        ).fetchall()


def copy_world(template: Path, target: Path) -> tuple[Path, Path]:
    """A private copy of a raw folder + warehouse made once per session."""
    shutil.copytree(template, target)
    return target / "raw", target / "warehouse.duckdb"


def build_template(root: Path) -> Path:
    """raw/ with January and February (stand A), warehouse with both loaded."""
    from zielmonitor.ingest import ingest

    write(root / "raw", "2016-01", STAND_JAN)
    write(root / "raw", "2016-02", STAND_FEB_A)
    result = ingest(
        root / "warehouse.duckdb", root / "raw", rejections_dir=root / "rej", log=lambda _: None
    )
    assert result.ok and len(result.loaded) == 2, result.summary()
    shutil.rmtree(root / "rej", ignore_errors=True)
    return root


# Fixtures `template` and `world` of test_ingest and test_validation: imported there under
# these function names, so a test's parameter `world` shadows no import.
@pytest.fixture(scope="module", name="template")
def template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(name="world")
def world_fixture(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    return copy_world(template, tmp_path / "world")
