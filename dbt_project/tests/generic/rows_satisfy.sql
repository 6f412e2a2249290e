{# Generic test: every row satisfies `expression` (a SQL condition over the model's columns);
   rows where it is false are returned. NULL counts as satisfied: write `x is not null and …`
   where a NULL is itself a fault. #}
{% test rows_satisfy(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), true)
{% endtest %}
