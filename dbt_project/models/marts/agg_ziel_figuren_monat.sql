-- The long table of figures the target comparison reads: one row per (jobcenter, berichtsmonat,
-- figur, gruppe) with the figure's value year to date (ist_ytd) in the unit of its targets.
-- It only gathers what other models compute (no figure is defined here):
--   * the K2-kind quotas as Jahresfortschrittswert from agg_quoten_jfw;
--   * the Kontaktdichte per group, year to date, from agg_kontaktdichte_ytd;
--   * every other agreement figure from agg_zielkennzahlen_monat (already year to date).
-- The catalogue joins on (jobcenter_id, figur, gruppe); which figure a target reads is data.

with figuren as (

    select
        jobcenter_id, berichtsmonat, jahr, monat, kennzahl as figur, gruppe,
        cast(zaehler as double) as zaehler_ytd,
        cast(nenner as double) as nenner_ytd,
        {{ prozent('zaehler', 'nenner') }} as ist_ytd,
        'prozent' as einheit,
        vorlaeufig_ab_dezember as vorlaeufig,
        'agg_quoten_jfw' as quelle
    from {{ ref('agg_quoten_jfw') }}

    union all

    select
        jobcenter_id, berichtsmonat, jahr, monat, 'KONTAKTDICHTE' as figur, gruppe,
        cast(kontakte_ytd as double) as zaehler_ytd,
        elb_mittel_ytd as nenner_ytd,
        kontaktdichte as ist_ytd,
        'kontakte_je_person_jahr' as einheit,
        vorlaeufig,
        'agg_kontaktdichte_ytd' as quelle
    from {{ ref('agg_kontaktdichte_ytd') }}

    union all

    select
        jobcenter_id, berichtsmonat, jahr,
        cast(extract(month from berichtsmonat) as integer) as monat,
        kennzahl as figur, gruppe,
        zaehler as zaehler_ytd,
        nenner as nenner_ytd,
        wert as ist_ytd,
        einheit,
        vorlaeufig,
        'agg_zielkennzahlen_monat' as quelle
    from {{ ref('agg_zielkennzahlen_monat') }}

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
