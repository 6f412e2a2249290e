"""`zielmonitor`: the command line of the warehouse.

    zielmonitor generate [--out DIR] [--jobcenters N] [--seed S] [--from 2014-01] [--to 2016-12]
    zielmonitor refresh [--as-of YYYY-MM-DD] [--full]
    zielmonitor report [--jahr J] [--monat M] [--as-of D] [--jobcenter ID] [--format text|html]
    zielmonitor withdraw --jobcenter J --monat YYYY-MM --stand YYYY-MM-DD --grund TEXT
    zielmonitor demo
    zielmonitor prepare
    zielmonitor dev            (the Dagster UI on this project)

Paths: ZIELMONITOR_RAW_DIR (default data/raw), ZIELMONITOR_DATA_DIR (default data).
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import sys
import time
import traceback
from datetime import date
from pathlib import Path

from zielmonitor.config import PROJECT_DIR, as_of_date, get_paths
from zielmonitor.private_files import restrict_umask, share


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {value!r}")
    return value


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from exc


def _as_of(value: str) -> str:
    try:
        return as_of_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _jobcenter(value: str) -> str:
    if not re.fullmatch(r"\d{5}", value):
        raise argparse.ArgumentTypeError(f"expected a 5-digit key, got {value!r}")
    return value


def _reason(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("say why the delivery is withdrawn")
    return value.strip()


def _say(message: str) -> None:
    print(f"[zielmonitor {time.strftime('%H:%M:%S')}] {message}", flush=True)


def cmd_generate(args: argparse.Namespace) -> int:
    from zielmonitor.generator import generate

    out = Path(args.out) if args.out else get_paths().raw_dir
    _say(f"generate: {args.jobcenters} Jobcenter(s), {args.start} … {args.end}, seed {args.seed}")
    summary = generate(
        out, jobcenters=args.jobcenters, seed=args.seed, start=args.start, end=args.end,
        progress=_say,
    )  # fmt: skip
    rows, secs = sum(summary.rows.values()), summary.seconds
    _say(f"generate: {summary.deliveries} deliveries, {rows:,} rows, {secs:.0f} s → {out}")
    return 0


def cmd_prepare(_: argparse.Namespace) -> int:
    from zielmonitor.pipeline import prepare_dbt, prepare_environment

    prepare_environment(get_paths())
    prepare_dbt(_say, force=True)
    _say("prepare: dbt manifest and Dagster home ready")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from zielmonitor.pipeline import refresh

    outcome = refresh(as_of=args.as_of, log=_say, full=args.full)
    if outcome.success and outcome.run_id is None:
        _say(f"refresh: {outcome.message} ({outcome.seconds:.1f} s)")
        return 0
    if outcome.success:
        _say(f"refresh: done in {outcome.seconds:.1f} s (run {outcome.run_id})")
        return 0
    _say(f"refresh: FAILED after {outcome.seconds:.1f} s (run {outcome.run_id})")
    _say("published marts unchanged. What failed:")
    print(outcome.message, file=sys.stderr, flush=True)
    return 1


def cmd_report(args: argparse.Namespace) -> int:
    marts = get_paths().marts_as_of(args.as_of)
    if not marts.exists():
        hint = f" --as-of {args.as_of}" if args.as_of else ""
        print(f"no marts at {marts}: run `zielmonitor refresh{hint}` first", file=sys.stderr)
        return 1
    if args.format == "html":
        from zielmonitor.report.html import render_html

        out = Path(args.out or "zielsteuerungsdialog.html")
        # a wrong --out is a usage error, not a crash: one line, before any work. A missing
        # folder is not created: a mistyped path should not leave folders behind.
        problem = (
            "is a directory; give a file name" if out.is_dir()
            else f"folder {out.parent} does not exist" if not out.parent.is_dir()
            else f"folder {out.parent} is not writable" if not os.access(out.parent, os.W_OK)
            else None
        )  # fmt: skip
        if problem:
            print(f"report: --out {out}: {problem}", file=sys.stderr)
            return 2
        html = render_html(marts, args.jobcenter, args.jahr, args.monat)
        out.write_text(html, encoding="utf-8")
        share(out)  # 0644 despite the umask 077 of main()
        _say(f"report: {out} ({len(html.encode()) / 1024:.0f} KiB)")
        return 0
    from zielmonitor.report.text import render_report

    print(render_report(marts, args.jobcenter, args.jahr, args.monat))
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Quarantine a wrong delivery, record who, when and why, then refresh without it."""
    from zielmonitor.locking import WarehouseBusyError, warehouse_lock
    from zielmonitor.pipeline import prepare_environment
    from zielmonitor.quarantine import WithdrawError, withdraw

    paths = get_paths()
    prepare_environment(paths)
    label = f"jobcenter={args.jobcenter} berichtsmonat={args.monat} stand={args.stand}"
    try:
        with warehouse_lock(paths, f"zielmonitor withdraw {label}", _say):
            done = withdraw(paths, args.jobcenter, args.monat, args.stand, args.grund)
    except (WithdrawError, WarehouseBusyError) as exc:
        _say(f"withdraw: {exc}; nothing was changed")
        return 1
    _say(f"withdraw: {label} moved to {done.target} (by {done.by}, recorded in raw.rueckzuege)")
    _say("withdraw: refreshing without it")
    return cmd_refresh(argparse.Namespace(as_of=None, full=False))


