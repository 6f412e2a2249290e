"""`zielmonitor withdraw`: take a wrong delivery back.

The stand folder moves from the raw folder into `$ZIELMONITOR_DATA_DIR/quarantine/` (same
`jobcenter=…/berichtsmonat=…/stand=…` layout, owner-only: it holds person data), and who, when
and why is recorded in `raw.rueckzuege`. The next ingest sees the folder gone and removes the
delivery's rows (ingest/mirror.py). A withdrawn delivery never loads again: the ingest rejects a
delivery whose manifest equals a withdrawn one (rule `withdrawn`) and the sensor does not launch
a run for it. A corrected re-delivery has new files, hence a new manifest, and loads as usual.
"""

from __future__ import annotations

import getpass
import hashlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from zielmonitor.config import Paths
from zielmonitor.contract import MANIFEST_NAME
from zielmonitor.ingest import ensure_tables
from zielmonitor.ingest.discovery import relative_path
from zielmonitor.private_files import private_dir

QUARANTINE = "quarantine"


class WithdrawError(RuntimeError):
    """The delivery cannot be withdrawn (not found, already withdrawn, no manifest)."""


@dataclass(frozen=True)
class Withdrawal:
    source: Path
    target: Path
    manifest_sha256: str
    at: datetime
    by: str


def quarantine_dir(paths: Paths) -> Path:
    return paths.data_dir / QUARANTINE


def delivery_folder(root: Path, jobcenter: str, monat: str, stand: str) -> Path:
    return root / f"jobcenter={jobcenter}" / f"berichtsmonat={monat}" / f"stand={stand}"


def withdrawn_shas(paths: Paths) -> set[str]:
    """sha256 of the manifest of every quarantined delivery (read by the sensor, which must
    not open the warehouse while a run writes it)."""
    root = quarantine_dir(paths)
    if not root.is_dir():
        return set()
    return {
        hashlib.sha256(m.read_bytes()).hexdigest()
        for m in root.glob(f"jobcenter=*/berichtsmonat=*/stand=*/{MANIFEST_NAME}")
        if m.is_file() and not m.is_symlink()
    }


def withdraw(paths: Paths, jobcenter: str, monat: str, stand: str, grund: str) -> Withdrawal:
    """Move the delivery into the quarantine and record it; the caller holds the writer lock
    and refreshes afterwards. If recording fails, the folder is moved back."""
    source = delivery_folder(paths.raw_dir, jobcenter, monat, stand)
    manifest = source / MANIFEST_NAME
    where = relative_path(source, paths.raw_dir)
    if not source.is_dir() or source.is_symlink():
        raise WithdrawError(f"no delivery folder {where} in the raw folder")
    if not manifest.is_file() or manifest.is_symlink():
        raise WithdrawError(f"{where} has no {MANIFEST_NAME}: nothing was loaded from it")
    sha = hashlib.sha256(manifest.read_bytes()).hexdigest()
    target = _free_target(delivery_folder(quarantine_dir(paths), jobcenter, monat, stand))
    private_dir(quarantine_dir(paths))  # closes everything below it
    private_dir(target.parent)
    shutil.move(str(source), str(target))
    done = Withdrawal(source, target, sha, datetime.now(UTC).replace(tzinfo=None), _who())
    try:
        _record(paths, done, (jobcenter, f"{monat}-01", stand), grund)
    except BaseException:
        shutil.move(str(target), str(source))  # nothing half done
        raise
    _remove_empty_parents(source.parent, paths.raw_dir)
    return done


def _free_target(target: Path) -> Path:
    """The same stand withdrawn twice (re-delivered, withdrawn again): a suffix keeps both."""
    n = 1
    candidate = target
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{target.name}.{n}")
    return candidate


def _remove_empty_parents(folder: Path, raw_dir: Path) -> None:
    """Leave no empty berichtsmonat=/jobcenter= folders behind (they would be reported)."""
    while folder != raw_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _record(paths: Paths, w: Withdrawal, key: tuple[str, str, str], grund: str) -> None:
    with duckdb.connect(str(paths.warehouse)) as con:
        ensure_tables(con)
        con.execute(
            "INSERT INTO raw.rueckzuege VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [w.at, w.by, grund, *key, relative_path(w.source, paths.raw_dir),
             relative_path(w.target, paths.data_dir), w.manifest_sha256],
        )  # fmt: skip


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"
