"""Statistical confidentiality (§ 16 BStatG) applied on the way out of the warehouse.

The restricted warehouse keeps every figure unsuppressed; `publish()` copies the published
marts into a temporary DuckDB file and calls `apply_suppression` on it before the file is
swapped in (and before anything is exported from it). The rule is written once, here; each
published dbt model only declares its structure in `config.meta.suppression` (format and
reasoning: docs/confidentiality.md):

- `counts`     cells holding a number of persons: primary suppression when 0 < value < 3;
- `splits`     a total and its parts (rows named by `by` within `within`, or columns of one
               row), with the remainder total − Σ parts either `public` (small or guessable,
               e.g. geschlecht d: counts as a cell) or `secret` (an unpublished complement);
- `cumulative` year-to-date series: YTD(m) = YTD(m−1) + month m (the monthly column when
               published, else a secret remainder), optionally weighted (means);
- `rates`      cells derived from other cells of the row: suppressed with any source;
- `same_value` cells that publish the same statistical value as cells elsewhere (same id,
               possibly in another table): suppressed together.
- `mirrors`    cells that are copies of another published table's cells (matched on key
               columns): suppressed together (vergleich_monat's own values);
- `groups`     aggregate cells of a group of rows (e.g. a Vergleichstyp's sums): suppressed
               when any member cell of the group is, so a published aggregate is a function
               of published cells only (docs/vergleich.md);
- `ranks`      rank columns recomputed after suppression over the values still shown.

All cells of all tables form one linked problem, solved to a fixed point: primary cells,
then repeatedly same-value and rate propagation and one secondary cell (the smallest
visible non-zero) for every split that would otherwise reveal a suppressed value.
Suppressed values become NULL and the row's flag column (`unterdrueckt`) true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

FLAG = "unterdrueckt"
MAX_ROUNDS = 500
_EPS = 1e-9  # means and weighted sums are doubles: a remainder of 1e-13 is a zero
_REMAINDERS = ("public", "secret")
_CELLS = "temp.main._sup_cell"
_MEMBERS = "temp.main._sup_member"
_INSTANCES = "temp.main._sup_instance"
_DEPS = "temp.main._sup_dep"
_GROUPS = "temp.main._sup_group"
_SPLIT_CELLS = "temp.main._sup_split_cell"  # the solver's splits that can reveal
_ID_STRIDE = 1 << 40  # cell ids: rowids of a published table stay below 2^40


CellIds = Mapping[tuple[str, str], int]  # (table, column) -> base of its cell ids


class SuppressionConfigError(ValueError):
    """A published model's suppression metadata is missing or malformed."""


@dataclass(frozen=True)
class Counts:
    columns: tuple[str, ...]
    where: str = "true"


@dataclass(frozen=True)
class Split:
    name: str
    total: str
    parts: tuple[str, ...]
    by: str | None = None  # SQL naming the cell of a row; None: total/parts are columns
    within: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    where: str = "true"
    remainder: str = "public"


@dataclass(frozen=True)
class Cumulative:
    column: str
    within: tuple[str, ...]
    monthly: str | None = None
    weight: str = "1"  # e.g. number of months, when the column is a mean year to date
    month: str = "berichtsmonat"
    where: str = "true"


@dataclass(frozen=True)
class Rate:
    column: str
    sources: tuple[str, ...]
    where: str = "true"


@dataclass(frozen=True)
class SameValue:
    column: str
    id: tuple[str, ...]  # SQL expressions, joined with '|'
    where: str = "true"


@dataclass(frozen=True)
class Mirror:
    table: str
    keys: tuple[str, ...]  # columns matching a row with its original
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    name: str
    within: tuple[str, ...]  # SQL expressions naming the group of a row
    members: tuple[str, ...]
    aggregates: tuple[str, ...]


@dataclass(frozen=True)
class Rank:
    column: str
    count: str
    value: str
    within: tuple[str, ...]