def cmd_demo(args: argparse.Namespace) -> int:
    from zielmonitor.summary import print_summary

    raw = get_paths().raw_dir
    if not any(raw.glob("jobcenter=*")):
        _generate_demo(raw)
    else:
        _say(f"demo: deliveries found in {raw}, not generating")
    if cmd_refresh(argparse.Namespace(as_of=None, full=False)) != 0:
        return 1
    print_summary(get_paths().marts)
    print()
    rc = cmd_report(argparse.Namespace(as_of=None, format="text", jobcenter="05111",
                                       jahr=None, monat=None, out=None))  # fmt: skip
    uebersicht = get_paths().data_dir / "zielsteuerungsdialog.html"
    if rc == 0:  # the overview of all agreements, for the browser (offline, printable)
        rc = cmd_report(argparse.Namespace(as_of=None, format="html", jobcenter=None,
                                           jahr=None, monat=None, out=str(uebersicht)))  # fmt: skip
    return rc


# The demo's comparison (docs/vergleich.md): Düsseldorf at full size and six smaller
# Jobcenters (types IIIe ×3, V ×3, IIId ×1), Düsseldorf's data as with one Jobcenter.
DEMO_JOBCENTER, DEMO_SCALE_WEITERE = 7, 0.15


def _generate_demo(raw: Path) -> None:
    from zielmonitor.generator import generate

    _say(f"generate: {DEMO_JOBCENTER} Jobcenters (others at {DEMO_SCALE_WEITERE:g} of their "
         "size), 2014-01 … 2016-12, seed 42")  # fmt: skip
    summary = generate(raw, jobcenters=DEMO_JOBCENTER, seed=42, progress=None, workers=2,
                       scale_weitere=DEMO_SCALE_WEITERE)  # fmt: skip
    rows = sum(summary.rows.values())
    _say(f"generate: {summary.deliveries} deliveries, {rows:,} rows, {summary.seconds:.0f} s")


