-- The comparison of the § 48a publication (docs/vergleich.md): per (jobcenter, berichtsmonat,
-- kennzahl, gruppe, variante) of kennzahlen_monat the Jobcenter's own value beside the value
-- of its Vergleichstyp, its Land and Germany, its rank within the type and the distance to
-- the type value in points. A group value is the BA aggregate: sum of the members' numerators
-- over the sum of their denominators (changes: sum of the month / sum a year earlier; the
-- averaged rates: the mean over 12 months of the group's monthly ratio). Members: the
-- Jobcenters in the warehouse with master data valid in the month and a row of that figure.
-- Ranks here are before suppression: the publish step suppresses every group value that
-- contains a suppressed member and ranks again over the values still shown (meta.suppression).

{%- set ebenen = [('vergleichstyp', 'vergleichstyp'), ('land', 'land'), ('deutschland', "'Deutschland'")] %}
{%- set raten = gemittelte_raten() | map('first') | list %}

with kennzahlen as (

    select * from {{ ref('kennzahlen_monat') }}

),

stammdaten as (

    select * from {{ ref('jobcenter_stammdaten') }}

),

basis as (

    select * from {{ ref('agg_monatsbasis') }}

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

-- the numerators and denominators of the averaged rates, per Jobcenter and month
raten_monat as (

    {%- for kennzahl, zaehler, nenner in gemittelte_raten() %}
        select
            jobcenter_id,
            berichtsmonat,
            '{{ kennzahl }}' as kennzahl,
            {{ zaehler }} as zaehler,
            {{ nenner }} as nenner
        from basis
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

{% for ebene, schluessel in ebenen %}
    -- the averaged rates of each {{ ebene }} at t: the mean over m = t-11..t of the monthly
    -- ratio of the members' sums; members: the Jobcenters whose own rate exists at t (eigen)
    raten_{{ ebene }} as (

        select
            schluessel,
            berichtsmonat,
            kennzahl,
            {{ mittel_zwoelf_monate('quote') }} as wert
        from (
            select
                {{ schluessel }} as schluessel,
                e.berichtsmonat,
                e.kennzahl,
                r.berichtsmonat as monat,
                {{ monatsquote('sum(r.zaehler)', 'sum(r.nenner)') }} as quote
            from eigen as e
            inner join raten_monat as r
                on
                    e.jobcenter_id = r.jobcenter_id
                    and e.kennzahl = r.kennzahl
                    and r.berichtsmonat between {{ add_months('e.berichtsmonat', -11) }} and e.berichtsmonat
            where e.kennzahl in {{ sql_liste(raten) }}
            group by all
        )
        group by all

    ),
{% endfor %}

-- each group's count and sums beside every member's row; DECIMAL: a sum of doubles (EUR
-- amounts, mean stocks) depends on the order of a parallel aggregation in its last bits
-- (docs/operations.md, "Same input, same figures"), 18 places give a group of one back
-- exactly its member's value
gruppiert as (

    select
        *,
        {%- for ebene, schluessel in ebenen %}
            count(*) over {{ ebene }} as anzahl_{{ ebene }},
            cast(sum(cast(zaehler as decimal(38, 18))) over {{ ebene }} as double)
                as zaehler_{{ ebene }},
            cast(sum(cast(nenner as decimal(38, 18))) over {{ ebene }} as double)
                as nenner_{{ ebene }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from eigen
    window
        {%- for ebene, schluessel in ebenen %}
            {{ ebene }} as (partition by {{ schluessel }}, berichtsmonat, kennzahl, gruppe, variante)
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

),

verglichen as (

    select
        g.*,
        {%- for ebene, schluessel in ebenen %}
            case
                when g.kennzahl in {{ sql_liste(raten) }} then r_{{ ebene }}.wert
                when g.kennzahl in {{ sql_liste(veraenderungen() | map('first') | list) }}
                    then {{ veraenderung_prozent('g.zaehler_' ~ ebene, 'g.nenner_' ~ ebene) }}
                else {{ prozent('g.zaehler_' ~ ebene, 'g.nenner_' ~ ebene) }}
            end as wert_{{ ebene }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from
        gruppiert as g
        {%- for ebene, schluessel in ebenen %}
        left join raten_{{ ebene }} as r_{{ ebene }}
            on
                r_{{ ebene }}.schluessel
                = {{ 'g.' ~ schluessel if ebene != 'deutschland' else schluessel }}
                and g.berichtsmonat = r_{{ ebene }}.berichtsmonat
                and g.kennzahl = r_{{ ebene }}.kennzahl
            {%- endfor %}

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
    {%- for ebene, schluessel in ebenen %}
        cast(anzahl_{{ ebene }} as integer) as anzahl_{{ ebene }},
        cast(zaehler_{{ ebene }} as double) as zaehler_{{ ebene }},
        cast(nenner_{{ ebene }} as double) as nenner_{{ ebene }},
        cast(wert_{{ ebene }} as double) as wert_{{ ebene }},
    {%- endfor %}
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
    cast(wert - wert_vergleichstyp as double) as abstand_vergleichstyp,
    cast(vorlaeufig as boolean) as vorlaeufig,
    false as unterdrueckt
from verglichen
