{# Small helpers shared by the models. Kept in one file per theme; every macro says why it exists. #}

{# Month arithmetic on DATE columns. DuckDB's date + interval yields a TIMESTAMP, so cast back:
   every month key in the project is a DATE (first of month). #}
{% macro add_months(expr, n) -%}
    cast(({{ expr }}) + interval ({{ n }}) month as date)
{%- endmacro %}

{# The as-of date (dbt var `as_of`, a 'YYYY-MM-DD' string) as a SQL literal, or none. #}
{% macro as_of_date() -%}
    {%- set v = var('as_of', none) -%}
    {%- if v is none or (v | string | trim) in ('', 'none', 'None', 'null') -%}
        {{ return(none) }}
    {%- else -%}
        {{ return("cast('" ~ (v | string | trim) ~ "' as date)") }}
    {%- endif -%}
{%- endmacro %}

{# Age in whole years per kennzahlen.md: (12*year(ST)+month(ST) - 12*year(gm) - month(gm)) div 12.
   floor() rather than integer division so the result is right even for negative spans. #}
{% macro alter_in_jahren(geburtsmonat, stichtag) -%}
    cast(floor(
        ((12 * extract(year from {{ stichtag }}) + extract(month from {{ stichtag }}))
         - (12 * extract(year from {{ geburtsmonat }}) + extract(month from {{ geburtsmonat }}))) / 12.0
    ) as integer)
{%- endmacro %}

{# The eight non-European Asylherkunftsländer (kennzahlen.md). Kept here once; the list is a
   statistical definition of the BA, not something a Jobcenter configures. #}
{% macro asyl8_laender() -%}
    ('AFG', 'ERI', 'IRQ', 'IRN', 'NGA', 'PAK', 'SOM', 'SYR')
{%- endmacro %}

{# Percent of a ratio, NULL when the denominator is 0 or NULL (the figure is not defined). #}
{% macro prozent(zaehler, nenner) -%}
    case when ({{ nenner }}) is null or ({{ nenner }}) = 0 then null
         else 100.0 * ({{ zaehler }}) / ({{ nenner }}) end
{%- endmacro %}

{# Change against the previous year in percent: (ratio - 1) * 100. #}
{% macro veraenderung_prozent(wert, vorjahr) -%}
    case when ({{ vorjahr }}) is null or ({{ vorjahr }}) = 0 or ({{ wert }}) is null then null
         else 100.0 * (cast({{ wert }} as double) / cast({{ vorjahr }} as double) - 1) end
{%- endmacro %}

{# The rates averaged over twelve months (kennzahlen.md): (Kennzahl, numerator, denominator)
   as columns of agg_monatsbasis. One list for a Jobcenter's own value and a group's. #}
{% macro gemittelte_raten() -%}
    {{ return([
        ('K1E3', 'zugaenge',     'elb'),
        ('K1E4', 'abgaenge',     'elb_vormonat'),
        ('K3E3', 'lzb_zugaenge', 'lzb'),
        ('K3E4', 'lzb_abgaenge', 'lzb_vormonat'),
    ]) }}
{%- endmacro %}

{# One month's ratio of an averaged rate, NULL when the denominator is 0 (undefined). DECIMAL
   (18 places) so that averaging 12 of them is exact whatever the order of a parallel sum. #}
{% macro monatsquote(zaehler, nenner) -%}
    case when ({{ nenner }}) > 0
        then cast(cast({{ zaehler }} as double) / ({{ nenner }}) as decimal(38, 18)) end
{%- endmacro %}

{# An averaged rate in percent (an aggregate over the 12 monthly ratios of m = t-11..t): their
   mean, NULL unless all 12 are defined. #}
{% macro mittel_zwoelf_monate(quote) -%}
    case when count({{ quote }}) = 12 then 100.0 * avg({{ quote }}) end
{%- endmacro %}

{# The changes against the same month of the previous year (kennzahlen.md): (Kennzahl, column
   of agg_monatsbasis). Value: veraenderung_prozent(month, month a year earlier). #}
{% macro veraenderungen() -%}
    {{ return([('K1', 'llu_summe'), ('K1E1', 'luh_summe'), ('K1E2', 'elb'), ('K3', 'lzb')]) }}
{%- endmacro %}

{# A list of strings as an SQL IN list: ('a', 'b'). #}
{% macro sql_liste(werte) -%}
    ('{{ werte | join("', '") }}')
{%- endmacro %}
