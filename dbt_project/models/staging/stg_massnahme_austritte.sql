-- Every row of `raw.massnahme_austritte`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    foerderfall_id,
    person_id,
    austritt,
    austrittsgrund,
    abschluss_bestanden,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'massnahme_austritte') }}
