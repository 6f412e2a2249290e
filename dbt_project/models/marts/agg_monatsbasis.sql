-- One row per delivered (jobcenter, berichtsmonat): every monthly count and sum the Kennzahlen
-- are built from. NULL means "not computable from the data present" (e.g. Zugänge without a
-- delivered t-1, Integrationen without t-1 and t-2), 0 means "none".
-- Incremental by month (macros/monatsweise.sql), looking back 3 months: the Integrationen of
-- t read ELB(t+3) (bedarfsdeckend).

{%- set ab = neubau_ab() %}

with monate as (

    select * from {{ ref('int_monate') }}
    {{ nur_neubau(ab) }}

),

bestand as (

    select * from {{ ref('fct_elb_bestand') }}
    {{ nur_neubau(ab, -1) }}  -- the Abgänge of t are counted on t-1

),

bestand_monat as (

    select
        jobcenter_id,
        berichtsmonat,
        count(*) as elb,
        sum(case when asyl8 then 1 else 0 end) as elb_asyl8,
        sum(case when not asyl8 then 1 else 0 end) as elb_ohne_asyl8,
        sum(case when u25 then 1 else 0 end) as elb_u25,
        sum(case when geschlecht = 'w' then 1 else 0 end) as elb_frauen,
        sum(case when geschlecht = 'm' then 1 else 0 end) as elb_maenner,
        sum(case when alleinerziehend then 1 else 0 end) as elb_alleinerziehend,
        sum(case when ue50 then 1 else 0 end) as elb_ue50,
        sum(case when marktnah then 1 else 0 end) as elb_marktnah,
        sum(case when komplex then 1 else 0 end) as elb_komplex,
        sum(case when mit_schulabschluss then 1 else 0 end) as elb_mit_schulabschluss,
        sum(case when mit_hochschulreife then 1 else 0 end) as elb_mit_hochschulreife,
        sum(case when mit_berufsabschluss then 1 else 0 end) as elb_mit_berufsabschluss,
        sum(case when schwerbehindert then 1 else 0 end) as elb_schwerbehindert,
        sum(case when lzb then 1 else 0 end) as lzb,
        sum(case when lzb and massnahme_aktive_af then 1 else 0 end) as lzb_aktiviert,
        sum(case when lza then 1 else 0 end) as lza,
        -- NULL when t-1 was not delivered (zugang is NULL on every row then)
        sum(case when zugang then 1 when zugang is null then null else 0 end) as zugaenge,
        sum(case
            when lzb and not lzb_vormonat then 1
            when lzb_vormonat is null then null else 0
        end) as lzb_zugaenge,
        -- the persons of t-1 still in ELB(t), and still LZB in t
        sum(case when im_vormonat then 1 else 0 end) as verbleibende,
        sum(case when lzb and lzb_vormonat then 1 else 0 end) as lzb_verbleibende
    from bestand
    group by jobcenter_id, berichtsmonat

),

-- Abgänge of month t: the t-1 records not in ELB(t), i.e. ELB(t-1) minus the records of t that
-- were in ELB(t-1) (a person has at most one record per month). Counted from t's backward
-- flags, so the rows of t-1 need nothing from t and a new month leaves them as they are.
vormonat as (

    select
        jobcenter_id,
        {{ add_months('berichtsmonat', 1) }} as berichtsmonat,
        count(*) as elb_vormonat,
        sum(case when lzb then 1 else 0 end) as lzb_vormonat
    from bestand
    group by jobcenter_id, berichtsmonat

),

integrationen_monat as (

    select
        jobcenter_id,
        berichtsmonat,
        count(*) as int_gesamt,
        sum(case when asyl8 then 1 else 0 end) as int_asyl8,
        sum(case when not asyl8 then 1 else 0 end) as int_ohne_asyl8,
        sum(case when u25 then 1 else 0 end) as int_u25,
        sum(case when geschlecht = 'w' then 1 else 0 end) as int_frauen,
        sum(case when geschlecht = 'm' then 1 else 0 end) as int_maenner,
        sum(case when alleinerziehend then 1 else 0 end) as int_alleinerziehend,
        sum(case when lzb then 1 else 0 end) as int_lzb,
        sum(case when lza then 1 else 0 end) as int_lza,
        sum(case when marktnah then 1 else 0 end) as int_marktnah,
        sum(case when komplex then 1 else 0 end) as int_komplex,
        sum(case when art = 'AUS' and u25 then 1 else 0 end) as int_ausbildung_u25,
        sum(case when art = 'AUS' and not u25 then 1 else 0 end) as int_ausbildung_ue25,
        sum(case when bedarfsdeckend then 1 else 0 end) as int_bedarfsdeckend,
        sum(case when bedarfsdeckend is not null then 1 else 0 end) as int_bedarfsdeckend_bekannt
    from {{ ref('fct_integrationen') }}
    {{ nur_neubau(ab) }}
    group by jobcenter_id, berichtsmonat

),

gering_oeff_monat as (

    select
        jobcenter_id,
        berichtsmonat,
        sum(case when zaehlart = 'GERING' then 1 else 0 end) as eintritte_gering,
        sum(case when zaehlart = 'OEFF' then 1 else 0 end) as eintritte_oeff
    from {{ ref('fct_eintritte_gering_oeff') }}
    {{ nur_neubau(ab) }}
    group by jobcenter_id, berichtsmonat

),

