-- Published target catalogue: what each ziel_id of zielerreichung means (label, figure, kind,
-- direction, unit, year-end target, baseline and the sentence of the agreement). Lets BI users
-- and the terminal report format and explain zielerreichung without the seed.

select
    jobcenter_id,
    jahr,
    ziel_id,
    abschnitt,
    bezeichnung,
    kennzahl,
    figur,
    gruppe,
    art,
    richtung,
    einheit,
    zielwert,
    richtwert,
    basiswert,
    basis_bezug,
    nur_monitoring,
    quelle
from {{ ref('int_ziel_katalog') }}
