-- Kontaktdichte per Profillage and month, year to date, against the agreement's old and new
-- Kontaktdichte targets (Z2.3-Z2.6) and the marktnahe U25 (Z2.13). MP, AP and FP each carry
-- the target of the pooled marktnah group (the agreement sets one target for the three).
-- Targets come from the catalogue by figure and group, so another year's targets are rows.

with figuren as (

    select * from {{ ref('agg_ziel_figuren_monat') }}
    where
        figur = 'KONTAKTDICHTE'
        and gruppe in ('MP', 'AP', 'FP', 'EP', 'SP', 'UP', 'marktnah', 'marktnah_u25')

),

monat as (

    select jobcenter_id, berichtsmonat, gruppe, kontakte, elb
    from {{ ref('agg_kontaktdichte_monat') }}

),

ziele as (

    -- one pair per group and year even if several catalogue rows read the figure
    select jobcenter_id, jahr, gruppe, max(zielwert) as ziel_neu, max(basiswert) as ziel_alt
    from {{ ref('int_ziel_katalog') }}
    where figur = 'KONTAKTDICHTE'
    group by jobcenter_id, jahr, gruppe

)

select
    f.jobcenter_id,
    f.berichtsmonat,
    f.jahr,
    f.gruppe,
    cast(m.kontakte as integer) as kontakte_monat,
    cast(m.elb as integer) as elb_monat,
    case when m.elb > 0 then m.kontakte * 12.0 / m.elb end as kontaktdichte_monat,
    cast(f.zaehler_ytd as integer) as kontakte_ytd,
    f.nenner_ytd as elb_mittel_ytd,
    f.ist_ytd as kontaktdichte_ytd,
    z.ziel_alt,
    z.ziel_neu,
    case when z.ziel_neu > 0 then 100.0 * f.ist_ytd / z.ziel_neu end as erreichungsgrad_neu,
    f.vorlaeufig,
    false as unterdrueckt
from figuren as f
inner join monat as m
    on m.jobcenter_id = f.jobcenter_id and m.berichtsmonat = f.berichtsmonat and m.gruppe = f.gruppe
left join ziele as z
    on
        z.jobcenter_id = f.jobcenter_id
        and z.jahr = f.jahr
        and z.gruppe = case when f.gruppe in ('MP', 'AP', 'FP') then 'marktnah' else f.gruppe end