-- every BG of the active stand counts (K1, K1E1): the rows of fct_leistungen, read from
-- staging because through that view DuckDB keeps its join with the stock for bg_mit_elb,
-- which the sums do not need (SF100, four months: 2.05 s against 0.09 s)
leistungen_monat as (

    select
        jobcenter_id,
        berichtsmonat,
        sum(llu_anspruch) as llu_summe,
        sum(luh_anspruch) as luh_summe
    from {{ aktiver_stand(ref('stg_leistungen')) }} as leistungen
    {{ nur_neubau(ab) }}
    group by jobcenter_id, berichtsmonat

)

select
    m.jobcenter_id,
    m.berichtsmonat,
    m.jahr,
    m.monat,
    m.stichtag,
    m.vorlaeufig,
    m.hat_vormonat,
    m.integrationen_berechenbar,
    coalesce(b.elb, 0) as elb,
    coalesce(b.elb_asyl8, 0) as elb_asyl8,
    coalesce(b.elb_ohne_asyl8, 0) as elb_ohne_asyl8,
    coalesce(b.elb_u25, 0) as elb_u25,
    coalesce(b.elb_frauen, 0) as elb_frauen,
    coalesce(b.elb_maenner, 0) as elb_maenner,
    coalesce(b.elb_alleinerziehend, 0) as elb_alleinerziehend,
    coalesce(b.elb_ue50, 0) as elb_ue50,
    coalesce(b.elb_marktnah, 0) as elb_marktnah,
    coalesce(b.elb_komplex, 0) as elb_komplex,
    coalesce(b.elb_mit_schulabschluss, 0) as elb_mit_schulabschluss,
    coalesce(b.elb_mit_hochschulreife, 0) as elb_mit_hochschulreife,
    coalesce(b.elb_mit_berufsabschluss, 0) as elb_mit_berufsabschluss,
    coalesce(b.elb_schwerbehindert, 0) as elb_schwerbehindert,
    coalesce(b.lzb, 0) as lzb,
    coalesce(b.lzb_aktiviert, 0) as lzb_aktiviert,
    coalesce(b.lza, 0) as lza,
    -- flows need month t-1
    case when m.hat_vormonat then coalesce(b.zugaenge, 0) end as zugaenge,
    case when m.hat_vormonat then coalesce(v.elb_vormonat, 0) - coalesce(b.verbleibende, 0) end as abgaenge,
    case when m.hat_vormonat then coalesce(v.elb_vormonat, 0) end as elb_vormonat,
    case when m.hat_vormonat then coalesce(b.lzb_zugaenge, 0) end as lzb_zugaenge,
    case when m.hat_vormonat then coalesce(v.lzb_vormonat, 0) - coalesce(b.lzb_verbleibende, 0) end
        as lzb_abgaenge,
    case when m.hat_vormonat then coalesce(v.lzb_vormonat, 0) end as lzb_vormonat,
    -- Integrationen and GERING/OEFF starts need months t-1 and t-2
    case when m.integrationen_berechenbar then coalesce(i.int_gesamt, 0) end as int_gesamt,
    case when m.integrationen_berechenbar then coalesce(i.int_asyl8, 0) end as int_asyl8,
    case when m.integrationen_berechenbar then coalesce(i.int_ohne_asyl8, 0) end as int_ohne_asyl8,
    case when m.integrationen_berechenbar then coalesce(i.int_u25, 0) end as int_u25,
    case when m.integrationen_berechenbar then coalesce(i.int_frauen, 0) end as int_frauen,
    case when m.integrationen_berechenbar then coalesce(i.int_maenner, 0) end as int_maenner,
    case when m.integrationen_berechenbar then coalesce(i.int_alleinerziehend, 0) end as int_alleinerziehend,
    case when m.integrationen_berechenbar then coalesce(i.int_lzb, 0) end as int_lzb,
    case when m.integrationen_berechenbar then coalesce(i.int_lza, 0) end as int_lza,
    case when m.integrationen_berechenbar then coalesce(i.int_marktnah, 0) end as int_marktnah,
    case when m.integrationen_berechenbar then coalesce(i.int_komplex, 0) end as int_komplex,
    case when m.integrationen_berechenbar then coalesce(i.int_ausbildung_u25, 0) end as int_ausbildung_u25,
    case when m.integrationen_berechenbar then coalesce(i.int_ausbildung_ue25, 0) end as int_ausbildung_ue25,
    case when m.integrationen_berechenbar then coalesce(i.int_bedarfsdeckend, 0) end as int_bedarfsdeckend,
    case when m.integrationen_berechenbar then coalesce(i.int_bedarfsdeckend_bekannt, 0) end
        as int_bedarfsdeckend_bekannt,
    case when m.integrationen_berechenbar then coalesce(g.eintritte_gering, 0) end as eintritte_gering,
    case when m.integrationen_berechenbar then coalesce(g.eintritte_oeff, 0) end as eintritte_oeff,
    -- a delivered month without leistungen rows sums to 0
    -- DECIMAL, exact: sums over months must not depend on the order of addition
    cast(coalesce(l.llu_summe, 0) as decimal(18, 2)) as llu_summe,
    cast(coalesce(l.luh_summe, 0) as decimal(18, 2)) as luh_summe
from monate as m
left join bestand_monat as b
    on b.jobcenter_id = m.jobcenter_id and b.berichtsmonat = m.berichtsmonat
left join vormonat as v
    on v.jobcenter_id = m.jobcenter_id and v.berichtsmonat = m.berichtsmonat
left join integrationen_monat as i
    on i.jobcenter_id = m.jobcenter_id and i.berichtsmonat = m.berichtsmonat
left join gering_oeff_monat as g
    on g.jobcenter_id = m.jobcenter_id and g.berichtsmonat = m.berichtsmonat
left join leistungen_monat as l
    on l.jobcenter_id = m.jobcenter_id and l.berichtsmonat = m.berichtsmonat
