{{ config(meta={"dagster": {"ref": {"name": "fct_erwerbsaufnahmen_zuordnung"}}}) }}

-- Rule 1/2/4: every counted start has the person's ELB(t-1) record in the SAME Jobcenter,
-- and a rule-2 start has no ELB(t-2) record there. Returns offending rows of the months under
-- test (macros/testumfang.sql).
select z.jobcenter_id, z.berichtsmonat, z.person_id, z.zaehlart
from {{ ref('fct_erwerbsaufnahmen_zuordnung') }} as z
left join {{ ref('fct_elb_bestand') }} as v
    on
        v.jobcenter_id = z.jobcenter_id
        and v.person_id = z.person_id
        and v.berichtsmonat = {{ add_months('z.berichtsmonat', -1) }}
left join {{ ref('fct_elb_bestand') }} as vv
    on
        vv.jobcenter_id = z.jobcenter_id
        and vv.person_id = z.person_id
        and vv.berichtsmonat = {{ add_months('z.berichtsmonat', -2) }}
where
    {{ im_testumfang('fct_erwerbsaufnahmen_zuordnung', 'z') }}
    and (v.person_id is null or (z.regel = 2 and vv.person_id is not null))
