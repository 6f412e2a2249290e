"""Hardening of the published marts (issue 14, points 7, 8 and 10).

- A Jobcenter without an agreement in the target catalogue: the refresh publishes every mart,
  `zielerreichung` has no rows for it and both reports say so (alone and beside 05111).
- The pandera mart checks run on what is published, as published (suppressed, in the staged
  file before the swap): a suppressed (NULL) Ist passes, a broken rule blocks publishing.
- The HTML report escapes every value from data, `report --out` fails cleanly, and publish
  binds its paths (a data folder with a `'`).

One tiny generated dataset (2 Jobcenters, scale 0.02, 2015-11 … 2016-02) is shared by the
module; its two refreshes (05315 alone, and 05111 + 05315) run side by side as
`zielmonitor refresh` subprocesses. Everything else uses hand-made DuckDB files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from orchestration.assets.published_checks import check_name
from tests.cli_helpers import cli_env, run_cli
from zielmonitor.config import PROJECT_DIR
from zielmonitor.publish.marts import marts_hash, publish
from zielmonitor.report.html import render_html
from zielmonitor.report.text import render_report

REFRESH_TIMEOUT_S = 900
OHNE = "05315"  # the generator's second Jobcenter: not in dbt_project/seeds/zielkatalog.csv
KEINE_VEREINBARUNG = "keine Zielvereinbarung im Zielkatalog"


# --- helpers --------------------------------------------------------------------------------


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data / "raw", data, *args)


def _tables(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names}


def _zielerreichung_per_jc(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        sql = "SELECT jobcenter_id, count(*) FROM zielerreichung GROUP BY 1"
        return dict(con.execute(sql).fetchall())


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data folders after a refresh of 05315 alone and of 05111 + 05315 (run in parallel)."""
    from orchestration.assets.published import PUBLISHED  # noqa: F401 - the manifest is ready
    from zielmonitor.generator import generate

    work = tmp_path_factory.mktemp("hardening")
    generate(work / "gen", jobcenters=2, seed=42, start="2015-11", end="2016-02", scale=0.02)
    assert (work / "gen" / f"jobcenter={OHNE}").is_dir()
    data = {"allein": work / "allein", "beide": work / "beide"}
    shutil.copytree(
        work / "gen" / f"jobcenter={OHNE}", data["allein"] / "raw" / f"jobcenter={OHNE}"
    )
    shutil.copytree(work / "gen", data["beide"] / "raw")
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "zielmonitor.cli", "refresh"],
            cwd=PROJECT_DIR,
            env=cli_env(folder / "raw", folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for name, folder in data.items()
    }
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=REFRESH_TIMEOUT_S)
        assert proc.returncode == 0, f"refresh {name} failed:\n{output[-4000:]}"
    return data


# --- point 7: a Jobcenter without an agreement ---------------------------------------------


def test_jobcenter_without_agreement_alone_publishes_every_mart(refreshed: dict) -> None:
    from orchestration.assets.published import PUBLISHED

    marts = refreshed["allein"] / "marts.duckdb"
    tables = _tables(marts)
    assert sorted(tables) == PUBLISHED  # every mart published, the empty one too
    assert tables["zielerreichung"] == 0
    assert tables["rahmenbedingungen_monat"] > 0
    assert f"Jobcenter {OHNE}: {KEINE_VEREINBARUNG}" in render_report(marts, None, None, None)
    assert KEINE_VEREINBARUNG in render_report(marts, OHNE, 2016, None)


def test_jobcenter_without_agreement_beside_05111(refreshed: dict) -> None:
    marts = refreshed["beide"] / "marts.duckdb"
    per_jc = _zielerreichung_per_jc(marts)
    assert set(per_jc) == {"05111"} and per_jc["05111"] > 0
    text = render_report(marts, None, None, None)
    assert "Zielerreichung Jobcenter 05111" in text
    assert f"Jobcenter {OHNE}: {KEINE_VEREINBARUNG}" in text
    assert f"Jobcenter 05111: {KEINE_VEREINBARUNG}" not in text


