"""The reads of the insights app: KPIs over a period, themes, trends, breakdowns, drill-down,
the theme board, action plans and testimonials.

Everything is computed by the database (conditional aggregates, ``json_each`` /
``jsonb_array_elements_text`` for themes): no loop over rows in Python, so the numbers stay cheap
on a year of mentions. The dashboard and ``GET /api/v1/kpis`` both read ``kpi_report`` and
therefore always agree.

A mention belongs to a period by its publication time on the platform (``Mention.created_at``),
in the organisation's time zone; a case by its mention's publication time.

Import from the module that owns a name (nothing is re-exported here; no other app reads these):

- ``filters``: period choices, ``InsightFilters``, the mentions and cases of a period, the
  previous period, conditions shared by several counts;
- ``targets``: the charter's KPI targets and business hours;
- ``stats``: shares, median, percentile, NPS score of a survey answer;
- ``totals``: the additive measures of a period, from the rows or the daily rollup;
- ``kpis``: ``kpi_report``, the dashboard's numbers;
- ``grouping``: counts per day, theme, platform, location or team;
- ``themes``: top themes, their shares and changes, theme labels;
- ``trends``: weekly volume, the time series, theme trends;
- ``breakdowns``: per platform and per location splits, a KPI report per dimension value;
- ``drilldown``: the mentions behind a number;
- ``quotes``: masked quotes (``Verbatim``) and consented testimonials;
- ``theme_board``: recurring problems ranked by volume x negativity;
- ``action_plans``: action plans and their before / after effect.
"""
