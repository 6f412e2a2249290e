-- Every row of `raw.eingliederungsmittel`, every stand: lineage columns renamed without the leading
-- underscore. Which stand counts is chosen downstream (macros/aktiver_stand.sql).

select
    jobcenter_id,
    berichtsmonat,
    stand,
    instrument,
    zielgruppe,
    betrag,
    _quelldatei as quelldatei,
    _zeile as zeile
from {{ source('raw', 'eingliederungsmittel') }}
