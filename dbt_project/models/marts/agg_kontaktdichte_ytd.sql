-- The Kontaktdichte per (jobcenter, berichtsmonat, gruppe), year to date (kennzahlen.md):
--   contacts Jan..m / mean ELB_p(Jan..m) * 12 / number of months
-- in contacts per person and year. Computed here once; the mart kontaktdichte_monat publishes
-- it and agg_ziel_figuren_monat hands it to the target comparison. A row exists only when all
-- of Jan..m are delivered (monate_ytd = monat); vorlaeufig = any of Jan..m is provisional.

with reihen as (

    select * from {{ ref('agg_kontaktdichte_monat') }}

),

ytd as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.jahr,
        t.gruppe,
        max(t.monat) as monat,
        max(t.kontakte) as kontakte_monat,
        max(t.elb) as elb_monat,
        sum(r.kontakte) as kontakte_ytd,
        avg(cast(r.elb as double)) as elb_mittel_ytd,
        count(*) as monate_ytd,
        max(case when r.vorlaeufig then 1 else 0 end) = 1 as vorlaeufig
    from reihen as t
    inner join reihen as r
        on
            t.jobcenter_id = r.jobcenter_id
            and t.gruppe = r.gruppe
            and t.jahr = r.jahr
            and r.berichtsmonat <= t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.jahr, t.gruppe

)

select
    jobcenter_id,
    berichtsmonat,
    jahr,
    monat,
    gruppe,
    kontakte_monat,
    elb_monat,
    kontakte_ytd,
    elb_mittel_ytd,
    monate_ytd,
    case
        when elb_mittel_ytd > 0
            then kontakte_ytd / elb_mittel_ytd * 12.0 / monate_ytd
    end as kontaktdichte,
    vorlaeufig
from ytd
where monate_ytd = monat
