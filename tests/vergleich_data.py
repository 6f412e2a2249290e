"""Hand-made deliveries of seven Jobcenters for the comparison (tests/test_vergleich.py, the
overview page in tests/test_report_html.py; docs/vergleich.md).

Keys and types from the seed jobcenter_stammdaten:
  IIIe: 05111 (A), 05315 (B), 05124 (C)   three members, C with one Integration (suppressed)
  V:    05113 (D), 05913 (E)              a type of two
  IIId: 05116 (F)                         a type of one
  IIa:  09162 (G, Bayern)                 the only Jobcenter outside Nordrhein-Westfalen
History 2015-01 .. 2016-12, every month final. Constant stocks, each Integration an SVB start
on the 1st of a month of 2016 by a person who stays in the stock. D gains one eLB (Z) in
June 2016. Expected values for December 2016, K2 rollierend = JFW here:
  Integrationen 2016: A 4, B 6, C 1, D 3, E 6, F 3, G 5
  mean stock Dec 2015 .. Nov 2016: A 20, B 50, C 10, D (6·30 + 6·31)/12 = 30.5, E 40, F 15, G 25
"""

from __future__ import annotations

from pathlib import Path

from tests.rawdata import RawData, months, run_dbt

ALL = ("2015-01", "2016-12")
STOCK = {"05111": 20, "05315": 50, "05124": 10, "05113": 30, "05913": 40, "05116": 15,
         "09162": 25}  # fmt: skip
INTEGRATIONEN = {"05111": 4, "05315": 6, "05124": 1, "05113": 3, "05913": 6, "05116": 3,
                 "09162": 5}  # fmt: skip
NENNER = {**STOCK, "05113": 30.5}


def build_dataset() -> RawData:
    rd = RawData()
    for jc, n in STOCK.items():
        rd.history(jc, *ALL)
        for i in range(n):
            rd.person(jc, f"P{i:03d}", *ALL)
        for k in range(INTEGRATIONEN[jc]):  # one start a month from March 2016
            monat = months("2016-03", "2016-12")[k]
            rd.month(jc, monat).start(f"P{k:03d}", f"{monat}-01", "SVB")
    rd.person("05113", "Z", "2016-06", "2016-12")  # one Zugang in June 2016
    return rd


def build_vergleich_warehouse(work: Path, models: list[str]) -> Path:
    """The dataset in a warehouse with `models` and their parents built."""
    wh = work / "wh.duckdb"
    build_dataset().write(wh)
    select = [f"+{m}" for m in models]
    run_dbt(wh, work / "dbt", select=select, extra_args=("--indirect-selection", "cautious"))
    return wh