@dataclass(frozen=True)
class TableRule:
    table: str
    none_reason: str | None = None
    join: str = ""
    counts: tuple[Counts, ...] = ()
    splits: tuple[Split, ...] = ()
    cumulative: tuple[Cumulative, ...] = ()
    rates: tuple[Rate, ...] = ()
    same_value: tuple[SameValue, ...] = ()
    mirrors: tuple[Mirror, ...] = ()
    groups: tuple[Group, ...] = ()
    ranks: tuple[Rank, ...] = ()

    def columns(self) -> set[str]:
        """Every value column a rule of this table mentions (one cell per row each)."""
        cols = {c for k in self.counts for c in k.columns}
        for s in self.splits:
            cols.update(s.columns if s.by else (s.total, *s.parts))
        for c in self.cumulative:
            cols.update([c.column] + ([c.monthly] if c.monthly else []))
        for r in self.rates:
            cols.update((r.column, *r.sources))
        cols.update(s.column for s in self.same_value)
        cols.update(c for m in self.mirrors for c in m.columns)
        cols.update(c for g in self.groups for c in (*g.members, *g.aggregates))
        return cols


@dataclass
class SuppressionStats:
    primary: dict[str, int] = field(default_factory=dict)
    secondary: dict[str, int] = field(default_factory=dict)  # splits, same value, rates
    rows: dict[str, int] = field(default_factory=dict)  # rows flagged
    rounds: int = 0


# ---------------------------------------------------------------------------- parsing


def parse_rule(table: str, meta: Any) -> TableRule:
    """The `config.meta.suppression` entry of one published model; raise if missing/bad."""
    if meta is None:
        raise SuppressionConfigError(
            f"published model {table!r} has no meta.suppression: declare its structure or "
            "`suppression: {none: <reason>}` (docs/confidentiality.md)"
        )
    if not isinstance(meta, Mapping):
        raise SuppressionConfigError(f"{table}: meta.suppression must be a mapping")
    if "none" in meta:
        reason = meta["none"]
        if not isinstance(reason, str) or not reason.strip() or len(meta) != 1:
            raise SuppressionConfigError(f"{table}: `none` needs a reason and nothing else")
        return TableRule(table=table, none_reason=reason.strip())
    _only(
        table,
        meta,
        {"join", "counts", "splits", "cumulative", "rates", "same_value", "mirrors", "groups",
         "ranks"},
    )  # fmt: skip
    rule = TableRule(
        table=table,
        join=str(meta.get("join", "")),
        counts=tuple(_counts(table, e) for e in meta.get("counts", [])),
        splits=tuple(_split(table, e) for e in meta.get("splits", [])),
        cumulative=tuple(_cumulative(table, e) for e in meta.get("cumulative", [])),
        rates=tuple(_rate(table, e) for e in meta.get("rates", [])),
        same_value=tuple(_same(table, e) for e in meta.get("same_value", [])),
        mirrors=tuple(_mirror(table, e) for e in meta.get("mirrors", [])),
        groups=tuple(_group(table, e) for e in meta.get("groups", [])),
        ranks=tuple(_rank(table, e) for e in meta.get("ranks", [])),
    )
    if not rule.counts:
        raise SuppressionConfigError(f"{table}: no `counts` declared; use `none` with a reason")
    return rule


def _only(table: str, entry: Mapping[str, Any], allowed: set[str]) -> None:
    # a typo must not silently switch a protection off
    unknown = set(entry) - allowed
    if unknown:
        raise SuppressionConfigError(f"{table}: unknown suppression keys {sorted(unknown)}")


