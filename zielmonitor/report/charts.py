"""Line charts of the HTML report: the geometry in plain Python (axis ticks, scaling, paths),
the SVG markup in the template `templates/diagramm.svg.j2`.

A chart has categories on x (months), series with gaps (None: suppressed or missing, never
interpolated), horizontal reference lines (Zielwert, expectation, old target), hatched
categories (provisional months) and an optional projected year-end value (Hochrechnung).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from zielmonitor.report.format import zahl

RAND_L, RAND_R, RAND_O, RAND_U = 62, 118, 14, 30
Skala = Callable[[float], float]  # data value (or category index) -> pixel


@dataclass(frozen=True)
class Reihe:
    """A series over the x categories; None = gap (suppressed or missing)."""

    name: str
    werte: Sequence[float | None]
    klasse: str  # css class: ist, soll, mittel, vorjahr, ...
    offen: Sequence[bool] = ()  # hollow marker (provisional) per point
    marker: bool = True


@dataclass(frozen=True)
class Linie:
    """A horizontal reference line (Zielwert, expectation, old target)."""

    wert: float
    name: str
    klasse: str


@dataclass(frozen=True)
class Diagramm:
    titel: str
    x_labels: Sequence[str]
    reihen: Sequence[Reihe]
    linien: Sequence[Linie] = ()
    einheit: str = ""
    schraffiert: Sequence[bool] = ()  # x categories to hatch (provisional months)
    hochrechnung: float | None = None  # projected year-end value, drawn at the last category
    attribute: dict[str, str] = field(default_factory=dict)  # data-* on the <svg>
    breite: int = 640
    hoehe: int = 230


def achse(werte: Sequence[float], anzahl: int = 5) -> list[float]:
    """Round tick values covering `werte` (steps 1, 2, 2.5, 5 × 10^k); zero included when
    the data start below half their maximum, so small levels are not exaggerated."""
    lo, hi = min(werte), max(werte)
    if lo >= 0 and lo < hi / 2:
        lo = 0.0
    if hi <= 0 and hi > lo / 2:
        hi = 0.0
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    roh = (hi - lo) / (anzahl - 1)
    basis = 10 ** math.floor(math.log10(roh))
    schritt = next(f * basis for f in (1, 2, 2.5, 5, 10) if f * basis >= roh)
    start = math.floor(lo / schritt + 1e-9) * schritt
    ticks = [start]
    while ticks[-1] < hi - 1e-9:
        ticks.append(round(ticks[-1] + schritt, 10))
    return ticks


def stellen(ticks: Sequence[float]) -> int:
    """Decimals that show the tick step exactly (2.5 -> 1, 0.2 -> 1, 200 -> 0)."""
    schritt = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return next((k for k in range(4) if abs(schritt * 10**k - round(schritt * 10**k)) < 1e-6), 4)


def skaliere(wert: float, lo: float, hi: float, a: float, b: float) -> float:
    """Linear map of wert in [lo, hi] onto [a, b] (b < a for the upward y axis)."""
    return a + (wert - lo) / (hi - lo) * (b - a)


def pfad(punkte: Sequence[tuple[float, float] | None]) -> str:
    """SVG path data through the points; None breaks the line (a gap, never interpolated)."""
    teile, neu = [], True
    for p in punkte:
        if p is None:
            neu = True
            continue
        teile.append(f"{'M' if neu else 'L'}{p[0]:.1f},{p[1]:.1f}")
        neu = False
    return "".join(teile)


def etiketten_y(ys: Sequence[float], abstand: float = 11.0) -> list[float]:
    """Label positions beside reference lines, pushed apart so equal or close lines (old
    target = new target) do not print their labels on top of each other."""
    out = list(ys)
    reihenfolge = sorted(range(len(ys)), key=lambda i: ys[i])
    for vorher, i in zip(reihenfolge, reihenfolge[1:], strict=False):
        out[i] = max(out[i], out[vorher] + abstand)
    return out


def _f(wert: float) -> str:
    """A pixel coordinate as written into the SVG (one decimal)."""
    return f"{wert:.1f}"


@dataclass(frozen=True)
class Punkt:
    cx: str
    cy: str
    offen: bool
    titel: str


@dataclass(frozen=True)
class ReiheSvg:
    name: str
    klasse: str
    d: str
    punkte: list[Punkt]


@dataclass
class Geometrie:
    """Everything the SVG template writes, as final strings and numbers."""

    d: Diagramm
    leer: bool
    x0: int = 0
    x1: int = 0
    y0: int = 0
    y1: int = 0
    muster_id: str = ""
    baender: list[tuple[str, str]] = field(default_factory=list)  # (x, width) per hatched month
    ticks: list[tuple[str, str, str]] = field(default_factory=list)  # (y, label y, label)
    achse_y: str = ""  # middle of the y axis, for the rotated unit label
    x_labels: list[tuple[str, str]] = field(default_factory=list)  # (x, label)
    linien: list[tuple[Linie, str, str]] = field(default_factory=list)  # (line, y, label y)
    reihen: list[ReiheSvg] = field(default_factory=list)
    hochrechnung_d: str = ""  # dotted line from the last Ist to the projection
    raute_d: str = ""
    hochrechnung_titel: str = ""


def geometrie(d: Diagramm) -> Geometrie:
    """Lay the chart out: pixel positions of ticks, labels, lines, series and markers."""
    n = len(d.x_labels)
    alle = [w for r in d.reihen for w in r.werte if w is not None]
    alle += [li.wert for li in d.linien]
    alle += [d.hochrechnung] if d.hochrechnung is not None else []
    if not alle or n == 0:
        return Geometrie(d, leer=True)
    g = Geometrie(d, leer=False, x0=RAND_L, x1=d.breite - RAND_R, y0=d.hoehe - RAND_U, y1=RAND_O)
    ticks = achse(alle)
    lo, hi = ticks[0], ticks[-1]

    def x(i: int) -> float:
        return g.x0 + (i + 0.5) * (g.x1 - g.x0) / n

    def y(w: float) -> float:
        return skaliere(w, lo, hi, g.y0, g.y1)

    _schraffur(g, n)
    g.ticks = [(_f(y(t)), _f(y(t) + 4), zahl(t, stellen(ticks))) for t in ticks]
    g.achse_y = _f((y(ticks[0]) + y(ticks[-1])) / 2)
    g.x_labels = [(_f(x(i)), t) for i, t in enumerate(d.x_labels)]
    ys = [y(li.wert) for li in d.linien]
    paare = zip(d.linien, ys, etiketten_y(ys), strict=True)
    g.linien = [(li, _f(ly), _f(ey + 4)) for li, ly, ey in paare]
    g.reihen = [_reihe(r, x, y, d.einheit, d.x_labels) for r in d.reihen]
    if d.hochrechnung is not None:
        _hochrechnung(g, x, y, n)
    return g


def _schraffur(g: Geometrie, n: int) -> None:
    d = g.d
    if not any(d.schraffiert):
        return
    g.muster_id = "h-" + re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(d.attribute.values()) or d.titel)
    breite = (g.x1 - g.x0) / n
    g.baender = [(_f(g.x0 + i * breite), _f(breite)) for i, s in enumerate(d.schraffiert) if s]


def _reihe(r: Reihe, x: Skala, y: Skala, einheit: str, labels: Sequence[str]) -> ReiheSvg:
    punkte = [None if w is None else (x(i), y(w)) for i, w in enumerate(r.werte)]
    marker = []
    for i, p in enumerate(punkte if r.marker else ()):
        if p is None:
            continue
        offen = i < len(r.offen) and bool(r.offen[i])
        titel = f"{r.name} {labels[i]}: {zahl(r.werte[i], 2)} {einheit}".strip()
        marker.append(Punkt(_f(p[0]), _f(p[1]), offen, titel + (" (vorläufig)" if offen else "")))
    return ReiheSvg(r.name, r.klasse, pfad(punkte), marker)


def _hochrechnung(g: Geometrie, x: Skala, y: Skala, n: int) -> None:
    d = g.d
    ist = next((r for r in d.reihen if r.klasse == "ist"), None)
    letzte = None if ist is None else max(
        (i for i, w in enumerate(ist.werte) if w is not None), default=None
    )  # fmt: skip
    hx, hy = x(n - 1), y(d.hochrechnung)
    if letzte is not None and letzte < n - 1:
        g.hochrechnung_d = f"M{_f(x(letzte))},{_f(y(ist.werte[letzte]))}L{_f(hx)},{_f(hy)}"
    g.raute_d = f"M{_f(hx)},{_f(hy - 6)}l6,6l-6,6l-6,-6z"
    g.hochrechnung_titel = f"Hochrechnung Jahresende: {zahl(d.hochrechnung, 2)} {d.einheit}"
