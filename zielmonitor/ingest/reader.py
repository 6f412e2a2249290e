"""Read one contract file (CSV in any allowed style, or Parquet) into strings, then parse it
column by column into canonical typed values. Nothing is dropped silently: every unparsable
cell, malformed row and unknown column becomes a finding."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zielmonitor.contract import FORMAT_RULES, FileSpec
from zielmonitor.ingest.discovery import NotRegularFileError, read_regular
from zielmonitor.ingest.findings import MAX_PER_RULE, Finding, error, more, warning
from zielmonitor.ingest.parse import ambiguous_amounts, parse_series

_BOM = b"\xef\xbb\xbf"
# A row of the contract's files is ~100 bytes of ids, codes and dates. A line longer than
# this is no such row; checked on the bytes before any parsing, by both ingest paths.
MAX_LINE_BYTES = 64 * 2**10
# A field longer than a line can only be a quoted value spanning lines: held to the same
# limit (Python's csv module would raise at 128 KiB otherwise).
MAX_FIELD_CHARS = MAX_LINE_BYTES
_LINE_BREAKS = (b"\n", b"\r")
# a valid UTF-8 multi-byte sequence: if one shows up in a file that is not valid UTF-8 as a
# whole, the file mixes encodings and cp1252 would turn it into mojibake silently
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
EXTRA_COLUMNS = ["row", "column", "value"]


@dataclass
class RawFile:
    """A file read as strings: contract columns (index = 1-based data row) and extras."""

    file: str
    rows: int = 0  # data rows found (header excluded), compared with the manifest
    strings: pd.DataFrame | None = None  # None: structurally unusable, see findings
    extras: pd.DataFrame | None = None  # columns beyond the contract: EXTRA_COLUMNS, or None
    findings: list[Finding] = field(default_factory=list)
    encoding: str | None = None


@dataclass
class ParsedFile:
    raw: RawFile
    typed: pd.DataFrame  # canonical dtypes, same index as raw.strings
    unparsable: set[tuple[int, str]]  # (row, column) cells already reported as unparsable


def read_file(path: Path, spec: FileSpec) -> RawFile:
    if path.suffix == ".parquet":
        return _read_parquet(path, spec)
    return _read_csv(path, spec)


# --- CSV -------------------------------------------------------------------------------


def _read_csv(path: Path, spec: FileSpec) -> RawFile:
    out = RawFile(path.name)
    try:
        data = read_regular(path)
    except NotRegularFileError:
        out.findings.append(error("not_a_regular_file", "not a regular file: not read", out.file))
        return out
    if not data:
        out.findings.append(
            error("empty_file", "file is empty (0 bytes, not even a header)", out.file)
        )
        return out
    too_long = long_line(data, out.file)
    if too_long is not None:
        out.findings.append(too_long)
        return out
    text = decode(data, out)
    if text is None:
        return out
    header_line = text.splitlines()[0] if text else ""
    sep = separator(header_line, spec)
    fast = _fast_frame(text, sep, spec)
    if fast is not None:
        out.rows = len(fast)
        _split_extras(out, spec, fast)
        return out
    records = _records(text, sep, out)
    if records is None:
        return out
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()  # trailing blank lines are not data rows
    if not records:
        out.findings.append(error("empty_file", "file holds no header", out.file))
        return out
    header, body = records[0], records[1:]
    out.rows = len(body)
    _frame_from_records(out, spec, [h.strip().lower() for h in header], body)
    return out


def _records(text: str, sep: str, out: RawFile) -> list[list[str]] | None:
    """Every record Python's csv module reads; None after a record that breaks it (a field
    beyond its size limit), reported with its row."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        for record in reader:
            if record and max(map(len, record)) > MAX_FIELD_CHARS:
                raise csv.Error(f"field larger than field limit ({MAX_FIELD_CHARS})")
            records.append(record)
    except csv.Error as exc:
        rule = "field_too_long" if "field limit" in str(exc) else "csv_syntax"
        why = f"unreadable CSV: {exc} (a quoted value spanning lines?)"
        out.findings.append(error(rule, why, out.file, row=len(records) or None))
        out.encoding = None  # unread: its row count means nothing (no row_count_mismatch)
        return None
    return records