def _names(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _counts(table: str, e: Mapping[str, Any]) -> Counts:
    _only(table, e, {"columns", "where"})
    return Counts(columns=_names(e["columns"]), where=e.get("where", "true"))


def _split(table: str, e: Mapping[str, Any]) -> Split:
    _only(table, e, {"name", "total", "parts", "by", "within", "columns", "where", "remainder"})
    split = Split(
        name=e["name"],
        total=str(e["total"]),
        parts=_names(e["parts"]),
        by=e.get("by"),
        within=_names(e.get("within", ())),
        columns=_names(e.get("columns", ())),
        where=e.get("where", "true"),
        remainder=e.get("remainder", "public"),
    )
    if split.remainder not in _REMAINDERS or not split.parts:
        raise SuppressionConfigError(f"{table}/{split.name}: parts and remainder {_REMAINDERS}")
    if split.by and not (split.within and split.columns):
        raise SuppressionConfigError(f"{table}/{split.name}: a row split needs within, columns")
    return split


def _cumulative(table: str, e: Mapping[str, Any]) -> Cumulative:
    _only(table, e, {"column", "within", "monthly", "weight", "month", "where"})
    return Cumulative(
        column=e["column"],
        within=_names(e["within"]),
        monthly=e.get("monthly"),
        weight=str(e.get("weight", "1")),
        month=e.get("month", "berichtsmonat"),
        where=e.get("where", "true"),
    )


def _rate(table: str, e: Mapping[str, Any]) -> Rate:
    _only(table, e, {"column", "from", "where"})
    return Rate(column=e["column"], sources=_names(e["from"]), where=e.get("where", "true"))


def _same(table: str, e: Mapping[str, Any]) -> SameValue:
    _only(table, e, {"column", "id", "where"})
    return SameValue(column=e["column"], id=_names(e["id"]), where=e.get("where", "true"))


def _mirror(table: str, e: Mapping[str, Any]) -> Mirror:
    _only(table, e, {"table", "keys", "columns"})
    return Mirror(table=e["table"], keys=_names(e["keys"]), columns=_names(e["columns"]))


def _group(table: str, e: Mapping[str, Any]) -> Group:
    _only(table, e, {"name", "within", "members", "aggregates"})
    return Group(
        name=e["name"],
        within=_names(e["within"]),
        members=_names(e["members"]),
        aggregates=_names(e["aggregates"]),
    )


def _rank(table: str, e: Mapping[str, Any]) -> Rank:
    _only(table, e, {"column", "count", "value", "within"})
    return Rank(e["column"], e["count"], e["value"], _names(e["within"]))


# ---------------------------------------------------------------------------- applying


def apply_suppression(
    con: duckdb.DuckDBPyConnection, catalog: str, rules: Mapping[str, TableRule]
) -> SuppressionStats:
    """Suppress the tables of `catalog` (the copied marts) in place, per their rules."""
    previous = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"USE {catalog}")  # where/join SQL names the published tables unqualified
    try:
        for rule in rules.values():
            _check_columns(con, rule)
            _add_flag(con, rule.table)
        active = register(con, rules)
        _check_declarations(con)
        stats = SuppressionStats()
        stats.rounds = _solve(con)
        for rule in active:
            _write_back(con, rule, stats)
            _rerank(con, rule)
        return stats
    finally:
        con.execute(f"USE {previous}")
        for t in (_CELLS, _MEMBERS, _INSTANCES, _DEPS, _GROUPS, _SPLIT_CELLS):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def _check_columns(con: duckdb.DuckDBPyConnection, rule: TableRule) -> None:
    present = {r[0] for r in con.execute(f"DESCRIBE {quote(rule.table)}").fetchall()}
    missing = rule.columns() - present
    if missing:
        raise SuppressionConfigError(f"{rule.table}: columns {sorted(missing)} do not exist")


def _add_flag(con: duckdb.DuckDBPyConnection, table: str) -> None:
    # every published table carries the flag; it is set here and only here
    cols = {r[0] for r in con.execute(f"DESCRIBE {quote(table)}").fetchall()}
    if FLAG not in cols:
        con.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {FLAG} BOOLEAN DEFAULT false")
    con.execute(f"UPDATE {quote(table)} SET {FLAG} = false")


def register(con: duckdb.DuckDBPyConnection, rules: Mapping[str, TableRule]) -> list[TableRule]:
    """The work tables filled with every declared cell, split, group and id of the rules that
    suppress (read from the tables of the current catalog); returns those rules. Shared by the
    suppression and the leak scan of the tests, so a new kind of rule reaches both."""
    active = [r for r in rules.values() if r.none_reason is None]
    ids = _cell_ids(active)
    _create_work_tables(con)
    for rule in active:
        _register(con, rule, ids)
    for rule in active:  # after every table's same_value ids are set
        _register_mirrors(con, rule, rules)
    return active


def _cell_ids(active: Sequence[TableRule]) -> CellIds:
    # A cell's number (`cid`) is the base of its (table, column) plus its rowid: the solver
    # joins on one integer instead of (tbl, rid, col), and bases follow the sorted (table,
    # column) pairs, so ordering by cid is ordering by (tbl, col, rid).
    pairs = sorted((rule.table, col) for rule in active for col in rule.columns())
    return {pair: i * _ID_STRIDE for i, pair in enumerate(pairs)}


def _create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _sup_cell (tbl VARCHAR, rid BIGINT, col VARCHAR, "
        "v DOUBLE, cnt BOOLEAN DEFAULT false, supp BOOLEAN DEFAULT false, why VARCHAR, "
        "sid VARCHAR, cid BIGINT, seq INTEGER)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _sup_member (inst VARCHAR, tbl VARCHAR, rid BIGINT, "
        "col VARCHAR, total BOOLEAN, coef DOUBLE, cid BIGINT)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _sup_instance (inst VARCHAR, remainder VARCHAR, "
        "expected INTEGER)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _sup_dep (tbl VARCHAR, rid BIGINT, col VARCHAR, "
        "src_col VARCHAR, cid BIGINT, src_cid BIGINT)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _sup_group (gkey VARCHAR, tbl VARCHAR, rid BIGINT, "
        "col VARCHAR, aggregat BOOLEAN, cid BIGINT)"
    )


