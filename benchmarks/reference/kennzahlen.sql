-- kennzahlen_monat and the Ist of the Zielerreichung, on top of the tables reference.sql
-- builds (months, elb, integrationen, monthly). Output, all in the units of marts.md:
--   ref_kennzahlen(jobcenter_id, berichtsmonat, kennzahl, gruppe, variante, wert)
--   ref_ziel_ist(jobcenter_id, berichtsmonat, ziel_id, ist)

-- Groups by sex (K2 frauen/maenner), attributes from the ELB(t) resp. ELB(t-1) record ---------
CREATE OR REPLACE TABLE elb_sex AS
SELECT r.jobcenter_id, m.mi, r.person_id, lower(trim(r.geschlecht)) AS sex
FROM raw_elb_bestand r JOIN months m USING (jobcenter_id, monat);

CREATE OR REPLACE TABLE sex_monthly AS
WITH stock AS (
  SELECT jobcenter_id, mi, count(*) FILTER (sex = 'w') AS elb_w,
         count(*) FILTER (sex = 'm') AS elb_m
  FROM elb_sex GROUP BY ALL),
ints AS (
  SELECT i.jobcenter_id, i.mi, count(*) FILTER (s.sex = 'w') AS int_w,
         count(*) FILTER (s.sex = 'm') AS int_m
  FROM integrationen i
  JOIN elb_sex s ON s.jobcenter_id = i.jobcenter_id AND s.mi = i.mi - 1
   AND s.person_id = i.person_id
  GROUP BY ALL)
SELECT m.jobcenter_id, m.mi, s.elb_w, s.elb_m,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_w, 0) END AS int_w,
       CASE WHEN m.seq >= 3 THEN COALESCE(i.int_m, 0) END AS int_m
FROM months m JOIN stock s USING (jobcenter_id, mi) LEFT JOIN ints i USING (jobcenter_id, mi);

-- Quota series in long form: (kennzahl, gruppe) -> (ints, elb) ---------------------------------
CREATE OR REPLACE TABLE reihen AS
SELECT jobcenter_id, monat, mi, split_part(k, ':', 1) AS kennzahl,
       split_part(k, ':', 2) AS gruppe, ints, elb
FROM (SELECT m.*, s.elb_w, s.elb_m, s.int_w, s.int_m
      FROM monthly m JOIN sex_monthly s USING (jobcenter_id, mi))
UNPIVOT INCLUDE NULLS ((ints, elb) FOR k IN (
  (int_all, elb_all) AS 'K2:gesamt', (int_asyl8, elb_asyl8) AS 'K2:asyl8',
  (int_not_asyl8, elb_not_asyl8) AS 'K2:ohne_asyl8', (int_u25, elb_u25) AS 'K2:u25',
  (int_w, elb_w) AS 'K2:frauen', (int_m, elb_m) AS 'K2:maenner',
  (int_ae, elb_ae) AS 'K2E4:gesamt', (int_lzb, elb_lzb) AS 'K3E1:gesamt'));

