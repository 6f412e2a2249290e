-- The one place that decides which delivery counts. One row per delivery visible at the
-- as-of date (every stand when as_of is unset), with
--   * ist_aktiver_stand: the latest visible stand of its (jobcenter, berichtsmonat); it
--     supersedes every earlier stand of that month as a whole, rows are never merged;
--   * macht_endgueltig: the stand makes its month final (stand >= stichtag + 3 months,
--     extract contract section 1).
-- Models read delivery rows through the macro aktiver_stand() (macros/aktiver_stand.sql),
-- which keeps the rows of the active stands only.
{% set as_of = as_of_date() %}

with lieferungen as (

    select * from {{ ref('stg_lieferungen') }}
    {% if as_of is not none %}
        -- as-of: what was known on that date; later stands did not exist yet
        where stand <= {{ as_of }}
    {% endif %}

)

select
    *,
    row_number() over (
        partition by jobcenter_id, berichtsmonat
        order by stand desc
    ) = 1 as ist_aktiver_stand,
    stand >= {{ add_months('stichtag', 3) }} as macht_endgueltig
from lieferungen
