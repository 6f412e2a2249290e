-- Every row of `raw.massnahme_eintritte`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    foerderfall_id,
    person_id,
    instrument,
    massnahme_ziel,
    eintritt,
    geplantes_ende,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'massnahme_eintritte') }}
