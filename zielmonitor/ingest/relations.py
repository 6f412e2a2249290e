"""The rules across files and months (docs/validation.md, "Across files and months"), each
defined once, as SQL over named tables, and turned into findings once.

Both ingest paths run these queries. The SQL path (`sql_path.py`) runs them over its batch's
temp tables; the detailed path (`validate.cross_checks`) registers its typed frames under the
same names in an in-memory DuckDB. Every input table carries `_d`, the delivery (the
detailed path has one, 0); the contract files also carry `_zeile`, the 1-based data row:

- `table(name)` for each contract file the rules read (`READS`);
- `table(PREV_PERSONS)`: `_d, person_id` of the previous month's `elb_bestand`;
- `table(EARLIER_EINTRITTE)`: `_d, foerderfall_id, person_id, instrument, eintritt`, the
  latest Eintritt of a Förderfall in an earlier loaded month (at least those the Austritte
  name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from zielmonitor.ingest.findings import MAX_PER_RULE, Finding, Severity, finding, more, warning

PREFIX = "_zm_"  # every table the rules read, in either path's connection
PREV_PERSONS = "personen_vormonat"
EARLIER_EINTRITTE = "eintritte_frueher"
KNOWN_EINTRITTE = "eintritte_bekannt"  # built here: the Eintritt each Austritt refers to
EVENT_FILES = ("erwerbsaufnahmen", "massnahme_eintritte", "massnahme_austritte", "kontakte")
READS = {  # contract file -> the columns the rules read
    "elb_bestand": ("person_id", "bg_id"),
    "leistungen": ("bg_id",),
    "erwerbsaufnahmen": ("person_id",),
    "massnahme_eintritte": (
        "foerderfall_id",
        "person_id",
        "instrument",
        "eintritt",
        "massnahme_ziel",
    ),
    "massnahme_austritte": ("foerderfall_id", "person_id", "austritt", "abschluss_bestanden"),
    "kontakte": ("person_id",),
}
PERSON_NOT_PROVABLE = (  # the previous month is unknown: a warning, not an error
    "person_not_in_stock",
    "person not in this month's elb_bestand; previous month unknown, so not provable",
)
PERSON_NOT_IN_STOCK = (
    "person_not_in_stock",
    "person in neither this month's nor the previous month's elb_bestand ({})",
)


def table(name: str) -> str:
    return PREFIX + name


@dataclass(frozen=True)
class Relation:
    """A rule as a query returning its offending rows `_d, _zeile, value, detail`; `detail`
    fills the message's `{}`."""

    rule: str
    severity: Severity
    file: str  # contract name of the file the finding is in
    column: str
    message: str
    sql: str
    written: bool = False  # the value as written in the file, not as typed (dates, flags)


_A, _K = table("massnahme_austritte"), table(KNOWN_EINTRITTE)
_SAME_FALL = "k._d = a._d AND k.foerderfall_id IS NOT DISTINCT FROM a.foerderfall_id"
_MATCHED = f"{_A} a JOIN {_K} k ON {_SAME_FALL}"
BG_NOT_IN_STOCK = Relation(
    "bg_not_in_stock",
    "warning",
    "leistungen",
    "bg_id",
    "BG not in elb_bestand (allowed for BGs of non-eLB only)",
    f"SELECT _d, _zeile, bg_id, NULL FROM {table('leistungen')} b WHERE bg_id IS NOT NULL"
    f" AND NOT EXISTS (SELECT 1 FROM {table('elb_bestand')} e"
    "                  WHERE e._d = b._d AND e.bg_id = b.bg_id)",
)
ZIEL_MISSING = Relation(
    "massnahme_ziel_missing",
    "warning",
    "massnahme_eintritte",
    "massnahme_ziel",
    "FBW Eintritt without massnahme_ziel",
    f"SELECT _d, _zeile, NULL, NULL FROM {table('massnahme_eintritte')}"
    " WHERE instrument = 'FBW' AND massnahme_ziel IS NULL",
)
# An Austritt's rules, in the order they are reported for a row.
AUSTRITTE = (
    Relation(
        "austritt_without_eintritt",
        "warning",
        "massnahme_austritte",
        "foerderfall_id",
        "no Eintritt of this or an earlier loaded month (may predate the history)",
        f"SELECT _d, _zeile, foerderfall_id, NULL FROM {_A} a"
        f" WHERE NOT EXISTS (SELECT 1 FROM {_K} k WHERE {_SAME_FALL})",
    ),
    Relation(
        "austritt_person_mismatch",
        "error",
        "massnahme_austritte",
        "person_id",
        "Eintritt of this Förderfall belongs to person {}",
        f"SELECT a._d, a._zeile, a.person_id, k.person_id FROM {_MATCHED}"
        " WHERE a.person_id IS NOT NULL AND a.person_id IS DISTINCT FROM k.person_id",
    ),
    Relation(
        "austritt_before_eintritt",
        "error",
        "massnahme_austritte",
        "austritt",
        "Austritt before the Eintritt {}",
        f"SELECT a._d, a._zeile, a.austritt, k.eintritt FROM {_MATCHED}"
        " WHERE a.austritt < k.eintritt",
        written=True,
    ),
    Relation(
        "abschluss_bestanden_fbw_only",
        "error",
        "massnahme_austritte",
        "abschluss_bestanden",
        "abschluss_bestanden is for FBW only, Förderfall is {}",
        f"SELECT a._d, a._zeile, a.abschluss_bestanden, k.instrument FROM {_MATCHED}"
        " WHERE a.abschluss_bestanden IS NOT NULL AND k.instrument IS DISTINCT FROM 'FBW'",
        written=True,
    ),
)

