-- One row per counted start into geringfügige (GERING, K2E1) or öffentlich geförderte
-- Beschäftigung (OEFF, K2E2) after the same rules 1-3 as Integrationen (one per person,
-- month and kind). These are not Integrationen and never count for K2.

select
    jobcenter_id,
    berichtsmonat,
    person_id,
    zaehlart,
    beginn,
    art,
    foerderung,
    arbeitszeit,
    regel,
    ereignismonat,
    vormonat,
    monat_vorlaeufig,
    alter_jahre,
    u25,
    geschlecht,
    asyl8,
    alleinerziehend,
    lzb,
    lza,
    profillage,
    team
from {{ ref('fct_erwerbsaufnahmen_zuordnung') }}
where zaehlart in ('GERING', 'OEFF')
