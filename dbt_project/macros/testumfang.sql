{# Which months the data tests of a build look at (zielmonitor/build_state.py).

   An incremental refresh writes its first changed month into steuerung.testumfang before
   `dbt build` (dbt empties it when it ends, on-run-end). Every data test on a relation with a
   `berichtsmonat` column then reads only the rows that the changed months can have changed:
   from that month minus the model's lookback on (`rueckblick`). Earlier rows were tested
   when they were built and nothing they read has changed. No row (a full build, CI, a
   `dbt build` by hand): every test sees every row. A SQL subquery, not a var, so the dbt
   parse is kept between refreshes. #}

{% macro default__get_where_subquery(relation) -%}
    {#- the model under test, from dbt's graph (`model` is the test node here), not the
        database, which would cost a query per test; every model documents its columns -#}
    {%- set getestet = graph.nodes.get(model.attached_node) if execute and model.attached_node -%}
    {%- set where = config.get('where', '') -%}
    {%- set bedingungen = ['(' ~ where ~ ')'] if where else [] -%}
    {%- set monate = monate_unter_test(getestet, testumfang_ab()) -%}
    {%- if monate -%}{%- do bedingungen.append(monate) -%}{%- endif -%}
    {%- if bedingungen -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ (bedingungen | join(' and ')) ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{# The same rows for a singular test, which reads its model `name` as `alias`: a condition,
   `true` when every row is tested. #}
{% macro im_testumfang(name, alias) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) if execute -%}
    {%- set monate = monate_unter_test(node, testumfang_ab()) if node -%}
    {{ return(alias ~ '.' ~ monate if monate else 'true') }}
{%- endmacro %}

{# The first changed month of this build, as SQL (1900-01-01: every month). #}
{% macro testumfang_ab() -%}
    {{ return("coalesce((select max(ab) from steuerung.testumfang), date '1900-01-01')") }}
{%- endmacro %}

{# The rows of `node` (a model or seed from dbt's graph) a test looks at: from `rueckblick`
   months before the month `ab` (SQL) on, for a relation with a `berichtsmonat` column; none
   (every row) for the others. Test nodes (above) and the row tests' hook
   (macros/zeilentests.sql) alike. #}
{% macro monate_unter_test(node, ab) -%}
    {%- if node and 'berichtsmonat' in node.columns -%}
        {%- do return('berichtsmonat >= ' ~ add_months(ab, -rueckblick(node, {}))) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}

{# How many months before the first changed one the rows of `node` can have changed: a
   month-wise model's own `meta.lookback` (the months it rebuilds, macros/monatsweise.sql);
   any other model's, the largest of the models it reads (a mart over agg_monatsbasis: 3); 0
   for what reads no month-wise model (staging, intermediate). `seen` caches per node. #}
{% macro rueckblick(node, seen) -%}
    {%- if node.unique_id not in seen -%}
        {%- set own = (node.config.meta or {}).get('lookback') -%}
        {%- set months = [own if own is not none else 0] -%}
        {%- if own is none -%}
            {%- for upstream in node.depends_on.nodes if upstream in graph.nodes -%}
                {%- do months.append(rueckblick(graph.nodes[upstream], seen)) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do seen.update({node.unique_id: months | max}) -%}
    {%- endif -%}
    {{ return(seen[node.unique_id]) }}
{%- endmacro %}
