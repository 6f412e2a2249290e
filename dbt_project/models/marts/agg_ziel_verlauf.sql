-- Target comparison per (jobcenter, ziel_id, berichtsmonat) for every month of the target year
-- whose figure is computable, with the working columns behind zielerreichung (the mart keeps
-- only the published ones). All rules are documented in docs/targets.md:
--
--   Pattern P(m): the previous year's figure year to date at m over its December value,
--                 ist_ytd(Y-1, m) / ist_ytd(Y-1, 12), for kinds that use a previous-year
--                 pattern, when both exist and are non-zero; otherwise the straight line
--                 m / 12 for cumulative kinds (annual sum, JFW quota) and 1 for level kinds.
--   Soll        = zielwert · P(m)              Hochrechnung = ist / P(m)
--   Abweichung  = ist − soll                   Grad = ist/soll·100 (soll/ist·100 lower-better)
--   Status      = monitoring | erreicht | auf_kurs | knapp | gefaehrdet, see below.
-- Every rule reads the catalogue's columns (figur, gruppe, art, richtung, zielwert), never the
-- target's id.

with katalog as (

    select * from {{ ref('int_ziel_katalog') }}

),

figuren as (

    select * from {{ ref('agg_ziel_figuren_monat') }}

),

basis as (

    select
        k.jobcenter_id,
        k.jahr,
        k.ziel_id,
        k.bezeichnung,
        k.figur,
        k.gruppe,
        k.art,
        k.richtung,
        k.einheit,
        k.zielwert,
        k.nur_monitoring,
        k.kumulativ,
        k.vorjahresmuster,
        k.monoton_steigend,
        f.berichtsmonat,
        f.monat,
        f.ist_ytd as ist,
        f.vorlaeufig as ist_vorlaeufig,
        v.ist_ytd as vorjahr_ist_m,
        v.vorlaeufig as vorjahr_vorlaeufig_m,
        d.ist_ytd as vorjahr_ist_dez,
        d.vorlaeufig as vorjahr_vorlaeufig_dez
    from katalog as k
    inner join figuren as f
        on
            f.jobcenter_id = k.jobcenter_id
            and f.figur = k.figur
            and f.gruppe = k.gruppe
            and f.jahr = k.jahr
    -- the previous year's value at the same month and in December (the pattern)
    left join figuren as v
        on
            v.jobcenter_id = k.jobcenter_id
            and v.figur = k.figur
            and v.gruppe = k.gruppe
            and v.berichtsmonat = {{ add_months('f.berichtsmonat', -12) }}
    left join figuren as d
        on
            d.jobcenter_id = k.jobcenter_id
            and d.figur = k.figur
            and d.gruppe = k.gruppe
            and d.berichtsmonat = make_date(k.jahr - 1, 12, 1)

),

muster as (

    select
        b.*,
        (
            b.vorjahresmuster
            and b.vorjahr_ist_m is not null and b.vorjahr_ist_m <> 0
            and b.vorjahr_ist_dez is not null and b.vorjahr_ist_dez <> 0
        ) as mit_vorjahresmuster
    from basis as b

),

pfad as (

    select
        m.*,
        case
            when m.mit_vorjahresmuster then 'vorjahresmuster'
            when m.kumulativ then 'linear'
            else 'konstant'
        end as soll_methode,
        case
            when m.mit_vorjahresmuster then m.vorjahr_ist_m / m.vorjahr_ist_dez
            when m.kumulativ then m.monat / 12.0
            else 1.0
        end as musterfaktor
    from muster as m

),

werte as (

    select
        p.*,
        case when not p.nur_monitoring then p.zielwert * p.musterfaktor end as soll,
        case when p.musterfaktor > 0 then p.ist / p.musterfaktor end as hochrechnung,
        -- any month read is provisional: the Ist's months, and the previous year's two
        -- values when the pattern was used
        (
            p.ist_vorlaeufig
            or (
                p.mit_vorjahresmuster
                and (p.vorjahr_vorlaeufig_m or p.vorjahr_vorlaeufig_dez)
            )
        ) as vorlaeufig
    from pfad as p

),

bewertet as (

    select
        w.*,
        case when not w.nur_monitoring then w.ist - w.soll end as abweichung,
        case
            when w.nur_monitoring then null
            when w.richtung = 'niedriger_besser'
                then case when w.ist <> 0 then 100.0 * w.soll / w.ist end
            else case when w.soll <> 0 then 100.0 * w.ist / w.soll end
        end as zielerreichungsgrad,
        -- relative position against the path, positive = better than the path
        -- (a zero Soll, i.e. a target of 0, gives 0 when met and -1 when missed)
        case
            when w.nur_monitoring then null
            when w.soll = 0 and w.richtung = 'niedriger_besser'
                then case when w.ist <= 0 then 0.0 else -1.0 end
            when w.soll = 0 then case when w.ist >= 0 then 0.0 else -1.0 end
            when w.richtung = 'niedriger_besser' then (w.soll - w.ist) / abs(w.soll)
            else (w.ist - w.soll) / abs(w.soll)
        end as vorsprung,
        case
            when w.nur_monitoring then null
            when w.richtung = 'niedriger_besser' then w.ist <= w.zielwert
            else w.ist >= w.zielwert
        end as zielwert_erfuellt
    from werte as w

)

select
    jobcenter_id,
    jahr,
    ziel_id,
    bezeichnung,
    berichtsmonat,
    monat,
    figur,
    gruppe,
    art,
    richtung,
    einheit,
    ist,
    soll,
    case when not nur_monitoring then zielwert end as zielwert,
    abweichung,
    zielerreichungsgrad,
    hochrechnung,
    soll_methode,
    musterfaktor,
    vorjahr_ist_m,
    vorjahr_ist_dez,
    vorsprung,
    case
        when nur_monitoring then 'monitoring'
        -- met on final data: in December (the year's value), or earlier for an annual sum
        -- that can only grow and already reached the target
        when
            not vorlaeufig and zielwert_erfuellt
            and (monat = 12 or (monoton_steigend and richtung = 'hoeher_besser'))
            then 'erreicht'
        -- rounded so that exactly 5 % below the path counts as knapp despite float noise
        when round(vorsprung, 9) >= 0 then 'auf_kurs'
        when round(vorsprung, 9) >= -0.05 then 'knapp'
        else 'gefaehrdet'
    end as status,
    vorlaeufig
from bewertet
