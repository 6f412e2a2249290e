-- FbW per month: entries (all, and abschlussorientiert by Geringqualifizierte, Z2.8) and exits
-- with the Erfolgsquote (Integration within 6 months of the exit, Z2.10), year to date against
-- the catalogue's targets. Entries and exits count in the calendar month of their date;
-- vorlaeufig also while delivery m+1 (events after ST(m)) or an exit's 6-month window is not
-- final.

with basis as (

    select
        jobcenter_id, berichtsmonat, jahr, vorlaeufig, ereignisse_vorlaeufig,
        fbw_eintritte, fbw_eintritte_gq_abschluss, fbw_austritte, fbw_austritte_integriert,
        fbw_erfolg_vorlaeufig
    from {{ ref('agg_zielbasis_monat') }}

),

figuren as (

    select * from {{ ref('agg_ziel_figuren_monat') }}
    where figur in ('FBW_EINTRITTE_GQ_ABSCHLUSS', 'FBW_ERFOLGSQUOTE') and gruppe = 'gesamt'

),

ziele as (

    -- one value per year and figure even if several catalogue rows read it: the largest
    select jobcenter_id, jahr, figur, max(zielwert) as zielwert
    from {{ ref('int_ziel_katalog') }}
    where figur in ('FBW_EINTRITTE_GQ_ABSCHLUSS', 'FBW_ERFOLGSQUOTE') and gruppe = 'gesamt'
    group by jobcenter_id, jahr, figur

)

select
    b.jobcenter_id,
    b.berichtsmonat,
    b.jahr,
    cast(b.fbw_eintritte as integer) as eintritte_monat,
    cast(b.fbw_eintritte_gq_abschluss as integer) as eintritte_gq_abschluss_monat,
    cast(e.ist_ytd as integer) as eintritte_gq_abschluss_ytd,
    ze.zielwert as eintritte_gq_abschluss_ziel,
    cast(b.fbw_austritte as integer) as austritte_monat,
    cast(q.nenner_ytd as integer) as austritte_ytd,
    cast(q.zaehler_ytd as integer) as austritte_integriert_ytd,
    q.ist_ytd as erfolgsquote_ytd,
    zq.zielwert as erfolgsquote_ziel,
    (
        b.ereignisse_vorlaeufig or b.fbw_erfolg_vorlaeufig or coalesce(e.vorlaeufig, false)
        or coalesce(q.vorlaeufig, false)
    ) as vorlaeufig,
    false as unterdrueckt
from basis as b
left join figuren as e
    on
        e.jobcenter_id = b.jobcenter_id and e.berichtsmonat = b.berichtsmonat
        and e.figur = 'FBW_EINTRITTE_GQ_ABSCHLUSS'
left join figuren as q
    on
        q.jobcenter_id = b.jobcenter_id and q.berichtsmonat = b.berichtsmonat
        and q.figur = 'FBW_ERFOLGSQUOTE'
left join ziele as ze
    on ze.jobcenter_id = b.jobcenter_id and ze.jahr = b.jahr and ze.figur = 'FBW_EINTRITTE_GQ_ABSCHLUSS'
left join ziele as zq
    on zq.jobcenter_id = b.jobcenter_id and zq.jahr = b.jahr and zq.figur = 'FBW_ERFOLGSQUOTE'
