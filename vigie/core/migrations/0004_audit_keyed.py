"""Key the audit chain (HMAC-SHA256, ``vigie.core.audit``).

Existing events keep their unkeyed SHA-256 (``hash_version`` 1) and are still verified as such;
each existing chain gets one keyed event appended, which pins that unkeyed prefix under the key.
"""

from typing import Any

from django.db import migrations, models
from django.utils import timezone


def append_keyed_event(apps: Any, schema_editor: Any) -> None:
    from vigie.core.audit import KEYED, event_hash

    AuditEvent = apps.get_model("core", "AuditEvent")
    organisation_ids = AuditEvent.objects.order_by().values_list("organisation_id", flat=True).distinct()
    for organisation_id in list(organisation_ids):
        last = AuditEvent.objects.filter(organisation_id=organisation_id).order_by("-seq").first()
        created_at = max(timezone.now(), last.created_at).replace(microsecond=0)
        fields = {
            "organisation_id": organisation_id,
            "seq": last.seq + 1,
            "created_at": created_at,
            "actor_label": "system",
            "verb": "audit.keyed",
            "object_type": "",
            "object_id": "",
            "data": {"unkeyed_events": last.seq},
            "prev_hash": last.hash,
        }
        AuditEvent.objects.create(
            organisation_id=organisation_id,
            seq=fields["seq"],
            created_at=created_at,
            actor_label="system",
            verb="audit.keyed",
            data=fields["data"],
            prev_hash=last.hash,
            hash=event_hash(**fields, version=KEYED),
            hash_version=KEYED,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_location_store_code"),
    ]

    operations = [
        # Rows already there were hashed without a key: version 1.
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunPython(append_keyed_event, migrations.RunPython.noop),
    ]
