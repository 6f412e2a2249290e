-- One row per LZB person and month (elb_tage_730 >= 638 and age >= 17), with whether the
-- measure at the Stichtag counts as aktive Arbeitsförderung by the catalogue version of the
-- month's year (K3E2 numerator) and the LZB transitions (K3E3/K3E4).
-- Incremental by month like fct_elb_bestand (macros/monatsweise.sql).

{%- set ab = neubau_ab() %}
-- depends_on: {{ ref('int_monate') }}

select
    jobcenter_id,
    berichtsmonat,
    stand,
    person_id,
    stichtag,
    vorlaeufig,
    alter_jahre,
    u25,
    ue50,
    geschlecht,
    asyl8,
    alleinerziehend,
    schwerbehindert,
    geringqualifiziert,
    profillage,
    marktnah,
    komplex,
    lza,
    elb_tage_730,
    massnahme_stichtag,
    massnahme_aktive_af as aktive_arbeitsfoerderung,
    lzb_vormonat,
    lzb_folgemonat,
    team
from {{ ref('fct_elb_bestand') }}
where lzb
{%- if ab is not none %}
    and berichtsmonat >= {{ ab }}
{%- endif %}
