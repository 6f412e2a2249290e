-- Every row of `raw.elb_bestand`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    person_id,
    bg_id,
    geburtsmonat,
    geschlecht,
    staatsangehoerigkeit,
    alleinerziehend,
    schwerbehindert,
    schulabschluss,
    berufsabschluss,
    profillage,
    elb_tage_730,
    arbeitslos,
    arbeitslos_seit,
    massnahme_stichtag,
    team,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'elb_bestand') }}
