"""What the published marts were built from, and so what a refresh has left to do.

After a successful publish the publish step records, per published file (`marts.duckdb`, or
`marts_stand_<as_of>.duckdb` of an as-of refresh), in the warehouse schema `steuerung`:
the fingerprint of the code that shapes the figures (dbt project, publish code), the loaded
deliveries (a copy of raw.lieferungen's keys and manifest hashes) and the file's size and
mtime. A refresh compares the present with that record:

* nothing pending in the raw folder, same fingerprint, same deliveries, file untouched:
  nothing to do (the CLI says so before starting Dagster; the dbt step of a launched run
  builds nothing);
* else, when the last build was for the same file with the same code: an incremental build
  whose data tests look at the months from the first one whose deliveries differ
  (`first_changed_month`); the month-wise facts find their own first month to rebuild
  (macros/monatsweise.sql);
* else (first build, code changed, the last build was an as-of stand, `--full`): every
  model from scratch (`dbt build --full-refresh`) and every test on every month.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import yaml

from zielmonitor.config import PROJECT_DIR, Paths
from zielmonitor.locking import busy_with

if TYPE_CHECKING:
    from zielmonitor.ingest.discovery import DeliveryRef
    from zielmonitor.ingest.findings import Finding

SCHEMA = "steuerung"
# what decides the published figures besides the deliveries: a change here is a full build
FINGERPRINTED = (
    "dbt_project.yml",
    "profiles.yml",
    "dbt_project/models",
    "dbt_project/macros",
    "dbt_project/seeds",
    "dbt_project/tests",
    "zielmonitor/publish",
)
DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.veroeffentlichungen (
        ziel VARCHAR PRIMARY KEY,  -- file name of the published marts
        as_of DATE,
        fingerprint VARCHAR NOT NULL,
        datei_groesse BIGINT NOT NULL,
        datei_mtime_ns BIGINT NOT NULL,
        veroeffentlicht_am TIMESTAMP NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.veroeffentlichte_lieferungen (
        ziel VARCHAR NOT NULL,
        jobcenter_id VARCHAR NOT NULL,
        berichtsmonat DATE NOT NULL,
        stand DATE NOT NULL,
        manifest_sha256 VARCHAR NOT NULL)""",
)


def project_fingerprint(root: Path = PROJECT_DIR) -> str:
    """sha256 over the path and content of every file that shapes the figures (~200 files,
    a few milliseconds)."""
    digest = hashlib.sha256()
    for entry in FINGERPRINTED:
        path = root / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildPlan:
    """full: every model from scratch, every test; else incremental with the data tests on
    the months from `tests_from`, the first changed month (None: none), minus each model's
    lookback (macros/testumfang.sql). `nothing_to_do`: skip dbt."""

    full: bool
    tests_from: date | None
    nothing_to_do: bool
    reason: str


def plan_build(
    warehouse: Path, target: Path, force_full: bool = False, export: Path | None = None
) -> BuildPlan:
    """Decide, under the writer lock after the ingest, what the dbt step builds. `export`:
    the Parquet export published with `target` (`Paths.export_of`), which must exist too
    for there to be nothing to do."""
    if force_full:
        return BuildPlan(True, None, False, "full rebuild requested (--full)")
    fingerprint = project_fingerprint()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        last = _last_build(con)
        if last is None:
            return BuildPlan(True, None, False, "first build")
        mine = _last_build(con, target.name)
        first = first_changed_month(con, target.name) if mine else None
    # the published file is what this code makes of these deliveries, whatever build the
    # warehouse's models hold since (an as-of stand in between): nothing to publish
    if mine and mine.fingerprint == fingerprint and first is None and _intact(target, export, mine):
        return BuildPlan(False, None, True, "no delivery changed since the last publish")
    if last.ziel != target.name:
        return BuildPlan(True, None, False, f"the last build was {last.ziel}")
    if last.fingerprint != fingerprint:
        return BuildPlan(True, None, False, "the dbt project or publish code changed")
    if first is None:
        return BuildPlan(False, None, False, "incremental: no delivery changed")
    # each model's tests look back from here by its lookback (macros/testumfang.sql)
    reason = f"incremental: deliveries changed from {first:%Y-%m}"
    return BuildPlan(False, first, False, reason)


