-- Hand-written reference of the Kennzahlen (shared/spec/kennzahlen.md), straight from the
-- raw deliveries. Input tables (created by reference_duckdb.py, all text as delivered):
--   lieferung(jobcenter_id, monat DATE, stichtag DATE, stand DATE, folder)  latest stand per month
--   raw_elb_bestand, raw_erwerbsaufnahmen, raw_massnahme_eintritte, raw_massnahme_austritte,
--   raw_kontakte, raw_leistungen, raw_eingliederungsmittel  (+ jobcenter_id, monat)

-- German conventions -------------------------------------------------------------------------
CREATE OR REPLACE MACRO de_date(x) AS
  COALESCE(try_strptime(x, '%d.%m.%Y'), try_strptime(x, '%Y-%m-%d'))::DATE;
CREATE OR REPLACE MACRO de_month(x) AS
  COALESCE(try_strptime(x, '%m.%Y'), try_strptime(x, '%Y-%m'))::DATE;
CREATE OR REPLACE MACRO de_flag(x) AS lower(trim(x)) IN ('j', '1', 'ja');
CREATE OR REPLACE MACRO de_amount(x) AS
  CASE WHEN x LIKE '%,%' THEN replace(replace(x, '.', ''), ',', '.') ELSE x END::DECIMAL(14, 2);
CREATE OR REPLACE MACRO mnum(d) AS 12 * year(d) + month(d);

-- Months: windows (ST(t-1), ST(t)]; without a delivered t-1 (first month, after a gap) one
-- calendar month back. seq = number of consecutive delivered months ending at t (a gap
-- restarts it): seq >= 3 means ELB(t-1) and ELB(t-2) exist, the Integrationen of t are
-- computable ------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE months AS
WITH n AS (
  SELECT jobcenter_id, monat, stichtag, stand,
         mnum(monat) AS mi,
         CASE WHEN lag(monat) OVER w = monat - INTERVAL 1 MONTH THEN lag(stichtag) OVER w
              ELSE stichtag - INTERVAL 1 MONTH END::DATE AS win_from,
         mnum(monat) - row_number() OVER w AS run
  FROM lieferung
  WINDOW w AS (PARTITION BY jobcenter_id ORDER BY monat))
SELECT jobcenter_id, monat, stichtag, stand, mi, win_from,
       row_number() OVER (PARTITION BY jobcenter_id, run ORDER BY mi) AS seq
FROM n;

-- Stock with person attributes (kennzahlen.md "Person attributes") ---------------------------
CREATE OR REPLACE TABLE elb AS
WITH b AS (
  SELECT r.jobcenter_id, r.monat, m.mi, m.stichtag, r.person_id,
         de_month(r.geburtsmonat) AS gm, de_flag(r.alleinerziehend) AS ae,
         de_flag(r.schwerbehindert) AS sb, r.schulabschluss, r.berufsabschluss,
         NULLIF(r.profillage, '') AS profillage, r.elb_tage_730::INTEGER AS tage,
         de_flag(r.arbeitslos) AS al, de_date(r.arbeitslos_seit) AS al_seit,
         NULLIF(r.massnahme_stichtag, '') AS massnahme, r.staatsangehoerigkeit AS nat
  FROM raw_elb_bestand r JOIN months m USING (jobcenter_id, monat))
SELECT *,
       (mnum(stichtag) - mnum(gm)) // 12 AS age,
       (mnum(stichtag) - mnum(gm)) // 12 < 25 AS u25,
       (mnum(stichtag) - mnum(gm)) // 12 >= 50 AS ue50,
       tage >= 638 AND (mnum(stichtag) - mnum(gm)) // 12 >= 17 AS lzb,
       nat IN ('AFG', 'ERI', 'IRQ', 'IRN', 'NGA', 'PAK', 'SOM', 'SYR') AS asyl8,
       profillage IN ('MP', 'AP', 'FP') AS marktnah,
       profillage IN ('EP', 'SP', 'UP') AS komplex,
       berufsabschluss = 'OHNE' AS gering_q,
       al AND al_seit <= stichtag - INTERVAL 12 MONTH AS lza
FROM b;

