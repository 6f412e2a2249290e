"""Loading: awkward-but-valid deliveries load to exactly the rows of their clean twin; loads
are idempotent, stands live side by side, rejections and warnings behave as documented."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import duckdb
import ingest_helpers as h
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import template_fixture, world_fixture  # noqa: F401 (fixtures)

from zielmonitor.contract import FILES
from zielmonitor.generator.writer import CsvStyle
from zielmonitor.ingest import ingest

ALL_FILES = [s.name for s in FILES]
NO_LINEAGE = "_geladen_am, _quelldatei, stand"


def _run(raw: Path, warehouse: Path, tmp_path: Path, months=("2016-02",), **kw):
    return ingest(warehouse, raw, months, rejections_dir=tmp_path / "rej", log=lambda _: None, **kw)


def _all_styles(**kw) -> dict[str, CsvStyle]:
    return {name: CsvStyle(**kw) for name in ALL_FILES}


# --- awkward but valid --------------------------------------------------------------------


def _shuffle_columns(folder: Path) -> None:
    rng = random.Random(7)
    for name in ALL_FILES:

        def fn(header, rows):
            order = list(range(len(header)))
            rng.shuffle(order)
            return [header[i] for i in order], [[r[i] for i in order] for r in rows]

        h.transform_csv(folder, f"{name}.csv", fn)


def _extra_column(folder: Path) -> None:
    h.transform_csv(
        folder,
        "elb_bestand.csv",
        lambda hd, rows: (
            [*hd[:3], "Bemerkung", *hd[3:]],
            [[*r[:3], f"frei {i}", *r[3:]] for i, r in enumerate(rows)],
        ),
    )


def _lf_line_ends(folder: Path) -> None:
    for name in ALL_FILES:
        path = folder / f"{name}.csv"
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    h.rehash(folder)


def _quoted_and_padded(folder: Path) -> None:
    for name in ALL_FILES:
        h.transform_csv(
            folder,
            f"{name}.csv",
            lambda hd, rows: (
                [f" {c} " for c in hd],
                [[f'"{v}"' if i % 2 else f" {v}" for i, v in enumerate(r)] for r in rows],
            ),
        )


def _parquet_strings(folder: Path) -> None:
    """Parquet whose columns are all strings in German notation, as some exports write."""
    doc = h.manifest(folder)
    for name in ("elb_bestand", "leistungen", "kontakte"):
        header, rows = h.read_csv(folder, f"{name}.csv")
        table = pa.table(
            {c: pa.array([r[i] or None for r in rows], pa.string()) for i, c in enumerate(header)}
        )
        pq.write_table(table, folder / f"{name}.parquet")
        (folder / f"{name}.csv").unlink()
        entry = doc["dateien"].pop(f"{name}.csv")
        doc["dateien"][f"{name}.parquet"] = entry
    h.save_manifest(folder, doc)
    h.rehash(folder)


WriteKw = dict
AWKWARD: dict[str, tuple[WriteKw, Callable[[Path], None] | None]] = {
    "windows_1252": ({"styles": _all_styles(encoding="cp1252")}, None),
    "utf8_bom": ({"styles": _all_styles(encoding="utf-8-sig")}, None),
    "comma_separator": ({"styles": _all_styles(sep=",", decimal="plain")}, None),
    "iso_dates": ({"styles": _all_styles(date_format="iso")}, None),
    "german_months": ({"styles": _all_styles(month_format="de")}, None),
    "plain_amounts": ({"styles": _all_styles(decimal="plain")}, None),
    "flags_1_0": ({"styles": _all_styles(flags="10")}, None),
    "flags_ja_nein": ({"styles": _all_styles(flags="janein")}, None),
    "upper_case_header": ({"styles": _all_styles(header_case="upper")}, None),
    "everything_at_once": (
        {
            "styles": _all_styles(
                encoding="cp1252",
                sep=",",
                date_format="iso",
                month_format="de",
                decimal="plain",
                flags="janein",
                header_case="upper",
            )
        },
        None,
    ),
    "mixed_styles_per_file": (
        {
            "styles": {
                "elb_bestand": CsvStyle(encoding="utf-8-sig", flags="10", month_format="de"),
                "leistungen": CsvStyle(sep=",", decimal="plain"),
                "kontakte": CsvStyle(encoding="cp1252", date_format="iso"),
            }
        },
        None,
    ),
    "parquet_native": ({"parquet": tuple(ALL_FILES)}, None),
    "parquet_strings": ({}, _parquet_strings),
    "shuffled_columns": ({}, _shuffle_columns),
    "extra_column": ({}, _extra_column),
    "lf_line_ends": ({}, _lf_line_ends),
    "quoted_and_padded": ({}, _quoted_and_padded),
}


@pytest.mark.parametrize("variant", list(AWKWARD))
def test_awkward_delivery_loads_like_its_clean_twin(variant: str, world, tmp_path: Path):
    raw, warehouse = world
    kwargs, mutate = AWKWARD[variant]
    folder = h.write(raw, "2016-02", h.STAND_FEB_B, **kwargs)
    if mutate:
        mutate(folder)

    result = _run(raw, warehouse, tmp_path)

    assert result.ok, [f.line() for o in result.rejected for f in o.findings]
    assert [o.ref.stand for o in result.loaded] == [h.STAND_FEB_B]
    for name in ALL_FILES:
        twin = h.rows_of(warehouse, name, h.STAND_FEB_A, NO_LINEAGE)
        assert h.rows_of(warehouse, name, h.STAND_FEB_B, NO_LINEAGE) == twin, name
        assert twin


def test_extra_column_is_kept_aside_with_a_warning(world, tmp_path: Path):
    raw, warehouse = world
    _extra_column(h.write(raw, "2016-02", h.STAND_FEB_B))
    result = _run(raw, warehouse, tmp_path)
    (outcome,) = result.loaded
    assert [(f.rule, f.column) for f in outcome.warnings] == [("extra_column", "bemerkung")]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = con.execute(
            "SELECT datei, _zeile, spalte, wert FROM raw.zusatzspalten ORDER BY _zeile"
        ).fetchall()
        warned = con.execute("SELECT regel, spalte FROM raw.warnungen").fetchall()
    assert kept == [("elb_bestand.csv", i + 1, "bemerkung", f"frei {i}") for i in range(5)]
    assert warned == [("extra_column", "bemerkung")]


def test_lineage_columns(world, tmp_path: Path):
    raw, warehouse = world
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "SELECT jobcenter_id, berichtsmonat, stand, _quelldatei, _zeile FROM raw.kontakte"
            " WHERE stand = ? ORDER BY _zeile LIMIT 1",
            [h.STAND_FEB_A],
        ).fetchone()
    assert row == (
        "05111",
        h.D(2016, 2, 1),
        h.STAND_FEB_A,
        "jobcenter=05111/berichtsmonat=2016-02/stand=2016-02-22/kontakte.csv",
        1,
    )


def test_amounts_are_exact_decimals(world):
    _, warehouse = world
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            "SELECT bg_id, llu_anspruch::VARCHAR FROM raw.leistungen WHERE stand = ? ORDER BY 1",
            [h.STAND_FEB_A],
        ).fetchall()
    assert got == [("B1", "1234.56"), ("B2", "409.00"), ("B3", "12345.67"), ("B4", "99.99")]


# --- idempotence, stands, rejections, warnings ------------------------------------------------


def test_reload_is_idempotent(world, tmp_path: Path):
    raw, warehouse = world
    before = h.raw_state(warehouse)
    again = _run(raw, warehouse, tmp_path, months=None)
    assert len(again.unchanged) == 2 and not again.loaded
    assert h.raw_state(warehouse) == before


def _without_load_time(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: con.execute(
                f"SELECT * EXCLUDE (_geladen_am) FROM raw.{name} ORDER BY ALL"
            ).fetchall()
            for name in [*ALL_FILES, "lieferungen", "zusatzspalten", "warnungen"]
        }


def test_forced_reload_leaves_the_same_rows(world, tmp_path: Path):
    raw, warehouse = world
    before = _without_load_time(warehouse)
    _run(raw, warehouse, tmp_path, months=None, force=True)
    assert _without_load_time(warehouse) == before


def test_changed_manifest_replaces_the_partition_as_a_whole(world, tmp_path: Path):
    raw, warehouse = world
    data = h.tables("2016-02")
    data["kontakte"] = data["kontakte"].iloc[:1]
    h.write(raw, "2016-02", h.STAND_FEB_A, data=data)  # same stand, new content
    result = _run(raw, warehouse, tmp_path)
    assert [o.ref.stand for o in result.loaded] == [h.STAND_FEB_A]
    assert len(h.rows_of(warehouse, "kontakte", h.STAND_FEB_A)) == 1


def test_later_stand_is_kept_beside_the_earlier(world, tmp_path: Path):
    raw, warehouse = world
    data = h.tables("2016-02")
    data["leistungen"].loc[0, "llu_anspruch"] = 1300.0  # a correction
    h.write(raw, "2016-02", h.STAND_FEB_B, data=data)
    result = _run(raw, warehouse, tmp_path)
    assert [o.ref.stand for o in result.loaded] == [h.STAND_FEB_B]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stands = con.execute(
            "SELECT stand FROM raw.lieferungen WHERE berichtsmonat = '2016-02-01' ORDER BY 1"
        ).fetchall()
        llu = con.execute(
            "SELECT stand, llu_anspruch::VARCHAR FROM raw.leistungen"
            " WHERE bg_id = 'B1' AND berichtsmonat = '2016-02-01' ORDER BY 1"
        ).fetchall()
    assert stands == [(h.STAND_FEB_A,), (h.STAND_FEB_B,)]
    assert llu == [(h.STAND_FEB_A, "1234.56"), (h.STAND_FEB_B, "1300.00")]


def test_rejected_new_stand_leaves_earlier_stand_untouched(world, tmp_path: Path):
    raw, warehouse = world
    before = h.raw_state(warehouse)
    folder = h.write(raw, "2016-02", h.STAND_FEB_B)
    h.edit_cell(folder, "leistungen.csv", 1, "llu_anspruch", "-1,00")
    result = _run(raw, warehouse, tmp_path)
    assert not result.ok and len(result.rejected) == 1
    assert h.raw_state(warehouse) == before
    assert len(h.rows_of(warehouse, "leistungen", h.STAND_FEB_A)) == 4


def test_other_valid_deliveries_still_load(world, tmp_path: Path):
    raw, warehouse = world
    broken = h.write(raw, "2016-02", h.STAND_FEB_B)
    h.edit_cell(broken, "elb_bestand.csv", 2, "geschlecht", "x")
    h.write(raw, "2016-02", h.STAND_FEB_A, jobcenter_id="05112")
    result = _run(raw, warehouse, tmp_path)
    assert [o.ref.jobcenter_id for o in result.loaded] == ["05112"]
    assert [o.ref.stand for o in result.rejected] == [h.STAND_FEB_B]
    assert not result.ok
    assert "1 loaded, 1 unchanged, 1 rejected" in result.summary()


class _CommitFails:
    """A connection whose commit fails as DuckDB's does on a full disk: the transaction has
    ended when the error is raised, so a rollback after it raises an error of its own."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def __enter__(self) -> _CommitFails:
        return self

    def __exit__(self, *_) -> None:
        self._con.close()

    def commit(self) -> None:
        self._con.rollback()
        raise duckdb.IOException('Could not write file "warehouse.duckdb.wal": No space left')


