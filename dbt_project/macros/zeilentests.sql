{# Row and key tests in one query per model (issue 16, "less around dbt"; docs/benchmarks.md).

   dbt runs every data test as a node of its own: ~20–30 ms each of compiling, logging and a
   query, and one scan of the model each. A row test (not_null, accepted_values,
   rows_satisfy: a condition on each row; var `row_tests`, dbt_project.yml) and a key test
   (unique_key: no two rows with the same key; var `key_tests`) need neither: the refresh
   leaves them out of `dbt build` and this on-run-end hook counts every such test that did
   not run as a node, of every model and seed that was built (and, in an incremental
   refresh, which does not create the views again, of every view they read), in one query
   per model (a count per row test over one scan, a count of duplicate keys per key test),
   over the months steuerung.testumfang names (macros/testumfang.sql), which it then empties.
   Declared once, in the YAML, as dbt tests without a config of their own
   (tests/test_row_tests.py); a failure names them as dbt does. A `dbt build` by hand runs
   them as nodes, and leaves nothing to the hook. #}

{% macro row_tests_not_run_as_nodes() %}
    {%- if not execute or flags.WHICH != 'build' -%}{{ return('select 1') }}{%- endif -%}
    {%- set ran, built = [], [] -%}
    {%- for r in results -%}
        {%- do ran.append(r.node.unique_id) -%}
        {%- if r.node.resource_type in ('model', 'seed') and r.status == 'success' -%}
            {%- do built.append(r.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the scope of this build only: a `dbt build` by hand after it tests every month -#}
    {%- set ab = run_query('select max(ab) from steuerung.testumfang').columns[0].values()[0] -%}
    {%- do run_query('delete from steuerung.testumfang') -%}
    {#- an incremental refresh (a first month to test) leaves the views as they are
        (build_state.views_kept): the tests of the views its models read are counted here -#}
    {%- if ab is not none -%}
        {%- for unique_id in built | list -%}
            {%- do add_views_read(unique_id, built) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set left = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.test_metadata
            and node.test_metadata.name in var('row_tests') + var('key_tests')
            and node.attached_node in built
            and node.unique_id not in ran -%}
        {%- do left.append(node.unique_id) -%}
    {%- endfor -%}
    {%- do count_row_tests(left, ab) -%}
    {{ return('select 1') }}
{% endmacro %}

{# Adds to `seen` every view `unique_id` reads, however many views up. #}
{% macro add_views_read(unique_id, seen) %}
    {%- for upstream in graph.nodes[unique_id].depends_on.nodes if upstream in graph.nodes -%}
        {%- set node = graph.nodes[upstream] -%}
        {%- if node.resource_type == 'model' and node.config.materialized == 'view'
                and upstream not in seen -%}
            {%- do seen.append(upstream) -%}
            {%- do add_views_read(upstream, seen) -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{# Fails (a compilation error naming each failed test and its rows) unless no row from the
   month `ab` on (every row: none) fails any of the tests `unique_ids`. #}
{% macro count_row_tests(unique_ids, ab) %}
    {%- set per_model = {} -%}
    {%- for unique_id in unique_ids -%}
        {%- set t = graph.nodes[unique_id] -%}
        {%- do per_model.setdefault(t.attached_node, []).append(t) -%}
    {%- endfor -%}
    {%- set failures = [] -%}
    {%- for model_id in per_model | sort -%}
        {%- set model = graph.nodes[model_id] -%}
        {%- set monate = monate_unter_test(model, "date '" ~ ab ~ "'") if ab is not none -%}
        {%- set rows = model.relation_name ~ (' where ' ~ monate if monate else '') -%}
        {%- set tests = per_model[model_id] | sort(attribute='name') -%}
        {%- set row_tests = tests | selectattr('test_metadata.name', 'in', var('row_tests')) | list -%}
        {%- set key_tests = tests | rejectattr('test_metadata.name', 'in', var('row_tests')) | list -%}
        {#- one row: the row tests' counts over one scan, then each key test's duplicates -#}
        {%- set parts = [] -%}
        {%- if row_tests -%}
            {%- set counts = [] -%}
            {%- for t in row_tests -%}
                {%- do counts.append('count(*) filter (where ' ~ row_test_failure(t) ~ ')') -%}
            {%- endfor -%}
            {%- do parts.append('(select ' ~ counts | join(', ') ~ ' from ' ~ rows ~ ') as zeilen') -%}
        {%- endif -%}
        {%- for t in key_tests -%}
            {%- do parts.append('(select count(*) from (select 1 from ' ~ rows ~ ' group by '
                ~ key_columns(t) ~ ' having count(*) > 1)) as schluessel' ~ loop.index) -%}
        {%- endfor -%}
        {%- set row = run_query('select * from ' ~ parts | join(', ')).rows[0] -%}
        {%- for t in row_tests + key_tests -%}
            {%- set n = row[loop.index0] -%}
            {%- if n > 0 -%}{%- do failures.append('FAIL ' ~ t.name ~ ': ' ~ n ~ ' rows') -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if failures -%}
        {{ exceptions.raise_compiler_error(failures | length ~ " test(s) failed:\n" ~ failures | join("\n")) }}
    {%- endif -%}
    {%- if unique_ids -%}
        {{ log(unique_ids | length ~ ' row and key tests of ' ~ per_model | length ~ ' models passed', info=true) }}
    {%- endif -%}
{% endmacro %}

{# The key of a key test `t` (tests/generic/unique_key.sql), as its `group by`: a failing
   "row" is a key found more than once, as the test node counts it. #}
{% macro key_columns(t) %}
    {%- if t.test_metadata.name != 'unique_key' -%}
        {{ exceptions.raise_compiler_error('not a key test: ' ~ t.unique_id) }}
    {%- endif -%}
    {{ return(t.test_metadata.kwargs['columns'] | join(', ')) }}
{% endmacro %}

{# True for each row the test `t` returns as dbt runs it (tests/generic/rows_satisfy.sql and
   dbt's own not_null and accepted_values, whose `quote` it follows). #}
{% macro row_test_failure(t) %}
    {%- set kw = t.test_metadata.kwargs -%}
    {%- set kind = t.test_metadata.name -%}
    {%- if kind == 'not_null' -%}
        {%- set bad = '(' ~ kw.column_name ~ ') is null' -%}
    {%- elif kind == 'accepted_values' -%}
        {%- set q = "'" if kw.get('quote', true) else '' -%}
        {%- set values = [] -%}
        {%- for v in kw['values'] -%}{%- do values.append(q ~ v ~ q) -%}{%- endfor -%}
        {%- set bad = '(' ~ kw.column_name ~ ') not in (' ~ values | join(', ') ~ ')' -%}
    {%- elif kind == 'rows_satisfy' -%}
        {%- set bad = 'not coalesce((' ~ kw.expression ~ '), true)' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error('not a row test: ' ~ t.unique_id) }}
    {%- endif -%}
    {{ return(bad) }}
{% endmacro %}