-- Integrationen, rules 1-3 ----------------------------------------------------------------------
-- every start belongs to the window that contains its date
CREATE OR REPLACE TABLE starts AS
SELECT DISTINCT s.jobcenter_id, m.mi AS w, s.person_id, de_date(s.beginn) AS beginn, s.art
FROM raw_erwerbsaufnahmen s
JOIN months m ON m.jobcenter_id = s.jobcenter_id
 AND de_date(s.beginn) > m.win_from AND de_date(s.beginn) <= m.stichtag;

CREATE OR REPLACE TABLE integrationen AS
WITH cand AS (
  -- rule 1: start in window(t), person in ELB(t-1)
  SELECT s.jobcenter_id, s.w AS mi, s.person_id, s.beginn, s.art
  FROM starts s JOIN elb p ON p.jobcenter_id = s.jobcenter_id AND p.mi = s.w - 1
   AND p.person_id = s.person_id
  UNION ALL
  -- rule 2: start in window(t-1), person in ELB(t-1) but not in ELB(t-2) (ELB(t-2) must exist)
  SELECT s.jobcenter_id, s.w + 1, s.person_id, s.beginn, s.art
  FROM starts s JOIN elb p ON p.jobcenter_id = s.jobcenter_id AND p.mi = s.w
   AND p.person_id = s.person_id
  WHERE EXISTS (SELECT 1 FROM months m WHERE m.jobcenter_id = s.jobcenter_id AND m.mi = s.w - 1)
    AND NOT EXISTS (SELECT 1 FROM elb q WHERE q.jobcenter_id = s.jobcenter_id
                    AND q.mi = s.w - 1 AND q.person_id = s.person_id)),
one AS (  -- rule 3: one per person and month, earliest beginn, SVB < AUS < SELB
  SELECT *, row_number() OVER (PARTITION BY jobcenter_id, mi, person_id
    ORDER BY beginn, CASE art WHEN 'SVB' THEN 1 WHEN 'AUS' THEN 2 ELSE 3 END) AS rk
  FROM cand WHERE art IN ('SVB', 'AUS', 'SELB'))
-- rule 4: subgroup attributes from the ELB(t-1) record; months need ELB(t-2) (3rd month on)
SELECT o.jobcenter_id, o.mi, o.person_id, o.beginn, o.art, p.asyl8, p.ae, p.lzb, p.u25,
       p.age, p.lza, p.marktnah, p.komplex
FROM one o
JOIN elb p ON p.jobcenter_id = o.jobcenter_id AND p.mi = o.mi - 1 AND p.person_id = o.person_id
JOIN months m ON m.jobcenter_id = o.jobcenter_id AND m.mi = o.mi AND m.seq >= 3
WHERE o.rk = 1;

-- Monthly figures per group -----------------------------------------------------------------
CREATE OR REPLACE TABLE monthly AS
WITH stock AS (
  SELECT jobcenter_id, mi, count(*) AS elb_all,
         count(*) FILTER (asyl8) AS elb_asyl8, count(*) FILTER (NOT asyl8) AS elb_not_asyl8,
         count(*) FILTER (ae) AS elb_ae, count(*) FILTER (lzb) AS elb_lzb,
         count(*) FILTER (u25) AS elb_u25,
         -- not yet profiled eLB (profillage NULL) stay in the denominator: share of ELB(t)
         avg(COALESCE(marktnah, false)::INT) AS s_marktnah,
         avg((schulabschluss NOT IN ('OHNE', 'UNB'))::INT) AS s_schulabschluss,
         avg((schulabschluss IN ('FHR', 'AHR'))::INT) AS s_hochschulreife,
         avg((berufsabschluss IN ('BETR', 'AKAD'))::INT) AS s_berufsausbildung,
         avg(u25::INT) AS s_u25, avg(ae::INT) AS s_alleinerziehend, avg(ue50::INT) AS s_ue50,
         avg(lzb::INT) AS s_lzb, avg(sb::INT) AS s_schwerbehindert
  FROM elb GROUP BY ALL),
