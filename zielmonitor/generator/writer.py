"""Write one delivery exactly as the extract contract describes it: Hive folder, CSV (or
Parquet) files in a chosen office-system style, and a manifest with row counts and sha256.

Used by the generator and by the tests, so both produce deliveries the same way. Output is
deterministic: same tables and styles give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from zielmonitor.contract import CONTRACT_VERSION, FILES_BY_NAME, MANIFEST_NAME, FileSpec

_FLAG_SPELLINGS = {"JN": ("J", "N"), "10": ("1", "0"), "janein": ("ja", "nein")}


@dataclass(frozen=True)
class CsvStyle:
    """How an office system writes a CSV. The contract's German defaults."""

    encoding: Literal["utf-8", "utf-8-sig", "cp1252"] = "utf-8"
    sep: Literal[";", ","] = ";"
    date_format: Literal["de", "iso"] = "de"
    month_format: Literal["iso", "de"] = "iso"
    decimal: Literal["de", "plain"] = "de"
    flags: Literal["JN", "10", "janein"] = "JN"
    header_case: Literal["lower", "upper"] = "lower"


GERMAN = CsvStyle()


def delivery_dir(root: Path, jobcenter_id: str, berichtsmonat: str, stand: date) -> Path:
    return root / f"jobcenter={jobcenter_id}" / f"berichtsmonat={berichtsmonat}" / f"stand={stand}"


def write_delivery(
    root: Path,
    *,
    jobcenter_id: str,
    jobcenter_name: str,
    berichtsmonat: str,
    stichtag: date,
    stand: date,
    tables: Mapping[str, pd.DataFrame],
    styles: Mapping[str, CsvStyle] | None = None,
    parquet: Collection[str] = (),
) -> Path:
    """Write the files of `tables` (keys are contract file names) and the manifest.

    Table values are canonical: dates as date/datetime64, months as the first day of the
    month (or 'YYYY-MM'), flags as bool, amounts as numbers, missing as None/NaN.
    """
    folder = delivery_dir(root, jobcenter_id, berichtsmonat, stand)
    folder.mkdir(parents=True, exist_ok=True)
    dateien: dict[str, dict[str, Any]] = {}
    for name, frame in tables.items():
        spec = FILES_BY_NAME[name]
        if name in parquet:
            file_name, data = spec.parquet_name, _parquet_bytes(spec, frame)
        else:
            style = (styles or {}).get(name, GERMAN)
            file_name, data = spec.csv_name, _csv_bytes(spec, frame, style)
        (folder / file_name).write_bytes(data)
        dateien[file_name] = {"zeilen": len(frame), "sha256": hashlib.sha256(data).hexdigest()}
    manifest = {
        "vertrag": CONTRACT_VERSION,
        "jobcenter_id": jobcenter_id,
        "jobcenter_name": jobcenter_name,
        "berichtsmonat": berichtsmonat,
        "stichtag": stichtag.isoformat(),
        "stand": stand.isoformat(),
        "dateien": dict(sorted(dateien.items())),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")
    return folder


def _csv_bytes(spec: FileSpec, frame: pd.DataFrame, style: CsvStyle) -> bytes:
    header = [c.name.upper() if style.header_case == "upper" else c.name for c in spec.columns]
    columns = [_format_column(frame[c.name], c.type, style) for c in spec.columns]
    lines = [style.sep.join(header)]
    lines += [style.sep.join(row) for row in zip(*columns, strict=True)]
    text = "\r\n".join(lines) + "\r\n"  # office systems write CRLF
    return text.encode(style.encoding)


def _format_column(values: pd.Series, logical_type: str, style: CsvStyle) -> list[str]:
    """Vectorised where it matters (dates, months, flags): the generator writes millions."""
    missing = values.isna() | (values.astype("object") == "")
    present = values[~missing]
    if logical_type in ("date", "month"):
        stamps = pd.to_datetime(present.astype("object").map(_as_date))
        if logical_type == "date":
            text = stamps.dt.strftime("%Y-%m-%d" if style.date_format == "iso" else "%d.%m.%Y")
        else:
            text = stamps.dt.strftime("%Y-%m" if style.month_format == "iso" else "%m.%Y")
    elif logical_type == "flag":
        yes, no = _FLAG_SPELLINGS[style.flags]
        text = present.astype(bool).map({True: yes, False: no})
    elif logical_type == "amount":
        text = present.astype(float).map(lambda v: _format_amount(v, style.decimal))
    elif logical_type == "int":
        text = present.astype("int64").astype(str)
    else:
        text = present.astype(str)
    out = pd.Series("", index=values.index, dtype=object)
    out[~missing] = text.astype(object)
    return out.tolist()


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return (isinstance(value, float) and math.isnan(value)) or value == ""


def _as_date(value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value if len(value) == 10 else f"{value}-01")
    return pd.Timestamp(value).date()


def _format_amount(value: float, fmt: str) -> str:
    plain = f"{value:.2f}"
    if fmt == "plain":
        return plain
    whole, cents = plain.split(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return f"{sign}{'.'.join(groups)},{cents}"


def _parquet_bytes(spec: FileSpec, frame: pd.DataFrame) -> bytes:
    """Parquet with native types (dates as date32, flags as bool, amounts as double)."""
    arrays = {}
    for col in spec.columns:
        values = [None if _missing(v) else v for v in frame[col.name].tolist()]
        if col.type in ("date", "month"):
            arrays[col.name] = pa.array([None if v is None else _as_date(v) for v in values])
        elif col.type == "flag":
            arrays[col.name] = pa.array([None if v is None else bool(v) for v in values])
        elif col.type == "amount":
            arrays[col.name] = pa.array([None if v is None else float(v) for v in values])
        elif col.type == "int":
            arrays[col.name] = pa.array([None if v is None else int(v) for v in values], pa.int32())
        else:
            arrays[col.name] = pa.array(
                [None if v is None else str(v) for v in values], pa.string()
            )
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(arrays), sink, compression="zstd")
    return sink.getvalue().to_pybytes()
