-- Every loaded delivery (jobcenter, berichtsmonat, stand), i.e. its manifest; the load
-- timestamp renamed. The as-of view and the active stand are int_lieferungen's.

select
    jobcenter_id,
    jobcenter_name,
    berichtsmonat,
    stichtag,
    stand,
    vertrag,
    pfad,
    manifest_sha256,
    _geladen_am as geladen_am
from {{ source('raw', 'lieferungen') }}
