{# Generic test: the combination of `columns` is unique in the model (compound keys). #}
{% test unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as anzahl
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
