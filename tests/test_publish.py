"""The publish step: a complete new marts.duckdb swapped in atomically, readable by 1.4 drivers."""

from pathlib import Path

import duckdb

from zielmonitor.publish.marts import STORAGE_VERSION, publish


def _warehouse(path: Path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.figures AS SELECT 'K2' AS k, ? AS wert", [value])
    con.execute("CREATE OR REPLACE TABLE marts.other AS SELECT 1 AS x")
    con.close()


def test_publish_copies_selected_tables(tmp_path: Path) -> None:
    _warehouse(tmp_path / "wh.duckdb", 20)
    result = publish(tmp_path / "wh.duckdb", tmp_path / "marts.duckdb", ["figures"])
    assert result.rows == {"figures": 1}
    con = duckdb.connect(str(tmp_path / "marts.duckdb"), read_only=True)
    assert con.execute("SELECT wert FROM figures").fetchone() == (20,)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"figures"}  # only what was asked for
    con.close()
    assert not list(tmp_path.glob(".*.tmp"))


def test_publish_writes_old_storage_version(tmp_path: Path) -> None:
    _warehouse(tmp_path / "wh.duckdb", 1)
    publish(tmp_path / "wh.duckdb", tmp_path / "marts.duckdb", ["figures"])
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'marts.duckdb'}' AS m (READ_ONLY)")
    version = con.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'm'"
    ).fetchone()[0]
    assert version.startswith(STORAGE_VERSION.split(".")[0] + "." + STORAGE_VERSION.split(".")[1])


def test_reader_holding_old_file_keeps_snapshot_and_sees_new_after_reconnect(
    tmp_path: Path,
) -> None:
    _warehouse(tmp_path / "wh.duckdb", 1)
    target = tmp_path / "marts.duckdb"
    publish(tmp_path / "wh.duckdb", target, ["figures"])
    reader = duckdb.connect(str(target), read_only=True)
    _warehouse(tmp_path / "wh.duckdb", 2)
    publish(tmp_path / "wh.duckdb", target, ["figures"])  # must not fail on the reader
    assert reader.execute("SELECT wert FROM figures").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(target), read_only=True)
    assert fresh.execute("SELECT wert FROM figures").fetchone() == (2,)
    fresh.close()
