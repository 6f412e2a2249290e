-- One row per loaded delivery that is visible at the as-of date (all stands when as_of is unset).
-- Marks the active stand of each (jobcenter, berichtsmonat): the latest visible stand, which
-- supersedes every earlier stand of that month as a whole.
{% set as_of = as_of_date() %}

with lieferungen as (

    select * from {{ source('raw', 'lieferungen') }}
    {% if as_of is not none %}
    -- as-of: what was known on that date; later stands did not exist yet
    where stand <= {{ as_of }}
    {% endif %}

),

rangiert as (

    select
        jobcenter_id,
        jobcenter_name,
        berichtsmonat,
        stichtag,
        stand,
        vertrag,
        pfad,
        manifest_sha256,
        _geladen_am as geladen_am,
        row_number() over (
            partition by jobcenter_id, berichtsmonat
            order by stand desc
        ) as stand_rang
    from lieferungen

)

select
    jobcenter_id,
    jobcenter_name,
    berichtsmonat,
    stichtag,
    stand,
    vertrag,
    pfad,
    manifest_sha256,
    geladen_am,
    stand_rang = 1 as ist_aktiver_stand,
    -- final-making stand: stand >= stichtag + 3 months (extract contract section 1)
    stand >= {{ add_months('stichtag', 3) }} as macht_endgueltig
from rangiert
