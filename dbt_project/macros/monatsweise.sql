{# Incremental models rebuilt month-wise (docs/operations.md "Incremental facts").

   Each build of a month-wise model records, in steuerung.monatsweise_gebaut, the active
   stand of every month of int_monate it was built from (post-hook, in the transaction of
   the build). On an incremental build the first month to rebuild is the earliest month
   whose active stand now differs from that record (a new month, a revised stand, a removed
   or withdrawn stand, or figures of an earlier as-of build), minus the model's
   `meta.lookback`, the months its rows read ahead (t+1, t+3). Every row from that month on
   is deleted (pre-hook) and recomputed; earlier rows read nothing that changed. The same
   lookback scopes the model's data tests (macros/testumfang.sql). The record, not the rows,
   is compared: a month may have no rows (no Integration before t-2 is delivered) and still
   decide later months. With the var `as_of` set, or without a record of the model
   (a table built by hand or by an older version), the whole table is rebuilt.

   Both the pre-hook and the model render `neubau_ab()` before the delete runs, so they agree
   on the month. The delete, the insert and the record are one transaction: a killed build
   leaves the old table and its record. #}

{% macro neubau_ab() -%}
    {%- if not monatsweise_inkrementell() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lookback = (config.get('meta') or {}).get('lookback') -%}
    {%- if lookback is none -%}
        {{ exceptions.raise_compiler_error(this ~ ': a month-wise model declares meta.lookback') }}
    {%- endif -%}
    {%- set record = adapter.get_relation(this.database, 'steuerung', 'monatsweise_gebaut') -%}
    {%- if as_of_date() is not none or record is none -%}
        {{ return("date '1900-01-01'") }}
    {%- endif -%}
    {#- a full join: a month whose stand changed or is new (left side), and a month built
        from a stand that is no longer active or whose deliveries were removed (right side) -#}
    {%- set sql -%}
        with gebaut as (
            select jobcenter_id, berichtsmonat, stand from {{ record }}
            where modell = '{{ this.identifier }}'
        )
        select
            (select count(*) from gebaut),
            (select {{ add_months('min(coalesce(m.berichtsmonat, g.berichtsmonat))', -lookback) }}
             from (select jobcenter_id, berichtsmonat, stand from {{ ref('int_monate') }}) as m
             full join gebaut as g
                on  g.jobcenter_id = m.jobcenter_id
                and g.berichtsmonat = m.berichtsmonat
                and g.stand = m.stand
             where g.stand is null or m.stand is null)
    {%- endset -%}
    {%- set row = run_query(sql).rows[0] -%}
    {%- if row[0] == 0 -%}
        {{ return("date '1900-01-01'") }}  {#- no record of this model: everything -#}
    {%- endif -%}
    {{ return("date '9999-12-01'" if row[1] is none else "date '" ~ row[1] ~ "'") }}
{%- endmacro %}

{# The pre-hook of a month-wise model: delete the months to rebuild. #}
{% macro neubau_loeschen() -%}
    {%- set ab = neubau_ab() -%}
    {%- if ab is not none -%}
        delete from {{ this }} where berichtsmonat >= {{ ab }}
    {%- endif -%}
{%- endmacro %}

{# The post-hooks of a month-wise model: the stands it was built from, for the next build. #}
{% macro neubau_vergessen() -%}
    delete from steuerung.monatsweise_gebaut where modell = '{{ this.identifier }}'
{%- endmacro %}

{% macro neubau_vermerken() -%}
    insert into steuerung.monatsweise_gebaut
    select '{{ this.identifier }}', jobcenter_id, berichtsmonat, stand from {{ ref('int_monate') }}
{%- endmacro %}

{# `where` restricting a month-wise model's input to the months it rebuilds (`ab` from
   neubau_ab()), shifted by `monate` for an input read at t-1 or t+3; nothing on a full
   build. #}
{% macro nur_neubau(ab, monate=0) -%}
    {%- if ab is not none -%}
        where berichtsmonat >= {{ ab if monate == 0 else add_months(ab, monate) }}
    {%- endif -%}
{%- endmacro %}

{# A month-wise model's materialisation. The first build, a --full-refresh, or a view in the
   table's place: a table, as dbt's `table` builds it. Otherwise the pre-hook has deleted the
   months to rebuild and the model's rows go straight into the table, in the one transaction
   of the hooks. (dbt's `incremental` first copies them into a temporary table and inserts
   from that: ≈ 0.4 s of fct_elb_bestand's 3.2 s in the SF10 refresh of a revised month.) #}
{% materialization monatsweise, adapter='duckdb' %}
    {%- if not monatsweise_inkrementell() -%}
        {{ return(materialization_table_duckdb()) }}
    {%- endif -%}
    {%- set target = this.incorporate(type='table') -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- set spalten = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {% call statement('main') -%}
        insert into {{ target }} ({{ spalten }})
        select {{ spalten }} from ({{ compiled_code }})
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}

{# dbt's is_incremental() for the materialisation above: the table exists and no
   --full-refresh. #}
{% macro monatsweise_inkrementell() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.table) -%}
    {{ return(relation is not none and relation.type == 'table' and not should_full_refresh()) }}
{%- endmacro %}