def long_line(data: bytes, file: str) -> Finding | None:
    """The first line longer than MAX_LINE_BYTES (row 0 = header), or None. Fast: a file is
    fine when every block of half the limit holds a line break; only a file with a
    break-free block is measured exactly."""
    half = MAX_LINE_BYTES // 2
    for start in range(0, len(data), half):
        if all(data.find(b, start, start + half) < 0 for b in _LINE_BREAKS):
            return _longest_line(data, file)
    return None


def _longest_line(data: bytes, file: str) -> Finding | None:
    b = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero((b == ord("\n")) | (b == ord("\r")))
    starts = np.concatenate(([0], breaks + 1))
    lengths = np.concatenate((breaks, [len(b)])) - starts
    long = np.flatnonzero(lengths > MAX_LINE_BYTES)
    if not len(long):
        return None
    start, length = int(starts[long[0]]), int(lengths[long[0]])
    head = data[:start]
    row = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")
    why = f"line of {length:,} bytes (at most {MAX_LINE_BYTES:,}): not a row of this contract"
    return error(
        "line_too_long", why, file, row=row or None, value=_clip(repr(data[start : start + 40]))
    )


def _fast_frame(text: str, sep: str, spec: FileSpec) -> pd.DataFrame | None:
    """A well-formed file through pyarrow's C++ reader (most of the ingest time was Python's
    csv module). Anything irregular returns None and takes the row-by-row path, which reports
    exact rows."""
    table = arrow_strings(text, sep, spec)
    if table is None:
        return None
    columns = {h: table[h].to_numpy(zero_copy_only=False) for h in table.column_names}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(1, table.num_rows + 1), dtype=object)
    return frame.where(frame != "", None)


def arrow_strings(text: str, sep: str, spec: FileSpec) -> pa.Table | None:
    """Every cell as a whitespace-trimmed string (empty = ""), columns named by the lowered
    header; None for anything irregular (blank or short rows, duplicate or missing columns,
    no data rows)."""
    header = [h.strip().lower() for h in next(csv.reader([text.split("\n", 1)[0]], delimiter=sep))]
    if len(set(header)) != len(header) or not set(spec.column_names) <= set(header):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows == 0 or not _regular_cells(table):
        return None
    return pa.table({h: pc.utf8_trim_whitespace(table[h]) for h in header})


def _regular_cells(table: pa.Table) -> bool:
    """No overlong field and no empty row: pyarrow reads an empty line (also each second line
    of a file with CR CR LF line ends) as a row of empty cells, where the row-by-row reader
    reports a blank line, or pops it at the end of the file. Byte lengths come from the
    offsets without reading the text; characters are counted only where the bytes exceed the
    limit (a character is at least one byte)."""
    lengths = [pc.binary_length(table[h]) for h in table.column_names]
    if max(pc.max(n).as_py() or 0 for n in lengths) > MAX_FIELD_CHARS:
        chars = [pc.utf8_length(table[h]) for h in table.column_names]
        if max(pc.max(n).as_py() or 0 for n in chars) > MAX_FIELD_CHARS:
            return False  # the row-by-row reader names the overlong field's row
    empty = functools.reduce(pc.and_, [pc.equal(n, 0) for n in lengths])
    return not pc.any(empty).as_py()


