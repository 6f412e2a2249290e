-- The long table of figures the target comparison reads: one row per (jobcenter, berichtsmonat,
-- figur, gruppe) with the figure's value year to date (ist_ytd) in the unit of its targets.
-- It only gathers what the Kennzahlen models compute (no figure is defined here twice):
--   * the K2-kind quotas as Jahresfortschrittswert from int_quotenreihen_monat:
--       JFW_G(m) = Σ INT_G(Jan..m) / mean ELB_G(Dec of the previous year .. m-1) · 100
--     (written only when every month Jan..m has computable Integrationen and every stock
--     Dec..m-1 is delivered);
--   * the Kontaktdichte per group from int_kontaktdichte_monat, year to date;
--   * every other agreement figure from zielkennzahlen_monat (already year to date).
-- The catalogue joins on (jobcenter_id, figur, gruppe); which figure a target reads is data.

with quoten as (

    select * from {{ ref('int_quotenreihen_monat') }}

),

quoten_ytd as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.jahr,
        t.monat,
        t.kennzahl as figur,
        t.gruppe,
        sum(r.int_anzahl) filter (where r.jahr = t.jahr) as zaehler_ytd,
        count(r.int_anzahl) filter (where r.jahr = t.jahr) as monate_zaehler,
        avg(r.elb_anzahl) filter (where r.berichtsmonat < t.berichtsmonat) as nenner_ytd,
        count(r.elb_anzahl) filter (where r.berichtsmonat < t.berichtsmonat) as monate_nenner,
        -- reads Dec of the previous year .. m
        bool_or(r.vorlaeufig) as vorlaeufig
    from quoten as t
    inner join quoten as r
        on  r.jobcenter_id = t.jobcenter_id
        and r.kennzahl = t.kennzahl
        and r.gruppe = t.gruppe
        and r.berichtsmonat between make_date(t.jahr - 1, 12, 1) and t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.jahr, t.monat, t.kennzahl, t.gruppe

),

kontakte as (

    select * from {{ ref('int_kontaktdichte_monat') }}

),

kontakte_ytd as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.jahr,
        t.monat,
        t.gruppe,
        sum(r.kontakte) as zaehler_ytd,
        avg(r.elb) as nenner_ytd,  -- mean of integers: exact sum, one division
        count(*) as monate,
        bool_or(r.vorlaeufig) as vorlaeufig
    from kontakte as t
    inner join kontakte as r
        on  r.jobcenter_id = t.jobcenter_id
        and r.gruppe = t.gruppe
        and r.jahr = t.jahr
        and r.berichtsmonat <= t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.jahr, t.monat, t.gruppe

),

figuren as (

    select
        jobcenter_id, berichtsmonat, jahr, monat, figur, gruppe,
        cast(zaehler_ytd as double) as zaehler_ytd,
        cast(nenner_ytd as double) as nenner_ytd,
        {{ prozent('zaehler_ytd', 'nenner_ytd') }} as ist_ytd,
        'prozent' as einheit,
        vorlaeufig,
        'int_quotenreihen_monat' as quelle
    from quoten_ytd
    where monate_zaehler = monat and monate_nenner = monat

    union all

    select
        jobcenter_id, berichtsmonat, jahr, monat, 'KONTAKTDICHTE', gruppe,
        cast(zaehler_ytd as double),
        nenner_ytd,
        case when nenner_ytd > 0 then zaehler_ytd / nenner_ytd * 12.0 / monate end,
        'kontakte_je_person_jahr',
        vorlaeufig,
        'int_kontaktdichte_monat'
    from kontakte_ytd
    where monate = monat  -- every month Jan..m delivered

    union all

    select
        jobcenter_id, berichtsmonat, jahr, cast(extract(month from berichtsmonat) as integer),
        kennzahl, gruppe, zaehler, nenner, wert, einheit, vorlaeufig,
        'zielkennzahlen_monat'
    from {{ ref('zielkennzahlen_monat') }}

)

select
    cast(jobcenter_id as varchar) as jobcenter_id,
    cast(berichtsmonat as date) as berichtsmonat,
    cast(jahr as integer) as jahr,
    cast(monat as integer) as monat,
    cast(figur as varchar) as figur,
    cast(gruppe as varchar) as gruppe,
    zaehler_ytd,
    nenner_ytd,
    cast(ist_ytd as double) as ist_ytd,
    cast(einheit as varchar) as einheit,
    cast(vorlaeufig as boolean) as vorlaeufig,
    cast(quelle as varchar) as quelle
from figuren
where ist_ytd is not null
