-- The agreement's figures year to date per (jobcenter, berichtsmonat, kennzahl, gruppe), as
-- agg_zielkennzahlen_monat computes them (codes and units listed there).

select
    jobcenter_id,
    berichtsmonat,
    jahr,
    kennzahl,
    gruppe,
    zaehler,
    nenner,
    wert,
    einheit,
    vorlaeufig
from {{ ref('agg_zielkennzahlen_monat') }}
