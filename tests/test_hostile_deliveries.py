"""Issue 14: nothing a delivery can do wedges the warehouse. Hostile or broken input (deep or
huge manifests, overlong lines and fields, pathological line ends, impossible stands, links
out of the raw folder, FIFOs, and any unexpected exception while checking) rejects that one
delivery with a named finding; the other deliveries of the run go on."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import ingest_helpers as h
import pandas as pd
import pytest

from zielmonitor.contract import MANIFEST_NAME
from zielmonitor.ingest import IngestResult, ingest
from zielmonitor.ingest.manifest import read_manifest

ELB, KON = "elb_bestand.csv", "kontakte.csv"
OTHER_JC = "05112"  # a bystander in the same month (and SQL batch) as the hostile delivery
FAR_FUTURE = date(2099, 12, 31)
CAP = 100  # findings listed per (file, rule); the rest are counted in one more finding


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return h.build_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def world(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """raw/ and warehouse with January and February (stand A) of 05111 loaded, plus a clean
    February delivery of another Jobcenter waiting next to the hostile one."""
    raw, warehouse = h.copy_world(template, tmp_path / "world")
    h.write(raw, "2016-02", h.STAND_FEB_B, jobcenter_id=OTHER_JC)
    return raw, warehouse


def _ingest(world: tuple[Path, Path], vectorised: bool = True) -> tuple[IngestResult, list[str]]:
    raw, warehouse = world
    lines: list[str] = []
    result = ingest(
        warehouse,
        raw,
        ["2016-02"],
        rejections_dir=warehouse.parent / "rej",
        log=lines.append,
        vectorised=vectorised,
    )
    return result, lines


def _assert_rejected(
    world: tuple[Path, Path],
    result: IngestResult,
    lines: list[str],
    rule: str,
    file: str | None,
    row: int | None = None,
) -> None:
    """Only the hostile delivery (05111, stand B) is rejected, with `rule` naming `file`; the
    bystander loads; the terminal got one line per message; the rejection is recorded."""
    assert [(o.ref.jobcenter_id, o.ref.stand) for o in result.rejected] == [
        (h.JC, h.STAND_FEB_B)
    ], result.summary()
    assert [o.ref.jobcenter_id for o in result.loaded] == [OTHER_JC]
    errors = result.rejected[0].errors
    hits = [f for f in errors if f.rule == rule and f.file == file]
    assert hits, "\n".join(f.line() for f in errors)
    if row is not None:
        assert any(f.row == row for f in hits), [f.line() for f in hits]
    assert all("\n" not in line and "Traceback" not in line for line in lines)
    assert any(line.startswith("  ERROR") and f"[{rule}]" in line for line in lines)
    assert result.rejected[0].rejection_file.is_file()
    with duckdb.connect(str(world[1]), read_only=True) as con:
        stored = con.execute("SELECT DISTINCT regel FROM raw.ablehnungen").fetchall()
    assert (rule,) in stored


def _hostile(raw: Path, stand: date = h.STAND_FEB_B) -> Path:
    return h.write(raw, "2016-02", stand)


# --- 1. crashes become rejections, limits checked before parsing ---------------------------


def _valid_manifest_padded(folder: Path) -> bytes:
    return (folder / MANIFEST_NAME).read_bytes() + b" " * (2 * 2**20)


MANIFESTS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "nested_100000_deep": (lambda _: b"[" * 100_000 + b"]" * 100_000, "manifest_too_deep"),
    "nested_in_a_field": (
        lambda _: b'{"vertrag": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "manifest_too_deep",
    ),
    "number_of_5000_digits": (lambda _: b'{"vertrag": ' + b"7" * 5000 + b"}", "manifest_json"),
    "larger_than_1_mib": (_valid_manifest_padded, "manifest_too_large"),
    "binary": (lambda _: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "manifest_json"),
    "json_list": (lambda _: b"[1, 2, 3]", "manifest_json"),
    "empty": (lambda _: b"", "manifest_json"),
}


@pytest.mark.parametrize("case", list(MANIFESTS), ids=list(MANIFESTS))
def test_hostile_manifest_is_rejected(case: str, world: tuple[Path, Path]):
    make, rule = MANIFESTS[case]
    folder = _hostile(world[0])
    (folder / MANIFEST_NAME).write_bytes(make(folder))
    result, lines = _ingest(world)
    _assert_rejected(world, result, lines, rule, MANIFEST_NAME)


def _long_team(length: int) -> Callable[[list[str], list[list[str]]], tuple]:
    """Row 2's `team` (free text, no check) made `length` characters long."""

    def fn(header: list[str], rows: list[list[str]]):
        rows[1][header.index("team")] = "x" * length
        return header, rows

    return fn


