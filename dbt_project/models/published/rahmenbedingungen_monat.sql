-- Rahmenbedingungen per month ("unterjährige Abweichungen von den Rahmenbedingungen"): the
-- eLB and Asyl8 stock of the month, their mean year to date, and the eLB mean against the
-- agreement's expected annual mean (48,869 for 2016) from zielkatalog_rahmen.

with monate as (

    select jobcenter_id, berichtsmonat, jahr, elb, elb_asyl8, vorlaeufig
    from {{ ref('agg_monatsbasis') }}

),

mittel as (

    select jobcenter_id, berichtsmonat, gruppe, ist_ytd, vorlaeufig
    from {{ ref('agg_ziel_figuren_monat') }}
    where figur = 'ELB_JAHRESDURCHSCHNITT' and gruppe in ('gesamt', 'asyl8')

),

rahmen as (

    select
        jobcenter_id,
        jahr,
        max(case when rolle = 'erwartung' then referenzwert end) as elb_erwartung,
        max(case when rolle = 'ausgangslage' then referenzwert end) as elb_ausgangswert
    from {{ ref('zielkatalog_rahmen') }}
    where figur = 'ELB_JAHRESDURCHSCHNITT' and gruppe = 'gesamt'
    group by jobcenter_id, jahr

)

select
    m.jobcenter_id,
    m.berichtsmonat,
    m.jahr,
    cast(m.elb as integer) as elb_bestand,
    g.ist_ytd as elb_mittel_ytd,
    cast(r.elb_erwartung as double) as elb_erwartung,
    g.ist_ytd - r.elb_erwartung as elb_abweichung,
    {{ veraenderung_prozent('g.ist_ytd', 'r.elb_erwartung') }} as elb_abweichung_prozent,
    cast(r.elb_ausgangswert as double) as elb_ausgangswert,
    cast(v.elb as integer) as elb_bestand_vorjahresmonat,
    {{ veraenderung_prozent('m.elb', 'v.elb') }} as elb_veraenderung_vorjahr_prozent,
    cast(m.elb_asyl8 as integer) as asyl8_bestand,
    a.ist_ytd as asyl8_mittel_ytd,
    {{ prozent('m.elb_asyl8', 'm.elb') }} as asyl8_anteil,
    cast(v.elb_asyl8 as integer) as asyl8_bestand_vorjahresmonat,
    -- the month itself, and the months Jan..m behind the means
    (
        m.vorlaeufig or coalesce(g.vorlaeufig, false) or coalesce(a.vorlaeufig, false)
        or coalesce(v.vorlaeufig, false)
    ) as vorlaeufig,
    false as unterdrueckt
from monate as m
left join mittel as g
    on g.jobcenter_id = m.jobcenter_id and g.berichtsmonat = m.berichtsmonat and g.gruppe = 'gesamt'
left join mittel as a
    on a.jobcenter_id = m.jobcenter_id and a.berichtsmonat = m.berichtsmonat and a.gruppe = 'asyl8'
left join monate as v
    on v.jobcenter_id = m.jobcenter_id and v.berichtsmonat = {{ add_months('m.berichtsmonat', -12) }}
left join rahmen as r
    on r.jobcenter_id = m.jobcenter_id and r.jahr = m.jahr
