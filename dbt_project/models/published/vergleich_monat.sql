-- The comparison of the § 48a publication (docs/vergleich.md): per (jobcenter, berichtsmonat,
-- kennzahl, gruppe, variante) of kennzahlen_monat the Jobcenter's own value beside the value
-- of its Vergleichstyp, its Land and Germany, its rank within the type and the distance to
-- the type value in points. A group value is the BA aggregate: sum of the members' numerators
-- over the sum of their denominators (changes: sum of the month / sum a year earlier); the
-- averaged rates come from agg_vergleich_raten_monat. Members: the Jobcenters in the
-- warehouse with master data valid in the month and a row of that figure.
-- Ranks here are before suppression: the publish step suppresses every group value that
-- contains a suppressed member and ranks again over the values still shown (meta.suppression).

with kennzahlen as (

    select * from {{ ref('kennzahlen_monat') }}

),

stammdaten as (

    select * from {{ ref('jobcenter_stammdaten') }}

),

raten as (

    select * from {{ ref('agg_vergleich_raten_monat') }}

),

eigen as (

    select
        k.*,
        s.vergleichstyp,
        s.land,
        s.regionaldirektion
    from kennzahlen as k
    inner join stammdaten as s
        on
            k.jobcenter_id = s.jobcenter_id
            and k.berichtsmonat >= s.gueltig_ab
            and (s.gueltig_bis is null or k.berichtsmonat <= s.gueltig_bis)

),

ebenen as (

    {%- for ebene, schluessel in [
        ('vergleichstyp', 'vergleichstyp'), ('land', 'land'), ('deutschland', "'Deutschland'")
    ] %}
        select
            *,
            '{{ ebene }}' as ebene,
            {{ schluessel }} as schluessel
        from eigen
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

summen as (

    select
        ebene,
        schluessel,
        berichtsmonat,
        kennzahl,
        gruppe,
        variante,
        count(*) as anzahl_jobcenter,
        -- summed as DECIMAL: a sum of doubles (EUR amounts, mean stocks) depends on the order
        -- of a parallel aggregation in its last bits (docs/operations.md, "Same input, same
        -- figures"); 18 places give a group of one back exactly its member's value
        cast(sum(cast(zaehler as decimal(38, 18))) as double) as zaehler,
        cast(sum(cast(nenner as decimal(38, 18))) as double) as nenner
    from ebenen
    group by ebene, schluessel, berichtsmonat, kennzahl, gruppe, variante

),

gruppen as (

    select
        s.ebene,
        s.schluessel,
        s.berichtsmonat,
        s.kennzahl,
        s.gruppe,
        s.variante,
        s.anzahl_jobcenter,
        s.zaehler,
        s.nenner,
        case
            when s.kennzahl in ('K1E3', 'K1E4', 'K3E3', 'K3E4') then r.wert
            when s.kennzahl in ('K1', 'K1E1', 'K1E2', 'K3')
                then {{ veraenderung_prozent('s.zaehler', 's.nenner') }}
            else {{ prozent('s.zaehler', 's.nenner') }}
        end as wert
    from summen as s
    left join raten as r
        on
            s.ebene = r.ebene
            and s.schluessel = r.schluessel
            and s.berichtsmonat = r.berichtsmonat
            and s.kennzahl = r.kennzahl

),

verglichen as (

    select
        e.jobcenter_id,
        e.berichtsmonat,
        e.kennzahl,
        e.gruppe,
        e.variante,
        e.vergleichstyp,
        e.land,
        e.regionaldirektion,
        e.zaehler,
        e.nenner,
        e.wert,
        t.anzahl_jobcenter as anzahl_vergleichstyp,
        t.zaehler as zaehler_vergleichstyp,
        t.nenner as nenner_vergleichstyp,
        t.wert as wert_vergleichstyp,
        l.anzahl_jobcenter as anzahl_land,
        l.zaehler as zaehler_land,
        l.nenner as nenner_land,
        l.wert as wert_land,
        d.anzahl_jobcenter as anzahl_deutschland,
        d.zaehler as zaehler_deutschland,
        d.nenner as nenner_deutschland,
        d.wert as wert_deutschland,
        e.wert - t.wert as abstand_vergleichstyp,
        e.vorlaeufig
    from eigen as e
    inner join gruppen as t
        on
            t.ebene = 'vergleichstyp'
            and t.schluessel = e.vergleichstyp
            and e.berichtsmonat = t.berichtsmonat
            and e.kennzahl = t.kennzahl
            and e.gruppe = t.gruppe
            and e.variante = t.variante
    inner join gruppen as l
        on
            l.ebene = 'land'
            and l.schluessel = e.land
            and e.berichtsmonat = l.berichtsmonat
            and e.kennzahl = l.kennzahl
            and e.gruppe = l.gruppe
            and e.variante = l.variante
    inner join gruppen as d
        on
            d.ebene = 'deutschland'
            and d.schluessel = 'Deutschland'
            and e.berichtsmonat = d.berichtsmonat
            and e.kennzahl = d.kennzahl
            and e.gruppe = d.gruppe
            and e.variante = d.variante

)

select
    cast(jobcenter_id as varchar) as jobcenter_id,
    cast(berichtsmonat as date) as berichtsmonat,
    cast(kennzahl as varchar) as kennzahl,
    cast(gruppe as varchar) as gruppe,
    cast(variante as varchar) as variante,
    cast(vergleichstyp as varchar) as vergleichstyp,
    cast(land as varchar) as land,
    cast(regionaldirektion as varchar) as regionaldirektion,
    cast(zaehler as double) as zaehler,
    cast(nenner as double) as nenner,
    cast(wert as double) as wert,
    cast(anzahl_vergleichstyp as integer) as anzahl_vergleichstyp,
    cast(zaehler_vergleichstyp as double) as zaehler_vergleichstyp,
    cast(nenner_vergleichstyp as double) as nenner_vergleichstyp,
    cast(wert_vergleichstyp as double) as wert_vergleichstyp,
    cast(anzahl_land as integer) as anzahl_land,
    cast(zaehler_land as double) as zaehler_land,
    cast(nenner_land as double) as nenner_land,
    cast(wert_land as double) as wert_land,
    cast(anzahl_deutschland as integer) as anzahl_deutschland,
    cast(zaehler_deutschland as double) as zaehler_deutschland,
    cast(nenner_deutschland as double) as nenner_deutschland,
    cast(wert_deutschland as double) as wert_deutschland,
    -- rank 1 = highest value among the type's members with a value (ties share a rank)
    cast(case
        when wert is not null
            then rank() over (
                partition by vergleichstyp, berichtsmonat, kennzahl, gruppe, variante, wert is null
                order by wert desc
            )
    end as integer) as rang_vergleichstyp,
    cast(count(wert) over (
        partition by vergleichstyp, berichtsmonat, kennzahl, gruppe, variante
    ) as integer) as anzahl_rang_vergleichstyp,
    cast(abstand_vergleichstyp as double) as abstand_vergleichstyp,
    cast(vorlaeufig as boolean) as vorlaeufig,
    false as unterdrueckt
from verglichen
