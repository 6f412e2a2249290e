-- Published target comparison (marts.md `zielerreichung`): one row per (jobcenter_id, ziel_id,
-- berichtsmonat) for every month of the target year whose figure is computable. The rules
-- live in agg_ziel_verlauf and docs/targets.md; this model only fixes the public columns.

select
    cast(jobcenter_id as varchar) as jobcenter_id,
    cast(jahr as integer) as jahr,
    cast(ziel_id as varchar) as ziel_id,
    cast(bezeichnung as varchar) as bezeichnung,
    cast(berichtsmonat as date) as berichtsmonat,
    cast(ist as double) as ist,
    cast(soll as double) as soll,
    cast(zielwert as double) as zielwert,
    cast(abweichung as double) as abweichung,
    cast(zielerreichungsgrad as double) as zielerreichungsgrad,
    cast(hochrechnung as double) as hochrechnung,
    cast(status as varchar) as status,
    cast(vorlaeufig as boolean) as vorlaeufig
from {{ ref('agg_ziel_verlauf') }}
