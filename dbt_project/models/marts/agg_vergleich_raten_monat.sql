-- The averaged rates (K1E3, K1E4, K3E3, K3E4) of a group of Jobcenters (Vergleichstyp, Land,
-- Deutschland) per (ebene, schluessel, berichtsmonat, kennzahl), as their definition says for
-- a group: the mean over m = t-11..t of sum Zugang(m) / sum ELB(m) over the group's members,
-- not a mean of the members' rates (docs/vergleich.md). Members are the Jobcenters with master
-- data valid at t whose own rate is computable at t (12 computable months, as kennzahlen_monat).

with stammdaten as (

    select * from {{ ref('jobcenter_stammdaten') }}

),

basis as (

    select * from {{ ref('agg_monatsbasis') }}

),

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

-- the Jobcenters whose own rate exists at t: every month t-11..t has a computable numerator
mitglieder as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.kennzahl
    from raten_monat as t
    inner join raten_monat as r
        on
            t.jobcenter_id = r.jobcenter_id
            and t.kennzahl = r.kennzahl
            and r.berichtsmonat between {{ add_months('t.berichtsmonat', -11) }} and t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.kennzahl
    having count(r.zaehler) = 12

),

ebenen as (

    {%- for ebene, schluessel in [
        ('vergleichstyp', 's.vergleichstyp'), ('land', 's.land'), ('deutschland', "'Deutschland'")
    ] %}
        select
            m.jobcenter_id,
            m.berichtsmonat,
            m.kennzahl,
            '{{ ebene }}' as ebene,
            {{ schluessel }} as schluessel
        from mitglieder as m
        inner join stammdaten as s
            on
                m.jobcenter_id = s.jobcenter_id
                and m.berichtsmonat >= s.gueltig_ab
                and (s.gueltig_bis is null or m.berichtsmonat <= s.gueltig_bis)
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- the group's sums of each month m = t-11..t
monatssummen as (

    select
        e.ebene,
        e.schluessel,
        e.berichtsmonat,
        e.kennzahl,
        r.berichtsmonat as monat,
        count(*) as anzahl_jobcenter,
        sum(r.nenner) as nenner,
        cast(cast(sum(r.zaehler) as double) / nullif(sum(r.nenner), 0) as decimal(38, 18)) as quote
    from ebenen as e
    inner join raten_monat as r
        on
            e.jobcenter_id = r.jobcenter_id
            and e.kennzahl = r.kennzahl
            and r.berichtsmonat between {{ add_months('e.berichtsmonat', -11) }} and e.berichtsmonat
    group by e.ebene, e.schluessel, e.berichtsmonat, e.kennzahl, r.berichtsmonat

)

select
    ebene,
    schluessel,
    berichtsmonat,
    kennzahl,
    max(anzahl_jobcenter) as anzahl_jobcenter,
    -- DECIMAL as in kennzahlen_monat: a group of one gives exactly the member's own rate;
    -- undefined (NULL) when a month's group denominator is 0
    case
        when count(case when nenner > 0 then 1 end) = 12
            then 100.0 * avg(quote)
    end as wert
from monatssummen
group by ebene, schluessel, berichtsmonat, kennzahl
