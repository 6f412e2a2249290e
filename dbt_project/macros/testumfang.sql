{# Which months the data tests of a build look at (zielmonitor/build_state.py).

   An incremental refresh rebuilds the months from its first changed month on; the rows of
   earlier months were tested when they were built and nothing they read has changed. So
   the refresh's dbt step writes that month into steuerung.testumfang before `dbt build`
   (dbt empties it when it ends, on-run-end), and every data test on a relation with a
   `berichtsmonat` column reads only the rows from that month on. No row (a full build, CI, a `dbt build`
   by hand): every test sees every row. A SQL subquery, not a var, so the dbt parse is kept
   between refreshes. #}

{% macro default__get_where_subquery(relation) -%}
    {#- the model under test, from dbt's graph (`model` is the test node here), not the
        database, which would cost a query per test; every model documents its columns -#}
    {%- set getestet = graph.nodes.get(model.attached_node) if execute and model.attached_node -%}
    {%- set where = config.get('where', '') -%}
    {%- set bedingungen = ['(' ~ where ~ ')'] if where else [] -%}
    {%- set monate = monate_unter_test(getestet,
            "coalesce((select max(ab) from steuerung.testumfang), date '0001-01-01')") -%}
    {%- if monate -%}{%- do bedingungen.append(monate) -%}{%- endif -%}
    {%- if bedingungen -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ (bedingungen | join(' and ')) ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{# The rows of `node` (a model or seed from dbt's graph) a test looks at: from the month `ab`
   (SQL) on, for a relation with a `berichtsmonat` column; none (every row) for the others.
   Test nodes (above) and the row tests' hook (macros/zeilentests.sql) alike. #}
{% macro monate_unter_test(node, ab) -%}
    {%- if node and 'berichtsmonat' in node.columns -%}
        {%- do return('berichtsmonat >= ' ~ ab) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}
