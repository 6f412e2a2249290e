-- Talentwerkstatt (project for schwerbehinderte Menschen, instrument TW) per month: entries
-- of the month and year to date against the places per year of the catalogue (Z2.14: 60).
-- Entries count in the calendar month of `eintritt`; those after ST(m) come with delivery m+1,
-- so a month stays vorlaeufig until m+1 is delivered and final.

with basis as (

    select jobcenter_id, berichtsmonat, jahr, ereignisse_vorlaeufig, tw_eintritte
    from {{ ref('agg_zielbasis_monat') }}

),

ytd as (

    select * from {{ ref('agg_ziel_figuren_monat') }}
    where figur = 'TW_EINTRITTE' and gruppe = 'gesamt'

),

plaetze as (

    -- one value per year even if several catalogue rows read the figure: the largest
    select jobcenter_id, jahr, max(zielwert) as zielwert
    from {{ ref('int_ziel_katalog') }}
    where figur = 'TW_EINTRITTE' and gruppe = 'gesamt'
    group by jobcenter_id, jahr

)

select
    b.jobcenter_id,
    b.berichtsmonat,
    b.jahr,
    cast(b.tw_eintritte as integer) as eintritte_monat,
    cast(y.ist_ytd as integer) as eintritte_ytd,
    p.zielwert as plaetze_jahr,
    {{ prozent('y.ist_ytd', 'p.zielwert') }} as belegung_prozent,
    (b.ereignisse_vorlaeufig or coalesce(y.vorlaeufig, false)) as vorlaeufig,
    false as unterdrueckt
from basis as b
left join ytd as y
    on y.jobcenter_id = b.jobcenter_id and y.berichtsmonat = b.berichtsmonat
left join plaetze as p
    on p.jobcenter_id = b.jobcenter_id and p.jahr = b.jahr
