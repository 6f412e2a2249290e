-- Every row of fct_lzb_bestand is LZB by the definition (kennzahlen.md): at least 638 of the
-- last 730 days as eLB and at least 17 years old at the Stichtag. Fails when the derivation
-- of `lzb` in fct_elb_bestand drifts from the attributes it is derived from. The months under
-- test (macros/testumfang.sql).
select l.jobcenter_id, l.berichtsmonat, l.person_id, l.elb_tage_730, l.alter_jahre
from {{ ref('fct_lzb_bestand') }} as l
where
    {{ im_testumfang('fct_lzb_bestand', 'l') }}
    and not (coalesce(l.elb_tage_730, 0) >= 638 and l.alter_jahre >= 17)