def cmd_dev(_: argparse.Namespace) -> int:
    from zielmonitor.pipeline import prepare_dbt, prepare_environment

    prepare_environment(get_paths())
    prepare_dbt(_say)
    os.chdir(PROJECT_DIR)
    dagster = Path(sys.executable).with_name("dagster")
    os.execv(dagster, [str(dagster), "dev", "-m", "orchestration.definitions"])
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zielmonitor", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic monthly deliveries")
    gen.add_argument("--out", help="raw folder (default: $ZIELMONITOR_RAW_DIR or data/raw)")
    gen.add_argument("--jobcenters", type=int, default=1, help="number of Jobcenters (SF)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--from", dest="start", type=_month, default="2014-01")
    gen.add_argument("--to", dest="end", type=_month, default="2016-12")
    gen.set_defaults(func=cmd_generate)

    ref = sub.add_parser("refresh", help="ingest every delivery, build dbt, publish the marts")
    ref.add_argument("--as-of", type=_as_of, help="figures as known on this date (YYYY-MM-DD)")
    ref.add_argument(
        "--full", action="store_true", help="rebuild every model, even when nothing changed"
    )
    ref.set_defaults(func=cmd_refresh)

    rep = sub.add_parser("report", help="the Zielerreichung table (terminal or HTML)")
    rep.add_argument("--jahr", type=int, help="target year (default: latest with data)")
    rep.add_argument("--monat", type=int, choices=range(1, 13), metavar="1-12")
    rep.add_argument("--as-of", type=_as_of, help="marts of an as-of refresh")
    rep.add_argument("--jobcenter", help="5-digit key (default: every Jobcenter)")
    rep.add_argument("--format", choices=("text", "html"), default="text")
    rep.add_argument("--out", help="HTML file (default: zielsteuerungsdialog.html)")
    rep.set_defaults(func=cmd_report)

    wd = sub.add_parser("withdraw", help="take a wrong delivery back (quarantine), then refresh")
    wd.add_argument("--jobcenter", required=True, type=_jobcenter, help="5-digit key")
    wd.add_argument("--monat", required=True, type=_month, help="Berichtsmonat YYYY-MM")
    wd.add_argument("--stand", required=True, type=_day, help="Stand YYYY-MM-DD")
    wd.add_argument("--grund", required=True, type=_reason, help="why (recorded in the warehouse)")
    wd.set_defaults(func=cmd_withdraw)

    sub.add_parser("demo", help="generate if empty, refresh, summarise").set_defaults(func=cmd_demo)
    sub.add_parser("prepare", help="build the dbt manifest, set up DAGSTER_HOME").set_defaults(
        func=cmd_prepare
    )
    sub.add_parser("dev", help="start the Dagster UI (dagster dev) on this project").set_defaults(
        func=cmd_dev
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    restrict_umask()  # person data: new files 0600, folders 0700 (private_files.py)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _say("interrupted: nothing half-written is kept (the next refresh starts clean)")
        return 130
    except Exception as exc:  # the operator gets one line; the traceback goes to a file
        where = _write_traceback(exc)
        _say(f"{args.command}: FAILED: {type(exc).__name__}: {_first_line(exc)}")
        _say(f"the full traceback is in {where}")
        if any(c.__name__ == "DatabaseError" for c in type(exc).__mro__):
            _name_broken_dagster_storage()
        return 1


def _name_broken_dagster_storage() -> None:
    """SQLite's "file is not a database" names no file: name it, and say what to do."""
    from zielmonitor.pipeline import unreadable_dagster_storage

    for db in unreadable_dagster_storage(get_paths()):
        _say(
            f"{db} cannot be read by SQLite. It is Dagster's run history, which no figure"
            f" depends on: move it aside (mv '{db}' '{db}.defekt') and run the command again"
        )


def run() -> None:
    """The console script: `main`, then leave without tearing the interpreter down. Freeing
    the modules of Dagster, dbt and DuckDB took 0.7–1.2 s after every refresh; the exit
    handlers still run, and every file and DuckDB connection is closed by then."""
    code = main()
    atexit._run_exitfuncs()  # logging's flush, multiprocessing's clean-up
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "(no message)"


def _write_traceback(exc: BaseException) -> Path:
    """Into the data folder's logs/ (owner-only: a message may quote person data)."""
    logs = get_paths().data_dir / "logs"
    logs.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = logs / f"zielmonitor-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


if __name__ == "__main__":
    run()
