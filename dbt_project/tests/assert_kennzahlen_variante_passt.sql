-- marts.md: quotas have rollierend/jfw, the averaged rates only rollierend, single-month
-- figures only monat; groups other than gesamt only for K2. Returns offending rows.
select jobcenter_id, berichtsmonat, kennzahl, gruppe, variante
from {{ ref('kennzahlen_monat') }}
where
    (kennzahl in ('K2', 'K2E1', 'K2E2', 'K2E4', 'K3E1') and variante not in ('rollierend', 'jfw'))
    or (kennzahl in ('K1E3', 'K1E4', 'K3E3', 'K3E4') and variante <> 'rollierend')
    or (kennzahl in ('K1', 'K1E1', 'K1E2', 'K3', 'K3E2') and variante <> 'monat')
    or (kennzahl <> 'K2' and gruppe <> 'gesamt')
    or (kennzahl in ('K1E3', 'K1E4', 'K3E3', 'K3E4') and (zaehler is not null or nenner is not null))