def test_html_report_names_jobcenter_without_agreement(refreshed: dict, tmp_path: Path) -> None:
    out = tmp_path / "bericht.html"
    done = _cli(refreshed["beide"], "report", "--format", "html", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    page = out.read_text(encoding="utf-8")
    assert f'data-jobcenter="{OHNE}"' in page and KEINE_VEREINBARUNG in page
    assert 'data-ziel="Z2.1"' in page  # 05111's report is still there
    alone = _cli(refreshed["allein"], "report")  # the terminal report through the CLI
    assert alone.returncode == 0 and KEINE_VEREINBARUNG in alone.stdout


# --- point 8: the checks see what is published ----------------------------------------------


def _materialize_publish(data: Path):  # noqa: ANN202 - dagster's ExecuteInProcessResult
    from orchestration.assets.published import marts_duckdb
    from orchestration.resources import WarehouseResource

    resource = WarehouseResource(raw_dir=str(data / "raw"), data_dir=str(data))
    with DagsterInstance.ephemeral() as instance:
        return materialize(
            [marts_duckdb], resources={"warehouse": resource}, instance=instance,
            raise_on_error=False,
        )  # fmt: skip


@pytest.fixture
def data_copy(refreshed: dict, tmp_path: Path) -> Iterator[Path]:
    """The 05111 + 05315 warehouse and marts, to publish again without touching the module's."""
    copy = tmp_path / "daten"
    copy.mkdir()
    for name in ("warehouse.duckdb", "marts.duckdb"):
        shutil.copyfile(refreshed["beide"] / name, copy / name)
    yield copy


def test_checks_pass_on_published_marts_with_suppressed_ist(data_copy: Path) -> None:
    result = _materialize_publish(data_copy)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert check_name("zielerreichung") in checks and all(e.passed for e in checks.values())
    assert {e.asset_key.to_user_string() for e in checks.values()} == {"published/marts_duckdb"}
    with duckdb.connect(str(data_copy / "marts.duckdb"), read_only=True) as con:
        suppressed = con.execute(
            "SELECT count(*) FROM zielerreichung WHERE ist IS NULL AND unterdrueckt"
        ).fetchone()[0]
    assert suppressed > 0  # the data hold suppressed Ist values, and they passed


def test_failed_check_blocks_publishing(data_copy: Path) -> None:
    marts = data_copy / "marts.duckdb"
    before = marts_hash(marts)
    with duckdb.connect(str(data_copy / "warehouse.duckdb")) as con:  # a key twice
        con.execute(
            "INSERT INTO marts.zielerreichung SELECT * FROM marts.zielerreichung "
            "WHERE ziel_id = 'Z2.1' LIMIT 1"
        )
    result = _materialize_publish(data_copy)
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == [check_name("zielerreichung")]
    assert "Z2.1" in failed[0].metadata["details"].value
    assert marts_hash(marts) == before  # marts.duckdb unchanged
    assert not list(data_copy.glob(".marts*"))  # no staged file left behind


def _warehouse_with_targets(path: Path, status: str = "auf_kurs", ist: float = 2.0) -> None:
    """marts.ziele + marts.zielerreichung by hand: one count target with a small Ist."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute(
            """CREATE TABLE marts.ziele AS SELECT '05111' AS jobcenter_id, 2016 AS jahr,
               'Z9.1' AS ziel_id, 'IX' AS abschnitt, 'Eintritte' AS bezeichnung,
               'FBW' AS kennzahl, 'FBW_EINTRITTE' AS figur, 'gesamt' AS gruppe,
               'jahressumme' AS art, 'hoeher_besser' AS richtung, 'personen' AS einheit,
               10.0::DOUBLE AS zielwert, NULL::DOUBLE AS richtwert, NULL::DOUBLE AS basiswert,
               NULL::VARCHAR AS basis_bezug, false AS nur_monitoring, 'Satz' AS quelle"""
        )
        con.execute(
            """CREATE TABLE marts.zielerreichung AS SELECT '05111' AS jobcenter_id,
               2016 AS jahr, 'Z9.1' AS ziel_id, 'Eintritte' AS bezeichnung,
               DATE '2016-03-01' AS berichtsmonat, ?::DOUBLE AS ist, 2.5::DOUBLE AS soll,
               10.0::DOUBLE AS zielwert, ?::DOUBLE - 2.5 AS abweichung,
               ?::DOUBLE / 2.5 * 100 AS zielerreichungsgrad, ?::DOUBLE * 4 AS hochrechnung,
               ? AS status, false AS vorlaeufig""",
            [ist, ist, ist, ist, status],
        )


def _publish_checked(folder: Path) -> None:
    from orchestration.assets.published import suppression_rules
    from zielmonitor.publish.checks import check_published

    tables = ["ziele", "zielerreichung"]
    rules = suppression_rules(tables)
    publish(
        folder / "warehouse.duckdb", folder / "marts.duckdb", tables, suppression=rules,
        validate=lambda staged: check_published(staged, rules),
    )  # fmt: skip


def test_publish_checks_staged_file_as_suppressed(tmp_path: Path) -> None:
    _warehouse_with_targets(tmp_path / "warehouse.duckdb", ist=2.0)  # 2 persons: suppressed
    _publish_checked(tmp_path)
    with duckdb.connect(str(tmp_path / "marts.duckdb"), read_only=True) as con:
        row = con.execute("SELECT ist, abweichung, unterdrueckt FROM zielerreichung").fetchone()
    assert row == (None, None, True)


def test_publish_blocked_leaves_marts_unchanged(tmp_path: Path) -> None:
    from zielmonitor.publish.marts import PublishBlocked

    _warehouse_with_targets(tmp_path / "warehouse.duckdb", ist=5.0)
    _publish_checked(tmp_path)
    before = marts_hash(tmp_path / "marts.duckdb")
    (tmp_path / "warehouse.duckdb").unlink()
    _warehouse_with_targets(tmp_path / "warehouse.duckdb", ist=6.0)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:  # a key twice
        con.execute("INSERT INTO marts.zielerreichung SELECT * FROM marts.zielerreichung")
    with pytest.raises(PublishBlocked) as blocked:
        _publish_checked(tmp_path)
    assert any("schluessel" in m for m in blocked.value.checks["zielerreichung"])
    assert marts_hash(tmp_path / "marts.duckdb") == before
    assert not list(tmp_path.glob(".marts*"))


def test_empty_published_marts_pass(tmp_path: Path) -> None:
    from orchestration.assets.published import suppression_rules
    from zielmonitor.publish.checks import check_published

    _warehouse_with_targets(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM marts.zielerreichung")
        con.execute("DELETE FROM marts.ziele")
    tables = ["ziele", "zielerreichung"]
    rules = suppression_rules(tables)
    publish(tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb", tables, suppression=rules)
    assert check_published(tmp_path / "marts.duckdb", rules) == {
        "ziele": [],
        "zielerreichung": [],
    }


# --- point 10: escaping, --out, quoted paths ------------------------------------------------

BOESE_ID = 'Z9<xss>"&1'
BOESE_STATUS = 'x" onclick="alert(1)'
BOESE_TEXT = 'Ziel <xtext>kursiv</xtext> & "zitiert"'


def _marts_by_hand(path: Path) -> None:
    """A published marts file with a catalogue row holding <, " and & in id, status, label."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            """CREATE TABLE ziele AS SELECT '05111' AS jobcenter_id, 2016 AS jahr,
               ? AS ziel_id, 'IX' AS abschnitt, ? AS bezeichnung, 'personen' AS einheit,
               'hoeher_besser' AS richtung, 'jahressumme' AS art, 10.0::DOUBLE AS zielwert,
               NULL::DOUBLE AS richtwert, NULL::DOUBLE AS basiswert,
               ? AS basis_bezug, ? AS quelle""",
            [BOESE_ID, BOESE_TEXT, BOESE_TEXT, BOESE_TEXT],
        )
        con.execute(
            """CREATE TABLE zielerreichung AS SELECT '05111' AS jobcenter_id, 2016 AS jahr,
               ? AS ziel_id, ? AS bezeichnung, make_date(2016, m, 1) AS berichtsmonat,
               m::DOUBLE AS ist, m * 0.8::DOUBLE AS soll, 10.0::DOUBLE AS zielwert,
               m * 0.2::DOUBLE AS abweichung, 125.0::DOUBLE AS zielerreichungsgrad,
               12.0::DOUBLE AS hochrechnung, ? AS status,
               false AS vorlaeufig, false AS unterdrueckt
               FROM range(1, 4) AS t(m)""",
            [BOESE_ID, BOESE_TEXT, BOESE_STATUS],
        )


