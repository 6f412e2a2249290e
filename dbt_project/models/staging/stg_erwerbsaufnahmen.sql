-- Every row of `raw.erwerbsaufnahmen`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    person_id,
    beginn,
    art,
    foerderung,
    arbeitszeit,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'erwerbsaufnahmen') }}