-- rolling: sum INT(t-11..t) / mean ELB(t-12..t-1); JFW: sum INT(Jan..m) / mean ELB(Dec..m-1)
CREATE OR REPLACE TABLE ref_quoten AS
WITH agg AS (
  SELECT a.jobcenter_id, a.monat, a.kennzahl, a.gruppe, a.mi,
    12 * ((a.mi - 1) // 12) + 1 AS jan,
    sum(b.ints) FILTER (b.mi BETWEEN a.mi - 11 AND a.mi) AS int_r,
    count(b.ints) FILTER (b.mi BETWEEN a.mi - 11 AND a.mi) AS n_int_r,
    avg(b.elb) FILTER (b.mi BETWEEN a.mi - 12 AND a.mi - 1) AS elb_r,
    count(b.elb) FILTER (b.mi BETWEEN a.mi - 12 AND a.mi - 1) AS n_elb_r,
    sum(b.ints) FILTER (b.mi BETWEEN 12 * ((a.mi - 1) // 12) + 1 AND a.mi) AS int_y,
    count(b.ints) FILTER (b.mi BETWEEN 12 * ((a.mi - 1) // 12) + 1 AND a.mi) AS n_int_y,
    avg(b.elb) FILTER (b.mi BETWEEN 12 * ((a.mi - 1) // 12) AND a.mi - 1) AS elb_y,
    count(b.elb) FILTER (b.mi BETWEEN 12 * ((a.mi - 1) // 12) AND a.mi - 1) AS n_elb_y
  FROM reihen a JOIN reihen b ON b.jobcenter_id = a.jobcenter_id AND b.kennzahl = a.kennzahl
   AND b.gruppe = a.gruppe AND b.mi BETWEEN a.mi - 12 AND a.mi
  GROUP BY ALL)
SELECT jobcenter_id, monat AS berichtsmonat, kennzahl, gruppe, 'rollierend' AS variante,
       100 * int_r / NULLIF(elb_r, 0) AS wert
FROM agg WHERE n_int_r = 12 AND n_elb_r = 12
UNION ALL
SELECT jobcenter_id, monat, kennzahl, gruppe, 'jfw', 100 * int_y / NULLIF(elb_y, 0)
FROM agg WHERE n_int_y = mi - jan + 1 AND n_elb_y = mi - jan + 1;

-- K3E2 per month: LZB with an active measure at the Stichtag (catalogue 2011, valid 2011-2018)
CREATE OR REPLACE TABLE k3e2_monat AS
SELECT jobcenter_id, mi,
       100 * avg(COALESCE(massnahme IN ('FBW', 'MAT', 'AGH', 'FAV', 'FREI', 'TW', 'ESF_LZA',
                                         'BVB', 'EQ'), false)::INT) AS wert
FROM elb WHERE lzb GROUP BY ALL;

CREATE OR REPLACE TABLE ref_kennzahlen AS
SELECT * FROM ref_quoten
UNION ALL  -- changes against the previous year: K1E2 (eLB), K3 (LZB)
SELECT a.jobcenter_id, a.monat, k.kennzahl, 'gesamt', 'monat',
       100 * (CASE k.kennzahl WHEN 'K1E2' THEN a.elb_all / NULLIF(b.elb_all, 0)
                              ELSE a.elb_lzb / NULLIF(b.elb_lzb, 0) END - 1)
FROM monthly a
JOIN monthly b ON b.jobcenter_id = a.jobcenter_id AND b.mi = a.mi - 12
CROSS JOIN (VALUES ('K1E2'), ('K3')) k(kennzahl)
UNION ALL
SELECT m.jobcenter_id, m.monat, 'K3E2', 'gesamt', 'monat', k.wert
FROM months m JOIN k3e2_monat k USING (jobcenter_id, mi);

-- Ist of the targets, year to date (Jan..m, a row only when every month is computable) -------
CREATE OR REPLACE TABLE ref_ziel_ist AS
WITH ytd AS (
  SELECT m.jobcenter_id, m.monat, month(m.monat) AS mon,
    count(*) OVER w AS n_months, count(m.int_all) OVER w AS n_int,
    sum(m.int_ae) OVER w AS int_ae, sum(m.int_aus_u25) OVER w AS int_aus_u25,
    sum(m.int_aus_ue25) OVER w AS int_aus_ue25, avg(m.elb_lzb) OVER w AS lzb_mean,
    avg(k.wert) OVER w AS k3e2_mean
  FROM monthly m JOIN k3e2_monat k USING (jobcenter_id, mi)
  WINDOW w AS (PARTITION BY m.jobcenter_id, year(m.monat) ORDER BY m.monat))
SELECT jobcenter_id, monat AS berichtsmonat, ziel_id, ist FROM (
  SELECT jobcenter_id, monat, 'Z2.7' AS ziel_id, int_ae AS ist FROM ytd WHERE n_int = mon
  UNION ALL SELECT jobcenter_id, monat, 'Z2.12', int_aus_u25 FROM ytd WHERE n_int = mon
  UNION ALL SELECT jobcenter_id, monat, 'Z2.9', int_aus_ue25 FROM ytd WHERE n_int = mon
  UNION ALL SELECT jobcenter_id, monat, 'Z3.1', lzb_mean FROM ytd WHERE n_months = mon
  UNION ALL SELECT jobcenter_id, monat, 'Z3.3', k3e2_mean FROM ytd WHERE n_months = mon)
UNION ALL
SELECT jobcenter_id, berichtsmonat, z.ziel_id, wert
FROM ref_quoten q
JOIN (VALUES ('Z2.1', 'K2', 'ohne_asyl8'), ('Z2.2', 'K2', 'asyl8'), ('Z3.2', 'K3E1', 'gesamt'))
  z(ziel_id, kennzahl, gruppe) USING (kennzahl, gruppe)
WHERE q.variante = 'jfw';
