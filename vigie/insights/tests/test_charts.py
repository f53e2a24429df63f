from __future__ import annotations

from vigie.insights.charts import bar_chart, line_chart, stacked_chart


def test_charts_escape_every_text_and_describe_their_values() -> None:
    svg = bar_chart(
        [("<b>lundi</b>", 3), ("mardi", 0)], title="<script>x</script>", urls=["/m/?a=1&b=2", None]
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "&lt;b&gt;lundi&lt;/b&gt; : 3" in svg  # in the <desc> and the bar's <title>
    assert 'href="/m/?a=1&amp;b=2"' in svg
    assert svg.count("<a ") == 1  # no link where no URL was given
    assert 'role="img"' in svg


def test_bars_scale_to_the_highest_value_and_lines_skip_missing_values() -> None:
    svg = bar_chart([("a", 10), ("b", 5)], title="t")
    assert 'height="140"' in svg and 'height="70"' in svg  # noqa: PT018 - both bars of one chart
    stacked = stacked_chart(
        [("a", (1, 0, 1))], title="t", series=[("neg", "neg"), ("neu", "neu"), ("pos", "pos")]
    )
    assert 'class="neg"' in stacked and 'class="neu"' not in stacked  # noqa: PT018 - an empty part draws nothing
    line = line_chart([("a", 4.0), ("b", None), ("c", 2.0)], title="t", low=1, high=5)
    assert line.count("<polyline") == 2  # the gap splits the line
    assert "b : —" in line


def test_axis_labels_of_a_few_bars_do_not_run_together() -> None:
    """Found at 1280 px: the first-response histogram read "8-24h24-48h>48h"."""
    import itertools
    import re

    labels = ["<1h", "1-4h", "4-8h", "8-24h", "24-48h", ">48h"]
    svg = bar_chart([(label, 5) for label in labels], title="t")
    centres = [float(x) for x in re.findall(r'<text class="axis" x="([\d.]+)"', svg)]
    assert len(centres) == len(labels)
    gaps = [b - a for a, b in itertools.pairwise(centres)]
    assert min(gaps) >= 6 * len("24-48h") + 6, gaps  # half of two neighbours plus a space