def test_a_failed_commit_is_reported_not_the_rollback_after_it(world, tmp_path: Path, monkeypatch):
    raw, warehouse = world
    before = h.raw_state(warehouse)
    h.write(raw, "2016-02", h.STAND_FEB_B)
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: _CommitFails(connect(*a, **k)))
    with pytest.raises(duckdb.IOException, match="No space left"):
        _run(raw, warehouse, tmp_path)
    monkeypatch.undo()
    assert h.raw_state(warehouse) == before  # nothing half-loaded
    assert [o.ref.stand for o in _run(raw, warehouse, tmp_path).loaded] == [h.STAND_FEB_B]


def test_warning_does_not_block(world, tmp_path: Path):
    raw, warehouse = world
    data = h.tables("2016-02")
    data["leistungen"].loc[3, "bg_id"] = "B9"  # BG of non-eLB members only
    h.write(raw, "2016-02", h.STAND_FEB_B, data=data)
    result = _run(raw, warehouse, tmp_path)
    assert result.ok
    (outcome,) = result.loaded
    assert [(f.file, f.row, f.column, f.value, f.rule) for f in outcome.warnings] == [
        ("leistungen.csv", 4, "bg_id", "B9", "bg_not_in_stock")
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT regel FROM raw.warnungen").fetchall() == [("bg_not_in_stock",)]
    assert ("B9",) in [r[-3:-2] for r in h.rows_of(warehouse, "leistungen", h.STAND_FEB_B)]


def test_months_filter(world, tmp_path: Path):
    raw, warehouse = world
    h.write(raw, "2016-02", h.STAND_FEB_B)
    result = _run(raw, warehouse, tmp_path, months=["2016-01"])
    assert [o.status for o in result.outcomes] == ["unchanged"]


def test_empty_raw_dir(tmp_path: Path):
    (tmp_path / "raw").mkdir()
    result = _run(tmp_path / "raw", tmp_path / "w.duckdb", tmp_path, months=None)
    assert result.ok and not result.outcomes


def test_fixed_delivery_loads_and_clears_its_rejection_file(world, tmp_path: Path):
    raw, warehouse = world
    folder = h.write(raw, "2016-02", h.STAND_FEB_B)
    h.edit_cell(folder, "kontakte.csv", 2, "kontaktart", "MAIL")
    first = _run(raw, warehouse, tmp_path)
    assert first.rejected[0].rejection_file.is_file()
    h.write(raw, "2016-02", h.STAND_FEB_B)  # the source re-delivers it correctly
    second = _run(raw, warehouse, tmp_path)
    assert [o.ref.stand for o in second.loaded] == [h.STAND_FEB_B] and second.ok
    assert not first.rejected[0].rejection_file.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = con.execute("SELECT datei, zeile, spalte, wert FROM raw.ablehnungen").fetchall()
    assert log == [("kontakte.csv", 2, "kontaktart", "MAIL")]  # the log keeps the history