ints AS (
  SELECT jobcenter_id, mi, count(*) AS int_all,
         count(*) FILTER (asyl8) AS int_asyl8, count(*) FILTER (NOT asyl8) AS int_not_asyl8,
         count(*) FILTER (ae) AS int_ae, count(*) FILTER (lzb) AS int_lzb,
         count(*) FILTER (u25) AS int_u25,
         count(*) FILTER (art = 'AUS' AND age < 25) AS int_aus_u25,
         count(*) FILTER (art = 'AUS' AND age >= 25) AS int_aus_ue25
  FROM integrationen GROUP BY ALL)
SELECT m.jobcenter_id, m.monat, m.mi, m.seq, m.stand, s.* EXCLUDE (jobcenter_id, mi),
       -- months before the 3rd have no Integrationen (NULL), later ones at least 0
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_all, 0) END AS int_all,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_asyl8, 0) END AS int_asyl8,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_not_asyl8, 0) END AS int_not_asyl8,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_ae, 0) END AS int_ae,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_lzb, 0) END AS int_lzb,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_u25, 0) END AS int_u25,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_aus_u25, 0) END AS int_aus_u25,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_aus_ue25, 0) END AS int_aus_ue25
FROM months m JOIN stock s USING (jobcenter_id, mi) LEFT JOIN ints i USING (jobcenter_id, mi);

-- Quotas: rolling Q(t) = sum INT(t-11..t) / mean ELB(t-12..t-1); JFW(m) = sum INT(Jan..m) /
-- mean ELB(Dec of the previous year..m-1). NULL unless every month read exists.
CREATE OR REPLACE TABLE quotas AS
WITH g AS (
  SELECT jobcenter_id, monat, mi, grp, ints, elb FROM monthly
  UNPIVOT ((ints, elb) FOR grp IN ((int_all, elb_all) AS 'all', (int_asyl8, elb_asyl8) AS 'asyl8',
    (int_not_asyl8, elb_not_asyl8) AS 'not_asyl8', (int_ae, elb_ae) AS 'ae',
    (int_lzb, elb_lzb) AS 'lzb', (int_u25, elb_u25) AS 'u25'))),
