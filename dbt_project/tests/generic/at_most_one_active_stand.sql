{# Generic test: the rows of a staging model come from one stand per (jobcenter, berichtsmonat). #}
{% test one_stand_per_month(model) %}
select jobcenter_id, berichtsmonat
from {{ model }}
group by jobcenter_id, berichtsmonat
having count(distinct stand) > 1
{% endtest %}
