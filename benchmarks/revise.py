"""A revised stand of an old month for every Jobcenter: what a correction delivery looks like.

For each Jobcenter the latest stand of `month` is copied to a new stand folder with a later
stand date (same Stichtag, as contract § 1 wants of a re-delivery): the unchanged files are
hard links, the changed ones new files, the manifest new with the new stand and the changed
files' `zeilen` and `sha256`. What changes: every DROP_EVERY-th start of work
(`erwerbsaufnahmen`, so the Integrationen of the month and the next change, and with them
the rolling and year-to-date quotas) and every DROP_EVERY-th contact (`kontakte`: the
Kontaktdichte). Dropping event rows keeps every contract rule true (keys stay unique, no
person appears that was not there), so the delivery passes the ingest's validation.

Rows are dropped as whole CRLF-terminated lines, byte for byte: the files keep their
encoding, separator and formats (the generator writes no quoted fields).

    uv run python -m benchmarks.revise RAW_DIR --month 2016-06 --stand 2017-01-16
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zielmonitor.contract import FILES_BY_NAME, MANIFEST_NAME

DROP_EVERY = 20
CHANGED_FILES = ("erwerbsaufnahmen", "kontakte")


@dataclass(frozen=True)
class Revised:
    jobcenter_id: str
    folder: Path
    dropped: dict[str, int]  # file name -> data rows dropped


def drop_rows(data: bytes, every: int) -> tuple[bytes, int, int]:
    """Every `every`-th data line of a CRLF CSV left out: (new bytes, rows kept, dropped)."""
    lines = data.split(b"\r\n")
    header, rows = lines[0], [ln for ln in lines[1:] if ln]
    kept = [r for i, r in enumerate(rows, start=1) if i % every]
    return b"\r\n".join([header, *kept]) + b"\r\n", len(kept), len(rows) - len(kept)


def revise_delivery(old: Path, stand: date, every: int = DROP_EVERY) -> Revised:
    """The new stand folder next to `old` (…/berichtsmonat=M/stand=S)."""
    doc = json.loads((old / MANIFEST_NAME).read_text(encoding="utf-8"))
    if date.fromisoformat(doc["stand"]) >= stand:
        raise ValueError(f"{old}: stand {doc['stand']} is not before {stand}")
    new = old.parent / f"stand={stand.isoformat()}"
    new.mkdir()
    changed = {FILES_BY_NAME[n].csv_name for n in CHANGED_FILES}
    dropped: dict[str, int] = {}
    for name, entry in doc["dateien"].items():
        if name not in changed:  # unchanged: the same bytes, hard-linked
            os.link(old / name, new / name)
            continue
        data, kept, dropped[name] = drop_rows((old / name).read_bytes(), every)
        (new / name).write_bytes(data)
        entry.update(zeilen=kept, sha256=hashlib.sha256(data).hexdigest())
    doc["stand"] = stand.isoformat()
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"  # as the generator's writer
    (new / MANIFEST_NAME).write_text(text, encoding="utf-8")
    return Revised(doc["jobcenter_id"], new, dropped)


def revise_month(raw: Path, month: str, stand: date) -> list[Revised]:
    """A revised stand of `month` for every Jobcenter under `raw` (replacing one of an
    interrupted earlier call)."""
    out = []
    for month_dir in sorted(raw.glob(f"jobcenter=*/berichtsmonat={month}")):
        target = month_dir / f"stand={stand.isoformat()}"
        if target.exists():
            _remove(target)
        latest = max(month_dir.glob("stand=*"))
        out.append(revise_delivery(latest, stand))
    if not out:
        raise FileNotFoundError(f"no deliveries of {month} under {raw}")
    return out


def _remove(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--month", required=True)
    parser.add_argument("--stand", type=date.fromisoformat, required=True)
    args = parser.parse_args(argv)
    for r in revise_month(args.raw, args.month, args.stand):
        print(f"{r.folder}: dropped {r.dropped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
