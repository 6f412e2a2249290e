-- One row per FbW Förderfall (instrument FBW from the Eintritt), for
--   * FbW-Eintritte Geringqualifizierter (Z2.8): geringqualifiziert from the person's ELB
--     record of the entry's month, or of the month before if absent there. "Entry's month" is
--     the reporting month whose window holds `eintritt` (its delivery): the contract
--     guarantees the person is in ELB of exactly that month or the one before. The figure
--     itself counts by the calendar month of `eintritt` (agg_zielbasis_monat);
--   * FbW-Erfolgsquote (Z2.10): for exited Förderfälle, whether the person has an Integration
--     (after rules 1-3, same Jobcenter) with austritt < beginn <= austritt + 6 calendar months.
-- Förderfälle are counted, not persons.

with fbw as (

    select * from {{ ref('fct_massnahmen') }}
    where instrument = 'FBW'

),

bestand as (

    select jobcenter_id, berichtsmonat, person_id, geringqualifiziert
    from {{ ref('fct_elb_bestand') }}

),

integrationen as (

    select jobcenter_id, person_id, beginn
    from {{ ref('fct_integrationen') }}

),

monate as (

    select jobcenter_id, fenster_beginn_exklusiv, vorlaeufig
    from {{ ref('int_monate') }}

),

-- the person's ELB records of the entry's month and of the month before, in one scan of
-- the stock (two joins, one per month, scanned it twice: 4x the time)
kandidaten as (

    select
        f.jobcenter_id,
        f.foerderfall_id,
        b.berichtsmonat = f.eintrittsmonat as im_eintrittsmonat,
        b.geringqualifiziert
    from fbw as f
    inner join bestand as b
        on
            b.jobcenter_id = f.jobcenter_id
            and b.person_id = f.person_id
            and b.berichtsmonat in (f.eintrittsmonat, {{ add_months('f.eintrittsmonat', -1) }})

),

-- the entry's month if the person is in ELB there, else the month before (at most one
-- record per person and month)
qualifikation as (

    select
        jobcenter_id,
        foerderfall_id,
        coalesce(
            bool_or(geringqualifiziert) filter (where im_eintrittsmonat),
            bool_or(geringqualifiziert) filter (where not im_eintrittsmonat)
        ) as geringqualifiziert,
        case when bool_or(im_eintrittsmonat) then 'eintrittsmonat' else 'vormonat' end
            as qualifikation_aus
    from kandidaten
    group by jobcenter_id, foerderfall_id

),

mit_qualifikation as (

    select
        f.*,
        k.geringqualifiziert,
        k.qualifikation_aus
    from fbw as f
    left join qualifikation as k
        on k.jobcenter_id = f.jobcenter_id and k.foerderfall_id = f.foerderfall_id

),

erfolg as (

    select
        f.jobcenter_id,
        f.foerderfall_id,
        min(i.beginn) as erste_integration_beginn
    from fbw as f
    inner join integrationen as i
        on
            i.jobcenter_id = f.jobcenter_id
            and i.person_id = f.person_id
            and i.beginn > f.austritt
            and i.beginn <= {{ add_months('f.austritt', 6) }}
    where f.austritt is not null
    group by f.jobcenter_id, f.foerderfall_id

),

-- the 6-month window is settled once a final month exists whose event window starts on or
-- after austritt + 6 months: every month that can hold (or, by rule 2, count) a start in
-- the window lies before it and is final too
abgeschlossen as (

    select f.jobcenter_id, f.foerderfall_id
    from fbw as f
    inner join monate as m
        on
            m.jobcenter_id = f.jobcenter_id
            and not m.vorlaeufig
            and m.fenster_beginn_exklusiv >= {{ add_months('f.austritt', 6) }}
    where f.austritt is not null
    group by f.jobcenter_id, f.foerderfall_id

)

select
    q.jobcenter_id,
    q.foerderfall_id,
    q.person_id,
    q.eintrittsmonat,
    q.eintritt,
    q.eintrittsjahr,
    q.eintritt_kalendermonat,
    q.massnahme_ziel,
    q.massnahme_ziel = 'ABSCHLUSS' as abschlussorientiert,
    q.geringqualifiziert,
    q.qualifikation_aus,
    q.geplantes_ende,
    q.austrittsmonat,
    q.austritt,
    q.austritt_kalendermonat,
    cast(extract(year from q.austritt) as integer) as austrittsjahr,
    q.austrittsgrund,
    q.abschluss_bestanden,
    e.erste_integration_beginn,
    case when q.austritt is not null then e.foerderfall_id is not null end as integration_6_monate,
    case when q.austritt is not null then a.foerderfall_id is null end as erfolg_vorlaeufig
from mit_qualifikation as q
left join erfolg as e
    on e.jobcenter_id = q.jobcenter_id and e.foerderfall_id = q.foerderfall_id
left join abgeschlossen as a
    on a.jobcenter_id = q.jobcenter_id and a.foerderfall_id = q.foerderfall_id
