-- Assignment of starts (erwerbsaufnahmen) to reporting months by the BA rules
-- (kennzahlen.md "Integrationen"), separately for three counting kinds:
--   INTEGRATION = SVB, AUS, SELB (K2 family), GERING (K2E1), OEFF (K2E2).
-- Output: at most one row per (jobcenter, berichtsmonat, person, zaehlart).
--
-- Rule 1: a start in window(t) counts for t if the person is in ELB(t-1).
-- Rule 2: a start in window(t-1) counts for t if the person is in ELB(t-1) but not in ELB(t-2)
--         (job taken up in the month the person entered the stock).
-- Rule 3: one per person, month and kind: earliest beginn; tie SVB before AUS before SELB.
-- Rule 4: attributes from the person's ELB(t-1) record.
-- Window membership is the delivery month: the contract guarantees (and the ingest checks)
-- that an event file of month t only holds dates inside window(t).
-- Everything joins on (jobcenter_id, person_id): a record of another Jobcenter never counts.
-- Incremental by month (macros/monatsweise.sql): month t reads months t, t-1 and t-2 only.

{%- set ab = neubau_ab() %}

with starts as (

    select
        jobcenter_id,
        person_id,
        berichtsmonat as ereignismonat,
        beginn,
        art,
        foerderung,
        arbeitszeit,
        case when art in ('SVB', 'AUS', 'SELB') then 'INTEGRATION' else art end as zaehlart
    from {{ aktiver_stand(ref('stg_erwerbsaufnahmen')) }} as erwerbsaufnahmen
    {{ nur_neubau(ab, -1) }}  -- rule 2: starts of t-1

),

bestand as (

    select * from {{ ref('fct_elb_bestand') }}
    {{ nur_neubau(ab, -1) }}  -- ELB(t-1)

),

monate as (

    select jobcenter_id, berichtsmonat, stichtag, vorlaeufig, integrationen_berechenbar
    from {{ ref('int_monate') }}
    {{ nur_neubau(ab) }}

),

-- each start is a candidate for its own month (rule 1) and for the next month (rule 2);
-- the conditions below let at most one of the two survive
kandidaten as (

    select s.*, s.ereignismonat as berichtsmonat, 1 as regel
    from starts as s

    union all

    select s.*, {{ add_months('s.ereignismonat', 1) }} as berichtsmonat, 2 as regel
    from starts as s

),

geprueft as (

    select
        k.*,
        m.stichtag,
        m.vorlaeufig as monat_vorlaeufig,
        v.berichtsmonat as vormonat,
        v.alter_jahre,
        v.u25,
        v.ue50,
        v.geschlecht,
        v.asyl8,
        v.alleinerziehend,
        v.schwerbehindert,
        v.geringqualifiziert,
        v.profillage,
        v.marktnah,
        v.komplex,
        v.lzb,
        v.lza,
        v.team
    from kandidaten as k
    -- month t must be delivered and have ELB(t-1) and ELB(t-2)
    inner join monate as m
        on
            m.jobcenter_id = k.jobcenter_id
            and m.berichtsmonat = k.berichtsmonat
            and m.integrationen_berechenbar
    -- the person's ELB(t-1) record (rules 1, 2 and 4)
    inner join bestand as v
        on
            v.jobcenter_id = k.jobcenter_id
            and v.person_id = k.person_id
            and v.berichtsmonat = {{ add_months('k.berichtsmonat', -1) }}
    -- rule 2 additionally: not in ELB(t-2); im_vormonat of the t-1 record is known because
    -- integrationen_berechenbar guarantees month t-2 was delivered
    where
        k.regel = 1
        or (k.regel = 2 and not v.im_vormonat)

),

rangiert as (

    select
        g.*,
        row_number() over (
            partition by g.jobcenter_id, g.person_id, g.berichtsmonat, g.zaehlart
            order by
                g.beginn,
                case g.art when 'SVB' then 1 when 'AUS' then 2 when 'SELB' then 3 else 4 end
        ) as rang
    from geprueft as g

)

select
    jobcenter_id,
    berichtsmonat,
    person_id,
    zaehlart,
    beginn,
    art,
    foerderung,
    arbeitszeit,
    ereignismonat,
    regel,
    stichtag,
    monat_vorlaeufig,
    vormonat,
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
    lzb,
    lza,
    team
from rangiert
where rang = 1
