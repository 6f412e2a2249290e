"""Read and check `_lieferung.json`: present, valid JSON, well-formed, consistent with itself
and with the folder names it lies in."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from orchestration.contract import CONTRACT_VERSION, MANIFEST_NAME
from orchestration.ingest.discovery import DeliveryRef
from orchestration.ingest.findings import Finding, error, warning

_JC = re.compile(r"\d{5}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SHA = re.compile(r"[0-9a-f]{64}")


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
    path = folder / MANIFEST_NAME
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def read_manifest(folder: Path) -> tuple[Manifest | None, list[Finding]]:
    """The manifest if it is usable, plus every problem found in it."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return None, [error("manifest_missing", f"{MANIFEST_NAME} is missing", MANIFEST_NAME)]
    data = path.read_bytes()
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [error("manifest_json", f"not UTF-8: {exc.reason}", MANIFEST_NAME)]
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return None, [error("manifest_json", msg, MANIFEST_NAME, row=exc.lineno)]
    if not isinstance(doc, dict):
        return None, [error("manifest_json", "manifest is not a JSON object", MANIFEST_NAME)]
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
    return manifest, findings + _consistency(manifest)


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
