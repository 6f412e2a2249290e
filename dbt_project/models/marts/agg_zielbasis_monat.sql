-- Monthly values of the agreement's further figures (targets-2016.md) per delivered
-- (jobcenter, berichtsmonat), on top of agg_monatsbasis: FbW, Talentwerkstatt and
-- Eingliederungsmittel.
-- FbW/TW Eintritte and FbW Austritte count in the calendar month of their date (eintritt,
-- austritt), not in the reporting month whose window holds it (kennzahlen.md: "in the year of
-- `eintritt`"). Window(m) ends at ST(m), so the events of ST(m)+1 .. end of month m come with
-- delivery m+1: a month's event counts are complete (and final) only once m+1 is delivered
-- and final (ereignisse_vorlaeufig).

with basis as (

    select * from {{ ref('agg_monatsbasis') }}

),

monate as (

    select jobcenter_id, berichtsmonat, vorlaeufig from {{ ref('int_monate') }}

),

ereignisse_stand as (

    select
        m.jobcenter_id,
        m.berichtsmonat,
        (m.vorlaeufig or coalesce(n.vorlaeufig, true)) as ereignisse_vorlaeufig
    from monate as m
    left join monate as n
        on
            n.jobcenter_id = m.jobcenter_id
            and n.berichtsmonat = {{ add_months('m.berichtsmonat', 1) }}

),

fbw_eintritte as (

    select
        jobcenter_id,
        eintritt_kalendermonat as berichtsmonat,
        count(*) as fbw_eintritte,
        sum(case when abschlussorientiert and geringqualifiziert then 1 else 0 end)
            as fbw_eintritte_gq_abschluss
    from {{ ref('fct_fbw_eintritte') }}
    group by jobcenter_id, eintritt_kalendermonat

),

fbw_austritte as (

    select
        jobcenter_id,
        austritt_kalendermonat as berichtsmonat,
        count(*) as fbw_austritte,
        sum(case when integration_6_monate then 1 else 0 end) as fbw_austritte_integriert,
        max(case when erfolg_vorlaeufig then 1 else 0 end) = 1 as fbw_erfolg_vorlaeufig
    from {{ ref('fct_fbw_eintritte') }}
    where austritt is not null
    group by jobcenter_id, austritt_kalendermonat

),

tw_eintritte as (

    select jobcenter_id, eintritt_kalendermonat as berichtsmonat, count(*) as tw_eintritte
    from {{ ref('fct_massnahmen') }}
    where instrument = 'TW'
    group by jobcenter_id, eintritt_kalendermonat

),

mittel as (

    select
        jobcenter_id,
        berichtsmonat,
        -- euro sums stay DECIMAL (exact): a double sum depends on the order of addition
        cast(sum(betrag) as decimal(18, 2)) as egm_betrag,
        cast(sum(case when zielgruppe = 'U25' then betrag else 0 end) as decimal(18, 2))
            as egm_betrag_u25
    from {{ aktiver_stand(ref('stg_eingliederungsmittel')) }} as eingliederungsmittel
    group by jobcenter_id, berichtsmonat

)

select
    b.*,
    es.ereignisse_vorlaeufig,
    coalesce(fe.fbw_eintritte, 0) as fbw_eintritte,
    coalesce(fe.fbw_eintritte_gq_abschluss, 0) as fbw_eintritte_gq_abschluss,
    coalesce(fa.fbw_austritte, 0) as fbw_austritte,
    coalesce(fa.fbw_austritte_integriert, 0) as fbw_austritte_integriert,
    coalesce(fa.fbw_erfolg_vorlaeufig, false) as fbw_erfolg_vorlaeufig,
    coalesce(tw.tw_eintritte, 0) as tw_eintritte,
    coalesce(mi.egm_betrag, 0) as egm_betrag,
    coalesce(mi.egm_betrag_u25, 0) as egm_betrag_u25
from basis as b
inner join ereignisse_stand as es
    on es.jobcenter_id = b.jobcenter_id and es.berichtsmonat = b.berichtsmonat
left join fbw_eintritte as fe
    on fe.jobcenter_id = b.jobcenter_id and fe.berichtsmonat = b.berichtsmonat
left join fbw_austritte as fa
    on fa.jobcenter_id = b.jobcenter_id and fa.berichtsmonat = b.berichtsmonat
left join tw_eintritte as tw
    on tw.jobcenter_id = b.jobcenter_id and tw.berichtsmonat = b.berichtsmonat
left join mittel as mi
    on mi.jobcenter_id = b.jobcenter_id and mi.berichtsmonat = b.berichtsmonat
