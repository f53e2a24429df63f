"""A statement used to be marked published (with that time) as soon as it was handed to the outbox.
It is now published when a place confirms it: a platform's answer, a person's "publiée à la main",
or a place recorded by hand (``published_where``). Statements already stored are corrected the
same way: none of those → approved again, not published; else published at the first confirmed
publication's time (a place recorded by hand keeps the time it was recorded)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Min, Q

PUBLIC = ("published", "posted_by_hand")


def forwards(apps: Any, schema_editor: Any) -> None:
    statement_model = apps.get_model("alerts", "Statement")
    published = (
        statement_model.objects.filter(status="published")
        .filter(Q(published_where=""))
        .annotate(first=Min("publications__published_at", filter=Q(publications__status__in=PUBLIC)))
    )
    for statement in published.iterator():
        if statement.first is None:
            statement_model.objects.filter(pk=statement.pk).update(status="approved", published_at=None)
        elif statement.first != statement.published_at:
            statement_model.objects.filter(pk=statement.pk).update(published_at=statement.first)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0004_kept_history"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