def code_only_nodes(manifest: Mapping) -> dict[str, str]:
    """Seeds and models that read no source, only seeds and each other (the target
    catalogue, the master data), by unique_id with their resource type: the code alone
    decides them."""
    nodes = manifest["nodes"]
    reads_data: dict[str, bool] = {}

    def reads(unique_id: str) -> bool:
        if unique_id not in reads_data:
            upstream = nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
            reads_data[unique_id] = unique_id.startswith("source.") or any(map(reads, upstream))
        return reads_data[unique_id]

    built = [u for u, n in nodes.items() if n["resource_type"] in ("model", "seed")]
    return {u: nodes[u]["resource_type"] for u in built if not reads(u)}


def views_kept(manifest: Mapping, hook_tests: Sequence[str]) -> list[str]:
    """The views an incremental build need not create again: the build before it created
    them from the same code and vars (a view holds its query, not rows). dbt drops a test
    with the view it reads, so only views all of whose tests the on-run-end hook counts
    (`hook_tests`, the kinds of row_tests_in_one_query), which counts the tests of the views
    the build read as well (macros/zeilentests.sql)."""
    nodes = manifest["nodes"]
    views = {
        u for u, n in nodes.items()
        if n["resource_type"] == "model" and n.get("config", {}).get("materialized") == "view"
    }  # fmt: skip
    for node in nodes.values():
        kind = (node.get("test_metadata") or {}).get("name")
        if node["resource_type"] == "test" and kind not in hook_tests:
            views -= set(node["depends_on"]["nodes"])
    return sorted(views)


def unchanged_by_deliveries(manifest: Mapping, hook_tests: Sequence[str] = ()) -> str:
    """The dbt `--exclude` of an incremental build. It runs the code of the build before it,
    so what only the code decides is as that build left and tested it: the unit tests, the
    code-only seeds (and their tests), the tests of the code-only models, and the views
    (views_kept). The code-only models themselves are rebuilt (cheap): the publish step
    waits for their materialisation."""
    parts = ["resource_type:unit_test"]
    for unique_id, kind in sorted(code_only_nodes(manifest).items()):
        name = unique_id.split(".")[-1]
        parts.append(name if kind == "seed" else f"{name},resource_type:test")
    parts += [u.split(".")[-1] for u in views_kept(manifest, hook_tests)]
    return " ".join(parts)


def dbt_vars(as_of: str | None) -> dict[str, str | None]:
    """The vars of every dbt invocation on the project: the refresh's build, the parse begun
    with its run, `zielmonitor prepare`'s. dbt keeps a parse only for the same vars."""
    return {"as_of": as_of}


def hook_test_kinds(root: Path = PROJECT_DIR) -> list[str]:
    """The kinds of data test dbt's on-run-end hook counts in one query per model when they
    did not run as nodes (dbt_project.yml's vars `row_tests` and `key_tests`)."""
    project = yaml.safe_load((root / "dbt_project.yml").read_text(encoding="utf-8"))
    return [*project["vars"]["row_tests"], *project["vars"]["key_tests"]]


def row_tests_in_one_query(kinds: Sequence[str] | None = None) -> str:
    """The dbt `--exclude` of the row and key tests (`kinds`, else hook_test_kinds()), which
    dbt's on-run-end hook counts instead, one query per model (macros/zeilentests.sql)."""
    return " ".join(f"test_name:{kind}" for kind in kinds or hook_test_kinds())


def nothing_to_do(
    paths: Paths, target: Path, refs: Sequence[DeliveryRef], problems: Sequence[Finding]
) -> bool:
    """The same judgement before anything starts (the CLI: no Dagster, no dbt), read-only,
    with the raw folder as the caller discovered it (`ingest.discover`): nothing pending to
    ingest, no folder error. False when in doubt (no warehouse, a writer holds the lock, no
    record)."""
    from zielmonitor.ingest import pending_months  # pandas: only when asked

    if not paths.warehouse.exists() or busy_with(paths):
        return False
    if any(p.is_error for p in problems):
        return False  # the refresh reports it and fails, every time until it is fixed
    try:
        if pending_months(paths.warehouse, refs):
            return False
        return plan_build(paths.warehouse, target, export=paths.export_of(target)).nothing_to_do
    except duckdb.Error:  # a writer started meanwhile, or a BI tool holds the file
        return False


