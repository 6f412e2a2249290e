"""Calibration knobs of the simulation (Düsseldorf at scale 1.0).

Values were tuned so that the 2015 figures computed by the reference implementation
(benchmarks/reference) match the agreement's baselines; see docs/generator.md.
Monthly rates are per person and month unless said otherwise.
"""

from __future__ import annotations

import numpy as np

PROFILES = ("MP", "AP", "FP", "EP", "SP", "UP", "Z", "I")  # index; -1 = not yet profiled
MP, AP, FP, EP, SP, UP, Z, INTEG = range(8)  # INTEG: profile I (integriert)
MARKTNAH = (MP, AP, FP)
KOMPLEX = (EP, SP, UP)

SCHUL = ("OHNE", "HS", "MR", "FHR", "AHR", "UNB")
BERUF = ("OHNE", "BETR", "AKAD", "UNB")
SEX = ("m", "w", "d")

ASYL8_NATS = ("SYR", "IRQ", "AFG", "ERI", "IRN", "NGA", "PAK", "SOM")
ASYL8_P = (0.46, 0.15, 0.14, 0.08, 0.06, 0.04, 0.04, 0.03)
OTHER_NATS = (
    "DEU", "TUR", "GRC", "ITA", "POL", "MAR", "SRB", "RUS", "ESP", "BGR", "ROU", "KOS",
    "UKR", "HRV", "BIH", "MKD", "PRT", "TUN", "GHA", "XXX",
)  # fmt: skip
OTHER_P = (
    0.62, 0.08, 0.045, 0.035, 0.03, 0.03, 0.02, 0.02, 0.012, 0.018, 0.018, 0.012,
    0.01, 0.008, 0.008, 0.006, 0.004, 0.006, 0.004, 0.004,
)  # fmt: skip
ASYL8_SETTLED_SHARE = 0.03  # Asyl8 nationals among regular (non-refugee) entrants

# --- stock path (persons), Düsseldorf; a year not listed repeats the level of 2014 -------
STOCK_BEFORE_2015 = (45450, 45500, 45450, 45350, 45250, 45200, 45250, 45300, 45300, 45250,
                     45250, 45300)  # fmt: skip
STOCK_2015 = (45350, 45400, 45450, 45400, 45350, 45300, 45350, 45500, 45750, 46050, 46400, 46700)
STOCK_2016 = tuple(
    v + 86
    for v in (47000, 47350, 47700, 48050, 48400, 48700, 49000, 49300, 49600, 49850, 50100, 50350)
)  # fmt: skip  (mean 48,869)
STOCK_GROWTH_AFTER_2016 = 150  # persons per month after 2016

# refugee (Asyl8) entrants per month, persons
REFUGEES_2014 = 15
REFUGEES_2015 = (20, 20, 25, 30, 35, 40, 60, 100, 170, 250, 320, 370)
REFUGEES_2016 = (430, 440, 440, 430, 420, 410, 400, 390, 380, 370, 360, 350)
REFUGEES_AFTER_2016 = 300

# --- households (Bedarfsgemeinschaften) of regular entrants --------------------------------
BG_KIND_P = np.array([0.453, 0.126, 0.158, 0.09, 0.173])  # single, young, parent, couple, family
REFUGEE_KIND_P = np.array([0.45, 0.15, 0.05, 0.08, 0.27])
YOUTH_IN_PARENT = (0.55, 0.35, 0.10)  # P(0, 1, 2 eLB children 15-24) in a single-parent BG
YOUTH_IN_FAMILY = (0.40, 0.37, 0.23)

# --- profiles: entry distribution (adults), job and exit hazards ---------------------------
PROFILE_ENTRY_P = np.array([0.048, 0.096, 0.150, 0.214, 0.128, 0.090, 0.108, 0.166])
PROFILE_REFUGEE_P = np.array([0.02, 0.05, 0.10, 0.38, 0.15, 0.05, 0.25, 0.00])
PROFILE_YOUTH_P = np.array([0.05, 0.14, 0.16, 0.21, 0.09, 0.05, 0.30, 0.00])  # 15-24
JOB_HAZARD = np.array([0.088, 0.060, 0.040, 0.020, 0.011, 0.005, 0.003, 0.011])
EXIT_HAZARD = 0.5 * np.array([0.030, 0.028, 0.024, 0.010, 0.0066, 0.0045, 0.011, 0.014])  # per BG
LZB_JOB_MULT = 0.70  # duration dependence of job starts
LZB_EXIT_MULT = 0.4  # ... and of other exits
OLD_JOB_MULT = 0.65  # age >= 50
ALLEIN_JOB_MULT = 0.77
ALLEIN_JOB_MULT_2016 = 0.85  # the 2016 focus on Alleinerziehende
JOB_LEVEL = 1.30  # overall level of job starts
JOB_FACTOR_BY_YEAR = {2016: 1.02}
REFUGEE_JOB_HAZARD = 0.0115  # after the first months
REFUGEE_EXIT_HAZARD = 0.008
PRIOR_HISTORY_P = 0.68  # regular entrants who drew SGB II (elsewhere) in the last 2 years
REENTRY_HAZARD = (0.020, 0.006)  # per month: within 12 months after leaving, later
EMPTY_PROFILE_P = (0.55, 0.15)  # not yet profiled in the entry month, in the next one
JOB_EXIT_P = (0.28, 0.37)  # job start: BG leaves this month, next month (else Aufstocker)
I_BACK_HAZARD = 0.02  # Aufstocker losing the job again

