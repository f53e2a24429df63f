"""Each series alert says what it watches in French and English (``scope_label_en``): an English
reader read "Thème Remboursements" where the alert had been detected for a French organisation.

Existing series alerts get both labels from their key: the theme's label in each language (the
organisation's own theme keeps its one label), "Lieu X" / "Location X", "Source X",
"Organisation"; their titles (and their incident's, which repeats its lead's) are rewritten when
they end with the old label. Single-item alerts name a source or a location: nothing to do."""

from typing import Any

from django.db import migrations, models

SERIES_RULES = ("negative_volume", "total_volume", "reach", "average_rating", "one_star_share")


def _old_english(label: str) -> str:
    """What the English title said of the old label (only the word before the name was translated)."""
    for french, english in (("Lieu ", "Location "), ("Thème ", "Theme ")):
        if label.startswith(french):
            return english + label[len(french) :]
    return label


def _relabel(text: str, old: str, new: str) -> str:
    suffix = f" · {old}"
    return text[: -len(suffix)] + f" · {new}" if old and text.endswith(suffix) else text


def both_languages(apps: Any, schema_editor: Any) -> None:
    from vigie.analysis.taxonomy import default_labels

    alert_model = apps.get_model("alerts", "Alert")
    incident_model = apps.get_model("alerts", "Incident")
    theme_model = apps.get_model("analysis", "Theme")
    french_defaults, english_defaults = default_labels("fr"), default_labels("en")
    rows = alert_model.objects.filter(rule__in=SERIES_RULES).exclude(scope_label="")
    for alert in rows.iterator(chunk_size=500):
        _metric, _sep, scope = alert.key.partition(":")
        kind, _sep, value = scope.partition(":")
        old = alert.scope_label
        if kind == "org":
            french, english = "Organisation", "Organisation"
        elif kind == "source":
            french = english = old
        elif kind == "location":
            name = old.removeprefix("Lieu ")
            french, english = f"Lieu {name}", f"Location {name}"
        elif kind == "theme":
            own = (
                theme_model.objects.filter(organisation_id=alert.organisation_id, slug=value)
                .values_list("label", flat=True)
                .first()
            )
            name = own or french_defaults.get(value) or old.removeprefix("Thème ")
            name_en = own or english_defaults.get(value) or name
            french, english = f"Thème {name}", f"Theme {name_en}"
        else:
            continue
        title = _relabel(alert.title, old, french)
        title_en = _relabel(alert.title_en, _old_english(old), english)
        if alert.incident_id is not None:
            incident_model.objects.filter(pk=alert.incident_id, title=alert.title).update(title=title)
            incident_model.objects.filter(pk=alert.incident_id, title_en=alert.title_en).update(
                title_en=title_en
            )
        alert_model.objects.filter(pk=alert.pk).update(
            scope_label=french, scope_label_en=english, title=title, title_en=title_en
        )


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0005_statement_published_when_confirmed"),
        ("analysis", "0002_analysis_settings_customer_patterns"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="scope_label_en",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(both_languages, migrations.RunPython.noop),
    ]
