"""Checks of the published (suppressed) marts file, run by the publish step on the staged file
before it is swapped in (as Dagster asset checks of `published/marts_duckdb`).

dbt tests every published model in the warehouse, unsuppressed: keys, not-null columns,
vocabularies, and its contract fixes names and types. These checks add only what dbt cannot
see, because suppression happens after it, on the way out:

- `spalten`: the columns and types as published are the model's contract plus the flag
  `unterdrueckt` (BOOLEAN, never NULL);
- `schluessel`: the model's key (its dbt `unique_key` test) is still complete and unique;
- `unterdrueckt`: a cell dbt tests not-null is NULL only in a flagged row, and a flagged row
  has at least one NULL in a column its suppression rule covers;
- `fallzahl`: no visible count cell of 1 or 2 persons (the rule's `counts`).

Every piece of metadata comes from the dbt manifest (`published_models`) or the suppression
rules (`zielmonitor.publish.suppression`); nothing about a mart is repeated here.
`check_published(path, rules, models)` returns per table the failure messages (empty = fine).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from zielmonitor.config import DBT_PROJECT_DIR
from zielmonitor.publish.suppression import FLAG, TableRule, quote, visible_small_counts

MAX_BEISPIELE = 3  # example keys per message


@dataclass(frozen=True)
class PublishedModel:
    """What the dbt manifest says about one published model."""

    name: str
    columns: dict[str, str]  # column -> data type of the enforced contract
    key: tuple[str, ...]  # columns of its `unique_key` (or column `unique`) test
    not_null: frozenset[str]  # columns with a `not_null` test


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    """dbt's manifest (`target/manifest.json` of the project unless `path` is given)."""
    path = path or DBT_PROJECT_DIR / "target" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def published_models(
    manifest: Mapping[str, Any], tables: Iterable[str]
) -> dict[str, PublishedModel]:
    """Contract columns, key and not-null columns of `tables`, read from the manifest."""
    wanted = set(tables)
    models = {
        n["unique_id"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"] in wanted
    }
    keys: dict[str, tuple[str, ...]] = {}
    not_null: dict[str, set[str]] = {uid: set() for uid in models}
    for test in manifest["nodes"].values():
        uid, meta = test.get("attached_node"), test.get("test_metadata") or {}
        if test["resource_type"] != "test" or uid not in models:
            continue
        if meta.get("name") == "unique_key":
            keys[uid] = tuple(meta["kwargs"]["columns"])
        elif meta.get("name") == "unique":  # a one-column key
            keys[uid] = (meta["kwargs"]["column_name"],)
        elif meta.get("name") == "not_null":
            not_null[uid].add(meta["kwargs"]["column_name"])
    return {
        node["name"]: PublishedModel(
            name=node["name"],
            columns={c: col.get("data_type") or "" for c, col in node["columns"].items()},
            key=keys.get(uid, ()),
            not_null=frozenset(not_null[uid]),
        )
        for uid, node in models.items()
    }


def checked_tables(published: Iterable[str]) -> list[str]:
    """The published marts checked as published: all of them (each has a suppression rule
    and a contract)."""
    return sorted(set(published))


def check_published(
    path: Path,
    rules: Mapping[str, TableRule],
    models: Mapping[str, PublishedModel] | None = None,
) -> dict[str, list[str]]:
    """Check every table of `rules` present in the (staged) marts file at `path`; `models`
    default to the project's manifest. Per table the failure messages (empty = fine)."""
    if models is None:
        models = published_models(load_manifest(), rules)
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {
            name: check_table(con, rules[name], models.get(name))
            for name in sorted(set(rules) & present)
        }
    finally:
        con.close()


def check_table(
    con: duckdb.DuckDBPyConnection, rule: TableRule, model: PublishedModel | None
) -> list[str]:
    """All checks of one published table; a model unknown to the manifest is a failure."""
    if model is None:
        return [f"{rule.table}: spalten (kein Modell im dbt-Manifest)"]
    spalten = _spalten(con, model)
    if spalten:  # the other checks read these columns
        return spalten
    return _schluessel(con, model) + _unterdrueckt(con, rule, model) + _fallzahl(con, rule)


def _duckdb_type(con: duckdb.DuckDBPyConnection, data_type: str) -> str:
    """A contract type spelt as DuckDB spells it (int -> INTEGER, text -> VARCHAR)."""
    return con.execute(f"SELECT typeof(CAST(NULL AS {data_type}))").fetchone()[0]


def _spalten(con: duckdb.DuckDBPyConnection, model: PublishedModel) -> list[str]:
    # a contract column without a type is checked for presence only
    erwartet = {c: _duckdb_type(con, t) if t else None for c, t in model.columns.items()}
    erwartet[FLAG] = "BOOLEAN"
    rows = con.execute(f"DESCRIBE {quote(model.name)}").fetchall()
    veroeffentlicht = {r[0]: r[1] for r in rows}
    fehler = [
        f"{c} {veroeffentlicht.get(c, 'fehlt')} statt {t}"
        for c, t in erwartet.items()
        if c not in veroeffentlicht or (t is not None and veroeffentlicht[c] != t)
    ]
    fehler += [f"{c} nicht im Vertrag" for c in veroeffentlicht if c not in erwartet]
    return [f"{model.name}: spalten ({'; '.join(fehler)})"] if fehler else []


def _schluessel(con: duckdb.DuckDBPyConnection, model: PublishedModel) -> list[str]:
    if not model.key:
        return []
    key = ", ".join(quote(c) for c in model.key)
    leer = " OR ".join(f"{quote(c)} IS NULL" for c in model.key)
    rows = con.execute(
        f"SELECT concat_ws('/', {key}) FROM {quote(model.name)} "
        f"GROUP BY ALL HAVING count(*) > 1 OR bool_or({leer}) ORDER BY 1"
    ).fetchall()
    if not rows:
        return []
    beispiele = ", ".join(str(r[0]) for r in rows[:MAX_BEISPIELE])
    return [f"{model.name}: schluessel {'/'.join(model.key)} ({len(rows)}×, z. B. {beispiele})"]


def _unterdrueckt(
    con: duckdb.DuckDBPyConnection, rule: TableRule, model: PublishedModel
) -> list[str]:
    t, flag = quote(rule.table), quote(FLAG)
    meldungen = []
    ohne_flag = con.execute(f"SELECT count(*) FROM {t} WHERE {flag} IS NULL").fetchone()[0]
    if ohne_flag:
        meldungen.append(f"{rule.table}: unterdrueckt ist NULL ({ohne_flag} Zeile(n))")
    # a NULL where dbt allows none can only come from suppression: the row must say so
    for c in sorted(model.not_null & rule.columns()):
        n = con.execute(
            f"SELECT count(*) FROM {t} WHERE {quote(c)} IS NULL AND NOT coalesce({flag}, false)"
        ).fetchone()[0]
        if n:
            meldungen.append(f"{rule.table}: {c}: NULL ohne unterdrueckt ({n} Zeile(n))")
    leer = " OR ".join(f"{quote(c)} IS NULL" for c in sorted(rule.columns())) or "false"
    n = con.execute(f"SELECT count(*) FROM {t} WHERE {flag} AND NOT ({leer})").fetchone()[0]
    if n:
        meldungen.append(f"{rule.table}: unterdrueckt ohne unterdrueckte Zelle ({n} Zeile(n))")
    return meldungen


def _fallzahl(con: duckdb.DuckDBPyConnection, rule: TableRule) -> list[str]:
    return [
        f"{rule.table}: {spalte}: sichtbare Fallzahl 1 oder 2 ({n}×)"
        for spalte, n in visible_small_counts(con, rule).items()
        if n
    ]
