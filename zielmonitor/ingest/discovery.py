"""Find deliveries in the Hive tree `jobcenter=XXXXX/berichtsmonat=YYYY-MM/stand=YYYY-MM-DD/`.

Anything else in the tree is reported, never fatal to the scan: a folder that does not match
the pattern but holds files (a would-be delivery nobody can load) is an error, stray empty
folders and loose files are warnings. Hidden entries (`.gitkeep`, `.DS_Store`) are ignored.
A symbolic link that resolves outside the raw folder or in a loop is an error and is not
followed (links inside the raw folder are followed); see docs/validation.md, "Hostile
deliveries and limits".
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zielmonitor.contract import FIRST_BERICHTSMONAT
from zielmonitor.ingest.findings import Finding, error, warning

_JOBCENTER = re.compile(r"jobcenter=(\d{5})", re.ASCII)
_MONTH = re.compile(r"berichtsmonat=(\d{4}-(?:0[1-9]|1[0-2]))", re.ASCII)
_STAND = re.compile(r"stand=(\d{4}-\d{2}-\d{2})", re.ASCII)


@dataclass(frozen=True, order=True)
class DeliveryRef:
    """One delivery folder, identified by its folder names."""

    berichtsmonat: str  # YYYY-MM (first field: sorting gives month order)
    jobcenter_id: str
    stand: date
    path: Path

    @property
    def label(self) -> str:
        return (
            f"jobcenter={self.jobcenter_id} berichtsmonat={self.berichtsmonat} stand={self.stand}"
        )

    @property
    def file_stem(self) -> str:
        return f"{self.jobcenter_id}_{self.berichtsmonat}_{self.stand}"

    @property
    def month_start(self) -> date:
        return month_start(self.berichtsmonat)


def month_start(berichtsmonat: str) -> date:
    year, month = berichtsmonat.split("-")
    return date(int(year), int(month), 1)


def relative_path(path: Path, raw_dir: Path) -> str:
    """`path` relative to the raw folder, as stored in `_quelldatei` and `pfad`."""
    resolved = _resolved(path)
    if resolved is None or not resolved.is_relative_to(raw_dir.resolve()):
        return path.as_posix()  # a loop of links, or outside
    return resolved.relative_to(raw_dir.resolve()).as_posix()


def _resolved(path: Path) -> Path | None:
    """`path` with its links resolved, or None for a loop of links (Path.resolve raises
    RuntimeError before Python 3.13, OSError since)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def previous_month(berichtsmonat: str) -> str:
    d = month_start(berichtsmonat)
    return f"{d.year - 1}-12" if d.month == 1 else f"{d.year}-{d.month - 1:02d}"


def discover(
    raw_dir: Path, months: Iterable[str] | None = None
) -> tuple[list[DeliveryRef], list[Finding]]:
    """All deliveries (sorted by month, Jobcenter, stand) and the problems met on the way."""
    wanted = None if months is None else set(months)
    found: list[DeliveryRef] = []
    problems: list[Finding] = []
    if not raw_dir.is_dir():
        return [], [error("raw_dir_missing", f"raw folder {raw_dir.name!r} does not exist")]
    for jc_dir in _entries(raw_dir, problems, raw_dir):
        jc = _match(_JOBCENTER, jc_dir, problems, raw_dir)
        if jc is None:
            continue
        for month_dir in _entries(jc_dir, problems, raw_dir):
            month = _match(_MONTH, month_dir, problems, raw_dir)
            if month is not None and not _month_possible(month):
                problems.append(_impossible_month(month_dir, raw_dir))
                continue
            if month is None or (wanted is not None and month not in wanted):
                continue
            for stand_dir in _entries(month_dir, problems, raw_dir):
                stand = _match(_STAND, stand_dir, problems, raw_dir)
                if stand is not None:
                    parsed = parse_date(stand)
                    if parsed is None:
                        problems.append(_bad_folder(stand_dir, raw_dir))
                    else:
                        found.append(DeliveryRef(month, jc, parsed, stand_dir))
    return sorted(found), problems


