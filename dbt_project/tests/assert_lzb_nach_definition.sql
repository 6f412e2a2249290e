-- Every row of fct_lzb_bestand is LZB by the definition (kennzahlen.md): at least 638 of the
-- last 730 days as eLB and at least 17 years old at the Stichtag. Fails when the derivation
-- of `lzb` in fct_elb_bestand drifts from the attributes it is derived from.
select jobcenter_id, berichtsmonat, person_id, elb_tage_730, alter_jahre
from {{ ref('fct_lzb_bestand') }}
where not (coalesce(elb_tage_730, 0) >= 638 and alter_jahre >= 17)