def _register(con: duckdb.DuckDBPyConnection, rule: TableRule, ids: CellIds) -> None:
    src = f"{quote(rule.table)} AS t {rule.join}"
    _register_cells(con, rule, src, ids)
    for r in rule.rates:
        _register_rate(con, rule, src, r, ids)
    for s in rule.splits:
        (_row_split if s.by else _column_split)(con, rule, src, s, ids)
    for c in rule.cumulative:
        _cumulative_split(con, rule, src, c, ids)
    for g in rule.groups:
        _register_group(con, rule, src, g, ids)


def _register_cells(
    con: duckdb.DuckDBPyConnection, rule: TableRule, src: str, ids: CellIds
) -> None:
    # one pass over the table: per row a list per attribute, unnested into one cell per column
    cols = sorted(rule.columns())
    lists = {
        "v": [f"CAST(t.{quote(c)} AS DOUBLE)" for c in cols],
        "cnt": [_count_flag(rule, c) for c in cols],
        "sid": [f"CAST({_same_id(rule, c)} AS VARCHAR)" for c in cols],
        "cid": [f"t.rowid + {ids[(rule.table, c)]}" for c in cols],
    }
    select = ", ".join(f"[{', '.join(exprs)}] AS {name}" for name, exprs in lists.items())
    unnest = ", ".join(f"unnest({name})" for name in lists)
    con.execute(
        f"INSERT INTO {_CELLS} (tbl, rid, col, {', '.join(lists)}) SELECT ?, rid, "
        f"unnest(?::VARCHAR[]), {unnest} FROM (SELECT t.rowid AS rid, {select} FROM {src})",
        [rule.table, cols],
    )


def _count_flag(rule: TableRule, col: str) -> str:
    # a cell holds a number of persons when a `counts` entry names it and its where holds
    wheres = [f"coalesce(({k.where}), false)" for k in rule.counts if col in k.columns]
    return "(" + " OR ".join(wheres) + ")" if wheres else "false"


def _same_id(rule: TableRule, col: str) -> str:
    # the last same_value entry of the column whose where holds names the cell's value
    whens = [
        f"WHEN ({s.where}) THEN {_key(s.id)}" for s in reversed(rule.same_value) if s.column == col
    ]
    return f"CASE {' '.join(whens)} END" if whens else "NULL"


def _key(exprs: Sequence[str]) -> str:
    # || (not concat_ws): a NULL part makes the id NULL instead of a colliding shorter id
    return " || '|' || ".join(f"CAST(({e}) AS VARCHAR)" for e in exprs)


def _columns(rule: TableRule, ids: CellIds, cols: Sequence[str], *flags: Sequence[bool]) -> str:
    """An inline relation u(col, base[, flag]) of columns; cross joined with rows k(rid, …) it
    gives their cells (cid = k.rid + u.base)."""
    rows = []
    for i, col in enumerate(cols):
        values = [_literal(col), str(ids[(rule.table, col)])]
        rows.append(f"({', '.join(values + [str(f[i]).lower() for f in flags])})")
    names = "col, base" + ", flag" * bool(flags)
    return f"(VALUES {', '.join(rows)}) AS u({names})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _register_rate(
    con: duckdb.DuckDBPyConnection, rule: TableRule, src: str, r: Rate, ids: CellIds
) -> None:
    con.execute(
        f"INSERT INTO {_DEPS} (tbl, rid, col, src_col, cid, src_cid) SELECT ?, k.rid, ?, u.col, "
        f"k.rid + ?, k.rid + u.base FROM (SELECT t.rowid AS rid FROM {src} WHERE {r.where}) "
        f"AS k, {_columns(rule, ids, r.sources)}",
        [rule.table, r.column, ids[(rule.table, r.column)]],
    )


