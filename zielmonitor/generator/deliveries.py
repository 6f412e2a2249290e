"""Cut the simulated truth into deliveries (one per month and stand) and write them with the
shared delivery writer in the German office-system styles of the contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zielmonitor.generator.calendar import Stand, day_number, month_text
from zielmonitor.generator.jobcenters import JobcenterSpec
from zielmonitor.generator.tables import MonthTruth
from zielmonitor.generator.writer import CsvStyle, write_delivery

# Different source systems, different conventions: every run exercises the whole reader.
STYLES: dict[str, CsvStyle] = {
    "elb_bestand": CsvStyle(encoding="cp1252", month_format="de"),  # team "ST03-Süd"
    "erwerbsaufnahmen": CsvStyle(),
    "massnahme_eintritte": CsvStyle(encoding="utf-8-sig"),
    "massnahme_austritte": CsvStyle(date_format="iso", flags="janein"),
    "kontakte": CsvStyle(header_case="upper"),
    "leistungen": CsvStyle(encoding="cp1252"),  # amounts 1.234,56
    "eingliederungsmittel": CsvStyle(sep=",", decimal="plain", flags="10"),
}
EVENT_FILES = ("erwerbsaufnahmen", "massnahme_eintritte", "massnahme_austritte", "kontakte")


def tables_as_of(truth: MonthTruth, stand: Stand) -> dict[str, pd.DataFrame]:
    """The month as the source systems knew it at `stand`: late registrations missing,
    not yet corrected values in their provisional state."""
    cut = day_number(stand.stand)
    elb = truth.elb.copy()
    elb.loc[elb["_profil_known"] > cut, "profillage"] = None
    tables = {"elb_bestand": elb.drop(columns="_profil_known")}
    for name in EVENT_FILES:
        frame = getattr(truth, name)
        tables[name] = frame[frame["_known"] <= cut].drop(columns="_known").reset_index(drop=True)
    leist = truth.leistungen
    llu = np.where(leist["_known"] > cut, leist["_llu_prov"], leist["llu_anspruch"])
    tables["leistungen"] = leist[["bg_id", "luh_anspruch"]].assign(llu_anspruch=llu)
    tables["eingliederungsmittel"] = truth.eingliederungsmittel
    return tables


def write_month(root: Path, spec: JobcenterSpec, truth: MonthTruth,
                stands: list[Stand]) -> dict[str, int]:  # fmt: skip
    """Write every stand of the month; returns data rows per file of the latest stand."""
    rows: dict[str, int] = {}
    for stand in stands:
        tables = tables_as_of(truth, stand)
        write_delivery(
            root,
            jobcenter_id=spec.id,
            jobcenter_name=spec.name,
            berichtsmonat=month_text(truth.month),
            stichtag=truth.stichtag,
            stand=stand.stand,
            tables=tables,
            styles=STYLES,
        )
        rows = {name: len(frame) for name, frame in tables.items()}
    return rows
