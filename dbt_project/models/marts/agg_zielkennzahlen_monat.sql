-- The agreement's figures year to date per (jobcenter, berichtsmonat, kennzahl, gruppe), in
-- the form the target comparison (zielerreichung) reads: zaehler / nenner / wert plus unit.
-- Year to date = the reporting months Jan..m of m's year; a row is only written when all of
-- them are delivered (and, for Integration counts, computable). vorlaeufig = any of the
-- months Jan..m is provisional (FbW-Erfolgsquote: also while an exit's 6-month window is open).
-- FbW/TW events count by the calendar month of their date, so their rows also read delivery
-- m+1 (the events after ST(m)) and stay vorlaeufig until it is delivered and final.
-- Codes (einheit):
--   INTEGRATIONEN/<gruppe> (anzahl) ........ Integrationen Jan..m (Z2.7 alleinerziehend, ...)
--   INT_AUSBILDUNG_U25, INT_AUSBILDUNG_UE25 (anzahl) ...................... Z2.12, Z2.9
--   INT_BEDARFSDECKEND (prozent) .... bedarfsdeckend / Integrationen with known status (M1)
--   LZA_ANTEIL_INTEGRATIONEN (prozent) ................................. Z3.5
--   LZB_JAHRESDURCHSCHNITT, LZA_JAHRESDURCHSCHNITT, ELB_JAHRESDURCHSCHNITT[/asyl8] (personen)
--   K3E2_JAHRESWERT (prozent) ..................... mean of the monthly K3E2 values, Z3.3
--   K1_YTD, K1E1_YTD (prozent) ..... change of the sum Jan..m vs the same months a year ago
--   FBW_EINTRITTE_GQ_ABSCHLUSS, TW_EINTRITTE (anzahl) .................... Z2.8, Z2.14
--   FBW_ERFOLGSQUOTE (prozent) .................................................. Z2.10
--   EGM_ANTEIL_U25 (prozent) .................................................... Z2.11
--   KUNDENSTRUKTUR/<merkmal> (prozent) ....... share of ELB(m) in the month (not YTD)
-- Kontaktdichte is in agg_kontaktdichte_ytd, the official quotas as JFW in agg_quoten_jfw.
-- Published as zielkennzahlen_monat; agg_ziel_figuren_monat reads it from here, so no model
-- reads a published one.

with basis as (

    select * from {{ ref('agg_zielbasis_monat') }}

),

ytd as (

    select
        t.jobcenter_id,
        t.berichtsmonat,
        t.jahr,
        max(t.monat) as monat,
        count(*) as monate,
        count(r.int_gesamt) as monate_int,
        max(case when r.vorlaeufig then 1 else 0 end) = 1 as vorlaeufig,
        max(case when r.fbw_erfolg_vorlaeufig then 1 else 0 end) = 1 as fbw_erfolg_vorlaeufig,
        max(case when r.ereignisse_vorlaeufig then 1 else 0 end) = 1 as ereignisse_vorlaeufig,
        {%- for spalte in [
            'int_gesamt', 'int_alleinerziehend', 'int_lzb', 'int_lza', 'int_asyl8',
            'int_ohne_asyl8', 'int_u25', 'int_marktnah', 'int_komplex', 'int_ausbildung_u25',
            'int_ausbildung_ue25', 'int_bedarfsdeckend', 'int_bedarfsdeckend_bekannt',
            'lzb', 'lza', 'elb', 'elb_asyl8', 'llu_summe', 'luh_summe',
            'fbw_eintritte_gq_abschluss', 'fbw_austritte', 'fbw_austritte_integriert',
            'tw_eintritte', 'egm_betrag', 'egm_betrag_u25'] %}
            sum(r.{{ spalte }}) as {{ spalte }},
        {%- endfor %}
        -- mean of monthly percentages, summed as DECIMAL so the order of addition
        -- (parallel aggregation) cannot change the last bit
        avg(cast({{ prozent('r.lzb_aktiviert', 'r.lzb') }} as decimal(38, 18))) as k3e2_mittel,
        count({{ prozent('r.lzb_aktiviert', 'r.lzb') }}) as k3e2_monate
    from basis as t
    inner join basis as r
        on
            r.jobcenter_id = t.jobcenter_id
            and r.jahr = t.jahr
            and r.berichtsmonat <= t.berichtsmonat
    group by t.jobcenter_id, t.berichtsmonat, t.jahr

),

vollstaendig as (

    select * from ytd where monate = monat

),

-- the same months of the previous year, for the K1/K1E1 year-to-date changes
vorjahr as (

    select
        v.jobcenter_id,
        {{ add_months('v.berichtsmonat', 12) }} as berichtsmonat,
        v.llu_summe,
        v.luh_summe,
        v.vorlaeufig
    from vollstaendig as v

),

zeilen as (

    {#- One row spec per figure: (kennzahl, gruppe, zaehler, nenner, wert, einheit, vorlaeufig,
        von); `von` names the months a figure needs (below). #}
    {%- set von = {
        'int': 'vollstaendig as t where t.monate_int = t.monat',
        'ytd': 'vollstaendig as t',
        'vorjahr': 'vollstaendig as t inner join vorjahr as v'
            ~ ' on t.jobcenter_id = v.jobcenter_id and t.berichtsmonat = v.berichtsmonat',
        'monat': 'basis as t',
    } %}
    {%- set specs = [] %}
    {#- Integration counts: only when every month Jan..m has computable Integrationen #}
    {%- for kennzahl, gruppe, spalte in [
        ('INTEGRATIONEN', 'gesamt', 'int_gesamt'),
        ('INTEGRATIONEN', 'alleinerziehend', 'int_alleinerziehend'),
        ('INTEGRATIONEN', 'lzb', 'int_lzb'),
        ('INTEGRATIONEN', 'lza', 'int_lza'),
        ('INTEGRATIONEN', 'asyl8', 'int_asyl8'),
        ('INTEGRATIONEN', 'ohne_asyl8', 'int_ohne_asyl8'),
        ('INTEGRATIONEN', 'u25', 'int_u25'),
        ('INTEGRATIONEN', 'marktnah', 'int_marktnah'),
        ('INTEGRATIONEN', 'komplex', 'int_komplex'),
        ('INT_AUSBILDUNG_U25', 'gesamt', 'int_ausbildung_u25'),
        ('INT_AUSBILDUNG_UE25', 'gesamt', 'int_ausbildung_ue25'),
    ] %}
        {%- do specs.append((kennzahl, gruppe, 'cast(' ~ spalte ~ ' as double)',
            'cast(null as double)', 'cast(' ~ spalte ~ ' as double)', 'anzahl', 'vorlaeufig', 'int')) %}
    {%- endfor %}
    {%- do specs.append(('INT_BEDARFSDECKEND', 'gesamt', 'cast(int_bedarfsdeckend as double)',
        'cast(int_bedarfsdeckend_bekannt as double)',
        prozent('int_bedarfsdeckend', 'int_bedarfsdeckend_bekannt'), 'prozent', 'vorlaeufig', 'int')) %}
    {%- do specs.append(('LZA_ANTEIL_INTEGRATIONEN', 'gesamt', 'cast(int_lza as double)',
        'cast(int_gesamt as double)', prozent('int_lza', 'int_gesamt'), 'prozent', 'vorlaeufig', 'int')) %}
    {#- yearly means of stocks: mean of the monthly values Jan..m #}
    {%- for kennzahl, gruppe, spalte in [
        ('LZB_JAHRESDURCHSCHNITT', 'gesamt', 'lzb'),
        ('LZA_JAHRESDURCHSCHNITT', 'gesamt', 'lza'),
        ('ELB_JAHRESDURCHSCHNITT', 'gesamt', 'elb'),
        ('ELB_JAHRESDURCHSCHNITT', 'asyl8', 'elb_asyl8'),
    ] %}
        {%- do specs.append((kennzahl, gruppe, 'cast(' ~ spalte ~ ' as double)', 'cast(monate as double)',
            'cast(' ~ spalte ~ ' as double) / monate', 'personen', 'vorlaeufig', 'ytd')) %}
    {%- endfor %}
    {%- do specs.append(('K3E2_JAHRESWERT', 'gesamt', 'cast(null as double)', 'cast(null as double)',
        'case when k3e2_monate = monate then k3e2_mittel end', 'prozent', 'vorlaeufig', 'ytd')) %}
    {#- K1/K1E1: the sum Jan..m against the same months a year ago #}
    {%- for kennzahl, spalte in [('K1_YTD', 'llu_summe'), ('K1E1_YTD', 'luh_summe')] %}
        {%- do specs.append((kennzahl, 'gesamt', 't.' ~ spalte, 'v.' ~ spalte,
            veraenderung_prozent('t.' ~ spalte, 'v.' ~ spalte), 'prozent',
            '(t.vorlaeufig or v.vorlaeufig)', 'vorjahr')) %}
    {%- endfor %}
    {#- FbW and TW events count by their calendar date: vorlaeufig while delivery m+1 is open #}
    {%- do specs.append(('FBW_EINTRITTE_GQ_ABSCHLUSS', 'gesamt', 'cast(fbw_eintritte_gq_abschluss as double)',
        'cast(null as double)', 'cast(fbw_eintritte_gq_abschluss as double)', 'anzahl',
        'ereignisse_vorlaeufig', 'ytd')) %}
    {%- do specs.append(('FBW_ERFOLGSQUOTE', 'gesamt', 'cast(fbw_austritte_integriert as double)',
        'cast(fbw_austritte as double)', prozent('fbw_austritte_integriert', 'fbw_austritte'), 'prozent',
        '(ereignisse_vorlaeufig or fbw_erfolg_vorlaeufig)', 'ytd')) %}
    {%- do specs.append(('TW_EINTRITTE', 'gesamt', 'cast(tw_eintritte as double)', 'cast(null as double)',
        'cast(tw_eintritte as double)', 'anzahl', 'ereignisse_vorlaeufig', 'ytd')) %}
    {%- do specs.append(('EGM_ANTEIL_U25', 'gesamt', 'egm_betrag_u25', 'egm_betrag',
        prozent('egm_betrag_u25', 'egm_betrag'), 'prozent', 'vorlaeufig', 'ytd')) %}
    {#- Kundenstruktur: shares of the month's stock (Stichtag values, not year to date) #}
    {%- for gruppe, spalte in [
        ('marktnah', 'elb_marktnah'), ('komplex', 'elb_komplex'),
        ('schulabschluss', 'elb_mit_schulabschluss'),
        ('hochschulreife', 'elb_mit_hochschulreife'),
        ('berufsabschluss', 'elb_mit_berufsabschluss'), ('u25', 'elb_u25'),
        ('alleinerziehend', 'elb_alleinerziehend'), ('ue50', 'elb_ue50'), ('lzb', 'lzb'),
        ('schwerbehindert', 'elb_schwerbehindert'), ('asyl8', 'elb_asyl8'),
    ] %}
        {%- do specs.append(('KUNDENSTRUKTUR', gruppe, 'cast(' ~ spalte ~ ' as double)',
            'cast(elb as double)', prozent(spalte, 'elb'), 'prozent', 'vorlaeufig', 'monat')) %}
    {%- endfor %}

    {%- for kennzahl, gruppe, zaehler, nenner, wert, einheit, vorlaeufig, quelle in specs %}
        select
            t.jobcenter_id,
            t.berichtsmonat,
            t.jahr,
            '{{ kennzahl }}' as kennzahl,
            '{{ gruppe }}' as gruppe,
            {{ zaehler }} as zaehler,
            {{ nenner }} as nenner,
            {{ wert }} as wert,
            '{{ einheit }}' as einheit,
            {{ vorlaeufig }} as vorlaeufig
        from {{ von[quelle] }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    cast(jobcenter_id as varchar) as jobcenter_id,
    cast(berichtsmonat as date) as berichtsmonat,
    cast(jahr as integer) as jahr,
    cast(kennzahl as varchar) as kennzahl,
    cast(gruppe as varchar) as gruppe,
    cast(zaehler as double) as zaehler,
    cast(nenner as double) as nenner,
    cast(wert as double) as wert,
    cast(einheit as varchar) as einheit,
    cast(vorlaeufig as boolean) as vorlaeufig
from zeilen
