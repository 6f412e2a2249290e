"""The warehouse mirrors the raw folder, a wrong delivery can be withdrawn, and misnamed
folders fail the refresh (issue 14, points 3 and 6).

One tiny generated history (2016-01 … 2016-04, one Jobcenter) is refreshed once; every test
starts from and returns to that state. "Equal figures" means the same hash of every
published table's sorted rows (`marts_hash`), compared with a refresh from scratch of the
same folders.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.cli_helpers import assert_clean_failure, output, run_cli
from tests.ingest_helpers import manifest, rehash, save_manifest
from zielmonitor.publish.marts import marts_hash

MONTH = "2016-03"


@dataclass
class World:
    root: Path
    raw: Path
    data: Path
    hash: str  # published figures of every generated delivery

    def refresh(self) -> str:
        done = run_cli(self.raw, self.data, "refresh")
        assert done.returncode == 0, output(done)[-4000:]
        return output(done)

    def published(self) -> str:
        return marts_hash(self.data / "marts.duckdb")

    def from_scratch(self, name: str) -> str:
        """The figures of a refresh into an empty data folder from the same raw folder."""
        data = self.root / name
        done = run_cli(self.raw, data, "refresh")
        assert done.returncode == 0, output(done)[-4000:]
        return marts_hash(data / "marts.duckdb")

    def stands(self, month: str = MONTH) -> list[Path]:
        return sorted((self.raw / "jobcenter=05111" / f"berichtsmonat={month}").glob("stand=*"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from zielmonitor.generator import generate

    root = tmp_path_factory.mktemp("mirror")
    generate(root / "raw", jobcenters=1, seed=42, start="2016-01", end="2016-04", scale=0.02)
    world = World(root, root / "raw", root / "data", "")
    assert len(world.stands()) > 1  # the month has a revision to take back
    world.refresh()
    world.hash = world.published()
    return world


@pytest.fixture
def restored(world: World) -> Iterator[World]:
    """The test may change the raw folder; afterwards the raw folder is as generated and the
    warehouse refreshed to it again (which also tests that a refresh recovers)."""
    before = sorted(p.relative_to(world.raw) for p in world.raw.rglob("*"))
    yield world
    after = sorted(p.relative_to(world.raw) for p in world.raw.rglob("*"))
    assert before == after, "the test must put the raw folder back"
    world.refresh()
    assert world.published() == world.hash


def wrong_revision(world: World) -> Path:
    """A later stand of MONTH that passes the contract but is wrong: every person flagged as
    a single parent."""
    latest = world.stands()[-1]
    stand = (date.fromisoformat(latest.name.removeprefix("stand=")) + timedelta(days=1)).isoformat()
    wrong = latest.with_name(f"stand={stand}")
    shutil.copytree(latest, wrong)
    doc = manifest(wrong)
    doc["stand"] = stand
    save_manifest(wrong, doc)

    _set_column(wrong / "elb_bestand.csv", "alleinerziehend", "J")
    rehash(wrong)
    return wrong


def _set_column(path: Path, column: str, value: str) -> None:
    """Set every cell of `column`, keeping the file's encoding, separator and line ends
    (the generator writes several styles; Latin-1 round-trips any byte)."""
    text = path.read_bytes().decode("latin-1")
    sep = ";" if ";" in text.split("\n", 1)[0] else ","
    end = "\r\n" if "\r\n" in text else "\n"
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    index = [h.strip().lower() for h in header].index(column)
    for row in rows:
        row[index] = value
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=end).writerows([header, *rows])
    path.write_bytes(out.getvalue().encode("latin-1"))


def test_misnamed_folders_fail_the_refresh_and_publish_nothing(restored: World) -> None:
    world = restored
    latest = world.stands()[-1]
    copies = [
        latest.with_name(f"{latest.name} - Kopie"),
        latest.with_name(f"{latest.name}.."),
        world.raw / 'jobcenter="05111"',
        world.raw / "jobcenter=05111" / "berichtsmonat=2004-03",  # before SGB II
    ]
    for copy in copies:
        shutil.copytree(latest, copy)
    try:
        text = assert_clean_failure(run_cli(world.raw, world.data, "refresh"))
    finally:
        for copy in copies:
            shutil.rmtree(copy)
    for copy in copies:
        assert copy.name in text
    assert "RAW FOLDER" in text
    assert world.published() == world.hash


def test_a_removed_stand_is_removed_from_the_warehouse(restored: World) -> None:
    world = restored
    latest = world.stands()[-1]
    aside = world.root / "aside"
    shutil.move(latest, aside)
    try:
        text = world.refresh()
        removed = world.published()
        assert f"removed jobcenter=05111 berichtsmonat={MONTH} {latest.name}" in text
        assert removed != world.hash  # the revision changed figures; the older stand is back
        assert removed == world.from_scratch("data_without_revision")
    finally:
        shutil.move(aside, latest)


def test_a_delivery_that_breaks_the_build_is_taken_back_by_deleting_it(restored: World) -> None:
    """The issue's example: a month shifted by years passes the contract, loads, and breaks
    `unique_key_fct_massnahmen` (the same Förderfälle in two months). Nothing is published;
    once its folder is deleted the next refresh (the fixture's) has the original figures."""
    latest = restored.stands()[-1]
    shifted = _shifted(latest, years=-8)  # a multiple of 4: no 29 February is lost
    try:
        text = assert_clean_failure(run_cli(restored.raw, restored.data, "refresh"))
        assert f"loaded jobcenter=05111 berichtsmonat=2008-03 {shifted.name}:" in text
        assert "unique_key_fct_massnahmen" in text
        assert restored.published() == restored.hash
    finally:
        shutil.rmtree(shifted.parent)


def _shifted(delivery: Path, years: int) -> Path:
    """A copy of `delivery` with every year 1900-2019 in its files and manifest moved."""

    def shift(text: str) -> str:
        return re.sub(r"(?<!\d)(19\d\d|20[01]\d)(?!\d)", lambda m: str(int(m[1]) + years), text)

    month = delivery.parent.name.removeprefix("berichtsmonat=")
    target = delivery.parents[1] / f"berichtsmonat={shift(month)}" / shift(delivery.name)
    shutil.copytree(delivery, target)
    for path in target.glob("*.csv"):
        path.write_bytes(shift(path.read_bytes().decode("latin-1")).encode("latin-1"))
    doc = manifest(target)
    for key in ("berichtsmonat", "stichtag", "stand"):
        doc[key] = shift(doc[key])
    save_manifest(target, doc)
    rehash(target)
    return target


def test_withdraw_restores_the_earlier_figures_and_never_loads_it_again(
    restored: World,
) -> None:
    world = restored
    wrong = wrong_revision(world)
    world.refresh()
    assert world.published() != world.hash  # the wrong delivery changed the figures
    stand = wrong.name.removeprefix("stand=")

    done = run_cli(world.raw, world.data, "withdraw", "--jobcenter", "05111", "--monat", MONTH,
                   "--stand", stand, "--grund", "alle als alleinerziehend geliefert")  # fmt: skip
    assert done.returncode == 0, output(done)[-4000:]
    assert not wrong.exists()
    assert world.published() == world.hash  # the earlier figures, to the bit
    quarantined = world.data / "quarantine" / wrong.relative_to(world.raw)
    assert (quarantined / "elb_bestand.csv").is_file()
    assert (world.data / "quarantine").stat().st_mode & 0o777 == 0o700
    with duckdb.connect(str(world.data / "warehouse.duckdb"), read_only=True) as con:
        wer, grund = con.execute("SELECT wer, grund FROM raw.rueckzuege").fetchone()
        sql = "SELECT grund FROM raw.entfernungen WHERE stand = ?"
        gone = con.execute(sql, [date.fromisoformat(stand)]).fetchall()
    assert wer and grund == "alle als alleinerziehend geliefert" and gone == [("withdrawn",)]

    shutil.copytree(quarantined, wrong)  # copied back by someone: rejected, sensor ignores it
    try:
        text = assert_clean_failure(run_cli(world.raw, world.data, "refresh"))
        assert f"REJECTED jobcenter=05111 berichtsmonat={MONTH} stand={stand}" in text
        assert "[withdrawn]" in text and "alle als alleinerziehend geliefert" in text
        assert world.published() == world.hash
        assert stand not in _sensor_sees(world)
    finally:
        shutil.rmtree(wrong)


def test_withdraw_of_a_missing_delivery_changes_nothing(world: World) -> None:
    done = run_cli(world.raw, world.data, "withdraw", "--jobcenter", "05111", "--monat",
                   MONTH, "--stand", "2016-12-31", "--grund", "x")  # fmt: skip
    text = assert_clean_failure(done)
    assert "no delivery folder jobcenter=05111/berichtsmonat=2016-03/stand=2016-12-31" in text
    assert world.published() == world.hash


def _sensor_sees(world: World) -> set[str]:
    from orchestration.automation import scan_deliveries

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZIELMONITOR_RAW_DIR", str(world.raw))
        mp.setenv("ZIELMONITOR_DATA_DIR", str(world.data))
        return {d.ref.stand.isoformat() for d in scan_deliveries()}
