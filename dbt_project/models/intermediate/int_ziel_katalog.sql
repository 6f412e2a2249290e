-- The target catalogue as the models read it: the seed `zielkatalog` plus, optionally, the
-- rows of another relation named by the dbt var `zielkatalog_zusatz` (same columns). The var
-- lets an additional agreement (another year, another Jobcenter, a test catalogue) be loaded
-- without touching the seed or any model; normally it is unset.
{%- set zusatz = var('zielkatalog_zusatz', none) %}

with katalog as (

    select * from {{ ref('zielkatalog') }}
    {%- if zusatz %}
    union all by name
    select * from {{ zusatz }}
    {%- endif %}

)

select
    cast(k.jobcenter_id as varchar) as jobcenter_id,
    cast(k.jahr as integer) as jahr,
    cast(k.ziel_id as varchar) as ziel_id,
    cast(k.abschnitt as varchar) as abschnitt,
    cast(k.bezeichnung as varchar) as bezeichnung,
    cast(k.kennzahl as varchar) as kennzahl,
    cast(k.figur as varchar) as figur,
    cast(k.gruppe as varchar) as gruppe,
    cast(k.art as varchar) as art,
    cast(k.richtung as varchar) as richtung,
    cast(k.einheit as varchar) as einheit,
    cast(k.zielwert as double) as zielwert,
    cast(k.richtwert as double) as richtwert,
    cast(k.basiswert as double) as basiswert,
    cast(k.basis_bezug as varchar) as basis_bezug,
    cast(k.quelle as varchar) as quelle,
    -- a target without a year-end value (or without a direction) is only watched
    (k.zielwert is null or k.richtung is null) as nur_monitoring,
    a.kumulativ,
    a.vorjahresmuster,
    a.monoton_steigend
from katalog as k
inner join {{ ref('zielkatalog_arten') }} as a
    on a.art = k.art