class _Elemente(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_report_escapes_every_value(tmp_path: Path) -> None:
    _marts_by_hand(tmp_path / "marts.duckdb")
    page = render_html(tmp_path / "marts.duckdb", None, None, None)
    parser = _Elemente()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"xss", "xtext"}  # no markup from the data
    assert not any("onclick" in attrs for _, attrs in parser.tags)
    hrefs = [a.get("href") for tag, a in parser.tags if tag == "a"]
    assert f"#ziel-05111-{BOESE_ID}" in hrefs  # the value survives, as text
    ids = [a.get("id") for _, a in parser.tags if a.get("id", "").startswith("ziel-")]
    assert ids == [f"ziel-05111-{BOESE_ID}"]
    klassen = [a.get("class") or "" for tag, a in parser.tags if tag == "td"]
    assert f"c s-{BOESE_STATUS}" in klassen


def test_report_out_onto_directory_or_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    _marts_by_hand(tmp_path / "marts.duckdb")
    (tmp_path / "ordner").mkdir()
    for out, why in ((tmp_path / "ordner", "is a directory"),
                     (tmp_path / "fehlt" / "bericht.html", "does not exist")):  # fmt: skip
        done = _cli(tmp_path, "report", "--format", "html", "--out", str(out))
        assert done.returncode != 0
        assert done.stdout == ""
        assert done.stderr.strip().count("\n") == 0, done.stderr  # one line
        assert f"--out {out}: " in done.stderr and why in done.stderr
    assert not (tmp_path / "fehlt").exists()  # a missing folder is not created
    assert not (tmp_path / "logs").exists()  # a usage error, no crash traceback


