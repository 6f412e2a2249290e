"""The broken-delivery corpus: each case breaks one clean delivery in one way and must be
rejected with a finding naming the right file, row and column, leaving the warehouse as it
was. Plus unit tests of the format rules (encodings, amounts, dates, flags)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ingest_helpers as h
import pandas as pd
import pytest
from ingest_helpers import template_fixture, world_fixture  # noqa: F401 (fixtures)

from zielmonitor.contract import FILES_BY_NAME, MANIFEST_NAME
from zielmonitor.ingest import ingest, validate, validate_delivery
from zielmonitor.ingest.findings import MAX_PER_RULE
from zielmonitor.ingest.history import Eintritt, History
from zielmonitor.ingest.parse import parse_series
from zielmonitor.ingest.reader import RawFile, parse_file, read_file

ELB, KON, LEI = "elb_bestand.csv", "kontakte.csv", "leistungen.csv"
AUS = "massnahme_austritte.csv"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Path], None]
    file: str | None
    row: int | None
    column: str | None
    rule: str


def _cell(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda f: h.edit_cell(f, file, row, column, value)


def _manifest(**changes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        doc = h.manifest(folder)
        for key, value in changes.items():
            if value is None:
                del doc[key]
            else:
                doc[key] = value
        h.save_manifest(folder, doc)

    return mutate


def _truncate(folder: Path) -> None:
    data = (folder / ELB).read_bytes()
    (folder / ELB).write_bytes(data[: data.rstrip().rfind(b";") - 3])


def _tamper(folder: Path) -> None:
    path = folder / KON
    path.write_bytes(path.read_bytes().replace(b"PERS", b"TEL\x20", 1))


def _zeilen(file: str, n: int) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        doc = h.manifest(folder)
        doc["dateien"][file]["zeilen"] = n
        h.save_manifest(folder, doc)

    return mutate


def _drop_file(file: str, unlist: bool) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / file).unlink()
        if unlist:
            doc = h.manifest(folder)
            del doc["dateien"][file]
            h.save_manifest(folder, doc)

    return mutate


def _drop_column(file: str, column: str) -> Callable[[Path], None]:
    def fn(header, rows):
        i = header.index(column)
        return header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]

    return lambda f: h.transform_csv(f, file, fn)


def _duplicate_first_row(file: str) -> Callable[[Path], None]:
    def fn(header, rows):
        return header, [rows[0], rows[0], *rows[2:]]

    return lambda f: h.transform_csv(f, file, fn)


def _raw_bytes(file: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / file
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new, 1))
        h.rehash(folder)

    return mutate


def _empty(file: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / file).write_bytes(b"")
        h.rehash(folder)

    return mutate


def _header_only(file: str) -> Callable[[Path], None]:
    return lambda f: h.transform_csv(f, file, lambda header, rows: (header, []), recount=True)


def _bad_json(folder: Path) -> None:
    text = '{"vertrag": 1,\n "jobcenter_id": "05111",\n}\n'  # trailing comma: line 3
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")


def _extra_field(file: str, row: int) -> Callable[[Path], None]:
    def fn(header, rows):
        rows[row - 1] = [*rows[row - 1], "zuviel"]
        return header, rows

    return lambda f: h.transform_csv(f, file, fn)


def _add_row(file: str, row: list[str]) -> Callable[[Path], None]:
    return lambda f: h.transform_csv(f, file, lambda hd, rows: (hd, [*rows, row]), recount=True)


def _junk_parquet(folder: Path) -> None:
    (folder / ELB).rename(folder / "elb_bestand.parquet")
    (folder / "elb_bestand.parquet").write_bytes(b"PAR1 kaputt")
    doc = h.manifest(folder)
    doc["dateien"]["elb_bestand.parquet"] = doc["dateien"].pop(ELB)
    h.save_manifest(folder, doc)
    h.rehash(folder)


def _both_formats(folder: Path) -> None:
    (folder / "kontakte.parquet").write_bytes((folder / KON).read_bytes())
    doc = h.manifest(folder)
    doc["dateien"]["kontakte.parquet"] = dict(doc["dateien"][KON])
    h.save_manifest(folder, doc)


CASES = [
    Case("truncated_file", _truncate, ELB, 5, None, "field_count"),
    Case("checksum_mismatch", _tamper, KON, None, None, "sha256_mismatch"),
    Case("row_count_mismatch", _zeilen(KON, 5), KON, None, None, "row_count_mismatch"),
    Case("missing_manifest", lambda f: (f / MANIFEST_NAME).unlink(), MANIFEST_NAME, None, None,
         "manifest_missing"),
    Case("manifest_other_month", _manifest(berichtsmonat="2016-03", stichtag="2016-03-15"),
         MANIFEST_NAME, None, "berichtsmonat", "folder_mismatch"),
    Case("manifest_other_jobcenter", _manifest(jobcenter_id="05112"), MANIFEST_NAME, None,
         "jobcenter_id", "folder_mismatch"),
    Case("manifest_other_stand", _manifest(stand="2016-03-02"), MANIFEST_NAME, None, "stand",
         "folder_mismatch"),
    Case("manifest_malformed_json", _bad_json, MANIFEST_NAME, 3, None, "manifest_json"),
    Case("manifest_field_missing", _manifest(stichtag=None), MANIFEST_NAME, None, "stichtag",
         "manifest_field"),
    Case("manifest_bad_jobcenter_id", _manifest(jobcenter_id="5111"), MANIFEST_NAME, None,
         "jobcenter_id", "manifest_field"),
    Case("manifest_wrong_contract", _manifest(vertrag=2), MANIFEST_NAME, None, "vertrag",
         "manifest_field"),
    Case("missing_required_file", _drop_file(LEI, unlist=True), LEI, None, None, "file_missing"),
    Case("listed_file_not_on_disk", _drop_file(KON, unlist=False), KON, None, None,
         "file_missing"),
    Case("missing_required_column", _drop_column(ELB, "geschlecht"), ELB, None, "geschlecht",
         "missing_column"),
    Case("unknown_code", _cell(ELB, 2, "schulabschluss", "ABI"), ELB, 2, "schulabschluss",
         "code_list"),
    Case("unknown_code_event", _cell("erwerbsaufnahmen.csv", 2, "art", "FEST"),
         "erwerbsaufnahmen.csv", 2, "art", "code_list"),
    Case("duplicate_key", _duplicate_first_row(KON), KON, 2, "person_id+datum+kontaktart",
         "duplicate_key"),
    Case("unparsable_date", _cell("erwerbsaufnahmen.csv", 1, "beginn", "31.02.2016"),
         "erwerbsaufnahmen.csv", 1, "beginn", "date_format"),
    Case("date_after_window", _cell(KON, 1, "datum", "16.02.2016"), KON, 1, "datum", "window"),
    Case("date_before_window", _cell("massnahme_eintritte.csv", 1, "eintritt", "14.01.2016"),
         "massnahme_eintritte.csv", 1, "eintritt", "window"),
    Case("negative_amount", _cell(LEI, 2, "llu_anspruch", "-5,00"), LEI, 2, "llu_anspruch",
         "min"),
    Case("ambiguous_amount", _cell(LEI, 1, "luh_anspruch", "1.234"), LEI, 1, "luh_anspruch",
         "amount_ambiguous"),
    Case("unparsable_amount", _cell(LEI, 3, "llu_anspruch", "12 EUR"), LEI, 3, "llu_anspruch",
         "amount_format"),
    Case("undecodable_bytes", _raw_bytes(ELB, b"JJC", b"J\x81C"), ELB, 3, "team", "encoding"),
    Case("mixed_encoding", _raw_bytes(ELB, b"JJC", b"J\xfcC"), ELB, 3, "team", "encoding"),
    Case("empty_file", _empty(KON), KON, None, None, "empty_file"),
    Case("header_only_stock", _header_only(ELB), ELB, None, None, "no_rows"),
    Case("person_in_no_stock", _cell(KON, 1, "person_id", "P99"), KON, 1, "person_id",
         "person_not_in_stock"),
    Case("elb_tage_730_above", _cell(ELB, 1, "elb_tage_730", "731"), ELB, 1, "elb_tage_730",
         "max"),
    Case("elb_tage_730_not_int", _cell(ELB, 1, "elb_tage_730", "7,5"), ELB, 1, "elb_tage_730",
         "int_format"),
    Case("arbeitslos_without_seit", _cell(ELB, 1, "arbeitslos_seit", ""), ELB, 1,
         "arbeitslos_seit", "arbeitslos_seit_iff_arbeitslos"),
    Case("seit_without_arbeitslos", _cell(ELB, 2, "arbeitslos_seit", "01.01.2016"), ELB, 2,
         "arbeitslos_seit", "arbeitslos_seit_iff_arbeitslos"),
    Case("geburtsmonat_too_young", _cell(ELB, 3, "geburtsmonat", "2005-01"), ELB, 3,
         "geburtsmonat", "age_range"),
    Case("geburtsmonat_too_old", _cell(ELB, 4, "geburtsmonat", "1948-12"), ELB, 4,
         "geburtsmonat", "age_range"),
    Case("bad_staatsangehoerigkeit", _cell(ELB, 1, "staatsangehoerigkeit", "De"), ELB, 1,
         "staatsangehoerigkeit", "iso3166_alpha3"),
    Case("bad_flag", _cell(ELB, 2, "schwerbehindert", "X"), ELB, 2, "schwerbehindert",
         "flag_format"),
    Case("missing_required_value", _cell(ELB, 4, "bg_id", ""), ELB, 4, "bg_id", "not_nullable"),
    Case("ziel_for_non_fbw", _cell("massnahme_eintritte.csv", 1, "massnahme_ziel", "TQ"),
         "massnahme_eintritte.csv", 1, "massnahme_ziel", "massnahme_ziel_fbw_only"),
    Case("ende_before_eintritt", _cell("massnahme_eintritte.csv", 2, "geplantes_ende",
         "31.01.2016"), "massnahme_eintritte.csv", 2, "geplantes_ende", "end_before_start"),
    Case("austritt_other_person", _cell("massnahme_austritte.csv", 1, "person_id", "P3"),
         "massnahme_austritte.csv", 1, "person_id", "austritt_person_mismatch"),
    Case("extra_field_in_row", _extra_field(LEI, 2), LEI, 2, None, "field_count"),
    Case("abschluss_bestanden_non_fbw", _add_row(AUS, ["F10", "P3", "12.02.2016", "REGULAER", "J"]),
         AUS, 2, "abschluss_bestanden", "abschluss_bestanden_fbw_only"),
    Case("austritt_before_eintritt", _add_row(AUS, ["F11", "P1", "31.01.2016", "ABBRUCH", ""]),
         AUS, 2, "austritt", "austritt_before_eintritt"),
    Case("parquet_unreadable", _junk_parquet, "elb_bestand.parquet", None, None,
         "parquet_unreadable"),
    Case("ambiguous_csv_and_parquet", _both_formats, MANIFEST_NAME, None, None, "ambiguous_file"),
    Case("stichtag_outside_month", _manifest(stichtag="2016-03-15"), MANIFEST_NAME, None,
         "stichtag", "manifest_field"),
]  # fmt: skip


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_delivery_is_rejected(case: Case, world: tuple[Path, Path], tmp_path: Path):
    raw, warehouse = world
    folder = h.write(raw, "2016-02", h.STAND_FEB_B)
    case.mutate(folder)
    before = h.raw_state(warehouse)
    lines: list[str] = []

    result = ingest(warehouse, raw, ["2016-02"], rejections_dir=tmp_path / "rej", log=lines.append)

    assert not result.ok
    assert [o.ref.stand for o in result.rejected] == [h.STAND_FEB_B]
    assert [o.ref.stand for o in result.unchanged] == [h.STAND_FEB_A]
    errors = result.rejected[0].errors
    hit = [
        f
        for f in errors
        if (f.file, f.row, f.column, f.rule) == (case.file, case.row, case.column, case.rule)
    ]
    assert hit, "\n".join(f.line() for f in errors)
    assert h.raw_state(warehouse) == before  # nothing written, earlier stands untouched
    assert (tmp_path / "rej" / f"{h.JC}_2016-02_{h.STAND_FEB_B}.csv").is_file()
    assert any(case.rule in line and line.startswith("  ERROR") for line in lines)
    # the asset check sees exactly the same errors
    same = validate_delivery(folder, warehouse=warehouse)
    assert {f for f in same if f.is_error} == set(errors)


def test_rejection_is_recorded_in_table_and_file(world: tuple[Path, Path], tmp_path: Path):
    raw, warehouse = world
    folder = h.write(raw, "2016-02", h.STAND_FEB_B)
    h.edit_cell(folder, ELB, 1, "elb_tage_730", "731")
    ingest(warehouse, raw, ["2016-02"], rejections_dir=tmp_path, log=lambda _: None)
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT stand, schwere, datei, zeile, spalte, wert, regel FROM raw.ablehnungen"
        ).fetchall()
    assert rows == [(str(h.STAND_FEB_B), "error", ELB, 1, "elb_tage_730", "731", "max")]
    text = (tmp_path / f"{h.JC}_2016-02_{h.STAND_FEB_B}.csv").read_text(encoding="utf-8")
    assert "elb_bestand.csv;1;elb_tage_730;731;max" in text


def test_many_failures_reported_in_one_run(world: tuple[Path, Path], tmp_path: Path):
    raw, warehouse = world
    folder = h.write(raw, "2016-02", h.STAND_FEB_B)
    for row in range(1, 6):
        h.edit_cell(folder, ELB, row, "geschlecht", "x")
    h.edit_cell(folder, LEI, 1, "llu_anspruch", "-1")
    lines: list[str] = []
    result = ingest(warehouse, raw, ["2016-02"], rejections_dir=tmp_path, log=lines.append)
    assert len(result.rejected[0].errors) == 6
    assert sum(line.startswith("  ERROR") for line in lines) == 6


def test_output_lines_are_capped(world: tuple[Path, Path], tmp_path: Path):
    raw, warehouse = world
    folder = h.write(raw, "2016-02", h.STAND_FEB_B)
    h.transform_csv(
        folder, KON, lambda hd, rows: (hd, [[c.lower() for c in r] for r in rows] * 8), recount=True
    )
    lines: list[str] = []
    result = ingest(warehouse, raw, ["2016-02"], rejections_dir=tmp_path, log=lines.append)
    errors = len(result.rejected[0].errors)
    assert errors > 20
    assert sum(line.startswith("  ERROR") for line in lines) == 20
    assert any(f"{errors - 20} more errors" in line for line in lines)


def test_junk_folders_are_reported_not_fatal(world: tuple[Path, Path], tmp_path: Path):
    raw, warehouse = world
    (raw / "jobcenter=05111" / "berichtsmonat=2016-3").mkdir()
    junk = raw / "jobcenter=05111" / "berichtsmonat=2016-02" / "stand=kaputt"
    junk.mkdir()
    (junk / "elb_bestand.csv").write_text("x", encoding="utf-8")
    (raw / "notiz.txt").write_text("x", encoding="utf-8")
    h.write(raw, "2016-02", h.STAND_FEB_B)
    result = ingest(warehouse, raw, rejections_dir=tmp_path, log=lambda _: None)
    assert [o.ref.stand for o in result.loaded] == [h.STAND_FEB_B]
    rules = {(p.severity, p.file) for p in result.problems}
    assert ("error", "jobcenter=05111/berichtsmonat=2016-02/stand=kaputt") in rules
    assert ("warning", "jobcenter=05111/berichtsmonat=2016-3") in rules
    assert ("warning", "notiz.txt") in rules
    assert not result.ok


def test_person_unknown_in_first_month_is_only_a_warning(tmp_path: Path):
    data = h.tables("2016-02")  # P6 is in no February stock and January is unknown
    folder = h.write(tmp_path / "raw", "2016-02", h.STAND_FEB_A, data=data)
    findings = validate_delivery(folder)
    assert not [f for f in findings if f.is_error], [f.line() for f in findings]
    assert {(f.file, f.row, f.rule) for f in findings} >= {
        ("erwerbsaufnahmen.csv", 1, "person_not_in_stock"),
        ("kontakte.csv", 4, "person_not_in_stock"),
        ("massnahme_austritte.csv", 1, "austritt_without_eintritt"),
    }


def test_previous_month_is_found_on_disk(tmp_path: Path):
    h.write(tmp_path / "raw", "2016-01", h.STAND_JAN)
    folder = h.write(tmp_path / "raw", "2016-02", h.STAND_FEB_A)
    h.edit_cell(folder, KON, 1, "person_id", "P99")
    findings = validate_delivery(folder)
    errors = [(f.file, f.row, f.rule) for f in findings if f.is_error]
    assert errors == [("kontakte.csv", 1, "person_not_in_stock")]


# --- format rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,56", 1234.56), ("1234,56", 1234.56), ("1234.56", 1234.56), ("1234", 1234.0),
     ("1.234.567", 1234567.0), ("12,5", 12.5), ("0,00", 0.0), ("1.234", None),
     ("1,234.56", None), ("1234.567", None), ("12.34.56", None), ("€ 5", None)],
)  # fmt: skip
def test_amount_rule(text: str, expected: float | None):
    typed, bad = parse_series(pd.Series([text], dtype=object), "amount")
    assert (None if pd.isna(typed[0]) else float(typed[0])) == expected
    assert bool(bad[0]) == (expected is None)


@pytest.mark.parametrize(
    ("kind", "text", "ok"),
    [("date", "29.02.2016", True), ("date", "2016-02-29", True), ("date", "30.02.2016", False),
     ("date", "1.2.2016", False), ("date", "20160229", False), ("month", "2016-02", True),
     ("month", "02.2016", True), ("month", "2016-13", False), ("month", "2.2016", False),
     ("flag", "J", True), ("flag", "nein", True), ("flag", "JA", True), ("flag", "0", True),
     ("flag", "y", False), ("int", "730", True), ("int", "7.3", False)],
)  # fmt: skip
def test_value_formats(kind: str, text: str, ok: bool):
    _, bad = parse_series(pd.Series([text], dtype=object), kind)
    assert bool(bad[0]) != ok


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("bom", "value", "encoding"),
    [(b"", "ä".encode(), "utf-8"), (BOM, "ä".encode(), "utf-8-sig"),
     (b"", "ä".encode("cp1252"), "cp1252"), (b"", b"\x9d", None), (BOM, b"\xe4", None),
     (b"", "ä".encode() + "ä".encode("cp1252"), None)],
)  # fmt: skip
def test_encoding_detection(tmp_path: Path, bom: bytes, value: bytes, encoding: str | None):
    path = tmp_path / "kontakte.csv"
    path.write_bytes(bom + b"person_id;datum;kontaktart\r\nP" + value + b";01.01.2016;PERS\r\n")
    raw = read_file(path, FILES_BY_NAME["kontakte"])
    assert raw.encoding == encoding
    if encoding:
        assert raw.strings.at[1, "person_id"] == "Pä"
    else:
        assert [(f.rule, f.row, f.column) for f in raw.findings] == [("encoding", 1, "person_id")]


def test_comma_separator_needs_header_proof(tmp_path: Path):
    path = tmp_path / "kontakte.csv"
    path.write_bytes(b"PERSON_ID,Datum,kontaktart\nP1,01.01.2016,PERS\n")
    raw = read_file(path, FILES_BY_NAME["kontakte"])
    assert raw.strings.to_dict("records") == [
        {"person_id": "P1", "datum": "01.01.2016", "kontaktart": "PERS"}
    ]


def test_manifest_json_error_names_line(tmp_path: Path):
    folder = h.write(tmp_path / "raw", "2016-01", h.STAND_JAN)
    (folder / MANIFEST_NAME).write_text('{"vertrag": 1,\n "dateien": }', encoding="utf-8")
    (finding,) = validate_delivery(folder)
    assert (finding.rule, finding.row) == ("manifest_json", 2)
    assert json  # imported for readers of the test: the manifest is plain JSON


# The first month of a Jobcenter's history has no predecessor anywhere; since the SQL path
# checks such months too, the cases whose rules touch windows, keys and the Förderfälle are
# run there as well (another Jobcenter, so nothing precedes the month). Not here:
# person_in_no_stock and austritt_other_person, whose Eintritt lies in the month before; in
# a first month both are warnings (not provable), in both paths.
FIRST_MONTH_CASES = (
    "duplicate_key",
    "unparsable_date",
    "date_after_window",
    "date_before_window",
    "missing_required_value",
    "geburtsmonat_too_young",
    "austritt_before_eintritt",
    "abschluss_bestanden_non_fbw",
)
NEW_JC = "05112"


@pytest.mark.parametrize("case", [c for c in CASES if c.id in FIRST_MONTH_CASES],
                         ids=lambda c: c.id)  # fmt: skip
def test_broken_first_month_is_rejected(case: Case, world: tuple[Path, Path], tmp_path: Path):
    raw, warehouse = world
    case.mutate(h.write(raw, "2016-02", h.STAND_FEB_B, jobcenter_id=NEW_JC))

    result = ingest(warehouse, raw, ["2016-02"], rejections_dir=tmp_path / "rej", log=print)

    (rejected,) = result.rejected
    assert rejected.ref.jobcenter_id == NEW_JC
    found = [(f.file, f.row, f.column, f.rule) for f in rejected.errors]
    assert (case.file, case.row, case.column, case.rule) in found, found


def test_first_month_loads_in_sql_with_unprovable_persons(world: tuple[Path, Path], tmp_path):
    """Without a previous month a person outside the stock cannot be proven wrong: loaded,
    with the warning, by the SQL path (the same delivery of a Jobcenter with history would be
    rejected: case person_in_no_stock)."""
    raw, warehouse = world
    h.edit_cell(h.write(raw, "2016-02", h.STAND_FEB_B, jobcenter_id=NEW_JC), KON, 1,
                "person_id", "P99")  # fmt: skip

    result = ingest(warehouse, raw, ["2016-02"], rejections_dir=tmp_path / "rej", log=print)

    (first,) = [o for o in result.loaded if o.ref.jobcenter_id == NEW_JC]
    assert first.checked_by == "sql"
    strays = [(w.file, w.row, w.value) for w in first.warnings if w.rule == "person_not_in_stock"]
    assert (KON, 1, "P99") in strays


def _parsed(name: str, rows: list[dict[str, str | None]]):
    """A contract file of `rows` (other columns empty), parsed as the detailed path parses."""
    spec = FILES_BY_NAME[name]
    strings = pd.DataFrame(rows, columns=list(spec.column_names), index=range(1, len(rows) + 1))
    return parse_file(RawFile(spec.csv_name, len(rows), strings.astype(object)), spec)


def test_rules_across_files_run_as_sql_over_the_detailed_paths_frames():
    """relations.py on registered pandas frames: this delivery's last Eintritt row of a
    Förderfall wins over an earlier month's, values are shown as written, strays are capped."""
    files = {
        "elb_bestand": _parsed("elb_bestand", [{"person_id": "P1", "bg_id": "B1"}]),
        "massnahme_eintritte": _parsed("massnahme_eintritte", [
            {"foerderfall_id": "F1", "person_id": "P1", "instrument": "MAT",
             "eintritt": "2016-02-20"},
            {"foerderfall_id": "F1", "person_id": "P1", "instrument": "FBW",
             "eintritt": "2016-02-10"}]),
        "massnahme_austritte": _parsed("massnahme_austritte", [
            {"foerderfall_id": "F1", "person_id": "P1", "austritt": "05.02.2016",
             "abschluss_bestanden": "ja"},
            {"foerderfall_id": "F2", "person_id": "P1", "austritt": "2016-02-12"}]),
        "kontakte": _parsed("kontakte", [{"person_id": f"X{i}"} for i in range(MAX_PER_RULE + 3)]),
    }  # fmt: skip
    earlier = {"F1": Eintritt("P2", "MAT", date(2016, 1, 3))}
    history = History(date(2016, 1, 31), frozenset({"P0"}), "warehouse", earlier)

    found = [(f.severity, f.file, f.row, f.column, f.value, f.rule) for f in
             validate.cross_checks(files, history)]  # fmt: skip

    assert ("error", AUS, 1, "austritt", "05.02.2016", "austritt_before_eintritt") in found
    assert not [
        f for f in found if f[5] in ("austritt_person_mismatch", "abschluss_bestanden_fbw_only")
    ]
    assert ("warning", AUS, 2, "foerderfall_id", "F2", "austritt_without_eintritt") in found
    strays = [f for f in found if f[1] == KON and f[5] == "person_not_in_stock"]
    assert len(strays) == MAX_PER_RULE + 1 and strays[-1][2] is None  # then "… and 3 more"