# job start types for persons >= 25 (SVB / AUS / SELB) and GERING (separate hazard)
SELB_SHARE = 0.035
AUS_ADULT_SHARE = 0.0125
GERING_HAZARD = 0.0045
# AUS for U25: monthly hazard by calendar month (training years start in August/September)
AUS_U25_HAZARD = 1.79 * np.array([0.0016, 0.0012, 0.0012, 0.0014, 0.0014, 0.0016,
                                 0.0030, 0.0225, 0.0125, 0.0035, 0.0018, 0.0012])  # fmt: skip
AUS_U25_2016 = 1.06
U25_SVB_MULT = 0.8

# --- education and health (adults of regular entrants; stock shares see docs) ----------------
SCHUL_P = np.array([0.18, 0.365, 0.225, 0.044, 0.086, 0.10])
BERUF_P = np.array([0.545, 0.278, 0.045, 0.132])
REFUGEE_SCHUL_P = np.array([0.22, 0.10, 0.08, 0.02, 0.10, 0.48])
REFUGEE_BERUF_P = np.array([0.35, 0.05, 0.05, 0.55])
SB_P = 0.0735  # schwerbehindert among adults (more frequent with age)
AGE_ADULT = ((18, 24, 0.0), (25, 34, 0.26), (35, 49, 0.36), (50, 64, 0.38))

# --- measures: yearly entries at scale 1 and durations (months) -----------------------------
MEASURES: dict[str, tuple[float, tuple[int, int]]] = {
    "FBW": (1350, (3, 24)),
    "MAT": (5200, (2, 3)),
    "AGH": (1450, (6, 10)),
    "FAV": (55, (18, 24)),
    "FREI": (380, (3, 6)),
    "TW": (74, (6, 12)),
    "ESF_LZA": (90, (12, 18)),
    "BVB": (240, (10, 11)),
    "EQ": (110, (6, 12)),
    "VB": (4800, (0, 0)),
    "KOM16A": (850, (3, 6)),
}
FBW_ZIEL_P = {"ABSCHLUSS": 0.30, "TQ": 0.15, "ANPASSUNG": 0.35, "GRUNDKOMP": 0.20}
FBW_DURATION = {"ABSCHLUSS": (12, 24), "TQ": (4, 8), "ANPASSUNG": (2, 4), "GRUNDKOMP": (3, 5)}
FBW_2016 = 0.9  # fewer abschlussorientierte FbW in 2016: Z2.8 (275) is missed
TW_START = 2015 * 12 + 10  # Talentwerkstatt from November 2015
TW_2016 = 1.2  # all 60 places filled in the first full year
ESF_START = 2015 * 12 + 5
ESF_2016 = 2.4  # catching up in 2016
ABBRUCH_HAZARD = {"MAT": 0.10, "FBW": 0.02, "AGH": 0.04, "FAV": 0.01, "FREI": 0.04,
                  "TW": 0.02, "ESF_LZA": 0.015, "BVB": 0.03, "EQ": 0.04, "KOM16A": 0.03,
                  "EGZ": 0.02, "ESG": 0.03}  # fmt: skip
FBW_PASS_P = 0.82
POST_FBW_JOB_MULT = 6.0  # six months after a passed FbW
EGZ_SHARE = 0.07  # of SVB starts (age >= 25)
ESG_SHARE_SELB = 0.45
AKTIV = ("FBW", "MAT", "AGH", "FAV", "FREI", "TW", "ESF_LZA", "BVB", "EQ")
MONTHLY_COST = {"FBW": 950, "MAT": 430, "AGH": 260, "FAV": 1450, "FREI": 480, "TW": 720,
                "ESF_LZA": 1300, "BVB": 780, "EQ": 300, "EGZ": 690, "ESG": 310,
                "KOM16A": 180}  # fmt: skip
VB_COST = 140
U25_COST_MULT = 1.75

# --- contacts: PERS+TEL per person and year, by profile; SCHRIFT and GRUPPE extra ----------
CONTACTS_2015 = np.array([11.0, 11.0, 11.0, 2.4, 2.2, 1.15, 1.4, 2.0])
CONTACTS_2016 = np.array([11.5, 11.5, 11.3, 6.45, 3.7, 2.4, 1.5, 2.0])
CONTACTS_EMPTY = 3.0
U25_MARKTNAH_2016 = 1.13  # Jugendjobcenter: monthly contacts for marktnahe U25
SCHRIFT_PER_YEAR = 0.9
GRUPPE_PER_YEAR = 0.35
TEL_SHARE = 0.3

# --- late registrations and corrections (provisional stands) ------------------------------
LATE_P = {"erwerbsaufnahmen": 0.08, "massnahme_eintritte": 0.04, "massnahme_austritte": 0.06,
          "kontakte": 0.05}  # fmt: skip
LATE_DAYS = (15, 80)  # a late event becomes known this many days after the Stichtag
CORRECTION_P = 0.01  # stock rows: profillage registered late (empty in provisional stands)
LEISTUNG_CORRECTION_P = 0.02

# Regelbedarfe (EUR) per year: alleinstehend, Partner, 18-24 im Haushalt, 14-17, child (avg)
REGELBEDARF = {2014: (391, 353, 313, 296, 245), 2015: (399, 360, 320, 302, 250),
               2016: (404, 364, 324, 306, 253)}  # fmt: skip
NON_ELB_BGS = 40  # BGs of non-eLB members only (Sozialgeld), at scale 1
