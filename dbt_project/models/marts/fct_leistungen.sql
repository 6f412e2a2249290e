-- One row per Bedarfsgemeinschaft and month with its entitlements (K1 / K1E1). Every BG of
-- the file counts for the sums, also BGs without eLB members (flagged, they are in the file
-- because they draw benefits).
-- A view, like fct_lzb_bestand: its rows are the active stand's rows of stg_leistungen one to
-- one, and no model reads it (agg_monatsbasis sums the same rows from staging); it is there
-- for the controllers' own queries. Persisted, it wrote every BG-month again (SF100: 38 s of
-- a full rebuild; docs/scaling.md).

with leistungen as (

    select * from {{ aktiver_stand(ref('stg_leistungen')) }} as leistungen

),

bgs_mit_elb as (

    select distinct jobcenter_id, berichtsmonat, bg_id
    from {{ ref('fct_elb_bestand') }}

)

select
    l.jobcenter_id,
    l.berichtsmonat,
    l.stand,
    l.bg_id,
    l.llu_anspruch,
    l.luh_anspruch,
    e.bg_id is not null as bg_mit_elb
from leistungen as l
left join bgs_mit_elb as e
    on e.jobcenter_id = l.jobcenter_id and e.berichtsmonat = l.berichtsmonat and e.bg_id = l.bg_id
