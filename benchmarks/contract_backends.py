"""Time the row rules of the contract three ways on one month of deliveries (a batch: one
delivery per Jobcenter) and show what each way reports on a broken file:

- SQL: the SQL path's predicates (generated from `contract.FileSpec.rules`) in DuckDB;
- pandas: the detailed path, pandera on a pandas copy of each delivery (read, parse, check);
- ibis: pandera's Ibis backend (`pandera.ibis`) on the SQL path's typed tables, in DuckDB.

`ibis-framework` is no dependency of the project: this script runs only where it is
importable (docs/validation.md, "Where the rules are checked", says how it was measured).

    python -m benchmarks.contract_backends /tmp/h2_sf10 --month 2014-01
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from zielmonitor.contract import FILES, FileSpec
from zielmonitor.ingest import discover, ensure_tables
from zielmonitor.ingest.history import History
from zielmonitor.ingest.reader import parse_file, read_file
from zielmonitor.ingest.schemas import RuleContext, build_schema
from zielmonitor.ingest.sql_path import SqlDelivery, _unclean_files, check_batch, prepare
from zielmonitor.ingest.validate import rule_context


def timed(label: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    out = fn()
    print(f"  {label}: {time.perf_counter() - started:.2f} s")
    return out


def ibis_schema(spec: FileSpec, ctx: RuleContext, batch_key: tuple[str, ...] = ()):
    """pandera.ibis schema of the file's value rules, keys and required columns (the three
    rules across columns of a row would need custom checks; left out of the timing)."""
    import pandera.ibis as pi

    checks: dict[str, list] = {c.name: [] for c in spec.columns}
    for r in spec.rules:
        if r.kind == "isin":
            checks[r.column].append(pi.Check.isin(list(r.values), error=r.code))
        elif r.kind == "matches":
            checks[r.column].append(pi.Check.str_matches(f"^{r.pattern}$", error=r.code))
        elif r.kind == "range":
            lo, hi = ctx.value(r.lo), ctx.value(r.hi)
            if lo is not None:
                check = pi.Check.gt if r.lo_open else pi.Check.ge
                checks[r.column].append(check(lo, error=r.code))
            if hi is not None:
                checks[r.column].append(pi.Check.le(hi, error=r.code))
    columns = {
        c.name: pi.Column(None, checks=checks[c.name], nullable=not c.required)
        for c in spec.columns
    }
    unique = [*batch_key, *spec.key]  # in a batch, keys are unique per delivery `_d`
    return pi.DataFrameSchema(columns, unique=unique, report_duplicates="all")


def run_ibis(con: duckdb.DuckDBPyConnection, ctx: RuleContext) -> dict[str, Any]:
    import ibis
    from pandera.errors import SchemaErrors

    backend = ibis.duckdb.from_connection(con)
    out = {}
    for spec in FILES:
        name = SqlDelivery.table(spec.name)
        if not con.execute(f"SELECT 1 FROM duckdb_tables() WHERE table_name = '{name}'").fetchone():
            continue
        table = backend.table(name).drop("_unparsed")
        try:
            ibis_schema(spec, ctx, ("_d",)).validate(table, lazy=True)
            out[spec.name] = None
        except SchemaErrors as exc:
            out[spec.name] = exc.failure_cases
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--month", required=True)
    parser.add_argument("--skip-ibis", action="store_true")
    args = parser.parse_args(argv)
    refs, _ = discover(args.raw_dir, [args.month])
    first = {}
    for ref in refs:  # the first stand of each Jobcenter: one batch
        first.setdefault(ref.jobcenter_id, ref)
    batch = list(first.values())
    print(f"{len(batch)} deliveries of {args.month}, duckdb {duckdb.__version__}")
    con = duckdb.connect()
    ensure_tables(con)
    prepared = timed("read (pyarrow, shared by SQL and ibis)", lambda: [prepare(r) for r in batch])
    clean, detailed = timed("SQL: type + every rule + cross checks", lambda: check_batch(
        con, prepared, args.raw_dir))  # fmt: skip
    print(f"  SQL verdict: {len(clean)} clean, {len(detailed)} for the detailed path")
    timed("SQL: the row rules and keys alone", lambda: [_unclean_files(con, s) for s in FILES])
    ctx = rule_context(prepared[0].manifest.stichtag, History())
    if not args.skip_ibis:
        cases = timed("ibis: pandera.ibis value rules and keys", lambda: run_ibis(con, ctx))
        print(f"  ibis failures: { {k: (0 if v is None else len(v)) for k, v in cases.items()} }")

    def pandas_path() -> None:
        parsed = {}
        for ref in batch:
            for spec in FILES:
                path = ref.path / spec.csv_name
                if path.exists():
                    parsed[(ref, spec.name)] = (spec, parse_file(read_file(path, spec), spec))
        timed("pandas: schema validation alone", lambda: [
            build_schema(s, ctx).schema.validate(p.typed, lazy=True) for s, p in parsed.values()
        ])  # fmt: skip

    timed("pandas: read + parse + pandera (detailed path)", pandas_path)
    if not args.skip_ibis:
        broken_findings(batch[0], ctx)
    return 0


def broken_findings(ref, ctx: RuleContext) -> None:
    """The same three faults in elb_bestand, reported by pandas-pandera and pandera.ibis."""
    import ibis
    from pandera.errors import SchemaErrors

    from zielmonitor.contract import FILES_BY_NAME
    from zielmonitor.ingest.schemas import findings_from_cases

    spec = FILES_BY_NAME["elb_bestand"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / spec.csv_name
        shutil.copy(ref.path / spec.csv_name, path)
        data = path.read_bytes()
        encoding = "utf-8" if data.isascii() or _utf8(data) else "cp1252"
        lines = data.decode(encoding).splitlines(keepends=True)
        header = lines[0].rstrip("\r\n").split(";")
        cells = [line.rstrip("\r\n").split(";") for line in lines[1:]]
        cells[2][header.index("geschlecht")] = "x"  # row 3: code_list
        cells[4][header.index("elb_tage_730")] = "999"  # row 5: max
        cells[7][header.index("person_id")] = cells[6][header.index("person_id")]  # rows 7+8
        path.write_text(lines[0] + "".join(";".join(c) + "\n" for c in cells), encoding="utf-8")
        parsed = parse_file(read_file(path, spec), spec)
    fs = build_schema(spec, ctx)
    try:
        fs.schema.validate(parsed.typed, lazy=True)
    except SchemaErrors as exc:
        print("pandas findings (detailed path):")
        for f in findings_from_cases(fs, exc.failure_cases, parsed.raw.strings, "x", set()):
            print("   ", f.line())
    con = duckdb.connect()
    con.register("typed", parsed.typed.reset_index(names="_zeile"))
    con.execute("CREATE TABLE elb AS SELECT * FROM typed")
    table = ibis.duckdb.from_connection(con).table("elb")
    try:
        ibis_schema(spec, ctx).validate(table, lazy=True)
    except SchemaErrors as exc:
        print("pandera.ibis failure cases:")
        print(exc.failure_cases.to_string(max_colwidth=40))


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
