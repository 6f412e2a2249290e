-- Every row of `raw.kontakte`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    person_id,
    datum,
    kontaktart,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'kontakte') }}