def _and_a_short_row(fn: Callable) -> Callable:
    """`fn`, then row 4 truncated: an irregular file, read by Python's csv module."""

    def both(header: list[str], rows: list[list[str]]):
        header, rows = fn(header, rows)
        rows[3] = rows[3][:3]
        return header, rows

    return both


def _one_line_of_10_mb(folder: Path) -> None:
    (folder / KON).write_bytes(b"person_id;datum;" + b"x" * 10 * 2**20)
    h.rehash(folder)


def _quoted_field_over_many_lines(folder: Path) -> None:
    """Row 1's person_id a quoted value of 150 KiB spread over short lines."""
    header, rows = h.read_csv(folder, KON)
    rows[0][0] = '"' + ("y" * 99 + "\n") * 1500 + '"'
    h.write_csv(folder, KON, header, rows)
    h.rehash(folder)


CSVS: dict[str, tuple[Callable[[Path], None], str, str, int | None]] = {
    "line_of_200_kib_in_a_regular_file": (
        lambda f: h.transform_csv(f, ELB, _long_team(200 * 2**10)),
        ELB,
        "line_too_long",
        2,
    ),
    "field_of_200_kib_in_an_irregular_file": (
        lambda f: h.transform_csv(f, ELB, _and_a_short_row(_long_team(200 * 2**10))),
        ELB,
        "line_too_long",
        2,
    ),
    "whole_file_one_line_of_10_mb": (_one_line_of_10_mb, KON, "line_too_long", None),
    "quoted_field_of_150_kib_over_short_lines": (
        _quoted_field_over_many_lines,
        KON,
        "field_too_long",
        1,
    ),
}


@pytest.mark.parametrize("vectorised", [True, False], ids=["sql", "detailed"])
@pytest.mark.parametrize("case", list(CSVS), ids=list(CSVS))
def test_overlong_lines_and_fields_are_rejected_in_both_paths(
    case: str, vectorised: bool, world: tuple[Path, Path]
):
    mutate, file, rule, row = CSVS[case]
    mutate(_hostile(world[0]))
    result, lines = _ingest(world, vectorised)
    _assert_rejected(world, result, lines, rule, file, row)


def _boom(*_args, **_kwargs):
    raise RuntimeError("boom\nwith a second line")