def _register_group(
    con: duckdb.DuckDBPyConnection, rule: TableRule, src: str, g: Group, ids: CellIds
) -> None:
    cols = (*g.members, *g.aggregates)
    flags = [False] * len(g.members) + [True] * len(g.aggregates)
    con.execute(
        f"INSERT INTO {_GROUPS} (gkey, tbl, rid, col, aggregat, cid) SELECT ? || '|' || k.key, "
        f"?, k.rid, u.col, u.flag, k.rid + u.base FROM (SELECT t.rowid AS rid, {_key(g.within)} "
        f"AS key FROM {src}) AS k, {_columns(rule, ids, cols, flags)}",
        [f"{rule.table}|{g.name}", rule.table],
    )


def _register_mirrors(
    con: duckdb.DuckDBPyConnection, rule: TableRule, rules: Mapping[str, TableRule]
) -> None:
    # A copy shares the original's same_value id; an original without one gets a fresh id
    # (its own cell), so both are suppressed together and _check_declarations compares them.
    # Each column only reads its own cells: all columns of a mirror go in one statement.
    for m in rule.mirrors:
        if m.table not in rules or rules[m.table].none_reason is not None:
            raise SuppressionConfigError(f"{rule.table}: mirror of unsuppressed {m.table!r}")
        on = " AND ".join(f"t.{quote(k)} = o.{quote(k)}" for k in m.keys)
        pairs = (
            f"SELECT t.rowid AS rid, o.rowid AS orid FROM {quote(rule.table)} AS t "
            f"JOIN {quote(m.table)} AS o ON {on}"
        )
        cols = list(m.columns)
        con.execute(
            f"UPDATE {_CELLS} AS o SET sid = concat_ws('|', 'mirror', o.tbl, o.rid, o.col) "
            f"WHERE o.tbl = ? AND list_contains(?, o.col) AND o.sid IS NULL "
            f"AND o.rid IN (SELECT orid FROM ({pairs}))",
            [m.table, cols],
        )
        con.execute(
            f"UPDATE {_CELLS} AS c SET sid = o.sid FROM ({pairs}) AS p, {_CELLS} AS o "
            f"WHERE c.tbl = ? AND list_contains(?, c.col) AND c.rid = p.rid AND o.tbl = ? "
            f"AND o.col = c.col AND o.rid = p.orid",
            [rule.table, cols, m.table],
        )


def _row_split(
    con: duckdb.DuckDBPyConnection, rule: TableRule, src: str, s: Split, ids: CellIds
) -> None:
    # one instance per (column, values of `within`): the rows named total and parts
    key = "concat_ws('|', " + ", ".join(f"CAST(t.{quote(c)} AS VARCHAR)" for c in s.within) + ")"
    prefix = f"{rule.table}|{s.name}|"
    con.execute(
        f"INSERT INTO {_MEMBERS} (inst, tbl, rid, col, total, coef, cid) SELECT ? || u.col || "
        f"'|' || k.key, ?, k.rid, u.col, k.total, 1.0, k.rid + u.base FROM (SELECT t.rowid AS "
        f"rid, {key} AS key, ({s.by}) = ? AS total FROM {src} WHERE ({s.where}) "
        f"AND list_contains(?, ({s.by}))) AS k, {_columns(rule, ids, s.columns)}",
        [prefix, rule.table, s.total, [s.total, *s.parts]],
    )
    starts = " OR ".join("starts_with(inst, ?)" for _ in s.columns)
    con.execute(
        f"INSERT INTO {_INSTANCES} SELECT DISTINCT inst, ?, ? FROM {_MEMBERS} WHERE {starts}",
        [s.remainder, 1 + len(s.parts), *(f"{prefix}{col}|" for col in s.columns)],
    )


def _column_split(
    con: duckdb.DuckDBPyConnection, rule: TableRule, src: str, s: Split, ids: CellIds
) -> None:
    # one instance per row: the total column and the part columns of that row
    prefix = f"{rule.table}|{s.name}|"
    cols = (s.total, *s.parts)
    con.execute(
        f"INSERT INTO {_MEMBERS} (inst, tbl, rid, col, total, coef, cid) SELECT ? || k.rid, ?, "
        f"k.rid, u.col, u.flag, 1.0, k.rid + u.base FROM (SELECT t.rowid AS rid FROM {src} "
        f"WHERE {s.where}) AS k, {_columns(rule, ids, cols, [c == s.total for c in cols])}",
        [prefix, rule.table],
    )
    con.execute(
        f"INSERT INTO {_INSTANCES} SELECT ? || t.rowid, ?, ? FROM {src} WHERE {s.where}",
        [prefix, s.remainder, 1 + len(s.parts)],
    )


