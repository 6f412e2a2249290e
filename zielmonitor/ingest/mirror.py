"""The warehouse mirrors the raw folder: a loaded delivery whose stand folder is gone (deleted,
renamed, or withdrawn into the quarantine by `zielmonitor withdraw`) loses its rows on the next
ingest, and dbt rebuilds the months it touched (macros/monatsweise.sql), so the figures are
exactly those of the folders present. The earlier stand of that month becomes active again.

A raw folder holding no delivery at all (missing, unmounted, emptied by mistake) never empties
the warehouse: the ingest reports it and removes nothing (docs/operations.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date, datetime

import duckdb

from zielmonitor.contract import FILES
from zielmonitor.ingest.discovery import DeliveryRef

# tables holding one delivery's partition, replaced as a whole on (re)load
PARTITION_TABLES = tuple(f"raw.{s.name}" for s in FILES) + ("raw.zusatzspalten", "raw.warnungen")

Key = tuple[str, date, date]  # (jobcenter_id, berichtsmonat as month start, stand)


def vanished(loaded: dict[Key, str], present: Sequence[DeliveryRef]) -> list[Key]:
    """Loaded deliveries whose folder is not among `present` (every delivery on disk)."""
    if not present:
        return []  # an empty or missing raw folder is an accident, not a wish to empty
    on_disk = {(r.jobcenter_id, r.month_start, r.stand) for r in present}
    return sorted(key for key in loaded if key not in on_disk)


def delete_partition(con: duckdb.DuckDBPyConnection, key: Key) -> None:
    """Every row of one delivery, its manifest row included (inside the caller's transaction)."""
    for table in (*PARTITION_TABLES, "raw.lieferungen"):
        con.execute(
            f"DELETE FROM {table} WHERE jobcenter_id=? AND berichtsmonat=? AND stand=?", list(key)
        )


def remove_vanished(
    con: duckdb.DuckDBPyConnection,
    present: Sequence[DeliveryRef],
    run_at: datetime,
    log: Callable[[str], None],
) -> list[Key]:
    """Delete the rows of every loaded delivery whose folder is gone, logged in
    `raw.entfernungen` (why: withdrawn, if `raw.rueckzuege` names it, else folder gone)."""
    loaded = con.execute(
        "SELECT jobcenter_id, berichtsmonat, stand, pfad, manifest_sha256 FROM raw.lieferungen"
    ).fetchall()
    by_key = {(jc, month, stand): (pfad, sha) for jc, month, stand, pfad, sha in loaded}
    gone = vanished({k: v[1] for k, v in by_key.items()}, present)
    if not gone:
        return []
    found = con.execute("SELECT manifest_sha256 FROM raw.rueckzuege").fetchall()
    withdrawn = {sha for (sha,) in found}
    con.begin()
    try:
        for key in gone:
            pfad, sha = by_key[key]
            grund = "withdrawn" if sha in withdrawn else "folder_gone"
            delete_partition(con, key)
            con.execute(
                "INSERT INTO raw.entfernungen VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_at, *key, pfad, sha, grund],
            )
            log(f"removed {_label(key)} ({grund}): {pfad} is no longer in the raw folder;"
                " its rows are deleted and the months it touched are rebuilt")  # fmt: skip
        con.commit()
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed commit ended it; report its error
            con.rollback()
        raise
    return gone


def _label(key: Key) -> str:
    jc, month, stand = key
    return f"jobcenter={jc} berichtsmonat={month:%Y-%m} stand={stand}"


def withdrawn_manifests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the ingest says of a withdrawn delivery that reappears, by its manifest's sha256."""
    found = con.execute(
        "SELECT manifest_sha256, am, wer, grund, quarantaene FROM raw.rueckzuege"
    ).fetchall()
    return {
        sha: f"withdrawn on {am:%Y-%m-%d %H:%M} UTC by {wer} ({grund}); kept in {where}:"
        " a corrected delivery needs new files and a new manifest"
        for sha, am, wer, grund, where in found
    }
