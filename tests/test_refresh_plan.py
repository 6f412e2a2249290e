"""A refresh costs what changed (zielmonitor/build_state.py), and never changes a figure: after
every kind of incremental refresh (a new month, a revised stand of an old month, a removed
delivery) the published marts equal a full rebuild (`refresh --full`) from the same folders,
hash of every table's sorted rows. A refresh with nothing new does nothing, without Dagster.
Withdrawn deliveries: tests/test_mirror_withdraw.py; as-of refreshes: test_operations.py."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.ingest_helpers import manifest, rehash, save_manifest, transform_csv
from tests.test_operations import delivery_dirs, refresh
from zielmonitor.build_state import (
    code_only_nodes,
    plan_build,
    record_publish,
    unchanged_by_deliveries,
    views_kept,
)
from zielmonitor.publish.marts import marts_hash

NEW_MONTH = "2016-03"
REVISED_MONTH = "2015-09"  # six months before the new one
REVISED_STAND = "2016-05-02"  # later than every generated stand


@dataclass
class World:
    raw: Path
    data: Path
    full: Path  # every generated delivery


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from zielmonitor.generator import generate

    root = tmp_path_factory.mktemp("refresh_plan")
    full = root / "full"
    generate(full, jobcenters=1, seed=7, start="2015-01", end=NEW_MONTH, scale=0.02)
    raw = root / "raw"
    shutil.copytree(full, raw, ignore=lambda _, names: [f"berichtsmonat={NEW_MONTH}"])
    return World(raw, root / "data", full)


def _rebuild_equals(world: World, incremental_hash: str) -> None:
    output = refresh(world.raw, world.data, "--full")
    assert "full rebuild requested" in output
    ran = next(line for line in output.splitlines() if "Finished running" in line)
    assert "seeds" in ran and "unit tests" in ran
    assert marts_hash(world.data / "marts.duckdb") == incremental_hash


def _revise(folder: Path, target: Path) -> None:
    """A revised stand of `folder`'s month: one Erwerbsaufnahme fewer, higher benefits."""
    shutil.copytree(folder, target)
    doc = manifest(target)
    doc["stand"] = target.name.removeprefix("stand=")
    save_manifest(target, doc)
    transform_csv(target, "erwerbsaufnahmen.csv", lambda h, rows: (h, rows[1:]), recount=True)

    def higher(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        col = header.index("llu_anspruch")
        for row in rows[:50]:
            row[col] = "999,00"
        return header, rows

    transform_csv(target, "leistungen.csv", higher)
    rehash(target)


def test_first_refresh_builds_everything(world: World) -> None:
    output = refresh(world.raw, world.data)
    assert "dbt: first build" in output


def test_nothing_new_is_nothing_to_do(world: World) -> None:
    marts = world.data / "marts.duckdb"
    before = (marts.stat().st_mtime_ns, marts_hash(marts))
    output = refresh(world.raw, world.data)
    assert "nothing to do" in output and "dbt" not in output  # neither Dagster nor dbt ran
    assert (marts.stat().st_mtime_ns, marts_hash(marts)) == before


def test_a_new_month_rebuilds_from_it_and_equals_a_full_rebuild(world: World) -> None:
    for delivery in delivery_dirs(world.full):
        if f"berichtsmonat={NEW_MONTH}" in str(delivery):
            shutil.copytree(delivery, world.raw / delivery.relative_to(world.full))
    output = refresh(world.raw, world.data)
    assert f"incremental: deliveries changed from {NEW_MONTH}" in output
    # what only the code decides was built and tested by the first refresh
    ran = next(line for line in output.splitlines() if "Finished running" in line)
    assert "data tests" in ran and "seed" not in ran and "unit test" not in ran
    _rebuild_equals(world, marts_hash(world.data / "marts.duckdb"))


def test_a_revised_old_month_changes_figures_and_equals_a_full_rebuild(world: World) -> None:
    before = marts_hash(world.data / "marts.duckdb")
    month_dir = world.raw / "jobcenter=05111" / f"berichtsmonat={REVISED_MONTH}"
    latest = max(month_dir.glob("stand=*"))
    _revise(latest, month_dir / f"stand={REVISED_STAND}")
    output = refresh(world.raw, world.data)
    assert "ingest: 1 loaded" in output
    assert f"incremental: deliveries changed from {REVISED_MONTH}" in output
    revised = marts_hash(world.data / "marts.duckdb")
    assert revised != before
    _rebuild_equals(world, revised)


def test_a_removed_delivery_falls_back_and_equals_a_full_rebuild(world: World) -> None:
    month_dir = world.raw / "jobcenter=05111" / f"berichtsmonat={REVISED_MONTH}"
    shutil.rmtree(month_dir / f"stand={REVISED_STAND}")
    output = refresh(world.raw, world.data)
    assert f"incremental: deliveries changed from {REVISED_MONTH}" in output
    _rebuild_equals(world, marts_hash(world.data / "marts.duckdb"))


def test_dbt_emptied_the_test_scope_at_its_end(world: World) -> None:
    """A `dbt build` by hand after a refresh tests every month."""
    with duckdb.connect(str(world.data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM steuerung.testumfang").fetchone()[0] == 0


# --- what an incremental build leaves out ---------------------------------------------------


def _node(kind: str, *upstream: str) -> dict:
    return {"resource_type": kind, "depends_on": {"nodes": list(upstream)}}


def test_code_only_nodes_read_no_source_however_far_up() -> None:
    nodes = {
        "seed.p.katalog": _node("seed"),
        "model.p.ziele": _node("model", "seed.p.katalog"),
        "model.p.ziele_lang": _node("model", "model.p.ziele"),
        "model.p.stg": _node("model", "source.p.raw.t"),
        "model.p.fct": _node("model", "model.p.stg", "model.p.ziele"),
        "test.p.not_null_ziele": _node("test", "model.p.ziele"),
    }
    for unique_id, node in nodes.items():
        node["name"] = unique_id.split(".")[-1]
    manifest = {"nodes": nodes}
    assert code_only_nodes(manifest) == {
        "seed.p.katalog": "seed",
        "model.p.ziele": "model",
        "model.p.ziele_lang": "model",
    }
    assert unchanged_by_deliveries(manifest) == (
        "resource_type:unit_test ziele,resource_type:test ziele_lang,resource_type:test katalog"
    )


def test_views_are_kept_unless_a_test_the_hook_does_not_count_reads_them() -> None:
    """dbt drops a test with the view it reads: a view with a singular test is built."""
    nodes = {
        "model.p.stg": _node("model", "source.p.raw.t"),
        "model.p.lzb": _node("model", "model.p.stg"),
        "model.p.fct": _node("model", "model.p.stg"),
        "test.p.not_null_stg": _node("test", "model.p.stg"),
        "test.p.assert_lzb": _node("test", "model.p.lzb"),
    }
    for unique_id, node in nodes.items():
        node["name"] = unique_id.split(".")[-1]
    for view in ("model.p.stg", "model.p.lzb"):
        nodes[view]["config"] = {"materialized": "view"}
    nodes["test.p.not_null_stg"]["test_metadata"] = {"name": "not_null"}
    manifest = {"nodes": nodes}
    assert views_kept(manifest, ["not_null"]) == ["model.p.stg"]
    assert unchanged_by_deliveries(manifest, ["not_null"]) == "resource_type:unit_test stg"


def test_models_chosen_in_the_ui_are_built_as_chosen() -> None:
    """An incremental build of the whole job keeps the views; a selection in the UI of a
    view (or a seed) builds it, or dbt would find nothing to do and the step fail."""
    import json

    from orchestration.assets.dbt import build_args
    from orchestration.dbt_project import dbt_project
    from zielmonitor.build_state import BuildPlan

    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    incremental = BuildPlan(False, date(2016, 12, 1), False, "incremental")
    job = build_args(incremental, {"as_of": None}, [], manifest)
    assert "stg_elb_bestand" in job[job.index("--exclude") + 1].split()
    chosen = build_args(incremental, {"as_of": None}, ["--select", "stg_elb_bestand"], manifest)
    excluded = chosen[chosen.index("--exclude") + 1].split()
    assert "stg_elb_bestand" not in excluded and "test_name:unique_key" in excluded
    full = build_args(BuildPlan(True, None, False, "full"), {"as_of": None}, [], manifest)
    assert "--full-refresh" in full and "stg_elb_bestand" not in full[-1].split()


def test_no_data_test_hangs_on_a_code_only_node() -> None:
    """dbt excludes a test when any node it reads is excluded (eager indirect selection): a
    test reading deliveries and the target catalogue would be skipped by an incremental
    build. Keep such a test apart, or make its model read no seed."""
    import json

    from orchestration.dbt_project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    code_only = code_only_nodes(manifest)
    assert code_only, "the target catalogue and the master data are seeds"
    mixed = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and (upstream := set(node["depends_on"]["nodes"])) & code_only.keys()
        and upstream - code_only.keys()
    ]
    assert mixed == []


# --- the plan, on a warehouse of a few rows ------------------------------------------------


@pytest.fixture
def warehouse(tmp_path: Path) -> tuple[Path, Path]:
    """raw.lieferungen of two months, published once: (warehouse, marts file)."""
    wh, marts = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.lieferungen (jobcenter_id VARCHAR, berichtsmonat DATE,"
            " stand DATE, manifest_sha256 VARCHAR)"
        )
        con.execute(
            "INSERT INTO raw.lieferungen VALUES ('05111', '2016-01-01', '2016-02-10', 'a'),"
            " ('05111', '2016-02-01', '2016-03-10', 'b')"
        )
    marts.write_text("published")
    record_publish(wh, marts, None)
    return wh, marts


def _load(wh: Path, sql: str) -> None:
    with duckdb.connect(str(wh)) as con:
        con.execute(sql)


def test_plan_nothing_changed(warehouse: tuple[Path, Path]) -> None:
    plan = plan_build(*warehouse)
    assert plan.nothing_to_do and not plan.full


def test_plan_a_touched_marts_file_is_published_again(warehouse: tuple[Path, Path]) -> None:
    wh, marts = warehouse
    marts.write_text("changed by hand")
    plan = plan_build(wh, marts)
    assert not plan.nothing_to_do and not plan.full


def test_plan_a_lost_parquet_export_is_published_again(warehouse: tuple[Path, Path]) -> None:
    """The live marts come with their Parquet export (a link to a versioned folder): with
    the folder gone, a BI tool reading Parquet finds nothing, so there is work to do."""
    wh, marts = warehouse
    version = marts.with_name("marts_parquet.abc")
    version.mkdir()
    export = marts.with_name("marts_parquet")
    export.symlink_to(version.name, target_is_directory=True)
    assert plan_build(wh, marts, export=export).nothing_to_do
    version.rmdir()  # the link dangles
    plan = plan_build(wh, marts, export=export)
    assert not plan.nothing_to_do and not plan.full


@pytest.mark.parametrize(
    ("sql", "tests_from"),
    [
        ("INSERT INTO raw.lieferungen VALUES ('05111', '2016-03-01', '2016-04-10', 'c')",
         date(2016, 3, 1)),  # a new month
        ("UPDATE raw.lieferungen SET manifest_sha256 = 'x' WHERE berichtsmonat = '2016-02-01'",
         date(2016, 2, 1)),  # a changed delivery
        ("DELETE FROM raw.lieferungen WHERE berichtsmonat = '2016-01-01'",
         date(2016, 1, 1)),  # a removed one
    ],
)  # fmt: skip
def test_plan_incremental_from_the_first_changed_month(
    warehouse: tuple[Path, Path], sql: str, tests_from: date
) -> None:
    wh, marts = warehouse
    _load(wh, sql)
    plan = plan_build(wh, marts)
    assert (plan.full, plan.nothing_to_do, plan.tests_from) == (False, False, tests_from)


def test_plan_full_after_a_code_change_or_another_target(
    warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    wh, marts = warehouse
    assert plan_build(wh, marts, force_full=True).full
    assert plan_build(wh, marts.with_name("marts_stand_2016-02-15.duckdb")).full
    monkeypatch.setattr("zielmonitor.build_state.project_fingerprint", lambda: "other code")
    assert plan_build(wh, marts).full


def test_plan_an_as_of_stand_in_between_leaves_the_live_marts_alone(
    warehouse: tuple[Path, Path],
) -> None:
    wh, marts = warehouse
    stand = marts.with_name("marts_stand_2016-02-15.duckdb")
    stand.write_text("as of")
    record_publish(wh, stand, "2016-02-15")  # the warehouse's models now hold that stand
    assert plan_build(wh, marts).nothing_to_do  # the live file is still right
    _load(wh, "INSERT INTO raw.lieferungen VALUES ('05111', '2016-03-01', '2016-04-10', 'c')")
    assert plan_build(wh, marts).full  # but a build for it starts from scratch