def _cumulative_split(
    con: duckdb.DuckDBPyConnection, rule: TableRule, src: str, c: Cumulative, ids: CellIds
) -> None:
    # YTD(m)·w(m) = YTD(m−1)·w(m−1) + month(m); January has no previous month in the year
    prefix = f"{rule.table}|cum|{c.column}|"
    m, w, base = quote(c.month), c.weight, ids[(rule.table, c.column)]
    rows = f"(SELECT t.rowid AS _sup_rid, {w} AS _sup_w, t.* FROM {src} WHERE {c.where})"
    same = " AND ".join(f"p.{quote(k)} IS NOT DISTINCT FROM a.{quote(k)}" for k in c.within)
    prev = (
        f"SELECT ? || a._sup_rid, ?, p._sup_rid, ?, false, p._sup_w, p._sup_rid + {base} "
        f"FROM {rows} AS a JOIN {rows} AS p ON {same} AND p.{m} = a.{m} - INTERVAL 1 MONTH "
        f"AND year(a.{m}) = year(p.{m})"
    )
    members = f"INSERT INTO {_MEMBERS} (inst, tbl, rid, col, total, coef, cid)"
    con.execute(
        f"{members} SELECT ? || t.rowid, ?, t.rowid, ?, true, {w}, t.rowid + {base} "
        f"FROM {src} WHERE {c.where}",
        [prefix, rule.table, c.column],
    )
    con.execute(f"{members} {prev}", [prefix, rule.table, c.column])
    if c.monthly:
        con.execute(
            f"{members} SELECT ? || t.rowid, ?, t.rowid, ?, false, 1.0, "
            f"t.rowid + {ids[(rule.table, c.monthly)]} FROM {src} WHERE {c.where}",
            [prefix, rule.table, c.monthly],
        )
    # a monthly column published beside the series makes the relation exact; without it the
    # month's value is an unpublished (secret) remainder, protected when it is 1 or 2
    expected = f"1 + (month(t.{m}) > 1)::INT + {1 if c.monthly else 0}"
    con.execute(
        f"INSERT INTO {_INSTANCES} SELECT ? || t.rowid, ?, {expected} FROM {src} WHERE {c.where}",
        [prefix, "public" if c.monthly else "secret"],
    )


def _check_declarations(con: duckdb.DuckDBPyConnection) -> None:
    # A split naming the same cell twice, or one id for different values, is a wrong
    # declaration: fail the publish rather than protect the wrong cells.
    doppelt = con.execute(
        f"SELECT b.inst FROM {_MEMBERS} AS b JOIN {_INSTANCES} AS i USING (inst) "
        f"GROUP BY b.inst HAVING count(*) > any_value(i.expected) LIMIT 3"
    ).fetchall()
    if doppelt:
        raise SuppressionConfigError(f"split matches too many cells: {doppelt}")
    abweichend = con.execute(
        f"SELECT sid, min(v), max(v) FROM {_CELLS} WHERE sid IS NOT NULL AND v IS NOT NULL "
        f"GROUP BY sid HAVING max(v) - min(v) > 1e-6 * greatest(1, abs(max(v))) LIMIT 3"
    ).fetchall()
    if abweichend:
        raise SuppressionConfigError(f"same_value id with different values: {abweichend}")


# A step suppresses cells and numbers them (`seq`) with its own step number; `since` is the
# number of the step's previous run (None: never ran). Cells suppressed before that run have
# been propagated by it already, so each step only starts from cells with seq >= since.
Step = Callable[[duckdb.DuckDBPyConnection, int, int | None], int]


def _solve(con: duckdb.DuckDBPyConnection) -> int:
    _prepare_splits(con)
    con.execute(
        f"UPDATE {_CELLS} SET supp = true, why = 'primaer', seq = 0 WHERE cnt AND {_small('v')}"
    )
    steps: tuple[Step, ...] = (_propagate_same, _propagate_rates, _propagate_groups, _secondary)
    since: list[int | None] = [None] * len(steps)
    seq = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        changed = 0
        for i, step in enumerate(steps):
            seq += 1
            changed += step(con, seq, since[i])
            since[i] = seq
        if changed == 0:
            return rounds
    raise RuntimeError(f"suppression did not converge in {MAX_ROUNDS} rounds")


def _small(expr: str) -> str:
    # a number of persons of 1 or 2 (a mean stock below 3 too); 0 is shown, not suppressed
    return f"({expr} > {_EPS} AND {expr} < 3 - {_EPS})"


def _changed(cur: duckdb.DuckDBPyConnection) -> int:
    row = cur.fetchone()
    return int(row[0]) if row else 0


