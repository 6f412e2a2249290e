-- Kundenstruktur per month: the shares of the month's eLB stock (Stichtag values) beside the
-- shares the agreement's section 1 reports (S2S-Cockpit Sept. 2015), from zielkatalog_rahmen.
-- Every Merkmal of zielkennzahlen_monat gets a row; the reference is NULL where the agreement
-- of the month's year names none.

with struktur as (

    select * from {{ ref('agg_ziel_figuren_monat') }}
    where figur = 'KUNDENSTRUKTUR'

),

referenz as (

    select jobcenter_id, jahr, gruppe, referenzwert, bezug
    from {{ ref('zielkatalog_rahmen') }}
    where figur = 'KUNDENSTRUKTUR'

)

select
    s.jobcenter_id,
    s.berichtsmonat,
    s.jahr,
    s.gruppe as merkmal,
    cast(s.zaehler_ytd as integer) as anzahl,
    cast(s.nenner_ytd as integer) as elb_bestand,
    s.ist_ytd as anteil,
    cast(r.referenzwert as double) as referenzanteil,
    r.bezug as referenz_bezug,
    s.ist_ytd - r.referenzwert as differenz_prozentpunkte,
    s.vorlaeufig,
    false as unterdrueckt
from struktur as s
left join referenz as r
    on
        r.jobcenter_id = s.jobcenter_id
        and r.jahr = s.jahr
        and r.gruppe = s.gruppe
