"""Days as people read them, in the active language."""

from datetime import date

from django.utils import translation

from vigie.core.dates import long_date


def test_a_day_reads_the_french_way_and_the_english_way() -> None:
    with translation.override("fr"):
        assert long_date(date(2026, 12, 6)) == "6 décembre 2026"
        assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
    with translation.override("en"):
        assert long_date(date(2026, 12, 6)) == "December 6, 2026"
        assert long_date(date(2026, 12, 1)) == "December 1, 2026"
