-- Kontaktdichte per (jobcenter, berichtsmonat, gruppe), year to date, in contacts per person
-- and year; computed in agg_kontaktdichte_ytd (kennzahlen.md). This model fixes the public
-- columns.

select
    jobcenter_id,
    berichtsmonat,
    jahr,
    gruppe,
    kontakte_monat,
    elb_monat,
    kontakte_ytd,
    elb_mittel_ytd,
    monate_ytd,
    kontaktdichte,
    vorlaeufig
from {{ ref('agg_kontaktdichte_ytd') }}