spans AS (  -- which months each figure reads; jan = January of the month's year
  SELECT *, 12 * ((mi - 1) // 12) + 1 AS jan FROM g),
agg AS (
  SELECT a.jobcenter_id, a.monat, a.grp, a.ints, a.elb, a.mi, a.jan,
    sum(b.ints) FILTER (b.mi BETWEEN a.mi - 11 AND a.mi) AS int_r,
    count(b.ints) FILTER (b.mi BETWEEN a.mi - 11 AND a.mi) AS n_int_r,
    avg(b.elb) FILTER (b.mi BETWEEN a.mi - 12 AND a.mi - 1) AS elb_r,
    count(b.elb) FILTER (b.mi BETWEEN a.mi - 12 AND a.mi - 1) AS n_elb_r,
    sum(b.ints) FILTER (b.mi BETWEEN a.jan AND a.mi) AS int_y,
    count(b.ints) FILTER (b.mi BETWEEN a.jan AND a.mi) AS n_int_y,
    avg(b.elb) FILTER (b.mi BETWEEN a.jan - 1 AND a.mi - 1) AS elb_y,
    count(b.elb) FILTER (b.mi BETWEEN a.jan - 1 AND a.mi - 1) AS n_elb_y
  FROM spans a JOIN g b ON b.jobcenter_id = a.jobcenter_id AND b.grp = a.grp
   AND b.mi BETWEEN a.mi - 12 AND a.mi
  GROUP BY ALL)
SELECT jobcenter_id, monat, grp, ints, elb,
  CASE WHEN n_int_r = 12 AND n_elb_r = 12 THEN int_r / elb_r END AS quote_rollierend,
  CASE WHEN n_int_y = mi - jan + 1 AND n_elb_y = mi - jan + 1 THEN int_y / elb_y END AS quote_jfw
FROM agg;

-- Annual figures of the target catalogue (targets-2016.md), full calendar years ---------------
CREATE OR REPLACE TABLE kontakte_profil AS  -- PERS/TEL contacts by the person's profile that month
SELECT k.jobcenter_id, m.mi, p.profillage, p.u25, count(*) AS n
FROM raw_kontakte k
JOIN months m ON m.jobcenter_id = k.jobcenter_id
 AND de_date(k.datum) > m.win_from AND de_date(k.datum) <= m.stichtag
JOIN elb p ON p.jobcenter_id = k.jobcenter_id AND p.mi = m.mi AND p.person_id = k.person_id
WHERE k.kontaktart IN ('PERS', 'TEL')
GROUP BY ALL;

CREATE OR REPLACE TABLE eintritte AS
SELECT e.jobcenter_id, e.foerderfall_id, e.person_id, e.instrument,
       NULLIF(e.massnahme_ziel, '') AS ziel, de_date(e.eintritt) AS eintritt,
       (SELECT m.mi FROM months m WHERE m.jobcenter_id = e.jobcenter_id
         AND de_date(e.eintritt) > m.win_from AND de_date(e.eintritt) <= m.stichtag) AS w
FROM raw_massnahme_eintritte e;

-- FbW/TW events by the calendar month of their date ("in the year of `eintritt`", "Austritte
-- in year Y"); the events after ST(m) arrive with delivery m+1. geringqualifiziert from ELB of
-- the delivery month (the person is in it or, if absent, in the month before). One exit per
-- Förderfall (the earliest).
CREATE OR REPLACE TABLE ereignisse_monat AS
WITH ein AS (
  SELECT e.jobcenter_id, date_trunc('month', e.eintritt)::DATE AS monat,
         e.instrument = 'FBW' AND e.ziel = 'ABSCHLUSS'
           AND CASE WHEN p.person_id IS NOT NULL THEN p.gering_q ELSE q.gering_q END AS fbw_gq,
         e.instrument = 'TW' AS tw
  FROM eintritte e
  LEFT JOIN elb p ON p.jobcenter_id = e.jobcenter_id AND p.mi = e.w AND p.person_id = e.person_id
  LEFT JOIN elb q ON q.jobcenter_id = e.jobcenter_id AND q.mi = e.w - 1 AND q.person_id = e.person_id),
aus AS (
  SELECT jobcenter_id, foerderfall_id, min(de_date(austritt)) AS austritt
  FROM raw_massnahme_austritte GROUP BY ALL),
erfolg AS (  -- FBW exits with an Integration within 6 months after the exit
  SELECT a.jobcenter_id, date_trunc('month', a.austritt)::DATE AS monat,
         EXISTS (SELECT 1 FROM integrationen i WHERE i.jobcenter_id = a.jobcenter_id
           AND i.person_id = e.person_id AND i.beginn > a.austritt
           AND i.beginn <= a.austritt + INTERVAL 6 MONTH) AS integriert
  FROM aus a
  JOIN eintritte e ON e.jobcenter_id = a.jobcenter_id AND e.foerderfall_id = a.foerderfall_id
  WHERE e.instrument = 'FBW')
SELECT jobcenter_id, monat, COALESCE(sum(fbw_gq_abschluss), 0) AS fbw_gq_abschluss,
       COALESCE(sum(tw_eintritte), 0) AS tw_eintritte,
       COALESCE(sum(fbw_austritte), 0) AS fbw_austritte,
       COALESCE(sum(fbw_austritte_integriert), 0) AS fbw_austritte_integriert
FROM (SELECT jobcenter_id, monat, count(*) FILTER (fbw_gq) AS fbw_gq_abschluss,
             count(*) FILTER (tw) AS tw_eintritte
      FROM ein GROUP BY ALL
      UNION ALL BY NAME
      SELECT jobcenter_id, monat, count(*) AS fbw_austritte,
             count(*) FILTER (integriert) AS fbw_austritte_integriert
      FROM erfolg GROUP BY ALL)
GROUP BY ALL;

CREATE OR REPLACE TABLE jahr AS
WITH y AS (
  SELECT jobcenter_id, year(monat) AS jahr, count(*) AS n_months,
         avg(elb_all) AS elb_mean, avg(elb_lzb) AS lzb_mean, avg(elb_asyl8) AS asyl8_mean,
         sum(int_all) AS int_all, sum(int_ae) AS int_ae, sum(int_lzb) AS int_lzb,
         sum(int_asyl8) AS int_asyl8, sum(int_aus_u25) AS int_aus_u25,
         sum(int_aus_ue25) AS int_aus_ue25
  FROM monthly GROUP BY ALL HAVING count(*) = 12),
q AS (
  SELECT jobcenter_id, year(monat) AS jahr,
         max(quote_jfw) FILTER (grp = 'all') AS k2,
         max(quote_jfw) FILTER (grp = 'not_asyl8') AS iq_ohne_asyl8,
         max(quote_jfw) FILTER (grp = 'asyl8') AS iq_asyl8,
         max(quote_jfw) FILTER (grp = 'ae') AS k2e4,
         max(quote_jfw) FILTER (grp = 'lzb') AS k3e1
  FROM quotas WHERE month(monat) = 12 GROUP BY ALL),
akt AS (  -- K3E2, catalogue of 2011 (valid for 2016): mean of the monthly ratios
  SELECT jobcenter_id, year(p.stichtag) AS jahr,
         avg(r) AS k3e2
  FROM (SELECT jobcenter_id, mi, any_value(stichtag) AS stichtag,
               avg(COALESCE(massnahme IN ('FBW', 'MAT', 'AGH', 'FAV', 'FREI', 'TW', 'ESF_LZA', 'BVB',
                                  'EQ'), false)::INT) AS r
        FROM elb WHERE lzb GROUP BY ALL) p GROUP BY ALL),
kd AS (  -- Kontaktdichte Jan..Dec: contacts / mean stock of the group
  SELECT s.jobcenter_id, s.jahr,
         sum(k.n) FILTER (k.profillage IN ('MP', 'AP', 'FP')) / any_value(s.n_mn) AS kd_marktnah,
         sum(k.n) FILTER (k.profillage = 'EP') / any_value(s.n_ep) AS kd_ep,
         sum(k.n) FILTER (k.profillage = 'SP') / any_value(s.n_sp) AS kd_sp,
         sum(k.n) FILTER (k.profillage = 'UP') / any_value(s.n_up) AS kd_up,
         sum(k.n) FILTER (k.profillage IN ('MP', 'AP', 'FP') AND k.u25) / any_value(s.n_mn_u25)
           AS kd_marktnah_u25
  FROM (SELECT jobcenter_id, (mi - 1) // 12 AS jahr,
               count(*) FILTER (marktnah) / 12 AS n_mn, count(*) FILTER (profillage = 'EP') / 12 AS n_ep,
               count(*) FILTER (profillage = 'SP') / 12 AS n_sp,
               count(*) FILTER (profillage = 'UP') / 12 AS n_up,
               count(*) FILTER (marktnah AND u25) / 12 AS n_mn_u25
        FROM elb GROUP BY ALL) s
  JOIN kontakte_profil k ON k.jobcenter_id = s.jobcenter_id AND (k.mi - 1) // 12 = s.jahr
  GROUP BY ALL),
fbw AS (  -- FbW-Eintritte Geringqualifizierter (abschlussorientiert), Talentwerkstatt,
           -- FbW-Erfolgsquote: events dated in the calendar year
  SELECT jobcenter_id, year(monat) AS jahr, sum(fbw_gq_abschluss) AS fbw_gq_abschluss,
         sum(tw_eintritte) AS tw_eintritte,
         sum(fbw_austritte_integriert) / NULLIF(sum(fbw_austritte), 0) AS fbw_erfolgsquote
  FROM ereignisse_monat GROUP BY ALL),
egm AS (
  SELECT jobcenter_id, year(monat) AS jahr,
         sum(de_amount(betrag)) FILTER (zielgruppe = 'U25') / sum(de_amount(betrag)) AS egm_u25
  FROM raw_eingliederungsmittel GROUP BY ALL)
SELECT * FROM y
LEFT JOIN q USING (jobcenter_id, jahr) LEFT JOIN akt USING (jobcenter_id, jahr)
LEFT JOIN kd USING (jobcenter_id, jahr) LEFT JOIN fbw USING (jobcenter_id, jahr)
LEFT JOIN egm USING (jobcenter_id, jahr);
