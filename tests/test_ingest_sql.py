"""The vectorised ingest (sql_path.py) against the detailed path: same raw tables, same
warnings, on generated months with revised stands (from the first month of the history,
which has no predecessor). Broken deliveries are covered by
test_validation.py, whose cases lie in a month with a loaded predecessor, i.e. where the SQL
path decides first: each of them must still be rejected."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import ingest_helpers as h
import pytest

from zielmonitor.contract import FILES
from zielmonitor.generator import generate
from zielmonitor.ingest import IngestResult, ingest

TABLES = [f"raw.{s.name}" for s in FILES] + ["raw.warnungen", "raw.lieferungen"]


STRANGER = "P_UNBEKANNT"  # a contact of the first month by a person outside its stock


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate(out, jobcenters=2, seed=7, scale=0.03, start="2016-01", end="2016-07")
    for stand in (out / "jobcenter=05111" / "berichtsmonat=2016-01").iterdir():
        h.transform_csv(stand, "kontakte.csv", _first_contact_by_a_stranger)
    return out


def _first_contact_by_a_stranger(header: list[str], rows: list[list[str]]):
    rows[0][[c.lower() for c in header].index("person_id")] = STRANGER
    return header, rows


def _load(raw: Path, warehouse: Path, vectorised: bool) -> IngestResult:
    return ingest(
        warehouse,
        raw,
        None,
        rejections_dir=warehouse.parent / "rej",
        log=lambda _: None,
        vectorised=vectorised,
    )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    names = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    return ", ".join(f'"{n}"' for n in names if n != "_geladen_am")


def test_both_paths_write_the_same_rows(raw: Path, tmp_path: Path):
    sql = _load(raw, tmp_path / "sql.duckdb", vectorised=True)
    detailed = _load(raw, tmp_path / "detailed.duckdb", vectorised=False)

    assert sql.ok and detailed.ok
    assert len(sql.loaded) == len(detailed.loaded) > 14
    # the first month too: no predecessor anywhere, so persons outside the stock are warnings
    assert all(o.checked_by == "sql" for o in sql.loaded)
    assert all(o.checked_by == "detailed" for o in detailed.loaded)
    assert sum(len(o.warnings) for o in sql.loaded) > 0  # so the warnings are compared too
    for o in sql.loaded:
        strangers = [w.value for w in o.warnings if w.rule == "person_not_in_stock"]
        first = (o.ref.jobcenter_id, o.ref.berichtsmonat) == ("05111", "2016-01")
        assert strangers == ([STRANGER] if first else []), o.delivery
    with duckdb.connect(str(tmp_path / "sql.duckdb")) as con:
        con.execute(f"ATTACH '{tmp_path / 'detailed.duckdb'}' AS d (READ_ONLY)")
        for table in TABLES:
            cols = _columns(con, table)
            assert con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] > 0, table
            for a, b in ((table, f"d.{table}"), (f"d.{table}", table)):
                diff = con.execute(
                    f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL"
                    f" SELECT {cols} FROM {b})"
                ).fetchall()[0][0]
                assert diff == 0, f"{table}: {diff} rows of {a} not in {b}"


def test_month_after_a_rejected_one_goes_the_detailed_way(raw: Path, tmp_path: Path):
    """Without a loaded predecessor the SQL path cannot check windows and persons."""
    copy = shutil.copytree(raw, tmp_path / "raw")
    for stand in (copy / "jobcenter=05111" / "berichtsmonat=2016-03").iterdir():
        (stand / "kontakte.csv").write_text("kaputt", encoding="utf-8")

    result = _load(copy, tmp_path / "w.duckdb", vectorised=True)

    assert {o.ref.berichtsmonat for o in result.rejected} == {"2016-03"}
    april = [o for o in result.loaded if o.ref.berichtsmonat == "2016-04"]
    by_jc = {o.ref.jobcenter_id: o.checked_by for o in april}
    assert by_jc["05111"] == "detailed"
    assert set(by_jc.values()) == {"detailed", "sql"}  # the other Jobcenter is unaffected


def test_a_broken_delivery_does_not_hold_up_its_batch(raw: Path, tmp_path: Path):
    """A month's deliveries are checked together; one with a duplicate key (a violation only
    the checks find, the file itself is regular) is rejected, the other Jobcenter's delivery
    of the same batch still loads through SQL."""
    copy = shutil.copytree(raw, tmp_path / "raw")
    broken = sorted((copy / "jobcenter=05111" / "berichtsmonat=2016-04").iterdir())
    for stand in broken:
        path = stand / "elb_bestand.csv"
        data = path.read_bytes()
        last = data.rstrip(b"\r\n").rsplit(b"\n", 1)[1].rstrip(b"\r")
        path.write_bytes(data + last + data[len(data.rstrip(b"\r\n")) :])
        h.rehash(stand, recount=True)

    result = _load(copy, tmp_path / "w.duckdb", vectorised=True)

    assert sorted(o.ref.path for o in result.rejected) == broken
    assert all(any(f.rule == "duplicate_key" for f in o.errors) for o in result.rejected), [
        f.line() for o in result.rejected for f in o.errors
    ]
    april = [o for o in result.loaded if o.ref.berichtsmonat == "2016-04"]
    assert april and {o.checked_by for o in april} == {"sql"}
    assert "05111" not in {o.ref.jobcenter_id for o in april}


def test_field_limit_counts_characters_not_bytes():
    """The fast reader's field limit is in characters, as the row-by-row reader's: a field of
    multi-byte characters within it is regular, one character more is not; an all-empty row
    is irregular."""
    import pyarrow as pa

    from zielmonitor.ingest.reader import MAX_FIELD_CHARS, _regular_cells

    def table(*cells: str) -> pa.Table:
        return pa.table({"a": list(cells), "b": ["x"] * len(cells)})

    assert _regular_cells(table("ä" * MAX_FIELD_CHARS, "y"))  # twice the limit in bytes
    assert not _regular_cells(table("a" * (MAX_FIELD_CHARS + 1), "y"))
    assert not _regular_cells(table("ä" * (MAX_FIELD_CHARS + 1), "y"))
    assert not _regular_cells(pa.table({"a": ["1", ""], "b": ["2", ""]}))
