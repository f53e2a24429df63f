"""A held mention cannot be deleted by any path that goes through the ORM (an erasure, a retention
job, a source removed with its mentions, the admin): the hold must be lifted first, which is audited.
Privacy's code checks ``queries.is_held`` before; this is the safety net behind it."""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError

from vigie.evidence.models import LegalHold
from vigie.mentions.models import Mention


def refuse_deleting_held_mention(sender: type[Mention], instance: Mention, **kwargs: Any) -> None:
    held = list(LegalHold.objects.filter(mention_id=instance.pk, lifted_at__isnull=True)[:1])
    if held:
        raise ProtectedError(f"mention {instance.pk} is under legal hold: lift the hold first", set(held))