# The value a finding shows, as written in the file: (contract name, row, column, typed value)
Written = Callable[[str, int, str, Any], Any]


def findings(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, str],
    prev_source: dict[int, str | None],
    written: Written | None = None,
) -> dict[int, list[Finding]]:
    """Every finding of the rules across files per delivery `_d`, in file and row order.

    `files`: contract name -> file name, for the files present; `prev_source`: per delivery
    where its previous month's stock came from (None: unknown, so strays are warnings);
    `written`: the cell as written, for findings on a typed column (default: the value)."""
    out: dict[int, list[Finding]] = {d: [] for d in prev_source}
    if "elb_bestand" not in files:
        return out  # the stock itself is broken: already an error
    shown = written or (lambda _name, _row, _column, value: value)
    _persons(con, files, prev_source, out)
    for rel in (BG_NOT_IN_STOCK, ZIEL_MISSING):
        if rel.file in files:
            for d, row, value, detail in _rows(con, rel.sql):
                out[d].append(_finding(rel, files, row, value, detail))
    if "massnahme_austritte" in files:
        _austritte(con, files, out, shown)
    return out


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM ({sql}) ORDER BY 1, 2").fetchall()


def _finding(rel: Relation, files: dict[str, str], row: int, value: Any, detail: Any) -> Finding:
    message = rel.message.format(detail)
    return finding(rel.severity, rel.rule, message, files[rel.file], row, rel.column, value)


def persons_sql(names: list[str]) -> str:
    """Event rows `f, _d, _zeile, person_id` (f: index into `names`) whose person is in
    neither this month's stock nor the previous month's. One anti-join for all event files,
    so the known persons are hashed once."""
    events = " UNION ALL ".join(
        f"SELECT {f} AS f, _d, _zeile, person_id FROM {table(name)}" for f, name in enumerate(names)
    )
    return f"""WITH known AS (
      SELECT _d, person_id FROM {table("elb_bestand")}
      UNION ALL SELECT _d, person_id FROM {table(PREV_PERSONS)})
    SELECT e.f, e._d, e._zeile, e.person_id FROM ({events}) e
    WHERE e.person_id IS NOT NULL AND NOT EXISTS
      (SELECT 1 FROM known k WHERE k._d = e._d AND k.person_id = e.person_id)
    ORDER BY e.f, e._d, e._zeile"""


def _persons(con, files: dict[str, str], prev_source: dict[int, str | None], out) -> None:
    """Strays are errors (the first MAX_PER_RULE per file and delivery, then a count), or
    warnings, all of them, where the previous month is unknown: warnings are stored with a
    loaded delivery."""
    names = [name for name in EVENT_FILES if name in files]
    if not names:
        return
    errors: dict[tuple[int, int], int] = {}
    for f, d, row, person in con.execute(persons_sql(names)).fetchall():
        file = files[names[f]]
        source = prev_source[d]
        if source is None:
            out[d].append(warning(*PERSON_NOT_PROVABLE, file, row, "person_id", person))
            continue
        n = errors[f, d] = errors.get((f, d), 0) + 1
        if n <= MAX_PER_RULE:
            rule, why = PERSON_NOT_IN_STOCK
            out[d].append(
                finding("error", rule, why.format(source), file, row, "person_id", person)
            )
    for (f, d), n in errors.items():
        if n > MAX_PER_RULE:
            out[d].append(more("error", files[names[f]], "person_not_in_stock", n - MAX_PER_RULE))


def known_eintritte_sql(with_eintritte: bool) -> str:
    """The Eintritt each Förderfall refers to: this delivery's (its last row of a Förderfall),
    else the latest of an earlier month."""
    this = (
        f"SELECT _d, foerderfall_id, person_id, instrument, CAST(eintritt AS DATE) AS eintritt"
        f" FROM {table('massnahme_eintritte')}"
        " QUALIFY row_number() OVER (PARTITION BY _d, foerderfall_id ORDER BY _zeile DESC) = 1"
        if with_eintritte
        else "SELECT NULL::INTEGER AS _d, NULL::VARCHAR AS foerderfall_id,"
        " NULL::VARCHAR AS person_id, NULL::VARCHAR AS instrument, NULL::DATE AS eintritt"
        " WHERE false"
    )
    return f"""CREATE OR REPLACE TEMP TABLE {_K} AS
    WITH this AS ({this})
    SELECT * FROM this
    UNION ALL
    SELECT f._d, f.foerderfall_id, f.person_id, f.instrument, CAST(f.eintritt AS DATE)
    FROM {table(EARLIER_EINTRITTE)} f
    WHERE NOT EXISTS (SELECT 1 FROM this WHERE this._d = f._d
                      AND this.foerderfall_id IS NOT DISTINCT FROM f.foerderfall_id)"""


def _austritte(con, files: dict[str, str], out, written: Written) -> None:
    """Each Austritt against its Eintritt; a row's findings in the order of AUSTRITTE."""
    con.execute(known_eintritte_sql("massnahme_eintritte" in files))
    found = []
    for order, rel in enumerate(AUSTRITTE):
        for d, row, value, detail in _rows(con, rel.sql):
            shown = written(rel.file, row, rel.column, value) if rel.written else value
            found.append((d, row, order, _finding(rel, files, row, shown, detail)))
    for d, _row, _order, f in sorted(found, key=lambda x: x[:3]):
        out[d].append(f)
