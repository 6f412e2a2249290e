-- One row per LZB person and month (elb_tage_730 >= 638 and age >= 17), with whether the
-- measure at the Stichtag counts as aktive Arbeitsförderung by the catalogue version of the
-- month's year (K3E2 numerator) and the LZB transitions (K3E3/K3E4).
-- A view: the rows are fct_elb_bestand's, so writing them again (47 s of a national build)
-- bought nothing; it is always as current as fct_elb_bestand (docs/decisions.md).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    person_id,
    stichtag,
    vorlaeufig,
    alter_jahre,
    u25,
    ue50,
    geschlecht,
    asyl8,
    alleinerziehend,
    schwerbehindert,
    geringqualifiziert,
    profillage,
    marktnah,
    komplex,
    lza,
    elb_tage_730,
    massnahme_stichtag,
    massnahme_aktive_af as aktive_arbeitsfoerderung,
    lzb_vormonat,
    team
from {{ ref('fct_elb_bestand') }}
where lzb
