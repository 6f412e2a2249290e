-- Every row of `raw.leistungen`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    bg_id,
    llu_anspruch,
    luh_anspruch,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'leistungen') }}
