"""Read and check `_lieferung.json`: present, valid JSON, well-formed, consistent with itself
and with the folder names it lies in."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from zielmonitor.contract import CONTRACT_VERSION, MANIFEST_NAME
from zielmonitor.ingest.discovery import (
    DeliveryRef,
    NotRegularFileError,
    not_regular,
    read_regular,
)
from zielmonitor.ingest.findings import Finding, error, warning

_JC = re.compile(r"\d{5}", re.ASCII)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])", re.ASCII)
_SHA = re.compile(r"[0-9a-f]{64}")
# Limits checked before parsing, so a hostile manifest costs nothing: a real one is ~1 KiB
# and 3 levels deep; json.loads recurses per level (RecursionError at ~1,000 levels).
MAX_MANIFEST_BYTES = 2**20
MAX_JSON_DEPTH = 32
# A stand is the day the data were drawn: later than the refresh day (plus a day for time
# zones and a delivery drawn just after midnight) is impossible, and would stay the month's
# latest stand for ever.
STAND_TOLERANCE = timedelta(days=1)
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True)
class FileEntry:
    zeilen: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    vertrag: int
    jobcenter_id: str
    jobcenter_name: str | None
    berichtsmonat: str
    stichtag: date
    stand: date
    dateien: dict[str, FileEntry]
    sha256: str  # of the manifest file's bytes: "already loaded" means same sha256


def manifest_sha256(folder: Path) -> str | None:
    """sha256 of the manifest's bytes (of the first MAX_MANIFEST_BYTES + 1 of an oversized
    one, which is rejected anyway and so never equals a loaded manifest's)."""
    try:
        data = read_regular(folder / MANIFEST_NAME, MAX_MANIFEST_BYTES + 1)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path, today: date | None = None) -> tuple[Manifest | None, list[Finding]]:
    """The manifest if it is usable, plus every problem found in it. `today`: the refresh
    day the stand is compared with (default: today)."""
    data, problem = _manifest_bytes(folder / MANIFEST_NAME)
    if data is None:
        return None, [problem]
    doc, problem = _parse_json(data)
    if problem is not None:
        return None, [problem]
    findings: list[Finding] = []
    fields = {
        "vertrag": _vertrag(doc, findings),
        "jobcenter_id": _string(doc, "jobcenter_id", _JC, "5 digits", findings),
        "berichtsmonat": _string(doc, "berichtsmonat", _MONTH, "YYYY-MM", findings),
        "stichtag": _date(doc, "stichtag", findings),
        "stand": _date(doc, "stand", findings),
        "dateien": _dateien(doc, findings),
    }
    name = doc.get("jobcenter_name")
    if not isinstance(name, str) or not name.strip():
        findings.append(_bad("jobcenter_name", name, "missing or not a text", severity="warning"))
        name = None
    if any(v is None for v in fields.values()):
        return None, findings
    manifest = Manifest(jobcenter_name=name, sha256=hashlib.sha256(data).hexdigest(), **fields)
    latest = (today or date.today()) + STAND_TOLERANCE
    if manifest.stand > latest:  # unusable everywhere: also as another month's predecessor
        why = f"stand {manifest.stand} lies after {latest} (refresh day + {STAND_TOLERANCE.days})"
        future = error("stand_in_future", why, MANIFEST_NAME, column="stand", value=manifest.stand)
        return None, [*findings, future]
    return manifest, findings + _consistency(manifest)


def _manifest_bytes(path: Path) -> tuple[bytes | None, Finding | None]:
    """At most MAX_MANIFEST_BYTES + 1 bytes of a regular file, or why not."""
    try:
        data = read_regular(path, MAX_MANIFEST_BYTES + 1)
    except NotRegularFileError:
        return None, error("not_a_regular_file", "not a regular file: not read", MANIFEST_NAME)
    except FileNotFoundError:
        if not_regular(path):
            return None, error("not_a_regular_file", "dangling link: not read", MANIFEST_NAME)
        return None, error("manifest_missing", f"{MANIFEST_NAME} is missing", MANIFEST_NAME)
    if len(data) > MAX_MANIFEST_BYTES:
        why = f"larger than {MAX_MANIFEST_BYTES:,} bytes: not read"
        return None, error("manifest_too_large", why, MANIFEST_NAME)
    return data, None


