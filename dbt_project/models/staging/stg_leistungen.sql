-- Rows of `leistungen` of the active stand only (latest stand per jobcenter and month, or latest
-- stand <= as_of): a later delivery replaces the month as a whole, so rows are never merged
-- across stands.

with quelle as (

    select * from {{ source('raw', 'leistungen') }}

),

aktive_lieferungen as (

    select jobcenter_id, berichtsmonat, stand
    from {{ ref('stg_lieferungen') }}
    where ist_aktiver_stand

)

select
    q.jobcenter_id,
    q.berichtsmonat,
    q.stand,
    q.bg_id,
    q.llu_anspruch,
    q.luh_anspruch,
    q._quelldatei as quelldatei,
    q._zeile as zeile
from quelle as q
inner join aktive_lieferungen as a
    on  a.jobcenter_id = q.jobcenter_id
    and a.berichtsmonat = q.berichtsmonat
    and a.stand = q.stand
