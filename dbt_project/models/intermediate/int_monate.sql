-- One row per (jobcenter, berichtsmonat) with an active delivery: its Stichtag, the event
-- window, which neighbouring months exist (what is computable) and whether the month is
-- vorläufig. Months are few per Jobcenter, so self-joins here are cheap.

with lieferungen as (

    select * from {{ ref('int_lieferungen') }}

),

aktiv as (

    select jobcenter_id, jobcenter_name, berichtsmonat, stichtag, stand
    from lieferungen
    where ist_aktiver_stand

),

-- Final once any visible stand of the month has stand >= stichtag + 3 months; under as-of
-- only stands <= as_of are visible (int_lieferungen already filters them).
endgueltig as (

    select
        jobcenter_id,
        berichtsmonat,
        max(case when macht_endgueltig then 1 else 0 end) = 1 as ist_endgueltig
    from lieferungen
    group by jobcenter_id, berichtsmonat

),

erster_monat as (

    select jobcenter_id, min(berichtsmonat) as erster_berichtsmonat
    from aktiv
    group by jobcenter_id

)

select
    a.jobcenter_id,
    a.jobcenter_name,
    a.berichtsmonat,
    cast(extract(year from a.berichtsmonat) as integer) as jahr,
    cast(extract(month from a.berichtsmonat) as integer) as monat,
    a.stichtag,
    a.stand,
    not e.ist_endgueltig as vorlaeufig,
    vm.stichtag as stichtag_vormonat,
    -- window(t) = (stichtag(t-1), stichtag(t)]. Without a delivered t-1 (history start or a
    -- gap) the contract's first-month rule applies: the calendar month before the Stichtag.
    coalesce(vm.stichtag, {{ add_months('a.stichtag', -1) }}) as fenster_beginn_exklusiv,
    a.stichtag as fenster_ende,
    a.berichtsmonat = f.erster_berichtsmonat as ist_historienbeginn,
    vm.berichtsmonat is not null as hat_vormonat,
    vvm.berichtsmonat is not null as hat_vorvormonat,
    vj.berichtsmonat is not null as hat_vorjahresmonat,
    p3.berichtsmonat is not null as hat_monat_plus_3,
    -- Integrationen of t read ELB(t-1) (rule 1) and ELB(t-2) (rule 2) and the windows of t
    -- and t-1: all three months must be delivered.
    (vm.berichtsmonat is not null and vvm.berichtsmonat is not null) as integrationen_berechenbar
from aktiv as a
inner join endgueltig as e
    on e.jobcenter_id = a.jobcenter_id and e.berichtsmonat = a.berichtsmonat
inner join erster_monat as f
    on f.jobcenter_id = a.jobcenter_id
left join aktiv as vm
    on vm.jobcenter_id = a.jobcenter_id and vm.berichtsmonat = {{ add_months('a.berichtsmonat', -1) }}
left join aktiv as vvm
    on vvm.jobcenter_id = a.jobcenter_id and vvm.berichtsmonat = {{ add_months('a.berichtsmonat', -2) }}
left join aktiv as vj
    on vj.jobcenter_id = a.jobcenter_id and vj.berichtsmonat = {{ add_months('a.berichtsmonat', -12) }}
left join aktiv as p3
    on p3.jobcenter_id = a.jobcenter_id and p3.berichtsmonat = {{ add_months('a.berichtsmonat', 3) }}