def _parse_json(data: bytes) -> tuple[Any, Finding | None]:
    """The JSON document, or the finding why not; the nesting depth is checked first."""
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        why = f"JSON nested {depth:,} levels deep (at most {MAX_JSON_DEPTH})"
        return None, error("manifest_too_deep", why, MANIFEST_NAME)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, error("manifest_json", f"not UTF-8: {exc.reason}", MANIFEST_NAME)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return None, error("manifest_json", msg, MANIFEST_NAME, row=exc.lineno)
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4,300 digits
        msg = f"unreadable JSON: {type(exc).__name__}: {str(exc)[:200]}"
        return None, error("manifest_json", msg, MANIFEST_NAME)
    if not isinstance(doc, dict):
        return None, error("manifest_json", "manifest is not a JSON object", MANIFEST_NAME)
    return doc, None


def json_depth(data: bytes) -> int:
    """Deepest nesting of `[`/`{` outside strings, vectorised (a manifest is small, but a
    hostile one need not be)."""
    outside = np.frombuffer(_JSON_STRING.sub(b'""', data), dtype=np.uint8)
    step = np.isin(outside, (ord("["), ord("{"))).astype(np.int64)
    step -= np.isin(outside, (ord("]"), ord("}")))
    return int(np.cumsum(step).max(initial=0))


def check_folder(manifest: Manifest, ref: DeliveryRef) -> list[Finding]:
    """Folder names must say what the manifest says."""
    pairs = (
        ("jobcenter_id", manifest.jobcenter_id, ref.jobcenter_id),
        ("berichtsmonat", manifest.berichtsmonat, ref.berichtsmonat),
        ("stand", manifest.stand.isoformat(), ref.stand.isoformat()),
    )
    return [
        error(
            "folder_mismatch",
            f"manifest says {key}={said}, folder says {key}={folder}",
            MANIFEST_NAME,
            column=key,
            value=said,
        )
        for key, said, folder in pairs
        if said != folder
    ]


def _consistency(m: Manifest) -> list[Finding]:
    out = []
    if m.stichtag.strftime("%Y-%m") != m.berichtsmonat:
        out.append(
            _bad("stichtag", m.stichtag, f"stichtag outside berichtsmonat {m.berichtsmonat}")
        )
    if m.stand < m.stichtag:
        out.append(_bad("stand", m.stand, f"stand before stichtag {m.stichtag}"))
    return out


def _bad(key: str, value: Any, why: str, severity: str = "error") -> Finding:
    make = error if severity == "error" else warning
    return make(
        "manifest_field",
        f"manifest field {key}: {why}",
        MANIFEST_NAME,
        column=key,
        value=None if value is None else json.dumps(value, default=str, ensure_ascii=False),
    )


def _vertrag(doc: dict[str, Any], findings: list[Finding]) -> int | None:
    value = doc.get("vertrag")
    if isinstance(value, bool) or value != CONTRACT_VERSION:
        findings.append(_bad("vertrag", value, f"must be contract version {CONTRACT_VERSION}"))
        return None
    return int(value)


def _string(
    doc: dict[str, Any], key: str, pattern: re.Pattern[str], form: str, findings: list[Finding]
) -> str | None:
    value = doc.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        findings.append(_bad(key, value, f"missing or not of the form {form}"))
        return None
    return value


def _date(doc: dict[str, Any], key: str, findings: list[Finding]) -> date | None:
    value = doc.get(key)
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    findings.append(_bad(key, value, "missing or not a date YYYY-MM-DD"))
    return None


def _dateien(doc: dict[str, Any], findings: list[Finding]) -> dict[str, FileEntry] | None:
    value = doc.get("dateien")
    if not isinstance(value, dict) or not value:
        findings.append(_bad("dateien", value, "missing or not a non-empty object"))
        return None
    out: dict[str, FileEntry] = {}
    for name, entry in value.items():
        zeilen = entry.get("zeilen") if isinstance(entry, dict) else None
        sha = entry.get("sha256") if isinstance(entry, dict) else None
        ok_rows = isinstance(zeilen, int) and not isinstance(zeilen, bool) and zeilen >= 0
        ok_sha = isinstance(sha, str) and _SHA.fullmatch(sha.lower()) is not None
        if not (ok_rows and ok_sha):
            why = "needs zeilen (integer >= 0) and sha256 (64 hex digits)"
            findings.append(_bad(f"dateien.{name}", entry, why))
            continue
        out[name] = FileEntry(zeilen, sha.lower())
    return out if len(out) == len(value) else None
