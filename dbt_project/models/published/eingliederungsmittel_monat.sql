-- Eingliederungsmittel per month: spending of the month and year to date, in total and for
-- U25, and the U25 share year to date against the agreement's Richtwert (Z2.11: rd. 16 %).
-- Amounts only, no person counts.

with basis as (

    select jobcenter_id, berichtsmonat, jahr, vorlaeufig, egm_betrag, egm_betrag_u25
    from {{ ref('agg_zielbasis_monat') }}

),

ytd as (

    select * from {{ ref('agg_ziel_figuren_monat') }}
    where figur = 'EGM_ANTEIL_U25' and gruppe = 'gesamt'

),

richtwert as (

    select jobcenter_id, jahr, max(richtwert) as richtwert
    from {{ ref('int_ziel_katalog') }}
    where figur = 'EGM_ANTEIL_U25' and gruppe = 'gesamt'
    group by jobcenter_id, jahr

)

select
    b.jobcenter_id,
    b.berichtsmonat,
    b.jahr,
    cast(b.egm_betrag as double) as betrag_monat,
    cast(b.egm_betrag_u25 as double) as betrag_u25_monat,
    y.nenner_ytd as betrag_ytd,
    y.zaehler_ytd as betrag_u25_ytd,
    y.ist_ytd as anteil_u25_ytd,
    r.richtwert as richtwert_anteil_u25,
    (b.vorlaeufig or coalesce(y.vorlaeufig, false)) as vorlaeufig
from basis as b
left join ytd as y
    on y.jobcenter_id = b.jobcenter_id and y.berichtsmonat = b.berichtsmonat
left join richtwert as r
    on r.jobcenter_id = b.jobcenter_id and r.jahr = b.jahr