def test_unexpected_error_in_a_check_rejects_only_that_delivery(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    from zielmonitor.ingest import validate

    real = validate.cross_checks

    def fails_for_05111(files, history):
        if history.prev_source != "unknown":  # 05111 has a January; the bystander has none
            _boom()
        return real(files, history)

    monkeypatch.setattr(validate, "cross_checks", fails_for_05111)
    _hostile(world[0])
    with caplog.at_level(logging.ERROR):
        result, lines = _ingest(world, vectorised=False)
    _assert_rejected(world, result, lines, "internal_error", None)
    assert "RuntimeError: boom" in result.rejected[0].errors[0].message
    assert "Traceback" in caplog.text and "boom" in caplog.text  # the log keeps the detail


@pytest.mark.parametrize("where", ["check_batch", "prepare"])
def test_unexpected_error_in_the_sql_path_falls_back_to_the_detailed_path(
    where: str, world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
):
    from zielmonitor.ingest import load

    monkeypatch.setattr(load, where, _boom)
    _hostile(world[0])
    result, _ = _ingest(world)
    assert result.ok, result.summary()
    assert len(result.loaded) == 2
    assert {o.checked_by for o in result.loaded} == {"detailed"}
    assert h.rows_of(world[1], "kontakte", h.STAND_FEB_B)  # written and committed


# --- 2. a pathological file is rejected in seconds, findings capped -------------------------


def _big_stock(rows: int) -> dict[str, pd.DataFrame]:
    data = h.tables("2016-02")
    template = data["elb_bestand"].iloc[[0]]
    stock = pd.concat([data["elb_bestand"]] + [template] * rows, ignore_index=True)
    stock.loc[len(data["elb_bestand"]) :, "person_id"] = [f"Q{i}" for i in range(rows)]
    data["elb_bestand"] = stock
    return data


def _cr_cr_lf(folder: Path) -> None:
    path = folder / ELB
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r\r\n"))
    h.rehash(folder)


def _every_geschlecht_wrong(folder: Path) -> None:
    h.transform_csv(folder, ELB, lambda hd, rows: (hd, [[*r[:3], "x", *r[4:]] for r in rows]))


BROKEN_EVERYWHERE = {  # every row of a 5,005-row stock broken alike: (mutation, rule)
    "cr_cr_lf_line_ends": (_cr_cr_lf, "blank_line"),  # the csv fallback's row loop
    "every_code_wrong": (_every_geschlecht_wrong, "code_list"),  # pandera's failure cases
}


@pytest.mark.parametrize("case", list(BROKEN_EVERYWHERE), ids=list(BROKEN_EVERYWHERE))
def test_file_broken_on_every_row_is_rejected_fast_with_capped_findings(
    case: str, world: tuple[Path, Path]
):
    mutate, rule = BROKEN_EVERYWHERE[case]
    mutate(h.write(world[0], "2016-02", h.STAND_FEB_B, data=_big_stock(5000)))
    started = time.perf_counter()
    result, lines = _ingest(world, vectorised=False)
    elapsed = time.perf_counter() - started
    _assert_rejected(world, result, lines, rule, ELB)
    findings = result.rejected[0].findings
    per_rule = Counter((f.file, f.rule) for f in findings)
    assert max(per_rule.values()) <= CAP + 1, per_rule.most_common(3)
    summary = [f for f in findings if f.rule == rule and f.row is None]
    assert len(summary) == 1 and "more" in summary[0].message, summary
    assert f"… and {5005 - CAP:,} more" in summary[0].message or rule == "blank_line"
    assert len(findings) < 2000
    assert elapsed < 30


# --- 3. impossible stands ------------------------------------------------------------------


@pytest.mark.parametrize("vectorised", [True, False], ids=["sql", "detailed"])
def test_stand_in_the_future_is_rejected(vectorised: bool, world: tuple[Path, Path]):
    _hostile(world[0], stand=FAR_FUTURE)
    result, _ = _ingest(world, vectorised)
    assert [o.ref.stand for o in result.rejected] == [FAR_FUTURE]
    assert any(f.rule == "stand_in_future" for f in result.rejected[0].errors)
    assert h.rows_of(world[1], "elb_bestand", FAR_FUTURE) == []


def test_future_tolerance_is_one_day(world: tuple[Path, Path]):
    """The refresh day is a parameter here, so the test does not depend on today."""
    folder = _hostile(world[0])
    tomorrow, too_late = h.STAND_FEB_B - timedelta(days=1), h.STAND_FEB_B - timedelta(days=2)
    assert read_manifest(folder, today=tomorrow)[0] is not None
    manifest, findings = read_manifest(folder, today=too_late)
    assert manifest is None
    assert [f.rule for f in findings] == ["stand_in_future"]


# --- 4. links out of the raw folder, FIFOs ----------------------------------------------------


def _link_outside(folder: Path, name: str, outside: Path) -> None:
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / name
    (folder / name).rename(target)  # same bytes: only the link is wrong
    (folder / name).symlink_to(target)


@pytest.mark.parametrize("vectorised", [True, False], ids=["sql", "detailed"])
@pytest.mark.parametrize("name", [KON, MANIFEST_NAME])
def test_file_linked_out_of_the_raw_folder_is_refused(
    name: str, vectorised: bool, world: tuple[Path, Path], tmp_path: Path
):
    _link_outside(_hostile(world[0]), name, tmp_path / "outside")
    result, lines = _ingest(world, vectorised)
    _assert_rejected(world, result, lines, "outside_raw_dir", name)


def test_stand_folder_linked_out_of_the_raw_folder_is_a_folder_error(
    world: tuple[Path, Path], tmp_path: Path
):
    elsewhere = _hostile(tmp_path / "elsewhere")
    link = world[0] / elsewhere.relative_to(tmp_path / "elsewhere")
    link.symlink_to(elsewhere, target_is_directory=True)
    result, _ = _ingest(world)
    assert [o.ref.jobcenter_id for o in result.loaded] == [OTHER_JC]
    assert not result.rejected
    rel = link.relative_to(world[0]).as_posix()
    assert [(p.severity, p.rule, p.file) for p in result.problems] == [
        ("error", "outside_raw_dir", rel)
    ]


def test_jobcenter_folder_linked_out_of_the_raw_folder_is_not_descended(
    world: tuple[Path, Path], tmp_path: Path
):
    """Only links are resolved while the raw tree is walked: the folders under a link are
    plain folders, so the link itself must be caught at its own level."""
    jc_folder = _hostile(tmp_path / "elsewhere").parents[1]
    jc_folder = jc_folder.rename(jc_folder.with_name("jobcenter=09998"))  # not in the world
    link = world[0] / jc_folder.name
    link.symlink_to(jc_folder, target_is_directory=True)
    result, _ = _ingest(world)
    assert [o.ref.jobcenter_id for o in result.loaded] == [OTHER_JC]
    assert [(p.severity, p.rule, p.file) for p in result.problems] == [
        ("error", "outside_raw_dir", jc_folder.name)
    ]


@pytest.mark.parametrize("vectorised", [True, False], ids=["sql", "detailed"])
@pytest.mark.parametrize("name", [KON, MANIFEST_NAME])
def test_file_that_is_a_loop_of_links_is_refused(
    name: str, vectorised: bool, world: tuple[Path, Path]
):
    folder = _hostile(world[0])
    (folder / name).unlink()
    (folder / name).symlink_to(name)  # resolves to itself: Path.resolve() raised before
    result, lines = _ingest(world, vectorised)
    _assert_rejected(world, result, lines, "outside_raw_dir", name)


@pytest.mark.parametrize("level", ["raw folder", "stand folder"])
def test_folder_that_is_a_loop_of_links_is_a_folder_error(level: str, world: tuple[Path, Path]):
    """A loop is reported like a link out of the raw folder; the walk goes on."""
    raw = world[0]
    stand = _hostile(raw).parent / "stand=2016-03-20"
    link = raw / "loop" if level == "raw folder" else stand
    link.symlink_to(link.name, target_is_directory=True)
    result, _ = _ingest(world)
    assert OTHER_JC in [o.ref.jobcenter_id for o in result.loaded]
    rel = link.relative_to(raw).as_posix()
    assert ("error", "outside_raw_dir", rel) in [
        (p.severity, p.rule, p.file) for p in result.problems
    ]


def test_link_inside_the_raw_folder_is_followed(world: tuple[Path, Path]):
    folder = _hostile(world[0])
    _link_outside(folder, KON, world[0] / ".shared")  # hidden: not a delivery folder
    result, _ = _ingest(world)
    assert result.ok and len(result.loaded) == 2, result.summary()


@pytest.mark.parametrize("vectorised", [True, False], ids=["sql", "detailed"])
@pytest.mark.parametrize("name", [KON, MANIFEST_NAME])
def test_fifo_in_a_delivery_never_blocks(name: str, vectorised: bool, world: tuple[Path, Path]):
    folder = _hostile(world[0])
    (folder / name).unlink()
    os.mkfifo(folder / name)
    blocked: list[bool] = []

    def unblock() -> None:  # a reader blocked on the FIFO gets end-of-file and goes on
        try:
            os.close(os.open(folder / name, os.O_WRONLY | os.O_NONBLOCK))
            blocked.append(True)
        except OSError:
            pass  # nobody is reading it

    timer = threading.Timer(20, unblock)
    timer.start()
    try:
        result, _ = _ingest(world, vectorised)
    finally:
        timer.cancel()
    assert not blocked
    assert [o.ref.jobcenter_id for o in result.rejected] == [h.JC]
    rules = {(f.rule, f.file) for f in result.rejected[0].errors}
    assert ("not_a_regular_file", name) in rules, rules


# --- digits that are not ASCII ---------------------------------------------------------------


@pytest.mark.parametrize("vectorised", [True, False], ids=["sql", "detailed"])
def test_non_ascii_digits_in_a_cell_are_rejected(vectorised: bool, world: tuple[Path, Path]):
    """Python's `\\d`, int() and float() accept Arabic-Indic digits; the contract means 0-9."""
    folder = _hostile(world[0])
    h.edit_cell(folder, ELB, 1, "elb_tage_730", "\u0667\u0663\u0660")  # 730 in Arabic-Indic
    result, lines = _ingest(world, vectorised)
    assert [(o.ref.jobcenter_id, o.ref.stand) for o in result.rejected] == [
        (h.JC, h.STAND_FEB_B)
    ], result.summary()
    bad = [f for f in result.rejected[0].errors if f.file == ELB and f.column == "elb_tage_730"]
    assert [f.row for f in bad] == [1], [f.line() for f in result.rejected[0].errors]


def test_non_ascii_digits_in_a_folder_name_are_a_folder_error(world: tuple[Path, Path]):
    folder = _hostile(world[0])
    arabic = folder.parents[1].with_name("jobcenter=\u0660\u0665\u0661\u0661\u0661")
    folder.parents[1].rename(arabic)
    result, _ = _ingest(world)
    assert not result.rejected and [o.ref.jobcenter_id for o in result.loaded] == [OTHER_JC]
    assert [(p.severity, p.rule) for p in result.problems] == [("error", "folder_name")]


def test_control_characters_in_a_folder_name_stay_on_one_escaped_line(world: tuple[Path, Path]):
    """A newline would split the terminal line, an escape sequence would act on the terminal:
    both are printed escaped, and the folder is still named."""
    folder = _hostile(world[0])
    folder.rename(folder.with_name(folder.name + "\nevil\x1b[2J"))
    result, lines = _ingest(world)
    assert [o.ref.jobcenter_id for o in result.loaded] == [OTHER_JC]
    assert [(p.severity, p.rule) for p in result.problems] == [("error", "folder_name")]
    shown = [line for line in lines if line.startswith("RAW FOLDER")]
    assert len(shown) == 1 and "\n" not in shown[0] and "\x1b" not in shown[0]
    assert f"{folder.name}\\nevil\\x1b[2J" in shown[0]
