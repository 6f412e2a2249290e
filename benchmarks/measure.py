"""Run one command as a subprocess and measure it: wall time, CPU time, peak memory, load.

Peak memory, two ways:
- `peak_tree_rss_mb`: the largest sum of RSS over the process and all its descendants,
  polled from /proc every POLL_SECONDS (psutil is not a dependency). Short spikes between
  two polls can be missed; shared pages are counted once per process.
- `max_child_rss_mb`: `ru_maxrss` from wait4() of this one child: the peak RSS of the
  largest single process in its tree (the child or a descendant it waited for), exact.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

POLL_SECONDS = 0.2
PAGE = os.sysconf("SC_PAGE_SIZE")
NOISY_LOAD = 1.0  # 1-min load before the run: more than half of a 2-core machine busy


@dataclass
class Measurement:
    cmd: list[str]
    returncode: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system of the tree (waited-for descendants)
    peak_tree_rss_mb: float = 0.0
    max_child_rss_mb: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_max_during: float = 0.0
    noisy: bool = False
    started_at: float = 0.0  # epoch seconds
    ended_at: float = 0.0
    log: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_bytes(pid: int) -> int:
    tree, todo, total = _children(), [pid], 0
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, IndexError):
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
        todo.extend(tree.get(p, []))
    return total


class _Poller(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.load_max, self.stop = pid, 0, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self.load_max = max(self.load_max, os.getloadavg()[0])
            self.stop.wait(POLL_SECONDS)


def run_measured(
    cmd: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measurement:
    """Run `cmd` with stdout+stderr to `log`; measure it (see module docstring)."""
    m = Measurement(cmd=cmd, log=str(log), load_before=os.getloadavg())
    m.noisy = m.load_before[0] > NOISY_LOAD
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        m.started_at, t0 = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        poller = _Poller(proc.pid)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        m.wall_s = round(time.perf_counter() - t0, 3)
        m.ended_at = time.time()
        poller.stop.set()
        poller.join()
    proc.returncode = m.returncode = os.waitstatus_to_exitcode(status)
    m.cpu_s = round(usage.ru_utime + usage.ru_stime, 2)
    m.max_child_rss_mb = round(usage.ru_maxrss / 1024, 1)
    m.peak_tree_rss_mb = round(poller.peak / 2**20, 1)
    m.load_after = os.getloadavg()
    m.load_max_during = round(max(poller.load_max, m.load_after[0]), 2)
    return m