def test_publish_into_folder_with_quote(tmp_path: Path) -> None:
    folder = tmp_path / "Jobcenter's Daten"
    folder.mkdir()
    with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.figures AS SELECT 'K2' AS k, 20 AS wert")
    result = publish(
        folder / "warehouse.duckdb", folder / "marts.duckdb", ["figures"],
        parquet_link=folder / "marts_parquet",
    )  # fmt: skip
    assert result.rows == {"figures": 1}
    with duckdb.connect(str(folder / "marts.duckdb"), read_only=True) as con:
        assert con.execute("SELECT wert FROM figures").fetchone() == (20,)
    parquet = folder / "marts_parquet" / "figures.parquet"
    with duckdb.connect() as con:
        sql = "SELECT wert FROM read_parquet(?)"
        assert con.execute(sql, [str(parquet)]).fetchone() == (20,)


def test_report_data_before_first_catalogue_year(tmp_path: Path) -> None:
    """05111 has an agreement for 2016 only, but its data end in 2015: no Zielerreichung."""
    marts = tmp_path / "marts.duckdb"
    _marts_by_hand(marts)
    with duckdb.connect(str(marts)) as con:
        con.execute("DELETE FROM zielerreichung")
        con.execute(
            "CREATE TABLE lieferstand AS SELECT '05111' AS jobcenter_id, "
            "DATE '2015-12-01' AS berichtsmonat, false AS vorlaeufig"
        )
    erwartet = f"Jobcenter 05111: {KEINE_VEREINBARUNG} für die Jahre mit Daten (Zielkatalog: 2016)"
    assert erwartet in render_report(marts, None, None, None)
    assert erwartet in render_html(marts, "05111", None, None)