def _month_possible(month: str) -> bool:
    """Between the first month of SGB II and the current month (also the range of the
    Dagster partitions: a month outside it must never reach a run)."""
    return FIRST_BERICHTSMONAT <= month <= date.today().strftime("%Y-%m")


def _impossible_month(folder: Path, raw_dir: Path) -> Finding:
    why = f"Berichtsmonat before {FIRST_BERICHTSMONAT} (SGB II) or after the current month"
    return error("month_out_of_range", f"{why}; not loaded", file=relative_path(folder, raw_dir))


def ref_from_path(path: Path) -> DeliveryRef | None:
    """The delivery a folder path names, or None if the three folder names do not match (or
    the path is a loop of links)."""
    path = _resolved(path)
    if path is None:
        return None
    names = (path.parents[1].name, path.parent.name, path.name)
    found = [p.fullmatch(n) for p, n in zip((_JOBCENTER, _MONTH, _STAND), names, strict=True)]
    if not all(found):
        return None
    stand = parse_date(found[2].group(1))
    return None if stand is None else DeliveryRef(found[1].group(1), found[0].group(1), stand, path)


def _entries(folder: Path, problems: list[Finding], raw_dir: Path) -> list[Path]:
    """Sub-folders of `folder`; loose files at this level are reported as junk, links out of
    the raw folder as errors (never followed)."""
    out = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        # `folder` is the raw folder or an entry already checked here, so only a link can
        # lead out of it (resolving every path costs an lstat per component: 0.4 s at SF10)
        if entry.is_symlink() and outside_raw(entry, raw_dir):
            problems.append(outside_finding(entry.relative_to(raw_dir).as_posix()))
        elif entry.is_dir():
            out.append(entry)
        else:
            problems.append(
                warning(
                    "stray_file",
                    "file outside any delivery folder, ignored",
                    file=relative_path(entry, raw_dir),
                )
            )
    return out


def _match(pattern: re.Pattern[str], folder: Path, problems: list[Finding], raw_dir: Path):
    m = pattern.fullmatch(folder.name)
    if m is None:
        problems.append(_bad_folder(folder, raw_dir))
        return None
    return m.group(1)


def _bad_folder(folder: Path, raw_dir: Path) -> Finding:
    rel = relative_path(folder, raw_dir)
    expected = "jobcenter=XXXXX/berichtsmonat=YYYY-MM/stand=YYYY-MM-DD"
    if any(p.is_file() for p in folder.rglob("*")):
        return error(
            "folder_name", f"folder with files does not match {expected}; not loaded", file=rel
        )
    return warning("folder_name", f"empty folder does not match {expected}, ignored", file=rel)


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- reading files of the raw tree safely ----------------------------------------------------


class NotRegularFileError(OSError):
    """A FIFO, device, socket or folder where a file was expected: never read (a FIFO blocks)."""


def outside_raw(path: Path, raw_dir: Path) -> bool:
    """True when `path` is (or passes through) a link resolving outside `raw_dir`, or a link
    that resolves nowhere (a loop): neither is followed."""
    resolved = _resolved(path)
    return resolved is None or not resolved.is_relative_to(raw_dir.resolve())


def outside_finding(file: str) -> Finding:
    return error(
        "outside_raw_dir",
        "symbolic link resolves outside the raw folder or in a loop: not followed, not read",
        file=file,
    )


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most `limit`). Opened without blocking and checked with
    fstat on the open descriptor, so a FIFO or device swapped in after a check is refused too."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(f"{path.name} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read() if limit is None else fh.read(limit)
    finally:
        os.close(fd)


def not_regular(path: Path) -> bool:
    """Something is there (a FIFO, device, folder, dangling link) but not a regular file."""
    return os.path.lexists(path) and not path.is_file()