def record_publish(warehouse: Path, target: Path, as_of: str | None) -> None:
    """After a successful publish (the caller holds the writer lock)."""
    stat = target.stat()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("BEGIN")
        for ddl in DDL:
            con.execute(ddl)
        con.execute(f"DELETE FROM {SCHEMA}.veroeffentlichungen WHERE ziel = ?", [target.name])
        con.execute(
            f"INSERT INTO {SCHEMA}.veroeffentlichungen VALUES (?, ?, ?, ?, ?, now())",
            [target.name, as_of, project_fingerprint(), stat.st_size, stat.st_mtime_ns],
        )
        con.execute(
            f"DELETE FROM {SCHEMA}.veroeffentlichte_lieferungen WHERE ziel = ?", [target.name]
        )
        con.execute(
            f"INSERT INTO {SCHEMA}.veroeffentlichte_lieferungen SELECT ?, jobcenter_id,"
            " berichtsmonat, stand, manifest_sha256 FROM raw.lieferungen",
            [target.name],
        )
        con.execute("COMMIT")


def set_test_scope(warehouse: Path, plan: BuildPlan) -> None:
    """The first month the data tests of this build look at (macros/testumfang.sql; dbt's
    on-run-end hook empties the table, so a `dbt build` by hand tests every month)."""
    first = None if plan.full else (plan.tests_from or date(9999, 12, 1))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        con.execute(f"CREATE OR REPLACE TABLE {SCHEMA}.testumfang AS SELECT ?::DATE AS ab", [first])


@dataclass(frozen=True)
class _Build:
    ziel: str
    fingerprint: str
    groesse: int
    mtime_ns: int


def _last_build(con: duckdb.DuckDBPyConnection, ziel: str | None = None) -> _Build | None:
    """The latest publish of `ziel`, or of any file: the warehouse's models are as that
    build left them."""
    if not _has_record(con):
        return None
    row = con.execute(
        f"SELECT ziel, fingerprint, datei_groesse, datei_mtime_ns FROM {SCHEMA}.veroeffentlichungen"
        " WHERE ziel = coalesce(?, ziel) ORDER BY veroeffentlicht_am DESC LIMIT 1",
        [ziel],
    ).fetchone()
    return _Build(*row) if row else None


def _has_record(con: duckdb.DuckDBPyConnection) -> bool:
    """Both tables of the record (one lost by hand: no record, so a full build)."""
    sql = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name IN (?, ?)"
    tables = [SCHEMA, "veroeffentlichungen", "veroeffentlichte_lieferungen"]
    return con.execute(sql, tables).fetchone()[0] == 2


def first_changed_month(con: duckdb.DuckDBPyConnection, ziel: str) -> date | None:
    """The earliest Berichtsmonat with a delivery loaded, changed or removed since `ziel` was
    last published (symmetric difference of raw.lieferungen and the record)."""
    row = con.execute(
        f"""
        WITH jetzt AS (
            SELECT jobcenter_id, berichtsmonat, stand, manifest_sha256 FROM raw.lieferungen),
        damals AS (
            SELECT jobcenter_id, berichtsmonat, stand, manifest_sha256
            FROM {SCHEMA}.veroeffentlichte_lieferungen WHERE ziel = ?)
        SELECT min(berichtsmonat) FROM (
            (SELECT * FROM jetzt EXCEPT SELECT * FROM damals)
            UNION ALL
            (SELECT * FROM damals EXCEPT SELECT * FROM jetzt))
        """,
        [ziel],
    ).fetchone()
    return row[0] if row else None


def _intact(target: Path, export: Path | None, last: _Build) -> bool:
    """The published file as the last publish left it, and its Parquet export still there
    (the link `marts_parquet` to a folder): a BI tool reading either finds it."""
    if export is not None and not export.is_dir():
        return False
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (last.groesse, last.mtime_ns)
