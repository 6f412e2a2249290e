-- One row per Integration (SVB, AUS, SELB after rules 1-3), attributes from ELB(t-1) (rule 4),
-- plus bedarfsdeckend (monitoring M1): the person is not in ELB(t+3) of the same Jobcenter.
-- bedarfsdeckend is NULL (unknown) until month t+3 has been delivered.
-- Incremental by month (macros/monatsweise.sql), looking back 3 months: month t reads t+3.

{%- set ab = neubau_ab() %}

with zuordnung as (

    select * from {{ ref('fct_erwerbsaufnahmen_zuordnung') }}
    where zaehlart = 'INTEGRATION'
    {%- if ab is not none %}
        and berichtsmonat >= {{ ab }}
    {%- endif %}

),

monate as (

    select jobcenter_id, berichtsmonat, hat_monat_plus_3
    from {{ ref('int_monate') }}
    {{ nur_neubau(ab) }}

),

bestand as (

    select jobcenter_id, berichtsmonat, person_id
    from {{ ref('fct_elb_bestand') }}
    {{ nur_neubau(ab, 3) }}  -- ELB(t+3)

)

select
    z.jobcenter_id,
    z.berichtsmonat,
    z.person_id,
    z.beginn,
    z.art,
    z.foerderung,
    z.arbeitszeit,
    z.regel,
    z.ereignismonat,
    z.vormonat,
    z.monat_vorlaeufig,
    z.alter_jahre,
    z.u25,
    z.ue50,
    z.geschlecht,
    z.asyl8,
    z.alleinerziehend,
    z.schwerbehindert,
    z.geringqualifiziert,
    z.profillage,
    z.marktnah,
    z.komplex,
    z.lzb,
    z.lza,
    z.team,
    case
        when not m.hat_monat_plus_3 then null
        else p3.person_id is null
    end as bedarfsdeckend
from zuordnung as z
inner join monate as m
    on m.jobcenter_id = z.jobcenter_id and m.berichtsmonat = z.berichtsmonat
left join bestand as p3
    on
        p3.jobcenter_id = z.jobcenter_id
        and p3.person_id = z.person_id
        and p3.berichtsmonat = {{ add_months('z.berichtsmonat', 3) }}