def _propagate_same(con: duckdb.DuckDBPyConnection, seq: int, since: int | None) -> int:
    # the same statistical value elsewhere is suppressed: suppress this cell too
    return _suppress_where(
        con,
        "gleicher_wert",
        seq,
        f"c.sid IN (SELECT sid FROM {_CELLS} WHERE seq >= ? AND sid IS NOT NULL)",
        since,
    )


def _propagate_rates(con: duckdb.DuckDBPyConnection, seq: int, since: int | None) -> int:
    # a rate is suppressed with any of its sources (same table, same row)
    return _suppress_where(
        con,
        "abhaengig",
        seq,
        f"c.cid IN (SELECT d.cid FROM {_DEPS} AS d JOIN {_CELLS} AS s ON s.cid = d.src_cid "
        f"WHERE s.seq >= ?)",
        since,
    )


def _propagate_groups(con: duckdb.DuckDBPyConnection, seq: int, since: int | None) -> int:
    # an aggregate is suppressed with any member cell of its group
    return _suppress_where(
        con,
        "gruppe",
        seq,
        f"c.cid IN (SELECT a.cid FROM {_GROUPS} AS a WHERE a.aggregat AND a.gkey IN ("
        f"SELECT m.gkey FROM {_GROUPS} AS m JOIN {_CELLS} AS s ON s.cid = m.cid "
        f"WHERE NOT m.aggregat AND s.seq >= ?))",
        since,
    )


def _suppress_where(
    con: duckdb.DuckDBPyConnection, why: str, seq: int, condition: str, since: int | None
) -> int:
    """Suppress the visible, unsuppressed cells meeting `condition` (whose one parameter is
    the first seq to start from); how many changed."""
    cur = con.execute(
        f"UPDATE {_CELLS} AS c SET supp = true, why = ?, seq = ? WHERE NOT c.supp "
        f"AND c.v IS NOT NULL AND {condition}",
        [why, seq, since or 0],
    )
    return _changed(cur)


