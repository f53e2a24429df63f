"""English pages write dates one way, the British way, like the organisations that use them."""

from datetime import datetime

from django.utils import formats, translation


def test_english_dates_are_british_and_consistent() -> None:
    # Before: "Dec. 2, 2026, 9:10 a.m." in the case header, "12/02/2026" (month first) in the
    # conversation, "08/11" (day first) in the charts.
    moment = datetime(2026, 12, 2, 9, 10)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2 Dec 2026, 09:10"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "02/12/2026 09:10"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "02/12/2026"
        assert formats.number_format(1234.5, 1, force_grouping=True) == "1,234.5"
    with translation.override("fr"):
        assert formats.date_format(moment, "DATE_FORMAT") == "2 décembre 2026"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "02/12/2026"


def test_a_label_and_its_value_are_separated_as_the_language_writes_it() -> None:
    # "Target : ≥ 4 / 5", "Legal risk : yes" read wrong in English.
    from django.template import Context, Template

    template = Template("{% load i18n %}{% translate 'Objectif' %}{% colon %}4 / 5")
    with translation.override("en"):
        assert template.render(Context()) == "Target: 4 / 5"
    with translation.override("fr"):
        assert template.render(Context()) == "Objectif\u00a0: 4 / 5"
