-- Lieferstand: which delivery each published month rests on, per (jobcenter, berichtsmonat).
-- Lets a BI user see at a glance which months are still provisional and when they become
-- final (a stand >= stichtag + 3 months, extract contract section 1). Aggregated: one row per
-- month, no person data, and no load timestamp (the marts must not depend on when a refresh ran).

with monate as (

    select * from {{ ref('int_monate') }}

),

staende as (

    select
        jobcenter_id,
        berichtsmonat,
        count(*) as anzahl_staende,
        min(stand) as erster_stand,
        -- the name as the active delivery's manifest gives it (reports show it in the header)
        max(case when ist_aktiver_stand then jobcenter_name end) as jobcenter_name
    from {{ ref('int_lieferungen') }}
    group by jobcenter_id, berichtsmonat

)

select
    m.jobcenter_id,
    s.jobcenter_name,
    m.berichtsmonat,
    m.jahr,
    m.stichtag,
    m.stand as aktiver_stand,
    s.erster_stand,
    cast(s.anzahl_staende as integer) as anzahl_staende,
    {{ add_months('m.stichtag', 3) }} as endgueltig_ab,
    m.vorlaeufig,
    case when m.vorlaeufig then 'vorlaeufig' else 'endgueltig' end as status
from monate as m
inner join staende as s
    on s.jobcenter_id = m.jobcenter_id and s.berichtsmonat = m.berichtsmonat
