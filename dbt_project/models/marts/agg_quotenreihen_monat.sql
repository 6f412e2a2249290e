-- The monthly building blocks of every quota of the K2 kind in long form: one row per
-- (jobcenter, berichtsmonat, kennzahl, gruppe) with the month's counted starts
-- (int_anzahl, NULL when not computable) and the month's stock of the group (elb_anzahl).
-- Numerator and denominator are restricted to the same group (kennzahlen.md).

with basis as (

    select * from {{ ref('agg_monatsbasis') }}

),

reihen as (

    {%- set reihen = [
        ('K2',   'gesamt',     'int_gesamt',          'elb'),
        ('K2',   'asyl8',      'int_asyl8',           'elb_asyl8'),
        ('K2',   'ohne_asyl8', 'int_ohne_asyl8',      'elb_ohne_asyl8'),
        ('K2',   'u25',        'int_u25',             'elb_u25'),
        ('K2',   'frauen',     'int_frauen',          'elb_frauen'),
        ('K2',   'maenner',    'int_maenner',         'elb_maenner'),
        ('K2E1', 'gesamt',     'eintritte_gering',    'elb'),
        ('K2E2', 'gesamt',     'eintritte_oeff',      'elb'),
        ('K2E4', 'gesamt',     'int_alleinerziehend', 'elb_alleinerziehend'),
        ('K3E1', 'gesamt',     'int_lzb',             'lzb'),
    ] %}
    {%- for kennzahl, gruppe, zaehler, nenner in reihen %}
        select
            jobcenter_id,
            berichtsmonat,
            jahr,
            monat,
            '{{ kennzahl }}' as kennzahl,
            '{{ gruppe }}' as gruppe,
            {{ zaehler }} as int_anzahl,
            {{ nenner }} as elb_anzahl,
            vorlaeufig
        from basis
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from reihen
