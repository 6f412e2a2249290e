-- One row per counselling contact of the active stands, with the profile of the person in
-- ELB of the contact's month (the delivery month, whose window holds `datum`).
-- zaehlt_kontaktdichte: PERS or TEL by a person in ELB of that month (kennzahlen.md).
-- Incremental by month (macros/monatsweise.sql).

{%- set ab = neubau_ab() %}
-- depends_on: {{ ref('int_monate') }}

with kontakte as (

    select * from {{ aktiver_stand(ref('stg_kontakte')) }} as kontakte
    {{ nur_neubau(ab) }}

),

bestand as (

    select jobcenter_id, berichtsmonat, person_id, profillage, marktnah, komplex, u25
    from {{ ref('fct_elb_bestand') }}
    {{ nur_neubau(ab) }}

)

select
    k.jobcenter_id,
    k.berichtsmonat,
    k.stand,
    k.person_id,
    k.datum,
    k.kontaktart,
    b.person_id is not null as im_bestand,
    b.profillage,
    b.marktnah,
    b.komplex,
    b.u25,
    (k.kontaktart in ('PERS', 'TEL') and b.person_id is not null) as zaehlt_kontaktdichte
from kontakte as k
left join bestand as b
    on
        b.jobcenter_id = k.jobcenter_id
        and b.berichtsmonat = k.berichtsmonat
        and b.person_id = k.person_id
