-- One row per Integration of a U25 person into Ausbildung (art AUS, age < 25 at ST(t-1),
-- taken from the ELB(t-1) record like every Integration attribute). Target Z2.12.

select
    jobcenter_id,
    berichtsmonat,
    person_id,
    beginn,
    foerderung,
    arbeitszeit,
    alter_jahre,
    geschlecht,
    profillage,
    team,
    monat_vorlaeufig
from {{ ref('fct_integrationen') }}
where art = 'AUS' and u25