def decode(data: bytes, out: RawFile) -> str | None:
    """UTF-8 (with or without BOM) or Windows-1252, decided by strict decoding, never guessed."""
    if b"\x00" in data:
        return _undecodable(out, data, data.index(b"\x00"), "NUL byte: binary, not a CSV")
    if data.startswith(_BOM):
        out.encoding = "utf-8-sig"
        try:
            return data[len(_BOM) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            return _undecodable(
                out, data, exc.start + len(_BOM), "BOM says UTF-8 but bytes are not"
            )
    try:
        out.encoding = "utf-8"
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    out.encoding = "cp1252"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        return _undecodable(out, data, exc.start, "byte is neither UTF-8 nor Windows-1252")
    mixed = _UTF8_SEQUENCE.search(data) if _may_hold_utf8(data) else None
    if mixed:
        where = data.count(b"\n", 0, mixed.start())
        why = f"not UTF-8, but row {where} is UTF-8: file mixes encodings, cannot decide"
        return _undecodable(out, data, first_bad, why)
    return text


def _may_hold_utf8(data: bytes) -> bool:
    """False when no lead byte C2-EF is followed by a continuation byte 80-BF, which every
    match of _UTF8_SEQUENCE needs: a vectorised pre-check, as scanning with the regex is slow."""
    b = np.frombuffer(data, dtype=np.uint8)
    lead = (b[:-1] >= 0xC2) & (b[:-1] <= 0xEF)
    return bool((lead & (b[1:] >= 0x80) & (b[1:] <= 0xBF)).any())


def _undecodable(out: RawFile, data: bytes, offset: int, why: str) -> None:
    """Report the offending byte with its data row and column (header line = row 0)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    row = data.count(b"\n", 0, offset)
    header = data.removeprefix(_BOM).split(b"\n", 1)[0].decode("latin-1").strip().lower()
    sep = ";" if ";" in header else ","
    names = header.split(sep)
    index = data[line_start:offset].count(sep.encode())
    column = names[index] if row > 0 and index < len(names) else None
    value = data[offset : offset + 1].hex(" ").upper()
    out.findings.append(
        error(
            "encoding",
            f"undecodable byte 0x{value}: {why}",
            out.file,
            row=row or None,
            column=column,
            value=f"0x{value}",
        )
    )
    out.encoding = None
    return None


def separator(header_line: str, spec: FileSpec) -> str:
    """`;` unless the header has no `;` and splitting at `,` yields contract column names."""
    if ";" in header_line or "," not in header_line:
        return ";"
    names = {h.strip().lower() for h in header_line.split(",")}
    return "," if len(names & set(spec.column_names)) >= 2 else ";"


def _frame_from_records(out: RawFile, spec: FileSpec, header: list[str], body: list[list[str]]):
    if not _header_ok(out, spec, header):
        return
    good_rows, good_index = [], []
    bad: dict[str, list[int]] = {"blank_line": [], "field_count": []}  # rows, for the findings
    for number, record in enumerate(body, start=1):
        if len(record) == len(header):
            good_rows.append([cell.strip() for cell in record])
            good_index.append(number)
        else:
            bad["field_count" if any(cell.strip() for cell in record) else "blank_line"].append(
                number
            )
    out.findings += _structure_findings(out.file, bad, body, len(header))
    frame = pd.DataFrame(good_rows, columns=header, index=good_index, dtype=object)
    frame = frame.where(frame != "", None)
    _split_extras(out, spec, frame)


def _structure_findings(
    file: str, bad: dict[str, list[int]], body: list[list[str]], width: int
) -> list[Finding]:
    """The first MAX_PER_RULE bad rows of each kind, then one summary: a file broken on every
    row is explained by its first rows and costs no more than that."""
    out = []
    for row in bad["blank_line"][:MAX_PER_RULE]:
        out.append(error("blank_line", "blank line inside the data", file, row=row))
    for row in bad["field_count"][:MAX_PER_RULE]:
        record = body[row - 1]
        msg = f"{len(record)} fields, header has {width} (truncated or bad separator)"
        out.append(error("field_count", msg, file, row=row, value=_clip(";".join(record))))
    hidden = {rule: len(rows) - MAX_PER_RULE for rule, rows in bad.items()}
    return out + [more("error", file, rule, n) for rule, n in hidden.items() if n > 0]


def _header_ok(out: RawFile, spec: FileSpec, header: list[str]) -> bool:
    dupes = sorted({h for h in header if header.count(h) > 1})
    for name in dupes:
        out.findings.append(
            error("duplicate_column", "column appears twice in the header", out.file, column=name)
        )
    for name in spec.column_names:
        if name not in header:
            out.findings.append(
                error(
                    "missing_column", "required column missing in the header", out.file, column=name
                )
            )
    return not dupes and all(name in header for name in spec.column_names)


def _split_extras(out: RawFile, spec: FileSpec, frame: pd.DataFrame) -> None:
    """Contract columns go on; unknown columns are kept aside in long format and reported."""
    extra = [c for c in frame.columns if c not in spec.column_names]
    for name in extra:
        out.findings.append(
            warning(
                "extra_column",
                "column not in the contract: kept aside in raw.zusatzspalten, not loaded",
                out.file,
                column=name,
            )
        )
    if extra:
        long = (
            frame[extra]
            .rename_axis("row")
            .reset_index()
            .melt(id_vars="row", var_name="column", value_name="value")
        )
        out.extras = long.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    out.strings = frame[list(spec.column_names)]


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Parquet ---------------------------------------------------------------------------


def _read_parquet(path: Path, spec: FileSpec) -> RawFile:
    """Parquet columns may be native (date, bool, int, float, decimal) or strings; native
    values are rendered canonically so both go through the same string parsers."""
    out = RawFile(path.name, encoding="parquet")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        out.findings.append(
            error("parquet_unreadable", f"not a readable Parquet file: {exc}", out.file)
        )
        return out
    header = [name.strip().lower() for name in table.column_names]
    out.rows = table.num_rows
    if not _header_ok(out, spec, header):
        return out
    types = {c.name: c.type for c in spec.columns}
    columns = {
        h: [_render(v, types.get(h)) for v in table.column(i).to_pylist()]
        for i, h in enumerate(header)
    }
    frame = pd.DataFrame(columns, index=range(1, table.num_rows + 1), dtype=object)
    frame = frame.where(frame.notna() & (frame != ""), None)
    _split_extras(out, spec, frame)
    return out


def _render(value: Any, logical_type: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return _render(value.date(), logical_type) if midnight else str(value)
    if isinstance(value, date):
        month = logical_type == "month" and value.day == 1
        return value.isoformat()[:7] if month else value.isoformat()
    if isinstance(value, float | Decimal):
        return _number(value)
    return str(value).strip()


def _number(value: float | Decimal) -> str:
    """Whole numbers plainly, cents with 2 decimals, anything finer unchanged (then rejected)."""
    if value == int(value):
        return str(int(value))
    cents = round(Decimal(str(value)), 2)
    return f"{cents:.2f}" if cents == Decimal(str(value)) else str(value)


def _unparsable_findings(
    file: str, column: str, logical_type: str, values: pd.Series, bad: pd.Series
) -> list[Finding]:
    """A finding per unparsable cell, at most MAX_PER_RULE per rule plus a summary, so a
    column of garbage costs no more than its first rows."""
    rule, hint = FORMAT_RULES[logical_type]
    ambiguous = ambiguous_amounts(values) & bad if logical_type == "amount" else bad & False
    out = []
    for rule_id, rows in (("amount_ambiguous", ambiguous), (rule, bad & ~ambiguous)):
        found = rows[rows].index
        for row in found[:MAX_PER_RULE]:
            msg = _ambiguous_message(values[row]) if rule_id == "amount_ambiguous" else hint
            out.append(error(rule_id, msg, file, row, column, values[row]))
        if len(found) > MAX_PER_RULE:
            out.append(more("error", file, rule_id, len(found) - MAX_PER_RULE))
    return out


def _ambiguous_message(value: str) -> str:
    whole, part = value.split(".")
    return (
        f"ambiguous amount: {whole}{part} (thousands dot) or {whole}.{part} (decimal point)?"
        f" write {value},00 or {whole}{part}.00"
    )


# --- parsing ---------------------------------------------------------------------------


def parse_file(raw: RawFile, spec: FileSpec) -> ParsedFile | None:
    """Typed frame of a structurally sound file; unparsable cells become findings."""
    if raw.strings is None:
        return None
    typed: dict[str, pd.Series] = {}
    unparsable: set[tuple[int, str]] = set()
    for col in spec.columns:
        values = raw.strings[col.name]
        typed[col.name], bad = parse_series(values, col.type)
        if not bad.any():
            continue
        rows = bad[bad].index
        unparsable.update(zip(rows, itertools.repeat(col.name)))
        raw.findings += _unparsable_findings(raw.file, col.name, col.type, values, bad)
    frame = pd.DataFrame(typed, index=raw.strings.index)
    return ParsedFile(raw, frame, unparsable)
