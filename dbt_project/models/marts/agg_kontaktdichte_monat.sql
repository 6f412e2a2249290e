-- Monthly building blocks of the Kontaktdichte per (jobcenter, berichtsmonat, gruppe):
-- counted contacts (PERS, TEL by persons in ELB of the contact's month, attributed to the
-- person's profile in that month) and the month's stock of the group. Aggregated first per
-- (profillage, u25), so the group expansion below runs on a handful of rows per month.
-- Groups: each profillage code, OHNE (not yet profiled), marktnah (MP+AP+FP pooled, Z2.3),
-- komplex (EP+SP+UP), marktnah_u25 (Z2.13), gesamt.
-- Incremental by month (macros/monatsweise.sql).

{%- set ab = neubau_ab() %}

with monate as (

    select jobcenter_id, berichtsmonat, jahr, monat, vorlaeufig
    from {{ ref('int_monate') }}
    {{ nur_neubau(ab) }}

),

bestand as (

    select
        jobcenter_id, berichtsmonat, coalesce(profillage, 'OHNE') as profil, u25,
        count(*) as elb
    from {{ ref('fct_elb_bestand') }}
    {{ nur_neubau(ab) }}
    group by jobcenter_id, berichtsmonat, coalesce(profillage, 'OHNE'), u25

),

kontakte as (

    select
        k.jobcenter_id, k.berichtsmonat, coalesce(k.profillage, 'OHNE') as profil, k.u25,
        count(*) as kontakte
    from (select * from {{ ref('fct_kontakte') }} {{ nur_neubau(ab) }}) as k
    where k.zaehlt_kontaktdichte
    group by k.jobcenter_id, k.berichtsmonat, coalesce(k.profillage, 'OHNE'), k.u25

),

zellen as (

    select
        coalesce(b.jobcenter_id, k.jobcenter_id) as jobcenter_id,
        coalesce(b.berichtsmonat, k.berichtsmonat) as berichtsmonat,
        coalesce(b.profil, k.profil) as profil,
        coalesce(b.u25, k.u25) as u25,
        coalesce(b.elb, 0) as elb,
        coalesce(k.kontakte, 0) as kontakte
    from bestand as b
    full outer join kontakte as k
        on
            k.jobcenter_id = b.jobcenter_id
            and k.berichtsmonat = b.berichtsmonat
            and k.profil = b.profil
            and k.u25 = b.u25

),

gruppen as (

    {%- set gruppen = [
        ('MP', "profil = 'MP'"), ('AP', "profil = 'AP'"), ('FP', "profil = 'FP'"),
        ('EP', "profil = 'EP'"), ('SP', "profil = 'SP'"), ('UP', "profil = 'UP'"),
        ('Z', "profil = 'Z'"), ('I', "profil = 'I'"), ('OHNE', "profil = 'OHNE'"),
        ('marktnah', "profil in ('MP', 'AP', 'FP')"),
        ('komplex', "profil in ('EP', 'SP', 'UP')"),
        ('marktnah_u25', "profil in ('MP', 'AP', 'FP') and u25"),
        ('gesamt', "1 = 1"),
    ] %}
    {%- for name, bedingung in gruppen %}
        select
            m.jobcenter_id,
            m.berichtsmonat,
            m.jahr,
            m.monat,
            m.vorlaeufig,
            '{{ name }}' as gruppe,
            coalesce(sum(case when {{ bedingung }} then z.kontakte end), 0) as kontakte,
            coalesce(sum(case when {{ bedingung }} then z.elb end), 0) as elb
        from monate as m
        left join zellen as z
            on z.jobcenter_id = m.jobcenter_id and z.berichtsmonat = m.berichtsmonat
        group by m.jobcenter_id, m.berichtsmonat, m.jahr, m.monat, m.vorlaeufig
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from gruppen
