-- Person-month stock (restricted, person-level): one row per (jobcenter, berichtsmonat, person)
-- of the active stand, with every attribute the Kennzahlen need derived from this one record
-- (kennzahlen.md "Person attributes") and the comparison with the month before of the SAME
-- Jobcenter (Zugang, LZB-Zugang). The neighbour comes from a window function over the person's
-- own records, never from a person x month grid.
-- A row reads back, never ahead: the Abgänge of t are counted from t's backward flags
-- (agg_monatsbasis), so a new month leaves the rows of the month before as they are.
-- Incremental by month (macros/monatsweise.sql): only months from `ab` on are rebuilt.

{%- set ab = neubau_ab() %}

with bestand as (

    select * from {{ aktiver_stand(ref('stg_elb_bestand')) }} as elb_bestand
    {{ nur_neubau(ab, -1) }}  -- t-1 for the neighbour comparison

),

monate as (

    select * from {{ ref('int_monate') }}

),

katalog as (

    select * from {{ ref('instrumente_aktivierung') }}

),

attribute as (

    select
        b.jobcenter_id,
        b.berichtsmonat,
        b.stand,
        b.person_id,
        b.bg_id,
        m.stichtag,
        m.jahr,
        m.vorlaeufig,
        m.hat_vormonat,
        b.geburtsmonat,
        {{ alter_in_jahren('b.geburtsmonat', 'm.stichtag') }} as alter_jahre,
        b.geschlecht,
        b.staatsangehoerigkeit,
        coalesce(b.staatsangehoerigkeit in {{ asyl8_laender() }}, false) as asyl8,
        coalesce(b.alleinerziehend, false) as alleinerziehend,
        coalesce(b.schwerbehindert, false) as schwerbehindert,
        b.schulabschluss,
        b.berufsabschluss,
        b.profillage,
        b.elb_tage_730,
        coalesce(b.arbeitslos, false) as arbeitslos,
        b.arbeitslos_seit,
        b.massnahme_stichtag,
        b.team
    from bestand as b
    inner join monate as m
        on m.jobcenter_id = b.jobcenter_id and m.berichtsmonat = b.berichtsmonat

),

abgeleitet as (

    select
        a.*,
        a.alter_jahre < 25 as u25,
        a.alter_jahre >= 50 as ue50,
        -- LZB: 638 of the last 730 days as eLB and at least 17 years old
        (coalesce(a.elb_tage_730, 0) >= 638 and a.alter_jahre >= 17) as lzb,
        -- LZA: unemployed for 12 months or more at the Stichtag
        (a.arbeitslos and a.arbeitslos_seit <= {{ add_months('a.stichtag', -12) }}) as lza,
        coalesce(a.berufsabschluss = 'OHNE', false) as geringqualifiziert,
        coalesce(a.profillage in ('MP', 'AP', 'FP'), false) as marktnah,
        coalesce(a.profillage in ('EP', 'SP', 'UP'), false) as komplex,
        coalesce(a.schulabschluss not in ('OHNE', 'UNB'), false) as mit_schulabschluss,
        coalesce(a.schulabschluss in ('FHR', 'AHR'), false) as mit_hochschulreife,
        coalesce(a.berufsabschluss in ('BETR', 'AKAD'), false) as mit_berufsabschluss,
        -- K3E2: the catalogue version of the Berichtsmonat's year decides
        coalesce(k.aktive_arbeitsfoerderung, false) as massnahme_aktive_af
    from attribute as a
    left join katalog as k
        on
            k.instrument = a.massnahme_stichtag
            and a.jahr >= k.gueltig_ab
            and a.jahr <= coalesce(k.gueltig_bis, 9999)

),

nachbarn as (

    select
        d.*,
        lag(d.berichtsmonat) over w as vorheriger_berichtsmonat,
        lag(d.lzb) over w as vorheriges_lzb
    from abgeleitet as d
    window w as (partition by d.jobcenter_id, d.person_id order by d.berichtsmonat)

)

select
    jobcenter_id,
    berichtsmonat,
    stand,
    person_id,
    bg_id,
    stichtag,
    jahr,
    vorlaeufig,
    geburtsmonat,
    alter_jahre,
    u25,
    ue50,
    geschlecht,
    staatsangehoerigkeit,
    asyl8,
    alleinerziehend,
    schwerbehindert,
    schulabschluss,
    berufsabschluss,
    geringqualifiziert,
    mit_schulabschluss,
    mit_hochschulreife,
    mit_berufsabschluss,
    profillage,
    marktnah,
    komplex,
    elb_tage_730,
    lzb,
    arbeitslos,
    arbeitslos_seit,
    lza,
    massnahme_stichtag,
    massnahme_aktive_af,
    team,
    -- in ELB(t-1) of the same Jobcenter; NULL when month t-1 was not delivered (unknown)
    case
        when hat_vormonat
            then coalesce(vorheriger_berichtsmonat = {{ add_months('berichtsmonat', -1) }}, false)
    end as im_vormonat,
    case
        when hat_vormonat
            then not coalesce(vorheriger_berichtsmonat = {{ add_months('berichtsmonat', -1) }}, false)
    end as zugang,
    -- LZB status in t-1: false when not in ELB(t-1), NULL when t-1 was not delivered
    case
        when hat_vormonat
            then
                coalesce(
                    vorheriger_berichtsmonat = {{ add_months('berichtsmonat', -1) }} and vorheriges_lzb, false
                )
    end as lzb_vormonat
from nachbarn
{{ nur_neubau(ab) }}
