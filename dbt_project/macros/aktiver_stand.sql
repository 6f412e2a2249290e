{# The rows of a delivery-file relation (a staging model) that belong to the active stand of
   their (jobcenter, berichtsmonat), as int_lieferungen chooses it (latest stand, or latest
   stand <= var('as_of')). A later delivery replaces the month as a whole, so rows are never
   merged across stands. Renders a parenthesised subquery; use it as a relation:

       select * from {{ aktiver_stand(ref('stg_kontakte')) }} as kontakte

   A filter on the result (e.g. nur_neubau()) reaches the scan: DuckDB pushes it through. #}
{% macro aktiver_stand(relation) -%}
    (
        select zeilen.*
        from {{ relation }} as zeilen
        inner join {{ ref('int_lieferungen') }} as lieferungen
            on
                zeilen.jobcenter_id = lieferungen.jobcenter_id
                and zeilen.berichtsmonat = lieferungen.berichtsmonat
                and zeilen.stand = lieferungen.stand
        where lieferungen.ist_aktiver_stand
    )
{%- endmacro %}
