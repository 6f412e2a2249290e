-- The K2-kind quotas as Jahresfortschrittswert per (jobcenter, berichtsmonat, kennzahl, gruppe),
-- computed here once for kennzahlen_monat (variante jfw) and the target comparison:
--   JFW_G(m) = sum INT_G(Jan..m) / mean ELB_G(Dec of the previous year .. m-1) * 100
-- A row exists only when every month Jan..m has computable Integrationen and every stock
-- Dec..m-1 is delivered. Integrationen of Jan read ELB(Dec) and ELB(Nov), so the months read
-- are Nov..m: vorlaeufig covers them. The target comparison has always flagged by the months
-- Dec..m (vorlaeufig_ab_dezember); kept apart so its published figures do not change.

with reihen as (

    select * from {{ ref('agg_quotenreihen_monat') }}

),

ytd as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.jahr,
        t.monat,
        t.kennzahl,
        t.gruppe,
        sum(r.int_anzahl) filter (where r.jahr = t.jahr) as zaehler,
        count(r.int_anzahl) filter (where r.jahr = t.jahr) as monate_int,
        -- integers: exact sum, one division
        avg(r.elb_anzahl) filter (
            where r.berichtsmonat between make_date(t.jahr - 1, 12, 1)
            and {{ add_months('t.berichtsmonat', -1) }}
        ) as nenner,
        count(r.elb_anzahl) filter (
            where r.berichtsmonat between make_date(t.jahr - 1, 12, 1)
            and {{ add_months('t.berichtsmonat', -1) }}
        ) as monate_elb,
        bool_or(r.vorlaeufig) as vorlaeufig,
        coalesce(
            bool_or(r.vorlaeufig) filter (where r.berichtsmonat >= make_date(t.jahr - 1, 12, 1)),
            false
        ) as vorlaeufig_ab_dezember
    from reihen as t
    inner join reihen as r
        on
            t.jobcenter_id = r.jobcenter_id
            and t.kennzahl = r.kennzahl
            and t.gruppe = r.gruppe
            and r.berichtsmonat between {{ add_months('t.berichtsmonat', '-1 - t.monat') }}
            and t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.jahr, t.monat, t.kennzahl, t.gruppe

)

select
    jobcenter_id,
    berichtsmonat,
    jahr,
    monat,
    kennzahl,
    gruppe,
    zaehler,
    nenner,
    vorlaeufig,
    vorlaeufig_ab_dezember
from ytd
where monate_int = monat and monate_elb = monat