def _prepare_splits(con: duckdb.DuckDBPyConnection) -> None:
    # What solving does not change: a split's cells, values and remainder. Only a complete
    # split (every cell present and visible) can reveal; it does when exactly `want` of its
    # cells are suppressed: 0 when its remainder is small (1 or 2), else 1 for a public
    # remainder (the suppressed cell is total − the others); a secret one reveals nothing.
    small = _small("rest")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _sup_split_cell AS
        WITH m AS (
            SELECT i.inst, i.remainder, i.expected, b.total, b.coef, c.cid, c.v
            FROM {_INSTANCES} AS i
            JOIN {_MEMBERS} AS b USING (inst)
            JOIN {_CELLS} AS c USING (cid)
        ),
        s AS (
            SELECT any_value(remainder) AS remainder, any_value(expected) AS expected,
                   count(*) AS n, count(v) AS nv, list(cid) AS cids,
                   sum(CASE WHEN total THEN coef * v ELSE -coef * v END) AS rest
            FROM m GROUP BY inst
        ),
        r AS (
            SELECT cids, CASE WHEN remainder = 'public' THEN 1 - {small}::INT
                              WHEN remainder = 'secret' AND {small} THEN 0 END AS want
            FROM s WHERE n = expected AND nv = n
        ),
        numbered AS (SELECT row_number() OVER () AS iid, * FROM r WHERE want IS NOT NULL)
        SELECT iid, want, unnest(cids) AS cid FROM numbered
        """
    )


def _secondary(con: duckdb.DuckDBPyConnection, seq: int, since: int | None) -> int:
    # For every complete split instance that reveals a suppressed value, suppress its
    # smallest visible non-zero cell (a zero protects nothing: it is known to be zero).
    # Only a split with a cell suppressed since the last run can have begun to reveal.
    touched = (
        ""
        if since is None
        else f"WHERE iid IN (SELECT s.iid FROM {_SPLIT_CELLS} AS s JOIN {_CELLS} AS c "
        f"USING (cid) WHERE c.seq >= ?)"
    )
    return _changed(
        con.execute(
            f"""
            WITH m AS (
                SELECT s.iid, s.want, c.cid, c.v, c.supp
                FROM (SELECT * FROM {_SPLIT_CELLS} {touched}) AS s
                JOIN {_CELLS} AS c USING (cid)
            ),
            reveal AS (
                SELECT iid FROM m GROUP BY iid HAVING count_if(supp) = any_value(want)
            ),
            pick AS (
                SELECT cid, row_number() OVER (PARTITION BY iid
                    ORDER BY (v > 0) DESC, v, cid) AS nr
                FROM m WHERE iid IN (SELECT iid FROM reveal) AND NOT supp
            )
            UPDATE {_CELLS} SET supp = true, why = 'sekundaer', seq = ?
            WHERE NOT supp AND cid IN (SELECT cid FROM pick WHERE nr = 1)
            """,
            ([] if since is None else [since]) + [seq],
        )
    )


def _write_back(con: duckdb.DuckDBPyConnection, rule: TableRule, stats: SuppressionStats) -> None:
    # one UPDATE of the flagged rows: each column NULL where its cell is suppressed
    t = quote(rule.table)
    cols = sorted(rule.columns())
    hidden = ", ".join(f"bool_or(col = {_literal(c)}) AS _h{i}" for i, c in enumerate(cols))
    sets = ", ".join(
        f"{quote(c)} = CASE WHEN s._h{i} THEN NULL ELSE {t}.{quote(c)} END"
        for i, c in enumerate(cols)
    )
    con.execute(
        f"UPDATE {t} SET {sets}, {FLAG} = true FROM (SELECT rid, {hidden} FROM {_CELLS} "
        f"WHERE tbl = ? AND supp GROUP BY rid) AS s WHERE {t}.rowid = s.rid",
        [rule.table],
    )
    counts = con.execute(
        f"SELECT coalesce(count_if(why = 'primaer'), 0), "
        f"coalesce(count_if(supp AND why <> 'primaer'), 0), "
        f"count(DISTINCT CASE WHEN supp THEN rid END) FROM {_CELLS} WHERE tbl = ?",
        [rule.table],
    ).fetchone()
    stats.primary[rule.table], stats.secondary[rule.table], stats.rows[rule.table] = counts


def _rerank(con: duckdb.DuckDBPyConnection, rule: TableRule) -> None:
    # ranks over the values still shown: a suppressed Jobcenter is not ranked, and no gap in
    # the ranks tells where it stood
    t = quote(rule.table)
    for r in rule.ranks:
        part = ", ".join(f"({e})" for e in r.within)
        value, rank, count = quote(r.value), quote(r.column), quote(r.count)
        con.execute(
            f"UPDATE {t} SET {rank} = n.rang, {count} = n.anzahl FROM (SELECT rowid AS rid, "
            f"CASE WHEN {value} IS NOT NULL THEN rank() OVER (PARTITION BY {part}, "
            f"{value} IS NULL ORDER BY {value} DESC) END AS rang, "
            f"count({value}) OVER (PARTITION BY {part}) AS anzahl FROM {t}) AS n "
            f"WHERE {t}.rowid = n.rid"
        )


def quote(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def visible_small_counts(con: duckdb.DuckDBPyConnection, rule: TableRule) -> dict[str, int]:
    """Per count column of `rule`: cells still visible with 1 or 2 persons in the published
    table (what primary suppression must have removed; all zero after `apply_suppression`)."""
    src = f"{quote(rule.table)} AS t {rule.join}"
    found: dict[str, int] = {}
    for k in rule.counts:
        for col in k.columns:
            sql = f"SELECT count(*) FROM {src} WHERE ({k.where}) AND {_small(f't.{quote(col)}')}"
            found[col] = found.get(col, 0) + con.execute(sql).fetchone()[0]
    return found


def rules_for(tables: Iterable[str], metas: Mapping[str, Any]) -> dict[str, TableRule]:
    """Parse the rules of `tables`; a table without metadata fails the publish."""
    return {t: parse_rule(t, metas.get(t)) for t in tables}


def suppress_published(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    tables: Sequence[str],
    rules: Mapping[str, TableRule],
    log: Callable[[str], None],
) -> SuppressionStats:
    """The publish step's entry: every published table must have a rule (no silent gaps)."""
    missing = sorted(set(tables) - set(rules))
    if missing:
        raise SuppressionConfigError(f"no suppression rule for published tables {missing}")
    stats = apply_suppression(con, catalog, {t: rules[t] for t in tables})
    for t in tables:
        if rules[t].none_reason is not None:
            log(f"suppression: {t} none ({rules[t].none_reason})")
        else:
            log(
                f"suppression: {t}: {stats.primary[t]} primary, {stats.secondary[t]} secondary "
                f"cells, {stats.rows[t]} rows flagged"
            )
    return stats
