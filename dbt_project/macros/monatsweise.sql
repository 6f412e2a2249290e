{# Incremental person-level facts, rebuilt month-wise (docs/operations.md "Incremental facts").

   A fact table keeps, per row, the `stand` (delivery) it was built from. On an incremental
   build the first month to rebuild is the earliest month whose active stand now differs from
   the stand in the table (a new month, a revised stand, a removed or withdrawn stand, or
   figures of an earlier as-of build),
   minus `lookback` months for rows that read their neighbours (t-1 / t+1). Every row from that
   month on is deleted (pre-hook) and recomputed; earlier rows read nothing that changed.
   With the var `as_of` set the whole table is rebuilt (the stands visible then differ), and
   so is a table of an older version without `stand` (the column is then appended).

   Both the pre-hook and the model render `neubau_ab()` before the delete runs, so they agree
   on the month. The delete and the insert are one transaction: a killed build leaves the old
   table. #}

{% macro neubau_ab(lookback=1) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if as_of_date() is not none or 'stand' not in columns -%}
        {{ return("date '1900-01-01'") }}  {#- as-of, or a table built before `stand` existed -#}
    {%- endif -%}
    {#- a full join: a month whose stand changed or is new (left side), and a month built
        from a stand that is no longer active or whose deliveries were removed (right side) -#}
    {%- set sql -%}
        select {{ add_months('min(coalesce(m.berichtsmonat, t.berichtsmonat))', -lookback) }}
        from (select jobcenter_id, berichtsmonat, stand from {{ ref('int_monate') }}) as m
        full join (select distinct jobcenter_id, berichtsmonat, stand from {{ this }}) as t
            on  t.jobcenter_id = m.jobcenter_id
            and t.berichtsmonat = m.berichtsmonat
            and t.stand = m.stand
        where t.stand is null or m.stand is null
    {%- endset -%}
    {%- set ab = run_query(sql).columns[0].values()[0] -%}
    {{ return("date '9999-12-01'" if ab is none else "date '" ~ ab ~ "'") }}
{%- endmacro %}

{# The pre-hook of a month-wise fact (materialized='incremental', strategy 'append'):
   delete the months to rebuild. #}
{% macro neubau_loeschen() -%}
    {%- set ab = neubau_ab() -%}
    {%- if ab is not none -%}
        delete from {{ this }} where berichtsmonat >= {{ ab }}
    {%- endif -%}
{%- endmacro %}

{# `where` restricting a month-wise fact's input to the months it rebuilds (`ab` from
   neubau_ab()); nothing on a full build. #}
{% macro nur_neubau(ab) -%}
    {%- if ab is not none -%}
        where berichtsmonat >= {{ ab }}
    {%- endif -%}
{%- endmacro %}
