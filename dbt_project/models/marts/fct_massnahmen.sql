-- One row per Förderfall (measure entry) of any instrument, with its exit if delivered
-- (the exit may come in a later month's delivery). Instrument and aim come from the Eintritt.

with eintritte as (

    select * from {{ aktiver_stand(ref('stg_massnahme_eintritte')) }} as eintritte

),

austritte as (

    -- an exit refers to an Eintritt of the same or an earlier month of the same Jobcenter;
    -- should a Förderfall be reported as exited twice, the earliest exit is taken
    select *
    from (
        select
            a.*,
            row_number() over (
                partition by a.jobcenter_id, a.foerderfall_id order by a.austritt, a.berichtsmonat
            ) as rang
        from {{ aktiver_stand(ref('stg_massnahme_austritte')) }} as a
    ) as x
    where rang = 1

)

select
    e.jobcenter_id,
    e.foerderfall_id,
    e.person_id,
    e.berichtsmonat as eintrittsmonat,
    e.instrument,
    e.massnahme_ziel,
    e.eintritt,
    cast(extract(year from e.eintritt) as integer) as eintrittsjahr,
    -- the month the figures count the event in (calendar date, not the delivery window)
    cast(date_trunc('month', e.eintritt) as date) as eintritt_kalendermonat,
    e.geplantes_ende,
    a.berichtsmonat as austrittsmonat,
    a.austritt,
    cast(date_trunc('month', a.austritt) as date) as austritt_kalendermonat,
    a.austrittsgrund,
    a.abschluss_bestanden
from eintritte as e
left join austritte as a
    on a.jobcenter_id = e.jobcenter_id and a.foerderfall_id = e.foerderfall_id
