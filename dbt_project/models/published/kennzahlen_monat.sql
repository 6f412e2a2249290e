-- The official Kennzahlen per (jobcenter, berichtsmonat, kennzahl, gruppe, variante), as
-- marts.md specifies. A row exists only where every month the definition reads is delivered;
-- wert is NULL where a denominator is 0. vorlaeufig = any month read is provisional.
-- unterdrueckt is false in the warehouse: the publish step applies the suppression
-- (§ 16 BStatG, zielmonitor/publish/suppression.py) when it copies the mart to marts.duckdb.
-- The range self-joins below run on monthly aggregates (a few dozen rows per Jobcenter).

with reihen as (

    select * from {{ ref('agg_quotenreihen_monat') }}

),

basis as (

    select * from {{ ref('agg_monatsbasis') }}

),

-- Q_G(t) = sum INT_G(t-11..t) / mean ELB_G(t-12..t-1); INT(t-11) reads ELB(t-13), so the
-- months read are t-13..t
quote_rollierend as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.kennzahl,
        t.gruppe,
        'rollierend' as variante,
        sum(case
            when r.berichtsmonat >= {{ add_months('t.berichtsmonat', -11) }}
                then r.int_anzahl
        end) as zaehler,
        count(case
            when
                r.berichtsmonat >= {{ add_months('t.berichtsmonat', -11) }}
                and r.int_anzahl is not null then 1
        end) as monate_int,
        avg(case
            when
                r.berichtsmonat between {{ add_months('t.berichtsmonat', -12) }}
                and {{ add_months('t.berichtsmonat', -1) }}
                then r.elb_anzahl
        end) as nenner,  -- integers: exact sum, one division
        count(case
            when
                r.berichtsmonat between {{ add_months('t.berichtsmonat', -12) }}
                and {{ add_months('t.berichtsmonat', -1) }}
                then 1
        end) as monate_elb,
        max(case when r.vorlaeufig then 1 else 0 end) = 1 as vorlaeufig
    from reihen as t
    inner join reihen as r
        on
            r.jobcenter_id = t.jobcenter_id
            and r.kennzahl = t.kennzahl
            and r.gruppe = t.gruppe
            and r.berichtsmonat between {{ add_months('t.berichtsmonat', -13) }} and t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.kennzahl, t.gruppe

),

-- JFW_G(m): computed once in agg_quoten_jfw (the target comparison reads it too)
quote_jfw as (

    select * from {{ ref('agg_quoten_jfw') }}

),

quoten as (

    select
        jobcenter_id, berichtsmonat, kennzahl, gruppe, variante,
        cast(zaehler as double) as zaehler, nenner, vorlaeufig
    from quote_rollierend
    where monate_int = 12 and monate_elb = 12

    union all

    select
        jobcenter_id, berichtsmonat, kennzahl, gruppe, 'jfw' as variante,
        cast(zaehler as double) as zaehler, nenner, vorlaeufig
    from quote_jfw

),

-- rates averaged over m = t-11..t of a monthly ratio; the ratios read months t-12..t
raten_monat as (

    {%- for kennzahl, zaehler, nenner in gemittelte_raten() %}
        select
            jobcenter_id,
            berichtsmonat,
            '{{ kennzahl }}' as kennzahl,
            {{ zaehler }} is not null as berechenbar,
            {{ monatsquote(zaehler, nenner) }} as quote,
            vorlaeufig
        from basis
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

raten as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.kennzahl,
        'gesamt' as gruppe,
        'rollierend' as variante,
        cast(null as double) as zaehler,
        cast(null as double) as nenner,
        count(case
            when
                r.berichtsmonat >= {{ add_months('t.berichtsmonat', -11) }}
                and r.berechenbar then 1
        end) as monate,
        -- undefined (NULL) if any month's ratio is undefined (denominator 0)
        {{ mittel_zwoelf_monate(
            "case when r.berichtsmonat >= " ~ add_months('t.berichtsmonat', -11) ~ " then r.quote end"
        ) }} as wert,
        max(case when r.vorlaeufig then 1 else 0 end) = 1 as vorlaeufig
    from raten_monat as t
    inner join raten_monat as r
        on
            r.jobcenter_id = t.jobcenter_id
            and r.kennzahl = t.kennzahl
            and r.berichtsmonat between {{ add_months('t.berichtsmonat', -12) }} and t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.kennzahl

),

-- changes against the same month of the previous year; months read: t and t-12
veraenderungen as (

    {%- for kennzahl, spalte in veraenderungen() %}
        select
            t.jobcenter_id,
            t.berichtsmonat,
            '{{ kennzahl }}' as kennzahl,
            'gesamt' as gruppe,
            'monat' as variante,
            cast(t.{{ spalte }} as double) as zaehler,
            cast(v.{{ spalte }} as double) as nenner,
            {{ veraenderung_prozent('t.' ~ spalte, 'v.' ~ spalte) }} as wert,
            (t.vorlaeufig or v.vorlaeufig) as vorlaeufig
        from basis as t
        inner join basis as v
            on
                v.jobcenter_id = t.jobcenter_id
                and v.berichtsmonat = {{ add_months('t.berichtsmonat', -12) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- K3E2: Stichtag ratio of the month
aktivierung as (

    select
        jobcenter_id,
        berichtsmonat,
        'K3E2' as kennzahl,
        'gesamt' as gruppe,
        'monat' as variante,
        cast(lzb_aktiviert as double) as zaehler,
        cast(lzb as double) as nenner,
        {{ prozent('lzb_aktiviert', 'lzb') }} as wert,
        vorlaeufig
    from basis

),

alle as (

    select
        jobcenter_id, berichtsmonat, kennzahl, gruppe, variante, zaehler, nenner,
        {{ prozent('zaehler', 'nenner') }} as wert, vorlaeufig
    from quoten

    union all

    select jobcenter_id, berichtsmonat, kennzahl, gruppe, variante, zaehler, nenner, wert, vorlaeufig
    from raten
    where monate = 12

    union all

    select jobcenter_id, berichtsmonat, kennzahl, gruppe, variante, zaehler, nenner, wert, vorlaeufig
    from veraenderungen

    union all

    select jobcenter_id, berichtsmonat, kennzahl, gruppe, variante, zaehler, nenner, wert, vorlaeufig
    from aktivierung

)

select
    cast(jobcenter_id as varchar) as jobcenter_id,
    cast(berichtsmonat as date) as berichtsmonat,
    cast(kennzahl as varchar) as kennzahl,
    cast(gruppe as varchar) as gruppe,
    cast(variante as varchar) as variante,
    cast(zaehler as double) as zaehler,
    cast(nenner as double) as nenner,
    cast(wert as double) as wert,
    cast(vorlaeufig as boolean) as vorlaeufig,
    false as unterdrueckt
from alle
